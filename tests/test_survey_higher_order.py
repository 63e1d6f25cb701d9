"""Higher-order constructs: the two-stage approach against seminr 0.2.1's higher_composite, repeated indicators
beside it, and input checks."""

from __future__ import annotations

import pytest

from crmlib.datasets import load_corp_rep
from crmlib.exceptions import DataError
from crmlib.survey import pls_path_model
from crmlib.survey.higher_order import higher_order_model


@pytest.fixture(scope="module")
def corp():
    return load_corp_rep().data


def test_two_stage_equals_seminr_higher_composite(corp):
    # seminr 0.2.1: constructs(COMP, LIKE, CUSA, CUSL composites, higher_composite("REP", c("COMP", "LIKE"))),
    # paths REP -> CUSA, CUSL and CUSA -> CUSL; estimate_pls on corp_rep
    data, spec = higher_order_model(corp, "reputation", "REP", ["COMP", "LIKE"])
    assert spec.measurement["REP"] == ["COMP", "LIKE"] and "COMP" not in spec.measurement
    res = pls_path_model(data, spec)
    p = res.paths.set_index(["from", "to"])["estimate"]
    assert p[("REP", "CUSA")] == pytest.approx(0.5370503799005394, abs=1e-9)
    assert p[("REP", "CUSL")] == pytest.approx(0.3191644475343139, abs=1e-9)
    assert p[("CUSA", "CUSL")] == pytest.approx(0.5177544988529457, abs=1e-9)
    w = res.weights.set_index("item")["weight"]
    assert (w["COMP"], w["LIKE"]) == pytest.approx((0.4795159514268721, 0.621076601958742), abs=1e-9)
    assert res.r2["CUSL"] == pytest.approx(0.5474295579915265, abs=1e-9)


def test_repeated_indicators_keep_the_dimensions_and_agree_with_two_stage(corp):
    data, spec = higher_order_model(corp, "reputation", "REP", ["COMP", "LIKE"], method="repeated_indicators")
    assert spec.measurement["REP"] == [f"{i}@REP" for i in spec.measurement["COMP"] + spec.measurement["LIKE"]]
    assert (data["comp_1@REP"].equals(corp["comp_1"])) and ("REP", "COMP") in spec.structure
    res = pls_path_model(data, spec)
    p = res.paths.set_index(["from", "to"])["estimate"]
    two = pls_path_model(*higher_order_model(corp, "reputation", "REP", ["COMP", "LIKE"])).paths
    two_p = two.set_index(["from", "to"])["estimate"]
    for path in [("REP", "CUSA"), ("REP", "CUSL"), ("CUSA", "CUSL")]:
        assert p[path] == pytest.approx(two_p[path], abs=0.02)  # Sarstedt et al. (2019): similar estimates
    assert p[("REP", "COMP")] > 0.8 and p[("REP", "LIKE")] > 0.8  # the dimensions are explained by the HOC


def test_inputchecks_higher_order(corp):
    with pytest.raises(DataError, match="dimensions: give at least two constructs of the model"):
        higher_order_model(corp, "reputation", "REP", ["COMP", "NOPE"])
    with pytest.raises(DataError, match="hoc: 'CUSA' is already a construct"):
        higher_order_model(corp, "reputation", "CUSA", ["COMP", "LIKE"])
    with pytest.raises(DataError, match="paths between dimensions"):
        higher_order_model(corp, "reputation", "SAT", ["LIKE", "CUSA"])
    with pytest.raises(DataError, match="method must be one of"):
        higher_order_model(corp, "reputation", "REP", ["COMP", "LIKE"], method="embedded")


def test_consistency_higher_order_sentence_quotes_the_two_results(corp):
    from crmlib.survey.higher_order import higher_order_sentence

    first = pls_path_model(corp, "reputation", n_boot=60, seed=4)
    second = pls_path_model(*higher_order_model(corp, "reputation", "REP", ["COMP", "LIKE"]), n_boot=60, seed=4)
    text = higher_order_sentence(first, second, "REP")
    w = second.weights.set_index("item")["weight"]
    p = second.paths.set_index(["from", "to"])
    assert f"COMP (weight {w['COMP']:.2f}) and LIKE (weight {w['LIKE']:.2f})" in text
    row = p.loc[("REP", "CUSL")]
    assert f"REP → CUSL {row['estimate']:.3f} [{row['lower']:.3f}, {row['upper']:.3f}]" in text
    assert "(in brackets: with COMP and LIKE as separate constructs)" in text
    assert f"CUSL {second.r2['CUSL']:.2f} ({first.r2['CUSL']:.2f})" in text
    assert "CUSA → CUSL" not in text  # a path that does not touch REP is not its path
    with pytest.raises(DataError, match="hoc: 'NOPE' is not a construct of the second-stage model"):
        higher_order_sentence(first, second, "NOPE")
    with pytest.raises(DataError, match=r"hoc: the indicators of 'CUSL' \(\['cusl_1'"):
        higher_order_sentence(first, second, "CUSL")  # measured by items, not by constructs of the first stage
