"""One intake for surveys: data from CSV, Excel, SPSS and Stata files, with a codebook read or derived.

=====================  ==========================================================
``read_survey``        a survey file (or a bundled survey by name) and its
                       codebook -> :class:`~crmlib.survey.codebook.IntakeResult`
``read_codebook``      a codebook from CSV (any encoding and delimiter) or Excel
``codebook_from_metadata``  a codebook derived from an SPSS/Stata file's
                       metadata (value labels -> scale, user-missing values ->
                       missing codes, variable labels -> wording), to edit
=====================  ==========================================================

Formats: delimited text (``.csv``, ``.tsv``, ...; encoding and delimiter found
by :mod:`crmlib._files` unless given), Excel (``.xlsx``, ``.xls``, ... through
python-calamine), SPSS (``.sav``, ``.zsav``, portable ``.por``) and Stata
(``.dta``) through ``pyreadstat`` (ReadStat). SPSS files are read with their
user-defined missing values kept as values, so that the codebook's missing
codes (taken from the file's metadata) mark them; Stata's extended missing
values (``.a`` to ``.z``) and system missing values are read as missing.

References
----------
IBM SPSS Statistics Command Syntax Reference, MISSING VALUES and VALUE LABELS;
StataCorp, Stata Data Management Reference Manual, ``missing values`` and
``label``; Fiedler, E. (2017-) ReadStat, the C library behind pyreadstat.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import _files
from .._checks import require_columns
from ..datasets import SURVEY_FILES, load_codebook, survey_files
from ..exceptions import DataError
from .codebook import Codebook, IntakeResult, codebook_from_frame, intake

__all__ = ["read_survey", "read_codebook", "codebook_from_metadata", "STATS_SUFFIXES"]

STATS_SUFFIXES = (".sav", ".zsav", ".por", ".dta")
"""File suffixes read by pyreadstat (SPSS system, compressed and portable files; Stata)."""


def _pyreadstat():
    try:
        import pyreadstat
    except ImportError:  # pragma: no cover - a dependency
        raise DataError("reading SPSS and Stata files needs pyreadstat: pip install pyreadstat") from None
    return pyreadstat


def _read_stats_file(path: Path, columns: Sequence[str] | None = None) -> tuple[pd.DataFrame, Any]:
    """An SPSS or Stata file as (data, pyreadstat metadata); user-missing SPSS values kept as values."""
    prs = _pyreadstat()
    suffix = path.suffix.lower()
    usecols = list(columns) if columns is not None else None
    try:
        if suffix in (".sav", ".zsav"):
            return prs.read_sav(path, user_missing=True, usecols=usecols)
        if suffix == ".por":
            return prs.read_por(path, usecols=usecols)
        return prs.read_dta(path, usecols=usecols)
    except prs.ReadstatError as exc:
        raise DataError(f"{path.name}: cannot be read as {suffix} ({exc})") from None
    except Exception as exc:  # pyreadstat raises PyreadstatError and others for a damaged file
        if type(exc).__module__.startswith("pyreadstat"):
            raise DataError(f"{path.name}: cannot be read as {suffix} ({exc})") from None
        raise


def _missing_codes(name: str, meta: Any, source: str) -> list[float]:
    """User-defined missing values of one SPSS variable (discrete values and whole-number ranges)."""
    codes: list[float] = []
    for rng in (getattr(meta, "missing_ranges", None) or {}).get(name, []):
        lo, hi = rng["lo"], rng["hi"]
        if isinstance(lo, str) or isinstance(hi, str):
            continue  # a missing code of a text variable: not a rating item
        if lo == hi:
            codes.append(float(lo))
        elif float(lo).is_integer() and float(hi).is_integer() and hi - lo <= 100:
            codes.extend(float(v) for v in range(int(lo), int(hi) + 1))
        else:
            raise DataError(
                f"{source}: variable {name!r} declares the missing range {lo:g} THRU {hi:g}; a codebook lists "
                "missing codes one by one: derive the codebook, write the codes into 'missing_codes' and pass it"
            )
    return codes


def _code_text(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def codebook_from_metadata(
    source: str | os.PathLike, *, columns: Sequence[str] | None = None, construct_from_names: bool = True
) -> Codebook:
    """A codebook derived from the metadata of an SPSS (``.sav``, ``.zsav``, ``.por``) or Stata (``.dta``) file.

    Per variable (item): ``wording`` is the variable label; ``scale_min`` and
    ``scale_max`` are the smallest and largest *labelled* code that is not a
    missing code (a 1-7 scale labelled only at 1 and 7 gives 1..7); a variable
    with fewer than two labelled codes takes the range of its observed
    (non-missing) values, and ``attrs["observed_scale"]`` of the items table
    lists those items to check; ``missing_codes`` are the SPSS user-defined
    missing values (discrete values, and whole-number ranges of up to 101
    codes); ``value_labels`` the labels of the non-missing codes; ``reverse``
    is false. ``construct`` is the variable name without a trailing number
    (``comp_1`` -> ``comp``, ``IMAG3`` -> ``IMAG``) when
    ``construct_from_names``, else the name itself.

    The result is a first draft: edit ``codebook.items`` (reverse coding,
    constructs, labels) or write it with :meth:`Codebook.to_csv`, edit the
    file and read it back with :func:`read_codebook`.

    Raises
    ------
    DataError : a text variable (not a rating item: drop it with ``columns=``),
        a variable with no labelled codes and no answers, or a missing range
        that cannot be listed code by code.

    References
    ----------
    IBM SPSS Statistics Command Syntax Reference: VALUE LABELS, MISSING VALUES,
    VARIABLE LABELS; StataCorp, Stata Data Management Reference Manual: ``label``.
    """
    path = _existing(source)
    if path.suffix.lower() not in STATS_SUFFIXES:
        raise DataError(
            f"{path.name}: only SPSS/Stata files ({', '.join(STATS_SUFFIXES)}) carry a codebook in their metadata; "
            "for CSV or Excel data pass codebook= (a CSV or Excel codebook)"
        )
    data, meta = _read_stats_file(path, columns)
    return _codebook_from_meta(data, meta, path.name, construct_from_names)


def _codebook_from_meta(data: pd.DataFrame, meta: Any, source: str, construct_from_names: bool) -> Codebook:
    labels_of = getattr(meta, "variable_value_labels", None) or {}
    wording_of = dict(zip(meta.column_names, meta.column_labels or [None] * len(meta.column_names)))
    text_vars = [c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])]
    if text_vars:
        raise DataError(
            f"{source}: variables {text_vars[:10]} are text, not rating items; leave them out with columns=[...]"
        )
    rows, observed = [], []
    for name in data.columns:
        codes = _missing_codes(name, meta, source)
        labelled = {float(k): str(v) for k, v in labels_of.get(name, {}).items() if float(k) not in codes}
        if len(labelled) >= 2:
            lo, hi = min(labelled), max(labelled)
        else:
            values = data[name].to_numpy(dtype=float, na_value=np.nan)
            values = values[~np.isnan(values) & ~np.isin(values, codes)]
            if values.size == 0:
                raise DataError(f"{source}: variable {name!r} has no labelled codes and no answers: give its scale")
            lo, hi = float(values.min()), float(values.max())
            observed.append(name)
        construct = re.sub(r"[_.\-]?\d+$", "", name) if construct_from_names else name
        rows.append(
            {
                "item": name,
                "construct": construct or name,
                "construct_label": construct or name,
                "scale_min": lo,
                "scale_max": hi if hi > lo else lo + 1,
                "reverse": False,
                "missing_codes": ";".join(_code_text(c) for c in codes),
                "wording": wording_of.get(name) or "",
                "value_labels": ";".join(
                    f"{_code_text(k)}={v.replace(';', ',')}"
                    for k, v in sorted(labelled.items())
                    if float(k).is_integer()
                ),
            }
        )
    cb = codebook_from_frame(pd.DataFrame(rows), source)
    cb.items.attrs["observed_scale"] = observed
    return cb


def _existing(source: str | os.PathLike) -> Path:
    p = Path(source)
    if not p.is_file():
        raise FileNotFoundError(f"survey file {str(p)!r} not found")
    return p


def read_codebook(
    path: str | os.PathLike,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
) -> Codebook:
    """Read a codebook from CSV (``#`` starts a comment line) or Excel, checked strictly.

    The columns are those of :func:`crmlib.datasets.check_codebook` (``item,
    construct, construct_label, scale_min, scale_max, reverse, missing_codes,
    wording``) plus the optional ``value_labels`` (``"1=postpaid;2=prepaid"``)
    and ``mr_group``. A CSV's encoding and delimiter are detected by
    :mod:`crmlib._files` unless given; ``sheet`` chooses an Excel sheet.

    References
    ----------
    IBM SPSS Statistics, *Codebook* procedure (the layout of a variable-by-variable codebook).
    """
    p = _existing(path)
    kind = _files.file_kind(p)
    if kind == "excel":
        frame = _files.read_excel(p, sheet, dtype=str)
        frame = frame[~frame["item"].fillna("").astype(str).str.startswith("#")] if "item" in frame else frame
        return codebook_from_frame(frame.fillna("").reset_index(drop=True), p.name)
    if kind != "csv":
        raise DataError(f"{p.name}: a codebook is a CSV or Excel file")
    if encoding is None and delimiter is None:
        try:
            return codebook_from_frame(load_codebook(p), p.name)  # UTF-8, comma: the common case
        except (UnicodeDecodeError, DataError):
            pass
    enc = encoding or _files.detect_encoding(p, expect=["item", "scale_min"])
    lines = [ln for ln in p.read_text(encoding=enc).splitlines() if not ln.lstrip().startswith("#")]
    with tempfile.TemporaryDirectory() as tmp:  # the comment lines dropped, the delimiter sniffed by _files
        plain = Path(tmp) / p.name
        plain.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            frame = _files.read_csv(plain, encoding="utf-8", delimiter=delimiter, dtype=str)
        except pd.errors.ParserError as exc:
            raise DataError(f"{p.name}: cannot be parsed as CSV: {exc}") from exc
    return codebook_from_frame(frame, p.name)


def _read_raw(
    p: Path,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | int | None,
    columns: Sequence[str] | None,
    expect: Sequence[str] = (),
) -> tuple[pd.DataFrame, Any]:
    if p.suffix.lower() in STATS_SUFFIXES:
        return _read_stats_file(p, columns)
    kind = _files.file_kind(p)
    if kind == "csv":
        raw = _files.read_csv(p, encoding=encoding, delimiter=delimiter, dtype=str, expect=expect)
    elif kind == "excel":
        raw = _files.read_excel(p, sheet)
    else:
        raise DataError(
            f"{p.name}: a survey is read from CSV, Excel, SPSS ({', '.join(STATS_SUFFIXES[:3])}) or Stata (.dta)"
        )
    if columns is not None:
        require_columns(raw, columns, p.name)
        raw = raw[list(columns)]
    return raw, None


def read_survey(
    source: str | os.PathLike,
    codebook: Codebook | pd.DataFrame | str | os.PathLike | None = None,
    *,
    strict: bool = True,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
    columns: Sequence[str] | None = None,
) -> IntakeResult:
    """Read a survey (one row per respondent, respondents numbered from 1) and check it against its codebook.

    Parameters
    ----------
    source : a bundled survey name (``"mobi"``, ``"corp_rep"``) or a file: CSV/TSV
        (any encoding and delimiter), Excel, SPSS ``.sav``/``.zsav``/``.por`` or Stata ``.dta``.
    codebook : a :class:`Codebook`, a codebook table, or the path of a CSV/Excel
        codebook; default: the bundled codebook of a bundled survey, or the one
        derived from an SPSS/Stata file's metadata (:func:`codebook_from_metadata`).
        A CSV or Excel survey needs one.
    strict : malformed answers (text in a rating item, codes outside the scale)
        raise :class:`DataError` listing item and respondents; otherwise they
        are listed in ``issues`` and set to missing.
    encoding, delimiter : of a CSV file (detected when not given; the codebook's item
        names, when they are not ASCII, decide between encodings); sheet : of an Excel file.
    columns : read only these columns (e.g. to leave out free-text variables).

    Returns
    -------
    IntakeResult : clean numeric answers (reverse items recoded, missing codes
    as NA), the issues found, straight-lining and missing-answer summaries.
    ``data.attrs["source"]`` names the file.

    References
    ----------
    De Vaus, D. (2014). *Surveys in Social Research*, 6th ed., ch. 13 (coding
    and checking data); IBM SPSS Statistics Command Syntax Reference (MISSING VALUES).
    """
    if isinstance(source, str) and source in SURVEY_FILES:
        data_path, bundled_codebook = survey_files(source)
        codebook = bundled_codebook if codebook is None else codebook
    else:
        if isinstance(source, str) and not Path(source).suffix and not Path(source).exists():
            survey_files(source)  # a misspelt bundled name: the error lists the names and the close match
        data_path = _existing(source)
    if isinstance(codebook, Codebook):
        cb = codebook
    elif isinstance(codebook, pd.DataFrame):
        cb = codebook_from_frame(codebook, "codebook")
    elif codebook is not None:
        cb = read_codebook(codebook)
    expect = list(cb.items["item"]) if codebook is not None else []  # item names tell a CSV's encoding
    raw, meta = _read_raw(data_path, encoding, delimiter, sheet, columns, expect)
    raw.index = pd.RangeIndex(1, len(raw) + 1, name="respondent")
    if codebook is None:
        if meta is None:
            raise DataError(
                f"{data_path.name}: a CSV or Excel survey carries no codebook; pass codebook= (a CSV or Excel "
                "codebook, see crmlib.datasets.check_codebook for its columns)"
            )
        cb = _codebook_from_meta(raw, meta, data_path.name, True)
    try:
        result = intake(raw, cb, strict=strict)
    except DataError as exc:
        raise DataError(f"{data_path.name}: {exc}") from None
    result.data.attrs["source"] = data_path.name
    return result
