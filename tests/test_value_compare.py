"""crmlib.value comparisons, consequences, plots and the corp_rep partial mapping.

Oracles: pandas/scipy direct computations (means, Welch's t and df), Welch's
(1951) F computed from its formula, the HC3 sandwich computed by hand with
numpy, and hand-scored corp_rep answers.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crmlib.exceptions import DataError
from crmlib.value import (
    COMPONENTS,
    CORP_REP_MISSING,
    DeliveredValue,
    bootstrap_means,
    compare_groups,
    corp_rep_partial,
    load_value_codebook,
    plot_component_profile,
    plot_value_map,
    read_value_survey,
    regress_outcomes,
    value_map_table,
)


@pytest.fixture(scope="module")
def values():
    d = read_value_survey()
    est = DeliveredValue("equal").fit(d, load_value_codebook())
    return est.values_.assign(competitor=d["competitor"], segment=d["segment"], SAT=d["SAT"], LOY=d["LOY"])


def test_bootstrap_means_point_estimates_and_interval_width(values):
    tab = bootstrap_means(values, ["dv_difference", "time_cost"], "competitor", n_boot=2000, seed=1)
    direct = values.groupby("competitor")[["dv_difference", "time_cost"]].agg(["mean", "std", "count"])
    for g in "ABCD":
        for col in ("dv_difference", "time_cost"):
            row = tab.loc[(g, col)]
            assert row["mean"] == pytest.approx(direct.loc[g, (col, "mean")])
            assert row["sd"] == pytest.approx(direct.loc[g, (col, "std")])
            assert row["n"] == direct.loc[g, (col, "count")]
            se = row["sd"] / np.sqrt(row["n"])
            assert row["se_boot"] == pytest.approx(se, rel=0.1)  # bootstrap SE ~ s / sqrt(n)
            assert row["upper"] - row["lower"] == pytest.approx(2 * 1.96 * se, rel=0.12)


def test_bootstrap_means_seeded(values):
    a = bootstrap_means(values, ["total_value"], "segment", n_boot=500, seed=9)
    b = bootstrap_means(values, ["total_value"], "segment", n_boot=500, seed=9)
    c = bootstrap_means(values, ["total_value"], "segment", n_boot=500, seed=10)
    pd.testing.assert_frame_equal(a, b)
    assert not a["lower"].equals(c["lower"])


def test_compare_groups_against_scipy_and_welch_formula(values):
    res = compare_groups(values, "dv_difference", "competitor", n_boot=1000, seed=2)
    groups = {g: values.loc[values["competitor"] == g, "dv_difference"].dropna().to_numpy() for g in "ABCD"}
    row = res.pairwise.set_index(["group_a", "group_b"]).loc[("B", "C")]
    t = stats.ttest_ind(groups["B"], groups["C"], equal_var=False)
    assert row["welch_t"] == pytest.approx(t.statistic) and row["p"] == pytest.approx(t.pvalue)
    assert row["diff"] == pytest.approx(groups["B"].mean() - groups["C"].mean())
    assert row["lower"] < row["diff"] < row["upper"]
    assert (res.pairwise["p_holm"] >= res.pairwise["p"]).all()
    # Welch (1951): w = n / s^2, F = [sum w (m - m_w)^2 / (k - 1)] / [1 + 2 (k - 2) / (k^2 - 1) * L],
    # L = sum (1 - w / W)^2 / (n - 1), df2 = (k^2 - 1) / (3 L)
    k = 4
    n = np.array([len(x) for x in groups.values()])
    m = np.array([x.mean() for x in groups.values()])
    w = n / np.array([x.var(ddof=1) for x in groups.values()])
    mw = (w * m).sum() / w.sum()
    lam = ((1 - w / w.sum()) ** 2 / (n - 1)).sum()
    f = ((w * (m - mw) ** 2).sum() / (k - 1)) / (1 + 2 * (k - 2) / (k**2 - 1) * lam)
    assert res.omnibus["F"] == pytest.approx(f)
    assert res.omnibus["df2"] == pytest.approx((k**2 - 1) / (3 * lam))


def test_value_map_table_matches_bootstrap_means(values):
    vm = value_map_table(values, "competitor", n_boot=500, seed=4)
    long = bootstrap_means(
        values, ["total_value", "total_cost", "dv_difference", "dv_ratio"], "competitor", n_boot=500, seed=4
    )
    assert vm.loc["C", "total_cost_lower"] == pytest.approx(long.loc[("C", "total_cost"), "lower"])
    assert vm["n"].sum() == values[["total_value", "total_cost"]].notna().all(axis=1).sum()


def test_regress_outcomes_hc3_against_hand_sandwich(values):
    tab = regress_outcomes(values, ["SAT"], ["dv_difference"])
    sub = values[["SAT", "dv_difference"]].dropna()
    X = np.column_stack([np.ones(len(sub)), sub["dv_difference"]])
    y = sub["SAT"].to_numpy()
    xtx_inv = np.linalg.inv(X.T @ X)
    beta = xtx_inv @ X.T @ y
    e = y - X @ beta
    h = np.einsum("ij,jk,ik->i", X, xtx_inv, X)
    cov = xtx_inv @ (X.T * (e / (1 - h)) ** 2) @ X @ xtx_inv  # MacKinnon & White (1985) HC3
    row = tab.loc[("SAT", "dv_difference")]
    assert row["coef"] == pytest.approx(beta[1])
    assert row["se_hc3"] == pytest.approx(np.sqrt(cov[1, 1]))
    assert row["n"] == len(sub)


def test_regress_outcomes_with_fixed_effects_and_bad_columns(values):
    tab = regress_outcomes(values, ["SAT", "LOY"], ["dv_difference"], fixed_effects="competitor")
    assert set(tab.index.get_level_values("term")) == {"const", "dv_difference"}
    with pytest.raises(DataError, match=r"no column\(s\) \['NPS'\]"):
        regress_outcomes(values, ["NPS"])
    with pytest.raises(DataError, match="column 'competitor' is not numeric"):
        regress_outcomes(values, ["SAT"], ["competitor"])


def test_inputchecks_compare(values):
    with pytest.raises(DataError, match=r"no column\(s\) \['region'\]"):
        bootstrap_means(values, ["total_value"], "region", seed=1)
    with pytest.raises(DataError, match="n_boot"):
        bootstrap_means(values, ["total_value"], "competitor", n_boot=10, seed=1)
    with pytest.raises(DataError, match="fewer than two groups"):
        compare_groups(values.assign(one="x"), "total_value", "one", seed=1)


def test_plots_label_their_axes(values):
    vm = value_map_table(values, "competitor", n_boot=200, seed=1)
    ax = plot_value_map(vm, "1-7 points")
    assert "cost" in ax.get_xlabel() and "value" in ax.get_ylabel()
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(names) == sorted(
        [f"{g} (n={int(k)})" for g, k in vm["n"].items()] + ["value = cost (delivered value 0)"]
    )
    plt.close(ax.figure)
    prof = bootstrap_means(values, list(COMPONENTS), "competitor", n_boot=200, seed=1)
    ax = plot_component_profile(prof, list(COMPONENTS), "1-7 points")
    value_ax, cost_ax = ax.figure.axes  # two panels: value components, cost components
    assert ax is value_ax and ax.get_ylabel().startswith("Mean score")
    assert [len(a.get_xticklabels()) for a in (value_ax, cost_ax)] == [4, 4]
    assert all(ln.get_linestyle() == "None" for a in (value_ax, cost_ax) for ln in a.get_lines())  # dots, no lines
    plt.close(ax.figure)


def test_corp_rep_partial_mapping_scores_by_hand():
    data, cb, mapping = corp_rep_partial()
    assert sorted(CORP_REP_MISSING) == ["personnel_value", "physical_cost"]
    assert (mapping.loc[CORP_REP_MISSING, "status"] == "missing").all()
    est = DeliveredValue("equal", scale="pomp", form="difference", require_all=False).fit(data, cb)
    assert est.scores_.missing_components == ["personnel_value", "physical_cost"]
    i = data.index[data[["qual_1", "qual_2", "qual_4", "switch_3", "switch_4"]].notna().all(axis=1)][0]
    q = data.loc[i, ["qual_1", "qual_2", "qual_4"]].astype(float)
    assert est.values_.loc[i, "product_value"] == pytest.approx(100 * ((q - 1) / 6).mean())
    s = data.loc[i, ["switch_3", "switch_4"]].astype(float)
    assert est.values_.loc[i, "energy_cost"] == pytest.approx(100 * ((s - 1) / 4).mean())
    with pytest.raises(DataError, match="different scales"):
        DeliveredValue("equal", require_all=False).fit(data, cb)
    with pytest.raises(DataError, match="component 'personnel_value' has no items"):
        DeliveredValue("equal", scale="pomp").fit(data, cb)


def test_tables_instrument_scoring_alpha_and_pls_inputs():
    from crmlib.value import (
        instrument_overview,
        load_instrument,
        pls_inputs,
        score_components,
        scoring_table,
    )

    ov = instrument_overview(load_instrument())
    assert len(ov) == 8 and ov.loc["Energy (mental) cost", "中文"] == "精力成本"
    d = read_value_survey()
    sc = score_components(d, load_value_codebook())
    tab = scoring_table(sc)
    # Cronbach (1951) eq. 2 on the listwise-complete recoded items of product value, computed directly
    x = sc.recoded[sc.items["product_value"]].dropna().to_numpy()
    k = x.shape[1]
    alpha = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert tab.loc["product_value", "alpha"] == pytest.approx(alpha)
    frame, meas, struct = pls_inputs(sc, d, "SAT", "LOY")
    assert meas["SAT"] == ["SAT"] and ("SAT", "LOY") in struct and len(struct) == 9
    # recoded reverse item: PRD3 recorded as 8 - agreement
    assert frame["PRD3"].dropna().equals((8 - d["PRD3"]).dropna())


def test_write_simulated_survey_reproduces_the_shipped_file(tmp_path):
    from crmlib.datasets import data_dir
    from crmlib.value import write_simulated_survey

    p = write_simulated_survey(tmp_path / "cdv_simulated_survey.csv")
    assert p.read_bytes() == (data_dir() / "cdv_simulated_survey.csv").read_bytes()


def test_recovery_table_flags_truth_inside_intervals():
    from crmlib.value import (
        TRUE_WEIGHTS,
        delivered_value,
        recovery_table,
        score_components,
        simulate_survey,
    )

    sim = simulate_survey(100, seed=8)
    sc = score_components(sim.data, load_value_codebook())
    v = delivered_value(sc, TRUE_WEIGHTS).assign(competitor=sim.data["competitor"])
    rec = recovery_table(v, sim.truth, "competitor", n_boot=300, seed=1)
    assert list(rec.columns) == ["n", "truth", "mean", "lower", "upper", "inside"]
    assert rec.loc[("A", "dv_difference"), "truth"] == pytest.approx(
        sim.truth.means_by("competitor").loc["A", "dv_difference"]
    )
    assert rec["inside"].equals((rec["lower"] <= rec["truth"]) & (rec["truth"] <= rec["upper"]))


def test_value_and_survey_share_one_group_comparison():
    # one group comparison, two front ends: value.compare_groups adds bootstrap pairwise intervals to
    # survey.tables.compare_groups' result (same class, same Welch ANOVA; checked against statsmodels in test_survey_tables)
    from crmlib.survey import tables

    rng = np.random.default_rng(1)
    d = pd.DataFrame(
        {
            "y": np.r_[rng.normal(0, 1, 30), rng.normal(0.5, 2, 40), rng.normal(1, 0.5, 25)],
            "g": list("a" * 30 + "b" * 40 + "c" * 25),
        }
    )
    res = compare_groups(d, "y", "g", n_boot=200, seed=1)
    welch = tables.compare_groups(d, "y", "g").tests.loc["Welch ANOVA"]
    assert isinstance(res, tables.GroupComparison) and len(res.pairwise) == 3 and len(res.posthoc) == 3
    assert res.omnibus["F"] == pytest.approx(float(welch["statistic"]), rel=1e-10)
    assert res.omnibus["p"] == pytest.approx(float(welch["p"]), rel=1e-8)
