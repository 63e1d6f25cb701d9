"""crmlib.transactions: the checks of a log (crmlib/transactions/_checks.py): missing and unreadable values, policies for
negative and zero amounts, duplicates and rows after the observation end, each error naming columns and rows.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _transactions_common import _log, _quiet, _random_log

from crmlib.exceptions import DataError, DataWarning
from crmlib.transactions import (
    summarize,
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


def test_inputchecks_empty_log_and_engine_with_ibis_table():
    import ibis

    with pytest.raises(DataError, match="the transaction log has no rows"):
        summarize(_log().iloc[:0])
    with pytest.raises(DataError, match="engine= is not used with an Ibis table"):
        summarize(ibis.memtable(_log()), engine="duckdb")


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


@pytest.mark.parametrize("plan", ["sort", "aggregate"])
def test_duplicate_warning_points_at_the_callers_line(plan):
    log = pd.concat([_log(), _log().iloc[[1]]])
    with pytest.warns(DataWarning, match="1 rows are exact duplicates") as caught:
        summarize(log, plan=plan)
    assert [w.filename for w in caught] == [__file__]


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
