"""Annual discount rates turned into the rate each CLV formula needs (``docs/glossary.md``, ``discount_rate``).

``discount_rate`` is always an annual effective rate ``d`` (0.1 = 10% a year).
A formula that discounts per time unit converts it with the time units in a
year ``k`` (``periods_per_year``):

* continuously compounded rate per time unit (BG/NBD, MBG/NBD, Pareto/NBD DERT):
  ``delta = log(1 + d) / k`` (Fader, Hardie & Lee 2005, JMR 42(4), p. 420:
  15% a year on weekly data, ``log(1.15)/52``);
* effective rate per period or opportunity (BG/BB DERT, sBG DEL/DERL, the
  retention and Markov-chain formulas): ``(1 + d)^(1/k) - 1``, so that ``k``
  periods discount exactly as one year.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_discount_rate, check_positive

__all__ = ["continuous_rate", "period_rate"]


def continuous_rate(discount_rate: float, periods_per_year: float) -> float:
    """``log(1 + discount_rate) / periods_per_year``: the continuously compounded rate per time unit.

    Parameters
    ----------
    discount_rate : annual effective rate, in (0, 1) (0.1 for 10% a year).
    periods_per_year : time units in a year (365.25/7 for weeks, 12 for months).

    Returns
    -------
    float, per time unit (FHL 2005b: ``log(1.15)/52 = 0.00269`` per week).
    """
    d = check_discount_rate(discount_rate)
    k = float(check_positive(periods_per_year, "periods_per_year"))
    return float(np.log1p(d) / k)


def period_rate(discount_rate: float, periods_per_year: float, *, allow_zero: bool = False) -> float:
    """``(1 + discount_rate)^(1/periods_per_year) - 1``: the effective rate per period.

    Parameters
    ----------
    discount_rate : annual effective rate (0.1 for 10% a year).
    periods_per_year : periods (or transaction opportunities) in a year; 1 for yearly periods.
    allow_zero : accept a rate of 0 (no discounting).

    Returns
    -------
    float, per period (the annual rate itself for ``periods_per_year = 1``).
    """
    d = check_discount_rate(discount_rate, allow_zero=allow_zero)
    k = float(check_positive(periods_per_year, "periods_per_year"))
    return float(np.expm1(np.log1p(d) / k))
