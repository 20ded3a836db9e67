"""Diminishing returns: a binned response curve per activity and the level where it flattens."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from pipelines.errors import ModelError
from pipelines.stats.models import effect, fit, predictive_difference

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


def response_curve(kind: str, y: np.ndarray, X: np.ndarray, names: list[str], term: str, x: np.ndarray,
                   groups: np.ndarray, *, within_demean=None) -> Curve:
    """Replace the activity's straight-line term with level bins and with hinges min(x, k).

    The binned fit draws the curve; the best hinge, if it beats the straight line by a
    likelihood-ratio test, is where returns flatten.
    """
    j = names.index(term)
    others = [i for i in range(X.shape[1]) if i != j]
    base_X, base_names = X[:, others], [names[i] for i in others]
    top = max(2, min(MAX_LEVELS - 1, int(np.ceil(np.quantile(x, CURVE_TOP_QUANTILE)))))
    binned = np.minimum(np.round(x), top).astype(int)
    level_cols, level_names = [], []
    for level in range(1, top + 1):
        col = (binned == level).astype(float)
        level_cols.append(within_demean(col) if within_demean else col)
        level_names.append(f"level:{level}")
    Xb = np.column_stack([base_X, *level_cols])
    fb = fit(kind, y, Xb, base_names + level_names, groups, within=within_demean is not None)
    est, low, high = [0.0], [0.0], [0.0]
    level_idx = [fb.index(name) for name in level_names]
    base = fb.X.copy()
    for i in level_idx:
        if i is not None:
            base[:, i] = 0.0
    for name, i in zip(level_names, level_idx):
        if i is None:  # too few rows at this level to estimate it
            est.append(float("nan")), low.append(float("nan")), high.append(float("nan"))
            continue
        if kind == "amount":
            e = effect(fb, name)
        else:
            at_level = base.copy()
            at_level[:, i] = 1.0
            e = predictive_difference(fb, at_level, base)
        est.append(e.estimate)
        low.append(e.low)
        high.append(e.high)
    counts = [int((binned == lv).sum()) for lv in range(0, top + 1)]
    labels = [str(lv) for lv in range(0, top)] + [f"{top}+"]
    knee = _knee(kind, y, base_X, base_names, x, groups, top, within_demean)
    share = float((x >= knee).mean()) if knee is not None else None
    return Curve(labels, est, low, high, counts, effect(fb, level_names[0]).unit if kind != 'count' else 'per 100 accounts per period', knee, share)


def _knee(kind, y, base_X, base_names, x, groups, top, within_demean) -> int | None:
    def llf(col) -> float:
        c = within_demean(col) if within_demean else col
        return fit(kind, y, np.column_stack([base_X, c]), base_names + ["x"], groups,
                   within=within_demean is not None, with_cov=False).llf

    try:
        linear = llf(x.astype(float))
        best_k, best = None, -np.inf
        for k in range(1, top + 1):
            ll = llf(np.minimum(x, k).astype(float))
            if ll > best:
                best_k, best = k, ll
    except ModelError:
        return None
    critical = stats.chi2.ppf(1 - KNEE_ALPHA / top, 1)
    if best_k is not None and 2 * (best - linear) > critical:
        return best_k
    return None
