"""The model files stay portable: each renders to Spark SQL (pipelines/spark.render) and uses none of the
DuckDB constructs that Spark runs differently or not at all. A lint, without a Spark: the spark-marked tests
(test_spark_engine.py) run the rendered models for real."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from pipelines.build import ACTIVITY_SPANS_SQL, build, model_sql, model_variables
from pipelines.config import SQL_MODELS
from pipelines.spark import render
from test_sql_append import BASE_FILES

MODELS = [(layer, name) for layer, names in SQL_MODELS.items() for name in names]


def not_portable(sql: str) -> list[str]:
    """What in a DuckDB model would not give the same rows on Spark, in words."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    found = []
    for union in tree.find_all(exp.Union):
        if union.args.get("by_name"):
            found.append("UNION … BY NAME (list the columns in the same order)")
    for agg in tree.find_all(exp.AggFunc):
        if agg.find(exp.Order) is not None:
            found.append(f"an ordered aggregate {agg.sql('duckdb')[:40]} (rank in a window instead)")
    for node in tree.find_all(exp.ToDays):
        found.append(f"{node.sql('duckdb')} (add the integer days to the date)")
    for node in tree.find_all(exp.Cast):
        if node.this.find(exp.Explode, exp.Unnest) is not None:
            found.append(f"a cast around unnest: {node.sql('duckdb')[:40]} (cast the unnested column)")
    for node in tree.find_all(exp.Sum, exp.Avg):
        arg = node.this
        if isinstance(arg, exp.Column) and arg.name in ("value", "minutes", "duration_minutes"):
            found.append(f"{node.sql('duckdb')}: a floating sum depends on the order rows come in; "
                         "sum(x::decimal(38, 9))::double is exact on both engines")
    return found


@pytest.mark.parametrize(("layer", "name"), MODELS, ids=[name for _, name in MODELS])
def test_every_model_is_portable_and_renders_to_spark_sql(fresh, layer, name):
    con, load = fresh()
    for file in BASE_FILES:
        load(*file)
    build(con, "month")
    schema = {n: {d[0]: str(d[1]) for d in con.execute(f"select * from {n} limit 0").description}
              for _, n in MODELS}
    sql = model_sql(layer, name)
    assert not_portable(sql) == []
    spark_sql = render(sql, model_variables("week"), pivot_values=lambda source, key: ["n_call", "n_email"],
                       schema=lambda: schema)
    tree = sqlglot.parse_one(spark_sql, read="spark")  # Spark SQL that SQLGlot reads back
    assert [f.name for f in tree.find_all(exp.Anonymous)] == []  # no function Spark would not know
    assert "getvariable" not in spark_sql.lower() and "exclude" not in spark_sql.lower()


def test_the_lint_catches_what_does_not_port():
    assert not_portable("select * from a union all by name select * from b") != []
    assert not_portable("select first(x order by y) from t") != []
    assert not_portable("select d + to_days(3) from t") != []
    assert not_portable("select unnest(generate_series(1, 3))::date from t") != []
    assert not_portable("select sum(value) from t") != []
    assert not_portable("select sum(value::decimal(38, 9))::double from t") == []


def test_variables_become_literals_and_a_pivot_becomes_one_column_per_value():
    sql = render("select date_trunc(getvariable('payoff_grain'), d) as p, $through as t from x",
                 {"payoff_grain": "week", "through": 7})
    assert sql == "SELECT DATE_TRUNC('week', d) AS p, 7 AS t FROM x"
    pivot = render("with w as (pivot (select a, k, v from t) on k using first(v) group by a) select * from w",
                   {}, pivot_values=lambda source, key: ["z", "m", None])
    assert pivot == ("WITH w AS (SELECT a, MAX(CASE WHEN k = 'm' THEN v END) AS `m`, "
                     "MAX(CASE WHEN k = 'z' THEN v END) AS `z` FROM (SELECT a, k, v FROM t) AS pivot_source "
                     "GROUP BY a) SELECT * FROM w")
    with pytest.raises(Exception, match="payoff_unset"):
        render("select getvariable('payoff_unset')", {})


def test_the_activity_spans_query_renders_too():
    assert "getvariable" not in render(ACTIVITY_SPANS_SQL, {**model_variables("month"), "through": 3}).lower()
