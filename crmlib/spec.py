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

:class:`ValueTerms` is the one definition of customer value that the CLV,
profitability, retention and case-study reports share: the margin as a share
of revenue, the annual discount rate, the horizon and the currency. A report
takes ``value_terms = {}`` (the defaults of :data:`VALUE_TERMS`) and builds it
with :meth:`ValueTerms.from_mapping`, so no report retypes a margin or a rate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._checks import check_discount_rate, check_probability, close_matches
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


@dataclasses.dataclass(frozen=True)
class ValueTerms:
    """The terms of customer value shared by every report: margin, discount rate, horizon and currency.

    One frozen record, so that the CLV, profitability, retention and case-study
    reports value the same customers on the same terms (issue 15.2). Functions
    that turn purchases into money read the margin and the rate from it; the
    per-period conversions below are the only ones (365.25 days a year).

    Attributes
    ----------
    margin_share : profit as a share of revenue, in (0, 1] (0.3: 30 % of every
        sale is profit before the cost to serve). An assumption for a purchase log,
        which records revenue only.
    discount_rate : annual effective discount rate, in (0, 1) (0.1 for 10 % a year).
    horizon_years : how far ahead value is counted, in years; ``None``: the
        customer's whole remaining life (the residual value of Fader, Hardie & Lee
        2005b and the infinite-horizon value of Pfeifer & Carraway 2000).
    currency : name of the currency units, for labels (``"USD"``).

    References
    ----------
    Gupta, S., Lehmann, D. R. & Stuart, J. A. (2004). Valuing customers. *Journal of
    Marketing Research* 41(1), 7-18 (customer equity as the sum of discounted margins).
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005b). RFM and CLV. *JMR* 42(4), 415-430.

    Examples
    --------
    >>> terms = ValueTerms.from_mapping({"discount_rate": 0.15})
    >>> round(terms.rate_per_period(12), 6), terms.margin_share
    (0.011715, 0.3)
    """

    margin_share: float = 0.3
    discount_rate: float = 0.10
    horizon_years: float | None = None
    currency: str = "USD"

    def __post_init__(self) -> None:
        m = float(check_probability(self.margin_share, "margin_share"))
        if m == 0:
            raise DataError("margin_share must be in (0, 1], the share of revenue that is profit; got 0")
        object.__setattr__(self, "margin_share", m)
        object.__setattr__(self, "discount_rate", check_discount_rate(self.discount_rate))
        h = self.horizon_years
        if h is not None:
            if isinstance(h, bool) or not isinstance(h, (int, float)) or not 0 < h < float("inf"):
                raise DataError(f"horizon_years must be a positive number of years or None (whole life), got {h!r}")
            object.__setattr__(self, "horizon_years", float(h))
        if not isinstance(self.currency, str) or not self.currency.strip():
            raise DataError(f"currency must be a non-empty text such as 'USD', got {self.currency!r}")

    @classmethod
    def from_mapping(cls, value_terms: Mapping[str, Any] | None = None) -> ValueTerms:
        """The terms with the defaults of :data:`VALUE_TERMS` replaced by ``value_terms`` (a report parameter).

        An unknown key is a :class:`~crmlib.exceptions.DataError` naming it and the close matches.
        """
        given = dict(value_terms or {})
        fields = [f.name for f in dataclasses.fields(cls)]
        for key in given:
            if key not in fields:
                raise DataError(f"value_terms has no term {key!r}{close_matches(key, fields)}; the terms are {fields}")
        return dataclasses.replace(VALUE_TERMS, **given)

    def rate_per_period(self, periods_per_year: float) -> float:
        """Effective discount rate per period: ``(1 + discount_rate) ** (1 / periods_per_year) - 1``."""
        return float((1.0 + self.discount_rate) ** (1.0 / _positive(periods_per_year)) - 1.0)

    def continuous_rate(self, periods_per_year: float) -> float:
        """Continuously compounded rate per period: ``log(1 + discount_rate) / periods_per_year``."""
        return float(np.log1p(self.discount_rate) / _positive(periods_per_year))

    def horizon_periods(self, periods_per_year: float) -> int | None:
        """The horizon in whole periods (rounded to the nearest), or ``None`` for the whole remaining life."""
        if self.horizon_years is None:
            return None
        return max(1, int(round(self.horizon_years * _positive(periods_per_year))))

    def describe(self) -> str:
        """The terms in words, for captions: ``"margin 30% of revenue, discount rate 10% a year, whole life"``."""
        horizon = "whole remaining life" if self.horizon_years is None else f"{self.horizon_years:g} years"
        return f"margin {self.margin_share:.0%} of revenue, discount rate {self.discount_rate:.0%} a year, {horizon}"

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON records and parameter tables."""
        return dataclasses.asdict(self)


def _positive(periods_per_year: float) -> float:
    if isinstance(periods_per_year, bool) or not isinstance(periods_per_year, (int, float)) or not periods_per_year > 0:
        raise DataError(f"periods_per_year must be a positive number, got {periods_per_year!r}")
    return float(periods_per_year)


VALUE_TERMS = ValueTerms()
"""The shared default terms: margin 30 % of revenue, 10 % a year, whole remaining life, USD."""


__all__ = [
    "DAYS_PER_YEAR",
    "PERIODS",
    "PERIODS_PER_YEAR",
    "VALUE_TERMS",
    "SummarySpec",
    "ValueTerms",
    "days_per_unit",
    "summary_spec",
    "unit_label",
]
