"""Validation of fitted CLV models: holdout comparison, tracking, goodness of fit, model comparison.

The checks of Fader, Hardie & Lee (2005, Marketing Science 24(2), section 5):
conditional expected versus actual holdout transactions by calibration
frequency (their Figure 4), weekly and cumulative repeat transactions of the
cohort against the model's expectation (Figures 2-3), and the fit of the
calibration-period frequency histogram (Figure 1). Model comparison by
log-likelihood, AIC (Akaike 1974) and BIC (Schwarz 1978).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._checks import check_count, check_positive
from ..exceptions import DataError
from ..spec import SummarySpec, summary_spec
from ._base import BaseFitter, PurchaseFitter
from ._data import check_columns

__all__ = [
    "holdout_comparison",
    "tracking",
    "segment_holdout_comparison",
    "frequency_histogram_test",
    "compare_models",
    "expected_frequency_histogram",
]


def _holdout_spec(data: pd.DataFrame, model: Any) -> SummarySpec | None:
    spec = getattr(data, "attrs", {}).get("crmlib")
    if isinstance(spec, SummarySpec):
        return spec
    return getattr(model, "spec_", None)


def holdout_comparison(model: PurchaseFitter, data: pd.DataFrame, max_frequency: int = 7) -> pd.DataFrame:
    """Mean actual versus conditional expected holdout transactions by calibration frequency.

    ``data`` needs ``frequency``, ``recency``, ``T``, ``frequency_holdout`` and
    ``duration_holdout`` (as :func:`crmlib.transactions.summarize` returns with
    ``calibration_end``). Frequencies of ``max_frequency`` and above are pooled
    (label ``"7+"``). Returns one row per group with ``n_customers``,
    ``actual`` and ``expected`` (mean repeat transactions per customer) and
    their difference; FHL 2005, Figure 4. ``attrs`` carry the ``time_unit``
    words and the ``holdout_length`` (from the summary's
    :class:`~crmlib.spec.SummarySpec`, else the longest ``duration_holdout``)
    for captions and :func:`crmlib.clv.plots.plot_calibration_holdout`.
    """
    max_frequency = check_count(max_frequency, "max_frequency", minimum=1)
    cols = check_columns(
        data,
        {
            "frequency": "count",
            "recency": "nonneg",
            "T": "positive",
            "frequency_holdout": "count",
            "duration_holdout": "nonneg",
        },
    )
    x = cols["frequency"]
    expected = model.conditional_expected_purchases(cols["duration_holdout"], x, cols["recency"], cols["T"])
    group = np.minimum(x, max_frequency).astype(int)
    frame = pd.DataFrame({"group": group, "actual": cols["frequency_holdout"], "expected": expected})
    out = frame.groupby("group").agg(
        n_customers=("actual", "size"), actual=("actual", "mean"), expected=("expected", "mean")
    )
    out.index = [f"{g}+" if g == max_frequency else str(g) for g in out.index]
    out.index.name = "calibration frequency"
    out["difference"] = out["expected"] - out["actual"]
    spec = _holdout_spec(data, model)
    out.attrs["time_unit"] = spec.unit_label if spec is not None else "time units"
    length = spec.holdout_length if spec is not None else None
    out.attrs["holdout_length"] = float(length if length is not None else cols["duration_holdout"].max())
    return out


def tracking(
    model: PurchaseFitter,
    summary: pd.DataFrame,
    log: Any,
    *,
    customer_id: str = "customer_id",
    date: str = "date",
    **log_options: Any,
) -> pd.DataFrame:
    """Repeat transactions of a cohort per time unit: actual versus expected (FHL 2005, Figures 2-3).

    The calibration end, observation end and time unit come from the
    summary's :class:`~crmlib.spec.SummarySpec` (as made by
    :func:`crmlib.transactions.summarize` with ``calibration_end``); the log is
    read by :func:`crmlib.transactions.purchase_days` (same checks, several
    purchases on one day count once, as in the summary). The cohort is the
    summary's customers; the first purchase day of each is the trial, later
    days are repeat transactions; periods are counted from the cohort's first
    purchase day. The expected count in period ``(t-1, t]`` is
    ``sum_i [E X(t - s_i) - E X(t - 1 - s_i)]`` over customers with first
    purchase at ``s_i`` (time units after the start), using the model's
    ``expected_purchases``.

    Parameters
    ----------
    model : a fitted continuous-time model (``expected_purchases``).
    summary : the calibration summary the model was fitted on (carries the spec).
    log : the transaction log (anything ``purchase_days`` reads).
    customer_id, date : the log's columns.
    **log_options : reading options and check policies of ``purchase_days``
        (``date_format``, ``encoding``, ``on_duplicate``, ...).

    Returns
    -------
    DataFrame indexed by period number (1, 2, ...) with ``period_end`` (date),
    ``actual``, ``expected``, their cumulative sums and ``calibration`` (True
    for periods ending on or before the calibration end); ``attrs`` hold
    ``time_unit`` (words) and ``calibration_end``.
    """
    from ..transactions import purchase_days

    spec = summary_spec(summary)
    if spec.calibration_end is None:
        raise DataError(
            "tracking needs a summary with a calibration period: summarize(log, calibration_end=...) "
            "records it in the summary's SummarySpec"
        )
    # several purchases on one day are one purchase day by definition, not duplicates to report
    log_options.setdefault("on_duplicate", "ignore")
    days = purchase_days(log, customer_id=customer_id, date=date, observation_end=spec.observation_end, **log_options)
    days = days[days["customer_id"].isin(summary.index)]
    if days.empty:
        raise DataError("tracking: none of the summary's customers appears in the log; is it the same log?")
    dpu = spec.days_per_unit
    start = days["date"].min()
    first = days.groupby("customer_id")["date"].transform("min")
    repeat_days = (days.loc[days["date"] > first, "date"] - start).dt.days.to_numpy()
    birth_days = (days.groupby("customer_id")["date"].min() - start).dt.days.to_numpy(dtype=float)
    n_periods = int(np.floor(((spec.observation_end - start).days + 1) / dpu))
    t = np.arange(1, n_periods + 1, dtype=float)
    actual = np.bincount(np.floor(repeat_days / dpu).astype(int), minlength=n_periods)[:n_periods]
    ub, counts = np.unique(birth_days / dpu, return_counts=True)
    age = t[:, None] - ub[None, :]
    cum = np.where(age > 0, model.expected_purchases(np.clip(age, 0, None)), 0.0) @ counts
    expected = np.diff(np.concatenate([[0.0], cum]))
    period_end = start + pd.to_timedelta(t * dpu - 1, unit="D")
    out = pd.DataFrame(
        {
            "period_end": period_end,
            "actual": actual,
            "expected": expected,
            "cumulative_actual": np.cumsum(actual),
            "cumulative_expected": cum,
            "calibration": period_end <= spec.calibration_end,
        },
        index=pd.Index(t.astype(int), name="period"),
    )
    out.attrs["time_unit"] = spec.unit_label
    out.attrs["calibration_end"] = spec.calibration_end
    return out


def segment_holdout_comparison(model: PurchaseFitter, summary: pd.DataFrame, segments: pd.Series) -> pd.DataFrame:
    """Holdout behaviour of customer segments (e.g. RFM) against the model's conditional expectation.

    For each segment of the calibration summary (``segments``, one label per
    customer of ``summary``, e.g. :func:`crmlib.transactions.rfm_segments`):
    its customers and their share, the mean calibration repeat purchases, the
    share that bought in the holdout, the mean holdout purchases, the model's
    mean conditional expectation over each customer's ``duration_holdout``
    (FHL 2005 eq. 10, as in :func:`holdout_comparison`) and the segment's
    share of all holdout purchases. Segments without customers are left out.

    Returns
    -------
    DataFrame indexed by segment (in the order of a categorical ``segments``)
    with ``customers``, ``customer_share``, ``mean_calibration``,
    ``buyer_share``, ``mean_holdout``, ``mean_expected`` and ``purchase_share``.
    """
    cols = check_columns(
        summary,
        {
            "frequency": "count",
            "recency": "nonneg",
            "T": "positive",
            "frequency_holdout": "count",
            "duration_holdout": "nonneg",
        },
    )
    seg = pd.Series(segments)
    missing = summary.index.difference(seg.index)
    if len(missing):
        raise DataError(f"segments has no label for {len(missing)} customers of the summary, e.g. {list(missing[:5])}")
    seg = seg.reindex(summary.index)
    holdout = cols["frequency_holdout"]
    frame = pd.DataFrame(
        {
            "segment": seg.to_numpy(),
            "calibration": cols["frequency"],
            "buyer": (holdout > 0).astype(float),
            "holdout": holdout,
            "expected": model.conditional_expected_purchases(
                cols["duration_holdout"], cols["frequency"], cols["recency"], cols["T"]
            ),
        }
    )
    g = frame.groupby("segment", observed=True, sort=False)
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "mean_calibration": g["calibration"].mean(),
            "buyer_share": g["buyer"].mean(),
            "mean_holdout": g["holdout"].mean(),
            "mean_expected": g["expected"].mean(),
            "holdout_total": g["holdout"].sum(),
        }
    )
    if isinstance(seg.dtype, pd.CategoricalDtype):
        out = out.reindex([c for c in seg.cat.categories if c in out.index])
    out.insert(1, "customer_share", out["customers"] / len(frame))
    total = holdout.sum()
    out["purchase_share"] = out.pop("holdout_total") / total if total > 0 else np.nan
    out.index.name = "segment"
    return out


def expected_frequency_histogram(model: PurchaseFitter, data: pd.DataFrame, max_frequency: int = 7) -> pd.DataFrame:
    """Observed and expected numbers of customers by calibration frequency, the tail pooled at ``max_frequency``.

    Expected counts are ``sum_i P(X(T_i) = x)`` with each customer's own
    observation length (``T``, or ``n_periods`` for BG/BB).
    """
    max_frequency = check_count(max_frequency, "max_frequency", minimum=1)
    discrete = "n_periods" in data.columns and "T" not in data.columns
    spec = {
        "frequency": "count",
        ("n_periods" if discrete else "T"): ("count" if discrete else "positive"),
        "weight": "positive",
    }
    cols = check_columns(data, spec, optional=("weight",))
    length = cols["n_periods" if discrete else "T"]
    w = cols.get("weight", np.ones(length.size))
    ul, inv = np.unique(length, return_inverse=True)
    wl = np.bincount(inv.ravel(), weights=w)
    xs = np.arange(max_frequency)
    probs = model.probability_of_purchases(xs[None, :], ul[:, None])
    probs = np.column_stack([probs, np.clip(1 - probs.sum(axis=1), 0, None)])
    expected = wl @ probs
    obs = np.bincount(np.minimum(cols["frequency"], max_frequency).astype(int), weights=w, minlength=max_frequency + 1)
    labels = [str(i) for i in xs] + [f"{max_frequency}+"]
    return pd.DataFrame({"observed": obs, "expected": expected}, index=pd.Index(labels, name="frequency"))


def frequency_histogram_test(
    model: PurchaseFitter, data: pd.DataFrame, max_frequency: int = 7, min_expected: float = 5.0
) -> dict[str, Any]:
    """Pearson chi-square test of the calibration frequency histogram (FHL 2005, section 5).

    Bins from the right are pooled until each expected count is at least
    ``min_expected``; degrees of freedom = bins - 1 - number of parameters.

    Returns a dict with ``table`` (observed, expected after pooling),
    ``chi2``, ``df`` and ``p_value``.
    """
    min_expected = float(check_positive(min_expected, "min_expected"))
    table = expected_frequency_histogram(model, data, max_frequency)
    obs, exp = list(table["observed"]), list(table["expected"])
    labels = list(table.index)
    while len(exp) > 2 and exp[-1] < min_expected:
        obs[-2] += obs.pop()
        exp[-2] += exp.pop()
        labels.pop()
        labels[-1] = labels[-1].rstrip("+") + "+"
    k = len(model.param_names)
    df = len(exp) - 1 - k
    if df < 1:
        raise DataError(
            f"only {len(exp)} bins after pooling (expected count >= {min_expected}); "
            f"raise max_frequency to test a {k}-parameter model"
        )
    o, e = np.array(obs), np.array(exp)
    chi2 = float(((o - e) ** 2 / e).sum())
    return {
        "table": pd.DataFrame({"observed": o, "expected": e}, index=pd.Index(labels, name="frequency")),
        "chi2": chi2,
        "df": int(df),
        "p_value": float(stats.chi2.sf(chi2, df)),
    }


def compare_models(models: dict[str, BaseFitter]) -> pd.DataFrame:
    """Log-likelihood, number of parameters, AIC and BIC of fitted models (on the same data), best BIC first."""
    rows = {}
    n = set()
    for name, m in models.items():
        if not hasattr(m, "log_likelihood_"):
            raise DataError(f"model {name!r} is not fitted")
        rows[name] = m.fit_statistics()
        n.add(round(m.n_customers_, 6))
    if len(n) > 1:
        raise DataError(
            f"the models were fitted on different numbers of customers {sorted(n)}; their AIC/BIC do not compare"
        )
    out = pd.DataFrame(rows).T
    out["n_params"] = out["n_params"].astype(int)
    out["delta_bic"] = out["bic"] - out["bic"].min()
    return out.sort_values("bic")
