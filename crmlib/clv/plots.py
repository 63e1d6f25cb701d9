"""Standard figures of customer-base analysis (Fader, Hardie & Lee 2005, Figures 1-4; lifetimes' plotting set).

Every function draws on a matplotlib axis (``ax``, created when ``None``),
labels both axes via :func:`crmlib.style.label_axes`, and returns the axis.
Time units are named with the words of :mod:`crmlib.spec` (``"weeks"``): taken
from the fitted model's or the table's :class:`~crmlib.spec.SummarySpec` unless
``time_unit`` is given.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from .._checks import check_choice, check_positive
from ..exceptions import DataError
from ..spec import unit_label
from ..style import label_axes
from ._base import ContractFitter, PurchaseFitter, SpendFitter

__all__ = [
    "plot_frequency_recency_matrix",
    "plot_tracking",
    "plot_calibration_holdout",
    "plot_holdout_revenue",
    "plot_frequency_histogram",
    "plot_retention",
    "plot_spend_distribution",
    "plot_clv_distribution",
    "plot_gains",
]


def _unit_words(time_unit: str | float | None, model: object = None, default: str = "time units") -> str:
    """Plural words of the time unit: the given one, else the model's fitted SummarySpec, else ``default``."""
    if time_unit is not None:
        return unit_label(time_unit)
    spec = getattr(model, "spec_", None)
    return spec.unit_label if spec is not None else default


def _ax(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


def plot_frequency_recency_matrix(
    model: PurchaseFitter,
    T: float,
    *,
    kind: str = "alive",
    t: float = 1.0,
    max_frequency: int | None = None,
    time_unit: str | float | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Heat map of P(alive) (``kind="alive"``) or expected transactions in the next ``t`` (``"expected"``).

    Rows: frequency 0..``max_frequency``; columns: recency 0..``T`` for a
    customer observed for ``T`` time units (FHL 2005, Figure 5; lifetimes'
    ``plot_probability_alive_matrix``). ``time_unit`` names the unit in the
    labels (default: the model's fitted :class:`~crmlib.spec.SummarySpec`).
    """
    check_choice(kind, "kind", ["alive", "expected"])
    T = float(check_positive(T, "T"))
    words = _unit_words(time_unit, model)
    ax = _ax(ax)
    max_frequency = int(max_frequency or 30)
    x = np.arange(max_frequency + 1, dtype=float)
    rec = np.linspace(0, T, 60)
    X, R = np.meshgrid(x, rec, indexing="ij")
    R = np.where(X == 0, 0.0, np.maximum(R, 1e-9))
    if kind == "alive":
        Z, label = model.probability_alive(X, R, np.full(X.shape, float(T))), "P(alive)"
    elif kind == "expected":
        Z = model.conditional_expected_purchases(t, X, R, np.full(X.shape, float(T)))
        label = f"expected transactions in the next {t:g} {words}"
    im = ax.imshow(Z, origin="lower", aspect="auto", extent=(0, T, -0.5, max_frequency + 0.5), cmap="viridis")
    ax.figure.colorbar(im, ax=ax, label=label)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(False)
    return label_axes(ax, f"recency: time of last repeat transaction ({words})", "frequency (repeat transactions)")


def plot_tracking(
    track: pd.DataFrame, *, cumulative: bool = False, time_unit: str | float | None = None, ax: plt.Axes | None = None
) -> plt.Axes:
    """Actual versus expected repeat transactions per period (or cumulative), calibration end marked (FHL 2005, Figs. 2-3).

    ``track`` is the table of :func:`crmlib.clv.validate.tracking`; the unit
    words come from its ``attrs["time_unit"]`` unless ``time_unit`` is given.
    """
    words = unit_label(time_unit) if time_unit is not None else track.attrs.get("time_unit", "time units")
    ax = _ax(ax)
    a, e = ("cumulative_actual", "cumulative_expected") if cumulative else ("actual", "expected")
    ax.plot(track.index, track[a], label="actual")
    ax.plot(track.index, track[e], linestyle="--", label="model")
    if "calibration" in track.columns and track["calibration"].any() and not track["calibration"].all():
        ax.axvline(
            track.index[track["calibration"]].max() + 0.5, color="grey", linestyle=":", label="end of calibration"
        )
    ax.legend()
    what = "cumulative repeat transactions" if cumulative else "repeat transactions"
    return label_axes(ax, f"{words} since the start of the cohort", f"{what} (count)")


def plot_calibration_holdout(comparison: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Mean actual and conditional expected holdout transactions by calibration frequency (FHL 2005, Fig. 4).

    ``comparison`` is the table of :func:`crmlib.clv.validate.holdout_comparison`
    (one model, column ``expected``) or of
    :func:`crmlib.clv.validate.holdout_by_frequency` (a column per model, each
    drawn as its own dashed line); the holdout's length and unit in the label
    come from its ``attrs``.
    """
    ax = _ax(ax)
    pos = np.arange(len(comparison))
    ax.plot(pos, comparison["actual"], marker="o", color="black", label="actual")
    if "expected" in comparison.columns:
        lines = {"model": comparison["expected"]}
    else:
        lines = {c: comparison[c] for c in comparison.columns if c not in ("n_customers", "actual", "difference")}
    for (name, values), marker in zip(lines.items(), "s^vD<>p*"):
        ax.plot(pos, values, marker=marker, linestyle="--", label=name)
    ax.set_xticks(pos, comparison.index)
    ax.legend()
    length, words = comparison.attrs.get("holdout_length"), comparison.attrs.get("time_unit")
    span = f" ({length:g} {words})" if length is not None and words is not None else ""
    return label_axes(ax, "repeat transactions in the calibration period", f"mean transactions in the holdout{span}")


def plot_holdout_revenue(table: pd.DataFrame, *, currency: str = "US dollars", ax: plt.Axes | None = None) -> plt.Axes:
    """Predicted and actual holdout revenue by group of predicted value, side by side (FHL 2005b, section 4).

    ``table`` is the table of :func:`crmlib.clv.validate.holdout_revenue`
    (group 1 = highest predicted value); ``currency`` names the amounts' unit.
    """
    ax = _ax(ax)
    pos = np.arange(len(table))
    ax.bar(pos - 0.2, table["actual"], width=0.4, label="actual")
    ax.bar(pos + 0.2, table["predicted"], width=0.4, label="predicted")
    ax.set_xticks(pos, [str(g) for g in table.index])
    ax.legend()
    return label_axes(
        ax, "group of customers by predicted holdout revenue (1 = highest)", f"holdout revenue ({currency})"
    )


def plot_frequency_histogram(table: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Observed versus expected number of customers by calibration frequency (FHL 2005, Fig. 1)."""
    ax = _ax(ax)
    pos = np.arange(len(table))
    ax.bar(pos - 0.2, table["observed"], width=0.4, label="actual")
    ax.bar(pos + 0.2, table["expected"], width=0.4, label="model")
    ax.set_xticks(pos, table.index)
    ax.legend()
    return label_axes(ax, "repeat transactions in the calibration period", "customers (count)")


def plot_retention(
    model: ContractFitter,
    n_periods: int | None = None,
    *,
    kind: str = "survival",
    time_unit: str | float | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Observed and sBG-fitted share of the cohort still active (or period retention rate), projected ahead.

    ``model`` is a fitted :class:`~crmlib.clv.ShiftedBetaGeometricModel`;
    ``n_periods`` (default: twice the observed periods) sets the projection;
    ``kind="retention"`` draws ``r_t = S(t)/S(t-1)`` instead of ``S(t)``
    (Fader & Hardie 2007, Figures 2-5). The end of the fitted data is marked.
    ``time_unit`` names the cohort's period (``"month"``, ``"year"``, ...);
    default ``"periods"``.
    """
    check_choice(kind, "kind", ["survival", "retention"])
    words = _unit_words(time_unit, model, default="periods")
    ax = _ax(ax)
    model._check_fitted()
    n = model.active_
    horizon = int(n_periods or 2 * (n.size - 1))
    t_obs = np.arange(n.size)
    t = np.arange(max(horizon, n.size - 1) + 1)
    if kind == "survival":
        ax.plot(t_obs, n / n[0], marker="o", label="observed")
        ax.plot(t, model.survival(t), linestyle="--", label="sBG")
        ylabel = "share of the cohort still active"
    elif kind == "retention":
        ax.plot(t_obs[1:], n[1:] / n[:-1], marker="o", label="observed")
        ax.plot(t[1:], model.retention_rate(t[1:]), linestyle="--", label="sBG")
        ylabel = "retention rate (share renewing)"
    ax.axvline(n.size - 1, color="grey", linestyle=":", label="end of fitted data")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()
    return label_axes(ax, f"{words} since acquisition", ylabel)


def plot_spend_distribution(
    model: SpendFitter,
    data: pd.DataFrame,
    *,
    bins: int = 40,
    currency: str = "US dollars",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Histogram of the repeat buyers' observed mean spend against the Gamma-Gamma density (FHL 2005b).

    ``data`` has ``frequency`` and ``monetary`` (and optional ``weight``); the
    customers the model fits (``frequency > 0``, ``monetary > 0``) are drawn,
    and the model's density is mixed over their frequencies
    (:meth:`~crmlib.clv.GammaGammaModel.spend_density`).
    """
    ax = _ax(ax)
    x = data["frequency"].to_numpy(dtype=float)
    z = data["monetary"].to_numpy(dtype=float)
    w = data["weight"].to_numpy(dtype=float) if "weight" in data.columns else np.ones(x.size)
    keep = (x > 0) & (z > 0)
    top = float(np.quantile(z[keep], 0.99))
    edges = np.linspace(0.0, top, bins + 1)
    ax.hist(z[keep], bins=edges.tolist(), weights=w[keep], density=True, alpha=0.6, label="observed")
    grid = np.linspace(top / 400, top, 400)
    ax.plot(grid, model.spend_density(grid, x[keep], w[keep]), label="Gamma-Gamma")
    ax.legend()
    return label_axes(ax, f"mean spend per repeat transaction ({currency})", f"density (per {currency})")


def plot_clv_distribution(
    value: pd.DataFrame,
    summary: pd.DataFrame,
    *,
    floor: float = 0.1,
    bins: int = 50,
    currency: str = "US dollars",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Histogram of residual CLV on a log scale, one-time and repeat buyers stacked (FHL 2005b, Figure 6).

    ``value`` is the table of :func:`crmlib.clv.customer_lifetime_value` and
    ``summary`` the calibration summary (its ``frequency`` tells one-time from
    repeat buyers). Customers with CLV below ``floor`` (currency units; the log
    axis starts there) are not drawn: say how many in the caption.
    """
    floor = float(check_positive(floor, "floor"))
    clv = value["clv"]
    shown = clv[clv >= floor]
    if shown.empty:
        raise DataError(f"no customer has a CLV of at least floor = {floor:g} {currency}; lower the floor")
    repeat = (summary["frequency"] > 0).reindex(shown.index)
    if repeat.isna().any():
        raise DataError("value and summary must describe the same customers (same index)")
    ax = _ax(ax)
    edges = np.geomspace(floor, max(float(shown.max()), floor * 1.01), bins)
    ax.hist(
        [shown[~repeat.astype(bool)], shown[repeat.astype(bool)]],
        bins=edges.tolist(),
        stacked=True,
        label=["one-time buyers", "repeat buyers"],
    )
    ax.set_xscale("log")
    ax.legend()
    return label_axes(ax, f"residual CLV ({currency}, log scale)", "customers (count)")


def plot_gains(
    predicted: pd.Series, actual: pd.Series | None = None, *, label: str = "predicted value", ax: plt.Axes | None = None
) -> plt.Axes:
    """Gains (Lorenz) curve: cumulative share of value held by the customers ranked by predicted value.

    Customers are ranked by ``predicted`` (e.g. the ``clv`` column of
    :func:`crmlib.clv.customer_lifetime_value`, currency units), highest first;
    the curve gives, at each share of customers, their share of the total
    predicted value. With ``actual`` (a value per customer with the same index,
    e.g. holdout revenue) a second curve gives the share of the actual total
    held by the same customers, ranked by the prediction: the closer it runs to
    the first, the better the prediction ranks customers. The diagonal is a
    ranking with no information. ``label`` names the predicted value in the legend.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005b). RFM and CLV: using iso-value curves for
    customer base analysis. *Journal of Marketing Research* 42(4), 415-430 (section 5, value concentration).
    """
    values = pd.Series(predicted, dtype=float)
    if values.empty or not np.isfinite(values.to_numpy()).all() or values.sum() <= 0:
        raise DataError("predicted must hold finite values with a positive total, one per customer")
    order = values.sort_values(ascending=False, kind="stable").index
    share = np.arange(len(values) + 1) / len(values)
    ax = _ax(ax)

    def curve(v: pd.Series) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(v.to_numpy()) / v.sum()])

    ax.plot(share, curve(values.loc[order]), label=label)
    if actual is not None:
        act = pd.Series(actual, dtype=float).reindex(values.index)
        if act.isna().any():
            raise DataError(
                f"actual has no value for {int(act.isna().sum())} customers of predicted (same index needed)"
            )
        if act.sum() <= 0:
            raise DataError("actual has no positive total to share out")
        ax.plot(share, curve(act.loc[order]), linestyle="--", label="actual, same ranking")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="no ranking")
    ax.legend()
    return label_axes(ax, "share of customers, ranked by predicted value (highest first)", "cumulative share of value")
