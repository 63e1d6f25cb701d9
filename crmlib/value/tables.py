"""Result tables of a delivered-value analysis (instrument overview, scoring report, weights, recovery, PLS)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..survey.reliability import cronbach_alpha
from .compare import bootstrap_means
from .instrument import COMPONENT_LABELS
from .scoring import ComponentScores
from .simulate import CDVTruth
from .weights import derive_weights

__all__ = [
    "instrument_overview",
    "pls_inputs",
    "recovery_table",
    "scoring_table",
    "weights_comparison",
]

CHINESE = {
    "product_value": "产品价值",
    "service_value": "服务价值",
    "personnel_value": "人员价值",
    "image_value": "形象价值",
    "monetary_cost": "货币成本",
    "time_cost": "时间成本",
    "energy_cost": "精力成本",
    "physical_cost": "体力成本",
}


def instrument_overview(instrument: pd.DataFrame) -> pd.DataFrame:
    """One row per component of the questionnaire: side, Chinese term, items, reverse items, first item's wording."""
    comp = instrument.loc[instrument["value_or_cost"].isin(["value", "cost"])]
    rows = []
    for c, g in comp.groupby("component", sort=False):
        rows.append(
            {
                "component": COMPONENT_LABELS.get(c, c),
                "中文": CHINESE.get(c, ""),
                "side": g["value_or_cost"].iloc[0],
                "items": ", ".join(g["item"]),
                "reverse-coded": ", ".join(g.loc[g["reverse"], "item"]) or "-",
                "example item (EN)": g["wording_en"].iloc[0],
                "example item (ZH)": g["wording_zh"].iloc[0],
            }
        )
    return pd.DataFrame(rows).set_index("component")


def scoring_table(scores: ComponentScores) -> pd.DataFrame:
    """The scoring report with Cronbach's alpha (raw, listwise) of each component's recoded items.

    Indexed by component (:func:`~crmlib.value.by_label` shows the labels): ``side``, ``n_items``, ``reversed``,
    ``min_items``, ``n_scored``, ``n_too_few``, ``missing_answers`` (counts) and ``alpha``. Cronbach (1951),
    *Psychometrika* 16(3), eq. 2.
    """
    rep = scores.report[["side", "n_items", "reversed", "min_items", "n_scored", "n_too_few", "missing_answers"]].copy()
    alpha = {}
    for c, its in scores.items.items():
        alpha[c] = float(cronbach_alpha(scores.recoded[its])["alpha_raw"]) if len(its) > 1 else np.nan
    rep["alpha"] = pd.Series(alpha)
    return rep


def weights_comparison(
    scores: ComponentScores, outcomes: Mapping[str, pd.Series], given: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Normalised weights of every method side by side (columns equal, regression, choice, entropy, given).

    ``outcomes`` maps ``"regression"`` and/or ``"choice"`` to their outcome series.
    """
    out = {"side": pd.Series(scores.sides), "equal": derive_weights(scores, "equal").weights}
    for method in ("regression", "choice"):
        if method in outcomes:
            out[method] = derive_weights(scores, method, outcome=outcomes[method]).weights
    out["entropy"] = derive_weights(scores, "entropy").weights
    if given is not None:
        out["given"] = derive_weights(scores, "given", given=given).weights
    return pd.DataFrame(out)


def recovery_table(
    values: pd.DataFrame,
    truth: CDVTruth,
    group: str,
    columns: Sequence[str] = ("total_value", "total_cost", "dv_difference"),
    *,
    n_boot: int = 2000,
    seed: int | np.random.Generator,
) -> pd.DataFrame:
    """Estimates with bootstrap intervals beside the simulation's truth, by ``group`` (SIMULATED data only).

    Parameters
    ----------
    values : delivered values per respondent (component scale points) with the ``group`` column.
    truth : the simulation's truth (:class:`~crmlib.value.CDVTruth`).
    n_boot, seed : bootstrap resamples and their seed (an int or Generator; ``None`` is refused).

    Returns
    -------
    DataFrame indexed by (group, variable): ``n``, ``truth``, ``mean``, ``lower``, ``upper`` (percentile
    bootstrap interval, Efron & Tibshirani 1993, ch. 13) and ``inside`` (the interval holds the truth).
    """
    est = bootstrap_means(values, list(columns), group, n_boot=n_boot, seed=seed)
    tr = truth.means_by(group)[list(columns)].stack()
    tr.index.names = ["group", "variable"]
    est = est.join(tr.rename("truth"))
    est["inside"] = (est["lower"] <= est["truth"]) & (est["truth"] <= est["upper"])
    return est[["n", "truth", "mean", "lower", "upper", "inside"]]


def pls_inputs(scores: ComponentScores, data: pd.DataFrame, satisfaction: str, loyalty: str):
    """Data, measurement and structure of the PLS model: components -> satisfaction -> loyalty.

    Each component is a reflective construct of its recoded items; satisfaction
    and loyalty are single-item constructs. Returns ``(frame, measurement, structure)``
    for :func:`crmlib.survey.pls_path_model`.
    """
    frame = scores.recoded.assign(
        **{satisfaction: data[satisfaction].astype(float), loyalty: data[loyalty].astype(float)}
    )
    measurement = {**scores.items, "SAT": [satisfaction], "LOY": [loyalty]}
    structure = [(c, "SAT") for c in scores.items] + [("SAT", "LOY")]
    return frame, measurement, structure
