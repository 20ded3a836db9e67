"""Verdicts that mean what they say: confounding between accounts named with both figures, too few accounts
declined, and the one vocabulary the pages, the command line and the deck read."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.stats import verdicts
from pipelines.stats.drivers import analyze_frame, detectable_effect
from pipelines.stats.frames import Controls, per_period_frame
from pipelines.stats.models import MIN_JUDGE_ACCOUNTS, e_value


def _targeted_panel(seed: int, n_accounts: int, n_months: int = 24) -> pd.DataFrame:
    """Reps call most on the accounts that already refer most (a stable trait); calls change nothing."""
    rng = np.random.default_rng(seed)
    trait = rng.normal(0, 1, n_accounts)
    acct = np.repeat(np.arange(n_accounts), n_months)
    months = pd.date_range("2024-01-01", periods=n_months, freq="MS")
    return pd.DataFrame({
        "account_id": np.array([f"A{i:04d}" for i in range(n_accounts)])[acct],
        "period_on": np.tile(months, n_accounts),
        "n_call": rng.poisson(np.exp(0.8 + 0.8 * trait[acct])).astype(float),
        "n_email": rng.poisson(2.0, len(acct)).astype(float),
        "o_referrals": rng.poisson(np.exp(-2.3 + 0.8 * trait[acct])).astype(float),
    })


def test_a_between_accounts_count_association_is_called_confounded_with_both_figures():
    frame = per_period_frame(_targeted_panel(1, 400), "referrals", "count", Controls(), "month")
    result = analyze_frame(frame, {"call": "Call", "email": "Email"})
    call = result.finding("call")
    assert call.verdict == verdicts.confounded_by("stable differences between accounts")
    assert call.raw.low > 0  # between accounts, calls go with many more referrals ...
    assert call.within.low < 0 < call.within.high  # ... each account against itself, they do not
    assert "At first sight" in call.sentence and "comparing each account with itself" in call.sentence
    numbers = call.sentence.split("; but")
    assert "(95% CI" in numbers[0] and "(95% CI" in numbers[1]  # the raw figure, then the within-account one
    assert verdicts.base(call.verdict) == verdicts.CONFOUNDED and not call.is_driver and call.is_busy


def test_too_few_accounts_are_declined_with_the_reason():
    frame = per_period_frame(_targeted_panel(2, MIN_JUDGE_ACCOUNTS - 5), "referrals", "count", Controls(), "month")
    result = analyze_frame(frame)
    assert result.findings and all(f.verdict == verdicts.NOT_JUDGED for f in result.findings)
    assert all(f.reason.startswith("too few accounts to judge") for f in result.findings)
    assert result.notes[-1].startswith("Too few accounts to judge")


def test_the_stated_detectable_effect_has_80_percent_power_for_the_test_run():
    """Monte Carlo of the test actually run: t with df degrees of freedom at the level Holm calls
    for sure (alpha / tests). An effect of the stated size is found at least 80% of the time."""
    rng = np.random.default_rng(0)
    df, tests, se = 40, 24, 1.0
    mde = detectable_effect(se, df, tests)
    draws = mde / se + rng.standard_t(df, 20_000)
    from scipy import stats
    found = np.abs(draws) > stats.t.ppf(1 - 0.05 / (2 * tests), df)
    assert found.mean() == pytest.approx(0.80, abs=0.015)
    assert mde > 2.8 * se  # the old 2.8 standard errors promised more than the test delivers


def test_one_vocabulary_reads_back_what_it_writes():
    v = verdicts.confounded_by("account size")
    assert verdicts.base(v) == verdicts.CONFOUNDED and verdicts.confounder(v) == "account size"
    assert verdicts.name(v) == "Confounded by account size" and verdicts.name(verdicts.NO_EVIDENCE) == "No evidence"
    assert [verdicts.rank(x) for x in (verdicts.DRIVER, v, verdicts.NOT_JUDGED)] == [0, 4, 7]


def test_the_holdout_reads_in_plain_words_with_the_scores_kept_for_analysts():
    from pipelines.stats.validate import holdout_detail, holdout_sentence

    within = {"gain": 0.097, "metric": "r2", "controls_only": {"r2": 0.1}, "controls_and_activities": {"r2": 0.197},
              "split": "fitted before 2025-07-01, scored from 2025-07-01 on", "scale": "within accounts"}
    said = holdout_sentence(within, "recognized_revenue")
    assert "10 points more of how recognized revenue moves" in said and "R²" not in said
    assert holdout_detail(within).startswith("R² 0.100 → 0.197")
    little = {"gain": 0.004, "metric": "auc", "controls_only": {"auc": 0.7}, "controls_and_activities": {"auc": 0.704},
              "split": "s"}
    assert "adds little to predicting renewed" in holdout_sentence(little, "renewed")
    assert holdout_sentence({}, "renewed") is None


def test_a_filter_filters_the_counts_the_drops_and_the_controls(demo_db):
    """Segment = Enterprise: the activity counts and the rows dropped are the Enterprise accounts' own, and
    segment, the same for all of them, is no control (and is listed as skipped, with the reason)."""
    from pipelines.db import connect
    from pipelines.filters import Filters
    from pipelines.stats.drivers import analyze

    con = connect(demo_db, read_only=True)
    try:
        everything = {r.outcome: r for r in analyze(con, "recognized_revenue", validate=False)}
        enterprise = {r.outcome: r for r in analyze(con, "recognized_revenue", validate=False,
                                                    filters=Filters(attributes=(("segment", ("Enterprise",)),)))}
        panel = con.execute("select n_call from account_periods where segment = 'Enterprise'").df()
    finally:
        con.close()
    whole, some = everything["recognized_revenue"], enterprise["recognized_revenue"]
    assert "segment" in whole.controls and "segment" not in some.controls
    assert some.controls_skipped["segment"].startswith("the same for every row analysed")
    assert some.n_dropped < whole.n_dropped and some.n_accounts < whole.n_accounts
    call = some.finding("call")
    assert call.volume == pytest.approx(float(panel["n_call"].sum())) and call.volume < whole.finding("call").volume


def test_e_values_are_vanderweele_and_dings():
    # their worked example (Annals of Internal Medicine, 2017): a risk ratio of 3.9 with its interval's lower
    # end at 1.8 could be explained away only by a confounder tied 7.26-fold (3.0-fold) to both
    assert e_value(3.9) == pytest.approx(7.2630, abs=1e-4)
    assert e_value(1.8) == pytest.approx(3.0)
    assert e_value(1 / 3.9) == pytest.approx(e_value(3.9))  # a protective association alike
    assert e_value(1.0) == 1.0 and np.isnan(e_value(float("nan")))
