"""Measurement invariance of composites (MICOM) across groups of respondents.

Before path coefficients of a PLS model are compared across groups, the
composites must mean the same thing in every group. MICOM (Henseler, Ringle &
Sarstedt 2016) checks this in three steps for every pair of groups:

1. **Configural invariance**: the same indicators, data treatment and
   algorithm settings in every group, and the model can be estimated in each
   (it converges; no item is constant within a group).
2. **Compositional invariance**: ``c``, the correlation of the composite
   computed with group a's outer weights and with group b's outer weights, both
   applied to the pooled data, should not fall significantly below 1. The null
   distribution of ``c`` comes from permuting the group labels and
   re-estimating the model in both pseudo-groups; invariance is established
   when ``c`` is at least the ``1 - level`` quantile of the permuted ``c``.
3. **Equal composite means and variances**: composite scores are computed on
   the pooled data with the pooled outer weights; the difference of the group
   means and the difference of the logarithms of the group variances are
   compared with their permutation distributions (equal when the observed
   difference lies inside the central ``level`` interval).

Steps 1 and 2 give *partial* invariance, which is what a multigroup comparison
of path coefficients needs; with step 3 as well the invariance is *full*, and
the groups may also be pooled. All permutations of a pair are estimated at
once on stacks of correlation matrices with the batched algorithm of
:mod:`crmlib.survey.pls` (no Python loop over permutations).

References
----------
Henseler, J., Ringle, C. M. & Sarstedt, M. (2016). Testing measurement
invariance of composites using partial least squares. *International
Marketing Review* 33(3), 405-431. Hair, J. F., Sarstedt, M., Ringle, C. M. &
Gudergan, S. P. (2018). *Advanced Issues in Partial Least Squares Structural
Equation Modeling*, ch. 4. Sage.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from .._checks import as_rng, check_count, check_level
from ..exceptions import ConvergenceError
from .pathmodel import PathModelSpec, as_path_model
from .pls import Scheme, _check_model, _corr_stack, _iterate, _prepare, _Spec
from .pls_groups import _resolve_groups

__all__ = ["micom", "MICOMResult"]


@dataclass
class MICOMResult:
    """Outcome of :func:`micom`.

    Attributes
    ----------
    configural : one row per group: ``group``, ``label``, ``n``, ``converged``,
        ``constant_items`` (items without variance in the group), ``established``.
    compositional : one row per pair of groups and construct: ``group_a``, ``group_b``,
        ``pair``, ``construct``, ``c`` (correlation of the two groups' composites on the
        pooled data), ``quantile`` (the ``1 - level`` quantile of the permuted ``c``),
        ``p`` (share of permutations with ``c* <= c``), ``established``.
    means_variances : one row per pair and construct: ``mean_difference`` (a - b, in
        pooled standard deviations), ``mean_lower``, ``mean_upper`` (central ``level``
        interval of the permuted differences), ``mean_p``, ``equal_mean``,
        ``log_variance_ratio`` (log var a - log var b), ``variance_lower``,
        ``variance_upper``, ``variance_p``, ``equal_variance``.
    invariance : one row per pair: ``pair``, ``configural``, ``compositional``,
        ``equal_means_variances``, ``invariance`` ("full", "partial" or "none").
    n_permutations, level : the settings used; failed : permutations dropped because
        the model did not converge in a pseudo-group (per pair).
    permutations : pair -> (n_permutations, n_a + n_b) array of row numbers of the pair's
        pooled rows (group a's rows first in each permutation), to reproduce the test.
    """

    configural: pd.DataFrame
    compositional: pd.DataFrame
    means_variances: pd.DataFrame
    invariance: pd.DataFrame
    n_permutations: int
    level: float
    failed: dict = field(default_factory=dict)
    permutations: dict = field(default_factory=dict, repr=False)

    def summary(self, digits: int = 3) -> pd.DataFrame:
        """One row per pair and construct with the three steps in a reader's words (a report table): ``c``
        and its ``1 - level`` permutation quantile, whether compositional invariance holds, the mean and
        log-variance differences with their permutation p (text, ``"< 0.001"`` below 0.001) and whether
        each is equal. Henseler, Ringle & Sarstedt (2016), Table 2."""
        from ..style import p_text

        yes = {True: "yes", False: "no"}
        mv = self.means_variances.set_index(["pair", "construct"])
        comp = self.compositional.set_index(["pair", "construct"])
        return (
            pd.DataFrame(
                {
                    "c": comp["c"].round(digits),
                    f"{1 - self.level:.0%} quantile of c": comp["quantile"].round(digits),
                    "Compositional invariance": comp["established"].map(yes),
                    "Mean difference": mv["mean_difference"].round(digits),
                    "p (means)": mv["mean_p"].map(p_text),
                    "Equal means": mv["equal_mean"].map(yes),
                    "Log variance ratio": mv["log_variance_ratio"].round(digits),
                    "p (variances)": mv["variance_p"].map(p_text),
                    "Equal variances": mv["equal_variance"].map(yes),
                }
            )
            .rename_axis(["Pair", "Construct"])
            .reset_index()
        )

    def verdict(self) -> str:
        """One paragraph: which pairs reach full, partial or no invariance, and what that allows."""
        inv = self.invariance
        parts = []
        for kind, meaning in (
            ("full", "the groups could also be pooled"),
            ("partial", "path coefficients may be compared, the groups not pooled"),
            ("none", "a path comparison is not meaningful"),
        ):
            pairs = inv.loc[inv["invariance"] == kind, "pair"].tolist()
            if pairs:
                parts.append(f"{kind} invariance for {', '.join(pairs)} ({meaning})")
        weak = self.compositional.loc[~self.compositional["established"]]
        lacking = "; ".join(f"{r.construct} in {r.pair} (c = {r.c:.3f})" for r in weak.itertuples())
        text = f"MICOM ({self.n_permutations:,} permutations per pair): " + "; ".join(parts) + "."
        return text + (f" Compositional invariance fails for {lacking}." if lacking else "")


def _weights(R: np.ndarray, spec: _Spec, scheme: str, tol: float, max_iter: int) -> tuple[np.ndarray, np.ndarray]:
    W, _, _, done = _iterate(R, spec, scheme, tol, max_iter)
    return W, done


def _composite_correlation(Wa: np.ndarray, Wb: np.ndarray, Rp: np.ndarray) -> np.ndarray:
    """Correlation (..., K) of the composites X Wa[:, k] and X Wb[:, k] on data with correlation matrix Rp."""
    cross = ((Rp @ Wb) * Wa).sum(axis=-2)
    return cross / np.sqrt(((Rp @ Wa) * Wa).sum(axis=-2) * ((Rp @ Wb) * Wb).sum(axis=-2))


def _pair(X, in_a, spec, scheme, tol, max_iter, rng, n_permutations, batch_size):
    """Steps 2 and 3 for one pair: observed statistics (row 0) and their permutation distributions."""
    n, n_a = len(X), int(in_a.sum())
    observed = np.argsort(~in_a, kind="stable")[None, :]
    perms = np.concatenate([observed, np.argsort(rng.random((n_permutations, n)), axis=1)])
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    Rp = Z.T @ Z / (n - 1)
    c, ok = [], []
    for s in range(0, len(perms), batch_size):
        block = perms[s : s + batch_size]
        Wa, da = _weights(_corr_stack(X, block[:, :n_a]), spec, scheme, tol, max_iter)
        Wb, db = _weights(_corr_stack(X, block[:, n_a:]), spec, scheme, tol, max_iter)
        c.append(_composite_correlation(Wa, Wb, Rp))
        ok.append(da & db)
    c_all, ok_all = np.concatenate(c), np.concatenate(ok)
    if not ok_all[0]:
        raise ConvergenceError(f"PLS did not converge in one of the two groups within {max_iter} iterations")
    Wp, done = _weights(Rp, spec, scheme, tol, max_iter)
    if not done:
        raise ConvergenceError(f"PLS did not converge on the pooled data within {max_iter} iterations")
    S = Z @ Wp  # pooled composite scores, mean 0 and variance 1, so the sums below lose no digits
    in_first = np.zeros((len(perms), n))  # 1 where a respondent is in the first pseudo-group of a permutation
    np.put_along_axis(in_first, perms[:, :n_a], 1.0, axis=1)
    n_b = n - n_a
    sum_a, sq_a = in_first @ S, in_first @ (S * S)  # (P, K): sums over the first group, the second's by difference
    sum_b, sq_b = S.sum(axis=0) - sum_a, (S * S).sum(axis=0) - sq_a
    mean_a, mean_b = sum_a / n_a, sum_b / n_b
    var_a, var_b = (sq_a - n_a * mean_a**2) / (n_a - 1), (sq_b - n_b * mean_b**2) / (n_b - 1)
    return c_all, ok_all, mean_a - mean_b, np.log(var_a) - np.log(var_b), perms


def micom(
    data: pd.DataFrame,
    model: PathModelSpec | str | os.PathLike | Mapping[str, Sequence[str]],
    groups: pd.Series | str,
    *,
    seed: int | np.random.Generator,
    n_permutations: int = 1000,
    level: float = 0.95,
    labels: Mapping | None = None,
    structure: Sequence[tuple[str, str]] | None = None,
    modes: Mapping[str, str] | None = None,
    scheme: Scheme = "path",
    min_size: int = 10,
    tol: float = 1e-7,
    max_iter: int = 300,
    batch_size: int = 500,
) -> MICOMResult:
    """Measurement invariance of composites (MICOM) for every pair of groups, by permutation.

    Parameters
    ----------
    data : respondents x items.
    model, structure, modes, scheme, tol, max_iter : as for :func:`~crmlib.survey.pls.pls_path_model`.
    groups : the group of every respondent, a Series on ``data``'s index or a column name of
        ``data``; respondents without a group are left out. Missing answers are replaced by
        the item mean of the pair's pooled respondents.
    seed : int or ``numpy.random.Generator``; one generator draws the permutations of every pair in turn.
    n_permutations : permutations of the group labels per pair (count); Henseler et al. (2016) use 5,000.
    level : share; step 2 compares ``c`` with the ``1 - level`` quantile of its permutation
        distribution, step 3 the differences with their central ``level`` interval.
    labels : group code -> label (e.g. a codebook's value labels); default the code.
    min_size : fewest respondents a group may have (count).
    batch_size : permutations estimated at once (memory about ``batch_size * n * p * 8`` bytes).

    Returns
    -------
    MICOMResult

    References
    ----------
    Henseler, Ringle & Sarstedt (2016), *International Marketing Review* 33(3), 405-431, steps 1-3
    and their Table 2; Phipson & Smyth (2010) for the permutation p-values ``(1 + #) / (1 + P)``.
    """
    level = check_level(level)
    n_permutations = check_count(n_permutations, "n_permutations", minimum=1)
    min_size = check_count(min_size, "min_size", minimum=3)
    batch_size = check_count(batch_size, "batch_size", minimum=1)
    rng = as_rng(seed)
    pm = as_path_model(model, structure, modes)
    constructs, items = _check_model(data, pm)
    spec = _Spec(constructs, items, pm.measurement, pm.structure, pm.modes)
    g, codes, name = _resolve_groups(data, groups, min_size, labels)

    conf = []
    for code in codes:
        raw = data.loc[g == code, items].apply(pd.to_numeric, errors="coerce")
        constant = [i for i in items if raw[i].nunique(dropna=True) < 2]
        converged = False
        if not constant:
            Xg, _, _ = _prepare(data.loc[g == code], items, "mean")
            Zg = (Xg - Xg.mean(axis=0)) / Xg.std(axis=0, ddof=1)
            converged = bool(_weights(Zg.T @ Zg / (len(Zg) - 1), spec, scheme, tol, max_iter)[1])
        conf.append({"group": code, "label": name[code], "n": int((g == code).sum()), "converged": converged,
                     "constant_items": ", ".join(constant), "established": converged and not constant})  # fmt: skip
    configural = pd.DataFrame(conf)
    estimable = dict(zip(configural["group"], configural["established"]))

    comp_rows, mv_rows, inv_rows, failed, perms_kept = [], [], [], {}, {}
    tail = 1 - level
    for a, b in combinations(codes, 2):
        pair = f"{name[a]} - {name[b]}"
        if not (estimable[a] and estimable[b]):  # step 1 fails: steps 2 and 3 cannot be run
            inv_rows.append({"group_a": a, "group_b": b, "pair": pair, "configural": False,
                             "compositional": False, "equal_means_variances": False, "invariance": "none"})  # fmt: skip
            continue
        keep = ((g == a) | (g == b)).to_numpy()
        X, _, _ = _prepare(data.loc[keep], items, "mean")
        in_a = (g[keep] == a).to_numpy()
        c, ok, mean_d, logvar_d, perms = _pair(X, in_a, spec, scheme, tol, max_iter, rng, n_permutations,
                                               batch_size)  # fmt: skip
        null_c = c[1:][ok[1:]]
        failed[pair] = int((~ok[1:]).sum())
        perms_kept[pair] = perms[1:]
        q = np.quantile(null_c, tail, axis=0)
        p_c = (1 + (null_c <= c[0] + 1e-12).sum(axis=0)) / (1 + len(null_c))
        est_c = c[0] >= q - 1e-12
        m_lo, m_hi = np.quantile(mean_d[1:], [tail / 2, 1 - tail / 2], axis=0)
        v_lo, v_hi = np.quantile(logvar_d[1:], [tail / 2, 1 - tail / 2], axis=0)
        m_p = (1 + (np.abs(mean_d[1:]) >= np.abs(mean_d[0]) - 1e-12).sum(axis=0)) / (1 + n_permutations)
        v_p = (1 + (np.abs(logvar_d[1:]) >= np.abs(logvar_d[0]) - 1e-12).sum(axis=0)) / (1 + n_permutations)
        eq_m = (mean_d[0] >= m_lo) & (mean_d[0] <= m_hi)
        eq_v = (logvar_d[0] >= v_lo) & (logvar_d[0] <= v_hi)
        for k, con in enumerate(constructs):
            comp_rows.append({"group_a": a, "group_b": b, "pair": pair, "construct": con, "c": c[0, k],
                              "quantile": q[k], "p": p_c[k], "established": bool(est_c[k])})  # fmt: skip
            mv_rows.append({"group_a": a, "group_b": b, "pair": pair, "construct": con,
                            "mean_difference": mean_d[0, k], "mean_lower": m_lo[k], "mean_upper": m_hi[k],
                            "mean_p": m_p[k], "equal_mean": bool(eq_m[k]), "log_variance_ratio": logvar_d[0, k],
                            "variance_lower": v_lo[k], "variance_upper": v_hi[k], "variance_p": v_p[k],
                            "equal_variance": bool(eq_v[k])})  # fmt: skip
        compositional_ok, equal_ok = bool(est_c.all()), bool((eq_m & eq_v).all())
        kind = ("full" if equal_ok else "partial") if compositional_ok else "none"
        inv_rows.append({"group_a": a, "group_b": b, "pair": pair, "configural": True,
                         "compositional": compositional_ok, "equal_means_variances": equal_ok, "invariance": kind})  # fmt: skip
    return MICOMResult(
        configural=configural,
        compositional=pd.DataFrame(comp_rows),
        means_variances=pd.DataFrame(mv_rows),
        invariance=pd.DataFrame(inv_rows),
        n_permutations=n_permutations,
        level=level,
        failed=failed,
        permutations=perms_kept,
    )
