"""ONE intake for transaction logs: :func:`read_log` and the dates of a log.

Every crmlib function that takes a log (``summarize``, ``purchase_days``, and
through the latter profit, survival and CLV validation) reads it here, so a
log is accepted, typed and dated the same way everywhere. The generic file
work (encodings, delimiters, Excel) is :mod:`crmlib._files`.

Dates: a ``date_format`` is honoured on every source. Without one, text dates
are read when their form is certain: ISO 8601 (``2020-01-31``), year first
(``2020/01/31``, ``2020.01.31``, ``2020年1月31日``), or day and month in an
order the data themselves decide (a first number above 12 can only be a day).
Text dates whose day and month could be either way round are an error that
shows rows with both readings: ``01/02/2020`` is 1 February or 2 January, and
guessing would put purchases weeks apart (ISO 8601-1:2019 is the only order
that needs no guess).
"""

from __future__ import annotations

import codecs
import csv
import glob
import os
import re
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import _files
from ..datasets.logs import BUNDLED_LOGS
from ..exceptions import DataError
from . import _engines as eng

_SQL = re.compile(r"^\s*(select|with|from)\b", re.IGNORECASE)
_SAMPLE_ROWS = 500
_TIME = r"(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?"
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YMD = re.compile(r"^(\d{4})([-./])(\d{1,2})\2(\d{1,2})\.?" + _TIME + "$")
_CJK = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_DMY = re.compile(r"^(\d{1,2})([-./])(\d{1,2})\2(\d{4}|\d{2})" + _TIME + "$")
_DMY_SQL = r"^\s*(\d{1,2})[-./](\d{1,2})[-./]"  # the two leading numbers, for the engines' regexp_extract


@dataclass(eq=False)
class TransactionLog:
    """A transaction log as read by :func:`read_log`: a lazy table on an engine and its column mapping.

    Attributes
    ----------
    table : the log as an Ibis table (the source's own column names).
    backend : the Ibis backend that runs queries on it.
    customer_id, date, amount : the column names (``amount`` may be ``None``).
    source : what was read, for messages and the summary's record.
    frame : the pandas rows (dates and amounts parsed, the caller's index) when the
        source was a DataFrame or an Excel sheet, to name rows by index label.
    date_format : the strptime format used for text dates (given or read off the data), or
        ``None`` for ISO 8601 text or typed dates.
    decimal, thousands : how amounts written as text are read.

    Use it as a context manager (or call :meth:`close`) to release the temporary
    tables and files of the intake.
    """

    table: Any
    backend: Any
    customer_id: str
    date: str
    amount: str | None
    source: str
    frame: pd.DataFrame | None = None
    raw: pd.DataFrame | None = None
    date_format: str | None = None
    decimal: str = "."
    thousands: str | None = None
    dates_only: bool = False  # text dates without a time of day: compared as days in the duplicate check
    owned_table: bool = False  # ``table`` is a temporary DuckDB table of the intake (a parsed CSV file)
    cleanup: list = field(default_factory=list)

    def __enter__(self) -> TransactionLog:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Drop the temporary tables, views and files of the intake."""
        while self.cleanup:
            fn = self.cleanup.pop()
            try:
                fn()
            except Exception:  # pragma: no cover - best effort
                pass

    def typed(self):
        """The log as ``cid``, ``day`` (date), ``when`` (the date as given), ``date_given`` and, with an
        amount, ``amount`` (float64) and ``amount_given``: one Ibis expression, run where the data are."""
        t, date, amount = self.table, self.date, self.amount
        dtype = t[date].type()
        when = None
        if dtype.is_date():
            day = t[date]
        elif dtype.is_timestamp():
            day = t[date].cast("date")
        elif dtype.is_string() or (dtype.is_integer() and self.date_format is not None):
            parsed = t[_PARSED_DATE] if _PARSED_DATE in t.columns else self._parse_dates(t)
            day = parsed.cast("date")
            when = day if self.dates_only else parsed  # the instant given (text is never compared as text)
        elif dtype.is_unknown() and "TIMESTAMP" in str(dtype).upper():
            # e.g. DuckDB's TIMESTAMPTZ_NS (pandas writes time-zone-aware nanoseconds to Parquet), which Ibis
            # does not know: read as a timestamp with time zone (microseconds), like TIMESTAMPTZ
            import ibis.expr.datatypes as dt

            t = t.mutate(**{date: t[date].cast(dt.Timestamp(timezone="UTC"))})
            day = t[date].cast("date")
        elif dtype.is_numeric():
            raise DataError(
                f"column {date!r} holds numbers ({dtype}), not dates; pass date_format= (e.g. '%Y%m%d') to parse them"
            )
        else:
            raise DataError(f"column {date!r} has type {dtype}; pass dates, timestamps or text dates")
        cols = {"cid": t[self.customer_id], "day": day, "when": t[date] if when is None else when, "date_text": t[date]}
        cols["date_given"] = t["__crmlib_date_given"] if "__crmlib_date_given" in t.columns else t[date].notnull()
        if amount is not None:
            atype = t[amount].type()
            if atype.is_numeric() and not atype.is_boolean():
                a = t[amount].cast("float64")
            elif atype.is_string():
                a = t[_PARSED_AMOUNT] if _PARSED_AMOUNT in t.columns else self._parse_amounts(t)
            else:
                raise DataError(f"column {amount!r} has type {atype}; amounts must be numbers")
            if atype.is_floating() or atype.is_string():  # NaN (e.g. in a Parquet file) is not a number
                a = eng.ibis_module().ifelse(a.isnan(), eng.ibis_module().null("float64"), a)
            cols["amount"] = a
            cols["amount_given"] = (
                t["__crmlib_amount_given"] if "__crmlib_amount_given" in t.columns else t[amount].notnull()
            )
        return t.select(**cols)

    def _parse_dates(self, t):
        """The text (or integer) date column parsed to timestamps: ``date_format``, or ISO 8601; NULL if unparsable."""
        text = t[self.date] if t[self.date].type().is_string() else t[self.date].cast("string")
        if self.date_format is None:  # trimmed only where needed (COALESCE evaluates it for the NULLs left)
            return text.try_cast("timestamp").coalesce(text.strip().try_cast("timestamp"))
        return _strptime(text, self.date_format, self.backend).coalesce(
            _strptime(text.strip(), self.date_format, self.backend)
        )

    def _parse_amounts(self, t):
        """The text amount column as float64 (declared thousands separators dropped, decimal comma read)."""
        a = t[self.amount].strip()
        if self.thousands:
            a = a.replace(self.thousands, "")
        if self.decimal != ".":
            a = a.replace(self.decimal, ".")
        return a.try_cast("float64")

    def _parse_once(self) -> None:
        """Read a CSV file (a DuckDB view on it) once into a temporary table that also holds the parsed dates and
        amounts: the checks and the plan scan the log several times, and would parse the text each time."""
        t, view = self.table, self.table.get_name()
        extra = {}
        if t[self.date].type().is_string():
            extra[_PARSED_DATE] = self._parse_dates(t)
        if self.amount is not None and t[self.amount].type().is_string():
            extra[_PARSED_AMOUNT] = self._parse_amounts(t)
        expr = t.mutate(**extra) if extra else t
        name = f"crmlib_csv_{uuid.uuid4().hex}"
        con = self.backend.con
        eng.run_pre_execute_hooks(self.backend, expr)
        con.execute(f'CREATE TEMP TABLE "{name}" AS {self.backend.compile(expr)}')
        con.execute(f'DROP VIEW IF EXISTS "{view}"')
        self.cleanup.append(lambda: con.execute(f'DROP TABLE IF EXISTS "{name}"'))
        self.table = self.backend.table(name)


_PARSED_DATE, _PARSED_AMOUNT = "__crmlib_date_parsed", "__crmlib_amount_parsed"


def _strptime(text, fmt: str, backend):
    """``text`` parsed with the strptime format ``fmt``; NULL where it does not match (DuckDB's try_strptime)."""
    if backend.name == "duckdb":
        return _try_strptime(text, fmt)
    return text.as_timestamp(fmt)  # other engines: Ibis translates the format for the engine


_TRY_STRPTIME: list = []


def _try_strptime(text, fmt):
    if not _TRY_STRPTIME:
        import ibis
        import ibis.expr.datatypes as dt

        def try_strptime(s, f):  # pragma: no cover - a declaration, run by DuckDB
            ...

        try_strptime.__annotations__ = {"s": dt.string, "f": dt.string, "return": dt.timestamp}
        _TRY_STRPTIME.append(ibis.udf.scalar.builtin(try_strptime, name="try_strptime"))
    return _TRY_STRPTIME[0](text, fmt)


def read_log(
    source: Any,
    *,
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str | None = "amount",
    date_format: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    sheet: str | int | None = None,
    engine: Any = None,
) -> TransactionLog:
    """Read a transaction log (one row per purchase) from wherever it is, for every crmlib function that takes one.

    Parameters
    ----------
    source : a pandas DataFrame; a path to a CSV/TSV file (any delimiter and
        encoding), a Parquet file, folder or glob (``"logs/*.parquet"``), or an
        Excel workbook (``.xlsx``, ``.xls``, ...); a SQL query (``"SELECT ..."``) or
        a table name on ``engine``; a DuckDB relation; a Spark DataFrame; an Ibis
        table (then run on its own backend); a bundled log's name
        (``"cdnow_sample"``, ``"cdnow_master"``: ``crmlib.datasets.BUNDLED_LOGS``,
        when no file of that name exists); or a :class:`TransactionLog`
        (returned as is: its own column mapping and reading options hold).
    customer_id, date, amount : the columns (any header, e.g. ``"고객번호"``,
        ``"购买日期"``); ``amount=None`` for a log without amounts.
    date_format : strptime format of text (or numeric, e.g. ``"%Y%m%d"``) dates,
        honoured on every source. Default: ISO 8601 and the other forms of the
        module notes; day/month text that could be read either way is an error
        showing rows and both readings.
    encoding : text encoding of a CSV file; default detected
        (:func:`crmlib._files.detect_encoding`; an error names the candidates
        when several fit). Files not in UTF-8 are transcoded to a temporary
        UTF-8 copy, streamed.
    delimiter : field separator of a CSV file; default sniffed.
    decimal, thousands : decimal mark (``"."`` or ``","``) and thousands
        separator of amounts written as text (``"1.234,50"``: ``decimal=","``,
        ``thousands="."``).
    sheet : worksheet of an Excel file (name or 0-based position; default the
        first). Dates stored as Excel serial numbers are converted (1900 date system).
    engine : where the log is read and summarised: None or ``"duckdb"`` (an
        in-process DuckDB), a DuckDB connection, ``"spark"``/a SparkSession, or
        an Ibis backend. Not used with an Ibis table.

    Returns
    -------
    TransactionLog
        Lazy: nothing but a sample of the dates is read until a query runs.
        Close it (or use ``with``) to drop its temporary tables and files.

    Raises
    ------
    DataError
        Naming the column, file, encoding or pattern at fault: a missing column
        (with the columns there), an undecodable file, a glob that matches no
        file, a corrupt Parquet file, ambiguous day/month dates (with rows and
        both readings), a sheet that is not in the workbook.

    Notes
    -----
    The dates of a log are parsed here and nowhere else in crmlib (ISO 8601-1:2019
    for text dates without a format). Reference for the encodings: WHATWG,
    *Encoding Standard*; for serial dates: Microsoft, *Date systems in Excel*.
    """
    if isinstance(source, TransactionLog):
        return source
    if decimal not in (".", ","):
        raise DataError(f"decimal must be '.' or ',', got {decimal!r}")
    if thousands is not None and (thousands == decimal or thousands not in (",", ".", " ", "'", "\u00a0", "_")):
        raise DataError(f"thousands must be None or one of ',', '.', ' ', \"'\" other than decimal, got {thousands!r}")
    names = {"customer_id": customer_id, "date": date, "amount": amount}
    opts: dict[str, Any] = dict(customer_id=customer_id, date=date, amount=amount, decimal=decimal, thousands=thousands)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"fetch_arrow_table\(\) is deprecated", category=DeprecationWarning)
        if eng.is_ibis_table(source):
            if engine is not None:
                raise DataError("engine= is not used with an Ibis table: the table's own backend runs the summary")
            _check_columns(list(source.columns), names, "the table")
            log = TransactionLog(source, source.get_backend(), source="Ibis table", **opts)
        elif isinstance(source, pd.DataFrame):
            log = _from_frame(source, engine, names, date_format, "pandas DataFrame", opts, excel=False)
        elif isinstance(source, (str, os.PathLike)):
            log = _from_text(source, engine, names, date_format, encoding, delimiter, sheet, opts)
        else:
            log = _from_object(source, engine, names, opts)
        if log.frame is None:
            try:
                if date_format is None:
                    log.date_format = _engine_date_format(log)
                else:
                    log.dates_only = not re.search(r"%[HIMSfpz]", date_format)
                if log.owned_table:  # a CSV file parsed into a table of ours: parse its dates and amounts once
                    log._parse_once()
            except BaseException:
                log.close()
                raise
    return log


def _check_columns(columns: list, needed: dict[str, str | None], what: str) -> None:
    names = [str(c) for c in columns]
    for role, col in needed.items():
        if col is not None and col not in names:
            from .._checks import close_matches

            raise DataError(
                f"{what} has no column {col!r} (the {role} column){close_matches(col, names)}; columns are "
                f"{names[:20]}{' ...' if len(names) > 20 else ''}. Name it with {role}=..."
            )


def _from_frame(df, engine, names, date_format, what, opts, *, excel: bool) -> TransactionLog:
    _check_columns(list(df.columns), names, f"the {what}")
    frame, fmt = _prepare_frame(df, names, date_format, opts["decimal"], opts["thousands"], excel=excel)
    backend = eng.resolve_engine(engine)
    log = TransactionLog(None, backend, source=what, frame=frame, raw=df, date_format=fmt, **opts)
    if backend.name == "duckdb":  # zero-copy: DuckDB scans the pandas columns in place
        log.table = backend.table(eng.register(backend, frame, log.cleanup))
    else:  # other backends upload the memtable when a query runs on them
        log.table = eng.ibis_module().memtable(frame)
    return log


def _from_text(source, engine, names, date_format, encoding, delimiter, sheet, opts) -> TransactionLog:
    text = str(source)
    path = Path(text)
    is_glob = any(ch in text for ch in "*?[")
    if _SQL.match(text) and not path.exists():
        backend = eng.resolve_engine(engine)
        log = TransactionLog(None, backend, source="SQL query", **opts)
        if backend.name == "duckdb":  # a view on the raw connection (Ibis' sql() fetches with a removed method)
            view = f"crmlib_query_{uuid.uuid4().hex}"
            backend.con.execute(f"CREATE TEMP VIEW {view} AS {text}")
            log.cleanup.append(lambda: backend.con.execute(f"DROP VIEW IF EXISTS {view}"))
            log.table = backend.table(view)
        else:
            log.table = backend.sql(text)
        _check_columns(list(log.table.columns), names, "the query")
        return log
    if text in BUNDLED_LOGS and engine is None and not path.exists():
        from ..datasets import load_cdnow

        subset = BUNDLED_LOGS[text]
        return _from_frame(load_cdnow(subset), engine, names, date_format, f"bundled log {text!r}", opts, excel=False)
    if not (path.exists() or is_glob or "://" in text):
        if engine is None:
            from .._checks import close_matches

            hint = close_matches(text, BUNDLED_LOGS)
            hint = hint.replace("?)", ", a bundled log?)") if hint else ""
            raise DataError(
                f"no file {text!r}{hint}; to read a table by name (or a SQL query), pass engine= its connection"
            )
        backend = eng.resolve_engine(engine)
        t = backend.table(text)
        _check_columns(list(t.columns), names, f"table {text!r}")
        return TransactionLog(t, backend, source=f"table {text!r}", **opts)
    kind = _files.file_kind(text)
    if kind == "excel":
        frame = _files.read_excel(path, sheet)
        what = f"{path.name} (sheet {sheet!r})" if sheet is not None else path.name
        return _from_frame(frame, engine, names, date_format, what, opts, excel=True)
    if is_glob and "://" not in text and not glob.glob(text, recursive=True):
        raise DataError(f"no file matches the pattern {text!r}")
    backend = eng.resolve_engine(engine)
    log = TransactionLog(None, backend, source=text, date_format=date_format, **opts)
    if kind == "parquet":
        try:
            log.table = backend.read_parquet(text)
        except Exception as exc:
            raise _parquet_error(text, exc) from exc
    elif backend.name != "duckdb" or is_glob or "://" in text or path.suffix.lower() in (".gz", ".zst"):
        _engine_reader_options(text, backend.name, encoding, delimiter)
        log.table = backend.read_csv(text)  # the engine's own reader (UTF-8, comma-separated)
    else:
        log.table = _read_csv_duckdb(path, backend, names, encoding, delimiter, opts, log.cleanup)
        log.owned_table = True
    _check_columns(list(log.table.columns), names, repr(text))
    return log


def _engine_reader_options(text: str, engine: str, encoding: str | None, delimiter: str | None) -> None:
    """Refuse reading options the engine's own CSV reader would ignore (it reads UTF-8, comma-separated)."""
    why = f"{'a glob, a URL or a compressed file' if engine == 'duckdb' else f'a CSV file on {engine}'}"
    if encoding is not None and _norm(encoding) not in ("utf-8", "utf-8-sig"):
        raise DataError(
            f"{text!r}: encoding={encoding!r} cannot be honoured for {why}: the engine's CSV reader reads UTF-8 only. "
            "Convert the file to UTF-8 or Parquet, or read one local file with the default engine (it transcodes)"
        )
    if delimiter is not None and delimiter != ",":
        raise DataError(
            f"{text!r}: delimiter={delimiter!r} cannot be honoured for {why}: the engine's CSV reader splits on ','. "
            "Convert the file to Parquet, or read one local file with the default engine"
        )


def _read_csv_duckdb(path: Path, backend, names, encoding, delimiter, opts, cleanup) -> Any:
    """A local CSV file on DuckDB: decoded (transcoded to UTF-8 if need be), its date column read as text."""
    enc = encoding or _files.detect_encoding(path, expect=[v for v in names.values() if v])
    read = path
    if _norm(enc) not in ("utf-8", "utf-8-sig"):
        read = _files.transcode_to_utf8(path, enc)
        cleanup.append(lambda: read.unlink(missing_ok=True))
        enc = "utf-8"
    sep = delimiter or _files.sniff_delimiter(read, enc)
    with open(read, encoding=_norm(enc), newline="") as fh:
        try:
            header = next(iter(csv.reader(fh, delimiter=sep)), [])
        except UnicodeDecodeError as exc:
            raise DataError(f"{str(path)!r} is not valid {enc} ({exc.reason}); pass encoding=") from None
    _check_columns(header, names, repr(str(path)))
    # dates as text: parsed by read_log's rule (a format, or a certain form), never by the reader's guess
    types = {names["date"]: "VARCHAR"}
    if names["amount"] is not None and (opts["decimal"] != "." or opts["thousands"]):
        types[names["amount"]] = "VARCHAR"
    # sniff the column types once, then read with them fixed: every later query binds without sniffing again
    probe = f"crmlib_sniff_{uuid.uuid4().hex}"
    backend.read_csv(str(read), table_name=probe, header=True, delim=sep, types=types)
    described = backend.con.sql(f'DESCRIBE "{probe}"').fetchall()
    backend.con.execute(f'DROP VIEW IF EXISTS "{probe}"')
    columns = {row[0]: row[1] for row in described}
    # a view with the types fixed; read_log then parses the file once into a table (TransactionLog._parse_once)
    view = backend.read_csv(str(read), header=True, delim=sep, columns=columns, auto_detect=False)
    cleanup.append(lambda: backend.con.execute(f'DROP VIEW IF EXISTS "{view.get_name()}"'))
    return view


def _norm(enc: str) -> str:
    name = codecs.lookup(enc).name
    return "utf-8-sig" if name == "utf-8-sig" else name


def _parquet_error(text: str, exc: Exception) -> DataError:
    """Name the Parquet file that cannot be read (the engine's message names the pattern or not at all)."""
    import pyarrow.parquet as pq

    files = [text] if os.path.isfile(text) else sorted(glob.glob(text, recursive=True))
    if os.path.isdir(text):
        files = sorted(str(p) for p in Path(text).rglob("*") if p.is_file() and not p.name.startswith((".", "_")))
    for f in files:
        try:
            pq.read_metadata(f)
        except Exception as bad:
            return DataError(f"Parquet file {f!r} cannot be read ({str(bad).splitlines()[0][:160]})")
    return DataError(f"{text!r} cannot be read as Parquet ({str(exc).splitlines()[0][:200]})")


def _from_object(source, engine, names, opts) -> TransactionLog:
    import duckdb

    if isinstance(source, duckdb.DuckDBPyRelation):
        # a relation does not expose its connection: materialise it as Arrow on ours (pass the
        # connection as engine= and a table name to avoid the copy)
        backend = eng.resolve_engine(engine)
        if backend.name != "duckdb":
            raise DataError("a DuckDB relation can only be summarised on DuckDB")
        arrow = source.to_arrow_table()
        _check_columns(list(arrow.column_names), names, "the relation")
        log = TransactionLog(None, backend, source="DuckDB relation", **opts)
        log.table = backend.table(eng.register(backend, arrow, log.cleanup))
        return log
    if type(source).__module__.startswith("pyspark"):  # a Spark DataFrame: a temporary view on its session
        view = f"crmlib_tx_{uuid.uuid4().hex}"
        source.createOrReplaceTempView(view)
        backend = eng.resolve_engine(engine if engine is not None else source.sparkSession)
        log = TransactionLog(backend.table(view), backend, source="Spark DataFrame", **opts)
        log.cleanup.append(lambda: source.sparkSession.catalog.dropTempView(view))
        try:
            _check_columns(list(log.table.columns), names, "the Spark DataFrame")
        except DataError:
            log.close()
            raise
        return log
    raise DataError(
        "the log must be a pandas DataFrame, a CSV/Parquet/Excel path, a SQL query or table name with engine=, "
        f"a DuckDB relation, a Spark DataFrame or an Ibis table; got {type(source).__name__}"
    )


# ------------------------------------------------------------------------------ dates


def infer_date_format(sample: list[str], leading_max: Callable[[], tuple[int, int]], column: str) -> str | None:
    """The strptime format of text dates from a sample of them (``None``: ISO 8601 or no known form).

    ``leading_max()`` gives the largest first and second numbers of the whole
    column's ``nn/nn/yyyy`` values; it is called only for such dates, to decide
    the order of day and month from all rows (a number above 12 is a day).
    """
    values = [s.strip() for s in sample if isinstance(s, str) and s.strip()]
    if not values:
        return None
    forms = {"iso": 0, "ymd": 0, "cjk": 0, "dmy": 0}
    for v in values:
        if _ISO.match(v):
            forms["iso"] += 1
        elif _YMD.match(v):
            forms["ymd"] += 1
        elif _CJK.match(v):
            forms["cjk"] += 1
        elif _DMY.match(v):
            forms["dmy"] += 1
    form, n = max(forms.items(), key=lambda kv: kv[1])
    if n * 2 <= len(values) or form == "iso":
        return None  # ISO, or no one form: unparsable rows are then named by the date check
    if form == "cjk":
        return "%Y年%m月%d日"
    first = next(v for v in values if (_YMD if form == "ymd" else _DMY).match(v))
    m = (_YMD if form == "ymd" else _DMY).match(first)
    assert m is not None  # first was picked because it matches
    time = m.group(5)
    clock = "" if not time else (" %H:%M:%S" if time.count(":") == 2 else " %H:%M")
    sep = m.group(2)
    if form == "ymd":
        return f"%Y{sep}%m{sep}%d" + ("." if first.rstrip().endswith(".") and not time else "") + clock
    year = "%Y" if len(m.group(4)) == 4 else "%y"
    a, b = leading_max()
    if a > 12 and b <= 12:
        return f"%d{sep}%m{sep}{year}{clock}"
    if b > 12 and a <= 12:
        return f"%m{sep}%d{sep}{year}{clock}"
    shown = [v for v in values if _DMY.match(v)][:5]
    if a > 12 and b > 12:
        raise DataError(
            f"column {column!r} mixes day-first and month-first dates (first numbers up to {a}, second up to {b}), "
            f"e.g. {shown}; fix the column or pass date_format= and the rows that do not fit are named"
        )
    readings = []
    for v in shown[:3]:
        x = _DMY.match(v)
        assert x is not None  # shown holds the values that match
        y = int(x.group(4))
        if len(x.group(4)) == 2:  # strptime's %y: 69-99 are 1969-1999, 00-68 are 2000-2068
            y += 1900 if y >= 69 else 2000
        p, q = int(x.group(1)), int(x.group(3))
        readings.append(f"{v!r} is {y:04d}-{q:02d}-{p:02d} day first or {y:04d}-{p:02d}-{q:02d} month first")
    raise DataError(
        f"column {column!r} holds dates whose day and month could be either way round (no number above 12 in "
        f"either place): {'; '.join(readings)}. Pass date_format='%d{sep}%m{sep}{year}' (day first) or "
        f"date_format='%m{sep}%d{sep}{year}' (month first)"
    )


def _engine_date_format(log: TransactionLog) -> str | None:
    """:func:`infer_date_format` for a text date column on an engine (a sample, and one pass if need be)."""
    t, date = log.table, log.date
    dtype = t[date].type()
    if not dtype.is_string():
        return None
    d = t[date].strip()
    rows = log.backend.to_pyarrow(t.select(d=d).filter(d.notnull()).limit(_SAMPLE_ROWS)).column("d").to_pylist()

    def leading_max() -> tuple[int, int]:
        a = d.re_extract(_DMY_SQL, 1).nullif("").cast("int64").max()
        b = d.re_extract(_DMY_SQL, 2).nullif("").cast("int64").max()
        got = log.backend.to_pyarrow(t.aggregate(a=a, b=b)).to_pylist()[0]
        return int(got["a"] or 0), int(got["b"] or 0)

    fmt = infer_date_format(rows, leading_max, date)
    log.dates_only = bool(rows) and (
        all(_ISO_DAY.match(r.strip()) for r in rows if r) if fmt is None else not re.search(r"%[HIMSfpz]", fmt)
    )
    return fmt


def _prepare_frame(
    df: pd.DataFrame, names: dict, date_format: str | None, decimal: str, thousands: str | None, *, excel: bool
) -> tuple[pd.DataFrame, str | None]:
    """The used columns of a pandas log, dates and amounts parsed (no copy of the ids); the date format used."""
    customer_id, date, amount = names["customer_id"], names["date"], names["amount"]
    _check_id_kinds(df[customer_id], customer_id)
    cols = {customer_id: df[customer_id]}
    d = df[date]
    fmt = date_format
    if pd.api.types.is_datetime64_any_dtype(d.dtype):
        cols[date] = d.dt.tz_localize(None) if getattr(d.dtype, "tz", None) is not None else d
    elif pd.api.types.is_numeric_dtype(d.dtype) and not pd.api.types.is_bool_dtype(d.dtype) and fmt is None:
        if not excel:
            raise DataError(
                f"column {date!r} holds numbers ({d.dtype}), not dates; pass date_format= (e.g. '%Y%m%d') to parse them"
            )
        cols[date] = _files.excel_serial_to_datetime(d, date)
    else:
        if fmt is None and (d.dtype == object or pd.api.types.is_string_dtype(d.dtype)):
            given = d.dropna()
            sample = [v for v in given.iloc[:_SAMPLE_ROWS] if isinstance(v, str)]
            fmt = infer_date_format(sample, lambda: _leading_max(given), date)
        # keep unparsable entries visible to the checks: NaT where the input was not missing
        cols[date] = _files.parse_dates(d, date, fmt)
        cols["__crmlib_date_given"] = d.notna().to_numpy()
    if amount is not None:
        a = df[amount]
        if pd.api.types.is_bool_dtype(a.dtype):  # as for a file or engine table: True/False are not amounts
            raise DataError(f"column {amount!r} has type {a.dtype}; amounts must be numbers")
        if not pd.api.types.is_numeric_dtype(a.dtype):
            text = a.astype("string").str.strip()
            if thousands:
                text = text.str.replace(thousands, "", regex=False)
            if decimal != ".":
                text = text.str.replace(decimal, ".", regex=False)
            cols[amount] = pd.to_numeric(text, errors="coerce").astype("float64")
            cols["__crmlib_amount_given"] = a.notna().to_numpy()
        else:
            cols[amount] = a
    return pd.DataFrame(cols, copy=False), fmt


_ID_KINDS = ("string", "integer", "floating", "empty")  # pandas' infer_dtype names of one kind of id


def _check_id_kinds(ids: pd.Series, column: str) -> None:
    """Ids of one kind: text, or numbers. ``1`` and ``"1"`` in one column would be merged by the engines."""
    if ids.dtype != object:
        return
    kind = pd.api.types.infer_dtype(ids, skipna=True)
    if kind in _ID_KINDS:
        return
    given = ids.dropna()
    names = given.iloc[:100_000].map(lambda v: type(v).__name__)
    examples = {k: given.iloc[int(np.flatnonzero(names.to_numpy() == k)[0])] for k in dict.fromkeys(names)}
    shown = ", ".join(f"{v!r} ({k})" for k, v in list(examples.items())[:4])
    raise DataError(
        f"column {column!r} mixes kinds of customer ids ({shown}); the same id written as a number and as text "
        f"would count as one customer. Make them one kind first, e.g. df[{column!r}] = df[{column!r}].astype(str)"
    )


def _leading_max(strings: pd.Series) -> tuple[int, int]:
    parts = strings.astype("string").str.extract(_DMY_SQL)
    nums = parts.apply(pd.to_numeric, errors="coerce")
    return int(np.nan_to_num(nums[0].max())), int(np.nan_to_num(nums[1].max()))


def engine_error(log: TransactionLog, exc: Exception) -> DataError | None:
    """A DataError naming the file and what to do, for an engine's error while reading ``log``; else None."""
    text = str(exc)
    first = text.splitlines()[0][:200] if text else type(exc).__name__
    low = text.lower()
    if "unicode" in low or "utf-8" in low or "utf8" in low:
        return DataError(
            f"{log.source!r} is not valid UTF-8 beyond its first MiB ({first}); pass its encoding= "
            f"(e.g. {', '.join(map(repr, _files.LEGACY_ENCODINGS))})"
        )
    if "parquet" in low and log.source not in ("pandas DataFrame",) and not log.source.startswith(("SQL", "table")):
        return _parquet_error(log.source, exc)
    return None
