"""Customer equity on one set of value terms: the reports' methods side by side (issue 15.2).

Every report that puts a money value on customers takes its margin, discount
rate, horizon and currency from one :class:`crmlib.spec.ValueTerms`. This module
holds the computations that more than one report needs, so that the same
inputs give the same number wherever it is printed:

- :func:`cohort_equity`: residual customer lifetime value of a cohort from the
  buy-till-you-die models of :mod:`crmlib.clv` with the Gamma-Gamma spend model
  (Fader, Hardie & Lee 2005b), one row per model, and the model the CLV report
  uses (calibration BIC weighed against the holdout, :func:`crmlib.clv.validate.choose_model`).
- :func:`markov_equity`: the value of the same customers from the recency
  Markov chain of Pfeifer & Carraway (2000), whose last state is "k+1 or more
  periods without a purchase" with its own observed return probability, so that
  every purchase in the log enters the chain (none is dropped as a
  "reactivation" of a lapsed customer).
- :func:`retention_lift`: the lift in lifetime value from a few points more
  retention (Reichheld & Sasser 1990; Gupta, Lehmann & Stuart 2004), with the
  retention rate measured on the log.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005b). RFM and CLV: using iso-value
    curves for customer base analysis. *Journal of Marketing Research* 42(4), 415-430.
Pfeifer, P. E. & Carraway, R. L. (2000). Modeling customer relationships as Markov
    chains. *Journal of Interactive Marketing* 14(2), 43-55.
Gupta, S., Lehmann, D. R. & Stuart, J. A. (2004). Valuing customers. *Journal of
    Marketing Research* 41(1), 7-18.
Reichheld, F. F. & Sasser, W. E. (1990). Zero defections: quality comes to services.
    *Harvard Business Review* 68(5), 105-111.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._checks import check_count, check_probability
from .clv import MODEL_LABELS, MODELS, GammaGammaModel, customer_lifetime_value
from .clv.formulas import RecencyMarkovChain, markov_clv, retention_clv
from .clv.validate import choose_model, compare_models
from .exceptions import DataError, DataWarning
from .spec import VALUE_TERMS, ValueTerms

__all__ = ["CohortEquity", "MarkovEquity", "cohort_equity", "markov_equity", "reconciliation", "retention_lift"]


def _whole_life(terms: ValueTerms, what: str) -> None:
    if not isinstance(terms, ValueTerms):
        raise DataError(f"{what}: terms must be a crmlib.spec.ValueTerms, got {type(terms).__name__}")
    if terms.horizon_years is not None:
        raise DataError(
            f"{what}: the buy-till-you-die residual value runs over the customer's whole remaining life; "
            f"terms.horizon_years is {terms.horizon_years:g} - use horizon_years=None here"
        )


@dataclasses.dataclass(frozen=True)
class CohortEquity:
    """Residual customer equity of a cohort by transaction model (:func:`cohort_equity`).

    Attributes
    ----------
    table : one row per model (label as index): ``log_likelihood``, ``bic``,
        ``delta_bic``, ``customer_equity`` (currency units) and ``chosen``
        (the model of the CLV report: :func:`crmlib.clv.validate.choose_model`).
    chosen : label of the chosen model: among the models within 10 BIC points of the best, the one whose
        expected holdout total is closest to the actual (lowest BIC when the summary has no holdout).
    reason : the one-sentence reason of the choice, as the CLV report prints it.
    values : per-customer ``p_alive``, ``dert``, ``expected_spend`` and ``clv``
        (currency units) of the chosen model.
    spend_model : the fitted Gamma-Gamma model (repeat buyers with positive spend).
    terms : the value terms used.
    fits : the fitted transaction models by label.
    """

    table: pd.DataFrame
    chosen: str
    values: pd.DataFrame
    spend_model: GammaGammaModel
    terms: ValueTerms
    fits: dict[str, Any]
    reason: str = ""

    @property
    def customer_equity(self) -> float:
        """Customer equity of the chosen model (currency units): the sum of residual CLV."""
        return float(self.values["clv"].sum())


def cohort_equity(
    summary: pd.DataFrame,
    terms: ValueTerms = VALUE_TERMS,
    *,
    models: Sequence[str] = ("bgnbd", "pareto_nbd", "mbgnbd"),
) -> CohortEquity:
    """Residual customer equity of a cohort under each buy-till-you-die model, on shared value terms.

    Each model of ``models`` (keys of :data:`crmlib.clv.MODELS`) is fitted by
    maximum likelihood on the calibration summary; the spend model is the
    Gamma-Gamma model fitted on the repeat buyers with positive spend (others get
    the population mean). The residual CLV of customer *i* is
    ``margin_share x DERT_i x E[M_i]`` (FHL 2005b, eq. 2) with the terms' margin
    and annual discount rate (converted with the summary's periods per year);
    customer equity is its sum. The CLV report fits the same models and prints
    the one :func:`crmlib.clv.validate.choose_model` recommends (calibration BIC
    weighed against the holdout when the summary has one): the same model is
    chosen here, so its figure is ``result.customer_equity``.

    Parameters
    ----------
    summary : calibration summary of :func:`crmlib.transactions.summarize`
        (``frequency``, ``recency``, ``T``, ``monetary``; carries its SummarySpec).
    terms : margin share, annual discount rate and currency;
        ``horizon_years`` must be ``None`` (residual value over the whole life).
    models : transaction models to fit (at least one).

    Returns
    -------
    :class:`CohortEquity`.

    References
    ----------
    Fader, Hardie & Lee (2005b), *JMR* 42(4), 415-430 (DERT, eq. 2; Gamma-Gamma spend).
    """
    _whole_life(terms, "cohort_equity")
    models = list(models)
    if not models:
        raise DataError("cohort_equity: give at least one model in models")
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise DataError(f"cohort_equity: unknown model(s) {unknown} in models; choose from {sorted(MODELS)}")
    fits = {MODEL_LABELS[m]: MODELS[m]().fit(summary) for m in models}
    with warnings.catch_warnings():  # zero-spend repeat buyers are counted in spend_model.n_nonpositive_
        warnings.simplefilter("ignore", DataWarning)
        spend = GammaGammaModel(drop_nonpositive=True).fit(summary)
    values = {
        name: customer_lifetime_value(
            f, spend, summary, margin_share=terms.margin_share, discount_rate=terms.discount_rate
        )
        for name, f in fits.items()
    }
    table = compare_models(fits)[["log_likelihood", "bic", "delta_bic"]].astype("float64")
    table["customer_equity"] = [float(values[name]["clv"].sum()) for name in table.index]
    holdout = "frequency_holdout" in summary.columns
    choice = choose_model(fits, summary if holdout else None)
    chosen = str(choice.best)
    table["chosen"] = table.index == chosen
    table.index.name = "model"
    return CohortEquity(
        table=table,
        chosen=chosen,
        values=values[chosen],
        spend_model=spend,
        terms=terms,
        fits=fits,
        reason=choice.reason,
    )


@dataclasses.dataclass(frozen=True)
class MarkovEquity:
    """Customer values of the recency Markov chain on shared value terms (:func:`markov_equity`).

    Attributes
    ----------
    chain : the fitted :class:`~crmlib.clv.formulas.RecencyMarkovChain` (non-absorbing last state).
    margin_per_period : mean profit of a customer's purchase month (currency units).
    state_values : value of a customer in each recency state (currency units).
    customer_values : each customer's value from the state at the end of the data.
    terms : the value terms used.
    """

    chain: RecencyMarkovChain
    margin_per_period: float
    state_values: pd.Series
    customer_values: pd.Series
    terms: ValueTerms

    @property
    def customer_equity(self) -> float:
        """The customers' total value (currency units)."""
        return float(self.customer_values.sum())

    @property
    def purchases_in_chain(self) -> int:
        """Purchase months that enter the chain: first purchases plus the observed transitions into state 1
        (from the absorbing state's none)."""
        return int(self.chain.n_customers_ + self.chain.transitions_["purchases"].sum() - self.chain.reactivations_)


def markov_equity(
    log: Any,
    terms: ValueTerms = VALUE_TERMS,
    *,
    n_states: int = 6,
    absorbing: bool = False,
    cost_to_serve_per_order: float = 0.0,
    cost_per_period: float = 0.0,
    observation_start: Any = None,
    observation_end: Any = None,
) -> MarkovEquity:
    """Customer values from a monthly recency Markov chain (Pfeifer & Carraway 2000) on shared value terms.

    Customers move each calendar month between recency states 1..k (months since
    the last purchase, 1 = bought this month) and a last state "k+1 or more
    months", which by default is *not* absorbing: its purchase probability is
    estimated from the purchases customers make after k+1 or more quiet months,
    so every purchase month of the log is a transition of the chain (with
    ``absorbing=True``, P&C's "former customer" state, those purchases are
    counted in ``chain.reactivations_`` and left out). A purchase month
    earns the mean profit of the customers' purchase months
    (:func:`crmlib.profit.margin_per_purchase_period` with the terms' margin
    share); every month in states 1..k costs ``cost_per_period``; the last state
    is not marketed (no cost), as P&C's former customers are not. Values are
    discounted at the terms' annual rate (12 months a year) over the terms'
    horizon (``None``: infinite).

    Parameters
    ----------
    log : a transaction log with ``customer_id``, ``date`` and ``amount`` (one row per order).
    terms : margin share, annual discount rate, horizon and currency.
    n_states : k, the recency states before the last one (months).
    absorbing : ``False``: the last state returns with its observed probability; ``True``: it never returns.
    cost_to_serve_per_order : cost of one order, subtracted in the purchase month (currency units).
    cost_per_period : marketing cost per month spent in states 1..k (currency units per month).
    observation_start, observation_end : the window (default: the log's first and last purchase days).

    Returns
    -------
    :class:`MarkovEquity`.

    References
    ----------
    Pfeifer & Carraway (2000), *Journal of Interactive Marketing* 14(2), 43-55 (value of a Markov chain with rewards).
    """
    from .profit import margin_per_purchase_period

    if not isinstance(terms, ValueTerms):
        raise DataError(f"markov_equity: terms must be a crmlib.spec.ValueTerms, got {type(terms).__name__}")
    if not isinstance(absorbing, bool):
        raise DataError(f"markov_equity: absorbing must be True or False, got {absorbing!r}")
    window = {"observation_start": observation_start, "observation_end": observation_end}
    chain = RecencyMarkovChain(
        n_states=check_count(n_states, "n_states", minimum=1), period="month", absorbing=absorbing
    )
    with warnings.catch_warnings():  # purchases after observation_end are outside the window the caller asked for
        warnings.filterwarnings("ignore", message=".*dated after the observation end", category=DataWarning)
        chain.fit(log, **window)
    margin = margin_per_purchase_period(
        log, margin_share=terms.margin_share, cost_to_serve_per_order=cost_to_serve_per_order, period="month", **window
    )
    horizon = terms.horizon_periods(chain.periods_per_year)
    rewards = chain.rewards(margin, cost_per_period)
    rewards[-1] = 0.0  # the last state is not marketed (P&C's former customers), whether or not it returns
    P = chain.transition_matrix_.to_numpy()
    v = markov_clv(P, rewards, terms.discount_rate, horizon, periods_per_year=chain.periods_per_year)
    states = pd.Series(v, index=chain.transition_matrix_.index, name="value")
    now = chain.current_state_.cat.codes.to_numpy()
    customers = pd.Series(v[now], index=chain.current_state_.index, name="value")
    return MarkovEquity(
        chain=chain, margin_per_period=margin, state_values=states, customer_values=customers, terms=terms
    )


def retention_lift(
    log: Any,
    terms: ValueTerms = VALUE_TERMS,
    *,
    points: float = 0.05,
    period_days: int = 182,
    observation_start: Any = None,
    observation_end: Any = None,
) -> pd.DataFrame:
    """How much a few points more retention lift lifetime value, with the retention rate measured on a log.

    The log is cut into periods of ``period_days`` days from ``observation_start``.
    Retention ``r`` is the share of the customer-periods with a purchase that are
    followed by a period with a purchase (pooled over consecutive pairs of
    periods; a recency Markov chain with one state, :class:`RecencyMarkovChain`).
    The lifetime value of a customer retained with constant probability ``r`` is
    the retention formula of Gupta & Lehmann (2003), ``m r / (1 + i - r)`` with
    ``i`` the terms' discount rate per period (:func:`crmlib.clv.formulas.retention_clv`),
    and ``m`` the mean margin of a customer's active period (terms' margin share
    times the mean revenue of the customer-periods with a purchase). The lift of
    ``r + points`` over ``r`` does not depend on ``m``.

    Parameters
    ----------
    log : a transaction log with ``customer_id``, ``date`` and ``amount``.
    terms : margin share and annual discount rate (``horizon_years`` must be ``None``).
    points : the rise in retention, as a share (0.05: five percentage points).
    period_days : length of a period in days (182: half a year).
    observation_start, observation_end : the window (default: the log's first and last purchase days).

    Returns
    -------
    DataFrame indexed by ``"observed"`` and ``"observed + <points>"`` with
    ``retention`` (share per period), ``clv`` (currency units per customer) and
    ``lift`` (share over the observed CLV; 0 on the first row);
    ``attrs`` holds ``margin_per_period``, ``rate_per_period``, ``at_risk`` and ``period_days``.

    References
    ----------
    Gupta, S. & Lehmann, D. R. (2003). Customers as assets. *Journal of Interactive Marketing* 17(1), 9-24.
    Reichheld & Sasser (1990), *Harvard Business Review* 68(5) (the "5 points more retention" claim).
    """
    from .profit import customer_profit

    _whole_life(terms, "retention_lift")
    points = float(check_probability(points, "points", open_interval=True))
    days = check_count(period_days, "period_days", minimum=1)
    window = {"observation_start": observation_start, "observation_end": observation_end}
    chain = RecencyMarkovChain(n_states=1, period=days, absorbing=False)
    with warnings.catch_warnings():  # purchases after observation_end are outside the window the caller asked for
        warnings.filterwarnings("ignore", message=".*dated after the observation end", category=DataWarning)
        chain.fit(log, **window)
    r = float(chain.purchase_probability_.iloc[0])
    if r + points >= 1:
        raise DataError(f"retention_lift: retention {r:.3f} + points {points:g} is not below 1")
    revenue = customer_profit(log, margin_share=1.0, **{k: v for k, v in window.items() if v is not None})["revenue"]
    active_periods = chain.n_customers_ + chain.transitions_["purchases"].sum()
    margin = terms.margin_share * float(revenue.sum()) / float(active_periods)
    per_year = chain.periods_per_year
    rate = terms.rate_per_period(per_year)
    rs = np.array([r, r + points])
    clv = np.asarray(retention_clv(margin, rs, terms.discount_rate, periods_per_year=per_year), dtype="float64")
    out = pd.DataFrame(
        {"retention": rs, "clv": clv, "lift": clv / clv[0] - 1.0},
        index=pd.Index(["observed", f"observed + {points:g}"], name="retention"),
    )
    out.attrs.update(
        {
            "margin_per_period": margin,
            "rate_per_period": rate,
            "at_risk": int(chain.transitions_["at_risk"].iloc[0]),
            "period_days": days,
        }
    )
    return out


def reconciliation(cohort: CohortEquity, markov: dict[str, MarkovEquity]) -> pd.DataFrame:
    """One table of the customer equity that each method gives for the same customers on the same terms.

    Parameters
    ----------
    cohort : :func:`cohort_equity` of the calibration summary (one row per transaction model).
    markov : :func:`markov_equity` results by a label that says what the chain assumes
        (fitted on the same customers up to the same day).

    Returns
    -------
    DataFrame indexed by ``method`` with ``customer_equity`` (currency units),
    ``per_customer`` (currency units) and ``relative`` (share above or below the
    chosen model's equity, which the CLV report prints); ``attrs["chosen"]`` names it.

    References
    ----------
    Fader, Hardie & Lee (2005b); Pfeifer & Carraway (2000): see the module.
    """
    if not isinstance(cohort, CohortEquity):
        raise DataError(f"reconciliation: cohort must be a CohortEquity, got {type(cohort).__name__}")
    bad = [k for k, v in markov.items() if not isinstance(v, MarkovEquity)]
    if bad:
        raise DataError(f"reconciliation: markov values {bad} are not MarkovEquity results")
    n = len(cohort.values)
    rows = {f"{name} x Gamma-Gamma": cohort.table.loc[name, "customer_equity"] for name in cohort.table.index}
    rows.update({f"recency Markov chain, {label}": m.customer_equity for label, m in markov.items()})
    out = pd.DataFrame({"customer_equity": pd.Series(rows, dtype="float64")})
    out["per_customer"] = out["customer_equity"] / n
    out["relative"] = out["customer_equity"] / cohort.customer_equity - 1.0
    out.index.name = "method"
    out.attrs["chosen"] = f"{cohort.chosen} x Gamma-Gamma"
    return out
