"""Assessment of a PLS path model in the order of the PLS-SEM literature: measurement first, then structure.

Measurement model (Hair, Hult, Ringle & Sarstedt 2022, *A Primer on PLS-SEM*,
3rd ed., ch. 4-5): reflective item loadings with bootstrap intervals,
internal consistency (Cronbach's alpha, rho_A, composite reliability rho_c),
convergent validity (AVE), discriminant validity by HTMT with bootstrap
intervals tested against 0.85 and 0.90 (Henseler, Ringle & Sarstedt 2015;
Franke & Sarstedt 2019); formative indicators by their collinearity (VIF).
:func:`measurement_assessment` flags the items and constructs that fail, and
:func:`respecify` removes failing items by the stated rule and returns the
respecified model, which the caller estimates and shows beside the original.

Structural model (ch. 6): collinearity of the predictors of every endogenous
construct (inner VIF), f² effect sizes (Cohen 1988), R² and the paths with
their intervals (:class:`~crmlib.survey.pls.PLSResult`).

HTMT bootstrap: HTMT depends on the data only through the item correlation
matrix, so the intervals come from a stack of correlation matrices of the
*same* resamples as the path bootstrap (``PLSResult.boot_indices``), computed
in one batch: no Python loop over resamples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .._checks import check_level
from ..exceptions import DataError
from .pathmodel import PathModelSpec
from .pls import PLSResult, _corr_stack, pls_path_model
from .reliability import construct_reliability

__all__ = [
    "THRESHOLDS",
    "MeasurementAssessment",
    "htmt_intervals",
    "measurement_assessment",
    "respecify",
    "outer_vif",
    "inner_vif",
    "f_squared",
    "model_fit",
    "compare_models",
    "consistent_comparison",
    "consistent_sentence",
]

THRESHOLDS = {
    "loading_remove": 0.40,  # reflective loading below: remove (Hair et al. 2022, ch. 4)
    "loading": 0.708,  # reflective loading at or above: keep; between: remove only if it lifts rho_c/AVE
    "reliability": 0.70,  # alpha, rho_A, rho_c at least
    "reliability_max": 0.95,  # rho_c above: redundant items
    "ave": 0.50,  # AVE at least
    "htmt": 0.90,  # HTMT upper bound below (conceptually similar constructs); 0.85 conservative
    "htmt_conservative": 0.85,
    "vif": 5.0,  # VIF at or above: critical collinearity (3 already possible)
}


def _require_boot(result: PLSResult, what: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(result, PLSResult):
        raise DataError(f"{what}: result must be a PLSResult, got {type(result).__name__}")
    if result.boot_indices is None or result.item_data is None:
        raise DataError(f"{what}: the model was not bootstrapped; estimate it with n_boot > 0 (and a seed)")
    return result.item_data, result.boot_indices


def _htmt_stack(R: np.ndarray, blocks: Sequence[np.ndarray]) -> np.ndarray:
    """HTMT (..., K, K) of a stack of item correlation matrices (Henseler et al. 2015, eq. 6)."""
    p, K = R.shape[-1], len(blocks)
    M = np.zeros((p, K))
    for k, b in enumerate(blocks):
        M[b, k] = 1.0
    A = np.abs(R)
    S = M.T @ A @ M  # sums of |r| within and between blocks
    size = M.sum(axis=0)
    diag = np.einsum("...kk->...k", S)
    mono = np.where(size > 1, (diag - size) / np.maximum(size * (size - 1), 1), 1.0)
    het = S / np.outer(size, size)
    out = het / np.sqrt(mono[..., :, None] * mono[..., None, :])
    idx = np.arange(K)
    out[..., idx, idx] = np.nan
    return out


def htmt_intervals(result: PLSResult, *, level: float | None = None, batch_size: int = 500) -> pd.DataFrame:
    """HTMT of every pair of constructs with bootstrap intervals and tests against 0.85 and 0.90.

    The resamples are those of the model's bootstrap (``result.boot_indices``),
    so the HTMT and path intervals describe the same draws. Discriminant
    validity of a pair is established at a threshold when the upper bound of
    the one-sided bootstrap interval (the ``level`` quantile of the resampled
    HTMT) is below it (Franke & Sarstedt 2019, p. 438; Henseler et al. 2015, p. 128).

    Parameters
    ----------
    result : a PLSResult estimated with ``n_boot > 0``.
    level : interval level (share); default the model's ``result.level``.
    batch_size : resamples per batch of correlation matrices (memory ``batch_size * n * p * 8`` bytes).

    Returns
    -------
    DataFrame, one row per pair of constructs (model order): ``construct_a``,
    ``construct_b``, ``htmt`` (ratio), ``boot_mean``, ``lower``, ``upper``
    (two-sided percentile interval at ``level``), ``upper_one_sided`` (the
    ``level`` quantile), ``below_085``, ``below_090`` (bool: the one-sided upper
    bound is below the threshold).

    References
    ----------
    Henseler, J., Ringle, C. M. & Sarstedt, M. (2015). A new criterion for assessing discriminant validity in
    variance-based SEM. *J. Academy of Marketing Science* 43, 115-135. Franke, G. & Sarstedt, M. (2019).
    Heuristics versus statistics in discriminant validity testing. *Internet Research* 29, 430-447.
    """
    X, idx = _require_boot(result, "htmt_intervals")
    level = check_level(result.level if level is None else level)
    items = list(result.item_correlations.index)
    blocks = [np.array([items.index(i) for i in its]) for its in result.measurement.values()]
    point = _htmt_stack(result.item_correlations.to_numpy(), blocks)
    draws = np.concatenate(
        [_htmt_stack(_corr_stack(X, idx[s : s + batch_size]), blocks) for s in range(0, len(idx), batch_size)]
    )
    names = list(result.measurement)
    a, b = np.triu_indices(len(names), 1)
    d = draws[:, a, b]
    tail = (1 - level) / 2
    upper1 = np.quantile(d, level, axis=0)
    out = pd.DataFrame(
        {
            "construct_a": [names[i] for i in a],
            "construct_b": [names[j] for j in b],
            "htmt": point[a, b],
            "boot_mean": d.mean(axis=0),
            "lower": np.quantile(d, tail, axis=0),
            "upper": np.quantile(d, 1 - tail, axis=0),
            "upper_one_sided": upper1,
            "below_085": upper1 < THRESHOLDS["htmt_conservative"],
            "below_090": upper1 < THRESHOLDS["htmt"],
        }
    )
    out.attrs.update(level=level, n_boot=len(idx))
    return out


def outer_vif(result: PLSResult) -> pd.DataFrame:
    """Variance inflation factor of every item within its construct's block (outer model collinearity).

    ``VIF_i = [R_block^{-1}]_ii`` with ``R_block`` the correlations of the
    construct's items (Hair et al. 2022, ch. 5: formative indicators with
    VIF >= 5 are critically collinear, 3-5 possibly). Single items get NaN.

    Returns
    -------
    DataFrame, one row per item: ``construct``, ``item``, ``mode`` (``A``/``B``), ``vif`` (ratio).
    """
    rows = []
    R = result.item_correlations
    for c, its in result.measurement.items():
        v = np.diag(np.linalg.inv(R.loc[its, its].to_numpy())) if len(its) > 1 else [np.nan]
        rows += [{"construct": c, "item": i, "mode": result.modes.get(c, "A"), "vif": float(x)} for i, x in zip(its, v)]
    return pd.DataFrame(rows)


def inner_vif(result: PLSResult) -> pd.DataFrame:
    """Variance inflation factor of every predictor of every endogenous construct (inner model collinearity).

    ``VIF = [R_P^{-1}]_ii`` with ``R_P`` the correlations of the construct
    scores of the predictors ``P`` of one endogenous construct (Hair et al.
    2022, ch. 6, Exhibit 6.1: VIF >= 5 critical, 3-5 possibly).

    Returns
    -------
    DataFrame, one row per path: ``from``, ``to``, ``vif`` (ratio).
    """
    C = result.construct_correlations
    rows = []
    for target in dict.fromkeys(t for _, t in result.structure):
        P = [a for a, t in result.structure if t == target]
        v = np.diag(np.linalg.inv(C.loc[P, P].to_numpy())) if len(P) > 1 else [1.0]
        rows += [{"from": a, "to": target, "vif": float(x)} for a, x in zip(P, v)]
    return pd.DataFrame(rows)


def _r2(C: pd.DataFrame, P: list[str], target: str) -> float:
    if not P:
        return 0.0
    b = C.loc[P, target].to_numpy()
    return float(b @ np.linalg.solve(C.loc[P, P].to_numpy(), b))


def f_squared(result: PLSResult) -> pd.DataFrame:
    """Cohen's f² of every path: the change in R² when the predictor is left out of its target's regression.

    ``f² = (R²_included - R²_excluded) / (1 - R²_included)``, both R² from
    the construct scores of the full model (as SmartPLS; Cohen 1988, p. 410;
    Hair et al. 2022, ch. 6: 0.02 small, 0.15 medium, 0.35 large).

    Returns
    -------
    DataFrame, one row per path: ``from``, ``to``, ``f2`` (ratio), ``size``
    (``"none"``, ``"small"``, ``"medium"``, ``"large"``).
    """
    C = result.construct_correlations
    rows = []
    for a, t in result.structure:
        P = [s for s, u in result.structure if u == t]
        full = _r2(C, P, t)
        f2 = (full - _r2(C, [s for s in P if s != a], t)) / (1 - full)
        size = "large" if f2 >= 0.35 else "medium" if f2 >= 0.15 else "small" if f2 >= 0.02 else "none"
        rows.append({"from": a, "to": t, "f2": f2, "size": size})
    return pd.DataFrame(rows)


def _implied_construct_correlations(result: PLSResult) -> np.ndarray:
    """Construct correlations implied by the structural model: exogenous correlations as observed, every
    endogenous construct its predecessors times the paths plus an uncorrelated disturbance of variance 1 - R²."""
    C = result.construct_correlations.to_numpy()
    names = list(result.construct_correlations.index)
    pos = {c: k for k, c in enumerate(names)}
    K = len(names)
    B = np.zeros((K, K))
    for r in result.paths.itertuples():
        B[pos[r._1], pos[r.to]] = r.estimate
    endo = B.any(axis=0)
    Psi = np.where(np.outer(~endo, ~endo), C, 0.0)
    Psi[endo, endo] = [1 - result.r2[names[k]] for k in np.flatnonzero(endo)]
    T = np.linalg.inv(np.eye(K) - B.T)
    return T @ Psi @ T.T


def model_fit(result: PLSResult) -> pd.DataFrame:
    """Approximate fit of a PLS path model: SRMR and d_ULS of the saturated and the estimated model.

    The model-implied correlation matrix of the items has, within a block, ``λλ'``
    for a reflective (mode A) construct and the observed correlations for a
    formative (mode B) one, and between blocks ``λ_k φ_kl λ_l'`` with ``λ`` the
    loadings and ``φ`` the construct correlations: as observed in the
    *saturated* model (every construct correlated), or as implied by the paths in
    the *estimated* model (exogenous correlations as observed, disturbances
    uncorrelated with variance 1 - R²). The diagonal is 1.
    ``SRMR = sqrt(mean_{i<=j} (r_ij - sigma_ij)^2)``; ``d_ULS = 1/2 sum_{i,j} (r_ij - sigma_ij)^2``.
    An SRMR below 0.08 counts as good fit (Hu & Bentler 1999; Henseler, Hubona & Ray 2016),
    read as an approximate criterion for PLS.

    Returns
    -------
    DataFrame indexed by ``saturated`` and ``estimated``, columns ``srmr`` and ``d_uls``
    (correlation units; d_ULS squared correlation units).

    References
    ----------
    Henseler, J., Dijkstra, T. K., Sarstedt, M., et al. (2014). Common beliefs and reality about PLS.
    *Organizational Research Methods* 17(2), 182-209. Henseler, J., Hubona, G. & Ray, P. A. (2016). Using
    PLS path modeling in new technology research: updated guidelines. *Industrial Management & Data
    Systems* 116(1), 2-20. Hu, L. & Bentler, P. M. (1999). *Structural Equation Modeling* 6(1), 1-55.
    """
    if not isinstance(result, PLSResult):
        raise DataError(f"model_fit: result must be a PLSResult, got {type(result).__name__}")
    R = result.item_correlations.to_numpy()
    items = list(result.item_correlations.index)
    constructs = list(result.construct_correlations.index)
    load = result.loadings.set_index("item")["loading"]
    L = np.zeros((len(items), len(constructs)))
    for k, c in enumerate(constructs):
        for i in result.measurement[c]:
            L[items.index(i), k] = load[i]
    rows = {}
    for name, Phi in (("saturated", result.construct_correlations.to_numpy()),
                      ("estimated", _implied_construct_correlations(result))):  # fmt: skip
        S = L @ Phi @ L.T
        for c in constructs:
            blk = [items.index(i) for i in result.measurement[c]]
            S[np.ix_(blk, blk)] = (
                R[np.ix_(blk, blk)]
                if result.modes.get(c, "A") == "B"
                else np.outer(L[blk, constructs.index(c)], L[blk, constructs.index(c)])
            )
        np.fill_diagonal(S, 1.0)
        resid = (R - S)[np.tril_indices(len(items))]
        rows[name] = {"srmr": float(np.sqrt(np.mean(resid**2))), "d_uls": float(0.5 * ((R - S) ** 2).sum())}
    return pd.DataFrame(rows).T


@dataclass
class MeasurementAssessment:
    """Outcome of :func:`measurement_assessment`.

    items : one row per item: ``construct``, ``item``, ``mode``, ``loading``,
        ``lower``, ``upper`` (bootstrap interval), ``weight``, ``vif``, ``flag``
        (empty when the item passes; else the reason).
    constructs : one row per construct (index): ``n_items``, ``mode``, ``alpha``
        (standardised), ``rho_a``, ``rho_c``, ``ave`` (NaN for a single item, where they
        are not defined), ``flag`` (failed criteria, ``"; "``-joined).
    htmt : :func:`htmt_intervals` of the pairs of reflective constructs, with a ``flag`` column.
    level : the interval level.
    """

    items: pd.DataFrame
    constructs: pd.DataFrame
    htmt: pd.DataFrame
    level: float

    @property
    def failing_items(self) -> list[str]:
        """Items flagged for removal (loading below 0.40 or an interval containing 0)."""
        return list(self.items.loc[self.items["flag"].str.startswith("remove"), "item"])

    @property
    def failing_constructs(self) -> list[str]:
        """Constructs that fail internal consistency or convergent validity."""
        return list(self.constructs.index[self.constructs["flag"] != ""])

    @property
    def failing_pairs(self) -> pd.DataFrame:
        """Pairs of constructs without established discriminant validity at 0.90."""
        return self.htmt.loc[self.htmt["flag"] != ""]

    def decision(self) -> str:
        """The measurement decision as a paragraph (Markdown): failing items, constructs and pairs, or that all pass."""
        it = self.items.loc[self.items["flag"].str.startswith("remove")]
        out = [
            "Items that fail: "
            + ", ".join(
                f"{r.item} (loading {r.loading:.2f}, interval {r.lower:.2f} to {r.upper:.2f})" for r in it.itertuples()
            )
            + "; they are removed by the rule below and the model is estimated again."
            if len(it)
            else "No item fails the removal rule."
        ]
        bad = self.failing_constructs
        out.append(
            "Constructs that fail: " + "; ".join(f"{c} ({self.constructs.loc[c, 'flag']})" for c in bad) + "."
            if bad
            else "Every construct meets the reliability and convergent-validity criteria."
        )
        high, pairs = self.htmt.loc[self.htmt["htmt"] > 0.90], self.failing_pairs
        if len(pairs):
            named = ", ".join(f"{r.construct_a}-{r.construct_b} {r.htmt:.2f}" for r in high.itertuples())
            out.append(
                f"{len(high)} pairs of constructs have an HTMT above 0.90{f' ({named})' if named else ''}; for "
                f"{len(pairs)} of {len(self.htmt)} pairs the one-sided upper bound is not below 0.90, so discriminant "
                "validity is not established for them. Removing items does not repair this, and it limits what the "
                "structural paths between those constructs can say."
            )
        else:
            out.append(
                "Discriminant validity is established for every pair (every one-sided HTMT upper bound is below 0.90)."
            )
        return " ".join(out)


def _item_flag(mode: str, loading: float, lower: float, upper: float, weight_zero: bool, vif: float, single: bool):
    t = THRESHOLDS
    if single:
        return ""
    if mode == "B":
        if vif >= t["vif"]:
            return f"review: VIF {vif:.1f} >= {t['vif']:g}"
        if weight_zero and loading < 0.5:
            return "review: weight interval contains 0 and loading < 0.5"
        return ""
    if loading < t["loading_remove"]:
        return f"remove: loading {loading:.2f} < {t['loading_remove']:.2f}"
    if lower <= 0 <= upper:
        return "remove: loading interval contains 0"
    if loading < t["loading"]:
        return f"review: loading {loading:.2f} < {t['loading']:.3f}"
    return ""


def measurement_assessment(result: PLSResult) -> MeasurementAssessment:
    """Flag the items and constructs of a fitted model that fail the PLS-SEM measurement criteria.

    Reflective (mode A) items: loading < 0.40 or a bootstrap interval
    containing 0 -> ``"remove: ..."``; loading < 0.708 -> ``"review: ..."``.
    Formative (mode B) items: outer VIF >= 5, or a weight interval containing 0
    with a loading < 0.5 -> ``"review: ..."``. Reflective constructs with two or
    more items: alpha, rho_A or rho_c < 0.70, rho_c > 0.95, AVE < 0.50. Pairs of
    reflective constructs (HTMT is not defined for formative ones; Henseler et al. 2015,
    p. 121): HTMT one-sided upper bound not below 0.90 (:func:`htmt_intervals`).
    Thresholds are in :data:`THRESHOLDS`.

    Parameters
    ----------
    result : a PLSResult estimated with ``n_boot > 0``.

    Returns
    -------
    MeasurementAssessment

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M. & Sarstedt, M. (2022). *A Primer on Partial Least Squares
    Structural Equation Modeling*, 3rd ed., ch. 4 (Exhibit 4.4) and ch. 5 (Exhibit 5.1). Henseler et al.
    (2015); Franke & Sarstedt (2019) for HTMT inference.
    """
    ht = htmt_intervals(result)
    formative = {c for c, m in result.modes.items() if m == "B"}  # HTMT is defined for reflective constructs only
    ht = ht.loc[~(ht["construct_a"].isin(formative) | ht["construct_b"].isin(formative))].reset_index(drop=True)
    t = THRESHOLDS
    vif = outer_vif(result).set_index("item")["vif"]
    w = result.weights.set_index("item")
    it = result.loadings.merge(w[["weight", "lower", "upper"]], left_on="item", right_index=True, suffixes=("", "_w"))
    it["mode"] = it["construct"].map(result.modes)
    it["vif"] = it["item"].map(vif)
    size = {c: len(v) for c, v in result.measurement.items()}
    it["flag"] = [
        _item_flag(r.mode, r.loading, r.lower, r.upper, r.lower_w <= 0 <= r.upper_w, r.vif, size[r.construct] == 1)
        for r in it.itertuples()
    ]
    items = it[["construct", "item", "mode", "loading", "lower", "upper", "weight", "vif", "flag"]].reset_index(
        drop=True
    )
    rel = construct_reliability(result)
    cons = pd.DataFrame(
        {
            "n_items": rel["n_items"],
            "mode": [result.modes.get(c, "A") for c in rel.index],
            "alpha": rel["alpha_standardised"],
            "rho_a": rel["rho_a"],
            "rho_c": rel["rho_c"],
            "ave": rel["ave"],
        }
    )
    single = cons["n_items"] == 1
    cons.loc[single, ["alpha", "rho_a", "rho_c", "ave"]] = np.nan  # not defined for one item (seminr prints 1)
    flags = []
    for _, r in cons.iterrows():
        f = []
        if r["mode"] == "A" and r["n_items"] > 1:
            sym = {"alpha": "α", "rho_a": "ρA", "rho_c": "ρC"}
            f += [f"{sym[k]} {r[k]:.2f} < {t['reliability']:.2f}" for k in sym if r[k] < t["reliability"]]
            f += [f"ρC {r['rho_c']:.2f} > {t['reliability_max']:.2f}"] if r["rho_c"] > t["reliability_max"] else []
            f += [f"AVE {r['ave']:.2f} < {t['ave']:.2f}"] if r["ave"] < t["ave"] else []
        flags.append("; ".join(f))
    cons["flag"] = flags
    ht["flag"] = np.where(ht["below_090"], "", [f"HTMT upper bound {u:.2f} >= 0.90" for u in ht["upper_one_sided"]])
    return MeasurementAssessment(items=items, constructs=cons, htmt=ht, level=result.level)


def respecify(
    result: PLSResult, data: pd.DataFrame, *, min_items: int = 2, **options
) -> tuple[PathModelSpec, pd.DataFrame]:
    """The model with failing reflective items removed by a stated rule, and the list of removals.

    Rule (Hair et al. 2022, ch. 4, Exhibit 4.4): (1) every reflective item
    flagged ``remove`` by :func:`measurement_assessment` (loading < 0.40 or a
    bootstrap interval containing 0) is removed; (2) then, while a reflective
    construct has rho_c < 0.70 or AVE < 0.50, its lowest-loading item with a
    loading below 0.708 is removed if the re-estimated model (point estimate,
    same settings) raises that construct's AVE and rho_c; a construct keeps at
    least ``min_items`` items. Formative items are never removed here (their
    content would change), and discriminant validity is not repaired by removal.

    Parameters
    ----------
    result : the PLSResult of the original model, estimated with ``n_boot > 0``.
    data : the data the model was estimated on (respondents x items).
    min_items : fewest items a reflective construct keeps (count).
    options : further arguments of :func:`~crmlib.survey.pls.pls_path_model`
        for the re-estimations (``scheme``, ``missing``, ...).

    Returns
    -------
    (PathModelSpec, DataFrame): the respecified model (named ``<name> (respecified)``)
    and one row per removed item: ``step`` (1 or 2), ``construct``, ``item``, ``loading``, ``reason``.
    """
    if result.model is None:
        raise DataError("respecify: the result carries no model specification")
    pm = result.model
    ma = measurement_assessment(result)
    meas = {c: list(v) for c, v in pm.measurement.items()}
    removed = []
    for r in ma.items.loc[ma.items["flag"].str.startswith("remove")].itertuples():
        if len(meas[r.construct]) > min_items:
            meas[r.construct].remove(r.item)
            removed.append(
                {"step": 1, "construct": r.construct, "item": r.item, "loading": r.loading, "reason": r.flag}
            )
    model = replace(pm, measurement=meas)
    fit = pls_path_model(data, model, **options)
    while True:
        rel = construct_reliability(fit)
        load = fit.loadings.set_index("item")["loading"]
        change = None
        for c in rel.index:
            r = rel.loc[c]
            if pm.modes.get(c) != "A" or len(meas[c]) <= min_items:
                continue
            if not (r["rho_c"] < THRESHOLDS["reliability"] or r["ave"] < THRESHOLDS["ave"]):
                continue
            weakest = load[meas[c]].idxmin()
            if load[weakest] >= THRESHOLDS["loading"]:
                continue
            trial = replace(model, measurement={**meas, c: [i for i in meas[c] if i != weakest]})
            tfit = pls_path_model(data, trial, **options)
            tr = construct_reliability(tfit).loc[c]
            if tr["ave"] > r["ave"] and tr["rho_c"] > r["rho_c"]:
                why = f"loading {load[weakest]:.2f} < 0.708; AVE {r['ave']:.2f} -> {tr['ave']:.2f}"
                change = (c, weakest, load[weakest], why, trial, tfit)
                break
        if change is None:
            break
        c, item, lo, why, model, fit = change
        meas = {k: list(v) for k, v in model.measurement.items()}
        removed.append({"step": 2, "construct": c, "item": item, "loading": lo, "reason": why})
    model = replace(model, name=f"{pm.name} (respecified)" if pm.name else "respecified")
    return model, pd.DataFrame(removed, columns=["step", "construct", "item", "loading", "reason"])


def compare_models(original: PLSResult, respecified: PLSResult, digits: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two fits of a model side by side: measurement quality by construct, and paths and R².

    Parameters
    ----------
    original, respecified : PLSResult of the model as specified and after :func:`respecify`
        (bootstrapped for the path intervals).
    digits : decimals of the path texts.

    Returns
    -------
    (DataFrame, DataFrame): ``measurement``, one row per construct: ``construct``,
    ``items_original``, ``items_respecified`` (counts), and ``alpha``, ``rho_c``, ``ave``
    each ``_original`` and ``_respecified`` (NaN for a single item); ``structural``,
    one row per path and then per R²: ``effect`` (``"A -> B"`` or ``"R² B"``),
    ``original``, ``respecified`` (``"estimate [lower, upper]"`` text at each model's level).

    References
    ----------
    Hair et al. (2022), *A Primer on PLS-SEM*, 3rd ed., ch. 4-6.
    """
    rel = {k: construct_reliability(r) for k, r in (("original", original), ("respecified", respecified))}
    meas = pd.DataFrame({"construct": list(original.measurement)})
    for k in rel:
        meas[f"items_{k}"] = meas["construct"].map(rel[k]["n_items"])
    for col, name in (("alpha_standardised", "alpha"), ("rho_c", "rho_c"), ("ave", "ave")):
        for k in rel:
            v = meas["construct"].map(rel[k][col])
            meas[f"{name}_{k}"] = v.where(meas[f"items_{k}"] > 1)

    def _text(res: PLSResult) -> pd.Series:
        p = res.paths
        has = "lower" in p.columns
        txt = [
            f"{r.estimate:.{digits}f}" + (f" [{r.lower:.{digits}f}, {r.upper:.{digits}f}]" if has else "")
            for r in p.itertuples()
        ]
        s = pd.Series(txt, index=p["from"] + " -> " + p["to"])
        return pd.concat([s, pd.Series({f"R² {c}": f"{v:.{digits}f}" for c, v in res.r2.items()})])

    a, b = _text(original), _text(respecified)
    struct = pd.DataFrame({"effect": a.index, "original": a.to_numpy(), "respecified": b.reindex(a.index).to_numpy()})
    return meas, struct


def consistent_comparison(pls: PLSResult, plsc: PLSResult) -> pd.DataFrame:
    """The paths of one model estimated by PLS and by consistent PLS (PLSc), side by side.

    PLS composites of reflective constructs carry their items' measurement error, so their correlations
    understate those of the constructs by the factor ``sqrt(rho_A,i rho_A,j)``; PLSc divides it out
    (Dijkstra & Henseler 2015) before the paths are estimated. Formative and single-item constructs keep
    reliability 1.

    Parameters
    ----------
    pls : the model estimated by PLS (``consistent=False``).
    plsc : the same model on the same data estimated with ``consistent=True``; bootstrapped or not.

    Returns
    -------
    DataFrame, one row per path (model order): ``from``, ``to``, ``pls`` and ``plsc`` (standardised
    coefficients), ``change`` (``plsc - pls``); when both are bootstrapped, ``pls_excludes_0`` and
    ``plsc_excludes_0`` (bool: the percentile interval at each result's level excludes 0) and ``plsc_lower``,
    ``plsc_upper``. ``attrs``: ``rho_a`` (dict construct -> rho_A of the reflective multi-item constructs, which
    PLSc divides by), ``r2`` (dict construct -> (R² by PLS, R² by PLSc)), ``level``.

    References
    ----------
    Dijkstra, T. K. & Henseler, J. (2015). Consistent partial least squares path modeling. *MIS Quarterly*
    39(2), 297-316. Hair, Hult, Ringle & Sarstedt (2022), *A Primer on PLS-SEM*, 3rd ed., ch. 1 and 8 (PLSc).
    """
    if pls.consistent or not plsc.consistent:
        raise DataError("pls must be estimated with consistent=False and plsc with consistent=True")
    if pls.structure != plsc.structure or pls.measurement != plsc.measurement or pls.n != plsc.n:
        raise DataError("pls and plsc must be the same model estimated on the same respondents")
    out = pls.paths[["from", "to"]].copy()
    out["pls"] = pls.paths["estimate"].to_numpy()
    out["plsc"] = plsc.paths["estimate"].to_numpy()
    out["change"] = out["plsc"] - out["pls"]
    if pls.n_boot and plsc.n_boot:
        for name, res in (("pls", pls), ("plsc", plsc)):
            out[f"{name}_excludes_0"] = ((res.paths["lower"] > 0) | (res.paths["upper"] < 0)).to_numpy()
        out["plsc_lower"] = plsc.paths["lower"].to_numpy()
        out["plsc_upper"] = plsc.paths["upper"].to_numpy()
    rel = construct_reliability(pls)
    reflective = [c for c, m in pls.modes.items() if m == "A" and len(pls.measurement[c]) > 1 and "*" not in c]
    out.attrs["rho_a"] = {c: float(rel.loc[c, "rho_a"]) for c in reflective}
    out.attrs["r2"] = {c: (float(pls.r2[c]), float(plsc.r2[c])) for c in pls.r2.index}
    out.attrs["level"] = plsc.level
    return out


def consistent_sentence(table: pd.DataFrame) -> str:
    """The reader's sentence on a :func:`consistent_comparison` table: which reliabilities PLSc divides by, how
    many paths grow, the largest change, the R² that moves most and the paths whose interval verdict changes.
    Every number is taken from ``table``."""
    rho = table.attrs["rho_a"]
    r2 = table.attrs["r2"]
    grow = int((table["plsc"].abs() > table["pls"].abs()).sum())
    big = table.loc[table["change"].abs().idxmax()]
    moved = max(r2, key=lambda c: abs(r2[c][1] - r2[c][0]))
    text = (
        "PLSc divides the correlations of the reflective constructs by the square root of the product of their "
        "reliabilities ρA (" + ", ".join(f"{c} {v:.2f}" for c, v in rho.items()) + "): PLS scores of reflective "
        "constructs carry their items' measurement error, which attenuates their correlations. "
        f"{grow} of {len(table)} paths are larger in magnitude under PLSc; the largest change is "
        f"{big['from']} → {big['to']}, from {big['pls']:.3f} to {big['plsc']:.3f}. "
        f"R² of {moved} moves most, from {r2[moved][0]:.2f} to {r2[moved][1]:.2f}."
    )
    if "plsc_excludes_0" in table:
        flips = table[table["pls_excludes_0"] != table["plsc_excludes_0"]]
        level = table.attrs["level"]
        if flips.empty:
            text += f" Every path keeps its verdict: its {level:.0%} interval excludes 0 under both or under neither."
        else:
            text += (
                f" The {level:.0%} interval changes its verdict for "
                + ", ".join(
                    f"{r['from']} → {r['to']} ({'now excludes' if r['plsc_excludes_0'] else 'no longer excludes'} 0)"
                    for _, r in flips.iterrows()
                )
                + "."
            )
    return text
