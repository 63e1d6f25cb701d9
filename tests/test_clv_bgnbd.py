"""BG/NBD and MBG/NBD: published estimates, independent computations, simulations, properties.

Oracles: Fader, Hardie & Lee (2005, Marketing Science 24(2)) on the CDNOW
summary (r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4;
their spreadsheet's conditional expectation 1.226 for x = 2, t_x = 30.43,
T = 38.86, t = 39); lifetimes 0.11.3's ModifiedBetaGeoFitter on the same
data (run once in the reference environment, see benchmarks/bench_clv.py);
direct numerical integration over the mixing distributions; simulations.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special

from crmlib.clv import (
    BetaGeoModel,
    ModifiedBetaGeoModel,
)
from crmlib.clv.simulate import simulate_bgnbd, simulate_mbgnbd
from crmlib.exceptions import DataError

FHL = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def test_bgnbd_matches_fader_hardie_lee_2005(cdnow_bgnbd):
    assert list(cdnow_bgnbd.params_.index) == ["r", "alpha", "a", "b"]
    for k, v in FHL.items():
        assert cdnow_bgnbd.params_[k] == pytest.approx(v, abs=0.0006), k
    assert cdnow_bgnbd.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)
    assert cdnow_bgnbd.convergence_.converged


def test_bgnbd_conditional_expectation_matches_hardie_spreadsheet(cdnow_bgnbd):
    # Fader, Hardie & Lee (2005) / Hardie's BG/NBD spreadsheet: customer ID 1 (x=2, t_x=30.43, T=38.86), t=39 weeks
    assert cdnow_bgnbd.conditional_expected_purchases(39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=0.0005)


def test_bgnbd_expected_purchases_match_hardie_spreadsheet(cdnow_bgnbd):
    """FHL (2005) BG/NBD spreadsheet (bgnbd.xls, as pinned in lifetimes' tests): E[X(t)] at the estimates."""
    t = np.array([0.1429, 1.0, 3.00, 31.8571, 32.00, 78.00])
    np.testing.assert_allclose(
        cdnow_bgnbd.expected_purchases(t), [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576], atol=5e-4
    )


def test_bgnbd_conditional_expectation_against_direct_hyp2f1(cdnow_bgnbd):
    r, alpha, a, b = cdnow_bgnbd.params_
    x, tx, T, t = np.array([0, 1, 5, 20.0]), np.array([0, 10, 30, 35.0]), np.array([38.0, 38, 38, 38]), 52.0
    direct = (
        (a + b + x - 1)
        / (a - 1)
        * (
            1
            - ((alpha + T) / (alpha + T + t)) ** (r + x)
            * special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + t + T))
        )
        / (1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))
    )
    np.testing.assert_allclose(cdnow_bgnbd.conditional_expected_purchases(t, x, tx, T), direct, rtol=1e-10)
    np.testing.assert_allclose(
        cdnow_bgnbd.expected_purchases([1.0, 39.0, 78.0]),
        (a + b - 1)
        / (a - 1)
        * (
            1
            - (alpha / (alpha + np.array([1, 39, 78.0]))) ** r
            * special.hyp2f1(r, b, a + b - 1, np.array([1, 39, 78.0]) / (alpha + np.array([1, 39, 78.0])))
        ),
        rtol=1e-10,
    )


def test_bgnbd_loglik_against_numerical_integration(cdnow_bgnbd):
    """The closed-form likelihood (FHL eq. 6) equals the integral of the individual likelihood over lambda and p."""
    r, alpha, a, b = cdnow_bgnbd.params_
    x, tx, T = 3, 20.0, 38.0

    def indiv(lam, p):
        alive = (1 - p) ** x * lam**x * np.exp(-lam * T)
        dead = p * (1 - p) ** (x - 1) * lam**x * np.exp(-lam * tx)
        dens = np.exp(
            (r - 1) * np.log(lam)
            - alpha * lam
            + r * np.log(alpha)
            - special.gammaln(r)
            + (a - 1) * np.log(p)
            + (b - 1) * np.log1p(-p)
            - special.betaln(a, b)
        )
        return (alive + dead) * dens

    val, _ = integrate.dblquad(lambda lam, p: indiv(lam, p), 0, 1, 0, 5, epsabs=1e-14, epsrel=1e-10)
    ll = cdnow_bgnbd.loglik(pd.DataFrame({"frequency": [x], "recency": [tx], "T": [T]}))[0]
    assert ll == pytest.approx(np.log(val), abs=1e-6)


@pytest.mark.parametrize("Model", [BetaGeoModel, ModifiedBetaGeoModel])
def test_probabilities_sum_to_one_and_mean_equals_expectation(cdnow_bgnbd, Model, cdnow_summary):
    m = cdnow_bgnbd if Model is BetaGeoModel else Model().fit(cdnow_summary)
    n = np.arange(20_000)
    for t in (1.0, 39.0, 150.0):
        pmf = m.probability_of_purchases(n, t)
        assert np.all(pmf >= 0)
        assert pmf.sum() == pytest.approx(1.0, abs=1e-9)
        assert (n * pmf).sum() == pytest.approx(m.expected_purchases(t), rel=1e-5)


@pytest.mark.parametrize("Model", [BetaGeoModel, ModifiedBetaGeoModel])
def test_dert_against_numerical_integration_of_conditional_expectation(cdnow_bgnbd, Model, cdnow_summary):
    """DERT = integral of exp(-delta t) dE[Y(t)] = delta * integral exp(-delta t) E[Y(t)] dt (by parts)."""
    m = cdnow_bgnbd if Model is BetaGeoModel else Model().fit(cdnow_summary)
    delta = np.log(1.15) / 52  # FHL 2005b: 15% a year, log(1.15)/52 per week (a 52-week year)
    for x, tx, T in [(0, 0.0, 38.86), (2, 30.43, 38.86), (10, 35.0, 38.0)]:
        f = lambda t: delta * np.exp(-delta * t) * m.conditional_expected_purchases(t, x, tx, T)  # noqa: E731
        val = integrate.quad(f, 0, np.inf, limit=500, epsrel=1e-10)[0]
        assert m.dert(x, tx, T, discount_rate=0.15, periods_per_year=52) == pytest.approx(val, rel=1e-6)


def test_weighted_rows_give_the_fit_of_expanded_rows(cdnow_summary):
    small = cdnow_summary.iloc[:400]
    counts = np.random.default_rng(3).integers(1, 4, len(small))
    expanded = small.loc[small.index.repeat(counts)]
    weighted = small.assign(weight=counts)
    a = BetaGeoModel(compress=False).fit(expanded)
    b = BetaGeoModel(compress=False).fit(weighted)
    np.testing.assert_allclose(a.params_, b.params_, rtol=1e-7)
    assert a.log_likelihood_ == pytest.approx(b.log_likelihood_, rel=1e-12)
    np.testing.assert_allclose(a.standard_errors_, b.standard_errors_, rtol=1e-4)
    assert a.n_customers_ == b.n_customers_ == counts.sum()


def test_compression_does_not_change_the_fit(cdnow_summary):
    a = BetaGeoModel(compress=True).fit(cdnow_summary)
    b = BetaGeoModel(compress=False).fit(cdnow_summary)
    np.testing.assert_allclose(a.params_, b.params_, rtol=1e-7)
    assert a.log_likelihood_ == pytest.approx(b.log_likelihood_, rel=1e-12)


@pytest.mark.parametrize("Model,sim", [(BetaGeoModel, simulate_bgnbd), (ModifiedBetaGeoModel, simulate_mbgnbd)])
def test_recovers_known_parameters_from_simulation(Model, sim):
    truth = np.array([0.4, 5.0, 1.2, 3.0])
    T = np.random.default_rng(0).uniform(30, 80, 30000)
    m = Model().fit(sim(30000, T, *truth, seed=11))
    z = (m.params_.to_numpy() - truth) / m.standard_errors_.to_numpy()
    assert np.all(np.abs(z) < 4), z


def test_probability_alive_bounds_and_no_repeat_customer_alive(cdnow_bgnbd):
    x = np.array([0, 1, 5, 50, 10_000.0])
    p = cdnow_bgnbd.probability_alive(x, np.array([0, 0.01, 1, 38, 38.0]), np.full(5, 38.86))
    assert np.all((p >= 0) & (p <= 1))
    assert p[0] == 1.0  # BG/NBD: no drop-out before the first repeat purchase


@settings(max_examples=60, deadline=None)
@given(
    x=st.integers(0, 10_000),
    frac=st.floats(0, 1),
    T=st.floats(0.01, 10_000),
    params=st.tuples(*[st.floats(0.01, 50)] * 4),
    modified=st.booleans(),
)
def test_loglik_and_predictions_finite_for_extreme_histories(x, frac, T, params, modified):
    m = ModifiedBetaGeoModel() if modified else BetaGeoModel()
    tx = 0.0 if x == 0 else frac * T
    p = np.array(params)
    c = m._cache({"x": np.array([float(x)]), "tx": np.array([tx]), "T": np.array([T])})
    ll, g = m._loglik_grad(p, c)
    assert np.isfinite(ll).all() and np.isfinite(g).all()
    pa = m.probability_alive(x, tx, T, params=p)
    assert 0 <= pa <= 1
    if p[2] > 1.01:
        e = m.conditional_expected_purchases(52.0, x, tx, T, params=p)
        assert np.isfinite(e) and e >= -1e-9


def test_bad_data_messages(cdnow_summary):
    with pytest.raises(DataError, match="column 'recency' exceeds column 'T'"):
        BetaGeoModel().fit(cdnow_summary.assign(recency=cdnow_summary["T"] + 1))
    with pytest.raises(DataError, match="column 'frequency' must hold non-negative integers"):
        BetaGeoModel().fit(cdnow_summary.assign(frequency=-1))
    with pytest.raises(DataError, match=r"data has no column\(s\) \['T'\]"):
        BetaGeoModel().fit(cdnow_summary.drop(columns="T"))
    with pytest.raises(DataError, match="column 'recency' must be 0 when 'frequency' is 0"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [0, 1], "recency": [3.0, 2.0], "T": [5.0, 5.0]}))
    with pytest.raises(DataError, match="column 'T' must be non-negative"):
        BetaGeoModel().fit(cdnow_summary.assign(T=-1.0, recency=0.0))


@pytest.mark.parametrize("Model", [BetaGeoModel, ModifiedBetaGeoModel])
def test_hyp2f1_closed_forms_agree_with_quadrature_twin(Model):
    """FHL eq. (9)-(10) against E[(1/p)(1 - (1 + p t/A)^-R)] over the beta posterior (1-D quadrature)."""
    from crmlib.clv.bgnbd import _bg_active_expectation

    m = Model()
    p = np.array([0.24, 4.4, 0.79, 2.4])
    shift = 1.0 if Model is ModifiedBetaGeoModel else 0.0
    x = np.array([0, 2, 10, 300.0])
    tx = np.minimum(x, 30.0)
    closed = m.conditional_expected_purchases(39.0, x, tx, 38.0, params=p) / m.probability_alive(x, tx, 38.0, params=p)
    twin = _bg_active_expectation(p[0] + x, p[1] + 38.0, p[2], p[3] + x + shift, 39.0)
    np.testing.assert_allclose(closed, twin, rtol=1e-6)
    t = np.array([1.0, 39.0, 100.0])
    np.testing.assert_allclose(
        m.expected_purchases(t, params=p),
        _bg_active_expectation(p[0], p[1], p[2], p[3], t, survive_start=Model is ModifiedBetaGeoModel),
        rtol=1e-6,
    )
    # scipy's hyp2f1(2, 1; 101; 0.963) returns inf; the prediction falls back to the quadrature and stays finite
    assert np.isfinite(m.conditional_expected_purchases(52.0, 98, 0.0, 1.0, params=np.array([1.0, 1.0, 2.0, 2.0])))


def test_dert_and_fallback_accurate_for_b_below_one():
    """b < 1 puts a singularity at p = 1 in the beta density; DERT and the quadrature twin stay within 1e-6."""
    from crmlib.clv.bgnbd import _bg_active_expectation

    m = BetaGeoModel()
    p = np.array([0.25, 4.0, 1.5, 0.2])
    delta = np.log(1.15) / 52  # FHL 2005b: 15% a year, log(1.15)/52 per week (a 52-week year)
    f = lambda t: delta * np.exp(-delta * t) * m.conditional_expected_purchases(t, 0, 0.0, 38.0, params=p)  # noqa: E731
    ref = integrate.quad(f, 0, np.inf, limit=1000, epsrel=1e-11)[0]
    assert m.dert(0, 0.0, 38.0, discount_rate=0.15, periods_per_year=52, params=p) == pytest.approx(ref, rel=1e-6)
    # E[X(t)] of FHL eq. (9) against direct integration over p of (1/p)(1 - (alpha/(alpha + p t))^r)
    r, alpha, a, b = 3.0, 4.0, 0.3, 0.2
    for t in (39.0, 2000.0):
        g = lambda q: (
            (1 / q)
            * -np.expm1(-r * np.log1p(q * t / alpha))
            * np.exp(  # noqa: E731
                (a - 1) * np.log(q) + (b - 1) * np.log1p(-q) - special.betaln(a, b)
            )
        )
        ref = sum(integrate.quad(g, lo, hi, limit=500, epsabs=0, epsrel=1e-10)[0] for lo, hi in ((0, 0.5), (0.5, 1)))
        assert _bg_active_expectation(r, alpha, a, b, t) == pytest.approx(ref, rel=1e-6)


@pytest.mark.parametrize("Model", [BetaGeoModel, ModifiedBetaGeoModel])
def test_expected_purchases_at_a_equal_one_use_the_quadrature_twin(Model):
    """The closed form divides by a - 1; at a = 1 the prediction is the limit, not an error or inf."""
    m = Model()
    t = np.array([1.0, 39.0, 200.0])
    at_one = m.expected_purchases(t, params=[0.5, 4.0, 1.0, 2.5])
    near = m.expected_purchases(t, params=[0.5, 4.0, 1.0 + 1e-6, 2.5])
    np.testing.assert_allclose(at_one, near, rtol=1e-5)


def test_dert_finite_for_tiny_a():
    """a = 0.04 puts beta nodes below p = e^-709; the active customer's DERT is still the integral (was NaN)."""
    m = BetaGeoModel()
    P, x, tx, T, d = [0.422, 5.037, 0.04, 0.075], 1.0, 20.875, 31.37, 0.00039
    pa = m.probability_alive(x, tx, T, params=P)
    f = lambda t: d * np.exp(-d * t) * m.conditional_expected_purchases(t, x, tx, T, params=P) / pa  # noqa: E731
    ref = integrate.quad(f, 0, np.inf, limit=2000, epsrel=1e-10)[0]
    # d = 0.00039 per week continuously is the annual rate expm1(52 d) over a 52-week year
    dert = m.dert(x, tx, T, discount_rate=np.expm1(52 * d), periods_per_year=52, params=P)
    assert dert / pa == pytest.approx(ref, rel=1e-5)


@pytest.mark.parametrize("Model", [BetaGeoModel, ModifiedBetaGeoModel])
def test_inputchecks_predictions_refuse_negative_times_and_counts(cdnow_bgnbd, Model):
    """Issue 14: conditional_expected_purchases(-5, ...) returned -0.13 and P(n = -1) = 1.45."""
    p = cdnow_bgnbd.params_
    m = Model()
    with pytest.raises(DataError, match="t must be >= 0, got -5"):
        m.conditional_expected_purchases(-5, 2, 30.43, 38.86, params=p)
    with pytest.raises(DataError, match="t must be >= 0, got -1"):
        m.expected_purchases([1.0, -1.0], params=p)
    with pytest.raises(DataError, match="n must be >= 0, got -1"):
        m.probability_of_purchases(-1, 10.0, params=p)
    with pytest.raises(DataError, match="n must be a whole number, got 1.5"):
        m.probability_of_purchases(1.5, 10.0, params=p)
    with pytest.raises(DataError, match="frequency must be a whole number, got 2.5"):
        m.probability_alive(2.5, 30.0, 38.0, params=p)
    with pytest.raises(DataError, match="recency must not exceed T"):
        m.probability_alive(2, 40.0, 38.0, params=p)
    with pytest.raises(DataError, match="T must be >= 0, got -1"):
        m.probability_alive(0, 0.0, -1.0, params=p)


def test_inputchecks_dert_discount_rate_is_annual_and_periods_per_year_known(cdnow_bgnbd):
    with pytest.raises(
        DataError, match=r"discount_rate is an annual effective rate.*got 15 \(for 15% a year pass 0.15\)"
    ):
        cdnow_bgnbd.dert(2, 30.43, 38.86, discount_rate=15, periods_per_year=52)
    with pytest.raises(DataError, match="periods_per_year is required.*no SummarySpec"):
        cdnow_bgnbd.dert(2, 30.43, 38.86, discount_rate=0.15)
    with pytest.raises(DataError, match=r"periods_per_year must be a positive number \(52.18 for weeks\), got -52"):
        cdnow_bgnbd.dert(2, 30.43, 38.86, discount_rate=0.15, periods_per_year=-52)
