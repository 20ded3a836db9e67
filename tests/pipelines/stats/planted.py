"""A seeded simulator of account × month panels with planted effects whose truth is known.

Activities (monthly Poisson counts per account):
- driver:      moves revenue at lag 2 (+LOG_EFFECT log points), referrals at lag 1, renewal over the window;
- confounded:  high volume, scales with account size; no effect on anything;
- saturating:  raises revenue at lag 1 as beta * min(n, KNEE); most accounts log more than KNEE;
- noise1..3:   no effect;
- after:       logged mostly *after* a churned renewal (exit calls); no effect before it.
Outcomes: monthly revenue (log-linear with account effects), monthly referrals (Poisson),
one or two renewal events per account (logistic on the 6 months before).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LOG_EFFECT = 0.05  # revenue: log points per driver activity two months earlier
DRIVER_LAG = 2
REFERRAL_EFFECT = 0.25  # referrals: log-rate per driver activity one month earlier
RENEWAL_EFFECT = 0.15  # renewal: log-odds per driver activity in the six months before
SATURATING_EFFECT = 0.04  # revenue: log points per saturating activity, up to KNEE, one month earlier
KNEE = 3
WINDOW = 6
NOISE = ("noise1", "noise2", "noise3")


@dataclass
class World:
    panel: pd.DataFrame
    events: pd.DataFrame
    meta: pd.DataFrame
    renewal_ame_points: float  # true average marginal effect of one more driver activity, in points


def simulate(seed: int, n_accounts: int = 600, n_months: int = 24) -> World:
    """One world: panel (like the account_periods mart), renewal events, attribute metadata."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"A{i:05d}" for i in range(n_accounts)])
    log_size = rng.normal(5.0, 1.0, n_accounts)
    segment = np.where(log_size + rng.normal(0, 0.5, n_accounts) > 5.6, "Enterprise",
                       np.where(log_size + rng.normal(0, 0.5, n_accounts) > 4.6, "Mid", "SMB"))
    region = rng.choice(["North", "South", "East", "West"], n_accounts)
    months = pd.date_range("2024-01-01", periods=n_months, freq="MS")
    acct = np.repeat(np.arange(n_accounts), n_months)
    t = np.tile(np.arange(n_months), n_accounts)

    def counts(log_rate):
        return rng.poisson(np.exp(log_rate)).astype(float)

    propensity = rng.normal(0, 0.4, n_accounts)
    acts = {
        "driver": counts(propensity[acct] + rng.normal(0, 0.3, len(acct))),
        "confounded": counts(1.2 + 0.9 * (log_size[acct] - 5) + rng.normal(0, 0.2, len(acct))),
        "saturating": counts(np.log(4.5) + rng.normal(0, 0.5, n_accounts)[acct]),
    }
    for name in NOISE:
        acts[name] = counts(rng.normal(0.3, 0.4, n_accounts)[acct])
    frame = pd.DataFrame({"account_id": ids[acct], "t": t, **{f"n_{k}": v for k, v in acts.items()}})
    by = frame.groupby("account_id")
    lag = lambda col, k: by[col].shift(k).fillna(0).to_numpy()  # noqa: E731

    alpha = rng.normal(0, 0.3, n_accounts)
    seg_shift = pd.Series(segment).map({"SMB": 0.0, "Mid": 0.3, "Enterprise": 0.6}).to_numpy()
    log_rev = (6 + alpha[acct] + 1.0 * (log_size[acct] - 5) + seg_shift[acct] + 0.003 * t
               + LOG_EFFECT * lag("n_driver", DRIVER_LAG)
               + SATURATING_EFFECT * np.minimum(lag("n_saturating", 1), KNEE)
               + rng.normal(0, 0.1, len(acct)))
    log_ref = -3.2 + 0.2 * (log_size[acct] - 5) + REFERRAL_EFFECT * lag("n_driver", 1)
    frame["o_revenue"] = np.exp(log_rev)
    frame["o_referrals"] = rng.poisson(np.exp(log_ref)).astype(float)

    events, ames = [], []
    after = np.zeros(len(frame))
    window = by["n_driver"].transform(lambda s: s.shift(1).rolling(WINDOW, min_periods=WINDOW).sum()).to_numpy()
    first = rng.integers(WINDOW, 12, n_accounts)
    for i in range(n_accounts):
        for month in (first[i], first[i] + 12):
            if month >= n_months:
                continue
            row = i * n_months + month
            eta = 0.6 + 0.3 * seg_shift[i] / 0.3 + 0.3 * (log_size[i] - 5) + RENEWAL_EFFECT * window[row] - 0.9
            p = 1 / (1 + np.exp(-eta))
            renewed = rng.random() < p
            ames.append(RENEWAL_EFFECT * p * (1 - p) * 100)
            events.append((ids[i], months[month], months[month] + pd.Timedelta(days=int(rng.integers(0, 27))),
                           float(renewed)))
            if not renewed:
                for k in (1, 2):
                    if month + k < n_months:
                        after[row + k] += rng.poisson(3.0)
    frame["n_after"] = after + rng.poisson(0.3, len(frame))
    frame["period_on"] = months[t]
    frame["segment"] = segment[acct]
    frame["region"] = region[acct]
    frame["employees"] = np.round(np.exp(log_size[acct]))
    panel = frame.drop(columns="t")
    ev = pd.DataFrame(events, columns=["account_id", "period_on", "occurred_on", "is_yes"])
    meta = pd.DataFrame({
        "attribute_key": ["segment", "region", "employees"],
        "is_numeric": [False, False, True],
        "n_accounts": [n_accounts] * 3,
        "n_distinct": [3, 4, int(panel["employees"].nunique())],
        "source_kinds": [["accounts"]] * 3,
    })
    return World(panel, ev, meta, float(np.mean(ames)))
