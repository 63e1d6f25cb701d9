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


def test_correctness_cdnow_holds_18_months_not_three_years():
    got = A.answers_from_log(load_cdnow("master"))
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
