"""Moderation: interaction constructs by the three methods against seminr 0.2.1 (the Primer's corporate-reputation
case, CUSA x SC -> CUSL), simple slopes against the bootstrap path matrices, a simulation with a known interaction,
and input checks."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

from crmlib.datasets import load_corp_rep
from crmlib.exceptions import DataError
from crmlib.survey import pls_path_model
from crmlib.survey.mediation import hypotheses
from crmlib.survey.moderation import interaction_parts, moderated_model, plot_simple_slopes, simple_slopes

SC = ["switch_1", "switch_2", "switch_3", "switch_4"]

# seminr 0.2.1: estimate_pls(corp_rep, extended model + composite("SC", switch_1..4) +
# interaction_term(iv="CUSA", moderator="SC", method=...), paths ... SC -> CUSL, CUSA*SC -> CUSL); paths into CUSL
# and its R^2. Hair et al. (2022), Primer 3rd ed., ch. 7 print the two-stage interaction as -0.071.
SEMINR = {
    "two_stage": {"CUSA": 0.4665691120548239, "SC": 0.07052761349372486, "CUSA*SC": -0.07113276551325076,
                  "COMP": -0.020325278235891503, "LIKE": 0.3194270172385241, "r2": 0.5710508610005367},
    "product_indicator": {"CUSA": 0.465599450030317, "SC": 0.0698709107041429, "CUSA*SC": -0.07643826149096439,
                          "COMP": -0.019481599791732456, "LIKE": 0.3192680062228117, "r2": 0.5714346852721656},
    "orthogonal": {"CUSA": 0.4968730385584973, "SC": 0.07159257927727995, "CUSA*SC": -0.10627204516196995,
                   "COMP": -0.004637011960994778, "LIKE": 0.3057002063934514, "r2": 0.5769311835726584},
}  # fmt: skip


@pytest.fixture(scope="module")
def corp():
    return load_corp_rep().data


def _fit(corp, method, **kw):
    data, spec = moderated_model(corp, "reputation_extended", "CUSA", "SC", "CUSL", method=method, moderator_items=SC)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # qual_4's negative weight (the 0-100 index), as in the unmoderated model
        return pls_path_model(data, spec, **kw)


@pytest.mark.parametrize("method", list(SEMINR))
def test_moderated_paths_equal_seminr(corp, method):
    res = _fit(corp, method)
    into = res.paths[res.paths["to"] == "CUSL"].set_index("from")["estimate"]
    for source in ("CUSA", "SC", "CUSA*SC", "COMP", "LIKE"):
        assert into[source] == pytest.approx(SEMINR[method][source], abs=1e-9)
    assert res.r2["CUSL"] == pytest.approx(SEMINR[method]["r2"], abs=1e-9)
    if method == "two_stage":
        assert round(into["CUSA*SC"], 3) == -0.071  # the Primer's printed digits


def test_simple_slopes_are_the_paths_combined_on_every_resample(corp):
    res = _fit(corp, "two_stage", n_boot=200, seed=4)
    ss = simple_slopes(res, "CUSA", "SC", "CUSL", at=(-1, 0, 1, 2))
    names = list(res.construct_correlations.index)
    i, k, t = names.index("CUSA"), names.index("CUSA*SC"), names.index("CUSL")
    p = res.paths.set_index(["from", "to"])["estimate"]
    for row in ss.itertuples():
        m = row.moderator_sd
        assert row.slope == pytest.approx(p[("CUSA", "CUSL")] + m * p[("CUSA*SC", "CUSL")], abs=1e-12)
        draws = res.boot_path_matrices[:, i, t] + m * res.boot_path_matrices[:, k, t]
        assert row.se == pytest.approx(draws.std(ddof=1), rel=1e-12)
        assert (row.lower, row.upper) == pytest.approx(tuple(np.quantile(draws, [0.025, 0.975])), abs=1e-12)
    assert ss.loc[1, "slope"] == pytest.approx(p[("CUSA", "CUSL")])  # at the moderator's mean: the main effect
    h = hypotheses(res, {"H14": "CUSA*SC -> CUSL (-)"}).iloc[0]
    row = res.paths.set_index(["from", "to"]).loc[("CUSA*SC", "CUSL")]
    assert h["kind"] == "moderation" and h["estimate"] == row["estimate"] and h["lower"] == row["lower"]
    assert h["supported"] == bool(row["upper"] < 0)
    assert ss["slope"].is_monotonic_decreasing  # a negative interaction: higher switching costs, flatter slope
    matplotlib.use("Agg")
    ax = plot_simple_slopes(res, "CUSA", "SC", "CUSL", labels={"SC": "Switching costs"}).axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == f"Switching costs at -1 SD (slope {ss.loc[0, 'slope']:.3f})"
    assert ax.get_xlabel() == "Satisfaction (standard deviations)"


def test_two_stage_recovers_a_known_interaction():
    # single-item constructs measured without error: the interaction per unit of z_x z_m is 0.3 / sd(y)
    rng = np.random.default_rng(8)
    n = 20_000
    x, m = rng.standard_normal(n), rng.standard_normal(n)
    y = 0.5 * x + 0.2 * m + 0.3 * x * m + rng.standard_normal(n)
    data = pd.DataFrame({"x": x, "m": m, "y": y})
    for method in ("two_stage", "product_indicator"):
        d, spec = moderated_model(data, {"X": ["x"], "M": ["m"], "Y": ["y"]}, "X", "M", "Y", method=method,
                                  structure=[("X", "Y"), ("M", "Y")])  # fmt: skip
        est = pls_path_model(d, spec).paths.set_index("from")["estimate"]
        assert est["X*M"] == pytest.approx(0.3 / y.std(ddof=1), abs=0.01)
        assert est["X"] == pytest.approx(0.5 * x.std() / y.std(ddof=1), abs=0.01)


def test_inputchecks_moderation(corp):
    with pytest.raises(DataError, match="method must be one of"):
        moderated_model(corp, "reputation_extended", "CUSA", "SC", "CUSL", method="two-stage", moderator_items=SC)
    with pytest.raises(DataError, match="moderator: 'SC' is not a construct of the model; give its moderator_items"):
        moderated_model(corp, "reputation_extended", "CUSA", "SC", "CUSL")
    with pytest.raises(DataError, match="iv, target: the model has no path CUSL -> CUSA"):
        moderated_model(corp, "reputation_extended", "CUSL", "SC", "CUSA", moderator_items=SC)
    with pytest.raises(DataError, match="moderator_items: 'LIKE' is already a construct"):
        moderated_model(corp, "reputation_extended", "CUSA", "LIKE", "CUSL", moderator_items=SC)
    plain = pls_path_model(corp, "reputation", n_boot=20, seed=1)
    with pytest.raises(DataError, match="no interaction construct 'CUSA\\*LIKE'"):
        simple_slopes(plain, "CUSA", "LIKE", "CUSL")


def test_interaction_parts_reads_a_moderated_relation():
    assert interaction_parts("CUSA*SC -> CUSL (-)") == ("CUSA", "SC", "CUSL")
    assert interaction_parts(" X * M->Y") == ("X", "M", "Y")
    for bad in ("CUSA -> CUSL", "CUSA*SC*X -> CUSL", "*SC -> CUSL", "CUSA*SC ->"):
        with pytest.raises(DataError, match="relation must read 'X\\*M -> Y'"):
            interaction_parts(bad)
