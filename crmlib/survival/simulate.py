"""A SIMULATED contractual data set from a known proportional-hazards model.

No real public contractual data set with covariates can be shipped with
crmlib, so the contractual examples use data drawn from a documented model.
Every output is labelled: a ``simulated`` column that is ``True`` on every
row, ``attrs["simulated"] = True`` and ``attrs["description"]``.

The model (Bender, Augustin & Blettner 2005, "Generating survival times to
simulate Cox proportional hazards models", Statistics in Medicine 24,
1713-1723, eq. 6 with a Weibull baseline)
-------------------------------------------------------------------------
* Hazard of customer ``i`` at contract age ``t`` (days)::

      h(t | x_i) = h0(t) * exp(x_i' beta),   h0(t) = (k / lam) * (t / lam)**(k - 1)

  so the baseline cumulative hazard is ``H0(t) = (t / lam)**k`` and the
  survival function ``S(t | x) = exp(-H0(t) * exp(x' beta))``.
* Draw: ``T_i = lam * (E_i * exp(-x_i' beta))**(1 / k)`` with ``E_i ~ Exp(1)``
  (inverse-transform sampling, Bender et al. eq. 6), rounded up to whole days.
* Covariates: ``plan`` in {basic, plus, premium} with probabilities
  (0.5, 0.3, 0.2) (reference level "basic"); ``online`` (acquired online,
  0/1, P = 0.4); ``age`` in years ~ Normal(40, 12) clipped to [18, 80].
* Default true hazard ratios (:data:`TRUE_HAZARD_RATIOS`): plan plus 0.75,
  plan premium 0.50, online 1.40, age 0.98 per year.
* Entry is staggered: start dates uniform over ``acquisition_days`` from
  ``start_date``; censoring is administrative at ``observation_end``
  (contracts still running have no end date).
* ``monthly_margin`` (currency units per 30 days): 20 / 35 / 55 for basic /
  plus / premium, for the survival-value examples.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._checks import as_rng, check_count
from ..exceptions import DataError

__all__ = ["simulate_contracts", "TRUE_HAZARD_RATIOS", "PLAN_MARGIN"]

TRUE_HAZARD_RATIOS: dict[str, float] = {"plan_plus": 0.75, "plan_premium": 0.50, "online": 1.40, "age": 0.98}
"""Default true hazard ratios of the simulated contracts (age: per year)."""

PLAN_MARGIN: dict[str, float] = {"basic": 20.0, "plus": 35.0, "premium": 55.0}
"""Monthly margin per plan (currency units per 30 days) in the simulated contracts."""


def simulate_contracts(
    n: int = 5000,
    *,
    seed: int | np.random.Generator,
    hazard_ratios: Mapping[str, float] | None = None,
    weibull_scale_days: float = 400.0,
    weibull_shape: float = 0.8,
    observation_start: str | pd.Timestamp = "2022-01-01",
    acquisition_days: int = 730,
    observation_end: str | pd.Timestamp = "2024-12-31",
) -> pd.DataFrame:
    """Draw SIMULATED contracts from the Weibull proportional-hazards model above.

    Parameters
    ----------
    n : number of customers (contracts).
    seed : int or ``numpy.random.Generator``; same seed, same data.
    hazard_ratios : true hazard ratios for ``plan_plus``, ``plan_premium``,
        ``online`` and ``age`` (per year); default :data:`TRUE_HAZARD_RATIOS`.
    weibull_scale_days : ``lam``, the baseline Weibull scale (days).
    weibull_shape : ``k``, the baseline Weibull shape (< 1, the default 0.8: churn hazard
        falling with tenure, as in most customer bases; > 1: rising).
    observation_start, acquisition_days : the first day observed and the length of the
        acquisition window (days): start dates are uniform over ``acquisition_days`` from it.
    observation_end : administrative censoring date.

    Returns
    -------
    DataFrame with ``customer_id``, ``start``, ``end`` (NaT if active at the
    observation end), ``plan`` (categorical), ``online``, ``age``,
    ``monthly_margin``, ``lifetime_days`` (the drawn, possibly unobserved,
    lifetime — for checks only) and ``simulated`` (True). ``attrs`` hold
    ``simulated``, ``true_hazard_ratios``, the Weibull parameters,
    ``observation_end`` and a one-line ``description``.
    """
    n = check_count(n, "n", minimum=1, maximum=10_000_000)
    acquisition_days = check_count(acquisition_days, "acquisition_days", minimum=1)
    rng = as_rng(seed)
    if weibull_scale_days <= 0 or weibull_shape <= 0:
        raise DataError("weibull_scale_days and weibull_shape must be positive")
    hr = dict(TRUE_HAZARD_RATIOS)
    if hazard_ratios is not None:
        unknown = set(hazard_ratios) - set(hr)
        if unknown:
            raise DataError(f"hazard_ratios: unknown covariate(s) {sorted(unknown)}; known: {sorted(hr)}")
        hr.update({k: float(v) for k, v in hazard_ratios.items()})
    if any(v <= 0 for v in hr.values()):
        raise DataError(f"hazard_ratios must be positive, got {hr}")
    obs_end = pd.Timestamp(observation_end)
    first = pd.Timestamp(observation_start)
    if first + pd.Timedelta(days=acquisition_days) > obs_end:
        raise DataError("the acquisition window must end on or before observation_end")
    plan = rng.choice(np.array(["basic", "plus", "premium"]), size=n, p=[0.5, 0.3, 0.2])
    online = (rng.random(n) < 0.4).astype("int64")
    age = np.clip(rng.normal(40.0, 12.0, n), 18.0, 80.0).round(0)
    lin = (
        np.log(hr["plan_plus"]) * (plan == "plus")
        + np.log(hr["plan_premium"]) * (plan == "premium")
        + np.log(hr["online"]) * online
        + np.log(hr["age"]) * age
    )
    e = rng.exponential(1.0, n)
    lifetime = np.ceil(weibull_scale_days * (e * np.exp(-lin)) ** (1.0 / weibull_shape))
    offset = rng.integers(0, acquisition_days, n)
    start = first + pd.to_timedelta(offset, unit="D")
    end = start + pd.to_timedelta(np.minimum(lifetime, 36525.0), unit="D")  # later ends are censored anyway
    end = pd.Series(end).where(pd.Series(end) <= obs_end)
    out = pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1, dtype="int64"),
            "start": pd.Series(start),
            "end": end,
            "plan": pd.Categorical(plan, categories=["basic", "plus", "premium"]),
            "online": online,
            "age": age,
            "monthly_margin": pd.Series(plan).map(PLAN_MARGIN).astype("float64"),
            "lifetime_days": lifetime,
            "simulated": True,
        }
    )
    out.attrs.update(
        {
            "simulated": True,
            "true_hazard_ratios": hr,
            "weibull_scale_days": float(weibull_scale_days),
            "weibull_shape": float(weibull_shape),
            "observation_end": obs_end,
            "description": (
                f"SIMULATED contracts (n={n}) from a Weibull proportional-hazards model "
                f"(scale {weibull_scale_days:g} days, shape {weibull_shape:g}; true hazard ratios {hr})"
            ),
        }
    )
    return out
