"""Fair comparison of teams and reps: actual outcome against what their accounts and activity predict.

No leaderboard of activity counts: each group is judged against the expectation for its own
accounts (size, segment, region) and activity mix, with an interval; small groups are shrunk
toward the average (empirical Bayes) so one lucky quarter does not top the table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.errors import ModelError
from scipy import stats

from pipelines.stats.models import Z95, holm_adjusted, unit_for

DIFFERENCES = ("difference", "low", "high", "shrunk", "shrunk_low", "shrunk_high")
SMALL_GROUP_ACCOUNTS = 10  # fewer accounts than this: flagged as small (and shrunk the most)
GROUP_BY = ("team", "owner", "region", "segment")  # the account attributes groups are compared by, if loaded
GROUP_ALPHA = 0.05  # family-wise error for calling a group above or below expectation (Holm, over the groups)


def group_attributes(values: dict[str, list[str]]) -> list[str]:
    """The GROUP_BY attributes loaded (values: summary.attribute_values)."""
    return [a for a in GROUP_BY if a in values]


def comparable(result, groups: list[str]) -> list[str]:
    """The groups a result can compare: an attribute its expectation holds fixed (a control) would leave every
    group at zero by construction."""
    controlled = set(result.frame.controls.names) if result.frame is not None else set()
    return [g for g in groups if g not in controlled]


def compare_groups(result, panel: pd.DataFrame, attribute: str) -> pd.DataFrame:
    """Per value of an account attribute (team, owner): actual vs expected, raw and shrunk, with 95% intervals."""
    frame, models = result.frame, result.models
    if frame is None or not models:
        raise ModelError(f"no model for {result.outcome} to compare groups with")
    if attribute not in panel.columns:
        raise ModelError(f"no account attribute '{attribute}' to group by")
    model = models["controls"]  # attributes + activities (+ time): an expectation per row, not per account
    data = frame.data
    expected = model.mean_response()
    actual = model.y
    groups = (panel.drop_duplicates("account_id").set_index("account_id")[attribute]
              .reindex(data["account_id"]).fillna("(none)").astype(str).to_numpy())
    rows = pd.DataFrame({"group": groups, "account_id": data["account_id"].to_numpy(), "actual": actual,
                         "expected": expected, "residual": actual - expected})
    out = []
    for group, g in rows.groupby("group", sort=True):
        per_account = g.groupby("account_id")["residual"].agg(["sum", "count"])
        n = int(per_account["count"].sum())
        mean = per_account["sum"].sum() / n
        k = len(per_account)
        dev = per_account["sum"] - per_account["count"] * mean
        se = float(np.sqrt((dev ** 2).sum() * (k / max(k - 1, 1))) / n) if k > 1 else float("nan")
        out.append({"group": group, "accounts": k, "rows": n, "actual": float(g["actual"].mean()),
                    "expected": float(g["expected"].mean()), "difference": float(mean), "se": se})
    table = pd.DataFrame(out)
    ok = table["se"].notna()
    tau2 = max(0.0, float(table.loc[ok, "difference"].var(ddof=1) - (table.loc[ok, "se"] ** 2).mean())) \
        if ok.sum() > 1 else 0.0
    shrink = np.where(ok, tau2 / (tau2 + table["se"].fillna(np.inf) ** 2), 0.0)
    table["shrunk"] = shrink * table["difference"]
    half = Z95 * np.sqrt(shrink) * table["se"].fillna(0)
    table["shrunk_low"], table["shrunk_high"] = table["shrunk"] - half, table["shrunk"] + half
    table["low"] = table["difference"] - Z95 * table["se"]
    table["high"] = table["difference"] + Z95 * table["se"]
    table["small_group"] = table["accounts"] < SMALL_GROUP_ACCOUNTS
    z = table["difference"] / table["se"]
    table["adjusted_p"] = holm_adjusted((2 * stats.norm.sf(np.abs(z))).tolist())  # over the groups compared
    return _in_units(table, result.kind)


def _in_units(table: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Differences in business units: points of rate, % of amount, events per 100 accounts per period."""
    out = table.copy()
    if kind == "binary":
        for c in ("actual", "expected"):
            out[c] = 100 * out[c]
        for c in DIFFERENCES:
            out[c] = 100 * out[c]
        out["unit"] = unit_for(kind)
    elif kind == "amount":
        for c in DIFFERENCES:
            out[c] = 100 * (np.exp(out[c]) - 1)
        out["actual"], out["expected"] = np.exp(out["actual"]), np.exp(out["expected"])
        out["unit"] = "% of amount"
    else:
        for c in DIFFERENCES:
            out[c] = 100 * out[c]
        out["unit"] = unit_for(kind)
    # above/below only when the difference survives Holm's correction over all the groups compared
    # and the shrunk interval excludes zero: with two dozen reps and no rep effect, the unshrunk intervals
    # alone flagged someone in about half of the analyses
    clear = out["adjusted_p"] < GROUP_ALPHA
    out["verdict"] = np.where(clear & (out["shrunk_low"] > 0), "above expectation",
                              np.where(clear & (out["shrunk_high"] < 0), "below expectation", "as expected"))
    return out.drop(columns=["se"]).sort_values("shrunk", ascending=False).reset_index(drop=True)
