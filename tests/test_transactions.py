"""crmlib.transactions: log -> per-customer summary, input checks, compress, RFM.

Oracles: the classic CDNOW calibration summary (Fader, Hardie & Lee 2005;
``cdnow_customers_summary_with_transactions.csv`` as shipped in lifetimes
0.11.3), totals counted directly from the raw CDNOW log with plain Python,
generated logs whose answers are known by construction, and an independent
plain-pandas computation. The Spark engine is tested in
``test_transactions_spark.py``.
"""

from __future__ import annotations

import warnings
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import numpy as np
import pandas as pd
import pytest

from crmlib.datasets import load_cdnow, load_cdnow_summary
from crmlib.exceptions import DataError, DataWarning
from crmlib.transactions import (
    RFM_SEGMENT_RULES,
    compress,
    expand,
    rfm_scores,
    rfm_segments,
    summarize,
)

CAL_END = pd.Timestamp("1997-09-30")
OBS_END = pd.Timestamp("1998-06-30")


def _quiet(*args, **kwargs):
    """summarize() with DataWarnings silenced (tests of the checks assert them explicitly)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return summarize(*args, **kwargs)


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow("sample")


@pytest.fixture(scope="module")
def cdnow_summary(cdnow):
    return _quiet(cdnow, calibration_end=CAL_END, observation_end=OBS_END, include_cohort=True)


def _half_up(x: float, places: str = "0.01") -> float:
    return float(Decimal(repr(round(x, 6))).quantize(Decimal(places), rounding=ROUND_HALF_UP))


# ------------------------------------------------------------------------- CDNOW


def test_cdnow_calibration_matches_fader_hardie_lee_2005_summary(cdnow_summary):
    ref = load_cdnow_summary()
    s = cdnow_summary
    assert len(s) == 2357
    assert s.index.equals(ref.index)
    assert (s["frequency"] == ref["frequency"]).all()
    assert s["frequency"].sum() == 2457  # repeat transactions in weeks 1-39 (Fader, Hardie & Lee 2005)
    # the file rounds days / 7 to 2 decimals
    assert (s["recency"].round(2) == ref["recency"]).all()
    assert (s["T"].round(2) == ref["T"]).all()
    # zbar: mean of the repeat purchase days' spend, rounded half-up to cents in the file
    assert (s["monetary"].map(_half_up) == ref["monetary"]).all()
    assert (s.loc[s["frequency"] == 0, "monetary"] == 0).all()
    assert s.attrs["crmlib"].plan == "sort"  # DuckDB's default


def test_cdnow_calibration_matches_lifetimes_cdnow_customers_summary_csv(cdnow_summary):
    """The file the issue names: ``cdnow_customers_summary.csv`` (lifetimes 0.11.3), ID, frequency, recency, T."""
    from crmlib.datasets import data_dir

    ref = pd.read_csv(data_dir() / "cdnow_customers_summary.csv", index_col="ID")
    assert len(ref) == 2357 and list(ref.columns) == ["frequency", "recency", "T"]
    s = cdnow_summary
    assert s.index.tolist() == ref.index.tolist()
    np.testing.assert_array_equal(s["frequency"].to_numpy(), ref["frequency"].to_numpy())
    # the file rounds weeks (days / 7) to 2 decimals
    np.testing.assert_array_equal(s["recency"].round(2).to_numpy(), ref["recency"].to_numpy())
    np.testing.assert_array_equal(s["T"].round(2).to_numpy(), ref["T"].to_numpy())


def test_cdnow_aggregate_plan_gives_the_same_table(cdnow, cdnow_summary):
    agg = _quiet(cdnow, calibration_end=CAL_END, observation_end=OBS_END, include_cohort=True, plan="aggregate")
    pd.testing.assert_frame_equal(agg, cdnow_summary, check_exact=True)
    assert agg.attrs["crmlib"].checks == cdnow_summary.attrs["crmlib"].checks


def test_cdnow_holdout_totals_against_direct_count(cdnow, cdnow_summary):
    """Holdout (1997-10-01 .. 1998-06-30) purchase days and spend, counted with plain Python."""
    days: dict[tuple[int, pd.Timestamp], float] = {}
    for cid, day, amt in zip(cdnow["customer_id"], cdnow["date"], cdnow["amount"]):
        days[(cid, day)] = days.get((cid, day), 0.0) + amt
    first: dict[int, pd.Timestamp] = {}
    for cid, day in days:
        first[cid] = min(first.get(cid, day), day)
    hold_n: dict[int, int] = {}
    hold_spend: dict[int, float] = {}
    for (cid, day), amt in days.items():
        if CAL_END < day <= OBS_END and first[cid] <= CAL_END:
            hold_n[cid] = hold_n.get(cid, 0) + 1
            hold_spend[cid] = hold_spend.get(cid, 0.0) + amt
    s = cdnow_summary
    assert s["frequency_holdout"].sum() == sum(hold_n.values())
    expected_n = pd.Series(hold_n).reindex(s.index, fill_value=0)
    assert (s["frequency_holdout"] == expected_n).all()
    total_spend = (s["monetary_holdout"] * s["frequency_holdout"]).sum()
    assert total_spend == pytest.approx(sum(hold_spend.values()), abs=1e-6)
    assert (s["duration_holdout"] == 273 / 7).all()  # 1997-09-30 .. 1998-06-30 = 273 days = 39 weeks
    assert s["monetary_holdout"].where(s["frequency_holdout"] == 0, 0).eq(0).all()


def test_cdnow_cohort_is_first_quarter_1997(cdnow_summary):
    assert set(cdnow_summary["cohort"]) == {
        pd.Timestamp("1997-01-01"),
        pd.Timestamp("1997-02-01"),
        pd.Timestamp("1997-03-01"),
    }
    assert cdnow_summary["cohort"].dtype == "datetime64[ns]"


def test_cdnow_checks_are_reported(cdnow):
    with pytest.warns(DataWarning) as rec:
        s = summarize(cdnow, calibration_end=CAL_END, observation_end=OBS_END)
    messages = [str(w.message) for w in rec]
    assert any("8 rows have a zero amount" in m and "kept" in m for m in messages)
    assert any("21 rows are exact duplicates" in m for m in messages)
    assert s.attrs["crmlib"].checks["zero"] == 8
    assert s.attrs["crmlib"].checks["duplicate"] == 21
    assert s.attrs["crmlib"].customers_first_seen_in_holdout == 0


# ----------------------------------------------------------- generated data, known answers


def _log_with_truth(seed: int, n_customers: int = 200):
    """A log whose summary is known by construction (distinct purchase days; same-day splits)."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2021-01-01")
    rows, truth = [], {}
    for cid in range(1, n_customers + 1):
        k = int(rng.integers(1, 8))
        days = np.sort(rng.choice(np.arange(0, 300), size=k, replace=False))
        cents = rng.integers(100, 20000, size=k)
        for d, c in zip(days, cents):
            parts = int(rng.integers(1, 4))  # 1-3 transactions on the day, summing to the day's spend
            cuts = np.sort(rng.choice(np.arange(1, c), size=parts - 1, replace=False)) if parts > 1 else []
            pieces = np.diff(np.concatenate([[0], cuts, [c]]))
            for piece in pieces:
                rows.append((cid, start + pd.Timedelta(days=int(d)), piece / 100))
        repeat = cents[1:] / 100
        truth[cid] = dict(
            frequency=k - 1,
            recency=(days[-1] - days[0]) / 7,
            T=(330 - days[0]) / 7,
            monetary=float(repeat.mean()) if k > 1 else 0.0,
        )
    log = pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).sample(frac=1, random_state=seed)
    truth = pd.DataFrame.from_dict(truth, orient="index")
    truth.index.name = "customer_id"
    return log.reset_index(drop=True), truth, start + pd.Timedelta(days=330)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_log_matches_known_answers(seed):
    log, truth, obs_end = _log_with_truth(seed)
    s = _quiet(log, observation_end=obs_end)
    assert s.index.equals(truth.index)
    assert (s["frequency"] == truth["frequency"]).all()
    np.testing.assert_array_equal(s["recency"], truth["recency"])
    np.testing.assert_array_equal(s["T"], truth["T"])
    np.testing.assert_allclose(s["monetary"], truth["monetary"], rtol=1e-12)


def _pandas_reference(log, obs_end, cal_end=None, period="day", unit=7.0):
    """An independent plain-pandas summary (the lifetimes recipe: periods via pandas Period)."""
    d = log.assign(day=log["date"].dt.normalize())
    d = d[d["day"] <= obs_end]
    freq = {"day": "D", "week": "W-SUN", "month": "M"}[period]
    d = d.assign(p=d["day"].dt.to_period(freq).dt.start_time)
    end = cal_end if cal_end is not None else obs_end
    end_p = pd.Period(end, freq).start_time
    cal = d[d["day"] <= end]
    per = cal.groupby(["customer_id", "p"], as_index=False)["amount"].sum()
    g = per.groupby("customer_id")
    first, last, n = g["p"].min(), g["p"].max(), g.size()
    repeat = per[per["p"] != per["customer_id"].map(first)]
    if unit == "month" and period == "month":

        def span(a, b):
            return ((a.dt.year * 12 + a.dt.month) - (b.dt.year * 12 + b.dt.month)).astype(float)

        t_span = (end_p.year * 12 + end_p.month) - (first.dt.year * 12 + first.dt.month)
    else:
        days = {"day": 1.0, "week": 7.0}.get(unit, unit)

        def span(a, b):
            return (a - b).dt.days / days

        t_span = (end_p - first).dt.days / days
    out = pd.DataFrame(
        {
            "frequency": (n - 1).astype("int64"),
            "recency": span(last, first),
            "T": t_span.astype(float),
            "monetary": repeat.groupby("customer_id")["amount"].mean().reindex(first.index, fill_value=0.0),
        }
    )
    if cal_end is not None:
        hold = d[(d["day"] > cal_end) & d["customer_id"].isin(first.index)]
        hp = hold.groupby(["customer_id", "p"])["amount"].sum().groupby("customer_id")
        out["frequency_holdout"] = hp.size().reindex(out.index, fill_value=0).astype("int64")
        out["monetary_holdout"] = hp.mean().reindex(out.index, fill_value=0.0)
    return out


def _random_log(seed: int, n_rows: int = 3000):
    rng = np.random.default_rng(seed)
    cid = rng.integers(1, 301, size=n_rows)
    base = pd.Timestamp("2020-01-01")
    day = rng.integers(0, 500, size=n_rows)
    seconds = rng.integers(0, 86400, size=n_rows)
    date = base + pd.to_timedelta(day, unit="D") + pd.to_timedelta(seconds, unit="s")
    amount = np.round(rng.lognormal(3, 1, size=n_rows), 2)
    return pd.DataFrame({"customer_id": cid, "date": date, "amount": amount})


@pytest.mark.parametrize(
    "period,unit,cal_end",
    [
        ("day", 7.0, None),
        ("day", 1.0, "2020-09-15"),
        ("week", "week", "2020-10-07"),
        ("month", "month", "2020-08-31"),
        ("month", 30.4375, None),
        ("week", 7.0, None),
    ],
)
def test_generated_log_against_independent_pandas(period, unit, cal_end):
    log = _random_log(7)
    obs_end = pd.Timestamp("2021-03-31")
    cal = pd.Timestamp(cal_end) if cal_end else None
    time_unit = {7.0: "week", 1.0: "day"}.get(unit, unit)
    s = _quiet(log, observation_end=obs_end, calibration_end=cal, period=period, time_unit=time_unit)
    ref = _pandas_reference(log, obs_end, cal, period, unit)
    assert s.index.equals(ref.index)
    for col in ref.columns:
        if col.startswith("monetary"):
            np.testing.assert_allclose(s[col], ref[col], rtol=1e-12, err_msg=col)
        else:
            np.testing.assert_array_equal(s[col], ref[col], err_msg=col)
    # excluded transactions after the observation end are counted
    n_after = int((log["date"].dt.normalize() > obs_end).sum())
    assert s.attrs["crmlib"].checks["after_end"] == n_after
    if cal is not None:
        first = log[log["date"].dt.normalize() <= obs_end].groupby("customer_id")["date"].min().dt.normalize()
        assert s.attrs["crmlib"].customers_first_seen_in_holdout == int((first > cal).sum())


def test_hand_example_weeks_and_periods():
    log = pd.DataFrame(
        {
            "cust": ["a", "a", "a", "a", "b", "b"],
            "when": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 17:30",
                    "2024-01-15 00:00",
                    "2024-01-29 00:00",
                    "2024-01-08 00:00",
                    "2024-02-05 00:00",
                ]
            ),
            "value": [10.0, 5.0, 20.0, 30.0, 7.5, 2.5],
        }
    )
    s = summarize(
        log, customer_id="cust", date="when", amount="value", observation_end="2024-02-12", include_cohort="week"
    )
    assert s.index.tolist() == ["a", "b"] and s.index.name == "cust"
    assert s.loc["a"].tolist()[:4] == [2, 4.0, 6.0, 25.0]  # day 1 counts once; monetary (20 + 30) / 2
    assert s.loc["b"].tolist()[:4] == [1, 4.0, 5.0, 2.5]
    assert s["cohort"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-08")]
    m = summarize(
        log,
        customer_id="cust",
        date="when",
        amount="value",
        observation_end="2024-02-12",
        period="month",
        time_unit="month",
    )
    assert m["frequency"].tolist() == [0, 1] and m["T"].tolist() == [1.0, 1.0]
    assert m.loc["a", "monetary"] == 0.0 and m.loc["b", "recency"] == 1.0
    no_amount = summarize(log[["cust", "when"]], customer_id="cust", date="when", amount=None, time_unit="day")
    assert list(no_amount.columns) == ["frequency", "recency", "T"]
    assert no_amount.loc["a"].tolist() == [2, 28.0, 35.0]


def test_amounts_are_summed_exactly_as_decimals():
    """Spend is the exact sum of the amounts rounded to 1e-6 (DECIMAL(18, 6)), not a float sum (0.1 + 0.2 != 0.3)."""
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 2, 2, 2],
            "date": pd.to_datetime(
                ["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03", "2024-01-01", "2024-01-05", "2024-01-05"]
            ),
            "amount": [9.99, 0.1, 0.2, 1 / 3, 1.0, 2.0000004, 2.0000006],
        }
    )
    s = summarize(log, time_unit="day")
    assert 0.1 + 0.2 != 0.3 and (0.1 + 0.2 + 1 / 3) / 2 != (300_000 + 333_333) / 1e6 / 2
    # day 2: 0.1 + 0.2 = 0.300000 exactly; day 3: 1/3 rounds to 0.333333
    assert s.loc[1, "monetary"] == (300_000 + 333_333) / 1e6 / 2
    # 2.0000004 -> 2.000000 and 2.0000006 -> 2.000001 (each rounded before summing)
    assert s.loc[2, "monetary"] == 4_000_001 / 1e6
    assert s.loc[2, "frequency"] == 1


# ------------------------------------------------------------------------ input forms


def test_every_input_form_gives_the_same_summary(cdnow, cdnow_summary, tmp_path):
    import ibis

    kw = dict(calibration_end=CAL_END, observation_end=OBS_END, include_cohort=True)
    expected = cdnow_summary
    log = cdnow[["customer_id", "date", "amount"]]
    pq = tmp_path / "log.parquet"
    log.to_parquet(pq)
    csv = tmp_path / "log.csv"
    log.assign(date=log["date"].dt.strftime("%Y-%m-%d")).to_csv(csv, index=False)
    con = duckdb.connect()
    con.register("log_df", log)
    con.execute("CREATE TABLE tx AS SELECT * FROM log_df")
    with warnings.catch_warnings():  # Ibis 12 calls a method DuckDB 2.0 deprecates (not crmlib's concern)
        warnings.filterwarnings("ignore", message=r"fetch_arrow_table\(\) is deprecated", category=DeprecationWarning)
        ibis_table = ibis.duckdb.from_connection(con).table("tx")
    inputs = {
        "parquet": dict(log=pq),
        "csv": dict(log=str(csv)),
        "duckdb table": dict(log="tx", engine=con),
        "duckdb relation": dict(log=con.sql("SELECT * FROM tx")),
        "ibis table": dict(log=ibis_table),
        "text dates": dict(log=cdnow.assign(date=cdnow["date"].dt.strftime("%Y%m%d")), date_format="%Y%m%d"),
        "duckdb engine": dict(log=cdnow, engine=con),
    }
    for name, args in inputs.items():
        got = _quiet(**args, **kw)
        pd.testing.assert_frame_equal(got, expected, check_exact=True, obj=name)


# ------------------------------------------------------------------------ input checks


def _log():
    return pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 2, 3],
            "date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-02", "2024-01-09", "2024-01-03"]),
            "amount": [10.0, 12.0, 8.0, 4.0, 20.0],
        },
        index=[10, 11, 12, 13, 14],
    )


def test_inputchecks_missing_customer_id_names_rows():
    log = _log().astype({"customer_id": "float64"})
    log.loc[[11, 13], "customer_id"] = np.nan
    with pytest.raises(DataError, match=r"2 rows have no customer id \(column 'customer_id'\).*\[11, 13\]"):
        summarize(log)


def test_inputchecks_missing_date():
    log = _log()
    log.loc[12, "date"] = pd.NaT
    with pytest.raises(DataError, match=r"1 rows have no date \(column 'date'\).*\[12\]"):
        summarize(log)


def test_inputchecks_unparsable_date_in_text_and_csv(tmp_path):
    log = _log().astype({"date": "object"})
    log["date"] = ["2024-01-01", "2024-01-05", "2024-13-45", "yesterday", "2024-01-03"]
    with pytest.raises(DataError, match=r"2 rows have a date that cannot be parsed.*\[12, 13\]"):
        summarize(log)
    path = tmp_path / "bad.csv"
    log.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"2 rows have a date that cannot be parsed \(column 'date'\)"):
        summarize(path)


def test_inputchecks_text_dates_with_mixed_utc_offsets():
    log = _log().astype({"date": "object"})
    log["date"] = ["2024-01-01T10:00:00+02:00", "2024-01-03T10:00:00-05:00", "2024-01-02", "2024-01-09", "2024-01-03"]
    with pytest.raises(DataError, match=r"column 'date' cannot be read as one kind of date.*utc=True"):
        summarize(log)


def test_inputchecks_numeric_dates_need_a_format():
    log = _log().assign(date=[20240101, 20240105, 20240102, 20240109, 20240103])
    with pytest.raises(DataError, match="column 'date' holds numbers"):
        summarize(log)
    s = _quiet(log, date_format="%Y%m%d", time_unit="day")
    assert s["recency"].tolist() == [4.0, 7.0, 0.0]


def test_inputchecks_missing_and_non_numeric_amount():
    log = _log()
    log.loc[10, "amount"] = np.nan
    with pytest.raises(DataError, match=r"1 rows have no amount \(column 'amount'\).*\[10\]"):
        summarize(log)
    text = _log().astype({"amount": "object"})
    text.loc[14, "amount"] = "twenty"
    with pytest.raises(DataError, match=r"1 rows have an amount that is not a number.*\[14\]"):
        summarize(text)
    with pytest.raises(DataError, match=r"column 'amount' has type bool; amounts must be numbers"):
        summarize(_log().assign(amount=True))


def test_inputchecks_negative_amounts_policy():
    log = _log()
    log.loc[11, "amount"] = -12.0
    with pytest.raises(DataError, match=r"1 rows have a negative amount \(returns; column 'amount'\).*\[11\]"):
        summarize(log)
    with pytest.warns(DataWarning, match=r"1 rows have a negative amount.*excluded"):
        s = summarize(log, on_negative="exclude")
    assert s.loc[1, "frequency"] == 0 and s.attrs["crmlib"].checks["negative"] == 1
    with pytest.warns(DataWarning, match=r"1 rows have a negative amount.*kept"):
        s = summarize(log, on_negative="keep")
    assert s.loc[1, "frequency"] == 1 and s.loc[1, "monetary"] == -12.0


def test_inputchecks_zero_amounts_policy():
    log = _log()
    log.loc[13, "amount"] = 0.0
    with pytest.warns(DataWarning, match=r"1 rows have a zero amount.*\[13\].*kept"):
        s = summarize(log)
    assert s.loc[2, "frequency"] == 1 and s.loc[2, "monetary"] == 0.0
    with pytest.warns(DataWarning, match="excluded"):
        s = summarize(log, on_zero="exclude")
    assert s.loc[2, "frequency"] == 0
    with pytest.raises(DataError, match="1 rows have a zero amount"):
        summarize(log, on_zero="error")


def test_inputchecks_exact_duplicates_policy():
    log = pd.concat([_log(), _log().loc[[11, 11]]])
    log.index = range(len(log))
    with pytest.warns(DataWarning, match=r"2 rows are exact duplicates of an earlier row.*\[5, 6\].*kept"):
        s = summarize(log)
    assert s.loc[1, "monetary"] == 36.0  # the day's three copies are summed
    with pytest.warns(DataWarning, match="2 rows are exact duplicates.*excluded"):
        s = summarize(log, on_duplicate="exclude")
    assert s.loc[1, "monetary"] == 12.0
    with pytest.raises(DataError, match="2 rows are exact duplicates"):
        summarize(log, on_duplicate="error")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        s = summarize(log, on_duplicate="ignore")
    assert "duplicate" not in s.attrs["crmlib"].checks


def test_inputchecks_duplicates_in_a_file_show_records(tmp_path):
    log = pd.concat([_log(), _log().iloc[[1]]])
    path = tmp_path / "dup.parquet"
    log.to_parquet(path)
    with pytest.warns(DataWarning, match=r"1 rows are exact duplicates.*'customer_id': 1, 'date': '2024-01-05'"):
        summarize(path)


def test_inputchecks_after_observation_end_policy():
    log = _log()
    after = r"2 rows are dated after the observation end 2024-01-04.*\[11, 13\].*excluded"
    with pytest.warns(DataWarning, match=after):
        s = summarize(log, observation_end="2024-01-04")
    assert s["frequency"].tolist() == [0, 0, 0]
    assert s.attrs["crmlib"].checks["after_end"] == 2
    with pytest.raises(DataError, match="2 rows are dated after the observation end"):
        summarize(log, observation_end="2024-01-04", on_after_end="error")


def test_inputchecks_all_errors_in_one_message():
    log = _log().astype({"customer_id": "float64"})
    log.loc[10, "customer_id"] = np.nan
    log.loc[14, "amount"] = -1.0
    with pytest.raises(DataError, match="1 rows have no customer id.*; 1 rows have a negative amount"):
        summarize(log)


def test_inputchecks_parameters():
    log = _log()
    with pytest.raises(DataError, match="no column 'amt'"):
        summarize(log, amount="amt")
    with pytest.raises(DataError, match="period must be one of"):
        summarize(log, period="Q")
    with pytest.raises(DataError, match="time_unit must be"):
        summarize(log, time_unit="fortnight")
    with pytest.raises(DataError, match="positive number of days"):
        summarize(log, time_unit=0)
    with pytest.raises(DataError, match="calibration_end .* must be before observation_end"):
        summarize(log, calibration_end="2024-02-01", observation_end="2024-01-31")
    with pytest.raises(DataError, match="on_zero must be one of"):
        summarize(log, on_zero="drop")
    with pytest.raises(DataError, match="observation_end must be a date"):
        summarize(log, observation_end="not a date")
    with pytest.raises(DataError, match="include_cohort must be"):
        summarize(log, include_cohort="fortnight")
    with pytest.raises(DataError, match="engine must be"):
        summarize(log, engine="oracle")
    with pytest.raises(DataError, match="the log must be a pandas DataFrame"):
        summarize([1, 2, 3])
    with pytest.raises(DataError, match="no file"):
        summarize("/nonexistent/log.parquet")
    with pytest.raises(DataError, match="calibration_end .* is before the first transaction"):
        summarize(log, calibration_end="2023-01-01")


# ------------------------------------------------------------------------- compress


def test_compress_expand_round_trip(cdnow_summary):
    s = cdnow_summary
    c = compress(s)
    assert list(c.columns) == ["frequency", "recency", "T", "weight"]
    assert c["weight"].sum() == len(s)
    assert len(c) == len(s[["frequency", "recency", "T"]].drop_duplicates())
    assert not c.duplicated(["frequency", "recency", "T"]).any()
    back = expand(c)
    original = s[["frequency", "recency", "T"]].sort_values(["frequency", "recency", "T"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(back, original, check_exact=True)
    # compressing a compressed table sums the weights
    again = compress(pd.concat([c, c]))
    assert (again["weight"] == 2 * c["weight"]).all()


def test_compress_checks():
    s = pd.DataFrame({"frequency": [1, 1, 0], "recency": [2.0, 2.0, np.nan], "T": [5.0, 5.0, 5.0]})
    with pytest.raises(DataError, match="1 rows have missing values"):
        compress(s)
    with pytest.raises(DataError, match=r"column\(s\) \['x'\] not in the summary"):
        compress(s, columns=["x"])
    with pytest.raises(DataError, match="non-negative integers"):
        expand(pd.DataFrame({"frequency": [1], "weight": [1.5]}))


# ------------------------------------------------------------------------------ RFM


def test_rfm_scores_on_a_hand_example():
    # 10 customers; since-last = T - recency = 10, 9, ..., 1 weeks
    s = pd.DataFrame(
        {
            "frequency": [0, 0, 0, 0, 1, 2, 3, 3, 5, 8],
            "recency": [0.0] * 10,
            "T": [10.0, 9, 8, 7, 6, 5, 4, 3, 2, 1],
            "monetary": [0.0, 0, 0, 0, 10, 20, 30, 40, 50, 60],
        },
        index=pd.Index(list("abcdefghij"), name="customer_id"),
    )
    r = rfm_scores(s)
    # R: k = customers with a longer time since last purchase = 0..9 -> 1 + floor(5k/10)
    assert r["R"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # F: the four zeros tie at k = 0 (score 1); 1 -> k=4 -> 3; 2 -> 3; 3,3 tie at k=6 -> 4; 5 -> 5; 8 -> 5
    assert r["F"].tolist() == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]
    assert r["M"].tolist() == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]
    assert r.loc["j", "RFM"] == "555" and r.loc["a", "RFM"] == "111"
    # ties never split, whatever the row order
    shuffled = rfm_scores(s.sample(frac=1, random_state=3))
    pd.testing.assert_frame_equal(shuffled.loc[r.index], r)


def test_rfm_segments_rule_table_covers_every_cell_once():
    cells = {}
    for row in RFM_SEGMENT_RULES.itertuples(index=False):
        r_lo, r_hi = (int(x) for x in (row.R.split("-") * 2)[:2])
        f_lo, f_hi = (int(x) for x in (row.F.split("-") * 2)[:2])
        for r in range(r_lo, r_hi + 1):
            for f in range(f_lo, f_hi + 1):
                cells.setdefault((r, f), []).append(row.segment)
    assert len(cells) == 25
    # the only overlap is 'lost' (R = F = 1) carved out of 'hibernating'
    overlaps = {k: v for k, v in cells.items() if len(v) > 1}
    assert overlaps == {(1, 1): ["hibernating", "lost"]}
    grid = pd.DataFrame([(r, f) for r in range(1, 6) for f in range(1, 6)], columns=["R", "F"])
    seg = rfm_segments(grid)
    assert seg.notna().all()
    assert seg[(grid["R"] == 1) & (grid["F"] == 1)].item() == "lost"
    assert seg[(grid["R"] == 2) & (grid["F"] == 1)].item() == "hibernating"
    assert seg[(grid["R"] == 5) & (grid["F"] == 5)].item() == "champions"
    assert seg[(grid["R"] == 1) & (grid["F"] == 5)].item() == "cannot lose them"
    assert seg[(grid["R"] == 2) & (grid["F"] == 3)].item() == "at risk"
    assert seg[(grid["R"] == 4) & (grid["F"] == 4)].item() == "loyal"


def test_rfm_segments_on_cdnow(cdnow_summary):
    seg = rfm_segments(cdnow_summary)
    assert len(seg) == 2357 and seg.notna().all()
    scores = rfm_scores(cdnow_summary)
    # every customer with R = 5 and F >= 4 is a champion, and nobody else
    champ = (scores["R"] == 5) & (scores["F"] >= 4)
    assert ((seg == "champions") == champ).all()
    with pytest.raises(DataError, match="R and F must be scores from 1 to 5"):
        rfm_segments(pd.DataFrame({"R": [0], "F": [3]}))


@pytest.mark.parametrize("plan", ["sort", "aggregate"])
def test_duplicate_count_same_by_both_routes(tmp_path, plan):
    """Both plans, every route: the sort plan among the rows of multi-row periods; the aggregate plan after
    the summary on candidate customers (daily periods) or in a full pass (weekly)."""
    log = _random_log(5, n_rows=2000)
    log["date"] = log["date"].dt.normalize()
    dups = log.sample(40, random_state=1)
    log = pd.concat([log, dups, dups.iloc[:5]], ignore_index=True)  # 45 extra copies
    expected = int(log[log["date"] <= "2021-03-31"].duplicated().sum())
    path = tmp_path / "log.parquet"
    log.to_parquet(path)
    for source in (log, path):
        for period in ("day", "week"):
            with pytest.warns(DataWarning) as caught:  # also the rows after the observation end
                s = summarize(source, period=period, observation_end="2021-03-31", plan=plan)
            assert any(f"{expected} rows are exact duplicates" in str(w.message) for w in caught)
            assert s.attrs["crmlib"].checks["duplicate"] == expected


@pytest.mark.parametrize("plan", ["sort", "aggregate"])
def test_duplicates_found_on_any_multi_row_day_not_only_the_first(tmp_path, plan):
    """The exact check looks at each candidate customer's days from the first to the last with more than one row."""
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 1, 2, 2, 3, 3, 3],
            "date": pd.to_datetime(
                [
                    "2024-01-01 10:00",
                    "2024-01-01 10:00",
                    "2024-01-05 00:00",
                    "2024-01-09 08:00",
                    "2024-01-09 08:00",
                    "2024-01-03 09:00",
                    "2024-01-03 17:00",
                    "2024-01-02 00:00",
                    "2024-01-02 00:00",
                    "2024-01-02 00:00",
                ]
            ),
            "amount": [4.0, 6.0, 1.0, 2.5, 2.5, 3.0, 3.0, 5.0, 5.0, 7.0],
        }
    )
    # customer 1: a first multi-row day without copies, copies on the last; customer 2: same day and
    # amount at different times (not copies); customer 3: one copy among three rows of a day
    assert int(log.duplicated().sum()) == 2
    path = tmp_path / "dups.parquet"
    log.to_parquet(path)
    for source in (log, path):
        with pytest.warns(DataWarning, match="2 rows are exact duplicates"):
            s = summarize(source, time_unit="day", plan=plan)
        assert s.attrs["crmlib"].checks["duplicate"] == 2
        assert s.loc[1, "monetary"] == 3.0 and s.loc[1, "frequency"] == 2  # days 5 and 9 (2.5 + 2.5), copies kept


def test_pandas_input_is_scanned_in_place_not_copied():
    from crmlib.transactions._intake import _prepare_frame

    log = _log().assign(other=0.0)
    names = {"customer_id": "customer_id", "date": "date", "amount": "amount"}
    frame, _ = _prepare_frame(log, names, None, ".", None, excel=False)
    for col in ("customer_id", "date", "amount"):
        assert np.shares_memory(frame[col].to_numpy(), log[col].to_numpy()), col


def test_summary_expression_runs_on_a_clean_ibis_table():
    import ibis

    from crmlib.transactions import summary_expression

    log = _log()
    clean = ibis.memtable(log.rename(columns={"customer_id": "cid", "date": "day"}).assign(day=log["date"].dt.date))
    expr = summary_expression(clean, observation_end=pd.Timestamp("2024-01-09"), time_unit="day")
    got = expr.to_pandas().set_index("cid").sort_index()
    want = summarize(log, time_unit="day", observation_end="2024-01-09")
    np.testing.assert_array_equal(got[want.columns].to_numpy(), want.to_numpy())


def test_inputchecks_empty_log_and_engine_with_ibis_table():
    import ibis

    with pytest.raises(DataError, match="the transaction log has no rows"):
        summarize(_log().iloc[:0])
    with pytest.raises(DataError, match="engine= is not used with an Ibis table"):
        summarize(ibis.memtable(_log()), engine="duckdb")


# ------------------------------------------------------------------ the two plans


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


@pytest.mark.parametrize("seed", range(6))
def test_sorted_reducer_result_does_not_depend_on_batch_boundaries(seed):
    """Any split of the ordered rows into batches (1-row batches, splits at and inside customers) gives one result."""
    import pyarrow as pa

    from crmlib.transactions._plan_sort import reduce_sorted

    rng = np.random.default_rng(seed)
    n = 400
    cid = np.sort(rng.choice([1, 2, 3, 5, 8, 13], size=n, p=[0.5, 0.1, 0.1, 0.1, 0.1, 0.1]))
    h = rng.random(n) < 0.3
    p = rng.integers(18_000, 18_040, size=n).astype(np.int32)
    order = np.lexsort((p, h, cid))
    cid, h, p = cid[order], h[order], p[order]
    micro = rng.integers(-(10**6), 10**9, size=n)
    m = pa.array([Decimal(int(x)).scaleb(-6) for x in micro], pa.decimal128(18, 6))
    table = pa.table(
        {
            "cid": pa.array(cid.astype(str)) if seed % 2 else cid,
            "h": h,
            "p": pa.array(p, pa.int32()).cast(pa.date32()),
            "m": m,
            "a": rng.random(n),
        }
    )

    def run(sizes):
        edges = np.cumsum([0] + list(sizes))
        batches = [b for lo, hi in zip(edges[:-1], edges[1:]) for b in table.slice(lo, hi - lo).to_batches()]
        return reduce_sorted(iter(batches), has_amount=True, keep_candidates=True)

    whole = run([n])
    cuts = sorted(set(rng.integers(1, n, size=25)) | {int(np.flatnonzero(np.diff(cid))[0]) + 1})
    for sizes in ([1] * n, np.diff([0] + cuts + [n]), [n - 1, 1], [1, n - 1]):
        got = run(sizes)
        assert got.ids.equals(whole.ids)
        for name in ("first", "last", "n_cal", "n_hold", "spend_cal", "spend_first", "spend_hold"):
            np.testing.assert_array_equal(getattr(got, name), getattr(whole, name), err_msg=name)
        pd.testing.assert_frame_equal(got.candidates, whole.candidates)
    # and the numbers themselves, against a direct computation per customer
    for k, c in enumerate(np.unique(cid)):
        rows = cid == c
        cal = rows & ~h
        assert whole.n_cal[k] == len(np.unique(p[cal])) and whole.n_hold[k] == len(np.unique(p[rows & h]))
        assert whole.spend_cal[k] == micro[cal].sum() and whole.spend_hold[k] == micro[rows & h].sum()
        if cal.any():
            assert whole.first[k] == p[cal].min() and whole.last[k] == p[cal].max()
            assert whole.spend_first[k] == micro[cal & (p == p[cal].min())].sum()


@pytest.mark.parametrize("plan", ["sort", "aggregate"])
def test_duplicates_compare_amounts_as_summed(plan):
    """Amounts that differ below 1e-6 (float noise) are the same amount; times of day tell rows apart."""
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 2],
            "date": pd.to_datetime(
                ["2024-01-01 10:00", "2024-01-01 10:00", "2024-01-03 00:00", "2024-01-02 09:00", "2024-01-02 18:00"]
            ),
            "amount": [0.1 + 0.2, 0.3, 5.0, 4.0, 4.0],
        }
    )
    with pytest.warns(DataWarning, match=r"1 rows are exact duplicates.*\[1\]"):
        s = summarize(log, plan=plan, on_duplicate="exclude", time_unit="day")
    assert s.loc[1, "monetary"] == 5.0 and s.loc[2, "frequency"] == 0


def test_both_plans_agree_when_every_row_is_excluded():
    log = pd.DataFrame(
        {"customer_id": ["a", "b"], "date": pd.to_datetime(["2024-01-01", "2024-01-02"]), "amount": [-1.0, -2.0]}
    )
    for plan in ("sort", "aggregate"):  # an empty summary would pass silently into a model: both plans refuse it
        with pytest.raises(DataError, match=r"of its 2 rows, 2 have a negative amount"):
            _quiet(log, on_negative="exclude", plan=plan)


# ------------------------------------------------------- review: adversarial logs, both plans


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


@pytest.mark.parametrize("plan", ["sort", "aggregate"])
def test_inputchecks_nan_infinite_and_huge_amounts_in_a_file(tmp_path, plan):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "amounts.parquet"
    pq.write_table(
        pa.table(
            {
                "customer_id": [1, 1, 2, 3],
                "date": pa.array(pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]).date),
                "amount": [1.0, float("nan"), float("inf"), -2e12],
            }
        ),
        path,
    )
    with pytest.raises(DataError) as err:
        _quiet(path, plan=plan, on_negative="keep")
    msg = str(err.value)
    assert "1 rows have an amount that is not a number (column 'amount')" in msg
    assert "2 rows have an amount of 10**12 or more in absolute value, or infinite (column 'amount')" in msg
    assert "'customer_id': 2" in msg


def test_inputchecks_huge_amount_names_rows_and_period_overflow_is_reported():
    log = _log()
    log.loc[12, "amount"] = 1e12
    with pytest.raises(DataError, match=r"1 rows have an amount of 10\*\*12 or more.*\[12\]"):
        summarize(log)
    # each amount fits, a period's spend does not: the aggregate plan names the column; the sort plan's
    # int64 sums (up to 4.6e12 per customer) still hold it exactly
    day = pd.DataFrame(
        {
            "customer_id": [1, 1, 1],
            "date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-03"]),
            "amount": [1.0, 6e11, 6e11],
        }
    )
    with pytest.raises(DataError, match="spend in one period reaches 10\\*\\*12 currency units \\(column 'amount'\\)"):
        _quiet(day, plan="aggregate")
    assert _quiet(day, plan="sort", time_unit="day").loc[1, "monetary"] == 1.2e12


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


@pytest.mark.parametrize("plan", ["sort", "aggregate"])
def test_duplicate_warning_points_at_the_callers_line(plan):
    log = pd.concat([_log(), _log().iloc[[1]]])
    with pytest.warns(DataWarning, match="1 rows are exact duplicates") as caught:
        summarize(log, plan=plan)
    assert [w.filename for w in caught] == [__file__]


def test_summary_spec_records_how_the_summary_was_made_and_survives_pandas_operations(cdnow, cdnow_summary):
    from crmlib.spec import SummarySpec, summary_spec

    spec = summary_spec(cdnow_summary)
    assert isinstance(spec, SummarySpec)
    assert (spec.observation_end, spec.calibration_end) == (pd.Timestamp(OBS_END), pd.Timestamp(CAL_END))
    assert (spec.period, spec.time_unit, spec.days_per_unit, spec.periods_per_year) == ("day", "week", 7.0, 365.25 / 7)
    assert spec.source == "pandas DataFrame" and (spec.engine, spec.plan) == ("duckdb", "sort")
    # 6,919 rows, none excluded (8 zero amounts and 21 duplicate copies are kept); 2,357 customers (FHL 2005)
    assert (spec.n_rows, spec.n_rows_used, spec.n_customers) == (len(cdnow), len(cdnow), 2357)
    assert spec.checks["zero"] == 8 and spec.checks["duplicate"] == 21
    assert spec.holdout_length == float(cdnow_summary["duration_holdout"].iloc[0]) == 39.0
    for derived in (
        cdnow_summary.copy(),
        cdnow_summary[["frequency", "recency", "T"]],
        cdnow_summary.loc[cdnow_summary["frequency"] > 0],
        cdnow_summary.head(10),
        cdnow_summary.sort_values("T"),
    ):
        assert summary_spec(derived) == spec
    excluded = _quiet(
        cdnow, calibration_end=CAL_END, observation_end=OBS_END, on_zero="exclude", on_duplicate="exclude"
    )
    assert summary_spec(excluded).n_rows_used == len(cdnow) - 8 - 21
    assert summary_spec(excluded).checks == spec.checks


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (
            {"observation_end": "2019-12-31"},
            r"no row of the transaction log is left once the excluded rows are left out: of its 3 rows, 3 are dated "
            r"after the observation end 2019-12-31 \(column 'date'\); the log's first day is 2020-01-05",
        ),
        (
            {"observation_end": "2020-02-15", "on_negative": "exclude", "negative": True},
            r"of its 3 rows, 2 have a negative amount \(returns; column 'amount'\); 1 are dated after the observation "
            r"end 2020-02-15",
        ),
    ],
)
@pytest.mark.parametrize("call", ["summarize", "purchase_days"])
def test_inputchecks_a_log_with_every_row_excluded_is_an_error_not_an_empty_table(kwargs, words, call):
    """Every row after observation_end (or excluded by a policy): a DataError that says why, as an empty log is."""
    import warnings

    from crmlib import transactions

    kwargs = dict(kwargs)
    amounts = [-1.0, -2.0, 3.0] if kwargs.pop("negative", False) else [1.0, 2.0, 3.0]
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 2],
            "date": pd.to_datetime(["2020-01-05", "2020-02-01", "2020-03-01"]),
            "amount": amounts,
        }
    )
    with warnings.catch_warnings(), pytest.raises(DataError, match=words):
        warnings.simplefilter("ignore")
        getattr(transactions, call)(log, amount="amount", **kwargs)
