"""Drivers (OLS, ordinal logit, NPS, loyalty matrix), IPMA and CB-SEM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib.datasets import load_corp_rep, load_mobi
from crmlib.exceptions import DataError
from crmlib.survey import cbsem
from crmlib.survey.drivers import loyalty_matrix, net_promoter_score, ols_drivers, ordinal_logit
from crmlib.survey.ipma import ipma
from crmlib.survey.pathmodel import read_model
from crmlib.survey.pls import pls_path_model

ECSI, REPUTATION = read_model("ecsi"), read_model("reputation")  # data/models/*.yml
REPUTATION_MEASUREMENT, REPUTATION_STRUCTURE = REPUTATION.measurement, REPUTATION.structure


@pytest.fixture(scope="module")
def ecsi():
    return pls_path_model(load_mobi().data, ECSI, scale_min=1, scale_max=10)


def test_ols_on_index_scores_reproduces_pls_paths(ecsi):
    # index scores are affine in the standardised scores (all items on 1..10), so standardised OLS betas
    # equal the PLS path coefficients
    res = ols_drivers(ecsi.index_scores, "CUSA", ["IMAG", "CUEX", "PERQ", "PERV"], cov_type="HC3")
    p = ecsi.paths.set_index(["from", "to"])["estimate"]
    for c in ["IMAG", "CUEX", "PERQ", "PERV"]:
        assert res.table.loc[c, "beta"] == pytest.approx(p[(c, "CUSA")], abs=1e-8)
    assert res.r2 == pytest.approx(ecsi.r2["CUSA"], abs=1e-8)
    classical = ols_drivers(ecsi.index_scores, "CUSA", ["IMAG", "PERQ"], cov_type="nonrobust")
    assert not np.allclose(classical.table["se"], ols_drivers(ecsi.index_scores, "CUSA", ["IMAG", "PERQ"]).table["se"])


def test_ordinal_logit_recovers_simulated_slope():
    rng = np.random.default_rng(4)
    n = 3000
    x = rng.standard_normal(n)
    latent = 1.2 * x + rng.logistic(size=n)
    y = np.digitize(latent, [-2, -0.5, 0.5, 2]) + 1  # 5-point item
    res = ordinal_logit(pd.DataFrame({"y": y, "x": x}), "y", ["x"])
    assert res.table.loc["x", "coef"] == pytest.approx(1.2, abs=0.1)
    assert 0 < res.r2 < 1


def test_nps_definition_and_scale_check():
    v = pd.Series([10, 9, 9, 8, 7, 6, 0, 10, 5, 9])  # 5 promoters, 2 passives, 3 detractors
    s = net_promoter_score(v)
    assert s["nps"] == pytest.approx(20.0) and s["passives_pct"] == pytest.approx(20.0)
    p, d = 0.5, 0.3
    assert s["se"] == pytest.approx(100 * np.sqrt((p + d - (p - d) ** 2) / 10))
    with pytest.raises(DataError, match="needs a 0-10 recommendation item; this item's scale is 1..10"):
        net_promoter_score(v.clip(1), 1, 10)


def test_loyalty_matrix_cells():
    a = pd.Series([1, 2, 8, 9, 9, 1])
    r = pd.Series([9, 1, 9, 1, 8, 2])
    tab, seg = loyalty_matrix(a, r, attitude_cut=5, patronage_cut=5)
    assert seg.tolist() == ["spurious loyalty", "no loyalty", "loyalty", "latent loyalty", "loyalty", "no loyalty"]
    assert tab.loc["loyalty", "n"] == 2 and tab["percent"].sum() == pytest.approx(100)


def test_plot_index_labels_axes_and_shows_means(ecsi):
    import matplotlib

    matplotlib.use("Agg")
    fig = ecsi.plot_index()
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("mean index score (0-100)") and ax.get_ylabel() == "construct"
    widths = [p.get_width() for p in ax.patches][::-1]
    assert widths == pytest.approx(ecsi.index_scores.mean().to_numpy())


def test_ipma_importance_is_rescaled_total_effect(ecsi):
    tab = ipma(ecsi, "CUSL")
    S = ecsi.index_scores
    # CUSCO -> CUSL is a direct path only: importance = unstandardised OLS coefficient in the CUSL equation
    X = np.column_stack([np.ones(len(S)), S[["IMAG", "CUSA", "CUSCO"]].to_numpy()])
    coef = np.linalg.lstsq(X, S["CUSL"].to_numpy(), rcond=None)[0]
    assert tab.loc["CUSCO", "importance"] == pytest.approx(coef[3])
    # same-range items: unstandardised total effect = standardised total effect * sd(target) / sd(source)
    for c in tab.index:
        assert tab.loc[c, "importance"] == pytest.approx(
            ecsi.total_effects.loc[c, "CUSL"] * S["CUSL"].std() / S[c].std(), rel=1e-8
        )
    assert tab.loc["PERV", "performance"] == pytest.approx(S["PERV"].mean())


@pytest.mark.slow
def test_cbsem_reputation_fit_and_ecsi_inadmissible():
    # semopy is a test dependency (pyproject extra 'test' and 'sem'): no importorskip, a missing semopy must fail here
    corp = load_corp_rep().data
    res = cbsem.cb_sem(corp, REPUTATION)
    assert res.admissible
    assert res.fit["n"] == len(corp[[i for v in REPUTATION_MEASUREMENT.values() for i in v]].dropna())
    # df counted directly: 10 observed variables give 55 moments; free parameters are 6 loadings (first of each
    # factor fixed), 9 item error variances, 5 paths, 3 exogenous (co)variances and 2 disturbances (cusa, CUSL)
    p = 10
    free = (3 - 1) * 3 + 9 + 5 + 3 + 2
    assert res.fit["df"] == p * (p + 1) / 2 - free
    # fit indices recomputed from the ML discrepancy F = ln|Sigma| + tr(S Sigma^-1) - ln|S| - p (Bollen 1989, eq. 4.67),
    # chi2 = n F; the independence baseline has Sigma_b = diag(S); CFI, TLI (Hu & Bentler 1999), RMSEA with n - 1
    S, Sig, n = res.sample_cov.to_numpy(), res.implied_cov.to_numpy(), res.fit["n"]
    F = np.linalg.slogdet(Sig)[1] + np.trace(S @ np.linalg.inv(Sig)) - np.linalg.slogdet(S)[1] - p
    chi2, chi2_b, df, df_b = (
        n * F,
        n * (np.log(np.diag(S)).sum() - np.linalg.slogdet(S)[1]),
        res.fit["df"],
        p * (p - 1) / 2,
    )
    assert res.fit["chi2"] == pytest.approx(chi2, rel=1e-6)
    assert res.fit["CFI"] == pytest.approx(1 - max(chi2 - df, 0) / max(chi2_b - df_b, chi2 - df), rel=1e-6)
    assert res.fit["TLI"] == pytest.approx((chi2_b / df_b - chi2 / df) / (chi2_b / df_b - 1), rel=1e-6)
    assert res.fit["RMSEA"] == pytest.approx(np.sqrt(max(chi2 - df, 0) / (df * (n - 1))), rel=1e-6)
    d = np.sqrt(np.diag(S))
    resid = ((S - Sig) / np.outer(d, d))[np.tril_indices(p)]
    assert res.fit["SRMR"] == pytest.approx(np.sqrt(np.mean(resid**2)), rel=1e-9)
    ecsi = cbsem.cb_sem(load_mobi().data, ECSI)
    assert not ecsi.admissible  # REFERENCE-LIBRARIES.md: inadmissible in every tool tried
    assert (ecsi.inadmissible["problem"] == "standardised estimate beyond +-1").any()
    summ = ecsi.summary()
    assert summ.attrs["admissible"] is False and not summ["admissible"].all()
    assert (summ.loc[~summ["admissible"], "std_estimate"].abs() > 1).all()
    assert res.summary()["admissible"].all()


def test_cbsem_missing_semopy_message(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "semopy":
            raise ImportError("No module named 'semopy'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ImportError, match=r"optional dependency 'semopy' .*crmlib\[sem\]"):
        cbsem.cb_sem(load_mobi().data, ECSI)


def test_lavaan_syntax_uses_observed_item_for_single_item_construct():
    text = cbsem.lavaan_syntax(REPUTATION)
    assert "CUSA =~" not in text and "cusa ~ COMP + LIKE" in text and "CUSL ~ COMP + LIKE + cusa" in text


def test_inputchecks_net_promoter_score():
    # issue 14: an empty NPS series raised a raw ZeroDivisionError
    with pytest.raises(DataError, match=r"no answers \(0 values, all missing\)"):
        net_promoter_score(pd.Series([], dtype=float))
    with pytest.raises(DataError, match=r"no answers \(3 values, all missing\)"):
        net_promoter_score(pd.Series([np.nan] * 3))
    with pytest.raises(DataError, match=r"answers outside 0..10 in 1 row \(e.g. \[2\]\)"):
        net_promoter_score(pd.Series([9, 10, 11]))
    with pytest.raises(DataError, match=r"1 row \(e.g. \[1\]\) are not numbers, e.g. 'ten'"):
        net_promoter_score(pd.Series([9, "ten"]))
    with pytest.raises(DataError, match=r"level must be in \(0, 1\)"):
        net_promoter_score(pd.Series([9, 10]), level=95)
    s = net_promoter_score(pd.Series([10, 9, 8, 3]), level=0.9)
    assert s["nps"] == pytest.approx(25.0)  # 2 promoters, 1 detractor of 4
    assert s["upper"] - s["nps"] == pytest.approx(1.6448536 * s["se"], rel=1e-6)


def test_compare_with_pls_maps_single_items_and_flags_the_review_finding():
    # review 7.4: COMP -> CUSA is 0.16 (p = 0.015) in PLS but -0.02 (n.s.) in CB-SEM
    from crmlib.survey import pls_path_model
    from crmlib.survey.cbsem import cb_sem, compare_with_pls

    corp = load_corp_rep().data
    cb, pls = cb_sem(corp, "reputation"), pls_path_model(corp, "reputation", n_boot=200, seed=1)
    both = compare_with_pls(cb, pls).set_index(["from", "to"])
    std = cb.paths.replace({"cusa": "CUSA"}).set_index(["from", "to"])["std_estimate"]
    assert both["cbsem"].to_numpy() == pytest.approx(std.loc[both.index].to_numpy(), abs=1e-12)
    assert both["pls"].to_numpy() == pytest.approx(pls.paths["estimate"].to_numpy(), abs=1e-12)
    assert not both.loc[("COMP", "CUSA"), "agree"] and both.loc[("COMP", "CUSL"), "agree"]  # n.s. in both
    assert both.loc[("CUSA", "CUSL"), "agree"]
    with pytest.raises(DataError, match="pls: the model was not bootstrapped"):
        compare_with_pls(cb, pls_path_model(corp, "reputation"))
