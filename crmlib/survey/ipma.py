"""Importance-performance map analysis (IPMA) of a PLS path model.

Ringle & Sarstedt (2016), Industrial Management & Data Systems 116(9),
1865-1886: *importance* of a construct for a target is its unstandardised
total effect on the target when the path model is re-estimated on the 0-100
rescaled construct scores (here: OLS of each endogenous index score on its
predecessors' index scores, then total effects ``(I - B)^{-1} - I``);
*performance* is its mean 0-100 index score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import DataError
from .pls import PLSResult

__all__ = ["ipma", "ipma_plot"]


def ipma(result: PLSResult, target: str) -> pd.DataFrame:
    """Importance (unstandardised total effect on ``target``, index points per index point) and performance
    (mean 0-100 index) of every construct with an effect on ``target``; sorted by importance."""
    if target not in result.measurement:
        raise DataError(f"ipma: target {target!r} is not a construct of the model")
    S = result.index_scores
    names = list(S.columns)
    pos = {c: k for k, c in enumerate(names)}
    K = len(names)
    B = np.zeros((K, K))
    for b in names:
        preds = [a for a, t in result.structure if t == b]
        if not preds:
            continue
        X = np.column_stack([np.ones(len(S)), S[preds].to_numpy()])
        coef, *_ = np.linalg.lstsq(X, S[b].to_numpy(), rcond=None)
        for a, c in zip(preds, coef[1:]):
            B[pos[a], pos[b]] = c
    T = np.linalg.inv(np.eye(K) - B) - np.eye(K)
    imp = pd.Series(T[:, pos[target]], index=names)
    imp = imp[(imp != 0) & (imp.index != target)]
    if imp.empty:
        raise DataError(f"ipma: no construct has an effect on {target!r}")
    std_total = result.total_effects.loc[imp.index, target]
    out = pd.DataFrame({"importance": imp, "performance": S[imp.index].mean(), "std_total_effect": std_total})
    return out.sort_values("importance", ascending=False)


def ipma_plot(table: pd.DataFrame, target: str, ax=None):
    """Scatter of importance (x) against performance (y) with mean lines; returns the Figure."""
    import matplotlib.pyplot as plt

    from ..style import label_axes

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
    else:
        fig = ax.figure
    ax.scatter(table["importance"], table["performance"], s=60, zorder=3)
    for name, r in table.iterrows():
        ax.annotate(name, (r["importance"], r["performance"]), xytext=(5, 4), textcoords="offset points")
    ax.axvline(table["importance"].mean(), color="grey", linestyle="--", linewidth=0.8)
    ax.axhline(table["performance"].mean(), color="grey", linestyle="--", linewidth=0.8)
    label_axes(ax, f"importance: total effect on {target} (index points per point)", "performance: mean index (0-100)")
    return fig
