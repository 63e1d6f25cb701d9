"""Predictions over a finite horizon (crmlib.clv.horizon and the models' horizon methods).

Oracles: simulation with known truth (the simulators' latent rates and lifetimes carried past T);
numerical integration over the mixing distributions (``scipy.integrate.quad``, independent of the
hypergeometric closed forms); the infinite-horizon DERT as the horizon grows; the probabilities
summing to one with the conditional expectation as their mean.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from crmlib.clv import (
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
    horizon,
)
from crmlib.clv.simulate import simulate_bgnbd, simulate_mbgnbd, simulate_pareto_nbd
from crmlib.datasets import load_donations
from crmlib.exceptions import DataError

BG = (0.243, 4.414, 0.793, 2.426)  # FHL 2005, CDNOW (weeks)
PNBD = (0.553, 10.578, 0.606, 11.669)  # Fader & Hardie's Pareto/NBD note, CDNOW (weeks)
BGBB = (1.204, 0.750, 0.657, 2.783)  # FHS 2010, donations


@pytest.fixture(scope="module")
def donations():
    return load_donations()


def _within(predicted_sum, observed_sum, variance_sum, z=4.5):
    se = np.sqrt(variance_sum)
    assert abs(predicted_sum - observed_sum) < z * se + 1e-9, (predicted_sum, observed_sum, se)


def _future_bg(sim, t, rng):
    """Purchases in (T, T+t] and alive at T+t of simulated BG/NBD (MBG/NBD) customers, from their latent lambda, p."""
    lam, p, alive = sim["lambda_"].to_numpy(), sim["p_"].to_numpy(), sim["alive"].to_numpy()
    events = rng.poisson(lam * t)
    until_death = rng.geometric(p)  # the purchase after which the customer drops out
    count = np.where(alive, np.minimum(events, until_death), 0)
    return count, alive & (events < until_death)


def _future_pareto(sim, t, rng):
    lam, life, T = sim["lambda_"].to_numpy(), sim["lifetime_"].to_numpy(), sim["T"].to_numpy()
    span = np.clip(life - T, 0.0, t)
    return rng.poisson(lam * span), life > T + t


@pytest.mark.parametrize(
    "Model,simulate,params,future",
    [
        (BetaGeoModel, simulate_bgnbd, BG, _future_bg),
        (ModifiedBetaGeoModel, simulate_mbgnbd, BG, _future_bg),
        (ParetoNBDModel, simulate_pareto_nbd, PNBD, _future_pareto),
    ],
)
def test_correctness_horizon_predictions_against_simulation_with_known_truth(Model, simulate, params, future):
    """Summed over 25,000 simulated customers, the predicted counts of customers alive at T+t and with
    0, 1, 2 purchases in (T, T+t], and the expected purchases, match what the simulated customers did."""
    rng = np.random.default_rng(11)
    T = rng.uniform(10, 78, 25_000)
    sim = simulate(25_000, T, *params, seed=3)
    count, alive_end = future(sim, 39.0, rng)
    table = horizon.horizon_predictions(Model(), sim, 39.0, max_purchases=2, params=params)
    _within(
        table["p_alive_horizon"].sum(),
        alive_end.sum(),
        (table["p_alive_horizon"] * (1 - table["p_alive_horizon"])).sum(),
    )
    _within(table["p_alive"].sum(), sim["alive"].sum(), (table["p_alive"] * (1 - table["p_alive"])).sum())
    for n in range(3):
        p = table[f"p_purchases_{n}"]
        _within(p.sum(), (count == n).sum(), (p * (1 - p)).sum())
    # expected purchases: variance from the predicted distribution, bounded by the observed spread
    _within(table["expected_purchases"].sum(), count.sum(), len(count) * count.var())


def _simulate_bgbb_future(n_customers, n_periods, ahead, params, seed):
    """BG/BB customers through n_periods + ahead opportunities: the history, then the future."""
    a, b, g, d = params
    rng = np.random.default_rng(seed)
    p, theta = rng.beta(a, b, n_customers), rng.beta(g, d, n_customers)
    alive = np.ones(n_customers, bool)
    x = np.zeros(n_customers)
    tx = np.zeros(n_customers)
    future = np.zeros(n_customers)
    alive_through_n = None
    for t in range(1, n_periods + ahead + 1):
        alive &= rng.random(n_customers) >= theta
        buy = alive & (rng.random(n_customers) < p)
        if t <= n_periods:
            x += buy
            tx = np.where(buy, t, tx)
            alive_through_n = alive.copy()
        else:
            future += buy
    table = pd.DataFrame({"frequency": x, "recency": tx, "n_periods": float(n_periods)})
    return table, future, alive_through_n, alive


def test_correctness_bgbb_horizon_predictions_against_simulation_with_known_truth():
    table, future, alive_n, alive_end = _simulate_bgbb_future(60_000, 6, 5, BGBB, seed=8)
    pred = horizon.horizon_predictions(BetaGeoBetaBinomModel(), table, 5, max_purchases=2, params=BGBB)
    _within(pred["p_alive"].sum(), alive_n.sum(), (pred["p_alive"] * (1 - pred["p_alive"])).sum())
    _within(
        pred["p_alive_horizon"].sum(), alive_end.sum(), (pred["p_alive_horizon"] * (1 - pred["p_alive_horizon"])).sum()
    )
    for n in range(3):
        p = pred[f"p_purchases_{n}"]
        _within(p.sum(), (future == n).sum(), (p * (1 - p)).sum())
    _within(pred["expected_purchases"].sum(), future.sum(), len(future) * future.var())


def _beta_expectation(f, a, b):
    return integrate.quad(lambda p: f(p) * stats.beta.pdf(p, a, b), 0, 1, limit=400, epsabs=0, epsrel=1e-12)[0]


@pytest.mark.parametrize("Model", [BetaGeoModel, ModifiedBetaGeoModel])
def test_consistency_bg_alive_at_horizon_against_integration_over_p(Model):
    """P(alive at T+t) = P(alive) E[(1 + p t/(alpha+T))^-(r+x)] over p ~ Beta(a, b+k): by quadrature over p,
    independent of the hypergeometric closed form (heavy buyers included)."""
    m = Model()
    r, alpha, a, b = BG
    k = 1 if Model is ModifiedBetaGeoModel else 0
    for x, tx, T, t in [
        (0, 0.0, 30.0, 52.0),
        (2, 30.43, 38.86, 10.0),
        (12, 70.0, 71.0, 520.0),
        (300, 77.0, 78.0, 200.0),
    ]:
        pa = m.probability_alive(x, tx, T, params=BG)
        ref = pa * _beta_expectation(lambda p: (1 + p * t / (alpha + T)) ** -(r + x), a, b + x + k)
        assert m.probability_alive_at(t, x, tx, T, params=BG) == pytest.approx(ref, rel=1e-9)
    surv = _beta_expectation(lambda p: (1 + p * 52.0 / alpha) ** -r, a, b + k) * (b / (a + b) if k else 1.0)
    assert m.survival(52.0, params=BG) == pytest.approx(surv, rel=1e-9)


def test_consistency_pareto_survival_and_alive_at_horizon_against_integration_over_mu():
    m = ParetoNBDModel()
    r, alpha, s, beta = PNBD

    def gamma_mean(f, shape, rate):
        return integrate.quad(lambda mu: f(mu) * stats.gamma.pdf(mu, shape, scale=1 / rate), 0, np.inf, epsrel=1e-12)[0]

    assert m.survival(52.0, params=PNBD) == pytest.approx(gamma_mean(lambda mu: np.exp(-mu * 52), s, beta), rel=1e-9)
    pa = m.probability_alive(2, 30.43, 38.86, params=PNBD)
    ref = pa * gamma_mean(lambda mu: np.exp(-mu * 26), s, beta + 38.86)
    assert m.probability_alive_at(26.0, 2, 30.43, 38.86, params=PNBD) == pytest.approx(ref, rel=1e-9)


def test_consistency_alive_at_zero_is_probability_alive(cdnow_summary, donations):
    x, tx, T = (cdnow_summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    for Model, p in ((BetaGeoModel, BG), (ModifiedBetaGeoModel, BG), (ParetoNBDModel, PNBD)):
        m = Model()
        np.testing.assert_allclose(
            m.probability_alive_at(0, x, tx, T, params=p), m.probability_alive(x, tx, T, params=p)
        )
        assert m.survival(0.0, params=p) == pytest.approx(m.probability_alive_at(0, 0, 0, 1e-12, params=p), abs=1e-9)
    bb = BetaGeoBetaBinomModel()
    args = (donations["frequency"], donations["recency"], donations["n_periods"])
    np.testing.assert_allclose(bb.probability_alive_at(1, *args, params=BGBB), bb.probability_alive(*args, params=BGBB))
    a, b, g, d = BGBB
    survive = [integrate.quad(lambda th: (1 - th) ** t * stats.beta.pdf(th, g, d), 0, 1)[0] for t in (0, 1, 7)]
    np.testing.assert_allclose(bb.survival([0, 1, 7], params=BGBB), survive, rtol=1e-9)


@pytest.mark.parametrize("Model,params", [(BetaGeoModel, BG), (ModifiedBetaGeoModel, BG), (ParetoNBDModel, PNBD)])
def test_consistency_conditional_pmf_sums_to_one_with_the_conditional_expectation_as_mean(Model, params, cdnow_summary):
    m = Model()
    d = cdnow_summary.iloc[::25]
    x, tx, T = (d[c].to_numpy(float)[:, None] for c in ("frequency", "recency", "T"))
    n = np.arange(400.0)[None, :]
    pmf = m.conditional_probability_of_purchases(n, 52.0, x, tx, T, params=params)
    np.testing.assert_allclose(pmf.sum(axis=1), 1.0, atol=1e-8)
    mean = m.conditional_expected_purchases(52.0, x[:, 0], tx[:, 0], T[:, 0], params=params)
    np.testing.assert_allclose((pmf * n).sum(axis=1), mean, rtol=1e-6)


def test_consistency_bgbb_conditional_pmf_sums_to_one_with_the_conditional_expectation_as_mean(donations):
    m = BetaGeoBetaBinomModel()
    x, tx, n = (donations[c].to_numpy(float)[:, None] for c in ("frequency", "recency", "n_periods"))
    k = np.arange(8.0)[None, :]
    pmf = m.conditional_probability_of_purchases(k, 7, x, tx, n, params=BGBB)
    np.testing.assert_allclose(pmf.sum(axis=1), 1.0, atol=1e-12)
    mean = m.conditional_expected_purchases(7, x[:, 0], tx[:, 0], n[:, 0], params=BGBB)
    np.testing.assert_allclose((pmf * k).sum(axis=1), mean, rtol=1e-10)


def test_consistency_pareto_discounted_purchases_against_direct_integration_of_the_purchase_rate():
    """Pareto/NBD: the purchase rate at T+t is P(alive) (r+x)/(alpha+T) ((beta+T)/(beta+T+t))^s;
    discounting it directly with scipy's quad gives the finite-horizon DERT."""
    m = ParetoNBDModel()
    r, alpha, s, beta = PNBD
    delta = np.log(1.15) / 52
    for x, tx, T in [(0, 0.0, 38.86), (2, 30.43, 38.86), (26, 30.86, 31.0)]:
        pa = m.probability_alive(x, tx, T, params=PNBD)
        rate = lambda t: pa * (r + x) / (alpha + T) * ((beta + T) / (beta + T + t)) ** s  # noqa: E731
        for H in (1.0, 52.0, 260.0):
            ref = integrate.quad(lambda t: np.exp(-delta * t) * rate(t), 0, H, epsabs=0, epsrel=1e-12)[0]
            ours = horizon.discounted_purchases(
                m, x, tx, T, horizon=H, discount_rate=0.15, periods_per_year=52, params=PNBD
            )
            assert ours == pytest.approx(ref, rel=1e-9), (x, H)


def test_consistency_bg_discounted_purchases_against_double_integration():
    """BG/NBD: the rate at T+t of an active customer is E[lambda exp(-lambda p t)] = E_p[(R/A)(1 + p t/A)^-(R+1)]."""
    m = BetaGeoModel()
    r, alpha, a, b = BG
    delta = np.log(1.15) / 52
    for x, tx, T, H in [(7, 35.0, 36.0, 104.0)]:
        R, A = r + x, alpha + T

        def discounted_rate(t):
            return np.exp(-delta * t) * _beta_expectation(lambda p: R / A * (1 + p * t / A) ** -(R + 1), a, b + x)

        ref = m.probability_alive(x, tx, T, params=BG) * integrate.quad(discounted_rate, 0, H, epsrel=1e-11)[0]
        ours = horizon.discounted_purchases(m, x, tx, T, horizon=H, discount_rate=0.15, periods_per_year=52, params=BG)
        assert ours == pytest.approx(ref, rel=1e-8)


def test_consistency_discounted_purchases_tend_to_dert(cdnow_summary, donations):
    x, tx, T = (cdnow_summary.iloc[::10][c].to_numpy(float) for c in ("frequency", "recency", "T"))
    kw = dict(discount_rate=0.15, periods_per_year=52)
    for Model, p in ((BetaGeoModel, BG), (ModifiedBetaGeoModel, BG), (ParetoNBDModel, PNBD)):
        m = Model()
        dert = m.dert(x, tx, T, params=p, **kw)
        long = horizon.discounted_purchases(m, x, tx, T, horizon=1e6, params=p, **kw)
        year = horizon.discounted_purchases(m, x, tx, T, horizon=52, params=p, **kw)
        np.testing.assert_allclose(long, dert, rtol=1e-9)
        assert np.all(year < dert) and np.all(year > 0)
    bb = BetaGeoBetaBinomModel()
    args = (donations["frequency"], donations["recency"], donations["n_periods"])
    kw = dict(discount_rate=0.1, periods_per_year=1, params=BGBB)
    np.testing.assert_allclose(
        horizon.discounted_purchases(bb, *args, horizon=5000, **kw), bb.dert(*args, **kw), rtol=1e-12
    )


def test_consistency_bgbb_discounted_purchases_against_direct_sum(donations):
    """sum_k (1.1)^-k [E X(n, n+k) - E X(n, n+k-1)]: the expected transaction at each opportunity, discounted."""
    bb = BetaGeoBetaBinomModel()
    x, tx, n = (donations[c].to_numpy(float) for c in ("frequency", "recency", "n_periods"))
    cum = np.stack([bb.conditional_expected_purchases(k, x, tx, n, params=BGBB) for k in range(0, 11)], axis=1)
    direct = (np.diff(cum, axis=1) * 1.1 ** -np.arange(1, 11)).sum(axis=1)
    ours = horizon.discounted_purchases(bb, x, tx, n, horizon=10, discount_rate=0.1, periods_per_year=1, params=BGBB)
    np.testing.assert_allclose(ours, direct, rtol=1e-10)


def test_consistency_horizon_value_is_the_clv_with_the_horizon_dert(cdnow_fitted, cdnow_summary):
    bg, _, gg = cdnow_fitted
    cdnow_summary = cdnow_summary.iloc[::5]
    kw = dict(margin_share=0.3, discount_rate=0.15, periods_per_year=52)
    table = horizon.horizon_value(bg, gg, cdnow_summary, horizon=104, **kw)
    np.testing.assert_allclose(table["clv_horizon"], 0.3 * table["dert_horizon"] * table["expected_spend"], rtol=1e-14)
    assert np.all(table["clv_horizon"] < table["clv"])
    longer = horizon.horizon_value(bg, gg, cdnow_summary, horizon=1e6, **kw)
    np.testing.assert_allclose(longer["clv_horizon"], longer["clv"], rtol=1e-9)
    assert list(table.index) == list(cdnow_summary.index)


def test_consistency_expected_alive_of_a_summary_and_of_a_cohort(cdnow_summary):
    m = BetaGeoModel()
    x, tx, T = (cdnow_summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    curve = horizon.expected_alive(m, [0, 52], data=cdnow_summary, params=BG)
    assert curve.loc[0.0] == pytest.approx(m.probability_alive(x, tx, T, params=BG).sum(), rel=1e-12)
    assert curve.loc[52.0] < curve.loc[0.0]
    rng = np.random.default_rng(2)
    lam, p = rng.gamma(BG[0], 1 / BG[1], 400_000), rng.beta(BG[2], BG[3], 400_000)
    alive = (rng.poisson(lam * 52) < rng.geometric(p)).mean()  # drop-out after a purchase: alive while events < G
    cohort = horizon.expected_alive(m, 52, n_customers=400_000, params=BG)
    assert cohort.loc[52.0] / 400_000 == pytest.approx(alive, abs=4.5 * np.sqrt(alive * (1 - alive) / 400_000))


def test_inputchecks_horizon(cdnow_summary, donations):
    m = BetaGeoModel()
    with pytest.raises(DataError, match="horizon must be a positive"):
        horizon.discounted_purchases(m, 1, 2, 3, horizon=0, discount_rate=0.1, periods_per_year=52, params=BG)
    with pytest.raises(DataError, match="horizon"):
        horizon.discounted_purchases(m, 1, 2, 3, horizon=-1, discount_rate=0.1, periods_per_year=52, params=BG)
    with pytest.raises(DataError, match="horizon"):
        horizon.discounted_purchases(
            BetaGeoBetaBinomModel(), 1, 2, 3, horizon=1.5, discount_rate=0.1, periods_per_year=1, params=BGBB
        )
    with pytest.raises(DataError, match="exactly one of data"):
        horizon.expected_alive(m, 5, params=BG)
    with pytest.raises(DataError, match="'n_periods'"):
        horizon.horizon_predictions(BetaGeoBetaBinomModel(), cdnow_summary, 2, params=BGBB)
    with pytest.raises(DataError, match="max_purchases"):
        horizon.horizon_predictions(m, cdnow_summary, 2, max_purchases=-1, params=BG)
    with pytest.raises(DataError, match="t must be >= 0"):
        m.probability_alive_at(-1, 1, 2, 3, params=BG)


def test_consistency_value_by_horizon_sums_the_horizon_values(cdnow_fitted, cdnow_summary):
    """Each row is the cohort's sum of horizon_value at years x 52 weeks; a 500-year horizon is the residual value.

    Oracle: horizon_value and expected_alive summed by hand, and the infinite-horizon CLV of
    customer_lifetime_value (FHL 2005b, eq. 2) which the finite horizon approaches.
    """
    from crmlib.clv import customer_lifetime_value
    from crmlib.spec import ValueTerms

    bg, _, gg = cdnow_fitted
    data = cdnow_summary.iloc[::7]
    terms = ValueTerms(margin_share=0.25, discount_rate=0.15)
    table = horizon.value_by_horizon(bg, gg, data, years=[1, 2, 500], terms=terms, periods_per_year=52)
    assert list(table.index) == ["1 year", "2 years", "500 years", "no horizon"]
    kw = dict(margin_share=0.25, discount_rate=0.15, periods_per_year=52)
    two = horizon.horizon_value(bg, gg, data, horizon=104, **kw)
    assert table.loc["2 years", "customer_equity"] == pytest.approx(two["clv_horizon"].sum(), rel=1e-12)
    assert table.loc["2 years", "mean_clv"] == pytest.approx(two["clv_horizon"].mean(), rel=1e-12)
    alive = horizon.expected_alive(bg, 52, data=data).iloc[0]
    assert table.loc["1 year", "expected_alive"] == pytest.approx(alive, rel=1e-12)
    residual = customer_lifetime_value(bg, gg, data, **kw)["clv"].sum()
    assert table.loc["no horizon", "customer_equity"] == pytest.approx(residual, rel=1e-12)
    assert table.loc["500 years", "share_of_residual"] == pytest.approx(1.0, rel=1e-6)
    assert np.all(np.diff(table["customer_equity"].iloc[:3]) > 0)
    with pytest.raises(DataError, match="years must be"):
        horizon.value_by_horizon(bg, gg, data, years=[0, 1], terms=terms, periods_per_year=52)


def test_consistency_value_by_horizon_interval_collapses_on_the_estimates(cdnow_fitted, cdnow_summary):
    """With the covariances shrunk to nothing every draw is the estimate: the bounds equal value_by_horizon's
    equity (an independent route: horizon_value's table summed), and a real run brackets it."""
    import copy

    from crmlib.spec import ValueTerms

    bg, _, gg = cdnow_fitted
    data = cdnow_summary.iloc[::9]
    terms = ValueTerms(margin_share=0.25, discount_rate=0.15)
    point = horizon.value_by_horizon(bg, gg, data, years=[1, 2], terms=terms, periods_per_year=52)
    tight_bg, tight_gg = copy.deepcopy(bg), copy.deepcopy(gg)
    tight_bg.variance_matrix_ = bg.variance_matrix_ * 1e-20
    tight_gg.variance_matrix_ = gg.variance_matrix_ * 1e-20
    kw = dict(years=[1, 2], terms=terms, periods_per_year=52, n_boot=3, seed=1)
    tight = horizon.value_by_horizon_interval(tight_bg, tight_gg, data, **kw)
    for col in ("lower", "upper", "customer_equity"):
        np.testing.assert_allclose(tight[col], point["customer_equity"].iloc[:2], rtol=1e-8)
    kw["n_boot"] = 40
    wide = horizon.value_by_horizon_interval(bg, gg, data, **kw)
    assert np.all(wide["lower"] < wide["customer_equity"]) and np.all(wide["customer_equity"] < wide["upper"])
    assert wide.attrs == {"level": 0.95, "n_boot": 40} and wide["n_infinite"].eq(0).all()
    pd.testing.assert_frame_equal(wide, horizon.value_by_horizon_interval(bg, gg, data, **kw))  # seeded
    with pytest.raises(DataError, match="n_boot"):
        horizon.value_by_horizon_interval(bg, gg, data, **(kw | {"n_boot": 1}))
