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
    """Component profile of each group: mean component scores with bootstrap intervals, value then cost.

    ``long`` is :func:`~crmlib.value.bootstrap_means` of the component columns
    by group. A vertical line separates the value from the cost components.
    Returns the Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, 4.6))
    groups = list(long.index.get_level_values(0).unique())
    pos = np.arange(len(components))
    width = 0.5 / max(len(groups), 1)
    for i, g in enumerate(groups):
        sub = long.loc[g].reindex(list(components))
        x = pos + (i - (len(groups) - 1) / 2) * width
        ax.errorbar(
            x,
            sub["mean"],
            yerr=[sub["mean"] - sub["lower"], sub["upper"] - sub["mean"]],
            fmt="-o",
            color=PALETTE[i % len(PALETTE)],
            capsize=3,
            ms=5,
            lw=1.2,
            label=str(g),
        )
    n_value = sum(1 for c in components if c.endswith("_value"))
    if 0 < n_value < len(components):
        ax.axvline(n_value - 0.5, color="grey", lw=1, ls=":")
    ax.set_xticks(pos)
    ax.set_xticklabels([COMPONENT_LABELS.get(c, c) for c in components], rotation=30, ha="right")
    ax.legend(fontsize=9, ncol=min(len(groups), 4))
    return label_axes(
        ax, "Component (value components left, cost components right)", f"Mean score ({scale_label})", title
    )
