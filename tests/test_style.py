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


# --- the display layer of Captioner.table (oracle: the exact HTML a reader's table must contain) ---

R, L = 'style="text-align: right"', 'style="text-align: left"'


def test_table_hides_row_numbers_and_labels_columns():
    t = pd.DataFrame({"tier": ["gold", "silver"], "p_alive": [0.51234, 0.2], "delta_bic": [0.0, 12.5]})
    page = style.table_html(t, "Table 1. Tiers")
    assert f"<th {L}>Tier</th><th {R}>P(alive)</th><th {R}>ΔBIC</th>" in page
    assert f"<tr><td {L}>gold</td><td {R}>0.512</td><td {R}>0.000</td></tr>" in page
    assert "<th" not in page.split("<tbody>")[1]  # no row-number cells at all
    assert ">0<" not in page and ">1<" not in page


def test_table_keeps_a_meaningful_index_labelled_in_the_header_row():
    t = pd.DataFrame({"boot_lower": [1.0, 2.5], "n": [10, 2000]}, index=pd.Index(["a", "b"], name="segment"))
    page = style.table_html(t, labels={"segment": "Customer segment"})
    assert f"<thead><tr><th {L}>Customer segment</th><th {R}>Bootstrap lower</th><th {R}>N</th></tr></thead>" in page
    assert f"<tr><th {L}>a</th><td {R}>1.000</td><td {R}>10</td></tr>" in page
    assert f"<td {R}>2,000</td>" in page
    assert page.count("<tr>") == 3  # one header row: no extra row for the index name


def test_table_writes_whole_numbers_as_integers_and_p_values_as_a_reader_reads_them():
    t = pd.DataFrame(
        {
            "count": [23570.0, 45.0],
            "mean": [1.5, -0.0001],
            "p_value": [0.0004, 0.04567],
            "customer_id": [10001, 10002],
            "small": [1.2e-7, 3.5],
        }
    )
    page = style.table_html(t, floatfmt="{:,.4g}")
    assert (
        f"<td {R}>23,570</td><td {R}>1.5</td><td {R}>&lt; 0.001</td><td {R}>10001</td><td {R}>0.00000012</td>" in page
    )
    assert f"<td {R}>45</td><td {R}>-0.0001</td><td {R}>0.046</td><td {R}>10002</td><td {R}>3.5</td>" in page
    assert "e-" not in page and "23570.000" not in page
    # an index names its rows: customer 1081 is not "1,081", whatever the index is called
    ranked = style.table_html(pd.DataFrame({"clv": [1290.9, 1097.98]}, index=pd.Index([509, 1081], name="customer")))
    assert f"<th {R}>1081</th><td {R}>1,097.980</td>" in ranked and "1,081" not in ranked


def test_table_negative_zero_booleans_dates_missing_and_per_cent_formats():
    t = pd.DataFrame(
        {
            "change": [-0.0001, 0.25],
            "consistent": [True, False],
            "first_purchase": pd.to_datetime(["1997-01-01", None]),
            "share": [1.0, 0.0],
            "text": ["x", None],
        }
    )
    page = style.table_html(t, floatfmt={"share": "{:.1%}"}, na_rep="-")
    assert f"<td {R}>0.000</td><td {L}>yes</td><td {L}>1997-01-01</td><td {R}>100.0%</td><td {L}>x</td>" in page
    assert f"<td {R}>0.250</td><td {L}>no</td><td {L}>-</td><td {R}>0.0%</td><td {L}>-</td>" in page
    assert "-0.000" not in page and "True" not in page and "NaT" not in page


def test_table_caption_spans_the_page_and_note_follows():
    page = style.table_html(pd.Series([1, 2], name="n_items"), "Table 3. Items (N = 2)", note="A & B")
    assert page.startswith(
        '<div class="crmlib-table">\n<p class="crmlib-caption" style="font-weight: bold; text-align: left">'
    )
    assert "Table 3. Items (N = 2)</p>\n<table" in page  # a paragraph above the table, not a <caption> of its width
    assert "<caption" not in page
    assert "<em>Note.</em> A &amp; B</p>" in page
    assert f"<th {R}>Items</th>" in page


def test_table_multiindex_blanks_repeated_outer_labels():
    t = pd.DataFrame(
        {"estimate": [0.5, 0.25, 0.125]},
        index=pd.MultiIndex.from_tuples([("IMAG", "CUSA"), ("IMAG", "CUSL"), ("CUSA", "CUSL")], names=["from", "to"]),
    )
    page = style.table_html(t)
    assert f"<tr><th {L}>IMAG</th><th {L}>CUSA</th><td {R}>0.500</td></tr>" in page
    assert f"<tr><th {L}></th><th {L}>CUSL</th><td {R}>0.250</td></tr>" in page
    assert f"<tr><th {L}>CUSA</th><th {L}>CUSL</th><td {R}>0.125</td></tr>" in page


def test_column_label_map_override_and_default():
    assert style.column_label("p_alive") == "P(alive)"
    assert style.column_label("boot_upper") == "Bootstrap upper"
    assert style.column_label("median_days") == "Median days"
    assert style.column_label("p_alive", {"p_alive": "Alive"}) == "Alive"
    assert style.column_label(("clv", "mean")) == "CLV / Mean"
    assert style.column_label(None) == ""
    names = (
        "p",
        "p_value",
        "p (Holm)",
        "Pr(>|z|)",
        "p_mga",
        "p_permutation",
        "mean_p",
        "p_alive",
        "prob",
        "p_purchases_2",
    )
    assert [style.is_p_value(c) for c in names] == [True] * 7 + [False] * 3
    assert [style.p_text(x) for x in (0.0004999, 0.0005, 0.5, np.nan)] == ["< 0.001", "0.001", "0.500", ""]


def test_table_refuses_what_is_not_a_table():
    from crmlib.exceptions import DataError

    with pytest.raises(DataError, match="frame must be a pandas DataFrame or Series, got list"):
        style.table_html([1, 2])


def test_captioner_table_keeps_its_signature_and_displays_the_reader_table(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    cap = Captioner(tag="SIMULATED data")
    cap.table(pd.DataFrame({"n": [3.0]}), "Counts", 3, floatfmt=style.number_text, note="n.")
    cap.table(pd.DataFrame({"n": [4]}), "More", labels={"n": "Customers"})
    assert "Table 1. Counts [SIMULATED data] (N = 3)</p>" in shown[0].data
    assert f"<th {R}>Customers</th>" in shown[1].data and "Table 2. More" in shown[1].data


# --- colour and the SIMULATED mark ---

_MACHADO = {  # Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB
    "deutan": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "protan": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
}


def _lab_seen(colour: str, kind: str) -> np.ndarray:
    """CIELAB (D65) of a colour as a deuteranope or protanope sees it."""
    rgb = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    lin = np.clip(np.array(_MACHADO[kind]) @ lin, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ lin
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _closest_pair(colours, kind):
    labs = [_lab_seen(c, kind) for c in colours]
    return min(np.linalg.norm(labs[i] - labs[j]) for i in range(len(labs)) for j in range(i))


def test_palette_keeps_the_first_series_apart_for_colour_blind_readers():
    # the simulation reproduces the review's measurement of the old palette (blue vs purple: dE 17 deutan, 14 protan)
    old = ["#1f4e79", "#c0504d", "#9bbb59", "#8064a2"]
    assert _closest_pair(old, "deutan") == pytest.approx(17.1, abs=0.3)
    assert _closest_pair(old, "protan") == pytest.approx(13.8, abs=0.3)
    for kind in _MACHADO:
        assert _closest_pair(style.PALETTE[:4], kind) > 35, kind
        assert _closest_pair(style.PALETTE[:5], kind) > 24, kind
        assert _closest_pair(style.PALETTE[:6], kind) > 18, kind  # six series: still farther apart than the old four
    assert style.PALETTE[6] == "#7F7F7F"  # the neutral slot notebooks use for context


def test_figure_of_simulated_data_carries_the_mark_on_the_figure(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    Captioner(tag="SIMULATED data").figure(fig, "Curves", n=2)
    assert [t.get_text() for t in fig.texts if t.get_gid() == "crmlib-stamp"] == ["SIMULATED data"]
    assert shown[0] is fig and "Figure 1. Curves [SIMULATED data] (N = 2)" in shown[1].data
    plain, ax = plt.subplots()
    cap = Captioner()
    cap.figure(plain, "Real")
    assert plain.texts == []
    one, ax = plt.subplots()
    cap.figure(one, "A simulated section", tag="SIMULATED data")  # a simulated section of a report on real data
    assert [t.get_text() for t in one.texts] == ["SIMULATED data"]
    assert "Figure 2. A simulated section [SIMULATED data]" in shown[-1].data
    assert cap.table_caption("Treatment effect", tag="SIMULATED data") == "Table 1. Treatment effect [SIMULATED data]"


def _glyph_warnings(family) -> list[str]:
    import io
    import warnings

    with matplotlib.rc_context({"font.family": family}), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.bar(["投诉", "諮詢", "건의"], [3, 2, 1])
        label_axes(ax, "类别 (분류)", "件数 (건수)", "客户投诉 고객 불만")
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_correctness_chinese_and_korean_labels_render_with_the_cjk_fallback():
    """Oracle: matplotlib's missing-glyph warning. Without the fallback the same figure warns (Latin font only)."""
    import os

    font = style.cjk_font()
    if font is None:
        if os.environ.get("CRMLIB_REQUIRE_CJK_FONT") == "1":
            pytest.fail("no CJK font installed although CRMLIB_REQUIRE_CJK_FONT=1 (.ci/run installs fonts-noto-cjk)")
        pytest.skip("no CJK font installed: `make fonts` (as root) or `sudo apt-get install fonts-noto-cjk`")
    assert _glyph_warnings(["DejaVu Sans"]), "the oracle: a Latin-only font misses these glyphs"
    with matplotlib.rc_context():
        style.use()
        assert list(matplotlib.rcParams["font.family"]) == ["sans-serif", font]
        assert _glyph_warnings(matplotlib.rcParams["font.family"]) == []


def test_table_keeps_short_cjk_terms_on_one_line():
    # browsers break CJK text between any two characters: "产品价/值" in a narrow column (review, delivered_value)
    t = pd.DataFrame(
        {"component": ["Product value"], "zh": ["产品价值"], "item": ["[品牌]的产品做工精良、质量好，非常耐用。"]}
    )
    page = style.table_html(t)
    assert f'<td {L}>Product value</td><td style="text-align: left; white-space: nowrap">产品价值</td>' in page
    assert f"<td {L}>[品牌]的产品做工精良、质量好，非常耐用。</td>" in page  # a sentence may still wrap


def test_table_breaks_korean_between_words_only():
    # "표적 고객 선정" broke as "선/정" in a narrow header (crm_self_assessment_ko): Korean cells keep their words
    t = pd.DataFrame(
        {"Targeting 표적 고객 선정": [3.0], "stage": ["Welcome 환영하는 첫 단계의 고객 관리 활동"], "en": ["x"]}
    )
    page = style.table_html(t)
    assert '<th style="text-align: right; word-break: keep-all">Targeting 표적 고객 선정</th>' in page
    assert 'word-break: keep-all">Welcome 환영하는' in page and page.count("keep-all") == 2  # one header, one cell


def test_compact_intervals_missing_estimate_is_an_empty_cell():
    """A reference row (no estimate, no interval) shows nothing, not "nan [nan, nan]"."""
    t = pd.DataFrame({"rd": [np.nan, 0.105], "rd_lower": [np.nan, 0.067], "rd_upper": [np.nan, 0.142]})
    assert style.compact_intervals(t, 3)["rd"].tolist() == ["", "0.105 [0.067, 0.142]"]
