"""Frequencies, multiple response, crosstabs, Likert charts and group comparisons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crmlib.datasets import load_corp_rep, load_thesis_tables
from crmlib.exceptions import DataError, DataWarning
from crmlib.survey import tables as tb


@pytest.fixture(scope="module")
def corp():
    return load_corp_rep().data


def test_frequency_table_percent_bases(corp):
    ft = tb.frequency_table(corp["cusa"], include_all_codes=range(1, 8))
    assert ft.attrs["n_total"] == 344 and ft.attrs["n_valid"] == 343 and ft.attrs["n_missing"] == 1
    valid = ft.drop(index="missing")
    assert valid["valid_percent"].sum() == pytest.approx(100.0)
    assert valid["cumulative_percent"].iloc[-1] == pytest.approx(100.0)
    assert ft["percent"].sum() == pytest.approx(100.0)
    n7 = int((corp["cusa"] == 7).sum())
    assert ft.loc[7, "valid_percent"] == pytest.approx(100 * n7 / 343)


def test_multiple_response_reproduces_thesis_table1():
    # shared/seeds/004 thesis, Table 1 (motives for CRM), percent of cases as printed: 33.16, 54.92, 40.93, 45.60;
    # these are counts 64, 106, 79, 88 of 193 cases (each printed share times 193 is an integer to 2 decimals).
    t = load_thesis_tables().query("table == 'table1'").set_index("item")["value"]
    counts = {
        "raise_sales": 64,
        "raise_customer_service": 106,
        "raise_marketing_management": 79,
        "improve_corporate_image": 88,
    }
    n = 193
    data = pd.DataFrame(0.0, index=range(n), columns=list(counts))
    offset = 0
    for k, v in counts.items():  # wrap each option's choosers round the cases: everyone chooses at least one
        data.loc[[(offset + i) % n for i in range(v)], k] = 1.0
        offset += v
    mr = tb.multiple_response(data, list(counts))
    assert mr.attrs["n_cases"] == n and mr.attrs["n_responses"] == sum(counts.values())
    for k in counts:
        assert round(mr.loc[k, "pct_of_cases"], 2) == pytest.approx(t[k], abs=1e-9)
    assert mr.loc[list(counts), "pct_of_responses"].sum() == pytest.approx(100.0)
    assert mr.loc["total", "pct_of_cases"] > 100  # percent of cases sums past 100, as printed


def test_crosstab_against_scipy_and_cramers_v(corp):
    res = tb.crosstab(corp, "servicetype", "serviceprovider")
    obs = pd.crosstab(corp["servicetype"], corp["serviceprovider"]).to_numpy()
    chi2, p, df, _ = stats.chi2_contingency(obs, correction=False)
    assert res.chi2 == pytest.approx(chi2) and res.p == pytest.approx(p) and res.df == df
    assert res.cramers_v == pytest.approx(stats.contingency.association(obs, method="cramer"))
    assert res.counts.loc["total", "total"] == obs.sum()


def test_crosstab_warns_on_small_expected_counts():
    d = pd.DataFrame({"a": [1, 1, 1, 2, 2, 3], "b": [1, 2, 1, 2, 1, 2]})
    with pytest.warns(DataWarning, match=r"expected counts in 'a' x 'b' are below 5"):
        res = tb.crosstab(d, "a", "b")
    assert res.small_expected == 1.0


def test_compare_groups_two_and_many(corp):
    two = tb.compare_groups(corp, "cusa", "servicetype")
    a = corp.loc[corp["servicetype"] == 1, "cusa"].dropna().astype(float)
    b = corp.loc[corp["servicetype"] == 2, "cusa"].dropna().astype(float)
    assert two.tests.loc["Welch t test", "p"] == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue)
    # rank-biserial r = P(a > b) - P(a < b) over all pairs (Kerby 2014), counted directly
    diff = a.to_numpy()[:, None] - b.to_numpy()[None, :]
    assert two.tests.loc["Mann-Whitney U", "effect_size"] == pytest.approx((diff > 0).mean() - (diff < 0).mean())
    assert two.n_dropped == int(corp[["cusa", "servicetype"]].isna().any(axis=1).sum())
    many = tb.compare_groups(corp, "cusa", "serviceprovider")
    samples = [g["cusa"].dropna().astype(float) for _, g in corp.groupby("serviceprovider")]
    assert many.tests.loc["one-way ANOVA", "p"] == pytest.approx(stats.f_oneway(*samples).pvalue)
    assert many.tests.loc["Kruskal-Wallis H", "p"] == pytest.approx(stats.kruskal(*samples).pvalue)
    assert len(many.posthoc) == 6 and (many.posthoc["dunn_p_holm"] >= many.posthoc["dunn_p"]).all()


def test_welch_anova_with_two_groups_is_welch_t_squared():
    # Welch (1951): with k = 2 the heteroscedastic F equals Welch's t squared, with the Welch-Satterthwaite df
    rng = np.random.default_rng(2)
    x, y = rng.normal(0, 1, 30), rng.normal(0.5, 2, 40)
    f, df1, df2, p = tb._welch_anova([x, y])
    t = stats.ttest_ind(x, y, equal_var=False)
    assert (
        f == pytest.approx(t.statistic**2) and df1 == 1 and df2 == pytest.approx(t.df) and p == pytest.approx(t.pvalue)
    )


def test_omnibus_is_statsmodels_welch_anova():
    # the one Welch ANOVA of crmlib (used by survey and value front ends) against statsmodels' anova_oneway
    from statsmodels.stats.oneway import anova_oneway

    rng = np.random.default_rng(1)
    samples = [rng.normal(0, 1, 30), rng.normal(0.5, 2, 40), rng.normal(1, 0.5, 25)]
    d = pd.DataFrame({"y": np.concatenate(samples), "g": list("a" * 30 + "b" * 40 + "c" * 25)})
    omni = tb.compare_groups(d, "y", "g").omnibus
    ref = anova_oneway(samples, use_var="unequal", welch_correction=True)
    assert omni["F"] == pytest.approx(ref.statistic, rel=1e-10) and omni["p"] == pytest.approx(ref.pvalue, rel=1e-8)
    assert (omni["df1"], omni["df2"], omni["groups"]) == (2, pytest.approx(ref.df[1]), 3)


def test_effect_signs_agree_when_first_group_is_higher():
    d = pd.DataFrame({"y": [5, 6, 7, 6, 5, 1, 2, 1, 2, 3], "g": ["a"] * 5 + ["b"] * 5})
    res = tb.compare_groups(d, "y", "g")
    assert res.tests.loc["Welch t test", "effect_size"] > 0
    assert res.tests.loc["Mann-Whitney U", "effect_size"] == pytest.approx(1.0)


def test_likert_chart_and_table(corp):
    import matplotlib

    matplotlib.use("Agg")
    items = ["comp_1", "comp_2", "comp_3"]
    tab = tb.likert_table(corp, items, 1, 7)
    assert tab[list(range(1, 8))].sum(axis=1).to_numpy() == pytest.approx([100, 100, 100])
    fig = tb.likert_chart(corp, items, 1, 7)
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("percent") and len(ax.patches) == 21
    assert ax.get_xlabel() == "percent of valid answers (toward 1 < 0 < toward 7)"
    long = {"comp_1": "[The company] is a top competitor in its market and one of the best known"}
    fig = tb.likert_chart(corp, items, 1, 7, labels=long, anchors=("fully disagree", "fully agree"), width=30)
    ax = fig.axes[0]
    first = ax.get_yticklabels()[0].get_text()
    assert first.replace("\n", " ") == long["comp_1"] and first.count("\n") == 2  # wrapped, never cut
    assert ax.get_xlabel() == "percent of valid answers (fully disagree < 0 < fully agree)"


def test_inputchecks_compare_groups(corp):
    with pytest.raises(DataError, match="column 'nope' not in the data"):
        tb.compare_groups(corp, "nope", "servicetype")


def test_inputchecks_likert_scale_must_contain_the_data(corp):
    # a 1-5 scale over 1-7 answers silently dropped the 6s and 7s from the percentages
    with pytest.raises(DataError, match=r"item 'comp_1': .* hold answers outside the scale 1..5 \(e.g. 6\)"):
        tb.likert_table(corp, ["comp_1"], 1, 5)
