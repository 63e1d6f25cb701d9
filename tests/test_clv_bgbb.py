"""BG/BB (crmlib.clv.bgbb): Fader, Hardie & Shang (2010) on the donation data.

Oracles: their Table 2 estimates and Table 6 predictions (and Hardie's
spreadsheet); enumeration of histories; direct discounted sums; simulation.
"""

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from crmlib.clv import BetaGeoBetaBinomModel
from crmlib.clv.simulate import simulate_bgbb
from crmlib.datasets import load_donations
from crmlib.exceptions import DataError


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


def test_bgbb_dert_for_whole_number_gamma_against_direct_sum(bgbb):
    p = (1.2, 0.75, 2.0, 3.0)  # gamma + delta + n + 1 - (delta + n + 1) = 2: scipy's hyp2f1 fails here
    k = np.arange(1, 4000)
    cum = bgbb.conditional_expected_purchases(k, 3, 5, 6, params=p)
    inc = np.diff(np.concatenate([[0.0], cum]))
    assert bgbb.dert(3, 5, 6, discount_rate=0.1, periods_per_year=1, params=p) == pytest.approx(
        (inc / 1.1**k).sum(), rel=1e-9
    )


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


def test_inputchecks_bgbb_bounds_and_argument_order(bgbb):
    """Issue 14: n_periods = 1e6 did not finish; it is refused up front with the bound."""
    with pytest.raises(DataError, match=r"t is at most 10,000 transaction opportunities for BG/BB, got 1,000,000"):
        bgbb.probability_of_purchases(0, 1e6)
    big = pd.DataFrame({"frequency": [1], "recency": [1], "n_periods": [1_000_000]})
    with pytest.raises(
        DataError, match=r"column 'n_periods' is at most 10,000.*raise BetaGeoBetaBinomModel.max_opportunities"
    ):
        BetaGeoBetaBinomModel().fit(big)
    with pytest.raises(DataError, match="n must be >= 0, got -1"):
        bgbb.probability_of_purchases(-1, 6)
    with pytest.raises(DataError, match="t must be a whole number, got 2.5"):
        bgbb.probability_of_purchases(1, 2.5)
    with pytest.raises(DataError, match="t must be >= 0, got -5"):
        bgbb.conditional_expected_purchases(-5, 3, 5, 6)
    # one argument order across models: P(X(t) = n) with n purchases in t opportunities
    assert bgbb.probability_of_purchases(n=7, t=6) == 0.0
    assert bgbb.probability_of_purchases(n=0, t=6) == pytest.approx(bgbb.probability_of_purchases(0, 6))
