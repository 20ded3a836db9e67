"""Driver results as JSON, a flat table (CSV) and a terminal table: one shape for CLI and pages."""

from __future__ import annotations

import json
import math
from datetime import date, datetime

import numpy as np
import pandas as pd

from pipelines.stats.sentences import fmt
from pipelines.stats.validate import holdout_detail, holdout_sentence

TABLE_COLUMNS = ["outcome", "kind", "activity", "verdict", "effect", "low", "high", "unit", "typical_change",
                 "effect_per_typical_change", "raw_effect", "within_account_effect", "p_value", "adjusted_p_value",
                 "best_lag", "n_used", "n_dropped", "sentence"]


def to_json(results, meta: dict | None = None) -> str:
    """The documented JSON: per outcome its model, n, periods, controls, activities and validation."""
    payload = {"meta": meta or {}, "outcomes": [r.to_json() for r in results]}
    return json.dumps(_finite(payload), indent=2, default=_default, ensure_ascii=False, allow_nan=False)


def _finite(value):
    """NaN and infinity become null: JSON has no such numbers (e.g. a curve level too rare to estimate)."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def _default(value):
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return round(v, 6) if math.isfinite(v) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (date, datetime, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_frame(results) -> pd.DataFrame:
    """One row per outcome × activity, flat, for CSV and tables."""
    rows = []
    for r in results:
        for f in r.findings:
            rows.append({
                "outcome": r.outcome, "kind": r.kind, "activity": f.label, "verdict": f.verdict,
                "effect": f.effect.estimate, "low": f.effect.low, "high": f.effect.high, "unit": f.effect.unit,
                "typical_change": f.typical_change, "effect_per_typical_change": f.effect_typical.estimate,
                "raw_effect": f.raw.estimate, "within_account_effect": f.within.estimate if f.within else None,
                "p_value": f.p, "adjusted_p_value": f.p_adjusted, "best_lag": f.best_lag, "n_used": r.n_used,
                "n_dropped": r.n_dropped, "sentence": f.sentence,
            })
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def to_text(results) -> str:
    """A terminal report: per outcome a header, an aligned table and the sentences."""
    lines = []
    for r in results:
        lines.append(f"{r.outcome} ({r.kind}): {r.model}")
        lines.append(f"  n used {r.n_used:,}, dropped {r.n_dropped:,}"
                     + (f" ({'; '.join(f'{k}: {v:,}' for k, v in r.dropped.items())})" if r.dropped else ""))
        if r.periods.get("first"):
            lines.append(f"  periods {r.periods['first']} to {r.periods['last']} ({r.periods['n']} {r.periods['grain']}s); "
                         f"{r.window}")
        lines.append(f"  controls: {', '.join(r.controls) or 'none'}")
        h = r.validation.get("holdout", {})
        if "gain" in h:
            lines.append(f"  holdout: {holdout_sentence(h, r.outcome)} ({holdout_detail(h)})")
        for note in r.notes:
            lines.append(f"  note: {note}")
        if r.findings:
            table = pd.DataFrame([{
                "activity": f.label, "verdict": f.verdict,
                "effect": f"{fmt(f.effect.estimate, 2)} [{fmt(f.effect.low, 2)}, {fmt(f.effect.high, 2)}]",
                "raw": fmt(f.raw.estimate, 2), "adjusted p": f"{f.p_adjusted:.3g}" if math.isfinite(f.p_adjusted) else "n/a",
                "lag": f.best_lag if f.best_lag is not None else "",
            } for f in r.findings])
            unit = r.findings[0].effect.unit
            lines.append(f"  effect per one more activity, in {unit}:")
            lines.extend("    " + line for line in table.to_string(index=False).splitlines())
            lines.append("")
            lines.extend(f"  - {f.sentence}" for f in r.findings)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
