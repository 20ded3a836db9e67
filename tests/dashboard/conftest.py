"""Fixtures of the page tests: a private, writable copy of the demo database per test."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture
def demo_copy(demo_db, tmp_path, monkeypatch):
    """A writable copy of the session's demo database, set as PAYOFF_DB (no earlier test read it,
    so no cached result can stand in for a query)."""
    path = tmp_path / "payoff.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.setenv("PAYOFF_DB", str(path))
    return path
