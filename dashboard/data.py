"""The only module with Streamlit caches: short read-only connections and cached queries.

Each query opens the database read-only, reads, and closes, so the command line can
load files while the dashboard is open. Results are cached per database version (the
file's modification stamp), so a new load shows on the next rerun.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import streamlit as st

from pipelines import summary
from pipelines.config import settings
from pipelines.db import connect

CACHE_TTL_SECONDS = 600  # cached results also expire, in case a file stamp is not updated
CACHE_ENTRIES = 64  # bounded: one entry per query × database version


def db_path() -> Path:
    """The database the dashboard reads ($PAYOFF_DB or data/payoff.duckdb)."""
    return settings().db_path


def db_version() -> str:
    """A token that changes whenever the database file (or its write-ahead log) changes."""
    path = db_path()
    if not path.exists():
        return "absent"
    wal = Path(str(path) + ".wal")
    stamp = path.stat().st_mtime_ns, path.stat().st_size, wal.stat().st_mtime_ns if wal.exists() else 0
    return "-".join(map(str, stamp))


@contextmanager
def _reader():
    con = connect(db_path(), read_only=True)
    try:
        yield con
    finally:
        con.close()


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def overview(version: str) -> summary.Overview | None:
    """Headline counts, or None when there is no database yet."""
    if version == "absent":
        return None
    with _reader() as con:
        return summary.overview(con)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def activity_types(version: str) -> pd.DataFrame:
    with _reader() as con:
        return summary.activity_types(con)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def activity_by_month(version: str) -> pd.DataFrame:
    with _reader() as con:
        return summary.activity_by_month(con)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def outcome_types(version: str) -> pd.DataFrame:
    with _reader() as con:
        return summary.outcome_types(con)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def attribute_names(version: str) -> list[str]:
    with _reader() as con:
        return summary.attribute_names(con)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def accounts_by(version: str, attribute: str) -> pd.DataFrame:
    with _reader() as con:
        return summary.accounts_by(con, attribute)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def loads(version: str) -> pd.DataFrame:
    from pipelines.ingest import list_loads

    with _reader() as con:
        return list_loads(con)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV for download, with spreadsheet formulas neutralised."""
    from pipelines.export import safe_csv

    return safe_csv(frame).encode("utf-8")


def env_db_label() -> str:
    """How the database path reads in the page footer."""
    return os.environ.get("PAYOFF_DB") or str(db_path())
