"""Fixtures for the report tests: a private copy of the demo database and its report content, built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipelines.db import connect
from pipelines.report import build_content, charts


@pytest.fixture(scope="session")
def report_db(demo_db, tmp_path_factory) -> Path:
    """A copy of the demo database (the shared one is never opened by these tests)."""
    path = tmp_path_factory.mktemp("report") / "payoff.duckdb"
    shutil.copyfile(demo_db, path)
    return path


@pytest.fixture(scope="session")
def report_content(report_db):
    con = connect(report_db, read_only=True)
    try:
        return build_content(con)
    finally:
        con.close()


@pytest.fixture(scope="session", autouse=True)
def _close_chart_server():
    """Kaleido's Chromium runs for the session and is closed at its end."""
    yield
    charts.stop()
