"""ONE definition of the time of a summary: period starts, spans between them, and the holdout split.

Both plans of :func:`crmlib.transactions.summarize` and its bookkeeping need
the same three rules, on three kinds of values: Ibis expressions (run by the
engine), pandas timestamps (single dates such as the calibration end) and
numpy arrays of days since 1970-01-01 (the sort plan's stream). The three
spellings of each rule stand side by side here, and
``tests/test_transactions_time.py`` checks that they agree on every day of
several years.

Rules (Fader, Hardie & Lee 2005, "Counting your customers the easy way",
Marketing Science 24(2), section 2; ISO 8601 weeks):

* **period start** of a day: the day itself (``"day"``), the Monday of its ISO
  week (``"week"``), the first of its month (``"month"``); for cohorts also
  the first day of its quarter (``"quarter"``) or year (``"year"``).
* **span** from one period start to a later one, in ``time_unit``: days divided
  by the unit's length in days (:func:`crmlib.spec.days_per_unit`; a number of
  days is its own length), except months of monthly periods, which are whole
  calendar months (``12 * years + months``), so that ``period="month",
  time_unit="month"`` counts months exactly.
* **holdout**: a day is in the holdout when it is after ``calibration_end``
  (the split is by day, so a week or month that straddles the calibration end
  counts on both sides, as in lifetimes' ``calibration_and_holdout_data``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_choice
from ..exceptions import DataError
from ..spec import PERIODS, days_per_unit

COHORTS = ("day", "week", "month", "quarter", "year")
"""Allowed cohort periods (``include_cohort``)."""

TIME_UNITS = ("day", "week", "month")
"""Named time units of a summary (or a positive number of days)."""

_IBIS_UNIT = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}
_EPOCH = np.datetime64("1970-01-01", "D")


def check_period(period: Any, name: str = "period") -> str:
    """``period`` is ``"day"``, ``"week"`` or ``"month"`` (:data:`crmlib.spec.PERIODS`)."""
    return check_choice(period, name, PERIODS)


def check_time_unit(time_unit: Any) -> str | float:
    """``"day"``, ``"week"``, ``"month"`` or a positive number of days (returned as float)."""
    if isinstance(time_unit, str):
        return check_choice(time_unit, "time_unit", TIME_UNITS)
    try:
        return days_per_unit(time_unit)
    except DataError:
        raise DataError(
            f"time_unit must be one of {list(TIME_UNITS)} or a positive number of days, got {time_unit!r}"
        ) from None


def to_timestamp(value: Any, name: str) -> pd.Timestamp | None:
    """A date parameter (text, date, timestamp) as a midnight :class:`pandas.Timestamp` without time zone."""
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise DataError(f"{name} must be a date, got {value!r}") from exc
    if ts is pd.NaT:
        raise DataError(f"{name} must be a date, got {value!r}")
    return ts.tz_localize(None).normalize() if ts.tzinfo is not None else ts.normalize()


def _whole_months(period: str, time_unit: str | float) -> bool:
    return period == "month" and time_unit == "month"


# ------------------------------------------------------------------------ period start


def period_start_expr(day, period: str):
    """Ibis: the start of the period of the date expression ``day``."""
    return day if period == "day" else day.truncate(_IBIS_UNIT[period])


def period_start(ts: pd.Timestamp, period: str) -> pd.Timestamp:
    """pandas: the start of the period of one day."""
    if period == "day":
        return ts
    if period == "week":
        return ts - pd.Timedelta(days=ts.dayofweek)
    if period == "month":
        return ts.replace(day=1)
    if period == "quarter":
        return ts.replace(month=ts.month - (ts.month - 1) % 3, day=1)
    return ts.replace(month=1, day=1)


def period_start_days(days: np.ndarray, period: str) -> np.ndarray:
    """numpy: the start of the period of ``days`` (days since 1970-01-01) as days since 1970-01-01 (int64)."""
    d = np.asarray(days).astype("int64")
    if period == "day":
        return d
    if period == "week":  # 1970-01-01 was a Thursday; ISO weeks start on Monday
        return d - (d + 3) % 7
    months = d.astype("datetime64[D]").astype("datetime64[M]").astype("int64")
    if period == "quarter":
        months = months - months % 3
    elif period == "year":
        months = months - months % 12
    return months.astype("datetime64[M]").astype("datetime64[D]").astype("int64")


def days_to_datetime(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 as ``datetime64[ns]``."""
    return np.asarray(days).astype("int64").astype("datetime64[D]").astype("datetime64[ns]")


def timestamp_to_days(ts: pd.Timestamp) -> int:
    """A timestamp's day as days since 1970-01-01."""
    return int((np.datetime64(ts.date(), "D") - _EPOCH) // np.timedelta64(1, "D"))


# -------------------------------------------------------------------------------- span


def span_expr(later, earlier, period: str, time_unit: str | float):
    """Ibis: (later - earlier) in ``time_unit`` as float64; both are period starts (date expressions)."""
    if _whole_months(period, time_unit):
        n = (later.year() * 12 + later.month()) - (earlier.year() * 12 + earlier.month())
        return n.cast("float64")
    return later.delta(earlier, unit="day").cast("float64") / days_per_unit(time_unit)


def span(later: pd.Timestamp, earlier: pd.Timestamp, period: str, time_unit: str | float) -> float:
    """pandas: (later - earlier) in ``time_unit``; both are period starts."""
    if _whole_months(period, time_unit):
        return float((later.year * 12 + later.month) - (earlier.year * 12 + earlier.month))
    return (later - earlier).days / days_per_unit(time_unit)


def span_days(later: np.ndarray, earlier: np.ndarray, period: str, time_unit: str | float) -> np.ndarray:
    """numpy: (later - earlier) in ``time_unit`` as float64; both are period starts in days since 1970-01-01."""
    if _whole_months(period, time_unit):
        return (_month_index(later) - _month_index(earlier)).astype(np.float64)
    days = np.subtract(later, earlier, dtype=np.int64).astype(np.float64)
    days /= days_per_unit(time_unit)
    return days


def _month_index(days: np.ndarray) -> np.ndarray:
    """Months since January 1970 of ``days`` (days since 1970-01-01)."""
    return np.asarray(days).astype("int64").astype("datetime64[D]").astype("datetime64[M]").astype("int64")


# ----------------------------------------------------------------------------- holdout


def in_holdout_expr(day, calibration_end: pd.Timestamp):
    """Ibis: whether the date expression ``day`` is after ``calibration_end`` (the holdout)."""
    import ibis

    return day > ibis.literal(pd.Timestamp(calibration_end).date(), type="date")


def in_holdout(day: pd.Timestamp, calibration_end: pd.Timestamp) -> bool:
    """pandas: whether one day is after ``calibration_end``."""
    return day.normalize() > calibration_end


def in_holdout_days(days: np.ndarray, calibration_end: pd.Timestamp) -> np.ndarray:
    """numpy: whether ``days`` (days since 1970-01-01) are after ``calibration_end``."""
    return np.asarray(days) > timestamp_to_days(calibration_end)
