"""RFM: recency, frequency and monetary quintile scores and the named segments of the R-by-F grid.

Hughes (1994), *Strategic Database Marketing*; the 5 x 5 R-by-F segment grid of
common RFM tools (see :func:`rfm_segments`). Input: a summary from
:func:`crmlib.transactions.summarize`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import numeric_column
from ..exceptions import DataError

__all__ = ["RFM_SEGMENT_RULES", "rfm_scores", "rfm_segments"]


def _quintile(values: pd.Series, higher_is_better: bool = True, n: int = 5) -> pd.Series:
    """Score 1..n: 1 + floor(n * (customers with a strictly worse value) / N); ties share a score."""
    v = values if higher_is_better else -values
    below = v.rank(method="min").to_numpy() - 1.0  # customers with a strictly smaller value
    score = 1 + np.floor(n * below / len(v)).astype("int64")
    return pd.Series(np.minimum(score, n), index=values.index, dtype="int64")


def rfm_scores(summary: pd.DataFrame, n_groups: int = 5) -> pd.DataFrame:
    """Recency, frequency and monetary quintile scores (1 = worst, 5 = best).

    The RFM scores of Hughes (1994, *Strategic Database Marketing*) as
    quintiles of the customers in ``summary`` (output of :func:`crmlib.transactions.summarize`):

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
    for col in ("frequency", "recency", "T", "monetary"):
        if col in summary.columns:
            numeric_column(summary, col, "rfm_scores: the summary")  # NaN, infinite or text values name their rows
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
