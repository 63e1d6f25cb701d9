"""The profitability report's set-up, reader tables, what-if figures and the sentences that quote them.

The report (``notebooks/profitability.ipynb``) holds parameters, calls, prose and tables; what it shows is
built here from the results of :mod:`crmlib.profit`, :mod:`crmlib.segment`, :mod:`crmlib.equity` and
:mod:`crmlib.programme`, so that every number a reader sees is computed by a tested function:

* :func:`report_setup`: the log (a bundled CDNOW name or a file), the shared value terms and the window;
* ``*_table`` functions return the keyword arguments of :meth:`crmlib.style.Captioner.table` (``frame``,
  ``caption``, ``floatfmt``, ``labels``, ``note``): reader labels with units, percentages as percentages,
  whole numbers without decimals, money with two decimals;
* ``*_sentence`` functions return the prose that quotes the numbers;
* :func:`plot_whale_curves_by_cost`: the what-if of the assumed cost to serve, one whale curve per setting.

The segment analyses' tables are in :mod:`crmlib.segment.tables` (entropy against AHP weights, customer
classes and states) and the programme evaluation's in :mod:`crmlib.programme_tables`.

References
----------
Kaplan, R. S. & Narayanan, V. G. (2001). Measuring and managing customer profitability. *Journal of Cost
    Management* 15(5), 5-15 (profit per customer, the whale curve).
Pfeifer, P. E. & Carraway, R. L. (2000). Modeling customer relationships as Markov chains. *Journal of
    Interactive Marketing* 14(2), 43-55.
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill; Zou, Yun & Sun (2006) for entropy weights.
APA (2020). *Publication Manual*, 7th ed., secs. 6.36 and 7.8-7.21 (numbers and tables).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from . import datasets, profit, segment
from .equity import MarkovEquity
from .exceptions import DataError
from .spec import ValueTerms
from .style import number_text

__all__ = [
    "ProfitReport",
    "report_setup",
    "data_sentence",
    "money_table",
    "concentration_table",
    "concentration_figures",
    "concentration_sentence",
    "sensitivity_table",
    "sensitivity_sentence",
    "plot_whale_curves_by_cost",
    "tier_rule_sentence",
    "tier_profile_table",
    "tier_migration",
    "migration_sentence",
    "markov_table",
    "markov_sentence",
    "conclusion_sentence",
]

SKIPPED = "*Skipped: this section needs the amounts the log does not have.*"
"""The sentence of a money section skipped for a log without amounts."""

_BUNDLED: dict[str, Literal["sample", "master"]] = {"cdnow_master": "master", "cdnow_sample": "sample"}


def _pct(x: float) -> str:
    return "" if pd.isna(x) else f"{x:,.1f}"


def _money(x: float) -> str:
    return "" if pd.isna(x) else f"{x:,.2f}"


@dataclass(frozen=True)
class ProfitReport:
    """The data of a profitability report.

    Attributes
    ----------
    log : the log's rows (``customer_id``, ``date`` and, with amounts, ``amount``), from :func:`profit.log_frame`.
    terms : the shared value terms (margin share, annual discount rate, horizon, currency).
    label : the data's name in prose (``"the CDNOW log (cdnow_master)"`` or ``"the log <path>"``).
    money : the currency label (the terms' currency for a bundled log or a given currency, else
        ``"currency units"``).
    has_amounts : False for a log without amounts (every money section is skipped).
    start, end, split : first and last day of the window and last day of period 1 (days).
    given : how the window was chosen, in words.
    """

    log: pd.DataFrame
    terms: ValueTerms
    label: str
    money: str
    has_amounts: bool
    start: pd.Timestamp
    end: pd.Timestamp
    split: pd.Timestamp
    given: str

    @property
    def window(self) -> dict[str, str]:
        """``observation_start`` and ``observation_end`` as ``YYYY-MM-DD`` (keyword arguments of the profit calls)."""
        return {"observation_start": f"{self.start:%Y-%m-%d}", "observation_end": f"{self.end:%Y-%m-%d}"}


def report_setup(
    dataset: str,
    *,
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str | None = "amount",
    read_options: dict[str, Any] | None = None,
    value_terms: dict[str, Any] | None = None,
    observation_start: Any = None,
    observation_end: Any = None,
    calibration_end: Any = None,
) -> ProfitReport:
    """Read the report's log once and fix its window, period split and value terms.

    Parameters
    ----------
    dataset : ``"cdnow_master"`` (23,570 customers), ``"cdnow_sample"`` (2,357) or the path of a log file.
    customer_id, date, amount : the log's columns; ``amount=None`` for a log without amounts.
    read_options : reading options of a log file (``date_format``, ``delimiter``, ``decimal``, ...).
    value_terms : changes to the shared value terms (:class:`crmlib.spec.ValueTerms`).
    observation_start, observation_end : the window (inclusive days); ``None``: the log's first / last purchase day.
    calibration_end : last day of period 1; ``None``: the window's middle day (rounded down).

    Returns
    -------
    :class:`ProfitReport`.

    Raises
    ------
    DataError
        From the intake; ``calibration_end`` outside the window, or a window that ends before it starts.

    References
    ----------
    Kaplan & Narayanan (2001) (profit over a window of the log).
    """
    if dataset in _BUNDLED:
        source: Any = datasets.load_cdnow(_BUNDLED[dataset])
        label = f"the CDNOW log ({dataset})"
    else:
        source, label = dataset, f"the log {dataset}"
    log = profit.log_frame(source, customer_id=customer_id, date=date, amount=amount, **(read_options or {}))
    terms = ValueTerms.from_mapping(value_terms)
    bundled_or_given = dataset in _BUNDLED or "currency" in (value_terms or {})
    lo = pd.Timestamp(observation_start) if observation_start is not None else log["date"].min().normalize()
    hi = pd.Timestamp(observation_end) if observation_end is not None else log["date"].max().normalize()
    if hi < lo:
        raise DataError(f"observation_end {hi:%Y-%m-%d} is before observation_start {lo:%Y-%m-%d}")
    split = (
        pd.Timestamp(calibration_end) if calibration_end is not None else lo + pd.Timedelta(days=(hi - lo).days // 2)
    )
    if not lo <= split < hi:
        raise DataError(f"calibration_end {split:%Y-%m-%d} must lie in the window {lo:%Y-%m-%d} to {hi:%Y-%m-%d}")
    given = (
        "window set by parameters" if observation_start or observation_end else "the log's first to last purchase day"
    )
    given += "; period 1 ends " + ("on calibration_end" if calibration_end else "on the window's middle day")
    money = terms.currency if bundled_or_given else "currency units"
    return ProfitReport(log, terms, label, money, amount is not None, lo, hi, split, given)


def data_sentence(report: ProfitReport, cost_to_serve_per_order: float) -> tuple[str, int]:
    """The report's data paragraph and the number of customers who bought in the window.

    Parameters
    ----------
    report : from :func:`report_setup`.
    cost_to_serve_per_order : the assumed cost to serve (currency units per order).

    Returns
    -------
    ``(text, n_customers)``: Markdown text and the customers with a purchase in the window (a count).

    References
    ----------
    Kaplan & Narayanan (2001).
    """
    r = report
    inside = r.log.loc[r.log["date"].between(r.start, r.end + pd.Timedelta(days=1), inclusive="left")]
    n_buyers = int(inside["customer_id"].nunique())
    text = (
        f"**Data.** {r.label[0].upper() + r.label[1:]}, {r.start:%Y-%m-%d} to {r.end:%Y-%m-%d} ({r.given}, "
        f"{r.split:%Y-%m-%d}): {len(inside):,} orders (transaction rows) of **{n_buyers:,}** customers"
    )
    if r.has_amounts:
        text += (
            f", revenue {r.money} {inside['amount'].sum():,.2f}. Assumed margin {r.terms.margin_share:.0%} of revenue "
            f"and {r.money} {cost_to_serve_per_order:.2f} cost to serve per order."
        )
    else:
        text += (
            ". **The log has no amounts**: every section that needs money (profit, tiers, scores, classes, "
            "lifetime values, difference-in-differences) is skipped."
        )
    return text, n_buyers


def money_table(customers: pd.DataFrame, currency: str) -> dict[str, Any]:
    """Table of orders and money per customer: N, mean, SD and quantiles, labelled with units.

    Parameters
    ----------
    customers : from :func:`crmlib.profit.customer_profit` (``orders``, ``revenue``, ``gross_margin``,
        ``cost_to_serve``, ``profit``; currency units).
    currency : the currency label of the money rows.

    Returns
    -------
    Keyword arguments of :meth:`crmlib.style.Captioner.table` (whole numbers without decimals).

    References
    ----------
    Kaplan & Narayanan (2001).
    """
    rows = {
        "orders": "Orders",
        "revenue": f"Revenue ({currency})",
        "gross_margin": f"Gross margin ({currency})",
        "cost_to_serve": f"Cost to serve ({currency})",
        "profit": f"Profit ({currency})",
    }
    frame = customers[list(rows)].describe().T.rename(index=rows)
    frame.index.name = "Per customer"
    return {"frame": frame, "caption": "Orders and money per customer over the window", "floatfmt": number_text}


_CONCENTRATION_ROWS = {
    "total_profit": "Total profit ({money})",
    "share_unprofitable": "Customers with profit < 0 (%)",
    "share_no_profit": "Customers with profit <= 0 (%)",
    "top_10pct_profit_pct": "Profit of the top 10% of customers (% of total profit)",
    "top_20pct_profit_pct": "Profit of the top 20% of customers (% of total profit)",
    "whale_peak_pct": "Whale-curve peak (% of total profit)",
    "whale_peak_customer_pct": "Customers at the peak (%)",
    "gini": "Gini coefficient of profit (0-1)",
}


def concentration_table(concentration: pd.Series, currency: str) -> dict[str, Any]:
    """Table of the concentration of customer profit: shares as percentages, money and Gini with two decimals.

    Parameters
    ----------
    concentration : from :func:`crmlib.profit.concentration` (shares as fractions, ``*_pct`` in percent).
    currency : the currency label of the total.

    Returns
    -------
    Keyword arguments of :meth:`crmlib.style.Captioner.table`; the ``value`` column holds the numbers as shown.

    References
    ----------
    Kaplan & Narayanan (2001); Raffinetti, Siletti & Vernizzi (2015) for the Gini with losses.
    """
    c = concentration
    values = {
        k: 100 * float(c[k]) if k.startswith("share_") else float(c[k]) for k in _CONCENTRATION_ROWS if k in c.index
    }
    frame = pd.DataFrame(
        {"value": values.values()},
        index=pd.Index([_CONCENTRATION_ROWS[k].format(money=currency) for k in values], name="Measure"),
    )
    note = (
        "Gini: the standard coefficient without losses; with losses the normalisation of Raffinetti, Siletti & "
        "Vernizzi (2015), which keeps it between 0 and 1. The top customers' profit is above 100% of the total when "
        "other customers lose money (the whale curve's reading)."
    )
    return {"frame": frame, "caption": "Concentration of customer profit", "floatfmt": "{:,.2f}", "note": note}


def concentration_figures(concentration: pd.Series) -> dict[str, tuple[float, str]]:
    """The key figures of the concentration to record: name -> (value rounded to 4 decimals, unit).

    Parameters
    ----------
    concentration : from :func:`crmlib.profit.concentration` (shares as fractions, ``*_pct`` in percent).

    References
    ----------
    Kaplan & Narayanan (2001).
    """
    keys = ["share_unprofitable", "top_10pct_profit_pct", "top_20pct_profit_pct", "whale_peak_pct", "gini"]
    return {
        k: (round(float(concentration[k]), 4), "percent of total profit" if k.endswith("_pct") else "fraction")
        for k in keys
    }


def concentration_sentence(concentration: pd.Series) -> str:
    """The paragraph on the concentration, with the seed claim "about half of all customers bring no profit".

    The claim holds when at least 40% of the customers have a profit <= 0.

    Parameters
    ----------
    concentration : from :func:`crmlib.profit.concentration` (shares as fractions, ``*_pct`` in percent).

    References
    ----------
    Kaplan & Narayanan (2001); seed slides 003 (the claim).
    """
    c = concentration
    verdict = "does not hold" if c["share_no_profit"] < 0.4 else "holds"
    return (
        f"The top 10% of customers bring **{c['top_10pct_profit_pct']:.1f}%** of the total profit and the top 20% "
        f"**{c['top_20pct_profit_pct']:.1f}%** (Gini {c['gini']:.2f}). Under these assumptions "
        f"**{c['share_unprofitable']:.1%}** of the customers lose money, so the whale curve peaks at "
        f"{c['whale_peak_pct']:.1f}% of total profit. The claim that about half of all customers bring no profit "
        f"{verdict} here ({c['share_no_profit']:.1%} bring none)."
    )


def sensitivity_table(sensitivity: pd.DataFrame, currency: str) -> dict[str, Any]:
    """Table of :func:`crmlib.profit.concentration_sensitivity`: margins and shares in percent, money rounded.

    Parameters
    ----------
    sensitivity : from :func:`crmlib.profit.concentration_sensitivity` (index margin share x cost per order).
    currency : the currency label.

    Returns
    -------
    Keyword arguments of :meth:`crmlib.style.Captioner.table`.

    References
    ----------
    Kaplan & Narayanan (2001).
    """
    s = sensitivity.copy()
    top = [c for c in s.columns if c.startswith("top_")][0]
    s["share_unprofitable"] = 100 * s["share_unprofitable"]
    s.index = pd.MultiIndex.from_tuples(
        [(f"{m:.0%}", f"{c:,.2f}") for m, c in s.index],
        names=["Margin (% of revenue)", f"Cost to serve ({currency} per order)"],
    )
    labels = {
        "total_profit": f"Total profit ({currency})",
        "share_unprofitable": "Customers with profit < 0 (%)",
        top: f"Top {top.split('_')[1].removesuffix('pct')}%'s profit (% of total)",
        "whale_peak_pct": "Whale-curve peak (% of total)",
        "gini": "Gini (0-1)",
    }
    fmt = {"total_profit": "{:,.0f}", "share_unprofitable": _pct, top: _pct, "whale_peak_pct": _pct, "gini": "{:.2f}"}
    note = (
        "Settings with a non-positive total profit have no concentration figures (the whale curve is a share of the "
        "total). The top customers' profit and the whale-curve peak are percentages of total profit: above 100 when "
        "other customers lose money, and large when the total is small. Gini as in Table 2."
    )
    caption = f"Sensitivity of the concentration figures to the assumed margin and cost to serve ({currency} per order)"
    return {"frame": s, "caption": caption, "labels": labels, "floatfmt": fmt, "note": note}


def sensitivity_sentence(sensitivity: pd.DataFrame, currency: str) -> str:
    """The sentence on the range of the unprofitable share over the sensitivity grid.

    Parameters
    ----------
    sensitivity : from :func:`crmlib.profit.concentration_sensitivity` (``share_unprofitable`` as fractions).
    currency : the currency label.

    References
    ----------
    Kaplan & Narayanan (2001).
    """
    share = sensitivity["share_unprofitable"]
    margin, cost = share.idxmax()
    return (
        f"The share of unprofitable customers ranges from {share.min():.1%} to {share.max():.1%} (margin "
        f"{margin:.0%}, {currency} {cost:.2f} per order): the assumed cost to serve decides who looks unprofitable "
        "(Figure 2)."
    )


def plot_whale_curves_by_cost(customers: pd.DataFrame, margin_share: float, costs_per_order, currency: str, ax=None):
    """What-if: the whale curve under each assumed cost to serve, at one margin share, in one figure.

    ``profit = margin_share * revenue - cost * orders`` per customer; a setting whose total profit is not
    positive has no whale curve (it is a share of the total) and is left out.

    Parameters
    ----------
    customers : from :func:`crmlib.profit.customer_profit` (``revenue``, ``orders``).
    margin_share : gross margin, share of revenue in [0, 1].
    costs_per_order : costs to serve one order to draw (currency units per order).
    currency : the currency label of the legend.
    ax : matplotlib axes (a new figure when ``None``).

    Returns
    -------
    The figure, and ``ax.lines`` one curve per drawn setting.

    References
    ----------
    Kaplan & Narayanan (2001) (the whale curve).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    for c in sorted(set(float(c) for c in costs_per_order)):
        p = margin_share * customers["revenue"] - c * customers["orders"]
        if p.sum() > 0:
            profit.plot_whale_curve(profit.whale_curve(p), ax, label=f"{currency} {c:.2f} per order", mark_peak=False)
    ax.legend(title=f"Cost to serve (margin {margin_share:.0%})")
    return ax.figure


def tier_rule_sentence(rule: segment.TierRule) -> str:
    """The sentence saying that the tier shares are an assumption, with the rule's shares.

    Parameters
    ----------
    rule : a three-tier :class:`crmlib.segment.TierRule` cut by shares of customers (fractions).

    References
    ----------
    Zeithaml, Rust & Lemon (2001) (the customer pyramid).
    """
    loss = f" (loss-makers in {rule.loss_tier})" if rule.loss_tier else ""
    return (
        "**The tier shares are an assumption.** Neither the customer pyramid (Zeithaml, Rust & Lemon 2001) nor the "
        f"S-company thesis says where to cut; crmlib's default puts the top {rule.cuts[0]:.0%} of customers by profit "
        f"in {rule.names[0]}, the next {rule.cuts[1] - rule.cuts[0]:.0%} in {rule.names[1]} and the rest in "
        f"{rule.names[2]}{loss}. A `segment.TierRule` with other cuts changes them."
    )


def tier_profile_table(profile: pd.DataFrame, currency: str, what: str = "tier") -> dict[str, Any]:
    """Table of :func:`crmlib.segment.tier_profile`: shares in percent, money with two decimals, labelled.

    Parameters
    ----------
    profile : from :func:`crmlib.segment.tier_profile` (with ``extra`` means ``mean_<column>``).
    currency : the currency label of the value columns.
    what : the word for a group (``"tier"``, ``"class"``).

    Returns
    -------
    Keyword arguments of :meth:`crmlib.style.Captioner.table`.

    References
    ----------
    Zeithaml, Rust & Lemon (2001).
    """
    p = profile.copy()
    for c in ("customer_share", "value_share"):
        p[c] = 100 * p[c]
    money = {"total", "mean", "median", "min", "max", "mean_revenue", "mean_profit"}
    labels = {
        "customers": "Customers",
        "customer_share": "Customers (%)",
        "total": f"Total profit ({currency})",
        "value_share": "Profit (% of total)",
        "mean": f"Mean profit ({currency})",
        "median": f"Median profit ({currency})",
        "min": f"Min profit ({currency})",
        "max": f"Max profit ({currency})",
        "mean_orders": "Mean orders",
        "mean_revenue": f"Mean revenue ({currency})",
        p.index.name: what.capitalize(),
    }
    fmt = {c: (_money if c in money else _pct if c.endswith("_share") else "{:,.2f}") for c in p.columns}
    return {"frame": p, "caption": f"{what.capitalize()} profile", "labels": labels, "floatfmt": fmt}


def tier_migration(report: ProfitReport, rule: segment.TierRule, cost_to_serve_per_order: float):
    """Tiers in period 1 and period 2 of the report's window and the migration between them.

    Parameters
    ----------
    report : from :func:`report_setup` (periods: start to split, the day after the split to end).
    rule : the tier rule (:class:`crmlib.segment.TierRule`).
    cost_to_serve_per_order : currency units per order.

    Returns
    -------
    ``(migration, panel)``: row proportions of :func:`crmlib.segment.migration_matrix` (with ``n``) and the
    customer x period panel of :func:`crmlib.profit.profit_panel`.

    References
    ----------
    Zeithaml, Rust & Lemon (2001); Kaplan & Narayanan (2001).
    """
    r = report
    windows = {"period 1": (r.start, r.split), "period 2": (r.split + pd.Timedelta(days=1), r.end)}
    panel = profit.profit_panel(
        r.log, windows, margin_share=r.terms.margin_share, cost_to_serve_per_order=cost_to_serve_per_order
    )
    active = panel.loc[panel["orders"] > 0]
    tiers = {w: segment.assign_tiers(g.set_index("customer_id")["profit"], rule) for w, g in active.groupby("window")}
    return segment.migration_matrix(tiers["period 1"], tiers["period 2"]), panel


def migration_sentence(migration: pd.DataFrame, top: str) -> str:
    """The sentence on how many of the top tier of period 1 stay there in period 2.

    Parameters
    ----------
    migration : row shares of :func:`crmlib.segment.migration_matrix` with ``n`` and ``absent``.
    top : the top tier's name.

    References
    ----------
    Zeithaml, Rust & Lemon (2001).
    """
    stay, gone = float(migration.loc[top, top]), float(migration.loc[top, "absent"])
    verdict = "most of the top tier does not stay there" if stay < 0.5 else "the top tier is largely stable"
    return (
        f"Of the {int(migration.loc[top, 'n']):,} {top} customers of period 1, **{stay:.1%}** are {top} again in "
        f"period 2 and {gone:.1%} buy nothing in period 2: {verdict}."
    )


def markov_table(chains: dict[bool, MarkovEquity], currency: str, observation_end: Any) -> dict[str, Any]:
    """Table of the recency chain: transitions, purchase probability, customers now and value per state.

    Parameters
    ----------
    chains : :func:`crmlib.equity.markov_equity` results keyed by ``absorbing`` (False: the non-absorbing
        last state; True: lapsed customers never return, Pfeifer & Carraway's absorbing state).
    currency : the currency label.
    observation_end : the day the customers are counted (the window's end).

    Returns
    -------
    Keyword arguments of :meth:`crmlib.style.Captioner.table`: one row per state, values with two decimals
    for both chains.

    References
    ----------
    Pfeifer & Carraway (2000).
    """
    me, closed = chains[False], chains[True]
    frame = me.chain.summary().join(me.state_values.rename("value"))
    frame["value_absorbing"] = closed.state_values.to_numpy()  # same states; the last is "former" there
    labels = {
        "purchase_probability": "P(purchase next month)",
        "customers_now": f"Customers on {pd.Timestamp(observation_end):%Y-%m-%d}",
        "value": f"Value ({currency})",
        "value_absorbing": f"Value if lapsed never return ({currency})",
    }
    caption = (
        f"Recency states (months since the last purchase): transitions, purchase probability, customers and "
        f"lifetime value (margin {currency} {me.margin_per_period:.2f} per purchase month; {me.terms.describe()})"
    )
    fmt = {"purchase_probability": "{:.3f}", "value": _money, "value_absorbing": _money}
    return {"frame": frame, "caption": caption, "labels": labels, "floatfmt": fmt}


def markov_sentence(chains: dict[bool, MarkovEquity], currency: str, observation_end: Any) -> str:
    """The paragraph on the Markov chain's values and the bound given by the absorbing chain.

    Parameters
    ----------
    chains, currency, observation_end : as for :func:`markov_table` (values in currency units).

    References
    ----------
    Pfeifer & Carraway (2000).
    """
    me, closed = chains[False], chains[True]
    chain, values = me.chain, me.state_values
    last, p_last = chain.purchase_probability_.index[-1], chain.purchase_probability_.iloc[-1]
    return (
        f"A customer who has just bought is worth **{currency} {values.iloc[0]:,.2f}**. All "
        f"{me.purchases_in_chain:,} purchase months of the log enter the chain: customers in state {last} buy again "
        f"with probability {p_last:.3f} a month. Kept forever, that rate makes the {chain.n_customers_:,} customers "
        f"worth {currency} {me.customer_equity:,.0f} from {pd.Timestamp(observation_end):%Y-%m-%d} on; if lapsed "
        f"customers never returned (P&C's absorbing state, which leaves out the {closed.chain.reactivations_:,} "
        f"purchases they made) they would be worth {currency} {closed.customer_equity:,.0f}. The chain lets no one "
        "leave for good, so these are bounds; the buy-till-you-die models of the CLV report estimate who has left "
        "(case study, Section 11.2)."
    )


def conclusion_sentence(
    report: ProfitReport,
    cost_to_serve_per_order: float,
    concentration: pd.Series,
    sensitivity: pd.DataFrame,
    top_kept: float,
    thesis: Any,
) -> str:
    """The report's conclusion, quoting the concentration, its sensitivity, the top tier kept and the thesis.

    Parameters
    ----------
    report : from :func:`report_setup`.
    cost_to_serve_per_order : currency units per order.
    concentration, sensitivity : from :func:`crmlib.profit.concentration` and ``concentration_sensitivity``.
    top_kept : share of the top tier kept from period 1 to period 2 (fraction).
    thesis : :class:`crmlib.programme_tables.ThesisProgramme` (printed and recomputed benefit-cost ratios).

    References
    ----------
    Kaplan & Narayanan (2001); Zeithaml, Rust & Lemon (2001).
    """
    r, c = report, concentration
    return (
        f"On {r.label}, with a {r.terms.margin_share:.0%} margin and {r.money} {cost_to_serve_per_order:.2f} per "
        f"order, profit is {'concentrated' if c['top_20pct_profit_pct'] > 50 else 'spread'} (top 20% of customers: "
        f"{c['top_20pct_profit_pct']:.0f}% of total profit; Gini {c['gini']:.2f}), and {c['share_unprofitable']:.1%} "
        f"of customers lose money; that share is driven by the assumed cost to serve (up to "
        f"{sensitivity['share_unprofitable'].max():.1%} in Table 3). Of the top tier, {top_kept:.0%} stay there from "
        "period 1 to period 2. Programme claims need unit-level data: the thesis's with/without table is descriptive, "
        f"and its printed benefit-cost ratio ({thesis.printed_ratio:.2f}) does not follow from its own totals "
        f"({thesis.evaluation.benefit_cost_ratio:.2f})."
    )
