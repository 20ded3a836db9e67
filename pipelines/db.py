"""The one place that opens DuckDB connections and runs Payoff's SQL files."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipelines.errors import PayoffError

SQL_DIR = Path(__file__).resolve().parent / "sql"
_IDENT_RE = re.compile(r"^[a-z_][a-z0-9_]*$")


def connect(db_path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database (creating folder, file and schema when writable)."""
    path = Path(db_path)
    if read_only:
        if not path.exists():
            raise PayoffError(f"{path}: no database here yet; run 'payoff demo' or 'payoff ingest FILE' first")
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException as exc:
            raise PayoffError(f"{path}: cannot open the database ({_first_line(exc)})") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        raise PayoffError(f"{path}: cannot open the database ({_first_line(exc)})") from exc
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
