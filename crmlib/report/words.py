"""The words of a report page's frame (header, parameters table, contents, footer) in the page's language.

A report written in another language (the case study in Traditional Chinese, ``language: zh-Hant`` in
``reports.yml``) gets its frame in that language too: the link back to the index, the code switch, the run
line, the parameters table, the contents and the footer. The report's own words come from the notebook (for
the case study, :mod:`crmlib.i18n`'s catalogues). English is the reference: every language has the same keys
(tested).

References
----------
W3C, "Language tags in HTML and XML" (BCP 47 tags such as ``zh-Hant``), https://www.w3.org/International/articles/language-tags/
"""

from __future__ import annotations

from ..exceptions import DataError

__all__ = ["PAGE_LANGUAGES", "page_words"]

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "all_reports": "All reports",
        "show_code": "Show code",
        "hide_code": "Hide code",
        "run": "Run",
        "notebook": "notebook",
        "parameter": "Parameter",
        "value": "Value",
        "defaults_one": "1 parameter at the notebook's defaults",
        "defaults_many": "{n} parameters at the notebook's defaults",
        "default": "(default)",
        "contents": "Contents",
        "footer_run": "run",
        "footer_all": "all reports",
        "failed": "failed",
        "interrupted": "interrupted",
    },
    "zh-Hant": {
        "all_reports": "全部報告",
        "show_code": "顯示程式碼",
        "hide_code": "隱藏程式碼",
        "run": "執行於",
        "notebook": "筆記本",
        "parameter": "參數",
        "value": "值",
        "defaults_one": "1 個參數採用筆記本的預設值",
        "defaults_many": "{n} 個參數採用筆記本的預設值",
        "default": "（預設值）",
        "contents": "目錄",
        "footer_run": "執行於",
        "footer_all": "全部報告",
        "failed": "執行失敗",
        "interrupted": "已中斷",
    },
    "ko": {
        "all_reports": "모든 보고서",
        "show_code": "코드 보기",
        "hide_code": "코드 숨기기",
        "run": "실행",
        "notebook": "노트북",
        "parameter": "매개변수",
        "value": "값",
        "defaults_one": "매개변수 1개는 노트북의 기본값",
        "defaults_many": "매개변수 {n}개는 노트북의 기본값",
        "default": "(기본값)",
        "contents": "목차",
        "footer_run": "실행",
        "footer_all": "모든 보고서",
        "failed": "실패",
        "interrupted": "중단됨",
    },
}

PAGE_LANGUAGES: tuple[str, ...] = tuple(_WORDS)
"""Languages a report page's frame can be written in (BCP 47 tags; ``reports.yml``'s ``language``)."""


def page_words(language: str = "en") -> dict[str, str]:
    """The frame words of a report page in ``language`` (one of :data:`PAGE_LANGUAGES`).

    Parameters
    ----------
    language : BCP 47 tag of the page's language: ``"en"``, ``"zh-Hant"`` or ``"ko"``.

    Returns
    -------
    dict
        key -> text (``defaults_many`` holds the field ``{n}``, the number of parameters at their defaults).

    Raises
    ------
    DataError
        For a language without frame words, naming the known ones.
    """
    if language not in _WORDS:
        raise DataError(f"language {language!r}: a report page can be in {list(PAGE_LANGUAGES)}")
    return dict(_WORDS[language])
