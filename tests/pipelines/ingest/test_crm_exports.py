"""Exports as Salesforce, HubSpot, Dynamics, Pipedrive, Zoho, Outreach, Salesloft, Gong, Zendesk,
Intercom, Freshdesk, Gainsight, ChurnZero, Stripe and Chargebee write them (crm_corpus.py):
recognised with the right kind and key roles without edits, and loaded beside the sample with
exactly the rows they should add, the rest set aside and said.
"""

from __future__ import annotations

import re
import shutil

import duckdb
import pytest

from crm_corpus import CASES, SYSTEMS, CrmExport
from pipelines.db import connect
from pipelines.ingest import ingest_file, open_source
from pipelines.ingest.load import proposed_mapping

MIN_CASES = 25  # header sets the recognition must get right without edits


@pytest.fixture(scope="module")
def demo_con(demo_db, tmp_path_factory):
    """A read-only copy of the sample database, for proposals that know its accounts."""
    path = tmp_path_factory.mktemp("crm") / "demo.duckdb"
    shutil.copy(demo_db, path)
    con = connect(path)
    yield con
    con.close()


def write_case(case: CrmExport, folder) -> str:
    path = folder / case.file_name
    path.write_text(case.text(), encoding="utf-8", newline="")
    return str(path)


def key_roles(mapping) -> dict[str, str]:
    """role -> column of the mapping's key roles, named as the corpus names them."""
    out = {}
    for spec in mapping.columns:
        role = {"account_name": "account_id", "duration_minutes": "duration"}.get(spec.role, spec.role)
        if spec.role == "attribute" and spec.name == "owner":  # outside activity rows an owner describes the account
            role = "owner"
        if role in ("account_id", "date", "activity_type", "activity_id", "owner", "duration", "start_date",
                    "end_date", "event_id"):
            out[role] = spec.column
    return out


def test_the_corpus_covers_every_system_named_in_the_brief():
    assert len(CASES) >= MIN_CASES
    assert set(SYSTEMS) >= {"Salesforce", "HubSpot", "Microsoft Dynamics 365", "Pipedrive", "Zoho CRM", "Outreach", "Salesloft",
                            "Gong", "Zendesk", "Intercom", "Freshdesk", "Gainsight", "ChurnZero", "Stripe",
                            "Chargebee"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_recognised_with_its_kind_and_key_roles(case, demo_con, tmp_path):
    mapping = proposed_mapping(demo_con, open_source(write_case(case, tmp_path)))
    assert mapping.kind == case.kind
    assert key_roles(mapping) == case.roles
    for column, expected in case.values.items():
        spec = next(c for c in mapping.columns if c.column == column)
        assert (spec.role, spec.outcome_kind)[: len(expected)] == expected, column
    if case.duration_unit:
        assert mapping.role("duration_minutes").unit == case.duration_unit
    if case.activity_label:
        assert mapping.activity_label == case.activity_label


def expected_set_aside(case: CrmExport, mapping) -> int:
    """Rows with no account, rows naming an account by a name no load has (an unknown id is a new
    account, as every id-keyed export has always made one), and open deals (no close date yet)."""
    account = case.header.index(case.roles["account_id"])
    stages = [case.header.index(h) for h, role in case.values.items() if role == ("outcome", "binary")]
    stage = stages[0] if stages and case.kind == "outcomes" else None

    def still_open(value: str) -> bool:  # neither won nor lost: a deal still in the pipeline
        return not re.search(r"won|lost", value.lower())

    blank = sum(1 for r in case.rows if not r[account].strip() or (stage is not None and still_open(r[stage])))
    named_unknown = [r for r in case.rows if r[account].strip() and not (stage is not None and still_open(r[stage]))]
    unknown = case.n_unknown_account if mapping.role("account_name") else 0
    return blank + min(unknown, len(named_unknown))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_loads_its_rows_beside_the_sample_and_sets_aside_the_rest(case, demo_db, tmp_path):
    db = tmp_path / "payoff.duckdb"
    shutil.copy(demo_db, db)
    con = connect(db)
    try:
        report = ingest_file(con, write_case(case, tmp_path))
        set_aside = expected_set_aside(case, report.mapping)
        assert (report.rows_read, report.rows_rejected, report.rows_set_aside) == (len(case.rows), 0, set_aside)
        assert report.rows_loaded + report.rows_duplicate == len(case.rows) - set_aside
        notes = " | ".join(report.notes)
        if case.n_no_account:
            assert f"{case.n_no_account:,} row(s) name no account" in notes
        if case.n_unknown_account and report.mapping.role("account_name"):
            assert "not loaded yet" in notes
        if case.footer:
            assert "below the table" in notes
        if not report.mapping.role("account_name"):
            return  # an id no load has is a new account, as it always was
        # a file that names accounts adds no account: every fact row belongs to one the sample knows
        accounts = {r[0] for r in con.execute("select distinct account_id from raw_account_attributes "
                                              "where load_id < ?", [report.load_id]).fetchall()}
        for table in ("raw_activity_events", "raw_activity_counts", "raw_activity_measures", "raw_outcomes",
                      "raw_account_spans"):
            ids = {r[0] for r in con.execute(f"select distinct account_id from {table} where load_id = ?",
                                             [report.load_id]).fetchall()}
            assert ids <= accounts, (table, sorted(ids - accounts)[:3])
    finally:
        con.close()
