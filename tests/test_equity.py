"""crmlib.equity and crmlib.spec.ValueTerms: one customer value across the reports (issue 15.2).

Oracles: the CLV report's own call path (the same crmlib calls as notebooks/clv.ipynb) against the case
study's (crmlib.equity.cohort_equity); purchase months counted directly with pandas; the retention
formula m r / (1 + i - r) by hand.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from crmlib import clv, datasets, equity, transactions
from crmlib.clv import validate
from crmlib.clv.source import open_log, split_dates
from crmlib.exceptions import DataError, DataWarning
from crmlib.spec import VALUE_TERMS, ValueTerms


@pytest.fixture(scope="module")
def sample_log():
    return datasets.load_cdnow("sample")


@pytest.fixture(scope="module")
def case_study_summary(sample_log):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return transactions.summarize(sample_log, calibration_end="1997-09-30")


def _clv_report_equity(terms: ValueTerms) -> float:
    """Customer equity as notebooks/clv.ipynb computes it (cells 3, 8-10, 23, 25), on its report parameters."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        source = open_log("cdnow_sample", customer_id="customer_id", date="date", amount="amount")
        cal_end, obs_end, _ = split_dates(source, "1997-09-30", "1998-06-30")
        summary = transactions.summarize(source.log, calibration_end=cal_end, observation_end=obs_end, time_unit="week")
        fits = {clv.MODEL_LABELS[m]: clv.MODELS[m]().fit(summary) for m in ["bgnbd", "pareto_nbd", "mbgnbd"]}
        best = validate.choose_model(fits, summary).best
        spend = clv.GammaGammaModel(drop_nonpositive=True).fit(summary)
    value = clv.customer_lifetime_value(
        fits[best], spend, summary, margin_share=terms.margin_share, discount_rate=terms.discount_rate
    )
    return float(value["clv"].sum())


@pytest.mark.parametrize("changes", [{}, {"margin_share": 0.25, "discount_rate": 0.15}])
def test_consistency_customer_equity_is_one_number_in_the_clv_report_and_the_case_study(case_study_summary, changes):
    terms = ValueTerms.from_mapping(changes)
    case_study = equity.cohort_equity(case_study_summary, terms)
    assert case_study.customer_equity == pytest.approx(_clv_report_equity(terms), rel=1e-10)
    assert case_study.table.loc[case_study.chosen, "customer_equity"] == pytest.approx(case_study.customer_equity)
    if not changes:  # the clv_cdnow key figure (BG/NBD, 30%, 10% a year, 365.25/7 weeks a year)
        # BIC alone picked MBG/NBD (76,727.46); within 10 BIC points the holdout total decides: BG/NBD
        assert case_study.chosen == "BG/NBD" and "holdout" in case_study.reason
        assert case_study.customer_equity == pytest.approx(89_822.77, abs=0.01)
        assert case_study.table.loc["MBG/NBD", "customer_equity"] == pytest.approx(76_727.46, abs=0.01)


def test_consistency_equity_scales_with_the_margin_and_falls_with_the_rate(case_study_summary):
    base = equity.cohort_equity(case_study_summary, VALUE_TERMS, models=["bgnbd"])
    half = equity.cohort_equity(case_study_summary, ValueTerms(margin_share=0.15), models=["bgnbd"])
    dearer = equity.cohort_equity(case_study_summary, ValueTerms(discount_rate=0.2), models=["bgnbd"])
    assert half.customer_equity == pytest.approx(base.customer_equity / 2, rel=1e-12)
    assert dearer.customer_equity < base.customer_equity


def test_correctness_markov_equity_counts_every_purchase_month(sample_log):
    # independent count: distinct (customer, calendar month) pairs with a purchase in the window
    window = sample_log.loc[sample_log["date"] <= "1998-06-30"]
    months = window.assign(m=window["date"].dt.to_period("M"))[["customer_id", "m"]].drop_duplicates()
    got = equity.markov_equity(sample_log, VALUE_TERMS, n_states=6)
    assert got.chain.reactivations_ == 0
    assert got.purchases_in_chain == len(months)
    lapsed = equity.markov_equity(sample_log, VALUE_TERMS, n_states=6, absorbing=True)
    # P&C's absorbing "former customer" state leaves out the purchases made from it, and values lapsed customers at 0
    assert lapsed.chain.reactivations_ > 0
    assert lapsed.purchases_in_chain + lapsed.chain.reactivations_ == len(months)
    assert lapsed.state_values.iloc[-1] == 0.0
    assert lapsed.customer_equity < got.customer_equity


def test_correctness_markov_equity_horizon_in_years(sample_log):
    terms = ValueTerms(horizon_years=1)
    one_year = equity.markov_equity(sample_log, terms, n_states=3, cost_per_period=0.5)
    # by hand: V = sum_{t=0}^{12} (P / (1 + i))^t R, monthly i from 10% a year; rewards m - c, -c, -c and 0 for
    # the last state, which is not marketed
    P = one_year.chain.transition_matrix_.to_numpy()
    m = one_year.margin_per_period
    R = np.array([m - 0.5, -0.5, -0.5, 0.0])
    step, V, term = P / 1.1 ** (1 / 12), np.zeros(4), R.copy()
    for _ in range(13):
        V, term = V + term, step @ term
    np.testing.assert_allclose(one_year.state_values.to_numpy(), V, rtol=1e-12)


def test_correctness_retention_lift_against_the_formula_by_hand(sample_log):
    got = equity.retention_lift(sample_log, VALUE_TERMS, points=0.05, period_days=182)
    # retention by hand: customers active in half-year t who are active in t + 1, pooled over t
    start = sample_log["date"].min()
    half = ((sample_log["date"] - start).dt.days // 182).to_numpy()
    active = pd.crosstab(sample_log["customer_id"], half) > 0
    first = active.to_numpy().argmax(axis=1)
    a = active.to_numpy()
    pairs = [(a[:, t] & (first <= t), a[:, t + 1]) for t in range(a.shape[1] - 1)]
    r = sum((now & nxt).sum() for now, nxt in pairs) / sum(now.sum() for now, _ in pairs)
    assert got.loc["observed", "retention"] == pytest.approx(r, rel=1e-12)
    i = 1.1 ** (182 / 365.25) - 1
    lift = ((r + 0.05) / (1 + i - r - 0.05)) / (r / (1 + i - r)) - 1
    assert got["lift"].iloc[1] == pytest.approx(lift, rel=1e-9)
    assert got["clv"].iloc[0] == pytest.approx(got.attrs["margin_per_period"] * r / (1 + i - r), rel=1e-9)


def test_correctness_value_terms_conversions():
    terms = ValueTerms(discount_rate=0.1, horizon_years=2.5)
    assert terms.rate_per_period(12) == pytest.approx(1.1 ** (1 / 12) - 1, rel=1e-14)
    assert terms.continuous_rate(365.25 / 7) == pytest.approx(np.log(1.1) * 7 / 365.25, rel=1e-14)
    assert terms.horizon_periods(12) == 30 and VALUE_TERMS.horizon_periods(12) is None
    assert VALUE_TERMS.describe() == "margin 30% of revenue, discount rate 10% a year, whole remaining life"
    assert ValueTerms.from_mapping({}) == VALUE_TERMS
    assert ValueTerms.from_mapping({"currency": "KRW"}).to_dict()["currency"] == "KRW"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"margin": 0.2}, "value_terms has no term 'margin' \\(did you mean 'margin_share'\\?\\)"),
        ({"margin_share": 30}, "margin_share must be in \\[0, 1\\]"),
        ({"margin_share": 0}, "margin_share must be in \\(0, 1\\]"),
        ({"discount_rate": 10}, "discount_rate"),
        ({"horizon_years": 0}, "horizon_years must be a positive number of years or None"),
        ({"currency": ""}, "currency must be a non-empty text"),
    ],
)
def test_inputchecks_value_terms(changes, message):
    with pytest.raises(DataError, match=message):
        ValueTerms.from_mapping(changes)


def test_inputchecks_equity(case_study_summary, sample_log):
    with pytest.raises(DataError, match="horizon_years is 5 - use horizon_years=None"):
        equity.cohort_equity(case_study_summary, ValueTerms(horizon_years=5))
    with pytest.raises(DataError, match="unknown model\\(s\\) \\['bgnb'\\]"):
        equity.cohort_equity(case_study_summary, models=["bgnb"])
    with pytest.raises(DataError, match="terms must be a crmlib.spec.ValueTerms, got dict"):
        equity.markov_equity(sample_log, {"margin_share": 0.3})
    with pytest.raises(DataError, match="points must be in \\(0, 1\\)"):
        equity.retention_lift(sample_log, points=5)


def test_consistency_reconciliation_holds_each_method_once(case_study_summary, sample_log):
    cohort = equity.cohort_equity(case_study_summary, VALUE_TERMS)
    chain = equity.markov_equity(sample_log, VALUE_TERMS, observation_end="1997-09-30")
    table = equity.reconciliation(cohort, {"open": chain})
    assert table.loc["BG/NBD x Gamma-Gamma", "relative"] == 0.0 and table.attrs["chosen"] == "BG/NBD x Gamma-Gamma"
    assert table.loc["recency Markov chain, open", "customer_equity"] == pytest.approx(chain.customer_equity)
    assert chain.customer_values.size == len(case_study_summary)  # the same customers at the same date
    assert table["per_customer"].to_numpy() == pytest.approx(table["customer_equity"].to_numpy() / 2357)
    with pytest.raises(DataError, match="markov values \\['x'\\] are not MarkovEquity results"):
        equity.reconciliation(cohort, {"x": 1.0})
