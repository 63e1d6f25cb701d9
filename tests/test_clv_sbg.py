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


# ---------------------------------------------------------------- several cohorts, retention elasticity (issue 16.5)


def test_correctness_sbg_cohorts_reproduce_fader_hardie_2007_and_test_shared_parameters():
    """Cohort-specific fits are FH 2007's two segments (section 4); the shared fit maximises the summed
    likelihood of both cohorts; LR = 2 (ll_regular + ll_high_end - ll_shared) on 2 df."""
    from scipy import optimize, stats

    from crmlib.clv.sbg import ShiftedBetaGeometricCohorts, cohort_table

    c = ShiftedBetaGeometricCohorts().fit({"regular": REGULAR, "high end": HIGH_END})
    assert c.models_["regular"].params_.to_numpy() == pytest.approx([0.704, 1.182], abs=6e-4)
    assert c.models_["high end"].params_.to_numpy() == pytest.approx([0.668, 3.806], abs=6e-4)
    test = c.likelihood_ratio_test()
    assert test["log_likelihood_cohort_specific"] == pytest.approx(-1680.27 - 1611.16, abs=0.012)
    # the shared optimum, found independently by Nelder-Mead on the two single-cohort likelihoods
    single = ShiftedBetaGeometricModel()

    def minus_ll(logp):
        p = np.exp(logp)
        return -sum(single.loglik(d, params=p) @ -np.diff(np.r_[d, 0]) for d in (REGULAR, HIGH_END))

    best = optimize.minimize(minus_ll, np.log([0.6, 1.7]), method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-8})
    assert c.shared_.params_.to_numpy() == pytest.approx(np.exp(best.x), rel=1e-4)
    assert test["log_likelihood_shared"] == pytest.approx(-best.fun, abs=1e-6)
    lr = 2 * (test["log_likelihood_cohort_specific"] - test["log_likelihood_shared"])
    assert test["LR"] == pytest.approx(lr) and test["df"] == 2
    assert test["p"] == pytest.approx(stats.chi2.sf(lr, 2)) and test["p"] < 1e-40  # the segments churn differently
    assert cohort_table({"regular": REGULAR, "high end": HIGH_END}).loc["high end", 7] == 491
    assert c.survival([0, 7])["regular"].to_numpy() == pytest.approx(c.models_["regular"].survival([0, 7]))


def test_consistency_sbg_cohorts_alike_give_no_evidence_against_shared_parameters():
    """Two cohorts with the same counts: the shared fit is the single fit and LR = 0 (p = 1)."""
    from crmlib.clv.sbg import ShiftedBetaGeometricCohorts

    c = ShiftedBetaGeometricCohorts().fit({"1997": REGULAR, "1998": REGULAR[:5]})
    assert c.likelihood_ratio_test()["df"] == 2
    same = ShiftedBetaGeometricCohorts().fit({"a": REGULAR, "b": REGULAR})
    test = same.likelihood_ratio_test()
    assert test["LR"] == pytest.approx(0.0, abs=1e-6) and test["p"] == pytest.approx(1.0, abs=1e-3)
    assert same.shared_.params_.to_numpy() == pytest.approx([0.704, 1.182], abs=6e-4)
    assert test["log_likelihood_shared"] == pytest.approx(2 * -1680.27, abs=0.012)


@pytest.mark.parametrize("data", [REGULAR, HIGH_END], ids=["regular", "high end"])
def test_correctness_sbg_retention_elasticity_against_numerical_differentiation_and_quadrature(data):
    """FH 2010 section 4: every customer's retention c -> (1 + e) c. Two independent routes to d ln DERL / d ln(1+e):
    (1) central differences of k * (b+n-1)/(a+b+n-1) * 2F1(1, b+n; a+b+n; k z) (the DERL series with c -> k c);
    (2) central differences of E[k c / (1 - k c z)] over theta ~ beta(alpha, beta + n - 1) by quadrature."""
    from scipy import integrate, stats

    from crmlib.clv._special import hyp2f1_1bc

    m = ShiftedBetaGeometricModel().fit(data)
    a, b = m.params_.to_numpy()
    z, h = 1 / 1.1, 1e-5
    for n in (1, 2, 8):
        e = float(m.retention_elasticity(n, 0.10, periods_per_year=1))

        def series(k, n=n):
            return k * (b + n - 1) / (a + b + n - 1) * hyp2f1_1bc(b + n, a + b + n, k * z)

        def quad(k, n=n):
            pdf = stats.beta(a, b + n - 1).pdf
            return integrate.quad(lambda th: pdf(th) * k * (1 - th) / (1 - k * (1 - th) * z), 0, 1, limit=200)[0]

        assert e == pytest.approx((np.log(series(1 + h)) - np.log(series(1 - h))) / (2 * h), rel=1e-7)
        assert e == pytest.approx((np.log(quad(1 + h)) - np.log(quad(1 - h))) / (2 * h), rel=1e-6)
        assert quad(1.0) == pytest.approx(float(m.derl(n, 0.10, periods_per_year=1)), rel=1e-9)
    # high end after 7 renewals: DERL 7.530 (the independent implementation of the test above), elasticity 8.63
    if data is HIGH_END:
        assert float(m.retention_elasticity(8, 0.10, periods_per_year=1)) == pytest.approx(8.6315, abs=1e-3)


def test_consistency_sbg_retention_elasticity_exceeds_the_aggregate_and_meets_it_without_heterogeneity():
    """FH 2010's finding: one retention rate understates the elasticity of a heterogeneous cohort; with
    alpha, beta -> inf at a fixed mean churn (no heterogeneity) the two agree: (1+d)/(1+d-r)."""
    from crmlib.clv.sbg import constant_retention_elasticity

    m = ShiftedBetaGeometricModel().fit(REGULAR)
    r1 = float(m.retention_rate(1))
    e = float(m.retention_elasticity(1, 0.10, periods_per_year=1))
    assert e > float(constant_retention_elasticity(r1, 0.10, periods_per_year=1)) + 4  # 6.46 against 2.32
    assert float(constant_retention_elasticity(0.8, 0.10, periods_per_year=1)) == pytest.approx(1.1 / 0.3)
    homogeneous = (2e5 * 0.2, 2e5 * 0.8)  # churn 0.2 for everyone
    got = m.retention_elasticity([1, 5], 0.10, periods_per_year=1, params=homogeneous)
    assert got == pytest.approx([1.1 / 0.3, 1.1 / 0.3], rel=1e-4)
    # monthly periods: 12 periods a year at the monthly rate of 10 % a year
    monthly = m.retention_elasticity(3, 0.10, periods_per_year=12)
    assert np.isfinite(monthly) and monthly > e


def test_inputchecks_sbg_cohorts():
    from crmlib.clv.sbg import ShiftedBetaGeometricCohorts, constant_retention_elasticity

    with pytest.raises(DataError, match=r"cohort 'b': column 'active' increases at period\(s\) \[2\]"):
        ShiftedBetaGeometricCohorts().fit({"a": REGULAR, "b": [100, 80, 90]})
    with pytest.raises(DataError, match="holds 1 cohort"):
        ShiftedBetaGeometricCohorts().fit({"a": REGULAR})
    import pandas as pd

    gap = pd.DataFrame({"cohort": ["a"] * 3 + ["b"] * 2, "period": [0, 1, 3, 0, 1], "active": [10, 8, 7, 10, 9]})
    with pytest.raises(DataError, match="column 'period' of cohort 'a' must run 0, 1, 2"):
        ShiftedBetaGeometricCohorts().fit(gap)
    with pytest.raises(DataError, match=r"lacks column\(s\) \['period'\]"):
        ShiftedBetaGeometricCohorts().fit(gap.drop(columns="period"))
    with pytest.raises(DataError, match="retention must be below 1"):
        constant_retention_elasticity(1.0, 0.1, periods_per_year=1)
    with pytest.raises(DataError, match="n_periods counts periods from 1"):
        ShiftedBetaGeometricModel().fit(REGULAR).retention_elasticity(0, 0.1, periods_per_year=1)
