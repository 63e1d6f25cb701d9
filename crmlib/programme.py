"""Evaluation of CRM programmes: cost-benefit, ROI and payback; difference-in-differences; with/without tables.

:func:`evaluate_programme` gives the benefit-cost ratio, ROI, net present value
and payback period from cost and revenue lines; :func:`difference_in_differences`
estimates a programme effect with a confidence interval from unit-level data
(statsmodels OLS with a treated x post interaction); :func:`simulate_treatment`
adds a known effect to a seeded random half of the units of a panel, to show
that the estimator recovers it; :func:`with_without_table` lays out published
aggregates (with / without a programme, across conditions) as a plain,
descriptive table, because no standard error can be computed from aggregates
alone.

Customer profitability (profit per customer, whale curve, concentration) is in
:mod:`crmlib.profit`; its :func:`~crmlib.profit.profit_panel` gives the
customer x window panel that :func:`difference_in_differences` takes.

References
----------
Angrist, J. D. & Pischke, J.-S. (2009). *Mostly Harmless Econometrics*,
    section 5.2 (differences-in-differences).
Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to
    cluster-robust inference. *Journal of Human Resources* 50(2), 317-372.
Boardman, A. E., Greenberg, D. H., Vining, A. R. & Weimer, D. L. (2018).
    *Cost-Benefit Analysis: Concepts and Practice*, 5th ed., ch. 1 and 10
    (net present value, benefit-cost ratio, discounting).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._checks import as_rng, check_choice, check_count, check_discount_rate, check_level, check_positive, numeric_column
from ._checks import require_columns as _require
from .exceptions import ConvergenceError, DataError

__all__ = [
    "ProgrammeEvaluation",
    "evaluate_programme",
    "DiDResult",
    "difference_in_differences",
    "simulate_treatment",
    "did_recovery",
    "WithWithoutTable",
    "with_without_table",
    "DESCRIPTIVE_NOTE",
]


def _require_columns(frame: Any, columns: dict[str, str | None], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what}: the data must be a pandas DataFrame, got {type(frame).__name__}")
    _require(frame, columns.values(), what)


# --------------------------------------------------------------------------------------------
# cost-benefit, ROI, payback
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeEvaluation:
    """Result of :func:`evaluate_programme`.

    Attributes
    ----------
    by_period : one row per period with ``cost``, ``revenue``, ``net``,
        ``discount_factor``, ``pv_cost``, ``pv_revenue``, ``pv_net`` and
        ``cumulative_pv_net`` (currency units).
    total_cost, total_revenue : present values of all costs and revenues.
    net_benefit : ``total_revenue - total_cost`` (the net present value).
    benefit_cost_ratio : ``total_revenue / total_cost``.
    roi : ``(total_revenue - total_cost) / total_cost`` (a share).
    payback_period : periods until the cumulative (discounted) net first
        reaches zero, interpolated linearly within the period; ``None`` when
        the programme does not pay back within the lines given.
    discount_rate : annual effective rate; periods_per_year : periods in a year.
    """

    by_period: pd.DataFrame
    total_cost: float
    total_revenue: float
    net_benefit: float
    benefit_cost_ratio: float
    roi: float
    payback_period: float | None
    discount_rate: float
    periods_per_year: float = 1.0

    def summary(self) -> pd.DataFrame:
        """The headline figures as a one-column DataFrame (payback ``inf`` = not paid back within the lines)."""
        rows = {
            "total cost (present value)": self.total_cost,
            "total revenue (present value)": self.total_revenue,
            "net benefit (NPV)": self.net_benefit,
            "benefit-cost ratio (revenue / cost)": self.benefit_cost_ratio,
            "ROI ((revenue - cost) / cost)": self.roi,
            # inf: not paid back within the periods given
            "payback period (periods)": np.inf if self.payback_period is None else self.payback_period,
            "discount rate (annual)": self.discount_rate,
            "periods per year": self.periods_per_year,
        }
        return pd.DataFrame({"value": pd.Series(rows, dtype="float64")})


def evaluate_programme(
    lines: pd.DataFrame,
    *,
    discount_rate: float = 0.0,
    periods_per_year: float = 1.0,
    kind: str = "kind",
    amount: str = "amount",
    period_index: str | None = "period",
) -> ProgrammeEvaluation:
    """Cost-benefit ratio, ROI, NPV and payback period of a programme.

    Parameters
    ----------
    lines : one row per cost or revenue line: ``kind`` ("cost" or
        "revenue"), ``amount`` (currency units, >= 0) and optionally
        ``period_index`` (whole periods since the start, 0 = the start; the
        column may be absent, then every line is in period 0). Other columns
        (e.g. an ``item`` name) are ignored.
    discount_rate : annual effective discount rate, >= 0 (0.10 = 10 % a year).
    periods_per_year : length of one period of ``period_index``: 1 for years
        (default), 12 for months. Period *t* is discounted by
        ``(1 + discount_rate)^(-t / periods_per_year)`` (period 0 undiscounted).
    kind, amount, period_index : column names.

    Returns
    -------
    :class:`ProgrammeEvaluation`. The benefit-cost ratio is total revenue
    over total cost (the definition the S-company thesis prints under its
    Table 4), ROI is net benefit over cost, and the payback period is
    ``(t - 1) + (-C_{t-1}) / net_t`` for the first period *t* whose
    cumulative net ``C_t`` is >= 0 (0 when period 0 already pays back)
    (Boardman et al. 2018, ch. 1 and 10).

    Notes
    -----
    Ratios of totals say nothing about what the programme *caused*; for that
    compare with a control group (:func:`difference_in_differences`).
    """
    what = "evaluate_programme"
    if not isinstance(lines, pd.DataFrame) or lines.empty:
        raise DataError(f"{what}: lines must be a non-empty DataFrame of cost and revenue lines")
    _require_columns(lines, {"kind": kind, "amount": amount}, what)
    d = check_discount_rate(discount_rate, allow_zero=True)
    ppy = check_positive(periods_per_year, "periods_per_year")
    k = lines[kind].astype(str).str.strip().str.lower()
    bad = ~k.isin(["cost", "revenue"])
    if bad.any():
        raise DataError(
            f"{what}: column {kind!r} must be 'cost' or 'revenue'; rows "
            f"{list(lines.index[bad.to_numpy()][:5])} hold {sorted(set(lines.loc[bad, kind].astype(str)))[:5]}"
        )
    value = numeric_column(lines, amount, what, nonnegative=True)
    if period_index is not None and period_index in lines.columns:
        period = pd.to_numeric(lines[period_index], errors="coerce").to_numpy(dtype="float64")
        badp = ~np.isfinite(period) | (period < 0) | (period != np.floor(period))
        if badp.any():
            raise DataError(
                f"{what}: column {period_index!r} must hold whole periods >= 0; rows "
                f"{list(lines.index[badp][:5])} do not"
            )
        if period.max() > 10_000:
            raise DataError(
                f"{what}: column {period_index!r} reaches period {period.max():.0f}; at most 10,000 allowed"
            )
        period = period.astype("int64")
    else:
        period = np.zeros(len(lines), dtype="int64")
    n_per = int(period.max()) + 1
    is_cost = (k == "cost").to_numpy()
    cost = np.bincount(period, weights=np.where(is_cost, value, 0.0), minlength=n_per)
    revenue = np.bincount(period, weights=np.where(is_cost, 0.0, value), minlength=n_per)
    t = np.arange(n_per)
    factor = (1.0 + d) ** (-t.astype("float64") / ppy)
    pv_net = (revenue - cost) * factor
    cum = np.cumsum(pv_net)
    by_period = pd.DataFrame(
        {
            "cost": cost,
            "revenue": revenue,
            "net": revenue - cost,
            "discount_factor": factor,
            "pv_cost": cost * factor,
            "pv_revenue": revenue * factor,
            "pv_net": pv_net,
            "cumulative_pv_net": cum,
        },
        index=pd.Index(t, name="period"),
    )
    total_cost = float(by_period["pv_cost"].sum())
    total_revenue = float(by_period["pv_revenue"].sum())
    if total_cost <= 0:
        raise DataError(f"{what}: total cost is {total_cost:g}; the benefit-cost ratio and ROI need a positive cost")
    scale = max(total_cost, total_revenue)
    reached = np.flatnonzero(cum >= -1e-12 * scale)  # tolerate rounding at an exact break-even
    payback: float | None
    if reached.size == 0:
        payback = None
    elif reached[0] == 0:
        payback = 0.0
    else:
        j = int(reached[0])
        payback = float(j - 1 + (-cum[j - 1]) / pv_net[j])
    return ProgrammeEvaluation(
        by_period=by_period,
        total_cost=total_cost,
        total_revenue=total_revenue,
        net_benefit=total_revenue - total_cost,
        benefit_cost_ratio=total_revenue / total_cost,
        roi=(total_revenue - total_cost) / total_cost,
        payback_period=payback,
        discount_rate=d,
        periods_per_year=ppy,
    )


# --------------------------------------------------------------------------------------------
# difference-in-differences (unit-level data)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiDResult:
    """Result of :func:`difference_in_differences`.

    Attributes
    ----------
    estimate : the difference-in-differences (coefficient of treated x post),
        in the outcome's units.
    std_error, lower, upper, p_value : its standard error, the two-sided
        interval of coverage ``level`` and the two-sided p-value under ``cov_type``.
    cell_means : 2 x 2 table of outcome means (rows: control / treated;
        columns: pre / post) with the differences.
    n_obs, n_clusters : observations and clusters (``None`` without clusters).
    results : the statsmodels ``RegressionResults`` (``.summary()`` etc.).
    """

    estimate: float
    std_error: float
    lower: float
    upper: float
    p_value: float
    level: float
    cov_type: str
    n_obs: int
    n_clusters: int | None
    cell_means: pd.DataFrame
    results: Any = field(repr=False)

    def summary(self) -> pd.DataFrame:
        """One row: estimate, standard error, interval (``lower``/``upper``, level in ``attrs``), p-value, N."""
        out = pd.DataFrame(
            [
                {
                    "estimate": self.estimate,
                    "std_error": self.std_error,
                    "lower": self.lower,
                    "upper": self.upper,
                    "p_value": self.p_value,
                    "n_obs": self.n_obs,
                    "n_clusters": self.n_clusters if self.n_clusters is not None else np.nan,
                    "cov_type": self.cov_type,
                }
            ],
            index=pd.Index(["treated x post"], name="term"),
        )
        out.attrs["level"] = self.level
        return out


def _binary(frame: pd.DataFrame, col: str, what: str) -> np.ndarray:
    raw = frame[col]
    if raw.dtype == bool:
        return raw.to_numpy().astype("float64")
    v = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64")
    bad = ~np.isin(v, [0.0, 1.0])
    if bad.any():
        raise DataError(
            f"{what}: column {col!r} must be 0/1 (or boolean); {int(bad.sum())} rows are not "
            f"(rows {list(frame.index[bad][:5])})"
        )
    return v


def difference_in_differences(
    data: pd.DataFrame,
    outcome: str,
    treated: str,
    post: str,
    *,
    cluster: str | None = None,
    covariates: list[str] | None = None,
    cov_type: Literal["cluster", "HC0", "HC1", "HC2", "HC3", "nonrobust"] | None = None,
    level: float = 0.95,
) -> DiDResult:
    """Difference-in-differences estimate of a programme effect, with a confidence interval.

    Fits by OLS (statsmodels)::

        y = b0 + b1 treated + b2 post + delta (treated x post) [+ covariates] + e

    and reports ``delta`` (Angrist & Pischke 2009, section 5.2). Without
    covariates ``delta`` equals the difference of the four cell means,
    ``(ybar_T,post - ybar_T,pre) - (ybar_C,post - ybar_C,pre)``.

    Parameters
    ----------
    data : unit-level data, one row per unit and period (e.g. store-month
        profit rates, customer-quarter profits).
    outcome : the outcome column (numeric, in its own units).
    treated, post : 0/1 columns: the unit is in the programme group; the
        period is after the programme started.
    cluster : a column of cluster ids (usually the unit id) for
        cluster-robust standard errors (Cameron & Miller 2015; statsmodels'
        CR1 small-sample correction ``G/(G-1) (N-1)/(N-K)``).
    covariates : further numeric columns to adjust for.
    cov_type : ``"cluster"`` (default when ``cluster`` is given), ``"HC1"``
        (default otherwise), ``"HC0"``, ``"HC2"``, ``"HC3"`` or ``"nonrobust"``.
    level : coverage of the two-sided interval, in (0, 1).

    Raises
    ------
    DataError : a missing column, a non-0/1 indicator, an empty cell of the
        2 x 2 design, missing outcomes, collinear regressors, no residual
        degrees of freedom, or a single cluster.
    ConvergenceError : a standard error that is not defined (HC2/HC3 with a
        row of leverage 1) or not a positive finite number.
    """
    import statsmodels.api as sm

    what = "difference_in_differences"
    covariates = list(covariates or [])
    _require_columns(
        data,
        {
            "outcome": outcome,
            "treated": treated,
            "post": post,
            "cluster": cluster,
            **{f"covariate {i + 1}": c for i, c in enumerate(covariates)},
        },
        what,
    )
    level = check_level(level)
    if cov_type is None:
        cov_type = "cluster" if cluster is not None else "HC1"
    check_choice(cov_type, "cov_type", ("cluster", "HC0", "HC1", "HC2", "HC3", "nonrobust"))
    if cov_type == "cluster" and cluster is None:
        raise DataError(f"{what}: cov_type='cluster' needs the `cluster` column")
    y = numeric_column(data, outcome, what)
    tr = _binary(data, treated, what)
    po = _binary(data, post, what)
    for (t_val, p_val), name in {
        (0, 0): "control, pre",
        (0, 1): "control, post",
        (1, 0): "treated, pre",
        (1, 1): "treated, post",
    }.items():
        if not np.any((tr == t_val) & (po == p_val)):
            raise DataError(
                f"{what}: the cell '{name}' ({treated}={t_val}, {post}={p_val}) has no rows; "
                "a difference-in-differences needs all four cells"
            )
    names = ["const", treated, post, f"{treated}:{post}"] + covariates
    if len(set(names)) != len(names):
        raise DataError(f"{what}: the columns {names[1:]} must be distinct")
    cols = [np.ones_like(y), tr, po, tr * po] + [numeric_column(data, c, what) for c in covariates]
    X = pd.DataFrame(dict(zip(names, cols)), columns=names)
    rank = int(np.linalg.matrix_rank(X.to_numpy()))
    if rank < X.shape[1]:
        raise DataError(
            f"{what}: the regressors {names[1:]} are collinear (rank {rank} of {X.shape[1]}); "
            "drop the covariate(s) that repeat the treated/post indicators or each other"
        )
    if len(y) <= X.shape[1]:
        raise DataError(
            f"{what}: {len(y)} rows for {X.shape[1]} coefficients leave no residual degrees of freedom; "
            "a standard error needs more rows"
        )
    if cov_type in ("HC2", "HC3"):
        xv = X.to_numpy()
        leverage = np.einsum("ij,ji->i", xv, np.linalg.pinv(xv))
        one = leverage > 1 - 1e-8
        if one.any():
            raise ConvergenceError(
                f"{what}: the standard error of the treated x post effect is not defined under cov_type={cov_type!r}: "
                f"{int(one.sum())} row(s) have leverage 1 (rows {list(data.index[one][:5])}; a cell or covariate "
                "pattern with a single row), and HC2/HC3 divide by 1 - leverage; use cov_type='HC1' or more rows"
            )
    model = sm.OLS(pd.Series(y, name=outcome), X)
    if cov_type == "cluster":
        groups = pd.factorize(data[cluster])[0]
        if (groups < 0).any():
            raise DataError(f"{what}: column {cluster!r} is missing in {int((groups < 0).sum())} rows")
        if groups.max() < 1:
            raise DataError(f"{what}: column {cluster!r} holds a single cluster; cluster-robust errors need at least 2")
        res = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        n_clusters: int | None = int(groups.max()) + 1
    else:
        res = model.fit(cov_type=cov_type)
        n_clusters = None
    j = 3
    if not np.isfinite(res.bse.iloc[j]) or res.bse.iloc[j] <= 0:
        raise ConvergenceError(
            f"{what}: the standard error of the treated x post effect is {float(res.bse.iloc[j])} under "
            f"cov_type={cov_type!r}; no interval reported"
        )
    ci = np.asarray(res.conf_int(alpha=1 - level))[j]
    means = pd.DataFrame(
        {
            "pre": [y[(tr == 0) & (po == 0)].mean(), y[(tr == 1) & (po == 0)].mean()],
            "post": [y[(tr == 0) & (po == 1)].mean(), y[(tr == 1) & (po == 1)].mean()],
        },
        index=pd.Index(["control", "treated"], name="group"),
    )
    means["post - pre"] = means["post"] - means["pre"]
    means.loc["treated - control"] = means.loc["treated"] - means.loc["control"]
    return DiDResult(
        estimate=float(res.params.iloc[j]),
        std_error=float(res.bse.iloc[j]),
        lower=float(ci[0]),
        upper=float(ci[1]),
        p_value=float(res.pvalues.iloc[j]),
        level=level,
        cov_type=cov_type,
        n_obs=int(len(y)),
        n_clusters=n_clusters,
        cell_means=means,
        results=res,
    )


def simulate_treatment(
    panel: pd.DataFrame,
    *,
    effect: float,
    seed: int | np.random.Generator,
    outcome: str = "profit",
    unit: str = "customer_id",
    post: str = "window_index",
    treated_share: float = 0.5,
) -> pd.DataFrame:
    """A SIMULATED programme on a real panel: a seeded random share of units is treated and gains ``effect`` after.

    The units (``unit``) are drawn without replacement (``floor(treated_share *
    units)`` of them, uniformly, seeded); every row of a drawn unit gets
    ``treated = 1``. ``post`` (0/1, e.g. the ``window_index`` of a two-window
    :func:`crmlib.profit.profit_panel`) marks the rows after the start. The
    returned copy holds ``treated``, ``post`` (0/1 int) and ``y = outcome +
    effect * treated * post``: a simulation with known truth for
    :func:`difference_in_differences` (Angrist & Pischke 2009, sec. 5.2),
    which should recover ``effect`` (and 0 in a placebo run, ``effect=0``).

    Parameters
    ----------
    panel : one row per unit and period.
    effect : the true programme effect, in the outcome's units.
    seed : int or ``numpy.random.Generator``; the same seed treats the same units.
    outcome, unit, post : column names.
    treated_share : share of units treated, in (0, 1).

    Returns
    -------
    A copy of ``panel`` with ``treated``, ``post`` and ``y``; ``attrs["simulated"] = True``
    and ``attrs["true_effect"]``.
    """
    what = "simulate_treatment"
    _require_columns(panel, {"outcome": outcome, "unit": unit, "post": post}, what)
    if (
        isinstance(effect, bool)
        or not isinstance(effect, (int, float, np.integer, np.floating))
        or not np.isfinite(effect)
    ):
        raise DataError(f"effect must be a finite number (the outcome's units), got {effect!r}")
    effect = float(effect)
    share = check_positive(treated_share, "treated_share")
    if share >= 1:
        raise DataError(f"treated_share must be in (0, 1), got {treated_share!r}")
    rng = as_rng(seed)
    y = numeric_column(panel, outcome, what)
    po = _binary(panel, post, what)
    ids = pd.unique(panel[unit])
    k = int(len(ids) * share)
    if k < 1 or k >= len(ids):
        raise DataError(f"{what}: {len(ids)} units give {k} treated units; need at least one treated and one control")
    treated_ids = rng.choice(ids, size=k, replace=False)
    tr = panel[unit].isin(treated_ids).to_numpy().astype("int64")
    out = panel.assign(treated=tr, post=po.astype("int64"), y=y + effect * tr * po)
    out.attrs.update({"simulated": True, "true_effect": effect, "treated_units": k})
    return out


def did_recovery(
    panel: pd.DataFrame,
    *,
    effect: float,
    n_runs: int,
    seed: int | np.random.Generator,
    outcome: str = "profit",
    unit: str = "customer_id",
    post: str = "window_index",
    level: float = 0.95,
) -> pd.DataFrame:
    """Monte-Carlo check of :func:`difference_in_differences` on a real panel with SIMULATED treatments.

    Each run draws a new random half of the units (:func:`simulate_treatment`, all runs from one seeded
    stream), adds ``effect`` to their post-period outcome and estimates it with standard errors clustered by
    unit. OLS is linear in the outcome, so the same run without the effect (a placebo) gives the estimate
    minus ``effect`` with the same standard error: one fit per run serves both.

    Parameters
    ----------
    panel : one row per unit and period (e.g. :func:`crmlib.profit.profit_panel`, two windows).
    effect : the true effect added to the treated units after the start (the outcome's units).
    n_runs : simulated treatments (count >= 2).
    seed : int or ``numpy.random.Generator`` (None refused).
    outcome, unit, post : column names, as in :func:`simulate_treatment`.
    level : coverage of the intervals.

    Returns
    -------
    One-row DataFrame (index ``effect``): ``true_effect``, ``mean_estimate``, ``bias`` with ``bias_mcse``,
    ``sd_estimate`` (spread of the estimates over runs), ``mean_se`` (mean cluster-robust SE: close to
    ``sd_estimate`` when the SE is right), ``coverage`` (share of runs whose interval holds the truth) with
    ``coverage_mcse`` (the placebo runs' intervals exclude 0 in the other ``1 - coverage`` of runs: the test's
    size, ``1 - level`` when it is right); ``attrs``: ``n_runs``, ``level``, ``runs`` (per-run estimates and SEs).

    References
    ----------
    Bertrand, M., Duflo, E. & Mullainathan, S. (2004). How much should we trust differences-in-differences
    estimates? *Quarterly Journal of Economics* 119(1), 249-275 (placebo treatments on real data);
    Morris, T. P., White, I. R. & Crowther, M. J. (2019). *Statistics in Medicine* 38(11), 2074-2102.
    """
    n_runs = int(check_count(n_runs, "n_runs", minimum=2))
    level = check_level(level)
    rng = as_rng(seed)
    rows = []
    for _ in range(n_runs):  # runs of a simulation study, not units
        sim = simulate_treatment(panel, effect=effect, seed=rng, outcome=outcome, unit=unit, post=post)
        res = difference_in_differences(sim, "y", "treated", "post", cluster=unit, level=level)
        rows.append((res.estimate, res.std_error, res.lower, res.upper))
    runs = pd.DataFrame(
        rows, columns=["estimate", "se", "lower", "upper"], index=pd.RangeIndex(1, n_runs + 1, name="run")
    )
    true = float(effect)
    covered = ((runs["lower"] <= true) & (true <= runs["upper"])).to_numpy(dtype=float)
    est = runs["estimate"].to_numpy()
    out = pd.DataFrame(
        {
            "true_effect": true,
            "mean_estimate": est.mean(),
            "bias": est.mean() - true,
            "bias_mcse": est.std(ddof=1) / np.sqrt(n_runs),
            "sd_estimate": est.std(ddof=1),
            "mean_se": runs["se"].mean(),
            "coverage": covered.mean(),
            "coverage_mcse": np.sqrt(covered.mean() * (1 - covered.mean()) / n_runs),
        },
        index=pd.Index(["effect"], name="run"),
    )
    out.attrs.update({"n_runs": n_runs, "level": level, "runs": runs})
    return out


# --------------------------------------------------------------------------------------------
# aggregate-only (published) with/without tables
# --------------------------------------------------------------------------------------------

DESCRIPTIVE_NOTE = (
    "Descriptive comparison of published aggregates: the table gives one figure per cell and no unit-level data, "
    "counts or variances, so no standard error, confidence interval or test is possible, and nothing here shows "
    "that the programme caused the differences."
)


@dataclass(frozen=True)
class WithWithoutTable:
    """Result of :func:`with_without_table`: a plain table and what it can (not) show.

    Attributes
    ----------
    table : one row per condition with ``with``, ``without`` and
        ``difference`` (with - without), plus a last row ``difference of
        differences`` (first condition minus second) when there are two
        conditions.
    kind : always ``"descriptive"`` (no inference possible).
    note : the sentence to print under the table.
    """

    table: pd.DataFrame
    kind: str
    note: str


def with_without_table(
    values: pd.DataFrame, *, with_column: str = "with", without_column: str = "without"
) -> WithWithoutTable:
    """Lay out published with/without-programme aggregates across conditions.

    Parameters
    ----------
    values : one row per condition (index, e.g. "boom", "recession") with
        the programme (``with_column``) and without it (``without_column``),
        in the published unit (e.g. percent profit rate).

    Returns
    -------
    :class:`WithWithoutTable` (``kind="descriptive"``). With two conditions
    the last row is the difference of the two differences, the aggregate
    analogue of a difference-in-differences (Angrist & Pischke 2009, sec.
    5.2), but without any measure of uncertainty.
    """
    _require_columns(values, {"with": with_column, "without": without_column}, "with_without_table")
    w = numeric_column(values, with_column, "with_without_table")
    wo = numeric_column(values, without_column, "with_without_table")
    table = pd.DataFrame({"with": w, "without": wo, "difference": w - wo}, index=values.index.astype(str))
    table.index.name = values.index.name or "condition"
    if len(table) == 2:
        a, b = table.index
        table.loc["difference of differences"] = [
            np.nan,
            np.nan,
            table.loc[a, "difference"] - table.loc[b, "difference"],
        ]
    return WithWithoutTable(table=table, kind="descriptive", note=DESCRIPTIVE_NOTE)
