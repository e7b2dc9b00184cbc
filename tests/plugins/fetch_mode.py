"""N+1 guard for the tests, built on Django 6.1's fetch modes.

`FETCH_RAISE_AMONG_PEERS` lets a lone object load a relation or a deferred field on demand (one
query, as with the default `FETCH_ONE`), but raises `FieldFetchBlocked` when an object that came
from a queryset of several rows does: loading the same relation once per row is the N+1 pattern,
and the fix is `select_related`/`prefetch_related`/`only` in the selector or the admin.

Fetch modes cover forward foreign keys, one-to-one fields (both ways) and deferred fields; a
related manager in a loop (`row.children.all()`) is a new query, not a fetch, and is caught by
the constant query counts of tests/test_query_counts.py instead.

Use it for a module with `pytestmark = pytest.mark.usefixtures("fetch_raise_among_peers")` (and
the fixture imported), or for the whole run with `pytest_plugins = ["tests.plugins.fetch_mode"]`
in tests/conftest.py, which makes it autouse; a test that must loop lazily on purpose opts out
with `@pytest.mark.lazy_fetch_allowed`.
"""

from __future__ import annotations

import pytest
from django.db.models import FETCH_RAISE, query
from django.db.models.fetch_modes import FetchMode


class FetchRaiseAmongPeers(FetchMode):
    __slots__ = ()

    track_peers = True  # every row of a queryset knows the other rows it came with

    def fetch(self, fetcher, instance):
        peers = sum(1 for peer in instance._state.peers if peer() is not None)
        if peers > 1:
            FETCH_RAISE.fetch(fetcher, instance)
        fetcher.fetch_one(instance)

    def __reduce__(self):
        return "FETCH_RAISE_AMONG_PEERS"


FETCH_RAISE_AMONG_PEERS = FetchRaiseAmongPeers()


@pytest.fixture
def fetch_raise_among_peers(monkeypatch):
    """Every queryset of the test defaults to FETCH_RAISE_AMONG_PEERS."""
    monkeypatch.setattr(query, "DEFAULT_FETCH_MODE", FETCH_RAISE_AMONG_PEERS)
    return FETCH_RAISE_AMONG_PEERS


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "lazy_fetch_allowed: the test may load relations row by row (no N+1 guard)"
    )


@pytest.fixture(autouse=True)
def _n_plus_one_guard(request):
    """Active only when this module is loaded as a plugin (`-p tests.plugins.fetch_mode`)."""
    if not request.config.pluginmanager.has_plugin(__name__):
        return
    if request.node.get_closest_marker("lazy_fetch_allowed"):
        return
    request.getfixturevalue("fetch_raise_among_peers")
