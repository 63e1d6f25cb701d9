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
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from .._checks import check_nonnegative
from ..exceptions import ConvergenceError, ConvergenceWarning, DataError
from ._base import ArrayLike, ContractFitter, ParamsLike, Prepared
from ._data import check_times
from ._rates import period_rate
from ._special import hyp2f1_1bc

__all__ = [
    "ShiftedBetaGeometricCohorts",
    "ShiftedBetaGeometricModel",
    "cohort_table",
    "constant_retention_elasticity",
]


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
        if isinstance(data, pd.DataFrame) and "cohort" in data.columns:
            return _pooled(self, data)
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

    def retention_elasticity(
        self,
        n_periods: ArrayLike,
        discount_rate: float,
        *,
        periods_per_year: float | None = None,
        params: ParamsLike = None,
    ) -> np.ndarray:
        """Retention elasticity of DERL: the % rise of a customer's DERL per 1 % more retention (unitless).

        Every customer's retention probability ``c = 1 - theta`` is raised by the same
        small share ``e`` (``c -> (1 + e) c``), the change Fader & Hardie (2010, section 4)
        study and Gupta, Lehmann & Stuart (2004) apply to one aggregate rate. For a
        customer active for ``n_periods`` (``n - 1`` renewals; theta then follows
        beta(alpha, beta + n - 1)) and ``z = 1/(1 + d)``::

            DERL = sum_{k>=0} E[c^(k+1)] z^k,   elasticity = sum_{k>=0} (k+1) E[c^(k+1)] z^k / DERL

        i.e. the payment-weighted mean time to the discounted payments, in periods: the
        duration of the customer asset (Pfeifer & Farris 2004). The series are summed
        term by term (``E[c^(k+1)] / E[c^k] = (beta+n-1+k)/(alpha+beta+n-1+k)``).
        Ignoring heterogeneity (one retention rate ``r`` for everyone) gives
        :func:`constant_retention_elasticity`, ``(1+d)/(1+d-r)``; FH 2010 show that
        it understates the effect of better retention in a heterogeneous cohort.

        Parameters
        ----------
        n_periods : periods the customer has been active (1 = a new customer before the first renewal).
        discount_rate : annual effective rate, in (0, 1).
        periods_per_year : the cohort's periods in a year (1 for yearly renewals, 12 for monthly).
        params : parameters to use instead of the estimates.

        Returns
        -------
        The elasticity per ``n_periods`` (e.g. 3.0: 1 % more retention, 3 % more DERL); the
        elasticity of the discounted residual value ``margin x DERL`` is the same number.

        References
        ----------
        Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a contractual setting:
        the perils of ignoring heterogeneity. *Marketing Science* 29(1), 85-93, section 4.
        Pfeifer, P. E. & Farris, P. W. (2004). The elasticity of customer value to retention: the
        duration of a customer relationship. *J. Interactive Marketing* 18(2), 20-31.
        """
        a, b = self._params_tuple(params)
        d = period_rate(discount_rate, self._periods_per_year(periods_per_year))
        n = _periods_from_one(n_periods, "n_periods")
        s0, s1 = _duration_series(a, b + n - 1.0, 1.0 / (1.0 + d))
        return s1 / s0


def _periods_from_one(value: ArrayLike, name: str) -> np.ndarray:
    n = np.asarray(check_nonnegative(value, name, integer=True), dtype=float)
    if np.any(n < 1):
        raise DataError(f"{name} counts periods from 1, got {n[n < 1].ravel()[0]:g}")
    return n


def constant_retention_elasticity(retention: ArrayLike, discount_rate: float, *, periods_per_year: float) -> np.ndarray:
    """Retention elasticity of the residual lifetime when everyone keeps one retention rate ``r`` (unitless).

    The aggregate ("textbook") residual lifetime ``sum_{k>=0} r^(k+1) z^k = r/(1 - r z)``, with
    ``z = 1/(1+d)`` and ``d`` the rate per period, has elasticity ``1/(1 - r z) = (1+d)/(1+d-r)``
    with respect to ``r``: the value Gupta, Lehmann & Stuart (2004) report, and the one
    Fader & Hardie (2010, section 4) show to understate the heterogeneous cohort's
    (:meth:`ShiftedBetaGeometricModel.retention_elasticity`).

    Parameters
    ----------
    retention : retention rate per period, in [0, 1).
    discount_rate : annual effective rate, in (0, 1).
    periods_per_year : periods in a year (1 for yearly renewals, 12 for monthly).

    References
    ----------
    Gupta, S., Lehmann, D. R. & Stuart, J. A. (2004). Valuing customers. *JMR* 41(1), 7-18.
    Fader, P. S. & Hardie, B. G. S. (2010). *Marketing Science* 29(1), 85-93, section 4.
    """
    from .._checks import check_probability

    r = np.asarray(check_probability(retention, "retention"), dtype=float)
    if np.any(r >= 1):
        raise DataError("retention must be below 1 (a customer who never leaves has an unbounded lifetime)")
    d = period_rate(discount_rate, periods_per_year)
    return (1.0 + d) / (1.0 + d - r)


def _duration_series(a: float, b: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """``sum_k u_k`` and ``sum_k (k+1) u_k`` for ``u_k = E[c^(k+1)] z^k``, ``c = 1 - theta``, theta ~ beta(a, b)."""
    b = np.asarray(b, dtype=float)
    keys, inv = np.unique(b.ravel(), return_inverse=True)
    s0, s1 = np.zeros(keys.size), np.zeros(keys.size)
    u = keys / (a + keys)  # u_0 = E[c]
    live, k0 = np.arange(keys.size), 0.0
    while live.size:
        k = k0 + np.arange(1000, dtype=float)
        ratios = np.concatenate(
            [np.ones((live.size, 1)), (keys[live, None] + k[1:] + 0.0) / (a + keys[live, None] + k[1:]) * z], axis=1
        )
        terms = u[live, None] * np.cumprod(ratios, axis=1)
        s0[live] += terms.sum(axis=1)
        s1[live] += (terms * (k + 1.0)).sum(axis=1)
        last = terms[:, -1]
        u[live] = last * (keys[live] + k[-1] + 1.0) / (a + keys[live] + k[-1] + 1.0) * z
        k0 += 1000.0
        tail = last * ((k[-1] + 1.0) * z / (1.0 - z) + z / (1.0 - z) ** 2)
        live = live[tail > 1e-16 * s1[live]]
    return s0[inv].reshape(b.shape), s1[inv].reshape(b.shape)


def _cohort_frame(data: pd.DataFrame | Mapping[Any, ArrayLike]) -> pd.DataFrame:
    """Several cohorts as one long table: ``cohort``, ``period`` (0, 1, ...) and ``active``."""
    if isinstance(data, Mapping):
        parts = []
        for name, counts in data.items():
            n = np.asarray(counts, dtype=float).ravel()
            parts.append(pd.DataFrame({"cohort": name, "period": np.arange(n.size), "active": n}))
        if not parts:
            raise DataError("data holds no cohort; give a mapping cohort -> customers active at periods 0, 1, ...")
        return pd.concat(parts, ignore_index=True)
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a DataFrame (cohort, period, active) or a mapping of cohorts, got {type(data)}")
    missing = [c for c in ("cohort", "period", "active") if c not in data.columns]
    if missing:
        raise DataError(f"data lacks column(s) {missing}; cohorts need 'cohort', 'period' and 'active'")
    return data


def _pooled(model: ShiftedBetaGeometricModel, data: pd.DataFrame) -> Prepared:
    """The survivor counts of several cohorts as one sBG data set (shared ``alpha, beta``; FH 2007, section 6)."""
    frame = _cohort_frame(data)
    arrays: dict[str, list[np.ndarray]] = {"t": [], "censored": []}
    weights = []
    for name, part in frame.groupby("cohort", sort=False):
        periods = pd.to_numeric(part["period"], errors="coerce").to_numpy(dtype=float)
        if not np.array_equal(np.sort(periods), np.arange(len(part))):
            raise DataError(f"column 'period' of cohort {name!r} must run 0, 1, 2, ... without gaps")
        ordered = part.iloc[np.argsort(periods, kind="stable")]
        try:
            prep = ShiftedBetaGeometricModel._prepare(model, ordered["active"].reset_index(drop=True))
        except DataError as exc:
            raise DataError(f"cohort {name!r}: {exc}") from None
        for key in arrays:
            arrays[key].append(prep.arrays[key])
        weights.append(prep.weight)
    active = prep.facts["active"] if len(weights) == 1 else None  # one cohort: its counts, as a plain fit keeps
    return Prepared({k: np.concatenate(v) for k, v in arrays.items()}, np.concatenate(weights), {"active": active})


def cohort_table(data: pd.DataFrame | Mapping[Any, ArrayLike]) -> pd.DataFrame:
    """Customers active by cohort (rows) and period (columns), from a mapping or a long table (customers).

    Parameters
    ----------
    data : mapping cohort -> customers active at periods 0, 1, ... (counts), or a DataFrame with
        columns ``cohort``, ``period`` (0, 1, ...) and ``active``.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention. *J. Interactive
    Marketing* 21(1), 76-90, Table 1 (one row per cohort).
    """
    frame = _cohort_frame(data)
    out = frame.pivot(index="cohort", columns="period", values="active")
    out = out.reindex(pd.unique(frame["cohort"]))
    out.columns.name = "period"
    return out


class ShiftedBetaGeometricCohorts:
    """sBG model of several contractual cohorts: shared ``alpha, beta`` against one pair per cohort.

    The shared model pools the survivor counts of all cohorts in one likelihood (2
    parameters); the cohort-specific model fits each cohort on its own (2 per cohort;
    its log-likelihood is the sum). A likelihood-ratio test with ``2 (K - 1)`` degrees
    of freedom asks whether the cohorts churn alike (Fader & Hardie 2007, section 6,
    fit segments and cohorts this way; the test is the usual nested-model LR test).

    Parameters
    ----------
    level : coverage of the confidence intervals, in (0, 1) (default 0.95).
    **kwargs : fitting options of :class:`ShiftedBetaGeometricModel`.

    Attributes (after ``fit``)
    --------------------------
    shared_ : the pooled :class:`ShiftedBetaGeometricModel`.
    models_ : dict cohort -> its own :class:`ShiftedBetaGeometricModel`.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention. *J. Interactive
    Marketing* 21(1), 76-90.
    Wilks, S. S. (1938). The large-sample distribution of the likelihood ratio for testing
    composite hypotheses. *Ann. Math. Statist.* 9(1), 60-62.
    """

    def __init__(self, *, level: float = 0.95, **kwargs):
        self.level = level
        self.kwargs = kwargs

    def fit(self, data: pd.DataFrame | Mapping[Any, ArrayLike]) -> ShiftedBetaGeometricCohorts:
        """Fit the shared and the cohort-specific models; ``data`` as :func:`cohort_table` takes it."""
        frame = _cohort_frame(data)
        names = list(pd.unique(frame["cohort"]))
        if len(names) < 2:
            raise DataError(f"data holds {len(names)} cohort(s); comparing cohorts needs at least two")
        self.shared_ = ShiftedBetaGeometricModel(level=self.level, **self.kwargs).fit(frame)
        self.models_ = {}
        for name in names:
            part = frame.loc[frame["cohort"] == name]
            self.models_[name] = ShiftedBetaGeometricModel(level=self.level, **self.kwargs).fit(
                part.assign(cohort=name)
            )
        return self

    def likelihood_ratio_test(self) -> pd.Series:
        """LR test of shared against cohort-specific parameters: log-likelihoods, AIC, LR, df and p-value."""
        if not hasattr(self, "shared_"):
            raise DataError("ShiftedBetaGeometricCohorts is not fitted yet; call fit(data) first")
        ll_shared = float(self.shared_.log_likelihood_)
        ll_each = float(sum(m.log_likelihood_ for m in self.models_.values()))
        df = 2 * (len(self.models_) - 1)
        lr = max(0.0, 2.0 * (ll_each - ll_shared))
        return pd.Series(
            {
                "log_likelihood_shared": ll_shared,
                "log_likelihood_cohort_specific": ll_each,
                "AIC_shared": -2 * ll_shared + 4,
                "AIC_cohort_specific": -2 * ll_each + 4 * len(self.models_),
                "LR": lr,
                "df": df,
                "p": float(stats.chi2.sf(lr, df)),
            },
            name="shared vs cohort-specific",
        )

    def summary(self) -> pd.DataFrame:
        """Estimates with standard errors and intervals: the shared pair, then each cohort's."""
        parts = {"shared": self.shared_.summary()}
        parts.update({str(k): m.summary() for k, m in self.models_.items()})
        out = pd.concat(parts, names=["model", "parameter"])
        out.attrs["level"] = self.level
        return out

    def survival(self, t: ArrayLike, *, shared: bool = False) -> pd.DataFrame:
        """S(t) per cohort (columns) at periods ``t`` (rows), from each cohort's own or the shared parameters."""
        t = np.atleast_1d(check_times(t))
        cols = {k: (self.shared_ if shared else m).survival(t) for k, m in self.models_.items()}
        out = pd.DataFrame(cols, index=pd.Index(t, name="period"))
        out.columns.name = "cohort"
        return out
