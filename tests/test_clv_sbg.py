"""sBG (crmlib.clv.sbg): Fader & Hardie (2007, 2010) retention, DEL and DERL.

Oracles: FH 2007 estimates; an independent implementation's printed
projection and DERL; direct discounted sums; simulation.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlib.clv import ShiftedBetaGeometricModel
from crmlib.clv.simulate import simulate_sbg
from crmlib.exceptions import ConvergenceError, ConvergenceWarning, DataError

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]

HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]


@pytest.mark.parametrize("data,alpha,beta,ll", [(REGULAR, 0.704, 1.182, -1680.27), (HIGH_END, 0.668, 3.806, -1611.16)])
def test_sbg_matches_fader_hardie_2007(data, alpha, beta, ll):
    """Estimates: FH 2007, section 4. Log-likelihoods: high end -1611.2 in the paper's appendix spreadsheet
    (an R recreation of it reports -1611.158); regular -1680.2652 from an independent Python implementation
    of the same likelihood (github.com/abdullahau/customer-analytics), as the paper prints only the high end's."""
    m = ShiftedBetaGeometricModel().fit(data)
    assert m.params_["alpha"] == pytest.approx(alpha, abs=0.0006)
    assert m.params_["beta"] == pytest.approx(beta, abs=0.0006)
    assert m.log_likelihood_ == pytest.approx(ll, abs=0.006)
    assert m.convergence_.converged and not m.at_constant_churn_limit_
    # log-likelihood against direct summation of FH 2007 eq. (10)
    t = np.arange(1, len(data))
    lost = -np.diff(data)
    a, b = m.params_
    ll = (lost * np.log(m.churn_probability(t))).sum() + data[-1] * np.log(m.survival(len(data) - 1))
    assert m.log_likelihood_ == pytest.approx(ll, rel=1e-12)
    # the recursion of eq. (7)-(8)
    assert m.churn_probability(3) == pytest.approx(a / (a + b) * (b / (a + b + 1)) * ((b + 1) / (a + b + 2)), rel=1e-12)


def test_sbg_projection_and_derl_of_the_high_end_cohort_match_an_independent_implementation():
    """Projected survival for years 8-12 and DERL of the high-end cohort after 7 years (d = 10%),
    as printed in the README of jdmaturen/shifted_beta_geometric_py (an independent implementation
    of FH 2007 eq. (1) and FH 2010 eq. (6)): [0.460, 0.436, 0.414, 0.395, 0.378] and 7.530."""
    m = ShiftedBetaGeometricModel().fit(HIGH_END)
    assert m.survival(np.arange(8, 13)) == pytest.approx([0.460, 0.436, 0.414, 0.395, 0.378], abs=6e-4)
    # their derl(n) is evaluated after n periods, i.e. crmlib's derl(n + 1) (n renewals made)
    assert float(m.derl(8, 0.10, periods_per_year=1)) == pytest.approx(7.530, abs=6e-4)


def test_sbg_discounted_expected_lifetime_and_derl_against_direct_sums():
    m = ShiftedBetaGeometricModel().fit(REGULAR)
    t = np.arange(0, 5000)
    S = m.survival(t)
    d = 0.1
    assert m.discounted_expected_lifetime(d, periods_per_year=1) == pytest.approx((S / 1.1**t).sum(), rel=1e-9)
    for n in (1, 2, 5):
        future = np.arange(n, 5000)
        direct = (m.survival(future) / m.survival(n - 1) / 1.1 ** (future - n)).sum()
        assert m.derl(n, d, periods_per_year=1) == pytest.approx(direct, rel=1e-9)
    assert np.all(np.diff(m.retention_rate(np.arange(1, 10))) > 0)  # retention rises with tenure (FH 2007)


def test_sbg_reports_the_constant_churn_limit_with_advice():
    """Retention flat or falling with tenure: sBG runs towards alpha, beta -> inf (FH 2007, section 3)."""
    # a homogeneous cohort (simulated geometric churn, theta ~ 0.2): estimates in the thousands on a flat ridge
    with pytest.warns(
        ConvergenceWarning,
        match=r"constant-churn limit.*mean churn alpha/\(alpha\+beta\) = 0\.20.*"
        r"observed period retention 0\.795, 0\.809.*Try: the constant-churn",
    ):
        m = ShiftedBetaGeometricModel().fit([1000, 795, 643, 497, 401])
    assert m.at_constant_churn_limit_ and not m.convergence_.converged
    assert m.params_.sum() > 1000
    assert np.all(np.isinf(m.standard_errors_)) and np.all(m.confidence_intervals_.iloc[:, 0] == 0)
    # constant churn: the geometric ML estimate is churned / exposure
    lost = 1000 - 401
    exposure = np.dot(np.arange(1, 5), -np.diff([1000, 795, 643, 497, 401])) + 4 * 401
    assert m.params_["alpha"] / m.params_.sum() == pytest.approx(lost / exposure, rel=2e-3)
    # churn rising with tenure: no interior maximum at all
    rising = [1000, 900, 792, 673, 538, 404, 283, 184]
    with pytest.raises(
        ConvergenceError,
        match=r"no interior maximum.*observed period retention 0\.900, 0\.880.*"
        r"churn rising with tenure.*Try: the constant-churn",
    ):
        ShiftedBetaGeometricModel().fit(rising)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a heterogeneous cohort fits without any warning
        ShiftedBetaGeometricModel().fit(REGULAR)


def test_sbg_recovers_known_parameters_and_rejects_growing_cohort():
    m = ShiftedBetaGeometricModel().fit(simulate_sbg(50000, 10, 0.7, 1.2, seed=9))
    assert m.params_["alpha"] == pytest.approx(0.7, abs=4 * m.standard_errors_["alpha"])
    assert m.params_["beta"] == pytest.approx(1.2, abs=4 * m.standard_errors_["beta"])
    with pytest.raises(DataError, match=r"column 'active' increases at period\(s\) \[2\]"):
        ShiftedBetaGeometricModel().fit([100, 80, 90])


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 10_000), share=st.floats(0, 1), params=st.tuples(*[st.floats(0.01, 50)] * 2))
def test_sbg_loglik_finite_for_long_cohorts(n, share, params):
    """Churn at period 1..n and survival through n = 10,000 periods keep finite log-likelihoods."""
    m = ShiftedBetaGeometricModel()
    t = np.array([1.0, max(1.0, round(share * n)), float(n), float(n)])
    ll = m._loglik(np.array(params), {"t": t, "censored": np.array([0.0, 0.0, 0.0, 1.0])})
    assert np.isfinite(ll).all() and np.all(ll <= 1e-12)
    assert np.isfinite(m.derl(n, 0.1, periods_per_year=1, params=params)) and np.isfinite(
        m.discounted_expected_lifetime(0.1, periods_per_year=1, params=params)
    )


@pytest.mark.parametrize("alpha,beta", [(50.0, 50.0), (1.0, 2.0), (0.7041, 1.182)])
def test_sbg_discounted_expected_lifetime_derl_for_whole_number_parameters_against_direct_sums(alpha, beta):
    """scipy's hyp2f1(1, b; c; z) is inf or wrong when c - 1 - b is a whole number; the series is not."""
    m = ShiftedBetaGeometricModel()
    p = (alpha, beta)
    t = np.arange(0, 5000)  # 1.1^-5000 is below 1e-200
    S = m.survival(t, params=p)
    assert m.discounted_expected_lifetime(0.1, periods_per_year=1, params=p) == pytest.approx(
        (S / 1.1**t).sum(), rel=1e-10
    )
    for n in (1, 44):
        future = np.arange(n, 5000)
        direct = (m.survival(future, params=p) / m.survival(n - 1, params=p) / 1.1 ** (future - n)).sum()
        assert m.derl(n, 0.1, periods_per_year=1, params=p) == pytest.approx(direct, rel=1e-10)


def test_inputchecks_sbg_times_and_rates():
    """Issue 14: survival(-1) returned 4.87."""
    m = ShiftedBetaGeometricModel().fit(REGULAR)
    with pytest.raises(DataError, match="t must be >= 0, got -1"):
        m.survival(-1)
    with pytest.raises(DataError, match="t counts periods from 1, got 0"):
        m.retention_rate(0)
    with pytest.raises(DataError, match="n_periods counts periods from 1, got 0"):
        m.derl(0, 0.1, periods_per_year=1)
    with pytest.raises(DataError, match=r"got 10 \(for 10% a year pass 0.1\)"):
        m.discounted_expected_lifetime(10, periods_per_year=1)
    with pytest.raises(DataError, match="periods_per_year is required"):
        m.discounted_expected_lifetime(0.1)


def test_sbg_monthly_periods_discount_like_one_year():
    """12 monthly periods at the monthly rate of 10% a year discount exactly as one yearly period at 10%."""
    m = ShiftedBetaGeometricModel()
    p = (0.7, 1.2)
    t = np.arange(0, 20000)
    monthly = 1.1 ** (1 / 12) - 1
    direct = (m.survival(t, params=p) / (1 + monthly) ** t).sum()
    got = m.discounted_expected_lifetime(0.1, periods_per_year=12, params=p)
    assert got == pytest.approx(direct, rel=1e-9)
