"""The only module with Streamlit caches: database access for every page, through the engine.

Connections are short: each read opens the database read-only, reads, and closes, so the
command line can load files while the dashboard is open. Every connection goes through the
engine's reader/writer lock (pipelines.db.opened): a write by the command line or another
browser session waits its turn, and so do reads that need the database meanwhile. Results
are cached per database version (the file's stamp, taken only when no write is under way),
so while a load runs the pages keep showing the last committed data, and the load shows on
the next rerun after it lands.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.access import current_actor
from pipelines import summary, workflow
from pipelines.build import build, built_grain, panel_is_current
from pipelines.config import DEFAULT_GRAIN, settings
from pipelines.db import LockBusy, current_writer, opened, wait_until_free
from pipelines.errors import PayoffError
from pipelines.filters import Filters

CACHE_TTL_SECONDS = 600  # cached results also expire, in case a file stamp is not updated
CACHE_ENTRIES = 64  # bounded: one entry per query × database version × filters
ANALYSIS_ENTRIES = 8  # analyses hold model matrices: keep few


@dataclass(frozen=True)
class View:
    """The shared filters every page applies (hashable: part of cache keys)."""

    grain: str = DEFAULT_GRAIN
    filters: Filters = Filters()


def db_path() -> Path:
    """The database the dashboard reads ($PAYOFF_DB or data/payoff.duckdb)."""
    return settings().db_path


def db_version() -> str:
    """A token that changes whenever a write to the database lands.

    Taken from the file's stamp when no write is under way; during a write (whose stamps
    change as it goes) the last committed token stands, so cached pages stay as they were.
    """
    path = db_path()
    committed = _committed_versions()
    if current_writer(path) is not None and str(path) in committed:
        return committed[str(path)]
    if not path.exists():
        return f"absent:{path}"
    wal = Path(str(path) + ".wal")
    stat = path.stat()
    version = f"{path}:{stat.st_mtime_ns}-{stat.st_size}-{wal.stat().st_mtime_ns if wal.exists() else 0}"
    committed[str(path)] = version
    return version


def write_in_progress() -> str | None:
    """What another process or session is writing right now, for a notice on every page."""
    return current_writer(db_path())


@st.cache_resource
def _committed_versions() -> dict[str, str]:
    return {}


def _absent(version: str) -> bool:
    return version.startswith("absent:")


class _ReadWriteLock:
    """Many readers at once or one writer, among this server's sessions.

    DuckDB cannot hold a read-only and a read-write connection to one file in one process, so a write
    waits for this server's reads to close and reads wait while it writes; reads never wait for each
    other. A reader does not queue behind a writer that is only waiting (as with the file lock between
    processes), so a thread may nest reads; the writing thread may read too.
    """

    def __init__(self):
        self._cond, self._readers, self._writer, self._depth = threading.Condition(), 0, None, 0

    @contextmanager
    def reading(self):
        me = threading.get_ident()
        with self._cond:
            while self._writer not in (None, me):
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self):
        me = threading.get_ident()
        with self._cond:
            while self._writer not in (None, me) or (self._writer is None and self._readers):
                self._cond.wait()
            self._writer, self._depth = me, self._depth + 1
        try:
            yield
        finally:
            with self._cond:
                self._depth -= 1
                if not self._depth:
                    self._writer = None
                self._cond.notify_all()


@st.cache_resource
def _lock() -> _ReadWriteLock:
    return _ReadWriteLock()


@contextmanager
def _reader(grain: str | None = None):
    """A read-only connection; with a grain other than the built one, a private temp panel at that grain."""
    with _lock().reading(), opened(db_path()) as con:
        if grain and built_grain(con) not in (None, grain):
            build(con, grain, temporary=True)
        yield con


@contextmanager
def _writer(purpose: str, on_wait=None):
    """The read-write connection of an upload or undo; waits for any other write to finish.

    It waits for another process (a command-line load, or its analysis reading the file) holding nothing, so
    this server's pages go on reading meanwhile; then it waits for the server's own reads to close and takes
    the file, or, if another process got in between, waits again.
    """
    path, told = db_path(), []

    def tell(what: str) -> None:
        if on_wait is not None and not told:
            told.append(what)
            on_wait(what)

    while True:
        wait_until_free(path, tell)
        with ExitStack() as held:
            held.enter_context(_lock().writing())
            try:
                con = held.enter_context(opened(path, write=True, purpose=purpose, by="dashboard", wait=False))
            except LockBusy as busy:
                tell(str(busy))
                continue
            yield con
            return


# -- what is loaded ---------------------------------------------------------------------------
@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def overview(version: str) -> summary.Overview | None:
    """Headline counts, or None when there is no database yet."""
    if _absent(version):
        return None
    with _reader() as con:
        return summary.overview(con)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def _summary(version: str, name: str, *args):
    """One summary query of the engine (pipelines.summary.<name>), cached per database version."""
    with _reader() as con:
        return getattr(summary, name)(con, *args)


def activity_types(version: str) -> pd.DataFrame:
    """Each activity type's volume, reach, span and hours."""
    return _summary(version, "activity_types")


def activity_by_month(version: str) -> pd.DataFrame:
    """Activities logged per month and type."""
    return _summary(version, "activity_by_month")


def outcome_types(version: str) -> pd.DataFrame:
    """Each outcome's kind, volume, reach and span."""
    return _summary(version, "outcome_types")


def attribute_names(version: str) -> list[str]:
    """Text attributes to group accounts by."""
    return _summary(version, "attribute_names")


def attribute_values(version: str) -> dict[str, list[str]]:
    """Values of each groupable attribute, for the shared filters."""
    return {} if _absent(version) else _summary(version, "attribute_values")


def customer_spans(version: str) -> pd.DataFrame:
    """Each account's customer span and the rule that set it."""
    return pd.DataFrame() if _absent(version) else _summary(version, "customer_spans")


def accounts_by(version: str, attribute: str) -> pd.DataFrame:
    """Accounts per value of one attribute."""
    return _summary(version, "accounts_by", attribute)


def loads(version: str) -> pd.DataFrame:
    """Every load with its counts, who loaded it and who undid it."""
    return _history(version, "loads")


def audit_trail(version: str) -> pd.DataFrame:
    """Who loaded, undid, rebuilt and reported, newest first."""
    return _history(version, "audit")


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def _history(version: str, which: str) -> pd.DataFrame:
    from pipelines.audit import trail
    from pipelines.ingest import list_loads

    if _absent(version):
        return pd.DataFrame()
    with _reader() as con:
        return {"loads": list_loads, "audit": trail}[which](con)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def rejects(version: str, load_id: int | None = None) -> pd.DataFrame:
    from pipelines.ingest.load import load_rejects

    if _absent(version):
        return pd.DataFrame()
    with _reader() as con:
        return load_rejects(con, load_id)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def data_quality(version: str) -> dict[str, pd.DataFrame]:
    """Accounts without activity, outcome coverage by month, and failing checks."""
    if _absent(version):
        return {}
    with _reader() as con:
        return summary.data_quality(con)


def trends(version: str, view: View) -> dict[str, pd.DataFrame]:
    """Outcome and activity totals per period for the chosen accounts and dates (stored for the default view)."""
    if (snap := _snapshot_for(version, view)) is not None and snap.trends is not None:
        return snap.trends
    return _trends(version, view)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def _trends(version: str, view: View) -> dict[str, pd.DataFrame]:
    with _reader(view.grain) as con:
        return summary.trends(con, view.filters)


# -- analysis ----------------------------------------------------------------------------------
# The default view (the panel's grain, no filters) reads the analysis stored after the last load or build
# (pipelines/snapshot.py): no fit on a page's first visit. Other views fit live, saying which outcome and
# step is under way; so do what-ifs on yes/no outcomes and plans beyond the defaults, which need the rows.
@st.cache_resource(ttl=CACHE_TTL_SECONDS, max_entries=ANALYSIS_ENTRIES, show_spinner=False)
def stored_analysis(version: str):
    """The stored default analysis for this database version, or None (none yet, or from other code).

    After a load it is the one from before the load (marked stale) until the new one is stored: pages
    keep opening at once on the last analysis, and say so, instead of every session waiting for the fits.
    """
    from pipelines import snapshot

    if _absent(version):
        return None
    with _reader() as con:
        return snapshot.stored(con, stale_ok=True)


def _snapshot_for(version: str, view: View):
    """The stored analysis if it answers this view (the panel's grain, no filter), else None; a stale one
    starts the new analysis in the background unless one is under way."""
    snap = stored_analysis(version)
    if snap is None or view.filters.active or view.grain not in (None, snap.grain):
        return None
    if snap.stale:
        _refresh_in_background()
    return snap


def analysis_pending(version: str) -> str | None:
    """A notice when pages show the analysis from before the last load or rebuild (the new one is being
    computed), else None."""
    if _absent(version) or (made := _stale_since(version)) is None:
        return None
    when = f" (computed {made:%d %b %H:%M})"
    return (f"The analysis is being updated for the latest data. Until it is ready, results and trends are the "
            f"ones from before it{when}; the Data page already shows the new data.")


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def _stale_since(version: str):
    from pipelines import snapshot

    with _reader() as con:
        return snapshot.stale_since(con)


BACKGROUND_THREADS = ("payoff-analysis", "payoff-refit")  # the new default analysis; refits of filtered views


@st.cache_resource
def _refreshing() -> tuple[threading.Lock, set]:
    return threading.Lock(), set()  # one background analysis at a time; the versions already tried


def _refresh_in_background() -> None:
    """Compute and store the default analysis in a thread of the server (at most one; none when another
    process or session is already at it): no session waits for it."""
    from pipelines.db import analysis_under_way

    gate, tried = _refreshing()
    version = db_version()
    if version in tried or analysis_under_way(db_path()) or write_in_progress() is not None:
        return  # tried already (a failing model is not fitted again at every rerun), or someone is at it
    if not gate.acquire(blocking=False):
        return
    tried.add(version)

    def work() -> None:
        try:
            _analyse_and_store()
        finally:
            gate.release()

    threading.Thread(target=work, name=BACKGROUND_THREADS[0], daemon=True).start()


def wait_for_background(timeout: float = 300) -> None:
    """Wait for this server's background analysis and refits to finish (they hold the file while they store)."""
    for thread in threading.enumerate():
        if thread.name in BACKGROUND_THREADS:
            thread.join(timeout)


def analysis(version: str, view: View) -> list:
    """Driver results for every outcome: the stored ones for the default view, else fitted live (with
    progress shown). A default view without a stored analysis (a database from before them, or one a
    load's analysis failed on) fits once and stores it, so the next server start is instant too."""
    if _absent(version):
        return []
    if (snap := _snapshot_for(version, view)) is not None:
        return snap.results
    if not view.filters.active and view.grain in (None, _built_grain(version)) and write_in_progress() is None:
        if (snap := _with_progress(lambda say: _store_default(version, say))) is not None:
            return snap.results
    if (earlier := _refitting(version, view)) is not None:
        st.info("These results are from before the latest load: the models are being refitted for these filters, "
                "and the new results show on your next update.", icon=":material/hourglass_top:")
        return earlier
    return _with_progress(lambda say: _fitted(version, view, say))


def _with_progress(work):
    """Run work(say) with a status line that says what it is doing, and remove the line when done."""
    slot = st.empty()

    def say(text: str) -> None:
        slot.status(f"Fitting the models · {text}", state="running")

    try:
        return work(say)
    finally:
        slot.empty()


class _Shared:
    """Results shared by every session, each computed once even when several sessions ask at the same time
    (the others wait for it), the least recently used dropped beyond `size`.

    Streamlit's own caches cannot show progress from inside a cached call; this one runs the work in the
    asking session's script, so its status line updates as the fit goes.
    """

    def __init__(self, size: int):
        self.size, self.items, self.lock, self.busy = size, OrderedDict(), threading.Lock(), {}

    def get(self, key, work):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
            gate = self.busy.setdefault(key, threading.Lock())
        with gate:  # one session computes; any other asking for the same key waits here, then reads it
            with self.lock:
                if key in self.items:
                    return self.items[key]
            value = work()
            with self.lock:
                for other in [k for k in self.items if self._same_view(k, key)]:
                    del self.items[other]  # the same view at an earlier database version: superseded
                self.items[key] = value
                while len(self.items) > self.size:
                    self.items.popitem(last=False)
                self.busy.pop(key, None)
            return value

    def ready(self, key) -> bool:
        with self.lock:
            return key in self.items

    def earlier(self, key):
        """What is kept for the same view at an earlier database version (key: (kind, version, view)), or None."""
        with self.lock:
            return next((self.items[k] for k in reversed(self.items) if self._same_view(k, key)), None)

    def computing(self, key) -> bool:
        with self.lock:
            return key in self.busy

    @staticmethod
    def _same_view(one, other) -> bool:
        return len(one) == len(other) == 3 and one[0] == other[0] and one[2] == other[2] and one[1] != other[1]

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


@st.cache_resource
def _shared() -> _Shared:
    return _Shared(ANALYSIS_ENTRIES)


def _store_default(version: str, say=None):
    """Compute and store the default analysis (once per version, shared across sessions)."""
    return _shared().get(("stored", version), lambda: _analyse_and_store(say))


def _analyse_and_store(say=None):
    """workflow.analyse_and_store through the dashboard's connections (as after `payoff ingest`)."""
    with _one_fit_at_a_time(say):
        snap = workflow.analyse_and_store(_reader, lambda: _writer("storing the analysis"), say, db_path=db_path(),
                                          on_wait=say and (lambda what: say(f"waiting for {what}")), reuse=True)
    stored_analysis.clear()
    return snap


@st.cache_resource
def _fitting() -> threading.Semaphore:
    return threading.BoundedSemaphore(1)


@contextmanager
def _one_fit_at_a_time(say=None):
    """One model fit at a time in this server: at 10M events one takes gigabytes, and two at once on the
    same cores finish no sooner than one after the other. The rest wait their turn, and say so."""
    gate = _fitting()
    if not gate.acquire(blocking=False):
        if say is not None:
            say("waiting for another analysis on this server to finish")
        gate.acquire()
    try:
        yield
    finally:
        gate.release()


def _analyse_after_write() -> None:
    """After an upload, undo or rebuild: the new default analysis, computed and stored in the background
    (the one who loaded sees the load's report at once; pages show the last analysis until it is stored)."""
    _clear_caches()
    _refresh_in_background()


def _fitted(version: str, view: View, say=None) -> list:
    """Driver results fitted live, with their rows (shared read-only across sessions; holds model matrices)."""
    from pipelines.stats.drivers import analyze

    def work():
        with _one_fit_at_a_time(say), _reader(view.grain) as con:
            if summary.overview(con).n_outcomes == 0:
                return []
            return analyze(con, validate=True, filters=view.filters, progress=say)

    return _shared().get(("fitted", version, view), work)


def _refitting(version: str, view: View) -> list | None:
    """After a load: this view's results from before it, while its refit runs in the background (started here
    unless under way); None when there is nothing earlier to show (the caller fits, with progress)."""
    key, shared = ("fitted", version, view), _shared()
    if shared.ready(key) or (earlier := shared.earlier(key)) is None:
        return None
    if not shared.computing(key):
        threading.Thread(target=_fitted, args=(version, view), name=BACKGROUND_THREADS[1], daemon=True).start()
    return earlier


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def _built_grain(version: str) -> str | None:
    with _reader() as con:
        return built_grain(con)


@st.cache_resource(ttl=CACHE_TTL_SECONDS, max_entries=ANALYSIS_ENTRIES, show_spinner=False)
def panel(version: str, view: View) -> pd.DataFrame:
    """The account × period panel at the view's grain (for teams and targets)."""
    from pipelines.stats.frames import read_panel

    with _reader(view.grain) as con:
        return read_panel(con)


def team_table(version: str, view: View, outcome: str, attribute: str) -> pd.DataFrame:
    """Each group's adjusted difference from the rest: stored for the default view, else fitted."""
    if (snap := _snapshot_for(version, view)) is not None and (outcome, attribute) in snap.teams:
        return _stored_answer(snap.teams[(outcome, attribute)])
    return _team_table(version, view, outcome, attribute)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def _team_table(version: str, view: View, outcome: str, attribute: str) -> pd.DataFrame:
    from pipelines.stats.teams import compare_groups

    return compare_groups(_result(version, view, outcome, rows=True), panel(version, view), attribute)


def target(version: str, view: View, outcome: str, growth: float | None) -> dict:
    """A realistic target from the last two years of the outcome (growth None: last year's change continued)."""
    snap = _snapshot_for(version, view)
    if growth is None and snap is not None and outcome in snap.targets:
        return _stored_answer(snap.targets[outcome])
    return _target(version, view, outcome, growth)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def _target(version: str, view: View, outcome: str, growth: float | None) -> dict:
    from pipelines.stats.plan import realistic_target

    result = _result(version, view, outcome)
    return realistic_target(view.filters.apply(panel(version, view)), outcome, result.kind, growth)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def what_if(version: str, view: View, outcome: str, changes: dict[str, float]):
    """The predicted change in the outcome for these activity changes, with its interval."""
    from pipelines.stats.plan import needs_rows, what_if as _what_if

    result = _result(version, view, outcome)
    return _what_if(_result(version, view, outcome, rows=True) if needs_rows(result) else result, changes)


def plan_for(version: str, view: View, outcome: str, goal: float, activities: list[str]) -> dict:
    """The activity change associated with reaching the goal: the default plan is stored, others searched."""
    snap = _snapshot_for(version, view)
    if snap is not None and (outcome, goal, tuple(activities)) in snap.plans:
        return snap.plans[(outcome, goal, tuple(activities))]
    return _plan_for(version, view, outcome, goal, activities)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def _plan_for(version: str, view: View, outcome: str, goal: float, activities: list[str]) -> dict:
    from pipelines.stats.plan import needs_rows, plan_for_target

    result = _result(version, view, outcome)
    return plan_for_target(_result(version, view, outcome, rows=True) if needs_rows(result) else result, goal,
                           activities)


def _stored_answer(answer):
    """A stored team table or target, or the error it met when it was computed (raised again, as live)."""
    if isinstance(answer, str):
        raise PayoffError(answer)
    return answer


def _result(version: str, view: View, outcome: str, *, rows: bool = False):
    """One outcome's result; rows=True: with the rows its models were fitted on (fitted live if need be)."""
    from pipelines.snapshot import has_rows

    results = analysis(version, view)
    if rows and any(r.models and not has_rows(r) for r in results):  # stored ones keep no rows: fit live
        results = _with_progress(lambda say: _fitted(version, view, say))
    for result in results:
        if result.outcome == outcome:
            return result
    raise PayoffError(f"no analysis for outcome '{outcome}'")


# -- uploads ----------------------------------------------------------------------------------
LOG = logging.getLogger("payoff.dashboard")


def _friendly(action: str):
    """Turn an unexpected failure of a write into one PayoffError for the page (traceback to the server log).

    Loads, undos and builds each run in one transaction, so a failure leaves the database as it was.
    """
    def wrap(func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except PayoffError:
                raise
            except Exception as exc:
                LOG.exception("%s failed", action)
                detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                raise PayoffError(f"{action} failed unexpectedly ({type(exc).__name__}: {detail}); nothing was "
                                  "changed. The details are in the server's log.") from exc
        return run
    return wrap


def _saved_upload(name: str, content: bytes, folder: str) -> Path:
    """Write an upload under a safe name inside a private temp folder (never a user-chosen path)."""
    from pipelines.ingest.source import safe_file_name

    path = Path(folder) / safe_file_name(name)
    path.write_bytes(content)
    return path


@_friendly("Reading the upload")
def propose(name: str, content: bytes, kind: str | None = None):
    """How an upload would be read (workflow.propose: the same answer as `payoff map`)."""
    with tempfile.TemporaryDirectory(prefix="payoff-upload-") as folder:
        path = _saved_upload(name, content, folder)
        if not db_path().exists():
            return workflow.propose(None, path, name=name, kind=kind)
        with _reader() as con:
            return workflow.propose(con, path, name=name, kind=kind)


@_friendly("The load")
def ingest(name: str, content: bytes, mapping=None, kind: str | None = None, new_accounts: bool = False):
    """Load one uploaded export and bring the panel up to date (workflow.load_files, as `payoff ingest`)."""
    with tempfile.TemporaryDirectory(prefix="payoff-upload-") as folder:
        path = _saved_upload(name, content, folder)
        with _writer(f"loading {Path(name).name}", _say_waiting) as con:
            outcome = workflow.load_files(con, [path], names=[name], kind=kind, mapping=mapping,
                                          archive_dir=settings().archive_dir, new_accounts=new_accounts,
                                          actor=current_actor())
    if outcome.panel is not None:
        _analyse_after_write()
    else:
        _clear_caches()
    result = outcome.loads[0]
    if isinstance(result, workflow.Refusal):
        raise PayoffError(result.error)
    return result


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def panel_behind(version: str) -> bool:
    """Whether a load or undo landed without its panel rebuild (its process was killed in between), or an
    earlier version built the panel."""
    if _absent(version):
        return False
    with _reader() as con:
        return not panel_is_current(con)


@_friendly("Rebuilding the panel")
def rebuild_panel() -> None:
    """Bring the panel in line with the loads (a no-op when another writer already did)."""
    with _writer("rebuilding the panel") as con:
        workflow.mend(con, actor=current_actor())
    _analyse_after_write()


@_friendly("The undo")
def undo(load_id: int) -> dict:
    """Undo one load and rebuild the panel."""
    with _writer(f"undoing load {load_id}", _say_waiting) as con:
        done, _ = workflow.undo_and_rebuild(con, load_id, current_actor())
    _analyse_after_write()
    return done


def _say_waiting(what: str) -> None:
    st.toast(f"Waiting for {what} to finish; this load follows it.", icon=":material/hourglass_top:")


def _clear_caches() -> None:
    st.cache_data.clear()  # fits in _shared() stay: keyed by version, they are what a view shows while refitted
    for cached in (stored_analysis, panel):
        cached.clear()


def env_db_label() -> str:
    """How the database path reads in page captions."""
    return os.environ.get("PAYOFF_DB") or str(db_path())


def default_dates(info) -> tuple[date, date] | None:
    """The full activity span, the date filter's default."""
    if info is None or info.first_on is None:
        return None
    return pd.Timestamp(info.first_on).date(), pd.Timestamp(info.last_on).date()


def current() -> tuple[str, View]:
    """The database version and the shared filters set in the sidebar (defaults when run alone)."""
    return db_version(), st.session_state.get("view", View())


REPORT_FILES = {"deck": ("payoff-review.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
                "pdf": ("payoff-brief.pdf", "application/pdf"),
                "html": ("payoff-brief.html", "text/html")}


def record_report(view: View, kind: str) -> None:
    """Note in the audit trail that this session asked for a report (when asked: recording it inside the cached
    build would change the database's version, and so the cache's key, at every rerun)."""
    workflow.reported(db_path(), f"{REPORT_FILES[kind][0]} ({view.filters.describe()})", current_actor(),
                      writing=lambda: _writer("recording the report"))


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=6, show_spinner="Preparing the report…")
def report_file(version: str, view: View, kind: str) -> bytes:
    """The leadership deck or brief for the current database and filters (same data, same bytes)."""
    from pipelines.report import brief, build_content, deck

    with _reader(view.grain) as con:
        content = build_content(con, view.filters)
    if kind == "deck":
        return deck.deck_bytes(content)
    if kind == "pdf":
        return brief.pdf_bytes(content)[0]
    return brief.html_text(content).encode("utf-8")
