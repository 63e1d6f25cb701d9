"""crmlib.value: component scores, total value and cost, both forms of delivered value (crmlib/value/scoring.py).

Oracles: scores, totals and both forms computed by hand in the comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _value_common import HAND_SCORES, hand_data, tiny_codebook

from crmlib.exceptions import DataError
from crmlib.value import (
    COMPONENTS,
    COST_COMPONENTS,
    delivered_value,
    load_value_codebook,
    read_value_survey,
    score_components,
)


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
