"""`payoff drivers` on the demo database: the documented JSON, CSV and table."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from pipelines.cli import main

REQUIRED_OUTCOME_KEYS = {"outcome", "kind", "model", "n_used", "n_dropped", "dropped", "periods", "controls",
                         "activities", "validation"}
REQUIRED_ACTIVITY_KEYS = {"activity", "label", "verdict", "effect", "raw_effect", "p_value", "adjusted_p_value", "best_lag",
                          "sentence"}


@pytest.fixture(scope="module")
def drivers_json(demo_db):
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        assert main(["--db", str(demo_db), "drivers", "--format", "json"]) == 0
    return json.loads(out.getvalue())


def test_json_holds_every_documented_field(drivers_json):
    outcomes = {o["outcome"]: o for o in drivers_json["outcomes"]}
    assert set(outcomes) == {"recognized_revenue", "referrals", "renewed"}
    for o in outcomes.values():
        assert REQUIRED_OUTCOME_KEYS <= set(o)
        assert o["n_used"] > 0
        assert "holdout" in o["validation"]
        for a in o["activities"]:
            assert REQUIRED_ACTIVITY_KEYS <= set(a)
            assert {"estimate", "low", "high", "unit"} <= set(a["effect"])
            assert a["effect"]["low"] <= a["effect"]["estimate"] <= a["effect"]["high"]


def test_sample_data_planted_truth_is_found(drivers_json, sample_truth):
    outcomes = {o["outcome"]: {a["activity"]: a for a in o["activities"]} for o in drivers_json["outcomes"]}
    revenue, referrals, renewed = outcomes["recognized_revenue"], outcomes["referrals"], outcomes["renewed"]
    assert revenue["training"]["verdict"] in ("driver", "saturated")
    assert revenue["training"]["best_lag"] == sample_truth["outcomes"]["revenue"]["true_drivers"][0]["lag_months"]
    assert revenue["call"]["verdict"].startswith("confounded by")
    assert referrals["meeting"]["verdict"] in ("driver", "saturated")
    assert referrals["meeting"]["best_lag"] == 1
    assert renewed["business_review"]["verdict"] in ("driver", "saturated")
    assert renewed["call"]["verdict"].startswith("confounded by")
    assert renewed["email"]["verdict"].startswith("confounded by")
    for o in outcomes.values():
        for a in o.values():
            assert "causes" not in a["sentence"]


def test_csv_is_one_row_per_outcome_and_activity(demo_db, capsys):
    assert main(["--db", str(demo_db), "drivers", "--format", "csv", "--no-validation"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(frame) == 18
    assert {"outcome", "activity", "verdict", "effect", "low", "high", "adjusted_p_value", "sentence"} <= set(frame.columns)


def test_table_names_outcomes_and_sentences(demo_db, capsys):
    assert main(["--db", str(demo_db), "drivers", "--outcome", "renewed", "--no-validation"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("renewed (binary): logistic regression")
    assert "Business Review" in out and "95% CI" in out


def test_unknown_outcome_is_one_line_and_exit_1(demo_db, capsys):
    assert main(["--db", str(demo_db), "drivers", "--outcome", "nope"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "payoff: no outcome 'nope'; outcomes: recognized_revenue, renewed, referrals"
