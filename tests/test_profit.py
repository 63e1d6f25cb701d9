"""crmlib.profit: customer profitability, whale curve, concentration, programme evaluation.

Oracles: hand-made transaction logs and profit vectors computed by hand; the Gini
coefficient by its pairwise definition; payback and NPV by hand; the
difference-in-differences against a direct least-squares solution (numpy
lstsq), the four cell means, hand-built HC1 and CR1 sandwich errors, and a
simulation with a known effect; the thesis's Table 2 as printed.
"""

import numpy as np
import pandas as pd
import pytest

from crmlib import profit
from crmlib.exceptions import ConvergenceError, DataError


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
    out = profit.customer_profit(log, margin_rate=0.4, cost_to_serve_per_order=5.0, end="2020-03-31")
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
        cost_column="cost",
        cost_to_serve_per_order=1.0,
        order_unit="day",
        cost_to_serve_per_contact=2.5,
        contacts=contacts,
        start="2020-01-01",
        end="2020-12-31",
    )
    # customer 1: revenue 180, cogs 110, 2 purchase days, 2 contacts -> serve 2 + 5 = 7 -> profit 63
    # customer 2: 10 - 4 - 1 = 5 ; customer 3: 1199 - 650 - (2 + 2.5) = 544.5 ; customer 4: 0 - 7.5
    assert out.index.tolist() == [1, 2, 3, 4]
    np.testing.assert_allclose(out["cost_of_goods"], [110.0, 4.0, 650.0, 0.0])
    assert out["orders"].tolist() == [2, 1, 2, 0]
    np.testing.assert_allclose(out["profit"], [63.0, 5.0, 544.5, -7.5])


def test_customer_profit_cost_to_serve_column(log):
    frame = log.assign(handling=[1.0, 1.0, 2.0, 0.5, 3.0, 3.0])
    out = profit.customer_profit(frame, margin_rate=1.0, cost_to_serve_column="handling")
    np.testing.assert_allclose(out["cost_to_serve"], [4.0, 0.5, 6.0])
    np.testing.assert_allclose(out["profit"], [176.0, 9.5, 1193.0])


def test_inputchecks_customer_profit(log):
    with pytest.raises(DataError, match=r"margin_rate must lie in \[0, 1\], got 1.5"):
        profit.customer_profit(log, margin_rate=1.5)
    with pytest.raises(DataError, match=r"margin_rate must lie in \[0, 1\], got -0.1"):
        profit.customer_profit(log, margin_rate=-0.1)
    with pytest.raises(DataError, match="give exactly one of margin_rate"):
        profit.customer_profit(log, margin_rate=0.3, cost_column="cost")
    with pytest.raises(DataError, match="column 'revenue' \\(amount\\) not found"):
        profit.customer_profit(log, margin_rate=0.3, amount_column="revenue")
    with pytest.raises(DataError, match="cost_to_serve_per_order must be a non-negative"):
        profit.customer_profit(log, margin_rate=0.3, cost_to_serve_per_order=-1)
    with pytest.raises(DataError, match="needs `contacts`"):
        profit.customer_profit(log, margin_rate=0.3, cost_to_serve_per_contact=1.0)
    with pytest.raises(DataError, match="no transactions between 2021-01-01 and 2021-02-01"):
        profit.customer_profit(log, margin_rate=0.3, start="2021-01-01", end="2021-02-01")
    bad = log.assign(amount=[1.0, np.nan, 2.0, 3.0, 4.0, 5.0])
    with pytest.raises(DataError, match="column 'amount' is missing or not a finite number in 1 rows"):
        profit.customer_profit(bad, margin_rate=0.3)


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
    assert c["top_20pct_share"] == pytest.approx(0.5)
    assert c["top_40pct_share"] == pytest.approx(0.8)
    assert c["whale_peak_pct"] == pytest.approx(110.0)
    assert c["whale_peak_customer_pct"] == pytest.approx(80.0)
    # top 10% of 5 customers = ceil(0.5) = the best customer
    assert profit.concentration(PROFITS)["top_10pct_share"] == pytest.approx(0.5)


def test_gini_against_pairwise_definition():
    rng = np.random.default_rng(3)
    for x in (PROFITS.to_numpy(), rng.lognormal(2, 1.2, 301), np.array([0.0, 0.0, 0.0, 10.0])):
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


# ---------------------------------------------------------------- cost-benefit, ROI, payback


def test_evaluate_programme_by_hand_undiscounted():
    lines = pd.DataFrame(
        {
            "item": ["system", "y1", "y2", "y3"],
            "kind": ["cost", "revenue", "revenue", "revenue"],
            "amount": [100.0, 30.0, 50.0, 60.0],
            "period": [0, 1, 2, 3],
        }
    )
    ev = profit.evaluate_programme(lines)
    assert ev.total_cost == 100.0 and ev.total_revenue == 140.0
    assert ev.benefit_cost_ratio == pytest.approx(1.4)
    assert ev.roi == pytest.approx(0.4)
    # cumulative -100, -70, -20, +40 -> 2 + 20 / 60 periods
    assert ev.payback_period == pytest.approx(2 + 20 / 60)
    np.testing.assert_allclose(ev.by_period["cumulative_pv_net"], [-100, -70, -20, 40])


def test_evaluate_programme_by_hand_discounted_and_not_paid_back():
    lines = pd.DataFrame({"kind": ["cost", "revenue", "revenue"], "amount": [100.0, 55.0, 60.5], "period": [0, 1, 2]})
    ev = profit.evaluate_programme(lines, discount_rate=0.1)
    # PV revenue = 50 + 50 = 100 -> NPV 0, paid back exactly at the end of period 2
    assert ev.total_revenue == pytest.approx(100.0)
    assert ev.net_benefit == pytest.approx(0.0, abs=1e-9)
    assert ev.payback_period == pytest.approx(2.0)
    short = profit.evaluate_programme(lines.iloc[:2], discount_rate=0.1)
    assert short.payback_period is None
    assert short.summary().loc["payback period (periods)", "value"] == np.inf


def test_evaluate_programme_on_thesis_table4_printed_totals():
    # Table 4 of the S-company thesis prints total cost 6,741,373 and total revenue 6,987,106 (yuan)
    # and a "cost-benefit ratio = total revenue / total cost = 1.18"; the totals give 1.036.
    lines = pd.DataFrame({"kind": ["cost", "revenue"], "amount": [6741373.0, 6987106.0]})
    ev = profit.evaluate_programme(lines)
    assert ev.benefit_cost_ratio == pytest.approx(6987106 / 6741373)
    assert round(ev.benefit_cost_ratio, 3) == 1.036
    assert ev.payback_period == 0.0


def test_inputchecks_evaluate_programme():
    with pytest.raises(DataError, match="column 'kind' must be 'cost' or 'revenue'; rows \\[1\\]"):
        profit.evaluate_programme(pd.DataFrame({"kind": ["cost", "benefit"], "amount": [1.0, 2.0]}))
    with pytest.raises(DataError, match="column 'amount' is negative in 1 rows"):
        profit.evaluate_programme(pd.DataFrame({"kind": ["cost", "revenue"], "amount": [1.0, -2.0]}))
    with pytest.raises(DataError, match="column 'period' must hold whole periods >= 0"):
        profit.evaluate_programme(pd.DataFrame({"kind": ["cost"], "amount": [1.0], "period": [0.5]}))
    with pytest.raises(DataError, match="total cost is 0"):
        profit.evaluate_programme(pd.DataFrame({"kind": ["revenue"], "amount": [1.0]}))


# ---------------------------------------------------------------- difference-in-differences


def _panel(seed, effect=3.0, units=300, periods=4):
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(units), periods)
    t = np.tile(np.arange(periods), units)
    treated = (unit < units // 2).astype(int)
    post = (t >= periods // 2).astype(int)
    alpha_i = rng.normal(0, 2, units)[unit] + 1.5 * treated
    y = 10 + alpha_i + 0.8 * post + effect * treated * post + rng.normal(0, 1.5, unit.size)
    return pd.DataFrame({"unit": unit, "period": t, "treated": treated, "post": post, "profit": y})


def test_did_equals_direct_lstsq_and_cell_means():
    df = _panel(11)
    res = profit.difference_in_differences(df, "profit", "treated", "post", cluster="unit")
    X = np.column_stack([np.ones(len(df)), df.treated, df.post, df.treated * df.post])
    beta, *_ = np.linalg.lstsq(X, df.profit.to_numpy(), rcond=None)
    assert res.estimate == pytest.approx(beta[3], rel=1e-10)
    m = df.groupby(["treated", "post"])["profit"].mean()
    assert res.estimate == pytest.approx((m[1, 1] - m[1, 0]) - (m[0, 1] - m[0, 0]), rel=1e-10)
    assert res.cell_means.loc["treated - control", "post - pre"] == pytest.approx(res.estimate)
    assert res.n_obs == len(df) and res.n_clusters == 300


def test_did_standard_errors_against_hand_sandwich():
    df = _panel(12, units=80)
    X = np.column_stack([np.ones(len(df)), df.treated, df.post, df.treated * df.post])
    y = df.profit.to_numpy()
    n, k = X.shape
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    e = y - X @ beta
    bread = np.linalg.inv(X.T @ X)
    # HC1: n / (n - k) * (X'X)^-1 X' diag(e^2) X (X'X)^-1
    hc1 = n / (n - k) * bread @ (X.T * e**2) @ X @ bread
    res = profit.difference_in_differences(df, "profit", "treated", "post")
    assert res.cov_type == "HC1"
    assert res.std_error == pytest.approx(np.sqrt(hc1[3, 3]), rel=1e-8)
    # CR1: G/(G-1) (n-1)/(n-k) * (X'X)^-1 sum_g X_g' e_g e_g' X_g (X'X)^-1
    scores = pd.DataFrame(X * e[:, None]).groupby(df.unit.to_numpy()).sum().to_numpy()
    G = scores.shape[0]
    cr1 = G / (G - 1) * (n - 1) / (n - k) * bread @ (scores.T @ scores) @ bread
    resc = profit.difference_in_differences(df, "profit", "treated", "post", cluster="unit")
    assert resc.std_error == pytest.approx(np.sqrt(cr1[3, 3]), rel=1e-8)


def test_did_recovers_known_effect_within_ci():
    reps = 200
    covered = 0
    for seed in range(reps):
        res = profit.difference_in_differences(
            _panel(100 + seed, effect=3.0, units=100), "profit", "treated", "post", cluster="unit"
        )
        covered += res.ci_low <= 3.0 <= res.ci_high
    # nominal 95 %: binomial sd of the coverage over 200 runs is 0.015; allow 3 sd
    assert 0.95 - 3 * 0.0154 <= covered / reps <= 0.95 + 3 * 0.0154
    res = profit.difference_in_differences(
        _panel(5, effect=3.0, units=2000), "profit", "treated", "post", cluster="unit"
    )
    assert abs(res.estimate - 3.0) < 4 * res.std_error
    assert res.summary().loc["treated x post", "estimate"] == res.estimate


def test_inputchecks_did():
    df = _panel(1, units=10)
    with pytest.raises(DataError, match="column 'treated' must be 0/1"):
        profit.difference_in_differences(df.assign(treated=df.treated * 2), "profit", "treated", "post")
    with pytest.raises(DataError, match="the cell 'treated, post'"):
        profit.difference_in_differences(df.loc[~((df.treated == 1) & (df.post == 1))], "profit", "treated", "post")
    with pytest.raises(DataError, match="column 'sales' \\(outcome\\) not found"):
        profit.difference_in_differences(df, "sales", "treated", "post")


def test_inputchecks_did_degenerate_designs():
    df = _panel(2, units=20)
    with pytest.raises(DataError, match="the regressors \\['treated', 'post', 'treated:post', 'x'\\] are collinear"):
        profit.difference_in_differences(df.assign(x=2.0 * df.treated), "profit", "treated", "post", covariates=["x"])
    with pytest.raises(DataError, match="column 'one' holds a single cluster"):
        profit.difference_in_differences(df.assign(one=1), "profit", "treated", "post", cluster="one")
    tiny = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "treated": [0, 0, 1, 1], "post": [0, 1, 0, 1]})
    with pytest.raises(DataError, match="4 rows for 4 coefficients leave no residual degrees of freedom"):
        profit.difference_in_differences(tiny, "y", "treated", "post", cov_type="nonrobust")
    # a cell with one row has leverage 1: HC3 divides by zero, which must not come back as a NaN interval
    one = pd.DataFrame(
        {"y": [1.0, 2, 3, 2, 3, 4, 5, 6, 7, 9], "treated": [0] * 6 + [1] * 4, "post": [0, 0, 0, 1, 1, 1, 0, 0, 0, 1]}
    )
    with (
        pytest.warns(RuntimeWarning),
        pytest.raises(ConvergenceError, match="standard error .* is nan under cov_type='HC3'"),
    ):
        profit.difference_in_differences(one, "y", "treated", "post", cov_type="HC3")
    assert np.isfinite(profit.difference_in_differences(one, "y", "treated", "post", cov_type="HC1").std_error)


# ---------------------------------------------------------------- aggregate tables


def test_thesis_table2_is_a_descriptive_table_as_printed():
    t = profit.thesis_profit_rate_table()
    assert t.kind == "descriptive"
    assert "no standard error, confidence interval or test is possible" in t.note
    tab = t.table
    assert tab.loc["boom", ["with", "without", "difference"]].tolist() == [26.0, 22.0, 4.0]
    assert tab.loc["recession", ["with", "without", "difference"]].tolist() == [8.0, 10.0, -2.0]
    assert tab.loc["difference of differences", "difference"] == 6.0


def test_with_without_table_general():
    t = profit.with_without_table(
        pd.DataFrame({"with": [5.0, 6.0, 7.0], "without": [1.0, 1.0, 1.0]}, index=["a", "b", "c"])
    )
    assert t.table["difference"].tolist() == [4.0, 5.0, 6.0]
    assert "difference of differences" not in t.table.index  # only defined for two conditions
    with pytest.raises(DataError, match="column 'without' \\(without\\) not found"):
        profit.with_without_table(pd.DataFrame({"with": [1.0]}))


def test_profit_panel_by_hand(log):
    panel = profit.profit_panel(
        log,
        {"q1": ("2020-01-01", "2020-02-29"), "q2": ("2020-03-01", "2020-06-30")},
        margin_rate=0.5,
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
        profit.profit_panel(log, {"x": ("2030-01-01", "2030-02-01")}, margin_rate=0.5)
