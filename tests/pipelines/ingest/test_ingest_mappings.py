"""Mappings: an explicit mapping wins, a wrong one is refused, a confirmed one is saved and reused."""

from __future__ import annotations

import json
from datetime import date

import pytest

from pipelines.errors import InputError, MappingError
from pipelines.ingest import Mapping, ingest_file, open_source, propose_mapping
from pipelines.ingest.mapping import saved_mapping

# "Widgets" is not an activity word and "Spend" reads as an amount; the mapping says otherwise.
FILE = "Cust,Period,Widgets,Spend,Note\nA1,2025-01,3,10.5,hi\nA2,2025-01,1,2,yo\n"
MAPPING = {
    "kind": "wide",
    "columns": [
        {"column": "Cust", "role": "account_id"},
        {"column": "Period", "role": "date"},
        {"column": "Widgets", "role": "activity", "name": "demo"},
        {"column": "Spend", "role": "measure", "name": "spend_level"},
        {"column": "Note", "role": "ignore"},
    ],
}


def facts(con):
    counts = con.execute("select account_id, period_on, activity_type, n_activities from raw_activity_counts "
                         "order by all").fetchall()
    measures = con.execute("select account_id, period_on, measure, value from raw_activity_measures "
                           "order by all").fetchall()
    return counts, measures


def test_recognition_alone_reads_the_file_differently(write):
    proposed = propose_mapping(open_source(write("x.csv", FILE)))
    assert [c.role for c in proposed.columns] != [c["role"] for c in MAPPING["columns"]]


@pytest.mark.parametrize("how", ["from_json", "load"])
def test_an_explicit_mapping_is_used(how, write, ingest, con, tmp_path):
    if how == "from_json":
        mapping = Mapping.from_json(json.loads(json.dumps(MAPPING)))
    else:
        path = tmp_path / "m.json"
        path.write_text(json.dumps(MAPPING), encoding="utf-8")
        mapping = Mapping.load(path)
    report = ingest(write("x.csv", FILE), mapping=mapping)
    assert report.kind == "wide" and report.rows_loaded == 2
    assert facts(con) == (
        [("A1", date(2025, 1, 1), "demo", 3.0), ("A2", date(2025, 1, 1), "demo", 1.0)],
        [("A1", date(2025, 1, 1), "spend_level", 10.5), ("A2", date(2025, 1, 1), "spend_level", 2.0)],
    )
    assert con.execute("select count(*) from raw_outcomes").fetchone()[0] == 0
    assert con.execute("select count(*) from raw_account_attributes").fetchone()[0] == 0
    recorded = json.loads(con.execute("select mapping_json from loads").fetchone()[0])
    assert recorded["columns"][2] == {"column": "Widgets", "role": "activity", "name": "demo"}


def test_a_mapping_naming_a_missing_column_is_refused(write, seeded, snapshot):
    before = snapshot(seeded)
    columns = MAPPING["columns"][:4] + [{"column": "Region", "role": "attribute"}]
    mapping = Mapping.from_json({**MAPPING, "columns": columns})
    with pytest.raises(InputError) as err:
        ingest_file(seeded, write("x.csv", FILE), mapping=mapping)
    assert err.value.file == "x.csv"
    assert "'Region'" in str(err.value) and str(err.value).startswith("x.csv")
    assert snapshot(seeded) == before


@pytest.mark.parametrize(
    "bad, words",
    [({"kind": "nonsense", "columns": []}, "unknown kind 'nonsense'"),
     ({"kind": "wide", "columns": [{"column": "A", "role": "boss"}]}, "unknown role 'boss'"),
     ({"kind": "activity_events", "columns": [{"column": "T", "role": "activity_type"},
                                               {"column": "D", "role": "date"}]}, "'account_id'"),
     ({"kind": "wide", "columns": [{"column": "A", "role": "account_id"}, {"column": "B", "role": "account_id"}]},
      "more than one column has the role 'account_id'"),
     ({"kind": "wide", "date_order": "ymd", "columns": [{"column": "A", "role": "account_id"},
                                                        {"column": "B", "role": "attribute"}]}, "date_order")],
    ids=["kind", "role", "events_without_account", "two_accounts", "date_order"],
)
def test_invalid_mappings_are_refused_when_read(bad, words):
    with pytest.raises(MappingError) as err:
        Mapping.from_json(bad)
    assert words in str(err.value)


def test_mapping_file_that_is_not_json_names_the_line(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"kind": "wide",\n "columns": [}', encoding="utf-8")
    with pytest.raises(MappingError) as err:
        Mapping.load(path)
    assert str(path) in str(err.value) and "line 2" in str(err.value)


def test_a_confirmed_mapping_is_saved_and_reused_for_the_same_headers_in_another_order(write, ingest, con):
    ingest(write("jan.csv", FILE), mapping=Mapping.from_json(MAPPING))
    second = write("feb.csv", "Note,Spend,Widgets,Period,Cust\nhey,7.25,4,2025-02,A1\n")
    saved = saved_mapping(con, open_source(second).header)
    assert saved is not None and saved.to_json() == Mapping.from_json(MAPPING).to_json()
    report = ingest(second)  # no mapping given: the saved one applies
    assert report.mapping.to_json() == saved.to_json()
    counts, measures = facts(con)
    assert ("A1", date(2025, 2, 1), "demo", 4.0) in counts
    assert ("A1", date(2025, 2, 1), "spend_level", 7.25) in measures


def test_a_saved_mapping_is_reused_when_the_headers_differ_in_case_and_spacing(write, ingest, con):
    ingest(write("jan.csv", FILE), mapping=Mapping.from_json(MAPPING))
    second = write("feb.csv", "note,SPEND,  widgets ,PERIOD,cust\nhey,7.25,4,2025-02,A1\n")
    assert saved_mapping(con, open_source(second).header) is not None
    report = ingest(second)
    assert report.rows_loaded == 1
    counts, measures = facts(con)
    assert ("A1", date(2025, 2, 1), "demo", 4.0) in counts
    assert ("A1", date(2025, 2, 1), "spend_level", 7.25) in measures


def test_no_mapping_is_saved_for_a_different_header_set(write, ingest, con):
    ingest(write("jan.csv", FILE), mapping=Mapping.from_json(MAPPING))
    other = open_source(write("other.csv", "Cust,Period,Widgets,Spend\nA1,2025-01,3,10.5\n"))
    assert saved_mapping(con, other.header) is None


def test_mapping_table_round_trip_keeps_words_where_the_role_stays():
    from pipelines.ingest.mapping import mapping_from_table, mapping_table

    proposal = Mapping.from_json({"kind": "outcomes", "columns": [
        {"column": "Account", "role": "account_id"},
        {"column": "Status", "role": "outcome", "name": "renewed", "outcome_kind": "binary",
         "yes": ["renewed"], "no": ["churned"], "blank": ["pending"]},
        {"column": "Value", "role": "attribute", "name": "value", "decimal": ","}]})
    table = mapping_table(proposal)
    assert list(table.columns) == ["column", "role", "name", "outcome_kind"]
    assert table.to_dict("records")[1] == {"column": "Status", "role": "outcome", "name": "renewed",
                                           "outcome_kind": "binary"}
    same = mapping_from_table(proposal, table)
    assert same.to_json() == proposal.to_json()
    table.loc[2, "role"] = "ignore"
    table.loc[1, "name"] = "kept"
    edited = mapping_from_table(proposal, table)
    assert edited.columns[1].yes == ["renewed"] and edited.columns[1].name == "kept"
    assert edited.columns[2].role == "ignore" and edited.columns[2].decimal is None
    table.loc[1, "outcome_kind"] = "count"
    recast = mapping_from_table(proposal, table)
    assert recast.columns[1].yes is None, "yes/no words belong to the binary kind they were read for"
