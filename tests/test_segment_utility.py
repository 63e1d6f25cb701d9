"""Customer evaluation index and credit rating (oracles: a hand-computed index and rating; recovery of the
SIMULATED customers' known value)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crmlib.exceptions import DataError
from crmlib.segment.mcda import ahp_weights
from crmlib.segment.utility import credit_ratings, evaluation_index, simulate_utility_customers


def test_correctness_index_by_hand():
    # two indicators per group; within each group the two columns are identical up to scale, so their entropy
    # weights are equal (0.5 each) and the group score is the min-max position: customer 1 -> 0, 2 -> 0.5, 3 -> 1
    X = pd.DataFrame(
        {"e1": [1.0, 2.0, 3.0], "e2": [10.0, 20.0, 30.0], "s1": [3.0, 2.0, 1.0], "s2": [0.3, 0.2, 0.1]},
        index=[1, 2, 3],
    )
    got = evaluation_index(X, economic=["e1", "e2"], social=["s1", "s2"], economic_weight=0.75, cost=["s2", "s1"])
    # social: cost indicators reversed -> customer 3 best (1), customer 1 worst (0)
    assert got.loc[3, "index"] == pytest.approx(1.0) and got.loc[1, "index"] == pytest.approx(0.0)
    assert got.loc[2, "index"] == pytest.approx(0.75 * 0.5 + 0.25 * 0.5)
    assert got["rank"].tolist() == [1, 2, 3] and got.attrs["weights"]["e1"] == pytest.approx(0.5)
    mixed = evaluation_index(X, economic=["e1", "e2"], social=["s1", "s2"], economic_weight=0.75, cost=[])
    assert mixed.loc[1, "index"] == pytest.approx(0.25) and mixed.loc[3, "index"] == pytest.approx(0.75)


def test_correctness_index_recovers_the_simulated_value():
    customers = simulate_utility_customers(800, seed=18)
    assert (customers["data_source"] == "SIMULATED").all()
    w = ahp_weights(pd.DataFrame([[1, 3], [1 / 3, 1]], index=["economic", "social"], columns=["economic", "social"]))
    idx = evaluation_index(customers, economic_weight=float(w.weights["economic"]))
    assert float(w.weights["economic"]) == pytest.approx(0.75)
    rho = stats.spearmanr(idx["index"], customers.loc[idx.index, "true_value"])[0]
    assert rho > 0.85, rho
    assert np.isclose(
        sum(v for k, v in idx.attrs["weights"].items() if k.startswith(("usable", "load", "profit", "fees"))), 1
    )


def test_correctness_credit_rating_by_hand():
    share = pd.Series([0.99, 0.99, 0.85, 0.85, 0.7, 0.5], index=list("abcdef"))
    arrears = pd.Series([0, 1, 1, 2, 3, 0], index=list("abcdef"))
    got = credit_ratings(share, arrears)
    assert got["rating"].tolist() == ["A", "B", "B", "C", "C", "D"]
    assert (
        got.loc["a", "payment_method"] == "post-paid monthly bill" and got.loc["f", "payment_method"] == "prepaid meter"
    )
    with pytest.raises(DataError, match=r"on_time_share must be a share in \[0, 1\]; not in 1 row"):
        credit_ratings(share.replace(0.5, 1.5), arrears)
    with pytest.raises(DataError, match="3 decreasing"):
        credit_ratings(share, arrears, on_time_cuts=(0.8, 0.9, 0.6))
