"""Typing decisions for an export's columns: date styles and decimal separators.

The parsing itself runs in DuckDB (sql/macros.sql and load.py); this module decides which
style each column uses, from every value (dates) or the sample (decimal separators).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

# Date styles, each a family of strptime formats DuckDB tries in order. Two-digit years come first:
# '%Y' would read the '25' of 3/15/25 as the year 25, while '%y' cannot match a four-digit year.
DATE_FAMILIES: dict[str, list[str]] = {
    "iso": ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%SZ",
            "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f", "%Y/%m/%d"],
    "mdy": ["%m/%d/%y", "%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p",
            "%m/%d/%Y %I:%M:%S %p", "%m-%d-%Y"],
    "dmy": ["%d/%m/%y", "%d/%m/%Y", "%d.%m.%y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
            "%d.%m.%Y %H:%M"],
    "named": ["%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d, %Y", "%B %d, %Y", "%d %B %Y", "%b %d %Y"],
    "month": ["%Y-%m", "%b %Y", "%B %Y", "%b-%y", "%b-%Y", "%m/%Y", "%Y/%m"],
}
DATE_EXAMPLES = {"iso": "2025-03-15", "mdy": "3/15/2025", "dmy": "15/03/2025", "named": "15 Mar 2025",
                 "month": "Mar 2025"}
MIN_YEAR, MAX_YEAR = 1900, 2100  # dates outside these years are typos, not history
_COMMA_DECIMAL = re.compile(r"^[^,.]*\d[.\d]*,\d{1,2}\D*$|^\D*\d{1,3}(\.\d{3})+(,\d+)?\D*$")
_DOT_DECIMAL = re.compile(r"^\D*\d{1,3}(,\d{3})+(\.\d+)?\D*$|^[^,]*\d\.\d+\D*$")


@dataclass
class DateStyle:
    """The date style chosen for one column, and whether month/day order was a guess."""

    family: str
    formats: list[str]
    ambiguous: bool
    n_parsed: int
    n_values: int

    @property
    def example(self) -> str:
        return DATE_EXAMPLES[self.family]


def choose_date_style(con: duckdb.DuckDBPyConnection, table: str, column: str, date_order: str | None) -> DateStyle:
    """Pick the date family that parses the most values of a column (all rows, in DuckDB).

    When month-first and day-first parse the same values (every day and month <= 12), the
    order is ambiguous: the mapping's date_order decides, else month-first, reported.
    """
    families = list(DATE_FAMILIES)
    counts = ", ".join(
        f"count(*) filter (where try_strptime(trim({column}), ${f}) is not null)" for f in families
    )
    row = con.execute(
        f"select count(nullif(trim({column}), '')), {counts} from {table}",
        {f: DATE_FAMILIES[f] for f in families},
    ).fetchone()
    n_values, parsed = row[0], dict(zip(families, row[1:]))
    best = max(families, key=lambda f: (parsed[f], f == "iso"))
    ambiguous = best in ("mdy", "dmy") and parsed["mdy"] == parsed["dmy"] and parsed["mdy"] > 0
    if ambiguous:
        best = "dmy" if date_order == "dmy" else "mdy"
    elif date_order and best in ("mdy", "dmy") and best != date_order:
        best = date_order  # an explicit order wins; values that do not fit it are rejected
    return DateStyle(best, DATE_FAMILIES[best], ambiguous and date_order is None, parsed[best], n_values)


def choose_decimal(values: list[str]) -> str:
    """'.' or ',' as the decimal separator, by which style more sample values show."""
    comma = sum(1 for v in values if _COMMA_DECIMAL.match(v.strip()))
    dot = sum(1 for v in values if _DOT_DECIMAL.match(v.strip()))
    return "," if comma > dot else "."
