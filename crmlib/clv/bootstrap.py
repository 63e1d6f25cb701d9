"""Bootstrap intervals of fitted CLV models: parametric draws of the estimates, or resampled customers.

:func:`bootstrap_predictions` draws parameters from the asymptotic normal of the
log-parameters (observed information, delta method) and evaluates a
prediction at each draw; :func:`customer_bootstrap` resamples customers and
refits. Both give percentile intervals with ``lower``/``upper`` columns and
the level in ``attrs["level"]``.

References
----------
Efron, B. & Tibshirani, R. J. (1993). *An introduction to the bootstrap*.
Chapman & Hall (ch. 6: bootstrap standard errors; ch. 13: percentile intervals).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .._checks import as_rng, check_count, check_level
from ..exceptions import ConvergenceError
from ._base import BaseFitter, interval_frame

__all__ = ["bootstrap_predictions", "customer_bootstrap"]


def _percentile_table(est: np.ndarray, sims: np.ndarray, level: float, index: Any = None) -> pd.DataFrame:
    q = (1 - level) / 2
    return interval_frame(
        {
            "estimate": est,
            "mean": sims.mean(0),
            "se": sims.std(0, ddof=1),
            "lower": np.quantile(sims, q, axis=0),
            "upper": np.quantile(sims, 1 - q, axis=0),
        },
        level,
        index,
    )


def bootstrap_predictions(
    model: BaseFitter,
    predict: Callable[[pd.Series], Any],
    n_boot: int = 200,
    *,
    seed: int | np.random.Generator,
    level: float = 0.95,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Parametric-bootstrap interval of any prediction of a fitted model.

    Parameters
    ----------
    model : a fitted model.
    predict : function ``predict(params: pd.Series) -> array-like`` giving the
        prediction (per customer or scalar) for a parameter vector.
    n_boot : number of parameter draws from the asymptotic normal of the
        log-parameters (:meth:`BaseFitter.draw_params`).
    seed : int or Generator (required).
    level : coverage of the percentile interval, in (0, 1).
    progress : show a tqdm progress bar (default: when ``n_boot >= 200``).

    Returns
    -------
    DataFrame with ``estimate`` (at the estimates), ``mean``, ``se`` (bootstrap
    standard deviation) and the percentile bounds ``lower``/``upper``
    (``attrs["level"]``), one row per element of the prediction
    (Efron & Tibshirani 1993, *An introduction to the bootstrap*, ch. 13).
    """
    from tqdm import tqdm

    level = check_level(level)
    n_boot = check_count(n_boot, "n_boot", minimum=2)
    draws = model.draw_params(n_boot, seed)
    est = np.atleast_1d(np.asarray(predict(model.params_), dtype=float))
    show = (n_boot >= 200) if progress is None else progress
    sims = np.empty((n_boot, est.size))
    for i in tqdm(range(n_boot), disable=not show, desc="parametric bootstrap"):
        sims[i] = np.asarray(predict(draws.iloc[i]), dtype=float)
    return _percentile_table(est, sims, level)


def customer_bootstrap(
    model: BaseFitter,
    data: pd.DataFrame,
    predict: Callable[[pd.Series], Any] | None = None,
    n_boot: int = 200,
    *,
    seed: int | np.random.Generator,
    level: float = 0.95,
    progress: bool | None = None,
) -> dict[str, Any]:
    """Customer-bootstrap the estimates (and optionally a prediction) of a fitted model.

    Each draw resamples the customers with replacement (multinomial counts
    over the rows, each row weighted by its customers) and refits the model
    from the original estimates; ``predict(params)`` is evaluated at each
    draw's estimates. Unlike :func:`bootstrap_predictions` it does not rely on
    the normal approximation of the estimates (Efron & Tibshirani 1993, ch. 6).
    The fitted ``model`` is not changed.

    Parameters
    ----------
    model : a fitted model (its settings are reused).
    data : the data it was fitted on (the model's data table).
    predict : optional ``predict(params: pd.Series) -> array-like``.
    n_boot : number of resamples; seed : int or Generator (required);
    level : coverage of the percentile intervals, in (0, 1); progress : tqdm
    bar (default when ``n_boot >= 200``).

    Returns
    -------
    dict with ``params`` (DataFrame, one row per successful draw),
    ``summary`` (estimate, bootstrap se and percentile interval ``lower``/``upper``
    per parameter), ``n_failed`` (draws whose refit did not converge; left out)
    and, with ``predict``, ``prediction`` (as :func:`bootstrap_predictions`).
    """
    import copy

    from tqdm import tqdm

    model._check_fitted()
    level = check_level(level)
    n_boot = check_count(n_boot, "n_boot", minimum=2)
    rng = as_rng(seed)
    prepared = model._prepare(data)
    arrays, weight = prepared.arrays, prepared.weight
    if model.compress:
        arrays, weight = model._compress(arrays, weight)
    total = int(round(weight.sum()))
    est = model.params_.to_numpy()
    draws, preds, failed = [], [], 0
    show = (n_boot >= 200) if progress is None else progress
    for _ in tqdm(range(n_boot), disable=not show, desc="customer bootstrap"):
        counts = rng.multinomial(total, weight / weight.sum()).astype(float)
        keep = counts > 0
        m = copy.copy(model)
        m.n_starts, m.warm_start_rows, m.compress = 2, None, False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m._fit_arrays({k: v[keep] for k, v in arrays.items()}, counts[keep], initial_params=est)
        except ConvergenceError:
            failed += 1
            continue
        if not m.convergence_.converged:
            failed += 1
            continue
        draws.append(m.params_.to_numpy())
        if predict is not None:
            preds.append(np.atleast_1d(np.asarray(predict(m.params_), dtype=float)))
    if not draws:
        raise ConvergenceError("no bootstrap refit converged; the model is not identified on resampled data")
    q = (1 - level) / 2
    P = pd.DataFrame(draws, columns=list(model.param_names))
    summary = interval_frame(
        {
            "estimate": est,
            "se": P.std(ddof=1).to_numpy(),
            "lower": P.quantile(q).to_numpy(),
            "upper": P.quantile(1 - q).to_numpy(),
        },
        level,
        list(model.param_names),
    )
    out: dict[str, Any] = {"params": P, "summary": summary, "n_failed": failed}
    if predict is not None:
        point = np.atleast_1d(np.asarray(predict(model.params_), dtype=float))
        out["prediction"] = _percentile_table(point, np.vstack(preds), level)
    return out
