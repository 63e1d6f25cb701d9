"""crmlib.survival.compare: Kaplan-Meier against the sBG cohort model on data with known truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from crmlib.exceptions import ConvergenceError, DataError, DataWarning
from crmlib.survival import from_contracts, sbg_comparison, simulate_contracts

P = 30.0  # days per period
START = pd.Timestamp("2020-01-01")


def sbg_cohort(n=4000, alpha=0.704, beta=1.182, follow=10, seed=0, late=0):
    """A closed cohort from the sBG model itself (FH 2007 'regular' parameters); ``late`` customers join later."""
    rng = np.random.default_rng(seed)
    theta = rng.beta(alpha, beta, n)
    t = rng.geometric(theta)  # periods until churn, >= 1
    churned = t <= follow
    start = np.where(np.arange(n) < late, START + pd.Timedelta(days=5 * P), START)
    obs_end = START + pd.Timedelta(days=follow * P)
    reach = (obs_end - pd.to_datetime(start)) / pd.Timedelta(days=1)
    dur = np.minimum(t * P, reach)
    d = pd.DataFrame({"start": pd.to_datetime(start), "duration": dur, "churned": (t * P <= reach).astype(int)})
    d.attrs["observation_end"] = obs_end
    return d, churned


def test_sbg_recovers_fader_hardie_parameters_and_km_column_is_lifelines_km():
    d, _ = sbg_cohort(late=500)
    by, value, model = sbg_comparison(d, period_days=P, periods=8, fit_periods=8)
    lo, hi = model.confidence_intervals_.iloc[:, 0], model.confidence_intervals_.iloc[:, 1]
    assert lo["alpha"] <= 0.704 <= hi["alpha"] and lo["beta"] <= 1.182 <= hi["beta"]
    cohort = d.iloc[500:]  # the late joiners cannot be followed for 8 periods
    assert by.attrs["n"] == len(cohort) == 3500
    km = KaplanMeierFitter().fit(cohort["duration"], cohort["churned"])
    np.testing.assert_allclose(by["S_km"].to_numpy(), km.predict(by["day"].to_numpy()).to_numpy())
    np.testing.assert_allclose(by["S_sbg"].to_numpy(), model.survival(np.arange(9)))


def test_values_equal_direct_sums_and_infinite_horizon_equals_long_sum():
    d, _ = sbg_cohort(seed=1)
    annual = 1.01 ** (365.25 / P) - 1  # 1 % per period of P days, as an annual effective rate
    by, value, model = sbg_comparison(
        d, period_days=P, periods=6, fit_periods=4, margin_per_period=5.0, discount_rate=annual
    )
    disc = 1.01 ** -np.arange(6)
    assert value.iloc[0, 0] == pytest.approx(5.0 * (by["S_km"].to_numpy()[:6] @ disc))
    assert value.iloc[1, 0] == pytest.approx(5.0 * (by["S_sbg"].to_numpy()[:6] @ disc))
    t = np.arange(200000)
    assert value.iloc[2, 0] == pytest.approx(5.0 * np.sum(model.survival(t) * 1.01**-t), rel=1e-6)
    assert by["fitted"].sum() == 5 and not by.loc[5, "fitted"]


def test_simulated_contracts_run_end_to_end():
    c = simulate_contracts(3000, seed=4)
    sd = from_contracts(c, observation_end=c.attrs["observation_end"])
    by, value, _ = sbg_comparison(sd, period_days=90, periods=8, fit_periods=4)
    assert (by["active"].diff().dropna() <= 0).all()
    assert abs(by.loc[4, "S_sbg"] - by.loc[4, "S_km"]) < 0.02  # inside the calibration periods


def test_inputchecks_sbg_comparison():
    d, _ = sbg_cohort()
    with pytest.raises(DataError, match="1 < fit_periods <= periods"):
        sbg_comparison(d, period_days=P, periods=4, fit_periods=5)
    with pytest.raises(DataError, match="can be followed for 40 x 30 days"):
        sbg_comparison(d, period_days=P, periods=40, fit_periods=5)
    with pytest.raises(DataError, match="attrs\\['observation_end'\\]"):
        sbg_comparison(d.drop(columns="start"), period_days=P, periods=4, fit_periods=3)


def _weibull_cohort(shape, scale):
    rng = np.random.default_rng(3)
    t = np.ceil(scale * rng.weibull(shape, 3000))
    d = pd.DataFrame({"start": START, "duration": np.minimum(t, 400.0), "churned": (t <= 400).astype(int)})
    d.attrs["observation_end"] = START + pd.Timedelta(days=400)
    return d


@pytest.mark.filterwarnings("ignore::crmlib.exceptions.ConvergenceWarning")  # the sBG fitter may warn as well
def test_sbg_warns_when_retention_falls_with_tenure():
    # homogeneous Weibull, shape 2: churn rises with tenure, which sBG cannot represent
    # the warning comes before the fit; whether the misspecified fit then converges depends on the sBG
    # fitter's identification check, and either outcome must name the reason
    with pytest.warns(DataWarning, match="sBG implies retention that rises with tenure"):
        try:
            by, _, _ = sbg_comparison(_weibull_cohort(2.0, 200.0), period_days=40, periods=8, fit_periods=6)
        except ConvergenceError as exc:
            assert "rises with tenure" in str(exc)
        else:
            assert by.attrs["retention_falls"]


def test_sbg_fit_failure_explains_the_reason():
    with (
        pytest.warns(DataWarning),
        pytest.raises(ConvergenceError, match="sBG implies retention that rises with tenure"),
    ):
        sbg_comparison(_weibull_cohort(1.2, 540.0), period_days=40, periods=8, fit_periods=6)
