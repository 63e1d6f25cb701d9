"""Gamma-Gamma spend (crmlib.clv.gamma_gamma): FHL (2005b) on CDNOW.

Oracles: the published estimates; Hardie's spreadsheet; the density
integrated numerically; simulation.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from crmlib.clv import (
    GammaGammaModel,
    spend_frequency_correlation,
)
from crmlib.clv.simulate import (
    simulate_gamma_gamma,
)
from crmlib.datasets import load_cdnow, load_cdnow_summary
from crmlib.exceptions import (
    DataError,
    DataWarning,
)

FHL = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def test_gamma_gamma_matches_fader_hardie_lee_2005_rfm_clv():
    d = load_cdnow_summary()
    m = GammaGammaModel().fit(d)
    assert m.params_["p"] == pytest.approx(6.25, abs=0.005)
    assert m.params_["q"] == pytest.approx(3.74, abs=0.006)
    assert m.params_["gamma"] == pytest.approx(15.44, abs=0.02)
    assert m.n_customers_ == 946 and m.n_dropped_ == 1411
    assert m.n_one_time_ == 1411 and m.n_nonpositive_ == 0  # FHL 2005b fit the 946 repeat buyers
    # FHL 2005b report the frequency-spend correlation 0.11
    assert spend_frequency_correlation(d) == pytest.approx(0.11, abs=0.005)
    # conditional expectation = weighted mean of the population mean and the observed mean (eq. 5)
    p, q, g = m.params_
    x, z = 4, 50.0
    w = p * x / (p * x + q - 1)
    assert m.conditional_expected_spend(x, z) == pytest.approx(w * z + (1 - w) * p * g / (q - 1), rel=1e-12)


def test_gamma_gamma_recovers_known_parameters():
    freq = np.random.default_rng(0).integers(1, 12, 30000)
    m = GammaGammaModel().fit(simulate_gamma_gamma(freq, 6.0, 3.7, 15.0, seed=8))
    z = (m.params_.to_numpy() - np.array([6.0, 3.7, 15.0])) / m.standard_errors_.to_numpy()
    assert np.all(np.abs(z) < 4), z


def test_gamma_gamma_input_checks():
    with pytest.raises(DataError, match="column 'monetary' is not positive for 1 repeat buyers"):
        GammaGammaModel().fit(pd.DataFrame({"frequency": [1, 2], "monetary": [0.0, 3.0]}))
    d = simulate_gamma_gamma(np.arange(1, 301) % 7 + 1, 6.0, 3.7, 15.0, seed=2)
    d.loc[5, "monetary"] = 0.0
    with pytest.warns(DataWarning, match="1 repeat buyers"):
        m = GammaGammaModel(drop_nonpositive=True).fit(d)
    assert m.n_customers_ == 299 and m.n_dropped_ == 1 and m.n_nonpositive_ == 1 and m.n_one_time_ == 0
    with pytest.raises(DataError, match="column 'frequency' is 0 in every row"):
        GammaGammaModel().fit(pd.DataFrame({"frequency": [0, 0], "monetary": [0.0, 0.0]}))
    with pytest.raises(DataError, match=r"expected spend is infinite where p x \+ q <= 1.*frequencies \[0\]"):
        m.conditional_expected_spend([0, 3], [0.0, 20.0], params=[2.0, 0.8, 10.0])


def test_gamma_gamma_expected_spend_matches_hardie_spreadsheet():
    """Fader & Hardie (2013) note 025 spreadsheet: E(M) of the first ten CDNOW customers at the estimates
    (p=6.25, q=3.74, gamma=15.44 as printed; the spreadsheet uses the unrounded values, as we do)."""
    d = load_cdnow_summary()
    m = GammaGammaModel().fit(d)
    got = m.conditional_expected_spend(d["frequency"].head(10), d["monetary"].head(10))
    np.testing.assert_allclose(got, [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17], atol=0.01)


def test_gamma_gamma_spend_density_integrates_to_one_with_the_population_mean():
    """The marginal density of z-bar (Colombo & Jiang 1999) is a density, and its mean is p gamma/(q-1)."""
    d = load_cdnow_summary()
    m = GammaGammaModel().fit(d)
    rep = d[d["frequency"] > 0]
    f = lambda z: m.spend_density(z, rep["frequency"])  # noqa: E731
    assert integrate.quad(f, 0, np.inf, limit=500)[0] == pytest.approx(1.0, abs=1e-8)
    assert integrate.quad(lambda z: z * f(z), 0, np.inf, limit=500)[0] == pytest.approx(
        m.population_mean_spend(), rel=1e-8
    )
    # one frequency: the density is the per-customer likelihood
    one = m.loglik(pd.DataFrame({"frequency": [3], "monetary": [20.0]}))[0]
    assert np.log(m.spend_density(20.0, [3])) == pytest.approx(one, rel=1e-12)
    with pytest.raises(DataError, match="monetary must be positive"):
        m.spend_density([0.0, 5.0], [1])


@pytest.mark.slow
def test_gamma_gamma_zero_spend_repeat_buyer_in_cdnow_master_is_named_not_dropped():
    """CDNOW master customer 10244 made one repeat purchase of 0 USD: an error naming him, or an explicit drop."""
    from crmlib.transactions import summarize

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        s = summarize(
            load_cdnow("master"), calibration_end="1997-09-30", observation_end="1998-06-30", time_unit="week"
        )
    with pytest.raises(
        DataError, match=r"column 'monetary' is not positive for 1 repeat buyers \(1 row \(e\.g\. \[10244\]\)\)"
    ):
        GammaGammaModel().fit(s)
    with pytest.warns(DataWarning, match=r"\[10244\]"):
        m = GammaGammaModel(drop_nonpositive=True).fit(s)
    assert m.n_nonpositive_ == 1 and m.n_customers_ + m.n_dropped_ == len(s)


@settings(max_examples=40, deadline=None)
@given(x=st.integers(1, 10_000), z=st.floats(1e-3, 1e5), params=st.tuples(*[st.floats(0.01, 50)] * 3))
def test_gamma_gamma_loglik_and_gradient_finite_for_extreme_histories(x, z, params):
    m = GammaGammaModel()
    c = m._cache({"x": np.array([float(x)]), "z": np.array([z])})
    ll, g = m._loglik_grad(np.array(params), c)
    assert np.isfinite(ll).all() and np.isfinite(g).all()
    if params[0] * x + params[1] > 1:
        assert 0 < m.conditional_expected_spend(x, z, params=params) < np.inf
    else:  # the posterior mean spend does not exist
        with pytest.raises(DataError, match="expected spend is infinite"):
            m.conditional_expected_spend(x, z, params=params)


def test_gamma_gamma_weighted_rows_give_the_fit_of_expanded_rows():
    d = load_cdnow_summary().iloc[:600]
    counts = np.random.default_rng(5).integers(1, 4, len(d))
    a = GammaGammaModel(compress=False).fit(d.loc[d.index.repeat(counts)])
    b = GammaGammaModel(compress=False).fit(d.assign(weight=counts))
    np.testing.assert_allclose(a.params_, b.params_, rtol=1e-7)
    assert a.log_likelihood_ == pytest.approx(b.log_likelihood_, rel=1e-12)
    assert a.n_one_time_ == b.n_one_time_ == counts[d["frequency"].to_numpy() == 0].sum()


def test_inputchecks_gamma_gamma_spend():
    m = GammaGammaModel().fit(load_cdnow_summary())
    with pytest.raises(DataError, match="frequency must be >= 0, got -1"):
        m.conditional_expected_spend(-1, 20.0)
    with pytest.raises(DataError, match="monetary must be >= 0, got -3"):
        m.conditional_expected_spend(2, -3.0)
