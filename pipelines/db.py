"""The one place that opens DuckDB connections and runs Payoff's SQL files."""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

from pipelines.errors import PayoffError

SQL_DIR = Path(__file__).resolve().parent / "sql"
_IDENT_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
LOCK_WAIT_SECONDS = 15.0  # another process (the dashboard reading) may hold the file briefly: wait this long
LOCK_RETRY_SECONDS = 0.2


def connect(db_path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database (creating folder, file and schema when writable)."""
    path = Path(db_path)
    if read_only and not path.exists():
        raise PayoffError(f"{path}: no database here yet; run 'payoff demo' or 'payoff ingest FILE' first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise PayoffError(f"{path}: cannot open the database ({_first_line(exc)}); "
                                  "another process has held it for too long") from exc
            time.sleep(LOCK_RETRY_SECONDS)  # the dashboard's reads are short: the lock frees soon
    if not read_only:
        ensure_schema(con)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the storage tables if they are missing (idempotent)."""
    con.execute(sql_text("schema.sql"))


def sql_text(relative: str) -> str:
    """Read one SQL file shipped with the package."""
    return (SQL_DIR / relative).read_text(encoding="utf-8")


def quote_ident(name: str) -> str:
    """Quote an identifier Payoff generated itself; refuse anything else.

    The audited way to put a name into SQL text: only lower-case snake_case names
    pass, so a user-supplied header can never reach SQL text through here.
    """
    if not _IDENT_RE.match(name):
        raise ValueError(f"not a safe generated identifier: {name!r}")
    return f'"{name}"'


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table or view of this name exists in the main schema."""
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'main' and table_name = ?",
        [name],
    ).fetchone()
    return bool(row and row[0])


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
