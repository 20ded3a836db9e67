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


# -- the reader/writer lock every Payoff process goes through ----------------------------------
HOLD_OPENED = """
import sys, time
from pipelines.db import opened
with opened(sys.argv[1], write=sys.argv[2] == "write", purpose="loading big.csv") as con:
    con.execute("select 1").fetchone()
    print("held", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def _hold_opened(path, mode, seconds):
    proc = subprocess.Popen([sys.executable, "-c", HOLD_OPENED, str(path), mode, str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def _finish(proc):
    proc.wait(timeout=30)
    proc.stdout.close()


def test_a_second_writer_waits_its_turn_and_is_told_for_what(tmp_path):
    path = tmp_path / "x.duckdb"
    db.connect(path).close()
    holder = _hold_opened(path, "write", 1.5)
    told, start = [], time.monotonic()
    with db.opened(path, write=True, purpose="undoing load 3", on_wait=told.append) as con:
        waited = time.monotonic() - start
        con.execute("create table t as select 1 as x")
    _finish(holder)
    assert waited > 0.8
    assert len(told) == 1 and told[0].startswith("loading big.csv from the command line since ")


def test_a_reader_waits_out_a_write_longer_than_the_lock_timeout_without_an_error(tmp_path, monkeypatch):
    path = tmp_path / "x.duckdb"
    db.connect(path).close()
    monkeypatch.setattr(db, "LOCK_WAIT_SECONDS", 0.3)  # DuckDB's own lock would have failed by now
    holder = _hold_opened(path, "write", 2.0)
    start = time.monotonic()
    with db.opened(path) as con:
        assert con.execute("select 42").fetchone() == (42,)
    _finish(holder)
    assert time.monotonic() - start > 1.5


def test_a_writer_waits_for_readers_and_says_so(tmp_path):
    path = tmp_path / "x.duckdb"
    db.connect(path).close()
    holder = _hold_opened(path, "read", 1.0)
    told = []
    with db.opened(path, write=True, purpose="loading", on_wait=told.append):
        pass
    _finish(holder)
    assert told == ["reads by another process"]


def test_current_writer_names_the_write_under_way_and_a_killed_writer_frees_the_lock(tmp_path):
    path = tmp_path / "x.duckdb"
    db.connect(path).close()
    assert db.current_writer(path) is None
    holder = _hold_opened(path, "write", 60)
    try:
        assert db.current_writer(path).startswith("loading big.csv from the command line")
    finally:
        holder.kill()  # SIGKILL: no clean-up runs in the holder
        _finish(holder)
    assert db.current_writer(path) is None
    start = time.monotonic()
    with db.opened(path, write=True, purpose="after the crash"):
        assert time.monotonic() - start < 2
    assert db.current_writer(path) is None


def test_readers_hold_no_writer_record(tmp_path):
    path = tmp_path / "x.duckdb"
    db.connect(path).close()
    holder = _hold_opened(path, "read", 30)
    try:
        assert db.current_writer(path) is None
    finally:
        holder.kill()
        _finish(holder)


def test_the_analysis_lock_is_seen_held_and_makes_the_next_one_wait(tmp_path):
    import threading
    import time

    from pipelines.db import analysis_lock, analysis_under_way

    path = tmp_path / "payoff.duckdb"
    assert not analysis_under_way(path)  # no lock file yet
    held, release, waited, order = threading.Event(), threading.Event(), [], []

    def first():
        with analysis_lock(path):
            held.set()
            release.wait(10)
            order.append("first done")

    t = threading.Thread(target=first)
    t.start()
    held.wait(10)
    assert analysis_under_way(path)
    threading.Timer(0.3, release.set).start()
    started = time.perf_counter()
    with analysis_lock(path, waited.append):
        order.append("second in")
        assert time.perf_counter() - started >= 0.25
    t.join()
    assert order == ["first done", "second in"] and len(waited) == 1 and "analysis" in waited[0]
    assert not analysis_under_way(path)
