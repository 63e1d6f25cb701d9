"""PLS across groups of respondents: the permutation test (separate fits, known difference, size under the null),
Henseler's PLS-MGA against seminr 0.2.1 on the same resamples, the omnibus test for k groups (equal to the
pairwise test for k = 2, known difference among three groups) and pls_by_group (per-group estimates equal
separate fits; pairwise tests equal pls_group_difference)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib.datasets import load_corp_rep
from crmlib.exceptions import DataError
from crmlib.survey.pathmodel import read_model
from crmlib.survey.pls import pls_path_model
from crmlib.survey.pls_groups import pls_by_group, pls_group_difference, pls_group_omnibus, pls_mga

REPUTATION = read_model("reputation")  # data/models/reputation.yml
REPUTATION_MEASUREMENT = REPUTATION.measurement
REPUTATION_PATHS_FROM = [a for a, _ in REPUTATION.structure]


@pytest.fixture(scope="module")
def corp():
    return load_corp_rep().data


def _two_group_sample(rng, n, beta):
    x = rng.standard_normal(n)
    y = beta * x + np.sqrt(1 - beta**2) * rng.standard_normal(n)
    return pd.DataFrame(
        {f"x{i}": x + 0.5 * rng.standard_normal(n) for i in range(3)}
        | {f"y{i}": y + 0.5 * rng.standard_normal(n) for i in range(3)}
    )


SIM_MM, SIM_SM = {"X": ["x0", "x1", "x2"], "Y": ["y0", "y1", "y2"]}, [("X", "Y")]


def test_group_difference_observed_estimates_are_separate_fits(corp):
    res = pls_group_difference(corp, REPUTATION, corp["serviceprovider"], 1, 2, n_permutations=200, seed=3)
    items = [i for v in REPUTATION_MEASUREMENT.values() for i in v]
    pooled = corp[corp["serviceprovider"].isin([1, 2])].copy()
    pooled[items] = pooled[items].astype(float).fillna(pooled[items].astype(float).mean())  # pooled mean replacement
    for code, col in ((1, "estimate_a"), (2, "estimate_b")):
        one = pls_path_model(pooled[pooled["serviceprovider"] == code], REPUTATION)
        assert res[col].to_numpy() == pytest.approx(one.paths["estimate"].to_numpy(), abs=1e-9)
    assert res.attrs["n_a"] == 130 and res.attrs["n_b"] == 127 and res.attrs["n_permutations"] == 200
    again = pls_group_difference(corp, REPUTATION, corp["serviceprovider"], 1, 2, n_permutations=200, seed=3)
    pd.testing.assert_frame_equal(res, again)


def test_group_difference_detects_known_difference_and_holds_size_under_the_null():
    # simulation with known truth: path 0.2 in one group and 0.7 in the other is found (p < 0.01); with the same
    # path 0.5 in both groups the permutation p-values of 40 data sets are about uniform (few below 0.05)
    rng = np.random.default_rng(21)
    d = pd.concat([_two_group_sample(rng, 200, 0.2), _two_group_sample(rng, 200, 0.7)], ignore_index=True)
    grp = pd.Series(["a"] * 200 + ["b"] * 200)
    res = pls_group_difference(d, SIM_MM, grp, "a", "b", structure=SIM_SM, n_permutations=500, seed=1)
    assert res["difference"].iloc[0] < -0.3 and res["p_permutation"].iloc[0] < 0.01
    ps = []
    for _ in range(40):
        d = pd.concat([_two_group_sample(rng, 100, 0.5), _two_group_sample(rng, 100, 0.5)], ignore_index=True)
        ps.append(
            pls_group_difference(
                d,
                SIM_MM,
                pd.Series(["a"] * 100 + ["b"] * 100),
                "a",
                "b",
                structure=SIM_SM,
                n_permutations=199,
                seed=rng,
            ).loc[0, "p_permutation"]
        )
    ps = np.array(ps)
    assert 0.3 < ps.mean() < 0.7 and (ps < 0.05).mean() <= 0.15


def test_inputchecks_group_difference_small_group(corp):
    g = pd.Series(np.where(np.arange(len(corp)) < 5, "tiny", "rest"), index=corp.index)
    with pytest.raises(DataError, match="group 'tiny' has 5 respondents; a group comparison needs at least 10"):
        pls_group_difference(corp, REPUTATION, g, "tiny", "rest", seed=1)


def test_by_group_estimates_are_separate_fits_and_tests_are_the_pairwise_permutation_tests(corp):
    g = corp["serviceprovider"].where(corp["serviceprovider"].isin([1, 2, 3]))  # provider 4 left out
    res = pls_by_group(corp, REPUTATION, g, n_boot=50, n_permutations=40, seed=5, labels={1: "one", 2: "two"})
    assert res.n_without_group == int((corp["serviceprovider"] == 4).sum())
    for code in (1, 2, 3):
        alone = pls_path_model(corp[g == code], REPUTATION)
        mine = res.paths[res.paths["group"] == code]
        assert mine["estimate"].to_numpy() == pytest.approx(alone.paths["estimate"].to_numpy(), abs=1e-12)
        assert (mine["n"] == alone.n).all()
        assert ((mine["lower"] <= mine["estimate"]) & (mine["estimate"] <= mine["upper"])).all()
    assert list(res.differences["pair"].unique()) == ["one - two", "one - 3", "two - 3"]
    one_two = res.differences[res.differences["pair"] == "one - two"]
    direct = pls_group_difference(corp, REPUTATION, g, 1, 2, n_permutations=40, seed=1)
    assert one_two["difference"].to_numpy() == pytest.approx(direct["difference"].to_numpy(), abs=1e-12)
    again = pls_by_group(corp, REPUTATION, g, n_boot=50, n_permutations=40, seed=5, labels={1: "one", 2: "two"})
    pd.testing.assert_frame_equal(res.differences, again.differences)  # same seed, same numbers
    table = res.estimates_table()
    assert table.shape == (5, 3) and table.index[0] == "COMP -> CUSA"
    assert table.columns[0] == f"one (n={int((g == 1).sum())})"
    est = res.paths.iloc[0]
    assert table.iloc[0, 0] == f"{est['estimate']:.3f} [{est['lower']:.2f}, {est['upper']:.2f}]"
    assert res.differences_table().shape == (5, 3)
    n_low = int((res.differences["p_permutation"] < 0.05).sum())
    text = res.verdict()
    assert f"Of 15 pairwise comparisons, {n_low} have a permutation p below 0.05 (about 0.8 would by chance" in text
    small = res.paths[res.paths["n"] == res.paths["n"].min()]
    assert f"has 95% intervals {(small['upper'] - small['lower']).mean():.2f} wide on average" in text
    assert list(res.omnibus["from"]) == list(REPUTATION_PATHS_FROM) and len(res.omnibus) == 5


def test_inputchecks_by_group(corp):
    g = corp["serviceprovider"]
    with pytest.raises(DataError, match="seed must be an int or a numpy.random.Generator, got None"):
        pls_by_group(corp, REPUTATION, g, seed=None)
    with pytest.raises(DataError, match=r"groups \{'tiny': 5\} have fewer than 10 respondents"):
        pls_by_group(corp, REPUTATION, np.where(np.arange(len(corp)) < 5, "tiny", "rest"), seed=1)
    with pytest.raises(DataError, match="groups: 1 group\\(s\\) found"):
        pls_by_group(corp, REPUTATION, pd.Series(1, index=corp.index), seed=1)
    with pytest.raises(DataError, match="groups: 'provider' is not a column of the data"):
        pls_by_group(corp, REPUTATION, "provider", seed=1)
    with pytest.raises(DataError, match="n_permutations must be >= 1"):
        pls_group_difference(corp, REPUTATION, g, 1, 2, n_permutations=0, seed=1)


def _within_group_mean_replaced(corp):
    d = corp[corp["serviceprovider"].isin([1, 2])][REPUTATION.items + ["serviceprovider"]].astype(float)
    d[REPUTATION.items] = d.groupby("serviceprovider")[REPUTATION.items].transform(lambda s: s.fillna(s.mean()))
    return d.sort_values("serviceprovider", kind="stable").reset_index(drop=True)


def test_pls_mga_equals_seminr_on_the_same_resamples(corp):
    # seminr 0.2.1 estimate_pls_mga(model, provider == 1, nboot=200, group1_indices=i1, group2_indices=i2) on
    # providers 1 and 2 of corp_rep (missing answers replaced by the group mean first, so both tools resample the
    # same complete data); i1, i2 drawn by numpy's default_rng(2026) as below
    seminr = {  # path: (group1_beta, group2_beta, group1_beta_mean, pls_mga_p)
        ("COMP", "CUSA"): (0.17928362281738913, 0.16921795056166505, 0.1777504686890572, 0.50185),
        ("COMP", "CUSL"): (0.1937977876300515, 0.01096535951131355, 0.1981178194184566, 0.1009),
        ("LIKE", "CUSA"): (0.576436092244818, 0.38601434238609783, 0.5811330706342029, 0.061325),
        ("LIKE", "CUSL"): (0.1941014243452066, 0.4317068387340456, 0.20397099980348782, 0.925725),
        ("CUSA", "CUSL"): (0.48006667600940833, 0.40395445063724517, 0.46918299095213534, 0.3252),
    }
    d = _within_group_mean_replaced(corp)
    n1, n2 = int((d["serviceprovider"] == 1).sum()), int((d["serviceprovider"] == 2).sum())
    rng = np.random.default_rng(2026)
    i1, i2 = rng.integers(0, n1, size=(200, n1)), rng.integers(0, n2, size=(200, n2))
    ra = pls_path_model(d[d["serviceprovider"] == 1], REPUTATION, boot_indices=i1)
    rb = pls_path_model(d[d["serviceprovider"] == 2], REPUTATION, boot_indices=i2)
    mga = pls_mga(ra, rb).set_index(["from", "to"])
    for path, (b1, b2, m1, p) in seminr.items():
        row = mga.loc[path]
        assert (row["estimate_a"], row["estimate_b"], row["boot_mean_a"]) == pytest.approx((b1, b2, m1), abs=1e-9)
        assert row["p_mga"] == pytest.approx(p, abs=1e-12)  # a count over 200 x 200 pairs: exact
        assert row["p_two_sided"] == pytest.approx(2 * min(p, 1 - p), abs=1e-12)
    with pytest.raises(DataError, match="result_b must be a PLSResult estimated with n_boot > 0"):
        pls_mga(ra, pls_path_model(d, REPUTATION))


def test_omnibus_with_two_groups_is_the_pairwise_permutation_test(corp):
    two = corp[corp["serviceprovider"].isin([1, 2])]
    omni = pls_group_omnibus(two, REPUTATION, "serviceprovider", n_permutations=60, seed=9)
    pair = pls_group_difference(two, REPUTATION, two["serviceprovider"], 1, 2, n_permutations=60, seed=9)
    assert omni["p_permutation"].to_numpy() == pytest.approx(pair["p_permutation"].to_numpy(), abs=1e-12)
    n1, n2 = pair.attrs["n_a"], pair.attrs["n_b"]
    stat = n1 * n2 / (n1 + n2) * pair["difference"].to_numpy() ** 2
    assert omni["statistic"].to_numpy() == pytest.approx(stat, rel=1e-10)
    assert omni["estimate_1"].to_numpy() == pytest.approx(pair["estimate_a"].to_numpy(), abs=1e-12)


def test_omnibus_detects_one_group_of_three_that_differs():
    rng = np.random.default_rng(4)
    frames = [_two_group_sample(rng, 300, beta) for beta in (0.3, 0.3, 0.3, 0.75)]
    labels = np.repeat(["a", "b", "c"], 300)
    null = pd.concat(frames[:3], ignore_index=True)  # the same beta in all three groups
    alt = pd.concat(frames[:2] + frames[3:], ignore_index=True)  # group c: beta 0.75
    p_null = pls_group_omnibus(null, SIM_MM, pd.Series(labels), structure=SIM_SM, n_permutations=200, seed=1)
    p_alt = pls_group_omnibus(alt, SIM_MM, pd.Series(labels), structure=SIM_SM, n_permutations=200, seed=1)
    assert p_alt.loc[0, "p_permutation"] < 0.01 < 0.2 < p_null.loc[0, "p_permutation"]
    assert p_alt.loc[0, "estimate_c"] > p_alt.loc[0, "estimate_a"] + 0.25
    assert p_alt.attrs["n"] == {"a": 300, "b": 300, "c": 300}
