"""crmlib.transactions on Apache Spark: the same definition returns exactly the DuckDB table.

Oracle: the default engine (DuckDB), itself checked against the classic CDNOW
summary and an independent pandas computation in ``test_transactions_summary.py``.
The local Spark session (``local[2]``) is conftest.py's session fixture, shared with
the other Spark test module (one JVM start per run).
"""

from __future__ import annotations

import warnings

# PySpark is the optional extra "crmlib[spark]", which the test extra (CI) installs; a missing one fails
# here rather than being skipped, so the Spark path is never silently untested
import ibis
import numpy as np
import pandas as pd
import pyspark  # noqa: F401
import pytest

from crmlib.datasets import load_cdnow
from crmlib.exceptions import DataError, DataWarning
from crmlib.transactions import read_log, summarize

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="module")
def con(spark):
    return ibis.pyspark.connect(spark)


def _quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return summarize(*args, **kwargs)


def test_spark_cdnow_calibration_and_holdout_equal_duckdb_exactly(con):
    log = load_cdnow("sample")
    kw = dict(calibration_end="1997-09-30", observation_end="1998-06-30", include_cohort=True)
    on_duckdb = _quiet(log, **kw)
    on_spark = _quiet(log, engine=con, **kw)
    pd.testing.assert_frame_equal(on_spark, on_duckdb, check_exact=True)
    assert on_spark.attrs["crmlib"].engine == "pyspark"
    assert on_spark.attrs["crmlib"].checks == on_duckdb.attrs["crmlib"].checks


@pytest.mark.parametrize(
    "kw",
    [
        dict(period="week", time_unit="week", calibration_end="2020-10-07", include_cohort="quarter"),
        dict(period="month", time_unit="month", include_cohort="year"),
        dict(period="day", time_unit=365.25 / 12, on_duplicate="exclude"),
    ],
)
def test_spark_generated_log_equals_duckdb_exactly(con, tmp_path, kw):
    rng = np.random.default_rng(11)
    n = 4000
    log = pd.DataFrame(
        {
            "customer_id": rng.integers(1, 400, size=n).astype(str),  # text ids
            "date": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 500 * 86400, size=n), unit="s"),
            "amount": np.round(rng.lognormal(3, 1, size=n), 2),
        }
    )
    log = pd.concat([log, log.iloc[:25]], ignore_index=True)  # some exact duplicates
    path = tmp_path / "log.parquet"
    log.to_parquet(path, coerce_timestamps="us")  # Spark reads micro-, not nanoseconds
    on_duckdb = _quiet(path, observation_end="2021-03-31", **kw)
    # a table on the Spark engine (read by Spark itself), run through the same definition
    spark_table = con.read_parquet(str(path))
    on_spark = _quiet(spark_table, observation_end="2021-03-31", **kw)
    pd.testing.assert_frame_equal(on_spark, on_duckdb, check_exact=True)
    # DuckDB runs the sort plan by default, Spark the aggregate plan: two plans, two engines, one table
    assert (on_duckdb.attrs["crmlib"].plan, on_spark.attrs["crmlib"].plan) == ("sort", "aggregate")
    assert on_spark.attrs["crmlib"].checks == on_duckdb.attrs["crmlib"].checks


def test_spark_runs_the_sort_plan_too(con):
    """The sort plan's ordered rows can come from Spark as well (every row then travels to the driver)."""
    log = load_cdnow("sample")
    kw = dict(calibration_end="1997-09-30", observation_end="1998-06-30", include_cohort="week")
    on_spark = _quiet(con.create_table("cdnow_sort_plan", log, overwrite=True), plan="sort", **kw)
    pd.testing.assert_frame_equal(on_spark, _quiet(log, plan="aggregate", **kw), check_exact=True)
    assert on_spark.attrs["crmlib"].plan == "sort" and on_spark.attrs["crmlib"].checks["duplicate"] == 21


def test_spark_dataframe_input_and_check_names_the_records(spark, con):
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 2],
            "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
            "amount": [5.0, -5.0, 3.0],
        }
    )
    frame = spark.createDataFrame(log)
    with pytest.raises(DataError, match=r"1 rows have a negative amount.*'customer_id': 1, 'date': '2024-01-02'"):
        summarize(frame)
    with pytest.warns(DataWarning, match="1 rows have a negative amount.*excluded"):
        got = summarize(frame, on_negative="exclude", time_unit="day")
    pd.testing.assert_frame_equal(got, _quiet(log, on_negative="exclude", time_unit="day"), check_exact=True)


def test_spark_large_sums_round_like_duckdb(con):
    """Spend sums beyond 2**53 micro-units (9e9 currency) convert to the same correctly rounded float64.

    The amounts stay below 2**32 (4.3e9), where a float64 holds 6 decimals exactly, so both engines round
    every amount to the same DECIMAL(18, 6) (beyond, Spark and DuckDB may round a float differently).
    """
    rng = np.random.default_rng(4)
    n = 300
    log = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 6, n),
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D"),
            "amount": np.round(rng.uniform(1e9, 4.2e9, n), 6),
        }
    )
    kw = dict(time_unit="day", on_duplicate="ignore", calibration_end="2024-05-01")
    on_duckdb = _quiet(log, **kw)
    assert (on_duckdb["monetary"] * on_duckdb["frequency"]).min() > 2**53 / 1e6
    pd.testing.assert_frame_equal(_quiet(log, engine=con, **kw), on_duckdb, check_exact=True)


@pytest.mark.parametrize("ansi", ["true", "false"])
def test_spark_period_spend_overflow_is_reported_with_or_without_ansi(spark, con, ansi):
    """A customer's spend of 10**12 or more in one day overflows DECIMAL(18, 6): an error either way
    (ANSI mode raises; without it Spark returns NULL, which summarize counts and reports)."""
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2],
            "amount": [1.0, 6e11, 6e11, 5.0],
            "date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-03", "2024-01-02"]),
        }
    )
    before = spark.conf.get("spark.sql.ansi.enabled")
    spark.conf.set("spark.sql.ansi.enabled", ansi)
    try:
        expected = (
            "spend in one period reaches 10\\*\\*12" if ansi == "true" else "returned no spend for 1 customer-periods"
        )
        with pytest.raises(
            DataError, match=f"{expected}.*column 'amount'|{expected}.*customers \\[1\\]; column 'amount'"
        ):
            _quiet(con.create_table("overflow_log", log, overwrite=True), on_duplicate="ignore")
    finally:
        spark.conf.set("spark.sql.ansi.enabled", before)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"encoding": "cp949"}, r"encoding='cp949' cannot be honoured for a CSV file on pyspark: .*UTF-8 only"),
        ({"delimiter": ";"}, r"delimiter=';' cannot be honoured for a CSV file on pyspark: .*splits on ','"),
    ],
)
def test_inputchecks_spark_csv_reading_options_it_would_ignore_are_refused(con, tmp_path, kwargs, words):
    path = tmp_path / "log.csv"
    path.write_text("customer_id;date;amount\n1;2020-01-01;1.5\n", encoding="utf-8")
    with pytest.raises(DataError, match=words):
        read_log(str(path), engine=con, **kwargs)
