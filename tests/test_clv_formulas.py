"""crmlib.clv.formulas: closed-form and Markov-chain lifetime value.

Oracles: direct summation of the geometric series; Gupta & Lehmann's printed
margin multiples; the two-state chain where Pfeifer & Carraway's Markov value
and the retention closed form coincide; a seeded Monte-Carlo simulation of the
chain; a hand count of recency transitions; parameter recovery from simulated
purchase histories with known purchase probabilities.
"""

import numpy as np
import pandas as pd
import pytest

from crmlib.clv.formulas import (
    RecencyMarkovChain,
    discounted_value,
    finite_horizon_clv,
    markov_clv,
    recency_transition_matrix,
    retention_clv,
)
from crmlib.exceptions import DataError

# ---------------------------------------------------------------- closed forms


def test_retention_clv_against_direct_sum_of_the_series():
    m, r, d = 37.5, 0.83, 0.1
    t = np.arange(1, 5001)
    direct = np.sum(m * r**t / (1 + d) ** t)
    assert retention_clv(m, r, d) == pytest.approx(direct, rel=1e-12)
    assert retention_clv(m, r, d, margin_at_start=True) == pytest.approx(m + direct, rel=1e-12)


@pytest.mark.parametrize(
    "d, printed",
    [
        (0.10, [1.20, 1.75, 2.67, 4.50]),
        (0.12, [1.15, 1.67, 2.50, 4.09]),
        (0.14, [1.11, 1.59, 2.35, 3.75]),
        (0.16, [1.07, 1.52, 2.22, 3.46]),
    ],
)
def test_margin_multiple_matches_gupta_lehmann_table(d, printed):
    # Gupta & Lehmann (2003, 2005): margin multiple r / (1 + d - r) for r = 60..90 %, printed to 2 decimals
    got = retention_clv(1.0, np.array([0.6, 0.7, 0.8, 0.9]), d)
    np.testing.assert_allclose(np.round(got, 2), printed, atol=1e-9)


def test_finite_horizon_against_direct_sum_and_limit():
    m, r, d = 12.0, 0.7, 0.05
    for T in (0, 1, 5, 40):
        direct = sum(m * (r / (1 + d)) ** t for t in range(1, T + 1))
        assert finite_horizon_clv(m, r, d, T) == pytest.approx(direct, abs=1e-12)
    assert finite_horizon_clv(m, r, d, 2000) == pytest.approx(retention_clv(m, r, d), rel=1e-12)
    # q = r / (1 + d) = 1: m T
    assert finite_horizon_clv(5.0, 1.0, 0.0, 7) == pytest.approx(35.0)


def test_discounted_value_with_geometric_survival_equals_finite_horizon():
    m, r, d, T = 20.0, 0.75, 0.08, 12
    t = np.arange(1, T + 1)
    assert discounted_value(np.full(T, m), d, r**t) == pytest.approx(finite_horizon_clv(m, r, d, T), rel=1e-12)
    # vectorised over leading axis
    out = discounted_value(np.array([[1.0, 1.0], [2.0, 0.0]]), 0.0)
    np.testing.assert_allclose(out, [2.0, 2.0])


def test_inputchecks_closed_forms():
    with pytest.raises(DataError, match="retention must lie in \\[0, 1\\]"):
        retention_clv(10, 1.2, 0.1)
    with pytest.raises(DataError, match=r"discount_rate is an annual effective rate, a share in \[0, 1\).*got -0.1"):
        retention_clv(10, 0.5, -0.1)
    with pytest.raises(DataError, match=r"got 12 \(for 12% a year pass 0.12\)"):
        retention_clv(10, 0.5, 12)
    with pytest.raises(DataError, match="value is infinite"):
        retention_clv(10, 1.0, 0.0)
    with pytest.raises(DataError, match="horizon must be a whole number, got 2.5"):
        finite_horizon_clv(10, 0.5, 0.1, 2.5)


def test_monthly_periods_discount_like_the_annual_rate():
    """periods_per_year converts the annual rate: 12 monthly margins at (1.1)^(1/12) - 1 equal one yearly period."""
    m, r = 10.0, 0.9
    monthly = 1.1 ** (1 / 12) - 1
    t = np.arange(1, 20001)
    direct = np.sum(m * r**t / (1 + monthly) ** t)
    assert retention_clv(m, r, 0.1, periods_per_year=12) == pytest.approx(direct, rel=1e-12)
    assert discounted_value(np.full(12, 1.0), 0.1, periods_per_year=12) == pytest.approx(
        sum(1.1 ** -(k / 12) for k in range(1, 13)), rel=1e-12
    )


# ---------------------------------------------------------------- Markov chain


def test_recency_transition_matrix_structure():
    P = recency_transition_matrix([0.3, 0.2, 0.15, 0.05])
    expected = np.array(
        [
            [0.30, 0.70, 0, 0, 0],
            [0.20, 0, 0.80, 0, 0],
            [0.15, 0, 0, 0.85, 0],
            [0.05, 0, 0, 0, 0.95],
            [0, 0, 0, 0, 1.0],
        ]
    )
    np.testing.assert_allclose(P, expected)
    Q = recency_transition_matrix([0.5, 0.1], absorbing=False)
    np.testing.assert_allclose(Q, [[0.5, 0.5], [0.1, 0.9]])


def test_two_state_markov_chain_equals_retention_closed_form():
    # P&C's chain with one recency state and an absorbing "former" state is the retention model:
    # from "active" stay with probability r; reward m in the active state.
    m, r, d = 50.0, 0.8, 0.12
    P = recency_transition_matrix([r])
    V = markov_clv(P, [m, 0.0], d)
    assert V[0] == pytest.approx(retention_clv(m, r, d, margin_at_start=True), rel=1e-12)
    assert V[0] - m == pytest.approx(retention_clv(m, r, d), rel=1e-12)
    assert V[1] == 0.0
    for T in (0, 3, 25):
        VT = markov_clv(P, [m, 0.0], d, horizon=T)
        assert VT[0] == pytest.approx(finite_horizon_clv(m, r, d, T, margin_at_start=True), rel=1e-12)


def test_markov_clv_infinite_horizon_is_limit_of_finite():
    P = recency_transition_matrix([0.3, 0.2, 0.15, 0.05])
    R = np.array([40 - 4, -4, -4, -4, 0.0])
    np.testing.assert_allclose(markov_clv(P, R, 0.2, horizon=400), markov_clv(P, R, 0.2), rtol=1e-10)


def _simulate_chain_value(P, R, d, T, start, n_paths, seed):
    """Mean discounted reward of n_paths seeded paths of the chain over periods 0..T (vectorised over paths)."""
    rng = np.random.default_rng(seed)
    cum = np.cumsum(P, axis=1)
    state = np.full(n_paths, start)
    total = R[state].astype(float)
    for t in range(1, T + 1):
        u = rng.random(n_paths)
        state = (u[:, None] > cum[state]).sum(axis=1)
        total += R[state] / (1 + d) ** t
    return total.mean(), total.std(ddof=1) / np.sqrt(n_paths)


@pytest.mark.parametrize("start", [0, 2])
def test_markov_clv_against_seeded_simulation(start):
    P = recency_transition_matrix([0.4, 0.25, 0.1])
    R = np.array([30.0 - 3.0, -3.0, -3.0, 0.0])
    d, T = 0.05, 30
    exact = markov_clv(P, R, d, horizon=T)[start]
    mean, se = _simulate_chain_value(P, R, d, T, start, 40_000, seed=20000)
    assert abs(mean - exact) < 4 * se


def test_recency_chain_fit_against_hand_count():
    # A buys in months 0, 1, 3; B only in month 0; observed Jan-May 1997 (5 months), k = 2.
    # A's states: 1,1,2,1,2 ; B's: 1,2,3,3,3.  Transitions (state -> bought next?):
    # state 1: A m0->yes, A m1->no, A m3->no, B m0->no  => 4 at risk, 1 purchase
    # state 2: A m2->yes, B m1->no                      => 2 at risk, 1 purchase
    # state 3: B m2->no, B m3->no                       => 2 at risk, 0 purchases
    tx = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "A", "B"],
            "date": pd.to_datetime(["1997-01-03", "1997-02-10", "1997-02-11", "1997-04-30", "1997-01-20"]),
        }
    )
    chain = RecencyMarkovChain(n_states=2, period="month").fit(
        tx, observation_start="1997-01-01", observation_end="1997-05-31"
    )
    s = chain.transitions_
    assert s["at_risk"].tolist() == [4, 2, 2]
    assert s["purchases"].tolist() == [1, 1, 0]
    np.testing.assert_allclose(chain.purchase_probability_.to_numpy(), [0.25, 0.5])
    assert chain.reactivations_ == 0
    assert chain.current_state_.astype(str).to_dict() == {"A": "2", "B": "3 (former)"}
    assert chain.n_periods_ == 5
    v = chain.state_values(margin_per_period=10.0, cost_per_period=1.0, discount_rate=0.1)
    P = recency_transition_matrix([0.25, 0.5])
    np.testing.assert_allclose(v.to_numpy(), markov_clv(P, [9.0, -1.0, 0.0], 0.1, periods_per_year=12))
    cv = chain.customer_values(margin_per_period=10.0, cost_per_period=1.0, discount_rate=0.1)
    assert cv["A"] == pytest.approx(v.iloc[1]) and cv["B"] == 0.0


def test_recency_chain_recovers_known_probabilities_from_simulated_histories():
    p_true = np.array([0.35, 0.2, 0.1])
    n, n_months = 6000, 24
    rng = np.random.default_rng(7)
    state = np.ones(n, dtype=int)  # everybody buys in month 0
    rows_c, rows_t = [np.arange(n)], [np.zeros(n, dtype=int)]
    for t in range(1, n_months):
        p = np.where(state <= 3, p_true[np.minimum(state, 3) - 1], 0.0)
        buy = rng.random(n) < p
        rows_c.append(np.flatnonzero(buy))
        rows_t.append(np.full(buy.sum(), t))
        state = np.where(buy, 1, np.minimum(state + 1, 4))
    c, t = np.concatenate(rows_c), np.concatenate(rows_t)
    dates = pd.Timestamp("2000-01-01") + pd.to_timedelta(30 * t + 5, unit="D")
    tx = pd.DataFrame({"customer_id": c, "date": dates})
    chain = RecencyMarkovChain(n_states=3, period=30).fit(
        tx,
        observation_start="2000-01-01",
        observation_end=pd.Timestamp("2000-01-01") + pd.Timedelta(days=30 * n_months - 1),
    )
    assert chain.n_periods_ == n_months
    est = chain.purchase_probability_.to_numpy()
    at_risk = chain.transitions_["at_risk"].to_numpy()[:3]
    se = np.sqrt(p_true * (1 - p_true) / at_risk)
    assert np.all(np.abs(est - p_true) < 4 * se)
    assert chain.reactivations_ == 0


def test_recency_chain_non_absorbing_estimates_last_state():
    tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": pd.to_datetime(["2001-01-05", "2001-04-05", "2001-01-07"])})
    chain = RecencyMarkovChain(n_states=1, period="month", absorbing=False).fit(tx, observation_end="2001-04-30")
    # customer 1: states 1,2,2,1 ; customer 2: 1,2,2,2 -> state 1: 2 at risk, 0 buys; state 2+: 4 at risk, 1 buy
    np.testing.assert_allclose(chain.purchase_probability_.to_numpy(), [0.0, 0.25])
    np.testing.assert_allclose(chain.transition_matrix_.to_numpy(), [[0.0, 1.0], [0.25, 0.75]])


def test_inputchecks_markov():
    with pytest.raises(DataError, match="rows \\[0\\] are not probability distributions"):
        markov_clv([[0.5, 0.6], [0.0, 1.0]], [1.0, 0.0], 0.1)
    with pytest.raises(DataError, match="2 rewards for 3 states"):
        markov_clv(np.eye(3), [1.0, 0.0], 0.1)
    with pytest.raises(DataError, match="positive discount_rate or a finite horizon"):
        markov_clv([[0.5, 0.5], [0.5, 0.5]], [1.0, 1.0], 0.0)
    with pytest.raises(DataError, match="'when'"):
        RecencyMarkovChain().fit(pd.DataFrame({"customer_id": [1], "date": [pd.Timestamp("2000-01-01")]}), date="when")
    with pytest.raises(DataError, match=r"period must be one of \['month', 'quarter'\], got 'M'"):
        RecencyMarkovChain(period="M").fit(pd.DataFrame({"customer_id": [1], "date": [pd.Timestamp("2000-01-01")]}))
    with pytest.raises(DataError, match="fewer than 2 periods"):
        RecencyMarkovChain().fit(pd.DataFrame({"customer_id": [1], "date": [pd.Timestamp("2000-01-01")]}))
    with pytest.raises(DataError, match="no customer-periods observed in recency states \\[3\\]"):
        tx = pd.DataFrame({"customer_id": [1], "date": [pd.Timestamp("2000-01-01")]})
        RecencyMarkovChain(n_states=3).fit(tx, observation_end="2000-03-31")
