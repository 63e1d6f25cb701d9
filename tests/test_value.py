"""crmlib.value: instrument, scoring, both forms, every weighting method, bad input.

Oracles: numbers computed by hand in the comments (scores, totals, both forms,
each weighting method); the saturated-logit closed form for the choice weights;
the entropy formula evaluated by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

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
    load_instrument,
    load_value_codebook,
    read_value_survey,
    score_components,
)


def tiny_codebook(n_items: int = 2, lo: int = 1, hi: int = 7) -> pd.DataFrame:
    """Eight components with ``n_items`` items each; the second item of each is reverse-coded."""
    rows = []
    for comp in COMPONENTS:
        for j in range(1, n_items + 1):
            rows.append(
                {
                    "item": f"{comp}_{j}",
                    "construct": comp,
                    "construct_label": comp,
                    "scale_min": lo,
                    "scale_max": hi,
                    "reverse": j == 2,
                    "missing_codes": "-9",
                    "wording": "",
                    "value_or_cost": "value" if comp in VALUE_COMPONENTS else "cost",
                }
            )
    return pd.DataFrame(rows)


# answers (item 1, item 2 as recorded; item 2 is reverse-coded: 8 - answer)
HAND = {
    "product_value": (6, 2),  # 6, 6 -> 6
    "service_value": (5, 4),  # 5, 4 -> 4.5
    "personnel_value": (4, 5),  # 4, 3 -> 3.5
    "image_value": (7, 1),  # 7, 7 -> 7
    "monetary_cost": (3, 5),  # 3, 3 -> 3
    "time_cost": (2, 7),  # 2, 1 -> 1.5
    "energy_cost": (4, 4),  # 4, 4 -> 4
    "physical_cost": (1, 6),  # 1, 2 -> 1.5
}
HAND_SCORES = {
    "product_value": 6,
    "service_value": 4.5,
    "personnel_value": 3.5,
    "image_value": 7,
    "monetary_cost": 3,
    "time_cost": 1.5,
    "energy_cost": 4,
    "physical_cost": 1.5,
}


def hand_data(rows: int = 1) -> pd.DataFrame:
    rec = {f"{c}_{j + 1}": [HAND[c][j]] * rows for c in COMPONENTS for j in range(2)}
    return pd.DataFrame(rec, index=pd.RangeIndex(1, rows + 1, name="respondent"))


def test_shipped_instrument_and_codebook_agree():
    ins = load_instrument()
    cb = load_value_codebook()
    assert list(ins["item"]) == list(cb["item"])
    assert (ins["reverse"].to_numpy() == cb["reverse"].to_numpy()).all()
    comp = ins.loc[ins["value_or_cost"] != "outcome"]
    counts = comp.groupby("component").size()
    assert set(counts.index) == set(COMPONENTS) and counts.between(3, 4).all()
    assert comp.groupby("component")["reverse"].sum().ge(1).all()  # every component has a reverse-worded item
    assert ins["wording_zh"].str.contains("[品牌]", regex=False).all()
    assert ins["wording_en"].str.contains("[brand]", regex=False).all()
    assert (cb.loc[cb["value_or_cost"] != "outcome", ["scale_min", "scale_max"]] == [1, 7]).all().all()


def test_component_scores_totals_and_both_forms_by_hand():
    sc = score_components(hand_data(), tiny_codebook())
    assert sc.scores.iloc[0].to_dict() == pytest.approx(HAND_SCORES)
    out = delivered_value(sc, {c: 1.0 for c in COMPONENTS})
    # V = (6 + 4.5 + 3.5 + 7) / 4 = 5.25; C = (3 + 1.5 + 4 + 1.5) / 4 = 2.5
    assert out["total_value"].iloc[0] == pytest.approx(5.25)
    assert out["total_cost"].iloc[0] == pytest.approx(2.5)
    assert out["dv_difference"].iloc[0] == pytest.approx(2.75)
    assert out["dv_ratio"].iloc[0] == pytest.approx(2.1)
    assert "1-7 answer scale" in out.attrs["scale"]


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


def test_pomp_scale_by_hand():
    sc = score_components(hand_data(), tiny_codebook(), scale="pomp")
    out = delivered_value(sc, {c: 1.0 for c in COMPONENTS})
    # POMP = 100 (x - 1) / 6: V = 100 * 4.25 / 6, C = 100 * 1.5 / 6 = 25
    assert out["total_value"].iloc[0] == pytest.approx(100 * 4.25 / 6)
    assert out["total_cost"].iloc[0] == pytest.approx(25.0)
    assert out["dv_ratio"].iloc[0] == pytest.approx(4.25 / 1.5)
    assert sc.scale_range == (0.0, 100.0)


def test_reverse_coding_uses_scale_bounds():
    cb = tiny_codebook(lo=0, hi=10)
    d = hand_data()
    sc = score_components(d, cb)
    # on 0-10 the reverse item becomes 10 - answer: product (6 + 8) / 2 = 7
    assert sc.scores.loc[1, "product_value"] == pytest.approx(7.0)
    assert sc.report.loc["product_value", "reversed"] == "product_value_2"


def test_missing_answers_min_items_rule_and_report():
    d = hand_data(3).astype(object)
    d.loc[2, "product_value_2"] = -9  # missing code
    d.loc[3, "product_value_1"] = np.nan
    d.loc[3, "product_value_2"] = np.nan
    sc = score_components(d, tiny_codebook())  # default min_items = ceil(2/2) = 1
    assert sc.scores.loc[2, "product_value"] == pytest.approx(6.0)  # item 1 only
    assert np.isnan(sc.scores.loc[3, "product_value"])
    rep = sc.report.loc["product_value"]
    assert (rep["min_items"], rep["n_scored"], rep["n_too_few"], rep["missing_answers"]) == (1, 2, 1, 3)
    out = delivered_value(sc, {c: 1.0 for c in COMPONENTS})
    assert np.isnan(out.loc[3, "total_value"]) and np.isnan(out.loc[3, "dv_difference"])
    assert out.loc[3, "total_cost"] == pytest.approx(2.5)  # the cost side is complete
    strict = score_components(d, tiny_codebook(), min_items=2)
    assert strict.report.loc["product_value", "n_too_few"] == 2
    assert np.isnan(strict.scores.loc[2, "product_value"])


def test_default_min_items_is_half_rounded_up():
    sc = score_components(read_value_survey().head(50), load_value_codebook())
    assert sc.report["min_items"].to_dict() == {c: 2 for c in COMPONENTS}


def _exact_linear_data(seed=3, n=40):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({f"{c}_1": rng.integers(1, 8, n) for c in COMPONENTS})
    cb = tiny_codebook(1)
    return d, cb


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


# ----------------------------------------------------------------------------- bad input


def test_inputchecks_item_outside_scale_names_the_column():
    d = hand_data()
    d.loc[1, "time_cost_1"] = 8
    with pytest.raises(DataError, match=r"column 'time_cost_1'.*outside its scale 1\.\.7"):
        score_components(d, tiny_codebook())


def test_inputchecks_non_numeric_answer_names_the_column():
    d = hand_data().astype(object)
    d.loc[1, "image_value_2"] = "agree"
    with pytest.raises(DataError, match="column 'image_value_2'.*not numbers"):
        score_components(d, tiny_codebook())


def test_inputchecks_component_without_items_is_named():
    cb = tiny_codebook()
    cb = cb.loc[cb["construct"] != "physical_cost"]
    with pytest.raises(DataError, match="component 'physical_cost' has no items"):
        score_components(hand_data(), cb)


def test_inputchecks_item_column_absent_from_data():
    with pytest.raises(DataError, match=r"columns \['energy_cost_2'\]"):
        score_components(hand_data().drop(columns="energy_cost_2"), tiny_codebook())


def test_inputchecks_zero_total_cost_in_ratio_form_names_the_column():
    d = hand_data(2)
    for c in COST_COMPONENTS:  # lowest cost: item 1 = 1, reverse item 2 = 7
        d.loc[2, f"{c}_1"] = 1
        d.loc[2, f"{c}_2"] = 7
    sc = score_components(d, tiny_codebook(), scale="pomp")
    with pytest.raises(DataError, match=r"column 'total_cost' is 0 \(or below\) for 1 respondents \(rows \[2\]\)"):
        delivered_value(sc, {c: 1.0 for c in COMPONENTS}, form="ratio")
    out = delivered_value(sc, {c: 1.0 for c in COMPONENTS}, form="difference")
    assert out.loc[2, "total_cost"] == 0 and "dv_ratio" not in out


def test_inputchecks_mixed_scales_need_pomp():
    cb = tiny_codebook()
    cb.loc[cb["item"] == "time_cost_1", "scale_max"] = 5
    with pytest.raises(DataError, match="different scales.*pomp"):
        score_components(hand_data(), cb)
    cb = tiny_codebook()
    cb.loc[cb["item"] == "time_cost_2", ["scale_min", "scale_max"]] = [0, 8]  # same midpoint, other scale
    with pytest.raises(DataError, match="column 'time_cost_2'"):
        score_components(hand_data(), cb)


def test_inputchecks_min_items_above_item_count():
    with pytest.raises(DataError, match="min_items.*component 'product_value'"):
        score_components(hand_data(), tiny_codebook(), min_items=3)


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


def test_weighted_item_scores_by_hand_and_renormalised_over_answered_items():
    d = hand_data(2).astype(object)
    d.loc[2, "product_value_2"] = np.nan
    sc = score_components(d, tiny_codebook(), item_weights={"product_value_1": 3.0, "service_value_2": 3.0})
    # product: (3*6 + 1*6) / 4 = 6; service: (1*5 + 3*4) / 4 = 4.25; respondent 2 product: item 1 only -> 6
    assert sc.scores.loc[1, "service_value"] == pytest.approx(4.25)
    assert sc.scores.loc[2, "product_value"] == pytest.approx(6.0)
    assert sc.scores.loc[1, "time_cost"] == pytest.approx(1.5)  # unweighted items: plain mean
    with pytest.raises(DataError, match="column 'nope'"):
        score_components(d, tiny_codebook(), item_weights={"nope": 1.0})
    with pytest.raises(DataError, match="column 'time_cost_1'"):
        score_components(d, tiny_codebook(), item_weights={"time_cost_1": 0.0})


def test_reverse_flags_given_as_text_are_parsed():
    cb = tiny_codebook()
    cb["reverse"] = cb["reverse"].map({True: "true", False: "FALSE"})
    sc = score_components(hand_data(), cb)
    assert sc.scores.iloc[0].to_dict() == pytest.approx(HAND_SCORES)
    cb.loc[0, "reverse"] = "yes"
    with pytest.raises(DataError, match="'reverse'.*'yes'"):
        score_components(hand_data(), cb)


def test_inputchecks_negative_total_cost_in_ratio_form():
    cb = tiny_codebook(lo=-3, hi=3)
    d = pd.DataFrame({f"{c}_{j}": [-2 if j == 1 else 2] for c in COMPONENTS for j in (1, 2)})
    sc = score_components(d, cb)  # every score -2 after reverse coding (-3 + 3 - 2)
    with pytest.raises(DataError, match="column 'total_cost' is 0 \\(or below\\)"):
        delivered_value(sc, {c: 1.0 for c in COMPONENTS})
