"""crmlib.transactions: the two plans of a summary (crmlib/transactions/_plan_sort.py, _plan_aggregate.py) give identical
tables, check counts and spend on generated, adversarial and CDNOW logs, whatever the batch boundaries.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import numpy as np
import pandas as pd
import pytest
from _transactions_common import CAL_END, OBS_END, _log, _pandas_reference, _quiet, _random_log

from crmlib.exceptions import DataError, DataWarning
from crmlib.transactions import (
    summarize,
)


def test_cdnow_aggregate_plan_gives_the_same_table(cdnow_log, cdnow_holdout_summary):
    agg = _quiet(cdnow_log, calibration_end=CAL_END, observation_end=OBS_END, include_cohort=True, plan="aggregate")
    pd.testing.assert_frame_equal(agg, cdnow_holdout_summary, check_exact=True)
    assert agg.attrs["crmlib"].checks == cdnow_holdout_summary.attrs["crmlib"].checks


def _awkward_log(seed: int = 3, n_rows: int = 5000):
    """Text ids, timestamps, same-day rows, exact copies, a customer with many rows and zero amounts."""
    rng = np.random.default_rng(seed)
    log = _random_log(seed, n_rows)
    log["customer_id"] = "c" + log["customer_id"].astype(str)
    big = pd.DataFrame(
        {
            "customer_id": "whale",
            "amount": np.round(rng.lognormal(4, 1, 400), 2),
            "date": pd.Timestamp("2020-02-01") + pd.to_timedelta(rng.integers(0, 400, 400), unit="D"),
        }
    )
    copies = log.sample(60, random_state=seed)
    same_day = log.sample(80, random_state=seed + 1).assign(amount=lambda d: d["amount"] + 1.0)
    out = pd.concat([log, big, copies, same_day, copies.iloc[:7]], ignore_index=True)
    out.loc[out.sample(30, random_state=seed + 2).index, "amount"] = 0.0
    return out.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # not in any order


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(calibration_end="2020-09-15", include_cohort="week"),
        dict(period="week", time_unit="week", calibration_end="2020-10-07", include_cohort="quarter"),
        dict(period="month", time_unit="month", include_cohort="year"),
        dict(period="month", time_unit=365.25 / 12, calibration_end="2020-08-31", on_duplicate="exclude"),
        dict(on_duplicate="exclude", calibration_end="2020-11-30", include_cohort="day"),
        dict(on_duplicate="ignore", time_unit="day"),
        dict(amount=None, calibration_end="2020-09-15"),
        dict(amount=None, period="week", on_duplicate="exclude"),
    ],
)
@pytest.mark.parametrize("batch_rows", [1_000_000, 97])
def test_sort_plan_equals_aggregate_plan_exactly(kw, batch_rows, monkeypatch):
    """The sort plan (ordered scan reduced in batches, customers spanning batches) gives the aggregate plan's table."""
    import crmlib.transactions._plan_sort as ss

    monkeypatch.setattr(ss, "BATCH_ROWS", batch_rows)  # 97 rows: the 400-row customer spans 5 batches
    log = _awkward_log()
    if kw.get("amount", "amount") is None:
        log = log.drop(columns="amount")
    agg = _quiet(log, observation_end="2021-03-31", plan="aggregate", **kw)
    srt = _quiet(log, observation_end="2021-03-31", plan="sort", **kw)
    pd.testing.assert_frame_equal(srt, agg, check_exact=True)
    assert srt.attrs["crmlib"].plan == "sort" and agg.attrs["crmlib"].plan == "aggregate"
    assert srt.attrs["crmlib"].checks == agg.attrs["crmlib"].checks
    assert srt.attrs["crmlib"].customers_first_seen_in_holdout == agg.attrs["crmlib"].customers_first_seen_in_holdout
    assert len(srt) > 250 and srt.loc["whale", "frequency"] > 5


def test_sort_plan_duplicates_and_exclusion_against_pandas(monkeypatch, tmp_path):
    """Exact copies counted and, with 'exclude', taken out of the spend: checked against plain pandas."""
    import crmlib.transactions._plan_sort as ss

    monkeypatch.setattr(ss, "BATCH_ROWS", 50)
    log = _awkward_log(5)
    obs_end = pd.Timestamp("2021-03-31")
    kept = log[log["date"].dt.normalize() <= obs_end]
    expected = int(kept.duplicated(subset=["customer_id", "date", "amount"]).sum())
    assert expected >= 40
    with pytest.warns(DataWarning) as caught:
        s = summarize(log, observation_end=obs_end, on_duplicate="exclude", plan="sort")
    assert any(
        f"{expected} rows are exact duplicates" in str(w.message) and "excluded" in str(w.message) for w in caught
    )
    assert s.attrs["crmlib"].checks["duplicate"] == expected
    ref = _pandas_reference(kept.drop_duplicates(subset=["customer_id", "date", "amount"]), obs_end)
    pd.testing.assert_index_equal(s.index, ref.index)
    np.testing.assert_array_equal(s["frequency"], ref["frequency"])
    np.testing.assert_allclose(s["monetary"], ref["monetary"], rtol=1e-12)
    path = tmp_path / "log.parquet"
    log.to_parquet(path)
    with pytest.raises(DataError, match=f"{expected} rows are exact duplicates.*'copies'"):
        _quiet(path, observation_end=obs_end, on_duplicate="error", plan="sort")


def test_sort_plan_reports_sums_beyond_exact_int64():
    """A customer's spend beyond 2**62 micro-units (4.6e12) is an error, not a wrapped sum."""
    log = pd.DataFrame(
        {
            "customer_id": [1] * 6 + [2],
            "date": pd.date_range("2024-01-01", periods=7, freq="D"),
            "amount": [9e11] * 6 + [1.0],
        }
    )
    with pytest.raises(DataError, match=r"spend of 1 customers \(column 'amount'; customers \[1\]\) exceeds 4.61e\+12"):
        summarize(log, plan="sort")
    s = summarize(log.iloc[1:], plan="sort")  # 5 x 9e11 = 4.5e12 still sums exactly
    assert s.loc[1, "monetary"] == 9e11 and s.loc[1, "frequency"] == 4


def test_plan_parameter_is_checked():
    with pytest.raises(DataError, match=r"plan must be one of \['auto', 'sort', 'aggregate'\], got 'hash'"):
        summarize(_log(), plan="hash")
    assert summarize(_log()).attrs["crmlib"].plan == "sort"  # the default on DuckDB


def test_both_plans_agree_when_every_row_is_excluded():
    log = pd.DataFrame(
        {"customer_id": ["a", "b"], "date": pd.to_datetime(["2024-01-01", "2024-01-02"]), "amount": [-1.0, -2.0]}
    )
    for plan in ("sort", "aggregate"):  # an empty summary would pass silently into a model: both plans refuse it
        with pytest.raises(DataError, match=r"of its 2 rows, 2 have a negative amount"):
            _quiet(log, on_negative="exclude", plan=plan)


def _both_plans(log, **kw):
    """The summary by both plans (DataWarnings silenced), asserted identical, values and check counts."""
    got = {plan: _quiet(log, plan=plan, **kw) for plan in ("sort", "aggregate")}
    pd.testing.assert_frame_equal(got["sort"], got["aggregate"], check_exact=True)
    assert got["sort"].attrs["crmlib"].checks == got["aggregate"].attrs["crmlib"].checks
    return got["sort"]


def test_excluded_copies_with_float_noise_leave_the_same_spend_in_both_plans():
    """'exclude' removes the copies the check counted (amounts equal to 1e-6), in the holdout too."""
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 1],
            "date": pd.to_datetime(
                ["2024-01-01 10:00", "2024-01-01 10:00", "2024-01-03 00:00", "2024-01-05 10:00", "2024-01-05 10:00"]
            ),
            "amount": [0.1 + 0.2, 0.3, 5.0, 0.1 + 0.2, 0.3],
        }
    )
    s = _both_plans(log, on_duplicate="exclude", time_unit="day", calibration_end="2024-01-03")
    assert s.attrs["crmlib"].checks["duplicate"] == 2
    assert s.loc[1, "monetary"] == 5.0 and s.loc[1, "frequency_holdout"] == 1
    assert s.loc[1, "monetary_holdout"] == 0.3  # one copy left, not 0.6


def test_large_spend_converts_to_float_as_the_engine_does():
    """Sums beyond 2**53 micro-units (9e9 currency) round like the engine's DECIMAL -> DOUBLE cast: the
    correctly rounded value of the exact decimal, in both plans (units / 1e6 in float64 is not)."""
    rng = np.random.default_rng(6)
    n = 600
    log = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 12, n),
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D"),
            "amount": np.round(rng.uniform(1e9, 4.2e9, n), 6),
        }
    )  # below 2**32: 6 decimals exact
    s = _both_plans(log, time_unit="day", on_duplicate="ignore")
    micro = [int(Decimal(repr(float(a))).scaleb(6)) for a in log["amount"]]  # the 6-decimal amounts, exactly
    day = log.assign(m=micro).groupby(["customer_id", "date"])["m"].sum().reset_index()
    naive_differs = 0
    for cid, g in day.groupby("customer_id"):
        g = g.sort_values("date")
        repeat = int(g["m"].iloc[1:].sum())  # Python int: exact
        assert repeat > 2**53
        assert s.loc[cid, "monetary"] == float(Decimal(repeat).scaleb(-6)) / (len(g) - 1)
        naive_differs += float(np.int64(repeat)) / 1e6 != float(Decimal(repeat).scaleb(-6))
    assert naive_differs >= 3  # the test tells the two conversions apart


def test_cohort_is_that_of_the_first_purchase_day_not_of_its_period_start():
    """A week can straddle two months: a first purchase on Friday 2023-09-01 is a September customer."""
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 2, 2],
            "date": pd.to_datetime(["2023-09-01", "2023-09-20", "2023-09-02", "2023-08-30", "2023-10-02"]),
            "amount": [1.0, 2.0, 4.0, 3.0, 5.0],
        }
    )
    s = _both_plans(log, period="week", include_cohort="month")
    assert s["cohort"].tolist() == [pd.Timestamp("2023-09-01"), pd.Timestamp("2023-08-01")]
    s = _both_plans(log, period="month", include_cohort="week")  # the ISO week of the first day, not of the 1st
    assert s["cohort"].tolist() == [pd.Timestamp("2023-08-28"), pd.Timestamp("2023-08-28")]
    # with a calibration end, the first calibration day (the holdout day of the same month does not count)
    s = _both_plans(log, period="month", include_cohort="day", calibration_end="2023-08-31")
    assert s.index.tolist() == [2] and s["cohort"].tolist() == [pd.Timestamp("2023-08-30")]


@pytest.mark.parametrize("form", ["float ids", "tz-aware pandas", "tz-aware parquet (ns)", "csv text timestamps"])
def test_sort_plan_equals_aggregate_plan_on_other_input_forms(form, tmp_path, monkeypatch):
    """Float ids, time-zone-aware timestamps (pandas; Parquet as pandas writes it, nanoseconds), CSV text;
    customers spread over 13-row record batches; weeks straddling calibration_end (a Wednesday)."""
    import crmlib.transactions._plan_sort as ss

    monkeypatch.setattr(ss, "BATCH_ROWS", 13)
    log = _awkward_log(9, n_rows=1500)
    log["customer_id"] = log["customer_id"].str[1:].replace("hale", "0").astype(float) + 0.5
    source = log
    if form.startswith("tz-aware"):
        source = log.assign(date=log["date"].dt.tz_localize("UTC").dt.tz_convert("Asia/Tokyo"))
        if "parquet" in form:
            source.to_parquet(tmp_path / "log.parquet")
            source = tmp_path / "log.parquet"
    elif form == "csv text timestamps":
        log.assign(date=log["date"].dt.strftime("%Y-%m-%d %H:%M:%S")).to_csv(tmp_path / "log.csv", index=False)
        source = tmp_path / "log.csv"
    kw = dict(observation_end="2021-03-31", on_negative="keep")
    for extra in (
        dict(period="week", calibration_end="2020-09-16", include_cohort="month"),
        dict(period="month", time_unit="month", on_duplicate="exclude", calibration_end="2020-08-12"),
    ):
        s = _both_plans(source, **kw, **extra)
        assert len(s) > 250 and s.attrs["crmlib"].checks["duplicate"] > 40
    if form == "tz-aware parquet (ns)":
        # a file's time zone is the engine's: days in DuckDB's session time zone
        zone = duckdb.connect().execute("SELECT current_setting('TimeZone')").fetchall()[0][0]
        naive = log.assign(date=log["date"].dt.tz_localize("UTC").dt.tz_convert(zone).dt.tz_localize(None))
        pd.testing.assert_frame_equal(_quiet(source, **kw), _quiet(naive, **kw), check_exact=True)
