"""Figures of the retention reports that are more than one lifelines call.

* :func:`plot_segment_differences`: each segment's Kaplan-Meier curve minus the pooled
  curve, in percentage points with the segment's band. Curves that overlap almost
  exactly (acquisition cohorts of one shop) cannot be read when drawn on top of each
  other; their differences can (Pocock, Clayton & Altman 2002, Lancet 359, 1686-1689,
  on showing what a survival plot is meant to compare).
* :func:`plot_sbg_comparison`: the Fader-Hardie figure: observed (Kaplan-Meier) and sBG
  survival by period, with the calibration periods and the holdout marked (Fader & Hardie
  2007, J. Interactive Marketing 21(1), Figure 2).
* :func:`plot_window_sensitivity`: churn share and retention against the inactivity window.
* :func:`plot_value_distribution`: histogram of customer values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._checks import check_level, check_positive
from ..exceptions import DataError
from .curves import KaplanMeierBySegment, step_at

__all__ = [
    "plot_sbg_comparison",
    "plot_segment_differences",
    "plot_value_distribution",
    "plot_window_sensitivity",
    "segment_differences",
]


def _axes(ax, size=(8, 4.5)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def segment_differences(
    data: pd.DataFrame,
    segment: str,
    times: Sequence[float] | np.ndarray,
    *,
    level: float = 0.95,
    duration: str = "duration",
    event: str = "churned",
) -> pd.DataFrame:
    """Each segment's Kaplan-Meier S(t) minus the pooled S(t) at ``times`` (days), with the segment's band.

    Returns a long table: ``segment``, ``time`` (days), ``difference``, ``lower``, ``upper`` (shares; the
    band is the segment's pointwise ``level`` band minus the pooled estimate, whose own variance, smaller
    and correlated with the segment's, is left out).

    References
    ----------
    Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete observations. *JASA* 53, 457-481.
    """
    level = check_level(level)
    t = np.asarray(times, dtype="float64")
    pooled = KaplanMeierBySegment(level).fit(data, duration=duration, event=event)
    s_all = step_at(next(iter(pooled.fitters_.values())).survival_function_, t)[:, 0]
    by = KaplanMeierBySegment(level).fit(data, duration=duration, event=event, segment=segment)
    rows = []
    for g, kmf in by.fitters_.items():
        s = step_at(kmf.survival_function_, t)[:, 0]
        band = step_at(kmf.confidence_interval_survival_function_, t)
        rows.append(
            pd.DataFrame(
                {
                    "segment": g,
                    "time": t,
                    "difference": s - s_all,
                    "lower": band[:, 0] - s_all,
                    "upper": band[:, 1] - s_all,
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    out.attrs.update({"level": level, "n": len(data)})
    return out


def plot_segment_differences(
    data: pd.DataFrame,
    segment: str,
    *,
    until: float | None = None,
    level: float = 0.95,
    duration: str = "duration",
    event: str = "churned",
    ax=None,
):
    """Figure: each segment's Kaplan-Meier curve minus the pooled one (percentage points), with bands.

    ``until``: last day shown (default the longest duration). Axes: days since the start, difference in
    percentage points; 0 = the segment retains like all customers. Returns the axes.

    References
    ----------
    Pocock, S. J., Clayton, T. C. & Altman, D. G. (2002). Survival plots of time-to-event outcomes in
    clinical trials. *Lancet* 359, 1686-1689.
    """
    from ..style import label_axes

    last = float(data[duration].max())
    until = last if until is None else min(float(check_positive(until, "until")), last)
    grid = np.linspace(0.0, until, 300)
    diff = segment_differences(data, segment, grid, level=level, duration=duration, event=event)
    ax = _axes(ax)
    for g, part in diff.groupby("segment", sort=False):
        line = ax.step(part["time"], 100 * part["difference"], where="post", label=str(g))[0]
        ax.fill_between(
            part["time"], 100 * part["lower"], 100 * part["upper"], step="post", alpha=0.15, color=line.get_color()
        )
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xlim(0, until)
    ax.legend(title=segment)
    label_axes(ax, "Days since the start", "Retained minus all customers (percentage points)")
    return ax


def plot_sbg_comparison(by_period: pd.DataFrame, *, ax=None):
    """The Fader-Hardie figure: observed and sBG survival (%) by period, calibration and holdout marked.

    ``by_period`` is the first table of :func:`~crmlib.survival.sbg_comparison` (columns ``S_km``,
    ``S_sbg``, ``fitted``; index ``period``). The dashed line ends the calibration periods; the shaded
    periods are the holdout the sBG model never saw. Returns the axes.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention. *J. Interactive Marketing*
    21(1), 76-90, Figure 2.
    """
    from ..style import label_axes

    need = [c for c in ("S_km", "S_sbg", "fitted") if c not in by_period.columns]
    if need:
        raise DataError(f"by_period lacks column(s) {need}; pass the first table of sbg_comparison")
    k = by_period.index.to_numpy(dtype="float64")
    last_fit = float(k[by_period["fitted"].to_numpy(dtype=bool)].max())
    ax = _axes(ax)
    ax.plot(k, 100 * by_period["S_km"], marker="o", color="black", label="Actual (Kaplan-Meier)")
    ax.plot(k, 100 * by_period["S_sbg"], linestyle="--", marker="s", label="sBG model")
    ax.axvline(last_fit, color="grey", linestyle=":", linewidth=1.2)
    ax.axvspan(last_fit, k.max(), color="grey", alpha=0.12, linewidth=0)
    top = 100 * float(max(by_period["S_km"].max(), by_period["S_sbg"].max()))
    ax.text(last_fit / 2, top * 1.01, "calibration", ha="center", va="bottom", fontsize=9)
    ax.text((last_fit + k.max()) / 2, top * 1.01, "holdout", ha="center", va="bottom", fontsize=9)
    ax.set_ylim(0, top * 1.08)
    ax.set_xticks(k)
    ax.legend(loc="lower left")
    label_axes(ax, "Period since the start", "Customers still active (%)")
    return ax


def plot_window_sensitivity(sensitivity: pd.DataFrame, horizons: Sequence[float]):
    """Figure of two panels: churn share (and churned, then back) and retention S(h) against the window.

    ``sensitivity`` is the table of :func:`~crmlib.survival.window_sensitivity` (columns ``inactivity_days``,
    ``churn_share``, ``returned_share``, ``S(<h> d)``). Returns the figure.

    References
    ----------
    Ascarza, E., Fader, P. S. & Hardie, B. G. S. (2017). Marketing models for the customer-centric firm.
    In *Handbook of Marketing Decision Models*, 297-329 (the churn definition of non-contractual settings).
    """
    import matplotlib.pyplot as plt

    from ..style import label_axes

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    w = sensitivity["inactivity_days"]
    axes[0].plot(w, sensitivity["churn_share"] * 100, marker="o", label="churned")
    axes[0].plot(w, sensitivity["returned_share"] * 100, marker="s", label="churned, then bought again")
    axes[0].legend()
    label_axes(axes[0], "Inactivity window (days)", "Customers (%)")
    for h in horizons:
        axes[1].plot(w, sensitivity[f"S({h:g} d)"] * 100, marker="o", label=f"after {h:g} days")
    axes[1].legend(title="Retained")
    label_axes(axes[1], "Inactivity window (days)", "Customers retained (%)")
    return fig


def plot_value_distribution(values: pd.Series, *, horizon_days: float, currency: str, ax=None):
    """Histogram of customer values (``currency`` per customer over ``horizon_days``); returns the axes.

    References
    ----------
    Gupta, S. et al. (2006). Modeling customer lifetime value. *J. Service Research* 9(2), 139-155.
    """
    from ..style import label_axes

    ax = _axes(ax)
    ax.hist(np.asarray(values, dtype="float64"), bins=40)
    label_axes(ax, f"Expected discounted margin over {horizon_days:g} days ({currency} per customer)", "Customers")
    return ax
