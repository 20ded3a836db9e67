"""The pages when something goes wrong underneath: an unexpected engine failure during a load, and a
panel left behind by a load whose process died before the rebuild."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from pipelines.build import panel_is_current
from pipelines.config import PROJECT_ROOT
from pipelines.db import connect
from pipelines.ingest import ingest_file, list_loads

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
EXPORT = (b"Activity ID,Activity Type,Date,Account ID,Assigned To\r\n"
          b"QQ-1,Meeting,12/1/2025,ACC-00001,Nadia Haddad\r\nQQ-2,Call,12/2/2025,ACC-00002,Nadia Haddad\r\n")


def _n_loads(path) -> int:
    con = connect(path, read_only=True)
    try:
        return len(list_loads(con))
    finally:
        con.close()


def test_an_unexpected_failure_in_a_load_is_one_message_and_changes_nothing(demo_copy, monkeypatch):
    import pipelines.workflow

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(pipelines.workflow, "ingest_file", broken)  # what the Data page's load calls
    before = _n_loads(demo_copy)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("app_pages/data_page.py").run()
    at.file_uploader(key="upload").set_value(("new.csv", EXPORT, "text/csv")).run()
    [button] = [b for b in at.button if b.key and b.key.startswith("load_")]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert errors == ["The load failed unexpectedly (RuntimeError: disk on fire); nothing was changed. "
                      "The details are in the server's log."]
    assert _n_loads(demo_copy) == before


def test_a_panel_left_behind_by_a_killed_load_is_rebuilt_on_the_next_visit(demo_copy, tmp_path, settled):
    export = tmp_path / "late.csv"
    export.write_bytes(EXPORT)
    con = connect(demo_copy)
    try:
        ingest_file(con, export)  # committed, but no rebuild: as if the process died right after
        assert not panel_is_current(con)
    finally:
        con.close()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    settled()  # the rebuild's analysis runs in the background and writes to the file
    con = connect(demo_copy, read_only=True)
    try:
        assert panel_is_current(con)
        assert con.execute("select count(*) from account_periods where n_meeting > 0 and period_on = "
                           "date '2025-12-01' and account_id = 'ACC-00001'").fetchone() == (1,)
    finally:
        con.close()


def _as_an_earlier_version_built_it(path) -> None:
    """The database as an earlier version left it: its build noted without the models' digest, and a mart with
    a column fewer than this version's models make."""
    con = connect(path)
    try:
        con.execute("alter table build_info drop column models_digest")
        con.execute("alter table account_spans drop column start_unseen")
        assert not panel_is_current(con)
    finally:
        con.close()


def test_a_database_built_by_an_earlier_version_is_rebuilt_on_the_next_visit(demo_copy, settled):
    _as_an_earlier_version_built_it(demo_copy)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    settled()
    con = connect(demo_copy, read_only=True)
    try:
        assert panel_is_current(con)
        assert "start_unseen" in con.execute("select * from account_spans limit 0").df().columns
    finally:
        con.close()


def test_the_command_line_reads_a_database_an_earlier_version_built(demo_copy, capsys):
    from pipelines.cli import main

    _as_an_earlier_version_built_it(demo_copy)
    assert main(["--db", str(demo_copy), "drivers", "--outcome", "renewed", "--no-validation"]) == 0
    assert "Business Review" in capsys.readouterr().out
    con = connect(demo_copy, read_only=True)
    try:  # a private panel served the reader: the file is as it was
        assert not panel_is_current(con)
    finally:
        con.close()


def test_payoff_analyse_rebuilds_a_panel_an_earlier_version_built_then_stores_the_analysis(demo_copy):
    from pipelines.cli import main

    _as_an_earlier_version_built_it(demo_copy)
    assert main(["--db", str(demo_copy), "analyse"]) == 0  # before: 'analysis not stored', exit 1
    con = connect(demo_copy, read_only=True)
    try:
        assert panel_is_current(con)
        assert con.execute("select count(*) from audit_log where action = 'rebuild'").fetchone()[0] >= 1
    finally:
        con.close()
