"""Consistency checks of published tables: do the printed numbers fit together?

A thesis or report prints counts, percentages, totals, differences, ratios and
means, usually without the data behind them. Many errors can still be found
from the printed numbers alone, because they constrain each other: a
percentage must be a whole count divided by a whole base, a total must be the
sum of its parts, a mean of integer answers must be a fraction with the sample
size as denominator (GRIM, Brown & Heathers 2017), and a standard deviation of
integer answers must come from a whole sum of squares (GRIMMER, Anaya 2016).

Every check returns :class:`Finding` objects (one or a list) with a severity:

``ok``
    the printed numbers are consistent.
``info``
    nothing is wrong, but the check rests on an assumption or cannot be made
    (e.g. the base of a percentage is not stated, or a table has no counts).
``warning``
    the numbers disagree under the obvious reading, but a plausible other
    reading (an unstated base, a differently defined row) could reconcile them.
``error``
    the numbers cannot all be right as printed.

:func:`findings_frame` turns a list of findings into a DataFrame;
:func:`audit_tables` runs the checks named in a declarative specification on a
long-format transcription of printed numbers (one row per number, as returned
by :func:`crmlib.datasets.load_thesis_tables`).

Rounding convention
-------------------
A printed value ``r`` with ``d`` decimals is taken to be the rounding of an
exact value ``x`` if ``x`` lies in the *closed* interval ``[r - h, r + h]``
with ``h = 0.5 * 10**-d`` (``rounding="nearest"``). Closing the interval at
both ends accepts either half rule at the boundary, so round-half-up,
round-half-down and banker's rounding (half-to-even) all pass; a check never
flags a number only because the author broke a tie the other way (the
"up or down" default of the scrutiny R package's GRIM and GRIMMER tests
makes the same allowance). ``rounding="truncate"``
accepts ``x`` in ``[r, r + 10**-d)`` (digits cut off, for non-negative
values), and ``rounding="either"`` accepts both conventions. Counts, sums and
granular values are compared in exact integer arithmetic; ratios of arbitrary
reals use a relative tolerance of 1e-9 for floating-point representation only.

References
----------
Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test: A simple technique
    detects numerous anomalies in the reporting of results in psychology.
    *Social Psychological and Personality Science*, 8(4), 363-369.
    https://doi.org/10.1177/1948550616673876
Anaya, J. (2016). The GRIMMER test: A method for testing the validity of
    reported measures of variability. *PeerJ Preprints*, 4, e2400v1.
Allard, A. (2018). Analytic-GRIMMER: a new way of testing the possibility of
    standard deviations (blog article; the closed form used by :func:`grimmer_consistent`).
Heathers, J. A., Anaya, J., van der Zee, T., & Brown, N. J. L. (2018).
    Recovering data from summary statistics: Sample Parameter Reconstruction via
    Iterative TEchniques (SPRITE). *PeerJ Preprints*, 6, e26968v1 (bounds of the
    standard deviation of bounded integer data, as also implemented by the
    rsprite2 R package).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import DataError

__all__ = [
    "Finding",
    "SEVERITIES",
    "findings_frame",
    "worst_severity",
    "decimals_of",
    "rounds_to",
    "feasible_sample_sizes",
    "feasible_counts",
    "implied_bases",
    "implied_responses",
    "check_percentage",
    "check_percentages",
    "check_multiple_response",
    "check_parts_total",
    "check_difference",
    "check_ratio",
    "check_growth",
    "grim_consistent",
    "check_grim",
    "sd_bounds",
    "grimmer_consistent",
    "check_sd",
    "check_agreement",
    "check_chronology",
    "not_checkable",
    "resolve",
    "audit_tables",
]

SEVERITIES = ("ok", "info", "warning", "error")
"""Severities in increasing order of gravity."""

_ROUNDINGS = ("nearest", "truncate", "either")


# ----------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One result of a consistency check.

    Attributes
    ----------
    check : name of the check (``"percentage"``, ``"parts_total"``, ``"grim"``, ...).
    item : what was checked, in the table's own terms (e.g. ``"table4: cost items"``).
    severity : ``"ok"``, ``"info"``, ``"warning"`` or ``"error"`` (see the module docstring).
    message : a plain-English explanation a reader of the table can follow.
    expected : the value implied by the other printed numbers (number, text or None).
    reported : the value as printed (number, text or None).
    details : further computed values (e.g. the feasible sample sizes), by name.
    """

    check: str
    item: str
    severity: str
    message: str
    expected: Any = None
    reported: Any = None
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise DataError(f"Finding severity {self.severity!r} is not one of {SEVERITIES}")

    @property
    def consistent(self) -> bool:
        """True unless the severity is ``warning`` or ``error``."""
        return self.severity in ("ok", "info")


def _as_list(findings) -> list[Finding]:
    if isinstance(findings, Finding):
        return [findings]
    out: list[Finding] = []
    for f in findings:
        out.extend(_as_list(f))
    return out


def findings_frame(findings, *, details: bool = False) -> pd.DataFrame:
    """A DataFrame of findings, one row each, in the order given.

    Columns ``check``, ``item``, ``severity`` (an ordered categorical, so that
    ``sort_values("severity")`` orders ok < info < warning < error),
    ``message``, ``expected``, ``reported`` and, with ``details=True``, the
    ``details`` dict. Nested lists of findings are flattened.
    """
    rows = _as_list(findings)
    cols = ["check", "item", "severity", "message", "expected", "reported"] + (["details"] if details else [])
    frame = pd.DataFrame([{c: getattr(f, c) for c in cols} for f in rows], columns=cols, dtype=object)
    frame["severity"] = pd.Categorical(frame["severity"], categories=list(SEVERITIES), ordered=True)
    return frame


def worst_severity(findings) -> str:
    """The gravest severity among ``findings`` (``"ok"`` for an empty list)."""
    rows = _as_list(findings)
    return max((f.severity for f in rows), key=SEVERITIES.index, default="ok")


# ----------------------------------------------------------------------------- rounding


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


def rounds_to(numerator, denominator, reported, decimals: int, *, scale: int = 1, rounding: str = "nearest"):
    """Whether the exact fraction ``scale * numerator / denominator`` prints as ``reported``.

    Exact for whole ``numerator`` and ``denominator`` (e.g. a count and its base,
    with ``scale=100`` for a percentage); vectorised (numpy broadcasting).
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
            x = scale * numf / denf
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
    for lo, hi in _count_range(units, power, den, scale, rounding):
        ok |= (num >= lo) & (num <= hi)
    return ok


# ----------------------------------------------------------------------------- percentages


def _pct_array(percentages, name="percentages") -> tuple[list, np.ndarray]:
    if isinstance(percentages, pd.Series):
        labels = list(percentages.index)
        values = percentages.to_numpy(dtype="float64")
    elif isinstance(percentages, Mapping):
        labels = [str(k) for k in percentages]
        values = np.asarray(list(percentages.values()), float)
    else:
        values = np.atleast_1d(np.asarray(percentages, float))
        labels = list(range(values.size))
    if values.ndim != 1 or values.size == 0:
        raise DataError(f"parameter '{name}' must be a non-empty list or mapping of numbers")
    if np.any((values < 0) | (values > 100)):
        raise DataError(f"parameter '{name}': percentages must lie in 0..100, got {values.tolist()}")
    return labels, values


def _feasible_mask(values, decimals, ns, rounding):
    units, power = _to_units(values, np.broadcast_to(np.asarray(decimals), values.shape), "percentages")
    n = np.asarray(ns, np.int64)[:, None]
    ok = np.zeros((n.shape[0], values.size), bool)
    for lo, hi in _count_range(units[None, :], power[None, :], n, 100, rounding):
        ok |= np.maximum(lo, 0) <= np.minimum(hi, n)
    return ok


def feasible_sample_sizes(
    percentages, decimals, n_max: int, *, n_min: int = 1, rounding: str = "nearest"
) -> np.ndarray:
    """Sample sizes N for which every printed percentage can be a whole count k/N.

    For each N in ``n_min..n_max`` and each percentage p printed with ``decimals``
    decimals, N is feasible if some whole k in 0..N has 100 k / N printing as p
    (the GRIM test for proportions, Brown & Heathers 2017, applied to
    every N at once). All percentages must share the one N, as in a table whose
    rows have the same base (or a multiple-response table in percent of cases).

    Parameters
    ----------
    percentages : sequence or mapping of percentages (0-100) as printed.
    decimals : decimals printed (int, or one per percentage).
    n_max, n_min : range of sample sizes searched (persons, inclusive).
    rounding : ``"nearest"`` (either half rule at the boundary), ``"truncate"`` or ``"either"``.

    Returns
    -------
    numpy.ndarray of int64, the feasible N in increasing order. Vectorised over
    N (an (N x percentages) integer grid).
    """
    _check_rounding(rounding)
    _, values = _pct_array(percentages)
    if int(n_max) < int(n_min) or int(n_min) < 1:
        raise DataError(f"parameters 'n_min'/'n_max' must satisfy 1 <= n_min <= n_max, got {n_min}, {n_max}")
    ns = np.arange(int(n_min), int(n_max) + 1, dtype=np.int64)
    return ns[_feasible_mask(values, decimals, ns, rounding).all(axis=1)]


def feasible_counts(percentages, n: int, decimals, *, rounding: str = "nearest") -> pd.DataFrame:
    """For a base ``n``, the whole counts that print as each percentage.

    Returns a DataFrame indexed by percentage label with ``reported``, ``k_min``,
    ``k_max`` (empty range: ``k_min > k_max``) and ``feasible`` (bool).
    With ``rounding="either"`` the union of both conventions' ranges is reported
    by its smallest and largest count.
    """
    _check_rounding(rounding)
    labels, values = _pct_array(percentages)
    units, power = _to_units(values, np.broadcast_to(np.asarray(decimals), values.shape), "percentages")
    n = int(n)
    if n < 1:
        raise DataError(f"parameter 'n' must be a positive whole number, got {n}")
    los, his, oks = [], [], []
    for lo, hi in _count_range(units, power, np.int64(n), 100, rounding):
        lo, hi = np.maximum(lo, 0), np.minimum(hi, n)
        los.append(np.where(lo <= hi, lo, np.iinfo(np.int64).max))
        his.append(np.where(lo <= hi, hi, -1))
        oks.append(lo <= hi)
    ok = np.logical_or.reduce(oks)
    k_min = np.where(ok, np.minimum.reduce(los), 0)
    k_max = np.where(ok, np.maximum.reduce(his), -1)
    return pd.DataFrame({"reported": values, "k_min": k_min, "k_max": k_max, "feasible": ok}, index=labels)


def implied_responses(percentages, n: int, decimals, *, rounding: str = "nearest") -> tuple[int, int]:
    """Smallest and largest total of counts (responses) that reproduce the percentages with base ``n``.

    For a multiple-response table in percent of cases this is the number of
    ticks given by ``n`` respondents. Raises DataError when ``n`` is infeasible.
    """
    fc = feasible_counts(percentages, n, decimals, rounding=rounding)
    if not fc["feasible"].all():
        bad = list(fc.index[~fc["feasible"]])
        raise DataError(f"implied_responses: no whole count with base n={n} prints as the percentage(s) {bad}")
    return int(fc["k_min"].sum()), int(fc["k_max"].sum())


def implied_bases(counts, percentages, decimals, *, n_max: int | None = None, rounding: str = "nearest") -> np.ndarray:
    """Bases N for which every ``count / N`` prints as its percentage.

    ``counts`` and ``percentages`` are aligned sequences (or mappings with the
    same keys). The search runs from ``max(counts)`` to the largest N allowed by
    the smallest positive percentage, ``100 k / (p - h)``, or to ``n_max`` when
    every percentage is within rounding of zero (then ``n_max`` is required).
    """
    _check_rounding(rounding)
    if isinstance(counts, Mapping) and isinstance(percentages, Mapping):
        if list(counts) != list(percentages):
            raise DataError(
                f"implied_bases: counts and percentages must have the same keys, got {list(counts)} and {list(percentages)}"
            )
    k = np.atleast_1d(np.asarray(list(counts.values()) if isinstance(counts, Mapping) else counts, float))
    _, p = _pct_array(percentages)
    if k.shape != p.shape:
        raise DataError(f"implied_bases: {k.size} counts but {p.size} percentages")
    if np.any(k < 0) or np.any(k != np.round(k)):
        raise DataError("parameter 'counts' must hold whole non-negative numbers")
    d = np.broadcast_to(np.asarray(decimals), p.shape)
    h = 0.5 * 10.0 ** -d.astype(float)
    low_edge = p if rounding == "truncate" else p - h  # smallest exact percentage that prints as p
    usable = (low_edge > 0) & (k > 0)
    upper_each = np.where(usable, np.floor(100 * k / np.where(usable, low_edge, 1.0)), np.inf)
    upper = float(np.min(upper_each))
    if not math.isfinite(upper):
        if n_max is None:
            raise DataError("implied_bases: every percentage is within rounding of 0; give 'n_max'")
        upper = n_max
    if n_max is not None:
        upper = min(upper, n_max)
    lower = max(1, int(k.max()))
    if upper < lower:
        return np.array([], dtype=np.int64)
    ns = np.arange(lower, int(upper) + 1, dtype=np.int64)
    ok = rounds_to(k.astype(np.int64)[None, :], ns[:, None], p[None, :], d[None, :], scale=100, rounding=rounding)
    return ns[ok.all(axis=1)]


def _fmt_ns(ns: np.ndarray, limit: int = 12) -> str:
    ns = list(map(int, ns))
    if len(ns) <= limit:
        return ", ".join(f"{n:,}" for n in ns)
    return ", ".join(f"{n:,}" for n in ns[:limit]) + f", ... ({len(ns):,} in all)"


def check_percentage(
    count,
    reported,
    decimals: int,
    *,
    base=None,
    candidate_bases: Mapping[str, int] | None = None,
    item: str = "percentage",
    rounding: str = "nearest",
) -> Finding:
    """Check one percentage against its count and base.

    With ``base`` (the stated base): ``ok`` if ``100 * count / base`` prints as
    ``reported``, else ``error``. With ``candidate_bases`` (the base is not
    stated; e.g. ``{"returned": 200, "sent": 220}``): ``info`` naming the
    candidate(s) that reproduce the percentage, ``error`` if none does.

    Parameters
    ----------
    count : the whole count printed (persons).
    reported : the percentage as printed (0-100).
    decimals : decimals printed.
    """
    _check_rounding(rounding)
    if (base is None) == (candidate_bases is None):
        raise DataError("check_percentage: give exactly one of 'base' (stated) or 'candidate_bases' (not stated)")
    if base is not None:
        exact = 100.0 * count / base
        ok = bool(rounds_to(int(count), int(base), reported, decimals, scale=100, rounding=rounding))
        if ok:
            msg = f"{count:,} of {base:,} is {exact:.{decimals + 2}f}%, which prints as {reported}% as reported."
        else:
            msg = (
                f"{count:,} of the stated base {base:,} is {exact:.{decimals + 2}f}%, "
                f"which cannot print as the reported {reported}%."
            )
        return Finding(
            "percentage",
            item,
            "ok" if ok else "error",
            msg,
            round(exact, decimals + 2),
            reported,
            {"count": count, "base": base},
        )
    fits = {
        name: bool(rounds_to(int(count), int(b), reported, decimals, scale=100, rounding=rounding))
        for name, b in candidate_bases.items()
    }
    exacts = {name: 100.0 * count / b for name, b in candidate_bases.items()}
    listing = "; ".join(
        f"{count:,}/{candidate_bases[n]:,} ({n}) = {exacts[n]:.{decimals + 2}f}%" for n in candidate_bases
    )
    good = [n for n, f in fits.items() if f]
    if good:
        msg = (
            f"The base of {reported}% is not stated. It is reproduced by the {' or '.join(good)} base "
            f"but not by {', '.join(n for n in fits if not fits[n]) or 'any other'} ({listing})."
        )
        sev = "info"
        expected = exacts[good[0]]
    else:
        msg = f"The base of {reported}% is not stated, and no candidate base reproduces it ({listing})."
        sev = "error"
        expected = None
    return Finding(
        "percentage",
        item,
        sev,
        msg,
        None if expected is None else round(expected, decimals + 2),
        reported,
        {"count": count, "fits": fits, "exact": exacts},
    )


def check_percentages(
    counts: Mapping[str, int],
    percentages: Mapping[str, float],
    decimals,
    *,
    base: int | None = None,
    item: str = "percentages",
    n_max: int | None = None,
    per_row: bool = True,
    rounding: str = "nearest",
) -> list[Finding]:
    """Check a column of counts with their percentages, and the base they imply.

    Returns one finding per row against the stated ``base`` (when given and
    ``per_row``), then
    one ``implied_base`` finding: the bases N for which every count/N prints as
    its percentage (:func:`implied_bases`), compared with the stated base
    (``ok`` if it is among them, ``error`` if not, ``info`` if no base is stated)
    and with the sum of the counts (for a single-response question the counts
    add up to the base).
    """
    if list(counts) != list(percentages):
        raise DataError(
            f"check_percentages: counts and percentages must have the same keys, got {list(counts)} and {list(percentages)}"
        )
    dec = dict(zip(percentages, np.broadcast_to(np.asarray(decimals), (len(percentages),)).tolist()))
    out: list[Finding] = []
    if base is not None and per_row:
        for key in counts:
            out.append(
                check_percentage(
                    counts[key], percentages[key], dec[key], base=base, item=f"{item}: {key}", rounding=rounding
                )
            )
    ns = implied_bases(counts, percentages, list(dec.values()), n_max=n_max, rounding=rounding)
    total = int(sum(counts.values()))
    details = {"implied_bases": ns.tolist(), "sum_of_counts": total, "stated_base": base}
    if ns.size == 0:
        msg = "No single base reproduces every count with its percentage: the percentages were not computed from these counts on one base."
        sev, expected = "error", None
    else:
        expected = int(ns[0]) if ns.size == 1 else _fmt_ns(ns)
        implied = f"The counts and percentages imply a base of {_fmt_ns(ns)}"
        sums = f"; the counts add up to {total:,}"
        if base is None:
            msg, sev = implied + sums + ", and no base is stated.", "info"
        elif base in ns:
            msg, sev = implied + sums + f", which includes the stated base {base:,}.", "ok"
        else:
            msg, sev = implied + sums + f", not the stated base {base:,}.", "error"
    out.append(Finding("implied_base", item, sev, msg, expected, base, details))
    return out


def check_multiple_response(
    percentages: Mapping[str, float],
    decimals,
    *,
    n_max: int = 1000,
    stated_n: Mapping[str, int] | int | None = None,
    item: str = "multiple response",
    rounding: str = "nearest",
) -> list[Finding]:
    """Check a multiple-response table whose percentages may sum beyond 100.

    Three findings:

    1. ``percent_base``: if the percentages sum to more than 100 (beyond
       rounding), they are percent of *cases* (respondents), each of whom could
       tick several answers; percent of *responses* would sum to 100 within
       rounding (``info`` either way, ``warning`` if they sum to less than 100
       beyond rounding, meaning some cases gave no answer or answers are missing).
    2. ``feasible_n``: the sample sizes N <= ``n_max`` that reproduce every
       percentage from whole counts (:func:`feasible_sample_sizes`), compared
       with each stated N (``ok`` if every stated N is feasible, ``error`` if
       one is not); details hold the feasible N and, for the first 200 of
       them, the implied number of responses (smallest and largest sum of counts).
    3. ``responses``: the number of responses implied by the smallest feasible N.
    """
    labels, values = _pct_array(percentages)
    dec = np.broadcast_to(np.asarray(decimals), values.shape)
    total = float(values.sum())
    slack = float(np.sum(0.5 * 10.0 ** -dec.astype(float)))
    out: list[Finding] = []
    if total > 100 + slack:
        out.append(
            Finding(
                "percent_base",
                item,
                "info",
                f"The percentages sum to {total:.2f}% (> 100%): they are percent of cases (respondents, "
                f"each of whom may give several answers), not percent of responses, which would sum to 100%.",
                100.0,
                round(total, 4),
                {"sum": total},
            )
        )
    elif total < 100 - slack:
        out.append(
            Finding(
                "percent_base",
                item,
                "warning",
                f"The percentages sum to only {total:.2f}%: as percent of responses they should sum to 100%; "
                f"as percent of cases some respondents gave none of the listed answers.",
                100.0,
                round(total, 4),
                {"sum": total},
            )
        )
    else:
        out.append(
            Finding(
                "percent_base",
                item,
                "info",
                f"The percentages sum to {total:.2f}%, 100% within rounding: percent of responses (or single response).",
                100.0,
                round(total, 4),
                {"sum": total},
            )
        )
    ns = feasible_sample_sizes(dict(zip(labels, values)), dec, n_max, rounding=rounding)
    responses = [implied_responses(dict(zip(labels, values)), int(n), dec, rounding=rounding) for n in ns[:200]]
    details = {"feasible_n": ns.tolist(), "responses": dict(zip(map(int, ns[:200]), responses))}
    if stated_n is None:
        stated = {}
    elif isinstance(stated_n, Mapping):
        stated = {str(k): int(v) for k, v in stated_n.items()}
    else:
        stated = {"stated": int(stated_n)}
    found = f"Sample sizes up to {n_max:,} that reproduce every percentage from whole counts: {_fmt_ns(ns) or 'none'}."
    bad = [f"{name} ({n:,})" for name, n in stated.items() if n not in set(ns.tolist())]
    good = [f"{name} ({n:,})" for name, n in stated.items() if n in set(ns.tolist())]
    if not stated:
        sev, tail = ("info" if ns.size else "error"), ""
    elif bad:
        sev = "error"
        tail = (
            f" The stated base {', '.join(bad)} is not among them, so the percentages cannot have been computed on it."
        )
        if good:
            tail += f" The base {', '.join(good)} is."
    else:
        sev, tail = "ok", f" The stated base {', '.join(good)} is among them."
    out.append(
        Finding(
            "feasible_n",
            item,
            sev,
            found + tail,
            int(ns[0]) if ns.size else None,
            ", ".join(f"{v:,}" for v in stated.values()) or None,
            details,
        )
    )
    if ns.size:
        lo, hi = responses[0]
        resp = f"{lo:,}" if lo == hi else f"{lo:,} to {hi:,}"
        out.append(
            Finding(
                "responses",
                item,
                "info",
                f"With the smallest feasible base, {int(ns[0]):,} respondents, the percentages imply {resp} "
                f"responses ({lo / ns[0]:.2f} answers per respondent).",
                lo,
                None,
                {"n": int(ns[0]), "responses": (lo, hi)},
            )
        )
    return out


# ----------------------------------------------------------------------------- sums, differences, ratios, growth


def _tol(tolerance, decimals, n_terms):
    if decimals is not None:
        return (n_terms + 1) * 0.5 * 10.0**-decimals
    return float(tolerance)


def _num(x, name):
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise DataError(f"parameter '{name}' must be a number, got {x!r}") from None
    if not math.isfinite(v):
        raise DataError(f"parameter '{name}' must be finite, got {x!r}")
    return v


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
    g = 100.0 * (e - s) / s if kind == "percent" else e / s
    ok = bool(rounds_to(g, 1.0, r, decimals))
    sym = "%" if kind == "percent" else ""
    msg = (
        f"From {s:,.10g} to {e:,.10g} is {'a growth of ' if kind == 'percent' else 'a ratio of '}{g:.{decimals + 2}f}{sym}"
        + (", as printed." if ok else f", not the printed {r}{sym}.")
    )
    return Finding("growth", item, "ok" if ok else "error", msg, round(g, decimals + 2), r, {"start": s, "end": e})


# ----------------------------------------------------------------------------- GRIM and GRIMMER


def grim_consistent(mean, n, decimals, *, items: int = 1, rounding: str = "nearest") -> np.ndarray:
    """GRIM: can a mean of ``n`` answers on an integer scale print as ``mean``?

    The mean of n answers, each the average of ``items`` integer items, is a
    multiple of 1 / (n * items) (the granularity). The printed mean is
    consistent if some whole total T makes T / (n * items) print as ``mean``
    (Brown & Heathers 2017). Vectorised: arrays broadcast.

    Parameters
    ----------
    mean : printed mean(s), in scale units.
    n : sample size(s) (persons).
    decimals : decimals printed.
    items : items averaged into each person's score (1 for a single item).
    """
    _check_rounding(rounding)
    nn = np.asarray(n)
    it = np.asarray(items)
    if np.any(nn < 1) or np.any(nn != np.round(nn)):
        raise DataError(f"parameter 'n' must be positive whole numbers, got {n!r}")
    if np.any(it < 1) or np.any(it != np.round(it)):
        raise DataError(f"parameter 'items' must be positive whole numbers, got {items!r}")
    m = np.asarray(mean, float)
    units, power = _to_units(np.abs(m), np.broadcast_to(np.asarray(decimals), m.shape), "mean")
    denom = (nn * it).astype(np.int64)
    ok = np.zeros(np.broadcast(units, denom).shape, bool)
    for lo, hi in _count_range(units, power, denom, 1, rounding):
        ok |= lo <= hi
    return ok  # symmetric in the sign of the mean: -T/g prints as -m exactly when T/g prints as m


def check_grim(
    mean, n: int, decimals: int, *, items: int = 1, item: str = "mean", rounding: str = "nearest"
) -> Finding:
    """GRIM check of one printed mean (Brown & Heathers 2017), as a :class:`Finding`.

    ``info`` when ``n * items >= 10**decimals`` (every printed value is then
    possible, so the test says nothing), ``ok`` when consistent, ``error``
    otherwise, with the nearest consistent means in the details.
    """
    ok = bool(grim_consistent(mean, n, decimals, items=items, rounding=rounding))
    g = n * items
    if g >= 10**decimals:
        return Finding(
            "grim",
            item,
            "info",
            f"With N = {n:,} and {items} item(s) the mean moves in steps of 1/{g:,}, finer than the "
            f"{decimals} printed decimals: GRIM cannot test it.",
            None,
            mean,
            {"granularity": 1 / g},
        )
    t = round(mean * g)
    near = sorted({round(k / g, decimals) for k in (math.floor(mean * g), math.ceil(mean * g))})
    if ok:
        return Finding(
            "grim",
            item,
            "ok",
            f"A mean of {mean} is possible with N = {n:,} and {items} item(s): "
            f"e.g. a total of {t:,} / {g:,} = {t / g:.{decimals + 3}f}.",
            round(t / g, decimals + 3),
            mean,
            {"total": t, "granularity": 1 / g},
        )
    return Finding(
        "grim",
        item,
        "error",
        f"A mean of {mean} is impossible with N = {n:,} and {items} integer item(s): means move in steps of "
        f"1/{g:,} and the nearest possible printed values are {', '.join(str(v) for v in near)}.",
        near,
        mean,
        {"granularity": 1 / g, "nearest": near},
    )


def sd_bounds(mean, n: int, scale_min: int, scale_max: int, *, items: int = 1, ddof: int = 1) -> tuple[float, float]:
    """Smallest and largest standard deviation of ``n`` integer-scale answers with a given mean.

    Answers are averages of ``items`` integers in ``scale_min..scale_max``; the
    total T = n * items * mean must be whole (round ``mean`` first, or see
    :func:`check_sd`, which tries every total consistent with a printed mean).
    The smallest SD puts every answer on the two grid points around the mean;
    the largest puts answers at the scale's ends with at most one in between
    (a convex function over a box is largest at a vertex); Heathers et al.
    (2018), SPRITE. ``ddof=1`` gives the sample SD.
    """
    if n < 2 and ddof == 1:
        raise DataError("sd_bounds: a sample SD needs n >= 2")
    if scale_max <= scale_min:
        raise DataError(f"sd_bounds: scale_max ({scale_max}) must exceed scale_min ({scale_min})")
    g = n * items
    T = mean * g
    if abs(T - round(T)) > 1e-6:
        raise DataError(
            f"sd_bounds: mean {mean} times n*items = {T} is not a whole total; the mean is GRIM-inconsistent"
        )
    T = int(round(T))
    lo_t, hi_t = scale_min * items, scale_max * items
    if not (n * lo_t <= T <= n * hi_t):
        raise DataError(f"sd_bounds: mean {mean} lies outside the scale {scale_min}..{scale_max}")

    def _sd(values_counts):  # list of (value in item units, how many)
        sq = sum(c * v * v for v, c in values_counts)
        var = (sq - T * T / n) / (n - ddof)
        return math.sqrt(max(var, 0.0)) / items

    q, r = divmod(T, n)
    sd_min = _sd([(q, n - r), (q + 1, r)])
    span = hi_t - lo_t
    a = (T - n * lo_t) // span  # answers at the top
    if a >= n:
        sd_max = 0.0
    else:
        mid = T - a * hi_t - (n - a - 1) * lo_t
        sd_max = _sd([(hi_t, a), (lo_t, n - a - 1), (mid, 1)])
    return sd_min, sd_max


def _sd_interval(sd, decimals_sd, rounding):
    h = 0.5 * 10.0**-decimals_sd
    if rounding == "nearest":
        return max(sd - h, 0.0), sd + h
    if rounding == "truncate":
        return sd, sd + 2 * h
    return max(sd - h, 0.0), sd + 2 * h


def _grimmer_detail(mean, sd, n, decimals_mean, decimals_sd, items, rounding):
    """(reason, totals checked): reason is None when consistent."""
    g = n * items
    units, power = _to_units(abs(mean), decimals_mean, "mean")
    _to_units(sd, decimals_sd, "sd")
    ranges = _count_range(units, power, np.int64(g), 1, rounding)
    sign = -1 if mean < 0 else 1  # totals of a negative mean are negative; parity and T^2 do not change
    totals = sorted({sign * int(t) for lo, hi in ranges for t in range(int(lo), int(hi) + 1)})
    if not totals:
        return "GRIM", []
    s_lo, s_hi = _sd_interval(sd, decimals_sd, rounding)
    # scores in item units t_i (integers); SD_t = items * SD; Q = sum t_i^2, parity Q = T (mod 2)
    granular = False
    for T in totals:
        base = T * T / n
        q_lo = (n - 1) * (s_lo * items) ** 2 + base
        q_hi = (n - 1) * (s_hi * items) ** 2 + base
        eps = 1e-9 * max(1.0, q_hi)
        qs = np.arange(math.ceil(q_lo - eps), math.floor(q_hi + eps) + 1, dtype=np.int64)
        qs = qs[qs >= math.ceil(base - eps)]
        if qs.size == 0:
            continue
        granular = True
        if np.any(qs % 2 == abs(T) % 2):
            return None, totals
    return ("GRIMMER parity" if granular else "GRIMMER granularity"), totals


def grimmer_consistent(
    mean, sd, n: int, decimals_mean: int, decimals_sd: int, *, items: int = 1, rounding: str = "nearest"
) -> bool:
    """GRIMMER: can ``n`` integer answers have the printed mean *and* standard deviation?

    Implements the analytic form (Allard 2018) of Anaya's (2016) GRIMMER test
    for the sample SD: for every total T consistent with the mean (GRIM), the
    sum of squares Q = (n - 1) SD^2 + T^2 / n must be a whole number within the
    SD's rounding interval, and Q must have the parity of T (x^2 and x are
    both odd or both even). With ``items`` > 1, answers are sums of ``items``
    integers divided by ``items``; the test runs on those sums.
    """
    _check_rounding(rounding)
    if n < 2:
        raise DataError("grimmer_consistent: a sample SD needs n >= 2")
    reason, _ = _grimmer_detail(mean, sd, int(n), decimals_mean, decimals_sd, int(items), rounding)
    return reason is None


def check_sd(
    mean,
    sd,
    n: int,
    decimals_mean: int,
    decimals_sd: int,
    *,
    items: int = 1,
    scale: tuple[int, int] | None = None,
    item: str = "sd",
    rounding: str = "nearest",
) -> Finding:
    """Check a printed SD with its mean and N: GRIM, then GRIMMER, then the scale bounds.

    Order of the tests (the first failure is reported, as ``error``):
    GRIM of the mean (Brown & Heathers 2017); GRIMMER granularity and parity
    of the SD (Anaya 2016; Allard 2018); and, when the ``scale`` (min, max) is
    given, whether the SD lies between the smallest and largest SD possible
    for that mean on that scale (:func:`sd_bounds`; Heathers et al. 2018).
    ``info`` when ``n * items >= 10**decimals_mean`` and no scale is given
    (nothing informative can be tested).
    """
    _check_rounding(rounding)
    if n < 2:
        raise DataError("check_sd: a sample SD needs n >= 2")
    reason, totals = _grimmer_detail(mean, sd, int(n), decimals_mean, decimals_sd, int(items), rounding)
    details: dict = {"totals": totals[:20]}
    if reason == "GRIM":
        return Finding(
            "sd",
            item,
            "error",
            f"The mean {mean} is itself impossible with N = {n:,} (GRIM), so the SD cannot be checked further.",
            None,
            sd,
            details,
        )
    if reason == "GRIMMER granularity":
        return Finding(
            "sd",
            item,
            "error",
            f"No whole sum of squares gives an SD that prints as {sd} with mean {mean} and N = {n:,} (GRIMMER).",
            None,
            sd,
            details,
        )
    if reason == "GRIMMER parity":
        return Finding(
            "sd",
            item,
            "error",
            f"An SD of {sd} with mean {mean} and N = {n:,} needs a sum of squares whose parity differs from "
            f"that of the sum, which integer answers cannot have (GRIMMER parity test).",
            None,
            sd,
            details,
        )
    if scale is not None:
        lo_s, hi_s = _sd_interval(sd, decimals_sd, rounding)
        bounds = [
            sd_bounds(T / (n * items), n, scale[0], scale[1], items=items)
            for T in totals
            if n * scale[0] * items <= T <= n * scale[1] * items
        ]
        if not bounds:
            return Finding(
                "sd",
                item,
                "error",
                f"The mean {mean} lies outside the scale {scale[0]}..{scale[1]}.",
                None,
                sd,
                details,
            )
        smin, smax = min(b[0] for b in bounds), max(b[1] for b in bounds)
        details.update(sd_min=smin, sd_max=smax)
        if hi_s < smin - 1e-12 or lo_s > smax + 1e-12:
            return Finding(
                "sd",
                item,
                "error",
                f"With mean {mean} and N = {n:,} on a {scale[0]}-{scale[1]} scale the SD must lie between "
                f"{smin:.{decimals_sd + 2}f} and {smax:.{decimals_sd + 2}f}; the printed {sd} does not.",
                (round(smin, decimals_sd + 2), round(smax, decimals_sd + 2)),
                sd,
                details,
            )
    elif n * items >= 10**decimals_mean:
        return Finding(
            "sd",
            item,
            "info",
            f"N = {n:,} is too large for the printed precision to test the SD {sd}.",
            None,
            sd,
            details,
        )
    return Finding(
        "sd",
        item,
        "ok",
        f"An SD of {sd} is possible with mean {mean} and N = {n:,} (GRIM, GRIMMER"
        + (" and the scale bounds" if scale is not None else "")
        + ").",
        None,
        sd,
        details,
    )


# ----------------------------------------------------------------------------- text facts


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
        return Finding(
            "agreement",
            item,
            "ok",
            f"Every statement of the {what} agrees ({listing}).",
            values[keys[0]],
            values[keys[0]],
            {"values": dict(values)},
        )
    return Finding(
        "agreement",
        item,
        "error",
        f"The {what} is printed differently in different places ({listing}).",
        values[keys[0]],
        values[disagree[0]],
        {"values": dict(values)},
    )


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
        d = _dt.date.fromisoformat(s)
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


# ----------------------------------------------------------------------------- declarative audits


def _parse_ref(ref: str) -> tuple[str, str, str | None, str | None]:
    unit = None
    if "@" in ref:
        ref, unit = ref.split("@", 1)
    parts = ref.split(".")
    if len(parts) == 2:
        return parts[0], parts[1], None, unit
    if len(parts) == 3:
        return parts[0], parts[1], parts[2], unit
    raise DataError(f"reference {ref!r} must read 'table.item', 'table.item.condition', optionally '@unit'")


def resolve(tables: pd.DataFrame, ref, overrides: Mapping[str, Any] | None = None, *, text: bool = False):
    """The value a reference points to in a long-format table of printed numbers.

    ``tables`` has columns ``table``, ``item``, ``condition``, ``value``,
    ``value_text`` and ``unit`` (:func:`crmlib.datasets.load_thesis_tables`).
    ``ref`` is ``"table.item"``, ``"table.item.condition"``, either optionally
    followed by ``"@unit"`` (``"figure1.know_crm@percent"``); a number or a
    ``{"value": v}`` dict is a literal. ``overrides`` replaces the value of a
    reference (an alternative reading of a garbled figure). With ``text=True``
    the printed text is returned (for dates and decimals).
    """
    if overrides and isinstance(ref, str) and ref in overrides:
        v = overrides[ref]
        return str(v) if text else v
    if isinstance(ref, Mapping):
        if "value" not in ref:
            raise DataError(f"a literal reference needs a 'value' key, got {dict(ref)}")
        return str(ref["value"]) if text else ref["value"]
    if not isinstance(ref, str):
        return str(ref) if text else ref
    table, item, condition, unit = _parse_ref(ref)
    for col in ("table", "item", "condition", "value", "value_text", "unit"):
        if col not in tables.columns:
            raise DataError(f"resolve: the tables lack column '{col}'")
    m = (tables["table"] == table) & (tables["item"] == item)
    if condition is not None:
        m &= tables["condition"] == condition
    if unit is not None:
        m &= tables["unit"] == unit
    hits = tables[m]
    if len(hits) != 1:
        raise DataError(
            f"reference {ref!r} matches {len(hits)} rows of the tables; it must match exactly one"
            + ("" if len(hits) == 0 else " (add '.condition' or '@unit')")
        )
    row = hits.iloc[0]
    if text:
        return str(row["value_text"])
    if row["unit"] == "date" or pd.isna(row["value"]):
        return str(row["value_text"])
    v = float(row["value"])
    return int(v) if v == int(v) and "." not in str(row["value_text"]) else v


def _label(ref) -> str:
    if isinstance(ref, Mapping):
        return str(ref.get("label", ref.get("value")))
    return str(ref)


def _refs(entry, key) -> dict[str, Any]:
    refs = entry[key]
    if isinstance(refs, Mapping):
        return dict(refs)
    return {_label(r): r for r in refs}


def audit_tables(
    tables: pd.DataFrame,
    spec: Sequence[Mapping[str, Any]],
    *,
    overrides: Mapping[str, Any] | None = None,
    rounding: str = "nearest",
) -> list[Finding]:
    """Run the checks listed in a declarative ``spec`` on a long table of printed numbers.

    Each entry of ``spec`` is a dict with ``"check"`` and ``"item"`` (a label
    for the findings) and the references the check needs (see :func:`resolve`
    for their form; a list of references or a ``{label: reference}`` dict where
    several are needed). Decimals are read from the printed text unless
    ``"decimals"`` is given.

    =====================  ==============================================================
    check                  keys
    =====================  ==============================================================
    ``percentage``         ``count``, ``reported``, and ``base`` or ``candidate_bases``
    ``percentages``        ``counts``, ``percentages`` (same labels), optional ``base``, ``per_row``
    ``multiple_response``  ``percentages``, optional ``stated_n`` ({label: ref}), ``n_max``
    ``parts_total``        ``parts``, ``total``, optional ``unit``, ``tolerance``
    ``difference``         ``minuend``, ``subtrahend``, ``reported``
    ``ratio``              ``numerator``, ``denominator``, ``reported``
    ``growth``             ``start``, ``end``, ``reported``, ``kind``
    ``grim``               ``mean``, ``n``, optional ``items``
    ``sd``                 ``mean``, ``sd``, ``n``, optional ``items``, ``scale``
    ``agreement``          ``values`` ({where: ref}), optional ``what``
    ``chronology``         ``events`` ({label: ref}, in the order they must occur)
    ``not_checkable``      ``reason``
    =====================  ==============================================================

    Two optional keys apply to every entry: ``"on_fail"`` replaces the
    severity ``error`` of its findings (e.g. ``"warning"`` where the analyst
    judges that another reading of the row could reconcile the numbers), and
    ``"note"`` is appended to each of its messages (say why).

    Returns every finding, in spec order. ``overrides`` maps a reference to an
    alternative value (e.g. another reading of a garbled number); ``rounding``
    is passed to the checks that round (see the module docstring).
    """
    _check_rounding(rounding)
    out: list[Finding] = []
    for i, entry in enumerate(spec):
        found = _audit_entry(tables, entry, i, overrides, rounding)
        on_fail, note = entry.get("on_fail"), entry.get("note")
        if on_fail is not None and on_fail not in SEVERITIES:
            raise DataError(
                f"spec entry {i} ({entry.get('item')!r}): 'on_fail' must be one of {SEVERITIES}, got {on_fail!r}"
            )
        for f in found:
            sev = on_fail if (on_fail and f.severity == "error") else f.severity
            msg = f"{f.message} {note}" if note else f.message
            out.append(Finding(f.check, f.item, sev, msg, f.expected, f.reported, f.details))
    return out


def _audit_entry(tables, entry, i, overrides, rounding) -> list[Finding]:
    """The findings of one spec entry of :func:`audit_tables`."""
    out: list[Finding] = []

    def val(ref):
        return resolve(tables, ref, overrides)

    def dec(entry, ref):
        if "decimals" in entry:
            return int(entry["decimals"])
        return decimals_of(resolve(tables, ref, overrides, text=True))

    if "check" not in entry or "item" not in entry:
        raise DataError(f"spec entry {i} needs keys 'check' and 'item', got {sorted(entry)}")
    kind, item = entry["check"], entry["item"]
    try:
        if kind == "percentage":
            bases = entry.get("candidate_bases")
            out.append(
                check_percentage(
                    val(entry["count"]),
                    val(entry["reported"]),
                    dec(entry, entry["reported"]),
                    base=val(entry["base"]) if "base" in entry else None,
                    candidate_bases={k: val(r) for k, r in bases.items()} if bases else None,
                    item=item,
                    rounding=rounding,
                )
            )
        elif kind == "percentages":
            counts = {k: val(r) for k, r in _refs(entry, "counts").items()}
            prefs = _refs(entry, "percentages")
            pct = {k: val(r) for k, r in prefs.items()}
            decs = entry.get(
                "decimals", [decimals_of(resolve(tables, r, overrides, text=True)) for r in prefs.values()]
            )
            out.extend(
                check_percentages(
                    counts,
                    pct,
                    decs,
                    base=val(entry["base"]) if "base" in entry else None,
                    item=item,
                    n_max=entry.get("n_max"),
                    per_row=entry.get("per_row", True),
                    rounding=rounding,
                )
            )
        elif kind == "multiple_response":
            prefs = _refs(entry, "percentages")
            pct = {k: val(r) for k, r in prefs.items()}
            decs = entry.get(
                "decimals", [decimals_of(resolve(tables, r, overrides, text=True)) for r in prefs.values()]
            )
            stated = {k: val(r) for k, r in entry.get("stated_n", {}).items()} or None
            out.extend(
                check_multiple_response(
                    pct, decs, n_max=int(entry.get("n_max", 1000)), stated_n=stated, item=item, rounding=rounding
                )
            )
        elif kind == "parts_total":
            parts = {k: val(r) for k, r in _refs(entry, "parts").items()}
            out.append(
                check_parts_total(
                    parts,
                    val(entry["total"]),
                    item=item,
                    unit=entry.get("unit", ""),
                    tolerance=entry.get("tolerance", 0.0),
                    decimals=entry.get("decimals"),
                )
            )
        elif kind == "difference":
            out.append(
                check_difference(
                    val(entry["minuend"]),
                    val(entry["subtrahend"]),
                    val(entry["reported"]),
                    item=item,
                    unit=entry.get("unit", ""),
                    decimals=entry.get("decimals"),
                )
            )
        elif kind == "ratio":
            out.append(
                check_ratio(
                    val(entry["numerator"]),
                    val(entry["denominator"]),
                    val(entry["reported"]),
                    dec(entry, entry["reported"]),
                    item=item,
                    rounding=rounding,
                )
            )
        elif kind == "growth":
            g_kind = entry.get("kind", "percent")
            d = entry.get("decimals") if g_kind == "absolute" else dec(entry, entry["reported"])
            out.append(
                check_growth(
                    val(entry["start"]),
                    val(entry["end"]),
                    val(entry["reported"]),
                    kind=g_kind,
                    decimals=d,
                    item=item,
                    unit=entry.get("unit", ""),
                )
            )
        elif kind == "grim":
            out.append(
                check_grim(
                    val(entry["mean"]),
                    int(val(entry["n"])),
                    dec(entry, entry["mean"]),
                    items=int(entry.get("items", 1)),
                    item=item,
                    rounding=rounding,
                )
            )
        elif kind == "sd":
            out.append(
                check_sd(
                    val(entry["mean"]),
                    val(entry["sd"]),
                    int(val(entry["n"])),
                    decimals_of(resolve(tables, entry["mean"], overrides, text=True)),
                    decimals_of(resolve(tables, entry["sd"], overrides, text=True)),
                    items=int(entry.get("items", 1)),
                    scale=entry.get("scale"),
                    item=item,
                    rounding=rounding,
                )
            )
        elif kind == "agreement":
            out.append(
                check_agreement(
                    {k: val(r) for k, r in entry["values"].items()}, item=item, what=entry.get("what", "value")
                )
            )
        elif kind == "chronology":
            out.extend(check_chronology({k: val(r) for k, r in entry["events"].items()}, item=item))
        elif kind == "not_checkable":
            out.append(not_checkable(item, entry["reason"]))
        else:
            raise DataError(f"spec entry {i} ({item!r}): unknown check {kind!r}")
    except KeyError as exc:
        raise DataError(f"spec entry {i} ({item!r}, check {kind!r}) lacks key {exc}") from None
    return out
