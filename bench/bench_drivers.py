"""Benchmark: driver analysis per outcome on a large generated panel (default 50,000 accounts × 24 months).

Generates raw facts straight into a fresh DuckDB database with a fixed seed (activity counts with
planted effects, monthly revenue, referrals, renewal events, account attributes), builds the marts
through Payoff's own SQL, then times `analyze` per outcome and reports wall time and peak memory.

    python bench/bench_drivers.py [--accounts 50000] [--months 24] [--repeat 3] [--out bench/results]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipelines.build import build  # noqa: E402
from pipelines.db import connect  # noqa: E402
from pipelines.stats.drivers import analyze  # noqa: E402

SEED = 20241
ACTIVITIES = ("call", "email", "meeting", "business_review", "training", "support_ticket")


def generate(con, n_accounts: int, n_months: int) -> None:
    """Raw facts with planted effects, written as if one load had brought them."""
    rng = np.random.default_rng(SEED)
    ids = np.array([f"ACC-{i:06d}" for i in range(n_accounts)])
    log_size = rng.normal(5.0, 1.0, n_accounts)
    segment = np.where(log_size > 5.6, "Enterprise", np.where(log_size > 4.6, "Mid-Market", "SMB"))
    region = rng.choice(["North America", "EMEA", "APAC", "LATAM"], n_accounts)
    months = pd.date_range("2024-01-01", periods=n_months, freq="MS")
    acct = np.repeat(np.arange(n_accounts), n_months)
    t = np.tile(np.arange(n_months), n_accounts)
    base = {"call": 1.2, "email": 1.4, "meeting": 0.2, "business_review": -1.6, "training": -1.2,
            "support_ticket": -0.2}
    counts = {}
    for a in ACTIVITIES:
        scale = 0.8 if a in ("call", "email") else 0.2
        lam = np.exp(base[a] + scale * (log_size[acct] - 5) + rng.normal(0, 0.3, n_accounts)[acct])
        counts[a] = rng.poisson(lam)
    frame = pd.DataFrame({"account_id": ids[acct], "t": t, **counts})
    by = frame.groupby("account_id")
    training_lag2 = by["training"].shift(2).fillna(0).to_numpy()
    meeting_lag1 = by["meeting"].shift(1).fillna(0).to_numpy()
    alpha = rng.normal(0, 0.3, n_accounts)
    revenue = np.exp(8 + alpha[acct] + (log_size[acct] - 5) + 0.04 * training_lag2 + rng.normal(0, 0.08, len(t)))
    referrals = rng.poisson(np.exp(-3.2 + 0.15 * meeting_lag1))
    long = frame.melt(id_vars=["account_id", "t"], value_vars=list(ACTIVITIES), var_name="activity_type",
                      value_name="n_activities")
    long = long[long["n_activities"] > 0]
    long["period_on"] = months[long["t"].to_numpy()]
    long["load_id"], long["source_row"] = 1, np.arange(len(long)) + 2
    con.execute("insert into raw_activity_counts select load_id, source_row, account_id, period_on::date, "
                "activity_type, n_activities from long")
    outcomes = pd.DataFrame({"account_id": ids[acct], "occurred_on": months[t], "revenue": revenue,
                             "referrals": referrals})
    con.execute("insert into raw_outcomes select 1, row_number() over () + 1, account_id, occurred_on::date, "
                "'revenue', 'amount', revenue, null from outcomes")
    con.execute("insert into raw_outcomes select 1, row_number() over () + 1, account_id, occurred_on::date, "
                "'referrals', 'count', referrals, null from outcomes where referrals > 0")
    reviews = frame.assign(w=by["business_review"].transform(lambda s: s.shift(1).rolling(6, min_periods=6).sum()))
    anniversary = rng.integers(6, 12, n_accounts)
    renew = reviews[(reviews["t"] == anniversary[acct]) | (reviews["t"] == anniversary[acct] + 12)].dropna()
    p = 1 / (1 + np.exp(-(1.0 + 0.3 * (log_size[renew.index // n_months] - 5) + 0.5 * np.log1p(renew["w"]))))
    renew = renew.assign(occurred_on=months[renew["t"].to_numpy()] + pd.Timedelta(days=14),
                         value=(rng.random(len(renew)) < p).astype(float))
    con.execute("insert into raw_outcomes select 1, row_number() over () + 1, account_id, occurred_on::date, "
                "'renewed', 'binary', value, null from renew")
    attrs = pd.DataFrame({"account_id": np.tile(ids, 3),
                          "attribute": np.repeat(["segment", "region", "employees"], n_accounts),
                          "value_text": np.concatenate([segment, region, np.round(np.exp(log_size)).astype(int).astype(str)]),
                          "value_number": np.concatenate([np.full(2 * n_accounts, np.nan), np.round(np.exp(log_size))])})
    con.execute("insert into raw_account_attributes select 1, row_number() over () + 1, account_id, attribute, "
                "value_text, value_number from attrs")
    con.execute("insert into loads (load_id, file_name, source_path, archived_path, sha256, kind, mapping_json, "
                "rows_read, rows_loaded, rows_duplicate, rows_rejected, notes_json, loaded_at, undone_at) "
                "values (1, 'generated', null, null, 'generated', 'accounts', '{}', 0, 0, 0, 0, '[]', now(), null)")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--validation", action="store_true", help="include holdout and stability checks")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb")
        t0 = time.perf_counter()
        generate(con, args.accounts, args.months)
        generated = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = build(con)
        built = time.perf_counter() - t0
        rows = []
        for outcome in ("renewed", "revenue", "referrals"):
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                out = analyze(con, outcome, validate=args.validation)
                times.append(time.perf_counter() - t0)
            rows.append({"outcome": outcome, "kind": out[0].kind, "n_used": out[0].n_used,
                         "median_seconds": round(statistics.median(times), 2),
                         "runs": [round(x, 2) for x in times]})
            print(f"{outcome:10s} n={out[0].n_used:>9,}  median {statistics.median(times):6.2f} s  "
                  f"({', '.join(f'{x:.2f}' for x in times)})", flush=True)
        con.close()
    report = {"accounts": args.accounts, "months": args.months, "panel_rows": result.n_panel_rows,
              "generate_seconds": round(generated, 1), "build_seconds": round(built, 2),
              "validation": args.validation, "outcomes": rows, "peak_rss_mb": round(peak_rss_mb()),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS")}
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "drivers.json").write_text(json.dumps(report, indent=2))
    print(f"panel {result.n_panel_rows:,} rows built in {built:.1f} s; peak RSS {report['peak_rss_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
