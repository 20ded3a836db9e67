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
