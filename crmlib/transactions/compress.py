"""Compressed summaries: the distinct (frequency, recency, T) rows with the number of customers behind each.

Fader & Hardie's donation data come in this form (``crmlib.datasets.load_donations``);
BG/NBD, Pareto/NBD and MBG/NBD are fitted on it with weighted likelihoods.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import DataError
from ._engines import N_EXAMPLES

__all__ = ["compress", "expand"]


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
    summary : the output of :func:`crmlib.transactions.summarize` (or any table of per-customer rows).
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
            f"e.g. rows {list(summary.index[nan][:N_EXAMPLES])}"
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
