"""Analysis frames built from the marts, with time running one way: activity before outcome.

- per-period outcomes (amounts, counts): one row per account × period, activities at lags 1..K;
- yes/no outcome events: one row per event, activities summed over the W periods before it;
- undated (one-row-per-account) tables: activities and outcome in the same record.
Every frame records the rows it dropped and why (statsmodels would drop them silently).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import duckdb
import numpy as np
import pandas as pd

from pipelines.build import built_grain
from pipelines.db import table_exists
from pipelines.errors import NotLoadedError

PERIODS_PER_MONTH = {"week": 52 / 12, "month": 1.0, "quarter": 1 / 3}
WINDOW_MONTHS = 6  # yes/no events: activity counted over the six months before the event
MAX_LAG_MONTHS = 3  # per-period outcomes: activity at lags 1..3 months
DECAYS = (0.0, 0.5, 1.0)  # per-period outcomes: the carry-over tried, as the share of a stock left a month later
# (0: the month after only; 0.5: fading by half each month; 1: lasting)
REVERSE_WINDOW_MONTHS = 2  # lead/lag check: activity in the two months after the outcome
TENURE_MONTHS = 12  # per-period outcomes: months since the start held fixed up to here (see tenure_months)
CONTROL_MAX_LEVELS = 20  # a text attribute with more values is an identifier, not a control
CONTROL_MIN_COVERAGE = 0.9  # an attribute missing for more accounts than this is not used as a control
GROUPING_ATTRIBUTES = ("owner", "team", "account_owner", "rep", "account_name", "name")
TYPE_MIN_COVERAGE = 0.8  # an activity logged over less of the rows analysed than this is left out, not zero-filled
SKEW_FOR_LOG = 1.0  # positive numeric controls more skewed than this enter as log


@dataclass
class Controls:
    """Account attributes used as controls, and how each enters the model."""

    categorical: list[str] = field(default_factory=list)
    numeric: list[str] = field(default_factory=list)
    logged: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return self.categorical + self.numeric

    def label(self, name: str) -> str:
        """How a control reads in a sentence."""
        text = name.replace("_", " ")
        return f"{text} (log)" if name in self.logged else text


@dataclass
class Frame:
    """One outcome's analysis frame and what was dropped to build it."""

    outcome: str
    kind: str  # binary | amount | count
    design: str  # per_period | events | undated
    data: pd.DataFrame
    activities: list[str]  # activity keys (without n_)
    predictors: dict[str, list[str]]  # activity -> its predictor columns (one per lag, or one window total)
    lags: list[int]  # lag in periods for each predictor column (per_period), or [] otherwise
    measures: list[str]
    controls: Controls
    grain: str | None
    window_periods: int
    n_candidates: int
    dropped: dict[str, int] = field(default_factory=dict)
    post: dict[str, str] = field(default_factory=dict)  # activity -> column counted after the outcome
    unjudged: dict[str, str] = field(default_factory=dict)  # activity -> why it is left out (logged too briefly)
    stocks: dict[float, dict[str, str]] = field(default_factory=dict)  # per_period: decay per month -> activity ->
    # its stock column (activity carried over from earlier periods, fading by that share each month)
    decay: float | None = None  # per_period: the decay of the stocks the predictors are (None: the lags)
    _codes: tuple | None = field(default=None, repr=False, compare=False)  # (data, its account codes)

    @property
    def codes(self) -> np.ndarray:
        """account_codes(data), worked out once per data frame: every fit, curve and check clusters by it."""
        if self._codes is None or self._codes[0] is not self.data:
            self._codes = (self.data, account_codes(self.data))
        return self._codes[1]

    @property
    def terms(self) -> list[str]:
        """The adjusted model's terms: every activity's predictor columns, then the measures."""
        return [c for cols in self.predictors.values() for c in cols] + self.measures

    def with_stocks(self, decay: float) -> "Frame":
        """The frame with each activity's stock at this decay as its one predictor (per-period frames)."""
        return replace(self, predictors={a: [self.stocks[decay][a]] for a in self.predictors}, decay=decay)

    def stock_weight(self, decay: float | None = None) -> float:
        """How much a stock grows over the lags' window when its activity rises by one every period: the factor
        from one stock coefficient to the cumulative effect over the window (1 + d + d^2 + ..., d per period)."""
        decay = self.decay if decay is None else decay
        if decay is None:
            return 1.0
        d = per_period_decay(decay, self.grain)
        return float(sum(d ** k for k in range(self.window_periods)))

    @property
    def n_used(self) -> int:
        return len(self.data)

    @property
    def n_dropped(self) -> int:
        return sum(self.dropped.values())


def read_panel(con: duckdb.DuckDBPyConnection, columns: list[str] | None = None) -> pd.DataFrame:
    """The account × period panel mart (only the named columns, if given), with each row's customer phase.

    customer_phase is 'customer' inside the account's span (account_spans), 'before' it started, 'unseen'
    before the data that speak of it begin (it was a customer then, perhaps: unknown) and 'after' it left:
    the frames judge activities only on customer periods (see customer_periods).
    """
    select = "p.*" if columns is None else ", ".join('p."' + c.replace('"', '""') + '"' for c in columns)
    try:
        if not table_exists(con, "account_spans"):
            return con.execute(f"select {select} from account_periods p order by account_id, period_on").df()
        return con.execute(f"""
            select {select},
                   case when p.period_on is null then 'customer'
                        when s.started_on is not null and p.period_on < date_trunc($grain, s.started_on)
                             then case when s.start_unseen then 'unseen' else 'before' end
                        when s.ended_on is not null and p.period_on > date_trunc($grain, s.ended_on) then 'after'
                        else 'customer' end as customer_phase
            from account_periods p left join account_spans s on s.account_id = p.account_id
            order by p.account_id, p.period_on""", {"grain": built_grain(con) or "month"}).df()
    except duckdb.CatalogException as exc:
        raise NotLoadedError("no panel yet: load exports with 'payoff ingest' (or 'payoff demo') first") from exc


# Why a period is left out of per-period analyses: the account was not a customer then (account_spans).
OUTSIDE_REASONS = {"before": "before the account became a customer",
                   "unseen": "before the data on the account begin", "after": "after the account left"}


PERIOD_ORDER = {"day": 0, "week": 1, "month": 2, "quarter": 3}


def recorded_periods(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """The period each per-period export records its values by: (source, key) -> 'month', 'quarter' or 'day'.

    source is 'activity' (count exports), 'measure' or 'outcome' (amounts and counts; yes/no outcomes are
    events, dated by day). An export whose dates all fall on one day of the month (the 1st, the 15th, the
    month's last day) gives one value per month; if those months are also three apart, per quarter.
    """
    if not table_exists(con, "stg_outcomes"):
        return {}
    rows = con.execute("""
        with dated as (
            select 'activity' as source, activity_key as key, period_on as on_day from stg_activity_counts
            where period_on is not null
            union all
            select 'measure', measure_key, period_on from stg_activity_measures where period_on is not null
            union all
            select 'outcome', outcome_key, occurred_on from stg_outcomes
            where occurred_on is not null and outcome_kind <> 'binary'
        )
        select source, key,
               case when count(distinct case when on_day = last_day(on_day) then 0 else day(on_day) end) > 1
                        then 'day'
                    when count(distinct on_day) > 1 and count(distinct month(on_day) % 3) = 1 then 'quarter'
                    else 'month' end
        from dated
        group by source, key""").fetchall()
    return {(source, key): period for source, key, period in rows}


def coarser_than(con: duckdb.DuckDBPyConnection, grain: str) -> dict[tuple[str, str], str]:
    """The exports recorded by a longer period than the grain, (source, key) -> their period: a month's value
    set into weeks would sit in the week holding its first day, before most of what it counts happened."""
    return {k: period for k, period in recorded_periods(con).items() if PERIOD_ORDER[period] > PERIOD_ORDER[grain]}


def tenure_months(data: pd.DataFrame, codes: np.ndarray, grain: str) -> np.ndarray | None:
    """Each row's whole months since its account became a customer, up to TENURE_MONTHS (that many or more,
    or a customer already when the data on it begin, phase 'unseen' or none before: the same). None when no
    account starts inside the data.

    New accounts ramp up (spend grows over the first months) while onboarding brings a burst of calls,
    e-mails and trainings: compared within the account, activity is then high when spend is low, and
    every activity looks like it costs revenue (calls and e-mails came out 'negative' at q < 0.001 in a
    world with no such effect). The per-period models hold the months since the start fixed.
    """
    if "customer_phase" not in data:
        return None
    phase = data["customer_phase"].to_numpy()
    started_inside = pd.Series(phase == "before").groupby(codes).transform("any").to_numpy()
    if not started_inside.any():
        return None
    position = pd.Series(np.ones(len(data))).groupby(codes).cumsum().to_numpy()
    first = pd.Series(np.where(phase == "customer", position, np.inf)).groupby(codes).transform("min").to_numpy()
    months = np.floor((position - first) / PERIODS_PER_MONTH[grain])
    young = started_inside & (phase == "customer")
    # When no account seen from its start reaches TENURE_MONTHS here (a short export), the new accounts' level
    # and their months' multipliers trade off: any factor moved from one to the other fits as well (in an exact
    # 12-month world the new accounts came out 1.8 times as busy against the old ones as they were). The oldest
    # age seen is then taken as settled, the same as TENURE_MONTHS: onboarding is over by the end of the data.
    settled = min(TENURE_MONTHS, int(months[young].max())) if young.any() else TENURE_MONTHS
    return np.where(young & (months < settled), np.clip(months, 0, TENURE_MONTHS), TENURE_MONTHS)


def customer_periods(data: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The panel with activities, measures and outcomes unknown (NaN) outside each account's customer span,
    and the rows outside it by reason. Not zero: an account that has left gets no activity *and* buys nothing,
    which would make every activity look like it pays off."""
    if "customer_phase" not in data:
        return data, {}
    phase = data["customer_phase"].to_numpy()
    outside = {reason: phase == key for key, reason in OUTSIDE_REASONS.items() if (phase == key).any()}
    if not outside:
        return data, {}
    gone = np.logical_or.reduce(list(outside.values()))
    values = [c for c in data.columns if c.startswith(("n_", "m_", "o_"))]
    data = data.copy()
    data.loc[gone, values] = np.nan
    return data, outside


def analysis_columns(con: duckdb.DuckDBPyConnection, meta: pd.DataFrame, keep: tuple[str, ...] = ()) -> list[str] | None:
    """The panel columns a driver analysis uses, in the panel's order: keys, activities, measures, outcomes,
    the attributes choose_controls may take, and `keep` (attributes filtered on).

    Names, owners and the panel's flags are never a term or a control, and reading them as text costs more
    than the rest of the panel. None (every column) if there is no panel yet, so read_panel says so.
    """
    try:
        names = [row[0] for row in con.execute("select * from account_periods limit 0").description]
    except duckdb.CatalogException:
        return None
    candidates = {row.attribute_key for row in meta.itertuples()
                  if row.attribute_key not in GROUPING_ATTRIBUTES
                  and row.source_kinds is not None and set(row.source_kinds) & {"accounts", "wide"}}
    return [c for c in names if c in ("account_id", "period_on") or c.startswith(("n_", "m_", "o_"))
            or c in candidates or c in keep]


OUTCOME_KIND_ORDER = ("amount", "binary", "count")  # what leaders read first: money, then retention, then counts


def outcome_catalog(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each outcome with its kind, in the order every page, the command line and the deck show them: amounts
    (revenue) first, then yes/no outcomes (retention), then counts, each by name (none before the first build:
    a load refused as a whole builds nothing)."""
    if not table_exists(con, "outcome_types"):
        return pd.DataFrame(columns=["outcome_key", "outcome_kind", "n_rows"])
    catalog = con.execute("select outcome_key, outcome_kind, n_rows from outcome_types").df()
    rank = catalog["outcome_kind"].map({k: i for i, k in enumerate(OUTCOME_KIND_ORDER)}).fillna(len(OUTCOME_KIND_ORDER))
    return catalog.assign(_rank=rank).sort_values(["_rank", "outcome_key"]).drop(columns="_rank").reset_index(drop=True)


def activity_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Activity key -> the label people use ('business_review' -> 'Business Review')."""
    return dict(con.execute("select activity_key, activity_label from activity_types").fetchall())


def attribute_meta(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each attribute's type, coverage, number of values and the kinds of export it came from."""
    return con.execute("select attribute_key, is_numeric, n_accounts, n_distinct, source_kinds "
                       "from attribute_types order by attribute_key").df()  # stable control order


def choose_controls(meta: pd.DataFrame, panel: pd.DataFrame, outcome: str | None = None) -> Controls:
    """Account attributes that describe the account (segment, size, region), not its people or outcome.

    Attributes that only ride along in outcome or activity exports (a contract value in a
    renewals file) are left out: they may be measured with or after the outcome. Coverage is
    counted among the accounts this outcome was recorded for (all accounts without an outcome):
    attributes of an unrelated export, known for other accounts, would otherwise drop every row of
    this outcome. Amounts and counts are zero wherever nothing was recorded, so for them an account
    counts once it has a value other than zero.
    """
    controls = Controls()
    accounts = panel.drop_duplicates("account_id")
    col = f"o_{outcome}"
    if outcome is not None and col in panel:
        recorded = panel[col].notna() if f"{col}_n" in panel else panel[col].fillna(0).ne(0)  # _n: a yes/no outcome
        accounts = accounts[accounts["account_id"].isin(panel.loc[recorded, "account_id"].unique())]
    whose = "accounts with this outcome" if outcome is not None else "accounts"
    n_accounts = len(accounts) or 1
    for row in meta.itertuples():
        key = row.attribute_key
        kinds = set(row.source_kinds) if row.source_kinds is not None else set()
        if key in GROUPING_ATTRIBUTES:
            controls.skipped[key] = "a person or name, used to group, not to control"
        elif not kinds & {"accounts", "wide"}:
            controls.skipped[key] = "comes from an outcome or activity export, may be measured with the outcome"
        elif key not in panel.columns:
            controls.skipped[key] = "not in the panel"
        elif (known := int(accounts[key].notna().sum())) < CONTROL_MIN_COVERAGE * n_accounts:
            controls.skipped[key] = f"known for only {known:,} of the {n_accounts:,} {whose}"
        elif row.is_numeric:
            values = panel[key].dropna()
            if values.nunique() < 2:
                controls.skipped[key] = "the same for every account"
                continue
            controls.numeric.append(key)
            if (values > 0).all() and values.skew() > SKEW_FOR_LOG:
                controls.logged.append(key)
        elif 2 <= row.n_distinct <= CONTROL_MAX_LEVELS:
            controls.categorical.append(key)
        else:
            controls.skipped[key] = f"{row.n_distinct} distinct values"
    return controls


def _activity_columns(panel: pd.DataFrame) -> list[str]:
    return [c for c in panel.columns if c.startswith("n_") and panel[c].notna().any() and panel[c].fillna(0).std() > 0]


def _measure_columns(panel: pd.DataFrame) -> list[str]:
    return [c for c in panel.columns if c.startswith("m_") and panel[c].notna().any()]


def per_period_frame(panel: pd.DataFrame, outcome: str, kind: str, controls: Controls, grain: str,
                     max_lag_months: int = MAX_LAG_MONTHS) -> Frame:
    """Account × period rows of an amount or count outcome with activities at lags 1..K periods."""
    K = max(1, round(max_lag_months * PERIODS_PER_MONTH[grain]))
    lead = max(1, round(REVERSE_WINDOW_MONTHS * PERIODS_PER_MONTH[grain]))
    acts = _activity_columns(panel)
    measures = _measure_columns(panel)
    col = f"o_{outcome}"
    data = panel.sort_values(["account_id", "period_on"]).reset_index(drop=True)
    recorded = data[col].notna().to_numpy()  # before the periods outside customer spans are blanked
    data, outside = customer_periods(data)
    codes = account_codes(data)
    if (tenure := tenure_months(data, codes, grain)) is not None:
        data = data.assign(tenure_months=tenure)
    predictors: dict[str, list[str]] = {}
    new_cols: dict[str, np.ndarray] = {}
    post = {}
    stocks: dict[float, dict[str, str]] = {d: {} for d in DECAYS}
    for a in acts:
        key = a[2:]
        values = _floats(data[a])
        predictors[key] = []
        for k in range(1, K + 1):
            name = f"{a}__lag{k}"
            new_cols[name] = shift_within(values, codes, k)
            predictors[key].append(name)
        for i, d in enumerate(DECAYS):
            if d == 0:  # only the period before: the first lag
                stocks[d][key] = predictors[key][0]
            else:
                stocks[d][key] = f"{a}__stock{i}"
                new_cols[stocks[d][key]] = stock(values, codes, per_period_decay(d, grain))
        post[key] = f"{a}__lead"
        new_cols[post[key]] = sum(shift_within(values, codes, -j) for j in range(1, lead + 1))
    for m in measures:
        new_cols[f"{m}__lag1"] = shift_within(_floats(data[m]), codes, 1)
    lags = list(range(1, K + 1))
    # each reason is counted on the rows left by the ones before it; the rows are taken once, at the end
    keep = recorded.copy()
    n_candidates = int(keep.sum())
    dropped: dict[str, int] = {}
    for reason, rows_out in outside.items():
        if (rows_out & keep).any():
            dropped[reason] = int((rows_out & keep).sum())
        keep &= ~rows_out
    known = {key: ~np.logical_or.reduce([np.isnan(new_cols[c]) for c in cols]) for key, cols in predictors.items()}
    unjudged = _logged_too_briefly(data, known, keep)
    for key in unjudged:
        for c in predictors.pop(key):
            del new_cols[c]
        del new_cols[post.pop(key)]
        for d in DECAYS:
            if (stocked := stocks[d].pop(key)) in new_cols:
                del new_cols[stocked]
    no_history = keep & ~np.logical_and.reduce([known[key] for key in predictors]) if predictors else keep & False
    if no_history.any():
        dropped["no activity history for lag 1" if K == 1 else f"no activity history for lags 1-{K}"] = \
            int(no_history.sum())
    keep = keep & ~no_history
    if kind == "amount":
        nonpos = (data[col] <= 0).to_numpy(dtype=bool, na_value=False) & keep
        if nonpos.any():
            dropped["zero or negative amount (no spend that period)"] = int(nonpos.sum())
        keep = keep & ~nonpos
    keep = keep & ~_missing_controls(data, controls, keep, dropped)
    rows = np.flatnonzero(keep)
    lagged = np.empty((len(new_cols), len(rows)))  # the new columns as one block, which pandas keeps uncopied
    for i, values in enumerate(new_cols.values()):
        np.take(values, rows, out=lagged[i])
    lagged = pd.DataFrame(lagged.T, columns=list(new_cols), copy=False)
    data = pd.concat([data.take(rows).reset_index(drop=True), lagged], axis=1)
    measure_cols = [f"{m}__lag1" for m in measures if data[f"{m}__lag1"].notna().mean() >= CONTROL_MIN_COVERAGE]
    for m in measure_cols:
        data[m] = data[m].fillna(data[m].mean())
    return Frame(outcome, kind, "per_period", data, list(predictors), predictors, lags,
                 measure_cols, controls, grain, K, n_candidates, dropped, post, unjudged, stocks)


def _logged_too_briefly(data: pd.DataFrame, known: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, str]:
    """Activities whose history is known for too few of the rows (a type first logged late in the span):
    each with the reason. Unknown is not zero, and judging the others only where such a type is known
    would throw most rows away. Counted among the rows where some activity's history is known."""
    some = rows & np.logical_or.reduce(list(known.values())) if known else rows
    n = int(some.sum())
    out = {}
    for key, ok in known.items():
        share = (ok & some).sum() / n if n else 0.0
        if n and share < TYPE_MIN_COVERAGE:
            logged = data.loc[data[f"n_{key}"].notna(), "period_on"]
            lo, hi = (f"{logged.min():%b %Y}", f"{logged.max():%b %Y}") if len(logged) else ("", "")
            span = f" (logged in {lo} only)" if lo == hi else f" (logged {lo} to {hi})"
            cover = "none" if share == 0 else f"only {share:.0%}"
            out[key] = (f"its data cover {cover} of the rows analysed{span if lo else ''}: too little to judge it; "
                        "periods without its data are unknown, not zero")
    return out


def judged_within(frame: Frame) -> bool:
    """Whether the frame's activities are judged within accounts (each account against its own other periods),
    as per-period amounts and counts are: the one place that says so."""
    return frame.design == "per_period" and frame.kind in ("amount", "count")


def per_period_decay(decay_per_month: float, grain: str | None) -> float:
    """A monthly decay at the panel's grain (0.5 a month is about 0.85 a week)."""
    if decay_per_month in (0.0, 1.0):
        return decay_per_month
    return float(decay_per_month ** (1 / PERIODS_PER_MONTH.get(grain or "month", 1.0)))


def stock(values: np.ndarray, codes: np.ndarray, decay: float) -> np.ndarray:
    """Each row's stock of the activity: its count in the period before, plus decay times the stock then
    (the geometric carry-over of marketing-mix models), within the account; unknown periods count 0.

    Within accounts, a lasting stock's unknown history (before the data begin, or before a type was logged)
    adds the same amount to every row of an account, which the account's own effect absorbs; a fading one's
    is gone after a few periods.
    """
    v = np.nan_to_num(values)
    if decay == 1.0:
        running = np.cumsum(v)
    else:
        from scipy import signal  # here: importing scipy.signal takes a second that pages reading a stored analysis
        # need not pay

        running = signal.lfilter([1.0], [1.0, -decay], v)
    if len(running):
        first = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])  # each account's first row
        lengths = np.diff(np.r_[first, len(codes)])
        carried_in = np.r_[0.0, running[first[1:] - 1]]  # what the account before left in the running stock
        steps = np.arange(len(codes)) - np.repeat(first, lengths) + 1  # 1 at each account's first row
        running = running - np.repeat(carried_in, lengths) * (decay ** steps if decay != 1.0 else 1.0)
    return np.nan_to_num(shift_within(running, codes, 1))


def shift_within(values: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    """Each row's value k rows earlier (k < 0: -k rows later) in the same account, NaN past the account's
    first (last) row: a grouped shift(k), for rows sorted so each account's rows are together.

    Array slices instead of pandas' grouped shift, which costs seconds per column on large panels.
    """
    n, m = len(values), abs(k)
    out = np.full(n, np.nan)
    if m >= n:
        return out
    if k == 0:
        out[:] = values
        return out
    dst, src = (slice(m, None), slice(None, n - m)) if k > 0 else (slice(None, n - m), slice(m, None))
    np.copyto(out[dst], values[src], where=(codes[dst] == codes[src]) & (codes[dst] >= 0))
    return out


def shift_at(values: np.ndarray, codes: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    """shift_within(values, codes, k) at the given rows only (NaN where a row is -1: none)."""
    src = rows - k
    ok = (rows >= 0) & (src >= 0) & (src < len(values))
    ok[ok] = (codes[src[ok]] == codes[rows[ok]]) & (codes[rows[ok]] >= 0)
    out = np.full(len(rows), np.nan)
    out[ok] = values[src[ok]]
    return out


def _floats(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype=float, na_value=np.nan)


def read_events(con: duckdb.DuckDBPyConnection, outcome: str, grain: str) -> pd.DataFrame:
    """A yes/no outcome's events with the period each falls in."""
    return con.execute(
        "select account_id, date_trunc(?, occurred_on)::date as period_on, occurred_on, is_yes "
        "from outcome_events where outcome_key = ? order by account_id, occurred_on", [grain, outcome]).df()


def event_frame(panel: pd.DataFrame, events: pd.DataFrame, outcome: str, controls: Controls, grain: str,
                window_months: int = WINDOW_MONTHS) -> Frame:
    """One row per yes/no event with activity summed over the W periods strictly before its period.

    events: account_id, period_on (the event's period at the panel grain), occurred_on, is_yes.
    """
    W = max(1, round(window_months * PERIODS_PER_MONTH[grain]))
    after = max(1, round(REVERSE_WINDOW_MONTHS * PERIODS_PER_MONTH[grain]))
    acts = _activity_columns(panel)
    measures = _measure_columns(panel)
    phase = ["customer_phase"] if "customer_phase" in panel else []
    data = panel[["account_id", "period_on", *acts, *measures, *phase]].sort_values(["account_id", "period_on"])
    data, outside = customer_periods(data.reset_index(drop=True))  # windows never reach outside a customer's span
    codes = account_codes(data)
    data = relative_to_season(data, acts, grain, codes)
    # each event's panel row (-1 if none): its windows are worked out at those rows only
    keys = data[["account_id", "period_on"]].assign(_row=np.arange(len(data)))
    merged = events.merge(keys, on=["account_id", "period_on"], how="left")
    rows = merged.pop("_row").fillna(-1).to_numpy(dtype=np.int64)
    windows = {}
    for a in acts:
        values = _floats(data[a])
        lags = [shift_at(values, codes, rows, k) for k in range(1, W + 1)]
        # the window total is the lags' sum: missing if any period is (a grouped rolling sum does the same, slowly)
        windows[f"{a}__window"] = sum(lags[1:], lags[0])
        for k, lagged in enumerate(lags, 1):
            windows[f"{a}__lag{k}"] = lagged
        windows[f"{a}__after"] = sum(shift_at(values, codes, rows, -j) for j in range(1, after + 1))
    if measures:
        groups = data.groupby("account_id", sort=False)
        for m in measures:
            shifted = groups[m].shift(1)
            mean = shifted.groupby(data["account_id"]).rolling(W, min_periods=1).mean().reset_index(level=0, drop=True)
            windows[f"{m}__window"] = shift_at(_floats(mean.reindex(data.index)), codes, rows, 0)
    merged = pd.concat([merged, pd.DataFrame(windows, index=merged.index)], axis=1)
    if controls.names:
        attrs = panel.drop_duplicates("account_id").set_index("account_id")[controls.names]
        merged = merged.merge(attrs, left_on="account_id", right_index=True, how="left")
    n_candidates = len(merged)
    dropped: dict[str, int] = {}
    for reason, rows_out in outside.items():  # an event in a period the account was not a customer
        at = np.zeros(len(merged), dtype=bool)
        at[rows >= 0] = rows_out[rows[rows >= 0]]
        if at.any():
            dropped[reason] = int(at.sum())
            merged = merged[~at]
            rows = rows[~at]
    unknown = merged["is_yes"].isna()
    known = {a[2:]: merged[f"{a}__window"].notna().to_numpy() for a in acts}
    unjudged = _logged_too_briefly(data, known, ~unknown.to_numpy())
    acts = [a for a in acts if a[2:] not in unjudged]
    window_cols = [f"{a}__window" for a in acts]
    no_history = merged[window_cols].isna().any(axis=1) & ~unknown
    if no_history.any():
        dropped[f"less than {window_months} months of activity history before the event"] = int(no_history.sum())
    merged = merged[~no_history & ~unknown]
    merged, dropped = _drop_missing_controls(merged, controls, dropped)
    measure_cols = [f"{m}__window" for m in measures if merged[f"{m}__window"].notna().mean() >= CONTROL_MIN_COVERAGE]
    merged = merged.copy()
    for m in measure_cols:
        merged[m] = merged[m].fillna(merged[m].mean())
    merged["y"] = merged["is_yes"].astype(float)
    predictors = {a[2:]: [f"{a}__window"] for a in acts}
    post = {a[2:]: f"{a}__after" for a in acts}
    return Frame(outcome, "binary", "events", merged.reset_index(drop=True), [a[2:] for a in acts], predictors,
                 list(range(1, W + 1)), measure_cols, controls, grain, W, n_candidates, dropped, post, unjudged)


def relative_to_season(data: pd.DataFrame, acts: list[str], grain: str,
                       codes: np.ndarray | None = None) -> pd.DataFrame:
    """Each period's activity scaled to its season and to the account's months as a customer.

    Yes/no events are compared across calendar time and across accounts' lives: renewals bunch at
    anniversaries and fiscal years while churns fall any time, activity has seasons (a Q4 push, a summer
    lull), and a new account's first months bring a burst of onboarding. Raw, a renewal's window then holds
    more activity than a churn's (or less, when the churn came soon after onboarding) for every activity,
    whatever it does: with a Q4 push and January renewals 32% of the no-effect activities were renewal
    'drivers'. Each row's activity is divided by its period's and its age's multiplier (tenure_months),
    estimated beside each account's own level (season_multipliers), and brought back to the overall level:
    an account's activity is compared with what customers got in the same periods and at the same age, so
    counts still read as counts and none stays none. data: the panel with activity unknown (NaN) outside
    customer spans, which stays unknown; codes: its account_codes, if worked out already.
    """
    if not acts or data.empty:
        return data
    codes = account_codes(data) if codes is None else codes
    groupings = [pd.factorize(data["period_on"])[0]]
    tenure = tenure_months(data, codes, grain)
    if tenure is not None:
        groupings.append(pd.factorize(tenure)[0])
    scaled = {}
    for a in acts:
        values = data[a].to_numpy(dtype=float)
        multiplier = season_multipliers(values, codes, groupings)
        usable = np.isfinite(multiplier) & (multiplier > 0)  # a period or age with none: as is
        known = usable & ~np.isnan(values)
        total = values[known].sum()
        if total <= 0:
            scaled[a] = values
            continue
        level = total / (values[known] / multiplier[known]).sum()  # the scaled activity sums to the raw
        scaled[a] = np.where(usable, values * level / np.where(usable, multiplier, 1.0), values)
    return data.assign(**scaled)


def season_multipliers(values: np.ndarray, accounts: np.ndarray, groupings: list[np.ndarray],
                       rounds: int = 100, tolerance: float = 1e-9) -> np.ndarray:
    """Each row's multiplier for its groups (period, months as a customer), fitted beside each account's
    own level: activity ≈ level(account) × m(period) × m(age), the Poisson fixed-effects fit. Plain group
    averages would mix accounts into the groups: where busy accounts are the young ones (or the ones present
    in one season), the age multiplier takes the accounts' levels with it, and every young account's activity
    is scaled down (a churn flag then reads e-mails as keeping customers, q 3e-5, in a world where they do
    nothing).

    Solved by Newton's method on the likelihood given each account's total (the levels profiled out: each
    account's activity shared among its rows in proportion to their multipliers). Raking (each factor in turn
    set to its groups' activity over what the others predict) reaches the same maximum, but where the ages
    are tied to the old accounts' level by few rows (a short export) it creeps along that tie: after 200
    rounds the onboarding months' multiplier stood at 2.5 where it was 3. Unknown (NaN) rows are skipped; 0
    where a row's group has no activity (none is scaled to none)."""
    known = ~np.isnan(values)
    sizes = [int(g.max()) + 1 if len(g) else 0 for g in groupings]
    active = [np.bincount(g[known], values[known], size) > 0 for g, size in zip(groupings, sizes)]
    offsets = np.cumsum([0] + sizes)
    multiplier = np.ones(len(values))
    fitted = known & np.logical_and.reduce([a[g] for a, g in zip(active, groupings)])
    # an account with none of it, or seen in one period only, says nothing about the multipliers (its rows'
    # shares of its total are fixed): left out of the fit, which it would only slow down
    rows_per_account = np.bincount(accounts[fitted], minlength=int(accounts.max()) + 1 if len(accounts) else 0)
    total_per_account = np.bincount(accounts[fitted], values[fitted], len(rows_per_account))
    fitted &= (rows_per_account[accounts] > 1) & (total_per_account[accounts] > 0)
    if fitted.any():
        theta = _log_multipliers(values[fitted], accounts[fitted], [g[fitted] for g in groupings], offsets,
                                 rounds, tolerance)
        multiplier = np.exp(sum(theta[off + g] for off, g in zip(offsets, groupings)))
    for a, g in zip(active, groupings):
        multiplier[~a[g]] = 0.0
    return multiplier


def _log_multipliers(v: np.ndarray, accounts: np.ndarray, groupings: list[np.ndarray], offsets: np.ndarray,
                     rounds: int, tolerance: float) -> np.ndarray:
    """The groups' log multipliers (one vector, each grouping at its offset) maximising Σ v log share, where a
    row's share is exp(its groups' sum) over its account's total of those: the Poisson fixed-effects fit with
    the account levels profiled out. A direction the data leave open (a shift shared by all of one grouping's
    groups, which the levels absorb) gets no step."""
    codes, uniques = pd.factorize(accounts)
    n_accounts, k = len(uniques), int(offsets[-1])
    totals = np.bincount(codes, v, n_accounts)
    columns = [off + g for off, g in zip(offsets, groupings)]  # each row's column in each grouping
    # accounts in blocks, so the per-account sums (accounts × groups, dense) stay small at any size
    per_block = max(1, 2_000_000 // max(k, 1))
    blocks = [(lo, min(lo + per_block, n_accounts)) for lo in range(0, n_accounts, per_block)]
    in_block = np.searchsorted([hi for _, hi in blocks], codes, side="right")
    block_rows = [np.flatnonzero(in_block == b) for b in range(len(blocks))] if len(blocks) > 1 else [None]

    def shares(theta: np.ndarray) -> np.ndarray:
        eta = sum(theta[c] for c in columns)
        e = np.exp(eta - eta.max())
        return e / np.bincount(codes, e, n_accounts)[codes]

    positive = v > 0
    v_positive = v[positive]

    def loglik(share: np.ndarray) -> float:
        return float(np.sum(v_positive * np.log(share[positive])))

    pairs = [ci * k + cj for ci in columns for cj in columns]  # each row's cells of x xᵀ
    theta = np.zeros(k)
    share = shares(theta)
    ll = loglik(share)
    for _ in range(rounds):
        expected = totals[codes] * share
        gradient = sum(np.bincount(c, v - expected, k) for c in columns)
        information = np.zeros((k, k))
        for pair in pairs:  # Σ expected x xᵀ over rows (x: the row's groups, one in each grouping)
            information += np.bincount(pair, expected, k * k).reshape(k, k)
        for (lo, hi), rows in zip(blocks, block_rows):  # less Σ over accounts of (Σ expected x)(Σ expected x)ᵀ / total
            r = slice(None) if rows is None else rows
            local = codes[r] - lo
            sums = np.zeros(((hi - lo) * k,))
            for c in columns:
                sums += np.bincount(local * k + c[r], expected[r], (hi - lo) * k)
            sums = sums.reshape(hi - lo, k)
            weight = np.divide(1.0, totals[lo:hi], out=np.zeros(hi - lo), where=totals[lo:hi] > 0)
            information -= sums.T @ (sums * weight[:, None])
        step = np.linalg.lstsq(information, gradient, rcond=1e-10)[0]
        for _ in range(40):  # halved until the likelihood does not fall
            trial = theta + step
            trial_share = shares(trial)
            trial_ll = loglik(trial_share)
            if trial_ll >= ll - 1e-12 * abs(ll):
                break
            step = step / 2
        theta, share, ll = trial, trial_share, trial_ll
        if np.max(np.abs(step), initial=0.0) < tolerance:
            break
    return theta


def undated_frame(panel: pd.DataFrame, outcome: str, kind: str, controls: Controls, grain: str | None = None) -> Frame:
    """One-row-per-account outcomes with no date: activities and outcome recorded in the same row, or (grain
    given, the row holding no activity of its own) each account's activity per period while a customer from
    the dated rows (activity_per_period). Either way no time order is known."""
    data = panel[panel["period_on"].isna()].copy()
    acts = [c for c in _activity_columns(data)]
    col = f"o_{outcome}"
    n_candidates = len(data)
    dropped: dict[str, int] = {}
    missing = data[col].isna()
    if missing.any():
        dropped["no value of the outcome"] = int(missing.sum())
    data = data[~missing]
    unjudged: dict[str, str] = {}
    rates = None
    if not acts and grain is not None:  # the row holds no activity: the dated rows may
        dated = panel[panel["period_on"].notna()]
        rates = activity_per_period(dated, grain) if len(dated) else None
    # only where some of the outcome's accounts have activity logged (an unrelated export's have none)
    per_period = rates is not None and data["account_id"].isin(rates.index[(rates.fillna(0) != 0).any(axis=1)]).any()
    if per_period:
        acts = list(rates.columns)
        data = data.drop(columns=acts).join(rates, on="account_id")
        known = {a[2:]: data[a].notna().to_numpy() for a in acts}
        unjudged = _logged_too_briefly(dated, known, np.ones(len(data), dtype=bool))
        acts = [a for a in acts if a[2:] not in unjudged]
    missing_act = data[acts].isna().any(axis=1)
    if missing_act.any():
        dropped["no activity data while a customer" if per_period else "an activity count is missing"] = int(
            missing_act.sum())
    data = data[~missing_act]
    if kind == "amount":
        nonpos = data[col] <= 0
        if nonpos.any():
            dropped["zero or negative amount"] = int(nonpos.sum())
        data = data[~nonpos]
    data, dropped = _drop_missing_controls(data, controls, dropped)
    if kind == "binary":
        data["y"] = data[col].astype(float)
    predictors = {a[2:]: [a] for a in acts}
    return Frame(outcome, kind, "undated", data.reset_index(drop=True), [a[2:] for a in acts], predictors, [],
                 [], controls, grain if per_period else None, 0, n_candidates, dropped, {}, unjudged)


def activity_per_period(dated: pd.DataFrame, grain: str) -> pd.DataFrame:
    """Each account's average activity per period while a customer, by account_id: what an outcome recorded
    once per account without a date ('churned: yes') is compared with when activity is logged by date.

    An average over the account's customer periods, not a total: an account that left early would otherwise
    have less of everything for having fewer months, and every activity would look like it keeps customers.
    Scaled first to the season and the account's age (relative_to_season), so months that fell in a Q4 push
    or in onboarding make no account look busier. Unknown periods (outside the span, or before a type was
    logged) are skipped; an account with no customer period has none (NaN).
    """
    acts = _activity_columns(dated)
    phase = ["customer_phase"] if "customer_phase" in dated else []
    data = dated[["account_id", "period_on", *acts, *phase]].sort_values(["account_id", "period_on"])
    data, _ = customer_periods(data.reset_index(drop=True))
    data = relative_to_season(data, acts, grain)
    return data.groupby("account_id", sort=False)[acts].mean()


def _drop_missing_controls(data: pd.DataFrame, controls: Controls, dropped: dict) -> tuple[pd.DataFrame, dict]:
    missing = _missing_controls(data, controls, np.ones(len(data), dtype=bool), dropped)
    return (data[~missing], dropped) if missing.any() else (data, dropped)


def _missing_controls(data: pd.DataFrame, controls: Controls, candidates: np.ndarray, dropped: dict) -> np.ndarray:
    """Which of the candidate rows miss an account attribute used as a control (counted in dropped)."""
    if not controls.names:
        return np.zeros(len(data), dtype=bool)
    missing = data[controls.names].isna().any(axis=1).to_numpy() & candidates
    if missing.any():
        dropped["an account attribute used as a control is missing"] = int(missing.sum())
    return missing


def frame_for(con: duckdb.DuckDBPyConnection, panel: pd.DataFrame, outcome: str, kind: str,
              controls: Controls, filters=None) -> Frame:
    """The right frame for an outcome: events, per-period lags, or undated rows (after filters).

    Lags and windows are computed on the whole history first, so filtering to recent periods
    still counts the activity that came before them.
    """
    grain = built_grain(con) or "month"
    dated = panel["period_on"].notna().any()
    undated_values = panel.loc[panel["period_on"].isna(), f"o_{outcome}"].notna().any() if f"o_{outcome}" in panel else False
    if undated_values or not dated:
        return without_constant_controls(undated_frame(filters.apply(panel) if filters is not None else panel,
                                                       outcome, kind, controls, grain if dated else None))
    if kind == "binary":
        events = read_events(con, outcome, grain)
        if filters is not None and filters.active:
            events = filters.apply_events(events, panel)
        return without_constant_controls(event_frame(panel, events, outcome, controls, grain))
    if filters is not None and filters.active:  # the accounts first (their drops are counted), the dates after:
        panel = panel[filters.accounts(panel)]  # lags still reach back before the first date shown
    frame = per_period_frame(panel, outcome, kind, controls, grain)
    if filters is not None and filters.active:
        frame.data = filters.apply(frame.data).reset_index(drop=True)
    return without_constant_controls(frame)


def without_constant_controls(frame: Frame) -> Frame:
    """The frame without the controls that are the same in every row it keeps (a filter to one segment makes
    segment one), each listed among the skipped with the reason: a constant explains nothing."""
    data, controls = frame.data, frame.controls
    constant = [c for c in controls.names if c in data and data[c].nunique(dropna=False) <= 1]
    if not constant:
        return frame
    frame.controls = Controls(
        categorical=[c for c in controls.categorical if c not in constant],
        numeric=[c for c in controls.numeric if c not in constant],
        logged=[c for c in controls.logged if c not in constant],
        skipped={**controls.skipped, **{c: "the same for every row analysed (as the filters leave them)"
                                        for c in constant}})
    return frame


def response(frame: Frame, data: pd.DataFrame | None = None) -> np.ndarray:
    """The model's outcome for a frame's rows (or a subset): yes/no as 0/1, amounts as logs, counts as is."""
    data = frame.data if data is None else data
    if frame.kind == "binary":
        return data["y"].to_numpy(dtype=float)
    values = data[f"o_{frame.outcome}"].to_numpy(dtype=float)
    return np.log(values) if frame.kind == "amount" else values


def account_codes(data: pd.DataFrame) -> np.ndarray:
    """Each row's account as an integer (cheaper to group and cluster by than the id strings)."""
    return pd.factorize(data["account_id"])[0]


def typical_change(values: pd.Series) -> float:
    """A 'typical change' in an activity: its standard deviation rounded to one significant figure, at least 1."""
    sd = float(np.nanstd(values.to_numpy(dtype=float)))
    if not np.isfinite(sd) or sd <= 1:
        return 1.0
    magnitude = 10 ** np.floor(np.log10(sd))
    return float(round(sd / magnitude) * magnitude)
