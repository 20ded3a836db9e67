"""refresh(): loads that only add events are taken in without a rebuild, and give exactly the full build's marts."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipelines.append
from pipelines.append import refresh
from pipelines.build import build, run_checks
from pipelines.config import SQL_MODELS
from pipelines.ingest import undo_load
from snapshots import snapshot

ALL_MODELS = [name for names in SQL_MODELS.values() for name in names]
BUILD_INFO = "(select grain, last_load_id, n_active_loads from build_info)"

BASE_FILES = [
    ("accounts.csv", "accounts", """
        Account,Segment,Employees
        A,SMB,10
        B,Enterprise,900
        C,SMB,40
        """),
    ("events.csv", "activity_events", """
        Activity ID,Account,Type,Date,Minutes
        a1,A,Call,2025-01-06,10
        a2,B,Email,2025-02-03,
        a3,B,Call,2025-02-20,5
        """),
    ("counts.csv", "activity_counts", """
        Account,Month,Type,Count
        A,2025-02-01,Meeting,2
        """),
    ("undated_counts.csv", "activity_counts", """
        Account,Type,Count
        B,Webinar,4
        """),
    ("measures.csv", "activity_measures", """
        Account,Month,CSAT
        A,2025-01-01,4
        """),
    ("outcomes.csv", "outcomes", """
        Account,Date,Revenue,Renewed,Referrals
        A,2025-01-31,100,yes,
        B,2025-02-28,40,,1
        C,2025-04-30,15,no,
        """),
]

# new month (May), a month the panel has (March: its activity was null, now inside the span), an account
# known only from the accounts export (C), a new account (Z), an id repeated in the file, another spelling
APPEND = ("events_more.csv", "activity_events", """
    Activity ID,Account,Type,Date,Minutes
    b1,A,Call,2025-05-12,20
    b2,A,call,2025-02-14,
    b3,C,Email,2025-03-03,7
    b4,Z,Meeting,2025-05-30,30
    b5,B,Call,2025-02-21,
    b5,B,Call,2025-02-22,9
    b6,Z,Email,2024-11-04,
    """)


def built_base(fresh, grain: str = "month"):
    """A database with the base loads, built: (connection, loader)."""
    con, load = fresh()
    for file in BASE_FILES:
        load(*file)
    build(con, grain)
    return con, load


def full_build_of(fresh, files: list[tuple], grain: str):
    """A second database with the same loads, built from scratch."""
    con, load = fresh()
    for file in files:
        load(*file)
    build(con, grain)
    return con


def assert_same_marts(con, expected_con) -> None:
    assert snapshot(con, ALL_MODELS + [BUILD_INFO]) == snapshot(expected_con, ALL_MODELS + [BUILD_INFO])
    assert run_checks(con) == run_checks(expected_con)


@pytest.mark.parametrize("grain", ["week", "month", "quarter"])
def test_appended_events_give_the_full_builds_marts(fresh, grain):
    con, load = built_base(fresh, grain)
    before = snapshot(con, ["account_periods"])
    load(*APPEND)
    result = refresh(con, grain)
    assert result.appended
    assert snapshot(con, ["account_periods"]) != before  # the events mattered
    expected = full_build_of(fresh, BASE_FILES + [APPEND], grain)
    assert_same_marts(con, expected)
    assert (result.n_accounts, result.n_periods, result.n_panel_rows) == expected.execute(
        "select (select count(*) from accounts), (select count(*) from int_periods_spanned), "
        "(select count(*) from account_periods)").fetchone()


def test_two_appends_in_a_row_and_two_files_at_once(fresh):
    con, load = built_base(fresh)
    first, second = APPEND, ("events_june.csv", "activity_events", """
        Activity ID,Account,Type,Date,Minutes
        c1,A,Email,2025-06-02,3
        c2,Q,Call,2025-06-09,
        """)
    load(*first)
    assert refresh(con).appended
    load(*second)
    assert refresh(con).appended
    assert_same_marts(con, full_build_of(fresh, BASE_FILES + [first, second], "month"))

    together, load_together = built_base(fresh)
    load_together(*first)
    load_together(*second)
    assert refresh(together).appended
    assert_same_marts(together, con)


FALLBACKS = {
    # each needs a full build: it changes history, a column or the grain
    "an activity id loaded before": [("events_again.csv", "activity_events", """
        Activity ID,Account,Type,Date,Minutes
        a1,A,Call,2025-03-10,25
        """)],
    "a new activity type": [("events_new_type.csv", "activity_events", """
        Activity ID,Account,Type,Date
        d1,A,Webinar,2025-03-10
        """)],
    "a type known only undated": [("events_undated_type.csv", "activity_events", """
        Activity ID,Account,Type,Date
        d1,B,Webinar,2025-03-10
        """)],
    "a counts export": [("counts_more.csv", "activity_counts", """
        Account,Month,Type,Count
        A,2025-03-01,Meeting,5
        """)],
    "an outcomes export": [("outcomes_more.csv", "outcomes", """
        Account,Date,Revenue
        A,2025-05-31,70
        """)],
    "events without ids and an accounts export": [("events_no_ids.csv", "activity_events", """
        Account,Type,Date
        A,Call,2025-03-10
        """), ("accounts_more.csv", "accounts", """
        Account,Segment
        Z,SMB
        """)],
}


@pytest.mark.parametrize("case", sorted(FALLBACKS))
def test_loads_that_change_history_or_columns_get_a_full_build(fresh, case):
    con, load = built_base(fresh)
    for file in FALLBACKS[case]:
        load(*file)
    assert not refresh(con).appended
    assert_same_marts(con, full_build_of(fresh, BASE_FILES + FALLBACKS[case], "month"))


def test_events_without_ids_are_appended(fresh):
    no_ids = ("events_no_ids.csv", "activity_events", """
        Account,Type,Date
        A,Call,2025-03-10
        A,Call,2025-03-10
        """)
    con, load = built_base(fresh)
    load(*no_ids)
    assert refresh(con).appended
    assert_same_marts(con, full_build_of(fresh, BASE_FILES + [no_ids], "month"))


def test_an_undo_since_the_build_gets_a_full_build(fresh):
    con, load = built_base(fresh)
    undo_load(con, 3)  # the dated counts
    load(*APPEND)
    assert not refresh(con).appended
    expected = full_build_of(fresh, BASE_FILES + [APPEND], "month")
    undo_load(expected, 3)
    build(expected, "month")
    assert_same_marts(con, expected)


def test_another_grain_gets_a_full_build(fresh):
    con, load = built_base(fresh)
    load(*APPEND)
    result = refresh(con, "quarter")
    assert not result.appended and result.grain == "quarter"
    assert_same_marts(con, full_build_of(fresh, BASE_FILES + [APPEND], "quarter"))


def test_a_database_built_by_an_older_version_gets_a_full_build_first(fresh):
    con, load = built_base(fresh)
    # an older version stored the panel values as a table, and recorded no replaced-row counts
    con.execute("drop view int_panel_values_unpivoted")
    con.execute("create table int_panel_values_unpivoted as select 1 as stale")
    load(*APPEND)
    assert not refresh(con).appended
    load("events_june.csv", "activity_events", """
        Activity ID,Account,Type,Date
        c1,A,Email,2025-06-02
        """)
    con.execute("delete from load_supersedes")
    assert not refresh(con).appended


def test_an_append_that_fails_midway_changes_nothing(fresh, monkeypatch):
    con, load = built_base(fresh)
    load(*APPEND)
    before = snapshot(con, ALL_MODELS + ["build_info"])

    def broken(*_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipelines.append, "_update_activity_monthly", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        refresh(con)
    assert snapshot(con, ALL_MODELS + ["build_info"]) == before
    monkeypatch.undo()
    assert refresh(con).appended
    assert_same_marts(con, full_build_of(fresh, BASE_FILES + [APPEND], "month"))


# -- any append of events: the same marts as a full build ------------------------------------------------------

ACCOUNTS = ["A", "B", "C", "D", "Z"]  # D and Z only ever have events; C only attributes and outcomes at first
SPELLINGS = ["Call", "call", "Email", "Meeting", "meeting "]


@st.composite
def event_files(draw):
    """Base events and appended events; ids never repeat across files, and may repeat within the append."""
    rng = random.Random(draw(st.integers(0, 10_000)))

    def rows(prefix: str, n: int, months: range, repeat: bool) -> list[str]:
        out = []
        for i in range(n):
            ident = f"{prefix}{rng.randrange(max(1, n // 2)) if repeat else i}"
            day = f"2025-{rng.choice(months):02d}-{rng.randint(1, 28):02d}" if months.start > 0 else \
                f"2024-12-{rng.randint(1, 28):02d}"
            minutes = rng.choice(["", "5", "12", "30"])
            out.append(f"{ident},{rng.choice(ACCOUNTS[:2] + ['D'])},{rng.choice(SPELLINGS[:4])},{day},{minutes}")
        return out

    base = rows("a", draw(st.integers(1, 12)), range(1, 4), repeat=False)
    months = draw(st.sampled_from([range(2, 4), range(4, 7), range(0, 1), range(1, 7)]))
    appended = rows("b", draw(st.integers(1, 12)), months, repeat=draw(st.booleans()))
    accounts = [rng.choice(ACCOUNTS) for _ in appended]
    appended = [f"{r.split(',', 2)[0]},{a},{r.split(',', 2)[2]}" for r, a in zip(appended, accounts)]
    return base, appended


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=event_files(), grain=st.sampled_from(["week", "month", "quarter"]))
def test_any_append_of_new_events_gives_the_full_builds_marts(fresh, files, grain):
    base, appended = files
    header = "Activity ID,Account,Type,Date,Minutes\n"
    base_files = [BASE_FILES[0], ("events.csv", "activity_events", header + "\n".join(base)), BASE_FILES[5]]
    append_file = ("events_more.csv", "activity_events", header + "\n".join(appended))
    con, load = fresh()
    for file in base_files:
        load(*file)
    build(con, grain)
    load(*append_file)
    refresh(con, grain)  # appended, or rebuilt where a spelling brings a new type (a fallback tested above)
    assert_same_marts(con, full_build_of(fresh, base_files + [append_file], grain))
