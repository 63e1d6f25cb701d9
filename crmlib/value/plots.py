"""Figures of delivered value: the value map and the component profiles (labelled axes, crmlib style)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..style import PALETTE, label_axes
from .instrument import COMPONENT_LABELS

__all__ = ["plot_component_profile", "plot_value_map"]


def plot_value_map(table: pd.DataFrame, scale_label: str, *, ax=None, title: str | None = None):
    """Value map: mean total cost (x) against mean total value (y), one point per group with its intervals.

    ``table`` comes from :func:`~crmlib.value.value_map_table`. The dashed
    diagonal is value = cost (delivered value 0, difference form): points above
    it deliver positive value; the legend names each group with its n. Returns the Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.2, 5.0))
    for i, (g, r) in enumerate(table.iterrows()):
        col = PALETTE[i % len(PALETTE)]
        ax.errorbar(
            r["total_cost"],
            r["total_value"],
            xerr=[[r["total_cost"] - r["total_cost_lower"]], [r["total_cost_upper"] - r["total_cost"]]],
            yerr=[[r["total_value"] - r["total_value_lower"]], [r["total_value_upper"] - r["total_value"]]],
            fmt="o",
            color=col,
            capsize=4,
            ms=7,
            label=f"{g} (n={int(r['n'])})",
        )
    lo = float(np.nanmin(table[["total_cost_lower", "total_value_lower"]].to_numpy())) - 0.3
    hi = float(np.nanmax(table[["total_cost_upper", "total_value_upper"]].to_numpy())) + 0.3
    ax.plot([lo, hi], [lo, hi], ls="--", color="grey", lw=1, label="value = cost (delivered value 0)")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.legend(loc="best", fontsize=9)  # groups by colour: labels written beside close points would overlap
    return label_axes(
        ax,
        f"Perceived total customer cost (mean, {scale_label})",
        f"Perceived total customer value (mean, {scale_label})",
        title,
    )


def plot_component_profile(
    long: pd.DataFrame, components: Sequence[str], scale_label: str, *, ax=None, title: str | None = None
):
    """Component profile of each group: mean component scores with bootstrap intervals, value and cost apart.

    ``long`` is :func:`~crmlib.value.bootstrap_means` of the component columns by group. The components are
    categories, so each group is a dot with its interval (no line joins them), dodged within a component; the
    value components are drawn in a left panel and the cost components in a right one, sharing the score axis.

    Parameters
    ----------
    long : bootstrap means indexed by (group, component): ``mean``, ``lower``, ``upper`` (scale points).
    components : the components shown, value components first.
    scale_label : the metric in words (the y axis).
    ax : an Axes to draw all components in (one panel, a dotted line between the sides); ``None``: a new
        figure of two panels.
    title : title of the (first) panel.

    Returns
    -------
    The Axes of the value components (``ax.figure`` holds both panels).

    References
    ----------
    Cleveland, W. S. (1985). *The Elements of Graphing Data*, ch. 3 (dot charts for categories).
    """
    groups = list(long.index.get_level_values(0).unique())
    sides = [[c for c in components if c.endswith("_value")], [c for c in components if not c.endswith("_value")]]
    sides = [s for s in sides if s]
    if ax is None:
        widths = [len(s) for s in sides]
        _, axes = plt.subplots(1, len(sides), figsize=(9.0, 4.6), sharey=True, width_ratios=widths, squeeze=False)
        panels = list(zip(axes[0], sides))
    else:
        panels = [(ax, list(components))]
    width = 0.6 / max(len(groups), 1)
    for k, (a, comps) in enumerate(panels):
        pos = np.arange(len(comps))
        for i, g in enumerate(groups):
            sub = long.loc[g].reindex(list(comps))
            a.errorbar(
                pos + (i - (len(groups) - 1) / 2) * width,
                sub["mean"],
                yerr=[sub["mean"] - sub["lower"], sub["upper"] - sub["mean"]],
                fmt="o",
                color=PALETTE[i % len(PALETTE)],
                capsize=3,
                ms=5,
                label=str(g) if k == 0 else None,
            )
        n_value = sum(1 for c in comps if c.endswith("_value"))
        if 0 < n_value < len(comps):
            a.axvline(n_value - 0.5, color="grey", lw=1, ls=":")
        a.set_xticks(pos)
        a.set_xticklabels([COMPONENT_LABELS.get(c, c) for c in comps], rotation=30, ha="right")
        side = "value" if all(c.endswith("_value") for c in comps) else "cost" if n_value == 0 else None
        xlabel = f"{side.capitalize()} component" if side else "Component (value left, cost right)"
        label_axes(a, xlabel, f"Mean score ({scale_label})", title if k == 0 else None)
    first = panels[0][0]
    first.legend(fontsize=9, ncol=min(len(groups), 4))
    return first
