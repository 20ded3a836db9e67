"""Build the SQL models, staging -> intermediate -> marts, in one transaction at a chosen grain.

Models are stored as tables, except the few in SQL_VIEWS that are cheap to read as they
stand: activity events once were a view that re-ran the de-duplication over every raw row for
each of its readers; now the rows it drops are a table (stg_activity_superseded) and the view
is a scan with an anti-join. The panel's values in long form are a view that only the panel's
pivot reads.

Loads that only add events need not rebuild anything: pipelines/append.py takes them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from pipelines.config import CUSTOMER_GRACE_DAYS, DEFAULT_GRAIN, GRAINS, PERIOD_STEPS, RETIRED_MODELS, SQL_MODELS, SQL_VIEWS
from pipelines.db import SQL_DIR, quote_ident, sql_text
from pipelines.errors import PayoffError

if TYPE_CHECKING:  # only for annotations: importing pandas costs every command a quarter of a second
    import pandas as pd


@dataclass
class BuildResult:
    """What a build produced: the grain, the panel's size and the data checks that found rows.

    appended: only the new loads' events were taken in (pipelines/append.py), not a full rebuild.
    """

    grain: str
    n_accounts: int
    n_periods: int
    n_panel_rows: int
    failed_checks: dict[str, int]
    built_at: datetime
    appended: bool = False


def build(con: duckdb.DuckDBPyConnection, grain: str = DEFAULT_GRAIN, *, temporary: bool = False) -> BuildResult:
    """Rebuild every model; readers see the old marts or the new ones, never a mix.

    temporary=True builds the models as temp tables of this connection only (works on a
    read-only connection): a private panel at another grain, the database file untouched.
    """
    if grain not in GRAINS:
        raise PayoffError(f"unknown grain '{grain}'; expected one of {', '.join(GRAINS)}")
    set_grain(con, grain)
    con.execute("set variable payoff_loads_after = 0")  # every load (pipelines/append.py reads only new ones)
    stored = {} if temporary else stored_kinds(con)
    reuse_staging = temporary and models_stored(con, "staging")
    con.execute("begin transaction")
    try:
        if not temporary:
            for name in RETIRED_MODELS:
                con.execute(f"drop table if exists {quote_ident(name)}")
        for layer, names in SQL_MODELS.items():
            if layer == "staging" and reuse_staging:
                continue  # staging does not depend on the grain: a private panel reads the stored one
            for name in names:
                body = model_sql(layer, name)
                kind = "view" if name in SQL_VIEWS else "table"
                was = stored.get(name)
                if was and was != _STORED_AS[kind]:  # a database built when this model was stored otherwise
                    con.execute(f"drop {'view' if was == 'VIEW' else 'table'} {quote_ident(name)}")
                scope = "temp " if temporary else ""
                if name == "account_periods":
                    body = _with_activity_zeros(con, body)
                con.execute(f"create or replace {scope}{kind} {quote_ident(name)} as {body}")
        n_accounts = con.execute("select count(*) from accounts").fetchone()[0]
        n_periods = con.execute("select count(*) from int_periods_spanned").fetchone()[0]
        n_rows = con.execute("select count(*) from account_periods").fetchone()[0]
        built_at = datetime.now()
        con.execute(f"create or replace {'temp ' if temporary else ''}table build_info as select ? as grain, ? as built_at, "
                    "(select coalesce(max(load_id), 0) from loads) as last_load_id, "
                    "(select count(*) from loads where undone_at is null) as n_active_loads",
                    [grain, built_at])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return BuildResult(grain, n_accounts, n_periods, n_rows, run_checks(con), built_at)


def _with_activity_zeros(con: duckdb.DuckDBPyConnection, panel_sql: str) -> str:
    """The panel with explicit zeros: no activity logged in a period the activity data covers is 0.

    Filled here, column by column on the wide panel, rather than by a dense account × period ×
    type grid before the pivot (7M rows at 50,000 accounts): only dated types get zeros (a type
    known from undated counts alone stays null in dated periods), and only inside the span of
    dated activity, as before it the exports simply say nothing.
    """
    keys = [k for (k,) in con.execute("select distinct activity_key from int_activities_counted "
                                      "where period_on is not null order by 1").fetchall()]
    if not keys:
        return panel_sql
    # PIVOT runs as several statements, which take no parameters: the span goes in as variables
    con.execute("set variable payoff_activity_lo = (select min(period_on) from int_activities_counted)")
    con.execute("set variable payoff_activity_hi = (select max(period_on) from int_activities_counted)")
    in_span = "period_on between getvariable('payoff_activity_lo') and getvariable('payoff_activity_hi')"
    fills = ", ".join(f"case when {in_span} then coalesce({col}, 0) else {col} end as {col}"
                      for col in (quote_ident(f"n_{key}") for key in keys))
    return f"select * replace ({fills}) from ({panel_sql})"


def set_grain(con: duckdb.DuckDBPyConnection, grain: str) -> None:
    """The grain the models read (payoff_grain), and one period at it (payoff_period_step)."""
    con.execute("set variable payoff_grain = ?", [grain])
    con.execute("set variable payoff_period_step = ?", [PERIOD_STEPS[grain]])
    con.execute("set variable payoff_grace_days = ?", [CUSTOMER_GRACE_DAYS])


def model_sql(layer: str, name: str) -> str:
    """One model's SQL (pipelines/sql/<layer>/<name>.sql)."""
    return sql_text(f"{layer}/{name}.sql")


def stored_kinds(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """How each table or view in the database file is stored: name -> 'BASE TABLE' or 'VIEW'."""
    return dict(con.execute("select table_name, table_type from information_schema.tables "
                            "where table_schema = 'main' and table_catalog = current_database()").fetchall())


_STORED_AS = {"table": "BASE TABLE", "view": "VIEW"}  # information_schema's table_type


def models_stored(con: duckdb.DuckDBPyConnection, *layers: str) -> bool:
    """Whether the models of these layers (all, if none named) are stored as this version builds them."""
    have = stored_kinds(con)
    return all(have.get(name) == _STORED_AS["view" if name in SQL_VIEWS else "table"]
               for layer in (layers or SQL_MODELS) for name in SQL_MODELS[layer])


def run_checks(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Run each check query; a check passes when it returns no rows. Returns the failing ones."""
    failed = {}
    for path in sorted((SQL_DIR / "checks").glob("*.sql")):
        n = con.execute(f"select count(*) from ({path.read_text(encoding='utf-8')})").fetchone()[0]
        if n:
            failed[path.stem] = n
    return failed


def check_rows(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """The rows one check found."""
    path = SQL_DIR / "checks" / f"{name}.sql"
    if not path.exists():
        raise PayoffError(f"no check named '{name}'")
    return con.execute(path.read_text(encoding="utf-8")).df()


def built_grain(con: duckdb.DuckDBPyConnection) -> str | None:
    """The grain the marts were last built at, or None when they were never built."""
    try:
        row = con.execute("select grain from build_info").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def panel_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the marts were built after the last load and undo.

    A load or undo commits before the panel is rebuilt; a process killed between the two
    leaves the loads right and the panel behind. Writers check this and rebuild.
    """
    try:
        built = con.execute("select last_load_id, n_active_loads from build_info").fetchone()
    except duckdb.CatalogException:
        built = None
    now = con.execute("select coalesce(max(load_id), 0), count(*) filter (where undone_at is null) "
                      "from loads").fetchone()
    if built is None:
        return now[0] == 0
    return tuple(built) == tuple(now)
