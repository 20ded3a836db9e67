"""Overlapping exports, repeated loads and undo: nothing double-counted, nothing lost."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from pipelines.db import sql_text
from pipelines.errors import LoadError
from pipelines.ingest import list_loads, undo_load

HEADER = "Activity ID,Activity Type,Date,Account ID\n"
JAN = HEADER + "T1,Call,2025-01-01,A1\nT2,Email,2025-01-02,A1\nT3,Call,2025-01-03,A2\n"
# T3 overlaps JAN; T5 appears twice in this file.
FEB = HEADER + "T3,Call,2025-01-03,A2\nT4,Call,2025-02-01,A2\nT5,Meeting,2025-02-02,A1\nT5,Meeting,2025-02-02,A1\n"

REV_1 = "Account ID,Month,Revenue\nA1,2025-01,100\nA1,2025-02,200\nA2,2025-02,50\n"
# Overlaps REV_1 on February: A1 corrected 200 -> 250, A2 unchanged; March is new.
REV_2 = "Account ID,Month,Revenue\nA1,2025-02,250\nA1,2025-03,300\nA2,2025-02,50\n"


def counts(report):
    return report.rows_read, report.rows_loaded, report.rows_duplicate, report.rows_rejected


def raw_counts(con):
    return {t: con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("raw_activity_events", "raw_activity_counts", "raw_activity_measures",
                      "raw_account_attributes", "raw_outcomes")}


def distinct_activities(con):
    """Activities after de-duplication, as the staging model sees them."""
    return con.execute(f"with stg_activity_superseded as ({sql_text('staging/stg_activity_superseded.sql')}) "
                       f"select activity_id from ({sql_text('staging/stg_activity_events.sql')}) "
                       "order by activity_id").fetchall()


def effective_revenue(con):
    return con.execute(f"select account_id, occurred_on, value from ({sql_text('staging/stg_outcomes.sql')}) "
                       "where outcome_key = 'revenue' order by all").fetchall()


def test_same_activity_id_in_two_files_counts_once(write, ingest, con):
    jan = ingest(write("jan.csv", JAN))
    feb = ingest(write("feb.csv", FEB))
    assert counts(jan) == (3, 3, 0, 0)
    assert counts(feb) == (4, 2, 2, 0)
    assert feb.duplicate_detail == ["1 already loaded by load 1 (jan.csv)", "1 repeated within this file"]
    assert distinct_activities(con) == [("T1",), ("T2",), ("T3",), ("T4",), ("T5",)]


def test_duplicate_ids_within_one_file(write, ingest, con):
    report = ingest(write("dups.csv", HEADER + "T1,Call,2025-01-01,A1\nT1,Call,2025-01-01,A1\n"
                                               "T2,Call,2025-01-02,A1\nT1,Call,2025-01-01,A1\n"))
    assert counts(report) == (4, 2, 2, 0)
    assert report.duplicate_detail == ["2 repeated within this file"]
    assert distinct_activities(con) == [("T1",), ("T2",)]


def test_loading_the_same_file_twice_is_a_no_op(write, ingest, con, snapshot):
    first = ingest(write("jan.csv", JAN))
    before = snapshot(con)
    again = ingest(write("jan_copy.csv", JAN))  # same bytes under another name
    assert (again.status, again.load_id) == ("skipped", first.load_id)
    assert counts(again) == (0, 0, 0, 0)
    assert again.summary() == "jan_copy.csv: already loaded as load 1; nothing changed"
    assert snapshot(con) == before


def test_undo_restores_the_exact_raw_counts(write, ingest, con, snapshot):
    ingest(write("jan.csv", JAN))
    ingest(write("rev1.csv", REV_1))
    before = raw_counts(con)
    before_rows = snapshot(con)
    feb = ingest(write("feb.csv", FEB))
    assert raw_counts(con)["raw_activity_events"] == before["raw_activity_events"] + 4
    done = undo_load(con, feb.load_id)
    assert done == {"load_id": feb.load_id, "file": "feb.csv", "facts_removed": 4}
    assert raw_counts(con) == before
    after = snapshot(con)
    assert {t: rows for t, rows in after.items() if t.startswith("raw_")} == \
        {t: rows for t, rows in before_rows.items() if t.startswith("raw_")}
    assert distinct_activities(con) == [("T1",), ("T2",), ("T3",)]
    listed = list_loads(con)
    assert [(r.load_id, r.file_name, r.undone_at is pd.NaT) for r in listed.itertuples()] == [
        (3, "feb.csv", False), (2, "rev1.csv", True), (1, "jan.csv", True)]


def test_undo_of_the_earlier_of_two_overlapping_loads_keeps_the_later_copy(write, ingest, con):
    jan = ingest(write("jan.csv", JAN))
    ingest(write("feb.csv", FEB))
    undo_load(con, jan.load_id)
    assert distinct_activities(con) == [("T3",), ("T4",), ("T5",)]


def test_undo_brings_back_the_values_a_later_load_superseded(write, ingest, con):
    first = ingest(write("rev1.csv", REV_1))
    raw_before = con.execute("select * from raw_outcomes order by all").fetchall()
    second = ingest(write("rev2.csv", REV_2))
    assert counts(second) == (3, 1, 2, 0)
    assert second.duplicate_detail == ["2 superseding values from load 1 (rev1.csv)"]
    assert effective_revenue(con) == [("A1", date(2025, 1, 1), 100.0), ("A1", date(2025, 2, 1), 250.0),
                                      ("A1", date(2025, 3, 1), 300.0), ("A2", date(2025, 2, 1), 50.0)]
    undo_load(con, second.load_id)
    assert effective_revenue(con) == [("A1", date(2025, 1, 1), 100.0), ("A1", date(2025, 2, 1), 200.0),
                                      ("A2", date(2025, 2, 1), 50.0)]
    assert con.execute("select * from raw_outcomes order by all").fetchall() == raw_before
    assert con.execute("select load_id from raw_outcomes").fetchall() == [(first.load_id,)] * 3


def test_a_file_can_be_loaded_again_after_its_load_was_undone(write, ingest, con):
    first = ingest(write("jan.csv", JAN))
    undo_load(con, first.load_id)
    again = ingest(write("jan.csv", JAN))
    assert (again.status, again.load_id) == ("loaded", first.load_id + 1)
    assert counts(again) == (3, 3, 0, 0)
    assert again.duplicate_detail == []


def test_undo_twice_raises_load_error(write, ingest, con):
    report = ingest(write("jan.csv", JAN))
    undo_load(con, report.load_id)
    before = raw_counts(con)
    with pytest.raises(LoadError, match=r"load 1 \(jan.csv\) was already undone"):
        undo_load(con, report.load_id)
    assert raw_counts(con) == before


def test_undo_of_an_unknown_load_raises_load_error(con):
    with pytest.raises(LoadError, match="there is no load 42"):
        undo_load(con, 42)
