"""Data checks under pipelines/sql/checks: zero rows on clean data, the exact offending rows otherwise,
and run_checks / check_rows / BuildResult.failed_checks reporting them."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.build import check_rows, run_checks
from pipelines.db import SQL_DIR, sql_text
from pipelines.errors import PayoffError

D = date.fromisoformat
CHECKS = ("accounts_without_attributes", "activity_in_two_sources", "outcomes_without_activity_history")


def S(rows: list[tuple]) -> list[tuple]:
    """Expected rows in the order the q fixture returns actual rows (sorted, None first)."""
    return sorted(rows, key=lambda row: tuple((value is not None, value) for value in row))


@pytest.fixture
def check(q):
    """The exact rows one check query returns."""
    return lambda name: q(sql_text(f"checks/{name}.sql"))


def test_the_checks_tested_here_are_all_the_checks():
    assert sorted(p.stem for p in (SQL_DIR / "checks").glob("*.sql")) == sorted(CHECKS)


@pytest.fixture
def clean_data(load):
    """Every account described; events precede every yes/no outcome; counts never overlap events."""
    load("accounts.csv", "accounts", """
        Account,Segment
        A,SMB
        B,Enterprise
        """)
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-06
        e2,B,Email,2025-01-20
        """)
    load("counts.csv", "activity_counts", """
        Account,Month,Type,Count
        A,2025-02-01,Call,2
        B,2025-01-01,Call,1
        A,2025-01-01,Meeting,1
        """)
    load("undated_counts.csv", "activity_counts", """
        Account,Type,Count
        A,Call,9
        """)
    load("outcomes.csv", "outcomes", """
        Account,Date,Renewed,Revenue
        A,2025-01-06,yes,
        B,2025-03-01,no,
        B,2024-12-01,,50
        """)


def test_checks_return_no_rows_on_clean_data(clean_data, con, run, check):
    result = run()
    for name in CHECKS:
        assert check(name) == [], name
    assert run_checks(con) == {}
    assert result.failed_checks == {}


def test_accounts_without_attributes_is_silent_when_no_accounts_export_is_loaded(load, run, check):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-06
        """)
    result = run()
    assert check("accounts_without_attributes") == []
    assert "accounts_without_attributes" not in result.failed_checks


def test_accounts_without_attributes_lists_undescribed_accounts(load, run, check, con):
    load("accounts.csv", "accounts", """
        Account,Segment
        A,SMB
        """)
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-06
        e2,B,Call,2025-01-07
        """)
    load("measures.csv", "activity_measures", """
        Account,Month,CSAT
        D,2025-01-01,4
        """)
    load("outcomes.csv", "outcomes", """
        Account,Date,Revenue
        C,2025-01-31,10
        B,2025-01-31,10
        """)
    run()
    assert check("accounts_without_attributes") == S([
        ("B", True, True),
        ("C", False, True),
        ("D", True, False),
    ])
    assert run_checks(con) == {"accounts_without_attributes": 3}


def test_activity_in_two_sources_lists_account_month_type_in_events_and_counts(load, run, check, con):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-06
        e2,A,Call,2025-01-07
        e3,B,Meeting,2025-02-04
        e4,B,Email,2025-03-04
        """)
    load("counts.csv", "activity_counts", """
        Account,Month,Type,Count
        A,2025-01-01,call,2
        B,2025-02-01,Meeting,1
        A,2025-02-01,Call,5
        B,2025-01-01,Meeting,1
        B,2025-03-01,Call,1
        """)
    load("undated_counts.csv", "activity_counts", """
        Account,Type,Count
        B,Email,3
        """)
    run("quarter")  # the check is by calendar month whatever the grain
    assert check("activity_in_two_sources") == S([
        ("A", D("2025-01-01"), "call"),
        ("B", D("2025-02-01"), "meeting"),
    ])
    assert run_checks(con) == {"activity_in_two_sources": 2}


def test_activity_in_two_sources_matches_type_spellings(load, run, check):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,B,Business Review,2025-02-03
        """)
    load("counts.csv", "activity_counts", """
        Account,Month,Type,Count
        B,2025-02-01,business-review,1
        """)
    run()
    assert check("activity_in_two_sources") == [("B", D("2025-02-01"), "business_review")]


def test_outcomes_without_activity_history_lists_yes_no_events_before_any_activity(load, run, check, con):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-06
        e2,A,Call,2024-12-01
        e3,D,Call,2025-01-06
        """)
    load("outcomes.csv", "outcomes", """
        Account,Date,Renewed,Revenue
        A,2024-11-30,yes,
        A,2024-12-01,no,
        D,2025-02-01,yes,
        B,2025-02-01,no,
        B,2024-01-01,,100
        """)
    load("undated.csv", "outcomes", """
        Account,Renewed
        C,yes
        D,no
        """)
    run()
    assert check("outcomes_without_activity_history") == S([
        ("A", "renewed", D("2024-11-30")),  # a day before A's first activity
        ("B", "renewed", D("2025-02-01")),  # B has no activity at all
    ])  # C's outcome is undated (a one-row-per-account table): no time order, so the check does not apply
    assert run_checks(con) == {"outcomes_without_activity_history": 2}


def test_run_checks_reports_every_failing_check_and_check_rows_returns_them(load, run, con):
    load("accounts.csv", "accounts", """
        Account,Segment
        A,SMB
        """)
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-06
        """)
    load("counts.csv", "activity_counts", """
        Account,Month,Type,Count
        A,2025-01-01,Call,2
        """)
    load("outcomes.csv", "outcomes", """
        Account,Date,Renewed
        A,2025-01-01,yes
        B,2025-02-01,no
        """)
    result = run()
    expected = {"accounts_without_attributes": 1, "activity_in_two_sources": 1,
                "outcomes_without_activity_history": 1}
    assert result.failed_checks == expected
    assert run_checks(con) == expected
    found = check_rows(con, "outcomes_without_activity_history")
    assert sorted(found["account_id"]) == ["B"], "A's pre-aggregated January count is activity history"
    assert list(check_rows(con, "accounts_without_attributes").itertuples(index=False, name=None)) == [
        ("B", False, True)]


def test_check_rows_refuses_an_unknown_check(con):
    with pytest.raises(PayoffError, match="no check named 'no_such_check'"):
        check_rows(con, "no_such_check")


def test_pre_aggregated_counts_are_activity_history_too(load, run, check):
    load("counts.csv", "activity_counts", """
        Account,Month,Type,Count
        A,2025-01-01,Call,4
        """)
    load("outcomes.csv", "outcomes", """
        Account,Date,Renewed
        A,2025-06-30,yes
        """)
    run()
    assert check("outcomes_without_activity_history") == []
