"""A two-part churn model for data with a mass of churn at the first day, and its calibration against Kaplan-Meier.

In a purchase log most customers often buy once and never return: with churn
dated at the last purchase, their lifetime is one day (CDNOW master: 14,743 of
21,788 churn events at day 1). A Cox model then has one huge tie at day 1, its
baseline cannot carry both that mass and the later hazard, and its predicted
survival misses Kaplan-Meier (mean predicted S(1) 0.54 against 0.375 on CDNOW;
report review 2026-12, sec. 4). :class:`TwoPartChurn` models the two parts
separately, as the mixture models of Farewell (1982) split a population into
two latent classes with their own covariates:

* **Whether a customer stays past the first day** (in a log: buys again
  before the first lapse): logistic
  regression, ``pi(x) = P(T > a | x) = 1 / (1 + exp(-x' gamma))`` (statsmodels
  ``Logit``), with ``a`` = ``mass_at`` (1 day in the survival data of
  :func:`~crmlib.survival.from_transactions`);
* **When a returner churns**: a Cox model fitted on the returners only
  (:class:`~crmlib.survival.ChurnCox`, optionally stratified),
  ``S_R(t | x) = S_0R(t)^exp(x' beta)``.

The survival curve of a customer is the mixture

    S(t | x) = 1                          for t < a
    S(t | x) = pi(x) * S_R(t | x)         for t >= a                       (1)

Because the first day is always observed (a customer censored before ``a``
carries no information and is left out of the logistic part, counted in
``attrs``), the likelihood factorises into a logistic and a Cox part, each
maximised on its own (Farewell 1982, eq. 2.1 with the latent class observed;
the two-part or hurdle model of Mullahy 1986, J. Econometrics 33, 341-365).
With an intercept, the logistic score equations make the mean predicted
``pi`` equal to the observed share who return, so the mean of (1) at ``a``
equals Kaplan-Meier there exactly.

References
----------
Farewell, V. T. (1982). The use of mixture models for the analysis of survival
data with long-term survivors. Biometrics 38, 1041-1046.
Mullahy, J. (1986). Specification and testing of some modified count data
models. J. Econometrics 33, 341-365.
Cox, D. R. (1972). Regression models and life-tables. JRSS B 34, 187-220.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_count, check_level, check_nonnegative, check_positive, check_probability
from ..exceptions import ConvergenceError, DataError, DataWarning
from .curves import _conditional_steps, _remaining_median, _steps, step_at
from .data import _where, validate_survival
from .regression import (
    ChurnCox,
    design_matrix,
    design_matrix_like,
)

__all__ = ["TwoPartChurn", "mean_survival_table", "plot_mean_survival"]


class TwoPartChurn:
    """Two-part churn model: stays past day ``a`` (logistic) x time to churn of those who stay (Cox), eq. (1).

    Parameters
    ----------
    level : coverage of the confidence intervals, in (0, 1) (default 0.95).
    mass_at : ``a``, the duration of the churn mass (days; default 1, a customer who buys on one day only).
    penalizer : ridge penalty of the returners' Cox fit (0 = plain partial likelihood).
    significance : size of the returners' proportional-hazards test (default 0.05).

    Attributes (after ``fit``)
    --------------------------
    logit_ : the fitted statsmodels ``Logit`` results of "stays past day ``a``".
    cox_ : the :class:`~crmlib.survival.ChurnCox` of the returners.
    design_ : the design frame of all customers (:func:`~crmlib.survival.design_matrix`).
    returned_ : 1 = returned after ``mass_at``, 0 = churned at it, NaN = censored before it (unknown).

    Example
    -------
    >>> m = TwoPartChurn().fit(sd, ["log_first_amount", "first_month"])  # doctest: +SKIP
    >>> mean_survival_table({"two-part": m}, times=[1, 30, 180, 365])      # doctest: +SKIP
    """

    def __init__(self, level: float = 0.95, mass_at: float = 1.0, penalizer: float = 0.0, significance: float = 0.05):
        self.level = level
        self.mass_at = mass_at
        self.penalizer = penalizer
        self.significance = significance

    def fit(
        self,
        data: pd.DataFrame,
        covariates: Sequence[str],
        *,
        duration: str = "duration",
        event: str = "churned",
        strata: Sequence[str] = (),
    ) -> TwoPartChurn:
        """Fit both parts by maximum likelihood; returns ``self``.

        Parameters
        ----------
        data : survival data, one row per customer (``duration`` in days, ``event`` 1 = churned).
        covariates : covariates of both parts (categorical ones dummy-coded against their first level).
        strata : columns stratifying the returners' Cox part (see :meth:`ChurnCox.fit`).
        """
        import statsmodels.api as sm
        from statsmodels.tools.sm_exceptions import PerfectSeparationError

        level = check_level(self.level)
        a = check_positive(self.mass_at, "mass_at")
        validate_survival(data, duration, event)
        self.design_ = design_matrix(data, covariates, duration=duration, event=event)
        d, e = self.design_[duration].to_numpy(), self.design_[event].to_numpy()
        at_mass = (d <= a) & (e == 1)
        unknown = (d < a) & (e == 0)
        returned = pd.Series(np.where(unknown, np.nan, (~at_mass).astype("float64")), index=self.design_.index)
        if unknown.any():
            warnings.warn(
                f"{int(unknown.sum())} customer(s) censored before day {a:g} ({_where(self.design_.index[unknown])}): "
                "whether they return is unknown, so they are left out of the logistic part (their likelihood is 1)",
                DataWarning,
                stacklevel=2,
            )
        known = ~unknown
        if at_mass[known].all() or not at_mass[known].any():
            raise DataError(
                f"column {duration!r}: {'every' if at_mass[known].all() else 'no'} customer churns at day {a:g}; "
                "the two-part model needs both churn at that day and returners (use ChurnCox when there is no mass)"
            )
        X = sm.add_constant(self.design_.iloc[:, 2:], has_constant="add")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", category=RuntimeWarning)
                self.logit_ = sm.Logit(returned[known], X[known]).fit(disp=0, maxiter=200)
        except (PerfectSeparationError, np.linalg.LinAlgError, RuntimeWarning) as exc:
            raise ConvergenceError(
                f"the logistic part (stays past day a) did not converge ({exc}); a covariate separates returners "
                "perfectly or is collinear: drop or merge it"
            ) from None
        if not self.logit_.mle_retvals.get("converged", True):
            raise ConvergenceError("the logistic part (stays past day a) did not converge in 200 iterations")
        self.cox_ = ChurnCox(level=level, penalizer=self.penalizer, significance=self.significance).fit(
            data.loc[returned.to_numpy() == 1], covariates, duration=duration, event=event, strata=strata
        )
        self.returned_ = returned
        self.duration_col_, self.event_col_ = duration, event
        self.covariates_ = list(covariates)
        self.strata_ = list(self.cox_.strata_)
        self.covariate_data_ = data[self.covariates_ + self.strata_].copy()
        return self

    @property
    def last_event_time_(self) -> float:
        """Longest duration with a churn event among the returners (days): predictions stop there."""
        return self.cox_.last_event_time_

    def summary(self) -> pd.DataFrame:
        """Both parts as one table: odds ratios of staying past day ``a`` and hazard ratios of churn after it.

        Rows are indexed by (``part``, ``covariate``); columns ``ratio`` (odds
        ratio exp(gamma) of the logistic part, hazard ratio exp(beta) of the
        Cox part), ``lower``, ``upper``
        (Wald interval at ``level``), ``p``; the parts are named
        ``"stays past day <mass_at> (logistic)"`` and ``"churn among those who
        stay (Cox)"``. An odds ratio above 1 means more likely to stay past
        ``mass_at`` (in a log: to buy again before the first lapse); a hazard
        ratio above 1 means a customer who stayed churns sooner.
        ``attrs``: ``n``, ``at_mass`` (churned at ``mass_at``), ``returners``,
        ``returner_events``, ``unknown``, ``return_share`` (observed),
        ``mass_at``, ``level``.
        """
        level = check_level(self.level)
        ci = np.exp(self.logit_.conf_int(alpha=1 - level)).drop(index="const")
        logit = pd.DataFrame(
            {
                "ratio": np.exp(self.logit_.params.drop("const")),
                "lower": ci[0],
                "upper": ci[1],
                "p": self.logit_.pvalues.drop("const"),
            }
        )
        hr = self.cox_.hazard_ratios()[["hazard_ratio", "lower", "upper", "p"]].rename(
            columns={"hazard_ratio": "ratio"}
        )
        a = f"{float(self.mass_at):g}"
        parts = {f"stays past day {a} (logistic)": logit, "churn among those who stay (Cox)": hr}
        out = pd.concat(parts, names=["part", "covariate"])
        r = self.returned_
        out.attrs.update(
            {
                "n": len(r),
                "at_mass": int((r == 0).sum()),
                "returners": int((r == 1).sum()),
                "returner_events": int(self.cox_.design_[self.event_col_].sum()),
                "unknown": int(r.isna().sum()),
                "return_share": float(r.mean()),
                "mass_at": float(self.mass_at),
                "level": level,
            }
        )
        return out

    def probability_return(self, data: pd.DataFrame | None = None) -> pd.Series:
        """``pi(x)``: probability of returning after ``mass_at`` (share in [0, 1]) per customer, eq. (1)."""
        import statsmodels.api as sm

        x = self.design_.iloc[:, 2:] if data is None else self._x(data)
        X = sm.add_constant(x, has_constant="add")
        return pd.Series(np.asarray(self.logit_.predict(X), dtype="float64"), index=x.index, name="probability_return")

    def _curves(self, data: pd.DataFrame | None = None) -> pd.DataFrame:
        """Step curves of eq. (1), times (0, ``mass_at`` and the returners' churn times) x customers."""
        pi = self.probability_return(data).to_numpy()
        frame = self.covariate_data_ if data is None else data
        returners = self.cox_.model_.predict_survival_function(self.cox_._x(frame))
        a = float(self.mass_at)
        times = np.unique(np.concatenate([[0.0, a], np.asarray(returners.index, dtype="float64")]))
        sr = _steps(returners, times).to_numpy()
        values = np.where(times[:, None] < a, 1.0, pi[None, :] * sr)
        return pd.DataFrame(values, index=pd.Index(times, name="timeline"), columns=returners.columns)

    def predict_survival(self, data: pd.DataFrame | None = None, times: Sequence[float] | None = None) -> pd.DataFrame:
        """Predicted ``S(t | x)`` of eq. (1), times (rows, days) x customers (columns).

        ``data`` holds covariate rows (and strata columns; default: the fitted
        customers); ``times`` (>= 0, days) default to 0, ``mass_at`` and the
        returners' churn times. A step function, so it is the input of
        :func:`~crmlib.survival.customer_value` as it is.
        """
        curves = self._curves(data)
        if times is None:
            return curves
        t = np.atleast_1d(check_nonnegative(np.asarray(times, dtype="float64"), "times"))
        return _steps(curves, t)

    def predict_conditional(
        self, data: pd.DataFrame, survived_days: float | Sequence[float], times: Sequence[float]
    ) -> pd.DataFrame:
        """``S(s + t | T > s, x) = S(s + t | x) / S(s | x)`` from eq. (1), ``t`` = ``times`` days after ``s``.

        ``s`` = ``survived_days`` (one number or one per row of ``data``). With
        ``s < mass_at`` the churn at ``mass_at`` is ahead and counts; with
        ``s >= mass_at`` the customer is known to have returned and only the
        returners' curve matters. Rows = ``times``, columns = customers.
        """
        s = np.broadcast_to(
            check_nonnegative(np.asarray(survived_days, dtype="float64"), "survived_days"), (len(data),)
        )
        t = np.atleast_1d(check_nonnegative(np.asarray(times, dtype="float64"), "times"))
        if t.size == 0:
            raise DataError("times must list at least one time ahead (>= 0)")
        self.cox_._check_reach(float(s.max()) + float(t.max()), "survived_days + times")
        return _conditional_steps(self._curves(data), s, t)

    def predict_remaining_median(self, data: pd.DataFrame, survived_days: float | Sequence[float]) -> pd.Series:
        """Median remaining lifetime (days; ``inf`` = not reached) given ``survived_days`` already, from eq. (1)."""
        s = np.broadcast_to(
            check_nonnegative(np.asarray(survived_days, dtype="float64"), "survived_days"), (len(data),)
        )
        self.cox_._check_reach(float(s.max()), "survived_days")
        curves = self._curves(data)
        return pd.Series(_remaining_median(curves, s), index=curves.columns, name="median_remaining")

    def risk_profiles(self, quantiles: Sequence[float] = (0.1, 0.5, 0.9), horizon_days: float = 365.0) -> pd.DataFrame:
        """The fitted customers at quantiles of predicted churn risk by ``horizon_days``, as covariate rows.

        Risk is ``1 - S(h | x)`` from eq. (1) with ``h = min(horizon_days, last
        returner churn)``; the customer at quantile ``q`` is the one at rank
        ``floor(q (n - 1))`` (0 = lowest risk). Columns: the covariates (and
        strata), ``churn_risk`` (share) and ``customer`` (row label of the fit);
        ``attrs["horizon_days"]`` = h.
        """
        q = np.atleast_1d(check_probability(np.asarray(quantiles, dtype="float64"), "quantiles"))
        if q.size == 0:
            raise DataError("quantiles must list at least one share in [0, 1]")
        h = min(check_positive(horizon_days, "horizon_days"), self.last_event_time_)
        risk = 1.0 - self.predict_survival(times=[h]).to_numpy()[0]
        pos = np.argsort(risk, kind="stable")[np.floor(q * (len(risk) - 1)).astype("int64")]
        out = self.covariate_data_.iloc[pos].copy()
        out["churn_risk"] = risk[pos]
        out["customer"] = self.covariate_data_.index[pos]
        out.index = pd.Index([f"p{100 * v:g}" for v in q], name="risk profile")
        out.attrs["horizon_days"] = h
        return out

    def conditional_table(
        self, profiles: pd.DataFrame, survived_days: Sequence[float] = (0, 90, 180), ahead: float | None = None
    ) -> pd.DataFrame:
        """Survival ``ahead`` more days and median remaining lifetime, given days already stayed, per profile.

        As :meth:`ChurnCox.conditional_table` but from eq. (1): for ``s = 0`` the
        churn at ``mass_at`` is included, so a profile most of whose customers
        never return has a median remaining lifetime of ``mass_at`` day(s),
        agreeing with Kaplan-Meier. ``ahead`` defaults to ``min(365, last
        returner churn - max(survived_days))``. Index (profile, ``survived_days``);
        columns ``survival_ahead``, ``median_remaining`` (days).
        """
        s = np.atleast_1d(check_nonnegative(np.asarray(survived_days, dtype="float64"), "survived_days"))
        if ahead is None:
            ahead = float(int(min(365.0, self.last_event_time_ - s.max())))
        ahead = check_positive(ahead, "ahead")
        parts = []
        for stay in s:  # a handful of stays, not customers
            parts.append(
                pd.DataFrame(
                    {
                        "survived_days": stay,
                        "survival_ahead": self.predict_conditional(profiles, stay, [ahead]).iloc[0].to_numpy(),
                        "median_remaining": self.predict_remaining_median(profiles, stay).to_numpy(),
                    },
                    index=pd.Index(profiles.index, name=profiles.index.name or "profile"),
                )
            )
        out = pd.concat(parts).set_index("survived_days", append=True).loc[list(profiles.index)]
        out.attrs.update({"ahead": ahead, "last_event_time": self.last_event_time_, "n": len(self.design_)})
        return out

    def plot(self, ax=None, *, until: float | None = None, compare: Mapping[str, Any] | None = None):
        """Mean predicted survival of the fitted customers against Kaplan-Meier (see :func:`plot_mean_survival`)."""
        return plot_mean_survival({"two-part model": self, **(compare or {})}, ax=ax, until=until)

    def _x(self, data: pd.DataFrame) -> pd.DataFrame:
        tmp = data.copy()
        for col in (self.duration_col_, self.event_col_):
            if col not in tmp:
                tmp[col] = 0
        return design_matrix_like(tmp, self.covariates_, self.design_.columns[2:], self.duration_col_, self.event_col_)


def _fitted_data(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """Durations and events of the customers a ChurnCox / TwoPartChurn was fitted on."""
    d = model.design_
    return d[model.duration_col_].to_numpy(dtype="float64"), d[model.event_col_].to_numpy(dtype="int64")


def mean_survival_table(models: Mapping[str, Any], times: Sequence[float] | np.ndarray) -> pd.DataFrame:
    """Mean predicted survival over the fitted customers against Kaplan-Meier, at ``times`` (days).

    A calibration check of a survival regression (Royston & Altman 2013, BMC
    Med. Res. Methodol. 13:33, sec. "calibration in the large"): averaged
    over the customers it was fitted on, a model's ``S(t | x_i)`` should
    follow the Kaplan-Meier curve of the same customers.

    Parameters
    ----------
    models : name -> fitted :class:`~crmlib.survival.ChurnCox` or :class:`TwoPartChurn`,
        all fitted on the same customers.
    times : days at which to compare (>= 0, up to the longest follow-up; after the last churn
        both the models and Kaplan-Meier hold their last value).

    Returns
    -------
    DataFrame indexed by ``time`` (days): ``kaplan_meier`` with its lower and
    upper 95% bounds, then per model its mean predicted survival and
    ``<name> - KM`` (difference, share). ``attrs["n"]`` = customers.
    """
    from lifelines import KaplanMeierFitter

    if not models:
        raise DataError("models must name at least one fitted model")
    t = np.atleast_1d(check_nonnegative(np.asarray(times, dtype="float64"), "times"))
    d, e = _fitted_data(next(iter(models.values())))
    for name, m in models.items():
        d2, e2 = _fitted_data(m)
        if len(d2) != len(d) or not (np.array_equal(d2, d) and np.array_equal(e2, e)):
            raise DataError(
                f"model {name!r} was fitted on other customers than the first model; compare like with like"
            )
    if t.max() > d.max():
        raise DataError(f"times reach {t.max():g} days, beyond the longest follow-up ({d.max():g} days)")
    km = KaplanMeierFitter().fit(d, e)
    out = pd.DataFrame(index=pd.Index(t, name="time"))
    out["kaplan_meier"] = step_at(km.survival_function_, t)[:, 0]
    band = step_at(km.confidence_interval_survival_function_, t)
    out["kaplan_meier_lower"], out["kaplan_meier_upper"] = band[:, 0], band[:, 1]
    for name, m in models.items():
        out[name] = m.predict_survival(times=t).to_numpy().mean(axis=1)
        out[f"{name} - KM"] = out[name] - out["kaplan_meier"]
    out.attrs["n"] = len(d)
    return out


def plot_mean_survival(models: Mapping[str, Any], ax=None, *, until: float | None = None, points: int = 120):
    """Figure: Kaplan-Meier (with 95% band and censoring marks) and each model's mean predicted survival.

    ``until`` (days) defaults to the longest follow-up; ``points``
    times are compared on an even grid (plus day ``1``). Axes: days since the
    start, % of customers still active.
    """
    import matplotlib.pyplot as plt
    from lifelines import KaplanMeierFitter

    from ..style import label_axes

    points = check_count(points, "points", minimum=2)
    last = float(_fitted_data(next(iter(models.values())))[0].max())
    until = last if until is None else min(check_positive(until, "until"), last)
    grid = np.unique(np.concatenate([[0.0, 1.0], np.linspace(0.0, until, points)]))
    table = mean_survival_table(models, grid)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    d, e = _fitted_data(next(iter(models.values())))
    km = KaplanMeierFitter(label=f"Kaplan-Meier (N = {len(d):,})").fit(d, e)
    km.plot_survival_function(ax=ax, show_censors=True, censor_styles={"ms": 4, "marker": "|"}, color="black")
    for name in models:
        ax.step(grid, table[name].to_numpy(), where="post", label=f"{name}: mean predicted", linewidth=1.6)
    ax.set_xlim(0, until)
    ax.set_ylim(0, 1.01)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{100 * v:.0f}"))
    ax.legend()
    label_axes(ax, "Days since the first day", "Customers still active (%)")
    return ax
