"""Report exports at their edges: footers after multi-line notes, titles with commas or padded with
semicolons, a last data row that reads like a footer, time zones in US dates, an id column beside a
name that happens to match, column names that are years, and deals still in the pipeline."""

from __future__ import annotations

import pytest

from pipelines.ingest import ingest_file, open_source
from pipelines.ingest.load import choose_mapping
from pipelines.errors import InputError

EVENTS = "Activity ID,Activity Type,Date,Account ID,Assigned To,Notes\n"


@pytest.fixture
def seeded(con, write):
    ingest_file(con, write("accounts.csv", "Account ID,Account Name,Segment\nACC-1,O'Connell & Tanaka Pty Ltd,SMB\n"
                                           "ACC-2,Baker Stone & Partners,SMB\nACC-3,Dubois Insurance,SMB\n"))
    return con


def test_a_footer_after_multi_line_notes_is_skipped(seeded, write):
    text = (EVENTS.replace("\n", "\r\n") + 'M1,Call,2025-03-01,ACC-1,Bob,"line one\r\nline two"\r\nM2,Call,2025-03-02,ACC-2,Bob,"a\r\nb\r\nc"\r\n'
            "M3,Call,2025-03-03,ACC-3,Ann,plain\r\n\r\n" + '"Grand Totals (3 records)",,,,,\r\n'
            '"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved.",,,,,\r\n')
    report = ingest_file(seeded, write("report.csv", text))
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 3, 0)
    assert any("2 report line(s) below the table" in n for n in report.notes)


@pytest.mark.parametrize("title", ["Activities by Owner, Q1 2025", "Activities Report;;;;;", "Activities Report|||||"])
def test_a_title_above_the_table_is_never_its_header(title, seeded, write):
    sep = ";" if ";" in title else "|" if "|" in title else ","
    text = title + "\n\n" + EVENTS.replace(",", sep) + f"E1{sep}Call{sep}2025-03-01{sep}ACC-1{sep}Bob{sep}x\n" \
        + f"E2{sep}Email{sep}2025-03-02{sep}ACC-2{sep}Bob{sep}y\n"
    report = ingest_file(seeded, write("titled.csv", text))
    assert (report.kind, report.rows_loaded) == ("activity_events", 2)
    assert report.notes[0].startswith("the table starts at row 3")


def test_a_last_row_with_a_footer_word_that_fills_the_row_is_data(seeded, write):
    report = ingest_file(seeded, write("accounts2.csv", "Account ID,Account Name\nACC-9,New Co\nACC-10,Total Wine & More\n"))
    assert report.rows_read == 2 and not any("below the table" in n for n in report.notes)


def test_us_dates_with_a_time_zone_are_read(seeded, write):
    text = ("Call ID,Title,Started,Duration,Host,Account\nC1,Intro,3/14/2025 2:05 PM PST,1:05:30,Bob,ACC-1\n"
            "C2,Demo,3/15/2025 9:00 AM PST,0:30:00,Bob,ACC-2\n")
    report = ingest_file(seeded, write("gong-calls.csv", text))
    assert (report.rows_loaded, report.rows_rejected) == (2, 0)
    assert seeded.execute("select min(occurred_on)::varchar, sum(duration_minutes) from raw_activity_events").fetchone() \
        == ("2025-03-14", 95.5)


def test_an_id_column_is_kept_when_a_name_beside_it_happens_to_match(seeded, write):
    text = ("Account ID,Account Name,Segment\nACC-91,OConnell  Tanaka PTY. LTD.,SMB\nACC-92,Zeta Widgets,SMB\n"
            "ACC-93,Eta Widgets,SMB\nACC-94,Theta Widgets,SMB\n")
    report = ingest_file(seeded, write("twin.csv", text))
    assert report.mapping.role("account_id").column == "Account ID"
    assert (report.rows_loaded, report.rows_set_aside) == (4, 0)


def test_years_as_column_names_are_not_a_missing_header(seeded, write):
    path = write("by_year.csv", "Account ID,Region,2024,2025\nACC-1,EMEA,1200,1500\nACC-2,APAC,800,900\n")
    assert choose_mapping(seeded, open_source(path), None, None).kind == "accounts"


def test_a_data_row_read_as_the_header_is_refused(seeded, write):
    with pytest.raises(InputError, match="is the header row missing"):
        ingest_file(seeded, write("nohead.csv", "N1,Call,1/6/2025,ACC-1\nN2,Email,1/7/2025,ACC-2\n"))


def test_deals_count_when_won_or_lost_and_amounts_only_when_won(seeded, write):
    text = ("Opportunity Owner,Account Name,Opportunity Name,Stage,Amount,Probability (%),Close Date\n"
            'Bob,Baker Stone & Partners,D1,Closed Won,"$1,000.00",100%,3/1/2025\n'
            "Bob,Dubois Insurance,D2,Closed Lost,$500.00,0%,3/2/2025\n"
            "Ann,O'Connell & Tanaka Pty. Ltd.,D3,Negotiation/Review,$700.00,60%,4/30/2025\n"
            "Ann,,D4,Prospecting,$700.00,10%,\n")
    report = ingest_file(seeded, write("opportunities.csv", text))
    assert (report.rows_read, report.rows_loaded, report.rows_set_aside) == (4, 2, 2)
    rows = seeded.execute("select account_id, outcome, value from raw_outcomes order by all").fetchall()
    assert rows == [("ACC-2", "amount", 1000.0), ("ACC-2", "won", 1.0), ("ACC-3", "won", 0.0)]


NAMES = ["O'Connell & Tanaka Pty. Ltd.", "oconnell & tanaka pty ltd", "Café Müller GmbH", "  ACME, Inc. ", "Ibáñez S.L.",
         "Schäfer & Peña K.K.", "Zoë-Keller (EMEA)", "", "12 Monkeys Ltd"]


def test_account_names_are_compared_alike_in_python_and_in_sql(con):
    from pipelines.db import sql_text
    from pipelines.ingest.recognize import account_key

    con.execute(sql_text("macros.sql"))
    in_sql = [con.execute("select pf_account_key(?)", [name]).fetchone()[0] for name in NAMES]
    assert in_sql == [account_key(name) for name in NAMES]
    assert in_sql[0] == in_sql[1] == "oconnelltanakaptyltd"


def test_an_open_stage_first_met_after_the_rows_looked_at_is_open_not_a_failure(seeded, write):
    # the Maven CRM pipeline export: sorted so that 'Prospecting' first appears after the sample recognition reads
    from pipelines.ingest.source import SAMPLE_ROWS

    head = "".join(f"D{i},ACC-1,{('Won', 'Lost', 'Engaging')[i % 3]},2025-0{1 + i % 9}-15,100\n" for i in range(SAMPLE_ROWS))
    tail = "".join(f"P{i},ACC-2,Prospecting,,\n" for i in range(400))
    report = ingest_file(seeded, write("sales_pipeline.csv", "opportunity_id,account,deal_stage,close_date,close_value\n"
                                       + head + tail))
    assert report.rows_rejected == 0
    assert report.rows_set_aside == SAMPLE_ROWS // 3 + 400  # every open deal, the late stage among them


def test_report_lines_ending_in_lf_above_a_crlf_table_lose_no_row(seeded, write):
    # a title typed in another tool (LF) above a CRLF export: DuckDB alone reads no row of such a file
    def report(second_date: str) -> str:
        return ('"Activities with Accounts"\n"Filtered By:"\n\n' + EVENTS.replace("\n", "\r\n")
                + f"R1,Call,2025-03-01,ACC-1,Bob,x\r\nR2,Call,{second_date},ACC-2,Bob,y\r\n"
                + "R3,Email,2025-03-03,ACC-3,Ann,z\r\n" + '\r\n"Grand Totals (3 records)"\r\n')

    # a bad value is named at its spreadsheet row: title, filter, blank line, header, R1, then R2 at row 6
    with pytest.raises(InputError, match=r"mixed\.csv, row 6, column 'Date': '2025-13-02' is not a date"):
        ingest_file(seeded, write("mixed.csv", report("2025-13-02")))
    loaded = ingest_file(seeded, write("mixed.csv", report("2025-03-02")))
    assert (loaded.rows_read, loaded.rows_loaded, loaded.rows_rejected) == (3, 3, 0)
    assert any("2 report line(s) above its header" in n for n in loaded.notes)
