"""Codebook intake, malformed survey files, response accounting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib.datasets import data_dir, load_corp_rep, load_mobi, load_thesis_tables
from crmlib.exceptions import DataError
from crmlib.survey import codebook as cbk
from crmlib.survey.accounting import accounting_from_intake, response_accounting
from crmlib.survey.readers import read_survey
from crmlib.survey.reliability import cronbach_alpha

CODEBOOK = """item,construct,construct_label,scale_min,scale_max,reverse,missing_codes,wording,value_labels,mr_group
plan,plan,Plan,1,2,false,-99,Plan,1=postpaid;2=prepaid,
sat_1,SAT,Satisfaction,1,5,false,-99,Satisfied,,
sat_2,SAT,Satisfaction,1,5,false,-99,Happy,,
sat_3,SAT,Satisfaction,1,5,true,-99,Disappointed (reversed),,
rec,REC,Recommend,1,5,false,-99,Recommend,,
why_a,why_a,Motive A,0,1,false,,Raise sales,,motives
why_b,why_b,Motive B,0,1,false,,Raise service,,motives
"""
ROWS = """plan,sat_1,sat_2,sat_3,rec,why_a,why_b
1,4,5,2,4,1,0
2,3,3,3,3,1,1
1,5,5,1,-99,0,1
2,2,1,5,2,0,0
1,4,4,2,5,1,0
"""


@pytest.fixture()
def files(tmp_path):
    cb = tmp_path / "cb.csv"
    cb.write_text(CODEBOOK)
    data = tmp_path / "survey.csv"
    data.write_text(ROWS)
    return cb, data, tmp_path


def test_read_survey_recodes_reverse_items_and_missing(files):
    cb, data, _ = files
    res = read_survey(data, cb)
    assert res.data.loc[1, "sat_3"] == 4  # 1 + 5 - 2
    assert np.isnan(res.data.loc[3, "rec"])  # -99 is missing
    assert res.codebook.value_labels["plan"] == {1: "postpaid", 2: "prepaid"}
    assert res.codebook.mr_groups == {"motives": ["why_a", "why_b"]}
    assert res.issues.empty


def test_malformed_text_in_numeric_item(files):
    cb, data, _ = files
    data.write_text(ROWS.replace("2,3,3,3,3,1,1", "2,3,three,3,3,1,1"))
    with pytest.raises(
        DataError,
        match=r"survey.csv: item 'sat_2': 1 answer\(s\) not a number \(respondents \[2\]\), "
        r"e.g. 'three' from respondent 2",
    ):
        read_survey(data, cb)


def test_malformed_code_outside_scale(files):
    cb, data, _ = files
    data.write_text(ROWS.replace("1,4,4,2,5,1,0", "1,4,4,2,7,1,0"))
    with pytest.raises(DataError, match=r"item 'rec': 1 answer\(s\) outside scale 1..5 \(respondents \[5\]\)"):
        read_survey(data, cb)
    lenient = read_survey(data, cb, strict=False)
    assert lenient.issues.to_dict("records") == [
        {"respondent": 5, "item": "rec", "value": "7", "problem": "outside scale 1..5"}
    ]
    assert np.isnan(lenient.data.loc[5, "rec"])


def test_malformed_construct_with_one_item(files):
    cb, data, _ = files
    res = read_survey(data, cb)
    with pytest.raises(DataError, match=r"construct 'REC' has 1 item\(s\) \('rec'\): at least 2 items are needed"):
        cbk.check_measurement({"SAT": ["sat_1", "sat_2", "sat_3"], "REC": ["rec"]})
    with pytest.raises(DataError, match=r"1 item\(s\) of construct 'REC' \(\['rec'\]\)"):
        from crmlib.survey.reliability import _numeric_items

        _numeric_items(res.data, ["rec"], min_items=2, what="REC")


def test_columns_must_match_codebook(files):
    cb, data, _ = files
    data.write_text(ROWS.replace("why_b", "why_c"))
    with pytest.raises(
        DataError, match=r"items missing from the data \['why_b'\], columns not in the codebook \['why_c'\]"
    ):
        read_survey(data, cb)


def test_bundled_codebooks_read_and_intake_matches_loader():
    for loader, data_file, cb_file in (
        (load_mobi, "mobi.csv", "mobi_codebook.csv"),
        (load_corp_rep, "corp_rep_data.csv", "corp_rep_codebook.csv"),
    ):
        res = read_survey(data_dir() / data_file, data_dir() / cb_file)
        ref = loader().data.astype(float)
        pd.testing.assert_frame_equal(res.data, ref, check_dtype=False, check_names=False)


def test_straightlining_and_missing_patterns():
    d = pd.DataFrame(
        {"a": [3, 1, 2, np.nan], "b": [3, 2, 2, 5], "c": [3, 3, 4, np.nan], "d": [3, 4, 2, 5], "e": [3, 5, 2, 1]},
        index=[11, 12, 13, 14],
        dtype=float,
    )
    sl = cbk.straightlining(d, list("abcde"), min_items=5)
    assert sl["straightliner"].tolist() == [True, False, False, False]
    assert sl.loc[13, "longest_run"] == 2
    per_item, pat = cbk.missing_patterns(d)
    assert per_item.loc["a", "n_missing"] == 1
    assert pat.iloc[0]["pattern"] == "a, c" and pat.iloc[0]["example_ids"] == [14]


def test_accounting_reproduces_thesis_survey_figures():
    # shared/seeds/004 thesis: 220 sent, 200 returned, 30 invalid, 170 valid, "valid rate 85%" (= valid / returned)
    t = load_thesis_tables()
    s = t[t["table"] == "survey"].set_index("item")["value"]
    acc = response_accounting(220, 200, 30)
    assert acc.loc["valid", "n"] == 170
    assert acc.loc["valid", "pct_of_returned"] == pytest.approx(85.0)
    assert acc.loc["valid", "pct_of_sent"] == pytest.approx(100 * 170 / 220)
    assert acc.loc["returned", "pct_of_sent"] == pytest.approx(100 * 200 / 220)
    assert 85.0 in set(s.round(2))


def test_accounting_inputchecks():
    with pytest.raises(DataError, match=r"returned \(230\) exceeds sent \(220\)"):
        response_accounting(220, 230)
    with pytest.raises(DataError, match=r"valid \(160\) \+ invalid \(30\) != returned \(200\)"):
        response_accounting(220, 200, 30, valid=160)
    acc = response_accounting(220, 200, {"incomplete": 20, "straight-lining": 10})
    assert acc.loc["invalid", "n"] == 30 and acc.loc["  invalid: incomplete", "n"] == 20


def test_accounting_from_intake_on_corp_rep():
    res = read_survey(data_dir() / "corp_rep_data.csv", data_dir() / "corp_rep_codebook.csv")
    acc = accounting_from_intake(res)
    reasons = res.invalid_respondents()
    assert acc.loc["returned", "n"] == 344
    assert acc.loc["valid", "n"] == int((reasons == "").sum())
    assert cronbach_alpha(res.data, ["comp_1", "comp_2", "comp_3"])["k"] == 3


def test_for_display_prints_counts_whole_and_blanks_not_applicable():
    from crmlib.survey.tables import for_display

    frame = pd.DataFrame({"n": [250.0, 1.0], "pct": [np.nan, 12.3456], True: [0.5, 1.0]}, index=[False, True])
    out = for_display(frame, digits=1)
    assert out["n"].tolist() == ["250", "1"] and out["pct"].tolist() == ["", "12.3"]
    assert list(out.columns) == ["n", "pct", "yes"] and list(out.index) == ["no", "yes"]
    assert frame.loc[True, "pct"] == 12.3456  # the input is not changed
    assert for_display(pd.DataFrame({"p": [0.0]}))["p"].tolist() == ["0.000"]  # a p-value of 0 is not a count


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((100, 80, -5), r"invalid must be >= 0, got -5"),  # issue 14: reported 85 valid of 80 returned
        ((100, 80, {"incomplete": -5}), r"invalid\['incomplete'\] must be >= 0, got -5"),
        ((100, 80, 0, 85), r"valid \(85\) exceeds returned \(80\)"),
        ((100, 80, 10, -70), r"valid must be >= 0, got -70"),
        ((100, 80.5), r"returned must be a whole number, got 80.5"),
        ((-1, 0), r"sent must be >= 0, got -1"),
        ((100, 80, 81), r"invalid \(81\) exceeds returned \(80\)"),
    ],
)
def test_inputchecks_response_accounting(args, words):
    with pytest.raises(DataError, match=words):
        response_accounting(*args)


def test_account_text_states_each_base_and_what_is_analysed():
    from crmlib.survey.accounting import account_text

    thesis = response_accounting(220, 200, 30)  # the thesis's account: 170 valid of 200 returned, 220 sent
    text = account_text(thesis, 220)
    assert text.startswith(
        "Of 200 returned questionnaires, **170** are valid (85.0% of returned, 77.3% of the 220 sent)."
    )
    assert "keep all 200, the 30 invalid ones included" in text and "without them." in text
    one = account_text(response_accounting(250, 250, {"straight-lining": 1}))
    assert "(99.6% of returned)." in one and "the 1 invalid one included" in one and "without it." in one
    assert account_text(response_accounting(10, 10)).endswith("The analyses below use all 10.")
    with pytest.raises(DataError, match="account has no row 'valid'"):
        account_text(thesis.drop(index="valid"))
