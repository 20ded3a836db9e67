"""The key findings in presentation order: one per screen or slide, shared by presentation mode and reports."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.stats import verdicts
from pipelines.stats.validate import holdout_sentence


@dataclass
class Slide:
    """One finding: a headline, the sentence, and which chart tells it."""

    outcome: str
    headline: str
    body: str
    chart: str  # forest | curve | lag | busy | none
    activity: str | None = None


def judged_first(results) -> list:
    """The outcomes in the order a reader meets them: those with an activity judged first, the others (too
    small to fit, nothing varies) after, each group in the analysis' order. Pages open on the first."""
    return sorted(results, key=lambda r: not any(f.judged for f in r.findings))


def key_findings(results) -> list[Slide]:
    """Per outcome: the strongest driver, its timing or returns, the biggest busy-work, and the validation.

    Outcomes on which no activity could be judged come last, in their order: a review opens on what the
    data can say, not on an outcome too small to fit."""
    slides: list[Slide] = []
    unjudged: list[Slide] = []
    for r in results:
        name = r.outcome.replace("_", " ")
        drivers = verdicts.drivers(r)
        if drivers:
            top = drivers[0]
            slides.append(Slide(r.outcome, f"{top.label} goes with {name}", top.sentence, "forest", top.activity))
            if top.curve is not None and top.curve.knee is not None:
                slides.append(Slide(r.outcome, f"{top.label}: returns flatten past {top.curve.knee}",
                                    top.sentence, "curve", top.activity))
            elif top.best_lag and r.design != "undated":
                slides.append(Slide(r.outcome, f"{top.label}: strongest {top.best_lag} {r.periods.get('grain') or 'period'}"
                                    f"{'s' if top.best_lag > 1 else ''} later", top.sentence, "lag", top.activity))
        elif any(f.judged for f in r.findings):
            slides.append(Slide(r.outcome, f"No activity clearly moves {name}",
                                "None of the logged activities shows an adjusted association with this outcome.",
                                "forest"))
        else:  # nothing was judged: say why instead of implying the activities were compared
            why = " ".join([f"{note[0].upper()}{note[1:]}." for note in r.notes]
                           + [f.sentence for f in r.findings]) or "No activity varies in the data."
            unjudged.append(Slide(r.outcome, f"No activity could be judged for {name}", why, "forest"))
        busy = verdicts.busy(r)
        if busy:
            b = busy[0]
            slides.append(Slide(r.outcome, f"{b.label}: busy, but not paying off for {name}", b.sentence, "busy",
                                b.activity))
        if (said := holdout_sentence(r.validation.get("holdout", {}), r.outcome)) is not None:
            slides.append(Slide(r.outcome, f"Does activity add to what we knew about {name}?", said, "none"))
    return slides + unjudged
