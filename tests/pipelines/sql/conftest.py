"""Fixtures for the exact-row SQL model tests: a fresh in-memory database, a loader that writes
tiny CSV files and ingests them through the real `ingest_file` path, and a build helper.

Every file is loaded with an explicit mapping (built from its header with DEFAULT_ROLES) so the
tests pin the SQL models, not the column recogniser.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import duckdb
import pytest

from pipelines.build import build
from pipelines.db import ensure_schema
from pipelines.ingest import LoadReport, Mapping, ingest_file

# header -> column spec (without "column"); a header not listed here is ignored
DEFAULT_ROLES: dict[str, dict] = {
    "Activity ID": {"role": "activity_id"},
    "Account": {"role": "account_id"},
    "Type": {"role": "activity_type"},
    "Date": {"role": "date"},
    "Month": {"role": "date"},
    "Owner": {"role": "owner"},
    "Minutes": {"role": "duration_minutes"},
    "Count": {"role": "count"},
    "Event ID": {"role": "event_id"},
    # wide activity counts
    "Calls": {"role": "activity", "name": "calls"},
    "Meetings": {"role": "activity", "name": "meetings"},
    # measures
    "CSAT": {"role": "measure", "name": "csat"},
    "Response Hours": {"role": "measure", "name": "response_hours"},
    # outcomes
    "Renewed": {"role": "outcome", "name": "renewed", "outcome_kind": "binary"},
    "Revenue": {"role": "outcome", "name": "revenue", "outcome_kind": "amount", "decimal": "."},
    "Referrals": {"role": "outcome", "name": "referrals", "outcome_kind": "count"},
    # account attributes
    "Segment": {"role": "attribute", "name": "segment"},
    "Employees": {"role": "attribute", "name": "employees", "decimal": "."},
    "Region": {"role": "attribute", "name": "region"},
    "Tier": {"role": "attribute", "name": "tier", "decimal": "."},
}


class Loader:
    """Write a CSV into a folder and ingest it with a mapping derived from its header."""

    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path):
        self.con = con
        self.folder = folder

    def __call__(self, name: str, kind: str, text: str, roles: dict[str, dict] | None = None,
                 row_event: str | None = None) -> LoadReport:
        body = textwrap.dedent(text).strip("\n") + "\n"
        header = body.splitlines()[0].split(",")
        table = {**DEFAULT_ROLES, **(roles or {})}
        if kind == "accounts" and "Owner" not in (roles or {}):
            table["Owner"] = {"role": "attribute", "name": "owner"}  # an account owner is an attribute
        columns = [{"column": h, **table.get(h, {"role": "ignore"})} for h in header]
        spec: dict = {"kind": kind, "columns": columns}
        if row_event:
            spec["row_event"] = {"outcome": row_event}
        mapping = Mapping.from_json(spec)
        path = self.folder / name
        path.write_text(body, encoding="utf-8")
        report = ingest_file(self.con, path, mapping=mapping)
        assert report.status == "loaded", report.summary()
        assert report.rows_rejected == 0, report.rejects
        return report


def new_database() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()  # in memory: fast, and nothing shared between tests
    ensure_schema(connection)
    return connection


@pytest.fixture
def con():
    connection = new_database()
    yield connection
    connection.close()


@pytest.fixture
def load(con, tmp_path) -> Loader:
    folder = tmp_path / "exports"
    folder.mkdir()
    return Loader(con, folder)


@pytest.fixture
def fresh(tmp_path):
    """A factory for further independent databases: returns (connection, loader)."""
    opened = []

    def _fresh():
        connection = new_database()
        opened.append(connection)
        folder = tmp_path / f"exports_{len(opened)}"
        folder.mkdir()
        return connection, Loader(connection, folder)

    yield _fresh
    for connection in opened:
        connection.close()


@pytest.fixture
def run(con):
    """Build every model at a grain through pipelines.build.build."""

    def _build(grain: str = "month"):
        return build(con, grain)

    return _build


@pytest.fixture
def q(con):
    """A query's rows as a sorted list of tuples (None sorts first), independent of engine order."""

    def _rows(sql: str, params=None) -> list[tuple]:
        return sorted(con.execute(sql, params or []).fetchall(), key=sort_key)

    return _rows


@pytest.fixture
def cols(con):
    """Column names of a table or view, in order."""

    def _columns(table: str) -> list[str]:
        return [d[0] for d in con.execute(f"select * from {table} limit 0").description]

    return _columns


def sort_key(row: tuple) -> tuple:
    return tuple((value is not None, value) for value in row)


@pytest.fixture(scope="session")
def spark():
    """One real local Spark for the spark-marked tests (two cores, small driver memory, two partitions).

    Fails, rather than skips, without PySpark or Java: `make test` installs them; deselect with -m 'not spark'.
    """
    from pipelines.spark import spark_session

    session = spark_session("local[2]", driver_memory="1g", partitions=2)
    yield session
    session.stop()
