"""Multi-criteria weighting shared by :mod:`crmlib.segment` and :mod:`crmlib.value` (one copy of each formula).

Min-max standardisation and Shannon's entropy weight method (Zou, Yun & Sun
2006, eq. 1-4), vectorised over bootstrap resamples: ``counts`` of shape
(B, n) holds how often each of the n rows is drawn in each resample (case
weights), so that B resamples are one array computation.

References
----------
Shannon, C. E. (1948). A mathematical theory of communication. *Bell System
    Technical Journal* 27, 379-423.
Zou, Z., Yun, Y. & Sun, J. (2006). Entropy method for determination of weight
    of evaluating indicators in fuzzy synthetic evaluation for water quality
    assessment. *Journal of Environmental Sciences* 18(5), 1020-1023, eq. (1)-(4).
"""

from __future__ import annotations

import numpy as np

__all__ = ["entropy_divergence", "minmax"]


def _counts(n: int, counts: np.ndarray | None) -> np.ndarray:
    return np.ones((1, n)) if counts is None else np.asarray(counts, dtype=float)


def minmax(x: np.ndarray, counts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each column rescaled to [0, 1] by its smallest and largest value among the rows drawn.

    ``z_ij = (x_ij - min_j) / (max_j - min_j)`` (Zou, Yun & Sun 2006, eq. 1, a
    benefit indicator). With ``counts`` (B, n) the minimum and maximum are
    those of the rows drawn in each resample (count > 0).

    Returns
    -------
    ``z`` of shape (B, n, k) (B = 1 without counts) and ``span`` = max - min of
    shape (B, k); a constant column (span 0) gives z = 0.
    """
    x = np.asarray(x, dtype=float)
    c = _counts(x.shape[0], counts)
    present = (c > 0)[:, :, None]
    lo = np.where(present, x[None], np.inf).min(axis=1)
    hi = np.where(present, x[None], -np.inf).max(axis=1)
    span = hi - lo
    z = (x[None] - lo[:, None, :]) / np.where(span > 0, span, 1.0)[:, None, :]
    return z, span


def entropy_divergence(z: np.ndarray, counts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Shannon entropy ``e_j`` and divergence ``d_j = 1 - e_j`` of each column of non-negative data ``z``.

    ``p_ij = z_ij / sum_i z_ij``, ``e_j = -(1 / ln n) sum_i p_ij ln p_ij``
    (``0 ln 0 = 0``), ``d_j = 1 - e_j`` (Zou, Yun & Sun 2006, eq. 2-3); the
    weights are ``d_j / sum_j d_j`` (eq. 4), or normalised within groups of
    columns by the caller. With ``counts`` (B, n), row i enters every sum
    ``counts[b, i]`` times and n is the resample size.

    Parameters
    ----------
    z : (n, k) or (B, n, k) non-negative values (standardised indicators, dimensionless).
    counts : optional (B, n) case weights (bootstrap multiplicities).

    Returns
    -------
    ``(e, d)``, each of shape (k,) for 2-D ``z`` without counts, else (B, k).
    A column that sums to zero gets ``e = nan``; callers refuse it by name.
    """
    z = np.asarray(z, dtype=float)
    single = z.ndim == 2 and counts is None
    zz = z[None] if z.ndim == 2 else z
    c = _counts(zz.shape[1], counts)
    tot = np.einsum("bi,bik->bk", c, zz)
    p = zz / np.where(tot > 0, tot, 1.0)[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    n = c.sum(axis=1)
    e = -np.einsum("bi,bik->bk", c, plogp) / np.log(n)[:, None]
    e = np.where(tot > 0, e, np.nan)
    d = 1.0 - e
    return (e[0], d[0]) if single else (e, d)
