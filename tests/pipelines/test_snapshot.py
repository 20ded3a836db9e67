"""The stored default analysis: the same answers as a live fit, never read once stale, never able to run code."""

from __future__ import annotations

import pickle
import shutil

import numpy as np
import pytest

from pipelines import snapshot, workflow
from pipelines.build import build
from pipelines.cli import main
from pipelines.db import connect, opened
from pipelines.stats import plan, teams
from pipelines.stats.drivers import analyze
from pipelines.stats.frames import read_panel


@pytest.fixture
def db(demo_db, tmp_path):
    """A writable copy of the demo database (its default analysis stored, as `payoff demo` leaves it)."""
    path = tmp_path / "payoff.duckdb"
    shutil.copyfile(demo_db, path)
    return path


def test_the_stored_analysis_says_exactly_what_a_live_fit_says(db):
    with opened(db) as con:
        snap = snapshot.stored(con)
        live = analyze(con, validate=True)
        panel = read_panel(con)
    assert snap is not None and [r.outcome for r in snap.results] == [r.outcome for r in live]
    assert [r.to_json() for r in snap.results] == [r.to_json() for r in live]  # every verdict, number and sentence
    by_outcome = {r.outcome: r for r in live}
    assert set(snap.teams) == {(r.outcome, a) for r in live for a in teams.comparable(r, ["team", "owner"])}
    for (outcome, attribute), table in snap.teams.items():
        expected = teams.compare_groups(by_outcome[outcome], panel, attribute)
        assert table.equals(expected), (outcome, attribute)
    for outcome, target in snap.targets.items():
        expected = plan.realistic_target(panel, outcome, by_outcome[outcome].kind)
        assert target["target"] == expected["target"] and target["history"].equals(expected["history"])
    assert {key[0]: key[2] for key in snap.plans} == {
        r.outcome: tuple(plan.default_activities(r)) for r in live if plan.default_activities(r)}


def test_what_ifs_on_amounts_and_counts_need_no_rows_and_match_the_full_fit(db):
    with opened(db) as con:
        snap = snapshot.stored(con)
        live = {r.outcome: r for r in analyze(con, validate=False)}
    assert all(not snapshot.has_rows(r) for r in snap.results)  # no model matrices kept
    for stored in snap.results:
        full = live[stored.outcome]
        moved = {f.activity: 1.5 for f in full.findings if f.judged}
        if plan.needs_rows(stored):
            assert stored.kind == "binary"  # averages over the rows: the dashboard refits for it
            continue
        a, b = plan.what_if(stored, moved).effect, plan.what_if(full, moved).effect
        assert np.allclose([a.estimate, a.low, a.high], [b.estimate, b.low, b.high], rtol=1e-12)
    assert sum(not plan.needs_rows(r) for r in snap.results) == 2  # revenue and referrals


def test_a_rebuild_a_load_or_other_analysis_code_makes_it_stale(db, monkeypatch, activity_export, tmp_path):
    with opened(db, write=True) as con:
        assert snapshot.stored(con) is not None
        build(con, "month")  # the same panel, built again: a new build, so the old analysis is not read
        assert snapshot.stored(con) is None
    assert main(["--db", str(db), "analyse"]) == 0
    with opened(db) as con:
        assert snapshot.stored(con) is not None
        monkeypatch.setattr(snapshot, "code_fingerprint", lambda: "other-code")
        assert snapshot.stored(con) is None
    monkeypatch.undo()
    export = activity_export(tmp_path / "more.csv", "NEW-", 50)
    assert main(["--db", str(db), "ingest", str(export), "--no-analysis"]) == 0
    with opened(db) as con:
        assert snapshot.stored(con) is None  # the load moved the panel on; nothing analysed it since


def test_an_analysis_computed_before_a_rebuild_is_not_stored_over_it(db):
    with opened(db, write=True) as con:
        snap = snapshot.compute(con)
        build(con, "month")
        assert snapshot.store(con, snap) is False
        assert snapshot.stored(con) is None


def test_a_payload_that_would_run_code_is_refused(db, tmp_path):
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (shutil.copyfile, (str(db), str(marker)))

    with opened(db, write=True) as con:
        key = snapshot.panel_key(con)
        con.execute("delete from analysis_snapshot")
        con.execute("insert into analysis_snapshot values (?, now(), 0, ?)", [key, pickle.dumps(Evil())])
        assert snapshot.stored(con) is None
    assert not marker.exists()


def test_a_failing_fit_leaves_the_load_standing_and_pages_to_fit_live(db, monkeypatch, caplog):
    def broken(con, progress=None):
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(workflow, "compute", broken)
    assert workflow.analyse_and_store(lambda: opened(db), lambda: opened(db, write=True)) is None
    assert "the default analysis failed" in caplog.text


def test_ingest_stores_the_analysis_and_says_so_unless_told_not_to(db, activity_export, tmp_path, capsys):
    export = activity_export(tmp_path / "more.csv", "NEW-", 50)
    assert main(["--db", str(db), "ingest", str(export)]) == 0
    out = capsys.readouterr().out
    assert "analysis stored for the dashboard: 3 outcome(s) in" in out.splitlines()[-1]
    con = connect(db, read_only=True)
    try:
        snap = snapshot.stored(con)
        assert snap is not None and len(snap.results) == 3
        assert con.execute("select count(*) from analysis_snapshot").fetchone()[0] == 1  # one row, replaced
    finally:
        con.close()


def test_after_a_load_the_last_analysis_is_still_readable_marked_stale_until_the_new_one_is_stored(
        db, activity_export, tmp_path):
    with opened(db) as con:
        before = snapshot.stored(con)
        assert snapshot.stale_since(con) is None  # current
    export = activity_export(tmp_path / "more.csv", "NEW-", 50)
    assert main(["--db", str(db), "ingest", str(export), "--no-analysis"]) == 0
    with opened(db) as con:
        assert snapshot.stored(con) is None
        old = snapshot.stored(con, stale_ok=True)
        assert old is not None and old.stale and old.key == before.key
        assert [r.to_json() for r in old.results] == [r.to_json() for r in before.results]
        assert snapshot.stale_since(con) == before.created_at
    assert main(["--db", str(db), "analyse"]) == 0
    with opened(db) as con:
        assert not snapshot.stored(con, stale_ok=True).stale and snapshot.stale_since(con) is None


def test_a_stale_analysis_from_other_code_is_not_shown(db, activity_export, tmp_path, monkeypatch):
    export = activity_export(tmp_path / "more.csv", "NEW-", 50)
    assert main(["--db", str(db), "ingest", str(export), "--no-analysis"]) == 0
    monkeypatch.setattr(snapshot, "code_fingerprint", lambda: "other-code")
    with opened(db) as con:
        assert snapshot.stored(con, stale_ok=True) is None and snapshot.stale_since(con) is None


def test_two_analyses_of_one_build_at_once_compute_it_once(db, monkeypatch):
    """The second waits for the first (db.analysis_lock), then finds the build analysed and reuses it."""
    import threading
    import time

    with opened(db, write=True) as con:
        build(con, "month")  # a new build: nothing stored for it yet
    computed, real = [], workflow.compute

    def slow(con, progress=None):
        computed.append(threading.get_ident())
        time.sleep(1.0)  # long enough for the other to arrive and wait
        return real(con, progress)

    monkeypatch.setattr(workflow, "compute", slow)
    waits, results = [], []

    def one():
        results.append(workflow.analyse_and_store(lambda: opened(db), lambda: opened(db, write=True), db_path=db,
                                                  on_wait=waits.append))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.2)
    for t in threads:
        t.join()
    assert len(computed) == 1 and len(waits) == 1 and all(r is not None and r.stored for r in results)
    assert [r.to_json() for r in results[0].results] == [r.to_json() for r in results[1].results]


def test_an_analysis_asked_for_again_without_waiting_is_computed_again(db, monkeypatch):
    """`payoff analyse` by hand recomputes: only one that waited for another reuses its answer."""
    computed, real = [], workflow.compute
    monkeypatch.setattr(workflow, "compute", lambda con, progress=None: computed.append(1) or real(con, progress))
    assert workflow.analyse_and_store(lambda: opened(db), lambda: opened(db, write=True), db_path=db).stored
    assert computed == [1]
