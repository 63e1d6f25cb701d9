"""The time rules of a summary: the Ibis, pandas and numpy spellings in crmlib.transactions._time agree.

Oracle: each spelling is computed independently on every day of 2019-2025 (ISO weeks: Monday starts,
ISO 8601; months and quarters from the calendar) and all three must give the same numbers.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from crmlib.exceptions import DataError
from crmlib.transactions import _time

DAYS = pd.date_range("2019-01-01", "2025-12-31", freq="D")
EPOCH_DAYS = ((DAYS - pd.Timestamp("1970-01-01")).days).to_numpy()


def _ibis_values(expr_of, **cols):
    t = ibis.memtable(pd.DataFrame(cols))
    return t.select(v=expr_of(t)).to_pandas()["v"]


@pytest.mark.parametrize("period", ["day", "week", "month", "quarter", "year"])
def test_period_start_three_spellings_agree(period):
    by_pandas = pd.DatetimeIndex([_time.period_start(d, period) for d in DAYS])
    by_numpy = pd.DatetimeIndex(_time.days_to_datetime(_time.period_start_days(EPOCH_DAYS, period)))
    by_ibis = pd.DatetimeIndex(_ibis_values(lambda t: _time.period_start_expr(t.day, period), day=DAYS.date)).astype(
        "datetime64[ns]"
    )
    assert by_pandas.equals(by_numpy) and by_pandas.equals(by_ibis)
    if period == "week":
        assert (by_pandas.dayofweek == 0).all()  # ISO weeks start on Monday
    if period == "quarter":
        assert set(by_pandas.month) == {1, 4, 7, 10} and (by_pandas.day == 1).all()


@pytest.mark.parametrize("period", ["day", "week", "month"])
@pytest.mark.parametrize("unit", ["day", "week", "month", 10.0])
def test_span_three_spellings_agree(period, unit):
    rng = np.random.default_rng(3)
    a, b = rng.choice(len(DAYS), 2000), rng.choice(len(DAYS), 2000)
    later = _time.period_start_days(np.maximum(EPOCH_DAYS[a], EPOCH_DAYS[b]), period)
    earlier = _time.period_start_days(np.minimum(EPOCH_DAYS[a], EPOCH_DAYS[b]), period)
    by_numpy = _time.span_days(later, earlier, period, unit)
    lt, et = pd.DatetimeIndex(_time.days_to_datetime(later)), pd.DatetimeIndex(_time.days_to_datetime(earlier))
    by_pandas = np.array([_time.span(x, y, period, unit) for x, y in zip(lt, et)])
    by_ibis = _ibis_values(
        lambda t: _time.span_expr(t.later, t.earlier, period, unit), later=lt.date, earlier=et.date
    ).to_numpy()
    np.testing.assert_array_equal(by_numpy, by_pandas)
    np.testing.assert_array_equal(by_numpy, by_ibis)
    if unit == "month" and period == "month":  # whole calendar months
        assert (by_numpy == np.round(by_numpy)).all()
    elif unit == "week":
        np.testing.assert_allclose(by_numpy * 7, (lt - et).days, rtol=1e-15)


def test_holdout_split_three_spellings_agree():
    cal = pd.Timestamp("2022-03-15")
    by_numpy = _time.in_holdout_days(EPOCH_DAYS, cal)
    by_pandas = np.array([_time.in_holdout(d, cal) for d in DAYS])
    by_ibis = _ibis_values(lambda t: _time.in_holdout_expr(t.day, cal), day=DAYS.date).to_numpy()
    np.testing.assert_array_equal(by_numpy, by_pandas)
    np.testing.assert_array_equal(by_numpy, by_ibis)
    assert by_numpy.sum() == (DAYS > cal).sum()


def test_time_parameters_use_the_glossary_words():
    assert _time.check_time_unit("week") == "week" and _time.check_time_unit(7) == 7.0
    with pytest.raises(DataError, match=r"time_unit must be one of \['day', 'week', 'month'\], got 'W'"):
        _time.check_time_unit("W")
    with pytest.raises(DataError, match="positive number of days, got 0"):
        _time.check_time_unit(0)
    with pytest.raises(DataError, match=r"period must be one of \['day', 'week', 'month'\], got 'D'"):
        _time.check_period("D")
