"""The default analysis, worked out once after each load or build and kept in the database.

Fitting every outcome takes from seconds (the sample) to half a minute (10M events); a leader
opening the dashboard after a server start should not wait for it. So after a load, an undo or
a build, the analysis every page opens on (all outcomes, the panel's grain, no filters) is
computed, together with what the Teams and Plan pages show first, and stored in one row of
`analysis_snapshot`. Pages read it back in well under a second; a filtered view, another grain
or a what-if outside the defaults still fits the models live.

What is stored is each outcome's result without its model matrices (the rows a fit ran on are
the bulk of its memory and only live refits need them), the team comparisons and targets, and
the default plan. A snapshot belongs to one build of the panel and one version of the analysis
code: a load, an undo, a rebuild or an upgrade of Payoff each leave it stale, and a stale one
is never read. It is written with pickle and read back through an unpickler that refuses every
class but the few listed here, so a database file cannot make the reader run code.
"""

from __future__ import annotations

import hashlib
import io
import logging
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb

from pipelines.errors import PayoffError

LOG = logging.getLogger("payoff.snapshot")
FORMAT = 1  # bump when the stored shape changes in a way the code fingerprint would not catch
Progress = Callable[[str], None]


@dataclass
class Snapshot:
    """The default analysis and the first answers of the Teams and Plan pages, for one build of the panel."""

    key: str
    grain: str | None
    results: list  # OutcomeResult per outcome, without model matrices (see light())
    teams: dict[tuple[str, str], object] = field(default_factory=dict)  # (outcome, attribute) -> table or error text
    targets: dict[str, object] = field(default_factory=dict)  # outcome -> realistic_target(growth=None) or error text
    plans: dict[tuple[str, float, tuple[str, ...]], dict] = field(default_factory=dict)  # the Plan page's default plan
    trends: dict | None = None  # summary.trends for all accounts and periods (the Overview's trend charts)
    seconds: float = 0.0
    created_at: datetime | None = None
    stored: bool = False  # kept in the database (set by workflow.analyse_and_store)
    stale: bool = False  # read back for a panel built since (stored(stale_ok=True)): the analysis before a load

    def result(self, outcome: str):
        for r in self.results:
            if r.outcome == outcome:
                return r
        return None


def panel_key(con: duckdb.DuckDBPyConnection) -> str | None:
    """What a snapshot must match to be read: the panel's build (grain, time, loads) and the analysis code."""
    try:
        row = con.execute("select grain, built_at, last_load_id, n_active_loads from build_info").fetchone()
    except duckdb.CatalogException:
        return None
    if row is None:
        return None
    return "|".join(str(v) for v in row) + f"|{FORMAT}|{code_fingerprint()}"


@cache
def code_fingerprint() -> str:
    """A hash of the analysis code (every module under pipelines/): results from other code are not reused."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def compute(con: duckdb.DuckDBPyConnection, progress: Progress | None = None) -> Snapshot:
    """The default analysis of the panel as built, and the Teams and Plan pages' first answers."""
    from pipelines import summary
    from pipelines.build import built_grain
    from pipelines.stats import plan, teams
    from pipelines.stats.drivers import analyze
    from pipelines.stats.frames import read_panel

    started = time.perf_counter()
    key = panel_key(con)
    if key is None:
        raise PayoffError("the panel has not been built yet: nothing to analyse")
    say = progress or (lambda _text: None)
    snap = Snapshot(key, built_grain(con), [], trends=summary.trends(con))  # first: its copy of the panel is freed
    # before the fits hold theirs
    results = analyze(con, validate=True, progress=say) if summary.overview(con).n_outcomes else []
    if results:
        say("Teams and plans: comparing groups and setting targets")
        panel = read_panel(con)
        groups = teams.group_attributes(summary.attribute_values(con))
        for r in results:
            snap.targets[r.outcome] = _answer(plan.realistic_target, panel, r.outcome, r.kind)
            if r.frame is None or not r.models:
                continue
            for attribute in teams.comparable(r, groups):
                snap.teams[(r.outcome, attribute)] = _answer(teams.compare_groups, r, panel, attribute)
            chosen = tuple(plan.default_activities(r))
            if chosen and isinstance(made := _answer(plan.plan_for_target, r, plan.DEFAULT_GOAL, list(chosen)), dict):
                snap.plans[(r.outcome, plan.DEFAULT_GOAL, chosen)] = made
    snap.results = [light(r) for r in results]
    snap.seconds = time.perf_counter() - started
    snap.created_at = datetime.now()
    return snap


def _answer(func, *args):
    """One page's first answer, or the sentence its page shows instead (a failure here must not cost the
    other outcomes their stored analysis)."""
    try:
        return func(*args)
    except PayoffError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - logged; the page says it could not be worked out
        LOG.exception("%s failed while storing the default analysis", func.__name__)
        return f"could not be worked out ({type(exc).__name__}: {exc})"


def light(result):
    """A result without the rows its models were fitted on: what every page but a live refit reads.

    The frame keeps its columns' roles (predictors, lags, controls, carry-over) but no data; each fit keeps
    its coefficients and covariance but not its design matrix, so a what-if on an amount or a count (which
    needs only those) still works, and one on a yes/no outcome (which averages over the rows) refits live.
    """
    frame = result.frame
    if frame is not None:
        frame = replace(frame, data=frame.data.iloc[:0], _codes=None)
    models = {name: replace(m, X=None, y=None) for name, m in result.models.items() if name == "adjusted"}
    return replace(result, frame=frame, models=models)


def has_rows(result) -> bool:
    """Whether a result still holds the rows its models were fitted on (see light())."""
    return result.frame is not None and len(result.frame.data) > 0 and bool(result.models) and \
        result.models["adjusted"].X is not None


def store(con: duckdb.DuckDBPyConnection, snap: Snapshot) -> bool:
    """Keep the snapshot, unless the panel was rebuilt since it was computed (then it is stale: False)."""
    if panel_key(con) != snap.key:
        return False
    payload = pickle.dumps(snap, protocol=pickle.HIGHEST_PROTOCOL)
    con.execute("begin transaction")
    try:
        con.execute("delete from analysis_snapshot")
        con.execute("insert into analysis_snapshot values (?, ?, ?, ?)", [snap.key, snap.created_at, snap.seconds,
                                                                          payload])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return True


def stored(con: duckdb.DuckDBPyConnection, *, stale_ok: bool = False) -> Snapshot | None:
    """The stored snapshot if it belongs to the panel as built and to this code; else None.

    stale_ok: also the one stored for an earlier build of the panel (by this code), marked `stale`: what
    the pages showed before the last load, to keep showing, said as such, while the new one is computed.
    """
    key = panel_key(con)
    if key is None:
        return None
    try:
        row = con.execute("select key, payload from analysis_snapshot").fetchone()
    except duckdb.CatalogException:  # a database made before snapshots
        return None
    same_code = row is not None and row[0].split("|")[-2:] == key.split("|")[-2:]
    if row is None or not same_code or (row[0] != key and not stale_ok):
        return None
    try:
        snap = _Reader(io.BytesIO(row[1])).load()
    except (pickle.UnpicklingError, AttributeError, EOFError, TypeError, ValueError):
        return None
    snap.stale = row[0] != key
    return snap


def stale_since(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the stored snapshot was made, if it is for an earlier build of the panel (by this code): the
    analysis pages show until the new one is stored. None when it is current, or there is none to show.
    Reads the key only (no unpickling)."""
    key = panel_key(con)
    try:
        row = con.execute("select key, created_at from analysis_snapshot").fetchone()
    except duckdb.CatalogException:
        return None
    if key is None or row is None or row[0] == key or row[0].split("|")[-2:] != key.split("|")[-2:]:
        return None
    return row[1]


# The classes a snapshot is made of; anything else in a payload is refused, so reading one runs no code.
_ALLOWED = {
    "pipelines.snapshot": {"Snapshot"},
    "pipelines.stats.drivers": {"OutcomeResult", "Finding"},
    "pipelines.stats.models": {"Effect", "Fit"},
    "pipelines.stats.curves": {"Curve"},
    "pipelines.stats.frames": {"Frame", "Controls"},
    "builtins": {"slice"},
    "datetime": {"datetime", "date"},
    "numpy": {"dtype", "ndarray"},
    "numpy._core.multiarray": {"_reconstruct", "scalar"},
    "numpy._core.numeric": {"_frombuffer"},
    "pandas": {"DataFrame", "Index", "RangeIndex", "StringDtype", "DatetimeIndex", "Timestamp"},
    "pandas.arrays": {"ArrowStringArray", "DatetimeArray", "StringArray"},
    "pandas.core.indexes.base": {"_new_Index"},
    "pandas.core.internals.managers": {"BlockManager"},
    "pandas._libs.internals": {"_unpickle_block"},
    "pandas._libs.arrays": {"__pyx_unpickle_NDArrayBacked"},
    "pandas._libs.tslibs.timestamps": {"_unpickle_timestamp"},
    "pyarrow.lib": {"_restore_array", "py_buffer", "type_for_alias"},
}


class _Reader(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"a stored analysis may not hold {module}.{name}")
