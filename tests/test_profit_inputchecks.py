"""crmlib.profit and crmlib.programme: bad input gives a DataError naming the argument, column or rows (issue 14).

Each case asserts the words of the message; a return (negative amount) is never netted silently
nor counted as an order (see also test_profit.py for the numbers under each policy).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import profit, programme
from crmlib.exceptions import DataError


@pytest.fixture
def log():
    return pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 3],
            "date": pd.to_datetime(["2020-01-05", "2020-02-01", "2020-01-10", "2020-03-01"]),
            "amount": [100.0, 30.0, 10.0, 200.0],
            "cost": [60.0, 20.0, 4.0, 150.0],
        }
    )


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"margin_share": 30}, "margin_share must be in \\[0, 1\\], got 30 \\(a share, not a per cent"),
        ({"margin_share": np.nan}, "margin_share must be finite"),
        ({"margin_share": 0.3, "on_negative": "net"}, "on_negative must be one of \\['error', 'exclude', 'keep'\\]"),
        ({"margin_share": 0.3, "order_unit": "days"}, "order_unit must be one of \\['row', 'day'\\], got 'days'"),
        ({"margin_share": 0.3, "cost_to_serve_per_order": np.inf}, "cost_to_serve_per_order must be finite"),
        (
            {"margin_share": 0.3, "observation_start": "2020-03-01", "observation_end": "2020-01-01"},
            "observation_start 2020-03-01 is after observation_end 2020-01-01",
        ),
        ({"cost_of_goods": "cogs"}, "has no column\\(s\\) \\['cogs'\\] \\(did you mean 'cost'\\?\\)"),
        ({"margin_share": 0.3, "date": "day"}, "has no column 'day' \\(the date column\\)"),
    ],
)
def test_inputchecks_customer_profit_arguments(log, kwargs, words):
    with pytest.raises(DataError, match=words):
        profit.customer_profit(log, **kwargs)


def test_inputchecks_customer_profit_return_refused_by_default_naming_rows(log):
    ret = log.assign(amount=[100.0, -30.0, 10.0, 200.0])
    with pytest.raises(
        DataError,
        match="column 'amount' is negative \\(a return, not an order\\) in 1 row \\(e.g. \\[1\\]\\); choose on_negative=",
    ):
        profit.customer_profit(ret, margin_share=0.3)


def test_inputchecks_customer_profit_negative_cost_of_goods(log):
    with pytest.raises(DataError, match="column 'cost' is negative in 1 row \\(e.g. \\[2\\]\\)"):
        profit.customer_profit(log.assign(cost=[1.0, 2.0, -3.0, 4.0]), cost_of_goods="cost")


def test_inputchecks_customer_profit_missing_customer_named(log):
    with pytest.raises(DataError, match="customer_id"):
        profit.customer_profit(log.assign(customer_id=[1, None, 2, 3]), margin_share=0.3)


def test_inputchecks_customer_profit_unreadable_dates(log):
    with pytest.raises(DataError, match="date"):
        profit.customer_profit(log.assign(date=["2020-01-05", "soon", "2020-01-10", "2020-03-01"]), margin_share=0.3)


@pytest.mark.parametrize(
    "contacts, words",
    [
        (pd.Series({1: -1.0}), "contacts must be non-negative counts; customers \\[1\\]"),
        (pd.Series([1.0, 2.0], index=[1, 1]), "contacts lists customers twice: \\[1\\]"),
    ],
)
def test_inputchecks_customer_profit_contacts(log, contacts, words):
    with pytest.raises(DataError, match=words):
        profit.customer_profit(log, margin_share=0.3, cost_to_serve_per_contact=1.0, contacts=contacts)


def test_tuple_customer_ids_are_kept_or_refused_clearly(log):
    tup = log.assign(customer_id=[("a", 1), ("a", 1), ("b", 2), ("c", 3)])
    try:
        out = profit.customer_profit(tup, margin_share=0.5)
    except DataError as exc:  # an engine that cannot hold tuples must say which column
        assert "customer_id" in str(exc)
    else:
        assert out.loc[[("a", 1)], "revenue"].iloc[0] == 130.0 and len(out) == 3


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"margin_shares": [0.3], "costs_per_order": [1.0], "margin_share": 0.3}, "margin_share is set by the grid"),
        ({"margin_shares": [1.3], "costs_per_order": [1.0]}, "margin_shares must be in \\[0, 1\\], got 1.3"),
        ({"margin_shares": [0.3], "costs_per_order": [-1.0]}, "costs_per_order must be >= 0, got -1"),
        ({"margin_shares": [], "costs_per_order": [1.0]}, "at least one margin share and one cost per order"),
        ({"margin_shares": [0.3], "costs_per_order": [1.0], "top": 0}, "top must be in \\(0, 1\\), got 0"),
    ],
)
def test_inputchecks_concentration_sensitivity(log, kwargs, words):
    with pytest.raises(DataError, match=words):
        profit.concentration_sensitivity(log, **kwargs)


@pytest.mark.parametrize(
    "values, words",
    [
        ([], "no customers \\(empty profit series\\)"),
        ([1.0, np.inf], "profit is missing or infinite for 1 customers"),
        ([-1.0, -2.0], "total profit is -3.00, not positive"),
    ],
)
def test_inputchecks_whale_curve(values, words):
    with pytest.raises(DataError, match=words):
        profit.whale_curve(values)


def test_inputchecks_margin_per_purchase_period(log):
    with pytest.raises(DataError, match="period must be one of \\['week', 'month', 'quarter'\\], got 'M'"):
        profit.margin_per_purchase_period(log, margin_share=0.3, period="M")
    with pytest.raises(DataError, match="no transactions between 2021-01-01 and 2021-02-01"):
        profit.margin_per_purchase_period(
            log, margin_share=0.3, observation_start="2021-01-01", observation_end="2021-02-01"
        )


LINES = pd.DataFrame({"kind": ["cost", "revenue"], "amount": [100.0, 120.0], "period": [0, 1]})


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"discount_rate": 15}, "discount_rate is an annual effective rate, .* got 15 \\(for 15% a year pass 0.15\\)"),
        ({"discount_rate": -0.05}, "discount_rate is an annual effective rate"),
        ({"periods_per_year": 0}, "periods_per_year must be > 0, got 0"),
        ({"kind": "type"}, "evaluate_programme has no column\\(s\\) \\['type'\\]"),
    ],
)
def test_inputchecks_evaluate_programme_arguments(kwargs, words):
    with pytest.raises(DataError, match=words):
        programme.evaluate_programme(LINES, **kwargs)


def test_inputchecks_evaluate_programme_unbounded_periods():
    lines = LINES.assign(period=[0, 10**9])
    with pytest.raises(DataError, match="reaches period 1000000000; at most 10,000 allowed"):
        programme.evaluate_programme(lines)


def _did_panel():
    rng = np.random.default_rng(1)
    unit = np.repeat(np.arange(40), 2)
    return pd.DataFrame(
        {"unit": unit, "treated": (unit < 20).astype(int), "post": np.tile([0, 1], 40), "y": rng.normal(size=80)}
    )


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"level": 95}, "level must be in \\(0, 1\\) such as 0.95, got 95 \\(for a 95% interval use 0.95\\)"),
        ({"cov_type": "HC4"}, "cov_type must be one of .*got 'HC4'"),
        ({"cov_type": "cluster"}, "cov_type='cluster' needs the `cluster` column"),
        ({"covariates": ["treated"]}, "must be distinct"),
    ],
)
def test_inputchecks_did_arguments(kwargs, words):
    with pytest.raises(DataError, match=words):
        programme.difference_in_differences(_did_panel(), "y", "treated", "post", **kwargs)


def test_inputchecks_did_missing_outcome_named():
    panel = _did_panel()
    panel.loc[[4, 9], "y"] = np.nan
    with pytest.raises(DataError, match="column 'y' is missing or not a finite number in 2 rows \\(e.g. \\[4, 9\\]\\)"):
        programme.difference_in_differences(panel, "y", "treated", "post")


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"effect": 1.0, "seed": None}, "crmlib draws nothing unseeded"),
        ({"effect": np.nan, "seed": 1}, "effect must be a finite number"),
        ({"effect": 1.0, "seed": 1, "treated_share": 1.0}, "treated_share must be in \\(0, 1\\)"),
        ({"effect": 1.0, "seed": 1, "treated_share": 0.01}, "40 units give 0 treated units"),
        ({"effect": 1.0, "seed": 1, "unit": "store"}, "simulate_treatment has no column\\(s\\) \\['store'\\]"),
    ],
)
def test_inputchecks_simulate_treatment(kwargs, words):
    panel = _did_panel().rename(columns={"unit": "customer_id", "post": "window_index", "y": "profit"})
    with pytest.raises(DataError, match=words):
        programme.simulate_treatment(panel, **kwargs)


def test_inputchecks_with_without_text_cells():
    with pytest.raises(DataError, match="column 'with' is missing or not a finite number in 1 row"):
        programme.with_without_table(pd.DataFrame({"with": ["5", "n/a"], "without": [1.0, 2.0]}))


@pytest.mark.parametrize(
    "top, words",
    [
        ((0,), r"top must be a share of customers in \(0, 1\], got 0"),
        ((0.1, 20), r"top must be in \[0, 1\], got 20 \(a share, not a per cent"),
        ((-0.1,), r"top must be in \[0, 1\], got -0.1"),
    ],
)
def test_inputchecks_concentration_top_is_a_share_above_zero(top, words):
    with pytest.raises(DataError, match=words):
        profit.concentration(np.array([5.0, 3.0, 2.0, -1.0]), top=top)


def test_correctness_concentration_top_shares_by_hand():
    """Profits 5, 3, 2, -1 (total 9): the top 25% (1 customer) hold 5/9 of the total (as a per cent), the top 50%
    8/9, all of them 9/9."""
    got = profit.concentration(np.array([5.0, 3.0, 2.0, -1.0]), top=(0.25, 0.5, 1.0))
    assert got["top_25pct_profit_pct"] == pytest.approx(100 * 5 / 9, rel=1e-12)
    assert got["top_50pct_profit_pct"] == pytest.approx(100 * 8 / 9, rel=1e-12)
    assert got["top_100pct_profit_pct"] == pytest.approx(100.0, rel=1e-12)
    assert got["whale_peak_pct"] == pytest.approx(100 * 10 / 9, rel=1e-12)
