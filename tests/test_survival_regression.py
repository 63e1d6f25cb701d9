"""crmlib.survival.regression and .simulate: Cox equals lifelines direct, true hazard ratios recovered, PH check, AFT."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from lifelines import CoxPHFitter  # noqa: E402
from lifelines.statistics import proportional_hazard_test  # noqa: E402
from scipy import stats  # noqa: E402

from crmlib.exceptions import DataError, DataWarning  # noqa: E402
from crmlib.survival import (  # noqa: E402
    TRUE_HAZARD_RATIOS,
    ChurnCox,
    compare_aft,
    design_matrix,
    from_contracts,
    simulate_contracts,
)

COVS = ["plan", "online", "age"]


@pytest.fixture(scope="module")
def sim():
    c = simulate_contracts(5000, seed=20261127)
    return from_contracts(c, observation_end=c.attrs["observation_end"])


@pytest.fixture(scope="module")
def cox(sim):
    return ChurnCox().fit(sim, COVS)


def test_simulated_data_are_labelled_and_reproducible():
    a = simulate_contracts(300, seed=3)
    b = simulate_contracts(300, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert a["simulated"].all() and a.attrs["simulated"] is True
    assert a.attrs["description"].startswith("SIMULATED")
    assert not a.equals(simulate_contracts(300, seed=4))


def test_simulated_lifetimes_follow_the_weibull_ph_model():
    # Bender et al. (2005): (T / lam)^k * exp(x'beta) ~ Exp(1); days are rounded up, so allow for that
    c = simulate_contracts(5000, seed=11)
    hr = c.attrs["true_hazard_ratios"]
    lin = (
        np.log(hr["plan_plus"]) * (c["plan"] == "plus")
        + np.log(hr["plan_premium"]) * (c["plan"] == "premium")
        + np.log(hr["online"]) * c["online"]
        + np.log(hr["age"]) * c["age"]
    ).to_numpy()
    e = ((c["lifetime_days"].to_numpy() - 0.5) / c.attrs["weibull_scale_days"]) ** c.attrs["weibull_shape"] * np.exp(
        lin
    )
    assert stats.kstest(e, "expon").pvalue > 0.01


def test_cox_recovers_true_hazard_ratios_within_their_confidence_intervals(sim, cox):
    hr = cox.hazard_ratios()
    assert hr.attrs["n"] == 5000 and hr.attrs["events"] == sim["churned"].sum()
    for name, true in TRUE_HAZARD_RATIOS.items():
        assert hr.loc[name, "lower"] <= true <= hr.loc[name, "upper"], (name, true, hr.loc[name].to_dict())


def test_cox_equals_lifelines_called_directly(sim, cox):
    X = pd.get_dummies(sim["plan"], prefix="plan", drop_first=True).astype(float)
    frame = pd.concat([sim[["duration", "churned", "online", "age"]].astype(float), X], axis=1)
    ref = CoxPHFitter().fit(frame, "duration", "churned")
    hr = cox.hazard_ratios()
    for name in ref.params_.index:
        assert hr.loc[name, "hazard_ratio"] == pytest.approx(np.exp(ref.params_[name]), rel=1e-8)
        assert hr.loc[name, "se"] == pytest.approx(ref.standard_errors_[name], rel=1e-6)
    assert cox.model_.log_likelihood_ == pytest.approx(ref.log_likelihood_)


def test_ph_check_equals_lifelines_and_gives_no_alarm_under_ph(cox):
    tab = cox.check_proportional_hazards()
    ref = proportional_hazard_test(cox.model_, cox.design_, time_transform="rank").summary
    np.testing.assert_allclose(tab["p"].to_numpy(), ref.loc[tab.index, "p"].to_numpy())
    np.testing.assert_allclose(tab["test_statistic"].to_numpy(), ref.loc[tab.index, "test_statistic"].to_numpy())
    assert tab.attrs["n"] == 5000
    assert not tab["violated"].any()  # the data are drawn from a PH model
    assert tab.attrs["advice"].startswith("No covariate rejects")


def test_ph_check_flags_a_time_varying_effect_and_advises():
    # group 1 churns early (Weibull shape 0.6), group 0 late (shape 2.5): hazards cross, PH fails
    rng = np.random.default_rng(5)
    g = rng.integers(0, 2, 2000)
    t = np.where(g == 1, 300 * rng.weibull(0.6, 2000), 300 * rng.weibull(2.5, 2000))
    d = pd.DataFrame({"duration": np.ceil(t), "churned": 1, "group": g})
    tab = ChurnCox().fit(d, ["group"]).check_proportional_hazards()
    assert bool(tab.loc["group", "violated"])
    assert "stratify" in tab.loc["group", "advice"]
    assert "fails" in tab.attrs["advice"] and "['group']" in tab.attrs["advice"]


def _breslow_step(cox, row_index, t):
    """S(t | x) = S0(t)^exp(x' beta) with the Breslow baseline read as a step (1 before its first time)."""
    base = cox.model_.baseline_survival_.iloc[:, 0]
    pos = np.searchsorted(base.index.to_numpy(), np.atleast_1d(t), side="right") - 1
    s0 = np.where(pos >= 0, base.to_numpy()[np.maximum(pos, 0)], 1.0)
    ph = float(cox.model_.predict_partial_hazard(cox.design_.loc[[row_index]].iloc[:, 2:]).iloc[0])
    return s0**ph


def test_conditional_prediction_is_ratio_of_unconditional_survival(sim, cox):
    # independent computation on the Breslow step function; lifelines' conditional_after=0 (and its linear
    # interpolation between churn times) would drop the churn before the first baseline time (issue 15)
    rows = sim.head(4)
    s = np.array([0.0, 100.0, 365.0, 500.0])
    times = [30.0, 180.0, 365.0]
    cond = cox.predict_conditional(rows, s, times)
    for j, idx in enumerate(rows.index):
        full = _breslow_step(cox, idx, [s[j]] + [s[j] + t for t in times])
        np.testing.assert_allclose(cond[idx].to_numpy(), full[1:] / full[0], rtol=1e-8)
    med = cox.predict_remaining_median(rows, s)
    assert med.index.equals(rows.index)
    grid = np.arange(1.0, cox.last_event_time_ + 1)
    for j, idx in enumerate(rows.index):
        ratio = _breslow_step(cox, idx, s[j] + grid) / _breslow_step(cox, idx, [s[j]])[0]
        expect = grid[np.argmax(ratio <= 0.5)] if (ratio <= 0.5).any() else np.inf
        assert med[idx] == expect


def test_inputchecks_conditional_prediction_beyond_the_last_churn(sim, cox):
    last = cox.last_event_time_
    assert last == sim.loc[sim["churned"] == 1, "duration"].max()
    with pytest.raises(DataError, match=r"survived_days \+ times reaches .* beyond the last churn observed"):
        cox.predict_conditional(sim.head(2), last - 10.0, [30.0])
    with pytest.raises(DataError, match=r"survived_days reaches .* beyond the last churn observed"):
        cox.predict_remaining_median(sim.head(2), last + 1.0)
    with pytest.raises(DataError, match="survived_days must be >= 0, got -1"):
        cox.predict_remaining_median(sim.head(2), -1.0)


def test_risk_profiles_are_the_customers_at_the_risk_quantiles(sim, cox):
    prof = cox.risk_profiles([0.0, 0.5, 1.0])
    assert list(prof.index) == ["p0", "p50", "p100"]
    risk = np.exp(cox.design_.iloc[:, 2:].to_numpy() @ cox.model_.params_.to_numpy())  # exp(x' beta), centred aside
    ratio = prof["partial_hazard"].to_numpy() / risk[[sim.index.get_loc(c) for c in prof["customer"]]]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-10)  # lifelines centres x: a constant factor
    assert prof["partial_hazard"].iloc[0] == pytest.approx(ratio[0] * risk.min())
    assert prof["partial_hazard"].iloc[2] == pytest.approx(ratio[0] * risk.max())
    assert prof[COVS].equals(sim.loc[prof["customer"], COVS].set_axis(prof.index))


def test_conditional_table_equals_predict_conditional(sim, cox):
    prof = cox.risk_profiles()
    tab = cox.conditional_table(prof, survived_days=(0, 90), ahead=120)
    assert tab.index.tolist() == [("p10", 0.0), ("p10", 90.0), ("p50", 0.0), ("p50", 90.0), ("p90", 0.0), ("p90", 90.0)]
    for s in (0.0, 90.0):
        direct = cox.predict_conditional(prof, s, [120.0]).iloc[0]
        np.testing.assert_allclose(tab.xs(s, level="survived_days")["survival_ahead"].to_numpy(), direct.to_numpy())
    assert tab.attrs["ahead"] == 120.0
    auto = cox.conditional_table(prof, survived_days=(0, 180))
    assert auto.attrs["ahead"] == int(min(365, cox.last_event_time_ - 180))


def test_predict_survival_equals_lifelines_on_the_design(cox):
    direct = cox.model_.predict_survival_function(cox.design_.iloc[:5, 2:], times=[30.0, 365.0])
    mine = cox.predict_survival(times=[30.0, 365.0]).iloc[:, :5]
    np.testing.assert_allclose(mine.to_numpy(), direct.to_numpy(), rtol=1e-12)
    assert cox.predict_survival().shape[1] == len(cox.design_)


def test_cox_summary_carries_the_fit(cox):
    summ = cox.summary()
    assert summ.equals(cox.hazard_ratios())
    assert summ.attrs["log_likelihood"] == cox.model_.log_likelihood_
    assert 0.5 < summ.attrs["concordance"] < 1 and summ.attrs["level"] == 0.95


def test_aft_comparison_prefers_weibull_on_weibull_data_and_aic_definition(sim):
    tab, models = compare_aft(sim, COVS)
    assert tab.index[0] == "Weibull"
    for name, m in models.items():
        assert tab.loc[name, "AIC"] == pytest.approx(2 * len(m.params_) - 2 * m.log_likelihood_)
    assert tab["akaike_weight"].sum() == pytest.approx(1.0)
    assert tab.attrs["n"] == 5000


def test_inputchecks_aft_zero_durations():
    d = pd.DataFrame({"duration": [0.0, 3, 5, 7], "churned": [1, 1, 0, 1], "x": [1.0, 0, 1, 0]})
    with pytest.raises(DataError, match=r"1 row\(s\) with duration 0; AFT models need positive durations"):
        compare_aft(d, ["x"])


def test_inputchecks_missing_covariate_values_named():
    d = pd.DataFrame({"duration": [1.0, 3, 5], "churned": [1, 1, 0], "x": [1.0, np.nan, 0]})
    with pytest.raises(DataError, match=r"covariate 'x': missing value in 1 row \(e.g. \[1\]\)"):
        design_matrix(d, ["x"])


def test_inputchecks_constant_covariate_and_no_events():
    d = pd.DataFrame({"duration": [1.0, 3, 5], "churned": [0, 0, 0], "x": [1.0, 2.0, 0], "k": [1.0, 1.0, 1.0]})
    with pytest.raises(DataError, match=r"\['k'\] are constant"):
        design_matrix(d, ["x", "k"])
    with pytest.raises(DataError, match="no churn events"):
        ChurnCox().fit(d, ["x"])


def test_forest_and_schoenfeld_plots_label_axes(cox):
    ax = cox.plot_forest()
    assert "Hazard ratio" in ax.get_xlabel() and ax.get_ylabel() == "Covariate"
    plt.close(ax.figure)
    ax = cox.plot_schoenfeld("online")
    assert "rank" in ax.get_xlabel().lower() and "Schoenfeld" in ax.get_ylabel() and ax.get_title() == "online"
    plt.close(ax.figure)


def test_aft_collapsed_rows_give_lifelines_direct_likelihood():
    from lifelines import WeibullAFTFitter

    rng = np.random.default_rng(8)
    d = pd.DataFrame(
        {
            "duration": rng.integers(1, 30, 400).astype(float),
            "churned": rng.integers(0, 2, 400),
            "x": rng.integers(0, 2, 400).astype(float),
        }
    )  # many identical rows
    tab, models = compare_aft(d, ["x"])
    ref = WeibullAFTFitter().fit(d, "duration", "churned")
    assert tab.loc["Weibull", "log_likelihood"] == pytest.approx(ref.log_likelihood_, rel=1e-6)
    np.testing.assert_allclose(models["Weibull"].params_.to_numpy(), ref.params_.to_numpy(), rtol=1e-4)
    sub, _ = compare_aft(d, ["x"], max_rows=100, seed=1)
    assert sub.attrs["n"] == 100 and sub.attrs["sampled"]
    with pytest.raises(DataError, match="max_rows needs a seed"):
        compare_aft(d, ["x"], max_rows=100)


def test_inputchecks_covariate_level_without_events_warns():
    d = pd.DataFrame(
        {
            "duration": [1.0, 2, 3, 4, 5, 6, 7, 8],
            "churned": [1, 1, 0, 1, 0, 0, 1, 0],
            "seg": ["a", "a", "a", "a", "b", "b", "a", "a"],
        }
    )
    with pytest.warns(DataWarning, match=r"covariate level 'seg_b' has no churn events \(2 customers, all censored\)"):
        ChurnCox(penalizer=0.1).fit(d, ["seg"])


def test_aft_conditional_median_equals_lifelines_and_grows_with_time_survived(sim):
    from crmlib.survival import aft_conditional_median

    _, models = compare_aft(sim, COVS)
    X = design_matrix(sim, COVS).iloc[:3, 2:]
    med = aft_conditional_median(models["Weibull"], X, [0.0, 200.0, 400.0])
    ref = models["Weibull"].model_.predict_median(X, conditional_after=np.array([0.0, 200.0, 400.0]))
    np.testing.assert_allclose(med.to_numpy(), np.asarray(ref, dtype=float).ravel())
    # a falling hazard (fitted shape < 1): the longer a customer has stayed, the longer the expected remaining stay
    one = X.iloc[[0, 0]].reset_index(drop=True)
    later = aft_conditional_median(models["Weibull"], one, [0.0, 365.0])
    assert later.iloc[1] > later.iloc[0]


def test_forest_plot_marks_the_true_hazard_ratios(sim, cox):
    ax = cox.plot_forest(truth=TRUE_HAZARD_RATIOS)
    crosses = ax.collections[-1].get_offsets()
    hr = cox.hazard_ratios().iloc[::-1]  # the plot draws the first covariate at the top
    np.testing.assert_allclose(crosses[:, 0], [TRUE_HAZARD_RATIOS[c] for c in hr.index])
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "1" in labels and len(labels) == len(set(labels))
    plt.close(ax.figure)
    with pytest.raises(DataError, match=r"truth names \['plan_gold'\]"):
        cox.plot_forest(truth={"plan_gold": 0.5})
