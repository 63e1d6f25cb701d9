"""Facts stated in the text: agreement of repeated statements, chronology of events."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError
from .findings import Finding


def check_agreement(values: Mapping[str, Any], *, item: str = "agreement", what: str = "value") -> Finding:
    """Check that several printed statements of the same fact agree (e.g. a founding year).

    ``values`` maps where each statement is printed to the value printed there.
    Dates and years are compared at the coarser resolution of the two (a year
    agrees with any date in that year).
    """
    if len(values) < 2:
        raise DataError("check_agreement: give at least two statements to compare")
    keys = list(values)
    timed = any(_is_time(v) for v in values.values())
    parsed = {k: _when(values[k]) if timed else values[k] for k in keys}
    first = parsed[keys[0]]
    disagree = [k for k in keys[1:] if not _same(first, parsed[k])]
    listing = "; ".join(f"{k}: {values[k]}" for k in keys)
    if not disagree:
        sev, msg, reported = "ok", f"Every statement of the {what} agrees ({listing}).", values[keys[0]]
    else:
        sev, msg = "error", f"The {what} is printed differently in different places ({listing})."
        reported = values[disagree[0]]
    return Finding("agreement", item, sev, msg, values[keys[0]], reported, {"values": dict(values)})


def _is_time(v) -> bool:
    return isinstance(v, (_dt.date, pd.Timestamp)) or (
        isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()) is not None
    )


def _when(v) -> tuple[_dt.date, _dt.date]:
    """A date or year as the closed interval of days it covers."""
    if isinstance(v, pd.Timestamp):
        v = v.date()
    if isinstance(v, _dt.datetime):
        v = v.date()
    if isinstance(v, _dt.date):
        return v, v
    if isinstance(v, (int, np.integer)) or (isinstance(v, (float, np.floating)) and float(v).is_integer()):
        v = str(int(v))
    s = str(v).strip()
    if re.fullmatch(r"\d{4}", s):
        y = int(s)
        return _dt.date(y, 1, 1), _dt.date(y, 12, 31)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        try:
            d = _dt.date.fromisoformat(s)
        except ValueError as exc:
            raise DataError(f"cannot read {v!r} as a date (YYYY-MM-DD): {exc}") from None
        return d, d
    raise DataError(f"cannot read {v!r} as a year (YYYY) or a date (YYYY-MM-DD)")


def _same(a, b) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return a[0] <= b[1] and b[0] <= a[1]
    return a == b


def check_chronology(events: Mapping[str, Any], *, item: str = "chronology") -> list[Finding]:
    """Check that events stated in the text happen in the order given.

    ``events`` maps a label to a year (``2010`` or ``"2010"``) or a date
    (``"2019-02-01"``), in the order they must occur (each no later than the
    next). A year covers its whole span, so "founded 2019-02-01" then "active
    2019" is in order. One finding per consecutive pair: ``ok`` or ``error``.
    """
    if len(events) < 2:
        raise DataError("check_chronology: give at least two events")
    labels = list(events)
    spans = {k: _when(events[k]) for k in labels}
    out = []
    for a, b in zip(labels[:-1], labels[1:]):
        ok = spans[a][0] <= spans[b][1]
        msg = (
            f"{a} ({events[a]}) comes no later than {b} ({events[b]}), as it must."
            if ok
            else f"{a} ({events[a]}) is after {b} ({events[b]}), though it must come first."
        )
        out.append(
            Finding(
                "chronology",
                f"{item}: {a} before {b}",
                "ok" if ok else "error",
                msg,
                None,
                f"{events[a]} / {events[b]}",
                {"first": str(events[a]), "second": str(events[b])},
            )
        )
    return out


def not_checkable(item: str, reason: str) -> Finding:
    """An ``info`` finding recording that printed numbers cannot be checked, and why."""
    return Finding("not_checkable", item, "info", reason)
