"""Fixtures of the page tests: a private, writable copy of the demo database per test."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(autouse=True)
def _settled():
    """No test leaves a background analysis running into the next (it would hold the server's one fit)."""
    yield
    settle()


@pytest.fixture
def demo_copy(demo_db, tmp_path, monkeypatch):
    """A writable copy of the session's demo database, set as PAYOFF_DB (no earlier test read it,
    so no cached result can stand in for a query)."""
    path = tmp_path / "payoff.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.setenv("PAYOFF_DB", str(path))
    return path


def settle(timeout: float = 300) -> None:
    """Wait for the dashboard's background work started by a load (the new default analysis, refits of
    filtered views) to finish, as a person would by looking at the page a little later."""
    import threading

    for thread in threading.enumerate():
        if thread.name in ("payoff-analysis", "payoff-refit"):
            thread.join(timeout)


@pytest.fixture
def settled():
    """settle, for a test that reads pages after its load's analysis is stored."""
    return settle
