"""Component scores, total value, total cost and delivered value (difference and ratio forms).

Scoring rules (all documented in the output):

1. Reverse coding: an item with ``reverse = true`` is recoded as
   ``scale_min + scale_max - answer`` (8 - answer on the 1-7 scale), so that a
   higher score always means more value (value items) or more cost (cost items).
2. Common scale: ``scale="item"`` keeps the answer metric (e.g. 1-7 points) and
   requires every component item to share one scale; ``scale="pomp"`` maps each
   item to 0-100 "percent of maximum possible", ``100 (x - min) / (max - min)``
   (Cohen, Cohen, Aiken & West 1999, *Multivariate Behavioral Research* 34(3)),
   which puts items with different scales on one metric.
3. Component score: the mean of the answered items of the component (or their
   weighted mean with researcher-given ``item_weights``, renormalised over the
   answered items), when at least ``min_items`` of them are answered (default:
   half of the items, rounded up); otherwise NA, and the count of such
   respondents is reported.
4. Total value ``V = sum_k w_k v_k`` over the value components and total cost
   ``C = sum_k w_k c_k`` over the cost components, the weights of each side
   summing to 1, so that V and C stay on the common scale. Kotler writes the
   totals as plain sums; with equal weights V and C are those sums divided by
   the number of components (4), which keeps them on the answer scale and
   changes no comparison. A respondent with an NA component has NA totals on
   that side.
5. Delivered value, difference form ``V - C`` (scale points) and ratio form
   ``V / C`` (unitless); Kotler & Keller (2006), ch. 5: customer delivered value
   = total customer value - total customer cost. The ratio form reads value as
   what is received per unit of what is given up (the "get" against "give"
   trade-off of Zeithaml 1988, *Journal of Marketing* 52(3), 2-22).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..exceptions import DataError
from .instrument import COMPONENT_LABELS, COMPONENTS, check_items

__all__ = ["ComponentScores", "component_items", "delivered_value", "score_components"]


@dataclass
class ComponentScores:
    """Component scores of every respondent and how they were obtained.

    Attributes
    ----------
    scores : DataFrame, respondents x components (value components first),
        NA where fewer than ``min_items`` items were answered.
    answered : DataFrame, respondents x components, number of answered items.
    report : DataFrame, one row per component: ``side``, ``label``, ``n_items``,
        ``items``, ``reversed`` (reverse-coded items), ``min_items``,
        ``n_scored``, ``n_too_few`` (respondents with an NA score),
        ``missing_answers`` (item answers missing in total).
    sides : component -> ``"value"`` or ``"cost"``.
    items : component -> list of its items.
    recoded : DataFrame of the items after reverse coding (and rescaling when
        ``scale="pomp"``), NaN = missing.
    scale : ``"item"`` or ``"pomp"``; ``scale_range`` its (min, max);
        ``scale_label`` the metric in words (for tables and axes).
    missing_components : the Kotler components absent from the codebook (only
        when scored with ``require_all=False``).
    """

    scores: pd.DataFrame
    answered: pd.DataFrame
    report: pd.DataFrame
    sides: dict[str, str]
    items: dict[str, list[str]]
    recoded: pd.DataFrame
    scale: str
    scale_range: tuple[float, float]
    scale_label: str
    missing_components: list[str] = field(default_factory=list)

    @property
    def value_components(self) -> list[str]:
        return [c for c, s in self.sides.items() if s == "value"]

    @property
    def cost_components(self) -> list[str]:
        return [c for c, s in self.sides.items() if s == "cost"]


def component_items(codebook: pd.DataFrame) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Items and side of each component of a CDV codebook (value and cost rows only), Kotler order first."""
    if "value_or_cost" not in codebook.columns:
        raise DataError("codebook: missing column 'value_or_cost' (value / cost / outcome per item)")
    side = codebook["value_or_cost"].astype(str).str.lower()
    rows = codebook.loc[side.isin(["value", "cost"])].assign(_side=side)
    found = list(dict.fromkeys(rows["construct"]))
    order = [c for c in COMPONENTS if c in found] + [c for c in found if c not in COMPONENTS]
    items = {c: list(rows.loc[rows["construct"] == c, "item"]) for c in order}
    sides = {c: rows.loc[rows["construct"] == c, "_side"].iloc[0] for c in order}
    return items, sides


def score_components(
    data: pd.DataFrame,
    codebook: pd.DataFrame,
    *,
    min_items: int | Mapping[str, int] | None = None,
    scale: Literal["item", "pomp"] = "item",
    require_all: bool = True,
    item_weights: Mapping[str, float] | None = None,
) -> ComponentScores:
    """Score the CDV components of every respondent (reverse coding, missing answers, common scale).

    Parameters
    ----------
    data : one row per respondent with the item columns of ``codebook``.
    codebook : a CDV codebook (:func:`~crmlib.value.load_value_codebook`):
        ``item``, ``construct`` (the component), ``value_or_cost``,
        ``scale_min``, ``scale_max``, ``reverse``, ``missing_codes``.
    min_items : answered items a component needs for a score (an int for every
        component or a mapping component -> int); default half of the
        component's items rounded up (2 of 3 or 4, 1 of 1 or 2).
    scale : ``"item"`` (the answer metric; all component items must share one
        scale) or ``"pomp"`` (0-100 percent of maximum possible).
    require_all : if true (default) every one of Kotler's eight components must
        have items; ``False`` allows a partial mapping and lists the absent
        components in ``missing_components``.
    item_weights : optional item -> weight (> 0) for weighted component scores
        (e.g. loadings); items not named weigh 1. The weights of a respondent's
        answered items are renormalised to sum to 1.

    Returns
    -------
    ComponentScores

    Raises
    ------
    DataError
        a component without items (naming it), an item column absent from the
        data, an answer outside its scale (naming the column), mixed item scales
        with ``scale="item"``, or ``min_items`` above a component's item count.

    References
    ----------
    Kotler, P. & Keller, K. L. (2006). *Marketing Management*, 12th ed., ch. 5.
    Cohen, P., Cohen, J., Aiken, L. S. & West, S. G. (1999). The problem of
    units and the circumstance for POMP. *Multivariate Behavioral Research* 34(3), 315-346.
    """
    if scale not in ("item", "pomp"):
        raise DataError(f"parameter 'scale' must be 'item' or 'pomp', got {scale!r}")
    items, sides = component_items(codebook)
    empty = [c for c, its in items.items() if not its]
    absent_kotler = [c for c in COMPONENTS if c not in items]
    if require_all and absent_kotler:
        raise DataError(
            f"component {absent_kotler[0]!r} has no items in the codebook (absent components: {absent_kotler}); "
            "give it items or score a partial mapping with require_all=False"
        )
    if empty:
        raise DataError(f"component {empty[0]!r} has no items")
    for side in ("value", "cost"):
        if not any(s == side for s in sides.values()):
            raise DataError(f"the codebook has no {side} component; delivered value needs both sides")
    all_items = [i for its in items.values() for i in its]
    x = check_items(data, codebook, all_items).to_numpy(dtype=float)
    cb = codebook.set_index("item").loc[all_items]
    lo = cb["scale_min"].to_numpy(dtype=float)
    hi = cb["scale_max"].to_numpy(dtype=float)
    rev = _flags(cb["reverse"])
    x = np.where(rev, lo + hi - x, x)
    if scale == "item":
        pairs = sorted(set(zip(lo.tolist(), hi.tolist())))
        if len(pairs) > 1:
            raise DataError(
                f"component items use different scales {pairs} (e.g. column {all_items[int(np.argmax((lo != lo[0]) | (hi != hi[0])))]!r}); "
                "use scale='pomp' to put them on a common 0-100 metric"
            )
        scale_range = pairs[0]
        scale_label = f"{scale_range[0]:g}-{scale_range[1]:g} answer scale points"
    else:
        x = 100.0 * (x - lo) / (hi - lo)
        scale_range = (0.0, 100.0)
        scale_label = "0-100 percent of maximum possible (POMP)"
    recoded = pd.DataFrame(x, index=data.index, columns=all_items)

    scores, answered, rows = {}, {}, []
    iw = _item_weights(item_weights, all_items)
    for comp, its in items.items():
        k = len(its)
        need = _min_items(min_items, comp, k)
        block = recoded[its].to_numpy()
        answered_mask = ~np.isnan(block)
        n_ans = answered_mask.sum(axis=1)
        wts = np.where(answered_mask, iw.loc[its].to_numpy()[None, :], 0.0)
        wsum = wts.sum(axis=1)
        mean = (np.where(answered_mask, block, 0.0) * wts).sum(axis=1) / np.where(wsum > 0, wsum, 1.0)
        score = np.where(n_ans >= need, mean, np.nan)
        scores[comp] = score
        answered[comp] = n_ans
        rows.append(
            {
                "component": comp,
                "side": sides[comp],
                "label": COMPONENT_LABELS.get(comp, comp),
                "n_items": k,
                "items": ", ".join(its),
                "reversed": ", ".join(i for i, r in zip(all_items, rev) if r and i in its) or "-",
                "min_items": need,
                "n_scored": int(np.sum(~np.isnan(score))),
                "n_too_few": int(np.sum(np.isnan(score))),
                "missing_answers": int(np.sum(np.isnan(block))),
            }
        )
    return ComponentScores(
        scores=pd.DataFrame(scores, index=data.index),
        answered=pd.DataFrame(answered, index=data.index),
        report=pd.DataFrame(rows).set_index("component"),
        sides=sides,
        items=items,
        recoded=recoded,
        scale=scale,
        scale_range=(float(scale_range[0]), float(scale_range[1])),
        scale_label=scale_label,
        missing_components=[] if require_all else absent_kotler,
    )


def _flags(col: pd.Series) -> np.ndarray:
    """The codebook's ``reverse`` column as booleans (bool, 0/1 or the strings true/false)."""
    if col.dtype == bool:
        return col.to_numpy()
    text = col.astype(str).str.strip().str.lower()
    bad = ~text.isin(["true", "false", "1", "0"])
    if bad.any():
        raise DataError(f"codebook column 'reverse' must be true or false; got {col[bad].iloc[0]!r}")
    return text.isin(["true", "1"]).to_numpy()


def _item_weights(item_weights, items: list[str]) -> pd.Series:
    w = pd.Series(1.0, index=items)
    if item_weights is None:
        return w
    for item, val in dict(item_weights).items():
        if item not in w.index:
            raise DataError(f"item_weights names column {item!r}, which is not a component item")
        if not (np.isfinite(val) and val > 0):
            raise DataError(f"item weight of column {item!r} is {val}; item weights must be > 0")
        w[item] = float(val)
    return w


def _min_items(min_items, comp: str, k: int) -> int:
    if min_items is None:
        return math.ceil(k / 2)
    need = min_items.get(comp, math.ceil(k / 2)) if isinstance(min_items, Mapping) else min_items
    if not isinstance(need, (int, np.integer)) or need < 1:
        raise DataError(f"parameter 'min_items' must be a positive integer, got {need!r} for component {comp!r}")
    if need > k:
        raise DataError(f"parameter 'min_items' = {need} exceeds the {k} items of component {comp!r}")
    return int(need)


def delivered_value(
    scores: ComponentScores,
    weights: Mapping[str, float] | pd.Series | pd.DataFrame,
    *,
    form: Literal["both", "difference", "ratio"] = "both",
) -> pd.DataFrame:
    """Total value, total cost and customer delivered value of every respondent.

    Parameters
    ----------
    scores : from :func:`score_components`.
    weights : component -> weight (a mapping, a Series, or the ``weights``
        table of :func:`~crmlib.value.derive_weights` with a ``weight``
        column). Weights must be non-negative; they are normalised to sum to 1
        within the value side and within the cost side.
    form : ``"difference"`` adds ``dv_difference = V - C`` (scale points),
        ``"ratio"`` adds ``dv_ratio = V / C``; ``"both"`` (default) both.

    Returns
    -------
    DataFrame, one row per respondent: the component scores, ``total_value``,
    ``total_cost`` and the delivered-value column(s); ``attrs["scale"]`` states
    the metric of the totals and the difference, ``attrs["weights"]`` the
    normalised weights used.

    Raises
    ------
    DataError
        a weight missing, negative or for an unknown component (naming it); a
        side whose weights sum to 0; in the ratio form a total cost of 0 or
        below (column ``'total_cost'``, with the rows), where V / C is undefined.

    References
    ----------
    Kotler & Keller (2006), *Marketing Management* 12th ed., ch. 5 (delivered
    value = total customer value - total customer cost).
    """
    if form not in ("both", "difference", "ratio"):
        raise DataError(f"parameter 'form' must be 'both', 'difference' or 'ratio', got {form!r}")
    w = normalise_weights(weights, scores.sides)
    out = scores.scores.copy()
    s = scores.scores
    v_comp, c_comp = scores.value_components, scores.cost_components
    out["total_value"] = s[v_comp].to_numpy() @ w[v_comp].to_numpy()
    out["total_cost"] = s[c_comp].to_numpy() @ w[c_comp].to_numpy()
    if form in ("both", "difference"):
        out["dv_difference"] = out["total_value"] - out["total_cost"]
    if form in ("both", "ratio"):
        zero = out["total_cost"].to_numpy() <= 0
        if zero.any():
            raise DataError(
                f"column 'total_cost' is 0 (or below) for {int(zero.sum())} respondents (rows {list(out.index[zero][:5])}); "
                "the ratio form value / cost is undefined there - use form='difference' or a scale whose minimum "
                "is above 0 (scale='item' on a 1-7 scale)"
            )
        out["dv_ratio"] = out["total_value"] / out["total_cost"]
    out.attrs["scale"] = (
        f"total_value, total_cost and dv_difference on the {scores.scale_label}; dv_ratio = total_value / total_cost (unitless)"
    )
    out.attrs["weights"] = w.to_dict()
    return out


def normalise_weights(weights, sides: Mapping[str, str]) -> pd.Series:
    """Weights as a Series over the components of ``sides``, each side summing to 1 (checked)."""
    if isinstance(weights, pd.DataFrame):
        if "weight" not in weights.columns:
            raise DataError("weights table: missing column 'weight'")
        weights = weights["weight"]
    w = pd.Series(dict(weights), dtype=float)
    unknown = [c for c in w.index if c not in sides]
    if unknown:
        raise DataError(
            f"weights given for component {unknown[0]!r}, which has no items here (components: {list(sides)})"
        )
    missing = [c for c in sides if c not in w.index]
    if missing:
        raise DataError(f"no weight given for component {missing[0]!r}")
    w = w.loc[list(sides)]
    bad = w[(w < 0) | ~np.isfinite(w)]
    if len(bad):
        raise DataError(f"weight of component {bad.index[0]!r} is {bad.iloc[0]}; weights must be finite and >= 0")
    for side in ("value", "cost"):
        comps = [c for c, s in sides.items() if s == side]
        tot = w[comps].sum()
        if tot <= 0:
            raise DataError(f"the {side} weights sum to 0 (components {comps}); at least one must be positive")
        w[comps] = w[comps] / tot
    return w
