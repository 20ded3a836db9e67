"""Take new activity-event loads into the marts without rebuilding the history.

A monthly export only adds events, yet a full build counts every event again. When the loads
since the last build add and replace nothing older (no activity id loaded before, no undo since,
no new activity type, the grain as built), the marts change only where the new events fall:

- the counts of their account × period × type (int_activities_counted is a sum, so it adds up);
- the panel rows of those account × periods, and new rows for new periods and new accounts;
- accounts that now have activity, the per-type spellings, totals and reach, and the months touched.

`refresh` applies exactly that, in one transaction, and runs the full build for anything else.
The two give the same marts row for row (tests/pipelines/sql/test_sql_append.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from pipelines.build import (BuildResult, activity_spans, activity_zero_fills, build, built_by_these_models, built_grain,
                             model_sql, models_stored, panel_is_current, run_checks, set_grain)
from pipelines.config import DEFAULT_GRAIN
from pipelines.db import quote_ident

# the working tables of one append, dropped after it
_TEMP_TABLES = ("_delta", "_labels_delta", "_new_periods", "_accounts_new", "_accounts_flipped", "_pairs_new",
                "_touched", "_values_touched", "_rows_new", "_values_new", "_months")


@dataclass(frozen=True)
class _Plan:
    grain: str
    built_through: int  # the last load the marts were built with
    new_loads: tuple[int, ...]


def refresh(con: duckdb.DuckDBPyConnection, grain: str | None = None) -> BuildResult:
    """Bring the marts up to date with the loads: only the new events when that is exact, else a full build."""
    grain = grain or built_grain(con) or DEFAULT_GRAIN
    plan = _plan(con, grain)
    if plan is not None:
        result = _take_in(con, plan)
        if result is not None:
            return result
    return build(con, grain)


def rebuild_if_behind(con: duckdb.DuckDBPyConnection) -> BuildResult | None:
    """Bring the marts in line when a load or undo landed without its build (a killed process); else nothing."""
    if panel_is_current(con):
        return None
    return refresh(con)


def _plan(con: duckdb.DuckDBPyConnection, grain: str) -> _Plan | None:
    """The new loads when they can be appended, else None (a full build is needed)."""
    if built_grain(con) != grain or not models_stored(con) or not built_by_these_models(con):
        return None
    built_through, n_active_built = con.execute("select last_load_id, n_active_loads from build_info").fetchone()
    new = con.execute("""select l.load_id, l.kind, l.undone_at is null, s.n_rows
                         from loads l left join load_supersedes s using (load_id)
                         where l.load_id > ? order by l.load_id""", [built_through]).fetchall()
    n_active = con.execute("select count(*) from loads where undone_at is null").fetchone()[0]
    if not new or n_active != n_active_built + len(new):  # an undo since the build changes the history
        return None
    if any(kind != "activity_events" or not active or replaced != 0 for _, kind, active, replaced in new):
        return None
    ids = [load_id for load_id, *_ in new]
    others = con.execute("""select (select count(*) from raw_account_attributes where list_contains($ids, load_id))
                                 + (select count(*) from raw_account_spans where list_contains($ids, load_id))""",
                         {"ids": ids}).fetchone()[0]
    if others:  # an events file that also named new accounts (their names) or declared spans
        return None
    return _Plan(grain, built_through, tuple(load_id for load_id, *_ in new))


def _take_in(con: duckdb.DuckDBPyConnection, plan: _Plan) -> BuildResult | None:
    """Apply the new loads to the marts; None (and nothing changed) when they turn out to need a full build."""
    set_grain(con, plan.grain)
    con.execute("begin transaction")
    try:
        if not _apply(con, plan):
            con.execute("rollback")
            return None
        built_at = datetime.now()
        con.execute("update build_info set built_at = ?, last_load_id = ?, "
                    "n_active_loads = (select count(*) from loads where undone_at is null)",
                    [built_at, plan.new_loads[-1]])
        n_accounts = con.execute("select count(*) from accounts").fetchone()[0]
        n_periods = con.execute("select count(*) from int_periods_spanned").fetchone()[0]
        n_rows = con.execute("select count(*) from account_periods").fetchone()[0]
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.execute("set variable payoff_loads_after = 0")
        for name in _TEMP_TABLES:
            con.execute(f"drop table if exists {name}")
    return BuildResult(plan.grain, n_accounts, n_periods, n_rows, run_checks(con), built_at, appended=True)


def _apply(con: duckdb.DuckDBPyConnection, plan: _Plan) -> bool:
    """The incremental build, inside the caller's transaction; False when the loads need a full build."""
    since = {"since": plan.built_through}
    # the new loads' own repeats of an activity id, and their counts, by the models' own SQL on the new loads only
    con.execute("set variable payoff_loads_after = ?", [plan.built_through])
    con.execute("insert into stg_activity_superseded " + model_sql("staging", "stg_activity_superseded"))
    con.execute("create or replace temp table _delta as " + model_sql("intermediate", "int_activities_counted"))
    con.execute("create or replace temp table _labels_delta as " + model_sql("intermediate", "int_activity_labels"))
    con.execute("set variable payoff_loads_after = 0")

    dated_keys = [k for (k,) in con.execute("select distinct activity_key from int_activities_counted "
                                            "where period_on is not null order by 1").fetchall()]
    delta_keys = [k for (k,) in con.execute("select distinct activity_key from _delta order by 1").fetchall()]
    if not delta_keys:
        return True  # no new activity survived (rows that repeat others): nothing else changes
    if set(delta_keys) - set(dated_keys):
        return False  # a new activity type is a new panel column
    old_spans = {key: (lo, hi, counts_only) for key, lo, hi, counts_only in activity_spans(con, plan.built_through)}
    span_lo, span_hi = con.execute("select min(period_on), max(period_on) from int_activities_counted").fetchone()
    new_lo, new_hi = con.execute("select least(min(period_on), ?::date), greatest(max(period_on), ?::date) "
                                 "from _delta", [span_lo, span_hi]).fetchone()

    _extend_periods(con, new_lo, new_hi)
    _add_accounts(con)
    # account × type pairs met for the first time: each adds one account to that type's reach
    con.execute("""create or replace temp table _pairs_new as
                   select distinct account_id, activity_key from _delta
                   anti join int_activities_counted using (account_id, activity_key)""")
    con.execute("""update int_activities_counted c
                   set n_activities = c.n_activities + d.n_activities,
                       minutes = coalesce(c.minutes + d.minutes, c.minutes, d.minutes),
                       n_timed = c.n_timed + d.n_timed
                   from _delta d
                   where c.account_id = d.account_id and c.period_on = d.period_on and c.activity_key = d.activity_key""")
    con.execute("""insert into int_activities_counted by name
                   select * from _delta anti join int_activities_counted using (account_id, period_on, activity_key)""")
    _update_panel(con, delta_keys, old_spans)
    _update_activity_types(con)
    _update_activity_monthly(con, since)
    # customer spans move with every new sign of life; one row per account, remade by the model itself
    con.execute("create or replace table account_spans as " + model_sql("marts", "account_spans"))
    return True


def _extend_periods(con: duckdb.DuckDBPyConnection, lo, hi) -> None:
    """Periods of the new events outside the spine, with every period between them and it."""
    con.execute("""create or replace temp table _new_periods as
                   select period_on from (
                       select unnest(generate_series(least(min(period_on), $lo), greatest(max(period_on), $hi),
                                                     getvariable('payoff_period_step')::interval))::date as period_on
                       from int_periods_spanned
                   )
                   anti join int_periods_spanned using (period_on)""", {"lo": lo, "hi": hi})
    con.execute("insert into int_periods_spanned select period_on from _new_periods")


def _add_accounts(con: duckdb.DuckDBPyConnection) -> None:
    """Accounts first seen in the new events, and known ones that had no activity until now."""
    con.execute("""create or replace temp table _accounts_new as
                   select distinct account_id from _delta anti join int_accounts_unioned using (account_id)""")
    con.execute("""create or replace temp table _accounts_flipped as
                   select account_id from int_accounts_unioned
                   where not has_activity and account_id in (select account_id from _delta)""")
    con.execute("insert into int_accounts_unioned select account_id, false, true, false from _accounts_new")
    con.execute("insert into accounts by name select account_id, false as has_attributes, true as has_activity, "
                "false as has_outcome from _accounts_new")
    for table in ("int_accounts_unioned", "accounts", "account_periods"):
        con.execute(f"update {table} set has_activity = true "
                    "where account_id in (select account_id from _accounts_flipped)")
    # amounts and counts are zero, not missing, for every account inside each outcome's span
    con.execute("""insert into int_outcomes_aggregated
                   with spans as (
                       select outcome_key, any_value(outcome_kind) as outcome_kind,
                              min(period_on) as lo, max(period_on) as hi
                       from int_outcomes_aggregated
                       where period_on is not null and outcome_kind in ('amount', 'count')
                       group by outcome_key
                   )
                   select a.account_id, p.period_on, s.outcome_key, s.outcome_kind, 0::double, 0::bigint
                   from _accounts_new a
                   cross join int_periods_spanned p
                   join spans s on p.period_on between s.lo and s.hi""")


def _update_panel(con: duckdb.DuckDBPyConnection, delta_keys: list[str], old_spans: dict[str, tuple]) -> None:
    """The panel rows the new events touch, fill with zeros or add (see build.activity_zero_fills)."""
    fills = activity_zero_fills(con)
    # periods already in the panel that a type's zeros now reach (its span grew, or a type known from count
    # exports alone has events now: its zeros reach every account): no activity there is 0
    for key, lo, hi, counts_only in activity_spans(con):
        if old_spans.get(key) != (lo, hi, counts_only):
            col = quote_ident(f"n_{key}")
            old_lo, old_hi, was_counts_only = old_spans.get(key, (None, None, False))
            con.execute(f"""update account_periods set {col} = coalesce({col}, 0)
                            where period_on between $lo and $hi
                              and ($was_counts_only or not coalesce(period_on between $old_lo and $old_hi, false))""",
                        {"lo": lo, "hi": hi, "old_lo": old_lo, "old_hi": old_hi, "was_counts_only": was_counts_only})

    # rows already in the panel: the new counts of the types the new events have
    con.execute("""create or replace temp table _touched as
                   select distinct account_id, period_on from _delta
                   where account_id not in (select account_id from _accounts_new)
                     and period_on not in (select period_on from _new_periods)""")
    cols = [quote_ident(f"n_{k}") for k in delta_keys]
    picks = ", ".join(f"max(c.n_activities) filter (where c.activity_key = $k{i}) as {col}" for i, col in enumerate(cols))
    con.execute(f"""create or replace temp table _values_touched as
                    select c.account_id, c.period_on, {picks}
                    from int_activities_counted c semi join _touched t using (account_id, period_on)
                    group by c.account_id, c.period_on""", {f"k{i}": k for i, k in enumerate(delta_keys)})
    con.execute(f"""update account_periods p set {', '.join(f'{c} = coalesce(v.{c}, p.{c})' for c in cols)}
                    from _values_touched v
                    where p.account_id = v.account_id and p.period_on = v.period_on""")

    # new rows: every account in the new periods, and the new accounts in every period
    con.execute("""create or replace temp table _rows_new as
                   select a.account_id, p.period_on from int_accounts_unioned a cross join _new_periods p
                   union
                   select a.account_id, p.period_on from _accounts_new a cross join int_periods_spanned p""")
    account_cols = {name for (name,) in con.execute("select column_name from (describe accounts)").fetchall()}
    value_cols = [name for (name,) in con.execute("select column_name from (describe account_periods)").fetchall()
                  if name not in account_cols and name != "period_on"]
    picks = ", ".join(f"first(v.value) filter (where v.column_name = $c{i}) as {quote_ident(name)}"
                      for i, name in enumerate(value_cols))
    con.execute(f"""create or replace temp table _values_new as
                    select r.account_id, r.period_on{', ' + picks if picks else ''}
                    from _rows_new r
                    left join (select * from int_panel_values_unpivoted
                               where account_id in (select account_id from _accounts_new)
                                  or period_on in (select period_on from _new_periods)) v
                        on v.account_id = r.account_id and v.period_on = r.period_on
                    group by r.account_id, r.period_on""", {f"c{i}": name for i, name in enumerate(value_cols)})
    replaced = f" replace ({', '.join(f'{sql} as {col}' for col, sql in fills.items())})" if fills else ""
    con.execute(f"""insert into account_periods by name
                    select v.*{replaced}, a.* exclude (account_id)
                    from _values_new v left join accounts a using (account_id)""")


def _update_activity_types(con: duckdb.DuckDBPyConnection) -> None:
    """Per-type spellings and reach plus the new events; the per-type mart is remade from them (a few rows)."""
    con.execute("""update int_activity_labels l
                   set n_rows = l.n_rows + d.n_rows,
                       n_activities = l.n_activities + d.n_activities,
                       first_on = least(l.first_on, d.first_on),
                       last_on = greatest(l.last_on, d.last_on),
                       minutes = coalesce(l.minutes + d.minutes, l.minutes, d.minutes),
                       n_timed = l.n_timed + d.n_timed
                   from _labels_delta d
                   where l.activity_key = d.activity_key and l.activity_label = d.activity_label""")
    con.execute("""insert into int_activity_labels by name
                   select * from _labels_delta anti join int_activity_labels using (activity_key, activity_label)""")
    con.execute("""update int_activity_reach r set n_accounts = r.n_accounts + p.n_accounts
                   from (select activity_key, count(*) as n_accounts from _pairs_new group by activity_key) p
                   where r.activity_key = p.activity_key""")
    con.execute("delete from activity_types")
    con.execute("insert into activity_types " + model_sql("marts", "activity_types"))


def _update_activity_monthly(con: duckdb.DuckDBPyConnection, since: dict) -> None:
    """The calendar months the new events fall in, recounted by the mart's own SQL."""
    con.execute("""create or replace temp table _months as
                   select distinct date_trunc('month', occurred_on)::date as month_on
                   from stg_activity_events where load_id > $since""", since)
    con.execute("delete from activity_monthly where month_on in (select month_on from _months)")
    con.execute("insert into activity_monthly select * from (" + model_sql("marts", "activity_monthly") + ") "
                "where month_on in (select month_on from _months)")
