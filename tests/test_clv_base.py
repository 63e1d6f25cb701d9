"""Fitting machinery, convergence reporting, CLV, validation, simulators and plots of crmlib.clv.

Oracles: the observed information against the sampling spread of
simulated estimates; hand computations of AIC/BIC and of the CLV product;
FHL (2005) Figure 4's calibration/holdout logic against a direct group mean;
seeds reproduce draws.
"""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlib.clv import (  # noqa: E402  # noqa: E402
    BetaGeoModel,
    GammaGammaModel,
    ParetoNBDModel,
    bootstrap_predictions,
    continuous_rate,
    customer_equity_interval,
    customer_lifetime_value,
    plots,
    validate,
)
from crmlib.clv.simulate import simulate_bgnbd, simulate_pareto_nbd  # noqa: E402
from crmlib.datasets import load_cdnow, load_cdnow_summary  # noqa: E402
from crmlib.exceptions import ConvergenceError, ConvergenceWarning, DataError  # noqa: E402


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow_summary()


@pytest.fixture(scope="module")
def fitted(cdnow):
    return BetaGeoModel().fit(cdnow), ParetoNBDModel().fit(cdnow), GammaGammaModel().fit(cdnow)


def test_summary_aic_bic_and_intervals(fitted):
    bg = fitted[0]
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


def test_iteration_limit_warns_convergence_warning(cdnow):
    with pytest.warns(ConvergenceWarning, match="may not have converged"):
        m = BetaGeoModel(max_iter=2, n_starts=1).fit(cdnow)
    assert not m.convergence_.converged
    assert np.all(np.isfinite(m.params_))


def test_initial_params_checked(cdnow):
    with pytest.raises(DataError, match="initial_params lacks parameter 'b'"):
        BetaGeoModel().fit(cdnow, initial_params={"r": 1, "alpha": 1, "a": 1})
    with pytest.raises(DataError, match="initial_params must be 4 positive numbers"):
        BetaGeoModel().fit(cdnow, initial_params=[1, -1, 1, 1])
    m = BetaGeoModel().fit(cdnow, initial_params={"r": 0.2, "alpha": 4, "a": 0.8, "b": 2.4})
    assert m.params_["r"] == pytest.approx(0.2426, abs=1e-4)


def test_parametric_bootstrap_is_seeded_and_centred(fitted):
    bg = fitted[0]
    a = bootstrap_predictions(bg, lambda p: bg.expected_purchases([13.0, 52.0], params=p), n_boot=100, seed=4)
    b = bootstrap_predictions(bg, lambda p: bg.expected_purchases([13.0, 52.0], params=p), n_boot=100, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert np.all(a["lower"] < a["estimate"]) and np.all(a["estimate"] < a["upper"])
    assert a["mean"].to_numpy() == pytest.approx(a["estimate"].to_numpy(), rel=0.05)
    with pytest.raises(DataError, match="seed must be"):
        bg.draw_params(5, seed=None)


def test_clv_is_margin_times_dert_times_expected_spend(fitted, cdnow):
    bg, _, gg = fitted
    clv = customer_lifetime_value(bg, gg, cdnow, margin_share=0.3, discount_rate=0.15, periods_per_year=52)
    delta = np.log(1.15) / 52  # FHL 2005b: 15% a year on weekly data, a 52-week year
    assert continuous_rate(0.15, 52) == pytest.approx(delta)
    i = 0
    row = cdnow.iloc[i]
    dert = bg.dert(row["frequency"], row["recency"], row["T"], discount_rate=0.15, periods_per_year=52)
    spend = gg.conditional_expected_spend(row["frequency"], row["monetary"])
    assert clv["clv"].iloc[i] == pytest.approx(0.3 * dert * spend, rel=1e-12)
    assert clv.index.equals(cdnow.index)
    assert np.all(np.isfinite(clv.to_numpy())) and np.all(clv["clv"] >= 0)
    with pytest.raises(DataError, match=r"margin_share must be in \[0, 1\], got 30 \(a share"):
        customer_lifetime_value(bg, gg, cdnow, margin_share=30, discount_rate=0.15, periods_per_year=52)


def test_customer_equity_interval_contains_estimate(fitted, cdnow):
    _, pn, gg = fitted
    ce = customer_equity_interval(
        pn, gg, cdnow.iloc[:300], margin_share=0.3, discount_rate=0.1, periods_per_year=52, n_boot=40, seed=1
    )
    assert ce["lower"] < ce["customer_equity"] < ce["upper"]
    assert ce["n_infinite"] == 0 and ce["n_boot"] == 40


def test_holdout_comparison_against_direct_group_means(fitted):
    bg = fitted[0]
    d = pd.DataFrame(
        {
            "frequency": [0, 0, 1, 9],
            "recency": [0, 0, 5.0, 30.0],
            "T": [38.0] * 4,
            "frequency_holdout": [0, 2, 1, 4],
            "duration_holdout": [39.0] * 4,
        }
    )
    out = validate.holdout_comparison(bg, d, max_frequency=7)
    assert list(out.index) == ["0", "1", "7+"]
    assert out.loc["0", "actual"] == 1.0 and out.loc["0", "n_customers"] == 2
    assert out.loc["7+", "expected"] == pytest.approx(bg.conditional_expected_purchases(39.0, 9, 30.0, 38.0))


def test_tracking_totals_match_the_log(fitted):
    bg = fitted[0]
    log = load_cdnow("sample")
    track = validate.tracking(bg, log, start="1997-01-01", end="1998-06-30", calibration_end="1997-09-30")
    assert len(track) == 78
    days = log[["customer_id", "date"]].drop_duplicates()
    assert track["actual"].sum() == len(days) - days["customer_id"].nunique()  # repeat purchase days
    assert track["calibration"].sum() == 39
    # calibration-period expected total = sum of E[X(T_i)] over customers (FHL 2005 Fig. 2)
    summ = load_cdnow_summary()
    exp_cal = bg.expected_purchases(summ["T"].to_numpy()).sum()
    assert track.loc[track["calibration"], "expected"].sum() == pytest.approx(exp_cal, rel=0.01)


def test_frequency_histogram_test_and_model_comparison(fitted, cdnow):
    bg, pn, _ = fitted
    res = validate.frequency_histogram_test(bg, cdnow)
    tab = res["table"]
    assert tab["observed"].sum() == 2357 and tab["expected"].sum() == pytest.approx(2357, rel=1e-9)
    assert res["df"] == len(tab) - 1 - 4 and 0 <= res["p_value"] <= 1
    comp = validate.compare_models({"BG/NBD": bg, "Pareto/NBD": pn})
    assert comp.index[0] == "BG/NBD"  # higher LL with the same number of parameters (FHL 2005, Table 1)
    assert comp.loc["Pareto/NBD", "delta_bic"] == pytest.approx(2 * (bg.log_likelihood_ - pn.log_likelihood_))


def test_simulators_are_seeded():
    a = simulate_pareto_nbd(50, 30.0, 0.5, 5, 0.5, 5, seed=3)
    b = simulate_pareto_nbd(50, 30.0, 0.5, 5, 0.5, 5, seed=3)
    pd.testing.assert_frame_equal(a, b)
    s = simulate_bgnbd(2000, 30.0, 0.5, 5, 1.0, 3.0, seed=1, time_resolution=1 / 7)
    assert np.all(s["recency"] <= s["T"]) and np.all((s["frequency"] == 0) == (s["recency"] == 0))
    assert np.allclose(np.round(s["recency"] * 7), s["recency"] * 7)
    with pytest.raises(DataError, match="parameter 'alpha' must be positive"):
        simulate_bgnbd(10, 30.0, 0.5, -5, 1.0, 3.0, seed=1)


def test_plots_label_axes(fitted):
    bg = fitted[0]
    for kind in ("alive", "expected"):
        ax = plots.plot_frequency_recency_matrix(bg, 39.0, kind=kind, max_frequency=20)
        assert ax.get_xlabel() and ax.get_ylabel()
        plt.close(ax.figure)
    d = pd.DataFrame({"actual": [1, 2], "expected": [1.5, 2.5]}, index=["0", "1"])
    for f in (plots.plot_calibration_holdout, plots.plot_frequency_histogram):
        ax = f(d.rename(columns={"actual": "observed"}) if f is plots.plot_frequency_histogram else d)
        assert ax.get_xlabel() and ax.get_ylabel()
        plt.close(ax.figure)


def test_warm_start_on_large_data_gives_the_plain_fit():
    """The sample-then-polish path (more than 20,000 distinct rows) reaches the same optimum as the plain fit."""
    d = simulate_bgnbd(25_000, np.random.default_rng(7).uniform(20, 60, 25_000), 0.3, 5.0, 0.9, 2.5, seed=7)
    warm = BetaGeoModel().fit(d)
    plain = BetaGeoModel(warm_start_rows=None).fit(d)
    assert warm.convergence_.starts[0]["message"].startswith("warm start")
    np.testing.assert_allclose(warm.params_, plain.params_, rtol=2e-6)
    np.testing.assert_allclose(warm.standard_errors_, plain.standard_errors_, rtol=1e-3)
    assert warm.log_likelihood_ == pytest.approx(plain.log_likelihood_, abs=1e-6)


@pytest.mark.slow
def test_customer_bootstrap_agrees_with_observed_information(fitted, cdnow):
    """Resampling customers gives standard errors close to the observed-information ones (CDNOW BG/NBD)."""
    from crmlib.clv import customer_bootstrap

    bg = fitted[0]
    out = customer_bootstrap(bg, cdnow, predict=lambda p: bg.expected_purchases(52.0, params=p), n_boot=60, seed=3)
    again = customer_bootstrap(bg, cdnow, n_boot=5, seed=3)
    pd.testing.assert_frame_equal(out["params"].iloc[:5], again["params"])
    ratio = out["summary"]["se"] / bg.standard_errors_
    assert np.all((ratio > 0.6) & (ratio < 1.6)), ratio
    assert out["n_failed"] <= 3
    pred = out["prediction"].iloc[0]
    assert pred["lower"] < pred["estimate"] < pred["upper"]


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
