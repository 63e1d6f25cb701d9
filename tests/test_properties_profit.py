"""Property tests of profit concentration and value tiers: a plain computation or DataError, nothing else.

Issue 14 ("tests sorted by intent"). For generated profit vectors (losses,
ties, single customers, large and tiny values) each call either equals an
independent computation written here or raises
:class:`crmlib.exceptions.DataError`:

* whale curve (Kaplan & Narayanan 2001): customers sorted by profit (Python's
  ``sorted``), cumulative sums, percentages of the total;
* Gini: the mean-difference definition ``sum_i sum_j |x_i - x_j| / (2 n^2 mean)``
  by pairwise differences (``crmlib.profit.gini``'s docstring);
* concentration: the ``ceil(q n)`` most profitable customers' share, the
  shares of customers with profit < 0 and <= 0, the whale curve's peak;
* tiers (Zeithaml, Rust & Lemon 2001): a customer's position is the number of
  customers with a larger value plus one over n; tier shares and value shares
  from ``value_counts`` and group sums.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crmlib.exceptions import DataError
from crmlib.profit import concentration, gini, whale_curve
from crmlib.segment import TierRule, assign_tiers, tier_profile

PROPS = settings(max_examples=80, deadline=None, derandomize=True, database=None)

# profits in whole cents (exact sums), with losses, ties and zeros
_cents = st.integers(-200_000, 1_000_000).map(lambda c: c / 100)
profits = st.lists(_cents, min_size=1, max_size=40)


def _positive_total(x: list[float]) -> bool:
    return math.fsum(x) > 0


# --------------------------------------------------------------------------------------------
# whale curve, Gini, concentration
# --------------------------------------------------------------------------------------------


@PROPS
@given(x=profits)
def test_consistency_whale_curve_is_sorted_cumulative_share(x):
    """Whale curve = origin, then customers by profit (largest first) with cumulative % of total; or DataError."""
    total = math.fsum(x)
    if total <= 0:
        with pytest.raises(DataError, match="total profit"):
            whale_curve(pd.Series(x))
        return
    curve = whale_curve(pd.Series(x))
    desc = sorted(x, reverse=True)
    n = len(x)
    cum = [0.0]
    for v in desc:
        cum.append(cum[-1] + v)
    assert curve["rank"].tolist() == list(range(n + 1))
    np.testing.assert_allclose(curve["customer_pct"], [100 * k / n for k in range(n + 1)], rtol=1e-12)
    np.testing.assert_allclose(curve["profit"], [0.0, *desc])
    np.testing.assert_allclose(curve["cumulative_profit"], cum, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(curve["cumulative_profit_pct"], [100 * c / total for c in cum], rtol=1e-9, atol=1e-9)
    assert curve["cumulative_profit_pct"].iloc[-1] == pytest.approx(100.0)
    assert curve["cumulative_profit_pct"].max() >= 100.0 - 1e-9


@PROPS
@given(x=profits)
def test_consistency_gini_matches_mean_difference(x):
    """G = sum |x_i - x_j| / (2 n^2 mean) without losses, / (2 (n - 1) sum |x|) with them (Raffinetti, Siletti &
    Vernizzi 2015), always in [0, 1]; DataError when the total is not positive."""
    if not _positive_total(x):
        with pytest.raises(DataError, match="not positive"):
            gini(np.array(x))
        return
    a = np.array(x)
    n, diffs = len(a), np.abs(a[:, None] - a[None, :]).sum()
    want = diffs / (2 * n**2 * a.mean()) if (a >= 0).all() else diffs / (2 * (n - 1) * np.abs(a).sum())
    got = gini(a)
    assert np.isfinite(got)
    assert got == pytest.approx(want, rel=1e-9, abs=1e-12)
    assert -1e-12 <= got <= 1.0 + 1e-12  # equal profits give 0 up to rounding (-2.2e-16 for [0.35, 0.35])


@PROPS
@given(x=profits, q=st.sampled_from([0.01, 0.1, 0.2, 1 / 3, 0.5, 0.99, 1.0]))
def test_consistency_concentration_matches_sorted_shares(x, q):
    """Top-q share = profit of the ceil(q n) best customers / total; loss shares; whale peak; Gini."""
    assume(_positive_total(x))
    got = concentration(pd.Series(x), top=(q,))
    n, total, desc = len(x), math.fsum(x), sorted(x, reverse=True)
    k = math.ceil(round(q * n, 9))
    running = [math.fsum(desc[:j]) for j in range(n + 1)]
    peak = max(range(n + 1), key=lambda j: (running[j], -j))  # first maximum
    assert got["n_customers"] == n
    assert got["total_profit"] == pytest.approx(total, rel=1e-12)
    assert got["share_unprofitable"] == pytest.approx(sum(v < 0 for v in x) / n)
    assert got["share_no_profit"] == pytest.approx(sum(v <= 0 for v in x) / n)
    assert got[f"top_{100 * q:g}pct_profit_pct"] == pytest.approx(100 * running[k] / total, rel=1e-9)
    assert got["whale_peak_pct"] == pytest.approx(100 * running[peak] / total, rel=1e-9)
    assert got["whale_peak_customer_pct"] == pytest.approx(100 * peak / n, rel=1e-9, abs=1e-9)
    assert got["gini"] == pytest.approx(gini(np.array(x)))
    assert np.isfinite(got.to_numpy()).all()


@PROPS
@given(
    x=profits,
    bad=st.sampled_from([np.nan, np.inf, -np.inf]),
    where=st.integers(0, 100),
    fn=st.sampled_from([whale_curve, gini, concentration]),
)
def test_inputchecks_nonfinite_profit_is_dataerror(x, bad, where, fn):
    """A missing or infinite profit is a DataError naming how many customers, never NaN in the result."""
    x = list(x)
    x[where % len(x)] = bad
    with pytest.raises(DataError, match="missing or infinite for 1 customers"):
        fn(pd.Series(x))


@pytest.mark.parametrize("fn", [whale_curve, gini, concentration])
def test_inputchecks_empty_profit_is_dataerror(fn):
    """No customers: DataError, not an empty curve or 0/0."""
    with pytest.raises(DataError, match="no customers"):
        fn(pd.Series([], dtype="float64"))


@PROPS
@given(
    x=st.lists(_cents.filter(lambda v: v > 0), min_size=1, max_size=20),
    q=st.sampled_from([-0.1, 1.5, 2.0, float("nan")]),
)
def test_inputchecks_concentration_top_outside_unit_interval(x, q):
    """A top share outside [0, 1] (or NaN) is a DataError naming ``top``."""
    with pytest.raises(DataError, match="top"):
        concentration(pd.Series(x), top=(q,))


# --------------------------------------------------------------------------------------------
# tiers and tier shares
# --------------------------------------------------------------------------------------------

rules = st.sampled_from(
    [
        TierRule(names=("top", "middle", "rest"), cuts=(0.1, 0.3)),
        TierRule(names=("a", "b"), cuts=(0.5,)),
        TierRule(names=("platinum", "gold", "iron"), cuts=(0.2, 0.5), loss_tier="lead"),
        TierRule(names=("q1", "q2", "q3", "q4"), cuts=(0.25, 0.5, 0.75)),
    ]
)


def _oracle_tiers(x: list[float], rule: TierRule) -> list[str]:
    n, out = len(x), []
    for v in x:
        rank = 1 + sum(w > v for w in x)  # "min" rank, most valuable first
        k = sum(c * n < rank - 1e-9 for c in rule.cuts)  # first tier whose cut reaches rank / n
        out.append(rule.loss_tier if rule.loss_tier and v < 0 else rule.names[k])
    return out


@PROPS
@given(x=profits, rule=rules)
def test_consistency_assign_tiers_by_share(x, rule):
    """Tier of each customer from its min rank / n against the cuts; losses to the loss tier."""
    values = pd.Series(x, index=[f"c{i}" for i in range(len(x))])
    got = assign_tiers(values, rule)
    assert got.index.equals(values.index)
    assert got.astype(object).tolist() == _oracle_tiers(x, rule)
    assert list(got.cat.categories) == list(rule.tiers)


@PROPS
@given(x=profits, rule=rules)
def test_consistency_tier_profile_shares(x, rule):
    """customers/customer_share from value_counts; total/value_share from group sums over the grand total."""
    values = pd.Series(x, index=[f"c{i}" for i in range(len(x))])
    tiers = assign_tiers(values, rule)
    total = math.fsum(x)
    try:
        prof = tier_profile(values, tiers)
    except DataError as err:
        assert total == 0 and "total" in str(err)
        return
    labels = pd.Series(_oracle_tiers(x, rule), index=values.index)
    counts = labels.value_counts().reindex(rule.tiers, fill_value=0)
    sums = values.groupby(labels).sum().reindex(rule.tiers, fill_value=0.0)
    assert prof.index.tolist() == list(rule.tiers)
    assert prof["customers"].tolist() == counts.tolist()
    np.testing.assert_allclose(prof["customer_share"], counts / len(x), rtol=1e-12)
    np.testing.assert_allclose(prof["total"], sums, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(prof["value_share"], sums / total, rtol=1e-9, atol=1e-9)
    assert prof["customer_share"].sum() == pytest.approx(1.0)
    assert prof["value_share"].sum() == pytest.approx(1.0)


@PROPS
@given(cents=st.lists(st.integers(-200_000, 1_000_000), min_size=1, max_size=15))
def test_inputchecks_tier_profile_zero_total_is_dataerror(cents):
    """Values that sum to zero: value shares are undefined, a DataError (was a silent NaN column)."""
    x = [c / 100 for c in cents] + [-sum(cents) / 100]  # whole cents that sum to exactly 0
    values = pd.Series(x, index=[f"c{i}" for i in range(len(x))])
    tiers = assign_tiers(values, "pyramid")
    with pytest.raises(DataError, match="total"):
        tier_profile(values, tiers)


@PROPS
@given(x=st.lists(_cents, min_size=2, max_size=15), where=st.integers(0, 100))
def test_inputchecks_tier_profile_customer_without_tier(x, where):
    """A customer whose tier is missing is a DataError naming it (was dropped from the counts silently)."""
    values = pd.Series(x, index=[f"c{i}" for i in range(len(x))])
    tiers = assign_tiers(values, "pyramid")
    tiers.iloc[where % len(x)] = np.nan
    with pytest.raises(DataError, match="no tier"):
        tier_profile(values, tiers)


@PROPS
@given(x=st.lists(_cents, min_size=1, max_size=15), bad=st.sampled_from([np.nan, np.inf]), where=st.integers(0, 99))
def test_inputchecks_tiers_nonfinite_value_is_dataerror(x, bad, where):
    """assign_tiers and tier_profile refuse a missing or infinite value (DataError), never a tier for NaN."""
    values = pd.Series(x, index=[f"c{i}" for i in range(len(x))])
    values.iloc[where % len(x)] = bad
    with pytest.raises(DataError, match="not finite"):
        assign_tiers(values)


@settings(PROPS, suppress_health_check=[HealthCheck.filter_too_much])
@given(x=st.lists(_cents, min_size=1, max_size=15))
def test_inputchecks_tier_profile_duplicate_tier_labels(x):
    """A tier series that lists a customer twice is a DataError naming the customer, not pandas' reindex error."""
    values = pd.Series(x, index=[f"c{i}" for i in range(len(x))])
    tiers = assign_tiers(values, "pyramid")
    doubled = pd.concat([tiers, tiers.iloc[:1]])
    with pytest.raises(DataError, match="c0"):
        tier_profile(values, doubled)
