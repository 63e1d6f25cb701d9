"""crmlib.segment.behaviour: the bank's classes and the customer states from a log, and their profiles.

Oracles: a hand-made log and panel whose behaviour (purchase days, recency, T, value) is counted by hand;
hand-set P(alive) and values for the rules; P(alive) against the model fitted directly on the same summary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import clv, datasets, profit, transactions
from crmlib.exceptions import DataError
from crmlib.segment import behaviour as bh


@pytest.fixture
def log_and_panel():
    # A buys on days 1 and 3 (period 1) and day 8 (period 2); B on day 2 only; C first on day 9 (a prospect on day 5)
    log = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "B", "C"],
            "date": pd.to_datetime(["2020-01-01", "2020-01-03", "2020-01-08", "2020-01-02", "2020-01-09"]),
            "amount": [100.0, 50.0, 30.0, 10.0, 200.0],
        }
    )
    windows = {"period 1": ("2020-01-01", "2020-01-05"), "period 2": ("2020-01-06", "2020-01-09")}
    panel = profit.profit_panel(log, windows, margin_share=0.5)
    return log, panel


def test_correctness_period_behaviour_by_hand(log_and_panel):
    log, panel = log_and_panel
    b = bh.period_behaviour(log, panel, calibration_end="2020-01-05")
    assert b.loc["A", "purchases"] == 2 and b.loc["B", "purchases"] == 1 and b.loc["C", "purchases"] == 0
    assert b.loc["A", "frequency"] == 1 and b.loc["A", "recency"] == pytest.approx(2 / 7)
    assert b.loc["A", "T"] == pytest.approx(4 / 7) and b.loc["B", "T"] == pytest.approx(3 / 7)
    assert b.loc["A", "days_since_last"] == 2 and b.loc["B", "days_since_last"] == 3
    assert np.isnan(b.loc["C", "frequency"])
    assert b.loc["A", "value"] == 75 and b.loc["C", "value"] == 0 and b.loc["C", "value_after"] == 100
    assert b.loc["A", "orders_after"] == 1 and b.loc["B", "orders_after"] == 0
    with pytest.raises(DataError, match="panel has no window 'after'"):
        bh.period_behaviour(log, panel, calibration_end="2020-01-05", windows=("period 1", "after"))


def test_correctness_classes_and_states_by_hand():
    b = pd.DataFrame(
        {
            "purchases": [3, 2, 1, 5, 1, 0],
            "value": [100.0, 50.0, 10.0, 500.0, 5.0, 0.0],
            "days_since_last": [10.0, 20.0, 30.0, 300.0, 40.0, np.nan],
            "orders_after": [1, 1, 0, 0, 1, 2],
            "value_after": [20.0, 10.0, 0.0, 0.0, 2.0, 40.0],
        },
        index=list("abcdef"),
    )
    p = pd.Series([0.9, 0.8, 0.7, 0.2, 0.6, np.nan], index=b.index)
    # not sleeping: a, b, c, e ranked by value 100, 50, 10, 5; cuts (0.25, 0.5): a high-value-added, b valuable
    got = bh.classes_and_states(b, p, sleeping_below=0.5, lost_below=0.65, cuts=(0.25, 0.5))
    assert got["class"].astype(object).fillna("-").tolist() == [
        "high_value_added",
        "valuable",
        "low_value",
        "sleeping",
        "low_value",
        "-",
    ]
    assert got["state"].astype(str).tolist() == ["actual", "actual", "actual", "lost", "lost", "potential"]
    prof = bh.class_profile(got, "class")
    assert prof.loc["low_value", "customers"] == 2 and prof.loc["low_value", "customer_share"] == pytest.approx(0.4)
    assert prof.loc["sleeping", "value_share"] == pytest.approx(500 / 665)
    assert prof.loc["low_value", "bought_after_share"] == pytest.approx(0.5)
    assert prof.loc["low_value", "mean_days_since_last"] == pytest.approx(35.0)
    states = bh.class_profile(got, "state")
    assert states.index.tolist() == ["potential", "target", "actual", "lost"]
    assert states["customers"].tolist() == [1, 0, 3, 2] and states.loc["target", "value"] == 0
    assert states.loc["lost", "mean_p_alive"] == pytest.approx(0.4)
    targeted = pd.Series([False] * 5 + [True], index=b.index)
    assert bh.classes_and_states(b, p, targeted=targeted)["state"].iloc[-1] == "target"


def test_inputchecks_classes_and_states():
    b = pd.DataFrame({"purchases": [1, 2], "value": [1.0, 2.0]}, index=["x", "y"])
    with pytest.raises(DataError, match=r"p_alive is missing for customers with purchases in 1 row"):
        bh.classes_and_states(b, pd.Series([0.5, np.nan], index=b.index))
    with pytest.raises(DataError, match="model"):
        bh.fit_p_alive(pd.DataFrame({"frequency": [1.0], "recency": [1.0], "T": [2.0]}), "gamma_gamma")
    with pytest.raises(DataError, match="by"):
        bh.class_profile(b, "tier")


@pytest.mark.filterwarnings("ignore::crmlib.exceptions.DataWarning")  # the log's checks, shown by the CLV report
def test_consistency_fit_p_alive_is_the_models_p_alive_on_cdnow():
    log = profit.log_frame(datasets.load_cdnow("sample"))
    windows = {"period 1": ("1997-01-01", "1997-09-30"), "period 2": ("1997-10-01", "1998-06-30")}
    panel = profit.profit_panel(log, windows, margin_share=0.3)
    b = bh.period_behaviour(log, panel, calibration_end="1997-09-30")
    got = bh.fit_p_alive(b, "mbgnbd")
    summary = transactions.summarize(log[["customer_id", "date"]], amount=None, observation_end="1997-09-30")
    model = clv.ModifiedBetaGeoModel().fit(summary)
    want = model.probability_alive(summary["frequency"], summary["recency"], summary["T"])
    np.testing.assert_allclose(got.loc[summary.index].to_numpy(), want, rtol=1e-10)
    assert len(b) == 2357 and (b["purchases"] > 0).all()  # one cohort: everyone bought in period 1
