"""`payoff build --engine spark`: the models built on a real Apache Spark (local[2]) from the same SQL
files give the DuckDB build's tables row for row, column for column and type for type, at every grain;
and the drivers found on the Spark-built panel are the DuckDB-built panel's, to the byte."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.build import build, run_checks
from pipelines.config import SQL_MODELS
from pipelines.demo import build_demo, sample_files
from pipelines.ingest import undo_load
from pipelines.spark import build_on_spark
from snapshots import snapshot
from test_sql_append import APPEND, BASE_FILES

pytestmark = pytest.mark.spark

ALL_MODELS = [name for names in SQL_MODELS.values() for name in names]
BUILD_INFO = "(select grain, last_load_id, n_active_loads from build_info)"
PAYOFF = Path(sys.executable).parent / "payoff"


def typed(con: duckdb.DuckDBPyConnection) -> dict:
    """Each model's column names and types, in order."""
    return {name: [(d[0], str(d[1])) for d in con.execute(f"select * from {name} limit 0").description]
            for name in ALL_MODELS}


def assert_same_models(con, expected) -> None:
    assert typed(con) == typed(expected)
    ours, theirs = snapshot(con, ALL_MODELS + [BUILD_INFO]), snapshot(expected, ALL_MODELS + [BUILD_INFO])
    for name in ALL_MODELS + [BUILD_INFO]:
        assert ours[name] == theirs[name], name
    assert run_checks(con) == run_checks(expected)


@pytest.mark.parametrize("grain", ["week", "month", "quarter"])
def test_planted_loads_give_the_duckdb_builds_models_on_spark(spark, fresh, tmp_path, grain):
    # events with a repeated id (the later wins), a second spelling, counts dated and undated, a measure, every
    # outcome kind, attributes, and an undone load: each model's rows must come out the same on both engines
    on_duckdb, load = fresh()
    on_spark, load_too = fresh()
    for con, loader in ((on_duckdb, load), (on_spark, load_too)):
        for file in BASE_FILES + [APPEND]:
            loader(*file)
        loader("later_revenue.csv", "outcomes", """
            Account,Date,Revenue
            A,2025-06-30,12.35
            Z,2025-06-30,0.1
            Z,2025-06-30,0.2
            """)
        undo_load(con, 2)  # the first events file: its ids' older versions come back into play
    build(on_duckdb, grain)
    built = build_on_spark(on_spark, grain, tmp_path / "warehouse", spark)
    assert built.result.n_panel_rows == on_duckdb.execute("select count(*) from account_periods").fetchone()[0] > 0
    assert_same_models(on_spark, on_duckdb)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The bundled sample built by DuckDB at the month grain (the demo)."""
    path = tmp_path_factory.mktemp("sample") / "duckdb.duckdb"
    build_demo(path, grain="month")
    return path


@pytest.mark.parametrize("grain", ["month", "week"])
def test_the_sample_built_on_spark_is_the_duckdb_build(spark, sample, tmp_path, grain):
    on_spark = tmp_path / "spark.duckdb"
    shutil.copy(sample, on_spark)
    with duckdb.connect(str(on_spark)) as con:
        build_on_spark(con, grain, tmp_path / "warehouse", spark)
        with duckdb.connect(":memory:") as expected:
            expected.execute("attach ? as sample (read_only)", [str(sample)])
            expected.execute("use sample")
            if grain != "month":
                build(expected, grain, temporary=True)
            assert_same_models(con, expected)


def drivers_json(db: Path) -> dict:
    done = subprocess.run([str(PAYOFF), "--db", str(db), "drivers", "--format", "json"],
                          check=True, capture_output=True, text=True)
    found = json.loads(done.stdout)
    found["meta"].pop("database")
    return found


def test_payoff_build_engine_spark_gives_the_same_drivers(sample, tmp_path):
    # the command a user types, in its own process (its own Spark session), then `payoff drivers` on both files
    on_spark = tmp_path / "spark.duckdb"
    shutil.copy(sample, on_spark)
    done = subprocess.run([str(PAYOFF), "--db", str(on_spark), "build", "--engine", "spark", "--spark-master", "local[2]",
                           "--no-analysis"], capture_output=True, text=True,
                          env={**os.environ, "PAYOFF_SPARK_PARTITIONS": "2",
                               "PAYOFF_SPARK_DRIVER_MEMORY": "1g"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "built: 600 accounts × 24 months, 14,400 rows" in done.stdout
    assert "on Spark: Spark session" in done.stdout
    assert (tmp_path / "spark.warehouse" / "models" / "account_periods").is_dir()
    with duckdb.connect(str(on_spark), read_only=True) as con:
        assert con.execute("select action, detail from audit_log order by rowid desc limit 1").fetchone() == (
            "rebuild", "panel by month on Spark: 600 accounts × 24 months")
    ours, theirs = drivers_json(on_spark), drivers_json(sample)
    assert json.dumps(ours, sort_keys=True) == json.dumps(theirs, sort_keys=True)
    assert any(f["verdict"] == "driver" for o in ours["outcomes"] for f in o["activities"])


def test_payoff_ingest_engine_spark_loads_as_on_duckdb_and_builds_on_spark(sample, tmp_path):
    # each export typed by the usual ingest (rows, rejects, load log), the panel then built on Spark
    db = tmp_path / "ingested.duckdb"
    done = subprocess.run([str(PAYOFF), "--db", str(db), "ingest", *map(str, sample_files()), "--engine", "spark",
                           "--spark-master", "local[2]", "--warehouse", str(tmp_path / "wh"), "--no-analysis"],
                          capture_output=True, text=True,
                          env={**os.environ, "PAYOFF_SPARK_PARTITIONS": "2", "PAYOFF_SPARK_DRIVER_MEMORY": "1g"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "panel rebuilt on Spark (Spark session" in done.stdout
    assert (tmp_path / "wh" / "sources" / "raw_activity_events").is_dir()
    with duckdb.connect(str(db), read_only=True) as con, duckdb.connect(str(sample), read_only=True) as expected:
        assert_same_models(con, expected)
        assert con.execute("select file_name, rows_read, rows_loaded, rows_rejected from loads order by load_id").fetchall() \
            == expected.execute("select file_name, rows_read, rows_loaded, rows_rejected from loads order by load_id").fetchall()
