"""crmlib.i18n: message catalogues, and the Captioner's words in another language.

Oracles: the English catalogue is the reference (every translation holds exactly its keys and format
fields); a catalogue with a key removed or a field dropped, written to a temporary data folder, is refused
naming the key; caption texts are compared with strings written out by hand.
"""

from __future__ import annotations

import shutil

import pytest

from crmlib import i18n, style
from crmlib.exceptions import DataError


@pytest.mark.parametrize("language", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_every_translation_of_the_case_study_matches_the_english_keys_and_fields(language):
    assert i18n.catalogue_problems("case_study", language) == []
    en = i18n.load_catalogue("case_study", "en")
    other = i18n.load_catalogue("case_study", language)
    assert set(other.messages) == set(en.messages)
    assert len(en.messages) > 300  # headings, captions, labels and prose of a 12-section chapter


def test_traditional_chinese_texts_are_chinese_not_english():
    zh = i18n.load_catalogue("case_study", "zh-Hant")
    en = i18n.load_catalogue("case_study", "en")
    # every sentence of prose and every heading is translated, not copied
    for key in ["s1.body", "s2.text", "s4.text", "s7.text", "s9.text", "s11.body", "s12.text", "s10.table5"]:
        assert zh.text(key) != en.text(key)
        assert sum("\u4e00" <= ch <= "\u9fff" for ch in zh.text(key)) > 20, key
    # Traditional, not Simplified, characters in the words the chapter uses most
    text = " ".join(zh.messages.values())
    for simplified in ["关系", "客户", "问卷", "数据", "检验", "计算"]:
        assert simplified not in text
    assert "客戶關係管理" in text and "問卷" in text


def test_a_filled_message_carries_its_numbers():
    zh = i18n.load_catalogue("case_study", "zh-Hant")
    text = zh(
        "s2.text",
        sent=220,
        returned=200,
        invalid=30,
        valid=170,
        valid_rate=85.0,
        valid_of_sent=77.27,
        returned_of_sent=90.91,
    )
    assert "77.3%" in text and "90.9%" in text and "**170**" in text and "85%" in text
    assert zh("caption.n", n="1,000") == "（N = 1,000）"


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of the message folder in a temporary data folder that crmlib reads instead of the shipped one."""
    from crmlib import _bundled

    target = tmp_path / "data" / "messages"
    shutil.copytree(_bundled.bundled_dir("data") / "messages", target)
    monkeypatch.setattr(_bundled, "bundled_dir", lambda kind: tmp_path / kind)
    return target


def test_a_missing_translation_is_an_error_naming_the_key(data_copy):
    path = data_copy / "case_study.zh-Hant.yml"
    text = path.read_text(encoding="utf-8")
    assert '  fig_returned: "回收問卷"\n' in text
    path.write_text(text.replace('  fig_returned: "回收問卷"\n', ""), encoding="utf-8")
    with pytest.raises(DataError, match=r"'s3\.fig_returned' is missing"):
        i18n.load_catalogue("case_study", "zh-Hant")


def test_a_translation_that_drops_a_number_is_an_error_naming_the_field(data_copy):
    path = data_copy / "case_study.zh-Hant.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("得 {mbg:,.0f}", "得之"), encoding="utf-8")
    with pytest.raises(DataError, match=r"'s11\.rec_text' has fields .*'mbg'"):
        i18n.load_catalogue("case_study", "zh-Hant")


def test_inputchecks_catalogue():
    m = i18n.load_catalogue("case_study", "en")
    with pytest.raises(DataError, match="'language'"):
        i18n.load_catalogue("case_study", "zh-Hans")
    with pytest.raises(DataError, match="no 'en' catalogue 'nonesuch'"):
        i18n.load_catalogue("nonesuch", "en")
    with pytest.raises(DataError, match="no message 's99.heading'"):
        m("s99.heading")
    with pytest.raises(DataError, match="needs the value 'valid'"):
        m("s2.text", sent=220)
    with pytest.raises(DataError, match="no messages under 'labels.nonesuch'"):
        m.labels("labels.nonesuch")


def test_captioner_words_in_traditional_chinese():
    cap = style.Captioner(words=i18n.load_catalogue("case_study", "zh-Hant").words())
    assert cap.table_caption("問卷統計", n=220) == "表1　問卷統計（N = 220）"
    assert cap.figure_caption("論文圖1") == "圖1　論文圖1"
    assert cap.table_caption("第二張") == "表2　第二張"
    html = style.table_html(
        __import__("pandas").DataFrame({"ok": [True, False]}), "", note="說明", note_label="註：", yes_no=("是", "否")
    )
    assert "<em>註：</em> 說明" in html and ">是<" in html and ">否<" in html
    assert style.Captioner().table_caption("Tiers", n=1000) == "Table 1. Tiers (N = 1,000)"  # English unchanged
    with pytest.raises(DataError, match="unknown keys"):
        style.Captioner(words={"tabel": "x"})
