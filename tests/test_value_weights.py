"""crmlib.value: weighting methods of the components (crmlib/value/weights.py).

Oracles: weights computed by hand; the saturated-logit closed form for the choice weights;
the entropy formula evaluated by hand; an exactly linear outcome for the regression weights.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _value_common import hand_data, tiny_codebook

from crmlib.exceptions import DataError, DataWarning
from crmlib.value import (
    COMPONENTS,
    COST_COMPONENTS,
    VALUE_COMPONENTS,
    DeliveredValue,
    bootstrap_weights,
    delivered_value,
    derive_weights,
    entropy_divergences,
    load_value_codebook,
    read_value_survey,
    score_components,
)


def _exact_linear_data(seed=3, n=40):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({f"{c}_1": rng.integers(1, 8, n) for c in COMPONENTS})
    cb = tiny_codebook(1)
    return d, cb


def test_given_weights_by_hand():
    sc = score_components(hand_data(), tiny_codebook())
    given = {
        "product_value": 2,
        "service_value": 1,
        "personnel_value": 1,
        "image_value": 0,
        "monetary_cost": 0,
        "time_cost": 0,
        "energy_cost": 3,
        "physical_cost": 3,
    }
    w = derive_weights(sc, "given", given=given)
    assert w.weights["product_value"] == pytest.approx(0.5) and w.weights["energy_cost"] == pytest.approx(0.5)
    out = delivered_value(sc, w.table)
    # V = .5*6 + .25*4.5 + .25*3.5 = 5.0; C = .5*4 + .5*1.5 = 2.75
    assert out["total_value"].iloc[0] == pytest.approx(5.0)
    assert out["total_cost"].iloc[0] == pytest.approx(2.75)
    assert out["dv_difference"].iloc[0] == pytest.approx(2.25)
    assert out["dv_ratio"].iloc[0] == pytest.approx(5.0 / 2.75)


def test_regression_weights_exact_on_a_linear_outcome():
    d, cb = _exact_linear_data()
    beta = {
        "product_value": 3,
        "service_value": 1,
        "personnel_value": 1,
        "image_value": 1,
        "monetary_cost": -1,
        "time_cost": -1,
        "energy_cost": -2,
        "physical_cost": -4,
    }
    sat = 10 + sum(b * d[f"{c}_1"] for c, b in beta.items())
    w = derive_weights(score_components(d, cb), "regression", outcome=sat.rename("SAT"))
    # value: 3/6, 1/6, 1/6, 1/6; cost: 1/8, 1/8, 2/8, 4/8
    expect = [0.5, 1 / 6, 1 / 6, 1 / 6, 0.125, 0.125, 0.25, 0.5]
    assert w.weights.to_numpy() == pytest.approx(expect, abs=1e-10)
    assert w.table["coef"].to_numpy() == pytest.approx(list(beta.values()), abs=1e-10)
    assert "'SAT'" in w.description and w.n == 40


def test_choice_weights_match_saturated_logit_closed_form():
    # nine covariate patterns (all components 4; then one component at 5) and nine parameters: the logit
    # is saturated, so beta_k = logit(p_k) - logit(p_0) with p the observed choice share of pattern k.
    m = 20
    chosen = [10, 16, 14, 12, 15, 6, 8, 5, 4]  # baseline, then the 8 components
    rows, y = [], []
    for k in range(9):
        x = {f"{c}_1": 4 for c in COMPONENTS}
        if k:
            x[f"{COMPONENTS[k - 1]}_1"] = 5
        rows += [x] * m
        y += [1] * chosen[k] + [0] * (m - chosen[k])
    d = pd.DataFrame(rows)
    sc = score_components(d, tiny_codebook(1))
    w = derive_weights(sc, "choice", outcome=pd.Series(y, name="CHOICE"))
    logit = lambda c: math.log(c / (m - c))
    beta = np.array([logit(c) - logit(chosen[0]) for c in chosen[1:]])
    assert w.table["coef"].to_numpy() == pytest.approx(beta, abs=1e-6)
    signed = np.r_[beta[:4], -beta[4:]]
    expect = np.r_[signed[:4] / signed[:4].sum(), signed[4:] / signed[4:].sum()]
    assert w.weights.to_numpy() == pytest.approx(expect, abs=1e-6)
    # the batched Newton-Raphson of the bootstrap gives the same point estimate on the full sample
    from crmlib.value.weights import _batched_logit

    X = np.column_stack([np.ones(len(d)), sc.scores.to_numpy()])
    b, ok = _batched_logit(X, np.asarray(y, float), np.ones((1, len(d))))
    assert ok.all() and b[0, 1:] == pytest.approx(beta, abs=1e-6)


def test_entropy_divergences_by_hand():
    x = np.array([[1.0, 1.0, 2.0], [2.0, 1.0, 3.0], [3.0, 3.0, 3.0]])
    d = entropy_divergences(x)
    ln3 = math.log(3)
    # column 1: p = (0, 1/3, 2/3); column 2: p = (0, 0, 1); column 3: p = (0, 1/2, 1/2)
    e1 = -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)) / ln3
    assert d == pytest.approx([1 - e1, 1.0, 1 - math.log(2) / ln3])


def test_entropy_divergences_through_the_scores():
    vals = {c: [1, 2, 3] for c in COMPONENTS}
    vals["service_value"] = [1, 1, 3]
    vals["time_cost"] = [2, 3, 3]
    d = pd.DataFrame({f"{c}_1": v for c, v in vals.items()})
    w = derive_weights(score_components(d, tiny_codebook(1)), "entropy")
    ln3 = math.log(3)
    d1 = 1 + (1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)) / ln3
    d3 = 1 - math.log(2) / ln3
    assert w.weights["service_value"] == pytest.approx(1 / (3 * d1 + 1))
    assert w.weights["product_value"] == pytest.approx(d1 / (3 * d1 + 1))
    assert w.weights["time_cost"] == pytest.approx(d3 / (3 * d1 + d3))


def test_equal_weights_and_estimator_agree_with_functions():
    d = read_value_survey()
    cb = load_value_codebook()
    est = DeliveredValue("equal").fit(d, cb)
    assert est.weights_.weights.to_numpy() == pytest.approx([0.25] * 8)
    manual = est.scores_.scores[list(VALUE_COMPONENTS)].mean(axis=1, skipna=False) - est.scores_.scores[
        list(COST_COMPONENTS)
    ].mean(axis=1, skipna=False)
    pd.testing.assert_series_equal(est.values_["dv_difference"], manual, check_names=False)
    s = est.summary()
    assert s.loc["dv_difference", "n"] == manual.notna().sum()


def test_wrong_signed_coefficient_is_clipped_with_a_warning():
    d, cb = _exact_linear_data()
    sat = 5 + 2 * d["product_value_1"] - 1 * d["service_value_1"] + d["image_value_1"] - d["time_cost_1"]
    with pytest.warns(DataWarning, match="service_value"):
        w = derive_weights(score_components(d, cb), "regression", outcome=sat.rename("SAT"))
    assert w.weights["service_value"] == 0 and w.table.loc["service_value", "clipped"]


def test_bootstrap_weights_are_seeded_and_bracket_the_estimate():
    d = read_value_survey()
    sc = score_components(d, load_value_codebook())
    a = bootstrap_weights(sc, "regression", outcome=d["SAT"], n_boot=300, seed=5)
    b = bootstrap_weights(sc, "regression", outcome=d["SAT"], n_boot=300, seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert ((a["lower"] <= a["weight"]) & (a["weight"] <= a["upper"])).all()
    e = bootstrap_weights(sc, "equal", n_boot=300, seed=5)
    assert (e["lower"] == 0.25).all()


def test_inputchecks_weights():
    sc = score_components(hand_data(), tiny_codebook())
    w = {c: 1.0 for c in COMPONENTS}
    with pytest.raises(DataError, match="no weight given for component 'time_cost'"):
        delivered_value(sc, {k: v for k, v in w.items() if k != "time_cost"})
    with pytest.raises(DataError, match="weight of component 'image_value'"):
        delivered_value(sc, {**w, "image_value": -1})
    with pytest.raises(DataError, match="cost weights sum to 0"):
        delivered_value(sc, {**w, **{c: 0 for c in COST_COMPONENTS}})
    with pytest.raises(DataError, match="parameter 'method'"):
        derive_weights(sc, "pca")


def test_inputchecks_choice_must_be_binary_and_named():
    d = read_value_survey()
    sc = score_components(d, load_value_codebook())
    with pytest.raises(DataError, match="column 'SAT'.*0 or 1"):
        derive_weights(sc, "choice", outcome=d["SAT"])
