"""crmlib.profit: customer profitability, whale curve, concentration.

Oracles: hand-made transaction logs and profit vectors computed by hand; the Gini
coefficient by its pairwise definition; the sensitivity grid against
customer_profit and concentration run setting by setting.
"""

import numpy as np
import pandas as pd
import pytest

from crmlib import profit
from crmlib.exceptions import DataError, DataWarning


@pytest.fixture
def log():
    return pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 3, 3],
            "date": pd.to_datetime(
                ["2020-01-05", "2020-01-05", "2020-02-01", "2020-01-10", "2020-03-01", "2020-06-01"]
            ),
            "amount": [100.0, 50.0, 30.0, 10.0, 200.0, 999.0],
            "cost": [60.0, 30.0, 20.0, 4.0, 150.0, 500.0],
        }
    )


# ---------------------------------------------------------------- customer profit


def test_customer_profit_by_hand_margin_rate_and_window(log):
    out = profit.customer_profit(log, margin_share=0.4, cost_to_serve_per_order=5.0, observation_end="2020-03-31")
    # customer 1: revenue 180, margin 72, 3 orders -> 15 ; customer 2: 10, 4, 5 ; customer 3: 200 (June row out), 80, 5
    assert out.index.tolist() == [1, 2, 3]
    np.testing.assert_allclose(out["revenue"], [180.0, 10.0, 200.0])
    np.testing.assert_allclose(out["gross_margin"], [72.0, 4.0, 80.0])
    np.testing.assert_allclose(out["cost_to_serve"], [15.0, 5.0, 5.0])
    np.testing.assert_allclose(out["profit"], [57.0, -1.0, 75.0])
    assert out["orders"].tolist() == [3, 1, 1]


def test_customer_profit_cost_column_days_and_contacts(log):
    contacts = pd.Series({1: 2, 2: 0, 3: 1, 4: 3})  # customer 4 was contacted but never bought
    out = profit.customer_profit(
        log,
        cost_of_goods="cost",
        cost_to_serve_per_order=1.0,
        order_unit="day",
        cost_to_serve_per_contact=2.5,
        contacts=contacts,
        observation_start="2020-01-01",
        observation_end="2020-12-31",
    )
    # customer 1: revenue 180, cogs 110, 2 purchase days, 2 contacts -> serve 2 + 5 = 7 -> profit 63
    # customer 2: 10 - 4 - 1 = 5 ; customer 3: 1199 - 650 - (2 + 2.5) = 544.5 ; customer 4: 0 - 7.5
    assert out.index.tolist() == [1, 2, 3, 4]
    np.testing.assert_allclose(out["cost_of_goods"], [110.0, 4.0, 650.0, 0.0])
    assert out["orders"].tolist() == [2, 1, 2, 0]
    np.testing.assert_allclose(out["profit"], [63.0, 5.0, 544.5, -7.5])


def test_customer_profit_cost_to_serve_column(log):
    frame = log.assign(handling=[1.0, 1.0, 2.0, 0.5, 3.0, 3.0])
    out = profit.customer_profit(frame, margin_share=1.0, cost_to_serve="handling")
    np.testing.assert_allclose(out["cost_to_serve"], [4.0, 0.5, 6.0])
    np.testing.assert_allclose(out["profit"], [176.0, 9.5, 1193.0])


def test_inputchecks_customer_profit(log):
    with pytest.raises(DataError, match=r"margin_share must be in \[0, 1\], got 1.5"):
        profit.customer_profit(log, margin_share=1.5)
    with pytest.raises(DataError, match=r"margin_share must be in \[0, 1\], got -0.1"):
        profit.customer_profit(log, margin_share=-0.1)
    with pytest.raises(DataError, match="give exactly one of margin_share"):
        profit.customer_profit(log, margin_share=0.3, cost_of_goods="cost")
    with pytest.raises(DataError, match="has no column 'revenue' \\(the amount column\\)"):
        profit.customer_profit(log, margin_share=0.3, amount="revenue")
    with pytest.raises(DataError, match="cost_to_serve_per_order must be >= 0, got -1"):
        profit.customer_profit(log, margin_share=0.3, cost_to_serve_per_order=-1)
    with pytest.raises(DataError, match="needs `contacts`"):
        profit.customer_profit(log, margin_share=0.3, cost_to_serve_per_contact=1.0)
    with pytest.raises(DataError, match="no transactions between 2021-01-01 and 2021-02-01"):
        profit.customer_profit(log, margin_share=0.3, observation_start="2021-01-01", observation_end="2021-02-01")
    bad = log.assign(amount=[1.0, np.nan, 2.0, 3.0, 4.0, 5.0])
    with pytest.raises(
        DataError, match="column 'amount' is missing or not a finite number in 1 row \\(e.g. \\[1\\]\\)"
    ):
        profit.customer_profit(bad, margin_share=0.3)


# ---------------------------------------------------------------- whale curve and concentration

PROFITS = pd.Series([50.0, 30.0, -10.0, 20.0, 10.0], index=list("abcde"))


def test_whale_curve_by_hand():
    curve = profit.whale_curve(PROFITS)
    # ranked 50, 30, 20, 10, -10 ; total 100
    np.testing.assert_allclose(curve["customer_pct"], [0, 20, 40, 60, 80, 100])
    np.testing.assert_allclose(curve["cumulative_profit_pct"], [0, 50, 80, 100, 110, 100])
    assert curve["rank"].tolist() == [0, 1, 2, 3, 4, 5]


def test_concentration_by_hand():
    c = profit.concentration(PROFITS, top=(0.2, 0.4))
    assert c["n_customers"] == 5
    assert c["total_profit"] == 100.0
    assert c["share_unprofitable"] == pytest.approx(0.2)
    assert c["top_20pct_profit_pct"] == pytest.approx(50.0)
    assert c["top_40pct_profit_pct"] == pytest.approx(80.0)
    assert c["whale_peak_pct"] == pytest.approx(110.0)
    assert c["whale_peak_customer_pct"] == pytest.approx(80.0)
    # top 10% of 5 customers = ceil(0.5) = the best customer
    assert profit.concentration(PROFITS)["top_10pct_profit_pct"] == pytest.approx(50.0)


def test_correctness_gini_with_losses_is_bounded_raffinetti_siletti_vernizzi_2015():
    # with losses the standard G exceeds 1 (Table 3 of the profitability report printed 5.2); the RSV
    # normalisation divides the mean difference by its largest value for the same gains and losses
    rng = np.random.default_rng(5)
    for x in (PROFITS.to_numpy(), np.r_[rng.normal(-2, 3, 400), rng.lognormal(2, 1.5, 100)], np.array([-1.0, 0, 0, 3])):
        n = len(x)
        direct = np.abs(x[:, None] - x[None, :]).sum() / (2 * (n - 1) * np.abs(x).sum())
        assert profit.gini(x) == pytest.approx(direct, rel=1e-12)
        assert 0.0 <= profit.gini(x) <= 1.0
    assert profit.gini(np.array([-1.0, 0, 0, 3])) == pytest.approx(1.0)  # all losses on one, all gains on another
    standard = np.array([-1.0, 0, 0, 3])
    assert np.abs(standard[:, None] - standard[None, :]).sum() / (2 * 16 * standard.mean()) == pytest.approx(1.5)


def test_gini_against_pairwise_definition():
    rng = np.random.default_rng(3)
    for x in (rng.lognormal(2, 1.2, 301), np.array([0.0, 0.0, 0.0, 10.0])):
        direct = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
        assert profit.gini(x) == pytest.approx(direct, rel=1e-12)
    assert profit.gini(np.array([0.0, 0.0, 0.0, 10.0])) == pytest.approx(0.75)
    assert profit.gini(np.full(7, 3.0)) == pytest.approx(0.0, abs=1e-15)


def test_inputchecks_concentration():
    with pytest.raises(DataError, match="total profit is -5.00, not positive"):
        profit.whale_curve([5.0, -10.0])
    with pytest.raises(DataError, match="missing or infinite for 1 customers"):
        profit.concentration([5.0, np.nan])
    with pytest.raises(DataError, match="the total is 0.00, not positive"):
        profit.gini([0.0, 0.0])


def test_plot_whale_curve_labels_axes():
    import matplotlib

    matplotlib.use("Agg")
    ax = profit.plot_whale_curve(profit.whale_curve(PROFITS))
    assert "Cumulative profit" in ax.get_ylabel() and "Customers ranked" in ax.get_xlabel()
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_profit_panel_by_hand(log):
    panel = profit.profit_panel(
        log,
        {"q1": ("2020-01-01", "2020-02-29"), "q2": ("2020-03-01", "2020-06-30")},
        margin_share=0.5,
        cost_to_serve_per_order=1.0,
    )
    assert len(panel) == 6  # 3 customers x 2 windows, zeros where a customer did not buy
    p = panel.set_index(["customer_id", "window"])["profit"]
    # q1: customer 1 = 90 - 3, customer 2 = 5 - 1, customer 3 absent ; q2: customer 3 = 599.5 - 2
    assert p.to_dict() == {
        (1, "q1"): 87.0,
        (2, "q1"): 4.0,
        (3, "q1"): 0.0,
        (1, "q2"): 0.0,
        (2, "q2"): 0.0,
        (3, "q2"): 597.5,
    }
    assert panel["window_index"].tolist() == [0, 0, 0, 1, 1, 1]
    assert panel.loc[(panel.customer_id == 3) & (panel.window == "q2"), "last_purchase"].iloc[0] == pd.Timestamp(
        "2020-06-01"
    )
    with pytest.raises(DataError, match="no transactions in any window"):
        profit.profit_panel(log, {"x": ("2030-01-01", "2030-02-01")}, margin_share=0.5)


# ---------------------------------------------------------------- returns (negative amounts)


def test_customer_profit_returns_kept_are_netted_and_counted_not_orders(log):
    ret = pd.concat(
        [
            log,
            pd.DataFrame(
                {"customer_id": [1], "date": pd.to_datetime(["2020-02-10"]), "amount": [-30.0], "cost": [0.0]}
            ),
        ],
        ignore_index=True,
    )
    with pytest.warns(DataWarning, match="negative \\(a return, not an order\\) in 1 row \\(e.g. \\[6\\]\\)"):
        out = profit.customer_profit(ret, margin_share=0.5, cost_to_serve_per_order=1.0, on_negative="keep")
    # customer 1: revenue 180 - 30 = 150, margin 75, 3 orders (the return is not one) -> 72, 1 return
    assert out.loc[1, "orders"] == 3 and out.loc[1, "returns"] == 1
    assert out.loc[1, "revenue"] == 150.0 and out.loc[1, "profit"] == 72.0
    assert out.loc[1, "last_purchase"] == pd.Timestamp("2020-02-01")  # a return is not a purchase
    assert out.attrs["returns"] == 1
    with pytest.warns(DataWarning, match="excluded"):
        ex = profit.customer_profit(ret, margin_share=0.5, on_negative="exclude")
    assert ex.loc[1, "revenue"] == 180.0 and ex["returns"].sum() == 0


def test_concentration_sensitivity_matches_setting_by_setting(log):
    grid = profit.concentration_sensitivity(log, margin_shares=[0.2, 0.5], costs_per_order=[0.0, 5.0, 500.0])
    assert grid.attrs["n"] == 3
    for (m, c), row in grid.iterrows():
        p = profit.customer_profit(log, margin_share=m, cost_to_serve_per_order=c)["profit"]
        assert row["total_profit"] == pytest.approx(p.sum())
        if p.sum() > 0:
            conc = profit.concentration(p, top=(0.2,))
            for k in ("share_unprofitable", "top_20pct_profit_pct", "whale_peak_pct", "gini"):
                assert row[k] == pytest.approx(conc[k], rel=1e-12)
        else:
            assert row[["share_unprofitable", "gini"]].isna().all()
    # margin 0.2, cost 500 per order: 0.2 * 1389 - 500 * 6 < 0 -> kept with empty figures, counted
    assert grid.attrs["non_positive"] == int((grid["total_profit"] <= 0).sum()) >= 1


def test_margin_per_purchase_period_by_hand(log):
    # months with a purchase: c1 Jan (150, 2 rows), c1 Feb (30, 1), c2 Jan (10, 1), c3 Mar (200, 1), c3 Jun (999, 1)
    got = profit.margin_per_purchase_period(log, margin_share=0.5, cost_to_serve_per_order=2.0)
    sums, sizes = np.array([150.0, 30, 10, 200, 999]), np.array([2, 1, 1, 1, 1])
    assert got == pytest.approx(0.5 * sums.mean() - 2.0 * sizes.mean())
    spring = profit.margin_per_purchase_period(log, margin_share=0.5, observation_start="2020-02-01", period="quarter")
    assert spring == pytest.approx(0.5 * np.mean([30.0, 200, 999]))  # c1 Q1 (Feb), c3 Q1 (Mar), c3 Q2 (Jun)


def test_log_frame_reads_a_semicolon_cp949_file_with_korean_headers_like_the_frame(log, tmp_path):
    # issue 13: a researcher's export (CP949, ';', decimal comma, day-first dates given by format) read once
    # gives crmlib's column names and the same profit as the pandas log
    path = tmp_path / "log.csv"
    korean = log.rename(columns={"customer_id": "고객번호", "date": "구매일", "amount": "금액"})
    korean["구매일"] = pd.to_datetime(korean["구매일"]).dt.strftime("%d/%m/%Y")
    korean["금액"] = korean["금액"].map(lambda v: f"{v:.2f}".replace(".", ","))
    korean.to_csv(path, sep=";", index=False, encoding="cp949")
    got = profit.log_frame(path, customer_id="고객번호", date="구매일", amount="금액", date_format="%d/%m/%Y",
                           encoding="cp949", delimiter=";", decimal=",")  # fmt: skip
    assert list(got.columns) == ["customer_id", "date", "amount"] and len(got) == len(log)
    assert got["amount"].sum() == pytest.approx(log["amount"].sum())
    pd.testing.assert_frame_equal(
        profit.customer_profit(got, margin_share=0.3), profit.customer_profit(log, margin_share=0.3), check_names=False
    )
    no_amounts = profit.log_frame(log.drop(columns="amount"), amount=None)
    assert list(no_amounts.columns) == ["customer_id", "date"]
    bad = log.assign(amount=log["amount"].astype(object))
    bad.loc[bad.index[2], "amount"] = "n/a"
    with pytest.raises(DataError, match=r"log_frame: column 'amount' is missing or not a finite number in 1 row"):
        profit.log_frame(bad)
