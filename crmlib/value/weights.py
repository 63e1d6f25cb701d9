"""Component weights: equal, researcher-given, or derived from the data.

======================  =====================================================
method                  weight of component k (before normalising each side)
======================  =====================================================
``"equal"``             1
``"given"``             the researcher's number
``"regression"``        OLS of an outcome (overall satisfaction) on the eight
                        component scores: ``b_k`` for a value component,
                        ``-b_k`` for a cost component
``"choice"``            the same from a logit of a 0/1 choice (e.g. "would
                        choose again") on the component scores
``"entropy"``           ``1 - e_k``, the diversification of the entropy weight
                        method (Zeleny 1982, ch. 7; Zou, Yun & Sun 2006)
======================  =====================================================

Weights are then normalised to sum to 1 within the value side and within the
cost side (so total value and total cost stay on the component scale). A
data-derived weight with the wrong sign (a value component lowering
satisfaction, a cost component raising it) is set to 0 with a
:class:`~crmlib.exceptions.DataWarning`; the raw coefficients stay in the table.

Why the regression weights recover Kotler's weights: if the outcome is
``y = a + lambda (sum_k w_k v_k - sum_k u_k c_k) + e`` with each side's weights
summing to 1, the OLS coefficients are ``lambda w_k`` and ``-lambda u_k``, and
normalising each side returns ``w`` and ``u`` (the same holds for the logit
index of a choice).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm

from .. import _mcda
from .._checks import as_rng, check_count, check_level, close_matches
from ..exceptions import ConvergenceError, DataError, DataWarning
from .scoring import ComponentScores, normalise_weights

__all__ = [
    "DEFAULT_OUTCOMES",
    "ComponentWeights",
    "bootstrap_weights",
    "derive_weights",
    "entropy_divergences",
    "weight_outcome",
]

Method = Literal["equal", "given", "regression", "choice", "entropy"]

METHOD_TEXT = {
    "equal": "equal weights within each side",
    "given": "weights given by the researcher, normalised within each side",
    "regression": "OLS coefficients of {outcome} on the component scores (HC3 standard errors), sign-corrected "
    "and normalised within each side",
    "choice": "logit coefficients of the 0/1 choice {outcome} on the component scores, sign-corrected and "
    "normalised within each side",
    "entropy": "entropy weight method on min-max normalised component scores (Zeleny 1982; Zou et al. 2006), "
    "normalised within each side",
}


@dataclass
class ComponentWeights:
    """Weights of the CDV components and how they were obtained.

    Attributes
    ----------
    method : the method name; ``description`` says it in words.
    table : DataFrame indexed by component: ``side``, ``weight`` (normalised
        within the side), and for data-derived methods ``coef`` (raw
        coefficient or entropy diversification), ``se`` (HC3 or ML standard
        error of the coefficient), ``clipped`` (wrong sign set to 0).
    n : respondents used (complete cases for data-derived methods).
    fit : the statsmodels results (regression / choice), else None.
    """

    method: str
    description: str
    table: pd.DataFrame
    n: int
    fit: object = None

    @property
    def weights(self) -> pd.Series:
        return self.table["weight"]


DEFAULT_OUTCOMES = {"regression": "SAT", "choice": "CHOICE"}
"""The outcome column each data-derived method weighs on when none is named: the bundled instrument's
overall satisfaction (0-100) for ``"regression"`` and its 0/1 repeat choice for ``"choice"``."""


def weight_outcome(method: Method, outcome: str | None = None) -> str | None:
    """The outcome column of a weighting method: ``outcome`` if given, else :data:`DEFAULT_OUTCOMES`.

    Parameters
    ----------
    method : ``"equal"``, ``"given"``, ``"regression"``, ``"choice"`` or ``"entropy"``.
    outcome : a column name, or None for the instrument's default.

    Returns
    -------
    The column name for ``"regression"`` and ``"choice"``; None for the methods that use no outcome.

    References
    ----------
    Kotler & Keller (2006), *Marketing Management*, ch. 5 (overall satisfaction as the criterion the
    components of delivered value explain); the instrument is ``data/cdv_instrument.csv``.
    """
    methods = ("equal", "given", "regression", "choice", "entropy")
    if method not in methods:
        raise DataError(f"method must be one of {list(methods)}, got {method!r}{close_matches(str(method), methods)}")
    if method not in DEFAULT_OUTCOMES:
        return None
    return outcome if outcome is not None else DEFAULT_OUTCOMES[method]


def _outcome(outcome, scores: ComponentScores, name: str = "outcome") -> pd.Series:
    if outcome is None:
        raise DataError("parameter 'outcome' is required for the regression and choice weights")
    y = pd.Series(outcome, copy=False)
    if len(y) != len(scores.scores):
        raise DataError(f"{name} {y.name!r} has {len(y)} rows, the scores {len(scores.scores)}")
    try:
        arr = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        label = name if y.name is None else f"{name} {y.name!r}"
        raise DataError(f"{label} must be numeric (one number per respondent)") from None
    y = pd.Series(arr, index=scores.scores.index, name=y.name)
    return y


def _complete(scores: ComponentScores, y: pd.Series | None = None) -> tuple[np.ndarray, np.ndarray | None, pd.Index]:
    s = scores.scores
    ok = s.notna().all(axis=1)
    if y is not None:
        ok &= y.notna()
    need = s.shape[1] + 2 if y is not None else 2
    if ok.sum() < need:
        raise DataError(
            f"only {int(ok.sum())} respondents have every component score (and the outcome); too few to derive weights"
        )
    x = s.loc[ok].to_numpy(dtype=float)
    return x, (y.loc[ok].to_numpy(dtype=float) if y is not None else None), s.index[ok]


def entropy_divergences(X: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Entropy diversification ``d_k = 1 - e_k`` of each column of ``X`` (optionally with case weights).

    ``z_ik = (x_ik - min_k) / (max_k - min_k)``, ``p_ik = z_ik / sum_i z_ik``,
    ``e_k = -(1 / ln n) sum_i p_ik ln p_ik`` (``0 ln 0 = 0``), ``d_k = 1 - e_k``,
    computed by :mod:`crmlib._mcda` (the one implementation, which
    :func:`crmlib.segment.entropy_weights` also uses). Every component is
    normalised as a positive indicator of its own side (a higher score is more
    value, or more cost), since the weights aggregate each side separately. A
    component with more dispersion gets more weight; the method describes the
    data, it does not measure importance to customers. A component constant in
    a resample gets ``d = 0``. With ``counts`` of shape (B, n) (bootstrap
    multiplicities) returns (B, k).

    References
    ----------
    Zeleny, M. (1982). *Multiple Criteria Decision Making*, McGraw-Hill, ch. 7.
    Zou, Z., Yun, Y. & Sun, J. (2006). Entropy method for determination of weight
    of evaluating indicators in fuzzy synthetic evaluation for water quality
    assessment. *Journal of Environmental Sciences* 18(5), 1020-1023, eq. (1)-(4).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise DataError(f"X must be a 2-D array (respondents x components), got shape {X.shape}")
    z, span = _mcda.minmax(X, counts)
    _, d = _mcda.entropy_divergence(z, counts if counts is not None else np.ones((1, z.shape[1])))
    d = np.where(span > 0, d, 0.0)
    return d[0] if counts is None else d


def derive_weights(
    scores: ComponentScores,
    method: Method = "equal",
    *,
    outcome: pd.Series | np.ndarray | None = None,
    given: Mapping[str, float] | None = None,
) -> ComponentWeights:
    """Weights of the CDV components by one of the methods in the module docstring.

    Parameters
    ----------
    scores : from :func:`~crmlib.value.score_components`.
    method : ``"equal"``, ``"given"``, ``"regression"``, ``"choice"`` or ``"entropy"``.
    outcome : one value per respondent (aligned with ``scores.scores``):
        overall satisfaction for ``"regression"``, a 0/1 choice for ``"choice"``.
        Its name is used in the description.
    given : component -> weight for ``"given"`` (non-negative; normalised within sides).

    Returns
    -------
    ComponentWeights

    Raises
    ------
    DataError
        unknown method, missing ``outcome`` / ``given``, a non-binary choice
        (naming its column), a side whose data-derived weights are all <= 0, or
        a constant component under the entropy method (naming it).
    ConvergenceError
        the choice logit fails (e.g. perfect separation).
    """
    sides = scores.sides
    comps = list(sides)
    side_s = pd.Series(sides)
    if method == "equal":
        w = normalise_weights({c: 1.0 for c in comps}, sides)
        table = pd.DataFrame({"side": side_s, "weight": w})
        return ComponentWeights(method, METHOD_TEXT[method], table, int(scores.scores.notna().all(axis=1).sum()))
    if method == "given":
        if given is None:
            raise DataError("parameter 'given' (component -> weight) is required for method='given'")
        w = normalise_weights(given, sides)
        table = pd.DataFrame({"side": side_s, "weight": w, "coef": pd.Series(dict(given), dtype=float).loc[comps]})
        return ComponentWeights(method, METHOD_TEXT[method], table, int(scores.scores.notna().all(axis=1).sum()))
    if method == "entropy":
        x, _, idx = _complete(scores)
        d = entropy_divergences(x)
        const = [c for c, lo, hi in zip(comps, x.min(axis=0), x.max(axis=0)) if lo == hi]
        if const:
            raise DataError(f"component {const[0]!r} is constant; the entropy method cannot weight it")
        coef = pd.Series(d, index=comps)
        w = normalise_weights(coef, sides)
        table = pd.DataFrame({"side": side_s, "weight": w, "coef": coef})
        return ComponentWeights(method, METHOD_TEXT[method], table, len(idx))
    if method in ("regression", "choice"):
        y = _outcome(outcome, scores)
        name = y.name if y.name is not None else "the outcome"
        x, yy, idx = _complete(scores, y)
        assert yy is not None  # the outcome was given: _complete returns its complete rows
        X = sm.add_constant(x, has_constant="add")
        if method == "regression":
            fit = sm.OLS(yy, X).fit(cov_type="HC3")
        else:
            if not np.isin(yy, [0.0, 1.0]).all():
                raise DataError(f"column {name!r}: the choice outcome must be 0 or 1")
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    fit = sm.Logit(yy, X).fit(disp=0, maxiter=100)
            except Exception as exc:  # perfect separation, singular Hessian, no convergence
                raise ConvergenceError(f"the choice logit of {name!r} on the component scores failed: {exc}") from exc
        coef = pd.Series(np.asarray(fit.params)[1:], index=comps)
        se = pd.Series(np.asarray(fit.bse)[1:], index=comps)
        signed = coef.where(side_s == "value", -coef)
        clipped = signed <= 0
        for side in ("value", "cost"):
            if clipped[side_s == side].all():
                raise DataError(
                    f"every {side} component has a wrong-signed coefficient on {name!r}; the {method} weights are undefined"
                )
        if clipped.any():
            warnings.warn(
                f"components {list(clipped.index[clipped])} have wrong-signed coefficients on {name!r}; their weights are set to 0",
                DataWarning,
                stacklevel=2,
            )
        w = normalise_weights(signed.clip(lower=0.0), sides)
        table = pd.DataFrame({"side": side_s, "weight": w, "coef": coef, "se": se, "clipped": clipped})
        return ComponentWeights(method, METHOD_TEXT[method].format(outcome=repr(name)), table, len(idx), fit)
    raise DataError(f"parameter 'method' must be equal, given, regression, choice or entropy, got {method!r}")


def _counts(n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Multiplicities (n_boot, n) of the rows in ``n_boot`` resamples of size n drawn with replacement."""
    draws = rng.integers(0, n, size=(n_boot, n)) + (np.arange(n_boot) * n)[:, None]
    return np.bincount(draws.ravel(), minlength=n_boot * n).reshape(n_boot, n).astype(float)


def _batched_ols(X: np.ndarray, y: np.ndarray, c: np.ndarray) -> np.ndarray:
    xtx = np.matmul(X.T[None] * c[:, None, :], X)
    xty = c @ (X * y[:, None])
    return np.linalg.solve(xtx, xty[..., None])[..., 0]


def _batched_logit(X: np.ndarray, y: np.ndarray, c: np.ndarray, max_iter: int = 50, tol: float = 1e-10):
    beta = np.zeros((c.shape[0], X.shape[1]))
    done = np.zeros(c.shape[0], dtype=bool)
    for _ in range(max_iter):
        eta = beta @ X.T
        mu = 1.0 / (1.0 + np.exp(-eta))
        grad = (c * (y - mu)) @ X
        hess = np.matmul(X.T[None] * (c * mu * (1 - mu))[:, None, :], X)
        try:
            step = np.linalg.solve(hess, grad[..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = np.stack([np.linalg.lstsq(h, g, rcond=None)[0] for h, g in zip(hess, grad)])
        beta = np.where(done[:, None], beta, beta + step)
        done |= np.abs(step).max(axis=1) < tol
        if done.all():
            break
    ok = done & np.isfinite(beta).all(axis=1) & (np.abs(beta).max(axis=1) < 50)
    return beta, ok


def bootstrap_weights(
    scores: ComponentScores,
    method: Method,
    *,
    outcome: pd.Series | np.ndarray | None = None,
    given: Mapping[str, float] | None = None,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int | np.random.Generator,
) -> pd.DataFrame:
    """Weights with percentile bootstrap intervals (respondents resampled; vectorised over resamples).

    Each resample refits the method on the complete cases drawn with
    replacement (regression: batched weighted least squares; choice: batched
    Newton-Raphson for the logit; entropy: case-weighted entropy). Equal and
    given weights have no sampling variation (interval = the weight).

    Returns
    -------
    DataFrame indexed by component: ``side``, ``weight`` (point estimate),
    ``boot_mean``, ``lower``, ``upper``; ``attrs["n_boot_used"]`` counts the
    resamples kept (a logit resample that does not converge is dropped).
    """
    n_boot = check_count(n_boot, "n_boot", minimum=100)
    level = check_level(level)
    rng = as_rng(seed)
    point = derive_weights(scores, method, outcome=outcome, given=given)
    tab = point.table[["side", "weight"]].copy()
    if method in ("equal", "given"):
        tab["boot_mean"] = tab["weight"]
        tab["lower"] = tab["weight"]
        tab["upper"] = tab["weight"]
        tab.attrs["n_boot_used"] = 0
        return tab
    y = _outcome(outcome, scores) if method != "entropy" else None
    x, yy, _ = _complete(scores, y)
    c = _counts(x.shape[0], n_boot, rng)
    side = np.array([scores.sides[k] for k in scores.sides])
    if method == "entropy":
        raw = np.concatenate([entropy_divergences(x, c[i : i + 100]) for i in range(0, n_boot, 100)])
        ok = np.ones(n_boot, dtype=bool)
    else:
        assert yy is not None  # regression and choice have an outcome
        X = np.column_stack([np.ones(x.shape[0]), x])
        if method == "regression":
            beta = _batched_ols(X, yy, c)
            ok = np.isfinite(beta).all(axis=1)
        else:
            beta, ok = _batched_logit(X, yy, c)
        raw = np.where(side == "value", beta[:, 1:], -beta[:, 1:]).clip(min=0.0)
    raw = raw[ok]
    w = np.empty_like(raw)
    for s in ("value", "cost"):
        m = side == s
        tot = raw[:, m].sum(axis=1, keepdims=True)
        w[:, m] = raw[:, m] / np.where(tot > 0, tot, np.nan)
    a = (1 - level) / 2
    tab["boot_mean"] = np.nanmean(w, axis=0)
    tab["lower"] = np.nanquantile(w, a, axis=0)
    tab["upper"] = np.nanquantile(w, 1 - a, axis=0)
    tab.attrs["n_boot_used"] = int(ok.sum())
    tab.attrs["method"] = point.description
    return tab
