"""crmlib.survival.value: survival-based value against independent numerical integration (scipy quad)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import restricted_mean_survival_time
from scipy.integrate import quad

from crmlib.exceptions import DataError, DataWarning
from crmlib.survival import (
    ChurnCox,
    customer_value,
    daily_discount_rate,
    from_contracts,
    segment_value,
    simulate_contracts,
    smooth_discounted_area,
    step_discounted_area,
)
from crmlib.survival.value import kaplan_meier_arrays

DELTA = daily_discount_rate(0.10)


def quad_step(times, values, horizon, delta, shift=0.0):
    """Independent check: scipy quad of S(shift + t) / S(shift) * exp(-delta t) over [0, H], piece by piece."""
    times, values = np.asarray(times, dtype=float), np.asarray(values, dtype=float)

    def s(u):
        i = np.searchsorted(times, u, side="right") - 1
        return 1.0 if i < 0 else values[i]

    base = s(shift)
    cuts = np.unique(np.concatenate([[0.0, horizon], times[(times > shift) & (times < shift + horizon)] - shift]))
    return sum(quad(lambda t: s(shift + t) / base * np.exp(-delta * t), a, b)[0] for a, b in zip(cuts[:-1], cuts[1:]))


def weibull_s(t, lam=400.0, k=1.3):
    return np.exp(-((np.asarray(t) / lam) ** k))


@pytest.fixture(scope="module")
def sim():
    c = simulate_contracts(3000, seed=99)
    return from_contracts(c, observation_end=c.attrs["observation_end"])


def test_daily_discount_rate_compounds_to_the_annual_rate():
    assert np.exp(daily_discount_rate(0.1) * 365.25) == pytest.approx(1.1)


def test_smooth_area_equals_quad_on_weibull_survival():
    for horizon in (90.0, 730.0, 1500.0):
        ref = quad(lambda t: weibull_s(t) * np.exp(-DELTA * t), 0, horizon)[0]
        assert float(smooth_discounted_area(weibull_s, horizon, DELTA)) == pytest.approx(ref, rel=1e-9)


def test_step_area_equals_quad_on_a_known_step_function():
    times = np.array([0.0, 10.0, 25.0, 40.0, 90.0])
    surv = np.array([1.0, 0.8, 0.5, 0.45, 0.1])

    def s(t):
        return surv[np.searchsorted(times, t, side="right") - 1]

    for horizon in (5.0, 30.0, 60.0, 200.0):
        ref = quad(lambda t: s(t) * np.exp(-DELTA * t), 0, horizon, points=times[times < horizon][1:], limit=200)[0]
        assert float(step_discounted_area(times, surv, horizon, DELTA)) == pytest.approx(ref, rel=1e-8)
    two = step_discounted_area(times, np.column_stack([surv, surv**2]), 60.0, DELTA)
    assert two.shape == (2,) and two[0] == pytest.approx(float(step_discounted_area(times, surv, 60.0, DELTA)))


def test_kaplan_meier_arrays_equal_lifelines(sim):
    t, n, d, s = kaplan_meier_arrays(sim["duration"], sim["churned"])
    ref = KaplanMeierFitter().fit(sim["duration"], sim["churned"])
    np.testing.assert_allclose(s, ref.survival_function_.loc[t].to_numpy().ravel())
    np.testing.assert_array_equal(n, ref.event_table.loc[t, "at_risk"].to_numpy())


def test_segment_value_equals_quad_over_lifelines_km(sim):
    tab = segment_value(sim, margin_per_day=1.5, horizon_days=730, discount_rate=0.1, segment="plan")
    for plan in ["basic", "plus", "premium"]:
        part = sim[sim["plan"] == plan]
        km = KaplanMeierFitter().fit(part["duration"], part["churned"])
        sf = km.survival_function_.iloc[:, 0]
        ref = quad_step(sf.index, sf.to_numpy(), 730.0, DELTA)
        assert tab.loc[plan, "value"] == pytest.approx(1.5 * ref, rel=1e-9)
        assert tab.loc[plan, "customers"] == len(part)


def test_undiscounted_value_is_margin_times_lifelines_restricted_mean(sim):
    tab = segment_value(sim, margin_per_day=2.0, horizon_days=500)
    km = KaplanMeierFitter().fit(sim["duration"], sim["churned"])
    assert tab.loc["all", "value"] == pytest.approx(2.0 * restricted_mean_survival_time(km, t=500), rel=1e-10)


def test_delta_method_se_agrees_with_seeded_bootstrap(sim):
    kw = dict(margin_per_day=1.0, horizon_days=730, discount_rate=0.1, segment="plan")
    dm = segment_value(sim, **kw)
    bs = segment_value(sim, method="bootstrap", n_boot=400, seed=1, **kw)
    np.testing.assert_allclose(bs["se"], dm["se"], rtol=0.15)
    np.testing.assert_allclose(bs["value"], dm["value"])
    again = segment_value(sim, method="bootstrap", n_boot=400, seed=1, **kw)
    pd.testing.assert_frame_equal(bs, again)


def test_segment_value_ci_covers_the_true_value_of_the_simulation(sim):
    # truth: mean over the segment's customers of the known Weibull-PH survival (no censoring), integrated by quad
    c = simulate_contracts(3000, seed=99)
    hr, lam, k = c.attrs["true_hazard_ratios"], c.attrs["weibull_scale_days"], c.attrs["weibull_shape"]
    lin = (
        np.log(hr["plan_plus"]) * (c["plan"] == "plus")
        + np.log(hr["plan_premium"]) * (c["plan"] == "premium")
        + np.log(hr["online"]) * c["online"]
        + np.log(hr["age"]) * c["age"]
    ).to_numpy()
    tab = segment_value(sim, margin_per_day=1.0, horizon_days=730, discount_rate=0.1, segment="plan")
    for plan in ["basic", "plus", "premium"]:
        risk = np.exp(lin[(c["plan"] == plan).to_numpy()])
        true = quad(lambda t: np.mean(np.exp(-((t / lam) ** k) * risk)) * np.exp(-DELTA * t), 0, 730)[0]
        assert tab.loc[plan, "lower"] <= true <= tab.loc[plan, "upper"], (plan, true)


def test_customer_value_from_cox_curves_equals_quad_and_conditional_value(sim):
    cox = ChurnCox().fit(sim, ["plan", "online", "age"])
    X = cox.design_.iloc[:3, 2:]
    sf = cox.model_.predict_survival_function(X)
    v = customer_value(sf, margin_per_day=[1.0, 2.0, 3.0], horizon_days=365, discount_rate=0.1)
    cv = customer_value(sf, margin_per_day=1.0, horizon_days=365, discount_rate=0.1, survived_days=200)
    for j, col in enumerate(sf.columns):
        curve = sf[col]
        ref = quad_step(curve.index, curve.to_numpy(), 365.0, DELTA)
        assert v.iloc[j] == pytest.approx((j + 1) * ref, rel=1e-9)
        ref_c = quad_step(curve.index, curve.to_numpy(), 365.0, DELTA, shift=200.0)
        assert cv.iloc[j] == pytest.approx(ref_c, rel=1e-9)


def test_inputchecks_value():
    d = pd.DataFrame({"duration": [1.0, 2, 3], "churned": [1, 1, 0]})
    with pytest.raises(DataError, match="crmlib draws nothing unseeded"):
        segment_value(d, margin_per_day=1.0, horizon_days=2, method="bootstrap")
    with pytest.raises(DataError, match="horizon_days must be > 0, got 0"):
        segment_value(d, margin_per_day=1.0, horizon_days=0)
    with pytest.raises(DataError, match="discount_rate is an annual effective rate, .* got -1"):
        segment_value(d, margin_per_day=1.0, horizon_days=2, discount_rate=-1.0)
    with pytest.warns(DataWarning, match="beyond the longest observed duration"):
        segment_value(d, margin_per_day=1.0, horizon_days=10)


@pytest.mark.slow
def test_customer_value_interval_covers_the_true_value_of_simulated_profiles():
    """Bootstrap of the whole Cox fit against the known Weibull PH truth of the SIMULATED contracts.

    Lifetimes are drawn in continuous time and rounded up to whole days, so the true value of a
    customer with linear predictor eta is  m * sum_{j < H} S(j) * integral_j^{j+1} e^{-delta u} du,
    with S(j) = exp(-(j / lam)^k * e^eta)  (ceil(T) > t  <=>  T > floor(t)).
    """
    from crmlib.survival import ChurnCox, customer_value_interval, simulate_contracts

    raw = simulate_contracts(2000, seed=11)
    sd = from_contracts(raw, observation_end=raw.attrs["observation_end"])
    lam, k, hr = raw.attrs["weibull_scale_days"], raw.attrs["weibull_shape"], raw.attrs["true_hazard_ratios"]
    plan = pd.Categorical(["basic", "premium", "plus"], categories=["basic", "plus", "premium"])
    prof = pd.DataFrame({"plan": plan, "online": [0, 1, 1], "age": [40.0, 30.0, 60.0]}, index=["p1", "p2", "p3"])
    eta = (
        np.log(hr["plan_plus"]) * (prof["plan"] == "plus")
        + np.log(hr["plan_premium"]) * (prof["plan"] == "premium")
        + np.log(hr["online"]) * prof["online"]
        + np.log(hr["age"]) * prof["age"]
    ).to_numpy()
    m, h, rate = 2.0, 365, 0.10
    delta = daily_discount_rate(rate)
    j = np.arange(h)[:, None]
    disc = (np.exp(-delta * j) - np.exp(-delta * (j + 1))) / delta
    truth = m * (np.exp(-((j / lam) ** k) * np.exp(eta)[None, :]) * disc).sum(axis=0)

    out = customer_value_interval(
        sd,
        ["plan", "online", "age"],
        prof,
        margin_per_day=m,
        horizon_days=h,
        discount_rate=rate,
        n_boot=40,
        seed=5,
    )
    cox = ChurnCox().fit(sd, ["plan", "online", "age"])
    direct = customer_value(
        cox.model_.predict_survival_function(cox._x(prof)), margin_per_day=m, horizon_days=h, discount_rate=rate
    )
    np.testing.assert_allclose(out["value"].to_numpy(), direct.to_numpy())  # point value = the full-data fit
    assert ((out["lower"] <= truth) & (truth <= out["upper"])).all(), (out, truth)
    assert (np.abs(out["value"] - truth) / out["se"]).max() < 3.3
    assert (out["se"] > 0).all() and (out["upper"] - out["lower"] < 0.15 * out["value"]).all()


def test_inputchecks_customer_value_interval():
    from crmlib.survival import customer_value_interval, simulate_contracts

    raw = simulate_contracts(300, seed=2)
    sd = from_contracts(raw, observation_end=raw.attrs["observation_end"])
    prof = sd.head(1)
    with pytest.raises(DataError, match="seed must be an int or a numpy.random.Generator, got None"):
        customer_value_interval(sd, ["online"], prof, margin_per_day=1.0, horizon_days=30)
    with pytest.raises(DataError, match="n_boot must be >= 20 and <= 100,000, got 5"):
        customer_value_interval(sd, ["online"], prof, margin_per_day=1.0, horizon_days=30, n_boot=5, seed=1)
    with pytest.raises(DataError, match="horizon_days reaches 5000, beyond the last churn observed"):
        customer_value_interval(sd, ["online"], prof, margin_per_day=1.0, horizon_days=5000, n_boot=20, seed=1)


def test_margin_per_active_day_counts_revenue_inside_the_spells_by_hand():
    from crmlib.survival import from_transactions, margin_per_active_day

    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 3, 3],
            "date": pd.to_datetime(
                ["2020-01-01", "2020-01-05", "2020-06-01", "2020-01-10", "2020-03-01", "2020-03-01"]
            ),
            "amount": [10.0, 20.0, 40.0, 5.0, 3.0, 7.0],
        }
    )
    sd = from_transactions(log, 30, observation_end="2020-12-31")
    # customer 1: spell 01-01..01-05 (5 days; the June purchase is after the lapse), 30 in it;
    # customer 2: 01-10 (1 day), 5; customer 3: 03-01 (1 day), 3 + 7 on one purchase day
    assert sd["duration"].tolist() == [5.0, 1.0, 1.0]
    got = margin_per_active_day(log, sd, margin_share=0.5)
    assert got == pytest.approx(0.5 * (30 + 5 + 10) / 7)
    with pytest.raises(DataError, match="margin_share must be in"):
        margin_per_active_day(log, sd, margin_share=0)
    with pytest.raises(DataError, match="not in the survival data"):
        margin_per_active_day(log, sd.drop(index=3), margin_share=0.5)
