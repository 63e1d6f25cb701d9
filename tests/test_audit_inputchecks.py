"""Bad input to crmlib.audit: each case gives a DataError naming the argument and the fault (issue 14).

Oracle: the message words; where the call is valid but the numbers are impossible, the finding's severity.
"""

from __future__ import annotations

import numpy as np
import pytest

from crmlib import audit
from crmlib.audit import granularity, percentages
from crmlib.exceptions import DataError


def test_inputchecks_percentage_count_larger_than_its_base_is_an_error_finding():
    f = audit.check_percentage(300, 150.0, 0, base=200)
    assert f.severity == "error"
    assert "300 is larger than its stated base 200" in f.message


def test_inputchecks_percentage_count_larger_than_a_candidate_base_does_not_fit_it():
    f = audit.check_percentage(300, 150.0, 0, candidate_bases={"returned": 200, "sent": 400})
    assert f.severity == "error" and f.details["fits"] == {"returned": False, "sent": False}


def test_inputchecks_percentage_zero_base_is_a_data_error_not_zero_division():
    with pytest.raises(DataError, match="base must be >= 1, got 0"):
        audit.check_percentage(3, 1.0, 0, base=0)


def test_inputchecks_feasible_sample_sizes_refuses_an_unbounded_search_up_front():
    with pytest.raises(DataError, match=r"1,000,000,000 sample sizes .* bound of 10,000,000.*MAX_SEARCH"):
        audit.feasible_sample_sizes([10.0], 0, 1_000_000_000)


def test_inputchecks_feasible_sample_sizes_bound_can_be_raised(monkeypatch):
    monkeypatch.setattr(percentages, "MAX_SEARCH", 100)
    with pytest.raises(DataError, match="bound of 100"):
        audit.feasible_sample_sizes([10.0], 0, 101)
    monkeypatch.setattr(percentages, "MAX_SEARCH", 2_000)
    # 10% at 0 decimals: some whole k has 9.5 <= 100 k / N <= 10.5 (brute force in exact integers)
    brute = [n for n in range(1, 102) if any(95 * n <= 1000 * k <= 105 * n for k in range(n + 1))]
    assert audit.feasible_sample_sizes([10.0], 0, 101).tolist() == brute
    assert brute[:3] == [10, 20, 21]


def test_inputchecks_feasible_sample_sizes_in_blocks_equals_one_grid(monkeypatch):
    # the search runs in blocks of N; with blocks of 7 the answer must be that of one grid (independent: brute force)
    monkeypatch.setattr(percentages, "_CHUNK", 7)
    found = audit.feasible_sample_sizes([33.16, 54.92, 40.93, 45.60], 2, 600)
    brute = [
        n
        for n in range(1, 601)
        if all(any(round(100 * k / n, 2) == p for k in range(n + 1)) for p in (33.16, 54.92, 40.93, 45.60))
    ]
    assert found.tolist() == brute == [193, 386, 579]


def test_inputchecks_implied_bases_refuses_an_unbounded_search():
    with pytest.raises(DataError, match="implied_bases: searching 19,999,000,001 sample sizes.*a smaller n_max"):
        audit.implied_bases([1_000_000], [0.01], 2)


def test_inputchecks_grimmer_refuses_more_totals_than_its_bound():
    with pytest.raises(DataError, match=r"100,000,001 whole totals, more than the bound of 1,000,000.*MAX_TOTALS"):
        audit.grimmer_consistent(3.5, 1.0, 10**9, 1, 1)
    assert granularity.MAX_TOTALS == 1_000_000


BAD = [
    ("percentage negative count", lambda: audit.check_percentage(-3, 1.0, 0, base=10), "count must be >= 0, got -3"),
    ("percentage fractional count", lambda: audit.check_percentage(2.5, 25.0, 0, base=10), "count must be a whole"),
    ("percentage NaN count", lambda: audit.check_percentage(np.nan, 25.0, 0, base=10), "count must be a whole"),
    ("percentage boolean count", lambda: audit.check_percentage(True, 10.0, 0, base=10), "count must be a whole"),
    ("percentage NaN reported", lambda: audit.check_percentage(1, np.nan, 0, base=10), "'reported' must be finite"),
    ("percentage text reported", lambda: audit.check_percentage(1, "ten", 0, base=10), "'reported' must be a number"),
    ("percentage negative decimals", lambda: audit.check_percentage(1, 10.0, -1, base=10), "decimals must be >= 0"),
    (
        "percentage zero candidate",
        lambda: audit.check_percentage(1, 10.0, 0, candidate_bases={"a": 0}),
        r"candidate_bases\['a'\] must be >= 1",
    ),
    (
        "percentage empty candidates",
        lambda: audit.check_percentage(1, 10.0, 0, candidate_bases={}),
        "candidate_bases must be a non-empty mapping",
    ),
    ("percentage fractional base", lambda: audit.check_percentage(1, 10.0, 0, base=10.5), "base must be a whole"),
    ("feasible N fractional n_max", lambda: audit.feasible_sample_sizes([10.0], 0, 10.5), "n_max must be a whole"),
    ("feasible N zero n_min", lambda: audit.feasible_sample_sizes([10.0], 0, 10, n_min=0), "n_min must be >= 1"),
    ("feasible counts zero n", lambda: audit.feasible_counts([10.0], 0, 0), "n must be >= 1, got 0"),
    ("feasible counts fractional n", lambda: audit.feasible_counts([10.0], 10.5, 0), "n must be a whole number"),
    ("implied bases fractional n_max", lambda: audit.implied_bases([0], [0.0], 0, n_max=2.5), "n_max must be a whole"),
    (
        "multiple response zero n_max",
        lambda: audit.check_multiple_response({"a": 50.0}, 0, n_max=0),
        "n_max must be >= 1",
    ),
    (
        "multiple response negative stated N",
        lambda: audit.check_multiple_response({"a": 50.0}, 0, stated_n=-4),
        "stated_n must be >= 1, got -4",
    ),
    (
        "multiple response stated N by name",
        lambda: audit.check_multiple_response({"a": 50.0}, 0, stated_n={"valid": 0.5}),
        r"stated_n\['valid'\] must be a whole",
    ),
    (
        "parts total negative tolerance",
        lambda: audit.check_parts_total({"a": 1}, 3, tolerance=-1),
        "tolerance must be >= 0",
    ),
    (
        "parts total negative decimals",
        lambda: audit.check_parts_total({"a": 1}, 3, decimals=-1),
        "decimals must be >= 0",
    ),
    ("difference negative tolerance", lambda: audit.check_difference(2, 1, 1, tolerance=-1), "tolerance must be >= 0"),
    (
        "difference too many decimals",
        lambda: audit.check_difference(2, 1, 1, decimals=12),
        "decimals must be >= 0 and <= 9",
    ),
    ("ratio fractional decimals", lambda: audit.check_ratio(1, 2, 0.5, 1.5), "decimals must be a whole"),
    ("growth negative decimals", lambda: audit.check_growth(1, 2, 100, decimals=-2), "decimals must be >= 0"),
    ("rounds_to zero real denominator", lambda: audit.rounds_to(1.5, 0.0, 1, 0), "'denominator' must be positive"),
    ("sd_bounds zero items", lambda: audit.sd_bounds(3, 10, 1, 5, items=0), "items must be >= 1, got 0"),
    ("sd_bounds ddof 3", lambda: audit.sd_bounds(3, 10, 1, 5, ddof=3), r"ddof must be one of \[0, 1\], got 3"),
    ("sd_bounds fractional n", lambda: audit.sd_bounds(3, 10.5, 1, 5), "n must be a whole number, got 10.5"),
    ("sd_bounds one answer", lambda: audit.sd_bounds(3, 1, 1, 5), "a sample SD needs n >= 2, got 1"),
    ("grimmer negative SD", lambda: audit.grimmer_consistent(3.5, -1.0, 10, 1, 1), "sd must be >= 0, got -1"),
    ("grimmer fractional n", lambda: audit.grimmer_consistent(3.5, 1.0, 10.5, 1, 1), "n must be a whole number"),
    ("grimmer decimals of the SD", lambda: audit.grimmer_consistent(3.5, 1.0, 10, 1, -1), "decimals_sd must be >= 0"),
    ("check_sd negative SD", lambda: audit.check_sd(3.5, -1.0, 10, 1, 1), "sd must be >= 0, got -1"),
    (
        "check_sd reversed scale",
        lambda: audit.check_sd(3.5, 1.0, 10, 1, 1, scale_min=5, scale_max=1),
        r"scale_max \(1\) must exceed scale_min \(5\)",
    ),
    (
        "check_sd only one scale end",
        lambda: audit.check_sd(3.5, 1.0, 10, 1, 1, scale_min=1),
        "give both scale_min and scale_max",
    ),
    (
        "check_sd fractional scale",
        lambda: audit.check_sd(3.5, 1.0, 10, 1, 1, scale_min=1, scale_max=4.5),
        "scale_max must be a whole number",
    ),
    (
        "chronology impossible date",
        lambda: audit.check_chronology({"a": "2019-13-01", "b": 2020}),
        "cannot read '2019-13-01' as a date",
    ),
    ("findings frame of numbers", lambda: audit.findings_frame([1, 2]), "findings must be Finding objects"),
    (
        "resolve a malformed reference",
        lambda: audit.resolve(audit_tables_frame(), "survey"),
        "reference 'survey' must read 'table.item'",
    ),
]


def audit_tables_frame():
    from crmlib import datasets

    return datasets.load_thesis_tables()


@pytest.mark.parametrize("call, words", [pytest.param(c, w, id=i) for i, c, w in BAD])
def test_inputchecks_audit_refuses_bad_arguments(call, words):
    with pytest.raises(DataError, match=words):
        call()
