"""A corpus of bad and awkward CRM exports, each with the outcome Payoff must produce.

Every case is built here from code, byte by byte, so the encoding, BOM, delimiter, line
endings and damage under test are exactly what the case says; the large ones are written
by a function at test time. The shapes are those of real exports (see sample_data/): the
activity export whose mapping the demo database already saved, a HubSpot-style engagement
export, monthly revenue, semicolon renewals with decimal commas, account lists and wide
activity counts. Activity ids, accounts and months are new to the demo database, so a
loaded case adds rows and duplicates only where a case says so.

A case is either `loaded` (exact counts, every rejected row, notes, and values checked in
the raw tables) or `refused` (the row, column and words the one-line message must hold).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

# What the product issue lists; every item must be covered by at least one case.
ITEMS = (
    "wrong header", "missing header", "duplicate header", "mixed delimiters", "open quote", "embedded newline",
    "windows-1252", "utf-16", "bom in the middle", "date out of range", "ambiguous date", "negative count",
    "fractional count", "huge number", "empty file", "header only", "binary data", "zip renamed", "1 GB file",
    "sql header", "formula =", "formula +", "formula -", "formula @",
)

EVENT_HEADER = ["Activity ID", "Activity Type", "Date", "Account ID", "Assigned To", "Duration (min)", "Subject"]
ENGAGEMENT_HEADER = ["Engagement ID", "Engagement Type", "Created Date", "Company ID", "Owner", "Notes"]
REVENUE_HEADER = ["Account ID", "Account Name", "Month", "Recognized Revenue"]
ACCOUNT_HEADER = ["Account ID", "Account Name", "Segment", "Region", "Employees", "Account Owner", "Team"]
RENEWAL_HEADER = ["Account", "Renewal Date", "Renewal Status", "Contract Value"]
COUNT_HEADER = ["Account ID", "Month", "Calls", "Meetings", "Emails"]
TYPES = ("Call", "Email", "Meeting", "Demo")
OWNERS = ("Elif Aydin", "Felix Brandt", "Laura Fischer")
FIRST_DAY = date(2025, 1, 6)
ONE_GB = 10**9  # bytes in the '1 GB' export (decimal gigabyte, as disks and upload limits count)


@dataclass(frozen=True)
class Check:
    """A query on the database after the load ($load_id bound) and the rows it must return."""

    sql: str
    rows: list[tuple]


@dataclass(frozen=True)
class Case:
    """One export and what loading it must do."""

    name: str  # the test id
    file_name: str
    covers: tuple[str, ...]  # items of ITEMS this case exercises (none for other realistic damage)
    outcome: str  # 'loaded' or 'refused'
    data: bytes | None = None
    writer: Callable[[Path], None] | None = None  # writes a large file instead of `data`
    kind: str | None = None  # the kind hint given with the file (--kind)
    # refused: the message names the file, and this row and column (None: the message names none)
    row: int | None = None
    column: str | None = None
    words: str = ""  # must appear in the message
    # loaded: (read, loaded, duplicate, rejected), every reject as (row, column, reason), notes, checks
    counts: tuple[int, int, int, int] | None = None
    rejects: tuple[tuple[int, str, str], ...] = ()
    notes: tuple[str, ...] = ()  # each must appear in some note of the load
    checks: tuple[Check, ...] = ()
    page: bool = False  # also uploaded through the Data page
    subprocess: bool = False  # also run through the installed `payoff` command
    slow: bool = False

    def __post_init__(self):
        if self.outcome not in ("loaded", "refused") or (self.data is None) == (self.writer is None):
            raise ValueError(f"case {self.name}: outcome must be loaded or refused, and exactly one of data/writer")
        if self.outcome == "loaded" and self.counts is None:
            raise ValueError(f"case {self.name}: a loaded case states its counts")
        if self.outcome == "loaded" and self.counts[3] != len({r for r, _, _ in self.rejects}):
            raise ValueError(f"case {self.name}: every rejected row must be listed")
        unknown = set(self.covers) - set(ITEMS)
        if unknown:
            raise ValueError(f"case {self.name}: unknown items {unknown}")

    def write(self, folder: Path) -> Path:
        """The export written into folder under its file name."""
        path = Path(folder) / self.file_name
        if self.writer is not None:
            self.writer(path)
        else:
            path.write_bytes(self.data)
        return path


# -- building blocks ------------------------------------------------------------------------


def table(header: list[str], rows: list[list[str]], *, delimiter: str = ",", newline: str = "\n") -> str:
    """CSV text quoted as spreadsheet programs write it (only where needed)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def us_date(day: date) -> str:
    return f"{day.month}/{day.day}/{day.year}"


def event_rows(n: int, tag: str) -> list[list[str]]:
    """Rows of the demo's activity export shape, with activity ids new to the demo database."""
    return [[f"00T{tag}{i:05d}", TYPES[i % 4], us_date(FIRST_DAY + timedelta(days=3 * i)),
             f"ACC-{(37 * i) % 600 + 1:05d}", OWNERS[i % 3], str(5 + i % 55), f"Follow-up call {i}"]
            for i in range(n)]


def engagement_rows(n: int, tag: str) -> list[list[str]]:
    """Rows of a HubSpot-style engagement export (ISO timestamps, numeric company ids)."""
    return [[f"{tag}{9000 + i}", ("CALL", "EMAIL", "MEETING")[i % 3],
             f"{FIRST_DAY + timedelta(days=2 * i)}T{9 + i % 8:02d}:15:00", f"ACC-{(11 * i) % 600 + 1:05d}",
             OWNERS[i % 3], f"note {i}"] for i in range(n)]


def revenue_rows(n: int) -> list[list[str]]:
    """Monthly revenue in 2026 (after the demo's months), dollars with thousands separators."""
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun")
    return [[f"ACC-{i % 600 + 1:05d}", f"Account {i}", f"{months[i % 6]} 2026", f"${1000 + 37 * i:,}.50"]
            for i in range(n)]


def account_rows(n: int, first: int = 90001) -> list[list[str]]:
    """Accounts new to the demo database."""
    return [[f"ACC-{first + i}", f"Northwind {i} Ltd", ("SMB", "Mid-Market", "Enterprise")[i % 3],
             ("EMEA", "APAC", "North America")[i % 3], str(40 + i), OWNERS[i % 3], "Team Cirrus"] for i in range(n)]


def count_rows(n: int) -> list[list[str]]:
    return [[f"ACC-{i % 600 + 1:05d}", f"2026-{i % 12 + 1:02d}", str(i % 9), str(i % 4), str(i % 13)]
            for i in range(n)]


def with_row(rows: list[list[str]], index: int, **cells: str) -> list[list[str]]:
    """A copy of rows with some cells of one row replaced, by header position name c0, c1, ..."""
    out = [list(r) for r in rows]
    for key, value in cells.items():
        out[index][int(key[1:])] = value
    return out


def zip_of(name: str, text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, text)
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    """The skeleton of an Excel workbook: what a .xlsx saved under a .csv name starts with."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        book.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook><sheets><sheet name="Activities"/>'
                                         "</sheets></workbook>")
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>")
    return buf.getvalue()


def png_bytes() -> bytes:
    rng = random.Random(7)
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(3000))


def pdf_bytes() -> bytes:
    rng = random.Random(11)
    stream = bytes(rng.randrange(256) for _ in range(2000))
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 2000 /Filter /FlateDecode >>\nstream\n" + stream


def load_sql(table_name: str, columns: str, where: str = "", *, order: str | None = "source_row",
             limit: int | None = None) -> str:
    """A check query over one raw table, for this load's rows only."""
    sql = f"select {columns} from {table_name} where load_id = $load_id"
    sql += f" and {where}" if where else ""
    sql += f" order by {order}" if order else ""
    return sql + (f" limit {limit}" if limit else "")


# -- large files --------------------------------------------------------------------------------

LARGE_ROWS = 60_000  # rows of the generated mid-size export (~5 MB): past every sample and chunk size
LARGE_BAD_ROW = LARGE_ROWS - 3 + 2  # spreadsheet row of the one bad date, near the end (header is row 1)


def write_large_events(path: Path) -> None:
    """A 5 MB activity export with one impossible date three rows before the end."""
    rows = [[f"00TL{i:07d}", TYPES[i % 4], us_date(FIRST_DAY + timedelta(days=i % 400)), f"ACC-{i % 600 + 1:05d}",
             OWNERS[i % 3], str(5 + i % 55), f"Quarterly check-in {i}"] for i in range(LARGE_ROWS)]
    rows[LARGE_ROWS - 3][2] = "2/30/2025"
    path.write_text(table(EVENT_HEADER, rows), encoding="utf-8")


def write_open_quote_export(path: Path) -> None:
    """A 2 MB activity export whose fourth row opens a quote it never closes: the rest is one 'value'."""
    rows = event_rows(25_000, "Q")
    text = table(EVENT_HEADER, rows)
    lines = text.split("\n")
    lines[3] = lines[3].replace("Follow-up", '"Follow-up', 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def write_long_note_in_row(row: int, size: int) -> Callable[[Path], None]:
    """A writer of a 10-row activity export whose subject in `row` (a spreadsheet row) is `size` bytes long."""
    def write(path: Path) -> None:
        rows = event_rows(10, "X")
        rows[row - 2][6] = "pasted e-mail thread " + "x" * size
        path.write_text(table(EVENT_HEADER, rows), encoding="utf-8")
    return write


GIGABYTE_MIN_ROW_BYTES = 82  # the shortest row write_gigabyte_export writes: this many bytes per row at least
GIGABYTE_ROWS = -(-ONE_GB // GIGABYTE_MIN_ROW_BYTES)  # so the file is at least 1 GB (about 1.07 GB)
GIGABYTE_BAD_ROW = GIGABYTE_ROWS - 100 + 2  # spreadsheet row of the one impossible date, 100 rows before the end


def write_gigabyte_export(path: Path) -> None:
    """An activity export of at least 1 GB with one impossible date 100 rows before the end (DuckDB writes it
    in seconds)."""
    con = duckdb.connect()
    try:
        con.execute(f"""copy (
            select '00TG' || lpad(i::varchar, 10, '0') as "Activity ID",
                   ['Call', 'Email', 'Meeting', 'Demo'][i % 4 + 1] as "Activity Type",
                   case when i = {GIGABYTE_BAD_ROW - 2} then '2/30/2025'
                        else strftime(date '2024-01-01' + (i % 700)::int, '%-m/%-d/%Y') end as "Date",
                   'ACC-' || lpad((i % 600 + 1)::varchar, 5, '0') as "Account ID",
                   ['Elif Aydin', 'Felix Brandt', 'Laura Fischer'][i % 3 + 1] as "Assigned To",
                   (5 + i % 55)::varchar as "Duration (min)",
                   'Follow-up on order ' || lpad(i::varchar, 10, '0') as "Subject"
            from range({GIGABYTE_ROWS}) t(i)) to '{str(path).replace("'", "''")}' (header, delimiter ',')""")
    finally:
        con.close()


# -- the corpus -----------------------------------------------------------------------------------


def _cases() -> list[Case]:
    ev = event_rows(40, "C")
    cases: list[Case] = []
    add = cases.append

    # wrong and missing headers
    add(Case("wrong_headers_deal_export_given_as_activities", "deals.csv", ("wrong header",), "refused",
             table(["Deal ID", "Deal Stage", "Close Date", "Amount"],
                   [[f"D{i}", "Closed Won", f"2026-01-{i + 1:02d}", f"{1000 * i}"] for i in range(12)]).encode(),
             kind="activity_events", row=1, words="an activity_events file needs a column with the role 'account_id'"))
    add(Case("wrong_date_header_recognised_from_values", "activities_when.csv", ("wrong header",), "loaded",
             table(["Activity ID", "Activity Type", "When", "Account ID"],
                   [r[:4] for r in event_rows(20, "W")]).encode(),
             counts=(20, 20, 0, 0),
             checks=(Check(load_sql("raw_activity_events", "activity_id, occurred_on", limit=2),
                           [("00TW00000", date(2025, 1, 6)), ("00TW00001", date(2025, 1, 9))]),)))
    add(Case("missing_header_row", "activities_no_header.csv", ("missing header",), "refused",
             "".join(",".join(r) + "\n" for r in event_rows(30, "N")).encode(),
             row=1, words="is the header row missing?", subprocess=True))
    add(Case("title_lines_above_the_header", "activities_report.csv", ("missing header",), "loaded",
             ("Activities report\nGenerated 3/1/2025 by Laura Fischer\n\n" + table(EVENT_HEADER, ev)).encode(),
             counts=(40, 40, 0, 0), notes=("the table starts at row 4: 2 report line(s) above its header were skipped",),
             checks=(Check(load_sql("raw_activity_events", "min(source_row), max(source_row)", order=None),
                           [(5, 44)]),)))
    add(Case("header_missing_a_cell_for_every_row", "activities_short_header.csv", ("missing header",), "refused",
             (",".join(EVENT_HEADER[:-1]) + "\n" + "".join(",".join(r) + "\n" for r in ev)).encode(),
             row=2, words="this row has 7 fields where the header has 6"))
    add(Case("blank_header_cells_from_trailing_delimiters", "activities_trailing.csv", ("missing header",), "loaded",
             "".join(",".join(r) + ",\n" for r in [EVENT_HEADER] + ev).encode(),
             counts=(40, 40, 0, 0), checks=(Check(load_sql("raw_activity_events", "count(*)", order=None), [(40,)]),)))

    # duplicate headers
    add(Case("duplicate_date_header", "activities_two_dates.csv", ("duplicate header",), "loaded",
             table(["Activity ID", "Activity Type", "Date", "Account ID", "Date"],
                   [r[:4] + ["12/31/2026"] for r in event_rows(15, "D")]).encode(),
             counts=(15, 15, 0, 0),
             notes=("column 5: the header 'Date' repeats an earlier column; read as 'Date (2)'",),
             checks=(Check(load_sql("raw_activity_events", "min(occurred_on), max(occurred_on)", order=None),
                           [(date(2025, 1, 6), date(2025, 2, 17))]),), page=True))
    add(Case("duplicate_account_id_header_case_differs", "accounts_two_ids.csv", ("duplicate header",), "loaded",
             table(["Account ID", "Account Name", "ACCOUNT ID", "Segment"],
                   [[f"ACC-{90101 + i}", f"Fabrikam {i}", f"PARENT-{i % 2}", "SMB"] for i in range(10)]).encode(),
             counts=(10, 10, 0, 0), notes=("read as 'ACCOUNT ID (2)'",),
             checks=(Check(load_sql("raw_account_attributes", "count(distinct account_id), "
                                    "count(*) filter (where account_id like 'PARENT%')", order=None), [(10, 0)]),)))

    # mixed delimiters
    mixed = table(EVENT_HEADER, ev).split("\n")
    mixed[30] = mixed[30].replace(",", ";")
    add(Case("semicolon_row_in_a_comma_export", "activities_mixed.csv", ("mixed delimiters",), "refused",
             "\n".join(mixed).encode(), row=31, words="this row has 1 fields where the header has 7"))
    add(Case("commas_inside_a_semicolon_export", "renewals_2026.csv", ("mixed delimiters",), "loaded",
             table(RENEWAL_HEADER, [[f"ACC-{i + 1:05d}", f"{13 + i % 15:02d}/0{1 + i % 9}/2026",
                                     ("Renewed", "Churned")[i % 4 == 0], f"{12 + i}.500,00 €"] for i in range(20)],
                   delimiter=";").encode(),
             counts=(20, 20, 0, 0),
             checks=(Check(load_sql("raw_outcomes", "account_id, occurred_on, value", limit=2),
                           [("ACC-00001", date(2026, 1, 13), 0.0), ("ACC-00002", date(2026, 2, 14), 1.0)]),
                     Check(load_sql("raw_account_attributes", "value_text, value_number", limit=1),
                           [("12.500,00 €", 12500.0)]))))
    add(Case("tab_export_with_commas_and_semicolons_in_values", "activities.tsv", ("mixed delimiters",), "loaded",
             table(EVENT_HEADER, [r[:6] + [f"Re: invoice, PO {i}; urgent"] for i, r in enumerate(ev)],
                   delimiter="\t").encode(),
             counts=(40, 40, 0, 0),
             checks=(Check(load_sql("raw_activity_events", "count(distinct activity_id)", order=None), [(40,)]),)))

    # quotes left open, stray quotes
    open_quote = table(EVENT_HEADER, ev).split("\n")
    cells = open_quote[12].split(",")
    open_quote[12] = ",".join(cells[:4] + ['"' + cells[4]] + cells[5:])  # row 13: '"Laura Fischer' never closed
    add(Case("quote_opened_in_an_owner_and_never_closed", "activities_open_quote.csv", ("open quote",), "refused",
             "\n".join(open_quote).encode(), row=13, words="a quote opened in this row is never closed", page=True,
             subprocess=True))
    add(Case("quote_never_closed_early_in_a_2_mb_export", "activities_big_open_quote.csv", ("open quote",), "refused",
             writer=write_open_quote_export, row=4, words="a quote opened in this row is never closed"))
    add(Case("quote_inside_an_unquoted_value_is_data", "accounts_inches.csv", ("open quote",), "loaded",
             (",".join(ACCOUNT_HEADER) + "\n" + "".join(",".join(r) + "\n" for r in with_row(
                 account_rows(10, 90201), 4, c1='Screens 27" Ltd'))).encode(),
             counts=(10, 10, 0, 0),
             checks=(Check(load_sql("raw_account_attributes", "value_text",
                                    "account_id = 'ACC-90205' and attribute = 'account_name'"),
                           [('Screens 27" Ltd',)]),)))

    # embedded newlines
    multiline = with_row(revenue_rows(40), 2, c1="Baker, Stone\nPartners")
    multiline = with_row(multiline, 30, c3="n/a")
    add(Case("embedded_newline_in_a_name_and_a_bad_amount_below", "revenue_2026.csv", ("embedded newline",), "loaded",
             table(REVENUE_HEADER, multiline).encode(),
             counts=(40, 39, 0, 1), rejects=((32, "Recognized Revenue", "not a number"),),
             checks=(Check(load_sql("raw_account_attributes", "value_text", "source_row = 4"),
                           [("Baker, Stone\nPartners",)]),
                     Check(load_sql("raw_outcomes", "source_row, value", "source_row in (4, 5)"),
                           [(4, 1074.5), (5, 1111.5)]))))
    crlf = with_row(revenue_rows(40), 5, c1="Line one\r\nLine two")
    crlf = with_row(crlf, 20, c2="Jan 3026")
    add(Case("crlf_inside_a_value_blank_lines_and_a_bad_month", "revenue_crlf.csv", ("embedded newline",), "loaded",
             table(REVENUE_HEADER, crlf[:10], newline="\r\n").encode() + b"\r\n"
             + table(REVENUE_HEADER, crlf[10:], newline="\r\n").encode().split(b"\r\n", 1)[1],
             counts=(40, 39, 0, 1), rejects=((23, "Month", "date out of range (1900-2100)"),),
             checks=(Check(load_sql("raw_account_attributes", "value_text", "source_row = 7"),
                           [("Line one\r\nLine two",)]),
                     Check(load_sql("raw_outcomes", "min(source_row), max(source_row)", order=None), [(2, 42)]))))

    # Windows-1252, UTF-16, byte-order marks
    names = ["Société Générale", "Müller & Söhne GmbH", "Café Zürich", "Señor Nuñez S.A."]
    cp1252_rows = [[f"ACC-{90301 + i}", names[i % 4], "SMB", "EMEA", str(10 + i), OWNERS[i % 3], "Team Borealis"]
                   for i in range(8)]
    add(Case("windows_1252_accents_in_account_names", "accounts_cp1252.csv", ("windows-1252",), "loaded",
             table(ACCOUNT_HEADER, cp1252_rows, newline="\r\n").encode("cp1252"),
             counts=(8, 8, 0, 0),
             checks=(Check(load_sql("raw_account_attributes", "value_text", "attribute = 'account_name'", limit=4),
                           [(n,) for n in names]),)))
    add(Case("windows_1252_euro_amounts_and_smart_quotes", "revenue_cp1252.csv", ("windows-1252",), "loaded",
             table(REVENUE_HEADER, [[f"ACC-{i + 1:05d}", f"\u201cOcean\u201d {i}", "Mar 2026", f"{1 + i}.234,50 \u20ac"]
                                    for i in range(12)], delimiter=";").encode("cp1252"),
             counts=(12, 12, 0, 0),
             checks=(Check(load_sql("raw_outcomes", "value", limit=2), [(1234.5,), (2234.5,)]),
                     Check(load_sql("raw_account_attributes", "value_text", limit=1), [("\u201cOcean\u201d 0",)]))))
    utf16_rows = with_row(event_rows(30, "U"), 0, c4="José Núñez")
    add(Case("utf16_le_tab_text_as_excel_saves_it", "activities_unicode.txt", ("utf-16",), "loaded",
             codecs.BOM_UTF16_LE + table(EVENT_HEADER, utf16_rows, delimiter="\t", newline="\r\n").encode("utf-16-le"),
             counts=(30, 30, 0, 0),
             checks=(Check(load_sql("raw_activity_events", "activity_id, owner, occurred_on", limit=1),
                           [("00TU00000", "José Núñez", date(2025, 1, 6))]),), page=True, subprocess=True))
    add(Case("utf16_be_with_bom", "activities_utf16be.csv", ("utf-16",), "loaded",
             codecs.BOM_UTF16_BE + table(EVENT_HEADER, event_rows(12, "B")).encode("utf-16-be"),
             counts=(12, 12, 0, 0),
             checks=(Check(load_sql("raw_activity_events", "max(activity_id)", order=None), [("00TB00011",)]),)))
    add(Case("utf16_le_without_bom_bad_date", "activities_utf16_nobom.csv", ("utf-16", "date out of range"), "loaded",
             table(EVENT_HEADER, with_row(event_rows(25, "V"), 20, c2="7/4/2776")).encode("utf-16-le"),
             counts=(25, 24, 0, 1), rejects=((22, "Date", "date out of range (1900-2100)"),)))
    add(Case("utf16_header_only", "activities_header_utf16.csv", ("utf-16", "header only"), "refused",
             ("\t".join(EVENT_HEADER) + "\r\n").encode("utf-16"), words="the file has a header row but no data rows"))
    joined = table(EVENT_HEADER, event_rows(30, "J")[:15]).encode() + codecs.BOM_UTF8 + table(
        EVENT_HEADER, event_rows(30, "J")[15:]).encode()
    add(Case("two_exports_joined_with_a_bom_in_the_middle", "activities_joined.csv", ("bom in the middle",), "loaded",
             codecs.BOM_UTF8 + joined, counts=(30, 30, 0, 0),
             notes=("byte-order marks inside the file", "row(s) repeat the header row", "skipped: row 17"),
             checks=(Check(load_sql("raw_activity_events", "count(*), count(distinct activity_id)", order=None),
                           [(30, 30)]),
                     Check(load_sql("raw_activity_events", "activity_id, source_row", "activity_id = '00TJ00015'"),
                           [("00TJ00015", 18)]))))
    add(Case("bom_inside_an_account_id", "accounts_bom_value.csv", ("bom in the middle",), "loaded",
             table(ACCOUNT_HEADER, with_row(account_rows(6, 90401), 3, c0="\ufeffACC-90404")).encode(),
             counts=(6, 6, 0, 0), notes=("byte-order marks inside the file",),
             checks=(Check(load_sql("raw_account_attributes", "count(distinct account_id)", order=None), [(6,)]),
                     Check(load_sql("raw_account_attributes", "count(*)", "account_id = 'ACC-90404'", order=None),
                           [(6,)]))))
    add(Case("utf8_export_with_a_windows_1252_row_appended", "accounts_mixed_encoding.csv", ("windows-1252",),
             "refused", table(ACCOUNT_HEADER, account_rows(5, 90501) + [["ACC-90506", "Café Zürich", "SMB", "EMEA",
                                                                         "3", "Ann", "T"]]).encode()
             + "ACC-90507,Société Générale,SMB,EMEA,4,Ann,T\n".encode("cp1252"),
             row=8, words="this row is not UTF-8 text like the rows before it"))
    add(Case("only_a_byte_order_mark", "activities_bom_only.csv", ("empty file",), "refused", codecs.BOM_UTF8,
             words="the file is empty"))

    # dates: out of range, ambiguous, spreadsheet serials
    add(Case("one_date_before_1900_rejected", "activities_1899.csv", ("date out of range",), "loaded",
             table(EVENT_HEADER, with_row(ev, 25, c2="12/31/1899")).encode(),
             counts=(40, 39, 0, 1), rejects=((27, "Date", "date out of range (1900-2100)"),)))
    add(Case("renewal_dates_in_2124_refused", "renewals_typo.csv", ("date out of range",), "refused",
             table(RENEWAL_HEADER, [[f"ACC-{i + 1:05d}", f"{13 + i}/03/{2124 if i in (4, 6, 7) else 2026}",
                                     "Renewed", "1.000,00 €"] for i in range(10)], delimiter=";").encode(),
             row=6, column="Renewal Date", words="date out of range (1900-2100) ('17/03/2124')"))
    ambiguous = [r[:2] + [f"{1 + i % 12}/{1 + (5 * i) % 12}/2025"] + r[3:] for i, r in enumerate(event_rows(24, "A"))]
    add(Case("ambiguous_dates_read_month_first_with_a_note", "activities_ambiguous.csv", ("ambiguous date",),
             "loaded", table(EVENT_HEADER, ambiguous).encode(), counts=(24, 24, 0, 0),
             notes=("read month-first (e.g. 3/4/2025 = March 4)",),
             checks=(Check(load_sql("raw_activity_events", "occurred_on", limit=3),
                           [(date(2025, 1, 1),), (date(2025, 2, 6),), (date(2025, 3, 11),)]),)))
    day_first = [[f"ACC-{i + 1:05d}", f"{(3 * i) % 28 + 1:02d}/{1 + i % 12:02d}/2026", "Renewed", "500,00 €"]
                 for i in range(12)]
    add(Case("day_first_dates_decided_by_one_day_over_12", "renewals_dmy.csv", ("ambiguous date",), "loaded",
             table(RENEWAL_HEADER, day_first, delimiter=";").encode(), counts=(12, 12, 0, 0),
             checks=(Check(load_sql("raw_outcomes", "occurred_on", limit=3),
                           [(date(2026, 1, 1),), (date(2026, 2, 4),), (date(2026, 3, 7),)]),)))
    australian = [r[:2] + [f"{d.day}/{d.month:02d}/{d.year} {1 + i % 12}:05 {'AP'[i % 2]}M"] + r[3:]
                  for i, r in enumerate(ev) for d in [FIRST_DAY + timedelta(days=3 * i)]]
    add(Case("day_first_dates_with_12_hour_times", "activities_au.csv", ("ambiguous date",), "loaded",
             table(EVENT_HEADER, australian).encode(), counts=(40, 40, 0, 0),
             checks=(Check(load_sql("raw_activity_events", "min(occurred_on), max(occurred_on)", order=None),
                           [(date(2025, 1, 6), date(2025, 5, 3))]),)))
    add(Case("two_digit_years_that_also_read_as_year_first", "activities_short_years.csv", ("ambiguous date",),
             "loaded", table(EVENT_HEADER, [r[:2] + [f"{1 + i % 9}/{1 + i % 12}/{5 + i % 3:02d}"] + r[3:]
                                            for i, r in enumerate(ev)]).encode(),
             counts=(40, 40, 0, 0), notes=("read month-first",),
             checks=(Check(load_sql("raw_activity_events", "occurred_on", limit=2),
                           [(date(2005, 1, 1),), (date(2006, 2, 2),)]),)))
    add(Case("named_months_with_two_digit_years", "renewals_named.csv", (), "loaded",
             table(RENEWAL_HEADER, [[f"ACC-{i + 1:05d}", f"{13 + i:02d}-Mar-26", "Renewed", "1.000,00 €"]
                                    for i in range(10)], delimiter=";").encode(), counts=(10, 10, 0, 0),
             checks=(Check(load_sql("raw_outcomes", "min(occurred_on), max(occurred_on)", order=None),
                           [(date(2026, 3, 13), date(2026, 3, 22))]),)))
    add(Case("excel_serial_numbers_instead_of_dates", "activities_serial.csv", (), "refused",
             table(EVENT_HEADER, [r[:2] + [str(46000 + i)] + r[3:] for i, r in enumerate(ev)]).encode(),
             row=2, column="Date", words="'46000' is not a date like 2025-03-15"))

    # counts: negative, fractional, huge; other numbers
    add(Case("one_negative_count_rejected", "activity_counts_2026.csv", ("negative count", "formula -"), "loaded",
             table(COUNT_HEADER, with_row(count_rows(40), 17, c2="-3")).encode(),
             counts=(40, 39, 0, 1), rejects=((19, "Calls", "negative count"),),
             checks=(Check(load_sql("raw_activity_counts", "count(distinct source_row)", order=None), [(39,)]),)))
    add(Case("fractional_counts_refused", "activity_counts_fraction.csv", ("fractional count",), "refused",
             table(COUNT_HEADER, [r[:3] + [("2.5" if i % 10 == 1 else r[3])] + r[4:]
                                  for i, r in enumerate(count_rows(20))]).encode(),
             row=3, column="Meetings", words="'2.5' is not a whole number"))
    add(Case("one_fractional_count_rejected", "activity_counts_half.csv", ("fractional count",), "loaded",
             table(COUNT_HEADER, with_row(count_rows(40), 33, c4="0.5")).encode(),
             counts=(40, 39, 0, 1), rejects=((35, "Emails", "not a whole number"),)))
    add(Case("count_too_large_to_store_exactly", "activity_counts_huge.csv", ("huge number",), "loaded",
             table(COUNT_HEADER, with_row(count_rows(40), 9, c3="123456789012345678901234")).encode(),
             counts=(40, 39, 0, 1), rejects=((11, "Meetings", "too large to be a count"),), page=True))
    add(Case("amount_beyond_double_range", "revenue_overflow.csv", ("huge number",), "loaded",
             table(REVENUE_HEADER, with_row(with_row(revenue_rows(40), 7, c3="1e400"), 8, c3="9" * 400)).encode(),
             counts=(40, 38, 0, 2), rejects=((9, "Recognized Revenue", "too large to be a number"),
                                             (10, "Recognized Revenue", "too large to be a number")),
             subprocess=True))
    add(Case("big_but_finite_amounts_load_exactly", "revenue_big.csv", ("huge number",), "loaded",
             table(REVENUE_HEADER, with_row(with_row(revenue_rows(20), 0, c3="$9,999,999,999,999.99"), 1,
                                            c3="1.5e15")).encode(),
             counts=(20, 20, 0, 0),
             checks=(Check(load_sql("raw_outcomes", "value", limit=2), [(9999999999999.99,), (1.5e15,)]),)))
    add(Case("nan_and_infinity_words_rejected", "revenue_nan.csv", ("huge number",), "loaded",
             table(REVENUE_HEADER, with_row(with_row(revenue_rows(40), 3, c3="NaN"), 4, c3="Infinity")).encode(),
             counts=(40, 38, 0, 2), rejects=((5, "Recognized Revenue", "not a number"),
                                             (6, "Recognized Revenue", "not a number"))))
    currency = [["ACC-00001", "a", "Jan 2026", "$1,234.50"], ["ACC-00002", "b", "Jan 2026", "(1,234.00)"],
                ["ACC-00003", "c", "Jan 2026", "USD 12"], ["ACC-00004", "d", "Jan 2026", " 12.5 usd "],
                ["ACC-00005", "e", "Jan 2026", "-$7.25"], ["ACC-00006", "f", "Jan 2026", "£1,000,000"]]
    add(Case("currency_symbols_codes_and_parentheses", "revenue_currency.csv", ("formula -",), "loaded",
             table(REVENUE_HEADER, currency).encode(), counts=(6, 6, 0, 0),
             checks=(Check(load_sql("raw_outcomes", "value"),
                           [(1234.5,), (-1234.0,), (12.0,), (12.5,), (-7.25,), (1000000.0,)]),)))
    other_style = [[f"ACC-{i + 1:05d}", f"Contoso {i}", "Apr 2026", f"{i + 1}.250,00 €"] for i in range(30)]
    other_style[21][3] = "1,250.00 €"  # 1250 to its writer; 1.25 if read with the column's decimal comma
    add(Case("amount_in_the_other_decimal_style_rejected_not_misread", "revenue_styles.csv", (),
             "loaded", table(REVENUE_HEADER, other_style, delimiter=";").encode(), counts=(30, 29, 0, 1),
             rejects=((23, "Recognized Revenue", "not a number"),),
             checks=(Check(load_sql("raw_outcomes", "source_row, value", "source_row between 22 and 24"),
                           [(22, 21250.0), (24, 23250.0)]),)))
    contract = [[f"ACC-{i + 1:05d}", f"{13 + i % 15}/03/2026", "Renewed", f"{i + 1}.250,00 €"] for i in range(20)]
    contract[5][3] = "1,250.00 €"
    add(Case("attribute_in_the_other_decimal_style_kept_as_text_only", "renewals_styles.csv", (),
             "loaded", table(RENEWAL_HEADER, contract, delimiter=";").encode(), counts=(20, 20, 0, 0),
             checks=(Check(load_sql("raw_account_attributes", "source_row, value_text, value_number",
                                    "source_row between 7 and 8"),
                           [(7, "1,250.00 €", None), (8, "7.250,00 €", 7250.0)]),)))
    add(Case("negative_duration_and_formula_in_a_number", "activities_durations.csv", ("formula -", "formula ="),
             "loaded", table(EVENT_HEADER, with_row(with_row(ev, 2, c5="-15"), 3, c5="=10+5")).encode(),
             counts=(40, 38, 0, 2), rejects=((4, "Duration (min)", "negative duration"),
                                             (5, "Duration (min)", "not a number"))))

    # empty, header only, blank
    add(Case("spaces_and_tabs_only", "activities_blank.csv", ("empty file",), "refused", b" \t \r\n\t\r\n  ",
             words="the file is empty", page=True))
    add(Case("header_only_with_bom_and_no_newline", "activities_header.csv", ("header only",), "refused",
             codecs.BOM_UTF8 + ",".join(EVENT_HEADER).encode(), words="the file has a header row but no data rows",
             page=True))
    add(Case("zero_bytes_with_a_kind_hint", "activities_zero.csv", ("empty file",), "refused", b"",
             kind="activity_events", words="the file is empty"))

    # binary data and archives renamed .csv
    add(Case("png_image_renamed_csv", "activities.csv", ("binary data",), "refused", png_bytes(),
             words="binary data (NUL byte at offset 8)", page=True, subprocess=True))
    add(Case("pdf_renamed_csv", "report.csv", ("binary data",), "refused", pdf_bytes(), words="binary data"))
    add(Case("gzip_of_an_image_named_csv_gz", "activities.csv.gz", ("binary data",), "refused",
             gzip.compress(png_bytes(), mtime=0), words="binary data"))
    add(Case("excel_workbook_renamed_csv", "activities.csv", ("zip renamed", "binary data"), "refused", xlsx_bytes(),
             words="this is an Excel workbook (.xlsx), not a CSV", page=True))
    add(Case("zip_of_an_export_renamed_csv", "activities_2026.csv", ("zip renamed",), "refused",
             zip_of("activities_2026.csv", table(EVENT_HEADER, ev)), words="this is a ZIP archive, not a CSV",
             page=True))

    # headers and values that look like SQL
    hostile = [r + [f"x'); drop table loads; -- {i}"] for i, r in enumerate(engagement_rows(20, "H"))]
    add(Case("sql_lookalike_header_in_an_engagement_export", "engagements.csv", ("sql header",), "loaded",
             table(ENGAGEMENT_HEADER + ['"; drop table x; --'], hostile).encode(), counts=(20, 20, 0, 0),
             checks=(Check(load_sql("raw_activity_events", "activity_id, activity_type, account_id, occurred_on",
                                    limit=1), [("H9000", "CALL", "ACC-00001", date(2025, 1, 6))]),
                     Check("select count(*) from information_schema.tables where table_name in "
                           "('loads', 'load_rejects', 'mappings', 'raw_activity_events', 'x')", [(4,)])),
             page=True, subprocess=True))
    add(Case("sql_lookalike_header_as_an_attribute_name", "accounts_sql.csv", ("sql header",), "loaded",
             table(["Account ID", "Tier'); DROP TABLE raw_outcomes; --", "Account Name"],
                   [[f"ACC-{90601 + i}", ("Gold", "Silver")[i % 2], f"Robert'); DROP TABLE loads;-- {i}"]
                    for i in range(8)]).encode(), counts=(8, 8, 0, 0),
             checks=(Check(load_sql("raw_account_attributes", "distinct attribute", order="attribute"),
                           [("account_name",), ("tier_drop_table_raw_outcomes",)]),
                     Check(load_sql("raw_account_attributes", "value_text", "attribute = 'account_name'", limit=1),
                           [("Robert'); DROP TABLE loads;-- 0",)]))))
    add(Case("sql_lookalike_header_named_in_a_refusal", "activity_counts_sql.csv", ("sql header",), "refused",
             table(["Account ID", "Month", 'Calls"; drop table loads; --', "Meetings"],
                   [[f"ACC-{i + 1:05d}", "2026-01", ("-1" if i % 3 == 0 else "2"), "1"] for i in range(12)]).encode(),
             row=2, column='Calls"; drop table loads; --', words="'-1' is a negative count"))

    # cells that spreadsheets would run as formulas: stored as text, verbatim
    formulas = with_row(account_rows(8, 90701), 0, c1="=SUM(A1:A9)", c2="+SMB", c3="-EMEA", c5="@Laura")
    formulas = with_row(formulas, 1, c1='=HYPERLINK("http://evil.example","click")', c6="=cmd|' /C calc'!A0")
    add(Case("formula_cells_in_an_account_list", "accounts_formulas.csv",
             ("formula =", "formula +", "formula -", "formula @"), "loaded", table(ACCOUNT_HEADER, formulas).encode(),
             counts=(8, 8, 0, 0),
             checks=(Check(load_sql("raw_account_attributes", "attribute, value_text", "source_row = 2",
                                    order="attribute"),
                           [("account_name", "=SUM(A1:A9)"), ("employees", "40"), ("owner", "@Laura"),
                            ("region", "-EMEA"), ("segment", "+SMB"), ("team", "Team Cirrus")]),
                     Check(load_sql("raw_account_attributes", "value_text",
                                    "source_row = 3 and attribute in ('account_name', 'team')", order="attribute"),
                           [('=HYPERLINK("http://evil.example","click")',), ("=cmd|' /C calc'!A0",)])),
             page=True))
    formula_events = with_row(ev, 0, c1="=cmd|' /C calc'!A0", c4="@ann", c6="=1+1")
    formula_events = with_row(formula_events, 1, c1="+Call", c4="-bob")
    add(Case("formula_cells_in_an_activity_export", "activities_formulas.csv",
             ("formula =", "formula +", "formula -", "formula @"), "loaded",
             table(EVENT_HEADER, formula_events).encode(),
             counts=(40, 40, 0, 0),
             checks=(Check(load_sql("raw_activity_events", "activity_type, owner", limit=2),
                           [("=cmd|' /C calc'!A0", "@ann"), ("+Call", "-bob")]),)))

    # size and line endings
    add(Case("large_export_one_impossible_date_near_the_end", "activities_large.csv", (),
             "loaded", writer=write_large_events, counts=(LARGE_ROWS, LARGE_ROWS - 1, 0, 1),
             rejects=((LARGE_BAD_ROW, "Date", "not a date like 3/15/2025"),)))
    add(Case("classic_mac_line_endings", "activities_mac.csv", (), "loaded",
             table(EVENT_HEADER, with_row(ev, 35, c2="13/45/2025"), newline="\r").encode(),
             counts=(40, 39, 0, 1), rejects=((37, "Date", "not a date like 3/15/2025"),)))
    add(Case("report_footer_below_the_rows", "activities_footer.csv", (), "loaded",
             (table(EVENT_HEADER, ev) + '\n"Grand Totals (40 records)"\n').encode(),
             counts=(40, 40, 0, 0), notes=("1 report line(s) below the table, from row 43, were skipped",)))
    add(Case("a_cut_last_row_is_not_a_footer", "activities_cut.csv", (), "refused",
             (table(EVENT_HEADER, ev) + "A-99999\n").encode(),
             row=42, words="this row has 1 fields where the header has 7"))
    add(Case("a_2_mb_note_in_the_first_data_row", "activities_long_note.csv", (), "loaded",
             writer=write_long_note_in_row(2, 2 << 20), counts=(10, 10, 0, 0),
             checks=(Check(load_sql("raw_activity_events", "count(*)", order=None), [(10,)]),)))
    add(Case("a_9_mb_first_data_row", "activities_overlong_first.csv", ("huge number",), "refused",
             writer=write_long_note_in_row(2, 9 << 20), row=2, words="this row is longer than 8 MiB"))
    add(Case("a_9_mb_row_further_down", "activities_overlong.csv", ("huge number",), "refused",
             writer=write_long_note_in_row(7, 9 << 20), row=7, words="this row is longer than 8 MiB"))
    add(Case("one_gigabyte_activity_export", "activities_1gb.csv", ("1 GB file",), "loaded",
             writer=write_gigabyte_export, counts=(GIGABYTE_ROWS, GIGABYTE_ROWS - 1, 0, 1),
             rejects=((GIGABYTE_BAD_ROW, "Date", "not a date like 3/15/2025"),), slow=True))
    return cases


CASES = _cases()
