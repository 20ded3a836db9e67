"""Model fits on arrays with cluster-robust (by account) errors, and effects in business units.

Kinds: logistic for yes/no outcomes, log-linear OLS for amounts (optionally within-account),
Poisson for counts. Designs are plain numpy arrays (formulas cost seconds on large panels), and
the fits are direct least squares / Newton steps with a cluster sandwich: statsmodels gives the
same numbers (the tests compare against it) but spends most of its time in overhead here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import linalg, sparse, special, stats

from pipelines.errors import ModelError
from pipelines.stats.frames import Controls

Z95 = stats.norm.ppf(0.975)
MIN_ROWS = 30  # fewer rows than this: no model is fitted
MIN_CLUSTERS = 10  # cluster-robust errors need enough accounts
MIN_JUDGE_ACCOUNTS = 30  # fewer accounts informing a fit: its intervals are not trusted to judge an activity
MIN_RESIDUAL_DF = 10  # rows beyond the number of terms, or the fit says nothing
RANK_TOL = 1e-9  # relative pivot size below which a design column is collinear and dropped
NEWTON_MAX_ITER = 50  # Newton's method converges in under 10 steps on ordinary data
NEWTON_TOL = 1e-8  # largest coefficient step at convergence
ETA_LIMIT = 30.0  # clip the linear predictor so exp() cannot overflow during early steps
GRAM_BLOCK_ROWS = 16_384  # rows per block when forming X'WX: a block of a wide design still fits in cache
FILL_BLOCK_ROWS = 8_192  # rows per block when filling a design column by column

# effects in business units, per outcome kind: the one definition of each unit
UNITS = {"binary": "percentage points", "amount": "% change", "count": "per 100 accounts per period"}
WITHIN_COUNT = "count_within"  # the fit kind of a count by Poisson within accounts (conditional on each total)
# the outcome kind each kind of fit estimates (a within fit of a count still speaks of the count)
OUTCOME_KIND = {"binary": "binary", "amount": "amount", "count": "count", WITHIN_COUNT: "count"}


@dataclass
class Fit:
    """A fitted model: coefficients, cluster-robust covariance, and what it was fitted on."""

    kind: str
    names: list[str]
    params: np.ndarray
    cov: np.ndarray
    n: int
    n_clusters: int
    X: np.ndarray
    y: np.ndarray
    llf: float
    within: bool = False
    mean_rate: float | None = None  # WITHIN_COUNT: the outcome's mean per row, which turns log-rates into counts

    def index(self, name: str) -> int | None:
        try:
            return self.names.index(name)
        except ValueError:
            return None

    def coef(self, name: str) -> float:
        i = self.index(name)
        return float(self.params[i]) if i is not None else float("nan")

    def se(self, name: str) -> float:
        """The standard error; NaN when the term is absent or its variance is not positive (a
        near-singular sandwich can round below zero), so no interval is made from it."""
        i = self.index(name)
        variance = float(self.cov[i, i]) if i is not None else float("nan")
        return float(np.sqrt(variance)) if variance > 0 else float("nan")

    @property
    def df(self) -> int:
        """Degrees of freedom of its tests: accounts less one. A clustered covariance rests on one score per
        account, so with few accounts t (and F) with G - 1 degrees of freedom, not the normal, give honest
        p-values and intervals (Cameron and Miller 2015); with many, the two agree."""
        return max(self.n_clusters - 1, 1)

    @property
    def critical(self) -> float:
        """The multiplier of a standard error for a 95% interval: t(0.975, G - 1)."""
        return float(stats.t.ppf(0.975, self.df))

    def z(self, name: str) -> float:
        se = self.se(name)
        return self.coef(name) / se if se and np.isfinite(se) and se > 0 else float("nan")

    def p(self, name: str) -> float:
        """Two-sided p-value of one coefficient, from t with G - 1 degrees of freedom."""
        return self.sum_p([name])

    def sum_of(self, names: list[str]) -> tuple[float, float]:
        """The sum of these coefficients and its standard error (NaN if none is in the fit)."""
        idx = [i for i in (self.index(n) for n in names) if i is not None]
        if not idx:
            return float("nan"), float("nan")
        variance = float(self.cov[np.ix_(idx, idx)].sum())
        return float(self.params[idx].sum()), (float(np.sqrt(variance)) if variance > 0 else float("nan"))

    def sum_p(self, names: list[str]) -> float:
        """Two-sided p-value that the sum of these coefficients is zero (t with G - 1 degrees of freedom): the
        test of a cumulative effect over lags, which is the effect stated."""
        b, se = self.sum_of(names)
        return float(2 * stats.t.sf(abs(b / se), self.df)) if np.isfinite(se) and se > 0 else float("nan")

    def wald_p(self, names: list[str]) -> float:
        """Joint test that all these coefficients are zero: F(q, G - 1) with the cluster-robust covariance."""
        idx = [i for i in (self.index(n) for n in names) if i is not None]
        if not idx:
            return float("nan")
        b = self.params[idx]
        V = self.cov[np.ix_(idx, idx)]
        try:
            stat = float(b @ np.linalg.solve(V, b))
        except np.linalg.LinAlgError:
            return float("nan")
        return float(stats.f.sf(stat / len(idx), len(idx), self.df))

    def linear_predictor(self) -> np.ndarray:
        return self.X @ self.params

    @cached_property
    def slopes(self) -> tuple[float, np.ndarray]:
        """Mean of dμ/dη over the rows, and the column means of X · d²μ/dη² (shared by every term's effect)."""
        mu = self.mean_response()
        w, dw = (mu * (1 - mu), mu * (1 - mu) * (1 - 2 * mu)) if self.kind == "binary" else (mu, mu)
        return float(w.mean()), self.X.T @ dw / len(dw)

    @cached_property
    def residual_sd(self) -> float:
        """The root mean squared residual on the model's scale (once per fit: every activity's E-value uses it)."""
        return float(np.sqrt(np.mean((self.y - self.linear_predictor()) ** 2)))

    def mean_response(self) -> np.ndarray:
        eta = np.clip(self.linear_predictor(), -ETA_LIMIT, ETA_LIMIT)
        if self.kind == "binary":
            return 1 / (1 + np.exp(-eta))
        if self.kind == "count":
            return np.exp(eta)
        return eta


def design(data: pd.DataFrame, terms: list[str], controls: Controls | None, *, time: str | None = None,
           trend: bool = False) -> tuple[np.ndarray, list[str]]:
    """Intercept, the terms as given, controls (dummies for categories, log for skewed sizes), time.

    time='period' adds one dummy per period (drop first), and per month since the account's start when the
    data have them; trend=True a linear time trend instead.
    """
    blocks: list[tuple[str, object]] = [("const", None)]
    dummies: list[tuple[int, np.ndarray, int]] = []  # (first column, level codes, number of columns) per block

    def add_dummies(values: pd.Series, prefix: str) -> None:
        codes, names = _dummy_levels(values, prefix)
        dummies.append((len(blocks), codes, len(names)))
        blocks.extend((name, _DUMMY) for name in names)

    for t in terms:
        blocks.append((t, data[t]))
    if controls is not None:
        for c in controls.numeric:
            v = data[c].to_numpy(dtype=float)
            blocks.append((f"ctl:{c}", np.log(v) if c in controls.logged else v))
        for c in controls.categorical:
            add_dummies(data[c], f"ctl:{c}")
    if time == "period" and "period_on" in data:
        add_dummies(data["period_on"], "time")
        if "tenure_months" in data:  # months since the account's start (frames.tenure_months)
            add_dummies(data["tenure_months"], "tenure")
    if trend and "period_on" in data and len(data):
        days = (pd.to_datetime(data["period_on"]) - pd.Timestamp("2000-01-01")).dt.days.to_numpy(dtype=float)
        blocks.append(("time:trend_years", (days - days.mean()) / 365.25))
    n = len(data)
    columns = [1.0 if values is None else 0.0 if values is _DUMMY else np.asarray(values, dtype=float)
               for _, values in blocks]
    X = np.empty((n, len(blocks)))  # filled in place: no list of columns plus a stacked copy
    for start in range(0, n, FILL_BLOCK_ROWS):  # a block of rows at a time: column by column, X is strided
        rows = X[start:start + FILL_BLOCK_ROWS]
        for j, values in enumerate(columns):
            rows[:, j] = values if isinstance(values, float) else values[start:start + len(rows)]
    for first, codes, width in dummies:  # one 1 per row at its level's column (none for the first level)
        at = np.flatnonzero(codes > 0)
        X[at, first + codes[at] - 1] = 1.0
    return X, [name for name, _ in blocks]


_DUMMY = object()  # a design column filled from its block's level codes


def take_rows(X: np.ndarray, rows: np.ndarray, out: np.ndarray | None = None,
              columns: np.ndarray | None = None) -> np.ndarray:
    """X[rows] (only the given columns, if any; into out, which may be the first columns of a wider array),
    a block of rows at a time.

    np.take into a strided out goes element by element, and a whole X[rows] is a temporary the size of X.
    """
    if out is None:
        out = np.empty((len(rows), X.shape[1] if columns is None else len(columns)))
    for start in range(0, len(rows), FILL_BLOCK_ROWS):
        block = rows[start:start + FILL_BLOCK_ROWS]
        out[start:start + FILL_BLOCK_ROWS] = X[block] if columns is None else X[np.ix_(block, columns)]
    return out


def nonzero_columns(X: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Whether each column of X has a value other than zero in any of the rows."""
    seen = np.zeros(X.shape[1], dtype=bool)
    for start in range(0, len(rows), FILL_BLOCK_ROWS):
        seen |= (X[rows[start:start + FILL_BLOCK_ROWS]] != 0).any(axis=0)
    return seen


def _dummy_levels(values: pd.Series, prefix: str) -> tuple[np.ndarray, list[str]]:
    """Level codes (sorted levels, as text) and one column name per level but the first, named prefix=level.

    Dates are factorized as dates and only their levels turned into text: the same order and names as
    the text of every row, which takes seconds on large panels.
    """
    if pd.api.types.is_datetime64_dtype(values.dtype) and not values.isna().any():
        codes, levels = pd.factorize(values, sort=True)
        text = pd.Series(levels).astype(str)
    else:
        codes, text = pd.factorize(values.astype(str), sort=True)
    return codes, [f"{prefix}={level}" for level in list(text)[1:]]


def drop_collinear(X: np.ndarray, names: list[str], keep: list[str]) -> tuple[np.ndarray, list[str]]:
    """Remove columns that are constant or linear combinations of earlier ones (QR with pivoting)."""
    X, names, _ = _drop_collinear(X, names)
    return X, names


def _drop_collinear(X: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str], np.ndarray | None]:
    """drop_collinear, and X'X of the design it returns when no column was dropped (least squares reuses it)."""
    if X.shape[1] <= 1:
        return X, names, None
    gram = X.T @ X  # k × k: pivoted QR of it is cheap whatever n is, and X is not copied
    scale = np.sqrt(np.diag(gram))
    scale[scale == 0] = 1
    _, R, piv = linalg.qr(gram / np.outer(scale, scale), pivoting=True)
    diag = np.sqrt(np.abs(np.diag(R)))
    rank = int((diag > np.sqrt(RANK_TOL) * diag[0]).sum()) if diag.size else 0
    if rank == X.shape[1]:
        return X, names, gram
    kept = sorted(piv[:rank])
    # the terms of interest keep priority: if one was dropped, it is collinear with controls
    return np.take(X, kept, axis=1), [names[i] for i in kept], None  # take keeps rows contiguous, unlike X[:, kept]


def fit(kind: str, y: np.ndarray, X: np.ndarray, names: list[str], groups: np.ndarray, *,
        within: bool = False, with_cov: bool = True, start: dict[str, float] | None = None) -> Fit:
    """Fit one model by outcome kind with errors clustered by account (with_cov=False: estimates only).

    start: coefficients by name to begin Newton's method from (a nearby model's; a missing name starts at
    zero). The likelihood has one maximum, so a start changes the number of steps, not the estimates.
    """
    n = len(y)
    codes, uniques = pd.factorize(groups)  # hashing, not sorting: account ids are strings
    n_clusters = len(uniques)
    if (short := too_little_data(n, n_clusters)) is not None:
        raise ModelError(short)
    if kind == WITHIN_COUNT:  # only variation within an account that has the outcome informs the fit
        informative = np.bincount(codes, weights=y)[codes] > 0
        kept = _drop_collinear(demean(X[informative], pd.factorize(codes[informative])[0]), names)[1]
        X, names, gram = np.take(X, [names.index(name) for name in kept], axis=1), kept, None
    else:
        X, names, gram = _drop_collinear(X, names)
    if n <= X.shape[1] + MIN_RESIDUAL_DF:
        raise ModelError(f"too little data to fit ({n} rows for {X.shape[1]} terms)")
    try:
        if kind == WITHIN_COUNT:
            return _conditional_poisson(y, X, names, codes, n_clusters, with_cov, start)
        if kind in ("binary", "count"):
            return _newton_cluster(kind, y, X, names, codes, n_clusters, with_cov, start)
        return _ols_cluster(y, X, names, codes, n_clusters, within, with_cov, gram)
    except np.linalg.LinAlgError as exc:
        raise ModelError(f"the {kind} model could not be fitted ({exc})") from exc


def too_little_data(n: int, n_clusters: int) -> str | None:
    """Why no model can be fitted on this many rows and accounts (None: enough to try)."""
    if n < MIN_ROWS or n_clusters < MIN_CLUSTERS:
        return f"too little data to fit ({n} rows, {n_clusters} accounts)"
    return None


def _cluster_cov(bread: np.ndarray, X: np.ndarray, resid: np.ndarray, codes: np.ndarray,
                 n_clusters: int, factor: float | None = None) -> np.ndarray:
    """Sandwich covariance with scores (X times residual) summed by cluster and statsmodels' small-sample factor
    (or the factor given).

    The sums are one sparse product (cluster × row indicator, holding the residuals, times X): a pass
    over X instead of one per column, and no scores array the size of X.
    """
    n, k = X.shape
    by_cluster = sparse.csr_matrix((resid, (codes, np.arange(n))), shape=(n_clusters, n))
    summed = by_cluster @ X
    if factor is None:
        factor = n_clusters / (n_clusters - 1) * (n - 1) / (n - k)
    return factor * bread @ (summed.T @ summed) @ bread


def _weighted_gram(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """X' diag(w) X for w >= 0, summed over blocks of rows of √w·X.

    Each block's product with itself is symmetric (BLAS does half the work of a general product)
    and the block is still in cache when multiplied, unlike a scaled copy of the whole of X.
    """
    n, k = X.shape
    root = np.sqrt(w)
    gram = np.zeros((k, k))
    block = np.empty((min(GRAM_BLOCK_ROWS, n), k))
    for start in range(0, n, GRAM_BLOCK_ROWS):
        rows = block[:min(GRAM_BLOCK_ROWS, n - start)]
        np.multiply(X[start:start + len(rows)], root[start:start + len(rows), None], out=rows)
        gram += rows.T @ rows
    return gram


def _newton_cluster(kind: str, y: np.ndarray, X: np.ndarray, names: list[str], codes: np.ndarray,
                    n_clusters: int, with_cov: bool = True, start: dict[str, float] | None = None) -> Fit:
    """Logistic or Poisson maximum likelihood by Newton's method, with cluster-robust covariance.

    The same estimates as statsmodels' Logit/Poisson (checked in the tests), without its
    per-iteration overhead, which dominates on large panels.
    """
    n, k = X.shape
    beta = np.zeros(k)
    if start is not None:
        beta[:] = [start.get(name, 0.0) for name in names]
    elif names and names[0] == "const":
        mean = float(np.clip(y.mean(), 1e-6, 1 - 1e-6 if kind == "binary" else np.inf))
        beta[0] = np.log(mean / (1 - mean)) if kind == "binary" else np.log(mean)

    def state(b):
        eta = np.clip(X @ b, -ETA_LIMIT, ETA_LIMIT)
        if kind == "binary":
            mu = 1 / (1 + np.exp(-eta))
            return mu, mu * (1 - mu), float(np.sum(y * eta - np.logaddexp(0, eta)))
        mu = np.exp(eta)
        return mu, mu, float(np.sum(y * eta - mu))

    mu, w, ll = state(beta)
    for _ in range(NEWTON_MAX_ITER):
        step = np.linalg.lstsq(_weighted_gram(X, w), X.T @ (y - mu), rcond=None)[0]
        t = 1.0
        while True:  # halve the step until the likelihood does not fall (guards against overshooting)
            candidate = beta + t * step
            mu_c, w_c, ll_c = state(candidate)
            if ll_c >= ll - 1e-12 * abs(ll) or t < 1e-6:
                break
            t /= 2
        moved = float(np.max(np.abs(t * step)))
        gained = ll_c - ll
        beta, mu, w, ll = candidate, mu_c, w_c, ll_c
        if moved < NEWTON_TOL or abs(gained) < 1e-11 * (abs(ll) + 1):
            break
    else:
        raise ModelError(f"the {kind} model did not converge (an activity may predict the outcome perfectly)")
    llf = ll if kind == "binary" else float(ll - np.sum(special.gammaln(y + 1)))
    if with_cov:
        bread = np.linalg.inv(_weighted_gram(X, w))
        cov = _cluster_cov(bread, X, y - mu, codes, n_clusters)
    else:
        cov = np.full((k, k), np.nan)
    if not np.all(np.isfinite(beta)) or (with_cov and not np.all(np.isfinite(cov))):
        raise ModelError(f"the {kind} model did not converge")
    return Fit(kind, names, beta, cov, n, n_clusters, X, y, llf)


def _conditional_poisson(y: np.ndarray, X: np.ndarray, names: list[str], codes: np.ndarray, n_clusters: int,
                         with_cov: bool = True, start: dict[str, float] | None = None) -> Fit:
    """Poisson regression with a fixed effect per account, as the likelihood conditional on each account's
    total (Hausman, Hall and Griliches 1984): the same coefficients as Poisson with one dummy per account,
    without estimating the dummies. Each account's rows share its total in proportion to exp(x'b), so only
    how an account's outcome moves with its own activity counts; an account whose outcome is zero
    throughout says nothing and drops out by itself. X holds no intercept or account-constant column.

    Newton's method on the conditional log-likelihood; errors clustered by account (the scores are
    already sums per account), with statsmodels' small-sample factor over the accounts that inform it.
    """
    n, k = X.shape
    total = np.bincount(codes, weights=y, minlength=n_clusters)
    beta = np.zeros(k)
    if start is not None:
        beta[:] = [start.get(name, 0.0) for name in names]

    rows = np.arange(n)

    def state(b):
        """Log-likelihood, the design centred on each account's expected share, and the shares."""
        e = np.exp(np.clip(X @ b, -ETA_LIMIT, ETA_LIMIT))
        share = e / np.bincount(codes, weights=e, minlength=n_clusters)[codes]
        means = sparse.csr_matrix((share, (codes, rows)), shape=(n_clusters, n)) @ X  # per account, by share
        centred = X - means[codes]
        ll = float(np.sum(y * np.log(share)))
        return ll, centred, share

    ll, centred, share = state(beta)
    weight = total[codes] * share
    for _ in range(NEWTON_MAX_ITER):
        hessian = _weighted_gram(centred, weight)
        step = np.linalg.lstsq(hessian, centred.T @ y, rcond=None)[0]
        t = 1.0
        while True:  # halve the step until the likelihood does not fall
            candidate = beta + t * step
            ll_c, centred_c, share_c = state(candidate)
            if ll_c >= ll - 1e-12 * abs(ll) or t < 1e-6:
                break
            t /= 2
        moved = float(np.max(np.abs(t * step))) if k else 0.0
        gained = ll_c - ll
        beta, ll, centred, share = candidate, ll_c, centred_c, share_c
        weight = total[codes] * share
        if moved < NEWTON_TOL or abs(gained) < 1e-11 * (abs(ll) + 1):
            break
    else:
        raise ModelError("the within-account count model did not converge (an activity may predict the outcome "
                         "perfectly)")
    informing = int(np.count_nonzero(total > 0))
    if with_cov:
        bread = np.linalg.inv(_weighted_gram(centred, weight))
        # residuals: the account's total shared by exp(x'b), summing to zero in each account. A conditional
        # likelihood has no residual degrees of freedom to correct: G/(G-1) only, as Stata's xtpoisson, fe
        # does (statsmodels' Poisson with account dummies also counts the dummies as terms)
        cov = _cluster_cov(bread, centred, y - weight, codes, n_clusters, informing / max(informing - 1, 1))
    else:
        cov = np.full((k, k), np.nan)
    if not np.all(np.isfinite(beta)) or (with_cov and not np.all(np.isfinite(cov))):
        raise ModelError("the within-account count model did not converge")
    return Fit(WITHIN_COUNT, names, beta, cov, n, informing, X, y, ll, mean_rate=float(y.mean()))


def _ols_cluster(y: np.ndarray, X: np.ndarray, names: list[str], codes: np.ndarray, n_clusters: int,
                 within: bool, with_cov: bool = True, gram: np.ndarray | None = None) -> Fit:
    """Least squares with cluster-robust covariance (the same small-sample factor as statsmodels and Stata).

    Written out because statsmodels' OLS computes a pseudo-inverse by SVD of the whole design,
    which dominates the cost on large panels. gram: X'X if the caller has it (the collinearity check does).
    """
    n, k = X.shape
    bread = np.linalg.inv(X.T @ X if gram is None else gram)
    params = bread @ (X.T @ y)
    resid = y - X @ params
    cov = _cluster_cov(bread, X, resid, codes, n_clusters) if with_cov else np.full((k, k), np.nan)
    sigma2 = float(resid @ resid) / n
    if sigma2 <= 0:
        raise ModelError("the model fits the data exactly: too few rows to estimate anything")
    llf = -0.5 * n * (np.log(2 * np.pi * sigma2) + 1)
    return Fit("amount", names, params, cov, n, n_clusters, X, y, llf, within)


def demean(values: np.ndarray, codes: np.ndarray, *, copy: bool = True) -> np.ndarray:
    """Subtract each account's mean from every column (the within-account transformation).

    copy=False centres a float array in place (one the caller made and no longer needs as it was).
    """
    counts = np.bincount(codes).astype(float)
    out = np.array(values, dtype=float, copy=copy)
    if out.ndim == 1:
        out -= (np.bincount(codes, weights=out) / counts)[codes]
        return out
    if out.flags.c_contiguous and _in_order(codes):
        means = group_sums(out, codes) / counts[:, None]
        for start in range(0, len(out), GRAM_BLOCK_ROWS):  # a block at a time: no gathered copy the size of X
            out[start:start + GRAM_BLOCK_ROWS] -= means[codes[start:start + GRAM_BLOCK_ROWS]]
        return out
    for j in range(out.shape[1]):
        out[:, j] -= (np.bincount(codes, weights=out[:, j]) / counts)[codes]
    return out


def _in_order(codes: np.ndarray) -> bool:
    """Codes 0, 1, 2, ... as the rows go, each account's rows together (as factorize numbers sorted rows)."""
    if len(codes) < 2 or codes[0] != 0:
        return False
    step = np.diff(codes)
    return bool(((step == 0) | (step == 1)).all())


def group_sums(X: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Column sums of X's rows by code, for codes 0, 1, ... in order (each account's rows together).

    Added row after row within each account, as np.bincount adds its weights, so the sums (and the
    centred design) are the same to the last bit as bincount's column by column; but all columns of a
    row are added at once, one pass over X instead of one per column.
    """
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    lengths = np.diff(np.r_[starts, len(codes)])
    order = np.argsort(-lengths, kind="stable")  # longest first: the accounts still adding rows are a prefix
    first, longest = starts[order], lengths[order]
    sums = X[first]
    for step in range(1, int(longest[0])):
        active = int(np.count_nonzero(longest > step))
        sums[:active] += X[first[:active] + step]
    out = np.empty_like(sums)
    out[order] = sums
    return out


@dataclass
class Effect:
    """An effect in business units per one more activity: estimate and 95% interval."""

    estimate: float
    low: float
    high: float
    unit: str
    se: float

    def scaled(self, factor: float) -> "Effect":
        """The effect of `factor` more activities (linear in the model's scale for binary and counts)."""
        if self.unit.startswith("% "):
            grow = lambda v: 100 * ((1 + v / 100) ** factor - 1)  # noqa: E731
            return Effect(grow(self.estimate), grow(self.low), grow(self.high), self.unit, self.se * factor)
        return Effect(self.estimate * factor, self.low * factor, self.high * factor, self.unit, self.se * factor)


def effect(fit_: Fit, term: str | list[str], scale: float = 1.0) -> Effect:
    """Convert a coefficient (or the sum of several, times scale: a cumulative effect) into business units with
    a delta-method 95% interval from t with G - 1 degrees of freedom.

    binary: average marginal effect in percentage points of probability;
    amount: % change of the amount; count: events per 100 accounts per period (within accounts: the
    mean rate's change when every account's rate is multiplied by exp(b)).
    """
    terms = [term] if isinstance(term, str) else list(term)
    idx = [i for i in (fit_.index(t) for t in terms) if i is not None]
    if not idx:
        return Effect(float("nan"), float("nan"), float("nan"), unit_for(fit_.kind), float("nan"))
    b, se = fit_.sum_of([fit_.names[i] for i in idx])
    b, se = b * scale, se * scale
    t = fit_.critical
    if fit_.kind == WITHIN_COUNT:  # a log-rate within accounts: every account's rate times exp(b)
        rate = lambda v: 100 * fit_.mean_rate * (np.exp(v) - 1)  # noqa: E731
        return Effect(rate(b), rate(b - t * se), rate(b + t * se), unit_for(fit_.kind),
                      100 * fit_.mean_rate * np.exp(b) * se)
    if fit_.kind == "amount":
        conv = lambda v: 100 * (np.exp(v) - 1)  # noqa: E731
        return Effect(conv(b), conv(b - t * se), conv(b + t * se), unit_for("amount"), 100 * se)
    m, dw_means = fit_.slopes
    grad = b * dw_means
    grad[idx] += m * scale
    est = b * m * 100
    se = float(np.sqrt(grad @ fit_.cov @ grad)) * 100
    return Effect(est, est - t * se, est + t * se, unit_for(fit_.kind), se)


def e_value(ratio: float) -> float:
    """The E-value of a risk ratio (VanderWeele and Ding 2017): how strongly a confounder the data lack would have
    to go with both the activity and the outcome (a risk ratio with each, beyond the controls) to explain the
    association away. 1 for no association; NaN if the ratio is not a positive number."""
    if not (np.isfinite(ratio) and ratio > 0):
        return float("nan")
    rr = max(ratio, 1 / ratio)
    return float(rr + np.sqrt(rr * (rr - 1)))


def hidden_trait_e_values(fit_: Fit, terms: list[str], scale: float) -> tuple[float, float]:
    """E-values of the association of `scale` more activity (the sum of these terms' coefficients times scale):
    for its estimate, and for the interval's end nearer no effect (1 when the interval spans it).

    The coefficient becomes an approximate risk ratio as VanderWeele and Ding advise: yes/no, an odds ratio, its
    square root when neither answer is rare (both over 15%); counts, the rate ratio; amounts (logs), exp(0.91 d)
    with d the change over the residual standard deviation.
    """
    b, se = fit_.sum_of(terms)
    t = fit_.critical
    est, low, high = b * scale, (b - t * se) * scale, (b + t * se) * scale
    if fit_.kind == "binary":
        share = float(np.mean(fit_.y))
        factor = 0.5 if 0.15 < share < 0.85 else 1.0
    elif fit_.kind == "amount":
        factor = 0.91 / fit_.residual_sd if fit_.residual_sd > 0 else float("nan")
    else:
        factor = 1.0
    near = 0.0 if low <= 0 <= high else (low if est > 0 else high)
    return e_value(float(np.exp(factor * est))), e_value(float(np.exp(factor * near)))


def effect_p(fit_: Fit, e: Effect) -> float:
    """Two-sided p-value of an effect as stated (t with G - 1 degrees of freedom on estimate / standard error).

    For yes/no outcomes this tests the average marginal effect itself, so the verdict and the interval shown
    always agree: near separation a coefficient's own test can be 'clear' while the effect in points has an
    interval from -50.9 to 7.3."""
    return float(2 * stats.t.sf(abs(e.estimate / e.se), fit_.df)) if np.isfinite(e.se) and e.se > 0 else float("nan")


def predictive_difference(fit_: Fit, X1: np.ndarray, X0: np.ndarray) -> Effect:
    """Average predicted outcome with X1 minus with X0, in business units, with a delta-method interval.

    Used for binned response curves: robust where a derivative is not (e.g. near separation).
    """
    b = fit_.params
    (g1, d1), (g0, d0) = response(fit_.kind, X1 @ b), response(fit_.kind, X0 @ b)
    est = 100 * float(g1.mean() - g0.mean())
    grad = 100 * ((X1 * d1[:, None]).mean(axis=0) - (X0 * d0[:, None]).mean(axis=0))
    se = float(np.sqrt(grad @ fit_.cov @ grad))
    t = fit_.critical
    return Effect(est, est - t * se, est + t * se, unit_for(fit_.kind), se)


def response(kind: str, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The predicted outcome of a yes/no (logit) or count (log) model at eta, and its slope in eta."""
    eta = np.clip(eta, -ETA_LIMIT, ETA_LIMIT)
    if kind == "binary":
        g = 1 / (1 + np.exp(-eta))
        return g, g * (1 - g)
    g = np.exp(eta)
    return g, g


def unit_for(kind: str) -> str:
    """The unit effects are stated in, for an outcome kind or any fit kind (a linear count fit is a count)."""
    return UNITS[OUTCOME_KIND[kind]]


def holm_adjusted(pvalues: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values: an activity (or group) is called at level alpha when its adjusted p is
    below it, and the chance that any of those called is a fluke stays within alpha whatever the others do (the
    family-wise error, not the share of false calls among them); NaN stays NaN and counts for nothing."""
    p = np.asarray(pvalues, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    if not ok.any():
        return out.tolist()
    from statsmodels.stats.multitest import multipletests  # here: pages reading a stored analysis never need it

    out[ok] = multipletests(p[ok], method="holm")[1]
    return out.tolist()
