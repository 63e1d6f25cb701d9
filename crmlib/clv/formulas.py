"""Closed-form and Markov-chain customer lifetime value.

Formulas
    :func:`retention_clv` - the retention-based closed form
    ``m r / (1 + d - r)`` (Gupta & Lehmann 2003; 2005, the margin multiple);
    :func:`finite_horizon_clv` - the same over a finite number of periods;
    :func:`discounted_value` - any margin stream with survival, discounted.

Markov chain (Pfeifer & Carraway 2000)
    :class:`RecencyMarkovChain` estimates, from a transaction log, the
    probability that a customer buys in the next period given the periods
    since the last purchase (the recency states), builds the transition
    matrix ``P`` and values each state with
    ``V = sum_{t=0}^{T} [(1 + d)^-1 P]^t R`` (P&C 2000, value of a Markov chain with rewards) or, for an infinite
    horizon, its limit ``V = [I - (1 + d)^-1 P]^-1 R``.
    :func:`recency_transition_matrix` and :func:`markov_clv` are the same
    computations for a chain given by hand.

All money is in the margin's currency per period. ``discount_rate`` is the
annual effective rate (``docs/glossary.md``); each function turns it into the
rate per period with ``periods_per_year`` (default 1: yearly periods, so the
annual rate is the rate per period, as in Gupta & Lehmann's tables), i.e.
``(1 + discount_rate)^(1/periods_per_year) - 1``. :class:`RecencyMarkovChain`
takes its periods per year from its ``period`` (12 for months).

References
----------
Gupta, S. & Lehmann, D. R. (2003). Customers as assets. *Journal of
    Interactive Marketing* 17(1), 9-24.
Gupta, S. & Lehmann, D. R. (2005). *Managing Customers as Investments*.
    Wharton School Publishing.
Pfeifer, P. E. & Carraway, R. L. (2000). Modeling customer relationships as
    Markov chains. *Journal of Interactive Marketing* 14(2), 43-55.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._checks import check_choice, check_count
from ..exceptions import DataError
from ..spec import DAYS_PER_YEAR
from ._rates import period_rate

__all__ = [
    "retention_clv",
    "finite_horizon_clv",
    "discounted_value",
    "recency_transition_matrix",
    "markov_clv",
    "RecencyMarkovChain",
]


def _as_float_array(name: str, value) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be numeric, got {value!r}") from exc
    if not np.all(np.isfinite(arr)):
        raise DataError(f"{name} must be finite, got {value!r}")
    return arr


def _check_retention(retention) -> np.ndarray:
    r = _as_float_array("retention", retention)
    if np.any((r < 0) | (r > 1)):
        raise DataError(f"retention must lie in [0, 1] (a per-period probability), got {retention!r}")
    return r


def _rate(discount_rate: float, periods_per_year: float) -> float:
    """The rate per period from the annual ``discount_rate`` (0 allowed: no discounting)."""
    return period_rate(discount_rate, periods_per_year, allow_zero=True)


def _out(x: np.ndarray) -> float | np.ndarray:
    return float(x) if np.ndim(x) == 0 else x


def retention_clv(
    margin_per_period: npt.ArrayLike,
    retention: npt.ArrayLike,
    discount_rate: float,
    *,
    periods_per_year: float = 1.0,
    margin_at_start: bool = False,
) -> float | np.ndarray:
    """Retention-based lifetime value, infinite horizon (Gupta & Lehmann 2003).

    With a constant margin ``m`` per period, retention rate ``r`` and
    discount rate ``d`` per period, margins received at the end of each
    period the customer survives::

        CLV = sum_{t>=1} m r^t / (1 + d)^t = m r / (1 + d - r)

    With ``margin_at_start=True`` the margin of the current period is counted
    too (the customer has just been acquired and pays now):
    ``m + m r / (1 + d - r) = m (1 + d) / (1 + d - r)``.

    Parameters
    ----------
    margin_per_period : margin per period (currency units); arrays broadcast.
    retention : probability of staying one more period, in [0, 1].
    discount_rate : annual effective rate in [0, 1) (``d`` is its rate per
        period; ``d = 0`` with ``r = 1`` is refused: the sum diverges).
    periods_per_year : periods in a year (default 1: yearly periods, ``d`` = the annual rate).

    Returns
    -------
    float or ndarray (currency units).
    """
    m = _as_float_array("margin_per_period", margin_per_period)
    r = _check_retention(retention)
    d = _rate(discount_rate, periods_per_year)
    denom = 1.0 + d - r
    if np.any(denom <= 0):
        raise DataError(
            "retention_clv: 1 + discount rate - retention must be positive; with retention 1 and "
            "discount_rate 0 the value is infinite"
        )
    value = m * r / denom
    if margin_at_start:
        value = value + m
    return _out(value)


def finite_horizon_clv(
    margin_per_period: npt.ArrayLike,
    retention: npt.ArrayLike,
    discount_rate: float,
    horizon: int,
    *,
    periods_per_year: float = 1.0,
    margin_at_start: bool = False,
) -> float | np.ndarray:
    """Retention-based lifetime value over ``horizon`` periods.

    ``CLV_T = sum_{t=1}^{T} m q^t = m q (1 - q^T) / (1 - q)`` with
    ``q = r / (1 + d)`` (``m T`` when ``q = 1``); it tends to
    :func:`retention_clv` as ``T`` grows. ``margin_at_start`` adds ``m``
    for the current period, as in :func:`retention_clv`.

    Parameters
    ----------
    margin_per_period, retention, discount_rate, periods_per_year : as in :func:`retention_clv`.
    horizon : number of future periods T (int >= 0).
    """
    m = _as_float_array("margin_per_period", margin_per_period)
    r = _check_retention(retention)
    d = _rate(discount_rate, periods_per_year)
    T = check_count(horizon, "horizon")
    q = r / (1.0 + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        geo = np.where(np.isclose(q, 1.0), float(T), q * (1.0 - q**T) / np.where(np.isclose(q, 1.0), 1.0, 1.0 - q))
    value = m * geo
    if margin_at_start:
        value = value + m
    return _out(value)


def discounted_value(
    margins: npt.ArrayLike,
    discount_rate: float,
    survival: npt.ArrayLike | None = None,
    *,
    periods_per_year: float = 1.0,
) -> float | np.ndarray:
    """Present value of a margin stream, ``sum_{t=1}^{T} m_t S_t / (1 + d)^t``.

    Parameters
    ----------
    margins : margins per period for periods 1..T (last axis = periods;
        currency units).
    discount_rate : annual effective rate in [0, 1); ``d`` is its rate per period.
    survival : probability of still being a customer in each period (same
        shape as ``margins`` or broadcastable); ``None`` = 1.
    periods_per_year : periods in a year (default 1: yearly periods).

    Returns
    -------
    float or ndarray (one value per leading index).
    """
    m = _as_float_array("margins", margins)
    if m.ndim == 0:
        raise DataError("discounted_value: margins must have a period axis (last axis)")
    d = _rate(discount_rate, periods_per_year)
    t = np.arange(1, m.shape[-1] + 1, dtype="float64")
    factor = (1.0 + d) ** (-t)
    s = 1.0 if survival is None else _as_float_array("survival", survival)
    if survival is not None and np.any((s < 0) | (s > 1)):
        raise DataError("discounted_value: survival probabilities must lie in [0, 1]")
    return _out(np.sum(m * s * factor, axis=-1))


def recency_transition_matrix(purchase_probability: npt.ArrayLike, *, absorbing: bool = True) -> np.ndarray:
    """Transition matrix of the recency Markov chain (Pfeifer & Carraway 2000, sec. "recency").

    States 1..k are "1..k periods since the last purchase" (state 1 = bought
    in the current period); state k+1 is the last one. From state i a
    customer buys in the next period with probability ``p_i`` (to state 1) or
    moves to state i+1. With ``absorbing=True`` state k+1 is P&C's former
    customer: absorbing, and ``purchase_probability`` holds k values. With
    ``absorbing=False`` state k+1 means "k+1 or more periods" and buys with
    its own probability (k+1 values given).

    Returns
    -------
    (k+1) x (k+1) row-stochastic ndarray.
    """
    p = _as_float_array("purchase_probability", purchase_probability).ravel()
    if p.size < 1:
        raise DataError("recency_transition_matrix: give at least one purchase probability")
    if np.any((p < 0) | (p > 1)):
        raise DataError(f"purchase probabilities must lie in [0, 1], got {p.tolist()}")
    n = p.size + 1 if absorbing else p.size
    if n < 2:
        raise DataError("recency_transition_matrix: a non-absorbing chain needs at least 2 states")
    P = np.zeros((n, n))
    k = n - 1
    P[np.arange(k), 0] = p[:k]
    P[np.arange(k), np.arange(1, k + 1)] = 1.0 - p[:k]
    if absorbing:
        P[k, k] = 1.0
    else:
        P[k, 0] = p[k]
        P[k, k] += 1.0 - p[k]
    return P


def markov_clv(
    transition_matrix: npt.ArrayLike,
    rewards: npt.ArrayLike,
    discount_rate: float,
    horizon: int | None = None,
    *,
    periods_per_year: float = 1.0,
) -> np.ndarray:
    """Expected discounted value of every starting state of a Markov chain (Pfeifer & Carraway 2000).

    ``V_T = sum_{t=0}^{T} [(1 + d)^-1 P]^t R``; with ``horizon=None``
    the limit ``V = [I - (1 + d)^-1 P]^-1 R``, which needs ``d > 0``
    unless every recurrent state has reward 0; ``d`` is the rate per period
    of the annual ``discount_rate``.

    Parameters
    ----------
    transition_matrix : n x n row-stochastic matrix P.
    rewards : reward R_i received in a period spent in state i (currency
        units; the current period, t = 0, included).
    discount_rate : annual effective rate in [0, 1).
    horizon : future periods T after the current one, or ``None`` (infinite).
    periods_per_year : periods in a year (default 1: yearly periods; 12 for months).

    Returns
    -------
    ndarray of n values (currency units), one per starting state.
    """
    P = _as_float_array("transition_matrix", transition_matrix)
    R = _as_float_array("rewards", rewards).ravel()
    if P.ndim != 2 or P.shape[0] != P.shape[1]:
        raise DataError(f"markov_clv: transition_matrix must be square, got shape {P.shape}")
    n = P.shape[0]
    if R.size != n:
        raise DataError(f"markov_clv: {R.size} rewards for {n} states")
    if np.any(P < 0) or not np.allclose(P.sum(axis=1), 1.0, atol=1e-8):
        bad = np.flatnonzero(~np.isclose(P.sum(axis=1), 1.0, atol=1e-8) | np.any(P < 0, axis=1))
        raise DataError(f"markov_clv: transition_matrix rows {bad.tolist()} are not probability distributions")
    d = _rate(discount_rate, periods_per_year)
    M = P / (1.0 + d)
    if horizon is None:
        A = np.eye(n) - M
        try:
            V = np.linalg.solve(A, R)
        except np.linalg.LinAlgError as exc:
            raise DataError(
                "markov_clv: I - P/(1+d) is singular; with discount_rate 0 the infinite-horizon value "
                "diverges - give a positive discount_rate or a finite horizon"
            ) from exc
        if not np.all(np.isfinite(V)) or np.linalg.cond(A) > 1e12:
            raise DataError(
                "markov_clv: the infinite-horizon value is not finite for discount_rate 0; "
                "give a positive discount_rate or a finite horizon"
            )
        return V
    horizon = check_count(horizon, "horizon")
    V = R.copy()
    term = R.copy()
    for _ in range(int(horizon)):  # loop over periods, not customers
        term = M @ term
        V += term
    return V


_PERIODS = {"month": 12.0, "quarter": 4.0}


class RecencyMarkovChain:
    """Recency Markov chain of Pfeifer & Carraway (2000), estimated from a transaction log.

    Time is cut into periods (calendar months, quarters, or blocks of days)
    starting at ``observation_start``. A customer enters the chain in the
    period of the first purchase. At the end of each period the customer is in
    recency state ``s`` = periods since the last purchase + 1 (state 1 = bought
    in this period), capped at ``n_states + 1``. The purchase probability of
    state ``s`` is estimated by maximum likelihood as

        p_s = (transitions from s to 1) / (customer-periods in s followed by another observed period)

    over every customer and every pair of consecutive periods, vectorised
    over customers (a customers x periods purchase matrix). The log is read
    by :func:`crmlib.transactions.purchase_days` (one row per customer and
    purchase day, checked as for :func:`~crmlib.transactions.summarize`).

    Parameters
    ----------
    n_states : k, the recency states before the last state.
    period : ``"month"`` (calendar months), ``"quarter"`` (calendar quarters)
        or a whole number of days.
    absorbing : ``True`` (P&C): state k+1 is "former customer", absorbing;
        purchases made from it in the data are counted in
        ``reactivations_`` and ignored by the chain. ``False``: state k+1
        is "k+1 or more periods" with its own purchase probability.

    Attributes (after ``fit``)
    --------------------------
    purchase_probability_ : Series, p_s by state.
    transitions_ : DataFrame by state with ``at_risk`` (customer-periods),
        ``purchases`` and ``purchase_probability``.
    transition_matrix_ : DataFrame P, rows = from, columns = to.
    current_state_ : Series, each customer's state in the last period.
    reactivations_ : purchases from the absorbing state (0 when not absorbing).
    n_customers_, n_periods_, period_starts_ : sizes and the periods' first days.

    Examples
    --------
    >>> chain = RecencyMarkovChain(n_states=4, period="quarter").fit(log)  # doctest: +SKIP
    >>> chain.state_values(margin_per_period=20.0, cost_per_period=2.0, discount_rate=0.1)  # doctest: +SKIP
    """

    def __init__(self, n_states: int = 4, period: Literal["month", "quarter"] | int = "month", absorbing: bool = True):
        self.n_states = n_states
        self.period = period
        self.absorbing = absorbing

    @property
    def periods_per_year(self) -> float:
        """Periods of the chain in a year (12 for months, 4 for quarters, 365.25/days otherwise)."""
        return _PERIODS[self.period] if isinstance(self.period, str) else DAYS_PER_YEAR / float(self.period)

    # -- data -> periods ----------------------------------------------------------------------
    def _period_index(self, dates: pd.Series, start: pd.Timestamp) -> np.ndarray:
        if isinstance(self.period, str):
            months = (dates.dt.year - start.year) * 12 + (dates.dt.month - start.month)
            idx = (
                months
                if self.period == "month"
                else ((dates.dt.year * 12 + dates.dt.month - 1) // 3 - (start.year * 12 + start.month - 1) // 3)
            )
            return idx.to_numpy(dtype="int64")
        days = (dates - start).dt.days.to_numpy()
        return (days // int(self.period)).astype("int64")

    def _period_starts(self, start: pd.Timestamp, n: int) -> pd.DatetimeIndex:
        if self.period == "month":
            return pd.date_range(start.to_period("M").to_timestamp(), periods=n, freq="MS")
        if self.period == "quarter":
            return pd.date_range(start.to_period("Q").to_timestamp(), periods=n, freq="QS")
        return pd.DatetimeIndex([start + pd.Timedelta(days=int(self.period) * i) for i in range(n)])

    def fit(
        self,
        log: Any,
        *,
        observation_start: Any = None,
        observation_end: Any = None,
        customer_id: str = "customer_id",
        date: str = "date",
        **log_options: Any,
    ) -> RecencyMarkovChain:
        """Estimate the purchase probabilities from a transaction log (one row per purchase).

        Parameters
        ----------
        log : a transaction log, anything :func:`crmlib.transactions.purchase_days` reads.
        observation_start, observation_end : first and last day observed
            (default: the first and last purchase day in the log); the last
            period should be complete (with ``period="month"`` and CDNOW's
            1997-01-01..1998-06-30 every month is).
        customer_id, date : the log's columns.
        **log_options : reading options and check policies of
            :func:`~crmlib.transactions.purchase_days` (``date_format``, ``encoding``, ...).
        """
        from ..transactions import purchase_days

        check_count(self.n_states, "n_states", minimum=1)
        if isinstance(self.period, str):
            check_choice(self.period, "period", list(_PERIODS))
        else:
            check_count(self.period, "period (days)", minimum=1)
        # several purchases on one day are one purchase day by definition, not duplicates to report
        log_options.setdefault("on_duplicate", "ignore")
        days = purchase_days(log, customer_id=customer_id, date=date, observation_end=observation_end, **log_options)
        if days.empty:
            raise DataError("RecencyMarkovChain.fit: the log has no purchases")
        dates = days["date"]
        end = pd.Timestamp(days.attrs["crmlib_log"]["observation_end"])  # checked by purchase_days
        try:
            start = dates.min() if observation_start is None else pd.Timestamp(observation_start).normalize()
        except (TypeError, ValueError):
            raise DataError(f"observation_start must be a date, got {observation_start!r}") from None
        if end < start:
            raise DataError(
                f"RecencyMarkovChain.fit: observation_end {end.date()} is before observation_start {start.date()}"
            )
        keep = (dates >= start).to_numpy()
        if not keep.any():
            raise DataError("RecencyMarkovChain.fit: no purchases between observation_start and observation_end")
        dates = dates[keep]
        codes, customers = pd.factorize(days.loc[keep, "customer_id"])
        t = self._period_index(dates, start)
        n_per = int(self._period_index(pd.Series([end]), start)[0]) + 1
        if n_per < 2:
            raise DataError("RecencyMarkovChain.fit: the observation covers fewer than 2 periods; no transitions")
        n = len(customers)
        k = int(self.n_states)
        bought = np.zeros((n, n_per), dtype=bool)
        bought[codes, t] = True
        # index of the last purchase period up to and including each period (-1 before the first purchase)
        last = np.maximum.accumulate(np.where(bought, np.arange(n_per), -1), axis=1)
        state = np.minimum(np.arange(n_per) - last + 1, k + 1)  # 1..k+1, meaningful where last >= 0
        active = last[:, :-1] >= 0
        s_from = state[:, :-1][active]
        buy_next = bought[:, 1:][active]
        at_risk = np.bincount(s_from, minlength=k + 2)[1:]
        purchases = np.bincount(s_from, weights=buy_next.astype("float64"), minlength=k + 2)[1:]
        with np.errstate(invalid="ignore", divide="ignore"):
            p_hat = np.where(at_risk > 0, purchases / np.maximum(at_risk, 1), np.nan)
        n_estimated = k if self.absorbing else k + 1
        empty = [s + 1 for s in range(n_estimated) if at_risk[s] == 0]
        if empty:
            raise DataError(
                f"RecencyMarkovChain.fit: no customer-periods observed in recency states {empty}; "
                "use fewer states or a longer observation"
            )
        labels = [str(s) for s in range(1, k + 1)] + [f"{k + 1}" + (" (former)" if self.absorbing else "+")]
        self.transitions_ = pd.DataFrame(
            {"at_risk": at_risk.astype("int64"), "purchases": purchases.astype("int64"), "purchase_probability": p_hat},
            index=pd.Index(labels, name="state"),
        )
        self.reactivations_ = int(purchases[k]) if self.absorbing else 0
        p = p_hat[:n_estimated]
        self.purchase_probability_ = pd.Series(p, index=labels[:n_estimated], name="purchase_probability")
        P = recency_transition_matrix(p, absorbing=self.absorbing)
        self.transition_matrix_ = pd.DataFrame(
            P, index=pd.Index(labels, name="from"), columns=pd.Index(labels, name="to")
        )
        self.current_state_ = pd.Series(
            pd.Categorical(np.asarray(labels, dtype=object)[state[:, -1] - 1], categories=labels),
            index=pd.Index(customers, name=customer_id),
            name="state",
        )
        self.n_customers_ = n
        self.n_periods_ = n_per
        self.period_starts_ = self._period_starts(start, n_per)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "transition_matrix_"):
            raise DataError("RecencyMarkovChain: call fit() first")

    def rewards(self, margin_per_period: float, cost_per_period: float = 0.0) -> np.ndarray:
        """P&C's reward vector: ``margin - cost`` in state 1, ``-cost`` in states 2..k, and in
        state k+1 ``0`` when absorbing (a former customer is no longer marketed to) else ``-cost``
        (Pfeifer & Carraway 2000; currency units per period)."""
        self._check_fitted()
        m = float(_as_float_array("margin_per_period", margin_per_period))
        c = float(_as_float_array("cost_per_period", cost_per_period))
        if c < 0:
            raise DataError(f"cost_per_period must be >= 0, got {cost_per_period!r}")
        n = self.transition_matrix_.shape[0]
        R = np.full(n, -c)
        R[0] = m - c
        if self.absorbing:
            R[-1] = 0.0
        return R

    def state_values(
        self,
        margin_per_period: float,
        cost_per_period: float = 0.0,
        discount_rate: float = 0.1,
        horizon: int | None = None,
    ) -> pd.Series:
        """Lifetime value of a customer in each recency state (:func:`markov_clv` with :meth:`rewards`).

        Parameters
        ----------
        margin_per_period : margin of a purchase period (currency units).
        cost_per_period : marketing cost per period spent in states 1..k.
        discount_rate : annual effective rate (0.1 for 10% a year), turned into
            the rate per period with :attr:`periods_per_year`.
        horizon : future periods, or ``None`` for the infinite horizon.
        """
        self._check_fitted()
        R = self.rewards(margin_per_period, cost_per_period)
        P = self.transition_matrix_.to_numpy()
        V = markov_clv(P, R, discount_rate, horizon, periods_per_year=self.periods_per_year)
        return pd.Series(V, index=self.transition_matrix_.index, name="value")

    def customer_values(
        self,
        margin_per_period: float,
        cost_per_period: float = 0.0,
        discount_rate: float = 0.1,
        horizon: int | None = None,
    ) -> pd.Series:
        """Each customer's value (:meth:`state_values`), from the state the customer is in at the end of the data."""
        v = self.state_values(margin_per_period, cost_per_period, discount_rate, horizon)
        return pd.Series(
            v.to_numpy()[self.current_state_.cat.codes.to_numpy()], index=self.current_state_.index, name="value"
        )

    def summary(self) -> pd.DataFrame:
        """Transitions by state with the customers currently in each state."""
        self._check_fitted()
        out = self.transitions_.copy()
        out["customers_now"] = self.current_state_.value_counts().reindex(out.index).fillna(0).astype("int64")
        return out
