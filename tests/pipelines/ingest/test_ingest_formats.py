"""Format variants: delimiters, encodings, line endings, compression, headers, dates, numbers, yes/no.

Each file is built byte by byte in the test and must land in the raw_* tables with exact
typed values.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
from datetime import date

import pytest

from pipelines.ingest import Mapping, open_source

EVENTS = (
    "Activity ID,Activity Type,Date,Account ID,Owner,Duration (min)\n"
    "T1,Call,2025-03-15,ACME,ann,15\n"
    "T2,Email,2025-03-16,ACME,bob,\n"
    "T3,Meeting,2025-04-01,BETA,ann,60.5\n"
)
EVENTS_ROWS = [
    (2, "T1", "ACME", "Call", date(2025, 3, 15), "ann", 15.0),
    (3, "T2", "ACME", "Email", date(2025, 3, 16), "bob", None),
    (4, "T3", "BETA", "Meeting", date(2025, 4, 1), "ann", 60.5),
]

# Accented names and a euro sign: the characters that go wrong when an encoding is misread.
ACCOUNTS_REVENUE = (
    "Account ID,Account Name,Month,Revenue\n"
    'A1,Société Générale,2025-01,"€1,234.50"\n'
    "A2,Café Noël,2025-02,€980.00\n"
)
ATTRIBUTE_ROWS = [(2, "A1", "account_name", "Société Générale"), (3, "A2", "account_name", "Café Noël")]
REVENUE_ROWS = [(2, "A1", date(2025, 1, 1), "revenue", "amount", 1234.5),
                (3, "A2", date(2025, 2, 1), "revenue", "amount", 980.0)]


def event_rows(con):
    return con.execute("select source_row, activity_id, account_id, activity_type, occurred_on, owner, "
                       "duration_minutes from raw_activity_events order by source_row").fetchall()


def outcome_rows(con):
    return con.execute("select source_row, account_id, occurred_on, outcome, outcome_kind, value "
                       "from raw_outcomes order by source_row").fetchall()


def dates_file(values: list[str]) -> str:
    body = "".join(f'X{i},Call,"{v}",AC\n' for i, v in enumerate(values, start=1))
    return "Activity ID,Activity Type,Date,Account ID\n" + body


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"])
def test_delimiters_load_the_same_typed_events(delimiter, write, ingest, con):
    path = write("events.csv", EVENTS.replace(",", delimiter))
    assert open_source(path).delimiter == delimiter
    report = ingest(path)
    assert (report.kind, report.rows_read, report.rows_loaded, report.rows_rejected) == ("activity_events", 3, 3, 0)
    assert event_rows(con) == EVENTS_ROWS


def as_tab_separated(text: str) -> str:
    """The same table with tabs between fields (commas inside quoted values kept)."""
    rows = csv.reader(io.StringIO(text, newline=""))
    return "".join("\t".join(row) + "\n" for row in rows)


ENCODED_VARIANTS = {
    "utf8_no_bom": ("x.csv", lambda t: t.encode("utf-8"), "utf-8"),
    "utf8_bom": ("x.csv", lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), "utf-8-sig"),
    "utf8_crlf": ("x.csv", lambda t: t.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
    "utf8_bom_crlf": ("x.csv", lambda t: codecs.BOM_UTF8 + t.replace("\n", "\r\n").encode("utf-8"), "utf-8-sig"),
    "cp1252": ("x.csv", lambda t: t.encode("cp1252"), "cp1252"),
    "cp1252_crlf": ("x.csv", lambda t: t.replace("\n", "\r\n").encode("cp1252"), "cp1252"),
    "utf16_le_bom": ("x.csv", lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), "utf-16"),
    "utf16_be_bom": ("x.csv", lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), "utf-16"),
    # Excel's "Unicode Text": UTF-16 with BOM, tab-separated, CRLF
    "utf16_excel_unicode_text": (
        "x.txt", lambda t: codecs.BOM_UTF16_LE + as_tab_separated(t).replace("\n", "\r\n").encode("utf-16-le"),
        "utf-16"),
    "gzip_utf8": ("x.csv.gz", lambda t: gzip.compress(t.encode("utf-8"), mtime=0), "utf-8"),
    "gzip_utf8_bom_crlf": ("x.csv.gz", lambda t: gzip.compress(
        codecs.BOM_UTF8 + t.replace("\n", "\r\n").encode("utf-8"), mtime=0), "utf-8-sig"),
    "gzip_cp1252": ("x.csv.gz", lambda t: gzip.compress(t.encode("cp1252"), mtime=0), "cp1252"),
}


@pytest.mark.parametrize("variant", list(ENCODED_VARIANTS))
def test_encodings_line_endings_and_gzip_keep_every_character(variant, write, ingest, con):
    name, encode, encoding = ENCODED_VARIANTS[variant]
    path = write(name, encode(ACCOUNTS_REVENUE))
    source = open_source(path)
    assert source.encoding == encoding
    assert source.compressed == name.endswith(".gz")
    assert source.header == ["Account ID", "Account Name", "Month", "Revenue"]
    report = ingest(path)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (2, 2, 0)
    assert con.execute("select source_row, account_id, attribute, value_text from raw_account_attributes "
                       "order by source_row").fetchall() == ATTRIBUTE_ROWS
    assert outcome_rows(con) == REVENUE_ROWS


def test_header_names_in_odd_case_and_spacing(write, ingest, con):
    path = write("odd.csv", "  ACCOUNT   id ,activity TYPE,  DATE ,Activity  ID\r\n"
                            "AC,Call,2025-03-15,X1\r\nAC,Email,2025-03-16,X2\r\n")
    assert open_source(path).header == ["ACCOUNT id", "activity TYPE", "DATE", "Activity ID"]
    report = ingest(path)
    roles = {c.column: c.role for c in report.mapping.columns}
    assert roles == {"ACCOUNT id": "account_id", "activity TYPE": "activity_type", "DATE": "date",
                     "Activity ID": "activity_id"}
    assert event_rows(con) == [(2, "X1", "AC", "Call", date(2025, 3, 15), None, None),
                               (3, "X2", "AC", "Email", date(2025, 3, 16), None, None)]


@pytest.mark.parametrize(
    "values, expected",
    [
        (["2025-03-15", "2025-01-02"], [date(2025, 3, 15), date(2025, 1, 2)]),
        (["2025-03-15 14:30:00", "2025-01-02T09:05:00"], [date(2025, 3, 15), date(2025, 1, 2)]),
        (["3/15/2025", "1/2/2025"], [date(2025, 3, 15), date(2025, 1, 2)]),
        (["3/15/2025 2:30 PM", "1/2/2025 9:05 AM"], [date(2025, 3, 15), date(2025, 1, 2)]),
        (["15/03/2025", "02/01/2025"], [date(2025, 3, 15), date(2025, 1, 2)]),
        (["15.03.2025", "02.01.2025"], [date(2025, 3, 15), date(2025, 1, 2)]),
        (["15-Mar-2025", "Jan 2, 2025"], [date(2025, 3, 15), date(2025, 1, 2)]),
        (["Jan 2025", "Mar 2025"], [date(2025, 1, 1), date(2025, 3, 1)]),
        (["2025-01", "2025-03"], [date(2025, 1, 1), date(2025, 3, 1)]),
    ],
    ids=["iso", "iso_datetime", "us", "us_time", "day_first_slash", "day_first_dot", "named", "month_name",
         "year_month"],
)
def test_date_styles(values, expected, write, ingest, con):
    report = ingest(write("dates.csv", dates_file(values)))
    assert report.rows_rejected == 0
    assert [r[4] for r in event_rows(con)] == expected
    assert not [n for n in report.notes if "month-first" in n]  # nothing here is ambiguous


@pytest.mark.parametrize("values", [["3/15/25", "1/2/25"], ["15.03.25", "02.01.25"]], ids=["us", "day_first_dot"])
def test_two_digit_years(values, write, ingest, con):
    report = ingest(write("yy.csv", dates_file(values)))
    assert report.rows_rejected == 0
    assert [r[4] for r in event_rows(con)] == [date(2025, 3, 15), date(2025, 1, 2)]


def test_ambiguous_dates_load_month_first_and_say_so(write, ingest, con):
    report = ingest(write("amb.csv", dates_file(["03/04/2025", "05/06/2025", "12/11/2025"])))
    assert [r[4] for r in event_rows(con)] == [date(2025, 3, 4), date(2025, 5, 6), date(2025, 12, 11)]
    notes = [n for n in report.notes if "month-first" in n]
    assert len(notes) == 1 and "'Date'" in notes[0] and "date_order 'dmy'" in notes[0]
    recorded = json.loads(con.execute("select notes_json from loads where load_id = ?",
                                      [report.load_id]).fetchone()[0])
    assert notes[0] in recorded


def test_ambiguous_dates_load_day_first_with_date_order_dmy(write, ingest, con):
    mapping = Mapping.from_json({
        "kind": "activity_events", "date_order": "dmy",
        "columns": [{"column": "Activity ID", "role": "activity_id"},
                    {"column": "Activity Type", "role": "activity_type"},
                    {"column": "Date", "role": "date"},
                    {"column": "Account ID", "role": "account_id"}]})
    report = ingest(write("amb.csv", dates_file(["03/04/2025", "05/06/2025", "12/11/2025"])), mapping=mapping)
    assert [r[4] for r in event_rows(con)] == [date(2025, 4, 3), date(2025, 6, 5), date(2025, 11, 12)]
    assert not [n for n in report.notes if "month-first" in n]


@pytest.mark.parametrize(
    "text, expected",
    [
        ('Account ID,Month,Revenue\nA1,2025-01,"$1,234.50"\nA2,2025-01,"(1,234.50)"\nA3,2025-01,$10\n',
         [1234.5, -1234.5, 10.0]),
        ('Account ID;Month;Revenue\nA1;2025-01;1.234,50 €\nA2;2025-01;(2.000,00 €)\nA3;2025-01;10,5 €\n',
         [1234.5, -2000.0, 10.5]),
        ('Account ID,Month,Revenue\nA1,2025-01,"1.234,50 €"\nA2,2025-01,"2.000,00 €"\nA3,2025-01,"10,50 €"\n',
         [1234.5, 2000.0, 10.5]),
        ('Account ID,Month,Revenue\nA1,2025-01,"USD 1,234.50"\nA2,2025-01,-75.25\nA3,2025-01,"1,000,000"\n',
         [1234.5, -75.25, 1000000.0]),
    ],
    ids=["dollar_thousands_and_parentheses", "decimal_comma_semicolon_file", "decimal_comma_quoted",
         "currency_code_minus_millions"],
)
def test_currency_and_thousands_separators(text, expected, write, ingest, con):
    report = ingest(write("revenue.csv", text))
    assert (report.kind, report.rows_loaded, report.rows_rejected) == ("outcomes", 3, 0)
    assert [(r[1], r[3], r[4], r[5]) for r in outcome_rows(con)] == [
        ("A1", "revenue", "amount", expected[0]), ("A2", "revenue", "amount", expected[1]),
        ("A3", "revenue", "amount", expected[2])]


@pytest.mark.parametrize(
    "header, yes, no",
    [("Renewed", "Yes", "No"), ("Renewed", "TRUE", "FALSE"), ("Renewal Status", "Renewed", "Churned"),
     ("Renewed", "y", "N")],
    ids=["yes_no", "true_false", "renewed_churned", "y_n"],
)
def test_yes_no_words(header, yes, no, write, ingest, con):
    text = f"Account ID,Renewal Date,{header}\nA1,2025-01-31,{yes}\nA2,2025-02-28,{no}\nA3,2025-03-31,{yes}\n"
    report = ingest(write("renewals.csv", text))
    assert report.kind == "outcomes" and report.rows_rejected == 0
    rows = outcome_rows(con)
    assert [(r[1], r[2], r[4], r[5]) for r in rows] == [
        ("A1", date(2025, 1, 31), "binary", 1.0), ("A2", date(2025, 2, 28), "binary", 0.0),
        ("A3", date(2025, 3, 31), "binary", 1.0)]
