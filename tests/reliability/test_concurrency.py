"""Several processes on one database: two command-line loads at once and a reader polling throughout.

Every Payoff process goes through the engine's reader/writer lock (pipelines.db.opened):
the second load waits for the first and says so, both land, and a reader sees the
database before, between or after the loads, never half of one, and never a lock error.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from pipelines.config import PROJECT_ROOT

ROWS_PER_FILE = 300_000  # about two seconds of loading each: long enough to overlap
READER = """
import json, sys, time
from pathlib import Path
from pipelines.db import opened
db, stop = sys.argv[1], Path(sys.argv[2])
while not stop.exists():
    try:
        with opened(db) as con:
            n_loads, n_raw = con.execute(
                "select (select count(*) from loads where undone_at is null), "
                "(select count(*) from raw_activity_events)").fetchone()
        print(json.dumps({"loads": n_loads, "raw": n_raw}), flush=True)
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
    time.sleep(0.05)
"""


def _counts(db: Path) -> tuple[int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select (select count(*) from loads where undone_at is null), "
                           "(select count(*) from raw_activity_events)").fetchone()
    finally:
        con.close()


def _payoff(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", *args], cwd=PROJECT_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})


def test_two_loads_at_once_both_land_while_a_reader_sees_only_whole_states(demo_db, activity_export, tmp_path):
    db = tmp_path / "payoff.duckdb"
    shutil.copyfile(demo_db, db)
    files = [activity_export(tmp_path / f"{name}.csv", f"{name}-", ROWS_PER_FILE) for name in ("east", "west")]
    base_loads, base_raw = _counts(db)

    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop)], cwd=PROJECT_ROOT,
                              stdout=subprocess.PIPE, text=True)
    time.sleep(1.0)  # the reader is polling before the loads start
    loads = [_payoff("--db", str(db), "ingest", str(path)) for path in files]
    outputs = [proc.communicate(timeout=300) for proc in loads]
    time.sleep(0.5)
    stop.touch()
    seen = [json.loads(line) for line in reader.communicate(timeout=60)[0].splitlines()]

    for proc, (out, err) in zip(loads, outputs):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    assert _counts(db) == (base_loads + 2, base_raw + 2 * ROWS_PER_FILE)

    errors = [s["error"] for s in seen if "error" in s]
    assert errors == [], errors
    whole_states = {(base_loads, base_raw), (base_loads + 1, base_raw + ROWS_PER_FILE),
                    (base_loads + 2, base_raw + 2 * ROWS_PER_FILE)}
    states = [(s["loads"], s["raw"]) for s in seen]
    assert set(states) <= whole_states, "a reader saw part of a load"
    assert states[0] == (base_loads, base_raw) and states[-1] == (base_loads + 2, base_raw + 2 * ROWS_PER_FILE)
    assert len(states) >= 10


def test_a_database_command_during_a_load_waits_and_then_sees_it(demo_db, activity_export, tmp_path):
    db = tmp_path / "payoff.duckdb"
    shutil.copyfile(demo_db, db)
    export = activity_export(tmp_path / "north.csv", "north-", 2 * ROWS_PER_FILE)
    load = _payoff("--db", str(db), "ingest", str(export))
    deadline = time.monotonic() + 60
    from pipelines.db import current_writer

    while current_writer(db) is None:  # wait until the load holds the database
        assert load.poll() is None and time.monotonic() < deadline, "the load never started writing"
        time.sleep(0.02)
    listing = _payoff("--db", str(db), "loads", "--format", "json")
    out, err = listing.communicate(timeout=300)
    load.communicate(timeout=300)
    assert listing.returncode == 0 and load.returncode == 0
    assert "waiting for loading north.csv from the command line" in err
    assert "north.csv" in [row["file_name"] for row in json.loads(out)], "the listing ran after the load landed"
