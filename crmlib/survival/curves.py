"""Retention curves: Kaplan-Meier by segment, log-rank tests, cohort tables, period rates.

The statistics come from lifelines (Davidson-Pilon 2019, JOSS 4(40), 1317);
this module asks the customer questions of them: how long a segment stays
(median lifetime with its confidence interval), the share still there at
chosen horizons, whether segments differ, and how acquisition cohorts retain.

References
----------
Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete
observations. JASA 53, 457-481 (the product-limit estimator, eq. 2).
Greenwood, M. (1926) — the variance of the estimator (Klein & Moeschberger
2003, Survival Analysis, eq. 4.2.2); lifelines' bands use the exponential
(log(-log)) transform, Klein & Moeschberger eq. 4.3.2.
Mantel, N. (1966). Evaluation of survival data and two new rank order
statistics. Cancer Chemotherapy Reports 50 (the log-rank test; Klein &
Moeschberger sec. 7.3 for the K-sample version).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._checks import check_choice, check_count, check_level, check_nonnegative, check_positive
from ..exceptions import DataError, DataWarning
from .data import DAY, _need_columns, _where, validate_survival

__all__ = [
    "KaplanMeierBySegment",
    "step_at",
    "logrank",
    "cohort_survival_table",
    "cohort_activity_table",
    "period_rates",
    "plot_cohort_heatmap",
    "retention_table",
    "COHORT_PERIODS",
]

COHORT_PERIODS = ("week", "month", "quarter", "year")
"""The calendar periods of :func:`cohort_activity_table`."""


def step_at(frame: pd.DataFrame | pd.Series, times: Sequence[float] | np.ndarray) -> np.ndarray:
    """Value of a right-continuous step function (lifelines' timeline index) at ``times``.

    Before the first index value the first row is returned (lifelines starts
    its timelines at 0 with S = 1).
    """
    idx = np.asarray(frame.index, dtype="float64")
    times = check_nonnegative(np.asarray(times, dtype="float64"), "times")
    pos = np.searchsorted(idx, np.atleast_1d(times), side="right") - 1
    pos = np.clip(pos, 0, len(idx) - 1)
    return np.asarray(frame)[pos]


def _steps(curves: pd.DataFrame, times: np.ndarray) -> pd.DataFrame:
    """Step curves (index = times, right-continuous) read at ``times``; 1 before their first time (S(0) = 1)."""
    idx = np.asarray(curves.index, dtype="float64")
    pos = np.searchsorted(idx, times, side="right") - 1
    vals = np.vstack([np.ones((1, curves.shape[1])), np.asarray(curves, dtype="float64")])[pos + 1]
    return pd.DataFrame(vals, index=pd.Index(times, name=curves.index.name), columns=curves.columns)


def _conditional_steps(curves: pd.DataFrame, survived_days: np.ndarray, times: np.ndarray) -> pd.DataFrame:
    """``S(s + t) / S(s)`` for each column's own ``s`` (``survived_days``, one per column) at ``times`` after it.

    ``curves`` are step survival curves (times x customers, right-continuous,
    1 before the first time). A customer with ``S(s) = 0`` gets ``NaN``
    (no one like them is left).
    """
    out = np.empty((len(times), curves.shape[1]))
    for s in np.unique(survived_days):  # a handful of stays, not customers
        cols = np.flatnonzero(survived_days == s)
        part = curves.iloc[:, cols]
        base = _steps(part, np.array([s])).to_numpy()[0]
        ahead = _steps(part, s + times).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, cols] = np.where(base > 0, ahead / np.where(base > 0, base, 1.0), np.nan)
    return pd.DataFrame(out, index=pd.Index(times, name="time ahead"), columns=curves.columns)


def _remaining_median(curves: pd.DataFrame, survived_days: np.ndarray) -> np.ndarray:
    """Median remaining lifetime on step curves: first ``u`` with ``S(s + u) / S(s) <= 0.5`` (``inf`` if none)."""
    idx = np.asarray(curves.index, dtype="float64")
    out = np.full(curves.shape[1], np.inf)
    for s in np.unique(survived_days):
        cols = np.flatnonzero(survived_days == s)
        part = curves.iloc[:, cols]
        base = _steps(part, np.array([s])).to_numpy()[0]
        later = idx > s
        ratio = np.asarray(part, dtype="float64")[later] / np.where(base > 0, base, np.nan)
        hit = ratio <= 0.5
        first = np.argmax(hit, axis=0)
        found = hit.any(axis=0)
        out[cols[found]] = idx[later][first[found]] - s
    return out


def _segments(data: pd.DataFrame, segment: str | None) -> pd.Series:
    if segment is None:
        return pd.Series("all", index=data.index)
    _need_columns(data, [segment], "survival data")
    s = data[segment]
    bad = data.index[s.isna().to_numpy()]
    if len(bad):
        raise DataError(f"column {segment!r}: no segment in {_where(bad)}")
    return s


def _warn_no_events(data: pd.DataFrame, seg: pd.Series, event: str) -> list:
    events = data[event].astype("int64").groupby(seg, observed=True).agg(["sum", "size"])
    empty = events.index[events["sum"] == 0]
    for g in empty:
        warnings.warn(
            f"segment {g!r} has no churn events ({int(events.loc[g, 'size'])} customers, all censored): its "
            "retention curve stays at 1, its median lifetime is not reached (reported as inf) and it adds "
            "nothing to a hazard estimate",
            DataWarning,
            stacklevel=3,
        )
    return list(empty)


class KaplanMeierBySegment:
    """Kaplan-Meier retention curves, one per segment, with pointwise confidence bands.

    Parameters
    ----------
    level : coverage of the pointwise bands and of the intervals, in (0, 1) (default 0.95).

    Attributes (after ``fit``)
    --------------------------
    fitters_ : dict segment -> fitted ``lifelines.KaplanMeierFitter``.
    counts_ : DataFrame of customers, churn events and censored per segment.
    no_event_segments_ : segments without any churn event (a ``DataWarning`` was issued).

    Example
    -------
    >>> km = KaplanMeierBySegment().fit(sd, segment="cohort")  # doctest: +SKIP
    >>> km.summary(horizons=[90, 365])                           # doctest: +SKIP
    """

    def __init__(self, level: float = 0.95):
        self.level = level

    def fit(
        self, data: pd.DataFrame, *, duration: str = "duration", event: str = "churned", segment: str | None = None
    ) -> KaplanMeierBySegment:
        """Fit one Kaplan-Meier curve per segment (all rows when ``segment`` is None)."""
        from lifelines import KaplanMeierFitter

        level = check_level(self.level)
        validate_survival(data, duration, event)
        if len(data) == 0:
            raise DataError("survival data are empty")
        seg = _segments(data, segment)
        self.no_event_segments_ = _warn_no_events(data, seg, event)
        self.fitters_ = {}
        for g, part in data.groupby(seg, observed=True, sort=True):  # loop over segments, not customers
            self.fitters_[g] = KaplanMeierFitter(alpha=1 - level, label=str(g)).fit(
                part[duration].astype("float64"), part[event].astype("int64")
            )
        counts = data[event].astype("int64").groupby(seg, observed=True).agg(customers="size", churned="sum")
        counts["censored"] = counts["customers"] - counts["churned"]
        self.counts_ = counts
        self.segment_ = segment or "all"
        self.unit_ = data.attrs.get("duration_unit", "days")
        return self

    def summary(self, horizons: Sequence[float] | np.ndarray = ()) -> pd.DataFrame:
        """Per segment: N, events, median lifetime with its CI, and S(h) with its CI at each horizon.

        A median that is not reached is ``inf`` (the curve never falls to 0.5);
        a CI bound that is not reached is ``inf`` too.
        """
        from lifelines.utils import median_survival_times

        horizons = np.atleast_1d(check_nonnegative(np.asarray(horizons, dtype="float64"), "horizons"))
        rows = []
        for g, kmf in self.fitters_.items():
            ci = median_survival_times(kmf.confidence_interval_)
            row = {
                "segment": g,
                "customers": int(self.counts_.loc[g, "customers"]),
                "churned": int(self.counts_.loc[g, "churned"]),
                "censored": int(self.counts_.loc[g, "censored"]),
                "median": float(kmf.median_survival_time_),
                "median_lower": float(np.asarray(ci)[0, 0]),
                "median_upper": float(np.asarray(ci)[0, 1]),
            }
            band = kmf.confidence_interval_survival_function_
            for h in horizons:
                row[f"S({h:g})"] = float(step_at(kmf.survival_function_, [h])[0, 0])
                lo_hi = step_at(band, [h])[0]
                row[f"S({h:g})_lower"] = float(lo_hi[0])
                row[f"S({h:g})_upper"] = float(lo_hi[1])
            rows.append(row)
        out = pd.DataFrame(rows).set_index("segment")
        out.attrs["level"] = check_level(self.level)
        return out

    def plot(
        self, ax=None, *, time_unit: str | None = None, bands: bool = True, censors: bool = True, at_risk: bool = True
    ):
        """Curves with confidence bands, censoring marks and numbers at risk; x = durations, y = % retained.

        Parameters
        ----------
        ax : matplotlib axes (default: a new figure).
        time_unit : the unit of the durations for the x-axis label, in the time vocabulary of
            :mod:`crmlib.spec` (``"day"``, ``"week"``, ``"month"``, or a number of days); default the
            data's own (``attrs["duration_unit"]``, days). Durations are plotted as they are.
        bands : draw the pointwise bands (at the fit's ``level``).
        censors : mark each time with censored customers with a tick on its curve (as lifelines'
            ``show_censors``).
        at_risk : a table of customers still at risk under the x-axis, one row per segment
            (lifelines ``add_at_risk_counts``; Pocock, Clayton & Altman 2002, Lancet 359, 1686-1689,
            recommend it under every survival plot).
        """
        import matplotlib.pyplot as plt

        from ..style import label_axes

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5 + (0.35 * len(self.fitters_) if at_risk else 0)))
        for g, kmf in self.fitters_.items():
            sf = kmf.survival_function_.iloc[:, 0]
            t = sf.index.to_numpy()
            line = ax.step(
                t, sf.to_numpy() * 100, where="post", label=f"{g} (N = {int(self.counts_.loc[g, 'customers']):,})"
            )[0]
            if bands:
                band = kmf.confidence_interval_survival_function_
                ax.fill_between(
                    t,
                    band.iloc[:, 0].to_numpy() * 100,
                    band.iloc[:, 1].to_numpy() * 100,
                    step="post",
                    alpha=0.2,
                    color=line.get_color(),
                    linewidth=0,
                )
            if censors:
                table = kmf.event_table
                when = table.index[table["censored"].to_numpy() > 0].to_numpy(dtype="float64")
                y = step_at(sf, when) * 100
                ax.plot(when, y, linestyle="none", marker="|", markersize=6, color=line.get_color())
        ax.set_ylim(0, 101)
        if len(self.fitters_) > 1:
            ax.legend(title=self.segment_)
        if time_unit is not None:
            from ..spec import unit_label

            unit = unit_label(time_unit)  # DataError naming time_unit outside the vocabulary ("days", "W")
        else:
            unit = self.unit_
        label_axes(ax, f"Time since start ({unit})", "Customers retained (%)")
        if at_risk:
            from lifelines.plotting import add_at_risk_counts

            ax.set_xlim(left=0)
            add_at_risk_counts(*self.fitters_.values(), ax=ax, rows_to_show=["At risk"])
        return ax


def logrank(
    data: pd.DataFrame, segment: str, *, duration: str = "duration", event: str = "churned"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Log-rank tests: all segments together and every pair (lifelines.statistics).

    Returns
    -------
    overall : one row (``test_statistic``, ``df``, ``p``, ``groups``, ``customers``)
        from ``multivariate_logrank_test`` (H0: one survival curve for all segments).
    pairwise : one row per pair (``test_statistic``, ``p``, ``p_holm``) from
        ``pairwise_logrank_test``; ``p_holm`` is Holm's step-down adjustment
        for the number of pairs (Holm 1979, Scand. J. Statist. 6, 65-70).
    """
    from lifelines.statistics import multivariate_logrank_test, pairwise_logrank_test
    from statsmodels.stats.multitest import multipletests

    validate_survival(data, duration, event)
    seg = _segments(data, segment)
    k = seg.nunique()
    if k < 2:
        raise DataError(f"column {segment!r}: the log-rank test needs at least two segments, found {k}")
    _warn_no_events(data, seg, event)
    d = data[duration].astype("float64")
    e = data[event].astype("int64")
    res = multivariate_logrank_test(d, seg.astype(str), e)
    overall = pd.DataFrame(
        {
            "test_statistic": [float(res.test_statistic)],
            "df": [int(k - 1)],
            "p": [float(res.p_value)],
            "groups": [int(k)],
            "customers": [len(data)],
        }
    )
    pw = pairwise_logrank_test(d, seg.astype(str), e).summary[["test_statistic", "p"]].copy()
    pw["p_holm"] = multipletests(pw["p"].to_numpy(), method="holm")[1]
    pw.index.names = ["segment_a", "segment_b"]
    return overall, pw


def _follow_up(data: pd.DataFrame, duration: str, start: str | None) -> pd.Series:
    """Potential follow-up per customer (days): the last day a churn could be seen - start (+1 for transaction data).

    That day is the observation end, except for transaction data with churn dated at the last purchase,
    where a churn on day t is only known at t + w, so the last observable churn is observation end - w
    (``attrs["last_observable_churn"]``, set by :func:`crmlib.survival.from_transactions`).
    """
    obs_end = data.attrs.get("observation_end")
    if obs_end is not None and start is not None and start in data.columns:
        transactions = data.attrs.get("source") == "transactions"
        if transactions and data.attrs.get("event_at") == "last_purchase" and "last_observable_churn" in data.attrs:
            obs_end = data.attrs["last_observable_churn"]
        extra = 1.0 if transactions else 0.0
        return ((pd.Timestamp(obs_end) - data[start]) / DAY + extra).clip(lower=0.0)
    return data[duration].astype("float64")


def cohort_survival_table(
    data: pd.DataFrame,
    *,
    cohort: str = "cohort",
    period_days: float = 30.0,
    periods: int = 12,
    duration: str = "duration",
    event: str = "churned",
    entry: str = "start",
) -> pd.DataFrame:
    """Acquisition-cohort retention table: Kaplan-Meier S(k * period) per cohort.

    A cell is shown only when every member of the cohort could have been
    followed for ``k`` periods (potential follow-up = observation end - start,
    from ``data.attrs``); other cells are empty (NaN: not observed, not zero).

    Returns
    -------
    DataFrame indexed by cohort with ``customers`` and one column per period
    ``k = 0..periods`` holding the share retained (0-1).
    """
    validate_survival(data, duration, event)
    _need_columns(data, [cohort], "survival data")
    period_days = check_positive(period_days, "period_days")
    periods = check_count(periods, "periods", minimum=1, maximum=10_000)
    km = KaplanMeierBySegment().fit(data, duration=duration, event=event, segment=cohort)
    grid = np.arange(periods + 1) * float(period_days)
    fu = _follow_up(data, duration, entry).groupby(_segments(data, cohort), observed=True).min()
    rows = {}
    for g, kmf in km.fitters_.items():
        s = step_at(kmf.survival_function_, grid)[:, 0]
        rows[g] = np.where(grid <= fu.loc[g], s, np.nan)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(range(periods + 1)))
    table.insert(0, "customers", km.counts_["customers"].reindex(table.index).to_numpy())
    table.index.name = cohort
    table.columns.name = f"period ({period_days:g} days)"
    return table


def cohort_activity_table(
    log: pd.DataFrame,
    *,
    customer_id: str = "customer_id",
    date: str = "date",
    period: str = "month",
    observation_end: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Classic cohort table of a transaction log: share of a cohort buying in each period.

    Cohort = calendar ``period`` (``"week"``, ``"month"``, ``"quarter"`` or
    ``"year"``) of the first purchase; cell (cohort, k) = share of the cohort
    with at least one purchase in the k-th calendar period after the cohort's
    (k = 0 is the acquisition period, so it is 1). Periods that end after
    ``observation_end`` are empty (NaN); purchases after it are left out (with
    a :class:`DataWarning` giving their count: the log is read by
    :func:`crmlib.transactions.purchase_days`). This is the acquisition-cohort table
    of Blattberg, Kim & Neslin (2008), *Database Marketing*, ch. 5 (retention by cohort).
    """
    from .data import _purchase_days

    freq = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}[check_choice(period, "period", COHORT_PERIODS)]
    days, obs_end = _purchase_days(log, customer_id, date, observation_end, on_after_end="exclude")
    ordinal = pd.PeriodIndex(days["d"].dt.to_period(freq)).asi8
    frame = pd.DataFrame({"c": days["c"].to_numpy(), "o": ordinal})
    first = frame.groupby("c")["o"].transform("min").to_numpy()
    frame = pd.DataFrame({"c": frame["c"], "cohort": first, "k": ordinal - first}).drop_duplicates()
    sizes = frame.loc[frame["k"] == 0].groupby("cohort").size()
    counts = frame.groupby(["cohort", "k"]).size().unstack("k", fill_value=0)
    share = counts.div(sizes, axis=0)
    end_period = obs_end.to_period(freq)
    last_full = end_period.ordinal if obs_end.normalize() == end_period.end_time.normalize() else end_period.ordinal - 1
    unobserved = share.index.to_numpy()[:, None] + share.columns.to_numpy()[None, :] > last_full
    share = share.mask(unobserved)
    share.index = (
        pd.PeriodIndex.from_ordinals(share.index.to_numpy(), freq=freq)
        if hasattr(pd.PeriodIndex, "from_ordinals")
        else pd.PeriodIndex(ordinal=share.index.to_numpy(), freq=freq)
    )
    share.index.name = "cohort"
    share.insert(0, "customers", sizes.to_numpy())
    share.columns.name = f"{period}s since acquisition"
    return share


def period_rates(
    data: pd.DataFrame,
    *,
    period_days: float = 30.0,
    periods: int = 12,
    duration: str = "duration",
    event: str = "churned",
) -> pd.DataFrame:
    """Period retention and churn rates from the pooled Kaplan-Meier curve.

    For period ``k`` = (``(k-1) p``, ``k p``] days: ``S_start``, ``S_end``,
    retention rate ``r_k = S(k p) / S((k-1) p)`` (the share of customers
    alive at the period start who are still there at its end) and churn rate
    ``1 - r_k``; ``at_risk`` is the number still under observation at the
    period start and ``churned`` the events in the period (Klein &
    Moeschberger 2003, sec. 5.4, life-table quantities).
    """
    from lifelines import KaplanMeierFitter

    validate_survival(data, duration, event)
    period_days = check_positive(period_days, "period_days")
    periods = check_count(periods, "periods", minimum=1, maximum=10_000)
    d = data[duration].astype("float64").to_numpy()
    e = data[event].astype("int64").to_numpy()
    kmf = KaplanMeierFitter().fit(d, e)
    grid = np.arange(periods + 1) * float(period_days)
    s = step_at(kmf.survival_function_, grid)[:, 0]
    lo, hi = grid[:-1], grid[1:]
    at_risk = (d[None, :] > lo[:, None]).sum(axis=1)
    churned = ((d[None, :] > lo[:, None]) & (d[None, :] <= hi[:, None]) & (e[None, :] == 1)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(s[:-1] > 0, s[1:] / s[:-1], np.nan)
    out = pd.DataFrame(
        {
            "period": np.arange(1, periods + 1),
            "start_day": lo,
            "end_day": hi,
            "at_risk": at_risk,
            "churned": churned,
            "S_start": s[:-1],
            "S_end": s[1:],
            "retention_rate": r,
            "churn_rate": 1 - r,
        }
    )
    return out.loc[out["at_risk"] > 0].reset_index(drop=True)


def plot_cohort_heatmap(
    table: pd.DataFrame, ax=None, *, period_label: str = "Periods since acquisition (30-day periods)"
):
    """Heatmap of a cohort table (share retained, shown in %); empty cells are unobserved."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from ..style import label_axes

    values = table.drop(columns=["customers"], errors="ignore") * 100
    if ax is None:
        _, ax = plt.subplots(figsize=(min(12, 1.5 + 0.6 * values.shape[1]), 1.2 + 0.35 * values.shape[0]))
    ylabels = (
        [f"{c} (N = {int(n):,})" for c, n in zip(table.index, table["customers"])]
        if "customers" in table
        else [str(c) for c in table.index]
    )
    sns.heatmap(
        values,
        ax=ax,
        annot=values.shape[1] <= 20,
        annot_kws={"fontsize": 8},
        fmt=".0f",
        cmap="viridis",
        vmin=0,
        vmax=100,
        cbar_kws={"label": "Customers retained (%)"},
        yticklabels=ylabels,
    )
    ax.grid(False)
    label_axes(ax, period_label, "Acquisition cohort")
    return ax


def retention_table(summary: pd.DataFrame, *, median_digits: int = 0, digits: int = 3) -> pd.DataFrame:
    """A Kaplan-Meier summary for readers: each estimate and its interval in one text column.

    ``summary`` is :meth:`KaplanMeierBySegment.summary` (or any table with ``X``, ``X_lower``,
    ``X_upper`` columns): medians (days) are shown with ``median_digits`` decimals (whole days
    by default), everything else folded (shares S(h)) with ``digits``; ``inf`` (a median or bound
    not reached) prints as "not reached". The folding is :func:`crmlib.style.compact_intervals`.

    References
    ----------
    Kaplan, E. L. & Meier, P. (1958). *JASA* 53, 457-481; APA (2020), sec. 6.44 (estimate and interval).
    """
    from ..style import compact_intervals

    level = float(summary.attrs.get("level", 0.95))
    options = {"template": "{estimate} ({lower}-{upper})", "label": f"{{column}} ({level:.0%} CI)"}
    medians = [c for c in summary.columns if str(c).startswith("median") and not str(c).endswith(("_lower", "_upper"))]
    parts = []
    for col in summary.columns:
        if str(col).endswith(("_lower", "_upper")):
            continue
        cols = [col] + [f"{col}_{end}" for end in ("lower", "upper") if f"{col}_{end}" in summary.columns]
        parts.append(compact_intervals(summary[cols], median_digits if col in medians else digits, **options))
    return pd.concat(parts, axis=1)
