"""Bad input to crmlib.segment: each case gives a DataError naming the argument and the fault (issue 14)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import datasets, segment
from crmlib.exceptions import DataError

VALUES = pd.Series([10.0, 5, 3, -1, 2], index=list("abcde"))
X = pd.DataFrame({"a": [1.0, 2, 3], "b": [3.0, 1, 2]})
AHP2 = np.array([[1, 3], [1 / 3, 1]])

BAD = [
    ("tier rule misspelt", lambda: segment.assign_tiers(VALUES, "pyramd"), "unknown tier rule 'pyramd' .*'pyramid'"),
    ("thesis rule is no longer built in", lambda: segment.assign_tiers(VALUES, "thesis"), "unknown tier rule 'thesis'"),
    ("tier names as one text", lambda: segment.TierRule("ab", (0.5,)), "names must be a list of tier names"),
    ("tier cuts as text", lambda: segment.TierRule(("a", "b"), ("half",)), "cuts must be numbers"),
    (
        "profile extra without the customers",
        lambda: segment.tier_profile(
            VALUES, segment.assign_tiers(VALUES), extra=pd.DataFrame({"o": [1]}, index=["zz"])
        ),
        "`extra` has no row for 5 customers",
    ),
    (
        "migration normalize as text",
        lambda: segment.migration_matrix(pd.Series(["a"]), pd.Series(["b"]), normalize="yes"),
        "normalize must be True or False",
    ),
    (
        "benefit flag as text",
        lambda: segment.normalise_indicators(X, benefit={"a": "no"}),
        "`benefit` flags must be True or False",
    ),
    ("AHP negative threshold", lambda: segment.ahp_weights(AHP2, threshold=-1), "threshold must be > 0, got -1"),
    ("AHP negative tolerance", lambda: segment.ahp_weights(AHP2, tol=-1), "tol must be >= 0, got -1"),
    ("AHP repeated labels", lambda: segment.ahp_weights(AHP2, labels=["x", "x"]), "labels must be distinct"),
    ("score weights as text", lambda: segment.score_customers(X, {"a": "x", "b": 0.6}), "weights must be numbers"),
]


@pytest.mark.parametrize("call, words", [pytest.param(c, w, id=i) for i, c, w in BAD])
def test_inputchecks_segment_refuses_bad_arguments(call, words):
    with pytest.raises(DataError, match=words):
        call()


def test_inputchecks_thesis_tier_rule_file_must_have_its_keys(tmp_path):
    p = tmp_path / "rule.yml"
    p.write_text("names: [a, b]\ncuts: [0.5]\non: share\n", encoding="utf-8")  # unquoted YAML 'on' reads as True
    with pytest.raises(DataError, match=r"rule.yml: expected the keys \['cuts', 'names', 'on'\]"):
        datasets.load_thesis_tier_rule(p)
