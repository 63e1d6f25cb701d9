"""PLS across groups of respondents: the permutation test (separate fits, known difference, size under the null)
and pls_by_group (per-group estimates equal separate fits; pairwise tests equal pls_group_difference)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib.datasets import load_corp_rep
from crmlib.exceptions import DataError
from crmlib.survey.pathmodel import read_model
from crmlib.survey.pls import pls_path_model
from crmlib.survey.pls_groups import pls_by_group, pls_group_difference

REPUTATION = read_model("reputation")  # data/models/reputation.yml
REPUTATION_MEASUREMENT = REPUTATION.measurement


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
