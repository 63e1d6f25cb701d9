"""Sums, differences, ratios and growth figures against the printed numbers they come from."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from .._checks import check_nonnegative
from ..exceptions import DataError
from .findings import Finding
from .rounding import _check_rounding, _decimals, _num, rounds_to


def _tol(tolerance, decimals, n_terms):
    tolerance = check_nonnegative(tolerance, "tolerance")
    if decimals is not None:
        return (n_terms + 1) * 0.5 * 10.0 ** -_decimals(decimals)
    return float(tolerance)


def check_parts_total(
    parts: Mapping[str, float],
    total,
    *,
    item: str = "total",
    tolerance: float = 0.0,
    decimals: int | None = None,
    unit: str = "",
) -> Finding:
    """Check that printed parts add up to their printed total.

    ``tolerance`` is the absolute difference allowed (0 for whole amounts);
    with ``decimals`` (parts and total rounded to that many decimals) it is
    ``(len(parts) + 1) * 0.5 * 10**-decimals``, the largest gap rounding alone can make.
    ``expected`` is the sum of the parts; details hold the gap (total minus sum)
    and, on failure, ``single_part_fixes``: the value each part would need if it
    alone were misprinted.
    """
    if not parts:
        raise DataError("check_parts_total: 'parts' is empty")
    vals = {k: _num(v, f"parts[{k!r}]") for k, v in parts.items()}
    tot = _num(total, "total")
    s = sum(vals.values())
    gap = tot - s
    tol = _tol(tolerance, decimals, len(vals))
    u = f" {unit}" if unit else ""
    if abs(gap) <= tol + 1e-9 * max(1.0, abs(tot)):
        return Finding(
            "parts_total",
            item,
            "ok",
            f"The {len(vals)} parts add up to {s:,.10g}{u}, the printed total.",
            s,
            tot,
            {"gap": gap, "parts": vals},
        )
    pct = f", {gap / s:+.1%} of the sum" if s else ""
    msg = (
        f"The {len(vals)} parts add up to {s:,.10g}{u}, but the printed total is {tot:,.10g}{u}: "
        f"a gap of {gap:+,.10g}{u}{pct}."
    )
    # if a single part were misprinted, the value it would need (parts that cannot turn negative)
    fixes = {k: v + gap for k, v in vals.items() if v + gap >= 0}
    return Finding("parts_total", item, "error", msg, s, tot, {"gap": gap, "parts": vals, "single_part_fixes": fixes})


def check_difference(
    minuend,
    subtrahend,
    reported,
    *,
    item: str = "difference",
    tolerance: float = 0.0,
    decimals: int | None = None,
    unit: str = "",
) -> Finding:
    """Check a printed difference ``minuend - subtrahend`` against its two printed terms.

    Tolerance as in :func:`check_parts_total` (two terms). A difference that
    matches with the sign reversed is reported as an ``error`` naming the sign.
    """
    a, b, r = _num(minuend, "minuend"), _num(subtrahend, "subtrahend"), _num(reported, "reported")
    d = a - b
    tol = _tol(tolerance, decimals, 2)
    u = f" {unit}" if unit else ""
    if abs(d - r) <= tol + 1e-12 * max(1.0, abs(r)):
        return Finding(
            "difference", item, "ok", f"{a:,.10g} - {b:,.10g} = {d:,.10g}{u}, as printed.", d, r, {"gap": r - d}
        )
    if abs(-d - r) <= tol:
        msg = f"{a:,.10g} - {b:,.10g} = {d:,.10g}{u}; the printed {r:,.10g} has the opposite sign."
    else:
        msg = f"{a:,.10g} - {b:,.10g} = {d:,.10g}{u}, not the printed {r:,.10g} (off by {r - d:,.10g}{u})."
    return Finding("difference", item, "error", msg, d, r, {"gap": r - d})


def check_ratio(
    numerator, denominator, reported, decimals: int, *, item: str = "ratio", rounding: str = "nearest"
) -> Finding:
    """Check a printed ratio against its printed numerator and denominator.

    ``ok`` when ``numerator / denominator`` prints as ``reported`` at ``decimals``
    decimals (see the rounding convention in the module docstring), else
    ``error``. Details give the exact ratio, the inverse ratio (a common slip),
    and the ranges of numerator (for the printed denominator) and of
    denominator (for the printed numerator) that *would* give the printed ratio.
    """
    _check_rounding(rounding)
    decimals = _decimals(decimals)
    a, b, r = _num(numerator, "numerator"), _num(denominator, "denominator"), _num(reported, "reported")
    if b == 0:
        raise DataError("check_ratio: 'denominator' is zero")
    x = a / b
    ok = bool(rounds_to(a, b, r, decimals, rounding=rounding))
    h = 0.5 * 10.0**-decimals
    lo, hi = (r - h, r + h) if rounding != "truncate" else (r, r + 2 * h)
    if rounding == "either":
        hi = r + 2 * h
    num_range = (lo * b, hi * b)
    den_range = (a / hi, a / lo) if lo > 0 else (a / hi, math.inf)
    details = {
        "exact": x,
        "inverse": b / a if a else math.inf,
        "numerator_range": num_range,
        "denominator_range": den_range,
    }
    if ok:
        return Finding(
            "ratio",
            item,
            "ok",
            f"{a:,.10g} / {b:,.10g} = {x:.{decimals + 3}f}, which prints as {r} as reported.",
            round(x, decimals + 3),
            r,
            details,
        )
    inv = bool(a) and bool(rounds_to(b, a, r, decimals, rounding=rounding))
    msg = (
        f"{a:,.10g} / {b:,.10g} = {x:.{decimals + 3}f}, which prints as {x:.{decimals}f}, not the reported {r}. "
        f"The printed ratio needs a numerator of {num_range[0]:,.0f} to {num_range[1]:,.0f} with this denominator, "
        f"or a denominator of {den_range[0]:,.0f} to {den_range[1]:,.0f} with this numerator."
    )
    if inv:
        msg += " The inverse ratio (denominator / numerator) does print as reported: the terms may be swapped."
    return Finding("ratio", item, "error", msg, round(x, decimals + 3), r, details)


def check_growth(
    start, end, reported, *, kind: str = "percent", decimals: int | None = None, item: str = "growth", unit: str = ""
) -> Finding:
    """Check a printed growth figure against the two levels it is computed from.

    ``kind``: ``"percent"`` (100 (end - start) / start, printed with ``decimals``),
    ``"ratio"`` (end / start) or ``"absolute"`` (end - start, compared within
    ``0.5 * 10**-decimals`` or exactly when ``decimals`` is None).
    """
    s, e, r = _num(start, "start"), _num(end, "end"), _num(reported, "reported")
    if kind == "absolute":
        f = check_difference(e, s, r, item=item, decimals=decimals, unit=unit)
        g = e - s
        what = f"The levels go from {s:,.10g} to {e:,.10g}{' ' + unit if unit else ''}, a change of {g:+,.10g}"
        msg = f"{what}, as printed." if f.severity == "ok" else f"{what}; the printed growth is {r:,.10g}."
        return Finding("growth", item, f.severity, msg, g, r, {"start": s, "end": e})
    if kind not in ("percent", "ratio"):
        raise DataError(f"check_growth: parameter 'kind' must be 'percent', 'ratio' or 'absolute', got {kind!r}")
    if s == 0:
        raise DataError("check_growth: the starting level is zero, so a relative growth is undefined")
    if decimals is None:
        raise DataError(f"check_growth: give 'decimals' for kind={kind!r}")
    decimals = _decimals(decimals)
    g = 100.0 * (e - s) / s if kind == "percent" else e / s
    ok = bool(rounds_to(g, 1.0, r, decimals))
    sym = "%" if kind == "percent" else ""
    msg = (
        f"From {s:,.10g} to {e:,.10g} is {'a growth of ' if kind == 'percent' else 'a ratio of '}{g:.{decimals + 2}f}{sym}"
        + (", as printed." if ok else f", not the printed {r}{sym}.")
    )
    return Finding("growth", item, "ok" if ok else "error", msg, round(g, decimals + 2), r, {"start": s, "end": e})


def ratio_readings(
    numerators: Mapping[str, float],
    denominators: Mapping[str, float],
    reported,
    decimals: int,
    *,
    rounding: str = "nearest",
) -> pd.DataFrame:
    """A printed ratio against every reading of its terms: each numerator over each denominator.

    Where a table's totals disagree with the sums of its rows (or a figure has
    two readings), the printed ratio may come from any combination; this lists
    them all and says which print as ``reported`` (exact rounding test of
    :func:`~crmlib.audit.rounds_to`, convention of :mod:`crmlib.audit`).

    Parameters
    ----------
    numerators, denominators : label -> amount (currency units; the labels name the reading).
    reported : the ratio as printed; decimals : its printed decimals.

    Returns
    -------
    DataFrame indexed by ``reading`` (``"<numerator> / <denominator>"``) with ``numerator``,
    ``denominator``, ``ratio`` and ``prints_as_reported`` (bool).
    """
    _check_rounding(rounding)
    decimals = _decimals(decimals)
    r = _num(reported, "reported")
    for name, terms in (("numerators", numerators), ("denominators", denominators)):
        if not isinstance(terms, Mapping) or not terms:
            raise DataError(f"{name} must be a non-empty mapping of reading -> amount, got {terms!r}")
    rows = []
    for a_name, a in numerators.items():
        for b_name, b in denominators.items():
            a_v, b_v = _num(a, f"numerators[{a_name!r}]"), _num(b, f"denominators[{b_name!r}]")
            if b_v == 0:
                raise DataError(f"denominators[{b_name!r}] is zero")
            ok = bool(rounds_to(a_v, b_v, r, decimals, rounding=rounding))
            rows.append((f"{a_name} / {b_name}", a_v, b_v, a_v / b_v, ok))
    cols = ["reading", "numerator", "denominator", "ratio", "prints_as_reported"]
    return pd.DataFrame(rows, columns=cols).set_index("reading")
