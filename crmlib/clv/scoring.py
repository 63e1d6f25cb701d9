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

For BG/NBD, MBG/NBD and Pareto/NBD, a customer alive at ``T`` after ``x`` repeat purchases has a
posterior that depends on ``(x, T)`` only, so every score is the row's closed-form P(alive) times a
value of its ``(frequency, T)`` pair. Both engines first run ``SELECT DISTINCT frequency, T`` (tens of
thousands of pairs for millions of customers on a daily grid), compute the pair values once
(:func:`pair_values`) and pass them with every batch (``score_customers(..., pairs=...)``); the
values of a pair do not depend on the other pairs, so the scores are those of the in-memory route to
the last digit. Each batch of :func:`score_table` is scored on a pool of threads.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value curves for customer
base analysis. *Journal of Marketing Research* 42(4), 415-430 (CLV = margin x DERT x spend, eq. 2).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_nonnegative, check_probability, require_columns
from ..exceptions import DataError
from ._base import PurchaseFitter, SpendFitter
from ._data import check_columns, check_times, distinct_rows
from ._rates import continuous_rate
from .horizon import _active_discounted, _history, horizon_value
from .lifetime_value import customer_lifetime_value, periods_per_year_of

__all__ = ["largest_difference", "pair_values", "score_columns", "score_customers", "score_spark", "score_table"]


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


def _by_pair(model: PurchaseFitter) -> bool:
    """Whether the model's predictions are P(alive) x an active customer's value that depends on ``(x, T)`` only.

    BG/NBD, MBG/NBD and Pareto/NBD: given the customer is alive at ``T``, the posterior of the purchase
    (and drop-out) process depends on the frequency and ``T`` only (FHL 2005, eq. 10's derivation; SMC
    1987), so expected purchases, DERT and discounted purchases over a horizon are P(alive | x, t_x, T)
    times a function of ``(x, T)``. BG/BB is scored row by row.
    """
    return hasattr(model, "_active_expected") and hasattr(model, "_active_dert")


def _needs_pairs(model: PurchaseFitter, options: dict[str, Any]) -> bool:
    """Whether an engine should compute the pair table once for the whole base (a pair model, values asked, none given)."""
    wanted = options.get("t") is not None or options.get("spend_model") is not None
    return _by_pair(model) and wanted and options.get("pairs") is None


def _options(
    model: PurchaseFitter,
    data: pd.DataFrame | None,
    t: float | None,
    spend_model: SpendFitter | None,
    horizon: float | None,
    margin_share: float | None,
    discount_rate: float | None,
    periods_per_year: float | None,
) -> dict[str, Any]:
    """The options a pair table depends on, checked: ``t``, ``delta`` (per time unit), ``horizon`` and the parameters."""
    if spend_model is None:
        if horizon is not None:
            raise DataError("horizon needs a spend_model: it sets the horizon of the CLV columns")
        delta = None
    else:
        if margin_share is None or discount_rate is None:
            raise DataError("a spend_model needs margin_share and discount_rate (annual) for the CLV columns")
        per_year = periods_per_year if data is None else periods_per_year_of(data, model, periods_per_year)
        delta = continuous_rate(discount_rate, model._periods_per_year(per_year))
    t_ = None if t is None else float(check_times(t))
    h = None
    if horizon is not None:
        h = float(check_nonnegative(horizon, "horizon"))
        if not (np.isfinite(h) and h > 0):
            raise DataError(f"horizon must be a positive, finite time (data time unit), got {horizon!r}")
    return {"t": t_, "delta": delta, "horizon": h, "params": tuple(float(v) for v in model._params_tuple(None))}


def _pair_arrays(model: Any, x: np.ndarray, T: np.ndarray, opts: dict[str, Any]) -> dict[str, np.ndarray]:
    """The active customer's values at distinct ``(x, T)`` pairs: ``purchases``, ``dert``, ``dert_horizon``."""
    p = model._params_tuple(None)
    out: dict[str, np.ndarray] = {}
    if opts["t"] is not None:
        out["purchases"] = model._active_expected(check_times(opts["t"]), x, T, p)
    if opts["delta"] is not None:
        out["dert"] = model._active_dert(x, T, opts["delta"], p)
        if opts["horizon"] is not None:
            out["dert_horizon"] = _active_discounted(model, x, T, opts["horizon"], opts["delta"], p)
    return out


def pair_values(
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
    """The per-(frequency, T) part of every score, for the distinct pairs of ``data``: the ``pairs`` of :func:`score_customers`.

    For BG/NBD, MBG/NBD and Pareto/NBD a customer alive at ``T`` after ``x`` repeat purchases has a
    posterior that depends on ``(x, T)`` only (FHL 2005, eq. 10's derivation; SMC 1987), so the expected
    purchases over ``t``, the DERT (FHL 2005b, eq. 2) and the discounted purchases up to ``horizon``
    are P(alive | x, t_x, T) times values of the pair. A base of millions of customers has tens of
    thousands of pairs (a daily grid of ``T`` times the frequencies): they are computed here once, and
    :func:`score_customers` multiplies them by each row's closed-form P(alive).

    Parameters
    ----------
    transaction_model : a fitted (or loaded) BG/NBD, MBG/NBD or Pareto/NBD model.
    data : ``frequency`` and ``T`` (e.g. the result of ``SELECT DISTINCT frequency, T`` on an engine);
        repeated pairs are computed once.
    t, spend_model, horizon, margin_share, discount_rate, periods_per_year : as :func:`score_customers`;
        the table is for these options (``score_customers`` refuses it for others).

    Returns
    -------
    DataFrame with one row per distinct pair: ``frequency``, ``T`` and, as the options ask,
    ``purchases`` (expected purchases in ``t`` if alive, count), ``dert`` and ``dert_horizon``
    (discounted purchases if alive); ``attrs["crmlib_pairs"]`` holds the options.
    """
    if not _by_pair(transaction_model):
        raise DataError(
            f"pair_values needs a BG/NBD, MBG/NBD or Pareto/NBD model, got {type(transaction_model).__name__}"
        )
    cols = check_columns(data, {"frequency": "count", "T": "nonneg"})
    opts = _options(transaction_model, data, t, spend_model, horizon, margin_share, discount_rate, periods_per_year)
    (xu, Tu), _ = distinct_rows(cols["frequency"], cols["T"])
    out = pd.DataFrame({"frequency": xu, "T": Tu, **_pair_arrays(transaction_model, xu, Tu, opts)})
    out.attrs["crmlib_pairs"] = opts
    return out


def _lookup(
    model: PurchaseFitter, pairs: pd.DataFrame | None, xu: np.ndarray, Tu: np.ndarray, opts: dict[str, Any]
) -> dict[str, np.ndarray]:
    """The pair values of ``(xu, Tu)``: from ``pairs`` where it has them, computed for the others."""
    if pairs is None:
        return _pair_arrays(model, xu, Tu, opts)
    if pairs.attrs.get("crmlib_pairs") != opts:
        raise DataError(
            "pairs was made for other options or another model (t, discount rate, horizon, parameters); "
            "make it with pair_values and the same options"
        )
    index = pd.MultiIndex.from_arrays([pairs["frequency"].to_numpy(float), pairs["T"].to_numpy(float)])
    pos = index.get_indexer(pd.MultiIndex.from_arrays([xu, Tu]))
    known = pos >= 0
    if known.all():
        return {k: pairs[k].to_numpy()[pos] for k in pairs.columns if k not in ("frequency", "T")}
    out = _pair_arrays(model, xu, Tu, opts) if not known.any() else {}
    if known.any():
        extra = _pair_arrays(model, xu[~known], Tu[~known], opts)
        for k, v in extra.items():
            col = np.empty(len(xu))
            col[known] = pairs[k].to_numpy()[pos[known]]
            col[~known] = v
            out[k] = col
    return out


def _grid_positions(pairs: pd.DataFrame, x: np.ndarray, T: np.ndarray) -> np.ndarray | None:
    """Each row's line in ``pairs`` by one hash lookup of ``T`` and a dense (frequency, T) grid; None if a row is not there.

    Cheaper than finding a batch's distinct pairs (three hash passes): a base's pairs are a few hundred
    ``T`` values times the frequencies, so the grid is small; ``None`` too when it would not be.
    """
    px = pairs["frequency"].to_numpy(float)
    if not len(px):
        return None
    iT_pairs, uT = pd.factorize(pairs["T"].to_numpy(float))
    n_T, x_max = len(uT), int(px.max())
    if (x_max + 1) * n_T > 50_000_000:
        return None
    grid = np.full((x_max + 1) * n_T, -1, dtype=np.int64)
    grid[px.astype(np.int64) * n_T + iT_pairs] = np.arange(len(px))
    iT = pd.Index(uT).get_indexer(T)
    xi = x.astype(np.int64)
    inside = (iT >= 0) & (xi <= x_max)
    if not inside.all():
        return None
    pos = grid[xi * n_T + iT]
    return None if (pos < 0).any() else pos


def _row_values(
    model: PurchaseFitter, pairs: pd.DataFrame | None, x: np.ndarray, T: np.ndarray, opts: dict[str, Any]
) -> dict[str, np.ndarray]:
    """The active customer's values of each row's (frequency, T) pair: from ``pairs`` or computed."""
    if pairs is not None:
        if pairs.attrs.get("crmlib_pairs") != opts:
            raise DataError(
                "pairs was made for other options or another model (t, discount rate, horizon, parameters); "
                "make it with pair_values and the same options"
            )
        pos = _grid_positions(pairs, x, T)
        if pos is not None:
            return {k: pairs[k].to_numpy()[pos] for k in pairs.columns if k not in ("frequency", "T")}
    (xu, Tu), inv = distinct_rows(x, T)
    return {k: v[inv] for k, v in _lookup(model, pairs, xu, Tu, opts).items()}


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
    pairs: pd.DataFrame | None = None,
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
    pairs : the per-(frequency, T) values of :func:`pair_values` for the same model and options,
        computed once for a whole base (BG/NBD, MBG/NBD, Pareto/NBD); pairs it lacks are computed
        here. ``None``: computed for the distinct pairs of ``data``. The scores are the same either way.

    Returns
    -------
    DataFrame with the columns :func:`score_columns` names: ``p_alive`` (at T), ``expected_purchases``
    (count), ``dert`` and ``dert_horizon`` (discounted purchases), ``expected_spend``, ``clv`` and
    ``clv_horizon`` (currency). For BG/NBD, MBG/NBD and Pareto/NBD each is the row's P(alive) times the
    active customer's value of its ``(frequency, T)`` pair (:func:`pair_values`), exactly as the
    models' ``conditional_expected_purchases``, ``dert`` and :func:`~crmlib.clv.horizon.discounted_purchases`
    compute them.
    """
    if spend_model is not None and margin_share is not None and discount_rate is not None:
        require_columns(data, ["monetary"], what="data")
    columns = _score_arrays(
        transaction_model, data, t, spend_model, horizon, margin_share, discount_rate, periods_per_year, pairs
    )
    return pd.DataFrame(columns, index=data.index, copy=False)


def _score_arrays(
    transaction_model, data, t, spend_model, horizon, margin_share, discount_rate, periods_per_year, pairs
) -> dict[str, np.ndarray]:
    """The score columns of :func:`score_customers` as arrays, in order (the engines build Arrow tables from them)."""
    opts = _options(transaction_model, data, t, spend_model, horizon, margin_share, discount_rate, periods_per_year)
    if not _by_pair(transaction_model):
        if pairs is not None:
            raise DataError("pairs is for BG/NBD, MBG/NBD and Pareto/NBD models (their values by (frequency, T))")
        frame = _score_by_row(
            transaction_model, data, t, spend_model, horizon, margin_share, discount_rate, periods_per_year
        )
        return {c: frame[c].to_numpy() for c in frame.columns}
    x, tx, T, _ = _history(transaction_model, data)
    if opts["t"] is not None or opts["delta"] is not None:
        values = _row_values(transaction_model, pairs, x, T, opts)
    p_alive = transaction_model.probability_alive(x, tx, T)
    out = {"p_alive": p_alive}
    if t is not None:
        out["expected_purchases"] = values["purchases"] * p_alive
    if spend_model is None:
        return out
    assert margin_share is not None
    margin = float(check_probability(margin_share, "margin_share"))
    if margin == 0:
        raise DataError("margin_share must be in (0, 1], the share of revenue that is profit; got 0")
    z = check_columns(data, {"monetary": "nonneg"})["monetary"]
    dert = p_alive * values["dert"]
    spend = spend_model.conditional_expected_spend(x, np.where(x > 0, z, 1.0))
    out["dert"] = dert
    out["expected_spend"] = spend
    out["clv"] = margin * dert * spend
    if horizon is not None:
        dh = p_alive * values["dert_horizon"]
        out["dert_horizon"] = dh
        out["clv_horizon"] = margin * dh * spend
    if not (np.isfinite(dert).all() and np.isfinite(spend).all()):
        raise DataError("CLV is not finite for some customers; check that the spend model has q > 1")
    return out


def _score_by_row(transaction_model, data, t, spend_model, horizon, margin_share, discount_rate, periods_per_year):
    """:func:`score_customers` of a model scored row by row (BG/BB): the models' own predictions."""
    x, tx, T, _ = _history(transaction_model, data)
    out = pd.DataFrame({"p_alive": transaction_model.probability_alive_at(0.0, x, tx, T)}, index=data.index)
    if t is not None:
        out["expected_purchases"] = transaction_model.conditional_expected_purchases(t, x, tx, T)
    if spend_model is None:
        return out
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
    import pyarrow as pa

    # engines hand over smaller batches than asked (DuckDB: 122,880 rows); they are gathered to batch_rows,
    # since each scored batch has a fixed cost (checks, lookups, frames)
    held: list = []
    rows = 0
    for batch in reader:
        if batch.num_rows:
            held.append(batch)
            rows += batch.num_rows
        if rows >= batch_rows:
            yield pa.Table.from_batches(held).to_pandas(split_blocks=True)  # a column each, not one block
            held, rows = [], 0
    if rows:
        yield pa.Table.from_batches(held).to_pandas(split_blocks=True)


def _distinct_pairs(table: Any) -> pd.DataFrame:
    """``SELECT DISTINCT frequency, T`` of an Ibis table or a DuckDB relation, run by its engine."""
    if hasattr(table, "to_pyarrow_batches"):
        import ibis

        from ..transactions._engines import fetch

        require_columns(pd.DataFrame(columns=table.columns), ["frequency", "T"], what="table")
        return fetch(ibis.get_backend(table), table.select("frequency", "T").distinct())
    if hasattr(table, "project"):
        require_columns(pd.DataFrame(columns=table.columns), ["frequency", "T"], what="table")
        return table.project('frequency, "T"').distinct().df()
    raise DataError(
        f"table must be an Ibis table or a DuckDB relation (score a pandas summary with score_customers, "
        f"a Spark DataFrame with score_spark), got {type(table).__name__}"
    )


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
        ``periods_per_year`` and ``pairs`` of :func:`score_customers`; without ``pairs`` (BG/NBD, MBG/NBD,
        Pareto/NBD) the engine's ``SELECT DISTINCT frequency, T`` gives them (:func:`pair_values`).

    Returns
    -------
    ``pyarrow.Table`` with ``customer_id`` and the score columns (:func:`score_columns`), in the order
    the engine returned the rows; register it in DuckDB (``con.register``) to join it back.
    """
    import pyarrow as pa

    if not (isinstance(batch_rows, int) and batch_rows >= 1):
        raise DataError(f"batch_rows must be a whole number >= 1, got {batch_rows!r}")
    if _needs_pairs(transaction_model, options):
        distinct = _distinct_pairs(table)
        if len(distinct):
            options = {**options, "pairs": pair_values(transaction_model, distinct, **options)}

    keys = ("t", "spend_model", "horizon", "margin_share", "discount_rate", "periods_per_year", "pairs")
    unknown = set(options) - set(keys)
    if unknown:
        raise TypeError(f"score_table got unexpected options {sorted(unknown)}")
    args = [options.get(k) for k in keys]

    def score(frame: pd.DataFrame):  # score_customers' columns, as Arrow without a pandas frame between
        require_columns(frame, [customer_id], what="table")
        columns = _score_arrays(transaction_model, frame, *args)
        return pa.table({customer_id: frame[customer_id].to_numpy(), **columns})

    # batches are scored on a pool of threads (numpy releases the GIL), at most two a worker in flight,
    # and kept in the engine's order
    parts: list = []
    workers = min(os.cpu_count() or 1, 4)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        for frame in _batches(table, batch_rows):
            pending.append(pool.submit(score, frame))
            if len(pending) >= 2 * workers:
                parts.append(pending.popleft().result())
        parts.extend(f.result() for f in pending)
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
    options : as :func:`score_table` (the distinct pairs by a Spark ``distinct()``, sent with the function).

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

    if _needs_pairs(transaction_model, options):
        require_columns(pd.DataFrame(columns=frame.columns), ["frequency", "T"], what="frame")
        distinct = frame.select("frequency", "T").distinct().toPandas()
        options = {**options, "pairs": pair_values(transaction_model, distinct, **options)}

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
