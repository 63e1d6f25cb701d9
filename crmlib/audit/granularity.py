"""GRIM, GRIMMER and the bounds of a standard deviation: means and SDs of integer answers.

References: Brown & Heathers (2017); Anaya (2016); Allard (2018); Heathers et al. (2018) (see :mod:`crmlib.audit`).
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import check_choice, check_count, check_nonnegative
from ..exceptions import DataError
from .findings import Finding
from .rounding import _check_rounding, _count_range, _decimals, _to_units

MAX_TOTALS = 1_000_000
"""Largest number of whole totals GRIMMER tries for one printed mean (about n * items / 10**decimals).

Beyond it the printed precision cannot inform the test; raise it (``crmlib.audit.granularity.MAX_TOTALS``)
to try anyway."""


def _sample(n, items, what: str) -> tuple[int, int]:
    """``n`` >= 2 persons and ``items`` >= 1, as whole numbers (a sample SD needs two answers)."""
    if isinstance(n, (int, np.integer, float, np.floating)) and not isinstance(n, bool) and 0 <= n < 2:
        raise DataError(f"{what}: a sample SD needs n >= 2, got {n!r}")
    return check_count(n, "n", minimum=2), check_count(items, "items", minimum=1)


def _scale(scale_min, scale_max) -> tuple[int, int]:
    """The lowest and highest scale points, whole numbers with scale_min < scale_max."""
    lo = check_count(scale_min, "scale_min", minimum=-(10**9))
    hi = check_count(scale_max, "scale_max", minimum=-(10**9))
    if hi <= lo:
        raise DataError(f"scale_max ({hi}) must exceed scale_min ({lo})")
    return lo, hi


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
    ddof = check_choice(ddof, "ddof", (0, 1))
    if ddof == 1:
        n, items = _sample(n, items, "sd_bounds")
    else:
        n, items = check_count(n, "n", minimum=1), check_count(items, "items", minimum=1)
    if scale_max <= scale_min:
        raise DataError(f"sd_bounds: scale_max ({scale_max}) must exceed scale_min ({scale_min})")
    scale_min, scale_max = _scale(scale_min, scale_max)
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
    width = sum(max(int(hi) - int(lo) + 1, 0) for lo, hi in ranges)
    if width > MAX_TOTALS:
        raise DataError(
            f"GRIMMER: with n = {n:,} and {items} item(s) the mean {mean} printed with {decimals_mean} decimals "
            f"allows {width:,} whole totals, more than the bound of {MAX_TOTALS:,}: the printed precision cannot "
            "inform the test at this N (raise crmlib.audit.granularity.MAX_TOTALS to try anyway)"
        )
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
    n, items = _sample(n, items, "grimmer_consistent")
    sd = check_nonnegative(sd, "sd")
    decimals_mean, decimals_sd = _decimals(decimals_mean, "decimals_mean"), _decimals(decimals_sd, "decimals_sd")
    reason, _ = _grimmer_detail(mean, sd, n, decimals_mean, decimals_sd, items, rounding)
    return reason is None


def check_sd(
    mean,
    sd,
    n: int,
    decimals_mean: int,
    decimals_sd: int,
    *,
    items: int = 1,
    scale_min: int | None = None,
    scale_max: int | None = None,
    item: str = "sd",
    rounding: str = "nearest",
) -> Finding:
    """Check a printed SD with its mean and N: GRIM, then GRIMMER, then the scale bounds.

    Order of the tests (the first failure is reported, as ``error``):
    GRIM of the mean (Brown & Heathers 2017); GRIMMER granularity and parity
    of the SD (Anaya 2016; Allard 2018); and, when ``scale_min`` and ``scale_max`` are
    given, whether the SD lies between the smallest and largest SD possible
    for that mean on that scale (:func:`sd_bounds`; Heathers et al. 2018).
    ``info`` when ``n * items >= 10**decimals_mean`` and no scale is given
    (nothing informative can be tested).
    """
    _check_rounding(rounding)
    n, items = _sample(n, items, "check_sd")
    sd = check_nonnegative(sd, "sd")
    decimals_mean, decimals_sd = _decimals(decimals_mean, "decimals_mean"), _decimals(decimals_sd, "decimals_sd")
    if (scale_min is None) != (scale_max is None):
        raise DataError("check_sd: give both scale_min and scale_max (the scale points), or neither")
    scale = None if scale_min is None else _scale(scale_min, scale_max)
    reason, totals = _grimmer_detail(mean, sd, n, decimals_mean, decimals_sd, items, rounding)
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
