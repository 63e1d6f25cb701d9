"""The MBG/NBD model (Batislam, Denizel & Filiztekin 2007): BG/NBD with drop-out at time 0.

Assumptions
-----------
As the BG/NBD model (:mod:`crmlib.clv.bgnbd`), except that a customer may
become inactive with probability ``p`` right after the *first* transaction as
well (at time 0), not only after each repeat transaction. Customers with no
repeat transaction therefore need not be active, which the BG/NBD model
assumes.

Data: as for BG/NBD (``frequency``, ``recency``, ``T``, optional ``weight``).

Likelihood (Batislam et al. 2007, section 2, with the correction of Wagner & Hoppe 2008)::

    L = B(a, b+x+1)/B(a, b) * G(r+x) a^r / (G(r) (alpha+T)^(r+x))
      + B(a+1, b+x)/B(a, b) * G(r+x) a^r / (G(r) (alpha+t_x)^(r+x))

P(alive) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)) (their Appendix A); E[X(t)] = b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))];
the conditional expectation has the leading factor (a+b+x)/(a-1) and the
2F1(r+x, b+x+1; a+b+x; z) term (Wagner & Hoppe 2008).

References
----------
Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and
comparison of models for customer base analysis. *International Journal of
Research in Marketing* 24(3), 201-209.
Wagner, U. & Hoppe, D. (2008). Erratum on the MBG/NBD model. *International
Journal of Research in Marketing* 25(3), 225-226.
"""

from __future__ import annotations

import numpy as np

from .bgnbd import BetaGeoModel

__all__ = ["ModifiedBetaGeoModel"]


class ModifiedBetaGeoModel(BetaGeoModel):
    """MBG/NBD model (Batislam, Denizel & Filiztekin 2007), fitted by maximum likelihood.

    Parameters ``r, alpha, a, b`` as in :class:`~crmlib.clv.BetaGeoModel`; the
    same predictions (``expected_purchases``, ``conditional_expected_purchases``,
    ``probability_alive``, ``probability_of_purchases``, ``dert``) in their
    MBG/NBD form: the one difference, a drop-out chance at time 0, is
    :meth:`_dropout_chances` (``x + 1`` instead of ``x``), which BG/NBD's
    formulas use for the posterior ``Beta(a, b + k)`` of the drop-out probability.
    """

    @staticmethod
    def _dropout_chances(x: np.ndarray) -> np.ndarray:
        """``x + 1``: a customer may also drop out right after the first purchase (Batislam et al. 2007)."""
        return x + 1.0

    def _start(self, arrays, weight):
        start = super()._start(arrays, weight)
        start[3] = 3.0
        return start
