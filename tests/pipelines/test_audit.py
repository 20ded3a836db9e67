"""The audit trail: who loaded, undid, rebuilt and reported, from the command line and the browser."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from pipelines import audit, workflow
from pipelines.access import hash_password
from pipelines.cli import main
from pipelines.config import PROJECT_ROOT
from pipelines.db import connect, opened

EXPORT = "Activity ID,Type,Date,Account\nA1,Call,2025-03-15,ACME\nA2,Email,2025-03-16,ACME\n"
MORE = "Activity ID,Type,Date,Account\nA3,Call,2025-04-15,ACME\n"
PASSWORD = "correct horse battery staple"


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_the_command_line_records_the_os_user_for_loads_undos_rebuilds_and_reports(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(audit, "os_user", lambda: "alice")
    db, first, second = tmp_path / "p.duckdb", tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(EXPORT)
    second.write_text(MORE)
    for args in (["ingest", first], ["ingest", second], ["undo", "2"], ["build"]):
        assert main(["--db", str(db), *map(str, args)]) == 0
    workflow.reported(db, "deck.pptx (all accounts and periods)", audit.command_line(),
                      writing=lambda: opened(db, write=True))
    capsys.readouterr()
    assert main(["--db", str(db), "loads", "--format", "json"]) == 0
    loads = {r["load_id"]: r for r in _json(capsys)}
    assert loads[1]["loaded_by"] == "alice, command line" and loads[1]["undone_by"] is None
    assert loads[2]["undone_by"] == "alice, command line"
    assert main(["--db", str(db), "audit", "--format", "json"]) == 0
    trail = _json(capsys)
    assert [(r["action"], r["load_id"]) for r in reversed(trail)] == [
        ("load", 1), ("load", 2), ("undo", 2), ("rebuild", None), ("report", None)]
    assert {r["who"] for r in trail} == {"alice"} and {r["via"] for r in trail} == {"command line"}
    assert trail[0]["detail"] == "deck.pptx (all accounts and periods)"
    assert trail[3]["detail"] == "b.csv: 1 rows loaded (activity_events)"


def test_a_browser_upload_and_undo_name_the_signed_in_session(tmp_path, monkeypatch, settled):
    db = tmp_path / "p.duckdb"
    monkeypatch.setenv("PAYOFF_DB", str(db))
    monkeypatch.setenv("PAYOFF_AUTH", "password")
    monkeypatch.setenv("PAYOFF_PASSWORD_HASH", hash_password(PASSWORD))
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=90)
    at.run()
    at.text_input(key="payoff_password").input(PASSWORD)
    at.button[0].click().run()
    at.switch_page("app_pages/data_page.py").run()
    at.file_uploader(key="upload").set_value(("calls.csv", EXPORT.encode(), "text/csv")).run()
    next(b for b in at.button if b.key and b.key.startswith("load_")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="undo_load").set_value(1).run()
    at.checkbox(key="undo_confirm_1").check().run()
    at.button(key="undo_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    settled()  # the upload's analysis runs in the background and writes to the file
    con = connect(db, read_only=True)
    try:
        row = con.execute("select loaded_by, loaded_via, undone_by, undone_via from loads where load_id = 1").fetchone()
        actions = [r[0] for r in con.execute("select action from audit_log order by happened_at").fetchall()]
    finally:
        con.close()
    assert row == ("shared password", "browser", "shared password", "browser")  # AppTest has no client address
    assert actions == ["load", "undo"]
