"""crmlib.value: the shipped delivered-value instrument and its codebook (crmlib/value/instrument.py)."""

from __future__ import annotations

from crmlib.value import (
    COMPONENTS,
    load_instrument,
    load_value_codebook,
)


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
