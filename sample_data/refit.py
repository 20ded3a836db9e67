"""Refit the planted effects from the published sample files: the figures of README.md's
"What a correct analysis recovers" table.

    python sample_data/refit.py

Reads only the files in this folder (pandas and statsmodels), de-duplicates the activities on
`Activity ID`, and fits each outcome on the months each account was a customer (from the revenue
file's account-months), with activity counted before the outcome.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

HERE = Path(__file__).resolve().parent
TYPES = ("Call", "Email", "Meeting", "Business Review", "Training", "Support Ticket")


def read() -> dict[str, pd.DataFrame]:
    acts = pd.concat([pd.read_csv(HERE / name, encoding="utf-8-sig") for name in
                      ("activities_export_2024-01_to_2025-03.csv", "activities_export_2025-01_to_2025-12.csv")])
    acts = acts.drop_duplicates("Activity ID")
    acts["month"] = pd.to_datetime(acts["Date"], format="%m/%d/%Y").dt.to_period("M")
    counts = (acts.groupby(["Account ID", "month", "Activity Type"]).size().unstack(fill_value=0)
              .reindex(columns=list(TYPES), fill_value=0))
    revenue = pd.read_csv(HERE / "monthly_revenue.csv", encoding="cp1252")
    revenue["month"] = pd.to_datetime(revenue["Month"], format="%b %Y").dt.to_period("M")
    revenue["revenue"] = revenue["Recognized Revenue"].str.replace(r"[$,]", "", regex=True).astype(float)
    accounts = pd.read_csv(HERE / "crm_accounts.csv", encoding="utf-8-sig", thousands=",")
    service = pd.read_csv(HERE / "service_measures.tsv", sep="\t")
    service["month"] = pd.to_datetime(service["Month"]).dt.to_period("M")
    referrals = pd.read_csv(HERE / "referrals.csv.gz")
    referrals["month"] = pd.to_datetime(referrals["Referral Date"]).dt.to_period("M")
    renewals = pd.read_csv(HERE / "renewals.csv", sep=";")
    renewals["month"] = pd.to_datetime(renewals["Renewal Date"], format="%d/%m/%Y").dt.to_period("M")
    # every customer month (the revenue file has one row per active account-month), with its counts
    panel = revenue[["Account ID", "month", "revenue"]].merge(
        counts.reset_index(), on=["Account ID", "month"], how="left").fillna({t: 0 for t in TYPES})
    panel = panel.merge(service[["Account ID", "month", "Avg First Response (hrs)", "CSAT"]],
                        on=["Account ID", "month"], how="left")
    panel = panel.merge(referrals.groupby(["Referring Account ID", "month"]).size()
                        .rename("referrals").reset_index().rename(columns={"Referring Account ID": "Account ID"}),
                        on=["Account ID", "month"], how="left").fillna({"referrals": 0})
    panel = panel.merge(accounts[["Account ID", "Segment", "Employees"]], on="Account ID")
    panel = panel.sort_values(["Account ID", "month"]).reset_index(drop=True)
    return {"panel": panel, "counts": counts, "renewals": renewals, "accounts": accounts}


def lagged(panel: pd.DataFrame, column: str, k: int) -> pd.Series:
    """The column k months earlier for the same account (NaN when that month was not a customer month)."""
    earlier = panel[["Account ID", "month", column]].copy()
    earlier["month"] = earlier["month"] + k
    return panel[["Account ID", "month"]].merge(earlier, on=["Account ID", "month"], how="left")[column]


def revenue_fit(panel: pd.DataFrame) -> None:
    data = panel.copy()
    for k in range(4):
        data[f"Training_lag{k}"] = lagged(data, "Training", k)
    others = [t for t in TYPES if t != "Training"]
    data = data.dropna(subset=[f"Training_lag{k}" for k in range(4)])
    y = np.log(data["revenue"])
    X = pd.concat([data[[f"Training_lag{k}" for k in range(4)] + others],
                   pd.get_dummies(data["Account ID"], drop_first=True, dtype=float),
                   pd.get_dummies(data["month"].astype(str), drop_first=True, dtype=float)], axis=1)
    fit = sm.OLS(y, sm.add_constant(X)).fit()
    print("Revenue, ln revenue with account and month effects (n = %d)" % len(data))
    for k in range(4):
        print(f"  Training lag {k}: {fit.params[f'Training_lag{k}']:.4f} ({fit.bse[f'Training_lag{k}']:.4f})")
    print("  others lag 0, largest |b|: %.4f" % max(abs(fit.params[t]) for t in others))
    pooled = sm.OLS(np.log(panel["revenue"]), sm.add_constant(panel[["Call"]])).fit()
    print(f"  pooled, Calls only: {pooled.params['Call']:+.3f} ({pooled.bse['Call']:.3f})")


def referral_fit(panel: pd.DataFrame) -> None:
    data = panel.copy()
    for k in range(3):
        data[f"Meeting_lag{k}"] = lagged(data, "Meeting", k)
    data = data.dropna(subset=[f"Meeting_lag{k}" for k in range(3)])
    data["log_employees"] = np.log(data["Employees"]) - np.log(70)
    X = sm.add_constant(data[[f"Meeting_lag{k}" for k in range(3)] + ["log_employees"]])
    fit = sm.GLM(data["referrals"], X, family=sm.families.Poisson()).fit()
    print("Referrals, Poisson on customer months with lag 0-2 history (n = %d)" % len(data))
    for term in [f"Meeting_lag{k}" for k in range(3)] + ["log_employees"]:
        print(f"  {term}: {fit.params[term]:.3f} ({fit.bse[term]:.3f})")


def renewal_fit(panel: pd.DataFrame, renewals: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    rows = []
    by_account = {a: g.set_index("month") for a, g in panel.groupby("Account ID")}
    for r in renewals.itertuples():
        history = by_account[r.Account]
        window = history.loc[(history.index >= r.month - 6) & (history.index < r.month)]
        rows.append({"renewed": float(r._3 == "Renewed"), "Account": r.Account, "month": r.month,
                     **{t: window[t].sum() for t in TYPES}, "FRT6": window["Avg First Response (hrs)"].mean(),
                     "CSAT6": window["CSAT"].mean(), "n_months": len(window)})
    data = pd.DataFrame(rows).merge(accounts[["Account ID", "Segment", "Employees"]], left_on="Account",
                                    right_on="Account ID")
    data["log_employees"] = np.log(data["Employees"]) - np.log(70)
    data["log1p_BR6"] = np.log1p(data["Business Review"])
    seg = pd.get_dummies(data["Segment"], drop_first=True, dtype=float)
    others = ["Call", "Email", "Meeting", "Training", "Support Ticket"]
    X = sm.add_constant(pd.concat([seg, data[["log_employees", "log1p_BR6", "FRT6", "CSAT6"] + others]], axis=1))
    fit = sm.Logit(data["renewed"], X).fit(disp=False)
    print("Renewal, logistic on %d events (%d churned)" % (len(data), int((data["renewed"] == 0).sum())))
    for term in ["log1p_BR6", "FRT6", "CSAT6"]:
        print(f"  {term}: {fit.params[term]:.3f} ({fit.bse[term]:.3f})")
    print("  counts of the others, largest |b|: %.3f, smallest p: %.2f" % (
        max(abs(fit.params[t]) for t in others), min(fit.pvalues[t] for t in others)))
    for t in ("Call", "Email"):
        alone = sm.Logit(data["renewed"], sm.add_constant(data[[t]])).fit(disp=False)
        print(f"  {t} only: {alone.params[t]:+.3f} ({alone.bse[t]:.3f})")
    bins = data["Business Review"].clip(upper=6)
    rates = data.groupby(bins)["renewed"].agg(["mean", "size"])
    print("  renewal rate by BR6 0..6+: " + ", ".join(f"{m:.1%}" for m in rates["mean"])
          + " (n = " + ", ".join(str(n) for n in rates["size"]) + ")")
    return data


def reverse_cause(counts: pd.DataFrame, renewals: pd.DataFrame) -> None:
    calls = counts["Call"]
    after = []
    for r in renewals.itertuples():
        total = sum(calls.get((r.Account, r.month + k), 0) for k in (1, 2))
        after.append((r._3, total))
    frame = pd.DataFrame(after, columns=["status", "calls"])
    means = frame.groupby("status")["calls"].mean()
    print(f"Reverse cause: calls in months +1..+2 after the renewal, churned {means['Churned']:.1f} vs "
          f"renewed {means['Renewed']:.1f}")


def main() -> None:
    files = read()
    revenue_fit(files["panel"])
    referral_fit(files["panel"])
    renewal_fit(files["panel"], files["renewals"], files["accounts"])
    reverse_cause(files["counts"], files["renewals"])


if __name__ == "__main__":
    main()
