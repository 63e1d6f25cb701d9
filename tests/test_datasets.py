"""Loaders of the bundled data: documented columns, dtypes, counts, ranges and totals.

Oracles: the published descriptions of each data set (CDNOW: Fader, Hardie & Lee 2005,
23,570 customers, 2,357 in the 1/10 sample, 1997-01-01..1998-06-30; donations: Fader,
Hardie & Shang 2010, 11,104 donors; mobi: Tenenhaus et al. 2005, 250 x 24; corp_rep:
Hair et al., 344 respondents) and totals computed once from the raw files with awk.
"""

import numpy as np
import pandas as pd
import pytest

from crmlib import datasets
from crmlib.exceptions import DataError


def test_cdnow_sample_counts_types_and_totals():
    df = datasets.load_cdnow("sample")
    assert list(df.columns) == ["customer_id", "date", "quantity", "amount", "master_id"]
    assert df.dtypes.to_dict() == {
        "customer_id": np.dtype("int64"),
        "date": np.dtype("datetime64[ns]"),
        "quantity": np.dtype("int64"),
        "amount": np.dtype("float64"),
        "master_id": np.dtype("int64"),
    }
    assert len(df) == 6919
    assert df["customer_id"].nunique() == 2357
    assert df["customer_id"].min() == 1 and df["customer_id"].max() == 2357
    assert df["date"].min() == pd.Timestamp("1997-01-01")
    assert df["date"].max() == pd.Timestamp("1998-06-30")
    assert df["amount"].sum() == pytest.approx(244091.94, abs=1e-6)
    # every sample customer keeps one master id
    assert df.groupby("customer_id")["master_id"].nunique().eq(1).all()


def test_cdnow_master_counts_and_totals():
    df = datasets.load_cdnow("master")
    assert list(df.columns) == ["customer_id", "date", "quantity", "amount"]
    assert len(df) == 69659
    assert df["customer_id"].nunique() == 23570
    assert df["amount"].sum() == pytest.approx(2500315.63, abs=1e-4)
    assert (df["amount"] == 0).sum() == 80
    # the cohort: every customer's first purchase is in the first quarter of 1997
    first = df.groupby("customer_id")["date"].min()
    assert first.max() <= pd.Timestamp("1997-03-31")


def test_sample_is_a_subset_of_master():
    s = datasets.load_cdnow("sample")
    m = datasets.load_cdnow("master")
    merged = s.merge(
        m,
        left_on=["master_id", "date", "quantity", "amount"],
        right_on=["customer_id", "date", "quantity", "amount"],
        how="left",
        indicator=True,
    )
    assert (merged["_merge"] == "both").all()


def test_cdnow_summary_matches_published_shape():
    summ = datasets.load_cdnow_summary()
    assert summ.shape == (2357, 4)
    assert summ.index.name == "customer_id"
    assert summ["frequency"].sum() == 2457  # repeat transactions in the calibration period
    assert (summ["recency"] <= summ["T"]).all()
    assert summ["T"].max() == pytest.approx(38.86)
    assert summ.loc[1].tolist() == pytest.approx([2, 30.43, 38.86, 22.35])
    assert (summ.loc[summ["frequency"] == 0, "monetary"] == 0).all()


def test_donations_counts():
    don = datasets.load_donations()
    assert list(don.columns) == ["frequency", "recency", "n_periods", "weight"]
    assert len(don) == 22
    assert don["weight"].sum() == 11104
    assert (don["n_periods"] == 6).all()
    assert don.loc[(don["frequency"] == 0), "weight"].item() == 3464


def test_mobi_survey_and_codebook():
    s = datasets.load_mobi()
    assert s.data.shape == (250, 24)
    assert (s.data.dtypes == "Int64").all()
    assert s.data.isna().sum().sum() == 0
    assert s.data.min().min() == 1 and s.data.max().max() == 10
    assert s.constructs()["PERQ"] == [f"PERQ{i}" for i in range(1, 8)]
    assert set(s.constructs()) == {"IMAG", "CUEX", "PERQ", "PERV", "CUSA", "CUSCO", "CUSL"}
    assert s.data["CUSA1"].sum() == int(pd.read_csv(datasets.data_dir() / "mobi.csv")["CUSA1"].sum())


def test_corp_rep_missing_codes_become_na():
    s = datasets.load_corp_rep()
    assert s.data.shape == (344, 41)
    raw = pd.read_csv(datasets.data_dir() / "corp_rep_data.csv")
    assert int((raw == -99).sum().sum()) == 11
    assert s.data.isna().sum().sum() == 11
    assert s.data["cusl_2"].isna().sum() == 4
    assert (s.data.min() >= 1).all()
    assert s.data["serviceprovider"].value_counts().sort_index().index.tolist() == [1, 2, 3, 4]


def test_thesis_tables_as_printed():
    t = datasets.load_thesis_tables()
    v = t.set_index(["table", "item", "condition", "unit"])["value"]
    assert v[("survey", "sent", "", "count")] == 220
    assert v[("survey", "valid", "", "count")] == 170
    assert v[("figure1", "know_crm", "", "count")] == 22
    assert v[("table4", "cost_total", "", "yuan")] == 6741373
    assert v[("table4", "cost_benefit_ratio", "", "ratio")] == 1.18
    assert v[("table5", "customer_value", "year3_with", "usd")] == 494209
    assert t.loc[t["table"] == "table1", "value"].tolist() == [33.16, 54.92, 40.93, 45.60]
    tiers = datasets.load_thesis_tiers()
    assert tiers["tier"].tolist() == ["diamond", "gold", "third"]


def test_describe_lists_every_data_set():
    d = datasets.describe("sample")
    assert d["dataset"].tolist()[0] == "CDNOW sample"
    assert d.set_index("dataset").loc["donations", "n_units"] == 11104
    assert d.set_index("dataset").loc["corp_rep", "total"] == 11


# --- bad input ------------------------------------------------------------------------------------


def test_bad_subset_names_the_parameter():
    with pytest.raises(DataError, match="subset must be 'sample' or 'master'"):
        datasets.load_cdnow("full")


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        datasets.load_cdnow("master", path=tmp_path / "nope.txt")


@pytest.mark.parametrize(
    "text, message",
    [
        (" 00001 19970101  1   11.77\n 00002 19970112  1\n", r"log.txt, line 2: expected 4 fields"),
        (
            " 00001 19970101  1   11.77\n 00002 19971332  1  3.00\n 00003 1997xx01  1  3.00\n",
            r"'date' is not a YYYYMMDD date in 2 rows \(data rows \[2, 3\]\)",
        ),
        (
            " 00001 19970101  1   11.77\n 00002 19970112  1  abc\n",
            r"'amount' is not a number in 1 rows \(data rows \[2\]\)",
        ),
    ],
    ids=["missing field", "unparsable dates counted", "non-numeric amount"],
)
def test_malformed_cdnow_file_names_the_line_or_rows(tmp_path, text, message):
    p = tmp_path / "log.txt"
    p.write_text(text)
    with pytest.raises(DataError, match=message):
        datasets.load_cdnow("master", path=p)


def test_bad_codebook_is_rejected(tmp_path):
    p = tmp_path / "cb.csv"
    p.write_text(
        "item,construct,construct_label,scale_min,scale_max,reverse,missing_codes,wording\na,A,A,1,x,false,,w\n"
    )
    with pytest.raises(DataError, match=r"'scale_max' is not a number for items \['a'\]"):
        datasets.load_codebook(p)


def test_malformed_summary_columns(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("ID,x,t_x,T\n1,0,0,38.86\n")
    with pytest.raises(DataError, match="expected columns"):
        datasets.load_cdnow_summary(p)


# --- the overview report's tables and figures (crmlib.datasets.overview) --------------------------------------------


def test_describe_keeps_dates_and_answer_scales_apart():
    d = datasets.describe("master").set_index("dataset")
    assert d.loc["mobi", "answer_scale"] == "1-10" and d.loc["corp_rep", "answer_scale"] == "1-7"
    assert d.loc["mobi", "first"] == "" and d.loc["mobi", "last"] == ""  # no "scale 1" / "to 10" in a date column
    assert (d.loc["CDNOW master", "first"], d.loc["CDNOW master", "last"]) == ("1997-01-01", "1998-06-30")
    assert d.loc["CDNOW master", "answer_scale"] == ""
    assert d.loc["CDNOW master", "rows"] == 69_659 and d.loc["CDNOW master", "n_units"] == 23_570
    assert list(d.columns[-2:]) == ["total", "total_label"]


def test_purchase_profile_and_facts_on_a_hand_made_log():
    from crmlib.datasets import overview

    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 3, 3],
            "date": pd.to_datetime(
                ["1997-01-01", "1997-01-01", "1997-02-01", "1997-01-03", "1997-01-05", "1997-03-01"]
            ),
            "amount": [10.0, 5.0, 0.0, 20.0, 7.5, 2.5],
        }
    )
    per = overview.purchase_profile(log)
    assert per.to_dict("index") == {
        1: {"orders": 3, "days": 2, "spend": 15.0},
        2: {"orders": 1, "days": 1, "spend": 20.0},
        3: {"orders": 2, "days": 2, "spend": 10.0},
    }
    text = overview.log_facts(log, "toy")
    assert "**6** transactions of **3** customers" in text and "$45.00" in text
    assert "33.3% of the customers bought on one day only" in text and "1 transactions have a zero amount" in text
    table = overview.profile_table(per)
    assert table.loc["Orders", "mean"] == pytest.approx(2.0) and table.loc["Spend (USD)", "max"] == 20.0
    with pytest.raises(DataError, match="amount"):
        overview.purchase_profile(log.drop(columns="amount"))


def test_weekly_sales_leave_out_partial_weeks():
    from crmlib.datasets import overview

    # Wednesday 1 January to Tuesday 21 January 1997: complete Monday-Sunday weeks are 6-12 and 13-19 January
    days = pd.date_range("1997-01-01", "1997-01-21", freq="D")
    weekly = overview.weekly_sales(pd.DataFrame({"date": days, "amount": 1.0}))
    assert list(weekly.index) == [pd.Timestamp("1997-01-12"), pd.Timestamp("1997-01-19")]
    assert weekly.tolist() == [7.0, 7.0]
    master = overview.weekly_sales(datasets.load_cdnow("master"))
    assert master.index[0] == pd.Timestamp("1997-01-12") and master.index[-1] == pd.Timestamp("1998-06-28")


def test_item_table_and_donations_give_the_published_counts():
    from crmlib.datasets import overview

    mobi = datasets.load_mobi()
    items = overview.item_table(mobi)
    assert len(items) == 24 and set(items["scale"]) == {"1-10"} and (items["answered"] == 250).all()
    assert items.loc["IMAG1", "mean"] == pytest.approx(1910 / 250)  # sum of the IMAG1 answers / 250
    assert mobi.data["IMAG1"].sum() == 1910
    don = datasets.load_donations()
    # Fader, Hardie & Shang (2010): 11,104 first-time supporters, 6 yearly opportunities; 3,464 never gave again
    assert (
        "**11,104** donors, each observed over 6 yearly opportunities; 31.2% never gave again."
        == overview.donation_facts(don)
    )


def test_printed_by_place_counts_the_transcription():
    from crmlib.datasets import overview

    places = overview.printed_by_place(datasets.load_thesis_tables(), words=True)
    assert places["numbers"].sum() == 45
    assert places.loc["thesis Table 4", "numbers"] == 13 and places.loc["thesis Table 5", "units"] == "USD"
    assert list(places.index[:2]) == ["survey account (section 3.2.2)", "thesis Figure 1"]  # the printed order
