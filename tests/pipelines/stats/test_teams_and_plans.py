"""Fair group comparison and planning, on simulated worlds with planted truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.errors import ModelError
from pipelines.stats import plan, teams
from pipelines.stats.drivers import analyze_frame
from pipelines.stats.frames import choose_controls, event_frame, per_period_frame
from pipelines.stats.models import WITHIN_COUNT, Effect, predictive_difference

import planted

TEAM_LIFT = 0.15  # Team Up's accounts earn 15% more than their size and activity predict


def _world_with_teams(seed=5):
    world = planted.simulate(seed)
    panel = world.panel.copy()
    accounts = panel["account_id"].unique()
    rng = np.random.default_rng(seed)
    team = dict(zip(accounts, rng.choice(["Team Up", "Team Flat A", "Team Flat B", "Team Flat C"], len(accounts))))
    team[accounts[0]] = team[accounts[1]] = team[accounts[2]] = "Team Tiny"
    panel["team"] = panel["account_id"].map(team)
    lifted = panel["team"] == "Team Up"
    panel.loc[lifted, "o_revenue"] *= np.exp(TEAM_LIFT)
    tiny = panel["team"] == "Team Tiny"
    panel.loc[tiny, "o_revenue"] *= np.exp(rng.normal(0, 0.4, tiny.sum()))
    return world, panel


def _revenue(world, panel):
    frame = per_period_frame(panel, "revenue", "amount", choose_controls(world.meta, panel), "month")
    return analyze_frame(frame)


def test_team_above_expectation_is_found_and_flat_teams_are_not():
    world, panel = _world_with_teams()
    table = teams.compare_groups(_revenue(world, panel), panel, "team").set_index("group")
    up = table.loc["Team Up"]
    assert up["verdict"] == "above expectation"
    truth = 100 * (np.exp(TEAM_LIFT) - 1)
    assert up["low"] <= truth <= up["high"], (up["low"], up["high"], truth)
    for flat in ("Team Flat A", "Team Flat B", "Team Flat C"):
        assert table.loc[flat, "verdict"] != "above expectation"
    assert table.loc["Team Tiny", "small_group"]
    assert abs(table.loc["Team Tiny", "shrunk"]) <= abs(table.loc["Team Tiny", "difference"])
    assert set(table.columns) >= {"actual", "expected", "difference", "low", "high", "shrunk", "accounts"}


def test_unknown_group_attribute_is_a_clear_error():
    world, panel = _world_with_teams()
    with pytest.raises(ModelError, match="no account attribute 'squad'"):
        teams.compare_groups(_revenue(world, panel), panel, "squad")


def test_what_if_recovers_the_planted_revenue_effect_and_plan_inverts_it():
    world = planted.simulate(9)
    result = _revenue(world, world.panel)
    truth = 100 * (np.exp(planted.LOG_EFFECT) - 1)
    one = plan.what_if(result, {"driver": 1.0})
    assert one.effect.low <= truth <= one.effect.high
    assert "observational" in one.caveat
    two = plan.what_if(result, {"driver": 2.0})
    assert two.effect.estimate > one.effect.estimate
    needed = plan.plan_for_target(result, truth, ["driver"])
    assert needed["reachable"]
    assert needed["range"][0] <= 1.0 <= needed["range"][1]
    assert abs(needed["change_per_account_per_period"] - 1.0) < 0.25


def _explicit_what_if(result, changes):
    """what_if the long way: copy the design, move the activity's columns, compare the predictions."""
    fit_, frame = result.models["adjusted"], result.frame
    X1 = fit_.X.copy()
    for activity, delta in changes.items():
        for col in frame.predictors[activity]:
            if fit_.index(col) is not None:
                X1[:, fit_.index(col)] += delta * frame.window_periods if frame.design == "events" else delta
    if fit_.kind == "binary" or fit_.kind == "count":
        return predictive_difference(fit_, X1, fit_.X)
    if fit_.kind == WITHIN_COUNT:  # each account's fitted rows share its total by exp(x'b); the total is fixed
        codes = pd.factorize(frame.data["account_id"])[0]
        e0, e1 = np.exp(fit_.X @ fit_.params), np.exp(X1 @ fit_.params)
        mu0 = np.bincount(codes, weights=fit_.y)[codes] * e0 / np.bincount(codes, weights=e0)[codes]
        mu1 = mu0 * e1 / e0  # the same account effect, the rows moved
        L = (X1 - fit_.X).mean(axis=0)
        se = float(np.sqrt(L @ fit_.cov @ L)) * 100 * float(mu1.mean())
        return Effect(100 * float(mu1.mean() - mu0.mean()), np.nan, np.nan, "", se)
    L = (X1 - fit_.X).mean(axis=0)
    est, se = float(L @ fit_.params), float(np.sqrt(L @ fit_.cov @ L))
    return est, se


@pytest.mark.parametrize("outcome", ["revenue", "renewal", "referrals"])
def test_what_if_equals_moving_the_design_itself(outcome):
    world = planted.simulate(11)
    controls = choose_controls(world.meta, world.panel)
    frame = (event_frame(world.panel, world.events, "renewal", controls, "month") if outcome == "renewal" else
             per_period_frame(world.panel, outcome, "amount" if outcome == "revenue" else "count", controls, "month"))
    result = analyze_frame(frame)
    for changes in ({"driver": 1.5}, {"driver": -0.5, "noise1": 2.0}):
        got = plan.what_if(result, changes).effect
        expected = _explicit_what_if(result, changes)
        if isinstance(expected, tuple):  # linear: the log-point (or count) change and its standard error
            est, se = expected
            scale = 100 if result.kind in ("amount", "count") else 1
            assert got.se == pytest.approx(scale * se, rel=1e-9)
            if result.kind == "amount":
                assert got.estimate == pytest.approx(100 * (np.exp(est) - 1), rel=1e-9)
        elif np.isnan(expected.low):  # counts within accounts: the estimate and its error, the long way
            assert (got.estimate, got.se) == pytest.approx((expected.estimate, expected.se), rel=1e-9)
        else:
            assert (got.estimate, got.low, got.high) == pytest.approx(
                (expected.estimate, expected.low, expected.high), rel=1e-9, abs=1e-12)


def test_plan_for_an_activity_without_effect_is_not_reachable_with_confidence():
    world = planted.simulate(9)
    result = _revenue(world, world.panel)
    out = plan.plan_for_target(result, 5.0, ["noise1"])
    assert out["range"][1] is None or out["range"][1] > 10 or not out["reachable"]


def test_realistic_target_is_last_year_plus_growth():
    months = pd.date_range("2023-01-01", periods=24, freq="MS")
    panel = pd.DataFrame({"account_id": "A", "period_on": months, "o_revenue": [100.0] * 12 + [110.0] * 12})
    target = plan.realistic_target(panel, "revenue", "amount", growth=0.1)
    assert target["last_12_months"] == 1320.0
    assert target["prior_12_months"] == 1200.0
    assert target["trend"] == pytest.approx(10.0)
    assert target["target"] == pytest.approx(1452.0)
    assert len(target["history"]) == 24


def test_realistic_target_for_a_rate_adds_points():
    months = pd.date_range("2023-01-01", periods=24, freq="MS")
    panel = pd.DataFrame({"account_id": "A", "period_on": months,
                          "o_renewed": [0.5] * 12 + [0.75] * 12, "o_renewed_n": [2.0] * 24})
    target = plan.realistic_target(panel, "renewed", "binary", growth=0.05)
    assert target["last_12_months"] == pytest.approx(75.0)
    assert target["target"] == pytest.approx(80.0)


def test_two_dozen_reps_without_any_rep_effect_are_rarely_flagged():
    """Reps assigned at random (so no rep has any effect), 40 assignments of 24 reps: a rep is called above or
    below expectation only through the shrunk interval and Holm's correction over the reps."""
    world, panel = _world_with_teams()
    result = _revenue(world, panel)
    accounts = panel["account_id"].unique()
    rng = np.random.default_rng(9)
    flagged = 0
    for _ in range(40):
        panel["rep"] = panel["account_id"].map(dict(zip(accounts, rng.choice([f"Rep {i}" for i in range(24)],
                                                                             len(accounts)))))
        table = teams.compare_groups(result, panel, "rep")
        flagged += bool((table["verdict"] != "as expected").any())
    assert flagged <= 4, flagged  # 3 of 40 here; the unshrunk intervals alone flagged someone in 14 of 40


def test_a_falling_outcome_is_not_given_growth_it_has_not_shown():
    months = pd.date_range("2023-01-01", periods=24, freq="MS")
    panel = pd.DataFrame({"account_id": "A", "period_on": months, "o_revenue": [100.0] * 12 + [85.0] * 12})
    target = plan.realistic_target(panel, "revenue", "amount")  # no growth given: last year's change continued
    assert target["trend"] == pytest.approx(-15.0) and target["growth"] == pytest.approx(-0.15)
    assert target["target"] == pytest.approx(1020.0 * 0.85) and target["target"] < target["last_12_months"]
    assert "last year's own change, continued" in target["basis"]
