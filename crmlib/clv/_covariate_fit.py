"""The fitting machinery of :mod:`crmlib.clv.covariates`: a plain model's four parameters per customer.

A covariate model declares which of its plain model's parameters ("slots") move with which covariates
(:attr:`_CovariateFitter._slots`) and, where the plain model's gradient cannot take per-customer
parameters as it is, its own per-row gradient. The rest is here: the checks of the covariate columns,
the standardised parameterisation, the optimisation (from the plain fit), the observed information
assembled from per-customer 4 x 4 Hessians, the likelihood-ratio test, parameter draws and the
per-customer parameters. See :mod:`crmlib.clv.covariates` for the model and the references.
"""

from __future__ import annotations

import abc
import contextlib
import time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Self

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .._blas import one_blas_thread
from .._checks import as_rng, check_count, check_nonnegative
from ..exceptions import ConvergenceError, ConvergenceWarning, DataError
from ..spec import SummarySpec
from ._base import BaseFitter, ConvergenceReport, Prepared, PurchaseFitter, interval_frame
from ._data import covariate_matrix, covariate_names, nearly_distinct, prepare_rft
from ._rates import continuous_rate

_GAMMA_BOUND = 30.0  # coefficients of the standardised covariates in [-30, 30]
_LOG_BOUND = 25.0


class _CovariateFitter(BaseFitter):
    """Shared machinery: the per-customer parameters ("slots") of a plain model, moved by covariates.

    ``_slots`` names the plain model's four parameters, and for each the covariate set that moves it
    (``"purchase"``, ``"dropout"`` or ``None``) and the sign of the link: slot ``k`` of customer ``i`` is
    ``theta_k exp(sign_k gamma_k' z_i)``.
    """

    _plain: type[PurchaseFitter]
    _slots: tuple[tuple[str, str | None, int, str], ...]  # (parameter, covariate set, sign, label of the gammas)
    _analytic_gradient = True
    _one_blas_thread = False  # fit with BLAS on one thread (BG/NBD; see :mod:`crmlib._blas`)

    def __init__(
        self,
        *,
        purchase_covariates: Sequence[str] = (),
        dropout_covariates: Sequence[str] = (),
        shared_covariates: Sequence[str] = (),
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.purchase_covariates = covariate_names(purchase_covariates, "purchase_covariates")
        self.dropout_covariates = covariate_names(dropout_covariates, "dropout_covariates")
        self.shared_covariates = covariate_names(shared_covariates, "shared_covariates")
        if not (self.purchase_covariates or self.dropout_covariates):
            raise DataError(
                f"{type(self).__name__} needs purchase_covariates or dropout_covariates (column names); without "
                f"covariates fit {self._plain.__name__}"
            )
        odd = [
            c for c in self.shared_covariates if c not in self.purchase_covariates or c not in self.dropout_covariates
        ]
        if odd:
            raise DataError(
                f"shared_covariates {odd} must be among both purchase_covariates and dropout_covariates: a shared "
                "covariate has one coefficient for both processes"
            )
        if self.shared_covariates and not self._can_share:
            raise DataError(
                f"{type(self).__name__} does not take shared_covariates: its dropout has two coefficients per "
                "covariate (a and b), so 'the same effect on both processes' has no single meaning"
            )
        names = [slot[0] for slot in self._slots]
        position: dict[tuple[str, str], int] = {}
        self._coefficient_index: list[np.ndarray] = []
        self._coefficient_names: dict[tuple[str, str], str] = {}  # (slot label, covariate) -> parameter name
        for _, cset, _, label in self._slots:
            idx = []
            for c in self._set(cset):
                key = self._coefficient_key(label, c)
                self._coefficient_names[(label, c)] = f"{key[0]}: {c}"
                if key not in position:
                    position[key] = len(names)
                    names.append(f"{key[0]}: {c}")
                idx.append(position[key])
            self._coefficient_index.append(np.array(idx, dtype=np.int64))
        self.param_names = tuple(names)

    _can_share = True  # one coefficient per covariate and process (Pareto/NBD); BG/NBD's dropout has two

    @abc.abstractmethod
    def _dropout_measure(self) -> tuple[str, dict[str, float]]:
        """What a dropout ratio of :meth:`effects` multiplies, and its log as a sum of coefficients by slot label."""

    def _coefficient_key(self, label: str, covariate: str) -> tuple[str, str]:
        """The coefficient a slot's covariate uses: its own, or one shared with other slots (same key)."""
        return ("purchase and dropout", covariate) if covariate in self.shared_covariates else (label, covariate)

    def _set(self, cset: str | None) -> tuple[str, ...]:
        return {"purchase": self.purchase_covariates, "dropout": self.dropout_covariates}.get(cset or "", ())

    @property
    def _columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.purchase_covariates + self.dropout_covariates))

    def _blocks(self) -> list[np.ndarray]:
        """For each slot, the positions of its coefficients in the parameter vector (a shared covariate's
        coefficient sits at one position for both processes)."""
        return self._coefficient_index

    # ------------------------------------------------------------------ data
    def _prepare(self, data: pd.DataFrame, fitting: bool = False) -> Prepared:
        arrays, weight = prepare_rft(data)
        Z = covariate_matrix(data, self._columns, fitting=fitting)
        arrays.update({f"z{j}": Z[:, j] for j in range(Z.shape[1])})
        return Prepared(arrays, weight)

    def _design(self, arrays: dict[str, np.ndarray]) -> list[np.ndarray | None]:
        """Each slot's covariate matrix (rows x its covariates) from the prepared arrays."""
        cols = self._columns
        return [
            np.column_stack([arrays[f"z{cols.index(c)}"] for c in self._set(cset)]) if self._set(cset) else None
            for _, cset, _, _ in self._slots
        ]

    # ------------------------------------------------------ per-customer model
    def _slot_values(self, theta: np.ndarray, design: list[np.ndarray | None]) -> list[Any]:
        """Each slot's value per row (a number for slots without covariates) at natural parameters ``theta``."""
        out: list[Any] = []
        for k, ((_, _, sign, _), idx) in enumerate(zip(self._slots, self._blocks())):
            Z = design[k]
            out.append(theta[k] if Z is None else theta[k] * np.exp(sign * (Z @ theta[idx])))
        return out

    @abc.abstractmethod
    def _row_cache(self, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        """The plain model's cache with one entry per row (the per-row parameters break its pooling)."""

    def _row_order(self, arrays: dict[str, np.ndarray]) -> np.ndarray | None:
        """An order of the rows that makes :meth:`_row_cache` cheaper (the fit sorts them so); ``None``: any."""
        return None

    def _row_grad(self, values: list[Any], cache: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """Log-likelihood per row and its derivative with respect to each slot's log (rows x 4)."""
        ll, g = self._plain()._loglik_grad(tuple(values), cache)
        full = [np.broadcast_to(v, ll.shape) for v in values]
        return ll, g * np.column_stack(full)

    # ----------------------------------------------------- BaseFitter hooks
    def _loglik(self, params: np.ndarray, arrays: dict[str, np.ndarray]) -> np.ndarray:
        values = self._slot_values(np.asarray(params, float), self._design(arrays))
        return self._row_grad(values, self._row_cache(arrays))[0]

    def loglik(self, data: pd.DataFrame, params: Any = None) -> np.ndarray:
        """Log-likelihood of each customer (row) of ``data`` at ``params`` (default: the estimates); unweighted."""
        arrays = self._prepare(data).arrays
        return self._loglik(np.asarray(self._params_tuple(params), float), arrays)

    # -------------------------------------------------- standardised scale
    def _internal(self, arrays: dict[str, np.ndarray], weight: np.ndarray):
        """Centring and scaling of the covariates: ``phi = A @ phi_std`` maps the standardised parameters
        ``(log theta, gamma_std)`` to ``(log theta, gamma)``; returns the standardised design and ``A``."""
        design = self._design(arrays)
        wsum = float(weight.sum())
        blocks = self._blocks()
        k = len(self.param_names)
        A = np.eye(k)
        std: list[np.ndarray | None] = []
        for s, (Z, idx) in enumerate(zip(design, blocks)):
            if Z is None:
                std.append(None)
                continue
            mean = weight @ Z / wsum
            sd = np.sqrt(weight @ (Z - mean) ** 2 / wsum)
            std.append(np.asfortranarray((Z - mean) / sd))  # columns contiguous: the products below read them
            sign = self._slots[s][2]
            A[idx, idx] = 1.0 / sd
            A[s, idx] = -sign * mean / sd
        return std, A

    def _phi_to_values(self, phi: np.ndarray, std: list[np.ndarray | None]) -> list[Any]:
        out: list[Any] = []
        for k, ((_, _, sign, _), idx) in enumerate(zip(self._slots, self._blocks())):
            Z = std[k]
            out.append(np.exp(phi[k]) if Z is None else np.exp(phi[k] + sign * (Z @ phi[idx])))
        return out

    def _phi_grad(self, h: np.ndarray, weight: np.ndarray, std: list[np.ndarray | None]) -> np.ndarray:
        grad = np.zeros(len(self.param_names))
        for k, ((_, _, sign, _), idx) in enumerate(zip(self._slots, self._blocks())):
            wh = weight * h[:, k]
            grad[k] = wh.sum()
            Z = std[k]
            if Z is not None:
                grad[idx] += sign * (Z.T @ wh)  # a shared coefficient gathers both processes' parts
        return grad

    def _phi_hessian(self, phi, cache, weight, std, forward: bool = False) -> np.ndarray:
        """Hessian of the total log-likelihood in ``phi``: per-row 4 x 4 Hessians in the slots' logs,
        by differences of the analytic gradient, assembled through the linear map of the covariates."""
        base = self._phi_to_values(phi, std)
        eps = 1e-6 if forward else 1e-5
        h0 = self._row_grad(base, cache)[1] if forward else None
        n_slots = len(self._slots)
        d = []  # d[k][:, m]: derivative of row gradient m in the log of slot k
        for k in range(n_slots):
            up = list(base)
            up[k] = base[k] * np.exp(eps)
            hu = self._row_grad(up, cache)[1]
            if forward:
                d.append((hu - h0) / eps)
            else:
                dn = list(base)
                dn[k] = base[k] * np.exp(-eps)
                d.append((hu - self._row_grad(dn, cache)[1]) / (2 * eps))
        # H = sum over rows and slot pairs (k, j) of w R_kj u_k u_j', u_k = (1, sign_k z_k): one product of the
        # distinct column products (1 and each standardised covariate, equal wherever it appears) by the pairs
        names: dict[str, np.ndarray] = {}
        for k, (_, cset, _, _) in enumerate(self._slots):
            for c, name in enumerate(self._set(cset)):
                names.setdefault(name, std[k][:, c])
        cols, keys = [np.ones(weight.size)] + list(names.values()), ["1"] + list(names)
        prods = [(c, e) for c in range(len(cols)) for e in range(c, len(cols))]
        pairs = [(k, j) for k in range(n_slots) for j in range(k, n_slots)]  # per-row Hessians are symmetric
        Q = np.column_stack([cols[c] * cols[e] for c, e in prods])
        X = Q.T @ np.column_stack([weight * (0.5 * (d[k][:, j] + d[j][:, k])) for k, j in pairs])
        where = {(keys[c], keys[e]): m for m, (c, e) in enumerate(prods)}
        where |= {(keys[e], keys[c]): m for m, (c, e) in enumerate(prods)}
        units = []  # each slot's (parameter position, column name, sign) of 1 and its covariates
        for k, ((_, cset, sign, _), idx) in enumerate(zip(self._slots, self._blocks())):
            units.append([(k, "1", 1.0)] + [(int(i), c, float(sign)) for i, c in zip(idx, self._set(cset))])
        K = len(self.param_names)
        H = np.zeros((K, K))
        for m, (k, j) in enumerate(pairs):
            for pk, ck, sk in units[k]:
                for pj, cj, sj in units[j]:
                    v = sk * sj * X[where[(ck, cj)], m]
                    H[pk, pj] += v
                    if j != k:
                        H[pj, pk] += v
        return 0.5 * (H + H.T)

    def _phi_objective(self, cache, weight, std):
        wsum = float(weight.sum())

        def objective(phi):
            try:
                with np.errstate(all="ignore"):
                    ll, h = self._row_grad(self._phi_to_values(phi, std), cache)
                    f, g = float(weight @ ll), self._phi_grad(h, weight, std)
            except (FloatingPointError, OverflowError, ValueError):
                return np.inf, np.zeros(phi.size)
            if not (np.isfinite(f) and np.all(np.isfinite(g))):
                return np.inf, np.zeros(phi.size)
            return -f / wsum, -g / wsum

        return objective

    # ------------------------------------------------------------------ fit
    def fit(self, data: pd.DataFrame, *, initial_params: Any = None) -> Self:
        """Fit the plain model and the covariate model by maximum likelihood; returns ``self``.

        Parameters
        ----------
        data : a customer summary (``frequency``, ``recency``, ``T``, optional ``weight``) with the
            covariate columns named by ``purchase_covariates`` and ``dropout_covariates`` (numbers; a
            category as 0/1 columns).
        initial_params : optional start point by name (``params_``'s index) or in ``param_names`` order;
            default: the plain model's estimates with every coefficient zero.

        Raises
        ------
        DataError : a covariate column missing, not numeric, not finite (rows named) or constant.
        ConvergenceError : the optimiser found no finite maximum, or the information is singular.
        """
        with one_blas_thread() if self._one_blas_thread else contextlib.nullcontext():
            return self._fit(data, initial_params)

    def _fit(self, data: pd.DataFrame, initial_params: Any) -> Self:
        t0 = time.perf_counter()
        prepared = self._prepare(data, fitting=True)
        spec = getattr(data, "attrs", {}).get("crmlib")
        self.spec_ = spec if isinstance(spec, SummarySpec) else None
        settings = {k: getattr(self, k) for k in ("n_starts", "tol", "max_iter", "level", "compress", "seed")}
        rft = {"x": "frequency", "tx": "recency", "T": "T"}
        plain_data = pd.DataFrame({rft[k]: prepared.arrays[k] for k in rft} | {"weight": prepared.weight})
        plain_data.attrs.update(getattr(data, "attrs", {}))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            plain = self._plain(warm_start_rows=self.warm_start_rows, **settings).fit(plain_data)
        self.null_params_ = plain.params_.rename("estimate")
        self.null_log_likelihood_ = float(plain.log_likelihood_)
        self.n_customers_ = float(prepared.weight.sum())
        self.n_rows_ = int(prepared.weight.size)
        z = [v for key, v in prepared.arrays.items() if key.startswith("z")]
        pool = self.compress and not (prepared.weight.size >= 20_000 and nearly_distinct(*z))  # continuous: no pools
        arrays, weight = (
            self._compress(prepared.arrays, prepared.weight) if pool else (prepared.arrays, prepared.weight)
        )
        order = self._row_order(arrays)
        if order is not None:
            arrays, weight = {key: v[order] for key, v in arrays.items()}, weight[order]
        std, A = self._internal(arrays, weight)
        cache = self._row_cache(arrays)
        k = len(self.param_names)
        n_base = len(self._slots)
        if initial_params is None:
            start = np.concatenate([np.log(plain.params_.to_numpy()), np.zeros(k - n_base)])
        else:
            theta0 = np.asarray(self._params_tuple(initial_params), float)
            if theta0.shape != (k,) or not np.all(np.isfinite(theta0)) or np.any(theta0[:n_base] <= 0):
                raise DataError(
                    f"initial_params must be {k} finite numbers {list(self.param_names)} (the first "
                    f"{n_base} positive), got {initial_params!r}"
                )
            start = np.linalg.solve(A, np.concatenate([np.log(theta0[:n_base]), theta0[n_base:]]))
        bounds = [(-_LOG_BOUND, _LOG_BOUND)] * n_base + [(-_GAMMA_BOUND, _GAMMA_BOUND)] * (k - n_base)
        objective = self._phi_objective(cache, weight, std)
        big = bool(self.warm_start_rows and weight.size > self.warm_start_rows)
        tried: list[dict[str, Any]] = []
        res = None
        if big:
            res = self._warm_polish(arrays, weight, std, start, bounds, objective, tried, order)
        if res is None:
            res = optimize.minimize(
                objective,
                start,
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": self.max_iter, "ftol": self.tol * 1e-3, "gtol": self.tol, "maxcor": 20},
            )
            tried.append({"start": start, "message": str(res.message), "fun": float(res.fun)})
        phi = res.x
        gnorm = float(np.max(np.abs(res.jac))) if np.all(np.isfinite(res.jac)) else np.inf
        lo_b, hi_b = np.array(bounds).T
        on_bound = [n for n, v, lo, hi in zip(self.param_names, phi, lo_b, hi_b) if min(v - lo, hi - v) < 1e-6]
        if not np.isfinite(res.fun) or on_bound:
            where = (
                f"parameter(s) {on_bound} ran to the edge of the search region"
                if on_bound
                else "the log-likelihood is not finite at the optimum"
            )
            raise ConvergenceError(
                f"{type(self).__name__}: {where}: the covariates' effects are not identified on these data (e.g. a "
                "covariate that separates customers who buy again from those who do not). Try fewer covariates, or "
                "rescale them."
            )
        H = self._phi_hessian(phi, cache, weight, std, forward=big)
        try:
            eig = np.linalg.eigvalsh(-H)
            cov_std = np.linalg.inv(-H)
            pd_ok = bool(np.all(eig > 0) and np.all(np.isfinite(cov_std)))
        except np.linalg.LinAlgError:
            pd_ok = False
        if not pd_ok:
            nat = A @ phi
            est = ", ".join(
                f"{n}={(np.exp(v) if i < n_base else v):.4g}" for i, (n, v) in enumerate(zip(self.param_names, nat))
            )
            raise ConvergenceError(
                f"{type(self).__name__}: the observed information is not positive definite at the optimiser's end "
                f"point ({est}): the parameters are not identified on these data (a covariate that separates "
                "customers who buy again from those who do not, two covariates nearly collinear, or one with almost "
                "no variation). Drop or combine covariates."
            )
        ok = gnorm < 1e-4
        self.convergence_ = ConvergenceReport(
            converged=ok,
            message=str(res.message),
            n_iterations=int(res.nit),
            n_evaluations=int(res.nfev),
            n_starts_tried=len(tried),
            gradient_norm=gnorm,
            hessian_positive_definite=pd_ok,
            seconds=time.perf_counter() - t0,
            starts=tried,
        )
        if not ok:
            warnings.warn(
                f"{type(self).__name__} may not have converged ({self.convergence_}); try initial_params "
                "or a larger max_iter",
                ConvergenceWarning,
                stacklevel=2,
            )
        phi_nat = A @ phi
        theta = np.concatenate([np.exp(phi_nat[:n_base]), phi_nat[n_base:]])
        own = self._slot_values(theta, self._design(arrays))  # every customer's own parameters
        exploded = [n for (n, _, _, _), v in zip(self._slots, own) if not np.all((v > 1e-5) & (v < 1e5))]
        if exploded:  # as the plain models do (BaseFitter): a boundary of the model, not an interior optimum
            self.convergence_.converged = False
            warnings.warn(
                f"{type(self).__name__}: parameter(s) {exploded} of some customers ran off to the extreme "
                f"({', '.join(f'{n}={v:.4g}' for n, v in zip(self.param_names, theta))}): the likelihood keeps rising "
                "towards a boundary of the model (e.g. hardly anyone drops out), so these estimates and the "
                "coefficients that move them are not identified. Try a simpler model or fewer dropout covariates.",
                ConvergenceWarning,
                stacklevel=2,
            )
        D = np.concatenate([theta[:n_base], np.ones(k - n_base)])
        cov = (A @ cov_std @ A.T) * np.outer(D, D)
        self._set_estimates(theta, cov, -float(res.fun) * float(weight.sum()))
        return self

    def _warm_polish(self, arrays, weight, std, start, bounds, objective, tried, order=None):
        """On many rows: fit a seeded 5,000-row sample, then polish on all rows by BFGS from there. The sample
        is drawn in the rows' order before :meth:`_row_order` (``order``), so sorting picks the same customers."""
        rng = np.random.default_rng(self.seed)
        at = np.arange(weight.size) if order is None else np.argsort(order)  # row i (unsorted) is at[i] (sorted)
        first = weight[at]
        draw = at[rng.choice(weight.size, size=5_000, replace=True, p=first / first.sum())]
        rows, counts = np.unique(draw, return_counts=True)
        sub = {key: v[rows] for key, v in arrays.items()}
        w_sub = counts.astype(float)
        std_s = [None if z is None else z[rows] for z in std]  # the full data's standardisation
        cache_s = self._row_cache(sub)
        obj_s = self._phi_objective(cache_s, w_sub, std_s)
        res_s = optimize.minimize(
            obj_s,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": self.max_iter, "ftol": 1e-12, "gtol": 1e-8, "maxcor": 20},
        )
        if not np.isfinite(res_s.fun):
            return None
        H = self._phi_hessian(res_s.x, cache_s, w_sub, std_s) / w_sub.sum()
        try:
            hinv = np.linalg.inv(-H)
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(hinv)) or np.any(np.linalg.eigvalsh(-H) <= 0):
            return None
        res = optimize.minimize(
            objective,
            res_s.x,
            jac=True,
            method="BFGS",
            options={"gtol": max(self.tol, 1e-9), "hess_inv0": 0.5 * (hinv + hinv.T), "maxiter": self.max_iter},
        )
        tried.append({"start": res_s.x, "message": "warm start (BFGS): " + str(res.message), "fun": float(res.fun)})
        gnorm = float(np.max(np.abs(res.jac))) if np.all(np.isfinite(res.jac)) else np.inf
        return res if np.isfinite(res.fun) and gnorm < 1e-6 else None

    def _set_estimates(self, theta: np.ndarray, cov: np.ndarray, total_ll: float) -> None:
        names = list(self.param_names)
        n_base = len(self._slots)
        k = len(names)
        self.params_ = pd.Series(theta, index=names, name="estimate")
        self.variance_matrix_ = pd.DataFrame(cov, index=names, columns=names)
        se = np.sqrt(np.diag(cov))
        self.standard_errors_ = pd.Series(se, index=names, name="se")
        z = stats.norm.ppf(0.5 + self.level / 2)
        lo, hi = theta - z * se, theta + z * se
        base = theta[:n_base]
        lo[:n_base] = base * np.exp(-z * se[:n_base] / base)  # positive parameters: interval on the log scale
        hi[:n_base] = base * np.exp(z * se[:n_base] / base)
        self.confidence_intervals_ = interval_frame({"lower": lo, "upper": hi}, self.level, names)
        self.log_likelihood_ = total_ll
        self.aic_ = 2 * k - 2 * total_ll
        self.bic_ = k * np.log(self.n_customers_) - 2 * total_ll

    # ---------------------------------------------------------------- report
    def summary(self) -> pd.DataFrame:
        """Estimates, standard errors (observed information) and intervals: the plain model's parameters
        (scale parameters at covariates zero; log-scale Wald intervals) and one coefficient per covariate and
        process, labelled ``"<process>: <covariate>"`` (Wald intervals, ``z`` and ``p_value`` of zero)."""
        self._check_fitted()
        out = pd.concat([self.params_, self.standard_errors_, self.confidence_intervals_], axis=1)
        n_base = len(self._slots)
        zval = (self.params_ / self.standard_errors_).to_numpy()
        zval[:n_base] = np.nan
        out["z"] = zval
        out["p_value"] = np.where(np.isnan(zval), np.nan, 2 * stats.norm.sf(np.abs(zval)))
        out.index.name = "parameter"
        out.attrs["level"] = self.level
        return out

    def coefficients(self) -> pd.DataFrame:
        """The covariates' coefficients only, as a table by process and covariate (rows of :meth:`summary`)."""
        table = self.summary().iloc[len(self._slots) :]
        parts = [name.split(": ", 1) for name in table.index]
        table.index = pd.MultiIndex.from_tuples([(p[0], p[1]) for p in parts], names=["process", "covariate"])
        return table

    def effects(self) -> pd.DataFrame:
        """Each covariate's effect per unit, as a ratio with its Wald interval and p-value.

        Purchase (eq. 1): the ratio of the expected purchase rate ``r / alpha_i``, ``exp(gamma)``. Dropout:
        Pareto/NBD (eq. 2) the ratio of the mean dropout rate ``s / beta_i``, ``exp(gamma)``; BG/NBD (eq. 3) the
        odds ratio of the mean dropout probability ``a_i / (a_i + b_i)``, ``exp(gamma_a - gamma_b)``. The
        interval is ``exp`` of the log-ratio's Wald interval (observed information; for BG/NBD the variance
        of ``gamma_a - gamma_b`` includes their covariance).

        Returns
        -------
        DataFrame indexed by ``process`` and ``covariate`` with ``measure`` (what the ratio multiplies),
        ``ratio``, ``lower``, ``upper`` (``attrs["level"]``) and ``p_value`` (of no effect).
        """
        self._check_fitted()
        names = list(self.param_names)
        theta, V = self.params_.to_numpy(), self.variance_matrix_.to_numpy()
        z = stats.norm.ppf(0.5 + self.level / 2)
        measure, terms = self._dropout_measure()
        rows, index = [], []
        for process, columns, what, parts in (
            ("purchase", self.purchase_covariates, "expected purchase rate", {"purchase": 1.0}),
            ("dropout", self.dropout_covariates, measure, terms),
        ):
            for c in columns:
                vec = np.zeros(len(names))
                for label, coef in parts.items():
                    vec[names.index(self._coefficient_names[(label, c)])] += coef
                est, se = float(vec @ theta), float(np.sqrt(vec @ V @ vec))
                p = float(2 * stats.norm.sf(abs(est) / se))
                rows.append((what, np.exp(est), np.exp(est - z * se), np.exp(est + z * se), p))
                index.append((process, c))
        out = pd.DataFrame(
            rows,
            columns=["measure", "ratio", "lower", "upper", "p_value"],
            index=pd.MultiIndex.from_tuples(index, names=["process", "covariate"]),
        )
        out.attrs["level"] = self.level
        return out

    def likelihood_ratio_test(self, restricted: _CovariateFitter | None = None) -> pd.Series:
        """Likelihood-ratio test of the covariates against the plain model fitted to the same customers.

        ``statistic = 2 (LL_covariates - LL_plain)``, chi-square with ``df`` = the number of coefficients
        (Wilks 1938); ``p_value`` its upper tail. Both log-likelihoods are sums over customers.

        Parameters
        ----------
        restricted : instead of the plain model, a covariate model nested in this one fitted to the same
            customers (fewer coefficients: covariates left out, or ``shared_covariates``); ``df`` is the
            difference in the number of parameters.
        """
        self._check_fitted()
        df = len(self.param_names) - len(self._slots)
        null = self.null_log_likelihood_
        if restricted is not None:
            if not isinstance(restricted, _CovariateFitter) or not hasattr(restricted, "params_"):
                raise DataError("restricted must be a fitted covariate model of the same family")
            if type(restricted) is not type(self) or restricted.n_customers_ != self.n_customers_:
                raise DataError(
                    f"restricted must be a {type(self).__name__} fitted to the same customers "
                    f"({self.n_customers_:,.0f}); got a {type(restricted).__name__} on {restricted.n_customers_:,.0f}"
                )
            df = len(self.param_names) - len(restricted.param_names)
            if df <= 0:
                raise DataError(
                    f"restricted has {len(restricted.param_names)} parameters, this model {len(self.param_names)}: "
                    "the restricted model must have fewer"
                )
            null = restricted.log_likelihood_
        stat = max(2.0 * (self.log_likelihood_ - null), 0.0)
        return pd.Series(
            {
                "log_likelihood": self.log_likelihood_,
                "null_log_likelihood": null,
                "statistic": stat,
                "df": float(df),
                "p_value": float(stats.chi2.sf(stat, df)),
            },
            name="likelihood_ratio_test",
        )

    def draw_params(self, n_boot: int, seed: int | np.random.Generator) -> pd.DataFrame:
        """Parameter draws from the asymptotic normal of ``(log theta, gamma)`` (delta method), by name."""
        self._check_fitted()
        n_base = len(self._slots)
        p = self.params_.to_numpy()
        D = np.concatenate([p[:n_base], np.ones(p.size - n_base)])
        cov = self.variance_matrix_.to_numpy() / np.outer(D, D)
        n_boot = check_count(n_boot, "n_boot", minimum=1)
        mean = np.concatenate([np.log(p[:n_base]), p[n_base:]])
        draws = as_rng(seed).multivariate_normal(mean, cov, size=n_boot, method="eigh")
        draws[:, :n_base] = np.exp(draws[:, :n_base])
        return pd.DataFrame(draws, columns=list(self.param_names))

    # ----------------------------------------------------------- predictions
    def _theta(self, params: Any) -> np.ndarray:
        return np.asarray(self._params_tuple(params), float)

    def customer_params(self, data: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        """Each customer's own parameters (eq. 1-3): the plain model's four, one row per row of ``data``.

        ``data`` needs the covariate columns only (``frequency`` etc. are not read); ``params`` by name or in
        ``param_names`` order (default: the estimates; a known truth for a simulation,
        :func:`crmlib.clv.simulate.simulate_bgnbd`).
        """
        theta = self._theta(params)
        Z = covariate_matrix(data, self._columns, fitting=False)
        cols = self._columns
        arrays = {f"z{j}": Z[:, j] for j in range(len(cols))}
        values = self._slot_values(theta, self._design(arrays))
        return pd.DataFrame(
            {name: np.broadcast_to(v, (len(data),)) for (name, _, _, _), v in zip(self._slots, values)},
            index=data.index,
        )

    def _customers(self, data: pd.DataFrame, params: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Any]]:
        arrays, _ = prepare_rft(data)
        theta = self._theta(params)
        Z = covariate_matrix(data, self._columns, fitting=False)
        design = self._design({f"z{j}": Z[:, j] for j in range(Z.shape[1])})
        return arrays["x"], arrays["tx"], arrays["T"], self._slot_values(theta, design)  # numbers where no covariate

    def at(self, profile: Mapping[str, float], params: Any = None) -> PurchaseFitter:
        """The plain model of one covariate profile: its parameters are those of eq. (1)-(3) at ``profile``.

        The returned :class:`~crmlib.clv.BetaGeoModel` or :class:`~crmlib.clv.ParetoNBDModel` has every
        prediction of the plain model and of :mod:`crmlib.clv.horizon` (value over 1, 2, 5 years, P(X = n),
        survival) for customers of that profile; it carries the data's ``spec_`` but no covariance.
        """
        missing = [c for c in self._columns if c not in profile]
        if missing:
            raise DataError(f"profile lacks {missing}; give a value for each of {list(self._columns)}")
        row = pd.DataFrame({c: [float(profile[c])] for c in self._columns})
        values = self.customer_params(row, params).iloc[0]
        plain = self._plain()
        plain.params_ = pd.Series(values.to_numpy(), index=list(plain.param_names), name="estimate")
        plain.spec_ = getattr(self, "spec_", None)
        plain.n_customers_ = getattr(self, "n_customers_", float("nan"))
        return plain

    @abc.abstractmethod
    def probability_alive(self, data: pd.DataFrame, params: Any = None) -> np.ndarray:
        """P(alive at T) of each customer of ``data`` (history and covariate columns), in [0, 1]."""

    @abc.abstractmethod
    def conditional_expected_purchases(self, t: Any, data: pd.DataFrame, params: Any = None) -> np.ndarray:
        """Expected repeat purchases of each customer of ``data`` in ``(T, T + t]`` (``t`` >= 0, time units)."""

    @abc.abstractmethod
    def dert(
        self, data: pd.DataFrame, *, discount_rate: float, periods_per_year: float | None = None, params: Any = None
    ) -> np.ndarray:
        """Discounted expected residual transactions of each customer of ``data`` (annual ``discount_rate``)."""

    @abc.abstractmethod
    def _active_rows(self, t: np.ndarray, x: np.ndarray, T: np.ndarray, values: list[np.ndarray]) -> np.ndarray:
        """Expected purchases in ``(T, T+t]`` of a customer alive at T, with per-row parameters (broadcasting)."""

    def _time_scale(self, values: list[np.ndarray]) -> np.ndarray:
        """Each customer's shortest time scale, for the quadrature nodes (``alpha_i``)."""
        return values[1]

    def discounted_purchases(
        self,
        data: pd.DataFrame,
        *,
        horizon: float,
        discount_rate: float,
        periods_per_year: float | None = None,
        params: Any = None,
    ) -> np.ndarray:
        """Discounted expected purchases of each customer in ``(T, T + horizon]``: the DERT over a finite horizon.

        As :func:`crmlib.clv.horizon.discounted_purchases` (FHL 2005b, JMR, eq. 2 cut at the horizon:
        ``e^{-delta H} E[Y(H)] + delta int_0^H e^{-delta t} E[Y(t)] dt``, 64-point Gauss-Legendre rule in
        ``log(1 + t / c)``), with each customer's own parameters and nodes (``c`` = ``alpha_i``; the Pareto/NBD
        ``min(alpha_i, beta_i)``). ``horizon`` in the data's time unit (> 0); ``discount_rate`` annual.
        Times margin and expected spend it is the customer's value over the horizon.
        """
        H = float(check_nonnegative(horizon, "horizon"))
        if not (np.isfinite(H) and H > 0):
            raise DataError(f"horizon must be a positive, finite time (data time unit), got {horizon!r}")
        delta = continuous_rate(discount_rate, self._periods_per_year(periods_per_year))
        x, _, T, values = self._customers(data, params)
        alive = self.probability_alive(data, params)
        full = [np.broadcast_to(np.asarray(v, float), x.shape) for v in values]
        scale = self._time_scale(full)
        nodes, weights = np.polynomial.legendre.leggauss(64)
        out = np.empty(x.size)
        for lo in range(0, x.size, 20_000):  # blocks of rows: 65 times per customer
            rows = slice(lo, lo + 20_000)
            c = scale[rows][:, None]
            ymax = np.log1p(H / c)
            y = (nodes + 1.0) * 0.5 * ymax
            t = c * np.expm1(y)
            w = weights * 0.5 * ymax * c * np.exp(y) * np.exp(-delta * t)
            ts = np.concatenate([t, np.full((t.shape[0], 1), H)], axis=1)
            col = [v[rows][:, None] for v in full]
            ey = self._active_rows(ts, x[rows][:, None], T[rows][:, None], col) * alive[rows][:, None]
            out[rows] = np.exp(-delta * H) * ey[:, -1] + delta * np.sum(ey[:, :-1] * w, axis=1)
        return out
