"""The CLV report on the researcher's own log (issue 13, point 5): crmlib.clv.source and the study end to end."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from crmlib import datasets
from crmlib.clv.source import describe_summary, open_log, split_dates
from crmlib.exceptions import DataError, DataWarning
from crmlib.transactions import summarize

REPO = Path(__file__).resolve().parents[1]
KOREAN = {"customer_id": "고객번호", "date": "구매일", "amount": "금액"}


def _korean_log(subset: str) -> pd.DataFrame:
    log = datasets.load_cdnow(subset)[["customer_id", "date", "amount"]].rename(columns=KOREAN)
    log["구매일"] = log["구매일"].dt.strftime("%d/%m/%Y")  # day-first text dates, as a Korean/European export
    return log


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # CDNOW's zero-amount and duplicate rows are kept
        yield


def test_open_log_reads_a_bundled_name_and_a_csv_file_alike(tmp_path):
    bundled = open_log("cdnow_sample")
    assert (bundled.label, bundled.bundled, bundled.has_amount) == ("CDNOW sample", True, True)
    assert (bundled.first_day, bundled.last_day) == (pd.Timestamp("1997-01-01"), pd.Timestamp("1998-06-30"))
    path = tmp_path / "주문.csv"
    _korean_log("sample").to_csv(path, sep=";", index=False, encoding="cp949")
    mine = open_log(path, date_format="%d/%m/%Y", encoding=None, **KOREAN)
    assert (mine.label, mine.bundled, mine.has_amount) == ("주문.csv", False, True)
    cut = dict(calibration_end="1997-09-30", observation_end="1998-06-30")
    pd.testing.assert_frame_equal(
        summarize(mine.log, **cut), summarize(bundled.log, **cut), check_like=True, check_names=False
    )
    no_amount = open_log(path, customer_id="고객번호", date="구매일", amount=None, date_format="%d/%m/%Y")
    assert not no_amount.has_amount and "monetary" not in summarize(no_amount.log, **cut).columns


def test_open_log_names_a_missing_file_and_the_bundled_names(tmp_path):
    with pytest.raises(DataError, match=r"dataset: no file 'orders\.xlsx' .*cdnow_sample, cdnow_master"):
        open_log("orders.xlsx")


def test_split_dates_default_is_two_thirds_of_the_span():
    src = open_log("cdnow_sample")
    # 1997-01-01 .. 1998-06-30 is 545 days; two thirds is 363.33, rounded to 363 days: 1997-12-30
    assert split_dates(src) == (pd.Timestamp("1997-12-30"), pd.Timestamp("1998-06-30"), True)
    # observation end given: 1997-01-01 .. 1997-12-31 is 364 days, two thirds 242.67 -> 243 days: 1997-09-01
    assert split_dates(src, observation_end="1997-12-31")[0] == pd.Timestamp("1997-09-01")
    assert split_dates(src, "1997-09-30") == (pd.Timestamp("1997-09-30"), pd.Timestamp("1998-06-30"), False)
    assert split_dates(src, False) == (None, pd.Timestamp("1998-06-30"), False)
    with pytest.raises(DataError, match=r"calibration_end 1998-06-30 must lie .* before observation_end 1998-06-30"):
        split_dates(src, "1998-06-30")
    with pytest.raises(DataError, match=r"observation_end 1996-12-31 is before the first purchase day 1997-01-01"):
        split_dates(src, observation_end="1996-12-31")
    with pytest.raises(DataError, match=r"share must be in \(0, 1\)"):
        split_dates(src, share=1.0)


def test_describe_summary_counts_against_the_log():
    log = datasets.load_cdnow("sample")
    summary = summarize(log, calibration_end="1997-09-30", observation_end="1998-06-30")
    desc = describe_summary(summary)["value"]
    days = log.drop_duplicates(["customer_id", "date"])  # repeat transactions are purchase days after the first
    cal = days[days["date"] <= "1997-09-30"]
    repeat_cal = cal.groupby("customer_id").size() - 1
    assert desc["customers"] == log["customer_id"].nunique() == 2357
    assert desc["repeat transactions, calibration"] == repeat_cal.sum()
    assert desc["repeat buyers in calibration"] == (repeat_cal > 0).sum()
    assert desc["repeat transactions, holdout"] == (days["date"] > "1997-09-30").sum()
    assert desc["holdout length (weeks)"] == pytest.approx(273 / 7)  # 1997-09-30 .. 1998-06-30
    assert desc["log rows with zero amount (kept)"] == (log["amount"] == 0).sum()
    assert desc["exact duplicate log rows (kept)"] == log.duplicated(["customer_id", "date", "amount"]).sum()
    whole = describe_summary(summarize(log, observation_end="1998-06-30"))
    assert "repeat transactions, holdout" not in whole.index and "holdout length (weeks)" not in whole.index
    no_amount = describe_summary(summarize(log, amount=None, observation_end="1998-06-30"))["value"]
    assert "log rows with zero amount (kept)" not in no_amount.index
    assert no_amount["exact duplicate log rows (kept)"] == log.duplicated(["customer_id", "date"]).sum()


def _crmlib(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    code = "import sys; from crmlib.report.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, env=env)


def _page_text(path: Path) -> str:
    page = re.sub(r"<style.*?</style>|<script.*?</script>", "", path.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.slow
def test_clv_report_on_a_korean_xlsx_in_a_new_study_gives_the_bundled_estimates(tmp_path):
    # issue 13 "Done when": the CDNOW master log as .xlsx with Korean headers and day-first text dates, in a study
    # made by `crmlib new`, rendered by `crmlib report` with -f, gives the bundled report's BG/NBD estimates and
    # key figures on cdnow_master with the same dates (one model and few bootstrap draws keep it short)
    assert _crmlib(["new", "study"], tmp_path).returncode == 0
    study = tmp_path / "study"
    _korean_log("master").to_excel(study / "data" / "주문내역.xlsx", index=False)
    common = "calibration_end: '1997-09-30'\nobservation_end: '1998-06-30'\nmodels: [bgnbd]\nn_boot: 10\n"
    mine = "dataset: data/주문내역.xlsx\ncustomer_id: 고객번호\ndate: 구매일\namount: 금액\nread_options: {date_format: '%d/%m/%Y'}\n"
    (study / "mine.yml").write_text(mine + common, encoding="utf-8")
    (study / "bundled.yml").write_text("dataset: cdnow_master\n" + common, encoding="utf-8")
    figures, pages = {}, {}
    for name in ("bundled", "mine"):
        run = _crmlib(["report", "clv", "-f", f"{name}.yml"], study)
        assert run.returncode == 0, run.stdout + run.stderr
        record = json.loads((study / "reports" / "clv.json").read_text(encoding="utf-8"))
        figures[name], pages[name] = record["figures"], _page_text(study / "reports" / "clv.html")
    assert figures["mine"] == figures["bundled"]
    assert figures["mine"]["n_customers"]["value"] == 23570 and "customer_equity" in figures["mine"]
    estimates = {n: re.search(r"BG/NBD r .{0,400}", p).group(0) for n, p in pages.items()}
    assert estimates["mine"] == estimates["bundled"], estimates  # the table of estimates, as printed
    assert "CDNOW" not in pages["mine"].split("Data: 주문내역.xlsx")[1] and "주문내역.xlsx cohort" in pages["mine"]
    assert "Traceback" not in pages["mine"]

    # the same layout with only days 1-12 (no number above 12 anywhere) and no date_format: the ambiguity error,
    # naming the column and showing rows, in the failed report's record and on the index page
    amb = _korean_log("master").loc[lambda d: d["구매일"].str[:2].astype(int) <= 12].head(2000)
    amb.to_excel(study / "data" / "모호한.xlsx", index=False)
    (study / "ambiguous.yml").write_text(
        mine.replace("주문내역", "모호한").replace("read_options: {date_format: '%d/%m/%Y'}\n", ""), encoding="utf-8"
    )
    run = _crmlib(["report", "clv", "-f", "ambiguous.yml"], study)
    assert run.returncode != 0
    index = _page_text(study / "reports" / "index.html")
    wanted = r"failed .* DataError: column '구매일' holds dates whose day and month could be either way round .*"
    assert re.search(wanted + r"'12/01/1997' is 1997-01-12 day first or 1997-12-01 month first", index), index[:3000]
    assert "Pass date_format='%d/%m/%Y' (day first) or date_format='%m/%d/%Y' (month first)" in index
    # the failed run keeps the last good report and its figures
    assert json.loads((study / "reports" / "clv.json").read_text(encoding="utf-8"))["figures"] == figures["mine"]


@pytest.mark.slow
def test_clv_report_without_amounts_or_holdout_skips_those_sections(tmp_path):
    # a CSV log with no amount column and calibration_end False: the spend/CLV and validation sections say why they
    # are skipped; the report renders and records the model fit
    log = datasets.load_cdnow("sample")[["customer_id", "date"]].rename(columns={"customer_id": "客户", "date": "日期"})
    log.to_csv(tmp_path / "orders.csv", index=False, encoding="gb18030")
    assert _crmlib(["new", "study"], tmp_path).returncode == 0
    study = tmp_path / "study"
    params = ["-p", "dataset", str(tmp_path / "orders.csv"), "-p", "customer_id", "客户", "-p", "date", "日期"]
    params += ["-p", "amount", "null", "-p", "calibration_end", "false", "-p", "models", "[bgnbd]", "-p", "n_boot", "5"]
    run = _crmlib(["report", "clv", *params], study)
    assert run.returncode == 0, run.stdout + run.stderr
    figures = json.loads((study / "reports" / "clv.json").read_text(encoding="utf-8"))["figures"]
    assert figures["n_customers"]["value"] == 2357 and "customer_equity" not in figures
    assert "holdout_actual" not in figures and figures["calibration_end"]["value"] == "none: no holdout"
    page = _page_text(study / "reports" / "clv.html")
    assert "The log has no amount column ( amount=None ): no spend or CLV in money; this section is skipped." in page
    assert "The log has no holdout period ( calibration_end=False ): the models are not validated on one" in page
    assert "Without a holdout period there is no holdout behaviour" in page and "zero amount" not in page
    assert "Traceback" not in page and "CDNOW" not in page.split("Data: orders.csv")[1]
