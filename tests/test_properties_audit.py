"""Property tests of the published-table audit: each check equals a brute-force search in exact fractions.

Issue 14 ("tests sorted by intent"). For generated means, percentages, sample
sizes and decimals, crmlib's vectorised integer arithmetic (``audit.granularity``,
``audit.percentages``) must agree with the plainest possible oracle written
here: try every whole total or count, compute the exact fraction with
:class:`fractions.Fraction`, and ask whether it prints as the reported value:

* ``"nearest"``: within half a unit of the last printed decimal, boundary
  included (either half rule, as the docstrings state);
* ``"truncate"``: the printed value is the exact value cut after ``decimals``.

GRIM and its use for percentages: Brown & Heathers (2017), "The GRIM test",
Social Psychological and Personality Science 8(4).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlib import audit
from crmlib.exceptions import DataError

PROPS = settings(max_examples=60, deadline=None, derandomize=True, database=None)


def _prints_as(exact: Fraction, units: int, decimals: int, rounding: str) -> bool:
    """Does the non-negative ``exact`` print as ``units / 10**decimals`` under ``rounding``?"""
    p = 10**decimals
    if rounding == "truncate":
        return math.floor(exact * p) == units
    return abs(exact * p - units) <= Fraction(1, 2)


def _grim_brute(units: int, decimals: int, n: int, rounding: str) -> bool:
    p = 10**decimals
    top = (units + 1) * n // p + 2  # totals beyond this print above the mean
    return any(_prints_as(Fraction(t, n), units, decimals, rounding) for t in range(0, top + 1))


@PROPS
@given(
    n=st.integers(1, 60),
    decimals=st.integers(0, 2),
    data=st.data(),
    rounding=st.sampled_from(["nearest", "truncate"]),
)
def test_consistency_grim_equals_a_search_over_every_total(n, decimals, data, rounding):
    """grim_consistent(mean, n, d) is True exactly when some whole total T has T / n printing as the mean."""
    p = 10**decimals
    if data.draw(st.booleans(), label="from a real total"):
        total = data.draw(st.integers(0, 7 * n), label="total")
        exact = Fraction(total, n)
        units = math.floor(exact * p) if rounding == "truncate" else math.floor(exact * p + Fraction(1, 2))
    else:
        units = data.draw(st.integers(0, 7 * p), label="units")
    mean = units / p
    got = bool(audit.grim_consistent(mean, n, decimals, rounding=rounding))
    assert got == _grim_brute(units, decimals, n, rounding)


@PROPS
@given(
    percentages=st.lists(st.integers(0, 1000), min_size=1, max_size=4),
    decimals=st.integers(0, 1),
    n_max=st.integers(1, 80),
)
def test_consistency_feasible_sample_sizes_equal_a_search_over_every_count(percentages, decimals, n_max):
    """N is feasible exactly when every percentage is 100 k / N for some whole k in 0..N, as printed."""
    p = 10**decimals
    units = [u % (100 * p + 1) for u in percentages]
    shown = [u / p for u in units]
    got = audit.feasible_sample_sizes(shown, decimals, n_max).tolist()
    want = [
        n
        for n in range(1, n_max + 1)
        if all(any(_prints_as(Fraction(100 * k, n), u, decimals, "nearest") for k in range(n + 1)) for u in units)
    ]
    assert got == want


@PROPS
@given(n=st.integers(1, 120), units=st.integers(0, 1000), decimals=st.integers(0, 1))
def test_consistency_feasible_counts_are_the_range_of_matching_counts(n, units, decimals):
    """k_min..k_max are the smallest and largest whole counts that print as the percentage (empty: infeasible)."""
    p = 10**decimals
    units %= 100 * p + 1
    got = audit.feasible_counts([units / p], n, decimals).iloc[0]
    ks = [k for k in range(n + 1) if _prints_as(Fraction(100 * k, n), units, decimals, "nearest")]
    assert bool(got["feasible"]) == bool(ks)
    if ks:
        assert (int(got["k_min"]), int(got["k_max"])) == (min(ks), max(ks))


@PROPS
@given(base=st.integers(1, 500), data=st.data(), decimals=st.integers(0, 2))
def test_consistency_check_percentage_with_its_base(base, data, decimals):
    """With a stated base: "ok" exactly when 100 count / base prints as the percentage; a count above the base
    is an error finding, never "ok"."""
    count = data.draw(st.integers(0, base + 3), label="count")
    p = 10**decimals
    units = data.draw(st.integers(0, 100 * p), label="units")
    finding = audit.check_percentage(count, units / p, decimals, base=base)
    fits = count <= base and _prints_as(Fraction(100 * count, base), units, decimals, "nearest")
    assert (finding.severity == "ok") == fits


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: audit.grim_consistent(3.5, 0, 1), "parameter 'n' must be positive whole numbers"),
        (lambda: audit.grim_consistent(3.5, 2.5, 1), "parameter 'n' must be positive whole numbers"),
        (lambda: audit.grim_consistent(3.5, 10, 1, items=0), "parameter 'items' must be positive whole numbers"),
        (lambda: audit.grim_consistent(3.5, 10, 1, rounding="up"), "parameter 'rounding' must be one of"),
        (lambda: audit.feasible_counts([50.0], 0, 0), "n must be"),
    ],
)
def test_inputchecks_granularity_arguments(call, words):
    with pytest.raises(DataError, match=words):
        call()


def test_correctness_grim_hand_computed_example():
    """By hand: 28 integer answers give means T/28; 145/28 = 5.179 and 146/28 = 5.214 print as 5.18 and 5.21, so
    a printed 5.19 is impossible (the kind of case Brown & Heathers 2017 describe)."""
    assert not bool(audit.grim_consistent(5.19, 28, 2))
    assert bool(audit.grim_consistent(5.18, 28, 2)) and bool(audit.grim_consistent(5.21, 28, 2))
    assert np.array_equal(audit.grim_consistent([5.19, 5.18], 28, 2), [False, True])
