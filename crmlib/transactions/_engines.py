"""Engines: which Ibis backend runs a summary, and how results come back from it.

Engines (DuckDB, Spark, any Ibis backend) are met only in this package. A
DuckDB connection of our own uses every core and does not keep the log's row
order (the summary sorts by customer), which lets its parallel scans and
aggregations run freely. Reference: the Ibis documentation, *Backends*
(https://ibis-project.org/backends/).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError

# Amounts are summed as DECIMAL(18, 6): exact (engine-independent) sums of
# amounts rounded to 1e-6, for |amount| and a customer's spend in one period < 10**12.
# (Integer micro-units, round(amount * 1e6) summed as int64, were tried: the same numbers and, on DuckDB
# at 10M rows, the same time within the noise - DuckDB's decimal sums are int64 underneath.)
AMOUNT_TYPE = "decimal(18, 6)"
AMOUNT_LIMIT = 1e12  # |amount| below this fits DECIMAL(18, 6); larger amounts (and infinities) are an input error
N_EXAMPLES = 5


def ibis_module():
    import ibis  # imported lazily: engines are met only here

    return ibis


def is_ibis_table(obj: Any) -> bool:
    try:
        import ibis.expr.types as ir
    except ImportError:  # pragma: no cover - ibis is a dependency
        return False
    return isinstance(obj, ir.Table)


def is_ibis_backend(obj: Any) -> bool:
    try:
        from ibis.backends import BaseBackend
    except ImportError:  # pragma: no cover
        return False
    return isinstance(obj, BaseBackend)


def duckdb_backend(raw=None):
    import duckdb

    ibis = ibis_module()
    if raw is None:
        # our own connection: every core, and no need to keep the log's row order (the summary sorts
        # by customer), which lets DuckDB's parallel scans and aggregations run freely
        raw = duckdb.connect(config={"preserve_insertion_order": False})
    return ibis.duckdb.from_connection(raw)


def resolve_engine(engine: Any):
    """An Ibis backend for ``engine`` (None/"duckdb", a DuckDB connection, a SparkSession, a backend)."""
    if engine is None or (isinstance(engine, str) and engine.lower() == "duckdb"):
        return duckdb_backend()
    if isinstance(engine, str) and engine.lower() in ("spark", "pyspark"):
        from pyspark.sql import SparkSession

        return ibis_module().pyspark.connect(SparkSession.builder.getOrCreate())
    if is_ibis_backend(engine):
        return engine
    import duckdb

    if isinstance(engine, duckdb.DuckDBPyConnection):
        return duckdb_backend(engine)
    if type(engine).__module__.startswith("pyspark"):
        return ibis_module().pyspark.connect(engine)
    raise DataError(
        f"engine must be None or 'duckdb', 'spark', a DuckDB connection, a SparkSession or an Ibis "
        f"backend (e.g. ibis.pyspark.connect(spark)); got {engine!r}"
    )


def plain(v):
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


def run_pre_execute_hooks(backend, expr) -> None:
    """Register the in-memory tables (``ibis.memtable``) of ``expr`` on the backend before raw SQL runs it."""
    hooks = getattr(backend, "_run_pre_execute_hooks", None)
    if hooks is not None:
        hooks(expr)


def record_batches(backend, expr, rows: int):
    """The result of ``expr`` as a stream of Arrow record batches of about ``rows`` rows.

    On DuckDB the SQL that Ibis compiles runs on the raw connection (Ibis 12's
    ``to_pyarrow_batches`` calls a cursor method that DuckDB 2.0 removed).
    """
    if backend.name != "duckdb":
        return backend.to_pyarrow_batches(expr, chunk_size=rows)
    run_pre_execute_hooks(backend, expr)
    rel = backend.con.sql(backend.compile(expr))
    if hasattr(rel, "to_arrow_reader"):
        return rel.to_arrow_reader(rows)
    return rel.fetch_record_batch(rows)  # DuckDB < 2.0


def fetch(backend, expr) -> pd.DataFrame:
    """Run ``expr`` on ``backend``: the result as pandas, converted from Arrow once."""
    return backend.to_pyarrow(expr).to_pandas(date_as_object=False)


def fetch_sums(backend, expr, amount: str | None) -> pd.DataFrame:
    """:func:`_fetch`, with an engine's decimal overflow (a customer's spend in one period of 10**12 or
    more) reported as a :class:`DataError` naming the amount column."""
    try:
        return fetch(backend, expr)
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


def register(backend, frame: Any, cleanup: list) -> str:
    """Register a pandas frame or Arrow table on a DuckDB backend (scanned in place); unregistered by ``cleanup``."""
    name = f"crmlib_{uuid.uuid4().hex}"
    raw = backend.con
    raw.register(name, frame)
    cleanup.append(lambda: raw.unregister(name))
    return name
