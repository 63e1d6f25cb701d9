"""Codebook fields read strictly: yes/no flags in five languages, missing codes in every column type, every
invalid answer listed by respondent and item."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib.datasets import check_codebook, parse_answers, parse_flag
from crmlib.exceptions import DataError
from crmlib.survey import codebook as cbk


def _frame(reverse):
    return pd.DataFrame(
        {
            "item": ["a", "b", "c"],
            "construct": ["S", "S", "S"],
            "construct_label": ["Sat"] * 3,
            "scale_min": ["1", "1", "1"],
            "scale_max": ["5", "5", "5"],
            "reverse": reverse,
            "missing_codes": ["-99", "-99;refused", ""],
            "wording": ["x", "y", "z"],
        }
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("FALSE", False), ("Yes", True), ("no", False), ("1", True), ("0", False), ("是", True),
     ("否", False), ("예", True), ("아니오", False), (True, True), (0, False), (1.0, True)],
)  # fmt: skip
def test_flags_accept_five_spellings_in_any_case(text, value):
    assert parse_flag(text, "here") is value


def test_text_false_in_a_typed_codebook_does_not_reverse():
    # the fault of issue 13: a codebook frame whose reverse column holds the text "false" reversed every item
    raw = pd.DataFrame({"a": [1, 2], "b": [5, 4], "c": [3, 1]}, index=[1, 2])
    res = cbk.intake(raw, _frame(["false", "No", "是"]))
    assert res.data["a"].tolist() == [1.0, 2.0]  # not reversed
    assert res.data["b"].tolist() == [5.0, 4.0]
    assert res.data["c"].tolist() == [3.0, 5.0]  # 1 + 5 - x


def test_inputchecks_codebook_flag_names_row_and_column():
    with pytest.raises(
        DataError, match=r"codebook frame, row 2 \(item 'b'\), column 'reverse': 'flase' is not a yes/no"
    ):
        check_codebook(_frame(["false", "flase", "true"]))
    with pytest.raises(DataError, match=r"row 3 \(item 'c'\), column 'reverse': '' is not a yes/no value"):
        check_codebook(_frame(["false", "false", ""]))


def test_inputchecks_codebook_scale_not_whole_names_row():
    f = _frame(["0", "0", "0"])
    f.loc[1, "scale_max"] = "4.5"
    with pytest.raises(DataError, match=r"row 2 \(item 'b'\), column 'scale_max': '4.5' is not a whole number"):
        check_codebook(f)


@pytest.mark.parametrize(
    "column",
    [
        pd.Series([1, -99, 3, 5], dtype="int64"),
        pd.Series([1.0, -99.0, 3.0, 5.0]),
        pd.Series([1.0, -99.0, np.nan, 5.0]),  # read_csv's float column when a cell is blank
        pd.Series([1, -99, None, 5], dtype="Int64"),
        pd.Series(["1", "-99", "", "5"]),
        pd.Series(["1", "-99.0", " ", "5"]),
    ],
)
def test_missing_code_matches_in_int_float_and_text_columns(column):
    ans = parse_answers(column, "-99", 1, 5)
    assert ans["missing"].tolist()[1] is True
    assert not ans["text"].any() and not ans["outside"].any()
    assert ans["value"].iloc[0] == 1.0 and np.isnan(ans["value"].iloc[1]) and ans["value"].iloc[3] == 5.0


def test_text_missing_code_and_invalid_text():
    ans = parse_answers(pd.Series(["2", "refused", "n/a", "7"]), "-99;refused", 1, 5)
    assert ans["missing"].tolist() == [False, True, False, False]
    assert ans["text"].tolist() == [False, False, True, False]
    assert ans["outside"].tolist() == [False, False, False, True]


def test_float_missing_code_in_intake_is_missing_not_invalid():
    raw = pd.DataFrame({"a": [1.0, -99.0, np.nan], "b": [2.0, 3.0, 4.0], "c": [1.0, 2.0, 3.0]}, index=[7, 8, 9])
    res = cbk.intake(raw, _frame(["0", "0", "0"]), strict=True)
    assert res.issues.empty
    assert res.data["a"].isna().tolist() == [False, True, True]
    assert res.invalid_respondents(max_missing_share=0.5).tolist() == ["", "", ""]


def test_out_of_range_answers_listed_by_respondent_and_item():
    raw = pd.DataFrame({"a": [1, 9, 3, 0], "b": [2, 3, "x", 4], "c": [1, 2, 3, 6]}, index=[11, 12, 13, 14])
    lenient = cbk.intake(raw, _frame(["0", "0", "0"]))
    got = lenient.issues[["respondent", "item", "problem"]].to_records(index=False).tolist()
    assert got == [
        (12, "a", "outside scale 1..5"),
        (14, "a", "outside scale 1..5"),
        (13, "b", "not a number"),
        (14, "c", "outside scale 1..5"),
    ]
    with pytest.raises(DataError) as err:
        cbk.intake(raw, _frame(["0", "0", "0"]), strict=True)
    msg = str(err.value)
    assert "item 'a': 2 answer(s) outside scale 1..5 (respondents [12, 14]), e.g. 9 from respondent 12" in msg
    assert "item 'b': 1 answer(s) not a number (respondents [13])" in msg
    assert "item 'c': 1 answer(s) outside scale 1..5 (respondents [14])" in msg


def test_labelled_values_use_value_labels_and_name_unlabelled_codes():
    cb = cbk.codebook_from_frame(_frame(["0", "0", "0"]).assign(value_labels=["1=one;2=two", "", ""]))
    got = cb.labelled("a", pd.Series([1, 2.0, 3, None], dtype=object))
    assert got.tolist()[:3] == ["one", "two", "a 3"] and pd.isna(got.iloc[3])
