"""Staging models: exact rows from tiny exports loaded through ingest_file, then build()."""

from __future__ import annotations

from datetime import date

D = date.fromisoformat


def S(rows: list[tuple]) -> list[tuple]:
    """Expected rows in the order the q fixture returns actual rows (sorted, None first)."""
    return sorted(rows, key=lambda row: tuple((value is not None, value) for value in row))

EVENTS_SQL = """select activity_id, account_id, activity_label, activity_key, occurred_on, owner, duration_minutes,
                       load_id from stg_activity_events"""


# -- stg_activity_events ---------------------------------------------------------------------------------------


def test_events_id_in_two_loads_appears_once_and_later_load_wins(load, run, q):
    first = load("events_jan.csv", "activity_events", """
        Activity ID,Account,Type,Date,Owner,Minutes
        a1,A,Call,2025-01-06,Ann,30
        a2,A,Email,2025-01-07,Ann,
        """)
    second = load("events_jan_feb.csv", "activity_events", """
        Activity ID,Account,Type,Date,Owner,Minutes
        a2,A,Email,2025-01-08,Bob,5
        a3,B,Meeting,2025-02-09, ,60
        """)
    run()
    l1, l2 = first.load_id, second.load_id
    assert q(EVENTS_SQL) == S([
        ("a1", "A", "Call", "call", D("2025-01-06"), "Ann", 30.0, l1),
        ("a2", "A", "Email", "email", D("2025-01-08"), "Bob", 5.0, l2),
        ("a3", "B", "Meeting", "meeting", D("2025-02-09"), None, 60.0, l2),
    ])


def test_events_id_repeated_inside_one_load_keeps_the_last_row(load, run, q):
    report = load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        a1,A,Call,2025-01-06
        a1,A,Call,2025-01-09
        """)
    run()
    assert q(EVENTS_SQL) == S([("a1", "A", "Call", "call", D("2025-01-09"), None, None, report.load_id)])


def test_superseded_rows_are_every_older_version_and_nothing_else(load, run, q, con):
    first = load("jan.csv", "activity_events", """
        Activity ID,Account,Type,Date
        a1,A,Call,2025-01-06
        a2,A,Call,2025-01-07
        a2,A,Call,2025-01-08
        a3,A,Call,2025-01-09
        """)
    second = load("feb.csv", "activity_events", """
        Activity ID,Account,Type,Date
        a1,A,Call,2025-02-06
        a4,B,Call,2025-02-07
        """)
    no_ids = load("no_ids.csv", "activity_events", """
        Account,Type,Date
        A,Call,2025-01-06
        A,Call,2025-01-06
        """)
    run()
    # a1 of January is replaced by February's; the first a2 by the row below it; rows without ids never
    assert q("select load_id, source_row from stg_activity_superseded") == S([(first.load_id, 2), (first.load_id, 3)])
    assert q("select activity_id, load_id from stg_activity_events where activity_id is not null") == S([
        ("a1", second.load_id), ("a2", first.load_id), ("a3", first.load_id), ("a4", second.load_id)])
    assert q("select count(*) from stg_activity_events where load_id = ?", [no_ids.load_id]) == [(2,)]


def test_a_database_built_with_events_as_a_table_gets_the_view(load, run, q, con):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        a1,A,Call,2025-01-06
        """)
    run()
    con.execute("drop view stg_activity_events")
    con.execute("create table stg_activity_events as select 'stale' as activity_id")
    run()
    assert q("select table_type from information_schema.tables where table_name = 'stg_activity_events'") == [
        ("VIEW",)]
    assert q("select activity_id from stg_activity_events") == [("a1",)]


def test_a_database_built_by_an_older_version_loses_its_retired_tables(load, run, q, con):
    load("events.csv", "activity_events", """
        Activity ID,Account,Type,Date
        a1,A,Call,2025-01-06
        """)
    con.execute("create table int_activities_filled as select 1 as stale")  # built by versions before
    run()
    assert q("select table_name from information_schema.tables where table_name = 'int_activities_filled'") == []


def test_events_export_without_ids_keeps_every_row(load, run, q):
    first = load("no_ids_1.csv", "activity_events", """
        Account,Type,Date
        A,Call,2025-01-06
        A,Call,2025-01-06
        A,Email,2025-01-07
        """)
    second = load("no_ids_2.csv", "activity_events", """
        Account,Type,Date
        A,Call,2025-01-06
        """)
    run()
    l1, l2 = first.load_id, second.load_id
    assert q(EVENTS_SQL) == S([
        (None, "A", "Call", "call", D("2025-01-06"), None, None, l1),
        (None, "A", "Call", "call", D("2025-01-06"), None, None, l1),
        (None, "A", "Call", "call", D("2025-01-06"), None, None, l2),
        (None, "A", "Email", "email", D("2025-01-07"), None, None, l1),
    ])


def test_activity_type_spellings_share_one_key(load, run, q):
    load("types.csv", "activity_events", """
        Activity ID,Account,Type,Date
        a1,A,Business Review,2025-01-06
        a2,A," business review ",2025-01-07
        a3,A,Business-Review,2025-01-08
        a4,A,BUSINESS  REVIEW!,2025-01-09
        a5,A,--,2025-01-10
        """)
    run()
    assert q("select activity_id, activity_label, activity_key from stg_activity_events") == S([
        ("a1", "Business Review", "business_review"),
        ("a2", "business review", "business_review"),
        ("a3", "Business-Review", "business_review"),
        ("a4", "BUSINESS  REVIEW!", "business_review"),
        ("a5", "--", "unnamed"),
    ])


# -- stg_activity_counts ---------------------------------------------------------------------------------------


def test_counts_same_key_in_one_load_add_up_and_a_later_load_supersedes(load, run, q):
    first = load("counts_1.csv", "activity_counts", """
        Account,Month,Type,Count,Note
        A,2025-01-01,Call,2,first line
        A,2025-01-01,call,3,second line
        A,2025-02-01,Call,4,
        B,2025-01-01,Call,9,
        """)
    second = load("counts_2.csv", "activity_counts", """
        Account,Month,Type,Count
        A,2025-02-01,Call,1
        A,2025-02-01,Meeting,6
        """)
    run()
    l1, l2 = first.load_id, second.load_id
    assert q("select account_id, period_on, activity_key, n_activities, load_id from stg_activity_counts") == S([
        ("A", D("2025-01-01"), "call", 5.0, l1),
        ("A", D("2025-02-01"), "call", 1.0, l2),
        ("A", D("2025-02-01"), "meeting", 6.0, l2),
        ("B", D("2025-01-01"), "call", 9.0, l1),
    ])
    assert q("select activity_label from stg_activity_counts where load_id = ?", [l2]) == S([("Call",), ("Meeting",)])


def test_counts_undated_and_wide_exports(load, run, q):
    undated_1 = load("undated_1.csv", "activity_counts", """
        Account,Type,Count,Note
        B,Call,7,x
        B,Call,1,y
        C,Call,4,x
        """)
    undated_2 = load("undated_2.csv", "activity_counts", """
        Account,Type,Count
        B,Call,2
        """)
    wide = load("wide.csv", "activity_counts", """
        Account,Month,Calls,Meetings
        A,2025-03-01,3,
        A,2025-04-01,0,2
        """)
    run()
    u1, u2, w = undated_1.load_id, undated_2.load_id, wide.load_id
    assert q("select account_id, period_on, activity_key, activity_label, n_activities, load_id "
             "from stg_activity_counts") == S([
        ("A", D("2025-03-01"), "calls", "calls", 3.0, w),
        ("A", D("2025-04-01"), "calls", "calls", 0.0, w),
        ("A", D("2025-04-01"), "meetings", "meetings", 2.0, w),
        ("B", None, "call", "Call", 2.0, u2),
        ("C", None, "call", "Call", 4.0, u1),
    ])


# -- stg_activity_measures -------------------------------------------------------------------------------------


def test_measures_same_key_in_one_load_average_and_a_later_load_supersedes(load, run, q):
    first = load("measures_1.csv", "activity_measures", """
        Account,Month,CSAT,Response Hours,Note
        A,2025-01-01,4,10,x
        A,2025-01-01,3,20,y
        A,2025-02-01,5,,x
        """)
    second = load("measures_2.csv", "activity_measures", """
        Account,Month,CSAT,Response Hours
        A,2025-02-01,2,8
        """)
    undated = load("measures_undated.csv", "activity_measures", """
        Account,CSAT
        B,4.5
        """)
    run()
    l1, l2, lu = first.load_id, second.load_id, undated.load_id
    assert q("select account_id, period_on, measure_key, value, n_values, load_id from stg_activity_measures") == S([
        ("A", D("2025-01-01"), "csat", 3.5, 2, l1),
        ("A", D("2025-01-01"), "response_hours", 15.0, 2, l1),
        ("A", D("2025-02-01"), "csat", 2.0, 1, l2),
        ("A", D("2025-02-01"), "response_hours", 8.0, 1, l2),
        ("B", None, "csat", 4.5, 1, lu),
    ])


# -- stg_outcomes ----------------------------------------------------------------------------------------------

OUTCOMES_SQL = "select account_id, occurred_on, outcome_key, outcome_kind, value, n_rows, load_id from stg_outcomes"


def test_outcomes_add_up_or_last_wins_within_a_load_and_a_later_load_supersedes(load, run, q):
    first = load("outcomes_1.csv", "outcomes", """
        Account,Date,Renewed,Revenue,Referrals,Note
        A,2025-01-31,no,100,1,x
        A,2025-01-31,yes,50,2,y
        A,2025-02-28,no,10,,x
        B,2025-01-31,yes,,0,x
        """)
    second = load("outcomes_2.csv", "outcomes", """
        Account,Date,Revenue,Renewed
        A,2025-02-28,99,yes
        """)
    run()
    l1, l2 = first.load_id, second.load_id
    assert q(OUTCOMES_SQL) == S([
        ("A", D("2025-01-31"), "referrals", "count", 3.0, 2, l1),
        ("A", D("2025-01-31"), "renewed", "binary", 1.0, 2, l1),
        ("A", D("2025-01-31"), "revenue", "amount", 150.0, 2, l1),
        ("A", D("2025-02-28"), "renewed", "binary", 1.0, 1, l2),
        ("A", D("2025-02-28"), "revenue", "amount", 99.0, 1, l2),
        ("B", D("2025-01-31"), "referrals", "count", 0.0, 1, l1),
        ("B", D("2025-01-31"), "renewed", "binary", 1.0, 1, l1),
    ])


def test_outcome_event_ids_deduplicate_across_loads(load, run, q):
    first = load("referrals_1.csv", "outcomes", """
        Account,Date,Event ID
        A,2025-01-05,r1
        A,2025-01-05,r2
        A,2025-01-05,r5
        B,2025-01-06,r3
        """, row_event="referrals")
    second = load("referrals_2.csv", "outcomes", """
        Account,Date,Event ID
        A,2025-01-07,r2
        C,2025-02-01,r4
        """, row_event="referrals")
    run()
    l1, l2 = first.load_id, second.load_id
    assert q(OUTCOMES_SQL) == S([
        ("A", D("2025-01-05"), "referrals", "count", 1.0, 1, l1),
        ("A", D("2025-01-05"), "referrals", "count", 1.0, 1, l1),
        ("A", D("2025-01-07"), "referrals", "count", 1.0, 1, l2),
        ("B", D("2025-01-06"), "referrals", "count", 1.0, 1, l1),
        ("C", D("2025-02-01"), "referrals", "count", 1.0, 1, l2),
    ])


def test_outcome_event_ids_are_per_outcome_and_the_later_load_wins(load, run, q):
    first = load("deals_1.csv", "outcomes", """
        Account,Date,Event ID,Renewed,Revenue
        A,2025-01-06,x1,yes,10
        A,2025-01-06,x2,no,20
        """)
    second = load("deals_2.csv", "outcomes", """
        Account,Date,Event ID,Renewed,Revenue
        A,2025-01-06,x1,no,15
        """)
    run()
    l1, l2 = first.load_id, second.load_id
    assert q(OUTCOMES_SQL) == S([
        ("A", D("2025-01-06"), "renewed", "binary", 0.0, 1, l1),
        ("A", D("2025-01-06"), "renewed", "binary", 0.0, 1, l2),
        ("A", D("2025-01-06"), "revenue", "amount", 15.0, 1, l2),
        ("A", D("2025-01-06"), "revenue", "amount", 20.0, 1, l1),
    ])


# -- stg_account_attributes ------------------------------------------------------------------------------------


def test_attributes_last_wins_within_a_load_and_a_later_load_supersedes(load, run, q):
    first = load("accounts_1.csv", "accounts", """
        Account,Segment,Employees,Acct Copy,Note
        A,SMB,10,A,x
        A,Enterprise,20,A,y
        B,SMB,5,B,x
        """, roles={"Acct Copy": {"role": "attribute", "name": "Account ID"}})
    second = load("accounts_2.csv", "accounts", """
        Account,Segment
        B,Mid-Market
        """)
    run()
    l1, l2 = first.load_id, second.load_id
    assert q("select account_id, attribute_key, value_text, value_number, load_id from stg_account_attributes") == S([
        ("A", "employees", "20", 20.0, l1),
        ("A", "segment", "Enterprise", None, l1),
        ("B", "employees", "5", 5.0, l1),
        ("B", "segment", "Mid-Market", None, l2),
    ])
