"""Customer tiers, tier migration and multi-indicator customer evaluation.

Tiers
    A :class:`TierRule` names the tiers from the top down and says where to
    cut: by the share of customers ranked by value (``on="share"``) or by
    thresholds on the value itself (``on="value"``), optionally with a tier
    for customers who lose money. Two rules are built in:

    * :data:`PYRAMID` - the customer pyramid of Zeithaml, Rust & Lemon
      (2001): platinum, gold, iron and lead (the customers who cost money);
    * :data:`THESIS` - diamond, gold and the third tier of the S-company
      thesis (its Table 3; see :func:`crmlib.datasets.load_thesis_tiers`).

    Neither source prescribes the shares. The defaults here (top 10 %, next
    20 %, the rest) are crmlib's choice and are meant to be changed.
    :func:`assign_tiers`, :func:`tier_profile` and :func:`migration_matrix`
    use them.

Multi-indicator evaluation
    :func:`normalise_indicators`, :func:`entropy_weights` (Shannon's entropy
    weight method), :func:`ahp_weights` (Saaty's principal-eigenvector
    weights with the consistency ratio) and :func:`score_customers` score and
    rank customers on several indicators, as the customer evaluation index
    system of the electricity-supply paper (shared seed 001, part 3)
    proposes.

References
----------
Zeithaml, V. A., Rust, R. T. & Lemon, K. N. (2001). The customer pyramid:
    creating and serving profitable customers. *California Management
    Review* 43(4), 118-142.
Saaty, T. L. (1977). A scaling method for priorities in hierarchical
    structures. *Journal of Mathematical Psychology* 15(3), 234-281.
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process.
    *European Journal of Operational Research* 48(1), 9-26.
Saaty, T. L. (2008). Decision making with the analytic hierarchy process.
    *International Journal of Services Sciences* 1(1), 83-98.
Shannon, C. E. (1948). A mathematical theory of communication. *Bell System
    Technical Journal* 27, 379-423; the entropy weight method as in
    Zou, Yun & Sun (2006), *Journal of Environmental Sciences* 18(5),
    1020-1023 (the entropy weight formulas, min-max standardised data).
Xu, X. (2004). A note on the subjective and objective integrated approach
    to determine attribute weights. *European Journal of Operational
    Research* 156(2), 530-532 (a worked entropy-weight example on raw
    proportions, used as the test oracle).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .exceptions import DataError, DataWarning

__all__ = [
    "TierRule",
    "PYRAMID",
    "THESIS",
    "TIER_RULES",
    "assign_tiers",
    "tier_profile",
    "migration_matrix",
    "normalise_indicators",
    "EntropyWeights",
    "entropy_weights",
    "RANDOM_INDEX",
    "AHPResult",
    "ahp_weights",
    "score_customers",
]


# --------------------------------------------------------------------------------------------
# tiers
# --------------------------------------------------------------------------------------------


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
        names = tuple(str(n) for n in self.names)
        cuts = tuple(float(c) for c in self.cuts)
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

THESIS = TierRule(names=("diamond", "gold", "third"), cuts=(0.10, 0.30), on="share")
"""Diamond / gold / third tier of the S-company thesis (Table 3): top 10 %, next 20 %, rest. The thesis
tiers by assets, turnover and fees without shares; the shares are crmlib's defaults."""

TIER_RULES: dict[str, TierRule] = {"pyramid": PYRAMID, "thesis": THESIS}


def _rule(rule: str | TierRule) -> TierRule:
    if isinstance(rule, TierRule):
        return rule
    if rule in TIER_RULES:
        return TIER_RULES[rule]
    raise DataError(f"unknown tier rule {rule!r}; use one of {sorted(TIER_RULES)} or a TierRule")


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
    rule : ``"pyramid"`` (:data:`PYRAMID`), ``"thesis"`` (:data:`THESIS`) or
        a :class:`TierRule`.

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
    """
    v = _values(values, "tier_profile")
    t = pd.Series(tiers)
    missing = v.index.difference(t.index)
    if len(missing):
        raise DataError(f"tier_profile: {len(missing)} customers have a value but no tier, e.g. {list(missing[:5])}")
    t = t.reindex(v.index)
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
    total = v.sum()
    prof.insert(3, "value_share", prof["total"] / total if total != 0 else np.nan)
    if extra is not None:
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


# --------------------------------------------------------------------------------------------
# multi-indicator evaluation
# --------------------------------------------------------------------------------------------


def _indicator_frame(X: pd.DataFrame, what: str) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        X = pd.DataFrame(X)
    if X.shape[0] < 2 or X.shape[1] < 1:
        raise DataError(f"{what}: need at least 2 customers and 1 indicator, got shape {X.shape}")
    out = X.apply(pd.to_numeric, errors="coerce").astype("float64")
    for c in out.columns:
        bad = ~np.isfinite(out[c].to_numpy())
        if bad.any():
            raise DataError(
                f"{what}: indicator {c!r} is missing or not a finite number for {int(bad.sum())} "
                f"customers ({list(out.index[bad][:5])})"
            )
    return out


def _benefit_flags(columns: pd.Index, benefit: Mapping[str, bool] | Sequence[bool] | None, what: str) -> np.ndarray:
    if benefit is None:
        return np.ones(len(columns), dtype=bool)
    if isinstance(benefit, Mapping):
        unknown = [k for k in benefit if k not in columns]
        if unknown:
            raise DataError(f"{what}: `benefit` names indicators that are not columns: {unknown}")
        return np.array([bool(benefit.get(c, True)) for c in columns])
    flags = np.asarray(list(benefit), dtype=bool)
    if flags.size != len(columns):
        raise DataError(f"{what}: `benefit` has {flags.size} flags for {len(columns)} indicators")
    return flags


def normalise_indicators(
    X: pd.DataFrame,
    benefit: Mapping[str, bool] | Sequence[bool] | None = None,
    method: Literal["minmax", "none"] = "minmax",
) -> pd.DataFrame:
    """Put indicators on a common 0-1 scale where larger is better.

    ``minmax``: ``(x - min) / (max - min)`` for a benefit indicator (more is
    better), ``(max - x) / (max - min)`` for a cost indicator (less is
    better, e.g. recency in days, complaints). ``none``: the raw values
    (they must be >= 0; only benefit indicators allowed).

    Raises
    ------
    DataError : for a constant indicator (it cannot rank anyone: drop it).
    """
    what = "normalise_indicators"
    Z = _indicator_frame(X, what)
    flags = _benefit_flags(Z.columns, benefit, what)
    if method == "none":
        if not flags.all():
            raise DataError(
                f"{what}: method='none' cannot reverse cost indicators {list(Z.columns[~flags])}; use method='minmax'"
            )
        neg = [c for c in Z.columns if (Z[c] < 0).any()]
        if neg:
            raise DataError(f"{what}: method='none' needs non-negative indicators; {neg} have negative values")
        return Z
    if method != "minmax":
        raise DataError(f"{what}: method must be 'minmax' or 'none', got {method!r}")
    lo, hi = Z.min(), Z.max()
    const = list(Z.columns[(hi - lo).to_numpy() == 0])
    if const:
        raise DataError(
            f"{what}: indicators {const} are constant over all customers; they cannot discriminate "
            "between customers, drop them"
        )
    rng = hi - lo
    out = (Z - lo) / rng
    out.loc[:, ~flags] = 1.0 - out.loc[:, ~flags]
    return out


@dataclass(frozen=True)
class EntropyWeights:
    """Result of :func:`entropy_weights`: ``weights`` (sum 1), ``entropy`` e_j in [0, 1], ``divergence`` 1 - e_j."""

    weights: pd.Series
    entropy: pd.Series
    divergence: pd.Series

    def summary(self) -> pd.DataFrame:
        """One row per indicator: entropy e_j, divergence 1 - e_j and weight w_j (dimensionless)."""
        return pd.DataFrame({"entropy": self.entropy, "divergence": self.divergence, "weight": self.weights})


def entropy_weights(
    X: pd.DataFrame,
    benefit: Mapping[str, bool] | Sequence[bool] | None = None,
    method: Literal["minmax", "none"] = "minmax",
) -> EntropyWeights:
    """Objective indicator weights by Shannon's entropy weight method.

    With m customers and normalised indicators ``z_ij`` (see
    :func:`normalise_indicators`)::

        p_ij = z_ij / sum_i z_ij
        e_j  = -(1 / ln m) sum_i p_ij ln p_ij        (0 ln 0 = 0)
        d_j  = 1 - e_j
        w_j  = d_j / sum_j d_j

    (Zou, Yun & Sun 2006). An indicator whose values are spread
    evenly (e_j near 1) gets little weight; one concentrated on few
    customers gets much.

    The normalisation matters: ``method="none"`` uses the raw values,
    ``p_ij = x_ij / sum_i x_ij`` (the classic form, e.g. the worked example
    of Xu 2004, whose weights 0.4630, 0.3992, 0.1378, 0.0000 this function
    reproduces); the default ``"minmax"`` first rescales each indicator to
    [0, 1] (Zou, Yun & Sun 2006), which can change the weights a lot
    (a nearly constant indicator is stretched to the full range).

    Returns
    -------
    :class:`EntropyWeights`.
    """
    what = "entropy_weights"
    Z = normalise_indicators(X, benefit, method)
    m = Z.shape[0]
    z = Z.to_numpy()
    colsum = z.sum(axis=0)
    zero = list(Z.columns[colsum <= 0])
    if zero:
        raise DataError(f"{what}: indicators {zero} sum to zero over all customers")
    p = z / colsum
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(m)
    d = 1.0 - e
    if d.sum() <= 0:
        raise DataError(f"{what}: every indicator has maximal entropy (all spread evenly); weights are undefined")
    w = d / d.sum()
    idx = Z.columns
    return EntropyWeights(
        weights=pd.Series(w, index=idx, name="weight"),
        entropy=pd.Series(e, index=idx, name="entropy"),
        divergence=pd.Series(d, index=idx, name="divergence"),
    )


RANDOM_INDEX: dict[str, dict[int, float]] = {
    # Saaty (1980), The Analytic Hierarchy Process (average CI of random reciprocal matrices drawn
    # from the 1-9 scale), the classic table, reproduced in Saaty (1990), EJOR 48(1).
    "saaty1980": {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49},
    # Saaty (2008), Int. J. Services Sciences 1(1), 83-98, the random index table of that paper.
    "saaty2008": {1: 0.0, 2: 0.0, 3: 0.52, 4: 0.89, 5: 1.11, 6: 1.25, 7: 1.35, 8: 1.40, 9: 1.45, 10: 1.49},
}
"""Saaty's random consistency index RI by matrix order n, in two published versions."""


@dataclass(frozen=True)
class AHPResult:
    """Result of :func:`ahp_weights`.

    Attributes
    ----------
    weights : principal right eigenvector, normalised to sum 1.
    lambda_max : principal eigenvalue (>= n for a reciprocal matrix).
    ci : consistency index ``(lambda_max - n) / (n - 1)``.
    ri : random index for n (from ``ri_table``).
    cr : consistency ratio ``ci / ri`` (0 for n <= 2, where every reciprocal
        matrix is consistent).
    consistent : ``cr <= threshold`` (Saaty's 0.10).
    n, ri_table, threshold : matrix order, RI table used, CR threshold.
    """

    weights: pd.Series
    lambda_max: float
    ci: float
    ri: float
    cr: float
    consistent: bool
    n: int
    ri_table: str
    threshold: float

    def summary(self) -> pd.DataFrame:
        """The consistency figures as a one-column table."""
        rows = {
            "n": float(self.n),
            "lambda_max": self.lambda_max,
            "CI": self.ci,
            f"RI ({self.ri_table})": self.ri,
            "CR": self.cr,
            "CR threshold": self.threshold,
            "consistent (1 = CR <= threshold)": float(self.consistent),
        }
        return pd.DataFrame({"value": pd.Series(rows, dtype="float64")})


def ahp_weights(
    matrix: pd.DataFrame | np.ndarray,
    labels: Sequence[str] | None = None,
    *,
    ri_table: Literal["saaty1980", "saaty2008"] = "saaty1980",
    threshold: float = 0.10,
    tol: float = 0.01,
    warn: bool = True,
) -> AHPResult:
    """AHP priority weights with Saaty's consistency ratio.

    The weights are the principal right eigenvector ``w`` of the pairwise
    comparison matrix ``A`` (``A w = lambda_max w``), normalised to sum 1
    (Saaty 1977; Saaty 1990). Consistency:
    ``CI = (lambda_max - n) / (n - 1)`` and ``CR = CI / RI(n)`` with Saaty's
    random index (``ri_table="saaty1980"``: 0.58, 0.90, 1.12, 1.24, 1.32,
    1.41, 1.45, 1.49 for n = 3..10; ``"saaty2008"``: 0.52, 0.89, 1.11, 1.25,
    1.35, 1.40, 1.45, 1.49). A CR above ``threshold`` (0.10) means the
    judgements should be revised; a :class:`DataWarning` says so.

    Parameters
    ----------
    matrix : n x n positive reciprocal matrix, ``a_ij`` = importance of
        criterion i over j on Saaty's 1-9 scale, ``a_ji = 1 / a_ij``, unit
        diagonal. A DataFrame supplies the labels.
    labels : criterion names (default: the DataFrame's index, or c1..cn).
    tol : relative tolerance of the reciprocity check
        ``|a_ij a_ji - 1| <= tol`` (0.01 accepts 0.33 for 1/3).

    Raises
    ------
    DataError : a non-square matrix, non-positive or missing entries, a
        diagonal entry other than 1, or a non-reciprocal pair (naming the
        cell), or n above 10 (beyond the RI table).
    """
    what = "ahp_weights"
    if isinstance(matrix, pd.DataFrame):
        A = matrix.apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64")
        if labels is None:
            labels = [str(x) for x in matrix.index]
    else:
        A = np.asarray(matrix, dtype="float64")
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise DataError(f"{what}: the comparison matrix must be square, got shape {A.shape}")
    n = A.shape[0]
    labels = list(labels) if labels is not None else [f"c{i + 1}" for i in range(n)]
    if len(labels) != n:
        raise DataError(f"{what}: {len(labels)} labels for a {n} x {n} matrix")
    if ri_table not in RANDOM_INDEX:
        raise DataError(f"{what}: ri_table must be one of {sorted(RANDOM_INDEX)}, got {ri_table!r}")
    if n not in RANDOM_INDEX[ri_table]:
        raise DataError(f"{what}: the {ri_table} random index table covers n = 1..10; the matrix has n = {n}")
    bad = ~np.isfinite(A) | (A <= 0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise DataError(f"{what}: entries must be positive numbers; cell ({labels[i]!r}, {labels[j]!r}) is {A[i, j]!r}")
    diag = np.flatnonzero(np.abs(np.diag(A) - 1.0) > tol)
    if diag.size:
        i = diag[0]
        raise DataError(f"{what}: the diagonal must be 1; cell ({labels[i]!r}, {labels[i]!r}) is {A[i, i]:g}")
    dev = np.abs(A * A.T - 1.0)
    iu = np.triu_indices(n, 1)
    offend = np.flatnonzero(dev[iu] > tol)
    if offend.size:
        i, j = iu[0][offend[0]], iu[1][offend[0]]
        raise DataError(
            f"{what}: the matrix is not reciprocal: cell ({labels[i]!r}, {labels[j]!r}) = {A[i, j]:g} "
            f"but cell ({labels[j]!r}, {labels[i]!r}) = {A[j, i]:g}, not 1/{A[i, j]:g} = "
            f"{1 / A[i, j]:.4g} ({offend.size} pair(s) fail)"
        )
    vals, vecs = np.linalg.eig(A)
    k = int(np.argmax(vals.real))
    lam = float(vals[k].real)
    w = np.abs(vecs[:, k].real)
    w = w / w.sum()
    ri = RANDOM_INDEX[ri_table][n]
    ci = (lam - n) / (n - 1) if n > 1 else 0.0
    ci = max(ci, 0.0) if abs(ci) < 1e-12 else ci
    cr = ci / ri if ri > 0 else 0.0
    consistent = bool(cr <= threshold)
    if warn and not consistent:
        warnings.warn(
            f"AHP consistency ratio {cr:.3f} exceeds {threshold:g} (lambda_max = {lam:.3f}, n = {n}, "
            f"RI = {ri} from {ri_table}); revise the pairwise judgements",
            DataWarning,
            stacklevel=2,
        )
    return AHPResult(
        weights=pd.Series(w, index=labels, name="weight"),
        lambda_max=lam,
        ci=float(ci),
        ri=ri,
        cr=float(cr),
        consistent=consistent,
        n=n,
        ri_table=ri_table,
        threshold=threshold,
    )


def score_customers(
    X: pd.DataFrame,
    weights: pd.Series | Mapping[str, float],
    benefit: Mapping[str, bool] | Sequence[bool] | None = None,
    method: Literal["minmax", "none"] = "minmax",
) -> pd.DataFrame:
    """Weighted multi-indicator score and ranking of customers.

    ``score_i = sum_j w_j z_ij`` with ``z`` from :func:`normalise_indicators`
    (so with ``minmax`` the score lies in [0, 1]); rank 1 is the best
    customer (ties share the better rank).

    Parameters
    ----------
    X : indicators per customer (rows) and indicator (columns).
    weights : one weight per indicator (index = column names), >= 0,
        summing to 1 (from :func:`entropy_weights`, :func:`ahp_weights` or
        chosen by hand).

    Returns
    -------
    DataFrame indexed like ``X`` with ``score`` and ``rank``, sorted by rank.
    """
    what = "score_customers"
    Z = normalise_indicators(X, benefit, method)
    w = pd.Series(weights, dtype="float64")
    missing = [c for c in Z.columns if c not in w.index]
    extra = [c for c in w.index if c not in Z.columns]
    if missing or extra:
        raise DataError(
            f"{what}: weights and indicators differ: no weight for {missing}, weight without indicator for {extra}"
        )
    w = w.reindex(Z.columns)
    if (w < 0).any() or not np.isfinite(w).all():
        raise DataError(
            f"{what}: weights must be non-negative numbers; {list(w.index[(w < 0) | ~np.isfinite(w)])} are not"
        )
    if abs(w.sum() - 1.0) > 1e-6:
        raise DataError(f"{what}: weights must sum to 1, they sum to {w.sum():.6g}")
    score = Z.to_numpy() @ w.to_numpy()
    out = pd.DataFrame({"score": score}, index=Z.index)
    out["rank"] = out["score"].rank(method="min", ascending=False).astype("int64")
    return out.sort_values(["rank"], kind="stable")
