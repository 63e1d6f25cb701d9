"""Time-invariant covariates in BG/NBD and Pareto/NBD (crmlib.clv.covariates).

Oracles: simulations with known coefficients (customers drawn with their own alpha_i, a_i, b_i,
beta_i by crmlib.clv.simulate); the plain models (every coefficient zero gives their likelihood and
predictions); finite differences of the likelihood (gradient, Hessian); the saved file read back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib.clv import BetaGeoModel, ParetoNBDModel, load_model
from crmlib.clv.covariates import BetaGeoCovariateModel, ParetoNBDCovariateModel
from crmlib.clv.simulate import simulate_bgnbd, simulate_pareto_nbd
from crmlib.exceptions import ConvergenceError, ConvergenceWarning, DataError

BG_TRUTH = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5}
BG_GAMMAS = {"purchase: z1": 0.4, "purchase: z2": -0.3, "dropout a: z1": 0.5, "dropout b: z1": -0.2}
PNBD_TRUTH = {"r": 0.55, "alpha": 10.0, "s": 0.6, "beta": 12.0}
PNBD_GAMMAS = {"purchase: z1": 0.4, "purchase: z2": -0.3, "dropout: z1": 0.5}


def _covariates(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"z1": rng.normal(size=n), "z2": (rng.random(n) < 0.4).astype(float)})


def _bg_base(n: int, seed: int):
    model = BetaGeoCovariateModel(purchase_covariates=["z1", "z2"], dropout_covariates=["z1"])
    truth = pd.Series(BG_TRUTH | BG_GAMMAS)[list(model.param_names)]
    z = _covariates(n, seed)
    own = model.customer_params(z, truth)
    sim = simulate_bgnbd(n, 40.0, truth["r"], own["alpha"], own["a"], own["b"], seed=seed + 100)
    return model, truth, pd.concat([sim[["frequency", "recency", "T"]], z], axis=1)


def _pnbd_base(n: int, seed: int):
    model = ParetoNBDCovariateModel(purchase_covariates=["z1", "z2"], dropout_covariates=["z1"])
    truth = pd.Series(PNBD_TRUTH | PNBD_GAMMAS)[list(model.param_names)]
    z = _covariates(n, seed)
    own = model.customer_params(z, truth)
    sim = simulate_pareto_nbd(n, 40.0, truth["r"], own["alpha"], truth["s"], own["beta"], seed=seed + 100)
    return model, truth, pd.concat([sim[["frequency", "recency", "T"]], z], axis=1)


@pytest.fixture(scope="module")
def bg_fit():
    model, truth, data = _bg_base(3000, 11)
    return model.fit(data), truth, data


@pytest.fixture(scope="module")
def pnbd_fit():
    model, truth, data = _pnbd_base(2500, 12)
    return model.fit(data), truth, data


# ------------------------------------------------------------- recovery
def test_correctness_bgnbd_recovers_known_coefficients_over_seeds():
    """Three simulated bases (3,000 customers each): every coefficient and parameter within 3 standard errors
    (12 coefficients, 24 checks; a miss has chance 0.27% each)."""
    misses = []
    for seed in (1, 2, 3):
        model, truth, data = _bg_base(3000, seed)
        model.fit(data)
        z = (model.params_ - truth) / model.standard_errors_
        misses += [(seed, name, round(v, 2)) for name, v in z.items() if abs(v) > 3]
    assert not misses, misses


def test_correctness_pareto_nbd_recovers_known_coefficients(pnbd_fit):
    model, truth, _ = pnbd_fit
    z = (model.params_ - truth) / model.standard_errors_
    assert np.all(np.abs(z) < 3), z
    assert model.convergence_.converged


def test_correctness_likelihood_ratio_test_against_the_plain_fit(bg_fit):
    model, _, data = bg_fit
    plain = BetaGeoModel().fit(data[["frequency", "recency", "T"]])
    lr = model.likelihood_ratio_test()
    assert lr["null_log_likelihood"] == pytest.approx(plain.log_likelihood_, abs=1e-6)
    assert lr["df"] == 4
    assert lr["statistic"] == pytest.approx(2 * (model.log_likelihood_ - plain.log_likelihood_), rel=1e-9)
    assert lr["p_value"] < 1e-10  # the simulated effects are large
    assert model.null_params_.to_numpy() == pytest.approx(plain.params_.to_numpy(), rel=1e-6)


# ----------------------------------------------------------- consistency
@pytest.mark.parametrize("kind", ["bgnbd", "pnbd"])
def test_consistency_coefficients_zero_give_the_plain_model(kind):
    """With every coefficient zero the per-customer log-likelihood and the predictions are the plain model's."""
    model, truth, data = (_bg_base if kind == "bgnbd" else _pnbd_base)(400, 5)
    plain = BetaGeoModel() if kind == "bgnbd" else ParetoNBDModel()
    base = truth.iloc[:4].to_numpy()
    params = truth.copy()
    params.iloc[4:] = 0.0
    rft = data[["frequency", "recency", "T"]]
    assert model.loglik(data, params) == pytest.approx(plain.loglik(rft, base), abs=1e-10, rel=1e-12)
    x, tx, T = (data[c].to_numpy() for c in ("frequency", "recency", "T"))
    np.testing.assert_allclose(
        model.probability_alive(data, params), plain.probability_alive(x, tx, T, base), rtol=1e-10
    )
    np.testing.assert_allclose(
        model.conditional_expected_purchases(13.0, data, params),
        plain.conditional_expected_purchases(13.0, x, tx, T, base),
        rtol=1e-10,
    )
    np.testing.assert_allclose(
        model.dert(data, discount_rate=0.1, periods_per_year=52, params=params),
        plain.dert(x, tx, T, discount_rate=0.1, periods_per_year=52, params=base),
        rtol=1e-10,
    )


def test_consistency_customer_predictions_equal_the_profile_models(bg_fit):
    """Vectorised per-customer predictions = the plain model of each customer's profile (``at``)."""
    model, _, data = bg_fit
    rows = data.iloc[:6]
    alive = model.probability_alive(rows)
    exp = model.conditional_expected_purchases(26.0, rows)
    for i, (_, row) in enumerate(rows.iterrows()):
        plain = model.at({"z1": row["z1"], "z2": row["z2"]})
        h = (row["frequency"], row["recency"], row["T"])
        assert plain.probability_alive(*h) == pytest.approx(alive[i], rel=1e-12)
        assert plain.conditional_expected_purchases(26.0, *h) == pytest.approx(exp[i], rel=1e-12)


def test_consistency_weighted_rows_equal_expanded_rows():
    model, _, data = _bg_base(600, 8)
    small = data.round({"z1": 0})  # few distinct covariate values: many identical rows
    pooled = small.groupby(list(small.columns)).size().rename("weight").reset_index()
    a = BetaGeoCovariateModel(purchase_covariates=["z1", "z2"], dropout_covariates=["z1"], compress=False).fit(small)
    b = BetaGeoCovariateModel(purchase_covariates=["z1", "z2"], dropout_covariates=["z1"]).fit(pooled)
    np.testing.assert_allclose(a.params_, b.params_, rtol=1e-5, atol=1e-7)
    assert a.log_likelihood_ == pytest.approx(b.log_likelihood_, rel=1e-10)


@pytest.mark.parametrize("kind", ["bgnbd", "pnbd"])
def test_consistency_gradient_and_hessian_against_finite_differences(kind):
    model, truth, data = (_bg_base if kind == "bgnbd" else _pnbd_base)(300, 9)
    arrays, weight = model._prepare(data).arrays, np.ones(len(data))
    std, _ = model._internal(arrays, weight)
    cache = model._row_cache(arrays)
    objective = model._phi_objective(cache, weight, std)
    phi = np.concatenate([np.log(truth.iloc[:4].to_numpy()), np.array([0.3, -0.2, 0.25, -0.1][: len(truth) - 4])])
    _, grad = objective(phi)
    fd = np.empty(phi.size)
    for j in range(phi.size):
        e = np.zeros(phi.size)
        e[j] = 1e-6
        fd[j] = (objective(phi + e)[0] - objective(phi - e)[0]) / 2e-6
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-8)
    hess = model._phi_hessian(phi, cache, weight, std) / -weight.sum()  # of the negative mean log-likelihood
    fd_h = np.empty((phi.size, phi.size))
    for j in range(phi.size):
        e = np.zeros(phi.size)
        e[j] = 1e-5
        fd_h[:, j] = (objective(phi + e)[1] - objective(phi - e)[1]) / 2e-5
    np.testing.assert_allclose(hess, 0.5 * (fd_h + fd_h.T), rtol=1e-4, atol=1e-7)


def test_consistency_simulators_take_one_parameter_per_customer():
    """A per-customer array of equal values draws exactly what the number draws (same seed)."""
    a = simulate_bgnbd(500, 30.0, 0.5, 5.0, 0.8, 2.5, seed=3)
    b = simulate_bgnbd(500, 30.0, 0.5, np.full(500, 5.0), np.full(500, 0.8), np.full(500, 2.5), seed=3)
    pd.testing.assert_frame_equal(a, b)
    c = simulate_pareto_nbd(500, 30.0, 0.5, 5.0, 0.6, np.full(500, 12.0), seed=3)
    pd.testing.assert_frame_equal(c, simulate_pareto_nbd(500, 30.0, 0.5, 5.0, 0.6, 12.0, seed=3))


# ------------------------------------------------------------ save/load
@pytest.mark.parametrize("which", ["bg_fit", "pnbd_fit"])
def test_consistency_saved_model_predicts_the_same_numbers(which, request, tmp_path):
    model, _, data = request.getfixturevalue(which)
    path = tmp_path / "m.json"
    model.save(path)
    back = load_model(path)
    assert type(back) is type(model) and back.param_names == model.param_names
    pd.testing.assert_frame_equal(back.summary(), model.summary(), rtol=1e-12, atol=0)
    pd.testing.assert_series_equal(back.likelihood_ratio_test(), model.likelihood_ratio_test(), rtol=1e-12, atol=0)
    rows = data.iloc[:200]
    for f in (
        lambda m: m.probability_alive(rows),
        lambda m: m.conditional_expected_purchases(26.0, rows),
        lambda m: m.dert(rows, discount_rate=0.1, periods_per_year=52),
    ):
        np.testing.assert_allclose(f(back), f(model), rtol=1e-12, atol=0)


# ----------------------------------------------------------- runability
def test_runability_summary_labels_and_coefficient_table(bg_fit):
    model, _, _ = bg_fit
    s = model.summary()
    assert list(s.index) == ["r", "alpha", "a", "b", "purchase: z1", "purchase: z2", "dropout a: z1", "dropout b: z1"]
    assert s["lower"].lt(s["estimate"]).all() and s["upper"].gt(s["estimate"]).all()
    assert s.loc["purchase: z1", "p_value"] < 1e-6 and np.isnan(s.loc["r", "p_value"])
    table = model.coefficients()
    assert table.index.names == ["process", "covariate"] and len(table) == 4
    draws = model.draw_params(50, seed=1)
    assert draws.shape == (50, 8) and (draws[["r", "alpha", "a", "b"]] > 0).all().all()


def test_runability_profile_model_gives_horizon_predictions(pnbd_fit):
    model, _, _ = pnbd_fit
    plain = model.at({"z1": 1.0, "z2": 0.0})
    assert isinstance(plain, ParetoNBDModel)
    own = model.customer_params(pd.DataFrame({"z1": [1.0], "z2": [0.0]}))
    assert plain.params_["beta"] == pytest.approx(own["beta"].iloc[0], rel=1e-15)
    assert plain.params_["beta"] == pytest.approx(model.params_["beta"] * np.exp(-model.params_["dropout: z1"]))
    assert 0 < plain.survival(52.0) < 1


# ----------------------------------------------------------- inputchecks
def _checked(data: pd.DataFrame, match: str):
    with pytest.raises(DataError, match=match):
        BetaGeoCovariateModel(purchase_covariates=["z1"], dropout_covariates=["z2"]).fit(data)


@pytest.fixture(scope="module")
def small_base():
    return _bg_base(60, 4)[2]


def test_inputchecks_missing_covariate_column(small_base):
    _checked(small_base.drop(columns="z2"), "z2")


def test_inputchecks_non_numeric_covariate_column(small_base):
    _checked(
        small_base.assign(z1=np.where(small_base["z1"] > 0, "high", "low")), "covariate column 'z1' is not numeric"
    )


def test_inputchecks_missing_covariate_values(small_base):
    bad = small_base.copy()
    bad.loc[[3, 7], "z2"] = np.nan
    _checked(bad, r"covariate column 'z2' is missing or not finite in 2 rows \(e.g. \[3, 7\]\)")


def test_inputchecks_constant_covariate_column(small_base):
    _checked(small_base.assign(z1=2.0), "covariate column 'z1' is constant")


def test_inputchecks_no_covariates_named():
    with pytest.raises(DataError, match="needs purchase_covariates or dropout_covariates"):
        ParetoNBDCovariateModel()
    with pytest.raises(DataError, match="names a column twice"):
        ParetoNBDCovariateModel(purchase_covariates=["z1", "z1"])


def test_inputchecks_profile_lacks_a_covariate(bg_fit):
    with pytest.raises(DataError, match=r"profile lacks \['z2'\]"):
        bg_fit[0].at({"z1": 0.0})


def test_inputchecks_simulator_refuses_a_negative_customer_parameter():
    with pytest.raises(DataError, match="parameter 'alpha' must be positive"):
        simulate_bgnbd(3, 30.0, 0.5, np.array([5.0, -1.0, 2.0]), 0.8, 2.5, seed=1)


def test_consistency_effects_are_ratios_of_the_customers_own_parameters(bg_fit, pnbd_fit):
    """Ratios per unit of a covariate against the customers' own parameters one unit apart (eq. 1-3)."""
    model, _, _ = bg_fit
    own = model.customer_params(pd.DataFrame({"z1": [0.0, 1.0], "z2": [0.0, 0.0]}))
    eff = model.effects()
    rate = (model.params_["r"] / own["alpha"]).to_numpy()
    assert eff.loc[("purchase", "z1"), "ratio"] == pytest.approx(rate[1] / rate[0], rel=1e-12)
    odds = (own["a"] / own["b"]).to_numpy()  # mean p / (1 - mean p) = a / b
    assert eff.loc[("dropout", "z1"), "ratio"] == pytest.approx(odds[1] / odds[0], rel=1e-12)
    assert eff.loc[("dropout", "z1"), "measure"] == "odds of the mean dropout probability"
    va, vb = (
        model.variance_matrix_.loc["dropout a: z1", "dropout a: z1"],
        model.variance_matrix_.loc["dropout b: z1", "dropout b: z1"],
    )
    cab = model.variance_matrix_.loc["dropout a: z1", "dropout b: z1"]
    se = np.sqrt(va + vb - 2 * cab)
    assert np.log(eff.loc[("dropout", "z1"), "upper"] / eff.loc[("dropout", "z1"), "ratio"]) == pytest.approx(
        1.959964 * se, rel=1e-6
    )
    pn = pnbd_fit[0]
    assert pn.effects().loc[("dropout", "z1"), "ratio"] == pytest.approx(np.exp(pn.params_["dropout: z1"]), rel=1e-14)


def test_consistency_warm_start_and_given_start_reach_the_same_optimum(bg_fit):
    """The large-data route (a 5,000-row sample first, then BFGS on all rows) and a fit started at the
    estimates (``initial_params``) end where the plain route ended."""
    model, _, data = bg_fit
    kw = dict(purchase_covariates=["z1", "z2"], dropout_covariates=["z1"])
    warm = BetaGeoCovariateModel(warm_start_rows=500, **kw).fit(data)
    assert warm.convergence_.starts[0]["message"].startswith("warm start")
    np.testing.assert_allclose(warm.params_, model.params_, rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(warm.standard_errors_, model.standard_errors_, rtol=1e-3)
    again = BetaGeoCovariateModel(**kw).fit(data, initial_params=model.params_)
    np.testing.assert_allclose(again.params_, model.params_, rtol=1e-5, atol=1e-7)
    assert again.log_likelihood_ == pytest.approx(model.log_likelihood_, rel=1e-12)


def test_consistency_a_boolean_covariate_is_its_0_1_column(small_base):
    kw = dict(purchase_covariates=["z2"], dropout_covariates=["z2"])
    as_bool = BetaGeoCovariateModel(**kw).fit(small_base.assign(z2=small_base["z2"] > 0))
    as_float = BetaGeoCovariateModel(**kw).fit(small_base)
    pd.testing.assert_series_equal(as_bool.params_, as_float.params_)


def test_inputchecks_a_covariate_that_separates_buyers_is_not_identified():
    """A 0/1 covariate equal to 'made no repeat purchase' drives its coefficient off to infinity."""
    _, _, data = _bg_base(800, 3)
    with pytest.raises(ConvergenceError, match="separates customers who buy again from those who do not"):
        BetaGeoCovariateModel(purchase_covariates=["sep"]).fit(data.assign(sep=(data["frequency"] == 0) * 1.0))


@pytest.mark.parametrize("which", ["bg_fit", "pnbd_fit"])
def test_consistency_each_customer_is_the_plain_model_at_its_own_parameters(which, request):
    """Eq. (4): a customer's log-likelihood is the plain model's at that customer's alpha_i, a_i, b_i (beta_i)."""
    model, _, data = request.getfixturevalue(which)
    plain = BetaGeoModel() if which == "bg_fit" else ParetoNBDModel()
    rows = data.iloc[:8]
    own = model.customer_params(rows)
    ours = model.loglik(rows)
    for i in range(len(rows)):
        theirs = plain.loglik(rows.iloc[[i]][["frequency", "recency", "T"]], own.iloc[i].to_numpy())
        assert ours[i] == pytest.approx(theirs[0], rel=1e-12)


@pytest.mark.parametrize("which", ["bg_fit", "pnbd_fit"])
def test_consistency_discounted_purchases_equal_the_profile_models_horizon_route(which, request):
    """Per-customer finite-horizon DERT = crmlib.clv.horizon.discounted_purchases of each customer's profile model;
    a long horizon approaches the DERT."""
    from crmlib.clv import horizon

    model, _, data = request.getfixturevalue(which)
    rows = data.iloc[:5]
    kw = dict(discount_rate=0.1, periods_per_year=52)
    ours = model.discounted_purchases(rows, horizon=104.0, **kw)
    for i, (_, row) in enumerate(rows.iterrows()):
        plain = model.at({"z1": row["z1"], "z2": row["z2"]})
        h = (row["frequency"], row["recency"], row["T"])
        assert horizon.discounted_purchases(plain, *h, horizon=104.0, **kw) == pytest.approx(ours[i], rel=1e-10)
    far = model.discounted_purchases(rows, horizon=52 * 400.0, **kw)
    np.testing.assert_allclose(far, model.dert(rows, **kw), rtol=1e-5)
    with pytest.raises(DataError, match="horizon"):
        model.discounted_purchases(rows, horizon=0, **kw)


# CLVTools (R) at its static-covariate estimates on its apparel data (600 customers, 104 weeks of calibration;
# Gender and Channel, 0/1, in both processes): per-customer values of pnbd_staticcov_LL_ind, _PAlive, _CET (52
# weeks) and _DERT (continuous rate log(1.075)/52 a week), and bgnbd_staticcov_LL_ind, as recorded by the
# Python port neilmurrayee/clvtools from CLVTools' own entry points (tests/fixtures/pnbd_staticcov_mle.csv and
# bgnbd_staticcov_mle.csv, made by tools/oracle/generate_fixtures.R and generate_family_fixtures.R). Nine
# customers covering the four covariate profiles, one-time buyers and heavy buyers.
CLVTOOLS_CUSTOMERS = (
    pd.DataFrame(
        [  # Id, x, t_x, Gender, Channel, Pareto/NBD LL, P(alive), CET, DERT, BG/NBD LL
            (
                1,
                6,
                93.2857142857143,
                0,
                0,
                -25.4325952149119,
                0.94786413345444,
                1.79436810587341,
                12.7155698900573,
                -25.5161138470268,
            ),
            (
                10,
                2,
                99.5714285714286,
                1,
                0,
                -10.7664359577022,
                0.986052889819999,
                1.05480777726136,
                8.00279709077715,
                -10.8296715765209,
            ),
            (
                100,
                0,
                0.0,
                1,
                0,
                -1.20673840601712,
                0.402752640694384,
                0.206313391502705,
                1.56529392833355,
                -1.11347080109508,
            ),
            (
                101,
                1,
                32.0,
                1,
                1,
                -6.53147425121735,
                0.373339405816014,
                0.355040153378327,
                2.48528735621652,
                -6.23163035133778,
            ),
            (
                103,
                3,
                102.714285714286,
                0,
                1,
                -15.1988966584043,
                0.993847252863626,
                1.46227215112219,
                9.83032213808103,
                -14.82906317324,
            ),
            (
                104,
                2,
                3.57142857142857,
                1,
                1,
                -8.06000918233153,
                0.034551919373134,
                0.0444371678922954,
                0.311060961578364,
                -8.16285938753712,
            ),
            (
                138,
                11,
                97.4285714285714,
                1,
                1,
                -37.9656269860332,
                0.96345573584913,
                4.14490163318281,
                29.0143847778634,
                -38.1287998102013,
            ),
            (
                201,
                21,
                95.5714285714286,
                0,
                1,
                -60.7321957293596,
                0.921345941743965,
                6.39937631759914,
                43.0206720660918,
                -60.1048177216857,
            ),
            (
                220,
                11,
                32.2857142857143,
                1,
                1,
                -31.7086486508424,
                0.0018469732360445,
                0.00794589943021998,
                0.0556214366172003,
                -30.5633229639722,
            ),
        ],
        columns=["Id", "frequency", "recency", "Gender", "Channel", "ll_pnbd", "p_alive", "cet", "dert", "ll_bgnbd"],
    )
    .set_index("Id")
    .assign(T=104.0)
)


def test_correctness_pareto_nbd_covariates_match_clvtools():
    """Log-likelihood, P(alive), expected purchases in 52 weeks and DERT of each customer at CLVTools' parameters
    (r 1.8378, alpha 92.9123, s 0.5920, beta 49.6227; trans Gender 0.2859, Channel 0.6241; life Gender -0.6430,
    Channel 0.7907: the same exp(-gamma'z) convention on alpha and beta)."""
    rows = CLVTOOLS_CUSTOMERS
    model = ParetoNBDCovariateModel(purchase_covariates=["Gender", "Channel"], dropout_covariates=["Gender", "Channel"])
    params = pd.Series([1.8378, 92.9123, 0.5920, 49.6227, 0.2859, 0.6241, -0.6430, 0.7907], index=model.param_names)
    np.testing.assert_allclose(model.loglik(rows, params), rows["ll_pnbd"], rtol=1e-12)
    np.testing.assert_allclose(model.probability_alive(rows, params), rows["p_alive"], rtol=1e-12)
    np.testing.assert_allclose(model.conditional_expected_purchases(52.0, rows, params), rows["cet"], rtol=1e-12)
    dert = model.dert(rows, discount_rate=0.075, periods_per_year=52, params=params)
    np.testing.assert_allclose(dert, rows["dert"], rtol=1e-11)


def test_correctness_bgnbd_covariates_match_clvtools_with_equal_dropout_coefficients():
    """CLVTools' BG/NBD moves a and b with one coefficient (a_i = a0 exp(gamma'w), b_i = b0 exp(gamma'w)): crmlib's
    with gamma_a = gamma_b gives its log-likelihood per customer (its MLE: r 0.6662, alpha 38.19, a 4603, b 33985)."""
    rows = CLVTOOLS_CUSTOMERS
    kw = dict(purchase_covariates=["Gender", "Channel"], dropout_covariates=["Gender", "Channel"])
    life = [-1.390294175239601, -7.7785055111844654]
    base = [0.66624310391411712, 38.190864634202477, 4603.0506213699791, 33985.170841703461]
    trans = [0.4612080504904093, 0.56782898533329018]
    model = BetaGeoCovariateModel(**kw)
    params = pd.Series(base + trans + life + life, index=model.param_names)
    np.testing.assert_allclose(model.loglik(rows, params), rows["ll_bgnbd"], rtol=1e-10)  # a, b in the thousands
    equal = BetaGeoCovariateModel(equal_dropout_coefficients=True, **kw)  # CLVTools' own parameterisation
    params = pd.Series(base + trans + life, index=equal.param_names)
    np.testing.assert_allclose(equal.loglik(rows, params), rows["ll_bgnbd"], rtol=1e-10)


def test_inputchecks_a_dropout_that_runs_off_warns():
    """Customers who rarely drop out (p ~ Beta(0.1, 30)): the 0/1 dropout covariate sends the customers' a_i of one
    group to the boundary (coefficient -18, a_i ~ 1e-9), and the fit says so instead of reporting convergence."""
    z = _covariates(1500, 6)
    sim = simulate_bgnbd(1500, 40.0, 0.5, 5.0, 0.1, 30.0, seed=6)
    data = pd.concat([sim[["frequency", "recency", "T"]], z], axis=1)
    with pytest.warns(ConvergenceWarning, match="ran off to the extreme"):
        model = BetaGeoCovariateModel(purchase_covariates=["z1"], dropout_covariates=["z2"]).fit(data)
    assert not model.convergence_.converged


def test_consistency_a_shared_covariate_is_the_unshared_model_with_equal_coefficients(pnbd_fit, tmp_path):
    """``shared_covariates``: one coefficient moves alpha and beta (CLVTools' names.cov.constr); its log-likelihood
    is the unshared model's with the two coefficients equal, and it is nested in it (LR test with df 1)."""
    full, _, data = pnbd_fit
    kw = dict(purchase_covariates=["z1", "z2"], dropout_covariates=["z1"])
    shared = ParetoNBDCovariateModel(shared_covariates=["z1"], **kw)
    assert shared.param_names == ("r", "alpha", "s", "beta", "purchase and dropout: z1", "purchase: z2")
    p = pd.Series([0.55, 10.0, 0.6, 12.0, 0.45, -0.3], index=shared.param_names)
    same = pd.Series([0.55, 10.0, 0.6, 12.0, 0.45, -0.3, 0.45], index=full.param_names)
    np.testing.assert_allclose(shared.loglik(data, p), full.loglik(data, same), rtol=1e-13)
    shared.fit(data)
    lr = full.likelihood_ratio_test(shared)
    assert lr["df"] == 1 and lr["null_log_likelihood"] == shared.log_likelihood_
    assert lr["statistic"] == pytest.approx(2 * (full.log_likelihood_ - shared.log_likelihood_), rel=1e-12)
    assert shared.log_likelihood_ <= full.log_likelihood_ + 1e-6
    eff = shared.effects()
    assert eff.loc[("purchase", "z1"), "ratio"] == eff.loc[("dropout", "z1"), "ratio"]
    shared.save(tmp_path / "shared.json")
    back = load_model(tmp_path / "shared.json")
    assert back.param_names == shared.param_names
    np.testing.assert_allclose(back.probability_alive(data), shared.probability_alive(data), rtol=1e-12)


def test_correctness_shared_covariate_recovers_a_known_common_coefficient():
    """Customers whose purchase and dropout scales move with one coefficient (0.4 on z1): the shared model
    recovers it within 3 standard errors, and the LR test against the unshared model does not reject (5%)."""
    kw = dict(purchase_covariates=["z1", "z2"], dropout_covariates=["z1"])
    shared = ParetoNBDCovariateModel(shared_covariates=["z1"], **kw)
    truth = pd.Series([0.55, 10.0, 0.6, 12.0, 0.4, -0.3], index=shared.param_names)
    z = _covariates(2500, 21)
    own = shared.customer_params(z, truth)
    sim = simulate_pareto_nbd(2500, 40.0, 0.55, own["alpha"], 0.6, own["beta"], seed=121)
    data = pd.concat([sim[["frequency", "recency", "T"]], z], axis=1)
    shared.fit(data)
    assert np.all(np.abs((shared.params_ - truth) / shared.standard_errors_) < 3)
    full = ParetoNBDCovariateModel(**kw).fit(data)
    assert full.likelihood_ratio_test(shared)["p_value"] > 0.05


def test_inputchecks_shared_covariates_and_restricted_models(bg_fit, pnbd_fit):
    with pytest.raises(DataError, match=r"shared_covariates \['z2'\] must be among both"):
        ParetoNBDCovariateModel(purchase_covariates=["z1", "z2"], dropout_covariates=["z1"], shared_covariates=["z2"])
    with pytest.raises(DataError, match="BetaGeoCovariateModel does not take shared_covariates"):
        BetaGeoCovariateModel(purchase_covariates=["z1"], dropout_covariates=["z1"], shared_covariates=["z1"])
    with pytest.raises(DataError, match="restricted must be a ParetoNBDCovariateModel fitted to the same customers"):
        pnbd_fit[0].likelihood_ratio_test(bg_fit[0])
    with pytest.raises(DataError, match="the restricted model must have fewer"):
        pnbd_fit[0].likelihood_ratio_test(pnbd_fit[0])


def test_consistency_equal_dropout_coefficients_are_clvtools_bgnbd_form(bg_fit, tmp_path):
    """``equal_dropout_coefficients``: one coefficient moves a and b alike (CLVTools' BG/NBD); its log-likelihood
    is the separate model's with gamma_a = gamma_b, it is nested in it, and it round-trips through save/load."""
    full, _, data = bg_fit
    kw = dict(purchase_covariates=["z1", "z2"], dropout_covariates=["z1"])
    equal = BetaGeoCovariateModel(equal_dropout_coefficients=True, **kw)
    assert equal.param_names == ("r", "alpha", "a", "b", "purchase: z1", "purchase: z2", "dropout: z1")
    p = pd.Series([0.5, 5.0, 0.8, 2.5, 0.4, -0.3, 0.2], index=equal.param_names)
    same = pd.Series([0.5, 5.0, 0.8, 2.5, 0.4, -0.3, 0.2, 0.2], index=full.param_names)
    np.testing.assert_allclose(equal.loglik(data, p), full.loglik(data, same), rtol=1e-13)
    equal.fit(data)
    lr = full.likelihood_ratio_test(equal)
    assert lr["df"] == 1 and lr["statistic"] == pytest.approx(2 * (full.log_likelihood_ - equal.log_likelihood_))
    assert lr["p_value"] < 0.01  # the simulated coefficients on a and b differ (0.5 and -0.2)
    eff = equal.effects().loc[("dropout", "z1")]
    assert eff["measure"].startswith("a + b") and eff["ratio"] == pytest.approx(np.exp(equal.params_["dropout: z1"]))
    equal.save(tmp_path / "equal.json")
    back = load_model(tmp_path / "equal.json")
    assert back.equal_dropout_coefficients and back.param_names == equal.param_names
    np.testing.assert_allclose(
        back.dert(data, discount_rate=0.1, periods_per_year=52),
        equal.dert(data, discount_rate=0.1, periods_per_year=52),
        rtol=1e-12,
    )


def test_consistency_bgnbd_row_gradient_equals_the_plain_model_row_by_row():
    """The covariate BG/NBD's per-row route (one-time buyers by (alpha / (alpha + T))^r, repeat buyers' beta
    ratios and digamma differences by the recurrences, frequencies up to 150) equals the plain model's
    betaln/digamma route at each row's own alpha_i, a_i, b_i: log-likelihood to 1e-12, gradient in the logs to
    1e-10; rows in any order (the fit sorts them by frequency) give the same numbers."""
    rng = np.random.default_rng(5)
    n = 400
    x = np.concatenate([np.zeros(150), rng.integers(1, 8, 150), rng.integers(8, 151, 100)]).astype(float)
    T = rng.uniform(5.0, 60.0, n)
    tx = np.where(x > 0, T * rng.uniform(0.05, 1.0, n), 0.0)
    r, alpha, a, b = 0.4, np.exp(rng.uniform(-2, 4, n)), np.exp(rng.uniform(-4, 5, n)), np.exp(rng.uniform(-4, 5, n))
    model = BetaGeoCovariateModel(purchase_covariates=["z1"], dropout_covariates=["z1"])
    shuffled = rng.permutation(n)
    arrays = {"x": x[shuffled], "tx": tx[shuffled], "T": T[shuffled]}
    values = [r, alpha[shuffled], a[shuffled], b[shuffled]]
    ll, h = model._row_grad(values, model._row_cache(arrays))
    order = np.argsort(arrays["x"], kind="stable")
    ll_s, h_s = model._row_grad(
        [r] + [v[order] for v in values[1:]], model._row_cache({k: v[order] for k, v in arrays.items()})
    )
    np.testing.assert_allclose(ll_s, ll[order], rtol=1e-15, atol=0)
    np.testing.assert_allclose(h_s, h[order], rtol=1e-15, atol=0)
    plain = BetaGeoModel()
    for i in range(n):
        j = shuffled[i]
        one = {"x": x[[j]], "tx": tx[[j]], "T": T[[j]]}
        own = np.array([r, alpha[j], a[j], b[j]])
        ll_p, g_p = plain._loglik_grad(tuple(own), plain._cache(one))
        assert ll[i] == pytest.approx(ll_p[0], rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(h[i], g_p[0] * own, rtol=1e-10, atol=1e-12)


def test_consistency_pooling_is_skipped_only_for_a_nearly_distinct_covariate(monkeypatch):
    """Rows are pooled unless a covariate differs on nearly every row (then pooling finds next to nothing); the fit
    without pooling equals the fit with pooling forced."""
    from crmlib.clv import _covariate_fit
    from crmlib.clv._data import nearly_distinct

    rng = np.random.default_rng(3)
    assert nearly_distinct(rng.normal(size=50_000))
    assert not nearly_distinct((rng.random(50_000) < 0.4) * 1.0, rng.integers(0, 100, 50_000).astype(float))
    assert nearly_distinct((rng.random(50_000) < 0.4) * 1.0, rng.normal(size=50_000))
    model, _, data = _bg_base(25_000, 21)
    kw = {"purchase_covariates": ["z1", "z2"], "dropout_covariates": ["z1"]}
    skipped = BetaGeoCovariateModel(**kw).fit(data)  # z1 continuous: not pooled
    monkeypatch.setattr(_covariate_fit, "nearly_distinct", lambda *z: False)
    pooled = BetaGeoCovariateModel(**kw).fit(data)
    np.testing.assert_allclose(skipped.params_, pooled.params_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(skipped.standard_errors_, pooled.standard_errors_, rtol=1e-5)
    assert skipped.log_likelihood_ == pytest.approx(pooled.log_likelihood_, rel=1e-12)
