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


def compact_number(value: float) -> str:
    """273,718,572 -> '273.7M'; 295 -> '295'."""
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e4, "k")):
        if abs(value) >= size:
            return f"{value / size:,.1f}{suffix}"
    return f"{value:,.0f}"


def money(value: float, currency: str | None, *, signed: bool = False, compact: bool = False) -> str:
    """'$41,800', '+$41,800', '−€1.2M' (compact), 'CHF 1,200'; no currency: the number alone."""
    if value is None or not math.isfinite(value):
        return "n/a"
    sign = ("+" if value >= 0 else "−") if signed else ("−" if value < 0 else "")
    number = compact_number(abs(value)) if compact else f"{abs(value):,.0f}"
    if not currency:
        return sign + number
    return f"{sign}{currency}{number}" if len(currency) == 1 else f"{sign}{currency} {number}"
