"""N+1 guard for the whole test suite, built on Django 6.1's fetch modes.

`FETCH_RAISE_AMONG_PEERS` lets a lone object load a relation or a deferred field on demand (one
query, as with the default `FETCH_ONE`), but raises `FieldFetchBlocked` when an object that came
from a queryset of several rows does: loading the same relation once per row is the N+1 pattern,
and the fix is `select_related`/`prefetch_related`/`only` in the selector or the admin.

Fetch modes cover forward foreign keys, one-to-one fields (both ways) and deferred fields; a
related manager in a loop (`row.children.all()`) is a new query, not a fetch, and is caught by
the constant query counts of tests/test_query_counts.py instead.

tests/conftest.py loads this module as a plugin (`pytest_plugins`), which makes the guard apply
to every test. A test that must load lazily on purpose opts out as a whole with
`@pytest.mark.lazy_fetch_allowed`, or for one step with `with lazy_fetch_allowed():`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db.models import FETCH_ONE, FETCH_RAISE, query
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


@contextmanager
def lazy_fetch_allowed() -> Iterator[None]:
    """Django's default (one query per lazy load) for the duration of the block."""
    guarded = query.DEFAULT_FETCH_MODE
    query.DEFAULT_FETCH_MODE = FETCH_ONE
    try:
        yield
    finally:
        query.DEFAULT_FETCH_MODE = guarded


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "lazy_fetch_allowed: the test may load relations row by row (no N+1 guard)"
    )


@pytest.fixture(autouse=True)
def _n_plus_one_guard(request, monkeypatch):
    """Every queryset of the test defaults to FETCH_RAISE_AMONG_PEERS."""
    if not request.node.get_closest_marker("lazy_fetch_allowed"):
        monkeypatch.setattr(query, "DEFAULT_FETCH_MODE", FETCH_RAISE_AMONG_PEERS)
