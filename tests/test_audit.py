"""Consistency checks of published tables (crmlib.audit).

Oracles, named in each test:
- published GRIM examples: Brown & Heathers (2017) via the scrutiny R package's test vectors
  (lhdjung/scrutiny tests/testthat/test-grim.R: means 5.19..5.30 with N = 28; 0.150..0.159 with
  N = 120 and 3 items; 0.80..0.89 with N = 28 and 2 items) and its example data pigs1 (8 of 12
  means inconsistent), pigs2 (5 of 6 percentages inconsistent with N = 150) and pigs5 (GRIMMER,
  with scrutiny's expected verdict per row); the Economist's example (N = 49, mean 5.93) and the
  die example (N = 20, mean 3.48) from the GRIM literature;
- GRIMMER and SD bounds: rsprite2's tests (LukasWallrich/rsprite2: GRIMMER(5.21, 1.6, 28) passes,
  GRIMMER(3.44, 2.47, 18) fails; SD limits for n = 5, mean 4.2 on 1..7: 0.45..3.03, and 0.27 with
  two items);
- brute force: every data set of a small size is enumerated and its printed statistics must pass;
- constructed tables with known answers (sums, differences, ratios, growth, dates).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from crmlib import audit, datasets
from crmlib.exceptions import DataError

TABLE1 = {
    "raise_sales": 33.16,
    "raise_customer_service": 54.92,
    "raise_marketing_management": 40.93,
    "improve_corporate_image": 45.60,
}


def _prints_as(x: Fraction, reported: str) -> bool:
    """Independent rounding oracle in exact fractions: round-half-up or round-half-even (Python's round)."""
    d = len(reported.split(".")[1]) if "." in reported else 0
    target = Fraction(reported) * 10**d
    scaled = x * 10**d
    return math.floor(scaled + Fraction(1, 2)) == target or round(scaled) == target


# ----------------------------------------------------------------------------- findings


def test_finding_rejects_unknown_severity():
    with pytest.raises(DataError, match="severity 'bad'"):
        audit.Finding("x", "y", "bad", "msg")


def test_findings_frame_flattens_and_orders_severity():
    fs = [audit.Finding("a", "i", "error", "m1", 1, 2), [audit.Finding("b", "j", "ok", "m2")]]
    frame = audit.findings_frame(fs, details=True)
    assert list(frame.columns) == ["check", "item", "severity", "message", "expected", "reported", "details"]
    assert frame["check"].tolist() == ["a", "b"]
    assert frame.sort_values("severity")["check"].tolist() == ["b", "a"]
    assert audit.worst_severity(fs) == "error"
    assert audit.worst_severity([]) == "ok"
    assert not fs[0].consistent and fs[1][0].consistent


def test_decimals_of_reads_printed_text():
    assert audit.decimals_of("45.60") == 2
    assert audit.decimals_of("8.33%") == 2
    assert audit.decimals_of("170") == 0
    assert audit.decimals_of("6,741,373") == 0
    with pytest.raises(DataError, match="not a printed number"):
        audit.decimals_of("12a")


# ----------------------------------------------------------------------------- rounding


def test_rounds_to_accepts_either_half_rule_at_the_boundary():
    # 1/8 = 0.125 exactly: half-up gives 0.13, half-even (banker's) and half-down give 0.12
    assert audit.rounds_to(1, 8, 0.13, 2) and audit.rounds_to(1, 8, 0.12, 2)
    assert not audit.rounds_to(1, 8, 0.11, 2)
    # truncation keeps only 0.12; 'either' keeps both conventions
    assert audit.rounds_to(1, 8, 0.12, 2, rounding="truncate")
    assert not audit.rounds_to(1, 8, 0.13, 2, rounding="truncate")
    assert audit.rounds_to(2, 3, 0.66, 2, rounding="either") and not audit.rounds_to(2, 3, 0.66, 2)


def test_rounds_to_rejects_unknown_rounding_and_excess_decimals():
    with pytest.raises(DataError, match="parameter 'rounding'"):
        audit.rounds_to(1, 8, 0.12, 2, rounding="up")
    with pytest.raises(DataError, match="more decimals than 'decimals'"):
        audit.rounds_to(1, 8, 0.125, 2)
    with pytest.raises(DataError, match="parameter 'denominator' must be positive"):
        audit.rounds_to(1, 0, 0.12, 2)


# ----------------------------------------------------------------------------- percentages and sample sizes


def test_feasible_sample_sizes_against_brute_force_with_decimal_rounding():
    pcts = {"a": "33.3", "b": "16.7", "c": "50.0"}
    got = audit.feasible_sample_sizes({k: float(v) for k, v in pcts.items()}, 1, 60)
    brute = [
        n
        for n in range(1, 61)
        if all(any(_prints_as(Fraction(100 * k, n), v) for k in range(n + 1)) for v in pcts.values())
    ]
    assert got.tolist() == brute
    assert got.tolist()[:3] == [6, 12, 18]


def test_feasible_sample_sizes_table1_known_answer_only_multiples_of_193():
    ns = audit.feasible_sample_sizes(TABLE1, 2, 1000)
    assert ns.tolist() == [193, 386, 579, 772, 965]
    # independent check of N = 193 with plain counts
    counts = {
        "raise_sales": 64,
        "raise_customer_service": 106,
        "raise_marketing_management": 79,
        "improve_corporate_image": 88,
    }
    for key, k in counts.items():
        assert round(100 * k / 193, 2) == pytest.approx(TABLE1[key])
    assert 170 not in ns and 200 not in ns
    assert audit.feasible_sample_sizes(TABLE1, 2, 1000, rounding="truncate").size == 0


def test_feasible_counts_matches_scrutiny_pigs2_percent_grim():
    # scrutiny: pigs2 with N = 150 -> 5 of 6 percentages inconsistent
    fc = audit.feasible_counts([67.4, 54.2, 54.0, 69.8, 68.1, 55.4], 150, 1)
    assert (~fc["feasible"]).sum() == 5
    assert fc.loc[2, ["k_min", "k_max"]].tolist() == [81, 81]
    labelled = audit.feasible_counts(pd.Series([54.0, 67.4], index=["x", "y"]), 150, 1)
    assert labelled["feasible"].to_dict() == {"x": True, "y": False}


def test_feasible_counts_scrutiny_percent_vector_n50():
    # scrutiny test-grim.R: 6..16 percent with N = 50 alternate consistent / inconsistent
    fc = audit.feasible_counts(list(range(6, 17)), 50, 0)
    assert fc["feasible"].tolist() == [True, False] * 5 + [True]


def test_feasible_sample_sizes_input_errors():
    with pytest.raises(DataError, match="must lie in 0..100"):
        audit.feasible_sample_sizes([120.0], 0, 10)
    with pytest.raises(DataError, match="n_min <= n_max"):
        audit.feasible_sample_sizes([50.0], 0, 0)
    with pytest.raises(DataError, match="parameter 'decimals'"):
        audit.feasible_sample_sizes([50.0], -1, 10)


def test_implied_bases_consistent_and_inconsistent():
    assert audit.implied_bases([1, 3], [25, 75], 0).tolist() == [4]
    assert audit.implied_bases([22, 242], [8.33, 91.67], 2).tolist() == [264]
    assert audit.implied_bases([1, 1], [25, 50], 0).size == 0  # no single base
    with pytest.raises(DataError, match="give 'n_max'"):
        audit.implied_bases([0], [0.0], 1)


def test_check_percentage_with_stated_base():
    ok = audit.check_percentage(22, 8.33, 2, base=264)
    bad = audit.check_percentage(22, 8.33, 2, base=170)
    assert ok.severity == "ok" and bad.severity == "error"
    assert bad.expected == pytest.approx(100 * 22 / 170, abs=1e-4)


def test_check_percentage_with_unstated_base_names_the_fitting_candidate():
    f = audit.check_percentage(170, 85, 0, candidate_bases={"returned": 200, "sent": 220})
    assert f.severity == "info" and f.details["fits"] == {"returned": True, "sent": False}
    assert "returned" in f.message
    g = audit.check_percentage(170, 90, 0, candidate_bases={"returned": 200, "sent": 220})
    assert g.severity == "error"
    with pytest.raises(DataError, match="exactly one of 'base'"):
        audit.check_percentage(1, 50, 0)


def test_check_percentages_implied_base_against_stated():
    counts, pcts = {"know": 22, "not": 242}, {"know": 8.33, "not": 91.67}
    good = audit.check_percentages(counts, pcts, 2, base=264)
    assert [f.severity for f in good] == ["ok", "ok", "ok"]
    bad = audit.check_percentages(counts, pcts, 2, base=170, per_row=False)
    assert len(bad) == 1 and bad[0].severity == "error" and bad[0].expected == 264
    assert bad[0].details["sum_of_counts"] == 264
    with pytest.raises(DataError, match="same keys"):
        audit.check_percentages({"a": 1}, {"b": 50.0}, 0)


def test_check_multiple_response_consistent_and_inconsistent():
    good = audit.check_multiple_response(TABLE1, 2, n_max=400, stated_n=193)
    assert [f.check for f in good] == ["percent_base", "feasible_n", "responses"]
    assert good[0].reported == pytest.approx(174.61)
    assert good[1].severity == "ok"
    assert good[2].expected == 64 + 106 + 79 + 88
    bad = audit.check_multiple_response(TABLE1, 2, n_max=1000, stated_n={"valid": 170})
    assert bad[1].severity == "error" and bad[1].expected == 193
    assert bad[1].details["responses"][386] == (674, 674)


def test_check_multiple_response_percent_of_responses_sums_to_100():
    f = audit.check_multiple_response({"a": 25.0, "b": 75.0}, 0, n_max=8)
    assert f[0].severity == "info" and "responses" in f[0].message
    assert f[1].details["feasible_n"] == [4, 8]
    short = audit.check_multiple_response({"a": 20.0, "b": 30.0}, 0, n_max=10)
    assert short[0].severity == "warning"


# ----------------------------------------------------------------------------- totals, differences, ratios, growth


def test_check_parts_total_consistent_and_inconsistent():
    assert audit.check_parts_total({"valid": 170, "invalid": 30}, 200).severity == "ok"
    f = audit.check_parts_total({"a": 12532, "b": 890000, "c": 112530, "d": 128048, "e": 1043674}, 6741373)
    assert f.severity == "error" and f.expected == 2186784 and f.details["gap"] == 6741373 - 2186784
    assert f.details["single_part_fixes"]["e"] == 1043674 + 6741373 - 2186784
    # rounded parts: 33.3 * 3 = 99.9 against 100.0 is within rounding at 1 decimal
    assert audit.check_parts_total({"a": 33.3, "b": 33.3, "c": 33.3}, 100.0, decimals=1).severity == "ok"
    assert audit.check_parts_total({"a": 33.3, "b": 33.3, "c": 33.3}, 100.0).severity == "error"
    with pytest.raises(DataError, match="'parts' is empty"):
        audit.check_parts_total({}, 1)


def test_check_difference_consistent_inconsistent_and_sign():
    assert audit.check_difference(162908, 108632, 54276).severity == "ok"
    f = audit.check_difference(162908, 108632, 54267)
    assert f.severity == "error" and f.details["gap"] == -9
    g = audit.check_difference(108632, 162908, 54276)
    assert g.severity == "error" and "opposite sign" in g.message
    with pytest.raises(DataError, match="parameter 'minuend'"):
        audit.check_difference("x", 1, 1)


def test_check_ratio_consistent_inconsistent_boundary_and_swap():
    bad = audit.check_ratio(6987106, 6741373, 1.18, 2)
    assert bad.severity == "error" and bad.expected == pytest.approx(6987106 / 6741373, abs=1e-5)
    lo, hi = bad.details["numerator_range"]
    assert lo == pytest.approx(1.175 * 6741373) and hi == pytest.approx(1.185 * 6741373)
    assert audit.check_ratio(6987106, 6741373, 1.04, 2).severity == "ok"
    assert audit.check_ratio(1, 8, 0.12, 2).severity == "ok" and audit.check_ratio(1, 8, 0.13, 2).severity == "ok"
    swapped = audit.check_ratio(2, 3, 1.5, 1)
    assert swapped.severity == "error" and "swapped" in swapped.message
    with pytest.raises(DataError, match="'denominator' is zero"):
        audit.check_ratio(1, 0, 1.0, 1)


def test_check_growth_percent_ratio_absolute():
    assert audit.check_growth(100, 125, 25.0, decimals=1).severity == "ok"
    assert audit.check_growth(100, 125, 24.0, decimals=1).severity == "error"
    assert audit.check_growth(80, 100, 1.25, kind="ratio", decimals=2).severity == "ok"
    f = audit.check_growth(1196090, 6512016, 0, kind="absolute")
    assert f.severity == "error" and f.expected == 5315926
    assert audit.check_growth(5, 8, 3, kind="absolute").severity == "ok"
    with pytest.raises(DataError, match="starting level is zero"):
        audit.check_growth(0, 1, 1.0, decimals=1)
    with pytest.raises(DataError, match="parameter 'kind'"):
        audit.check_growth(1, 2, 1.0, kind="log", decimals=1)


# ----------------------------------------------------------------------------- GRIM


@pytest.mark.parametrize(
    "first, last, scale, n, decimals, items, expected",
    [
        (519, 530, 100, 28, 2, 1, "..G...G...G."),
        (150, 159, 1000, 120, 3, 3, "G..G..G.G."),
        # 0.87 and 0.88 both come from 49/56 = 0.875: either half rule is accepted
        (80, 89, 100, 28, 2, 2, "G.G.G.GGGG"),
    ],
)
def test_grim_matches_scrutiny_vectors_brown_heathers(first, last, scale, n, decimals, items, expected):
    """The means first/scale .. last/scale against scrutiny's published GRIM vectors ("G": consistent)."""
    means = np.round(np.arange(first, last + 1) / scale, decimals)
    assert audit.grim_consistent(means, n, decimals, items=items).tolist() == [c == "G" for c in expected]


def test_grim_published_examples_economist_and_die_and_pigs1():
    assert not audit.grim_consistent(5.93, 49, 2)  # 49 participants, mean 5.93: 290.57 is not whole
    assert not audit.grim_consistent(3.48, 20, 2)  # 20 die rolls: means end in 0 or 5
    assert audit.grim_consistent(3.45, 20, 2)
    pigs1 = [
        (7.22, 32),
        (4.74, 25),
        (5.23, 29),
        (2.57, 24),
        (6.77, 27),
        (2.68, 28),
        (7.01, 29),
        (7.38, 26),
        (3.14, 27),
        (6.89, 31),
        (5.00, 25),
        (0.24, 28),
    ]
    m, n = np.array(pigs1).T
    assert (~audit.grim_consistent(m, n.astype(int), 2)).sum() == 8  # scrutiny: 8 of 12 inconsistent
    assert audit.grim_consistent(-5.21, 28, 2) and not audit.grim_consistent(-5.19, 28, 2)


def test_check_grim_finding_ok_error_and_uninformative():
    ok = audit.check_grim(5.21, 28, 2)
    bad = audit.check_grim(5.19, 28, 2)
    assert ok.severity == "ok" and ok.details["total"] == 146
    assert bad.severity == "error" and bad.expected == [5.18, 5.21]
    assert audit.check_grim(5.19, 150, 2).severity == "info"
    with pytest.raises(DataError, match="parameter 'n'"):
        audit.grim_consistent(5.19, 0, 2)
    with pytest.raises(DataError, match="parameter 'items'"):
        audit.grim_consistent(5.19, 28, 2, items=0)


# ----------------------------------------------------------------------------- GRIMMER and SD bounds


def test_sd_bounds_match_rsprite2():
    lo, hi = audit.sd_bounds(4.2, 5, 1, 7)
    assert (round(lo, 2), round(hi, 2)) == (0.45, 3.03)
    lo2, hi2 = audit.sd_bounds(4.2, 5, 1, 7, items=2)
    assert (round(lo2, 2), round(hi2, 2)) == (0.27, 3.03)
    assert audit.sd_bounds(1, 100, 1, 7) == (0.0, 0.0)
    with pytest.raises(DataError, match="not a whole total"):
        audit.sd_bounds(4.21, 5, 1, 7)


def test_grimmer_matches_rsprite2_and_scrutiny_pigs5():
    assert audit.grimmer_consistent(5.21, 1.6, 28, 2, 1)
    assert not audit.grimmer_consistent(3.44, 2.47, 18, 2, 2)
    pigs5 = [
        (7.22, 5.30, 38),
        (4.74, 6.55, 31),
        (5.23, 2.55, 35),
        (2.57, 2.57, 30),
        (6.77, 2.18, 33),
        (2.68, 2.59, 34),
        (7.01, 6.68, 35),
        (7.38, 3.65, 32),
        (3.14, 5.32, 33),
        (6.89, 4.18, 37),
        (5.00, 2.18, 31),
        (0.24, 6.43, 34),
    ]
    expected = [False, True, False, True, False, True, False, True, False, True, True, True]
    assert [audit.grimmer_consistent(m, s, n, 2, 2) for m, s, n in pigs5] == expected
    # scrutiny's reasons: row 1 fails GRIM, row 3 fails the parity test
    assert "GRIM" in audit.check_sd(7.22, 5.30, 38, 2, 2).message
    assert "parity" in audit.check_sd(5.23, 2.55, 35, 2, 2).message


def test_check_sd_never_flags_a_real_data_set_brute_force():
    # every multiset of 5 answers on 1..7; its printed mean and SD must pass GRIM, GRIMMER and the bounds
    seen = set()
    for data in itertools.combinations_with_replacement(range(1, 8), 5):
        x = np.array(data, float)
        seen.add((round(x.mean(), 2), round(x.std(ddof=1), 2)))
    for m, s in sorted(seen):
        assert audit.check_sd(m, s, 5, 2, 2, scale_min=1, scale_max=7).severity == "ok", (m, s)


def test_check_sd_two_items_never_flags_a_real_data_set_brute_force():
    # 4 persons, each the average of 2 items on 1..5 (scores in steps of 0.5): every printed mean/SD must pass
    grid = np.arange(2, 11) / 2
    seen = {
        (round(float(np.mean(x)), 2), round(float(np.std(x, ddof=1)), 2))
        for x in itertools.combinations_with_replacement(grid, 4)
    }
    flagged = [
        (m, s)
        for m, s in sorted(seen)
        if audit.check_sd(m, s, 4, 2, 2, items=2, scale_min=1, scale_max=5).severity != "ok"
    ]
    assert flagged == []


def test_check_sd_on_a_scale_centred_on_zero_brute_force():
    # 4 answers on -3..3: negative means must be handled like positive ones
    seen = {
        (round(float(np.mean(x)), 2), round(float(np.std(x, ddof=1)), 2))
        for x in itertools.combinations_with_replacement(range(-3, 4), 4)
    }
    assert all(audit.check_sd(m, s, 4, 2, 2, scale_min=-3, scale_max=3).severity == "ok" for m, s in seen)
    # mean -2.75 of 4 answers on -3..3 forces -3, -3, -3, -2 (SD 0.50): an SD of 3.00 is impossible
    assert audit.check_sd(-2.75, 3.0, 4, 2, 2, scale_min=-3, scale_max=3).severity == "error"


def test_simulated_tables_always_pass_their_own_checks():
    # simulation with known truth: percentages and means computed from random data are consistent with their N
    rng = np.random.default_rng(20170401)
    for _ in range(200):
        n = int(rng.integers(5, 400))
        counts = rng.integers(0, n + 1, size=4)
        pcts = np.round(100 * counts / n, 2)
        assert n in audit.feasible_sample_sizes(pcts, 2, n)
        answers = rng.integers(1, 8, size=(n, 3))
        assert audit.grim_consistent(round(answers.mean(), 2), n, 2, items=3)


def test_check_sd_bounds_consistent_and_inconsistent():
    assert audit.check_sd(4.2, 0.84, 5, 2, 2, scale_min=1, scale_max=7).severity == "ok"  # 3, 4, 4, 5, 5
    too_big = audit.check_sd(
        4.2, 3.27, 5, 2, 2, scale_min=1, scale_max=7
    )  # passes GRIMMER (Q = 131), beyond the largest SD
    assert audit.grimmer_consistent(4.2, 3.27, 5, 2, 2)
    assert too_big.severity == "error" and too_big.expected == pytest.approx((0.4472, 3.0332), abs=1e-4)
    assert audit.check_sd(4.2, 0.30, 5, 2, 2, scale_min=1, scale_max=7).severity == "error"
    with pytest.raises(DataError, match="n >= 2"):
        audit.check_sd(4.2, 0.3, 1, 2, 2)


# ----------------------------------------------------------------------------- dates and statements


def test_check_chronology_and_agreement():
    bad = audit.check_chronology({"founded": "2019-02-01", "CRM from": 2010, "CRM to": 2016})
    assert [f.severity for f in bad] == ["error", "ok"]
    good = audit.check_chronology({"founded": 2009, "CRM from": 2010, "CRM to": 2016})
    assert all(f.severity == "ok" for f in good)
    assert audit.check_chronology({"founded": "2019-02-01", "active": 2019})[0].severity == "ok"
    assert audit.check_agreement({"3.1": "2019-02-01", "Table 2": 2009}, what="founding year").severity == "error"
    assert audit.check_agreement({"3.1": "2019-02-01", "later": 2019}).severity == "ok"
    assert audit.check_agreement({"a": 3, "b": 3}).severity == "ok"
    with pytest.raises(DataError, match="as a year"):
        audit.check_chronology({"a": "soon", "b": 2010})


# ----------------------------------------------------------------------------- declarative audit


@pytest.fixture(scope="module")
def thesis():
    return datasets.load_thesis_tables()


def test_resolve_references_units_literals_and_overrides(thesis):
    assert audit.resolve(thesis, "survey.valid") == 170
    assert audit.resolve(thesis, "figure1.know_crm@percent") == pytest.approx(8.33)
    assert audit.resolve(thesis, "table1.improve_corporate_image", text=True) == "45.60"
    assert audit.resolve(thesis, "table5.customer_value.year1_difference") == 54276
    assert audit.resolve(thesis, "text.company_founded") == "2019-02-01"
    assert audit.resolve(thesis, {"value": 2015, "label": "x"}) == 2015
    assert audit.resolve(thesis, "table4.cost_advertising_survey", {"table4.cost_advertising_survey": 125320}) == 125320
    with pytest.raises(DataError, match="matches 2 rows"):
        audit.resolve(thesis, "figure1.know_crm")
    with pytest.raises(DataError, match="matches 0 rows"):
        audit.resolve(thesis, "table9.nothing")


def test_audit_tables_runs_a_spec_on_the_thesis(thesis):
    costs = [
        "table4.cost_advertising_survey",
        "table4.cost_special",
        "table4.cost_visits_hosting",
        "table4.cost_relationship_maintenance",
        "table4.cost_transactions",
    ]
    spec = [
        {
            "check": "parts_total",
            "item": "returned",
            "parts": ["survey.valid", "survey.invalid"],
            "total": "survey.returned",
        },
        {
            "check": "percentage",
            "item": "valid rate",
            "count": "survey.valid",
            "reported": "survey.valid_rate",
            "candidate_bases": {"returned": "survey.returned", "sent": "survey.sent"},
        },
        {
            "check": "multiple_response",
            "item": "table1",
            "stated_n": {"valid": "survey.valid"},
            "percentages": [
                "table1.raise_sales",
                "table1.raise_customer_service",
                "table1.raise_marketing_management",
                "table1.improve_corporate_image",
            ],
        },
        {"check": "parts_total", "item": "costs", "parts": costs, "total": "table4.cost_total"},
        {
            "check": "ratio",
            "item": "ratio",
            "numerator": "table4.revenue_total",
            "denominator": "table4.cost_total",
            "reported": "table4.cost_benefit_ratio",
        },
        {
            "check": "difference",
            "item": "t5y1",
            "minuend": "table5.customer_value.year1_with",
            "subtrahend": "table5.customer_value.year1_without",
            "reported": "table5.customer_value.year1_difference",
        },
        {
            "check": "agreement",
            "item": "founding",
            "values": {"3.1": "text.company_founded", "before Table 2": "text.company_founded_in_table2_text"},
        },
        {"check": "not_checkable", "item": "table2", "reason": "no counts"},
    ]
    frame = audit.findings_frame(audit.audit_tables(thesis, spec))
    assert frame["severity"].tolist() == [
        "ok",
        "info",
        "info",
        "error",
        "info",
        "error",
        "error",
        "ok",
        "error",
        "info",
    ]
    alt = audit.audit_tables(thesis, spec[3:4], overrides={"table4.cost_advertising_survey": 125320})
    assert alt[0].expected == 2186784 - 12532 + 125320
    judged = audit.audit_tables(thesis, [dict(spec[4], on_fail="warning", note="(Row defined differently?)")])
    assert judged[0].severity == "warning" and judged[0].message.endswith("(Row defined differently?)")
    truncated = audit.audit_tables(thesis, spec[2:3], rounding="truncate")
    assert truncated[1].details["feasible_n"] == []


def test_audit_tables_spec_errors(thesis):
    with pytest.raises(DataError, match="needs keys 'check' and 'item'"):
        audit.audit_tables(thesis, [{"check": "ratio"}])
    with pytest.raises(DataError, match="unknown check 'sum'"):
        audit.audit_tables(thesis, [{"check": "sum", "item": "x"}])
    with pytest.raises(DataError, match="'on_fail' must be one of"):
        audit.audit_tables(thesis, [{"check": "not_checkable", "item": "x", "reason": "r", "on_fail": "fatal"}])
    with pytest.raises(DataError, match="lacks key 'total'"):
        audit.audit_tables(thesis, [{"check": "parts_total", "item": "x", "parts": ["survey.valid"]}])
