"""The Gamma-Gamma model of spend per transaction (Colombo & Jiang 1999; Fader, Hardie & Lee 2005, "RFM and CLV").

Assumptions (FHL 2005b, section "Adding monetary value")
--------------------------------------------------------
1. The value ``z`` of a customer's transactions varies around the customer's
   mean; ``z ~ Gamma(p, nu)`` (shape ``p``, rate ``nu``), so the customer's
   mean spend is ``p / nu``.
2. ``nu`` is gamma distributed across customers with shape ``q`` and rate
   ``gamma``.
3. Spend is independent of the transaction process (check: the correlation
   between frequency and mean spend should be near 0; see
   :func:`spend_frequency_correlation`).

Data (customers with at least one repeat transaction)
-----------------------------------------------------
=============  ===========================================================
``frequency``  ``x`` > 0, number of repeat transactions averaged
``monetary``   ``z-bar`` > 0, mean value of those transactions (currency)
``weight``     optional: number of customers with this (x, z-bar)
=============  ===========================================================

Which rows are used (nothing is left out silently)
---------------------------------------------------
* ``frequency == 0`` (one-time buyers): no repeat transaction, so no spend
  observation under the model (FHL 2005b fit the 946 repeat buyers of the
  2,357 CDNOW customers); always left out of the fit, counted in
  ``n_one_time_``; :func:`~crmlib.clv.customer_lifetime_value` gives them the
  population mean spend.
* ``frequency > 0`` with ``monetary <= 0`` (e.g. free orders; CDNOW master
  has one such customer, 10244): the likelihood is zero there, so by default
  :meth:`GammaGammaModel.fit` raises :class:`~crmlib.exceptions.DataError`
  naming the rows; with ``drop_nonpositive=True`` they are left out with a
  :class:`~crmlib.exceptions.DataWarning` and counted in ``n_nonpositive_``.
* ``n_dropped_ = n_one_time_ + n_nonpositive_``; ``n_customers_`` counts the
  customers fitted (weights summed).

Likelihood (Colombo & Jiang 1999; FHL 2005b, section "Adding monetary value")::

    f(z-bar | p, q, gamma, x) = G(px+q) / (G(px) G(q)) * gamma^q z-bar^(px-1) x^(px) / (gamma + x z-bar)^(px+q)

Conditional expected spend (FHL 2005b, same section; Fader & Hardie 2013 note)::

    E[M | p, q, gamma, z-bar, x] = (q-1)/(px+q-1) * p gamma/(q-1) + px/(px+q-1) * z-bar

a weighted average of the population mean ``p gamma / (q-1)`` and the
customer's observed mean. Published estimates on CDNOW (FHL 2005b, p. 420):
``p = 6.25, q = 3.74, gamma = 15.44``.

References
----------
Colombo, R. & Jiang, W. (1999). A stochastic RFM model. *Journal of
Interactive Marketing* 13(3), 2-12.
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value
curves for customer base analysis. *Journal of Marketing Research* 42(4), 415-430.
Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value
(note, brucehardie.com/notes/025).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special

from .._checks import check_nonnegative, rows_text
from ..exceptions import DataError, DataWarning
from ._base import ArrayLike, ParamsLike, Prepared, SpendFitter
from ._data import check_columns

__all__ = ["GammaGammaModel", "spend_frequency_correlation"]


def spend_frequency_correlation(data: pd.DataFrame) -> float:
    """Pearson correlation between ``frequency`` and ``monetary`` among repeat buyers.

    The Gamma-Gamma model assumes spend independent of the transaction
    process; FHL 2005b report 0.11 on CDNOW and judge it small enough.
    """
    cols = check_columns(data, {"frequency": "count", "monetary": "nonneg"})
    keep = cols["frequency"] > 0
    return float(np.corrcoef(cols["frequency"][keep], cols["monetary"][keep])[0, 1])


class GammaGammaModel(SpendFitter):
    """Gamma-Gamma spend model; parameters ``p, q, gamma`` (``gamma`` in currency units).

    Parameters
    ----------
    drop_nonpositive : repeat buyers whose mean spend is 0 (e.g. free orders)
        have no likelihood under the model. ``False`` (default) raises
        :class:`~crmlib.exceptions.DataError` naming them; ``True`` leaves them
        out of the fit with a :class:`~crmlib.exceptions.DataWarning` and counts
        them in ``n_nonpositive_``. One-time buyers (``frequency == 0``) are
        always left out and counted in ``n_one_time_`` (see the module docstring).
    **kwargs : fitting options of :class:`~crmlib.clv._base.BaseFitter`.
    """

    param_names = ("p", "q", "gamma")
    _analytic_gradient = True

    def __init__(self, *, drop_nonpositive: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.drop_nonpositive = drop_nonpositive

    def _prepare(self, data: pd.DataFrame) -> Prepared:
        cols = check_columns(
            data, {"frequency": "count", "monetary": "nonneg", "weight": "positive"}, optional=("weight",)
        )
        keep = cols["frequency"] > 0
        if not keep.any():
            raise DataError("column 'frequency' is 0 in every row; the Gamma-Gamma model needs repeat buyers")
        bad = keep & (cols["monetary"] <= 0)
        if bad.any():
            text = (
                f"column 'monetary' is not positive for {int(bad.sum())} repeat buyers ({rows_text(bad, data.index)})"
            )
            if not self.drop_nonpositive:
                raise DataError(
                    f"{text}; the Gamma-Gamma model needs positive spend (drop_nonpositive=True leaves them out)"
                )
            warnings.warn(f"{text}; left out of the Gamma-Gamma fit", DataWarning, stacklevel=3)
            keep = keep & ~bad
        weight = cols.get("weight", np.ones(keep.size))
        n_one_time = float(weight[cols["frequency"] == 0].sum())
        n_nonpositive = float(weight[bad].sum())
        facts = {"n_one_time": n_one_time, "n_nonpositive": n_nonpositive, "n_dropped": n_one_time + n_nonpositive}
        return Prepared({"x": cols["frequency"][keep], "z": cols["monetary"][keep]}, weight[keep], facts)

    def _start(self, arrays, weight):
        z = arrays["z"]
        m = float(weight @ z) / float(weight.sum())
        return np.array([2.0, 3.0, 2.0 * m])  # population mean p*gamma/(q-1) = observed mean

    def _cache(self, arrays):
        ux, ix = np.unique(arrays["x"], return_inverse=True)
        return dict(arrays, lz=np.log(arrays["z"]), lx=np.log(arrays["x"]), ux=ux, ix=ix.ravel())

    def _pieces(self, params, c):
        p, q, g = params
        x, ux, ix = c["x"], c["ux"], c["ix"]
        pux = p * ux
        # terms that depend on the frequency only, on its distinct values
        head = (special.gammaln(pux + q) - special.gammaln(pux) - special.gammaln(q) + q * np.log(g))[ix]
        lgz = np.log(g + x * c["z"])
        px = p * x
        ll = head + (px - 1) * c["lz"] + px * c["lx"] - (px + q) * lgz
        return ll, lgz, px

    def _loglik(self, params, c):
        return self._pieces(params, c)[0]

    def _loglik_grad(self, params, c):
        p, q, g = params
        x, ux, ix = c["x"], c["ux"], c["ix"]
        ll, lgz, px = self._pieces(params, c)
        dpq = special.digamma(p * ux + q)
        grad = np.empty((x.size, 3))
        grad[:, 0] = (ux * (dpq - special.digamma(p * ux)))[ix] + x * (c["lz"] + c["lx"] - lgz)
        grad[:, 1] = (dpq - special.digamma(q) + np.log(g))[ix] - lgz
        grad[:, 2] = q / g - (px + q) / (g + x * c["z"])
        return ll, grad

    def population_mean_spend(self, params: ParamsLike = None) -> float:
        """``E[M] = p gamma / (q - 1)``, the mean spend per transaction across customers (needs q > 1)."""
        p, q, g = self._params_tuple(params)
        if q <= 1:
            raise DataError(f"the mean spend is infinite for q <= 1 (q = {q:.4g})")
        return p * g / (q - 1)

    def conditional_expected_spend(
        self, frequency: ArrayLike, monetary: ArrayLike, params: ParamsLike = None
    ) -> np.ndarray:
        """E[M | x, z-bar] (FHL 2005b; Fader & Hardie 2013 note); customers with ``frequency == 0`` get the population mean."""
        p, q, g = self._params_tuple(params)
        x = check_nonnegative(frequency, "frequency", integer=True)
        z = check_nonnegative(monetary, "monetary")
        x, z = np.broadcast_arrays(np.asarray(x, float), np.asarray(z, float))
        if np.any(p * x + q <= 1):
            raise DataError(
                f"the expected spend is infinite where p x + q <= 1 (p = {p:.4g}, q = {q:.4g}; "
                f"frequencies {[int(v) for v in np.unique(x[p * x + q <= 1])[:5]]}): the spend "
                "distribution across customers has no mean (q <= 1 means no population mean)"
            )
        return (g + x * z) * p / (p * x + q - 1)

    def spend_density(
        self, monetary: ArrayLike, frequency: ArrayLike, weight: ArrayLike | None = None, params: ParamsLike = None
    ) -> np.ndarray:
        """Density of the observed mean spend ``z-bar`` (per currency unit), mixed over the customers' frequencies.

        ``f(z | x)`` is the Gamma-Gamma marginal density of the module
        docstring (Colombo & Jiang 1999; FHL 2005b), i.e. the likelihood of one
        customer; the result is ``sum_i w_i f(z | x_i) / sum_i w_i`` over the
        given repeat frequencies ``x_i > 0`` (e.g. those of the fitted
        customers), evaluated at each ``monetary`` value ``z > 0``. Compare it
        with the histogram of observed mean spend (FHL 2005b check of the
        spend model); see :func:`crmlib.clv.plots.plot_spend_distribution`.
        """
        p, q, g = self._params_tuple(params)
        z = np.asarray(monetary, float)
        x = np.asarray(frequency, float).ravel()
        w = np.ones(x.size) if weight is None else np.asarray(weight, float).ravel()
        if np.any(z <= 0) or np.any(~np.isfinite(z)):
            raise DataError("monetary must be positive and finite to evaluate the spend density")
        if x.size == 0 or np.any(x <= 0) or w.shape != x.shape:
            raise DataError("frequency must hold the positive repeat frequencies (one weight each)")
        ux, ix = np.unique(x, return_inverse=True)
        wx = np.bincount(ix.ravel(), weights=w) / w.sum()
        zz = z.reshape(-1, 1)
        pux = p * ux[None, :]
        ll = (
            special.gammaln(pux + q)
            - special.gammaln(pux)
            - special.gammaln(q)
            + q * np.log(g)
            + (pux - 1) * np.log(zz)
            + pux * np.log(ux)[None, :]
            - (pux + q) * np.log(g + ux[None, :] * zz)
        )
        return (np.exp(ll) @ wx).reshape(z.shape)
