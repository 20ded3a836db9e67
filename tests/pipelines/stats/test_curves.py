"""Response curves: the binned levels and the flattening point are fitted apart and joined."""

from __future__ import annotations

import numpy as np

from pipelines.stats.curves import flattening, level_curve, with_knee
from pipelines.stats.models import fit


def _saturating_counts(n_accounts: int = 600, periods: int = 6, seed: int = 11):
    """Poisson counts whose rate rises with activity up to 2 and is flat past it."""
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_accounts), periods)
    x = rng.poisson(1.5, len(groups)).astype(float)
    y = rng.poisson(np.exp(-1.0 + 0.6 * np.minimum(x, 2)))
    X = np.column_stack([np.ones(len(x)), x])
    return fit("count", y.astype(float), X, ["const", "x_term"], groups), x, groups


def test_flattening_finds_the_planted_knee_and_the_curve_levels_flatten_past_it():
    linear, x, groups = _saturating_counts()
    knee = flattening(linear, "x_term", x, groups)
    curve = with_knee(level_curve(linear, "x_term", x, groups), knee, x)
    assert curve.knee == 2
    assert curve.share_at_or_past_knee == float((x >= 2).mean())
    assert curve.levels[0] == "0" and curve.estimate[0] == 0.0
    assert curve.estimate[2] > curve.estimate[1] > 0
    assert abs(curve.estimate[-1] - curve.estimate[2]) < curve.estimate[2] - curve.estimate[1]
    assert sum(curve.n_rows) == len(x)


def test_a_straight_line_has_no_knee():
    rng = np.random.default_rng(5)
    groups = np.repeat(np.arange(600), 6)
    x = rng.poisson(1.5, len(groups)).astype(float)
    y = rng.poisson(np.exp(-1.0 + 0.3 * x)).astype(float)
    linear = fit("count", y, np.column_stack([np.ones(len(x)), x]), ["const", "x_term"], groups)
    curve = with_knee(level_curve(linear, "x_term", x, groups), flattening(linear, "x_term", x, groups), x)
    assert curve.knee is None and curve.share_at_or_past_knee is None
