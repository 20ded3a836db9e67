"""Recognise what an export is from its headers and values, and propose a column mapping.

The proposal is a starting point an analyst confirms or corrects once; a confirmed
mapping is saved for the header set and reused (see mapping.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.ingest.mapping import DEFAULT_NO, DEFAULT_YES, KINDS, ColumnSpec, Mapping, slug
from pipelines.ingest.source import Source
from pipelines.errors import MappingError

ACCOUNT_RE = re.compile(r"^((referring_|parent_)?(account|customer|client|company|acct|organi[sz]ation|org))"
                        r"(_?(id|number|no|num|key|code))?$|_account_id$|^customerid$|^accountid$")
ACTIVITY_ID_RE = re.compile(r"^(activity|task|event|interaction|touch|call|engagement)_?(id|number|key)$")
ACTIVITY_TYPE_RE = re.compile(r"^(activity_?|task_?|event_?|interaction_?|engagement_?)?(type|subtype|category|kind)$"
                              r"|^(activity|channel|interaction)$")
DATE_WORD_RE = re.compile(r"date|month|period|week|quarter|day|time|created|closed|occurred|_on$|_at$")
OWNER_RE = re.compile(r"^(owner|assigned_to|assignee|rep|sales_rep|user|agent|created_by|activity_owner|account_owner"
                      r"|csm|account_manager|am|salesperson|sales_agent)$")
DURATION_RE = re.compile(r"^(duration|call_duration|duration_min|duration_minutes|duration_mins|minutes|mins|length_min)"
                         r"(_min|_minutes)?$")
COUNT_RE = re.compile(r"^(count|n|number|qty|quantity|volume|activities|activity_count|n_activities|total|amount)$")
ACTIVITY_WORDS = re.compile(r"call|meeting|email|e_mail|visit|demo|review|qbr|ebr|training|webinar|ticket|touch|contact"
                            r"|campaign|outreach|workshop|onboarding|follow_up|message|chat|session|task")
MEASURE_WORDS = re.compile(r"avg|average|mean|median|rate|score|csat|nps|satisfaction|response|resolution|handle_time"
                           r"|sla|hours|hrs|pct|percent|ratio")
AMOUNT_WORDS = re.compile(r"revenue|spend|sales|bookings|\barr\b|^arr|mrr|billing|billed|purchase_amount|order_value"
                          r"|amount|gmv|income|close_value|deal_value")
COUNT_OUTCOME_WORDS = re.compile(r"referral|conversions|purchases|orders|wins|upsells|renewals")
BINARY_OUTCOME_WORDS = re.compile(r"^y$|renew|churn|retain|retention|stayed|convert|won|win|subscribed|purchase|outcome"
                                  r"|target|label|status|result|deal_stage")
RESPONSE_WORDS = re.compile(r"visit|conver|purchas|click|open|respon|signup|sign_up|churn|renew|won|win|subscri|^y$")
EVENT_WORDS = re.compile(r"referral|lead|deal|renewal|purchase|order|signup|conversion")
AFTER_OUTCOME_RE = re.compile(r"reason|churn_category|cancellation|lost_reason")
STANDARD_ATTRIBUTES = {
    "owner": OWNER_RE,
    "team": re.compile(r"^(team|sales_team|pod|squad|manager_team)$"),
    "segment": re.compile(r"^(segment|customer_segment|account_segment|tier|account_tier)$"),
    "region": re.compile(r"^(region|territory|geo|sales_region)$"),
}
DATE_VALUE_RE = re.compile(
    r"^(\d{4}-\d{1,2}(-\d{1,2})?([ T]\d{1,2}:\d{2}.*)?|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}( .*)?"
    r"|[A-Za-z]{3,9}[ -]\d{2,4}|\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{2,4}|[A-Za-z]{3,9} \d{1,2}, \d{4}|\d{4}-?Q[1-4])$"
)
NUMBER_RE = re.compile(r"^\(?[-+]?\(?(\d{1,3}([,.' ]\d{3})+|\d+)([.,]\d+)?\)?$")
CURRENCY_RE = re.compile(r"[$€£¥₹]|\b(usd|eur|gbp|chf)\b", re.IGNORECASE)
DOMINANT_SHARE = 0.9  # share of non-empty values that must fit a type for the column to be that type
MOSTLY_SHARE = 0.5  # with a telling header, this share of numbers makes a numeric role; the typing step rejects the rest
FEW_DISTINCT = 50  # a text column with at most this many values is a category, not free text
BLANK_OUTCOME_SHARE = 0.25  # unknown words in a yes/no column up to this share are read as 'no outcome'
BASELINE_RE = re.compile(r"^(no|none|control|holdout|nothing)\b")  # the 'no activity' level of a treatment column
MAX_TREATMENT_LEVELS = 10


@dataclass
class Profile:
    """What the sample's values of one column look like."""

    n: int
    n_distinct: int
    share_number: float
    share_integer: float
    share_negative: float
    share_date: float
    share_currency: float
    words: dict[str, int]

    @property
    def numeric(self) -> bool:
        return self.n > 0 and self.share_number >= DOMINANT_SHARE

    @property
    def counts(self) -> bool:
        return self.numeric and self.share_integer >= DOMINANT_SHARE and self.share_negative == 0

    @property
    def mostly_numbers(self) -> bool:
        """Most values are numbers (the header decides the role; bad cells are rejected when typed)."""
        return self.n > 0 and self.share_number >= MOSTLY_SHARE

    @property
    def mostly_whole(self) -> bool:
        """Most values are numbers and nearly all of those are whole: counts, some perhaps invalid."""
        return self.mostly_numbers and self.share_integer >= DOMINANT_SHARE * self.share_number

    @property
    def datelike(self) -> bool:
        return self.n > 0 and self.share_date >= DOMINANT_SHARE

    @property
    def categorical(self) -> bool:
        return self.n_distinct <= FEW_DISTINCT or self.n_distinct <= 0.2 * self.n


def profile(values: list[str]) -> Profile:
    """Profile a column's sample values (blank cells ignored)."""
    vals = [v.strip() for v in values if v and v.strip()]
    n = len(vals)
    if n == 0:
        return Profile(0, 0, 0, 0, 0, 0, 0, {})
    nums = [_number(v) for v in vals]
    parsed = [x for x in nums if x is not None]
    words: dict[str, int] = {}
    for v in vals:
        if len(words) > FEW_DISTINCT:
            break
        words[v.lower()] = words.get(v.lower(), 0) + 1
    return Profile(
        n=n,
        n_distinct=len(set(vals)),
        share_number=len(parsed) / n,
        share_integer=sum(1 for x in parsed if float(x).is_integer()) / n,
        share_negative=sum(1 for x in parsed if x < 0) / n,
        share_date=sum(1 for v in vals if DATE_VALUE_RE.match(v) and _number(v) is None) / n,
        share_currency=sum(1 for v in vals if CURRENCY_RE.search(v)) / n,
        words=words,
    )


def _number(text: str) -> float | None:
    core = CURRENCY_RE.sub("", text).replace("\u00a0", "").replace("%", "").strip()
    if not NUMBER_RE.match(core.replace(" ", "")):
        return None
    core = core.replace(" ", "").replace("'", "")
    negative = core.startswith("(") and core.endswith(")")
    core = core.strip("()")
    if "," in core and "." in core:
        core = core.replace(".", "").replace(",", ".") if core.rfind(",") > core.rfind(".") else core.replace(",", "")
    elif "," in core:
        head, _, tail = core.rpartition(",")
        core = core.replace(",", "") if len(tail) == 3 else head.replace(",", "") + "." + tail
    try:
        value = float(core)
    except ValueError:
        return None
    return -value if negative else value


def header_values(header: list[str]) -> list[str]:
    """Header cells that look like data (dates, numbers): a sign the export lost its header row."""
    return [h for h in header if DATE_VALUE_RE.match(h.strip()) or _number(h) is not None]


def propose_mapping(source: Source, kind: str | None = None) -> Mapping:
    """Propose how to read a file: its kind and each column's role, with notes on every guess."""
    if kind is not None and kind not in KINDS:
        raise MappingError(f"unknown kind '{kind}'; expected one of {', '.join(KINDS)}")
    keys = [slug(h) for h in source.header]
    profiles = [profile([row[i] if i < len(row) else "" for row in source.sample]) for i in range(len(keys))]
    account = _first(keys, lambda k, p: bool(ACCOUNT_RE.search(k)) and "name" not in k, profiles)
    date = _pick_date(keys, profiles)
    atype = _first(keys, lambda k, p: bool(ACTIVITY_TYPE_RE.match(k)) and p.n_distinct <= FEW_DISTINCT
                   and not p.numeric, profiles)
    count_col = _first(keys, lambda k, p: bool(COUNT_RE.match(k)) and p.numeric, profiles)
    event_layout = atype is not None and date is not None and account is not None
    if kind in ("activity_events", "activity_counts") and atype is not None or (kind is None and event_layout):
        chosen = kind or ("activity_counts" if count_col is not None else "activity_events")
        return _event_mapping(source, keys, profiles, chosen, account, date, atype, count_col)
    return _role_mapping(source, keys, profiles, kind, account, date)


def _first(keys, test, profiles) -> int | None:
    return next((i for i, (k, p) in enumerate(zip(keys, profiles)) if test(k, p)), None)


def _pick_date(keys: list[str], profiles: list[Profile]) -> int | None:
    """The column that dates each row: date-like values, preferring a date-ish header."""
    candidates = [i for i, p in enumerate(profiles) if p.datelike]
    named = [i for i in candidates if DATE_WORD_RE.search(keys[i])]
    return (named or candidates or [None])[0]


def _event_mapping(source, keys, profiles, kind, account, date, atype, count_col) -> Mapping:
    roles = {account: "account_id", date: "date", atype: "activity_type"}
    if kind == "activity_counts" and count_col is not None:
        roles[count_col] = "count"
    else:
        aid = _first(keys, lambda k, p: bool(ACTIVITY_ID_RE.match(k)) or (k == "id" and p.n_distinct >= 0.5 * p.n),
                     profiles)
        owner = _first(keys, lambda k, p: bool(OWNER_RE.match(k)), profiles)
        duration = _first(keys, lambda k, p: bool(DURATION_RE.match(k)) and (p.numeric or p.n == 0), profiles)
        for idx, role in ((aid, "activity_id"), (owner, "owner"), (duration, "duration_minutes")):
            if idx is not None and idx not in roles:
                roles[idx] = role
    columns = [ColumnSpec(h, roles.get(i, "ignore")) for i, h in enumerate(source.header)]
    notes = []
    if kind == "activity_events" and not any(c.role == "activity_id" for c in columns):
        notes.append("no activity id column: rows cannot be de-duplicated across overlapping exports")
    return Mapping(kind=kind, columns=columns, notes=notes)


def _role_mapping(source, keys, profiles, kind, account, date) -> Mapping:
    """Per-account (and per-period) tables: every column is an attribute, activity, measure or outcome."""
    notes: list[str] = []
    columns: list[ColumnSpec] = []
    for i, (header, key, prof) in enumerate(zip(source.header, keys, profiles)):
        if i == account:
            columns.append(ColumnSpec(header, "account_id"))
        elif i == date:
            columns.append(ColumnSpec(header, "date"))
        else:
            spec, note = _value_role(header, key, prof, kind, dated=date is not None)
            columns.append(spec)
            if note:
                notes.append(note)
    if account is None:
        notes.append("no account id column found: each row is read as its own account")
    mapping = Mapping(kind=kind or "wide", columns=columns, notes=notes)
    if not any(c.role in ("activity", "measure", "outcome", "attribute") for c in columns):
        _as_row_events(mapping, source, keys, profiles, account, date)
    if kind is None:
        mapping.kind = _kind_from_roles(mapping)
    return mapping


def _value_role(header: str, key: str, prof: Profile, kind: str | None, *, dated: bool) -> tuple[ColumnSpec, str | None]:
    """The role of one non-key column from its header words and values."""
    if prof.n == 0:
        return ColumnSpec(header, "ignore"), f"'{header}' is empty in the rows looked at: ignored"
    if AFTER_OUTCOME_RE.search(key):
        return ColumnSpec(header, "ignore"), f"'{header}' describes an outcome after the fact: ignored"
    if DURATION_RE.match(key) and prof.numeric:
        return (ColumnSpec(header, "measure", key),
                f"'{header}' is measured during the activity, so it is kept as a measure, not a control")
    levels = _treatment_levels(prof)
    if levels and kind in (None, "wide", "activity_counts"):
        return (ColumnSpec(header, "activity", key, levels=levels),
                f"'{header}' names an activity per row: {', '.join(levels)} (the rest is no activity)")
    if kind in (None, "outcomes", "wide") and set(prof.words) == {"0", "1"} and RESPONSE_WORDS.search(key):
        return ColumnSpec(header, "outcome", key, "binary", ["1"], ["0"]), None
    binary = _binary_words(prof)
    if kind in (None, "outcomes", "wide") and binary and (BINARY_OUTCOME_WORDS.search(key) or binary[3]
                                                         or kind == "outcomes"):
        yes, no, blank, _ = binary
        name = _binary_name(key, yes)
        note = None
        if blank:
            note = f"'{header}': value(s) {', '.join(repr(b) for b in blank)} read as no outcome (neither yes nor no)"
        return ColumnSpec(header, "outcome", name, "binary", yes, no, blank or None), note
    # Header words decide a numeric role once most values are numbers, so that a bad cell is
    # rejected with its row and column when typed instead of turning the column into text.
    if prof.mostly_numbers and kind in (None, "outcomes", "wide") and AMOUNT_WORDS.search(key):
        return ColumnSpec(header, "outcome", key, "amount"), None
    if prof.mostly_whole and kind in (None, "outcomes", "wide") and COUNT_OUTCOME_WORDS.search(key):
        return ColumnSpec(header, "outcome", key, "count"), None
    if (kind == "activity_counts" and prof.mostly_numbers) or (
            kind in (None, "wide") and ACTIVITY_WORDS.search(key) and prof.mostly_whole):
        return ColumnSpec(header, "activity", key), None
    if (kind == "activity_measures" and prof.mostly_numbers) or (
            kind is None and dated and MEASURE_WORDS.search(key) and prof.mostly_numbers):
        return ColumnSpec(header, "measure", key), None
    if prof.numeric:
        if kind == "outcomes":
            return ColumnSpec(header, "outcome", key, "count" if prof.counts else "amount"), None
        return ColumnSpec(header, "attribute", _attribute_name(key)), None
    if key.endswith("_id") or key == "id":
        return ColumnSpec(header, "ignore"), None
    if prof.categorical:
        return ColumnSpec(header, "attribute", _attribute_name(key)), None
    if key in ("account_name", "name", "company_name", "customer_name"):
        return ColumnSpec(header, "attribute", "account_name"), None
    return ColumnSpec(header, "ignore"), f"'{header}' looks like free text ({prof.n_distinct} distinct values): ignored"


def _treatment_levels(prof: Profile) -> dict[str, str] | None:
    """A text column whose values name activities and one 'no activity' level (e.g. an e-mail test's arms)."""
    if prof.numeric or not prof.words or len(prof.words) > MAX_TREATMENT_LEVELS:
        return None
    baseline = [w for w in prof.words if BASELINE_RE.match(w)]
    active = [w for w in prof.words if w not in baseline and ACTIVITY_WORDS.search(slug(w))]
    if not baseline or not active:
        return None
    return {w: w.title() for w in sorted(active)}


def _binary_words(prof: Profile) -> tuple[list[str], list[str], list[str], bool] | None:
    """(yes words, no words, other words, words are outcome-specific) when a column reads as yes/no."""
    if not prof.words or len(prof.words) > 6:
        return None
    yes = [w for w in prof.words if w in DEFAULT_YES]
    no = [w for w in prof.words if w in DEFAULT_NO]
    other = [w for w in prof.words if w not in yes and w not in no]
    if not yes or not no:
        return None
    if set(yes + no) <= {"0", "1"}:
        return None  # plain 0/1 is a number until a mapping says otherwise
    n_other = sum(prof.words[w] for w in other)
    if n_other > BLANK_OUTCOME_SHARE * prof.n:
        return None
    specific = any(w not in ("yes", "y", "no", "n", "true", "false", "t", "f", "1", "0") for w in yes + no)
    return yes, no, other, specific


def _binary_name(key: str, yes: list[str]) -> str:
    specific = [w for w in yes if w not in ("yes", "y", "true", "t", "1")]
    return slug(specific[0]) if specific else key


def _attribute_name(key: str) -> str:
    for name, pattern in STANDARD_ATTRIBUTES.items():
        if pattern.match(key):
            return name
    return key


def _as_row_events(mapping: Mapping, source: Source, keys, profiles, account, date) -> None:
    """A file of dated rows with nothing else to load: each row is one countable outcome event."""
    words = " ".join(keys) + " " + slug(Path(source.name).name.split(".")[0])
    found = EVENT_WORDS.search(words)
    if account is None or date is None or not found:
        return
    outcome = found.group(0) + "s"
    mapping.row_event = {"outcome": outcome}
    for spec, key, prof in zip(mapping.columns, keys, profiles):
        if spec.role == "ignore" and key.endswith("_id") and prof.n_distinct >= 0.9 * prof.n:
            spec.role = "event_id"
            break
    mapping.notes.append(f"each row is read as one '{outcome}' event (a countable outcome)")


def _kind_from_roles(mapping: Mapping) -> str:
    roles = {c.role for c in mapping.columns}
    if mapping.row_event or roles & {"outcome"} and not roles & {"activity", "measure"} and not (
        roles & {"attribute"} and mapping.role("date") is None
    ):
        return "outcomes"
    value_roles = roles & {"activity", "measure", "outcome", "attribute"}
    if value_roles == {"attribute"}:
        return "accounts"
    if value_roles == {"activity"}:
        return "activity_counts"
    if value_roles <= {"measure", "attribute"} and "measure" in value_roles and mapping.role("date"):
        return "activity_measures"
    return "wide"
