"""One table describing every bundled data set."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from .logs import load_cdnow, load_cdnow_summary, load_donations
from .surveys import load_corp_rep, load_mobi
from .thesis import load_thesis_tables


def describe(cdnow_subset: Literal["sample", "master"] = "master") -> pd.DataFrame:
    """One row per bundled data set: what it is, its size and its range.

    Parameters
    ----------
    cdnow_subset : ``"master"`` (23,570 customers) or ``"sample"`` (2,357) for the CDNOW row.

    Returns
    -------
    DataFrame
        Columns ``dataset``, ``kind`` (transactions / summary / survey / published tables), ``rows``,
        ``units`` (customers, donors, respondents or tables), ``n_units``, ``columns``, ``first`` and
        ``last`` (the dates or years covered; blank for a survey or the thesis), ``answer_scale`` (the
        answer range of a survey's items, e.g. ``"1-10"``; blank otherwise), ``total`` (purchase amounts
        in USD, repeat purchase days, repeat donations, missing answers or printed numbers) with
        ``total_label`` saying which.

    References
    ----------
    ``data/README.md`` (sources and licences); Fader, Hardie & Lee (2005), *Marketing Science* 24(2) (CDNOW).
    """
    cd = load_cdnow(cdnow_subset)
    summ = load_cdnow_summary()
    don = load_donations()
    mobi = load_mobi()
    corp = load_corp_rep()
    thesis = load_thesis_tables()
    rows = [
        dict(
            dataset=f"CDNOW {cdnow_subset}",
            kind="transactions",
            rows=len(cd),
            units="customers",
            n_units=cd["customer_id"].nunique(),
            columns=cd.shape[1],
            first=str(cd["date"].min().date()),
            last=str(cd["date"].max().date()),
            total=float(cd["amount"].sum()),
            total_label="purchases (USD)",
        ),
        dict(
            dataset="CDNOW calibration summary",
            kind="summary",
            rows=len(summ),
            units="customers",
            n_units=len(summ),
            columns=summ.shape[1],
            first="1997-01-01",
            last="1997-09-30",
            total=float(summ["frequency"].sum()),
            total_label="repeat purchase days",
        ),
        dict(
            dataset="donations",
            kind="summary",
            rows=len(don),
            units="donors",
            n_units=int(don["weight"].sum()),
            columns=don.shape[1],
            first="1996",
            last="2001",
            total=float((don["frequency"] * don["weight"]).sum()),
            total_label="repeat donations",
        ),
    ]
    for s in (mobi, corp):
        cb = s.codebook
        rows.append(
            dict(
                dataset=s.name,
                kind="survey",
                rows=len(s.data),
                units="respondents",
                n_units=len(s.data),
                columns=s.data.shape[1],
                first="",
                last="",
                answer_scale=f"{cb['scale_min'].min()}-{cb['scale_max'].max()}",
                total=float(s.data.isna().sum().sum()),
                total_label="missing answers",
            )
        )
    rows.append(
        dict(
            dataset="S company thesis",
            kind="published tables",
            rows=len(thesis),
            units="places of print",
            n_units=thesis["table"].nunique(),
            columns=thesis.shape[1],
            first="",
            last="",
            total=float(len(thesis)),
            total_label="printed numbers",
        )
    )
    out = pd.DataFrame(rows)
    out["answer_scale"] = out["answer_scale"].fillna("")
    return out[[c for c in out.columns if c not in ("total", "total_label")] + ["total", "total_label"]]


def purchase_profile(log: pd.DataFrame) -> pd.DataFrame:
    """Per customer of a purchase log: ``orders`` (rows), ``days`` (distinct purchase days) and ``spend`` (sum).

    Parameters
    ----------
    log : a log with ``customer_id``, ``date`` and ``amount`` (as :func:`load_cdnow` returns it).

    Returns
    -------
    DataFrame indexed by customer; spend in the log's currency units (USD for CDNOW).

    References
    ----------
    Fader, Hardie & Lee (2005), *Marketing Science* 24(2): the CDNOW log and its purchase days.
    """
    from .._checks import require_columns

    require_columns(log, ["customer_id", "date", "amount"], "log")
    return log.groupby("customer_id").agg(orders=("date", "size"), days=("date", "nunique"), spend=("amount", "sum"))


def log_facts(log: pd.DataFrame, subset: str) -> str:
    """The overview's paragraph on a purchase log (markdown): size, dates, revenue, one-day buyers, zero amounts.

    Parameters
    ----------
    log : the purchase log (``customer_id``, ``date``, ``amount`` in USD); subset : its name (``"master"``).

    Returns
    -------
    str, one paragraph; every number computed from ``log``.

    References
    ----------
    Fader, Hardie & Lee (2005), *Marketing Science* 24(2) (the CDNOW cohort of Q1 1997).
    """
    per = purchase_profile(log)
    return (
        f"The {subset} log holds **{len(log):,}** transactions of **{len(per):,}** customers "
        f"from {log['date'].min():%d %B %Y} to {log['date'].max():%d %B %Y}, worth **${log['amount'].sum():,.2f}**. "
        f"{(per['days'] == 1).mean():.1%} of the customers bought on one day only in the whole log; the retention "
        f"reports count another thing (lifetimes that ended after one purchase day under their churn rule), so "
        f"their one-day share is not this one. {int((log['amount'] == 0).sum())} transactions have a zero amount."
    )


def profile_table(table: pd.DataFrame) -> pd.DataFrame:
    """Mean, SD, minimum, quartiles and maximum of orders, purchase days and spend (USD) per customer, one row each.

    Parameters
    ----------
    table : the output of :func:`purchase_profile` (one row per customer).

    References
    ----------
    pandas, ``DataFrame.describe``; APA (2020), *Publication Manual*, 7th ed., sec. 7.21 (descriptive tables).
    """
    stats = table.describe().T.drop(columns="count")
    return stats.rename(index={"orders": "Orders", "days": "Purchase days", "spend": "Spend (USD)"}).rename_axis(
        "per customer"
    )


def weekly_sales(log: pd.DataFrame) -> pd.Series:
    """Sales (sum of ``amount``, USD) per complete Monday-to-Sunday week, labelled by the week's Sunday.

    A first or last week that the log covers only in part is left out, so that the series does not end in a
    false drop (the CDNOW log starts on a Wednesday and ends on a Tuesday).

    Parameters
    ----------
    log : a log with ``date`` and ``amount``.

    References
    ----------
    pandas, ``Series.resample("W")`` (weeks ending on Sunday).
    """
    from .._checks import require_columns

    require_columns(log, ["date", "amount"], "log")
    weekly = log.set_index("date")["amount"].resample("W").sum()
    start, end = log["date"].min(), log["date"].max()
    return weekly[(weekly.index - pd.Timedelta(days=6) >= start) & (weekly.index <= end)]


def plot_log(log: pd.DataFrame):
    """Two panels of a purchase log: weekly sales (thousand USD, complete weeks) and customers by purchase days
    (1 to 9, then 10+). Returns the matplotlib Figure.

    References
    ----------
    Fader, Hardie & Lee (2005), *Marketing Science* 24(2), Figure 1 (weekly repeat sales of CDNOW).
    """
    import matplotlib.pyplot as plt

    from ..style import label_axes

    weekly = weekly_sales(log)
    counts = purchase_profile(log)["days"].clip(upper=10).value_counts().sort_index()
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    axes[0].plot(weekly.index, weekly.to_numpy() / 1000)
    label_axes(axes[0], "Week", "Sales (thousand USD)", "Weekly sales")
    axes[1].bar(counts.index.astype(str).where(counts.index < 10, "10+"), counts.to_numpy())
    label_axes(axes[1], "Purchase days per customer", "Customers", "Purchase days")
    return fig


def item_table(survey) -> pd.DataFrame:
    """Per item of a bundled survey: construct, answer scale, answers given, mean and SD (scale points).

    Parameters
    ----------
    survey : a :class:`~crmlib.datasets.Survey` (:func:`load_mobi`, :func:`load_corp_rep`).

    Returns
    -------
    DataFrame indexed by item (``construct``, ``scale`` such as ``"1-10"``, ``answered`` count, ``mean``, ``sd``).

    References
    ----------
    Tenenhaus et al. (2005), *CSDA* 48(1) (mobi); Hair, Hult, Ringle & Sarstedt (2017), *A Primer on PLS-SEM*
    (corp_rep).
    """
    cb = survey.codebook.set_index("item")
    items = survey.data.astype("float64")
    scale = cb["scale_min"].astype(str) + "-" + cb["scale_max"].astype(str)
    table = pd.DataFrame(
        {
            "construct": cb["construct_label"],
            "scale": scale,
            "answered": items.notna().sum(),
            "mean": items.mean(),
            "sd": items.std(),
        }
    )
    return table.rename_axis("item")


def plot_item_means(survey):
    """Horizontal bars of each item's mean answer, coloured by construct, with a legend (scale points).

    References
    ----------
    Tenenhaus et al. (2005), *CSDA* 48(1) (the mobi items and constructs).
    """
    import matplotlib.pyplot as plt

    from ..style import PALETTE, label_axes

    means = survey.data.astype("float64").mean()
    constructs = survey.codebook.set_index("item")["construct"]
    fig, ax = plt.subplots(figsize=(7, 6))
    colour = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(dict.fromkeys(constructs))}
    ax.barh(means.index[::-1], means.to_numpy()[::-1], color=[colour[c] for c in constructs[means.index[::-1]]])
    ax.legend(
        handles=[plt.Rectangle((0, 0), 1, 1, color=v) for v in colour.values()],
        labels=list(colour),
        title="Construct",
        bbox_to_anchor=(1.02, 1),
        loc="upper left",
    )
    lo, hi = int(survey.codebook["scale_min"].min()), int(survey.codebook["scale_max"].max())
    ax.set_xlim(lo, hi)
    label_axes(ax, f"Mean answer ({lo}-{hi} scale)", "Item")
    return fig


def plot_answers_by_group(survey, item: str, group: str, *, legend_title: str | None = None, xlabel: str | None = None):
    """Stacked bars of the answers to ``item`` (percent of respondents) per value of ``group``, N under each bar.

    Parameters
    ----------
    survey : a bundled survey; item : the answer column (e.g. ``"cusa"``); group : the grouping column
        (e.g. ``"serviceprovider"``).
    legend_title, xlabel : the legend's title and the x-axis label (default: from the column names).

    References
    ----------
    Robbins, N. B. & Heiberger, R. M. (2011). Plotting Likert and other rating scales. *Proc. JSM* (stacked
    percentage bars of rating scales).
    """
    import matplotlib.pyplot as plt

    from .._checks import require_columns
    from ..style import label_axes

    require_columns(survey.data, [item, group], "survey.data")
    counts = pd.crosstab(survey.data[group], survey.data[item])
    counts.index = [f"{p}\n(N = {n})" for p, n in counts.sum(axis=1).items()]
    fig, ax = plt.subplots()
    (counts.div(counts.sum(axis=1), axis=0) * 100).plot(
        kind="bar", stacked=True, ax=ax, colormap="viridis", width=0.7, rot=0
    )
    handles, names = ax.get_legend_handles_labels()  # the top answer on top, as the bars stack
    ax.legend(
        handles[::-1],
        names[::-1],
        title=legend_title or f"Answer to {item}",
        bbox_to_anchor=(1.02, 1),
        loc="upper left",
    )
    label_axes(ax, xlabel or group, "Respondents (%)")
    return fig


def plot_donations(donations: pd.DataFrame):
    """Bars of donors by number of repeat donations (of the yearly opportunities), from the compressed histories.

    Parameters
    ----------
    donations : :func:`load_donations` (``frequency``, ``n_periods``, ``weight`` = donors per row).

    References
    ----------
    Fader, Hardie & Shang (2010), *Marketing Science* 29(6) (the donation data, 6 yearly opportunities).
    """
    import matplotlib.pyplot as plt

    from ..style import label_axes

    by_freq = donations.groupby("frequency")["weight"].sum()
    fig, ax = plt.subplots()
    ax.bar(by_freq.index, by_freq.to_numpy())
    label_axes(ax, f"Repeat donations (of {int(donations['n_periods'].max())} opportunities)", "Donors")
    return fig


def donation_facts(donations: pd.DataFrame) -> str:
    """The overview's sentence on the donation data (markdown): donors, opportunities, share that never gave again."""
    by_freq = donations.groupby("frequency")["weight"].sum()
    return (
        f"**{int(by_freq.sum()):,}** donors, each observed over {int(donations['n_periods'].max())} yearly "
        f"opportunities; {by_freq.loc[0] / by_freq.sum():.1%} never gave again."
    )


THESIS_PLACES: dict[str, str] = {
    "survey": "survey account (section 3.2.2)",
    "figure1": "thesis Figure 1",
    "figure2": "thesis Figure 2",
    "table1": "thesis Table 1",
    "table2": "thesis Table 2",
    "table4": "thesis Table 4",
    "table5": "thesis Table 5",
    "text": "running text",
}
"""The places of print of the thesis transcription (its ``table`` column) in a reader's words."""


def printed_by_place(tables: pd.DataFrame, *, words: bool = False) -> pd.DataFrame:
    """How many numbers the thesis transcription holds per place of print, with their units, in the order printed.

    Parameters
    ----------
    tables : :func:`load_thesis_tables` (``table``, ``item``, ``unit``).
    words : name the places and units for a reader (:data:`THESIS_PLACES`, ``"USD"``) instead of by their keys.

    Returns
    -------
    DataFrame indexed by place (``table``): ``numbers`` (count) and ``units`` (the units, comma-separated).

    References
    ----------
    ``data/s_company_thesis_tables.csv`` (the transcription) and its notes.
    """
    out = tables.groupby("table", sort=False).agg(
        numbers=("item", "size"), units=("unit", lambda u: ", ".join(dict.fromkeys(u)))
    )
    if words:
        out.index = out.index.map(lambda t: THESIS_PLACES.get(t, t))
        out["units"] = out["units"].str.replace("usd", "USD")
    return out


def plot_thesis_customer_values(tables: pd.DataFrame):
    """Thesis Table 5 as printed: customer value (thousand USD) with, without and the difference, by year.

    References
    ----------
    ``data/s_company_thesis_tables.csv`` (thesis Table 5, USD as printed).
    """
    import matplotlib.pyplot as plt

    from ..style import label_axes
    from .thesis import load_thesis_customer_values

    values = load_thesis_customer_values(tables)
    fig, ax = plt.subplots()
    for name in ("with", "without", "difference"):  # the printed order, not the alphabet's
        ax.plot(values.index, values[name] / 1000, marker="o", label=name)
    ax.legend(title="As printed")
    ax.set_xticks(values.index)
    label_axes(ax, "Year", "Customer value (thousand USD, as printed)")
    return fig
