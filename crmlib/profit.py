"""Customer profitability and the evaluation of CRM programmes.

Customer profitability
    :func:`customer_profit` turns a transaction log into profit per customer
    over a window: revenue, cost of goods (a margin rate or a cost column),
    cost to serve (per order, per contact, or a column) and profit.
    :func:`whale_curve`, :func:`concentration` and :func:`gini` describe how
    profit is spread over customers (Kaplan & Narayanan 2001);
    :func:`plot_whale_curve` draws the curve.

Programme evaluation
    :func:`evaluate_programme` gives the benefit-cost ratio, ROI, net present
    value and payback period from cost and revenue lines;
    :func:`difference_in_differences` estimates a programme effect with a
    confidence interval from unit-level data (statsmodels OLS with a
    treated x post interaction); :func:`with_without_table` lays out
    published aggregates (with / without a programme, across conditions) as
    a plain, descriptive table, because no standard error can be computed
    from aggregates alone.

References
----------
Kaplan, R. S. & Narayanan, V. G. (2001). Measuring and managing customer
    profitability. *Journal of Cost Management* 15(5), 5-15.
Angrist, J. D. & Pischke, J.-S. (2009). *Mostly Harmless Econometrics*,
    section 5.2 (differences-in-differences).
Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to
    cluster-robust inference. *Journal of Human Resources* 50(2), 317-372.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .exceptions import ConvergenceError, DataError

__all__ = [
    "customer_profit",
    "profit_panel",
    "whale_curve",
    "concentration",
    "gini",
    "plot_whale_curve",
    "ProgrammeEvaluation",
    "evaluate_programme",
    "DiDResult",
    "difference_in_differences",
    "WithWithoutTable",
    "with_without_table",
    "thesis_profit_rate_table",
]


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _require_columns(frame: pd.DataFrame, columns: dict[str, str | None], what: str) -> None:
    for role, col in columns.items():
        if col is not None and col not in frame.columns:
            raise DataError(f"{what}: column {col!r} ({role}) not found; columns are {list(frame.columns)}")


def _numeric_column(frame: pd.DataFrame, col: str, what: str, *, nonnegative: bool = False) -> np.ndarray:
    values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64")
    bad = ~np.isfinite(values)
    if bad.any():
        rows = list(frame.index[bad][:5])
        raise DataError(
            f"{what}: column {col!r} is missing or not a finite number in {int(bad.sum())} rows "
            f"(rows {rows}{' ...' if bad.sum() > 5 else ''})"
        )
    if nonnegative and (values < 0).any():
        neg = values < 0
        raise DataError(
            f"{what}: column {col!r} is negative in {int(neg.sum())} rows "
            f"(rows {list(frame.index[neg][:5])}{' ...' if neg.sum() > 5 else ''})"
        )
    return values


def _check_rate(name: str, value: float, low: float = 0.0, high: float = 1.0) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be a number in [{low:g}, {high:g}], got {value!r}") from exc
    if not np.isfinite(v) or v < low or v > high:
        raise DataError(f"{name} must lie in [{low:g}, {high:g}], got {value!r}")
    return v


def _check_nonnegative(name: str, value: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be a non-negative number, got {value!r}") from exc
    if not np.isfinite(v) or v < 0:
        raise DataError(f"{name} must be a non-negative finite number, got {value!r}")
    return v


def _profit_values(profit: pd.Series | np.ndarray, what: str) -> np.ndarray:
    x = np.asarray(profit, dtype="float64").ravel()
    if x.size == 0:
        raise DataError(f"{what}: no customers (empty profit series)")
    bad = ~np.isfinite(x)
    if bad.any():
        raise DataError(
            f"{what}: profit is missing or infinite for {int(bad.sum())} customers "
            f"(positions {list(np.flatnonzero(bad)[:5])})"
        )
    return x


# --------------------------------------------------------------------------------------------
# customer profitability
# --------------------------------------------------------------------------------------------


def customer_profit(
    transactions: pd.DataFrame,
    *,
    margin_rate: float | None = None,
    cost_column: str | None = None,
    cost_to_serve_per_order: float = 0.0,
    cost_to_serve_per_contact: float = 0.0,
    contacts: pd.Series | None = None,
    cost_to_serve_column: str | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    order_unit: Literal["row", "day"] = "row",
    customer_column: str = "customer_id",
    date_column: str = "date",
    amount_column: str = "amount",
) -> pd.DataFrame:
    """Profit per customer over a window, from a transaction log.

    For customer *i* over the window (Kaplan & Narayanan 2001, the
    activity-based customer profit and loss)::

        revenue_i       = sum of amounts
        cost_of_goods_i = (1 - margin_rate) * revenue_i      or the sum of ``cost_column``
        gross_margin_i  = revenue_i - cost_of_goods_i
        cost_to_serve_i = per_order * orders_i + per_contact * contacts_i + sum of ``cost_to_serve_column``
        profit_i        = gross_margin_i - cost_to_serve_i

    Parameters
    ----------
    transactions : one row per transaction with ``customer_column``,
        ``date_column`` (datetime) and ``amount_column`` (revenue, currency
        units, e.g. USD for CDNOW).
    margin_rate : gross margin as a fraction of revenue, in [0, 1]. Give
        exactly one of ``margin_rate`` and ``cost_column``.
    cost_column : a column holding the cost of goods of each transaction
        (currency units, >= 0).
    cost_to_serve_per_order : cost of handling one order (currency units per
        order; an order is a row, or a customer-day with ``order_unit="day"``).
    cost_to_serve_per_contact : cost of one contact (mailing, call, visit),
        multiplied by ``contacts``.
    contacts : number of contacts per customer in the window (a Series
        indexed by customer id). Contacted customers without a purchase in
        the window are kept, with zero revenue and a loss.
    cost_to_serve_column : a column holding a per-transaction cost to serve.
    start, end : the window, both inclusive (dates). ``None``: the whole log.
    order_unit : ``"row"`` (each row is an order) or ``"day"`` (all rows of a
        customer on one day are one order).

    Returns
    -------
    DataFrame indexed by customer id, columns ``orders`` (int64),
    ``revenue``, ``cost_of_goods``, ``gross_margin``, ``cost_to_serve`` and
    ``profit`` (float64, currency units), ``first_purchase`` and
    ``last_purchase`` (datetime; NaT for a contacted customer without a
    purchase), sorted by customer id.
    """
    what = "customer_profit"
    if not isinstance(transactions, pd.DataFrame):
        raise DataError(f"{what}: transactions must be a DataFrame, got {type(transactions).__name__}")
    _require_columns(
        transactions,
        {
            "customer": customer_column,
            "date": date_column,
            "amount": amount_column,
            "cost of goods": cost_column,
            "cost to serve": cost_to_serve_column,
        },
        what,
    )
    if (margin_rate is None) == (cost_column is None):
        raise DataError(
            f"{what}: give exactly one of margin_rate (a fraction of revenue) and cost_column "
            f"(got margin_rate={margin_rate!r}, cost_column={cost_column!r})"
        )
    if margin_rate is not None:
        margin_rate = _check_rate("margin_rate", margin_rate)
    per_order = _check_nonnegative("cost_to_serve_per_order", cost_to_serve_per_order)
    per_contact = _check_nonnegative("cost_to_serve_per_contact", cost_to_serve_per_contact)
    if per_contact > 0 and contacts is None:
        raise DataError(
            f"{what}: cost_to_serve_per_contact={per_contact:g} needs `contacts` "
            "(contacts per customer, a Series indexed by customer id)"
        )
    if order_unit not in ("row", "day"):
        raise DataError(f"{what}: order_unit must be 'row' or 'day', got {order_unit!r}")

    dates = pd.to_datetime(transactions[date_column], errors="coerce")
    if dates.isna().any():
        bad = dates.isna().to_numpy()
        raise DataError(
            f"{what}: column {date_column!r} is missing or not a date in {int(bad.sum())} rows "
            f"(rows {list(transactions.index[bad][:5])})"
        )
    lo = pd.Timestamp(start) if start is not None else dates.min()
    hi = pd.Timestamp(end) if end is not None else dates.max()
    if lo > hi:
        raise DataError(f"{what}: window start {lo.date()} is after its end {hi.date()}")
    keep = ((dates >= lo) & (dates <= hi)).to_numpy()
    tx = transactions.loc[keep]
    if tx[customer_column].isna().any():
        raise DataError(
            f"{what}: column {customer_column!r} is missing in {int(tx[customer_column].isna().sum())} rows"
        )

    revenue = _numeric_column(tx, amount_column, what)
    if cost_column is not None:
        cogs = _numeric_column(tx, cost_column, what, nonnegative=True)
    else:
        cogs = (1.0 - margin_rate) * revenue
    serve = _numeric_column(tx, cost_to_serve_column, what, nonnegative=True) if cost_to_serve_column else 0.0
    work = pd.DataFrame(
        {
            "customer": tx[customer_column].to_numpy(),
            "revenue": revenue,
            "cost_of_goods": cogs,
            "serve_col": np.broadcast_to(serve, revenue.shape).astype("float64"),
            "date": dates.loc[keep].to_numpy(),
        }
    )
    if order_unit == "day":
        work["day"] = dates.loc[keep].dt.normalize().to_numpy()
    g = work.groupby("customer", sort=True)
    out = g[["revenue", "cost_of_goods", "serve_col"]].sum()
    out["orders"] = g["day"].nunique() if order_unit == "day" else g.size()
    out["first_purchase"] = g["date"].min()
    out["last_purchase"] = g["date"].max()
    out.index.name = customer_column

    n_contacts = pd.Series(0.0, index=out.index)
    if contacts is not None:
        c = pd.Series(contacts, dtype="float64")
        if c.isna().any() or (c < 0).any():
            raise DataError(
                f"{what}: contacts must be non-negative counts; customers "
                f"{list(c.index[c.isna() | (c < 0)][:5])} are not"
            )
        if c.index.duplicated().any():
            raise DataError(f"{what}: contacts lists customers twice: {list(c.index[c.index.duplicated()][:5])}")
        full = out.index.union(c.index)
        dates_kept = out[["first_purchase", "last_purchase"]].reindex(full)
        out = out.drop(columns=["first_purchase", "last_purchase"]).reindex(full, fill_value=0.0)
        out[["first_purchase", "last_purchase"]] = dates_kept
        out.index.name = customer_column
        n_contacts = c.reindex(out.index, fill_value=0.0)
    if out.empty:
        raise DataError(f"{what}: no transactions between {lo.date()} and {hi.date()}")

    result = pd.DataFrame(index=out.index)
    result["orders"] = out["orders"].astype("int64")
    result["revenue"] = out["revenue"].astype("float64")
    result["cost_of_goods"] = out["cost_of_goods"].astype("float64")
    result["gross_margin"] = result["revenue"] - result["cost_of_goods"]
    result["cost_to_serve"] = per_order * result["orders"] + per_contact * n_contacts + out["serve_col"]
    result["profit"] = result["gross_margin"] - result["cost_to_serve"]
    result["first_purchase"] = out["first_purchase"].astype("datetime64[ns]")
    result["last_purchase"] = out["last_purchase"].astype("datetime64[ns]")
    return result


def profit_panel(
    transactions: pd.DataFrame,
    windows: dict[str, tuple[str | pd.Timestamp, str | pd.Timestamp]],
    *,
    customer_column: str = "customer_id",
    **kwargs: Any,
) -> pd.DataFrame:
    """Profit per customer and window, one row per customer and window (a panel).

    Every customer seen in any window gets a row for every window; a window
    without purchases gives zero orders, revenue and profit (and no cost to
    serve unless ``contacts`` say otherwise). Suited to tier migration and to
    :func:`difference_in_differences` (units = customers, periods = windows).

    Parameters
    ----------
    windows : ``{label: (start, end)}``, dates inclusive, in time order.
    **kwargs : passed to :func:`customer_profit` (``margin_rate``,
        ``cost_to_serve_per_order``, ...).

    Returns
    -------
    DataFrame with ``customer_column``, ``window`` (label), ``window_index``
    (0, 1, ...) and the columns of :func:`customer_profit`.
    """
    if not windows:
        raise DataError("profit_panel: give at least one window {label: (start, end)}")
    parts = {}
    for label, (lo, hi) in windows.items():
        try:
            parts[label] = customer_profit(transactions, start=lo, end=hi, customer_column=customer_column, **kwargs)
        except DataError as exc:
            if "no transactions between" not in str(exc):
                raise
            parts[label] = None
    customers = pd.Index([])
    for frame in parts.values():
        if frame is not None:
            customers = customers.union(frame.index)
    if customers.empty:
        raise DataError("profit_panel: no transactions in any window")
    rows = []
    for k, (label, frame) in enumerate(parts.items()):
        template = (
            frame
            if frame is not None
            else pd.DataFrame(
                columns=[
                    "orders",
                    "revenue",
                    "cost_of_goods",
                    "gross_margin",
                    "cost_to_serve",
                    "profit",
                    "first_purchase",
                    "last_purchase",
                ]
            )
        )
        f = template.reindex(customers)
        num = ["orders", "revenue", "cost_of_goods", "gross_margin", "cost_to_serve", "profit"]
        f[num] = f[num].astype("float64").fillna(0.0)
        f["orders"] = f["orders"].astype("int64")
        f.insert(0, "window_index", k)
        f.insert(0, "window", label)
        f.index.name = customer_column
        rows.append(f.reset_index())
    return pd.concat(rows, ignore_index=True)


def whale_curve(profit: pd.Series | np.ndarray) -> pd.DataFrame:
    """The whale curve: cumulative profit against customers ranked by profit.

    Customers are sorted from the most to the least profitable; point *k*
    gives the share of customers ``100 k / n`` and the cumulative profit of
    the first *k* as a percentage of total profit (Kaplan & Narayanan 2001,
    the whale curve figure). The curve rises above 100 % when some customers lose money and
    ends at 100 %; its peak is the profit the firm would make without its
    unprofitable customers (before any fixed-cost effects).

    Parameters
    ----------
    profit : profit per customer (currency units). Total profit must be
        positive (the percentages are of the total).

    Returns
    -------
    DataFrame with ``n + 1`` rows (the origin first) and columns ``rank``
    (0..n), ``customer_pct`` (percent of customers), ``profit`` (the
    customer's profit; 0 at the origin), ``cumulative_profit`` (currency
    units) and ``cumulative_profit_pct`` (percent of total profit).
    """
    x = _profit_values(profit, "whale_curve")
    total = x.sum()
    if total <= 0:
        raise DataError(
            f"whale_curve: total profit is {total:,.2f}, not positive; cumulative profit as a "
            "percentage of the total is undefined"
        )
    xs = np.sort(x)[::-1]
    n = xs.size
    cum = np.concatenate([[0.0], np.cumsum(xs)])
    return pd.DataFrame(
        {
            "rank": np.arange(n + 1, dtype="int64"),
            "customer_pct": 100.0 * np.arange(n + 1) / n,
            "profit": np.concatenate([[0.0], xs]),
            "cumulative_profit": cum,
            "cumulative_profit_pct": 100.0 * cum / total,
        }
    )


def gini(values: pd.Series | np.ndarray) -> float:
    """Gini coefficient of a distribution of profit (or revenue, or value).

    ``G = sum_i sum_j |x_i - x_j| / (2 n^2 mean(x))``, computed in O(n log n)
    as ``G = 2 sum_i i x_(i) / (n sum x) - (n + 1) / n`` with ``x_(1) <= ... <= x_(n)``
    (the mean-difference form of the Gini coefficient, with the population
    normalisation 1/n^2). 0 means equal profit for every customer; with
    non-negative values G < 1. With losses (negative values) the same formula
    is used; it can then exceed 1 (Chen, Tsaur & Rhai 1982, Econometrica
    50(4)). Following De Battisti, Porro & Vernizzi (2019, Electronic Journal
    of Applied Statistical Analysis 12(1), 85-107) the standard G is kept
    rather than renormalised: with losses read it as a relative measure of
    variability, together with the share of unprofitable customers.

    Raises
    ------
    DataError : if the total is not positive.
    """
    x = _profit_values(values, "gini")
    total = x.sum()
    if total <= 0:
        raise DataError(f"gini: the total is {total:,.2f}, not positive; the Gini coefficient is undefined")
    xs = np.sort(x)
    n = xs.size
    i = np.arange(1, n + 1, dtype="float64")
    return float(2.0 * np.sum(i * xs) / (n * total) - (n + 1.0) / n)


def concentration(profit: pd.Series | np.ndarray, top: tuple[float, ...] = (0.10, 0.20)) -> pd.Series:
    """Concentration figures of customer profit.

    Parameters
    ----------
    profit : profit per customer (currency units), total positive.
    top : shares of customers (fractions) whose share of total profit is
        reported. The top ``q`` are the ``ceil(q n)`` most profitable customers.

    Returns
    -------
    Series with ``n_customers``, ``total_profit`` (currency units),
    ``share_unprofitable`` (fraction with profit < 0), ``share_no_profit``
    (fraction with profit <= 0), ``top_<p>pct_share`` for each ``top``
    (fraction of total profit), ``whale_peak_pct`` (peak of the whale curve,
    percent of total profit), ``whale_peak_customer_pct`` (percent of
    customers at the peak) and ``gini``.

    The peak of the whale curve and the share of unprofitable customers
    follow Kaplan & Narayanan (2001); the Gini coefficient is :func:`gini`.
    """
    x = _profit_values(profit, "concentration")
    n = x.size
    curve = whale_curve(x)
    total = float(x.sum())
    out: dict[str, float] = {
        "n_customers": float(n),
        "total_profit": total,
        "share_unprofitable": float(np.mean(x < 0)),
        "share_no_profit": float(np.mean(x <= 0)),
    }
    cum = curve["cumulative_profit"].to_numpy()
    for q in top:
        q = _check_rate("top share", q)
        k = int(np.ceil(q * n - 1e-9))
        out[f"top_{100 * q:g}pct_share"] = float(cum[k] / total)
    peak = int(np.argmax(curve["cumulative_profit_pct"].to_numpy()))
    out["whale_peak_pct"] = float(curve["cumulative_profit_pct"].iloc[peak])
    out["whale_peak_customer_pct"] = float(curve["customer_pct"].iloc[peak])
    out["gini"] = gini(x)
    s = pd.Series(out, name="value")
    s.index.name = "measure"
    return s


def plot_whale_curve(curve: pd.DataFrame, ax=None, *, label: str | None = None, mark_peak: bool = True):
    """Draw a whale curve (from :func:`whale_curve`); returns the axes.

    The x axis is the percentage of customers ranked from most to least
    profitable, the y axis cumulative profit as a percentage of total profit;
    a dashed line marks 100 % (the whale curve of Kaplan & Narayanan 2001).
    """
    import matplotlib.pyplot as plt

    from .style import label_axes

    for col in ("customer_pct", "cumulative_profit_pct"):
        if col not in curve.columns:
            raise DataError(f"plot_whale_curve: column {col!r} missing; pass the result of whale_curve()")
    if ax is None:
        _, ax = plt.subplots()
    ax.plot(curve["customer_pct"], curve["cumulative_profit_pct"], label=label)
    ax.axhline(100.0, color="grey", linestyle="--", linewidth=1)
    if mark_peak:
        i = int(np.argmax(curve["cumulative_profit_pct"].to_numpy()))
        px, py = curve["customer_pct"].iloc[i], curve["cumulative_profit_pct"].iloc[i]
        ax.plot([px], [py], "o", color="black")
        right = px > 50
        ax.annotate(
            f"peak {py:.1f}% at {px:.0f}% of customers",
            (px, py),
            textcoords="offset points",
            xytext=(-8 if right else 8, -22),
            ha="right" if right else "left",
            va="top",
        )
    ax.set_xlim(0, 100)
    label_axes(ax, "Customers ranked by profit, most profitable first (%)", "Cumulative profit (% of total)")
    return ax


# --------------------------------------------------------------------------------------------
# programme evaluation: cost-benefit, ROI, payback
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeEvaluation:
    """Result of :func:`evaluate_programme`.

    Attributes
    ----------
    by_period : one row per period with ``cost``, ``revenue``, ``net``,
        ``discount_factor``, ``pv_cost``, ``pv_revenue``, ``pv_net`` and
        ``cumulative_pv_net`` (currency units).
    total_cost, total_revenue : present values of all costs and revenues.
    net_benefit : ``total_revenue - total_cost`` (the net present value).
    benefit_cost_ratio : ``total_revenue / total_cost``.
    roi : ``(total_revenue - total_cost) / total_cost`` (a fraction).
    payback_period : periods until the cumulative (discounted) net first
        reaches zero, interpolated linearly within the period; ``None`` when
        the programme does not pay back within the lines given.
    discount_rate : per period.
    """

    by_period: pd.DataFrame
    total_cost: float
    total_revenue: float
    net_benefit: float
    benefit_cost_ratio: float
    roi: float
    payback_period: float | None
    discount_rate: float

    def summary(self) -> pd.DataFrame:
        """The headline figures as a one-column DataFrame (payback ``inf`` = not paid back within the lines)."""
        rows = {
            "total cost (present value)": self.total_cost,
            "total revenue (present value)": self.total_revenue,
            "net benefit (NPV)": self.net_benefit,
            "benefit-cost ratio (revenue / cost)": self.benefit_cost_ratio,
            "ROI ((revenue - cost) / cost)": self.roi,
            # inf: not paid back within the periods given
            "payback period (periods)": np.inf if self.payback_period is None else self.payback_period,
            "discount rate per period": self.discount_rate,
        }
        return pd.DataFrame({"value": pd.Series(rows, dtype="float64")})


def evaluate_programme(
    lines: pd.DataFrame,
    *,
    discount_rate: float = 0.0,
    kind_column: str = "kind",
    amount_column: str = "amount",
    period_column: str | None = "period",
) -> ProgrammeEvaluation:
    """Cost-benefit ratio, ROI, NPV and payback period of a programme.

    Parameters
    ----------
    lines : one row per cost or revenue line: ``kind_column`` ("cost" or
        "revenue"), ``amount_column`` (currency units, >= 0) and optionally
        ``period_column`` (integer period, 0 = the start; the column may be
        absent, then every line is in period 0). Other columns (e.g. an
        ``item`` name) are ignored.
    discount_rate : per period, >= 0. Period *t* is discounted by
        ``(1 + d)^-t`` (period 0 undiscounted).

    Returns
    -------
    :class:`ProgrammeEvaluation`. The benefit-cost ratio is total revenue
    over total cost (the definition the S-company thesis prints under its
    Table 4), ROI is net benefit over cost, and the payback period is
    ``(t - 1) + (-C_{t-1}) / net_t`` for the first period *t* whose
    cumulative net ``C_t`` is >= 0 (0 when period 0 already pays back).

    Notes
    -----
    Ratios of totals say nothing about what the programme *caused*; for that
    compare with a control group (:func:`difference_in_differences`).
    """
    what = "evaluate_programme"
    if not isinstance(lines, pd.DataFrame) or lines.empty:
        raise DataError(f"{what}: lines must be a non-empty DataFrame of cost and revenue lines")
    _require_columns(lines, {"kind": kind_column, "amount": amount_column}, what)
    d = _check_nonnegative("discount_rate", discount_rate)
    kind = lines[kind_column].astype(str).str.strip().str.lower()
    bad = ~kind.isin(["cost", "revenue"])
    if bad.any():
        raise DataError(
            f"{what}: column {kind_column!r} must be 'cost' or 'revenue'; rows "
            f"{list(lines.index[bad.to_numpy()][:5])} hold {sorted(set(lines.loc[bad, kind_column].astype(str)))[:5]}"
        )
    amount = _numeric_column(lines, amount_column, what, nonnegative=True)
    if period_column is not None and period_column in lines.columns:
        period = pd.to_numeric(lines[period_column], errors="coerce").to_numpy(dtype="float64")
        badp = ~np.isfinite(period) | (period < 0) | (period != np.floor(period))
        if badp.any():
            raise DataError(
                f"{what}: column {period_column!r} must hold whole periods >= 0; rows "
                f"{list(lines.index[badp][:5])} do not"
            )
        period = period.astype("int64")
    else:
        period = np.zeros(len(lines), dtype="int64")
    n_per = int(period.max()) + 1
    is_cost = (kind == "cost").to_numpy()
    cost = np.bincount(period, weights=np.where(is_cost, amount, 0.0), minlength=n_per)
    revenue = np.bincount(period, weights=np.where(is_cost, 0.0, amount), minlength=n_per)
    t = np.arange(n_per)
    factor = (1.0 + d) ** (-t.astype("float64"))
    pv_net = (revenue - cost) * factor
    cum = np.cumsum(pv_net)
    by_period = pd.DataFrame(
        {
            "cost": cost,
            "revenue": revenue,
            "net": revenue - cost,
            "discount_factor": factor,
            "pv_cost": cost * factor,
            "pv_revenue": revenue * factor,
            "pv_net": pv_net,
            "cumulative_pv_net": cum,
        },
        index=pd.Index(t, name="period"),
    )
    total_cost = float(by_period["pv_cost"].sum())
    total_revenue = float(by_period["pv_revenue"].sum())
    if total_cost <= 0:
        raise DataError(f"{what}: total cost is {total_cost:g}; the benefit-cost ratio and ROI need a positive cost")
    scale = max(total_cost, total_revenue)
    reached = np.flatnonzero(cum >= -1e-12 * scale)  # tolerate rounding at an exact break-even
    payback: float | None
    if reached.size == 0:
        payback = None
    elif reached[0] == 0:
        payback = 0.0
    else:
        k = int(reached[0])
        payback = float(k - 1 + (-cum[k - 1]) / pv_net[k])
    return ProgrammeEvaluation(
        by_period=by_period,
        total_cost=total_cost,
        total_revenue=total_revenue,
        net_benefit=total_revenue - total_cost,
        benefit_cost_ratio=total_revenue / total_cost,
        roi=(total_revenue - total_cost) / total_cost,
        payback_period=payback,
        discount_rate=d,
    )


# --------------------------------------------------------------------------------------------
# programme evaluation: difference-in-differences (unit-level data)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiDResult:
    """Result of :func:`difference_in_differences`.

    Attributes
    ----------
    estimate : the difference-in-differences (coefficient of treated x post),
        in the outcome's units.
    std_error, ci_low, ci_high, p_value : its standard error, the
        ``1 - alpha`` confidence interval and the two-sided p-value under
        ``cov_type``.
    cell_means : 2 x 2 table of outcome means (rows: control / treated;
        columns: pre / post) with the differences.
    n_obs, n_clusters : observations and clusters (``None`` without clusters).
    results : the statsmodels ``RegressionResults`` (``.summary()`` etc.).
    """

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    alpha: float
    cov_type: str
    n_obs: int
    n_clusters: int | None
    cell_means: pd.DataFrame
    results: Any = field(repr=False)

    def summary(self) -> pd.DataFrame:
        """One row: estimate, standard error, confidence interval, p-value, N."""
        return pd.DataFrame(
            [
                {
                    "estimate": self.estimate,
                    "std_error": self.std_error,
                    f"ci_low ({1 - self.alpha:.0%})": self.ci_low,
                    f"ci_high ({1 - self.alpha:.0%})": self.ci_high,
                    "p_value": self.p_value,
                    "n_obs": self.n_obs,
                    "n_clusters": self.n_clusters if self.n_clusters is not None else np.nan,
                    "cov_type": self.cov_type,
                }
            ],
            index=pd.Index(["treated x post"], name="term"),
        )


def _binary(frame: pd.DataFrame, col: str, what: str) -> np.ndarray:
    raw = frame[col]
    if raw.dtype == bool:
        return raw.to_numpy().astype("float64")
    v = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64")
    bad = ~np.isin(v, [0.0, 1.0])
    if bad.any():
        raise DataError(
            f"{what}: column {col!r} must be 0/1 (or boolean); {int(bad.sum())} rows are not "
            f"(rows {list(frame.index[bad][:5])})"
        )
    return v


def difference_in_differences(
    data: pd.DataFrame,
    outcome: str,
    treated: str,
    post: str,
    *,
    cluster: str | None = None,
    covariates: list[str] | None = None,
    cov_type: Literal["cluster", "HC0", "HC1", "HC2", "HC3", "nonrobust"] | None = None,
    alpha: float = 0.05,
) -> DiDResult:
    """Difference-in-differences estimate of a programme effect, with a confidence interval.

    Fits by OLS (statsmodels)::

        y = b0 + b1 treated + b2 post + delta (treated x post) [+ covariates] + e

    and reports ``delta`` (Angrist & Pischke 2009, section 5.2). Without
    covariates ``delta`` equals the difference of the four cell means,
    ``(ybar_T,post - ybar_T,pre) - (ybar_C,post - ybar_C,pre)``.

    Parameters
    ----------
    data : unit-level data, one row per unit and period (e.g. store-month
        profit rates, customer-quarter profits).
    outcome : the outcome column (numeric).
    treated, post : 0/1 columns: the unit is in the programme group; the
        period is after the programme started.
    cluster : a column of cluster ids (usually the unit id) for
        cluster-robust standard errors (Cameron & Miller 2015; statsmodels'
        CR1 small-sample correction ``G/(G-1) (N-1)/(N-K)``).
    covariates : further numeric columns to adjust for.
    cov_type : ``"cluster"`` (default when ``cluster`` is given), ``"HC1"``
        (default otherwise), ``"HC0"``, ``"HC2"``, ``"HC3"`` or ``"nonrobust"``.
    alpha : 1 - confidence level.

    Raises
    ------
    DataError : a missing column, a non-0/1 indicator, an empty cell of the
        2 x 2 design, missing outcomes, collinear regressors, no residual
        degrees of freedom, or a single cluster.
    ConvergenceError : a standard error that is not a positive finite number.
    """
    import statsmodels.api as sm

    what = "difference_in_differences"
    covariates = list(covariates or [])
    _require_columns(
        data,
        {
            "outcome": outcome,
            "treated": treated,
            "post": post,
            "cluster": cluster,
            **{f"covariate {i + 1}": c for i, c in enumerate(covariates)},
        },
        what,
    )
    alpha = _check_rate("alpha", alpha)
    if not 0 < alpha < 1:
        raise DataError(f"alpha must lie strictly between 0 and 1, got {alpha}")
    if cov_type is None:
        cov_type = "cluster" if cluster is not None else "HC1"
    if cov_type == "cluster" and cluster is None:
        raise DataError(f"{what}: cov_type='cluster' needs the `cluster` column")
    if cov_type not in ("cluster", "HC0", "HC1", "HC2", "HC3", "nonrobust"):
        raise DataError(f"{what}: unknown cov_type {cov_type!r}")
    y = _numeric_column(data, outcome, what)
    tr = _binary(data, treated, what)
    po = _binary(data, post, what)
    for (t_val, p_val), name in {
        (0, 0): "control, pre",
        (0, 1): "control, post",
        (1, 0): "treated, pre",
        (1, 1): "treated, post",
    }.items():
        if not np.any((tr == t_val) & (po == p_val)):
            raise DataError(
                f"{what}: the cell '{name}' ({treated}={t_val}, {post}={p_val}) has no rows; "
                "a difference-in-differences needs all four cells"
            )
    names = ["const", treated, post, f"{treated}:{post}"] + covariates
    cols = [np.ones_like(y), tr, po, tr * po] + [_numeric_column(data, c, what) for c in covariates]
    X = pd.DataFrame(dict(zip(names, cols)), columns=names)
    if len(set(names)) != len(names):
        raise DataError(f"{what}: the columns {names[1:]} must be distinct")
    rank = int(np.linalg.matrix_rank(X.to_numpy()))
    if rank < X.shape[1]:
        raise DataError(
            f"{what}: the regressors {names[1:]} are collinear (rank {rank} of {X.shape[1]}); "
            "drop the covariate(s) that repeat the treated/post indicators or each other"
        )
    if len(y) <= X.shape[1]:
        raise DataError(
            f"{what}: {len(y)} rows for {X.shape[1]} coefficients leave no residual degrees of freedom; "
            "a standard error needs more rows"
        )
    model = sm.OLS(pd.Series(y, name=outcome), X)
    if cov_type == "cluster":
        groups = pd.factorize(data[cluster])[0]
        if (groups < 0).any():
            raise DataError(f"{what}: column {cluster!r} is missing in {int((groups < 0).sum())} rows")
        if groups.max() < 1:
            raise DataError(f"{what}: column {cluster!r} holds a single cluster; cluster-robust errors need at least 2")
        res = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        n_clusters: int | None = int(groups.max()) + 1
    else:
        res = model.fit(cov_type=cov_type)
        n_clusters = None
    j = 3
    if not np.isfinite(res.bse.iloc[j]) or res.bse.iloc[j] <= 0:
        raise ConvergenceError(
            f"{what}: the standard error of the treated x post effect is {float(res.bse.iloc[j])} under "
            f"cov_type={cov_type!r} (a cell with a single row has leverage 1 under HC2/HC3); no interval reported"
        )
    ci = np.asarray(res.conf_int(alpha=alpha))[j]
    means = pd.DataFrame(
        {
            "pre": [y[(tr == 0) & (po == 0)].mean(), y[(tr == 1) & (po == 0)].mean()],
            "post": [y[(tr == 0) & (po == 1)].mean(), y[(tr == 1) & (po == 1)].mean()],
        },
        index=pd.Index(["control", "treated"], name="group"),
    )
    means["post - pre"] = means["post"] - means["pre"]
    means.loc["treated - control"] = means.loc["treated"] - means.loc["control"]
    return DiDResult(
        estimate=float(res.params.iloc[j]),
        std_error=float(res.bse.iloc[j]),
        ci_low=float(ci[0]),
        ci_high=float(ci[1]),
        p_value=float(res.pvalues.iloc[j]),
        alpha=alpha,
        cov_type=cov_type,
        n_obs=int(len(y)),
        n_clusters=n_clusters,
        cell_means=means,
        results=res,
    )


# --------------------------------------------------------------------------------------------
# programme evaluation: aggregate-only (published) with/without tables
# --------------------------------------------------------------------------------------------

DESCRIPTIVE_NOTE = (
    "Descriptive comparison of published aggregates: the table gives one figure per cell and no unit-level data, "
    "counts or variances, so no standard error, confidence interval or test is possible, and nothing here shows "
    "that the programme caused the differences."
)


@dataclass(frozen=True)
class WithWithoutTable:
    """Result of :func:`with_without_table`: a plain table and what it can (not) show.

    Attributes
    ----------
    table : one row per condition with ``with``, ``without`` and
        ``difference`` (with - without), plus a last row ``difference of
        differences`` (first condition minus second) when there are two
        conditions.
    kind : always ``"descriptive"`` (no inference possible).
    note : the sentence to print under the table.
    """

    table: pd.DataFrame
    kind: str
    note: str


def with_without_table(
    values: pd.DataFrame, *, with_column: str = "with", without_column: str = "without"
) -> WithWithoutTable:
    """Lay out published with/without-programme aggregates across conditions.

    Parameters
    ----------
    values : one row per condition (index, e.g. "boom", "recession") with
        the programme (``with_column``) and without it (``without_column``),
        in the published unit (e.g. percent profit rate).

    Returns
    -------
    :class:`WithWithoutTable` (``kind="descriptive"``). With two conditions
    the last row is the difference of the two differences, the aggregate
    analogue of a difference-in-differences, but without any measure of
    uncertainty.
    """
    _require_columns(values, {"with": with_column, "without": without_column}, "with_without_table")
    w = _numeric_column(values, with_column, "with_without_table")
    wo = _numeric_column(values, without_column, "with_without_table")
    table = pd.DataFrame({"with": w, "without": wo, "difference": w - wo}, index=values.index.astype(str))
    table.index.name = values.index.name or "condition"
    if len(table) == 2:
        a, b = table.index
        table.loc["difference of differences"] = [
            np.nan,
            np.nan,
            table.loc[a, "difference"] - table.loc[b, "difference"],
        ]
    return WithWithoutTable(table=table, kind="descriptive", note=DESCRIPTIVE_NOTE)


def thesis_profit_rate_table(tables: pd.DataFrame | None = None) -> WithWithoutTable:
    """Table 2 of the S-company thesis (profit rate with / without CRM, boom and recession) as printed.

    Reads the ``table2`` rows of :func:`crmlib.datasets.load_thesis_tables`
    (conditions ``boom_with_crm`` etc., percent) and returns
    :func:`with_without_table` of them: a descriptive table, since the thesis
    gives no counts or years behind its four cells.
    """
    if tables is None:
        from .datasets import load_thesis_tables

        tables = load_thesis_tables()
    t2 = tables.loc[(tables["table"] == "table2") & (tables["item"] == "profit_rate")]
    parts = t2["condition"].str.extract(r"^(?P<state>[a-z]+)_(?P<arm>with|without)_crm$")
    if parts.isna().any().any() or len(t2) != 4:
        raise DataError(
            f"thesis Table 2: expected 4 profit_rate rows named <state>_with[out]_crm, found {list(t2['condition'])}"
        )
    wide = pd.DataFrame(
        {"state": parts["state"].to_numpy(), "arm": parts["arm"].to_numpy(), "value": t2["value"].to_numpy()}
    ).pivot(index="state", columns="arm", values="value")
    order = [s for s in ("boom", "recession") if s in wide.index] + [
        s for s in wide.index if s not in ("boom", "recession")
    ]
    wide = wide.loc[order]
    wide.index.name = "industry condition"
    return with_without_table(wide)
