"""BG/BB, sBG and Gamma-Gamma: published estimates, direct summation, simulations.

Oracles: Fader, Hardie & Shang (2010, Marketing Science 29(6)) on the donation
data (alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783,
LL = -33,225.6); Fader & Hardie (2007, J. Interactive Marketing 21(1)) for the
regular and high-end segments (alpha = 0.704, beta = 1.182; alpha = 0.668,
beta = 3.806); Fader, Hardie & Lee (2005, JMR 42(4)) for the Gamma-Gamma
model on CDNOW (p = 6.25, q = 3.74, gamma = 15.44); brute-force summation.
"""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special

from crmlib.clv import BetaGeoBetaBinomModel, GammaGammaModel, ShiftedBetaGeometricModel, spend_frequency_correlation
from crmlib.clv.simulate import simulate_bgbb, simulate_gamma_gamma, simulate_sbg
from crmlib.datasets import load_cdnow_summary, load_donations
from crmlib.exceptions import ConvergenceError, ConvergenceWarning, DataError, DataWarning

# Fader & Hardie (2007), Table 1: customers (of 1,000) still active after 0..7 years
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]


@pytest.fixture(scope="module")
def bgbb():
    return BetaGeoBetaBinomModel().fit(load_donations())


def test_bgbb_matches_fader_hardie_shang_2010(bgbb):
    for k, v in {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}.items():
        assert bgbb.params_[k] == pytest.approx(v, abs=0.0006), k
    assert bgbb.log_likelihood_ == pytest.approx(-33225.6, abs=0.05)
    assert bgbb.n_customers_ == 11104


def test_bgbb_likelihood_against_enumeration_of_histories(bgbb):
    """Sum over the latent death time of the Bernoulli/geometric probabilities, by brute force for n = 4."""
    a, b, g, d = bgbb.params_
    n = 4
    # P(history) = E_{p,theta} sum_L P(alive for exactly L opportunities) p^x (1-p)^(L-x) with purchases only while alive
    grid_p = special.roots_jacobi(60, b - 1, a - 1)
    grid_t = special.roots_jacobi(60, d - 1, g - 1)
    p = (1 + grid_p[0]) / 2
    wp = grid_p[1] / grid_p[1].sum()
    th = (1 + grid_t[0]) / 2
    wt = grid_t[1] / grid_t[1].sum()
    for hist in itertools.product([0, 1], repeat=n):
        x = sum(hist)
        tx = max([i + 1 for i, h in enumerate(hist) if h], default=0)
        prob = 0.0
        for L in range(tx, n + 1):  # alive through opportunity L, dead from L+1 (or alive through n)
            surv = (1 - th) ** L * (th if L < n else 1.0)
            prob += np.einsum("i,j,i,j->", wp, wt, p**x * (1 - p) ** (L - x), surv)
        # the BG/BB likelihood depends on the history only through (x, t_x, n)
        ll = bgbb.loglik(pd.DataFrame({"frequency": [x], "recency": [tx], "n_periods": [n]}))[0]
        assert ll == pytest.approx(np.log(prob), abs=1e-10)


def test_bgbb_pmf_sums_to_one_mean_and_conditional_expectation(bgbb):
    pmf = bgbb.probability_of_purchases(np.arange(11), 10)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
    assert (np.arange(11) * pmf).sum() == pytest.approx(bgbb.expected_purchases(10), rel=1e-10)
    don = load_donations()
    pa = bgbb.probability_alive(don["frequency"], don["recency"], don["n_periods"])
    assert np.all((pa >= 0) & (pa <= 1))
    # law of total expectation over all (x, t_x) of n = 6 opportunities, each weighted by its model probability
    n = 6
    xs, txs, mult = [0], [0], [1.0]
    for tx in range(1, n + 1):
        for x in range(1, tx + 1):
            xs.append(x)
            txs.append(tx)
            mult.append(special.comb(tx - 1, x - 1))  # histories with x purchases, the last at t_x
    xs, txs, mult = np.array(xs, float), np.array(txs, float), np.array(mult)
    prob = mult * np.exp(bgbb.loglik(pd.DataFrame({"frequency": xs, "recency": txs, "n_periods": n})))
    assert prob.sum() == pytest.approx(1.0, abs=1e-12)
    total = (prob * bgbb.conditional_expected_purchases(5, xs, txs, n)).sum()
    assert total == pytest.approx(bgbb.expected_purchases(11) - bgbb.expected_purchases(6), rel=1e-10)


def test_bgbb_dert_against_direct_discounted_sum(bgbb):
    """FHS 2010 eq. 14 against sum_k [E X(n, n+k) - E X(n, n+k-1)] / (1+d)^k (d = 10% per yearly opportunity)."""
    k = np.arange(1, 3000)
    for x, tx, n in [(0, 0, 6), (3, 5, 6), (6, 6, 6)]:
        cum = bgbb.conditional_expected_purchases(k, x, tx, n)
        inc = np.diff(np.concatenate([[0.0], cum]))
        assert bgbb.dert(x, tx, n, discount_rate=0.1, periods_per_year=1) == pytest.approx(
            (inc / 1.1**k).sum(), rel=1e-9
        )


def test_bgbb_recovers_known_parameters_from_simulation():
    truth = np.array([1.2, 0.75, 0.66, 2.8])
    m = BetaGeoBetaBinomModel().fit(simulate_bgbb(40000, 8, *truth, seed=4))
    z = (m.params_.to_numpy() - truth) / m.standard_errors_.to_numpy()
    assert np.all(np.abs(z) < 4), z


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 10_000), fx=st.floats(0, 1), ft=st.floats(0, 1), params=st.tuples(*[st.floats(0.01, 50)] * 4))
def test_bgbb_loglik_finite_for_extreme_histories(n, fx, ft, params):
    tx = int(round(ft * n))
    x = int(round(fx * tx))
    m = BetaGeoBetaBinomModel()
    ll = m._loglik(np.array(params), {"x": np.array([x * 1.0]), "tx": np.array([tx * 1.0]), "n": np.array([n * 1.0])})
    assert np.isfinite(ll).all() and ll[0] <= 1e-12


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


def test_gamma_gamma_matches_fader_hardie_lee_2005_rfm_clv():
    d = load_cdnow_summary()
    m = GammaGammaModel().fit(d)
    assert m.params_["p"] == pytest.approx(6.25, abs=0.005)
    assert m.params_["q"] == pytest.approx(3.74, abs=0.006)
    assert m.params_["gamma"] == pytest.approx(15.44, abs=0.02)
    assert m.n_customers_ == 946 and m.n_dropped_ == 1411
    assert m.n_one_time_ == 1411 and m.n_nonpositive_ == 0  # FHL 2005b fit the 946 repeat buyers
    # FHL 2005b report the frequency-spend correlation 0.11
    assert spend_frequency_correlation(d) == pytest.approx(0.11, abs=0.005)
    # conditional expectation = weighted mean of the population mean and the observed mean (eq. 5)
    p, q, g = m.params_
    x, z = 4, 50.0
    w = p * x / (p * x + q - 1)
    assert m.conditional_expected_spend(x, z) == pytest.approx(w * z + (1 - w) * p * g / (q - 1), rel=1e-12)


def test_gamma_gamma_recovers_known_parameters():
    freq = np.random.default_rng(0).integers(1, 12, 30000)
    m = GammaGammaModel().fit(simulate_gamma_gamma(freq, 6.0, 3.7, 15.0, seed=8))
    z = (m.params_.to_numpy() - np.array([6.0, 3.7, 15.0])) / m.standard_errors_.to_numpy()
    assert np.all(np.abs(z) < 4), z


def test_gamma_gamma_input_checks():
    with pytest.raises(DataError, match="column 'monetary' is not positive for 1 repeat buyers"):
        GammaGammaModel().fit(pd.DataFrame({"frequency": [1, 2], "monetary": [0.0, 3.0]}))
    d = simulate_gamma_gamma(np.arange(1, 301) % 7 + 1, 6.0, 3.7, 15.0, seed=2)
    d.loc[5, "monetary"] = 0.0
    with pytest.warns(DataWarning, match="1 repeat buyers"):
        m = GammaGammaModel(drop_nonpositive=True).fit(d)
    assert m.n_customers_ == 299 and m.n_dropped_ == 1 and m.n_nonpositive_ == 1 and m.n_one_time_ == 0
    with pytest.raises(DataError, match="column 'frequency' is 0 in every row"):
        GammaGammaModel().fit(pd.DataFrame({"frequency": [0, 0], "monetary": [0.0, 0.0]}))
    with pytest.raises(DataError, match=r"expected spend is infinite where p x \+ q <= 1.*frequencies \[0\]"):
        m.conditional_expected_spend([0, 3], [0.0, 20.0], params=[2.0, 0.8, 10.0])


def test_bgbb_predictions_match_fader_hardie_shang_2010_table_6_and_hardie_spreadsheet(bgbb):
    """FHS 2010 Table 6, P(alive in 2002): 0.11 (x=0), 0.59 (x=2, t_x=4), 0.93 (x=6, t_x=6); Hardie's BG/BB
    spreadsheet (brucehardie.com/notes/010): expected 2002-2006 donations of the 11,104 donors 12,884.2 and
    in-sample expected numbers of donors with 0 and 6 repeat donations 3,454.9 and 1,253.1."""
    pa = bgbb.probability_alive([0, 2, 6], [0, 4, 6], [6, 6, 6])
    np.testing.assert_allclose(pa, [0.11, 0.59, 0.93], atol=0.005)
    d = load_donations()
    total = (bgbb.conditional_expected_purchases(5, d["frequency"], d["recency"], d["n_periods"]) * d["weight"]).sum()
    assert total == pytest.approx(12884.2, abs=0.5)
    counts = 11104 * bgbb.probability_of_purchases(np.array([0, 6]), 6)
    np.testing.assert_allclose(counts, [3454.9, 1253.1], atol=0.1)


def test_gamma_gamma_expected_spend_matches_hardie_spreadsheet():
    """Fader & Hardie (2013) note 025 spreadsheet: E(M) of the first ten CDNOW customers at the estimates
    (p=6.25, q=3.74, gamma=15.44 as printed; the spreadsheet uses the unrounded values, as we do)."""
    d = load_cdnow_summary()
    m = GammaGammaModel().fit(d)
    got = m.conditional_expected_spend(d["frequency"].head(10), d["monetary"].head(10))
    np.testing.assert_allclose(got, [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17], atol=0.01)


def test_gamma_gamma_spend_density_integrates_to_one_with_the_population_mean():
    """The marginal density of z-bar (Colombo & Jiang 1999) is a density, and its mean is p gamma/(q-1)."""
    d = load_cdnow_summary()
    m = GammaGammaModel().fit(d)
    rep = d[d["frequency"] > 0]
    f = lambda z: m.spend_density(z, rep["frequency"])  # noqa: E731
    assert integrate.quad(f, 0, np.inf, limit=500)[0] == pytest.approx(1.0, abs=1e-8)
    assert integrate.quad(lambda z: z * f(z), 0, np.inf, limit=500)[0] == pytest.approx(
        m.population_mean_spend(), rel=1e-8
    )
    # one frequency: the density is the per-customer likelihood
    one = m.loglik(pd.DataFrame({"frequency": [3], "monetary": [20.0]}))[0]
    assert np.log(m.spend_density(20.0, [3])) == pytest.approx(one, rel=1e-12)
    with pytest.raises(DataError, match="monetary must be positive"):
        m.spend_density([0.0, 5.0], [1])


def test_retention_and_spend_plots_label_their_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from crmlib.clv import plots

    s = ShiftedBetaGeometricModel().fit(REGULAR[:5])
    for kind in ("survival", "retention"):
        ax = plots.plot_retention(s, 12, kind=kind)
        assert ax.get_xlabel() == "periods since acquisition" and ax.get_ylabel()
        assert len(ax.lines[1].get_xdata()) >= 12
        plt.close(ax.figure)
    d = load_cdnow_summary()
    ax = plots.plot_spend_distribution(GammaGammaModel().fit(d), d)
    assert "US dollars" in ax.get_xlabel() and "density" in ax.get_ylabel()
    plt.close(ax.figure)


@pytest.mark.slow
def test_gamma_gamma_zero_spend_repeat_buyer_in_cdnow_master_is_named_not_dropped():
    """CDNOW master customer 10244 made one repeat purchase of 0 USD: an error naming him, or an explicit drop."""
    from crmlib.datasets import load_cdnow
    from crmlib.transactions import summarize

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        s = summarize(load_cdnow("master"), calibration_end="1997-09-30", observation_end="1998-06-30", time_unit="W")
    with pytest.raises(
        DataError, match=r"column 'monetary' is not positive for 1 repeat buyers \(rows e\.g\. \[10244\]\)"
    ):
        GammaGammaModel().fit(s)
    with pytest.warns(DataWarning, match=r"\[10244\]"):
        m = GammaGammaModel(drop_nonpositive=True).fit(s)
    assert m.n_nonpositive_ == 1 and m.n_customers_ + m.n_dropped_ == len(s)


@settings(max_examples=40, deadline=None)
@given(x=st.integers(1, 10_000), z=st.floats(1e-3, 1e5), params=st.tuples(*[st.floats(0.01, 50)] * 3))
def test_gamma_gamma_loglik_and_gradient_finite_for_extreme_histories(x, z, params):
    m = GammaGammaModel()
    c = m._cache({"x": np.array([float(x)]), "z": np.array([z])})
    ll, g = m._loglik_grad(np.array(params), c)
    assert np.isfinite(ll).all() and np.isfinite(g).all()
    if params[0] * x + params[1] > 1:
        assert 0 < m.conditional_expected_spend(x, z, params=params) < np.inf
    else:  # the posterior mean spend does not exist
        with pytest.raises(DataError, match="expected spend is infinite"):
            m.conditional_expected_spend(x, z, params=params)


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


def test_bgbb_dert_for_whole_number_gamma_against_direct_sum(bgbb):
    p = (1.2, 0.75, 2.0, 3.0)  # gamma + delta + n + 1 - (delta + n + 1) = 2: scipy's hyp2f1 fails here
    k = np.arange(1, 4000)
    cum = bgbb.conditional_expected_purchases(k, 3, 5, 6, params=p)
    inc = np.diff(np.concatenate([[0.0], cum]))
    assert bgbb.dert(3, 5, 6, discount_rate=0.1, periods_per_year=1, params=p) == pytest.approx(
        (inc / 1.1**k).sum(), rel=1e-9
    )


def test_gamma_gamma_weighted_rows_give_the_fit_of_expanded_rows():
    d = load_cdnow_summary().iloc[:600]
    counts = np.random.default_rng(5).integers(1, 4, len(d))
    a = GammaGammaModel(compress=False).fit(d.loc[d.index.repeat(counts)])
    b = GammaGammaModel(compress=False).fit(d.assign(weight=counts))
    np.testing.assert_allclose(a.params_, b.params_, rtol=1e-7)
    assert a.log_likelihood_ == pytest.approx(b.log_likelihood_, rel=1e-12)
    assert a.n_one_time_ == b.n_one_time_ == counts[d["frequency"].to_numpy() == 0].sum()


def test_bgbb_expectations_at_gamma_equal_one_are_the_limit(bgbb):
    """E[X(n)] and the conditional expectation divide by gamma - 1; at gamma = 1 they take the limit."""
    at = (1.2, 0.75, 1.0, 2.8)
    near = (1.2, 0.75, 1.0 + 1e-6, 2.8)
    np.testing.assert_allclose(
        bgbb.expected_purchases([1, 6, 30], params=at), bgbb.expected_purchases([1, 6, 30], params=near), rtol=1e-5
    )
    np.testing.assert_allclose(
        bgbb.conditional_expected_purchases(5, [0, 3], [0, 5], 6, params=at),
        bgbb.conditional_expected_purchases(5, [0, 3], [0, 5], 6, params=near),
        rtol=1e-5,
    )


def _state(model):
    """Every attribute of a fitted model, arrays and frames as plain values, for before/after comparison."""
    import copy

    return {k: copy.deepcopy(v) for k, v in vars(model).items()}


def _assert_same_state(before, after):
    assert before.keys() == after.keys()
    for k, v in before.items():
        w = after[k]
        if isinstance(v, (pd.DataFrame, pd.Series)):
            assert v.equals(w), k
        elif isinstance(v, np.ndarray):
            np.testing.assert_array_equal(v, w, err_msg=k)
        elif isinstance(v, tuple):  # _fitted_data
            for a, b in zip(v[0].values(), w[0].values()):
                np.testing.assert_array_equal(a, b, err_msg=k)
            np.testing.assert_array_equal(v[1], w[1], err_msg=k)
        elif k != "convergence_":
            assert v == w, k


def test_loglik_of_other_data_leaves_the_fitted_model_unchanged():
    """Issue 14: GammaGammaModel.loglik(other) overwrote n_one_time_ (1411 -> 3); sBG's active_ likewise."""
    d = load_cdnow_summary()
    gg = GammaGammaModel().fit(d)
    before = _state(gg)
    other = pd.DataFrame({"frequency": [0, 0, 0, 2], "monetary": [0.0, 0, 0, 10.0]})
    assert gg.loglik(other).shape == (1,)
    _assert_same_state(before, _state(gg))
    assert gg.n_one_time_ == 1411
    sbg = ShiftedBetaGeometricModel().fit(REGULAR)
    before = _state(sbg)
    sbg.loglik([500, 400])
    _assert_same_state(before, _state(sbg))
    np.testing.assert_array_equal(sbg.active_, REGULAR)
