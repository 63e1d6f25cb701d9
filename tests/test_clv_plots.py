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


def test_holdout_plots_draw_every_model_and_the_decile_bars(weekly, cdnow_pareto_nbd, cdnow_gamma_gamma):
    summary, bg = weekly
    rng = np.random.default_rng(1)
    d = summary.assign(frequency_holdout=rng.poisson(1.0, len(summary)), monetary_holdout=30.0, duration_holdout=39.0)
    table = validate.holdout_by_frequency({"BG/NBD": bg, "Pareto/NBD": cdnow_pareto_nbd}, d)
    ax = plots.plot_calibration_holdout(table)
    lines = {ln.get_label(): ln.get_ydata() for ln in ax.get_lines()}
    assert list(lines) == ["actual", "BG/NBD", "Pareto/NBD"]  # one line per model, the actual first
    assert np.allclose(lines["Pareto/NBD"], table["Pareto/NBD"]) and np.allclose(lines["actual"], table["actual"])
    plt.close(ax.figure)
    rev = validate.holdout_revenue(bg, cdnow_gamma_gamma, d)
    ax = plots.plot_holdout_revenue(rev, currency="USD")
    heights = [p.get_height() for p in ax.patches]
    assert np.allclose(heights, [*rev["actual"], *rev["predicted"]])  # actual bars, then predicted bars
    assert ax.get_ylabel() == "holdout revenue (USD)" and "1 = highest" in ax.get_xlabel()
    plt.close(ax.figure)


def test_gains_curve_shares_against_a_hand_ranking():
    predicted = pd.Series([1.0, 5.0, 0.0, 4.0], index=list("abcd"))
    actual = pd.Series([2.0, 0.0, 1.0, 1.0], index=list("dcba"))  # any order: matched by customer
    ax = plots.plot_gains(predicted, actual, label="CLV")
    lines = {ln.get_label(): ln.get_ydata() for ln in ax.get_lines()}
    # ranked b (5), d (4), a (1), c (0): predicted shares 5/10, 9/10, 10/10, 10/10; actual of b, d, a, c = 1, 2, 1, 0
    assert np.allclose(lines["CLV"], [0, 0.5, 0.9, 1.0, 1.0])
    assert np.allclose(lines["actual, same ranking"], [0, 0.25, 0.75, 1.0, 1.0])
    assert np.allclose(lines["no ranking"], [0, 1]) and ax.get_ylabel() == "cumulative share of value"
    plt.close(ax.figure)
    with pytest.raises(DataError, match="actual has no value for 1 customers"):
        plots.plot_gains(predicted, actual.drop("a"))
    with pytest.raises(DataError, match="positive total"):
        plots.plot_gains(predicted * 0)
