"""The bundled transaction data: CDNOW purchase logs, the classic CDNOW summary, the donations summary."""

from __future__ import annotations

import os
from typing import Literal

import pandas as pd

from ..exceptions import DataError
from ._common import (
    _read_whitespace_table,
    _resolve,
    _to_date,
    _to_float,
    _to_int,
)

BUNDLED_LOGS: dict[str, Literal["sample", "master"]] = {"cdnow_sample": "sample", "cdnow_master": "master"}
"""The bundled transaction logs by the name a report's ``dataset`` parameter takes, and their CDNOW subset."""


def load_cdnow(subset: Literal["sample", "master"] = "sample", path: str | os.PathLike | None = None) -> pd.DataFrame:
    """CDNOW purchase log, one row per transaction.

    The customers who made their first purchase at the online music retailer
    CDNOW in the first quarter of 1997, followed to the end of June 1998
    (Fader & Hardie; used in Fader, Hardie & Lee 2005, "Counting your
    customers the easy way", Marketing Science 24(2)).

    Parameters
    ----------
    subset : ``"sample"`` (the 1/10 sample, 2,357 customers, 6,919 rows) or
        ``"master"`` (the full cohort, 23,570 customers, 69,659 rows).
    path : read a file of the same layout instead of the bundled one.

    Returns
    -------
    DataFrame with columns

    ==============  =================  ============================================
    ``customer_id`` int64              customer number (for ``"sample"``: 1..2,357,
                                       the ID of the classic summary)
    ``date``        datetime64[ns]     purchase day
    ``quantity``    int64              number of CDs bought (units)
    ``amount``      float64            value of the purchase (US dollars)
    ``master_id``   int64              ``"sample"`` only: the id in the master file
    ==============  =================  ============================================

    Several rows can share a customer and a day: the log is not aggregated.
    """
    if subset not in ("sample", "master"):
        raise DataError(f"subset must be 'sample' or 'master', got {subset!r}")
    if subset == "sample":
        p = _resolve(path, "CDNOW_sample.txt")
        raw = _read_whitespace_table(p, ["master_id", "customer_id", "date", "quantity", "amount"])
    else:
        p = _resolve(path, "CDNOW_master.txt")
        raw = _read_whitespace_table(p, ["customer_id", "date", "quantity", "amount"])
    out = pd.DataFrame(
        {
            "customer_id": _to_int(raw, "customer_id", p.name),
            "date": _to_date(raw, "date", p.name),
            "quantity": _to_int(raw, "quantity", p.name),
            "amount": _to_float(raw, "amount", p.name),
        }
    )
    if subset == "sample":
        out["master_id"] = _to_int(raw, "master_id", p.name)
    return out


def load_cdnow_summary(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The classic CDNOW calibration summary (Fader, Hardie & Lee 2005), 2,357 customers.

    Built from ``CDNOW_sample.txt`` with purchases grouped by day, calibration
    period 1997-01-01 .. 1997-09-30 (39 weeks), times in weeks (days / 7,
    rounded to 2 decimals in the file). The file is
    ``cdnow_customers_summary_with_transactions.csv`` as shipped in lifetimes
    0.11.3; Fader & Hardie's BG/NBD estimates (r = 0.243, alpha = 4.414,
    a = 0.793, b = 2.426) are fitted on it.

    Returns
    -------
    DataFrame indexed by ``customer_id`` (1..2,357) with columns

    =============  ========  ==================================================
    ``frequency``  int64     repeat purchase days in the calibration period
    ``recency``    float64   weeks from first to last purchase
    ``T``          float64   weeks from first purchase to 1997-09-30
    ``monetary``   float64   mean value of the repeat purchases (US dollars;
                             0 when ``frequency`` is 0)
    =============  ========  ==================================================
    """
    p = _resolve(path, "cdnow_customers_summary_with_transactions.csv")
    try:
        raw = pd.read_csv(p)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{p.name}: cannot be parsed as CSV: {exc}") from exc
    expected = ["ID", "x", "t_x", "T", "zbar"]
    if list(raw.columns) != expected:
        raise DataError(f"{p.name}: expected columns {expected}, found {list(raw.columns)}")
    out = pd.DataFrame(
        {
            "frequency": _to_int(raw, "x", p.name).to_numpy(),
            "recency": _to_float(raw, "t_x", p.name).to_numpy(),
            "T": _to_float(raw, "T", p.name).to_numpy(),
            "monetary": _to_float(raw, "zbar", p.name).to_numpy(),
        },
        index=pd.Index(_to_int(raw, "ID", p.name).to_numpy(), name="customer_id"),
    )
    return out


def load_donations(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Discrete-time donation histories, compressed (Fader, Hardie & Shang 2010).

    11,104 first-time supporters of a non-profit organisation acquired in 1995,
    followed over the 6 yearly donation opportunities 1996-2001. Each row is one
    distinct history; ``weight`` counts the donors behind it.

    Returns
    -------
    DataFrame with columns ``frequency`` (int64, repeat donations, 0..6),
    ``recency`` (int64, the opportunity of the last donation, 0 if none),
    ``n_periods`` (int64, opportunities observed, 6) and ``weight`` (int64, donors).
    """
    p = _resolve(path, "donations.csv")
    raw = pd.read_csv(p, dtype=str)
    expected = ["frequency", "recency", "periods", "weights"]
    if list(raw.columns) != expected:
        raise DataError(f"{p.name}: expected columns {expected}, found {list(raw.columns)}")
    out = pd.DataFrame(
        {
            "frequency": _to_int(raw, "frequency", p.name),
            "recency": _to_int(raw, "recency", p.name),
            "n_periods": _to_int(raw, "periods", p.name),
            "weight": _to_int(raw, "weights", p.name),
        }
    )
    bad = (out["recency"] < out["frequency"]) | (out["recency"] > out["n_periods"])
    if bad.any():
        raise DataError(
            f"{p.name}: recency must lie between frequency and n_periods; rows {list(out.index[bad] + 1)} do not"
        )
    return out
