"""crmlib.audit: audits from a YAML specification (load_spec, TableAudit), readings, per-N profiles, ratio readings.

Oracles: sums and ratios of the printed thesis numbers computed by hand in the comments; the per-N profile
against the per-percentage feasible sample sizes (an independent route through feasible_sample_sizes);
the thesis's Table 1 bases 193, 386, ... (the known answer of tests/test_audit.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from crmlib import audit, datasets
from crmlib.exceptions import DataError

AD = "table4.cost_advertising_survey"


@pytest.fixture(scope="module")
def printed():
    return datasets.load_thesis_tables()


@pytest.fixture(scope="module")
def spec():
    return audit.load_spec(datasets.data_dir() / "thesis_audit.yml")


def test_thesis_spec_file_reads_its_sections_and_readings(spec):
    assert list(spec.sections) == ["survey", "figures", "table1", "table2", "table3", "table4", "table5"]
    assert spec.n_checks == 22
    # the two readings of the garbled advertising cost are those of the transcription's note
    assert spec.readings[AD] == {"A": 12532, "B": 125320}


def test_readings_agree_with_the_transcription_note(printed, spec):
    row = printed.loc[printed["item"] == "cost_advertising_survey"].iloc[0]
    assert int(row["value"]) == spec.readings[AD]["A"]
    assert f"the other reading is {spec.readings[AD]['B']}" in row["note"]


def test_table_audit_runs_the_thesis_sections_with_known_verdicts(printed, spec):
    study = audit.TableAudit(printed, spec, overrides={AD: 12532})
    survey = study.run("survey")
    assert survey["severity"].tolist() == ["ok", "info"]  # 170 + 30 = 200; 170/200 = 85% (the returned base)
    assert "returned base" in survey["message"].iloc[1]
    t1 = study.check("table1")
    assert t1[1].details["feasible_n"] == [193, 386, 579, 772, 965]
    t4 = study.run("table4")
    assert t4["severity"].tolist() == ["error", "error", "error", "warning"]
    # cost rows 12,532 + 890,000 + 112,530 + 128,048 + 1,043,674 = 2,186,784 against a printed 6,741,373
    assert study.findings[-4].expected == 2_186_784
    assert len(study.findings) == 2 + 4  # run keeps, check does not
    assert study.counts().to_dict() == {"ok": 1, "info": 1, "warning": 1, "error": 3}


def test_table_audit_totals_under_each_reading(printed, spec):
    study = audit.TableAudit(printed, spec, overrides={AD: 12532})
    costs = spec.sections["table4"][0]["parts"]
    assert study.total(costs) == 2_186_784
    assert study.total(costs, {AD: 125320}) == 2_186_784 - 12_532 + 125_320
    other = study.check("table4", overrides={AD: 125320})[0]
    assert other.expected == 2_186_784 - 12_532 + 125_320 and other.severity == "error"


def test_section_settings_replace_the_key_in_every_entry(printed, spec):
    study = audit.TableAudit(printed, spec)
    small = study.check("table1", n_max=400)
    assert small[1].details["feasible_n"] == [193, 386]


def test_rerounded_prints_fewer_decimals_and_checks_read_them(printed, spec):
    refs = spec.sections["table1"][0]["percentages"]
    over = audit.rerounded(printed, refs, 1)
    assert over["table1.improve_corporate_image"] == {"value": 45.6, "text": "45.6"}
    study = audit.TableAudit(printed, spec, overrides=over)
    assert study.decimals("table1.improve_corporate_image") == 1
    feasible = study.check("table1", n_max=60)[1].details["feasible_n"]
    t1 = study.values(refs)
    assert feasible == audit.feasible_sample_sizes(t1, 1, 60).tolist()  # same search, decimals from the text


def test_reproduced_counts_against_each_percentage_alone():
    pct, dec = [33.16, 54.92, 40.93, 45.60], 2
    per_n = audit.reproduced_counts(pct, dec, 600)
    ns = np.arange(1, 601)
    alone = sum(np.isin(ns, audit.feasible_sample_sizes([p], dec, 600)) for p in pct)
    np.testing.assert_array_equal(per_n["reproduced"].to_numpy(), alone)
    assert per_n.index[per_n["all"]].tolist() == audit.feasible_sample_sizes(pct, dec, 600).tolist() == [193, 386, 579]


def test_ratio_readings_by_hand():
    r = audit.ratio_readings(
        {"printed": 6_987_106, "rows": 7_708_106}, {"printed": 6_741_373, "rows": 2_186_784}, 1.18, 2
    )
    assert r.index.tolist() == ["printed / printed", "printed / rows", "rows / printed", "rows / rows"]
    assert r.loc["printed / printed", "ratio"] == pytest.approx(6_987_106 / 6_741_373)  # 1.0365
    assert not r["prints_as_reported"].any()
    assert audit.ratio_readings({"a": 118}, {"b": 100}, 1.18, 2)["prints_as_reported"].tolist() == [True]


def test_judgement_entries_are_findings_the_analyst_states(printed, spec):
    found = audit.TableAudit(printed, spec).check("figures")
    j = [f for f in found if f.check == "judgement"]
    assert len(j) == 1 and j[0].severity == "warning" and "who answered" in j[0].item


# ---------------------------------------------------------------- bad input


def test_inputchecks_load_spec_unknown_check_with_close_match(tmp_path):
    p = tmp_path / "a.yml"
    p.write_text("sections:\n  s:\n    - {check: parts_totl, item: x}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"a.yml: section 's', entry 0: unknown check 'parts_totl' \(did you mean"):
        audit.load_spec(p)


def test_inputchecks_load_spec_needs_sections(tmp_path):
    p = tmp_path / "b.yml"
    p.write_text("checks: []\n", encoding="utf-8")
    with pytest.raises(DataError, match="expected a mapping with 'sections'"):
        audit.load_spec(p)


def test_inputchecks_load_spec_empty_section_and_bad_readings(tmp_path):
    p = tmp_path / "c.yml"
    p.write_text("sections:\n  s: []\n", encoding="utf-8")
    with pytest.raises(DataError, match="section 's' must be a non-empty list"):
        audit.load_spec(p)
    p.write_text("sections:\n  s:\n    - {check: not_checkable, item: x, reason: r}\nreadings:\n  a.b: 3\n")
    with pytest.raises(DataError, match="'readings' must map a reference"):
        audit.load_spec(p)


def test_inputchecks_load_spec_file_absent(tmp_path):
    with pytest.raises(DataError, match="audit specification .*nope.yml' not found"):
        audit.load_spec(tmp_path / "nope.yml")


def test_inputchecks_table_audit_unknown_section(printed, spec):
    with pytest.raises(DataError, match=r"no section 'tabel4' in the specification \(did you mean 'table4'"):
        audit.TableAudit(printed, spec).run("tabel4")


def test_inputchecks_judgement_severity():
    with pytest.raises(DataError, match="severity must be one of"):
        audit.judgement("x", "fatal", "r")


def test_inputchecks_rerounded_decimals(printed):
    with pytest.raises(DataError, match="decimals must be >= 0 and <= 9"):
        audit.rerounded(printed, {"a": "table1.raise_sales"}, 12)


def test_inputchecks_ratio_readings_zero_denominator():
    with pytest.raises(DataError, match=r"denominators\['b'\] is zero"):
        audit.ratio_readings({"a": 1}, {"b": 0}, 1.0, 1)


def test_thesis_customer_values_by_year_as_printed(printed):
    t5 = datasets.load_thesis_customer_values(printed)
    assert t5.index.tolist() == [1, 2, 3] and t5.columns.tolist() == ["without", "with", "difference"]
    # the transcription's year-1 row: 108,632 without, 162,908 with, printed difference 54,276 (= 162,908 - 108,632)
    assert t5.loc[1].tolist() == [108_632, 162_908, 54_276]
    assert (t5["with"] - t5["without"] == t5["difference"]).all()


def test_inputchecks_thesis_customer_values_need_their_rows(printed):
    with pytest.raises(DataError, match="thesis Table 5: expected customer_value rows"):
        datasets.load_thesis_customer_values(printed[printed["table"] != "table5"])
