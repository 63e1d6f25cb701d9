"""crmlib.value.evaluation: out-of-sample R² and recovery over many simulated surveys (issue 15, delivered value).

Oracles: a pure-noise outcome (no true relation: the circular in-sample R² is above 0, the cross-validated one
is not); the in-sample R² recomputed from the weights by hand; the simulation's known truth (crmlib.value.simulate).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from crmlib.exceptions import DataError, DataWarning
from crmlib.value import (
    TRUE_WEIGHTS,
    delivered_value,
    derive_weights,
    load_value_codebook,
    out_of_sample_r2,
    read_value_survey,
    recovery_study,
    score_components,
)


@pytest.fixture(scope="module")
def scored():
    cb = load_value_codebook()
    data = read_value_survey("cdv_simulated_survey.csv", cb)
    return data, score_components(data, cb)


def test_correctness_in_sample_r2_is_the_squared_correlation_with_the_fitted_weights(scored):
    data, sc = scored
    got = out_of_sample_r2(sc, data["SAT"], weighting="regression", n_folds=5, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        w = derive_weights(sc, "regression", outcome=data["SAT"]).table
    dv = delivered_value(sc, w, form="difference")["dv_difference"]
    both = pd.concat([dv, data["SAT"]], axis=1).dropna()
    assert got.loc[("regression", "in sample"), "r2"] == pytest.approx(both.corr().iloc[0, 1] ** 2, rel=1e-9)
    assert (got["n"] == len(both)).all()
    # on the SIMULATED survey the generator's noise sets the fit: out of sample it barely falls
    assert got.loc[("regression", "cross-validated (5 folds)"), "r2"] == pytest.approx(0.81, abs=0.02)


def test_correctness_cross_validation_exposes_a_circular_fit_to_noise(scored):
    data, sc = scored
    noise = pd.Series(np.random.default_rng(7).normal(50, 10, len(data)), index=data.index, name="noise")
    got = out_of_sample_r2(sc, noise, weighting="regression", n_folds=10, seed=2)["r2"]
    assert got[("regression", "in sample")] > 0.0  # weights fitted to the noise explain some of it in sample
    assert got[("regression", "cross-validated (10 folds)")] < 0.0  # and none of it out of sample
    assert got[("equal", "cross-validated (10 folds)")] < 0.005


def test_correctness_recovery_study_over_runs_against_the_truth():
    got = recovery_study(3, n_per_competitor=100, n_boot=100, seed=500)
    weights = got.xs("weight", level="quantity")
    np.testing.assert_allclose(weights["truth"].to_numpy(), TRUE_WEIGHTS.to_numpy())
    assert weights["bias"].abs().max() < 0.05
    assert np.isin(got["coverage"].to_numpy() * 3, [0, 1, 2, 3]).all()  # a share of 3 runs
    effect = got.loc[("effect on SAT", "V - C")]
    assert effect["truth"] == 10.0 and abs(effect["bias"]) < 1.0
    assert got.attrs == {"n_runs": 3, "level": 0.95, "n_boot": 100}


def test_inputchecks_evaluation(scored):
    data, sc = scored
    with pytest.raises(DataError, match="aligned with the component scores"):
        out_of_sample_r2(sc, data["SAT"].reset_index(drop=True).iloc[:10], seed=1)
    with pytest.raises(DataError, match="weighting must be one of"):
        out_of_sample_r2(sc, data["SAT"], weighting="choice", seed=1)
    with pytest.raises(DataError, match="seed must be an int"):
        recovery_study(2, seed=None)
    with pytest.raises(DataError, match="n_runs"):
        recovery_study(1, seed=1)
