"""Customer classes, customer states and loyalty types: rules with their thresholds as parameters.

* :func:`bank_classes`: the bank's four classes of the seed slides 003 (沉睡客户 sleeping, 低价值客户 low-value,
  有价值客户 valuable, 高附加值客户 high-value-added) from behaviour: a customer whose P(alive) (from a
  customer-base model of :mod:`crmlib.clv`) is below ``sleeping_below`` is sleeping; the others are cut by
  value (e.g. CLV) with a :class:`~crmlib.segment.tiers.TierRule`.
* :func:`customer_states`: the thesis's four states (潛在 potential, 目標 target, 現實 actual, 流失 lost;
  seed 004, sec. 2.1): people without a purchase are potential, or target when the firm has chosen to work on
  them; buyers are actual while P(alive) is at least ``lost_below`` and lost below it.
* :func:`loyalty_types`: the thesis's seven loyalty types (壟斷 monopoly, 惰性 inertia, 潛在 latent, 方便
  convenience, 價格 price, 激勵 incentive, 超值 super-value; seed 004, sec. 2.3.1, after Sindell) from survey
  scores on six dimensions (:func:`loyalty_scores`, items in ``data/loyalty_type_items.csv``).

Class sizes and value: :func:`crmlib.segment.tier_profile` (values, classes); loyalty type sizes and the mean of
any value or outcome per type: :func:`loyalty_profile`.

References
----------
Dick, A. S. & Basu, K. (1994). Customer loyalty: toward an integrated conceptual framework. *Journal of the
    Academy of Marketing Science* 22(2), 99-113 (relative attitude x repeat patronage: true, latent, spurious
    and no loyalty).
Griffin, J. (2002). *Customer Loyalty: How to Earn It, How to Keep It*, 2nd ed. Jossey-Bass, ch. 2.
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way. *Marketing Science*
    24(2), 275-284 (P(alive)).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from .._checks import check_probability, require_columns, rows_text
from ..datasets import data_dir
from ..exceptions import DataError
from .tiers import TierRule, assign_tiers

__all__ = [
    "BANK_CLASSES",
    "BANK_CLASS_RULE",
    "CUSTOMER_STATES",
    "LOYALTY_DIMENSIONS",
    "LOYALTY_TYPES",
    "LOYALTY_TYPE_LABELS",
    "bank_classes",
    "customer_states",
    "load_loyalty_items",
    "loyalty_profile",
    "loyalty_scores",
    "loyalty_types",
]

BANK_CLASS_RULE = TierRule(names=("high_value_added", "valuable", "low_value"), cuts=(0.1, 0.4))
"""Default cut of the customers who are not sleeping: top 10 % by value high-value-added, next 30 % valuable,
the rest low-value (crmlib's choice; the slides give no shares)."""
BANK_CLASSES: tuple[str, ...] = (*BANK_CLASS_RULE.names, "sleeping")
CUSTOMER_STATES: tuple[str, ...] = ("potential", "target", "actual", "lost")
LOYALTY_DIMENSIONS: tuple[str, ...] = ("attitude", "repeat", "no_alternative", "convenience", "price", "incentive")
LOYALTY_TYPES: tuple[str, ...] = (
    "super_value",
    "monopoly",
    "price",
    "incentive",
    "convenience",
    "inertia",
    "latent",
    "none",
)
"""The seven types and ``none`` (low attitude, low repeat: not loyal), in the order the rule tests them."""
LOYALTY_TYPE_LABELS: dict[str, str] = {
    "super_value": "Super-value 超值",
    "monopoly": "Monopoly 壟斷",
    "price": "Price 價格",
    "incentive": "Incentive 激勵",
    "convenience": "Convenience 方便",
    "inertia": "Inertia 惰性",
    "latent": "Latent 潛在",
    "none": "Not loyal",
}
"""Reader's label of each loyalty type, with the thesis's (Traditional Chinese) term."""
_DRIVERS = (
    ("no_alternative", "monopoly"),
    ("price", "price"),
    ("incentive", "incentive"),
    ("convenience", "convenience"),
)


def _series(values, name: str, index=None) -> pd.Series:
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values), index=index)
    x = pd.to_numeric(s, errors="coerce").astype("float64")
    bad = ~np.isfinite(x.to_numpy())
    if bad.any():
        raise DataError(f"{name} is missing or not a finite number in {rows_text(bad, x.index)}")
    return x


def bank_classes(
    values: pd.Series, p_alive: pd.Series, *, sleeping_below: float = 0.3, rule: TierRule = BANK_CLASS_RULE
) -> pd.Series:
    """The bank's classes: sleeping by P(alive), the others by value.

    Parameters
    ----------
    values : value per customer (e.g. CLV or last year's margin; currency units), indexed by customer.
    p_alive : P(alive) per customer (e.g. ``BGNBDModel.probability_alive``), same index; a probability.
    sleeping_below : P(alive) below which a customer is sleeping (share in [0, 1]).
    rule : how the customers who are not sleeping are cut by value (three names, top down).

    Returns
    -------
    Categorical Series (categories: the rule's names, then ``sleeping``) indexed like ``values``.

    References
    ----------
    Seed slides 003 (bank customer classes); Fader, Hardie & Lee (2005) for P(alive).
    """
    v = _series(values, "values")
    p = _series(p_alive, "p_alive", v.index)
    if not p.index.equals(v.index):
        raise DataError("p_alive must be indexed like values (one P(alive) per customer)")
    check_probability(p.to_numpy(), "p_alive")
    sleeping_below = float(check_probability(sleeping_below, "sleeping_below"))
    asleep = (p < sleeping_below).to_numpy()
    labels = pd.Series("sleeping", index=v.index, dtype=object)
    if (~asleep).any():
        labels[~asleep] = assign_tiers(v[~asleep], rule).astype(object)
    return pd.Series(pd.Categorical(labels, categories=[*rule.tiers, "sleeping"]), index=v.index, name="class")


def customer_states(
    purchases: pd.Series, p_alive: pd.Series, targeted: pd.Series | None = None, *, lost_below: float = 0.3
) -> pd.Series:
    """The four customer states: potential, target, actual, lost.

    Parameters
    ----------
    purchases : purchases per person so far (0 for a prospect), indexed by person; a count.
    p_alive : P(alive) per person (ignored for prospects; give any number, e.g. 1), same index.
    targeted : True for a prospect the firm has chosen to work on (a campaign list); ``None``: nobody.
    lost_below : P(alive) below which a buyer is lost (share in [0, 1]).

    Returns
    -------
    Categorical Series (categories :data:`CUSTOMER_STATES`) indexed like ``purchases``.

    References
    ----------
    Seed thesis 004, sec. 2.1 (the four states); Fader, Hardie & Lee (2005) for P(alive).
    """
    n = _series(purchases, "purchases")
    if (n < 0).any() or (n != np.floor(n)).any():
        bad = ((n < 0) | (n != np.floor(n))).to_numpy()
        raise DataError(f"purchases must be whole numbers >= 0; not in {rows_text(bad, n.index)}")
    p = _series(p_alive, "p_alive", n.index)
    lost_below = float(check_probability(lost_below, "lost_below"))
    t = pd.Series(False, index=n.index) if targeted is None else pd.Series(targeted, index=n.index)
    if t.isna().any() or not t.isin([True, False, 0, 1]).all():
        raise DataError(f"targeted must be True or False; not in {rows_text(~t.isin([True, False, 0, 1]), t.index)}")
    buyer = (n > 0).to_numpy()
    state = np.where(
        buyer, np.where(p.to_numpy() < lost_below, "lost", "actual"), np.where(t.astype(bool), "target", "potential")
    )
    return pd.Series(pd.Categorical(state, categories=CUSTOMER_STATES), index=n.index, name="state")


def load_loyalty_items(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The loyalty-type items (``data/loyalty_type_items.csv``): ``item``, ``dimension``, wording in EN/ZH/KO.

    Parameters
    ----------
    path : a file of the same layout instead of the bundled one.

    References
    ----------
    Dick & Basu (1994); Griffin (2002), ch. 2 (the drivers of each type).
    """
    p = os.fspath(path) if path is not None else data_dir() / "loyalty_type_items.csv"
    items = pd.read_csv(p, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")
    require_columns(items, ["item", "dimension", "wording_en", "wording_zh", "wording_ko"], "loyalty items")
    bad = ~items["dimension"].isin(LOYALTY_DIMENSIONS)
    if bad.any():
        raise DataError(
            f"loyalty items: column 'dimension' must be one of {list(LOYALTY_DIMENSIONS)} in {rows_text(bad)}"
        )
    return items


def loyalty_scores(data: pd.DataFrame, items: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each respondent's score on the six loyalty dimensions: the mean of the dimension's items.

    Parameters
    ----------
    data : respondents by items (answers 1-7; a missing answer is left out of its mean).
    items : the item table (:func:`load_loyalty_items`; default the bundled one).

    Returns
    -------
    DataFrame indexed like ``data`` with one column per dimension (answer-scale units).

    Raises
    ------
    DataError
        an item missing from ``data``, or a respondent without any answer on a dimension (rows named).

    References
    ----------
    Dick & Basu (1994): relative attitude and repeat patronage as separate measures.
    """
    items = load_loyalty_items() if items is None else items
    require_columns(data, list(items["item"]), "loyalty survey")
    out = pd.DataFrame(index=data.index)
    for dim in LOYALTY_DIMENSIONS:
        cols = list(items.loc[items["dimension"] == dim, "item"])
        answers = data[cols].apply(pd.to_numeric, errors="coerce")
        out[dim] = answers.mean(axis=1)
        empty = out[dim].isna().to_numpy()
        if empty.any():
            raise DataError(f"loyalty survey: no answer on the {dim!r} items {cols} in {rows_text(empty, data.index)}")
    return out


def loyalty_types(scores: pd.DataFrame, *, high: float = 5.0) -> pd.Series:
    """The seven loyalty types (and ``none``) from dimension scores, by a rule with one threshold.

    A score ``>= high`` is high. Repeat high and attitude high: super-value. Repeat high, attitude not high:
    the strongest high driver among no alternative (monopoly), price, incentive and convenience (ties in that
    order); none high: inertia. Repeat not high: latent when attitude is high, else ``none``.

    Parameters
    ----------
    scores : respondents by the six dimensions (:func:`loyalty_scores`; answer-scale units).
    high : the score from which a dimension counts as high (answer-scale units; 5 on a 1-7 scale).

    Returns
    -------
    Categorical Series (categories :data:`LOYALTY_TYPES`) indexed like ``scores``.

    References
    ----------
    Seed thesis 004, sec. 2.3.1; Dick & Basu (1994), fig. 2 (true / latent / spurious / no loyalty);
    Griffin (2002), ch. 2.
    """
    require_columns(scores, list(LOYALTY_DIMENSIONS), "loyalty scores")
    s = scores[list(LOYALTY_DIMENSIONS)].apply(pd.to_numeric, errors="coerce")
    bad = s.isna().any(axis=1).to_numpy()
    if bad.any():
        raise DataError(f"loyalty scores: a dimension score is missing in {rows_text(bad, s.index)}")
    high = float(_series(pd.Series([high]), "high").iloc[0])
    att, rep = (s["attitude"] >= high).to_numpy(), (s["repeat"] >= high).to_numpy()
    drivers = s[[d for d, _ in _DRIVERS]].to_numpy()
    strongest = np.array([t for _, t in _DRIVERS], dtype=object)[drivers.argmax(axis=1)]
    driven = np.where(drivers.max(axis=1) >= high, strongest, "inertia")
    label = np.where(rep, np.where(att, "super_value", driven), np.where(att, "latent", "none"))
    return pd.Series(pd.Categorical(label, categories=LOYALTY_TYPES), index=s.index, name="loyalty_type")


def loyalty_profile(types: pd.Series, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Size of each loyalty type and the mean of ``columns`` (value, satisfaction, ...) per type.

    Parameters
    ----------
    types : loyalty type per respondent (:func:`loyalty_types`), indexed like ``frame``.
    frame : respondents with the numeric ``columns``; a missing value is left out of its type's mean.
    columns : the columns averaged per type (their own units, e.g. delivered value in scale points).

    Returns
    -------
    DataFrame indexed by type (all :data:`LOYALTY_TYPES`, empty ones with 0 respondents and blank means):
    ``n`` (respondents), ``share`` (of all respondents, 0-1) and one mean per column.

    Raises
    ------
    DataError
        ``types`` not indexed like ``frame`` or missing for some respondents (rows named), a column absent or
        not numeric.

    References
    ----------
    Seed thesis 004, sec. 2.3.1 (the seven types); Dick & Basu (1994).
    """
    if isinstance(columns, str):
        raise DataError(f"columns must be a list of column names, not the text {columns!r}")
    require_columns(frame, list(columns), "loyalty profile")
    t = pd.Series(types)
    if not t.index.equals(frame.index):
        raise DataError("types must be indexed like frame (one loyalty type per respondent)")
    bad = t.isna() | ~t.isin(LOYALTY_TYPES)
    if bad.any():
        raise DataError(f"types must be one of {list(LOYALTY_TYPES)}; not in {rows_text(bad.to_numpy(), t.index)}")
    for c in columns:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            raise DataError(f"loyalty profile: column {c!r} is not numeric")
    key = pd.Categorical(t.astype(str), categories=LOYALTY_TYPES)
    g = frame[list(columns)].astype(float).groupby(key, observed=False)
    out = pd.DataFrame({"n": g.size().astype("int64")})
    out["share"] = out["n"] / len(t)
    out = out.join(g.mean())
    out.index.name = "loyalty_type"
    return out
