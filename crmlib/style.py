"""One look for every crmlib figure and numbered, captioned tables and figures.

Notebooks call :func:`use` once, then show results through a
:class:`Captioner`, which numbers tables and figures in order of appearance
("Table 1.", "Figure 1.") and states each table's N, as a results section does.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

PALETTE = ["#0072B2", "#D55E00", "#009E73", "#000000", "#56B4E9", "#E69F00", "#7F7F7F", "#CC79A7"]
"""Colour cycle of every crmlib figure: Okabe & Ito's colour-blind-safe colours, ordered so that the first four
(blue, vermillion, bluish green, black) stay far apart for deuteranopes and protanopes (CIELAB ΔE >= 37 after
Machado et al.'s 2009 simulation; tests/test_style.py), then sky blue, orange, grey (slot 6: the neutral colour
notebooks use for context) and reddish purple. Colour maps: ``viridis`` (sequential), ``RdBu`` (diverging),
never a red-green one.

References
----------
Okabe, M. & Ito, K. (2008). *Color Universal Design*. https://jfly.uni-koeln.de/color/
Machado, G. M., Oliveira, M. M. & Fernandes, L. A. F. (2009). A physiologically-based model for simulation of
color vision deficiency. *IEEE TVCG* 15(6), 1291-1298.
"""

STAMP_COLOUR = "#D55E00"
"""Colour of the mark :func:`stamp` puts on a figure (Okabe-Ito vermillion)."""

CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK KR",
    "Source Han Sans",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "NanumGothic",
    "Droid Sans Fallback",
)
"""Fonts with Chinese and Korean glyphs that :func:`use` falls back to, in order of preference (Debian's
``fonts-noto-cjk`` installs the Noto Sans CJK faces; ``make test``/``make reports`` install it where they can)."""
_CJK_FILES = re.compile(r"cjk|wqy|wenquanyi|nanum|droidsansfallback|sourcehan", re.IGNORECASE)


def cjk_font() -> str | None:
    """The family name of an installed font with Chinese and Korean glyphs (one of :data:`CJK_FONTS`), or None.

    Looks in matplotlib's font list first; when none is there (its cache was built before the font was
    installed), the system's font files whose names mark a CJK font are added to the list and looked up again.

    Returns
    -------
    A family name usable in ``rcParams["font.family"]``, or None when the machine has no CJK font
    (then Chinese and Korean text renders as empty boxes, with a missing-glyph warning).

    References
    ----------
    Matplotlib 3.6 release notes, "Font fallback" (a list of families in ``font.family`` is searched glyph by glyph).
    """
    from matplotlib import font_manager

    def found() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((n for n in CJK_FONTS if n in names), None)

    name = found()
    if name is None:
        for path in font_manager.findSystemFonts():
            if _CJK_FILES.search(Path(path).name):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # an unreadable font file is skipped, not fatal
                    continue
        name = found()
    return name


def use() -> None:
    """Apply crmlib's plotting style (seaborn 'whitegrid', the colour-blind-safe :data:`PALETTE`, readable fonts).

    When a CJK font is installed (:func:`cjk_font`), matplotlib falls back to it for the glyphs the Latin
    font lacks, so that Chinese and Korean labels render as characters rather than empty boxes.
    """
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
            "image.cmap": "viridis",
        }
    )
    cjk = cjk_font()
    if cjk is not None:
        mpl.rcParams["font.family"] = ["sans-serif", cjk]


def stamp(fig, text: str) -> None:
    """Write ``text`` (e.g. ``"SIMULATED data"``) on the figure itself, in its lower left corner.

    A figure copied out of a report keeps the mark, which a caption alone would not give it.

    Parameters
    ----------
    fig : the matplotlib Figure.
    text : the mark.

    References
    ----------
    matplotlib, ``Figure.text``, https://matplotlib.org/stable/api/figure_api.html
    """
    if not text:
        return
    fig.text(
        0.005,
        0.005,
        text,
        ha="left",
        va="bottom",
        fontsize=9,
        fontweight="bold",
        color=STAMP_COLOUR,
        bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": STAMP_COLOUR, "alpha": 0.9},
        gid="crmlib-stamp",
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


CAPTION_WORDS: dict[str, str] = {
    "table": "Table {number}. {caption}",
    "figure": "Figure {number}. {caption}",
    "n": " (N = {n})",
    "note": "Note.",
    "yes": "yes",
    "no": "no",
}
"""The words of a :class:`Captioner` (``words=`` replaces any of them, e.g. a report in another language through
:meth:`crmlib.i18n.Catalogue.words`): caption templates with the fields ``number``/``caption`` and ``n``, the word
before a table note, and the text of a true and a false cell."""


class Captioner:
    """Numbered captions for a notebook's tables and figures.

    >>> cap = Captioner()
    >>> cap.table_caption("Customers by tier", n=100)
    'Table 1. Customers by tier (N = 100)'
    >>> Captioner(tag="SIMULATED data").figure_caption("Retention", n=5)
    'Figure 1. Retention [SIMULATED data] (N = 5)'

    ``tag`` (e.g. ``"SIMULATED data"``) is appended in brackets to every caption,
    so that no table or figure of a run can be mistaken for another's, and :meth:`figure`
    also writes it on the figure itself (:func:`stamp`). A ``tag`` given to one caption
    replaces the Captioner's for that table or figure (a simulated section of a report on real data).
    ``words`` replaces any of :data:`CAPTION_WORDS` (``"表{number}　{caption}"`` for a Chinese report).
    """

    def __init__(
        self, start_table: int = 1, start_figure: int = 1, *, tag: str = "", words: Mapping[str, str] | None = None
    ):
        self._table = start_table - 1
        self._figure = start_figure - 1
        self.tag = tag
        unknown = set(words or {}) - set(CAPTION_WORDS)
        if unknown:
            from .exceptions import DataError

            raise DataError(f"Captioner: words has unknown keys {sorted(unknown)}; known: {list(CAPTION_WORDS)}")
        self.words = {**CAPTION_WORDS, **(words or {})}

    def _tagged(self, caption: str, tag: str | None = None) -> str:
        tag = self.tag if tag is None else tag
        return f"{caption} [{tag}]" if tag else caption

    def table_caption(self, caption: str, n: int | None = None, *, tag: str | None = None) -> str:
        """Next table number with its caption (and N when given); ``tag``: this caption's, instead of the Captioner's."""
        self._table += 1
        suffix = self.words["n"].format(n=f"{n:,}") if n is not None else ""
        return self.words["table"].format(number=self._table, caption=self._tagged(caption, tag)) + suffix

    def figure_caption(self, caption: str, n: int | None = None, *, tag: str | None = None) -> str:
        """Next figure number with its caption (and N when given); ``tag``: this caption's, instead of the Captioner's."""
        self._figure += 1
        suffix = self.words["n"].format(n=f"{n:,}") if n is not None else ""
        return self.words["figure"].format(number=self._figure, caption=self._tagged(caption, tag)) + suffix

    def table(
        self,
        frame: pd.DataFrame | pd.Series,
        caption: str,
        n: int | None = None,
        *,
        labels: Mapping[Any, str] | None = None,
        floatfmt: str | Callable[[float], str] | Mapping[Any, str | Callable[[float], str]] = "{:,.3f}",
        note: str | None = None,
        na_rep: str = "",
        tag: str | None = None,
    ) -> None:
        """Display ``frame`` as a reader's table under its numbered caption (and an optional note below).

        The table is written by :func:`table_html`: no row numbers, reader labels instead of column names
        (:data:`LABELS`, ``labels`` first), whole numbers as integers, p-values as ``"< 0.001"``, text
        left-aligned and numbers right-aligned, the caption as wide as the page.

        Parameters
        ----------
        frame : the table (a Series is shown as a one-column table).
        caption : what the table shows; numbered and tagged by the Captioner.
        n : the N of the caption (units the table counts), or ``None``.
        labels : column or index name -> label shown, before :data:`LABELS`.
        floatfmt : format of non-whole numbers: a format string, a function of one number, or a mapping of
            column name -> either (columns not in it get the default ``"{:,.3f}"``).
        note : a line printed under the table after "Note.".
        na_rep : text of a missing value (blank by default: a cell that does not apply, not a number).
        tag : this table's tag (e.g. ``"SIMULATED data"``) instead of the Captioner's; ``None``: the Captioner's.

        References
        ----------
        APA (2020). *Publication Manual*, 7th ed., secs. 7.8-7.21 (table numbers, titles, notes, alignment).
        """
        from IPython.display import HTML, display

        text = self.table_caption(caption, n, tag=tag)
        yes_no = (self.words["yes"], self.words["no"])
        page = table_html(
            frame,
            text,
            labels=labels,
            floatfmt=floatfmt,
            note=note,
            na_rep=na_rep,
            note_label=self.words["note"],
            yes_no=yes_no,
        )
        display(HTML(page))

    def figure(self, fig, caption: str, n: int | None = None, *, tag: str | None = None) -> None:
        """Show ``fig`` with its numbered caption below it, then close the figure.

        The tag (``tag``, else the Captioner's) is written on the figure as well (:func:`stamp`), so that a
        figure of simulated data copied out of the report still says so.
        """
        from IPython.display import HTML, display

        text = self.figure_caption(caption, n, tag=tag)
        stamp(fig, self.tag if tag is None else tag)
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
    DataFrame with the same index: folded columns as text, the others unchanged. A missing estimate (a
    reference row, a quantity that does not apply) gives an empty cell, not ``"nan [nan, nan]"``.

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
            "" if np.isnan(a) else template.format(estimate=fmt(a), lower=fmt(b), upper=fmt(c))
            for a, b, c in zip(est, lo, hi)
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


# ---------------------------------------------------------------------------------------------------------------------
# The display layer of every table: reader labels, no row numbers, numbers written as a printed table writes them.

LABELS: dict[str, str] = {
    # counts and shares
    "n": "N",
    "n_customers": "Customers",
    "n_purchases": "Purchases",
    "n_items": "Items",
    "n_units": "Units",
    "n_params": "Parameters",
    "n_boot": "Bootstrap draws",
    "n_too_few": "Too few answers",
    "min_items": "Minimum items",
    "count": "N",
    "share": "Share",
    "one_day_share": "One-day share",
    "churn_share": "Churned share",
    "returned_share": "Returned share",
    "total_label": "Total",
    # estimates, intervals, tests
    "estimate": "Estimate",
    "se": "SE",
    "std_err": "SE",
    "lower": "Lower",
    "upper": "Upper",
    "boot_lower": "Bootstrap lower",
    "boot_upper": "Bootstrap upper",
    "boot_mean": "Bootstrap mean",
    "mean": "Mean",
    "std": "SD",
    "sd": "SD",
    "min": "Min",
    "max": "Max",
    "median": "Median",
    "25%": "25th pct.",
    "50%": "Median",
    "75%": "75th pct.",
    "p": "p",
    "p_value": "p",
    "p-value": "p",
    "p_holm": "p (Holm)",
    "p_adjusted": "p (adjusted)",
    "z": "z",
    "t": "t",
    "f": "F",
    "df": "df",
    "chi2": "χ²",
    "r2": "R²",
    "r2_adjusted": "Adjusted R²",
    "f2": "f²",
    "q2": "Q²",
    "vif": "VIF",
    "htmt": "HTMT",
    "ave": "AVE",
    "alpha": "α",
    "cronbach_alpha": "Cronbach's α",
    "rho_a": "ρA",
    "rho_c": "ρC",
    "hr": "Hazard ratio",
    "hazard_ratio": "Hazard ratio",
    "coef": "Coefficient",
    # model comparison
    "log_likelihood": "Log-likelihood",
    "aic": "AIC",
    "bic": "BIC",
    "delta_aic": "ΔAIC",
    "delta_bic": "ΔBIC",
    "akaike_weight": "Akaike weight",
    # customer-base models and value
    "frequency": "Frequency",
    "recency": "Recency",
    "T": "T",
    "monetary": "Monetary value",
    "p_alive": "P(alive)",
    "dert": "DERT",
    "expected_spend": "Expected spend",
    "clv": "CLV",
    "customer_id": "Customer",
    # survival
    "rmst_365_days": "RMST, 365 days",
    "median_lifetime_days": "Median lifetime (days)",
    "discounted_days": "Discounted days",
    "at_risk": "At risk",
    "S_km": "S(t), Kaplan-Meier",
    "S_sbg": "S(t), sBG",
    "retention_km": "Retention, Kaplan-Meier",
    "retention_sbg": "Retention, sBG",
}
"""crmlib's column names -> the labels readers see in tables (:func:`column_label`; ``labels=`` of a table first)."""

_P_COLUMN = re.compile(
    r"^((p|p[ _-]?value|pvalue|pr\(>.*\))([ _-]?\(?(adj|adjusted|holm|bonferroni|fdr|bh)\)?)?"
    r"|p[ _](pls|cbsem|mga|permutation|two[ _]sided|one[ _]sided|logrank)|(mean|variance)[ _]p)$",
    re.I,
)  # the p of a named test (PLS-MGA, permutation, ...) too; never p_alive, a probability
_PLAIN_INT = re.compile(r"(^|[ _])(id|year|code)$", re.I)
_SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")
_NEG_ZERO = re.compile(r"^-(?=[0.,\s%]*$)")
_ALIGN = {"num": "text-align: right", "text": "text-align: left", "term": "text-align: left; white-space: nowrap"}
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")  # Korean breaks lines between words, not inside them (word-break: keep-all)
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")  # a date, a month or a year
_CJK_TERM = 8  # a column of CJK terms this short is kept on one line: browsers break CJK text between any characters


def column_label(name: Any, labels: Mapping[Any, str] | None = None) -> str:
    """The label a reader sees for a column or index name.

    ``labels`` first, then :data:`LABELS`, else the name with underscores as spaces and its first letter
    capitalised (``"median_days"`` -> ``"Median days"``); a tuple (a column of several levels) is labelled
    level by level and joined with " / ". ``None`` is an empty label.

    References
    ----------
    APA (2020). *Publication Manual*, 7th ed., sec. 7.12 (column headings: words, not variable names).
    """
    if labels and name in labels:
        return str(labels[name])
    if name is None:
        return ""
    if isinstance(name, tuple):
        return " / ".join(column_label(part, labels) for part in name if part not in (None, ""))
    if isinstance(name, str) and name in LABELS:
        return LABELS[name]
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def is_p_value(name: Any) -> bool:
    """True when a column holds p-values (``p``, ``p_value``, ``p-value``, ``p_holm``, ``Pr(>|z|)``, ...)."""
    return isinstance(name, str) and bool(_P_COLUMN.match(name.strip()))


def p_text(value: float) -> str:
    """A p-value as a reader's table prints it: ``"< 0.001"`` below 0.001, else three decimals (APA 2020, 6.36)."""
    if value is None or pd.isna(value):
        return ""
    return "< 0.001" if value < 0.0005 else f"{value:.3f}"


def _positional(value: Any, text: str) -> str:
    """``text`` without scientific notation and without a minus on a zero."""
    if _SCIENTIFIC.search(text):
        v = float(value)
        text = (
            f"{v:,.0f}"
            if abs(v) >= 1
            else np.format_float_positional(v, precision=4, unique=False, fractional=False, trim="-")
        )
    return _NEG_ZERO.sub("", text)


def _column_text(values: pd.Series, name: Any, fmt, na_rep: str, *, row_label: bool = False) -> tuple[list[str], str]:
    """The cells of one column as text and its kind (``"num"`` right-aligned, ``"text"`` left-aligned).

    ``row_label``: the column is (a level of) the table's index, whose whole numbers name rows (customer 1081,
    year 1997), so they are written without thousands separators, as are columns named like ids, years and codes.
    """
    missing = values.isna().to_numpy()
    dtype = values.dtype
    plain = row_label or _PLAIN_INT.search(str(name)) is not None

    def fill(texts):
        return [na_rep if m else t for t, m in zip(texts, missing)]

    if pd.api.types.is_bool_dtype(dtype):
        return fill(["yes" if bool(v) else "no" for v in values]), "text"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = pd.DatetimeIndex(values)
        daily = bool(((stamps.hour == 0) & (stamps.minute == 0) & (stamps.second == 0))[~missing].all())
        form = "%Y-%m-%d" if daily else "%Y-%m-%d %H:%M"
        return fill(["" if m else s.strftime(form) for s, m in zip(stamps, missing)]), "text"
    if pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
        finite = numbers[~missing]
        if is_p_value(name):
            return fill([p_text(v) for v in numbers]), "num"
        whole = pd.api.types.is_integer_dtype(dtype) or (
            isinstance(fmt, str) and "%" not in fmt and bool(np.all(np.isfinite(finite) & (finite == np.round(finite))))
        )
        if whole:
            return fill(
                ["" if m else (str(int(v)) if plain else f"{int(v):,}") for v, m in zip(numbers, missing)]
            ), "num"
        out = []
        for v, m in zip(numbers, missing):
            if m:
                out.append(na_rep)
            elif np.isinf(v):
                out.append("∞" if v > 0 else "-∞")
            else:
                out.append(_positional(v, fmt.format(v) if isinstance(fmt, str) else str(fmt(v))))
        return out, "num"
    # text, categories and mixed columns: numbers among them written as numbers, the rest as text
    out, kinds = [], set()
    for v, m in zip(values, missing):
        if m:
            out.append(na_rep)
        elif isinstance(v, (bool, np.bool_)):
            out.append("yes" if v else "no")
            kinds.add("text")
        elif isinstance(v, (int, np.integer)):
            out.append(str(v) if plain else f"{int(v):,}")
            kinds.add("num")
        elif isinstance(v, (float, np.floating)):
            if float(v).is_integer():
                out.append(f"{int(v):,}")
            else:
                out.append(_positional(v, fmt.format(v) if isinstance(fmt, str) else str(fmt(v))))
            kinds.add("num")
        else:
            out.append(str(v))
            kinds.add("text")
    return out, "num" if kinds == {"num"} else "text"


def _row_numbers(index: pd.Index) -> bool:
    """An unnamed index 0, 1, ..., n-1: pandas' row numbers, which a reader's table leaves out."""
    if index.nlevels != 1 or index.name is not None:
        return False
    if isinstance(index, pd.RangeIndex):
        return index.start == 0 and index.step == 1
    return pd.api.types.is_integer_dtype(index.dtype) and bool(np.array_equal(index.to_numpy(), np.arange(len(index))))


def table_html(
    frame: pd.DataFrame | pd.Series,
    caption: str = "",
    *,
    labels: Mapping[Any, str] | None = None,
    floatfmt: str | Callable[[float], str] | Mapping[Any, str | Callable[[float], str]] = "{:,.3f}",
    note: str | None = None,
    na_rep: str = "",
    note_label: str = "Note.",
    yes_no: tuple[str, str] = ("yes", "no"),
) -> str:
    """The HTML of a reader's table: caption above at page width, labelled columns, formatted cells, a note below.

    - an unnamed index 0..n-1 (pandas' row numbers) is left out; any other index is kept as the first
      column(s), labelled by its name (repeated outer levels of a MultiIndex are left blank);
    - column and index names go through :func:`column_label` (``labels`` first, then :data:`LABELS`);
    - integer columns, and float columns whose values are all whole (unless their format is a per cent),
      are written as integers with thousands separators (without them for ids, years, codes and row labels: the index);
    - p-value columns (:func:`is_p_value`) as ``"< 0.001"`` or three decimals; other numbers with
      ``floatfmt``, never in scientific notation and never as ``-0.000``;
    - booleans as yes/no, dates as ``YYYY-MM-DD``, missing values as ``na_rep``;
    - text left-aligned, numbers right-aligned (inline styles, so the table reads the same in JupyterLab);
      a column of short Chinese, Japanese or Korean terms, or of dates, is not broken inside a term.

    Parameters
    ----------
    frame : the table (a Series is shown as one column).
    caption : the caption line (already numbered), or ``""`` for none.
    labels, floatfmt, note, na_rep : as for :meth:`Captioner.table`.
    note_label : the word before the note; yes_no : the texts of a true and a false cell (another language's).

    Returns
    -------
    str
        A ``<div class="crmlib-table">`` holding the caption, the table and the note.

    References
    ----------
    APA (2020). *Publication Manual*, 7th ed., secs. 6.36 (decimals, p-values) and 7.8-7.21 (tables).
    """
    from .exceptions import DataError

    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"frame must be a pandas DataFrame or Series, got {type(frame).__name__}")

    def fmt_of(name):
        if isinstance(floatfmt, Mapping):
            return floatfmt.get(name, "{:,.3f}")
        return floatfmt

    columns: list[tuple[Any, list[str], str]] = []  # (header, cells, kind)
    keep_index = not _row_numbers(frame.index)
    if keep_index:
        for level in range(frame.index.nlevels):
            name = frame.index.names[level]
            index_values = pd.Series(frame.index.get_level_values(level))
            cells, kind = _column_text(index_values, name, fmt_of(name), na_rep, row_label=True)
            columns.append((name, cells, kind))
        for level in range(frame.index.nlevels - 1):  # a MultiIndex: blank an outer label repeated from the row above
            cells = columns[level][1]
            shown = list(cells)
            for i in range(1, len(cells)):
                if all(columns[k][1][i] == columns[k][1][i - 1] for k in range(level + 1)):
                    shown[i] = ""
            columns[level] = (columns[level][0], shown, columns[level][2])
    n_index = len(columns)
    for position, name in enumerate(frame.columns):
        cells, kind = _column_text(frame.iloc[:, position], name, fmt_of(name), na_rep)
        if yes_no != ("yes", "no") and pd.api.types.is_bool_dtype(frame.iloc[:, position].dtype):
            cells = [{"yes": yes_no[0], "no": yes_no[1]}.get(c, c) for c in cells]
        if kind == "text" and any(_CJK.search(c) for c in cells) and all(len(c) <= _CJK_TERM for c in cells):
            kind = "term"
        if kind == "text" and any(cells) and all(_ISO_DATE.match(c) or not c for c in cells):
            kind = "term"  # a date is not broken at its hyphens
        columns.append((name, cells, kind))

    esc = html.escape

    def style_of(kind: str, text: str) -> str:
        return _ALIGN[kind] + ("; word-break: keep-all" if _HANGUL.search(text) else "")

    head = "".join(
        f'<th style="{style_of(kind, label)}">{esc(label)}</th>'
        for label, kind in ((column_label(name, labels), kind) for name, _, kind in columns)
    )
    body = []
    for i in range(len(frame)):
        cells = []
        for j, (_, values, kind) in enumerate(columns):
            cell = "th" if j < n_index else "td"
            cells.append(f'<{cell} style="{style_of(kind, values[i])}">{esc(values[i])}</{cell}>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    parts = ['<div class="crmlib-table">']
    if caption:
        parts.append(f'<p class="crmlib-caption" style="font-weight: bold; text-align: left">{esc(caption)}</p>')
    parts.append(
        '<table style="border-collapse: collapse; font-variant-numeric: tabular-nums;">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
    if note:
        parts.append(
            f'<p class="crmlib-note" style="font-size: 90%; text-align: left"><em>{esc(note_label)}</em> {esc(note)}</p>'
        )
    parts.append("</div>")
    return "\n".join(parts)
