"""Recognition: each input kind named in the design is told apart from its headers and values."""

from __future__ import annotations

import pytest

from pipelines.ingest import open_source, propose_mapping

CASES = {
    "activity_events": (
        "Activity ID,Activity Type,Activity Date,Account ID,Assigned To,Duration (min)\n"
        "T1,Call,2025-01-03,A1,ann,15\nT2,Email,2025-01-04,A2,bob,\nT3,Meeting,2025-01-05,A1,ann,60\n",
        "activity_events",
        [("Activity ID", "activity_id", None, None), ("Activity Type", "activity_type", None, None),
         ("Activity Date", "date", None, None), ("Account ID", "account_id", None, None),
         ("Assigned To", "owner", None, None), ("Duration (min)", "duration_minutes", None, None)],
    ),
    "activity_counts_long": (
        "Account ID,Month,Activity Type,Count\nA1,2025-01,Call,3\nA1,2025-01,Email,5\nA2,2025-02,Call,1\n",
        "activity_counts",
        [("Account ID", "account_id", None, None), ("Month", "date", None, None),
         ("Activity Type", "activity_type", None, None), ("Count", "count", None, None)],
    ),
    "activity_counts_wide": (
        "Account ID,Month,Calls,Meetings,Emails\nA1,2025-01,3,1,5\nA2,2025-01,0,2,4\nA1,2025-02,1,0,2\n",
        "activity_counts",
        [("Account ID", "account_id", None, None), ("Month", "date", None, None),
         ("Calls", "activity", "calls", None), ("Meetings", "activity", "meetings", None),
         ("Emails", "activity", "emails", None)],
    ),
    "activity_measures": (
        "Account ID,Month,Avg First Response Hours,CSAT Score\n"
        "A1,2025-01,4.5,4.2\nA2,2025-01,12.25,3.9\nA1,2025-02,3.0,4.8\n",
        "activity_measures",
        [("Account ID", "account_id", None, None), ("Month", "date", None, None),
         ("Avg First Response Hours", "measure", "avg_first_response_hours", None),
         ("CSAT Score", "measure", "csat_score", None)],
    ),
    "accounts": (
        "Account ID,Account Name,Segment,Region,Employees,Owner\n"
        "A1,Acme,Enterprise,EMEA,1200,ann\nA2,Beta,SMB,NA,40,bob\nA3,Gamma,SMB,APAC,15,ann\n",
        "accounts",
        [("Account ID", "account_id", None, None), ("Account Name", "attribute", "account_name", None),
         ("Segment", "attribute", "segment", None), ("Region", "attribute", "region", None),
         ("Employees", "attribute", "employees", None), ("Owner", "attribute", "owner", None)],
    ),
    "outcome_binary_at_date": (
        "Account ID,Renewal Date,Renewal Status\nA1,2025-01-31,Renewed\nA2,2025-02-28,Churned\nA3,2025-03-31,Renewed\n",
        "outcomes",
        [("Account ID", "account_id", None, None), ("Renewal Date", "date", None, None),
         ("Renewal Status", "outcome", "renewed", "binary")],
    ),
    "outcome_amount_per_period": (
        'Account ID,Month,Revenue\nA1,2025-01,"$1,200.00"\nA2,2025-01,$950.50\nA1,2025-02,"$1,300.00"\n',
        "outcomes",
        [("Account ID", "account_id", None, None), ("Month", "date", None, None),
         ("Revenue", "outcome", "revenue", "amount")],
    ),
    "outcome_count_per_period": (
        "Account ID,Month,Referrals\nA1,2025-01,2\nA2,2025-01,0\nA1,2025-02,1\n",
        "outcomes",
        [("Account ID", "account_id", None, None), ("Month", "date", None, None),
         ("Referrals", "outcome", "referrals", "count")],
    ),
    "outcome_one_row_per_referral": (
        "Referral ID,Referring Account ID,Referral Date\nR1,A1,2025-01-10\nR2,A1,2025-02-11\nR3,A2,2025-02-20\n",
        "outcomes",
        [("Referral ID", "event_id", None, None), ("Referring Account ID", "account_id", None, None),
         ("Referral Date", "date", None, None)],
    ),
    "wide_per_account": (
        'Account ID,Segment,Calls,Meetings,Revenue,Renewed\nA1,Enterprise,12,3,"$10,000",Yes\n'
        'A2,SMB,4,0,"$2,500",No\nA3,SMB,7,1,"$3,100",Yes\n',
        "wide",
        [("Account ID", "account_id", None, None), ("Segment", "attribute", "segment", None),
         ("Calls", "activity", "calls", None), ("Meetings", "activity", "meetings", None),
         ("Revenue", "outcome", "revenue", "amount"), ("Renewed", "outcome", "renewed", "binary")],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_recognises_each_input_kind(case, write):
    text, kind, roles = CASES[case]
    mapping = propose_mapping(open_source(write(f"{case}.csv", text)))
    assert mapping.kind == kind
    assert [(c.column, c.role, c.name, c.outcome_kind) for c in mapping.columns] == roles


def test_one_row_per_referral_is_a_countable_event(write):
    text, _, _ = CASES["outcome_one_row_per_referral"]
    mapping = propose_mapping(open_source(write("referrals.csv", text)))
    assert mapping.row_event == {"outcome": "referrals"}


def test_yes_no_outcome_words_are_taken_from_the_values(write):
    text, _, _ = CASES["outcome_binary_at_date"]
    outcome = propose_mapping(open_source(write("renewals.csv", text))).columns[2]
    assert (outcome.yes, outcome.no, outcome.blank) == (["renewed"], ["churned"], None)


def test_events_without_an_id_column_say_they_cannot_be_deduplicated(write):
    mapping = propose_mapping(open_source(write(
        "events.csv", "Type,Date,Account\nCall,2025-01-01,A1\nEmail,2025-01-02,A2\n")))
    assert mapping.kind == "activity_events"
    assert mapping.role("activity_id") is None
    assert mapping.notes == ["no activity id column: rows cannot be de-duplicated across overlapping exports"]


@pytest.mark.parametrize("kind", ["activity_measures", "outcomes"])
def test_a_kind_given_by_the_user_overrides_recognition(kind, write):
    text = "Account ID,Month,Calls\nA1,2025-01,3\nA2,2025-01,4\n"
    mapping = propose_mapping(open_source(write("x.csv", text)), kind=kind)
    calls = mapping.columns[2]
    assert mapping.kind == kind
    assert calls.role == ("measure" if kind == "activity_measures" else "outcome")
