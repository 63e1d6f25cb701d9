"""The path diagram of a fitted PLS model: constructs as boxes with R², paths as arrows with their estimates.

Drawn with matplotlib alone (no graph-layout dependency): constructs are set
in columns by their longest distance from an exogenous construct, spread
evenly within a column; a path significant at the model's interval level
(its bootstrap interval excludes 0) is a solid dark arrow, any other a dashed
grey one. This is the figure every PLS-SEM paper prints (Hair et al. 2022,
*A Primer on PLS-SEM*, 3rd ed., Exhibit 6.x; seminr's ``plot()``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import numpy as np

from .pls import PLSResult

__all__ = ["path_layout", "plot_path_diagram"]


def _blocked(pos: dict[str, tuple[float, float]], structure: list[tuple[str, str]]) -> bool:
    """True when a straight arrow would pass through (within 0.35 units of) another construct."""
    for a, b in structure:
        pa, pb = np.array(pos[a]), np.array(pos[b])
        seg = pb - pa
        for c, pc in pos.items():
            if c in (a, b):
                continue
            t = np.clip(np.dot(np.array(pc) - pa, seg) / np.dot(seg, seg), 0, 1)
            if np.linalg.norm(pa + t * seg - np.array(pc)) < 0.35:
                return True
    return False


def path_layout(constructs: list[str], structure: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    """Positions ``construct -> (x, y)`` for a recursive structural model.

    Layered: the column is the construct's longest path length from a construct
    without predecessors; rows are spread evenly (centred on 0) in model order
    within a column. When a straight arrow of that layout would cross another
    construct, a construct alone in its column is moved off the centre line
    (alternately up and down); if arrows still cross (a chain with paths that
    skip steps, as the ECSI model), the constructs are set in the layered order
    on a half ellipse, where no straight arrow between two constructs touches a third.

    Parameters
    ----------
    constructs : the constructs in model order; structure : ``(from, to)`` pairs (recursive).

    Returns
    -------
    dict construct -> (x, y), in column and row units.
    """
    depth = dict.fromkeys(constructs, 0)
    for _ in constructs:  # longest path by relaxation; at most K rounds in a recursive model
        for a, b in structure:
            depth[b] = max(depth[b], depth[a] + 1)
    pos = {}
    for col in sorted(set(depth.values())):
        members = [c for c in constructs if depth[c] == col]
        for k, c in enumerate(members):
            pos[c] = (float(col), (len(members) - 1) / 2 - k)
    if not _blocked(pos, structure):
        return pos
    for sign in (1.0, -1.0):  # a lone construct in a column moved off the centre line, alternately up and down
        moved = {c: (x, y + (sign * 0.45 * (-1) ** int(x) if sum(1 for u, _ in pos.values() if u == x) == 1 else 0.0))
                 for c, (x, y) in pos.items()}  # fmt: skip
        if not _blocked(moved, structure):
            return moved
    order = sorted(constructs, key=lambda c: (depth[c], constructs.index(c)))
    angle = np.linspace(np.pi, 0, len(order))
    half = (len(order) - 1) / 2
    return {c: (half * (1 + np.cos(t)), 0.9 * half * np.sin(t)) for c, t in zip(order, angle)}


def plot_path_diagram(result: PLSResult, labels: Mapping[str, str] | None = None, *, digits: int = 2, ax=None):
    """Draw the structural model of ``result`` with path coefficients, intervals and R².

    Parameters
    ----------
    result : a fitted PLSResult (bootstrapped for intervals and significance).
    labels : construct -> text in its box (default the model's labels, else the construct's name).
    digits : decimals of the printed estimates.
    ax : matplotlib Axes to draw on (default a new figure).

    Returns
    -------
    matplotlib Figure. Every construct is one text box (its name, and R² when
    endogenous); every path is one arrow annotated ``β [lower, upper]``
    (solid: interval excludes 0; dashed grey: it does not or no bootstrap).

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M. & Sarstedt, M. (2022). *A Primer on PLS-SEM*, 3rd ed., ch. 6.
    """
    import matplotlib.pyplot as plt

    from ..style import PALETTE

    names = list(result.measurement)
    model_labels = result.model.labels if result.model is not None else {}
    text = {c: (labels or {}).get(c, model_labels.get(c, c)) for c in names}
    pos = path_layout(names, list(result.structure))
    width = max(x for x, _ in pos.values()) - min(x for x, _ in pos.values()) + 1
    height = max(y for _, y in pos.values()) - min(y for _, y in pos.values()) + 1
    if ax is None:
        fig, ax = plt.subplots(figsize=(min(11.0, max(6.5, 2.4 * width)), max(3.0, 1.3 * height + 1)))
    else:
        fig = ax.figure
    xy = {c: (x * 3.0, y * 1.6) for c, (x, y) in pos.items()}
    boxes = {}
    for c in names:
        r2 = result.r2.get(c)
        name = textwrap.fill(text[c], 22)  # long names on two lines leave the arrows room for their labels
        box = name if r2 is None or np.isnan(r2) else f"{name}\nR² = {r2:.{digits}f}"
        boxes[c] = ax.text(*xy[c], box, ha="center", va="center", fontsize=8, zorder=3,
                bbox={"boxstyle": "round,pad=0.4", "fc": "white", "ec": PALETTE[0], "lw": 1.2})  # fmt: skip
    xs = [p[0] for p in xy.values()]
    ys = [p[1] for p in xy.values()]
    ax.set_xlim(min(xs) - 1.4, max(xs) + 1.4)
    ax.set_ylim(min(ys) - 1.0, max(ys) + 1.0)
    taken = [b.get_window_extent().padded(6) for b in boxes.values()]  # labels keep off the boxes (and their pads)
    has_ci = "lower" in result.paths.columns
    placing = []
    for r in result.paths.itertuples(index=False):
        a, b = r[0], r.to
        sig = bool(has_ci and (r.lower > 0 or r.upper < 0))
        style = {"color": "0.15" if sig else "0.55", "ls": "-" if sig else "--", "lw": 1.1}
        ax.annotate("", xy=xy[b], xytext=xy[a], zorder=1,
                    arrowprops={"arrowstyle": "-|>", "shrinkA": 3, "shrinkB": 3, **style,
                                "patchA": boxes[a].get_bbox_patch(), "patchB": boxes[b].get_bbox_patch()})  # fmt: skip
        label = f"{r.estimate:.{digits}f}" + (f" [{r.lower:.{digits}f}, {r.upper:.{digits}f}]" if has_ci else "")
        text = ax.text(0, 0, label, ha="center", va="center", fontsize=7, color=style["color"], zorder=2,
                       bbox={"fc": "white", "ec": "none", "pad": 0.5, "alpha": 0.8})  # fmt: skip
        length = float(np.ptp(ax.transData.transform([xy[a], xy[b]]), axis=0) @ [1.0, 1.0])
        placing.append((length, text, xy[a], xy[b]))
    for _, text, start, end in sorted(placing, key=lambda p: p[0]):  # short arrows have least room: placed first
        taken.append(_place_on_edge(text, start, end, taken))
    ax.set_axis_off()
    return fig


_ALONG = (0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8, 0.15, 0.85)
"""Where along an arrow (share of the way from its source) a label may sit, in order of preference."""


def _place_on_edge(text, start, end, taken):
    """Move ``text`` to the first point of :data:`_ALONG` on the arrow where it overlaps no box or earlier label
    (else where it overlaps least); returns its extent (display units), for the labels after it."""

    def overlap(box) -> float:
        return sum(
            max(0.0, min(box.x1, o.x1) - max(box.x0, o.x0)) * max(0.0, min(box.y1, o.y1) - max(box.y0, o.y0))
            for o in taken
        )

    best: tuple[float, float, Any] | None = None
    for t in _ALONG:
        text.set_position((start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])))
        box = text.get_window_extent()
        cost = overlap(box)
        if best is None or cost < best[0]:
            best = (cost, t, box)
        if cost == 0:
            break
    assert best is not None  # _ALONG is not empty
    _, t, box = best
    text.set_position((start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])))
    return box.padded(2)  # the label's white pad
