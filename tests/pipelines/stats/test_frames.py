"""Per-period frames: each dropped row is counted once, under the first reason that applies."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.stats.frames import Controls, per_period_frame


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
