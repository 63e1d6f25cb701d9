"""Fitting machinery of crmlib.clv._base: standard errors, intervals, convergence, the fitted state.

Oracles: the observed information against the sampling spread of simulated
estimates; hand computations of AIC/BIC and of the log-scale interval; the
plain fit against the warm-started one; the fitted object before and after
computing on other data.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from crmlib.clv import (
    BetaGeoModel,
    GammaGammaModel,
    ShiftedBetaGeometricModel,
)
from crmlib.clv.simulate import simulate_bgnbd
from crmlib.datasets import load_cdnow_summary
from crmlib.exceptions import ConvergenceError, ConvergenceWarning, DataError

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]


def test_summary_aic_bic_and_intervals(cdnow_fitted):
    bg = cdnow_fitted[0]
    s = bg.summary()
    assert list(s.index) == ["r", "alpha", "a", "b"]
    assert list(s.columns) == ["estimate", "se", "lower", "upper"]
    assert np.all(s["lower"] < s["estimate"]) and np.all(s["estimate"] < s["upper"])
    assert bg.aic_ == pytest.approx(8 - 2 * bg.log_likelihood_)
    assert bg.bic_ == pytest.approx(4 * np.log(2357) - 2 * bg.log_likelihood_)
    # log-scale interval: log(upper) - log(est) = 1.96 se / est
    assert np.log(s["upper"] / s["estimate"]).to_numpy() == pytest.approx(
        (1.959964 * s["se"] / s["estimate"]).to_numpy(), rel=1e-5
    )
    assert not s.isna().any().any()


def test_observed_information_standard_errors_match_sampling_spread():
    """SEs from the Hessian agree with the spread of estimates over 12 simulated data sets (N = 4,000)."""
    truth = (0.5, 6.0, 1.0, 3.0)
    T = np.random.default_rng(0).integers(30, 60, 4000).astype(float)
    est, ses = [], []
    for seed in range(12):
        m = BetaGeoModel().fit(simulate_bgnbd(4000, T, *truth, seed=seed))
        est.append(m.params_.to_numpy())
        ses.append(m.standard_errors_.to_numpy())
    spread = np.std(np.log(est), axis=0, ddof=1)
    mean_se_log = np.mean(np.array(ses) / np.array(est), axis=0)
    np.testing.assert_allclose(spread, mean_se_log, rtol=0.6)


def test_unidentified_model_raises_convergence_error_with_advice():
    # nobody ever buys again: the drop-out and purchase rates cannot be separated
    d = pd.DataFrame({"frequency": [0] * 50, "recency": [0.0] * 50, "T": np.linspace(10, 40, 50)})
    with pytest.raises(ConvergenceError, match="not identified on these data.*Try"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            BetaGeoModel().fit(d)


def test_iteration_limit_warns_convergence_warning(cdnow_summary):
    with pytest.warns(ConvergenceWarning, match="may not have converged"):
        m = BetaGeoModel(max_iter=2, n_starts=1).fit(cdnow_summary)
    assert not m.convergence_.converged
    assert np.all(np.isfinite(m.params_))


def test_initial_params_checked(cdnow_summary):
    with pytest.raises(DataError, match="initial_params lacks parameter 'b'"):
        BetaGeoModel().fit(cdnow_summary, initial_params={"r": 1, "alpha": 1, "a": 1})
    with pytest.raises(DataError, match="initial_params must be 4 positive numbers"):
        BetaGeoModel().fit(cdnow_summary, initial_params=[1, -1, 1, 1])
    m = BetaGeoModel().fit(cdnow_summary, initial_params={"r": 0.2, "alpha": 4, "a": 0.8, "b": 2.4})
    assert m.params_["r"] == pytest.approx(0.2426, abs=1e-4)


def test_warm_start_on_large_data_gives_the_plain_fit():
    """The sample-then-polish path (more than 20,000 distinct rows) reaches the same optimum as the plain fit."""
    d = simulate_bgnbd(25_000, np.random.default_rng(7).uniform(20, 60, 25_000), 0.3, 5.0, 0.9, 2.5, seed=7)
    warm = BetaGeoModel().fit(d)
    plain = BetaGeoModel(warm_start_rows=None).fit(d)
    assert warm.convergence_.starts[0]["message"].startswith("warm start")
    np.testing.assert_allclose(warm.params_, plain.params_, rtol=2e-6)
    np.testing.assert_allclose(warm.standard_errors_, plain.standard_errors_, rtol=1e-3)
    assert warm.log_likelihood_ == pytest.approx(plain.log_likelihood_, abs=1e-6)


def test_public_api_names_resolve_and_every_model_has_summary_and_paper_symbols():
    import crmlib.clv as clv

    for name in clv.__all__:
        assert hasattr(clv, name), name
    symbols = {
        "bgnbd": ("r", "alpha", "a", "b"),
        "mbgnbd": ("r", "alpha", "a", "b"),
        "pareto_nbd": ("r", "alpha", "s", "beta"),
        "bgbb": ("alpha", "beta", "gamma", "delta"),
        "sbg": ("alpha", "beta"),
        "gamma_gamma": ("p", "q", "gamma"),
    }
    for key, Model in clv.MODELS.items():
        assert Model.param_names == symbols[key] and key in clv.MODEL_LABELS
        assert callable(Model.summary) and callable(Model.fit_statistics)


def _state(model):
    """Every attribute of a fitted model, arrays and frames as plain values, for before/after comparison."""
    import copy

    return {k: copy.deepcopy(v) for k, v in vars(model).items()}


def _assert_same_state(before, after):
    assert before.keys() == after.keys()
    for k, v in before.items():
        w = after[k]
        if isinstance(v, (pd.DataFrame, pd.Series)):
            assert v.equals(w), k
        elif isinstance(v, np.ndarray):
            np.testing.assert_array_equal(v, w, err_msg=k)
        elif isinstance(v, tuple):  # _fitted_data
            for a, b in zip(v[0].values(), w[0].values()):
                np.testing.assert_array_equal(a, b, err_msg=k)
            np.testing.assert_array_equal(v[1], w[1], err_msg=k)
        elif k != "convergence_":
            assert v == w, k


def test_loglik_of_other_data_leaves_the_fitted_model_unchanged():
    """Issue 14: GammaGammaModel.loglik(other) overwrote n_one_time_ (1411 -> 3); sBG's active_ likewise."""
    d = load_cdnow_summary()
    gg = GammaGammaModel().fit(d)
    before = _state(gg)
    other = pd.DataFrame({"frequency": [0, 0, 0, 2], "monetary": [0.0, 0, 0, 10.0]})
    assert gg.loglik(other).shape == (1,)
    _assert_same_state(before, _state(gg))
    assert gg.n_one_time_ == 1411
    sbg = ShiftedBetaGeometricModel().fit(REGULAR)
    before = _state(sbg)
    sbg.loglik([500, 400])
    _assert_same_state(before, _state(sbg))
    np.testing.assert_array_equal(sbg.active_, REGULAR)


def test_inputchecks_level_is_a_share_not_a_per_cent(cdnow_bgnbd):
    """Issue 14: confidence=95 gave NaN intervals; level=95 is refused with the hint 0.95."""
    with pytest.raises(
        DataError, match=r"level must be in \(0, 1\) such as 0.95, got 95 \(for a 95% interval use 0.95\)"
    ):
        BetaGeoModel(level=95)
    m = BetaGeoModel(level=0.9)
    assert m.level == 0.9
    s = cdnow_bgnbd.summary()
    assert s.attrs["level"] == 0.95 and list(s.columns[-2:]) == ["lower", "upper"]


def test_inputchecks_fit_settings():
    with pytest.raises(DataError, match="n_starts must be >= 1, got 0"):
        BetaGeoModel(n_starts=0)
    with pytest.raises(DataError, match="max_iter must be a whole number, got 2.5"):
        BetaGeoModel(max_iter=2.5)
    with pytest.raises(DataError, match="tol must be > 0, got 0"):
        BetaGeoModel(tol=0.0)
    with pytest.raises(DataError, match="seed must be an int or a numpy.random.Generator, got None"):
        BetaGeoModel(seed=None)
