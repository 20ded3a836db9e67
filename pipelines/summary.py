"""What is loaded: small tidy frames the pages, the CLI and reports read from the marts."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from pipelines.build import built_grain
from pipelines.db import table_exists


@dataclass(frozen=True)
class Overview:
    """Headline counts of what the database holds."""

    n_accounts: int
    n_activities: int
    n_activity_types: int
    n_outcomes: int
    n_loads: int
    first_on: object
    last_on: object
    grain: str | None

    @property
    def empty(self) -> bool:
        return self.n_loads == 0


def overview(con: duckdb.DuckDBPyConnection) -> Overview:
    """Counts of accounts, activities, outcomes and active loads (zeros before the first build)."""
    n_loads = con.execute("select count(*) from loads where undone_at is null").fetchone()[0]
    if not table_exists(con, "activity_types"):
        return Overview(0, 0, 0, 0, n_loads, None, None, None)
    n_accounts = con.execute("select count(*) from accounts").fetchone()[0]
    n_act, n_types, first_on, last_on = con.execute(
        "select coalesce(sum(n_activities), 0), count(*), min(first_on), max(last_on) from activity_types"
    ).fetchone()
    n_outcomes = con.execute("select count(*) from outcome_types").fetchone()[0]
    return Overview(n_accounts, int(n_act), n_types, n_outcomes, n_loads, first_on, last_on, built_grain(con))


def activity_types(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each activity type's volume, reach, span and logged hours, busiest first."""
    if not table_exists(con, "activity_types"):
        return pd.DataFrame()
    return con.execute("""select activity_label as activity, n_activities as activities, n_accounts as accounts,
                                 first_on as first_logged, last_on as last_logged,
                                 round(minutes / 60.0, 1) as hours_logged, n_timed as activities_with_duration
                          from activity_types order by n_activities desc""").df()


def activity_by_month(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Activities logged per calendar month and type (long form, for a stacked chart)."""
    if not table_exists(con, "activity_monthly"):
        return pd.DataFrame(columns=["month_on", "activity", "activities"])
    return con.execute("""select m.month_on, t.activity_label as activity, m.n_activities as activities
                          from activity_monthly m join activity_types t using (activity_key)
                          order by m.month_on, t.activity_label""").df()


def outcome_types(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each outcome with its kind, volume, reach and span."""
    if not table_exists(con, "outcome_types"):
        return pd.DataFrame()
    return con.execute("""select outcome_key as outcome, outcome_kind as kind, n_rows as records,
                                 n_accounts as accounts, first_on, last_on,
                                 case when outcome_kind = 'binary' then round(100.0 * n_yes / n_rows, 1) end
                                     as yes_percent,
                                 case when outcome_kind <> 'binary' then total_value end as total
                          from outcome_types order by outcome_key""").df()


def customer_spans(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """When each account was a customer, and the rule that says so (the account_spans mart)."""
    if not table_exists(con, "account_spans"):
        return pd.DataFrame()
    return con.execute("""select account_id as account, started_on, start_rule, ended_on, end_rule,
                                 first_seen_on, last_seen_on
                          from account_spans order by ended_on nulls last, account_id""").df()


def accounts_by(con: duckdb.DuckDBPyConnection, attribute: str) -> pd.DataFrame:
    """Number of accounts per value of one text attribute (e.g. segment)."""
    if not table_exists(con, "int_attributes_typed"):
        return pd.DataFrame(columns=["value", "accounts"])
    return con.execute("""select coalesce(value_text, '(blank)') as value, count(*) as accounts
                          from int_attributes_typed where attribute_key = ? and not is_numeric
                          group by 1 order by accounts desc""", [attribute]).df()


def attribute_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Text attributes with few enough values to group accounts by."""
    if not table_exists(con, "int_attributes_typed"):
        return []
    rows = con.execute("""select attribute_key from int_attributes_typed where not is_numeric
                          group by attribute_key having count(distinct value_text) <= 30
                          order by attribute_key""").fetchall()
    return [r[0] for r in rows]


def attribute_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Values of each text attribute with few values (segment, region, team...), for filters."""
    if not table_exists(con, "int_attributes_typed"):
        return {}
    rows = con.execute("""select attribute_key, list(distinct value_text order by value_text)
                          from int_attributes_typed where not is_numeric and value_text is not null
                          group by attribute_key having count(distinct value_text) <= 30
                          order by attribute_key""").fetchall()
    return {key: list(values) for key, values in rows}


def data_quality(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """Accounts with no activity, outcome records per month, and what each check found."""
    from pipelines.build import check_rows, model_sql, run_checks

    if not table_exists(con, "int_accounts_unioned"):
        return {}
    quiet = con.execute("""select u.account_id, u.has_outcome
                           from int_accounts_unioned u where not u.has_activity
                           order by u.account_id""").df()
    monthly = "outcome_monthly" if table_exists(con, "outcome_monthly") else f"({model_sql('marts', 'outcome_monthly')})"
    coverage = con.execute(f"""select month_on, outcome_key as outcome, n_records as records, n_accounts as accounts
                               from {monthly} order by month_on, outcome""").df()  # a database built before the mart
    checks = {name: check_rows(con, name) for name in run_checks(con)}
    return {"accounts_without_activity": quiet, "outcome_coverage": coverage, **{f"check:{k}": v for k, v in checks.items()}}


def trends(con: duckdb.DuckDBPyConnection, filters=None) -> dict[str, pd.DataFrame]:
    """Per period: each outcome's total (or yes rate) and each activity's total, for the chosen accounts, over
    the periods each account was a customer (customer_periods: an account's calls after it left are not the
    activity of a customer)."""
    from pipelines.stats.frames import customer_periods, read_panel

    if not table_exists(con, "account_periods"):
        return {"outcomes": pd.DataFrame(), "activities": pd.DataFrame()}
    panel = read_panel(con)
    if filters is not None:
        panel = filters.apply(panel)
    panel, _ = customer_periods(panel[panel["period_on"].notna()])
    kinds = dict(con.execute("select outcome_key, outcome_kind from outcome_types").fetchall())
    labels = dict(con.execute("select activity_key, activity_label from activity_types").fetchall())
    rows = []
    for key, kind in kinds.items():
        col = f"o_{key}"
        if col not in panel:
            continue
        if kind == "binary":
            n = panel[f"{col}_n"]
            yes = (panel[col] * n).groupby(panel["period_on"]).sum()
            events = n.groupby(panel["period_on"]).sum()
            value = (100 * yes / events.where(events > 0)).rename("value")
            unit = "% yes"
        else:
            value = panel.groupby("period_on")[col].sum(min_count=1).rename("value")
            unit = "total"
        rows.append(value.reset_index().assign(outcome=key, kind=kind, unit=unit))
    outcomes = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    acts = [c for c in panel.columns if c.startswith("n_")]
    # a type's periods outside its logged span are unknown, not zero (an outcome export reaching years before
    # the activity exports must not draw years of no activity): no point there
    activities = (panel.groupby("period_on")[acts].sum(min_count=1).reset_index()
                  .melt(id_vars="period_on", var_name="key", value_name="activities")
                  .dropna(subset=["activities"]).reset_index(drop=True))
    activities["activity"] = activities["key"].str[2:].map(labels).fillna(activities["key"].str[2:])
    return {"outcomes": outcomes, "activities": activities.drop(columns="key")}
