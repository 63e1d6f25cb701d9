"""Customer profitability: profit per customer, the whale curve and the concentration of profit.

:func:`customer_profit` turns a transaction log into profit per customer over a
window: revenue, cost of goods (a margin share or a cost column), cost to
serve (per order, per contact, or a column) and profit; returns (negative
amounts) follow an explicit policy and are counted. :func:`profit_panel` gives
the same per customer and window (a panel). :func:`whale_curve`,
:func:`concentration` and :func:`gini` describe how profit is spread over
customers (Kaplan & Narayanan 2001); :func:`concentration_sensitivity` shows how
those figures move with the assumed margin and cost to serve;
:func:`plot_whale_curve` draws the curve; :func:`log_frame` reads a log once
(any file, through :func:`crmlib.transactions.read_log`) for all of them.

The evaluation of programmes (cost-benefit, ROI, payback, difference-in-differences,
with/without tables) is in :mod:`crmlib.programme`.

References
----------
Kaplan, R. S. & Narayanan, V. G. (2001). Measuring and managing customer
    profitability. *Journal of Cost Management* 15(5), 5-15.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._checks import check_choice, check_nonnegative, check_probability, numeric_column, require_columns, rows_text
from .exceptions import DataError, DataWarning

__all__ = [
    "customer_profit",
    "profit_panel",
    "whale_curve",
    "concentration",
    "concentration_sensitivity",
    "margin_per_purchase_period",
    "log_frame",
    "gini",
    "plot_whale_curve",
]

PROFIT_COLUMNS = [
    "orders",
    "returns",
    "revenue",
    "cost_of_goods",
    "gross_margin",
    "cost_to_serve",
    "profit",
    "first_purchase",
    "last_purchase",
]


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
    log: pd.DataFrame,
    *,
    margin_share: float | None = None,
    cost_of_goods: str | None = None,
    cost_to_serve_per_order: float = 0.0,
    cost_to_serve_per_contact: float = 0.0,
    contacts: pd.Series | None = None,
    cost_to_serve: str | None = None,
    observation_start: str | pd.Timestamp | None = None,
    observation_end: str | pd.Timestamp | None = None,
    order_unit: Literal["row", "day"] = "row",
    on_negative: Literal["error", "exclude", "keep"] = "error",
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    date_format: str | None = None,
) -> pd.DataFrame:
    """Profit per customer over a window, from a transaction log.

    For customer *i* over the window (Kaplan & Narayanan 2001, the
    activity-based customer profit and loss)::

        revenue_i       = sum of amounts (returns net into it under on_negative="keep")
        cost_of_goods_i = (1 - margin_share) * revenue_i      or the sum of the ``cost_of_goods`` column
        gross_margin_i  = revenue_i - cost_of_goods_i
        cost_to_serve_i = per_order * orders_i + per_contact * contacts_i + sum of the ``cost_to_serve`` column
        profit_i        = gross_margin_i - cost_to_serve_i

    Parameters
    ----------
    log : one row per transaction with the columns ``customer_id``,
        ``date`` (dates) and ``amount`` (revenue, currency units, e.g. USD for CDNOW):
        a pandas DataFrame, or anything :func:`crmlib.transactions.read_log`
        reads (a file, a table; then without cost columns). Dates and amounts
        are read by that one intake (``date_format`` as there).
    margin_share : gross margin as a share of revenue, in [0, 1]. Give
        exactly one of ``margin_share`` and ``cost_of_goods``.
    cost_of_goods : a column holding the cost of goods of each transaction
        (currency units, >= 0).
    cost_to_serve_per_order : cost of handling one order (currency units per
        order; an order is a row, or a customer-day with ``order_unit="day"``).
    cost_to_serve_per_contact : cost of one contact (mailing, call, visit),
        multiplied by ``contacts``.
    contacts : number of contacts per customer in the window (a Series
        indexed by customer id). Contacted customers without a purchase in
        the window are kept, with zero revenue and a loss.
    cost_to_serve : a column holding a per-transaction cost to serve (currency units, >= 0).
    observation_start, observation_end : the window, both inclusive (dates).
        ``None``: the first / last date of the log.
    order_unit : ``"row"`` (each purchase row is an order) or ``"day"`` (all
        purchase rows of a customer on one day are one order).
    on_negative : rows with a negative amount are returns, not orders:
        ``"error"`` (default) refuses them naming the rows; ``"exclude"``
        drops them (with a :class:`~crmlib.exceptions.DataWarning` giving
        their count); ``"keep"`` nets their amount into revenue (and, with
        ``margin_share``, into the cost of goods), counts them in the column
        ``returns`` and never as an order, and warns with their count.
    customer_id, date, amount : column names.
    date_format : strptime format of text dates, as in :func:`crmlib.transactions.read_log`.

    Returns
    -------
    DataFrame indexed by customer id, columns ``orders`` and ``returns``
    (int64), ``revenue``, ``cost_of_goods``, ``gross_margin``,
    ``cost_to_serve`` and ``profit`` (float64, currency units),
    ``first_purchase`` and ``last_purchase`` (datetime; NaT for a contacted
    customer without a purchase), sorted by customer id. ``attrs`` hold
    ``returns`` (rows with a negative amount in the window) and the policy.
    """
    what = "customer_profit"
    if (margin_share is None) == (cost_of_goods is None):
        raise DataError(
            f"{what}: give exactly one of margin_share (a share of revenue) and cost_of_goods (a column) "
            f"(got margin_share={margin_share!r}, cost_of_goods={cost_of_goods!r})"
        )
    if margin_share is not None:
        margin_share = check_probability(margin_share, "margin_share")
    per_order = check_nonnegative(cost_to_serve_per_order, "cost_to_serve_per_order")
    per_contact = check_nonnegative(cost_to_serve_per_contact, "cost_to_serve_per_contact")
    if per_contact > 0 and contacts is None:
        raise DataError(
            f"{what}: cost_to_serve_per_contact={per_contact:g} needs `contacts` "
            "(contacts per customer, a Series indexed by customer id)"
        )
    check_choice(order_unit, "order_unit", ("row", "day"))
    check_choice(on_negative, "on_negative", ("error", "exclude", "keep"))

    log = _log_rows(log, customer_id, date, amount, [cost_of_goods, cost_to_serve], date_format)
    dates = log[date]
    lo = pd.Timestamp(observation_start) if observation_start is not None else dates.min()
    hi = pd.Timestamp(observation_end) if observation_end is not None else dates.max()
    if lo > hi:
        raise DataError(f"{what}: observation_start {lo.date()} is after observation_end {hi.date()}")
    keep = ((dates >= lo) & (dates <= hi)).to_numpy()
    tx = log.loc[keep]
    missing = tx[customer_id].isna().to_numpy()
    if missing.any():
        raise DataError(f"{what}: column {customer_id!r} is missing in {rows_text(missing, tx.index)}")

    revenue = numeric_column(tx, amount, what)
    negative = revenue < 0
    if negative.any():
        text = f"column {amount!r} is negative (a return, not an order) in {rows_text(negative, tx.index)}"
        if on_negative == "error":
            raise DataError(
                f"{what}: {text}; choose on_negative='exclude' (drop the returns) or 'keep' (net them into "
                "revenue, counted in the column 'returns', never as orders)"
            )
        warnings.warn(
            f"{what}: {text}; "
            + ("excluded" if on_negative == "exclude" else "netted into revenue and counted in 'returns'"),
            DataWarning,
            stacklevel=2,
        )
        if on_negative == "exclude":
            tx, revenue, keep_rows = tx.loc[~negative], revenue[~negative], ~negative
            dates_in = dates.loc[keep].loc[keep_rows]
            negative = np.zeros(len(tx), dtype=bool)
        else:
            dates_in = dates.loc[keep]
    else:
        dates_in = dates.loc[keep]
    if cost_of_goods is not None:
        cogs = numeric_column(tx, cost_of_goods, what, nonnegative=True)
    else:
        assert margin_share is not None  # exactly one of margin_share and cost_of_goods is given (checked above)
        cogs = (1.0 - margin_share) * revenue
    serve = numeric_column(tx, cost_to_serve, what, nonnegative=True) if cost_to_serve else 0.0
    work = pd.DataFrame(
        {
            "customer": tx[customer_id].to_numpy(),
            "revenue": revenue,
            "cost_of_goods": cogs,
            "serve_col": np.broadcast_to(serve, revenue.shape).astype("float64"),
            "date": dates_in.to_numpy(),
            "purchase": ~negative,
            "return": negative,
        }
    )
    work["day"] = work["date"].dt.normalize().where(work["purchase"])
    g = work.groupby("customer", sort=True)
    out = g[["revenue", "cost_of_goods", "serve_col"]].sum()
    out["orders"] = g["day"].nunique() if order_unit == "day" else g["purchase"].sum()
    out["returns"] = g["return"].sum()
    bought = work["date"].where(work["purchase"]).groupby(work["customer"], sort=True)
    out["first_purchase"] = bought.min()
    out["last_purchase"] = bought.max()
    out.index.name = customer_id

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
        out.index.name = customer_id
        n_contacts = c.reindex(out.index, fill_value=0.0)
    if out.empty:
        raise DataError(f"{what}: no transactions between {lo.date()} and {hi.date()}")

    result = pd.DataFrame(index=out.index)
    result["orders"] = out["orders"].astype("int64")
    result["returns"] = out["returns"].astype("int64")
    result["revenue"] = out["revenue"].astype("float64")
    result["cost_of_goods"] = out["cost_of_goods"].astype("float64")
    result["gross_margin"] = result["revenue"] - result["cost_of_goods"]
    result["cost_to_serve"] = per_order * result["orders"] + per_contact * n_contacts + out["serve_col"]
    result["profit"] = result["gross_margin"] - result["cost_to_serve"]
    result["first_purchase"] = out["first_purchase"].astype("datetime64[ns]")
    result["last_purchase"] = out["last_purchase"].astype("datetime64[ns]")
    result.attrs.update({"returns": int(result["returns"].sum()), "on_negative": on_negative})
    return result


def profit_panel(
    log: pd.DataFrame,
    windows: dict[str, tuple[str | pd.Timestamp, str | pd.Timestamp]],
    *,
    customer_id: str = "customer_id",
    **kwargs: Any,
) -> pd.DataFrame:
    """Profit per customer and window, one row per customer and window (a panel).

    Every customer seen in any window gets a row for every window; a window
    without purchases gives zero orders, revenue and profit (and no cost to
    serve unless ``contacts`` say otherwise). Suited to tier migration and to
    :func:`crmlib.programme.difference_in_differences` (units = customers,
    periods = windows); the profit of each cell is that of
    :func:`customer_profit` (Kaplan & Narayanan 2001).

    Parameters
    ----------
    windows : ``{label: (observation_start, observation_end)}``, dates inclusive, in time order.
    **kwargs : passed to :func:`customer_profit` (``margin_share``,
        ``cost_to_serve_per_order``, ``date``, ``amount``, ...).

    Returns
    -------
    DataFrame with ``customer_id``, ``window`` (label), ``window_index``
    (0, 1, ...) and the columns of :func:`customer_profit` (currency units).
    """
    if not windows:
        raise DataError("profit_panel: give at least one window {label: (observation_start, observation_end)}")
    parts = {}
    for label, (lo, hi) in windows.items():
        try:
            parts[label] = customer_profit(
                log, observation_start=lo, observation_end=hi, customer_id=customer_id, **kwargs
            )
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
    num = ["orders", "returns", "revenue", "cost_of_goods", "gross_margin", "cost_to_serve", "profit"]
    for k, (label, frame) in enumerate(parts.items()):
        template = frame if frame is not None else pd.DataFrame(columns=PROFIT_COLUMNS)
        f = template.reindex(customers)
        f[num] = f[num].astype("float64").fillna(0.0)
        f[["orders", "returns"]] = f[["orders", "returns"]].astype("int64")
        f.insert(0, "window_index", k)
        f.insert(0, "window", label)
        f.index.name = customer_id
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
    """Gini coefficient of a distribution of profit (or revenue, or value), bounded in [0, 1].

    Without negative values it is the standard coefficient
    ``G = sum_i sum_j |x_i - x_j| / (2 n^2 mean(x))`` (population normalisation,
    computed in O(n log n) from the sorted values): 0 for equal profits, below 1.
    When some customers lose money the standard G exceeds 1 (it divides by a net
    total that losses shrink; 5.2 on CDNOW at 5 USD per order), so the normalisation of
    Raffinetti, Siletti & Vernizzi (2015) is used instead:
    ``G = sum_i sum_j |x_i - x_j| / (2 (n - 1) (T+ + T-))`` with ``T+`` the
    profits and ``T-`` the losses in absolute value. Its denominator is the largest
    mean difference the same gains and losses allow (all gains on one customer, all
    losses on another), so G stays in [0, 1] and reaches 1 there.

    References
    ----------
    Raffinetti, E., Siletti, E. & Vernizzi, A. (2015). On the Gini coefficient normalization
    when attributes with negative values are considered. *Statistical Methods & Applications*
    24(3), 507-521. Chen, Tsaur & Rhai (1982), *Econometrica* 50(4) (the problem).

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
    mean_difference_sum = 2.0 * (2.0 * np.sum(i * xs) - (n + 1.0) * total)  # sum_i sum_j |x_i - x_j|
    if xs[0] >= 0:
        return float(mean_difference_sum / (2.0 * n * total))
    return float(mean_difference_sum / (2.0 * (n - 1.0) * np.abs(xs).sum()))


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
    (fraction with profit <= 0), ``top_<p>pct_profit_pct`` for each ``top``
    (their profit as a percentage of total profit: above 100 when others lose money, the
    whale curve's reading), ``whale_peak_pct`` (peak of the whale curve,
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
        q = check_probability(q, "top")
        if q == 0:
            raise DataError("top must be a share of customers in (0, 1], got 0 (the top 0% hold nothing by definition)")
        k = int(np.ceil(q * n - 1e-9))
        out[f"top_{100 * q:g}pct_profit_pct"] = float(100.0 * cum[k] / total)
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


def _log_rows(
    transactions: Any,
    customer_id: str,
    date: str,
    amount: str | None,
    extra: list[str | None],
    date_format: str | None,
    **read_options: Any,
) -> pd.DataFrame:
    """The log's rows with dates and amounts read by the one intake (:func:`crmlib.transactions.read_log`).

    A pandas log keeps its index (rows are named by their labels) and its cost columns; a file or
    engine table is read whole (then no cost columns). Missing or unreadable dates are refused by row.
    """
    from .transactions import read_log

    extra = [c for c in extra if c is not None]
    opened = read_log(
        transactions, customer_id=customer_id, date=date, amount=amount, date_format=date_format, **read_options
    )
    with opened as log:
        if log.frame is not None:
            raw = log.raw if log.raw is not None else log.frame
            require_columns(raw, extra, "transaction log")
            keep = [customer_id, date] + ([amount] if amount is not None else [])
            rows = pd.DataFrame({c: log.frame[c] for c in keep}).set_axis(raw.index)
            given = log.frame.get("__crmlib_date_given")
            for c in extra:
                rows[c] = raw[c].to_numpy()
        elif extra:
            raise DataError(
                f"customer_profit: cost columns {extra} are read from a pandas DataFrame only; "
                "load the file into one (pandas.read_csv / read_parquet) and pass it"
            )
        else:
            names = {"cid": customer_id, "day": date} | ({"amount": amount} if amount is not None else {})
            typed = log.typed().select(*names, "date_given").execute()
            rows = typed[list(names)].rename(columns=names)
            rows[date] = rows[date].astype("datetime64[ns]")
            given = typed["date_given"].to_numpy()
    undated = rows[date].isna().to_numpy()
    if undated.any():
        kind = "not a date" if given is not None and np.asarray(given, dtype=bool)[undated].all() else "missing"
        raise DataError(f"customer_profit: column {date!r} is {kind} in {rows_text(undated, rows.index)}")
    rows[date] = rows[date].astype("datetime64[ns]")
    return rows


def log_frame(
    log: Any,
    *,
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str | None = "amount",
    date_format: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """A transaction log read once into pandas with crmlib's column names, for the functions of this module.

    Reads ``log`` with :func:`crmlib.transactions.read_log` (the one intake: any
    file, encoding, delimiter, Excel sheet or table, dates parsed by its rules)
    and returns its rows under the names :func:`customer_profit`,
    :func:`profit_panel` and :class:`crmlib.clv.formulas.RecencyMarkovChain`
    take by default, so that a report reads a file once and passes the frame on
    (Kaplan & Narayanan 2001 for the profit computed from it).

    Parameters
    ----------
    log : anything :func:`crmlib.transactions.read_log` reads.
    customer_id, date, amount : the log's columns (any header); ``amount=None``
        for a log without amounts.
    date_format, encoding, delimiter, decimal, thousands, sheet : reading
        options, as in :func:`crmlib.transactions.read_log`.

    Returns
    -------
    DataFrame with the columns ``customer_id``, ``date`` (datetime64) and, with
    an amount, ``amount`` (float64, currency units), one row per row of the log
    in its order (a pandas log keeps its index).

    Raises
    ------
    DataError
        From the intake (missing column, unreadable file, ambiguous dates), and
        for a missing or unreadable date, naming the rows.
    """
    options = dict(encoding=encoding, delimiter=delimiter, decimal=decimal, thousands=thousands, sheet=sheet)
    rows = _log_rows(log, customer_id, date, amount, [], date_format, **options)
    names = {customer_id: "customer_id", date: "date"} | ({amount: "amount"} if amount is not None else {})
    out = pd.DataFrame({new: rows[old].to_numpy() for old, new in names.items()}, index=rows.index)
    if amount is not None:
        out["amount"] = numeric_column(rows, amount, "log_frame")  # the message names the log's own column
    return out


def margin_per_purchase_period(
    log: Any,
    *,
    margin_share: float,
    cost_to_serve_per_order: float = 0.0,
    period: Literal["week", "month", "quarter"] = "month",
    observation_start: str | pd.Timestamp | None = None,
    observation_end: str | pd.Timestamp | None = None,
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    date_format: str | None = None,
) -> float:
    """Mean profit of a customer's purchase period: the margin a Markov-chain state with a purchase earns.

    Over the customer-periods with at least one purchase in the window (calendar
    ``period``), the mean of ``margin_share * revenue - cost_to_serve_per_order * orders``
    (currency units per purchase period; an order is a row): the per-period
    margin of the recency Markov chain of Pfeifer & Carraway (2000, J. Interactive
    Marketing 14(2), 43-55), e.g. :meth:`crmlib.clv.formulas.RecencyMarkovChain.state_values`.
    The log is read by :func:`crmlib.transactions.read_log` (as in :func:`customer_profit`).
    """
    margin_share = check_probability(margin_share, "margin_share")
    per_order = check_nonnegative(cost_to_serve_per_order, "cost_to_serve_per_order")
    freq = {"week": "W", "month": "M", "quarter": "Q"}[check_choice(period, "period", ("week", "month", "quarter"))]
    rows = _log_rows(log, customer_id, date, amount, [], date_format)
    dates = rows[date]
    lo = pd.Timestamp(observation_start) if observation_start is not None else dates.min()
    hi = pd.Timestamp(observation_end) if observation_end is not None else dates.max()
    inside = rows.loc[((dates >= lo) & (dates <= hi)).to_numpy()]
    if inside.empty:
        raise DataError(f"margin_per_purchase_period: no transactions between {lo.date()} and {hi.date()}")
    revenue = numeric_column(inside, amount, "margin_per_purchase_period")
    keys = [inside[customer_id].to_numpy(), inside[date].dt.to_period(freq).to_numpy()]
    cells = pd.Series(revenue).groupby(keys).agg(["sum", "size"])
    return float(margin_share * cells["sum"].mean() - per_order * cells["size"].mean())


def concentration_sensitivity(
    log: pd.DataFrame,
    *,
    margin_shares: Sequence[float],
    costs_per_order: Sequence[float],
    top: float = 0.20,
    **kwargs: Any,
) -> pd.DataFrame:
    """How the concentration of customer profit moves with the assumed margin and cost to serve.

    For every pair (``margin_share``, ``cost_to_serve_per_order``) the profit of
    each customer is that of :func:`customer_profit` with these settings (and
    ``kwargs``: the window, ``order_unit``, the column names, ...), and the row
    holds :func:`concentration` of it (Kaplan & Narayanan 2001). Revenue and
    orders are read once: ``profit = margin_share * revenue -
    cost_to_serve_per_order * orders``.

    Parameters
    ----------
    log : the log, as for :func:`customer_profit`.
    margin_shares : gross margins to try, shares of revenue in [0, 1].
    costs_per_order : costs to serve one order to try (currency units per order, >= 0).
    top : the share of customers whose share of total profit is reported (0.20: the top 20 %).
    **kwargs : further arguments of :func:`customer_profit` (not ``margin_share``,
        ``cost_of_goods`` or ``cost_to_serve_per_order``).

    Returns
    -------
    DataFrame indexed by (``margin_share``, ``cost_to_serve_per_order``) with
    ``total_profit`` (currency units), ``share_unprofitable``,
    ``top_<p>pct_profit_pct``, ``whale_peak_pct`` and ``gini``. Settings whose
    total profit is not positive keep their row with ``total_profit`` and
    empty (NaN) concentration figures (shares of a non-positive total are
    undefined); ``attrs["non_positive"]`` counts them. ``attrs["n"]`` = customers.
    """
    for name in ("margin_share", "cost_of_goods", "cost_to_serve_per_order"):
        if name in kwargs:
            raise DataError(f"concentration_sensitivity: {name} is set by the grid; do not pass it")
    margins = [check_probability(m, "margin_shares") for m in margin_shares]
    costs = [check_nonnegative(c, "costs_per_order") for c in costs_per_order]
    if not margins or not costs:
        raise DataError("concentration_sensitivity: give at least one margin share and one cost per order")
    top = check_probability(top, "top", open_interval=True)
    base = customer_profit(log, margin_share=1.0, **kwargs)
    revenue = base["revenue"].to_numpy()
    orders = base["orders"].to_numpy(dtype="float64")
    other = base["cost_to_serve"].to_numpy()  # per-contact and column costs, independent of the grid
    key = f"top_{100 * top:g}pct_profit_pct"
    rows = []
    for m in sorted(set(margins)):  # a handful of settings, not customers
        for c in sorted(set(costs)):
            p = m * revenue - c * orders - other
            row = {"margin_share": m, "cost_to_serve_per_order": c, "total_profit": float(p.sum())}
            if p.sum() > 0:
                conc = concentration(p, top=(top,))
                row.update({k: float(conc[k]) for k in ("share_unprofitable", key, "whale_peak_pct", "gini")})
            rows.append(row)
    out = pd.DataFrame(rows).set_index(["margin_share", "cost_to_serve_per_order"])
    out = out.reindex(columns=["total_profit", "share_unprofitable", key, "whale_peak_pct", "gini"])
    out.attrs.update({"n": len(base), "non_positive": int((out["total_profit"] <= 0).sum())})
    return out
