"""Customer lifetime value from a transaction model and a spend model (Fader, Hardie & Lee 2005, "RFM and CLV").

``CLV_i = margin x DERT_i(delta) x E[M_i]``: the margin on revenue, times the
discounted expected residual transactions of the customer (from BG/NBD,
MBG/NBD or Pareto/NBD), times the customer's expected spend per transaction
(Gamma-Gamma) (FHL 2005b, DERT eq. 2 and the spend model); summed
over customers it is the residual value of the customer base (customer equity).

The annual discount rate ``d`` is turned into a continuously compounded rate
per time unit of the data: ``delta = log(1 + d) / periods_per_year`` (FHL
2005b use 15% a year on weekly data: ``delta = log(1.15)/52 = 0.0027``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import ConvergenceError, DataError
from ._base import as_rng, check_columns

__all__ = ["continuous_rate", "customer_lifetime_value", "customer_equity_interval"]


def continuous_rate(annual_rate: float, periods_per_year: float = 52.0) -> float:
    """``log(1 + annual_rate) / periods_per_year``: the continuously compounded rate per period."""
    if not annual_rate > -1 or not periods_per_year > 0:
        raise DataError(f"need annual_rate > -1 and periods_per_year > 0, got {annual_rate}, {periods_per_year}")
    return float(np.log1p(annual_rate) / periods_per_year)


def customer_lifetime_value(
    transaction_model,
    spend_model,
    data: pd.DataFrame,
    *,
    margin: float,
    annual_discount_rate: float,
    periods_per_year: float = 52.0,
    transaction_params=None,
    spend_params=None,
) -> pd.DataFrame:
    """Residual CLV of each customer.

    Parameters
    ----------
    transaction_model : fitted BG/NBD, MBG/NBD or Pareto/NBD model (has ``dert``).
    spend_model : fitted :class:`~crmlib.clv.GammaGammaModel`.
    data : per-customer ``frequency``, ``recency``, ``T`` and ``monetary``
        (same time unit as the fitted models); the index is kept.
    margin : share of revenue that is profit (0-1].
    annual_discount_rate : e.g. 0.1 for 10% a year.
    periods_per_year : time units per year of the data (52 for weeks).

    Returns
    -------
    DataFrame with ``p_alive``, ``dert`` (discounted transactions),
    ``expected_spend`` (per transaction, currency) and ``clv`` (currency), by customer.
    """
    if not 0 < margin <= 1:
        raise DataError(f"margin must be a share of revenue in (0, 1], got {margin}")
    cols = check_columns(data, {"frequency": "count", "recency": "nonneg", "T": "positive", "monetary": "nonneg"})
    delta = continuous_rate(annual_discount_rate, periods_per_year)
    x, tx, T, z = cols["frequency"], cols["recency"], cols["T"], cols["monetary"]
    dert = transaction_model.dert(x, tx, T, delta, params=transaction_params)
    spend = spend_model.conditional_expected_spend(x, np.where(x > 0, z, 1.0), params=spend_params)
    out = pd.DataFrame(
        {
            "p_alive": transaction_model.probability_alive(x, tx, T, params=transaction_params),
            "dert": dert,
            "expected_spend": spend,
            "clv": margin * dert * spend,
        },
        index=data.index,
    )
    if not np.all(np.isfinite(out.to_numpy())):
        raise DataError("CLV is not finite for some customers; check that the spend model has q > 1")
    return out


def customer_equity_interval(
    transaction_model,
    spend_model,
    data: pd.DataFrame,
    *,
    margin: float,
    annual_discount_rate: float,
    periods_per_year: float = 52.0,
    n_draws: int = 200,
    seed,
    level: float = 0.95,
    progress: bool | None = None,
) -> pd.Series:
    """Customer equity (sum of CLV) with a parametric-bootstrap interval.

    Both models' parameters are drawn from the asymptotic normal distribution
    of their log-parameters (observed information, delta method); the CLV of
    every customer is recomputed for each draw. A tqdm progress bar shows when
    ``n_draws >= 200`` (or ``progress=True``). Draws with a spend ``q <= 1``
    (infinite mean spend) count as infinite equity: they enter the percentile
    bounds (an infinite upper bound says so) but not the mean and standard
    error, and their number is ``n_infinite``.
    """
    from tqdm import tqdm

    rng = as_rng(seed)
    tp = transaction_model.draw_params(n_draws, rng)
    sp = spend_model.draw_params(n_draws, rng)
    kw = dict(margin=margin, annual_discount_rate=annual_discount_rate, periods_per_year=periods_per_year)
    est = float(customer_lifetime_value(transaction_model, spend_model, data, **kw)["clv"].sum())
    sims = np.empty(n_draws)
    show = (n_draws >= 200) if progress is None else progress
    for i in tqdm(range(n_draws), disable=not show, desc="customer equity bootstrap"):
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
    return pd.Series(
        {
            "customer_equity": est,
            "bootstrap_mean": float(np.mean(sims[finite])),
            "bootstrap_se": float(np.std(sims[np.isfinite(sims)], ddof=1)),
            f"lower {100 * level:g}%": float(np.quantile(sims, q)),
            f"upper {100 * level:g}%": float(np.quantile(sims, 1 - q)),
            "n_draws": float(n_draws),
            "n_infinite": float((~finite).sum()),
        }
    )
