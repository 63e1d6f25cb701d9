"""read_log / summarize / purchase_days on every source: the oracle is the summary of the bundled frame.

Each format is written from the CDNOW sample log (Fader, Hardie & Lee 2005) and must give exactly the
summary of the frame itself; bad dates and encodings must be errors naming the column or encoding.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from crmlib.datasets import load_cdnow
from crmlib.exceptions import DataError, DataWarning
from crmlib.transactions import purchase_days, read_log, summarize

CAL, OBS = "1997-09-30", "1998-06-30"
KO = {"customer_id": "고객번호", "date": "구매일", "amount": "금액"}
ZH = {"customer_id": "客户编号", "date": "购买日期", "amount": "金额"}


def _quiet(source, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return summarize(source, calibration_end=CAL, observation_end=OBS, **kw)


@pytest.fixture(scope="module")
def log():
    return load_cdnow("sample")[["customer_id", "date", "amount"]]


@pytest.fixture(scope="module")
def expected(log):
    return _quiet(log)


def _same(got, expected):
    pd.testing.assert_frame_equal(got.rename_axis("customer_id"), expected, check_exact=True)


@pytest.mark.parametrize(
    ("encoding", "names", "sep", "tell"),
    [
        ("utf-8", KO, ",", False),
        ("utf-8-sig", ZH, ";", False),
        ("cp949", KO, ",", True),
        ("cp949", KO, ";", False),  # detected: only CP949 makes the Korean headers appear
        ("gb18030", ZH, "\t", True),
        ("gb18030", ZH, ";", False),
    ],
)
def test_csv_in_every_encoding_and_delimiter_gives_the_frames_summary(
    log, expected, tmp_path, encoding, names, sep, tell
):
    path = tmp_path / "log.csv"
    log.rename(columns=names).to_csv(path, index=False, sep=sep, encoding=encoding)
    got = _quiet(path, **names, encoding=encoding if tell else None)
    _same(got, expected)
    assert got.attrs["crmlib"].source == str(path)


def test_xlsx_with_korean_and_chinese_headers_and_excel_serial_dates(log, expected, tmp_path):
    pytest.importorskip("openpyxl")
    path = tmp_path / "log.xlsx"
    serial = (log["date"] - pd.Timestamp("1899-12-30")).dt.days  # Excel's 1900 date system
    with pd.ExcelWriter(path, engine="openpyxl") as w:
        log.rename(columns=ZH).to_excel(w, sheet_name="交易", index=False)  # date cells
        log.assign(date=serial).rename(columns=KO).to_excel(w, sheet_name="거래", index=False)  # serial numbers
    _same(_quiet(path, **ZH), expected)
    _same(_quiet(path, **KO, sheet="거래"), expected)
    _same(_quiet(path, **KO, sheet=1), expected)
    with pytest.raises(DataError, match=r"has no sheet '없음'; its sheets are \['交易', '거래'\]"):
        _quiet(path, **KO, sheet="없음")


def test_parquet_file_folder_and_glob(log, expected, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    half = len(log) // 2
    log.iloc[:half].to_parquet(folder / "a.parquet")
    log.iloc[half:].to_parquet(folder / "b.parquet")
    log.to_parquet(tmp_path / "log.parquet")
    for source in (tmp_path / "log.parquet", folder, str(folder / "*.parquet")):
        _same(_quiet(source), expected)
    with pytest.raises(DataError, match=r"no file matches the pattern '.*nothing-\*\.parquet'"):
        _quiet(str(tmp_path / "nothing-*.parquet"))
    (folder / "c.parquet").write_bytes(b"PAR1 this is not a parquet file PAR1")
    with pytest.raises(DataError, match=r"Parquet file '.*c\.parquet' cannot be read"):
        _quiet(str(folder / "*.parquet"))


def test_duckdb_table_and_sql_query(log, expected):
    import duckdb

    con = duckdb.connect()
    con.register("frame", log)
    con.execute("CREATE TABLE tx AS SELECT * FROM frame")
    _same(_quiet("tx", engine=con), expected)
    _same(_quiet("SELECT customer_id, date, amount FROM tx WHERE amount >= 0", engine=con), expected)
    with pytest.raises(DataError, match="pass engine= its connection"):
        _quiet("tx")


@pytest.mark.parametrize("as_file", [False, True])
def test_day_first_text_dates_read_with_and_without_a_format(log, expected, tmp_path, as_file):
    text = log.assign(date=log["date"].dt.strftime("%d/%m/%Y"))  # day numbers above 12 decide the order
    source = text
    if as_file:
        source = tmp_path / "log.csv"
        text.to_csv(source, index=False)
    _same(_quiet(source), expected)
    _same(_quiet(source, date_format="%d/%m/%Y"), expected)
    with pytest.raises(
        DataError, match=r"rows have a date that does not match date_format '%m/%d/%Y' \(column 'date'\)"
    ):
        _quiet(source, date_format="%m/%d/%Y")


def test_date_format_is_honoured_for_a_csv_file(tmp_path):
    """Issue 13: '01/02/2020' and '01/03/2020' are one day apart month-first, four weeks day-first."""
    path = tmp_path / "log.csv"
    pd.DataFrame({"customer_id": [1, 1], "date": ["01/02/2020", "01/03/2020"], "amount": [1.0, 2.0]}).to_csv(
        path, index=False
    )
    us = summarize(path, date_format="%m/%d/%Y", time_unit="day")
    eu = summarize(path, date_format="%d/%m/%Y", time_unit="day")
    assert us.loc[1, "recency"] == 1.0 and eu.loc[1, "recency"] == 29.0


@pytest.mark.parametrize("as_file", [False, True])
def test_ambiguous_day_month_dates_are_an_error_with_both_readings(tmp_path, as_file):
    source = pd.DataFrame({"customer_id": [1, 2, 2], "date": ["01/02/2020", "03/04/2020", "05/06/2020"], "amount": 1.0})
    if as_file:
        source.to_csv(tmp_path / "log.csv", index=False)
        source = tmp_path / "log.csv"
    with pytest.raises(
        DataError,
        match=r"column 'date' holds dates whose day and month could be either way round.*"
        r"'01/02/2020' is 2020-02-01 day first or 2020-01-02 month first.*date_format='%d/%m/%Y'",
    ):
        summarize(source)


def test_wrong_format_and_bad_dates_name_the_column_and_show_rows():
    frame = pd.DataFrame({"customer_id": [1, 2, 3], "date": ["2020-01-31", "2020-02-30", "31.01.2020"], "amount": 1.0})
    with pytest.raises(
        DataError,
        match=r"2 rows have a date that cannot be parsed \(column 'date'\).*rows \(index labels\) \[1, 2\] "
        r"with 'date' \['2020-02-30', '31.01.2020'\]",
    ):
        summarize(frame)


def test_undecodable_file_names_the_encoding(log, tmp_path):
    path = tmp_path / "log.csv"
    log.rename(columns=KO).to_csv(path, index=False, encoding="cp949")
    with pytest.raises(DataError, match=r"not valid utf-8.*pass encoding=|is not valid UTF-8"):
        summarize(path, **KO, encoding="utf-8")
    with pytest.raises(DataError, match=r"ambiguous: it decodes as each of \['cp949', 'gb18030'"):
        summarize(path)  # the default column names do not tell CP949 from GB18030


def test_decimal_comma_and_thousands_separator(log, expected, tmp_path):
    path = tmp_path / "log.csv"
    euro = log.assign(amount=log["amount"].map(lambda a: f"{a:,.2f}".replace(",", " ").replace(".", ",")))
    euro.to_csv(path, index=False, sep=";")
    _same(_quiet(path, decimal=",", thousands=" "), expected)
    _same(_quiet(euro, decimal=",", thousands=" "), expected)
    with pytest.raises(DataError, match=r"amount that is not a number \(column 'amount'\).*declare decimal=','"):
        _quiet(euro.assign(amount="1.234,5"))


def test_read_log_is_reusable_and_closes(log, expected):
    with read_log(log) as tx:
        _same(_quiet(tx), expected)
        _same(_quiet(tx), expected)
        assert tx.cleanup
    assert not tx.cleanup


# ----------------------------------------------------------------------------- purchase_days


def test_purchase_days_against_pandas(log):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        days = purchase_days(log, amount="amount", observation_end=OBS)
    want = log.assign(date=log["date"].dt.normalize()).groupby(["customer_id", "date"], as_index=False)["amount"].sum()
    assert list(days.columns) == ["customer_id", "date", "amount"]
    np.testing.assert_array_equal(days["customer_id"], want["customer_id"])
    np.testing.assert_array_equal(days["date"], want["date"])
    np.testing.assert_allclose(days["amount"], want["amount"], rtol=1e-12)
    assert days["date"].dtype == "datetime64[ns]"
    assert days.attrs["crmlib_log"]["n_rows"] == len(log)
    assert days.attrs["crmlib_log"]["checks"]["duplicate"] == 21


def test_purchase_days_runs_the_same_checks_as_summarize(tmp_path):
    frame = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 2],
            "date": ["2020-01-01", "2020-01-01", "2020-01-05", "2020-01-09"],
            "amount": [2.0, -1, 3, 4],
        }
    )
    with pytest.raises(
        DataError, match=r"1 rows have a negative amount \(returns; column 'amount'\): rows \(index labels\) \[1\]"
    ):
        purchase_days(frame, amount="amount")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        days = purchase_days(frame, amount="amount", on_negative="exclude", observation_end="2020-01-06")
    said = [str(w.message) for w in caught]
    assert any(m.startswith("1 rows have a negative amount") and m.endswith("excluded from the summary") for m in said)
    assert any(m.startswith("1 rows are dated after the observation end 2020-01-06") for m in said)
    assert all(w.filename == __file__ for w in caught)  # the warnings point at the caller
    assert days["amount"].tolist() == [2.0, 3.0] and days.attrs["crmlib_log"]["n_rows_used"] == 2
    no_amount = purchase_days(frame.drop(columns="amount").iloc[[0, 2, 3]])
    assert list(no_amount.columns) == ["customer_id", "date"] and len(no_amount) == 3


def test_consistency_a_bundled_log_by_name_is_the_bundled_frame():
    """read_log("cdnow_sample") reads the bundled log: the same summary as from load_cdnow("sample")."""
    import warnings

    from crmlib.datasets import load_cdnow
    from crmlib.transactions import summarize

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        by_name = summarize("cdnow_sample", observation_end="1997-09-30")
        by_frame = summarize(load_cdnow("sample"), observation_end="1997-09-30")
    pd.testing.assert_frame_equal(by_name, by_frame)


@pytest.mark.parametrize(
    "name, words",
    [
        ("cdnow_sampel", r"no file 'cdnow_sampel' \(did you mean 'cdnow_sample'"),
        ("cdnow_mastr", r"no file 'cdnow_mastr' \(did you mean 'cdnow_master'.*a bundled log\?\)"),
    ],
)
def test_inputchecks_a_misspelt_bundled_log_name_gets_the_close_match(name, words):
    from crmlib.clv.source import open_log
    from crmlib.transactions import read_log

    with pytest.raises(DataError, match=words):
        read_log(name)
    with pytest.raises(DataError, match=r"give a bundled name \(cdnow_sample, cdnow_master\).*\(did you mean"):
        open_log(name)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"encoding": "cp949"}, r"encoding='cp949' cannot be honoured for a glob, a URL or a compressed file"),
        ({"delimiter": ";"}, r"delimiter=';' cannot be honoured for a glob.*splits on ','"),
    ],
)
def test_inputchecks_reading_options_the_engine_reader_would_ignore_are_refused(tmp_path, kwargs, words):
    """A glob is read by the engine's own CSV reader (UTF-8, ','): an option it would silently ignore is an error."""
    (tmp_path / "a.csv").write_text("customer_id;date;amount\n1;2020-01-01;1.5\n", encoding="utf-8")
    with pytest.raises(DataError, match=words):
        read_log(str(tmp_path / "*.csv"), **kwargs)
