"""AFT models of churn (crmlib.survival.aft): time ratios, comparison, predicted survival.

Oracles: data simulated from a Weibull proportional-hazards model (shape 0.8, known hazard ratios), for
which the Weibull AFT is the true model with time ratios HR^(-1/shape) (Collett 2015, sec. 6.5); lifelines'
own summary and survival functions.
"""

import numpy as np
import pytest

from crmlib import survival as sv
from crmlib.exceptions import DataError

COVS = ["plan", "online", "age"]


@pytest.fixture(scope="module")
def contracts():
    c = sv.simulate_contracts(3000, seed=11)
    return sv.from_contracts(c, observation_end=c.attrs["observation_end"])


@pytest.fixture(scope="module")
def weibull(contracts):
    return sv.ChurnAFT("Weibull").fit(contracts, COVS)


def test_correctness_weibull_time_ratios_recover_the_simulated_truth(weibull):
    """Weibull PH with shape k and hazard ratio HR is a Weibull AFT with time ratio HR^(-1/k) (k = 0.8)."""
    tr = weibull.time_ratios()
    truth = {k: v ** (-1 / 0.8) for k, v in sv.TRUE_HAZARD_RATIOS.items()}
    for name, true in truth.items():
        row = tr.loc[name]
        assert row["lower"] <= true <= row["upper"], (name, row.to_dict(), true)
    shape = float(np.exp(weibull.model_.params_.loc[("rho_", "Intercept")]))
    assert shape == pytest.approx(0.8, abs=0.06)
    assert tr.attrs["n"] == 3000 and tr.attrs["level"] == 0.95


def test_consistency_time_ratios_and_survival_are_lifelines_own(weibull, contracts):
    tr = weibull.time_ratios()
    coef = weibull.model_.params_.loc["lambda_"].drop("Intercept")
    np.testing.assert_allclose(tr["time_ratio"].to_numpy(), np.exp(coef.reindex(tr.index).to_numpy()), rtol=1e-12)
    s = weibull.predict_survival(times=[90, 365])
    direct = weibull.model_.predict_survival_function(weibull.design_.iloc[:, 2:], times=[90, 365])
    np.testing.assert_allclose(s.to_numpy(), direct.to_numpy(), rtol=1e-12)
    # new customers coded like the fit give the same curves as the fitted rows
    again = weibull.predict_survival(contracts.iloc[:5], times=[90, 365])
    np.testing.assert_allclose(again.to_numpy(), s.iloc[:, :5].to_numpy(), rtol=1e-12)
    # the mean curve follows Kaplan-Meier on data simulated from it (calibration in the large)
    cal = sv.mean_survival_table({"Weibull AFT": weibull}, [90, 365, 720])
    assert cal["Weibull AFT - KM"].abs().max() < 0.02


def test_consistency_compare_aft_tables_side_by_side(contracts):
    tab, models = sv.compare_aft(contracts.iloc[:800], COVS)
    both = sv.aft_time_ratios(models)
    assert list(both.index.get_level_values("model").unique()) == list(sv.AFT_DISTRIBUTIONS)
    for name, m in models.items():
        assert tab.loc[name, "AIC"] == pytest.approx(2 * len(m.params_) - 2 * m.log_likelihood_)
        assert both.loc[name].equals(m.time_ratios())


def test_inputchecks_aft(contracts):
    with pytest.raises(DataError, match="distribution must be one of"):
        sv.ChurnAFT("gamma").fit(contracts, COVS)
    with pytest.raises(DataError, match="ChurnAFT is not fitted yet"):
        sv.ChurnAFT().time_ratios()
    with pytest.raises(DataError, match="models must name at least one"):
        sv.aft_time_ratios({})
