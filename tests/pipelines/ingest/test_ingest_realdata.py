"""Real public exports (../shared/datasets): every row loads and the outcomes are recognised.

Expected counts were taken from the files with Python's csv module, independently of Payoff.
"""

from __future__ import annotations

import pytest

from pipelines.ingest import open_source, propose_mapping

pytestmark = pytest.mark.realdata

BANK_FULL = "bank_marketing/bank-full.csv"
BANK_ADDITIONAL = "bank_marketing/bank-additional-full.csv.gz"
TELCO = "telco_churn_maven/telecom_customer_churn.csv"


def dataset(datasets, relative):
    path = datasets / relative
    if not path.is_file():
        pytest.skip(f"{relative} not found in {datasets}")
    return path


@pytest.mark.parametrize("relative", [BANK_FULL, BANK_ADDITIONAL])
def test_bank_marketing_is_recognised_as_one_row_per_client(relative, datasets):
    source = open_source(dataset(datasets, relative))
    assert (source.delimiter, source.compressed) == (";", relative.endswith(".gz"))
    mapping = propose_mapping(source)
    by_column = {c.column: c for c in mapping.columns}
    assert mapping.kind == "wide"
    assert mapping.role("account_id") is None and mapping.role("date") is None
    assert "no account column found: each row is read as its own account" in mapping.notes
    y = by_column["y"]
    assert (y.role, y.outcome_kind, y.yes, y.no) == ("outcome", "binary", ["yes"], ["no"])
    assert (by_column["campaign"].role, by_column["campaign"].name) == ("activity", "campaign")
    assert [c.column for c in mapping.columns if c.role == "outcome"] == ["y"]


@pytest.mark.parametrize(
    "relative, n_rows, n_yes, n_calls",
    [
        (BANK_FULL, 45_211, 5_289, 124_956),
        pytest.param(BANK_ADDITIONAL, 41_188, 4_640, 105_754),
    ],
    ids=["bank-full", "bank-additional-full"],
)
def test_bank_marketing_loads_every_client(relative, n_rows, n_yes, n_calls, datasets, ingest, con):
    report = ingest(dataset(datasets, relative))
    assert (report.rows_read, report.rows_loaded, report.rows_duplicate, report.rows_rejected) == (n_rows, n_rows, 0, 0)
    assert con.execute("select count(*), count(distinct account_id), sum(value) from raw_outcomes "
                       "where outcome = 'y' and outcome_kind = 'binary'").fetchone() == (n_rows, n_rows, n_yes)
    assert con.execute("select count(*), sum(n_activities) from raw_activity_counts "
                       "where activity_type = 'campaign'").fetchone() == (n_rows, n_calls)


def test_telco_churn_loads_every_customer_with_three_outcome_kinds(datasets, ingest, con):
    report = ingest(dataset(datasets, TELCO))
    assert (report.rows_read, report.rows_loaded, report.rows_duplicate, report.rows_rejected) == (7_043, 7_043, 0, 0)
    by_column = {c.column: c for c in report.mapping.columns}
    # the file's header spells it "CustomerID" (no space)
    assert report.mapping.role("account_id").column == "CustomerID"
    assert (by_column["Number of Referrals"].role, by_column["Number of Referrals"].outcome_kind) == ("outcome", "count")
    assert (by_column["Total Revenue"].role, by_column["Total Revenue"].outcome_kind) == ("outcome", "amount")
    status = by_column["Customer Status"]
    assert (status.role, status.outcome_kind, status.yes, status.no, status.blank) == (
        "outcome", "binary", ["stayed"], ["churned"], ["joined"])
    assert "'Customer Status': value(s) 'joined' read as no outcome (neither yes nor no)" in report.notes

    outcomes = dict((r[0], r[1:]) for r in con.execute(
        "select outcome_kind, count(*), count(distinct account_id), round(sum(value), 2) from raw_outcomes "
        "group by outcome_kind").fetchall())
    assert outcomes == {
        "count": (7_043, 7_043, 13_747.0),  # Number of Referrals
        "amount": (7_043, 7_043, 21_371_131.69),  # Total Revenue
        "binary": (6_589, 6_589, 4_720.0),  # Stayed 4,720 yes + Churned 1,869 no; Joined 454 left out
    }
    assert con.execute("select value from raw_outcomes where account_id = '0002-ORFBO' and outcome_kind = 'amount'"
                       ).fetchone() == (974.81,)
