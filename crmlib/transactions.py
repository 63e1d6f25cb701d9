"""Transaction logs to per-customer summaries, on DuckDB or any Ibis engine (e.g. Spark).

Every customer-base model (BG/NBD, Pareto/NBD, Gamma-Gamma, survival of
customers, RFM) starts from one row per customer: how often the customer
bought (``frequency``), how recently (``recency``), for how long the customer
has been observed (``T``) and how much was spent (``monetary``). This module
computes that table from a transaction log (one row per purchase).

The summary is ONE definition, written as an `Ibis <https://ibis-project.org>`_
expression (:func:`summary_expression`). It runs unchanged on the embedded
default engine, DuckDB (in-process, no server), and on any other Ibis backend,
in particular Apache Spark (PySpark), so a log that outgrows one machine is
summarised on a cluster by the same code; see ``docs/engines.md``. On DuckDB
the default is the *sort plan* (``plan="sort"``, ``crmlib._sorted_summary``):
the engine orders the rows by customer and period, through one Ibis
expression, and the ordered stream is reduced with vectorised numpy, which is
2.4-2.9 times faster there than the two hash aggregations, with less memory
(``benchmarks/README.md``). Amounts are summed as exact decimals, so every
engine and both plans return the same table bit for bit (for amounts that a
float64 holds to 1e-6; see ``docs/engines.md``).

Functions
---------
``summarize``           log -> per-customer summary (+ holdout columns, cohort)
``summary_expression``  the portable Ibis expression behind ``summarize``
``compress``            distinct summary rows with a ``weight`` column
``expand``              the inverse of ``compress``
``rfm_scores``          recency / frequency / monetary quintile scores
``rfm_segments``        named RFM segments (champions, loyal, at risk, ...)

Definitions (Fader, Hardie & Lee 2005, "Counting your customers the easy way",
Marketing Science 24(2), section 2 and its CDNOW data; the same as lifetimes'
``summary_data_from_transaction_data``): purchases are grouped into periods
(default: the day; several purchases in one period count once and their amounts
are summed). With ``t_1`` the first and ``t_x`` the last purchase period and
``t_end`` the period of the observation end,

* ``frequency`` x = number of distinct purchase periods - 1 (repeat purchases),
* ``recency`` t_x - t_1, ``T`` = t_end - t_1 (in ``time_unit``),
* ``monetary`` = mean spend of the x repeat periods (the first period is left
  out; 0 when x = 0) - the z-bar of Fader, Hardie & Lee (2005b, "RFM and CLV",
  J. Marketing Research 42(4)) and of the Gamma-Gamma model.
"""

from __future__ import annotations

import datetime
import decimal
import os
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from .exceptions import DataError, DataWarning

__all__ = [
    "summarize",
    "summary_expression",
    "compress",
    "expand",
    "rfm_scores",
    "rfm_segments",
    "RFM_SEGMENT_RULES",
]

_PERIODS = {"D": "day", "W": "ISO week (Monday to Sunday)", "M": "calendar month"}
_UNIT_DAYS = {"D": 1.0, "W": 7.0}
_COHORTS = ("D", "W", "M", "Q", "Y")
_POLICIES = {
    "on_negative": ("error", "exclude", "keep"),
    "on_zero": ("error", "exclude", "keep"),
    "on_duplicate": ("error", "exclude", "keep", "ignore"),
    "on_after_end": ("error", "exclude"),
}
# Amounts are summed as DECIMAL(18, 6): exact (engine-independent) sums of
# amounts rounded to 1e-6, for |amount| and a customer's spend in one period < 10**12.
# (Integer micro-units, round(amount * 1e6) summed as int64, were tried: the same numbers and, on DuckDB
# at 10M rows, the same time within the noise - DuckDB's decimal sums are int64 underneath.)
_AMOUNT_TYPE = "decimal(18, 6)"
_AMOUNT_LIMIT = 1e12  # |amount| below this fits DECIMAL(18, 6); larger amounts (and infinities) are an input error
_N_EXAMPLES = 5


# --------------------------------------------------------------------------- engines


def _ibis():
    import ibis  # imported lazily: engines are met only here

    return ibis


def _is_ibis_table(obj: Any) -> bool:
    try:
        import ibis.expr.types as ir
    except ImportError:  # pragma: no cover - ibis is a dependency
        return False
    return isinstance(obj, ir.Table)


def _is_ibis_backend(obj: Any) -> bool:
    try:
        from ibis.backends import BaseBackend
    except ImportError:  # pragma: no cover
        return False
    return isinstance(obj, BaseBackend)


def _duckdb_backend(raw=None):
    import duckdb

    ibis = _ibis()
    if raw is None:
        # our own connection: every core, and no need to keep the log's row order (the summary sorts
        # by customer), which lets DuckDB's parallel scans and aggregations run freely
        raw = duckdb.connect(config={"preserve_insertion_order": False})
    return ibis.duckdb.from_connection(raw)


def _resolve_engine(engine: Any):
    """An Ibis backend for ``engine`` (None/"duckdb", a DuckDB connection, a SparkSession, a backend)."""
    if engine is None or (isinstance(engine, str) and engine.lower() == "duckdb"):
        return _duckdb_backend()
    if isinstance(engine, str) and engine.lower() in ("spark", "pyspark"):
        from pyspark.sql import SparkSession

        return _ibis().pyspark.connect(SparkSession.builder.getOrCreate())
    if _is_ibis_backend(engine):
        return engine
    import duckdb

    if isinstance(engine, duckdb.DuckDBPyConnection):
        return _duckdb_backend(engine)
    if type(engine).__module__.startswith("pyspark"):
        return _ibis().pyspark.connect(engine)
    raise DataError(
        f"engine must be None or 'duckdb', 'spark', a DuckDB connection, a SparkSession or an Ibis "
        f"backend (e.g. ibis.pyspark.connect(spark)); got {engine!r}"
    )


@dataclass
class _Source:
    table: Any  # ibis Table
    backend: Any
    frame: pd.DataFrame | None = None  # the pandas input, to name rows by index label
    cleanup: list = field(default_factory=list)


def _check_columns(names: list[str], needed: dict[str, str | None], what: str) -> None:
    for role, col in needed.items():
        if col is not None and col not in names:
            raise DataError(
                f"{what} has no column {col!r} (the {role} column); columns are {list(names)[:20]}"
                f"{' ...' if len(names) > 20 else ''}. Name it with {role}=..."
            )


def _parse_dates(d: pd.Series, date_format: str | None) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(d.dtype):
        return d.dt.tz_localize(None) if getattr(d.dtype, "tz", None) is not None else d
    text = d.astype("string") if date_format is not None else d
    return pd.to_datetime(text, format=date_format or "ISO8601", errors="coerce")


def _prepare_frame(
    df: pd.DataFrame, customer_id: str, date: str, amount: str | None, date_format: str | None
) -> pd.DataFrame:
    """The three used columns of a pandas log, dates parsed; no copy of id or amount."""
    cols = {customer_id: df[customer_id]}
    d = df[date]
    if not (pd.api.types.is_datetime64_any_dtype(d.dtype)):
        if pd.api.types.is_numeric_dtype(d.dtype) and date_format is None:
            raise DataError(
                f"column {date!r} holds numbers ({d.dtype}), not dates; pass date_format= (e.g. '%Y%m%d') to parse them"
            )
        text = d.astype("string") if date_format is not None else d
        with warnings.catch_warnings():  # pandas 2 warns (pandas 3 raises) on text with mixed UTC offsets
            warnings.filterwarnings("ignore", message=".*mixed time zones", category=FutureWarning)
            try:
                parsed = pd.to_datetime(text, format=date_format or "ISO8601", errors="coerce")
            except (ValueError, TypeError):
                parsed = None
        if parsed is None or not pd.api.types.is_datetime64_any_dtype(parsed.dtype):
            raise DataError(
                f"column {date!r} cannot be read as one kind of date (does it mix time-zone offsets?); convert "
                f"it first, e.g. pd.to_datetime(df[{date!r}], utc=True).dt.tz_convert('<your zone>')"
            )
        if getattr(parsed.dtype, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
        # keep unparsable entries visible to the checks: NaT where the input was not missing
        cols[date] = parsed.astype("datetime64[ns]")
        cols["__crmlib_date_given"] = d.notna().to_numpy()
    else:
        if getattr(d.dtype, "tz", None) is not None:
            d = d.dt.tz_localize(None)
        cols[date] = d
    if amount is not None:
        a = df[amount]
        if pd.api.types.is_bool_dtype(a.dtype):  # as for a file or engine table: True/False are not amounts
            raise DataError(f"column {amount!r} has type {a.dtype}; amounts must be numbers")
        if not pd.api.types.is_numeric_dtype(a.dtype):
            parsed = pd.to_numeric(a, errors="coerce")
            cols[amount] = parsed.astype("float64")
            cols["__crmlib_amount_given"] = a.notna().to_numpy()
        else:
            cols[amount] = a
    return pd.DataFrame(cols, copy=False)


def _as_source(
    transactions: Any, engine: Any, customer_id: str, date: str, amount: str | None, date_format: str | None
) -> _Source:
    ibis = _ibis()
    needed = {"customer_id": customer_id, "date": date, "amount": amount}
    if _is_ibis_table(transactions):
        if engine is not None:
            raise DataError("engine= is not used with an Ibis table: the table's own backend runs the summary")
        t = transactions
        _check_columns(list(t.columns), needed, "the table")
        return _Source(t, t.get_backend())  # a memtable runs on Ibis' default backend (DuckDB)
    if isinstance(transactions, pd.DataFrame):
        _check_columns(list(transactions.columns), needed, "the DataFrame")
        frame = _prepare_frame(transactions, customer_id, date, amount, date_format)
        backend = _resolve_engine(engine)
        name = f"crmlib_tx_{uuid.uuid4().hex}"
        if backend.name == "duckdb":
            # zero-copy: DuckDB scans the pandas columns in place
            raw = backend.con
            raw.register(name, frame)
            src = _Source(backend.table(name), backend, frame=transactions)
            src.cleanup.append(lambda: raw.unregister(name))
            return src
        # other backends upload the memtable when a query runs on them
        return _Source(ibis.memtable(frame), backend, frame=transactions)
    if isinstance(transactions, (str, os.PathLike)):
        path = Path(transactions)
        backend = _resolve_engine(engine)
        text = str(transactions)
        suffixes = "".join(path.suffixes).lower()
        is_glob = any(ch in text for ch in "*?[")
        if not (path.exists() or is_glob or "://" in text):
            # a table name on the engine (a DuckDB or Spark table)
            if engine is None:
                raise DataError(f"no file {text!r}; to summarise a table by name, pass engine= its connection")
            t = backend.table(text)
        elif ".parquet" in suffixes or ".pq" in suffixes or path.is_dir():
            t = backend.read_parquet(text)
        elif ".csv" in suffixes or ".tsv" in suffixes or ".txt" in suffixes:
            t = backend.read_csv(text)
        else:
            raise DataError(f"cannot tell the format of {text!r}: name it *.parquet or *.csv")
        _check_columns(list(t.columns), needed, f"{text!r}")
        return _Source(t, backend)
    import duckdb

    mod = type(transactions).__module__
    if isinstance(transactions, duckdb.DuckDBPyRelation):
        # a relation does not expose its connection: materialise it as Arrow on ours (pass the
        # connection as engine= and a table name to avoid the copy)
        backend = _resolve_engine(engine)
        if backend.name != "duckdb":
            raise DataError("a DuckDB relation can only be summarised on DuckDB")
        arrow = transactions.to_arrow_table()
        _check_columns(list(arrow.column_names), needed, "the relation")
        name = f"crmlib_tx_{uuid.uuid4().hex}"
        backend.con.register(name, arrow)
        src = _Source(backend.table(name), backend)
        src.cleanup.append(lambda: backend.con.unregister(name))
        return src
    if mod.startswith("pyspark"):  # a Spark DataFrame: a temporary view on its session
        view = f"crmlib_tx_{uuid.uuid4().hex}"
        transactions.createOrReplaceTempView(view)
        backend = _resolve_engine(engine if engine is not None else transactions.sparkSession)
        t = backend.table(view)
        _check_columns(list(t.columns), needed, "the Spark DataFrame")
        src = _Source(t, backend)
        src.cleanup.append(lambda: transactions.sparkSession.catalog.dropTempView(view))
        return src
    raise DataError(
        "transactions must be a pandas DataFrame, a CSV/Parquet path, a table name with engine=, "
        f"a DuckDB relation, a Spark DataFrame or an Ibis table; got {type(transactions).__name__}"
    )


# ------------------------------------------------------------------ the portable definition


def _typed(t, customer_id: str, date: str, amount: str | None):
    """Select the used columns as ``cid``, ``day`` (date) and ``amount`` (float64), keeping raw flags."""
    dtype = t[date].type()
    if dtype.is_date():
        day = t[date]
    elif dtype.is_timestamp():
        day = t[date].cast("date")
    elif dtype.is_string():
        day = t[date].try_cast("timestamp").cast("date")
    elif dtype.is_unknown() and "TIMESTAMP" in str(dtype).upper():
        # e.g. DuckDB's TIMESTAMPTZ_NS (pandas writes time-zone-aware nanoseconds to Parquet), which Ibis
        # does not know: read as a timestamp with time zone (microseconds), like TIMESTAMPTZ
        import ibis.expr.datatypes as dt

        when = t[date].cast(dt.Timestamp(timezone="UTC"))
        t = t.mutate(**{date: when})
        day = t[date].cast("date")
    else:
        raise DataError(
            f"column {date!r} has type {dtype}; pass dates, timestamps or ISO-8601 strings "
            "(a pandas column of other text can be parsed with date_format=)"
        )
    cols = {"cid": t[customer_id], "day": day, "when": t[date]}
    given = t["__crmlib_date_given"] if "__crmlib_date_given" in t.columns else t[date].notnull()
    cols["date_given"] = given
    if amount is not None:
        atype = t[amount].type()
        if atype.is_numeric() and not atype.is_boolean():
            a = t[amount].cast("float64")
        elif atype.is_string():
            a = t[amount].try_cast("float64")
        else:
            raise DataError(f"column {amount!r} has type {atype}; amounts must be numbers")
        if atype.is_floating() or atype.is_string():  # NaN (e.g. in a Parquet file) is not a number
            a = _ibis().ifelse(a.isnan(), _ibis().null("float64"), a)
        cols["amount"] = a
        cols["amount_given"] = (
            t["__crmlib_amount_given"] if "__crmlib_amount_given" in t.columns else t[amount].notnull()
        )
    return t.select(**cols)


def _period(day, period: str):
    return day if period == "D" else day.truncate(period)


def _span(later, earlier, period: str, time_unit: str | float):
    """(later - earlier) in ``time_unit`` as float64; both are period starts."""
    if time_unit == "period":
        if period == "M":
            n = (later.year() * 12 + later.month()) - (earlier.year() * 12 + earlier.month())
            return n.cast("float64")
        days = later.delta(earlier, unit="day").cast("float64")
        return days / (7.0 if period == "W" else 1.0)
    return later.delta(earlier, unit="day").cast("float64") / float(time_unit)


def summary_expression(
    table,
    *,
    observation_end: pd.Timestamp,
    calibration_end: pd.Timestamp | None = None,
    period: Literal["D", "W", "M"] = "D",
    time_unit: str | float = "W",
    has_amount: bool = True,
    cohort: str | None = None,
    _all_customers: bool = False,
    _multi_row_periods: bool = False,
):
    """The summary as one Ibis expression over a clean log (columns ``cid``, ``day``, ``amount``).

    This is the single definition every engine runs. ``table`` must hold one
    row per transaction with ``cid`` (customer), ``day`` (a date, on or before
    ``observation_end``) and, if ``has_amount``, ``amount`` (a number);
    :func:`summarize` builds it from the user's log after the input checks.

    The plan is two aggregations: (1) group by customer and period (and the
    calibration/holdout side), summing the amounts as DECIMAL(18, 6); (2)
    group by customer: first/last period, number of periods, total spend and
    the spend of the first period (``argmin``), from which
    ``monetary = (total - first) / (periods - 1)``. Decimal sums are exact, so
    the result does not depend on the engine's order of summation.

    Returns an Ibis table with columns ``cid``, ``frequency`` (int64),
    ``recency``, ``T`` (float64, ``time_unit``), ``monetary`` (float64) and,
    with ``calibration_end``, ``frequency_holdout`` (int64) and
    ``monetary_holdout`` (float64), and ``cohort`` (date) when asked: the
    ``cohort`` period (D/W/M/Q/Y) of the first calibration purchase *day*.
    """
    ibis = _ibis()
    time_unit = _unit(time_unit, period)
    obs_p = _period(ibis.literal(pd.Timestamp(observation_end).date(), type="date"), period)
    keys = ["cid", "p"]
    cols = {"cid": table.cid, "p": _period(table.day, period)}
    if has_amount:
        cols["amount"] = table.amount.cast(_AMOUNT_TYPE)
    first_day = cohort is not None and period != "D"  # the cohort is that of the first purchase day
    if first_day:
        cols["day"] = table.day
    if calibration_end is not None:
        cal_day = ibis.literal(pd.Timestamp(calibration_end).date(), type="date")
        cols["hold"] = table.day > cal_day
        keys.append("hold")
    x = table.select(**cols)
    per_aggs = {"n_rows": x.cid.count()}
    if has_amount:  # back to 18 digits: the later aggregates run on 64-bit rather than 128-bit decimals
        per_aggs["spend"] = x.amount.sum().cast(_AMOUNT_TYPE)
    if first_day:
        per_aggs["day0"] = x.day.min()
    per = x.group_by(keys).aggregate(**per_aggs)
    cal = ~per.hold if calibration_end is not None else None
    end_p = obs_p if calibration_end is None else _period(cal_day, period)
    aggs = {
        "first": per.p.min(where=cal),
        "last": per.p.max(where=cal),
        "n": per.p.count(where=cal),
    }
    if first_day:
        aggs["first_day"] = per.day0.min(where=cal)
    if has_amount:
        aggs["total"] = per.spend.sum(where=cal)
        aggs["first_spend"] = per.spend.argmin(per.p, where=cal)
    if calibration_end is not None:
        aggs["n_hold"] = per.p.count(where=per.hold)
        if has_amount:
            aggs["spend_hold"] = per.spend.sum(where=per.hold)
    if has_amount and _all_customers:
        # an engine that turns a decimal overflow into NULL (Spark with ANSI mode off) leaves a period
        # without a spend: counted here and reported by summarize, never summed as if it were not there
        aggs["lost_spend"] = per.spend.isnull().sum()
    if _multi_row_periods:  # periods with more than one row, and the first and last of them
        multi = per.n_rows > 1
        aggs["multi"] = per.n_rows.count(where=multi)
        aggs["multi_first"] = per.p.min(where=multi)
        aggs["multi_last"] = per.p.max(where=multi)
    s = per.group_by("cid").aggregate(**aggs)
    if calibration_end is not None and not _all_customers:
        s = s.filter(s.n > 0)  # customers acquired in the calibration period
    out = {
        "cid": s.cid,
        "frequency": (s.n - 1).cast("int64"),
        "recency": _span(s["last"], s["first"], period, time_unit),
        "T": _span(end_p, s["first"], period, time_unit),
    }
    if has_amount:
        repeat_spend = ibis.ifelse(s.n > 1, (s.total - s.first_spend).cast("float64"), 0.0)
        out["monetary"] = repeat_spend / ibis.greatest(s.n - 1, 1).cast("float64")
    if calibration_end is not None:
        out["frequency_holdout"] = s.n_hold.cast("int64")
        if has_amount:
            hold_spend = ibis.ifelse(s.n_hold > 0, s.spend_hold.cast("float64"), 0.0)
            out["monetary_holdout"] = hold_spend / ibis.greatest(s.n_hold, 1).cast("float64")
    if cohort is not None:
        day0 = s["first_day"] if first_day else s["first"]
        out["cohort"] = day0 if cohort == "D" else day0.truncate(cohort)
    if has_amount and _all_customers:
        out["lost_spend"] = s.lost_spend.cast("int64")
    if _multi_row_periods:
        out["multi"] = s.multi.cast("int64")
        out["multi_first"] = s.multi_first
        out["multi_last"] = s.multi_last
    return s.select(**out)


# ---------------------------------------------------------------------- input checks


@dataclass
class _Problem:
    key: str
    count: int
    text: str  # "N rows have ..."
    policy: str
    condition: Any = None  # ibis boolean over the typed table, to fetch examples
    pandas_mask: Any = None  # callable(frame) -> boolean mask, for pandas input


def _examples(problem: _Problem, source: _Source, typed, customer_id: str, date: str, amount: str | None) -> str:
    if source.frame is not None and problem.pandas_mask is not None:
        mask = np.asarray(problem.pandas_mask(source.frame), dtype=bool)
        labels = source.frame.index[mask][:_N_EXAMPLES]
        more = " ..." if mask.sum() > _N_EXAMPLES else ""
        return f"rows (index labels) {[_plain(v) for v in labels]}{more}"
    if problem.condition is None:
        return ""
    cols = [c for c in ("cid", "day", "amount") if c in typed.columns]
    rows = source.backend.to_pyarrow(typed.filter(problem.condition).select(*cols).limit(_N_EXAMPLES)).to_pylist()
    names = {"cid": customer_id, "day": date, "amount": amount}
    shown = [{names[k]: _plain(v) for k, v in r.items()} for r in rows]
    return f"e.g. {shown}"


def _plain(v):
    if isinstance(v, (np.generic,)):
        return v.item()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, datetime.datetime):
        return (
            v.date().isoformat()
            if v == datetime.datetime.combine(v.date(), datetime.time())
            else (v.isoformat(sep=" ", timespec="seconds"))
        )
    if isinstance(v, datetime.date):
        return v.isoformat()
    return v


def _check_policy(name: str, value: str) -> None:
    allowed = _POLICIES[name]
    if value not in allowed:
        raise DataError(f"{name} must be one of {allowed}, got {value!r}")


# --------------------------------------------------------------------------- summarize


def _to_timestamp(value, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise DataError(f"{name} must be a date, got {value!r}") from exc
    if ts is pd.NaT:
        raise DataError(f"{name} must be a date, got {value!r}")
    return ts.tz_localize(None).normalize() if ts.tzinfo is not None else ts.normalize()


def _unit(time_unit, period: str):
    if isinstance(time_unit, str):
        if time_unit == "period":
            return "period"
        if time_unit not in _UNIT_DAYS:
            raise DataError(f"time_unit must be 'D', 'W', 'period' or a number of days, got {time_unit!r}")
        return _UNIT_DAYS[time_unit]
    try:
        days = float(time_unit)
    except (TypeError, ValueError) as exc:
        raise DataError(f"time_unit must be 'D', 'W', 'period' or a number of days, got {time_unit!r}") from exc
    if not np.isfinite(days) or days <= 0:
        raise DataError(f"time_unit must be a positive number of days, got {time_unit!r}")
    return days


def _period_start(ts: pd.Timestamp, period: str) -> pd.Timestamp:
    if period == "D":
        return ts
    if period == "W":
        return ts - pd.Timedelta(days=ts.dayofweek)
    return ts.replace(day=1)


def _span_py(later: pd.Timestamp, earlier: pd.Timestamp, period: str, unit) -> float:
    if unit == "period":
        if period == "M":
            return float((later.year * 12 + later.month) - (earlier.year * 12 + earlier.month))
        return (later - earlier).days / (7.0 if period == "W" else 1.0)
    return (later - earlier).days / unit


def summarize(
    transactions: Any,
    *,
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str | None = "amount",
    observation_end: Any = None,
    calibration_end: Any = None,
    period: Literal["D", "W", "M"] = "D",
    time_unit: str | float = "W",
    engine: Any = None,
    include_cohort: bool | str = False,
    date_format: str | None = None,
    on_negative: Literal["error", "exclude", "keep"] = "error",
    on_zero: Literal["error", "exclude", "keep"] = "keep",
    on_duplicate: Literal["error", "exclude", "keep", "ignore"] = "keep",
    on_after_end: Literal["error", "exclude"] = "exclude",
    plan: Literal["auto", "sort", "aggregate"] = "auto",
) -> pd.DataFrame:
    """Per-customer frequency, recency, T and monetary value from a transaction log.

    Parameters
    ----------
    transactions : the log, one row per transaction: a pandas DataFrame
        (scanned in place by DuckDB, not copied), a path to a Parquet or CSV
        file (or a folder/glob of Parquet files), the name of a table on
        ``engine``, a DuckDB relation, a Spark DataFrame, or an Ibis table on
        any backend (it then runs on that backend, e.g. PySpark).
    customer_id, date, amount : column names. ``date`` holds dates, timestamps
        (the time of day is dropped) or ISO-8601 text; ``amount`` is the value
        of the transaction in currency units (``None``: no monetary columns).
        Timestamps with a time zone are cut to days in their own zone for a
        pandas column (the wall-clock date), and in the engine's session time
        zone for a file or engine table (DuckDB's ``TimeZone`` setting, UTC
        without its ICU extension; Spark's ``spark.sql.session.timeZone``).
    observation_end : last day observed (inclusive); default the last
        transaction date. ``T`` runs to it (to ``calibration_end`` when given).
    calibration_end : last day of the calibration period (inclusive). The
        summary then covers the customers whose first purchase is on or before
        it, computed on calibration transactions only, plus the holdout columns
        for the days after it up to ``observation_end``. Customers first seen
        in the holdout are not in the table (their count is in
        ``attrs["crmlib"]["customers_first_seen_in_holdout"]``). The split is
        by day: a week or month that straddles ``calibration_end`` counts on
        both sides (as in lifetimes' ``calibration_and_holdout_data``).
    period : purchases are grouped by ``"D"`` (day, the default and the
        buy-till-you-die convention), ``"W"`` (ISO week, Monday to Sunday) or
        ``"M"`` (calendar month); several purchases in one period count as
        one and their amounts are summed.
    time_unit : unit of ``recency``, ``T`` and ``duration_holdout``: ``"W"``
        (weeks = days / 7, the default, as in the classic CDNOW summary),
        ``"D"`` (days), a number of days (e.g. 365.25/12), or ``"period"``
        (whole periods; months for ``period="M"``). Times are measured between
        period starts.
    engine : None or ``"duckdb"`` (a fresh in-process DuckDB), a DuckDB
        connection, ``"spark"``/a SparkSession, or any Ibis backend (e.g.
        ``ibis.pyspark.connect(spark)``). Not used with an Ibis table.
    include_cohort : add ``cohort``, the start of the acquisition period of each
        customer: the day, ISO week, month, quarter or year of the first
        (calibration) purchase day - of the day itself, not of its ``period``'s
        start. ``True`` for the month, or one of ``"D"``, ``"W"``, ``"M"``,
        ``"Q"``, ``"Y"``.
    date_format : for a pandas DataFrame whose ``date`` column is text or
        numbers (e.g. ``"%Y%m%d"``); parsed with :func:`pandas.to_datetime`.
    on_negative, on_zero, on_duplicate, on_after_end : the policy for each
        input check (below).
    plan : how the engine computes the summary; both plans give the same
        table bit for bit. ``"aggregate"``: the portable Ibis expression of
        :func:`summary_expression` (group by customer and period, then by
        customer), which runs where the data are (e.g. on a Spark cluster).
        ``"sort"``: the engine orders the rows by customer and period and the
        ordered stream is reduced here with vectorised numpy
        (``crmlib._sorted_summary``); on DuckDB this was 2.4-2.9 times faster
        than the aggregation at 10M-50M rows, with less memory (the first
        aggregation's hash table is as large as the log), but every row
        travels to this process.
        ``"auto"`` (default): ``"sort"`` on DuckDB, ``"aggregate"`` on other
        engines.

    Input checks and their policies
    -------------------------------
    Each check counts the rows at fault and names them (index labels of a
    pandas DataFrame; the first records otherwise). Checks are judged on the
    columns the summary reads (``customer_id``, ``date``, ``amount``); the
    duplicate check counts the copies beyond the first among the rows the
    summary uses (after the exclusions above). ``"error"`` raises
    :class:`~crmlib.exceptions.DataError`; ``"exclude"`` removes the rows
    and warns (:class:`~crmlib.exceptions.DataWarning`) with their count;
    ``"keep"`` keeps them and warns. Nothing is dropped silently; the counts
    are also in ``summary.attrs["crmlib"]["checks"]``.

    =========================  ===========  =====================================
    check                      policy       why
    =========================  ===========  =====================================
    missing customer id        error        a purchase without a customer
    missing/unparsable date    error        cannot be placed in time
    missing/non-numeric amount error        (only when ``amount`` is given;
                                            NaN: missing in pandas, not a
                                            number in a file or table)
    amount >= 10**12 in        error        beyond the exact DECIMAL(18, 6)
    absolute value, infinite                sums (scale the amounts)
    negative amount (returns)  ``error``    a return is not a purchase; choose
                                            ``"exclude"`` (drop the rows) or
                                            ``"keep"`` (the amount nets into its
                                            period's spend, the row counts as a
                                            purchase)
    zero amount                ``keep``     free orders still count as purchases
                                            (full CDNOW: 80); or exclude/error
    exact duplicate rows       ``keep``     same customer, date (as given, time
                                            included) and amount (to 1e-6, the
                                            precision of the sums): two
                                            identical orders are possible; or
                                            ``"exclude"`` (keep one copy),
                                            ``"error"``, or ``"ignore"`` (no
                                            check, no warning, rows kept)
    after ``observation_end``  ``exclude``  outside the observation window; or
                                            ``"error"``
    =========================  ===========  =====================================

    Returns
    -------
    DataFrame indexed by customer id (sorted), with columns

    =====================  =======  =============================================
    ``frequency``          int64    repeat purchase periods (distinct periods - 1)
    ``recency``            float64  first to last purchase period (``time_unit``)
    ``T``                  float64  first purchase period to the end of
                                    observation (calibration) (``time_unit``)
    ``monetary``           float64  mean spend of the repeat periods (currency;
                                    0 when ``frequency`` is 0)
    ``frequency_holdout``  int64    purchase periods in the holdout window
    ``monetary_holdout``   float64  mean spend of those periods (0 if none)
    ``duration_holdout``   float64  length of the holdout window (``time_unit``)
    ``cohort``             date     start of the acquisition period (asked for)
    =====================  =======  =============================================

    ``attrs["crmlib"]`` records the settings and the check counts.

    Notes
    -----
    Definitions as in Fader, Hardie & Lee (2005), "Counting your customers the
    easy way", Marketing Science 24(2), and lifetimes'
    ``summary_data_from_transaction_data`` /
    ``calibration_and_holdout_data`` (which, unlike this function, averages the
    holdout spend over transactions rather than periods). Amounts are summed as
    DECIMAL(18, 6) (rounded to 1e-6, |amount| < 10**12), so that every engine
    returns the same numbers bit for bit. Overflow is reported, never wrapped:
    the aggregate plan needs a customer's spend in one period below 10**12
    (the sort plan's int64 sums hold up to 4.6e12 per customer); beyond, a
    :class:`~crmlib.exceptions.DataError` names the amount column.

    Examples
    --------
    >>> from crmlib.datasets import load_cdnow
    >>> s = summarize(load_cdnow("sample"), calibration_end="1997-09-30",
    ...               observation_end="1998-06-30")  # doctest: +SKIP
    """
    for name, value in (
        ("on_negative", on_negative),
        ("on_zero", on_zero),
        ("on_duplicate", on_duplicate),
        ("on_after_end", on_after_end),
    ):
        _check_policy(name, value)
    if period not in _PERIODS:
        raise DataError(f"period must be one of {list(_PERIODS)}, got {period!r}")
    if plan not in ("auto", "sort", "aggregate"):
        raise DataError(f"plan must be 'auto', 'sort' or 'aggregate', got {plan!r}")
    unit = _unit(time_unit, period)
    cohort = None
    if include_cohort is True:
        cohort = "M"
    elif include_cohort not in (False, None):
        if include_cohort not in _COHORTS:
            raise DataError(f"include_cohort must be True, False or one of {_COHORTS}, got {include_cohort!r}")
        cohort = include_cohort
    obs_end = _to_timestamp(observation_end, "observation_end")
    cal_end = _to_timestamp(calibration_end, "calibration_end")
    if obs_end is not None and cal_end is not None and cal_end >= obs_end:
        raise DataError(f"calibration_end ({cal_end.date()}) must be before observation_end ({obs_end.date()})")

    with warnings.catch_warnings():
        # Ibis 12 calls a DuckDB 2.0 method that DuckDB deprecates; not the user's concern
        warnings.filterwarnings("ignore", message=r"fetch_arrow_table\(\) is deprecated", category=DeprecationWarning)
        src = _as_source(transactions, engine, customer_id, date, amount, date_format)
        try:
            if plan == "auto":
                plan = "sort" if src.backend.name == "duckdb" else "aggregate"
            return _summarize(
                src,
                customer_id,
                date,
                amount,
                obs_end,
                cal_end,
                period,
                unit,
                time_unit,
                cohort,
                on_negative,
                on_zero,
                on_duplicate,
                on_after_end,
                date_format,
                plan,
            )
        finally:
            for fn in src.cleanup:
                try:
                    fn()
                except Exception:  # pragma: no cover - best effort
                    pass


def _duplicates(typed, only_cids, src, customer_id, date, amount, policy, kept_mask, problems) -> int:
    """Count exact duplicate rows (same customer, raw date and amount) in one pass; report them."""
    has_amount = amount is not None
    dup_cols = ["cid", "when"] + (["amount"] if has_amount else [])  # the raw date: exact duplicates
    # amounts compared as they are summed (DECIMAL(18, 6)), as the sort plan does
    exact = {"amount": typed.amount.cast(_AMOUNT_TYPE)} if has_amount else {}
    rows = typed.select("cid", "when", **exact)
    if only_cids is not None and "lo" in only_cids.columns:  # candidate customers and day ranges
        rows = typed.select("cid", "when", "day", **exact).inner_join(only_cids, "cid")
        # a day of slack on each side: the bounds went through pandas (and, on Spark, a session
        # time zone); a wider window only adds rows, all of whose copies it holds too
        one = _ibis().interval(days=1)
        lo, hi = rows.lo.cast("date") - one, rows.hi.cast("date") + one
        rows = rows.filter(rows.day.between(lo, hi)).select(*dup_cols)
    elif only_cids is not None:
        rows = rows.semi_join(only_cids, "cid")
    groups = rows.group_by(dup_cols).aggregate(copies=rows.cid.count())
    repeated = groups.filter(groups.copies > 1)
    repeated = repeated.mutate(extra=(repeated.copies - 1).sum().over())
    examples = src.backend.to_pyarrow(repeated.limit(_N_EXAMPLES)).to_pylist()
    dup_count = int(examples[0]["extra"]) if examples else 0
    names = {"cid": customer_id, "when": date, "amount": amount, "copies": "copies"}
    shown = [{names[k]: _plain(v) for k, v in r.items() if k != "extra"} for r in examples]
    _report_duplicates(dup_count, shown, src, typed, customer_id, date, amount, policy, kept_mask, problems)
    return dup_count


def _report_duplicates(
    count, shown, src, typed, customer_id, date, amount, policy, kept_mask, problems, among=None
) -> None:
    """Report ``count`` exact duplicate rows (both plans): up to five records ``shown``, or the index labels
    of a pandas log (``among``: the ids of the customers with duplicates, if known, to look at their rows only)."""
    used = [customer_id, date] + ([amount] if amount is not None else [])
    dup = _Problem(
        "duplicate",
        count,
        f"are exact duplicates of an earlier row (same {', '.join(map(repr, used))})",
        policy,
        None,
        None if kept_mask is None else (lambda f: _duplicated(f, used, amount, among=among) & kept_mask(f)),
    )
    if count and src.frame is None:
        dup.text += f"; e.g. {shown}"
    # the warning points at the user's call: _report, here, _duplicates or _sorted_result, _summarize, summarize
    _report([dup], src, typed, customer_id, date, amount, stacklevel=6)
    problems.append(dup)


def _summarize(
    src,
    customer_id,
    date,
    amount,
    obs_end,
    cal_end,
    period,
    unit,
    time_unit,
    cohort,
    on_negative,
    on_zero,
    on_duplicate,
    on_after_end,
    date_format,
    plan="aggregate",
):
    ibis = _ibis()
    typed = _typed(src.table, customer_id, date, amount)
    has_amount = amount is not None

    # ---- one pass: counts of every row-level problem and the date range
    stats = {
        "n_rows": typed.count(),
        "missing_id": typed.cid.isnull().sum(),
        "missing_date": (~typed.date_given).sum(),
        "bad_date": (typed.date_given & typed.day.isnull()).sum(),
        "last_day": typed.day.max(),
        "first_day": typed.day.min(),
    }
    if has_amount:
        stats.update(
            missing_amount=(~typed.amount_given).sum(),
            bad_amount=(typed.amount_given & typed.amount.isnull()).sum(),
            negative=(typed.amount < 0).sum(),
            zero=(typed.amount == 0).sum(),
            too_large=(typed.amount.abs() >= _AMOUNT_LIMIT).sum(),
        )
    if obs_end is not None:
        stats["after_end"] = (typed.day > ibis.literal(obs_end.date(), type="date")).sum()
    counts = src.backend.to_pyarrow(typed.aggregate(**stats)).to_pylist()[0]
    counts = {k: (0 if v is None else v) for k, v in counts.items()}
    if counts["n_rows"] == 0:
        raise DataError("the transaction log has no rows")
    last_day = pd.Timestamp(counts["last_day"]) if counts["last_day"] else None
    first_day = pd.Timestamp(counts["first_day"]) if counts["first_day"] else None
    if obs_end is None:
        if last_day is None:
            raise DataError(f"column {date!r} has no valid date")
        obs_end = last_day
        counts["after_end"] = 0
    if cal_end is not None and cal_end >= obs_end:
        raise DataError(f"calibration_end ({cal_end.date()}) must be before observation_end ({obs_end.date()})")
    if cal_end is not None and first_day is not None and cal_end < first_day:
        raise DataError(f"calibration_end ({cal_end.date()}) is before the first transaction ({first_day.date()})")

    obs_lit = ibis.literal(obs_end.date(), type="date")
    problems: list[_Problem] = []
    frame = src.frame

    def pmask(fn):
        return fn if frame is not None else None

    problems.append(
        _Problem(
            "missing_id",
            int(counts["missing_id"]),
            f"have no customer id (column {customer_id!r})",
            "error",
            typed.cid.isnull(),
            pmask(lambda f: f[customer_id].isna()),
        )
    )
    problems.append(
        _Problem(
            "missing_date",
            int(counts["missing_date"]),
            f"have no date (column {date!r})",
            "error",
            ~typed.date_given,
            pmask(lambda f: f[date].isna()),
        )
    )

    def bad_date_mask(f):
        d = f[date]
        if pd.api.types.is_datetime64_any_dtype(d.dtype):
            return np.zeros(len(f), dtype=bool)
        text = d.astype("string") if date_format is not None else d
        return d.notna() & pd.to_datetime(text, format=date_format or "ISO8601", errors="coerce").isna()

    problems.append(
        _Problem(
            "bad_date",
            int(counts["bad_date"]),
            f"have a date that cannot be parsed (column {date!r})",
            "error",
            typed.date_given & typed.day.isnull(),
            pmask(bad_date_mask),
        )
    )
    if has_amount:
        problems.append(
            _Problem(
                "missing_amount",
                int(counts["missing_amount"]),
                f"have no amount (column {amount!r})",
                "error",
                ~typed.amount_given,
                pmask(lambda f: f[amount].isna()),
            )
        )
        problems.append(
            _Problem(
                "bad_amount",
                int(counts["bad_amount"]),
                f"have an amount that is not a number (column {amount!r})",
                "error",
                typed.amount_given & typed.amount.isnull(),
                pmask(lambda f: f[amount].notna() & pd.to_numeric(f[amount], errors="coerce").isna()),
            )
        )
        problems.append(
            _Problem(
                "negative",
                int(counts["negative"]),
                f"have a negative amount (returns; column {amount!r})",
                on_negative,
                typed.amount < 0,
                pmask(lambda f: pd.to_numeric(f[amount], errors="coerce") < 0),
            )
        )
        problems.append(
            _Problem(
                "zero",
                int(counts["zero"]),
                f"have a zero amount (column {amount!r})",
                on_zero,
                typed.amount == 0,
                pmask(lambda f: pd.to_numeric(f[amount], errors="coerce") == 0),
            )
        )
        problems.append(
            _Problem(
                "too_large",
                int(counts["too_large"]),
                f"have an amount of 10**12 or more in absolute value, or infinite (column {amount!r}), "
                "beyond the exact DECIMAL(18, 6) sums; scale the amounts (e.g. to thousands)",
                "error",
                typed.amount.abs() >= _AMOUNT_LIMIT,
                pmask(lambda f: pd.to_numeric(f[amount], errors="coerce").abs() >= _AMOUNT_LIMIT),
            )
        )
    problems.append(
        _Problem(
            "after_end",
            int(counts["after_end"]),
            f"are dated after the observation end {obs_end.date()} (column {date!r})",
            on_after_end,
            typed.day > obs_lit,
            pmask(
                lambda f: _parse_dates(f[date], date_format) > obs_end + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
            ),
        )
    )
    # stop at the first hard errors before the (costlier) duplicate pass
    _report(problems, src, typed, customer_id, date, amount)

    key_cols = ["cid", "day"] + (["amount"] if has_amount else [])
    dup_count = 0
    # ---- the rows the summary sees (the checks above have warned about every excluded row)
    drop = []
    if has_amount:
        if on_negative == "exclude":
            drop.append(typed.amount < 0)
        if on_zero == "exclude":
            drop.append(typed.amount == 0)
    drop.append(typed.day > obs_lit)  # excluded (policy "exclude") or none (policy "error" raised)
    keep = ~ibis.or_(*drop) if len(drop) > 1 else ~drop[0]
    kept = typed.filter(keep)

    def kept_mask(f):  # the same rows, for a pandas input
        m = ~(_parse_dates(f[date], date_format) > obs_end + pd.Timedelta(days=1) - pd.Timedelta(1, "ns"))
        if has_amount:
            a = pd.to_numeric(f[amount], errors="coerce")
            if on_negative == "exclude":
                m &= ~(a < 0)
            if on_zero == "exclude":
                m &= ~(a == 0)
        return m.to_numpy()

    if plan == "sort":
        result, dup_count = _sorted_result(
            kept,
            src,
            customer_id,
            date,
            amount,
            obs_end,
            cal_end,
            period,
            unit,
            cohort,
            on_duplicate,
            pmask(kept_mask),
            problems,
        )
    else:
        # Exact duplicates (same customer, raw date and amount) share a customer-day. With daily periods
        # and policy "keep", the summary query counts each customer's days with more than one row and
        # gives the first and last of them; the exact check then reads only those customers' rows between
        # these days (a small share of the log) instead of making a
        # full extra aggregation; otherwise the check runs first, on all rows.
        dup_after = on_duplicate == "keep" and period == "D"
        if on_duplicate != "ignore" and not dup_after:
            dup_count = _duplicates(
                kept, None, src, customer_id, date, amount, on_duplicate, pmask(kept_mask), problems
            )
        clean = kept.select(*key_cols)
        if on_duplicate == "exclude" and dup_count:
            # one copy of each exact duplicate: the same rows the check counted (amounts to 1e-6, as summed)
            exact = {"amount": kept.amount.cast(_AMOUNT_TYPE)} if has_amount else {}
            clean = kept.select("cid", "day", "when", **exact).distinct().select(*key_cols)

        expr = summary_expression(
            clean,
            observation_end=obs_end,
            calibration_end=cal_end,
            period=period,
            time_unit=unit,
            has_amount=has_amount,
            cohort=cohort,
            _all_customers=True,
            _multi_row_periods=dup_after,
        )
        result = _fetch_sums(src.backend, expr, amount)
        if has_amount:
            lost = result.pop("lost_spend").to_numpy()
            if lost.any():
                who = result["cid"].to_numpy()[lost > 0][:_N_EXAMPLES]
                raise DataError(
                    f"the engine returned no spend for {int(lost.sum())} customer-periods (customers "
                    f"{[_plain(v) for v in who]}; column {amount!r}): a customer's spend in one period of 10**12 "
                    "or more overflows DECIMAL(18, 6) (Spark with spark.sql.ansi.enabled=false turns the overflow "
                    "into NULL); scale the amounts (e.g. to thousands)"
                )
        if dup_after:
            multi = result.pop("multi").to_numpy() > 0
            first, last = result.pop("multi_first"), result.pop("multi_last")
            if multi.any():
                # the candidate rows: those customers' days from their first to their last day with more
                # than one row (usually one day), not all their rows
                ids = pd.DataFrame(
                    {
                        "cid": result["cid"].to_numpy()[multi],
                        "lo": first.to_numpy()[multi],
                        "hi": last.to_numpy()[multi],
                    }
                )
                only = _ibis().memtable(ids)
                if src.backend.name == "duckdb":  # scanned in place
                    only = src.backend.table(_register(src, ids))
                dup_count = _duplicates(
                    kept, only, src, customer_id, date, amount, on_duplicate, pmask(kept_mask), problems
                )
            else:
                problems.append(_Problem("duplicate", 0, "", on_duplicate))
    first_seen_later = 0
    if cal_end is not None:
        # customers without a calibration purchase (frequency = -1) are first seen in the holdout
        later = result["frequency"].to_numpy() < 0
        first_seen_later = int(later.sum())
        if first_seen_later:
            result = result.loc[~later]
    out = _finish(result, customer_id, has_amount, cal_end is not None, cohort is not None)
    if cal_end is not None:
        hold = _span_py(_period_start(obs_end, period), _period_start(cal_end, period), period, unit)
        out["duration_holdout"] = float(hold)
        out = out[[c for c in _column_order() if c in out.columns]]
    out.attrs["crmlib"] = {
        "observation_end": str(obs_end.date()),
        "calibration_end": None if cal_end is None else str(cal_end.date()),
        "period": period,
        "time_unit": time_unit,
        "engine": src.backend.name,
        "plan": plan,
        "rows": int(counts["n_rows"]),
        "checks": {p.key: int(p.count) for p in problems},
        "customers_first_seen_in_holdout": first_seen_later,
    }
    return out


def _duplicated(f: pd.DataFrame, used: list[str], amount: str | None, among=None) -> np.ndarray:
    """Rows of a pandas log that repeat an earlier row (customer, date, amount to 1e-6): for naming them.

    ``among``: the ids of the customers that have duplicates, if known; only their rows are compared.
    """
    mask = np.zeros(len(f), dtype=bool)
    rows = np.arange(len(f))
    if among is not None:
        rows = np.flatnonzero(f[used[0]].isin(among).to_numpy())
    sub = f.iloc[rows][used]
    if amount is not None:
        sub = sub.assign(**{amount: pd.to_numeric(sub[amount], errors="coerce").round(6)})
    mask[rows] = sub.duplicated(subset=used, keep="first").to_numpy()
    return mask


def _sorted_result(
    kept, src, customer_id, date, amount, obs_end, cal_end, period, unit, cohort, on_duplicate, kept_mask, problems
):
    """The summary by the sort plan (``crmlib._sorted_summary``), as the aggregate plan's result table.

    Returns the per-customer table (columns ``cid``, ``frequency``, ... as from
    :func:`summary_expression`, customers first seen in the holdout included
    with ``frequency`` -1) and the number of exact duplicate rows.
    """
    from . import _sorted_summary as ss

    has_amount = amount is not None
    check = on_duplicate != "ignore"
    # the raw date is needed for exact duplicates unless the periods are the dates themselves
    with_when = check and not (period == "D" and kept.when.type().is_date())
    expr = ss.sorted_rows_expression(
        kept,
        period=period,
        calibration_end=cal_end,
        has_amount=has_amount,
        with_when=with_when,
        period_of=_period,
        amount_type=_AMOUNT_TYPE,
        with_day=cohort is not None and period != "D",
    )
    reader = _record_batches(src.backend, expr, ss.BATCH_ROWS)
    red = ss.reduce_sorted(reader, has_amount=has_amount, keep_candidates=check, amount_name=amount or "amount")
    ids = red.ids.to_pandas()
    dup_count = 0
    if check:
        cand = red.candidates
        dup_mask = np.zeros(len(cand), dtype=bool)
        if len(cand):
            key = ["customer", "when"] + (["m"] if has_amount else [])  # amounts to 1e-6, as summed
            dup_mask = cand.duplicated(subset=key, keep="first").to_numpy()
            dup_count = int(dup_mask.sum())
        dup_ids = ids.iloc[np.unique(cand["customer"].to_numpy()[dup_mask])] if dup_count else []
        shown = []
        if dup_count and src.frame is None:
            copies = cand[dup_mask].groupby(key, sort=False).size() + 1
            for k, c in list(copies.items())[:_N_EXAMPLES]:
                row = {customer_id: _plain(ids.iloc[int(k[0])]), date: _plain(_when_value(k[1], with_when))}
                if has_amount:
                    row[amount] = int(k[2]) / 1e6
                row["copies"] = int(c)
                shown.append(row)
        _report_duplicates(
            dup_count, shown, src, kept, customer_id, date, amount, on_duplicate, kept_mask, problems, among=dup_ids
        )
        if on_duplicate == "exclude" and dup_count and has_amount:
            # a copy left out takes its amount out of its period's spend; the period itself stays
            d = cand[dup_mask]
            who, m = d["customer"].to_numpy(), d["m"].to_numpy()
            hold, first = d["hold"].to_numpy(), d["in_first"].to_numpy()
            np.subtract.at(red.spend_cal, who[~hold], m[~hold])
            np.subtract.at(red.spend_hold, who[hold], m[hold])
            np.subtract.at(red.spend_first, who[first], m[first])

    first = red.first  # int32 days since 1970-01-01
    end_day = _period_start(cal_end if cal_end is not None else obs_end, period)
    end_p = int((np.datetime64(end_day.date(), "D") - np.datetime64("1970-01-01", "D")).astype(np.int64))

    def span(later, earlier):  # the aggregate plan's _span, in place where possible
        if unit == "period" and period == "M":
            return (ss.month_index(later) - ss.month_index(earlier)).astype(np.float64)
        days = np.subtract(later, earlier, dtype=np.int64).astype(np.float64)
        days /= (7.0 if period == "W" else 1.0) if unit == "period" else float(unit)
        return days

    def mean_spend(units, count):  # ifelse(count > 0, units / 1e6, 0) / greatest(count, 1), as in the expression
        out = ss.units_to_float(units)
        out[count <= 0] = 0.0
        out /= np.maximum(count, 1)
        return out

    n = red.n_cal
    out = {"cid": ids, "frequency": n - 1, "recency": span(red.last, first), "T": span(np.int64(end_p), first)}
    if has_amount:
        out["monetary"] = mean_spend(red.spend_cal - red.spend_first, n - 1)
    if cal_end is not None:
        out["frequency_holdout"] = red.n_hold
        if has_amount:
            out["monetary_holdout"] = mean_spend(red.spend_hold, red.n_hold)
    if cohort is not None:
        # the cohort of the first purchase day (not of its period's start: a week can straddle two months)
        day0 = first if red.first_day is None else np.where(n > 0, red.first_day, first)
        out["cohort"] = ss.cohort_start(day0, cohort)
    return pd.DataFrame(out, copy=False), dup_count


def _record_batches(backend, expr, rows: int):
    """The result of ``expr`` as a stream of Arrow record batches of about ``rows`` rows.

    On DuckDB the SQL that Ibis compiles runs on the raw connection (Ibis 12's
    ``to_pyarrow_batches`` calls a cursor method that DuckDB 2.0 removed).
    """
    if backend.name != "duckdb":
        return backend.to_pyarrow_batches(expr, chunk_size=rows)
    hooks = getattr(backend, "_run_pre_execute_hooks", None)
    if hooks is not None:  # registers in-memory tables (ibis.memtable) on the connection
        hooks(expr)
    rel = backend.con.sql(backend.compile(expr))
    if hasattr(rel, "to_arrow_reader"):
        return rel.to_arrow_reader(rows)
    return rel.fetch_record_batch(rows)  # DuckDB < 2.0


def _when_value(v, with_when):
    """A candidate row's date as the user gave it (days since 1970 when the periods are the dates)."""
    if with_when:
        return v
    return (np.datetime64("1970-01-01", "D") + np.timedelta64(int(v), "D")).item()


def _fetch(backend, expr) -> pd.DataFrame:
    """Run ``expr`` on ``backend``: the result as pandas, converted from Arrow once."""
    return backend.to_pyarrow(expr).to_pandas(date_as_object=False)


def _fetch_sums(backend, expr, amount: str | None) -> pd.DataFrame:
    """:func:`_fetch`, with an engine's decimal overflow (a customer's spend in one period of 10**12 or
    more) reported as a :class:`DataError` naming the amount column."""
    try:
        return _fetch(backend, expr)
    except Exception as exc:  # engines raise their own types (DuckDB ConversionException, Spark ArithmeticException)
        text = str(exc).upper()
        if (
            amount is not None
            and "DECIMAL" in text
            and any(w in text for w in ("CAST", "OVERFLOW", "OUT OF RANGE", "OUT_OF_RANGE", "CANNOT BE REPRESENTED"))
        ):
            raise DataError(
                f"a customer's spend in one period reaches 10**12 currency units (column {amount!r}), beyond the "
                "exact DECIMAL(18, 6) sums of the aggregate plan; scale the amounts (e.g. to thousands) or use "
                f"plan='sort' on DuckDB (engine message: {str(exc).splitlines()[0][:200]})"
            ) from exc
        raise


def _register(src: _Source, frame: pd.DataFrame) -> str:
    name = f"crmlib_ids_{uuid.uuid4().hex}"
    raw = src.backend.con
    raw.register(name, frame)
    src.cleanup.append(lambda: raw.unregister(name))
    return name


def _column_order():
    return [
        "frequency",
        "recency",
        "T",
        "monetary",
        "frequency_holdout",
        "monetary_holdout",
        "duration_holdout",
        "cohort",
    ]


_HINTS = {
    "negative": " (on_negative='exclude' drops them, 'keep' nets them into their period's spend)",
    "zero": " (on_zero='keep' or 'exclude' accepts them)",
    "duplicate": " (on_duplicate='keep' or 'exclude' accepts them)",
    "after_end": " (on_after_end='exclude' leaves them out)",
}


def _report(problems: list[_Problem], src, typed, customer_id, date, amount, stacklevel: int = 4) -> None:
    errors = []
    for p in problems:
        if p.count == 0:
            continue
        where = _examples(p, src, typed, customer_id, date, amount)
        msg = f"{p.count} rows {p.text}" + (f": {where}" if where else "")
        if p.policy == "error":
            errors.append(msg + _HINTS.get(p.key, ""))
        elif p.policy == "exclude":
            warnings.warn(f"{msg}; excluded from the summary", DataWarning, stacklevel=stacklevel)
        else:
            warnings.warn(f"{msg}; kept in the summary", DataWarning, stacklevel=stacklevel)
    if errors:
        raise DataError("; ".join(errors))


def _finish(result: pd.DataFrame, customer_id: str, has_amount: bool, holdout: bool, cohort: bool) -> pd.DataFrame:
    """The engine's result indexed by customer (sorted), typed, in the documented column order.

    Builds the frame once: each column is taken in customer order straight from its array (no
    set_index / sort_index / astype copies of the whole table).
    """
    types = {"frequency": "int64", "recency": "float64", "T": "float64"}
    if has_amount:
        types["monetary"] = "float64"
    if holdout:
        types["frequency_holdout"] = "int64"
        if has_amount:
            types["monetary_holdout"] = "float64"
    index = pd.Index(result["cid"].to_numpy(), name=customer_id)
    take = None if index.is_monotonic_increasing else np.argsort(index.to_numpy(), kind="stable")
    data = {}
    for col in _column_order():
        if col not in result.columns:
            continue
        v = result[col]
        if col == "cohort":
            v = pd.to_datetime(v).astype("datetime64[ns]")
        elif v.dtype != types[col]:
            v = v.astype(types[col])
        v = v.to_numpy()
        data[col] = v if take is None else v[take]
    if take is not None:
        index = index[take]
    return pd.DataFrame(data, index=index, copy=False)


# ------------------------------------------------------------------------ compression


def compress(summary: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """The distinct rows of a summary with a ``weight`` column (number of customers behind each).

    Models whose likelihood depends on a customer only through (``frequency``,
    ``recency``, ``T``) - BG/NBD, Pareto/NBD, MBG/NBD - are fitted on the
    distinct rows with each log-likelihood term multiplied by its weight, at
    the cost of the distinct rows (e.g. 1M customers, daily times: about 516k
    rows; weekly: 40k). Fader & Hardie's donation data (``load_donations``)
    come in this form.

    Parameters
    ----------
    summary : the output of :func:`summarize` (or any table of per-customer rows).
        If it already has a ``weight`` column, weights are summed.
    columns : the columns that define a distinct row; default those of
        ``frequency``, ``recency``, ``T`` present in ``summary``.

    Returns
    -------
    DataFrame with ``columns`` and ``weight`` (int64), one row per distinct
    combination, sorted by ``columns``, on a fresh RangeIndex.
    :func:`expand` inverts it (up to row order and the customer index).
    """
    if columns is None:
        columns = [c for c in ("frequency", "recency", "T") if c in summary.columns]
        if not columns:
            raise DataError("compress: the summary has none of the columns 'frequency', 'recency', 'T'; pass columns=")
    missing = [c for c in columns if c not in summary.columns]
    if missing:
        raise DataError(f"compress: column(s) {missing} not in the summary (columns {list(summary.columns)})")
    if "weight" in columns:
        raise DataError("compress: 'weight' cannot be one of the grouping columns")
    nan = summary[columns].isna().any(axis=1)
    if nan.any():
        raise DataError(
            f"compress: {int(nan.sum())} rows have missing values in {columns}, "
            f"e.g. rows {list(summary.index[nan][:_N_EXAMPLES])}"
        )
    if "weight" in summary.columns:
        w = summary["weight"]
        if not pd.api.types.is_integer_dtype(w.dtype) or (w < 0).any():
            raise DataError("compress: an existing 'weight' column must hold non-negative integers")
        out = summary.groupby(columns, sort=True)["weight"].sum()
    else:
        out = summary.groupby(columns, sort=True).size()
    return out.rename("weight").astype("int64").reset_index()


def expand(compressed: pd.DataFrame, weight: str = "weight") -> pd.DataFrame:
    """One row per customer from a compressed summary: each row repeated ``weight`` times.

    The inverse of :func:`compress`: ``expand(compress(s))`` holds the rows of
    ``s[columns]`` (sorted by the columns, on a fresh RangeIndex).
    """
    if weight not in compressed.columns:
        raise DataError(f"expand: no column {weight!r} in {list(compressed.columns)}")
    w = compressed[weight]
    if not pd.api.types.is_integer_dtype(w.dtype) or (w < 0).any():
        raise DataError(f"expand: column {weight!r} must hold non-negative integers")
    rows = np.repeat(np.arange(len(compressed)), w.to_numpy())
    return compressed.drop(columns=weight).iloc[rows].reset_index(drop=True)


# ---------------------------------------------------------------------------------- RFM


def _quintile(values: pd.Series, higher_is_better: bool = True, n: int = 5) -> pd.Series:
    """Score 1..n: 1 + floor(n * (customers with a strictly worse value) / N); ties share a score."""
    v = values if higher_is_better else -values
    below = v.rank(method="min").to_numpy() - 1.0  # customers with a strictly smaller value
    score = 1 + np.floor(n * below / len(v)).astype("int64")
    return pd.Series(np.minimum(score, n), index=values.index, dtype="int64")


def rfm_scores(summary: pd.DataFrame, n_groups: int = 5) -> pd.DataFrame:
    """Recency, frequency and monetary quintile scores (1 = worst, 5 = best).

    The RFM scores of Hughes (1994, *Strategic Database Marketing*) as
    quintiles of the customers in ``summary`` (output of :func:`summarize`):

    * R from the time since the last purchase, ``T - recency`` (smaller is better),
    * F from ``frequency`` (more is better),
    * M from ``monetary`` (more is better; only if the column is present).

    Ties are handled deterministically and never split: a customer's score is
    ``1 + floor(n_groups * k / N)``, where ``k`` is the number of customers
    with a strictly worse value and ``N`` the number of customers. Groups are
    therefore quintiles when the values are distinct; a value shared by many
    customers (e.g. ``frequency == 0``) puts them all in the score of its
    lowest rank, and some scores may then be empty.

    Returns
    -------
    DataFrame on the summary's index with int64 columns ``R``, ``F``, ``M``
    and ``RFM`` (the three digits as a string, e.g. ``"545"``).
    """
    for col in ("frequency", "recency", "T"):
        if col not in summary.columns:
            raise DataError(f"rfm_scores: the summary has no column {col!r}")
    if len(summary) == 0:
        raise DataError("rfm_scores: the summary has no rows")
    if int(n_groups) != n_groups or n_groups < 2 or n_groups > 9:
        raise DataError(f"rfm_scores: n_groups must be an integer from 2 to 9, got {n_groups!r}")
    since_last = summary["T"] - summary["recency"]
    out = pd.DataFrame(index=summary.index)
    out["R"] = _quintile(since_last, higher_is_better=False, n=n_groups)
    out["F"] = _quintile(summary["frequency"], n=n_groups)
    if "monetary" in summary.columns:
        out["M"] = _quintile(summary["monetary"], n=n_groups)
    rfm = out["R"].astype(str) + out["F"].astype(str)
    out["RFM"] = rfm + out["M"].astype(str) if "M" in out.columns else rfm
    return out


#: The segment of each (R, F) cell of a 5 x 5 grid; R = recency score, F = frequency score.
RFM_SEGMENT_RULES = pd.DataFrame(
    [
        ("champions", "5", "4-5", "bought recently and often"),
        ("loyal", "3-4", "4-5", "buy often, fairly recently"),
        ("potential loyalists", "4-5", "2-3", "recent, a few repeat purchases"),
        ("new customers", "5", "1", "recent, no or few repeat purchases"),
        ("promising", "4", "1", "fairly recent, no or few repeat purchases"),
        ("need attention", "3", "3", "average recency and frequency"),
        ("about to sleep", "3", "1-2", "average recency, low frequency"),
        ("cannot lose them", "1-2", "5", "bought often, but long ago"),
        ("at risk", "1-2", "3-4", "bought fairly often, but long ago"),
        ("hibernating", "1-2", "1-2", "low frequency, long ago (except R = F = 1)"),
        ("lost", "1", "1", "lowest recency and frequency"),
    ],
    columns=["segment", "R", "F", "description"],
)


def _segment_grid() -> np.ndarray:
    grid = np.empty((6, 6), dtype=object)  # grid[R, F], 1-based
    for row in RFM_SEGMENT_RULES.itertuples(index=False):
        r_lo, r_hi = (int(x) for x in (row.R.split("-") * 2)[:2])
        f_lo, f_hi = (int(x) for x in (row.F.split("-") * 2)[:2])
        grid[r_lo : r_hi + 1, f_lo : f_hi + 1] = row.segment  # later rules refine earlier ones
    return grid


def rfm_segments(summary_or_scores: pd.DataFrame) -> pd.Series:
    """Named RFM segments from the recency (R) and frequency (F) quintile scores.

    Accepts a summary (scores are computed with :func:`rfm_scores`) or a
    table with ``R`` and ``F`` columns (scores 1..5). The segments are the
    cells of the common 5 x 5 R-by-F grid (e.g. the RFM segmentation of
    Putler and of many CRM tools), listed in :data:`RFM_SEGMENT_RULES`:

    ====================  =====  =====
    segment               R      F
    ====================  =====  =====
    champions             5      4-5
    loyal                 3-4    4-5
    potential loyalists   4-5    2-3
    new customers         5      1
    promising             4      1
    need attention        3      3
    about to sleep        3      1-2
    cannot lose them      1-2    5
    at risk               1-2    3-4
    hibernating           1-2    1-2 (except R = F = 1)
    lost                  1      1
    ====================  =====  =====

    Every one of the 25 cells has exactly one segment. Returns a categorical
    Series (categories in the order above) on the input's index.
    """
    scores = summary_or_scores
    if not {"R", "F"} <= set(scores.columns):
        scores = rfm_scores(summary_or_scores)
    r = scores["R"].to_numpy()
    f = scores["F"].to_numpy()
    if not (np.isin(r, range(1, 6)).all() and np.isin(f, range(1, 6)).all()):
        raise DataError("rfm_segments: R and F must be scores from 1 to 5")
    grid = _segment_grid()
    labels = grid[r, f]
    cats = list(RFM_SEGMENT_RULES["segment"])
    return pd.Series(pd.Categorical(labels, categories=cats), index=scores.index, name="segment")
