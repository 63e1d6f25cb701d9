"""Customer life-cycle stages from a transaction history.

The life-cycle theory behind the thesis in crmlib's sources (Dwyer, Schurr &
Oh 1987, "Developing buyer-seller relationships", J. Marketing 51(2), 11-27;
Chen Mingliang 2003, 客户生命周期模式研究, 浙江大学学报) has four stages —
exploration (trial), formation (the relationship grows), stability (a
steady, high level) and decline — to which crmlib adds *lost*. The papers do
not give an operational rule; crmlib uses this one, computed per customer at
a date ``E`` = ``observation_end`` from the purchase days up to and including ``E``:

================  ==============================================================
quantity          definition (days are calendar days)
================  ==============================================================
tenure            ``E - first purchase day``
recency           ``E - last purchase day``
recent rate       purchase days in ``(E - R, E]`` / ``R``   (``R`` = ``trend_days``)
earlier rate      purchase days in ``[first, E - R]`` / (days in that span)
trend             recent rate / earlier rate
================  ==============================================================

Rule, applied in this order (the first that holds wins):

1. **lost** — ``recency >= inactivity_days`` (the same lapse as
   :func:`crmlib.survival.data.from_transactions`: ``inactivity_days``
   observed days without a purchase), or ``p_alive < p_lost`` when a
   probability of being alive from a CLV model is passed in.
2. **exploration** — ``tenure < trend_days`` (too new to judge a trend) or a
   single purchase day so far (no repeat purchase yet).
3. **formation** — ``trend >= rise`` (purchase rate rising; default 1.5).
4. **decline** — ``trend <= fall`` (purchase rate falling; default 2/3).
5. **stability** — otherwise (the rate is within ``(fall, rise)`` of its past level).

Several transactions of one customer on one day are one purchase day; the log is
read and checked by :func:`crmlib.transactions.purchase_days` (its policies and messages).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._checks import check_count, check_probability
from ..exceptions import DataError
from .data import DAY, _as_day, _purchase_days, _where

__all__ = ["STAGES", "lifecycle_stages", "stage_sizes", "stage_transitions"]

STAGES = ["exploration", "formation", "stability", "decline", "lost"]
"""The stages in life-cycle order."""

NOT_YET = "not yet acquired"


def lifecycle_stages(
    log: pd.DataFrame,
    observation_end: pd.Timestamp | str,
    *,
    inactivity_days: int = 180,
    trend_days: int = 90,
    rise: float = 1.5,
    fall: float = 2 / 3,
    p_alive: pd.Series | Mapping | None = None,
    p_lost: float = 0.2,
    customer_id: str = "customer_id",
    date: str = "date",
) -> pd.DataFrame:
    """Classify each customer acquired by ``observation_end`` into a life-cycle stage (rule in the module docstring).

    Parameters
    ----------
    log : transactions (customer id, date).
    observation_end : the classification date (inclusive); later transactions are ignored.
    inactivity_days : lapse that makes a customer lost (days).
    trend_days : ``R``, length of the recent window (days); also the minimum tenure to judge a trend.
    rise, fall : trend thresholds for formation (>= rise) and decline (<= fall); ``fall < 1 < rise``.
    p_alive : optional P(alive) per customer (index = customer id) from a
        CLV model (e.g. BG/NBD); customers below ``p_lost`` are lost. Every
        customer must have a value.
    p_lost : threshold on ``p_alive``, in [0, 1].
    customer_id, date : column names of the log.

    Returns
    -------
    DataFrame indexed by customer: ``first``, ``last``, ``purchase_days``,
    ``tenure_days``, ``recency_days``, ``recent_rate`` and ``earlier_rate``
    (purchase days per 30 days), ``trend`` (NaN when tenure < trend_days:
    no earlier period), ``stage`` (categorical in :data:`STAGES` order).
    """
    if not (0 < fall < 1 < rise):
        raise DataError(f"need 0 < fall < 1 < rise, got fall={fall}, rise={rise}")
    inactivity_days = check_count(inactivity_days, "inactivity_days", minimum=1)
    trend_days = check_count(trend_days, "trend_days", minimum=1)
    p_lost = check_probability(p_lost, "p_lost")
    as_of = _as_day(observation_end, "observation_end").normalize()
    days, _ = _purchase_days(log, customer_id, date)  # the whole log: later purchases are ignored, by the rule
    days = days.loc[(days["d"] <= as_of).to_numpy(), ["c", "d"]]
    if days.empty:
        raise DataError(f"no transaction on or before observation_end = {as_of.date()}")
    cut = as_of - pd.Timedelta(days=trend_days)
    days["recent"] = (days["d"] > cut).to_numpy()
    g = days.groupby("c", sort=True)
    out = pd.DataFrame(
        {"first": g["d"].min(), "last": g["d"].max(), "purchase_days": g.size(), "recent_days": g["recent"].sum()}
    )
    out.index.name = customer_id
    out["tenure_days"] = ((as_of - out["first"]) / DAY).astype("int64")
    out["recency_days"] = ((as_of - out["last"]) / DAY).astype("int64")
    earlier_span = ((cut - out["first"]) / DAY + 1).to_numpy()
    earlier_n = (out["purchase_days"] - out["recent_days"]).to_numpy()
    judged = (out["tenure_days"] >= trend_days).to_numpy()
    out["recent_rate"] = out["recent_days"].to_numpy() / trend_days * 30.0
    with np.errstate(divide="ignore", invalid="ignore"):
        earlier_rate = np.where(judged, earlier_n / earlier_span * 30.0, np.nan)
        trend = np.where(judged, out["recent_rate"].to_numpy() / earlier_rate, np.nan)
    out["earlier_rate"] = earlier_rate
    out["trend"] = trend
    lost = (out["recency_days"] >= inactivity_days).to_numpy()
    if p_alive is not None:
        pa = pd.Series(p_alive, dtype="float64") if not isinstance(p_alive, pd.Series) else p_alive.astype("float64")
        pa = pa.reindex(out.index)
        missing = out.index[pa.isna().to_numpy()]
        if len(missing):
            raise DataError(f"p_alive: no probability in {_where(missing)}")
        if ((pa < 0) | (pa > 1)).any():
            raise DataError("p_alive must lie in [0, 1]")
        lost = lost | (pa < p_lost).to_numpy()
    explore = ~judged | (out["purchase_days"] == 1).to_numpy()
    stage = np.select(
        [lost, explore, trend >= rise, trend <= fall],
        ["lost", "exploration", "formation", "decline"],
        default="stability",
    )
    out["stage"] = pd.Categorical(stage, categories=STAGES)
    out = out.drop(columns="recent_days")
    out.attrs.update(
        {
            "observation_end": as_of,
            "inactivity_days": inactivity_days,
            "trend_days": trend_days,
            "rise": rise,
            "fall": fall,
            "p_alive_used": p_alive is not None,
        }
    )
    return out


def stage_sizes(stages: pd.DataFrame) -> pd.DataFrame:
    """Customers and share per stage (all five stages, zero counts kept); ``attrs['n']`` = N."""
    counts = stages["stage"].value_counts(sort=False).reindex(STAGES, fill_value=0)
    out = pd.DataFrame({"customers": counts.astype("int64"), "share": counts / counts.sum()})
    out.index.name = "stage"
    out.attrs["n"] = int(counts.sum())
    return out


def stage_transitions(
    log: pd.DataFrame,
    observation_start: pd.Timestamp | str,
    observation_end: pd.Timestamp | str,
    *,
    normalize: bool = False,
    **kwargs,
) -> pd.DataFrame:
    """Stage-to-stage transition matrix between two dates (rows: stage at ``observation_start``).

    Every customer acquired by ``observation_end`` is counted once; those acquired
    after ``observation_start`` sit in the row ``"not yet acquired"``. With
    ``normalize=True`` each row is divided by its total (transition
    probabilities, rows summing to 1). ``attrs['n']`` = N. Keyword arguments
    go to :func:`lifecycle_stages` (the same rule at both dates; Dwyer, Schurr & Oh 1987 for the stages).
    """
    t0, t1 = _as_day(observation_start, "observation_start"), _as_day(observation_end, "observation_end")
    if t1 <= t0:
        raise DataError(f"observation_end ({t1.date()}) must be after observation_start ({t0.date()})")
    s1 = lifecycle_stages(log, t1, **kwargs)["stage"]
    try:
        s0 = lifecycle_stages(log, t0, **kwargs)["stage"]
    except DataError:
        s0 = pd.Series(pd.Categorical([], categories=STAGES), dtype="category")
    before = s0.reindex(s1.index).astype(object).fillna(NOT_YET)
    rows = pd.Categorical(before, categories=STAGES + [NOT_YET])
    table = pd.crosstab(rows, s1, dropna=False).reindex(index=STAGES + [NOT_YET], columns=STAGES, fill_value=0)
    table.index.name = f"stage at {t0.date()}"
    table.columns.name = f"stage at {t1.date()}"
    table.attrs["n"] = int(table.to_numpy().sum())
    if normalize:
        totals = table.sum(axis=1)
        table = table.div(totals.where(totals > 0), axis=0).fillna(0.0)
        table.attrs["n"] = int(totals.sum())
    return table
