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
