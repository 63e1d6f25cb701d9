"""The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).

Assumptions (SMC 1987; Fader & Hardie 2005 note, section 1)
-----------------------------------------------------------
1. While active, a customer buys according to a Poisson process with rate
   ``lambda``; ``lambda`` is gamma distributed across customers with shape
   ``r`` and rate ``alpha``.
2. A customer's unobserved lifetime is exponential with rate ``mu``; ``mu``
   is gamma distributed across customers with shape ``s`` and rate ``beta``
   (so lifetimes are Pareto of the second kind, Lomax).
3. ``lambda`` and ``mu`` are independent.

Data: ``frequency`` (x, repeat transactions), ``recency`` (t_x, 0 if x = 0),
``T`` (time since the first transaction), optional ``weight``; all times in
one unit (see :mod:`crmlib.clv.bgnbd` for the table).

Likelihood
----------
Fader & Hardie (2005, note "A note on deriving the Pareto/NBD model and related
expressions", section 3) write the likelihood of a randomly chosen customer as

``L = G(r+x) alpha^r beta^s / G(r) * [ (alpha+T)^-(r+x) (beta+T)^-s + s/(r+s+x) A_0 ]``

with ``A_0`` a difference of two Gauss hypergeometric functions, taken with
the argument ``(alpha-beta)/(alpha+t)`` when ``alpha >= beta`` and
``(beta-alpha)/(beta+t)`` otherwise. That difference is the closed form of

``s/(r+s+x) A_0 = s * int_{t_x}^{T} (alpha+tau)^-(r+x) (beta+tau)^-(s+1) d tau``

(the customer dies at ``tau`` in ``(t_x, T]``; see their derivation in
section 3). scipy's ``hyp2f1`` returns NaN or infinity for the parameters of heavy
buyers (``r+s+x`` in the thousands, argument near 1), and ``A_0`` loses all
digits to cancellation when ``t_x`` is close to ``T``. crmlib therefore
evaluates the integral itself: in the variable ``y = log(1 + (tau - t_x) rho)``
(``rho`` the integrand's log-decay rate at ``t_x``) the integrand is a smooth
bump for every parameter value, and a 32-point Gauss-Legendre rule in log space
(log-sum-exp) gives it to a relative error below 1e-10 for 99% and below
3e-8 for all of 3,000 random cases with parameters in [0.02, 55],
frequency up to 10,000 and T up to 10,000 (tests compare with
``scipy.integrate.quad``). The same nodes give the analytic gradient.
The fit writes the integral as the tail from ``t_x`` to infinity less the tail
from ``T`` (64 nodes each, relative error below 3e-11): a tail depends on
``(x, t0)`` only, so it is computed once per distinct pair (a million daily
histories have about 6,000) instead of once per history, and the difference
costs no digits that matter, since ``s`` times the tail from ``T`` is at most
the alive term. Tails too long for the rule (``r + s + x`` below about 0.075)
are integrated from ``t_x`` to ``T`` directly.

Predictions: E[X(t)] (FH note section 4), P(alive) (section 5), the
conditional expectation (section 6), P(X(t)=x) (Fader & Hardie, "Deriving an
expression for P(X(t)=x) under the Pareto/NBD model", note 012, section 4;
here by quadrature over the lifetime), DERT (Fader, Hardie & Lee 2005, "RFM
and CLV", JMR 42(4), eq. 2; its Tricomi U factor evaluated by quadrature).

References
----------
Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your
customers: who are they and what will they do next? *Management Science*
33(1), 1-24.
Fader, P. S. & Hardie, B. G. S. (2005). A note on deriving the Pareto/NBD model
and related expressions. brucehardie.com/notes/009.
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using
iso-value curves for customer base analysis. *Journal of Marketing Research*
42(4), 415-430.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import special

from .._checks import check_nonnegative
from ._base import ArrayLike, ParamsLike, Prepared, PurchaseFitter
from ._data import as_rft_arrays, check_times, distinct_rows, prepare_rft
from ._rates import continuous_rate
from ._special import exp_power_mean
from .horizon import conditional_pmf

__all__ = ["ParetoNBDModel", "log_death_integral"]

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(32)
_TAIL_NODES, _TAIL_WEIGHTS = np.polynomial.legendre.leggauss(64)
_YCAP = 600.0  # the quadrature variable's largest value: tau = t_x + e^600 / rho stays finite


def _col(v):
    """A per-row parameter (1-D array) as a column against the nodes; a scalar as it is."""
    return v[:, None] if np.ndim(v) else v


def _quadrature(r, alpha, s, beta, x, tx, T, nodes=_NODES, weights=_WEIGHTS):
    """Nodes ``tau`` (n, k) and log weights*integrand (n, k) of ``int_{t_x}^T (a+tau)^-(r+x) (b+tau)^-(s+1)``.

    ``alpha`` and ``beta`` are scalars or one value per row (the covariate models, :mod:`crmlib.clv.covariates`).
    """
    k = r + s + x
    rho = (r + x) / (alpha + tx) + (s + 1) / (beta + tx)
    c = 1.0 / rho
    amax = np.maximum(alpha + tx, beta + tx)
    E = (45.0 + np.clip(np.log(rho * amax / k), 0, None)) / k
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        Y = np.log1p((T - tx) / c)
        # log(1 + amax/c (e^E - 1)), finite for every E > 0 (a tail to infinity has no other bound)
        ydel = np.logaddexp(0.0, np.log(amax / c) + E + np.log(-np.expm1(-E)))
    ymax = np.minimum(np.minimum(Y, ydel), _YCAP)
    y = (nodes[None, :] + 1.0) * 0.5 * ymax[:, None]
    tau = tx[:, None] + c[:, None] * np.expm1(y)
    la = np.log(_col(alpha) + tau)
    lb = np.log(_col(beta) + tau)
    with np.errstate(divide="ignore"):
        lw = np.log(weights)[None, :] + np.log(0.5 * ymax * c)[:, None] + y
    lf = lw - (r + x)[:, None] * la - (s + 1) * lb
    return tau, la, lb, lf, (Y > _YCAP) & (ydel > _YCAP)


def log_death_integral(
    r: float, alpha: float, s: float, beta: float, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    """``log int_{t_x}^{T} (alpha+tau)^-(r+x) (beta+tau)^-(s+1) d tau`` (``-inf`` when ``t_x = T``).

    The Pareto/NBD term of a customer who dies between the last purchase and
    ``T`` (Fader & Hardie 2005 note, section 3, before integration), evaluated
    by Gauss-Legendre quadrature in a log-scaled variable (see module docstring).
    """
    x, tx, T = (np.atleast_1d(np.asarray(v, float)) for v in np.broadcast_arrays(frequency, recency, T))
    lf = _quadrature(r, alpha, s, beta, x, tx, T)[3]
    return special.logsumexp(lf, axis=1)


def _integral(r, alpha, s, beta, x, lo, hi, grad=False, nodes=_NODES, weights=_WEIGHTS):
    """``log int_{lo}^{hi} (alpha+tau)^-(r+x) (beta+tau)^-(s+1) d tau`` per row (``hi`` may be infinite).

    Returns ``(log integral, moments, cut)``: with ``grad`` the moments are the means of ``log(alpha+tau)``,
    ``1/(alpha+tau)``, ``log(beta+tau)`` and ``1/(beta+tau)`` under the integrand (the gradient's pieces),
    else None; ``cut`` marks rows whose range was cut at ``y = 600`` before the integrand fell by 45 nats
    (an infinite tail with ``r + s + x`` below about 0.075), whose value is then too small.
    """
    tau, la, lb, lf, cut = _quadrature(r, alpha, s, beta, x, lo, hi, nodes, weights)
    m = np.max(lf, axis=1)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.exp(lf - m[:, None])
    tot = e.sum(axis=1)
    with np.errstate(divide="ignore"):
        logI = m + np.log(tot)
    if not grad:
        return logI, None, cut
    with np.errstate(invalid="ignore"):
        e /= tot[:, None]
    moments = tuple(np.einsum("ij,ij->i", e, v) for v in (la, 1.0 / (_col(alpha) + tau), lb, 1.0 / (_col(beta) + tau)))
    return logI, moments, cut


class ParetoNBDModel(PurchaseFitter):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987), fitted by maximum likelihood.

    Parameters ``r, alpha`` (gamma purchase rates) and ``s, beta`` (gamma
    drop-out rates), ``alpha`` and ``beta`` in the data's time unit. See the
    module docstring for the assumptions, the likelihood and references.
    """

    param_names = ("r", "alpha", "s", "beta")
    _analytic_gradient = True

    def _prepare(self, data: pd.DataFrame) -> Prepared:
        return Prepared(*prepare_rft(data))

    def _start(self, arrays, weight):
        x, T = arrays["x"], arrays["T"]
        rate = float(weight @ x) / float(weight @ T)
        tbar = float(weight @ T) / float(weight.sum())
        return np.array([0.5, 0.5 / max(rate, 1e-6), 0.5, 0.5 * tbar])

    def _cache(self, arrays):
        ix, ux = pd.factorize(arrays["x"])  # by hashing: np.unique sorts (0.16 s a million rows)
        ux = np.asarray(ux, float)
        x, tx, T = arrays["x"], arrays["tx"], arrays["T"]
        # the death integral from t_x to T is the tail from t_x less the tail from T: both are tails
        # int_{t0}^inf of a frequency x, computed once per distinct (x, t0) (a few thousand for a million customers)
        (kx, kt), inv = distinct_rows(np.concatenate([x, x]), np.concatenate([tx, T]))
        return dict(arrays, ux=ux, ix=ix.ravel(), kx=kx, kt=kt, i1=inv[: x.size], i2=inv[x.size :])

    def _parts(self, params, c, grad=False):
        """Log-likelihood of each row and, with ``grad``, the pieces of its gradient.

        ``L / (G(r+x) alpha^r beta^s / G(r)) = A + s (I(t_x) - I(T))`` with ``A`` the alive term and ``I(t0)``
        the tail ``int_{t0}^inf (alpha+tau)^-(r+x) (beta+tau)^-(s+1) d tau`` (:func:`_integral`). The difference
        loses no digits that matter: ``s I(T) <= A``, so every term is at most the sum.
        """
        r, alpha, s, beta = params
        x, T = c["x"], c["T"]
        inf = np.full(c["kx"].shape, np.inf)
        # per-row alpha and beta (covariate models): each tail takes those of a row it serves (``krow``)
        ka, kb = (alpha, beta) if c.get("krow") is None else (alpha[c["krow"]], beta[c["krow"]])
        logI, mom, cut = _integral(r, ka, s, kb, c["kx"], c["kt"], inf, grad, _TAIL_NODES, _TAIL_WEIGHTS)
        lI1, lI2 = logI[c["i1"]], logI[c["i2"]]
        mom1: tuple[np.ndarray, ...] = (np.zeros(x.size),) * 4
        mom2 = mom1
        if grad:
            mom1, mom2 = tuple(v[c["i1"]] for v in mom), tuple(v[c["i2"]] for v in mom)
        bad = np.flatnonzero(cut[c["i1"]] | cut[c["i2"]])
        if bad.size:  # tails too long to integrate: the death integral from t_x to T directly
            lo, hi = c["tx"][bad], T[bad]
            ba, bb = (alpha[bad] if np.ndim(alpha) else alpha), (beta[bad] if np.ndim(beta) else beta)
            direct, dmom, _ = _integral(r, ba, s, bb, x[bad], lo, hi, grad)
            lI1, lI2 = lI1.copy(), lI2.copy()
            lI1[bad], lI2[bad] = direct, -np.inf
            if grad:
                mom1 = tuple(v.copy() for v in mom1)
                for v, dv in zip(mom1, dmom):
                    v[bad] = dv
        lTa, lTb = np.log(alpha + T), np.log(beta + T)
        logA = -(r + x) * lTa - s * lTb
        lB1, lB2 = np.log(s) + lI1, np.log(s) + lI2
        M = np.maximum(logA, lB1)
        a, b1, b2 = np.exp(logA - M), np.exp(lB1 - M), np.exp(lB2 - M)
        died = b1 > b2  # False when t_x = T (no death term) or the tails agree to rounding
        b1, b2 = np.where(died, b1, 0.0), np.where(died, b2, 0.0)
        tot = a + (b1 - b2)
        lse = M + np.log(tot)
        gx = special.gammaln(r + c["ux"]) - special.gammaln(r)
        ll = gx[c["ix"]] + r * np.log(alpha) + s * np.log(beta) + lse
        return ll, a / tot, b1 / tot, b2 / tot, mom1, mom2, lTa, lTb

    def _loglik(self, params, c):
        return self._parts(params, c)[0]

    def _loglik_grad(self, params, c):
        r, alpha, s, beta = params
        x, T = c["x"], c["T"]
        ll, pA, w1, w2, (la1, ia1, lb1, ib1), (la2, ia2, lb2, ib2), lTa, lTb = self._parts(params, c, grad=True)
        g = np.empty((x.size, 4))
        dg = special.digamma(r + c["ux"]) - special.digamma(r)
        g[:, 0] = dg[c["ix"]] + np.log(alpha) - pA * lTa - (w1 * la1 - w2 * la2)
        g[:, 1] = r / alpha - pA * (r + x) / (alpha + T) - (r + x) * (w1 * ia1 - w2 * ia2)
        g[:, 2] = np.log(beta) - pA * lTb + (w1 - w2) / s - (w1 * lb1 - w2 * lb2)
        g[:, 3] = s / beta - pA * s / (beta + T) - (s + 1) * (w1 * ib1 - w2 * ib2)
        return ll, g

    # --------------------------------------------------------- predictions
    def probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, params: ParamsLike = None
    ) -> np.ndarray:
        """P(alive | x, t_x, T) (SMC 1987; Fader & Hardie 2005 note, section 5), in [0, 1]."""
        p = np.array(self._params_tuple(params))
        x, tx, T = as_rft_arrays(frequency, recency, T)
        shape = x.shape
        c = self._cache({"x": x.ravel(), "tx": tx.ravel(), "T": T.ravel()})
        return self._parts(p, c)[1].reshape(shape)

    def expected_purchases(self, t: ArrayLike, params: ParamsLike = None) -> np.ndarray:
        """E[X(t)] of a new customer: ``r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]`` (FH 2005 note, section 4)."""
        r, alpha, s, beta = self._params_tuple(params)
        t = check_times(t)
        return r / alpha * beta * _one_minus_pow_over(s - 1.0, np.log1p(t / beta))

    def conditional_expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, params: ParamsLike = None
    ) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected repeat transactions in ``(T, T+t]`` (SMC 1987; FH 2005 note, section 6)."""
        t = check_times(t)
        x, tx, T = as_rft_arrays(frequency, recency, T)
        return self._active_expected(t, x, T, self._params_tuple(params)) * self.probability_alive(x, tx, T, params)

    def _active_expected(self, t, x, T, params) -> np.ndarray:
        """E[Y(t)] in ``(T, T+t]`` of a customer alive at ``T`` after ``x`` purchases (SMC 1987; FH 2005 note, section 6).

        ``(r+x)/(alpha+T) (beta+T)/(s-1) [1 - ((beta+T)/(beta+T+t))^(s-1)]``: the posterior mean purchase
        rate times the expected remaining lifetime within ``t``; it depends on ``(x, T)`` only.
        """
        r, alpha, s, beta = params
        return (r + x) / (alpha + T) * (beta + T) * _one_minus_pow_over(s - 1.0, np.log1p(t / (beta + T)))

    def _active_dert(self, x: np.ndarray, T: np.ndarray, delta: float, params) -> np.ndarray:
        """DERT of a customer alive at ``T`` after ``x`` purchases: ``(r+x)/(alpha+T) E[1/(delta + mu)]`` (see :meth:`dert`)."""
        r, alpha, s, beta = params
        x, T = np.asarray(x, float), np.asarray(T, float)
        uT, iT = np.unique(T, return_inverse=True)
        inv_rate = (exp_power_mean(np.full(uT.shape, s - 1.0), delta * (beta + uT)) / delta)[iT.reshape(T.shape)]
        return (r + x) / (alpha + T) * inv_rate

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
        """Discounted expected residual transactions (Fader, Hardie & Lee 2005, JMR, eq. 2).

        ``DERT = P(alive) (r+x)/(alpha+T) (beta+T)^s delta^(s-1) U(s, s; delta (beta+T))``
        with ``U`` Tricomi's confluent hypergeometric function and ``delta =
        log(1 + discount_rate) / periods_per_year`` the continuously compounded
        rate per time unit (:func:`crmlib.clv.continuous_rate`; FHL use 15% a
        year on weekly data: ``discount_rate=0.15, periods_per_year=52``).
        The factor ``(beta+T)^s delta^(s-1) U(s, s; z)``, ``z = delta (beta+T)``,
        equals ``E[1/(delta + mu)]`` over the active customer's posterior
        ``mu ~ Gamma(s, beta+T)``, i.e. ``E[(1 + E/z)^-s] / delta`` with
        ``E ~ Exp(1)``; it is computed by the Gauss-Legendre rule of
        :func:`crmlib.clv._special.exp_power_mean` (R = s - 1), because scipy's
        ``hyperu`` returns inf, NaN or wrong values for s above about 5.

        Parameters
        ----------
        frequency, recency, T : the customers' summary (data time unit).
        discount_rate : annual effective rate, in (0, 1).
        periods_per_year : time units in a year; default from the fitted data's
            :class:`~crmlib.spec.SummarySpec` (required without one).
        params : parameters to use instead of the estimates.
        """
        d = continuous_rate(discount_rate, self._periods_per_year(periods_per_year))
        x, tx, T = as_rft_arrays(frequency, recency, T)
        # the active customer's DERT depends on (x, T) only: compute it once per distinct pair
        (xu, Tu), inv = distinct_rows(x.ravel(), T.ravel())
        e = self._active_dert(xu, Tu, d, self._params_tuple(params))
        return self.probability_alive(x, tx, T, params) * e[inv].reshape(x.shape)

    def probability_of_purchases(
        self, n: ArrayLike, t: ArrayLike, params: ParamsLike = None, n_nodes: int = 200
    ) -> np.ndarray:
        """P(X(t) = n) for a new customer.

        ``P(X(t)=n) = (beta/(beta+t))^s NBD(n; r, alpha, t) + int_0^t s beta^s (beta+tau)^-(s+1) NBD(n; r, alpha, tau) d tau``,
        the lifetime being Lomax(s, beta) (Fader & Hardie, note 012 on P(X(t)=x),
        sections 3-4; the integral by Gauss-Legendre quadrature in ``log(1+tau/scale)``).
        ``n`` (whole, >= 0) and ``t`` (>= 0) broadcast.
        """
        r, alpha, s, beta = self._params_tuple(params)
        n = check_nonnegative(n, "n", integer=True)
        n, t = np.broadcast_arrays(np.asarray(n, float), check_times(t))
        return _pmf(n, t, r, alpha, s, beta, n_nodes)

    def survival(self, t: ArrayLike, params: ParamsLike = None) -> np.ndarray:
        """Share of a cohort of new customers still alive ``t`` after their first purchase: ``(beta/(beta+t))^s``.

        The lifetime is exponential with a gamma(s, beta) rate, so the share alive
        is the Laplace transform of the gamma, ``E[exp(-mu t)]`` (SMC 1987,
        section 2: Pareto lifetimes). ``t`` in the data's time unit.
        """
        _, _, s, beta = self._params_tuple(params)
        t = check_times(t)
        return np.exp(-s * np.log1p(t / beta))

    def probability_alive_at(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, params: ParamsLike = None
    ) -> np.ndarray:
        """P(alive at ``T + t`` | x, t_x, T): P(alive at T) times ``((beta+T)/(beta+T+t))^s``.

        An active customer's dropout rate is gamma(s, beta + T) a posteriori
        (Fader & Hardie 2005 note, section 5), so the chance of surviving a further
        ``t`` is the Laplace transform of that gamma. ``t`` (>= 0, time units) broadcasts
        with the customers; ``t = 0`` gives :meth:`probability_alive`.
        """
        _, _, s, beta = self._params_tuple(params)
        t = check_times(t)
        x, tx, T = as_rft_arrays(frequency, recency, T)
        return self.probability_alive(x, tx, T, params) * np.exp(-s * np.log1p(t / (beta + T)))

    def conditional_probability_of_purchases(
        self,
        n: ArrayLike,
        t: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        params: ParamsLike = None,
        n_nodes: int = 200,
    ) -> np.ndarray:
        """P(X(T, T+t) = n | x, t_x, T): the chance of ``n`` repeat purchases in the next ``t``.

        ``(1 - P(alive)) 1{n = 0} + P(alive) P(X(t) = n; r+x, alpha+T, s, beta+T)``: a customer
        already gone buys nothing; an active one is a new customer whose rates have the
        posterior gamma(r+x, alpha+T) and gamma(s, beta+T) (Fader & Hardie, "Deriving the
        conditional PMF of the Pareto/NBD model", note 028, with P(alive) its eq. 9; the unconditional
        P(X(t) = n) of note 012 with the updated parameters, :meth:`probability_of_purchases`).
        ``n`` (whole), ``t`` (time units) and the customers broadcast; computed in blocks of
        20,000 rows (``n_nodes`` quadrature nodes each).
        """
        r, alpha, s, beta = self._params_tuple(params)

        def active(n, t, x, T):  # in blocks of 20,000 rows: n_nodes quadrature nodes each
            out = np.empty(n.size)
            flat = [v.ravel() for v in (n, t, x, T)]
            for lo in range(0, n.size, 20_000):
                nn, tt, xx, TT = (v[lo : lo + 20_000] for v in flat)
                out[lo : lo + 20_000] = _pmf(nn, tt, r + xx, alpha + TT, s, beta + TT, n_nodes)
            return out.reshape(n.shape)

        return conditional_pmf(
            n, t, frequency, recency, T, lambda x, tx, T: self.probability_alive(x, tx, T, params), active
        )


@functools.cache
def _legendre(n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on [-1, 1] (computed once per size)."""
    return np.polynomial.legendre.leggauss(n_nodes)


def _pmf(n, t, r, alpha, s, beta, n_nodes: int) -> np.ndarray:
    """P(X(t) = n) of a Pareto/NBD customer alive at 0 (note 012); every argument broadcasts (1-D or scalar)."""
    n, t, r, alpha, beta = np.broadcast_arrays(*(np.asarray(v, float) for v in (n, t, r, alpha, beta)))
    shape = n.shape
    n, t, r, alpha, beta = (v.ravel() for v in (n, t, r, alpha, beta))

    def lnbd(nn, tt, rr, aa):
        return (
            special.gammaln(rr + nn)
            - special.gammaln(rr)
            - special.gammaln(nn + 1)
            + rr * np.log(aa / (aa + tt))
            + special.xlogy(nn, tt / (aa + tt))
        )

    u, w = _legendre(n_nodes)
    scale = np.minimum(alpha, beta)
    ymax = np.log1p(t / scale)
    y = (u[None, :] + 1) * 0.5 * ymax[:, None]
    tau = scale[:, None] * np.expm1(y)
    # NBD(n; r, alpha, tau) = const(n, r) alpha^r tau^n (alpha+tau)^-(r+n): the constant is taken out of the node sum
    const = special.gammaln(r + n) - special.gammaln(r) - special.gammaln(n + 1) + r * np.log(alpha)
    with np.errstate(divide="ignore"):
        terms = (
            np.log(w)[None, :]
            + y
            - (s + 1) * np.log(beta[:, None] + tau)
            + special.xlogy(n[:, None], tau)
            - (r + n)[:, None] * np.log(alpha[:, None] + tau)
        )
        lead = np.log(s) + s * np.log(beta) + np.log(scale) + np.log(0.5 * ymax) + const
    top = np.max(terms, axis=1)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        integral = np.exp(lead + top + np.log(np.exp(terms - top[:, None]).sum(axis=1)))
    alive = np.exp(s * np.log(beta / (beta + t)) + lnbd(n, t, r, alpha))
    return (alive + np.where(t > 0, integral, 0.0)).reshape(shape)


def _one_minus_pow_over(e, L):
    """``(1 - exp(-e L)) / e``, continuous at ``e = 0`` (value ``L``)."""
    e = np.asarray(e, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = -np.expm1(-e * L) / e
    return np.where(np.abs(e) < 1e-12, L, out)
