"""The delivered-value report's sentences and reader's tables (oracle: numbers computed here by hand)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib.exceptions import DataError
from crmlib.value import (
    by_label,
    conclusion_text,
    corp_rep_switching,
    data_text,
    difference_text,
    effect_table,
    effect_text,
    instrument_text,
    load_instrument,
    load_value_codebook,
    loyalty_text,
    pairwise_table,
    r2_text,
    read_value_survey,
    recovery_text,
    score_components,
    switching_text,
    value_map_text,
    weights_text,
    with_columns,
)
from crmlib.value.compare import compare_groups


def _vm():
    return pd.DataFrame(
        {
            "n": [10, 12, 8],
            "dv_difference": [1.234, -0.5, 0.2],
            "dv_difference_lower": [1.0, -0.7, 0.1],
            "dv_difference_upper": [1.5, -0.3, 0.3],
            "dv_ratio": [1.4, 0.9, 1.05],
        },
        index=pd.Index(["A", "B", "C"], name="competitor"),
    )


def test_correctness_value_map_text_names_best_and_worst():
    t = value_map_text(_vm(), 0.9)
    assert "Provider **A** delivers the most value (V - C = 1.23 points, 90% CI 1.00 to 1.50; V / C = 1.40)" in t
    assert "provider **B** the least (-0.50, V / C = 0.90)" in t
    assert "V / C" not in value_map_text(_vm().drop(columns="dv_ratio"))


def test_correctness_instrument_and_data_text_count_items_and_answers():
    ins = load_instrument()
    t = instrument_text(ins)
    assert "**28** component items" in t and "8 of them worded in reverse" in t and "15 further questions" in t
    data, cb = read_value_survey(), load_value_codebook()
    sc = score_components(data, cb)
    vals = with_columns(sc.scores.assign(dv_difference=1.0), data, ["competitor", None, "absent"])
    assert list(vals.columns[-1:]) == ["competitor"]
    missing = int(sum(data[i].isna().sum() for its in sc.items.values() for i in its))
    t = data_text(sc, vals, "competitor", simulated=True)
    assert t.startswith("The SIMULATED survey holds **1,200** respondents rating **4** providers")
    assert f"{missing:,} of {1200 * 28:,} component answers are missing" in t
    with pytest.raises(DataError, match="indexed like values"):
        with_columns(vals, data.iloc[:5], ["competitor"])


def test_correctness_weights_text_heaviest_per_side():
    w = pd.DataFrame(
        {"side": ["value", "value", "cost", "cost"], "weight": [0.3, 0.7, 0.55, 0.45]},
        index=["product_value", "image_value", "time_cost", "monetary_cost"],
    )
    t = weights_text(w, "entropy")
    assert "heaviest value component is **Image value** (0.70 of total value)" in t
    assert "heaviest cost component **Time cost** (0.55 of total cost)" in t


def test_correctness_difference_text_and_pairwise_table_against_scipy():
    from scipy import stats

    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {"dv_difference": np.r_[rng.normal(1, 1, 40), rng.normal(0.5, 1, 50)], "g": ["x"] * 40 + ["y"] * 50}
    )
    cg = compare_groups(frame, "dv_difference", "g", n_boot=500, seed=1)
    t = difference_text(cg, 0.95)
    a, b = frame.loc[frame.g == "x", "dv_difference"], frame.loc[frame.g == "y", "dv_difference"]
    assert f"x minus y: {a.mean() - b.mean():.2f} points" in t
    assert t.startswith("Welch's ANOVA of V - C across the 2 groups: F(1, ")
    welch = stats.ttest_ind(a, b, equal_var=False)
    assert f"= {welch.statistic**2:.1f}, p" in t  # Welch's F of two groups is Welch's t squared
    pw = pairwise_table(cg)
    assert list(pw.columns) == ["diff", "lower", "upper", "welch_t", "df", "p_holm"]
    assert pw.loc[("x", "y"), "welch_t"] == pytest.approx(welch.statistic)
    with pytest.raises(DataError, match="no pairwise table"):
        pairwise_table(object())


def test_correctness_effect_table_and_text():
    reg = pd.DataFrame(
        {
            "coef": [40.0, 9.84, 50.0, 5.7],
            "se_hc3": [1, 0.2, 1, 0.3],
            "p": [0, 0, 0, 0],
            "lower": [38, 9.45, 48, 5.1],
            "upper": [42, 10.23, 52, 6.3],
            "n": [100] * 4,
            "r2": [0.81, 0.81, 0.5, 0.5],
        },
        index=pd.MultiIndex.from_product([["SAT", "LOY"], ["const", "dv_difference"]], names=["outcome", "term"]),
    )
    tab = effect_table({"pooled": reg, "fixed": reg})
    assert tab.shape == (4, 7) and tab.loc[("pooled", "LOY"), "coef"] == 5.7
    t = effect_text(tab, 0.95)
    assert "**9.8** points more satisfaction (95% CI 9.4 to 10.2; in-sample R² = 0.81" in t
    with pytest.raises(DataError, match="no term 'price'"):
        effect_table({"pooled": reg}, "price")


def test_correctness_r2_text_quotes_in_sample_and_cross_validated():
    idx = pd.MultiIndex.from_product(
        [["regression", "equal"], ["in sample", "cross-validated (10 folds)"]], names=["weights", "evaluation"]
    )
    r2 = pd.DataFrame({"r2": [0.814, 0.811, 0.788, 0.7869], "n": 1190}, index=idx)
    t = r2_text(r2, "regression", simulated=True)
    assert "in-sample R² of 0.81" in t and "explains 81% of satisfaction (regression weights) and 79% with equal" in t
    assert "SAT = 45 + 10 x true V - C + noise" in t
    assert "SIMULATED" not in r2_text(r2, "regression", simulated=False)


def test_correctness_recovery_text_mcse_and_misses():
    idx = pd.MultiIndex.from_tuples(
        [("weight", "product_value"), ("weight", "time_cost"), ("effect on SAT", "V - C")], names=["quantity", "name"]
    )
    study = pd.DataFrame({"bias": [-0.004, 0.002, -0.08], "coverage": [0.85, 0.95, 0.975]}, index=idx)
    study.attrs["n_runs"] = 40
    t = recovery_text(study, 0.95)
    assert "largest absolute bias of a weight is 0.004 (Product value)" in t
    assert "from 85% (weight / Product value) to 98% (effect on SAT / V - C)" in t
    mcse = np.sqrt(0.95 * 0.05 / 40)  # 3.4%: 0.85 < 0.95 - 2 x 0.034 = 0.881, the only miss
    assert f"about {mcse:.1%}" in t and "1 of 3 coverages lie more than two such errors below it" in t
    with pytest.raises(DataError, match="recovery_study table"):
        recovery_text(pd.DataFrame({"bias": [0.0], "coverage": [1.0]}), 0.95)


def test_correctness_conclusion_and_loyalty_text():
    idx = pd.MultiIndex.from_product(
        [["regression", "equal"], ["in sample", "cross-validated (10 folds)"]], names=["weights", "evaluation"]
    )
    r2 = pd.DataFrame({"r2": [0.8, 0.7, 0.6, 0.5]}, index=idx)
    t = conclusion_text(_vm(), r2, scale_label="1-7 points", simulated=False)
    assert "survey of 30 respondents" in t and "provider A delivers the most value (V - C = 1.23 1-7 points)" in t
    assert "B the least (-0.50)" in t and "explains 70% of the variance" in t
    prof = pd.DataFrame(
        {"n": [50, 0, 30, 20], "share": [0.5, 0.0, 0.3, 0.2], "dv_difference": [1.5, np.nan, 0.3, -0.4]},
        index=["super_value", "monopoly", "price", "none"],
    )
    t = loyalty_text(prof)
    assert "super-value loyalty (50% of respondents) and price loyalty (30%)" in t
    assert "super-value loyalty goes with the most delivered value (mean V - C 1.50 points), no loyalty with -0.40" in t
    rec = pd.DataFrame(
        {"recall": [0.9, 0.6, 0.8, 0.95, 0.88], "recall_min": 0.5, "recall_max": 1.0},
        index=["super_value", "monopoly", "price", "none", "all"],
    )
    rec.attrs.update({"n_runs": 40, "high": 5.0})
    t = loyalty_text(prof, rec)
    assert "Over 40 SIMULATED surveys the rule (high from 5) puts 88% of respondents in their true type" in t
    assert "monopoly loyalty is found least often (60%)" in t


def test_by_label_relabels_component_keys_on_any_level():
    t = pd.DataFrame({"x": [1, 2]}, index=pd.MultiIndex.from_tuples([("weight", "time_cost"), ("effect", "V - C")]))
    assert by_label(t).index.tolist() == [("weight", "Time cost"), ("effect", "V - C")]
    assert by_label(pd.DataFrame({"x": [1]}, index=["energy_cost"])).index[0] == "Energy (mental) cost"
    assert by_label(pd.DataFrame({"x": [1, 2]}, index=["super_value", "none"])).index.tolist() == [
        "Super-value 超值",
        "Not loyal",
    ]


def test_consistency_corp_rep_switching_against_least_squares():
    mapping, reg = corp_rep_switching()
    assert (mapping["status"] == "missing").sum() == 2
    from crmlib.value import DeliveredValue, corp_rep_partial

    data, cb, _ = corp_rep_partial()
    v = DeliveredValue("equal", scale="pomp", form="difference", require_all=False).fit(data, cb).values_
    frame = pd.DataFrame({"v": v["total_value"], "s": v["total_cost"], "y": data["cusl"]}).dropna()
    X = np.column_stack([np.ones(len(frame)), frame["v"], frame["s"]])
    beta = np.linalg.lstsq(X, frame["y"].to_numpy(), rcond=None)[0]
    assert reg.loc[("cusl", "total_value"), "coef"] == pytest.approx(beta[1])
    assert reg.loc[("cusl", "switching_costs"), "coef"] == pytest.approx(beta[2])
    assert "const" not in reg.index.get_level_values("term") and reg.attrs["n"]["cusl"] == len(frame)
    t = switching_text(reg)
    assert f"({beta[1]:.3f} points per POMP point, p < 0.001)" in t
    assert f"no clear relation to switching costs ({beta[2]:.3f}, p = " in t and "neither act as a barrier" in t
