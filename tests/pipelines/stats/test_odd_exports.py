"""Small odd exports loaded beside the sample: every outcome keeps its findings, an activity no model can judge
keeps a row with the reason, and `payoff drivers` on a database without outcomes says so in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from pipelines.cli import main
from pipelines.config import SAMPLE_DATA_DIR
from pipelines.db import connect, opened
from pipelines.stats import report
from pipelines.stats.drivers import DRIVERS, NOT_JUDGED, analyze
from pipelines.stats.story import key_findings
from pipelines.workflow import Refusal, load_files

SAMPLE_OUTCOMES = {"recognized_revenue", "referrals", "renewed"}
SAMPLE_ACTIVITIES = {"business_review", "call", "email", "meeting", "support_ticket", "training"}
PLANTED_DRIVERS = {"recognized_revenue": "training", "referrals": "meeting", "renewed": "business_review"}
NO_OUTCOMES = "payoff: no outcomes loaded yet: load a renewals, revenue or referrals export (payoff ingest FILE)"


@pytest.fixture(scope="module")
def sample(demo_db) -> dict:
    """The sample's own results, per outcome, as JSON."""
    with opened(demo_db) as con:
        return {r.outcome: r.to_json() for r in analyze(con)}


def _load(db: Path, *paths: Path) -> list:
    con = connect(db)
    try:
        return load_files(con, list(paths)).loads
    finally:
        con.close()


def _beside_sample(name: str, demo_db: Path, odd_export, tmp_path: Path) -> dict:
    """Every outcome's result after loading one odd export into a copy of the sample database."""
    db = tmp_path / "payoff.duckdb"
    shutil.copyfile(demo_db, db)
    loads = _load(db, odd_export(name, tmp_path))
    assert not any(isinstance(load, Refusal) for load in loads), loads
    with opened(db) as con:
        results = analyze(con)
    assert report.to_text(results) and report.to_json(results)  # what `payoff drivers` prints
    return {r.outcome: r for r in results}


def _without(result_json: dict, activity: str) -> dict:
    """An outcome's JSON without one activity's row."""
    return {**result_json, "activities": [a for a in result_json["activities"] if a["activity"] != activity]}


RARE = {  # the odd export, its activity, and the reason each outcome gives
    "new_type": ("webinar", dict.fromkeys(SAMPLE_OUTCOMES,  # December: no outcome is measured after it
                                          "its data cover none of the rows analysed (logged in Dec 2025 only): "
                                          "too little to judge it; periods without its data are unknown, not zero")),
    "logged_once": ("site_visit", dict.fromkeys(SAMPLE_OUTCOMES,  # July only: unknown before and after it
                                                "its data cover none of the rows analysed (logged in Jul 2025 only): "
                                                "too little to judge it; periods without its data are unknown, "
                                                "not zero")),
}


@pytest.mark.parametrize("name", list(RARE))
def test_a_rare_new_type_is_not_judged_and_leaves_every_other_finding_as_it_was(name, demo_db, odd_export, tmp_path,
                                                                              sample):
    activity, reasons = RARE[name]
    results = _beside_sample(name, demo_db, odd_export, tmp_path)
    assert set(results) == SAMPLE_OUTCOMES
    for outcome, result in results.items():
        row = result.finding(activity)
        assert row.verdict == NOT_JUDGED and not row.judged
        assert row.reason == reasons[outcome]
        assert row.sentence == f"{row.label}: {row.reason}."
        assert row.to_json()["reason"] == row.reason and row.to_json()["effect"]["estimate"] is None
        assert result.findings[-1] is row  # read last, after every judged activity
        assert _without(result.to_json(), activity) == sample[outcome]  # nothing else moved, validation included


def test_an_activity_that_predicts_the_outcome_perfectly_is_not_judged(demo_db, odd_export, tmp_path, sample):
    # 14 accounts: common enough, but every renewal after a webinar was a 'yes' (it came out as 288 points)
    results = _beside_sample("perfect_predictor", demo_db, odd_export, tmp_path)
    assert set(results) == SAMPLE_OUTCOMES
    renewed = results["renewed"].finding("webinar")
    assert renewed.verdict == NOT_JUDGED
    assert renewed.reason == ("the outcome is 'yes' in all 14 rows with it: it predicts the outcome perfectly, "
                              "so its effect cannot be estimated")
    for outcome, result in results.items():
        webinar = result.finding("webinar")
        if webinar.judged:  # an amount has no such limit: the webinar is judged like any activity
            assert np.isfinite(webinar.effect.estimate) and webinar.effect.low <= webinar.effect.high
        else:
            assert _without(result.to_json(), "webinar") == sample[outcome]
        assert result.finding(PLANTED_DRIVERS[outcome]).verdict in DRIVERS


@pytest.mark.parametrize("name", ["one_row", "one_account"])
def test_odd_rows_of_known_types_leave_every_activity_judged(name, demo_db, odd_export, tmp_path):
    results = _beside_sample(name, demo_db, odd_export, tmp_path)
    assert set(results) == SAMPLE_OUTCOMES
    for outcome, result in results.items():
        assert {f.activity for f in result.findings} == SAMPLE_ACTIVITIES
        # no note but the count model's own: which accounts a within-account comparison learns nothing from
        assert [n for n in result.notes if "comparing each account with itself" not in n] == []
        for f in result.findings:
            assert f.judged and f.reason is None
            assert f.effect.low <= f.effect.estimate <= f.effect.high
        # one account given 67 more meetings with no more referrals is real evidence against the
        # (modest) planted meeting effect; one row is not
        if name == "one_row" or outcome != "referrals":
            assert result.finding(PLANTED_DRIVERS[outcome]).verdict in DRIVERS


def test_an_outcome_too_small_to_fit_says_so_and_the_others_stand(demo_db, odd_export, tmp_path, sample):
    results = _beside_sample("tiny_outcome", demo_db, odd_export, tmp_path)
    assert set(results) == SAMPLE_OUTCOMES | {"upsell_revenue"}
    assert results["upsell_revenue"].notes == ["too little data to fit (3 rows, 3 accounts)"]
    assert results["upsell_revenue"].findings == []  # the outcome is too small, not its activities
    slides = [s for s in key_findings(list(results.values())) if s.outcome == "upsell_revenue"]
    assert [(s.headline, s.body) for s in slides] == [("No activity could be judged for upsell revenue",
                                                        "Too little data to fit (3 rows, 3 accounts).")]
    # an amount, so listed first; its slide comes after every outcome the data can say something about
    ordered = key_findings([results["upsell_revenue"], *(results[o] for o in sorted(SAMPLE_OUTCOMES))])
    assert ordered[-1].outcome == "upsell_revenue" and {s.outcome for s in ordered[:-1]} == SAMPLE_OUTCOMES
    for outcome in SAMPLE_OUTCOMES:
        assert results[outcome].to_json() == sample[outcome]


def _accounts_only(db: Path) -> None:
    _load(db, SAMPLE_DATA_DIR / "crm_accounts.csv")


def _weekly_marketing_table(db: Path) -> None:
    # no account column: refused as a whole, so nothing is ever built
    table = db.parent / "marketing_weekly.csv"
    table.write_text("Week,Emails Sent,Webinars Held,Ad Spend,Leads\n2025-01-06,1200,1,500.00,40\n"
                     "2025-01-13,1100,0,450.00,35\n", encoding="utf-8")
    assert isinstance(_load(db, table)[0], Refusal)


@pytest.mark.parametrize("make", [_accounts_only, _weekly_marketing_table])
def test_drivers_without_outcomes_says_so_in_one_line(make, tmp_path, capsys):
    db = tmp_path / "payoff.duckdb"
    make(db)
    capsys.readouterr()
    assert main(["--db", str(db), "drivers"]) == 1
    assert capsys.readouterr().err.splitlines() == [NO_OUTCOMES]


def test_drivers_on_a_database_never_made_says_so_in_one_line(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "none.duckdb"), "drivers"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "no database here yet" in err[0]
