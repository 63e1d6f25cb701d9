"""Every customer of a large summary scored where it lives: DuckDB (through Ibis) in batches, Spark on its executors.

:func:`score_customers` is the one scoring function: a pandas summary in, a table of predictions
out (P(alive), expected purchases over ``t``, DERT, expected spend and CLV, and the CLV over a
finite ``horizon``), all from the fitted models' closed forms, vectorised over the rows
(:func:`~crmlib.clv.customer_lifetime_value`, :func:`~crmlib.clv.horizon.horizon_value`).
The engines only move batches to it:

* :func:`score_table`: an Ibis table (DuckDB, or any Ibis backend) or a DuckDB relation is read as
  Arrow record batches of ``batch_rows`` rows (memory bounded by a batch), each batch scored, the
  scores returned as one Arrow table keyed by the customer column;
* :func:`score_spark`: a Spark DataFrame is scored on the executors by ``mapInPandas`` (the pandas
  UDF route), the same function on each Arrow batch; the result is a lazy Spark DataFrame.

Because both call :func:`score_customers` on batches, a score does not depend on the engine or
the batch: the tests compare DuckDB and Spark (``local[2]``) with the in-memory result to 1e-12.
A model can come from :func:`crmlib.clv.load_model`, so a base is scored without the training data.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value curves for customer
base analysis. *Journal of Marketing Research* 42(4), 415-430 (CLV = margin x DERT x spend, eq. 2).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from .._checks import require_columns
from ..exceptions import DataError
from ._base import PurchaseFitter, SpendFitter
from .horizon import _history, horizon_value
from .lifetime_value import customer_lifetime_value

__all__ = ["largest_difference", "score_columns", "score_customers", "score_spark", "score_table"]


def score_columns(*, t: float | None = None, spend_model: SpendFitter | None = None, horizon: float | None = None):
    """Names of the columns :func:`score_customers` returns for these options, in order."""
    cols = ["p_alive"]
    if t is not None:
        cols.append("expected_purchases")
    if spend_model is not None:
        cols += ["dert", "expected_spend", "clv"]
        if horizon is not None:
            cols += ["dert_horizon", "clv_horizon"]
    return cols


def score_customers(
    transaction_model: PurchaseFitter,
    data: pd.DataFrame,
    *,
    t: float | None = None,
    spend_model: SpendFitter | None = None,
    horizon: float | None = None,
    margin_share: float | None = None,
    discount_rate: float | None = None,
    periods_per_year: float | None = None,
) -> pd.DataFrame:
    """Predictions and CLV of every customer of a summary (one batch, in memory).

    Parameters
    ----------
    transaction_model : a fitted (or loaded) BG/NBD, MBG/NBD, Pareto/NBD or BG/BB model.
    data : ``frequency``, ``recency``, ``T`` (``n_periods`` for BG/BB), and ``monetary`` when a
        ``spend_model`` is given; the index is kept.
    t : time ahead for ``expected_purchases`` (FHL 2005 eq. 10), data time unit; ``None``: not computed.
    spend_model : a fitted Gamma-Gamma model; with it ``dert``, ``expected_spend`` and ``clv``
        (FHL 2005b, eq. 2) are computed, which need ``margin_share`` and ``discount_rate``.
    horizon : time ahead of ``dert_horizon`` and ``clv_horizon`` (:func:`~crmlib.clv.horizon.horizon_value`).
    margin_share : share of revenue that is profit, in (0, 1].
    discount_rate : annual effective rate, in (0, 1).
    periods_per_year : time units in a year; default from the model's spec.

    Returns
    -------
    DataFrame with the columns :func:`score_columns` names: ``p_alive`` (at T), ``expected_purchases``
    (count), ``dert`` and ``dert_horizon`` (discounted purchases), ``expected_spend``, ``clv`` and
    ``clv_horizon`` (currency).
    """
    x, tx, T, _ = _history(transaction_model, data)
    out = pd.DataFrame({"p_alive": transaction_model.probability_alive_at(0.0, x, tx, T)}, index=data.index)
    if t is not None:
        out["expected_purchases"] = transaction_model.conditional_expected_purchases(t, x, tx, T)
    if spend_model is None:
        if horizon is not None:
            raise DataError("horizon needs a spend_model: it sets the horizon of the CLV columns")
        return out
    if margin_share is None or discount_rate is None:
        raise DataError("a spend_model needs margin_share and discount_rate (annual) for the CLV columns")
    kw: dict[str, Any] = dict(margin_share=margin_share, discount_rate=discount_rate, periods_per_year=periods_per_year)
    if horizon is None:
        value = customer_lifetime_value(transaction_model, spend_model, data, **kw)
    else:
        value = horizon_value(transaction_model, spend_model, data, horizon=horizon, **kw)
    for col in score_columns(spend_model=spend_model, horizon=horizon)[1:]:
        out[col] = value[col].to_numpy()
    return out


def _batches(table: Any, batch_rows: int) -> Iterator[pd.DataFrame]:
    """Arrow record batches of an Ibis table or a DuckDB relation, as pandas frames.

    The engines are met through :func:`crmlib.transactions._engines.record_batches` (the one place
    that streams an Ibis expression out of DuckDB, Spark or another backend).
    """
    if hasattr(table, "to_pyarrow_batches"):  # an Ibis table expression
        import ibis

        from ..transactions._engines import record_batches

        reader = record_batches(ibis.get_backend(table), table, batch_rows)
    elif hasattr(table, "to_arrow_reader") or hasattr(table, "fetch_record_batch"):  # a DuckDB relation
        reader = (
            table.to_arrow_reader(batch_rows)
            if hasattr(table, "to_arrow_reader")
            else table.fetch_record_batch(batch_rows)
        )
    else:
        raise DataError(
            f"table must be an Ibis table or a DuckDB relation (score a pandas summary with score_customers, "
            f"a Spark DataFrame with score_spark), got {type(table).__name__}"
        )
    for batch in reader:
        if batch.num_rows:
            yield batch.to_pandas()


def score_table(
    table: Any,
    transaction_model: PurchaseFitter,
    *,
    customer_id: str = "customer_id",
    batch_rows: int = 1_000_000,
    **options: Any,
):
    """Score every customer of a summary held by an engine, batch by batch: a pyarrow Table.

    Parameters
    ----------
    table : an Ibis table (DuckDB or another Ibis backend) or a DuckDB relation with the summary's
        columns (see :func:`score_customers`) and ``customer_id``.
    transaction_model : a fitted or loaded purchase model.
    customer_id : the column that identifies the customer; it leads the result.
    batch_rows : rows read and scored at once (memory about 200 bytes a row).
    options : ``t``, ``spend_model``, ``horizon``, ``margin_share``, ``discount_rate``,
        ``periods_per_year`` of :func:`score_customers`.

    Returns
    -------
    ``pyarrow.Table`` with ``customer_id`` and the score columns (:func:`score_columns`), in the order
    the engine returned the rows; register it in DuckDB (``con.register``) to join it back.
    """
    import pyarrow as pa

    if not (isinstance(batch_rows, int) and batch_rows >= 1):
        raise DataError(f"batch_rows must be a whole number >= 1, got {batch_rows!r}")
    parts = []
    for frame in _batches(table, batch_rows):
        require_columns(frame, [customer_id], what="table")
        scores = score_customers(transaction_model, frame, **options)
        scores.insert(0, customer_id, frame[customer_id].to_numpy())
        parts.append(pa.Table.from_pandas(scores, preserve_index=False))
    if not parts:
        raise DataError("table has no rows to score")
    return pa.concat_tables(parts)


def score_spark(frame: Any, transaction_model: PurchaseFitter, *, customer_id: str = "customer_id", **options: Any):
    """Score every customer of a Spark DataFrame on the executors (``mapInPandas``): a Spark DataFrame.

    Parameters
    ----------
    frame : a ``pyspark.sql.DataFrame`` with the summary's columns and ``customer_id``.
    transaction_model : a fitted or loaded purchase model (sent to the executors with the function).
    customer_id : the column that identifies the customer; its Spark type is kept.
    options : as :func:`score_table`.

    Returns
    -------
    A lazy Spark DataFrame: ``customer_id`` and the score columns (double), one row per input row.
    Each Arrow batch is scored by :func:`score_customers`, so the numbers are those of the in-memory
    route (FHL 2005b, eq. 2 for CLV).
    """
    from pyspark.sql import types as st

    require_columns(pd.DataFrame(columns=frame.columns), [customer_id], what="frame")
    cols = score_columns(t=options.get("t"), spend_model=options.get("spend_model"), horizon=options.get("horizon"))
    schema = st.StructType(
        [frame.schema[customer_id]] + [st.StructField(c, st.DoubleType(), nullable=False) for c in cols]
    )

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            if len(batch):
                scores = score_customers(transaction_model, batch, **options)
                scores.insert(0, customer_id, batch[customer_id].to_numpy())
                yield scores.astype({c: np.float64 for c in cols})

    return frame.mapInPandas(score, schema)


def largest_difference(
    scores: Any,
    transaction_model: PurchaseFitter,
    data: pd.DataFrame,
    *,
    customer_id: str = "customer_id",
    rows: int = 10_000,
    **options: Any,
) -> float:
    """Largest absolute difference between engine scores and :func:`score_customers` in memory.

    The check of a scoring run: the first ``rows`` customers of ``scores`` (a pyarrow or pandas table
    from :func:`score_table` or :func:`score_spark`, keyed by ``customer_id``) are looked up in ``data``
    (the same summary, with ``customer_id`` as a column or as the index) and scored again in memory
    with the same ``options``. Returns the largest absolute difference over every score column (in
    the columns' units: probabilities, purchases, currency); 0 when the routes agree exactly
    (FHL 2005b, eq. 2 for the CLV columns).
    """
    frame = scores.to_pandas() if hasattr(scores, "to_pandas") else pd.DataFrame(scores)
    require_columns(frame, [customer_id], what="scores")
    if not (isinstance(rows, int) and rows >= 1):
        raise DataError(f"rows must be a whole number >= 1, got {rows!r}")
    head = frame.iloc[:rows]
    table = data.set_index(customer_id) if customer_id in data.columns else data
    missing = ~head[customer_id].isin(table.index)
    if missing.any():
        raise DataError(f"scores has {int(missing.sum())} customer(s) that data lacks (column '{customer_id}')")
    memory = score_customers(transaction_model, table.loc[head[customer_id].to_numpy()], **options)
    cols = [c for c in memory.columns if c in head.columns]
    if not cols:
        raise DataError(f"scores has none of the score columns {list(memory.columns)}")
    return float(np.max(np.abs(head[cols].to_numpy(float) - memory[cols].to_numpy(float))))
