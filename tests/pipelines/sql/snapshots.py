"""Whole-table snapshots, to compare two database states exactly."""

from __future__ import annotations

import duckdb


def snapshot(con: duckdb.DuckDBPyConnection, names: list[str]) -> dict:
    """Columns and sorted rows of each table, to compare two states exactly."""
    out = {}
    for name in names:
        cursor = con.execute(f"select * from {name}")
        columns = [d[0] for d in cursor.description]
        out[name] = (columns, sorted(cursor.fetchall(), key=lambda r: tuple((v is not None, v) for v in r)))
    return out
