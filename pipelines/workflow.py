"""The load workflow both front doors call: propose a mapping, load files and refresh the panel, undo,
and store the default analysis after each.

`payoff map` / `payoff ingest` / `payoff undo` and the Data page's upload and undo buttons each
call one function here, so the rule for choosing a mapping, when the panel is refreshed, how
an undo is followed by a rebuild and when the stored analysis is renewed is written once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines import audit
from pipelines.append import rebuild_if_behind, refresh
from pipelines.audit import Actor
from pipelines.build import BuildResult, build, built_grain, panel_is_current
from pipelines.config import DEFAULT_GRAIN
from pipelines.db import analysis_lock
from pipelines.errors import InputError, PayoffError
from pipelines.ingest import Mapping, Source, ingest_file, open_source, undo_load
from pipelines.ingest.load import MAX_REJECT_SHARE, LoadReport, mapping_problem, proposed_mapping
from pipelines.snapshot import Snapshot, compute, store, stored

LOG = logging.getLogger("payoff.workflow")
Opener = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]
# Builds every model at a grain and stores them in the connection's database (pipelines/spark.py's builder)
PanelBuilder = Callable[[duckdb.DuckDBPyConnection, str], BuildResult]


@dataclass
class Proposal:
    """What Payoff would do with a file: its mapping, and why it would refuse it (None when it would load)."""

    source: Source
    mapping: Mapping
    problem: str | None


@dataclass
class Refusal:
    """A file refused whole, in the one line every front door prints."""

    file: str
    error: str

    def to_json(self) -> dict:
        return {"file": self.file, "status": "refused", "error": self.error}


@dataclass
class LoadOutcome:
    """What loading a batch of files did: a report or refusal per file, and the panel refresh (if any)."""

    loads: list[LoadReport | Refusal] = field(default_factory=list)
    panel: BuildResult | None = None

    @property
    def refused(self) -> list[Refusal]:
        return [r for r in self.loads if isinstance(r, Refusal)]


def propose(con: duckdb.DuckDBPyConnection | None, path: str | Path, *, name: str | None = None,
            kind: str | None = None) -> Proposal:
    """Open a file and say how it would be read (the saved mapping for its header set, else a proposal)."""
    source = open_source(path, name)
    mapping = proposed_mapping(con, source, kind)
    return Proposal(source, mapping, mapping_problem(source, mapping, proposed=True))


def load_files(con: duckdb.DuckDBPyConnection, paths: list[str | Path], *, names: list[str] | None = None,
               kind: str | None = None, mapping: Mapping | None = None, archive_dir: str | Path | None = None,
               max_reject_share: float = MAX_REJECT_SHARE, new_accounts: bool = False,
               grain: str | None = None, actor: Actor | None = None,
               build_panel: PanelBuilder | None = None) -> LoadOutcome:
    """Load each file (each in its own transaction: a refused file changes nothing), then bring the
    panel up to date once: appended where only new events came, rebuilt otherwise. actor: who loads
    (the audit trail's; default the OS user on the command line). build_panel: build the panel on another
    engine (pipelines/spark.py) instead."""
    outcome = LoadOutcome()
    for i, path in enumerate(paths):
        name = names[i] if names else None
        try:
            outcome.loads.append(ingest_file(con, path, name=name, kind=kind, mapping=mapping,
                                             archive_dir=archive_dir, max_reject_share=max_reject_share,
                                             new_accounts=new_accounts, actor=actor))
        except InputError as exc:
            outcome.loads.append(Refusal(exc.file, str(exc)))
    changed = any(isinstance(r, LoadReport) and r.status == "loaded" for r in outcome.loads)
    if changed or grain or not panel_is_current(con):
        if build_panel is None:
            outcome.panel = refresh(con, grain)
        else:
            outcome.panel = build_panel(con, grain or built_grain(con) or DEFAULT_GRAIN)
    return outcome


def undo_and_rebuild(con: duckdb.DuckDBPyConnection, load_id: int,
                     actor: Actor | None = None) -> tuple[dict, BuildResult]:
    """Undo one load and rebuild the panel at its grain; an undo that fails still mends a panel an
    interrupted undo left behind."""
    try:
        done = undo_load(con, load_id, actor)
    except PayoffError:
        rebuild_if_behind(con)
        raise
    return done, build(con, built_grain(con) or DEFAULT_GRAIN)


def rebuild(con: duckdb.DuckDBPyConnection, grain: str | None = None, *, actor: Actor | None = None,
            build_panel: PanelBuilder | None = None) -> BuildResult:
    """Rebuild the panel (at `grain`, else as last built), recorded in the audit trail; build_panel: on another
    engine (pipelines/spark.py's SparkBuilder, named by its `engine` in the trail)."""
    grain = grain or built_grain(con) or DEFAULT_GRAIN
    result = (build_panel or build)(con, grain)
    on = "" if build_panel is None else f" on {getattr(build_panel, 'engine', 'another engine')}"
    audit.record(con, actor, "rebuild", f"panel by {grain}{on}: {result.n_accounts:,} accounts × {result.n_periods} "
                                        f"{grain}s")
    return result


def mend(con: duckdb.DuckDBPyConnection, *, actor: Actor | None = None) -> BuildResult | None:
    """Bring the panel in line when a load or undo landed without its rebuild (a killed process), recorded in
    the audit trail; None when it was in line already."""
    result = rebuild_if_behind(con)
    if result is not None:
        audit.record(con, actor, "rebuild", "the panel was behind the loads (a load or undo was interrupted) "
                                            "or built by an earlier version's models")
    return result


def reported(db_path: Path, what: str, actor: Actor | None, *, writing: Opener) -> None:
    """Record in the audit trail that a leadership report was made (what: its file and filters)."""
    try:
        with writing() as con:
            audit.record(con, actor, "report", what)
    except Exception:  # noqa: BLE001 - a read-only database: the report is made all the same
        LOG.exception("the report of %s could not be recorded in the audit trail", db_path)


def analyse_and_store(reading: Opener, writing: Opener, progress=None, *, db_path: Path | None = None,
                      on_wait: Callable[[str], None] | None = None, reuse: bool = False) -> Snapshot | None:
    """Compute the default analysis on a read connection, then store it under the writer lock (brief).

    Called after every load, undo and build that changed the panel. Reading, the fits leave other
    readers free (pages keep showing the last analysis meanwhile); a write that lands before the
    store makes the snapshot stale, and it is not stored (that write computes its own). A model that
    fails does not undo the load: pages then fit live, as before any snapshot. Returns the snapshot
    (its `stored` says whether it was kept), or None when it could not be computed.

    With db_path, under db.analysis_lock: one analysis of the database at a time (on_wait is told when
    another is under way). One that waited finds the build already analysed by the other when no load
    came between, and returns that instead of computing it again; so does any with reuse (the dashboard,
    whose sessions and background thread may ask one after the other).
    """
    if db_path is None:
        return _analyse_and_store(reading, writing, progress, reuse=reuse)
    waited = False

    def waiting(what: str) -> None:
        nonlocal waited
        waited = True
        if on_wait is not None:
            on_wait(what)

    with analysis_lock(db_path, waiting):
        return _analyse_and_store(reading, writing, progress, reuse=reuse or waited)


def _analyse_and_store(reading: Opener, writing: Opener, progress, *, reuse: bool) -> Snapshot | None:
    try:
        with reading() as con:
            if reuse and (done := stored(con)) is not None:
                done.stored = True
                return done
            snap = compute(con, progress)
    except PayoffError as exc:
        LOG.warning("the default analysis was not computed: %s", exc)
        return None
    except Exception:  # noqa: BLE001 - the load has landed; a failing fit must not report it as failed
        LOG.exception("the default analysis failed; pages will fit the models when they open")
        return None
    try:
        with writing() as con:
            snap.stored = store(con, snap)
    except Exception:  # noqa: BLE001 - e.g. a database file the server may read but not write
        LOG.exception("the default analysis could not be stored")
    return snap
