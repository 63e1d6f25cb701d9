"""BLAS on one thread for the fits whose matrix products are skinny (rows x a few columns by a few).

On the shared 2-core machine OpenBLAS's second thread mostly waits (and spins) on such products: a 1M-customer
covariate BG/NBD fit (:mod:`crmlib.clv.covariates`) took 8.5-9.0 s CPU with two BLAS threads and 3.1 s with one
(``benchmarks/README.md``). The same context as :func:`crmlib.survey._stacks._one_blas_thread`, kept here so
that the models do not import each other. Not (yet) for the Pareto/NBD covariate model: on one simulated base
(30,000 customers, seed 1) one BLAS thread's last-digit differences left its BFGS polish at the noise floor of
the quadrature likelihood (77 evaluations instead of 14); its other bases took 35% less CPU on one thread.
"""

from __future__ import annotations

import functools


@functools.cache
def _blas_controller():
    """threadpoolctl's view of the loaded BLAS libraries, found once per process."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread():
    """A context in which BLAS runs one thread (threadpoolctl)."""
    return _blas_controller().limit(limits=1, user_api="blas")
