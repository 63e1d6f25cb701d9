"""The time vocabulary of crmlib and the record of how a customer summary was made.

One vocabulary for time (``docs/glossary.md``): ``period`` (how purchases are
grouped) and ``time_unit`` (the unit of ``recency``, ``T`` and every time a
model sees) take the names ``"day"``, ``"week"``, ``"month"`` (and, for
cohorts, ``"quarter"``, ``"year"``); ``time_unit`` may also be a positive
number of days. Rates per year are converted with :data:`PERIODS_PER_YEAR`
(365.25 days a year, so a week is 1/52.18 of a year, not 1/52).

:class:`SummarySpec` travels with a summary made by
:func:`crmlib.transactions.summarize` (``summary.attrs["crmlib"]``): the
calibration and observation ends, the period, the time unit and its length in
days, the source and its row counts. CLV functions, validation and plots read
it with :func:`summary_spec` instead of being told the unit or the dates again
(as CLVTools' ``clvdata`` object fixes ``time.unit`` and ``estimation.split``
once).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .exceptions import DataError

DAYS_PER_YEAR = 365.25
"""Days in a (Julian) year: the one conversion between days and years in crmlib."""

PERIODS_PER_YEAR: dict[str, float] = {
    "day": DAYS_PER_YEAR,
    "week": DAYS_PER_YEAR / 7.0,
    "month": 12.0,
    "quarter": 4.0,
    "year": 1.0,
}
"""Periods in a year for each named time unit."""

PERIODS = ("day", "week", "month")
"""The allowed ``period`` values: purchases in one period count as one."""


def days_per_unit(time_unit: str | float) -> float:
    """Length of ``time_unit`` in days: a name of :data:`PERIODS_PER_YEAR` or a positive number of days.

    A calendar month is ``365.25 / 12`` days on average; weeks are 7 days.
    """
    if isinstance(time_unit, str):
        if time_unit not in PERIODS_PER_YEAR:
            raise DataError(
                f"time_unit must be one of {sorted(PERIODS_PER_YEAR)} or a number of days, got {time_unit!r}"
            )
        return DAYS_PER_YEAR / PERIODS_PER_YEAR[time_unit]
    if (
        isinstance(time_unit, bool)
        or not isinstance(time_unit, (int, float))
        or not time_unit > 0
        or time_unit == float("inf")
    ):
        raise DataError(
            f"time_unit must be one of {sorted(PERIODS_PER_YEAR)} or a positive number of days, got {time_unit!r}"
        )
    return float(time_unit)


def unit_label(time_unit: str | float, plural: bool = True) -> str:
    """Words for a time unit in prose and axis labels: ``"weeks"``, ``"week"``, ``"10-day units"``."""
    if isinstance(time_unit, str):
        days_per_unit(time_unit)
        return time_unit + ("s" if plural else "")
    d = days_per_unit(time_unit)
    return f"{d:g}-day unit" + ("s" if plural else "")


@dataclasses.dataclass(frozen=True)
class SummarySpec:
    """How a per-customer summary was made; read it with :func:`summary_spec`.

    Attributes
    ----------
    observation_end : last day observed (inclusive).
    calibration_end : last day of the calibration period (inclusive), or ``None``.
    period : ``"day"``, ``"week"`` or ``"month"``: purchases in one period count as one.
    time_unit : unit of ``recency``, ``T`` and ``duration_holdout``: a name or a number of days.
    days_per_unit : length of the time unit in days.
    source : what was read (a path, ``"pandas DataFrame"``, a table name).
    n_rows : rows in the source; ``n_rows_used`` : rows that entered the summary.
    n_customers : customers in the summary.
    customers_first_seen_in_holdout : customers whose first purchase is after ``calibration_end``.
    checks : count of rows met by each input check (e.g. ``{"negative": 3}``).
    engine, plan : where and how the summary was computed.
    """

    observation_end: pd.Timestamp
    calibration_end: pd.Timestamp | None
    period: str
    time_unit: str | float
    days_per_unit: float
    source: str = ""
    n_rows: int = 0
    n_rows_used: int = 0
    n_customers: int = 0
    customers_first_seen_in_holdout: int = 0
    checks: Mapping[str, int] = dataclasses.field(default_factory=dict)
    engine: str = ""
    plan: str = ""

    def __post_init__(self) -> None:
        if self.period not in PERIODS:
            raise DataError(f"period must be one of {list(PERIODS)}, got {self.period!r}")
        if abs(days_per_unit(self.time_unit) - self.days_per_unit) > 1e-9:
            raise DataError(f"days_per_unit {self.days_per_unit} does not match time_unit {self.time_unit!r}")
        if self.calibration_end is not None and self.calibration_end >= self.observation_end:
            raise DataError(
                f"calibration_end {self.calibration_end.date()} must be before observation_end {self.observation_end.date()}"
            )

    @property
    def periods_per_year(self) -> float:
        """Time units in a year (``365.25 / days_per_unit``; 12 for months)."""
        if isinstance(self.time_unit, str):
            return PERIODS_PER_YEAR[self.time_unit]
        return DAYS_PER_YEAR / self.days_per_unit

    @property
    def unit_label(self) -> str:
        """Plural words for the time unit, for prose and axis labels (``"weeks"``)."""
        return unit_label(self.time_unit)

    @property
    def holdout_length(self) -> float | None:
        """Length of the holdout period in time units (``None`` without a calibration end)."""
        if self.calibration_end is None:
            return None
        return (self.observation_end - self.calibration_end).days / self.days_per_unit

    def to_dict(self) -> dict[str, Any]:
        """Plain values (dates as ISO text) for JSON records and captions."""
        out = dataclasses.asdict(self)
        for k in ("observation_end", "calibration_end"):
            out[k] = None if out[k] is None else str(pd.Timestamp(out[k]).date())
        out["checks"] = dict(self.checks)
        out["periods_per_year"] = self.periods_per_year
        return out


def summary_spec(summary: pd.DataFrame) -> SummarySpec:
    """The :class:`SummarySpec` carried by a summary from :func:`crmlib.transactions.summarize`.

    Raises :class:`~crmlib.exceptions.DataError` for a table that does not carry one
    (e.g. a summary read from a CSV file): pass the time unit and dates explicitly then.
    """
    spec = getattr(summary, "attrs", {}).get("crmlib")
    if not isinstance(spec, SummarySpec):
        raise DataError(
            "this summary carries no SummarySpec (it was not made by crmlib.transactions.summarize, "
            "or was rebuilt since); pass time_unit / calibration_end explicitly, or re-summarise the log"
        )
    return spec


__all__ = ["DAYS_PER_YEAR", "PERIODS", "PERIODS_PER_YEAR", "SummarySpec", "days_per_unit", "summary_spec", "unit_label"]
