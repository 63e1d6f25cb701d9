"""The shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007).

Assumptions (FH 2007, section 3)
--------------------------------
1. At the end of each period an active customer cancels with probability
   ``theta`` (so the lifetime is shifted-geometric).
2. ``theta`` is beta distributed across customers with parameters
   ``alpha, beta``.

Data: one cohort, the number of customers still active at periods 0, 1, ..., n
(non-increasing), as a sequence, a Series, or a DataFrame with column
``active``; e.g. FH 2007, Table 1, "regular" segment, years 0-7:
1000, 631, 468, 382, 326, 289, 262, 241.

Formulas: ``P(T = t) = B(alpha+1, beta+t-1)/B(alpha, beta)`` and
``S(t) = B(alpha, beta+t)/B(alpha, beta)`` with the recursions of FH 2007,
section 3; retention rate ``r_t = (beta+t-1)/(alpha+beta+t-1)``; the
log-likelihood of the survivor counts (their section 4, as in their
spreadsheet). Published estimates (FH 2007, section 4): regular
``alpha = 0.704, beta = 1.182``; high end ``alpha = 0.668, beta = 3.806``.
DEL and DERL: Fader & Hardie (2010), section 2:
``DEL(d) = 2F1(1, beta; alpha+beta; 1/(1+d))`` (payments at the start of each
period, the first undiscounted) and
``DERL(d | n-1 renewals) = (beta+n-1)/(alpha+beta+n-1) 2F1(1, beta+n; alpha+beta+n; 1/(1+d))``.
The ``2F1(1, b; c; z)`` is summed as its power series
(:func:`crmlib.clv._special.hyp2f1_1bc`; scipy's ``hyp2f1`` fails for whole-number ``alpha``).

References
----------
Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention.
*Journal of Interactive Marketing* 21(1), 76-90.
Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a
contractual setting: the perils of ignoring heterogeneity. *Marketing Science*
29(1), 85-93.
Sabavala, D. J. & Morrison, D. G. (1977). A model of TV show loyalty.
*Journal of Advertising Research* 17(6), 35-43 (the polarisation index).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special, stats

from .._checks import check_nonnegative
from ..exceptions import ConvergenceError, ConvergenceWarning, DataError
from ._base import ArrayLike, ContractFitter, ParamsLike, Prepared
from ._data import check_times
from ._rates import period_rate
from ._special import hyp2f1_1bc

__all__ = ["ShiftedBetaGeometricModel"]


class ShiftedBetaGeometricModel(ContractFitter):
    """sBG model of a contractual cohort; parameters ``alpha, beta``.

    The sBG model explains falling churn by heterogeneity: retention rises
    with tenure because the likely leavers leave first. A cohort whose
    retention does not rise (flat, or churn growing with tenure) drives the
    estimates towards ``alpha, beta -> infinity`` with ``alpha/(alpha+beta)``
    fixed, the constant-churn (geometric) limit, where ``alpha`` and ``beta``
    are not identified separately and their standard errors are meaningless.
    :meth:`fit` reports it: when the optimiser finds no interior maximum it
    raises :class:`~crmlib.exceptions.ConvergenceError`; when it stops on the
    ridge towards that limit (estimates in the hundreds or thousands) it warns
    with :class:`~crmlib.exceptions.ConvergenceWarning`, sets
    ``convergence_.converged = False``, ``at_constant_churn_limit_ = True`` and
    infinite standard errors (intervals ``(0, inf)``), since only the mean
    churn ``alpha/(alpha+beta)`` is identified. Both messages give the observed
    retention rates, the constant-churn estimate and what to try. The rule for
    the ridge: the spread of churn probabilities, the polarisation index
    ``1/(alpha+beta+1)`` (Sabavala & Morrison 1977; 0 = no heterogeneity), is
    below ``min_polarization`` and the sBG fit is not significantly better (5%
    likelihood-ratio test, 1 df) than constant churn.

    Parameters
    ----------
    min_polarization : see above (default 0.01, i.e. ``alpha+beta > 99``).
    **kwargs : fitting options of :class:`~crmlib.clv._base.BaseFitter`.
    """

    param_names = ("alpha", "beta")
    _singular_information_raises = False  # the constant-churn ridge is diagnosed in _fit_arrays

    def __init__(self, *, min_polarization: float = 0.01, **kwargs):
        super().__init__(**kwargs)
        self.min_polarization = min_polarization

    @staticmethod
    def _geometric_fit(arrays, weight) -> tuple[float, float]:
        """Constant churn per period (the sBG limit): ML churn probability and log-likelihood."""
        t, cens = arrays["t"], arrays["censored"]
        lost = float(weight @ (cens == 0))
        exposure = float(weight @ t)  # periods survived by everyone, churn period included
        theta = lost / exposure
        ll = lost * np.log(theta) + (exposure - lost) * np.log1p(-theta) if 0 < theta < 1 else 0.0
        return theta, float(ll)

    def _retention_text(self) -> str:
        n = getattr(self, "active_", None)
        if n is None or n.size < 2:
            return ""
        r = n[1:] / np.where(n[:-1] > 0, n[:-1], np.nan)
        shown = ", ".join(f"{v:.3f}" for v in r[:12]) + (" ..." if r.size > 12 else "")
        return f"observed period retention {shown}; "

    def _limit_message(self, a, b, *, lr, advice, detail=None) -> str:
        if a is None:
            where = f"the optimiser found no interior maximum ({detail})"
        else:
            where = (
                f"the estimates run off towards the constant-churn limit: alpha = {a:.4g}, beta = {b:.4g}, "
                f"polarisation 1/(alpha+beta+1) = {1 / (a + b + 1):.2g} (below {self.min_polarization:g}), and the "
                f"sBG log-likelihood differs from that of constant churn by {lr / 2:+.3g}; alpha and beta are not identified "
                f"separately, only the mean churn alpha/(alpha+beta) = {a / (a + b):.4f}"
            )
        return (
            f"ShiftedBetaGeometricModel: {where}. The sBG model explains churn that falls with tenure by "
            f"heterogeneity (Fader & Hardie 2007, section 3); {self._retention_text()}a flat or falling "
            f"retention (churn rising with tenure) contradicts it. {advice}"
        )

    def _fit_arrays(self, arrays, weight, *, initial_params=None):
        theta, ll_geo = self._geometric_fit(arrays, weight)
        advice = (
            f"Try: the constant-churn (geometric) projection with churn {theta:.4f} per period (the sBG limit), "
            "a model with duration dependence (e.g. the beta-discrete-Weibull of Fader, Hardie, Liu, Davin & "
            "Steenburgh 2018) or the survival models of crmlib.survival, or more periods of data."
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                super()._fit_arrays(arrays, weight, initial_params=initial_params)
            except ConvergenceError as exc:
                detail = str(exc).removeprefix(f"{type(self).__name__}: ").split(";")[0]
                raise ConvergenceError(self._limit_message(None, None, lr=None, advice=advice, detail=detail)) from None
        a, b = (float(v) for v in self.params_)
        lr = 2.0 * (self.log_likelihood_ - ll_geo)
        for w in caught:
            warnings.warn(w.message, w.category, stacklevel=2)
        self.at_constant_churn_limit_ = bool(
            1.0 / (a + b + 1.0) < self.min_polarization and lr < stats.chi2.ppf(0.95, 1)
        )
        # Along the ridge the sBG likelihood rises towards the constant-churn one from below. An end point with no
        # curvature that is still clearly below it (by more than 0.005 log-likelihood units) has not reached a
        # maximum: the likelihood keeps rising towards the limit (churn that rises with tenure).
        if not self.convergence_.hessian_positive_definite and (not self.at_constant_churn_limit_ or lr < -0.01):
            detail = f"the log-likelihood is flat or still rising at alpha={a:.4g}, beta={b:.4g}"
            raise ConvergenceError(self._limit_message(None, None, lr=None, advice=advice, detail=detail))
        if self.at_constant_churn_limit_:
            # alpha and beta are not identified along the ridge alpha/(alpha+beta) = const: no finite standard errors
            self.convergence_.converged = False
            self.standard_errors_[:] = np.inf
            self.confidence_intervals_.iloc[:, 0] = 0.0
            self.confidence_intervals_.iloc[:, 1] = np.inf
            warnings.warn(self._limit_message(a, b, lr=lr, advice=advice), ConvergenceWarning, stacklevel=2)
        return self

    def _prepare(self, data: pd.DataFrame | pd.Series | ArrayLike) -> Prepared:
        if isinstance(data, pd.DataFrame):
            if "active" not in data.columns:
                raise DataError(
                    f"data lacks column 'active' (customers active at periods 0, 1, ...); found {list(data.columns)}"
                )
            active = data["active"]
        else:
            active = data
        try:
            n = np.asarray(pd.to_numeric(pd.Series(np.asarray(active).ravel()), errors="raise"), dtype=float)
        except (TypeError, ValueError) as exc:
            raise DataError(f"column 'active' must hold numbers: {exc}") from exc
        if n.size < 2:
            raise DataError("column 'active' needs at least two periods (0 and 1)")
        if np.any(~np.isfinite(n)) or np.any(n < 0) or np.any(n != np.floor(n)):
            raise DataError("column 'active' must hold non-negative whole numbers of customers")
        if n[0] <= 0:
            raise DataError("column 'active': the cohort at period 0 is empty")
        up = np.flatnonzero(np.diff(n) > 0)
        if up.size:
            raise DataError(
                f"column 'active' increases at period(s) {[int(i) for i in up + 1]}; a cohort can only shrink"
            )
        t = np.arange(1, n.size, dtype=float)
        lost = n[:-1] - n[1:]
        t_all = np.concatenate([t, [t[-1]]])
        cens = np.concatenate([np.zeros(t.size), [1.0]])
        w = np.concatenate([lost, [n[-1]]])
        keep = w > 0
        return Prepared({"t": t_all[keep], "censored": cens[keep]}, w[keep], {"active": n})

    def _loglik(self, params, c):
        a, b = params
        t = c["t"]
        churn = special.betaln(a + 1, b + t - 1) - special.betaln(a, b)
        surv = special.betaln(a, b + t) - special.betaln(a, b)
        return np.where(c["censored"] > 0, surv, churn)

    def survival(self, t: ArrayLike, params: ParamsLike = None) -> np.ndarray:
        """S(t): share of the cohort still active after ``t >= 0`` periods (FH 2007, section 3)."""
        a, b = self._params_tuple(params)
        t = check_times(t)
        return np.exp(special.betaln(a, b + t) - special.betaln(a, b))

    def churn_probability(self, t: ArrayLike, params: ParamsLike = None) -> np.ndarray:
        """P(T = t): probability that a new customer's last period is ``t >= 1`` (FH 2007, section 3)."""
        a, b = self._params_tuple(params)
        t = _periods_from_one(t, "t")
        return np.exp(special.betaln(a + 1, b + t - 1) - special.betaln(a, b))

    def retention_rate(self, t: ArrayLike, params: ParamsLike = None) -> np.ndarray:
        """r_t = S(t)/S(t-1) = (beta+t-1)/(alpha+beta+t-1) for ``t >= 1``, increasing in t (FH 2007, section 3)."""
        a, b = self._params_tuple(params)
        t = _periods_from_one(t, "t")
        return (b + t - 1) / (a + b + t - 1)

    def discounted_expected_lifetime(
        self, discount_rate: float, *, periods_per_year: float | None = None, params: ParamsLike = None
    ) -> float:
        """DEL: discounted expected lifetime of a new customer, in periods (FH 2010, section 2).

        ``DEL = 2F1(1, beta; alpha+beta; 1/(1+d))`` with ``d = (1 + discount_rate)^(1/periods_per_year) - 1``
        the rate per period (:func:`crmlib.clv._rates.period_rate`); payments at the start of each
        period, the first undiscounted. Multiply by the margin per period to get the expected CLV
        of a new customer.

        Parameters
        ----------
        discount_rate : annual effective rate, in (0, 1).
        periods_per_year : the cohort's periods in a year (1 for yearly renewals, 12 for monthly).
        params : parameters to use instead of the estimates.
        """
        a, b = self._params_tuple(params)
        d = period_rate(discount_rate, self._periods_per_year(periods_per_year))
        return float(hyp2f1_1bc(b, a + b, 1.0 / (1.0 + d)))

    def derl(
        self,
        n_periods: ArrayLike,
        discount_rate: float,
        *,
        periods_per_year: float | None = None,
        params: ParamsLike = None,
    ) -> np.ndarray:
        """DERL: discounted expected residual lifetime of a customer active for ``n_periods`` (n-1 renewals).

        Evaluated just before the n-th renewal decision (FH 2010, section 2):
        ``(beta+n-1)/(alpha+beta+n-1) 2F1(1, beta+n; alpha+beta+n; 1/(1+d))``, ``d`` the
        rate per period from the annual ``discount_rate`` (as :meth:`discounted_expected_lifetime`).
        """
        a, b = self._params_tuple(params)
        d = period_rate(discount_rate, self._periods_per_year(periods_per_year))
        n = _periods_from_one(n_periods, "n_periods")
        return (b + n - 1) / (a + b + n - 1) * hyp2f1_1bc(b + n, a + b + n, 1.0 / (1.0 + d))


def _periods_from_one(value: ArrayLike, name: str) -> np.ndarray:
    n = np.asarray(check_nonnegative(value, name, integer=True), dtype=float)
    if np.any(n < 1):
        raise DataError(f"{name} counts periods from 1, got {n[n < 1].ravel()[0]:g}")
    return n
