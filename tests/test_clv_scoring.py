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
from crmlib.clv.scoring import score_columns, score_customers, score_table
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
