"""Fixtures for the ingestion tests: a fresh database, tiny files built from bytes, snapshots.

Every file a test loads is written into tmp_path by the test itself, byte by byte, so the
encoding, BOM, line endings and compression under test are exactly what the test says.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.db import connect
from pipelines.ingest import ingest_file

# ../shared/datasets next to the repository (absent on machines without the public data).
DATASETS = Path(__file__).resolve().parents[3].parent / "shared" / "datasets"

# A small activity export loaded before the bad-file tests, so "nothing changed" has something to lose.
SEED_EVENTS = (
    "Activity ID,Activity Type,Date,Account ID\n"
    "S1,Call,2025-01-02,ACME\n"
    "S2,Email,2025-01-03,ACME\n"
    "S3,Meeting,2025-01-04,BETA\n"
)
SEED_REVENUE = "Account ID,Month,Revenue\nACME,2025-01,100\nBETA,2025-01,50\n"


@pytest.fixture
def con(tmp_path):
    """A fresh Payoff database in tmp_path."""
    connection = connect(tmp_path / "t.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def write(tmp_path):
    """write(name, data) -> Path: data is bytes, or text encoded as UTF-8 (no BOM)."""

    def _write(name: str, data: bytes | str) -> Path:
        path = tmp_path / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path

    return _write


@pytest.fixture
def ingest(con):
    """ingest(path, **kw): ingest_file on the test database, checking the load's counts add up."""

    def _ingest(path, **kwargs):
        report = ingest_file(con, path, **kwargs)
        if report.status == "loaded":
            assert report.rows_read == report.rows_loaded + report.rows_duplicate + report.rows_rejected
            recorded = con.execute(
                "select file_name, sha256, rows_read, rows_loaded, rows_duplicate, rows_rejected "
                "from loads where load_id = ?", [report.load_id]).fetchone()
            assert recorded == (report.file, report.sha256, report.rows_read, report.rows_loaded,
                                report.rows_duplicate, report.rows_rejected)
        return report

    return _ingest


def take_snapshot(connection) -> dict[str, list[tuple]]:
    """Every row of every table in the main schema, sorted: equal snapshots mean nothing changed."""
    tables = [r[0] for r in connection.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'main' and table_type = 'BASE TABLE' order by table_name").fetchall()]
    return {t: connection.execute(f'select * from "{t}" order by all').fetchall() for t in tables}


@pytest.fixture
def snapshot():
    """snapshot(con) -> {table: sorted rows} for every table."""
    return take_snapshot


@pytest.fixture
def seeded(con, write, ingest):
    """The test database with two earlier loads (activity events and revenue) already in it."""
    ingest(write("seed_events.csv", SEED_EVENTS))
    ingest(write("seed_revenue.csv", SEED_REVENUE))
    return con


@pytest.fixture
def datasets():
    """The public datasets folder, or a clean skip when this machine does not have it."""
    if not DATASETS.is_dir():
        pytest.skip(f"public datasets not found at {DATASETS}")
    return DATASETS

