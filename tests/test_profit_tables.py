"""crmlib.profit_tables: the profitability report's set-up, tables, what-if figure and sentences.

Oracles: a hand-made log whose profits, shares and sentences are computed by hand; the report's tables are
the library results rescaled (fractions -> percent) and relabelled, checked cell by cell.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crmlib import equity, profit, segment
from crmlib import profit_tables as pt
from crmlib.exceptions import DataError


@pytest.fixture
def log_file(tmp_path):
    # customer 1: 100 + 50 on day 1, 30 on day 8 (period 2); customer 2: 10 on day 2; customer 3: 200 on day 9
    rows = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 3],
            "date": ["2020-01-01", "2020-01-01", "2020-01-08", "2020-01-02", "2020-01-09"],
            "amount": [100.0, 50.0, 30.0, 10.0, 200.0],
        }
    )
    path = tmp_path / "log.csv"
    rows.to_csv(path, index=False)
    return str(path)


def test_correctness_report_setup_window_split_and_money(log_file):
    s = pt.report_setup(log_file, read_options={"date_format": "%Y-%m-%d"})
    assert (s.start, s.end) == (pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-09"))
    assert s.split == pd.Timestamp("2020-01-05")  # 8 days // 2 = 4 days after the start
    assert s.money == "currency units" and s.has_amounts and s.label == f"the log {log_file}"
    assert s.window == {"observation_start": "2020-01-01", "observation_end": "2020-01-09"}
    eur = pt.report_setup(log_file, value_terms={"currency": "EUR", "margin_share": 0.5})
    assert eur.money == "EUR" and eur.terms.margin_share == 0.5
    text, n = pt.data_sentence(eur, 2.0)
    assert n == 3 and "5 orders" in text and "revenue EUR 390.00" in text and "margin 50% of revenue" in text
    with pytest.raises(DataError, match="calibration_end 2020-01-09 must lie in the window"):
        pt.report_setup(log_file, calibration_end="2020-01-09")
    with pytest.raises(DataError, match="observation_end 2020-01-01 is before observation_start"):
        pt.report_setup(log_file, observation_start="2020-01-05", observation_end="2020-01-01")


def test_correctness_money_and_concentration_tables_by_hand(log_file):
    s = pt.report_setup(log_file)
    cp = profit.customer_profit(s.log, margin_share=0.3, cost_to_serve_per_order=2.0, **s.window)
    # profits: 1 -> 0.3 * 180 - 6 = 48; 2 -> 3 - 2 = 1; 3 -> 60 - 2 = 58
    t = pt.money_table(cp, "USD")["frame"]
    assert t.loc["Orders", "mean"] == pytest.approx(5 / 3) and t.loc["Profit (USD)", "max"] == pytest.approx(58)
    assert list(t.index) == ["Orders", "Revenue (USD)", "Gross margin (USD)", "Cost to serve (USD)", "Profit (USD)"]
    conc = profit.concentration(pd.Series([48.0, 1.0, -9.0]))
    c = pt.concentration_table(conc, "USD")["frame"]["value"]
    assert c["Total profit (USD)"] == 40 and c["Customers with profit < 0 (%)"] == pytest.approx(100 / 3)
    assert c["Profit of the top 10% of customers (% of total profit)"] == pytest.approx(120.0)  # 48 / 40
    figures = pt.concentration_figures(conc)
    assert figures["share_unprofitable"] == (0.3333, "fraction") and figures["top_10pct_profit_pct"][0] == 120.0
    text = pt.concentration_sentence(conc)
    assert "**120.0%**" in text and "**33.3%** of the customers lose money" in text and "does not hold" in text
    half = profit.concentration(pd.Series([10.0, 0.0, 0.0, 5.0]))
    assert "bring no profit holds here (50.0% bring none)" in pt.concentration_sentence(half)


def test_correctness_sensitivity_table_and_what_if_curves(log_file):
    s = pt.report_setup(log_file)
    cp = profit.customer_profit(s.log, margin_share=0.3, **s.window)
    sens = profit.concentration_sensitivity(s.log, margin_shares=[0.3], costs_per_order=[0.0, 20.0], **s.window)
    t = pt.sensitivity_table(sens, "USD")
    assert list(t["frame"].index) == [("30%", "0.00"), ("30%", "20.00")]
    # cost 20: profits 54 - 60, 3 - 20, 60 - 20 -> -6, -17, 40: total 17, 2 of 3 lose money
    assert t["frame"]["share_unprofitable"].iloc[1] == pytest.approx(200 / 3)
    assert t["frame"]["total_profit"].iloc[1] == pytest.approx(17.0)
    assert "66.7%" in pt.sensitivity_sentence(sens, "USD") and "USD 20.00 per order" in pt.sensitivity_sentence(
        sens, "USD"
    )
    fig = pt.plot_whale_curves_by_cost(cp, 0.3, [0.0, 20.0, 40.0], "USD")  # cost 40: total -43, left out
    drawn = [ln.get_label() for ln in fig.axes[0].lines if ln.get_label().startswith("USD")]
    assert drawn == ["USD 0.00 per order", "USD 20.00 per order"]
    plt.close(fig)


def test_correctness_tiers_migration_and_sentences(log_file):
    s = pt.report_setup(log_file)
    rule = segment.TierRule(names=("top", "rest"), cuts=(0.5,))
    mig, panel = pt.tier_migration(s, rule, 0.0)
    # period 1 (to 01-05): customer 1 (45) top, customer 2 (3) rest; period 2: customer 1 (9) rest... and 3 (60) top
    assert mig.loc["top", "rest"] == 1.0 and mig.loc["rest", "absent"] == 1.0 and mig.loc["absent", "top"] == 1.0
    assert set(panel["window"]) == {"period 1", "period 2"}
    text = pt.migration_sentence(mig, "top")
    assert text.startswith("Of the 1 top customers of period 1, **0.0%** are top again") and "0.0% buy nothing" in text
    prof = segment.tier_profile(pd.Series([45.0, 3.0]), pd.Series(pd.Categorical(["top", "rest"], ["top", "rest"])))
    t = pt.tier_profile_table(prof, "USD")
    assert t["frame"]["value_share"].tolist() == pytest.approx([100 * 45 / 48, 100 * 3 / 48])
    assert t["labels"]["total"] == "Total profit (USD)"
    assert "top 10% of customers by profit in platinum" in pt.tier_rule_sentence(segment.PYRAMID)


def test_consistency_markov_table_and_sentence_quote_the_chains():
    from crmlib import datasets

    log = profit.log_frame(datasets.load_cdnow("sample"))
    terms = equity.ValueTerms()
    chains = {
        a: equity.markov_equity(log, terms, cost_to_serve_per_order=2.0, absorbing=a, n_states=6, cost_per_period=0.5)
        for a in (False, True)
    }
    t = pt.markov_table(chains, "USD", "1998-06-30")["frame"]
    np.testing.assert_allclose(t["value"], chains[False].state_values.to_numpy())
    np.testing.assert_allclose(t["value_absorbing"], chains[True].state_values.to_numpy())
    assert t["value_absorbing"].iloc[-1] == 0.0  # lapsed customers who never return are worth nothing
    text = pt.markov_sentence(chains, "USD", "1998-06-30")
    assert f"USD {chains[False].state_values.iloc[0]:,.2f}" in text
    assert f"worth USD {chains[True].customer_equity:,.0f}" in text


def test_correctness_conclusion_quotes_its_inputs(log_file):
    s = pt.report_setup(log_file)
    conc = profit.concentration(pd.Series([48.0, 1.0, -9.0]))
    sens = pd.DataFrame({"share_unprofitable": [0.1, 0.25]})

    class Thesis:
        printed_ratio = 1.18

        class evaluation:
            benefit_cost_ratio = 1.036

    text = pt.conclusion_sentence(s, 2.0, conc, sens, 0.2, Thesis)
    assert "top 20% of customers: 120% of total profit" in text and "up to 25.0% in Table 3" in text
    assert "Of the top tier, 20% stay" in text and "(1.18) does not follow from its own totals (1.04)" in text
