"""crmlib.programme: cost-benefit, ROI, payback, difference-in-differences, with/without tables.

Oracles: payback and NPV by hand; the difference-in-differences against a direct
least-squares solution (numpy lstsq), the four cell means, hand-built HC1 and CR1
sandwich errors, and a simulation with a known effect; the thesis's Table 2 as printed.
"""

import numpy as np
import pandas as pd
import pytest

from crmlib import datasets, programme
from crmlib.exceptions import ConvergenceError, DataError

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
    ev = programme.evaluate_programme(lines)
    assert ev.total_cost == 100.0 and ev.total_revenue == 140.0
    assert ev.benefit_cost_ratio == pytest.approx(1.4)
    assert ev.roi == pytest.approx(0.4)
    # cumulative -100, -70, -20, +40 -> 2 + 20 / 60 periods
    assert ev.payback_period == pytest.approx(2 + 20 / 60)
    np.testing.assert_allclose(ev.by_period["cumulative_pv_net"], [-100, -70, -20, 40])


def test_evaluate_programme_by_hand_discounted_and_not_paid_back():
    lines = pd.DataFrame({"kind": ["cost", "revenue", "revenue"], "amount": [100.0, 55.0, 60.5], "period": [0, 1, 2]})
    ev = programme.evaluate_programme(lines, discount_rate=0.1)
    # PV revenue = 50 + 50 = 100 -> NPV 0, paid back exactly at the end of period 2
    assert ev.total_revenue == pytest.approx(100.0)
    assert ev.net_benefit == pytest.approx(0.0, abs=1e-9)
    assert ev.payback_period == pytest.approx(2.0)
    short = programme.evaluate_programme(lines.iloc[:2], discount_rate=0.1)
    assert short.payback_period is None
    assert short.summary().loc["payback period (periods)", "value"] == np.inf


def test_evaluate_programme_on_thesis_table4_printed_totals():
    # Table 4 of the S-company thesis prints total cost 6,741,373 and total revenue 6,987,106 (yuan)
    # and a "cost-benefit ratio = total revenue / total cost = 1.18"; the totals give 1.036.
    lines = pd.DataFrame({"kind": ["cost", "revenue"], "amount": [6741373.0, 6987106.0]})
    ev = programme.evaluate_programme(lines)
    assert ev.benefit_cost_ratio == pytest.approx(6987106 / 6741373)
    assert round(ev.benefit_cost_ratio, 3) == 1.036
    assert ev.payback_period == 0.0


def test_inputchecks_evaluate_programme():
    with pytest.raises(DataError, match="column 'kind' must be 'cost' or 'revenue'; rows \\[1\\]"):
        programme.evaluate_programme(pd.DataFrame({"kind": ["cost", "benefit"], "amount": [1.0, 2.0]}))
    with pytest.raises(DataError, match="column 'amount' is negative in 1 row \\(e.g. \\[1\\]\\)"):
        programme.evaluate_programme(pd.DataFrame({"kind": ["cost", "revenue"], "amount": [1.0, -2.0]}))
    with pytest.raises(DataError, match="column 'period' must hold whole periods >= 0"):
        programme.evaluate_programme(pd.DataFrame({"kind": ["cost"], "amount": [1.0], "period": [0.5]}))
    with pytest.raises(DataError, match="total cost is 0"):
        programme.evaluate_programme(pd.DataFrame({"kind": ["revenue"], "amount": [1.0]}))


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
    res = programme.difference_in_differences(df, "profit", "treated", "post", cluster="unit")
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
    res = programme.difference_in_differences(df, "profit", "treated", "post")
    assert res.cov_type == "HC1"
    assert res.std_error == pytest.approx(np.sqrt(hc1[3, 3]), rel=1e-8)
    # CR1: G/(G-1) (n-1)/(n-k) * (X'X)^-1 sum_g X_g' e_g e_g' X_g (X'X)^-1
    scores = pd.DataFrame(X * e[:, None]).groupby(df.unit.to_numpy()).sum().to_numpy()
    G = scores.shape[0]
    cr1 = G / (G - 1) * (n - 1) / (n - k) * bread @ (scores.T @ scores) @ bread
    resc = programme.difference_in_differences(df, "profit", "treated", "post", cluster="unit")
    assert resc.std_error == pytest.approx(np.sqrt(cr1[3, 3]), rel=1e-8)


def test_did_recovers_known_effect_within_ci():
    reps = 200
    covered = 0
    for seed in range(reps):
        res = programme.difference_in_differences(
            _panel(100 + seed, effect=3.0, units=100), "profit", "treated", "post", cluster="unit"
        )
        covered += res.lower <= 3.0 <= res.upper
    # nominal 95 %: binomial sd of the coverage over 200 runs is 0.015; allow 3 sd
    assert 0.95 - 3 * 0.0154 <= covered / reps <= 0.95 + 3 * 0.0154
    res = programme.difference_in_differences(
        _panel(5, effect=3.0, units=2000), "profit", "treated", "post", cluster="unit"
    )
    assert abs(res.estimate - 3.0) < 4 * res.std_error
    assert res.summary().loc["treated x post", "estimate"] == res.estimate


def _noise_panel(units: int, sigma: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "customer_id": np.repeat(np.arange(units), 2),
            "window_index": np.tile([0, 1], units),
            "profit": 10 + rng.normal(scale=sigma, size=2 * units),
        }
    )


def test_correctness_did_recovery_against_the_analytic_standard_error():
    # iid N(0, sigma^2) profits: each unit's change has variance 2 sigma^2, so the estimate (difference of the
    # mean changes of two halves of 1,000 units) has SD sqrt(2 sigma^2 (1/500 + 1/500)) = 0.2 for sigma = 1.58
    sigma = np.sqrt(0.04 / (2 * (1 / 500 + 1 / 500)))
    study = programme.did_recovery(_noise_panel(1000, sigma, 1), effect=3.0, n_runs=120, seed=2)
    row = study.loc["effect"]
    assert row["true_effect"] == 3.0 and abs(row["bias"]) < 3 * row["bias_mcse"]
    assert row["mean_se"] == pytest.approx(0.2, rel=0.03)  # the cluster-robust SE is the right size
    assert 0.8 < row["sd_estimate"] / 0.2 < 1.2  # spread over 120 runs: relative SE of an SD about 6.5%
    assert abs(row["coverage"] - 0.95) < 3 * np.sqrt(0.95 * 0.05 / 120)


def test_consistency_did_recovery_first_run_is_one_simulated_treatment():
    panel = _noise_panel(300, 2.0, 4)
    study = programme.did_recovery(panel, effect=1.5, n_runs=3, seed=9)
    sim = programme.simulate_treatment(panel, effect=1.5, seed=np.random.default_rng(9))
    one = programme.difference_in_differences(sim, "y", "treated", "post", cluster="customer_id")
    first = study.attrs["runs"].loc[1]
    assert (first["estimate"], first["se"]) == (pytest.approx(one.estimate, abs=1e-12), pytest.approx(one.std_error))
    runs = study.attrs["runs"]
    assert study.loc["effect", "coverage"] == pytest.approx(np.mean((runs["lower"] <= 1.5) & (1.5 <= runs["upper"])))


def test_inputchecks_did_recovery():
    with pytest.raises(DataError, match="n_runs"):
        programme.did_recovery(_noise_panel(50, 1.0, 1), effect=1.0, n_runs=1, seed=1)
    with pytest.raises(DataError, match="effect must be a finite number"):
        programme.did_recovery(_noise_panel(50, 1.0, 1), effect=float("nan"), n_runs=2, seed=1)


def test_inputchecks_did():
    df = _panel(1, units=10)
    with pytest.raises(DataError, match="column 'treated' must be 0/1"):
        programme.difference_in_differences(df.assign(treated=df.treated * 2), "profit", "treated", "post")
    with pytest.raises(DataError, match="the cell 'treated, post'"):
        programme.difference_in_differences(df.loc[~((df.treated == 1) & (df.post == 1))], "profit", "treated", "post")
    with pytest.raises(DataError, match="difference_in_differences has no column\\(s\\) \\['sales'\\]"):
        programme.difference_in_differences(df, "sales", "treated", "post")


def test_inputchecks_did_degenerate_designs():
    df = _panel(2, units=20)
    with pytest.raises(DataError, match="the regressors \\['treated', 'post', 'treated:post', 'x'\\] are collinear"):
        programme.difference_in_differences(
            df.assign(x=2.0 * df.treated), "profit", "treated", "post", covariates=["x"]
        )
    with pytest.raises(DataError, match="column 'one' holds a single cluster"):
        programme.difference_in_differences(df.assign(one=1), "profit", "treated", "post", cluster="one")
    tiny = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "treated": [0, 0, 1, 1], "post": [0, 1, 0, 1]})
    with pytest.raises(DataError, match="4 rows for 4 coefficients leave no residual degrees of freedom"):
        programme.difference_in_differences(tiny, "y", "treated", "post", cov_type="nonrobust")
    # a cell with one row has leverage 1: HC3 divides by 1 - 1, which must not come back as a number
    # (statsmodels gives NaN or, after rounding, an arbitrary finite value: 10.07 with numpy 2.4)
    one = pd.DataFrame(
        {"y": [1.0, 2, 3, 2, 3, 4, 5, 6, 7, 9], "treated": [0] * 6 + [1] * 4, "post": [0, 0, 0, 1, 1, 1, 0, 0, 0, 1]}
    )
    with pytest.raises(
        ConvergenceError, match="not defined under cov_type='HC3': 1 row\\(s\\) have leverage 1 \\(rows \\[9\\]"
    ):
        programme.difference_in_differences(one, "y", "treated", "post", cov_type="HC3")
    assert np.isfinite(programme.difference_in_differences(one, "y", "treated", "post", cov_type="HC1").std_error)


# ---------------------------------------------------------------- aggregate tables


def test_thesis_table2_is_a_descriptive_table_as_printed():
    t = programme.with_without_table(datasets.load_thesis_profit_rates())
    assert t.kind == "descriptive"
    assert "no standard error, confidence interval or test is possible" in t.note
    tab = t.table
    assert tab.loc["boom", ["with", "without", "difference"]].tolist() == [26.0, 22.0, 4.0]
    assert tab.loc["recession", ["with", "without", "difference"]].tolist() == [8.0, 10.0, -2.0]
    assert tab.loc["difference of differences", "difference"] == 6.0


def test_with_without_table_general():
    t = programme.with_without_table(
        pd.DataFrame({"with": [5.0, 6.0, 7.0], "without": [1.0, 1.0, 1.0]}, index=["a", "b", "c"])
    )
    assert t.table["difference"].tolist() == [4.0, 5.0, 6.0]
    assert "difference of differences" not in t.table.index  # only defined for two conditions
    with pytest.raises(DataError, match="with_without_table has no column\\(s\\) \\['without'\\]"):
        programme.with_without_table(pd.DataFrame({"with": [1.0]}))


def test_evaluate_programme_monthly_periods_use_the_annual_rate():
    lines = pd.DataFrame({"kind": ["cost", "revenue"], "amount": [100.0, 110.0], "period": [0, 12]})
    ev = programme.evaluate_programme(lines, discount_rate=0.10, periods_per_year=12)
    # 12 months at 10 % a year: 110 / 1.1 = 100 -> NPV 0
    assert ev.total_revenue == pytest.approx(100.0) and ev.net_benefit == pytest.approx(0.0, abs=1e-9)
    assert ev.by_period["discount_factor"].iloc[1] == pytest.approx(1.1 ** (-1 / 12))


def test_simulate_treatment_recovers_the_known_effect_and_placebo():
    panel = _panel(7, effect=0.0, units=400).rename(columns={"unit": "customer_id", "post": "window_index"})
    runs = {}
    for effect in (0.0, 5.0):
        sim = programme.simulate_treatment(panel, effect=effect, seed=3)
        assert sim.attrs["simulated"] and sim["treated"].groupby(sim["customer_id"]).nunique().max() == 1
        assert sim.drop_duplicates("customer_id")["treated"].sum() == 200
        runs[effect] = programme.difference_in_differences(sim, "y", "treated", "post", cluster="customer_id")
    assert runs[5.0].estimate - runs[0.0].estimate == pytest.approx(5.0)  # same units treated under one seed
    assert runs[5.0].lower <= 5.0 <= runs[5.0].upper
    assert runs[0.0].summary().attrs["level"] == 0.95
