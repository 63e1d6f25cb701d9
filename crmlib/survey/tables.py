"""Descriptive survey tables and charts: frequencies, multiple response, cross-tabulations, Likert
charts and group comparisons.

Percent bases are always stated: a frequency table gives percent of all
respondents and percent of valid answers (``valid_percent``, the SPSS "Valid
Percent"), a multiple-response table gives percent of responses and percent of
cases (SPSS MULT RESPONSE; the thesis in ``shared/seeds/004`` prints percent of
cases, which sum to more than 100).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from .._checks import rows_text
from ..exceptions import DataError, DataWarning

__all__ = [
    "frequency_table",
    "multiple_response",
    "crosstab",
    "CrosstabResult",
    "likert_chart",
    "likert_table",
    "compare_groups",
    "GroupComparison",
    "for_display",
]


def frequency_table(
    values: pd.Series,
    labels: Mapping[int, str] | None = None,
    *,
    sort_by_code: bool = True,
    include_all_codes: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Frequency table of one item.

    Columns: ``label``, ``n``, ``percent`` (of all respondents, missing
    included), ``valid_percent`` (of valid N) and ``cumulative_percent`` (of
    valid N). A final ``missing`` row counts NA; ``attrs`` holds ``n_valid``,
    ``n_missing`` and ``n_total``.
    """
    s = pd.Series(values)
    n_total = len(s)
    valid = s.dropna()
    counts = valid.value_counts(sort=not sort_by_code)
    if include_all_codes is not None:
        counts = counts.reindex(sorted(set(counts.index) | set(include_all_codes)), fill_value=0)
    if sort_by_code:
        counts = counts.sort_index()
    n_valid = int(counts.sum())
    out = pd.DataFrame({"n": counts.astype(int)})
    out.index = [int(i) if isinstance(i, (int, float, np.number)) and float(i).is_integer() else i for i in out.index]
    out.index.name = "code"
    out.insert(0, "label", [(labels or {}).get(i, str(i)) for i in out.index])
    out["percent"] = 100.0 * out["n"] / n_total
    out["valid_percent"] = 100.0 * out["n"] / n_valid if n_valid else np.nan
    out["cumulative_percent"] = out["valid_percent"].cumsum()
    n_missing = n_total - n_valid
    if n_missing:
        out.loc["missing"] = ["missing", n_missing, 100.0 * n_missing / n_total, np.nan, np.nan]
    out.attrs.update(n_valid=n_valid, n_missing=n_missing, n_total=n_total)
    return out


def multiple_response(
    data: pd.DataFrame, items: Sequence[str], labels: Mapping[str, str] | None = None, counted_value: float = 1
) -> pd.DataFrame:
    """Multiple-response table of a dichotomy group (one item per option; ``counted_value`` = chosen).

    Columns: ``n`` (times chosen), ``pct_of_responses`` (of all choices made)
    and ``pct_of_cases`` (of respondents who chose at least one option);
    a ``total`` row. ``attrs`` holds ``n_cases`` and ``n_responses``.
    """
    X = data[list(items)]
    chosen = X.eq(counted_value)
    cases = chosen.any(axis=1)
    n_cases = int(cases.sum())
    if n_cases == 0:
        raise DataError(f"multiple-response group {list(items)}: nobody chose any option (value {counted_value})")
    n = chosen[cases].sum()
    n_resp = int(n.sum())
    out = pd.DataFrame({"option": [(labels or {}).get(i, i) for i in items], "n": n.to_numpy()}, index=list(items))
    out["pct_of_responses"] = 100.0 * out["n"] / n_resp
    out["pct_of_cases"] = 100.0 * out["n"] / n_cases
    out.loc["total"] = ["total", n_resp, 100.0, 100.0 * n_resp / n_cases]
    out.attrs.update(n_cases=n_cases, n_responses=n_resp)
    return out


@dataclass
class CrosstabResult:
    """A cross-tabulation with its test.

    counts : observed counts with margins; row_percent : row percentages;
    expected : expected counts under independence; chi2, df, p : Pearson's
    chi-square test (Yates-corrected for 2x2 only when asked); cramers_v :
    Cramér's V (bias-uncorrected); small_expected : share of cells with
    expected count below 5; fisher_p : Fisher's exact test for 2x2 tables.
    """

    counts: pd.DataFrame
    row_percent: pd.DataFrame
    expected: pd.DataFrame
    chi2: float
    df: int
    p: float
    cramers_v: float
    n: int
    small_expected: float
    fisher_p: float | None
    warning: str | None

    def summary(self) -> pd.Series:
        return pd.Series(
            {
                "n": self.n,
                "chi2": self.chi2,
                "df": self.df,
                "p": self.p,
                "cramers_v": self.cramers_v,
                "share_expected_below_5": self.small_expected,
                "fisher_p": self.fisher_p,
            }
        )


def crosstab(data: pd.DataFrame, row: str, col: str, *, yates: bool = False) -> CrosstabResult:
    """Cross-tabulate two items with Pearson's chi-square test and Cramér's V (Cramér 1946, eq. 21.9.12).

    Warns (:class:`DataWarning`) when more than 20% of expected counts are
    below 5 or any is below 1 (Cochran 1954), where the chi-square
    approximation is doubtful; for 2x2 tables Fisher's exact p is given too.
    """
    for c in (row, col):
        if c not in data.columns:
            raise DataError(f"crosstab: column {c!r} not in the data")
    obs = pd.crosstab(data[row], data[col])
    if obs.shape[0] < 2 or obs.shape[1] < 2:
        raise DataError(f"crosstab: {row!r} x {col!r} needs at least 2 categories each, got {obs.shape}")
    chi2, p, df, exp = stats.chi2_contingency(obs.to_numpy(), correction=yates)
    n = int(obs.to_numpy().sum())
    k = min(obs.shape) - 1
    v = float(np.sqrt(chi2 / (n * k)))
    small = float((exp < 5).mean())
    msg = None
    if small > 0.2 or (exp < 1).any():
        msg = (
            f"{small:.0%} of expected counts in {row!r} x {col!r} are below 5 (minimum {exp.min():.2f}): "
            "the chi-square p-value is unreliable; merge categories or use an exact test"
        )
        warnings.warn(msg, DataWarning, stacklevel=2)
    fisher = float(stats.fisher_exact(obs.to_numpy())[1]) if obs.shape == (2, 2) else None
    counts = obs.copy()
    counts["total"] = counts.sum(axis=1)
    counts.loc["total"] = counts.sum(axis=0)
    return CrosstabResult(
        counts=counts,
        row_percent=100.0 * obs.div(obs.sum(axis=1), axis=0),
        expected=pd.DataFrame(exp, index=obs.index, columns=obs.columns),
        chi2=float(chi2),
        df=int(df),
        p=float(p),
        cramers_v=v,
        n=n,
        small_expected=small,
        fisher_p=fisher,
        warning=msg,
    )


def likert_table(data: pd.DataFrame, items: Sequence[str], scale_min: int, scale_max: int) -> pd.DataFrame:
    """Percent of valid answers in each category (columns scale_min..scale_max) for every item, with valid n."""
    cats = list(range(scale_min, scale_max + 1))
    rows = {}
    for it in items:
        s = pd.to_numeric(data[it], errors="coerce").dropna()
        outside = ~s.isin(cats)
        if outside.any():
            raise DataError(
                f"item {it!r}: {rows_text(outside, s.index)} hold answers outside the scale "
                f"{scale_min}..{scale_max} (e.g. {s[outside].iloc[0]:g}): the scale does not contain the data"
            )
        rows[it] = (s.value_counts().reindex(cats, fill_value=0) / len(s) * 100.0).to_numpy()
    out = pd.DataFrame.from_dict(rows, orient="index", columns=cats)
    out["n_valid"] = [int(pd.to_numeric(data[it], errors="coerce").notna().sum()) for it in items]
    return out


def likert_chart(
    data: pd.DataFrame,
    items: Sequence[str],
    scale_min: int,
    scale_max: int,
    labels: Mapping[str, str] | None = None,
    ax=None,
    *,
    anchors: tuple[str, str] | None = None,
    width: int = 48,
):
    """Diverging stacked bar chart of Likert items (Robbins & Heiberger 2011).

    The lower scale points extend left of zero, the higher ones right; the
    middle category of an odd scale is split half and half across zero. Bars
    are percent of valid answers. ``labels`` (item -> text, e.g. the item's
    wording) are wrapped at ``width`` characters, never cut. ``anchors`` names
    the two ends of the scale for the axis (e.g. ``("very dissatisfied", "very
    satisfied")`` from the codebook's value labels); default the scale points.
    Returns the matplotlib Figure.
    """
    import textwrap

    import matplotlib.pyplot as plt

    from ..style import label_axes

    tab = likert_table(data, items, scale_min, scale_max)
    cats = list(range(scale_min, scale_max + 1))
    P = tab[cats].to_numpy()
    m = len(cats)
    mid = (m - 1) / 2
    left = np.zeros(len(items))
    lows = [j for j in range(m) if j < mid]
    if m % 2 == 1:
        left -= P[:, int(mid)] / 2
    left -= P[:, lows].sum(axis=1) if lows else 0
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 0.55 * len(items) + 1.6))
    else:
        fig = ax.figure
    cmap = plt.get_cmap("RdBu", m + 2)
    y = np.arange(len(items))
    start = left.copy()
    for j, c in enumerate(cats):
        ax.barh(y, P[:, j], left=start, color=cmap(j + 1), edgecolor="white", linewidth=0.5, label=str(c))
        start = start + P[:, j]
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([textwrap.fill(str((labels or {}).get(i, i)), width) for i in items], fontsize=8)
    ax.invert_yaxis()
    low, high = anchors or (f"toward {scale_min}", f"toward {scale_max}")
    label_axes(ax, f"percent of valid answers ({low} < 0 < {high})", "item")
    reach = max(np.abs(left).max(), (left + P.sum(axis=1)).max())
    ax.set_xlim(-reach * 1.05, reach * 1.05)
    ax.legend(
        title="answer", fontsize=8, title_fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False
    )
    return fig


@dataclass
class GroupComparison:
    """Comparison of one variable across groups: the one result of both front ends.

    :func:`compare_groups` (survey tables) fills ``descriptives``, ``tests``,
    ``posthoc`` and ``omnibus``; :func:`crmlib.value.compare_groups` adds
    ``pairwise``, bootstrap intervals of every difference of means.

    variable : the variable compared.
    descriptives : per group n, mean, sd, median.
    tests : the parametric and rank-based test, one row each, with statistic,
        df, p and effect size (named in ``effect``).
    omnibus : Welch's (1951) heteroscedastic ANOVA over all groups: ``F``,
        ``df1``, ``df2``, ``p`` and ``groups`` (the number of groups).
    posthoc : pairwise comparisons (more than two groups): Tukey HSD and
        Dunn's test with Holm-adjusted p.
    pairwise : one row per pair (value front end): ``group_a``, ``group_b``,
        ``n_a``, ``n_b``, ``mean_a``, ``mean_b``, ``diff`` (a - b), ``lower``,
        ``upper`` (bootstrap), ``welch_t``, ``df``, ``p``, ``p_holm``.
    n_dropped : respondents left out because ``value`` or ``group`` is missing.
    """

    variable: str
    descriptives: pd.DataFrame
    tests: pd.DataFrame
    omnibus: dict
    posthoc: pd.DataFrame | None = None
    pairwise: pd.DataFrame | None = None
    n_dropped: int = 0


def _dunn(values: np.ndarray, groups: np.ndarray, names: list) -> pd.DataFrame:
    """Dunn's (1964) z tests on mean ranks with tie correction; Holm (1979) adjusted p."""
    ranks = stats.rankdata(values)
    n = len(values)
    _, tie_counts = np.unique(values, return_counts=True)
    tie = (tie_counts**3 - tie_counts).sum() / (12 * (n - 1))
    rows = []
    for a, b in combinations(names, 2):
        ra, rb = ranks[groups == a], ranks[groups == b]
        se = np.sqrt((n * (n + 1) / 12 - tie) * (1 / len(ra) + 1 / len(rb)))
        z = (ra.mean() - rb.mean()) / se
        rows.append({"group_a": a, "group_b": b, "z": z, "p": 2 * stats.norm.sf(abs(z))})
    out = pd.DataFrame(rows)
    order = np.argsort(out["p"].to_numpy())
    m = len(out)
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * out["p"].iloc[i]))
        adj[i] = running
    out["p_holm"] = adj
    return out


def _welch_anova(samples: Sequence[np.ndarray]) -> tuple[float, float, float, float]:
    """Welch's (1951) heteroscedastic one-way ANOVA: F, df1, df2, p."""
    k = len(samples)
    w = np.array([len(s) / s.var(ddof=1) for s in samples])
    m = np.array([s.mean() for s in samples])
    mw = (w * m).sum() / w.sum()
    lam = ((1 - w / w.sum()) ** 2 / (np.array([len(s) for s in samples]) - 1)).sum()
    fw = ((w * (m - mw) ** 2).sum() / (k - 1)) / (1 + 2 * (k - 2) / (k**2 - 1) * lam)
    df2 = (k**2 - 1) / (3 * lam)
    return float(fw), float(k - 1), float(df2), float(stats.f.sf(fw, k - 1, df2))


def compare_groups(data: pd.DataFrame, value: str, group: str, labels: Mapping | None = None) -> GroupComparison:
    """Compare ``value`` across the groups of ``group``: parametric and rank-based tests with effect sizes.

    Two groups: Welch's t test with Hedges' g, and the Mann-Whitney U test
    with the rank-biserial correlation ``2 U_a / (n_a n_b) - 1`` (Kerby 2014);
    both effects are positive when the first group (in sorted order) scores higher. More groups: one-way
    ANOVA with eta squared and Welch's ANOVA (Welch 1951), the Kruskal-Wallis
    test with epsilon squared (Tomczak & Tomczak 2014), then Tukey's HSD and
    Dunn's test (Holm-adjusted) for every pair. Respondents missing either
    variable are dropped and counted in ``n_dropped``. ``omnibus`` holds
    Welch's ANOVA for any number of groups (with two, its F is Welch's t squared).

    Returns
    -------
    GroupComparison (``pairwise`` left empty: :func:`crmlib.value.compare_groups` fills it).

    References
    ----------
    Welch, B. L. (1951). *Biometrika* 38, 330-336. Kerby, D. S. (2014).
    *Comprehensive Psychology* 3, 11.IT.3.1. Tomczak, M. & Tomczak, E. (2014).
    *Trends in Sport Sciences* 21, 19-25. Dunn, O. J. (1964). *Technometrics* 6, 241-252.
    """
    for c in (value, group):
        if c not in data.columns:
            raise DataError(f"compare_groups: column {c!r} not in the data")
    d = pd.DataFrame({"y": pd.to_numeric(data[value], errors="coerce"), "g": data[group]}).dropna()
    n_dropped = len(data) - len(d)
    if labels:
        d["g"] = d["g"].map(lambda x: labels.get(x, x))
    names = sorted(d["g"].unique(), key=str)
    if len(names) < 2:
        raise DataError(f"compare_groups: {group!r} has fewer than 2 groups with data for {value!r}")
    samples = [d.loc[d["g"] == g, "y"].to_numpy() for g in names]
    small = [str(g) for g, s in zip(names, samples) if len(s) < 2]
    if small:
        raise DataError(f"compare_groups: groups {small} of {group!r} have fewer than 2 respondents")
    desc = pd.DataFrame(
        {
            "n": [len(s) for s in samples],
            "mean": [s.mean() for s in samples],
            "sd": [s.std(ddof=1) for s in samples],
            "median": [np.median(s) for s in samples],
        },
        index=pd.Index(names, name=group),
    )
    y, g = d["y"].to_numpy(), d["g"].to_numpy()
    fw, df1, df2, p_w = _welch_anova(samples)
    omnibus = {"F": fw, "df1": df1, "df2": df2, "p": p_w, "groups": len(names)}
    rows = []
    posthoc = None
    if len(names) == 2:
        a, b = samples
        t = stats.ttest_ind(a, b, equal_var=False)
        na, nb = len(a), len(b)
        sp = np.sqrt(((na - 1) * a.var(ddof=1) + (nb - 1) * b.var(ddof=1)) / (na + nb - 2))
        hedges = (a.mean() - b.mean()) / sp * (1 - 3 / (4 * (na + nb) - 9))
        u = stats.mannwhitneyu(a, b, alternative="two-sided")
        rows.append(
            {
                "test": "Welch t test",
                "statistic": t.statistic,
                "df": t.df,
                "p": t.pvalue,
                "effect": "Hedges g",
                "effect_size": hedges,
            }
        )
        rows.append(
            {
                "test": "Mann-Whitney U",
                "statistic": u.statistic,
                "df": np.nan,
                "p": u.pvalue,
                "effect": "rank-biserial r",
                "effect_size": 2 * u.statistic / (na * nb) - 1,
            }
        )
    else:
        f = stats.f_oneway(*samples)
        grand = y.mean()
        ss_b = sum(len(s) * (s.mean() - grand) ** 2 for s in samples)
        ss_t = ((y - grand) ** 2).sum()
        k, n = len(samples), len(y)
        m = np.array([s.mean() for s in samples])
        kw = stats.kruskal(*samples)
        rows.append(
            {
                "test": "one-way ANOVA",
                "statistic": f.statistic,
                "df": f"{k - 1}, {n - k}",
                "p": f.pvalue,
                "effect": "eta squared",
                "effect_size": ss_b / ss_t,
            }
        )
        rows.append(
            {
                "test": "Welch ANOVA",
                "statistic": fw,
                "df": f"{k - 1}, {df2:.1f}",
                "p": p_w,
                "effect": "",
                "effect_size": np.nan,
            }
        )
        rows.append(
            {
                "test": "Kruskal-Wallis H",
                "statistic": kw.statistic,
                "df": k - 1,
                "p": kw.pvalue,
                "effect": "epsilon squared",
                "effect_size": kw.statistic / ((n**2 - 1) / (n + 1)),
            }
        )
        tk = stats.tukey_hsd(*samples)
        pairs = list(combinations(range(k), 2))
        tukey = pd.DataFrame(
            {
                "group_a": [names[i] for i, _ in pairs],
                "group_b": [names[j] for _, j in pairs],
                "mean_diff": [m[i] - m[j] for i, j in pairs],
                "p_tukey": [tk.pvalue[i, j] for i, j in pairs],
            }
        )
        posthoc = tukey.merge(
            _dunn(y, g, names).rename(columns={"z": "dunn_z", "p": "dunn_p", "p_holm": "dunn_p_holm"}),
            on=["group_a", "group_b"],
        )
    tests = pd.DataFrame(rows).set_index("test")
    tests["df"] = [
        ("" if pd.isna(v) else f"{v:.1f}" if float(v) % 1 else f"{int(v)}") if not isinstance(v, str) else v
        for v in tests["df"]
    ]
    return GroupComparison(value, desc, tests, omnibus, posthoc=posthoc, n_dropped=int(n_dropped))


def for_display(frame: pd.DataFrame, digits: int = 3, blank: str = "") -> pd.DataFrame:
    """A copy of ``frame`` with every numeric column as text, for a report table.

    Columns whose values are all whole numbers (counts, degrees of freedom)
    print without decimals, other numeric columns with ``digits`` decimals
    (thousands separated); missing values (not applicable: the upper triangle
    of a Fornell-Larcker table, the percent base that does not apply) print as
    ``blank`` instead of ``nan``. Boolean column or index labels become
    "no"/"yes". The numbers themselves are not changed, only their text.
    """
    out = frame.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_bool_dtype(col):
            out[c] = col.map({True: "yes", False: "no"})
            continue
        if not pd.api.types.is_numeric_dtype(col):
            num = pd.to_numeric(col, errors="coerce")
            if num.isna().sum() > col.isna().sum():  # genuinely text: keep, blank out missing values only
                out[c] = col.astype(object).where(col.notna(), blank)
                continue
            col = num
        v = col.to_numpy(dtype=float)
        finite = v[np.isfinite(v)]
        whole = (
            finite.size > 0
            and np.all(finite == np.round(finite))
            and np.all(np.abs(finite) < 1e15)
            and (pd.api.types.is_integer_dtype(col) or np.any(finite != 0))
        )  # an all-zero p stays 0.000
        fmt = "{:,.0f}" if whole else f"{{:,.{digits}f}}"
        out[c] = [blank if not np.isfinite(x) else fmt.format(x) for x in v]
    relabel: dict[object, str] = {True: "yes", False: "no"}
    if any(isinstance(x, (bool, np.bool_)) for x in out.columns):
        out.columns = [relabel.get(x, x) if isinstance(x, (bool, np.bool_)) else x for x in out.columns]
    if any(isinstance(x, (bool, np.bool_)) for x in out.index):
        out.index = [relabel.get(x, x) if isinstance(x, (bool, np.bool_)) else x for x in out.index]
    return out
