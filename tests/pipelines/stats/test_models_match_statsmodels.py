"""The array fits give statsmodels' estimates, cluster-robust covariances and log-likelihoods."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from pipelines.errors import ModelError
from pipelines.stats.models import WITHIN_COUNT, fit, holm_adjusted


def _data(seed=3, n=4000, clusters=300):
    rng = np.random.default_rng(seed)
    g = rng.integers(0, clusters, n)
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.poisson(2, n), rng.normal(size=clusters)[g]])
    return rng, X, g


@pytest.mark.parametrize("kind", ["binary", "count", "amount"])
def test_fit_matches_statsmodels(kind):
    rng, X, g = _data()
    eta = X @ np.array([-0.5, 0.4, 0.2, 0.3])
    if kind == "binary":
        y = (rng.random(len(eta)) < 1 / (1 + np.exp(-eta))).astype(float)
        ref = sm.Logit(y, X).fit(disp=0, cov_type="cluster", cov_kwds={"groups": g})
    elif kind == "count":
        y = rng.poisson(np.exp(eta)).astype(float)
        ref = sm.Poisson(y, X).fit(disp=0, cov_type="cluster", cov_kwds={"groups": g})
    else:
        y = eta + rng.normal(size=len(eta))
        ref = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": g})
    mine = fit(kind, y, X, ["const", "a", "b", "c"], g)
    np.testing.assert_allclose(mine.params, ref.params, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(mine.cov, ref.cov_params(), rtol=1e-5, atol=1e-10)
    assert mine.llf == pytest.approx(ref.llf, rel=1e-8)


def test_perfect_separation_is_a_model_error():
    rng, X, g = _data()
    y = (X[:, 1] > 0).astype(float)
    with pytest.raises(ModelError):
        fit("binary", y, X[:, :2] * np.array([1, 50]), ["const", "a"], g)


def test_collinear_columns_are_dropped_not_fatal():
    rng, X, g = _data()
    y = X @ np.array([1, 2, 0, 0]) + rng.normal(size=len(X))
    Xd = np.column_stack([X, 2 * X[:, 1]])
    mine = fit("amount", y, Xd, ["const", "a", "b", "c", "a_twice"], g)
    assert len(mine.names) == 4


def test_holm_steps_down_and_skips_what_was_not_tested():
    # the smallest p times 4, the next times 3 (never below the one before), then times 2 and 1
    assert holm_adjusted([0.01, 0.04, 0.03, 0.5]) == pytest.approx([0.04, 0.09, 0.09, 0.5])
    assert holm_adjusted([0.3, 0.9]) == pytest.approx([0.6, 0.9])
    adjusted = holm_adjusted([float("nan"), 0.01, 0.02])  # an activity not judged is not counted
    assert np.isnan(adjusted[0]) and adjusted[1:] == pytest.approx([0.02, 0.02])


@pytest.mark.parametrize("kind", ["binary", "count"])
def test_blocked_gram_and_warm_start_give_the_same_fit(kind, monkeypatch):
    """X'WX summed over many row blocks, and Newton started from a nearby model, change nothing."""
    from pipelines.stats import models

    rng, X, g = _data(seed=5)
    eta = X @ np.array([-0.5, 0.4, 0.2, 0.3])
    y = ((rng.random(len(eta)) < 1 / (1 + np.exp(-eta))) if kind == "binary" else rng.poisson(np.exp(eta)))
    y = y.astype(float)
    names = ["const", "a", "b", "c"]
    cold = fit(kind, y, X, names, g)
    monkeypatch.setattr(models, "GRAM_BLOCK_ROWS", 333)  # 4000 rows: 13 blocks, the last one short
    warm = fit(kind, y, X, names, g, start={"const": 0.0, "a": 1.0, "c": -0.2})  # "b" starts at zero
    np.testing.assert_allclose(warm.params, cold.params, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(warm.cov, cold.cov, rtol=1e-8, atol=1e-12)
    assert warm.llf == pytest.approx(cold.llf, rel=1e-12)


@pytest.mark.parametrize("kind", ["binary", "count"])
def test_level_contrast_matches_predictive_difference_on_copies(kind):
    """The curve's per-level contrast equals predictive_difference on explicitly built designs."""
    from pipelines.stats.curves import _LevelContrast
    from pipelines.stats.models import predictive_difference

    rng, X, g = _data(seed=9)
    level = rng.integers(0, 3, len(X))
    dummies = np.column_stack([(level == 1), (level == 2)]).astype(float)
    Xb = np.column_stack([X, dummies])
    eta = Xb @ np.array([-0.5, 0.4, 0.2, 0.3, 0.3, 0.45])
    y = ((rng.random(len(eta)) < 1 / (1 + np.exp(-eta))) if kind == "binary" else rng.poisson(np.exp(eta)))
    fb = fit(kind, y.astype(float), Xb, ["const", "a", "b", "c", "level:1", "level:2"], g)
    base = fb.X.copy()
    base[:, 4:] = 0.0
    contrast = _LevelContrast(fb, [4, 5])  # the base design is implied, never built
    for i in (4, 5):
        at_level = base.copy()
        at_level[:, i] = 1.0
        expected = predictive_difference(fb, at_level, base)
        got = contrast.at(i)
        np.testing.assert_allclose([got.estimate, got.low, got.high, got.se],
                                   [expected.estimate, expected.low, expected.high, expected.se], rtol=1e-10)


def test_poisson_within_accounts_matches_poisson_with_one_dummy_per_account():
    rng = np.random.default_rng(5)
    clusters, periods = 80, 10
    g = np.repeat(np.arange(clusters), periods)
    level = rng.normal(0, 1, clusters)  # a stable difference between accounts, felt by activity and outcome
    x = rng.poisson(np.exp(level)[g]).astype(float)  # the busiest accounts get the most activity
    z = rng.normal(size=len(g))
    y = rng.poisson(np.exp(-1 + level[g] + 0.2 * x - 0.3 * z)).astype(float)
    y[g < 4] = 0  # four accounts without the outcome at all: no information within accounts
    X = np.column_stack([x, z])
    mine = fit(WITHIN_COUNT, y, X, ["x", "z"], g)
    informs = np.bincount(g, weights=y)[g] > 0
    dummies = (g[informs][:, None] == np.unique(g[informs])[None, :]).astype(float)
    ref = sm.GLM(y[informs], np.column_stack([X[informs], dummies]), family=sm.families.Poisson()).fit(
        tol=1e-14, cov_type="cluster", cov_kwds={"groups": g[informs], "use_correction": False})
    np.testing.assert_allclose(mine.params, ref.params[:2], rtol=1e-7)
    # a conditional likelihood's clustered covariance: G/(G-1) over the accounts that inform it
    informing = len(np.unique(g[informs]))
    assert informing <= 76 and mine.n_clusters == informing and mine.mean_rate == pytest.approx(y.mean())
    np.testing.assert_allclose(mine.cov, ref.cov_params()[:2, :2] * informing / (informing - 1), rtol=1e-6)
    pooled = fit("count", y, np.column_stack([np.ones(len(y)), X]), ["const", "x", "z"], g)
    assert pooled.coef("x") > 0.2 + 0.1 and mine.coef("x") == pytest.approx(0.2, abs=0.05)  # between vs within


def test_few_accounts_use_t_and_f_with_accounts_less_one_degrees_of_freedom():
    """statsmodels' clustered OLS with t (use_t) uses G - 1 degrees of freedom: the same p-values, intervals and
    joint F test. With 12 accounts a normal critical value (1.96) would be 2.20 here."""
    rng, X, g = _data(seed=5, n=240, clusters=12)
    y = X @ np.array([1.0, 0.2, 0.1, 0.0]) + rng.normal(size=len(X))
    ref = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": g}, use_t=True)
    mine = fit("amount", y, X, ["const", "a", "b", "c"], g)
    assert mine.df == 11 and mine.critical == pytest.approx(2.2010, abs=1e-4)
    np.testing.assert_allclose([mine.p(n) for n in ("a", "b", "c")], ref.pvalues[1:], rtol=1e-6)
    f_ref = ref.f_test(np.eye(4)[1:3])
    assert mine.wald_p(["a", "b"]) == pytest.approx(float(f_ref.pvalue), rel=1e-6)
    # the sum of two coefficients: its t test is statsmodels' for the contrast (0, 1, 1, 0)
    t_ref = ref.t_test(np.array([[0, 1, 1, 0]]))
    b, se = mine.sum_of(["a", "b"])
    assert b == pytest.approx(float(t_ref.effect[0])) and se == pytest.approx(float(t_ref.sd[0, 0]), rel=1e-6)
    assert mine.sum_p(["a", "b"]) == pytest.approx(float(t_ref.pvalue), rel=1e-6)


def test_a_yes_no_effect_and_its_interval_agree_with_its_test_even_near_separation():
    from pipelines.stats.models import effect, effect_p

    rng, X, g = _data(seed=8)
    rare = np.zeros(len(X))
    rare[rng.choice(len(X), 40, replace=False)] = 1.0
    eta = X @ np.array([-0.3, 0.5, 0.1, 0.2])
    y = (rng.random(len(eta)) < 1 / (1 + np.exp(-eta))).astype(float)
    y[rare == 1] = 0.0
    y[np.flatnonzero(rare)[0]] = 1.0  # one 'yes' in 40: nearly separated, a huge coefficient and standard error
    Xr = np.column_stack([X, rare])
    mine = fit("binary", y, Xr, ["const", "a", "b", "c", "rare"], g)
    ref = sm.Logit(y, Xr).fit(disp=0)
    assert effect(mine, "a").estimate == pytest.approx(100 * ref.get_margeff().margeff[0], rel=1e-5)
    for term in ("a", "b", "c", "rare"):
        e = effect(mine, term)
        assert e.low <= e.estimate <= e.high
        assert (e.low > 0 or e.high < 0) == (effect_p(mine, e) < 0.05), term  # the interval says what the test says


@pytest.mark.parametrize("kind", ["count", WITHIN_COUNT])
def test_a_resample_with_an_eventless_period_refits_to_the_limit_newton_creeps_toward(kind):
    from pipelines.stats.validate import _refit

    rng = np.random.default_rng(11)
    accounts, periods = 200, 12
    groups = np.repeat(np.arange(accounts), periods)
    period = np.tile(np.arange(periods), accounts)
    activity = rng.poisson(2.0, accounts * periods).astype(float)
    y = rng.poisson(np.exp(-1.5 + 0.2 * activity + rng.normal(0, 0.5, accounts)[groups]))
    y[period == 5] = 0  # no event at all in one period
    dummies = (period[:, None] == np.arange(1, periods)[None, :]).astype(float)
    X = np.column_stack(([np.ones(len(y))] if kind == "count" else []) + [activity, dummies])
    names = (["const"] if kind == "count" else []) + ["n_call"] + [f"time={p}" for p in range(1, periods)]
    y[period == 5] = 1  # the full fit sees events there; the resample below is refitted without them
    full = fit(kind, y.astype(float), X, names, groups)
    y[period == 5] = 0
    full = type(full)(**{**full.__dict__, "y": y.astype(float)})
    rows = np.arange(len(y))
    refit = _refit(full, rows, groups)
    assert "time=5" not in refit.names
    crept = fit(kind, y.astype(float), X, names, groups)  # Newton walks the dummy toward minus infinity
    assert crept.coef("time=5") < -15
    assert refit.coef("n_call") == pytest.approx(crept.coef("n_call"), abs=1e-6)
    assert refit.se("n_call") == pytest.approx(crept.se("n_call"), rel=1e-4)
