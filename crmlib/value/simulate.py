"""A SIMULATED multi-competitor CDV survey from a documented latent model with known truth.

No public survey measures all eight of Kotler's components, so crmlib generates
one. Everything below is a design choice of crmlib, stated so that tests can
check that the method recovers it.

Latent model (one respondent rates the one provider he or she uses)
-------------------------------------------------------------------
* Providers ``A``-``D``, ``n_per_competitor`` respondents each; within each
  provider the first ``round(0.4 n)`` respondents are ``business`` customers,
  the rest ``consumer`` (rows are then shuffled).
* Latent component scores on the 1-7 metric:
  ``T_ik = mu[provider, k] + shift[segment, k] + u_ik``, ``u_i ~ N(0, Sigma)``,
  ``Sigma`` with standard deviation :data:`LATENT_SD` for every component,
  correlation :data:`RHO_WITHIN` within the value side and within the cost
  side, :data:`RHO_ACROSS` across them. ``mu`` is :data:`LATENT_MEANS`,
  ``shift`` is :data:`SEGMENT_SHIFT` (business customers: +0.5 time cost,
  +0.3 personnel value).
* Items (parallel, as in ``data/cdv_codebook.csv``): the agreement with a
  positively worded item is ``x = clip(round(T_ik + e), 1, 7)``,
  ``e ~ N(0, ITEM_SD^2)``; a reverse-worded item records ``8 - x``.
  Each component-item answer is then deleted completely at random with
  probability ``missing_rate`` (coded -9 in the file).
* Observed component score ``s_ik`` = mean of the answered items (of all
  items when none is answered). Delivered value with the true weights
  :data:`TRUE_WEIGHTS`: ``DV_i = sum_value w_k s_ik - sum_cost w_k s_ik``.
* Outcomes, written on the observed scores so that OLS and logit are correctly
  specified for respondents whose components are scored:
  ``SAT* = 45 + 10 DV + e_S``, ``e_S ~ N(0, (4 + 1.5 |DV - 1|)^2)``
  (heteroscedastic, hence HC3); ``SAT = clip(round(SAT*), 0, 100)``;
  ``LOY = clip(round(25 + 0.6 SAT* + e_L), 0, 100)``, ``e_L ~ N(0, 6^2)``
  (so the total effect of DV on LOY is 6); ``CHOICE ~ Bernoulli(logistic(-1 + 1.5 DV))``.
* Loyalty type (drawn after everything above, so the other columns do not depend on it): each respondent's true
  type among the seven of the thesis and ``none`` (:data:`crmlib.segment.classes.LOYALTY_TYPES`) follows a
  multinomial logit, ``logit_t = intercept_t + slope_t (DV - 1) + provider_t`` (:data:`LOYALTY_TYPE_LOGITS`:
  super-value and latent loyalty rise with delivered value, no loyalty falls; provider D's customers are more
  often captive, B's price-driven, C's convenience-driven, A's incentive-driven). The type sets a latent score
  on each of the six loyalty dimensions, :data:`LOYALTY_HIGH` on the dimensions that define it
  (:data:`LOYALTY_PROFILES`) and :data:`LOYALTY_LOW` on the others, plus ``N(0, LOYALTY_SD^2)``; each of the two
  items of a dimension (``data/loyalty_type_items.csv``) is ``clip(round(latent + e), 1, 7)``,
  ``e ~ N(0, ITEM_SD^2)``, never missing.

Known truth
-----------
Because items are parallel and answers are missing completely at random, the
expected observed component score of a respondent in cell (provider, segment)
is exactly ``E[clip(round(Z), 1, 7)]``, ``Z ~ N(mu + shift, LATENT_SD^2 +
ITEM_SD^2)``, a finite sum of normal probabilities (:func:`expected_item_score`);
means by provider or segment are cell-size-weighted averages of these. The
ratio form V / C has no closed-form expectation and is not part of the truth.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from .._checks import as_rng, check_count
from ..datasets import data_dir
from ..segment.classes import LOYALTY_DIMENSIONS, LOYALTY_TYPES, load_loyalty_items
from .instrument import (
    COMPONENTS,
    COST_COMPONENTS,
    VALUE_COMPONENTS,
    load_value_codebook,
)
from .scoring import component_items

__all__ = [
    "LATENT_MEANS",
    "LOYALTY_HIGH",
    "LOYALTY_LOW",
    "LOYALTY_PROFILES",
    "LOYALTY_TYPE_LOGITS",
    "SEGMENT_SHIFT",
    "SIMULATION_SEED",
    "TRUE_EFFECTS",
    "TRUE_WEIGHTS",
    "CDVTruth",
    "SimulatedCDV",
    "expected_item_score",
    "simulate_survey",
    "write_simulated_survey",
]

SIMULATION_SEED = 20261127
"""Seed of the shipped file ``data/cdv_simulated_survey.csv`` (300 respondents per provider)."""

LATENT_MEANS = pd.DataFrame(
    {
        "A": [5.6, 5.2, 5.0, 5.5, 5.3, 3.0, 3.0, 2.6],  # premium: high value, high price
        "B": [4.6, 4.2, 4.4, 4.0, 3.2, 3.6, 3.4, 3.2],  # value for money
        "C": [4.2, 4.8, 4.6, 3.9, 4.2, 2.4, 2.6, 2.2],  # convenience
        "D": [3.8, 3.5, 3.6, 3.4, 3.9, 4.4, 4.2, 3.8],  # laggard
    },
    index=list(COMPONENTS),
).T
"""Latent component means (1-7 metric) of consumer respondents, providers x components."""
LATENT_MEANS.index.name = "competitor"

SEGMENT_SHIFT = pd.DataFrame(
    {"consumer": [0.0] * 8, "business": [0.0, 0.0, 0.3, 0.0, 0.0, 0.5, 0.0, 0.0]}, index=list(COMPONENTS)
).T
"""Shift of the latent means by segment (business customers value personnel more and spend more time)."""

BUSINESS_SHARE = 0.4
LATENT_SD = 0.8
ITEM_SD = 0.9
RHO_WITHIN = 0.3
RHO_ACROSS = -0.1

TRUE_WEIGHTS = pd.Series([0.35, 0.25, 0.15, 0.25, 0.40, 0.25, 0.20, 0.15], index=list(COMPONENTS), name="weight")
"""True component weights (each side sums to 1)."""

TRUE_EFFECTS = {
    "sat_intercept": 45.0,
    "sat_on_dv": 10.0,
    "loy_intercept": 25.0,
    "loy_on_sat": 0.6,
    "loy_on_dv_total": 6.0,
    "choice_intercept": -1.0,
    "choice_on_dv": 1.5,
}
"""True outcome equations (SAT and LOY on 0-100, DV in 1-7 scale points with the true weights)."""

LOYALTY_HIGH = 6.0
"""Latent score (1-7 metric) of a loyalty dimension that defines the respondent's type."""
LOYALTY_LOW = 3.0
"""Latent score (1-7 metric) of the other loyalty dimensions."""
LOYALTY_SD = 0.5
LOYALTY_PROFILES: dict[str, tuple[str, ...]] = {
    "super_value": ("attitude", "repeat"),
    "monopoly": ("repeat", "no_alternative"),
    "price": ("repeat", "price"),
    "incentive": ("repeat", "incentive"),
    "convenience": ("repeat", "convenience"),
    "inertia": ("repeat",),
    "latent": ("attitude",),
    "none": (),
}
"""The loyalty dimensions that are high in each true type (the rule of :func:`crmlib.segment.loyalty_types`)."""
LOYALTY_TYPE_LOGITS = pd.DataFrame(
    {
        "intercept": [-0.2, -1.5, -1.0, -1.0, -1.0, -0.8, -1.0, -0.3],
        "slope": [1.2, 0.0, 0.0, 0.0, 0.0, 0.0, 0.6, -1.0],
        "A": [0.0, 0.0, 0.0, 0.8, 0.0, 0.0, 0.0, 0.0],
        "B": [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        "C": [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
        "D": [0.0, 1.5, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0],
    },
    index=list(LOYALTY_TYPES),
)
"""Multinomial-logit coefficients of the true loyalty type: intercept, slope on (DV - 1) and provider shifts."""


def expected_item_score(mean, sd: float, lo: int = 1, hi: int = 7) -> np.ndarray:
    """``E[clip(round(Z), lo, hi)]`` for ``Z ~ N(mean, sd^2)``, exactly (a sum of normal probabilities)."""
    m = np.asarray(mean, dtype=float)
    cuts = np.arange(lo, hi) + 0.5  # lo+.5 .. hi-.5
    cdf = stats.norm.cdf((cuts[:, None] - m.ravel()[None, :]) / sd)  # P(Z < cut)
    # E[X] = lo + sum over cuts of P(X > cut) = lo + sum (1 - cdf)
    return (lo + (1.0 - cdf).sum(axis=0)).reshape(m.shape)


@dataclass
class CDVTruth:
    """The known truth of a simulated survey.

    Attributes
    ----------
    cell_means : DataFrame indexed by (competitor, segment): the expected
        observed component scores (1-7 metric) and ``n`` respondents per cell.
    latent_means, segment_shift : the latent design (:data:`LATENT_MEANS`,
        :data:`SEGMENT_SHIFT`).
    weights : :data:`TRUE_WEIGHTS`; effects : :data:`TRUE_EFFECTS`.
    loyalty_types : each respondent's true loyalty type, in the rows' order of the survey.
    """

    cell_means: pd.DataFrame
    latent_means: pd.DataFrame
    segment_shift: pd.DataFrame
    weights: pd.Series
    effects: dict
    loyalty_types: pd.Series | None = None

    def means_by(self, group: str = "competitor") -> pd.DataFrame:
        """Expected component scores, total value, total cost and V - C (true weights) by ``competitor`` or ``segment``."""
        cm = self.cell_means.reset_index()
        comps = list(COMPONENTS)
        w = cm["n"].to_numpy(dtype=float)[:, None]
        num = pd.DataFrame(cm[comps].to_numpy() * w, columns=comps).assign(**{group: cm[group].to_numpy()})
        out = num.groupby(group).sum().div(cm.groupby(group)["n"].sum(), axis=0)
        out["total_value"] = out[list(VALUE_COMPONENTS)] @ self.weights[list(VALUE_COMPONENTS)]
        out["total_cost"] = out[list(COST_COMPONENTS)] @ self.weights[list(COST_COMPONENTS)]
        out["dv_difference"] = out["total_value"] - out["total_cost"]
        return out


@dataclass
class SimulatedCDV:
    """A SIMULATED CDV survey (``data``, as in the shipped file, NaN = missing) and its ``truth``."""

    data: pd.DataFrame
    truth: CDVTruth
    seed: int | None


def _sigma() -> np.ndarray:
    side = np.array([c in VALUE_COMPONENTS for c in COMPONENTS])
    corr = np.where(side[:, None] == side[None, :], RHO_WITHIN, RHO_ACROSS)
    np.fill_diagonal(corr, 1.0)
    return corr * LATENT_SD**2


def simulate_survey(
    n_per_competitor: int = 300,
    *,
    seed: int | np.random.Generator = SIMULATION_SEED,
    missing_rate: float = 0.03,
    codebook: pd.DataFrame | None = None,
) -> SimulatedCDV:
    """Draw a SIMULATED four-provider CDV survey from the latent model of this module.

    Parameters
    ----------
    n_per_competitor : respondents per provider (four providers A-D).
    seed : int or ``numpy.random.Generator``; the same seed gives the same survey.
    missing_rate : probability that a component-item answer is missing (MCAR).
    codebook : CDV codebook giving the items and reverse flags (default
        ``data/cdv_codebook.csv``).

    Returns
    -------
    SimulatedCDV
        ``data`` columns: ``respondent``, ``data_source`` (always
        ``"SIMULATED"``), ``competitor``, ``segment``, the 28 component items
        (answers as recorded, reverse items not yet recoded, NaN = missing),
        ``SAT``, ``LOY`` (0-100) and ``CHOICE`` (0/1); ``truth`` the expected
        scores and the true weights and effects.
    """
    n_per_competitor = check_count(n_per_competitor, "n_per_competitor", minimum=10)
    if not 0 <= missing_rate < 0.5:
        raise ValueError(f"missing_rate must lie in [0, 0.5), got {missing_rate}")
    rng = as_rng(seed)
    cb = load_value_codebook() if codebook is None else codebook
    items, _ = component_items(cb)
    rev = cb.set_index("item")["reverse"].astype(bool)
    provs = list(LATENT_MEANS.index)
    n_bus = round(BUSINESS_SHARE * n_per_competitor)
    comp = np.repeat(provs, n_per_competitor)
    seg = np.tile(np.r_[np.repeat("business", n_bus), np.repeat("consumer", n_per_competitor - n_bus)], len(provs))
    n = comp.size
    mu = LATENT_MEANS.loc[comp].to_numpy() + SEGMENT_SHIFT.loc[seg].to_numpy()
    # Cholesky, not numpy's default SVD: the block correlation matrix has repeated eigenvalues, whose
    # eigenvectors LAPACK builds choose differently, so SVD draws changed with the numpy/LAPACK version.
    latent = mu + rng.multivariate_normal(np.zeros(len(COMPONENTS)), _sigma(), size=n, method="cholesky")

    answers, scores = {}, np.empty((n, len(COMPONENTS)))
    for k, c in enumerate(COMPONENTS):
        its = items[c]
        x = np.clip(np.rint(latent[:, [k]] + rng.normal(0.0, ITEM_SD, size=(n, len(its)))), 1, 7)
        miss = rng.random(x.shape) < missing_rate
        obs = np.where(miss, np.nan, x)
        n_ans = (~miss).sum(axis=1)
        scores[:, k] = np.where(n_ans > 0, np.nansum(obs, axis=1) / np.maximum(n_ans, 1), x.mean(axis=1))
        for j, item in enumerate(its):
            answers[item] = np.where(rev[item], 8.0 - obs[:, j], obs[:, j])
    w = TRUE_WEIGHTS.to_numpy()
    sign = np.where([c in VALUE_COMPONENTS for c in COMPONENTS], 1.0, -1.0)
    dv = scores @ (w * sign)
    e = TRUE_EFFECTS
    sat_star = e["sat_intercept"] + e["sat_on_dv"] * dv + rng.normal(0.0, 1.0, n) * (4.0 + 1.5 * np.abs(dv - 1.0))
    loy_star = e["loy_intercept"] + e["loy_on_sat"] * sat_star + rng.normal(0.0, 6.0, n)
    p_choice = 1.0 / (1.0 + np.exp(-(e["choice_intercept"] + e["choice_on_dv"] * dv)))
    choice = (rng.random(n) < p_choice).astype(float)

    data = pd.DataFrame({"data_source": "SIMULATED", "competitor": comp, "segment": seg})
    data = pd.concat([data, pd.DataFrame(answers)], axis=1)
    data["SAT"] = np.clip(np.rint(sat_star), 0, 100)
    data["LOY"] = np.clip(np.rint(loy_star), 0, 100)
    data["CHOICE"] = choice
    order = rng.permutation(n)
    true_type, loyalty = _loyalty_answers(rng, dv, comp)
    data = pd.concat([data, loyalty], axis=1).iloc[order].reset_index(drop=True)
    data.insert(0, "respondent", np.arange(1, n + 1))

    sd = float(np.sqrt(LATENT_SD**2 + ITEM_SD**2))
    cells = pd.MultiIndex.from_product([provs, ["business", "consumer"]], names=["competitor", "segment"])
    cell_mu = (
        LATENT_MEANS.loc[cells.get_level_values(0)].to_numpy() + SEGMENT_SHIFT.loc[cells.get_level_values(1)].to_numpy()
    )
    cell_means = pd.DataFrame(expected_item_score(cell_mu, sd), index=cells, columns=list(COMPONENTS))
    cell_means["n"] = np.where(cells.get_level_values(1) == "business", n_bus, n_per_competitor - n_bus)
    types = pd.Series(pd.Categorical(true_type[order], categories=LOYALTY_TYPES), name="true_loyalty_type")
    truth = CDVTruth(
        cell_means, LATENT_MEANS.copy(), SEGMENT_SHIFT.copy(), TRUE_WEIGHTS.copy(), dict(TRUE_EFFECTS), types
    )
    return SimulatedCDV(data=data, truth=truth, seed=seed if isinstance(seed, (int, np.integer)) else None)


def _loyalty_answers(rng: np.random.Generator, dv: np.ndarray, provider: np.ndarray):
    """True loyalty types and the answers to the loyalty items (module docstring), in the unshuffled order."""
    lg = LOYALTY_TYPE_LOGITS
    eta = lg["intercept"].to_numpy() + np.outer(dv - 1.0, lg["slope"].to_numpy()) + lg[provider].to_numpy().T
    p = np.exp(eta - eta.max(axis=1, keepdims=True))
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    pick = np.minimum((rng.random(len(dv))[:, None] > cum).sum(axis=1), len(lg) - 1)
    true_type = np.asarray(lg.index, dtype=object)[pick]
    high = np.array([[d in LOYALTY_PROFILES[t] for d in LOYALTY_DIMENSIONS] for t in lg.index])[pick]
    latent = np.where(high, LOYALTY_HIGH, LOYALTY_LOW) + rng.normal(0.0, LOYALTY_SD, high.shape)
    items = load_loyalty_items()
    answers = {}
    for item, dim in zip(items["item"], items["dimension"]):
        k = LOYALTY_DIMENSIONS.index(dim)
        answers[item] = np.clip(np.rint(latent[:, k] + rng.normal(0.0, ITEM_SD, len(dv))), 1, 7)
    return true_type, pd.DataFrame(answers)


def write_simulated_survey(
    path: str | os.PathLike | None = None, n_per_competitor: int = 300, seed: int = SIMULATION_SEED
) -> Path:
    """Write the SIMULATED survey as CSV (missing answers coded -9, integers); returns the path.

    The shipped ``data/cdv_simulated_survey.csv`` is this function's output with
    the defaults (``python -m crmlib.value.simulate`` rewrites it).
    """
    p = Path(path) if path is not None else data_dir() / "cdv_simulated_survey.csv"
    sim = simulate_survey(n_per_competitor, seed=seed)
    out = sim.data.copy()
    num = out.columns[4:]
    out[num] = out[num].fillna(-9).astype("int64")
    out.to_csv(p, index=False, lineterminator="\n")
    return p


if __name__ == "__main__":  # pragma: no cover - regenerates the shipped file
    print(write_simulated_survey())


def is_simulated(survey: pd.DataFrame) -> bool:
    """True when every row of ``survey`` is marked ``SIMULATED`` in its ``data_source`` column.

    The simulated survey (:func:`simulate_survey`, ``data/cdv_simulated_survey.csv``) marks each row so,
    so that no table made from it can be mistaken for fieldwork; a survey without the column is real.

    Parameters
    ----------
    survey : one row per respondent.

    Returns
    -------
    bool

    References
    ----------
    The simulation design is described in this module's docstring (known truth for recovery checks).
    """
    return bool("data_source" in survey.columns and len(survey) and survey["data_source"].eq("SIMULATED").all())
