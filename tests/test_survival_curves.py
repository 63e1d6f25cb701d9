"""crmlib.survival.curves: Kaplan-Meier, log-rank and cohort tables against lifelines called directly."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from lifelines import KaplanMeierFitter  # noqa: E402
from lifelines.statistics import multivariate_logrank_test, pairwise_logrank_test  # noqa: E402
from lifelines.utils import median_survival_times  # noqa: E402

from crmlib.exceptions import DataError, DataWarning  # noqa: E402
from crmlib.survival import (  # noqa: E402
    KaplanMeierBySegment,
    cohort_activity_table,
    cohort_survival_table,
    from_contracts,
    logrank,
    period_rates,
    plot_cohort_heatmap,
    simulate_contracts,
)


@pytest.fixture(scope="module")
def contracts():
    c = simulate_contracts(1500, seed=7)
    return from_contracts(c, observation_end=c.attrs["observation_end"])


def test_kaplan_meier_by_segment_equals_lifelines_direct(contracts):
    km = KaplanMeierBySegment(level=0.9).fit(contracts, segment="plan")
    summ = km.summary(horizons=[180, 365])
    for plan in ["basic", "plus", "premium"]:
        part = contracts[contracts["plan"] == plan]
        ref = KaplanMeierFitter(alpha=0.1).fit(part["duration"], part["churned"])
        ours = km.fitters_[plan]
        np.testing.assert_allclose(ours.survival_function_.to_numpy(), ref.survival_function_.to_numpy())
        np.testing.assert_allclose(ours.confidence_interval_.to_numpy(), ref.confidence_interval_.to_numpy())
        assert summ.loc[plan, "customers"] == len(part)
        assert summ.loc[plan, "churned"] == part["churned"].sum()
        assert summ.loc[plan, "S(365)"] == pytest.approx(ref.predict(365))
        assert summ.loc[plan, "median"] == ref.median_survival_time_
        lo_hi = np.asarray(median_survival_times(ref.confidence_interval_))[0]
        assert summ.loc[plan, "median_lower"] == lo_hi[0]
        band = ref.confidence_interval_survival_function_
        at = band.loc[band.index <= 180].iloc[-1]
        assert summ.loc[plan, "S(180)_lower"] == pytest.approx(at.iloc[0])
        assert summ.loc[plan, "S(180)_upper"] == pytest.approx(at.iloc[1])


def test_segment_without_events_warns_and_median_is_inf():
    d = pd.DataFrame({"duration": [1.0, 2, 3, 4, 5, 6], "churned": [1, 1, 0, 0, 0, 0], "seg": list("aabbbb")})
    with pytest.warns(DataWarning, match=r"segment 'b' has no churn events \(4 customers, all censored\)"):
        km = KaplanMeierBySegment().fit(d, segment="seg")
    assert km.no_event_segments_ == ["b"]
    assert np.isinf(km.summary().loc["b", "median"])


def test_inputchecks_missing_segment_values_named():
    d = pd.DataFrame({"duration": [1.0, 2, 3], "churned": [1, 1, 0], "seg": ["a", None, "b"]})
    with pytest.raises(DataError, match=r"column 'seg': no segment in 1 row \(e.g. \[1\]\)"):
        KaplanMeierBySegment().fit(d, segment="seg")


def test_logrank_equals_lifelines_multivariate_and_pairwise(contracts):
    overall, pairwise = logrank(contracts, "plan")
    ref = multivariate_logrank_test(contracts["duration"], contracts["plan"].astype(str), contracts["churned"])
    assert overall.loc[0, "test_statistic"] == pytest.approx(ref.test_statistic)
    assert overall.loc[0, "p"] == pytest.approx(ref.p_value)
    assert overall.loc[0, "df"] == 2 and overall.loc[0, "customers"] == len(contracts)
    pw = pairwise_logrank_test(contracts["duration"], contracts["plan"].astype(str), contracts["churned"]).summary
    np.testing.assert_allclose(pairwise["p"].to_numpy(), pw["p"].to_numpy())
    # Holm: the smallest p times the number of pairs (capped at 1)
    assert pairwise["p_holm"].min() == pytest.approx(min(1.0, 3 * pairwise["p"].min()))


def test_inputchecks_logrank_needs_two_segments(contracts):
    with pytest.raises(DataError, match="at least two segments, found 1"):
        logrank(contracts.assign(one="x"), "one")


def test_cohort_survival_table_is_km_per_cohort_and_masks_unobserved(contracts):
    tab = cohort_survival_table(contracts, period_days=90, periods=12)
    first = tab.index[0]
    part = contracts[contracts["cohort"] == first]
    ref = KaplanMeierFitter().fit(part["duration"], part["churned"])
    assert tab.loc[first, "customers"] == len(part)
    assert tab.loc[first, 4] == pytest.approx(ref.predict(360.0))
    # the last cohort (started in 2023-12) can be followed about 1 year to 2024-12-31, not 12 x 90 days
    last = tab.index[-1]
    follow = (contracts.attrs["observation_end"] - contracts.loc[contracts["cohort"] == last, "start"].max()).days
    assert tab.loc[last, [k for k in range(13) if k * 90 <= follow]].notna().all()
    assert tab.loc[last, [k for k in range(13) if k * 90 > follow]].isna().all()


def test_cohort_activity_table_hand_made_log():
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 2, 3],
            "date": pd.to_datetime(
                ["2020-01-05", "2020-02-10", "2020-02-20", "2020-01-20", "2020-03-01", "2020-02-03"]
            ),
        }
    )
    tab = cohort_activity_table(log, observation_end="2020-03-31")
    jan, feb = pd.Period("2020-01", "M"), pd.Period("2020-02", "M")
    assert tab.loc[jan, "customers"] == 2 and tab.loc[feb, "customers"] == 1
    assert tab.loc[jan, 0] == 1.0 and tab.loc[jan, 1] == 0.5 and tab.loc[jan, 2] == 0.5
    assert tab.loc[feb, 1] == 0.0
    assert np.isnan(tab.loc[feb, 2])  # April is not observed
    # observation end inside March: March is not a full period, so period 2 of January is unobserved
    assert np.isnan(cohort_activity_table(log, observation_end="2020-03-15").loc[jan, 2])


def test_period_rates_hand_computed():
    d = pd.DataFrame({"duration": [5.0, 15, 15, 25, 45, 40], "churned": [1, 1, 0, 1, 0, 1]})
    tab = period_rates(d, period_days=10, periods=4)
    # period 1 (0,10]: 6 at risk, 1 churn -> r = 5/6; period 2 (10,20]: 5 at risk, 1 churn -> r = 4/5
    # period 3 (20,30]: 3 at risk, 1 churn -> 2/3; period 4 (30,40]: 2 at risk (40, 45), 1 churn -> 1/2
    np.testing.assert_allclose(tab["retention_rate"], [5 / 6, 4 / 5, 2 / 3, 1 / 2])
    np.testing.assert_allclose(tab["churn_rate"], [1 / 6, 1 / 5, 1 / 3, 1 / 2])
    assert tab["at_risk"].tolist() == [6, 5, 3, 2] and tab["churned"].tolist() == [1, 1, 1, 1]


def test_plots_label_axes_with_units(contracts):
    km = KaplanMeierBySegment().fit(contracts, segment="plan")
    ax = km.plot()
    assert ax.get_xlabel() == "Time since start (days)" and ax.get_ylabel() == "Customers retained (%)"
    # censoring marks: one tick per time with censored customers, on the curve of its segment
    marks = [line for line in ax.get_lines() if line.get_marker() == "|"]
    expect = [int((k.event_table["censored"] > 0).sum()) for k in km.fitters_.values()]
    assert [len(m.get_xdata()) for m in marks] == expect and sum(expect) > 0
    # numbers at risk under the axis (lifelines add_at_risk_counts): at time 0 every customer of a segment
    table = [a for a in ax.figure.axes if a is not ax]
    assert table, "no at-risk table"
    first = [t.get_text() for t in table[0].get_xticklabels()][0]  # "At risk\n<segment 1>\n<segment 2>..."
    assert [int(v) for v in re.findall(r"\d+", first)] == [int(n) for n in km.counts_["customers"]]
    plt.close(ax.figure)
    ax = km.plot(censors=False, at_risk=False)
    assert len(ax.figure.axes) == 1 and not [line for line in ax.get_lines() if line.get_marker() == "|"]
    plt.close(ax.figure)
    ax = plot_cohort_heatmap(
        cohort_survival_table(contracts, period_days=90, periods=8),
        period_label="Quarters since acquisition (90-day periods)",
    )
    assert "90-day" in ax.get_xlabel() and ax.get_ylabel() == "Acquisition cohort"
    plt.close(ax.figure)


def test_cohort_table_of_transaction_data_stops_at_the_last_observable_churn():
    """Churn dated at the last purchase is only known w days later: cells beyond obs_end - w are unobserved."""
    from crmlib.datasets import load_cdnow
    from crmlib.survival import from_transactions

    log = load_cdnow("sample")
    w = 180
    lp = from_transactions(log, w)
    tab = cohort_survival_table(lp, period_days=30, periods=17)
    reach = (lp.attrs["last_observable_churn"] - lp.groupby("cohort")["start"].max()).dt.days + 1
    for cohort, r in reach.items():
        row = tab.loc[cohort, list(range(18))]
        assert row[[k for k in range(18) if 30 * k <= r]].notna().all()
        assert row[[k for k in range(18) if 30 * k > r]].isna().all()
    la = from_transactions(log, w, event_at="lapse")  # churn dated when known: follow-up to the observation end
    assert (
        cohort_survival_table(la, period_days=30, periods=17).iloc[:, 1:].notna().sum().sum()
        > tab.iloc[:, 1:].notna().sum().sum()
    )


def test_retention_table_folds_estimate_and_bounds_by_hand():
    from crmlib.survival import retention_table

    t = pd.DataFrame(
        {
            "customers": [10],
            "median": [5.0],
            "median_lower": [4.0],
            "median_upper": [np.inf],
            "S(90)": [0.5],
            "S(90)_lower": [0.25],
            "S(90)_upper": [0.75],
        }
    )
    out = retention_table(t, median_digits=2, digits=2)
    assert list(out.columns) == ["customers", "median (95% CI)", "S(90) (95% CI)"]
    assert out.iloc[0, 1] == "5.00 (4.00-not reached)" and out.iloc[0, 2] == "0.50 (0.25-0.75)"
    whole = retention_table(t)  # medians in whole days, shares with three decimals
    assert whole.iloc[0, 1] == "5 (4-not reached)" and whole.iloc[0, 2] == "0.500 (0.250-0.750)"


def test_inputchecks_km_plot_time_unit_is_the_time_vocabulary(contracts):
    """time_unit takes crmlib.spec's words ("day", "week", "month") or a number of days, as everywhere else."""
    km = KaplanMeierBySegment().fit(contracts, segment="plan")
    ax = km.plot(time_unit="week", censors=False, at_risk=False)
    assert ax.get_xlabel() == "Time since start (weeks)"
    plt.close(ax.figure)
    for bad in ("days", "W"):
        with pytest.raises(DataError, match=f"time_unit must be one of .* got '{bad}'"):
            km.plot(time_unit=bad, censors=False, at_risk=False)
    plt.close("all")
