"""Opening the database: waiting out another process's short lock, and one clear error otherwise."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from pipelines import db
from pipelines.errors import PayoffError

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _hold(path, seconds):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_writer_waits_for_a_short_lock_held_by_another_process(tmp_path):
    path = tmp_path / "x.duckdb"
    db.connect(path).close()
    holder = _hold(path, 1.5)
    start = time.monotonic()
    con = db.connect(path)
    waited = time.monotonic() - start
    con.close()
    holder.wait(timeout=10)
    holder.stdout.close()
    assert 0.5 < waited < db.LOCK_WAIT_SECONDS


def test_a_lock_held_too_long_is_one_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "x.duckdb"
    db.connect(path).close()
    monkeypatch.setattr(db, "LOCK_WAIT_SECONDS", 0.5)
    holder = _hold(path, 5)
    try:
        with pytest.raises(PayoffError, match="another process has held it for too long"):
            db.connect(path)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_reading_a_missing_database_says_how_to_create_one(tmp_path):
    with pytest.raises(PayoffError, match="run 'payoff demo' or 'payoff ingest FILE' first"):
        db.connect(tmp_path / "none.duckdb", read_only=True)


def test_quote_ident_refuses_anything_but_generated_names():
    assert db.quote_ident("n_business_review") == '"n_business_review"'
    for bad in ('x"; drop table loads; --', "Segment", "a b", ""):
        with pytest.raises(ValueError):
            db.quote_ident(bad)
