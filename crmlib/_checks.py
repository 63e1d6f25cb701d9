"""Argument and data checks shared by every crmlib module (one copy of each, not one per module).

Each check raises :class:`~crmlib.exceptions.DataError` whose message names the
argument (or column), the value found and what is allowed, and returns the
checked value converted to its working type. Use them at the public boundary:

    level = check_level(level)
    t = check_nonnegative(t, "t")
    rng = as_rng(seed)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import DataError

_REAL = (int, float, np.integer, np.floating)  # real numbers (bool is excluded by each check)
_INTEGRAL = (int, np.integer)


def rows_text(mask: Any, index: Sequence[Any] | pd.Index | None = None, limit: int = 5) -> str:
    """``"3 rows (e.g. [17, 42, 99])"``: how many rows a boolean mask selects, and the first labels."""
    where = np.flatnonzero(np.asarray(mask, dtype=bool))
    labels = [(index[i] if index is not None else i) for i in where[:limit]]
    labels = [x.item() if isinstance(x, np.generic) else x for x in labels]
    more = " ..." if where.size > limit else ""
    noun = "row" if where.size == 1 else "rows"
    return f"{where.size} {noun} (e.g. {labels}{more})"


def close_matches(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when ``name`` is close to one of ``choices``, else empty."""
    found = difflib.get_close_matches(str(name), [str(c) for c in choices], n=3, cutoff=0.6)
    if not found:
        return ""
    return " (did you mean " + " or ".join(repr(f) for f in found) + "?)"


def require_columns(frame: pd.DataFrame, columns: Iterable[str | None], what: str = "data") -> None:
    """Every named column is in ``frame``; otherwise name the missing ones, the close matches and what is there."""
    wanted = [c for c in columns if c is not None]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        hints = "".join(close_matches(m, map(str, frame.columns)) for m in missing)
        have = [str(c) for c in frame.columns][:20]
        raise DataError(f"{what} has no column(s) {missing}{hints}; its columns are {have}")


def numeric_column(frame: pd.DataFrame, column: str, what: str = "data", *, nonnegative: bool = False) -> np.ndarray:
    """The values of ``frame[column]`` as finite floats; otherwise name the column and the rows at fault."""
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")
    bad = ~np.isfinite(values)
    if bad.any():
        raise DataError(f"{what}: column {column!r} is missing or not a finite number in {rows_text(bad, frame.index)}")
    if nonnegative and (values < 0).any():
        raise DataError(f"{what}: column {column!r} is negative in {rows_text(values < 0, frame.index)}")
    return values


def check_choice(value: Any, name: str, choices: Sequence[Any]) -> Any:
    """``value`` is one of ``choices``; otherwise name the parameter, the choices and a close match."""
    if value not in choices:
        hint = close_matches(value, map(str, choices)) if isinstance(value, str) else ""
        raise DataError(f"{name} must be one of {list(choices)}, got {value!r}{hint}")
    return value


def _as_float_array(value: Any, name: str) -> np.ndarray:
    if isinstance(value, (bool, np.bool_)):
        raise DataError(f"{name} must be a number, got the boolean {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"{name} must be numeric, got {value!r}") from None
    if arr.dtype == bool:
        raise DataError(f"{name} must be numeric, got booleans")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise DataError(f"{name} must be finite; {rows_text(bad.ravel())} are NaN or infinite")
    return arr


def _back(arr: np.ndarray, value: Any) -> Any:
    return float(arr) if arr.ndim == 0 and not isinstance(value, np.ndarray) else arr


def check_nonnegative(value: Any, name: str, *, integer: bool = False) -> Any:
    """A number (or array) ``>= 0``; with ``integer=True`` also whole. Returns a float or float array."""
    arr = _as_float_array(value, name)
    if (arr < 0).any():
        bad = arr < 0
        raise DataError(
            f"{name} must be >= 0, got {arr[bad].ravel()[0]:g} ({rows_text(bad.ravel())})"
            if arr.ndim
            else f"{name} must be >= 0, got {arr.item():g}"
        )
    if integer and (arr != np.round(arr)).any():
        raise DataError(f"{name} must be a whole number, got {arr[arr != np.round(arr)].ravel()[0]:g}")
    return _back(arr, value)


def check_positive(value: Any, name: str) -> Any:
    """A number (or array) ``> 0``."""
    arr = _as_float_array(value, name)
    if (arr <= 0).any():
        raise DataError(f"{name} must be > 0, got {arr[arr <= 0].ravel()[0]:g}")
    return _back(arr, value)


def check_probability(value: Any, name: str, *, open_interval: bool = False) -> Any:
    """A share or probability in ``[0, 1]`` (``(0, 1)`` with ``open_interval``)."""
    arr = _as_float_array(value, name)
    bad = (arr <= 0) | (arr >= 1) if open_interval else (arr < 0) | (arr > 1)
    if bad.any():
        rng = "(0, 1)" if open_interval else "[0, 1]"
        hint = " (a share, not a per cent: 0.3 for 30%)" if (arr > 1).any() and (arr <= 100).all() else ""
        raise DataError(f"{name} must be in {rng}, got {arr[bad].ravel()[0]:g}{hint}")
    return _back(arr, value)


def check_level(level: Any, name: str = "level") -> float:
    """An interval level in ``(0, 1)``: 0.95 for a 95% interval (95 is refused with that hint)."""
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, _REAL):
        raise DataError(f"{name} must be a number in (0, 1) such as 0.95, got {level!r}")
    if not 0 < level < 1:
        hint = f" (for a {level:g}% interval use {level / 100:g})" if 1 < level < 100 else ""
        raise DataError(f"{name} must be in (0, 1) such as 0.95, got {level!r}{hint}")
    return float(level)


def check_count(value: Any, name: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number in ``[minimum, maximum]`` (e.g. ``n_boot``); refuses floats with a fraction and booleans."""
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, _REAL)
        or not np.isfinite(value)
        or value != int(value)
    ):
        raise DataError(f"{name} must be a whole number, got {value!r}")
    v = int(value)
    if v < minimum or (maximum is not None and v > maximum):
        upper = "" if maximum is None else f" and <= {maximum:,}"
        raise DataError(f"{name} must be >= {minimum}{upper}, got {v:,}")
    return v


def check_discount_rate(value: Any, name: str = "discount_rate", *, allow_zero: bool = False) -> float:
    """An annual effective discount rate: a share in ``(0, 1)`` (``[0, 1)`` with ``allow_zero``), 0.1 for 10% a year.

    A rate of 1 (100% a year) or more is refused as implausible for an annual
    rate: a per cent (15 for 15%) is the usual slip, and the message says so
    (``docs/glossary.md``, ``discount_rate``).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, _REAL) or not np.isfinite(value):
        raise DataError(f"{name} must be an annual rate such as 0.1 (10% a year), got {value!r}")
    v = float(value)
    low_ok = v >= 0 if allow_zero else v > 0
    if not low_ok or v >= 1:
        hint = f" (for {v:g}% a year pass {v / 100:g})" if 1 <= v <= 100 else ""
        bound = "[0, 1)" if allow_zero else "(0, 1)"
        raise DataError(
            f"{name} is an annual effective rate, a share in {bound} such as 0.1 for 10% a year; got {v:g}{hint}"
        )
    return v


def as_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A :class:`numpy.random.Generator` from an int seed or a Generator.

    ``None`` is refused: crmlib draws nothing unseeded, so the same parameters
    always give the same numbers (``docs/glossary.md``, ``seed``).
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (bool, np.bool_)) or not isinstance(seed, _INTEGRAL):
        raise DataError(f"seed must be an int or a numpy.random.Generator, got {seed!r}; crmlib draws nothing unseeded")
    if seed < 0:
        raise DataError(f"seed must be >= 0, got {seed}")
    return np.random.default_rng(int(seed))


__all__ = [
    "as_rng",
    "check_choice",
    "check_count",
    "check_discount_rate",
    "check_level",
    "check_nonnegative",
    "check_positive",
    "check_probability",
    "close_matches",
    "numeric_column",
    "require_columns",
    "rows_text",
]
