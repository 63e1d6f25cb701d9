"""Drivers of churn: the Cox proportional-hazards model.

* :class:`ChurnCox` wraps ``lifelines.CoxPHFitter`` (Cox 1972, JRSS B 34,
  187-220; partial likelihood eq. 12, Efron's tie handling, Efron 1977,
  JASA 72): a hazard-ratio table with confidence intervals and N, a forest
  plot, the proportional-hazards check on scaled Schoenfeld residuals
  (Grambsch & Therneau 1994, Biometrika 81, 515-526, eq. 4 — lifelines'
  ``proportional_hazard_test``) with advice when it fails, and survival
  predictions conditional on the time a customer has already stayed,
  ``S(t | T > s, x) = S(t, x) / S(s, x)``.
* The accelerated-failure-time models (the alternative where proportional
  hazards fail) are in :mod:`crmlib.survival.aft`.

Categorical covariates are dummy-coded against their first level (so a hazard
ratio reads "relative to the reference level"); the design is kept in
``design_`` so every number can be reproduced with lifelines directly.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._checks import check_count, check_level, check_nonnegative, check_positive, check_probability
from ..exceptions import ConvergenceError, DataError, DataWarning
from .curves import _conditional_steps, _remaining_median, _steps
from .data import _need_columns, _where, validate_survival

__all__ = ["design_matrix", "ChurnCox"]


def design_matrix(
    data: pd.DataFrame, covariates: Sequence[str], *, duration: str = "duration", event: str = "churned"
) -> pd.DataFrame:
    """Duration, event and covariates as a numeric frame for lifelines.

    Numeric and boolean covariates are used as they are (booleans as 0/1);
    categorical / string covariates become dummies ``<name>_<level>`` against
    the first level (categories order, else sorted). Missing covariate values
    raise :class:`DataError` naming the rows (nothing is dropped silently).
    """
    validate_survival(data, duration, event)
    covariates = list(covariates)
    if not covariates:
        raise DataError("covariates must name at least one column")
    _need_columns(data, covariates, "survival data")
    for c in covariates:
        bad = data.index[data[c].isna().to_numpy()]
        if len(bad):
            raise DataError(f"covariate {c!r}: missing value in {_where(bad)}")
    parts = [data[[duration]].astype("float64"), data[[event]].astype("int64")]
    for c in covariates:
        s = data[c]
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or pd.api.types.is_string_dtype(s):
            cat = s if isinstance(s.dtype, pd.CategoricalDtype) else s.astype(pd.CategoricalDtype(sorted(s.unique())))
            cat = cat.cat.remove_unused_categories()
            if len(cat.cat.categories) < 2:
                raise DataError(
                    f"covariate {c!r} has a single level ({list(cat.cat.categories)}); it cannot be estimated"
                )
            parts.append(pd.get_dummies(cat, prefix=c, drop_first=True).astype("float64"))
        elif pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            x = s.astype("float64")
            bad = data.index[np.isinf(x.to_numpy())]
            if len(bad):  # lifelines would stop with "Infs were detected in the dataset", naming neither
                raise DataError(f"covariate {c!r}: infinite value in {_where(bad)}")
            parts.append(x.to_frame(c))
        else:
            raise DataError(f"covariate {c!r} has dtype {s.dtype}; use numbers, booleans or categories")
    out = pd.concat(parts, axis=1)
    constant = [c for c in out.columns[2:] if out[c].nunique() < 2]
    if constant:
        raise DataError(f"covariate column(s) {constant} are constant; they cannot be estimated")
    return out


class ChurnCox:
    """Cox proportional-hazards model of churn (lifelines ``CoxPHFitter``).

    Parameters
    ----------
    level : coverage of the hazard ratios' confidence intervals, in (0, 1) (default 0.95).
    penalizer : lifelines' ridge penalty (0 = plain maximum partial likelihood).
    significance : size of the proportional-hazards test (default 0.05).

    Attributes
    ----------
    model_ : the fitted ``lifelines.CoxPHFitter``.
    design_ : the design frame it was fitted on (see :func:`design_matrix`).
    """

    def __init__(self, level: float = 0.95, penalizer: float = 0.0, significance: float = 0.05):
        self.level = level
        self.penalizer = penalizer
        self.significance = significance
        self.remedied_: list[str] = []  # covariates stratified by remedy()

    def fit(
        self,
        data: pd.DataFrame,
        covariates: Sequence[str],
        *,
        duration: str = "duration",
        event: str = "churned",
        strata: Sequence[str] = (),
    ) -> ChurnCox:
        """Fit by maximum partial likelihood (Efron ties); returns ``self``.

        Parameters
        ----------
        data : survival data (``duration`` in days or the data's time unit, ``event`` 1 = churned).
        covariates : churn drivers (columns of ``data``); categorical ones are dummy-coded.
        strata : columns whose levels each get their own baseline hazard (stratified Cox model,
            Kalbfleisch & Prentice 2002, sec. 4.4): the remedy for a covariate whose effect is not
            proportional. A stratum column is not a covariate and gets no hazard ratio; numeric
            strata must have few levels (bin them first, see :meth:`remedy`).
        """
        from lifelines import CoxPHFitter
        from lifelines.exceptions import ConvergenceError as LLConvergenceError

        level = check_level(self.level)
        check_level(self.significance, "significance")
        check_nonnegative(self.penalizer, "penalizer")
        self.design_ = design_matrix(data, covariates, duration=duration, event=event)
        if self.design_[event].sum() == 0:
            raise DataError(f"column {event!r}: no churn events; a Cox model cannot be estimated")
        self.duration_col_, self.event_col_ = duration, event
        self.covariates_ = list(covariates)
        self.strata_ = _check_strata(data, strata, self.covariates_)
        self.covariate_data_ = data[self.covariates_ + self.strata_].copy()
        self.frame_ = pd.concat([self.design_, data[self.strata_]], axis=1)  # what lifelines is fitted on
        self._schoenfeld_ = None
        cat_cols = [c for c in self.design_.columns[2:] if c not in self.covariates_]  # dummy columns
        ev = self.design_[event].to_numpy()
        for c in cat_cols:
            members = self.design_[c].to_numpy() == 1
            if ev[members].sum() == 0:
                warnings.warn(
                    f"covariate level {c!r} has no churn events ({int(members.sum())} customers, all "
                    "censored): its hazard ratio is not identified (estimate tends to 0, interval unbounded); "
                    "merge the level with another or use penalizer > 0",
                    DataWarning,
                    stacklevel=2,
                )
        try:
            self.model_ = CoxPHFitter(alpha=1 - level, penalizer=self.penalizer).fit(
                self.frame_, duration_col=duration, event_col=event, strata=self.strata_ or None
            )
        except LLConvergenceError as exc:
            raise ConvergenceError(
                f"Cox model did not converge ({exc}); try penalizer=0.01 or fewer covariates"
            ) from None
        return self

    def hazard_ratios(self) -> pd.DataFrame:
        """Hazard ratios exp(beta) with CIs and p-values; ``attrs['n']`` and ``attrs['events']`` give N."""
        s = self.model_.summary
        lo, hi = (
            [c for c in s.columns if c.startswith("exp(coef) lower")][0],
            [c for c in s.columns if c.startswith("exp(coef) upper")][0],
        )
        out = pd.DataFrame(
            {
                "hazard_ratio": s["exp(coef)"],
                "lower": s[lo],
                "upper": s[hi],
                "coef": s["coef"],
                "se": s["se(coef)"],
                "p": s["p"],
            }
        )
        out.index.name = "covariate"
        out.attrs["n"] = int(self.model_._n_examples)
        out.attrs["events"] = int(self.design_[self.event_col_].sum())
        out.attrs["level"] = self.level
        return out

    def summary(self) -> pd.DataFrame:
        """The fitted model as a table: :meth:`hazard_ratios` with the fit's figures in ``attrs``.

        ``attrs`` hold ``n``, ``events``, ``level``, ``log_likelihood`` (partial),
        ``concordance`` (Harrell's C on the fitting data) and ``AIC_partial``
        (``-2 log L + 2k``), as lifelines reports them (Cox 1972; Harrell et al.
        1982, JAMA 247, for the concordance index).
        """
        out = self.hazard_ratios()
        out.attrs.update(
            {
                "log_likelihood": float(self.model_.log_likelihood_),
                "concordance": float(self.model_.concordance_index_),
                "AIC_partial": float(self.model_.AIC_partial_),
            }
        )
        return out

    def risk_profiles(self, quantiles: Sequence[float] = (0.1, 0.5, 0.9)) -> pd.DataFrame:
        """The fitted customers at chosen quantiles of predicted risk, as covariate rows to predict for.

        Customers are ranked by their partial hazard ``exp(x' beta)`` (Cox 1972);
        the customer at quantile ``q`` is the one at rank ``floor(q (n - 1))``
        (0 = lowest risk). Customers with equal covariates have equal risk, so
        the choice among ties does not change any prediction.

        Parameters
        ----------
        quantiles : shares in [0, 1] (0.1 = the 10th percentile of risk).

        Returns
        -------
        DataFrame indexed by ``"p10"``, ``"p50"``, ... with the covariates of
        ``fit`` (pass it to :meth:`predict_conditional`, :meth:`conditional_table`
        or :func:`~crmlib.survival.customer_value_interval`), plus
        ``partial_hazard`` and ``customer`` (the row label in the fitted data).
        """
        q = np.atleast_1d(check_probability(np.asarray(quantiles, dtype="float64"), "quantiles"))
        if q.size == 0:
            raise DataError("quantiles must list at least one share in [0, 1]")
        x = self.design_.drop(columns=[self.duration_col_, self.event_col_])
        risk = np.asarray(self.model_.predict_partial_hazard(x), dtype="float64")
        order = np.argsort(risk, kind="stable")
        pos = order[np.floor(q * (len(risk) - 1)).astype("int64")]
        out = self.covariate_data_.iloc[pos].copy()
        out["partial_hazard"] = risk[pos]
        out.insert(len(out.columns) - 1, "customer", self.covariate_data_.index[pos])
        out.index = pd.Index([f"p{100 * v:g}" for v in q], name="risk profile")
        return out

    def predict_survival(self, data: pd.DataFrame | None = None, times: Sequence[float] | None = None) -> pd.DataFrame:
        """Predicted survival curves ``S(t | x) = S0(t)^exp(x' beta)`` (Cox 1972), times (rows) x customers (columns).

        ``data`` holds covariate rows (and the strata columns of a stratified
        fit; default: the customers the model was fitted on); ``times`` (>= 0,
        time units of the data) default to the fitted event times. The curves
        are the Breslow step functions (Klein & Moeschberger 2003, eq. 8.8.2)
        read as steps: S = 1 before the first churn time of the baseline, and
        between two churn times the value of the earlier one (lifelines
        interpolates linearly between them and reads the first step at time 0).
        The input of :func:`~crmlib.survival.customer_value`.
        """
        x = self.frame_.drop(columns=[self.duration_col_, self.event_col_]) if data is None else self._x(data)
        curves = self.model_.predict_survival_function(x)
        if times is None:
            return curves
        t = np.atleast_1d(check_nonnegative(np.asarray(times, dtype="float64"), "times"))
        return _steps(curves, t)

    def conditional_table(
        self, profiles: pd.DataFrame, survived_days: Sequence[float] = (0, 90, 180), ahead: float | None = None
    ) -> pd.DataFrame:
        """Survival ``ahead`` more time units and median remaining lifetime, given time already stayed.

        For each row of ``profiles`` (e.g. :meth:`risk_profiles`) and each
        ``s`` in ``survived_days``: ``S(s + ahead | T > s, x) = S(s + ahead, x) / S(s, x)``
        and the median remaining lifetime (``inf`` when not reached), from the
        fitted Cox model (Klein & Moeschberger 2003, sec. 8.8).

        Parameters
        ----------
        profiles : covariate rows (same columns as in ``fit``).
        survived_days : days already stayed (>= 0).
        ahead : time ahead (> 0); default ``min(365, last churn - max(survived_days))``,
            so that every prediction stays inside the observed churn times.

        Returns
        -------
        DataFrame indexed by (profile, ``survived_days``) with ``survival_ahead`` and
        ``median_remaining``; ``attrs["ahead"]`` and ``attrs["last_event_time"]``.
        """
        s = np.atleast_1d(check_nonnegative(np.asarray(survived_days, dtype="float64"), "survived_days"))
        if ahead is None:
            ahead = float(int(min(365.0, self.last_event_time_ - s.max())))
        ahead = check_positive(ahead, "ahead")
        rows = []
        for stay in s:  # a handful of stays, not customers
            cond = self.predict_conditional(profiles, stay, [ahead]).iloc[0]
            med = self.predict_remaining_median(profiles, stay)
            rows.append(
                pd.DataFrame(
                    {"survived_days": stay, "survival_ahead": cond.to_numpy(), "median_remaining": med.to_numpy()},
                    index=pd.Index(profiles.index, name=profiles.index.name or "profile"),
                )
            )
        out = pd.concat(rows).set_index("survived_days", append=True).sort_index(level=0, sort_remaining=False)
        out = out.loc[list(profiles.index)]
        out.attrs.update({"ahead": ahead, "last_event_time": self.last_event_time_, "n": len(self.design_)})
        return out

    def plot_forest(self, ax=None, *, truth: Mapping[str, float] | None = None):
        """Forest plot of the hazard ratios (log scale) with their confidence intervals.

        ``truth`` (design column -> true hazard ratio, e.g. a simulation's
        ``attrs["true_hazard_ratios"]``) adds the true values as crosses, so a
        reader sees whether each interval covers them.
        """
        import matplotlib.pyplot as plt

        from ..style import label_axes

        hr = self.hazard_ratios().iloc[::-1]
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 1.2 + 0.45 * len(hr)))
        y = np.arange(len(hr))
        ax.errorbar(
            hr["hazard_ratio"],
            y,
            xerr=[hr["hazard_ratio"] - hr["lower"], hr["upper"] - hr["hazard_ratio"]],
            fmt="o",
            capsize=3,
        )
        if truth is not None:
            unknown = sorted(set(truth) - set(hr.index))
            if unknown:
                raise DataError(f"truth names {unknown}, not hazard ratios of this model ({list(hr.index)})")
            known = [i for i, name in enumerate(hr.index) if name in truth]
            ax.scatter(
                [truth[hr.index[i]] for i in known],
                y[known],
                marker="x",
                color="black",
                zorder=3,
                label="true hazard ratio (simulated)",
            )
            ax.legend(loc="best", fontsize=8)
        ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
        ax.set_xscale("log")
        from matplotlib.ticker import FuncFormatter

        lo, hi = ax.get_xlim()
        ticks = [v for v in (0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0) if lo <= v <= hi]
        ax.set_xticks(ticks if len(ticks) >= 2 else [lo, 1.0, hi])  # labelled values far enough apart to read
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
        ax.set_yticks(y, hr.index)
        label_axes(ax, f"Hazard ratio of churn (log scale, {self.level:.0%} CI)", "Covariate")
        return ax

    def check_proportional_hazards(self) -> pd.DataFrame:
        """Grambsch-Therneau test on scaled Schoenfeld residuals (rank time), with advice per covariate.

        Returns one row per covariate: ``test_statistic``, ``p``, ``violated``
        (p < ``significance``) and ``advice``; ``attrs['advice']`` is one text for
        the whole model (empty problems -> says so).
        """
        from lifelines.statistics import proportional_hazard_test

        res = proportional_hazard_test(
            self.model_, self.frame_, time_transform="rank", precomputed_residuals=self._scaled_schoenfeld()
        )
        tab = res.summary[["test_statistic", "p"]].copy()
        tab.index = [i[0] if isinstance(i, tuple) else i for i in tab.index]
        tab.index.name = "covariate"
        tab["violated"] = tab["p"] < self.significance
        source = _design_sources(self.covariates_, self.design_.columns[2:])
        tab["advice"] = [
            (
                f"effect changes over time: stratify on {source.get(i, i)!r} (CoxPHFitter(strata=...)), "
                "or let its coefficient vary with time (split follow-up into periods / time interaction), "
                "or prefer an AFT model"
                if v
                else "no evidence against proportional hazards"
            )
            for i, v in zip(tab.index, tab["violated"])
        ]
        bad = list(tab.index[tab["violated"]])
        n = int(self.model_._n_examples)
        if bad:
            text = (
                f"The proportional-hazards assumption fails at the {self.significance:g} level for {bad}. The hazard "
                "ratios of these covariates are averages over time and can mislead. Look at their scaled "
                "Schoenfeld residuals over time (plot_schoenfeld): a trend shows how the effect changes. Then "
                "stratify on a categorical covariate, add a covariate x time interaction, fit separate models "
                "for early and late tenure, or use an AFT model."
            )
            if n > 5000:
                text += f" With N = {n:,} even small, practically harmless departures are significant; judge the size of the trend."
        else:
            text = f"No covariate rejects proportional hazards at the {self.significance:g} level (N = {n:,})."
        tab.attrs["advice"] = text
        tab.attrs["n"] = n
        return tab

    def remedy(self, bins: int = 4) -> ChurnCox:
        """Refit with the covariates that fail the proportional-hazards check as strata, one at a time.

        The covariate with the largest Grambsch-Therneau statistic among those
        flagged by :meth:`check_proportional_hazards` leaves the covariates and
        becomes a stratum with its own baseline hazard (Kalbfleisch & Prentice
        2002, sec. 4.4; Therneau & Grambsch 2000, sec. 6.5): a categorical
        covariate with its levels, a numeric one cut into ``bins`` groups at its
        quantiles (``"<name> group"``, levels such as ``"(2.3, 3.1]"``). The model
        is refitted and checked again, until no covariate fails (a covariate
        can fail only because another one is misspecified, so they are not all
        stratified at once). The stratified covariates' effects are then read
        from the curves per stratum, not from a hazard ratio. Returns ``self``
        when nothing fails; raises :class:`DataError` when the last covariate
        would have to go (no hazard ratio would be left: compare Kaplan-Meier
        curves per group instead).

        Returns
        -------
        A fitted :class:`ChurnCox`; ``remedied_`` lists the stratified covariates in order.
        """
        bins = check_count(bins, "bins", minimum=2)
        model: ChurnCox = self
        done: list[str] = []
        while True:
            ph = model.check_proportional_hazards()
            if not ph["violated"].any():
                break
            source = _design_sources(model.covariates_, model.design_.columns[2:])
            worst = source[str(ph.loc[ph["violated"], "test_statistic"].idxmax())]
            keep = [c for c in model.covariates_ if c != worst]
            if not keep:
                raise DataError(
                    f"after stratifying on {done}, {worst!r} still fails the proportional-hazards check and is the "
                    "last covariate; stratifying on it leaves no hazard ratio: compare Kaplan-Meier curves per "
                    "group (KaplanMeierBySegment) instead"
                )
            data = model.covariate_data_.copy()
            data[self.duration_col_] = model.design_[self.duration_col_]
            data[self.event_col_] = model.design_[self.event_col_]
            strata, x = list(model.strata_), data[worst]
            if pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x) and x.nunique() > bins:
                data[f"{worst} group"] = pd.qcut(x, bins, duplicates="drop").astype(str)
                strata.append(f"{worst} group")
            else:
                strata.append(worst)
            model = ChurnCox(level=self.level, penalizer=self.penalizer, significance=self.significance)
            model.fit(data, keep, duration=self.duration_col_, event=self.event_col_, strata=strata)
            done.append(worst)
        model.remedied_ = done
        return model

    def plot_schoenfeld(self, covariate: str, ax=None, bins: int = 20):
        """Scaled Schoenfeld residuals of one design column against event-time rank, with binned means.

        A flat band around the coefficient means a constant effect; a trend
        means the hazard ratio changes with tenure (Grambsch & Therneau 1994).
        """
        import matplotlib.pyplot as plt

        from ..style import label_axes

        if covariate not in self.design_.columns[2:]:
            raise DataError(
                f"covariate {covariate!r} is not a design column; choose from {list(self.design_.columns[2:])}"
            )
        r = self._scaled_schoenfeld()[covariate]
        t = self.design_.loc[r.index, self.duration_col_]
        rank = t.rank(method="average").to_numpy()
        if ax is None:
            _, ax = plt.subplots()
        ax.scatter(rank, r.to_numpy(), s=4, alpha=0.25)
        edges = np.quantile(rank, np.linspace(0, 1, bins + 1))
        which = np.clip(np.searchsorted(edges, rank, side="right") - 1, 0, bins - 1)
        means = pd.Series(r.to_numpy()).groupby(which).mean()
        mids = pd.Series(rank).groupby(which).mean()
        ax.plot(mids.to_numpy(), means.to_numpy(), color="black", marker="o", label="binned mean")
        ax.axhline(float(self.model_.params_[covariate]), color="grey", linestyle="--", label="Cox coefficient")
        ax.legend()
        label_axes(
            ax,
            "Rank of churn time (events ordered by tenure)",
            "Scaled Schoenfeld residual (log-hazard)",
            title=covariate,
        )
        return ax

    def _scaled_schoenfeld(self) -> pd.DataFrame:
        """Scaled Schoenfeld residuals of the fitted model (computed once, then reused)."""
        if getattr(self, "_schoenfeld_", None) is None:
            self._schoenfeld_ = self.model_.compute_residuals(self.frame_, "scaled_schoenfeld")
        return self._schoenfeld_

    def predict_conditional(
        self, data: pd.DataFrame, survived_days: float | Sequence[float], times: Sequence[float]
    ) -> pd.DataFrame:
        """Survival ``S(s + t | T > s, x) = S(s + t, x) / S(s, x)`` at ``t`` more time units, given ``s`` already.

        ``data`` holds the covariates (same columns as in ``fit``); ``survived_days``
        is one number or one per row. Rows of the result are ``times`` (time
        *after* ``survived_days``), columns the customers (``data.index``). Both
        curves are read as steps (:meth:`predict_survival`), so a churn at the
        first day stays in ``S(t | T > 0)`` (lifelines' ``conditional_after=0``
        reads the baseline at its first churn time and drops it).
        """
        X = self._x(data)
        s = np.broadcast_to(check_nonnegative(np.asarray(survived_days, dtype="float64"), "survived_days"), (len(X),))
        t = np.atleast_1d(check_nonnegative(np.asarray(times, dtype="float64"), "times"))
        if t.size == 0:
            raise DataError("times must list at least one time ahead (>= 0)")
        self._check_reach(float(s.max()) + float(t.max()), "survived_days + times")
        return _conditional_steps(self.model_.predict_survival_function(X), s, t)

    @property
    def last_event_time_(self) -> float:
        """Longest duration with a churn event: the Cox baseline hazard is 0 after it (time units of the data)."""
        d = self.design_
        return float(d.loc[d[self.event_col_] == 1, self.duration_col_].max())

    def _check_reach(self, reach: float, what: str) -> None:
        if reach > self.last_event_time_:
            raise DataError(
                f"{what} reaches {reach:g}, beyond the last churn observed ({self.last_event_time_:g}); the Cox "
                "baseline hazard is 0 there, so survival would be held at its last value by construction, not "
                "estimated. Ask about shorter times or fit a parametric (AFT) model to extrapolate"
            )

    def predict_remaining_median(self, data: pd.DataFrame, survived_days: float | Sequence[float]) -> pd.Series:
        """Median *remaining* lifetime given ``survived_days`` time already stayed (``inf`` if not reached).

        The first time ``u`` with ``S(s + u | x) / S(s | x) <= 0.5`` on the step
        curves of :meth:`predict_survival`. ``survived_days`` beyond the last
        observed churn raises :class:`DataError` (nothing is known about churn there).
        """
        X = self._x(data)
        s = np.broadcast_to(check_nonnegative(np.asarray(survived_days, dtype="float64"), "survived_days"), (len(X),))
        self._check_reach(float(s.max()), "survived_days")
        med = _remaining_median(self.model_.predict_survival_function(X), s)
        return pd.Series(med, index=X.index, name="median_remaining")

    def _x(self, data: pd.DataFrame) -> pd.DataFrame:
        tmp = data.copy()
        for col in (self.duration_col_, self.event_col_):
            if col not in tmp:
                tmp[col] = 0
        x = design_matrix_like(tmp, self.covariates_, self.design_.columns[2:], self.duration_col_, self.event_col_)
        if self.strata_:
            _need_columns(data, self.strata_, "data (the strata of the fit)")
            x = pd.concat([x, data[self.strata_]], axis=1)
        return x


def _design_sources(covariates: Sequence[str], columns: Sequence[str]) -> dict[str, str]:
    """Design column -> the covariate it codes (a dummy ``<name>_<level>`` or the covariate itself)."""
    source = {}
    for c in covariates:
        for col in columns:
            if col == c or col.startswith(f"{c}_"):
                source[col] = c
    return source


def _check_strata(data: pd.DataFrame, strata: Sequence[str], covariates: Sequence[str]) -> list[str]:
    """The strata columns of a stratified Cox fit: present, no missing value, not covariates, few levels."""
    strata = [strata] if isinstance(strata, str) else list(strata)
    _need_columns(data, strata, "survival data")
    both = [c for c in strata if c in covariates]
    if both:
        raise DataError(
            f"column(s) {both} are both covariates and strata; a stratum gets no hazard ratio, drop it from covariates"
        )
    for c in strata:
        bad = data.index[data[c].isna().to_numpy()]
        if len(bad):
            raise DataError(f"stratum column {c!r}: missing value in {_where(bad)}")
        k = data[c].nunique()
        if pd.api.types.is_numeric_dtype(data[c]) and k > 20:
            raise DataError(
                f"stratum column {c!r} is numeric with {k} levels; bin it first (e.g. pandas.qcut) or use ChurnCox.remedy"
            )
    return strata


def design_matrix_like(
    data: pd.DataFrame, covariates: Sequence[str], columns: Sequence[str], duration: str, event: str
) -> pd.DataFrame:
    """Covariate columns of new data coded like a fitted design (dummy levels aligned, absent levels 0)."""
    _need_columns(data, list(covariates), "data")
    parts = []
    for c in covariates:
        s = data[c]
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or pd.api.types.is_string_dtype(s):
            d = pd.get_dummies(s.astype(str), prefix=c).astype("float64")
            parts.append(d)
        else:
            parts.append(s.astype("float64").to_frame(c))
    x = pd.concat(parts, axis=1)
    return x.reindex(columns=list(columns), fill_value=0.0)
