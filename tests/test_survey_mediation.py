"""Mediation and hypotheses on the extended corporate-reputation model.

Oracles: the published case of Hair, Hult, Ringle & Sarstedt (2017), *A Primer
on PLS-SEM*, 2nd ed., ch. 7 (reproduced by seminr's vignette): the indirect
effect of COMP on CUSL through CUSA is 0.074 and of LIKE through CUSA 0.220;
CUSA fully (indirect-only) mediates COMP -> CUSL and partially
(complementary) mediates LIKE -> CUSL. Intervals and total indirect effects
against an independent computation over the same resamples (path-by-path
products and the sum over chains, one resample at a time).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from crmlib.datasets import load_corp_rep
from crmlib.exceptions import DataError
from crmlib.survey import mediation as M
from crmlib.survey import pls_path_model


@pytest.fixture(scope="module")
def ext():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # qual_4's negative weight, reported elsewhere
        return pls_path_model(load_corp_rep().data, "reputation_extended", n_boot=300, seed=7)


def test_primer_indirect_effects_and_types_of_mediation(ext):
    med = M.mediation_analysis(ext).set_index("effect")
    comp, like = med.loc["COMP -> CUSA -> CUSL"], med.loc["LIKE -> CUSA -> CUSL"]
    assert round(comp["indirect"], 3) == 0.074 and round(like["indirect"], 3) == 0.220
    assert round(comp["direct"], 3) == 0.006 and round(like["direct"], 3) == 0.344
    assert comp["mediation"] == "indirect-only (full) mediation"
    assert like["mediation"] == "complementary (partial) mediation"
    assert like["vaf"] == pytest.approx(0.220 / (0.220 + 0.344), abs=2e-3)
    none = med.loc["QUAL -> COMP -> CUSA"]  # no direct path QUAL -> CUSA: classified with a direct effect of 0
    assert (
        np.isnan(none["direct"])
        and np.isnan(none["vaf"])
        and none["mediation"].startswith(("indirect-only", "no effect"))
    )


def test_indirect_intervals_against_products_over_the_same_resamples(ext):
    ie = M.indirect_effects(ext).set_index("effect")
    names = list(ext.measurement)
    i, m, j = (names.index(c) for c in ("QUAL", "LIKE", "CUSA"))
    draws = np.array([Bb[i, m] * Bb[m, j] for Bb in ext.boot_path_matrices])
    row = ie.loc["QUAL -> LIKE -> CUSA"]
    assert row["lower"] == pytest.approx(np.quantile(draws, 0.025)) and row["upper"] == pytest.approx(
        np.quantile(draws, 0.975)
    )
    assert row["se"] == pytest.approx(draws.std(ddof=1))
    # bias-corrected percentile interval (Efron & Tibshirani 1993, eq. 14.10 with acceleration 0)
    z0 = stats.norm.ppf((draws < row["estimate"]).mean())
    lo, hi = stats.norm.cdf(2 * z0 + stats.norm.ppf([0.025, 0.975]))
    assert [row["bc_lower"], row["bc_upper"]] == pytest.approx(np.quantile(draws, [lo, hi]))
    assert len(ie) == 26 and ie["through"].str.count("->").max() == 1  # 16 one-mediator + 10 two-mediator chains


def test_total_indirect_is_the_sum_over_chains_in_every_resample(ext):
    te = M.total_indirect_effects(ext).set_index(["from", "to"])
    ie = M.indirect_effects(ext)
    chains = ie.loc[(ie["from"] == "QUAL") & (ie["to"] == "CUSL"), "effect"].str.split(" -> ")
    names = list(ext.measurement)
    draws = sum(
        np.prod([ext.boot_path_matrices[:, names.index(a), names.index(b)] for a, b in zip(c, c[1:])], axis=0)
        for c in chains
    )
    assert len(chains) == 4
    assert te.loc[("QUAL", "CUSL"), "estimate"] == pytest.approx(
        ie.loc[ie["effect"].isin(chains.str.join(" -> ")), "estimate"].sum()
    )
    assert te.loc[("QUAL", "CUSL"), "lower"] == pytest.approx(np.quantile(draws, 0.025))
    assert ("COMP", "CUSA") not in te.index  # a direct path only: no indirect effect


def test_hypotheses_table(ext):
    h = M.hypotheses(ext, {"H1": "COMP -> CUSA (+)", "H2": "LIKE -> CUSA -> CUSL (+)", "H3": "COMP->CUSL",
                           "H4": "LIKE -> CUSA (-)"})  # fmt: skip
    h = h.set_index("hypothesis")
    p = ext.paths.set_index(["from", "to"]).loc[("COMP", "CUSA")]
    assert h.loc["H1", ["estimate", "t", "p", "lower", "upper"]].tolist() == pytest.approx(
        [p["estimate"], p["t"], p["p"], p["lower"], p["upper"]]
    )
    assert h.loc["H2", "kind"] == "indirect" and h.loc["H2", "supported"]
    assert h.loc["H3", "relation"] == "COMP -> CUSL" and not h.loc["H3", "supported"]
    assert not h.loc["H4", "supported"]  # significant, but the sign is the opposite of the expected one
    with pytest.raises(DataError, match=r"'CUSA -> COMP' is not a path of the model"):
        M.hypotheses(ext, {"H9": "CUSA -> COMP"})
    with pytest.raises(DataError, match="not bootstrapped"):
        M.indirect_effects(pls_path_model(load_corp_rep().data, "reputation"))


def test_indirect_effects_match_seminr_on_the_same_resamples():
    # seminr 0.2.1 specific_effect_significance on the same 100 resamples of the mean-replaced data
    # (benchmarks/bench_pls_toolkit.py; largest difference 5.2e-10): estimate, bootstrap sd, 2.5% and 97.5% bounds
    seminr = {
        "COMP -> CUSA -> CUSL": (0.073501, 0.032813, 0.012066, 0.135044),
        "LIKE -> CUSA -> CUSL": (0.220013, 0.031240, 0.164798, 0.272113),
        "QUAL -> LIKE -> CUSA -> CUSL": (0.083599, 0.018434, 0.054843, 0.124560),
    }
    from crmlib.survey import read_model

    pm = read_model("reputation_extended")
    data = load_corp_rep().data[pm.items].astype(float)
    data = data.fillna(data.mean())
    idx = np.random.default_rng(2026).integers(0, len(data), size=(100, len(data)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ie = M.indirect_effects(pls_path_model(data, pm, boot_indices=idx)).set_index("effect")
    for chain, ref in seminr.items():
        assert ie.loc[chain, ["estimate", "se", "lower", "upper"]].tolist() == pytest.approx(ref, abs=1e-6)
