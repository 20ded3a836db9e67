"""Per-period frames: each dropped row is counted once, under the first reason that applies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.stats.frames import Controls, per_period_frame, relative_to_season, undated_frame


def test_each_dropped_row_counts_under_its_first_reason_only():
    periods = pd.date_range("2024-01-01", periods=6, freq="MS")
    panel = pd.DataFrame({
        "account_id": np.repeat(["a", "b"], 6),
        "period_on": np.tile(periods, 2),
        "n_call": [1.0, 0, 2, 1, 3, 0, 2, 1, 0, 1, 2, 1],
        "o_revenue": [5.0, 0, 7, 0, 6, 8, np.nan, 4, 3, 5, 0, 9],  # zeros in and after the first three periods
        "region": ["x"] * 6 + ["y"] * 4 + [None] * 2,
    })
    frame = per_period_frame(panel, "revenue", "amount", Controls(categorical=["region"]), "month")
    assert frame.n_candidates == 11  # b's first period has no outcome
    assert frame.dropped == {"no activity history for lags 1-3": 5,  # a's first three, b's second and third
                             "zero or negative amount (no spend that period)": 2,  # a's fourth, b's fifth
                             "an account attribute used as a control is missing": 1}  # b's sixth (its fifth is 0)
    assert frame.n_used == 3 and list(frame.data.index) == [0, 1, 2]
    assert frame.data["o_revenue"].tolist() == [6.0, 8.0, 5.0]
    assert frame.data["n_call__lag1"].tolist() == [1.0, 3.0, 0.0]


def _panel_with_a_late_type(first_logged: int) -> pd.DataFrame:
    """12 months of 4 accounts: calls logged all along, webinars only from month `first_logged` (null before)."""
    periods = pd.date_range("2024-01-01", periods=12, freq="MS")
    rng = np.random.default_rng(0)
    n = 4 * 12
    webinars = rng.integers(0, 3, n).astype(float)
    webinars[np.tile(np.arange(12), 4) < first_logged] = np.nan
    return pd.DataFrame({"account_id": np.repeat(["a", "b", "c", "d"], 12), "period_on": np.tile(periods, 4),
                         "n_call": rng.integers(0, 4, n).astype(float), "n_webinar": webinars,
                         "o_revenue": rng.uniform(10, 20, n)})


def test_a_type_first_logged_late_is_left_out_not_read_as_zero_before():
    frame = per_period_frame(_panel_with_a_late_type(first_logged=8), "revenue", "amount", Controls(), "month")
    # webinars are logged from September: lags 1-3 are all known in December only, 1 of the 9 months with history
    assert frame.activities == ["call"] and list(frame.predictors) == ["call"]
    assert frame.unjudged == {"webinar": "its data cover only 11% of the rows analysed (logged Sep 2024 to Dec 2024): "
                                         "too little to judge it; periods without its data are unknown, not zero"}
    assert frame.dropped == {"no activity history for lags 1-3": 12}  # every account's first three months only
    assert frame.n_used == 36 and not any(c.startswith("n_webinar__") for c in frame.data.columns)


def test_a_type_known_for_most_rows_is_judged_on_the_rows_where_it_is_known():
    frame = per_period_frame(_panel_with_a_late_type(first_logged=1), "revenue", "amount", Controls(), "month")
    assert frame.activities == ["call", "webinar"] and frame.unjudged == {}
    # month 1 (index 0) lacks webinars: the rows whose lags reach it go too (months 2-4)
    assert frame.dropped == {"no activity history for lags 1-3": 16}
    assert frame.n_used == 32 and frame.data["n_webinar__lag3"].notna().all()


def test_events_see_activity_relative_to_its_season():
    data = pd.DataFrame({
        "account_id": ["a", "a", "b", "b", "c", "c"],
        "period_on": pd.to_datetime(["2024-09-01", "2024-10-01"] * 3),
        "n_call": [1.0, 4.0, 3.0, 6.0, np.nan, 5.0],  # c was not a customer in September
    })
    out = relative_to_season(data, ["n_call"], "month")
    # September's customers averaged 2, October's 5, all rows 3.8: each row times 3.8 / its period's mean
    assert out["n_call"].tolist()[:4] == pytest.approx([1.9, 4 * 3.8 / 5, 5.7, 6 * 3.8 / 5])
    assert np.isnan(out["n_call"].iloc[4]) and out["n_call"].iloc[5] == pytest.approx(3.8)
    none = pd.DataFrame({"account_id": ["a", "b"], "period_on": pd.to_datetime(["2024-09-01"] * 2),
                         "n_call": [0.0, 0.0]})
    assert relative_to_season(none, ["n_call"], "month")["n_call"].tolist() == [0.0, 0.0]  # none stays none
    assert data["n_call"].tolist()[:2] == [1.0, 4.0]  # the caller's frame is left as it was


def test_season_and_age_scaling_keeps_each_accounts_own_level():
    """Busy accounts that are also the new ones: the period and age multipliers are fitted beside each
    account's level, so the scaling moves months, not accounts (plain group averages took the new accounts'
    busyness for an age effect and scaled every new account down)."""
    periods = pd.date_range("2023-01-01", periods=30, freq="MS")
    season = 1 + 0.4 * np.sin(np.arange(30))
    onboarding = {0: 3.0, 1: 1.5}
    rows = []
    for i in range(20):
        level, start = (4.0, 5) if i % 2 else (1.0, 0)  # the busy half starts inside the data
        for t, period in enumerate(periods):
            phase = "before" if t < start else "customer"
            calls = level * season[t] * onboarding.get(t - start, 1.0) if phase == "customer" else np.nan
            rows.append((f"acct{i:02d}", period, calls, phase))
    data = pd.DataFrame(rows, columns=["account_id", "period_on", "n_call", "customer_phase"])
    out = relative_to_season(data, ["n_call"], "month")
    per_account = out.groupby("account_id")["n_call"]
    assert (per_account.max() - per_account.min()).max() < 1e-3  # season and onboarding taken out entirely
    levels = per_account.mean()
    assert levels["acct01"] / levels["acct00"] == pytest.approx(4.0, rel=1e-3)  # as busy relative to each other
    assert out["n_call"].sum() == pytest.approx(data["n_call"].sum())  # at the overall level


def test_a_short_export_keeps_the_new_accounts_level_against_the_old_ones():
    """Twelve months: no account seen from its start reaches TENURE_MONTHS, so the new accounts' level and their
    months' multipliers could trade off. The oldest month seen is taken as settled, and the fit is solved to its
    maximum: onboarding and season come out, the new accounts stay twice as busy as the old (they came out 15%
    busier than that, and onboarding half removed, before)."""
    periods = pd.date_range("2024-01-01", periods=12, freq="MS")
    season = 1 + 0.3 * np.cos(np.arange(12))
    onboarding = {0: 3.0, 1: 3.0, 2: 3.0}
    rows = []
    for i in range(40):
        level, start = (2.0, 2 + i % 4) if i % 2 else (1.0, 0)  # the new accounts start in months 3 to 6
        for t, period in enumerate(periods):
            phase = "before" if t < start else "customer"
            calls = level * season[t] * onboarding.get(t - start, 1.0) if phase == "customer" and start else (
                level * season[t] if phase == "customer" else np.nan)
            rows.append((f"acct{i:02d}", period, calls, phase))
    data = pd.DataFrame(rows, columns=["account_id", "period_on", "n_call", "customer_phase"])
    out = relative_to_season(data, ["n_call"], "month")
    per_account = out.groupby("account_id")["n_call"]
    assert (per_account.max() - per_account.min()).max() < 1e-6 * per_account.max().max()
    levels = per_account.mean()
    assert levels["acct01"] / levels["acct00"] == pytest.approx(2.0, rel=1e-6)


def test_an_undated_outcome_is_compared_with_activity_per_customer_period():
    """'Churned: yes' once per account beside dated calls: each account's calls per month while a customer,
    an average (not a total, which would be smaller for whoever left early) over its customer months only."""
    dated = pd.DataFrame({
        "account_id": ["a", "b", "c", "a", "b", "c"],
        "period_on": pd.to_datetime(["2024-01-01"] * 3 + ["2024-02-01"] * 3),
        "customer_phase": ["customer"] * 3 + ["after", "customer", "customer"],  # a left after January
        "n_call": [3.0, 1, 3, 0, 3, 1],  # b and c, seen both months, log 4 in each: no season to scale away
        "n_email": [np.nan, np.nan, np.nan, 0, 2, 1],  # logged from February only
        "o_churned": np.nan,
    })
    undated = pd.DataFrame({"account_id": ["a", "b", "c"], "period_on": pd.NaT, "customer_phase": None,
                            "n_call": np.nan, "n_email": np.nan, "o_churned": [1.0, 0, 0]})
    frame = undated_frame(pd.concat([dated, undated], ignore_index=True), "churned", "binary", Controls(), "month")
    assert frame.design == "undated" and frame.grain == "month"
    assert frame.data[["account_id", "n_call", "y"]].values.tolist() == [["a", 3.0, 1.0], ["b", 2.0, 0.0],
                                                                          ["c", 2.0, 0.0]]
    assert frame.activities == ["call"]  # e-mails are known for 2 of the 3 accounts: not judged, and said why
    assert frame.unjudged["email"].startswith("its data cover only 67% of the rows analysed (logged in Feb 2024 only)")
    wide = undated.assign(n_call=[4.0, 2, 3])  # a spreadsheet row with its own calls keeps them
    assert undated_frame(wide, "churned", "binary", Controls(), "month").data["n_call"].tolist() == [4.0, 2, 3]
