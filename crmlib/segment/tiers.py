"""Customer tiers and tier migration.

A :class:`TierRule` names the tiers from the top down and says where to cut:
by the share of customers ranked by value (``on="share"``) or by thresholds
on the value itself (``on="value"``), optionally with a tier for customers who
lose money. :data:`PYRAMID` is the customer pyramid of Zeithaml, Rust & Lemon
(2001): platinum, gold, iron and lead (the customers who cost money). The
source does not prescribe the shares; the defaults here (top 10 %, next 20 %,
the rest) are crmlib's choice and are meant to be changed. Rules of one study
live with its data (e.g. the S-company thesis's diamond / gold / third tiers:
``TierRule(**crmlib.datasets.load_thesis_tier_rule())``).

RFM scores and segments, another way to group customers, are in
:mod:`crmlib.transactions` (``rfm_scores``, ``rfm_segments``).

References
----------
Zeithaml, V. A., Rust, R. T. & Lemon, K. N. (2001). The customer pyramid:
    creating and serving profitable customers. *California Management
    Review* 43(4), 118-142.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .._checks import close_matches
from ..exceptions import DataError

__all__ = [
    "PYRAMID",
    "TIER_RULES",
    "TierRule",
    "assign_tiers",
    "migration_matrix",
    "plot_migration",
    "plot_tier_shares",
    "tier_profile",
]


@dataclass(frozen=True)
class TierRule:
    """How to cut customers into value tiers.

    Parameters
    ----------
    names : tier names from the top (most valuable) down.
    cuts : ``len(names) - 1`` boundaries between consecutive tiers, top down.
        With ``on="share"``: cumulative shares of customers ranked by value,
        most valuable first, strictly increasing inside (0, 1); ``(0.1, 0.3)``
        puts the top 10 % in the first tier, the next 20 % in the second and
        the rest in the third. With ``on="value"``: value thresholds, strictly
        decreasing; a customer whose value is ``>= cuts[k]`` (and below
        ``cuts[k-1]``) is in tier ``k``.
    on : ``"share"`` or ``"value"``.
    loss_tier : if given, customers with a negative value go to this extra
        bottom tier whatever the cuts say (the pyramid's "lead").

    Ties at a share boundary go to the higher tier (ranks are "min" ranks).
    Cuts that are not strictly monotone overlap and raise :class:`DataError`.
    """

    names: tuple[str, ...]
    cuts: tuple[float, ...]
    on: Literal["share", "value"] = "share"
    loss_tier: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.names, str):
            raise DataError(f"TierRule: names must be a list of tier names, not the text {self.names!r}")
        try:
            cuts = tuple(float(c) for c in self.cuts)
        except (TypeError, ValueError):
            raise DataError(f"TierRule: cuts must be numbers, got {self.cuts!r}") from None
        names = tuple(str(n) for n in self.names)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "cuts", cuts)
        if len(names) < 1:
            raise DataError("TierRule: give at least one tier name")
        if len(set(names + ((self.loss_tier,) if self.loss_tier else ()))) != len(names) + bool(self.loss_tier):
            raise DataError(
                f"TierRule: tier names must be distinct, got {list(names)} and loss tier {self.loss_tier!r}"
            )
        if len(cuts) != len(names) - 1:
            raise DataError(f"TierRule: {len(names)} tiers need {len(names) - 1} cuts, got {len(cuts)}: {list(cuts)}")
        if self.on not in ("share", "value"):
            raise DataError(f"TierRule: on must be 'share' or 'value', got {self.on!r}")
        if any(not np.isfinite(c) for c in cuts):
            raise DataError(f"TierRule: cuts must be finite numbers, got {list(cuts)}")
        for k in range(1, len(cuts)):
            a, b = cuts[k - 1], cuts[k]
            if (self.on == "share" and b <= a) or (self.on == "value" and b >= a):
                order = "increase" if self.on == "share" else "decrease"
                raise DataError(
                    f"TierRule: tier cuts overlap: the cut below {names[k]!r} ({b:g}) does not {order} from the "
                    f"cut below {names[k - 1]!r} ({a:g}); {self.on} cuts must strictly {order} from the top tier down"
                )
        if self.on == "share" and cuts and (cuts[0] <= 0 or cuts[-1] >= 1):
            raise DataError(f"TierRule: share cuts must lie strictly between 0 and 1, got {list(cuts)}")

    @classmethod
    def from_intervals(
        cls,
        intervals: Mapping[str, tuple[float, float]],
        *,
        on: Literal["share", "value"] = "share",
        loss_tier: str | None = None,
    ) -> TierRule:
        """Build a rule from one interval per tier, checking that they neither overlap nor leave gaps.

        ``on="share"``: ``{"platinum": (0, 0.1), "gold": (0.1, 0.3), "iron": (0.3, 1)}``
        (shares of customers ranked from the top; together they must cover
        [0, 1]). ``on="value"``: ``{"high": (100, inf), "low": (-inf, 100)}``
        (value intervals ``[low, high)``, together covering the real line).
        """
        if not intervals:
            raise DataError("TierRule.from_intervals: no intervals given")
        items = []
        for name, iv in intervals.items():
            try:
                lo, hi = float(iv[0]), float(iv[1])
            except (TypeError, ValueError, IndexError) as exc:
                raise DataError(f"TierRule.from_intervals: tier {name!r} needs a (low, high) pair, got {iv!r}") from exc
            if not lo < hi:
                raise DataError(f"TierRule.from_intervals: tier {name!r} has low {lo:g} >= high {hi:g}")
            items.append((str(name), lo, hi))
        if on == "share":
            items.sort(key=lambda t: t[1])  # top tier = lowest share position
            start, stop = 0.0, 1.0
        elif on == "value":
            items.sort(key=lambda t: -t[1])  # top tier = highest values
            start, stop = np.inf, -np.inf
        else:
            raise DataError(f"TierRule.from_intervals: on must be 'share' or 'value', got {on!r}")
        for (n1, lo1, hi1), (n2, lo2, hi2) in zip(items, items[1:]):
            # neighbours in top-down order must touch: share: hi1 == lo2; value: lo1 == hi2
            touch_a, touch_b = (hi1, lo2) if on == "share" else (lo1, hi2)
            overlap = touch_b < touch_a if on == "share" else touch_b > touch_a
            if overlap:
                raise DataError(
                    f"TierRule.from_intervals: tier cuts overlap: {n1!r} ({lo1:g}, {hi1:g}) and "
                    f"{n2!r} ({lo2:g}, {hi2:g}) share the range between {min(touch_a, touch_b):g} and "
                    f"{max(touch_a, touch_b):g}"
                )
            if touch_a != touch_b:
                raise DataError(
                    f"TierRule.from_intervals: tiers {n1!r} ({lo1:g}, {hi1:g}) and {n2!r} "
                    f"({lo2:g}, {hi2:g}) leave a gap between {min(touch_a, touch_b):g} and "
                    f"{max(touch_a, touch_b):g}"
                )
        first, last = items[0], items[-1]
        if on == "share" and (first[1] != start or last[2] != stop):
            raise DataError(
                f"TierRule.from_intervals: share intervals must cover 0 to 1; they cover {first[1]:g} to {last[2]:g}"
            )
        if on == "value" and (first[2] != start or last[1] != stop):
            raise DataError(
                f"TierRule.from_intervals: value intervals must cover -inf to inf; they cover "
                f"{last[1]:g} to {first[2]:g}"
            )
        names = tuple(t[0] for t in items)
        cuts = tuple(t[2] for t in items[:-1]) if on == "share" else tuple(t[1] for t in items[:-1])
        return cls(names=names, cuts=cuts, on=on, loss_tier=loss_tier)

    @property
    def tiers(self) -> list[str]:
        """All tier names, top down (the loss tier last)."""
        return list(self.names) + ([self.loss_tier] if self.loss_tier else [])

    def describe(self) -> pd.DataFrame:
        """One row per tier with the rule that defines it, in words."""
        rows = []
        bounds = [None, *self.cuts, None]
        for k, name in enumerate(self.names):
            lo, hi = bounds[k], bounds[k + 1]
            if self.on == "share":
                a = 0.0 if lo is None else lo
                b = 1.0 if hi is None else hi
                text = f"customers ranked {100 * a:g}% to {100 * b:g}% from the top"
            else:
                if lo is None and hi is None:
                    text = "all values"
                elif lo is None:
                    text = f"value >= {hi:g}"
                elif hi is None:
                    text = f"value < {lo:g}"
                else:
                    text = f"{hi:g} <= value < {lo:g}"
            if self.loss_tier:
                text += ", value >= 0"
            rows.append({"tier": name, "rule": text})
        if self.loss_tier:
            rows.append({"tier": self.loss_tier, "rule": "value < 0 (customers who lose money)"})
        return pd.DataFrame(rows).set_index("tier")


PYRAMID = TierRule(names=("platinum", "gold", "iron"), cuts=(0.10, 0.30), on="share", loss_tier="lead")
"""Customer pyramid (Zeithaml, Rust & Lemon 2001): platinum = top 10 %, gold = next 20 %, iron = the
rest with non-negative value, lead = negative value. The shares are crmlib's defaults, not the paper's."""


TIER_RULES: dict[str, TierRule] = {"pyramid": PYRAMID}
"""Built-in rules by name (a study's own rule is passed as a :class:`TierRule`)."""


def _rule(rule: str | TierRule) -> TierRule:
    if isinstance(rule, TierRule):
        return rule
    if isinstance(rule, str) and rule in TIER_RULES:
        return TIER_RULES[rule]
    hint = close_matches(rule, TIER_RULES) if isinstance(rule, str) else ""
    raise DataError(f"unknown tier rule {rule!r}{hint}; use one of {sorted(TIER_RULES)} or a TierRule")


def _values(values: pd.Series, what: str) -> pd.Series:
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    bad = ~np.isfinite(v.to_numpy())
    if bad.any():
        raise DataError(
            f"{what}: value is missing or not finite for {int(bad.sum())} customers ({list(values.index[bad][:5])})"
        )
    if v.empty:
        raise DataError(f"{what}: no customers")
    if v.index.duplicated().any():
        raise DataError(f"{what}: customers listed twice: {list(v.index[v.index.duplicated()][:5])}")
    return v


def assign_tiers(values: pd.Series, rule: str | TierRule = "pyramid") -> pd.Series:
    """Assign each customer to a value tier.

    Parameters
    ----------
    values : value per customer (profit, CLV, ...; currency units), indexed
        by customer id.
    rule : ``"pyramid"`` (:data:`PYRAMID`) or a :class:`TierRule`.

    Returns
    -------
    Categorical Series (categories = tiers top down) indexed like ``values``.
    With ``on="share"`` a customer's position is ``rank / n`` with rank 1 the
    most valuable ("min" ranks, so ties share a tier); the customer is in the
    first tier whose cut is >= the position. With few customers a tier can
    be empty (with 5 customers nobody's position is <= 0.10, so nobody is in
    a top-10 % tier), whereas :func:`crmlib.profit.concentration` rounds the
    top group up (``ceil(q n)`` customers).
    """
    r = _rule(rule)
    v = _values(values, "assign_tiers")
    x = v.to_numpy()
    if r.on == "share":
        pos = v.rank(method="min", ascending=False).to_numpy() / len(v)
        idx = np.searchsorted(np.asarray(r.cuts), pos - 1e-12, side="left")
    else:
        # tier = number of cuts strictly above the value
        idx = np.searchsorted(-np.asarray(r.cuts), -x, side="left")
    labels = np.asarray(r.names, dtype=object)[idx]
    if r.loss_tier:
        labels = np.where(x < 0, r.loss_tier, labels)
    return pd.Series(pd.Categorical(labels, categories=r.tiers), index=v.index, name="tier")


def tier_profile(values: pd.Series, tiers: pd.Series, extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """Size and value of each tier (the profile of the pyramid).

    Parameters
    ----------
    values : value per customer (the one used for tiering, currency units).
    tiers : tier per customer (from :func:`assign_tiers`), same index.
    extra : further per-customer columns (orders, revenue, ...) whose mean
        per tier is added as ``mean_<column>``.

    Returns
    -------
    DataFrame indexed by tier (top down) with ``customers``,
    ``customer_share``, ``total``, ``value_share`` (fractions), ``mean``,
    ``median``, ``min`` and ``max`` of the value. Empty tiers are kept with
    zero customers.

    Raises
    ------
    DataError
        A value missing or not finite, a customer without a tier (absent or
        missing in ``tiers``), a customer listed twice, or values that sum to
        0 (the value shares would divide by zero).
    """
    v = _values(values, "tier_profile")
    t = pd.Series(tiers)
    if t.index.duplicated().any():
        twice = list(t.index[t.index.duplicated()][:5])
        raise DataError(f"tier_profile: customers listed twice in `tiers`: {twice}")
    missing = v.index.difference(t.index)
    if len(missing):
        raise DataError(f"tier_profile: {len(missing)} customers have a value but no tier, e.g. {list(missing[:5])}")
    t = t.reindex(v.index)
    untiered = t.isna().to_numpy()
    if untiered.any():
        raise DataError(
            f"tier_profile: {int(untiered.sum())} customers have a value but no tier (missing in `tiers`), "
            f"e.g. {list(v.index[untiered][:5])}"
        )
    total = math.fsum(v.to_numpy())  # exact: a total that is 0 must not come out as rounding noise
    if abs(total) <= 1e-12 * float(np.abs(v.to_numpy()).sum()):
        raise DataError(
            f"tier_profile: the values sum to {total:g} (0 up to rounding), so the tiers' value shares "
            "(total / sum) are undefined; profile a value whose total is not zero"
        )
    order = list(t.cat.categories) if isinstance(t.dtype, pd.CategoricalDtype) else sorted(t.dropna().unique())
    g = v.groupby(t.astype(object).to_numpy())
    prof = pd.DataFrame(
        {
            "customers": g.size(),
            "total": g.sum(),
            "mean": g.mean(),
            "median": g.median(),
            "min": g.min(),
            "max": g.max(),
        }
    ).reindex(order)
    prof["customers"] = prof["customers"].fillna(0).astype("int64")
    prof["total"] = prof["total"].fillna(0.0)
    prof.insert(1, "customer_share", prof["customers"] / len(v))
    prof.insert(3, "value_share", prof["total"] / total)
    if extra is not None:
        absent = v.index.difference(extra.index)
        if len(absent):
            raise DataError(
                f"tier_profile: `extra` has no row for {len(absent)} customers that have a value, "
                f"e.g. {list(absent[:5])}"
            )
        ex = extra.reindex(v.index)
        means = ex.groupby(t.astype(object).to_numpy()).mean(numeric_only=True).reindex(order)
        for c in means.columns:
            prof[f"mean_{c}"] = means[c]
    prof.index.name = "tier"
    return prof


def migration_matrix(
    before: pd.Series, after: pd.Series, *, normalize: bool = True, absent_label: str = "absent"
) -> pd.DataFrame:
    """Tier migration between two periods.

    Parameters
    ----------
    before, after : tier per customer in the first and the second period
        (Series indexed by customer id, e.g. from :func:`assign_tiers`).
        Customers present in only one period are counted as
        ``absent_label`` in the other (new or lost customers).
    normalize : rows as proportions (each row sums to 1: where the
        customers of a first-period tier went); ``False`` gives counts.

    Returns
    -------
    DataFrame, rows = tier in the first period, columns = tier in the
    second, tiers in rule order with ``absent_label`` last, plus a ``n``
    column (customers per row) when ``normalize``.
    """
    if not isinstance(normalize, (bool, np.bool_)):
        raise DataError(f"migration_matrix: normalize must be True or False, got {normalize!r}")
    b, a = pd.Series(before), pd.Series(after)
    for s, name in ((b, "before"), (a, "after")):
        if s.index.duplicated().any():
            raise DataError(
                f"migration_matrix: `{name}` lists customers twice: {list(s.index[s.index.duplicated()][:5])}"
            )
        if s.isna().any():
            raise DataError(f"migration_matrix: `{name}` has no tier for {int(s.isna().sum())} customers")

    def cats(s: pd.Series) -> list[str]:
        return list(s.cat.categories) if isinstance(s.dtype, pd.CategoricalDtype) else sorted(s.unique(), key=str)

    order = cats(b) + [c for c in cats(a) if c not in cats(b)]
    if absent_label in order:
        raise DataError(f"migration_matrix: absent_label {absent_label!r} is also a tier name; choose another")
    idx = b.index.union(a.index)

    def filled(s: pd.Series) -> np.ndarray:
        arr = s.astype(object).reindex(idx).to_numpy(dtype=object)
        arr[pd.isna(arr)] = absent_label
        return arr

    bb, aa = filled(b), filled(a)
    full = order + [absent_label]
    counts = pd.crosstab(pd.Categorical(bb, categories=full), pd.Categorical(aa, categories=full), dropna=False)
    counts.index = pd.Index(full, name="tier before")
    counts.columns = pd.Index(full, name="tier after")
    counts = counts.loc[(counts.sum(axis=1) > 0) | (counts.index != absent_label)]
    if not normalize:
        return counts.astype("int64")
    n = counts.sum(axis=1)
    props = counts.div(n.where(n > 0), axis=0).fillna(0.0)
    props["n"] = n.astype("int64")
    return props


def plot_tier_shares(profile: pd.DataFrame, ax=None):
    """Bars of each tier's share of customers beside its share of value (from :func:`tier_profile`).

    Parameters
    ----------
    profile : from :func:`tier_profile` (``customer_share``, ``value_share``; fractions).
    ax : matplotlib axes (a new figure when ``None``).

    Returns
    -------
    The figure; the bars are in percent.

    References
    ----------
    Zeithaml, Rust & Lemon (2001) (the pyramid: few customers, much value at the top).
    """
    import matplotlib.pyplot as plt

    from ..style import label_axes

    for col in ("customer_share", "value_share"):
        if col not in profile.columns:
            raise DataError(f"plot_tier_shares: column {col!r} missing; pass the result of tier_profile()")
    if ax is None:
        _, ax = plt.subplots()
    x = np.arange(len(profile))
    ax.bar(x - 0.2, 100 * profile["customer_share"], width=0.4, label="customers")
    ax.bar(x + 0.2, 100 * profile["value_share"], width=0.4, label="profit")
    ax.set_xticks(x, [str(t) for t in profile.index])
    ax.axhline(0, color="grey", lw=0.8)
    ax.legend()
    label_axes(ax, str(profile.index.name or "Tier").capitalize(), "Share (%)")
    return ax.figure


def plot_migration(migration: pd.DataFrame, ax=None):
    """Heatmap of a tier migration matrix in row percent (from :func:`migration_matrix`), cells annotated.

    Parameters
    ----------
    migration : row proportions from :func:`migration_matrix` (the ``n`` column is left out of the colours and
        written into the row labels).
    ax : matplotlib axes (a new figure when ``None``).

    Returns
    -------
    The figure (a sequential, colour-blind-safe map: viridis).

    References
    ----------
    Zeithaml, Rust & Lemon (2001); Crameri, Shephard & Heron (2020), The misuse of colour in science
    communication, *Nature Communications* 11, 5444 (sequential maps for magnitudes).
    """
    import matplotlib.pyplot as plt

    from ..style import label_axes

    if "n" not in migration.columns:
        raise DataError("plot_migration: column 'n' missing; pass the row proportions of migration_matrix()")
    m = 100 * migration.drop(columns="n")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 0.6 * len(m) + 1.6))
    im = ax.imshow(m.to_numpy(), cmap="viridis", vmin=0, vmax=100, aspect="auto")
    ax.grid(False)
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            v = m.iat[i, j]
            ax.text(j, i, f"{v:.0f}", ha="center", va="center", color="white" if v < 60 else "black")
    ax.set_xticks(range(m.shape[1]), [str(c) for c in m.columns])
    ax.set_yticks(range(m.shape[0]), [f"{t} (n = {int(n):,})" for t, n in migration["n"].items()])
    ax.figure.colorbar(im, ax=ax, label="Customers of the row (%)")
    label_axes(ax, "Tier in period 2", "Tier in period 1")
    return ax.figure
