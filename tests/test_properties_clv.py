"""Property tests of the customer-base model predictions for generated parameters and customers.

Issue 14 ("tests sorted by intent"). For generated parameter sets and
summaries, the predictions of BG/NBD, MBG/NBD, Pareto/NBD and BG/BB either
satisfy what the models' definitions imply or raise
:class:`crmlib.exceptions.DataError`:

* ``probability_alive`` is a probability (finite, in [0, 1]); 1 for a
  BG/NBD customer without repeat purchases (Fader, Hardie & Lee 2005, eq. 13);
* ``expected_purchases(t)`` and ``conditional_expected_purchases(t, ...)`` are
  0 at t = 0 and non-decreasing in t (a count up to t);
* ``probability_of_purchases(n, t)`` over n = 0, 1, ... are probabilities that
  sum to at most 1 (exactly 1 over n = 0..t for BG/BB) and, for a few
  generated parameter sets, equal the mixture integral computed with
  :func:`scipy.integrate.quad` from the model's definition (BG/NBD: gamma
  purchase rates, beta drop-out probabilities, FHL 2005 section 3;
  Pareto/NBD: Lomax lifetimes mixed with the NBD count, Fader & Hardie note 012);
* negative times, negative or fractional counts, recency beyond T: DataError.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

from crmlib.clv import BetaGeoBetaBinomModel, BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel
from crmlib.exceptions import DataError
from crmlib.transactions import summarize

PROPS = settings(
    max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _pos(lo: float, hi: float):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


bg_params = st.tuples(_pos(0.1, 3.0), _pos(0.5, 20.0), _pos(0.2, 3.0), _pos(0.2, 5.0))  # r, alpha, a, b
pareto_params = st.tuples(_pos(0.1, 3.0), _pos(0.5, 20.0), _pos(0.2, 3.0), _pos(0.5, 20.0))  # r, alpha, s, beta
bgbb_params = st.tuples(_pos(0.2, 5.0), _pos(0.2, 5.0), _pos(0.2, 5.0), _pos(0.2, 5.0))  # alpha, beta, gamma, delta
continuous = st.sampled_from(
    [(BetaGeoModel, bg_params), (ModifiedBetaGeoModel, bg_params), (ParetoNBDModel, pareto_params)]
)


@st.composite
def model_and_params(draw):
    cls, params = draw(continuous)
    return cls(), draw(params)


@st.composite
def customers(draw, max_size: int = 12):
    """Summaries in weeks: whole frequency, 0 <= recency <= T, T > 0 (recency = T: a purchase at the end)."""
    n = draw(st.integers(1, max_size))
    T = np.array(draw(st.lists(_pos(0.1, 80.0), min_size=n, max_size=n)))
    share = np.array(draw(st.lists(st.sampled_from([0.0, 0.25, 0.9, 1.0]), min_size=n, max_size=n)))
    x = np.array(draw(st.lists(st.integers(0, 40), min_size=n, max_size=n)), dtype="float64")
    tx = np.where(x > 0, T * share, 0.0)
    return x, tx, T


# --------------------------------------------------------------------------------------------
# continuous-time models
# --------------------------------------------------------------------------------------------


@PROPS
@given(mp=model_and_params(), cust=customers())
def test_consistency_probability_alive_is_a_probability(mp, cust):
    """P(alive | x, t_x, T) is finite and in [0, 1]; 1 for a BG/NBD customer with no repeat purchase."""
    model, params = mp
    x, tx, T = cust
    p = model.probability_alive(x, tx, T, params=params)
    assert p.shape == x.shape
    assert np.isfinite(p).all()
    assert ((p >= 0) & (p <= 1 + 1e-12)).all()
    if isinstance(model, BetaGeoModel) and not isinstance(model, ModifiedBetaGeoModel):
        np.testing.assert_array_equal(p[x == 0], 1.0)


@PROPS
@given(mp=model_and_params(), cust=customers(max_size=4), ts=st.lists(_pos(0.0, 200.0), min_size=2, max_size=8))
def test_consistency_expected_purchases_non_decreasing_in_t(mp, cust, ts):
    """E[X(t)] and E[Y(t) | x, t_x, T] are 0 at t = 0, finite and non-decreasing in t."""
    model, params = mp
    t = np.unique(np.concatenate([[0.0], ts]))
    ex = model.expected_purchases(t, params=params)
    assert np.isfinite(ex).all() and ex[0] == pytest.approx(0.0, abs=1e-12)
    assert (np.diff(ex) >= -1e-9 * (1 + ex[1:])).all()
    x, tx, T = cust
    for xi, txi, Ti in zip(x, tx, T):
        cond = model.conditional_expected_purchases(t, xi, txi, Ti, params=params)
        assert np.isfinite(cond).all() and cond[0] == pytest.approx(0.0, abs=1e-12)
        assert (np.diff(cond) >= -1e-9 * (1 + cond[1:])).all()


@PROPS
@given(mp=model_and_params(), t=_pos(0.0, 60.0))
def test_consistency_probabilities_over_n_sum_to_at_most_one(mp, t):
    """P(X(t) = n) in [0, 1], summing over n = 0..200 to at most 1 (and to 1 up to the tail beyond 200)."""
    model, params = mp
    n = np.arange(201)
    p = model.probability_of_purchases(n, t, params=params)
    assert np.isfinite(p).all()
    assert ((p >= -1e-15) & (p <= 1 + 1e-12)).all()
    assert p.sum() <= 1 + 1e-8
    if t == 0:
        assert p[0] == pytest.approx(1.0)
    # the mean of the distribution is E[X(t)] (when the tail beyond n = 200 is negligible)
    if p.sum() > 1 - 1e-10:
        assert (n * p).sum() == pytest.approx(float(model.expected_purchases(t, params=params)), rel=1e-5, abs=1e-8)


def _bgnbd_pmf_quad(n: int, t: float, r: float, alpha: float, a: float, b: float) -> float:
    """FHL 2005 section 3: Poisson counts while alive, drop-out p after each purchase; p ~ Beta(a, b) in closed form,
    lambda ~ Gamma(r, alpha) by quadrature."""
    keep = np.exp(special.betaln(a, b + n) - special.betaln(a, b))  # E[(1-p)^n]
    drop = np.exp(special.betaln(a + 1, b + n - 1) - special.betaln(a, b)) if n > 0 else 0.0  # E[p (1-p)^(n-1)]

    def integrand(lam):
        dens = stats.gamma.pdf(lam, r, scale=1 / alpha)
        return dens * (keep * stats.poisson.pmf(n, lam * t) + drop * stats.poisson.sf(n - 1, lam * t))

    value, _ = integrate.quad(integrand, 0, np.inf, limit=400, epsabs=1e-13, epsrel=1e-10)
    return value


def _pareto_pmf_quad(n: int, t: float, r: float, alpha: float, s: float, beta: float) -> float:
    """Fader & Hardie note 012: alive all of (0, t] with prob (beta/(beta+t))^s, else dies at tau ~ Lomax(s, beta)."""

    def nbd(tau):
        return stats.nbinom.pmf(n, r, alpha / (alpha + tau))

    def integrand(tau):
        return s / beta * (1 + tau / beta) ** (-(s + 1)) * nbd(tau)

    died, _ = integrate.quad(integrand, 0, t, limit=400, epsabs=1e-13, epsrel=1e-10)
    return (beta / (beta + t)) ** s * nbd(t) + died


@settings(PROPS, max_examples=6)
@given(params=bg_params, t=_pos(0.5, 52.0), n=st.integers(0, 6))
def test_correctness_bgnbd_probability_of_purchases_matches_quad(params, t, n):
    """BG/NBD P(X(t) = n) = the gamma-beta mixture integral (scipy.integrate.quad)."""
    got = float(BetaGeoModel().probability_of_purchases(n, t, params=params))
    assert got == pytest.approx(_bgnbd_pmf_quad(n, t, *params), rel=1e-6, abs=1e-12)


@settings(PROPS, max_examples=6)
@given(params=pareto_params, t=_pos(0.5, 52.0), n=st.integers(0, 6))
def test_correctness_pareto_nbd_probability_of_purchases_matches_quad(params, t, n):
    """Pareto/NBD P(X(t) = n) = the Lomax-lifetime NBD mixture integral (scipy.integrate.quad)."""
    got = float(ParetoNBDModel().probability_of_purchases(n, t, params=params))
    assert got == pytest.approx(_pareto_pmf_quad(n, t, *params), rel=1e-6, abs=1e-12)


@PROPS
@given(
    mp=model_and_params(),
    case=st.sampled_from(["t<0", "t nan", "n<0", "n fractional", "recency>T", "T<0", "x fractional", "x nan"]),
)
def test_inputchecks_meaningless_arguments_are_dataerror(mp, case):
    """Negative/NaN times, negative or fractional counts, recency beyond T, T < 0: DataError naming the argument."""
    model, params = mp
    calls = {
        "t<0": ("t", lambda: model.expected_purchases(-5.0, params=params)),
        "t nan": ("t", lambda: model.conditional_expected_purchases(np.nan, 1, 2.0, 3.0, params=params)),
        "n<0": ("n", lambda: model.probability_of_purchases(-1, 5.0, params=params)),
        "n fractional": ("n", lambda: model.probability_of_purchases(1.5, 5.0, params=params)),
        "recency>T": ("recency", lambda: model.probability_alive(2, 6.0, 5.0, params=params)),
        "T<0": ("T", lambda: model.probability_alive(0, 0.0, -1.0, params=params)),
        "x fractional": ("frequency", lambda: model.probability_alive(0.5, 1.0, 5.0, params=params)),
        "x nan": ("frequency", lambda: model.probability_alive(np.nan, 1.0, 5.0, params=params)),
    }
    word, call = calls[case]
    with pytest.raises(DataError, match=word):
        call()


_row = st.tuples(st.integers(0, 4), st.integers(0, 30), st.integers(1, 10_000).map(lambda c: c / 100))


@settings(PROPS, max_examples=5)
@given(rows=st.lists(_row, min_size=1, max_size=20), mp=model_and_params())
def test_consistency_summarised_log_to_probability_alive(rows, mp):
    """summarize -> probability_alive: a probability per customer; a customer whose first purchase is on the
    observation end (T = 0) gets the limit T -> 0 (a newly acquired customer), not an error."""
    model, params = mp
    log = pd.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "date": pd.Timestamp("2022-01-03") + pd.to_timedelta([r[1] for r in rows], unit="D"),
            "amount": [r[2] for r in rows],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = summarize(log)
    p = model.probability_alive(summary["frequency"], summary["recency"], summary["T"], params=params)
    assert np.isfinite(p).all() and ((p >= 0) & (p <= 1 + 1e-12)).all()
    new = (summary["T"] == 0).to_numpy()
    if new.any():
        limit = model.probability_alive(0, 0.0, 1e-9, params=params)
        assert p[new] == pytest.approx(np.full(new.sum(), float(limit)), abs=1e-6)


# --------------------------------------------------------------------------------------------
# BG/BB (discrete opportunities)
# --------------------------------------------------------------------------------------------


@PROPS
@given(params=bgbb_params, n_opp=st.integers(0, 30))
def test_consistency_bgbb_probabilities_sum_to_one(params, n_opp):
    """BG/BB P(X(n) = x) over x = 0..n sums to 1 and its mean is E[X(n)] (FHS 2010, section 3)."""
    model = BetaGeoBetaBinomModel()
    x = np.arange(n_opp + 1)
    p = model.probability_of_purchases(x, n_opp, params=params)
    assert np.isfinite(p).all() and (p >= 0).all()
    assert p.sum() == pytest.approx(1.0, rel=1e-9)
    assert (x * p).sum() == pytest.approx(float(model.expected_purchases(n_opp, params=params)), rel=1e-9, abs=1e-12)
    assert float(model.probability_of_purchases(n_opp + 1, n_opp, params=params)) == 0.0


@PROPS
@given(params=bgbb_params, data=st.data())
def test_consistency_bgbb_probability_alive_and_conditional_expectation(params, data):
    """BG/BB P(alive) in [0, 1] and the conditional expectation non-decreasing in the opportunities ahead."""
    n = data.draw(st.integers(1, 20))
    x = data.draw(st.integers(0, n))
    tx = 0 if x == 0 else data.draw(st.integers(x, n))
    model = BetaGeoBetaBinomModel()
    p = float(model.probability_alive(x, tx, n, params=params))
    assert np.isfinite(p) and 0 <= p <= 1 + 1e-12
    ahead = np.arange(0, 15)
    cond = model.conditional_expected_purchases(ahead, x, tx, n, params=params)
    assert np.isfinite(cond).all() and cond[0] == pytest.approx(0.0, abs=1e-12)
    assert (np.diff(cond) >= -1e-12).all()
