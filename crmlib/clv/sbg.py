"""The shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007).

Assumptions (FH 2007, section 3)
--------------------------------
1. At the end of each period an active customer cancels with probability
   ``theta`` (so the lifetime is shifted-geometric).
2. ``theta`` is beta distributed across customers with parameters
   ``alpha, beta``.

Data: one cohort, the number of customers still active at periods 0, 1, ..., n
(non-increasing), as a sequence, a Series, or a DataFrame with column
``active``; e.g. FH 2007, Table 1, "regular" segment, years 0-7:
1000, 631, 468, 382, 326, 289, 262, 241.

Formulas: ``P(T = t) = B(alpha+1, beta+t-1)/B(alpha, beta)`` and
``S(t) = B(alpha, beta+t)/B(alpha, beta)`` with the recursions of FH 2007,
section 3; retention rate ``r_t = (beta+t-1)/(alpha+beta+t-1)``; the
log-likelihood of the survivor counts (their section 4, as in their
spreadsheet). Published estimates (FH 2007, section 4): regular
``alpha = 0.704, beta = 1.182``; high end ``alpha = 0.668, beta = 3.806``.
DEL and DERL: Fader & Hardie (2010), section 2:
``DEL(d) = 2F1(1, beta; alpha+beta; 1/(1+d))`` (payments at the start of each
period, the first undiscounted) and
``DERL(d | n-1 renewals) = (beta+n-1)/(alpha+beta+n-1) 2F1(1, beta+n; alpha+beta+n; 1/(1+d))``.

References
----------
Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention.
*Journal of Interactive Marketing* 21(1), 76-90.
Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a
contractual setting: the perils of ignoring heterogeneity. *Marketing Science*
29(1), 85-93.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ..exceptions import DataError
from ._base import BaseFitter

__all__ = ["ShiftedBetaGeometricModel"]


class ShiftedBetaGeometricModel(BaseFitter):
    """sBG model of a contractual cohort; parameters ``alpha, beta``."""

    param_names = ("alpha", "beta")

    def _prepare(self, data):
        if isinstance(data, pd.DataFrame):
            if "active" not in data.columns:
                raise DataError(f"data lacks column 'active' (customers active at periods 0, 1, ...); found {list(data.columns)}")
            active = data["active"]
        else:
            active = data
        try:
            n = np.asarray(pd.to_numeric(pd.Series(np.asarray(active).ravel()), errors="raise"), dtype=float)
        except (TypeError, ValueError) as exc:
            raise DataError(f"column 'active' must hold numbers: {exc}") from exc
        if n.size < 2:
            raise DataError("column 'active' needs at least two periods (0 and 1)")
        if np.any(~np.isfinite(n)) or np.any(n < 0) or np.any(n != np.floor(n)):
            raise DataError("column 'active' must hold non-negative whole numbers of customers")
        if n[0] <= 0:
            raise DataError("column 'active': the cohort at period 0 is empty")
        up = np.flatnonzero(np.diff(n) > 0)
        if up.size:
            raise DataError(f"column 'active' increases at period(s) {[int(i) for i in up + 1]}; a cohort can only shrink")
        self.active_ = n
        t = np.arange(1, n.size, dtype=float)
        lost = n[:-1] - n[1:]
        t_all = np.concatenate([t, [t[-1]]])
        cens = np.concatenate([np.zeros(t.size), [1.0]])
        w = np.concatenate([lost, [n[-1]]])
        keep = w > 0
        return {"t": t_all[keep], "censored": cens[keep]}, w[keep]

    def _loglik(self, params, c):
        a, b = params
        t = c["t"]
        churn = special.betaln(a + 1, b + t - 1) - special.betaln(a, b)
        surv = special.betaln(a, b + t) - special.betaln(a, b)
        return np.where(c["censored"] > 0, surv, churn)

    def survival(self, t, params=None) -> np.ndarray:
        """S(t): share of the cohort still active after ``t`` periods (FH 2007, section 3)."""
        a, b = self._params_tuple(params)
        t = np.asarray(t, float)
        return np.exp(special.betaln(a, b + t) - special.betaln(a, b))

    def churn_probability(self, t, params=None) -> np.ndarray:
        """P(T = t): probability that a new customer's last period is ``t`` (FH 2007, section 3)."""
        a, b = self._params_tuple(params)
        t = np.asarray(t, float)
        return np.exp(special.betaln(a + 1, b + t - 1) - special.betaln(a, b))

    def retention_rate(self, t, params=None) -> np.ndarray:
        """r_t = S(t)/S(t-1) = (beta+t-1)/(alpha+beta+t-1), increasing in t (FH 2007, section 3)."""
        a, b = self._params_tuple(params)
        t = np.asarray(t, float)
        return (b + t - 1) / (a + b + t - 1)

    def del_(self, discount_rate: float, params=None) -> float:
        """Discounted expected lifetime of a new customer, in periods (FH 2010, section 2).

        Multiply by the margin per period to get the expected CLV of a new customer.
        """
        a, b = self._params_tuple(params)
        d = _check_rate(discount_rate)
        return float(special.hyp2f1(1.0, b, a + b, 1.0 / (1.0 + d)))

    def derl(self, n_periods_active, discount_rate: float, params=None) -> np.ndarray:
        """Discounted expected residual lifetime of a customer active for ``n`` periods (n-1 renewals).

        Evaluated just before the n-th renewal decision (FH 2010, section 2):
        ``(beta+n-1)/(alpha+beta+n-1) 2F1(1, beta+n; alpha+beta+n; 1/(1+d))``.
        """
        a, b = self._params_tuple(params)
        d = _check_rate(discount_rate)
        n = np.asarray(n_periods_active, float)
        if np.any(n < 1):
            raise DataError("n_periods_active must be at least 1")
        return (b + n - 1) / (a + b + n - 1) * special.hyp2f1(1.0, b + n, a + b + n, 1.0 / (1.0 + d))


def _check_rate(d) -> float:
    d = float(d)
    if not d > 0:
        raise DataError(f"discount_rate must be positive (per period), got {d}")
    return d
