"""Reading the files researchers export: text encodings, delimiters and spreadsheets.

The generic part of crmlib's intakes (transaction logs in
:func:`crmlib.transactions.read_log`, surveys in :mod:`crmlib.survey`): what a
file is, how its text is encoded, which character separates its fields, and
how to read an Excel workbook. Nothing here knows what the columns mean.

API
---
``file_kind(path)``                  ``"csv"``, ``"parquet"``, ``"excel"`` from the name (or a folder of Parquet)
``detect_encoding(path, expect=)``   the text encoding of a file, or a DataError naming the candidates
``transcode_to_utf8(path, enc)``     a UTF-8 copy of a text file, streamed through Python's codecs
``sniff_delimiter(path, enc)``       the field separator of a CSV/TSV file
``read_csv(path, ...)``              a CSV/TSV file as pandas, encoding and delimiter detected
``read_excel(path, sheet=)``         an ``.xlsx``/``.xls``/``.xlsm``/``.ods`` sheet as pandas (python-calamine)
``excel_serial_to_datetime(x)``      Excel serial day numbers (1900 date system) as datetime64
``parse_dates(values, column, fmt)`` text dates with a strptime format (or ISO 8601) as datetime64

Encodings: a byte-order mark decides (UTF-8 with BOM is ``"utf-8-sig"``);
otherwise a file that is valid UTF-8 is UTF-8; otherwise each of
:data:`LEGACY_ENCODINGS` (Korean CP949, a superset of EUC-KR; Chinese GB18030,
a superset of GBK/GB2312; traditional Chinese Big5) that decodes the file is a
candidate. Many byte sequences are valid in several of these, so a file is
read only when exactly one candidate decodes it, or exactly one makes the
expected text appear (e.g. the column names the caller asked for, ``expect=``);
otherwise :class:`~crmlib.exceptions.DataError` shows the first line as each
candidate reads it and asks for ``encoding=``. This is the rule of thumb of
the WHATWG Encoding Standard (2024, section 4: a BOM first, then the label):
detection is a guess, so it is made only where it cannot be wrong.

Reference: WHATWG, *Encoding Standard* (https://encoding.spec.whatwg.org/);
Microsoft, *Date systems in Excel* (serial day 1 is 1900-01-01, with the
fictitious 1900-02-29, hence the origin 1899-12-30 for serials after February 1900).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import DataError

LEGACY_ENCODINGS: tuple[str, ...] = ("cp949", "gb18030", "big5")
"""The non-UTF encodings tried when a file is not UTF-8, in this order."""

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
"""The field separators :func:`sniff_delimiter` considers."""

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", ".dat")
_SAMPLE = 1 << 20  # bytes read to detect an encoding or a delimiter
_CHUNK = 1 << 23  # bytes per step when transcoding


def file_kind(path: str | os.PathLike) -> str:
    """``"parquet"``, ``"csv"`` (any delimited text) or ``"excel"`` from a path's suffixes; a folder is Parquet.

    Compressed text (``log.csv.gz``) counts as ``"csv"``. Raises
    :class:`~crmlib.exceptions.DataError` for other names.
    """
    p = Path(path)
    suffixes = [s.lower() for s in p.suffixes]
    if any(s in _PARQUET_SUFFIXES for s in suffixes) or p.is_dir():
        return "parquet"
    if any(s in EXCEL_SUFFIXES for s in suffixes):
        return "excel"
    if any(s in _TEXT_SUFFIXES for s in suffixes):
        return "csv"
    raise DataError(
        f"cannot tell the format of {str(path)!r} from its name: name it *.csv / *.tsv (delimited text), "
        f"*.parquet (or a folder of them), or {' / '.join('*' + s for s in EXCEL_SUFFIXES)} (Excel)"
    )


def _bom(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _decodes(data: bytes, encoding: str, final: bool) -> str | None:
    """``data`` decoded strictly (a multi-byte character cut at the end of a sample is allowed), or None."""
    try:
        return codecs.getincrementaldecoder(encoding)("strict").decode(data, final=final)
    except UnicodeDecodeError:
        return None


def _first_line(text: str) -> str:
    line = text.splitlines()[0] if text else ""
    return line[:80] + (" ..." if len(line) > 80 else "")


def detect_encoding(
    path: str | os.PathLike, *, expect: Iterable[str] = (), candidates: Sequence[str] = LEGACY_ENCODINGS
) -> str:
    """The text encoding of the file at ``path``: ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"`` or one of ``candidates``.

    Parameters
    ----------
    path : a text file (read up to its first MiB).
    expect : text the file should contain once decoded (e.g. the names of the
        columns the caller needs); used to choose between legacy candidates
        that all decode the bytes.
    candidates : legacy encodings to try when the file is not UTF-8.

    Returns
    -------
    A Python codec name.

    Raises
    ------
    DataError
        When no candidate decodes the file (naming the encodings tried and the
        first undecodable byte), or several do and ``expect`` does not tell
        them apart (showing the first line as each reads it).

    Notes
    -----
    See the module notes: a BOM decides, then strict UTF-8, then a unique
    legacy candidate (WHATWG Encoding Standard, 2024).
    """
    with open(path, "rb") as fh:
        head = fh.read(_SAMPLE)
        final = not fh.read(1)
    bom = _bom(head)
    if bom:
        return bom
    if _decodes(head, "utf-8", final) is not None:
        return "utf-8"
    decoded = {enc: _decodes(head, enc, final) for enc in candidates}
    ok = {enc: text for enc, text in decoded.items() if text is not None}
    if not ok:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            where = f"byte 0x{head[exc.start]:02x} at offset {exc.start}"
        raise DataError(
            f"cannot decode {str(path)!r} as utf-8 or any of {list(candidates)} ({where} is not UTF-8); "
            "pass encoding= (e.g. 'cp1252', 'shift_jis')"
        )
    wanted = [w for w in expect if w and not str(w).isascii()]
    if len(ok) > 1 and wanted:
        fits = {enc: text for enc, text in ok.items() if all(str(w) in text for w in wanted)}
        if len(fits) == 1:
            return next(iter(fits))
        if fits:
            ok = fits
    if len(ok) == 1:
        return next(iter(ok))
    readings = "; ".join(f"{enc}: {_first_line(text)!r}" for enc, text in ok.items())
    raise DataError(
        f"{str(path)!r} is not UTF-8 and its encoding is ambiguous: it decodes as each of {list(ok)}; "
        f"its first line reads {readings}. Pass encoding= (e.g. encoding={next(iter(ok))!r})"
    )


def _check_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise DataError(
            f"encoding {encoding!r} is not a known text encoding (e.g. 'utf-8', 'cp949', 'gb18030')"
        ) from None


def transcode_to_utf8(
    path: str | os.PathLike, encoding: str, dest: str | os.PathLike | None = None, *, chunk_bytes: int = _CHUNK
) -> Path:
    """Write a UTF-8 copy of the text file ``path`` read as ``encoding``; return its path.

    The file is streamed in chunks of ``chunk_bytes`` through an incremental
    decoder (a character split between chunks is carried over), so memory
    stays flat whatever the file's size. ``dest`` defaults to a new temporary
    file (the caller removes it). A byte-order mark is dropped.

    Raises
    ------
    DataError
        Naming the file, the encoding, the line and the byte that does not decode.
    """
    enc = _check_encoding(encoding)
    if enc == "utf-8":
        enc = "utf-8-sig"  # drops a BOM if there is one, otherwise the same as utf-8
    if dest is None:
        fd, name = tempfile.mkstemp(prefix="crmlib_utf8_", suffix=".csv")
        os.close(fd)
        dest = name
    dec = codecs.getincrementaldecoder(enc)("strict")
    line = 1
    offset = 0
    try:
        with open(path, "rb") as src, open(dest, "wb") as out:
            while True:
                data = src.read(chunk_bytes)
                final = not data
                try:
                    text = dec.decode(data, final=final)
                except UnicodeDecodeError as exc:
                    at_line = line + data[: max(exc.start, 0)].count(b"\n")
                    raise DataError(
                        f"{str(path)!r} is not valid {encoding}: byte 0x{data[exc.start]:02x} at offset "
                        f"{offset + exc.start:,} (line {at_line:,}) does not decode; pass the "
                        f"file's encoding= (one of 'utf-8', 'utf-8-sig', {', '.join(map(repr, LEGACY_ENCODINGS))}, ...)"
                    ) from None
                out.write(text.encode("utf-8"))
                if final:
                    break
                line += data.count(b"\n")
                offset += len(data)
    except BaseException:
        Path(dest).unlink(missing_ok=True)
        raise
    return Path(dest)


def _sample_text(path: str | os.PathLike, encoding: str) -> str:
    with open(path, "rb") as fh:
        head = fh.read(_SAMPLE)
    text = codecs.getincrementaldecoder(_check_encoding(encoding))("replace").decode(head, final=False)
    if len(head) == _SAMPLE and "\n" in text:  # only whole lines
        text = text[: text.rindex("\n")]
    return text.lstrip("\ufeff")


def sniff_delimiter(path: str | os.PathLike, encoding: str = "utf-8", *, candidates: Sequence[str] = DELIMITERS) -> str:
    """The field separator of a delimited text file: the candidate that splits every line into the same number of fields.

    Reads the first lines (up to 1 MiB; quoted fields respected, as by
    :mod:`csv`). Among the candidates giving the same field count (> 1) on at
    least 95% of the lines, the one with the most fields wins; a file of one
    column gives ``","``.

    Raises
    ------
    DataError
        When no candidate splits the lines consistently (naming the candidates
        and the first line); pass ``delimiter=`` then.
    """
    text = _sample_text(path, encoding)
    lines = [ln for ln in text.splitlines()[:200] if ln.strip()]
    if not lines:
        raise DataError(f"{str(path)!r} is empty")
    best, best_fields = None, 1
    for cand in candidates:
        counts = [len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=cand)]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode > best_fields and counts.count(mode) >= 0.95 * len(counts) and counts[0] == mode:
            best, best_fields = cand, mode
    if best is not None:
        return best
    if not any(c in lines[0] for c in candidates):
        return ","  # one column
    raise DataError(
        f"cannot tell the field separator of {str(path)!r}: none of {list(candidates)} splits its lines into the "
        f"same number of fields (first line: {_first_line(lines[0])!r}); pass delimiter="
    )


def read_csv(
    path: str | os.PathLike,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    dtype: Any = None,
    expect: Iterable[str] = (),
) -> pd.DataFrame:
    """A delimited text file as a pandas DataFrame, its encoding and delimiter detected unless given.

    Parameters
    ----------
    path : the file.
    encoding : its text encoding; default :func:`detect_encoding` (with ``expect``).
    delimiter : the field separator; default :func:`sniff_delimiter`.
    decimal, thousands : the decimal mark and thousands separator of numbers.
    dtype : passed to :func:`pandas.read_csv` (e.g. ``str`` to keep codes as text).
    expect : text the decoded file should contain (e.g. column names), to choose an encoding.

    Returns
    -------
    DataFrame as from :func:`pandas.read_csv`, with ``attrs["encoding"]`` and ``attrs["delimiter"]``.
    """
    enc = encoding or detect_encoding(path, expect=expect)
    sep = delimiter or sniff_delimiter(path, enc)
    try:
        frame = pd.read_csv(path, encoding=enc, sep=sep, decimal=decimal, thousands=thousands, dtype=dtype)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{str(path)!r} is not valid {enc}: {exc.reason} at byte {exc.start:,}; pass encoding="
        ) from None
    frame.attrs.update(encoding=enc, delimiter=sep)
    return frame


def read_excel(path: str | os.PathLike, sheet: str | int | None = None, *, dtype: Any = None) -> pd.DataFrame:
    """One sheet of an Excel (``.xlsx``, ``.xlsm``, ``.xlsb``, ``.xls``) or OpenDocument file as a DataFrame.

    Read by the Rust reader python-calamine through :func:`pandas.read_excel`
    (many times faster than openpyxl). Cells formatted as dates come back as
    datetimes; dates typed as plain numbers stay numbers (convert them with
    :func:`excel_serial_to_datetime`).

    Parameters
    ----------
    path : the workbook.
    sheet : sheet name or 0-based position; default the first sheet.
    dtype : passed to :func:`pandas.read_excel`.

    Raises
    ------
    DataError
        For a sheet that is not in the workbook (naming the sheets there), or a file that is not a workbook.
    """
    try:
        import python_calamine  # noqa: F401
    except ImportError:  # pragma: no cover - a dependency
        raise DataError("reading Excel files needs python-calamine: pip install python-calamine") from None
    try:
        book = pd.ExcelFile(path, engine="calamine")
        names = book.sheet_names
    except Exception as exc:
        raise DataError(f"{str(path)!r} cannot be read as an Excel workbook: {str(exc).splitlines()[0][:200]}") from exc
    which = 0 if sheet is None else sheet
    if (
        isinstance(which, str)
        and which not in names
        or isinstance(which, int)
        and not -len(names) <= which < len(names)
    ):
        raise DataError(f"{str(path)!r} has no sheet {sheet!r}; its sheets are {names}")
    with book:  # opened once: the sheet is parsed from the same workbook
        return book.parse(sheet_name=which, dtype=dtype)


_EXCEL_ORIGIN = np.datetime64("1899-12-30", "D")
_EXCEL_MAX = 2_958_465  # 9999-12-31


def parse_dates(values: pd.Series, column: str, date_format: str | None = None) -> pd.Series:
    """Text dates parsed with the strptime ``date_format`` (``None``: ISO 8601) as ``datetime64[ns]``.

    Surrounding blanks are ignored when a format is given; an entry that does not
    match is ``NaT`` (the caller names those rows, since only it knows which
    entries were given). Timestamps with a UTC offset keep their wall-clock
    time. Text that mixes UTC offsets raises :class:`~crmlib.exceptions.DataError`
    naming ``column``. This is the one date parser of crmlib's intakes
    (``tests/test_intake_boundary.py``); the format rules are those of
    :func:`datetime.datetime.strptime` (ISO 8601-1:2019 without a format).
    """
    text = values.astype("string").str.strip() if date_format is not None else values
    with warnings.catch_warnings():  # pandas 2 warns (pandas 3 raises) on text with mixed UTC offsets
        warnings.filterwarnings("ignore", message=".*mixed time zones", category=FutureWarning)
        try:
            parsed = pd.to_datetime(text, format=date_format or "ISO8601", errors="coerce")
        except (ValueError, TypeError):
            parsed = None
    if parsed is None or not pd.api.types.is_datetime64_any_dtype(parsed.dtype):
        raise DataError(
            f"column {column!r} cannot be read as one kind of date (does it mix time-zone offsets?); convert "
            f"it first, e.g. pd.to_datetime(df[{column!r}], utc=True).dt.tz_convert('<your zone>')"
        )
    if getattr(parsed.dtype, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[ns]")


def excel_serial_to_datetime(values: Any, name: str = "date") -> pd.Series:
    """Excel serial day numbers (1900 date system) as ``datetime64[ns]``; the fraction is the time of day.

    Serial 1 is 1900-01-01 and Excel counts a fictitious 1900-02-29 (serial
    60), so serials from 61 on are days since 1899-12-30 (Microsoft, *Date
    systems in Excel*); serials 1-59 are one day later than that. Missing
    values stay missing.

    Raises
    ------
    DataError
        For serials outside 1..2,958,465 (1900-01-01..9999-12-31), naming ``name`` and the rows.
    """
    s = pd.Series(values)
    x = pd.to_numeric(s, errors="coerce").astype("float64")
    bad = x.notna() & ((x < 1) | (x >= _EXCEL_MAX + 1))
    if bad.any():
        rows = list(s.index[bad.to_numpy()][:5])
        raise DataError(
            f"column {name!r} holds numbers that are not Excel serial dates (1 to {_EXCEL_MAX:,}): "
            f"{bad.sum()} rows, e.g. rows {rows} with {list(s[bad].head(5))}"
        )
    days = x.where(x >= 61, x + 1)
    out = pd.to_datetime(days, unit="D", origin=pd.Timestamp(str(_EXCEL_ORIGIN)))
    return out.astype("datetime64[ns]")


__all__ = [
    "DELIMITERS",
    "EXCEL_SUFFIXES",
    "LEGACY_ENCODINGS",
    "detect_encoding",
    "excel_serial_to_datetime",
    "file_kind",
    "read_csv",
    "read_excel",
    "sniff_delimiter",
    "transcode_to_utf8",
]
