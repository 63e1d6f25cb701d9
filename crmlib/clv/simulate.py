"""Data from known parameters, one simulator per model (for tests, teaching and benchmarks).

Every simulator takes ``seed`` (int or :class:`numpy.random.Generator`) and is
vectorised over customers. Continuous-time simulators return the
``frequency, recency, T`` table of :mod:`crmlib.clv.bgnbd` plus the latent
quantities (``lambda_``, ``p_``/``mu_``, ``alive``) under the true parameters;
``time_resolution`` rounds event times *up* to a grid (e.g. ``1/7`` for days
on a weekly scale), as summaries built from dated logs are.

The recency of a customer who made ``x`` of ``K`` Poisson events in ``(0, T]``
is the ``x``-th order statistic of ``K`` uniforms on ``(0, T]``, drawn as
``T * Beta(x, K - x + 1)`` (David & Nagaraja 2003, Order Statistics, eq. 2.2.1).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._checks import as_rng, check_count, check_nonnegative
from ..exceptions import DataError

__all__ = [
    "simulate_bgnbd",
    "simulate_mbgnbd",
    "simulate_pareto_nbd",
    "simulate_bgbb",
    "simulate_sbg",
    "simulate_gamma_gamma",
]


def _T_array(n_customers: int, T) -> np.ndarray:
    n_customers = check_count(n_customers, "n_customers", minimum=1)
    T = np.broadcast_to(np.asarray(T, float), (n_customers,)).copy()
    if np.any(~np.isfinite(T)) or np.any(T <= 0):
        raise DataError("T must be positive and finite")
    return T


def _positive(**kw):
    """Each parameter positive and finite: a number, or (``simulate_bgnbd``, ``simulate_pareto_nbd``) one per customer."""
    for k, v in kw.items():
        values = np.asarray(v, float)
        if not np.all(np.isfinite(values) & (values > 0)):
            raise DataError(
                f"parameter {k!r} must be positive, got {v if values.ndim == 0 else values[~(values > 0)][:3]}"
            )


def _recency(rng, x, K, window):
    tx = np.zeros(x.size)
    pos = x > 0
    tx[pos] = window[pos] * rng.beta(x[pos], K[pos] - x[pos] + 1)
    return tx


def _round_up(values, T, resolution):
    if resolution is None:
        return values
    out = np.ceil(values / resolution - 1e-9) * resolution
    return np.minimum(out, T)


def _bg_family(n_customers, T, r, alpha, a, b, seed, time_resolution, modified):
    _positive(r=r, alpha=alpha, a=a, b=b)
    rng = as_rng(seed)
    T = _T_array(n_customers, T)
    lam = rng.gamma(r, 1.0 / alpha, n_customers)
    p = rng.beta(a, b, n_customers)
    # repeat purchases before dropping out: BG/NBD >= 1 (drop-out after a repeat purchase),
    # MBG/NBD >= 0 (drop-out also possible at time 0)
    n_life = rng.geometric(p) - (1 if modified else 0)
    K = rng.poisson(lam * T)
    x = np.minimum(K, n_life)
    tx = _recency(rng, x, K, T)
    tx = np.where(x > 0, _round_up(tx, T, time_resolution), 0.0)
    if time_resolution is not None:
        tx = np.where((x > 0) & (tx <= 0), time_resolution, tx)
    alive = K < n_life
    return pd.DataFrame(
        {"frequency": x.astype("int64"), "recency": tx, "T": T, "lambda_": lam, "p_": p, "alive": alive}
    )


def simulate_bgnbd(
    n_customers: int,
    T: npt.ArrayLike,
    r: float,
    alpha: float,
    a: float,
    b: float,
    *,
    seed: int | np.random.Generator,
    time_resolution: float | None = None,
) -> pd.DataFrame:
    """Customers from the BG/NBD model (Fader, Hardie & Lee 2005, section 3).

    Parameters
    ----------
    n_customers : number of customers.
    T : observation length per customer (scalar or array, data time unit).
    r, alpha, a, b : the model's parameters: numbers, or one per customer (the customers' own
        ``alpha_i, a_i, b_i`` of a covariate model, :meth:`crmlib.clv.covariates.BetaGeoCovariateModel.customer_params`).
    seed : int or Generator.
    time_resolution : optional grid of the recorded times (e.g. 1/7 week).
    """
    return _bg_family(n_customers, T, r, alpha, a, b, seed, time_resolution, modified=False)


def simulate_mbgnbd(
    n_customers: int,
    T: npt.ArrayLike,
    r: float,
    alpha: float,
    a: float,
    b: float,
    *,
    seed: int | np.random.Generator,
    time_resolution: float | None = None,
) -> pd.DataFrame:
    """Customers from the MBG/NBD model (Batislam, Denizel & Filiztekin 2007): drop-out also at time 0."""
    return _bg_family(n_customers, T, r, alpha, a, b, seed, time_resolution, modified=True)


def simulate_pareto_nbd(
    n_customers: int,
    T: npt.ArrayLike,
    r: float,
    alpha: float,
    s: float,
    beta: float,
    *,
    seed: int | np.random.Generator,
    time_resolution: float | None = None,
) -> pd.DataFrame:
    """Customers from the Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).

    Lifetimes are exponential with gamma(s, beta) rates; purchases Poisson with
    gamma(r, alpha) rates while alive. The parameters are numbers or one per customer (``alpha_i``,
    ``beta_i`` of :meth:`crmlib.clv.covariates.ParetoNBDCovariateModel.customer_params`). Returns the summary table plus
    ``lambda_``, ``mu_``, ``lifetime_`` and ``alive`` (at T).
    """
    _positive(r=r, alpha=alpha, s=s, beta=beta)
    rng = as_rng(seed)
    T = _T_array(n_customers, T)
    lam = rng.gamma(r, 1.0 / alpha, n_customers)
    mu = rng.gamma(s, 1.0 / beta, n_customers)
    life = rng.exponential(1.0 / mu)
    window = np.minimum(life, T)
    x = rng.poisson(lam * window)
    tx = np.zeros(n_customers)
    pos = x > 0
    tx[pos] = window[pos] * rng.beta(x[pos], 1.0)  # the largest of x uniforms
    tx = np.where(pos, _round_up(tx, T, time_resolution), 0.0)
    if time_resolution is not None:
        tx = np.where(pos & (tx <= 0), time_resolution, tx)
    return pd.DataFrame(
        {
            "frequency": x.astype("int64"),
            "recency": tx,
            "T": T,
            "lambda_": lam,
            "mu_": mu,
            "lifetime_": life,
            "alive": life > T,
        }
    )


def simulate_bgbb(
    n_customers: int,
    n_periods: int,
    alpha: float,
    beta: float,
    gamma: float,
    delta: float,
    *,
    seed: int | np.random.Generator,
    compress: bool = True,
) -> pd.DataFrame:
    """Customers from the BG/BB model (Fader, Hardie & Shang 2010, section 2).

    Returns ``frequency, recency, n_periods`` (and ``weight`` when ``compress``,
    one row per distinct history, as :func:`crmlib.datasets.load_donations`).
    The loop runs over the ``n_periods`` opportunities, vectorised over customers.
    """
    _positive(alpha=alpha, beta=beta, gamma=gamma, delta=delta)
    n_customers = check_count(n_customers, "n_customers", minimum=1)
    n_periods = check_count(n_periods, "n_periods", minimum=1)
    rng = as_rng(seed)
    p = rng.beta(alpha, beta, n_customers)
    theta = rng.beta(gamma, delta, n_customers)
    alive = np.ones(n_customers, bool)
    x = np.zeros(n_customers, np.int64)
    tx = np.zeros(n_customers, np.int64)
    for t in range(1, int(n_periods) + 1):
        alive &= rng.random(n_customers) >= theta  # dies at the start of opportunity t with prob. theta
        buy = alive & (rng.random(n_customers) < p)
        x += buy
        tx = np.where(buy, t, tx)
    out = pd.DataFrame({"frequency": x, "recency": tx, "n_periods": np.full(n_customers, int(n_periods), np.int64)})
    if compress:
        out = out.groupby(["frequency", "recency", "n_periods"]).size().rename("weight").reset_index()
    return out


def simulate_sbg(
    n_customers: int, n_periods: int, alpha: float, beta: float, *, seed: int | np.random.Generator
) -> pd.Series:
    """A contractual cohort from the sBG model (Fader & Hardie 2007): customers active at periods 0..n."""
    _positive(alpha=alpha, beta=beta)
    n_customers = check_count(n_customers, "n_customers", minimum=1)
    n_periods = check_count(n_periods, "n_periods", minimum=1)
    rng = as_rng(seed)
    theta = rng.beta(alpha, beta, n_customers)
    life = rng.geometric(theta)  # last period of the customer, >= 1
    periods = np.arange(int(n_periods) + 1)
    active = (life[None, :] > periods[:, None]).sum(axis=1)
    active[0] = n_customers
    return pd.Series(active, index=pd.Index(periods, name="period"), name="active")


def simulate_gamma_gamma(
    frequency: npt.ArrayLike, p: float, q: float, gamma: float, *, seed: int | np.random.Generator
) -> pd.DataFrame:
    """Mean spend per transaction of customers with the given repeat ``frequency`` (Gamma-Gamma model).

    Each customer's rate ``nu ~ Gamma(q, gamma)``; the sum of ``x`` transaction
    values is ``Gamma(p x, nu)``; ``monetary`` is that sum over ``x`` (0 when x = 0).
    """
    _positive(p=p, q=q, gamma=gamma)
    rng = as_rng(seed)
    x = np.asarray(check_nonnegative(frequency, "frequency", integer=True))
    nu = rng.gamma(q, 1.0 / gamma, x.size)
    total = np.where(x > 0, rng.gamma(np.maximum(p * x, 1e-300), 1.0 / nu), 0.0)
    monetary = np.where(x > 0, total / np.maximum(x, 1), 0.0)
    return pd.DataFrame({"frequency": x.astype("int64"), "monetary": monetary, "nu_": nu})
