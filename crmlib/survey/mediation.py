"""Mediation in a PLS path model and the hypotheses table a thesis prints.

Indirect effects are products of path coefficients along a chain of
constructs (X -> M1 -> ... -> Y); the total indirect effect of X on Y is the
sum over all chains, the total effect minus the direct path,
``(I - B)^{-1} - I - B``. Both are computed for every bootstrap resample at
once from the stack of resampled path matrices the model's bootstrap keeps
(``PLSResult.boot_path_matrices``; no Python loop over resamples), with
percentile and bias-corrected percentile intervals (Efron & Tibshirani 1993,
ch. 14). The type of mediation follows Zhao, Lynch & Chen (2010), as in
Hair et al.'s Primer (2022, ch. 7) and seminr.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from .._checks import check_level
from ..exceptions import DataError
from .pls import PLSResult

__all__ = ["indirect_effects", "total_indirect_effects", "mediation_analysis", "hypotheses"]


def _chains(structure: list[tuple[str, str]], max_mediators: int) -> list[list[str]]:
    """Every directed chain with 1..max_mediators mediators, in the order of the model's paths."""
    succ: dict[str, list[str]] = {}
    for a, b in structure:
        succ.setdefault(a, []).append(b)
    out = []

    def walk(chain):
        if len(chain) >= 3:
            out.append(list(chain))
        if len(chain) - 1 > max_mediators:
            return
        for nxt in succ.get(chain[-1], []):
            walk(chain + [nxt])

    for start in dict.fromkeys(a for a, _ in structure):
        walk([start])
    return sorted(out, key=len)  # stable: shorter chains first, then the model's path order


def _boot(result: PLSResult, what: str) -> np.ndarray:
    if not isinstance(result, PLSResult):
        raise DataError(f"{what}: result must be a PLSResult, got {type(result).__name__}")
    if result.boot_path_matrices is None:
        raise DataError(f"{what}: the model was not bootstrapped; estimate it with n_boot > 0 (and a seed)")
    return result.boot_path_matrices


def _summary(est: np.ndarray, draws: np.ndarray, level: float, n: int) -> dict[str, np.ndarray]:
    """Bootstrap mean, se, t, p (t with n - 1 df, as the paths), percentile and bias-corrected intervals."""
    tail = (1 - level) / 2
    se = draws.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, est / se, np.nan)
    share = np.clip((draws < est).mean(axis=0), 0.5 / len(draws), 1 - 0.5 / len(draws))
    z0 = stats.norm.ppf(share)
    zl, zu = stats.norm.ppf(tail), stats.norm.ppf(1 - tail)
    bc = [np.quantile(draws[:, k], stats.norm.cdf([2 * z0[k] + zl, 2 * z0[k] + zu])) for k in range(draws.shape[1])]
    bc_arr = np.array(bc).reshape(-1, 2)
    return {
        "estimate": est,
        "boot_mean": draws.mean(axis=0),
        "se": se,
        "t": t,
        "p": 2 * stats.t.sf(np.abs(t), df=n - 1),
        "lower": np.quantile(draws, tail, axis=0),
        "upper": np.quantile(draws, 1 - tail, axis=0),
        "bc_lower": bc_arr[:, 0],
        "bc_upper": bc_arr[:, 1],
    }


def _point_matrix(result: PLSResult) -> tuple[np.ndarray, dict[str, int]]:
    names = list(result.measurement)
    pos = {c: k for k, c in enumerate(names)}
    B = np.zeros((len(names), len(names)))
    for r in result.paths.itertuples(index=False):
        B[pos[r[0]], pos[r.to]] = r.estimate
    return B, pos


def indirect_effects(result: PLSResult, *, level: float | None = None, max_mediators: int = 4) -> pd.DataFrame:
    """Every specific indirect effect X -> M1 -> ... -> Y of a bootstrapped PLS model.

    Parameters
    ----------
    result : a PLSResult estimated with ``n_boot > 0``.
    level : interval level (share); default the model's ``result.level``.
    max_mediators : longest chain considered (count of mediators; seminr allows 4).

    Returns
    -------
    DataFrame, one row per chain: ``from``, ``to``, ``through`` (the mediators,
    ``" -> "``-joined), ``effect`` (the chain as text), ``estimate`` (product of
    the standardised path coefficients), ``boot_mean``, ``se``, ``t``, ``p``
    (t distribution with n - 1 df), ``lower``, ``upper`` (percentile interval),
    ``bc_lower``, ``bc_upper`` (bias-corrected percentile interval).

    References
    ----------
    Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, ch. 14 (bias correction).
    Hair, J. F., Hult, G. T. M., Ringle, C. M. & Sarstedt, M. (2022). *A Primer on PLS-SEM*, 3rd ed., ch. 7.
    """
    draws_B = _boot(result, "indirect_effects")
    level = check_level(result.level if level is None else level)
    B, pos = _point_matrix(result)
    chains = _chains(list(result.structure), max_mediators)
    cols = ["from", "to", "through", "effect", "estimate", "boot_mean", "se", "t", "p", "lower", "upper"]
    if not chains:
        return pd.DataFrame(columns=cols + ["bc_lower", "bc_upper"])
    est = np.array([np.prod([B[pos[a], pos[b]] for a, b in zip(c, c[1:])]) for c in chains])
    draws = np.column_stack([np.prod([draws_B[:, pos[a], pos[b]] for a, b in zip(c, c[1:])], axis=0) for c in chains])
    out = pd.DataFrame(
        {
            "from": [c[0] for c in chains],
            "to": [c[-1] for c in chains],
            "through": [" -> ".join(c[1:-1]) for c in chains],
            "effect": [" -> ".join(c) for c in chains],
            **_summary(est, draws, level, result.n),
        }
    )
    out.attrs.update(level=level, n_boot=len(draws_B))
    return out


def total_indirect_effects(result: PLSResult, *, level: float | None = None) -> pd.DataFrame:
    """The total indirect effect of every construct on every other it reaches through a mediator.

    ``total indirect = (I - B)^{-1} - I - B`` for the point estimate and for
    every resampled path matrix (batched inverse).

    Returns
    -------
    DataFrame, one row per pair with a nonzero total indirect effect: ``from``, ``to``,
    and the columns of :func:`indirect_effects` from ``estimate`` on.

    References
    ----------
    Hair et al. (2022), *A Primer on PLS-SEM*, 3rd ed., ch. 7; Bollen, K. A. (1987). Total, direct, and
    indirect effects in structural equation models. *Sociological Methodology* 17, 37-69.
    """
    draws_B = _boot(result, "total_indirect_effects")
    level = check_level(result.level if level is None else level)
    B, pos = _point_matrix(result)
    eye = np.eye(len(pos))
    T = np.linalg.inv(eye - B) - eye - B
    Tb = np.linalg.inv(eye - draws_B) - eye - draws_B
    names = list(pos)
    pairs = [(i, j) for i in range(len(names)) for j in range(len(names)) if abs(T[i, j]) > 0]
    chains = indirect_effects(result, level=level)
    reach = set(zip(chains["from"], chains["to"]))
    pairs = [(i, j) for i, j in pairs if (names[i], names[j]) in reach]
    if not pairs:
        return pd.DataFrame(columns=["from", "to", *list(_summary(np.zeros(1), np.zeros((2, 1)), level, 3))])
    ii, jj = np.array(pairs).T
    out = pd.DataFrame(
        {
            "from": [names[i] for i in ii],
            "to": [names[j] for j in jj],
            **_summary(T[ii, jj], Tb[:, ii, jj], level, result.n),
        }
    )
    out.attrs.update(level=level, n_boot=len(draws_B))
    return out


def _zlc(indirect_sig: bool, direct_sig: bool, same_sign: bool) -> str:
    if indirect_sig and direct_sig:
        return "complementary (partial) mediation" if same_sign else "competitive (partial) mediation"
    if indirect_sig:
        return "indirect-only (full) mediation"
    return "direct-only (no mediation)" if direct_sig else "no effect (no mediation)"


def mediation_analysis(result: PLSResult, *, level: float | None = None, max_mediators: int = 4) -> pd.DataFrame:
    """Every specific indirect effect beside the direct effect it mediates, with the type of mediation.

    An effect is significant when its percentile bootstrap interval excludes 0.
    Zhao, Lynch & Chen (2010, Fig. 2): indirect and direct significant with the
    same sign -> complementary (partial) mediation, opposite signs -> competitive
    (partial) mediation; indirect only -> indirect-only (full) mediation; direct
    only -> direct-only (no mediation); neither -> no effect. A pair without a
    direct path is classified with a direct effect of 0 (not significant); its
    ``direct`` columns and ``vaf`` are NaN.

    Parameters
    ----------
    result : a PLSResult estimated with ``n_boot > 0``; level : interval level (default the model's).
    max_mediators : longest chain considered.

    Returns
    -------
    DataFrame, one row per chain: ``effect``, ``indirect``, ``lower``, ``upper``,
    ``bc_lower``, ``bc_upper``, ``direct`` (the path X -> Y, NaN when the model has none),
    ``direct_lower``, ``direct_upper``, ``vaf`` (indirect / (indirect + direct), share; Hair et al. 2022),
    ``mediation`` (the type).

    References
    ----------
    Zhao, X., Lynch, J. G. & Chen, Q. (2010). Reconsidering Baron and Kenny: myths and truths about mediation
    analysis. *J. Consumer Research* 37, 197-206. Hair et al. (2022), ch. 7.
    """
    ind = indirect_effects(result, level=level, max_mediators=max_mediators)
    level = ind.attrs.get("level", result.level)
    draws_B = _boot(result, "mediation_analysis")
    B, pos = _point_matrix(result)
    tail = (1 - level) / 2
    rows = []
    for r in ind.itertuples(index=False):
        i, j = pos[r[0]], pos[r.to]
        d = draws_B[:, i, j]
        has = (r[0], r.to) in set(result.structure)
        dl, du = (np.quantile(d, tail), np.quantile(d, 1 - tail)) if has else (np.nan, np.nan)
        ind_sig, dir_sig = r.lower > 0 or r.upper < 0, has and (dl > 0 or du < 0)
        total = r.estimate + B[i, j]
        rows.append(
            {
                "effect": r.effect,
                "indirect": r.estimate,
                "lower": r.lower,
                "upper": r.upper,
                "bc_lower": r.bc_lower,
                "bc_upper": r.bc_upper,
                "direct": B[i, j] if has else np.nan,
                "direct_lower": dl,
                "direct_upper": du,
                "vaf": r.estimate / total if has and total != 0 else np.nan,
                "mediation": _zlc(bool(ind_sig), bool(dir_sig), r.estimate * B[i, j] > 0),
            }
        )
    out = pd.DataFrame(rows)
    out.attrs.update(level=level)
    return out


_SIGN = re.compile(r"\s*\(([+-])\)\s*$")


def hypotheses(result: PLSResult, statements: Mapping[str, str], *, level: float | None = None) -> pd.DataFrame:
    """The hypotheses table of a thesis: one row per hypothesis with β, t, p, interval and the verdict.

    Parameters
    ----------
    result : a PLSResult estimated with ``n_boot > 0``.
    statements : hypothesis label -> relation: ``"A -> B"`` (a direct path of the
        model) or ``"A -> M -> B"`` (a specific indirect effect), optionally ending
        in ``"(+)"`` or ``"(-)"``, the expected sign, e.g. ``{"H1": "COMP -> CUSA (+)"}``.
    level : interval level; default the model's.

    Returns
    -------
    DataFrame, one row per hypothesis: ``hypothesis``, ``relation``, ``kind``
    (``direct``/``indirect``/``moderation``: the path of an interaction construct ``X*M -> Y``), ``expected`` (``+``/``-``/blank), ``estimate`` (β),
    ``se``, ``t``, ``p``, ``lower``, ``upper`` (percentile interval at ``level``),
    ``supported`` (bool: the interval excludes 0, and the estimate has the expected sign when one is given).

    References
    ----------
    Hair et al. (2022), *A Primer on PLS-SEM*, 3rd ed., ch. 6-7 (significance by bootstrap intervals).
    """
    _boot(result, "hypotheses")
    level = check_level(result.level if level is None else level)
    if level != result.level:
        raise DataError(f"hypotheses: level {level} differs from the model's {result.level}; re-estimate at that level")
    paths = result.paths.assign(effect=result.paths["from"] + " -> " + result.paths["to"]).set_index("effect")
    ind = indirect_effects(result, level=level).set_index("effect")
    rows = []
    for label, text in statements.items():
        m = _SIGN.search(text)
        sign = m.group(1) if m else ""
        rel = " -> ".join(s.strip() for s in _SIGN.sub("", text).split("->"))
        kind = "direct" if rel.count("->") == 1 else "indirect"
        if kind == "direct" and "*" in rel.split("->")[0]:
            kind = "moderation"  # the path of an interaction construct (see crmlib.survey.moderation)
        table = ind if kind == "indirect" else paths
        if rel not in table.index:
            raise DataError(
                f"hypotheses: {label} {text!r} is not a {'chain of paths' if kind == 'indirect' else 'path'} of the "
                f"model; its {'indirect effects' if kind == 'indirect' else 'paths'} are {list(table.index)}"
            )
        r = table.loc[rel]
        sig = bool(r["lower"] > 0 or r["upper"] < 0)
        ok = sig and (sign == "" or (r["estimate"] > 0) == (sign == "+"))
        rows.append({"hypothesis": label, "relation": rel, "kind": kind, "expected": sign,
                     **{k: float(r[k]) for k in ("estimate", "se", "t", "p", "lower", "upper")}, "supported": ok})  # fmt: skip
    out = pd.DataFrame(rows)
    out.attrs.update(level=level, n_boot=result.n_boot)
    return out
