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
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from .._checks import as_rng, check_count, check_level
from ..exceptions import ConvergenceError, DataError
from .pathmodel import PathModelSpec, as_path_model
from .pls import Scheme, _check_model, _corr_stack, _iterate, _prepare, _Spec, _structural, pls_path_model

__all__ = ["pls_group_difference", "pls_by_group", "PLSGroupResult"]


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

    def _paths(idx):
        R = _corr_stack(X, idx)
        W, _, _, done = _iterate(R, spec, scheme, tol, max_iter)
        Ryy = np.swapaxes(W, -1, -2) @ R @ W
        Bm, _ = _structural(Ryy, spec)
        return Bm[:, pi, pj], done

    est_a, ok_a = _paths(perms[:, :n_a])
    est_b, ok_b = _paths(perms[:, n_a:])
    if not (ok_a[0] and ok_b[0]):
        raise ConvergenceError(f"PLS did not converge in group {a!r} or {b!r} within {max_iter} iterations")
    ok = (ok_a & ok_b)[1:]
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


@dataclass
class PLSGroupResult:
    """Outcome of :func:`pls_by_group`.

    paths : one row per group and path: ``group``, ``label``, ``n``, ``from``,
        ``to``, ``estimate``, ``se``, ``lower``, ``upper`` (percentile interval
        at ``level``), ``p`` (bootstrap t test).
    differences : one row per pair of groups and path: ``group_a``, ``group_b``,
        ``pair`` (labels), ``from``, ``to``, ``estimate_a``, ``estimate_b``,
        ``difference`` (a - b), ``p_permutation``; empty when ``n_permutations`` is 0.
    n_boot, n_permutations, level : the settings used; n_without_group : respondents without a group (left out).
    """

    paths: pd.DataFrame
    differences: pd.DataFrame
    n_boot: int
    n_permutations: int
    level: float
    n_without_group: int

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
        """Paths (rows) by pair of groups (columns ``a - b``) as ``"+0.123 (p = 0.045)"`` text."""
        d = self.differences
        cells = d.assign(
            row=d["from"] + " -> " + d["to"],
            text=[f"{x:+.{digits}f} (p = {q:.3f})" for x, q in d[["difference", "p_permutation"]].to_numpy()],
        )
        return cells.pivot(index="row", columns="pair", values="text").reindex(
            index=list(dict.fromkeys(cells["row"])), columns=list(dict.fromkeys(cells["pair"]))
        )


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
    rows = []
    for c in codes:
        res = pls_path_model(data[g == c], pm, scheme=scheme, n_boot=n_boot, seed=rng, level=level, tol=tol,
                             max_iter=max_iter)  # fmt: skip
        rows.append(res.paths.assign(group=c, label=name[c], n=res.n))
    cols = ["group", "label", "n", "from", "to", "estimate", "se", "lower", "upper", "p"]
    paths = pd.concat(rows, ignore_index=True)[cols]
    diffs = []
    if n_permutations:
        for a, b in combinations(codes, 2):
            d = pls_group_difference(data, pm, g, a, b, n_permutations=n_permutations, seed=rng, scheme=scheme,
                                     tol=tol, max_iter=max_iter)  # fmt: skip
            diffs.append(d.assign(group_a=a, group_b=b, pair=f"{name[a]} - {name[b]}"))
    dcols = ["group_a", "group_b", "pair", "from", "to", "estimate_a", "estimate_b", "difference", "p_permutation"]
    differences = pd.concat(diffs, ignore_index=True)[dcols] if diffs else pd.DataFrame(columns=dcols)
    return PLSGroupResult(
        paths=paths,
        differences=differences,
        n_boot=n_boot,
        n_permutations=n_permutations,
        level=level,
        n_without_group=int(g.isna().sum()),
    )
