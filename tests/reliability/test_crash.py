"""Crash safety: `payoff ingest`, `build` and `undo` killed with SIGKILL, then the database checked and the work re-run.

After every kill the database must open (read-only, then read-write), hold the whole load
or none of it (facts, rejects and the load record together; no fact without its load), show
marts that are wholly the old panel or wholly the new one, and take the same command again
to exactly the state an uncrashed run reaches. A panel left behind the loads (a kill after
the load committed but before the rebuild) is recorded as a finding and must be brought in
line by the next command. What each kill left on disk is listed in the session summary.

Run: .venv/bin/python -m pytest tests/reliability -q -m crash -rA
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from . import crashkit as ck

pytestmark = pytest.mark.crash

# where each ingest trial aims its kill, as windows of the uncrashed run's timeline (see Timeline.window)
INGEST_SLOTS = ("start", "scan", "stage", "stage", "commit", "commit", "build", "build", "close", "tail",
                "anywhere", "anywhere")
BUILD_GRAIN = "quarter"  # the build trial moves the panel month -> quarter, so old and new marts differ
LOADED_LINE = "{name}: load {id} (activity_events): {n:,} rows read, {n:,} loaded, 0 duplicate, 0 rejected"
PANEL_LINE = re.compile(r"^panel (rebuilt|updated with the new events): ", re.MULTILINE)  # a full build or an append


# -- the session summary ---------------------------------------------------------------------------
@dataclass
class Trial:
    """One kill and what followed, for the summary."""

    name: str
    aimed: str
    delay: float | None = None
    killed: bool | None = None
    after_kill: str = "?"
    left: list[str] = field(default_factory=list)
    rerun: str = ""
    findings: list[str] = field(default_factory=list)
    survived: bool = False

    def line(self) -> str:
        when = f"{self.delay:5.2f}s" if self.delay is not None else "  exact"
        status = "survived" if self.survived else "FAILED"
        text = (f"{status:8} {self.name:22} kill {when} aimed at {self.aimed:14} "
                f"{'killed' if self.killed else 'had exited'} -> {self.after_kill}; re-run: {self.rerun}")
        if self.left:
            text += f"\n{'':9}left after the kill: {', '.join(self.left)}"
        return text + "".join(f"\n{'':9}finding: {f}" for f in self.findings)


@dataclass
class CrashLog:
    """Every trial of the session and the measured timelines, printed once at the end."""

    notes: list[str] = field(default_factory=list)
    trials: list[Trial] = field(default_factory=list)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        survivors = sum(t.survived for t in self.trials)
        terminalreporter.section(f"payoff crash trials: {len(self.trials)} trials, {survivors} survivors")
        for line in self.notes + [t.line() for t in self.trials]:
            terminalreporter.write_line(line)


LOG_KEY = pytest.StashKey[CrashLog]()


@pytest.fixture(scope="module")
def crash_log(request) -> CrashLog:
    """The session's log, registered as a plugin so its summary prints after the run."""
    config = request.config
    if LOG_KEY not in config.stash:
        config.stash[LOG_KEY] = CrashLog()
        config.pluginmanager.register(config.stash[LOG_KEY], "payoff-crash-log")
    return config.stash[LOG_KEY]


@pytest.fixture
def trial(request, crash_log) -> Trial:
    """This test's record in the log; marked survived only when the test body got to the end."""
    record = Trial(name=request.node.callspec.id if hasattr(request.node, "callspec") else request.node.name,
                   aimed="")
    crash_log.trials.append(record)
    yield record
    print(record.line())


# -- references: the uncrashed runs every trial is compared with -------------------------------------
@dataclass
class Reference:
    """An uncrashed run: where it ran, its phase timeline and the state it left."""

    site: ck.Site
    timeline: ck.Timeline
    state: ck.DbState


@pytest.fixture(scope="module")
def big_export(tmp_path_factory) -> Path:
    return ck.write_activity_export(tmp_path_factory.mktemp("export") / "big_activities.csv")


@pytest.fixture(scope="module")
def base(demo_db, tmp_path_factory) -> tuple[ck.Site, ck.DbState]:
    """The demo database every ingest trial starts from (never written: trials copy it)."""
    site = ck.make_site(tmp_path_factory.mktemp("base") / "site", demo_db)
    return site, ck.read_state(site.db)


@pytest.fixture(scope="module")
def ingest_ref(base, big_export, tmp_path_factory, crash_log) -> Reference:
    """The big export loaded without a kill, timed phase by phase."""
    base_site, before = base
    site = ck.make_site(tmp_path_factory.mktemp("ingest_ref") / "site", base_site.db)
    timeline = ck.probed(site, "ingest", str(big_export))
    assert timeline.run.returncode == 0, timeline.run.stderr
    assert timeline.run.stderr == ""
    state = ck.read_state(site.db)
    (new,) = state.new_loads(before).values()
    assert (new.rows_read, new.rows_loaded, new.rows_rejected) == (ck.N_ROWS, ck.N_ROWS, 0)
    assert state.panel_current and state.orphans == 0 and state.marts != before.marts
    crash_log.notes.append(_describe("uncrashed ingest", timeline))
    return Reference(site, timeline, state)


@pytest.fixture(scope="module")
def undo_ref(ingest_ref, base, tmp_path_factory, crash_log) -> Reference:
    """The big load undone without a kill."""
    site = ck.make_site(tmp_path_factory.mktemp("undo_ref") / "site", ingest_ref.site.db, ingest_ref.site.archive)
    timeline = ck.probed(site, "undo", str(_big_load_id(ingest_ref)))
    assert timeline.run.returncode == 0, timeline.run.stderr
    state = ck.read_state(site.db)
    assert state.panel_current and state.marts == base[1].marts, "undo brings back the panel before the load"
    crash_log.notes.append(_describe("uncrashed undo", timeline))
    return Reference(site, timeline, state)


def _describe(what: str, timeline: ck.Timeline) -> str:
    phases = ", ".join(f"{name} {lo:.2f}-{hi:.2f}" for name, (lo, hi) in timeline.phases.items())
    return f"{what}: {timeline.total:.2f}s ({phases})"


def _big_load_id(ref: Reference) -> int:
    (load_id,) = [i for i, row in ref.state.loads.items() if row.file_name == "big_activities.csv"]
    return load_id


# -- the all-or-nothing checks ---------------------------------------------------------------------
def check_ingest_state(after: ck.DbState, before: ck.DbState, ref: ck.DbState) -> str:
    """The state after a killed ingest is the one before, or the one after with at most the panel behind."""
    assert after.opened == ["read-only", "read-write"]
    assert after.orphans == 0, "facts or rejects whose load is not recorded"
    assert {i: after.loads[i] for i in before.loads} == before.loads, "earlier loads changed"
    new = after.new_loads(before)
    assert len(new) <= 1
    if not new:
        assert after.table_rows == before.table_rows
        assert after.panel_current and after.marts == before.marts and after.grain == before.grain
        return "nothing loaded, old panel"
    ((load_id, row),) = new.items()
    (expected,) = ref.new_loads(before).values()
    assert row == expected, "the load record differs from the uncrashed run's"
    assert after.events[load_id] == row.rows_loaded == expected.rows_loaded
    assert after.rejects.get(load_id, 0) == row.rows_rejected
    assert after.table_rows == ref.table_rows
    if after.panel_current:
        assert after.marts == ref.marts
        return "whole load, new panel"
    assert after.marts == before.marts and after.grain == before.grain, "a panel that is neither old nor new"
    return "whole load, panel STALE (old panel, build_info behind loads)"


def check_final(site: ck.Site, final: ck.DbState, ref: ck.DbState, sha256: str) -> None:
    """After the re-run: exactly the uncrashed state, a clean close, one complete archived copy."""
    assert final.outcome() == ref.outcome()
    assert not Path(f"{site.db}.wal").exists(), "the re-run did not close the database cleanly"
    copies = ck.archived_copies(site, sha256)
    assert len(copies) == 1 and ck.sha256_of(copies[0]) == sha256


def _one_line(run: ck.Run) -> str:
    text = (run.stdout.strip() or run.stderr.strip()).splitlines()
    return f"exit {run.returncode}: " + (" / ".join(text) if text else "(no output)")


# -- the trials ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("slot", range(len(INGEST_SLOTS)), ids=[f"ingest-{i:02d}-{s}" for i, s in
                                                                   enumerate(INGEST_SLOTS)])
def test_an_ingest_killed_at_a_random_point_keeps_all_or_nothing_and_reruns(
        slot, base, ingest_ref, big_export, tmp_path, trial):
    base_site, before = base
    ref = ingest_ref.state
    delay = ck.kill_delays(ingest_ref.timeline, INGEST_SLOTS)[slot]
    trial.delay, trial.aimed = delay, f"{INGEST_SLOTS[slot]}/{ingest_ref.timeline.phase_at(delay)}"
    site = ck.make_site(tmp_path / "site", base_site.db)

    killed = ck.payoff_killed_after(site, delay, "ingest", str(big_export))
    trial.killed = killed.killed
    assert killed.returncode in (0, -signal.SIGKILL), killed.stderr  # finished first, or died of the kill
    trial.left = ck.leftovers(site)
    after = ck.read_state(site.db)
    trial.after_kill = check_ingest_state(after, before, ref)
    was_stale = not after.panel_current
    if was_stale:
        trial.findings.append("the load committed but the kill came before the panel rebuild: "
                              "marts and build_info lag `loads` until the next write command")

    rerun = ck.payoff(site, "ingest", str(big_export))
    trial.rerun = _one_line(rerun)
    assert rerun.stderr == "", rerun.stderr
    assert rerun.returncode == 0
    final = ck.read_state(site.db)
    (load_id,) = final.new_loads(before)
    if load_id in after.loads:
        assert f"{big_export.name}: already loaded as load {load_id}; nothing changed" in rerun.stdout
        assert bool(PANEL_LINE.search(rerun.stdout)) == was_stale, "the re-run rebuilds a stale panel, only that"
    else:
        assert LOADED_LINE.format(name=big_export.name, id=load_id, n=ck.N_ROWS) in rerun.stdout
    check_final(site, final, ref, ck.sha256_of(big_export))
    leftover = [f for f in ck.leftovers(site) if not f.startswith(ck.DB_NAME + ".lock")]
    if leftover:
        trial.findings.append(f"still there after the re-run: {', '.join(leftover)}")
    trial.survived = True


def test_a_build_killed_midway_leaves_the_old_panel_or_the_new_one(ingest_ref, tmp_path, trial, crash_log):
    ref = ingest_ref.state
    uncrashed = ck.make_site(tmp_path / "uncrashed", ingest_ref.site.db, ingest_ref.site.archive)
    timeline = ck.probed(uncrashed, "build", "--grain", BUILD_GRAIN)
    assert timeline.run.returncode == 0, timeline.run.stderr
    crash_log.notes.append(_describe(f"uncrashed build --grain {BUILD_GRAIN}", timeline))
    new_panel = ck.read_state(uncrashed.db)
    assert new_panel.grain == BUILD_GRAIN and new_panel.marts != ref.marts

    lo, hi = timeline.phases["build"]
    # mid-way, and early enough that a run a little faster than the uncrashed one is still building
    delay = ck.seeded_uniform(lo + 0.1 * (hi - lo), lo + 0.6 * (hi - lo), key=ck.SEED + 1)
    trial.delay, trial.aimed = delay, f"build/{lo:.2f}-{hi:.2f}s"
    site = ck.make_site(tmp_path / "site", ingest_ref.site.db, ingest_ref.site.archive)
    killed = ck.payoff_killed_after(site, delay, "build", "--grain", BUILD_GRAIN)
    trial.killed = killed.killed
    trial.left = ck.leftovers(site)
    after = ck.read_state(site.db)
    assert after.orphans == 0 and after.loads == ref.loads and after.table_rows == ref.table_rows
    assert after.panel_current
    assert (after.grain, after.marts) in ((ref.grain, ref.marts), (BUILD_GRAIN, new_panel.marts)), \
        "the marts are a mix of two builds"
    trial.after_kill = "old panel" if after.grain == ref.grain else "new panel"

    rerun = ck.payoff(site, "build", "--grain", BUILD_GRAIN)
    trial.rerun = _one_line(rerun)
    assert (rerun.returncode, rerun.stderr) == (0, "")
    assert ck.read_state(site.db).outcome() == new_panel.outcome()
    trial.survived = True


def test_an_undo_killed_midway_removes_the_whole_load_or_none_of_it(ingest_ref, undo_ref, tmp_path, trial):
    load_id, ref = _big_load_id(ingest_ref), ingest_ref.state
    timeline = undo_ref.timeline
    # from the undo's transaction to the end of the rebuild that follows it
    delay = ck.seeded_uniform(timeline.phases["undo"][0], timeline.phases["build"][1], key=ck.SEED + 2)
    trial.delay, trial.aimed = delay, timeline.phase_at(delay)
    site = ck.make_site(tmp_path / "site", ingest_ref.site.db, ingest_ref.site.archive)
    killed = ck.payoff_killed_after(site, delay, "undo", str(load_id))
    trial.killed = killed.killed
    trial.left = ck.leftovers(site)
    after = ck.read_state(site.db)
    trial.after_kill = check_undo_state(after, ref, undo_ref.state, load_id)
    was_undone = not after.loads[load_id].active
    if not after.panel_current:
        trial.findings.append("undo committed but the kill came before the rebuild: the panel still shows the "
                              "undone load's activities")

    rerun = ck.payoff(site, "undo", str(load_id))
    trial.rerun = _one_line(rerun)
    if was_undone:
        assert rerun.returncode == 1 and rerun.stdout == ""
        assert rerun.stderr.startswith(f"payoff: load {load_id} (big_activities.csv) was already undone on")
        assert rerun.stderr.count("\n") == 1, "one line, never a traceback"
    else:
        assert (rerun.returncode, rerun.stderr) == (0, "")
    if not ck.read_state(site.db).panel_current:
        trial.findings.append(f"re-running `payoff undo {load_id}` left the panel stale; `payoff build` repaired it")
        repair = ck.payoff(site, "build", "--grain", ref.grain)
        assert (repair.returncode, repair.stderr) == (0, "")
    assert ck.read_state(site.db).outcome() == undo_ref.state.outcome()
    trial.survived = True


def check_undo_state(after: ck.DbState, ref: ck.DbState, undone: ck.DbState, load_id: int) -> str:
    """After a killed undo: the load with all its facts, or undone with none; the panel old, new or behind."""
    assert after.opened == ["read-only", "read-write"]
    assert after.orphans == 0
    assert {i: r for i, r in after.loads.items() if i != load_id} == \
        {i: r for i, r in ref.loads.items() if i != load_id}
    if after.loads[load_id].active:
        assert after.loads == ref.loads and after.table_rows == ref.table_rows
        assert after.panel_current and after.marts == ref.marts
        return "load kept whole, old panel"
    assert after.loads == undone.loads and after.table_rows == undone.table_rows and load_id not in after.facts
    if after.panel_current:
        assert after.marts == undone.marts
        return "load removed whole, new panel"
    assert after.marts == ref.marts, "a panel that is neither old nor new"
    return "load removed whole, panel STALE (still shows the undone load)"


# -- kills at exact points (probe.py kills the process itself there) ----------------------------------
def test_an_ingest_killed_inside_its_open_transaction_leaves_nothing_but_an_archived_copy(
        base, ingest_ref, big_export, tmp_path, trial):
    base_site, before = base
    trial.aimed = "commit: facts inserted and file archived, load row not yet"
    site = ck.make_site(tmp_path / "site", base_site.db)
    killed = ck.probed(site, "ingest", str(big_export), kill_at="archive:end")
    trial.killed = killed.run.killed
    assert killed.run.killed and "commit" in killed.phases and "build" not in killed.phases
    trial.left = ck.leftovers(site)
    sha = ck.sha256_of(big_export)
    assert len(ck.archived_copies(site, sha)) == 1, "the archive copy is made inside the transaction"
    after = ck.read_state(site.db)
    trial.after_kill = check_ingest_state(after, before, ingest_ref.state)
    assert trial.after_kill.startswith("nothing loaded")
    trial.findings.append("the raw file stays archived with no load pointing at it (the re-run reuses the copy)")

    rerun = ck.payoff(site, "ingest", str(big_export))
    trial.rerun = _one_line(rerun)
    assert (rerun.returncode, rerun.stderr) == (0, "")
    check_final(site, ck.read_state(site.db), ingest_ref.state, sha)
    trial.survived = True


def test_an_ingest_killed_between_commit_and_rebuild_is_repaired_by_the_rerun(
        base, ingest_ref, big_export, tmp_path, trial):
    base_site, before = base
    trial.aimed = "build:start, after the load committed"
    site = ck.make_site(tmp_path / "site", base_site.db)
    killed = ck.probed(site, "ingest", str(big_export), kill_at="build:start")
    trial.killed = killed.run.killed
    assert killed.run.killed
    trial.left = ck.leftovers(site)
    after = ck.read_state(site.db)
    trial.after_kill = check_ingest_state(after, before, ingest_ref.state)
    assert not after.panel_current, "the kill came after the commit and before the rebuild"
    trial.findings.append("panel stale after the kill (build_info.last_load_id behind loads) until the re-run")

    rerun = ck.payoff(site, "ingest", str(big_export))
    trial.rerun = _one_line(rerun)
    assert (rerun.returncode, rerun.stderr) == (0, "")
    assert "already loaded" in rerun.stdout and PANEL_LINE.search(rerun.stdout)
    check_final(site, ck.read_state(site.db), ingest_ref.state, ck.sha256_of(big_export))
    trial.survived = True


@pytest.fixture(scope="module")
def undo_killed_before_rebuild(ingest_ref, tmp_path_factory) -> ck.Site:
    """A database whose `payoff undo` was killed after the undo committed, before the rebuild (do not write)."""
    site = ck.make_site(tmp_path_factory.mktemp("undo_killed") / "site", ingest_ref.site.db, ingest_ref.site.archive)
    killed = ck.probed(site, "undo", str(_big_load_id(ingest_ref)), kill_at="build:start")
    assert killed.run.killed and "undo" in killed.phases
    return site


def test_an_undo_killed_before_its_rebuild_is_whole_and_payoff_build_repairs_the_panel(
        ingest_ref, undo_ref, undo_killed_before_rebuild, tmp_path, trial):
    load_id = _big_load_id(ingest_ref)
    trial.aimed = "build:start, after the undo committed"
    site = ck.make_site(tmp_path / "site", undo_killed_before_rebuild.db, undo_killed_before_rebuild.archive)
    trial.killed, trial.left = True, ck.leftovers(site)
    after = ck.read_state(site.db)
    trial.after_kill = check_undo_state(after, ingest_ref.state, undo_ref.state, load_id)
    assert not after.panel_current
    trial.findings.append("panel stale until the re-run of the undo, `payoff build`, a later ingest or a page "
                          "visit rebuilds it")

    repair = ck.payoff(site, "build", "--grain", after.grain)
    trial.rerun = "payoff build: " + _one_line(repair)
    assert (repair.returncode, repair.stderr) == (0, "")
    assert ck.read_state(site.db).outcome() == undo_ref.state.outcome()
    trial.survived = True


def test_rerunning_an_undo_killed_before_its_rebuild_brings_the_panel_in_line(
        ingest_ref, undo_ref, undo_killed_before_rebuild, tmp_path):
    site = ck.make_site(tmp_path / "site", undo_killed_before_rebuild.db, undo_killed_before_rebuild.archive)
    ck.payoff(site, "undo", str(_big_load_id(ingest_ref)))
    final = ck.read_state(site.db)
    assert final.panel_current, "re-running the undo left build_info.n_active_loads behind loads"
    assert final.outcome() == undo_ref.state.outcome()


HOLD_READ = """
import sys, time
from pathlib import Path
from pipelines.db import opened
with opened(sys.argv[1]):
    print("held", flush=True)
    while not Path(sys.argv[2]).exists():
        time.sleep(0.05)
"""


def test_after_a_killed_load_a_writer_waiting_for_a_reader_does_not_name_the_dead_load(base, big_export, tmp_path):
    site = ck.make_site(tmp_path / "site", base[0].db)
    killed = ck.probed(site, "ingest", str(big_export), kill_at="scan:start")  # the writer lock is held by then
    if not killed.run.killed:
        pytest.fail(f"the probe did not kill the load: {killed.run}")
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", HOLD_READ, str(site.db), str(stop)], stdout=subprocess.PIPE,
                              text=True)
    try:
        if reader.stdout.readline().strip() != "held":
            pytest.fail("the reader never took its lock")
        writer = subprocess.Popen([str(ck.PAYOFF), "--db", str(site.db), "build"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=site.env())
        waiting = writer.stderr.readline()  # the writer says what it waits for, then blocks until the reader ends
        stop.touch()
        _, err = writer.communicate(timeout=ck.RUN_TIMEOUT)
    finally:
        stop.touch()
        reader.wait(timeout=ck.RUN_TIMEOUT)
        reader.stdout.close()
    if writer.returncode != 0 or "waiting for" not in waiting:
        pytest.fail(f"the build did not wait for the reader and then succeed: {waiting!r} {err!r}")
    assert big_export.name not in waiting, waiting


def test_the_next_load_sweeps_scratch_folders_of_killed_loads(tmp_path, monkeypatch):
    import tempfile

    from pipelines.ingest.load import WORK_PREFIX, sweep_work_folders

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = tmp_path / f"{WORK_PREFIX}{dead.pid}-x1"
    live = tmp_path / f"{WORK_PREFIX}{os.getpid()}-x2"
    for folder in (orphan, live):
        folder.mkdir()
        (folder / "transcoded.csv").write_bytes(b"a,b\n" * 1000)
    assert sweep_work_folders() == [orphan]
    assert not orphan.exists() and live.exists()
