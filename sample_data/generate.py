"""Generate the Payoff sample CRM / billing exports with known, planted effects.

Usage:
    python sample_data/generate.py [--out DIR]

Writes, into DIR (default: the folder of this script):
    crm_accounts.csv
    activities_export_2024-01_to_2025-03.csv
    activities_export_2025-01_to_2025-12.csv
    renewals.csv
    monthly_revenue.csv
    referrals.csv.gz
    service_measures.tsv
    truth.json

Everything is driven by one fixed seed (SEED) so two runs produce byte-identical
files (for the same numpy version). Only the standard library and numpy are used.
See README.md in this folder for the data-generating process and the planted effects.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import gzip
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# --------------------------------------------------------------------------------------
# World size and calendar
# --------------------------------------------------------------------------------------
SEED = 20241
N_ACCOUNTS = 600
START_YEAR = 2024
N_MONTHS = 24  # 2024-01 .. 2025-12
N_REPS = 24
TEAMS = ("Team Atlas", "Team Borealis", "Team Cirrus", "Team Delta")

SEGMENT_COUNTS = {"SMB": 330, "Mid-Market": 180, "Enterprise": 90}  # 55% / 30% / 15%
REGIONS = ("North America", "EMEA", "APAC", "LATAM")
REGION_PROBS = (0.40, 0.30, 0.20, 0.10)

# Employees: lognormal per segment (median, log-sd, clip range, rounding step)
EMPLOYEES_BY_SEGMENT = {
    "SMB": (70.0, 0.50, 20, 200, 1),
    "Mid-Market": (600.0, 0.50, 200, 2000, 10),
    "Enterprise": (7000.0, 0.75, 2000, 50000, 100),
}
REF_EMPLOYEES = 70.0  # reference size used to centre log(employees) in every model

# --------------------------------------------------------------------------------------
# Activity volume model: monthly Poisson rate =
#   BASE * exp(SIZE_COEF * (log(emp) - log(REF_EMPLOYEES)) + SEGMENT_SHIFT + account RE)
#   * month multiplier
# --------------------------------------------------------------------------------------
ACTIVITY_TYPES = ("Call", "Email", "Meeting", "Business Review", "Training", "Support Ticket")


@dataclass(frozen=True)
class VolumeSpec:
    """Parameters of the monthly Poisson volume of one activity type."""

    base: float  # events per month for a reference SMB account (70 employees)
    size_coef: float  # per unit of log(employees)
    seg_shift: dict = field(default_factory=dict)  # additive on the log scale
    account_sd: float = 0.0  # sd of the account random effect (log scale)
    month_sd: float = 0.0  # sd of the common month effect (log scale)


VOLUME = {
    "Call": VolumeSpec(0.55, 0.20, {"SMB": 0.0, "Mid-Market": 0.20, "Enterprise": 0.40}, 0.30, 0.05),
    "Email": VolumeSpec(0.58, 0.20, {"SMB": 0.0, "Mid-Market": 0.20, "Enterprise": 0.40}, 0.30, 0.05),
    "Meeting": VolumeSpec(0.32, 0.12, {"SMB": 0.0, "Mid-Market": 0.10, "Enterprise": 0.20}, 0.45, 0.10),
    "Business Review": VolumeSpec(0.10, 0.15, {"SMB": 0.0, "Mid-Market": 0.15, "Enterprise": 0.40}, 0.90, 0.00),
    "Training": VolumeSpec(0.24, 0.05, {"SMB": 0.0, "Mid-Market": 0.05, "Enterprise": 0.10}, 0.55, 0.40),
    "Support Ticket": VolumeSpec(0.36, 0.08, {"SMB": 0.0, "Mid-Market": 0.05, "Enterprise": 0.10}, 0.35, 0.10),
}

OTHER_REP_SHARE = 0.06  # share of events assigned to a rep other than the account owner
OTHER_REP_SAME_TEAM = 0.67  # of those, share that go to a rep of the owner's team

# --------------------------------------------------------------------------------------
# Service measures (per account-month)
# --------------------------------------------------------------------------------------
FRT_MEDIAN_HRS = 8.0  # median Avg First Response across accounts
FRT_ACCOUNT_SD = 0.45  # log-sd between accounts
FRT_MONTH_SD = 0.30  # log-sd month-to-month within an account
FRT_MIN, FRT_MAX = 1.0, 48.0
CSAT_MEAN, CSAT_ACCOUNT_SD, CSAT_MONTH_SD = 4.1, 0.30, 0.40

# --------------------------------------------------------------------------------------
# Outcome 1: renewal (logistic), evaluated at each contract anniversary
# --------------------------------------------------------------------------------------
RENEWAL_FIRST_ELIGIBLE_MONTH = 6  # index of 2024-07: 2024 anniversaries in Jan-Jun are skipped
# Late starts: accounts won during the span, customers (and active, billed, referring) from their start month;
# their contract anniversary is that month, first up for renewal 12 months later
LATE_START_SHARE = 0.2
LATE_START_MONTHS = (1, 18)  # start month index drawn from [1, 18): 2024-02 to 2025-06
RENEWAL_WINDOW_MONTHS = 6  # the 6 calendar months before the renewal month
RENEWAL_REF_PROB = 0.72  # renewal prob. of the reference account (SMB, 70 emp, 0 reviews, FRT 8h)
RENEWAL_SEGMENT_SHIFT = {"SMB": 0.0, "Mid-Market": 0.25, "Enterprise": 0.50}  # log-odds
RENEWAL_SIZE_COEF = 0.15  # log-odds per unit of log(employees)
RENEWAL_BR_BETA = 0.85  # log-odds per unit of log1p(business reviews in window)
RENEWAL_FRT_COEF = -0.06  # log-odds per hour of window-mean Avg First Response
RENEWAL_FRT_REF = 8.0  # hours; FRT is centred here
CONTRACT_EUR_PER_USD = 0.92  # Contract Value = 12 x baseline monthly revenue x this, in EUR

# Reverse cause: exit / rescue calls AFTER a churned renewal
EXIT_CALLS_MEAN = (4.0, 2.0)  # Poisson means in month +1 and month +2 after churn
EXIT_SUBJECT_SHARE = 0.5  # share of exit calls whose subject names the churn

# --------------------------------------------------------------------------------------
# Outcome 2: monthly recognized revenue (log-linear)
# --------------------------------------------------------------------------------------
REVENUE_REF_MONTHLY = 2500.0  # USD/month for the reference SMB account of 70 employees
REVENUE_SIZE_COEF = 0.85  # elasticity w.r.t. employees
REVENUE_SEGMENT_SHIFT = {"SMB": 0.0, "Mid-Market": 0.10, "Enterprise": 0.20}
REVENUE_ACCOUNT_SD = 0.30  # account random effect (log scale)
REVENUE_TREND_PER_MONTH = 0.004  # log-revenue per month (~ +0.4%/month)
REVENUE_TRAINING_LAG = 2  # months
REVENUE_TRAINING_EFFECT = math.log(1.04)  # log-revenue per training exactly LAG months earlier
REVENUE_NOISE_SD = 0.08  # idiosyncratic month noise (log scale)

# --------------------------------------------------------------------------------------
# Outcome 3: referrals (Poisson per account-month)
# --------------------------------------------------------------------------------------
REFERRAL_BASE_RATE = 0.038  # per month, reference account, no meetings last month
REFERRAL_SIZE_COEF = 0.10  # log-rate per unit of log(employees)
REFERRAL_MEETING_LAG = 1  # months
REFERRAL_MEETING_EFFECT = 0.25  # log-rate per meeting in the previous month

# --------------------------------------------------------------------------------------
# Export details
# --------------------------------------------------------------------------------------
EXPORT_A = ("activities_export_2024-01_to_2025-03.csv", 0, 14)  # month index range, inclusive
EXPORT_B = ("activities_export_2025-01_to_2025-12.csv", 12, 23)
ACTIVITY_ID_PREFIX = "00T5g0000"
ACTIVITY_ID_MULT = 1_103_515_245  # odd, not a multiple of 31 -> bijection mod 62**6
ACTIVITY_ID_OFFSET = 3_900_000
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Independent random streams, so changing one part does not reshuffle the others
STREAM = {"accounts": 1, "names": 2, "volume": 3, "service": 4, "outcomes": 5, "events": 6, "referrals": 7,
          "revenue_level": 8, "starts": 9}


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------
def rng_for(stream: str) -> np.random.Generator:
    """Return the independent random generator for a named stream."""
    return np.random.default_rng([SEED, STREAM[stream]])


def month_ym(t: int) -> tuple[int, int]:
    """Return (year, month) for month index t (0 = 2024-01)."""
    return START_YEAR + t // 12, t % 12 + 1


def month_label(t: int) -> str:
    """'2024-02' for month index t."""
    return "{:04d}-{:02d}".format(*month_ym(t))


def weekdays_in_month(t: int) -> list[int]:
    """Return the Monday-Friday day numbers of month index t."""
    y, m = month_ym(t)
    return [d for d in range(1, calendar.monthrange(y, m)[1] + 1) if calendar.weekday(y, m, d) < 5]


def logit(p: float) -> float:
    """Return the log-odds of probability p."""
    return math.log(p / (1.0 - p))


def inv_logit(x):
    """Return the probability for log-odds x (scalar or array)."""
    return 1.0 / (1.0 + np.exp(-x))


def base62(n: int, width: int) -> str:
    """Encode n in base 62 with a fixed width."""
    out = []
    for _ in range(width):
        n, r = divmod(n, 62)
        out.append(BASE62[r])
    return "".join(reversed(out))


def activity_id(i: int) -> str:
    """Return the deterministic, unique 15-character CRM id of the i-th activity."""
    n = (ACTIVITY_ID_MULT * (i + ACTIVITY_ID_OFFSET)) % 62**6
    return ACTIVITY_ID_PREFIX + base62(n, 6)


def us_date(y: int, m: int, d: int) -> str:
    """Format a date US style without zero padding (3/5/2025)."""
    return f"{m}/{d}/{y}"


def usd(x: float) -> str:
    """Format an amount as US currency with thousands separators ($1,234.50)."""
    return f"${x:,.2f}"


def eur(x: float) -> str:
    """Format an amount in European style with a euro suffix (12.400,00 €)."""
    s = f"{x:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{s} €"


# --------------------------------------------------------------------------------------
# Reps and accounts
# --------------------------------------------------------------------------------------
REP_NAMES = (
    "Avery Collins", "Bianca Rossi", "Carlos Méndez", "Dana Whitfield", "Elif Aydin", "Felix Brandt",
    "Grace Okafor", "Hannah Lindqvist", "Ivan Petrov", "Julia Santos", "Kenji Watanabe", "Laura Fischer",
    "Marcus Reed", "Nadia Haddad", "Oliver Grant", "Priya Raman", "Quentin Moreau", "Rosa Ibáñez",
    "Samuel Adeyemi", "Tara Nguyen", "Umar Siddiqui", "Valentina Cruz", "William Hart", "Zoë Keller",
)

SPECIAL_NAMES = {
    "EMEA": ["Müller Logistik GmbH", "Société Durand", "Café Øresund", "Zürich Präzision AG",
             "Ålesund Marine AS", "Smørrebrød & Co. ApS", "Boulangerie Lefèvre SARL", "Weiß Maschinenbau KG"],
    "LATAM": ["São Paulo Têxteis Ltda.", "Señor Frío S.A.", "Panadería Núñez S.R.L."],
    "North America": ["Baker, Stone & Partners LLC", "Crème Brûlée Bakery Inc."],
    "APAC": ["O'Connell & Tanaka Pty Ltd"],
}
SURNAMES = (
    "Müller", "Durand", "Schmidt", "García", "Jørgensen", "Lefèvre", "Björk", "Ødegaard", "Peña",
    "Conceição", "Åkesson", "Weiß", "Kowalski", "Nakamura", "Okafor", "Haddad", "O'Brien", "Fischer",
    "Rossi", "Bianchi", "Dubois", "Lindqvist", "Hernández", "Sørensen", "Fernández", "Brandt", "Moreau",
    "Costa", "Silva", "Andersen", "Keller", "Vogel", "Nguyen", "Patel", "Kim", "Tanaka", "Walsh",
    "Murphy", "Carter", "Reyes", "Ibáñez", "Gómez", "Novák", "Nowak", "Hoffmann", "Berger", "Larsen",
    "Mendoza", "Castillo", "Chen", "Singh", "Yamamoto", "Becker", "Schäfer", "Jäger", "Boyer", "Renaud",
)
PLACES = (
    "Nordic", "Pacific", "Atlantic", "Alpine", "Zürich", "Malmö", "Göteborg", "Köln", "Québec", "Bogotá",
    "Summit", "Harbor", "Meridian", "Northwind", "Bluewater", "Redwood", "Silverline", "Ironbridge",
    "Evergreen", "Cascade", "Lakeside", "Granite", "Orion", "Vega", "Polaris", "Mistral", "Sirocco",
)
INDUSTRIES = (
    "Logistics", "Analytics", "Foods", "Engineering", "Software", "Consulting", "Health", "Retail",
    "Freight", "Energy", "Textiles", "Pharma", "Robotics", "Media", "Capital", "Labs", "Systems",
    "Services", "Manufacturing", "Insurance", "Hospitality", "Biotech", "Packaging", "Telecom",
)
LEGAL_SUFFIX = {
    "North America": ("Inc.", "LLC", "Corp.", "Co.", "Group"),
    "EMEA": ("GmbH", "AG", "S.A.", "SAS", "Ltd", "AB", "Oy", "B.V.", "S.p.A.", "ApS", "plc"),
    "APAC": ("Pty Ltd", "Pte. Ltd.", "K.K.", "Ltd", "Limited"),
    "LATAM": ("S.A. de C.V.", "Ltda.", "S.A.", "S.R.L.", "S.A.S."),
}


def build_reps() -> list[dict]:
    """Return the 24 reps with their teams (6 reps per team)."""
    return [{"name": n, "team": TEAMS[i // (N_REPS // len(TEAMS))]} for i, n in enumerate(REP_NAMES)]


def company_name(rng: np.random.Generator, region: str) -> str:
    """Draw one fictional company name in the style of the given region."""
    pick = lambda seq: seq[int(rng.integers(len(seq)))]  # noqa: E731
    suffix = pick(LEGAL_SUFFIX[region])
    style = rng.random()
    if style < 0.45:
        return f"{pick(SURNAMES)} {pick(INDUSTRIES)} {suffix}"
    if style < 0.80:
        return f"{pick(PLACES)} {pick(INDUSTRIES)} {suffix}"
    if style < 0.97:
        return f"{pick(SURNAMES)} & {pick(SURNAMES)} {suffix}"
    return f"{pick(SURNAMES)}, {pick(SURNAMES)} & Partners"


def account_names(regions: list[str]) -> list[str]:
    """Return unique, cp1252-encodable company names, specials placed on the first matching accounts."""
    rng = rng_for("names")
    specials = {r: list(v) for r, v in SPECIAL_NAMES.items()}
    names, used = [], set()
    for region in regions:
        name = specials[region].pop(0) if specials.get(region) else company_name(rng, region)
        while name in used:
            name = company_name(rng, region)
        used.add(name)
        name.encode("cp1252")  # fails loudly if a letter is outside Windows-1252
        names.append(name)
    return names


def build_accounts(reps: list[dict]) -> dict:
    """Return account attributes (ids, names, segment, region, employees, owner) as parallel arrays."""
    rng = rng_for("accounts")
    segments = [s for s, n in SEGMENT_COUNTS.items() for _ in range(n)]
    segments = [segments[i] for i in rng.permutation(N_ACCOUNTS)]
    regions = [REGIONS[i] for i in rng.choice(len(REGIONS), size=N_ACCOUNTS, p=REGION_PROBS)]
    employees = []
    for seg in segments:
        median, sd, lo, hi, step = EMPLOYEES_BY_SEGMENT[seg]
        x = float(np.clip(median * math.exp(sd * rng.standard_normal()), lo, hi))
        employees.append(int(max(lo, min(hi, round(x / step) * step))))
    owners = rng.integers(N_REPS, size=N_ACCOUNTS)
    anniversary = rng.integers(1, 13, size=N_ACCOUNTS)  # month of year
    anniversary_day = rng.integers(1, 29, size=N_ACCOUNTS)
    # a stream of its own: the draws above (and every other stream) are as they were without late starts
    starts_rng = rng_for("starts")
    start = np.where(starts_rng.random(N_ACCOUNTS) < LATE_START_SHARE,
                     starts_rng.integers(*LATE_START_MONTHS, size=N_ACCOUNTS), 0)
    since_days = starts_rng.integers(0, 5 * 365, size=N_ACCOUNTS)  # customers before the span: 2019-2023
    anniversary = np.where(start > 0, [month_ym(int(t))[1] for t in start], anniversary)
    customer_since = [
        "{:04d}-{:02d}-{:02d}".format(*month_ym(int(t)), int(anniversary_day[i])) if t > 0
        else (np.datetime64("2019-01-01") + int(since_days[i])).astype(str)
        for i, t in enumerate(start)]
    return {
        "id": [f"ACC-{i + 1:05d}" for i in range(N_ACCOUNTS)],
        "name": account_names(regions),
        "segment": segments,
        "region": regions,
        "employees": np.array(employees),
        "log_size": np.log(np.array(employees, dtype=float)) - math.log(REF_EMPLOYEES),
        "owner": owners,
        "team": [reps[o]["team"] for o in owners],
        "anniversary": anniversary,
        "anniversary_day": anniversary_day,
        "start": start,
        "customer_since": customer_since,
    }


# --------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------
def volume_rates(acc: dict) -> dict[str, np.ndarray]:
    """Return, per activity type, an (accounts x months) array of Poisson means."""
    rng = rng_for("volume")
    rates = {}
    for a_type in ACTIVITY_TYPES:
        spec = VOLUME[a_type]
        seg = np.array([spec.seg_shift[s] for s in acc["segment"]])
        re = spec.account_sd * rng.standard_normal(N_ACCOUNTS)
        month = spec.month_sd * rng.standard_normal(N_MONTHS)
        log_rate = math.log(spec.base) + spec.size_coef * acc["log_size"] + seg + re
        rates[a_type] = np.exp(log_rate[:, None] + month[None, :])
    return rates


def service_measures() -> tuple[np.ndarray, np.ndarray]:
    """Return published (rounded) Avg First Response hours and CSAT, each (accounts x months)."""
    rng = rng_for("service")
    acc_frt = math.log(FRT_MEDIAN_HRS) + FRT_ACCOUNT_SD * rng.standard_normal(N_ACCOUNTS)
    frt = np.exp(acc_frt[:, None] + FRT_MONTH_SD * rng.standard_normal((N_ACCOUNTS, N_MONTHS)))
    frt = np.round(np.clip(frt, FRT_MIN, FRT_MAX), 1)
    acc_csat = CSAT_MEAN + CSAT_ACCOUNT_SD * rng.standard_normal(N_ACCOUNTS)
    csat = acc_csat[:, None] + CSAT_MONTH_SD * rng.standard_normal((N_ACCOUNTS, N_MONTHS))
    return frt, np.round(np.clip(csat, 1.0, 5.0), 1)


def renewal_logodds(acc: dict, i: int, n_reviews: int, frt_mean: float) -> float:
    """Return the renewal log-odds of account i given its 6-month window."""
    return (
        logit(RENEWAL_REF_PROB)
        + RENEWAL_SEGMENT_SHIFT[acc["segment"][i]]
        + RENEWAL_SIZE_COEF * acc["log_size"][i]
        + RENEWAL_BR_BETA * math.log1p(n_reviews)
        + RENEWAL_FRT_COEF * (frt_mean - RENEWAL_FRT_REF)
    )


def revenue_baseline(acc: dict) -> np.ndarray:
    """Return each account's log baseline monthly revenue (month 0, no trainings)."""
    rng = rng_for("revenue_level")
    seg = np.array([REVENUE_SEGMENT_SHIFT[s] for s in acc["segment"]])
    re = REVENUE_ACCOUNT_SD * rng.standard_normal(N_ACCOUNTS)
    return math.log(REVENUE_REF_MONTHLY) + REVENUE_SIZE_COEF * acc["log_size"] + seg + re


def simulate(acc: dict) -> dict:
    """Run the month-by-month world: activity counts, churn, revenue, referrals, renewals."""
    rng = rng_for("outcomes")
    rates = volume_rates(acc)
    frt, csat = service_measures()
    base_rev = revenue_baseline(acc)
    counts = {a: np.zeros((N_ACCOUNTS, N_MONTHS), dtype=int) for a in ACTIVITY_TYPES}
    exit_calls = np.zeros((N_ACCOUNTS, N_MONTHS), dtype=int)
    active = np.ones((N_ACCOUNTS, N_MONTHS), dtype=bool)
    revenue = np.full((N_ACCOUNTS, N_MONTHS), np.nan)
    referrals = np.zeros((N_ACCOUNTS, N_MONTHS), dtype=int)
    renewals = []
    alive = acc["start"] == 0
    for t in range(N_MONTHS):
        alive = alive | (acc["start"] == t)  # won this month (a lost account never comes back: its start is past)
        active[:, t] = alive
        for a_type in ACTIVITY_TYPES:
            counts[a_type][:, t] = rng.poisson(rates[a_type][:, t]) * alive
        lag_train = counts["Training"][:, t - REVENUE_TRAINING_LAG] if t >= REVENUE_TRAINING_LAG else 0
        log_rev = (base_rev + REVENUE_TREND_PER_MONTH * t + REVENUE_TRAINING_EFFECT * lag_train
                   + REVENUE_NOISE_SD * rng.standard_normal(N_ACCOUNTS))
        revenue[:, t] = np.where(alive, np.round(np.exp(log_rev), 2), np.nan)
        lag_meet = counts["Meeting"][:, t - REFERRAL_MEETING_LAG] if t >= REFERRAL_MEETING_LAG else 0
        ref_rate = np.exp(math.log(REFERRAL_BASE_RATE) + REFERRAL_SIZE_COEF * acc["log_size"]
                          + REFERRAL_MEETING_EFFECT * lag_meet)
        referrals[:, t] = rng.poisson(ref_rate) * alive
        u = rng.random(N_ACCOUNTS)
        if t < RENEWAL_FIRST_ELIGIBLE_MONTH:
            continue
        y, m = month_ym(t)
        for i in np.flatnonzero(alive & (acc["anniversary"] == m) & ((acc["start"] == 0) | (t >= acc["start"] + 12))):
            window = slice(t - RENEWAL_WINDOW_MONTHS, t)
            n_br = int(counts["Business Review"][i, window].sum())
            frt_mean = float(frt[i, window].mean())
            p = float(inv_logit(renewal_logodds(acc, i, n_br, frt_mean)))
            renewed = bool(u[i] < p)
            value = 12.0 * math.exp(base_rev[i] + REVENUE_TREND_PER_MONTH * t) * CONTRACT_EUR_PER_USD
            renewals.append({"i": int(i), "t": t, "date": (y, m, int(acc["anniversary_day"][i])),
                             "renewed": renewed, "p": p, "n_br": n_br, "frt_mean": frt_mean,
                             "value": round(value / 100.0) * 100.0})
            if not renewed:
                alive[i] = False
                for k, mean in enumerate(EXIT_CALLS_MEAN, start=1):
                    if t + k < N_MONTHS:
                        exit_calls[i, t + k] = rng.poisson(mean)
    return {"counts": counts, "exit_calls": exit_calls, "active": active, "revenue": revenue,
            "referrals": referrals, "renewals": renewals, "frt": frt, "csat": csat}


# --------------------------------------------------------------------------------------
# Event expansion (one row per activity)
# --------------------------------------------------------------------------------------
SUBJECTS = {
    "Call": ("Check-in call", "Follow-up call re: renewal", "Intro call, new stakeholder", "Pricing call",
             "Call: usage review", "Left voicemail", "Call re: invoice, PO number", "Discovery call"),
    "Email": ("Re: invoice question", "Follow-up, next steps", "Product update", "Re: contract terms",
              "Sent deck", "Intro email", "Re: Re: meeting notes", "Newsletter, opened"),
    "Meeting": ("Quarterly sync", "Onsite meeting, roadmap", "Demo of new features", "Stakeholder meeting",
                "Lunch & learn", "Planning session"),
    "Business Review": ("QBR {q} {y}", "Executive business review", "Business review, {q} {y}",
                        "Annual account review"),
    "Training": ("Admin training", "Onboarding session, new users", "Advanced reporting training",
                 "Webinar: best practices", "Train-the-trainer"),
    "Support Ticket": ("Case: login issue", "Case: data import error, CSV", "Case: billing question",
                       "Case: API rate limit", "Case: SSO setup", "Case: report not loading"),
}
EXIT_SUBJECTS = ("Exit call, churn reasons", "Win-back call", "Offboarding call", "Call: cancellation follow-up")

# (choices or (lo, hi) range, share blank)
DURATION = {
    "Call": ((5, 30), 0.03),
    "Email": ((2, 15), 0.88),
    "Meeting": ([30, 45, 60], 0.03),
    "Business Review": ([60, 75, 90, 120], 0.02),
    "Training": ([45, 60, 90, 120, 180], 0.02),
    "Support Ticket": ((10, 90), 0.05),
}


def draw_duration(rng: np.random.Generator, a_type: str) -> str:
    """Return a duration in minutes as text, or '' when not recorded."""
    spec, blank = DURATION[a_type]
    if rng.random() < blank:
        return ""
    if isinstance(spec, tuple):
        return str(int(rng.integers(spec[0], spec[1] + 1)))
    return str(spec[int(rng.integers(len(spec)))])


def draw_subject(rng: np.random.Generator, a_type: str, y: int, m: int, exit_call: bool) -> str:
    """Return a free-text subject line for one activity."""
    if exit_call and rng.random() < EXIT_SUBJECT_SHARE:
        return EXIT_SUBJECTS[int(rng.integers(len(EXIT_SUBJECTS)))]
    pool = SUBJECTS[a_type]
    return pool[int(rng.integers(len(pool)))].format(q=f"Q{(m - 1) // 3 + 1}", y=y)


def draw_assignee(rng: np.random.Generator, owner: int, reps: list[dict]) -> str:
    """Return the rep name on the activity: usually the owner, sometimes a colleague."""
    if rng.random() >= OTHER_REP_SHARE:
        return reps[owner]["name"]
    team = reps[owner]["team"]
    same = rng.random() < OTHER_REP_SAME_TEAM
    pool = [r for r in range(N_REPS) if r != owner and (reps[r]["team"] == team) == same]
    return reps[pool[int(rng.integers(len(pool)))]]["name"]


def expand_events(acc: dict, reps: list[dict], sim: dict) -> list[dict]:
    """Turn monthly counts into individual, id-stamped activity events sorted by date."""
    rng = rng_for("events")
    days = [weekdays_in_month(t) for t in range(N_MONTHS)]
    events = []
    for i in range(N_ACCOUNTS):
        for t in range(N_MONTHS):
            y, m = month_ym(t)
            batches = [(a, int(sim["counts"][a][i, t]), False) for a in ACTIVITY_TYPES]
            batches.append(("Call", int(sim["exit_calls"][i, t]), True))
            for a_type, n, is_exit in batches:
                for _ in range(n):
                    d = days[t][int(rng.integers(len(days[t])))]
                    events.append({
                        "sort": (t, d, i, ACTIVITY_TYPES.index(a_type), len(events)),
                        "type": a_type, "y": y, "m": m, "d": d, "t": t, "account": acc["id"][i],
                        "assigned": draw_assignee(rng, int(acc["owner"][i]), reps),
                        "duration": draw_duration(rng, a_type),
                        "subject": draw_subject(rng, a_type, y, m, is_exit),
                        "exit_call": is_exit,
                    })
    events.sort(key=lambda e: e["sort"])
    for k, e in enumerate(events):
        e["id"] = activity_id(k)
    return events


# --------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------
def write_csv(path: Path, header: list[str], rows: list[list[str]], *, encoding: str,
              newline: str, delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL) -> int:
    """Write a delimited text file with explicit encoding / line endings; return the row count."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter, lineterminator=newline, quoting=quoting)
        w.writerow(header)
        w.writerows(rows)
    return len(rows)


def write_accounts(out: Path, acc: dict, reps: list[dict]) -> int:
    """Write crm_accounts.csv (UTF-8 BOM, CRLF, all fields quoted, employees with commas)."""
    rows = [[acc["id"][i], acc["name"][i], acc["segment"][i], acc["region"][i],
             f"{int(acc['employees'][i]):,}", reps[int(acc["owner"][i])]["name"], acc["team"][i],
             acc["customer_since"][i]]
            for i in range(N_ACCOUNTS)]
    header = ["Account ID", "Account Name", "Segment", "Region", "Employees", "Account Owner", "Team",
              "Customer Since"]
    return write_csv(out / "crm_accounts.csv", header, rows, encoding="utf-8-sig", newline="\r\n",
                     quoting=csv.QUOTE_ALL)


def write_activities(out: Path, events: list[dict]) -> dict:
    """Write the two overlapping activity exports; return rows per file, overlap and unique counts."""
    header = ["Activity ID", "Activity Type", "Date", "Account ID", "Assigned To", "Duration (min)", "Subject"]
    ids = {}
    for name, lo, hi in (EXPORT_A, EXPORT_B):
        sel = [e for e in events if lo <= e["t"] <= hi]
        rows = [[e["id"], e["type"], us_date(e["y"], e["m"], e["d"]), e["account"], e["assigned"],
                 e["duration"], e["subject"]] for e in sel]
        write_csv(out / name, header, rows, encoding="utf-8-sig", newline="\r\n")
        ids[name] = {e["id"] for e in sel}
    a, b = ids[EXPORT_A[0]], ids[EXPORT_B[0]]
    return {"rows": {k: len(v) for k, v in ids.items()}, "overlap": len(a & b), "unique": len(a | b)}


def write_renewals(out: Path, acc: dict, sim: dict) -> int:
    """Write renewals.csv (semicolon, UTF-8 no BOM, LF, DD/MM/YYYY, European amounts in EUR)."""
    recs = sorted(sim["renewals"], key=lambda r: (r["date"], acc["id"][r["i"]]))
    rows = [[acc["id"][r["i"]], f"{r['date'][2]:02d}/{r['date'][1]:02d}/{r['date'][0]}",
             "Renewed" if r["renewed"] else "Churned", eur(r["value"])] for r in recs]
    header = ["Account", "Renewal Date", "Renewal Status", "Contract Value"]
    return write_csv(out / "renewals.csv", header, rows, encoding="utf-8", newline="\n", delimiter=";")


def write_revenue(out: Path, acc: dict, sim: dict) -> int:
    """Write monthly_revenue.csv (cp1252, CRLF, 'Jan 2024' months, "$1,234.50" amounts)."""
    rows = []
    for i in range(N_ACCOUNTS):
        for t in range(N_MONTHS):
            if sim["active"][i, t]:
                y, m = month_ym(t)
                rows.append([acc["id"][i], acc["name"][i], f"{MONTH_ABBR[m - 1]} {y}", usd(sim["revenue"][i, t])])
    header = ["Account ID", "Account Name", "Month", "Recognized Revenue"]
    return write_csv(out / "monthly_revenue.csv", header, rows, encoding="cp1252", newline="\r\n")


def referral_rows(acc: dict, sim: dict) -> list[list[str]]:
    """Expand referral counts into dated rows with referred-company names, sorted by date."""
    rng = rng_for("referrals")
    existing = set(acc["name"])
    recs = []
    for i in range(N_ACCOUNTS):
        for t in range(N_MONTHS):
            y, m = month_ym(t)
            for _ in range(int(sim["referrals"][i, t])):
                d = int(rng.integers(1, calendar.monthrange(y, m)[1] + 1))
                region = REGIONS[int(rng.choice(len(REGIONS), p=REGION_PROBS))]
                name = company_name(rng, region)
                while name in existing:  # a referred company is never an existing account
                    name = company_name(rng, region)
                recs.append(((y, m, d), acc["id"][i], name))
    recs.sort(key=lambda r: (r[0], r[1]))
    return [[f"REF-{k + 1:06d}", a, f"{y:04d}-{m:02d}-{d:02d}", c] for k, ((y, m, d), a, c) in enumerate(recs)]


def write_referrals(out: Path, acc: dict, sim: dict) -> int:
    """Write referrals.csv.gz (gzip of UTF-8 CSV, LF, ISO dates) reproducibly (mtime=0)."""
    rows = referral_rows(acc, sim)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Referral ID", "Referring Account ID", "Referral Date", "Referred Company"])
    w.writerows(rows)
    with open(out / "referrals.csv.gz", "wb") as raw:
        with gzip.GzipFile(filename="referrals.csv", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(buf.getvalue().encode("utf-8"))
    return len(rows)


def write_service(out: Path, acc: dict, sim: dict) -> int:
    """Write service_measures.tsv (tab, UTF-8, LF, ISO first-of-month) for active account-months."""
    rows = []
    for i in range(N_ACCOUNTS):
        for t in range(N_MONTHS):
            if sim["active"][i, t]:
                y, m = month_ym(t)
                rows.append([acc["id"][i], f"{y:04d}-{m:02d}-01", f"{sim['frt'][i, t]:.1f}",
                             f"{sim['csat'][i, t]:.1f}"])
    header = ["Account ID", "Month", "Avg First Response (hrs)", "CSAT"]
    return write_csv(out / "service_measures.tsv", header, rows, encoding="utf-8", newline="\n", delimiter="\t")


# --------------------------------------------------------------------------------------
# Truth summary
# --------------------------------------------------------------------------------------
def renewal_increments() -> list[float]:
    """Return percentage-point gains of the 1st..6th business review for the reference account."""
    base = logit(RENEWAL_REF_PROB)
    p = [float(inv_logit(base + RENEWAL_BR_BETA * math.log1p(n))) for n in range(7)]
    return [round(100 * (p[n] - p[n - 1]), 2) for n in range(1, 7)]


def truth_summary(acc: dict, sim: dict, events: list[dict], counts: dict, act: dict) -> dict:
    """Return the machine-readable description of the planted truth and the file counts."""
    ren = sim["renewals"]
    size_conf = "account size (log employees and segment)"
    return {
        "seed": SEED,
        "n_accounts": N_ACCOUNTS,
        "months": {"first": "2024-01", "last": "2025-12", "n": N_MONTHS},
        "lifetimes": {
            "late_starts": int((acc["start"] > 0).sum()),
            "late_start_share": LATE_START_SHARE,
            "late_start_months": [month_label(LATE_START_MONTHS[0]), month_label(LATE_START_MONTHS[1] - 1)],
            "churned_at_renewal": sum(not r["renewed"] for r in sim["renewals"]),
            "description": "late starters are customers (active, billed, referring) from their 'Customer Since' "
                           "month; an account that does not renew leaves after that renewal month",
        },
        "activity_types": list(ACTIVITY_TYPES),
        "outcomes": {
            "renewal": {
                "kind": "binary",
                "model": "logistic",
                "file": "renewals.csv",
                "unit": "renewal event (account x contract anniversary)",
                "window": f"the {RENEWAL_WINDOW_MONTHS} calendar months before the renewal month "
                          "(renewal month excluded)",
                "baseline": {
                    "reference_account": "SMB, 70 employees, 0 business reviews, window-mean first response 8.0 h",
                    "reference_probability": RENEWAL_REF_PROB,
                    "segment_shift_logodds": RENEWAL_SEGMENT_SHIFT,
                    "log_employees_coef_logodds": RENEWAL_SIZE_COEF,
                },
                "true_drivers": [
                    {"activity": "Business Review", "effect": RENEWAL_BR_BETA,
                     "unit": "log-odds per unit of log1p(count of business reviews in window)",
                     "functional_form": "log1p", "lag_months": [1, RENEWAL_WINDOW_MONTHS]},
                    {"measure": "Avg First Response (hrs)", "effect": RENEWAL_FRT_COEF,
                     "unit": "log-odds per hour of the window mean of monthly Avg First Response",
                     "centered_at_hours": RENEWAL_FRT_REF, "lag_months": [1, RENEWAL_WINDOW_MONTHS]},
                ],
                "diminishing_returns": {
                    "activity": "Business Review",
                    "functional_form": "beta * log1p(n_reviews)",
                    "beta": RENEWAL_BR_BETA,
                    "pp_gain_of_nth_review_at_reference": renewal_increments(),
                },
                "confounded": [{"activity": "Call", "confounder": size_conf},
                               {"activity": "Email", "confounder": size_conf}],
                "no_effect": ["Call", "Email", "Meeting", "Training", "Support Ticket"],
                "no_effect_measures": ["CSAT"],
                "reverse_cause": {
                    "activity": "Call",
                    "description": "churned accounts receive extra exit/win-back calls after the churned renewal",
                    "months_after_churn": [1, 2],
                    "poisson_means": list(EXIT_CALLS_MEAN),
                    "n_exit_calls": int(sim["exit_calls"].sum()),
                },
                "n_events": len(ren),
                "n_renewed": sum(r["renewed"] for r in ren),
                "n_churned": sum(not r["renewed"] for r in ren),
            },
            "revenue": {
                "kind": "continuous",
                "model": "log-linear",
                "file": "monthly_revenue.csv",
                "unit": "account-month",
                "true_drivers": [
                    {"activity": "Training", "effect": REVENUE_TRAINING_EFFECT,
                     "effect_pct": round(100 * (math.exp(REVENUE_TRAINING_EFFECT) - 1), 4),
                     "unit": "log(revenue) per training", "lag_months": REVENUE_TRAINING_LAG,
                     "no_effect_lags": [0, 1, 3], "persistence": "one month only (not cumulative)"},
                ],
                "trend_per_month_log": REVENUE_TREND_PER_MONTH,
                "noise_sd_log": REVENUE_NOISE_SD,
                "confounded": [{"activity": "Call", "confounder": size_conf}],
                "no_effect": ["Call", "Email", "Meeting", "Business Review", "Support Ticket"],
                "no_effect_measures": ["Avg First Response (hrs)", "CSAT"],
                "diminishing_returns": None,
                "reverse_cause": None,
                "n_rows": counts["monthly_revenue.csv"],
            },
            "referrals": {
                "kind": "count",
                "model": "poisson",
                "file": "referrals.csv.gz",
                "unit": "account-month",
                "true_drivers": [
                    {"activity": "Meeting", "effect": REFERRAL_MEETING_EFFECT,
                     "unit": "log-rate per meeting", "lag_months": REFERRAL_MEETING_LAG,
                     "rate_ratio": round(math.exp(REFERRAL_MEETING_EFFECT), 4), "no_effect_lags": [0, 2]},
                ],
                "baseline": {"rate_per_month_reference": REFERRAL_BASE_RATE,
                             "log_employees_coef": REFERRAL_SIZE_COEF},
                "confounded": [],
                "no_effect": ["Call", "Email", "Business Review", "Training", "Support Ticket"],
                "no_effect_measures": ["Avg First Response (hrs)", "CSAT"],
                "diminishing_returns": None,
                "reverse_cause": None,
                "n_events": counts["referrals.csv.gz"],
            },
        },
        "service_measures": {"Avg First Response (hrs)": "drives renewal (see renewal.true_drivers)",
                             "CSAT": "no effect on anything"},
        "files": counts,
        "activities": {
            "rows_per_file": act["rows"],
            "overlap_ids": act["overlap"],
            "overlap_months": ["2025-01", "2025-02", "2025-03"],
            "unique_activities": act["unique"],
            "per_type": {a: sum(e["type"] == a for e in events) for a in ACTIVITY_TYPES},
        },
    }


def main(argv: list[str] | None = None) -> None:
    """Generate all sample files into --out (default: this script's folder)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    out = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    reps = build_reps()
    acc = build_accounts(reps)
    sim = simulate(acc)
    events = expand_events(acc, reps, sim)
    counts = {"crm_accounts.csv": write_accounts(out, acc, reps)}
    act = write_activities(out, events)
    counts.update(act["rows"])
    counts["renewals.csv"] = write_renewals(out, acc, sim)
    counts["monthly_revenue.csv"] = write_revenue(out, acc, sim)
    counts["referrals.csv.gz"] = write_referrals(out, acc, sim)
    counts["service_measures.tsv"] = write_service(out, acc, sim)
    truth = truth_summary(acc, sim, events, counts, act)
    with open(out / "truth.json", "w", encoding="utf-8", newline="\n") as fh:
        json.dump(truth, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    for name, n in counts.items():
        print(f"{name:48s} {n:7d} rows  {(out / name).stat().st_size:>9,d} bytes")


if __name__ == "__main__":
    main()
