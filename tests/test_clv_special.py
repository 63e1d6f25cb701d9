"""crmlib.clv._special: the special functions against scipy's quadrature and direct sums."""

import numpy as np
import pytest
from scipy import integrate


def test_exp_power_mean_against_scipy_quad():
    """z int_0^inf exp(-z t) (1+t)^-(R+1) dt, the gamma-posterior piece of the BG/NBD DERT, for R up to 10^4."""
    from crmlib.clv._special import exp_power_mean

    rng = np.random.default_rng(0)
    for _ in range(40):
        R, z = np.exp(rng.uniform(-4, 9.2)), np.exp(rng.uniform(-9, 9))
        ref = integrate.quad(
            lambda t: z * np.exp(-z * t - (R + 1) * np.log1p(t)), 0, np.inf, epsabs=0, epsrel=1e-12, limit=1000
        )[0]
        assert exp_power_mean(R, z) == pytest.approx(ref, rel=2e-8)


def test_hyp2f1_1bc_against_the_direct_series_and_scipy():
    """2F1(1, b; c; z) = sum_k (b)_k / (c)_k z^k: summed term by term, and scipy's hyp2f1 where it is reliable."""
    from scipy import special

    from crmlib.clv._special import hyp2f1_1bc

    for b, c, z in [(0.7, 1.9, 0.5), (1.182, 1.886, 1 / 1.1), (50.0, 100.0, 0.95), (3.3, 4.1, 0.99)]:
        k = np.arange(20000)
        log_terms = (
            special.gammaln(b + k) - special.gammaln(b) - special.gammaln(c + k) + special.gammaln(c) + k * np.log(z)
        )
        assert hyp2f1_1bc(b, c, z) == pytest.approx(np.exp(log_terms).sum(), rel=1e-12)
    assert hyp2f1_1bc(0.7, 1.9, 0.5) == pytest.approx(special.hyp2f1(1, 0.7, 1.9, 0.5), rel=1e-13)


def test_inputchecks_hyp2f1_1bc():
    from crmlib.clv._special import hyp2f1_1bc
    from crmlib.exceptions import DataError

    with pytest.raises(DataError, match=r"needs c > b > 0 and 0 <= z < 1"):
        hyp2f1_1bc(2.0, 1.0, 0.5)
    with pytest.raises(DataError, match=r"needs c > b > 0 and 0 <= z < 1"):
        hyp2f1_1bc(1.0, 2.0, 1.0)


def test_consistency_beta_shift_terms_against_mpmath_and_scipy():
    """log B(a, b + x) / B(a, b) and the digamma differences by the recurrences equal 40-digit mpmath values to
    1e-13 (relative to max(1, |value|)) for a, b in [1e-8, 1e4] and x up to 2,000 (the recurrence up to 64, scipy's
    betaln/digamma above), and scipy's betaln/digamma on every row to its own accuracy (1e-10 of |log B(a, b)|)."""
    import mpmath
    from scipy import special

    from crmlib.clv._special import beta_shift_plan, beta_shift_terms

    rng = np.random.default_rng(1)
    n = 1500
    a, b = np.exp(rng.uniform(np.log(1e-8), np.log(1e4), (2, n)))
    x = np.concatenate([rng.integers(0, 5, 500), rng.integers(0, 70, 500), rng.integers(60, 2000, 500)]).astype(float)
    lb, dab, db = beta_shift_terms(a, b, x)
    sorted_plan = beta_shift_plan(np.sort(x))
    assert sorted_plan[0] is None  # sorted x: no reordering
    order = np.argsort(x, kind="stable")
    again = beta_shift_terms(a[order], b[order], x[order], sorted_plan)
    for v, w in zip(again, (lb, dab, db)):
        np.testing.assert_array_equal(v, w[order])
    mpmath.mp.dps = 40
    for i in range(0, n, 5):
        ai, bi, xi = (mpmath.mpf(float(v)) for v in (a[i], b[i], x[i]))
        ref = [
            mpmath.log(mpmath.beta(ai, bi + xi)) - mpmath.log(mpmath.beta(ai, bi)),
            mpmath.digamma(ai + bi) - mpmath.digamma(ai + bi + xi),
            mpmath.digamma(bi + xi) - mpmath.digamma(bi),
        ]
        for ours, r in zip((lb[i], dab[i], db[i]), ref):
            if x[i] <= 64:
                assert abs(ours - float(r)) <= 1e-13 * max(1.0, abs(float(r)))
    scale = np.maximum(1.0, np.abs(special.betaln(a, b)))
    np.testing.assert_array_less(np.abs(lb - (special.betaln(a, b + x) - special.betaln(a, b))) / scale, 1e-10)
    np.testing.assert_allclose(dab, special.digamma(a + b) - special.digamma(a + b + x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(db, special.digamma(b + x) - special.digamma(b), rtol=1e-12, atol=1e-12)
    assert np.all(lb[x == 0] == 0) and np.all(dab[x == 0] == 0) and np.all(db[x == 0] == 0)
