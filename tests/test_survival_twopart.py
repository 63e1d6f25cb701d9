"""crmlib.survival.twopart: the two-part churn model fits CDNOW's mass at day 1; truth recovered on simulated data;
the proportional-hazards remedy (strata); the Monte-Carlo recovery study of the Cox hazard ratios."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from lifelines import CoxPHFitter  # noqa: E402

from crmlib import datasets  # noqa: E402
from crmlib.exceptions import DataError, DataWarning  # noqa: E402
from crmlib.survival import (  # noqa: E402
    TRUE_HAZARD_RATIOS,
    ChurnCox,
    TwoPartChurn,
    first_purchase_covariates,
    from_transactions,
    hazard_ratio_recovery,
    mean_survival_table,
    plot_mean_survival,
    simulate_two_part,
    true_two_part_survival,
)

CDNOW_COVS = ["log_first_amount", "first_quantity", "first_month"]


@pytest.fixture(scope="module")
def cdnow():
    log = datasets.load_cdnow("master")
    with pytest.warns(DataWarning, match="zero amount"):
        first = first_purchase_covariates(log, amount="amount", quantity="quantity")
    return from_transactions(log, 180).join(first)


@pytest.fixture(scope="module")
def cdnow_models(cdnow):
    return TwoPartChurn().fit(cdnow, CDNOW_COVS), ChurnCox().fit(cdnow, CDNOW_COVS)


@pytest.mark.slow
def test_cdnow_mean_predicted_survival_within_two_points_of_kaplan_meier(cdnow, cdnow_models):
    # issue 15's done-when: 14,743 of 21,788 churn events tie at day 1; the two-part model follows KM there
    two, cox = cdnow_models
    summ = two.summary()
    assert summ.attrs["n"] == 23570 and summ.attrs["at_mass"] == 14743 and summ.attrs["unknown"] == 0
    tab = mean_survival_table({"two-part": two, "Cox": cox}, [1, 30, 180, 365])
    assert tab.loc[1.0, "kaplan_meier"] == pytest.approx(1 - 14743 / 23570, abs=1e-12)
    assert (tab["two-part - KM"].abs() < 0.02).all(), tab
    assert tab.loc[1.0, "two-part - KM"] == pytest.approx(0.0, abs=1e-9)  # logistic score equation with intercept
    # the single Cox model is the one the review found biased (mean S(1) 0.54 against KM 0.375)
    assert tab.loc[1.0, "Cox"] == pytest.approx(0.537, abs=0.005)
    assert tab.loc[1.0, "Cox - KM"] > 0.15


@pytest.mark.slow
def test_cdnow_stayed_zero_days_keeps_the_day_one_churn(cdnow, cdnow_models):
    # review sec. 4: "stayed 0 days" rows gave a median remaining life of 104-143 days against a KM median of 1 day
    two, cox = cdnow_models
    prof = two.risk_profiles([0.1, 0.5, 0.9])
    tab = two.conditional_table(prof, survived_days=[0, 90])
    pi = two.probability_return(prof)
    zero = tab.xs(0.0, level="survived_days")
    assert (pi < 0.5).all() and (zero["median_remaining"] == 1.0).all()
    s = two.predict_survival(prof, times=[1.0, tab.attrs["ahead"]])
    np.testing.assert_allclose(zero["survival_ahead"].to_numpy(), s.iloc[1].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(s.iloc[0].to_numpy(), pi.to_numpy(), rtol=1e-12)  # S(1 | x) = pi(x)
    # the Cox model's own conditional predictions keep its (too small) day-1 step too: S(t | T > 0) = S(t)
    cp = cox.risk_profiles([0.5])
    np.testing.assert_allclose(
        cox.predict_conditional(cp, 0.0, [1.0, 30.0]).to_numpy(), cox.predict_survival(cp, times=[1.0, 30.0]).to_numpy()
    )


@pytest.mark.slow
def test_cdnow_parts_equal_statsmodels_and_lifelines_called_directly(cdnow, cdnow_models):
    two, _ = cdnow_models
    X = pd.get_dummies(cdnow["first_month"], prefix="first_month", drop_first=True).astype(float)
    X = sm.add_constant(pd.concat([cdnow[["log_first_amount", "first_quantity"]], X], axis=1))
    y = ((cdnow["duration"] > 1) | (cdnow["churned"] == 0)).astype(int)
    ref = sm.Logit(y, X).fit(disp=0)
    summ = two.summary()
    logit = summ.xs("stays past day 1 (logistic)", level="part")
    np.testing.assert_allclose(logit["ratio"].to_numpy(), np.exp(ref.params.drop("const")).to_numpy(), rtol=1e-6)
    rows = cdnow.index[y == 1]
    frame = pd.concat(
        [cdnow.loc[rows, ["duration", "churned"]].astype(float), X.loc[rows].drop(columns="const")], axis=1
    )
    cph = CoxPHFitter().fit(frame, "duration", "churned")
    cox_part = summ.xs("churn among those who stay (Cox)", level="part")
    np.testing.assert_allclose(cox_part["ratio"].to_numpy(), np.exp(cph.params_).to_numpy(), rtol=1e-6)
    assert summ.attrs["returners"] == len(rows) == 8827


def test_two_part_recovers_the_simulated_truth():
    d = simulate_two_part(20000, seed=20261203)
    assert d["simulated"].all() and d.attrs["description"].startswith("SIMULATED")
    m = TwoPartChurn().fit(d, ["log_first_amount", "online"])
    summ = m.summary()
    for part, key in (
        ("stays past day 1 (logistic)", "true_odds_ratios"),
        ("churn among those who stay (Cox)", "true_hazard_ratios"),
    ):
        for name, true in d.attrs[key].items():
            row = summ.loc[(part, name)]
            assert row["lower"] <= true <= row["upper"], (part, name, true, row.to_dict())
    times = [1, 30, 90, 180, 365]
    tab = mean_survival_table({"two-part": m}, times)
    truth = true_two_part_survival(d, times)
    np.testing.assert_allclose(tab["two-part"].to_numpy(), truth, atol=0.01)  # sampling error of n = 20,000
    np.testing.assert_allclose(tab["kaplan_meier"].to_numpy(), truth, atol=0.01)


def test_two_part_mean_survival_plot_is_labelled_and_compares_models():
    d = simulate_two_part(1500, seed=3)
    m = TwoPartChurn().fit(d, ["log_first_amount", "online"])
    ax = m.plot(compare={"Cox": ChurnCox().fit(d, ["log_first_amount", "online"])})
    assert ax.get_xlabel() == "Days since the first day" and ax.get_ylabel() == "Customers still active (%)"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("Kaplan-Meier (N = 1,500)") and "Cox: mean predicted" in labels
    plt.close(ax.figure)
    ax = plot_mean_survival({"two-part": m}, until=100)
    assert ax.get_xlim() == (0.0, 100.0)
    plt.close(ax.figure)


def test_inputchecks_two_part():
    d = simulate_two_part(600, seed=8)
    with pytest.raises(DataError, match="no customer churns at day 5"):
        TwoPartChurn(mass_at=5).fit(d.assign(duration=d["duration"] + 10), ["online"])
    with pytest.raises(DataError, match="every customer churns at day 1"):
        TwoPartChurn().fit(d.assign(duration=1.0, churned=1), ["online"])
    with pytest.raises(DataError, match="mass_at must be > 0"):
        TwoPartChurn(mass_at=0).fit(d, ["online"])
    late = d.copy()
    late.loc[[1, 2], ["duration", "churned"]] = [0.0, 0]
    with pytest.warns(DataWarning, match=r"2 customer\(s\) censored before day 1"):
        m = TwoPartChurn().fit(late, ["online"])
    assert m.summary().attrs["unknown"] == 2
    with pytest.raises(DataError, match="survived_days must be >= 0"):
        m.predict_remaining_median(d.head(2), -1)
    with pytest.raises(DataError, match="beyond the last churn observed"):
        m.predict_conditional(d.head(2), 0, [m.last_event_time_ + 1])
    with pytest.raises(DataError, match="fitted on other customers"):
        mean_survival_table({"a": m, "b": TwoPartChurn().fit(d, ["online"])}, [1])
    with pytest.raises(DataError, match="beyond the longest follow-up"):
        mean_survival_table({"a": m}, [10_000])


def _crossing(n=3000, seed=5):
    # group 1 churns early (Weibull shape 0.6), group 0 late (shape 2.5): hazards cross, PH fails for group
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 2, n)
    x = rng.normal(0, 1, n)
    k = np.where(g == 1, 0.6, 2.5)
    t = 300 * rng.weibull(1.0, n) ** (1 / k) * np.exp(-0.3 * x / k)  # Weibull(k) PH in x: hazard ratio e^0.3 per unit
    return pd.DataFrame({"duration": np.ceil(t), "churned": 1, "group": g, "x": x})


def test_remedy_stratifies_the_failing_covariate_and_keeps_the_others():
    d = _crossing()
    cox = ChurnCox().fit(d, ["group", "x"])
    fixed = cox.remedy()
    assert fixed.remedied_ == ["group"] and fixed.strata_ == ["group"] and fixed.covariates_ == ["x"]
    ref = CoxPHFitter().fit(d[["duration", "churned", "group", "x"]], "duration", "churned", strata=["group"])
    assert fixed.hazard_ratios().loc["x", "hazard_ratio"] == pytest.approx(np.exp(ref.params_["x"]), rel=1e-8)
    assert not fixed.check_proportional_hazards()["violated"].any()
    s = fixed.predict_survival(d.head(3), times=[0.0, 100.0])
    assert (s.iloc[0] == 1.0).all() and (s.iloc[1] < 1.0).all()
    # a numeric failing covariate becomes quantile groups
    num = d.assign(z=d["group"] + np.random.default_rng(1).normal(0, 0.01, len(d)))
    fz = ChurnCox().fit(num, ["z", "x"]).remedy(bins=2)
    assert fz.remedied_ == ["z"] and fz.strata_ == ["z group"]
    one = d[d["group"] == 0]
    assert ChurnCox().fit(one, ["x"]).remedy().remedied_ == []  # PH holds within a group: nothing to do


def test_inputchecks_strata():
    d = _crossing(400)
    with pytest.raises(DataError, match="both covariates and strata"):
        ChurnCox().fit(d, ["group", "x"], strata=["group"])
    with pytest.raises(DataError, match="stratum column 'x' is numeric with 400 levels"):
        ChurnCox().fit(d, ["group"], strata=["x"])
    with pytest.raises(DataError, match="still fails the proportional-hazards check and is the last covariate"):
        ChurnCox().fit(_crossing(), ["group"]).remedy()


@pytest.mark.slow
def test_hazard_ratio_recovery_reports_bias_and_coverage():
    tab = hazard_ratio_recovery(12, n=800, seed=4)
    assert list(tab.index) == list(TRUE_HAZARD_RATIOS) and tab.attrs["n_runs"] == 12
    np.testing.assert_allclose(tab["true_hazard_ratio"].to_numpy(), list(TRUE_HAZARD_RATIOS.values()))
    assert ((tab["coverage"] >= 0.5) & (tab["coverage"] <= 1)).all()  # 95% intervals: 12 runs, at least half
    assert (tab["bias_log"].abs() < 4 * tab["bias_log_mcse"] + 0.05).all()
    again = hazard_ratio_recovery(12, n=800, seed=4)
    pd.testing.assert_frame_equal(tab, again)
