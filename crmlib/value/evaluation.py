"""How far to trust delivered value: out-of-sample fit, and recovery over many simulated surveys.

:func:`out_of_sample_r2` separates the circular part of "delivered value explains
X% of satisfaction": with regression weights (the coefficients of satisfaction on
the components) the in-sample R² of satisfaction on V - C is, by construction, the
R² of satisfaction on the eight components. Cross-validated R² (weights and the
regression of satisfaction on V - C estimated without the respondents they
predict) and the R² with equal weights (which never see satisfaction) are the
figures a reader can take.

:func:`recovery_study` repeats the simulation of :mod:`crmlib.value.simulate`
``n_runs`` times with seeds ``seed, seed + 1, ...`` and reports, for each true
quantity (component weights, the providers' mean delivered value, the effect of
delivered value on satisfaction), the mean estimate, its bias and root mean
squared error, and how often the interval holds the truth (coverage): a method
demonstration over many draws instead of one.

References
----------
Stone, M. (1974). Cross-validatory choice and assessment of statistical predictions.
    *Journal of the Royal Statistical Society B* 36(2), 111-147.
Morris, T. P., White, I. R. & Crowther, M. J. (2019). Using simulation studies to evaluate
    statistical methods. *Statistics in Medicine* 38(11), 2074-2102 (bias, RMSE, coverage).
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Literal

import numpy as np
import pandas as pd

from .._checks import as_rng, check_choice, check_count, check_level
from ..exceptions import DataError, DataWarning
from .compare import bootstrap_means
from .consequences import regress_outcomes
from .instrument import load_value_codebook
from .scoring import ComponentScores, delivered_value, score_components
from .simulate import TRUE_EFFECTS, TRUE_WEIGHTS, simulate_survey
from .weights import Method, bootstrap_weights, derive_weights

__all__ = ["loyalty_recovery", "out_of_sample_r2", "recovery_study"]


def _rows(scores: ComponentScores, index: pd.Index) -> ComponentScores:
    return dataclasses.replace(
        scores, scores=scores.scores.loc[index], answered=scores.answered.loc[index], recoded=scores.recoded.loc[index]
    )


def _fit_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    slope, intercept = np.polyfit(x, y, 1)
    return float(intercept), float(slope)


def out_of_sample_r2(
    scores: ComponentScores,
    outcome: pd.Series,
    *,
    weighting: Literal["regression", "entropy", "equal"] = "regression",
    n_folds: int = 10,
    seed: int | np.random.Generator,
) -> pd.DataFrame:
    """R² of an outcome on delivered value V - C, in sample and cross-validated, for two weightings.

    For ``weighting`` and for equal weights: the in-sample R² (weights and the
    line ``outcome = a + b (V - C)`` fitted on all complete respondents), and the
    ``n_folds``-fold cross-validated R², ``1 - sum (y - y_hat)^2 / sum (y - y_bar)^2``
    over the held-out respondents, where the weights, the line and ``y_bar`` come
    from the other folds (Stone 1974).

    Parameters
    ----------
    scores : component scores (:func:`~crmlib.value.score_components`).
    outcome : one value per respondent, aligned with ``scores.scores`` (satisfaction, 0-100).
    weighting : ``"regression"`` (weights from the outcome: the circular case),
        ``"entropy"`` or ``"equal"``.
    n_folds : folds of the cross-validation (>= 2).
    seed : seed of the fold assignment (int or Generator).

    Returns
    -------
    DataFrame indexed by (``weights``, ``evaluation``) with ``r2`` and ``n``
    (respondents with all components and the outcome).
    """
    check_choice(weighting, "weighting", ["regression", "entropy", "equal"])
    k = check_count(n_folds, "n_folds", minimum=2)
    rng = as_rng(seed)
    if not isinstance(outcome, pd.Series) or not outcome.index.equals(scores.scores.index):
        raise DataError("outcome must be a Series aligned with the component scores (same index)")
    y_all = pd.to_numeric(outcome, errors="coerce")
    keep = scores.scores.notna().all(axis=1) & y_all.notna()
    idx = scores.scores.index[keep.to_numpy()]
    if len(idx) < 2 * k:
        raise DataError(f"out_of_sample_r2: {len(idx)} complete respondents are too few for {k} folds")
    y = y_all.loc[idx].to_numpy(dtype="float64")
    folds = rng.permutation(np.arange(len(idx)) % k)
    rows = []
    with warnings.catch_warnings():  # wrong-signed coefficients are clipped to 0 (warned once by the caller's fit)
        warnings.simplefilter("ignore", DataWarning)
        methods: list[Method] = list(dict.fromkeys([weighting, "equal"]))
        for method in methods:

            def dv(train: pd.Index, rows_of: pd.Index, method: Method = method) -> np.ndarray:
                w = derive_weights(_rows(scores, train), method, outcome=y_all.loc[train]).table
                return delivered_value(_rows(scores, rows_of), w, form="difference")["dv_difference"].to_numpy()

            x = dv(idx, idx)
            a, b = _fit_line(x, y)
            r2_in = 1.0 - np.sum((y - a - b * x) ** 2) / np.sum((y - y.mean()) ** 2)
            sse = sst = 0.0
            for f in range(k):
                test, train = idx[folds == f], idx[folds != f]
                y_train, y_test = y[folds != f], y[folds == f]
                a, b = _fit_line(dv(train, train), y_train)
                sse += float(np.sum((y_test - a - b * dv(train, test)) ** 2))
                sst += float(np.sum((y_test - y_train.mean()) ** 2))
            rows += [(method, "in sample", r2_in), (method, f"cross-validated ({k} folds)", 1.0 - sse / sst)]
    out = pd.DataFrame(rows, columns=["weights", "evaluation", "r2"]).set_index(["weights", "evaluation"])
    out["n"] = len(idx)
    return out


def recovery_study(
    n_runs: int,
    *,
    n_per_competitor: int = 300,
    weighting: Literal["regression", "choice"] = "regression",
    n_boot: int = 200,
    level: float = 0.95,
    seed: int,
) -> pd.DataFrame:
    """Recovery of the simulation's truth over ``n_runs`` SIMULATED surveys (seeds ``seed`` .. ``seed + n_runs - 1``).

    In each run a survey is drawn by :func:`~crmlib.value.simulate_survey`, scored,
    and three things are estimated beside their truth:

    - the ``weighting`` weights (``"regression"`` on SAT or ``"choice"`` on CHOICE)
      with percentile bootstrap intervals (:func:`~crmlib.value.bootstrap_weights`);
    - each provider's mean delivered value V - C with the true weights, with
      percentile bootstrap intervals (:func:`~crmlib.value.bootstrap_means`);
    - the effect of V - C (true weights) on satisfaction, with an HC3 interval
      (:func:`~crmlib.value.regress_outcomes`).

    Parameters
    ----------
    n_runs : simulated surveys (>= 2).
    n_per_competitor : respondents per provider in each survey.
    weighting : ``"regression"`` or ``"choice"``.
    n_boot : bootstrap resamples per interval.
    level : coverage of the intervals, in (0, 1).
    seed : seed of the first run (int); run *r* uses ``seed + r``.

    Returns
    -------
    DataFrame indexed by (``quantity``, ``name``) with ``truth``, ``mean``
    (of the estimates), ``bias``, ``rmse``, ``coverage`` (share of runs whose
    interval holds the truth) and ``coverage_mcse`` (its Monte-Carlo standard error,
    sqrt(coverage (1 - coverage) / n_runs), Morris et al. 2019, table 6); ``attrs``
    holds ``n_runs``, ``level`` and ``n_boot``.

    References
    ----------
    Morris, White & Crowther (2019), *Statistics in Medicine* 38(11) (performance measures).
    """
    runs = check_count(n_runs, "n_runs", minimum=2)
    check_choice(weighting, "weighting", ["regression", "choice"])
    level = check_level(level)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise DataError(f"seed must be an int (run r uses seed + r), got {seed!r}")
    cb = load_value_codebook()
    outcome_of = {"regression": "SAT", "choice": "CHOICE"}[weighting]
    records = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        for r in range(runs):  # a loop over simulated surveys, not customers
            sim = simulate_survey(n_per_competitor, seed=int(seed) + r, codebook=cb)
            sc = score_components(sim.data, cb)
            w = bootstrap_weights(
                sc, weighting, outcome=sim.data[outcome_of], n_boot=n_boot, seed=int(seed) + r, level=level
            )
            for name in TRUE_WEIGHTS.index:
                records.append(("weight", name, TRUE_WEIGHTS[name], *w.loc[name, ["weight", "lower", "upper"]]))
            v = delivered_value(sc, TRUE_WEIGHTS, form="difference").assign(
                competitor=sim.data["competitor"], SAT=sim.data["SAT"]
            )
            means = bootstrap_means(v, ["dv_difference"], "competitor", n_boot=n_boot, level=level, seed=int(seed) + r)
            truth = sim.truth.means_by("competitor")["dv_difference"]
            for g, row in means.xs("dv_difference", level="variable").iterrows():
                records.append(("provider mean V - C", str(g), truth[g], row["mean"], row["lower"], row["upper"]))
            e = regress_outcomes(v, ["SAT"], ["dv_difference"], level=level).loc[("SAT", "dv_difference")]
            records.append(("effect on SAT", "V - C", TRUE_EFFECTS["sat_on_dv"], e["coef"], e["lower"], e["upper"]))
    frame = pd.DataFrame(records, columns=["quantity", "name", "truth", "estimate", "lower", "upper"])
    frame["error"] = frame["estimate"] - frame["truth"]
    frame["inside"] = (frame["lower"] <= frame["truth"]) & (frame["truth"] <= frame["upper"])
    out = frame.groupby(["quantity", "name"], sort=False).agg(
        truth=("truth", "first"),
        mean=("estimate", "mean"),
        bias=("error", "mean"),
        rmse=("error", lambda e: float(np.sqrt(np.mean(np.square(e))))),
        coverage=("inside", "mean"),
    )
    out["coverage_mcse"] = np.sqrt(out["coverage"] * (1.0 - out["coverage"]) / runs)
    out.attrs.update({"n_runs": runs, "level": level, "n_boot": n_boot})
    return out


def loyalty_recovery(n_runs: int, *, high: float = 5.0, n_per_competitor: int = 300, seed: int) -> pd.DataFrame:
    """How often the loyalty-type rule finds each respondent's true type, over ``n_runs`` SIMULATED surveys.

    Each run draws a survey (:func:`~crmlib.value.simulate_survey`, seed ``seed + r``), scores the loyalty items
    (:func:`crmlib.segment.loyalty_scores`) and applies :func:`crmlib.segment.loyalty_types` with ``high``; the
    result is compared with the simulation's true types.

    Parameters
    ----------
    n_runs : simulated surveys (>= 2).
    high : the rule's threshold (answer-scale units, 1-7).
    n_per_competitor : respondents per provider in each survey.
    seed : seed of the first run (int); run *r* uses ``seed + r``.

    Returns
    -------
    DataFrame indexed by true type (then ``all``): ``respondents`` (mean per run), ``recall`` (mean share of the
    type's respondents classified into it, 0-1), ``recall_min`` and ``recall_max`` over the runs; ``all`` holds
    the share of all respondents classified right. ``attrs``: ``n_runs``, ``high``.

    References
    ----------
    Seed thesis 004, sec. 2.3.1; Morris, White & Crowther (2019).
    """
    from ..segment.classes import LOYALTY_TYPES, loyalty_scores, loyalty_types

    runs = check_count(n_runs, "n_runs", minimum=2)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise DataError(f"seed must be an int (run r uses seed + r), got {seed!r}")
    cb = load_value_codebook()
    rows = []
    for r in range(runs):  # a loop over simulated surveys, not respondents
        sim = simulate_survey(n_per_competitor, seed=int(seed) + r, codebook=cb)
        assert sim.truth.loyalty_types is not None  # every simulated survey carries its true types
        truth = sim.truth.loyalty_types.astype(str).to_numpy()
        found = loyalty_types(loyalty_scores(sim.data), high=high).astype(str).to_numpy()
        for t in [*LOYALTY_TYPES, "all"]:
            mine = np.ones(len(truth), bool) if t == "all" else truth == t
            rows.append((t, int(mine.sum()), float((found[mine] == truth[mine]).mean()) if mine.any() else np.nan))
    frame = pd.DataFrame(rows, columns=["type", "respondents", "recall"])
    g = frame.groupby("type", sort=False)
    out = pd.DataFrame(
        {
            "respondents": g["respondents"].mean(),
            "recall": g["recall"].mean(),
            "recall_min": g["recall"].min(),
            "recall_max": g["recall"].max(),
        }
    )
    out.index.name = "true_loyalty_type"
    out.attrs.update({"n_runs": runs, "high": float(high)})
    return out
