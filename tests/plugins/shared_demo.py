"""One `load_demo` shared by the tests of a module that read the demo.

Loading the demo costs seconds (it renders the issued invoices' PDFs); the tests that only read it
(or change it and check a second load, like the idempotence tests) need not each pay for it. The
module-scoped `demo` fixture loads it once inside an outer transaction; every test of the module
that uses `db` runs in a savepoint within it (Django's TestCase atomics nest), so what one test
writes is rolled back before the next, and the whole demo is rolled back when the module ends:
no other module ever sees it. What `load_demo` printed is the fixture's value.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction


def load_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[str]:
    with django_db_blocker.unblock(), transaction.atomic():
        output = load_demo()
        yield output
        transaction.set_rollback(True)
