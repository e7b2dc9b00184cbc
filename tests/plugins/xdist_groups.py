"""How `make test` spreads the suite over processes (pytest-xdist).

Tests go out one by one, in the order pytest-django sorts them (transactional tests last, so a
flush never empties the database under a later test of the same process), except the modules
below, which stay whole on one process because they share an expensive module-scoped fixture
(the loaded demo, the extracted message catalogues). xdist's own `--dist loadgroup` would do this
from `xdist_group` marks, but xdist 3.8 writes the group into `item._nodeid`, which pytest 9.2 no
longer reads; this scheduler names the modules instead.
"""

from __future__ import annotations

import pytest

WHOLE_MODULES = {
    "tests/test_demo.py",  # one `load_demo` (tests/plugins/shared_demo.py)
    "tests/municipalities/test_living_demo.py",  # one municipalities demo step for its days
    "tests/uso_portal/test_translations.py",  # one makemessages run
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class WholeModulesScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in WHOLE_MODULES else nodeid

    return WholeModulesScheduling(config, log)
