"""No grain finer than the data's own period: values recorded per month are not set into weeks.

A month's count sits in the week holding the month's first day, which starts before most of what it
counts happened, often in the month before. Planted: an 'exit call' count export where every account
that leaves gets its calls in the month it leaves, after its last renewal window. By month, the calls
fall in the event's own period and prove nothing; by week, they would land in the weeks before the
churn and come out as a strong 'negative' (they did, q≈0). By week the count export is left out, and
revenue (recorded per month) is not analysed, each with the reason.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.config import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "bench"))
import calibrate  # noqa: E402
import worlds  # noqa: E402


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    """A churn world with a monthly 'exit calls' count export: 3 in the month each account leaves, else 0."""
    folder = tmp_path_factory.mktemp("grain_world")
    worlds.simulate(worlds.WORLD_TYPES["null_churn_late_starts"], 4, folder)
    with (folder / "renewals.csv").open(encoding="utf-8") as fh:
        left = {row["Account ID"]: row["Renewal Date"][:7] for row in csv.DictReader(fh)
                if row["Renewal Status"] == "Churned"}
    with (folder / "revenue.csv").open(encoding="utf-8") as fh:  # the months each account was a customer
        months = [(row["Account ID"], row["Month"]) for row in csv.DictReader(fh)]
    with (folder / "exit_calls.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Account ID", "Month", "Exit Calls"])
        writer.writerows([account, f"{month}-01", 3 if left.get(account) == month else 0] for account, month in months)
    db = folder / "payoff.duckdb"
    files = [str(folder / f) for f in (*calibrate.FILES, "exit_calls.csv")]
    subprocess.run([str(calibrate.PAYOFF), "--db", str(db), "ingest", *files], check=True, capture_output=True)
    assert len(left) > 50
    return db


def _drivers(db: Path, grain: str) -> dict:
    done = subprocess.run([str(calibrate.PAYOFF), "--db", str(db), "drivers", "--grain", grain, "--format", "json",
                           "--no-validation"], check=True, capture_output=True, text=True)
    return {block["outcome"]: block for block in json.loads(done.stdout)["outcomes"]}


def _verdict(block: dict, activity: str) -> dict:
    return next(a for a in block["activities"] if a["activity"] == activity)


def test_by_month_the_exit_calls_prove_nothing(world):
    renewed = _drivers(world, "month")["renewed"]
    assert _verdict(renewed, "exit_calls")["verdict"] not in ("driver", "saturated", "negative")


def test_by_week_month_counts_are_left_out_and_monthly_revenue_not_analysed(world):
    blocks = _drivers(world, "week")
    exit_calls = _verdict(blocks["renewed"], "exit_calls")
    assert exit_calls["verdict"] == "not judged"
    assert exit_calls["reason"] == ("counted per month in its export: it cannot be placed in weeks (analyse by month "
                                    "or longer to judge it)")
    assert blocks["revenue"]["activities"] == [] and blocks["revenue"]["n_used"] == 0
    assert blocks["revenue"]["notes"] == [
        "revenue is recorded per month: it cannot be analysed by week (a month's value would sit in the week "
        "holding its first day, before most of the activity it follows). Analyse by month or longer"]
    # events dated by day are placed in weeks as they happened, and judged
    referrals = blocks["referrals"]
    assert referrals["n_used"] > 10_000
    assert {a["activity"] for a in referrals["activities"] if a["verdict"] != "not judged"} >= {"call", "email"}
