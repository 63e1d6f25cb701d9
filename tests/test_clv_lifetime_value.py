"""crmlib.clv.lifetime_value: CLV = margin share x DERT x expected spend, customer equity.

Oracles: the product computed by hand from the models' own DERT and spend;
the bootstrap interval around the estimate.
"""

import numpy as np
import pandas as pd
import pytest

from crmlib.clv import (
    BetaGeoModel,
    continuous_rate,
    customer_equity_interval,
    customer_lifetime_value,
)
from crmlib.exceptions import DataError
from crmlib.spec import SummarySpec

FHL = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def test_clv_is_margin_times_dert_times_expected_spend(cdnow_fitted, cdnow_summary):
    bg, _, gg = cdnow_fitted
    clv = customer_lifetime_value(bg, gg, cdnow_summary, margin_share=0.3, discount_rate=0.15, periods_per_year=52)
    delta = np.log(1.15) / 52  # FHL 2005b: 15% a year on weekly data, a 52-week year
    assert continuous_rate(0.15, 52) == pytest.approx(delta)
    i = 0
    row = cdnow_summary.iloc[i]
    dert = bg.dert(row["frequency"], row["recency"], row["T"], discount_rate=0.15, periods_per_year=52)
    spend = gg.conditional_expected_spend(row["frequency"], row["monetary"])
    assert clv["clv"].iloc[i] == pytest.approx(0.3 * dert * spend, rel=1e-12)
    assert clv.index.equals(cdnow_summary.index)
    assert np.all(np.isfinite(clv.to_numpy())) and np.all(clv["clv"] >= 0)
    with pytest.raises(DataError, match=r"margin_share must be in \[0, 1\], got 30 \(a share"):
        customer_lifetime_value(bg, gg, cdnow_summary, margin_share=30, discount_rate=0.15, periods_per_year=52)


def test_customer_equity_interval_spread_matches_the_delta_method(cdnow_fitted, cdnow_summary):
    """The bootstrap standard error of customer equity against the delta method (Oehlert 1992).

    se^2 = g' V g with g the gradient of equity in the log-parameters of both models (central differences)
    and V their observed-information covariances on the log scale (block-diagonal: the models are fitted
    separately); 80 draws estimate an se to about +-16%, so the ratio is asserted within 0.65-1.5.
    """
    _, pn, gg = cdnow_fitted
    data = cdnow_summary.iloc[:300]
    kw = dict(margin_share=0.3, discount_rate=0.1, periods_per_year=52)
    ce = customer_equity_interval(pn, gg, data, n_boot=80, seed=1, **kw)
    assert ce["lower"] < ce["customer_equity"] < ce["upper"]
    assert ce["n_infinite"] == 0 and ce["n_boot"] == 80
    log_p = np.log(np.concatenate([pn.params_.to_numpy(), gg.params_.to_numpy()]))

    def equity(lp):
        tp, sp = np.exp(lp[:4]), np.exp(lp[4:])
        return customer_lifetime_value(pn, gg, data, transaction_params=tp, spend_params=sp, **kw)["clv"].sum()

    h = 1e-5
    grad = np.array([(equity(log_p + h * e) - equity(log_p - h * e)) / (2 * h) for e in np.eye(7)])
    V = np.zeros((7, 7))
    for sl, m in ((slice(0, 4), pn), (slice(4, 7), gg)):
        p = m.params_.to_numpy()
        V[sl, sl] = m.variance_matrix_.to_numpy() / np.outer(p, p)
    se_delta = float(np.sqrt(grad @ V @ grad))
    assert 0.65 < ce["bootstrap_se"] / se_delta < 1.5, (ce["bootstrap_se"], se_delta)


def test_inputchecks_clv_rates_and_shares(cdnow_fitted, cdnow_summary):
    bg, _, gg = cdnow_fitted
    with pytest.raises(DataError, match=r"got 15 \(for 15% a year pass 0.15\)"):
        customer_lifetime_value(bg, gg, cdnow_summary, margin_share=0.3, discount_rate=15, periods_per_year=52)
    with pytest.raises(DataError, match="periods_per_year is required"):
        customer_lifetime_value(bg, gg, cdnow_summary, margin_share=0.3, discount_rate=0.15)
    with pytest.raises(DataError, match="margin_share must be in"):
        customer_lifetime_value(bg, gg, cdnow_summary, margin_share=0.0, discount_rate=0.15, periods_per_year=52)


def test_periods_per_year_comes_from_the_summary_spec(cdnow_fitted, cdnow_summary):
    """A summary carrying a weekly SummarySpec discounts with 365.25/7 weeks a year, as if passed by hand."""
    bg, _, gg = cdnow_fitted
    spec = SummarySpec(
        observation_end=pd.Timestamp("1998-06-30"),
        calibration_end=pd.Timestamp("1997-09-30"),
        period="day",
        time_unit="week",
        days_per_unit=7.0,
    )
    carried = cdnow_summary.copy()
    carried.attrs["crmlib"] = spec
    got = customer_lifetime_value(bg, gg, carried, margin_share=0.3, discount_rate=0.15)
    by_hand = customer_lifetime_value(
        bg, gg, cdnow_summary, margin_share=0.3, discount_rate=0.15, periods_per_year=365.25 / 7
    )
    pd.testing.assert_frame_equal(got, by_hand)
    # a model fitted on the carried summary records the spec and needs no periods_per_year either
    refit = BetaGeoModel().fit(carried)
    assert refit.spec_ is spec
    assert refit.dert(2, 30.43, 38.86, discount_rate=0.15) == pytest.approx(
        bg.dert(2, 30.43, 38.86, discount_rate=0.15, periods_per_year=365.25 / 7), rel=1e-6
    )
