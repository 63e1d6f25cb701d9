"""Numbered captions and axis labelling (oracle: the expected caption strings)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crmlib import style
from crmlib.style import Captioner, label_axes


def test_captions_number_tables_and_figures_independently():
    cap = Captioner()
    assert cap.table_caption("A", n=1200) == "Table 1. A (N = 1,200)"
    assert cap.figure_caption("B") == "Figure 1. B"
    assert cap.table_caption("C") == "Table 2. C"
    assert Captioner(start_table=5).table_caption("D") == "Table 5. D"


def test_label_axes_requires_both_labels():
    fig, ax = plt.subplots()
    label_axes(ax, "Weeks", "Customers", "t")
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("Weeks", "Customers", "t")
    with pytest.raises(ValueError, match="labels both axes"):
        label_axes(ax, "Weeks", "")
    plt.close(fig)


def test_table_prints_missing_values_blank_and_formats_floats(monkeypatch):
    import numpy as np
    import pandas as pd

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    Captioner().table(pd.DataFrame({"x": [1.23456, np.nan], "k": ["a", None]}), "T", n=2, floatfmt="{:.2f}")
    page = shown[0].data
    assert "Table 1. T (N = 2)" in page
    assert ">1.23<" in page and "nan" not in page.lower() and "None" not in page


def test_captioner_tag_marks_every_caption():
    cap = Captioner(tag="SIMULATED data")
    assert cap.table_caption("Hazard ratios", n=10) == "Table 1. Hazard ratios [SIMULATED data] (N = 10)"
    assert cap.figure_caption("Curves") == "Figure 1. Curves [SIMULATED data]"
    assert Captioner().table_caption("Plain") == "Table 1. Plain"


def test_compact_intervals_folds_estimate_and_bounds_by_hand():
    t = pd.DataFrame(
        {"n": [5], "total_value": [5.291], "total_value_lower": [5.2], "total_value_upper": [5.356], "dv_ratio": [1.4]},
        index=["A"],
    )
    out = style.compact_intervals(t)
    assert list(out.columns) == ["n", "total_value", "dv_ratio"]
    assert out.loc["A", "total_value"] == "5.29 [5.20, 5.36]" and out.loc["A", "dv_ratio"] == 1.4


def test_compact_intervals_other_layout_spaced_names_and_infinity():
    # the survival tables' layout ("est (lower-upper)", column "X (95% CI)", "X lower"/"X upper", inf not reached)
    t = pd.DataFrame({"median": [12.0, np.inf], "median lower": [10.0, 30.0], "median upper": [np.inf, np.inf]})
    out = style.compact_intervals(t, 1, template="{estimate} ({lower}-{upper})", label="{column} (95% CI)")
    assert out.columns.tolist() == ["median (95% CI)"]
    assert out["median (95% CI)"].tolist() == ["12.0 (10.0-not reached)", "not reached (30.0-not reached)"]


def test_inputchecks_compact_intervals_digits():
    from crmlib.exceptions import DataError

    with pytest.raises(DataError, match="digits must be a whole number"):
        style.compact_intervals(pd.DataFrame({"a": [1.0]}), 1.5)


def test_number_text_whole_numbers_plain_others_two_decimals():
    assert [style.number_text(x) for x in (6741373.0, 1.0365, np.nan, None, -3.0)] == [
        "6,741,373",
        "1.04",
        "",
        "",
        "-3",
    ]
