"""Scoring every customer where the summary lives (crmlib.clv.scoring): DuckDB in batches, the in-memory route.

Oracle: the in-memory scores (:func:`score_customers` on the whole summary), themselves the models'
closed forms tested in their own modules; every engine and batch size must give them to 1e-12.
The Spark route is in ``test_clv_scoring_spark.py`` (marked ``spark``).
"""

import duckdb
import ibis
import numpy as np
import pandas as pd
import pytest

from crmlib.clv import BetaGeoBetaBinomModel, BetaGeoModel, ModifiedBetaGeoModel, horizon, load_model
from crmlib.clv.scoring import (
    largest_difference,
    pair_values,
    score_columns,
    score_customers,
    score_table,
)
from crmlib.datasets import load_donations
from crmlib.exceptions import DataError

OPTIONS = dict(t=52.0, horizon=104.0, margin_share=0.3, discount_rate=0.15, periods_per_year=52)


@pytest.fixture(scope="module")
def summary(cdnow_summary):
    return cdnow_summary.reset_index()


def _duckdb_table(frame):
    """The summary as a table of an in-memory DuckDB database, seen through Ibis."""
    raw = duckdb.connect()
    raw.execute("CREATE TABLE summary AS SELECT * FROM frame")
    return ibis.duckdb.from_connection(raw).table("summary")


def test_consistency_in_memory_scores_are_the_models_predictions(cdnow_fitted, summary):
    bg, _, gg = cdnow_fitted
    scores = score_customers(bg, summary, spend_model=gg, **OPTIONS)
    assert list(scores.columns) == score_columns(t=52.0, spend_model=gg, horizon=104.0)
    x, tx, T = (summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    np.testing.assert_allclose(scores["p_alive"], bg.probability_alive(x, tx, T), rtol=1e-15)
    np.testing.assert_allclose(
        scores["expected_purchases"], bg.conditional_expected_purchases(52, x, tx, T), rtol=1e-15
    )
    value = horizon.horizon_value(
        bg, gg, summary, horizon=104.0, margin_share=0.3, discount_rate=0.15, periods_per_year=52
    )
    for col in ("dert", "clv", "dert_horizon", "clv_horizon", "expected_spend"):
        np.testing.assert_allclose(scores[col], value[col], rtol=1e-15)


@pytest.mark.parametrize("which", [0, 1])
def test_consistency_duckdb_batches_give_the_in_memory_scores(cdnow_fitted, summary, which):
    model, gg = cdnow_fitted[which], cdnow_fitted[2]
    expected = score_customers(model, summary, spend_model=gg, **OPTIONS)
    table = _duckdb_table(summary)
    got = score_table(table.order_by("customer_id"), model, spend_model=gg, batch_rows=500, **OPTIONS).to_pandas()
    assert len(got) == len(summary) and got["customer_id"].tolist() == summary["customer_id"].tolist()
    pd.testing.assert_frame_equal(got.drop(columns="customer_id"), expected, rtol=1e-12, atol=0)
    rel = duckdb.connect().from_df(summary)  # a DuckDB relation, read in its own batches
    got = score_table(rel, model, spend_model=gg, batch_rows=700, **OPTIONS).to_pandas().set_index("customer_id")
    pd.testing.assert_frame_equal(got.loc[summary["customer_id"]].reset_index(drop=True), expected, rtol=1e-12, atol=0)


def test_consistency_loaded_model_scores_duckdb_table_without_training_data(cdnow_fitted, summary, tmp_path):
    bg, _, gg = cdnow_fitted
    bg.save(tmp_path / "bg.json")
    gg.save(tmp_path / "gg.json")
    expected = score_customers(bg, summary, spend_model=gg, **OPTIONS)
    table = _duckdb_table(summary).order_by("customer_id")
    loaded, lgg = load_model(tmp_path / "bg.json"), load_model(tmp_path / "gg.json")
    got = score_table(table, loaded, spend_model=lgg, **OPTIONS).to_pandas()
    pd.testing.assert_frame_equal(got.drop(columns="customer_id"), expected, rtol=1e-12, atol=0)


def test_consistency_largest_difference_is_zero_for_the_same_model_and_sees_another(cdnow_fitted, summary):
    """Oracle: the engine's scores against themselves in memory (0), and against a model whose r moved by 1%
    (the difference is that of P(alive) and the CLV computed by hand with both models)."""
    bg, _, gg = cdnow_fitted
    scores = score_table(_duckdb_table(summary), bg, spend_model=gg, batch_rows=900, **OPTIONS)
    assert largest_difference(scores, bg, summary, spend_model=gg, **OPTIONS) == 0.0
    other = load_model_with(bg, r=bg.params_["r"] * 1.01)
    head = scores.to_pandas().iloc[:300]
    by_hand = score_customers(
        other, summary.set_index("customer_id").loc[head["customer_id"]], spend_model=gg, **OPTIONS
    )
    want = np.max(np.abs(head.drop(columns="customer_id").to_numpy() - by_hand.to_numpy()))
    got = largest_difference(scores, other, summary, rows=300, spend_model=gg, **OPTIONS)
    assert got == pytest.approx(want, rel=1e-12) and got > 0
    with pytest.raises(DataError, match="rows must be"):
        largest_difference(scores, bg, summary, rows=0, spend_model=gg, **OPTIONS)
    with pytest.raises(DataError, match="column 'customer_id'"):
        largest_difference(scores, bg, summary.iloc[5:], spend_model=gg, **OPTIONS)


def load_model_with(model, **params):
    """A copy of a fitted model with some parameters replaced (as a saved and edited model would be)."""
    import copy

    other = copy.deepcopy(model)
    other.params_ = other.params_.copy()
    for k, v in params.items():
        other.params_[k] = v
    return other


def test_consistency_bgbb_scores_in_batches():
    donations = load_donations().reset_index(names="customer_id")
    bb = BetaGeoBetaBinomModel().fit(donations)
    expected = score_customers(bb, donations, t=5)
    got = score_table(ibis.memtable(donations).order_by("customer_id"), bb, t=5, batch_rows=4).to_pandas()
    pd.testing.assert_frame_equal(got.drop(columns="customer_id"), expected, rtol=1e-12, atol=0)


def test_inputchecks_scoring(cdnow_fitted, summary):
    bg, _, gg = cdnow_fitted
    with pytest.raises(DataError, match="needs margin_share and discount_rate"):
        score_customers(bg, summary, spend_model=gg)
    with pytest.raises(DataError, match="horizon needs a spend_model"):
        score_customers(bg, summary, horizon=52)
    with pytest.raises(DataError, match="Ibis table or a DuckDB relation"):
        score_table(summary, bg)
    with pytest.raises(DataError, match="batch_rows"):
        score_table(ibis.memtable(summary), bg, batch_rows=0)
    with pytest.raises(DataError, match="'client'"):
        score_table(ibis.memtable(summary), bg, customer_id="client")
    with pytest.raises(DataError, match="'monetary'"):
        score_customers(bg, summary.drop(columns="monetary"), spend_model=gg, margin_share=0.3, discount_rate=0.1)
    with pytest.raises(DataError, match="no rows"):
        score_table(ibis.memtable(summary).filter(ibis._.frequency < 0), bg)


@pytest.mark.parametrize("which", [0, 1])
def test_consistency_distinct_pair_route_equals_per_row_predictions(cdnow_fitted, summary, which):
    """Oracle: the models' own predictions customer by customer (one row at a time, no pairs shared).

    The pair table of the whole base (pair_values), the table of a sample of it (pairs it lacks are
    computed), and no table at all give the same scores; each equals the row-by-row prediction."""
    model, gg = cdnow_fitted[which], cdnow_fitted[2]
    pairs = pair_values(model, summary, spend_model=gg, **OPTIONS)
    assert len(pairs) == len(summary[["frequency", "T"]].drop_duplicates()) < len(summary)
    whole = score_customers(model, summary, spend_model=gg, pairs=pairs, **OPTIONS)
    pd.testing.assert_frame_equal(whole, score_customers(model, summary, spend_model=gg, **OPTIONS), rtol=0, atol=0)
    some = pair_values(model, summary.iloc[::7], spend_model=gg, **OPTIONS)
    pd.testing.assert_frame_equal(
        whole, score_customers(model, summary, spend_model=gg, pairs=some, **OPTIONS), rtol=0, atol=0
    )
    kw = dict(discount_rate=0.15, periods_per_year=52)
    for i in range(0, len(summary), 97):
        x, tx, T = (float(summary[c].iloc[i]) for c in ("frequency", "recency", "T"))
        one = [
            model.probability_alive(x, tx, T),
            model.conditional_expected_purchases(52.0, x, tx, T),
            model.dert(x, tx, T, **kw),
            horizon.discounted_purchases(model, x, tx, T, horizon=104.0, **kw),
        ]
        got = whole.iloc[i][["p_alive", "expected_purchases", "dert", "dert_horizon"]].to_numpy(float)
        np.testing.assert_allclose(got, np.ravel(one), rtol=1e-12, atol=0)


@pytest.mark.parametrize("Model", [BetaGeoModel, ModifiedBetaGeoModel])
@pytest.mark.parametrize(
    "params, delta, x, T",
    [
        ((0.243, 4.414, 0.793, 2.426), np.log(1.15) / 52, 2.0, 38.86),  # FHL 2005 CDNOW, weekly, FHL 2005b's rate
        ((0.243, 4.414, 0.793, 2.426), np.log(1.15) / 52, 0.0, 1.0),
        ((0.422, 5.037, 0.04, 0.075), 0.00039, 1.0, 31.37),  # tiny a: beta mass down to p = e^-700
        ((0.25, 4.0, 1.5, 0.2), np.log(1.15) / 52, 3000.0, 2000.0),  # b < 1, thousands of purchases
        ((0.5, 4.0, 1.0, 2.5), np.log(1.15) / 52, 5.0, 1.0),  # a = 1: the closed form's quadrature twin
        ((2.0, 0.05, 0.8, 3.0), np.log(1.1) / 365, 100.0, 3650.0),  # daily, ten years
    ],
)
def test_correctness_active_dert_against_quadrature_of_the_discounted_purchase_rate(Model, params, delta, x, T):
    """Oracle: DERT of an active customer = delta int_0^inf e^{-delta t} E[Y(t) | alive] dt (integration by
    parts of FHL 2005b eq. 2), by scipy's adaptive quadrature of the model's eq. 10 over P(alive)."""
    from scipy import integrate

    m = Model()
    rate = lambda t: delta * np.exp(-delta * t) * m._active_expected(t, np.float64(x), np.float64(T), params)  # noqa: E731
    ref = integrate.quad(rate, 0, np.inf, limit=5000, epsrel=1e-12)[0]
    got = m._active_dert(np.array([x]), np.array([T]), delta, params)[0]
    assert got == pytest.approx(ref, rel=1e-10)


def test_correctness_bg_dert_against_simulated_discounted_purchases():
    """Oracle: simulation with known truth. Customers alive at T with history (x, T) have lambda ~ Gamma(r+x,
    alpha+T), p ~ Beta(a, b+x) (FHL 2005); their discounted purchases sum_k e^{-delta t_k} over the purchases
    before drop-out average to the active customer's DERT (within 4 standard errors)."""
    r, alpha, a, b = params = (0.243, 4.414, 0.793, 2.426)
    x, T, delta = 3.0, 30.0, 0.01
    rng = np.random.default_rng(11)
    n = 200_000
    lam = rng.gamma(r + x, 1.0 / (alpha + T), n)
    p = rng.beta(a, b + x, n)
    # purchases until drop-out: geometric count k >= 1 (drop-out after the k-th), arrival times a Poisson process
    k = rng.geometric(p)
    # sum over j <= k of E[e^{-delta t_j} | lambda] = sum_j (lambda / (lambda + delta))^j, given k
    q = lam / (lam + delta)
    value = q * (1 - q**k) / (1 - q)
    got = BetaGeoModel()._active_dert(np.array([x]), np.array([T]), delta, params)[0]
    assert abs(value.mean() - got) < 4 * value.std() / np.sqrt(n)


def test_inputchecks_pairs_of_other_options_or_models_are_refused(cdnow_fitted, summary):
    bg, _, gg = cdnow_fitted
    pairs = pair_values(bg, summary, spend_model=gg, **OPTIONS)
    with pytest.raises(DataError, match="pairs was made for other options"):
        score_customers(bg, summary, spend_model=gg, pairs=pairs, **{**OPTIONS, "t": 26.0})
    with pytest.raises(DataError, match="pairs was made for other options"):
        score_customers(load_model_with(bg, a=1.0), summary, spend_model=gg, pairs=pairs, **OPTIONS)
    bb = BetaGeoBetaBinomModel().fit(load_donations())
    with pytest.raises(DataError, match="BG/NBD, MBG/NBD or Pareto/NBD"):
        pair_values(bb, summary, t=5)
    with pytest.raises(DataError, match="'T'"):
        pair_values(bg, summary.drop(columns="T"), t=5)
