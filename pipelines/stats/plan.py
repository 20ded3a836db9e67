"""Planning: a realistic target from history, what-if activity changes, and target -> activity plan.

Every answer carries the caveat that these are associations in observational data: a plan built
on them is a bet that the association holds when activity changes on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.errors import ModelError
from pipelines.stats.models import WITHIN_COUNT, Effect, response, unit_for

CAVEAT = ("Estimated from historical, observational data: activity was not assigned at random, so these "
          "are associations that a deliberate change in activity may not reproduce. Treat as a planning range.")
HISTORY_MONTHS = 12  # a target compares with the same span a year earlier
DEFAULT_GOAL = 2.0  # the outcome change a plan is first asked for, in the outcome's units


@dataclass
class WhatIf:
    """Predicted change of an outcome for given activity changes, with a 95% interval."""

    changes: dict[str, float]
    effect: Effect
    caveat: str = CAVEAT

    def to_json(self) -> dict:
        e = self.effect
        return {"changes": self.changes, "estimate": e.estimate, "low": e.low, "high": e.high, "unit": e.unit,
                "caveat": self.caveat}


def realistic_target(panel: pd.DataFrame, outcome: str, kind: str, growth: float | None = None) -> dict:
    """Last twelve months against the twelve before, and a target of last year's level plus growth.

    growth is relative for amounts and counts (0.05 = +5%) and in points for yes/no rates (0.05 = +5 points);
    None continues last year's own change (an outcome that fell 15% is not given +5%).
    """
    col = f"o_{outcome}"
    if col not in panel or panel["period_on"].isna().all():
        raise ModelError(f"{outcome}: no dated history to set a target from")
    dated = panel[panel["period_on"].notna() & panel[col].notna()]
    if dated.empty:  # e.g. an outcome recorded for accounts outside the panel's periods
        raise ModelError(f"{outcome}: no dated history to set a target from")
    months = pd.to_datetime(dated["period_on"])
    end = months.max()
    recent = dated[months > end - pd.DateOffset(months=HISTORY_MONTHS)]
    before = dated[(months <= end - pd.DateOffset(months=HISTORY_MONTHS))
                   & (months > end - pd.DateOffset(months=2 * HISTORY_MONTHS))]
    continued = growth is None
    if kind == "binary":
        weight = f"{col}_n"
        rate = lambda d: float((d[col] * d[weight]).sum() / d[weight].sum() * 100) if len(d) and d[weight].sum() else float("nan")  # noqa: E731
        last, prior = rate(recent), rate(before)
        if continued:
            growth = (last - prior) / 100 if np.isfinite(prior) else 0.0
        target = last + 100 * growth
        unit = "% yes"
    else:
        last, prior = float(recent[col].sum()), float(before[col].sum()) if len(before) else float("nan")
        if continued:
            growth = last / prior - 1 if np.isfinite(prior) and prior > 0 else 0.0
        target = last * (1 + growth)
        unit = "total"
    trend = (last / prior - 1) * 100 if kind != "binary" and prior and np.isfinite(prior) else (
        last - prior if kind == "binary" else float("nan"))
    series = dated.groupby(months.dt.to_period("M").dt.start_time)[col].sum() if kind != "binary" else \
        dated.groupby(months.dt.to_period("M").dt.start_time).apply(
            lambda d: (d[col] * d[f"{col}_n"]).sum() / d[f"{col}_n"].sum() * 100 if d[f"{col}_n"].sum() else np.nan)
    return {"outcome": outcome, "kind": kind, "unit": unit, "last_12_months": last, "prior_12_months": prior,
            "trend": trend, "growth": growth, "target": target, "through": str(end.date()),
            "history": series.rename("value").reset_index().rename(columns={"period_on": "month"}),
            "basis": (f"last 12 months to {end:%b %Y} {'rate' if kind == 'binary' else 'total'} "
                      f"{format(100 * growth, '+.1f') + ' points' if kind == 'binary' else '× ' + format(1 + growth, '.2f')}"
                      + (" (last year's own change, continued)" if continued else ""))}


def _steps(result, changes: dict[str, float]) -> np.ndarray:
    """How much each column of the fitted design moves when each activity changes by its amount per account
    per period (a window's total for event outcomes); zero for every other column."""
    fit_ = result.models["adjusted"]
    frame = result.frame
    steps = np.zeros(len(fit_.names))
    for activity, delta in changes.items():
        if activity not in frame.predictors:
            raise ModelError(f"no activity '{activity}' for {result.outcome}")
        for col in frame.predictors[activity]:
            j = fit_.index(col)
            if j is not None:
                steps[j] += delta * (frame.window_periods if frame.design == "events" else frame.stock_weight())
    return steps


class _Shifted:
    """The outcome's predicted change when design columns move by the same amount on every row.

    The moved design is X + 1·steps', so its linear predictor is X b + steps·b and the mean of its rows
    times a weight d is X'd / n + steps·mean(d): one product with the design per change, and no copy of
    it (a plan searches over dozens of changes; copying a million-row design for each took a minute).
    """

    def __init__(self, result):
        self.fit = result.models.get("adjusted")
        if self.fit is None:
            raise ModelError(f"no model for {result.outcome}")
        if self.fit.kind not in ("amount", WITHIN_COUNT):
            self.eta = self.fit.X @ self.fit.params
            g0, d0 = response(self.fit.kind, self.eta)
            self.mean0, self.slope0 = g0.mean(), self.fit.X.T @ d0 / len(d0)

    def effect(self, steps: np.ndarray) -> Effect:
        fit_ = self.fit
        t = fit_.critical  # t(0.975, G - 1), as every interval of the fit
        if fit_.kind in ("amount", WITHIN_COUNT):  # within accounts: every row's log moves by steps·b
            est = float(steps @ fit_.params)
            se = float(np.sqrt(steps @ fit_.cov @ steps))
            if fit_.kind == "amount":
                conv = lambda v: 100 * (np.exp(v) - 1)  # noqa: E731
                return Effect(conv(est), conv(est - t * se), conv(est + t * se), unit_for("amount"), 100 * se)
            # every account's rate is multiplied by exp(steps·b): the mean rate moves by that share of itself
            rate = lambda v: 100 * fit_.mean_rate * (np.exp(v) - 1)  # noqa: E731
            return Effect(rate(est), rate(est - t * se), rate(est + t * se), unit_for(fit_.kind),
                          100 * fit_.mean_rate * np.exp(est) * se)
        g1, d1 = response(fit_.kind, self.eta + steps @ fit_.params)
        est = 100 * float(g1.mean() - self.mean0)
        grad = 100 * (fit_.X.T @ d1 / len(d1) + steps * d1.mean() - self.slope0)
        se = float(np.sqrt(grad @ fit_.cov @ grad))
        return Effect(est, est - t * se, est + t * se, unit_for(fit_.kind), se)


def default_activities(result) -> list[str]:
    """What a plan is first made with: the strongest driver (the first one judged), or nothing."""
    return [f.activity for f in result.findings if f.judged and f.is_driver][:1]


def needs_rows(result) -> bool:
    """Whether a what-if or plan for this result averages over the rows fitted (yes/no outcomes), rather than
    reading the coefficients alone (amounts and counts)."""
    fit_ = result.models.get("adjusted")
    return fit_ is None or fit_.kind not in ("amount", WITHIN_COUNT)


def what_if(result, changes: dict[str, float]) -> WhatIf:
    """Change each named activity by the given amount per account per period: the outcome's predicted change."""
    return WhatIf(dict(changes), _Shifted(result).effect(_steps(result, changes)))


def plan_for_target(result, target: float, activities: list[str], *, max_change: float = 50.0) -> dict:
    """The same change per account per period in each chosen activity that reaches the target outcome change.

    target is in the outcome's units (points, %, per 100 accounts per period). The range comes from
    solving with the ends of the 95% interval; an end that cannot reach the target is reported as such.
    """
    if not activities:
        raise ModelError("choose at least one activity to plan with")

    shifted, unit_steps = _Shifted(result), _steps(result, {a: 1.0 for a in activities})

    def reach(k: float, which: str) -> float:
        e = shifted.effect(k * unit_steps)
        return {"estimate": e.estimate, "low": e.low, "high": e.high}[which]

    def solve(which: str) -> float | None:
        lo, hi = 0.0, max_change
        if np.sign(reach(hi, which) - reach(lo, which)) != np.sign(target) or abs(reach(hi, which)) < abs(target):
            return None
        for _ in range(60):
            mid = (lo + hi) / 2
            if abs(reach(mid, which)) < abs(target):
                lo = mid
            else:
                hi = mid
        return hi

    needed = solve("estimate")
    fastest, slowest = solve("high"), solve("low")
    hours = {}
    for a in activities:
        f = result.finding(a)
        if f.hours and f.volume and needed is not None:
            hours[a] = needed * f.hours / f.volume
    return {"outcome": result.outcome, "target": target, "unit": unit_for(result.kind), "activities": activities,
            "change_per_account_per_period": needed, "range": [fastest, slowest],
            "hours_per_account_per_period": hours or None, "caveat": CAVEAT,
            "reachable": needed is not None}
