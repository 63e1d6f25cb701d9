"""CRM self-assessment (oracles: hand-computed scores, levels, gaps and retention rates; CDNOW's known span)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crmlib import assessment as A
from crmlib.datasets import load_cdnow
from crmlib.exceptions import DataError


@pytest.fixture(scope="module")
def items():
    return A.load_assessment_items()


def test_runability_instrument_covers_every_area_and_stage_in_three_languages(items):
    assert set(items["area"]) == set(A.AREAS)
    assert set(items.loc[items["area"] == "customer_management", "stage"]) == set(A.STAGES)
    for col in ("wording_en", "wording_zh", "wording_ko"):
        assert (items[col].str.len() > 5).all(), col
    assert set(items["from_data"]) - {""} == {
        "years_of_records",
        "retention_computable",
        "value_computable",
        "segment_contact",
    }


def test_correctness_scores_by_hand(items):
    ans = pd.DataFrame([dict.fromkeys(items["item"], 3.0)], index=["firm"])
    ans.loc["firm", ["ap1", "ap2", "ap3"]] = [1, 2, np.nan]  # analysis_planning: (1+2+3+3+3)/5 = 2.4
    ans.loc["firm", "cm7"] = 5  # win-back stage 5; customer_management (3*6 + 5)/7
    s = A.assessment_scores(ans, items).loc["firm"]
    assert s["analysis_planning"] == pytest.approx(2.4)
    assert s["customer_management"] == pytest.approx(23 / 7)
    assert s["stage:win_back"] == 5 and s["stage:welcome"] == 3
    overall = (2.4 + 3 + 3 + 3 + 3 + 23 / 7) / 6  # each area once
    assert s["overall"] == pytest.approx(overall) and s["maturity"] == "defined"
    with pytest.raises(DataError, match=r"column 'ap1' is not an answer 1-5 in 1 row"):
        A.assessment_scores(ans.assign(ap1=6), items)
    with pytest.raises(DataError, match=r"no answer on the 'proposition' items \['pr1', 'pr2'\]"):
        A.assessment_scores(ans.assign(pr1=np.nan, pr2=np.nan), items)


def test_correctness_maturity_levels_at_the_cuts():
    got = A.maturity_level([1.0, 1.79, 1.8, 2.6, 3.39, 3.4, 4.2, 5.0])
    assert got.tolist() == [
        "initial",
        "initial",
        "developing",
        "defined",
        "defined",
        "managed",
        "optimising",
        "optimising",
    ]
    assert A.maturity_level([3.0], cuts=(1.5, 2.0, 2.5, 3.0)).tolist() == ["optimising"]
    with pytest.raises(DataError, match="must lie in"):
        A.maturity_level([0.5])
    with pytest.raises(DataError, match="4 increasing"):
        A.maturity_level([2.0], cuts=(1, 2, 2, 3))


def test_correctness_gaps_and_priorities_by_hand():
    scores = pd.Series({"analysis_planning": 2.0, "measurement": 3.5, "proposition": 4.5})
    target = {"analysis_planning": 4.0, "measurement": 4.0, "proposition": 4.0}
    g = A.assessment_gaps(scores, target, weights={"analysis_planning": 1, "measurement": 5, "proposition": 1})
    # priorities: 1 x 2.0 = 2.0, 5 x 0.5 = 2.5, above target 0 -> measurement first
    assert g.index.tolist() == ["measurement", "analysis_planning", "proposition"]
    assert g["priority"].tolist() == [2.5, 2.0, 0.0] and g.loc["proposition", "gap"] == -0.5
    assert g["rank"].tolist()[:2] == [1, 2] and pd.isna(g.loc["proposition", "rank"])
    with pytest.raises(DataError, match="not scored"):
        A.assessment_gaps(scores, {"win_back": 4})


@pytest.fixture(scope="module")
def cdnow():
    log = load_cdnow("master")
    return log, A.answers_from_log(log)


def test_correctness_cdnow_holds_18_months_not_three_years(cdnow):
    got = cdnow[1]
    assert got.loc["years_of_records", "answer"] == "no"
    assert got.loc["years_of_records", "value"] == pytest.approx(546 / 365.25)  # 1997-01-01 .. 1998-06-30
    assert "17.9 months" in got.loc["years_of_records", "evidence"]
    assert got.loc["value_computable", "answer"] == "yes" and got.loc["retention_computable", "answer"] == "yes"
    assert got.loc["segment_contact", "answer"] == "cannot tell"


def test_correctness_retention_and_contact_by_hand():
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 3, 3, 1],
            "date": pd.to_datetime(
                ["2020-01-05", "2020-02-01", "2020-01-09", "2020-02-03", "2020-03-01", "2020-03-02"]
            ),
        }
    )
    # monthly buyers: Jan {1, 2}, Feb {1, 3}, Mar {3, 1}; again next month: Jan->Feb 1 of 2, Feb->Mar 2 of 2
    got = A.answers_from_log(log, period="month")
    assert got.loc["retention_computable", "value"] == pytest.approx(3 / 4)
    assert got.loc["value_computable", "answer"] == "no"  # no amounts
    contacts = pd.DataFrame(
        {"segment": ["a"] * 20 + ["b"] * 20, "channel": ["mail"] * 18 + ["call"] * 2 + ["mail"] * 2 + ["call"] * 18}
    )
    got = A.answers_from_log(log, contacts=contacts)
    # 2x2 table [[18, 2], [2, 18]] with Yates' correction: (|18*18 - 2*2| - 40/2)^2 * 40 / (20^4) = 22.5
    from scipy import stats

    assert got.loc["segment_contact", "answer"] == "yes"
    assert got.loc["segment_contact", "value"] == pytest.approx(stats.chi2.sf(22.5, 1))


def test_runability_radar_chart(items):
    scores = pd.Series(dict.fromkeys(A.AREAS, 3.0))
    ax = A.plot_assessment_radar(scores, target=dict.fromkeys(A.AREAS, 4.0))
    assert len(ax.get_xticklabels()) == 6 and ax.get_ylabel() == "Score (1-5)"
    assert len(ax.lines) == 2
    plt.close(ax.figure)


def test_correctness_simulated_answers_recover_the_profile(items):
    profile = dict(zip(A.AREAS, [2.0, 3.0, 4.0, 2.5, 3.5, 3.0]))
    ans = A.simulate_answers(profile, 400, seed=3, items=items)
    assert ans.attrs["data_source"] == "SIMULATED" and ans.to_numpy().min() >= 1 and ans.to_numpy().max() <= 5
    means = A.assessment_scores(ans, items)[list(A.AREAS)].mean()
    for area, level in profile.items():  # rounding to whole answers keeps the mean (levels away from 1 and 5)
        assert means[area] == pytest.approx(level, abs=0.05), area
    again = A.simulate_answers(profile, 400, seed=3, items=items)
    assert again.equals(ans)
    with pytest.raises(DataError, match="missing"):
        A.simulate_answers({"proposition": 3}, 2, seed=1)


def test_correctness_cdnow_retention_and_value_answers_by_hand(cdnow):
    """CDNOW (1997-01-01 .. 1998-06-30): six quarters; the pooled share of a quarter's buyers who buy again in the
    next quarter and the number of repeat buyers, counted here quarter by quarter."""
    log, got = cdnow
    q = log["date"].dt.to_period("Q")
    buyers = {p: set(log.loc[q == p, "customer_id"]) for p in sorted(q.unique())}
    periods = sorted(buyers)
    assert len(periods) == 6
    again = sum(len(buyers[a] & buyers[b]) for a, b in zip(periods[:-1], periods[1:]))
    base = sum(len(buyers[a]) for a in periods[:-1])
    assert got.loc["retention_computable", "value"] == pytest.approx(again / base)
    assert "6 quarters of records" in got.loc["retention_computable", "evidence"]
    repeaters = int((log.groupby("customer_id").size() >= 2).sum())
    assert (
        got.loc["value_computable", "value"] == repeaters
        and f"{repeaters:,} customers" in got.loc["value_computable", "evidence"]
    )
    assert got.loc["years_of_records", "value"] * 12 == pytest.approx(17.94, abs=0.01)  # 18 months, not 36
    table = A.data_answers_table(A.load_assessment_items(), got, "ko")
    assert table.loc["ap3", "answer"] == "no" and table.loc["ap3", "질문"].startswith("상세한 고객 거래 기록")
    assert set(table["answer"]) == {"yes", "no", "cannot tell"}


def test_correctness_labels_in_three_languages(items):
    ko, zh, en = (A.assessment_labels(x) for x in ("ko", "zh", "en"))
    assert ko["analysis_planning"] == "Analysis & planning 분석 및 계획" and zh["win_back"] == "Win-back 赢回客户"
    assert en["stage:welcome"] == "Welcome" and ko["stage:welcome"] == ko["welcome"] == "Welcome 환영"
    assert set(A.AREAS) | set(A.STAGES) <= set(ko)
    table = A.assessment_items_table(items, "ko")
    assert list(table.columns) == ["Area 영역", "Stage 단계", "Question", "질문"] and len(table) == len(items)
    assert table.loc["ap1", "질문"] == items.set_index("item").loc["ap1", "wording_ko"]
    assert list(A.assessment_items_table(items, "en").columns) == ["Area", "Stage", "Question"]
    with pytest.raises(DataError, match="language"):
        A.assessment_labels("ja")


def test_runability_profile_figure_in_korean(items):
    """The Korean labels are drawn with a font that has Hangul (no missing-glyph warning) where a CJK font is
    installed, as on every machine that renders the reports (``make reports`` installs one)."""
    import warnings

    from crmlib import style

    if style.cjk_font() is None:
        pytest.skip("no CJK font installed: the figure would show boxes (crmlib.style.cjk_font)")
    style.use()
    scores = pd.Series({**dict.fromkeys(A.AREAS, 3.0), **{f"stage:{s}": 2.5 for s in A.STAGES}})
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing")
        fig = A.plot_assessment_profile(scores, dict.fromkeys(A.AREAS, 4.0), language="ko")
        fig.canvas.draw()
    areas, stages = fig.axes
    assert [t.get_text() for t in areas.get_xticklabels()][0] == "Analysis & planning\n분석 및 계획"
    assert len(stages.get_xticklabels()) == 7 and stages.get_title() == "Customer-management stages 고객 관리 단계"
    assert [t.get_text() for t in areas.get_legend().get_texts()] == ["score 점수", "target 목표"]
    np.testing.assert_allclose(stages.lines[1].get_ydata(), 4.0)  # the stages get customer_management's target
    plt.close(fig)
    with pytest.raises(DataError, match="target needs a score for every area"):
        A.plot_assessment_profile(scores, {"measurement": 4.0})


def _expected_answer(level: float, noise: float) -> float:
    """E[clip(round(level + N(0, noise^2)), 1, 5)]: the answer's expectation, by the normal CDF (independent oracle)."""
    from scipy import stats

    edges = np.array([-np.inf, 1.5, 2.5, 3.5, 4.5, np.inf])
    p = np.diff(stats.norm.cdf((edges - level) / noise))
    return float(p @ np.arange(1, 6))


def test_correctness_recovery_study_bias_is_the_rounding_and_clipping_bias():
    # levels near the ends of the scale: the clipped, rounded answers pull the mean score inwards by a known amount
    profile = dict.fromkeys(A.AREAS, 1.2) | {"proposition": 4.8, "measurement": 3.0}
    study = A.recovery_study(profile, 80, seed=5, noise=0.7)
    expected = pd.Series({a: _expected_answer(v, 0.7) - v for a, v in profile.items()})
    assert expected["analysis_planning"] == pytest.approx(0.16, abs=0.01)  # not a small effect
    assert ((study["bias"] - expected).abs() < 3.5 * study["bias_mcse"]).all(), pd.concat(
        [study["bias"], expected], axis=1
    )


def test_correctness_recovery_study_finds_the_true_first_priority():
    profile = {"analysis_planning": 2.0, "proposition": 3.0, "people_organisation": 3.5, "measurement": 2.5,
               "customer_experience": 3.0, "customer_management": 3.0}  # fmt: skip
    study = A.recovery_study(profile, 40, seed=2026)
    assert study.attrs["true_first"] == "analysis_planning" and study.attrs["first_recovered"] > 0.95
    assert study["first_priority"].sum() == pytest.approx(1.0)
    tied = A.recovery_study(dict.fromkeys(A.AREAS, 3.0), 2, seed=1)
    assert tied.attrs["true_first"] is None and np.isnan(tied.attrs["first_recovered"])


def test_inputchecks_recovery_study():
    with pytest.raises(DataError, match="n_runs"):
        A.recovery_study(dict.fromkeys(A.AREAS, 3.0), 1, seed=1)
    with pytest.raises(DataError, match="missing"):
        A.recovery_study({"proposition": 3.0}, 3, seed=1)
