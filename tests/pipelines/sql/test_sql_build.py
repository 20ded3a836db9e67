"""build(): every model is covered here, a failing build changes nothing, and undo + build equals never loading."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest

import pipelines.build
import pipelines.db
from pipelines.build import build, built_grain
from pipelines.config import SQL_MODELS
from pipelines.db import SQL_DIR
from pipelines.errors import PayoffError
from pipelines.ingest import undo_load
from snapshots import snapshot

D = date.fromisoformat

# every model with an exact-row test in this folder; update when SQL_MODELS changes
TESTED_MODELS = {
    "staging": {"stg_activity_superseded", "stg_activity_events", "stg_activity_counts", "stg_activity_measures", "stg_account_attributes",
                "stg_outcomes", "stg_account_spans"},
    "intermediate": {"int_periods_spanned", "int_accounts_unioned", "int_activities_counted", "int_activity_labels", "int_activity_reach",
                     "int_measures_averaged", "int_outcomes_aggregated",
                     "int_attributes_typed", "int_panel_values_unpivoted"},
    "marts": {"accounts", "account_periods", "activity_types", "outcome_types", "attribute_types", "activity_monthly",
              "outcome_monthly", "outcome_events", "account_spans"},
}
BUILT_TABLES = [name for layer in ("intermediate", "marts") for name in SQL_MODELS[layer]] + ["build_info"]


def test_every_model_in_sql_models_has_a_test():
    assert {layer: set(names) for layer, names in SQL_MODELS.items()} == TESTED_MODELS
    for layer, names in SQL_MODELS.items():
        for name in names:
            assert (SQL_DIR / layer / f"{name}.sql").is_file(), name


def test_unknown_grain_is_refused_before_anything_changes(con, load, run):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-06
        """)
    run("month")
    before = snapshot(con, BUILT_TABLES)
    with pytest.raises(PayoffError, match="unknown grain 'year'"):
        build(con, "year")
    assert snapshot(con, BUILT_TABLES) == before


@pytest.fixture
def built_then_more_data(con, load, run):
    """Marts built at month grain, then a new load that a successful rebuild would show."""
    load("accounts.csv", "accounts", """
        Account,Segment
        A,SMB
        """)
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-06
        e2,A,Call,2025-02-06
        """)
    run("month")
    before = snapshot(con, BUILT_TABLES)
    load("more_events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e3,Z,Webinar,2025-04-06
        """)
    return before


def test_build_with_a_missing_model_file_changes_nothing(built_then_more_data, con, monkeypatch):
    broken = {**SQL_MODELS, "marts": [*SQL_MODELS["marts"], "no_such_model"]}
    monkeypatch.setattr(pipelines.build, "SQL_MODELS", broken)
    with pytest.raises(FileNotFoundError):
        build(con, "quarter")
    assert snapshot(con, BUILT_TABLES) == built_then_more_data
    assert built_grain(con) == "month"


@pytest.mark.parametrize("layer, model", [
    ("intermediate", "int_outcomes_aggregated"),  # fails mid-build, after some tables were replaced
    ("marts", "outcome_events"),  # fails on the very last model
])
def test_build_with_a_failing_model_changes_nothing(built_then_more_data, con, tmp_path, monkeypatch, layer, model):
    sql_dir = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql_dir)
    (sql_dir / layer / f"{model}.sql").write_text("select error('model broken on purpose') as x\n", encoding="utf-8")
    monkeypatch.setattr(pipelines.db, "SQL_DIR", sql_dir)  # where build.model_sql reads the models
    with pytest.raises(duckdb.Error, match="model broken on purpose"):
        build(con, "quarter")
    assert snapshot(con, BUILT_TABLES) == built_then_more_data
    assert built_grain(con) == "month"


def test_a_build_after_a_failed_one_shows_the_new_data(built_then_more_data, con, monkeypatch, q):
    monkeypatch.setattr(pipelines.build, "SQL_MODELS", {**SQL_MODELS, "marts": ["no_such_model"]})
    with pytest.raises(FileNotFoundError):
        build(con, "month")
    monkeypatch.undo()
    build(con, "month")
    assert snapshot(con, BUILT_TABLES) != built_then_more_data
    assert q("select account_id, period_on, n_call, n_webinar from account_periods") == [
        # each type is zero only inside its own logged span: calls Jan - Feb, webinars April
        ("A", D("2025-01-01"), 1.0, None), ("A", D("2025-02-01"), 1.0, None), ("A", D("2025-03-01"), None, None),
        ("A", D("2025-04-01"), None, 0.0),
        ("Z", D("2025-01-01"), 0.0, None), ("Z", D("2025-02-01"), 0.0, None), ("Z", D("2025-03-01"), None, None),
        ("Z", D("2025-04-01"), None, 1.0),
    ]


# -- undo ------------------------------------------------------------------------------------------------------

BASE_FILES = [
    ("accounts.csv", "accounts", """
        Account,Segment,Employees
        A,SMB,10
        B,Enterprise,900
        """),
    ("events.csv", "activity_events", """
        Activity ID,Account,Type,Date,Minutes
        a1,A,Call,2025-01-06,10
        a2,B,Email,2025-02-03,
        """),
    ("counts.csv", "activity_counts", """
        Account,Month,Type,Count
        A,2025-02-01,Meeting,2
        """),
    ("measures.csv", "activity_measures", """
        Account,Month,CSAT
        A,2025-01-01,4
        """),
    ("outcomes.csv", "outcomes", """
        Account,Date,Revenue,Renewed
        A,2025-01-31,100,yes
        B,2025-02-28,40,
        """),
]
EXTRA_FILES = {
    # each re-sends a base fact with a new value (superseding it) and adds a new account and key
    "events": ("events_more.csv", "activity_events", """
        Activity ID,Account,Type,Date,Minutes
        a1,A,Call,2025-03-10,25
        a9,Z,Webinar,2025-04-01,5
        """),
    "counts": ("counts_more.csv", "activity_counts", """
        Account,Month,Type,Count
        A,2025-02-01,Meeting,5
        Z,2025-05-01,Training,1
        """),
    "measures": ("measures_more.csv", "activity_measures", """
        Account,Month,CSAT,Response Hours
        A,2025-01-01,1,
        Z,2025-02-01,,3
        """),
    "outcomes": ("outcomes_more.csv", "outcomes", """
        Account,Date,Revenue,Renewed,Referrals
        A,2025-01-31,70,no,
        Z,2024-12-31,,,2
        """),
    "accounts": ("accounts_more.csv", "accounts", """
        Account,Segment,Employees,Region
        A,Mid-Market,n/a,EMEA
        Z,SMB,3,
        """),
}
ALL_MODELS = [name for names in SQL_MODELS.values() for name in names]


@pytest.mark.parametrize("extra", sorted(EXTRA_FILES))
def test_undo_then_build_equals_never_loading(fresh, extra):
    never_con, never_load = fresh()
    con, load = fresh()
    for name, kind, text in BASE_FILES:
        never_load(name, kind, text)
        load(name, kind, text)
    report = load(*EXTRA_FILES[extra])
    for grain in ("month", "quarter"):
        build(never_con, grain)
        build(con, grain)
        assert snapshot(con, ["account_periods"]) != snapshot(never_con, ["account_periods"])  # the load mattered
    undo_load(con, report.load_id)
    for grain in ("month", "quarter"):
        build(never_con, grain)
        build(con, grain)
        assert snapshot(con, ALL_MODELS) == snapshot(never_con, ALL_MODELS), grain


def test_undoing_an_earlier_load_keeps_the_later_values(fresh):
    later_only_con, later_only_load = fresh()
    later_only_load(*EXTRA_FILES["counts"])
    build(later_only_con, "month")
    expected = snapshot(later_only_con, BUILT_TABLES[:-1])

    con, load = fresh()
    earlier = load("counts.csv", "activity_counts", """
        Account,Month,Type,Count
        A,2025-02-01,Meeting,2
        """)
    load(*EXTRA_FILES["counts"])
    undo_load(con, earlier.load_id)
    build(con, "month")
    assert snapshot(con, BUILT_TABLES[:-1]) == expected
