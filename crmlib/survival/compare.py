"""Kaplan-Meier retention against the shifted-beta-geometric (sBG) cohort model.

Where both apply — a contractual cohort followed over whole periods — the
sBG model of Fader & Hardie (2007, "How to project customer retention",
J. Interactive Marketing 21(1), eq. 5-10) summarises retention with two
parameters and projects it beyond the data, while Kaplan-Meier only
describes the observed periods. :func:`sbg_comparison` builds the sBG input
(customers still active at period 0, 1, ..., n) from survival data, fits
:class:`crmlib.clv.sbg.ShiftedBetaGeometricModel` on the first
``fit_periods`` periods, and sets its survival and discounted-value
predictions beside the Kaplan-Meier ones over all ``periods``.

Only customers who could be followed for all ``periods`` (potential
follow-up = observation end - start) enter, so the cohort is closed and
"active at period k" is known for every member: ``active_k = #{duration >
k * period_days}``. With no censoring before the end of the grid the
Kaplan-Meier estimate at ``k * period_days`` equals ``active_k / active_0``.

Dependency note: this is the one place where a model module imports another
model (``crmlib.survival`` -> ``crmlib.clv.sbg``), because the comparison is
between the two. The import is one-way (``crmlib.clv`` never imports
``crmlib.survival``) and done inside the function, so ``crmlib.survival``
loads without the CLV models.

Discounted value per customer over ``H`` periods, margin ``m`` per period
paid at the start of each period while active, discount ``d`` per period
(Fader & Hardie 2010, Marketing Science 29(1), eq. 3 truncated at ``H``)::

    V = m * sum_{t=0}^{H-1} S(t) / (1 + d)^t

where ``d = (1 + discount_rate)^(period_days / 365.25) - 1`` is the rate per
period of the annual effective ``discount_rate``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._checks import check_positive
from ..exceptions import ConvergenceError, DataError, DataWarning
from ..spec import DAYS_PER_YEAR
from .curves import _follow_up
from .data import validate_survival
from .value import _finite, daily_discount_rate

__all__ = ["sbg_comparison", "sbg_elasticity_table"]


def sbg_comparison(
    data: pd.DataFrame,
    *,
    period_days: float,
    periods: int,
    fit_periods: int,
    margin_per_period: float = 1.0,
    discount_rate: float = 0.0,
    duration: str = "duration",
    event: str = "churned",
    entry: str = "start",
) -> tuple[pd.DataFrame, pd.DataFrame, object]:
    """Fit the sBG model to a closed cohort built from survival data and compare it with Kaplan-Meier.

    Parameters
    ----------
    data : survival data (durations in days) with the entry column ``entry`` and
        ``attrs['observation_end']`` (as from :func:`from_contracts`).
    period_days : length of one renewal period (days).
    periods : ``n``, periods compared (the cohort must be followable for all of them).
    fit_periods : periods used to fit the sBG model (1 < fit_periods <= periods);
        later periods are a holdout.
    margin_per_period : margin per customer per period (currency units), for the value comparison.
    discount_rate : annual effective discount rate (0.10 for 10 % a year), converted to
        ``(1 + discount_rate)^(period_days / 365.25) - 1`` per period.

    Returns
    -------
    by_period : one row per period ``k = 0..n``: ``active`` (customers),
        ``S_km`` (observed share active), ``S_sbg`` (fitted), ``retention_km``,
        ``retention_sbg`` and ``fitted`` (True for calibration periods);
        ``attrs['n']`` = cohort size.
    value : values per customer over ``n`` periods from both curves, and the
        sBG's infinite-horizon value ``m * DEL(d)`` when ``d > 0``.
    model : the fitted ``ShiftedBetaGeometricModel``.

    Warns / raises
    --------------
    DataWarning when the observed retention falls over the calibration
    periods (``attrs['retention_falls']``); ConvergenceError, with that
    reason, when the sBG fit itself fails.
    """
    from ..clv.sbg import ShiftedBetaGeometricModel

    validate_survival(data, duration, event)
    if not (
        isinstance(periods, (int, np.integer))
        and isinstance(fit_periods, (int, np.integer))
        and 1 < fit_periods <= periods
    ):
        raise DataError(
            f"need whole numbers 1 < fit_periods <= periods, got fit_periods={fit_periods}, periods={periods}"
        )
    period_days = check_positive(period_days, "period_days")
    margin_per_period = _finite(margin_per_period, "margin_per_period")
    d_period = float(np.expm1(daily_discount_rate(discount_rate) * period_days))  # the annual rate per period
    if data.attrs.get("observation_end") is None or entry not in data.columns:
        raise DataError(f"sbg_comparison needs column {entry!r} and attrs['observation_end'] to find a closed cohort")
    reach = periods * float(period_days)
    full = (_follow_up(data, duration, entry) >= reach).to_numpy()
    cohort = data.loc[full]
    if len(cohort) < 30:
        raise DataError(
            f"only {len(cohort)} customers can be followed for {periods} x {period_days:g} days; "
            "shorten the periods or their number"
        )
    d = cohort[duration].to_numpy(dtype="float64")
    grid = np.arange(periods + 1) * float(period_days)
    active = (d[None, :] > grid[:, None]).sum(axis=1)
    active[0] = len(cohort)
    r_cal = active[1 : fit_periods + 1] / active[:fit_periods]
    half = max(1, fit_periods // 2)
    falling = float(np.mean(r_cal[half:])) < float(np.mean(r_cal[:half]))
    if falling:
        warnings.warn(
            f"observed period retention falls over the calibration periods (mean {np.mean(r_cal[:half]):.3f} in the "
            f"first {half}, {np.mean(r_cal[half:]):.3f} later), while sBG implies retention that rises with tenure "
            "(Fader & Hardie 2007, eq. 9): the sBG projection is misspecified for this cohort",
            DataWarning,
            stacklevel=2,
        )
    try:
        model = ShiftedBetaGeometricModel().fit(pd.DataFrame({"active": active[: fit_periods + 1]}))
    except ConvergenceError as exc:
        raise ConvergenceError(
            f"the sBG model does not fit this cohort: observed period retention goes {r_cal[0]:.3f} -> {r_cal[-1]:.3f} over "
            "the calibration periods, while sBG implies retention that rises with tenure (Fader & Hardie 2007, eq. 9); "
            f"a falling or flat retention (churn hazard rising with tenure) pushes it to its geometric limit. ({exc})"
        ) from None
    k = np.arange(periods + 1)
    s_km = active / active[0]
    s_sbg = model.survival(k)
    with np.errstate(divide="ignore", invalid="ignore"):
        r_km = np.r_[np.nan, np.where(active[:-1] > 0, active[1:] / active[:-1], np.nan)]
    r_sbg = np.r_[np.nan, model.retention_rate(k[1:])]
    by_period = pd.DataFrame(
        {
            "period": k,
            "day": grid,
            "active": active,
            "S_km": s_km,
            "S_sbg": s_sbg,
            "retention_km": r_km,
            "retention_sbg": r_sbg,
            "fitted": k <= fit_periods,
        }
    )
    by_period = by_period.set_index("period")
    by_period.attrs["n"] = int(len(cohort))
    by_period.attrs["retention_falls"] = falling
    disc = (1.0 + d_period) ** -k[:-1]
    value = {
        "Kaplan-Meier (observed)": margin_per_period * float(s_km[:-1] @ disc),
        "sBG (fitted)": margin_per_period * float(s_sbg[:-1] @ disc),
    }
    if d_period > 0:
        value["sBG, infinite horizon (m x DEL)"] = margin_per_period * model.discounted_expected_lifetime(
            discount_rate, periods_per_year=DAYS_PER_YEAR / period_days
        )
    value_tab = pd.DataFrame({"value_per_customer": pd.Series(value)})
    value_tab.index.name = f"curve (value over {periods} periods unless stated)"
    value_tab.attrs["n"] = int(len(cohort))
    return by_period, value_tab, model


def sbg_elasticity_table(
    model: object, *, discount_rate: float, period_days: float, tenures: Sequence[int] = (1, 2, 4, 8)
) -> pd.DataFrame:
    """Retention elasticity of a fitted sBG cohort by tenure, beside the one-rate ("textbook") elasticity.

    For a customer active for ``n`` periods (``tenures``): ``derl`` (discounted expected residual lifetime,
    periods; multiply by the margin per period for money), ``retention`` (the sBG retention rate at the
    next renewal, r_n), ``elasticity`` (% more DERL per 1 % more retention for every customer; Fader & Hardie
    2010, section 4) and ``elasticity_one_rate`` = (1+d)/(1+d-r_n), what one constant rate r_n implies
    (Gupta, Lehmann & Stuart 2004). ``discount_rate`` is annual; a period lasts ``period_days`` days.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2010). *Marketing Science* 29(1), 85-93.
    Gupta, S., Lehmann, D. R. & Stuart, J. A. (2004). Valuing customers. *JMR* 41(1), 7-18.
    """
    from ..clv.sbg import constant_retention_elasticity

    per_year = DAYS_PER_YEAR / float(check_positive(period_days, "period_days"))
    n = np.asarray(tenures, dtype="float64")
    r = model.retention_rate(n)  # type: ignore[attr-defined]
    out = pd.DataFrame(
        {
            "derl": model.derl(n, discount_rate, periods_per_year=per_year),  # type: ignore[attr-defined]
            "retention": r,
            "elasticity": model.retention_elasticity(n, discount_rate, periods_per_year=per_year),  # type: ignore[attr-defined]
            "elasticity_one_rate": constant_retention_elasticity(r, discount_rate, periods_per_year=per_year),
        },
        index=pd.Index(n.astype(int), name="periods_active"),
    )
    out.attrs["discount_rate"] = discount_rate
    return out
