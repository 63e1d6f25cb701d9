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
