"""Scoring a Spark table (crmlib.clv.scoring.score_spark) on a local[2] session gives the in-memory scores.

Oracle: :func:`crmlib.clv.scoring.score_customers` on the whole summary in memory; the executors run
the same function on Arrow batches (``mapInPandas``), so every score agrees to 1e-12.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyspark  # noqa: F401  (the optional extra crmlib[spark], installed by the test extra: never skipped)
import pytest

from crmlib.clv import load_model
from crmlib.clv.scoring import score_customers, score_spark

pytestmark = [pytest.mark.spark, pytest.mark.slow]

OPTIONS = dict(t=52.0, horizon=104.0, margin_share=0.3, discount_rate=0.15, periods_per_year=52)


def test_consistency_spark_scores_equal_in_memory_scores(spark, cdnow_fitted, cdnow_summary, tmp_path):
    bg, pnbd, gg = cdnow_fitted
    summary = cdnow_summary.reset_index()
    frame = spark.createDataFrame(summary).repartition(3)
    bg.save(tmp_path / "bg.json")
    for model in (load_model(tmp_path / "bg.json"), pnbd):
        expected = score_customers(model, summary, spend_model=gg, **OPTIONS)
        got = score_spark(frame, model, spend_model=gg, **OPTIONS).toPandas()
        got = got.set_index("customer_id").loc[summary["customer_id"]].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected, rtol=1e-12, atol=0)
        assert np.all(got["clv_horizon"] < got["clv"])
