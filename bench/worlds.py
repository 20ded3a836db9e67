"""Simulated CRM worlds with known truth, written as the exports a customer would load.

Each world is 24 months (or `WorldType.months`) of accounts, activity events, monthly revenue, referrals and renewals,
with the traps real customers bring (see WORLD_TYPES): accounts that churn at random times and
start mid-span, activity aimed at accounts that would do well anyway (a hidden engagement trait),
overdispersed and autocorrelated counts, a season (a Q4 push of every activity, while most renewals
fall in January), new accounts' onboarding (a burst of activity while their spend ramps up), an
activity whose effect lasts, and few accounts. The
*_churn_flag worlds export retention as most account lists do, one 'Churned' yes/no column per account with
no date, instead of dated renewals; null_short_onboarding_flag is such a world over 12 months, so no account seen
from its start reaches a year (its level against the old accounts' rests on few months). The
crm_* worlds write the same truth as a CRM would export it, at 1,500 to 15,000 accounts: an activity
report with title and total lines, US dates and call durations in seconds, 18-character account ids,
revenue by invoice month in dollars, referrals as records with a creation timestamp, and one more
no-effect activity, inbound support calls.

Truth per world: `Truth.effects[outcome][activity]` is the planted effect (0 for no effect), in
the units `payoff drivers` reports (% change of revenue per activity, percentage points of renewal,
referrals per 100 accounts per month), for one more activity in a month (per period at lag 1).
Revenue, referrals and renewals exist only while an account is a customer; activity too.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

N_MONTHS = 24
START = date(2024, 1, 1)
NULL_ACTIVITIES = ("Call", "Email", "Meeting", "Webinar")  # never affect anything
EFFECT_ACTIVITY = "Business Review"  # affects every outcome in worlds with an effect
SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
CRM_NULL_ACTIVITY = "Inbound Support Call"  # crm_* worlds only: never affects anything
BASE_RATE = {"Call": 1.2, "Email": 2.5, "Meeting": 0.5, "Webinar": 0.3, "Business Review": 0.25,
             CRM_NULL_ACTIVITY: 0.4}
# the planted effect of one business review in a month, on the log scale of each outcome
REVENUE_EFFECT = 0.04  # +4% revenue the month after (and for good, in the lasting world)
REFERRAL_EFFECT = 0.35  # log rate of referrals the month after
WINDOW_MONTHS = 3  # the months after an activity that payoff's per-period effects add up
RENEWAL_EFFECT = 0.35  # log odds of renewal per review in the 6 months before


@dataclass(frozen=True)
class WorldType:
    """What makes a world hostile."""

    name: str
    n_accounts: int = 500
    churn: float = 0.0  # monthly hazard of leaving
    late_starts: float = 0.0  # share of accounts that become customers after month 1
    targeting: float = 0.0  # how strongly activity follows a hidden engagement trait that also raises outcomes
    overdispersion: float = 0.0  # gamma-Poisson shape^-1 of activity counts, with month-to-month persistence
    effect: bool = False  # the business review has an effect
    lasting: bool = False  # the revenue effect of a review lasts (a stock that does not decay)
    crm: bool = False  # written as CRM exports (see the module docstring), with inbound support calls
    season: float = 0.0  # a Q4 push: every activity this much more frequent in October to December
    onboarding: float = 0.0  # a late starter's first three months: every activity this much more frequent ...
    ramp: float = 0.0  # ... while its log revenue starts this far below its level, reached after six months
    churn_flag: bool = False  # retention as a 'Churned' yes/no column of accounts.csv (no date), not renewals.csv
    months: int = N_MONTHS  # how long the export runs


WORLD_TYPES = {
    "null_churn_late_starts": WorldType("null_churn_late_starts", churn=0.03, late_starts=0.3),
    "null_hidden_targeting": WorldType("null_hidden_targeting", churn=0.03, late_starts=0.3, targeting=0.8),
    "null_overdispersed": WorldType("null_overdispersed", churn=0.03, late_starts=0.3, overdispersion=1.5),
    "null_q4_push": WorldType("null_q4_push", churn=0.03, late_starts=0.3, season=0.4),
    "null_onboarding_ramp": WorldType("null_onboarding_ramp", churn=0.03, late_starts=0.3, onboarding=2.0, ramp=0.5),
    "effect_churn": WorldType("effect_churn", churn=0.03, late_starts=0.3, effect=True),
    "effect_lasting": WorldType("effect_lasting", churn=0.03, late_starts=0.3, effect=True, lasting=True),
    "null_churn_flag": WorldType("null_churn_flag", churn=0.03, late_starts=0.3, churn_flag=True),
    "effect_churn_flag": WorldType("effect_churn_flag", n_accounts=2000, churn=0.03, late_starts=0.3, effect=True,
                                   churn_flag=True),
    "null_short_onboarding_flag": WorldType("null_short_onboarding_flag", churn=0.03, late_starts=0.3, onboarding=2.0,
                                            ramp=0.5, churn_flag=True, months=12),
    "null_few_accounts_15": WorldType("null_few_accounts_15", n_accounts=15, churn=0.03, late_starts=0.3),
    "null_few_accounts_40": WorldType("null_few_accounts_40", n_accounts=40, churn=0.03, late_starts=0.3),
    "null_few_accounts_100": WorldType("null_few_accounts_100", n_accounts=100, churn=0.03, late_starts=0.3),
    **{f"crm_{n}": WorldType(f"crm_{n}", n_accounts=n, churn=0.03, late_starts=0.3, effect=True, crm=True)
       for n in (1500, 5000, 15000)},
}


@dataclass
class Truth:
    world: str
    seed: int
    activities: list[str]
    effects: dict[str, dict[str, float]] = field(default_factory=dict)  # outcome -> activity -> effect (0: none)
    n_accounts: int = 0
    n_churned: int = 0
    n_late: int = 0


def month_start(m: int) -> date:
    return date(START.year + (START.month - 1 + m) // 12, (START.month - 1 + m) % 12 + 1, 1)


def simulate(world: WorldType, seed: int, out: Path) -> Truth:
    """Write accounts.csv, activities.csv, revenue.csv, referrals.csv, renewals.csv and truth.json into out."""
    rng = np.random.default_rng(seed)
    months = world.months
    out.mkdir(parents=True, exist_ok=True)
    n = world.n_accounts
    activities = list(NULL_ACTIVITIES) + [EFFECT_ACTIVITY] + ([CRM_NULL_ACTIVITY] if world.crm else [])
    segment = rng.choice(len(SEGMENTS), size=n, p=(0.55, 0.3, 0.15))
    size = np.exp(rng.normal(4.0 + segment, 0.6))  # employees
    engagement = rng.normal(0, 1, n)  # hidden: never exported
    start = np.where(rng.random(n) < world.late_starts, rng.integers(1, months - 3, n), 0)
    end = np.full(n, months)  # exclusive: the first month the account is no longer a customer
    rates = {a: BASE_RATE[a] * (size / 100) ** 0.3 * np.exp(world.targeting * 0.6 * engagement) for a in activities}
    levels = {a: np.ones(n) for a in activities}
    counts = {a: np.zeros((n, months), dtype=int) for a in activities}
    for m in range(months):  # month by month: who is a customer, what they get, who leaves after
        active_m = (start <= m) & (end > m)
        for a in activities:
            if world.overdispersion:
                shock = rng.gamma(1 / world.overdispersion, world.overdispersion, n)
                levels[a] = 0.6 * levels[a] + 0.4 * shock  # persistent: this month's level carries on
            push = 1 + world.season * (month_start(m).month >= 10)
            onboarding = 1 + world.onboarding * ((start > 0) & (m >= start) & (m < start + 3))
            counts[a][:, m] = rng.poisson(rates[a] * levels[a] * push * onboarding) * active_m
        recent = counts[EFFECT_ACTIVITY][:, max(0, m - 5):m + 1].sum(axis=1) if world.effect else 0
        hazard = world.churn * np.exp(-0.4 * world.targeting * engagement - RENEWAL_EFFECT * recent)
        leaving = active_m & (m > start) & (rng.random(n) < hazard) & (m + 1 < months)
        end[leaving] = m + 1
    active = np.array([[start[i] <= m < end[i] for m in range(months)] for i in range(n)])
    review = counts[EFFECT_ACTIVITY] if world.effect else np.zeros((n, months), dtype=int)
    lagged = np.zeros((n, months))
    lagged[:, 1:] = review[:, :-1]
    stock = np.cumsum(lagged, axis=1) if world.lasting else lagged

    # revenue while a customer: size, segment, hidden engagement, noise, the planted effect
    base = np.log(size)[:, None] * 1.0 + 5 + 0.3 * world.targeting * engagement[:, None]
    account_noise = rng.normal(0, 0.3, (n, 1))
    log_rev = base + account_noise + rng.normal(0, 0.15, (n, months)) + REVENUE_EFFECT * stock
    tenure = np.arange(months)[None, :] - start[:, None]
    log_rev += world.ramp * np.where(start[:, None] > 0, np.clip(tenure, 0, 6) / 6 - 1, 0)
    revenue = np.where(active, np.exp(log_rev), 0.0)
    # referrals while a customer
    log_ref = -3.2 + 0.2 * segment[:, None] + 0.5 * world.targeting * engagement[:, None] + REFERRAL_EFFECT * lagged
    referrals = rng.poisson(np.exp(log_ref)) * active

    truth = Truth(world.name, seed, activities, n_accounts=n, n_churned=int((end < months).sum()),
                  n_late=int((start > 0).sum()))
    review_effect = world.effect
    # the effect payoff states: one more review's cumulative effect over the three months after it (its lags'
    # window), which is the one month after for a passing effect, and all three for a lasting one
    window = WINDOW_MONTHS if world.lasting else 1
    truth.effects = {
        "revenue": {a: (100 * (np.exp(REVENUE_EFFECT * window) - 1) if a == EFFECT_ACTIVITY and review_effect else 0.0)
                    for a in activities},
        "referrals": {a: (1.0 if a == EFFECT_ACTIVITY and review_effect else 0.0) for a in activities},
    }  # referrals and renewals (churns): the sign and existence of the effect (+1 or -1) are the truth checked
    retention = {a: (1.0 if a == EFFECT_ACTIVITY and review_effect else 0.0) for a in activities}
    if world.churn_flag:
        truth.effects["churned"] = {a: -v for a, v in retention.items()}
    else:
        truth.effects["renewed"] = retention

    if world.crm:
        _write_crm(out, rng, seed, activities, counts, active, segment, size, revenue, referrals, start, end)
    else:
        _write_plain(out, rng, seed, activities, counts, active, segment, size, revenue, referrals, start, end)
    if world.churn_flag:  # the account list says who left, the renewal events are not exported
        with (out / "accounts.csv").open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        _write(out / "accounts.csv", rows[0] + ["Churned"],
               [row + ["Yes" if end[i] < months else "No"] for i, row in enumerate(rows[1:])])
        (out / "renewals.csv").unlink()
    (out / "truth.json").write_text(json.dumps(asdict(truth), indent=1), encoding="utf-8")
    return truth


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def _renewal_rows(ids, start, end, day_format, months: int) -> list[list[str]]:
    """Every 12 months of a customer's life a renewal, and at the churn a 'no'."""
    rows = []
    for i in range(len(ids)):
        for m in range(start[i] + 12, months, 12):
            if m < end[i]:
                rows.append([ids[i], day_format(month_start(m).replace(day=10)), "Renewed"])
        if end[i] < months:
            rows.append([ids[i], day_format(month_start(end[i] - 1).replace(day=20)), "Churned"])
    return rows


def _activity_rows(rng, activities, counts, ids):
    """(type, day, account index, k) for every activity logged, in the order they are drawn."""
    for a in activities:
        grid = counts[a]
        for i, m in zip(*np.nonzero(grid)):
            for _ in range(grid[i, m]):
                yield a, month_start(m).replace(day=int(rng.integers(1, 28))), i


def _referral_days(rng, referrals):
    """(account index, day) for every referral, in the order they are drawn."""
    for i, m in zip(*np.nonzero(referrals)):
        for _ in range(referrals[i, m]):
            yield i, month_start(m).replace(day=int(rng.integers(1, 29)))


def _write_plain(out, rng, seed, activities, counts, active, segment, size, revenue, referrals, start, end) -> None:
    n = len(segment)
    ids = [f"W{seed}-{i:05d}" for i in range(n)]
    _write(out / "accounts.csv", ["Account ID", "Segment", "Employees"],
           [[ids[i], SEGMENTS[segment[i]], str(int(size[i]))] for i in range(n)])
    rows = [[f"T{k}", a, day.isoformat(), ids[i]]
            for k, (a, day, i) in enumerate(_activity_rows(rng, activities, counts, ids), 1)]
    _write(out / "activities.csv", ["Activity ID", "Activity Type", "Date", "Account ID"], rows)
    _write(out / "revenue.csv", ["Account ID", "Month", "Revenue"],
           [[ids[i], month_start(m).strftime("%Y-%m"), f"{revenue[i, m]:.2f}"]
            for i in range(n) for m in range(active.shape[1]) if active[i, m]])
    _write(out / "referrals.csv", ["Referral ID", "Referring Account ID", "Referral Date"],
           [[f"R{r}", ids[i], day.isoformat()] for r, (i, day) in enumerate(_referral_days(rng, referrals), 1)])
    _write(out / "renewals.csv", ["Account ID", "Renewal Date", "Renewal Status"],
           _renewal_rows(ids, start, end, date.isoformat, active.shape[1]))


def _us(day: date) -> str:
    return f"{day.month}/{day.day}/{day.year}"


def _write_crm(out, rng, seed, activities, counts, active, segment, size, revenue, referrals, start, end) -> None:
    """The world as CRM exports: a Salesforce-style activity report (title lines above the table, totals and a
    confidentiality line below, US dates, durations in seconds), 18-character account ids, revenue by invoice
    month in dollars, referrals as records with a creation timestamp."""
    n = len(segment)
    ids = [f"001{seed:03d}{i:09d}AAC" for i in range(n)]
    since = [month_start(start[i]).replace(day=3).isoformat() if start[i] > 0 else "2021-06-01" for i in range(n)]
    _write(out / "accounts.csv", ["Account ID", "Account Name", "Type", "Employees", "Customer Since"],
           [[ids[i], f"Company {seed}-{i}", SEGMENTS[segment[i]], f"{int(size[i]):,}", since[i]] for i in range(n)])
    seconds = {"Call": 420, "Meeting": 1800, "Business Review": 3600, CRM_NULL_ACTIVITY: 600}
    rows = []
    for k, (a, day, i) in enumerate(_activity_rows(rng, activities, counts, ids), 1):
        duration = str(int(rng.integers(seconds[a] // 2, seconds[a] * 2))) if a in seconds else ""
        rows.append([f"00T{seed:03d}{k:09d}XYZ", f"{a} with Company {seed}-{i}", a, _us(day), ids[i],
                     f"Rep {i % 25}", duration])
    with (out / "activities.csv").open("w", encoding="utf-8", newline="") as fh:  # CRLF throughout, as exported
        fh.write(f'"Activities with Accounts"\r\n"Filtered By:"\r\n"  Date equals LAST {active.shape[1]} MONTHS"\r\n\r\n')
        writer = csv.writer(fh)
        writer.writerow(["Activity ID", "Subject", "Type", "Date", "Account ID", "Assigned", "Call Duration (seconds)"])
        writer.writerows(rows)
        fh.write(f'\r\n"Grand Totals ({len(rows):,} records)"\r\n\r\n"Confidential Information - Do Not Distribute"\r\n')
    _write(out / "revenue.csv", ["Account ID", "Invoice Month", "Amount"],
           [[ids[i], month_start(m).strftime("%b %Y"), f"${revenue[i, m]:,.2f}"]
            for i in range(n) for m in range(active.shape[1]) if active[i, m]])
    ref_rows = [[str(9_000_000 + r), ids[i], f"{day.isoformat()} {int(rng.integers(8, 18)):02d}:15", "Referral"]
                for r, (i, day) in enumerate(_referral_days(rng, referrals), 1)]  # the hour drawn after each day
    _write(out / "referrals.csv", ["Record ID", "Referring Account ID", "Create Date", "Lead Source"], ref_rows)
    _write(out / "renewals.csv", ["Account ID", "Renewal Date", "Renewal Status"],
           _renewal_rows(ids, start, end, _us, active.shape[1]))
