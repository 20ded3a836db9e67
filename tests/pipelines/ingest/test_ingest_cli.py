"""The `payoff` command around ingestion: ingest, loads, undo and map, as a user sees them."""

from __future__ import annotations

import hashlib
import json

import pytest

from pipelines.cli import main
from pipelines.db import connect
from pipelines.ingest import open_source, propose_mapping

HEADER = "Activity ID,Type,Date,Account\n"
EV1 = HEADER + "A1,Call,2025-03-15,ACME\nA2,Email,2025-03-16,ACME\n"
EV2 = HEADER + "A2,Email,2025-03-16,ACME\nA3,Call,2025-03-17,BETA\n"
BAD_DATE = HEADER + "A7,Call,2025-03-15,ACME\nA8,Call,2025-03-16,ACME\nA9,Call,15th of March,ACME\n"
WIDE = 'Account ID,Segment,Calls,Meetings,Revenue\nA1,Enterprise,12,3,"$10,000"\nA2,SMB,4,0,"$2,500"\n'


def strict_json(text: str):
    """json.loads that refuses NaN and Infinity, which are not JSON."""
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def payoff(tmp_path, monkeypatch, capsys):
    """payoff(*args) -> (exit code, stdout, stderr), on a database in tmp_path."""
    monkeypatch.delenv("PAYOFF_DB", raising=False)
    monkeypatch.delenv("PAYOFF_ARCHIVE_DIR", raising=False)
    db = tmp_path / "db" / "payoff.duckdb"

    def run(*args):
        code = main(["--db", str(db), *[str(a) for a in args]])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_ingest_prints_the_load_report_with_duplicates_named(payoff, write, tmp_path):
    ev1, ev2 = write("ev1.csv", EV1), write("ev2.csv", EV2)
    code, out, err = payoff("ingest", ev1, ev2)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:3] == [
        "ev1.csv: load 1 (activity_events): 2 rows read, 2 loaded, 0 duplicate, 0 rejected",
        "ev2.csv: load 2 (activity_events): 2 rows read, 1 loaded, 1 duplicate, 0 rejected",
        "  duplicates: 1 already loaded by load 1 (ev1.csv)",
    ]
    sha = hashlib.sha256(EV1.encode()).hexdigest()
    assert (tmp_path / "db" / "archive" / sha[:16] / "ev1.csv").read_bytes() == EV1.encode()


def test_ingest_of_new_events_updates_the_panel_and_of_a_repeat_rebuilds_it(payoff, write):
    code, out, _ = payoff("ingest", write("ev1.csv", EV1))
    assert code == 0 and "panel rebuilt: 1 accounts × 1 months" in out  # the first build
    code, out, _ = payoff("ingest", write("ev3.csv", HEADER + "A5,Call,2025-04-02,ACME\nA6,Call,2025-04-03,NEW\n"))
    assert code == 0 and "panel updated with the new events: 2 accounts × 2 months" in out
    code, out, _ = payoff("ingest", "--format", "json", write("ev2.csv", EV2))  # A2 again: it replaces a row
    assert code == 0 and strict_json(out)["panel"] == {"grain": "month", "accounts": 3, "periods": 2,
                                                       "appended": False}


def test_ingest_prints_notes_and_rejected_rows(payoff, write):
    rows = [f"B{i},Call,03/04/2025,ACME" for i in range(30)]
    rows[20] = "B20,Call,13/45/2025,ACME"
    code, out, err = payoff("ingest", write("amb.csv", HEADER + "\n".join(rows) + "\n"))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "amb.csv: load 1 (activity_events): 30 rows read, 29 loaded, 0 duplicate, 1 rejected"
    assert lines[1].startswith("  note: dates in 'Date' read month-first")
    assert lines[2] == "  rejected row 22, column 'Date': '13/45/2025' is not a date like 3/15/2025"


def test_ingest_of_the_same_file_again_says_nothing_changed(payoff, write):
    ev1 = write("ev1.csv", EV1)
    payoff("ingest", ev1)
    code, out, err = payoff("ingest", ev1)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "ev1.csv: already loaded as load 1; nothing changed"


def test_a_refused_file_exits_1_with_one_line_naming_file_row_and_column(payoff, write):
    good, bad = write("ev1.csv", EV1), write("dates.csv", BAD_DATE)
    code, out, err = payoff("ingest", good, bad)
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and "Traceback" not in out
    assert err.startswith("refused dates.csv, row 4, column 'Date': '15th of March' is not a date like 2025-03-15")
    assert out.splitlines()[0].startswith("ev1.csv: load 1 (activity_events)")
    code, out, _ = payoff("loads", "--format", "json")
    assert [row["file_name"] for row in strict_json(out)] == ["ev1.csv"]  # the refused file left no trace


def test_a_refused_structural_error_is_one_line_too(payoff, write):
    code, out, err = payoff("ingest", write("extra.csv", HEADER + "A1,Call,2025-03-15,ACME,oops\n"))
    assert code == 1
    assert err.strip().splitlines() == [
        "refused extra.csv, row 2: this row has 5 fields where the header has 4 "
        "(a delimiter or quote inside an unquoted value?); nothing was loaded"]


def test_loads_json_lists_every_load_with_its_counts(payoff, write):
    payoff("ingest", write("ev1.csv", EV1), write("ev2.csv", EV2))
    code, out, err = payoff("loads", "--format", "json")
    assert (code, err) == (0, "")
    listed = strict_json(out)
    keys = ("load_id", "file_name", "sha256", "kind", "rows_read", "rows_loaded", "rows_duplicate", "rows_rejected")
    assert [tuple(row[k] for k in keys) for row in listed] == [
        (2, "ev2.csv", hashlib.sha256(EV2.encode()).hexdigest(), "activity_events", 2, 1, 1, 0),
        (1, "ev1.csv", hashlib.sha256(EV1.encode()).hexdigest(), "activity_events", 2, 2, 0, 0),
    ]
    assert [row["undone_at"] for row in listed] == [None, None]


def test_undo_removes_a_load_and_a_second_undo_fails_cleanly(payoff, write):
    payoff("ingest", write("ev1.csv", EV1), write("ev2.csv", EV2))
    code, out, err = payoff("undo", "2")
    assert (code, err) == (0, "")
    assert out.startswith("undid load 2 (ev2.csv): 2 facts removed; panel rebuilt")
    listed = strict_json(payoff("loads", "--format", "json")[1])
    assert [(row["load_id"], row["undone_at"] is None) for row in listed] == [(2, False), (1, True)]

    code, out, err = payoff("undo", "2")
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("payoff: load 2 (ev2.csv) was already undone on ")

    code, out, err = payoff("undo", "99")
    assert (code, out) == (1, "")
    assert err == "payoff: there is no load 99; 'payoff loads' lists them\n"


def test_map_prints_mapping_json_that_ingest_accepts(payoff, write, tmp_path):
    path = write("wide.csv", WIDE)
    code, out, err = payoff("map", path)
    assert (code, err) == (0, "")
    mapping = strict_json(out)
    assert mapping == propose_mapping(open_source(path)).to_json()
    assert [c["role"] for c in mapping["columns"]] == ["account_id", "attribute", "activity", "activity", "outcome"]
    # the analyst corrects it once: meetings are not wanted
    mapping["columns"][3]["role"] = "ignore"
    edited = tmp_path / "wide.mapping.json"
    edited.write_text(json.dumps(mapping), encoding="utf-8")
    code, out, err = payoff("ingest", "--mapping", edited, path)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "wide.csv: load 1 (wide): 2 rows read, 2 loaded, 0 duplicate, 0 rejected"
    con = connect(tmp_path / "db" / "payoff.duckdb", read_only=True)
    try:
        assert con.execute("select distinct activity_type from raw_activity_counts").fetchall() == [("calls",)]
    finally:
        con.close()
    # the saved mapping is now the edited one
    code, out, _ = payoff("map", path)
    assert strict_json(out)["columns"][3]["role"] == "ignore"


def test_map_out_writes_the_file_and_notes_go_to_stderr(payoff, write, tmp_path):
    path = write("calls.csv", "Type,Date,Account\nCall,2025-01-01,A1\nEmail,2025-01-02,A2\n")
    target = tmp_path / "m.json"
    code, out, err = payoff("map", path, "--out", target)
    assert code == 0
    assert out == f"wrote {target} (activity_events, 3 columns)\n"
    assert err == "note: no activity id column: rows cannot be de-duplicated across overlapping exports\n"
    assert strict_json(target.read_text(encoding="utf-8"))["kind"] == "activity_events"


def test_ingest_json_output_is_valid_json_with_blank_rejected_cells(payoff, write):
    rows = [f"C{i},Call,2025-01-{i % 28 + 1:02d},ACME" for i in range(40)]
    rows[3] = "C3,,2025-01-04,ACME"
    rows[5] = "C5,Call,2025-13-01,ACME"
    code, out, _ = payoff("ingest", "--format", "json", write("ev.csv", HEADER + "\n".join(rows) + "\n"))
    assert code == 0
    report = strict_json(out)["loads"][0]
    assert [(r["row_number"], r["value"]) for r in report["rejects"]] == [(5, None), (7, "2025-13-01")]


SERIES = "Week,Spend,Leads\n2025-01-06,100,4\n2025-01-13,120,5\n"
NAMED = ("Subject,Task Subtype,Date,Account Name\nCall,Call,2025-03-15,Acme Corp.\nCall,Call,2025-03-16,acme corp\n"
         "Mail,Email,2025-03-16,Beta GmbH\nMail,Email,2025-03-17,\n")


def test_db_is_taken_before_or_after_the_command(tmp_path, write, capsys, monkeypatch):
    monkeypatch.delenv("PAYOFF_DB", raising=False)
    db = tmp_path / "after.duckdb"
    assert main(["ingest", "--db", str(db), str(write("ev1.csv", EV1))]) == 0
    capsys.readouterr()
    assert main(["loads", "--db", str(db), "--format", "json"]) == 0
    assert [r["file_name"] for r in strict_json(capsys.readouterr().out)] == ["ev1.csv"]
    monkeypatch.setenv("PAYOFF_DB", str(db))
    assert main(["loads", "--format", "json"]) == 0
    assert [r["file_name"] for r in strict_json(capsys.readouterr().out)] == ["ev1.csv"]


def test_a_series_without_accounts_is_refused_in_the_same_words_by_map_and_ingest(payoff, write):
    path = write("weekly.csv", SERIES)
    map_code, _, map_err = payoff("map", path)
    ingest_code, _, ingest_err = payoff("ingest", path)
    reason = "weekly.csv, row 1: this table has dated rows but no account column"
    assert (map_code, ingest_code) == (1, 1)
    assert reason in map_err.splitlines()[-1] and reason in ingest_err.splitlines()[-1]
    assert map_err.splitlines()[-1].split(": ", 1)[1] == ingest_err.splitlines()[-1].split("refused ", 1)[1]


def test_named_accounts_are_matched_created_only_when_first_and_reported(payoff, write):
    code, out, _ = payoff("ingest", write("named.csv", NAMED))
    assert code == 0
    # the first file to name accounts makes them; the two spellings of Acme are one account
    assert "4 rows read, 3 loaded, 0 duplicate, 0 rejected, 1 set aside" in out
    assert "2 new account(s) created ('Acme Corp.', 'Beta GmbH')" in out
    later = NAMED.replace("Beta GmbH", "Gamma AG").replace("2025-03-1", "2025-04-1")
    code, out, _ = payoff("ingest", write("named2.csv", later))
    assert "1 set aside" not in out and "2 set aside" in out  # Gamma is not known, the blank row has no account
    assert "1 account name(s) matched" in out and "1 row(s) name 1 account(s) not loaded yet ('Gamma AG')" in out
    code, out, _ = payoff("ingest", "--new-accounts", write("named3.csv", later.replace("2025-04", "2025-05")))
    assert "1 new account(s) created ('Gamma AG')" in out and "1 set aside" in out
