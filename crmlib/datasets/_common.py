"""Shared helpers of the bundled-data loaders: the data folder and typed parsing of raw columns."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .. import _files
from .._bundled import bundled_dir
from ..exceptions import DataError

CDNOW_START = pd.Timestamp("1997-01-01")
CDNOW_CALIBRATION_END = pd.Timestamp("1997-09-30")
CDNOW_OBSERVATION_END = pd.Timestamp("1998-06-30")


def data_dir() -> Path:
    """The folder holding the bundled data (``$CRMLIB_DATA``, else the installed copy or the repository's ``data/``)."""
    env = os.environ.get("CRMLIB_DATA")
    path = Path(env) if env else bundled_dir("data")
    if not path.is_dir():
        raise FileNotFoundError(
            f"crmlib data directory {str(path)!r} does not exist; run from a checkout of the "
            "repository or set CRMLIB_DATA to the folder holding CDNOW_master.txt etc."
        )
    return path


def _resolve(path: str | os.PathLike | None, default_name: str) -> Path:
    p = Path(path) if path is not None else data_dir() / default_name
    if not p.is_file():
        raise FileNotFoundError(f"data file {str(p)!r} not found")
    return p


def _read_whitespace_table(path: Path, names: list[str]) -> pd.DataFrame:
    """Read a whitespace-separated text table as strings, checking the number of fields per line."""
    rows: list[list[str]] = []
    with open(path, encoding="ascii", errors="strict") as fh:
        for lineno, line in enumerate(fh, start=1):
            fields = line.split()
            if not fields:
                continue
            if lineno == 1 and not fields[0].isdigit():
                continue  # a header line (CDNOW_master.txt has one)
            if len(fields) != len(names):
                raise DataError(
                    f"{path.name}, line {lineno}: expected {len(names)} fields "
                    f"({', '.join(names)}), found {len(fields)}: {line.strip()!r}"
                )
            rows.append(fields)
    if not rows:
        raise DataError(f"{path.name}: no data rows")
    return pd.DataFrame(rows, columns=names)


def _check_parsed(frame: pd.DataFrame, column: str, fname: str, out: pd.Series, bad: pd.Series, what: str) -> None:
    """Raise a DataError naming the first bad data rows (1-based) and counting them."""
    if bad.any():
        rows = frame.index[bad]
        raise DataError(
            f"{fname}: column {column!r} is not {what} in {int(bad.sum())} rows "
            f"(data rows {list(rows[:5] + 1)}{' ...' if len(rows) > 5 else ''}), e.g. {frame.loc[rows[0], column]!r}"
        )


def _to_int(frame: pd.DataFrame, column: str, fname: str) -> pd.Series:
    out = pd.to_numeric(frame[column], errors="coerce")
    _check_parsed(frame, column, fname, out, out.isna() | (out != np.floor(out)), "an integer")
    return out.astype("int64")


def _to_float(frame: pd.DataFrame, column: str, fname: str) -> pd.Series:
    out = pd.to_numeric(frame[column], errors="coerce")
    _check_parsed(frame, column, fname, out, out.isna(), "a number")
    return out.astype("float64")


def _to_date(frame: pd.DataFrame, column: str, fname: str) -> pd.Series:
    out = _files.parse_dates(frame[column], column, "%Y%m%d")
    _check_parsed(frame, column, fname, out, out.isna(), "a YYYYMMDD date")
    return out.astype("datetime64[ns]")
