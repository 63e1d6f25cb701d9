"""Validation of fitted CLV models: holdout comparison, tracking, goodness of fit, model comparison.

The checks of Fader, Hardie & Lee (2005, Marketing Science 24(2), section 5):
conditional expected versus actual holdout transactions by calibration
frequency (their Figure 4), weekly and cumulative repeat transactions of the
cohort against the model's expectation (Figures 2-3), and the fit of the
calibration-period frequency histogram (Figure 1). Model comparison by
log-likelihood, AIC (Akaike 1974) and BIC (Schwarz 1978); the holdout accuracy
of several models side by side (cohort total, per-customer errors, by
calibration frequency), the Gamma-Gamma spend against holdout revenue by group
of predicted value, and a model choice that weighs the calibration BIC against
the holdout (:func:`choose_model`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._checks import check_count, check_nonnegative, check_positive
from ..exceptions import DataError
from ..spec import SummarySpec, summary_spec
from ._base import BaseFitter, PurchaseFitter, SpendFitter
from ._data import check_columns

__all__ = [
    "holdout_comparison",
    "tracking",
    "segment_holdout_comparison",
    "frequency_histogram_test",
    "compare_models",
    "expected_frequency_histogram",
    "holdout_accuracy",
    "holdout_by_frequency",
    "holdout_revenue",
    "ModelChoice",
    "choose_model",
]

_HOLDOUT = {
    "frequency": "count",
    "recency": "nonneg",
    "T": "nonneg",
    "frequency_holdout": "count",
    "duration_holdout": "nonneg",
}


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
            "T": "nonneg",
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
            "T": "nonneg",
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
        ("n_periods" if discrete else "T"): ("count" if discrete else "nonneg"),
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


def _check_models(models: dict[str, Any], what: str = "models") -> dict[str, Any]:
    if not isinstance(models, dict) or not models:
        raise DataError(f"{what} must be a non-empty dict of fitted models by name, got {models!r}")
    for name, m in models.items():
        if not hasattr(m, "params_"):
            raise DataError(f"model {name!r} in {what} is not fitted; call fit(data) first")
    return models


def _holdout_expected(models: dict[str, PurchaseFitter], data: pd.DataFrame) -> tuple[dict[str, np.ndarray], Any]:
    """Each model's conditional expected holdout purchases per customer (FHL 2005 eq. 10), and the checked columns."""
    cols = check_columns(data, _HOLDOUT)
    expected = {
        name: np.asarray(
            m.conditional_expected_purchases(cols["duration_holdout"], cols["frequency"], cols["recency"], cols["T"]),
            dtype=float,
        )
        for name, m in _check_models(models).items()
    }
    return expected, cols


def holdout_accuracy(models: dict[str, PurchaseFitter], data: pd.DataFrame) -> pd.DataFrame:
    """Holdout accuracy of several purchase models: the cohort's total and the per-customer errors.

    For every customer the model's conditional expectation of the purchases in
    the holdout, ``E[X(T, T + duration_holdout) | frequency, recency, T]``
    (FHL 2005, eq. 10), is set against the actual ``frequency_holdout``.

    Parameters
    ----------
    models : fitted BG/NBD, MBG/NBD or Pareto/NBD models by name (``{"BG/NBD": model, ...}``).
    data : per-customer ``frequency``, ``recency``, ``T``, ``frequency_holdout`` and
        ``duration_holdout`` (times in the models' time unit), as
        :func:`crmlib.transactions.summarize` returns with ``calibration_end``.

    Returns
    -------
    DataFrame, one row per model (in the order given), with ``expected`` and
    ``actual`` (the cohort's holdout purchases, counts), ``error_share``
    (``expected / actual - 1``), ``mae`` and ``rmse`` (mean absolute and
    root mean squared error per customer, purchases) and ``correlation``
    (Pearson, per customer).

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the easy way.
    *Marketing Science* 24(2), 275-284 (eq. 10, section 5). Hyndman, R. J. and Koehler, A. B. (2006).
    Another look at measures of forecast accuracy. *International Journal of Forecasting* 22(4), 679-688.
    """
    expected, cols = _holdout_expected(models, data)
    y = cols["frequency_holdout"]
    if y.sum() == 0:
        raise DataError("column 'frequency_holdout' is 0 for every customer: no holdout purchases to compare with")
    rows = {}
    for name, e in expected.items():
        err = e - y
        corr = np.corrcoef(e, y)[0, 1] if e.std() > 0 and y.std() > 0 else np.nan
        rows[name] = {
            "expected": float(e.sum()),
            "actual": float(y.sum()),
            "error_share": float(e.sum() / y.sum() - 1),
            "mae": float(np.abs(err).mean()),
            "rmse": float(np.sqrt((err**2).mean())),
            "correlation": float(corr),
        }
    out = pd.DataFrame(rows).T
    out.index.name = "model"
    return out


def holdout_by_frequency(models: dict[str, PurchaseFitter], data: pd.DataFrame, max_frequency: int = 7) -> pd.DataFrame:
    """Mean actual and expected holdout purchases by calibration frequency, every model side by side.

    :func:`holdout_comparison` (FHL 2005, Figure 4) for several models at once.

    Parameters
    ----------
    models : fitted purchase models by name.
    data : as :func:`holdout_accuracy`.
    max_frequency : repeat purchases from which customers are pooled (``"7+"``).

    Returns
    -------
    DataFrame indexed by calibration frequency (``"0"``, ``"1"``, ..., ``"7+"``)
    with ``n_customers``, ``actual`` (mean holdout purchases per customer) and
    one column per model (its mean conditional expectation); ``attrs`` as
    :func:`holdout_comparison`.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the easy way.
    *Marketing Science* 24(2), 275-284 (Figure 4).
    """
    tables = {name: holdout_comparison(m, data, max_frequency) for name, m in _check_models(models).items()}
    first = next(iter(tables.values()))
    out = pd.concat(
        {
            "n_customers": first["n_customers"],
            "actual": first["actual"],
            **{n: t["expected"] for n, t in tables.items()},
        },
        axis=1,
    )
    out.attrs.update(first.attrs)
    return out


def holdout_revenue(
    transaction_model: PurchaseFitter, spend_model: SpendFitter, data: pd.DataFrame, n_groups: int = 10
) -> pd.DataFrame:
    """Predicted against actual holdout revenue, by group (decile) of predicted value.

    Each customer's predicted holdout revenue is the conditional expected
    holdout purchases (FHL 2005, eq. 10) times the conditional expected spend
    per purchase of the spend model (Gamma-Gamma, FHL 2005b eq. 5; one-time
    buyers get the population mean); the actual revenue is
    ``frequency_holdout * monetary_holdout``. Customers are ranked by predicted
    revenue (highest first; ties in the data's row order) and cut into
    ``n_groups`` groups of equal size (the first ``N % n_groups`` groups have one
    customer more).

    Parameters
    ----------
    transaction_model : fitted BG/NBD, MBG/NBD or Pareto/NBD model.
    spend_model : fitted Gamma-Gamma model.
    data : per-customer ``frequency``, ``recency``, ``T``, ``monetary``,
        ``frequency_holdout``, ``monetary_holdout`` (currency units per
        purchase period) and ``duration_holdout``, as
        :func:`crmlib.transactions.summarize` returns with ``calibration_end``.
    n_groups : groups of customers (10: deciles).

    Returns
    -------
    DataFrame indexed by ``group`` (1 = highest predicted value) with
    ``n_customers``, ``predicted`` and ``actual`` (holdout revenue of the group,
    currency units), ``ratio`` (``predicted / actual``), ``predicted_share`` and
    ``actual_share`` (shares of the cohort's predicted and actual holdout
    revenue). ``attrs``: ``predicted_total``, ``actual_total`` and
    ``correlation`` (Pearson, predicted against actual revenue per customer).

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005b). RFM and CLV: using iso-value curves for
    customer base analysis. *Journal of Marketing Research* 42(4), 415-430 (eq. 5, section 4).
    """
    expected, cols = _holdout_expected({"model": transaction_model}, data)
    _check_models({"spend_model": spend_model}, "spend_model")
    extra = check_columns(data, {"monetary": "nonneg", "monetary_holdout": "nonneg"})
    n = len(data)
    n_groups = check_count(n_groups, "n_groups", minimum=1, maximum=n)
    x = cols["frequency"]
    spend = spend_model.conditional_expected_spend(x, np.where(x > 0, extra["monetary"], 1.0))
    predicted = expected["model"] * np.asarray(spend, dtype=float)
    actual = cols["frequency_holdout"] * extra["monetary_holdout"]
    if actual.sum() <= 0:
        raise DataError("the holdout revenue (frequency_holdout x monetary_holdout) is 0 for every customer")
    order = np.argsort(-predicted, kind="stable")
    group = np.empty(n, dtype=int)
    sizes = np.full(n_groups, n // n_groups) + (np.arange(n_groups) < n % n_groups)
    group[order] = np.repeat(np.arange(1, n_groups + 1), sizes)
    frame = pd.DataFrame({"group": group, "predicted": predicted, "actual": actual})
    out = frame.groupby("group").agg(
        n_customers=("actual", "size"), predicted=("predicted", "sum"), actual=("actual", "sum")
    )
    out["ratio"] = out["predicted"] / out["actual"].where(out["actual"] > 0)
    out["predicted_share"] = out["predicted"] / predicted.sum()
    out["actual_share"] = out["actual"] / actual.sum()
    out.attrs.update(
        predicted_total=float(predicted.sum()),
        actual_total=float(actual.sum()),
        correlation=float(np.corrcoef(predicted, actual)[0, 1]),
    )
    return out


@dataclass(frozen=True)
class ModelChoice:
    """The purchase model :func:`choose_model` recommends: ``best`` (its name), ``table`` and ``reason``.

    ``table`` holds, by model, the calibration fit (``log_likelihood``, ``bic``,
    ``delta_bic``, ``within_bic_margin``) and, with a holdout, the columns of
    :func:`holdout_accuracy` and ``rmse_p_value`` (paired t-test of the
    per-customer squared errors against the recommended model's). ``reason``
    is one sentence that says why.
    """

    best: str
    table: pd.DataFrame
    reason: str


def _paired_p(loss_a: np.ndarray, loss_b: np.ndarray) -> float:
    d = loss_a - loss_b
    if d.std(ddof=1) == 0:
        return 1.0
    return float(stats.ttest_1samp(d, 0.0).pvalue)


def choose_model(
    models: dict[str, PurchaseFitter], data: pd.DataFrame | None = None, *, bic_margin: float = 10.0
) -> ModelChoice:
    """Recommend a purchase model by weighing calibration fit (BIC) against holdout accuracy.

    The rule: models whose BIC is more than ``bic_margin`` above the lowest
    are set aside (a BIC difference above 10 is "very strong" evidence, Kass
    & Raftery 1995, section 3.2); among the rest the calibration data do not
    decide, and the one whose expected holdout total is closest to the actual
    is recommended, because the cohort's projections and customer equity are
    sums over customers, which the holdout total checks directly. Per-customer
    RMSE is shown beside it with a paired t-test against the recommended
    model (on CDNOW the per-customer errors of the three models differ by less
    than their noise). Without a holdout (``data`` ``None`` or without
    ``frequency_holdout``) the lowest BIC is recommended and the reason says so.

    Parameters
    ----------
    models : fitted purchase models by name, fitted on the same calibration data.
    data : the calibration summary with the holdout columns of :func:`holdout_accuracy`, or ``None``.
    bic_margin : BIC difference (BIC points) up to which the calibration fit
        is taken as not deciding between models; non-negative.

    Returns
    -------
    ModelChoice
        ``best``, ``table`` (by model, lowest BIC first) and ``reason`` (one sentence).

    References
    ----------
    Kass, R. E. and Raftery, A. E. (1995). Bayes factors. *Journal of the American Statistical Association*
    90(430), 773-795. Schwarz, G. (1978). Estimating the dimension of a model. *Annals of Statistics* 6(2),
    461-464. Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the easy way.
    *Marketing Science* 24(2), 275-284 (section 5: the holdout as the test of a model).
    """
    bic_margin = float(check_nonnegative(bic_margin, "bic_margin"))
    fit = compare_models(_check_models(models))
    table = fit[["log_likelihood", "bic", "delta_bic"]].copy()
    table["within_bic_margin"] = table["delta_bic"] <= bic_margin
    first = str(table.index[0])
    behind = [str(n) for n in table.index[~table["within_bic_margin"]]]
    near = [str(n) for n in table.index[table["within_bic_margin"]]]
    if data is None or "frequency_holdout" not in data.columns:
        nxt = (
            f"; the next, {table.index[1]}, is {table['delta_bic'].iloc[1]:.1f} points behind" if len(table) > 1 else ""
        )
        reason = f"{first} is recommended by BIC alone{nxt} (there is no holdout period to check the predictions on)."
        return ModelChoice(first, table, reason)
    acc = holdout_accuracy({n: models[n] for n in table.index}, data)
    table = table.join(acc)
    best = min(near, key=lambda n: abs(table.loc[n, "error_share"]))
    expected, cols = _holdout_expected({n: models[n] for n in table.index}, data)
    y = cols["frequency_holdout"]
    table["rmse_p_value"] = [
        np.nan if n == best else _paired_p((expected[n] - y) ** 2, (expected[best] - y) ** 2) for n in table.index
    ]

    def err(n: str) -> str:
        return f"{n} {table.loc[n, 'error_share']:+.1%}"

    others = [n for n in near if n != best]
    totals = ", ".join(err(n) for n in [best, *others])
    if best != first:
        why = (
            f"{best} is recommended: its calibration BIC is {table.loc[best, 'delta_bic']:.1f} points above "
            f"{first}'s (within the {bic_margin:g} points the calibration data do not settle) and it predicts the "
            f"holdout total better ({totals}, expected against actual)"
        )
    elif others:
        why = (
            f"{best} is recommended: it has the lowest BIC and predicts the holdout total best of the models within "
            f"{bic_margin:g} BIC points ({totals}, expected against actual)"
        )
    else:
        why = f"{best} is recommended: it has the lowest BIC ({best} {table.loc[best, 'error_share']:+.1%} on the holdout total)"
    clauses = []
    for n in behind:
        gap = f"{table.loc[n, 'delta_bic']:.1f} BIC points behind"
        if abs(table.loc[n, "error_share"]) < abs(table.loc[best, "error_share"]):
            clauses.append(
                f"{n} comes closer on the holdout total ({table.loc[n, 'error_share']:+.1%}) but is {gap}, "
                "very strong evidence against it on the calibration data (Kass & Raftery 1995)"
            )
        else:
            clauses.append(f"{n} is {gap} and no closer on the holdout total ({table.loc[n, 'error_share']:+.1%})")
    if clauses:
        why += "; " + "; ".join(clauses)
    return ModelChoice(best, table, why + ".")
