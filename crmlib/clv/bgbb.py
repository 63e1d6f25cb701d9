"""The BG/BB model of discrete-time repeat buying (Fader, Hardie & Shang 2010).

Assumptions (FHS 2010, section 2)
---------------------------------
1. At each of ``n`` discrete transaction opportunities an active customer
   transacts with probability ``p`` (a Bernoulli process).
2. ``p`` is beta distributed across customers with parameters ``alpha, beta``.
3. A customer becomes inactive for ever at the beginning of an opportunity
   with probability ``theta`` (an unobserved, geometric lifetime).
4. ``theta`` is beta distributed with parameters ``gamma, delta``.
5. ``p`` and ``theta`` are independent.

Data (one row per distinct history, as :func:`crmlib.datasets.load_donations`)
------------------------------------------------------------------------------
=============  ============================================================
``frequency``  ``x``, number of repeat transactions (0..n)
``recency``    ``t_x``, opportunity of the last transaction (0 if x = 0;
               ``x <= t_x <= n``)
``n_periods``  ``n``, number of opportunities observed
``weight``     optional: number of customers with this history
=============  ============================================================

References
----------
Fader, P. S., Hardie, B. G. S. & Shang, J. (2010). Customer-base analysis in a
discrete-time noncontractual setting. *Marketing Science* 29(6), 1086-1108:
the marginal likelihood is their eq. (5); P(X(n)=x), E[X(n)], P(alive at
n+1), the conditional expectation and DERT are derived in their section 3
and appendix (Hardie's BG/BB spreadsheet, note 010, implements the same
expressions). Estimates on the
donation data (11,104 donors, 6 opportunities): alpha = 1.204,
beta = 0.750, gamma = 0.657, delta = 2.783, LL = -33,225.6 (their Table 2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from .._checks import check_nonnegative, rows_text
from ..exceptions import DataError
from ._base import ArrayLike, ParamsLike, Prepared, PurchaseFitter
from ._data import check_columns, check_times
from ._rates import period_rate
from ._special import hyp2f1_1bc

__all__ = ["BetaGeoBetaBinomModel"]


def _lbeta_ratio(a, b, a0, b0):
    return special.betaln(a, b) - special.betaln(a0, b0)


def _check_opportunities(n: np.ndarray, name: str, limit: int) -> None:
    """Refuse counts of opportunities whose sums would not fit in time or memory, with the bound."""
    if n.size and float(np.max(n)) > limit:
        raise DataError(
            f"{name} is at most {limit:,} transaction opportunities for BG/BB, got {float(np.max(n)):,.0f}: the "
            "likelihood and P(X = n) sum over every opportunity, one array column each. Aggregate opportunities "
            "(e.g. weeks instead of days) or raise BetaGeoBetaBinomModel.max_opportunities"
        )


def _pmf(x, n, a, b, g, d) -> np.ndarray:
    """P(X(n) = x) of a customer alive at 0 (FHS 2010, section 3); ``x, n`` whole; every argument broadcasts."""
    x, n, a, b, g, d = np.broadcast_arrays(*(np.asarray(v, float) for v in (x, n, a, b, g, d)))
    with np.errstate(invalid="ignore"):
        lc = special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)
        first = np.where(x <= n, np.exp(lc + _lbeta_ratio(a + x, b + n - x, a, b) + _lbeta_ratio(g, d + n, g, d)), 0.0)
    m = int(np.max(n)) if n.size else 0
    if not m:
        return first
    i = np.arange(m).reshape((1,) * n.ndim + (m,))
    xe, ne, ae, be, ge, de = (v[..., None] for v in (x, n, a, b, g, d))
    valid = (i >= xe) & (i < ne)
    with np.errstate(invalid="ignore"):
        lci = special.gammaln(i + 1) - special.gammaln(xe + 1) - special.gammaln(i - xe + 1)
        terms = lci + _lbeta_ratio(ae + xe, be + i - xe, ae, be) + _lbeta_ratio(ge + 1, de + i, ge, de)
    terms = np.where(valid, terms, -np.inf)
    return first + np.exp(special.logsumexp(terms, axis=-1))


class BetaGeoBetaBinomModel(PurchaseFitter):
    """BG/BB model (Fader, Hardie & Shang 2010); parameters ``alpha, beta, gamma, delta``.

    Times are counted in transaction opportunities: ``n_periods`` observed,
    ``t`` ahead. Histories and horizons are bounded by ``max_opportunities``
    (10,000: the likelihood and the purchase probabilities sum over every
    opportunity); longer ones are refused with that bound.
    """

    param_names = ("alpha", "beta", "gamma", "delta")
    max_opportunities = 10_000

    def _prepare(self, data: pd.DataFrame) -> Prepared:
        cols = check_columns(
            data,
            {"frequency": "count", "recency": "count", "n_periods": "count", "weight": "positive"},
            optional=("weight",),
        )
        x, tx, n = cols["frequency"], cols["recency"], cols["n_periods"]
        bad = (tx < x) | (tx > n)
        if bad.any():
            raise DataError(
                f"column 'recency' must lie between 'frequency' and 'n_periods'; it does not in {rows_text(bad, data.index)}"
            )
        bad = n < 1
        if bad.any():
            raise DataError(f"column 'n_periods' must be at least 1; it is not in {rows_text(bad, data.index)}")
        _check_opportunities(n, "column 'n_periods'", self.max_opportunities)
        return Prepared({"x": x, "tx": tx, "n": n}, cols.get("weight", np.ones(x.size)))

    def _start(self, arrays, weight):
        return np.array([1.0, 1.0, 1.0, 1.0])

    @staticmethod
    def _log_terms(params, x, tx, n):
        """log of the 'alive through n' term and of the 'died after t_x + i' terms (FHS 2010 eq. 5)."""
        a, b, g, d = params
        first = _lbeta_ratio(a + x, b + n - x, a, b) + _lbeta_ratio(g, d + n, g, d)
        m = int(np.max(n - tx)) if x.size else 0
        i = np.arange(m)[None, :]
        valid = i < (n - tx)[:, None]
        with np.errstate(invalid="ignore"):
            extra = _lbeta_ratio(a + x[:, None], b + tx[:, None] - x[:, None] + i, a, b) + _lbeta_ratio(
                g + 1, d + tx[:, None] + i, g, d
            )
        extra = np.where(valid, extra, -np.inf)
        return first, extra

    def _loglik(self, params, c):
        first, extra = self._log_terms(params, c["x"], c["tx"], c["n"])
        return special.logsumexp(np.column_stack([first, extra]), axis=1)

    # --------------------------------------------------------- predictions
    def _arrays(self, frequency, recency, n_periods):
        x = check_nonnegative(frequency, "frequency", integer=True)
        tx = check_nonnegative(recency, "recency", integer=True)
        n = check_nonnegative(n_periods, "n_periods", integer=True)
        x, tx, n = np.broadcast_arrays(*(np.asarray(v, float) for v in (x, tx, n)))
        if np.any(tx < x) or np.any(tx > n):
            raise DataError("need 0 <= frequency <= recency <= n_periods (counts of transaction opportunities)")
        _check_opportunities(n, "n_periods", self.max_opportunities)
        return x, tx, n

    def _log_lik_rows(self, params, x, tx, n):
        shape = x.shape
        ll = self._loglik(np.asarray(params), {"x": x.ravel(), "tx": tx.ravel(), "n": n.ravel()})
        return ll.reshape(shape)

    def probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, n_periods: ArrayLike, params: ParamsLike = None
    ) -> np.ndarray:
        """P(alive at opportunity n+1 | x, t_x, n) (FHS 2010, section 3), in [0, 1]."""
        a, b, g, d = p = self._params_tuple(params)
        x, tx, n = self._arrays(frequency, recency, n_periods)
        num = _lbeta_ratio(a + x, b + n - x, a, b) + _lbeta_ratio(g, d + n + 1, g, d)
        return np.exp(num - self._log_lik_rows(p, x, tx, n))

    def expected_purchases(self, t: ArrayLike, params: ParamsLike = None) -> np.ndarray:
        """E[X(t)]: expected transactions of a new customer in ``t`` opportunities (FHS 2010, section 3)."""
        a, b, g, d = self._params_tuple(params)
        n = check_times(t)
        if abs(g - 1.0) < 1e-9:  # the limit g -> 1 of (1 - ratio)/(g - 1)
            return a / (a + b) * d * (special.digamma(1 + d + n) - special.digamma(1 + d))
        ratio = np.exp(
            special.gammaln(g + d) - special.gammaln(g + d + n) + special.gammaln(1 + d + n) - special.gammaln(1 + d)
        )
        return a / (a + b) * d / (g - 1) * (1 - ratio)

    def conditional_expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, n_periods: ArrayLike, params: ParamsLike = None
    ) -> np.ndarray:
        """E[X(n, n + t) | x, t_x, n]: expected transactions in the next ``t`` opportunities (FHS 2010, section 3)."""
        a, b, g, d = p = self._params_tuple(params)
        ns = check_times(t)
        x, tx, n = self._arrays(frequency, recency, n_periods)
        lead = _lbeta_ratio(a + x + 1, b + n - x, a, b) - self._log_lik_rows(p, x, tx, n)
        if abs(g - 1.0) < 1e-9:  # the limit g -> 1 of core/(g - 1)
            return np.exp(lead) * d * (special.digamma(1 + d + n + ns) - special.digamma(1 + d + n))
        core = np.exp(
            special.gammaln(g + d) - special.gammaln(1 + d) + special.gammaln(1 + d + n) - special.gammaln(g + d + n)
        ) - np.exp(
            special.gammaln(g + d)
            - special.gammaln(1 + d)
            + special.gammaln(1 + d + n + ns)
            - special.gammaln(g + d + n + ns)
        )
        return np.exp(lead) * d / (g - 1) * core

    def probability_of_purchases(self, n: ArrayLike, t: ArrayLike, params: ParamsLike = None) -> np.ndarray:
        """P(X(t) = n): probability of ``n`` transactions in ``t`` opportunities for a new customer (FHS 2010, section 3).

        ``n`` and ``t`` are whole numbers >= 0 (``t`` at most ``max_opportunities``); they broadcast.
        """
        a, b, g, d = self._params_tuple(params)
        x = check_nonnegative(n, "n", integer=True)
        t = check_nonnegative(t, "t", integer=True)
        x, n = np.broadcast_arrays(np.asarray(x, float), np.asarray(t, float))
        _check_opportunities(n, "t", self.max_opportunities)
        return _pmf(x, n, a, b, g, d)

    def survival(self, t: ArrayLike, params: ParamsLike = None) -> np.ndarray:
        """Share of a cohort of new customers still alive at opportunity ``t``: ``B(gamma, delta+t)/B(gamma, delta)``.

        A customer survives the start of each of the ``t`` opportunities with chance ``1 - theta``,
        theta ~ Beta(gamma, delta) (FHS 2010, assumptions 3-4). ``t`` whole, >= 0.
        """
        _, _, g, d = self._params_tuple(params)
        t = np.asarray(check_nonnegative(t, "t", integer=True), float)
        return np.exp(_lbeta_ratio(g, d + t, g, d))

    def probability_alive_at(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, n_periods: ArrayLike, params: ParamsLike = None
    ) -> np.ndarray:
        """P(alive at opportunity ``n + t`` | x, t_x, n) (FHS 2010, section 3, P(alive) with ``n + t`` for ``n + 1``).

        ``B(alpha+x, beta+n-x)/B(alpha, beta) B(gamma, delta+n+t)/B(gamma, delta) / L(x, t_x, n)``; at
        ``t = 1`` it is :meth:`probability_alive` (alive at n + 1), at ``t = 0`` the chance of having
        been alive through the ``n`` opportunities observed. ``t`` (whole, >= 0) broadcasts with the customers.
        """
        a, b, g, d = p = self._params_tuple(params)
        t = np.asarray(check_nonnegative(t, "t", integer=True), float)
        x, tx, n = self._arrays(frequency, recency, n_periods)
        x, tx, n, t = np.broadcast_arrays(x, tx, n, t)
        num = _lbeta_ratio(a + x, b + n - x, a, b) + _lbeta_ratio(g, d + n + t, g, d)
        return np.exp(num - self._log_lik_rows(p, x, tx, n))

    def conditional_probability_of_purchases(
        self,
        n: ArrayLike,
        t: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        n_periods: ArrayLike,
        params: ParamsLike = None,
    ) -> np.ndarray:
        """P(X(n_periods, n_periods + t) = n | x, t_x, n_periods): ``n`` transactions in the next ``t`` opportunities.

        ``(1 - Q) 1{n = 0} + Q P(X(t) = n; alpha+x, beta+m-x, gamma, delta+m)`` with ``m`` the
        opportunities observed and ``Q`` = :meth:`probability_alive_at` ``(0, ...)``, the chance of being
        alive through them: a customer alive then is a new customer whose p and theta have the posterior
        Beta(alpha+x, beta+m-x) and Beta(gamma, delta+m) (FHS 2010, section 3, the conditional
        distribution of future transactions). ``n``, ``t`` (whole) and the customers broadcast.
        """
        a, b, g, d = self._params_tuple(params)
        k = np.asarray(check_nonnegative(n, "n", integer=True), float)
        ahead = np.asarray(check_nonnegative(t, "t", integer=True), float)
        _check_opportunities(ahead, "t", self.max_opportunities)
        x, tx, m = self._arrays(frequency, recency, n_periods)
        k, ahead, x, tx, m = np.broadcast_arrays(k, ahead, x, tx, m)
        alive = self.probability_alive_at(0, x, tx, m, params)
        active = _pmf(k, ahead, a + x, b + m - x, g, d + m)
        return (1.0 - alive) * (k == 0) + alive * active

    def dert(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        n_periods: ArrayLike,
        *,
        discount_rate: float,
        periods_per_year: float | None = None,
        params: ParamsLike = None,
    ) -> np.ndarray:
        """Discounted expected residual transactions (FHS 2010, section 3).

        Transactions at opportunity ``n + k`` are discounted by ``(1+d)^-k`` with
        ``d = (1 + discount_rate)^(1/periods_per_year) - 1`` the rate per
        opportunity (:func:`crmlib.clv._rates.period_rate`).

        Parameters
        ----------
        frequency, recency, n_periods : the customers' histories (opportunities).
        discount_rate : annual effective rate, in (0, 1).
        periods_per_year : transaction opportunities in a year (1 for the yearly
            donation campaigns of FHS 2010); required unless the fitted data
            carried a :class:`~crmlib.spec.SummarySpec`.
        params : parameters to use instead of the estimates.
        """
        a, b, g, d = p = self._params_tuple(params)
        disc = period_rate(discount_rate, self._periods_per_year(periods_per_year))
        x, tx, n = self._arrays(frequency, recency, n_periods)
        lead = (
            _lbeta_ratio(a + x + 1, b + n - x, a, b)
            + _lbeta_ratio(g, d + n + 1, g, d)
            - np.log1p(disc)
            - self._log_lik_rows(p, x, tx, n)
        )
        return np.exp(lead) * hyp2f1_1bc(d + n + 1, g + d + n + 1, 1.0 / (1.0 + disc))
