"""Helpers shared by the tests of crmlib.transactions (test_transactions_*.py)."""

from __future__ import annotations

import warnings
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from crmlib.exceptions import DataWarning
from crmlib.transactions import (
    summarize,
)

CAL_END = pd.Timestamp("1997-09-30")
OBS_END = pd.Timestamp("1998-06-30")


def _quiet(*args, **kwargs):
    """summarize() with DataWarnings silenced (tests of the checks assert them explicitly)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return summarize(*args, **kwargs)


def _half_up(x: float, places: str = "0.01") -> float:
    return float(Decimal(repr(round(x, 6))).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _log():
    return pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 2, 3],
            "date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-02", "2024-01-09", "2024-01-03"]),
            "amount": [10.0, 12.0, 8.0, 4.0, 20.0],
        },
        index=[10, 11, 12, 13, 14],
    )


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
