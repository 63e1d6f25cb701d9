"""Maximum-likelihood machinery shared by every CLV model of :mod:`crmlib.clv`.

A model only declares its parameter names, checks its data, and gives its
per-row log-likelihood (and, where feasible, its analytic gradient); this
module does the rest, in the manner of lifelines' parametric fitters:

* optimisation of the weighted log-likelihood over the **log** of the
  (positive) parameters with ``scipy.optimize.minimize`` (L-BFGS-B), from the
  model's start point and, if that fails, from further seeded starts;
* de-duplication of identical data rows into weighted rows (the compression
  Fader & Hardie use in their spreadsheets), so that a weighted table and the
  expanded table give the same fit;
* standard errors from the observed information: the inverse of the negative
  Hessian of the total log-likelihood at the optimum on the natural scale,
  computed by central differences of the gradient;
* confidence intervals on the log scale (delta method), which stay positive
  (columns ``lower``/``upper``, the ``level`` in the table's ``attrs``);
* a convergence report; a failed fit raises :class:`~crmlib.exceptions.ConvergenceError`
  saying what to try, a doubtful one warns with :class:`~crmlib.exceptions.ConvergenceWarning`;
  no NaN is ever returned as an estimate;
* ``log_likelihood_`` (the sum over customers of the weighted log-likelihood on
  the data's own time scale), ``aic_``, ``bic_`` and :meth:`summary`.

References
----------
Burnham, K. P. & Anderson, D. R. (2002). *Model selection and multimodel
inference*, 2nd ed., Springer (AIC, eq. 2.1). Schwarz, G. (1978). Estimating
the dimension of a model. *Annals of Statistics* 6(2) (BIC).
"""

from __future__ import annotations

import abc
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize, stats

from .._checks import as_rng, check_count, check_level, check_positive
from ..exceptions import ConvergenceError, ConvergenceWarning, DataError
from ..spec import SummarySpec

__all__ = [
    "ArrayLike",
    "BaseFitter",
    "ContractFitter",
    "ConvergenceReport",
    "ParamsLike",
    "Prepared",
    "PurchaseFitter",
    "SpendFitter",
    "interval_frame",
]

ArrayLike = npt.ArrayLike
"""A number or an array-like of numbers (broadcast over customers)."""
ParamsLike: TypeAlias = pd.Series | Mapping[str, float] | Sequence[float] | np.ndarray | None
"""Parameters to use instead of the estimates: by name (Series, dict) or in ``param_names`` order."""

_LOG_BOUND = 25.0  # optimise log-parameters in [-25, 25], i.e. parameters in [1.4e-11, 7.2e10]
_EXPLODED = 1e5  # an estimate beyond this (or below its inverse) has run off: no data pins it down


@dataclass(frozen=True)
class Prepared:
    """What a model's ``_prepare`` returns: the checked inputs, the row weights, and facts about the data.

    ``facts`` (e.g. ``{"n_one_time": 1411.0}``) become fitted attributes with a
    trailing underscore (``n_one_time_``) in :meth:`BaseFitter.fit` only: computing
    a likelihood or a bootstrap on other data never changes a fitted model.
    """

    arrays: dict[str, np.ndarray]
    weight: np.ndarray
    facts: dict[str, Any] = field(default_factory=dict)


def interval_frame(data: dict[str, Any], level: float, index: Any = None) -> pd.DataFrame:
    """A result table with ``lower``/``upper`` interval columns and the level in ``attrs["level"]``."""
    out = pd.DataFrame(data, index=index)
    out.attrs["level"] = level
    return out


@dataclass
class ConvergenceReport:
    """What the optimiser did: whether it converged, how, and how far from a stationary point."""

    converged: bool
    message: str
    n_iterations: int
    n_evaluations: int
    n_starts_tried: int
    gradient_norm: float
    hessian_positive_definite: bool
    seconds: float
    starts: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        state = "converged" if self.converged else "NOT converged"
        return (
            f"{state}: {self.message}; {self.n_iterations} iterations, {self.n_evaluations} evaluations, "
            f"{self.n_starts_tried} start(s); |gradient| of the mean log-likelihood on the log-parameter scale "
            f"{self.gradient_norm:.2e}; Hessian {'negative' if self.hessian_positive_definite else 'NOT negative'} "
            f"definite; {self.seconds:.3f} s"
        )


class BaseFitter(abc.ABC):
    """Base class: weighted maximum likelihood for a model with positive parameters.

    Subclasses set :attr:`param_names` (the paper's symbols) and implement

    * ``_prepare(data) -> Prepared``: check the data and return a dict of 1-D
      float arrays (one entry per row), the row weights and facts about the
      data (set as ``_`` attributes by :meth:`fit` only, never by
      :meth:`loglik` or the bootstrap);
    * ``_loglik(params, arrays) -> ndarray``: the log-likelihood of each row;
    * optionally ``_loglik_grad(params, arrays) -> (ll, grad)`` with ``grad`` of
      shape ``(n_rows, n_params)``, the derivative with respect to the natural
      parameters (without it, central differences are used);
    * ``_start(arrays, weight) -> ndarray``: a start point.

    Parameters
    ----------
    n_starts : number of start points tried at most (the model's own start,
        then seeded log-normal perturbations of it). Further starts are used
        only when an earlier one fails.
    tol : tolerance on the projected gradient of the mean log-likelihood
        (L-BFGS-B ``pgtol``) and relative reduction (``ftol``).
    max_iter : iteration limit of each optimiser run.
    level : coverage of the confidence intervals, in (0, 1) (default 0.95).
    compress : pool identical data rows into weighted rows before fitting
        (exactly the same likelihood; faster on large bases).
    warm_start_rows : on data with more distinct rows than this, first fit a
        seeded 5,000-row sample and polish on the full data from there
        (BFGS with the sample's curvature); ``None`` switches this off.
    seed : seed of the perturbed start points and of the warm-start sample.
    """

    param_names: tuple[str, ...] = ()
    _analytic_gradient = False
    _singular_information_raises = True  # a model with its own diagnosis of a ridge (sBG) handles it itself

    def __init__(
        self,
        *,
        n_starts: int = 5,
        tol: float = 1e-10,
        max_iter: int = 2000,
        level: float = 0.95,
        compress: bool = True,
        warm_start_rows: int | None = 20_000,
        seed: int = 0,
    ):
        self.n_starts = check_count(n_starts, "n_starts", minimum=1)
        self.tol = float(check_positive(tol, "tol"))
        self.max_iter = check_count(max_iter, "max_iter", minimum=1)
        self.level = check_level(level)
        self.compress = bool(compress)
        self.warm_start_rows = (
            None if warm_start_rows is None else check_count(warm_start_rows, "warm_start_rows", minimum=1)
        )
        self.seed = seed
        as_rng(seed)  # an int or a Generator (checked now, not at the first draw)

    # ----------------------------------------------------------------- hooks
    @abc.abstractmethod
    def _prepare(self, data: pd.DataFrame) -> Prepared:
        """Check ``data`` and return the model's inputs, the row weights and facts about the data."""

    @abc.abstractmethod
    def _loglik(self, params: np.ndarray, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """Log-likelihood of each row at ``params`` (natural scale)."""

    def _loglik_grad(self, params, arrays):  # overridden by models with an analytic gradient
        raise TypeError(f"{type(self).__name__} has no analytic gradient (_analytic_gradient is False)")

    def _start(self, arrays: dict[str, np.ndarray], weight: np.ndarray) -> np.ndarray:
        return np.ones(len(self.param_names))

    def _cache(self, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        """Model-specific precomputation on the (compressed) data; default: the arrays themselves."""
        return arrays

    # ---------------------------------------------------------- compression
    @staticmethod
    def _compress(arrays: dict[str, np.ndarray], weight: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Pool identical rows (same value in every array) into one row whose weight is the sum."""
        keys = list(arrays)
        code = np.zeros(weight.size, dtype=np.int64)
        radix = 1
        for k in keys:
            inv, uniq = pd.factorize(arrays[k], sort=False)  # hash-based: O(n)
            if radix * max(len(uniq), 1) >= 2**62:  # too many combinations for one integer key: fall back
                stacked = np.column_stack([arrays[c] for c in keys])
                uniq_rows, inv_rows = np.unique(stacked, axis=0, return_inverse=True)
                w = np.bincount(inv_rows.ravel(), weights=weight, minlength=len(uniq_rows))
                return {c: uniq_rows[:, j].copy() for j, c in enumerate(keys)}, w
            code += inv.astype(np.int64) * radix
            radix *= max(len(uniq), 1)
        inv, first_codes = pd.factorize(code, sort=False)
        first = np.full(len(first_codes), -1, dtype=np.int64)
        first[inv[::-1]] = np.arange(inv.size - 1, -1, -1)  # first occurrence of each distinct row
        w = np.bincount(inv, weights=weight, minlength=len(first_codes))
        return {k: v[first] for k, v in arrays.items()}, w

    # -------------------------------------------------------- log-likelihood
    def _total_and_grad(self, params: np.ndarray, cache, weight: np.ndarray) -> tuple[float, np.ndarray]:
        """Total weighted log-likelihood and its gradient with respect to the natural parameters."""
        if self._analytic_gradient:
            ll, g = self._loglik_grad(params, cache)
            return float(weight @ ll), weight @ g
        f0 = float(weight @ self._loglik(params, cache))
        grad = np.empty(params.size)
        for j in range(params.size):
            h = 1e-6 * params[j]
            up, dn = params.copy(), params.copy()
            up[j] += h
            dn[j] -= h
            grad[j] = (float(weight @ self._loglik(up, cache)) - float(weight @ self._loglik(dn, cache))) / (2 * h)
        return f0, grad

    def _hessian(self, params: np.ndarray, cache, weight: np.ndarray, forward: bool = False, g0=None) -> np.ndarray:
        """Hessian of the total log-likelihood on the natural scale, by differences of the gradient.

        Central differences (step ``1e-5`` relative); ``forward`` differences
        (step ``1e-6`` relative, half the evaluations) on large data, from ``g0`` (the optimiser's last gradient).
        """
        k = params.size
        hess = np.empty((k, k))
        if forward and (g0 is None or not np.all(np.isfinite(g0))):
            g0 = self._total_and_grad(params, cache, weight)[1]
        for j in range(k):
            h = (1e-6 if forward else 1e-5) * params[j]
            up, dn = params.copy(), params.copy()
            up[j] += h
            dn[j] -= h
            if forward:
                hess[:, j] = (self._total_and_grad(up, cache, weight)[1] - g0) / h
            else:
                hess[:, j] = (
                    self._total_and_grad(up, cache, weight)[1] - self._total_and_grad(dn, cache, weight)[1]
                ) / (2 * h)
        return 0.5 * (hess + hess.T)

    def _objective(self, cache, weight):
        """Negative mean log-likelihood and its gradient as functions of the log-parameters."""
        total_w = float(weight.sum())
        k = len(self.param_names)

        def objective(logp):
            p = np.exp(logp)
            try:
                with np.errstate(all="ignore"):
                    ll, g = self._total_and_grad(p, cache, weight)
            except (FloatingPointError, OverflowError, ValueError):
                return np.inf, np.zeros(k)
            if not np.isfinite(ll) or not np.all(np.isfinite(g)):
                return np.inf, np.zeros(k)
            return -ll / total_w, -(g * p) / total_w

        return objective

    def _warm_start(self, arrays, weight, x0):
        """Fit a seeded, weight-proportional sample of 5,000 rows; returns its optimum and inverse Hessian.

        Used on large data (more than ``warm_start_rows`` distinct rows): the
        full-data optimisation then starts at the sample's optimum with the
        sample's curvature (BFGS ``hess_inv0``) and needs a few evaluations
        instead of tens. The final estimates are those of the full data.
        """
        rng = np.random.default_rng(self.seed)
        draw = rng.choice(weight.size, size=5_000, replace=True, p=weight / weight.sum())
        rows, counts = np.unique(draw, return_counts=True)
        sub = {k: v[rows] for k, v in arrays.items()}
        obj = self._objective(self._cache(sub), counts.astype(float))
        k = x0.size
        res = optimize.minimize(
            obj,
            np.log(x0),
            jac=True,
            method="L-BFGS-B",
            bounds=[(-_LOG_BOUND, _LOG_BOUND)] * k,
            options={"maxiter": self.max_iter, "ftol": 1e-12, "gtol": 1e-8, "maxcor": 20},
        )
        if not np.isfinite(res.fun) or np.any(np.abs(res.x) >= _LOG_BOUND - 1e-6):
            return None
        hess = np.empty((k, k))  # curvature of the sample's objective on the log scale
        for j in range(k):
            up, dn = res.x.copy(), res.x.copy()
            up[j] += 1e-5
            dn[j] -= 1e-5
            hess[:, j] = (obj(up)[1] - obj(dn)[1]) / 2e-5
        hess = 0.5 * (hess + hess.T)
        if not np.all(np.isfinite(hess)) or np.any(np.linalg.eigvalsh(hess) <= 0):
            return None
        hinv = np.linalg.inv(hess)
        return res.x, 0.5 * (hinv + hinv.T)

    # ------------------------------------------------------------------ fit
    def fit(self, data: pd.DataFrame, *, initial_params: Any = None) -> Self:
        """Fit the model by maximum likelihood; returns ``self``.

        Parameters
        ----------
        data : the model's data table (see the model's docstring); an optional
            ``weight`` column counts the customers behind each row.
        initial_params : optional start point (sequence or dict by parameter
            name, natural scale).

        Raises
        ------
        DataError : malformed data (the message names the column and rows).
        ConvergenceError : no start point led to a finite, stationary optimum.
        """
        prepared = self._prepare(data)
        spec = getattr(data, "attrs", {}).get("crmlib")
        self.spec_ = spec if isinstance(spec, SummarySpec) else None
        for name, value in prepared.facts.items():
            setattr(self, name + "_", value)
        return self._fit_arrays(prepared.arrays, prepared.weight, initial_params=initial_params)

    def _fit_arrays(self, arrays, weight, *, initial_params=None):
        """The maximum-likelihood fit on checked data arrays and row weights (see :meth:`fit`)."""
        import time

        t0 = time.perf_counter()
        self.n_customers_ = float(weight.sum())
        self.n_rows_ = int(weight.size)
        if self.compress:
            arrays, weight = self._compress(arrays, weight)
        cache = self._cache(arrays)
        k = len(self.param_names)

        objective = self._objective(cache, weight)
        if initial_params is not None:
            if isinstance(initial_params, dict):
                try:
                    initial_params = [initial_params[n] for n in self.param_names]
                except KeyError as exc:
                    raise DataError(
                        f"initial_params lacks parameter {exc.args[0]!r}; give {list(self.param_names)}"
                    ) from None
            x0 = np.asarray(initial_params, dtype=float)
            if x0.shape != (k,) or not np.all(np.isfinite(x0)) or np.any(x0 <= 0):
                raise DataError(
                    f"initial_params must be {k} positive numbers for {list(self.param_names)}, got {initial_params!r}"
                )
        else:
            x0 = np.asarray(self._start(arrays, weight), dtype=float)
        tried: list[dict[str, Any]] = []
        best = None
        if self.warm_start_rows and weight.size > self.warm_start_rows and initial_params is None:
            warm = self._warm_start(arrays, weight, x0)
            if warm is not None:
                res = optimize.minimize(
                    objective,
                    warm[0],
                    jac=True,
                    method="BFGS",
                    options={"gtol": max(self.tol, 1e-9), "hess_inv0": warm[1], "maxiter": self.max_iter},
                )
                gnorm = float(np.max(np.abs(res.jac))) if np.all(np.isfinite(res.jac)) else np.inf
                ok = bool(np.isfinite(res.fun) and gnorm < 1e-6 and np.all(np.abs(res.x) < _LOG_BOUND - 1e-6))
                tried.append(
                    {
                        "start": np.exp(warm[0]),
                        "message": "warm start (BFGS): " + str(res.message),
                        "fun": float(res.fun),
                        "ok": ok,
                        "gradient_norm": gnorm,
                        "on_bound": False,
                    }
                )
                if ok:
                    best = (res, gnorm, False, True, 1)
        rng = np.random.default_rng(self.seed)
        starts = (
            []
            if best is not None
            else [np.log(x0)] + [np.log(x0) + rng.normal(0.0, 1.0, k) for _ in range(max(self.n_starts, 1) - 1)]
        )
        for i, s in enumerate(starts):
            s = np.clip(s, -_LOG_BOUND + 1, _LOG_BOUND - 1)
            f_start = objective(s)[0]
            if not np.isfinite(f_start):
                tried.append({"start": np.exp(s), "message": "log-likelihood not finite at the start", "fun": np.inf})
                continue
            res = optimize.minimize(
                objective,
                s,
                jac=True,
                method="L-BFGS-B",
                bounds=[(-_LOG_BOUND, _LOG_BOUND)] * k,
                options={"maxiter": self.max_iter, "ftol": self.tol * 1e-3, "gtol": self.tol, "maxcor": 20},
            )
            gnorm = float(np.max(np.abs(res.jac))) if np.all(np.isfinite(res.jac)) else np.inf
            on_bound = bool(np.any(np.abs(res.x) >= _LOG_BOUND - 1e-6))
            ok = np.isfinite(res.fun) and gnorm < 1e-4 and not on_bound
            tried.append(
                {
                    "start": np.exp(s),
                    "message": str(res.message),
                    "fun": float(res.fun),
                    "ok": ok,
                    "gradient_norm": gnorm,
                    "on_bound": on_bound,
                }
            )
            if np.isfinite(res.fun) and (best is None or res.fun < best[0].fun - 1e-12):
                best = (res, gnorm, on_bound, ok, i + 1)
            if ok:
                break
        if best is None:
            raise ConvergenceError(
                f"{type(self).__name__}: the log-likelihood was not finite at any of {len(starts)} start points. "
                "Check the data (recency <= T, frequency counts), or pass initial_params near plausible values."
            )
        res, gnorm, on_bound, ok, n_tried = best
        params = np.exp(res.x)
        if on_bound:
            names = [n for n, v in zip(self.param_names, res.x) if abs(v) >= _LOG_BOUND - 1e-6]
            raise ConvergenceError(
                f"{type(self).__name__}: parameter(s) {names} ran to the edge of the search region "
                f"({np.exp(-_LOG_BOUND):.1e} or {np.exp(_LOG_BOUND):.1e}); the model is not identified on these data "
                "(e.g. nobody churns, or no repeat purchases). Try a simpler model, more data, or a longer calibration period."
            )
        total_ll = -float(res.fun) * float(weight.sum())  # the objective is the negative mean log-likelihood
        if not np.isfinite(total_ll):
            raise ConvergenceError(
                f"{type(self).__name__}: the log-likelihood at the optimum is not finite; pass initial_params"
            )
        big = bool(self.warm_start_rows and weight.size > self.warm_start_rows)
        hess = self._hessian(params, cache, weight, big, g0=-res.jac * float(weight.sum()) / params)
        try:
            cov = np.linalg.inv(-hess)
            eig = np.linalg.eigvalsh(-hess)
            pd_ok = bool(np.all(eig > 0) and np.all(np.isfinite(cov)) and np.all(np.diag(cov) > 0))
        except np.linalg.LinAlgError:
            cov = np.full((k, k), np.inf)
            pd_ok = False
        report = ConvergenceReport(
            converged=bool(ok and pd_ok),
            message=str(res.message),
            n_iterations=int(res.nit),
            n_evaluations=int(res.nfev),
            n_starts_tried=n_tried,
            gradient_norm=gnorm,
            hessian_positive_definite=pd_ok,
            seconds=time.perf_counter() - t0,
            starts=tried,
        )
        self.convergence_ = report
        est = ", ".join(f"{n}={v:.4g}" for n, v in zip(self.param_names, params))
        if not ok:
            warnings.warn(
                f"{type(self).__name__} may not have converged ({report}). Try: initial_params near the printed "
                "estimates, a larger max_iter or n_starts, or rescaling time (weeks instead of days).",
                ConvergenceWarning,
                stacklevel=2,
            )
        elif not pd_ok and self._singular_information_raises:
            raise ConvergenceError(
                f"{type(self).__name__}: the log-likelihood is flat or not at a maximum at the optimiser's end point "
                f"({est}); the observed information is not positive definite, so the parameters are not identified "
                "on these data (e.g. too few repeat purchases). Try a longer calibration period, more customers, "
                "a simpler model, or initial_params to check for another optimum."
            )
        exploded = [n for n, v in zip(self.param_names, params) if not 1 / _EXPLODED < v < _EXPLODED]
        if exploded and self._singular_information_raises:
            report.converged = False
            warnings.warn(
                f"{type(self).__name__}: parameter(s) {exploded} ran off to the extreme ({est}): the likelihood "
                f"keeps rising towards a boundary of the model, so the estimates are not identified on these "
                f"{self.n_customers_:,.0f} customers and predictions from them are not to be trusted. Try: more "
                "customers or a longer calibration period, a simpler model (e.g. BG/NBD instead of MBG/NBD), or "
                "initial_params to check for an interior optimum.",
                ConvergenceWarning,
                stacklevel=3,
            )
        self.params_ = pd.Series(params, index=list(self.param_names), name="estimate")
        self.variance_matrix_ = pd.DataFrame(cov, index=list(self.param_names), columns=list(self.param_names))
        se = np.sqrt(np.abs(np.diag(cov))) if pd_ok else np.full(k, np.inf)
        self.standard_errors_ = pd.Series(se, index=list(self.param_names), name="se")
        z = stats.norm.ppf(0.5 + self.level / 2)
        with np.errstate(over="ignore"):
            lo = params * np.exp(-z * se / params)
            hi = params * np.exp(z * se / params)
        self.confidence_intervals_ = interval_frame({"lower": lo, "upper": hi}, self.level, list(self.param_names))
        self.log_likelihood_ = total_ll
        self.aic_ = 2 * k - 2 * total_ll
        self.bic_ = k * np.log(self.n_customers_) - 2 * total_ll
        self._fitted_data = (arrays, weight)
        return self

    # ---------------------------------------------------------------- report
    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise DataError(f"{type(self).__name__} is not fitted yet; call fit(data) first")

    def summary(self) -> pd.DataFrame:
        """Estimates, standard errors (observed information) and confidence intervals, one row per parameter.

        The intervals are Wald intervals for the log-parameter (delta method),
        transformed back, so they are positive and asymmetric.
        """
        self._check_fitted()
        out = pd.concat([self.params_, self.standard_errors_, self.confidence_intervals_], axis=1)
        out.index.name = "parameter"
        out.attrs["level"] = self.level
        return out

    def fit_statistics(self) -> pd.Series:
        """Log-likelihood (sum over customers), number of parameters, AIC, BIC and N."""
        self._check_fitted()
        return pd.Series(
            {
                "log_likelihood": self.log_likelihood_,
                "n_params": float(len(self.param_names)),
                "aic": self.aic_,
                "bic": self.bic_,
                "n_customers": self.n_customers_,
            },
            name=type(self).__name__,
        )

    def loglik(self, data: pd.DataFrame, params: Any = None) -> np.ndarray:
        """Log-likelihood of each row of ``data`` at ``params`` (default: the estimates); unweighted.

        The fitted model is left as it was (no attribute changes), whatever ``data`` holds.
        """
        arrays = self._prepare(data).arrays
        p = np.asarray(self._params_tuple(params), dtype=float)
        return self._loglik(p, self._cache(arrays))

    def save(self, path: Any) -> None:
        """Write the fitted model as JSON; :func:`crmlib.clv.load_model` reads it (see :mod:`crmlib.clv.persist`)."""
        from .persist import save_model

        save_model(self, path)

    def _periods_per_year(self, periods_per_year: float | None) -> float:
        """Time units in a year: the given value, else the fitted data's :class:`~crmlib.spec.SummarySpec`."""
        if periods_per_year is not None:
            value = float(periods_per_year)
            if not (np.isfinite(value) and value > 0):
                raise DataError(
                    f"periods_per_year must be a positive number (52.18 for weeks), got {periods_per_year!r}"
                )
            return value
        spec = getattr(self, "spec_", None)
        if spec is None:
            raise DataError(
                f"{type(self).__name__}: periods_per_year is required (the time units in a year of the data, "
                "365.25/7 for weeks, 12 for months): the fitted data carried no SummarySpec "
                "(summaries from crmlib.transactions.summarize carry one)"
            )
        return float(spec.periods_per_year)

    def draw_params(self, n_boot: int, seed: int | np.random.Generator) -> pd.DataFrame:
        """Parameter draws from the asymptotic normal distribution of the log-parameters.

        The covariance of the log-parameters is the observed-information
        covariance transformed by the delta method,
        ``cov(log theta) = D^-1 cov(theta) D^-1`` with ``D = diag(theta)``.
        Used for the parametric bootstrap of predictions.
        """
        self._check_fitted()
        p = self.params_.to_numpy()
        cov = self.variance_matrix_.to_numpy()
        if not np.all(np.isfinite(cov)):
            raise ConvergenceError("the covariance of the estimates is not finite; parametric draws are not possible")
        cov_log = cov / np.outer(p, p)
        n_boot = check_count(n_boot, "n_boot", minimum=1)
        draws = as_rng(seed).multivariate_normal(np.log(p), cov_log, size=n_boot, method="eigh")
        return pd.DataFrame(np.exp(draws), columns=list(self.param_names))

    def _params_tuple(self, params: Any = None) -> tuple[float, ...]:
        if params is None:
            self._check_fitted()
            return tuple(float(v) for v in self.params_.to_numpy())
        if isinstance(params, (pd.Series, Mapping)):
            return tuple(float(params[n]) for n in self.param_names)
        return tuple(float(v) for v in params)

    def __repr__(self) -> str:
        if hasattr(self, "params_"):
            inner = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
            return (
                f"{type(self).__name__}({inner}, log-likelihood={self.log_likelihood_:.2f}, N={self.n_customers_:,.0f})"
            )
        return f"{type(self).__name__}(unfitted)"


class PurchaseFitter(BaseFitter):
    """The predictions every purchase model gives (BG/NBD, MBG/NBD, Pareto/NBD, BG/BB), on which clv.validate,
    clv.plots, clv.horizon and clv.customer_lifetime_value rely. ``T`` is the customer's age in the data's time unit
    (``n_periods``, the opportunities, for BG/BB); ``t`` a horizon in the same unit; the subclasses give the formulas.
    """

    @abc.abstractmethod
    def probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, params: ParamsLike = None
    ) -> np.ndarray:
        """P(alive) of each customer given its summary (frequency, recency, T)."""

    @abc.abstractmethod
    def expected_purchases(self, t: ArrayLike, params: ParamsLike = None) -> np.ndarray:
        """Expected repeat purchases in ``(0, t]`` of a customer just acquired."""

    @abc.abstractmethod
    def conditional_expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, params: ParamsLike = None
    ) -> np.ndarray:
        """Expected purchases in the next ``t`` of a customer with the given summary."""

    @abc.abstractmethod
    def probability_of_purchases(self, n: ArrayLike, t: ArrayLike, params: ParamsLike = None) -> np.ndarray:
        """P(exactly ``n`` repeat purchases in ``(0, t]``) of a customer just acquired."""

    @abc.abstractmethod
    def survival(self, t: ArrayLike, params: ParamsLike = None) -> np.ndarray:
        """Share of a cohort of new customers still alive ``t`` after acquisition."""

    @abc.abstractmethod
    def probability_alive_at(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, params: ParamsLike = None
    ) -> np.ndarray:
        """P(alive at ``T + t``) of each customer given its summary (see :mod:`crmlib.clv.horizon`)."""

    @abc.abstractmethod
    def conditional_probability_of_purchases(
        self,
        n: ArrayLike,
        t: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        params: ParamsLike = None,
    ) -> np.ndarray:
        """P(exactly ``n`` purchases in ``(T, T+t]``) of each customer given its summary."""

    @abc.abstractmethod
    def dert(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        *,
        discount_rate: float,
        periods_per_year: float | None = None,
        params: ParamsLike = None,
    ) -> np.ndarray:
        """Discounted expected residual transactions of each customer (annual ``discount_rate``)."""


class SpendFitter(BaseFitter):
    """The predictions of a spend model (Gamma-Gamma): what :func:`crmlib.clv.customer_lifetime_value` and
    :func:`crmlib.clv.plot_spend_distribution` rely on (money per purchase, the data's currency)."""

    @abc.abstractmethod
    def conditional_expected_spend(
        self, frequency: ArrayLike, monetary: ArrayLike, params: ParamsLike = None
    ) -> np.ndarray:
        """Expected spend per purchase of each customer given its repeat purchases and mean spend."""

    @abc.abstractmethod
    def spend_density(
        self, monetary: ArrayLike, frequency: ArrayLike, weight: ArrayLike | None = None, params: ParamsLike = None
    ) -> np.ndarray:
        """Density of the customers' mean spend per purchase (per unit of money)."""


class ContractFitter(BaseFitter):
    """The predictions of a contractual retention model (sBG): what :func:`crmlib.clv.plot_retention` and
    :func:`crmlib.survival.compare_retention_models` rely on (time in the cohort's periods)."""

    active_: np.ndarray  # customers still active at the start of each observed period (set by ``fit``)

    @abc.abstractmethod
    def survival(self, t: ArrayLike, params: ParamsLike = None) -> np.ndarray:
        """Share of the cohort still active after ``t`` periods."""

    @abc.abstractmethod
    def retention_rate(self, t: ArrayLike, params: ParamsLike = None) -> np.ndarray:
        """Period retention rate ``S(t) / S(t - 1)``."""

    @abc.abstractmethod
    def discounted_expected_lifetime(
        self, discount_rate: float, *, periods_per_year: float | None = None, params: ParamsLike = None
    ) -> float:
        """Discounted expected lifetime of a new customer, in periods (annual ``discount_rate``)."""
