"""Customer classes, states and loyalty types (oracle: hand-computed cases of each rule)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib.exceptions import DataError
from crmlib.segment import TierRule, tier_profile
from crmlib.segment.classes import (
    BANK_CLASSES,
    LOYALTY_DIMENSIONS,
    LOYALTY_TYPES,
    bank_classes,
    customer_states,
    load_loyalty_items,
    loyalty_scores,
    loyalty_types,
)


def test_correctness_bank_classes_by_hand():
    # 12 customers: two asleep (P(alive) < 0.3); the 10 awake ranked by value: top 10 % = 1 customer,
    # next 30 % = 3 customers, the remaining 6 low-value (positions rank/10 against the cuts 0.1, 0.4)
    ids = [f"c{i}" for i in range(12)]
    values = pd.Series([100, 90, 80, 70, 60, 50, 40, 30, 20, 10, 500, 400], index=ids, dtype=float)
    p_alive = pd.Series([0.9] * 10 + [0.1, 0.29], index=ids)
    got = bank_classes(values, p_alive)
    assert list(got.cat.categories) == list(BANK_CLASSES)
    assert got.tolist() == ["high_value_added"] + ["valuable"] * 3 + ["low_value"] * 6 + ["sleeping"] * 2
    # thresholds are parameters: at 0.95 everybody sleeps; on="value" cuts at 75 and 35
    assert set(bank_classes(values, p_alive, sleeping_below=0.95)) == {"sleeping"}
    rule = TierRule(names=("high_value_added", "valuable", "low_value"), cuts=(75, 35), on="value")
    got = bank_classes(values, p_alive, sleeping_below=0.2, rule=rule)
    assert (
        got["c7"] == "low_value"
        and got["c3"] == "valuable"
        and got["c2"] == "high_value_added"
        and got["c11"] == "high_value_added"
    )
    assert got["c6"] == "valuable" and got["c10"] == "sleeping"
    prof = tier_profile(values, bank_classes(values, p_alive))
    assert prof.loc["sleeping", "customers"] == 2 and prof.loc["sleeping", "total"] == 900
    assert prof.loc["low_value", "total"] == 50 + 40 + 30 + 20 + 10 + 60


def test_inputchecks_bank_classes():
    v = pd.Series([1.0, 2.0], index=["a", "b"])
    with pytest.raises(DataError, match="p_alive must be"):
        bank_classes(v, pd.Series([0.5, 1.5], index=["a", "b"]))
    with pytest.raises(DataError, match=r"values is missing or not a finite number in 1 row \(e.g. \['b'\]\)"):
        bank_classes(pd.Series([1.0, None], index=["a", "b"]), pd.Series([0.5, 0.5], index=["a", "b"]))
    with pytest.raises(DataError, match="sleeping_below"):
        bank_classes(v, pd.Series([0.5, 0.5], index=["a", "b"]), sleeping_below=2)


def test_correctness_customer_states_by_hand():
    purchases = pd.Series([0, 0, 3, 1, 5], index=list("abcde"))
    p_alive = pd.Series([1.0, 1.0, 0.8, 0.2, 0.3], index=list("abcde"))
    targeted = pd.Series([False, True, False, True, False], index=list("abcde"))
    got = customer_states(purchases, p_alive, targeted)
    assert got.tolist() == ["potential", "target", "actual", "lost", "actual"]  # 0.3 is not below 0.3
    assert customer_states(purchases, p_alive, lost_below=0.5).tolist() == [
        "potential",
        "potential",
        "actual",
        "lost",
        "lost",
    ]
    with pytest.raises(DataError, match="purchases must be whole numbers"):
        customer_states(purchases.astype(float).replace(3, 2.5), p_alive)


def test_correctness_loyalty_types_by_hand():
    rows = {  # attitude, repeat, no_alternative, convenience, price, incentive
        "true fan": (6, 6, 1, 6, 6, 6),  # both high: super-value whatever drives it
        "captive": (2, 6, 7, 3, 3, 3),  # repeat without liking, no alternative
        "bargain": (2, 6, 3, 5, 6, 5),  # price strongest driver
        "points": (3, 6, 2, 5, 5, 6.5),  # incentive strongest
        "nearby": (3, 5, 2, 5, 5, 2),  # convenience and price tie at 5: price is tested first
        "habit": (4, 6, 2, 3, 3, 3),  # no high driver: inertia
        "would if could": (6, 3, 1, 1, 1, 1),  # latent
        "indifferent": (3, 3, 7, 7, 7, 7),  # not loyal
    }
    scores = pd.DataFrame.from_dict(rows, orient="index", columns=list(LOYALTY_DIMENSIONS))
    got = loyalty_types(scores)
    assert got.tolist() == [
        "super_value",
        "monopoly",
        "price",
        "incentive",
        "price",
        "inertia",
        "latent",
        "none",
    ]
    assert loyalty_types(scores, high=7)["captive"] == "none"  # at 7 repeat 6 is not high, nor attitude 2
    assert loyalty_types(scores, high=6.5)["points"] == "none"


def test_correctness_loyalty_scores_from_items():
    items = load_loyalty_items()
    assert len(items) == 12 and set(items["dimension"]) == set(LOYALTY_DIMENSIONS)
    assert items["wording_zh"].str.len().min() > 0 and items["wording_ko"].str.len().min() > 0
    answers = pd.DataFrame([dict.fromkeys(items["item"], 4)] * 2, index=["r1", "r2"])
    answers.loc["r1", ["att1", "att2"]] = [7, 5]
    answers.loc["r2", "rep1"] = None  # left out of its mean
    answers.loc["r2", "rep2"] = 6
    s = loyalty_scores(answers, items)
    assert s.loc["r1", "attitude"] == 6 and s.loc["r2", "repeat"] == 6 and s.loc["r1", "price"] == 4
    answers.loc["r2", "rep2"] = None
    with pytest.raises(DataError, match=r"no answer on the 'repeat' items \['rep1', 'rep2'\] in 1 row"):
        loyalty_scores(answers, items)


def test_correctness_loyalty_profile_by_hand():
    from crmlib.segment.classes import loyalty_profile

    types = pd.Series(["super_value", "super_value", "price", "none", "price"], index=list("abcde"))
    frame = pd.DataFrame({"dv": [2.0, 1.0, 0.5, -1.0, None], "SAT": [90, 80, 60, 30, 50]}, index=list("abcde"))
    got = loyalty_profile(types, frame, ["dv", "SAT"])
    assert list(got.index) == list(LOYALTY_TYPES)
    assert got.loc["super_value", "n"] == 2 and got.loc["super_value", "share"] == pytest.approx(0.4)
    assert got.loc["super_value", "dv"] == pytest.approx(1.5) and got.loc["super_value", "SAT"] == pytest.approx(85)
    assert got.loc["price", "dv"] == pytest.approx(0.5)  # e's missing value left out of the mean
    assert got.loc["price", "SAT"] == pytest.approx(55)
    assert got.loc["monopoly", "n"] == 0 and np.isnan(got.loc["monopoly", "dv"])
    assert got["n"].sum() == 5 and got["share"].sum() == pytest.approx(1.0)
    with pytest.raises(DataError, match="types must be indexed like frame"):
        loyalty_profile(types.iloc[:4], frame.iloc[:3], ["dv"])
    with pytest.raises(DataError, match=r"types must be one of .* in 1 row"):
        loyalty_profile(types.replace("none", "loyal"), frame, ["dv"])
    with pytest.raises(DataError, match=r"no column\(s\) \['nope'\]"):
        loyalty_profile(types, frame, ["nope"])
    with pytest.raises(DataError, match="not the text"):
        loyalty_profile(types, frame, "dv")
