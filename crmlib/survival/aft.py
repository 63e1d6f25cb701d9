"""Accelerated-failure-time (AFT) models of churn: time ratios, comparison by AIC, predicted survival.

Where the proportional-hazards check of a Cox model fails, an AFT model is the
parametric alternative that needs no proportional hazards: a covariate
stretches or shrinks the whole lifetime, ``T = exp(b'x) T0``, so
``exp(b)`` is a **time ratio** (1.5: lifetimes 50 % longer; Klein &
Moeschberger 2003, sec. 12.1-12.5; Collett 2015, ch. 6). lifelines fits three
baseline distributions (Weibull, log-normal, log-logistic); the Weibull AFT is
also a proportional-hazards model, with hazard ratio ``TR^(-shape)``
(Collett 2015, sec. 6.5), which the tests use as an oracle on data simulated
from a Weibull PH model.

* :class:`ChurnAFT` fits one of them (identical rows collapsed into case
  weights, which leaves the likelihood unchanged), gives the time-ratio table
  and per-customer survival curves (so :func:`~crmlib.survival.mean_survival_table`
  can set its mean curve against Kaplan-Meier).
* :func:`compare_aft` fits all three and ranks them by AIC = 2k - 2 log L
  (Akaike 1974) with Akaike weights (Burnham & Anderson 2002, eq. 2.14).
* :func:`aft_time_ratios` puts the time ratios of several fitted models side by side.

References
----------
Collett, D. (2015). *Modelling Survival Data in Medical Research*, 3rd ed. CRC Press.
Klein, J. P. & Moeschberger, M. L. (2003). *Survival Analysis*, 2nd ed. Springer.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._checks import as_rng, check_choice, check_count, check_level, check_nonnegative
from ..exceptions import DataError, DataWarning
from .data import _where
from .regression import design_matrix, design_matrix_like

__all__ = ["AFT_DISTRIBUTIONS", "ChurnAFT", "aft_conditional_median", "aft_time_ratios", "compare_aft"]

AFT_DISTRIBUTIONS = ("Weibull", "log-normal", "log-logistic")
"""The baseline distributions of :class:`ChurnAFT` (lifelines' names: WeibullAFTFitter, ...)."""

_LOCATION = {"Weibull": "lambda_", "log-normal": "mu_", "log-logistic": "alpha_"}  # lifelines' scale parameter


def _fitter(distribution: str, level: float):
    from lifelines import LogLogisticAFTFitter, LogNormalAFTFitter, WeibullAFTFitter

    cls = {"Weibull": WeibullAFTFitter, "log-normal": LogNormalAFTFitter, "log-logistic": LogLogisticAFTFitter}
    return cls[distribution](alpha=1 - level)


class ChurnAFT:
    """An accelerated-failure-time model of churn on lifelines (Weibull, log-normal or log-logistic).

    Parameters
    ----------
    distribution : ``"Weibull"``, ``"log-normal"`` or ``"log-logistic"`` (the baseline lifetime).
    level : coverage of the time ratios' intervals, in (0, 1) (default 0.95).

    Attributes (after ``fit``)
    --------------------------
    model_ : the fitted lifelines AFT fitter; ``params_``, ``log_likelihood_``, ``AIC_`` are its own.
    design_ : the design frame (see :func:`~crmlib.survival.design_matrix`), one row per customer.

    References
    ----------
    Klein, J. P. & Moeschberger, M. L. (2003). *Survival Analysis*, 2nd ed., sec. 12.1-12.5.
    """

    def __init__(self, distribution: str = "Weibull", level: float = 0.95):
        self.distribution = distribution
        self.level = level

    def fit(
        self, data: pd.DataFrame, covariates: Sequence[str], *, duration: str = "duration", event: str = "churned"
    ) -> ChurnAFT:
        """Fit by maximum likelihood on ``data`` (durations > 0 in days or the data's unit); returns ``self``."""
        dist = check_choice(self.distribution, "distribution", AFT_DISTRIBUTIONS)
        level = check_level(self.level)
        design = design_matrix(data, covariates, duration=duration, event=event)
        _positive_durations(design, duration)
        self.design_, self.duration_col_, self.event_col_ = design, duration, event
        self.covariates_ = list(covariates)
        collapsed = design.groupby(list(design.columns), sort=False).size().rename("_weight").reset_index()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.model_ = _fitter(dist, level).fit(
                collapsed, duration_col=duration, event_col=event, weights_col="_weight"
            )
        for w in caught:
            if "converge" in str(w.message).lower():
                warnings.warn(f"{dist} AFT: {w.message}", DataWarning, stacklevel=2)
        self.params_ = self.model_.params_
        self.log_likelihood_ = float(self.model_.log_likelihood_)
        self.AIC_ = float(self.model_.AIC_)
        return self

    def time_ratios(self) -> pd.DataFrame:
        """Time ratio ``exp(b)`` of each covariate with its interval and p-value (Wald; lifelines' summary).

        A time ratio above 1 means longer lifetimes (later churn); categorical covariates are
        read against their first level.
        """
        if not hasattr(self, "model_"):
            raise DataError("ChurnAFT is not fitted yet; call fit(data, covariates) first")
        summ = self.model_.summary.loc[_LOCATION[self.distribution]]
        summ = summ.drop(index="Intercept", errors="ignore")
        lo, hi = (
            [c for c in summ.columns if c.startswith("exp(coef) lower")][0],
            [c for c in summ.columns if c.startswith("exp(coef) upper")][0],
        )
        out = pd.DataFrame(
            {"time_ratio": summ["exp(coef)"], "lower": summ[lo], "upper": summ[hi], "p": summ["p"]}
        ).astype("float64")
        out.index.name = "covariate"
        out.attrs.update({"level": self.level, "n": len(self.design_), "model": self.distribution})
        return out

    def predict_survival(self, data: pd.DataFrame | None = None, times: Sequence[float] | None = None) -> pd.DataFrame:
        """S(t | x) per customer (columns) at ``times`` (rows; default the observed durations).

        ``data``: covariates of other customers, coded like the fit (default the fitted customers).
        """
        if data is None:
            x = self.design_.iloc[:, 2:]
        else:
            x = design_matrix_like(
                data, self.covariates_, self.design_.columns[2:], self.duration_col_, self.event_col_
            )
        t = np.unique(self.design_[self.duration_col_]) if times is None else np.asarray(times, dtype="float64")
        t = np.atleast_1d(check_nonnegative(t, "times"))
        out = self.model_.predict_survival_function(x, times=t)
        out.index.name = "time"
        return out


def _positive_durations(design: pd.DataFrame, duration: str) -> None:
    zero = design.index[(design[duration] <= 0).to_numpy()]
    if len(zero):
        raise DataError(
            f"column {duration!r}: {len(zero)} row(s) with duration 0; AFT models need positive "
            f"durations (count the first day as 1, as from_transactions does): {_where(zero)}"
        )


def aft_time_ratios(models: Mapping[str, ChurnAFT]) -> pd.DataFrame:
    """The time ratios of several fitted AFT models side by side: rows (model, covariate).

    Parameters
    ----------
    models : name -> fitted :class:`ChurnAFT` (as :func:`compare_aft` returns them).

    References
    ----------
    Collett, D. (2015). *Modelling Survival Data in Medical Research*, 3rd ed., sec. 6.4 (time ratios).
    """
    if not models:
        raise DataError("models must name at least one fitted AFT model")
    out = pd.concat({name: m.time_ratios() for name, m in models.items()}, names=["model", "covariate"])
    first = next(iter(models.values()))
    out.attrs.update({"level": first.level, "n": len(first.design_)})
    return out


def compare_aft(
    data: pd.DataFrame,
    covariates: Sequence[str],
    *,
    duration: str = "duration",
    event: str = "churned",
    level: float = 0.95,
    max_rows: int | None = None,
    seed: int | np.random.Generator | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Fit Weibull, log-normal and log-logistic AFT models and compare them by AIC.

    Identical rows (duration, event, covariates) are collapsed into one row
    with a case weight before fitting, which leaves the likelihood unchanged
    and saves time. ``max_rows`` fits on a seeded simple random sample of that
    many customers instead of all (``seed`` then required; an int or a
    ``numpy.random.Generator``); ``attrs['n']`` says how many were used.
    ``level`` is the coverage of the fitted models' intervals, in (0, 1).

    Returns
    -------
    table : one row per model: ``log_likelihood``, ``parameters`` (k),
        ``AIC``, ``delta_AIC`` and ``akaike_weight`` = exp(-delta/2) / sum,
        sorted best first; ``attrs['n']`` = N.
    models : dict name -> fitted :class:`ChurnAFT` (its lifelines fitter in ``model_``).

    Raises :class:`DataError` when a duration is 0 (the log-time models need
    positive durations; the message says how many rows).

    References
    ----------
    Akaike, H. (1974). A new look at the statistical model identification. *IEEE TAC* 19(6), 716-723.
    Burnham, K. P. & Anderson, D. R. (2002). *Model Selection and Multimodel Inference*, 2nd ed., eq. 2.14.
    """
    level = check_level(level)
    design = design_matrix(data, covariates, duration=duration, event=event)
    _positive_durations(design, duration)
    if max_rows is not None:
        max_rows = check_count(max_rows, "max_rows", minimum=10)
    rows = data
    if max_rows is not None and len(design) > max_rows:
        if seed is None:
            raise DataError(
                "max_rows needs a seed (an int or a numpy.random.Generator) for the random sample; "
                "crmlib draws nothing unseeded"
            )
        rng = as_rng(seed)
        rows = data.iloc[np.sort(rng.choice(len(design), size=int(max_rows), replace=False))]
    models, table = {}, []
    for name in AFT_DISTRIBUTIONS:
        m = ChurnAFT(name, level=level).fit(rows, covariates, duration=duration, event=event)
        models[name] = m
        table.append(
            {"model": name, "log_likelihood": m.log_likelihood_, "parameters": int(len(m.params_)), "AIC": m.AIC_}
        )
    tab = pd.DataFrame(table).set_index("model").sort_values("AIC")
    tab["delta_AIC"] = tab["AIC"] - tab["AIC"].min()
    wts = np.exp(-0.5 * tab["delta_AIC"])
    tab["akaike_weight"] = wts / wts.sum()
    tab.attrs["n"] = len(rows)
    tab.attrs["events"] = int(rows[event].sum())
    tab.attrs["sampled"] = len(rows) < len(data)
    return tab, models


def aft_conditional_median(model, data: pd.DataFrame, survived_days: float | Sequence[float]) -> pd.Series:
    """Median remaining lifetime (days) from a fitted AFT model given ``survived_days`` already stayed.

    ``model`` is a fitted :class:`ChurnAFT` or lifelines AFT fitter; ``data`` holds its design columns.

    References
    ----------
    lifelines, ``predict_median(conditional_after=...)`` (Davidson-Pilon 2019, JOSS 4(40), 1317).
    """
    s = np.broadcast_to(np.asarray(survived_days, dtype="float64"), (len(data),))
    fitter = model.model_ if isinstance(model, ChurnAFT) else model
    out = fitter.predict_median(data, conditional_after=s)
    return pd.Series(np.asarray(out, dtype="float64").ravel(), index=data.index, name="median_remaining")
