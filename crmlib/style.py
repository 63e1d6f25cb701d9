"""One look for every crmlib figure and numbered, captioned tables and figures.

Notebooks call :func:`use` once, then show results through a
:class:`Captioner`, which numbers tables and figures in order of appearance
("Table 1.", "Figure 1.") and states each table's N, as a results section does.
"""

from __future__ import annotations

import html

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

PALETTE = ["#1f4e79", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#7f7f7f", "#2c7c5e"]
"""Colour cycle of every crmlib figure (colour-blind-safe enough for 2-4 series)."""


def use() -> None:
    """Apply crmlib's plotting style (seaborn 'whitegrid', the crmlib palette, readable fonts)."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    mpl.rcParams.update(
        {
            "figure.figsize": (7.0, 4.2),
            "figure.dpi": 100,
            "savefig.dpi": 110,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "figure.autolayout": True,
            "date.converter": "concise",
        }
    )


def label_axes(ax, xlabel: str, ylabel: str, title: str | None = None):
    """Set both axis labels (with units) and an optional title; returns ``ax``."""
    if not xlabel or not ylabel:
        raise ValueError("every crmlib figure labels both axes; got an empty label")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


class Captioner:
    """Numbered captions for a notebook's tables and figures.

    >>> cap = Captioner()
    >>> cap.table_caption("Customers by tier", n=100)
    'Table 1. Customers by tier (N = 100)'
    >>> Captioner(tag="SIMULATED data").figure_caption("Retention", n=5)
    'Figure 1. Retention [SIMULATED data] (N = 5)'

    ``tag`` (e.g. ``"SIMULATED data"``) is appended in brackets to every caption,
    so that no table or figure of a run can be mistaken for another's.
    """

    def __init__(self, start_table: int = 1, start_figure: int = 1, *, tag: str = ""):
        self._table = start_table - 1
        self._figure = start_figure - 1
        self.tag = tag

    def _tagged(self, caption: str) -> str:
        return f"{caption} [{self.tag}]" if self.tag else caption

    def table_caption(self, caption: str, n: int | None = None) -> str:
        """Next table number with its caption (and N when given)."""
        self._table += 1
        suffix = f" (N = {n:,})" if n is not None else ""
        return f"Table {self._table}. {self._tagged(caption)}{suffix}"

    def figure_caption(self, caption: str, n: int | None = None) -> str:
        """Next figure number with its caption (and N when given)."""
        self._figure += 1
        suffix = f" (N = {n:,})" if n is not None else ""
        return f"Figure {self._figure}. {self._tagged(caption)}{suffix}"

    def table(
        self,
        frame: pd.DataFrame,
        caption: str,
        n: int | None = None,
        *,
        floatfmt="{:,.3f}",
        note: str | None = None,
        na_rep: str = "",
    ) -> None:
        """Display ``frame`` as an HTML table headed by its numbered caption (and an optional note below).

        ``floatfmt`` (a format string or a function) formats the float columns; missing values
        print as ``na_rep`` (blank by default: a cell that does not apply, not a number).
        """
        from IPython.display import HTML, display

        text = self.table_caption(caption, n)
        styler = frame.style.format(na_rep=na_rep)
        styler = styler.format(floatfmt, subset=frame.select_dtypes("float").columns, na_rep=na_rep)
        styler = styler.set_caption(html.escape(text))
        styler = styler.set_table_styles(
            [{"selector": "caption", "props": "caption-side: top; font-weight: bold; text-align: left;"}]
        )
        display(HTML(styler.to_html()))
        if note:
            display(HTML(f"<p style='font-size: 90%'><em>Note.</em> {html.escape(note)}</p>"))

    def figure(self, fig, caption: str, n: int | None = None) -> None:
        """Show ``fig`` with its numbered caption below it, then close the figure."""
        from IPython.display import HTML, display

        text = self.figure_caption(caption, n)
        display(fig)
        plt.close(fig)
        display(HTML(f"<p style='font-weight: bold'>{html.escape(text)}</p>"))


def compact_intervals(
    table: pd.DataFrame,
    digits: int = 2,
    *,
    template: str = "{estimate} [{lower}, {upper}]",
    label: str = "{column}",
    infinite: str = "not reached",
) -> pd.DataFrame:
    """Fold each estimate and its interval into one text column for display (``"5.29 [5.20, 5.36]"``).

    A column ``X`` is folded when ``X_lower`` and ``X_upper`` (or ``"X lower"``
    and ``"X upper"``) exist, the interval columns of ``docs/glossary.md``;
    other columns are kept as they are. The numbers are unchanged, only
    rounded to ``digits`` decimals, so that a wide table of bounds fits on a
    page.

    Parameters
    ----------
    table : estimates with their interval bounds (any units; the text keeps them).
    digits : decimals shown.
    template : text of one cell, with the fields ``estimate``, ``lower`` and
        ``upper`` (e.g. ``"{estimate} ({lower}-{upper})"``).
    label : name of a folded column, with the field ``column`` (e.g. ``"{column} (95% CI)"``).
    infinite : the text of an infinite value (a median or bound not reached).

    Returns
    -------
    DataFrame with the same index: folded columns as text, the others unchanged.

    References
    ----------
    APA (2020). *Publication Manual*, 7th ed., sec. 6.44 (an estimate followed by its interval in brackets).
    """
    from ._checks import check_count

    digits = check_count(digits, "digits", maximum=15)

    def fmt(x: float) -> str:
        return infinite if np.isinf(x) else f"{x:.{digits}f}"

    out = pd.DataFrame(index=table.index)
    bounds = {
        f"{c}{sep}{end}"
        for c in table.columns
        for sep in ("_", " ")
        for end in ("lower", "upper")
        if f"{c}{sep}lower" in table.columns and f"{c}{sep}upper" in table.columns
    }
    for col in table.columns:
        if col in bounds:
            continue
        pair = next(
            (
                (f"{col}{sep}lower", f"{col}{sep}upper")
                for sep in ("_", " ")
                if f"{col}{sep}lower" in table.columns and f"{col}{sep}upper" in table.columns
            ),
            None,
        )
        if pair is None:
            out[col] = table[col]
            continue
        est, lo, hi = (table[c].to_numpy(dtype="float64") for c in (col, *pair))
        out[label.format(column=col)] = [
            template.format(estimate=fmt(a), lower=fmt(b), upper=fmt(c)) for a, b, c in zip(est, lo, hi)
        ]
    return out


def number_text(value) -> str:
    """Table text of a number: blank when missing, whole numbers without decimals, others with two.

    For ``Captioner.table(..., floatfmt=number_text)`` on tables that mix counts or amounts (currency units)
    with rates, as printed tables do (APA 2020, *Publication Manual*, 7th ed., sec. 6.36: no needless decimals).
    """
    if value is None or pd.isna(value):
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
