"""Honest validation: out-of-time holdout against a controls-only model, and stability over time."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import numpy as np
import pandas as pd

from pipelines.errors import ModelError
from pipelines.stats.frames import Frame, account_codes, response
from pipelines.stats.models import ETA_LIMIT, WITHIN_COUNT, Fit, design, fit, take_rows
from pipelines.stats.parallel import parallel_map, run_all

HOLDOUT_SHARE = 0.25  # the latest quarter of the time span is scored, never fitted
MIN_TEST_ROWS = 30
N_WINDOWS = 4  # rolling time windows for stability
BOOTSTRAP_DRAWS = 20  # account-cluster bootstrap resamples for the stability of each verdict
BOOTSTRAP_MAX_ROWS = 2_000_000  # above this many resampled rows in all, draws are reduced to fit
BOOTSTRAP_SEED = 20241
METRIC_NAMES = {"auc": "AUC", "r2": "R²", "deviance_explained": "deviance explained"}  # the holdout's scores
LITTLE_GAIN_POINTS = 1.0  # activity adding less than this (in points of the score) adds little


def holdout_sentence(holdout: dict, outcome: str) -> str | None:
    """The holdout in plain words, for leaders: does knowing activity help predict later data the model
    never saw, beyond what account attributes (or each account's own trend) already tell? None: no holdout."""
    if "gain" not in holdout:
        return None
    points = 100 * holdout["gain"]
    what = outcome.replace("_", " ")
    baseline = "each account's own level and trend" if "scale" in holdout else "account attributes and the time of year"
    if points < LITTLE_GAIN_POINTS:
        return (f"On later data the model never saw, activity adds little to predicting {what} beyond "
                f"{baseline} ({points:+.1f} points).")
    gained = {"auc": f"tells a later 'yes' on {what} from a 'no' {points:.0f} points more accurately",
              "r2": f"explains {points:.0f} points more of how {what} moves",
              "deviance_explained": f"explains {points:.0f} points more of the variation in {what}"}[holdout["metric"]]
    return f"On later data the model never saw, knowing activity {gained} than {baseline} alone."


def holdout_detail(holdout: dict) -> str | None:
    """The holdout's scores for analysts: 'R² 0.123 → 0.220; fitted before …, scored from … on'."""
    if "gain" not in holdout:
        return None
    metric = holdout["metric"]
    return (f"{METRIC_NAMES[metric]} {holdout['controls_only'][metric]:.3f} → "
            f"{holdout['controls_and_activities'][metric]:.3f}; {holdout['split']}")


def validation(frame: Frame, result) -> dict:
    """Holdout scores and per-window stability of each driver's sign and significance (the checks side by side)."""
    checks = [("holdout", holdout, (frame,), "no holdout score"),
              ("stability", stability, (frame, result), "no stability check")]
    out = dict(zip([name for name, *_ in checks], run_all([partial(_attempt, *check[1:]) for check in checks])))
    out["bootstrap"] = _attempt(bootstrap, (frame, result), "no bootstrap")  # its draws use every core
    for f in result.findings:  # flagged here, in a fixed order, not by the checks as they finish
        if not f.is_driver:
            continue
        windows = out["stability"].get(f.activity)
        if windows and windows["of"]:
            f.flags.append(f"a driver in {windows['driver_in']} of {windows['of']} time windows"
                           + ("; weaker in the latest window" if windows["weakened_recently"] else ""))
        if "draws" in out["bootstrap"]:
            hits = out["bootstrap"]["activities"][f.activity]["positive_and_significant"]
            f.flags.append(f"a significant positive in {hits} of {out['bootstrap']['draws']} bootstrap resamples")
    return out


def _attempt(check, args: tuple, failure: str) -> dict:
    """One check's result, or a note saying why it could not be made."""
    try:
        return check(*args)
    except (ModelError, ValueError) as exc:
        return {"note": f"{failure}: {exc}"}


def bootstrap(frame: Frame, result, draws: int = BOOTSTRAP_DRAWS) -> dict:
    """Resample accounts with replacement and refit: how often is each activity a significant positive?

    Every drawn account keeps all its rows and becomes its own cluster, so the within-account
    design and the clustered errors stay valid in each draw: the adjusted model's own design rows
    (already centred within accounts, where it is a within model) are refitted as they are.
    Counts only: validation() turns them into the drivers' flags.
    """
    adjusted: Fit = result.models["adjusted"]
    codes = frame.codes  # 0, 1, ... by each account's first row
    by_account = np.argsort(codes, kind="stable")  # row positions, account by account, in row order within each
    sizes = np.bincount(codes)
    firsts = np.cumsum(sizes) - sizes
    draws = max(2, min(draws, BOOTSTRAP_MAX_ROWS // max(len(frame.data), 1)))
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    judged = [f for f in result.findings if f.judged]
    chosen_by_draw = [rng.integers(0, len(sizes), len(sizes)) for _ in range(draws)]  # drawn in order: same draws
    # whatever the number of cores

    def one_draw(chosen: np.ndarray) -> list[bool] | None:
        """Whether each judged activity is a significant positive in this draw (None: the draw would not fit)."""
        lengths = sizes[chosen]
        labels = np.repeat(np.arange(len(chosen)), lengths)
        ends = np.cumsum(lengths)
        # each drawn account's rows in turn: its first row's place plus the count of rows before, within the draw
        positions = by_account[np.repeat(firsts[chosen] - (ends - lengths), lengths) + np.arange(len(labels))]
        try:
            refit = _refit(adjusted, positions, labels)
        except (ModelError, ValueError, np.linalg.LinAlgError):
            return None
        return [bool(np.isfinite(p) and p < 0.05 and z > 0) for z, p in (_tested(refit, f) for f in judged)]

    outcomes = [o for o in parallel_map(one_draw, chosen_by_draw) if o is not None]
    fitted = len(outcomes)
    hits = {f.activity: sum(o[i] for o in outcomes) for i, f in enumerate(judged)}
    if not fitted:
        raise ValueError("no bootstrap draw could be fitted")
    return {"draws": fitted, "activities": {a: {"positive_and_significant": n, "share": n / fitted}
                                            for a, n in hits.items()}}


def _tested(refit: Fit, f) -> tuple[float, float]:
    """The z and p-value of a finding's headline (its cumulative effect over the lags) in a refitted model."""
    b, se = refit.sum_of(f.terms)
    return (b / se if np.isfinite(se) and se > 0 else float("nan")), refit.sum_p(f.terms)


def _refit(adjusted: Fit, rows: np.ndarray, groups: np.ndarray) -> Fit:
    """The adjusted model fitted again on some of its design's rows, starting from its estimates.

    A count model's period with no event among these rows (common by week, in a resample) has its
    dummy's maximum at minus infinity, where its rows weigh nothing: Newton crept toward it for a
    dozen steps per draw. Its rows and dummy are left out instead, which is that limit exactly.
    """
    y, X, names = adjusted.y[rows], take_rows(adjusted.X, rows), adjusted.names
    if adjusted.kind in ("count", WITHIN_COUNT):
        periods = [j for j, name in enumerate(names) if name.startswith("time=")]
        marked = X[:, periods] == 1
        empty = [i for i in range(len(periods)) if not y[marked[:, i]].any()]
        if empty:
            keep = ~marked[:, empty].any(axis=1)
            columns = [j for j in range(len(names)) if j not in {periods[i] for i in empty}]
            y, X, groups, names = y[keep], X[keep][:, columns], groups[keep], [names[j] for j in columns]
    return fit(adjusted.kind, y, X, names, groups, within=adjusted.within,
               start=dict(zip(adjusted.names, adjusted.params)))


def _time_key(frame: Frame) -> pd.Series:
    data = frame.data
    if "occurred_on" in data:
        return pd.to_datetime(data["occurred_on"])
    return pd.to_datetime(data["period_on"])


def holdout(frame: Frame) -> dict:
    """Fit on earlier periods, score later ones: controls only versus controls plus activities."""
    if frame.design == "undated":
        return _random_holdout(frame)
    t = _time_key(frame)
    cut = t.quantile(1 - HOLDOUT_SHARE)
    data = _model_columns(frame)
    train, test = data[t < cut], data[t >= cut]
    if len(test) < MIN_TEST_ROWS or len(train) < MIN_TEST_ROWS:
        raise ValueError("too few rows on one side of the time split")
    scores = _compare(frame, train, test)
    scores["split"] = f"fitted before {cut.date()}, scored from {cut.date()} on"
    return scores


def _random_holdout(frame: Frame) -> dict:
    rng = np.random.default_rng(7)
    mask = rng.random(len(frame.data)) < HOLDOUT_SHARE
    data = _model_columns(frame)
    scores = _compare(frame, data[~mask], data[mask])
    scores["split"] = "a random quarter of rows held out (no time order in the data)"
    return scores


def _model_columns(frame: Frame) -> pd.DataFrame:
    """The frame's data with only the columns a model of it reads: its rows are split and taken, not the rest."""
    used = {"account_id", "period_on", "y", f"o_{frame.outcome}", *frame.controls.names,
            *frame.terms}
    return frame.data[[c for c in frame.data.columns if c in used]]


def _compare(frame: Frame, train: pd.DataFrame, test: pd.DataFrame) -> dict:
    if frame.design == "per_period" and frame.kind == "amount":
        return _compare_within(frame, train, test)
    terms = frame.terms
    trend = frame.design != "undated"
    y_train, y_test = response(frame, train), response(frame, test)
    scores = {}
    for label, use in (("controls_only", []), ("controls_and_activities", terms)):
        Xtr, names = design(train, use, frame.controls, trend=trend)
        Xte, names_te = design(test, use, frame.controls, trend=trend)
        Xte = _align(Xte, names_te, names)
        f = fit(frame.kind, y_train, Xtr, names, account_codes(train), with_cov=False)  # scored, not tested
        Xte = _align(Xte if Xte.shape[1] == len(names) else Xte, names, f.names) if f.names != names else Xte
        pred = _predict(frame.kind, Xte @ f.params)
        scores[label] = _score(frame.kind, y_test, pred)
    metric = {"binary": "auc", "amount": "r2", "count": "deviance_explained"}[frame.kind]
    scores["metric"] = metric
    scores["gain"] = scores["controls_and_activities"][metric] - scores["controls_only"][metric]
    scores["n_train"], scores["n_test"] = len(train), len(test)
    return scores


def _compare_within(frame: Frame, train: pd.DataFrame, test: pd.DataFrame) -> dict:
    """Amounts are modelled within accounts, so score the same thing: how well each account's movement
    inside the scored window is predicted (outcomes and predictions both centred on the account's mean
    there; parameters come from the earlier periods only), trend alone against trend plus activities."""
    terms = frame.terms
    y_train, y_test = response(frame, train), response(frame, test)
    level = pd.Series(y_train).groupby(train["account_id"].to_numpy()).mean()
    known = test["account_id"].isin(level.index).to_numpy()
    test, y_test = test[known], y_test[known]
    if len(test) < MIN_TEST_ROWS:
        raise ValueError("too few accounts seen both before and after the time split")
    y_train_c = y_train - level.reindex(train["account_id"]).to_numpy()
    test_ids = test["account_id"].to_numpy()
    y_test_c = y_test - pd.Series(y_test).groupby(test_ids).transform("mean").to_numpy()
    scores = {}
    for label, use in (("controls_only", []), ("controls_and_activities", terms)):
        Xtr, names = design(train, use, None, trend=True)
        Xte, names_te = design(test, use, None, trend=True)
        means = pd.DataFrame(Xtr).groupby(train["account_id"].to_numpy()).mean()
        Xtr_c = Xtr - means.reindex(train["account_id"]).to_numpy()
        Xte_c = Xte - means.reindex(test["account_id"]).to_numpy()
        f = fit("amount", y_train_c, Xtr_c, names, account_codes(train), within=True, with_cov=False)
        pred = _align(Xte_c, names_te, f.names) @ f.params
        pred = pred - pd.Series(pred).groupby(test_ids).transform("mean").to_numpy()
        scores[label] = _score("amount", y_test_c, pred)
    scores.update(metric="r2", n_train=len(train), n_test=len(test),
                  gain=scores["controls_and_activities"]["r2"] - scores["controls_only"]["r2"],
                  scale="within accounts (movement around each account's own level)")
    return scores


def _align(X: np.ndarray, names: list[str], target: list[str]) -> np.ndarray:
    """Columns of X in the order of target (a column the test split lacks is zero)."""
    index = {n: i for i, n in enumerate(names)}
    return np.column_stack([X[:, index[n]] if n in index else np.zeros(len(X)) for n in target])


def _predict(kind: str, eta: np.ndarray) -> np.ndarray:
    eta = np.clip(eta, -ETA_LIMIT, ETA_LIMIT)
    if kind == "binary":
        return 1 / (1 + np.exp(-eta))
    if kind == "count":
        return np.exp(eta)
    return eta


def _score(kind: str, y: np.ndarray, pred: np.ndarray) -> dict:
    if kind == "binary":
        return {"auc": _auc(y, pred)}
    if kind == "amount":
        ss_res = float(((y - pred) ** 2).sum())
        ss_tot = float(((y - y.mean()) ** 2).sum())
        return {"r2": 1 - ss_res / ss_tot if ss_tot > 0 else float("nan")}
    mu = np.clip(pred, 1e-9, None)
    dev = 2 * np.sum(np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu), 0) - (y - mu))
    mu0 = max(y.mean(), 1e-9)
    dev0 = 2 * np.sum(np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu0), 0) - (y - mu0))
    return {"deviance_explained": float(1 - dev / dev0) if dev0 > 0 else float("nan")}


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve by ranks (ties averaged)."""
    pos = y == 1
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = pd.Series(score).rank().to_numpy()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def stability(frame: Frame, result) -> dict:
    """Refit the adjusted model in successive time windows: in how many is each driver a driver?

    A within-account model is centred again on each account's mean inside the window, from the
    window's own design; other models refit the rows of the adjusted model's design.
    Counts only: validation() turns them into the drivers' flags.
    """
    from pipelines.stats.drivers import _within_fit  # the same within-account model, on each window's rows

    if frame.design == "undated":
        return {"note": "no time order in the data: stability over time cannot be checked"}
    adjusted: Fit = result.models["adjusted"]
    groups = frame.codes
    t = _time_key(frame)
    data = _model_columns(frame)
    edges = t.quantile(np.linspace(0, 1, N_WINDOWS + 1)).to_list()
    judged = [f for f in result.findings if f.judged]
    per_activity: dict[str, list[dict]] = {f.activity: [] for f in judged}
    for i in range(N_WINDOWS):
        lo, hi = edges[i], edges[i + 1]
        mask = ((t >= lo) & ((t <= hi) if i == N_WINDOWS - 1 else (t < hi))).to_numpy()
        try:
            if adjusted.within:
                window = replace(frame, data=data[mask].reset_index(drop=True))
                refit = _within_fit(window, response(window), groups[mask])
            else:
                refit = _refit(adjusted, np.flatnonzero(mask), groups[mask])
        except (ModelError, ValueError):
            continue
        for f in judged:
            z, p = _tested(refit, f)
            per_activity[f.activity].append({"window": f"{lo.date()} to {hi.date()}", "z": _n(z), "p_value": _n(p),
                                             "positive_and_significant": bool(np.isfinite(p) and p < 0.05 and z > 0)})
    out = {}
    for f in judged:
        windows = per_activity[f.activity]
        hits = sum(w["positive_and_significant"] for w in windows)
        weakened = bool(f.is_driver and windows and not windows[-1]["positive_and_significant"])
        out[f.activity] = {"windows": windows, "driver_in": hits, "of": len(windows), "weakened_recently": weakened}
    return out


def _n(v: float):
    return round(float(v), 6) if np.isfinite(v) else None
