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
customers (same history and covariates) are pooled into weighted rows; on large data a seeded sample
is fitted first (as in :class:`~crmlib.clv._base.BaseFitter`).

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
from ._special import exp_power_mean
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

    def _row_cache(self, arrays):
        """Groupings that let the special functions run once per distinct value, as the plain model's do:
        frequencies; (frequency, dropout profile) pairs; (T, purchase profile) and (recency, purchase
        profile) pairs, a profile being a distinct row of a process's covariates (a few for 0/1 covariates,
        every customer for a continuous one)."""
        x, tx, T = arrays["x"], arrays["tx"], arrays["T"]
        design = self._design(arrays)
        zero = np.zeros(x.size, np.int64)
        gp = zero if design[1] is None else distinct_rows(*design[1].T)[1]
        gd = zero if design[2] is None else distinct_rows(*design[2].T)[1]

        def groups(*cols):
            _, inv = distinct_rows(*cols)
            rep = np.empty(int(inv.max()) + 1, np.int64)
            rep[inv] = np.arange(x.size)  # any row of a group stands for it
            return inv, rep

        ux, ix = np.unique(x, return_inverse=True)
        return {
            "x": x,
            "tx": tx,
            "T": T,
            "ux": ux,
            "ix": ix.ravel(),
            "d": groups(x, gd),
            "pT": groups(T, gp),
            "pt": groups(tx, gp),
        }

    def _row_grad(self, values, cache):
        """FHL 2005 eq. (6) per row with per-row ``alpha, a, b`` and its gradient in the four logs (as
        :meth:`crmlib.clv.BetaGeoModel._loglik_grad`, on the groups of :meth:`_row_cache`)."""
        r, alpha, a, b = values
        x, ux, ix = cache["x"], cache["ux"], cache["ix"]
        n = x.size
        alpha, a, b = (np.broadcast_to(v, (n,)) for v in (alpha, a, b))
        (id_, rd), (iT, rT), (it, rt) = cache["d"], cache["pT"], cache["pt"]
        pos = x[rd] > 0  # one-time buyers passed no dropout chance: their beta terms are 0 (most customers)
        xd, ad, bd = x[rd][pos], a[rd][pos], b[rd][pos]
        lbx, inv_b, bx, dab, db = np.full(pos.size, -np.inf), *np.zeros((4, pos.size))
        lbx[pos] = np.log(ad) - np.log(bd + xd - 1.0)
        inv_b[pos] = 1.0 / (bd + xd - 1.0)
        bx[pos] = special.betaln(ad, bd + xd) - special.betaln(ad, bd)
        dab[pos] = special.digamma(ad + bd) - special.digamma(ad + bd + xd)
        db[pos] = special.digamma(bd + xd) - special.digamma(bd) + dab[pos]
        aT, at_ = alpha[rT] + cache["T"][rT], alpha[rt] + cache["tx"][rt]
        lT, lt = np.log(aT)[iT], np.log(at_)[it]
        iaT, iat = (1.0 / aT)[iT], (1.0 / at_)[it]
        la = np.log(alpha)
        D = lbx[id_] + (r + x) * (lT - lt)
        e = np.exp(-np.abs(D))
        q = np.where(D >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        gx = special.gammaln(r + ux) - special.gammaln(r)
        ll = gx[ix] + r * la + bx[id_] - (r + x) * lT + np.where(D > 0, D, 0.0) + np.log1p(e)
        h = np.empty((n, 4))
        h[:, 0] = r * ((special.digamma(r + ux) - special.digamma(r))[ix] + la - lT + q * (lT - lt))
        h[:, 1] = r - alpha * (r + x) * iaT + q * (r + x) * alpha * (iaT - iat)
        h[:, 2] = a * dab[id_] + q
        h[:, 3] = b * (db[id_] - q * inv_b[id_])
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
