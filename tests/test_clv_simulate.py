"""crmlib.clv.simulate: seeded simulators (their recovery tests live with each model)."""

import numpy as np
import pandas as pd
import pytest

from crmlib.clv.simulate import (
    simulate_bgnbd,
    simulate_pareto_nbd,
)
from crmlib.exceptions import DataError


def test_simulators_are_seeded():
    a = simulate_pareto_nbd(50, 30.0, 0.5, 5, 0.5, 5, seed=3)
    b = simulate_pareto_nbd(50, 30.0, 0.5, 5, 0.5, 5, seed=3)
    pd.testing.assert_frame_equal(a, b)
    s = simulate_bgnbd(2000, 30.0, 0.5, 5, 1.0, 3.0, seed=1, time_resolution=1 / 7)
    assert np.all(s["recency"] <= s["T"]) and np.all((s["frequency"] == 0) == (s["recency"] == 0))
    assert np.allclose(np.round(s["recency"] * 7), s["recency"] * 7)
    with pytest.raises(DataError, match="parameter 'alpha' must be positive"):
        simulate_bgnbd(10, 30.0, 0.5, -5, 1.0, 3.0, seed=1)


def test_inputchecks_simulators():
    from crmlib.clv.simulate import simulate_bgbb, simulate_gamma_gamma, simulate_sbg

    with pytest.raises(DataError, match="n_customers must be >= 1, got 0"):
        simulate_bgnbd(0, 30.0, 0.5, 5, 1.0, 3.0, seed=1)
    with pytest.raises(DataError, match="n_periods must be a whole number, got 2.5"):
        simulate_bgbb(10, 2.5, 1, 1, 1, 1, seed=1)
    with pytest.raises(DataError, match="n_customers must be a whole number, got 10.5"):
        simulate_sbg(10.5, 5, 1.0, 1.0, seed=1)
    with pytest.raises(DataError, match="frequency must be >= 0, got -1"):
        simulate_gamma_gamma([1, -1], 6.0, 3.7, 15.0, seed=1)
