"""Calibration: how often would Payoff's verdicts be wrong in worlds with known truth?

    python bench/calibrate.py [--worlds NAME ...] [--seeds N] [--first-seed K] [--out bench/results/calibration.md]
                              [--keep DIR]

Each world (bench/worlds.py) is written as CSV exports, loaded with the real `payoff ingest` and
judged with the real `payoff drivers --format json`, as a customer would. Per world type and
outcome it reports the share of no-effect activities called driver, saturated or negative, the
share of worlds with any such false verdict, the power for the planted effect (found, with the
right sign), and how often the 95% interval of the revenue effect covers the truth. Seeded: the
same seeds give the same table. --keep DIR keeps each world's truth and verdicts
(<world>-<seed>.json) for a closer look than the table's.
"""

from __future__ import annotations

import argparse
import shutil
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import worlds  # noqa: E402

PAYOFF = Path(sys.executable).parent / "payoff"
FALSE_VERDICTS = ("driver", "saturated", "negative")
FOUND_VERDICTS = ("driver", "saturated")
FILES = ("accounts.csv", "activities.csv", "revenue.csv", "referrals.csv", "renewals.csv")
# the truth's name of each outcome by the kind payoff gives it (a CRM export names them its own way:
# 'Amount' by invoice month, referral records read as 'leads'); retention is 'renewed' or 'churned'
OUTCOMES = {"amount": "revenue", "count": "referrals", "binary": ("renewed", "churned")}


def judge(world: worlds.WorldType, seed: int, workdir: Path) -> dict:
    """Simulate one world, load it and return {'truth': ..., 'drivers': payoff drivers JSON}."""
    folder = workdir / f"{world.name}-{seed}"
    shutil.rmtree(folder, ignore_errors=True)  # a database left by an earlier run would be added to, not replaced
    truth = worlds.simulate(world, seed, folder)
    db = folder / "payoff.duckdb"
    subprocess.run([str(PAYOFF), "--db", str(db), "ingest", *[str(folder / f) for f in FILES if (folder / f).exists()],
                    "--format", "json",
                    "--no-analysis"],  # judged by `payoff drivers` below: the dashboard's stored analysis is not needed
                   check=True, capture_output=True, text=True)
    done = subprocess.run([str(PAYOFF), "--db", str(db), "drivers", "--format", "json", "--no-validation"],
                          check=True, capture_output=True, text=True)
    return {"seed": seed, "truth": truth, "drivers": json.loads(done.stdout)}


def tally(results: list[dict]) -> dict:
    """Per outcome: false verdicts among no-effect activities, worlds with any, power and coverage."""
    out = defaultdict(lambda: {"null_tests": 0, "false": 0, "worlds": 0, "worlds_false": 0, "effect_tests": 0,
                               "found": 0, "covered": 0, "coverage_tests": 0, "declined": 0, "calls": []})
    for result in results:
        truth = result["truth"]
        for block in result["drivers"]["outcomes"]:
            name = OUTCOMES.get(block["kind"])
            if isinstance(name, tuple):
                name = next((n for n in name if n in truth.effects), None)
            if name is None:
                continue
            row = out[name]
            row["worlds"] += 1
            any_false = False
            for finding in block["activities"]:
                label = finding["label"]
                effect = truth.effects[name].get(label)
                if effect is None:
                    continue
                verdict = finding["verdict"]
                if verdict in ("not judged", "too few accounts to judge"):
                    row["declined"] += 1
                if effect == 0:
                    row["null_tests"] += 1
                    if verdict in FALSE_VERDICTS:
                        row["false"] += 1
                        any_false = True
                        row["calls"].append({"seed": result["seed"], "activity": label, "verdict": verdict,
                                             "adjusted_p": finding.get("adjusted_p_value"),
                                             "estimate": (finding.get("effect") or {}).get("estimate")})
                else:
                    row["effect_tests"] += 1
                    est = (finding.get("effect") or {}).get("estimate")
                    right = FOUND_VERDICTS if effect > 0 else ("negative",)  # fewer churns: a 'negative'
                    if verdict in right and est is not None and (est > 0) == (effect > 0):
                        row["found"] += 1
                    if name == "revenue" and finding.get("effect") and finding["effect"].get("low") is not None:
                        row["coverage_tests"] += 1
                        row["covered"] += finding["effect"]["low"] <= effect <= finding["effect"]["high"]
            row["worlds_false"] += any_false
    return out


def table(by_world: dict[str, dict]) -> str:
    lines = ["| world | outcome | no-effect activities called driver/saturated/negative | worlds with any | "
             "power for the planted effect | 95% interval covers the truth |", "|---|---|---|---|---|---|"]
    for world, outcomes in by_world.items():
        for outcome, r in sorted(outcomes.items()):
            share = f"{r['false'] / r['null_tests']:.1%} ({r['false']}/{r['null_tests']})" if r["null_tests"] else "–"
            worlds_any = f"{r['worlds_false'] / r['worlds']:.0%} ({r['worlds_false']}/{r['worlds']})"
            power = f"{r['found'] / r['effect_tests']:.0%} ({r['found']}/{r['effect_tests']})" if r["effect_tests"] else "–"
            cover = (f"{r['covered'] / r['coverage_tests']:.0%} ({r['covered']}/{r['coverage_tests']})"
                     if r["coverage_tests"] else "–")
            lines.append(f"| {world} | {outcome} | {share} | {worlds_any} | {power} | {cover} |")
    return "\n".join(lines)


def false_calls(by_world: dict[str, dict]) -> str:
    """Every no-effect activity that got a verdict, so a reader sees which verdict and how firm."""
    lines = ["| world | seed | outcome | activity | verdict | adjusted p | estimate |", "|---|---|---|---|---|---|---|"]
    for world, outcomes in by_world.items():
        for outcome, r in sorted(outcomes.items()):
            for call in r["calls"]:
                adjusted = f"{call['adjusted_p']:.3g}" if call["adjusted_p"] is not None else "–"
                est = f"{call['estimate']:+.3g}" if call["estimate"] is not None else "–"
                lines.append(f"| {world} | {call['seed']} | {outcome} | {call['activity']} | {call['verdict']} | {adjusted} | {est} |")
    return "\n".join(lines) if len(lines) > 2 else "None."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", nargs="+", default=list(worlds.WORLD_TYPES), choices=list(worlds.WORLD_TYPES))
    parser.add_argument("--seeds", type=int, default=10, help="worlds per type (seeds K..K+N-1)")
    parser.add_argument("--first-seed", type=int, default=1, help="K: more seeds beside an earlier run's")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "calibration.md")
    parser.add_argument("--keep", type=Path, help="write each world's truth and `payoff drivers` JSON here")
    args = parser.parse_args(argv)
    by_world, started = {}, time.time()
    with tempfile.TemporaryDirectory(prefix="payoff-calibrate-") as tmp:
        for name in args.worlds:
            seeds = range(args.first_seed, args.first_seed + args.seeds)
            results = [judge(worlds.WORLD_TYPES[name], seed, Path(tmp)) for seed in seeds]
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                for r in results:
                    (args.keep / f"{name}-{r['seed']}.json").write_text(json.dumps(
                        {"truth": asdict(r["truth"]), "drivers": r["drivers"]}, indent=1), encoding="utf-8")
            by_world[name] = tally(results)
            print(f"{name}: done ({time.time() - started:.0f} s)", file=sys.stderr, flush=True)
    which = "" if args.first_seed == 1 else f": seeds {args.first_seed}–{args.first_seed + args.seeds - 1}"
    text = (f"# Calibration ({args.seeds} seeds per world type{which}, {time.time() - started:.0f} s)\n\n"
            + table(by_world) + "\n\n## The false calls, one by one\n\n" + false_calls(by_world) + "\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
