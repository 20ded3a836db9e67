"""Marts: exact rows (and wide columns) from tiny exports loaded through ingest_file, then build()."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

D = date.fromisoformat


def S(rows: list[tuple]) -> list[tuple]:
    """Expected rows in the order the q fixture returns actual rows (sorted, None first)."""
    return sorted(rows, key=lambda row: tuple((value is not None, value) for value in row))


# -- accounts --------------------------------------------------------------------------------------------------


def test_accounts_have_attribute_columns_numeric_where_every_value_is_a_number(con, load, run, q, cols):
    load("accounts.csv", "accounts", """
        Account,Segment,Employees,Tier,Owner
        A,SMB,10,1,Ann
        B,Enterprise,"1,200",Gold,Bob
        """)
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-06
        e2,C,Call,2025-01-07
        """)
    load("outcomes.csv", "outcomes", """
        Account,Date,Revenue
        B,2025-01-31,5
        """)
    result = run()
    assert cols("accounts") == ["account_id", "has_attributes", "has_activity", "has_outcome",
                                "employees", "owner", "segment", "tier"]
    types = dict(con.execute("select column_name, data_type from information_schema.columns "
                             "where table_name = 'accounts'").fetchall())
    assert (types["employees"], types["tier"], types["segment"]) == ("DOUBLE", "VARCHAR", "VARCHAR")
    assert q("select * from accounts") == S([
        ("A", True, True, False, 10.0, "Ann", "SMB", "1"),
        ("B", True, False, True, 1200.0, "Bob", "Enterprise", "Gold"),
        ("C", False, True, False, None, None, None, None),
    ])
    assert result.n_accounts == 3


def test_accounts_without_any_attributes_export(load, run, q, cols):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-06
        """)
    run()
    assert cols("accounts") == ["account_id", "has_attributes", "has_activity", "has_outcome"]
    assert q("select * from accounts") == [("A", False, True, False)]


# -- attribute_types ------------------------------------------------------------------------------------------


def test_attribute_types_type_coverage_and_source_kinds(load, run, q, cols):
    load("accounts.csv", "accounts", """
        Account,Segment,Employees
        A,SMB,10
        B,SMB,20
        C,Enterprise,20
        """)
    load("revenue.csv", "outcomes", """
        Account,Date,Revenue,Region
        A,2025-01-31,10,EMEA
        B,2025-01-31,5,EMEA
        """)
    load("regions.csv", "accounts", """
        Account,Region
        A,APAC
        """)
    run()
    assert cols("attribute_types") == ["attribute_key", "is_numeric", "n_accounts", "n_distinct", "source_kinds"]
    assert q("select * from attribute_types") == S([
        ("employees", True, 3, 2, ["accounts"]),
        ("region", False, 2, 2, ["accounts", "outcomes"]),  # A's region now from the accounts export
        ("segment", False, 3, 2, ["accounts"]),
    ])


def test_attribute_types_is_empty_without_attributes(load, run, q):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-06
        """)
    run()
    assert q("select * from attribute_types") == []


# -- account_periods -------------------------------------------------------------------------------------------

PANEL_COLUMNS = ["account_id", "period_on", "n_call", "n_meeting", "n_webinar", "m_csat", "m_response_hours",
                 "o_revenue", "o_renewed", "o_renewed_n", "has_attributes", "has_activity", "has_outcome", "segment"]
PANEL_SQL = f"select {', '.join(PANEL_COLUMNS)} from account_periods"


@pytest.fixture
def panel_data(load):
    """Two accounts, Jan-Apr 2025, with every kind of panel value and one undated count."""
    load("accounts.csv", "accounts", """
        Account,Segment
        A,SMB
        B,Enterprise
        """)
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date,Minutes
        e1,A,Call,2025-01-10,20
        e2,A,Call,2025-02-14,
        e3,A,Meeting,2025-02-20,45
        e4,B,Call,2025-04-02,
        """)
    load("wide_counts.csv", "activity_counts", """
        Account,Month,Meetings
        B,2025-03-01,3
        """, roles={"Meetings": {"role": "activity", "name": "Meeting"}})
    load("undated_counts.csv", "activity_counts", """
        Account,Type,Count
        A,Webinar,5
        """)
    load("measures.csv", "activity_measures", """
        Account,Month,CSAT,Response Hours
        A,2025-01-01,4,
        A,2025-02-01,5,
        B,2025-03-01,,10
        """)
    load("outcomes.csv", "outcomes", """
        Account,Date,Revenue,Renewed
        A,2025-01-31,100,
        A,2025-03-31,50,
        A,2025-03-15,,yes
        B,2025-02-10,,no
        B,2025-02-25,,yes
        """)


def _panel_row(account, period, n_call=None, n_meeting=None, n_webinar=None, m_csat=None, m_response_hours=None,
               o_revenue=None, o_renewed=None, o_renewed_n=None):
    segment = {"A": "SMB", "B": "Enterprise"}[account]
    return (account, D(period) if period else None, n_call, n_meeting, n_webinar, m_csat, m_response_hours,
            o_revenue, o_renewed, o_renewed_n, True, True, True, segment)


def test_account_periods_exact_wide_rows_at_month_grain(panel_data, run, q, cols):
    result = run("month")
    assert sorted(cols("account_periods")) == sorted(PANEL_COLUMNS)
    assert q(PANEL_SQL) == S([
        # meetings are first logged in February: unknown (not zero) before, zero after while their exports go on
        _panel_row("A", "2025-01-01", n_call=1, m_csat=4, o_revenue=100),
        _panel_row("A", "2025-02-01", n_call=1, n_meeting=1, m_csat=5, o_revenue=0),
        _panel_row("A", "2025-03-01", n_call=0, n_meeting=0, o_revenue=50, o_renewed=1, o_renewed_n=1),
        _panel_row("A", "2025-04-01", n_call=0, n_meeting=0),  # after the revenue span: no zero
        _panel_row("A", None, n_webinar=5),  # undated counts: one row with period_on null
        _panel_row("B", "2025-01-01", n_call=0, o_revenue=0),
        _panel_row("B", "2025-02-01", n_call=0, n_meeting=0, o_revenue=0, o_renewed=0.5, o_renewed_n=2),
        _panel_row("B", "2025-03-01", n_call=0, n_meeting=3, m_response_hours=10, o_revenue=0),
        _panel_row("B", "2025-04-01", n_call=1, n_meeting=0),
    ])
    assert (result.n_accounts, result.n_periods, result.n_panel_rows) == (2, 4, 9)


def test_account_periods_exact_wide_rows_at_quarter_grain(panel_data, run, q, cols):
    result = run("quarter")
    assert sorted(cols("account_periods")) == sorted(PANEL_COLUMNS)
    assert q(PANEL_SQL) == S([
        # January and February activities add up in Q1; measures average over the months
        _panel_row("A", "2025-01-01", n_call=2, n_meeting=1, m_csat=4.5, o_revenue=150, o_renewed=1, o_renewed_n=1),
        _panel_row("A", "2025-04-01", n_call=0, n_meeting=0),
        _panel_row("A", None, n_webinar=5),
        _panel_row("B", "2025-01-01", n_call=0, n_meeting=3, m_response_hours=10, o_revenue=0, o_renewed=0.5,
                   o_renewed_n=2),
        _panel_row("B", "2025-04-01", n_call=1, n_meeting=0),
    ])
    assert (result.n_accounts, result.n_periods, result.n_panel_rows) == (2, 2, 5)


def test_account_periods_at_week_grain(load, run, q, cols):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-05
        e2,A,Call,2025-01-06
        e3,A,Call,2025-01-19
        """)
    run("week")
    assert cols("account_periods") == ["account_id", "period_on", "n_call", "has_attributes", "has_activity",
                                       "has_outcome"]
    assert q("select * from account_periods") == S([
        ("A", D("2024-12-30"), 1.0, False, True, False),
        ("A", D("2025-01-06"), 1.0, False, True, False),
        ("A", D("2025-01-13"), 1.0, False, True, False),
    ])


# -- activity_types / activity_monthly ---------------------------------------------------------------------------


@pytest.fixture
def activity_mix(load):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date,Minutes
        e1,A,Business Review,2025-01-06,30
        e2,A," business review ",2025-02-03,
        e3,B,Business-Review,2025-03-03,10
        e4,A,Call,2025-01-07,5
        e5,B,Business Review,2025-03-04,
        """)
    load("counts.csv", "activity_counts", """
        Account,Month,Type,Count
        A,2025-01-01,Email,3
        B,2025-02-01,Email,2
        """)
    load("undated_counts.csv", "activity_counts", """
        Account,Type,Count
        C,Email,4
        """)


def test_activity_types_volume_reach_span_and_minutes(activity_mix, run, q):
    run()
    assert q("select * from activity_types") == S([
        ("business_review", "Business Review", 4.0, 2, D("2025-01-06"), D("2025-03-04"), 40.0, 2),
        ("call", "Call", 1.0, 1, D("2025-01-07"), D("2025-01-07"), 5.0, 1),
        ("email", "Email", 9.0, 3, D("2025-01-01"), D("2025-02-01"), None, 0),
    ])


@pytest.mark.parametrize("grain", ["week", "month", "quarter"])  # at the month grain it comes from the counted table
def test_activity_monthly_by_calendar_month_whatever_the_grain(activity_mix, run, q, grain):
    run(grain)
    assert q("select * from activity_monthly") == S([
        (D("2025-01-01"), "business_review", 1.0, 1),
        (D("2025-01-01"), "call", 1.0, 1),
        (D("2025-01-01"), "email", 3.0, 1),
        (D("2025-02-01"), "business_review", 1.0, 1),
        (D("2025-02-01"), "email", 2.0, 1),
        (D("2025-03-01"), "business_review", 2.0, 1),
    ])


@pytest.fixture
def one_type_two_sources(load):
    """Calls logged as events for account A and as monthly counts for account B, in the same month."""
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-06
        """)
    load("counts.csv", "activity_counts", """
        Account,Month,Type,Count
        B,2025-01-01,Call,2
        """)


def test_activity_types_reach_counts_accounts_across_sources(one_type_two_sources, run, q):
    run()
    assert q("select activity_key, n_activities, n_accounts from activity_types") == [("call", 3.0, 2)]


def test_activity_monthly_reach_counts_accounts_across_sources(one_type_two_sources, run, q):
    run()
    assert q("select * from activity_monthly") == [(D("2025-01-01"), "call", 3.0, 2)]


def test_activity_reach_of_one_account_in_both_sources_counts_once(load, run, q):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-06
        """)
    load("counts.csv", "activity_counts", """
        Account,Month,Type,Count
        A,2025-01-01,Call,2
        """)
    run()
    assert q("select activity_key, n_activities, n_accounts from activity_types") == [("call", 3.0, 1)]
    assert q("select * from activity_monthly") == [(D("2025-01-01"), "call", 3.0, 1)]


# -- outcome_types / outcome_events ----------------------------------------------------------------------------


@pytest.fixture
def outcome_mix(load):
    load("outcomes.csv", "outcomes", """
        Account,Date,Revenue,Renewed
        A,2025-01-10,100,
        A,2025-01-31,50,yes
        B,2025-02-14,10,no
        """)
    load("undated.csv", "outcomes", """
        Account,Revenue,Renewed
        C,70,yes
        """)
    load("referrals.csv", "outcomes", """
        Account,Date,Event ID
        A,2025-03-01,r1
        A,2025-03-01,r2
        """, row_event="referrals")


def test_outcome_types_kind_volume_reach_and_span(outcome_mix, run, q):
    run()
    assert q("select * from outcome_types") == S([
        ("referrals", "count", 2, 1, D("2025-03-01"), D("2025-03-01"), 2.0, None),
        ("renewed", "binary", 3, 3, D("2025-01-31"), D("2025-02-14"), 2.0, 2.0),
        ("revenue", "amount", 4, 3, D("2025-01-10"), D("2025-02-14"), 230.0, None),
    ])


def test_outcome_monthly_counts_dated_records_and_accounts_per_calendar_month(outcome_mix, run, q):
    run("week")  # by calendar month whatever the grain; undated records (C) are not in any month
    assert q("select * from outcome_monthly") == S([
        (D("2025-01-01"), "renewed", 1, 1),
        (D("2025-01-01"), "revenue", 2, 1),
        (D("2025-02-01"), "renewed", 1, 1),
        (D("2025-02-01"), "revenue", 1, 1),
        (D("2025-03-01"), "referrals", 2, 1),
    ])


def test_outcome_events_are_the_yes_no_events(outcome_mix, run, q):
    run()
    assert q("select * from outcome_events") == S([
        ("A", "renewed", D("2025-01-31"), 1.0),
        ("B", "renewed", D("2025-02-14"), 0.0),
        ("C", "renewed", None, 1.0),
    ])


# -- account_spans ---------------------------------------------------------------------------------------------


@pytest.fixture
def lifetimes(load):
    load("events.csv", "activity_events", """
        Activity ID,Type,Date,Account
        a1,Call,2025-01-05,A
        a2,Call,2025-03-20,A
        b1,Call,2025-02-10,B
        b2,Call,2025-07-02,B
        c1,Call,2025-03-03,C
        c2,Call,2025-12-01,C
        d1,Call,2025-01-02,D
        d2,Call,2025-12-30,D
        e1,Call,2025-02-02,E
        """)
    load("renewals.csv", "outcomes", """
        Account,Date,Renewed
        B,2025-06-15,no
        D,2025-06-15,yes
        """)
    load("subscriptions.csv", "accounts", """
        Account,Started,Ended
        C,2025-02-01,
        E,2024-12-01,2025-05-31
        """, roles={"Started": {"role": "start_date"}, "Ended": {"role": "end_date"}})


def test_stg_account_spans_are_the_declared_dates(lifetimes, run, q):
    run()
    assert q("select account_id, started_on, ended_on from stg_account_spans") == S([
        ("C", D("2025-02-01"), None), ("E", D("2024-12-01"), D("2025-05-31"))])


def test_account_spans_from_declared_dates_renewals_and_signs_of_life(lifetimes, run, q):
    run()
    assert q("select account_id, started_on, start_rule, ended_on, end_rule from account_spans") == S([
        # quiet since March with the data running to December: left after its last sign of life
        # active in the events' first month: a customer already when its data begin
        ("A", D("2025-01-01"), "a customer when its data begin", D("2025-03-01"),
         "no sign of life for 90 days before the data ends"),
        # a 'no' renewal ends the span, whatever is logged after it (an exit call)
        ("B", D("2025-02-01"), "first activity or outcome", D("2025-06-15"), "did not renew"),
        ("C", D("2025-02-01"), "start date in an export", None, "still a customer"),
        ("D", D("2025-01-01"), "a customer when its data begin", None, "still a customer"),
        ("E", D("2024-12-01"), "start date in an export", D("2025-05-31"), "end date in an export"),
    ])


def test_an_export_that_begins_earlier_leaves_other_accounts_starts_unseen(lifetimes, load, run, q, con):
    """A second export reaching back to 2023 makes the panel begin there: the accounts first seen in their
    own data's first month were customers then already (their months before it are unknown, not 'before
    they became customers'), and only those first seen later started inside the data."""
    from pipelines.stats.frames import read_panel

    load("old_calls.csv", "activity_events", """
        Activity ID,Type,Date,Account
        z1,Call,2023-03-10,Z
        z2,Call,2025-06-10,Z
        """)
    run()
    spans = q("select account_id, start_rule, start_unseen from account_spans where account_id in ('A', 'B', 'Z')")
    assert spans == S([("A", "a customer when its data begin", True), ("B", "first activity or outcome", False),
                       ("Z", "a customer when its data begin", True)])
    panel = read_panel(con, ["account_id", "period_on"])
    phases = panel[pd.to_datetime(panel["period_on"]) == pd.Timestamp("2024-06-01")]
    assert dict(zip(phases["account_id"], phases["customer_phase"])) == {
        "A": "unseen", "B": "before", "C": "before", "D": "unseen", "E": "before", "Z": "customer"}


def test_overview_trends_count_only_customer_periods(lifetimes, run, con):
    from pipelines.summary import trends

    run()
    activities = trends(con)["activities"]
    calls = dict(zip(activities["period_on"].dt.date, activities["activities"]))
    # B's exit call in July comes after its 'no' in June: not a customer's activity; D's December call is
    assert calls[D("2025-07-01")] == 0 and calls[D("2025-12-01")] == 2  # C and D
    assert sum(calls.values()) == 8  # nine calls logged, one after its account left


def test_overview_trends_leave_an_activitys_unlogged_periods_out_instead_of_drawing_zeros(load, run, con):
    """Renewals reaching back to 2024 and e-mails logged only from April 2025: no activity point before each
    type's first logged period (unknown), zeros inside it."""
    from pipelines.summary import trends

    load("events.csv", "activity_events", """
        Activity ID,Type,Date,Account
        a1,Call,2025-01-05,A
        a2,Email,2025-04-02,A
        a3,Call,2025-06-20,A
        b1,Call,2025-02-10,B
        b2,Email,2025-06-02,B
        """)
    load("renewals.csv", "outcomes", """
        Account,Date,Renewed
        A,2024-03-15,yes
        B,2024-06-15,yes
        """)
    run()
    activities = trends(con)["activities"]
    months = {a: sorted(activities.loc[activities["activity"] == a, "period_on"].dt.date)
              for a in ("Call", "Email")}
    assert months["Call"][0] == D("2025-01-01") and months["Email"][0] == D("2025-04-01")
    calls = dict(zip(activities.loc[activities["activity"] == "Call", "period_on"].dt.date,
                     activities.loc[activities["activity"] == "Call", "activities"]))
    assert calls[D("2025-03-01")] == 0 and calls[D("2025-06-01")] == 1 and sum(calls.values()) == 3
