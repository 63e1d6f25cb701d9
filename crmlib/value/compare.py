"""Comparisons by segment and competitor: bootstrap intervals, tests of differences, value maps, profiles.

Groups are independent samples (each respondent rates one provider). Means get
percentile bootstrap intervals (Efron & Tibshirani 1993, *An Introduction to the
Bootstrap*, ch. 13), drawn for all resamples at once: a resample is a row of
multiplicities, and the resampled means of all columns are one matrix product.
A column's missing values are left out of its mean in every resample.
Differences between two groups get the interval of the difference of the two
independent bootstrap means and Welch's t test (Welch 1947, *Biometrika* 34),
with Holm's (1979) adjustment over all pairs; the omnibus test is Welch's
(1951) heteroscedastic one-way ANOVA.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from .._checks import as_rng, check_count, check_level, require_columns
from ..exceptions import DataError
from ..survey.tables import GroupComparison
from ..survey.tables import compare_groups as _describe_groups
from .weights import _counts

__all__ = ["VALUE_MAP_COLUMNS", "GroupComparison", "bootstrap_means", "compare_groups", "value_map_table"]

VALUE_MAP_COLUMNS = ("total_value", "total_cost", "dv_difference", "dv_ratio")


def _check(frame: pd.DataFrame, columns: Sequence[str], group: str | None) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if isinstance(columns, str):
        raise DataError(f"columns must be a list of column names, not the text {columns!r}")
    require_columns(frame, list(columns) + ([group] if group else []), "the data")
    for c in columns:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            raise DataError(f"column {c!r} is not numeric")


def _draws(frame: pd.DataFrame, columns: list[str], n_boot: int, rng: np.random.Generator):
    x = frame[columns].to_numpy(dtype=float)
    ok = ~np.isnan(x)
    c = _counts(len(x), n_boot, rng)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (c @ np.where(ok, x, 0.0)) / (c @ ok)
    return means, x, ok


def _groups(frame: pd.DataFrame, group: str | None):
    if group is None:
        return [("all", frame)]
    if frame[group].isna().any():
        raise DataError(f"column {group!r} has {int(frame[group].isna().sum())} missing group labels")
    return [(g, frame.loc[frame[group] == g]) for g in sorted(frame[group].unique(), key=str)]


def bootstrap_means(
    frame: pd.DataFrame,
    columns: Sequence[str],
    group: str | None = None,
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int | np.random.Generator,
) -> pd.DataFrame:
    """Means of ``columns`` (overall or by ``group``) with percentile bootstrap intervals.

    Parameters
    ----------
    frame : one row per respondent.
    columns : numeric columns (NaN = not available, left out of the mean).
    group : column whose values define independent groups (e.g. ``competitor``);
        None for the whole sample.
    n_boot : bootstrap resamples per group; level : interval level.
    seed : int or Generator (``None`` is refused: crmlib draws nothing unseeded); groups are
        resampled in sorted order from one stream.

    Returns
    -------
    DataFrame indexed by (group, variable): ``n`` (non-missing), ``mean``,
    ``sd`` (n - 1), ``se_boot`` (standard deviation of the resampled means),
    ``lower``, ``upper``.
    """
    _check(frame, columns, group)
    columns = list(columns)
    n_boot = check_count(n_boot, "n_boot", minimum=100)
    level = check_level(level)
    rng = as_rng(seed)
    a = (1 - level) / 2
    parts = []
    for g, sub in _groups(frame, group):
        means, x, ok = _draws(sub, columns, n_boot, rng)
        n = ok.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.where(ok, x, 0.0).sum(axis=0) / n
            sd = np.sqrt(np.where(ok, (x - m) ** 2, 0.0).sum(axis=0) / (n - 1))
        parts.append(
            pd.DataFrame(
                {
                    "group": g,
                    "variable": columns,
                    "n": n,
                    "mean": m,
                    "sd": sd,
                    "se_boot": np.nanstd(means, axis=0, ddof=1),
                    "lower": np.nanquantile(means, a, axis=0),
                    "upper": np.nanquantile(means, 1 - a, axis=0),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True).set_index(["group", "variable"])
    out.attrs["method"] = f"percentile bootstrap, {n_boot} resamples per group, level {level:g}"
    return out


def compare_groups(
    frame: pd.DataFrame,
    column: str,
    group: str,
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int | np.random.Generator,
) -> GroupComparison:
    """Test the differences of ``column``'s mean between the groups of ``group``.

    Every pair of groups: the difference of means with a percentile bootstrap
    interval (independent resamples of the two groups), Welch's t test and
    Holm-adjusted p-values (``pairwise``); all groups: Welch's heteroscedastic
    ANOVA (``omnibus``), with the descriptives, tests and post-hoc comparisons
    of :func:`crmlib.survey.tables.compare_groups` (one implementation, this is
    its bootstrap front end).

    Returns
    -------
    GroupComparison (the class of :mod:`crmlib.survey.tables`) with ``pairwise`` filled.

    References
    ----------
    Welch, B. L. (1947). *Biometrika* 34, 28-35 (eq. 9, the df). Welch, B. L.
    (1951). *Biometrika* 38, 330-336. Holm, S. (1979). *Scand. J. Statistics* 6, 65-70.
    """
    _check(frame, [column], group)
    n_boot = check_count(n_boot, "n_boot", minimum=100)
    level = check_level(level)
    rng = as_rng(seed)
    groups = _groups(frame, group)
    if len(groups) < 2:
        raise DataError(f"column {group!r} has fewer than two groups")
    draws, vals = {}, {}
    for g, sub in groups:
        m, x, ok = _draws(sub, [column], n_boot, rng)
        draws[g] = m[:, 0]
        vals[g] = x[ok[:, 0], 0]
        if len(vals[g]) < 2:
            raise DataError(f"group {g!r} of column {group!r} has fewer than 2 values of {column!r}")
    a = (1 - level) / 2
    rows = []
    for ga, gb in combinations([g for g, _ in groups], 2):
        xa, xb = vals[ga], vals[gb]
        t = stats.ttest_ind(xa, xb, equal_var=False)
        va, vb = xa.var(ddof=1) / len(xa), xb.var(ddof=1) / len(xb)
        df = (va + vb) ** 2 / (va**2 / (len(xa) - 1) + vb**2 / (len(xb) - 1))
        d = draws[ga] - draws[gb]
        rows.append(
            {
                "group_a": ga,
                "group_b": gb,
                "n_a": len(xa),
                "n_b": len(xb),
                "mean_a": xa.mean(),
                "mean_b": xb.mean(),
                "diff": xa.mean() - xb.mean(),
                "lower": np.nanquantile(d, a),
                "upper": np.nanquantile(d, 1 - a),
                "welch_t": float(t.statistic),
                "df": df,
                "p": float(t.pvalue),
            }
        )
    pw = pd.DataFrame(rows)
    pw["p_holm"] = multipletests(pw["p"], method="holm")[1]
    return replace(_describe_groups(frame, column, group), pairwise=pw)


def value_map_table(
    frame: pd.DataFrame,
    group: str,
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int | np.random.Generator,
) -> pd.DataFrame:
    """One row per group: mean total value, total cost and delivered value with bootstrap intervals.

    ``frame`` is the output of :func:`~crmlib.value.delivered_value` with the
    ``group`` column added. Columns: ``n`` and, for each of ``total_value``,
    ``total_cost``, ``dv_difference``, ``dv_ratio`` (those present), the
    ``<name>``, ``<name>_lower`` and ``<name>_upper``.
    """
    cols = [c for c in VALUE_MAP_COLUMNS if c in frame.columns]
    if "total_value" not in cols or "total_cost" not in cols:
        raise DataError("columns 'total_value' and 'total_cost' are needed for a value map")
    long = bootstrap_means(frame, cols, group, n_boot=n_boot, level=level, seed=seed)
    wide = pd.DataFrame(index=long.index.get_level_values(0).unique())
    wide.index.name = group
    both = frame[["total_value", "total_cost"]].notna().all(axis=1)
    wide["n"] = both.groupby(frame[group]).sum().reindex(wide.index).astype(int)
    for c in cols:
        part = long.xs(c, level="variable")
        wide[c] = part["mean"]
        wide[f"{c}_lower"] = part["lower"]
        wide[f"{c}_upper"] = part["upper"]
    wide.attrs = dict(long.attrs)
    return wide
