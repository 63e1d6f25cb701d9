"""The settings of one summary, carried as one frozen object through the checks and both plans."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ._checks import Policies


@dataclass(frozen=True)
class _SummaryJob:
    """What :func:`crmlib.transactions.summarize` was asked for, checked (the log carries the column names).

    ``observation_end`` is ``None`` until the checks set it to the last transaction date.
    """

    observation_end: pd.Timestamp | None
    calibration_end: pd.Timestamp | None
    period: str  # "day", "week", "month"
    time_unit: str | float  # "day", "week", "month" or days
    cohort: str | None  # "day" ... "year", or None
    policies: Policies
    plan: str  # "sort" or "aggregate" (resolved from "auto")

    @property
    def holdout(self) -> bool:
        return self.calibration_end is not None
