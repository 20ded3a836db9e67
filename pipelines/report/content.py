"""Everything a leadership report says, gathered once from the database into one plain structure.

The deck and the brief only lay this out; they never query or fit anything. The content is a
pure function of the database's active loads and the filters: the as-of date is the latest
activity or outcome date in the data (never today), and the data hash is a sha256 over the
loads' file hashes and the scope (filters, outcome, grain), so the same data always gives the
same report.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from pipelines import figures
from pipelines.build import built_grain
from pipelines.db import column_exists
from pipelines.errors import ModelError, PayoffError
from pipelines.money import compact_number, money
from pipelines.filters import Filters
from pipelines.stats.drivers import analyze
from pipelines.stats.frames import read_panel
from pipelines.stats.plan import CAVEAT, plan_for_target, realistic_target
from pipelines.stats import sentences, verdicts
from pipelines.stats.sentences import carry_over_text, fmt, outcome_label, periods, plural, short_effect
from pipelines.stats.story import key_findings
from pipelines.stats.teams import compare_groups

TITLE = "Leadership review: which activities pay off"
TEAM_ATTRIBUTE = "team"  # the account attribute teams are compared by (skipped when absent)
SHORT_HASH = 12  # hex digits of a hash shown on slides and pages
MODEST_STEP = {"binary": 2.0, "amount": 2.0, "count": 0.02}  # a modest step: +2 points, +2%, +2% of the rate
MAX_DRIVERS_LISTED = 3  # drivers per outcome in the executive summary
MAX_BUSY_LISTED = 3  # busy-work activities in the executive summary
MAX_CONTROLS_NAMED = 5  # longer lists of controls are summarised in the method


@dataclass(frozen=True)
class FindingRow:
    """One activity for one outcome: the verdict badge and the engine's sentence, verbatim."""

    activity: str
    label: str
    verdict: str
    badge: str  # 'Driver', 'Confounded by employees (account size)' ...
    color: str
    sentence: str


@dataclass(frozen=True)
class OutcomeSection:
    """One outcome: the key-finding headline, how it was measured, the forest chart and every sentence."""

    outcome: str
    label: str
    kind: str
    headline: str
    basis: str  # '839 renewal events · 600 accounts · Jul 2024 – Dec 2025 · …'
    findings: tuple[FindingRow, ...]
    notes: tuple[str, ...]
    chart: dict  # Plotly figure JSON of figures.driver_forest


@dataclass(frozen=True)
class TimingSection:
    """The top driver of one outcome: when it pays off and where more stops adding."""

    outcome: str
    label: str
    activity_label: str
    timing: str
    returns: str
    lag_chart: dict | None
    curve_chart: dict | None


@dataclass(frozen=True)
class TeamCell:
    difference: float
    low: float
    high: float
    verdict: str  # above expectation | below expectation | as expected
    text: str  # '+2.1 pts (−3.7 to +7.8)'


@dataclass(frozen=True)
class TeamRow:
    team: str
    accounts: int
    cells: tuple[TeamCell | None, ...]  # one per outcome in TeamsSection.outcomes


@dataclass(frozen=True)
class TeamsSection:
    """Each team's actual outcome against what its own accounts and activity mix predict."""

    attribute: str
    outcomes: tuple[tuple[str, str], ...]  # (outcome key, column header)
    rows: tuple[TeamRow, ...]
    takeaways: tuple[str, ...]


@dataclass(frozen=True)
class PlanRow:
    """One outcome: last year's level, a realistic target, and what a modest step asks of the top driver."""

    outcome: str
    label: str
    last_12: str
    target: str
    step: str
    change: str  # the activity change the modest step needs, in words


@dataclass(frozen=True)
class LoadRow:
    """One active load: where the numbers came from."""

    load_id: int
    file_name: str
    kind: str
    sha256: str
    rows_read: int
    rows_loaded: int
    first_on: date | None
    last_on: date | None
    loaded_by: str = "unknown"  # who loaded it (the audit trail's user; 'unknown' for loads made before it)

    @property
    def short_hash(self) -> str:
        return self.sha256[:SHORT_HASH]

    @property
    def dates(self) -> str:
        return span_text(self.first_on, self.last_on) if self.first_on else "no dates (attributes)"


@dataclass(frozen=True)
class Summary:
    """The executive summary: what pays off, what is busy-work, and the best-supported recommendation."""

    drivers: tuple[str, ...]
    busy: tuple[str, ...]
    recommendation: str


@dataclass(frozen=True)
class ReportContent:
    """Everything one report shows, as plain values (no models, no connections)."""

    title: str
    as_of: date | None  # the latest activity or outcome date in the data; None when no record is dated
    data_hash: str
    scope: str
    grain: str
    period_first: date | None
    period_last: date | None
    n_accounts: int
    n_activities: int
    summary: Summary
    outcomes: tuple[OutcomeSection, ...]
    key_findings: tuple[tuple[str, str, str, str], ...]  # (outcome, headline, body, chart) from stats.story
    timing: tuple[TimingSection, ...]
    teams: TeamsSection | None
    plan: tuple[PlanRow, ...]
    caveat: str
    method: tuple[str, ...]
    caveats: tuple[str, ...]
    lineage: tuple[LoadRow, ...]
    results: tuple[dict, ...] = field(repr=False)  # the engine's JSON per outcome (as `payoff drivers --format json`)

    @property
    def short_hash(self) -> str:
        return self.data_hash[:SHORT_HASH]

    @property
    def period(self) -> str:
        return span_text(self.period_first, self.period_last) if self.period_first else "no dated records"

    @property
    def as_of_text(self) -> str:
        """'31 Dec 2025', or 'undated data' when no record carries a date."""
        return f"{self.as_of:%d %b %Y}" if self.as_of else "undated data"

    @property
    def as_of_note(self) -> str:
        """What the as-of date is, for the lineage slide and page."""
        if self.as_of is None:
            return "No record carries a date, so the report has no as-of date."
        return (f"As of {self.as_of:%d %b %Y}: the latest activity or outcome date in the data, not the day the "
                "report was made.")

    @property
    def stamp(self) -> str:
        """The frozen footer: as-of date, data hash and scope."""
        when = f"As of {self.as_of_text}" if self.as_of else "Undated data"
        return f"{when} · data {self.short_hash} · {self.scope}"


def build_content(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
                  outcome: str | None = None) -> ReportContent:
    """Analyse once and gather every section of the report (read-only on the connection)."""
    filters = filters or Filters()
    lineage = _lineage(con)
    if not lineage:
        raise PayoffError("nothing loaded yet: run 'payoff demo' or 'payoff ingest FILE' first")
    grain = built_grain(con) or "month"
    panel = read_panel(con)
    chosen = _check_filters(panel, filters)
    results = analyze(con, outcome, validate=True, filters=filters)
    first, last = _span(con, filters)
    volumes = {c[2:]: float(chosen[c].fillna(0).sum()) for c in chosen.columns if c.startswith("n_")}
    return ReportContent(
        title=TITLE, as_of=last,
        data_hash=data_hash([load.sha256 for load in lineage], filters, outcome, grain),
        scope=filters.describe(), grain=grain, period_first=first, period_last=last,
        n_accounts=int(chosen["account_id"].nunique()), n_activities=int(round(sum(volumes.values()))),
        summary=_summary(results, volumes),
        outcomes=tuple(_outcome_section(r) for r in results),
        key_findings=tuple((s.outcome, s.headline, s.body, s.chart) for s in key_findings(results)),
        timing=tuple(t for t in (_timing(r) for r in results) if t is not None),
        teams=_teams(results, panel),
        plan=tuple(_plan_row(r, chosen) for r in results),
        caveat=CAVEAT, method=_method(results, grain), caveats=_caveats(),
        lineage=tuple(lineage),
        results=tuple(_plain(r.to_json()) for r in results),
    )


def _check_filters(panel: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The filtered panel; an error when a filter names an attribute the data lack or matches no account."""
    for name, values in filters.attributes:
        if values and name not in panel.columns:
            raise PayoffError(f"no account attribute '{name}' to filter by; load an accounts export with a "
                              f"'{name}' column, or drop the filter")
    chosen = filters.apply(panel)
    if chosen.empty:
        raise PayoffError(f"no accounts or periods match the filters ({filters.describe()})")
    return chosen


def data_hash(file_hashes: list[str], filters: Filters, outcome: str | None, grain: str) -> str:
    """sha256 over the active loads' file hashes (in load order) and the report's scope."""
    scope = {
        "loads": list(file_hashes),
        "filters": {
            "start": filters.start.isoformat() if filters.start else None,
            "end": filters.end.isoformat() if filters.end else None,
            "attributes": {name: sorted(values) for name, values in filters.attributes if values},
        },
        "outcome": outcome, "grain": grain,
    }
    return hashlib.sha256(json.dumps(scope, sort_keys=True).encode("utf-8")).hexdigest()


def span_text(first: date | None, last: date | None) -> str:
    """'Jan 2024 – Dec 2025'."""
    if first is None or last is None:
        return "n/a"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%b %Y}"
    return f"{first:%b %Y} – {last:%b %Y}"


# -- lineage, dates -------------------------------------------------------------------------
def _lineage(con: duckdb.DuckDBPyConnection) -> list[LoadRow]:
    """Active loads in load order, with the date range of the facts each one added."""
    who = "coalesce(l.loaded_by, 'unknown')" if column_exists(con, "loads", "loaded_by") else "'unknown'"
    rows = con.execute(f"""
        with dated as (
            select load_id, occurred_on as on_ from raw_activity_events
            union all select load_id, period_on from raw_activity_counts
            union all select load_id, period_on from raw_activity_measures
            union all select load_id, occurred_on from raw_outcomes
        ),
        spans as (select load_id, min(on_) as first_on, max(on_) as last_on from dated group by load_id)
        select l.load_id, l.file_name, l.kind, l.sha256, l.rows_read, l.rows_loaded, s.first_on, s.last_on,
               {who}
        from loads l left join spans s using (load_id)
        where l.undone_at is null
        order by l.load_id""").fetchall()
    return [LoadRow(int(r[0]), r[1], r[2], r[3], int(r[4]), int(r[5]), r[6], r[7], r[8]) for r in rows]


def _span(con: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[date | None, date | None]:
    """First and latest activity or outcome date in the data, inside the filters' dates."""
    first, last = con.execute("""
        select min(first_on), max(last_on) from (
            select first_on, last_on from activity_types
            union all select first_on, last_on from outcome_types)""").fetchone()
    if first is not None and filters.start and filters.start > first:
        first = filters.start
    if last is not None and filters.end and filters.end < last:
        last = filters.end
    return first, last


# -- phrases ----------------------------------------------------------------------------------
def _label(outcome: str) -> str:
    return outcome_label(outcome).capitalize()


def _grain_of(r) -> str:
    return (r.periods or {}).get("grain") or "period"


def _badge(verdict: str) -> str:
    return verdicts.name(verdict)


def _effect_phrase(kind: str, outcome: str, estimate: float, low: float, high: float, grain: str) -> str:
    """What follows 'is associated with': 'a 5.3-point higher share that renewed (95% CI 2.9 to 7.8)' and the like."""
    up = estimate >= 0
    if kind == "binary":
        return (f"a {fmt(abs(estimate))}-point {'higher' if up else 'lower'} share that {outcome_label(outcome)} "
                f"(95% CI {fmt(low)} to {fmt(high)})")
    if kind == "amount":
        return (f"{fmt(abs(estimate))}% {'higher' if up else 'lower'} {outcome_label(outcome)} "
                f"(95% CI {fmt(low)}% to {fmt(high)}%)")
    return (f"{fmt(abs(estimate), 2)} {'more' if up else 'fewer'} {outcome_label(outcome)} per 100 accounts a {grain} "
            f"(95% CI {fmt(low, 2)} to {fmt(high, 2)})")


def _ci(kind: str, low: float, high: float) -> str:
    if kind == "amount":
        return f"95% CI {fmt(low)}% to {fmt(high)}%"
    digits = 2 if kind == "count" else 1
    return f"95% CI {fmt(low, digits)} to {fmt(high, digits)}"


def _per_phrase(r) -> str:
    """When one more activity is counted: 'in the six months before' / 'a month' / ''."""
    grain = _grain_of(r)
    if r.design == "events" and r.frame is not None:
        return f"in the {periods(r.frame.window_periods, grain)} before"
    if r.design == "per_period":
        return f"a {grain}"
    return ""


def _after(r) -> str:
    """When a per-period effect is felt (' in total over the three months after'), as the sentences say it."""
    if r.design != "per_period" or r.frame is None:
        return ""
    return " " + carry_over_text(r.frame)


def _drivers(r) -> list:
    return verdicts.drivers(r)


# -- sections ---------------------------------------------------------------------------------
def _outcome_section(r) -> OutcomeSection:
    slides = [s for s in key_findings([r]) if s.chart == "forest"]
    headline = slides[0].headline if slides else f"{_label(r.outcome)}: no model"
    periods_ = r.periods or {}
    span = ""
    if periods_.get("first"):
        span = span_text(date.fromisoformat(periods_["first"]), date.fromisoformat(periods_["last"]))
    rows = {"events": f"{r.n_used:,} events", "per_period": f"{r.n_used:,} account-{_grain_of(r)}s"}.get(r.design)
    parts = ([rows] if rows else []) + [f"{r.n_accounts:,} accounts"] + ([span] if span else [])
    h = r.validation.get("holdout", {})
    if "gain" in h:
        parts.append(f"on later data activity adds {100 * h['gain']:+.1f} points of accuracy")
    findings = tuple(FindingRow(f.activity, f.label, f.verdict, _badge(f.verdict), figures.verdict_color(f.verdict),
                                f.sentence) for f in r.findings)
    return OutcomeSection(r.outcome, _label(r.outcome), r.kind, headline, " · ".join(parts), findings,
                          tuple(r.notes), _figure_json(figures.driver_forest(r)))


def _timing(r) -> TimingSection | None:
    drivers = _drivers(r)
    if not drivers:
        return None
    top = max(drivers, key=lambda f: f.effect_typical.estimate)
    grain = _grain_of(r)
    if r.design == "undated" or not top.lag_profile:
        timing = sentences.no_timing(r.outcome) if r.design == "undated" else "No timing to show."
    elif r.design == "events":
        timing = f"{plural(top.label).capitalize()} count most {periods(top.best_lag, grain)} before the outcome date."
    else:
        timing = (f"{plural(top.label).capitalize()} go with {outcome_label(r.outcome)} most strongly "
                  f"{periods(top.best_lag, grain)} later.")
    c = top.curve
    if c is None:
        returns = "No response curve could be drawn for this activity."
    elif c.knee is not None:
        share = c.share_at_or_past_knee or 0
        returns = (f"Returns flatten past {c.knee} {top.label.lower() if c.knee == 1 else plural(top.label)}; "
                   f"{share:.0%} of cases are already there.")
    else:
        returns = f"No flattening within the levels seen (up to {c.levels[-1]}): more still goes with more."
    return TimingSection(
        r.outcome, _label(r.outcome), top.label, timing, returns,
        _figure_json(figures.lag_profile(top, grain)) if top.lag_profile else None,
        _figure_json(figures.response_curve(top)) if c is not None else None)


def _teams(results, panel: pd.DataFrame) -> TeamsSection | None:
    """Team × outcome: actual minus expected with a 95% interval (None without a team attribute)."""
    if TEAM_ATTRIBUTE not in panel.columns or panel[TEAM_ATTRIBUTE].dropna().nunique() < 2:
        return None
    tables, headers = [], []
    for r in results:
        try:
            table = compare_groups(r, panel, TEAM_ATTRIBUTE)
        except ModelError:
            continue
        tables.append((r, table.set_index("group")))
        unit = {"binary": "points", "amount": "%", "count": f"per 100 accounts a {_grain_of(r)}"}[r.kind]
        headers.append((r.outcome, f"{_label(r.outcome)} ({unit})"))
    if not tables:
        return None
    teams = sorted(set().union(*(t.index for _, t in tables)))
    rows, takeaways = [], []
    for team in teams:
        cells, accounts = [], 0
        for r, t in tables:
            if team not in t.index:
                cells.append(None)
                continue
            row = t.loc[team]
            accounts = max(accounts, int(row["accounts"]))
            digits = 2 if r.kind == "count" else 1
            pct = "%" if r.kind == "amount" else ""
            diff = f"{_signed(row['difference'], digits)}{pct}"
            interval = f"{_signed(row['low'], digits)} to {_signed(row['high'], digits)}"
            cells.append(TeamCell(float(row["difference"]), float(row["low"]), float(row["high"]),
                                  str(row["verdict"]), f"{diff} ({interval})"))
            if row["verdict"] != "as expected":
                unit = {"binary": " points", "amount": "", "count": " per 100 accounts"}[r.kind]
                takeaways.append(f"{team} is {row['verdict']} on {outcome_label(r.outcome)}: {diff}{unit} "
                                 f"(95% CI {interval}) across {int(row['accounts']):,} accounts.")
        rows.append(TeamRow(team, accounts, tuple(cells)))
    if not takeaways:
        takeaways.append("No team differs from what its own accounts and activity mix predict by more than chance "
                         "would explain: differences in results here come from the accounts, not the team.")
    return TeamsSection(TEAM_ATTRIBUTE, tuple(headers), tuple(rows), tuple(takeaways))


def _signed(value: float, digits: int) -> str:
    text = fmt(abs(value), digits)
    return ("+" if value >= 0 else "−") + text if text != "0" else "0"


def _plan_row(r, chosen: pd.DataFrame) -> PlanRow:
    """Realistic target from history and the change in the top driver a modest step is associated with."""
    label = _label(r.outcome)
    try:
        t = realistic_target(chosen, r.outcome, r.kind)  # last year's own change, continued
    except ModelError:
        return PlanRow(r.outcome, label, "no dated history", "n/a", "n/a", "No target without dated history.")
    if r.kind == "binary":
        last = f"{fmt(t['last_12_months'])}% {outcome_label(r.outcome)} (prior 12 months {fmt(t['prior_12_months'])}%)"
        target = f"{fmt(t['target'])}% ({_signed(100 * t['growth'], 1)} points, last year's change continued)"
    else:
        trend = f", {_signed(t['trend'], 1)}%" if pd.notna(t["trend"]) else ""
        cash = lambda v: money(v, r.currency, compact=True)  # noqa: E731
        last = f"{cash(t['last_12_months'])} (prior 12 months {cash(t['prior_12_months'])}{trend})"
        target = f"{cash(t['target'])} ({_signed(100 * t['growth'], 1)}%, last year's change continued)"
    drivers = _drivers(r)
    grain = _grain_of(r)
    if r.kind == "binary":
        goal, step = MODEST_STEP["binary"], f"+{fmt(MODEST_STEP['binary'])} points"
    elif r.kind == "amount":
        goal, step = MODEST_STEP["amount"], f"+{fmt(MODEST_STEP['amount'])}%"
    else:
        rate = 100 * float(r.frame.data[f"o_{r.outcome}"].mean()) if r.frame is not None else float("nan")
        goal = MODEST_STEP["count"] * rate
        step = f"+{fmt(100 * MODEST_STEP['count'])}% (+{fmt(goal, 2)} per 100 accounts a {grain})"
    if not drivers:
        return PlanRow(r.outcome, label, last, target, step, "No activity is a driver of this outcome, "
                       "so the data do not say which activity would move it.")
    top = max(drivers, key=lambda f: f.effect_typical.estimate)
    plan = plan_for_target(r, goal, [top.activity])
    if not plan["reachable"]:
        change = (f"Not reachable with {plural(top.label)} alone within a plausible change "
                  f"(up to 50 more per account a {grain}).")
    else:
        need = plan["change_per_account_per_period"]
        lo, hi = plan["range"]
        rng = f"{fmt(lo, 2)} to {fmt(hi, 2)}" if lo is not None and hi is not None else \
            f"{fmt(lo if lo is not None else hi, 2)} or more"
        total = need * r.n_accounts
        change = (f"About {fmt(need, 2)} more {plural(top.label)} per account a {grain} (range {rng}), "
                  f"about {compact_number(total)} more a {grain} across {r.n_accounts:,} accounts")
        hours = plan["hours_per_account_per_period"]
        change += f", about {compact_number(sum(hours.values()) * r.n_accounts)} hours." if hours else "."
    return PlanRow(r.outcome, label, last, target, step, change)


def _summary(results, volumes: dict[str, float]) -> Summary:
    total = sum(volumes.values()) or 1.0
    drivers, paying = [], verdicts.paying_anywhere(results)
    for r in results:
        every = _drivers(r)
        found = every[:MAX_DRIVERS_LISTED]
        if not any(f.judged for f in r.findings):
            why = "; ".join(r.notes) or "no activity could be judged"
            drivers.append(f"{_label(r.outcome)}: not analysed ({why}).")
            continue
        if not found:
            drivers.append(f"{_label(r.outcome)}: no activity clearly moves it.")
            continue
        for f in found:
            e = f.effect
            when = _per_phrase(r)
            share = 100 * volumes.get(f.activity, 0.0) / total
            extra = f"; returns flatten past {f.curve.knee}" if f.curve is not None and f.curve.knee is not None else ""
            drivers.append(f"{_label(r.outcome)} — {plural(f.label)}: "
                           f"{short_effect(r.kind, e.estimate)} per one more"
                           f"{(' ' + when) if when else ''}{_after(r)} ({_ci(r.kind, e.low, e.high)}){extra}; "
                           f"{share:.0f}% of logged activity.")
        if len(every) > len(found):
            more = every[len(found):]
            drivers.append(f"{_label(r.outcome)} — and {len(more)} more: "
                           f"{', '.join(plural(f.label) for f in more)}.")
    busy = []
    by_activity: dict[str, tuple[str, list[str]]] = {}
    for r in results:
        for f in r.findings:
            if f.judged and not f.is_driver:  # busy-work or worse; an activity not judged is neither
                by_activity.setdefault(f.activity, (f.label, []))[1].append(f.verdict)
    for activity, (label, found_verdicts) in sorted(by_activity.items(), key=lambda kv: (-volumes.get(kv[0], 0), kv[0])):
        if activity in paying:
            continue
        share = 100 * volumes.get(activity, 0.0) / total
        confounders = {verdicts.confounder(v) for v in found_verdicts} - {None}
        if verdicts.NEGATIVE in found_verdicts:
            why = "associated with worse outcomes once accounts are compared like with like"
        elif len(confounders) == 1 and all(verdicts.confounder(v) for v in found_verdicts):
            why = f"looks useful at first sight, but that comes from {next(iter(confounders))}"
        elif all(v == verdicts.NO_EFFECT for v in found_verdicts):
            why = "no association that matters with any outcome: the intervals rule out a sizeable effect"
        else:
            why = ("no clear association with any outcome; the data cannot rule out a modest one "
                   "(see each outcome's page)")
        busy.append(f"{plural(label).capitalize()}: {share:.0f}% of logged activity; {why}.")
        if len(busy) == MAX_BUSY_LISTED:
            break
    if not busy:
        busy.append("Every logged activity goes with at least one outcome." if paying else
                    "No logged activity could be analysed.")
    return Summary(tuple(drivers), tuple(busy), _recommendation(results))


def _recommendation(results) -> str:
    """The driver the data support best: most stable across resamples and time windows, then the smallest q."""
    candidates = []
    for r in results:
        boot = r.validation.get("bootstrap", {}).get("activities", {})
        stab = r.validation.get("stability", {})
        for f in _drivers(r):
            b = boot.get(f.activity, {}).get("share", 0.0)
            s = stab.get(f.activity, {})
            windows = s.get("driver_in", 0) / s["of"] if s.get("of") else 0.0
            candidates.append((-b, -windows, f.p_adjusted, r.outcome, f.activity, r, f, s, boot.get(f.activity, {})))
    if not candidates:
        return ("The data do not single out an activity to invest in: none is associated with an outcome once "
                "accounts are compared like with like. Keep logging and review again next quarter.")
    *_, r, f, s, b = min(candidates, key=lambda c: c[:5])
    e = f.effect
    when = _per_phrase(r)
    text = (f"Worth testing in a pilot: {plural(f.label)}. One more {f.label.lower()}{(' ' + when) if when else ''} "
            f"is associated with {_effect_phrase(r.kind, r.outcome, e.estimate, e.low, e.high, _grain_of(r))}"
            f"{_after(r)}")
    support = []
    if s.get("of"):
        support.append(f"a driver in {s['driver_in']} of {s['of']} time windows")
    if b.get("share") is not None and r.validation.get("bootstrap", {}).get("draws"):
        support.append(f"in {b.get('positive_and_significant', 0)} of {r.validation['bootstrap']['draws']} "
                       "resamples of accounts")
    text += f": the best-supported link in the data ({', '.join(support)})." if support else "."
    return text + (" An association, not proof of cause: the comparison holds account attributes and time fixed, "
                   "but not what reps know and the data do not (which accounts they choose to work harder). "
                   "Pilot it with some teams and compare with the rest.")


def _method(results, grain: str) -> tuple[str, ...]:
    controls = list(dict.fromkeys(c.replace(" (log)", "") for r in results for c in r.controls))
    if len(controls) > MAX_CONTROLS_NAMED:
        held = f"{len(controls)} account attributes ({', '.join(controls[:MAX_CONTROLS_NAMED - 1])} and others)"
    else:
        held = (", ".join(controls[:-1]) + " and " + controls[-1]) if len(controls) > 1 else "".join(controls)
    windows = " ".join(f"{_label(r.outcome)}: {r.window}." for r in results)
    within = [_label(r.outcome) for r in results if r.design == "per_period"]
    between = [r for r in results if r.design != "per_period"]
    compared = []
    if within:
        compared.append(f"Each account against itself ({', '.join(within)}): its months with more of an activity "
                        "against its months with less, the calendar month and its months as a customer held fixed.")
    if between:
        season = (", activity set against its season and the account's months as a customer"
                  if any(r.design == "events" for r in between) else "")
        compared.append(f"Accounts against accounts ({', '.join(_label(r.outcome) for r in between)}): more of an "
                        f"activity against less, holding {held + ', ' if held else ''}time and the other activities "
                        f"fixed{season}. A trait the data lack (engagement, say) could still explain these.")
    return (
        *compared,
        f"Time runs one way: only activity logged before an outcome, while the account is a customer, counts. "
        f"{windows}",
        "Verdicts: a driver's link survives those comparisons, with at most a 5% chance that any activity called "
        "a driver for an outcome is a fluke (Holm); a confounded one "
        "disappears once like is compared with like; 'no evidence' means the data cannot tell.",
        "Checked: on later data the models never saw, in four time windows and in 20 resamples of accounts. "
        f"Panel grain: {grain}.",
    )


def _caveats() -> tuple[str, ...]:
    return (
        "Associations, not proof of cause: activity was not assigned at random, so a deliberate change may not "
        "reproduce them.",
        "Only logged activity counts: work that never reaches the CRM is invisible here.",
        "Teams: compared with what their own accounts predict, never ranked by activity counts.",
        "Plans: ranges for planning, not promises; review them against results each quarter.",
    )


def _plain(value):
    """Engine JSON as plain Python values: numpy numbers unwrapped, NaN and infinities as None (so it compares)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, (date, pd.Timestamp)):
        return value.isoformat()
    return value


def _figure_json(fig) -> dict:
    """A Plotly figure as plain JSON values (no numpy), so content compares and serialises exactly, with its
    template named: in the dashboard's process the default is Streamlit's once a page has drawn a chart, whose
    placeholder colours and margins cut the deck's axis labels off."""
    return json.loads(fig.update_layout(template=figures.TEMPLATE).to_json())
