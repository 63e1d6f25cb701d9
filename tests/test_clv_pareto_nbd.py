"""Pareto/NBD: published estimates, the death integral against adaptive quadrature, closed forms, properties.

Oracles: Fader, Hardie & Lee (2005, Marketing Science 24(2), Table 1) and
Fader & Hardie's Pareto/NBD note on the CDNOW summary (r = 0.553,
alpha = 10.578, s = 0.606, beta = 11.669, LL = -9595.0); the Gauss
hypergeometric closed form of the note (eq. 19-22) where scipy's hyp2f1 is
accurate; ``scipy.integrate.quad``; simulation with known truth.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special

from crmlib.clv import ParetoNBDModel
from crmlib.clv.pareto_nbd import log_death_integral
from crmlib.clv.simulate import simulate_pareto_nbd

PUBLISHED = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}


def test_pareto_nbd_matches_fader_hardie_lee_2005(cdnow_pareto_nbd):
    for k, v in PUBLISHED.items():
        assert cdnow_pareto_nbd.params_[k] == pytest.approx(v, rel=2e-3), k
    assert cdnow_pareto_nbd.log_likelihood_ == pytest.approx(-9595.0, abs=0.05)
    assert cdnow_pareto_nbd.convergence_.converged


def test_pareto_nbd_loglik_matches_hypergeometric_closed_form_of_fader_hardie_note(cdnow_summary):
    """FH note eq. (19)-(22): A_0 with the alpha >= beta and alpha < beta cases of 2F1."""
    m = ParetoNBDModel()
    x, tx, T = (cdnow_summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    for r, alpha, s, beta in [(0.553, 10.578, 0.606, 11.669), (0.9, 15.0, 0.4, 5.0)]:
        maxab, absab = max(alpha, beta), abs(alpha - beta)
        bb = s + 1 if alpha >= beta else r + x
        f1 = special.hyp2f1(r + s + x, bb, r + s + x + 1, absab / (maxab + tx)) / (maxab + tx) ** (r + s + x)
        f2 = special.hyp2f1(r + s + x, bb, r + s + x + 1, absab / (maxab + T)) / (maxab + T) ** (r + s + x)
        A0 = f1 - f2
        L = (
            special.gamma(r + x)
            * alpha**r
            * beta**s
            / special.gamma(r)
            * (1 / ((alpha + T) ** (r + x) * (beta + T) ** s) + s / (r + s + x) * A0)
        )
        ours = m._loglik(np.array([r, alpha, s, beta]), m._cache({"x": x, "tx": tx, "T": T}))
        np.testing.assert_allclose(ours, np.log(L), rtol=0, atol=1e-9)


def test_death_integral_against_scipy_quad():
    rng = np.random.default_rng(5)
    for _ in range(150):
        r, alpha, s, beta = np.exp(rng.uniform(-3, 3.5, 4))
        x = float(rng.choice([0, 1, 3, 40, 2000]))
        T = float(np.exp(rng.uniform(-2, 8)))
        tx = 0.0 if x == 0 else T * rng.uniform()
        f = lambda tau: np.exp(
            -(r + x) * np.log((alpha + tau) / (alpha + tx)) - (s + 1) * np.log((beta + tau) / (beta + tx))
        )  # noqa: E731
        pts = [tx + (T - tx) * q for q in (1e-6, 1e-4, 1e-2)]
        ref = np.log(integrate.quad(f, tx, T, limit=500, epsabs=0, epsrel=1e-12, points=pts)[0])
        ref -= (r + x) * np.log(alpha + tx) + (s + 1) * np.log(beta + tx)
        assert log_death_integral(r, alpha, s, beta, x, tx, T)[0] == pytest.approx(ref, abs=1e-8)


def test_analytic_gradient_against_central_differences(cdnow_summary):
    m = ParetoNBDModel()
    c = m._cache(
        {
            "x": cdnow_summary["frequency"].to_numpy(float),
            "tx": cdnow_summary["recency"].to_numpy(float),
            "T": cdnow_summary["T"].to_numpy(float),
        }
    )
    p = np.array([0.6, 9.0, 0.8, 14.0])
    _, g = m._loglik_grad(p, c)
    for j in range(4):
        h = 1e-6 * p[j]
        up, dn = p.copy(), p.copy()
        up[j] += h
        dn[j] -= h
        num = (m._loglik(up, c).sum() - m._loglik(dn, c).sum()) / (2 * h)
        assert g[:, j].sum() == pytest.approx(num, rel=1e-5, abs=1e-6)


def test_conditional_expectation_and_p_alive_against_closed_forms(cdnow_pareto_nbd):
    """SMC (1987) eq. 11 and 22 written with the hypergeometric A_0 (FH note eq. 25, 27)."""
    r, alpha, s, beta = cdnow_pareto_nbd.params_
    x, tx, T, t = 2.0, 30.43, 38.86, 39.0
    f1 = special.hyp2f1(r + s + x, r + x, r + s + x + 1, (beta - alpha) / (beta + tx)) / (beta + tx) ** (r + s + x)
    f2 = special.hyp2f1(r + s + x, r + x, r + s + x + 1, (beta - alpha) / (beta + T)) / (beta + T) ** (r + s + x)
    term1 = 1 / ((alpha + T) ** (r + x) * (beta + T) ** s)
    palive = term1 / (term1 + s / (r + s + x) * (f1 - f2))
    assert cdnow_pareto_nbd.probability_alive(x, tx, T) == pytest.approx(palive, rel=1e-9)
    ce = palive * (r + x) * (beta + T) / ((alpha + T) * (s - 1)) * (1 - ((beta + T) / (beta + T + t)) ** (s - 1))
    assert cdnow_pareto_nbd.conditional_expected_purchases(t, x, tx, T) == pytest.approx(ce, rel=1e-9)


def test_pmf_sums_to_one_and_mean_equals_expectation(cdnow_pareto_nbd):
    n = np.arange(3000)
    for t in (1.0, 39.0, 104.0):
        pmf = cdnow_pareto_nbd.probability_of_purchases(n, t)
        assert np.all(pmf >= 0)
        assert pmf.sum() == pytest.approx(1.0, abs=1e-8)
        assert (n * pmf).sum() == pytest.approx(cdnow_pareto_nbd.expected_purchases(t), rel=1e-6)


def test_dert_closed_form_against_numerical_integration(cdnow_pareto_nbd):
    """FHL 2005b eq. 2 (Tricomi U) against delta * int exp(-delta t) E[Y(t)] dt."""
    delta = np.log(1.15) / 52  # FHL 2005b: 15% a year, log(1.15)/52 per week (a 52-week year)
    for x, tx, T in [(0, 0.0, 38.86), (2, 30.43, 38.86), (15, 38.0, 38.5)]:
        f = lambda t: delta * np.exp(-delta * t) * cdnow_pareto_nbd.conditional_expected_purchases(t, x, tx, T)  # noqa: E731
        ref = integrate.quad(f, 0, np.inf, limit=500, epsrel=1e-11)[0]
        assert cdnow_pareto_nbd.dert(x, tx, T, discount_rate=0.15, periods_per_year=52) == pytest.approx(ref, rel=1e-7)


def test_recovers_known_parameters_from_simulation():
    truth = np.array([0.6, 8.0, 0.9, 12.0])
    T = np.random.default_rng(1).integers(280, 560, 30000) / 7  # whole days, in weeks
    m = ParetoNBDModel().fit(simulate_pareto_nbd(30000, T, *truth, seed=3, time_resolution=1 / 7))
    z = (m.params_.to_numpy() - truth) / m.standard_errors_.to_numpy()
    assert np.all(np.abs(z) < 4), z


def test_weighted_rows_give_the_fit_of_expanded_rows(cdnow_summary):
    small = cdnow_summary.iloc[:500]
    counts = np.random.default_rng(2).integers(1, 4, len(small))
    a = ParetoNBDModel(compress=False).fit(small.loc[small.index.repeat(counts)])
    b = ParetoNBDModel(compress=False).fit(small.assign(weight=counts))
    np.testing.assert_allclose(a.params_, b.params_, rtol=1e-7)
    assert a.log_likelihood_ == pytest.approx(b.log_likelihood_, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    x=st.integers(0, 10_000),
    frac=st.floats(0, 1),
    T=st.floats(0.01, 10_000),
    params=st.tuples(*[st.floats(0.01, 50)] * 4),
)
def test_loglik_gradient_and_p_alive_finite_for_extreme_histories(x, frac, T, params):
    m = ParetoNBDModel()
    tx = 0.0 if x == 0 else frac * T
    p = np.array(params)
    ll, g = m._loglik_grad(p, m._cache({"x": np.array([float(x)]), "tx": np.array([tx]), "T": np.array([T])}))
    assert np.isfinite(ll).all() and np.isfinite(g).all()
    pa = m.probability_alive(x, tx, T, params=p)
    assert 0 <= pa <= 1
    assert np.isfinite(m.conditional_expected_purchases(52.0, x, tx, T, params=p))


def _loglik_by_quad(params, d):
    """Pareto/NBD log-likelihood (FH 2005 note, section 3) with the death integral by scipy.integrate.quad.

    s * int_{t_x}^{T} (alpha+tau)^-(r+x) (beta+tau)^-(s+1) d tau is integrated after factoring out its
    value at t_x (the integrand falls by e^-0.9 per week for the heavy buyers, so it would underflow).
    """
    r, alpha, s, beta = params
    total = 0.0
    for x, tx, T, w in d[["frequency", "recency", "T", "weight"]].itertuples(index=False):

        def logf(tau, x=x):
            return -(r + x) * np.log(alpha + tau) - (s + 1) * np.log(beta + tau)

        ref = logf(tx)
        scale = (alpha + tx) / (r + x)  # the integrand's decay length at t_x
        pts = [p for p in (scale, 10 * scale, 50 * scale) if p < T - tx]
        integral = integrate.quad(
            lambda u: np.exp(logf(tx + u) - ref), 0, T - tx, points=pts or None, limit=500, epsabs=0, epsrel=1e-12
        )[0]
        alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
        lse = np.logaddexp(alive, np.log(s) + ref + np.log(integral))
        total += w * (special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta) + lse)
    return total


def test_fit_on_heavy_buyers_is_the_maximum_of_the_likelihood_by_quadrature():
    """Frequencies in the thousands make scipy's hyp2f1 return NaN; the quadrature form does not.

    Independent oracle: the log-likelihood with the death integral by scipy.integrate.quad equals crmlib's at
    the estimates, and moving any parameter by 1% either way lowers it (the estimates are its maximum).
    """
    d = pd.DataFrame(
        {
            "frequency": [0, 3, 5000, 9000, 1],
            "recency": [0, 20.0, 9000.0, 9990.0, 2.0],
            "T": [30.0, 40.0, 10_000.0, 10_000.0, 60.0],
            "weight": [50, 30, 1, 1, 20],
        }
    )
    m = ParetoNBDModel().fit(d)
    p = m.params_.to_numpy()
    best = _loglik_by_quad(p, d)
    assert m.log_likelihood_ == pytest.approx(best, rel=1e-9)
    for j in range(4):
        for step in (0.99, 1.01):
            q = p.copy()
            q[j] *= step
            assert _loglik_by_quad(q, d) < best - 1e-6, (m.param_names[j], step)


@pytest.mark.parametrize(
    "params", [(0.553, 10.578, 0.606, 11.669), (0.02, 1.0, 0.02, 1.0), (30.0, 0.05, 0.03, 40.0)], ids=str
)
def test_consistency_loglik_by_tails_equals_the_death_integral_by_quad(params):
    """The likelihood takes the death integral from t_x to T as the tail from t_x less the tail from T.

    Oracle: the likelihood with the integral from t_x to T by scipy.integrate.quad, on histories from a
    first-day buyer to heavy buyers; the second case has r + s = 0.04 (tails too long for the rule, integrated
    directly), the third a fast purchase and slow drop-out scale.
    """
    d = pd.DataFrame(
        {
            "frequency": [0, 0, 1, 3, 3, 40, 2000],
            "recency": [0.0, 0.0, 0.5, 20.0, 39.0, 38.9, 39.0],
            "T": [39.0, 0.5, 39.0, 39.0, 39.0, 39.0, 39.0],
            "weight": [1, 1, 1, 1, 1, 1, 1],
        }
    )
    m = ParetoNBDModel()
    c = m._cache({"x": d.frequency.to_numpy(float), "tx": d.recency.to_numpy(), "T": d["T"].to_numpy()})
    ll, g = m._loglik_grad(np.array(params), c)
    assert ll.sum() == pytest.approx(_loglik_by_quad(params, d), rel=1e-10)
    for j in range(4):  # the gradient of both routes against central differences
        up, dn = np.array(params), np.array(params)
        up[j] *= 1 + 1e-6
        dn[j] *= 1 - 1e-6
        num = (m._loglik(up, c).sum() - m._loglik(dn, c).sum()) / (2e-6 * params[j])
        assert g[:, j].sum() == pytest.approx(num, rel=1e-5, abs=1e-6)


def test_predictions_match_r_btyd_walkthrough(cdnow_pareto_nbd):
    """BTYD (R) walkthrough, CDNOW: at r=0.5534, alpha=10.5802, s=0.6061, beta=11.6562 a customer with
    x=26, t_x=30.86, T=31 has P(alive) 0.9979; with the fitted estimates he expects 25.46 transactions in
    the next 52 weeks (the printed parameters are rounded, so the expectation uses our own estimates)."""
    p = [0.5534, 10.5802, 0.6061, 11.6562]
    assert cdnow_pareto_nbd.probability_alive(26, 30.86, 31, params=p) == pytest.approx(0.9979, abs=5e-5)
    assert cdnow_pareto_nbd.conditional_expected_purchases(52, 26, 30.86, 31) == pytest.approx(25.46, abs=0.005)


@pytest.mark.parametrize("s,beta", [(0.05, 0.5), (5.0, 11.7), (20.0, 0.5), (50.0, 200.0)])
def test_dert_for_large_s_against_numerical_integration(s, beta):
    """scipy's hyperu(s, s, z) gives inf, NaN or wrong values for s above about 5; the quadrature form does not."""
    m = ParetoNBDModel()
    p = [0.55, 10.6, s, beta]
    # delta per time unit: 15% a year over 52 weeks, and 0.1 per unit, i.e. the annual rate e^0.1 - 1 with yearly units
    for delta, annual, per_year in ((np.log(1.15) / 52, 0.15, 52), (0.1, np.expm1(0.1), 1)):
        f = lambda t: delta * np.exp(-delta * t) * m.conditional_expected_purchases(t, 2, 30.43, 38.86, params=p)  # noqa: E731
        ref = integrate.quad(f, 0, np.inf, limit=2000, epsabs=0, epsrel=1e-11)[0]
        dert = m.dert(2, 30.43, 38.86, discount_rate=annual, periods_per_year=per_year, params=p)
        assert dert == pytest.approx(ref, rel=1e-7)
