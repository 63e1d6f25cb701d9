"""One look for every crmlib figure and numbered, captioned tables and figures.

Notebooks call :func:`use` once, then show results through a
:class:`Captioner`, which numbers tables and figures in order of appearance
("Table 1.", "Figure 1.") and states each table's N, as a results section does.
"""

from __future__ import annotations

import html

import matplotlib as mpl
import matplotlib.pyplot as plt
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
