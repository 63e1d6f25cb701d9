"""MBG/NBD (crmlib.clv.mbgnbd): lifetimes' ModifiedBetaGeoFitter, the likelihood by integration, identification.

Oracles: lifetimes 0.11.3's ModifiedBetaGeoFitter on the CDNOW summary (run
once in the reference environment, see benchmarks/bench_clv.py); direct
numerical integration over the mixing distributions.
"""

import numpy as np
import pytest
from scipy import integrate, special

from crmlib.clv import BetaGeoModel, ModifiedBetaGeoModel
from crmlib.exceptions import ConvergenceError, ConvergenceWarning


def test_mbgnbd_matches_lifetimes_modified_beta_geo_fitter(cdnow_summary):
    # lifetimes 0.11.3 ModifiedBetaGeoFitter on the same summary (benchmarks/bench_clv.py, reference env);
    # the R package BTYDplus (Platzer) gives r, alpha, a, b = 0.525, 6.183, 0.891, 1.614 (pinned in lifetimes' tests)
    m = ModifiedBetaGeoModel().fit(cdnow_summary)
    np.testing.assert_allclose(m.params_, [0.525, 6.183, 0.891, 1.614], atol=6e-4)
    ref = {"r": 0.5248377, "alpha": 6.1829885, "a": 0.8913563, "b": 1.6140000}
    for k, v in ref.items():
        assert m.params_[k] == pytest.approx(v, rel=1e-4), k
    assert m.conditional_expected_purchases(39, 2, 30.43, 38.86) == pytest.approx(1.2626708, rel=1e-5)
    assert m.probability_alive(2, 30.43, 38.86) == pytest.approx(0.7061263, rel=1e-5)


def test_mbgnbd_loglik_against_numerical_integration():
    """MBG/NBD (Batislam et al. 2007): drop-out possible at time 0 too; integrate the individual likelihood."""
    r, alpha, a, b = 0.5, 6.0, 0.9, 1.6
    m = ModifiedBetaGeoModel()
    for x, tx, T in [(0, 0.0, 30.0), (2, 12.0, 30.0)]:

        def indiv(lam, p):
            alive = (1 - p) ** (x + 1) * lam**x * np.exp(-lam * T)
            dead = p * (1 - p) ** x * lam**x * np.exp(-lam * tx)
            dens = np.exp(
                (r - 1) * np.log(lam)
                - alpha * lam
                + r * np.log(alpha)
                - special.gammaln(r)
                + (a - 1) * np.log(p)
                + (b - 1) * np.log1p(-p)
                - special.betaln(a, b)
            )
            return (alive + dead) * dens

        val, _ = integrate.dblquad(lambda lam, p: indiv(lam, p), 0, 1, 0, 8, epsabs=1e-12, epsrel=1e-8)
        ll = m._loglik(
            np.array([r, alpha, a, b]), m._cache({"x": np.array([x * 1.0]), "tx": np.array([tx]), "T": np.array([T])})
        )
        assert ll[0] == pytest.approx(np.log(val), abs=1e-6)


def test_inputchecks_three_customers_warn_instead_of_reporting_convergence(cdnow_summary):
    """Issue 14: MBG/NBD on three customers reported convergence with a = 1.6e6, b = 7.4e7 and no warning."""
    three = cdnow_summary.loc[[11, 12, 13], ["frequency", "recency", "T"]]
    with pytest.warns(ConvergenceWarning, match=r"ran off to the extreme.*not identified on these 3 customers.*Try"):
        m = ModifiedBetaGeoModel().fit(three)
    assert not m.convergence_.converged
    # BG/NBD on the same customers runs off as far (a = 2.1e6, b = 2.0e7) without reaching the bound; its observed
    # information is then not positive definite, and the fit is refused with the estimates named: never a silent
    # "converged"
    with pytest.raises(ConvergenceError, match=r"a=2\.\d+e\+06, b=1\.\d+e\+07\).*not identified on these data"):
        BetaGeoModel().fit(three)


def test_mbgnbd_overrides_only_the_dropout_chances(cdnow_summary):
    """MBG/NBD = BG/NBD with one more drop-out chance: its P(X(t)=0) is BG/NBD's with the chance at time 0 added."""
    p = [0.25, 4.4, 0.8, 2.4]
    r, alpha, a, b = p
    t = 39.0
    # a new customer buys nothing in (0, t]: drops at time 0 (prob. E[p] = a/(a+b)), or survives it with no purchase
    no_purchase_bg = BetaGeoModel().probability_of_purchases(0, t, params=p)
    survive = b / (a + b)
    nbd0 = (alpha / (alpha + t)) ** r
    lhs = ModifiedBetaGeoModel().probability_of_purchases(0, t, params=p)
    # p and lambda independent: E[p + (1 - p) (alpha/(alpha+t))^r] over p ~ Beta(a, b)
    assert no_purchase_bg == pytest.approx(nbd0, rel=1e-12)  # BG/NBD: nobody drops before the first repeat
    assert lhs == pytest.approx(a / (a + b) + survive * nbd0, rel=1e-9)
