"""Intermediate tables: exact rows from tiny exports loaded through ingest_file, then build()."""

from __future__ import annotations

from datetime import date

import pytest

D = date.fromisoformat


def S(rows: list[tuple]) -> list[tuple]:
    """Expected rows in the order the q fixture returns actual rows (sorted, None first)."""
    return sorted(rows, key=lambda row: tuple((value is not None, value) for value in row))


# -- int_periods_spanned ---------------------------------------------------------------------------------------


@pytest.fixture
def spanning_data(load):
    """Dated facts from every source between Mon 2024-09-30 and Sun 2024-10-20, plus an undated count."""
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        a1,A,Call,2024-09-30
        a2,A,Call,2024-10-02
        """)
    load("counts.csv", "activity_counts", """
        Account,Month,Type,Count
        A,2024-10-01,Email,2
        """)
    load("undated_counts.csv", "activity_counts", """
        Account,Type,Count
        A,Call,99
        """)
    load("measures.csv", "activity_measures", """
        Account,Month,CSAT
        A,2024-10-01,4
        """)
    load("outcomes.csv", "outcomes", """
        Account,Date,Revenue
        A,2024-10-20,10
        """)


@pytest.mark.parametrize("grain, periods", [
    ("week", ["2024-09-30", "2024-10-07", "2024-10-14"]),  # weeks start Monday; Sun 10-20 is in the week of 10-14
    ("month", ["2024-09-01", "2024-10-01"]),
    ("quarter", ["2024-07-01", "2024-10-01"]),
])
def test_periods_spanned_at_each_grain(spanning_data, run, q, grain, periods):
    result = run(grain)
    assert q("select period_on from int_periods_spanned") == S([(D(p),) for p in periods])
    assert result.n_periods == len(periods)


def test_periods_spanned_week_crossing_a_year(load, run, q):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        a1,A,Call,2024-12-29
        a2,A,Call,2025-01-13
        """)
    run("week")
    assert q("select period_on from int_periods_spanned") == S([
        (D("2024-12-23"),), (D("2024-12-30"),), (D("2025-01-06"),), (D("2025-01-13"),)])


def test_periods_spanned_rebuilt_at_another_grain_on_the_same_data(spanning_data, run, q):
    run("week")
    run("quarter")
    assert q("select period_on from int_periods_spanned") == S([(D("2024-07-01"),), (D("2024-10-01"),)])


def test_periods_spanned_is_empty_with_only_undated_facts(load, run, q):
    load("undated_counts.csv", "activity_counts", """
        Account,Type,Count
        A,Call,3
        """)
    run()
    assert q("select period_on from int_periods_spanned") == S([])


# -- int_accounts_unioned --------------------------------------------------------------------------------------


def test_accounts_unioned_flags_where_each_account_was_seen(load, run, q):
    load("accounts.csv", "accounts", """
        Account,Segment
        A,SMB
        F,SMB
        """)
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        a1,B,Call,2025-01-06
        """)
    load("counts.csv", "activity_counts", """
        Account,Month,Type,Count
        C,2025-01-01,Call,1
        """)
    load("measures.csv", "activity_measures", """
        Account,Month,CSAT
        D,2025-01-01,4
        """)
    load("outcomes.csv", "outcomes", """
        Account,Date,Revenue
        E,2025-01-31,10
        F,2025-01-31,20
        """)
    run()
    assert q("select account_id, has_attributes, has_activity, has_outcome from int_accounts_unioned") == S([
        ("A", True, False, False),
        ("B", False, True, False),
        ("C", False, True, False),
        ("D", False, True, False),
        ("E", False, False, True),
        ("F", True, False, True),
    ])


# -- int_activities_counted, and the panel's activity zeros -------------------------------------------------------


@pytest.fixture
def activity_data(load):
    """Events and counts Jan-Mar 2025; a measure in Dec 2024 and an outcome in Apr 2025 widen the spine only."""
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date,Minutes
        e1,A,Call,2025-01-06,30
        e2,A,Call,2025-01-20,
        e3,A,Call,2025-03-03,15
        e4,B,Email,2025-01-10,10
        e5,B,Email,2025-01-11,2.5
        """)
    load("counts.csv", "activity_counts", """
        Account,Month,Type,Count
        A,2025-01-01,Call,2
        B,2025-02-01,Meeting,4
        """)
    load("undated_counts.csv", "activity_counts", """
        Account,Type,Count
        C,Call,7
        """)
    load("measures.csv", "activity_measures", """
        Account,Month,CSAT
        A,2024-12-01,4
        """)
    load("outcomes.csv", "outcomes", """
        Account,Date,Revenue
        D,2025-04-15,10
        """)


def test_activities_counted_from_events_and_counts(activity_data, run, q):
    run("month")
    assert q("select account_id, period_on, activity_key, n_activities, minutes, n_timed "
             "from int_activities_counted") == S([
        ("C", None, "call", 7.0, None, 0),
        ("A", D("2025-01-01"), "call", 4.0, 30.0, 1),
        ("A", D("2025-03-01"), "call", 1.0, 15.0, 1),
        ("B", D("2025-01-01"), "email", 2.0, 12.5, 2),
        ("B", D("2025-02-01"), "meeting", 4.0, None, 0),
    ])


def test_activities_counted_at_quarter_grain(activity_data, run, q):
    run("quarter")
    assert q("select account_id, period_on, activity_key, n_activities, minutes, n_timed "
             "from int_activities_counted") == S([
        ("C", None, "call", 7.0, None, 0),
        ("A", D("2025-01-01"), "call", 5.0, 45.0, 2),
        ("B", D("2025-01-01"), "email", 2.0, 12.5, 2),
        ("B", D("2025-01-01"), "meeting", 4.0, None, 0),
    ])


# -- int_activity_labels, int_activity_reach ----------------------------------------------------------------------


@pytest.fixture
def spelled_types(load):
    """One type spelled three ways in events (one id repeated), one in counts, dated and undated."""
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date,Minutes
        e1,A,Business Review,2025-01-06,30
        e2,A," business review ",2025-02-03,
        e3,B,Business-Review,2025-03-03,10
        e4,B,Business Review,2025-03-04,
        e4,B,Business Review,2025-03-09,8
        """)
    load("counts.csv", "activity_counts", """
        Account,Month,Type,Count
        A,2025-01-01,Email,3
        B,2025-02-01,email,2
        """)
    load("undated_counts.csv", "activity_counts", """
        Account,Type,Count
        C,Email,4
        """)


def test_activity_labels_per_spelling_with_volume_span_and_minutes(spelled_types, run, q):
    run()
    assert q("select * from int_activity_labels") == S([
        # e4's later row wins: the earlier one is not counted
        ("business_review", "Business Review", 2, 2.0, D("2025-01-06"), D("2025-03-09"), 38.0, 2),
        ("business_review", "business review", 1, 1.0, D("2025-02-03"), D("2025-02-03"), None, 0),
        ("business_review", "Business-Review", 1, 1.0, D("2025-03-03"), D("2025-03-03"), 10.0, 1),
        ("email", "Email", 2, 7.0, D("2025-01-01"), D("2025-01-01"), None, 0),  # the undated row has no date
        ("email", "email", 1, 2.0, D("2025-02-01"), D("2025-02-01"), None, 0),
    ])


def test_activity_reach_counts_each_account_once_across_sources_and_periods(spelled_types, run, q):
    run()
    assert q("select * from int_activity_reach") == [("business_review", 2), ("email", 3)]


def test_activity_type_label_is_the_most_common_spelling_ties_alphabetically(spelled_types, load, run, q):
    load("more.csv", "activity_events", """
        Activity ID,Account,Type,Date
        f1,A,email,2025-02-10
        """)
    run()
    assert q("select activity_key, activity_label from activity_types") == [
        ("business_review", "Business Review"), ("email", "Email")]  # Email and email: 2 rows each


def test_panel_activity_zeros_inside_each_types_own_span_and_source(activity_data, run, q):
    run("month")
    # the spine runs Dec 2024 - Apr 2025; each type is zero only from its first logged period to the end of the
    # exports that log it (calls and e-mails Jan - Mar), and a type known from a count export alone (meetings,
    # Feb; the export ends in Feb) only for the accounts it lists
    assert q("select period_on from int_periods_spanned") == S([
        (D(p),) for p in ("2024-12-01", "2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01")])
    nonzero = {("A", "2025-01-01", "call"): 4.0, ("A", "2025-03-01", "call"): 1.0,
               ("B", "2025-01-01", "email"): 2.0, ("B", "2025-02-01", "meeting"): 4.0}
    spans = {"call": ("2025-01-01", "2025-02-01", "2025-03-01"), "email": ("2025-01-01", "2025-02-01", "2025-03-01"), "meeting": ("2025-02-01",)}
    listed = {"meeting": {"B"}}

    def value(account, period, key):
        known = period in spans[key] and account in listed.get(key, {account})
        return nonzero.get((account, period, key), 0.0) if known else None

    expected = [
        (account, D(period), *(value(account, period, key) for key in ("call", "email", "meeting")))
        for account in ("A", "B", "C", "D")
        for period in ("2024-12-01", "2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01")
    ] + [("C", None, 7.0, None, None)]  # undated counts kept as they are, not filled
    assert q("select account_id, period_on, n_call, n_email, n_meeting from account_periods") == S(expected)


def test_panel_activity_zeros_at_week_grain(load, run, q):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date,Minutes
        e1,A,Call,2025-01-06,5
        e2,A,Call,2025-01-12,7
        e3,A,Call,2025-01-20,
        """)
    run("week")
    assert q("select account_id, period_on, n_call from account_periods") == S([
        ("A", D("2025-01-06"), 2.0),
        ("A", D("2025-01-13"), 0.0),
        ("A", D("2025-01-20"), 1.0),
    ])


def test_panel_type_known_only_from_undated_counts_stays_null_in_dated_periods(load, run, q, cols):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-06
        e2,B,Call,2025-02-03
        """)
    load("undated_counts.csv", "activity_counts", """
        Account,Type,Count
        A,Webinar,3
        """)
    run("month")
    assert q("select account_id, period_on, n_call, n_webinar from account_periods") == S([
        ("A", D("2025-01-01"), 1.0, None),
        ("A", D("2025-02-01"), 0.0, None),
        ("A", None, None, 3.0),
        ("B", D("2025-01-01"), 0.0, None),
        ("B", D("2025-02-01"), 1.0, None),
    ])


# -- int_measures_averaged -------------------------------------------------------------------------------------


@pytest.fixture
def measure_data(load):
    load("measures.csv", "activity_measures", """
        Account,Month,CSAT,Note
        A,2025-01-01,3,x
        A,2025-01-01,5,y
        A,2025-02-01,5,x
        A,2025-04-01,3,x
        """)
    load("measures_undated.csv", "activity_measures", """
        Account,CSAT
        B,2
        """)


def test_measures_averaged_at_month_grain(measure_data, run, q):
    run("month")
    assert q("select account_id, period_on, measure_key, value, n_values from int_measures_averaged") == S([
        ("B", None, "csat", 2.0, 1),
        ("A", D("2025-01-01"), "csat", 4.0, 1),
        ("A", D("2025-02-01"), "csat", 5.0, 1),
        ("A", D("2025-04-01"), "csat", 3.0, 1),
    ])


def test_measures_averaged_over_sub_periods_at_quarter_grain_without_zero_filling(measure_data, run, q):
    run("quarter")
    assert q("select account_id, period_on, measure_key, value, n_values from int_measures_averaged") == S([
        ("B", None, "csat", 2.0, 1),
        ("A", D("2025-01-01"), "csat", 4.5, 2),  # the average of January's 4 and February's 5
        ("A", D("2025-04-01"), "csat", 3.0, 1),
    ])


# -- int_outcomes_aggregated -----------------------------------------------------------------------------------


@pytest.fixture
def outcome_data(load):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-15
        e2,C,Call,2025-05-15
        """)
    load("revenue.csv", "outcomes", """
        Account,Date,Revenue
        A,2025-02-10,60
        A,2025-02-20,40
        A,2025-04-30,50
        """)
    load("referrals.csv", "outcomes", """
        Account,Date,Referrals
        B,2025-03-03,2
        """)
    load("renewals.csv", "outcomes", """
        Account,Date,Renewed
        A,2025-03-05,yes
        A,2025-03-20,no
        B,2025-04-01,yes
        """)
    load("revenue_undated.csv", "outcomes", """
        Account,Revenue
        C,70
        """)


def test_outcomes_aggregated_fill_amounts_and_counts_inside_their_own_span(outcome_data, run, q):
    run("month")
    accounts = ("A", "B", "C")
    revenue = {("A", "2025-02-01"): (100.0, 2), ("A", "2025-04-01"): (50.0, 1)}
    referrals = {("B", "2025-03-01"): (2.0, 1)}
    expected = (
        [(a, D(p), "revenue", "amount", *revenue.get((a, p), (0.0, 0)))
         for a in accounts for p in ("2025-02-01", "2025-03-01", "2025-04-01")]
        + [(a, D("2025-03-01"), "referrals", "count", *referrals.get((a, "2025-03-01"), (0.0, 0))) for a in accounts]
        + [("A", D("2025-03-01"), "renewed", "binary", 1.0, 2),  # value = number of yes, n_events = events
           ("B", D("2025-04-01"), "renewed", "binary", 1.0, 1),
           ("C", None, "revenue", "amount", 70.0, 1)]
    )
    assert q("select account_id, period_on, outcome_key, outcome_kind, value, n_events "
             "from int_outcomes_aggregated") == S(expected)


def test_outcomes_aggregated_at_quarter_grain(outcome_data, run, q):
    run("quarter")
    assert q("select account_id, period_on, outcome_key, outcome_kind, value, n_events "
             "from int_outcomes_aggregated") == S([
        ("C", None, "revenue", "amount", 70.0, 1),
        ("A", D("2025-01-01"), "referrals", "count", 0.0, 0),
        ("A", D("2025-01-01"), "renewed", "binary", 1.0, 2),
        ("A", D("2025-01-01"), "revenue", "amount", 100.0, 2),
        ("A", D("2025-04-01"), "revenue", "amount", 50.0, 1),
        ("B", D("2025-01-01"), "referrals", "count", 2.0, 1),
        ("B", D("2025-01-01"), "revenue", "amount", 0.0, 0),
        ("B", D("2025-04-01"), "renewed", "binary", 1.0, 1),
        ("B", D("2025-04-01"), "revenue", "amount", 0.0, 0),
        ("C", D("2025-01-01"), "referrals", "count", 0.0, 0),
        ("C", D("2025-01-01"), "revenue", "amount", 0.0, 0),
        ("C", D("2025-04-01"), "revenue", "amount", 0.0, 0),
    ])


# -- int_attributes_typed --------------------------------------------------------------------------------------


def test_attributes_typed_numeric_only_where_every_value_is_a_number(load, run, q):
    load("accounts.csv", "accounts", """
        Account,Segment,Employees,Tier
        A,SMB,10,1
        B,Enterprise,"1,200",Gold
        C,SMB,-3.5,2
        """)
    run()
    assert q("select account_id, attribute_key, value_text, value_number, is_numeric from int_attributes_typed") == S([
        ("A", "employees", "10", 10.0, True),
        ("A", "segment", "SMB", None, False),
        ("A", "tier", "1", 1.0, False),
        ("B", "employees", "1,200", 1200.0, True),
        ("B", "segment", "Enterprise", None, False),
        ("B", "tier", "Gold", None, False),
        ("C", "employees", "-3.5", -3.5, True),
        ("C", "segment", "SMB", None, False),
        ("C", "tier", "2", 2.0, False),
    ])


# -- int_panel_values_unpivoted --------------------------------------------------------------------------------


def test_panel_values_unpivoted_under_their_panel_column_names(load, run, q):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        e1,A,Call,2025-01-06
        e2,B,Call,2025-02-03
        """)
    load("measures.csv", "activity_measures", """
        Account,Month,CSAT
        A,2025-01-01,4
        """)
    load("outcomes.csv", "outcomes", """
        Account,Date,Revenue,Renewed
        A,2025-01-31,100,
        A,2025-02-10,,yes
        A,2025-02-20,,no
        """)
    run()
    assert q("select account_id, period_on, column_name, value from int_panel_values_unpivoted") == S([
        ("A", D("2025-01-01"), "m_csat", 4.0),
        ("A", D("2025-01-01"), "n_call", 1.0),
        ("A", D("2025-01-01"), "o_revenue", 100.0),
        ("A", D("2025-02-01"), "o_renewed", 0.5),  # binary: the share of events that were yes
        ("A", D("2025-02-01"), "o_renewed_n", 2.0),
        ("B", D("2025-01-01"), "o_revenue", 0.0),  # activities are sparse here, amounts filled within their span
        ("B", D("2025-02-01"), "n_call", 1.0),
    ])
