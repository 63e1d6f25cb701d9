"""crmlib._files: encodings, delimiters, Excel; oracles are the frames the files were written from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import _files
from crmlib.exceptions import DataError

KOREAN = pd.DataFrame(
    {"고객번호": [1, 2, 3], "구매일": ["2020-01-02", "2020-01-03", "2020-02-01"], "금액": [1.5, 2, 3]}
)
CHINESE = pd.DataFrame(
    {"客户编号": [1, 2, 3], "购买日期": ["2020-01-02", "2020-01-03", "2020-02-01"], "金额": [1.5, 2, 3]}
)


@pytest.mark.parametrize(
    ("frame", "encoding", "expected"),
    [
        (KOREAN, "utf-8", "utf-8"),
        (KOREAN, "utf-8-sig", "utf-8-sig"),
        (CHINESE, "utf-16", "utf-16"),
    ],
)
def test_detect_encoding_by_bom_and_utf8(tmp_path, frame, encoding, expected):
    path = tmp_path / "x.csv"
    frame.to_csv(path, index=False, encoding=encoding)
    assert _files.detect_encoding(path) == expected


def test_detect_legacy_encoding_by_the_expected_header(tmp_path):
    # CP949 bytes of Korean text are also valid GB18030 (and Big5): ambiguous without a hint
    path = tmp_path / "kr.csv"
    KOREAN.to_csv(path, index=False, encoding="cp949")
    with pytest.raises(DataError, match=r"ambiguous.*'cp949'.*'gb18030'.*고객번호.*encoding="):
        _files.detect_encoding(path)
    assert _files.detect_encoding(path, expect=["고객번호", "금액"]) == "cp949"
    path = tmp_path / "cn.csv"
    CHINESE.to_csv(path, index=False, encoding="gb18030")
    assert _files.detect_encoding(path, expect=["客户编号"]) == "gb18030"


def test_detect_encoding_refuses_undecodable_bytes(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"id,amount\n1,\xff\xff\xff\n")
    with pytest.raises(DataError, match=r"cannot decode .*bad.csv.*\(byte 0xff at offset 12 .*encoding="):
        _files.detect_encoding(path)


def test_transcode_round_trips_and_names_the_bad_line(tmp_path):
    src = tmp_path / "kr.csv"
    big = pd.concat([KOREAN] * 2000, ignore_index=True)
    big.to_csv(src, index=False, encoding="cp949")
    out = _files.transcode_to_utf8(src, "cp949", tmp_path / "u.csv", chunk_bytes=1001)  # chunks split characters
    assert out.read_text("utf-8") == src.read_bytes().decode("cp949")
    bad = tmp_path / "bad.csv"
    bad.write_bytes("고객번호\n1\n2\n".encode("cp949") + b"\xff\xfe\n")
    with pytest.raises(DataError, match=r"not valid cp949: byte 0xff at offset 13 \(line 4\)"):
        _files.transcode_to_utf8(bad, "cp949", tmp_path / "v.csv")
    assert not (tmp_path / "v.csv").exists()


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_sniff_delimiter_with_quoted_fields(tmp_path, sep):
    frame = pd.DataFrame({"a": ["x, y; z", "w"], "b": [1.5, 2.0], "c": ["p|q", "r\ts"]})
    path = tmp_path / "x.csv"
    frame.to_csv(path, index=False, sep=sep)
    assert _files.sniff_delimiter(path) == sep
    pd.testing.assert_frame_equal(_files.read_csv(path), frame)


def test_sniff_delimiter_error_and_one_column(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b;c\n1;2,3,4\n1\n")
    with pytest.raises(DataError, match="field separator.*delimiter="):
        _files.sniff_delimiter(path)
    path.write_text("a\n1\n2\n")
    assert _files.sniff_delimiter(path) == ","


def test_read_csv_decimal_comma_and_legacy_encoding(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("고객번호;금액\n1;1.234,50\n2;7,25\n".encode("cp949"))
    got = _files.read_csv(path, expect=["고객번호"], decimal=",", thousands=".")
    assert got["금액"].tolist() == [1234.5, 7.25]
    assert got.attrs == {"encoding": "cp949", "delimiter": ";"}


def test_read_excel_with_korean_and_chinese_headers(tmp_path):
    pytest.importorskip("openpyxl")
    path = tmp_path / "x.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as w:
        KOREAN.to_excel(w, sheet_name="한국", index=False)
        CHINESE.to_excel(w, sheet_name="中文", index=False)
    pd.testing.assert_frame_equal(_files.read_excel(path), KOREAN)
    pd.testing.assert_frame_equal(_files.read_excel(path, sheet="中文"), CHINESE)
    with pytest.raises(DataError, match=r"no sheet 'x'; its sheets are \['한국', '中文'\]"):
        _files.read_excel(path, sheet="x")
    (tmp_path / "no.xlsx").write_text("not a workbook")
    with pytest.raises(DataError, match="cannot be read as an Excel workbook"):
        _files.read_excel(tmp_path / "no.xlsx")


def test_excel_serials_match_excels_own_date_system():
    # Microsoft: serial 1 = 1900-01-01, 59 = 1900-02-28, 61 = 1900-03-01, 43831 = 2020-01-01; .5 = noon
    got = _files.excel_serial_to_datetime([1, 59, 61, 43831, 43831.5, np.nan])
    want = pd.to_datetime(
        ["1900-01-01", "1900-02-28", "1900-03-01", "2020-01-01", "2020-01-01T12:00", None], format="ISO8601"
    )
    assert got.tolist()[:5] == list(want[:5]) and pd.isna(got.iloc[5])
    with pytest.raises(DataError, match=r"column 'when' .* 1 rows, e.g. rows \[1\]"):
        _files.excel_serial_to_datetime([43831, -3], name="when")


def test_file_kind():
    assert _files.file_kind("a/log.CSV") == "csv"
    assert _files.file_kind("log.tsv.gz") == "csv"
    assert _files.file_kind("log.xlsx") == "excel"
    assert _files.file_kind("part-*.parquet") == "parquet"
    with pytest.raises(DataError, match=r"cannot tell the format of 'log.json'"):
        _files.file_kind("log.json")
