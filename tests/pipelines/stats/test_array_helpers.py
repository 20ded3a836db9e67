"""The array shortcuts give the same numbers, to the last bit, as the plain pandas / numpy computations they replace."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.stats.frames import Controls, per_period_decay, shift_at, shift_within, stock
from pipelines.stats.models import demean, design, group_sums, nonzero_columns, take_rows


def _grouped(seed=5, accounts=200, k=6):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 30, accounts)
    codes = np.repeat(np.arange(accounts), sizes)
    X = rng.normal(size=(len(codes), k)) * 10.0 ** rng.integers(-4, 5, (len(codes), k))
    return rng, codes, X


def test_group_sums_add_rows_in_order_like_bincount():
    _, codes, X = _grouped()
    plain = np.column_stack([np.bincount(codes, weights=X[:, j]) for j in range(X.shape[1])])
    np.testing.assert_array_equal(group_sums(X, codes), plain)


def _centred(X, codes):
    counts = np.bincount(codes).astype(float)
    return X - np.column_stack([(np.bincount(codes, weights=X[:, j]) / counts)[codes] for j in range(X.shape[1])])


def test_demean_of_a_design_matches_column_by_column_centring():
    _, codes, X = _grouped()
    np.testing.assert_array_equal(demean(X, codes), _centred(X, codes))
    shuffled = np.random.default_rng(1).permutation(len(codes))  # rows of an account apart: the column-wise path
    np.testing.assert_array_equal(demean(X[shuffled], codes[shuffled]), _centred(X[shuffled], codes[shuffled]))
    back = np.argsort(shuffled)  # both paths centre the same rows the same way, up to the order of the sums
    np.testing.assert_allclose(demean(X[shuffled], codes[shuffled])[back], demean(X, codes), rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize("k", [1, 2, 3, -1, -2, 0, 50])
def test_shift_within_is_a_grouped_shift(k):
    rng = np.random.default_rng(k + 10)
    ids = np.repeat(["a", "b", "c", "d"], [5, 1, 3, 4])
    values = rng.poisson(2, len(ids)).astype(float)
    values[[2, 7]] = np.nan
    plain = pd.Series(values).groupby(ids, sort=False).shift(k).to_numpy()
    codes = pd.factorize(ids)[0]
    np.testing.assert_array_equal(shift_within(values, codes, k), plain)
    rows = np.array([0, 4, 5, -1, 8, 12, 3])
    expected = np.where(rows >= 0, plain[rows], np.nan)
    np.testing.assert_array_equal(shift_at(values, codes, rows, k), expected)


def test_design_dummies_match_text_levels():
    periods = pd.to_datetime(["2024-03-01", "2024-01-01", "2024-02-01", "2024-01-01", "2024-03-01"])
    data = pd.DataFrame({"period_on": periods, "n_call": [1.0, 0, 2, 3, 1],
                         "region": ["x", "y", "x", "z", "y"], "size": [10.0, 20, 30, 40, 50]})
    X, names = design(data, ["n_call"], Controls(categorical=["region"], numeric=["size"], logged=["size"]),
                      time="period")
    assert names == ["const", "n_call", "ctl:size", "ctl:region=y", "ctl:region=z",
                     "time=2024-02-01", "time=2024-03-01"]
    text = data["period_on"].astype(str)
    plain = np.column_stack([np.ones(5), data["n_call"], np.log(data["size"]),
                             data["region"] == "y", data["region"] == "z", text == "2024-02-01", text == "2024-03-01"])
    np.testing.assert_array_equal(X, plain.astype(float))
    assert X.flags.c_contiguous


def test_take_rows_and_nonzero_columns():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(20_000, 5))
    X[:15_000, 3] = 0.0
    rows = np.sort(rng.choice(15_000, 9_000, replace=False))
    np.testing.assert_array_equal(take_rows(X, rows), X[rows])
    wide = np.full((len(rows), 4), np.nan)
    take_rows(X, rows, out=wide[:, :2], columns=np.array([4, 1]))
    np.testing.assert_array_equal(wide[:, :2], X[rows][:, [4, 1]])
    assert np.isnan(wide[:, 2:]).all()
    assert nonzero_columns(X, rows).tolist() == [True, True, True, False, True]
    assert nonzero_columns(X, np.arange(len(X))).all()


@pytest.mark.parametrize("decay", [0.5, 0.85, 1.0])
def test_stock_is_a_grouped_geometric_carry_over_of_the_periods_before(decay):
    rng = np.random.default_rng(4)
    codes = np.repeat(np.arange(40), rng.integers(1, 30, 40))
    values = rng.poisson(1.5, len(codes)).astype(float)
    values[rng.random(len(codes)) < 0.1] = np.nan  # unknown periods count 0
    expected = np.zeros(len(codes))
    for i in range(1, len(codes)):  # s_t = x_{t-1} + decay * s_{t-1}, starting afresh in each account
        if codes[i] == codes[i - 1]:
            expected[i] = np.nan_to_num(values[i - 1]) + decay * expected[i - 1]
    np.testing.assert_allclose(stock(values, codes, decay), expected, rtol=1e-12, atol=1e-12)


def test_a_monthly_decay_at_week_grain_fades_as_much_in_a_month():
    assert per_period_decay(0.5, "week") ** (52 / 12) == pytest.approx(0.5)
    assert per_period_decay(1.0, "week") == 1.0 and per_period_decay(0.0, "week") == 0.0
    assert per_period_decay(0.5, "quarter") == pytest.approx(0.125)
