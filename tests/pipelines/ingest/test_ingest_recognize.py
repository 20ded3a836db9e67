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


def test_labels_like_rep_19_are_never_dates(write):
    text = ("Account ID,Owner,Tier,Team\n" + "".join(
        f"A{i},Rep {i % 20},Tier {i % 3},Team {10 + i % 5}\n" for i in range(40)))
    mapping = propose_mapping(open_source(write("accounts.csv", text)))
    assert mapping.kind == "accounts" and mapping.role("date") is None
    assert [(c.role, c.name) for c in mapping.columns[1:]] == [("attribute", "owner"), ("attribute", "segment"),
                                                                ("attribute", "team")]


def test_a_column_named_for_an_activity_is_an_activity_and_new_prescriptions_an_outcome(write):
    text = ("Account ID,Month,Sales Calls,New Prescriptions\n"
            + "".join(f"P{i % 7},2025-{1 + i % 12:02d},{i % 5},{i % 3}\n" for i in range(40)))
    mapping = propose_mapping(open_source(write("rx.csv", text)))
    assert [(c.role, c.outcome_kind) for c in mapping.columns[2:]] == [("activity", None), ("outcome", "count")]


def test_an_account_lists_customer_since_is_its_start_not_a_period(write):
    text = "Account ID,Segment,Customer Since\n" + "".join(f"A{i},SMB,2023-{1 + i % 12:02d}-{1 + i:02d}\n"
                                                           for i in range(20))
    mapping = propose_mapping(open_source(write("accounts.csv", text)))
    assert mapping.kind == "accounts"
    assert [(c.column, c.role) for c in mapping.columns] == [("Account ID", "account_id"), ("Segment", "attribute"),
                                                             ("Customer Since", "start_date")]


def test_a_count_export_named_for_an_activity_is_counts_not_one_activity_per_row(write):
    # the file name says 'calls', as a type-less call log's would; its whole-number 'Exit Calls' column says counts
    text = "Account ID,Month,Exit Calls\n" + "".join(f"A{i},2025-{1 + i % 12:02d}-01,{i % 4}\n" for i in range(30))
    mapping = propose_mapping(open_source(write("exit_calls.csv", text)))
    assert mapping.kind == "activity_counts" and mapping.activity_label is None
    assert [(c.role, c.name) for c in mapping.columns] == [("account_id", None), ("date", None),
                                                           ("activity", "exit_calls")]


@pytest.mark.parametrize("header, values, unit", [
    ("Call Duration (seconds)", ["95", "600", "30"], "seconds"),
    ("Duration", ["0:04:35", "1:02:00", "0:00:40"], "hms"),
    ("Call duration (ms)", ["95000", "600000", "30000"], "milliseconds"),
    ("Duration (min)", ["5", "60", "1"], "minutes"),
])
def test_durations_carry_their_unit(header, values, unit, write, con):
    rows = "".join(f"T{i},Call,2025-01-0{1 + i},A1,{v}\n" for i, v in enumerate(values))
    path = write("calls.csv", f"Activity ID,Activity Type,Date,Account ID,{header}\n" + rows)
    from pipelines.ingest import ingest_file
    report = ingest_file(con, path)
    assert report.mapping.role("duration_minutes").unit == unit
    minutes = [r[0] for r in con.execute("select duration_minutes from raw_activity_events order by source_row")
               .fetchall()]
    expected = {"seconds": [95 / 60, 10, 0.5], "hms": [4 + 35 / 60, 62, 40 / 60], "milliseconds": [95 / 60, 10, 0.5],
                "minutes": [5, 60, 1]}[unit]
    assert minutes == pytest.approx(expected)


def test_timestamps_with_zones_are_read_as_the_day_written(write, con):
    from pipelines.ingest import ingest_file
    text = ("Activity ID,Activity Type,Date,Account ID\nT1,Call,2025-03-04 23:05:00 UTC,A1\n"
            "T2,Call,2025-03-05T14:05:00Z,A1\nT3,Call,2025-03-06T01:00:00.000+01:00,A1\n")
    ingest_file(con, write("zones.csv", text))
    days = [str(r[0]) for r in con.execute("select occurred_on from raw_activity_events order by source_row").fetchall()]
    assert days == ["2025-03-04", "2025-03-05", "2025-03-06"]


def test_a_saved_mapping_with_an_activity_id_does_not_say_there_is_none(write, con):
    from pipelines.ingest import ingest_file
    from pipelines.ingest.load import proposed_mapping
    from pipelines.ingest.mapping import Mapping
    text = "Record ID,Activity date,Associated Company,Activity type\nR1,2025-01-02,Acme,CALL\n"
    mapping = Mapping.from_json({"kind": "activity_events", "columns": [
        {"column": "Record ID", "role": "activity_id"}, {"column": "Activity date", "role": "date"},
        {"column": "Associated Company", "role": "account_name"}, {"column": "Activity type", "role": "activity_type"}]})
    ingest_file(con, write("a.csv", text), mapping=mapping)
    again = proposed_mapping(con, open_source(write("b.csv", text.replace("R1", "R2"))))
    assert again.role("activity_id").column == "Record ID"
    assert not any("no activity id" in note for note in again.notes)


@pytest.mark.parametrize("values,currency", [
    (('"$26,671.56"', '"$22,450.40"', '"$1,200.00"'), "$"),
    (('"1.234,50 €"', '"99,00 €"', '"12,00 €"'), "€"),
    (("EUR 120", "EUR 99", "EUR 1200"), "EUR"),
    (("120.50", "99.00", "1200.00"), None),  # no currency written: none made up
])
def test_an_amount_outcome_records_the_currency_its_values_are_written_in(values, currency, write):
    rows = "".join(f"A{i},2025-0{i},{v}\n" for i, v in enumerate(values, 1))
    mapping = propose_mapping(open_source(write("revenue.csv", "Account ID,Month,Recognized Revenue\n" + rows)))
    revenue = mapping.columns[2]
    assert (revenue.role, revenue.outcome_kind, revenue.currency) == ("outcome", "amount", currency)
    assert ("currency" in revenue.to_json()) == (currency is not None)


def test_money_reads_as_people_write_it():
    from pipelines.money import money

    assert money(41800, "$", signed=True) == "+$41,800"
    assert money(-2.34e6, "€", compact=True) == "−€2.3M" and money(1200, "CHF") == "CHF 1,200"
    assert money(273_718_572, None, compact=True) == "273.7M"
    assert money(1200, None) == "1,200" and money(float("nan"), "$") == "n/a"


def test_a_referral_export_whose_referred_companies_are_customers_too_stays_referrals(write):
    # a database of many accounts holds names the referred companies also have: the column is not the referring
    # account's name (each referring account names several companies), so the file is not an accounts list
    from pipelines.ingest.recognize import KnownAccounts, account_key

    companies = [f"{town} {trade} {n} Oy" for town in ("Nordic", "Baltic", "Göteborg", "Oulu", "Turku", "Espoo")
                 for trade in ("Consulting", "Pharma", "Foods", "Logistics", "Labs", "Systems", "Energy")
                 for n in range(6)]
    rows = [f"REF-{i},ACC-{i % 40:05d},2024-{1 + i % 12:02d}-01,{companies[i % len(companies)]}" for i in range(300)]
    path = write("referrals.csv", "Referral ID,Referring Account ID,Referral Date,Referred Company\n"
                 + "\n".join(rows) + "\n")
    known = KnownAccounts(ids=frozenset(account_key(f"ACC-{i:05d}") for i in range(40)),
                          names=frozenset(account_key(c) for c in companies))
    m = propose_mapping(open_source(path), known=known)
    assert m.kind == "outcomes" and m.row_event == {"outcome": "referrals"}
    roles = {c.column: c.role for c in m.columns}
    assert roles["Referring Account ID"] == "account_id" and roles["Referred Company"] == "ignore"
