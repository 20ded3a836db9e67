"""Serving many sessions: reads never wait for each other, a load does not make everyone wait for the fits."""

from __future__ import annotations

import threading
import time

from streamlit.testing.v1 import AppTest

from pipelines import snapshot, workflow
from pipelines.cli import main
from pipelines.config import PROJECT_ROOT
from pipelines.db import analysis_under_way, opened

APP = str(PROJECT_ROOT / "dashboard" / "app.py")


def test_reads_run_together_and_a_write_waits_for_them_then_runs_alone():
    from dashboard.data import _ReadWriteLock

    lock, inside, most, log = _ReadWriteLock(), [0], [0], []
    guard = threading.Lock()

    def read(name):
        with lock.reading():
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            with lock.reading():  # a nested read never waits
                time.sleep(0.3)
            with guard:
                inside[0] -= 1
            log.append(name)

    def write():
        with lock.writing():
            with lock.reading():  # the writing thread may read
                log.append(("write", inside[0]))

    readers = [threading.Thread(target=read, args=(f"r{i}",)) for i in range(3)]
    for t in readers:
        t.start()
    time.sleep(0.05)
    writer = threading.Thread(target=write)
    writer.start()
    for t in [*readers, writer]:
        t.join(10)
    assert most[0] == 3, "the three reads overlapped"
    assert log[-1] == ("write", 0), "the write ran after every read and with none inside"


def test_after_a_load_pages_open_on_the_last_analysis_said_as_such_while_the_new_one_is_computed(
        demo_copy, activity_export, tmp_path, monkeypatch):
    export = activity_export(tmp_path / "more.csv", "NEW-", 60)
    assert main(["--db", str(demo_copy), "ingest", str(export), "--no-analysis"]) == 0
    go, real = threading.Event(), workflow.compute

    def held(con, progress=None):  # the new analysis waits until the page has been looked at
        go.wait(60)
        return real(con, progress)

    monkeypatch.setattr(workflow, "compute", held)
    at = AppTest.from_file(APP, default_timeout=60)
    started = time.perf_counter()
    at.run()
    assert time.perf_counter() - started < 30 and not at.exception, [e.value for e in at.exception]
    notices = [i.value for i in at.info if "being updated" in i.value]
    assert notices and "results and trends are the ones from before it" in notices[0]
    assert any("Training goes with +" in m.value for m in at.markdown), "the last analysis is shown"
    deadline = time.time() + 10
    while not analysis_under_way(demo_copy) and time.time() < deadline:
        time.sleep(0.05)
    assert analysis_under_way(demo_copy), "the new analysis started in the background"
    go.set()
    for thread in [t for t in threading.enumerate() if t.name == "payoff-analysis"]:
        thread.join(120)
    with opened(demo_copy) as con:
        assert snapshot.stored(con) is not None and snapshot.stale_since(con) is None
    at.run()
    assert not at.exception and not [i for i in at.info if "being updated" in i.value]


def test_a_write_waiting_for_another_process_leaves_the_servers_reads_free(demo_copy):
    """An upload while a command-line process reads the file (its analysis takes a minute at 10M events):
    the upload waits for it, and meanwhile this server's pages still read (they waited with it before)."""
    from dashboard import data

    release, holding = threading.Event(), threading.Event()

    def other_process_reading():  # its own flock on the file, as another process's would be
        with opened(demo_copy):
            holding.set()
            release.wait(60)

    other = threading.Thread(target=other_process_reading)
    other.start()
    assert holding.wait(10)
    told, wrote = [], threading.Event()

    def upload():
        with data._writer("loading west.csv", told.append) as con:
            con.execute("select count(*) from loads").fetchone()
            wrote.set()

    writer = threading.Thread(target=upload)
    writer.start()
    deadline = time.time() + 10
    while not told and time.time() < deadline:
        time.sleep(0.02)
    assert told == ["reads by another process"] and not wrote.is_set()
    started = time.perf_counter()
    with data._reader() as con:
        assert con.execute("select count(*) from loads").fetchone()[0] > 0
    assert time.perf_counter() - started < 5, "the page's read did not wait for the waiting upload"
    assert not wrote.is_set()
    release.set()
    for t in (other, writer):
        t.join(30)
    assert wrote.is_set() and told == ["reads by another process"]
