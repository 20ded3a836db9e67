"""Typing decisions for an export's columns: date styles and decimal separators.

The parsing itself runs in DuckDB (sql/macros.sql, date_sql and number_sql here, used by
load.py); this module decides which style each column uses, from every value (dates) or
the sample (decimal separators).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

# Date styles, each a family of strptime formats DuckDB tries in order. Two-digit years come first:
# '%Y' would read the '25' of 3/15/25 as the year 25, while '%y' cannot match a four-digit year.
# Every month-first format has its day-first twin, so a column both read alike is seen as ambiguous.
DATE_FAMILIES: dict[str, list[str]] = {
    "iso": ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%SZ",
            "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S",
            "%Y-%m-%d %I:%M %p"],
    "mdy": ["%m/%d/%y", "%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p",
            "%m/%d/%Y %I:%M:%S %p", "%m-%d-%Y"],
    "dmy": ["%d/%m/%y", "%d/%m/%Y", "%d.%m.%y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
            "%d.%m.%Y %H:%M", "%d/%m/%Y %I:%M %p", "%d/%m/%Y %I:%M:%S %p"],
    "named": ["%d %b %Y", "%d-%b-%y", "%d-%b-%Y", "%b %d, %Y", "%B %d, %Y", "%d %B %Y", "%b %d %Y",
              "%b %d, %Y %I:%M %p", "%B %d, %Y %I:%M %p", "%b %d, %Y %H:%M", "%d %b %Y %H:%M", "%d-%b-%Y %H:%M"],
    "month": ["%Y-%m", "%b %Y", "%B %Y", "%b-%y", "%b-%Y", "%m/%Y", "%Y/%m"],
}
DATE_EXAMPLES = {"iso": "2025-03-15", "mdy": "3/15/2025", "dmy": "15/03/2025", "named": "15 Mar 2025",
                 "month": "Mar 2025"}
MIN_YEAR, MAX_YEAR = 1900, 2100  # dates outside these years are typos, not history
# A number once pf_number_core has stripped currency symbols and codes, percent signs, spaces and
# apostrophes: a sign, or parentheses for a negative, around digits (grouped in thousands or not), an
# optional fraction after the decimal separator, and an optional exponent. Anything else (a value in
# the other decimal style, 'NaN', '1-2') is not a number rather than a silently different one.
# With a decimal point, Indian grouping (1,23,456.00: lakhs and crores) is a number too.
_DIGITS = {".": r"(\d{1,3}(,\d{3})+|\d{1,2}(,\d{2})+,\d{3}|\d+)(\.\d*)?|\.\d+",
           ",": r"(\d{1,3}(\.\d{3})+|\d+)(,\d*)?|,\d+"}
_EXPONENT = r"([eE][-+]?\d+)?"
NUMBER_PATTERNS = {dec: rf"[-+]?({digits}){_EXPONENT}|\(({digits}){_EXPONENT}\)" for dec, digits in _DIGITS.items()}
# The common case, a plain number ('25', '-3', '1250.5'; '1250,5' with a decimal comma), is read by a
# cast without the currency and grouping clean-up; with at most 15 digits a side it is always finite.
PLAIN_PATTERNS = {".": r"[-+]?\d{1,15}(\.\d{1,15})?", ",": r"[-+]?\d{1,15}(,\d{1,15})?"}
NUMBER_PARAMS = {"number_dot": NUMBER_PATTERNS["."], "number_comma": NUMBER_PATTERNS[","],
                 "plain_dot": PLAIN_PATTERNS["."], "plain_comma": PLAIN_PATTERNS[","]}  # bound, never spliced
DURATION_SCALE = {"minutes": 1.0, "seconds": 1 / 60, "milliseconds": 1 / 60_000}  # to minutes
MAX_EXACT_COUNT = 2**53  # a double holds every whole number up to this exactly; a bigger count is damage
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
    """Pick the date family that reads the most values of a column as dates in range (all rows, in DuckDB).

    Dates in range come first: '%Y/%m/%d' reads 1/1/01 too, as the year 1. When month-first
    and day-first read the same values (every day and month <= 12), the order is ambiguous:
    the mapping's date_order decides, else month-first, reported.
    """
    families = list(DATE_FAMILIES)
    counts = ", ".join(
        f"coalesce(sum(n) filter (where year(try_strptime(v, ${f})) between {MIN_YEAR} and {MAX_YEAR}), 0), "
        f"coalesce(sum(n) filter (where try_strptime(v, ${f}) is not null), 0)" for f in families
    )
    # each distinct value is parsed once: a big export repeats few dates many times
    row = con.execute(
        f"""select coalesce(sum(n) filter (where v <> ''), 0), {counts}
            from (select regexp_replace(trim({column}), $zone_pattern, '\\1') as v, count(*) as n
                  from {table} where {column} is not null group by 1)""",
        {**{f: DATE_FAMILIES[f] for f in families}, "zone_pattern": ZONE_PATTERN},
    ).fetchone()
    n_values = int(row[0])
    score = {f: (int(row[1 + 2 * i]), int(row[2 + 2 * i])) for i, f in enumerate(families)}  # (in range, parsed)
    best = max(families, key=lambda f: (score[f], f == "iso"))
    ambiguous = best in ("mdy", "dmy") and score["mdy"] == score["dmy"] and score["mdy"][1] > 0
    if ambiguous:
        best = "dmy" if date_order == "dmy" else "mdy"
    elif date_order and best in ("mdy", "dmy") and best != date_order:
        best = date_order  # an explicit order wins; values that do not fit it are rejected
    return DateStyle(best, DATE_FAMILIES[best], ambiguous and date_order is None, score[best][1], n_values)


def choose_decimal(values: list[str]) -> str:
    """'.' or ',' as the decimal separator, by which style more sample values show."""
    comma = sum(1 for v in values if _COMMA_DECIMAL.match(v.strip()))
    dot = sum(1 for v in values if _DOT_DECIMAL.match(v.strip()))
    return "," if comma > dot else "."


def number_sql(raw: str, decimal: str) -> str:
    """SQL for the number in a raw text column (a generated name): null when blank or not a finite number
    written in the column's decimal style. Needs NUMBER_PARAMS bound and sql/macros.sql loaded."""
    pattern, plain, cast = _number_parts(raw, decimal)
    parsed = f"pf_number({raw}, '{decimal}')"
    return (f"(case when regexp_full_match(trim({raw}), {plain}) then {cast} "
            f"when regexp_full_match(pf_number_core({raw}), {pattern}) and isfinite({parsed}) then {parsed} end)")


def number_reason_sql(raw: str, decimal: str, kind: str) -> str:
    """SQL for why a cell is not a valid number of its kind ('number', 'count' or 'duration'); null when it is."""
    pattern, plain, _ = _number_parts(raw, decimal)
    value, parsed = number_sql(raw, decimal), f"pf_number({raw}, '{decimal}')"
    rules = [f"when nullif(trim({raw}), '') is null then null"]
    if kind == "number":  # a plain number is a valid one; the other kinds check its value below
        rules.append(f"when regexp_full_match(trim({raw}), {plain}) then null")
    else:
        rules.append(f"when regexp_full_match(trim({raw}), {plain}) then {_value_rules(value, kind)}")
    rules += [f"when not regexp_full_match(pf_number_core({raw}), {pattern}) or {parsed} is null then 'not a number'",
              f"when not isfinite({parsed}) then 'too large to be a number'"]
    if kind != "number":
        rules.append(f"else {_value_rules(value, kind)}")
    return "case " + " ".join(rules) + " end"


def _value_rules(value: str, kind: str) -> str:
    """Why a finite number is not a valid count or duration; null when it is."""
    rules = [f"when {value} < 0 then 'negative {kind}'"]
    if kind == "count":
        rules.append(f"when {value} <> floor({value}) then 'not a whole number'")
        rules.append(f"when {value} > {MAX_EXACT_COUNT} then 'too large to be a count'")
    return "case " + " ".join(rules) + " end"


def _number_parts(raw: str, decimal: str) -> tuple[str, str, str]:
    """The strict pattern and plain pattern (bound names) and the plain value's cast, per decimal style."""
    if decimal not in (".", ","):
        raise ValueError(f"decimal separator must be '.' or ',', not {decimal!r}")
    if decimal == ".":
        return "$number_dot", "$plain_dot", f"trim({raw})::double"
    return "$number_comma", "$plain_comma", f"replace(trim({raw}), ',', '.')::double"


# A time zone after a clock time ('14:05:00 UTC', '14:05:00Z', '14:05:00+01:00'): the date is read as written
# in that zone (the calendar day the export's user saw), so the zone itself is dropped before parsing.
ZONE_PATTERN = r"(\d:\d{2}(:\d{2}(\.\d+)?)?( ?[AaPp][Mm])?)\s*\(?(UTC|GMT|Z|[+-]\d{2}:?\d{2}|[A-Z]{3,4})\)?$"


def date_sql(raw: str, formats: str = "date_formats") -> str:
    """SQL for the date in a raw text column (a generated name), in the formats bound as $<formats>."""
    return f"try_strptime(regexp_replace(trim({raw}), $zone_pattern, '\\1'), ${formats})::date"


def duration_sql(raw: str) -> str:
    """SQL for minutes from a duration written h:mm:ss or m:ss (null when not in that form)."""
    parts = f"list_transform(string_split(trim({raw}), ':'), lambda x: try_cast(x as double))"
    return (f"(case when regexp_full_match(trim({raw}), '\\d{{1,3}}:\\d{{2}}(:\\d{{2}})?(\\.\\d+)?') then "
            f"(case when len({parts}) = 3 then {parts}[1] * 60 + {parts}[2] + {parts}[3] / 60 "
            f"else {parts}[1] + {parts}[2] / 60 end) end)")
