"""The bank's customer classes and the four customer states from behaviour in a transaction log.

At a calibration end, each customer's behaviour so far (purchases, recency, value) and P(alive) from a
customer-base model of :mod:`crmlib.clv` decide the class (:func:`crmlib.segment.classes.bank_classes`:
sleeping, low-value, valuable, high-value-added) and the state (:func:`crmlib.segment.classes.customer_states`:
potential, target, actual, lost); what the customers did after the calibration end tests the rules.

* :func:`period_behaviour`: per person, behaviour up to the calibration end and what followed;
* :func:`fit_p_alive`: P(alive) at the calibration end from a fitted BG/NBD, MBG/NBD or Pareto/NBD;
* :func:`classes_and_states`: both rules, thresholds as arguments;
* :func:`class_profile`: sizes, behaviour, value and the later purchases of each class or state.

References
----------
Seed slides 003 (the bank's classes) and seed thesis 004, sec. 2.1 (the four states).
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way. *Marketing
    Science* 24(2), 275-284 (P(alive)); Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical
    validation and comparison of models for customer base analysis. *International Journal of Research in
    Marketing* 24(3), 201-209 (MBG/NBD: P(alive) < 1 for a customer without repeat purchases).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_choice, require_columns, rows_text
from ..exceptions import DataError, DataWarning
from .classes import BANK_CLASS_RULE, CUSTOMER_STATES, bank_classes, customer_states
from .tiers import TierRule

__all__ = ["class_profile", "classes_and_states", "fit_p_alive", "period_behaviour"]

_P_ALIVE_MODELS = ("bgnbd", "mbgnbd", "pareto_nbd")


def period_behaviour(
    log: pd.DataFrame,
    panel: pd.DataFrame,
    *,
    calibration_end: Any,
    observation_start: Any = None,
    windows: Sequence[str] = ("period 1", "period 2"),
) -> pd.DataFrame:
    """Each person's behaviour up to the calibration end and what they did after it.

    Parameters
    ----------
    log : the log's rows (``customer_id``, ``date``), e.g. from :func:`crmlib.profit.log_frame`.
    panel : customer x period profits (:func:`crmlib.profit.profit_panel`) with the two ``windows``: the first
        ends on ``calibration_end``.
    calibration_end : the last day of the first window (the day the classes are assigned).
    observation_start : first day of the first window (``None``: the log's first day).
    windows : the labels of the window before and the window after.

    Returns
    -------
    DataFrame indexed by ``customer_id`` (everyone in the panel with an order in either window):
    ``purchases`` (purchase days up to the calibration end; 0 for a person who first buys after it),
    ``frequency``, ``recency``, ``T`` (weeks; as :func:`crmlib.transactions.summarize`, missing for
    ``purchases = 0``), ``days_since_last`` (days from the last purchase to the calibration end), ``value``
    (profit in the first window, currency units), ``orders_after`` and ``value_after`` (the second window).

    Raises
    ------
    DataError
        ``panel`` without its columns or without one of the ``windows``.

    References
    ----------
    Fader, Hardie & Lee (2005) (frequency, recency, T).
    """
    from ..transactions import summarize

    require_columns(panel, ["customer_id", "window", "orders", "profit"], "panel")
    before, after = list(windows)
    for w in (before, after):
        if not (panel["window"] == w).any():
            raise DataError(f"panel has no window {w!r}; its windows are {sorted(panel['window'].unique())}")
    b = panel.loc[panel["window"] == before].set_index("customer_id")
    a = panel.loc[panel["window"] == after].set_index("customer_id")
    people = b.index[b["orders"] > 0].union(a.index[a["orders"] > 0])
    buyers = b.index[b["orders"] > 0]
    split = pd.Timestamp(calibration_end)
    start = pd.Timestamp(observation_start) if observation_start is not None else log["date"].min()
    rows = log.loc[log["customer_id"].isin(buyers) & log["date"].between(start, split + pd.Timedelta(days=1), "left")]
    with warnings.catch_warnings():  # the log's checks (zero amounts, duplicates) are the CLV report's to show
        warnings.simplefilter("ignore", DataWarning)
        summary = summarize(rows[["customer_id", "date"]], amount=None, observation_end=split, time_unit="week")
    out = pd.DataFrame(index=people.rename("customer_id"))
    out["purchases"] = (summary["frequency"] + 1).reindex(people).fillna(0).astype("int64")
    for c in ("frequency", "recency", "T"):
        out[c] = summary[c].reindex(people)
    out["days_since_last"] = np.round(7 * (out["T"] - out["recency"]))
    out["value"] = b["profit"].reindex(people).fillna(0.0)
    out["orders_after"] = a["orders"].reindex(people).fillna(0).astype("int64")
    out["value_after"] = a["profit"].reindex(people).fillna(0.0)
    out.attrs["crmlib"] = summary.attrs.get("crmlib")
    return out


def fit_p_alive(behaviour: pd.DataFrame, model: str = "mbgnbd") -> pd.Series:
    """P(alive) at the calibration end of every customer with a purchase, from a customer-base model.

    Parameters
    ----------
    behaviour : from :func:`period_behaviour` (``frequency``, ``recency``, ``T`` in weeks).
    model : ``"mbgnbd"`` (default: a customer without repeat purchases can be lost, as the bank's sleeping
        class needs), ``"bgnbd"`` (gives every such customer P(alive) = 1) or ``"pareto_nbd"``.

    Returns
    -------
    Series of P(alive) (probability) indexed like ``behaviour``; missing for people without a purchase.

    References
    ----------
    Fader, Hardie & Lee (2005), eq. (11); Batislam, Denizel & Filiztekin (2007).
    """
    from ..clv import MODELS

    check_choice(model, "model", _P_ALIVE_MODELS)
    require_columns(behaviour, ["frequency", "recency", "T"], "behaviour")
    buyers = behaviour.loc[behaviour["frequency"].notna(), ["frequency", "recency", "T"]]
    buyers.attrs = dict(behaviour.attrs)
    fitted = MODELS[model]().fit(buyers)
    p = fitted.probability_alive(buyers["frequency"], buyers["recency"], buyers["T"])
    return pd.Series(p, index=buyers.index, name="p_alive").reindex(behaviour.index)


def classes_and_states(
    behaviour: pd.DataFrame,
    p_alive: pd.Series,
    *,
    sleeping_below: float = 0.5,
    lost_below: float = 0.5,
    cuts: Sequence[float] = BANK_CLASS_RULE.cuts,
    targeted: pd.Series | None = None,
) -> pd.DataFrame:
    """The bank's class and the customer state of each person, from behaviour and P(alive).

    Parameters
    ----------
    behaviour : from :func:`period_behaviour` (``purchases``, ``value``).
    p_alive : P(alive) per person (:func:`fit_p_alive`), missing only for people without a purchase.
    sleeping_below : P(alive) below which a customer is sleeping (probability).
    lost_below : P(alive) below which a customer is lost (probability).
    cuts : shares of the customers who are not sleeping, ranked by value, in high-value-added and (cumulated)
        valuable: ``(0.1, 0.4)`` puts the top 10% in high-value-added and the next 30% in valuable.
    targeted : True for a prospect on a campaign list (state ``target``); ``None``: nobody.

    Returns
    -------
    ``behaviour`` with ``p_alive``, ``class`` (categorical; missing for people without a purchase, who are not
    yet customers) and ``state`` (categorical :data:`~crmlib.segment.classes.CUSTOMER_STATES`).

    Raises
    ------
    DataError
        ``p_alive`` missing for a person with purchases (rows named), or not indexed like ``behaviour``.

    References
    ----------
    Seed slides 003; seed thesis 004, sec. 2.1; Fader, Hardie & Lee (2005).
    """
    require_columns(behaviour, ["purchases", "value"], "behaviour")
    p = pd.Series(p_alive).reindex(behaviour.index)
    buyer = (behaviour["purchases"] > 0).to_numpy()
    missing = buyer & p.isna().to_numpy()
    if missing.any():
        raise DataError(f"p_alive is missing for customers with purchases in {rows_text(missing, behaviour.index)}")
    rule = TierRule(names=BANK_CLASS_RULE.names, cuts=tuple(float(c) for c in cuts))
    out = behaviour.copy()
    out["p_alive"] = p
    cls = bank_classes(out.loc[buyer, "value"], p[buyer], sleeping_below=sleeping_below, rule=rule)
    out["class"] = pd.Categorical(cls.reindex(out.index), categories=cls.cat.categories)
    out["state"] = customer_states(out["purchases"], p.fillna(1.0), targeted, lost_below=lost_below)
    return out


def class_profile(behaviour: pd.DataFrame, by: str = "class") -> pd.DataFrame:
    """Size, behaviour and value of each class (or state), and what its customers did afterwards.

    Parameters
    ----------
    behaviour : from :func:`classes_and_states` (with ``class`` and ``state``).
    by : ``"class"`` or ``"state"``.

    Returns
    -------
    DataFrame indexed by the categories of ``by`` (an empty one keeps its row with 0 customers):
    ``customers``, ``customer_share`` (fraction of the people classified), ``mean_purchases``,
    ``mean_days_since_last`` (days), ``mean_p_alive``, ``value`` (total, currency units), ``value_share``
    (fraction of the total value), ``bought_after_share`` (fraction with an order in the later window) and
    ``mean_value_after`` (currency units per customer).

    References
    ----------
    Seed slides 003; seed thesis 004, sec. 2.1.
    """
    check_choice(by, "by", ("class", "state"))
    require_columns(
        behaviour,
        [by, "purchases", "days_since_last", "p_alive", "value", "orders_after", "value_after"],
        "behaviour",
    )
    d = behaviour.loc[behaviour[by].notna()].copy()
    d["bought_after"] = (d["orders_after"] > 0).astype(float)
    g = d.groupby(by, observed=False)
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "mean_purchases": g["purchases"].mean(),
            "mean_days_since_last": g["days_since_last"].mean(),
            "mean_p_alive": g["p_alive"].mean(),
            "value": g["value"].sum(),
            "bought_after_share": g["bought_after"].mean(),
            "mean_value_after": g["value_after"].mean(),
        }
    )
    out.insert(1, "customer_share", out["customers"] / out["customers"].sum())
    total = d["value"].sum()
    out.insert(6, "value_share", out["value"] / total if total != 0 else np.nan)
    if by == "state":
        out = out.reindex(list(CUSTOMER_STATES)).fillna({"customers": 0, "customer_share": 0.0, "value": 0.0})
        out["customers"] = out["customers"].astype("int64")
    out.index.name = by
    return out
