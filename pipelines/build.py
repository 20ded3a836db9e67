"""Build the SQL models, staging -> intermediate -> marts, in one transaction at a chosen grain.

Models are stored as tables, except the few in SQL_VIEWS that are cheap to read as they
stand: activity events once were a view that re-ran the de-duplication over every raw row for
each of its readers; now the rows it drops are a table (stg_activity_superseded) and the view
is a scan with an anti-join. The panel's values in long form are a view that only the panel's
pivot reads.

Loads that only add events need not rebuild anything: pipelines/append.py takes them in.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Callable

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
    reuse_staging = temporary and models_stored(con, "staging")

    def made_by(layer: str, name: str) -> tuple[str, list] | None:
        if layer == "staging" and reuse_staging:
            return None  # staging does not depend on the grain: a private panel reads the stored one
        body = model_sql(layer, name)
        return (_with_activity_zeros(con, body) if name == "account_periods" else body), []

    return replace_models(con, grain, made_by, temporary=temporary)


def replace_models(con: duckdb.DuckDBPyConnection, grain: str,
                   made_by: Callable[[str, str], tuple[str, list] | None], *, temporary: bool = False) -> BuildResult:
    """Replace every model in one transaction (readers see the old marts or the new ones, never a mix), note the
    build in build_info, then run the checks. made_by(layer, name) gives the select that makes a model and its
    parameters (the model's own SQL here; the Spark build's Parquet read back, pipelines/spark.py), or None to
    keep the stored one. Models stored otherwise by an older version, and retired ones, are dropped."""
    stored = {} if temporary else stored_kinds(con)
    scope = "temp " if temporary else ""
    con.execute("begin transaction")
    try:
        if not temporary:
            for name in RETIRED_MODELS:
                con.execute(f"drop table if exists {quote_ident(name)}")
        for layer, names in SQL_MODELS.items():
            for name in names:
                made = made_by(layer, name)
                if made is None:
                    continue
                kind = "view" if name in SQL_VIEWS else "table"
                was = stored.get(name)
                if was and was != _STORED_AS[kind]:  # a database built when this model was stored otherwise
                    con.execute(f"drop {'view' if was == 'VIEW' else 'table'} {quote_ident(name)}")
                sql, params = made  # no parameters, no prepared statement: DuckDB's PIVOT cannot be prepared
                con.execute(f"create or replace {scope}{kind} {quote_ident(name)} as {sql}", params or None)
        result = record_build(con, grain, temporary=temporary)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    result.failed_checks = run_checks(con)
    return result


def record_build(con: duckdb.DuckDBPyConnection, grain: str, *, temporary: bool = False) -> BuildResult:
    """Note in build_info what the models were built from (inside the build's transaction); the checks
    are run by the caller after the commit."""
    n_accounts = con.execute("select count(*) from accounts").fetchone()[0]
    n_periods = con.execute("select count(*) from int_periods_spanned").fetchone()[0]
    n_rows = con.execute("select count(*) from account_periods").fetchone()[0]
    built_at = datetime.now()
    con.execute(f"create or replace {'temp ' if temporary else ''}table build_info as select ? as grain, ? as built_at, "
                "(select coalesce(max(load_id), 0) from loads) as last_load_id, "
                "(select count(*) from loads where undone_at is null) as n_active_loads, "
                "? as models_digest",
                [grain, built_at, models_digest()])
    return BuildResult(grain, n_accounts, n_periods, n_rows, {}, built_at)


def _with_activity_zeros(con: duckdb.DuckDBPyConnection, panel_sql: str) -> str:
    """The panel with explicit zeros: no activity logged in a period the activity's data covers is 0.

    Filled here, column by column on the wide panel, rather than by a dense account × period ×
    type grid before the pivot (7M rows at 50,000 accounts). See activity_zero_fills for where a
    type's zeros are known.
    """
    fills = activity_zero_fills(con)
    if not fills:
        return panel_sql
    return f"select * replace ({', '.join(f'{sql} as {col}' for col, sql in fills.items())}) from ({panel_sql})"


def activity_zero_fills(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each dated activity column (quoted) -> the SQL of its value with zeros where nothing logged means none
    (zero_fill_columns), its spans bound as session variables of `con`."""
    fills, variables = zero_fill_columns(activity_spans(con))
    for name, value in variables.items():  # the spans' bounds are dates, bound as dates
        con.execute(f"set variable {name} = ?", [value])
    return fills


def zero_fill_columns(spans: list[tuple]) -> tuple[dict[str, str], dict[str, object]]:
    """Each dated activity column (quoted) -> the SQL of its value with zeros where nothing logged means none,
    and the variables that SQL reads.

    Unknown is not zero: a type's zeros reach over its span (activity_spans) only, and a type known only
    from count exports is zero only for the accounts those exports list: elsewhere they do not speak.

    The spans go in as session variables (PIVOT runs as several statements, which take no parameters),
    one per type by position: no name from an export is spliced into the SQL.
    """
    fills, variables = {}, {}
    for i, (key, lo, hi, counts_only) in enumerate(spans):
        variables[f"payoff_activity_{i}"] = key
        variables[f"payoff_activity_lo_{i}"] = lo
        variables[f"payoff_activity_hi_{i}"] = hi
        known = f"period_on between getvariable('payoff_activity_lo_{i}') and getvariable('payoff_activity_hi_{i}')"
        if counts_only:
            known += (f" and account_id in (select account_id from int_activities_counted "
                      f"where activity_key = getvariable('payoff_activity_{i}'))")
        col = quote_ident(f"n_{key}")
        fills[col] = f"case when {known} then coalesce({col}, 0) else {col} end"
    return fills, variables


def activity_spans(con: duckdb.DuckDBPyConnection, through_load: int | None = None) -> list[tuple]:
    """Each dated activity type's span at the build grain, and whether only count exports log it:
    (key, first period, last period, counts only), of the loads up to through_load (all if None).

    A type's span starts where it is first logged (a type first seen in September says nothing about the
    months before) and ends where the exports that log it end: a type no longer logged while its
    export goes on is done no more, which is a zero.
    """
    return con.execute(ACTIVITY_SPANS_SQL, {"through": through_load if through_load is not None else 2**62}).fetchall()


# Each dated activity type's span (see activity_spans); $through: the last load read.
ACTIVITY_SPANS_SQL = """
        with logged as (
            select load_id, activity_key, occurred_on as logged_on, false as from_counts
            from stg_activity_events where occurred_on is not null and load_id <= $through
            union all
            select load_id, activity_key, period_on, true
            from stg_activity_counts where period_on is not null and load_id <= $through
        ),
        per_load as (
            select load_id, activity_key, min(logged_on) as lo, bool_and(from_counts) as from_counts
            from logged group by load_id, activity_key
        ),
        load_ends as (
            select load_id, max(logged_on) as load_end from logged group by load_id
        )
        select activity_key,
               date_trunc(getvariable('payoff_grain'), min(lo))::date,
               date_trunc(getvariable('payoff_grain'), max(load_end))::date,
               bool_and(from_counts)
        from per_load join load_ends using (load_id)
        group by activity_key
        order by activity_key"""


def model_variables(grain: str) -> dict[str, object]:
    """The session variables the models read at a grain: its name (payoff_grain), one period at it
    (payoff_period_step), the customer grace (payoff_grace_days), and every load read (payoff_loads_after)."""
    return {"payoff_grain": grain, "payoff_period_step": PERIOD_STEPS[grain],
            "payoff_grace_days": CUSTOMER_GRACE_DAYS, "payoff_loads_after": 0}


def set_grain(con: duckdb.DuckDBPyConnection, grain: str) -> None:
    """The session variables the models read at a grain (model_variables), but payoff_loads_after: the
    build and the append set that themselves."""
    for name, value in model_variables(grain).items():
        if name != "payoff_loads_after":
            con.execute(f"set variable {name} = ?", [value])


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
    """Whether the marts were built after the last load and undo, by this version's models.

    A load or undo commits before the panel is rebuilt; a process killed between the two
    leaves the loads right and the panel behind. A database built by an earlier version has marts
    of other definitions (a column fewer). Writers check this and rebuild; readers build a private panel.
    """
    try:
        built = con.execute("select last_load_id, n_active_loads from build_info").fetchone()
    except duckdb.CatalogException:
        built = None
    now = con.execute("select coalesce(max(load_id), 0), count(*) filter (where undone_at is null) "
                      "from loads").fetchone()
    if built is None:
        return now[0] == 0
    return tuple(built) == tuple(now) and built_by_these_models(con)


def built_by_these_models(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the stored marts were built from this version's model files (models_digest)."""
    try:
        return con.execute("select models_digest from build_info").fetchone()[0] == models_digest()
    except (duckdb.CatalogException, duckdb.BinderException):  # no build, or one from before the digest
        return False


@functools.cache
def models_digest() -> str:
    """A fingerprint of the model and macro files: marts built from other definitions are rebuilt."""
    digest = hashlib.sha256()
    for path in sorted(SQL_DIR.rglob("*.sql")):
        if "checks" not in path.parts:
            digest.update(path.relative_to(SQL_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
