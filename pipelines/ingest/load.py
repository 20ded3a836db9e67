"""Load one export into the database as a single transaction, record it, and undo it.

The path of a file: open_source (bytes, encoding, delimiter, header) -> mapping (given,
saved for this header set, or proposed) -> DuckDB reads every row as text into a temp
table -> typed expressions with a reason for every cell that fails -> valid rows into the
raw_* tables, failed rows into load_rejects -> the load recorded in `loads`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines import audit
from pipelines.audit import Actor, command_line
from pipelines.db import column_exists, sql_text
from pipelines.errors import InputError, LoadError, MappingError
from pipelines.ingest.mapping import Mapping, save_mapping, saved_mapping, slug
from pipelines.ingest.recognize import KnownAccounts, header_values, is_stage, propose_mapping, role_notes
from pipelines.ingest.source import MAX_LINE_BYTES, Source, archive_copy, open_source, record_lines, utf8_copy
from pipelines.ingest.typing import (DURATION_SCALE, MAX_YEAR, MIN_YEAR, NUMBER_PARAMS, ZONE_PATTERN, DateStyle,
                                     choose_date_style, choose_decimal, date_sql, duration_sql, number_reason_sql,
                                     number_sql)

if TYPE_CHECKING:  # only for annotations: importing pandas costs every command a quarter of a second
    import pandas as pd

MAX_REJECT_SHARE = 0.05  # refuse a file whose failing rows exceed this share: the mapping is likely wrong
ROWS_NAMED = 5  # skipped rows named one by one in a note
REJECTS_SHOWN = 20  # rejected rows carried on the report (all are kept in load_rejects)
RAW_TABLES = ("raw_activity_events", "raw_activity_counts", "raw_activity_measures", "raw_account_attributes",
              "raw_outcomes", "raw_account_spans")
SET_ASIDE = "set aside: "  # the reason of a row kept out of the facts though it parsed (no account to belong to)
NAMES_SHOWN = 3  # account names quoted in a note
FOOTER_BLANKS = 4  # blank (or delimiter-only) lines allowed among a report's footer lines


@dataclass
class LoadReport:
    """What one ingest did: counts that add up (read = loaded + duplicate + rejected)."""

    file: str
    status: str  # loaded | skipped
    kind: str
    sha256: str
    load_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_duplicate: int = 0
    rows_rejected: int = 0
    rows_set_aside: int = 0
    duplicate_detail: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    mapping: Mapping | None = None

    def summary(self) -> str:
        """One human line per load, as the CLI and the Data page print it."""
        if self.status == "skipped":
            return f"{self.file}: already loaded as load {self.load_id}; nothing changed"
        line = (f"{self.file}: load {self.load_id} ({self.kind}): {self.rows_read:,} rows read, "
                f"{self.rows_loaded:,} loaded, {self.rows_duplicate:,} duplicate, {self.rows_rejected:,} rejected")
        if self.rows_set_aside:
            line += f", {self.rows_set_aside:,} set aside"
        return line

    def to_json(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "mapping"}
        out["mapping"] = self.mapping.to_json() if self.mapping else None
        return out


WORK_PREFIX = "payoff-load-"  # + pid: a load's scratch folder (a transcoded copy of the export)


def sweep_work_folders() -> list[Path]:
    """Remove scratch folders left by loads whose process died (SIGKILL skips clean-up)."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*"):
        pid = folder.name[len(WORK_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    name: str | None = None,
    kind: str | None = None,
    mapping: Mapping | None = None,
    archive_dir: str | Path | None = None,
    max_reject_share: float = MAX_REJECT_SHARE,
    new_accounts: bool = False,
    actor: Actor | None = None,
) -> LoadReport:
    """Load one export; all of its valid rows land, or nothing changes.

    new_accounts: create the accounts a name-keyed file names that no load has yet (without it,
    their rows are set aside and reported, unless the database holds no accounts at all).
    actor: who loads it, for the load history and the audit trail (default: the OS user, command line).
    """
    source = open_source(path, name)
    prior = con.execute(
        "select load_id from loads where sha256 = ? and undone_at is null order by load_id limit 1", [source.sha256]
    ).fetchone()
    if prior:
        return LoadReport(source.name, "skipped", kind or "", source.sha256, load_id=prior[0])
    mapping = choose_mapping(con, source, kind, mapping)
    sweep_work_folders()
    with tempfile.TemporaryDirectory(prefix=f"{WORK_PREFIX}{os.getpid()}-") as work:
        plan = _LoadPlan(con, source, mapping, work, new_accounts=new_accounts, actor=actor or command_line())
        try:
            plan.stage()
            plan.check_rejects(max_reject_share)
            report = plan.commit(archive_dir)
        finally:
            plan.drop_temp()
    return report


def proposed_mapping(con: duckdb.DuckDBPyConnection | None, source: Source, kind: str | None = None) -> Mapping:
    """The mapping Payoff would use for a file: the one saved for its header set (of the kind asked
    for), else a proposal that knows the database's accounts. What `payoff map`, the Data page and
    `payoff ingest` all start from."""
    mapping = saved_mapping(con, source.header) if con is not None else None
    if mapping is not None and kind is not None and mapping.kind != kind:
        mapping = None
    if mapping is not None:
        mapping.notes = role_notes(mapping)
        return mapping
    return propose_mapping(source, kind, known_accounts(con) if con is not None else None)


# A date with its day (2025-01-06, 1/6/2025): a header cell like this is a data row read as the header.
FULL_DATE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})\b")


def mapping_problem(source: Source, mapping: Mapping, *, proposed: bool = False) -> str | None:
    """Why a file cannot be loaded with this mapping, in the words every front door shows; None if it can."""
    values = header_values(source.header)
    hint = (f"row 1 holds values like {', '.join(repr(v) for v in values[:2])}: is the header row missing?"
            if values else "")
    try:
        mapping.validate(source.header)
    except MappingError as exc:
        return str(exc) + ("; " + hint if hint else "")
    if proposed and any(FULL_DATE.match(v.strip()) for v in values):  # a day's date is a value, not a column name
        return hint
    return None


def choose_mapping(con, source: Source, kind: str | None, mapping: Mapping | None) -> Mapping:
    """The explicit mapping, else the proposed one; refused (InputError) with mapping_problem's reason."""
    proposed = mapping is None
    mapping = mapping if mapping is not None else proposed_mapping(con, source, kind)
    problem = mapping_problem(source, mapping, proposed=proposed)
    if problem:
        raise InputError(source.name, problem, row=1)
    return mapping


def known_accounts(con: duckdb.DuckDBPyConnection) -> KnownAccounts:
    """The accounts a database holds (ids and names, normalised): recognition's hint for the account column.

    Read from the built accounts mart when there is one (cheap at any size), else the raw tables.
    """
    from pipelines.db import table_exists

    con.execute(sql_text("macros.sql"))
    ids_from = "accounts" if table_exists(con, "accounts") else "_known_ids"
    if ids_from == "_known_ids":
        con.execute(f"create or replace temp view _known_ids as {_ACCOUNT_IDS_SQL}")
    ids = {r[0] for r in con.execute(f"select distinct pf_account_key(account_id) from {ids_from}").fetchall()}
    names = {r[0] for r in con.execute("select distinct pf_account_key(value_text) from raw_account_attributes "
                                        "where attribute = 'account_name' and value_text is not null").fetchall()}
    return KnownAccounts(frozenset(ids), frozenset(names))


# Every account id any active load holds (undone loads' rows are deleted, so the raw tables are the truth).
_ACCOUNT_IDS_SQL = " union ".join(f"select account_id from {t}" for t in (
    "raw_account_attributes", "raw_activity_events", "raw_activity_counts", "raw_activity_measures", "raw_outcomes",
    "raw_account_spans"))


@dataclass
class _Lookup:
    """One raw column's distinct values, parsed: joined to _src by the raw text."""

    table: str
    header: str
    raw: str
    typed: str
    reason: str | None


class _LoadPlan:
    """The typed SQL for one file under one mapping, and its execution."""

    def __init__(self, con: duckdb.DuckDBPyConnection, source: Source, mapping: Mapping, workdir: str, *,
                 new_accounts: bool = False, actor: Actor):
        self.con, self.source, self.mapping, self.workdir = con, source, mapping, workdir
        self.new_accounts, self.actor = new_accounts, actor
        self.col = {h: f"c{i}" for i, h in enumerate(source.header)}
        from_roles = role_notes(mapping)  # recomputed: a note of the proposal may not fit an edited mapping
        self.notes: list[str] = list(source.notes) + [n for n in mapping.notes if n not in from_roles] + from_roles
        self.params: dict = {**NUMBER_PARAMS, "zone_pattern": ZONE_PATTERN}
        self.rows_set_aside = 0
        self.new_names = False  # new accounts were named: their names are stored as attributes
        self.checks: list[tuple[str, str, str]] = []  # (header, raw column, reason expression over _src)
        self.lookups: list[_Lookup] = []  # parsed once per distinct value, joined back by the raw text
        self.rows_read = 0
        self.rows_rejected = 0
        self.rows_exact_repeat = 0

    # -- staging -----------------------------------------------------------------------
    def stage(self) -> None:
        """Read every row as text, then type it: _src (text) -> _typed (typed), _bad (reasons) -> _good (a view)."""
        con = self.con
        con.execute(sql_text("macros.sql"))
        path, compression = utf8_copy(self.source, self.workdir)
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(self.source.n_columns)) + "}"
        try:
            con.execute(
                f"""create or replace temp table _src as
                    select * from read_csv($path, auto_detect = false, header = true, delim = $delim, skip = $skip,
                        quote = '"', escape = '"', columns = {columns}, compression = $compression,
                        store_rejects = true, rejects_table = '_src_rejects', rejects_scan = '_src_scan',
                        max_line_size = {MAX_LINE_BYTES}, null_padding = false)""",
                {"path": str(path), "delim": self.source.delimiter, "compression": compression,
                 "skip": self.source.skip_lines},
            )
        except duckdb.Error as exc:
            raise InputError(self.source.name, f"cannot be read as CSV: {_first_line(exc)}") from exc
        # a report's footer lines are narrower than the table, so the reader sets them aside: not damage
        footer = set(self.source.footer)
        broken = next((r[:3] for r in con.execute(
            "select line, error_type, error_message, csv_line from _src_rejects order by line limit ?",
            [len(footer) + 1]).fetchall() if _cells_text(r[3], self.source.delimiter) not in footer), None)
        if broken:
            raise InputError(self.source.name, _structural_message(broken, self.source.n_columns), row=broken[0])
        con.execute("alter table _src add column source_row bigint")
        # the header is row 1 (below any report lines), as in a spreadsheet
        lines = record_lines(self.source, Path(path), compression)
        con.execute("update _src set source_row = rowid + 2 + $skip",
                    {"skip": self.source.skip_lines if lines is None else 0})
        if lines is not None:  # blank lines: number rows by the line they start on, as a spreadsheet shows them
            con.execute("create or replace temp table _lines as select unnest($lines) as line, "
                        "generate_subscripts($lines, 1) + 1 as record", {"lines": lines})
            con.execute("update _src set source_row = _lines.line from _lines where _lines.record = _src.source_row")
            con.execute("drop table _lines")
        if footer:  # footer lines padded to the table's width parse as rows: the last few that read as them go
            text = "concat_ws(' ', " + ", ".join(f"nullif(trim(c{i}), '')" for i in range(self.source.n_columns)) + ")"
            con.execute(f"""delete from _src
                            where source_row > (select max(source_row) from _src) - $tail
                              and ({text} in (select unnest($footer)) or {text} = '')""",
                        {"tail": 2 * len(footer) + FOOTER_BLANKS, "footer": sorted(footer)})
        self._drop_repeated_headers()
        self.rows_read = con.execute("select count(*) from _src").fetchone()[0]
        if self.rows_read == 0:
            raise InputError(self.source.name, "the file has a header row but no data rows")
        selects = self._typed_selects()
        joins = []
        for lk in self.lookups:
            con.execute(f"""create or replace temp table {lk.table} as
                            select v, {lk.typed} as t, {lk.reason or 'null::varchar'} as r
                            from (select distinct {lk.raw} as v from _src)""",
                        self._params_used([lk.typed, lk.reason or ""]))
            joins.append(f"left join {lk.table} on {lk.table}.v is not distinct from _src.{lk.raw}")
        con.execute(f"create or replace temp table _typed as select source_row, {', '.join(selects)} "
                    f"from _src {' '.join(joins)}", self._params_used(selects))
        self._collect_rejects()

    def _drop_repeated_headers(self) -> None:
        """Rows that repeat the header row (exports joined end to end) are not data: drop them, with a note."""
        cells = self.source.raw_header
        if len(cells) != self.source.n_columns:
            return
        same = " and ".join(f"coalesce(trim(c{i}), '') = $h{i}" for i in range(len(cells)))
        rows = sorted(r[0] for r in self.con.execute(f"delete from _src where {same} returning source_row",
                                                      {f"h{i}": cell for i, cell in enumerate(cells)}).fetchall())
        if rows:
            shown = ", ".join(str(r) for r in rows[:ROWS_NAMED]) + (", ..." if len(rows) > ROWS_NAMED else "")
            self.notes.append(f"{len(rows):,} row(s) repeat the header row (exports joined end to end?) and were "
                              f"skipped: row {shown}")

    def _typed_selects(self) -> list[str]:
        """One typed expression (and one reason expression) per mapped column."""
        m, out = self.mapping, []
        acc = m.account()
        # a blank account is set aside after typing (not attributable), not rejected; a name is
        # matched to an account id in _names (see _set_aside) and joined in by the _good view
        ref = self._account_ref
        if acc:
            out.append(f"nullif(trim({self.col[acc.column]}), '') as {ref}")
        else:
            self.params["file_stem"] = Path(self.source.name).name.split(".")[0]
            out.append(f"$file_stem || '#' || source_row as {ref}")
        date = m.role("date")
        if date:
            out.append(self._date_expr(date.column, required=self._stage_alias() is None))
        else:
            out.append("null::date as occurred_on")
        for role, alias in (("start_date", "started_on"), ("end_date", "ended_on")):
            if m.role(role):
                out.append(self._date_expr(m.role(role).column, required=False, alias=alias))
        if m.kind == "activity_events" and not m.role("activity_type"):
            self.params["activity_label"] = m.activity_label.strip()
            out.append("$activity_label as activity_type")
        for role in ("activity_id", "activity_type", "owner", "event_id"):
            spec = m.role(role)
            if spec:
                c = self.col[spec.column]
                out.append(f"nullif(trim({c}), '') as {role}")
                if role == "activity_type":
                    self._check(spec.column, c, f"case when nullif(trim({c}), '') is null then 'missing activity type' end")
        if m.role("duration_minutes"):
            out.append(self._duration_expr(m.role("duration_minutes")))
        if m.role("count"):
            out.append(self._number_expr(m.role("count"), "n_count", kind="count"))
        for i, spec in enumerate(m.columns):
            alias = f"v{i}"
            if spec.role == "activity" and spec.levels:
                c = self.col[spec.column]
                for j, value in enumerate(spec.levels):
                    self.params[f"level_{i}_{j}"] = value
                    out.append(f"case when nullif(trim({c}), '') is null then null "
                               f"when lower(trim({c})) = $level_{i}_{j} then 1.0 else 0.0 end as {alias}_l{j}")
            elif spec.role == "activity":
                out.append(self._number_expr(spec, alias, kind="count"))
            elif spec.role == "measure" or (spec.role == "outcome" and spec.outcome_kind == "amount"):
                out.append(self._number_expr(spec, alias, kind="number"))
            elif spec.role == "outcome" and spec.outcome_kind == "count":
                out.append(self._number_expr(spec, alias, kind="count"))
            elif spec.role == "outcome":
                out.append(self._binary_expr(spec, alias))
            elif spec.role == "attribute":
                c = self.col[spec.column]
                out.append(f"nullif(trim({c}), '') as {alias}_text")
                decimal = spec.decimal or choose_decimal(self._sample_values(spec.column))
                out.append(f"{self._lookup(spec.column, c, number_sql('v', decimal))}.t as {alias}")
        return out

    @property
    def _account_ref(self) -> str:
        """The typed column naming each row's account: its id, or a name matched to one in _names."""
        return "account_ref" if self.mapping.role("account_name") else "account_id"

    def _stage_alias(self) -> str | None:
        """The typed column of a won/lost stage with open stages (null while open), if the file has one."""
        return next((f"v{i}" for i, c in enumerate(self.mapping.columns) if is_stage(c)), None)

    def _check(self, header: str, raw_col: str, reason_sql: str) -> None:
        """Register a reason expression: non-null on a row means that cell fails."""
        self.checks.append((header, raw_col, reason_sql))

    def _lookup(self, header: str, raw_col: str, typed_sql: str, reason_sql: str | None = None) -> str:
        """Parse a column once per distinct value (an export repeats few dates and amounts many times).

        typed_sql and reason_sql are written over the raw text as `v`; returns the lookup
        table's name, whose `t` is the typed value and `r` the reason a cell fails.
        """
        lookup = _Lookup(f"_lk{len(self.lookups)}", header, raw_col, typed_sql, reason_sql)
        self.lookups.append(lookup)
        return lookup.table

    def _date_expr(self, header: str, *, required: bool, alias: str = "occurred_on") -> str:
        c = self.col[header]
        style: DateStyle = choose_date_style(self.con, "_src", c, self.mapping.date_order)
        if style.ambiguous:
            self.notes.append(
                f"dates in '{header}' read month-first (e.g. 3/4/2025 = March 4): every value fits both "
                "month-first and day-first; set date_order 'dmy' in the mapping if they are day-first")
        formats = f"date_formats_{c}"
        self.params[formats] = style.formats
        parsed = date_sql("v", formats)
        lookup = self._lookup(header, c, parsed, f"""case
            when nullif(trim(v), '') is null then {"'missing date'" if required else 'null'}
            when {parsed} is null then 'not a date like {style.example}'
            when year({parsed}) not between {MIN_YEAR} and {MAX_YEAR} then 'date out of range ({MIN_YEAR}-{MAX_YEAR})'
            end""")
        return f"{lookup}.t as {alias}"

    def _duration_expr(self, spec) -> str:
        """Minutes from a duration column in its unit: minutes, seconds, milliseconds or h:mm:ss."""
        unit = spec.unit or "minutes"
        if unit != "hms":
            expr = self._number_expr(spec, "duration_raw", kind="duration")
            return expr.replace(" as duration_raw", f" * {DURATION_SCALE[unit]!r} as duration_minutes")
        c = self.col[spec.column]
        lookup = self._lookup(spec.column, c, duration_sql("v"), f"""case when nullif(trim(v), '') is null then null
            when {duration_sql("v")} is null then 'not a duration like 1:05:30' end""")
        return f"{lookup}.t as duration_minutes"

    def _number_expr(self, spec, alias: str, *, kind: str) -> str:
        c = self.col[spec.column]
        decimal = spec.decimal or choose_decimal(self._sample_values(spec.column))
        if decimal == ",":
            self.notes.append(f"numbers in '{spec.column}' read with a decimal comma (1.234,50)")
        lookup = self._lookup(spec.column, c, number_sql("v", decimal), number_reason_sql("v", decimal, kind))
        return f"{lookup}.t as {alias}"

    def _binary_expr(self, spec, alias: str) -> str:
        c = self.col[spec.column]
        key = f"words_{alias}"
        self.params[f"{key}_yes"], self.params[f"{key}_no"] = spec.yes, spec.no
        self.params[f"{key}_blank"] = spec.blank or []
        word = f"lower(trim({c}))"
        self.params[f"{key}_reason"] = f"not a yes/no value (expected e.g. {', '.join(spec.yes[:3] + spec.no[:3])})"
        if is_stage(spec):  # a deal stage neither won nor lost is open, whichever stage the rows looked at missed
            return (f"case when list_contains(${key}_yes, {word}) then 1.0 "
                    f"when list_contains(${key}_no, {word}) then 0.0 end as {alias}")
        self._check(spec.column, c, f"""case when nullif(trim({c}), '') is not null
            and not list_contains(${key}_yes, {word}) and not list_contains(${key}_no, {word})
            and not list_contains(${key}_blank, {word}) then ${key}_reason end""")
        return (f"case when list_contains(${key}_yes, {word}) then 1.0 "
                f"when list_contains(${key}_no, {word}) then 0.0 end as {alias}")

    def _params_used(self, fragments: list[str]) -> dict:
        """The bound parameters a statement mentions (DuckDB refuses unused ones)."""
        text = " ".join(fragments)
        return {k: v for k, v in self.params.items() if f"${k}" in text}

    def _sample_values(self, header: str) -> list[str]:
        i = self.source.header.index(header)
        return [r[i] for r in self.source.sample if i < len(r) and r[i].strip()]

    def _collect_rejects(self) -> None:
        """Every failing cell into _bad; exact repeated rows of keyed files into _repeat; the rest is _good.

        One pass over _src per check, keeping only failing cells, so no table of reasons as long
        as the file is ever held; _good is a view, not a second copy of _typed.
        """
        con = self.con
        con.execute("create or replace temp table _bad (source_row bigint, column_name varchar, value varchar, reason varchar)")
        for header, raw, reason_sql in self.checks:
            con.execute(f"""insert into _bad select source_row, $header, value, reason from (
                                select source_row, {raw} as value, {reason_sql} as reason from _src)
                            where reason is not null""",
                        {"header": header, **self._params_used([reason_sql])})
        for lk in self.lookups:
            if lk.reason is not None:  # only the failing distinct values are joined back to their rows
                con.execute(f"""insert into _bad select _src.source_row, $header, _src.{lk.raw}, failing.r
                                from _src join (select v, r from {lk.table} where r is not null) failing
                                  on failing.v is not distinct from _src.{lk.raw}""", {"header": lk.header})
        self._set_aside()
        con.execute("create or replace temp table _repeat (source_row bigint)")
        if self.mapping.kind != "activity_events" and self.mapping.account() is not None:
            # without an account id each row is its own account, so identical rows are distinct accounts
            cols = ", ".join(self.col.values())
            con.execute(f"""insert into _repeat select source_row from (
                                select source_row, row_number() over (partition by {cols} order by source_row) as nth
                                from _src where source_row not in (select source_row from _bad)
                                  and source_row not in (select source_row from _aside)) where nth > 1""")
            self.rows_exact_repeat = con.execute("select count(*) from _repeat").fetchone()[0]
            if self.rows_exact_repeat:
                self.notes.append(f"{self.rows_exact_repeat:,} row(s) repeat an earlier row of this file exactly: "
                                  "counted once, as duplicates")
        named = self.mapping.role("account_name") is not None
        con.execute(f"""create or replace temp view _good as
                        select _typed.* {", _names.account_id" if named else ""} from _typed
                        {"join _names on _names.v = _typed.account_ref" if named else ""}
                        where source_row not in (select source_row from _bad)
                          and source_row not in (select source_row from _aside)
                          and source_row not in (select source_row from _repeat)""")
        con.execute("drop table _src")  # the text copy is no longer needed: free it before the facts are written

    def _set_aside(self) -> None:
        """Rows that parse but belong to no account: a blank account cell (an open deal, an internal task),
        or a name no load has given an account yet (unless new accounts are allowed). Names are
        matched to known accounts by account key; a name matching two accounts is a rejected cell."""
        con, m = self.con, self.mapping
        con.execute("create or replace temp table _aside (source_row bigint, column_name varchar, value varchar, "
                    "reason varchar)")
        acc = m.account()
        if acc is None:
            return
        ref = self._account_ref
        con.execute(f"""insert into _aside select source_row, $column, null, $reason from _typed
                        where {ref} is null and source_row not in (select source_row from _bad)""",
                    {"column": acc.column, "reason": SET_ASIDE + "no account (not attributable to a customer)"})
        n_blank = con.execute("select count(*) from _aside").fetchone()[0]
        if n_blank:
            self.notes.append(f"{n_blank:,} row(s) name no account (open deals, internal tasks?): set aside as not "
                              "attributable, not counted as failures")
        stage = self._stage_alias()
        if stage is not None:  # an open deal has no outcome yet: neither won nor lost, whatever its dates
            column = next(c.column for i, c in enumerate(m.columns) if f"v{i}" == stage)
            n_open = con.execute(f"""insert into _aside select source_row, $column, null, $reason from _typed
                                     where {stage} is null and source_row not in (select source_row from _bad)
                                       and source_row not in (select source_row from _aside)""",
                                 {"column": column, "reason": SET_ASIDE + "still open: no outcome yet"}).fetchone()[0]
            if n_open:
                self.notes.append(f"{n_open:,} row(s) are still open in '{column}' (no outcome yet): set aside")
            if m.role("date"):  # a won or lost deal needs its date like any outcome
                con.execute("""insert into _bad select source_row, $column, null, 'missing date' from _typed
                               where occurred_on is null and source_row not in (select source_row from _bad)
                                 and source_row not in (select source_row from _aside)""",
                            {"column": m.role("date").column})
            amounts = [c.column for c in m.columns if c.role == "outcome" and c.outcome_kind != "binary"]
            if amounts:
                self.notes.append(f"{', '.join(repr(a) for a in amounts)} counted for won deals only")
        if m.role("account_name"):
            self._match_names(acc.column)

    def _match_names(self, column: str) -> None:
        """_names: each distinct account name of the file, its account key and the account id it resolves to."""
        con = self.con
        con.execute(f"""create or replace temp table _known as
            select account_id, pf_account_key(account_id) as k from ({_ACCOUNT_IDS_SQL})
            union
            select account_id, pf_account_key(value_text) from raw_account_attributes
            where attribute = 'account_name' and value_text is not null""")
        create = self.new_accounts or not con.execute("select count(*) > 0 from _known").fetchone()[0]
        con.execute("""create or replace temp table _names as
            with refs as (
                select account_ref as v, pf_account_key(account_ref) as k, count(*) as n_rows, min(source_row) as first_row
                from _typed where account_ref is not null group by 1, 2
            ),
            matches as (
                select k, count(distinct account_id) as n_match, min(account_id) as known_id,
                       string_agg(distinct account_id, ', ' order by account_id) as ids
                from _known where k in (select k from refs) and k <> '' group by k
            )
            select r.*, coalesce(m.n_match, 0) as n_match, m.ids,
                   case when m.n_match = 1 then m.known_id
                        when m.n_match is null and $create and r.k <> '' then first_value(r.v) over (
                            partition by r.k order by r.first_row) end as account_id
            from refs r left join matches m using (k)""", {"create": create})
        con.execute("""insert into _bad select t.source_row, $column, t.account_ref,
                           'names ' || n.n_match || ' accounts (' || n.ids || '): give the account id instead'
                       from _typed t join _names n on n.v = t.account_ref where n.n_match > 1""", {"column": column})
        con.execute("""insert into _aside select t.source_row, $column, t.account_ref, $reason
                       from _typed t join _names n on n.v = t.account_ref
                       where n.account_id is null and n.n_match <= 1
                         and t.source_row not in (select source_row from _bad)
                         and t.source_row not in (select source_row from _aside)""",
                    {"column": column, "reason": SET_ASIDE + "names an account not loaded yet"})
        matched, new, unknown, unknown_rows = con.execute("""
            select count(distinct k) filter (where n_match = 1), count(distinct k) filter (where n_match = 0 and account_id is not null),
                   count(distinct k) filter (where account_id is null and n_match = 0), sum(n_rows) filter (where account_id is null and n_match = 0)
            from _names""").fetchone()
        examples = [r[0] for r in con.execute("""select arg_min(v, first_row) from _names where n_match = 0 group by k
                                                 order by min(first_row) limit ?""", [NAMES_SHOWN]).fetchall()]
        shown = ", ".join(repr(e) for e in examples) + (", ..." if (new or unknown) > NAMES_SHOWN else "")
        parts = [f"{matched:,} account name(s) matched to accounts already loaded"]
        if new:
            parts.append(f"{new:,} new account(s) created ({shown})")
            self.new_names = True
        self.notes.append(f"'{column}': " + "; ".join(parts))
        if unknown:
            self.notes.append(f"{int(unknown_rows):,} row(s) name {unknown:,} account(s) not loaded yet ({shown}): set "
                              "aside; to add them as new accounts, undo this load and load the file again with new "
                              "accounts allowed")

    def check_rejects(self, max_share: float) -> None:
        """Refuse the whole file when too many rows fail: that is a wrong mapping or a broken export."""
        n_bad = self.con.execute("select count(distinct source_row) from _bad").fetchone()[0]
        self.rows_rejected = n_bad
        if n_bad and n_bad > max_share * self.rows_read:
            row, column, value, reason = self.con.execute(
                "select source_row, column_name, value, reason from _bad order by source_row, column_name limit 1"
            ).fetchone()
            share = n_bad / self.rows_read
            what = describe_reject(value, reason)
            raise InputError(
                self.source.name,
                f"{what}; {n_bad:,} of {self.rows_read:,} rows ({share:.0%}) fail, more than the "
                f"{max_share:.0%} a load may reject, so nothing was loaded",
                row=row, column=column,
            )

    # -- writing -----------------------------------------------------------------------
    def commit(self, archive_dir) -> LoadReport:
        """Write facts, rejects and the load record in one transaction."""
        con, src, m = self.con, self.source, self.mapping
        con.execute("begin transaction")
        try:
            load_id = con.execute("select nextval('load_id_seq')").fetchone()[0]
            self.params_load = {"load_id": load_id}
            self._insert_facts(load_id)
            dup_rows, replacing, detail = self._duplicates(load_id)
            if m.kind == "activity_events":
                con.execute("insert into load_supersedes values (?, ?)", [load_id, replacing])
            rows_duplicate = dup_rows + self.rows_exact_repeat
            if self.rows_exact_repeat:
                detail.append(f"{self.rows_exact_repeat:,} repeated within this file")
            self.rows_set_aside = con.execute("select count(distinct source_row) from _aside").fetchone()[0]
            rows_loaded = self.rows_read - self.rows_rejected - rows_duplicate - self.rows_set_aside
            archived = str(archive_copy(src, archive_dir)) if archive_dir else None
            con.execute(
                """insert into loads (load_id, file_name, source_path, archived_path, sha256, kind, mapping_json,
                       rows_read, rows_loaded, rows_duplicate, rows_rejected, notes_json, loaded_at, undone_at,
                       rows_set_aside, loaded_by, loaded_via)
                   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?, ?)""",
                [load_id, src.name, str(src.path), archived, src.sha256, m.kind, json.dumps(m.to_json()),
                 self.rows_read, rows_loaded, rows_duplicate, self.rows_rejected, json.dumps(self.notes),
                 datetime.now(), self.rows_set_aside, self.actor.who, self.actor.via],
            )
            audit.record(con, self.actor, "load", f"{src.name}: {rows_loaded:,} rows loaded ({m.kind})", load_id)
            con.execute("insert into load_rejects select $load_id, $file, source_row, column_name, value, reason "
                        "from (select * from _bad union all select * from _aside) order by source_row",
                        {"load_id": load_id, "file": src.name})
            save_mapping(con, src.header, m)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        rejects = [dict(zip(("row_number", "column_name", "value", "reason"), r)) for r in con.execute(
            "select row_number, column_name, value, reason from load_rejects where load_id = ? "
            "and not starts_with(reason, ?) order by row_number limit ?", [load_id, SET_ASIDE, REJECTS_SHOWN]).fetchall()]
        return LoadReport(src.name, "loaded", m.kind, src.sha256, load_id, self.rows_read, rows_loaded,
                          rows_duplicate, self.rows_rejected, self.rows_set_aside, detail, self.notes, rejects, m)

    def _insert_facts(self, load_id: int) -> None:
        """Valid rows into the raw tables, in no particular order: readers order by load and row themselves."""
        con, m, p = self.con, self.mapping, {"load_id": load_id}
        if m.kind == "activity_events":
            has = {r: m.role(r) is not None for r in ("activity_id", "owner", "duration_minutes")}
            self._insert_spans_and_names(p)
            con.execute(f"""insert into raw_activity_events select $load_id, source_row,
                    {'activity_id' if has['activity_id'] else 'null'}, account_id, activity_type, occurred_on,
                    {'owner' if has['owner'] else 'null'}, {'duration_minutes' if has['duration_minutes'] else 'null'}
                    from _good""", p)
            return
        if m.role("activity_type") and m.role("count"):
            con.execute("""insert into raw_activity_counts select $load_id, source_row, account_id, occurred_on,
                           activity_type, n_count from _good where n_count is not null""", p)
        event_id = "event_id" if m.role("event_id") else "null"
        stage = self._stage_alias()
        for i, spec in enumerate(m.columns):
            v, q = f"v{i}", {**p, "name": spec.name}
            if spec.role == "activity" and spec.levels:
                for j, name in enumerate(spec.levels.values()):
                    con.execute(f"insert into raw_activity_counts select $load_id, source_row, account_id, occurred_on, "
                                f"$name, {v}_l{j} from _good where {v}_l{j} is not null",
                                {**p, "name": name})
            elif spec.role == "activity":
                con.execute(f"insert into raw_activity_counts select $load_id, source_row, account_id, occurred_on, "
                            f"$name, {v} from _good where {v} is not null", q)
            elif spec.role == "measure":
                con.execute(f"insert into raw_activity_measures select $load_id, source_row, account_id, occurred_on, "
                            f"$name, {v} from _good where {v} is not null", q)
            elif spec.role == "outcome":
                won = f" and {stage} = 1" if stage is not None and spec.outcome_kind != "binary" else ""
                con.execute(f"insert into raw_outcomes select $load_id, source_row, account_id, occurred_on, $name, "
                            f"$kind, {v}, {event_id} from _good where {v} is not null{won}",
                            {**q, "kind": spec.outcome_kind})
            elif spec.role == "attribute":
                con.execute(f"insert into raw_account_attributes select $load_id, source_row, account_id, $name, "
                            f"{v}_text, {v} from _good where {v}_text is not null", q)
        if m.row_event:
            con.execute(f"insert into raw_outcomes select $load_id, source_row, account_id, occurred_on, $name, "
                        f"'count', 1.0, {event_id} from _good",
                        {**p, "name": slug(m.row_event["outcome"])})
        self._insert_spans_and_names(p)

    def _insert_spans_and_names(self, p: dict) -> None:
        """Customer spans (start and end dates), and the names of accounts this file created by naming them."""
        con, m = self.con, self.mapping
        if m.role("start_date") or m.role("end_date"):
            started = "started_on" if m.role("start_date") else "null"
            ended = "ended_on" if m.role("end_date") else "null"
            con.execute(f"""insert into raw_account_spans select $load_id, source_row, account_id, {started}, {ended}
                            from _good where {started} is not null or {ended} is not null""", p)
        if self.new_names:  # so the next file naming them finds them, and the pages show their names
            con.execute("""insert into raw_account_attributes
                           select $load_id, first_row, account_id, 'account_name', v, null from _names
                           where n_match = 0 and account_id is not null and v = account_id""", p)

    def _duplicates(self, load_id: int) -> tuple[int, int, list[str]]:
        """Rows whose activity id (events) or fact key (everything else) an earlier load already holds.

        Returns the duplicate rows, how many of them replace an earlier load's row, and the detail.
        """
        con, p = self.con, {"load_id": load_id}
        if self.mapping.kind == "activity_events":
            if not self.mapping.role("activity_id"):
                return 0, 0, []
            # this load's ids once, as a table: three readers below, and a CTE would scan for them each time
            con.execute("""create or replace temp table _mine as
                           select activity_id, source_row
                           from raw_activity_events where load_id = $load_id and activity_id is not null""", p)
            con.execute("""create or replace temp table _dup as
                with repeated_here as (
                    -- ids this file holds more than once: every row after the first is a duplicate
                    select activity_id, min(source_row) as first_row
                    from _mine group by activity_id having count(*) > 1
                ),
                earlier as (
                    -- only this load's ids are looked up in the history: the cost follows the file, not the database
                    select activity_id, min(load_id) as prior_load
                    from raw_activity_events
                    where load_id <> $load_id and activity_id in (select activity_id from _mine)
                    group by activity_id
                )
                select m.source_row, e.prior_load, coalesce(m.source_row > r.first_row, false) as in_file
                from _mine m
                left join earlier e using (activity_id)
                left join repeated_here r using (activity_id)
                where e.prior_load is not null or m.source_row > r.first_row""", p)
        else:
            con.execute("create or replace temp table _dup as " + self._keyed_duplicates_sql(), p)
        rows = con.execute("""select count(distinct source_row) from _dup""").fetchone()[0]
        detail, replacing = [], 0
        for prior, n in con.execute("""select prior_load, count(distinct source_row) from _dup
                                        where prior_load is not null group by prior_load order by prior_load""").fetchall():
            fname = con.execute("select file_name from loads where load_id = ?", [prior]).fetchone()[0]
            verb = "already loaded by" if self.mapping.kind == "activity_events" else "superseding values from"
            detail.append(f"{n:,} {verb} load {prior} ({fname})")
            replacing += n
        in_file = con.execute("select count(distinct source_row) from _dup where in_file and prior_load is null").fetchone()[0]
        if in_file:
            detail.append(f"{in_file:,} repeated within this file")
        return rows, replacing, detail

    def _keyed_duplicates_sql(self) -> str:
        """Rows all of whose main facts an earlier load already holds under the same key.

        Attributes repeated beside dated facts (an account name in a revenue export) do not
        make a row a duplicate; in a pure accounts export they are the facts.
        """
        keys = {
            "raw_activity_counts": ("activity_type", "and o.period_on is not distinct from n.period_on"),
            "raw_activity_measures": ("measure", "and o.period_on is not distinct from n.period_on"),
            "raw_outcomes": ("outcome", "and o.occurred_on is not distinct from n.occurred_on "
                                        "and o.event_id is not distinct from n.event_id"),
            "raw_account_attributes": ("attribute", ""),
        }
        roles = {c.role for c in self.mapping.columns}
        if roles & {"activity", "measure", "outcome", "count"} or self.mapping.row_event:
            keys.pop("raw_account_attributes")
        if roles & {"start_date", "end_date"}:
            keys["raw_account_spans"] = ("account_id", "and o.started_on is not distinct from n.started_on "
                                                       "and o.ended_on is not distinct from n.ended_on")
        facts = " union all ".join(
            f"""select n.source_row, min(o.load_id) as prior_load
                from {table} n left join {table} o
                  on o.load_id <> $load_id and o.account_id = n.account_id and o.{name} = n.{name} {extra}
                where n.load_id = $load_id group by n.source_row, n.{name}"""
            for table, (name, extra) in keys.items())
        return f"""with facts as ({facts}),
            per_row as (select source_row, count(*) as n_facts, count(prior_load) as n_matched,
                               min(prior_load) as prior_load from facts group by source_row)
            select source_row, prior_load, false as in_file from per_row where n_facts = n_matched"""

    def drop_temp(self) -> None:
        for statement in ("drop view if exists _good", *(f"drop table if exists {table}" for table in (
                "_src", "_typed", "_bad", "_aside", "_names", "_known", "_repeat", "_mine", "_dup", "_src_rejects",
                "_src_scan",
                *(lk.table for lk in self.lookups)))):
            try:
                self.con.execute(statement)
            except duckdb.Error:
                pass


def undo_load(con: duckdb.DuckDBPyConnection, load_id: int, actor: Actor | None = None) -> dict:
    """Remove everything one load added; earlier values it had superseded come back. actor: who undoes it."""
    row = con.execute("select file_name, undone_at from loads where load_id = ?", [load_id]).fetchone()
    if row is None:
        raise LoadError(f"there is no load {load_id}; 'payoff loads' lists them")
    if row[1] is not None:
        raise LoadError(f"load {load_id} ({row[0]}) was already undone on {row[1]:%Y-%m-%d %H:%M}")
    removed = 0
    con.execute("begin transaction")
    try:
        for table in RAW_TABLES:
            removed += con.execute(f"delete from {table} where load_id = ?", [load_id]).fetchone()[0]
        actor = actor or command_line()
        con.execute("update loads set undone_at = ?, undone_by = ?, undone_via = ? where load_id = ?",
                    [datetime.now(), actor.who, actor.via, load_id])
        audit.record(con, actor, "undo", f"{row[0]}: {removed:,} facts removed", load_id)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return {"load_id": load_id, "file": row[0], "facts_removed": removed}


def list_loads(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every load, newest first, with its counts, who loaded it and whether (and by whom) it was undone."""
    who = ("nullif(concat_ws(', ', l.loaded_by, l.loaded_via), '')", "nullif(concat_ws(', ', l.undone_by, "
           "l.undone_via), '')") if column_exists(con, "loads", "loaded_by") else ("null::varchar", "null::varchar")
    return con.execute(f"""select load_id, file_name, sha256, kind, rows_read, rows_loaded, rows_duplicate,
                                  rows_rejected, coalesce(rows_set_aside, 0) as rows_set_aside, loaded_at,
                                  {who[0]} as loaded_by, undone_at, {who[1]} as undone_by
                           from loads l order by load_id desc""").df()


def load_rejects(con: duckdb.DuckDBPyConnection, load_id: int | None = None) -> pd.DataFrame:
    """Rejected rows with file, row, column, value and reason (all loads, or one)."""
    where, params = ("where load_id = ?", [load_id]) if load_id is not None else ("", [])
    return con.execute(f"select load_id, file_name, row_number, column_name, value, reason from load_rejects {where} "
                       "order by load_id, row_number", params).df()


def _cells_text(line: str | None, delimiter: str) -> str:
    """A raw CSV line as its non-blank cells joined by spaces (how a report footer line is named)."""
    import csv

    if not line:
        return ""
    try:
        cells = next(csv.reader([line.strip("\r\n")], delimiter=delimiter), [])
    except csv.Error:
        return line.strip()
    return " ".join(c.strip() for c in cells if c.strip())


def _structural_message(broken: tuple, width: int) -> str:
    line, kind, message = broken
    if kind in ("TOO MANY COLUMNS", "MISSING COLUMNS"):
        found = message.rsplit("Found:", 1)[-1].strip() if "Found:" in message else "a different number of"
        return (f"this row has {found} fields where the header has {width} "
                "(a delimiter or quote inside an unquoted value?); nothing was loaded")
    if kind == "UNQUOTED VALUE":
        return "a quote opened in this row is never closed; nothing was loaded"
    if kind == "INVALID ENCODING":
        return ("this row is not UTF-8 text like the rows before it (exports in different encodings joined?); "
                "save the whole file as UTF-8 and load it again; nothing was loaded")
    if kind == "LINE SIZE OVER MAXIMUM":
        return (f"this row is longer than {MAX_LINE_BYTES >> 20} MiB (damaged data, or a quote never closed?); "
                "nothing was loaded")
    return f"the row cannot be parsed ({message.strip()}); nothing was loaded"


def describe_reject(value, reason: str) -> str:
    """'31/31/2025' is not a date like 3/15/2025 / '-5' is a negative count / missing account id (the empty value)."""
    shown = _show(value)
    if reason.startswith("not "):
        return f"{shown} is {reason}"
    if reason.startswith("negative"):
        return f"{shown} is a {reason}"
    return f"{reason} ({shown})"


def _show(value) -> str:
    if value is None or str(value).strip() == "":
        return "the empty value"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
