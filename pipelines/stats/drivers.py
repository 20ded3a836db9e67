"""Which activities predict each outcome: raw vs adjusted effects, lags, verdicts and sentences."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from pipelines.build import built_grain
from pipelines.errors import ModelError, NotLoadedError
from pipelines.money import currencies
from pipelines.stats import sentences, verdicts
from pipelines.stats.curves import Curve, flattening, level_curve, with_knee
from pipelines.stats.frames import (Controls, Frame, activity_labels, analysis_columns, attribute_meta,
                                    choose_controls, coarser_than, frame_for, judged_within, outcome_catalog, read_panel, response,
                                    typical_change)
from pipelines.stats.models import (MIN_CLUSTERS, MIN_JUDGE_ACCOUNTS, WITHIN_COUNT, Effect, Fit, demean,
                                    design, effect, effect_p, fit, hidden_trait_e_values, holm_adjusted,
                                    nonzero_columns, take_rows, too_little_data, unit_for)
from pipelines.stats.parallel import run_all

ALPHA = 0.05  # family-wise error for calling an activity a driver, negative or confounded (Holm, per outcome)
CONFOUNDED_SHRINK = 0.5  # adjusted effect below half the raw one (or flipped): the raw association was confounding
MIN_ATTRIBUTION = 0.3  # a single control must explain this share of the raw-to-adjusted gap to be named
REVERSE_Z = 3.0  # the after-outcome association must be at least this strong ...
REVERSE_MARGIN = 2.0  # ... and this much stronger (in z) than the before-outcome one
POWER = 0.8  # the detectable effect is the one the test run finds this often
EQUIVALENCE = {"binary": 1.0, "amount": 1.0, "count": None}  # a "no effect" band per typical change, in units
COUNT_EQUIVALENCE_SHARE = 0.05  # counts: 5% of the mean rate per typical change
DRIVERS = verdicts.PAYS_OFF
NOT_JUDGED = verdicts.NOT_JUDGED
MIN_ACTIVITY_ACCOUNTS = MIN_CLUSTERS  # an activity's clustered error rests on the accounts that have it: this many
DRIVER_PENDING = "driver (curve pending)"  # judged a driver; its response curve may make it 'saturated'
CONFOUNDED_PENDING = "confounded (by what, pending)"  # judged confounded; the confounder is named next
_UNDRAWN = object()  # a part of a driver's response curve that could not be fitted
MODEL_NAMES = {
    ("binary", "events"): "logistic regression of each event on activity in the window before it",
    ("binary", "undated"): "logistic regression (one row per account)",
    ("amount", "per_period"): "log-linear regression within accounts (account and period effects)",
    ("amount", "undated"): "log-linear regression (one row per account)",
    ("count", "per_period"): "Poisson regression within accounts (account and period effects)",
    ("count", "undated"): "Poisson regression (one row per account)",
}


@dataclass
class Finding:
    """What one activity does for one outcome."""

    activity: str
    label: str
    verdict: str
    effect: Effect  # adjusted, per one more activity: cumulative over the window (per period), as the test
    typical_change: float
    effect_typical: Effect
    raw: Effect
    within: Effect | None
    p: float
    p_adjusted: float  # p adjusted for the activities judged beside it (Holm): called below ALPHA
    raw_p_adjusted: float
    best_lag: int | None
    lag_profile: list[dict]
    confounder: str | None = None
    flags: list[str] = field(default_factory=list)
    mde_typical: float | None = None
    curve: Curve | None = None
    volume: float = 0.0
    hours: float | None = None
    sentence: str = ""
    term: str = ""  # the predictor column where the association is strongest (best lag or window total): the curve's
    terms: list[str] = field(default_factory=list)  # the columns whose summed effect is the headline
    raw_p: float = float("nan")
    reason: str | None = None  # why the activity is not judged (verdict NOT_JUDGED), e.g. 'too rare to judge: 3 logged'
    hidden_trait: tuple[float, float] | None = None  # compared between accounts: the E-values of the effect as stated
    # (per sentences.stated_change) and of its interval's end nearer none (models.hidden_trait_e_values)

    @property
    def judged(self) -> bool:
        """Whether a model judged this activity (else its effects are NaN and `reason` says why)."""
        return self.verdict != NOT_JUDGED

    @property
    def is_driver(self) -> bool:
        """Pays off: a driver, or a saturated one."""
        return self.verdict in DRIVERS

    @property
    def is_busy(self) -> bool:
        """Judged and not paying off, without going with worse outcomes either: the busy-work candidates."""
        return self.judged and not self.is_driver and self.verdict != verdicts.NEGATIVE

    def to_json(self) -> dict:
        def eff(e: Effect | None):
            return None if e is None else {"estimate": _num(e.estimate), "low": _num(e.low), "high": _num(e.high),
                                           "unit": e.unit}

        return {
            "activity": self.activity, "label": self.label, "verdict": self.verdict, "confounder": self.confounder,
            "flags": self.flags,
            "effect": eff(self.effect), "typical_change": self.typical_change,
            "effect_per_typical_change": eff(self.effect_typical),
            "raw_effect": eff(self.raw), "within_account_effect": eff(self.within),
            "p_value": _num(self.p), "adjusted_p_value": _num(self.p_adjusted),
            "raw_adjusted_p_value": _num(self.raw_p_adjusted),
            "best_lag": self.best_lag, "lag_profile": self.lag_profile,
            "minimum_detectable_effect_per_typical_change": _num(self.mde_typical),
            "curve": self.curve.to_json() if self.curve else None,
            "volume": self.volume, "hours": self.hours, "effect_per_hour": _num(self.effect_per_hour),
            "sentence": self.sentence, "reason": self.reason,
            "hidden_trait_e_value": None if self.hidden_trait is None else {
                "estimate": _num(self.hidden_trait[0]), "interval": _num(self.hidden_trait[1]),
                "per": sentences.stated_change(self.typical_change)},
        }

    @property
    def effect_per_hour(self) -> float | None:
        """Adjusted effect of one more hour spent, where durations are logged."""
        if not self.hours or not self.volume:
            return None
        hours_each = self.hours / self.volume
        return self.effect.estimate / hours_each if hours_each > 0 else None


@dataclass
class OutcomeResult:
    """Every activity's finding for one outcome, with how the model was built."""

    outcome: str
    kind: str
    design: str
    model: str
    n_used: int
    n_dropped: int
    dropped: dict[str, int]
    n_accounts: int
    periods: dict
    controls: list[str]
    controls_skipped: dict[str, str]
    window: str
    findings: list[Finding]
    validation: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    carry_over: dict | None = None  # per period: the decay chosen from the data and the ones tried
    currency: str | None = None  # an amount's currency as its exports write it ('$'), if they do
    frame: Frame | None = field(default=None, repr=False)  # kept for teams, plans and curves; not serialised
    models: dict = field(default_factory=dict, repr=False)

    def finding(self, activity: str) -> Finding:
        """The finding for one activity key."""
        for f in self.findings:
            if f.activity == activity:
                return f
        raise ModelError(f"no activity '{activity}' for {self.outcome}")

    def to_json(self) -> dict:
        return {
            "outcome": self.outcome, "kind": self.kind, "model": self.model, "design": self.design,
            "n_used": self.n_used, "n_dropped": self.n_dropped, "dropped": self.dropped,
            "n_accounts": self.n_accounts, "periods": self.periods, "controls": self.controls,
            "controls_skipped": self.controls_skipped, "window": self.window,
            "carry_over": self.carry_over, "currency": self.currency,
            "activities": [f.to_json() for f in self.findings], "validation": self.validation, "notes": self.notes,
        }


def analyze(con: duckdb.DuckDBPyConnection, outcome: str | None = None, *, validate: bool = True,
            filters=None, progress=None) -> list[OutcomeResult]:
    """Driver analysis for every outcome (or one), on the panel as last built, for the filtered accounts.

    progress, if given, is called with a line saying which outcome and which step is under way.
    """
    catalog = outcome_catalog(con)
    if catalog.empty:
        raise NotLoadedError("no outcomes loaded yet: load a renewals, revenue or referrals export "
                             "(payoff ingest FILE)")
    if outcome is not None:
        if outcome not in set(catalog["outcome_key"]):
            raise ModelError(f"no outcome '{outcome}'; outcomes: {', '.join(catalog['outcome_key'])}")
        catalog = catalog[catalog["outcome_key"] == outcome]
    meta = attribute_meta(con)
    filtered_on = tuple(name for name, _ in filters.attributes) if filters is not None else ()
    panel = read_panel(con, analysis_columns(con, meta, filtered_on))
    grain = built_grain(con) or "month"
    coarse = coarser_than(con, grain)
    # values recorded per month (or quarter) cannot be placed in weeks (or months): left out, and said why
    panel = panel.drop(columns=[c for (source, key) in coarse if source != "outcome"
                                for c in [f"{'n' if source == 'activity' else 'm'}_{key}"] if c in panel])
    labels = activity_labels(con)
    currency = currencies(con)
    volumes = dict(con.execute("select activity_key, n_activities from activity_types").fetchall())
    hours = dict(con.execute("select activity_key, case when n_timed > 0 then minutes / 60.0 end "
                             "from activity_types").fetchall())
    if filters is not None and filters.active:  # what the filtered accounts logged in the filtered periods
        shown = filters.apply(panel)
        logged = {key: float(shown[f"n_{key}"].sum()) for key in volumes if f"n_{key}" in shown}
        hours = {key: (h * logged.get(key, 0.0) / volumes[key] if h is not None and volumes.get(key) else h)
                 for key, h in hours.items()}
        volumes = {key: logged.get(key, 0.0) for key in volumes}
    results = []
    for i, row in enumerate(catalog.itertuples(), start=1):
        if (period := coarse.get(("outcome", row.outcome_key))) is not None:
            results.append(_too_coarse(row.outcome_key, row.outcome_kind, period, grain))
            continue
        name = f"{sentences.outcome_label(row.outcome_key).capitalize()} ({i} of {len(catalog)})"
        step = (lambda text, name=name: progress(f"{name}: {text}")) if progress else None
        if step:
            step("building the rows to compare")
        controls = choose_controls(meta, panel, row.outcome_key)
        frame = frame_for(con, panel, row.outcome_key, row.outcome_kind, controls, filters)
        frame.unjudged.update({key: _coarse_reason(period, grain) for (source, key), period in coarse.items()
                               if source == "activity" and key not in frame.activities})
        result = analyze_frame(frame, labels, volumes, hours, progress=step)
        result.currency = currency.get(row.outcome_key)
        result.notes += [f"{key.replace('_', ' ')} (a measure) is recorded per {period}: left out of the analysis by "
                         f"{grain}" for (source, key), period in coarse.items() if source == "measure"]
        if validate and result.models and any(f.judged for f in result.findings):
            from pipelines.stats.validate import validation

            if step:
                step("checking the model on accounts it was not fitted on")
            result.validation = validation(result.frame, result)
        results.append(result)
    return results


def _coarse_reason(period: str, grain: str) -> str:
    return (f"counted per {period} in its export: it cannot be placed in {grain}s (analyse by {period} "
            f"or longer to judge it)")


def _too_coarse(outcome: str, kind: str, period: str, grain: str) -> OutcomeResult:
    """The result of an outcome recorded per month (or quarter) when the panel is by week (or month)."""
    result = OutcomeResult(outcome, kind, "per_period", MODEL_NAMES.get((kind, "per_period"), kind), 0, 0, {}, 0, {},
                           [], {}, "", [])
    result.notes.append(f"{outcome.replace('_', ' ')} is recorded per {period}: it cannot be analysed by {grain} "
                        f"(a {period}'s value would sit in the {grain} holding its first day, before most of the "
                        f"activity it follows). Analyse by {period} or longer")
    return result


def analyze_frame(frame: Frame, labels: dict[str, str] | None = None, volumes: dict | None = None,
                  hours: dict | None = None, progress=None) -> OutcomeResult:
    """Fit raw, adjusted (and within-account) models on one frame and judge every activity.

    An activity no model can judge (too rare, or inseparable from the rest) keeps a row with the reason;
    it is left out of the models, so it cannot disturb the other activities' findings.
    """
    labels = labels or {}
    data = frame.data
    result = OutcomeResult(
        frame.outcome, frame.kind, frame.design, MODEL_NAMES.get((frame.kind, frame.design), frame.kind),
        frame.n_used, frame.n_dropped, frame.dropped, int(data["account_id"].nunique()) if len(data) else 0,
        _periods(frame), [frame.controls.label(c) for c in frame.controls.names], frame.controls.skipped,
        _window_text(frame), [],
    )

    def label(act: str) -> str:
        return labels.get(act, act.replace("_", " ").title())

    def unjudged(act: str, reason: str) -> Finding:
        return _not_judged(act, label(act), reason, frame, volumes, hours)

    if not frame.activities and not frame.unjudged:
        result.notes.append("no activity varies in the data, so there is nothing to compare")
        return result
    if (short := too_little_data(len(data), result.n_accounts)) is not None:
        result.notes.append(short)  # the outcome's own rows are too few: no activity is to blame
        return result
    unfit = {**frame.unjudged, **cannot_judge(frame, volumes)}
    not_judged = [unjudged(act, reason) for act, reason in unfit.items()]
    frame = _without(frame, set(unfit))
    if not frame.activities:
        result.findings = _finish(not_judged, frame, result)
        return result
    say = progress or (lambda _text: None)
    lags_frame, decays_tried = frame, 1
    try:
        if frame.stocks:
            say(f"choosing how activity carries over ({len(frame.stocks) + 1} ways tried)")  # per period: the carry-over that fits best, each activity's stock at it the predictor
            frame, decays_tried = _with_best_carry_over(frame), len(frame.stocks) + 1
            result.carry_over = {"form": "free lags" if frame.decay is None else "stock",
                                 "decay_per_month": frame.decay, "decays_tried": sorted(lags_frame.stocks),
                                 "window_periods": frame.window_periods}
        say("fitting the models with and without controls")
        models = _fit_models(frame, lags_frame)
    except ModelError as exc:
        result.notes.append(str(exc))
        result.findings = _finish(not_judged, frame, result)
        return result
    adjusted, within = models["adjusted"], models.get("within")
    if adjusted.n_clusters < MIN_JUDGE_ACCOUNTS:
        reason = (f"too few accounts to judge: {adjusted.n_clusters:,} accounts inform this comparison (at least "
                  f"{MIN_JUDGE_ACCOUNTS} are needed before an interval can be trusted)")
        result.notes.append(reason[0].upper() + reason[1:])
        result.findings = _finish(not_judged + [unjudged(act, reason) for act in frame.activities], frame, result)
        return result
    result.frame, result.models = frame, models
    if adjusted.kind == WITHIN_COUNT and adjusted.n_clusters < result.n_accounts:
        result.notes.append(f"{result.n_accounts - adjusted.n_clusters:,} of the {result.n_accounts:,} accounts had no "
                            f"{frame.outcome.replace('_', ' ')} in the periods analysed: comparing each account with "
                            "itself, they say nothing about what goes with more or fewer")
    findings = []
    for act in frame.activities:
        cols = frame.predictors[act]
        raw = models["raw_by_activity"].get(act)
        if raw is None:
            not_judged.append(unjudged(act, f"its association without controls could not be fitted "
                                            f"({models['raw_failed'][act]})"))
            continue
        if all(adjusted.index(c) is None for c in cols):
            not_judged.append(unjudged(act, "cannot be told apart from the other activities, account attributes "
                                            "and time in the rows analysed"))
            continue
        # the headline: the cumulative effect over the lags' window of one more activity in a period (per period:
        # its stock's coefficient times the stock's growth over the window), with its own test and interval; the
        # lag where the association is strongest is shown second (the lag profile)
        weight = frame.stock_weight()
        eff = effect(adjusted, cols, scale=weight)
        if not (np.isfinite(eff.se) and eff.se > 0):
            not_judged.append(unjudged(act, "its effect cannot be estimated on these rows (nothing varies enough "
                                            "once the filters apply)"))
            continue
        lag_cols = lags_frame.predictors[act]
        tc = typical_change(data[lag_cols[0]]) if lag_cols[0] in data else 1.0
        profile_fit = models.get("profile", adjusted)
        profile = (_lag_profile(profile_fit, lag_cols, lags_frame) if len(lag_cols) > 1
                   else models.get("profiles", {}).get(act, []))
        best_lag = (frame.lags[lag_cols.index(_best_term(profile_fit, lag_cols))] if frame.design == "per_period"
                    else _profile_best(profile))
        raw_eff = effect(raw, cols, scale=weight)
        if adjusted.kind == "binary":  # clear only when both the coefficient and the effect in points (the interval
            # shown) are: near separation the coefficient's test alone called a 'negative' beside -50.9 to 7.3,
            # and with few accounts the effect's test alone is too liberal (9% false calls with 40 accounts)
            p = max(adjusted.sum_p(cols), effect_p(adjusted, eff))
            raw_p = max(raw.sum_p(cols), effect_p(raw, raw_eff))
        else:  # a log-scale coefficient (or sum): its test is the interval's, on the same scale
            p, raw_p = adjusted.sum_p(cols), raw.sum_p(cols)
        findings.append(Finding(
            activity=act, label=label(act), verdict="", effect=eff,
            typical_change=tc, effect_typical=eff.scaled(tc), raw=raw_eff,
            within=effect(within, cols, scale=weight) if within is not None else None,
            p=min(1.0, p * decays_tried), p_adjusted=np.nan, raw_p_adjusted=np.nan, best_lag=best_lag,
            lag_profile=profile, volume=float((volumes or {}).get(act, 0.0) or 0.0),
            hours=(hours or {}).get(act), term=_best_term(adjusted, cols), terms=cols, raw_p=raw_p,
            # compared between accounts, a trait the data lack is the first doubt: how strong it would have to be
            hidden_trait=None if judged_within(frame) else hidden_trait_e_values(
                adjusted, cols, weight * sentences.stated_change(tc)),
        ))
    for f, adjusted_p in zip(findings, holm_adjusted([f.p for f in findings])):
        f.p_adjusted = adjusted_p
    for f, adjusted_p in zip(findings, holm_adjusted([f.raw_p for f in findings])):
        f.raw_p_adjusted = adjusted_p
    mean_outcome = _mean_outcome(frame)
    for f in findings:
        f.mde_typical = detectable_effect(f.effect_typical.se, adjusted.df, len(findings) * decays_tried)
        _judge(f, frame, models["reverse"].get(f.activity), mean_outcome)
    say("response curves and confounders")
    _follow_up(findings, frame, models)
    result.findings = _finish(findings + not_judged, frame, result)
    return result


def detectable_effect(se: float, df: int, tests: int) -> float | None:
    """The effect the test actually run finds with 80% power: a two-sided t test with df degrees of freedom at
    the level where Holm over `tests` activities calls it whatever the others do (alpha / tests: the first
    step), in units of se. Conservative where other activities are called first (Holm's later steps are
    looser)."""
    if not np.isfinite(se) or df < 1:
        return None
    return float((stats.t.ppf(1 - ALPHA / (2 * max(tests, 1)), df) + stats.t.ppf(POWER, df)) * se)


def cannot_judge(frame: Frame, volumes: dict | None = None) -> dict[str, str]:
    """Activities no model can judge on this frame, each with the reason: too rare, or predicting the outcome
    perfectly.

    A clustered error of an activity's effect rests on the accounts that have it: with a handful, the interval
    is far too narrow (three webinars came out as a 'driver' at q = 1e-155). And where the outcome is the same
    in every row with the activity (every event after it a 'yes'; no referral after it), a yes/no or count
    model has no finite estimate: it reports an impossible effect, or does not converge and takes every
    other activity's finding with it.
    """
    data, codes = frame.data, frame.codes
    y = response(frame) if frame.kind in ("binary", "count") else None
    out = {}
    for act in frame.activities:
        cols = [c for c in frame.predictors[act] if c in data]
        present = np.nan_to_num(data[cols].to_numpy(dtype=float, na_value=np.nan)) != 0  # rows × columns
        n_accounts = np.count_nonzero(np.bincount(codes[present.any(axis=1)]))  # O(n), no sort
        if n_accounts < MIN_ACTIVITY_ACCOUNTS:
            logged = (volumes or {}).get(act)
            logged = int(logged) if logged is not None else int(present.any(axis=1).sum())
            out[act] = f"too rare to judge: {logged:,} logged, " + (
                f"on {n_accounts:,} of the accounts analysed (at least {MIN_ACTIVITY_ACCOUNTS} needed)" if n_accounts
                else "none of them in the rows analysed")  # e.g. all after the last outcome
            continue
        for j in range(len(cols) if y is not None else 0):  # each column is a coefficient of its own
            if (separated := _separation(frame, y[present[:, j]])) is not None:
                per_period = frame.design == "per_period"
                when = f" {sentences.periods(frame.lags[j], frame.grain)} before" if per_period else ""
                out[act] = (f"{separated} in all {int(present[:, j].sum()):,} rows with it{when}: it predicts the "
                            "outcome perfectly, so its effect cannot be estimated")
                break
    return out


def _separation(frame: Frame, y: np.ndarray) -> str | None:
    """What is the same in every one of these outcome values, if it leaves a yes/no or count model no finite
    estimate: all 'yes', all 'no', or (counts) all zero."""
    if frame.kind == "binary" and len(np.unique(y)) == 1:
        return f"the outcome is '{'yes' if y[0] else 'no'}'"
    if frame.kind == "count" and not (y > 0).any():
        return f"{frame.outcome.replace('_', ' ')} is zero"
    return None


def _without(frame: Frame, activities: set[str]) -> Frame:
    """The frame with these activities left out of every model (their columns stay in the data, unused)."""
    if not activities:
        return frame
    return replace(frame, activities=[a for a in frame.activities if a not in activities],
                   predictors={a: c for a, c in frame.predictors.items() if a not in activities},
                   post={a: c for a, c in frame.post.items() if a not in activities},
                   stocks={d: {a: c for a, c in cols.items() if a not in activities} for d, cols in frame.stocks.items()})


def _not_judged(act: str, label: str, reason: str, frame: Frame, volumes: dict | None,
                hours: dict | None) -> Finding:
    """The row of an activity no model judged: no effects (NaN in the outcome's unit), and the reason."""
    none = Effect(np.nan, np.nan, np.nan, unit_for(frame.kind), np.nan)
    return Finding(activity=act, label=label, verdict=NOT_JUDGED, effect=none, typical_change=1.0,
                   effect_typical=none, raw=none, within=None, p=np.nan, p_adjusted=np.nan, raw_p_adjusted=np.nan, best_lag=None,
                   lag_profile=[], volume=float((volumes or {}).get(act, 0.0) or 0.0), hours=(hours or {}).get(act),
                   reason=reason)


def _finish(findings: list[Finding], frame: Frame, result: OutcomeResult) -> list[Finding]:
    """Every finding with its sentence, in reading order: drivers first, the ones not judged last."""
    for f in findings:
        f.sentence = sentences.finding(f, frame, result)
    return sorted(findings, key=lambda f: (verdicts.rank(f.verdict), -np.nan_to_num(f.effect_typical.estimate)))


def _fit_models(frame: Frame, lags_frame: Frame | None = None) -> dict:
    """The raw, adjusted (and within-account) fits, and the lead/lag check of the adjusted fit, side by side;
    per period with stocks as predictors, the within-account fit of the lags too (the lag profile).

    The full design is built once: the raw and within-account designs are some of its columns.
    """
    data, kind = frame.data, frame.kind
    groups = frame.codes
    y = response(frame)
    time = "period" if frame.design == "per_period" else None
    X, names = design(data, frame.terms, frame.controls, time=time, trend=frame.design == "events")

    def pooled() -> tuple[Fit, dict]:
        controls = fit(kind, y, X, names, groups)
        return controls, _reverse_check(frame, controls)

    def raw(cols: list[str]) -> Fit | ModelError:
        keep = [0] + [names.index(c) for c in cols]  # the intercept and the activity's own columns
        try:
            return fit(kind, y, np.take(X, keep, axis=1), [names[i] for i in keep], groups)
        except ModelError as exc:  # that activity's row says why (raw_failed); the others stand
            return exc

    def within() -> Fit:  # the adjusted model of per-period amounts and counts: nothing to judge without it
        return _within_fit(frame, y, groups, (X, names))

    tasks = [pooled]  # the slowest first, so the other worker takes the rest meanwhile
    if frame.design == "per_period":
        tasks.append(within)
        if lags_frame is not None and lags_frame is not frame:
            tasks.append(lambda: _within_fit(lags_frame, y, groups))
    elif frame.design == "events":
        tasks.append(lambda: _event_lag_profiles(frame, y, groups))
    tasks += [lambda cols=cols: raw(cols) for cols in frame.predictors.values()]
    (controls, reverse), *rest = run_all(tasks)
    models: dict = {"controls": controls, "adjusted": controls, "reverse": reverse}
    if frame.design == "per_period":
        models["within"] = rest.pop(0)
        if lags_frame is not None and lags_frame is not frame:
            models["profile"] = rest.pop(0)
        if judged_within(frame):
            models["adjusted"] = models["within"]
    elif frame.design == "events":
        models["profiles"] = rest.pop(0)
    models["raw_by_activity"] = {act: f for act, f in zip(frame.predictors, rest) if isinstance(f, Fit)}
    models["raw_failed"] = {act: str(f) for act, f in zip(frame.predictors, rest) if not isinstance(f, Fit)}
    return models


def _with_best_carry_over(frame: Frame) -> Frame:
    """The per-period frame with the carry-over whose within-account model fits best: each activity's stock at
    one decay (the same for every activity), or its lags free (a delayed or irregular effect), chosen by BIC
    (the likelihood, less the free lags' extra terms). The data choose how long activity carries over; the
    choice is paid for in each activity's test (its p-value times the number of forms tried)."""
    y, groups = response(frame), frame.codes
    candidates = [frame.with_stocks(d) for d in sorted(frame.stocks)] + [frame]

    def bic(candidate: Frame) -> float:
        try:
            fitted = _within_fit(candidate, y, groups, with_cov=False)
        except ModelError:
            return float("inf")
        return -2 * fitted.llf + len(fitted.names) * np.log(fitted.n)

    scores = run_all([partial(bic, c) for c in candidates])
    if not np.isfinite(min(scores)):
        raise ModelError("the within-account model could not be fitted with any carry-over")
    return candidates[int(np.argmin(scores))]


def _within_fit(frame: Frame, y: np.ndarray, groups: np.ndarray,
                pooled: tuple[np.ndarray, list[str]] | None = None, with_cov: bool = True) -> Fit:
    """Within-account estimate: does an account's outcome move when its own activity does?

    Amounts: log outcome, two-way (account and period) effects by demeaning.
    Counts: Poisson with account and period effects, conditional on each account's total (an account
    whose outcome is zero throughout says nothing about it and drops out).
    pooled: the design with controls and period dummies, if built already; the within design is its
    columns but the intercept and controls (constant within an account), taken instead of built again.
    """
    if pooled is None:
        pooled = design(frame.data, frame.terms, None, time="period")
    keep = [i for i, name in enumerate(pooled[1]) if name != "const" and not name.startswith("ctl:")]
    X, names = np.take(pooled[0], keep, axis=1), [pooled[1][i] for i in keep]
    if frame.kind == "count":
        return fit(WITHIN_COUNT, y, X, names, groups, with_cov=with_cov)
    codes = pd.factorize(groups)[0]
    return fit("amount", demean(y, codes), demean(X, codes, copy=False), names, groups, within=True,
               with_cov=with_cov)


def _best_term(f: Fit, cols: list[str]) -> str:
    """The lag with the strongest association (largest |z|); a single window term is itself."""
    if len(cols) == 1:
        return cols[0]
    zs = [abs(f.z(c)) if np.isfinite(f.z(c)) else -1 for c in cols]
    return cols[int(np.argmax(zs))]


def _lag_profile(f: Fit, cols: list[str], frame: Frame) -> list[dict]:
    out = []
    for lag, c in zip(frame.lags, cols):
        e = effect(f, c)
        out.append({"lag": lag, "estimate": _num(e.estimate), "low": _num(e.low), "high": _num(e.high),
                    "p_value": _num(f.p(c))})
    return out


def _event_lag_profiles(frame: Frame, y: np.ndarray, groups: np.ndarray) -> dict[str, list[dict]]:
    """For yes/no events: each activity's count in each single period before the event, others as totals."""
    data = frame.data
    profiles = {}
    for act in frame.activities:
        lag_cols = [f"n_{act}__lag{k}" for k in frame.lags]
        if not all(c in data for c in lag_cols):
            continue
        others = [c for a, cols in frame.predictors.items() if a != act for c in cols]
        X, names = design(data, lag_cols + others + frame.measures, frame.controls, trend=True)
        try:
            f = fit(frame.kind, y, X, names, groups)
        except ModelError:
            continue
        profiles[act] = _lag_profile(f, lag_cols, frame)
    return profiles


def _profile_best(profile: list[dict]) -> int | None:
    if not profile:
        return None
    scored = [(abs(p["estimate"] / ((p["high"] - p["low"]) / 3.92)) if p["high"] != p["low"] else 0, p["lag"])
              for p in profile if p["estimate"] is not None]
    return max(scored)[1] if scored else None


def _reverse_check(frame: Frame, base: Fit) -> dict[str, tuple[float, float]]:
    """z of the association with activity *after* the outcome, against the one before it.

    The model with controls refitted, with the after-outcome columns added, on the rows where those are known.
    """
    data = frame.data
    post_cols = [frame.post[a] for a in frame.activities if a in frame.post and frame.post[a] in data]
    if not post_cols:
        return {}
    complete = data[post_cols].notna().all(axis=1).to_numpy()
    if complete.sum() < 50:
        return {}
    rows = np.flatnonzero(complete)
    # a column that is zero on all these rows (the dummy of a period whose after-window is not over yet) is
    # left out here: the fit would drop it anyway, after copying the whole design once more
    columns = np.flatnonzero(nonzero_columns(base.X, rows))
    k = len(columns)
    X = np.empty((len(rows), k + len(post_cols)))  # filled in place: no taken rows plus a stacked copy
    take_rows(base.X, rows, out=X[:, :k], columns=columns)
    for i, c in enumerate(post_cols):
        X[:, k + i] = data[c].to_numpy(dtype=float)[rows]
    try:
        f = fit(frame.kind, base.y[rows], X, [base.names[i] for i in columns] + post_cols, frame.codes[rows],
                start=dict(zip(base.names, base.params)))
    except ModelError:
        return {}
    out = {}
    for act in frame.activities:
        pre = max((abs(f.z(c)) for c in frame.predictors[act] if np.isfinite(f.z(c))), default=0.0)
        out[act] = (f.z(frame.post[act]), pre)
    return out


def _mean_outcome(frame: Frame) -> float:
    if frame.kind == "binary":
        return float(frame.data["y"].mean() * 100)
    return float(frame.data[f"o_{frame.outcome}"].mean())


def _judge(f: Finding, frame: Frame, reverse: tuple[float, float] | None, mean_outcome: float) -> None:
    """The verdict, in order: reverse cause, driver/saturated/negative, confounded, no effect, no evidence.

    A driver's curve (driver or saturated) and a confounded association's confounder are left pending
    for _follow_up, which fits more models.
    """
    significant = np.isfinite(f.p_adjusted) and f.p_adjusted < ALPHA
    raw_significant = np.isfinite(f.raw_p_adjusted) and f.raw_p_adjusted < ALPHA
    if reverse is not None:
        z_post, z_pre = reverse
        # After a 'no' (churned, lost) an account usually goes quiet, so less activity after a 'no'
        # is expected and proves nothing; only more activity after a 'no' (rescue or exit calls) counts.
        one_sided = frame.design == "events" and z_post > 0
        if np.isfinite(z_post) and not one_sided and abs(z_post) >= REVERSE_Z and abs(z_post) > z_pre + REVERSE_MARGIN:
            when = "after a 'no' outcome" if frame.design == "events" else (
                "after the outcome rises" if z_post > 0 else "after the outcome falls")
            f.flags.append(f"activity rises {when}, more than it predicts the outcome beforehand")
    reverse_flag = any(fl.startswith("activity rises") for fl in f.flags)
    band = EQUIVALENCE.get(frame.kind)
    if band is None:
        band = COUNT_EQUIVALENCE_SHARE * mean_outcome * 100
    negligible = np.isfinite(f.effect_typical.low) and -band < f.effect_typical.low and f.effect_typical.high < band
    if significant and negligible and not reverse_flag:
        # clear, but all of it too small to matter (at scale, +0.04% per e-mail is 'significant'): no driver
        f.flags.append("statistically clear, but the whole 95% interval is inside the no-effect band")
        f.verdict = verdicts.NO_EFFECT
        return
    if significant:
        if reverse_flag:
            f.verdict = verdicts.REVERSE
        elif f.effect.estimate > 0:
            f.verdict = DRIVER_PENDING
        else:
            f.verdict = verdicts.NEGATIVE
        return
    shrunk = raw_significant and (
        np.sign(f.raw.estimate) != np.sign(f.effect.estimate)
        or abs(f.effect.estimate) < CONFOUNDED_SHRINK * abs(f.raw.estimate))
    if shrunk:
        f.verdict = CONFOUNDED_PENDING
        return
    if reverse_flag:
        f.verdict = verdicts.REVERSE
        return
    f.verdict = verdicts.NO_EFFECT if negligible else verdicts.NO_EVIDENCE


def _follow_up(findings: list[Finding], frame: Frame, models: dict) -> None:
    """Settle the pending verdicts: each driver's response curve (its levels and where it flattens), or what
    confounded an association.

    These fits are independent, so they run side by side; a curve's levels and its flattening point are
    separate tasks, and the hinge fits, the slowest, go first so the other worker takes the rest meanwhile.
    """
    drivers = [f for f in findings if f.verdict == DRIVER_PENDING]
    confounded = [f for f in findings if f.verdict == CONFOUNDED_PENDING]
    tasks = [partial(_curve_part, flattening, f, frame, models) for f in drivers]
    tasks += [partial(_curve_part, level_curve, f, frame, models) for f in drivers]
    tasks += [partial(_confounder, f, frame, models) for f in confounded]
    done = run_all(tasks)
    knees, curves, confounders = done[:len(drivers)], done[len(drivers):2 * len(drivers)], done[2 * len(drivers):]
    for f, curve, knee in zip(drivers, curves, knees):
        _complete_driver(f, curve, knee, frame)
    for f, confounder in zip(confounded, confounders):
        f.confounder = confounder
        f.verdict = verdicts.confounded_by(confounder)


def _complete_driver(f: Finding, curve: Curve | object, knee: int | None | object, frame: Frame) -> None:
    """A driver's curve with its flattening point (none if either could not be drawn), and 'saturated' if most
    rows are already past the point where returns flatten."""
    f.verdict = verdicts.DRIVER
    if curve is _UNDRAWN or knee is _UNDRAWN:
        return
    f.curve = with_knee(curve, knee, frame.data[f.term].to_numpy(dtype=float))
    if f.curve.knee is not None:
        f.flags.append(f"returns flatten past {f.curve.knee}")
        if (f.curve.share_at_or_past_knee or 0) >= 0.5:
            f.verdict = verdicts.SATURATED


def _confounder(f: Finding, frame: Frame, models: dict) -> str:
    """The control that moves the raw effect furthest toward the adjusted one."""
    term = f.term
    data, kind = frame.data, frame.kind
    raw = models["raw_by_activity"][f.activity]
    raw_b = raw.coef(term)
    adj_b = models["adjusted"].coef(term)
    gap = raw_b - adj_b
    if not np.isfinite(gap) or gap == 0:
        return "account attributes"
    terms = frame.predictors[f.activity]
    groups = frame.codes
    y = response(frame)
    best, best_share = None, 0.0
    candidates = [(c, Controls(categorical=[c])) for c in frame.controls.categorical]
    candidates += [(c, Controls(numeric=[c], logged=[c] if c in frame.controls.logged else [])) for c in
                   frame.controls.numeric]
    for name, ctl in candidates:
        X, names = design(data, terms, ctl)
        try:
            b = fit(kind, y, X, names, groups, with_cov=False, start=dict(zip(raw.names, raw.params))).coef(term)
        except ModelError:
            continue
        share = (raw_b - b) / gap
        if share > best_share:
            best, best_share = name, share
    if judged_within(frame):
        if best is None or best_share < MIN_ATTRIBUTION:
            return "stable differences between accounts"
    if best is None or best_share < MIN_ATTRIBUTION:
        return "account attributes and time together"
    return frame.controls.label(best).replace(" (log)", "") + _size_hint(best)


def _size_hint(name: str) -> str:
    return " (account size)" if name in ("employees", "size", "company_size", "headcount", "arr") else ""


def _curve_part(part, f: Finding, frame: Frame, models: dict):
    """One part of a driver's response curve (curves.level_curve or curves.flattening), or _UNDRAWN if the
    curve cannot be drawn."""
    adjusted: Fit = models["adjusted"]
    x = frame.data[f.term].to_numpy(dtype=float)
    groups = frame.codes
    demean_fn = None
    if adjusted.within:
        demean_fn = lambda col: demean(col, groups)  # noqa: E731
    try:
        return part(adjusted, f.term, x, groups, within_demean=demean_fn)
    except (ModelError, ValueError):
        return _UNDRAWN


def _periods(frame: Frame) -> dict:
    data = frame.data
    if "period_on" not in data or data["period_on"].isna().all():
        return {"first": None, "last": None, "n": 0, "grain": None}
    p = pd.to_datetime(data["period_on"])
    return {"first": str(p.min().date()), "last": str(p.max().date()), "n": int(p.nunique()), "grain": frame.grain}


def _window_text(frame: Frame) -> str:
    if frame.design == "events":
        return f"activity in the {frame.window_periods} {frame.grain}s before each event"
    if frame.design == "per_period":
        return f"activity 1 to {frame.window_periods} {frame.grain}s before each period"
    if frame.grain:  # an outcome once per account without a date, beside dated activity
        return f"each account's activity per {frame.grain} while a customer (the outcome has no date: no time order)"
    return "activity and outcome recorded in the same row (no time order)"


def _num(v):
    if v is None:
        return None
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return round(v, 6) if np.isfinite(v) else None
