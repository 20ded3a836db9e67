"""The bad-input corpus (corpus.py) through every way in: the library, the CLI in-process,
the Data page under AppTest and the installed `payoff` command.

Each case is loaded with exactly its counts, rejects and values, or refused with one line
naming the file, row and column, never a traceback, and a refusal leaves every table of the
database exactly as it was (count and hash of the ordered contents of each table).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from corpus import CASES, ITEMS, ONE_GB, Case
from pipelines.cli import main
from pipelines.config import PROJECT_ROOT
from pipelines.db import connect
from pipelines.errors import InputError
from pipelines.ingest import ingest_file
from pipelines.ingest.load import RAW_TABLES

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGE = "app_pages/data_page.py"
PAYOFF = Path(sys.executable).parent / "payoff"  # the console script installed beside this Python
FAST = [c for c in CASES if not c.slow]
GIGABYTE = next(c for c in CASES if c.name == "one_gigabyte_activity_export")
# bytes: a 1 GB export must load under 2 GB of resident memory. Measured alone: 1.1-1.2 GiB; once, late in a
# full suite run, 1.6 GiB (DuckDB's buffers beyond its 1 GB limit vary from run to run)
PEAK_MEMORY_LIMIT = 1792 << 20
NASTIEST = {"sql header", "binary data", "zip renamed", "utf-16", "open quote", "formula =", "empty file",
            "header only", "duplicate header", "huge number"}  # each goes through the Data page at least once


def ids(cases: list[Case]) -> list[str]:
    return [c.name for c in cases]


# -- the database before and after ----------------------------------------------------------------


def fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the ordered contents of every table a load writes: loads, load_rejects,
    mappings and every raw_* table (the panel is rebuilt from them only after a load, never on a refusal)."""
    tables = ["loads", "load_rejects", "mappings", *RAW_TABLES]
    return {t: con.execute(f"""select count(*), md5(coalesce(string_agg(r, chr(10) order by r), ''))
                               from (select cast(t as varchar) as r from "{t}" t)""").fetchone()
            for t in tables}


def fingerprint_file(path: Path) -> dict[str, tuple[int, str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return fingerprint(con)
    finally:
        con.close()


@pytest.fixture
def db_copy(demo_db, tmp_path) -> Path:
    """A writable copy of the session's demo database (seven loads of sample exports)."""
    path = tmp_path / "db" / "payoff.duckdb"
    path.parent.mkdir()
    shutil.copyfile(demo_db, path)
    return path


@pytest.fixture
def export(tmp_path):
    """export(case) -> the case's file, written into its own folder under tmp_path."""
    folder = tmp_path / "in"
    folder.mkdir()
    return lambda case: case.write(folder)


@pytest.fixture
def no_payoff_env(monkeypatch):
    monkeypatch.delenv("PAYOFF_DB", raising=False)
    monkeypatch.delenv("PAYOFF_ARCHIVE_DIR", raising=False)


# -- what every path must show ----------------------------------------------------------------------


def assert_refusal_message(case: Case, message: str) -> None:
    """One line naming the file, the row and the column the case expects, and its words."""
    assert "Traceback" not in message and "\n" not in message.strip(), message
    assert case.file_name in message, message
    if case.row is not None:
        assert f", row {case.row}" in message, message
    else:
        assert ", row " not in message, message
    if case.column is not None:
        assert f"column '{case.column}'" in message, message
    assert case.words in message, message


def assert_loaded(case: Case, con: duckdb.DuckDBPyConnection, load_id: int) -> None:
    """The load's recorded counts, every rejected row, its notes, and the checked values."""
    read, loaded, duplicate, rejected = con.execute(
        "select rows_read, rows_loaded, rows_duplicate, rows_rejected from loads where load_id = ?", [load_id]
    ).fetchone()
    assert (read, loaded, duplicate, rejected) == case.counts
    assert read == loaded + duplicate + rejected
    rejects = con.execute("select row_number, column_name, reason from load_rejects where load_id = ? "
                          "order by row_number, column_name", [load_id]).fetchall()
    assert rejects == list(case.rejects)
    notes = json.loads(con.execute("select notes_json from loads where load_id = ?", [load_id]).fetchone()[0])
    for words in case.notes:
        assert any(words in note for note in notes), (words, notes)
    for check in case.checks:
        params = {"load_id": load_id} if "$load_id" in check.sql else {}
        assert con.execute(check.sql, params).fetchall() == check.rows, check.sql


# -- the corpus itself --------------------------------------------------------------------------------


def test_the_corpus_covers_every_listed_kind_of_bad_input():
    covered = {item for case in CASES for item in case.covers}
    assert covered == set(ITEMS)
    assert len(CASES) >= 40 and len({c.name for c in CASES}) == len(CASES)
    assert {"loaded", "refused"} == {c.outcome for c in CASES}
    page = [c for c in CASES if c.page]
    assert len(page) >= 10 and NASTIEST <= {item for c in page for item in c.covers}
    assert len([c for c in CASES if c.subprocess]) >= 5


# -- the library ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", FAST, ids=ids(FAST))
def test_library_loads_or_refuses_cleanly(case, db_copy, export):
    path = export(case)
    con = connect(db_copy)
    try:
        if case.outcome == "refused":
            before = fingerprint(con)
            with pytest.raises(InputError) as err:
                ingest_file(con, path, kind=case.kind)
            assert (err.value.file, err.value.row, err.value.column) == (case.file_name, case.row, case.column)
            assert_refusal_message(case, str(err.value))
            assert fingerprint(con) == before
        else:
            report = ingest_file(con, path, kind=case.kind)
            assert report.status == "loaded"
            assert (report.rows_read, report.rows_loaded, report.rows_duplicate, report.rows_rejected) == case.counts
            assert_loaded(case, con, report.load_id)
    finally:
        con.close()


# -- the CLI, in-process --------------------------------------------------------------------------


@pytest.mark.parametrize("case", FAST, ids=ids(FAST))
def test_cli_prints_one_line_and_exits_cleanly(case, db_copy, export, capsys, no_payoff_env):
    path = export(case)
    before = fingerprint_file(db_copy) if case.outcome == "refused" else None
    code = main(["--db", str(db_copy), "ingest", str(path), *(["--kind", case.kind] if case.kind else [])])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if case.outcome == "refused":
        assert (code, out) == (1, "")
        assert err.startswith(f"refused {case.file_name}") and err.count("\n") == 1, err
        assert_refusal_message(case, err)
        assert fingerprint_file(db_copy) == before
    else:
        assert (code, err) == (0, "")
        read, loaded, duplicate, rejected = case.counts
        first = out.splitlines()[0]
        assert first.startswith(f"{case.file_name}: load 8 (")
        assert first.endswith(f"{read:,} rows read, {loaded:,} loaded, {duplicate:,} duplicate, {rejected:,} rejected")
        for row, column, _ in case.rejects[:5]:
            assert f"rejected row {row}, column '{column}'" in out
        con = duckdb.connect(str(db_copy), read_only=True)
        try:
            assert_loaded(case, con, 8)
        finally:
            con.close()


# -- the Data page ---------------------------------------------------------------------------------

PAGE_CASES = [c for c in CASES if c.page]


def _upload(at: AppTest, case: Case) -> AppTest:
    """Upload the case's bytes and press Load when the page offers it (a refused file gets no button)."""
    at.file_uploader(key="upload").set_value((case.file_name, case.data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = [b for b in at.button if b.key and b.key.startswith("load_")]
    assert len(buttons) <= 1
    if buttons:
        buttons[0].click().run()
        assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("case", PAGE_CASES, ids=ids(PAGE_CASES))
def test_data_page_shows_a_friendly_error_or_the_load(case, db_copy, monkeypatch, no_payoff_env, settled):
    monkeypatch.setenv("PAYOFF_DB", str(db_copy))
    before = fingerprint_file(db_copy)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    _upload(at, case)
    if case.outcome == "refused":
        errors = [e.value for e in at.error]
        assert len(errors) == 1, errors
        assert_refusal_message(case, errors[0])
        assert not at.success or all("loaded as load" not in s.value for s in at.success)
        assert fingerprint_file(db_copy) == before
    else:
        assert not at.error, [e.value for e in at.error]
        assert any(f"**{case.file_name}** loaded as load 8" in s.value for s in at.success)
        read, loaded, duplicate, rejected = case.counts
        metrics = {m.label: m.value for m in at.metric}
        assert (metrics["Rows read"], metrics["Rows loaded"], metrics["Duplicate"], metrics["Rejected"]) == (
            f"{read:,}", f"{loaded:,}", f"{duplicate:,}", f"{rejected:,}")
        settled()  # the upload's analysis runs in the background and writes to the file
        con = duckdb.connect(str(db_copy), read_only=True)
        try:
            assert_loaded(case, con, 8)
        finally:
            con.close()


# -- the installed command, in a process of its own ------------------------------------------------

PROCESS_CASES = [c for c in CASES if c.subprocess]


def _payoff_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PAYOFF_DB", "PAYOFF_ARCHIVE_DIR")}
    return {**env, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


@pytest.mark.parametrize("case", PROCESS_CASES, ids=ids(PROCESS_CASES))
def test_payoff_command_writes_one_line_to_stderr(case, db_copy, export):
    path = export(case)
    before = fingerprint_file(db_copy)
    done = subprocess.run([str(PAYOFF), "--db", str(db_copy), "ingest", str(path)], capture_output=True, text=True,
                          timeout=300, env=_payoff_env(), cwd=db_copy.parent)
    assert "Traceback" not in done.stdout + done.stderr
    if case.outcome == "refused":
        assert done.returncode == 1
        assert len(done.stderr.splitlines()) == 1, done.stderr
        assert_refusal_message(case, done.stderr)
        assert fingerprint_file(db_copy) == before
    else:
        assert (done.returncode, done.stderr) == (0, "")
        read, loaded, duplicate, rejected = case.counts
        assert f"{read:,} rows read, {loaded:,} loaded, {duplicate:,} duplicate, {rejected:,} rejected" in done.stdout


# -- a 1 GB export -----------------------------------------------------------------------------------

LOAD_SCRIPT = textwrap.dedent("""
    import json, resource, sys, time
    from pipelines.db import connect
    from pipelines.ingest import ingest_file
    start = time.monotonic()
    con = connect(sys.argv[1])
    report = ingest_file(con, sys.argv[2])
    con.close()
    print(json.dumps({"counts": [report.rows_read, report.rows_loaded, report.rows_duplicate, report.rows_rejected],
                      "rejects": [[r["row_number"], r["column_name"], r["reason"]] for r in report.rejects],
                      "seconds": time.monotonic() - start,
                      "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
""")


@pytest.mark.slow
def test_a_1_gb_export_loads_with_its_one_bad_row_rejected_in_bounded_memory(db_copy, export, record_property):
    """Loaded, not refused: one impossible date in 12 million rows is rejected by its exact row."""
    started = time.monotonic()
    path = export(GIGABYTE)
    written, size = time.monotonic() - started, path.stat().st_size
    assert size >= ONE_GB
    try:
        done = subprocess.run([sys.executable, "-c", LOAD_SCRIPT, str(db_copy), str(path)], capture_output=True,
                              text=True, timeout=1800, env=_payoff_env(), cwd=db_copy.parent)
    finally:
        path.unlink()  # pytest keeps the last runs' temp folders: do not leave a gigabyte in each
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])  # DuckDB may draw a progress bar above it
    assert tuple(result["counts"]) == GIGABYTE.counts
    assert [tuple(r) for r in result["rejects"]] == list(GIGABYTE.rejects)
    assert result["peak_bytes"] < PEAK_MEMORY_LIMIT, f"peak {result['peak_bytes'] / 2**20:.0f} MiB"
    con = duckdb.connect(str(db_copy), read_only=True)
    try:
        assert_loaded(GIGABYTE, con, 8)
    finally:
        con.close()
    for name, value in (("file_bytes", size), ("write_seconds", round(written, 1)),
                        ("load_seconds", round(result["seconds"], 1)),
                        ("peak_mib", round(result["peak_bytes"] / 2**20))):
        record_property(name, value)
    print(f"1 GB export: {size / 1e9:.2f} GB written in {written:.0f} s, loaded in "
          f"{result['seconds']:.0f} s, peak RSS {result['peak_bytes'] / 2**20:.0f} MiB")
