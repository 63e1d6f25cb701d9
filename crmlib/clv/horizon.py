"""Predictions over a finite horizon: purchases, P(alive), purchase counts and discounted value in the next ``t``.

The purchase models (:class:`~crmlib.clv.BetaGeoModel`, :class:`~crmlib.clv.ModifiedBetaGeoModel`,
:class:`~crmlib.clv.ParetoNBDModel`, :class:`~crmlib.clv.BetaGeoBetaBinomModel`) give, per customer,

* ``conditional_expected_purchases(t, ...)``: expected purchases in ``(T, T+t]`` (FHL 2005 eq. 10;
  SMC 1987; FHS 2010);
* ``probability_alive_at(t, ...)``: P(alive at ``T + t``);
* ``conditional_probability_of_purchases(n, t, ...)``: P(X(T, T+t) = n | history) (Fader & Hardie,
  note 028, for the Pareto/NBD; FHL 2005 eq. 8 with the posterior for BG/NBD; FHS 2010 for BG/BB);
* ``survival(t)``: the share of a cohort of new customers still alive ``t`` after acquisition.

This module puts them together for a summary table: :func:`horizon_predictions` (one row per
customer), :func:`discounted_purchases` (discounted expected purchases in ``(T, T+horizon]``, the
finite-horizon twin of the models' ``dert``), :func:`horizon_value` (CLV over a horizon beside the
infinite-horizon CLV of :func:`~crmlib.clv.customer_lifetime_value`) and :func:`expected_alive`
(customers expected alive over time, for the customers of a summary or a new cohort).

Times are in the data's time unit (opportunities for BG/BB, whose table has ``n_periods`` where the
others have ``T``); ``discount_rate`` is annual (``docs/glossary.md``).

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way.
*Marketing Science* 24(2), 275-284 (eq. 8-10).
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value curves for customer
base analysis. *Journal of Marketing Research* 42(4), 415-430 (DERT, eq. 2).
Fader, P. S. & Hardie, B. G. S. Deriving the conditional PMF of the Pareto/NBD model (note 028,
brucehardie.com).
Fader, P. S., Hardie, B. G. S. & Shang, J. (2010). Customer-base analysis in a discrete-time
noncontractual setting. *Marketing Science* 29(6), 1086-1108.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._checks import as_rng, check_count, check_level, check_nonnegative
from ..exceptions import DataError
from ..spec import ValueTerms
from ._base import ArrayLike, ParamsLike, PurchaseFitter, SpendFitter
from ._data import as_rft_arrays, check_columns, check_times, distinct_rows
from ._rates import continuous_rate, period_rate
from ._special import hyp2f1_1bc
from .bgbb import BetaGeoBetaBinomModel, _lbeta_ratio
from .lifetime_value import customer_lifetime_value, periods_per_year_of

__all__ = [
    "conditional_pmf",
    "discounted_purchases",
    "expected_alive",
    "horizon_predictions",
    "horizon_value",
    "value_by_horizon",
    "value_by_horizon_interval",
]

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)
_BLOCK = 20_000


def _is_discrete(model: PurchaseFitter) -> bool:
    return isinstance(model, BetaGeoBetaBinomModel)


def _history(model: PurchaseFitter, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``frequency, recency, T`` (``n_periods`` for BG/BB) and the row weights of a summary, checked."""
    age = "n_periods" if _is_discrete(model) else "T"
    kinds = {"frequency": "count", "recency": "nonneg", age: "positive", "weight": "positive"}
    cols = check_columns(data, kinds, optional=("weight",))
    return cols["frequency"], cols["recency"], cols[age], cols.get("weight", np.ones(len(data)))


def _scale(model: PurchaseFitter, params: ParamsLike) -> float:
    """The model's shortest time scale (alpha; min(alpha, beta) for the Pareto/NBD), for the quadrature nodes."""
    p = model._params_tuple(params)
    return float(min(p[1], p[3])) if "beta" in model.param_names else float(p[1])


def discounted_purchases(
    model: PurchaseFitter,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    horizon: float,
    discount_rate: float,
    periods_per_year: float | None = None,
    params: ParamsLike = None,
) -> np.ndarray:
    """Discounted expected purchases in ``(T, T + horizon]`` of each customer: DERT over a finite horizon.

    Continuous-time models (BG/NBD, MBG/NBD, Pareto/NBD): the purchases expected at ``T + t`` are
    discounted by ``exp(-delta t)``, ``delta = log(1 + discount_rate) / periods_per_year`` (FHL 2005b,
    JMR, eq. 2, whose integral runs to infinity). Integrating by parts,
    ``int_0^H e^{-delta t} dE[Y(t)] = e^{-delta H} E[Y(H)] + delta int_0^H e^{-delta t} E[Y(t)] dt`` with
    ``E[Y(t)]`` the model's ``conditional_expected_purchases`` (FHL 2005 eq. 10; SMC 1987); the integral by
    64-point Gauss-Legendre quadrature in ``log(1 + t / alpha)`` (``min(alpha, beta)`` for the Pareto/NBD).
    As ``horizon`` grows it tends to the model's ``dert``.

    BG/BB: transactions at opportunity ``n + k`` are discounted by ``(1 + d)^-k``, ``d`` the rate per
    opportunity (:func:`crmlib.clv.period_rate`); the sum over ``k = 1 .. horizon`` is the infinite sum of
    FHS 2010 (section 3, DERT as ``2F1(1, delta+n+1; gamma+delta+n+1; 1/(1+d))``) less its tail from
    ``horizon + 1``, which has the same form at ``n + horizon`` times ``(1 + d)^-horizon``.

    Parameters
    ----------
    model : a fitted BG/NBD, MBG/NBD, Pareto/NBD or BG/BB model.
    frequency, recency, T : the customers' summary (data time unit; for BG/BB ``T`` is ``n_periods``).
    horizon : how far ahead, in the data's time unit (whole opportunities for BG/BB), > 0.
    discount_rate : annual effective rate, in (0, 1).
    periods_per_year : time units (opportunities) in a year; default from the fitted data's spec.
    params : parameters to use instead of the estimates.

    Returns
    -------
    ndarray of discounted purchases, one per customer.
    """
    H = float(check_nonnegative(horizon, "horizon", integer=_is_discrete(model)))
    if not (np.isfinite(H) and H > 0):
        raise DataError(f"horizon must be a positive, finite time (data time unit), got {horizon!r}")
    per_year = model._periods_per_year(periods_per_year)
    if _is_discrete(model):
        return _bgbb_discounted(model, frequency, recency, T, H, period_rate(discount_rate, per_year), params)
    delta = continuous_rate(discount_rate, per_year)
    x, tx, T = as_rft_arrays(frequency, recency, T)
    if not hasattr(model, "_active_expected"):  # a model without the active customer's expectation: by (x, t_x, T)
        cols, inv = distinct_rows(x.ravel(), tx.ravel(), T.ravel())
        expect = lambda t, k: model.conditional_expected_purchases(t, k[0], k[1], k[2], params=params)  # noqa: E731
        return _discounted(expect, cols, H, delta, _scale(model, params))[inv].reshape(x.shape)
    # E[Y(t)] = P(alive) x the active customer's expectation, which depends on (x, T) only
    (xu, Tu), inv = distinct_rows(x.ravel(), T.ravel())
    active = _active_discounted(model, xu, Tu, H, delta, model._params_tuple(params))
    return model.probability_alive(x, tx, T, params=params) * active[inv].reshape(x.shape)


def _active_discounted(model: Any, x: np.ndarray, T: np.ndarray, H: float, delta: float, params):
    """Discounted expected purchases in ``(T, T+H]`` of a customer alive at ``T`` (see :func:`discounted_purchases`).

    ``x`` and ``T`` are 1-D (distinct pairs); the nodes depend on the parameters and ``H`` only, so a
    pair's value does not depend on the other pairs.
    """
    expect = lambda t, k: model._active_expected(t, k[0], k[1], params)  # noqa: E731
    return _discounted(expect, [x, T], H, delta, _scale(model, params))


def _discounted(expect, cols: list[np.ndarray], H: float, delta: float, c: float) -> np.ndarray:
    """``e^{-delta H} E[Y(H)] + delta int_0^H e^{-delta t} E[Y(t)] dt`` per row of ``cols``, ``E[Y] = expect(t, cols)``.

    64-point Gauss-Legendre in ``log(1 + t / c)``; sums along the node axis (not a matrix product, whose
    blocking would make a row's value depend on the other rows).
    """
    ymax = np.log1p(H / c)
    y = (_NODES + 1.0) * 0.5 * ymax
    t = c * np.expm1(y)
    w = _WEIGHTS * 0.5 * ymax * c * np.exp(y) * np.exp(-delta * t)  # dt = c e^y dy, times the discount
    out = np.empty(len(cols[0]))
    for lo in range(0, len(out), _BLOCK):
        k = [col[lo : lo + _BLOCK, None] for col in cols]
        ey = expect(np.append(t, H), k)
        out[lo : lo + _BLOCK] = np.exp(-delta * H) * ey[:, -1] + delta * np.sum(ey[:, :-1] * w, axis=-1)
    return out


def _bgbb_discounted(model, frequency, recency, n_periods, H, disc, params) -> np.ndarray:
    """BG/BB: ``sum_{k=1}^{H} (1+d)^-k P(transaction at n+k | x, t_x, n)`` (see :func:`discounted_purchases`)."""
    a, b, g, d = p = model._params_tuple(params)
    x, tx, n = model._arrays(frequency, recency, n_periods)
    lead = _lbeta_ratio(a + x + 1, b + n - x, a, b) - model._log_lik_rows(p, x, tx, n) - np.log1p(disc)

    def tail(m):  # sum_{j>=1} B(g, d+m+j)/B(g, d) (1+disc)^-(j-1)
        return np.exp(_lbeta_ratio(g, d + m + 1, g, d)) * hyp2f1_1bc(d + m + 1, g + d + m + 1, 1.0 / (1.0 + disc))

    return np.exp(lead) * (tail(n) - np.exp(-H * np.log1p(disc)) * tail(n + H))


def conditional_pmf(
    n: ArrayLike, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, p_alive, active
):
    """P(X(T, T+t) = n | x, t_x, T) of a continuous-time model: ``(1 - P(alive)) 1{n = 0} + P(alive) P_active(n)``.

    A customer already gone buys nothing; an active one buys as a new customer with the posterior
    parameters (Fader & Hardie, note 028, for the Pareto/NBD; FHL 2005 eq. 8 with the posterior for
    BG/NBD). ``n`` (whole, >= 0), ``t`` (>= 0, data time unit) and the customers broadcast;
    ``p_alive(x, t_x, T)`` is the model's P(alive) and ``active(n, t, x, T)`` the chance of ``n``
    purchases in the next ``t`` of an active customer with that history (both on the broadcast arrays).
    """
    n = check_nonnegative(n, "n", integer=True)
    t = check_times(t)
    x, tx, T = as_rft_arrays(frequency, recency, T)
    n, t, x, tx, T = np.broadcast_arrays(np.asarray(n, float), t, x, tx, T)
    alive = p_alive(x, tx, T)
    return (1.0 - alive) * (n == 0) + alive * active(n, t, x, T)


def horizon_predictions(
    model: PurchaseFitter, data: pd.DataFrame, t: float, *, max_purchases: int = 2, params: ParamsLike = None
) -> pd.DataFrame:
    """What each customer of a summary is expected to do in the next ``t``: purchases, P(alive), P(n purchases).

    Parameters
    ----------
    model : a fitted BG/NBD, MBG/NBD, Pareto/NBD or BG/BB model.
    data : the summary (``frequency``, ``recency``, ``T``; ``n_periods`` for BG/BB); the index is kept.
    t : time ahead, in the data's time unit (whole opportunities for BG/BB).
    max_purchases : the largest ``n`` of the columns ``p_purchases_<n>``.
    params : parameters to use instead of the estimates.

    Returns
    -------
    DataFrame by customer: ``expected_purchases`` (in ``(T, T+t]``, FHL 2005 eq. 10), ``p_alive`` (at T;
    for BG/BB alive through the ``n_periods`` observed), ``p_alive_horizon`` (at ``T + t``) and
    ``p_purchases_0 .. p_purchases_<max_purchases>`` (P(X(T, T+t) = n | history); note 028 for the
    Pareto/NBD, FHL 2005 eq. 8 with the posterior for BG/NBD, FHS 2010 for BG/BB).
    """
    max_purchases = check_count(max_purchases, "max_purchases")
    t = float(check_nonnegative(t, "t", integer=_is_discrete(model)))
    x, tx, T, _ = _history(model, data)
    out = {
        "expected_purchases": model.conditional_expected_purchases(t, x, tx, T, params=params),
        "p_alive": model.probability_alive_at(0.0, x, tx, T, params=params),
        "p_alive_horizon": model.probability_alive_at(t, x, tx, T, params=params),
    }
    n = np.arange(max_purchases + 1, dtype=float)
    pmf = model.conditional_probability_of_purchases(n[None, :], t, x[:, None], tx[:, None], T[:, None], params=params)
    for j in range(max_purchases + 1):
        out[f"p_purchases_{j}"] = pmf[:, j]
    return pd.DataFrame(out, index=data.index)


def horizon_value(
    transaction_model: PurchaseFitter,
    spend_model: SpendFitter,
    data: pd.DataFrame,
    *,
    horizon: float,
    margin_share: float,
    discount_rate: float,
    periods_per_year: float | None = None,
    transaction_params: ParamsLike = None,
    spend_params: ParamsLike = None,
) -> pd.DataFrame:
    """CLV of each customer over the next ``horizon`` beside the infinite-horizon CLV (FHL 2005b).

    ``clv_horizon = margin_share x discounted_purchases(horizon) x E[spend]``: the residual CLV of
    :func:`~crmlib.clv.customer_lifetime_value` with the discounted expected purchases counted up to
    ``T + horizon`` only (:func:`discounted_purchases`).

    Parameters
    ----------
    transaction_model, spend_model : fitted purchase model and Gamma-Gamma model.
    data : per-customer ``frequency``, ``recency``, ``T`` (``n_periods`` for BG/BB), ``monetary``.
    horizon : time ahead in the data's time unit (e.g. 52.18 weeks for a year), > 0.
    margin_share : share of revenue that is profit, in (0, 1].
    discount_rate : annual effective rate, in (0, 1).
    periods_per_year : time units in a year; default from the summary's or the model's spec.
    transaction_params, spend_params : parameters instead of the estimates.

    Returns
    -------
    The table of :func:`~crmlib.clv.customer_lifetime_value` (``p_alive``, ``dert``, ``expected_spend``,
    ``clv``) with ``dert_horizon`` (discounted purchases up to the horizon) and ``clv_horizon``
    (currency) added.
    """
    if _is_discrete(transaction_model):
        _history(transaction_model, data)
        data = data.rename(columns={"n_periods": "T"})
    per_year = periods_per_year_of(data, transaction_model, periods_per_year)
    out = customer_lifetime_value(
        transaction_model,
        spend_model,
        data,
        margin_share=margin_share,
        discount_rate=discount_rate,
        periods_per_year=per_year,
        transaction_params=transaction_params,
        spend_params=spend_params,
    )
    x, tx, T = (data[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    dh = discounted_purchases(
        transaction_model,
        x,
        tx,
        T,
        horizon=horizon,
        discount_rate=discount_rate,
        periods_per_year=per_year,
        params=transaction_params,
    )
    out.insert(2, "dert_horizon", dh)
    out["clv_horizon"] = float(margin_share) * dh * out["expected_spend"].to_numpy()
    return out


def expected_alive(
    model: PurchaseFitter,
    t: ArrayLike,
    *,
    data: pd.DataFrame | None = None,
    n_customers: float | None = None,
    params: ParamsLike = None,
) -> pd.Series:
    """Customers expected alive ``t`` ahead: of a summary's customers, or of a new cohort.

    With ``data``: ``sum_i weight_i P(alive at T_i + t | history_i)`` (the models'
    ``probability_alive_at``). With ``n_customers``: ``n_customers x survival(t)``, a cohort of new
    customers ``t`` after acquisition (Pareto/NBD ``(beta/(beta+t))^s``, SMC 1987; BG/NBD
    ``2F1(r, a; a+b; -t/alpha)`` from FHL 2005's assumptions; BG/BB ``B(gamma, delta+t)/B(gamma, delta)``,
    FHS 2010). Exactly one of the two is given.

    Parameters
    ----------
    model : a fitted BG/NBD, MBG/NBD, Pareto/NBD or BG/BB model.
    t : times ahead (data time unit; whole opportunities for BG/BB), >= 0.
    data : a summary (``frequency``, ``recency``, ``T`` or ``n_periods``, optional ``weight``).
    n_customers : size of a new cohort.
    params : parameters to use instead of the estimates.

    Returns
    -------
    Series of expected customers alive (count), indexed by ``t``.
    """
    if (data is None) == (n_customers is None):
        raise DataError("expected_alive takes exactly one of data (a summary) or n_customers (a new cohort)")
    ts = np.atleast_1d(check_times(t))
    if n_customers is not None:
        size = float(check_nonnegative(n_customers, "n_customers"))
        values = size * model.survival(ts, params=params)
    else:
        assert data is not None
        x, tx, T, w = _history(model, data)
        values = np.array([w @ model.probability_alive_at(s, x, tx, T, params=params) for s in ts])
    return pd.Series(values, index=pd.Index(ts, name="t"), name="expected_alive")


def value_by_horizon(
    transaction_model: PurchaseFitter,
    spend_model: SpendFitter,
    data: pd.DataFrame,
    *,
    years: ArrayLike = (1, 2, 5),
    terms: ValueTerms | None = None,
    periods_per_year: float | None = None,
) -> pd.DataFrame:
    """The cohort's value and the customers expected alive 1, 2, 5, ... years ahead, beside the residual value.

    For each horizon ``h`` (``years`` x the time units in a year): customer equity over ``h``
    (``sum clv_horizon`` of :func:`horizon_value`: margin x discounted expected purchases in
    ``(T, T+h]`` x expected spend; FHL 2005b, eq. 2, cut at ``h``), its share of the residual value
    (no horizon), the mean CLV per customer and the customers expected alive at ``T + h``
    (:func:`expected_alive`). The last row, ``no horizon``, is the residual value of
    :func:`~crmlib.clv.customer_lifetime_value`.

    Parameters
    ----------
    transaction_model, spend_model : fitted purchase model and Gamma-Gamma model.
    data : per-customer ``frequency``, ``recency``, ``T`` (``n_periods`` for BG/BB), ``monetary``.
    years : horizons in years, each > 0 (BG/BB: rounded to whole opportunities).
    terms : margin, annual discount rate and currency (:class:`crmlib.spec.ValueTerms`; default terms if None).
    periods_per_year : time units in a year; default from the summary's or the model's spec.

    Returns
    -------
    DataFrame indexed by ``horizon`` ("1 year", "2 years", ..., "no horizon") with ``years``,
    ``customer_equity`` and ``mean_clv`` (currency of ``terms``), ``share_of_residual`` (0-1) and
    ``expected_alive`` (customers; empty for ``no horizon``).
    """
    terms = ValueTerms() if terms is None else terms
    ys = np.atleast_1d(np.asarray(years, float))
    if ys.ndim != 1 or ys.size == 0 or not np.all(np.isfinite(ys) & (ys > 0)):
        raise DataError(f"years must be one or more positive, finite numbers of years, got {years!r}")
    per_year = periods_per_year_of(data, transaction_model, periods_per_year)
    if per_year is None:
        raise DataError("periods_per_year is needed: neither the summary nor the model carries a time unit")
    kw: dict = dict(margin_share=terms.margin_share, discount_rate=terms.discount_rate, periods_per_year=per_year)
    rows = {}
    for y in ys:
        h = float(np.round(y * per_year)) if _is_discrete(transaction_model) else float(y * per_year)
        v = horizon_value(transaction_model, spend_model, data, horizon=h, **kw)
        alive = expected_alive(transaction_model, h, data=data).iloc[0]
        rows[f"{y:g} year{'' if y == 1 else 's'}"] = (y, v["clv_horizon"].sum(), v["clv_horizon"].mean(), alive)
    residual = customer_lifetime_value(transaction_model, spend_model, data.rename(columns={"n_periods": "T"}), **kw)
    rows["no horizon"] = (np.inf, residual["clv"].sum(), residual["clv"].mean(), np.nan)
    out = pd.DataFrame.from_dict(
        rows, orient="index", columns=["years", "customer_equity", "mean_clv", "expected_alive"]
    )
    out.insert(2, "share_of_residual", out["customer_equity"] / residual["clv"].sum())
    return out.rename_axis("horizon")


def value_by_horizon_interval(
    transaction_model: PurchaseFitter,
    spend_model: SpendFitter,
    data: pd.DataFrame,
    *,
    years: ArrayLike = (1, 2, 5),
    terms: ValueTerms | None = None,
    periods_per_year: float | None = None,
    n_boot: int = 200,
    seed: int | np.random.Generator,
    level: float = 0.95,
) -> pd.DataFrame:
    """Customer equity over 1, 2, 5, ... years with parametric-bootstrap intervals.

    The horizon rows of :func:`value_by_horizon` (margin x discounted expected purchases in
    ``(T, T+h]`` x expected spend, summed over the customers; FHL 2005b, eq. 2, cut at ``h``), recomputed
    for ``n_boot`` draws of both models' parameters from the asymptotic normal of their log-parameters
    (as :func:`~crmlib.clv.customer_equity_interval`; Efron & Tibshirani 1993, ch. 13, percentile
    interval). Parameter uncertainty only. A draw of the spend model with ``q <= 1`` (infinite mean
    spend) counts as infinite equity: it enters the percentiles (an infinite upper bound says so), not
    the standard error.

    Parameters
    ----------
    transaction_model, spend_model : fitted purchase model and Gamma-Gamma model.
    data : per-customer ``frequency``, ``recency``, ``T`` (``n_periods`` for BG/BB), ``monetary``.
    years : horizons in years, each > 0.
    terms : margin, annual discount rate and currency (default terms if None).
    periods_per_year : time units in a year; default from the summary's or the model's spec.
    n_boot : parameter draws (>= 2).
    seed : int or Generator (required).
    level : coverage of the intervals, in (0, 1).

    Returns
    -------
    DataFrame indexed by ``horizon`` ("1 year", ...) with ``years``, ``customer_equity`` (at the
    estimates; currency of ``terms``), ``se`` (bootstrap standard deviation of the finite draws),
    ``lower``, ``upper`` (``attrs["level"]``, ``attrs["n_boot"]``) and ``n_infinite``.
    """
    terms = ValueTerms() if terms is None else terms
    level = check_level(level)
    n_boot = check_count(n_boot, "n_boot", minimum=2)
    point = value_by_horizon(
        transaction_model, spend_model, data, years=years, terms=terms, periods_per_year=periods_per_year
    ).drop(index="no horizon")
    per_year = periods_per_year_of(data, transaction_model, periods_per_year)
    rng = as_rng(seed)
    tp = transaction_model.draw_params(n_boot, rng)
    sp = spend_model.draw_params(n_boot, rng)
    table = data.rename(columns={"n_periods": "T"})
    x, tx, T = (table[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    z = table["monetary"].to_numpy(float)
    hs = [
        float(np.round(y * per_year)) if _is_discrete(transaction_model) else float(y * per_year)
        for y in point["years"]
    ]
    sims = np.full((n_boot, len(hs)), np.inf)
    for i in range(n_boot):
        if sp.iloc[i]["q"] <= 1:
            continue
        spend = spend_model.conditional_expected_spend(x, np.where(x > 0, z, 1.0), params=sp.iloc[i])
        for j, h in enumerate(hs):
            dh = discounted_purchases(
                transaction_model,
                x,
                tx,
                T,
                horizon=h,
                discount_rate=terms.discount_rate,
                periods_per_year=per_year,
                params=tp.iloc[i],
            )
            sims[i, j] = terms.margin_share * float(dh @ spend)
    finite = np.isfinite(sims[:, 0])
    q = (1 - level) / 2
    out = pd.DataFrame(
        {
            "years": point["years"],
            "customer_equity": point["customer_equity"],
            "se": sims[finite].std(axis=0, ddof=1) if finite.sum() > 1 else np.inf,
            "lower": np.quantile(sims, q, axis=0),
            "upper": np.quantile(sims, 1 - q, axis=0),
            "n_infinite": int((~finite).sum()),
        },
        index=point.index,
    )
    out.attrs.update({"level": level, "n_boot": n_boot})
    return out
