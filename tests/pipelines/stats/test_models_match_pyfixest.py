"""The within-account fits against pyfixest, a maintained fixed-effects library (tests only): the same
coefficients and clustered standard errors on a panel where busy accounts differ from quiet ones.

Counts: Payoff's Poisson conditional on each account's total against pyfixest's Poisson with account and
period effects. Amounts: Payoff's least squares on account-centred data against pyfixest's with both effects.
Both clustered by account. Payoff's small-sample factors are stated beside each comparison.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.stats.models import WITHIN_COUNT, demean, fit

pf = pytest.importorskip("pyfixest")
# pyfixest's own use of pandas APIs that newer pandas deprecates is not this project's to fix
# (and its notice that accounts without any event leave the Poisson fit, which is the point)
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning",
                                        "ignore:.*removed because of separation:UserWarning")

ACCOUNTS, PERIODS = 150, 12


def _panel(seed: int) -> pd.DataFrame:
    """Accounts with a stable level felt by activity and outcome alike (the busiest get the most calls), a
    season, and a true within-account effect of 0.15 per call on the log scale."""
    rng = np.random.default_rng(seed)
    account = np.repeat(np.arange(ACCOUNTS), PERIODS)
    period = np.tile(np.arange(PERIODS), ACCOUNTS)
    level = rng.normal(0, 0.8, ACCOUNTS)[account]
    season = np.sin(period / 2.0) * 0.3
    calls = rng.poisson(np.exp(0.5 + level)).astype(float)
    emails = rng.poisson(3, len(account)).astype(float)
    referrals = rng.poisson(np.exp(-1.2 + level + season + 0.15 * calls - 0.05 * emails)).astype(float)
    referrals[account < 6] = 0  # accounts that never refer: nothing within them informs the fit
    revenue = 2.0 + level + season + 0.03 * calls + 0.0 * emails + rng.normal(0, 0.2, len(account))
    return pd.DataFrame({"account": account, "period": period, "calls": calls, "emails": emails,
                         "referrals": referrals, "revenue": revenue})


def _period_dummies(frame: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    names = [f"period_{p}" for p in range(1, PERIODS)]
    return (frame["period"].to_numpy()[:, None] == np.arange(1, PERIODS)[None, :]).astype(float), names


@pytest.mark.parametrize("seed", [1, 2])
def test_within_account_poisson_matches_pyfixest_fepois(seed):
    frame = _panel(seed)
    dummies, names = _period_dummies(frame)
    X = np.column_stack([frame[["calls", "emails"]].to_numpy(), dummies])
    mine = fit(WITHIN_COUNT, frame["referrals"].to_numpy(), X, ["calls", "emails", *names], frame["account"].to_numpy())
    # pyfixest drops the accounts that never refer, as the conditional likelihood does; its cluster factor is then
    # G/(G-1) over the accounts left, Payoff's (no residual degrees of freedom in a conditional likelihood)
    ref = pf.fepois("referrals ~ calls + emails | account + period", data=frame, vcov={"CRV1": "account"},
                    ssc=pf.ssc(k_adj=False, G_adj=True), fixef_tol=1e-12, iwls_tol=1e-12, iwls_maxiter=100)
    informing = int((frame.groupby("account")["referrals"].sum() > 0).sum())
    assert mine.n_clusters == informing <= ACCOUNTS - 6
    for term in ("calls", "emails"):
        assert mine.coef(term) == pytest.approx(float(ref.coef()[term]), rel=1e-6, abs=1e-9)
        assert mine.se(term) == pytest.approx(float(ref.se()[term]), rel=1e-5)
    assert mine.coef("calls") == pytest.approx(0.15, abs=0.03)  # the truth, not the between-accounts slope


@pytest.mark.parametrize("seed", [1, 2])
def test_within_account_least_squares_matches_pyfixest_feols(seed):
    frame = _panel(seed)
    dummies, names = _period_dummies(frame)
    codes = frame["account"].to_numpy()
    X = demean(np.column_stack([frame[["calls", "emails"]].to_numpy(), dummies]), codes)
    y = demean(frame["revenue"].to_numpy(), codes)
    mine = fit("amount", y, X, ["calls", "emails", *names], codes, within=True)
    # its effects are projected out iteratively: converged tightly, as Payoff's centring is exact
    ref = pf.feols("revenue ~ calls + emails | account + period", data=frame, vcov={"CRV1": "account"},
                   fixef_tol=1e-12)
    # Payoff's factor G/(G-1)·(N-1)/(N-K) counts the slopes and the period effects in K (2 + 11) but not the account
    # effects, which the clusters nest; pyfixest (k_fixef="nested"), like Stata's xtreg, fe, also counts the
    # constant the effects absorb: one term more, 0.03% on a standard error here
    n, k = len(frame), 2 + PERIODS - 1
    one_term = np.sqrt((n - k - 1) / (n - k))
    for term in ("calls", "emails"):
        assert mine.coef(term) == pytest.approx(float(ref.coef()[term]), rel=1e-8, abs=1e-10)
        assert mine.se(term) == pytest.approx(float(ref.se()[term]) * one_term, rel=1e-6)
    assert mine.coef("calls") == pytest.approx(0.03, abs=0.01)
