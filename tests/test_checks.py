"""crmlib._checks: the shared argument checks (each message names the argument and the value)."""

import numpy as np
import pandas as pd
import pytest

from crmlib._checks import (
    as_rng,
    check_choice,
    check_count,
    check_level,
    check_nonnegative,
    check_positive,
    check_probability,
    require_columns,
    rows_text,
)
from crmlib.exceptions import DataError


def test_correctness_rows_text_counts_and_labels():
    assert rows_text([False, True, True], index=["a", "b", "c"]) == "2 rows (e.g. ['b', 'c'])"
    assert rows_text(np.arange(10) > 2, limit=2) == "7 rows (e.g. [3, 4] ...)"
    assert rows_text([True]) == "1 row (e.g. [0])"


def test_consistency_checks_return_values_converted():
    assert check_nonnegative(3, "t") == 3.0
    np.testing.assert_array_equal(check_nonnegative([0, 1.5], "t"), [0.0, 1.5])
    assert check_level(0.9) == 0.9
    assert check_count(5.0, "n_boot", minimum=1) == 5
    assert check_probability(0.3, "margin_share") == 0.3
    assert check_positive(2, "x") == 2.0


def test_consistency_as_rng_same_seed_same_draws():
    a = as_rng(7).normal(size=3)
    b = as_rng(7).normal(size=3)
    np.testing.assert_array_equal(a, b)
    g = np.random.default_rng(1)
    assert as_rng(g) is g


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: check_nonnegative(-5, "t"), r"t must be >= 0, got -5"),
        (lambda: check_nonnegative([1, -1], "t"), r"t must be >= 0, got -1 \(1 row"),
        (lambda: check_nonnegative(1.5, "n", integer=True), r"n must be a whole number, got 1.5"),
        (lambda: check_nonnegative(float("nan"), "t"), r"t must be finite"),
        (lambda: check_nonnegative(True, "t"), r"t must be a number, got the boolean"),
        (lambda: check_nonnegative("x", "t"), r"t must be numeric"),
        (lambda: check_positive(0, "scale"), r"scale must be > 0, got 0"),
        (
            lambda: check_probability(30, "margin_share"),
            r"margin_share must be in \[0, 1\], got 30 \(a share, not a per cent",
        ),
        (lambda: check_probability(1, "p", open_interval=True), r"p must be in \(0, 1\)"),
        (lambda: check_level(95), r"level must be in \(0, 1\) such as 0.95, got 95 \(for a 95% interval use 0.95\)"),
        (lambda: check_level("0.95"), r"level must be a number"),
        (lambda: check_level(0), r"level must be in \(0, 1\)"),
        (lambda: check_count(2.5, "n_boot"), r"n_boot must be a whole number, got 2.5"),
        (lambda: check_count(0, "n_boot", minimum=1), r"n_boot must be >= 1, got 0"),
        (
            lambda: check_count(10**10, "n_max", maximum=10**6),
            r"n_max must be >= 0 and <= 1,000,000, got 10,000,000,000",
        ),
        (
            lambda: check_choice("weak", "period", ["day", "week"]),
            r"period must be one of \['day', 'week'\], got 'weak' \(did you mean 'week'\?\)",
        ),
        (lambda: as_rng(None), r"seed must be an int or a numpy.random.Generator, got None"),
        (lambda: as_rng(1.5), r"seed must be an int"),
        (lambda: as_rng(-1), r"seed must be >= 0"),
    ],
)
def test_inputchecks_shared_checks(call, words):
    with pytest.raises(DataError, match=words):
        call()


def test_inputchecks_require_columns_names_missing_and_close_match():
    frame = pd.DataFrame({"customer_id": [1], "amount": [2.0]})
    with pytest.raises(DataError, match=r"log has no column\(s\) \['ammount'\] \(did you mean 'amount'\?\)"):
        require_columns(frame, ["customer_id", "ammount", None], what="log")
    require_columns(frame, ["customer_id", None])
