"""crmlib.segment: tiers, migration, entropy and AHP weights, multi-indicator scores.

Oracles: hand-made values with tiers worked out by hand; Saaty's published AHP
examples - the "buying a house" criteria matrix (Saaty 1990, EJOR 48(1), 9-26,
also in Saaty 1980: lambda_max = 9.669, CI = 0.238, CR = 0.169, priorities
.173 .054 .188 .018 .031 .036 .167 .333) and the "relative wealth of nations"
matrix (Saaty 1977, J. Math. Psych. 15; Saaty 1980: lambda_max = 7.61,
priorities .427 .230 .021 .052 .052 .123 .094); a perfectly consistent matrix;
entropy weights against the worked example of Xu (2004, EJOR 156(2), 530-532; its
4 x 4 decision matrix and weights .4630 .3992 .1378 .0000, as transcribed in the
test suite of the pyrepo-mcda package), an independent hand computation and
scipy.stats.entropy.
"""

import math

import numpy as np
import pandas as pd
import pytest

from crmlib import _mcda, datasets, segment, value
from crmlib.exceptions import DataError, DataWarning

VALUES = pd.Series([100.0, 90, 80, 70, 60, 50, 40, 30, -5, -20], index=[f"c{i}" for i in range(10)])


# ---------------------------------------------------------------- tiers


def test_pyramid_tiers_by_hand():
    t = segment.assign_tiers(VALUES, "pyramid")
    assert list(t.cat.categories) == ["platinum", "gold", "iron", "lead"]
    expected = ["platinum", "gold", "gold", "iron", "iron", "iron", "iron", "iron", "lead", "lead"]
    assert t.astype(str).tolist() == expected


def test_thesis_tiers_by_hand():
    # the case study's rule is data (data/s_company_tier_rule.yml), not a rule built into crmlib.segment
    t = segment.assign_tiers(VALUES, segment.TierRule(**datasets.load_thesis_tier_rule()))
    assert t.astype(str).tolist() == ["diamond", "gold", "gold"] + ["third"] * 7


def test_ties_share_the_higher_tier():
    rule = segment.TierRule(("top", "rest"), (0.5,))
    t = segment.assign_tiers(pd.Series([5.0, 5.0, 5.0, 1.0]), rule)
    assert t.astype(str).tolist() == ["top", "top", "top", "rest"]


def test_value_rule_by_hand():
    rule = segment.TierRule(("high", "mid", "low"), (100.0, 10.0), on="value")
    t = segment.assign_tiers(pd.Series([100.0, 99.99, 10.0, 9.99, -5.0]), rule)
    assert t.astype(str).tolist() == ["high", "mid", "mid", "low", "low"]


def test_rule_from_intervals():
    r = segment.TierRule.from_intervals(
        {"iron": (0.3, 1.0), "platinum": (0.0, 0.1), "gold": (0.1, 0.3)}, loss_tier="lead"
    )
    assert r == segment.PYRAMID
    v = segment.TierRule.from_intervals({"low": (-np.inf, 100.0), "high": (100.0, np.inf)}, on="value")
    assert v.names == ("high", "low") and v.cuts == (100.0,)
    assert segment.PYRAMID.describe().loc["lead", "rule"].startswith("value < 0")


def test_inputchecks_tier_cuts():
    with pytest.raises(DataError, match="tier cuts overlap: 'a' \\(0, 0.2\\) and 'b' \\(0.1, 1\\)"):
        segment.TierRule.from_intervals({"a": (0.0, 0.2), "b": (0.1, 1.0)})
    with pytest.raises(DataError, match="leave a gap between 0.2 and 0.3"):
        segment.TierRule.from_intervals({"a": (0.0, 0.2), "b": (0.3, 1.0)})
    with pytest.raises(DataError, match="tier cuts overlap"):
        segment.TierRule.from_intervals({"high": (50.0, np.inf), "low": (-np.inf, 100.0)}, on="value")
    with pytest.raises(DataError, match="tier cuts overlap: the cut below 'b' \\(0.2\\) does not increase"):
        segment.TierRule(("a", "b", "c"), (0.3, 0.2))
    with pytest.raises(DataError, match="tier cuts overlap: the cut below 'b' \\(50\\) does not decrease"):
        segment.TierRule(("a", "b", "c"), (10.0, 50.0), on="value")
    with pytest.raises(DataError, match="3 tiers need 2 cuts"):
        segment.TierRule(("a", "b", "c"), (0.3,))
    with pytest.raises(DataError, match="unknown tier rule 'pyramids'"):
        segment.assign_tiers(VALUES, "pyramids")
    with pytest.raises(DataError, match="value is missing or not finite for 1 customers"):
        segment.assign_tiers(pd.Series([1.0, np.nan]))


def test_tier_profile_by_hand():
    t = segment.assign_tiers(VALUES, "pyramid")
    extra = pd.DataFrame({"orders": [10, 8, 6, 5, 4, 3, 2, 2, 1, 1]}, index=VALUES.index)
    prof = segment.tier_profile(VALUES, t, extra)
    assert prof.index.tolist() == ["platinum", "gold", "iron", "lead"]
    assert prof["customers"].tolist() == [1, 2, 5, 2]
    np.testing.assert_allclose(prof["total"], [100.0, 170.0, 250.0, -25.0])
    np.testing.assert_allclose(prof["value_share"], np.array([100.0, 170.0, 250.0, -25.0]) / 495.0)
    np.testing.assert_allclose(prof["customer_share"], [0.1, 0.2, 0.5, 0.2])
    np.testing.assert_allclose(prof["mean_orders"], [10.0, 7.0, 3.2, 1.0])
    assert prof.loc["lead", "min"] == -20.0


def test_migration_matrix_by_hand():
    cats = pd.CategoricalDtype(["gold", "iron"])
    before = pd.Series(["gold", "gold", "iron", "iron"], index=[1, 2, 3, 4], dtype=cats)
    after = pd.Series(["gold", "iron", "iron", "gold"], index=[1, 2, 3, 5], dtype=cats)
    counts = segment.migration_matrix(before, after, normalize=False)
    expected = pd.DataFrame(
        [[1, 1, 0], [0, 1, 1], [1, 0, 0]], index=["gold", "iron", "absent"], columns=["gold", "iron", "absent"]
    )
    np.testing.assert_array_equal(counts.to_numpy(), expected.to_numpy())
    assert counts.index.tolist() == expected.index.tolist() and counts.columns.tolist() == expected.columns.tolist()
    props = segment.migration_matrix(before, after)
    np.testing.assert_allclose(props.loc["gold", ["gold", "iron", "absent"]], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(props.loc["absent", ["gold", "iron", "absent"]], [1.0, 0.0, 0.0])
    assert props["n"].tolist() == [2, 2, 1]


def test_inputchecks_migration():
    with pytest.raises(DataError, match="absent_label 'gold' is also a tier name"):
        segment.migration_matrix(pd.Series(["gold"]), pd.Series(["gold"]), absent_label="gold")


# ---------------------------------------------------------------- entropy weights


def test_entropy_weights_match_xu_2004_worked_example():
    # Xu (2004): four alternatives, four benefit attributes, raw proportions p_ij = x_ij / sum_i x_ij.
    # The fourth attribute is nearly constant (29, 29, 28.9, 29), so its entropy is ~1 and its weight ~0.
    X = pd.DataFrame(
        [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]],
        dtype=float,
        columns=["a1", "a2", "a3", "a4"],
    )
    ew = segment.entropy_weights(X, method="none")
    np.testing.assert_array_equal(ew.weights.round(4), [0.4630, 0.3992, 0.1378, 0.0000])
    assert ew.entropy["a4"] == pytest.approx(1.0, abs=1e-5)
    # the min-max default stretches the nearly constant attribute to (1, 1, 0, 1): a different answer
    assert segment.entropy_weights(X).weights["a4"] > 0.1


def test_entropy_weights_against_hand_computation():
    # A = (1, 1, 2) -> min-max (0, 0, 1) -> p = (0, 0, 1) -> e = 0, d = 1
    # B = (10, 15, 20) -> (0, .5, 1) -> p = (0, 1/3, 2/3) -> e = 1 - 2 ln2 / (3 ln3) = 0.579380, d = 0.420620
    # C = (3, 2, 1), a cost indicator -> reversed -> identical to B
    X = pd.DataFrame({"A": [1.0, 1.0, 2.0], "B": [10.0, 15.0, 20.0], "C": [3.0, 2.0, 1.0]})
    ew = segment.entropy_weights(X, benefit={"C": False})
    d_b = 2 * math.log(2) / (3 * math.log(3))
    assert d_b == pytest.approx(0.420620, abs=1e-6)
    np.testing.assert_allclose(ew.entropy, [0.0, 1 - d_b, 1 - d_b], atol=1e-12)
    np.testing.assert_allclose(ew.weights, np.array([1.0, d_b, d_b]) / (1 + 2 * d_b), rtol=1e-12)
    np.testing.assert_allclose(ew.weights, [0.543112, 0.228444, 0.228444], atol=1e-6)
    assert ew.summary().columns.tolist() == ["entropy", "divergence", "weight"]


def test_entropy_weights_against_scipy_entropy():
    # independent route: scipy.stats.entropy of each min-max normalised column, divided by ln m
    from scipy.stats import entropy

    rng = np.random.default_rng(42)
    X = pd.DataFrame(rng.gamma(2.0, 3.0, size=(60, 4)), columns=list("wxyz"))
    Z = (X - X.min()) / (X.max() - X.min())
    e = np.array([entropy(Z[c]) / np.log(len(X)) for c in Z.columns])
    ew = segment.entropy_weights(X)
    np.testing.assert_allclose(ew.entropy, e, rtol=1e-12)
    np.testing.assert_allclose(ew.weights, (1 - e) / (1 - e).sum(), rtol=1e-12)


def test_entropy_weights_raw_proportions():
    # method "none": an evenly spread indicator (e = 1) gets weight 0, a fully concentrated one (e = 0) all of it
    X = pd.DataFrame({"even": [2.0, 2.0, 2.0, 2.0], "one": [0.0, 0.0, 0.0, 4.0]})
    ew = segment.entropy_weights(X, method="none")
    np.testing.assert_allclose(ew.weights, [0.0, 1.0], atol=1e-12)


def test_inputchecks_entropy():
    with pytest.raises(DataError, match="indicators \\['k'\\] are constant"):
        segment.entropy_weights(pd.DataFrame({"k": [1.0, 1.0], "x": [1.0, 2.0]}))
    with pytest.raises(DataError, match="indicator 'x' is missing or not a finite number for 1 customers"):
        segment.entropy_weights(pd.DataFrame({"x": [1.0, np.nan, 3.0]}))
    with pytest.raises(DataError, match="`benefit` names indicators that are not columns: \\['z'\\]"):
        segment.entropy_weights(pd.DataFrame({"x": [1.0, 2.0]}), benefit={"z": False})


# ---------------------------------------------------------------- AHP

HOUSE = np.array(
    [
        [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
        [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
        [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
        [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
        [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
        [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
        [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
        [4, 7, 5, 8, 6, 6, 2, 1],
    ]
)
HOUSE_LABELS = ["size", "transportation", "neighborhood", "age", "yard", "modern facilities", "condition", "financing"]

NATIONS = np.array(
    [
        [1, 4, 9, 6, 6, 5, 5],
        [1 / 4, 1, 7, 5, 5, 3, 4],
        [1 / 9, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 7, 1 / 5],
        [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
        [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
        [1 / 5, 1 / 3, 7, 3, 3, 1, 2],
        [1 / 5, 1 / 4, 5, 3, 3, 1 / 2, 1],
    ]
)


def test_ahp_matches_saaty_1990_house_example():
    with pytest.warns(DataWarning, match="consistency ratio 0.169 exceeds 0.1"):
        res = segment.ahp_weights(HOUSE, HOUSE_LABELS)
    assert res.weights.index.tolist() == HOUSE_LABELS
    np.testing.assert_allclose(res.weights.round(3), [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333])
    assert round(res.lambda_max, 3) == 9.669
    assert round(res.ci, 3) == 0.238
    assert res.ri == 1.41  # Saaty (1980) random index for n = 8
    assert round(res.cr, 3) == 0.169
    assert not res.consistent
    # the Saaty (2008) table gives RI(8) = 1.40
    res08 = segment.ahp_weights(HOUSE, ri_table="saaty2008", warn=False)
    assert res08.ri == 1.40 and res08.cr == pytest.approx(res.ci / 1.40)


def test_ahp_matches_saaty_wealth_of_nations_example():
    res = segment.ahp_weights(NATIONS, ["US", "USSR", "China", "France", "UK", "Japan", "W. Germany"])
    np.testing.assert_allclose(res.weights.round(3), [0.427, 0.230, 0.021, 0.052, 0.052, 0.123, 0.094])
    assert round(res.lambda_max, 2) == 7.61
    assert res.ri == 1.32 and res.consistent
    assert round(res.cr, 2) == 0.08


def test_ahp_consistent_matrix_recovers_weights():
    w = np.array([0.5, 0.3, 0.2])
    res = segment.ahp_weights(w[:, None] / w[None, :])
    np.testing.assert_allclose(res.weights, w, rtol=1e-12)
    assert res.lambda_max == pytest.approx(3.0)
    assert res.cr == pytest.approx(0.0, abs=1e-12)
    two = segment.ahp_weights(pd.DataFrame([[1, 3], [1 / 3, 1]], index=["a", "b"], columns=["a", "b"]))
    np.testing.assert_allclose(two.weights, [0.75, 0.25])
    assert two.cr == 0.0 and two.weights.index.tolist() == ["a", "b"]
    assert "RI (saaty1980)" in two.summary().index


def test_inputchecks_ahp():
    bad = np.array([[1, 3, 2], [3, 1, 1], [1 / 2, 1, 1]])
    with pytest.raises(
        DataError,
        match="not reciprocal: cell \\('price', 'service'\\) = 3 but cell \\('service', 'price'\\) = 3, not 1/3",
    ):
        segment.ahp_weights(bad, ["price", "service", "quality"])
    with pytest.raises(DataError, match="the diagonal must be 1; cell \\('c2', 'c2'\\) is 2"):
        segment.ahp_weights(np.array([[1, 2], [0.5, 2]]))
    with pytest.raises(DataError, match="must be square"):
        segment.ahp_weights(np.ones((2, 3)))
    with pytest.raises(DataError, match="entries must be positive numbers; cell \\('c1', 'c2'\\)"):
        segment.ahp_weights(np.array([[1, -2], [0.5, 1]]))
    with pytest.raises(DataError, match="covers n = 1..10; the matrix has n = 11"):
        segment.ahp_weights(np.ones((11, 11)))


# ---------------------------------------------------------------- scores


def test_score_customers_by_hand():
    X = pd.DataFrame({"profit": [10.0, 30.0, 20.0], "complaints": [0.0, 4.0, 2.0]}, index=["a", "b", "c"])
    out = segment.score_customers(X, {"profit": 0.7, "complaints": 0.3}, benefit={"complaints": False})
    # normalised: profit (0, 1, .5); complaints reversed (1, 0, .5) -> a .3, b .7, c .5
    np.testing.assert_allclose(out.loc[["a", "b", "c"], "score"], [0.3, 0.7, 0.5])
    assert out.index.tolist() == ["b", "c", "a"] and out["rank"].tolist() == [1, 2, 3]
    with pytest.raises(DataError, match="weights must sum to 1, they sum to 0.9"):
        segment.score_customers(X, {"profit": 0.6, "complaints": 0.3})
    with pytest.raises(DataError, match="no weight for \\['complaints'\\]"):
        segment.score_customers(X, {"profit": 1.0})


def test_migration_matrix_plain_labels():
    # tiers given as plain values (not categoricals): categories in sorted order, absent last
    counts = segment.migration_matrix(
        pd.Series([1, 2, 2], index=["a", "b", "c"]), pd.Series([2, 2], index=["a", "b"]), normalize=False
    )
    assert counts.columns.tolist() == [1, 2, "absent"]
    np.testing.assert_array_equal(counts.to_numpy(), [[0, 1, 0], [0, 1, 1]])


# ---------------------------------------------------------------- one entropy implementation, two front ends


def test_segment_and_value_entropy_front_ends_agree():
    # crmlib._mcda is the one implementation; segment returns weights over all indicators, value the divergences
    # it normalises within each side. On the same benefit indicators the divergences must be equal, and
    # segment's weights must be value's divergences over their sum.
    rng = np.random.default_rng(7)
    X = pd.DataFrame(rng.gamma(2.0, 1.5, size=(60, 4)), columns=list("abcd"))
    ew = segment.entropy_weights(X)
    d = value.entropy_divergences(X.to_numpy())
    np.testing.assert_allclose(ew.divergence.to_numpy(), d, rtol=1e-12)
    np.testing.assert_allclose(ew.weights.to_numpy(), d / d.sum(), rtol=1e-12)


def test_entropy_with_counts_equals_the_expanded_sample():
    # a bootstrap resample given as multiplicities must give what the rows repeated give (independent route)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(12, 3))
    counts = rng.integers(0, 3, size=(5, 12)).astype(float)
    counts[:, 0] += 1  # at least one row drawn
    d_counts = value.entropy_divergences(x, counts)
    for b in range(5):
        expanded = np.repeat(x, counts[b].astype(int), axis=0)
        z, _ = _mcda.minmax(expanded)
        _, d = _mcda.entropy_divergence(z[0])
        np.testing.assert_allclose(d_counts[b], d, rtol=1e-10)
