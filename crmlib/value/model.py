"""One estimator for the whole computation: scores, weights, totals and delivered value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import pandas as pd

from ..exceptions import DataError
from .scoring import ComponentScores, delivered_value, score_components
from .weights import ComponentWeights, Method, derive_weights

__all__ = ["DeliveredValue"]


class DeliveredValue:
    """Customer delivered value of every respondent (Kotler & Keller 2006, ch. 5).

    Settings go to the constructor, data to :meth:`fit` (scikit-learn shape).

    Parameters
    ----------
    weighting : ``"equal"``, ``"given"``, ``"regression"`` (on an outcome such
        as overall satisfaction), ``"choice"`` (logit on a 0/1 choice) or
        ``"entropy"``; see :mod:`crmlib.value.weights`.
    given_weights : component -> weight, for ``weighting="given"``.
    min_items : answered items a component score needs (default half, rounded up).
    scale : ``"item"`` (answer metric, e.g. 1-7) or ``"pomp"`` (0-100).
    form : ``"both"``, ``"difference"`` or ``"ratio"``.
    require_all : all eight Kotler components required (False for a partial mapping).
    item_weights : item -> weight for weighted component scores (default: plain means).

    Attributes (after fit)
    ----------------------
    scores_ : :class:`~crmlib.value.ComponentScores` (with the missing-answer report).
    weights_ : :class:`~crmlib.value.ComponentWeights` (method, table, N used).
    values_ : DataFrame per respondent: components, ``total_value``,
        ``total_cost``, ``dv_difference``, ``dv_ratio``.
    scale_ : the metric of the totals in words.

    Examples
    --------
    >>> from crmlib.value import DeliveredValue, load_value_codebook, read_value_survey
    >>> survey = read_value_survey()   # the SIMULATED survey
    >>> dv = DeliveredValue(weighting="regression").fit(survey, load_value_codebook(), outcome=survey["SAT"])
    >>> int(dv.values_["dv_difference"].notna().sum())
    1190
    """

    def __init__(
        self,
        weighting: Method = "equal",
        *,
        given_weights: Mapping[str, float] | None = None,
        min_items: int | Mapping[str, int] | None = None,
        scale: Literal["item", "pomp"] = "item",
        form: Literal["both", "difference", "ratio"] = "both",
        require_all: bool = True,
        item_weights: Mapping[str, float] | None = None,
    ):
        self.weighting = weighting
        self.given_weights = given_weights
        self.min_items = min_items
        self.scale = scale
        self.form = form
        self.require_all = require_all
        self.item_weights = item_weights

    def fit(
        self, data: pd.DataFrame, codebook: pd.DataFrame, *, outcome: pd.Series | str | None = None
    ) -> DeliveredValue:
        """Score the components, derive the weights and compute delivered value; returns ``self``.

        ``outcome`` (a Series or a column name of ``data``) is the satisfaction
        score for ``weighting="regression"`` or the 0/1 choice for ``"choice"``.
        """
        if isinstance(outcome, str):
            if outcome not in data.columns:
                raise DataError(f"column {outcome!r} (the outcome of the weights) is not in the data")
            outcome = pd.to_numeric(data[outcome], errors="coerce").rename(outcome)
        self.scores_: ComponentScores = score_components(
            data,
            codebook,
            min_items=self.min_items,
            scale=self.scale,
            require_all=self.require_all,
            item_weights=self.item_weights,
        )
        self.weights_: ComponentWeights = derive_weights(
            self.scores_, self.weighting, outcome=outcome, given=self.given_weights
        )
        self.values_ = delivered_value(self.scores_, self.weights_.table, form=self.form)
        self.scale_ = self.values_.attrs["scale"]
        return self

    def summary(self) -> pd.DataFrame:
        """N, mean, SD, minimum and maximum of every component, total and delivered-value column."""
        if not hasattr(self, "values_"):
            raise DataError("DeliveredValue: call fit() first")
        v = self.values_
        out = pd.DataFrame(
            {"n": v.notna().sum(), "mean": v.mean(), "sd": v.std(ddof=1), "min": v.min(), "max": v.max()}
        )
        out["n"] = out["n"].astype(int)
        out.attrs["scale"] = self.scale_
        out.attrs["weights"] = self.weights_.description
        return out
