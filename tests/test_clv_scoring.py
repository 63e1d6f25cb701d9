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

from crmlib.clv import BetaGeoBetaBinomModel, horizon, load_model
from crmlib.clv.scoring import largest_difference, score_columns, score_customers, score_table
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
