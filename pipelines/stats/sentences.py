"""One plain sentence per finding, for sales leaders: 'associated with', never 'causes'."""

from __future__ import annotations

import math

from pipelines.stats import verdicts
from pipelines.stats.frames import judged_within

NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
                9: "nine", 10: "ten", 12: "twelve"}
PAST_TENSE_OUTCOMES = ("won", "kept", "paid")
OUTCOME_VERBS = {"visit": "visited", "conversion": "converted", "convert": "converted", "purchase": "purchased",
                 "churn": "churned", "renewal": "renewed", "renew": "renewed", "click": "clicked", "open": "opened",
                 "response": "responded", "respond": "responded", "subscription": "subscribed", "win": "won",
                 "retention": "were retained", "signup": "signed up"}
MAX_CONTROLS_NAMED = 5  # longer lists of controls are summarised in sentences
PLAIN_EFFECT_MAX = 2  # effects are stated per one more activity up to this typical change, else per typical change


def outcome_label(name: str) -> str:
    """'recognized_revenue' -> 'recognized revenue'."""
    return name.replace("_", " ")


def fmt(value: float | None, digits: int = 1) -> str:
    """A number as people read it: 1,234 / 12.3 / 0.47 / n/a."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "−")


def plural(word: str) -> str:
    word = word.lower()
    if word.endswith(("s", "sh", "ch", "x")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def amount_of(label: str, n: float) -> str:
    """'one more business review' / '10 more emails'."""
    if n == 1:
        return f"one more {label.lower()}"
    return f"{NUMBER_WORDS.get(int(n), fmt(n, 0)) if float(n).is_integer() else fmt(n)} more {plural(label)}"


def periods(n: int | None, grain: str | None) -> str:
    n = n or 1
    unit = grain or "period"
    return f"{NUMBER_WORDS.get(n, str(n))} {unit}{'s' if n != 1 else ''}"


def binary_verb(outcome: str) -> str:
    """'renewed' -> 'renewed'; 'y' -> "had a 'yes' on y"."""
    if outcome.endswith("ed") or outcome in PAST_TENSE_OUTCOMES:
        return outcome_label(outcome)
    if outcome in OUTCOME_VERBS:
        return OUTCOME_VERBS[outcome]
    return f"had a 'yes' on {outcome_label(outcome)}"


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def comparison(frame) -> str:
    """How like is compared with like: 'the same segment and region and similar employees'."""
    if judged_within(frame):
        return "comparing each account with itself over time"
    same = [c.replace("_", " ") for c in frame.controls.categorical]
    similar = [c.replace("_", " ") for c in frame.controls.numeric]
    if not same and not similar:
        return "with no account attributes to compare like with like"
    if len(same) + len(similar) > MAX_CONTROLS_NAMED:
        named = (same + similar)[:MAX_CONTROLS_NAMED - 1]
        return (f"comparing accounts alike in {len(same) + len(similar)} attributes "
                f"({', '.join(named)} and others)")
    parts = ([f"the same {_listing(same)}"] if same else []) + ([f"similar {_listing(similar)}"] if similar else [])
    return "comparing accounts of " + " and ".join(parts)


def effect_text(e, kind: str, outcome: str) -> str:
    """'renewed 4 percentage points more often (95% CI 2 to 6)' and the like."""
    est, low, high = e.estimate, e.low, e.high
    if est < 0 and high < 0:  # 'less often (95% CI 0.6 to 1.4)': magnitudes, matching the words
        low, high = -high, -low
    digits = 2 if kind == "count" else 1
    ci = f"(95% CI {fmt(low, digits)} to {fmt(high, digits)})"
    if kind == "binary":
        return f"{binary_verb(outcome)} {fmt(abs(est))} percentage points {'more' if est >= 0 else 'less'} often {ci}"
    if kind == "amount":
        return f"{fmt(abs(est))}% {'higher' if est >= 0 else 'lower'} {outcome_label(outcome)} {ci.replace(' to ', '% to ').replace(')', '%)')}"
    return (f"{fmt(abs(est), 2)} {'more' if est >= 0 else 'fewer'} {outcome_label(outcome)} per 100 accounts "
            f"{ci}")


def carry_over_text(frame) -> str:
    """When the effect of a per-period finding is felt: 'the month after', or over the window, fading or not."""
    grain = frame.grain or "period"
    if frame.decay == 0 or frame.window_periods <= 1:
        return f"the {grain} after"
    over = f"in total over the {periods(frame.window_periods, grain)} after"
    if frame.decay is None:  # the lags free: their sum
        return over
    if frame.decay >= 1:
        return f"{over}, and lasting beyond them"
    return f"{over} (fading to {fmt(100 * frame.decay, 0)}% each month)"


def carry_over_note(result) -> str | None:
    """Why a per-period outcome's effects are stated over the window they are: the carry-over the data chose."""
    if not result.carry_over or result.frame is None:
        return None
    return (f"Effects on {outcome_label(result.outcome)} are stated {carry_over_text(result.frame)}: of the ways "
            "activity can carry over that were tried (the period after only, fading by half a month, lasting, "
            "or each month free), this one fits the data best.")


def short_effect(kind: str, estimate: float, *, unit: bool = True) -> str:
    """'+5.3 points' (yes/no), '+3.9%' (amounts), '+0.88 per 100 accounts' (counts); unit=False: '+5.3', '+3.9%',
    '+0.88' (where a heading says the unit)."""
    sign = "+" if estimate >= 0 else "−"
    if kind == "amount":
        return f"{sign}{fmt(abs(estimate))}%"
    number = f"{sign}{fmt(abs(estimate), 2 if kind == 'count' else 1)}"
    if not unit:
        return number
    return f"{number} points" if kind == "binary" else f"{number} per 100 accounts"


def outcome_headline(result) -> str:
    """The one sentence that matters for an outcome: what goes with it (the largest first, the others named)
    and the busiest activities that do not, by their share of what is logged."""
    name = outcome_label(result.outcome)
    judged = [f for f in result.findings if f.judged]
    if not judged:
        why = "; ".join(result.notes) or "no activity could be judged"
        return f"Not analysed: {why[0].lower() + why[1:]}."
    paying = verdicts.drivers(result)
    if paying:
        top, e = paying[0], paying[0].effect
        digits = 2 if result.kind == "count" else 1
        ci = f"95% CI {fmt(e.low, digits)} to {fmt(e.high, digits)}"
        when = f", {carry_over_text(result.frame)}" if result.design == "per_period" and result.frame else ""
        text = (f"{top.label} goes with {short_effect(result.kind, e.estimate)} {name} per one more{when} ({ci})")
        if len(paying) > 1:
            text += f"; so do {_listing([plural(f.label) for f in paying[1:]])}"
    else:
        text = f"No activity clearly goes with {name}"
    busy = verdicts.busy(result)
    total = sum(f.volume for f in result.findings) or 1.0
    if busy:
        listed = [f"{plural(f.label)} ({100 * f.volume / total:.0f}% of logged)" for f in busy[:3]]
        text += f". Busy, not paying off: {_listing(listed)}"
    return text + "."


def stated_change(typical_change: float) -> float:
    """How much more of an activity its effect is stated for: one, or its typical change if that is large."""
    return 1.0 if typical_change <= PLAIN_EFFECT_MAX else typical_change


def _scaled(f):
    """The effect stated per one more activity, or per typical change for high-volume activities."""
    n = stated_change(f.typical_change)
    return n, (f.effect if n == 1.0 else f.effect_typical)


def hidden_trait(f) -> str:
    """How strong a trait the data lack would have to be to explain a between-accounts finding away ('' if
    none is worked out)."""
    if not f.hidden_trait or not math.isfinite(f.hidden_trait[0]):
        return ""
    estimate, near = f.hidden_trait
    return (f" To explain it away, a trait the data lack (engagement, say) would have to be tied about "
            f"{fmt(estimate)}-fold both to {plural(f.label)} and to the outcome, beyond what is held "
            f"fixed ({fmt(near)}-fold for the interval's end nearer none).")


def _is_treatment(f, frame) -> bool:
    """An activity that is 0 or 1 per row (which e-mail a customer got), not a count."""
    cols = frame.predictors.get(f.activity, [])
    if len(cols) != 1 or cols[0] not in frame.data:
        return False
    values = frame.data[cols[0]].dropna().unique()
    return len(values) <= 2 and set(values) <= {0.0, 1.0}


def no_timing(outcome: str) -> str:
    """Why an undated outcome has no timing (lag profile) to show."""
    return f"{outcome_label(outcome).capitalize()} has no date, so there is no timing to show."


def undated_caveat(frame) -> str:
    """Why the time order of an undated outcome's findings is unknown ('' for dated outcomes)."""
    if frame.design != "undated":
        return ""
    if frame.grain:
        return (f" {outcome_label(frame.outcome).capitalize()} has no date, so each account's activity per "
                f"{frame.grain} while a customer is compared with it: which came first is unknown.")
    return " Activity and outcome come from the same record, so which came first is unknown."


def _association(f, frame, outcome: str, e, n: float) -> str:
    what = amount_of(f.label, n) + (f" a {frame.grain}" if frame.design == "undated" and frame.grain else "")
    if _is_treatment(f, frame) and frame.design == "undated":
        return (f"Accounts that got {f.label} (against those that got none) "
                f"{effect_text(e, 'binary', outcome) if frame.kind == 'binary' else 'have ' + effect_text(e, frame.kind, outcome)}")
    grain = frame.grain or "period"
    if frame.design == "events":
        return (f"Accounts with {what} in the {periods(frame.window_periods, grain)} before the outcome date "
                f"{effect_text(e, 'binary', outcome)}")
    if frame.design == "per_period":
        later = carry_over_text(frame)
        verb = "is" if n == 1 else "are"
        return (f"{what[0].upper() + what[1:]} in a {grain} {verb} associated with "
                f"{effect_text(e, frame.kind, outcome)} {later}")
    if frame.kind == "binary":
        return f"Accounts with {what} {effect_text(e, 'binary', outcome)}"
    return f"Accounts with {what} have {effect_text(e, frame.kind, outcome)}"


def finding(f, frame, result) -> str:
    """The sentence a leader reads for one activity and outcome."""
    outcome = result.outcome
    verdict = f.verdict
    if not f.judged:
        return f"{f.label}: {f.reason}."
    n, e = _scaled(f)
    compare = comparison(frame)
    undated = undated_caveat(frame)
    if verdict in (*verdicts.PAYS_OFF, verdicts.NEGATIVE):
        text = f"{_association(f, frame, outcome, e, n)}, {compare}."
        if f.curve and f.curve.knee is not None:
            share = f.curve.share_at_or_past_knee or 0
            knee = f"{f.curve.knee} {plural(f.label) if f.curve.knee != 1 else f.label.lower()}"
            text += f" Returns flatten past {knee}"
            text += (f", and {share:.0%} of cases are already there, so more adds little." if verdict == verdicts.SATURATED
                     else ".")
        return text + undated + " An association, not proof of cause." + hidden_trait(f)
    if verdicts.base(verdict) == verdicts.CONFOUNDED:
        raw = f.raw if n == 1.0 else f.raw.scaled(n)
        first = _association(f, frame, outcome, raw, n)
        return (f"At first sight, {first[0].lower() + first[1:]}; but that comes from {f.confounder}: "
                f"{compare}, the link disappears ({effect_text(e, frame.kind, outcome)}).{undated}")
    if verdict == verdicts.REVERSE:
        flag = next((fl for fl in f.flags if fl.startswith("activity rises")), "activity rises after the outcome")
        return (f"{plural(f.label).capitalize()} {flag.removeprefix('activity ')}: the link with "
                f"{outcome_label(outcome)} more likely runs from the outcome to the activity than the other way.")
    if verdict == verdicts.NO_EFFECT:
        assoc = _association(f, frame, outcome, e, n)
        return (f"{plural(f.label).capitalize()} show no association with {outcome_label(outcome)} that matters: "
                f"{assoc[0].lower()}{assoc[1:]}, {compare}; the interval rules out any sizeable effect.{undated}")
    unit = {"binary": "percentage points", "amount": "%", "count": f"{outcome_label(outcome)} per 100 accounts"}[frame.kind]
    per = amount_of(f.label, f.typical_change).replace(" more", "").replace("one ", "")
    missed = (f" The data could have missed an effect of up to about {fmt(f.mde_typical)}"
              f"{'' if unit == '%' else ' '}{unit} per {per}." if f.mde_typical else "")
    assoc = _association(f, frame, outcome, e, n)
    return (f"Cannot tell whether {plural(f.label)} go with {outcome_label(outcome)}: "
            f"{assoc[0].lower() + assoc[1:]}, {compare}.{missed}{undated}")
