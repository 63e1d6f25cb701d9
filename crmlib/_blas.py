"""BLAS on one thread, for computations whose matrix products are small or skinny.

On a 2-core machine shared with other processes OpenBLAS's second thread mostly waits (and spins) on such
products: the PLS engine's correlation stacks ((250, 344) x (344, 496): 12-27 ms with two threads, 2.5 ms with
one; :mod:`crmlib.survey._stacks`) and the covariate BG/NBD fit's (rows x 2) by 2 products (8.5-9.0 s CPU on 1M
customers with two threads, 3.1 s with one; :mod:`crmlib.clv.covariates`). Shared by the models as
:mod:`crmlib._checks` is, so that they need not import each other (``benchmarks/README.md`` has the figures).
Not (yet) for the Pareto/NBD covariate model: on one simulated base (30,000 customers, seed 1) one BLAS thread's
last-digit differences left its BFGS polish at the noise floor of the quadrature likelihood (77 evaluations
instead of 14); its other bases took 35% less CPU on one thread.
"""

from __future__ import annotations

import functools


@functools.cache
def _controller():
    """threadpoolctl's view of the loaded BLAS libraries, found once per process (finding them reads the
    process's memory map: about 5 ms, as long as a product it would limit)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread():
    """A context in which BLAS runs one thread (threadpoolctl's ``limit``)."""
    return _controller().limit(limits=1, user_api="blas")
