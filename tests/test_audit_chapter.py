"""crmlib.audit.chapter and crmlib.audit.realdata: the case-study chapter's sections in English and Chinese.

Oracles: the thesis's printed numbers summed by hand (survey 30 + 170 = 200; Figure 1 22 + 242 = 264; the
Table 4 cost rows 12,532 + 890,000 + 112,530 + 128,048 + 1,043,674 = 2,186,784 yuan, revenue rows
1,196,090 + 6,512,016 = 7,708,106 yuan); the Table 1 bases 193, 386, ... of tests/test_audit.py; the
customer equity of tests/test_equity.py (BG/NBD, 89,822.77 USD). Both languages must give the same numbers.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from crmlib import audit, datasets, i18n
from crmlib.audit.chapter import Part, show
from crmlib.exceptions import DataError


def chapter(language: str, **kw) -> audit.ThesisChapter:
    spec = audit.load_spec(datasets.data_dir() / "thesis_audit.yml")
    m = i18n.load_catalogue("case_study", language)
    return audit.ThesisChapter(m, datasets.load_thesis_tables(), spec, datasets.load_thesis_tiers(), **kw)


def run_all(ch: audit.ThesisChapter) -> list[Part]:
    parts = ch.introduction() + ch.survey() + ch.figures() + ch.table1() + ch.table2()[0] + ch.table3()
    return parts + ch.table4() + ch.table5() + ch.findings() + ch.implications() + ch.rest()


@pytest.fixture(scope="module", params=["en", "zh-Hant"])
def done(request):
    ch = chapter(request.param)
    return ch, run_all(ch)


def tables(parts):
    return [p for p in parts if p.kind == "table"]


def test_sections_give_the_hand_computed_numbers_in_both_languages(done):
    ch, parts = done
    assert ch.valid_share_of_sent == pytest.approx(100 * 170 / 220)
    f1 = ch.figure1()
    assert f1["count"].sum() == 264 and f1.loc["do_not_know", "pct_of_valid"] == pytest.approx(100 * 242 / 170)
    assert list(ch.t1_n[:5]) == [193, 386, 579, 772, 965] and ch.n_star == 193 and ch.responses[0] == 337
    assert ch.cost_sum == {"A": 2_186_784, "B": 2_299_572}  # reading B: advertising 125,320
    assert ch.rev_sum == 7_708_106
    assert ch.study.counts().to_dict() == {"ok": 6, "info": 7, "warning": 3, "error": 9}
    issues = ch.issues()
    assert len(issues) == 8 and int((issues["severity"] == "error").sum()) == 6  # 9 errors, 6 distinct problems
    assert issues.set_index("issue").loc["founding_date", "findings"] == 3
    # the survey account table (Table 2): recomputed counts and rates on their bases
    account = tables(parts)[1].body
    assert list(account.iloc[:, 2]) == [220, 200, 20, 30, 170]
    assert account.iloc[4, 4] == pytest.approx(85.0)


def test_prose_carries_the_numbers_in_both_languages(done):
    ch, parts = done
    prose = " ".join(p.body for p in parts if p.kind == "text")
    for number in [
        "**264**",
        "77.3%",
        "193, 386, 579, 772, 965",
        "2,186,784",
        "2,299,572",
        "7,708,106",
        "1.036",
        "**8",
        "198,660",
        "142.4%",
    ]:
        assert number in prose, number
    assert not re.search(r"\{[a-z_]+[:}]", prose)  # no unfilled field


def test_chinese_chapter_has_no_english_words_in_its_tables_and_prose():
    ch = chapter("zh-Hant")
    parts = run_all(ch)
    for p in parts:
        if p.kind == "text":
            body = re.sub(r"\[[a-z_]+\]\([a-z_]+\.html\)|`[^`]*`|\b(crmlib|lifelines|mobi)\b", "", p.body)
            assert not re.search(r"\b[a-z]{4,}\b", body), body[:80]
        elif p.kind == "table":
            labels = p.options.get("labels", {})
            shown = [labels.get(c, c) for c in p.body.columns]
            assert all(re.search(r"[\u4e00-\u9fff]", str(s)) for s in shown), (p.caption, shown)
            assert "message" not in p.body.columns  # the checks write English: Chinese shows implied vs printed
            assert re.search(r"[\u4e00-\u9fff]", p.caption)
    findings = tables(ch.findings())[2].body
    assert set(findings["severity"]) == {"錯誤", "警告"}
    assert findings.loc[findings["item"] == "圖1：百分比之基數", "expected"].iloc[0] == "264"
    t1 = tables(chapter("zh-Hant").table1())[1].body  # three checks of one item, each with its own values
    assert t1["expected"].tolist() == ["100", "193", "337"] and t1["reported"].tolist() == ["174.6", "170, 200", ""]
    dates = findings.set_index("item").loc["成立日期"]
    assert (dates["expected"], dates["reported"]) == ("2019-02-01", "2009")
    currency = findings.set_index("item").loc["論文表4與表5之幣別"]
    assert (currency["expected"], currency["reported"]) == ("元（人民幣）", "美元")


def test_sensitivity_parameters_change_the_chapter():
    coarse = chapter("en", table1_decimals=1, advertising=125320, rounding="either")
    assert coarse.advertising == 125320 and coarse.other_reading == 12532
    assert coarse.t1_dec == [1, 1, 1, 1]
    # coarser printing admits every base of the printed precision, and more
    assert {193, 386, 579, 772, 965} < set(coarse.t1_n.tolist()) and coarse.t1_n.size > 100
    note = tables(coarse.table1())[0].options["note"]
    assert "re-rounded to 1 decimals" in note and "either rounding" in note


def test_show_sends_each_part_to_the_captioner(monkeypatch):
    import IPython.display

    seen: list = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: seen.append(("display", obj)))

    class Cap:
        def table(self, body, caption, n, **options):
            seen.append(("table", caption, n, options))

        def figure(self, fig, caption, n):
            seen.append(("figure", caption, n))

    show(
        [
            Part("text", "## A"),
            Part("table", pd.DataFrame({"x": [1]}), "T", 3, {"note": "n"}),
            Part("figure", None, "F"),
        ],
        Cap(),
    )
    assert [s[0] for s in seen] == ["display", "table", "figure"]
    assert seen[1] == ("table", "T", 3, {"note": "n"})
    with pytest.raises(DataError, match="'parts'"):
        show([Part("chart", None)], Cap())


def test_inputchecks_chapter():
    with pytest.raises(DataError, match="'advertising'"):
        chapter("en", advertising=1234)
    spec = audit.load_spec(datasets.data_dir() / "thesis_audit.yml")
    ch = chapter("en")
    run_all(ch)
    ch.spec = type(spec)(spec.sections, spec.readings, {k: v for k, v in spec.issues.items() if k != "currency"})
    with pytest.raises(DataError, match=r"do not cover the findings \['currency of thesis Tables 4 and 5'\]"):
        ch.issues()


def test_spec_issues_name_existing_items(tmp_path):
    path = tmp_path / "spec.yml"
    path.write_text("sections:\n  s: [{check: not_checkable, item: a, reason: r}]\nissues:\n  x: [b]\n")
    with pytest.raises(DataError, match=r"issue 'x' names items that no entry has: \['b'\]"):
        audit.load_spec(path)


@pytest.mark.slow
def test_real_data_sections_in_chinese_give_the_numbers_of_the_clv_report():
    m = i18n.load_catalogue("case_study", "zh-Hant")
    real = audit.RealDataChapter(m)
    parts = real.tiers() + real.reconciliation() + real.retention() + real.claims()
    assert real.ce.chosen == "BG/NBD" and real.key_figures["cdnow_customer_equity"] == pytest.approx(
        89_822.77, abs=0.01
    )
    assert list(real.profile["customers"]) == [235, 472, 1650]  # 10% / 20% / 70% of 2,357 customers
    prose = " ".join(p.body for p in parts if p.kind == "text")
    assert "89,823" in prose and "76,727" in prose and "鑽石卡層級" in prose
    tiers = tables(parts)[1].body
    assert list(tiers.index) == ["鑽石卡", "金卡", "理財卡"]
    km = [p.body for p in parts if p.kind == "figure"][1]
    km.canvas.draw()
    ticks = " ".join(t.get_text() for ax in km.axes for t in ax.get_xticklabels())
    assert "尚存客戶數" in ticks and "At risk" not in ticks  # lifelines' English heading of the at-risk table


def test_inputchecks_real_data_chapter():
    m = i18n.load_catalogue("case_study", "en")
    with pytest.raises(DataError, match="cdnow_subset"):
        audit.RealDataChapter(m, cdnow_subset="full")
    with pytest.raises(DataError, match="tier_rule"):
        audit.RealDataChapter(m, tier_rule="deciles")
    real = audit.RealDataChapter(m, value_terms={"margin_share": 0.2, "discount_rate": 0.15})
    assert real.terms_text() == "margin 20% of revenue, discount rate 15% a year, whole remaining life"
    zh = audit.RealDataChapter(i18n.load_catalogue("case_study", "zh-Hant"), cdnow_subset="master")
    assert (
        zh.terms_text() == "毛利率為收入之 30%，年折現率 10%，計至客戶剩餘全部生命期" and zh.subset_text() == "完整資料"
    )
