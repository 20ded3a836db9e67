"""Generate large CRM exports for the benchmark, in the messy shape of sample_data/ (fixed seed).

    python bench/generate.py --scale small|1m|10m --out DIR

Writes into DIR, like the sample exports (see sample_data/README.md for the shapes):
    crm_accounts.csv                                 UTF-8 BOM, CRLF, every field quoted, "12,400" employees
    activities_export_2024-01_to_2025-01.csv         months 1-13, UTF-8 BOM, CRLF, M/D/YYYY, sorted by date
    activities_export_2024-12_to_2025-12.csv         months 12-24: months 12-13 are in both files (same ids)
    activities_export_2026-01_to_2026-01.csv         month 25 only: the "append a month" export
    monthly_revenue.csv                              Windows-1252, CRLF, 'Jan 2024', "$1,234.50"
    renewals.csv                                     ';', DD/MM/YYYY, Renewed/Churned, '181.600,00 €'
    referrals.csv.gz                                 gzip, LF, ISO dates, one row per referral
    manifest.json                                    what was written: rows, bytes, expected counts

The world is simulated month by month in numpy (activity counts per account × month × type with
planted effects on revenue, referrals and renewals, as in sample_data/generate.py), then the events
are expanded one month at a time (a few hundred thousand rows) and written by DuckDB, so 10M rows
take well under a minute and little memory. Same numpy and DuckDB versions, same bytes.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import gzip
import io
import json
import math
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

GENERATOR_VERSION = 1  # bump when the output changes, so a kept data folder is regenerated
SEED = 20241
START_YEAR = 2024
N_MONTHS = 24  # the two overlapping exports cover months 0..23 (Jan 2024 .. Dec 2025)
APPEND_MONTH = 24  # month 25 (Jan 2026): the append export
N_REPS = 500
N_TEAMS = 20  # 25 reps per team

# scale -> (accounts, activity events over the 24 months before de-duplication across the two exports)
SCALES = {"small": (5_000, 100_000), "1m": (50_000, 1_000_000), "10m": (50_000, 10_000_000)}

EXPORT_A = ("activities_export_2024-01_to_2025-01.csv", 0, 12)  # month index range, inclusive
EXPORT_B = ("activities_export_2024-12_to_2025-12.csv", 11, 23)  # months 11-12 overlap with EXPORT_A
EXPORT_APPEND = ("activities_export_2026-01_to_2026-01.csv", APPEND_MONTH, APPEND_MONTH)
ACCOUNTS_FILE, REVENUE_FILE, RENEWALS_FILE, REFERRALS_FILE = (
    "crm_accounts.csv", "monthly_revenue.csv", "renewals.csv", "referrals.csv.gz")
ACTIVITY_HEADER = "Activity ID,Activity Type,Date,Account ID,Assigned To,Duration (min),Subject"

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
SEGMENT_PROBS = (0.55, 0.30, 0.15)
REGIONS = ("North America", "EMEA", "APAC", "LATAM")
REGION_PROBS = (0.40, 0.30, 0.20, 0.10)
EMPLOYEES_BY_SEGMENT = {  # median, log-sd, clip range, rounding step (as the sample)
    "SMB": (70.0, 0.50, 20, 200, 1),
    "Mid-Market": (600.0, 0.50, 200, 2000, 10),
    "Enterprise": (7000.0, 0.75, 2000, 50000, 100),
}
REF_EMPLOYEES = 70.0

ACTIVITY_TYPES = ("Call", "Email", "Meeting", "Business Review", "Training", "Support Ticket")
# Spellings as CRM users type them; Payoff keys activity types case- and separator-insensitively, so all
# of these count as the same type (the comparison scripts normalise the same way).
VARIANTS = {
    "Call": ("call", "CALL"),
    "Email": ("email", "EMAIL"),
    "Meeting": ("meeting", "MEETING"),
    "Business Review": ("Business review", "business review", "BUSINESS REVIEW"),
    "Training": ("training", "TRAINING"),
    "Support Ticket": ("Support ticket", "support ticket", "SUPPORT TICKET"),
}
VARIANT_SHARE = 0.03  # share of events whose type is spelled another way


@dataclass(frozen=True)
class Volume:
    """Monthly Poisson volume of one activity type (as sample_data/generate.py, before scaling)."""

    base: float
    size_coef: float
    seg_shift: tuple[float, float, float]  # SMB, Mid-Market, Enterprise (log scale)
    account_sd: float
    month_sd: float


VOLUME = (
    Volume(0.55, 0.20, (0.0, 0.20, 0.40), 0.30, 0.05),
    Volume(0.58, 0.20, (0.0, 0.20, 0.40), 0.30, 0.05),
    Volume(0.32, 0.12, (0.0, 0.10, 0.20), 0.45, 0.10),
    Volume(0.10, 0.15, (0.0, 0.15, 0.40), 0.90, 0.00),
    Volume(0.24, 0.05, (0.0, 0.05, 0.10), 0.55, 0.40),
    Volume(0.36, 0.08, (0.0, 0.05, 0.10), 0.35, 0.10),
)
CALL, MEETING, BUSINESS_REVIEW, TRAINING = 0, 2, 3, 4

# Planted effects (the sample's, without the service measures)
RENEWAL_FIRST_ELIGIBLE_MONTH = 6
RENEWAL_WINDOW = 6
RENEWAL_REF_LOGODDS = math.log(0.72 / 0.28)
RENEWAL_SEGMENT_SHIFT = (0.0, 0.25, 0.50)
RENEWAL_SIZE_COEF = 0.15
RENEWAL_BR_BETA = 0.85  # log-odds per unit of log1p(business reviews in the 6 months before)
EXIT_CALLS_MEAN = (4.0, 2.0)  # calls in months +1 and +2 after a churn (reverse cause)
REVENUE_REF_MONTHLY = 2500.0
REVENUE_SIZE_COEF = 0.85
REVENUE_SEGMENT_SHIFT = (0.0, 0.10, 0.20)
REVENUE_ACCOUNT_SD = 0.30
REVENUE_TREND = 0.004
REVENUE_TRAINING_LAG = 2
REVENUE_TRAINING_EFFECT = math.log(1.04)  # +4% revenue per training two months earlier
REVENUE_NOISE_SD = 0.08
REFERRAL_BASE_RATE = 0.038
REFERRAL_SIZE_COEF = 0.10
REFERRAL_MEETING_LAG = 1
REFERRAL_MEETING_EFFECT = 0.15  # log-rate per meeting the month before
CONTRACT_EUR_PER_USD = 0.92

OTHER_REP_SHARE = 0.06  # events assigned to a rep other than the account owner
ACTIVITY_ID_PREFIX = "00T5g0000"
ACTIVITY_ID_MULT = 1_103_515_245  # odd and coprime with 62: a bijection modulo 62**6
ACTIVITY_ID_OFFSET = 3_900_000
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DURATION = (  # (choices, or (lo, hi) inclusive, share blank) per type, as the sample
    ((5, 30), 0.03), ((2, 15), 0.88), ([30, 45, 60], 0.03), ([60, 75, 90, 120], 0.02),
    ([45, 60, 90, 120, 180], 0.02), ((10, 90), 0.05),
)
SUBJECTS = (
    ("Check-in call", "Follow-up call re: renewal", "Intro call, new stakeholder", "Pricing call",
     "Call: usage review", "Left voicemail", "Call re: invoice, PO number", "Discovery call"),
    ("Re: invoice question", "Follow-up, next steps", "Product update", "Re: contract terms", "Sent deck",
     "Intro email", "Re: Re: meeting notes", "Newsletter, opened"),
    ("Quarterly sync", "Onsite meeting, roadmap", "Demo of new features", "Stakeholder meeting", "Lunch & learn",
     "Planning session"),
    ("QBR {q} {y}", "Executive business review", "Business review, {q} {y}", "Annual account review"),
    ("Admin training", "Onboarding session, new users", "Advanced reporting training", "Webinar: best practices",
     "Train-the-trainer"),
    ("Case: login issue", "Case: data import error, CSV", "Case: billing question", "Case: API rate limit",
     "Case: SSO setup", "Case: report not loading"),
)
FIRST_NAMES = ("Avery", "Bianca", "Carlos", "Dana", "Elif", "Felix", "Grace", "Hannah", "Ivan", "Julia", "Kenji",
               "Laura", "Marcus", "Nadia", "Oliver", "Priya", "Quentin", "Rosa", "Samuel", "Tara", "Umar",
               "Valentina", "William", "Zoë", "Agnès")
SURNAMES = ("Müller", "Durand", "Schmidt", "García", "Jørgensen", "Lefèvre", "Björk", "Ødegaard", "Peña",
            "Conceição", "Åkesson", "Weiß", "Kowalski", "Nakamura", "Okafor", "Haddad", "O'Brien", "Fischer",
            "Rossi", "Bianchi", "Dubois", "Lindqvist", "Hernández", "Sørensen", "Fernández", "Brandt", "Moreau",
            "Costa", "Silva", "Andersen", "Keller", "Vogel", "Nguyen", "Patel", "Kim", "Tanaka", "Walsh",
            "Murphy", "Carter", "Reyes", "Ibáñez", "Gómez", "Novák", "Nowak", "Hoffmann", "Berger", "Larsen")
PLACES = ("Nordic", "Pacific", "Atlantic", "Alpine", "Zürich", "Malmö", "Göteborg", "Köln", "Québec", "Bogotá",
          "Summit", "Harbor", "Meridian", "Northwind", "Bluewater", "Redwood", "Silverline", "Ironbridge")
INDUSTRIES = ("Logistics", "Analytics", "Foods", "Engineering", "Software", "Consulting", "Health", "Retail",
              "Freight", "Energy", "Textiles", "Pharma", "Robotics", "Media", "Capital", "Labs", "Systems")
SUFFIXES = ("Inc.", "LLC", "GmbH", "AG", "S.A.", "Ltd", "AB", "Oy", "B.V.", "Pty Ltd", "K.K.", "Ltda.", "S.R.L.")
TEAM_NAMES = ("Atlas", "Borealis", "Cirrus", "Delta", "Echo", "Fjord", "Granite", "Harbor", "Iris", "Juniper",
              "Kestrel", "Lumen", "Meridian", "Nimbus", "Orion", "Pioneer", "Quasar", "Ridge", "Sierra", "Tundra")
STREAMS = {"accounts": 1, "volume": 2, "world": 3, "events": 4, "files": 5}


def rng_for(stream: str) -> np.random.Generator:
    """The independent random stream of one part of the world (so parts do not reshuffle each other)."""
    return np.random.default_rng([SEED, STREAMS[stream]])


def month_ym(t: int) -> tuple[int, int]:
    """(year, month) of month index t (0 = Jan 2024)."""
    return START_YEAR + t // 12, t % 12 + 1


def weekdays(t: int) -> np.ndarray:
    """The Monday-to-Friday day numbers of month index t."""
    y, m = month_ym(t)
    return np.array([d for d in range(1, calendar.monthrange(y, m)[1] + 1) if calendar.weekday(y, m, d) < 5])


# -- the world ---------------------------------------------------------------------------------
def build_accounts(n_accounts: int) -> dict:
    """Account attributes as parallel arrays; the same accounts at every scale with the same count."""
    rng = rng_for("accounts")
    seg = rng.choice(3, size=n_accounts, p=SEGMENT_PROBS)
    region = rng.choice(len(REGIONS), size=n_accounts, p=REGION_PROBS)
    employees = np.empty(n_accounts)
    z = rng.standard_normal(n_accounts)
    for s, name in enumerate(SEGMENTS):
        median, sd, lo, hi, step = EMPLOYEES_BY_SEGMENT[name]
        x = np.clip(median * np.exp(sd * z[seg == s]), lo, hi)
        employees[seg == s] = np.clip(np.round(x / step) * step, lo, hi)
    names = [f"{SURNAMES[a]} {INDUSTRIES[b]} {SUFFIXES[c]}" if style < 0.5 else
             f"{PLACES[a % len(PLACES)]} {INDUSTRIES[b]} {SUFFIXES[c]}" if style < 0.97 else
             f"{SURNAMES[a]}, {SURNAMES[(a + b + 1) % len(SURNAMES)]} & Partners"
             for a, b, c, style in zip(rng.integers(len(SURNAMES), size=n_accounts),
                                       rng.integers(len(INDUSTRIES), size=n_accounts),
                                       rng.integers(len(SUFFIXES), size=n_accounts), rng.random(n_accounts))]
    return {
        "id": np.array([f"ACC-{i + 1:05d}" for i in range(n_accounts)]),
        "name": names,
        "segment": seg,
        "region": region,
        "employees": employees.astype(int),
        "log_size": np.log(employees) - math.log(REF_EMPLOYEES),
        "owner": rng.integers(N_REPS, size=n_accounts),
        "anniversary": rng.integers(1, 13, size=n_accounts),
        "anniversary_day": rng.integers(1, 29, size=n_accounts),
        "revenue_effect": REVENUE_ACCOUNT_SD * rng.standard_normal(n_accounts),
    }


def rep_names() -> list[str]:
    """500 distinct rep names (first × last), some with accents."""
    return [f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {SURNAMES[(i // len(FIRST_NAMES) * 7 + i) % len(SURNAMES)]}"
            for i in range(N_REPS)]


def volume_rates(acc: dict, n_events: int) -> np.ndarray:
    """Poisson means, months × accounts × types, scaled so the 24 months hold about n_events events."""
    rng = rng_for("volume")
    n, months = len(acc["id"]), APPEND_MONTH + 1
    rates = np.empty((months, n, len(ACTIVITY_TYPES)))
    for k, v in enumerate(VOLUME):
        account = v.account_sd * rng.standard_normal(n)
        month = v.month_sd * rng.standard_normal(months)
        log_rate = math.log(v.base) + v.size_coef * acc["log_size"] + np.array(v.seg_shift)[acc["segment"]] + account
        rates[:, :, k] = np.exp(log_rate[None, :] + month[:, None])
    return rates * (n_events / rates[:N_MONTHS].sum())


def simulate(acc: dict, n_events: int, adjust: float = 1.0) -> dict:
    """Month by month: activity counts, churn at renewals, revenue, referrals and renewal events.

    Churned accounts stop logging activity, so the rates are multiplied by `adjust` to land on n_events.
    """
    rng = rng_for("world")
    rates = volume_rates(acc, n_events) * adjust
    n, months = len(acc["id"]), APPEND_MONTH + 1
    counts = np.zeros((months, n, len(ACTIVITY_TYPES)), dtype=np.int32)
    revenue = np.full((N_MONTHS, n), np.nan)
    referrals = np.zeros((N_MONTHS, n), dtype=np.int32)
    alive = np.ones(n, dtype=bool)
    exit_calls = np.zeros((months + 2, n), dtype=np.int32)
    base_rev = (math.log(REVENUE_REF_MONTHLY) + REVENUE_SIZE_COEF * acc["log_size"]
                + np.array(REVENUE_SEGMENT_SHIFT)[acc["segment"]] + acc["revenue_effect"])
    renewals = []
    for t in range(months):
        counts[t] = rng.poisson(rates[t]) * alive[:, None]
        counts[t, :, CALL] += exit_calls[t]
        if t >= N_MONTHS:
            continue  # the append month: activities only
        lag_train = counts[t - REVENUE_TRAINING_LAG, :, TRAINING] if t >= REVENUE_TRAINING_LAG else 0
        log_rev = (base_rev + REVENUE_TREND * t + REVENUE_TRAINING_EFFECT * lag_train
                   + REVENUE_NOISE_SD * rng.standard_normal(n))
        revenue[t] = np.where(alive, np.round(np.exp(log_rev), 2), np.nan)
        lag_meet = counts[t - REFERRAL_MEETING_LAG, :, MEETING] if t >= REFERRAL_MEETING_LAG else 0
        rate = REFERRAL_BASE_RATE * np.exp(REFERRAL_SIZE_COEF * acc["log_size"] + REFERRAL_MEETING_EFFECT * lag_meet)
        referrals[t] = rng.poisson(rate) * alive
        u = rng.random(n)
        y, m = month_ym(t)
        due = np.flatnonzero(alive & (acc["anniversary"] == m)) if t >= RENEWAL_FIRST_ELIGIBLE_MONTH else []
        if len(due):
            n_br = counts[t - RENEWAL_WINDOW:t, due, BUSINESS_REVIEW].sum(axis=0)
            logodds = (RENEWAL_REF_LOGODDS + np.array(RENEWAL_SEGMENT_SHIFT)[acc["segment"][due]]
                       + RENEWAL_SIZE_COEF * acc["log_size"][due] + RENEWAL_BR_BETA * np.log1p(n_br))
            renewed = u[due] < 1 / (1 + np.exp(-logodds))
            value = np.round(12 * np.exp(base_rev[due] + REVENUE_TREND * t) * CONTRACT_EUR_PER_USD / 100) * 100
            renewals.append(pd.DataFrame({"i": due, "t": t, "renewed": renewed, "value": value}))
            churned = due[~renewed]
            alive[churned] = False
            for k, mean in enumerate(EXIT_CALLS_MEAN, start=1):
                exit_calls[t + k, churned] = rng.poisson(mean, size=len(churned))
    return {"counts": counts, "revenue": revenue, "referrals": referrals,
            "renewals": pd.concat(renewals, ignore_index=True)}


# -- activity exports --------------------------------------------------------------------------
def month_events(acc: dict, counts_t: np.ndarray, t: int, first_index: int, rng: np.random.Generator) -> pd.DataFrame:
    """One month's events, one row each, sorted by date, with ids numbered from first_index."""
    a, k = np.nonzero(counts_t)
    n = counts_t[a, k]
    a, k = np.repeat(a, n), np.repeat(k, n)
    m = len(a)
    days = weekdays(t)
    day = days[rng.integers(len(days), size=m)]
    order = np.lexsort((k, a, day))
    a, k, day = a[order], k[order], day[order]
    owner = acc["owner"][a]
    other = rng.random(m) < OTHER_REP_SHARE
    rep = np.where(other, (owner + 1 + rng.integers(N_REPS - 1, size=m)) % N_REPS, owner)
    duration = np.full(m, -1, dtype=np.int64)
    subject = np.zeros(m, dtype=np.int64)
    label = k * 4  # index into the flat label list: 4 slots per type (the label, then its variants)
    variant = rng.random(m) < VARIANT_SHARE
    for kk, (spec, blank) in enumerate(DURATION):
        sel = k == kk
        cnt = int(sel.sum())
        if isinstance(spec, tuple):
            values = rng.integers(spec[0], spec[1] + 1, size=cnt)
        else:
            values = np.array(spec)[rng.integers(len(spec), size=cnt)]
        duration[sel] = np.where(rng.random(cnt) < blank, -1, values)
        subject[sel] = kk * 8 + rng.integers(len(SUBJECTS[kk]), size=cnt)
        n_var = len(VARIANTS[ACTIVITY_TYPES[kk]])
        label[sel] += np.where(variant[sel], 1 + rng.integers(n_var, size=cnt), 0)
    index = first_index + np.arange(m, dtype=np.int64)
    code = (ACTIVITY_ID_MULT * (index + ACTIVITY_ID_OFFSET)) % 62**6
    digits = {f"d{j}": (code // 62 ** (5 - j)) % 62 for j in range(6)}
    return pd.DataFrame({"idx": index, **digits, "label": label, "day": day, "account": a, "rep": rep,
                         "duration": duration, "subject": subject})


def write_month(con: duckdb.DuckDBPyConnection, events: pd.DataFrame, t: int, path: Path, reps: list[str]) -> None:
    """Write one month's events as CSV lines (no header, CRLF, quoted only where needed)."""
    y, m = month_ym(t)
    labels = []
    for a_type in ACTIVITY_TYPES:
        slots = [a_type, *VARIANTS[a_type]]
        labels += slots + [a_type] * (4 - len(slots))
    subjects = []
    for pool in SUBJECTS:
        filled = [s.format(q=f"Q{(m - 1) // 3 + 1}", y=y) for s in pool]
        subjects += filled + [filled[0]] * (8 - len(filled))
    digits = " || ".join(f"substr($b62, d{j}::integer + 1, 1)" for j in range(6))
    con.register("events_month", events)
    con.execute(f"""copy (
            select $prefix || {digits} as activity_id,
                   list_extract($labels, label::integer + 1) as activity_type,
                   '{m}/' || day || '/{y}' as date,
                   'ACC-' || lpad((account + 1)::varchar, 5, '0') as account_id,
                   list_extract($reps, rep::integer + 1) as assigned_to,
                   nullif(duration, -1) as duration,
                   list_extract($subjects, subject::integer + 1) as subject
            from events_month order by idx
        ) to '{path}' (format csv, header false, new_line '\r\n')""",
                {"prefix": ACTIVITY_ID_PREFIX, "b62": BASE62, "labels": labels, "reps": reps, "subjects": subjects})
    con.unregister("events_month")


def concat_export(parts: list[Path], target: Path) -> None:
    """One export: BOM, header, then the month parts in order."""
    with target.open("wb") as out:
        out.write(("\ufeff" + ACTIVITY_HEADER + "\r\n").encode("utf-8"))
        for part in parts:
            with part.open("rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 22)


def write_activities(out: Path, acc: dict, counts: np.ndarray) -> dict:
    """The two overlapping exports and the append export; returns rows, ids and per-type counts."""
    rng = rng_for("events")
    reps = rep_names()
    parts_dir = out / "_parts"
    parts_dir.mkdir(exist_ok=True)
    con = duckdb.connect()
    con.execute("set threads = 2")
    parts, first = [], 0
    for t in range(APPEND_MONTH + 1):
        events = month_events(acc, counts[t], t, first, rng)
        first += len(events)
        parts.append(parts_dir / f"month_{t:02d}.csv")
        write_month(con, events, t, parts[-1], reps)
    con.close()
    rows = {}
    for name, lo, hi in (EXPORT_A, EXPORT_B, EXPORT_APPEND):
        concat_export(parts[lo:hi + 1], out / name)
        rows[name] = int(counts[lo:hi + 1].sum())
    shutil.rmtree(parts_dir)
    overlap = int(counts[EXPORT_B[1]:EXPORT_A[2] + 1].sum())
    return {"rows": rows, "overlap_ids": overlap,
            "unique_events": int(counts[:N_MONTHS].sum()),
            "unique_per_type": {a: int(counts[:N_MONTHS, :, k].sum()) for k, a in enumerate(ACTIVITY_TYPES)},
            "append_events": int(counts[APPEND_MONTH].sum())}


# -- other exports -----------------------------------------------------------------------------
def write_accounts(out: Path, acc: dict) -> int:
    """crm_accounts.csv: UTF-8 BOM, CRLF, every field quoted, employees with thousands separators."""
    reps = rep_names()
    with (out / ACCOUNTS_FILE).open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
        w.writerow(["Account ID", "Account Name", "Segment", "Region", "Employees", "Account Owner", "Team"])
        for i in range(len(acc["id"])):
            owner = int(acc["owner"][i])
            w.writerow([acc["id"][i], acc["name"][i], SEGMENTS[acc["segment"][i]], REGIONS[acc["region"][i]],
                        f"{int(acc['employees'][i]):,}", reps[owner], f"Team {TEAM_NAMES[owner * N_TEAMS // N_REPS]}"])
    return len(acc["id"])


def write_revenue(out: Path, acc: dict, revenue: np.ndarray) -> int:
    """monthly_revenue.csv: one row per active account-month, Windows-1252, CRLF, "$1,234.50"."""
    t, i = np.nonzero(~np.isnan(revenue))
    order = np.lexsort((t, i))
    t, i = t[order], i[order]
    frame = pd.DataFrame({"i": i, "t": t, "amount": revenue[t, i]})
    months = [f"{MONTH_ABBR[month_ym(x)[1] - 1]} {month_ym(x)[0]}" for x in range(N_MONTHS)]
    tmp = out / "_revenue_utf8.csv"
    con = duckdb.connect()
    con.register("rev", frame)
    con.register("names", pd.DataFrame({"i": np.arange(len(acc["id"])), "account_id": acc["id"],
                                        "account_name": acc["name"]}))
    con.execute(f"""copy (
            select n.account_id as "Account ID", n.account_name as "Account Name",
                   list_extract($months, r.t::integer + 1) as "Month",
                   '$' || format('{{:,.2f}}', r.amount) as "Recognized Revenue"
            from rev r join names n using (i) order by r.i, r.t
        ) to '{tmp}' (format csv, header true, new_line '\r\n')""", {"months": months})
    con.close()
    with tmp.open("r", encoding="utf-8", newline="") as src, (out / REVENUE_FILE).open(
            "w", encoding="cp1252", newline="") as dst:
        shutil.copyfileobj(src, dst, 1 << 22)
    tmp.unlink()
    return len(frame)


def eur(x: float) -> str:
    """12.400,00 € (European style, euro suffix)."""
    return f"{x:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".") + " €"


def write_renewals(out: Path, acc: dict, renewals: pd.DataFrame) -> dict:
    """renewals.csv: ';', UTF-8, LF, DD/MM/YYYY, Renewed/Churned, European amounts in EUR."""
    day = acc["anniversary_day"][renewals["i"].to_numpy()]
    dates = [(month_ym(t)[0], month_ym(t)[1], int(d)) for t, d in zip(renewals["t"], day)]
    recs = sorted(zip(dates, renewals["i"], renewals["renewed"], renewals["value"]), key=lambda r: (r[0], r[1]))
    with (out / RENEWALS_FILE).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\n")
        w.writerow(["Account", "Renewal Date", "Renewal Status", "Contract Value"])
        for (y, m, d), i, renewed, value in recs:
            w.writerow([acc["id"][i], f"{d:02d}/{m:02d}/{y}", "Renewed" if renewed else "Churned", eur(value)])
    return {"rows": len(recs), "renewed": int(renewals["renewed"].sum())}


def write_referrals(out: Path, acc: dict, referrals: np.ndarray) -> int:
    """referrals.csv.gz: gzip of UTF-8, LF, ISO dates, one row per referral (mtime 0: same bytes)."""
    rng = rng_for("files")
    t, i = np.nonzero(referrals)
    n = referrals[t, i]
    t, i = np.repeat(t, n), np.repeat(i, n)
    last_day = np.array([calendar.monthrange(*month_ym(x))[1] for x in range(N_MONTHS)])
    day = 1 + (rng.random(len(t)) * last_day[t]).astype(int)
    order = np.lexsort((i, day, t))
    company = rng.integers(len(PLACES) * len(INDUSTRIES) * len(SUFFIXES), size=len(t))
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Referral ID", "Referring Account ID", "Referral Date", "Referred Company"])
    for k, j in enumerate(order, start=1):
        y, m = month_ym(int(t[j]))
        c = int(company[j])
        w.writerow([f"REF-{k:07d}", acc["id"][i[j]], f"{y:04d}-{m:02d}-{day[j]:02d}",
                    f"{PLACES[c % len(PLACES)]} {INDUSTRIES[c // len(PLACES) % len(INDUSTRIES)]} "
                    f"{SUFFIXES[c // (len(PLACES) * len(INDUSTRIES))]}"])
    with (out / REFERRALS_FILE).open("wb") as raw, gzip.GzipFile(filename="referrals.csv", mode="wb", fileobj=raw,
                                                                mtime=0, compresslevel=6) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    return len(t)


# -- entry -------------------------------------------------------------------------------------
def generate(out: str | Path, scale: str) -> dict:
    """Write every export of one scale into out (reusing them when a matching manifest is there)."""
    out = Path(out)
    n_accounts, n_events = SCALES[scale]
    manifest_path = out / "manifest.json"
    params = {"generator_version": GENERATOR_VERSION, "seed": SEED, "scale": scale, "accounts": n_accounts,
              "target_events": n_events, "numpy": np.__version__, "duckdb": duckdb.__version__}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("params") == params and all((out / f).exists() for f in manifest["files"]):
            manifest["reused"] = True
            return manifest
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    acc = build_accounts(n_accounts)
    sim = simulate(acc, n_events)
    sim = simulate(acc, n_events, adjust=n_events / sim["counts"][:N_MONTHS].sum())  # churn: aim again
    activities = write_activities(out, acc, sim["counts"])
    rows = dict(activities["rows"])
    rows[ACCOUNTS_FILE] = write_accounts(out, acc)
    rows[REVENUE_FILE] = write_revenue(out, acc, sim["revenue"])
    renewals = write_renewals(out, acc, sim["renewals"])
    rows[RENEWALS_FILE] = renewals["rows"]
    rows[REFERRALS_FILE] = write_referrals(out, acc, sim["referrals"])
    files = {name: {"rows": n, "bytes": (out / name).stat().st_size} for name, n in rows.items()}
    manifest = {
        "params": params,
        "seconds": round(time.perf_counter() - t0, 1),
        "files": files,
        "exports": {"accounts": ACCOUNTS_FILE, "activities_a": EXPORT_A[0], "activities_b": EXPORT_B[0],
                    "revenue": REVENUE_FILE, "renewals": RENEWALS_FILE, "referrals": REFERRALS_FILE,
                    "append": EXPORT_APPEND[0]},
        "activity_rows_in_files": rows[EXPORT_A[0]] + rows[EXPORT_B[0]],
        "overlap_ids": activities["overlap_ids"],
        "unique_events": activities["unique_events"],
        "unique_per_type": activities["unique_per_type"],
        "append_events": activities["append_events"],
        "renewals_renewed": renewals["renewed"],
        "reps": N_REPS, "months": N_MONTHS, "activity_types": len(ACTIVITY_TYPES),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2))
    manifest["reused"] = False
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=list(SCALES), default="small")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    manifest = generate(args.out, args.scale)
    print(json.dumps(manifest, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
