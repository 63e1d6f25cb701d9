"""Percentages and their bases: feasible sample sizes, counts, implied bases, multiple response.

References: Brown & Heathers (2017), the GRIM test applied to proportions (see :mod:`crmlib.audit`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._checks import check_count
from ..exceptions import DataError
from .findings import Finding
from .rounding import _check_rounding, _count_range, _decimals, _num, _to_units, rounds_to

MAX_SEARCH = 10_000_000
"""Largest number of sample sizes one search may try (:func:`feasible_sample_sizes`, :func:`implied_bases`).

About 2 s and 100 MB per 10 million N and percentage; raise it (``crmlib.audit.percentages.MAX_SEARCH = ...``)
for a wider search, or search a narrower range."""

_CHUNK = 1_000_000  # sample sizes per block of the vectorised search (bounds the memory)


def _check_search(n_min: int, n_max: int, what: str, narrower: str = "n_min/n_max") -> None:
    width = n_max - n_min + 1
    if width > MAX_SEARCH:
        raise DataError(
            f"{what}: searching {width:,} sample sizes ({n_min:,} to {n_max:,}) exceeds the bound of "
            f"{MAX_SEARCH:,}; search a narrower range ({narrower}) or raise crmlib.audit.percentages.MAX_SEARCH"
        )


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


def _reproduced(percentages, decimals, n_min, n_max, rounding, what: str):
    """Sample sizes n_min..n_max, how many percentages each reproduces, and how many there are (in blocks of N)."""
    _check_rounding(rounding)
    _, values = _pct_array(percentages)
    n_min = check_count(n_min, "n_min", minimum=1)
    n_max = check_count(n_max, "n_max")
    if n_max < n_min:
        raise DataError(f"parameters 'n_min'/'n_max' must satisfy 1 <= n_min <= n_max, got {n_min}, {n_max}")
    _check_search(n_min, n_max, what)
    ns = np.arange(n_min, n_max + 1, dtype=np.int64)
    hits = np.concatenate(
        [_feasible_mask(values, decimals, ns[i : i + _CHUNK], rounding).sum(axis=1) for i in range(0, ns.size, _CHUNK)]
    )
    return ns, hits.astype(np.int64), values.size


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
    ns, hits, size = _reproduced(percentages, decimals, n_min, n_max, rounding, "feasible_sample_sizes")
    return ns[hits == size]


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
    n = check_count(n, "n", minimum=1)
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
        upper = check_count(n_max, "n_max", minimum=1)
    if n_max is not None:
        n_max = check_count(n_max, "n_max", minimum=1)
        upper = min(upper, n_max)
    lower = max(1, int(k.max()))
    if upper < lower:
        return np.array([], dtype=np.int64)
    _check_search(lower, int(upper), "implied_bases", "a smaller n_max")
    ns = np.arange(lower, int(upper) + 1, dtype=np.int64)
    ok = rounds_to(k.astype(np.int64)[None, :], ns[:, None], p[None, :], d[None, :], factor=100, rounding=rounding)
    return ns[ok.all(axis=1)]


def _fmt_ns(ns: np.ndarray, limit: int = 12) -> str:
    values = list(map(int, ns))
    if len(values) <= limit:
        return ", ".join(f"{n:,}" for n in values)
    return ", ".join(f"{n:,}" for n in values[:limit]) + f", ... ({len(values):,} in all)"


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
    count = check_count(count, "count")
    reported = _num(reported, "reported")
    decimals = _decimals(decimals)
    if base is not None:
        base = check_count(base, "base", minimum=1)
        exact = 100.0 * count / base
        if count > base:
            return Finding(
                "percentage",
                item,
                "error",
                f"The count {count:,} is larger than its stated base {base:,}: a count cannot exceed the base it is "
                f"a percentage of (it would be {exact:.{decimals + 2}f}%).",
                round(exact, decimals + 2),
                reported,
                {"count": count, "base": base},
            )
        ok = bool(rounds_to(count, base, reported, decimals, factor=100, rounding=rounding))
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
    if not isinstance(candidate_bases, Mapping) or not candidate_bases:
        raise DataError(f"candidate_bases must be a non-empty mapping of name to base, got {candidate_bases!r}")
    candidate_bases = {k: check_count(b, f"candidate_bases[{k!r}]", minimum=1) for k, b in candidate_bases.items()}
    fits = {
        name: count <= b and bool(rounds_to(count, b, reported, decimals, factor=100, rounding=rounding))
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
    n_max = check_count(n_max, "n_max", minimum=1)
    if stated_n is None:
        stated = {}
    elif isinstance(stated_n, Mapping):
        stated = {str(k): check_count(v, f"stated_n[{k!r}]", minimum=1) for k, v in stated_n.items()}
    else:
        stated = {"stated": check_count(stated_n, "stated_n", minimum=1)}
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


def reproduced_counts(percentages, decimals, n_max: int, *, n_min: int = 1, rounding: str = "nearest") -> pd.DataFrame:
    """For every sample size N, how many of the printed percentages whole counts k/N can reproduce.

    The per-N profile behind :func:`feasible_sample_sizes` (which keeps the N
    where every percentage is reproduced): a figure of it shows how close the
    stated bases come (Brown & Heathers 2017, GRIM for proportions, applied to
    each percentage separately).

    Parameters
    ----------
    percentages : sequence or mapping of percentages (0-100) as printed.
    decimals : decimals printed (int, or one per percentage).
    n_max, n_min : range of sample sizes searched (persons, inclusive; at most :data:`MAX_SEARCH`).
    rounding : ``"nearest"``, ``"truncate"`` or ``"either"`` (see :mod:`crmlib.audit`).

    Returns
    -------
    DataFrame indexed by ``n`` (persons) with ``reproduced`` (how many percentages fit, a count) and
    ``all`` (True where every one does).
    """
    ns, hits, size = _reproduced(percentages, decimals, n_min, n_max, rounding, "reproduced_counts")
    return pd.DataFrame({"reproduced": hits, "all": hits == size}, index=pd.Index(ns, name="n"))
