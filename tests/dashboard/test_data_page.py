"""The Data page under AppTest: upload through the file uploader, refusals, repeats, undo, quality."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data import wait_for_background
from pipelines.build import check_rows
from pipelines.config import PROJECT_ROOT, SAMPLE_DATA_DIR
from pipelines.db import connect
from pipelines.ingest import list_loads

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGE = "app_pages/data_page.py"
RENEWALS = SAMPLE_DATA_DIR / "renewals.csv"
RENEWALS_ROWS = len(RENEWALS.read_text(encoding="utf-8").splitlines()) - 1  # its data rows (no blank lines)
BAD_CSV = b"Account,Renewal Date,Renewal Status\nA1,2024-01-05,Renewed\nA2,2024-13-45,Churned\nA3,2024-02-05,Renewed\n"


@pytest.fixture
def fresh_db(tmp_path, monkeypatch):
    """A database path with nothing there yet, set as PAYOFF_DB."""
    path = tmp_path / "fresh" / "payoff.duckdb"
    monkeypatch.setenv("PAYOFF_DB", str(path))
    return path


def _data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _loads(path):
    wait_for_background()  # a load's analysis runs in the background and writes to the file
    con = connect(path, read_only=True)
    try:
        return list_loads(con)
    finally:
        con.close()


def _upload_and_load(at: AppTest, name: str, content: bytes) -> AppTest:
    """Put one file in the uploader, then press its Load button."""
    at.file_uploader(key="upload").set_value((name, content, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = [b for b in at.button if b.key and b.key.startswith("load_")]
    assert len(buttons) == 1, "one Load button per uploaded file"
    buttons[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_renders_on_the_demo_database(demo_copy):
    at = _data_page()
    assert at.title[0].value == "Data"
    assert [t.label for t in at.tabs] == ["Upload", "Load history", "What's loaded", "Data quality"]
    assert _metrics(at)["Accounts"] == "600"
    assert len(at.get("plotly_chart")) == 4  # activity (twice), accounts by segment, outcome coverage
    assert at.file_uploader(key="upload").accept_multiple_files
    assert any("200 MB" in c.value and "payoff ingest" in c.value for c in at.caption)
    assert any(e.value == "Every data check passes." for e in at.success)


def test_renders_on_an_empty_database_with_a_working_uploader(fresh_db):
    at = _data_page()
    assert any("payoff demo" in info.value for info in at.info)
    assert not at.get("plotly_chart")
    assert at.file_uploader(key="upload").allowed_type == [".csv", ".tsv", ".txt", ".gz"]
    assert not fresh_db.exists(), "looking at the page creates nothing"


def test_uploading_renewals_into_a_fresh_database_loads_every_row(fresh_db):
    at = _data_page()
    at.file_uploader(key="upload").set_value(("renewals.csv", RENEWALS.read_bytes(), "text/csv")).run()
    assert not at.exception
    kinds = [s for s in at.selectbox if s.key and s.key.startswith("kind_")]
    assert kinds[0].value == "outcomes"
    mapping = at.data_editor[0].value
    assert mapping.set_index("column").loc["Renewal Status", "role"] == "outcome"
    assert len(at.dataframe[1].value) == 10, "a preview of the first rows"

    _upload_and_load(at, "renewals.csv", RENEWALS.read_bytes())
    metrics = _metrics(at)
    assert metrics["Rows read"] == f"{RENEWALS_ROWS:,}"
    assert metrics["Rows loaded"] == f"{RENEWALS_ROWS:,}"
    assert metrics["Rejected"] == "0"
    loads = _loads(fresh_db)
    assert loads["file_name"].tolist() == ["renewals.csv"]
    assert loads["rows_loaded"].tolist() == [RENEWALS_ROWS]
    assert _metrics(at)["Active loads"] == "1", "the other tabs show the new load on the same run"
    assert any("No activities loaded yet" in w.value for w in at.warning)
    assert len(at.get("plotly_chart")) == 1, "only outcome coverage: no empty activity charts"


def test_a_role_changed_in_the_mapping_table_is_what_gets_loaded(fresh_db, settled):
    at = _data_page()
    at.file_uploader(key="upload").set_value(("renewals.csv", RENEWALS.read_bytes(), "text/csv")).run()
    editor = at.data_editor[0]
    row = editor.value["column"].tolist().index("Contract Value")
    at.session_state[editor.key] = {"edited_rows": {row: {"role": "ignore"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.key.startswith("load_")).click().run()
    assert not at.exception
    settled()  # the load's analysis runs in the background and writes to the file
    con = connect(fresh_db, read_only=True)
    try:
        attributes = con.execute("select count(*) from raw_account_attributes").fetchone()[0]
        outcomes = con.execute("select count(*) from raw_outcomes").fetchone()[0]
    finally:
        con.close()
    assert (attributes, outcomes) == (0, RENEWALS_ROWS)


def test_changing_the_kind_proposes_again(fresh_db):
    at = _data_page()
    at.file_uploader(key="upload").set_value(("renewals.csv", RENEWALS.read_bytes(), "text/csv")).run()
    kind = next(s for s in at.selectbox if s.key.startswith("kind_"))
    kind.set_value("accounts").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.data_editor[0].key.endswith("_accounts")
    roles = at.data_editor[0].value.set_index("column")["role"]
    assert "outcome" not in roles.tolist(), "an accounts export has attributes, not outcomes"


def test_a_refused_file_shows_one_error_naming_file_row_and_column(demo_copy):
    before = len(_loads(demo_copy))
    at = _upload_and_load(_data_page(), "bad_renewals.csv", BAD_CSV)
    assert len(at.error) == 1
    message = at.error[0].value
    assert "bad_renewals.csv" in message and "row 3" in message and "Renewal Date" in message
    assert "2024-13-45" in message
    assert "Traceback" not in message
    assert len(_loads(demo_copy)) == before


def test_a_file_that_is_not_a_table_is_refused_before_any_mapping(fresh_db):
    at = _data_page()
    at.file_uploader(key="upload").set_value(("export.csv", b"PK\x03\x04 zipped bytes", "text/csv")).run()
    assert not at.exception
    assert len(at.error) == 1 and "export.csv" in at.error[0].value and "ZIP archive" in at.error[0].value
    assert not [b for b in at.button if b.key and b.key.startswith("load_")]
    assert not fresh_db.exists()


def test_loading_the_same_file_twice_says_it_is_already_loaded(fresh_db):
    at = _upload_and_load(_data_page(), "renewals.csv", RENEWALS.read_bytes())
    assert _metrics(at)["Rows loaded"] == f"{RENEWALS_ROWS:,}"
    at = _upload_and_load(at, "renewals.csv", RENEWALS.read_bytes())
    assert any("already loaded as load 1" in i.value for i in at.info)
    assert len(_loads(fresh_db)) == 1


def test_undo_from_the_history_tab_marks_the_load_undone(demo_copy, settled):
    at = _data_page()
    loads = _loads(demo_copy)
    first_export = int(loads.loc[loads["file_name"].str.startswith("activities_export_2024"), "load_id"].iloc[0])
    assert at.button(key="undo_button").disabled, "undo needs the confirmation first"
    other = int(loads["load_id"].max())
    at.selectbox(key="undo_load").set_value(other).run()
    at.checkbox(key=f"undo_confirm_{other}").check().run()
    assert not at.button(key="undo_button").disabled
    at.selectbox(key="undo_load").set_value(first_export).run()
    assert at.button(key="undo_button").disabled, "choosing another load asks again"
    at.checkbox(key=f"undo_confirm_{first_export}").check().run()
    at.button(key="undo_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"Undid load {first_export} (activities_export_2024-01_to_2025-03.csv)" in s.value for s in at.success)
    settled()  # the undo's analysis runs in the background and writes to the file
    undone = _loads(demo_copy).set_index("load_id")["undone_at"].notna()
    assert undone[undone].index.tolist() == [first_export]
    assert not any(o.startswith(f"{first_export} ·") for o in at.selectbox(key="undo_load").options)
    assert at.selectbox(key="undo_load").value is None, "nothing is chosen for the next undo"
    # without the 2024 activities, renewals in 2024 have no activity history: a failing check with its rows
    con = connect(demo_copy, read_only=True)
    try:
        expected = len(check_rows(con, "outcomes_without_activity_history"))
    finally:
        con.close()
    assert expected > 0
    failing = [e for e in at.expander if "Outcomes without activity history" in e.label]
    assert len(failing) == 1 and f"{expected:,} rows" in failing[0].label
    assert len(failing[0].dataframe[0].value) == expected


SERIES = b"Week,Spend,Leads\n2025-01-06,100,4\n2025-01-13,120,5\n"
SALESFORCE_REPORT = (b'"Activities Report"\r\n\r\nSubject,Task Subtype,Date,Account Name,Assigned\r\n'
                     b"Call,Call,11/3/2025,O'Connell & Tanaka Pty. Ltd.,Rep 19\r\n"
                     b"Mail,Email,11/4/2025,oconnell & tanaka pty ltd,Rep 19\r\n"
                     b"Mail,Email,11/5/2025,Nobody Known Ltd,Rep 19\r\n"
                     b'\r\n"Grand Totals (3 records)"\r\n"Copyright (c) 2000-2025 salesforce.com, inc."\r\n')


def test_a_series_without_accounts_is_refused_with_the_words_of_the_command_line(demo_copy):
    at = _data_page()
    at.file_uploader(key="upload").set_value(("weekly.csv", SERIES, "text/csv")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("this table has dated rows but no account column" in e for e in errors), errors
    load = next(b for b in at.button if b.key and b.key.startswith("load_"))
    assert load.disabled
    assert len(_loads(demo_copy)) == 7  # the sample's loads only


def test_a_salesforce_report_naming_accounts_loads_beside_the_sample(demo_copy):
    at = _data_page()
    at.file_uploader(key="upload").set_value(("report1764580467123.csv", SALESFORCE_REPORT, "text/csv")).run()
    assert not at.exception
    assert [c.key for c in at.checkbox if c.key and c.key.startswith("new_accounts_")]  # the analyst may agree
    next(b for b in at.button if b.key and b.key.startswith("load_")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert {k: _metrics(at)[k] for k in ("Rows read", "Rows loaded", "Set aside")} == {
        "Rows read": "3", "Rows loaded": "2", "Set aside": "1"}
    text = " ".join(m.value for m in at.markdown)
    assert "1 account name(s) matched" in text and "not loaded yet ('Nobody Known Ltd')" in text
    assert "below the table" in text


def test_whats_loaded_shows_each_accounts_customer_span_and_its_rule(demo_copy):
    at = _data_page()
    assert any(h.value == "Customer spans" for h in at.subheader)
    left = json.loads((SAMPLE_DATA_DIR / "truth.json").read_text(encoding="utf-8"))["lifetimes"]["churned_at_renewal"]
    caption = next(c.value for c in at.caption if "still customers" in c.value)
    assert caption.startswith(f"600 accounts: {600 - left} still customers, {left} left")
    rules = next(d.value for d in at.dataframe if "end_rule" in d.value.columns)
    # the sample's accounts export gives every account's 'Customer Since'; churn is a 'Churned' renewal
    assert set(rules["start_rule"]) == {"start date in an export"}
    assert dict(zip(rules["end_rule"], rules["accounts"])) == {"did not renew": left, "still a customer": 600 - left}
