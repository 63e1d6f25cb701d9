"""Printed numbers and their rounding: decimals of a printed value, exact tests of "prints as".

See the rounding convention in :mod:`crmlib.audit`.
"""

from __future__ import annotations

import math
import re

import numpy as np

from .._checks import check_count
from ..exceptions import DataError

_ROUNDINGS = ("nearest", "truncate", "either")


def decimals_of(text: str | float | int) -> int:
    """Number of decimals of a printed number (``"45.60"`` -> 2, ``"170"`` -> 0, ``"8.33%"`` -> 2).

    Give the printed *text* where possible: the float 45.60 cannot tell that it
    was printed with a trailing zero.
    """
    s = str(text).strip().rstrip("%").replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", s):
        raise DataError(f"decimals_of: {text!r} is not a printed number")
    if "e" in s.lower():
        raise DataError(f"decimals_of: {text!r} is in exponent notation; give decimals explicitly")
    return len(s.split(".")[1]) if "." in s else 0


def _check_rounding(rounding: str) -> None:
    if rounding not in _ROUNDINGS:
        raise DataError(f"parameter 'rounding' must be one of {_ROUNDINGS}, got {rounding!r}")


def _num(x, name):
    if isinstance(x, (bool, np.bool_)):
        raise DataError(f"parameter '{name}' must be a number, got the boolean {x!r}")
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise DataError(f"parameter '{name}' must be a number, got {x!r}") from None
    if not math.isfinite(v):
        raise DataError(f"parameter '{name}' must be finite, got {x!r}")
    return v


def _decimals(decimals, name: str = "decimals") -> int:
    """Decimals printed: a whole number 0..9."""
    return check_count(decimals, name, minimum=0, maximum=9)


def _to_units(values, decimals, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Printed values as exact integers in units of 10**-decimals (arrays, broadcast)."""
    v = np.asarray(values, dtype="float64")
    d = np.asarray(decimals)
    if not np.issubdtype(d.dtype, np.integer) or np.any(d < 0) or np.any(d > 9):
        raise DataError(f"parameter 'decimals' must be whole numbers 0..9, got {decimals!r}")
    if not np.all(np.isfinite(v)):
        raise DataError(f"parameter '{name}' has a missing or infinite value")
    scaled = v * 10.0**d
    units = np.round(scaled)
    bad = np.abs(scaled - units) > 1e-6 * np.maximum(1.0, np.abs(scaled))
    if np.any(bad):
        raise DataError(f"parameter '{name}': {v[bad] if v.ndim else v} has more decimals than 'decimals' = {decimals}")
    return units.astype(np.int64), np.broadcast_to(10 ** d.astype(np.int64), units.shape)


def _ceil_div(a, b):
    return -np.floor_divide(-a, b)


def _count_range(units, power, denom, scale, rounding):
    """Whole numbers k for which ``scale * k / denom`` prints as ``units / power``.

    Returns (k_lo, k_hi) for each rounding rule; the range is empty when k_lo > k_hi.
    Exact integer arithmetic: with h = 1/(2*power),
    scale*k/denom in [(2u-1)/(2p), (2u+1)/(2p)]  <=>  k in [denom(2u-1)/(2p*scale), denom(2u+1)/(2p*scale)].
    """
    units, power, denom = np.broadcast_arrays(
        np.asarray(units, np.int64), np.asarray(power, np.int64), np.asarray(denom, np.int64)
    )
    out = []
    if rounding in ("nearest", "either"):
        m = 2 * power * scale
        out.append((_ceil_div(denom * (2 * units - 1), m), np.floor_divide(denom * (2 * units + 1), m)))
    if rounding in ("truncate", "either"):
        if np.any(units < 0):
            raise DataError("rounding='truncate' is defined here for non-negative printed values only")
        m = power * scale
        out.append((_ceil_div(denom * units, m), _ceil_div(denom * (units + 1), m) - 1))
    return out


def rounds_to(
    numerator, denominator, reported, decimals: int | np.ndarray, *, factor: int = 1, rounding: str = "nearest"
):
    """Whether the exact fraction ``factor * numerator / denominator`` prints as ``reported``.

    Exact for whole ``numerator`` and ``denominator`` (e.g. a count and its base,
    with ``factor=100`` for a percentage); vectorised (numpy broadcasting).
    See the module docstring for the rounding convention.
    """
    _check_rounding(rounding)
    num = np.asarray(numerator)
    den = np.asarray(denominator)
    if not (np.issubdtype(num.dtype, np.integer) and np.issubdtype(den.dtype, np.integer)):
        numf, denf = num.astype(float), den.astype(float)
        if np.all(numf == np.round(numf)) and np.all(denf == np.round(denf)):
            num, den = numf.astype(np.int64), denf.astype(np.int64)
        else:
            if np.any(denf <= 0):
                raise DataError("parameter 'denominator' must be positive")
            x = factor * numf / denf
            v = np.asarray(reported, float)
            h = 0.5 * 10.0**-decimals
            eps = 1e-9 * np.maximum(1.0, np.abs(v))
            ok = np.zeros(np.broadcast(x, v).shape, bool)
            if rounding in ("nearest", "either"):
                ok |= (x >= v - h - eps) & (x <= v + h + eps)
            if rounding in ("truncate", "either"):
                ok |= (x >= v - eps) & (x < v + 2 * h - eps)
            return ok
    if np.any(den <= 0):
        raise DataError("parameter 'denominator' must be positive")
    units, power = _to_units(reported, decimals, "reported")
    ok = np.zeros(np.broadcast(num, den, units).shape, bool)
    # k = numerator; test k in the count range for this denominator
    for lo, hi in _count_range(units, power, den, factor, rounding):
        ok |= (num >= lo) & (num <= hi)
    return ok
