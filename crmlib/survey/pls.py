"""Partial least squares path modelling (PLS-PM / PLS-SEM) with a batched bootstrap.

The standard PLS path-modelling algorithm of Wold (1982) in Lohmoeller's (1989)
formulation, implemented here in numpy. No outside PLS library is used. The
estimates agree to 1e-8 with SmartPLS 2.0.M3's output for the ECSI model on
``mobi`` under all three inner schemes (the files semPLS ships as its test
oracle; see ``tests/test_survey_pls.py``). Of the Python options tried,
``seminr`` 0.2.1 reproduces the same numbers but
takes 7-26 s for a 1,000-resample bootstrap of the ECSI model on this 2-core
machine (this module: 0.2-0.5 s), and ``plspm`` 0.5.7 fails on pandas 3 and
standardises by one pooled standard deviation; see ``benchmarks/bench_pls.py``,
which also shows agreement with seminr to 1e-9.

Algorithm (Tenenhaus, Esposito Vinzi, Chatelin & Lauro 2005, CSDA 48, sect. 2;
Lohmoeller 1989, ch. 2):

1. Indicators are standardised to mean 0 and standard deviation 1, with the
   sample standard deviation (divisor n - 1, as R's ``scale()``, seminr and
   SmartPLS). Outer weights are normalised so that every construct score has
   unit variance (divisor n - 1) - Tenenhaus et al. (2005) eq. (4).
2. Inner approximation (eq. 6-8): ``z_j = sum_i e_ji Y_i`` over the
   constructs adjacent to ``j``; with the *path* weighting scheme ``e_ji`` is
   the correlation of ``Y_j`` and ``Y_i`` when ``i`` is a successor of ``j``
   and the multiple-regression coefficient of ``Y_i`` in the regression of
   ``Y_j`` on its predecessors when ``i`` is a predecessor; the *centroid*
   scheme uses the sign of the correlation, the *factorial* scheme the
   correlation itself.
3. Outer approximation (eq. 9-10): mode A (reflective) ``w_j ∝ cov(X_j, z_j)``;
   mode B (formative) ``w_j ∝ S_jj^{-1} cov(X_j, z_j)``.
4. Repeat 2-3 until the largest absolute change of an outer weight is below
   ``tol``; then path coefficients are OLS regressions of each endogenous
   construct's scores on its predecessors' scores (eq. 13).

Because every step depends on the data only through the indicators'
correlation matrix ``R`` (scores ``Y = X W`` have covariance ``W'RW``, and
``X'z = R W E``), the iteration runs on ``R`` alone. The bootstrap therefore
computes one correlation matrix per resample (two matrix products of the
resamples' row counts, see ``_corr_stack``) and runs the whole algorithm on a
``(B, p, p)`` stack of them at once - no Python loop over resamples.

Index scores 0-100 follow the ACSI/ECSI convention (Fornell, Johnson,
Anderson, Cha & Bryant 1996, J. Marketing 60(4), p. 10): the standardised
weights are unstandardised (divided by each item's standard deviation),
rescaled to sum to one, and applied to the items rescaled from their answer
scale ``[min, max]`` to ``[0, 100]``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from .._checks import as_rng, check_count, check_level
from ..exceptions import ConvergenceError, DataError, DataWarning
from ._stacks import _corr_stack
from .pathmodel import PathModelSpec, as_path_model

__all__ = [
    "PLSResult",
    "pls_path_model",
]

Scheme = Literal["path", "centroid", "factorial"]


@dataclass
class PLSResult:
    """Estimates of a PLS path model (see :func:`pls_path_model`).

    Attributes
    ----------
    paths : DataFrame, one row per structural path: ``from``, ``to``,
        ``estimate`` (standardised path coefficient) and, when bootstrapped,
        ``boot_mean``, ``se``, ``t`` (estimate / se), ``p`` (two-sided, t
        distribution with n - 1 df), ``lower``, ``upper`` (percentile interval;
        its level in ``attrs["level"]``).
        ``t`` and ``p`` are NaN for a parameter fixed by the model (the
        loading and weight 1 of a single-item construct).
    r2 : Series, R squared of each endogenous construct.
    loadings, weights : DataFrame, one row per item (``construct``, ``item``,
        ``loading`` or ``weight``; bootstrap ``se``/``lower``/``upper`` when bootstrapped).
    cross_loadings : DataFrame items x constructs, correlations of every item
        with every construct score.
    scores : DataFrame respondents x constructs, standardised construct scores.
    index_scores : DataFrame respondents x constructs, 0-100 index (ACSI style).
    construct_correlations : DataFrame, correlations of the construct scores.
    item_correlations, item_sd : correlations and standard deviations (n - 1)
        of the items as used (after mean replacement).
    total_effects : DataFrame from x to, standardised total effects.
    iterations, tol, max_change : convergence report of the point estimate.
    n : number of respondents used; ``n_imputed`` answers replaced by the mean.
    n_boot : number of resamples kept (0 if not bootstrapped);
        ``boot_failed`` resamples that did not converge (dropped).
    boot_paths : array (n_boot, n_paths) of resampled path coefficients.
    boot_path_matrices : array (n_boot, K, K) of resampled path matrices
        (``[b, i, j]`` the coefficient of construct i -> j, constructs in
        model order), for indirect effects on the same resamples.
    boot_indices : array (n_boot, n) of the row numbers of every kept resample.
    item_data : array (n, p) of the items as used (after mean replacement), model order.
    level : level of the percentile intervals (share, e.g. 0.95).
    consistent : True when estimated by consistent PLS (PLSc; ``pls_path_model(consistent=True)``).
    """

    measurement: dict[str, list[str]]
    structure: list[tuple[str, str]]
    scheme: str
    modes: dict[str, str]
    paths: pd.DataFrame
    r2: pd.Series
    loadings: pd.DataFrame
    weights: pd.DataFrame
    cross_loadings: pd.DataFrame
    scores: pd.DataFrame
    index_scores: pd.DataFrame
    construct_correlations: pd.DataFrame
    total_effects: pd.DataFrame
    item_correlations: pd.DataFrame
    item_sd: pd.Series
    iterations: int
    tol: float
    max_change: float
    n: int
    n_imputed: int
    unstandardised_weights: pd.DataFrame
    n_boot: int = 0
    boot_failed: int = 0
    boot_paths: np.ndarray | None = field(default=None, repr=False)
    boot_path_matrices: np.ndarray | None = field(default=None, repr=False)
    boot_indices: np.ndarray | None = field(default=None, repr=False)
    item_data: np.ndarray | None = field(default=None, repr=False)
    seed: int | None = None
    level: float = 0.95
    model: PathModelSpec | None = field(default=None, repr=False)
    consistent: bool = False

    def summary(self) -> pd.DataFrame:
        """The path table with R squared of each target construct appended as a column."""
        out = self.paths.copy()
        out["r2_to"] = out["to"].map(self.r2)
        return out

    def index_means(self) -> pd.Series:
        """Mean 0-100 index score of every construct (the ACSI-style headline figures)."""
        return self.index_scores.mean()

    def plot_index(self, labels: Mapping[str, str] | None = None, level: float = 0.95, ax=None):
        """Horizontal bars of the mean 0-100 index of every construct with a normal-theory interval of the
        mean at ``level`` (``mean +- z sd / sqrt(n)``); axes labelled. Returns the matplotlib Figure.

        Fornell et al. (1996), J. Marketing 60(4), for the 0-100 index."""
        level = check_level(level)
        import matplotlib.pyplot as plt

        from ..style import label_axes

        S = self.index_scores
        mean, half = S.mean(), stats.norm.ppf(0.5 + level / 2) * S.std(ddof=1) / np.sqrt(len(S))
        if ax is None:
            fig, ax = plt.subplots(figsize=(6.5, 0.45 * S.shape[1] + 1.4))
        else:
            fig = ax.figure
        names = list(S.columns)[::-1]
        text = dict(labels) if labels is not None else {}  # a mapping or a Series construct -> label
        ax.barh([text.get(c, c) for c in names], mean[names], xerr=half[names], capsize=3)
        ax.set_xlim(0, 100)
        label_axes(ax, f"mean index score (0-100), {level:.0%} interval of the mean", "construct")
        return fig


def _check_model(data: pd.DataFrame, spec: PathModelSpec) -> tuple[list[str], list[str]]:
    """Constructs and items of a checked model whose items are all columns of ``data``."""
    spec.check_items(data.columns)
    return spec.constructs, spec.items


def _prepare(data: pd.DataFrame, items: list[str], missing: str) -> tuple[np.ndarray, pd.Index, int]:
    frame = data[items]
    values = np.empty((len(frame), len(items)), dtype=float)
    for k, it in enumerate(items):
        col = pd.to_numeric(frame[it], errors="coerce")
        raw = frame[it]
        bad = col.isna() & raw.notna()
        if bad.any():
            rows = list(frame.index[bad.to_numpy()][:5])
            raise DataError(f"item {it!r} is not numeric for respondents {rows} (e.g. {raw[bad].iloc[0]!r})")
        values[:, k] = col.to_numpy(dtype=float, na_value=np.nan)
    index = frame.index
    nan = np.isnan(values)
    n_imputed = int(nan.sum())
    if n_imputed:
        if missing == "mean":
            means = np.nanmean(values, axis=0)
            values = np.where(nan, means, values)
        elif missing == "drop":
            keep = ~nan.any(axis=1)
            values, index = values[keep], index[keep]
            n_imputed = 0
        else:
            raise DataError(f"missing must be 'mean' or 'drop', got {missing!r}")
    if len(values) < 3:
        raise DataError(f"only {len(values)} complete respondents; PLS needs at least 3")
    sd = values.std(axis=0, ddof=1)
    const = sd == 0
    if const.any():
        raise DataError(f"items {[items[k] for k in np.flatnonzero(const)]} are constant (zero variance)")
    return values, index, n_imputed


class _Spec:
    """Index structures of a model: membership mask, adjacency, predecessors."""

    def __init__(self, constructs, items, measurement, structure, modes):
        self.constructs = constructs
        self.items = items
        self.K, self.p = len(constructs), len(items)
        pos = {c: k for k, c in enumerate(constructs)}
        self.mask = np.zeros((self.p, self.K))
        self.block = []
        for k, c in enumerate(constructs):
            idx = [items.index(i) for i in measurement[c]]
            self.mask[idx, k] = 1.0
            self.block.append(np.array(idx))
        self.D = np.zeros((self.K, self.K))  # D[i, j] = 1 for path i -> j
        for a, b in structure:
            self.D[pos[a], pos[b]] = 1.0
        self.adj = ((self.D + self.D.T) > 0).astype(float)
        self.pred = [np.flatnonzero(self.D[:, j]) for j in range(self.K)]
        self.modes = [modes.get(c, "A") for c in constructs]  # checked by PathModelSpec
        endo = [j for j in range(self.K) if len(self.pred[j])]  # constructs with predecessors, padded index arrays
        m = max((len(self.pred[j]) for j in endo), default=0)
        pad = np.zeros((len(endo), m), dtype=int)
        valid = np.zeros((len(endo), m), dtype=bool)
        for r, j in enumerate(endo):
            pad[r, : len(self.pred[j])] = self.pred[j]
            valid[r, : len(self.pred[j])] = True
        self.regressions = (np.array(endo, dtype=int), pad, valid)


def _inner_weights(Ryy: np.ndarray, spec: _Spec, scheme: str) -> np.ndarray:
    """E[..., i, j]: weight of construct i in the inner proxy of construct j."""
    if scheme == "centroid":
        return np.sign(Ryy) * spec.adj
    if scheme == "factorial":
        return Ryy * spec.adj
    E = Ryy * spec.D.T  # successor rule: E[s, j] = cor(Y_s, Y_j) when j -> s
    for j, P, coef, _ in _predecessor_regressions(Ryy, spec):  # predecessor rule: regression weights
        E[..., P, j] = coef
    return E


def _predecessor_regressions(Ryy: np.ndarray, spec: _Spec):
    """For each construct j with predecessors P: (j, P, OLS coefficients of Y_j on Y_P, cor(Y_P, Y_j)).

    Works on stacks (..., K, K) of construct correlation matrices; used by the path-weighting
    inner scheme and by the structural model, which are the same regressions. All of them are one
    batched solve: each construct's system is padded to the largest number of predecessors with an
    identity block (whose right-hand side is 0), which leaves its solution unchanged.
    """
    endo, idx, valid = spec.regressions
    if not len(endo):
        return
    A = Ryy[..., idx[:, :, None], idx[:, None, :]]  # (..., J, m, m)
    A = np.where(valid[:, :, None] & valid[:, None, :], A, np.eye(idx.shape[1]))
    b = np.where(valid, Ryy[..., idx, endo[:, None]], 0.0)  # (..., J, m)
    coef = np.linalg.solve(A, b[..., None])[..., 0]
    for r, j in enumerate(endo):
        k = int(valid[r].sum())
        yield int(j), spec.pred[j], coef[..., r, :k], b[..., r, :k]


def _mode_b_projection(R: np.ndarray, spec: _Spec) -> np.ndarray | None:
    """Block-diagonal (..., p, p): the inverse correlation matrix of every formative (mode B, several items)
    block, the identity elsewhere, or None without formative blocks. ``P @ cov(X, z)`` then holds mode B's
    regression weights ``S_jj^{-1} cov(X_j, z_j)`` in the formative rows and mode A's covariances in the others;
    R is fixed during the iteration, so the blocks are inverted once instead of solved in every iteration."""
    formative = [blk for blk, mode in zip(spec.block, spec.modes) if mode == "B" and len(blk) > 1]
    if not formative:
        return None
    P = np.broadcast_to(np.eye(spec.p), R.shape).copy()
    for blk in formative:
        P[..., blk[:, None], blk[None, :]] = np.linalg.inv(R[..., blk[:, None], blk[None, :]])
    return P


def _iterate(R: np.ndarray, spec: _Spec, scheme: str, tol: float, max_iter: int):
    """Run the PLS iteration on a stack of item correlation matrices R (..., p, p).

    Each iteration is four batched matrix products on the stack: ``R W`` (carried from the previous
    normalisation), the construct correlations ``W' R W``, the outer proxies ``R W E`` (with the mode B blocks'
    inverses applied once, :func:`_mode_b_projection`) and ``R W_new`` for the normalisation. A resample that
    has converged keeps its weights while the others iterate."""
    batch = R.shape[:-2]
    P = _mode_b_projection(R, spec)
    W = np.broadcast_to(spec.mask, batch + spec.mask.shape).copy()
    RW = R @ W
    scale = 1.0 / np.sqrt(np.einsum("...ik,...ik->...k", RW, W))[..., None, :]  # unit score variance (eq. 4)
    W, RW = W * scale, RW * scale
    change = np.full(batch, np.inf)
    done = np.zeros(batch, dtype=bool)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (the count is reported after the loop)
        Ryy = np.swapaxes(W, -1, -2) @ RW
        E = _inner_weights(Ryy, spec, scheme)
        C = RW @ E  # cov(X, z) with standardised X
        Wn = (C if P is None else P @ C) * spec.mask
        RWn = R @ Wn
        scale = 1.0 / np.sqrt(np.einsum("...ik,...ik->...k", RWn, Wn))[..., None, :]  # diag(W'RW), 8x faster
        Wn, RWn = Wn * scale, RWn * scale
        change = np.abs(Wn - W).max(axis=(-1, -2))
        if done.any():
            W = np.where(done[..., None, None], W, Wn)
            RW = np.where(done[..., None, None], RW, RWn)
        else:
            W, RW = Wn, RWn
        done = done | (change < tol)
        if done.all():
            break
    return W, it, change, done


def _structural(Ryy: np.ndarray, spec: _Spec) -> tuple[np.ndarray, np.ndarray]:
    """Path matrix B (..., K, K) with B[i, j] the coefficient of i -> j, and R squared (..., K)."""
    B = np.zeros(Ryy.shape)
    r2 = np.full(Ryy.shape[:-1], np.nan)
    for j, P, coef, b in _predecessor_regressions(Ryy, spec):
        B[..., P, j] = coef
        r2[..., j] = (coef * b).sum(axis=-1)
    return B, r2


def _interaction_scale(spec: _Spec, loadings: np.ndarray, sd: np.ndarray) -> dict[int, np.ndarray]:
    """Scale factor of every interaction construct ``"A*B"`` (A and B constructs of the model): the
    loading-weighted mean standard deviation of its items, ``sum |l_i| sd_i / sum |l_i|`` (Henseler & Chin
    2010, as seminr's ``adjust_interaction``). Its paths are divided by it, so that they are per unit of the
    product of the standardised scores, the unit of simple slopes. ``loadings`` and ``sd`` are (..., p)."""
    out = {}
    for k, c in enumerate(spec.constructs):
        parts = c.split("*")
        if len(parts) == 2 and all(part in spec.constructs for part in parts):
            blk = spec.block[k]
            lam = np.abs(loadings[..., blk])
            out[k] = (lam * sd[..., blk]).sum(axis=-1) / lam.sum(axis=-1)
    return out


def _consistent(R: np.ndarray, W: np.ndarray, spec: _Spec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PLSc (Dijkstra & Henseler 2015): rho_A (..., K) of every reflective (mode A, several items, not an
    interaction) construct, 1 for the others; the construct correlations disattenuated by
    ``sqrt(rho_i rho_j)`` (..., K, K); and the consistent loadings ``w sqrt(rho_A) / (w'w)`` (..., p)."""
    rho = np.ones(R.shape[:-2] + (spec.K,))
    load = np.zeros(R.shape[:-2] + (spec.p,))
    for k, c in enumerate(spec.constructs):
        blk = spec.block[k]
        if spec.modes[k] != "A" or len(blk) < 2 or "*" in c:
            continue
        w = W[..., blk, k]
        wtw = (w * w).sum(axis=-1)
        S = R[..., blk[:, None], blk[None, :]]
        wsw = ((S @ w[..., None])[..., 0] * w).sum(axis=-1) - wtw  # w'(S - I)w: the diagonal of S is 1
        rho[..., k] = wtw**2 * wsw / (wtw**2 - (w**4).sum(axis=-1))
        load[..., blk] = w * (np.sqrt(rho[..., k]) / wtw)[..., None]
    Ryy = np.swapaxes(W, -1, -2) @ R @ W
    adj = Ryy / np.sqrt(rho[..., :, None] * rho[..., None, :])
    K = spec.K
    adj[..., np.arange(K), np.arange(K)] = 1.0
    return rho, adj, load


def _scale_points(value, name: str, items: list[str], observed: np.ndarray) -> np.ndarray:
    """One scale point per item from a number, a mapping item -> number, or None (the observed values)."""
    if value is None:
        return observed.astype(float)
    if isinstance(value, (Mapping, pd.Series)):
        missing = [i for i in items if i not in value]
        if missing:
            raise DataError(f"{name}: no value given for items {missing}")
        return np.array([float(value[i]) for i in items])
    if isinstance(value, (tuple, list)):
        raise DataError(f"{name} must be a number or a mapping item -> number, got {value!r} (scale=(lo, hi) is now "
                        "scale_min=lo, scale_max=hi)")  # fmt: skip
    return np.full(len(items), float(value))


def pls_path_model(
    data: pd.DataFrame,
    model: PathModelSpec | str | os.PathLike | Mapping[str, Sequence[str]],
    structure: Sequence[tuple[str, str]] | None = None,
    *,
    scheme: Scheme = "path",
    modes: Mapping[str, str] | None = None,
    missing: Literal["mean", "drop"] = "mean",
    scale_min: float | Mapping[str, float] | None = None,
    scale_max: float | Mapping[str, float] | None = None,
    tol: float = 1e-7,
    max_iter: int = 300,
    n_boot: int = 0,
    seed: int | np.random.Generator | None = None,
    level: float = 0.95,
    batch_size: int = 250,
    boot_indices: np.ndarray | None = None,
    consistent: bool = False,
) -> PLSResult:
    """Estimate a PLS path model (Wold 1982; Lohmoeller 1989), optionally with a bootstrap.

    Parameters
    ----------
    data : one row per respondent; the items named in ``measurement`` must be
        numeric columns (nullable integers are fine; NA = missing).
    model : the measurement and structural model: a
        :class:`~crmlib.survey.pathmodel.PathModelSpec`, the path of a YAML
        model file or the name of a bundled model (``"ecsi"``,
        ``"reputation"``; see :func:`~crmlib.survey.pathmodel.read_model`), or
        a mapping construct -> items (the outer model) together with ``structure``.
    structure : with a measurement mapping only: ``(from, to)`` construct pairs
        (the inner model); must be recursive (no cycles).
    scheme : inner weighting scheme, ``"path"`` (default, as SmartPLS and
        seminr), ``"centroid"`` or ``"factorial"``.
    modes : construct -> ``"A"`` (reflective) or ``"B"`` (formative), replacing
        the model's modes for the constructs named (an unknown construct is an error).
    missing : ``"mean"`` replaces a missing answer by the item mean (as
        SmartPLS's and seminr's ``mean_replacement``, used for the published
        corporate-reputation results); ``"drop"`` drops incomplete respondents.
    scale_min, scale_max : lowest and highest point of the answer scale (scale
        points), one number for every item or a mapping item -> number (e.g.
        ``codebook.scale_min``), for the 0-100 index scores; default the
        observed range. A scale that does not contain the data is an error.
    tol : convergence tolerance on the largest absolute change of a
        standardised outer weight between iterations (seminr: 1e-7).
    max_iter : iteration limit; :class:`~crmlib.exceptions.ConvergenceError`
        when the point estimate does not converge within it.
    n_boot : number of bootstrap resamples (0 = none) of the respondents, drawn
        from the data after mean replacement. Resamples that do not
        converge are dropped and counted in ``boot_failed`` (with a warning).
    seed : int or ``numpy.random.Generator`` for the resampling; required when
        ``n_boot > 0`` (crmlib draws nothing unseeded).
    level : level of the percentile intervals, in (0, 1).
    batch_size : resamples processed per batch (memory: about
        ``batch_size * n * p * 8`` bytes).
    boot_indices : optional ``(B, n)`` array of 0-based row numbers, one
        resample per row, instead of drawing them (to reproduce another
        tool's resamples exactly); overrides ``n_boot`` and ``seed``.
    consistent : consistent PLS (PLSc; Dijkstra & Henseler 2015): the correlations of the reflective
        (mode A, multi-item) constructs are divided by ``sqrt(rho_A,i rho_A,j)`` before the paths and R²
        are estimated, and their loadings become ``w sqrt(rho_A) / (w'w)`` (as seminr's ``reflective()``
        constructs), in the point estimate and in every resample; ``construct_correlations`` holds the
        disattenuated correlations. Scores, weights and index scores stay those of PLS.

    Returns
    -------
    PLSResult

    References
    ----------
    Wold, H. (1982). Soft modeling: the basic design and some extensions.
    Lohmoeller, J.-B. (1989). *Latent Variable Path Modeling with Partial
    Least Squares*. Physica. Tenenhaus, M., Esposito Vinzi, V., Chatelin,
    Y.-M. & Lauro, C. (2005). PLS path modeling. *CSDA* 48, 159-205, eq. (4)-(13).
    Fornell et al. (1996) for the 0-100 index. Dijkstra, T. K. & Henseler, J. (2015). Consistent partial
    least squares path modeling. *MIS Quarterly* 39(2), 297-316 (PLSc).

    Examples
    --------
    >>> from crmlib.datasets import load_mobi
    >>> res = pls_path_model(load_mobi().data, "ecsi")
    >>> round(float(res.paths.set_index(["from", "to"]).loc[("IMAG", "CUEX"), "estimate"]), 3)
    0.505
    """
    if scheme not in ("path", "centroid", "factorial"):
        raise DataError(f"scheme must be 'path', 'centroid' or 'factorial', got {scheme!r}")
    level = check_level(level)
    n_boot = check_count(n_boot, "n_boot")
    pm = as_path_model(model, structure, modes)
    measurement, structure = pm.measurement, pm.structure
    constructs, items = _check_model(data, pm)
    spec = _Spec(constructs, items, measurement, structure, pm.modes)
    X, index, n_imputed = _prepare(data, items, missing)
    n = len(X)
    mu, sd = X.mean(axis=0), X.std(axis=0, ddof=1)
    Z = (X - mu) / sd
    R = Z.T @ Z / (n - 1)

    W, iters, change, done = _iterate(R, spec, scheme, tol, max_iter)
    if not done:
        raise ConvergenceError(
            f"PLS did not converge in {max_iter} iterations (largest weight change {float(change):.2e} > tol {tol:g}); "
            "raise max_iter, try scheme='centroid', or check for near-constant or collinear items"
        )
    RW = R @ W
    Ryy = W.T @ RW
    if consistent:
        rho, Ryy, cload = _consistent(R, W, spec)
    B, r2 = _structural(Ryy, spec)
    for k, scale in _interaction_scale(spec, (RW * spec.mask).sum(axis=1), sd).items():
        B[k] /= scale  # an interaction's paths per unit of the product of standardised scores (seminr, SmartPLS)
    scores = Z @ W

    # tables
    pos = {c: k for k, c in enumerate(constructs)}
    paths = pd.DataFrame(
        {
            "from": [a for a, _ in structure],
            "to": [b for _, b in structure],
            "estimate": [B[pos[a], pos[b]] for a, b in structure],
        }
    )
    item_construct = [constructs[int(np.argmax(spec.mask[i]))] for i in range(spec.p)]
    w_item = (W * spec.mask).sum(axis=1)
    l_item = (RW * spec.mask).sum(axis=1)
    if consistent:
        l_item = np.where(cload != 0, cload, l_item)
    loadings = pd.DataFrame({"construct": item_construct, "item": items, "loading": l_item})
    weights = pd.DataFrame({"construct": item_construct, "item": items, "weight": w_item})

    # index scores (ACSI/ECSI): unstandardised weights, rescaled to sum 1, items on 0-100
    lo = _scale_points(scale_min, "scale_min", items, X.min(axis=0))
    hi = _scale_points(scale_max, "scale_max", items, X.max(axis=0))
    if np.any(hi <= lo):
        raise DataError(f"scale_max <= scale_min for items {[items[k] for k in np.flatnonzero(hi <= lo)]}")
    outside = (X.min(axis=0) < lo) | (X.max(axis=0) > hi)
    if outside.any():
        bad = [f"{items[k]} ({X[:, k].min():g}..{X[:, k].max():g} outside {lo[k]:g}..{hi[k]:g})" for k in
               np.flatnonzero(outside)]  # fmt: skip
        raise DataError(
            f"the scale does not contain the data: items {', '.join(bad[:5])}{' ...' if len(bad) > 5 else ''}; "
            "give each item's scale_min and scale_max (e.g. from the codebook)"
        )
    uw = W / sd[:, None] * spec.mask
    uw = uw / uw.sum(axis=0, keepdims=True)
    if (uw < 0).any():
        import warnings

        bad = [items[i] for i in np.flatnonzero((uw < 0).any(axis=1))]
        warnings.warn(
            f"negative outer weights for items {bad}: the 0-100 index of their constructs is not a "
            "weighted mean of its items",
            DataWarning,
            stacklevel=2,
        )
    index_scores = ((X - lo) / (hi - lo) * 100.0) @ uw
    uw_table = pd.DataFrame({"construct": item_construct, "item": items, "rescaled_weight": (uw * spec.mask).sum(1)})

    K = spec.K
    total = np.linalg.inv(np.eye(K) - B) - np.eye(K)
    res = PLSResult(
        measurement=measurement,
        structure=structure,
        scheme=scheme,
        modes=dict(zip(constructs, spec.modes)),
        model=pm,
        paths=paths,
        r2=pd.Series({c: r2[pos[c]] for c in constructs if len(spec.pred[pos[c]])}, name="r2"),
        loadings=loadings,
        weights=weights,
        cross_loadings=pd.DataFrame(RW, index=items, columns=constructs),
        scores=pd.DataFrame(scores, index=index, columns=constructs),
        index_scores=pd.DataFrame(index_scores, index=index, columns=constructs),
        construct_correlations=pd.DataFrame(Ryy, index=constructs, columns=constructs),
        total_effects=pd.DataFrame(total, index=constructs, columns=constructs),
        item_correlations=pd.DataFrame(R, index=items, columns=items),
        item_sd=pd.Series(sd, index=items, name="sd"),
        iterations=int(iters),
        tol=tol,
        max_change=float(change),
        n=n,
        n_imputed=n_imputed,
        unstandardised_weights=uw_table,
        seed=seed if isinstance(seed, (int, np.integer)) else None,
        level=level,
        item_data=X,
        consistent=consistent,
    )
    if boot_indices is not None:
        boot_indices = np.asarray(boot_indices)
        if boot_indices.ndim != 2 or boot_indices.shape[1] != n or boot_indices.min() < 0 or boot_indices.max() >= n:
            raise DataError(f"boot_indices must be a (B, {n}) array of row numbers 0..{n - 1}")
        n_boot = len(boot_indices)
    if n_boot:
        rng = as_rng(seed) if boot_indices is None else None
        _bootstrap(res, X, spec, scheme, tol, max_iter, n_boot, rng, level, batch_size, boot_indices, consistent)
    return res


def _bootstrap(res: PLSResult, X, spec, scheme, tol, max_iter, B, rng, level, batch_size, idx, consistent) -> None:
    import warnings

    n = len(X)
    pos = {c: k for k, c in enumerate(spec.constructs)}
    pi = np.array([pos[a] for a, _ in res.structure])
    pj = np.array([pos[b] for _, b in res.structure])
    if idx is None:
        idx = rng.integers(0, n, size=(B, n))  # drawn at once: same seed, same resamples whatever batch_size
    paths, mats, loads, wts, converged = [], [], [], [], []
    interactions = bool(_interaction_scale(spec, np.ones(spec.p), np.ones(spec.p)))
    for start in range(0, B, batch_size):
        Rb = _corr_stack(X, idx[start : start + batch_size])
        Wb, _, _, done = _iterate(Rb, spec, scheme, tol, max_iter)
        RWb = Rb @ Wb
        Ryy = np.swapaxes(Wb, -1, -2) @ RWb
        lb = (RWb * spec.mask).sum(-1)
        if consistent:
            _, Ryy, cl = _consistent(Rb, Wb, spec)
            lb = np.where(cl != 0, cl, lb)
        Bb, _ = _structural(Ryy, spec)
        if interactions:  # the resampled items' SDs are needed only to scale interaction paths
            sd_b = X[idx[start : start + batch_size]].std(axis=1, ddof=1)
            for k, scale in _interaction_scale(spec, lb, sd_b).items():
                Bb[:, k] /= scale[:, None]
        paths.append(Bb[:, pi, pj])
        mats.append(Bb)
        loads.append(lb)
        wts.append((Wb * spec.mask).sum(-1))
        converged.append(done)
    ok = np.concatenate(converged)
    failed = int((~ok).sum())
    if failed:
        warnings.warn(
            f"{failed} of {B} bootstrap resamples did not converge in {max_iter} iterations and were dropped",
            DataWarning,
            stacklevel=3,
        )
    if failed == B:
        raise ConvergenceError("no bootstrap resample converged; raise max_iter or check the model")
    bp = np.concatenate(paths)[ok]
    bl = np.concatenate(loads)[ok]
    bw = np.concatenate(wts)[ok]
    a = (1 - level) / 2

    def _summarise(frame: pd.DataFrame, col: str, draws: np.ndarray) -> pd.DataFrame:
        se = draws.std(axis=0, ddof=1)
        est = frame[col].to_numpy()
        out = frame.copy()
        out["boot_mean"] = draws.mean(axis=0)
        out["se"] = se
        # a fixed parameter (the loading/weight 1 of a single-item construct) has no sampling variation:
        # its t and p are undefined (NaN), not a huge number from rounding noise in se
        fixed = se <= 1e-10 * np.maximum(np.abs(est), 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["t"] = np.where(fixed, np.nan, est / se)
        out["p"] = 2 * stats.t.sf(np.abs(out["t"]), df=n - 1)
        out["lower"] = np.quantile(draws, a, axis=0)
        out["upper"] = np.quantile(draws, 1 - a, axis=0)
        out.attrs["level"] = level
        return out

    res.paths = _summarise(res.paths, "estimate", bp)
    res.loadings = _summarise(res.loadings, "loading", bl)
    res.weights = _summarise(res.weights, "weight", bw)
    res.n_boot = int(ok.sum())
    res.boot_failed = failed
    res.boot_paths = bp
    res.boot_path_matrices = np.concatenate(mats)[ok]
    res.boot_indices = idx[ok]
