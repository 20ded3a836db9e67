"""Money: the currency each amount outcome is written in (as its own exports write it), and how money reads."""

from __future__ import annotations

import json
import math

import duckdb

from pipelines.db import table_exists

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}  # codes written as their symbol; others stay codes ('CHF 1,200')


def currencies(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each amount outcome's currency ('$', '€', 'CHF'), from the column mappings of the loads in effect (a later
    load's wins); an outcome whose values carried none is absent."""
    if not table_exists(con, "loads"):
        return {}
    out: dict[str, str] = {}
    for (text,) in con.execute("select mapping_json from loads where undone_at is null order by load_id").fetchall():
        try:
            columns = json.loads(text).get("columns", [])
        except (ValueError, AttributeError):
            continue
        for c in columns:
            if c.get("role") == "outcome" and c.get("outcome_kind") == "amount" and c.get("currency") and c.get("name"):
                out[c["name"]] = SYMBOLS.get(c["currency"], c["currency"])
    return out


def money(value: float, currency: str | None, *, signed: bool = False, compact: bool = False) -> str:
    """'$41,800', '+$41,800', '−€1.2M' (compact), 'CHF 1,200'; no currency: the number alone."""
    if value is None or not math.isfinite(value):
        return "n/a"
    sign = ("+" if value >= 0 else "−") if signed else ("−" if value < 0 else "")
    size = abs(value)
    if compact and size >= 1e9:
        number = f"{size / 1e9:.1f}B"
    elif compact and size >= 1e6:
        number = f"{size / 1e6:.1f}M"
    elif compact and size >= 1e4:
        number = f"{size / 1e3:.0f}K"
    else:
        number = f"{size:,.0f}"
    if not currency:
        return sign + number
    return f"{sign}{currency}{number}" if len(currency) == 1 else f"{sign}{currency} {number}"
