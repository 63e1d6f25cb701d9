"""Checks of the data tables and prediction inputs of :mod:`crmlib.clv` (one copy, used by every model).

The argument checks themselves (naming rows, missing columns, seeds) are those
of :mod:`crmlib._checks`; this module applies them to the tables of the CLV
models: the ``frequency, recency, T`` summary of the continuous-time models
(Fader, Hardie & Lee 2005, section 3) and the columns of the discrete-time,
spend and validation tables, and the covariate columns of the covariate models (:mod:`crmlib.clv.covariates`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from .._checks import check_nonnegative, require_columns, rows_text
from ..exceptions import DataError

__all__ = [
    "as_rft_arrays",
    "check_columns",
    "check_times",
    "covariate_matrix",
    "covariate_names",
    "distinct_rows",
    "prepare_rft",
]

_KINDS = {
    "count": ("must hold non-negative integers; it does not", lambda v: (v < 0) | (v != np.floor(v))),
    "nonneg": ("must be non-negative; it is negative", lambda v: v < 0),
    "positive": ("must be positive; it is not", lambda v: v <= 0),
}


def check_columns(data: pd.DataFrame, spec: Mapping[str, str], optional: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Check that ``data`` has the columns of ``spec`` with finite values of the stated kind.

    ``spec`` maps a column to ``"count"`` (non-negative integers), ``"nonneg"``
    (non-negative reals) or ``"positive"`` (strictly positive reals). Columns
    in ``optional`` are checked only when present. Returns float64 arrays by
    column. Raises :class:`~crmlib.exceptions.DataError` naming the column and
    the rows at fault (:func:`crmlib._checks.rows_text`).
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame with columns {list(spec)}, got {type(data).__name__}")
    require_columns(data, [c for c in spec if c not in optional], what="data")
    if len(data) == 0:
        raise DataError("data has no rows")
    out: dict[str, np.ndarray] = {}
    for col, kind in spec.items():
        if col not in data.columns:
            continue
        values = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isfinite(values)
        if bad.any():
            raise DataError(f"column {col!r} is missing or not a finite number in {rows_text(bad, data.index)}")
        words, test = _KINDS[kind]
        bad = test(values)
        if bad.any():
            raise DataError(f"column {col!r} {words} in {rows_text(bad, data.index)}")
        out[col] = values
    return out


def prepare_rft(data: pd.DataFrame) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Check a (frequency, recency, T[, weight]) table of a continuous-time model.

    ``frequency``: repeat transactions (non-negative integers); ``recency``:
    time of the last repeat transaction since the first (0 when
    ``frequency`` is 0); ``T``: time since the first transaction (>= 0: a customer first seen on
    the last observed day has ``T = 0`` and adds nothing to the likelihood),
    all in the same time unit (Fader, Hardie & Lee 2005, section 3). Returns the
    arrays ``x, tx, T`` and the row weights. Raises
    :class:`~crmlib.exceptions.DataError` naming the column and rows.
    """
    cols = check_columns(
        data, {"frequency": "count", "recency": "nonneg", "T": "nonneg", "weight": "positive"}, optional=("weight",)
    )
    x, tx, T = cols["frequency"], cols["recency"], cols["T"]
    bad = tx > T * (1 + 1e-12)
    if bad.any():
        raise DataError(f"column 'recency' exceeds column 'T' in {rows_text(bad, data.index)}")
    bad = (x == 0) & (tx != 0)
    if bad.any():
        raise DataError(f"column 'recency' must be 0 when 'frequency' is 0; it is not in {rows_text(bad, data.index)}")
    w = cols.get("weight", np.ones(x.size))
    return {"x": x, "tx": np.minimum(tx, T), "T": T}, w


def as_rft_arrays(frequency: object, recency: object, T: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Broadcast prediction inputs to float arrays: whole ``frequency >= 0``, ``0 <= recency <= T``, ``T >= 0``.

    ``T = 0`` is a customer first seen at the end of calibration: the
    predictions are then those of a newly acquired customer.

    Raises :class:`~crmlib.exceptions.DataError` naming the argument and the
    first value at fault.
    """
    x = check_nonnegative(frequency, "frequency", integer=True)
    tx = check_nonnegative(recency, "recency")
    T_ = check_nonnegative(T, "T")
    x, tx, T_ = np.broadcast_arrays(np.asarray(x, float), np.asarray(tx, float), np.asarray(T_, float))
    over = tx > T_ * (1 + 1e-12)
    if np.any(over):
        raise DataError(f"recency must not exceed T; it does in {rows_text(over.ravel())}")
    return x, np.minimum(tx, T_), T_


def check_times(t: object, name: str = "t") -> np.ndarray:
    """A time ahead (or array of them) ``>= 0`` as a float array; DataError naming ``name`` otherwise."""
    return np.asarray(check_nonnegative(t, name), dtype=float)


def distinct_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of equally long 1-D columns and each row's number among them, by hashing (O(n)).

    Predictions that depend on a customer's history only through a few numbers (``(x, T)`` for the
    BG/NBD DERT, ``(x, t_x, T)`` for a horizon) are computed once per distinct row. ``np.unique(...,
    axis=0)`` sorts a structured view and takes seconds on a million rows; ``pd.factorize`` of each
    column, combined into one integer code, does not. Returns ``([unique column 1, ...], inverse)``
    with ``column_j[i] == unique_j[inverse[i]]``.
    """
    code = np.zeros(len(columns[0]), dtype=np.int64)
    radix = 1
    uniques = []
    for col in columns:
        inv, uniq = pd.factorize(col)
        if radix * max(len(uniq), 1) >= 2**62:  # too many combinations for one integer key: sort instead
            keys, inverse = np.unique(np.column_stack(columns), axis=0, return_inverse=True)
            return [keys[:, j].copy() for j in range(len(columns))], inverse.ravel()
        code += inv.astype(np.int64) * radix
        radix *= max(len(uniq), 1)
        uniques.append(uniq)
    inverse, first_codes = pd.factorize(code)
    out = []
    radix = 1
    for uniq in uniques:
        out.append(np.asarray(uniq)[(first_codes // radix) % max(len(uniq), 1)])
        radix *= max(len(uniq), 1)
    return out, inverse


def nearly_distinct(*columns: np.ndarray, sample: int = 2_000) -> bool:
    """Whether one of the columns takes a different value on nearly every row (99.5%) of an evenly spaced sample.

    Then pooling identical rows (:meth:`crmlib.clv._base.BaseFitter._compress`) finds next to nothing, while
    hashing the rows costs as much as two likelihood evaluations of a covariate model (a continuous covariate).
    """
    for col in columns:
        v = np.asarray(col)[:: max(len(col) // sample, 1)][:sample]
        if v.size and np.unique(v).size >= 0.995 * v.size:
            return True
    return False


def covariate_names(value: Any, what: str) -> tuple[str, ...]:
    """Column names of a covariate model's setting (one name or several, each once); DataError otherwise."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    names = tuple(value)
    if not all(isinstance(n, str) and n for n in names):
        raise DataError(f"{what} must be column names (text), got {value!r}")
    if len(set(names)) != len(names):
        raise DataError(f"{what} names a column twice: {list(names)}")
    return names


def covariate_matrix(data: pd.DataFrame, names: Sequence[str], *, fitting: bool) -> np.ndarray:
    """The named columns of ``data`` as a float matrix; DataError naming the column at fault."""
    require_columns(data, names, what="data")
    out = np.empty((len(data), len(names)))
    for j, name in enumerate(names):
        col = data[name]
        if not (ptypes.is_numeric_dtype(col) or ptypes.is_bool_dtype(col)):
            raise DataError(
                f"covariate column {name!r} is not numeric (dtype {col.dtype}); code a category as 0/1 columns"
            )
        values = pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isfinite(values)
        if bad.any():
            raise DataError(f"covariate column {name!r} is missing or not finite in {rows_text(bad, data.index)}")
        if fitting and np.ptp(values) == 0:
            raise DataError(
                f"covariate column {name!r} is constant ({values[0]:g} for every customer): its coefficient is not "
                "identified (the scale parameter absorbs it); leave it out"
            )
        out[:, j] = values
    return out
