"""crmlib.clv.plots: every figure labels both axes, with the data's time unit in the words of crmlib.spec.

Oracles: the unit words of the summary's SummarySpec; the histogram's bar
heights against counts of the customers drawn.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlib.clv import (  # noqa: E402
    BetaGeoModel,
    GammaGammaModel,
    ShiftedBetaGeometricModel,
    customer_lifetime_value,
    plots,
    validate,
)
from crmlib.exceptions import DataError  # noqa: E402
from crmlib.spec import SummarySpec  # noqa: E402

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
WEEKS = SummarySpec(
    observation_end=pd.Timestamp("1998-06-30"),
    calibration_end=pd.Timestamp("1997-09-30"),
    period="day",
    time_unit="week",
    days_per_unit=7.0,
)


@pytest.fixture(scope="module")
def weekly(cdnow_summary):
    """The CDNOW summary carrying its weekly SummarySpec, and BG/NBD fitted on it."""
    s = cdnow_summary.copy()
    s.attrs["crmlib"] = WEEKS
    return s, BetaGeoModel().fit(s)


def test_plots_take_the_unit_words_from_the_spec(weekly, cdnow_bgnbd):
    summary, bg = weekly
    for kind in ("alive", "expected"):
        ax = plots.plot_frequency_recency_matrix(bg, 39.0, kind=kind, max_frequency=20)
        assert ax.get_xlabel() == "recency: time of last repeat transaction (weeks)" and ax.get_ylabel()
        plt.close(ax.figure)
    ax = plots.plot_frequency_recency_matrix(cdnow_bgnbd, 39.0, max_frequency=5, time_unit="day")
    assert ax.get_xlabel().endswith("(days)")  # a model without a spec: the unit given
    plt.close(ax.figure)
    with pytest.raises(DataError, match=r"time_unit must be one of .* got 'weeks'"):
        plots.plot_frequency_recency_matrix(cdnow_bgnbd, 39.0, time_unit="weeks")
    with pytest.raises(DataError, match=r"kind must be one of \['alive', 'expected'\], got 'alve'"):
        plots.plot_frequency_recency_matrix(cdnow_bgnbd, 39.0, kind="alve")


def test_calibration_holdout_plot_reads_the_holdout_from_the_table(weekly):
    summary, bg = weekly
    d = summary.assign(frequency_holdout=0, duration_holdout=39.0)
    comp = validate.holdout_comparison(bg, d)
    assert comp.attrs["time_unit"] == "weeks"
    assert comp.attrs["holdout_length"] == pytest.approx(WEEKS.holdout_length)  # 273 days = 39 weeks
    ax = plots.plot_calibration_holdout(comp)
    assert ax.get_ylabel() == "mean transactions in the holdout (39 weeks)"
    plt.close(ax.figure)
    table = pd.DataFrame({"observed": [1, 2], "expected": [1.5, 2.5]}, index=["0", "1+"])
    ax = plots.plot_frequency_histogram(table)
    assert ax.get_xlabel() and ax.get_ylabel() == "customers (count)"
    plt.close(ax.figure)


def test_retention_and_spend_plots_label_their_axes(cdnow_summary):
    s = ShiftedBetaGeometricModel().fit(REGULAR[:5])
    for kind in ("survival", "retention"):
        ax = plots.plot_retention(s, 12, kind=kind)
        assert ax.get_xlabel() == "periods since acquisition" and ax.get_ylabel()
        assert len(ax.lines[1].get_xdata()) >= 12
        plt.close(ax.figure)
    ax = plots.plot_retention(s, kind="survival", time_unit="year")
    assert ax.get_xlabel() == "years since acquisition"
    plt.close(ax.figure)
    ax = plots.plot_spend_distribution(GammaGammaModel().fit(cdnow_summary), cdnow_summary)
    assert "US dollars" in ax.get_xlabel() and "density" in ax.get_ylabel()
    plt.close(ax.figure)


def test_clv_distribution_counts_the_customers_drawn(cdnow_fitted, cdnow_summary):
    bg, _, gg = cdnow_fitted
    value = customer_lifetime_value(bg, gg, cdnow_summary, margin_share=0.3, discount_rate=0.1, periods_per_year=52)
    ax = plots.plot_clv_distribution(value, cdnow_summary, floor=0.1)
    one_time, repeat = ax.containers  # stacked: one-time buyers first
    shown = value["clv"] >= 0.1
    buyers = cdnow_summary["frequency"] > 0
    assert sum(b.get_height() for b in one_time) == (shown & ~buyers).sum()
    assert sum(b.get_height() for b in repeat) == pytest.approx((shown & buyers).sum())
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "residual CLV (US dollars, log scale)"
    plt.close(ax.figure)
    with pytest.raises(DataError, match="no customer has a CLV of at least floor = 1e"):
        plots.plot_clv_distribution(value, cdnow_summary, floor=1e9)
    assert np.isfinite(value["clv"]).all()
