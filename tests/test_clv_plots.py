"""crmlib.clv.plots: every figure labels both axes with the data's time unit."""

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

from crmlib.clv import (
    GammaGammaModel,
    ShiftedBetaGeometricModel,
    plots,
)
from crmlib.datasets import load_cdnow_summary

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]


def test_plots_label_axes(cdnow_fitted):
    bg = cdnow_fitted[0]
    for kind in ("alive", "expected"):
        ax = plots.plot_frequency_recency_matrix(bg, 39.0, kind=kind, max_frequency=20)
        assert ax.get_xlabel() and ax.get_ylabel()
        plt.close(ax.figure)
    d = pd.DataFrame({"actual": [1, 2], "expected": [1.5, 2.5]}, index=["0", "1"])
    for f in (plots.plot_calibration_holdout, plots.plot_frequency_histogram):
        ax = f(d.rename(columns={"actual": "observed"}) if f is plots.plot_frequency_histogram else d)
        assert ax.get_xlabel() and ax.get_ylabel()
        plt.close(ax.figure)


def test_retention_and_spend_plots_label_their_axes():

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from crmlib.clv import plots

    s = ShiftedBetaGeometricModel().fit(REGULAR[:5])
    for kind in ("survival", "retention"):
        ax = plots.plot_retention(s, 12, kind=kind)
        assert ax.get_xlabel() == "periods since acquisition" and ax.get_ylabel()
        assert len(ax.lines[1].get_xdata()) >= 12
        plt.close(ax.figure)
    d = load_cdnow_summary()
    ax = plots.plot_spend_distribution(GammaGammaModel().fit(d), d)
    assert "US dollars" in ax.get_xlabel() and "density" in ax.get_ylabel()
    plt.close(ax.figure)
