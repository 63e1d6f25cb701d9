"""crmlib.transactions: log -> per-customer summary (frequency, recency, T, monetary; holdout; cohorts; SummarySpec).

Oracles: the classic CDNOW calibration summary (Fader, Hardie & Lee 2005;
``cdnow_customers_summary_with_transactions.csv`` as shipped in lifetimes
0.11.3), totals counted directly from the raw CDNOW log with plain Python,
generated logs whose answers are known by construction, and an independent
plain-pandas computation. The Spark engine is tested in ``test_transactions_spark.py``.
"""

from __future__ import annotations

import warnings
from decimal import Decimal

import duckdb
import numpy as np
import pandas as pd
import pytest
from _transactions_common import CAL_END, OBS_END, _half_up, _log, _pandas_reference, _quiet, _random_log

from crmlib.datasets import load_cdnow_summary
from crmlib.exceptions import DataWarning
from crmlib.transactions import (
    summarize,
)


def test_cdnow_calibration_matches_fader_hardie_lee_2005_summary(cdnow_holdout_summary):
    ref = load_cdnow_summary()
    s = cdnow_holdout_summary
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


def test_cdnow_calibration_matches_lifetimes_cdnow_customers_summary_csv(cdnow_holdout_summary):
    """The file the issue names: ``cdnow_customers_summary.csv`` (lifetimes 0.11.3), ID, frequency, recency, T."""
    from crmlib.datasets import data_dir

    ref = pd.read_csv(data_dir() / "cdnow_customers_summary.csv", index_col="ID")
    assert len(ref) == 2357 and list(ref.columns) == ["frequency", "recency", "T"]
    s = cdnow_holdout_summary
    assert s.index.tolist() == ref.index.tolist()
    np.testing.assert_array_equal(s["frequency"].to_numpy(), ref["frequency"].to_numpy())
    # the file rounds weeks (days / 7) to 2 decimals
    np.testing.assert_array_equal(s["recency"].round(2).to_numpy(), ref["recency"].to_numpy())
    np.testing.assert_array_equal(s["T"].round(2).to_numpy(), ref["T"].to_numpy())


def test_cdnow_holdout_totals_against_direct_count(cdnow_log, cdnow_holdout_summary):
    """Holdout (1997-10-01 .. 1998-06-30) purchase days and spend, counted with plain Python."""
    days: dict[tuple[int, pd.Timestamp], float] = {}
    for cid, day, amt in zip(cdnow_log["customer_id"], cdnow_log["date"], cdnow_log["amount"]):
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
    s = cdnow_holdout_summary
    assert s["frequency_holdout"].sum() == sum(hold_n.values())
    expected_n = pd.Series(hold_n).reindex(s.index, fill_value=0)
    assert (s["frequency_holdout"] == expected_n).all()
    total_spend = (s["monetary_holdout"] * s["frequency_holdout"]).sum()
    assert total_spend == pytest.approx(sum(hold_spend.values()), abs=1e-6)
    assert (s["duration_holdout"] == 273 / 7).all()  # 1997-09-30 .. 1998-06-30 = 273 days = 39 weeks
    assert s["monetary_holdout"].where(s["frequency_holdout"] == 0, 0).eq(0).all()


def test_cdnow_cohort_is_first_quarter_1997(cdnow_holdout_summary):
    assert set(cdnow_holdout_summary["cohort"]) == {
        pd.Timestamp("1997-01-01"),
        pd.Timestamp("1997-02-01"),
        pd.Timestamp("1997-03-01"),
    }
    assert cdnow_holdout_summary["cohort"].dtype == "datetime64[ns]"


def test_cdnow_checks_are_reported(cdnow_log):
    with pytest.warns(DataWarning) as rec:
        s = summarize(cdnow_log, calibration_end=CAL_END, observation_end=OBS_END)
    messages = [str(w.message) for w in rec]
    assert any("8 rows have a zero amount" in m and "kept" in m for m in messages)
    assert any("21 rows are exact duplicates" in m for m in messages)
    assert s.attrs["crmlib"].checks["zero"] == 8
    assert s.attrs["crmlib"].checks["duplicate"] == 21
    assert s.attrs["crmlib"].customers_first_seen_in_holdout == 0


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


def test_every_input_form_gives_the_same_summary(cdnow_log, cdnow_holdout_summary, tmp_path):
    import ibis

    kw = dict(calibration_end=CAL_END, observation_end=OBS_END, include_cohort=True)
    expected = cdnow_holdout_summary
    log = cdnow_log[["customer_id", "date", "amount"]]
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
        "text dates": dict(log=cdnow_log.assign(date=cdnow_log["date"].dt.strftime("%Y%m%d")), date_format="%Y%m%d"),
        "duckdb engine": dict(log=cdnow_log, engine=con),
    }
    for name, args in inputs.items():
        got = _quiet(**args, **kw)
        pd.testing.assert_frame_equal(got, expected, check_exact=True, obj=name)


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


def test_summary_spec_records_how_the_summary_was_made_and_survives_pandas_operations(cdnow_log, cdnow_holdout_summary):
    from crmlib.spec import SummarySpec, summary_spec

    spec = summary_spec(cdnow_holdout_summary)
    assert isinstance(spec, SummarySpec)
    assert (spec.observation_end, spec.calibration_end) == (pd.Timestamp(OBS_END), pd.Timestamp(CAL_END))
    assert (spec.period, spec.time_unit, spec.days_per_unit, spec.periods_per_year) == ("day", "week", 7.0, 365.25 / 7)
    assert spec.source == "pandas DataFrame" and (spec.engine, spec.plan) == ("duckdb", "sort")
    # 6,919 rows, none excluded (8 zero amounts and 21 duplicate copies are kept); 2,357 customers (FHL 2005)
    assert (spec.n_rows, spec.n_rows_used, spec.n_customers) == (len(cdnow_log), len(cdnow_log), 2357)
    assert spec.checks["zero"] == 8 and spec.checks["duplicate"] == 21
    assert spec.holdout_length == float(cdnow_holdout_summary["duration_holdout"].iloc[0]) == 39.0
    for derived in (
        cdnow_holdout_summary.copy(),
        cdnow_holdout_summary[["frequency", "recency", "T"]],
        cdnow_holdout_summary.loc[cdnow_holdout_summary["frequency"] > 0],
        cdnow_holdout_summary.head(10),
        cdnow_holdout_summary.sort_values("T"),
    ):
        assert summary_spec(derived) == spec
    excluded = _quiet(
        cdnow_log, calibration_end=CAL_END, observation_end=OBS_END, on_zero="exclude", on_duplicate="exclude"
    )
    assert summary_spec(excluded).n_rows_used == len(cdnow_log) - 8 - 21
    assert summary_spec(excluded).checks == spec.checks
