"""crmlib.survival: bad input gives a DataError naming the argument, column or rows (issue 14 cases), or the right answer.

Each case asserts the words of the message, or the result against a computation by hand
(a time-zone-aware contract is read at its wall-clock date).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from crmlib.exceptions import DataError, DataWarning
from crmlib.survival import (
    ChurnCox,
    KaplanMeierBySegment,
    cohort_activity_table,
    cohort_survival_table,
    compare_aft,
    customer_value,
    daily_discount_rate,
    design_matrix,
    event_date_comparison,
    first_purchase_covariates,
    from_contracts,
    from_transactions,
    lifecycle_stages,
    logrank,
    period_rates,
    sbg_comparison,
    segment_value,
    simulate_contracts,
    stage_transitions,
    step_at,
    validate_survival,
    window_sensitivity,
)

D0 = pd.Timestamp("2020-01-01")


def _log(n_customers: int = 6) -> pd.DataFrame:
    rows = [(c, D0 + pd.Timedelta(days=d)) for c in range(n_customers) for d in (0, 5 * c, 40 + c)]
    return pd.DataFrame(rows, columns=["customer_id", "date"]).assign(amount=10.0, quantity=1)


@pytest.fixture(scope="module")
def sd() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    n = 200
    return pd.DataFrame(
        {
            "duration": np.ceil(rng.exponential(100, n)),
            "churned": (rng.random(n) < 0.7).astype(int),
            "group": rng.choice(["a", "b"], n),
            "x": rng.normal(size=n),
        }
    )


@pytest.fixture(scope="module")
def contracts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "start": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"]),
            "end": pd.to_datetime(["2020-06-01", None, "2020-04-15"]),
            "cid": [1, 2, 3],
        }
    )


# ---------------------------------------------------------------- negative and non-finite times


@pytest.mark.parametrize("times", [[-1.0], [10.0, -0.5], [np.nan], [np.inf]])
def test_inputchecks_step_at_times(times):
    frame = pd.DataFrame({"S": [1.0, 0.5]}, index=[0.0, 10.0])
    with pytest.raises(DataError, match="times must be"):
        step_at(frame, times)


def test_inputchecks_km_summary_negative_horizon(sd):
    km = KaplanMeierBySegment().fit(sd)
    with pytest.raises(DataError, match="horizons must be >= 0, got -1"):
        km.summary(horizons=[90, -1])


@pytest.mark.parametrize("level", [95, 0, 1, -0.5, "0.95", True])
def test_inputchecks_km_level(sd, level):
    with pytest.raises(DataError, match="level must be"):
        KaplanMeierBySegment(level=level).fit(sd)


def test_inputchecks_km_level_as_percent_gets_a_hint(sd):
    with pytest.raises(DataError, match="for a 95% interval use 0.95"):
        KaplanMeierBySegment(level=95).fit(sd)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"period_days": 0}, "period_days must be > 0, got 0"),
        ({"period_days": -30}, "period_days must be > 0, got -30"),
        ({"periods": -1}, "periods must be >= 1"),
        ({"periods": 2.5}, "periods must be a whole number, got 2.5"),
        ({"periods": 10**9}, "periods must be >= 1 and <= 10,000"),
    ],
)
def test_inputchecks_period_rates(sd, kwargs, words):
    with pytest.raises(DataError, match=words):
        period_rates(sd, **kwargs)


def test_inputchecks_cohort_survival_table_period(sd):
    with pytest.raises(DataError, match="period_days must be > 0, got -1"):
        cohort_survival_table(sd.assign(cohort="c1"), period_days=-1)


def test_inputchecks_infinite_duration_named(sd):
    bad = sd.copy()
    bad.loc[[3, 7], "duration"] = np.inf
    with pytest.raises(DataError, match=r"column 'duration': infinite duration in 2 rows \(e.g. \[3, 7\]\)"):
        KaplanMeierBySegment().fit(bad)


def test_inputchecks_missing_event_named(sd):
    bad = sd.copy().astype({"churned": "float64"})
    bad.loc[5, "churned"] = np.nan
    with pytest.raises(DataError, match=r"column 'churned': event indicator other than 0/1 in 1 row \(e.g. \[5\]\)"):
        validate_survival(bad)


def test_inputchecks_infinite_covariate_named_not_lifelines_infs(sd):
    # lifelines stops with "Infs were detected in the dataset" and names no column or row
    bad = sd.copy()
    bad.loc[[0, 11], "x"] = [np.inf, -np.inf]
    with pytest.raises(DataError, match=r"covariate 'x': infinite value in 2 rows \(e.g. \[0, 11\]\)"):
        ChurnCox().fit(bad, ["x"])
    with pytest.raises(DataError, match="covariate 'x': infinite value in 2 rows"):
        design_matrix(bad, ["x", "group"])


def test_inputchecks_missing_covariate_named(sd):
    bad = sd.copy()
    bad.loc[9, "x"] = np.nan
    with pytest.raises(DataError, match=r"covariate 'x': missing value in 1 row \(e.g. \[9\]\)"):
        ChurnCox().fit(bad, ["x"])


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"level": 1.5}, "level must be in \\(0, 1\\)"),
        ({"significance": 0}, "significance must be in \\(0, 1\\)"),
        ({"penalizer": -0.1}, "penalizer must be >= 0"),
    ],
)
def test_inputchecks_cox_settings(sd, kwargs, words):
    with pytest.raises(DataError, match=words):
        ChurnCox(**kwargs).fit(sd, ["x"])


def test_inputchecks_cox_negative_times_and_quantiles(sd):
    cox = ChurnCox().fit(sd, ["x", "group"])
    with pytest.raises(DataError, match="times must be >= 0, got -5"):
        cox.predict_conditional(sd.head(2), 0.0, [-5.0])
    with pytest.raises(DataError, match="survived_days must be >= 0, got -1"):
        cox.predict_conditional(sd.head(2), -1.0, [5.0])
    with pytest.raises(DataError, match="quantiles must be in \\[0, 1\\], got 1.5"):
        cox.risk_profiles([0.5, 1.5])
    with pytest.raises(DataError, match="ahead must be > 0, got 0"):
        cox.conditional_table(cox.risk_profiles(), survived_days=[0], ahead=0)


def test_inputchecks_compare_aft_sample_needs_a_seed(sd):
    with pytest.raises(DataError, match="max_rows needs a seed .* crmlib draws nothing unseeded"):
        compare_aft(sd, ["x"], max_rows=50)
    with pytest.raises(DataError, match="max_rows must be >= 10"):
        compare_aft(sd, ["x"], max_rows=3, seed=1)
    with pytest.raises(DataError, match="level must be in \\(0, 1\\)"):
        compare_aft(sd, ["x"], level=0.0)


# ---------------------------------------------------------------- value: rates, seeds, levels


@pytest.mark.parametrize(
    "rate, words",
    [
        (
            15,
            "discount_rate is an annual effective rate, a share in \\[0, 1\\) .* got 15 \\(for 15% a year pass 0.15\\)",
        ),
        (-0.1, "discount_rate is an annual effective rate, .* got -0.1"),
        (np.nan, "discount_rate must be an annual rate such as 0.1"),
        (1.0, "discount_rate is an annual effective rate"),
    ],
)
def test_inputchecks_discount_rate(rate, words):
    with pytest.raises(DataError, match=words):
        daily_discount_rate(rate)


def test_daily_discount_rate_is_annual_over_days_per_year():
    assert daily_discount_rate(0.10) == pytest.approx(np.log(1.10) / 365.25, rel=1e-15)
    assert daily_discount_rate(0.0) == 0.0


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"horizon_days": -10}, "horizon_days must be > 0, got -10"),
        ({"horizon_days": np.inf}, "horizon_days must be finite"),
        ({"margin_per_day": np.nan}, "margin_per_day must be a finite number"),
        ({"level": 95}, "level must be in \\(0, 1\\)"),
        ({"method": "bootstrap", "seed": None}, "crmlib draws nothing unseeded"),
        ({"method": "bootstrap", "seed": 1, "n_boot": 5}, "n_boot must be >= 20"),
        ({"method": "jackknife"}, "method must be 'delta' or 'bootstrap'"),
        ({"discount_rate": 10}, "discount_rate is an annual effective rate"),
    ],
)
def test_inputchecks_segment_value(sd, kwargs, words):
    args = {"margin_per_day": 1.0, "horizon_days": 100} | kwargs
    with pytest.raises(DataError, match=words):
        segment_value(sd, **args)


def test_inputchecks_customer_value_negative_survived():
    curves = pd.DataFrame({"a": [1.0, 0.5]}, index=[0.0, 10.0])
    with pytest.raises(DataError, match="survived_days must be >= 0, got -3"):
        customer_value(curves, margin_per_day=1.0, horizon_days=5, survived_days=-3)
    with pytest.raises(DataError, match="horizon_days must be > 0, got 0"):
        customer_value(curves, margin_per_day=1.0, horizon_days=0)


def test_inputchecks_sbg_comparison_rates(sd):
    data = sd.assign(start=D0)
    data.attrs["observation_end"] = D0 + pd.Timedelta(days=2000)
    with pytest.raises(DataError, match="discount_rate is an annual effective rate"):
        sbg_comparison(data, period_days=30, periods=4, fit_periods=2, discount_rate=12)
    with pytest.raises(DataError, match="period_days must be > 0, got -30"):
        sbg_comparison(data, period_days=-30, periods=4, fit_periods=2)
    with pytest.raises(DataError, match="margin_per_period must be a finite number"):
        sbg_comparison(data, period_days=30, periods=4, fit_periods=2, margin_per_period=np.inf)


# ---------------------------------------------------------------- contracts: time zones, ids


def test_time_zone_aware_contracts_use_wall_clock_dates(contracts):
    tz = contracts.assign(
        start=contracts["start"].dt.tz_localize("Asia/Seoul"), end=contracts["end"].dt.tz_localize("Asia/Seoul")
    )
    with pytest.warns(DataWarning, match="column 'start' of contracts has time zone Asia/Seoul"):
        got = from_contracts(tz, observation_end=pd.Timestamp("2020-12-31", tz="Asia/Seoul"))
    plain = from_contracts(contracts, observation_end="2020-12-31")
    np.testing.assert_array_equal(got["duration"], plain["duration"])  # 152, 334, 45 days by hand
    assert got["duration"].tolist() == [152.0, 334.0, 45.0]
    assert got["churned"].tolist() == [1, 0, 1]


def test_inputchecks_contracts_mixing_time_zones_named(contracts):
    mixed = contracts.assign(start=["2020-01-01T00:00+09:00", "2020-02-01T00:00+01:00", "2020-03-01"])
    with pytest.raises(DataError, match="column 'start' cannot be read as one kind of date"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from_contracts(mixed, observation_end="2020-12-31")


def test_inputchecks_contracts_bad_observation_end(contracts):
    with pytest.raises(DataError, match="observation_end must be a date, got 'soon'"):
        from_contracts(contracts, observation_end="soon")


def test_tuple_ids_in_contracts_are_kept_and_checked(contracts):
    c = contracts.assign(cid=[("a", 1), ("a", 2), ("b", 1)])
    out = from_contracts(c, observation_end="2020-12-31", customer_id="cid")
    assert out["cid"].tolist() == [("a", 1), ("a", 2), ("b", 1)]
    dup = contracts.assign(cid=[("a", 1), ("a", 1), ("b", 1)])
    with pytest.raises(DataError, match=r"column 'cid': duplicated customer id in 2 rows \(e.g. \[0, 1\]\)"):
        from_contracts(dup, observation_end="2020-12-31", customer_id="cid")


def test_inputchecks_contract_columns_named(contracts):
    with pytest.raises(DataError, match=r"contracts lacks column\(s\) \['begin'\]"):
        from_contracts(contracts, contract_start="begin", observation_end="2020-12-31")


# ---------------------------------------------------------------- logs


@pytest.mark.parametrize("w", [0, -30, 2.5, "180", None])
def test_inputchecks_inactivity_days(w):
    with pytest.raises(DataError, match="inactivity_days must be a positive whole number of days"):
        from_transactions(_log(), w)


def test_inputchecks_window_sensitivity_negative_horizon():
    with pytest.raises(DataError, match="horizons must be >= 0, got -90"):
        window_sensitivity(_log(), [30], horizons=[-90])
    with pytest.raises(DataError, match="windows must list at least one inactivity window"):
        window_sensitivity(_log(), [])


def test_inputchecks_event_date_comparison():
    with pytest.raises(DataError, match="horizons must be >= 0"):
        event_date_comparison(_log(), 30, horizons=[-1])
    with pytest.raises(DataError, match="level must be in \\(0, 1\\)"):
        event_date_comparison(_log(), 30, level=5)


def test_inputchecks_lifecycle_arguments():
    log = _log()
    with pytest.raises(DataError, match="inactivity_days must be >= 1"):
        lifecycle_stages(log, "2020-03-01", inactivity_days=0)
    with pytest.raises(DataError, match="trend_days must be a whole number, got 2.5"):
        lifecycle_stages(log, "2020-03-01", trend_days=2.5)
    with pytest.raises(DataError, match="p_lost must be in \\[0, 1\\], got 20"):
        lifecycle_stages(log, "2020-03-01", p_lost=20)
    with pytest.raises(DataError, match="observation_end \\(2020-01-01\\) must be after observation_start"):
        stage_transitions(log, "2020-03-01", "2020-01-01")


def test_inputchecks_cohort_activity_period():
    with pytest.raises(DataError, match="period must be one of \\['week', 'month', 'quarter', 'year'\\], got 'M'"):
        cohort_activity_table(_log(), period="M")


def test_inputchecks_first_purchase_covariates_missing_quantity():
    with pytest.raises(DataError, match="quantity"):
        first_purchase_covariates(_log().drop(columns="quantity"))


def test_inputchecks_logrank_one_segment(sd):
    with pytest.raises(DataError, match="needs at least two segments, found 1"):
        logrank(sd.assign(group="a"), "group")


# ---------------------------------------------------------------- simulation


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"seed": None}, "crmlib draws nothing unseeded"),
        ({"seed": 1, "n": 0}, "n must be >= 1"),
        ({"seed": 1, "n": 2.5}, "n must be a whole number"),
        ({"seed": 1, "acquisition_days": -5}, "acquisition_days must be >= 1"),
    ],
)
def test_inputchecks_simulate_contracts(kwargs, words):
    with pytest.raises(DataError, match=words):
        simulate_contracts(**kwargs)


def test_tuple_customer_ids_in_a_log_give_the_result_of_text_ids():
    log = _log(4)
    as_text = from_transactions(log.assign(customer_id=log["customer_id"].map(lambda c: f"k{c}")), 30)
    as_tuple = from_transactions(log.assign(customer_id=log["customer_id"].map(lambda c: ("k", c))), 30)
    assert list(as_tuple.index) == [("k", c) for c in range(4)]
    np.testing.assert_array_equal(as_tuple["duration"].to_numpy(), as_text["duration"].to_numpy())
    np.testing.assert_array_equal(as_tuple["churned"].to_numpy(), as_text["churned"].to_numpy())


def test_inputchecks_missing_id_among_tuple_ids_named():
    log = _log(3).astype({"customer_id": object})
    log["customer_id"] = [("k", c) for c in log["customer_id"]]
    log.loc[4, "customer_id"] = None
    with pytest.raises(DataError, match="customer_id"):
        from_transactions(log, 30)
