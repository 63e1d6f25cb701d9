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

__all__ = [
    "simulate_contracts",
    "TRUE_HAZARD_RATIOS",
    "PLAN_MARGIN",
    "simulate_two_part",
    "true_two_part_survival",
    "TRUE_TWO_PART",
    "hazard_ratio_recovery",
    "sbg_holdout_recovery",
]

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


TRUE_TWO_PART: dict[str, dict[str, float]] = {
    "odds_ratios": {"log_first_amount": 1.30, "online": 0.80},
    "hazard_ratios": {"log_first_amount": 0.85, "online": 1.30},
}
"""Default truth of :func:`simulate_two_part`: odds ratios of returning and hazard ratios of churn among returners."""


def simulate_two_part(
    n: int = 5000,
    *,
    seed: int | np.random.Generator,
    return_share_at_mean: float = 0.35,
    odds_ratios: Mapping[str, float] | None = None,
    hazard_ratios: Mapping[str, float] | None = None,
    weibull_scale_days: float = 200.0,
    weibull_shape: float = 0.8,
    follow_up_days: tuple[int, int] = (300, 550),
) -> pd.DataFrame:
    """Draw SIMULATED survival data from the two-part churn model (:class:`~crmlib.survival.TwoPartChurn`).

    Covariates: ``log_first_amount`` ~ Normal(3.3, 0.7) (log of a first order
    in currency units, as in CDNOW) and ``online`` (0/1, P = 0.4). A customer
    returns after day 1 with probability ``pi(x) = 1 / (1 + exp(-(g0 + x' gamma)))``,
    ``x`` centred at the covariate means, ``g0 = logit(return_share_at_mean)``
    (Farewell 1982); otherwise the lifetime is 1 day. A returner's lifetime is
    ``1 + ceil(lam (E exp(-x' beta))^(1/k))`` days, ``E ~ Exp(1)`` (Weibull
    proportional hazards, Bender, Augustin & Blettner 2005, eq. 6). Follow-up
    is uniform over ``follow_up_days`` (administrative censoring).

    Parameters
    ----------
    n : customers; seed : int or ``numpy.random.Generator``.
    return_share_at_mean : probability of returning at the covariate means (share in (0, 1)).
    odds_ratios, hazard_ratios : true odds ratios of returning and hazard ratios of churn among
        returners, per unit of ``log_first_amount`` and for ``online``; defaults in :data:`TRUE_TWO_PART`.
    weibull_scale_days, weibull_shape : ``lam`` (days) and ``k`` of the returners' baseline.
    follow_up_days : (shortest, longest) follow-up in days.

    Returns
    -------
    Survival data: ``duration`` (days), ``churned``, ``returned`` (the latent class, for
    checks only), ``log_first_amount``, ``online``, ``simulated`` (True); ``attrs`` hold the
    truth (``true_odds_ratios``, ``true_hazard_ratios``, ``intercept``, ``means``, the Weibull
    parameters) and a ``description`` beginning "SIMULATED".
    """
    n = check_count(n, "n", minimum=10, maximum=10_000_000)
    rng = as_rng(seed)
    share = float(return_share_at_mean)
    if not 0.0 < share < 1.0:
        raise DataError(f"return_share_at_mean must be in (0, 1), got {return_share_at_mean!r}")
    if weibull_scale_days <= 0 or weibull_shape <= 0:
        raise DataError("weibull_scale_days and weibull_shape must be positive")
    lo, hi = (check_count(v, "follow_up_days", minimum=2) for v in follow_up_days)
    if hi < lo:
        raise DataError(f"follow_up_days must be (shortest, longest), got {follow_up_days!r}")
    truth = {k: dict(v) for k, v in TRUE_TWO_PART.items()}
    for key, given in (("odds_ratios", odds_ratios), ("hazard_ratios", hazard_ratios)):
        if given is not None:
            unknown = set(given) - set(truth[key])
            if unknown:
                raise DataError(f"{key}: unknown covariate(s) {sorted(unknown)}; known: {sorted(truth[key])}")
            truth[key].update({k: float(v) for k, v in given.items()})
        if any(v <= 0 for v in truth[key].values()):
            raise DataError(f"{key} must be positive, got {truth[key]}")
    means = {"log_first_amount": 3.3, "online": 0.4}
    x = {"log_first_amount": rng.normal(3.3, 0.7, n), "online": (rng.random(n) < 0.4).astype("int64")}
    g0 = float(np.log(share / (1.0 - share)))
    eta = g0 + sum(np.log(truth["odds_ratios"][c]) * (x[c] - means[c]) for c in means)
    returned = rng.random(n) < 1.0 / (1.0 + np.exp(-eta))
    lin = sum(np.log(truth["hazard_ratios"][c]) * (x[c] - means[c]) for c in means)
    later = 1.0 + np.ceil(weibull_scale_days * (rng.exponential(1.0, n) * np.exp(-lin)) ** (1.0 / weibull_shape))
    lifetime = np.where(returned, later, 1.0)
    follow = rng.integers(lo, hi + 1, n).astype("float64")
    out = pd.DataFrame(
        {
            "duration": np.minimum(lifetime, follow),
            "churned": (lifetime <= follow).astype("int64"),
            "returned": returned,
            "log_first_amount": x["log_first_amount"],
            "online": x["online"],
            "simulated": True,
        },
        index=pd.RangeIndex(1, n + 1, name="customer_id"),
    )
    out.attrs.update(
        {
            "simulated": True,
            "true_odds_ratios": truth["odds_ratios"],
            "true_hazard_ratios": truth["hazard_ratios"],
            "intercept": g0,
            "means": means,
            "weibull_scale_days": float(weibull_scale_days),
            "weibull_shape": float(weibull_shape),
            "description": (
                f"SIMULATED two-part churn data (n={n}): returns after day 1 with a logistic probability "
                f"({share:.0%} at the covariate means; true odds ratios {truth['odds_ratios']}), returners churn "
                f"by a Weibull PH model (scale {weibull_scale_days:g} days, shape {weibull_shape:g}; true hazard "
                f"ratios {truth['hazard_ratios']})"
            ),
        }
    )
    return out


def true_two_part_survival(data: pd.DataFrame, times) -> np.ndarray:
    """True mean survival over the customers of :func:`simulate_two_part` at ``times`` (days), from its attrs.

    ``S(t | x) = 1`` for t < 1, else ``pi(x) exp(-(max(t - 1, 0) / lam)^k exp(x' beta))`` with the
    returners' lifetimes ``1 + ceil(W)`` read as steps (``W`` Weibull): ``S_R(t) = P(ceil(W) > t - 1)``.
    """
    a = data.attrs
    t = np.atleast_1d(np.asarray(times, dtype="float64"))
    means = a["means"]
    eta = a["intercept"] + sum(np.log(a["true_odds_ratios"][c]) * (data[c].to_numpy() - means[c]) for c in means)
    lin = sum(np.log(a["true_hazard_ratios"][c]) * (data[c].to_numpy() - means[c]) for c in means)
    pi = 1.0 / (1.0 + np.exp(-eta))
    w = np.floor(np.maximum(t - 1.0, 0.0))  # ceil(W) > t - 1  <=>  W > floor(t - 1) for whole days
    sr = np.exp(-((w[:, None] / a["weibull_scale_days"]) ** a["weibull_shape"]) * np.exp(lin)[None, :])
    s = np.where(t[:, None] < 1.0, 1.0, pi[None, :] * sr)
    return s.mean(axis=1)


def hazard_ratio_recovery(
    n_runs: int = 100, *, n: int = 2000, seed: int | np.random.Generator, level: float = 0.95
) -> pd.DataFrame:
    """Monte-Carlo recovery of the true hazard ratios by the Cox model over ``n_runs`` SIMULATED data sets.

    Each run draws :func:`simulate_contracts` (``n`` customers, default truth
    :data:`TRUE_HAZARD_RATIOS`) from one seeded generator, fits
    :class:`~crmlib.survival.ChurnCox` on ``plan``, ``online`` and ``age`` and
    keeps each hazard ratio and whether its ``level`` interval covers the
    truth (Morris, White & Crowther 2019, "Using simulation studies to
    evaluate statistical methods", Stat. Med. 38, 2074-2102: bias, coverage
    and their Monte-Carlo standard errors, Table 6).

    Returns
    -------
    DataFrame indexed by covariate: ``true_hazard_ratio``, ``mean_estimate``
    (geometric mean of the estimates), ``bias_log`` (mean of log estimate - log
    truth) with ``bias_log_mcse``, ``coverage`` (share of runs whose interval
    holds the truth) with ``coverage_mcse``; ``attrs``: ``n_runs``, ``n``, ``level``.
    """
    from .data import from_contracts
    from .regression import ChurnCox

    n_runs = check_count(n_runs, "n_runs", minimum=2)
    rng = as_rng(seed)
    logs, covered = [], []
    for _ in range(n_runs):  # runs of a simulation study, not customers
        c = simulate_contracts(n, seed=rng)
        sd = from_contracts(c, observation_end=c.attrs["observation_end"])
        hr = ChurnCox(level=level).fit(sd, ["plan", "online", "age"]).hazard_ratios()
        truth = pd.Series(c.attrs["true_hazard_ratios"]).reindex(hr.index)
        logs.append(np.log(hr["hazard_ratio"]) - np.log(truth))
        covered.append((hr["lower"] <= truth) & (truth <= hr["upper"]))
    lg, cov = pd.concat(logs, axis=1), pd.concat(covered, axis=1).astype("float64")
    true = pd.Series(TRUE_HAZARD_RATIOS).reindex(lg.index)
    out = pd.DataFrame(
        {
            "true_hazard_ratio": true,
            "mean_estimate": true * np.exp(lg.mean(axis=1)),
            "bias_log": lg.mean(axis=1),
            "bias_log_mcse": lg.std(axis=1, ddof=1) / np.sqrt(n_runs),
            "coverage": cov.mean(axis=1),
            "coverage_mcse": np.sqrt(cov.mean(axis=1) * (1 - cov.mean(axis=1)) / n_runs),
        }
    )
    out.index.name = "covariate"
    out.attrs.update({"n_runs": n_runs, "n": n, "level": level})
    return out


def sbg_holdout_recovery(
    n_runs: int = 50,
    *,
    n: int = 5000,
    seed: int | np.random.Generator,
    period_days: float = 90.0,
    periods: int = 8,
    fit_periods: int = 4,
) -> pd.DataFrame:
    """Monte-Carlo study of the sBG projection's holdout error over ``n_runs`` SIMULATED contract sets.

    Each run draws :func:`simulate_contracts` (``n`` customers, Weibull PH with shape 0.8 and
    covariates) from one seeded generator and runs :func:`~crmlib.survival.sbg_comparison`
    (sBG fitted on periods ``0..fit_periods``); the error of each holdout period is
    ``S_sBG - S_KM`` (share). sBG assumes a constant churn probability per customer
    (Fader & Hardie 2007); the simulated hazard falls with tenure *within* each customer as
    well, which sBG attributes to heterogeneity alone, so a drift of the error with the period
    is expected, and one run cannot tell drift from noise (Morris, White & Crowther 2019,
    Stat. Med. 38, 2074-2102: the mean over runs with its Monte-Carlo standard error).

    Returns
    -------
    DataFrame indexed by holdout ``period``: ``day`` (its end, days), ``mean_error`` with
    ``mean_error_mcse``, ``sd_error`` and ``share_over`` (runs where sBG is above Kaplan-Meier);
    ``attrs``: ``n_runs``, ``n`` (customers simulated per run), ``cohort_n`` (mean closed-cohort size).
    """
    from .compare import sbg_comparison
    from .data import from_contracts

    n_runs = check_count(n_runs, "n_runs", minimum=2)
    rng = as_rng(seed)
    errors, sizes = [], []
    for _ in range(n_runs):  # runs of a simulation study, not customers
        c = simulate_contracts(n, seed=rng)
        sd = from_contracts(c, observation_end=c.attrs["observation_end"])
        by, _, _ = sbg_comparison(sd, period_days=period_days, periods=periods, fit_periods=fit_periods)
        hold = by.loc[~by["fitted"]]
        errors.append((hold["S_sbg"] - hold["S_km"]).to_numpy())
        sizes.append(by.attrs["n"])
        days = hold["day"].to_numpy()
    err = np.vstack(errors)
    out = pd.DataFrame(
        {
            "day": days,
            "mean_error": err.mean(axis=0),
            "mean_error_mcse": err.std(axis=0, ddof=1) / np.sqrt(n_runs),
            "sd_error": err.std(axis=0, ddof=1),
            "share_over": (err > 0).mean(axis=0),
        },
        index=pd.Index(np.arange(fit_periods + 1, periods + 1), name="period"),
    )
    out.attrs.update({"n_runs": n_runs, "n": n, "cohort_n": float(np.mean(sizes))})
    return out
