"""Build the panel on Apache Spark from the same model files (`payoff build --engine spark`).

The SQL files in pipelines/sql stay the one definition of every model. `render` turns a model
into Spark SQL with SQLGlot and three transforms of its own:
- session variables (`getvariable('payoff_grain')`) and parameters (`$through`) become literals;
- DuckDB's `PIVOT … ON key USING agg(value) GROUP BY …` becomes a grouped select with one
  `agg(case when key = 'v' then value end)` column per value, in DuckDB's order (sorted), the
  values read from Spark first;
- `* EXCLUDE (…)` and `* REPLACE (…)` are spelled out from the upstream models' schemas.
Everything else SQLGlot translates; a construct it cannot translate raises (the lint in
tests/pipelines/test_spark_sql.py keeps the model files to what both engines run alike).

`build_on_spark` runs it: the raw typed rows the ingest wrote (each export typed on its own, with
row numbers and reject reasons, as on DuckDB) go to Parquet under a warehouse folder, Spark builds
staging → intermediate → marts over them, each model written back to the warehouse, and the
models come back into the DuckDB file in one transaction, where `payoff drivers`, `report` and
`app` read them unchanged. Where the cluster lives is configuration: `spark.master` (default
`local[*]`), or `SPARK_REMOTE` for Spark Connect; the warehouse must then be a path both Spark
and this machine can read (a shared disk, or object storage DuckDB reads too).

PySpark is an optional install (`pip install -e '.[spark]'`); nothing here is imported by the
DuckDB path.
"""

from __future__ import annotations

import os
import shutil
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import duckdb
import logging

from pipelines.build import (ACTIVITY_SPANS_SQL, BuildResult, model_sql, model_variables, replace_models, set_grain,
                             zero_fill_columns)
from pipelines.config import GRAINS, SQL_MODELS, SQL_VIEWS
from pipelines.db import quote_ident
from pipelines.errors import PayoffError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# The raw typed rows and the load log the models read: what goes to the warehouse.
SOURCE_TABLES = ("loads", "raw_activity_events", "raw_activity_counts", "raw_activity_measures",
                 "raw_account_attributes", "raw_outcomes", "raw_account_spans")
DEFAULT_MASTER = "local[*]"
LOG = logging.getLogger("payoff.spark")


# ---------------------------------------------------------------------------------------------
# Rendering: a DuckDB model file as Spark SQL


def render(sql: str, variables: dict, *, pivot_values: Callable[[str, str], list] | None = None,
           schema: Callable[[], dict[str, dict[str, str]]] | None = None) -> str:
    """One model's DuckDB SQL as Spark SQL.

    variables: the session variables and $parameters the model reads, by name.
    pivot_values(source_sql, key_column): the distinct values of a PIVOT's key, as Spark computes them
    (needed only by models that pivot).
    schema(): {model: {column: type}} of the models read (asked only where a star excludes or replaces).
    """
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    tree = tree.transform(lambda node: _bound(node, variables))
    for pivot in list(tree.find_all(exp.Pivot)):
        if pivot_values is None:
            raise PayoffError("this model pivots: render it with pivot_values")
        pivot.replace(_pivot_as_select(pivot, pivot_values))
    if any(star.args.get("except_") or star.args.get("except") or star.args.get("replace")
           for star in tree.find_all(exp.Star)):
        tree = _spelled_out(tree, schema() if schema else {})
    return tree.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)


def _literal(value):
    from sqlglot import exp

    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _bound(node, variables: dict):
    """getvariable('name') and $name as the literal value of the variable."""
    from sqlglot import exp

    name = None
    if isinstance(node, exp.Anonymous) and node.name.lower() == "getvariable" and node.expressions:
        name = node.expressions[0].name
    elif isinstance(node, (exp.Parameter, exp.Placeholder)) and node.name:
        name = node.name
    if name is None:
        return node
    if name not in variables:
        raise PayoffError(f"the model reads the variable '{name}', which the Spark build does not set")
    return _literal(variables[name])


def _pivot_as_select(pivot, pivot_values: Callable[[str, str], list]):
    """PIVOT src ON key USING agg(value) GROUP BY g… as select g…, agg(case when key = v then value end) as v…"""
    from sqlglot import exp

    source = pivot.this
    if isinstance(source, exp.Table):
        source = exp.select("*").from_(source.copy())
    elif isinstance(source, exp.Subquery):
        source = source.this.copy()
    (key,) = pivot.expressions
    (agg,) = pivot.args["using"]
    groups = [g.copy() for g in pivot.args["group"].expressions]
    values = sorted(v for v in pivot_values(source.sql(dialect="spark"), key.sql(dialect="spark")) if v is not None)
    if isinstance(agg, exp.First):  # first() of a cell's values: the models pivot one value per cell
        agg = exp.Max(this=agg.this.copy())
    columns = []
    for value in values:
        cell = exp.Case().when(exp.EQ(this=key.copy(), expression=_literal(value)), agg.this.copy())
        one = agg.copy()
        one.set("this", cell)
        columns.append(exp.alias_(one, exp.to_identifier(str(value), quoted=True)))
    select = exp.select(*groups, *columns).from_(exp.Subquery(this=source, alias=exp.TableAlias(
        this=exp.to_identifier("pivot_source")))).group_by(*[g.copy() for g in groups])
    return exp.Subquery(this=select) if not isinstance(pivot.parent, exp.CTE) else select


def _spelled_out(tree, schema: dict[str, dict[str, str]]):
    """Stars with EXCLUDE or REPLACE written as their columns (Spark SQL has neither)."""
    from sqlglot.optimizer.qualify import qualify

    return qualify(tree, schema=schema, dialect="duckdb", quote_identifiers=False, identify=False,
                   validate_qualify_columns=False, isolate_tables=False)


# ---------------------------------------------------------------------------------------------
# The build


@dataclass
class SparkBuild:
    """A Spark build's timings: the session start apart from the work (seconds)."""

    result: BuildResult
    session_seconds: float
    export_seconds: float
    models_seconds: float
    import_seconds: float


def spark_session(master: str | None = None, driver_memory: str | None = None,
                  partitions: int | None = None) -> SparkSession:
    """A Spark session: Spark Connect when SPARK_REMOTE is set, else `master` (default local[*])."""
    # PySpark warns about pandas 3 on import; Payoff hands Spark no pandas frames, so it does not apply
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise PayoffError("the Spark engine needs PySpark: pip install -e '.[spark]' (and Java 17)") from exc
    builder = SparkSession.builder.appName("payoff")
    if os.environ.get("SPARK_REMOTE"):
        builder = builder.remote(os.environ["SPARK_REMOTE"])
    else:
        builder = (builder.master(master or os.environ.get("PAYOFF_SPARK_MASTER") or DEFAULT_MASTER)
                   .config("spark.driver.memory", driver_memory or os.environ.get("PAYOFF_SPARK_DRIVER_MEMORY", "2g"))
                   .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                   .config("spark.sql.shuffle.partitions",
                           str(partitions or os.environ.get("PAYOFF_SPARK_PARTITIONS", "8"))))
    # dates stay dates in any time zone; without ANSI mode a cast or division that fails gives null, as in DuckDB
    builder = builder.config("spark.sql.session.timeZone", "UTC").config("spark.sql.ansi.enabled", "false")
    session = builder.getOrCreate()
    if not os.environ.get("SPARK_REMOTE"):
        session.sparkContext.setLogLevel("ERROR")  # Spark's INFO and WARN lines would bury Payoff's own output
    return session


def build_on_spark(con: duckdb.DuckDBPyConnection, grain: str, warehouse: str | Path,
                   spark: SparkSession | None = None) -> SparkBuild:
    """Build every model on Spark over the raw rows of `con`, and store them in `con` as build() would."""
    if grain not in GRAINS:
        raise PayoffError(f"unknown grain '{grain}'; expected one of {', '.join(GRAINS)}")
    warehouse = Path(warehouse)
    started = time.perf_counter()
    spark = spark or spark_session()
    session_seconds = time.perf_counter() - started

    started = time.perf_counter()
    _export_sources(con, warehouse / "sources")
    export_seconds = time.perf_counter() - started

    started = time.perf_counter()
    set_grain(con, grain)
    variables = model_variables(grain)
    for table in SOURCE_TABLES:
        spark.read.parquet(str(warehouse / "sources" / table)).createOrReplaceTempView(table)
    models = warehouse / "models"
    for layer, names in SQL_MODELS.items():
        for name in names:
            sql = model_sql(layer, name)
            if name == "account_periods":
                sql = _with_zero_fills(spark, sql, variables)
            began = time.perf_counter()
            text = render(sql, variables, pivot_values=lambda src, key: _distinct(spark, src, key),
                          schema=lambda: _schemas(spark))
            try:
                frame = spark.sql(text)
            except Exception as exc:
                raise PayoffError(f"the model {name} did not run on Spark: {exc}\n{text}") from exc
            if name in SQL_VIEWS:
                frame.createOrReplaceTempView(name)
            else:
                frame.write.mode("overwrite").parquet(str(models / name))
                spark.read.parquet(str(models / name)).createOrReplaceTempView(name)
            LOG.info("%s on Spark: %.1f s", name, time.perf_counter() - began)
    models_seconds = time.perf_counter() - started

    started = time.perf_counter()
    result = _store(con, grain, models)
    import_seconds = time.perf_counter() - started
    return SparkBuild(result, session_seconds, export_seconds, models_seconds, import_seconds)


class SparkBuilder:
    """A panel builder for the load workflow (workflow.PanelBuilder): one Spark session, started on first use,
    and the timings of the last build."""

    engine = "Spark"

    def __init__(self, warehouse: str | Path, master: str | None = None):
        self.warehouse, self.master = Path(warehouse), master
        self.spark: SparkSession | None = None
        self.last: SparkBuild | None = None

    def __call__(self, con: duckdb.DuckDBPyConnection, grain: str) -> BuildResult:
        started = time.perf_counter()
        if self.spark is None:
            self.spark = spark_session(self.master)
        session_seconds = time.perf_counter() - started
        self.last = build_on_spark(con, grain, self.warehouse, self.spark)
        self.last.session_seconds = session_seconds
        return self.last.result

    def timings(self) -> str:
        """The last build's time, the session start apart: 'Spark session 9.1 s, build 31.2 s (…)'."""
        b = self.last
        if b is None:
            return "not built"
        return (f"Spark session {b.session_seconds:.1f} s, build {b.export_seconds + b.models_seconds + b.import_seconds:.1f} s "
                f"(sources to Parquet {b.export_seconds:.1f} s, models {b.models_seconds:.1f} s, "
                f"into DuckDB {b.import_seconds:.1f} s)")


def _with_zero_fills(spark: SparkSession, panel_sql: str, variables: dict) -> str:
    """The panel with its activity zeros (build.zero_fill_columns), the spans computed on Spark."""
    spans_sql = render(ACTIVITY_SPANS_SQL, {**variables, "through": 2**62})
    spans = [tuple(row) for row in spark.sql(spans_sql).collect()]
    fills, bound = zero_fill_columns(spans)
    variables.update(bound)
    if not fills:
        return panel_sql
    return f"select * replace ({', '.join(f'{sql} as {col}' for col, sql in fills.items())}) from ({panel_sql})"


def _distinct(spark: SparkSession, source_sql: str, key: str) -> list:
    return [row[0] for row in spark.sql(f"select distinct {key} from ({source_sql}) pivot_source").collect()]


def _schemas(spark: SparkSession) -> dict[str, dict[str, str]]:
    """Every temp view's columns and types, as SQLGlot reads a schema."""
    out = {}
    for table in spark.catalog.listTables():
        if table.isTemporary:
            out[table.name] = {f.name: f.dataType.simpleString() for f in spark.table(table.name).schema.fields}
    return out


def _export_sources(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """The raw typed rows and the load log as Parquet, one folder per table, streamed in batches."""
    import pyarrow.parquet as pq

    if folder.exists():
        shutil.rmtree(folder)
    for table in SOURCE_TABLES:
        (folder / table).mkdir(parents=True)
        reader = con.sql(f"select * from {quote_ident(table)}").to_arrow_reader(1_000_000)
        with pq.ParquetWriter(folder / table / "part-0.parquet", reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)


def _store(con: duckdb.DuckDBPyConnection, grain: str, models: Path) -> BuildResult:
    """The Spark-built models into the DuckDB file as build() stores them; the views as their model files say."""

    def made_by(layer: str, name: str) -> tuple[str, list]:
        if name in SQL_VIEWS:
            return model_sql(layer, name), []
        return "select * from read_parquet(?)", [str(models / name / "*.parquet")]

    return replace_models(con, grain, made_by)
