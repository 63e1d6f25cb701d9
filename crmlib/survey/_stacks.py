"""Correlation matrices of many row subsets at once: the stacks the batched PLS engine iterates on.

The bootstrap, MICOM's permutations, PLS-MGA and the HTMT intervals all need the correlation matrix of each of
many row subsets (resamples, permuted groups) of one data matrix. :func:`_corr_stack` builds them from the
subsets' row counts with two matrix products, BLAS on one thread (:func:`crmlib._blas.one_blas_thread`).

References
----------
Hair, J. F., Hult, G. T. M., Ringle, C. M. & Sarstedt, M. (2022). *A Primer on Partial Least Squares Structural
Equation Modeling*, 3rd ed., ch. 5 (the bootstrap of a PLS path model).
"""

from __future__ import annotations

import numpy as np

from .._blas import one_blas_thread


def _corr_stack(X: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Correlation matrices (divisor m - 1) of the row subsets X[idx[b]] (resamples or permutation groups of m
    rows each), shape (B, p, p).

    Computed from how often each row occurs in each subset (a (B, n) count matrix ``C``) rather than from the
    gathered ``(B, m, p)`` rows: with ``Z`` the full-sample standardised items, the subset's cross products are
    ``C @ (z_i z_j)`` over the p(p+1)/2 item pairs and its means ``C @ Z / m``, so the whole batch is two matrix
    products (a rank-one correction removes the subset mean; ``Z`` is centred on the full sample, so the
    correction is small and loses no digits: equal to the direct computation to 1e-14).
    """
    idx = np.asarray(idx)
    B, m = idx.shape
    n, p = X.shape
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)  # correlations are unchanged by standardising each item
    C = np.bincount((idx + (np.arange(B) * n)[:, None]).ravel(), minlength=B * n).reshape(B, n).astype(float)
    iu, ju = np.triu_indices(p)
    with one_blas_thread():
        cross = C @ (Z[:, iu] * Z[:, ju])  # (B, p(p+1)/2): sum over the subset's rows of z_i z_j
        mean = C @ Z / m
    S = np.empty((B, p, p))
    S[:, iu, ju] = cross
    S[:, ju, iu] = cross
    S -= m * mean[:, :, None] * mean[:, None, :]
    inv = 1.0 / np.sqrt(np.einsum("bii->bi", S))
    return S * inv[:, :, None] * inv[:, None, :]
