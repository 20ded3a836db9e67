"""The one place that opens DuckDB connections and runs Payoff's SQL files.

Several processes share one database file: the dashboard (many short reads, the odd
upload) and the command line (loads, builds, analyses). DuckDB lets one process write
or many read, and refuses the rest with a lock error. `opened()` puts an advisory
reader/writer lock beside the file (`<db>.lock`, flock) in front of that, so a writer
waits its turn instead of failing, readers wait for a write in progress instead of
failing, and anyone can ask what the current writer is doing (`current_writer()`).
The kernel drops the lock when a process dies, even by SIGKILL: no stale locks.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.errors import PayoffError

SQL_DIR = Path(__file__).resolve().parent / "sql"
_IDENT_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
LOCK_WAIT_SECONDS = 15.0  # another process (the dashboard reading) may hold the file briefly: wait this long
LOCK_RETRY_SECONDS = 0.2
WRITER_MEMORY_LIMIT = "1GB"  # DuckDB's own default is 80% of RAM; PAYOFF_MEMORY_LIMIT overrides


def connect(db_path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database (creating folder, file and schema when writable)."""
    path = Path(db_path)
    if read_only and not path.exists():
        raise PayoffError(f"{path}: no database here yet; run 'payoff demo' or 'payoff ingest FILE' first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise PayoffError(f"{path}: cannot open the database ({_first_line(exc)}); "
                                  "another process has held it for too long") from exc
            time.sleep(LOCK_RETRY_SECONDS)  # the dashboard's reads are short: the lock frees soon
    con.execute("set enable_progress_bar = false")  # DuckDB draws it on stdout, inside `--format json` output
    if not read_only:
        # a writer's loads and builds spill to disk beyond this instead of taking most of the machine
        con.execute("set memory_limit = $limit", {"limit": os.environ.get("PAYOFF_MEMORY_LIMIT", WRITER_MEMORY_LIMIT)})
        ensure_schema(con)
    return con


class LockBusy(Exception):
    """The database's lock is held by another and the caller asked not to wait (the holder is the message)."""


@contextmanager
def opened(db_path: str | Path, *, write: bool = False, purpose: str = "", by: str = "command line",
           on_wait: Callable[[str], None] | None = None, wait: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection held under the database's reader/writer lock, closed (and the lock freed) on exit.

    Readers share the lock; a writer holds it alone and records `purpose` and `by` in the
    lock file so others can say what they are waiting for. When the lock is taken,
    on_wait is called once with that description and the call waits as long as it takes
    (wait=False: raises LockBusy instead).
    """
    path = Path(db_path)
    if not write and not path.exists():
        raise PayoffError(f"{path}: no database here yet; run 'payoff demo' or 'payoff ingest FILE' first")
    lock = write_lock(path, purpose, by=by, on_wait=on_wait, wait=wait) if write else \
        _file_lock(path, exclusive=False, on_wait=on_wait, wait=wait)
    with lock:
        con = connect(path, read_only=not write)
        try:
            yield con
        finally:
            con.close()


@contextmanager
def write_lock(db_path: str | Path, purpose: str, *, by: str = "command line",
               on_wait: Callable[[str], None] | None = None, wait: bool = True) -> Iterator[None]:
    """Hold the writer lock, recording what for; for writers that open (or replace) the file themselves."""
    with _file_lock(Path(db_path), exclusive=True, on_wait=on_wait, wait=wait) as fd:
        if fd is None:
            yield
            return
        _record_writer(fd, purpose, by)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)


def current_writer(db_path: str | Path) -> str | None:
    """What the process writing to the database is doing ("loading x.csv from the command line
    since 10:32"), or None when no write is under way. Never waits."""
    lock = _lock_path(Path(db_path))
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _describe_writer(fd) or "another process is writing to the database"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


@contextmanager
def analysis_lock(db_path: str | Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Held while the default analysis of a database is computed and stored (snapshot.py).

    One at a time across processes and threads: each takes gigabytes at 10M events, and a second
    one of the same build would only repeat the first. Others can tell one is under way
    (analysis_under_way) and keep showing the last stored analysis meanwhile.
    """
    try:
        fd = os.open(Path(db_path).with_name(Path(db_path).name + ".analysis"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # a read-only folder: nobody here can store an analysis anyway
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait("the analysis another process or session is computing")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def analysis_under_way(db_path: str | Path) -> bool:
    """Whether the default analysis of this database is being computed right now (never waits)."""
    try:
        fd = os.open(Path(db_path).with_name(Path(db_path).name + ".analysis"), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def wait_until_free(db_path: str | Path, on_wait: Callable[[str], None] | None = None) -> None:
    """Wait, holding nothing afterwards, until no process reads or writes the database (on_wait as in opened)."""
    with _file_lock(Path(db_path), exclusive=True, on_wait=on_wait):
        pass


@contextmanager
def _file_lock(path: Path, *, exclusive: bool, on_wait: Callable[[str], None] | None,
               wait: bool = True) -> Iterator[int | None]:
    """Hold flock on <db>.lock; yields None (no lock) where the folder cannot hold a lock file."""
    if exclusive:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(_lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # a read-only folder: fall back on DuckDB's own lock and its wait in connect()
        yield None
        return
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise LockBusy(_holder(fd)) from None
            if on_wait is not None:
                on_wait(_holder(fd))
            fcntl.flock(fd, mode)
        yield fd
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _holder(fd: int) -> str:
    """Who holds the lock we wait for: the recorded writer, or readers when a shared lock is free.

    A writer killed by SIGKILL leaves its record in the file; it counts only while the
    lock is held exclusively, which a shared probe tells.
    """
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _describe_writer(fd) or "another process's write"
    fcntl.flock(fd, fcntl.LOCK_UN)
    return "reads by another process"


def _record_writer(fd: int, purpose: str, by: str) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps({"purpose": purpose or "writing", "by": by, "pid": os.getpid(),
                              "since": datetime.now().isoformat(timespec="seconds")}).encode("utf-8"), 0)


def _describe_writer(fd: int) -> str | None:
    """The recorded writer, or None when the lock file is empty (readers only, or nobody)."""
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"null")
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict):
        return None
    since = str(info.get("since", ""))[11:16]
    return f"{info.get('purpose', 'writing')} from the {info.get('by', 'command line')}" + (f" since {since}" if since else "")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the storage tables if they are missing (idempotent)."""
    con.execute(sql_text("schema.sql"))


def sql_text(relative: str) -> str:
    """Read one SQL file shipped with the package."""
    return (SQL_DIR / relative).read_text(encoding="utf-8")


def quote_ident(name: str) -> str:
    """Quote an identifier Payoff generated itself; refuse anything else.

    The audited way to put a name into SQL text: only lower-case snake_case names
    pass, so a user-supplied header can never reach SQL text through here.
    """
    if not _IDENT_RE.match(name):
        raise ValueError(f"not a safe generated identifier: {name!r}")
    return f'"{name}"'


def column_exists(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """Whether a table of the main schema has this column (a read-only connection to a database made by an
    older Payoff sees its schema unmigrated: ensure_schema runs on write connections only)."""
    row = con.execute("select count(*) from information_schema.columns where table_schema = 'main' "
                      "and table_name = ? and column_name = ?", [table, column]).fetchone()
    return bool(row[0])


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table or view of this name exists in the main schema."""
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'main' and table_name = ?",
        [name],
    ).fetchone()
    return bool(row and row[0])


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
