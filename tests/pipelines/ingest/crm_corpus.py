"""A corpus of CRM, support, customer-success and billing exports as the big systems write them.

Payoff's recogniser has to read a real export of Salesforce, HubSpot, Dynamics 365, Pipedrive,
Zoho CRM, Outreach, Salesloft, Gong, Zendesk, Intercom, Freshdesk, Gainsight, ChurnZero, Stripe or
Chargebee without anyone editing the file first. Each case here is one such export: the header
set, the file name, the value styles (dates, durations, money, ids, picklist values) and the
report furniture (Salesforce's footer, a "Filtered By:" preamble, Dynamics' hidden
"(Do Not Modify)" columns) follow what the vendor documents for that export or report. A
comment above each builder names the system and the export or report its header set follows.
Where no documentation pins a value style down (the exact date format of a Gong, Chargebee or
Zendesk download, the name a browser gives a file), the corpus uses a plausible one of the styles
these systems are known to write, and the comment shows it.

Every value is synthetic. No customer data was copied: the rows are drawn with
random.Random(seed) per case, so the corpus is the same on every run. Rows refer to the 600
fictional accounts of sample_data/crm_accounts.csv, mostly by name as real exports do, with the
variation real exports show (case, extra spaces, "Pty. Ltd." against "Pty Ltd", a dropped
comma; "&" and accents are kept), so a match that ignores case, spacing and punctuation
(`name_key`) still finds every one. A few cases refer to accounts by their "ACC-00001" id.
`n_unknown_account` rows name a company (or id) that is not in the sample at all, and
`n_no_account` rows leave the account cell empty (open deals, internal tasks, tickets from
people without an organisation): both must be set aside, not guessed.

Each case states what a careful analyst would make of the file: its kind, the column behind
each key role, the role of some other columns (`values`), the duration unit, and, for exports
with no activity-type column where each row is one activity (tickets, Gong calls), the
activity a reader would name (`activity_label`).
"""

from __future__ import annotations

import base64
import csv
import io
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

ACCOUNTS_CSV = Path(__file__).resolve().parents[3] / "sample_data" / "crm_accounts.csv"
YEAR = 2025
CRLF = "\r\n"

KINDS = ("activity_events", "activity_counts", "activity_measures", "accounts", "outcomes", "wide")
KEY_ROLES = ("account_id", "date", "activity_type", "activity_id", "owner", "duration", "start_date", "end_date",
             "event_id")
DURATION_UNITS = ("seconds", "minutes", "milliseconds", "hms")


@dataclass(frozen=True)
class CrmExport:
    """One export file and what a careful analyst would make of it."""

    system: str  # "Salesforce"
    name: str  # pytest id, snake_case, unique
    file_name: str  # as the system names its download
    header: list[str]
    rows: list[list[str]]  # data rows, deterministic
    kind: str  # one of KINDS
    roles: dict[str, str]  # key role -> header cell
    # header -> ("outcome", "binary"|"amount"|"count") | ("attribute",) | ("measure",) | ("activity",) | ("ignore",)
    values: dict[str, tuple] = field(default_factory=dict)
    preamble: tuple[str, ...] = ()  # raw lines above the header row
    footer: tuple[str, ...] = ()  # raw lines after the table
    delimiter: str = ","
    duration_unit: str | None = None  # "seconds" | "minutes" | "milliseconds" | "hms"
    activity_label: str | None = None  # for exports with no type column, each row one activity
    n_no_account: int = 0  # rows whose account cell is empty
    n_unknown_account: int = 0  # rows naming an account that is not in sample_data/crm_accounts.csv
    quote_all: bool = False  # every field in double quotes (Salesforce report exports)

    def text(self) -> str:
        """The whole file: preamble lines, header, rows (csv-quoted), footer lines, CRLF line ends."""
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=self.delimiter, lineterminator=CRLF,
                            quoting=csv.QUOTE_ALL if self.quote_all else csv.QUOTE_MINIMAL)
        for line in self.preamble:
            buf.write(line + CRLF)
        writer.writerow(self.header)
        writer.writerows(self.rows)
        for line in self.footer:
            buf.write(line + CRLF)
        return buf.getvalue()


# --------------------------------------------------------------------------------------------
# The sample's accounts, and how exports refer to them
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Account:
    id: str
    name: str
    segment: str
    region: str
    employees: int
    owner: str
    team: str


def _read_accounts() -> tuple[Account, ...]:
    with ACCOUNTS_CSV.open(encoding="utf-8-sig", newline="") as fh:
        return tuple(Account(r["Account ID"], r["Account Name"], r["Segment"], r["Region"],
                             int(r["Employees"].replace(",", "")), r["Account Owner"], r["Team"])
                     for r in csv.DictReader(fh))


ACCOUNTS = _read_accounts()
ACCOUNT_IDS = frozenset(a.id for a in ACCOUNTS)
REPS = tuple(sorted({a.owner for a in ACCOUNTS}))  # the sample's 24 reps
TEAMS = tuple(sorted({a.team for a in ACCOUNTS}))  # Team Atlas, Team Borealis, Team Cirrus, Team Delta
# Some systems (and some anonymised exports) show people and teams as numbered labels.
REP_LABEL = {rep: f"Rep {i + 1}" for i, rep in enumerate(REPS)}  # ... "Rep 19" ...
TEAM_LABEL = {team: f"Team {i + 11}" for i, team in enumerate(TEAMS)}  # Team 11 ... Team 14
TIER = {"Enterprise": "Tier 1", "Mid-Market": "Tier 2", "SMB": "Tier 3"}
COUNTRY = {"North America": "United States", "EMEA": "Germany", "APAC": "Japan", "LATAM": "Mexico"}

# Companies that are not in the sample (none shares a distinctive word with a sample name).
UNKNOWN_COMPANIES = (
    "Halvorsen Fisheries ASA", "Tidewater Brewing Co.", "Quillfeather Studios Ltd", "Marrowgate Dental Group",
    "Pinecrest Legal LLP", "Kestrel Aviation Services", "Greywacke Mining Pty Ltd", "Lumen & Finch Advisory",
    "Thornbury Veterinary Clinic", "Vantablue Optics Inc.", "Ostrander Seed Co.", "Calloway Yacht Charters",
)
UNKNOWN_IDS = ("ACC-00612", "ACC-00745", "ACC-00803", "ACC-00999", "ACC-01017")

FIRST_NAMES = ("Amara", "Ben", "Chloé", "Diego", "Elena", "Farid", "Hiro", "Ines", "Jonas", "Kavya", "Liam", "Mei",
               "Nikolai", "Olivia", "Pedro", "Rania", "Sven", "Tomás", "Uma", "Viktor", "Wen", "Yara", "Zoe")
LAST_NAMES = ("Abbott", "Bergström", "Castro", "Dufresne", "Eriksen", "Fontaine", "Gallagher", "Horvat", "Iqbal",
              "Jansen", "Kowalczyk", "Lindahl", "Mbeki", "Novak", "Oyelaran", "Pereira", "Quist", "Rahman",
              "Sato", "Tremblay", "Varga", "Whitaker", "Zhou")


def name_key(text: str) -> str:
    """The loosest match the corpus promises: case, spacing and punctuation ignored ('&' kept)."""
    text = re.sub(r"[^\w&\s]+", "", text.casefold())
    return " ".join(text.split())


def _vary(name: str, rng: random.Random) -> str:
    """The account name as a CRM user typed it: mostly as in the master list, sometimes not quite."""
    r = rng.random()
    if r < 0.55:
        return name
    if r < 0.63 and name.upper().lower() == name.lower():  # no ß -> SS style changes
        return name.upper()
    if r < 0.70:
        return name.lower()
    if r < 0.80:
        return rng.choice(("  ".join(name.split(" ")), name + " ", " " + name, name.replace(" ", "  ", 1)))
    out = []
    for token in name.split(" "):
        if len(token) > 1 and token[-1] in ".,":
            token = token[:-1]  # "Pty." -> "Pty", "K.K." -> "K.K", "Baker," -> "Baker"
        elif token in ("Ltd", "Inc", "Pty", "Corp", "Co"):
            token += "."  # "Pty Ltd" -> "Pty. Ltd."
        out.append(token)
    varied = " ".join(out)
    return varied if varied != name else name + " "


@dataclass
class Slot:
    """One data row's account: the account (None when not attributable) and the cell text."""

    account: Account | None
    cell: str
    unknown: bool = False

    @property
    def blank(self) -> bool:
        return self.account is None and not self.unknown


def _slots(rng: random.Random, n: int, *, unknown: int = 0, blank: int = 0, by: str = "name",
           vary: bool = True, pool: list[Account] | None = None, distinct: bool = False) -> list[Slot]:
    """n account cells: n - unknown - blank from the sample, `unknown` not in it, `blank` empty, shuffled."""
    pool = pool or list(ACCOUNTS)
    known = n - unknown - blank
    chosen = rng.sample(pool, known) if distinct else [rng.choice(pool) for _ in range(known)]
    slots = []
    for acc in chosen:
        cell = acc.id if by == "id" else (_vary(acc.name, rng) if vary else acc.name)
        slots.append(Slot(acc, cell))
    strangers = list(UNKNOWN_IDS if by == "id" else UNKNOWN_COMPANIES)
    rng.shuffle(strangers)
    for i in range(unknown):
        slots.append(Slot(None, strangers[i % len(strangers)], unknown=True))
    slots += [Slot(None, "") for _ in range(blank)]
    rng.shuffle(slots)
    return slots


def _owner(slot: Slot, rng: random.Random) -> str:
    """The rep on the row: the account's owner most of the time, another rep otherwise."""
    if slot.account is not None and rng.random() < 0.9:
        return slot.account.owner
    return rng.choice(REPS)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _email(person: str, company: str) -> str:
    local = person.lower().replace(" ", ".")
    local = local.translate(str.maketrans("éáöäüøåó", "eaoauoao"))
    first_word = company.casefold().split(" ")[0].translate(str.maketrans("éáöäüøåóñç", "eaoauoaonc"))
    domain = re.sub(r"[^a-z]", "", first_word)
    return f"{local}@{domain or 'mail'}.example.com"


# --------------------------------------------------------------------------------------------
# Dates, durations, money and ids in the styles the systems write
# --------------------------------------------------------------------------------------------

def _when(rng: random.Random, start: date = date(YEAR, 1, 2), end: date = date(YEAR, 12, 19),
          weekdays: bool = True) -> datetime:
    """A business-hours moment in 2025."""
    while True:
        d = start + timedelta(days=rng.randrange((end - start).days + 1))
        if not weekdays or d.weekday() < 5:
            break
    return datetime(d.year, d.month, d.day, rng.randrange(8, 18), rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50)),
                    rng.randrange(60))


def _dated(rng: random.Random, slots: list[Slot], **kw) -> list[tuple[datetime, Slot]]:
    return sorted(((_when(rng, **kw), s) for s in slots), key=lambda p: p[0])


def us_date(t: datetime | date) -> str:  # 3/4/2025 (Salesforce, ChurnZero, en-US)
    return f"{t.month}/{t.day}/{t.year}"


def us_date_padded(t: datetime | date) -> str:  # 03/04/2025 (Gainsight)
    return f"{t.month:02d}/{t.day:02d}/{t.year}"


def _h12(t: datetime) -> tuple[int, str]:
    return (t.hour % 12 or 12), ("AM" if t.hour < 12 else "PM")


def us_datetime(t: datetime) -> str:  # 3/4/2025 2:05 PM (Salesforce, Dynamics en-US)
    h, ampm = _h12(t)
    return f"{us_date(t)} {h}:{t.minute:02d} {ampm}"


def us_datetime_padded(t: datetime) -> str:  # 03/04/2025 02:05 PM (Salesloft, Gainsight)
    h, ampm = _h12(t)
    return f"{us_date_padded(t)} {h:02d}:{t.minute:02d} {ampm}"


def iso_date(t: datetime | date) -> str:  # 2025-03-04
    return f"{t.year}-{t.month:02d}-{t.day:02d}"


def iso_minute(t: datetime) -> str:  # 2025-03-04 14:05 (HubSpot, Stripe, Zendesk)
    return t.strftime("%Y-%m-%d %H:%M")


def iso_second(t: datetime) -> str:  # 2025-03-04 14:05:00 (Zoho, Freshdesk, Intercom, Chargebee)
    return t.strftime("%Y-%m-%d %H:%M:%S")


def iso_utc(t: datetime) -> str:  # 2025-03-04 14:05:00 UTC (Gong)
    return t.strftime("%Y-%m-%d %H:%M:%S") + " UTC"


def iso_z(t: datetime) -> str:  # 2025-03-04T14:05:00Z (Outreach)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def de_datetime(t: datetime) -> str:  # 04.03.2025 14:05 (Excel, German locale)
    return t.strftime("%d.%m.%Y %H:%M")


def hms(seconds: int) -> str:  # 00:32:10
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def mmss(seconds: int) -> str:  # 04:37 or 72:15 (Zoho call duration)
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def money_symbol(x: float) -> str:  # $12,500.00
    return f"${x:,.2f}"


def money_code(x: float) -> str:  # USD 12,500.00
    return f"USD {x:,.2f}"


def money_plain(x: float) -> str:  # 12500 or 12500.5
    return f"{x:.2f}".rstrip("0").rstrip(".")


def money_cents(x: float) -> str:  # 12500.00
    return f"{x:.2f}"


ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _alnum(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def sf_id(rng: random.Random, prefix: str) -> str:
    """A 15-character Salesforce record id: 00T tasks, 00U events, 006 opportunities, 001 accounts."""
    return prefix + "5g0000" + _alnum(rng, 6)


def guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _deal_amount(rng: random.Random, acc: Account | None) -> float:
    base = {"Enterprise": 60000, "Mid-Market": 18000, "SMB": 5000}[acc.segment if acc else "SMB"]
    return round(base * rng.uniform(0.4, 2.5) / 50) * 50 + rng.choice((0, 0, 0, 0.5))


def _sf_footer(n: int) -> tuple[str, ...]:
    return ("", f'"Grand Totals ({n} records)"', "", '"Confidential Information - Do Not Distribute"',
            '"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."')


CALL_SUBJECTS = ("Check-in call", "Intro call, new stakeholder", "Call: renewal timing", "Follow-up call",
                 "Discovery call", "Call re: invoice, PO number")
EMAIL_SUBJECTS = ("Re: contract terms", "Follow up: pricing, next steps", "Re: onboarding checklist",
                  "Quarterly update", "Re: data import error, CSV")
MEETING_SUBJECTS = ("QBR Q1 2025", "Onboarding workshop", "Business review, H1", "Product demo", "Kick-off meeting")
TASK_SUBJECTS = ("Send proposal", "Update forecast", "Prepare QBR deck", "Log renewal notes", "Chase signature")
INTERNAL_SUBJECTS = ("Pipeline review (internal)", "Update territory plan", "CRM hygiene", "Team forecast call")


def _subject(kind: str, rng: random.Random) -> str:
    table = {"call": CALL_SUBJECTS, "email": EMAIL_SUBJECTS, "meeting": MEETING_SUBJECTS}
    return rng.choice(table.get(kind, TASK_SUBJECTS))


def _pick(rng: random.Random, weighted: dict[str, float]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


# --------------------------------------------------------------------------------------------
# Salesforce
# --------------------------------------------------------------------------------------------

# Salesforce, Lightning report on the "Tasks and Events" report type, Export > Details Only > CSV.
# Columns are the report labels of the Task fields (Assigned To shown as "Assigned", the related
# account as "Company / Account", "Task Subtype" Call/Email/Task/List Email, "Call Duration" =
# CallDurationInSeconds, "Activity ID" = the 15-character record id). Every field is quoted, dates
# follow the user's en-US locale (3/4/2025), and the file ends with the report footer: a blank
# line, "Grand Totals (N records)", the confidentiality line and the copyright line. The default
# download name is "report" + the export time in epoch milliseconds.
def salesforce_activities_report() -> CrmExport:
    rng = random.Random(101)
    n, unknown, blank = 96, 2, 4
    header = ["Assigned", "Subject", "Task Subtype", "Date", "Company / Account", "Contact", "Status", "Priority",
              "Call Duration", "Activity ID"]
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown, blank=blank)):
        subtype = "Task" if slot.blank else _pick(rng, {"Call": 4, "Email": 5, "Task": 2, "List Email": 1})
        subject = rng.choice(INTERNAL_SUBJECTS) if slot.blank else _subject(subtype.split()[-1].lower(), rng)
        if subtype == "List Email":
            subject = "List Email: " + rng.choice(("Spring release notes", "Webinar invite, April", "Q3 newsletter"))
        duration = str(rng.randrange(45, 1800)) if subtype == "Call" else ""
        rows.append([_owner(slot, rng), subject, subtype, us_date(when), slot.cell,
                     "" if slot.blank else _person(rng), "Completed", _pick(rng, {"Normal": 5, "High": 1}),
                     duration, sf_id(rng, "00T")])
    return CrmExport(
        system="Salesforce", name="salesforce_activities_report", file_name="report1764580467123.csv",
        header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Company / Account", "date": "Date", "activity_type": "Task Subtype",
               "activity_id": "Activity ID", "owner": "Assigned", "duration": "Call Duration"},
        values={"Subject": ("ignore",), "Contact": ("ignore",), "Status": ("ignore",), "Priority": ("ignore",)},
        footer=_sf_footer(n), duration_unit="seconds", n_no_account=blank, n_unknown_account=unknown,
        quote_all=True)


# Salesforce, Lightning report on the "Activities" (Events) report type, Details Only CSV export.
# Event fields by their report labels: Start / End (date-time in the en-US locale,
# "3/4/2025 2:05 PM"), Duration (DurationInMinutes), Type (standard picklist Call/Email/Meeting/
# Other), Location. Same quoting and footer as every Salesforce report export.
def salesforce_events_report() -> CrmExport:
    rng = random.Random(102)
    n, unknown = 64, 1
    header = ["Assigned", "Subject", "Type", "Start", "End", "Duration", "Company / Account", "Location",
              "Activity ID"]
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown)):
        kind = _pick(rng, {"Meeting": 7, "Call": 2, "Other": 1})
        minutes = rng.choice((30, 45, 60, 60, 90)) if kind != "Call" else rng.choice((15, 30))
        where = rng.choice(("Zoom", "Microsoft Teams", "Customer site", "Google Meet")) if kind == "Meeting" else ""
        rows.append([_owner(slot, rng), _subject("meeting" if kind == "Meeting" else "call", rng), kind,
                     us_datetime(when), us_datetime(when + timedelta(minutes=minutes)), str(minutes), slot.cell,
                     where, sf_id(rng, "00U")])
    return CrmExport(
        system="Salesforce", name="salesforce_events_report", file_name="report1764581022874.csv",
        header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Company / Account", "date": "Start", "activity_type": "Type",
               "activity_id": "Activity ID", "owner": "Assigned", "duration": "Duration"},
        values={"End": ("ignore",), "Subject": ("ignore",), "Location": ("ignore",)},
        footer=_sf_footer(n), duration_unit="minutes", n_unknown_account=unknown, quote_all=True)


SF_OPEN_STAGES = ("Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
                  "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review")


# Salesforce, standard "Opportunities" report, Details Only CSV export. Columns are the
# Opportunity report labels (Opportunity Owner, Account Name, Opportunity Name, Stage with the
# default sales-process picklist ending in Closed Won / Closed Lost, Fiscal Period, Amount,
# Probability (%), Close Date, Created Date, Lead Source, Type). Amount is shown with the ISO
# currency code as multi-currency orgs show it ("USD 12,500.00"). Open opportunities without an
# account (allowed on Opportunity) are in the report; they are not attributable.
def salesforce_opportunities_report() -> CrmExport:
    rng = random.Random(103)
    n, unknown, blank = 88, 3, 5
    header = ["Opportunity Owner", "Account Name", "Opportunity Name", "Stage", "Fiscal Period", "Amount",
              "Probability (%)", "Close Date", "Created Date", "Lead Source", "Type"]
    rows = []
    for close, slot in _dated(rng, _slots(rng, n, unknown=unknown, blank=blank)):
        if slot.blank:
            stage = rng.choice(SF_OPEN_STAGES[:4])
        else:
            stage = _pick(rng, {"Closed Won": 5, "Closed Lost": 4, **{s: 0.4 for s in SF_OPEN_STAGES}})
        prob = {"Closed Won": 100, "Closed Lost": 0}.get(stage) if stage.startswith("Closed") else \
            10 + 10 * SF_OPEN_STAGES.index(stage)
        created = close - timedelta(days=rng.randrange(20, 160))
        opp = (slot.cell.strip() or "New Business") + " - " + rng.choice(
            ("Renewal 2025", "Upsell", "New Logo", "Add-on seats"))
        rows.append([_owner(slot, rng), slot.cell, opp, stage, f"Q{(close.month - 1) // 3 + 1}-{close.year}",
                     money_code(_deal_amount(rng, slot.account)), str(prob), us_date(close), us_date(created),
                     rng.choice(("Web", "Partner Referral", "Trade Show", "Phone Inquiry", "")),
                     rng.choice(("New Customer", "Existing Customer - Upgrade", "Existing Customer - Replacement"))])
    return CrmExport(
        system="Salesforce", name="salesforce_opportunities_report", file_name="report1764583391005.csv",
        header=header, rows=rows, kind="outcomes",
        roles={"account_id": "Account Name", "date": "Close Date", "owner": "Opportunity Owner"},
        values={"Stage": ("outcome", "binary"), "Amount": ("outcome", "amount"), "Probability (%)": ("ignore",),
                "Created Date": ("ignore",), "Fiscal Period": ("ignore",), "Opportunity Name": ("ignore",)},
        footer=_sf_footer(n), n_no_account=blank, n_unknown_account=unknown, quote_all=True)


# Salesforce, standard "Accounts" report, Details Only CSV export. Account report labels:
# Account Owner, Account Name, Account Number (the standard field companies use for their own
# customer number, here the sample's ACC-00001 ids), Type (Customer - Direct / Customer - Channel),
# Industry, Billing State/Province, Billing Country, Employees, Annual Revenue, Rating,
# Created Date, Last Activity.
def salesforce_accounts_report() -> CrmExport:
    rng = random.Random(104)
    n, unknown = 80, 2
    header = ["Account Owner", "Account Name", "Account Number", "Type", "Industry", "Billing State/Province",
              "Billing Country", "Employees", "Annual Revenue", "Rating", "Created Date", "Last Activity"]
    industries = ("Technology", "Manufacturing", "Healthcare", "Hospitality", "Finance", "Retail",
                  "Transportation", "Consulting", "Telecommunications")
    country = {"North America": ("United States", "CA"), "EMEA": ("Germany", ""), "APAC": ("Australia", "NSW"),
               "LATAM": ("Brazil", "SP")}
    rows = []
    for slot in _slots(rng, n, unknown=unknown, by="id", distinct=True):
        acc = slot.account
        name = acc.name if acc else rng.choice(UNKNOWN_COMPANIES)
        ctry, state = country[acc.region] if acc else ("United States", "TX")
        employees = acc.employees if acc else rng.randrange(20, 400)
        rows.append([acc.owner if acc else rng.choice(REPS), name, slot.cell,
                     rng.choice(("Customer - Direct", "Customer - Direct", "Customer - Channel")),
                     rng.choice(industries), state, ctry, f"{employees:,}",
                     money_code(employees * rng.uniform(90_000, 260_000) // 1000 * 1000),
                     rng.choice(("Hot", "Warm", "Cold", "")), us_date(_when(rng, date(2024, 1, 2), date(2024, 12, 20))),
                     us_date(_when(rng))])
    return CrmExport(
        system="Salesforce", name="salesforce_accounts_report", file_name="report1764584100452.csv",
        header=header, rows=rows, kind="accounts",
        roles={"account_id": "Account Number", "owner": "Account Owner"},
        values={"Industry": ("attribute",), "Type": ("attribute",), "Employees": ("attribute",),
                "Annual Revenue": ("attribute",), "Billing Country": ("attribute",),
                "Created Date": ("ignore",), "Last Activity": ("ignore",)},
        footer=_sf_footer(n), n_unknown_account=unknown, quote_all=True)


# Salesforce Classic "Printable View" of a tabular Activities report (an .xls), saved as CSV by
# Excel, as users hand it over: the report title, the org name, the "As of ... Generated By:" line
# and the "Filtered By:" block sit above the header, and Excel pads every line to the table's
# width with trailing delimiters. The footer is the report's "Grand Totals" line and the
# confidentiality/copyright lines, also padded.
def salesforce_activities_printable_view() -> CrmExport:
    rng = random.Random(105)
    n, unknown, blank = 57, 1, 2
    header = ["Assigned", "Subject", "Task Subtype", "Date", "Company / Account", "Status"]
    pad = "," * (len(header) - 1)
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown, blank=blank)):
        subtype = "Task" if slot.blank else _pick(rng, {"Call": 3, "Email": 4, "Task": 2})
        subject = rng.choice(INTERNAL_SUBJECTS) if slot.blank else _subject(subtype.lower(), rng)
        rows.append([_owner(slot, rng), subject, subtype, us_date(when), slot.cell, "Completed"])
    preamble = ("Completed Activities 2025" + pad, "Payoff Demo Co" + pad,
                "As of 12/1/2025 9:14 AM · Generated By: Dana Whitfield" + pad, pad,
                "Filtered By:" + pad, "   Date equals THIS YEAR" + pad, "   Status equals Completed" + pad, pad)
    footer = (pad, f"Grand Totals ({n} records)" + pad, pad, "Confidential Information - Do Not Distribute" + pad,
              "Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved." + pad)
    return CrmExport(
        system="Salesforce", name="salesforce_activities_printable_view", file_name="Completed Activities 2025.csv",
        header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Company / Account", "date": "Date", "activity_type": "Task Subtype", "owner": "Assigned"},
        values={"Subject": ("ignore",), "Status": ("ignore",)},
        preamble=preamble, footer=footer, n_no_account=blank, n_unknown_account=unknown)


# --------------------------------------------------------------------------------------------
# HubSpot
# --------------------------------------------------------------------------------------------

def hubspot_id(rng: random.Random) -> str:
    return str(rng.randrange(10_000_000_000, 99_999_999_999))


# HubSpot, custom report builder on the Activities data source, exported to CSV. One row per
# engagement with the activity properties' labels: Record ID, Activity date, Activity type
# (engagement type as stored: CALL, EMAIL, MEETING, NOTE, TASK), Activity assigned to, and the
# associated company and contact. Dates are "2025-03-04 14:05" in the portal's time zone.
def hubspot_activities_export() -> CrmExport:
    rng = random.Random(201)
    n, unknown, blank = 110, 3, 3
    header = ["Record ID", "Activity date", "Activity type", "Activity assigned to", "Associated Company",
              "Associated Contact", "Subject / title"]
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown, blank=blank)):
        kind = "TASK" if slot.blank else _pick(rng, {"CALL": 3, "EMAIL": 5, "MEETING": 2, "NOTE": 1, "TASK": 1})
        subject = rng.choice(INTERNAL_SUBJECTS) if slot.blank else _subject(kind.lower(), rng)
        rows.append([hubspot_id(rng), iso_minute(when), kind, _owner(slot, rng), slot.cell,
                     "" if slot.blank else _person(rng), subject])
    return CrmExport(
        system="HubSpot", name="hubspot_activities_export",
        file_name="hubspot-custom-report-all-activities-2025-12-01.csv",
        header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Associated Company", "date": "Activity date", "activity_type": "Activity type",
               "activity_id": "Record ID", "owner": "Activity assigned to"},
        values={"Associated Contact": ("ignore",), "Subject / title": ("ignore",)},
        n_no_account=blank, n_unknown_account=unknown)


# HubSpot, Calls index page > Export (all calls, CSV). Call properties by label: Record ID,
# Call Title, Activity date, Call duration (hs_call_duration, which HubSpot stores in
# milliseconds), Call outcome (Connected / Left voicemail / No answer / Busy / Wrong number),
# Call direction (Outbound / Inbound), Activity assigned to, and the associations "Associated
# Company" and "Associated Company IDs" (HubSpot's own company record ids). No type column:
# every row is a call.
def hubspot_calls_export() -> CrmExport:
    rng = random.Random(202)
    n, unknown = 84, 2
    header = ["Record ID", "Call Title", "Activity date", "Call duration", "Call outcome", "Call direction",
              "Activity assigned to", "Associated Company", "Associated Company IDs", "Associated Contact"]
    company_ids: dict[str, str] = {}
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown)):
        outcome = _pick(rng, {"Connected": 6, "Left voicemail": 3, "No answer": 2, "Busy": 1})
        ms = {"Connected": rng.randrange(90, 2400), "Left voicemail": rng.randrange(15, 70)}.get(outcome, 0) * 1000
        key = name_key(slot.cell)
        ms = ms + rng.randrange(0, 999) if ms else 0
        rows.append([hubspot_id(rng), _subject("call", rng), iso_minute(when), str(ms),
                     outcome, _pick(rng, {"Outbound": 4, "Inbound": 1}), _owner(slot, rng), slot.cell,
                     company_ids.setdefault(key, hubspot_id(rng)), _person(rng)])
    return CrmExport(
        system="HubSpot", name="hubspot_calls_export", file_name="hubspot-crm-exports-all-calls-2025-12-01.csv",
        header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Associated Company", "date": "Activity date", "activity_id": "Record ID",
               "owner": "Activity assigned to", "duration": "Call duration"},
        values={"Call Title": ("ignore",), "Associated Company IDs": ("ignore",), "Associated Contact": ("ignore",)},
        duration_unit="milliseconds", activity_label="Call", n_unknown_account=unknown)


# HubSpot, Companies index page > Export (CSV). Default company properties by label: Record ID,
# Company name, Company owner, Create Date, Last Activity Date, Lifecycle Stage, Industry,
# Number of Employees, Annual Revenue, Country/Region, Company Domain Name.
def hubspot_companies_export() -> CrmExport:
    rng = random.Random(203)
    n, unknown = 75, 1
    header = ["Record ID", "Company name", "Company owner", "Create Date", "Last Activity Date", "Lifecycle Stage",
              "Industry", "Number of Employees", "Annual Revenue", "Country/Region", "Company Domain Name"]
    industries = ("Computer Software", "Hospitality", "Logistics and Supply Chain", "Insurance", "Food & Beverages",
                  "Telecommunications", "Biotechnology", "Management Consulting", "Machinery")
    rows = []
    for slot in _slots(rng, n, unknown=unknown, distinct=True, vary=False):
        acc = slot.account
        domain = re.sub(r"[^a-z]", "", name_key(slot.cell).split(" ")[0].encode("ascii", "ignore").decode()) or "co"
        rows.append([hubspot_id(rng), slot.cell, acc.owner if acc else rng.choice(REPS),
                     iso_minute(_when(rng, date(2024, 1, 2), date(2024, 12, 20))), iso_minute(_when(rng)),
                     _pick(rng, {"Customer": 9, "Opportunity": 1}), rng.choice(industries),
                     str(acc.employees if acc else 55), money_plain(rng.randrange(2, 900) * 100_000),
                     COUNTRY[acc.region] if acc else "Norway", f"{domain}.example.com"])
    return CrmExport(
        system="HubSpot", name="hubspot_companies_export", file_name="hubspot-crm-exports-all-companies-2025-12-01.csv",
        header=header, rows=rows, kind="accounts",
        roles={"account_id": "Company name", "owner": "Company owner"},
        values={"Record ID": ("ignore",), "Industry": ("attribute",), "Number of Employees": ("attribute",),
                "Lifecycle Stage": ("ignore",), "Country/Region": ("attribute",), "Create Date": ("ignore",),
                "Last Activity Date": ("ignore",)},  # a lifecycle stage is where the customer got to: after the fact
        n_unknown_account=unknown)


HUBSPOT_OPEN_STAGES = ("Appointment Scheduled", "Qualified To Buy", "Presentation Scheduled",
                       "Decision Maker Bought-In", "Contract Sent")


# HubSpot, Deals index page > Export (CSV), default sales pipeline. Deal properties by label:
# Record ID, Deal Name, Deal Stage (Appointment Scheduled ... Contract Sent, Closed Won,
# Closed Lost), Close Date, Deal owner, Amount (a plain number), Pipeline, Create Date, Deal Type
# and the "Associated Company" association column. Open deals may have no company yet.
def hubspot_deals_export() -> CrmExport:
    rng = random.Random(204)
    n, unknown, blank = 72, 2, 4
    header = ["Record ID", "Deal Name", "Deal Stage", "Close Date", "Deal owner", "Amount", "Pipeline", "Create Date",
              "Deal Type", "Associated Company"]
    rows = []
    for close, slot in _dated(rng, _slots(rng, n, unknown=unknown, blank=blank)):
        stage = rng.choice(HUBSPOT_OPEN_STAGES) if slot.blank else _pick(
            rng, {"Closed Won": 5, "Closed Lost": 4, **{s: 0.5 for s in HUBSPOT_OPEN_STAGES}})
        deal = f"{slot.cell.strip() or 'Inbound lead'} - {rng.choice(('Annual plan', 'Expansion', 'Pilot'))}"
        rows.append([hubspot_id(rng), deal,
                     stage, iso_minute(close.replace(hour=0, minute=0)), _owner(slot, rng),
                     money_plain(_deal_amount(rng, slot.account)), "Sales Pipeline",
                     iso_minute(close - timedelta(days=rng.randrange(14, 120))),
                     rng.choice(("New Business", "Existing Business")), slot.cell])
    return CrmExport(
        system="HubSpot", name="hubspot_deals_export", file_name="hubspot-crm-exports-all-deals-2025-12-01.csv",
        header=header, rows=rows, kind="outcomes",
        roles={"account_id": "Associated Company", "date": "Close Date", "owner": "Deal owner"},
        values={"Deal Stage": ("outcome", "binary"), "Amount": ("outcome", "amount"), "Record ID": ("ignore",),
                "Deal Name": ("ignore",), "Create Date": ("ignore",), "Pipeline": ("ignore",)},
        n_no_account=blank, n_unknown_account=unknown)


# HubSpot, custom report builder (Activities, grouped by associated company and month of
# Activity date, broken down by Activity type) exported to CSV: one row per company and month
# with a count column per activity type. Zero months are written as 0.
def hubspot_company_activity_by_month() -> CrmExport:
    rng = random.Random(205)
    companies = rng.sample(ACCOUNTS, 8)
    header = ["Associated Company", "Activity date (Month)", "Calls", "Emails", "Meetings", "Notes"]
    rows = []
    for acc in companies:
        level = rng.uniform(0.5, 3)
        for m in range(1, 13):
            rows.append([acc.name, f"{date(YEAR, m, 1):%b %Y}", str(int(rng.expovariate(1 / (2 * level)))),
                         str(int(rng.expovariate(1 / (5 * level)))), str(int(rng.random() < 0.4 * level)),
                         str(int(rng.expovariate(1 / level)))])
    stranger = rng.choice(UNKNOWN_COMPANIES)
    for m in (4, 5):
        rows.append([stranger, f"{date(YEAR, m, 1):%b %Y}", "1", "3", "0", "0"])
    return CrmExport(
        system="HubSpot", name="hubspot_company_activity_by_month",
        file_name="hubspot-custom-report-company-activity-by-month-2025-12-01.csv",
        header=header, rows=rows, kind="activity_counts",
        roles={"account_id": "Associated Company", "date": "Activity date (Month)"},
        values={"Calls": ("activity",), "Emails": ("activity",), "Meetings": ("activity",), "Notes": ("activity",)},
        n_unknown_account=2)


# --------------------------------------------------------------------------------------------
# Microsoft Dynamics 365
# --------------------------------------------------------------------------------------------

def _row_checksum(rng: random.Random) -> str:
    return base64.b64encode(bytes(rng.getrandbits(8) for _ in range(48))).decode()


DYN_TYPES = {"Phone Call": 4, "Email": 5, "Appointment": 2, "Task": 2}


# Microsoft Dynamics 365 (Sales), Activities grid "All Activities" > Export to Excel, saved as
# CSV. The export starts with the three hidden columns Dynamics writes for re-import:
# "(Do Not Modify) Activity" (the row's GUID), "(Do Not Modify) Row Checksum" and
# "(Do Not Modify) Modified On", then the view's columns: Subject, Regarding (the account's name),
# Activity Type (Phone Call / Email / Appointment / Task), Activity Status, Owner, Priority,
# Actual End and Duration (actualdurationminutes). Dates follow the user's en-US settings. Tasks
# regarding nothing are internal.
def dynamics_activities_export() -> CrmExport:
    rng = random.Random(301)
    n, unknown, blank = 90, 2, 5
    header = ["(Do Not Modify) Activity", "(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On", "Subject",
              "Regarding", "Activity Type", "Activity Status", "Owner", "Priority", "Actual End", "Duration"]
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown, blank=blank)):
        kind = "Task" if slot.blank else _pick(rng, DYN_TYPES)
        minutes = {"Phone Call": rng.choice((5, 10, 15, 30)), "Appointment": rng.choice((30, 60, 90)),
                   "Task": rng.choice((15, 30, 60)), "Email": ""}[kind]
        subject = rng.choice(INTERNAL_SUBJECTS) if slot.blank else _subject(
            {"Phone Call": "call", "Appointment": "meeting"}.get(kind, kind.lower()), rng)
        modified = when + timedelta(hours=rng.randrange(1, 72))
        rows.append([guid(rng), _row_checksum(rng), modified.strftime("%Y-%m-%dT%H:%M:%S"), subject, slot.cell, kind,
                     "Completed", _owner(slot, rng), _pick(rng, {"Normal": 6, "High": 1, "Low": 1}),
                     us_datetime(when), str(minutes)])
    return CrmExport(
        system="Microsoft Dynamics 365", name="dynamics_activities_export",
        file_name="All Activities 12-1-2025 9-14-27 AM.csv", header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Regarding", "date": "Actual End", "activity_type": "Activity Type",
               "activity_id": "(Do Not Modify) Activity", "owner": "Owner", "duration": "Duration"},
        values={"(Do Not Modify) Row Checksum": ("ignore",), "(Do Not Modify) Modified On": ("ignore",),
                "Subject": ("ignore",), "Activity Status": ("ignore",), "Priority": ("ignore",)},
        duration_unit="minutes", n_no_account=blank, n_unknown_account=unknown)


# Microsoft Dynamics 365, an Activities view ("My Activities") Export to Excel, opened and saved as
# "CSV (semicolon delimited)" by Excel on a German-locale machine, which is how many European
# users hand it over: semicolons, day-first "04.03.2025 14:05" dates. Dynamics itself writes the
# .xlsx; the semicolons and dates come from Excel's regional settings.
def dynamics_activities_excel_de() -> CrmExport:
    rng = random.Random(302)
    n, unknown, blank = 60, 1, 3
    header = ["(Do Not Modify) Activity", "(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On", "Subject",
              "Regarding", "Activity Type", "Activity Status", "Owner", "Due Date"]
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown, blank=blank)):
        kind = "Task" if slot.blank else _pick(rng, DYN_TYPES)
        subject = rng.choice(INTERNAL_SUBJECTS) if slot.blank else _subject(
            {"Phone Call": "call", "Appointment": "meeting"}.get(kind, kind.lower()), rng)
        rows.append([guid(rng), _row_checksum(rng), de_datetime(when + timedelta(hours=rng.randrange(1, 48))), subject,
                     slot.cell, kind, "Completed", _owner(slot, rng), de_datetime(when)])
    return CrmExport(
        system="Microsoft Dynamics 365", name="dynamics_activities_excel_de",
        file_name="My Activities 1-12-2025 09-14-27.csv", header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Regarding", "date": "Due Date", "activity_type": "Activity Type",
               "activity_id": "(Do Not Modify) Activity", "owner": "Owner"},
        values={"(Do Not Modify) Row Checksum": ("ignore",), "(Do Not Modify) Modified On": ("ignore",),
                "Subject": ("ignore",)},
        delimiter=";", n_no_account=blank, n_unknown_account=unknown)


# Microsoft Dynamics 365 (Sales), Opportunities grid "Closed Opportunities" / "All
# Opportunities" > Export to Excel, saved as CSV: the hidden "(Do Not Modify) Opportunity", Row
# Checksum and Modified On columns, then Topic, Potential Customer (the account's name), Status
# (Open / Won / Lost), Status Reason, Est. Revenue, Actual Revenue, Actual Close Date, Owner.
# Currency in the user's format ("$12,500.00"). Actual Revenue is 0 for lost and empty for open
# opportunities.
def dynamics_opportunities_export() -> CrmExport:
    rng = random.Random(303)
    n, unknown, blank = 70, 2, 3
    header = ["(Do Not Modify) Opportunity", "(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On", "Topic",
              "Potential Customer", "Status", "Status Reason", "Est. Revenue", "Actual Revenue", "Actual Close Date",
              "Owner"]
    rows = []
    for close, slot in _dated(rng, _slots(rng, n, unknown=unknown, blank=blank)):
        status = "Open" if slot.blank else _pick(rng, {"Won": 5, "Lost": 4, "Open": 1})
        est = _deal_amount(rng, slot.account)
        reason = {"Won": "Won", "Lost": rng.choice(("Canceled", "Out-Sold")),
                  "Open": rng.choice(("In Progress", "On Hold"))}[status]
        actual = {"Won": money_symbol(est), "Lost": money_symbol(0), "Open": ""}[status]
        rows.append([guid(rng), _row_checksum(rng), close.strftime("%Y-%m-%dT%H:%M:%S"),
                     f"{rng.choice(('Renewal', 'Expansion', 'New deal'))} {close.year}", slot.cell, status, reason,
                     money_symbol(est), actual, "" if status == "Open" else us_date(close), _owner(slot, rng)])
    return CrmExport(
        system="Microsoft Dynamics 365", name="dynamics_opportunities_export",
        file_name="Closed Opportunities 12-1-2025 9-20-03 AM.csv", header=header, rows=rows, kind="outcomes",
        roles={"account_id": "Potential Customer", "date": "Actual Close Date", "owner": "Owner"},
        values={"Status": ("outcome", "binary"), "Actual Revenue": ("outcome", "amount"), "Est. Revenue": ("ignore",),
                "Status Reason": ("ignore",), "(Do Not Modify) Row Checksum": ("ignore",),
                "(Do Not Modify) Modified On": ("ignore",), "(Do Not Modify) Opportunity": ("ignore",),
                },
        n_no_account=blank, n_unknown_account=unknown)


# --------------------------------------------------------------------------------------------
# Pipedrive
# --------------------------------------------------------------------------------------------

# Pipedrive, Activities list view > Export filter results (CSV). Pipedrive prefixes every column
# with its object: "Activity - ID", "Activity - Subject", "Activity - Type" (the default types
# Call / Meeting / Task / Deadline / Email / Lunch), "Activity - Due date" (2025-03-04),
# "Activity - Due time", "Activity - Done" (Done / To do), "Activity - Assigned to user",
# "Activity - Deal", "Activity - Contact person"; related organisation fields come as
# "Organization - Name" and "Organization - Owner".
def pipedrive_activities_export() -> CrmExport:
    rng = random.Random(401)
    n, unknown, blank = 100, 3, 4
    header = ["Activity - ID", "Activity - Subject", "Activity - Type", "Activity - Due date", "Activity - Due time",
              "Activity - Done", "Activity - Assigned to user", "Activity - Deal", "Activity - Contact person",
              "Organization - Name", "Organization - Owner", "Activity - Marked as done time"]
    rows = []
    for i, (when, slot) in enumerate(_dated(rng, _slots(rng, n, unknown=unknown, blank=blank))):
        kind = "Task" if slot.blank else _pick(rng, {"Call": 4, "Meeting": 2, "Task": 2, "Email": 3, "Deadline": 1,
                                                     "Lunch": 0.3})
        subject = rng.choice(INTERNAL_SUBJECTS) if slot.blank else _subject(kind.lower(), rng)
        owner = _owner(slot, rng)
        rows.append([str(18_400 + i * 7 + rng.randrange(7)), subject, kind, iso_date(when), when.strftime("%H:%M"),
                     "Done", owner, "" if slot.blank or rng.random() < 0.6 else f"{slot.cell.strip()} deal",
                     "" if slot.blank else _person(rng), slot.cell,
                     "" if slot.blank else (slot.account.owner if slot.account else owner),
                     iso_second(when + timedelta(minutes=rng.randrange(5, 240)))])
    return CrmExport(
        system="Pipedrive", name="pipedrive_activities_export", file_name="activities-export-2025-12-01.csv",
        header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Organization - Name", "date": "Activity - Due date", "activity_type": "Activity - Type",
               "activity_id": "Activity - ID", "owner": "Activity - Assigned to user"},
        values={"Activity - Subject": ("ignore",), "Activity - Due time": ("ignore",), "Activity - Done": ("ignore",),
                "Activity - Marked as done time": ("ignore",), "Organization - Owner": ("ignore",)},
        n_no_account=blank, n_unknown_account=unknown)


# Pipedrive, Deals list view > Export filter results (CSV): "Deal - ID", "Deal - Title",
# "Deal - Organization", "Deal - Contact person", "Deal - Value" (plain number),
# "Deal - Currency", "Deal - Pipeline", "Deal - Stage", "Deal - Status" (Open / Won / Lost),
# "Deal - Owner", "Deal - Deal created", "Deal - Expected close date", "Deal - Won time",
# "Deal - Lost time", "Deal - Closed on", "Deal - Lost reason".
def pipedrive_deals_export() -> CrmExport:
    rng = random.Random(402)
    n, unknown, blank = 66, 1, 4
    stages = ("Qualified", "Contact Made", "Demo Scheduled", "Proposal Made", "Negotiations Started")
    header = ["Deal - ID", "Deal - Title", "Deal - Organization", "Deal - Contact person", "Deal - Value",
              "Deal - Currency", "Deal - Pipeline", "Deal - Stage", "Deal - Status", "Deal - Owner",
              "Deal - Deal created", "Deal - Expected close date", "Deal - Won time", "Deal - Lost time",
              "Deal - Closed on", "Deal - Lost reason"]
    rows = []
    for i, (close, slot) in enumerate(_dated(rng, _slots(rng, n, unknown=unknown, blank=blank))):
        status = "Open" if slot.blank else _pick(rng, {"Won": 5, "Lost": 4, "Open": 1})
        stage = stages[-1] if status == "Won" else rng.choice(stages)
        closed = iso_second(close) if status != "Open" else ""
        rows.append([str(610 + i), f"{slot.cell.strip() or 'Website enquiry'} deal", slot.cell,
                     "" if slot.blank else _person(rng), money_plain(_deal_amount(rng, slot.account)), "USD",
                     "Sales pipeline", stage, status, _owner(slot, rng),
                     iso_second(close - timedelta(days=rng.randrange(10, 120))), iso_date(close),
                     closed if status == "Won" else "", closed if status == "Lost" else "", closed,
                     rng.choice(("Price", "Went with competitor", "No budget", "Timing")) if status == "Lost" else ""])
    return CrmExport(
        system="Pipedrive", name="pipedrive_deals_export", file_name="deals-export-2025-12-01.csv",
        header=header, rows=rows, kind="outcomes",
        roles={"account_id": "Deal - Organization", "date": "Deal - Closed on", "owner": "Deal - Owner"},
        values={"Deal - Status": ("outcome", "binary"), "Deal - Value": ("outcome", "amount"),
                "Deal - Stage": ("ignore",), "Deal - Won time": ("ignore",), "Deal - Lost time": ("ignore",),
                "Deal - Deal created": ("ignore",), "Deal - Lost reason": ("ignore",), "Deal - ID": ("ignore",)},
        n_no_account=blank, n_unknown_account=unknown)


# --------------------------------------------------------------------------------------------
# Zoho CRM
# --------------------------------------------------------------------------------------------

def zoho_id(rng: random.Random) -> str:
    return f"zcrm_4876876000{rng.randrange(10**8, 10**9)}"  # 19 digits


# Zoho CRM, Tasks module > Export (CSV). Task fields by label: Record Id (zcrm_...), Task Owner,
# Subject, Due Date (2025-03-04), Status, Priority, Related To (the account the task is "What"
# for), Contact Name, Created Time, Modified Time (2025-03-04 14:05:00). Tasks have no type field:
# every row is a task. Tasks related to nothing are internal.
def zoho_tasks_export() -> CrmExport:
    rng = random.Random(501)
    n, unknown, blank = 70, 2, 6
    header = ["Record Id", "Task Owner", "Subject", "Due Date", "Status", "Priority", "Related To", "Contact Name",
              "Created Time", "Modified Time"]
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown, blank=blank)):
        rows.append([zoho_id(rng), _owner(slot, rng),
                     rng.choice(INTERNAL_SUBJECTS) if slot.blank else rng.choice(TASK_SUBJECTS), iso_date(when),
                     "Completed", _pick(rng, {"Normal": 4, "High": 1, "Highest": 0.3, "Low": 1}), slot.cell,
                     "" if slot.blank else _person(rng), iso_second(when - timedelta(days=rng.randrange(1, 10))),
                     iso_second(when + timedelta(hours=rng.randrange(1, 30)))])
    return CrmExport(
        system="Zoho CRM", name="zoho_tasks_export", file_name="Tasks_2025_12_01.csv",
        header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Related To", "date": "Due Date", "activity_id": "Record Id", "owner": "Task Owner"},
        values={"Subject": ("ignore",), "Status": ("ignore",), "Created Time": ("ignore",),
                "Modified Time": ("ignore",), "Contact Name": ("ignore",)},
        activity_label="Task", n_no_account=blank, n_unknown_account=unknown)


def _zoho_calls(seed: int, name: str, duration_header: str, fmt: Callable[[int], str], unit: str,
                n: int, unknown: int) -> CrmExport:
    rng = random.Random(seed)
    header = ["Record Id", "Call Owner", "Subject", "Call Type", "Call Purpose", "Related To", "Contact Name",
              "Call Start Time", duration_header, "Call Result", "Created Time"]
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown)):
        call_type = _pick(rng, {"Outbound": 6, "Inbound": 2, "Missed": 1})
        seconds = 0 if call_type == "Missed" else rng.randrange(20, 2700)
        if seconds and rng.random() < 0.05:
            seconds = rng.randrange(3600, 5400)  # the odd long call: 72:15 can only be minutes:seconds
        rows.append([zoho_id(rng), _owner(slot, rng), _subject("call", rng), call_type,
                     rng.choice(("Prospecting", "Negotiation", "Demo", "Project", "Administrative", "-None-")),
                     slot.cell, _person(rng), iso_second(when), fmt(seconds),
                     "" if call_type == "Missed" else rng.choice(("Interested", "Requested more info", "Not interested",
                                                                  "Requested call back", "Invalid number")),
                     iso_second(when)])
    return CrmExport(
        system="Zoho CRM", name=name, file_name="Calls_2025_12_01.csv", header=header, rows=rows,
        kind="activity_events",
        roles={"account_id": "Related To", "date": "Call Start Time", "activity_id": "Record Id",
               "owner": "Call Owner", "duration": duration_header},
        values={"Call Type": ("ignore",), "Call Purpose": ("ignore",), "Subject": ("ignore",),
                "Created Time": ("ignore",), "Contact Name": ("ignore",)},
        duration_unit=unit, activity_label="Call", n_unknown_account=unknown)


# Zoho CRM, Calls module > Export (CSV) with the "Call Duration (in seconds)" field. Call fields by
# label: Record Id, Call Owner, Subject, Call Type (Outbound / Inbound / Missed: the direction,
# not an activity type), Call Purpose, Related To (the account), Contact Name, Call Start Time,
# Call Result, Created Time. Every row is a call.
def zoho_calls_seconds() -> CrmExport:
    return _zoho_calls(502, "zoho_calls_seconds", "Call Duration (in seconds)", str, "seconds", 80, 2)


# Zoho CRM, Calls module > Export (CSV) with the "Call Duration" field, which Zoho writes as
# minutes:seconds ("04:37"; a 72-minute call is "72:15"). Otherwise as the export above.
def zoho_calls_mmss() -> CrmExport:
    return _zoho_calls(503, "zoho_calls_mmss", "Call Duration", mmss, "hms", 64, 0)


# Zoho CRM, Accounts module > Export (CSV). Account fields by label: Record Id, Account Owner,
# Account Name, Account Type, Industry, Employees, Annual Revenue, Billing Country, plus two custom
# fields the org added: "Tier" ("Tier 2") and "Sales Team" ("Team 14"). This org shows its users
# by numbered labels ("Rep 19"): none of these is a date.
def zoho_accounts_export() -> CrmExport:
    rng = random.Random(504)
    n, unknown = 90, 3
    header = ["Record Id", "Account Owner", "Account Name", "Account Type", "Industry", "Employees",
              "Annual Revenue", "Billing Country", "Tier", "Sales Team", "Created Time"]
    rows = []
    for slot in _slots(rng, n, unknown=unknown, distinct=True):
        acc = slot.account
        owner = acc.owner if acc else rng.choice(REPS)
        team = acc.team if acc else rng.choice(TEAMS)
        rows.append([zoho_id(rng), REP_LABEL[owner], slot.cell, rng.choice(("Customer", "Customer", "Partner")),
                     rng.choice(("Technology", "Manufacturing", "Healthcare", "Hospitality", "Retail", "Finance")),
                     str(acc.employees if acc else 40), money_plain(rng.randrange(5, 500) * 100_000),
                     {"North America": "United States", "EMEA": "United Kingdom", "APAC": "Singapore",
                      "LATAM": "Colombia"}[acc.region] if acc else "Canada",
                     TIER[acc.segment] if acc else "Tier 3", TEAM_LABEL[team],
                     iso_second(_when(rng, date(2024, 1, 2), date(2024, 12, 20)))])
    return CrmExport(
        system="Zoho CRM", name="zoho_accounts_export", file_name="Accounts_2025_12_01.csv",
        header=header, rows=rows, kind="accounts",
        roles={"account_id": "Account Name", "owner": "Account Owner"},
        values={"Tier": ("attribute",), "Sales Team": ("attribute",), "Industry": ("attribute",),
                "Employees": ("attribute",), "Account Type": ("attribute",), "Billing Country": ("attribute",),
                "Record Id": ("ignore",), "Created Time": ("ignore",)},
        n_unknown_account=unknown)


ZOHO_OPEN_STAGES = ("Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
                    "Proposal/Price Quote", "Negotiation/Review")


# Zoho CRM, Deals module > Export (CSV). Deal fields by label: Record Id, Deal Owner, Deal Name,
# Account Name, Stage (the default stages, ending Closed Won / Closed Lost /
# Closed-Lost to Competition), Amount (plain number), Closing Date, Probability (%),
# Expected Revenue, Lead Source, Created Time.
def zoho_deals_export() -> CrmExport:
    rng = random.Random(505)
    n, unknown, blank = 58, 0, 3
    header = ["Record Id", "Deal Owner", "Deal Name", "Account Name", "Stage", "Amount", "Closing Date",
              "Probability (%)", "Expected Revenue", "Lead Source", "Created Time"]
    rows = []
    for close, slot in _dated(rng, _slots(rng, n, unknown=unknown, blank=blank)):
        stage = rng.choice(ZOHO_OPEN_STAGES) if slot.blank else _pick(
            rng, {"Closed Won": 5, "Closed Lost": 3, "Closed-Lost to Competition": 1,
                  **{s: 0.3 for s in ZOHO_OPEN_STAGES}})
        prob = 100 if stage == "Closed Won" else 0 if stage.startswith("Closed") else \
            10 + 15 * ZOHO_OPEN_STAGES.index(stage)
        amount = _deal_amount(rng, slot.account)
        rows.append([zoho_id(rng), _owner(slot, rng), f"{slot.cell.strip() or 'Web lead'} - {close:%b} renewal",
                     slot.cell, stage, money_plain(amount), iso_date(close), str(prob),
                     money_plain(round(amount * prob / 100, 2)), rng.choice(("Advertisement", "Cold Call",
                                                                              "Employee Referral", "Web Download")),
                     iso_second(close - timedelta(days=rng.randrange(15, 150)))])
    return CrmExport(
        system="Zoho CRM", name="zoho_deals_export", file_name="Deals_2025_12_01.csv",
        header=header, rows=rows, kind="outcomes",
        roles={"account_id": "Account Name", "date": "Closing Date", "owner": "Deal Owner"},
        values={"Stage": ("outcome", "binary"), "Amount": ("outcome", "amount"), "Probability (%)": ("ignore",),
                "Expected Revenue": ("ignore",), "Created Time": ("ignore",), "Record Id": ("ignore",)},
        n_no_account=blank, n_unknown_account=unknown)


# --------------------------------------------------------------------------------------------
# Outreach and Salesloft
# --------------------------------------------------------------------------------------------

# Outreach, Tasks list (completed tasks, incl. sequence steps) > Export CSV. Outreach's task
# record: the task id, Type (Email / Call / LinkedIn / Task, the action a sequence step asks
# for), Due At and Completed At (ISO 8601 in UTC, "2025-03-04T14:05:00Z"), the prospect and the
# prospect's Account Name, the sequence name and step number, the task Owner and State.
def outreach_tasks_export() -> CrmExport:
    rng = random.Random(601)
    n, unknown = 105, 4
    header = ["Task ID", "Type", "Subject", "Due At", "Completed At", "Prospect Name", "Account Name",
              "Sequence Name", "Sequence Step", "Owner", "State"]
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown)):
        kind = _pick(rng, {"Email": 6, "Call": 3, "LinkedIn": 1.5, "Task": 1})
        subject = {"LinkedIn": "LinkedIn - Send Connection Request", "Task": "Action Item: research account"}.get(
            kind, _subject(kind.lower(), rng))
        rows.append([str(rng.randrange(2_000_000, 2_999_999)), kind, subject,
                     iso_z(when.replace(hour=9, minute=0, second=0)), iso_z(when), _person(rng), slot.cell,
                     rng.choice(("Renewal outreach 2025", "Expansion - Enterprise", "Re-engage dormant users")),
                     str(rng.randrange(1, 9)), _owner(slot, rng), "completed"])
    return CrmExport(
        system="Outreach", name="outreach_tasks_export", file_name="outreach-tasks-2025-12-01.csv",
        header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Account Name", "date": "Completed At", "activity_type": "Type",
               "activity_id": "Task ID", "owner": "Owner"},
        values={"Due At": ("ignore",), "Subject": ("ignore",), "Prospect Name": ("ignore",),
                "Sequence Step": ("ignore",), "State": ("ignore",)},
        n_unknown_account=unknown)


# Salesloft, Activity / completed-steps export from the People > Activity history view (CSV):
# Completed At ("03/04/2025 02:05 PM", the user's time zone), Step Type (Email / Phone / Other /
# Integration, Salesloft's step types), Cadence, Step, Person, Account, User, Disposition. This
# team's users are shown by numbered labels ("Rep 19"). No record id is exported.
def salesloft_activity_export() -> CrmExport:
    rng = random.Random(602)
    n, unknown = 92, 5
    header = ["Completed At", "Step Type", "Cadence", "Step", "Person", "Account", "User", "Disposition"]
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown)):
        kind = _pick(rng, {"Email": 6, "Phone": 3, "Other": 1, "Integration": 0.6})
        disposition = rng.choice(("Connected", "Left Voicemail", "No Answer", "Bad Number")) if kind == "Phone" else ""
        rows.append([us_datetime_padded(when), kind,
                     rng.choice(("Customer Expansion Q2", "Renewal - 90 days out", "Webinar follow-up")),
                     f"Day {rng.randrange(1, 22)}: {kind}", _person(rng), slot.cell, REP_LABEL[_owner(slot, rng)],
                     disposition])
    return CrmExport(
        system="Salesloft", name="salesloft_activity_export", file_name="salesloft_activity_export_2025-12-01.csv",
        header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Account", "date": "Completed At", "activity_type": "Step Type", "owner": "User"},
        values={"Cadence": ("ignore",), "Step": ("ignore",), "Person": ("ignore",), "Disposition": ("ignore",)},
        n_unknown_account=unknown)


# --------------------------------------------------------------------------------------------
# Gong
# --------------------------------------------------------------------------------------------

# Gong, Calls (search results) > Export to CSV. One row per recorded call, with no type column:
# Call ID (Gong's 19-digit id), Title, Started ("2025-03-04 14:05:00 UTC"), Duration
# ("00:32:10"), Host (the Gong user), Account (the CRM account Gong linked the call to), Scope
# (External / Internal; internal calls have no account), Call URL.
def gong_calls_export() -> CrmExport:
    rng = random.Random(701)
    n, unknown, blank = 76, 2, 6
    header = ["Call ID", "Title", "Started", "Duration", "Host", "Account", "Scope", "Call URL"]
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown, blank=blank)):
        call_id = str(rng.randrange(10**18, 10**19))
        seconds = rng.randrange(600, 3900)
        title = rng.choice(("Weekly pipeline sync", "Deal desk review")) if slot.blank else \
            f"{slot.cell.strip()} | {rng.choice(('Discovery', 'QBR', 'Renewal discussion', 'Demo'))}"
        rows.append([call_id, title, iso_utc(when), hms(seconds), _owner(slot, rng), slot.cell,
                     "Internal" if slot.blank else "External", f"https://us-48213.app.gong.io/call?id={call_id}"])
    return CrmExport(
        system="Gong", name="gong_calls_export", file_name="gong-calls-export-2025-12-01.csv",
        header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Account", "date": "Started", "activity_id": "Call ID", "owner": "Host",
               "duration": "Duration"},
        values={"Title": ("ignore",), "Scope": ("ignore",), "Call URL": ("ignore",)},
        duration_unit="hms", activity_label="Call", n_no_account=blank, n_unknown_account=unknown)


# --------------------------------------------------------------------------------------------
# Zendesk, Intercom, Freshdesk: one row per support ticket or conversation, no activity type
# --------------------------------------------------------------------------------------------

# Zendesk Support, Admin Center > Account > Tools > Reports > Export > CSV (ticket export). The
# ticket export's columns: Id, Requester, Requester domain, Assignee, Group, Subject, Status,
# Priority, Via, Ticket type (question / incident / problem / task: a ticket category, not an
# activity type), Created at, Solved at, Organization (the end user's organisation, empty for
# requesters without one), Tags, Satisfaction Score, Replies, First reply time in minutes and
# Full resolution time in minutes (response metrics, not the duration of an activity). The
# download is named "export-<date>-<time>-<account>-<hash>.csv".
def zendesk_tickets_export() -> CrmExport:
    rng = random.Random(801)
    n, unknown, blank = 118, 3, 7
    header = ["Id", "Requester", "Requester domain", "Assignee", "Group", "Subject", "Status", "Priority", "Via",
              "Ticket type", "Created at", "Solved at", "Organization", "Tags", "Satisfaction Score", "Replies",
              "First reply time in minutes", "Full resolution time in minutes"]
    agents = ("Mia Jensen", "Tobias Klein", "Aisha Bello", "Lucas Moreau", "Sofia Ricci")
    rows = []
    for i, (when, slot) in enumerate(_dated(rng, _slots(rng, n, unknown=unknown, blank=blank))):
        requester = _person(rng)
        solved = when + timedelta(minutes=rng.randrange(30, 6000))
        status = _pick(rng, {"Closed": 6, "Solved": 3, "Open": 0.6, "Pending": 0.4})
        rows.append([str(40_210 + i * 3 + rng.randrange(3)), requester,
                     "" if slot.blank else _email(requester, slot.cell.strip()).split("@")[1], rng.choice(agents),
                     rng.choice(("Support", "Tier 2", "Billing")),
                     rng.choice(("Cannot log in", "Export fails with timeout", "Invoice question",
                                 "How do I add a user?", "Sync error, HubSpot connector", "Feature request: SSO")),
                     status, rng.choice(("Low", "Normal", "Normal", "High", "Urgent")),
                     rng.choice(("Mail", "Web form", "Chat", "Phone call (inbound)")),
                     rng.choice(("question", "incident", "problem", "task", "")), iso_minute(when),
                     iso_minute(solved) if status in ("Closed", "Solved") else "", slot.cell,
                     rng.choice(("billing", "login sso", "export", "", "integration hubspot")),
                     rng.choice(("Good", "Bad", "Offered", "Unoffered", "Unoffered")), str(rng.randrange(1, 9)),
                     str(rng.randrange(2, 600)), str(int((solved - when).total_seconds() // 60))])
    return CrmExport(
        system="Zendesk", name="zendesk_tickets_export",
        file_name="export-2025-12-01-0914-10482733-360012345678a1b2.csv",
        header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Organization", "date": "Created at", "activity_id": "Id", "owner": "Assignee"},
        values={"Ticket type": ("ignore",), "Subject": ("ignore",), "Requester": ("ignore",),
                "Requester domain": ("ignore",), "Solved at": ("ignore",), "Status": ("ignore",)},
        activity_label="Support ticket", n_no_account=blank, n_unknown_account=unknown)


# Intercom, Reports > Conversations dataset > Export CSV. One row per conversation: Conversation
# ID, Created at (2025-03-04 14:05:08, UTC), Company ID (the company_id the workspace sends to
# Intercom, here the sample's ACC-00001 ids) and Company name, Channel, State, Teammate assigned,
# Team assigned, Conversation rating, Tags. Conversations started by leads belong to no company.
def intercom_conversations_export() -> CrmExport:
    rng = random.Random(802)
    n, unknown, blank = 86, 2, 8
    header = ["Conversation ID", "Created at", "Company ID", "Company name", "Channel", "State", "Teammate assigned",
              "Team assigned", "Conversation rating", "Tags"]
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown, blank=blank, by="id"), weekdays=False):
        company = slot.account.name if slot.account else ("" if slot.blank else rng.choice(UNKNOWN_COMPANIES))
        rows.append([str(rng.randrange(10**14, 10**15)), iso_second(when), slot.cell, company,
                     rng.choice(("Chat", "Email", "Chat", "Conversation started from a post")),
                     rng.choice(("closed", "closed", "closed", "open", "snoozed")),
                     rng.choice(("Noor Haddad", "Pablo Ruiz", "Grete Olsen", "Unassigned")),
                     rng.choice(("Support", "Onboarding", "Billing")), rng.choice(("", "", "5", "4", "3", "1")),
                     rng.choice(("", "bug", "how-to", "billing, refund"))])
    return CrmExport(
        system="Intercom", name="intercom_conversations_export", file_name="conversations_2025-12-01.csv",
        header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Company ID", "date": "Created at", "activity_id": "Conversation ID",
               "owner": "Teammate assigned"},
        values={"Company name": ("attribute",), "Channel": ("ignore",), "State": ("ignore",), "Tags": ("ignore",)},
        activity_label="Support conversation", n_no_account=blank, n_unknown_account=unknown)


# Freshdesk, Tickets > Export (CSV) with ticket, contact and company fields: Ticket ID, Subject,
# Status, Priority, Source, Type (Question / Incident / Problem / Feature Request: a category),
# Agent, Group, Created time, Due by Time, Resolved time, Closed time, Last update time,
# Time tracked, First response time (in hrs), Resolution time (in hrs), Agent interactions,
# Customer interactions, Resolution status, First response status, Tags, Full name, Contact ID,
# Company Name.
def freshdesk_tickets_export() -> CrmExport:
    rng = random.Random(803)
    n, unknown, blank = 95, 4, 5
    header = ["Ticket ID", "Subject", "Status", "Priority", "Source", "Type", "Agent", "Group", "Created time",
              "Due by Time", "Resolved time", "Closed time", "Last update time", "Time tracked",
              "First response time (in hrs)", "Resolution time (in hrs)", "Agent interactions",
              "Customer interactions", "Resolution status", "First response status", "Tags", "Full name",
              "Contact ID", "Company Name"]
    rows = []
    for i, (when, slot) in enumerate(_dated(rng, _slots(rng, n, unknown=unknown, blank=blank))):
        resolved = when + timedelta(minutes=rng.randrange(20, 4000))
        hours = (resolved - when).total_seconds() / 3600
        status = _pick(rng, {"Closed": 6, "Resolved": 3, "Open": 0.5, "Pending": 0.5})
        done = status in ("Closed", "Resolved")
        rows.append([str(2310 + i), rng.choice(("Password reset not received", "API limit reached",
                                                 "Wrong amount on invoice", "Dashboard is slow")),
                     status, rng.choice(("Low", "Medium", "High", "Urgent")),
                     rng.choice(("Email", "Portal", "Phone", "Chat")),
                     rng.choice(("Question", "Incident", "Problem", "Feature Request", "")),
                     rng.choice(("Ravi Kumar", "Ella Schmidt", "Joon Park")),
                     rng.choice(("Customer Support", "Billing")),
                     iso_second(when), iso_second(when + timedelta(days=2)), iso_second(resolved) if done else "",
                     iso_second(resolved + timedelta(days=3)) if status == "Closed" else "",
                     iso_second(resolved + timedelta(hours=1)), hms(rng.choice((0, 0, 600, 900, 1800))),
                     f"{rng.uniform(0.1, 9):.2f}", f"{hours:.2f}" if done else "", str(rng.randrange(1, 6)),
                     str(rng.randrange(1, 6)), "Within SLA" if hours < 48 else "SLA Violated",
                     rng.choice(("Within SLA", "SLA Violated")), rng.choice(("", "billing", "api")), _person(rng),
                     str(rng.randrange(10**11, 10**12)), slot.cell])
    return CrmExport(
        system="Freshdesk", name="freshdesk_tickets_export", file_name="tickets-2025-12-01.csv",
        header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Company Name", "date": "Created time", "activity_id": "Ticket ID", "owner": "Agent"},
        values={"Type": ("ignore",), "Subject": ("ignore",), "Time tracked": ("ignore",),
                "Resolution time (in hrs)": ("ignore",), "First response time (in hrs)": ("ignore",),
                "Contact ID": ("ignore",), "Full name": ("ignore",)},
        activity_label="Support ticket", n_no_account=blank, n_unknown_account=unknown)


# --------------------------------------------------------------------------------------------
# Gainsight and ChurnZero
# --------------------------------------------------------------------------------------------

def gsid(rng: random.Random) -> str:
    return "1I00" + _alnum(rng, 32, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


# Gainsight CS, Cockpit > CTA list view > Export (CSV). Call to Action fields by label: Gsid, Name,
# Company, Type (Risk / Expansion / Lifecycle / Renewal: what the CTA is for), Reason, Priority,
# Status, Owner, Created Date, Due Date, Closed Date (MM/DD/YYYY).
def gainsight_ctas_export() -> CrmExport:
    rng = random.Random(901)
    n, unknown = 62, 1
    header = ["Gsid", "Name", "Company", "Type", "Reason", "Priority", "Status", "Owner", "Created Date", "Due Date",
              "Closed Date"]
    reasons = {"Risk": ("Low usage", "Support escalation", "Champion left"), "Expansion": ("Upsell opportunity",),
               "Lifecycle": ("Onboarding", "Kick-off"), "Renewal": ("Renewal in 120 days",)}
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown), end=date(YEAR, 11, 14)):
        kind = _pick(rng, {"Risk": 3, "Expansion": 1, "Lifecycle": 2, "Renewal": 2})
        closed = when + timedelta(days=rng.randrange(3, 40))
        status = _pick(rng, {"Closed Success": 5, "Closed Lost": 1, "Work In Progress": 1, "New": 0.5})
        rows.append([gsid(rng), f"{kind}: {rng.choice(reasons[kind])}", slot.cell, kind, rng.choice(reasons[kind]),
                     rng.choice(("High", "Medium", "Low")), status, _owner(slot, rng), us_date_padded(when),
                     us_date_padded(when + timedelta(days=14)),
                     us_date_padded(closed) if status.startswith("Closed") else ""])
    return CrmExport(
        system="Gainsight", name="gainsight_ctas_export", file_name="CTA_Export_2025-12-01.csv",
        header=header, rows=rows, kind="activity_events",
        # A CTA's Type (Risk, Expansion, Lifecycle) is why it was opened, not a kind of work: every row is one
        # CTA, dated by when it is due (as tasks are in Salesforce, Zoho and Pipedrive).
        roles={"account_id": "Company", "date": "Due Date", "activity_id": "Gsid", "owner": "Owner"},
        activity_label="CTA",
        values={"Name": ("ignore",), "Reason": ("ignore",), "Status": ("ignore",), "Created Date": ("ignore",),
                "Closed Date": ("ignore",)},
        n_unknown_account=unknown)


# Gainsight CS, Timeline > Export activities (CSV). Activity Timeline fields: Activity ID,
# Activity Date ("03/04/2025 02:05 PM"), Activity Type (Meeting / Call / Email / Update /
# Milestone), Subject, Company, Author, Internal Attendees, External Attendees.
def gainsight_timeline_export() -> CrmExport:
    rng = random.Random(902)
    n, unknown = 98, 2
    header = ["Activity ID", "Activity Date", "Activity Type", "Subject", "Company", "Author", "Internal Attendees",
              "External Attendees"]
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown)):
        kind = _pick(rng, {"Meeting": 3, "Call": 3, "Email": 3, "Update": 2, "Milestone": 0.5})
        author = _owner(slot, rng)
        subject = "Go-live reached" if kind == "Milestone" else _subject(kind.lower(), rng)
        rows.append([gsid(rng), us_datetime_padded(when), kind, subject, slot.cell, author,
                     author if kind in ("Meeting", "Call") else "",
                     "; ".join(_person(rng) for _ in range(rng.randrange(1, 3)))
                     if kind in ("Meeting", "Call") else ""])
    return CrmExport(
        system="Gainsight", name="gainsight_timeline_export", file_name="Timeline_Activities_2025-12-01.csv",
        header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Company", "date": "Activity Date", "activity_type": "Activity Type",
               "activity_id": "Activity ID", "owner": "Author"},
        values={"Subject": ("ignore",), "Internal Attendees": ("ignore",), "External Attendees": ("ignore",)},
        n_unknown_account=unknown)


# Gainsight CS, Report Builder on the Company object (one row per company, no date), exported
# to CSV: Company Name, CSM, Stage (Onboarding / Adopting / Renewing), ARR, Overall Score
# (the scorecard's 0-100 score), NPS (the company's average 0-10 response) and Active Users
# (Last 30 Days). A mix of attributes and measures per account: a wide file.
def gainsight_company_scorecard() -> CrmExport:
    rng = random.Random(903)
    n, unknown = 60, 1
    header = ["Company Name", "CSM", "Stage", "ARR", "Overall Score", "NPS", "Active Users (Last 30 Days)"]
    rows = []
    for slot in _slots(rng, n, unknown=unknown, distinct=True, vary=False):
        acc = slot.account
        arr = {"Enterprise": 90_000, "Mid-Market": 30_000, "SMB": 8_000}[acc.segment if acc else "SMB"]
        users = max(1, int((acc.employees if acc else 50) * rng.uniform(0.05, 0.3)))
        rows.append([slot.cell, acc.owner if acc else rng.choice(REPS),
                     rng.choice(("Onboarding", "Adopting", "Adopting", "Renewing")),
                     money_plain(round(arr * rng.uniform(0.5, 2), -2)), str(rng.randrange(18, 99)),
                     f"{rng.uniform(4, 10):.1f}" if rng.random() < 0.85 else "", str(users)])
    return CrmExport(
        system="Gainsight", name="gainsight_company_scorecard", file_name="Company_Scorecard_2025-12-01.csv",
        # Undated scores are a snapshot of each company: attributes, not measures of a period.
        header=header, rows=rows, kind="accounts",
        roles={"account_id": "Company Name", "owner": "CSM"},
        values={"Stage": ("ignore",), "ARR": ("attribute",), "Overall Score": ("attribute",), "NPS": ("attribute",),
                "Active Users (Last 30 Days)": ("attribute",)},
        n_unknown_account=unknown)


# ChurnZero, ChurnScore history export (Accounts > ChurnScore > Export, one row per account and
# snapshot date): Account External ID (the CRM account id ChurnZero keys accounts by, here the
# sample's ACC-00001 ids), Account Name, Date (month-end snapshot, 3/31/2025), ChurnScore (0-100)
# and ChurnScore Change.
def churnzero_churnscores() -> CrmExport:
    rng = random.Random(1001)
    accounts = rng.sample(ACCOUNTS, 9)
    header = ["Account External ID", "Account Name", "Date", "ChurnScore", "ChurnScore Change"]
    rows = []
    month_ends = [date(YEAR, m + 1, 1) - timedelta(days=1) for m in range(1, 12)] + [date(YEAR, 12, 31)]
    for acc in accounts:
        score = rng.randrange(35, 90)
        for day in month_ends:
            new = min(100, max(0, score + rng.randrange(-12, 13)))
            rows.append([acc.id, acc.name, us_date(day), str(new), f"{new - score:+d}" if new != score else "0"])
            score = new
    for day in month_ends[5:8]:
        rows.append([UNKNOWN_IDS[0], UNKNOWN_COMPANIES[2], us_date(day), str(rng.randrange(20, 60)), "0"])
    return CrmExport(
        system="ChurnZero", name="churnzero_churnscores", file_name="ChurnScore_History_2025-12-31.csv",
        header=header, rows=rows, kind="activity_measures",
        roles={"account_id": "Account External ID", "date": "Date"},
        values={"ChurnScore": ("measure",), "ChurnScore Change": ("measure",), "Account Name": ("attribute",)},
        n_unknown_account=3)


# ChurnZero, Tasks grid > Export (CSV): Subject, Account Name, Owner, Play (the play that created
# the task, if any), Priority, Status, Due Date, Completed Date (M/D/YYYY). ChurnZero tasks have no
# type: each row is a task. Tasks on no account are the CSM's own.
def churnzero_tasks_export() -> CrmExport:
    rng = random.Random(1002)
    n, unknown, blank = 54, 1, 4
    header = ["Subject", "Account Name", "Owner", "Play", "Priority", "Status", "Due Date", "Completed Date"]
    rows = []
    for when, slot in _dated(rng, _slots(rng, n, unknown=unknown, blank=blank)):
        rows.append([rng.choice(INTERNAL_SUBJECTS) if slot.blank else rng.choice(
                         ("Check in on adoption dip", "Schedule EBR", "Send renewal quote", "Welcome call")),
                     slot.cell, _owner(slot, rng),
                     "" if slot.blank else rng.choice(
                         ("", "Low Login Alert", "Renewal 90 Days", "New Customer Onboarding")),
                     rng.choice(("Normal", "High", "Low")), "Completed",
                     us_date(when + timedelta(days=rng.randrange(0, 5))), us_date(when)])
    return CrmExport(
        system="ChurnZero", name="churnzero_tasks_export", file_name="Tasks_Export_2025-12-01.csv",
        header=header, rows=rows, kind="activity_events",
        roles={"account_id": "Account Name", "date": "Completed Date", "owner": "Owner"},
        values={"Subject": ("ignore",), "Play": ("ignore",), "Due Date": ("ignore",), "Status": ("ignore",)},
        activity_label="Task", n_no_account=blank, n_unknown_account=unknown)


# --------------------------------------------------------------------------------------------
# Subscriptions: Stripe and Chargebee
# --------------------------------------------------------------------------------------------

STRIPE_PLANS = {"Starter": 49.0, "Growth": 249.0, "Business": 899.0, "Enterprise": 3200.0}


def _stripe_id(rng: random.Random, prefix: str) -> str:
    return prefix + _alnum(rng, 14)


# Stripe, Dashboard > Billing > Subscriptions > Export (CSV) with the default columns: id,
# Customer ID (cus_...), Customer Name, Customer Email, Plan, Product, Quantity, Currency,
# Interval, Amount (per interval, "249.00"), Status (active / canceled / past_due / trialing),
# Created (UTC), Current Period Start (UTC), Current Period End (UTC), Canceled At (UTC),
# Cancel At Period End. Dates are "2025-03-04 14:05". Customers created without a name are not
# attributable. Status is known only after the fact and is not an account attribute.
def stripe_subscriptions_export() -> CrmExport:
    rng = random.Random(1101)
    n, unknown, blank = 72, 2, 3
    header = ["id", "Customer ID", "Customer Name", "Customer Email", "Plan", "Product", "Quantity", "Currency",
              "Interval", "Amount", "Status", "Created (UTC)", "Current Period Start (UTC)",
              "Current Period End (UTC)", "Canceled At (UTC)", "Cancel At Period End"]
    rows = []
    for created, slot in _dated(rng, _slots(rng, n, unknown=unknown, blank=blank, distinct=True, vary=False),
                                end=date(YEAR, 10, 31), weekdays=False):
        plan = rng.choice(list(STRIPE_PLANS))
        interval = "month"  # annual plans would renew in 2026, past the sample's span
        amount = STRIPE_PLANS[plan]
        status = _pick(rng, {"active": 7, "canceled": 2, "past_due": 0.5})
        canceled = created + timedelta(days=rng.randrange(30, 200)) if status == "canceled" else None
        if canceled and canceled.date() > date(YEAR, 11, 20):
            canceled = datetime(YEAR, 11, 20, 10, 0)  # so that its last period ends within 2025
        last = canceled or datetime(YEAR, 11, 15)  # the current period is the last one billed
        period_start = created + timedelta(days=30 * ((last - created).days // 30))
        contact = _person(rng)
        rows.append([_stripe_id(rng, "sub_"), _stripe_id(rng, "cus_"), slot.cell,
                     _email(contact, slot.cell or "gmail"), f"{plan} ({interval}ly)", f"Payoff {plan}",
                     str(rng.choice((1, 1, 1, 5, 10, 25))), "usd", interval, money_cents(amount), status,
                     iso_minute(created), iso_minute(period_start),
                     iso_minute(period_start + timedelta(days=30)),
                     iso_minute(canceled) if canceled else "", "false"])
    return CrmExport(
        system="Stripe", name="stripe_subscriptions_export", file_name="subscriptions.csv",
        header=header, rows=rows, kind="accounts",
        roles={"account_id": "Customer Name", "start_date": "Created (UTC)", "end_date": "Canceled At (UTC)"},
        values={"Status": ("ignore",), "Amount": ("attribute",), "Plan": ("attribute",), "Interval": ("attribute",),
                "id": ("ignore",), "Customer ID": ("ignore",), "Customer Email": ("ignore",),
                "Current Period Start (UTC)": ("ignore",), "Current Period End (UTC)": ("ignore",),
                "Cancel At Period End": ("ignore",)},
        n_no_account=blank, n_unknown_account=unknown)


# Stripe, the same Subscriptions export with a chosen column set and a metadata column: Stripe
# exports each metadata key as "<key> (metadata)", and this business stores its CRM account id
# there ("crm_account_id (metadata)" = ACC-00001). Customer Description holds the company name.
# Start Date (UTC) is when the subscription started; Ended At (UTC) is when it actually ended,
# which for a cancellation at period end comes weeks after Canceled At (UTC).
def stripe_subscriptions_metadata() -> CrmExport:
    rng = random.Random(1102)
    n, unknown, blank = 48, 2, 3
    header = ["id", "Customer ID", "Customer Description", "Plan", "Quantity", "Amount", "Interval", "Status",
              "Start Date (UTC)", "Current Period End (UTC)", "Canceled At (UTC)", "Ended At (UTC)",
              "crm_account_id (metadata)"]
    rows = []
    for start, slot in _dated(rng, _slots(rng, n, unknown=unknown, blank=blank, by="id", distinct=True),
                              end=date(YEAR, 9, 30), weekdays=False):
        plan = rng.choice(list(STRIPE_PLANS))
        status = _pick(rng, {"active": 6, "canceled": 3})
        canceled = ended = None
        if status == "canceled":
            canceled = start + timedelta(days=rng.randrange(20, 60))
            ended = canceled + timedelta(days=rng.randrange(5, 30))
        company = slot.account.name if slot.account else ("" if slot.blank else rng.choice(UNKNOWN_COMPANIES))
        rows.append([_stripe_id(rng, "sub_"), _stripe_id(rng, "cus_"), company, plan, "1",
                     money_cents(STRIPE_PLANS[plan]), "month", status, iso_minute(start),
                     iso_minute(start + timedelta(days=30 * (1 + (datetime(YEAR, 11, 20) - start).days // 30))),
                     iso_minute(canceled) if canceled else "", iso_minute(ended) if ended else "", slot.cell])
    return CrmExport(
        system="Stripe", name="stripe_subscriptions_metadata", file_name="subscriptions (1).csv",
        header=header, rows=rows, kind="accounts",
        roles={"account_id": "crm_account_id (metadata)", "start_date": "Start Date (UTC)",
               "end_date": "Ended At (UTC)"},
        values={"Status": ("ignore",), "Amount": ("attribute",), "Plan": ("attribute",), "id": ("ignore",),
                "Customer ID": ("ignore",), "Customer Description": ("attribute",), "Canceled At (UTC)": ("ignore",),
                "Current Period End (UTC)": ("ignore",)},
        n_no_account=blank, n_unknown_account=unknown)


# Chargebee, Subscriptions > Export (CSV) with subscription and customer fields by label:
# Subscription Id, Customer Id, Customer First Name, Customer Last Name, Customer Email,
# Customer Company, Plan Id, Status (active / cancelled / non_renewing, Chargebee's status
# values), Created At, Activated At, Cancelled At (for non_renewing the scheduled cancellation at
# term end), Current Term End, MRR, Currency. Dates "2025-03-04 14:05:00" (UTC).
def chargebee_subscriptions_export() -> CrmExport:
    rng = random.Random(1201)
    n, unknown = 68, 3
    plans = {"basic-monthly": 59.0, "pro-monthly": 199.0, "business-monthly": 640.0, "enterprise-monthly": 2400.0}
    header = ["Subscription Id", "Customer Id", "Customer First Name", "Customer Last Name", "Customer Email",
              "Customer Company", "Plan Id", "Status", "Created At", "Activated At", "Cancelled At",
              "Current Term End", "MRR", "Currency"]
    rows = []
    for created, slot in _dated(rng, _slots(rng, n, unknown=unknown, distinct=True), end=date(YEAR, 10, 31),
                                weekdays=False):
        plan = rng.choice(list(plans))
        status = _pick(rng, {"active": 6, "cancelled": 2, "non_renewing": 1})
        term_end = created + timedelta(days=30 * (1 + (datetime(YEAR, 11, 20) - created).days // 30))
        cancelled = {"cancelled": created + timedelta(days=rng.randrange(25, 150)),
                     "non_renewing": term_end}.get(status)
        if cancelled and cancelled.date() > date(YEAR, 12, 28):
            cancelled = datetime(YEAR, 12, 28, 23, 59, 59)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        rows.append([_alnum(rng, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                     _alnum(rng, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), first, last,
                     _email(f"{first} {last}", slot.cell.strip()), slot.cell, plan, status, iso_second(created),
                     iso_second(created + timedelta(minutes=rng.randrange(0, 5))),
                     iso_second(cancelled) if cancelled else "",
                     iso_second(cancelled if status == "cancelled" else term_end),
                     money_cents(0 if status == "cancelled" else plans[plan] * rng.choice((1, 1, 2, 5))), "USD"])
    return CrmExport(
        system="Chargebee", name="chargebee_subscriptions_export", file_name="Subscriptions.csv",
        header=header, rows=rows, kind="accounts",
        # Activated At is when the paid subscription began (after any trial): the customer's start.
        roles={"account_id": "Customer Company", "start_date": "Activated At", "end_date": "Cancelled At"},
        values={"Status": ("ignore",), "MRR": ("attribute",), "Plan Id": ("ignore",),
                "Created At": ("ignore",), "Current Term End": ("ignore",), "Subscription Id": ("ignore",),
                "Customer Id": ("ignore",), "Customer Email": ("ignore",)},
        n_unknown_account=unknown)


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------

BUILDERS: tuple[Callable[[], CrmExport], ...] = (
    salesforce_activities_report, salesforce_events_report, salesforce_opportunities_report,
    salesforce_accounts_report, salesforce_activities_printable_view,
    hubspot_activities_export, hubspot_calls_export, hubspot_companies_export, hubspot_deals_export,
    hubspot_company_activity_by_month,
    dynamics_activities_export, dynamics_activities_excel_de, dynamics_opportunities_export,
    pipedrive_activities_export, pipedrive_deals_export,
    zoho_tasks_export, zoho_calls_seconds, zoho_calls_mmss, zoho_accounts_export, zoho_deals_export,
    outreach_tasks_export, salesloft_activity_export,
    gong_calls_export,
    zendesk_tickets_export, intercom_conversations_export, freshdesk_tickets_export,
    gainsight_ctas_export, gainsight_timeline_export, gainsight_company_scorecard,
    churnzero_churnscores, churnzero_tasks_export,
    stripe_subscriptions_export, stripe_subscriptions_metadata, chargebee_subscriptions_export,
)

CASES: list[CrmExport] = [build() for build in BUILDERS]

SYSTEMS = sorted({c.system for c in CASES})
