"""Measurement quality: reliability, convergent and discriminant validity, exploratory factor analysis.

Two Cronbach's alphas are reported, each labelled, because the programmes
researchers compare with disagree:

* ``alpha_raw`` - on the item covariances (Cronbach 1951, eq. 2):
  ``k/(k-1) * (1 - sum(var_i) / var(sum))``; what SPSS, pingouin and R's
  ``psych::alpha`` (raw_alpha) report.
* ``alpha_standardised`` - on the item correlations:
  ``k * rbar / (1 + (k-1) * rbar)`` with ``rbar`` the mean inter-item
  correlation; what SmartPLS, seminr and cSEM report (and SPSS as "alpha based
  on standardized items").

Composite reliability ``rho_c`` (Joereskog 1971; Werts, Linn & Joereskog
1974), average variance extracted (Fornell & Larcker 1981, eq. 10), ``rho_A``
(Dijkstra & Henseler 2015, MIS Quarterly 39(2), eq. 14), the Fornell-Larcker
criterion and the heterotrait-monotrait ratio (Henseler, Ringle & Sarstedt
2015, JAMS 43, eq. 6; with absolute correlations, as seminr and SmartPLS) come
from a fitted :class:`~crmlib.survey.pls.PLSResult`. Exploratory factor
analysis: principal-axis factoring with varimax or promax rotation, the
Kaiser-Meyer-Olkin measure (Kaiser 1970; Kaiser & Rice 1974) and Bartlett's
(1950) test of sphericity, all computed here with numpy/scipy (no
``factor_analyzer`` dependency).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..exceptions import ConvergenceError, ConvergenceWarning, DataError
from .pls import PLSResult

__all__ = [
    "cronbach_alpha",
    "alpha_if_deleted",
    "construct_reliability",
    "fornell_larcker",
    "htmt",
    "kmo",
    "bartlett_sphericity",
    "efa",
    "EFAResult",
]


def _numeric_items(data: pd.DataFrame, items: Sequence[str] | None, min_items: int = 2, what: str = "") -> pd.DataFrame:
    items = list(data.columns if items is None else items)
    missing = [i for i in items if i not in data.columns]
    if missing:
        raise DataError(f"items {missing} are not columns of the data")
    if len(items) < min_items:
        label = f" of construct {what!r}" if what else ""
        raise DataError(f"{len(items)} item(s){label} ({items}): at least {min_items} are needed")
    out = {}
    for it in items:
        col = pd.to_numeric(data[it], errors="coerce")
        bad = col.isna() & data[it].notna()
        if bad.any():
            raise DataError(f"item {it!r} is not numeric for respondents {list(data.index[bad.to_numpy()][:5])}")
        infinite = np.isinf(col.to_numpy(dtype=float, na_value=np.nan))
        if infinite.any():
            raise DataError(f"item {it!r} is infinite for respondents {list(data.index[infinite][:5])}")
        out[it] = col.astype(float)
    return pd.DataFrame(out, index=data.index)


def _alpha_from_cov(C: np.ndarray) -> float:
    k = C.shape[0]
    return k / (k - 1) * (1 - np.trace(C) / C.sum())


def cronbach_alpha(data: pd.DataFrame, items: Sequence[str] | None = None) -> pd.Series:
    """Cronbach's alpha of one scale, raw and standardised (each labelled).

    Parameters
    ----------
    data : respondents x items; respondents with any missing item are dropped
        (listwise, as SPSS's RELIABILITY).
    items : the scale's items (default: every column).

    Returns
    -------
    Series with ``alpha_raw`` (covariances; SPSS, pingouin), ``alpha_standardised``
    (correlations; SmartPLS, seminr), ``mean_inter_item_r``, ``k`` and ``n``.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
    tests. Psychometrika 16, 297-334 (eq. 2; standardised form: the
    Spearman-Brown formula applied to the mean correlation).
    """
    X = _numeric_items(data, items).dropna()
    if len(X) < 3:
        raise DataError(f"only {len(X)} complete respondents; alpha needs at least 3")
    C = np.cov(X.to_numpy(), rowvar=False, ddof=1)
    sd = np.sqrt(np.diag(C))
    if (sd == 0).any():
        raise DataError(f"items {list(X.columns[sd == 0])} have zero variance")
    R = C / np.outer(sd, sd)
    k = X.shape[1]
    rbar = (R.sum() - k) / (k * (k - 1))
    return pd.Series(
        {
            "alpha_raw": _alpha_from_cov(C),
            "alpha_standardised": k * rbar / (1 + (k - 1) * rbar),
            "mean_inter_item_r": rbar,
            "k": k,
            "n": len(X),
        }
    )


def alpha_if_deleted(data: pd.DataFrame, items: Sequence[str] | None = None) -> pd.DataFrame:
    """Item analysis: corrected item-total correlation and alpha (raw and standardised) if the item is deleted.

    One row per item (as SPSS's "Item-Total Statistics"): ``item_total_r``
    (correlation of the item with the sum of the other items),
    ``alpha_raw_if_deleted`` and ``alpha_standardised_if_deleted``. Needs at
    least 3 items (deleting one of 2 leaves no scale). Listwise deletion.
    """
    X = _numeric_items(data, items, min_items=3).dropna()
    rows = []
    for it in X.columns:
        rest = X.drop(columns=it)
        a = cronbach_alpha(rest)
        r = np.corrcoef(X[it], rest.sum(axis=1))[0, 1]
        rows.append(
            {
                "item": it,
                "item_total_r": r,
                "alpha_raw_if_deleted": a["alpha_raw"],
                "alpha_standardised_if_deleted": a["alpha_standardised"],
            }
        )
    return pd.DataFrame(rows).set_index("item")


def _blocks(result: PLSResult):
    for c, items in result.measurement.items():
        R = result.item_correlations.loc[items, items].to_numpy()
        sd = result.item_sd.loc[items].to_numpy()
        w = result.weights.set_index("item").loc[items, "weight"].to_numpy()
        lam = result.loadings.set_index("item").loc[items, "loading"].to_numpy()
        yield c, items, R, sd, w, lam


def construct_reliability(result: PLSResult) -> pd.DataFrame:
    """Reliability and convergent validity of every construct of a fitted PLS model.

    Columns: ``n_items``, ``alpha_raw`` (SPSS/pingouin), ``alpha_standardised``
    (SmartPLS/seminr), ``rho_c`` (composite reliability, Joereskog's rho:
    ``(sum l)^2 / ((sum l)^2 + sum(1 - l^2))``), ``rho_a`` (Dijkstra &
    Henseler 2015, eq. 14: ``(w'w)^2 w'(S - diag S)w / w'(ww' - diag ww')w``
    with ``w`` the standardised outer weights and ``S`` the item
    correlations), ``ave`` (mean squared loading, Fornell & Larcker 1981).
    All are computed on the data the model used (after mean replacement). A
    single-item construct gets 1 throughout, as seminr reports; ``rho_a`` is
    NaN for a mode B (formative) construct, where it is not defined (seminr
    prints 1 there).
    """
    rows = []
    for c, items, R, sd, w, lam in _blocks(result):
        k = len(items)
        if k == 1:
            rows.append(
                {
                    "construct": c,
                    "n_items": 1,
                    "alpha_raw": 1.0,
                    "alpha_standardised": 1.0,
                    "rho_c": 1.0,
                    "rho_a": 1.0,
                    "ave": 1.0,
                }
            )
            continue
        C = R * np.outer(sd, sd)
        rbar = (R.sum() - k) / (k * (k - 1))
        ww = np.outer(w, w)
        if result.modes.get(c, "A") == "B":
            rho_a = np.nan  # not defined for a formative (mode B) composite
        else:
            rho_a = (w @ w) ** 2 * (w @ (R - np.diag(np.diag(R))) @ w) / (w @ (ww - np.diag(np.diag(ww))) @ w)
        s = lam.sum()
        rows.append(
            {
                "construct": c,
                "n_items": k,
                "alpha_raw": _alpha_from_cov(C),
                "alpha_standardised": k * rbar / (1 + (k - 1) * rbar),
                "rho_c": s**2 / (s**2 + (1 - lam**2).sum()),
                "rho_a": rho_a,
                "ave": (lam**2).mean(),
            }
        )
    return pd.DataFrame(rows).set_index("construct")


def fornell_larcker(result: PLSResult) -> pd.DataFrame:
    """Fornell-Larcker table: square root of AVE on the diagonal, construct correlations below it.

    Discriminant validity holds for a construct when its diagonal value
    exceeds every correlation in its row and column (Fornell & Larcker 1981,
    p. 46). The upper triangle is NaN.
    """
    ave = construct_reliability(result)["ave"]
    C = result.construct_correlations.copy()
    names = list(C.index)
    out = C.where(np.tril(np.ones(C.shape, dtype=bool), k=-1))
    for c in names:
        out.loc[c, c] = np.sqrt(ave[c])
    return out


def htmt(source: PLSResult | pd.DataFrame, measurement: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Heterotrait-monotrait ratio of correlations (Henseler, Ringle & Sarstedt 2015, eq. 6).

    ``HTMT_ij = mean|r(heterotrait)| / sqrt(mean|r(monotrait, i)| * mean|r(monotrait, j)|)``;
    a single-item construct's monotrait mean counts as 1 (as seminr).
    Values above 0.85 (conservative) or 0.90 suggest a lack of
    discriminant validity.

    Parameters
    ----------
    source : a fitted PLSResult (its item correlations after mean replacement)
        or a respondents x items DataFrame (pairwise-complete correlations).
    measurement : construct -> items; taken from the result when omitted.

    Returns
    -------
    Symmetric DataFrame constructs x constructs, NaN on the diagonal.
    """
    if isinstance(source, PLSResult):
        R = source.item_correlations
        measurement = measurement or source.measurement
    else:
        if measurement is None:
            raise DataError("htmt: give the measurement model (construct -> items) with a data frame")
        items = [i for its in measurement.values() for i in its]
        R = _numeric_items(source, items, min_items=1).corr()
    names = list(measurement)
    mono = {}
    for c in names:
        its = list(measurement[c])
        if len(its) == 1:
            mono[c] = 1.0
        else:
            r = np.abs(R.loc[its, its].to_numpy())
            mono[c] = r[np.triu_indices(len(its), 1)].mean()
    out = pd.DataFrame(np.nan, index=names, columns=names)
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            ca, cb = names[a], names[b]
            het = np.abs(R.loc[list(measurement[ca]), list(measurement[cb])].to_numpy()).mean()
            out.loc[ca, cb] = out.loc[cb, ca] = het / np.sqrt(mono[ca] * mono[cb])
    return out


def _corr(data: pd.DataFrame, items=None) -> tuple[np.ndarray, int, list[str]]:
    X = _numeric_items(data, items, min_items=3).dropna()
    if len(X) <= X.shape[1]:
        raise DataError(f"{len(X)} complete respondents for {X.shape[1]} items: need more respondents than items")
    R = np.corrcoef(X.to_numpy(), rowvar=False)
    if np.linalg.matrix_rank(R) < R.shape[0]:
        raise DataError("the item correlation matrix is singular (an item is a linear combination of others)")
    return R, len(X), list(X.columns)


def kmo(data: pd.DataFrame, items: Sequence[str] | None = None) -> tuple[float, pd.Series]:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item (MSA).

    ``KMO = sum r_ij^2 / (sum r_ij^2 + sum p_ij^2)`` over i != j, with ``p``
    the anti-image (partial) correlations ``-Rinv_ij / sqrt(Rinv_ii Rinv_jj)``
    (Kaiser 1970; Kaiser & Rice 1974). 0.8+ meritorious, below 0.5 unacceptable.
    Listwise deletion.
    """
    R, _, cols = _corr(data, items)
    Ri = np.linalg.inv(R)
    d = np.sqrt(np.diag(Ri))
    P = -Ri / np.outer(d, d)
    off = ~np.eye(len(R), dtype=bool)
    r2 = np.where(off, R**2, 0.0)
    p2 = np.where(off, P**2, 0.0)
    overall = r2.sum() / (r2.sum() + p2.sum())
    per_item = r2.sum(axis=0) / (r2.sum(axis=0) + p2.sum(axis=0))
    return float(overall), pd.Series(per_item, index=cols, name="msa")


def bartlett_sphericity(data: pd.DataFrame, items: Sequence[str] | None = None) -> pd.Series:
    """Bartlett's (1950) test that the item correlation matrix is the identity.

    ``chi2 = -(n - 1 - (2p + 5)/6) ln|R|`` with ``p(p - 1)/2`` degrees of
    freedom. Returns ``chi2``, ``df``, ``p`` and ``n`` (listwise complete).
    """
    R, n, cols = _corr(data, items)
    p = len(cols)
    sign, logdet = np.linalg.slogdet(R)
    chi2 = -(n - 1 - (2 * p + 5) / 6) * logdet
    df = p * (p - 1) / 2
    return pd.Series({"chi2": chi2, "df": df, "p": stats.chi2.sf(chi2, df), "n": n})


@dataclass
class EFAResult:
    """Exploratory factor analysis (see :func:`efa`).

    loadings : items x factors (rotated; for promax the pattern matrix).
    communalities : Series, the items' final communalities.
    eigenvalues : Series, eigenvalues of the item correlation matrix (Kaiser's criterion, scree).
    variance : DataFrame per factor: ``ss_loadings``, ``proportion``, ``cumulative``.
    factor_correlations : factors x factors (identity unless promax).
    kmo, kmo_items, bartlett : sampling adequacy and sphericity.
    iterations : principal-axis iterations used; ``n`` respondents.
    """

    loadings: pd.DataFrame
    communalities: pd.Series
    eigenvalues: pd.Series
    variance: pd.DataFrame
    factor_correlations: pd.DataFrame
    kmo: float
    kmo_items: pd.Series
    bartlett: pd.Series
    rotation: str | None
    iterations: int
    n: int


def _varimax(L: np.ndarray, tol: float = 1e-8, max_iter: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Kaiser's (1958) varimax with Kaiser normalisation; returns (rotated loadings, rotation matrix)."""
    p, k = L.shape
    if k < 2:
        return L, np.eye(k)
    h = np.sqrt((L**2).sum(axis=1, keepdims=True))
    A = L / h
    T = np.eye(k)
    d_old = 0.0
    for _ in range(max_iter):
        B = A @ T
        U, s, Vt = np.linalg.svd(A.T @ (B**3 - B @ np.diag((B**2).sum(axis=0)) / p))
        T = U @ Vt
        d = s.sum()
        if d_old != 0 and d / d_old < 1 + tol:
            break
        d_old = d
    return (A @ T) * h, T


def _promax(L: np.ndarray, power: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Hendrickson & White's (1964) promax: varimax, then an oblique Procrustes fit to loadings**power."""
    V, _ = _varimax(L)
    Q = V * np.abs(V) ** (power - 1)
    U = np.linalg.lstsq(V, Q, rcond=None)[0]
    d = np.diag(np.linalg.inv(U.T @ U))
    U = U @ np.diag(np.sqrt(d))
    pattern = V @ U
    Ui = np.linalg.inv(U)
    phi = Ui @ Ui.T
    return pattern, phi


def efa(
    data: pd.DataFrame,
    n_factors: int | None = None,
    *,
    items: Sequence[str] | None = None,
    rotation: Literal["varimax", "promax"] | None = "varimax",
    tol: float = 1e-6,
    max_iter: int = 500,
) -> EFAResult:
    """Exploratory factor analysis by iterated principal-axis factoring, with KMO and Bartlett's test.

    Starting communalities are squared multiple correlations
    (``1 - 1/diag(R^{-1})``); each iteration takes the first ``n_factors``
    eigenpairs of the reduced correlation matrix and replaces the diagonal by
    the new communalities, until the largest change is below ``tol``
    (Harman 1976, ch. 8). Rotation: varimax (orthogonal) or promax (oblique,
    power 4; loadings are the pattern matrix). Signs are set so that each
    factor's loadings sum positive.

    Parameters
    ----------
    data : respondents x items (listwise deletion of missing answers).
    n_factors : number of factors; default Kaiser's criterion (eigenvalues of
        R above 1).
    items : columns to use (default all).
    rotation : ``"varimax"``, ``"promax"`` or None.

    Raises
    ------
    ConvergenceError : principal-axis iterations did not settle (Heywood case
        or too many factors), naming the largest communality.
    """
    R, n, cols = _corr(data, items)
    p = len(cols)
    eig = np.linalg.eigvalsh(R)[::-1]
    if n_factors is None:
        n_factors = int((eig > 1).sum())
    if not (1 <= n_factors < p):
        raise DataError(f"n_factors must be between 1 and {p - 1} for {p} items, got {n_factors}")
    h = 1 - 1 / np.diag(np.linalg.inv(R))
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (the count is reported after the loop)
        Rr = R.copy()
        np.fill_diagonal(Rr, h)
        val, vec = np.linalg.eigh(Rr)
        val, vec = val[::-1][:n_factors], vec[:, ::-1][:, :n_factors]
        L = vec * np.sqrt(np.clip(val, 0, None))
        h_new = (L**2).sum(axis=1)
        change = np.abs(h_new - h).max()
        h = h_new
        if change < tol:
            break
    else:
        raise ConvergenceError(
            f"principal-axis factoring did not converge in {max_iter} iterations "
            f"(largest communality {h.max():.3f} at item {cols[int(h.argmax())]!r}); "
            "try fewer factors"
        )
    if h.max() > 1:
        import warnings

        warnings.warn(
            f"Heywood case: communality {h.max():.3f} > 1 for item {cols[int(h.argmax())]!r}",
            ConvergenceWarning,
            stacklevel=2,
        )
    phi = np.eye(n_factors)
    if rotation == "varimax":
        L, _ = _varimax(L)
    elif rotation == "promax":
        L, phi = _promax(L) if n_factors > 1 else (L, phi)
    elif rotation is not None:
        raise DataError(f"rotation must be 'varimax', 'promax' or None, got {rotation!r}")
    signs = np.sign(L.sum(axis=0))
    signs[signs == 0] = 1
    L = L * signs
    phi = phi * np.outer(signs, signs)
    names = [f"F{j + 1}" for j in range(n_factors)]
    ss = (L**2).sum(axis=0)
    k_all, k_items = kmo(data, cols)
    return EFAResult(
        loadings=pd.DataFrame(L, index=cols, columns=names),
        communalities=pd.Series(h, index=cols, name="communality"),
        eigenvalues=pd.Series(eig, index=range(1, p + 1), name="eigenvalue"),
        variance=pd.DataFrame({"ss_loadings": ss, "proportion": ss / p, "cumulative": np.cumsum(ss) / p}, index=names),
        factor_correlations=pd.DataFrame(phi, index=names, columns=names),
        kmo=k_all,
        kmo_items=k_items,
        bartlett=bartlett_sphericity(data, cols),
        rotation=rotation,
        iterations=it,
        n=n,
    )
