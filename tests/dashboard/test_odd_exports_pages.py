"""Every page under AppTest after one small odd export is loaded beside the sample (a new type, one row, one
account, a type logged once, a perfect predictor, a tiny outcome), and on databases without outcomes: no page
shows an exception, and the activities no model could judge are named with the reason."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from pipelines.config import PROJECT_ROOT, SAMPLE_DATA_DIR
from pipelines.db import connect
from pipelines.workflow import Refusal, load_files

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGES = ["app_pages/overview.py", "app_pages/drivers.py", "app_pages/timing.py", "app_pages/busy.py",
         "app_pages/teams.py", "app_pages/plan.py", "app_pages/present.py", "app_pages/data_page.py"]
OUTCOME_PICKERS = {"app_pages/drivers.py": "drivers_outcome", "app_pages/timing.py": "timing_outcome",
                   "app_pages/busy.py": "busy_outcome", "app_pages/teams.py": "teams_outcome",
                   "app_pages/plan.py": "plan_outcome"}  # pages that show one outcome at a time
TIMEOUT = 120  # the first page fits every model
NOT_JUDGED = {"new_type": "Webinar: its data cover none of the rows analysed",  # what the page says of it
              "logged_once": "Site Visit: its data cover none of the rows analysed",
              "perfect_predictor": "Webinar: the outcome is 'yes' in all 14 rows with it"}


def _load(db, *paths) -> list:
    con = connect(db)
    try:
        return load_files(con, list(paths)).loads
    finally:
        con.close()


def _outcomes(db) -> list[str]:
    con = connect(db, read_only=True)
    try:
        return [row[0] for row in con.execute("select outcome_key from outcome_types order by 1").fetchall()]
    finally:
        con.close()


def _text(at: AppTest) -> str:
    return " ".join(e.value for e in [*at.markdown, *at.caption, *at.info, *at.warning])


def _every_page(at: AppTest, outcomes: list[str], settle) -> str:
    """Visit every page (each per-outcome page with every outcome), as a user clicking through; all the text shown.
    The load was made without storing its analysis: the first visit starts it in the background, and the
    pages are read once it is stored."""
    at.run()
    settle()
    shown = []
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        shown.append(_text(at))
        key = OUTCOME_PICKERS.get(page)
        picker = [box for box in at.selectbox if box.key == key]  # none where the page stopped at its empty state
        for outcome in outcomes if picker else []:
            at.selectbox(key=key).set_value(outcome).run()
            assert not at.exception, (page, outcome, [e.value for e in at.exception])
            shown.append(_text(at))
    return " ".join(shown)


@pytest.mark.parametrize("name", ["new_type", "one_row", "one_account", "logged_once", "perfect_predictor",
                                  "tiny_outcome"])
def test_every_page_opens_beside_an_odd_export(name, demo_db, odd_export, tmp_path, monkeypatch, settled):
    db = tmp_path / "payoff.duckdb"
    shutil.copyfile(demo_db, db)
    assert not any(isinstance(load, Refusal) for load in _load(db, odd_export(name, tmp_path)))
    monkeypatch.setenv("PAYOFF_DB", str(db))
    shown = _every_page(AppTest.from_file(APP, default_timeout=TIMEOUT), _outcomes(db), settled)
    assert "Training" in shown and "Business Review" in shown  # the planted drivers are still there
    if name in NOT_JUDGED:
        assert f"Not judged: {NOT_JUDGED[name]}" in shown  # the caption under an outcome
    if name == "tiny_outcome":
        assert "too little data to fit (3 rows, 3 accounts)" in shown


def _accounts_only(db) -> None:
    _load(db, SAMPLE_DATA_DIR / "crm_accounts.csv")


def _weekly_marketing_table(db) -> None:
    table = db.parent / "marketing_weekly.csv"  # no account column: refused, nothing is ever built
    table.write_text("Week,Emails Sent,Webinars Held,Ad Spend,Leads\n2025-01-06,1200,1,500.00,40\n", encoding="utf-8")
    assert isinstance(_load(db, table)[0], Refusal)


@pytest.mark.parametrize("make", [_accounts_only, _weekly_marketing_table])
def test_every_page_opens_on_a_database_without_outcomes(make, tmp_path, monkeypatch, settled):
    db = tmp_path / "payoff.duckdb"
    make(db)
    monkeypatch.setenv("PAYOFF_DB", str(db))
    shown = _every_page(AppTest.from_file(APP, default_timeout=TIMEOUT), [], settled)
    assert "No outcomes to analyse yet" in shown


def test_pages_open_on_an_outcome_that_could_be_judged(demo_db, tmp_path, monkeypatch, settled):
    # a deals export's 'Amount' sorts before the sample's outcomes but is far too small to fit: the outcome
    # pickers open on a judged outcome and offer the small one last, instead of opening on "nothing to show"
    db = tmp_path / "payoff.duckdb"
    shutil.copyfile(demo_db, db)
    export = tmp_path / "deals.csv"
    export.write_text("Account ID,Month,Amount\nACC-00005,2025-03-01,1200\nACC-00002,2025-04-01,800\n", encoding="utf-8")
    assert not any(isinstance(load, Refusal) for load in _load(db, export))
    monkeypatch.setenv("PAYOFF_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    settled()
    at.switch_page("app_pages/drivers.py").run()
    picker = at.selectbox(key="drivers_outcome")
    assert picker.options[-1] == "Amount" and picker.options[0] != "Amount"
    assert picker.value != "amount"
    assert not any("Nothing to show" in e.value for e in at.info)
