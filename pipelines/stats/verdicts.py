"""The verdict vocabulary, defined once: each verdict's name, the order they are read in, and the lists every
page, the command line and the deck show (an outcome's drivers, its busy-work, what pays off anywhere)."""

from __future__ import annotations

import numpy as np

DRIVER = "driver"  # associated with a better outcome, clearly and by more than the no-effect band
SATURATED = "saturated"  # a driver most of whose rows are already past the point where returns flatten
NEGATIVE = "negative"  # associated with a worse outcome
REVERSE = "suspect reverse cause"  # activity follows the outcome more than it precedes it
CONFOUNDED = "confounded"  # 'confounded by <what>': the raw association disappears once like is compared with like
NO_EVIDENCE = "no evidence"  # cannot tell: the data could have missed an effect
NO_EFFECT = "evidence of no effect"  # the whole interval is inside the no-effect band
NOT_JUDGED = "not judged"  # no model could judge the activity (the finding's reason says why)
PAYS_OFF = (DRIVER, SATURATED)
ORDER = (DRIVER, SATURATED, NEGATIVE, REVERSE, CONFOUNDED, NO_EVIDENCE, NO_EFFECT, NOT_JUDGED)
NAMES = {DRIVER: "Driver", SATURATED: "Saturated", NEGATIVE: "Negative", REVERSE: "Suspect reverse cause",
         CONFOUNDED: "Confounded", NO_EVIDENCE: "No evidence", NO_EFFECT: "Evidence of no effect",
         NOT_JUDGED: "Not judged"}


def confounded_by(confounder: str) -> str:
    """The verdict of an association that comes from a confounder: 'confounded by account size'."""
    return f"{CONFOUNDED} by {confounder}"


def base(verdict: str) -> str:
    """The verdict without its detail: 'confounded by account size' -> 'confounded'."""
    return CONFOUNDED if verdict.startswith(CONFOUNDED + " by ") else verdict


def confounder(verdict: str) -> str | None:
    """What a confounded verdict names ('account size'), else None."""
    return verdict.removeprefix(CONFOUNDED + " by ") if base(verdict) == CONFOUNDED and verdict != CONFOUNDED else None


def rank(verdict: str) -> int:
    """Reading order: drivers first, the activities not judged last."""
    v = base(verdict)
    return ORDER.index(v) if v in ORDER else len(ORDER)


def name(verdict: str) -> str:
    """How a verdict reads as a label: 'Confounded by account size'."""
    v = base(verdict)
    return NAMES.get(v, verdict.capitalize()) + (verdict[len(v):] if v == CONFOUNDED else "")


def drivers(result) -> list:
    """Every activity that pays off for this outcome, the largest effect per typical change first."""
    return sorted((f for f in result.findings if f.is_driver), key=lambda f: -np.nan_to_num(f.effect_typical.estimate))


def busy(result) -> list:
    """The busy-work candidates for this outcome (judged, not paying off, not going with worse outcomes),
    the most logged first."""
    return sorted((f for f in result.findings if f.is_busy), key=lambda f: (-f.volume, f.activity))


def paying_anywhere(results) -> set[str]:
    """The activities that pay off for at least one outcome: never busy-work in a summary across outcomes."""
    return {f.activity for r in results for f in r.findings if f.is_driver}
