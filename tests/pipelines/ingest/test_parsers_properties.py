"""Property tests of the value parsers the load runs in DuckDB: dates, numbers and currency.

Every value goes through the engine's own code path (choose_date_style + date_sql,
choose_decimal + number_sql, the same SQL load.py runs), many values per query so the
tests stay fast. Written the way an export writes them, values must come back exactly;
values in no supported style must come back as nothing, never as a different value.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.db import connect, sql_text
from pipelines.ingest import ingest_file
from pipelines.ingest.typing import (DATE_FAMILIES, MAX_YEAR, MIN_YEAR, NUMBER_PARAMS, ZONE_PATTERN, choose_date_style,
                                     choose_decimal, date_sql, number_sql)

PROPERTY = settings(max_examples=60, deadline=None, database=None)  # modest: many values go into each query
INGEST_PROPERTY = settings(PROPERTY, max_examples=20)  # each example is a whole load into a fresh database


@pytest.fixture(scope="module")
def duck():
    """An in-memory DuckDB with the value macros the load uses."""
    con = duckdb.connect()
    con.execute(sql_text("macros.sql"))
    yield con
    con.close()


def parse_dates(con, texts: list[str], date_order: str | None = None):
    """(chosen style, parsed dates) for one column of text, as the load types a date column."""
    con.execute("create or replace temp table _dates as select unnest($v) as c0, generate_subscripts($v, 1) as i",
                {"v": texts})
    style = choose_date_style(con, "_dates", "c0", date_order)
    parsed = [r[0] for r in con.execute(f"select {date_sql('c0')} from _dates order by i",
                                        {"date_formats": style.formats, "zone_pattern": ZONE_PATTERN}).fetchall()]
    return style, parsed


def parse_numbers(con, texts: list[str], decimal: str | None = None) -> list[float | None]:
    """Numbers for one column of text, with the decimal separator the load would choose (or the one given)."""
    decimal = decimal or choose_decimal(texts)
    sql = (f"select {number_sql('c0', decimal)} "
           "from (select unnest($v) as c0, generate_subscripts($v, 1) as i) order by i")
    params = {"v": texts, **{k: v for k, v in NUMBER_PARAMS.items() if f"${k}" in sql}}
    return [r[0] for r in con.execute(sql, params).fetchall()]


# -- dates -----------------------------------------------------------------------------------------

DAYS = st.dates(min_value=date(MIN_YEAR, 1, 1), max_value=date(MAX_YEAR, 12, 31))
TWO_DIGIT_YEARS = st.dates(min_value=date(1969, 1, 1), max_value=date(2068, 12, 31))  # what %y reads back
CLOCK = st.times()


def _written(day: date, fmt: str, clock: time) -> str:
    """A date as an export writes it in one strptime format, without zero padding where exports drop it."""
    text = datetime.combine(day, clock).strftime(fmt)
    if fmt.startswith("%m/%d/") or fmt.startswith("%d/%m/"):  # 3/4/2025, as US spreadsheets write it
        first, second, rest = text.split("/", 2)
        text = f"{int(first)}/{int(second)}/{rest}"
    return text


def _twin(fmt: str) -> str:
    """The same format with day and month swapped (%m/%d/%Y -> %d/%m/%Y)."""
    return fmt.replace("%m", "\0").replace("%d", "%m").replace("\0", "%d")


def test_every_month_first_format_has_a_day_first_twin():
    """Otherwise a day-first export in that format would be read month-first without a word."""
    for fmt in DATE_FAMILIES["mdy"]:
        assert _twin(fmt) in DATE_FAMILIES["dmy"], fmt


def _day_month_swapped(day: date) -> date:
    return date(day.year, day.day, day.month)


@st.composite
def dated_column(draw, family: str):
    """(format, dates, texts): one column of dates written in one format of a family."""
    fmt = draw(st.sampled_from(DATE_FAMILIES[family]))
    days = draw(st.lists(TWO_DIGIT_YEARS if "%y" in fmt else DAYS, min_size=1, max_size=40))
    clock = draw(CLOCK)
    return fmt, days, [_written(d, fmt, clock) for d in days]


@pytest.mark.parametrize("family", ["iso", "named", "month"])
def test_unambiguous_families_round_trip(duck, family):
    @PROPERTY
    @given(column=dated_column(family))
    def check(column):
        fmt, days, texts = column
        style, parsed = parse_dates(duck, texts)
        expected = [d.replace(day=1) for d in days] if family == "month" else days
        assert (style.family, style.ambiguous, parsed) == (family, False, expected), (fmt, texts)

    check()


@pytest.mark.parametrize("family, other", [("mdy", "dmy"), ("dmy", "mdy")])
def test_slash_dates_round_trip_or_are_reported_ambiguous(duck, family, other):
    @PROPERTY
    @given(column=dated_column(family))
    def check(column):
        fmt, days, texts = column
        style, parsed = parse_dates(duck, texts)
        if _twin(fmt) in DATE_FAMILIES[other] and all(d.day <= 12 for d in days):
            # every value fits both orders (3/4/2025): read month-first, and said so
            assert (style.family, style.ambiguous) == ("mdy", True), texts
            assert parsed == (days if family == "mdy" else [_day_month_swapped(d) for d in days])
        else:
            assert (style.family, style.ambiguous, parsed) == (family, False, days), (fmt, texts)
        # the mapping's date_order always wins, and then nothing is a guess
        style, parsed = parse_dates(duck, texts, date_order=family)
        assert (style.family, style.ambiguous, parsed) == (family, False, days), (fmt, texts)

    check()


@PROPERTY
@given(days=st.lists(DAYS.filter(lambda d: d.day <= 12), min_size=1, max_size=40))
def test_all_days_up_to_12_are_ambiguous_whichever_way_they_were_meant(duck, days):
    texts = [f"{d.month}/{d.day}/{d.year}" for d in days]
    style, parsed = parse_dates(duck, texts)
    assert (style.family, style.ambiguous, parsed) == ("mdy", True, days)
    style, parsed = parse_dates(duck, texts, date_order="dmy")
    assert (style.family, style.ambiguous) == ("dmy", False)
    assert parsed == [_day_month_swapped(d) for d in days]


OUT_OF_RANGE = st.one_of(st.dates(min_value=date(1000, 1, 1), max_value=date(MIN_YEAR - 1, 12, 31)),
                         st.dates(min_value=date(MAX_YEAR + 1, 1, 1), max_value=date(9999, 12, 28)))
RANGE_FORMATS = {"%Y-%m-%d": "iso", "%m/%d/%Y": "mdy", "%d %b %Y": "named"}


@INGEST_PROPERTY
@given(n_rows=st.integers(20, 60), position=st.integers(0, 59), bad=OUT_OF_RANGE,
       fmt=st.sampled_from(sorted(RANGE_FORMATS)))
def test_a_date_out_of_range_is_rejected_by_row_and_column(n_rows, position, bad, fmt):
    position %= n_rows
    first = date(2025, 1, 13)
    days = [first + timedelta(days=i) for i in range(n_rows)]
    days[position] = bad
    text = "Activity ID,Activity Type,Date,Account ID\n" + "".join(
        f"P{i},Call,{_written(d, fmt, time())},ACC-{i % 7}\n" for i, d in enumerate(days))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "activities.csv"
        path.write_text(text, encoding="utf-8")
        con = connect(Path(folder) / "t.duckdb")
        try:
            report = ingest_file(con, path)
            loaded = con.execute("select count(*) from raw_activity_events").fetchone()[0]
        finally:
            con.close()
    assert (report.rows_read, report.rows_loaded, report.rows_rejected, loaded) == (n_rows, n_rows - 1, 1, n_rows - 1)
    assert [(r["row_number"], r["column_name"], r["reason"]) for r in report.rejects] == [
        (position + 2, "Date", f"date out of range ({MIN_YEAR}-{MAX_YEAR})")]


# -- numbers and currency -------------------------------------------------------------------------------

CENTS = st.integers(min_value=-(10**14), max_value=10**14)  # amounts up to a trillion, to the cent
DOT_GROUPS = (",", "'", "")  # 1,234.50 / 1'234.50 (Swiss) / 1234.50
COMMA_GROUPS = (".", " ", "\u00a0", "\u202f", "")  # 1.234,50 / 1 234,50 (also no-break spaces) / 1234,50
PREFIXES = ("", "$", "€", "£", "USD ", "EUR ", "CHF ")
SUFFIXES = ("", " €", " USD", "€", " eur")


def _grouped(units: int, group: str) -> str:
    return f"{units:,}".replace(",", group)


@st.composite
def written_amount(draw, decimal: str):
    """(value, text): an amount to the cent, written with thousands groups, currency, sign style and padding."""
    cents = draw(CENTS)
    group = draw(st.sampled_from(DOT_GROUPS if decimal == "." else COMMA_GROUPS))
    units, frac = divmod(abs(cents), 100)
    body = f"{_grouped(units, group)}{decimal}{frac:02d}"
    body = draw(st.sampled_from(PREFIXES)) + body + draw(st.sampled_from(SUFFIXES))
    if cents < 0:
        body = draw(st.sampled_from([f"-{body}", f"({body})"]))
    pad = draw(st.sampled_from(["", " ", "  ", "\t"]))
    return Decimal(cents) / 100, pad + body + pad


@pytest.mark.parametrize("decimal", [".", ","])
def test_amounts_round_trip_in_their_decimal_style(duck, decimal):
    @PROPERTY
    @given(column=st.lists(written_amount(decimal), min_size=1, max_size=50))
    def check(column):
        values, texts = zip(*column)
        assert parse_numbers(duck, list(texts), decimal) == [float(v) for v in values]
        # written to the cent, every value shows its style: the load's choice of separator must agree
        assert choose_decimal(list(texts)) == decimal, texts

    check()


@pytest.mark.parametrize("decimal", [".", ","])
def test_an_amount_in_the_other_style_is_not_a_number(duck, decimal):
    """1,234.50 read with a decimal comma is nothing, not 1.2345; 1.234,50 read with a point is nothing."""
    other = "," if decimal == "." else "."

    @PROPERTY
    @given(column=st.lists(written_amount(other), min_size=1, max_size=50))
    def check(column):
        texts = [t for _, t in column]
        assert parse_numbers(duck, texts, decimal) == [None] * len(texts), texts

    check()


@PROPERTY
@given(mantissa=st.integers(-(10**9), 10**9), fraction=st.integers(0, 999), exponent=st.integers(-30, 30),
       marker=st.sampled_from(["e", "E"]), sign=st.sampled_from(["", "+", "-"]))
def test_exponents_round_trip(duck, mantissa, fraction, exponent, marker, sign):
    exp = f"{marker}{sign if exponent >= 0 else '-'}{abs(exponent)}"
    dot = f"{mantissa}.{fraction:03d}{exp}"
    comma = f"{mantissa},{fraction:03d}{exp}"
    assert parse_numbers(duck, [dot], ".") == [float(dot)]
    assert parse_numbers(duck, [comma], ",") == [float(dot)]


@PROPERTY
@given(texts=st.lists(st.text(alphabet="0123456789.,-+()$€ eEx%'", max_size=12), min_size=1, max_size=60))
def test_any_text_is_a_finite_number_or_nothing(duck, texts):
    """Whatever a cell holds, the parser gives a finite number or null; it never fails the query."""
    for decimal in (".", ","):
        for value in parse_numbers(duck, texts, decimal):
            assert value is None or abs(value) < float("inf")


@PROPERTY
@given(words=st.lists(st.sampled_from(["NaN", "nan", "inf", "-inf", "Infinity", "1e400", "-1e999", "9" * 400,
                                       "1-2", "1,2,3.4.5", "--5", "(-5)", "5-", "=1+2", "0x1F", "1_000"]),
                      min_size=1, max_size=20))
def test_non_numbers_and_overflow_are_nothing(duck, words):
    assert parse_numbers(duck, words, ".") == [None] * len(words)


@pytest.mark.parametrize("text, decimal, value", [
    ("$1,234.50", ".", 1234.5),
    ("€1.234,50", ",", 1234.5),
    ("1 234,50 €", ",", 1234.5),
    ("(1,234.00)", ".", -1234.0),
    ("USD 12", ".", 12.0),
    ("12 usd", ".", 12.0),
    ("CHF 1'234.50", ".", 1234.5),
    ("-$7.25", ".", -7.25),
    ("($7.25)", ".", -7.25),
    ("181.600,00 €", ",", 181600.0),
    (" 26,671.56 ", ".", 26671.56),
    ("1\u202f234,5", ",", 1234.5),
    ("+42", ".", 42.0),
    ("12%", ".", 12.0),
    ("₹1,23,45,678.50", ".", 12345678.5),
])
def test_currency_as_exports_write_it(duck, text, decimal, value):
    """Each alone: the load picks the separator from the value, and reads the value."""
    assert choose_decimal([text]) == decimal
    assert parse_numbers(duck, [text]) == [value]
