"""crmlib.segment.tables: entropy against AHP weights, class tables and their sentences.

Oracles: the segment.mcda functions called directly; Spearman's rho by scipy; hand-made profiles; Saaty's
scale written as fractions by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crmlib import segment
from crmlib.segment import tables
from crmlib.style import table_html


@pytest.fixture
def indicators():
    rng = np.random.default_rng(4)
    x = rng.gamma(2.0, 10.0, size=(40, 4))
    return pd.DataFrame(x, columns=["profit", "orders", "mean_order_value", "recency_days"])


JUDGEMENTS = [[1, 3, 5, 2], [1 / 3, 1, 2, 1 / 2], [1 / 5, 1 / 2, 1, 1 / 3], [1 / 2, 2, 3, 1]]


def test_consistency_compare_weightings_with_the_mcda_functions(indicators):
    benefit = {"recency_days": False}
    got = tables.compare_weightings(indicators, JUDGEMENTS, benefit)
    ew = segment.entropy_weights(indicators, benefit=benefit)
    pd.testing.assert_series_equal(got.entropy.weights, ew.weights)
    s_ent = segment.score_customers(indicators, ew.weights, benefit=benefit)["score"]
    s_ahp = segment.score_customers(indicators, got.ahp.weights, benefit=benefit)["score"]
    rho = stats.spearmanr(s_ent.sort_index(), s_ahp.sort_index())[0]
    assert got.rank_correlation == pytest.approx(rho)
    top_e, top_a = set(s_ent.nlargest(4).index), set(s_ahp.nlargest(4).index)  # ceil(0.1 * 40) = 4
    assert got.top_overlap == pytest.approx(len(top_e & top_a) / 4)
    assert "Spearman rho = " + f"{rho:.3f}" in tables.weighting_sentence(got)


def test_correctness_ahp_and_entropy_tables_read_as_printed(indicators):
    got = tables.compare_weightings(indicators, JUDGEMENTS, {"recency_days": False})
    ahp = tables.ahp_table(got)["frame"]
    assert ahp.loc["Orders"].tolist()[:4] == ["1/3", "1", "2", "1/2"] and ahp.loc["Profit", "Profit"] == "1"
    assert ahp["Weight"].sum() == pytest.approx(1.0)
    ent = tables.entropy_table(got)["frame"]
    assert ent.index.tolist() == ["Profit", "Orders", "Mean order value", "Recency (days)"]
    html = table_html(got.ahp.summary())
    assert '<td style="text-align: left">4</td>' in html and ">yes<" in html and "4.000" not in html
    top = tables.top_customers_table(got, pd.DataFrame({"profit": 1.0, "orders": 2}, index=indicators.index), "EUR")
    assert len(top["frame"]) == 10 and top["labels"]["profit"] == "Profit (EUR)"


def test_correctness_class_table_and_sentence_by_hand():
    classes = pd.DataFrame(
        {
            "customers": [1, 2, 3, 4],
            "customer_share": [0.1, 0.2, 0.3, 0.4],
            "value_share": [0.5, 0.2, 0.2, 0.1],
            "bought_after_share": [0.9, 0.6, 0.5, 0.1],
        },
        index=pd.Index(["high_value_added", "valuable", "low_value", "sleeping"], name="class"),
    )
    states = pd.DataFrame(
        {"customers": [2, 0, 6, 4], "bought_after_share": [np.nan, np.nan, 0.6, 0.1]},
        index=pd.Index(["potential", "target", "actual", "lost"], name="state"),
    )
    t = tables.class_table(classes.assign(value=1.0), "USD", "2020-01-05")
    assert t["frame"].index.tolist() == ["high-value-added", "valuable", "low-value", "sleeping"]
    assert t["frame"]["customer_share"].tolist() == pytest.approx([10, 20, 30, 40])
    assert t["labels"]["bought_after_share"] == "Bought after 2020-01-05 (%)"
    text = tables.class_sentence(classes, states, 0.5, 0.4)
    assert text.startswith("**40.0%** of the customers are sleeping (P(alive) below 0.50)")
    assert "high-value-added class, 10.0% of the customers, brings 50.0% of the profit" in text
    assert "10.0% bought again afterwards, against 60.0% of the actual customers: the states separate" in text
    assert "the 2 people whose first purchase comes later" in text
