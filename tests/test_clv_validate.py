"""crmlib.clv.validate: holdout comparison, tracking, frequency-histogram test, model comparison.

Oracles: FHL (2005) Figure 4's group means computed directly; tracking totals
counted from the log; the chi-square p-value from scipy's distribution.
"""

import pandas as pd
import pytest
from scipy import stats

from crmlib.clv import (
    validate,
)
from crmlib.datasets import load_cdnow_summary
from crmlib.exceptions import DataError
from crmlib.transactions import summarize

FHL = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def test_holdout_comparison_against_direct_group_means(cdnow_fitted):
    bg = cdnow_fitted[0]
    d = pd.DataFrame(
        {
            "frequency": [0, 0, 1, 9],
            "recency": [0, 0, 5.0, 30.0],
            "T": [38.0] * 4,
            "frequency_holdout": [0, 2, 1, 4],
            "duration_holdout": [39.0] * 4,
        }
    )
    out = validate.holdout_comparison(bg, d, max_frequency=7)
    assert list(out.index) == ["0", "1", "7+"]
    assert out.loc["0", "actual"] == 1.0 and out.loc["0", "n_customers"] == 2
    assert out.loc["7+", "expected"] == pytest.approx(bg.conditional_expected_purchases(39.0, 9, 30.0, 38.0))


@pytest.mark.filterwarnings("ignore::crmlib.exceptions.DataWarning")  # CDNOW zero amounts, duplicates
def test_tracking_totals_match_the_log(cdnow_fitted, cdnow_log):
    """The spec of the summary gives the split and the unit; the log is read by the intake (FHL 2005 Figs. 2-3)."""
    bg = cdnow_fitted[0]
    summary = summarize(cdnow_log, calibration_end="1997-09-30", observation_end="1998-06-30", time_unit="week")
    track = validate.tracking(bg, summary, cdnow_log)
    assert len(track) == 78 and track.attrs["time_unit"] == "weeks"
    days = cdnow_log[["customer_id", "date"]].drop_duplicates()
    assert track["actual"].sum() == len(days) - days["customer_id"].nunique()  # repeat purchase days
    assert track["calibration"].sum() == 39
    assert track["period_end"].iloc[38] == pd.Timestamp("1997-09-30")  # 39 weeks from 1997-01-01
    # calibration-period expected total = sum of E[X(T_i)] over customers (FHL 2005 Fig. 2)
    exp_cal = bg.expected_purchases(load_cdnow_summary()["T"].to_numpy()).sum()
    assert track.loc[track["calibration"], "expected"].sum() == pytest.approx(exp_cal, rel=0.01)


@pytest.mark.filterwarnings("ignore::crmlib.exceptions.DataWarning")  # CDNOW zero amounts, duplicates
def test_inputchecks_tracking_needs_the_summary_spec(cdnow_fitted, cdnow_log):
    bg = cdnow_fitted[0]
    with pytest.raises(DataError, match="carries no SummarySpec"):
        validate.tracking(bg, load_cdnow_summary(), cdnow_log)
    no_split = summarize(cdnow_log, observation_end="1998-06-30", time_unit="week")
    with pytest.raises(
        DataError, match=r"tracking needs a summary with a calibration period: summarize\(log, calibration_end"
    ):
        validate.tracking(bg, no_split, cdnow_log)


def test_no_clv_module_parses_log_dates():
    """Issue 13: logs are read by crmlib.transactions (purchase_days/summarize) only; clv parses no dates itself."""
    import pathlib

    import crmlib.clv

    for path in pathlib.Path(crmlib.clv.__file__).parent.glob("*.py"):
        text = path.read_text()
        for word in ("to_datetime", "strptime", "read_csv", "read_parquet", "read_excel"):
            assert word not in text, (path.name, word)


def test_frequency_histogram_test_and_model_comparison(cdnow_fitted, cdnow_summary):
    bg, pn, _ = cdnow_fitted
    res = validate.frequency_histogram_test(bg, cdnow_summary)
    tab = res["table"]
    assert tab["observed"].sum() == 2357 and tab["expected"].sum() == pytest.approx(2357, rel=1e-9)
    # the p-value from scipy's chi-square distribution, the statistic recomputed from the pooled table
    o, e = tab["observed"].to_numpy(), tab["expected"].to_numpy()
    assert res["chi2"] == pytest.approx(((o - e) ** 2 / e).sum(), rel=1e-12)
    assert res["df"] == len(tab) - 1 - 4
    assert res["p_value"] == pytest.approx(stats.chi2.sf(((o - e) ** 2 / e).sum(), len(tab) - 5), rel=1e-12)
    assert (e[:-1] >= 5).all()  # pooled until every expected count is at least 5
    comp = validate.compare_models({"BG/NBD": bg, "Pareto/NBD": pn})
    assert comp.index[0] == "BG/NBD"  # higher LL with the same number of parameters (FHL 2005, Table 1)
    assert comp.loc["Pareto/NBD", "delta_bic"] == pytest.approx(2 * (bg.log_likelihood_ - pn.log_likelihood_))


def test_segment_holdout_comparison_against_direct_group_means(cdnow_fitted):
    bg = cdnow_fitted[0]
    d = pd.DataFrame(
        {
            "frequency": [0, 0, 1, 9, 3],
            "recency": [0, 0, 5.0, 30.0, 20.0],
            "T": [38.0] * 5,
            "frequency_holdout": [0, 2, 1, 4, 0],
            "duration_holdout": [39.0] * 5,
        },
        index=pd.Index([10, 11, 12, 13, 14], name="customer_id"),
    )
    seg = pd.Series(
        pd.Categorical(["lost", "lost", "new", "champions", "new"], categories=["champions", "new", "lost", "empty"]),
        index=d.index,
    ).iloc[::-1]  # any order: matched by customer
    out = validate.segment_holdout_comparison(bg, d, seg)
    assert list(out.index) == ["champions", "new", "lost"]  # category order, empty segment left out
    assert out["customers"].tolist() == [1, 2, 2] and out["customer_share"].sum() == pytest.approx(1.0)
    assert out.loc["new", "mean_holdout"] == 0.5 and out.loc["new", "buyer_share"] == 0.5
    assert out.loc["lost", "mean_calibration"] == 0.0
    assert out.loc["champions", "purchase_share"] == pytest.approx(4 / 7)
    expect = bg.conditional_expected_purchases(39.0, [1, 3], [5.0, 20.0], 38.0).mean()
    assert out.loc["new", "mean_expected"] == pytest.approx(expect, rel=1e-12)
    with pytest.raises(DataError, match="segments has no label for 1 customers of the summary, e.g. \\[14\\]"):
        validate.segment_holdout_comparison(bg, d, seg.drop(14))


def test_inputchecks_histogram_settings(cdnow_fitted, cdnow_summary):
    bg = cdnow_fitted[0]
    with pytest.raises(DataError, match="max_frequency must be >= 1, got 0"):
        validate.expected_frequency_histogram(bg, cdnow_summary, max_frequency=0)
    with pytest.raises(DataError, match="min_expected must be > 0, got -5"):
        validate.frequency_histogram_test(bg, cdnow_summary, min_expected=-5)
