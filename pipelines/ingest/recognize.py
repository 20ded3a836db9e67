"""Recognise what an export is from its headers and values, and propose a column mapping.

The proposal is a starting point an analyst confirms or corrects once; a confirmed
mapping is saved for the header set and reused (see mapping.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipelines.ingest.mapping import DEFAULT_NO, DEFAULT_YES, KINDS, ColumnSpec, Mapping, slug
from pipelines.ingest.source import Source
from pipelines.errors import MappingError

DATE_WORD_RE = re.compile(r"date|month|period|week|quarter|day|time|created|closed|occurred|_on$|_at$")
COUNT_RE = re.compile(r"^(count|n|number|qty|quantity|volume|activities|activity_count|n_activities|total|amount)$")
ACTIVITY_WORDS = re.compile(r"call|meeting|email|e_mail|visit|demo|review|qbr|ebr|training|webinar|ticket|touch|contact"
                            r"|campaign|outreach|workshop|onboarding|follow_up|message|chat|session|task")
MEASURE_WORDS = re.compile(r"avg|average|mean|median|rate|score|csat|nps|satisfaction|response|resolution|handle_time"
                           r"|sla|hours|hrs|pct|percent|ratio")
AMOUNT_WORDS = re.compile(r"revenue|spend|sales|bookings|\barr\b|^arr|mrr|billing|billed|purchase_amount|order_value"
                          r"|amount|gmv|income|close_value|deal_value")
COUNT_OUTCOME_WORDS = re.compile(r"referral|conversions|purchases|orders|wins|upsells|renewals|prescriptions|scripts"
                                 r"|(^|_)rx(_|$)|signups|sign_ups|new_customers|new_accounts|units_sold|deals_won")
# A column named for an activity ('Sales Calls', 'Client Meetings') counts that activity, whatever the other words.
ACTIVITY_NOUN_END = re.compile(r"(calls|meetings|e_?mails|visits|demos|reviews|qbrs|ebrs|trainings|webinars|tickets"
                               r"|touches|touchpoints|sessions|tasks|workshops|messages|chats|contacts|activities"
                               r"|notes)$")
BINARY_OUTCOME_WORDS = re.compile(r"^y$|renew|churn|retain|retention|stayed|convert|won|win|subscribed|purchase|outcome"
                                  r"|target|label|status|result|deal_stage")
RESPONSE_WORDS = re.compile(r"visit|conver|purchas|click|open|respon|signup|sign_up|churn|renew|won|win|subscri|^y$")
EVENT_WORDS = re.compile(r"referral|lead|deal|renewal|purchase|order|signup|conversion")
AFTER_OUTCOME_RE = re.compile(r"reason|churn_category|cancellation|lost_reason|probability|forecast|expected_|est_"
                              r"|estimated|weighted|won_time|lost_time|fiscal|(^|_)stage$|pipeline|lead_source|(^|_)cancel")
# An amount with no period describes an account's size, not an outcome of the period (annual revenue, ARR).
SIZE_WORDS = re.compile(r"annual_revenue|annual_recurring|(^|_)arr$|(^|_)mrr$|(^|_)acv$|annual_contract|employees"
                        r"|headcount")
# A deal stage: won and lost words among the pipeline's open stages (which are neither).
STAGE_YES, STAGE_NO = re.compile(r"won|closed_won"), re.compile(r"lost|closed_lost")
STANDARD_ATTRIBUTES = {
    "team": re.compile(r"^(team|sales_team|pod|squad|manager_team)$"),
    "segment": re.compile(r"^(segment|customer_segment|account_segment|tier|account_tier)$"),
    "region": re.compile(r"^(region|territory|geo|sales_region)$"),
}
# Month names only: 'Rep 19', 'Tier 2', 'Team 14' and 'Physician 0001' are labels, not dates.
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?"
DATE_VALUE_RE = re.compile(
    r"^(\d{4}-\d{1,2}(-\d{1,2})?([ T]\d{1,2}:\d{2}.*)?|\d{4}/\d{1,2}/\d{1,2}( .*)?|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}( .*)?"
    rf"|{_MONTH}[ -]\d{{2,4}}|\d{{1,2}}[ -]{_MONTH}[ -]\d{{2,4}}( .*)?|{_MONTH} \d{{1,2}},? \d{{4}}( .*)?|\d{{4}}-?Q[1-4])$",
    re.IGNORECASE,
)
HMS_RE = re.compile(r"^\d{1,3}:\d{2}(:\d{2})?(\.\d+)?$")  # a duration written 1:05:30 or 4:35
ID_VALUE_RE = re.compile(r"^[^\s]*\d[^\s]*$")  # one token with a digit: ACC-00001, 0015g00000AbCdE, cus_N3x, 12345
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
    share_idlike: float = 0.0  # one token with a digit (an id), not a date
    share_spaced: float = 0.0  # several words (a name)
    share_hms: float = 0.0  # durations like 1:05:30
    n_blank: int = 0  # blank cells among the rows looked at
    currency: str | None = None  # the currency most values carry ('$', 'EUR'), when most carry one

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


def _currency(values: list[str]) -> str | None:
    """The currency symbol or code most of these values are written with ('$1,200.00', '1.200 EUR'), if any."""
    seen: dict[str, int] = {}
    for v in values:
        if (found := CURRENCY_RE.search(v)) is not None:
            token = found.group(0).upper()
            seen[token] = seen.get(token, 0) + 1
    if not seen:
        return None
    token, n = max(seen.items(), key=lambda kv: kv[1])
    return token if n >= DOMINANT_SHARE * len(values) else None


def profile(values: list[str]) -> Profile:
    """Profile a column's sample values (blank cells ignored)."""
    vals = [v.strip() for v in values if v and v.strip()]
    n = len(vals)
    if n == 0:
        return Profile(0, 0, 0, 0, 0, 0, 0, {}, n_blank=len(values))
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
        share_idlike=sum(1 for v in vals if ID_VALUE_RE.match(v) and not DATE_VALUE_RE.match(v)) / n,
        share_spaced=sum(1 for v in vals if " " in v and not DATE_VALUE_RE.match(v)) / n,
        share_hms=sum(1 for v in vals if HMS_RE.match(v)) / n,
        currency=_currency(vals),
        n_blank=len(values) - n,
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


@dataclass(frozen=True)
class KnownAccounts:
    """The accounts a database already holds: ids and names, both normalised (see account_key)."""

    ids: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.ids or self.names)


def account_key(text: str) -> str:
    """How account names are compared: case, spacing, accents and punctuation do not count.

    'O'Connell & Tanaka Pty. Ltd.' and 'oconnell & tanaka pty ltd' are one account. The SQL twin,
    pf_account_key in sql/macros.sql, must agree (a test checks both on the same names).
    """
    folded = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"[^a-z0-9]+", "", "".join(ch for ch in folded if not unicodedata.combining(ch)))


def header_key(header: str) -> str:
    """A header as recognition reads it: snake_case, without Dynamics' '(Do Not Modify)' marker."""
    return slug(re.sub(r"^\s*\(do not modify\)\s*", "", header, flags=re.IGNORECASE))


# Key roles from header words, each with a score; values then confirm or veto (see _key_roles).
# An optional entity prefix covers exports that name every column after its record ('Deal - Value').
_ENTITY = r"(deal_|activity_|task_|opportunity_|ticket_|call_|event_|subscription_|engagement_|conversation_|cta_)?"
ACCOUNT_ID_KEYS = [
    (re.compile(rf"^{_ENTITY}(account|customer|client|company|organi[sz]ation|org|acct)_?(id|ids|number|no|num|key|code)$"
                r"|^(account|customer|company)_external_id$|_account_id$|^(parent|referring)_account(_id)?$"), 10),
]
ACCOUNT_NAME_KEYS = [
    (re.compile(rf"^{_ENTITY}(account|customer|client|company|organi[sz]ation|org)_?name$|^customer_company$"
                r"|^associated_compan(y|ies)(_name)?$|^company_account$|^account_name_\w+$"), 9),
    (re.compile(rf"^{_ENTITY}(account|customer|client|company|organi[sz]ation|org|regarding|related_to|parent_account)$"
                r"|^(associated_company_primary|requester_organization|organization_name|potential_customer"
                r"|parent_customer)$"), 8),
]
ACTIVITY_TYPE_KEYS = [
    (re.compile(rf"^{_ENTITY}(activity_?|task_?|event_?|interaction_?|engagement_?|action_?|step_?|touch_?)"
                r"(type|subtype|sub_type|category|kind|channel)$"), 10),
    (re.compile(r"^(activity|channel|interaction|action|medium|touchpoint|type|subtype|category|kind)$"), 6),
]
ACTIVITY_ID_KEYS = [
    (re.compile(rf"^{_ENTITY}(activity|task|event|interaction|touch|call|engagement|record|ticket|conversation|cta"
                r"|meeting|email|message)_?(id|number|key|no|guid)$"), 10),
    (re.compile(r"^(id|activity|record_id|object_id|uid|guid|gsid)$"), 6),
]
OWNER_KEYS = [
    (re.compile(rf"^{_ENTITY}(owner|assigned|assigned_to|assigned_to_user|assignee|rep|sales_rep|user|agent|author"
                r"|activity_owner|task_owner|call_owner|deal_owner|opportunity_owner|hubspot_owner|primary_user"
                r"|account_owner|csm|account_manager|am|salesperson|sales_agent|sender|host|organizer|completed_by"
                r"|owner_name|assigned_user|user_name|teammate_assigned|assigned_teammate|assigned_agent|company_owner"
                r"|ticket_owner)$"), 10),
    (re.compile(r"^(created_by|creator)$"), 4),
]
DURATION_KEYS = [
    (re.compile(rf"^{_ENTITY}(duration|call_duration|talk_time|call_length|length|meeting_duration|time_spent"
                r"|handle_time|duration_min|duration_mins|duration_minutes|duration_seconds|duration_sec|duration_ms"
                r"|minutes|mins|length_min|call_duration_in_seconds|duration_in_seconds|duration_in_minutes)"
                r"(_min|_mins|_minutes|_sec|_secs|_seconds|_s|_ms|_milliseconds|_hh_mm_ss)?$"), 10),
]
# The date that places a row: a higher score wins; updated/modified dates never do.
DATE_KEYS = [
    (re.compile(r"^(completed(_date|_at|_on|_time)?|done_time|actual_end|end_time)$"), 11),
    (re.compile(r"^(activity_?date|date|occurred(_on|_at)?|activity_timestamp|timestamp"
                rf"|{_ENTITY}(date|start_time|started|start|started_at|start_date|due_date|date_time|time)"
                r"|call_start_time|call_date|meeting_date|event_date|sent_at|start_date_time)$"), 10),
    (re.compile(r"(^|_)due_date$"), 7),
    (re.compile(r"close|won_date|closed_won|renewal|period|month|week|quarter"), 9),
    (re.compile(r"created|create_date|_at$|_on$|date|time"), 6),
    (re.compile(r"modified|updated|last_|due_by|next_|expected|birth|_since$|current_period|trial_|billing_period"
                r"|canceled|cancelled|ended|churn|won_time|lost_time|current_term"), -20),
]
# In an activity export the activity's own date wins over a close or renewal date.
EVENT_DATE_KEYS = [(p, 6 if p.pattern.startswith("close") else sc) for p, sc in DATE_KEYS]
# A record's creation date in a list of accounts is not the period of anything.
CREATION_DATE = re.compile(r"created|create_date|creation|last_activity")
START_KEYS = [(re.compile(r"^(customer_since|start|start_date|started|started_at|activated_at|activation_date"
                          r"|contract_start(_date)?|subscription_start(_date)?|signup_date|became_customer(_date)?"
                          r"|first_purchase(_date)?|customer_start_date)(_utc)?$"), 10),
              (re.compile(r"^(created|created_at|created_date|create_date)(_utc)?$"), 6)]
END_KEYS = [(re.compile(r"^(ended_at|ended|end_date|churn_date|churned_on|churned_at|customer_until|date_of_churn)(_utc)?$"),
             11),
            (re.compile(r"^(canceled_at|cancelled_at|cancellation_date|cancel_date|contract_end(_date)?)(_utc)?$"), 10)]
# Exports with no type column where each row is one activity: its name from the file's words.
ROW_ACTIVITY_WORDS = (("ticket", "Support ticket"), ("conversation", "Support conversation"), ("cta", "CTA"),
                      ("call", "Call"), ("meeting", "Meeting"), ("email", "Email"), ("visit", "Visit"), ("task", "Task"))
ACTIVITY_VALUE_SHARE = 0.5  # a plain 'Type' column is an activity type when half its values name activities
UNIQUE_ID_SHARE = 0.95  # an activity id is (nearly) unique per row
KNOWN_MATCH_SHARE = 0.5  # a column whose values are mostly known accounts names them, whatever its header
NAME_SPACED_SHARE = 0.3  # a column like 'Company' holds names (not ids) when this share of values has several words


def propose_mapping(source: Source, kind: str | None = None, known: KnownAccounts | None = None) -> Mapping:
    """Propose how to read a file: its kind and each column's role, with notes on every guess.

    known: the accounts a database holds, so a column naming them (by id or name) is found by its values.
    """
    if kind is not None and kind not in KINDS:
        raise MappingError(f"unknown kind '{kind}'; expected one of {', '.join(KINDS)}")
    keys = [header_key(h) for h in source.header]
    profiles = [profile([row[i] if i < len(row) else "" for row in source.sample]) for i in range(len(keys))]
    columns = [[row[i] if i < len(row) else "" for row in source.sample] for i in range(len(keys))]
    account, account_role, name_col = _account_column(keys, profiles, columns, known or KnownAccounts())
    date = _best(keys, profiles, DATE_KEYS, lambda p: p.datelike, exclude={account})
    if date is None:
        date = _pick_date(keys, profiles, exclude={account})
    # support work (tickets, conversations) is one activity per row: its channel or category is not a type
    support = _row_activity(source, keys, profiles, exclude={account}, support_only=True)
    atype = _best(keys, profiles, ACTIVITY_TYPE_KEYS, _type_values_ok, exclude={account, date},
                  veto=lambda i, sc: sc < 10 and (support is not None
                                                  or _activity_value_share(profiles[i]) < ACTIVITY_VALUE_SHARE))
    if date is None and atype is not None and account is not None:
        # an activity export whose date column is mostly unreadable is still dated by it: its rows are then
        # rejected with the reason (and the file refused), rather than the file read as a list of accounts
        date = _best(keys, profiles, DATE_KEYS, lambda p: True, exclude={account, atype})
    count_col = _first(keys, lambda k, p: bool(COUNT_RE.match(k)) and p.numeric, profiles)
    label = None
    # a whole-number column named for activities ('Exit Calls', 'Meetings') makes a count export, whatever the
    # file is called: its rows are periods of an account, not one activity each
    counted = any(i not in (account, date) and p.mostly_whole and ACTIVITY_NOUN_END.search(k)
                  for i, (k, p) in enumerate(zip(keys, profiles)))
    if atype is None and account is not None and date is not None and kind in (None, "activity_events") \
            and not (counted and kind is None):
        label = support or _row_activity(source, keys, profiles, exclude={account, date})
    event_layout = (atype is not None or label is not None) and date is not None and account is not None
    if event_layout or kind in ("activity_events", "activity_counts"):  # an activity's own date, not a deal's close
        date = _best(keys, profiles, EVENT_DATE_KEYS, lambda p: p.datelike, exclude={account, atype}) or date
    if kind in ("activity_events", "activity_counts") and atype is not None or (kind is None and event_layout):
        chosen = kind or ("activity_counts" if count_col is not None and atype is not None else "activity_events")
        return _event_mapping(source, keys, profiles, chosen, account, account_role, date, atype, count_col, label,
                              name_col)
    return _role_mapping(source, keys, profiles, kind, account, account_role, date, name_col)


def _score(key: str, patterns) -> int:
    """A header's score for a role: its best pattern's, unless a negative pattern vetoes it."""
    scores = [score for pattern, score in patterns if pattern.search(key)]
    return min(scores) if any(sc < 0 for sc in scores) else max(scores, default=0)


def _best(keys, profiles, patterns, values_ok, *, exclude=frozenset(), veto=None) -> int | None:
    """The column whose header scores highest for a role among those whose values fit it."""
    best, best_score = None, 0
    for i, (key, prof) in enumerate(zip(keys, profiles)):
        if i in exclude or prof.n == 0:
            continue
        sc = _score(key, patterns)
        if sc <= 0 or not values_ok(prof) or (veto and veto(i, sc)):
            continue
        if sc > best_score:
            best, best_score = i, sc
    return best


def _account_column(keys, profiles, columns, known: KnownAccounts) -> tuple[int | None, str | None, int | None]:
    """(column, 'account_id' or 'account_name', a separate name column) for whose rows these are.

    Headers propose; values decide: a column whose values are the database's account ids or names
    wins, an id column beats a name column, and a name column is read by name.
    """
    found = []
    for i, (key, prof) in enumerate(zip(keys, profiles)):
        if prof.n == 0 or prof.datelike or (prof.numeric and prof.share_integer < DOMINANT_SHARE):
            continue
        id_score, name_score = _score(key, ACCOUNT_ID_KEYS), _score(key, ACCOUNT_NAME_KEYS)
        values = [v.strip() for v in columns[i] if v.strip()]
        id_match = sum(1 for v in values if account_key(v) in known.ids) / len(values) if known else 0.0
        name_match = sum(1 for v in values if account_key(v) in known.names) / len(values) if known else 0.0
        if not (id_score or name_score or max(id_match, name_match) >= KNOWN_MATCH_SHARE):
            continue
        spaced = prof.share_spaced >= NAME_SPACED_SHARE and id_match == 0
        by_name = "name" in key or name_match > id_match or (not id_score and spaced)
        role = "account_name" if by_name else "account_id"
        match = max(id_match, name_match)  # a few names that happen to match do not outvote an id header
        score = max(id_score, name_score) + (20 * match if match >= KNOWN_MATCH_SHARE else 0) \
            + (2 if role == "account_id" else 0)
        found.append((score, -i, i, role))
    if not found:
        return None, None, None
    found.sort(reverse=True)
    _, _, best, role = found[0]
    # beside an id, a name column is the account's own name only if each id has one name in it: a referral
    # export's 'Referred Company' (another company per row of the referring account) is not, even where its
    # values happen to be names of customers too
    names = [i for _, _, i, r in found if r == "account_name" and i != best and _one_name_per_id(columns[best], columns[i])]
    return best, role, (names[0] if role == "account_id" and names else None)


def _one_name_per_id(ids: list[str], names: list[str]) -> bool:
    """Whether every id in the rows looked at has a single name (blank names aside)."""
    seen: dict[str, str] = {}
    for account, name in zip(ids, names):
        account, name = account.strip(), name.strip()
        if account and name and seen.setdefault(account, name) != name:
            return False
    return True


def _type_values_ok(prof: Profile) -> bool:
    return prof.n_distinct <= FEW_DISTINCT and not prof.numeric and not prof.datelike


def _activity_value_share(prof: Profile) -> float:
    """Share of a column's values that name an activity (call, e-mail, meeting...)."""
    if not prof.words:
        return 0.0
    named = sum(n for w, n in prof.words.items() if ACTIVITY_WORDS.search(slug(w)) or w in ("note", "sms", "linkedin"))
    return named / max(sum(prof.words.values()), 1)


def _row_activity(source: Source, keys, profiles, exclude, *, support_only: bool = False) -> str | None:
    """The activity every row is, for exports with no type column (tickets, Gong calls): from the id
    column's header or the file name."""
    words = [k for i, k in enumerate(keys) if i not in exclude and _score(k, ACTIVITY_ID_KEYS) >= 10]
    words.append(slug(Path(source.name).name.split(".")[0]))
    words += [k for i, k in enumerate(keys) if i not in exclude and re.search(r"(^|_)(ticket|conversation)(_|$)", k)]
    pairs = ROW_ACTIVITY_WORDS[:2] if support_only else ROW_ACTIVITY_WORDS
    for text in words:
        for word, label in pairs:
            if re.search(rf"(^|_){word}s?(_|$)", text):
                return label
    return None


def _first(keys, test, profiles) -> int | None:
    return next((i for i, (k, p) in enumerate(zip(keys, profiles)) if test(k, p)), None)


def _pick_date(keys: list[str], profiles: list[Profile], exclude=frozenset()) -> int | None:
    """The column that dates each row: date-like values, preferring a date-ish header."""
    candidates = [i for i, p in enumerate(profiles) if p.datelike and i not in exclude]
    named = [i for i in candidates if DATE_WORD_RE.search(keys[i]) and _score(keys[i], DATE_KEYS) >= 0]
    return (named or candidates or [None])[0]


def _duration_unit(header: str, key: str, prof: Profile) -> tuple[str, str | None]:
    """A duration column's unit from its header, else its values; with a note when guessed."""
    if prof.share_hms >= DOMINANT_SHARE:
        return "hms", None
    if re.search(r"(^|_)(ms|millis|milliseconds)(_|$)", key):
        return "milliseconds", None
    if re.search(r"(^|_)(s|sec|secs|seconds)(_|$)", key):
        return "seconds", None
    if re.search(r"(^|_)(min|mins|minutes)(_|$)", key):
        return "minutes", None
    nums = sorted(x for x in (_number(v) for v in prof.words) if x is not None)
    median = nums[len(nums) // 2] if nums else 0
    unit = "milliseconds" if median >= 60_000 else "seconds" if median >= 180 else "minutes"
    return unit, (f"'{header}' has no unit in its header: read as {unit} (typical value {median:g}); "
                  "set the column's unit in the mapping if that is wrong")


def role_notes(mapping: Mapping) -> list[str]:
    """Notes that follow from a mapping's key roles, whoever chose them (recomputed after an edit)."""
    notes = []
    if mapping.kind == "activity_events" and not mapping.role("activity_id"):
        notes.append("no activity id column: rows cannot be de-duplicated across overlapping exports")
    if mapping.kind == "activity_events" and mapping.activity_label and not mapping.role("activity_type"):
        notes.append(f"no activity type column: every row is read as one '{mapping.activity_label}'")
    if mapping.role("account_name"):
        notes.append(f"accounts are named, not numbered: '{mapping.role('account_name').column}' is matched to the "
                     "accounts already loaded by name (ignoring case, spacing and punctuation)")
    return notes


def _event_mapping(source, keys, profiles, kind, account, account_role, date, atype, count_col, label,
                   name_col) -> Mapping:
    roles = {account: account_role, date: "date"}
    if atype is not None:
        roles[atype] = "activity_type"
    units: dict[int, str] = {}
    notes: list[str] = []
    if kind == "activity_counts" and count_col is not None:
        roles[count_col] = "count"
    else:
        taken = set(roles)
        aid = _best(keys, profiles, ACTIVITY_ID_KEYS, lambda p: not p.datelike and p.share_spaced < 0.5,
                    exclude=taken,  # a plain 'Id' must be unique; an 'Activity ID' may repeat (overlapping rows)
                    veto=lambda i, sc: sc < 10 and profiles[i].n_distinct < UNIQUE_ID_SHARE * profiles[i].n)
        owner = _best(keys, profiles, OWNER_KEYS, lambda p: not p.numeric and not p.datelike, exclude=taken | {aid})
        duration = _best(keys, profiles, DURATION_KEYS, lambda p: p.numeric or p.share_hms >= DOMINANT_SHARE,
                         exclude=taken | {aid, owner})
        for idx, role in ((aid, "activity_id"), (owner, "owner"), (duration, "duration_minutes")):
            if idx is not None and idx not in roles:
                roles[idx] = role
        if duration is not None:
            unit, note = _duration_unit(source.header[duration], keys[duration], profiles[duration])
            units[duration] = unit
            if note:
                notes.append(note)
    columns = []
    for i, h in enumerate(source.header):
        if i in roles:
            columns.append(ColumnSpec(h, roles[i], unit=units.get(i)))
        elif i == name_col:
            columns.append(ColumnSpec(h, "attribute", "account_name"))
        else:
            columns.append(ColumnSpec(h, "ignore"))
    mapping = Mapping(kind=kind, columns=columns, activity_label=label if atype is None else None)
    mapping.notes = notes + role_notes(mapping)
    return mapping


SUBSCRIPTION_STATUS = {"active", "canceled", "cancelled", "non_renewing", "in_trial", "trialing", "past_due", "unpaid",
                       "incomplete", "incomplete_expired", "paused", "future", "ended", "expired"}


def _end_column(keys, profiles, exclude) -> int | None:
    """The column of the date a customer left: dates where it is filled, blank for those who stay."""
    scored = [(_score(key, END_KEYS), -i, i) for i, key in enumerate(keys)
              if i not in exclude and _score(key, END_KEYS) > 0 and (profiles[i].n == 0 or profiles[i].datelike)]
    return max(scored)[2] if scored else None


def _role_mapping(source, keys, profiles, kind, account, account_role, date, name_col) -> Mapping:
    """Per-account (and per-period) tables: every column is an attribute, activity, measure or outcome."""
    notes: list[str] = []
    columns: list[ColumnSpec] = []
    per_account = account is not None and profiles[account].n_distinct == profiles[account].n
    if date is not None and per_account and _score(keys[date], START_KEYS) >= 10:
        date = None  # one row per account with a 'Customer Since': when each became a customer, not a period
    # a cancellation date is blank while the customer stays: only the dates it has are judged
    end = _end_column(keys, profiles, exclude={account, name_col, date})
    if end is not None and date is not None and _score(keys[date], DATE_KEYS) < 9:
        date = None  # a subscription list: its created date is when the customer started, not a period
    start = _best(keys, profiles, START_KEYS, lambda p: p.datelike, exclude={account, name_col, date, end})
    if start is not None and end is None and (date is not None or _score(keys[start], START_KEYS) < 10):
        start = None  # a deal's or record's created date is not the start of a customer's life
    spans = start is not None or end is not None
    if date is not None and per_account and CREATION_DATE.search(keys[date]):
        notes.append(f"'{source.header[date]}' is when each record was made, not a period: ignored")
        date = None  # a list of accounts: one row each, dated by when the record was created
    for i, (header, key, prof) in enumerate(zip(source.header, keys, profiles)):
        if i == account:
            columns.append(ColumnSpec(header, account_role))
        elif i == name_col:
            columns.append(ColumnSpec(header, "attribute", "account_name"))
        elif i == date:
            columns.append(ColumnSpec(header, "date"))
        elif i == start:
            columns.append(ColumnSpec(header, "start_date"))
        elif i == end:
            columns.append(ColumnSpec(header, "end_date"))
        elif spans and prof.words and set(prof.words) <= SUBSCRIPTION_STATUS:
            columns.append(ColumnSpec(header, "ignore"))
            notes.append(f"'{header}' repeats what the start and cancellation dates say: ignored (an account is a "
                         "customer from its start to its cancellation)")
        elif spans and prof.mostly_numbers and AMOUNT_WORDS.search(key) and date is None:
            columns.append(ColumnSpec(header, "attribute", key))
            notes.append(f"'{header}' is an amount with no period: kept as an account attribute (its size)")
        else:
            spec, note = _value_role(header, key, prof, kind, dated=date is not None)
            columns.append(spec)
            if note:
                notes.append(note)
    mapping = Mapping(kind=kind or "wide", columns=columns, notes=notes)
    if not any(c.role in ("activity", "measure", "outcome", "attribute") for c in columns):
        _as_row_events(mapping, source, keys, profiles, account, date)
    if kind is None:
        mapping.kind = _kind_from_roles(mapping)
    if account is None and date is None:
        mapping.notes.append("no account column found: each row is read as its own account")
    mapping.notes += role_notes(mapping)
    return mapping


def _value_role(header: str, key: str, prof: Profile, kind: str | None, *, dated: bool) -> tuple[ColumnSpec, str | None]:
    """The role of one non-key column from its header words and values."""
    if prof.n == 0:
        return ColumnSpec(header, "ignore"), f"'{header}' is empty in the rows looked at: ignored"
    stage = _stage_words(prof)
    if stage and kind in (None, "outcomes", "wide"):
        yes, no, open_ = stage
        return (ColumnSpec(header, "outcome", _binary_name(key, ["won"]), "binary", yes, no, open_ or None),
                f"'{header}': won and lost deals are the outcome; open stages ({', '.join(open_[:3])}"
                f"{', ...' if len(open_) > 3 else ''}) are no outcome yet")
    if AFTER_OUTCOME_RE.search(key):
        return ColumnSpec(header, "ignore"), f"'{header}' describes an outcome after the fact: ignored"
    if key.endswith("_id") or key in ("id", "record_id", "gsid"):
        return ColumnSpec(header, "ignore"), None
    if prof.datelike:
        return ColumnSpec(header, "ignore"), f"'{header}' is another date: ignored (the row is dated by one column)"
    if not dated and prof.mostly_numbers and SIZE_WORDS.search(key):
        return ColumnSpec(header, "attribute", key), None
    if _score(key, DURATION_KEYS) and prof.numeric:
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
    if prof.mostly_whole and kind in (None, "wide", "activity_counts") and ACTIVITY_NOUN_END.search(key):
        return ColumnSpec(header, "activity", key), None
    if prof.mostly_numbers and kind in (None, "outcomes", "wide") and AMOUNT_WORDS.search(key):
        return ColumnSpec(header, "outcome", key, "amount", currency=prof.currency), None
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
            return ColumnSpec(header, "outcome", key, "count" if prof.counts else "amount",
                              currency=None if prof.counts else prof.currency), None
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


def _stage_words(prof: Profile) -> tuple[list[str], list[str], list[str]] | None:
    """(won words, lost words, open stages) when a column reads as a deal's stage or status."""
    if not prof.words or len(prof.words) > FEW_DISTINCT or prof.numeric:
        return None
    yes = [w for w in prof.words if STAGE_YES.search(slug(w)) and not STAGE_NO.search(slug(w))]
    no = [w for w in prof.words if STAGE_NO.search(slug(w))]
    if not yes or not no:
        return None
    return yes, no, sorted(w for w in prof.words if w not in yes and w not in no)


def is_stage(spec: ColumnSpec) -> bool:
    """A deal's stage: a yes/no outcome read as won / lost, with open stages as no outcome yet."""
    return (spec.role == "outcome" and spec.outcome_kind == "binary" and bool(spec.blank)
            and any(STAGE_YES.search(slug(w)) for w in spec.yes or []) and any(STAGE_NO.search(slug(w))
                                                                             for w in spec.no or []))


def _binary_name(key: str, yes: list[str]) -> str:
    specific = [w for w in yes if w not in ("yes", "y", "true", "t", "1")]
    return slug(specific[0]) if specific else key


def _attribute_name(key: str) -> str:
    if _score(key, OWNER_KEYS) > 0:  # the same words that make an activity's owner
        return "owner"
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
    if value_roles == {"attribute"} or not value_roles and roles & {"start_date", "end_date"}:
        return "accounts"
    if value_roles == {"activity"}:
        return "activity_counts"
    if value_roles <= {"measure", "attribute"} and "measure" in value_roles and mapping.role("date"):
        return "activity_measures"
    return "wide"
