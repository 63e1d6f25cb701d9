"""Customer lifetime value from a transaction model and a spend model (Fader, Hardie & Lee 2005, "RFM and CLV").

``CLV_i = margin_share x DERT_i(delta) x E[M_i]``: the share of revenue that is
profit, times the discounted expected residual transactions of the customer
(from BG/NBD, MBG/NBD or Pareto/NBD), times the customer's expected spend per
transaction (Gamma-Gamma) (FHL 2005b, DERT eq. 2 and the spend model); summed
over customers it is the residual value of the customer base (customer equity).

``discount_rate`` is the annual effective rate ``d``; the models turn it into
a continuously compounded rate per time unit of the data,
``delta = log(1 + d) / periods_per_year`` (:func:`continuous_rate`; FHL 2005b use
15% a year on weekly data, ``log(1.15)/52 = 0.0027``). ``periods_per_year``
comes from the summary's :class:`~crmlib.spec.SummarySpec` (365.25/7 for
weeks) unless given.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._checks import as_rng, check_count, check_level, check_probability
from ..exceptions import ConvergenceError, DataError
from ..spec import SummarySpec
from ._base import BaseFitter, ParamsLike, PurchaseFitter, SpendFitter
from ._data import check_columns
from ._rates import continuous_rate

__all__ = ["continuous_rate", "customer_lifetime_value", "customer_equity_interval", "periods_per_year_of"]


def periods_per_year_of(data: pd.DataFrame, model: BaseFitter, periods_per_year: float | None = None) -> float | None:
    """Time units in a year: ``periods_per_year`` if given, else the summary's spec, else the model's fitted spec.

    Returns ``None`` when none of them knows (the model then asks for it).
    """
    if periods_per_year is not None:
        return periods_per_year
    spec = getattr(data, "attrs", {}).get("crmlib")
    if isinstance(spec, SummarySpec):
        return spec.periods_per_year
    spec = getattr(model, "spec_", None)
    return None if spec is None else spec.periods_per_year


def customer_lifetime_value(
    transaction_model: PurchaseFitter,
    spend_model: SpendFitter,
    data: pd.DataFrame,
    *,
    margin_share: float,
    discount_rate: float,
    periods_per_year: float | None = None,
    transaction_params: ParamsLike = None,
    spend_params: ParamsLike = None,
) -> pd.DataFrame:
    """Residual CLV of each customer (FHL 2005b).

    Parameters
    ----------
    transaction_model : fitted BG/NBD, MBG/NBD or Pareto/NBD model (has ``dert``).
    spend_model : fitted :class:`~crmlib.clv.GammaGammaModel`.
    data : per-customer ``frequency``, ``recency``, ``T`` and ``monetary``
        (same time unit as the fitted models); the index is kept.
    margin_share : share of revenue that is profit, in (0, 1].
    discount_rate : annual effective rate, in (0, 1) (0.1 for 10% a year).
    periods_per_year : time units in a year; default from the summary's (or the
        fitted model's) :class:`~crmlib.spec.SummarySpec`.
    transaction_params, spend_params : parameters instead of the estimates.

    Returns
    -------
    DataFrame with ``p_alive``, ``dert`` (discounted transactions),
    ``expected_spend`` (per transaction, currency) and ``clv`` (currency), by customer.
    """
    margin_share = float(check_probability(margin_share, "margin_share"))
    if margin_share == 0:
        raise DataError("margin_share must be in (0, 1], the share of revenue that is profit; got 0")
    cols = check_columns(data, {"frequency": "count", "recency": "nonneg", "T": "nonneg", "monetary": "nonneg"})
    x, tx, T, z = cols["frequency"], cols["recency"], cols["T"], cols["monetary"]
    dert = transaction_model.dert(
        x,
        tx,
        T,
        discount_rate=discount_rate,
        periods_per_year=periods_per_year_of(data, transaction_model, periods_per_year),
        params=transaction_params,
    )
    spend = spend_model.conditional_expected_spend(x, np.where(x > 0, z, 1.0), params=spend_params)
    out = pd.DataFrame(
        {
            "p_alive": transaction_model.probability_alive(x, tx, T, params=transaction_params),
            "dert": dert,
            "expected_spend": spend,
            "clv": margin_share * dert * spend,
        },
        index=data.index,
    )
    if not np.all(np.isfinite(out.to_numpy())):
        raise DataError("CLV is not finite for some customers; check that the spend model has q > 1")
    return out


def customer_equity_interval(
    transaction_model: PurchaseFitter,
    spend_model: SpendFitter,
    data: pd.DataFrame,
    *,
    margin_share: float,
    discount_rate: float,
    periods_per_year: float | None = None,
    n_boot: int = 200,
    seed: int | np.random.Generator,
    level: float = 0.95,
    progress: bool | None = None,
) -> pd.Series:
    """Customer equity (sum of CLV) with a parametric-bootstrap interval.

    Both models' parameters are drawn from the asymptotic normal distribution
    of their log-parameters (observed information, delta method); the CLV of
    every customer is recomputed for each draw (Efron & Tibshirani 1993, ch. 13,
    percentile interval). A tqdm progress bar shows when ``n_boot >= 200`` (or
    ``progress=True``). Draws with a spend ``q <= 1`` (infinite mean spend)
    count as infinite equity: they enter the percentile bounds (an infinite
    upper bound says so) but not the mean and standard error, and their number
    is ``n_infinite``.

    Returns
    -------
    Series with ``customer_equity`` (currency), ``bootstrap_mean``,
    ``bootstrap_se``, ``lower``, ``upper`` (``attrs["level"]``), ``n_boot`` and
    ``n_infinite``.
    """
    from tqdm import tqdm

    level = check_level(level)
    n_boot = check_count(n_boot, "n_boot", minimum=2)
    rng = as_rng(seed)
    tp = transaction_model.draw_params(n_boot, rng)
    sp = spend_model.draw_params(n_boot, rng)
    kw: dict[str, Any] = dict(
        margin_share=margin_share,
        discount_rate=discount_rate,
        periods_per_year=periods_per_year_of(data, transaction_model, periods_per_year),
    )
    est = float(customer_lifetime_value(transaction_model, spend_model, data, **kw)["clv"].sum())
    sims = np.empty(n_boot)
    show = (n_boot >= 200) if progress is None else progress
    for i in tqdm(range(n_boot), disable=not show, desc="customer equity bootstrap"):
        sp_i = sp.iloc[i]
        if sp_i["q"] <= 1:
            sims[i] = np.inf
            continue
        sims[i] = customer_lifetime_value(
            transaction_model, spend_model, data, transaction_params=tp.iloc[i], spend_params=sp_i, **kw
        )["clv"].sum()
    q = (1 - level) / 2
    finite = np.isfinite(sims)
    if not finite.any():
        raise ConvergenceError(
            "every parameter draw of the spend model had q <= 1 (infinite mean spend); "
            "the customer-equity interval cannot be formed"
        )
    out = pd.Series(
        {
            "customer_equity": est,
            "bootstrap_mean": float(np.mean(sims[finite])),
            "bootstrap_se": float(np.std(sims[finite], ddof=1)),
            "lower": float(np.quantile(sims, q)),
            "upper": float(np.quantile(sims, 1 - q)),
            "n_boot": float(n_boot),
            "n_infinite": float((~finite).sum()),
        }
    )
    out.attrs["level"] = level
    return out
