"""The retention reports' helpers: intake of a log with covariates, sBG cohorts, figures, tables and prose.

Oracles: hand-made logs and contracts with known answers; the functions the helpers combine, called
directly (from_transactions, first_purchase_covariates, segment_value, KaplanMeierFitter); simulated
contracts with a known Weibull PH truth for the sBG drift.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from lifelines import KaplanMeierFitter  # noqa: E402

from crmlib import survival as sv  # noqa: E402
from crmlib.exceptions import DataError  # noqa: E402
from crmlib.survival import prose  # noqa: E402

D0 = pd.Timestamp("2020-01-01")


def _log() -> pd.DataFrame:
    spec = {"A": [0, 10, 20], "B": [0, 50, 60], "C": [0, 80], "D": [75, 80], "E": [70], "F": [71]}
    rows = [
        (c, D0 + pd.Timedelta(days=d), 10.0 * (i + 1), 1 + i) for c, days in spec.items() for i, d in enumerate(days)
    ]
    log = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "quantity"])
    log.loc[log["customer_id"] == "F", "amount"] = 0.0  # a zero amount: the intake notes it
    return log


@pytest.fixture(scope="module")
def contracts():
    c = sv.simulate_contracts(2000, seed=5)
    return sv.from_contracts(c, observation_end=c.attrs["observation_end"])


def test_consistency_survival_from_log_is_the_two_intake_calls_joined():
    log = _log()
    sd, covs, notes = sv.survival_from_log(log, 30)
    base = sv.from_transactions(log, 30)
    first = sv.first_purchase_covariates(log)
    pd.testing.assert_frame_equal(sd, base.join(first))
    assert (
        sd.attrs["definition"] == base.attrs["definition"]
        and sd.attrs["observation_end"] == base.attrs["observation_end"]
    )
    assert covs == ["log_first_amount", "first_quantity", "first_month"]
    assert len(notes) == 1 and "1 row" in notes[0] and "zero amount" in notes[0]
    assert sv.survival_from_log(log, 30, quantity=None)[1] == ["log_first_amount", "first_month"]


def test_correctness_sbg_cohort_counts_by_hand():
    """Two cohorts of three contracts: survivors counted by hand at 0, 10, 20, ... days."""
    start = pd.to_datetime(["2020-01-01", "2020-01-05", "2020-01-09", "2020-03-01", "2020-03-02", "2020-03-03"])
    sd = pd.DataFrame({"start": start, "duration": [5.0, 25, 60, 15, 35, 8], "churned": [1, 1, 0, 1, 0, 1]})
    sd.attrs["observation_end"] = pd.Timestamp("2020-04-10")
    counts = sv.sbg_cohort_counts(sd, period_days=10, cohort_days=30)
    first = counts.loc[counts["cohort"] == "2020-01-01 to 2020-01-09", "active"].tolist()
    second = counts.loc[counts["cohort"] == "2020-03-01 to 2020-03-03", "active"].tolist()
    # first cohort: last entry 9 Jan, 92 days to 10 Apr -> 9 periods; durations 5, 25, 60
    assert first == [3, 2, 2, 1, 1, 1, 0, 0, 0, 0]  # 60 days is not more than 6 x 10
    # second: last entry 3 Mar, 38 days -> 3 periods; durations 15, 35, 8
    assert second == [3, 2, 1, 1]
    with pytest.raises(DataError, match="needs column 'start' and attrs"):
        sv.sbg_cohort_counts(sd.drop(columns="start"), period_days=10)


def test_correctness_retention_table_reads_the_kaplan_meier_summary(contracts):
    km = sv.KaplanMeierBySegment().fit(contracts, segment="plan")
    summ = km.summary(horizons=[365])
    table = sv.retention_table(summ)
    kmf = KaplanMeierFitter().fit(
        contracts.loc[contracts["plan"] == "basic", "duration"], contracts.loc[contracts["plan"] == "basic", "churned"]
    )
    assert table.loc["basic", "median (95% CI)"].split(" ")[0] == f"{kmf.median_survival_time_:.0f}"
    s365 = float(kmf.survival_function_at_times(365).iloc[0])
    assert table.loc["basic", "S(365) (95% CI)"].startswith(f"{s365:.3f} (")


def test_correctness_segment_differences_are_segment_minus_pooled(contracts):
    diff = sv.segment_differences(contracts, "plan", [0, 180, 365])
    pooled = KaplanMeierFitter().fit(contracts["duration"], contracts["churned"]).survival_function_at_times([180, 365])
    part = contracts[contracts["plan"] == "premium"]
    own = KaplanMeierFitter().fit(part["duration"], part["churned"]).survival_function_at_times([180, 365])
    got = diff.loc[diff["segment"] == "premium"].set_index("time")
    np.testing.assert_allclose(got.loc[[180.0, 365.0], "difference"], own.to_numpy() - pooled.to_numpy(), atol=1e-12)
    assert (got["lower"] <= got["difference"]).all() and (got["difference"] <= got["upper"]).all()
    assert got.loc[0.0, "difference"] == 0.0
    ax = sv.plot_segment_differences(contracts, "plan", until=365)
    assert len(ax.get_lines()) == 4 and ax.get_ylabel().endswith("(percentage points)")


def test_correctness_sbg_figure_and_elasticity_table(contracts):
    by, _, model = sv.sbg_comparison(contracts, period_days=90, periods=6, fit_periods=3)
    ax = sv.plot_sbg_comparison(by)
    actual, fitted = ax.get_lines()[0], ax.get_lines()[1]
    np.testing.assert_allclose(actual.get_ydata(), 100 * by["S_km"].to_numpy())
    np.testing.assert_allclose(fitted.get_ydata(), 100 * by["S_sbg"].to_numpy())
    assert ax.get_lines()[2].get_xdata()[0] == 3  # the calibration / holdout divider
    el = sv.sbg_elasticity_table(model, discount_rate=0.1, period_days=90, tenures=[1, 4])
    per_year = 365.25 / 90
    assert el.loc[4, "derl"] == pytest.approx(float(model.derl(4, 0.1, periods_per_year=per_year)))
    assert el.loc[1, "elasticity"] == pytest.approx(
        float(model.retention_elasticity(1, 0.1, periods_per_year=per_year))
    )
    d = 1.1 ** (1 / per_year) - 1
    assert el.loc[1, "elasticity_one_rate"] == pytest.approx((1 + d) / (1 + d - el.loc[1, "retention"]))
    with pytest.raises(DataError, match="by_period lacks column"):
        sv.plot_sbg_comparison(by.drop(columns="fitted"))


def test_correctness_sbg_holdout_recovery_shows_the_drift_of_a_weibull_truth():
    """Weibull PH with shape 0.8 and covariates: sBG projects above Kaplan-Meier, more so period by period."""
    drift = sv.sbg_holdout_recovery(6, n=3000, seed=3, period_days=90, periods=8, fit_periods=4)
    assert list(drift.index) == [5, 6, 7, 8] and drift.attrs["n_runs"] == 6
    assert (drift["mean_error"] > 0).all() and drift["mean_error"].is_monotonic_increasing
    assert drift["mean_error"].iloc[-1] > 3 * drift["mean_error_mcse"].iloc[-1]
    text = prose.sbg_sentence(
        sv.sbg_comparison(
            sv.from_contracts(c := sv.simulate_contracts(3000, seed=3), observation_end=c.attrs["observation_end"]),
            period_days=90,
            periods=8,
            fit_periods=4,
        )[0],
        drift,
    )
    assert "systematic drift" in text and f"{drift['mean_error'].iloc[-1]:+.3f}" in text


def test_correctness_segment_value_table_is_segment_value_twice(contracts):
    money = dict(margin_per_day=0.3, horizon_days=365.0, discount_rate=0.1)
    tab = sv.segment_value_table(contracts, segment="plan", n_boot=20, seed=1, **money)
    delta = sv.segment_value(contracts, segment="plan", **money)
    boot = sv.segment_value(contracts, segment="plan", method="bootstrap", n_boot=20, seed=1, **money)
    np.testing.assert_allclose(tab["value"], delta["value"])
    np.testing.assert_allclose(tab["boot_lower"], boot["lower"])
    assert "horizon_days" not in tab.columns and tab.attrs["n"] == len(contracts)


def test_correctness_prose_quotes_the_numbers_of_its_tables(contracts):
    overall, _ = sv.logrank(contracts, "plan")
    text = prose.logrank_sentence(overall, "plan")
    assert f"chi-square {overall.loc[0, 'test_statistic']:.2f} on 2 df, p < 0.001" in text and "differ in" in text
    assert prose.data_paragraph(contracts, "X").startswith(
        f"**Data: X.** 2,000 customers, of whom {int(contracts['churned'].sum()):,} ("
    )
    ph = pd.DataFrame({"violated": [True, False]})
    assert prose.ph_sentence(ph, ["plan"]).startswith(
        "1 of 2 covariates fail"
    ) and "plan as strata" in prose.ph_sentence(ph, ["plan"])
    cal = pd.DataFrame({"A - KM": [0.001, -0.002], "B - KM": [0.1, 0.03]}, index=pd.Index([1.0, 30.0], name="time"))
    aft = pd.DataFrame({"akaike_weight": [0.9, 0.1]}, index=["Weibull", "log-normal"])
    choice = prose.model_choice_paragraph(cal, ph, aft, relied_on="A")
    assert (
        "relies on: A" in choice
        and "0.20 percentage points for the A" in choice
        and "against 10.00 for the B." in choice
    )
    sens = pd.DataFrame(
        {
            "inactivity_days": [60, 365],
            "churn_share": [0.99, 0.5],
            "S(365 d)": [0.01, 0.3],
            "returned_share": [0.4, 0.05],
        }
    )
    assert "with 60 days 99.0% of the customers" in prose.window_sentence(sens, 180)
