"""Column mappings: which role each column of an export plays, saved per header set.

A mapping is plain JSON so an analyst can write or correct one by hand:

    {"kind": "activity_events",
     "columns": [{"column": "Activity ID", "role": "activity_id"},
                 {"column": "Type", "role": "activity_type"},
                 {"column": "Date", "role": "date"},
                 {"column": "Account", "role": "account_id"},
                 {"column": "Notes", "role": "ignore"}]}
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines.errors import MappingError

if TYPE_CHECKING:  # only for annotations: importing pandas costs every command a quarter of a second
    import pandas as pd

KINDS = ("activity_events", "activity_counts", "activity_measures", "accounts", "outcomes", "wide")
OUTCOME_KINDS = ("binary", "amount", "count")
DATE_ORDERS = ("mdy", "dmy")

# Roles a column can play. Key roles appear at most once per file. An account is named by its id
# (account_id) or, as most CRM reports do, by its name (account_name: matched to the accounts
# already loaded by name, ignoring case, spacing and punctuation). start_date and end_date say when
# an account was a customer (a subscription's start and cancellation).
KEY_ROLES = ("account_id", "account_name", "activity_id", "activity_type", "date", "owner", "duration_minutes",
             "count", "event_id", "start_date", "end_date")
ACCOUNT_ROLES = ("account_id", "account_name")
DURATION_UNITS = ("minutes", "seconds", "milliseconds", "hms")  # hms: 1:05:30 or 4:35 (minutes:seconds)
VALUE_ROLES = ("activity", "measure", "outcome", "attribute")
ROLES = KEY_ROLES + VALUE_ROLES + ("ignore",)

DEFAULT_YES = ("yes", "y", "true", "t", "1", "renewed", "retained", "stayed", "won", "closed won", "converted",
               "subscribed", "success", "active", "kept")
DEFAULT_NO = ("no", "n", "false", "f", "0", "churned", "lost", "closed lost", "cancelled", "canceled", "failure",
              "inactive", "left", "not renewed", "declined")


@dataclass
class ColumnSpec:
    """The role of one column; value roles carry the name the fact is stored under."""

    column: str
    role: str
    name: str | None = None
    outcome_kind: str | None = None
    yes: list[str] | None = None
    no: list[str] | None = None
    blank: list[str] | None = None
    decimal: str | None = None
    levels: dict[str, str] | None = None  # activity named by a text value: {value: activity name}; others are none
    unit: str | None = None  # a duration's unit (DURATION_UNITS); minutes when not given
    currency: str | None = None  # an amount's currency as its values write it ('$', '€', 'EUR'), if they do

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Mapping:
    """How to read one export: its kind, the role of every column, and file-level options."""

    kind: str
    columns: list[ColumnSpec]
    row_event: dict | None = None  # {"outcome": "referrals"}: each row is one countable outcome event
    date_order: str | None = None  # "mdy" or "dmy" when slash dates are ambiguous
    activity_label: str | None = None  # events with no type column: every row is one activity of this type
    notes: list[str] = field(default_factory=list)

    def role(self, role: str) -> ColumnSpec | None:
        """The column holding a key role, if any."""
        return next((c for c in self.columns if c.role == role), None)

    def account(self) -> ColumnSpec | None:
        """The column that says whose row it is: an account id, else an account name."""
        return self.role("account_id") or self.role("account_name")

    def of_role(self, role: str) -> list[ColumnSpec]:
        """All columns of a value role, in file order."""
        return [c for c in self.columns if c.role == role]

    def to_json(self) -> dict:
        out: dict = {"kind": self.kind, "columns": [c.to_json() for c in self.columns]}
        if self.row_event:
            out["row_event"] = self.row_event
        if self.date_order:
            out["date_order"] = self.date_order
        if self.activity_label:
            out["activity_label"] = self.activity_label
        return out

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, data: dict) -> "Mapping":
        """Build and validate a mapping from its JSON form."""
        if not isinstance(data, dict) or "columns" not in data:
            raise MappingError("a mapping is a JSON object with 'kind' and 'columns'")
        kind = data.get("kind", "wide")
        if kind not in KINDS:
            raise MappingError(f"unknown kind '{kind}'; expected one of {', '.join(KINDS)}")
        cols = []
        for i, raw in enumerate(data["columns"], start=1):
            if not isinstance(raw, dict) or "column" not in raw or "role" not in raw:
                raise MappingError(f"mapping column {i}: needs 'column' and 'role'")
            unknown = set(raw) - set(ColumnSpec.__dataclass_fields__)
            if unknown:
                raise MappingError(f"mapping column '{raw['column']}': unknown key(s) {', '.join(sorted(unknown))}")
            cols.append(ColumnSpec(**raw))
        mapping = cls(kind=kind, columns=cols, row_event=data.get("row_event"), date_order=data.get("date_order"),
                      activity_label=data.get("activity_label"))
        mapping.validate()
        return mapping

    @classmethod
    def load(cls, path: str | Path) -> "Mapping":
        """Read a mapping file written by hand or by 'payoff map'."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise MappingError(f"{path}: no such mapping file") from exc
        except json.JSONDecodeError as exc:
            raise MappingError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
        return cls.from_json(data)

    def validate(self, header: list[str] | None = None) -> None:
        """Check roles, names and (given a header) that every mapped column exists."""
        for spec in self.columns:
            if spec.role not in ROLES:
                raise MappingError(f"column '{spec.column}': unknown role '{spec.role}'; expected one of {', '.join(ROLES)}")
            if spec.role in VALUE_ROLES and not (spec.name and spec.name.strip()):
                spec.name = slug(spec.column)
            if spec.role == "outcome":
                if spec.outcome_kind not in OUTCOME_KINDS:
                    raise MappingError(f"column '{spec.column}': outcome_kind must be one of {', '.join(OUTCOME_KINDS)}")
                if spec.outcome_kind == "binary":
                    spec.yes = [w.strip().lower() for w in (spec.yes or DEFAULT_YES)]
                    spec.no = [w.strip().lower() for w in (spec.no or DEFAULT_NO)]
                    spec.blank = [w.strip().lower() for w in (spec.blank or [])]
            if spec.levels is not None:
                if spec.role != "activity" or not isinstance(spec.levels, dict) or not spec.levels:
                    raise MappingError(f"column '{spec.column}': 'levels' maps text values to activity names, "
                                       "for an activity column")
                spec.levels = {str(k).strip().lower(): str(v).strip() for k, v in spec.levels.items()}
            if spec.unit is not None and (spec.role != "duration_minutes" or spec.unit not in DURATION_UNITS):
                raise MappingError(f"column '{spec.column}': 'unit' is for a duration column, one of "
                                   f"{', '.join(DURATION_UNITS)}")
            if spec.decimal not in (None, ".", ","):
                raise MappingError(f"column '{spec.column}': decimal must be '.' or ','")
        for role in KEY_ROLES:
            if len([c for c in self.columns if c.role == role]) > 1:
                raise MappingError(f"more than one column has the role '{role}'")
        if self.date_order not in (None, *DATE_ORDERS):
            raise MappingError("date_order must be 'mdy' (month first) or 'dmy' (day first)")
        self._validate_kind()
        if header is not None:
            missing = [c.column for c in self.columns if c.column not in header]
            if missing:
                raise MappingError(f"the mapping names column(s) not in the file: {', '.join(repr(m) for m in missing)}")

    def _validate_kind(self) -> None:
        if self.role("account_id") and self.role("account_name"):
            raise MappingError("a file names its accounts by id or by name, not both: give the name column the "
                               "role 'attribute' (name 'account_name')")
        if self.kind in ("activity_events", "activity_counts") and self.account() is None:
            raise MappingError(f"an {self.kind} file needs a column with the role 'account_id' (or 'account_name')")
        required = {"activity_events": ("date",)}.get(self.kind, ())
        for role in required:
            if self.role(role) is None:
                raise MappingError(f"an {self.kind} file needs a column with the role '{role}'")
        if self.kind == "activity_events" and not self.role("activity_type") and not (self.activity_label or "").strip():
            raise MappingError("an activity_events file needs a column with the role 'activity_type', or an "
                               "'activity_label' naming the one activity every row is (e.g. \"Support ticket\")")
        if self.kind == "activity_counts" and self.role("activity_type") and not self.role("count"):
            raise MappingError("a long activity_counts file needs a 'count' column beside its 'activity_type'")
        if self.kind not in ("activity_events",) and not self.role("activity_type"):
            spans = self.role("start_date") or self.role("end_date")
            has_values = any(c.role in VALUE_ROLES for c in self.columns) or self.row_event or spans
            if not has_values:
                raise MappingError("the mapping gives no column anything to load (no activity, measure, outcome or attribute)")
            if self.account() is None and self.role("date") is not None:
                raise MappingError(NO_ACCOUNT_SERIES)


# The one explanation of a dated table without an account column (payoff map, payoff ingest and the Data page).
NO_ACCOUNT_SERIES = ("this table has dated rows but no account column, so it is one business-wide series; Payoff "
                     "judges activities by comparing accounts over time and cannot judge a single series. Load the "
                     "per-account export instead, or add a column naming the account of each row")


def header_signature(header: list[str]) -> str:
    """Identify a header set regardless of column order, case and spacing."""
    names = sorted(" ".join(h.lower().split()) for h in header)
    return hashlib.sha256("\x1f".join(names).encode("utf-8")).hexdigest()


def slug(text: str) -> str:
    """A stable lower-case snake_case key for a user label ('Business Review' -> 'business_review')."""
    key = re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")
    return key or "unnamed"


def _normal(name: str) -> str:
    return " ".join(name.lower().split())


def saved_mapping(con: duckdb.DuckDBPyConnection, header: list[str]) -> Mapping | None:
    """The mapping confirmed earlier for this header set, if any, renamed to this file's headers."""
    row = con.execute(
        "select mapping_json from mappings where header_signature = ?", [header_signature(header)]
    ).fetchone()
    if not row:
        return None
    mapping = Mapping.from_json(json.loads(row[0]))
    actual = {_normal(h): h for h in header}
    for spec in mapping.columns:
        spec.column = actual.get(_normal(spec.column), spec.column)
    return mapping


def save_mapping(con: duckdb.DuckDBPyConnection, header: list[str], mapping: Mapping) -> None:
    """Remember a confirmed mapping for the next file with the same header set."""
    con.execute(
        "insert or replace into mappings values (?, ?, ?, ?)",
        [header_signature(header), mapping.kind, json.dumps(mapping.to_json()), datetime.now()],
    )


def mapping_table(mapping: Mapping) -> pd.DataFrame:
    """The editable view of a mapping: one row per column of the file."""
    import pandas as pd

    return pd.DataFrame([{"column": c.column, "role": c.role, "name": c.name, "outcome_kind": c.outcome_kind}
                         for c in mapping.columns], columns=["column", "role", "name", "outcome_kind"])


def _text(value) -> str | None:
    import pandas as pd

    return None if value is None or pd.isna(value) or not str(value).strip() else str(value).strip()


def mapping_from_table(proposal: Mapping, table: pd.DataFrame) -> Mapping:
    """The proposal with the analyst's roles and names; word lists, levels and decimals kept where the role stayed."""
    columns = []
    for spec, row in zip(proposal.columns, table.to_dict("records")):
        role = _text(row["role"]) or "ignore"
        name = _text(row["name"]) if role in VALUE_ROLES else None
        kind = _text(row["outcome_kind"]) if role == "outcome" else None
        if role == spec.role:
            kept = replace(spec, name=name, outcome_kind=kind)
            if kind != spec.outcome_kind:  # yes/no words belong to the kind they were read for
                kept = replace(kept, yes=None, no=None, blank=None)
            columns.append(kept)
        else:
            columns.append(ColumnSpec(spec.column, role, name=name, outcome_kind=kind))
    return Mapping(proposal.kind, columns, row_event=proposal.row_event, date_order=proposal.date_order,
                   activity_label=proposal.activity_label)
