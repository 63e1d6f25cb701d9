"""crmlib.clv.bootstrap: parametric and customer bootstrap.

Oracles: the same seed gives the same draws; the bootstrap mean against the
estimate; customer-bootstrap standard errors against the observed information.
"""

import numpy as np
import pandas as pd
import pytest

from crmlib.clv import (
    bootstrap_predictions,
)
from crmlib.exceptions import DataError


def test_parametric_bootstrap_is_seeded_and_centred(cdnow_fitted):
    bg = cdnow_fitted[0]
    a = bootstrap_predictions(bg, lambda p: bg.expected_purchases([13.0, 52.0], params=p), n_boot=100, seed=4)
    b = bootstrap_predictions(bg, lambda p: bg.expected_purchases([13.0, 52.0], params=p), n_boot=100, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert np.all(a["lower"] < a["estimate"]) and np.all(a["estimate"] < a["upper"])
    assert a["mean"].to_numpy() == pytest.approx(a["estimate"].to_numpy(), rel=0.05)
    with pytest.raises(DataError, match="seed must be"):
        bg.draw_params(5, seed=None)


@pytest.mark.slow
def test_customer_bootstrap_agrees_with_observed_information(cdnow_fitted, cdnow_summary):
    """Resampling customers gives standard errors close to the observed-information ones (CDNOW BG/NBD)."""
    from crmlib.clv import customer_bootstrap

    bg = cdnow_fitted[0]
    out = customer_bootstrap(
        bg, cdnow_summary, predict=lambda p: bg.expected_purchases(52.0, params=p), n_boot=60, seed=3
    )
    again = customer_bootstrap(bg, cdnow_summary, n_boot=5, seed=3)
    pd.testing.assert_frame_equal(out["params"].iloc[:5], again["params"])
    ratio = out["summary"]["se"] / bg.standard_errors_
    assert np.all((ratio > 0.6) & (ratio < 1.6)), ratio
    assert out["n_failed"] <= 3
    pred = out["prediction"].iloc[0]
    assert pred["lower"] < pred["estimate"] < pred["upper"]


def test_inputchecks_bootstrap_level_and_n_boot(cdnow_bgnbd):
    bg = cdnow_bgnbd
    with pytest.raises(DataError, match=r"for a 95% interval use 0.95"):
        bootstrap_predictions(bg, lambda p: bg.expected_purchases(13.0, params=p), n_boot=10, seed=1, level=95)
    with pytest.raises(DataError, match="n_boot must be a whole number, got 10.5"):
        bootstrap_predictions(bg, lambda p: bg.expected_purchases(13.0, params=p), n_boot=10.5, seed=1)
    with pytest.raises(DataError, match="seed must be an int or a numpy.random.Generator, got None"):
        bootstrap_predictions(bg, lambda p: bg.expected_purchases(13.0, params=p), n_boot=10, seed=None)
