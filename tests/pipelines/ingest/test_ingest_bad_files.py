"""Bad input: refused whole with a message naming file, row and column, and nothing changed;
row-level failures under the threshold kept as rejects; user text never reaching SQL text."""

from __future__ import annotations

import gzip
import io
import random
import zipfile
from datetime import date

import pytest

from pipelines.errors import InputError
from pipelines.ingest import ColumnSpec, Mapping, ingest_file
from pipelines.ingest.load import load_rejects

HEADER = "Activity ID,Activity Type,Date,Account ID\n"
GOOD_ROWS = "T1,Call,2025-01-01,A1\n"


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("activities.csv", HEADER + GOOD_ROWS)
    return buf.getvalue()


def garbage_bytes() -> bytes:
    rng = random.Random(20250101)
    return bytes(rng.randrange(256) for _ in range(4096)) + b"\x00"


REVENUE_MAPPING = {"kind": "outcomes", "columns": [
    {"column": "Account ID", "role": "account_id"}, {"column": "Month", "role": "date"},
    {"column": "Revenue", "role": "outcome", "outcome_kind": "amount"}]}
COUNTS_MAPPING = {"kind": "activity_counts", "columns": [
    {"column": "Account ID", "role": "account_id"}, {"column": "Month", "role": "date"},
    {"column": "Activity Type", "role": "activity_type"}, {"column": "Count", "role": "count"}]}
COUNTS_WITH_NEGATIVE = "Account ID,Month,Activity Type,Count\nA1,2025-01,Call,3\nA1,2025-01,Email,-5\nA2,2025-02,Call,1\n"

# name -> (file name, bytes, ingest options, row, column, words the message must contain)
BAD_FILES = {
    # most dates unreadable: still an activity export (its type and id say so), refused on its dates, not
    # read as a list of accounts because the date column no longer looks like dates
    "activity_export_with_mostly_unreadable_dates": (
        "calls.csv", b"Activity ID,Activity Type,Date,Account ID\nB1,Call,3/15/2025,A1\nB2,Call,31/31/2025,A1\n"
                     b"B3,Email,banana,A1\n",
        {}, 3, "Date", "'31/31/2025' is not a date"),
    "missing_column_named_by_mapping": (
        "revenue.csv", b"Account ID,Month,Sales\nA1,2025-01,5\n",
        {"mapping": REVENUE_MAPPING}, 1, None, "the mapping names column(s) not in the file: 'Revenue'"),
    "events_without_account_column": (
        "calls.csv", b"Activity ID,Activity Type,Date,Rep\nT1,Call,2025-01-01,ann\nT2,Call,2025-01-02,bob\n",
        {"kind": "activity_events"}, 1, None, "needs a column with the role 'account_id' (or 'account_name')"),
    "unparseable_date_on_row_4": (
        "dates.csv", (HEADER + "T1,Call,2025-01-01,A1\nT2,Call,2025-01-02,A1\nT3,Call,2025-13-45,A1\n"
                      "T4,Call,2025-01-04,A1\n").encode(),
        {}, 4, "Date", "'2025-13-45' is not a date like 2025-03-15"),
    "negative_count_with_mapping": (
        "counts.csv", COUNTS_WITH_NEGATIVE.encode(), {"mapping": COUNTS_MAPPING}, 3, "Count", "'-5' is a negative count"),
    "empty_file": ("empty.csv", b"", {}, None, None, "the file is empty"),
    "blank_lines_only": ("blank.csv", b"\r\n \r\n\r\n", {}, None, None, "the file is empty"),
    "header_only": ("header.csv", HEADER.encode(), {}, None, None, "the file has a header row but no data rows"),
    "header_only_crlf_trailing_blank_lines": (
        "header2.csv", HEADER.replace("\n", "\r\n").encode() + b"\r\n\r\n", {}, None, None,
        "the file has a header row but no data rows"),
    "binary_garbage": ("garbage.csv", garbage_bytes(), {}, None, None, "binary data"),
    "binary_control_bytes_without_nul": (
        "ctrl.csv", b"a,b\n" + bytes(range(1, 9)) * 200, {}, None, None, "binary data (control characters)"),
    "row_with_an_extra_field": (
        "extra.csv", (HEADER + "T1,Call,2025-01-01,A1\nT2,Call,2025-01-02,A1,EXTRA\nT3,Call,2025-01-03,A1\n").encode(),
        {}, 3, None, "this row has 5 fields where the header has 4"),
    "row_with_a_missing_field": (
        "short.csv", (HEADER + "T1,Call,2025-01-01,A1\nT2,Call,2025-01-02\nT3,Call,2025-01-03,A1\n").encode(),
        {}, 3, None, "this row has 3 fields where the header has 4"),
    "zip_renamed_csv": ("export.csv", zip_bytes(), {}, None, None, "this is a ZIP archive, not a CSV"),
    "unterminated_quote": (
        "quote.csv", (HEADER + 'T1,Call,2025-01-01,A1\nT2,"Call,2025-01-02,A1\nT3,Call,2025-01-03,A1\n').encode(),
        {}, 3, None, "a quote opened in this row is never closed"),
    "unterminated_quote_on_last_row": (
        "quote2.csv", (HEADER + 'T1,Call,2025-01-01,A1\nT2,"Call,2025-01-02,A1\n').encode(),
        {}, 3, None, "a quote opened in this row is never closed"),
    "truncated_gzip": (
        "cut.csv.gz", gzip.compress((HEADER + GOOD_ROWS * 50).encode(), mtime=0)[:-12], {}, None, None,
        "cannot decompress the file"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_refused_and_nothing_changes(case, seeded, write, snapshot):
    name, data, options, row, column, words = BAD_FILES[case]
    options = {k: Mapping.from_json(v) if k == "mapping" else v for k, v in options.items()}
    before = snapshot(seeded)
    with pytest.raises(InputError) as err:
        ingest_file(seeded, write(name, data), **options)
    error = err.value
    assert (error.file, error.row, error.column) == (name, row, column)
    assert str(error).startswith(name)
    if row is not None:
        assert f"row {row}" in str(error)
    if column is not None:
        assert f"column '{column}'" in str(error)
    assert words in str(error)
    assert "\n" not in str(error)
    assert snapshot(seeded) == before


def test_an_events_mapping_without_an_account_column_is_refused(seeded, write, snapshot):
    # Built directly (as the Data page does), so only ingest_file's own check stands in the way.
    mapping = Mapping(kind="activity_events", columns=[
        ColumnSpec("Activity ID", "activity_id"), ColumnSpec("Activity Type", "activity_type"),
        ColumnSpec("Date", "date"), ColumnSpec("Account ID", "ignore")])
    before = snapshot(seeded)
    with pytest.raises(InputError) as err:
        ingest_file(seeded, write("events.csv", HEADER + GOOD_ROWS), mapping=mapping)
    assert str(err.value) == ("events.csv, row 1: an activity_events file needs a column with the role "
                              "'account_id' (or 'account_name')")
    assert snapshot(seeded) == before


def test_negative_count_is_refused_without_a_mapping(seeded, write, snapshot):
    before = snapshot(seeded)
    try:
        ingest_file(seeded, write("counts.csv", COUNTS_WITH_NEGATIVE))
    except InputError as error:
        assert (error.row, error.column) == (3, "Count")
        assert snapshot(seeded) == before
    else:
        raise AssertionError("a file with a negative count was loaded")


def test_large_truncated_gzip_is_refused_with_input_error(seeded, write, snapshot):
    rng = random.Random(7)
    text = HEADER + "".join(f"T{i},Call,2025-01-{rng.randrange(1, 29):02d},A{rng.randrange(500)}\n"
                            for i in range(120_000))
    packed = gzip.compress(text.encode(), mtime=0)
    before = snapshot(seeded)
    with pytest.raises(InputError) as err:
        ingest_file(seeded, write("big.csv.gz", packed[: len(packed) * 3 // 4]))
    assert err.value.file == "big.csv.gz" and "cannot decompress" in str(err.value)
    assert snapshot(seeded) == before


def test_a_quoted_value_over_two_lines_is_one_spreadsheet_row(seeded, write):
    # In a spreadsheet: header row 1, T1 (with a two-line note) row 2, T2 row 3.
    multi_line = HEADER + 'T1,"Call\nwith a note",2025-01-01,A1\n'
    with pytest.raises(InputError) as structural:
        ingest_file(seeded, write("a.csv", multi_line + "T2,Call,2025-01-02,A1,X\n"))
    with pytest.raises(InputError) as cell:
        ingest_file(seeded, write("b.csv", multi_line + "T2,Call,2025-99-02,A1\n"))
    assert (structural.value.row, cell.value.row, cell.value.column) == (3, 3, "Date")


def test_row_numbers_count_blank_lines_like_a_spreadsheet(seeded, write):
    # Opened in a spreadsheet: header row 1, T1 row 2, blank row 3, T2 row 4.
    with pytest.raises(InputError) as structural:
        ingest_file(seeded, write("a.csv", HEADER + "T1,Call,2025-01-01,A1\n\nT2,Call,2025-01-02,A1,X\n"))
    with pytest.raises(InputError) as cell:
        ingest_file(seeded, write("b.csv", HEADER + "T1,Call,2025-01-01,A1\n\nT2,Call,2025-99-02,A1\n"))
    assert structural.value.row == 4
    assert cell.value.row == 4


# -- row-level rejects under the threshold ------------------------------------------------


def hundred_rows_with_two_bad() -> str:
    rows = [f"T{i},Call,2025-01-{i % 28 + 1:02d},A{i % 7}" for i in range(100)]
    rows[9] = "T9,Call,2025-02-30,A2"  # spreadsheet row 11: no 30 February
    rows[49] = "T49,,2025-01-05,A3"  # spreadsheet row 51: no activity type
    return HEADER + "\n".join(rows) + "\n"


def test_two_bad_rows_in_a_hundred_are_rejected_and_the_rest_load(write, ingest, con):
    report = ingest(write("big.csv", hundred_rows_with_two_bad()))
    assert (report.rows_read, report.rows_loaded, report.rows_duplicate, report.rows_rejected) == (100, 98, 0, 2)
    assert con.execute("select count(*) from raw_activity_events").fetchone()[0] == 98
    assert con.execute("select count(*) from raw_activity_events where activity_id in ('T9', 'T49')"
                       ).fetchone()[0] == 0
    assert con.execute("select load_id, file_name, row_number, column_name, value, reason from load_rejects "
                       "order by row_number").fetchall() == [
        (report.load_id, "big.csv", 11, "Date", "2025-02-30", "not a date like 2025-03-15"),
        (report.load_id, "big.csv", 51, "Activity Type", None, "missing activity type")]
    frame = load_rejects(con, report.load_id)
    assert frame[["row_number", "column_name", "reason"]].values.tolist() == [
        [11, "Date", "not a date like 2025-03-15"], [51, "Activity Type", "missing activity type"]]
    assert [(r["row_number"], r["column_name"], r["reason"]) for r in report.rejects] == [
        (11, "Date", "not a date like 2025-03-15"), (51, "Activity Type", "missing activity type")]


def test_reported_rejects_keep_a_blank_value_as_none(write, ingest):
    report = ingest(write("big.csv", hundred_rows_with_two_bad()))
    assert [r["value"] for r in report.rejects] == ["2025-02-30", None]


def test_max_reject_share_zero_refuses_the_file_instead(seeded, write, snapshot):
    before = snapshot(seeded)
    with pytest.raises(InputError) as err:
        ingest_file(seeded, write("big.csv", hundred_rows_with_two_bad()), max_reject_share=0)
    assert (err.value.file, err.value.row, err.value.column) == ("big.csv", 11, "Date")
    assert "2 of 100 rows (2%) fail, more than the 0% a load may reject, so nothing was loaded" in str(err.value)
    assert snapshot(seeded) == before


def test_rejects_above_the_default_share_refuse_the_file(seeded, write, snapshot):
    rows = [f"T{i},Call,2025-01-01,A1" for i in range(20)]
    rows[4] = "T4,Call,someday,A1"
    rows[7] = "T7,Call,later,A1"
    before = snapshot(seeded)
    with pytest.raises(InputError) as err:
        ingest_file(seeded, write("many.csv", HEADER + "\n".join(rows) + "\n"))
    assert (err.value.row, err.value.column) == (6, "Date")
    assert "2 of 20 rows (10%) fail, more than the 5%" in str(err.value)
    assert snapshot(seeded) == before


def test_identical_bad_rows_are_rejected_not_also_counted_as_duplicates(write, ingest, con):
    rows = [f"A{i},2025-01,Call,{i % 5}" for i in range(98)] + ["B1,2025-01,Call,oops"] * 2
    report = ingest(write("counts.csv", "Account ID,Month,Activity Type,Count\n" + "\n".join(rows) + "\n"))
    loaded = con.execute("select count(*) from raw_activity_counts").fetchone()[0]
    assert loaded == 98
    assert (report.rows_read, report.rows_loaded, report.rows_duplicate, report.rows_rejected) == (100, 98, 0, 2)


def test_identical_rows_without_an_account_id_are_distinct_accounts(write, ingest, con):
    text = "age;job;campaign;y\n30;admin;1;yes\n41;tech;2;no\n30;admin;1;yes\n"
    report = ingest(write("clients.csv", text))
    assert (report.rows_read, report.rows_loaded, report.rows_duplicate) == (3, 3, 0)
    assert con.execute("select count(distinct account_id), sum(value) from raw_outcomes").fetchone() == (3, 2.0)


# -- user text never reaches SQL text -----------------------------------------------------

INJECTION_HEADER = '"; drop table loads; --'
INJECTION_FILE = (
    'Activity ID,"""; drop table loads; --",Date,Account ID,"x\'); drop table raw_outcomes; --"\n'
    'T1,"O\'Brien call",2025-01-01,"A\'1",5\n'
    'T2,"say ""hi""\'); drop table raw_activity_events; --",2025-01-02,A2,6\n'
)


def table_names(con) -> set[str]:
    return {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}


def test_hostile_headers_and_values_load_as_plain_data(seeded, write, ingest):
    tables = table_names(seeded)
    mapping = Mapping.from_json({"kind": "activity_events", "columns": [
        {"column": "Activity ID", "role": "activity_id"},
        {"column": INJECTION_HEADER, "role": "activity_type"},
        {"column": "Date", "role": "date"},
        {"column": "Account ID", "role": "account_id"},
        {"column": "x'); drop table raw_outcomes; --", "role": "duration_minutes"}]})
    report = ingest(write("hostile.csv", INJECTION_FILE), mapping=mapping)
    assert report.rows_loaded == 2
    assert seeded.execute("select activity_id, account_id, activity_type, duration_minutes from raw_activity_events "
                          "where load_id = ? order by source_row", [report.load_id]).fetchall() == [
        ("T1", "A'1", "O'Brien call", 5.0),
        ("T2", "A2", "say \"hi\"'); drop table raw_activity_events; --", 6.0)]
    assert table_names(seeded) == tables
    assert seeded.execute("select count(*) from loads").fetchone()[0] == 3


def test_hostile_names_in_a_recognised_file_and_a_mapping_stay_data(seeded, write, ingest):
    tables = table_names(seeded)
    text = ("Account ID,\"x'); drop table loads; --\",Calls,Revenue\n"
            "A1,foo,3,10\nA2,\"bar'; drop table mappings; --\",4,20\n")
    recognised = ingest(write("wide.csv", text))
    assert recognised.rows_loaded == 2
    mapping = Mapping.from_json({"kind": "wide", "columns": [
        {"column": "Account ID", "role": "account_id"},
        {"column": "x'); drop table loads; --", "role": "attribute", "name": "n'); drop table loads; --"},
        {"column": "Calls", "role": "activity", "name": "calls'); drop table raw_activity_counts; --"},
        {"column": "Revenue", "role": "outcome", "outcome_kind": "amount", "name": "rev\"; drop table mappings; --"}]})
    ingest(write("wide2.csv", text.replace("A1,", "A9,")), mapping=mapping)
    assert seeded.execute("select distinct activity_type from raw_activity_counts order by 1").fetchall() == [
        ("calls",), ("calls'); drop table raw_activity_counts; --",)]
    assert ("bar'; drop table mappings; --",) in seeded.execute(
        "select value_text from raw_account_attributes").fetchall()
    assert ("rev\"; drop table mappings; --",) in seeded.execute("select distinct outcome from raw_outcomes").fetchall()
    assert table_names(seeded) == tables


def test_a_hostile_file_name_is_data_too(seeded, write, ingest):
    tables = table_names(seeded)
    report = ingest(write("o'brien'; drop table loads; --.csv", "age,campaign,y\n30,1,yes\n41,2,no\n"))
    assert report.rows_loaded == 2
    assert seeded.execute("select account_id from raw_outcomes where load_id = ? order by source_row",
                          [report.load_id]).fetchall() == [("o'brien'; drop table loads; --#2",),
                                                           ("o'brien'; drop table loads; --#3",)]
    assert table_names(seeded) == tables


def test_the_seed_is_what_the_bad_file_tests_protect(seeded):
    """The snapshot comparisons above are only meaningful if the seeded database holds data."""
    assert seeded.execute("select count(*) from raw_activity_events").fetchone()[0] == 3
    assert seeded.execute("select account_id, occurred_on, value from raw_outcomes order by 1").fetchall() == [
        ("ACME", date(2025, 1, 1), 100.0), ("BETA", date(2025, 1, 1), 50.0)]


def test_bad_cells_in_activity_columns_are_rejected_not_loaded_as_text(seeded, write, snapshot):
    """A negative count and a non-number must not turn 'Calls' and 'Meetings' into text attributes."""
    from pipelines.ingest import open_source, propose_mapping

    path = write("bad_counts.csv", b"Account ID,Month,Calls,Meetings\nA1,2025-01,3,1\nA2,2025-01,-4,2\nA3,2025-01,2,x\n")
    roles = {c.column: c.role for c in propose_mapping(open_source(path)).columns}
    assert roles["Calls"] == roles["Meetings"] == "activity"
    before = snapshot(seeded)
    with pytest.raises(InputError) as err:
        ingest_file(seeded, path)
    assert (err.value.row, err.value.column) == (3, "Calls")
    assert "'-4' is a negative count" in str(err.value) and "2 of 3 rows" in str(err.value)
    assert snapshot(seeded) == before
