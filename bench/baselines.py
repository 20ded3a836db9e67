"""The two reference paths the benchmark compares Payoff's ingest + build against.

    python bench/baselines.py duckdb --a A.csv --b B.csv --accounts crm_accounts.csv --out result.duckdb
    python bench/baselines.py pandas --a A.csv --b B.csv --accounts crm_accounts.csv --out result.parquet

Both do the same work on the same files: read both activity exports, de-duplicate on the activity
id (the later export's row wins, as in Payoff), key the activity type the way Payoff does (case
and separators ignored), count activities per account × month × type, join the account
attributes, and persist the result. Each prints its totals as JSON on stdout so the benchmark can
check that every path counted the same activities.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

# Payoff's activity key (pipelines/sql/staging/stg_activity_events.sql): lower case, runs of other
# characters to '_', no leading or trailing '_'.
DUCKDB_KEY = "trim(regexp_replace(lower(trim(activity_type)), '[^a-z0-9]+', '_', 'g'), '_')"
ACTIVITY_COLUMNS = ("{'activity_id': 'VARCHAR', 'activity_type': 'VARCHAR', 'occurred_on': 'DATE', "
                    "'account_id': 'VARCHAR', 'assigned_to': 'VARCHAR', 'duration_minutes': 'DOUBLE', "
                    "'subject': 'VARCHAR'}")


def bare_duckdb(a: str, b: str, accounts: str, out: str) -> dict:
    """read_csv both exports, de-duplicate, group by account × month × type, join accounts, persist."""
    import duckdb

    con = duckdb.connect(out)
    read = (f"read_csv(?, header = true, columns = {ACTIVITY_COLUMNS}, dateformat = '%m/%d/%Y', "
            "delim = ',', quote = '\"')")
    con.execute(f"""
        create table activity_counts as
        with events as (
            select activity_id, activity_type, occurred_on, account_id, 1 as file_no from {read}
            union all
            select activity_id, activity_type, occurred_on, account_id, 2 as file_no from {read}
        ),
        latest as (
            select * from events
            qualify row_number() over (partition by activity_id order by file_no desc) = 1
        ),
        counted as (
            select account_id, date_trunc('month', occurred_on)::date as month_on, {DUCKDB_KEY} as activity_key,
                   count(*) as n_activities
            from latest
            group by all
        ),
        accounts as (
            select "Account ID" as account_id, "Segment" as segment, "Region" as region,
                   replace("Employees", ',', '')::integer as employees, "Account Owner" as owner, "Team" as team
            from read_csv(?, header = true, all_varchar = true)
        )
        select c.*, a.segment, a.region, a.employees, a.owner, a.team
        from counted c left join accounts a using (account_id)""", [a, b, accounts])
    totals = con.execute("""select activity_key, sum(n_activities)::bigint, count(*) from activity_counts
                            group by activity_key order by activity_key""").fetchall()
    unmatched = con.execute("select count(*) from activity_counts where segment is null").fetchone()[0]
    con.close()
    return _totals({k: n for k, n, _ in totals}, sum(g for _, _, g in totals), unmatched)


def plain_pandas(a: str, b: str, accounts: str, out: str) -> dict:
    """pd.read_csv both exports, concat, drop_duplicates keep='last', groupby size, merge accounts, to_parquet."""
    import pandas as pd

    events = pd.concat([pd.read_csv(a), pd.read_csv(b)], ignore_index=True)
    events = events.drop_duplicates("Activity ID", keep="last")
    events["month"] = pd.to_datetime(events["Date"], format="%m/%d/%Y").dt.to_period("M").dt.to_timestamp()
    events["activity_key"] = (events["Activity Type"].str.strip().str.lower()
                              .str.replace(r"[^a-z0-9]+", "_", regex=True).str.strip("_"))
    counts = events.groupby(["Account ID", "month", "activity_key"]).size().rename("n_activities").reset_index()
    acc = pd.read_csv(accounts, thousands=",")
    result = counts.merge(acc.drop(columns=["Account Name"]), on="Account ID", how="left")
    result.to_parquet(out)
    per_type = result.groupby("activity_key")["n_activities"].sum()
    return _totals({k: int(v) for k, v in per_type.items()}, len(result), int(result["Segment"].isna().sum()))


def _totals(per_type: dict, n_groups: int, unmatched: int) -> dict:
    return {"events": int(sum(per_type.values())), "per_type": dict(sorted(per_type.items())),
            "groups": int(n_groups), "groups_without_account": int(unmatched)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", choices=("duckdb", "pandas"))
    parser.add_argument("--a", required=True, help="the earlier activity export")
    parser.add_argument("--b", required=True, help="the later activity export (wins on repeated ids)")
    parser.add_argument("--accounts", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    run = bare_duckdb if args.path == "duckdb" else plain_pandas
    totals = run(args.a, args.b, args.accounts, args.out)
    totals["seconds_in_process"] = round(time.perf_counter() - t0, 3)
    print(json.dumps(totals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
