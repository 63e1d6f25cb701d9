"""PLSpredict: out-of-sample prediction of a PLS model's endogenous items by repeated k-fold cross-validation.

For every fold the model is estimated on the training rows and the holdout
items are predicted through the training model (Shmueli, Ray, Velasquez
Estrada & Chatla 2016; Shmueli et al. 2019): holdout items standardised with
the training means and standard deviations, construct scores from the
training outer weights, endogenous scores from their direct antecedents
(``"direct"``, seminr's default ``predict_DA``) or propagated from the
exogenous constructs (``"earliest"``, ``predict_EA``), and items as loading x
score, unstandardised. The linear-model benchmark regresses every endogenous
item on the items of the same predictor constructs. All folds of all
repetitions are estimated at once on a stack of training correlation
matrices with the batched algorithm of :mod:`crmlib.survey.pls` (no Python
loop over folds).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .._checks import as_rng, check_choice, check_count
from ..exceptions import ConvergenceError, DataError
from .pathmodel import PathModelSpec, as_path_model
from .pls import Scheme, _check_model, _iterate, _prepare, _Spec, _structural

__all__ = ["pls_predict", "kfold_ids", "predictive_power"]


def kfold_ids(n: int, n_folds: int, order: np.ndarray) -> np.ndarray:
    """Fold number (0-based) of every row: contiguous blocks of a shuffled ``order``, as R's ``cut(1:n, k)``.

    Parameters
    ----------
    n : rows (count); n_folds : folds (count); order : a permutation of ``0..n-1``.

    Returns
    -------
    array (n,) of fold numbers by original row (seminr's ``cut_folds`` over its shuffled order).
    """
    pos = np.arange(1, n + 1)
    breaks = 1 + np.arange(n_folds + 1) * (n - 1) / n_folds
    breaks[0], breaks[-1] = 1 - (n - 1) / 1000, n + (n - 1) / 1000
    fold_at_position = np.searchsorted(breaks, pos, side="left") - 1
    out = np.empty(n, dtype=int)
    out[np.asarray(order)] = fold_at_position
    return out


def _propagate(Y: np.ndarray, B: np.ndarray, spec: _Spec, technique: str) -> np.ndarray:
    exo = np.array([len(spec.pred[k]) == 0 for k in range(spec.K)])
    if technique == "direct":
        out = Y @ B
        out[..., exo] = Y[..., exo]
        return out
    out = np.where(exo, Y, 0.0)
    for _ in range(spec.K):  # recursive model: K rounds reach every construct
        out = np.where(exo, Y, out @ B)
    return out


def pls_predict(
    data: pd.DataFrame,
    model: PathModelSpec | str | os.PathLike | Mapping[str, Sequence[str]],
    *,
    n_folds: int = 10,
    n_repeats: int = 10,
    seed: int | np.random.Generator | None = None,
    technique: Literal["direct", "earliest"] = "direct",
    folds: np.ndarray | None = None,
    structure: Sequence[tuple[str, str]] | None = None,
    modes: Mapping[str, str] | None = None,
    scheme: Scheme = "path",
    tol: float = 1e-7,
    max_iter: int = 300,
) -> pd.DataFrame:
    """PLSpredict: Q²predict, RMSE and MAE of every endogenous item against the linear-model benchmark.

    Parameters
    ----------
    data : respondents x items (missing answers replaced by the item mean, as
        :func:`~crmlib.survey.pls.pls_path_model`).
    model, structure, modes, scheme, tol, max_iter : as for :func:`~crmlib.survey.pls.pls_path_model`.
    n_folds : folds per repetition (count, at least 2); n_repeats : repetitions (count).
    seed : int or ``numpy.random.Generator`` for the row shuffles (required unless ``folds`` is given).
    technique : ``"direct"`` (direct antecedents, seminr's default) or ``"earliest"`` (earliest antecedents).
    folds : optional ``(n_repeats, n)`` array of 0-based fold numbers per row, instead of drawing
        them (to reproduce another tool's folds); overrides ``n_folds``, ``n_repeats`` and ``seed``.

    Returns
    -------
    DataFrame, one row per item of an endogenous construct: ``construct``, ``item``,
    ``q2_predict`` (1 - SSE of PLS / SSE of the training-fold mean; share), ``pls_rmse``,
    ``pls_mae``, ``lm_rmse``, ``lm_mae`` (item scale points), ``pls_beats_lm`` (bool: lower RMSE).
    Predictions are averaged over repetitions before the errors are taken (as seminr).
    ``attrs``: ``n_folds``, ``n_repeats``, ``technique``.

    References
    ----------
    Shmueli, G., Ray, S., Velasquez Estrada, J. M. & Chatla, S. B. (2016). The elephant in the room: predictive
    performance of PLS models. *J. Business Research* 69, 4552-4564. Shmueli, G., Sarstedt, M., Hair, J. F. et al.
    (2019). Predictive model assessment in PLS-SEM: guidelines for using PLSpredict. *European J. Marketing* 53,
    2322-2347.
    """
    technique = check_choice(technique, "technique", ("direct", "earliest"))
    pm = as_path_model(model, structure, modes)
    constructs, items = _check_model(data, pm)
    spec = _Spec(constructs, items, pm.measurement, pm.structure, pm.modes)
    X, _, _ = _prepare(data, items, "mean")
    n = len(X)
    if folds is None:
        n_folds = check_count(n_folds, "n_folds", minimum=2)
        n_repeats = check_count(n_repeats, "n_repeats", minimum=1)
        rng = as_rng(seed)
        folds = np.array([kfold_ids(n, n_folds, rng.permutation(n)) for _ in range(n_repeats)])
    folds = np.asarray(folds)
    if folds.ndim != 2 or folds.shape[1] != n or folds.min() < 0:
        raise DataError(f"folds must be an (n_repeats, {n}) array of fold numbers 0, 1, ...")
    n_repeats, n_folds = len(folds), int(folds.max()) + 1
    T = (folds[:, None, :] == np.arange(n_folds)[None, :, None]).reshape(-1, n).astype(float)  # (F, n) test rows
    M = 1.0 - T
    m = M.sum(axis=1)
    if (m < 3).any() or (T.sum(axis=1) == 0).any():
        raise DataError(
            f"folds: every fold needs holdout rows and at least 3 training rows ({n} rows, {n_folds} folds)"
        )
    mu = M @ X / m[:, None]
    C = (np.einsum("fn,np,nq->fpq", M, X, X) - m[:, None, None] * mu[:, :, None] * mu[:, None, :]) / (m - 1)[
        :, None, None
    ]
    sd = np.sqrt(np.einsum("fpp->fp", C))
    R = C / sd[:, :, None] / sd[:, None, :]
    W, _, _, done = _iterate(R, spec, scheme, tol, max_iter)
    if not done.all():
        raise ConvergenceError(f"PLS did not converge within {max_iter} iterations in {int((~done).sum())} folds")
    RW = R @ W
    B, _ = _structural(np.swapaxes(W, -1, -2) @ RW, spec)
    L = RW * spec.mask  # training loadings (F, p, K)
    Z = (X[None] - mu[:, None, :]) / sd[:, None, :]
    Yhat = _propagate(Z @ W, B, spec, technique)
    Xhat = (Yhat @ np.swapaxes(L, -1, -2)) * sd[:, None, :] + mu[:, None, :]  # (F, n, p)
    endo = [k for k in range(spec.K) if len(spec.pred[k])]
    exo = [k for k in range(spec.K) if not len(spec.pred[k])]
    rows, pls_pred, lm_pred, naive = [], [], [], []
    for k in endo:
        dep = spec.block[k]
        src = spec.pred[k] if technique == "direct" else exo
        D = np.column_stack([np.ones(n), X[:, np.concatenate([spec.block[s] for s in src])]])
        G = np.einsum("fn,ni,nj->fij", M, D, D)
        h = np.einsum("fn,ni,nj->fij", M, D, X[:, dep])
        lm_pred.append(D[None] @ np.linalg.solve(G, h))  # (F, n, dep)
        pls_pred.append(Xhat[:, :, dep])
        naive.append(np.broadcast_to(mu[:, None, dep], (len(T), n, len(dep))))
        rows += [(constructs[k], items[i]) for i in dep]

    def _oos(P: np.ndarray) -> np.ndarray:  # holdout prediction of every row, averaged over repetitions
        per = (T[:, :, None] * P).reshape(n_repeats, n_folds, n, -1).sum(axis=1)
        return per.mean(axis=0)

    actual = X[:, np.concatenate([spec.block[k] for k in endo])]
    e_pls = actual - _oos(np.concatenate(pls_pred, axis=2))
    e_lm = actual - _oos(np.concatenate(lm_pred, axis=2))
    e_naive = actual - _oos(np.concatenate(naive, axis=2))
    out = pd.DataFrame(rows, columns=["construct", "item"])
    out["q2_predict"] = 1 - (e_pls**2).sum(axis=0) / (e_naive**2).sum(axis=0)
    out["pls_rmse"] = np.sqrt((e_pls**2).mean(axis=0))
    out["pls_mae"] = np.abs(e_pls).mean(axis=0)
    out["lm_rmse"] = np.sqrt((e_lm**2).mean(axis=0))
    out["lm_mae"] = np.abs(e_lm).mean(axis=0)
    out["pls_beats_lm"] = out["pls_rmse"] < out["lm_rmse"]
    out.attrs.update(n_folds=n_folds, n_repeats=n_repeats, technique=technique)
    return out


def predictive_power(table: pd.DataFrame) -> str:
    """The verdict of Shmueli et al. (2019, p. 2336) on a :func:`pls_predict` table.

    ``"none"`` when any Q²predict is at most 0 (the model predicts no better than
    the training mean); otherwise by the share of items whose PLS RMSE is below
    the linear benchmark's: all ``"high"``, a majority ``"medium"``, a minority
    ``"low"``, none ``"lacking"``.

    Parameters
    ----------
    table : the output of :func:`pls_predict`.

    Returns
    -------
    str: ``"none"``, ``"lacking"``, ``"low"``, ``"medium"`` or ``"high"``.

    References
    ----------
    Shmueli, G., Sarstedt, M., Hair, J. F. et al. (2019). *European J. Marketing* 53, 2322-2347, p. 2336.
    """
    if (table["q2_predict"] <= 0).any():
        return "none"
    share = float(table["pls_beats_lm"].mean())
    return "high" if share == 1 else "medium" if share > 0.5 else "low" if share > 0 else "lacking"
