"""Covariance-based SEM (maximum likelihood) with fit indices, through the optional ``semopy``.

``semopy`` (>= 2.3) is an optional dependency (proposed extra ``crmlib[sem]``);
it is imported only when :func:`cb_sem` runs, with a clear error when it is
missing. Fitting uses ``solver="BFGS"``: semopy's default (SLSQP) stops early
on these models, and only BFGS matched lavaan in the checks recorded in the
project's REFERENCE-LIBRARIES notes.

Reported fit: chi-square, df, p, CFI, TLI, RMSEA (from semopy's
``calc_stats``) and SRMR, computed here as Bentler's standardised root mean
square residual ``sqrt(mean_{i<=j} ((s_ij - sigma_ij) / sqrt(s_ii s_jj))^2)``
on the ML (divisor n) sample covariance (Hu & Bentler 1999). Inadmissible
solutions - standardised loadings or paths beyond +-1 (Heywood cases) and
negative variances - are listed in ``inadmissible`` and make ``admissible``
False; they are never silently reported as a fit.

A single-item construct enters the model as its observed item (a zero-error
factor breaks semopy's baseline model).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import check_probability
from ..exceptions import DataError
from .pathmodel import PathModelSpec, as_path_model
from .pls import PLSResult

__all__ = ["CBSEMResult", "cb_sem", "lavaan_syntax", "compare_with_pls"]


def _semopy():
    try:
        import semopy  # noqa: F401
    except ImportError as exc:  # pragma: no cover - exercised by monkeypatching in the tests
        raise ImportError(
            "crmlib.survey.cb_sem needs the optional dependency 'semopy' (pip install 'semopy>=2.3' or "
            "pip install 'crmlib[sem]'); the PLS path model (pls_path_model) needs no extra"
        ) from exc
    return semopy


def lavaan_syntax(
    model: PathModelSpec | str | os.PathLike | Mapping[str, Sequence[str]],
    structure: Sequence[tuple[str, str]] | None = None,
) -> str:
    """lavaan-style model text: ``F =~ x1 + x2`` per multi-item construct and ``to ~ from + ...`` per target.

    ``model`` is a :class:`~crmlib.survey.pathmodel.PathModelSpec`, a YAML model
    file or bundled model name, or a measurement mapping with ``structure``. A
    single-item construct is replaced by its item in the structural part.
    Rosseel (2012), lavaan, J. Stat. Softw. 48(2), for the syntax.
    """
    pm = as_path_model(model, structure)
    measurement = pm.measurement
    name = {c: (c if len(v) > 1 else v[0]) for c, v in measurement.items()}
    lines = [f"{c} =~ " + " + ".join(v) for c, v in measurement.items() if len(v) > 1]
    targets: dict[str, list[str]] = {}
    for a, b in pm.structure:
        targets.setdefault(name[b], []).append(name[a])
    lines += [f"{t} ~ " + " + ".join(src) for t, src in targets.items()]
    return "\n".join(lines)


@dataclass
class CBSEMResult:
    """Fitted CB-SEM model.

    estimates : semopy's table with unstandardised and standardised estimates
        (``lval``, ``op``, ``rval``, ``Estimate``, ``Est. Std``, ``Std. Err``, ``p-value``).
    paths : the structural paths (``from``, ``to``, ``estimate``, ``std_estimate``,
        ``se``, ``p``); a single-item construct appears under its item's name.
    fit : Series chi2, df, p, CFI, TLI, RMSEA, SRMR, n.
    admissible : False when ``inadmissible`` lists anything.
    inadmissible : DataFrame of offending parameters and why.
    syntax : the model text fitted.
    sample_cov, implied_cov : observed-variable covariance matrices, the
        sample one with divisor n (ML) and the model-implied one at the
        estimates; ``chi2 = n * F_ML(sample_cov, implied_cov)``.
    """

    estimates: pd.DataFrame
    paths: pd.DataFrame
    fit: pd.Series
    admissible: bool
    inadmissible: pd.DataFrame
    syntax: str
    sample_cov: pd.DataFrame | None = None
    implied_cov: pd.DataFrame | None = None

    def summary(self) -> pd.DataFrame:
        """The structural paths, each flagged ``admissible`` (False for a standardised estimate beyond +-1);
        ``attrs`` holds the fit indices and whether the whole solution is admissible."""
        bad = set(zip(self.inadmissible["rval"], self.inadmissible["lval"])) if len(self.inadmissible) else set()
        out = self.paths.copy()
        out["admissible"] = [(a, b) not in bad for a, b in zip(out["from"], out["to"])]
        out.attrs.update(fit=self.fit.to_dict(), admissible=self.admissible)
        return out


def cb_sem(
    data: pd.DataFrame,
    model: PathModelSpec | str | os.PathLike | Mapping[str, Sequence[str]],
    structure: Sequence[tuple[str, str]] | None = None,
    *,
    missing: str = "drop",
) -> CBSEMResult:
    """Fit a covariance-based structural equation model by maximum likelihood (semopy, BFGS).

    Parameters
    ----------
    data : respondents x items (numeric).
    model, structure : as for :func:`~crmlib.survey.pls.pls_path_model` (a model, a
        YAML file or bundled name, or a measurement mapping with ``structure``);
        every construct must be reflective (mode A).
    missing : ``"drop"`` (listwise; ML needs complete rows here).

    References
    ----------
    Joereskog (1973); Bollen (1989), *Structural Equations with Latent
    Variables*, ch. 4 and 7; Hu & Bentler (1999), SEM 6(1) for the fit indices.
    Igolkina & Meshcheryakov (2020), semopy, SEM 27(6).
    """
    pm = as_path_model(model, structure)
    formative = [c for c, m in pm.modes.items() if m == "B"]
    if formative:
        raise DataError(
            f"cb_sem fits reflective (mode A) measurement only; constructs {formative} are formative (mode B): "
            "use pls_path_model for them"
        )
    measurement, structure = pm.measurement, pm.structure
    pm.check_items(data.columns)
    semopy = _semopy()
    items = pm.items
    if missing != "drop":
        raise DataError(f"missing must be 'drop' for CB-SEM, got {missing!r}")
    X = data[items].apply(pd.to_numeric, errors="coerce").astype(float).dropna()
    syntax = lavaan_syntax(pm)
    sem = semopy.Model(syntax)
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Method BFGS cannot handle bounds")
        sem.fit(X, solver="BFGS")
    est = sem.inspect(std_est=True)
    st = semopy.calc_stats(sem)
    obs = list(sem.vars["observed"])
    S = np.cov(X[obs].to_numpy(), rowvar=False, ddof=0)
    sigma = sem.calc_sigma()[0]
    d = np.sqrt(np.diag(S))
    resid = (S - sigma) / np.outer(d, d)
    srmr = float(np.sqrt(np.mean(resid[np.tril_indices(len(obs))] ** 2)))
    fit = pd.Series(
        {
            "chi2": float(st["chi2"].iloc[0]),
            "df": float(st["DoF"].iloc[0]),
            "p": float(st["chi2 p-value"].iloc[0]),
            "CFI": float(st["CFI"].iloc[0]),
            "TLI": float(st["TLI"].iloc[0]),
            "RMSEA": float(st["RMSEA"].iloc[0]),
            "SRMR": srmr,
            "n": len(X),
        }
    )
    est = est.copy()
    std = pd.to_numeric(est["Est. Std"], errors="coerce")
    val = pd.to_numeric(est["Estimate"], errors="coerce")
    bad_std = est["op"].isin(["~", "=~"]) & (std.abs() > 1)
    neg_var = (est["op"] == "~~") & (est["lval"] == est["rval"]) & (val < 0)
    inad = pd.concat(
        [
            est.loc[bad_std, ["lval", "op", "rval", "Estimate", "Est. Std"]].assign(
                problem="standardised estimate beyond +-1"
            ),
            est.loc[neg_var, ["lval", "op", "rval", "Estimate", "Est. Std"]].assign(problem="negative variance"),
        ]
    )
    name = {c: (c if len(v) > 1 else v[0]) for c, v in measurement.items()}
    structural = {(name[a], name[b]) for a, b in structure}
    is_path = (est["op"] == "~") & np.array(
        [(r, l) in structural for r, l in zip(est["rval"], est["lval"])], dtype=bool
    )
    paths = (
        est.loc[is_path, ["rval", "lval", "Estimate", "Est. Std", "Std. Err", "p-value"]]
        .rename(
            columns={
                "rval": "from",
                "lval": "to",
                "Estimate": "estimate",
                "Est. Std": "std_estimate",
                "Std. Err": "se",
                "p-value": "p",
            }
        )
        .reset_index(drop=True)
    )
    return CBSEMResult(
        estimates=est,
        paths=paths,
        fit=fit,
        admissible=inad.empty,
        inadmissible=inad.reset_index(drop=True),
        syntax=syntax,
        sample_cov=pd.DataFrame(S, index=obs, columns=obs),
        implied_cov=pd.DataFrame(np.asarray(sigma), index=obs, columns=obs),
    )


def compare_with_pls(cb: CBSEMResult, pls: PLSResult, significance: float = 0.05) -> pd.DataFrame:
    """The structural paths of a CB-SEM and a PLS estimate of the same model side by side.

    A single-item construct, which CB-SEM names by its item, is mapped back to
    its construct. ``agree`` is True when both estimates are significant at
    ``significance`` (share) with the same sign, or neither is. Where they
    disagree, common factors (CB-SEM) and composites (PLS) differ: CB-SEM
    removes measurement error, which raises the correlation of related
    predictors and can shift an effect from one to the other (Sarstedt, Hair,
    Ringle, Thiele & Gudergan 2016, *J. Business Research* 69(10), 3998-4010).

    Returns
    -------
    DataFrame, one row per path: ``from``, ``to``, ``pls`` and ``cbsem`` (standardised
    coefficients), ``p_pls``, ``p_cbsem``, ``agree``.
    """
    significance = check_probability(significance, "significance")
    if not isinstance(cb, CBSEMResult) or not isinstance(pls, PLSResult):
        raise DataError("cb must be a CBSEMResult and pls a PLSResult")
    if "p" not in pls.paths.columns:
        raise DataError("pls: the model was not bootstrapped (no p-values); estimate it with n_boot > 0")
    single = {its[0]: c for c, its in pls.measurement.items() if len(its) == 1}
    c = cb.paths.assign(**{k: cb.paths[k].map(lambda v: single.get(v, v)) for k in ("from", "to")})
    c = c.set_index(["from", "to"])
    out = pls.paths[["from", "to", "estimate", "p"]].rename(columns={"estimate": "pls", "p": "p_pls"})
    keys = list(zip(out["from"], out["to"]))
    missing = [k for k in keys if k not in c.index]
    if missing:
        raise DataError(f"cb: the CB-SEM model has no paths {missing}; compare fits of the same model")
    out["cbsem"] = [float(c.loc[k, "std_estimate"]) for k in keys]
    out["p_cbsem"] = [float(c.loc[k, "p"]) for k in keys]
    sig_pls, sig_cb = out["p_pls"] < significance, out["p_cbsem"] < significance
    same_sign = np.sign(out["pls"]) == np.sign(out["cbsem"])
    out["agree"] = (sig_pls & sig_cb & same_sign) | (~sig_pls & ~sig_cb)
    return out.reset_index(drop=True)
