"""Diminishing returns: a binned response curve per activity and the level where it flattens."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from pipelines.errors import ModelError
from pipelines.stats.models import FILL_BLOCK_ROWS, WITHIN_COUNT, Effect, Fit, effect, fit, response, unit_for

CURVE_TOP_QUANTILE = 0.95  # levels above this quantile share the top bin
MAX_LEVELS = 8  # at most this many bins (0, 1, ..., top+)
KNEE_ALPHA = 0.05  # a hinge must beat a straight line at this level, Bonferroni-corrected over the levels tried


@dataclass
class Curve:
    """Outcome at each activity level relative to none, with 95% intervals, and the flattening level."""

    levels: list[str]
    estimate: list[float]
    low: list[float]
    high: list[float]
    n_rows: list[int]
    unit: str
    knee: int | None  # past this level more activity adds little (None: no flattening found)
    share_at_or_past_knee: float | None  # share of rows with activity already at or past the knee

    def to_json(self) -> dict:
        return self.__dict__


def level_curve(linear: Fit, term: str, x: np.ndarray, groups: np.ndarray, *, within_demean=None) -> Curve:
    """The activity's straight-line term in a fitted model replaced with level bins: the curve, without its knee.

    The refit starts from the straight-line estimates, which are close, so it takes a few Newton
    steps instead of a dozen. flattening() finds the knee (independent of this, so it can run alongside).
    """
    kind, j, start, slope = _refit_setup(linear, term, within_demean)
    y, X, names = linear.y, linear.X, linear.names
    n, k = X.shape
    base_names = names[:j] + names[j + 1:]
    top = _top_level(x)
    binned = np.minimum(np.round(x), top).astype(int)
    level_names = [f"level:{level}" for level in range(1, top + 1)]
    Xb = np.empty((n, k - 1 + top))  # the other columns, then one per level: filled in place, no stacked copies
    for first in range(0, n, FILL_BLOCK_ROWS):  # a block of rows at a time: a slice of columns is strided
        rows = slice(first, first + FILL_BLOCK_ROWS)
        Xb[rows, :j], Xb[rows, j:k - 1] = X[rows, :j], X[rows, j + 1:]
    for level in range(1, top + 1):
        col = (binned == level).astype(float)
        Xb[:, k - 2 + level] = within_demean(col) if within_demean else col
    fb = fit(kind, y, Xb, base_names + level_names, groups, within=within_demean is not None,
             start=start | {name: slope * level for level, name in enumerate(level_names, 1)})
    del Xb  # the fit holds its design (the same array unless a level column was dropped)
    est, low, high = [0.0], [0.0], [0.0]
    level_idx = [fb.index(name) for name in level_names]
    # a level's effect is its own coefficient's where the model says it directly (amounts, counts within accounts)
    contrast = None if kind in ("amount", WITHIN_COUNT) else _LevelContrast(fb, [i for i in level_idx if i is not None])
    for name, i in zip(level_names, level_idx):
        if i is None:  # too few rows at this level to estimate it
            est.append(float("nan")), low.append(float("nan")), high.append(float("nan"))
            continue
        e = effect(fb, name) if contrast is None else contrast.at(i)
        est.append(e.estimate)
        low.append(e.low)
        high.append(e.high)
    counts = [int((binned == lv).sum()) for lv in range(0, top + 1)]
    labels = [str(lv) for lv in range(0, top)] + [f"{top}+"]
    unit = unit_for(kind)
    return Curve(labels, est, low, high, counts, unit, None, None)


def flattening(linear: Fit, term: str, x: np.ndarray, groups: np.ndarray, *, within_demean=None) -> int | None:
    """The hinge min(x, k) that fits best in place of the straight-line term, if it beats the line by a
    likelihood-ratio test: past it, returns flatten (None: no flattening found)."""
    kind, j, start, slope = _refit_setup(linear, term, within_demean)
    names = linear.names[:j] + ["x"] + linear.names[j + 1:]
    return _knee(kind, linear.y, linear.X, j, names, x, groups, _top_level(x), within_demean, linear.llf,
                 start | {"x": slope})


def with_knee(curve: Curve, knee: int | None, x: np.ndarray) -> Curve:
    """The curve with its flattening level and the share of rows already at or past it."""
    curve.knee = knee
    curve.share_at_or_past_knee = float((x >= knee).mean()) if knee is not None else None
    return curve


def _refit_setup(linear: Fit, term: str, within_demean) -> tuple[str, int, dict[str, float], float]:
    """The refits' kind, the term's column, the straight-line estimates but the term's, and its slope."""
    start = dict(zip(linear.names, linear.params))
    slope = start.pop(term)
    return "amount" if within_demean else linear.kind, linear.names.index(term), start, slope


def _top_level(x: np.ndarray) -> int:
    """The top bin: levels from here up share it."""
    return max(2, min(MAX_LEVELS - 1, int(np.ceil(np.quantile(x, CURVE_TOP_QUANTILE)))))


class _LevelContrast:
    """Average predicted outcome with every row at one activity level, minus with every row at none.

    The same numbers as predictive_difference(fit_, base with column i set to one, base), where the
    base design is the fit's with every level column at zero, without building a copy of the design:
    the base's products are the design's with the level coefficients (or the level entries) zeroed.
    """

    def __init__(self, fit_: Fit, level_idx: list[int]):
        self.fit, self.level_idx = fit_, level_idx
        base_params = fit_.params.copy()
        base_params[level_idx] = 0.0
        self.eta0 = fit_.X @ base_params
        g0, d0 = self._response(self.eta0)
        self.mean0, self.slope0 = g0.mean(), self._base_t_dot(d0)

    def _base_t_dot(self, v: np.ndarray) -> np.ndarray:
        """base' v: the design's columns times v, with zero for every level column."""
        out = self.fit.X.T @ v
        out[self.level_idx] = 0.0
        return out

    def _response(self, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return response(self.fit.kind, eta)

    def at(self, i: int) -> Effect:
        g1, d1 = self._response(self.eta0 + self.fit.params[i])
        n = len(g1)
        est = 100 * float(g1.mean() - self.mean0)
        grad = 100 * (self._base_t_dot(d1) - self.slope0) / n
        grad[i] = 100 * d1.mean()
        se = float(np.sqrt(grad @ self.fit.cov @ grad))
        t = self.fit.critical
        return Effect(est, est - t * se, est + t * se, unit_for(self.fit.kind), se)


def _knee(kind, y, X, j, names, x, groups, top, within_demean, linear_llf, start) -> int | None:
    """The hinge min(x, k) that fits best in place of the straight line (column j of X), if it beats it."""
    design = X.copy()  # column j takes each hinge in turn

    def llf(col) -> float:
        design[:, j] = within_demean(col) if within_demean else col
        return fit(kind, y, design, names, groups, within=within_demean is not None, with_cov=False,
                   start=start).llf

    try:
        best_k, best = None, -np.inf
        for k in range(1, top + 1):
            ll = llf(np.minimum(x, k).astype(float))
            if ll > best:
                best_k, best = k, ll
    except ModelError:
        return None
    critical = stats.chi2.ppf(1 - KNEE_ALPHA / top, 1)
    if best_k is not None and 2 * (best - linear_llf) > critical:
        return best_k
    return None
