"""Time-invariant covariates in the BG/NBD and Pareto/NBD models, by maximum likelihood.

What is implemented (Fader & Hardie 2007, note 019; the form CLVTools fits as "static covariates")
----------------------------------------------------------------------------------------------------
Each customer ``i`` has covariates fixed over the observation: ``z_i`` for the purchase process
(``purchase_covariates``) and ``w_i`` for the dropout process (``dropout_covariates``; the two sets may
differ, overlap or be equal; in the Pareto/NBD a covariate of both may have one coefficient for both,
``shared_covariates``, as CLVTools' constraint). The covariates move the *scale* parameters of the mixing distributions,
so that a customer's own model is the plain model with its own parameters:

(1) purchase process, both models: ``alpha_i = alpha0 exp(-gamma_purchase' z_i)``; the purchase rate
    ``lambda_i ~ Gamma(r, alpha_i)`` has mean ``r / alpha_i``, so a positive coefficient raises the
    expected purchase rate by the factor ``exp(gamma)`` per unit of the covariate;
(2) dropout, Pareto/NBD: ``beta_i = beta0 exp(-gamma_dropout' w_i)``; the dropout rate
    ``mu_i ~ Gamma(s, beta_i)`` has mean ``s / beta_i`` (a positive coefficient: shorter lifetimes);
(3) dropout, BG/NBD: ``a_i = a0 exp(gamma_a' w_i)`` and ``b_i = b0 exp(gamma_b' w_i)``, one coefficient
    of each covariate on each shape parameter of the beta distribution of the dropout probability
    ``p_i``; its mean ``a_i / (a_i + b_i)`` rises with ``gamma_a - gamma_b`` (the log-odds of the mean
    move by ``(gamma_a - gamma_b)' w``). Two coefficients, so that a covariate can move the mean
    dropout probability; CLVTools constrains ``gamma_a = gamma_b`` (mean unchanged, only the spread
    moves), a special case of this form (``equal_dropout_coefficients=True``; the likelihood-ratio test
    between the two asks whether a covariate moves the mean);
(4) the likelihood of customer ``i`` is the plain model's with these parameters: BG/NBD, Fader,
    Hardie & Lee (2005) eq. (6); Pareto/NBD, Fader & Hardie (2005, note 009) section 3, evaluated as in
    :mod:`crmlib.clv.pareto_nbd` (death integral by quadrature, no ``hyp2f1``).

The exp(-gamma'z) convention on ``alpha`` and ``beta`` and exp(+gamma'w) on ``a`` and ``b`` are CLVTools'
(its ``pnbd_staticcov_*`` and ``bgnbd_staticcov_*`` functions, whose documentation cites the note), and
CLVTools' recorded outputs on its apparel data are reproduced to 1e-12 (``tests/test_clv_covariates.py``,
``benchmarks/README.md``). With every coefficient zero, or every covariate zero, the model is the plain
one (``alpha0`` is the scale at ``z = 0``). The note's own equation numbers could not be checked here
(its PDF is not in the reference store): (1)-(4) are this module's numbering.

Estimation
----------
The covariates are centred and scaled inside (a linear reparameterisation, undone exactly on the
estimates and their covariance), the optimiser starts at the plain model's estimates with every
coefficient zero, and works on ``(log r, log alpha0, log a0, log b0, gamma...)``. The gradient is
analytic: the plain models' per-customer gradients (:mod:`crmlib.clv.bgnbd`,
:mod:`crmlib.clv.pareto_nbd`) with respect to each customer's own parameters, chained through (1)-(3).
Standard errors come from the observed information: the per-customer Hessians with respect to the
customers' own four log-parameters (central differences of the analytic gradient; forward differences
on data of more than ``warm_start_rows`` distinct rows) are assembled
through the same linear map, so the cost does not grow with the number of covariates. Identical
customers (same history and covariates) are pooled into weighted rows (not when a covariate differs on
nearly every row: a continuous one); on large data a seeded sample is fitted first (as in
:class:`~crmlib.clv._base.BaseFitter`). The BG/NBD fit runs BLAS on one thread (:mod:`crmlib._blas`).

:meth:`likelihood_ratio_test` compares the fit with the plain model fitted to the same customers
(chi-square with as many degrees of freedom as coefficients), or with a nested covariate model.
:meth:`effects` gives each coefficient as a ratio (purchase rate, mean dropout rate, odds of the mean
dropout probability). Predictions take a summary with the
covariate columns (per customer: P(alive), expected purchases, DERT and its finite-horizon twin
:meth:`discounted_purchases`, the customers' own parameters);
:meth:`at` gives the plain model of one covariate profile, which has every prediction of
:mod:`crmlib.clv` and :mod:`crmlib.clv.horizon` (value over 1, 2, 5 years, PMFs, survival).

References
----------
Fader, P. S. & Hardie, B. G. S. (2007). Incorporating time-invariant covariates into the Pareto/NBD
and BG/NBD models. brucehardie.com/notes/019.
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way.
*Marketing Science* 24(2), 275-284 (eq. 6).
Fader, P. S. & Hardie, B. G. S. (2005). A note on deriving the Pareto/NBD model and related
expressions. brucehardie.com/notes/009.
Bachmann, P., Meierer, M. & Naef, J. (2021). The role of time-varying contextual factors in latent
attrition models for customer base analysis. *Marketing Science* 40(4), 783-809 (CLVTools).
Wilks, S. S. (1938). The large-sample distribution of the likelihood ratio for testing composite
hypotheses. *Annals of Mathematical Statistics* 9(1), 60-62.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ._covariate_fit import _CovariateFitter
from ._data import check_times, covariate_matrix, distinct_rows
from ._rates import continuous_rate
from ._special import beta_shift_plan, beta_shift_terms, exp_power_mean
from .bgnbd import BetaGeoModel, _bg_posterior_dert
from .pareto_nbd import ParetoNBDModel

__all__ = ["BetaGeoCovariateModel", "ParetoNBDCovariateModel"]


def _bg_expected(t: np.ndarray, x, tx, T, values) -> np.ndarray:
    """FHL 2005 eq. (10) with per-customer ``alpha, a, b``: P(alive) times the active customer's expectation."""
    plain = BetaGeoModel()
    return plain._active_expected(t, x, T, tuple(values)) * plain._p_alive(x, tx, T, tuple(values))


def _bg_dert(delta: float, x, tx, T, values) -> np.ndarray:
    """BG/NBD DERT with per-customer parameters, once per distinct (x, T, alpha, a, b)."""
    r, alpha, a, b = (np.broadcast_to(v, x.shape) for v in values)
    (xu, Tu, au, pa, pb), inv = distinct_rows(x, T, alpha, a, b)
    e = _bg_posterior_dert(values[0] + xu, au + Tu, pa, pb + xu, delta)
    return BetaGeoModel()._p_alive(x, tx, T, tuple(values)) * e[inv]


class BetaGeoCovariateModel(_CovariateFitter):
    """BG/NBD with time-invariant covariates (eq. 1, 3 and 4 of :mod:`crmlib.clv.covariates`).

    Parameters ``r, alpha, a, b`` (``alpha``, ``a``, ``b`` at covariates zero), then one coefficient per
    purchase covariate (``"purchase: <column>"``: ``alpha_i = alpha exp(-gamma' z_i)``) and two per dropout
    covariate (``"dropout a: <column>"``, ``"dropout b: <column>"``: ``a_i = a exp(gamma_a' w_i)``,
    ``b_i = b exp(gamma_b' w_i)``).

    Parameters
    ----------
    purchase_covariates, dropout_covariates : columns of the summary that move the purchase rate's
        scale and the dropout probability's beta parameters.
    equal_dropout_coefficients : one coefficient per dropout covariate on both ``a`` and ``b``
        (``"dropout: <column>"``; CLVTools' BG/NBD form: the mean dropout probability stays, its spread
        moves); ``separate.likelihood_ratio_test(equal)`` tests whether a covariate moves the mean.
    **kwargs : the fitting settings of :class:`~crmlib.clv._base.BaseFitter`.

    Example
    -------
    >>> m = BetaGeoCovariateModel(purchase_covariates=["online"], dropout_covariates=["online"])  # doctest: +SKIP
    >>> m.fit(summary).likelihood_ratio_test()                                                   # doctest: +SKIP
    """

    _plain = BetaGeoModel
    _can_share = False
    _one_blas_thread = True  # its products are (rows x 2) by 2: a second OpenBLAS thread spins (3x the CPU time)

    def __init__(self, *, equal_dropout_coefficients: bool = False, **kwargs: Any):
        self.equal_dropout_coefficients = bool(equal_dropout_coefficients)  # read while the names are made
        super().__init__(**kwargs)

    def _coefficient_key(self, label, covariate):
        if self.equal_dropout_coefficients and label in ("dropout a", "dropout b"):
            return ("dropout", covariate)
        return super()._coefficient_key(label, covariate)

    def _dropout_measure(self):
        if self.equal_dropout_coefficients:  # a and b scaled alike: a + b, the concentration of p, moves
            return ("a + b (concentration of the dropout probability)", {"dropout a": 1.0})
        return ("odds of the mean dropout probability", {"dropout a": 1.0, "dropout b": -1.0})

    _slots = (
        ("r", None, 1, ""),
        ("alpha", "purchase", -1, "purchase"),
        ("a", "dropout", 1, "dropout a"),
        ("b", "dropout", 1, "dropout b"),
    )

    def _row_order(self, arrays):
        return np.argsort(arrays["x"], kind="stable")  # one-time buyers first, then by frequency: slices below

    def _row_cache(self, arrays):
        """What depends on the histories only: the one-time buyers' and the repeat buyers' rows (slices when
        the rows are sorted by frequency, as :meth:`fit` sorts them), the repeat buyers' distinct frequencies
        and the summation plan of :func:`~crmlib.clv._special.beta_shift_terms`."""
        x, tx, T = arrays["x"], arrays["tx"], arrays["T"]

        def rows(mask):
            idx = np.flatnonzero(mask)
            if idx.size == 0 or idx[-1] - idx[0] + 1 == idx.size:
                return slice(int(idx[0]), int(idx[-1]) + 1) if idx.size else slice(0, 0)
            return idx

        zero, pos = rows(x == 0), rows(x > 0)
        ux, ix = np.unique(x[pos], return_inverse=True)
        return {
            "n": x.size,
            "zero": zero,
            "pos": pos,
            "T0": T[zero],
            "xp": x[pos],
            "txp": tx[pos],
            "Tp": T[pos],
            "ux": ux,
            "ix": ix.ravel(),
            "plan": beta_shift_plan(x[pos]),
        }

    def _row_grad(self, values, cache):
        """FHL 2005 eq. (6) per row with per-row ``alpha, a, b`` and its gradient in the four logs (as
        :meth:`crmlib.clv.BetaGeoModel._loglik_grad`). One-time buyers (``x = 0``, most customers): eq. (6)
        is ``(alpha / (alpha + T))^r``, no beta function; repeat buyers: the beta-function ratio and the
        digamma differences by :func:`~crmlib.clv._special.beta_shift_terms`, ``lgamma(r + x)`` per distinct
        ``x``."""
        r, alpha, a, b = values
        n = cache["n"]
        alpha, a, b = (np.broadcast_to(v, (n,)) for v in (alpha, a, b))
        ll, h = np.empty(n), np.zeros((n, 4), order="F")  # columns contiguous: written and read by column
        zero, pos = cache["zero"], cache["pos"]
        al = alpha[zero]
        L0 = np.log(al) - np.log(al + cache["T0"])
        ll[zero] = r * L0
        h[zero, 0] = r * L0
        h[zero, 1] = r - al * r / (al + cache["T0"])
        x, ux, ix = cache["xp"], cache["ux"], cache["ix"]
        al, ap, bp = alpha[pos], a[pos], b[pos]
        lbx_ab, dab, dbb = beta_shift_terms(ap, bp, x, cache["plan"])
        bx1 = bp + x - 1.0
        inv_b = 1.0 / bx1
        lbx = np.log(ap) - np.log(bx1)
        aT, at_ = al + cache["Tp"], al + cache["txp"]
        lT, lt = np.log(aT), np.log(at_)
        iaT, iat = 1.0 / aT, 1.0 / at_
        la = np.log(al)
        rx = r + x
        D = lbx + rx * (lT - lt)
        e = np.exp(-np.abs(D))
        q = np.where(D >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        gx = special.gammaln(r + ux) - special.gammaln(r)
        ll[pos] = gx[ix] + r * la + lbx_ab - rx * lT + np.where(D > 0, D, 0.0) + np.log1p(e)
        h[pos, 0] = r * ((special.digamma(r + ux) - special.digamma(r))[ix] + la - lT + q * (lT - lt))
        h[pos, 1] = r - al * rx * iaT + q * rx * al * (iaT - iat)
        h[pos, 2] = ap * dab + q
        h[pos, 3] = bp * (dbb + dab - q * inv_b)
        return ll, h

    def probability_alive(self, data: pd.DataFrame, params: Any = None) -> np.ndarray:
        """P(alive at T) of each customer of ``data`` (FHL 2008 note with the customer's own parameters)."""
        x, tx, T, values = self._customers(data, params)
        return BetaGeoModel()._p_alive(x, tx, T, tuple(values))

    def conditional_expected_purchases(self, t: Any, data: pd.DataFrame, params: Any = None) -> np.ndarray:
        """Expected repeat purchases of each customer in ``(T, T + t]`` (FHL 2005 eq. 10, own parameters)."""
        t = check_times(t)
        x, tx, T, values = self._customers(data, params)
        return _bg_expected(t, x, tx, T, values)

    def _active_rows(self, t, x, T, values):
        return BetaGeoModel()._active_expected(t, x, T, tuple(values))

    def dert(
        self, data: pd.DataFrame, *, discount_rate: float, periods_per_year: float | None = None, params: Any = None
    ) -> np.ndarray:
        """DERT of each customer (as :meth:`crmlib.clv.BetaGeoModel.dert`, with the customer's own parameters)."""
        delta = continuous_rate(discount_rate, self._periods_per_year(periods_per_year))
        x, tx, T, values = self._customers(data, params)
        return _bg_dert(delta, x, tx, T, values)


class ParetoNBDCovariateModel(_CovariateFitter):
    """Pareto/NBD with time-invariant covariates (eq. 1, 2 and 4 of :mod:`crmlib.clv.covariates`).

    Parameters ``r, alpha, s, beta`` (``alpha``, ``beta`` at covariates zero), then one coefficient per
    purchase covariate (``"purchase: <column>"``: ``alpha_i = alpha exp(-gamma' z_i)``) and one per dropout
    covariate (``"dropout: <column>"``: ``beta_i = beta exp(-gamma' w_i)``, a positive coefficient a
    higher dropout rate).

    Parameters
    ----------
    purchase_covariates, dropout_covariates : columns of the summary that move the purchase and the
        dropout rates' scale parameters.
    shared_covariates : covariates of both lists with one coefficient for both processes
        (``"purchase and dropout: <column>"``; CLVTools' ``names.cov.constr``); test it against the unshared
        model with ``unshared.likelihood_ratio_test(shared)``.
    **kwargs : the fitting settings of :class:`~crmlib.clv._base.BaseFitter`.
    """

    _plain = ParetoNBDModel

    def _dropout_measure(self):
        return ("mean dropout rate", {"dropout": 1.0})

    _slots = (
        ("r", None, 1, ""),
        ("alpha", "purchase", -1, "purchase"),
        ("s", None, 1, ""),
        ("beta", "dropout", -1, "dropout"),
    )

    def _row_cache(self, arrays):
        x, tx, T = arrays["x"], arrays["tx"], arrays["T"]
        n = x.size
        ux, ix = np.unique(x, return_inverse=True)
        # tails per distinct (x, t0, customer parameters): rows with the same covariates share theirs
        zcols = [arrays[f"z{j}"] for j in range(len(self._columns))]
        (_, gid) = distinct_rows(*zcols) if zcols else ([], np.zeros(n, np.int64))
        (kx, kt, _), inv = distinct_rows(np.concatenate([x, x]), np.concatenate([tx, T]), np.concatenate([gid, gid]))
        krow = np.empty(kx.size, np.int64)
        krow[inv] = np.concatenate([np.arange(n), np.arange(n)])
        return dict(arrays, ux=ux, ix=ix.ravel(), kx=kx, kt=kt, i1=inv[:n], i2=inv[n:], krow=krow)

    def probability_alive(self, data: pd.DataFrame, params: Any = None) -> np.ndarray:
        """P(alive at T) of each customer (SMC 1987; Fader & Hardie 2005 note, section 5, own parameters)."""
        x, tx, T, values = self._customers(data, params)
        cache = self._row_cache({"x": x, "tx": tx, "T": T} | self._prepare_z(data))
        return ParetoNBDModel()._parts(tuple(values), cache)[1]

    def _prepare_z(self, data):
        Z = covariate_matrix(data, self._columns, fitting=False)
        return {f"z{j}": Z[:, j] for j in range(Z.shape[1])}

    def conditional_expected_purchases(self, t: Any, data: pd.DataFrame, params: Any = None) -> np.ndarray:
        """Expected repeat purchases of each customer in ``(T, T + t]`` (FH 2005 note, section 6, own parameters)."""
        t = check_times(t)
        x, _, T, values = self._customers(data, params)
        return self._active_rows(t, x, T, values) * self.probability_alive(data, params)

    def _active_rows(self, t, x, T, values):
        r, alpha, s, beta = values
        e = s - 1.0
        L = np.log1p(t / (beta + T))
        with np.errstate(invalid="ignore", divide="ignore"):
            part = np.where(np.abs(e) < 1e-12, L, -np.expm1(-e * L) / e)
        return (r + x) / (alpha + T) * (beta + T) * part

    def _time_scale(self, values):
        return np.minimum(values[1], values[3])

    def dert(
        self, data: pd.DataFrame, *, discount_rate: float, periods_per_year: float | None = None, params: Any = None
    ) -> np.ndarray:
        """DERT of each customer (Fader, Hardie & Lee 2005, JMR, eq. 2, with the customer's own parameters)."""
        d = continuous_rate(discount_rate, self._periods_per_year(periods_per_year))
        x, _, T, (r, alpha, s, beta) = self._customers(data, params)
        inv_rate = exp_power_mean(np.full(T.shape, s - 1.0), d * (beta + T)) / d
        return (r + x) / (alpha + T) * inv_rate * self.probability_alive(data, params)
