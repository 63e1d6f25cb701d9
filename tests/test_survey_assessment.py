"""Measurement and structural assessment of PLS models: mobi's failing items, HTMT intervals, VIF, f², the diagram.

Oracles: HTMT intervals against an independent computation (pandas correlations
of every resample through ``reliability.htmt``, one resample at a time) on the
same resamples; VIF and f² against statsmodels regressions on the construct
scores and items; the mobi figures against the published review of the ECSI
model on mobi (CUSL2 loading 0.20; alpha of CUEX 0.45 and CUSL 0.47; HTMT
0.91-0.96; Tenenhaus et al. 2005, Table 4, give the same loadings).
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.outliers_influence import variance_inflation_factor

from crmlib.datasets import load_corp_rep, load_mobi
from crmlib.exceptions import DataError
from crmlib.survey import assessment as A
from crmlib.survey import pls_path_model, read_model, reliability
from crmlib.survey.diagram import path_layout, plot_path_diagram

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def mobi():
    return load_mobi().data


@pytest.fixture(scope="module")
def ecsi(mobi):
    return pls_path_model(mobi, "ecsi", n_boot=200, seed=11)


def test_htmt_intervals_match_an_independent_loop_over_the_same_resamples(mobi, ecsi):
    tab = A.htmt_intervals(ecsi)
    point = reliability.htmt(ecsi)
    assert tab["htmt"].to_numpy() == pytest.approx(
        [point.loc[a, b] for a, b in tab[["construct_a", "construct_b"]].to_numpy()]
    )
    pairs = [tuple(p) for p in tab[["construct_a", "construct_b"]].to_numpy()]
    pos = {i: k for k, i in enumerate(ecsi.item_correlations.index)}
    blocks = {c: [pos[i] for i in its] for c, its in ecsi.measurement.items()}

    def mono(R, c):  # mean |r| among a construct's own items (1 for a single item)
        b = blocks[c]
        return 1.0 if len(b) == 1 else np.abs(R[np.ix_(b, b)])[np.triu_indices(len(b), 1)].mean()

    draws = []
    for idx in ecsi.boot_indices[:60]:  # one resample at a time, numpy's corrcoef, Henseler et al. (2015) eq. 6
        R = np.corrcoef(ecsi.item_data[idx], rowvar=False)
        draws.append(
            [np.abs(R[np.ix_(blocks[a], blocks[b])]).mean() / np.sqrt(mono(R, a) * mono(R, b)) for a, b in pairs]
        )
    draws = np.array(draws)
    sub = pls_path_model(mobi, "ecsi", boot_indices=ecsi.boot_indices[:60])
    tab = A.htmt_intervals(sub)
    assert tab["lower"].to_numpy() == pytest.approx(np.quantile(draws, 0.025, axis=0), abs=1e-10)
    assert tab["upper"].to_numpy() == pytest.approx(np.quantile(draws, 0.975, axis=0), abs=1e-10)
    assert tab["upper_one_sided"].to_numpy() == pytest.approx(np.quantile(draws, 0.95, axis=0), abs=1e-10)
    assert tab["below_090"].equals(tab["upper_one_sided"] < 0.90)


def test_mobi_measurement_flags_the_failing_items_and_constructs(ecsi):
    ma = A.measurement_assessment(ecsi)
    it = ma.items.set_index("item")
    assert it.loc["CUSL2", "loading"] == pytest.approx(0.202, abs=5e-4)
    assert ma.failing_items == ["CUSL2"] and it.loc["CUSL2", "flag"].startswith("remove")
    assert it.loc["CUSCO", "flag"] == ""  # a single item is not judged by its loading
    c = ma.constructs
    assert c.loc["CUEX", "alpha"] == pytest.approx(0.452, abs=5e-4)
    assert c.loc["CUSL", "alpha"] == pytest.approx(0.472, abs=5e-4)
    assert {"CUEX", "CUSL", "IMAG"} <= set(ma.failing_constructs) and "PERQ" not in ma.failing_constructs
    pairs = {frozenset(p) for p in ma.failing_pairs[["construct_a", "construct_b"]].to_numpy()}
    high = ma.htmt.loc[ma.htmt["htmt"] > 0.90]
    assert len(high) == 4 and high["htmt"].min() == pytest.approx(0.91, abs=0.005)
    assert high["htmt"].max() == pytest.approx(0.96, abs=0.005)
    assert {frozenset(p) for p in high[["construct_a", "construct_b"]].to_numpy()} <= pairs


def test_respecify_removes_cusl2_first_and_lifts_reliability(mobi, ecsi):
    model, removed = A.respecify(ecsi, mobi)
    assert removed.iloc[0][["step", "construct", "item"]].tolist() == [1, "CUSL", "CUSL2"]
    assert "CUSL2" not in model.measurement["CUSL"] and model.name == "ecsi (respecified)"
    assert set(removed["item"]) == {"CUSL2", "IMAG3", "CUEX3"}
    after = reliability.construct_reliability(pls_path_model(mobi, model))
    before = reliability.construct_reliability(ecsi)
    for c in ("CUSL", "IMAG", "CUEX"):
        assert after.loc[c, "ave"] > before.loc[c, "ave"] and after.loc[c, "ave"] >= 0.5
    assert after.loc["CUSL", "alpha_standardised"] > 0.7
    with pytest.raises(DataError, match="not bootstrapped"):
        A.respecify(pls_path_model(mobi, "ecsi"), mobi)


def test_outer_and_inner_vif_against_statsmodels(ecsi):
    S = ecsi.scores
    vif = A.inner_vif(ecsi).set_index(["from", "to"])["vif"]
    X = sm.add_constant(S[["IMAG", "CUEX", "PERQ", "PERV"]])
    for k, c in enumerate(["IMAG", "CUEX", "PERQ", "PERV"], start=1):
        assert vif[(c, "CUSA")] == pytest.approx(variance_inflation_factor(X.to_numpy(), k))
    items = ecsi.measurement["PERQ"]
    Z = sm.add_constant(pd.DataFrame(ecsi.item_data, columns=ecsi.item_correlations.index)[items])
    ov = A.outer_vif(ecsi).set_index("item")["vif"]
    assert ov[items].to_numpy() == pytest.approx([variance_inflation_factor(Z.to_numpy(), k) for k in range(1, 8)])


def test_f_squared_against_two_regressions_on_the_scores(ecsi):
    S = ecsi.scores
    full = sm.OLS(S["CUSA"], sm.add_constant(S[["IMAG", "CUEX", "PERQ", "PERV"]])).fit().rsquared
    less = sm.OLS(S["CUSA"], sm.add_constant(S[["IMAG", "CUEX", "PERV"]])).fit().rsquared
    f2 = A.f_squared(ecsi).set_index(["from", "to"])
    assert f2.loc[("PERQ", "CUSA"), "f2"] == pytest.approx((full - less) / (1 - full))
    assert f2.loc[("PERQ", "CUSA"), "size"] == "medium"
    # a target with one predictor: f² = R² / (1 - R²)
    assert f2.loc[("IMAG", "CUEX"), "f2"] == pytest.approx(ecsi.r2["CUEX"] / (1 - ecsi.r2["CUEX"]))


def test_formative_items_are_reviewed_not_removed():
    data = load_corp_rep().data
    res = pls_path_model(data, "reputation_extended", n_boot=100, seed=3)
    ma = A.measurement_assessment(res)
    form = ma.items.loc[ma.items["mode"] == "B"]
    assert not form["flag"].str.startswith("remove").any()
    assert ma.constructs.loc["QUAL", "flag"] == ""  # reliability criteria do not apply to mode B
    assert ma.failing_items == []
    formative = ["QUAL", "PERF", "CSOR", "ATTR"]  # HTMT only between reflective constructs (Henseler et al. 2015)
    assert len(ma.htmt) == 6 and not ma.htmt[["construct_a", "construct_b"]].isin(formative).any().any()
    assert ma.failing_pairs.empty


def test_path_diagram_draws_every_construct_and_path(ecsi):
    fig = plot_path_diagram(ecsi)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    arrows = [c for c in ax.get_children() if isinstance(c, matplotlib.text.Annotation)]
    assert len(arrows) == len(ecsi.structure)
    assert any(t.startswith("Customer satisfaction\nR² = 0.68") for t in texts)
    est = ecsi.paths.set_index(["from", "to"]).loc[("PERQ", "CUSA")]
    assert f"{est['estimate']:.2f} [{est['lower']:.2f}, {est['upper']:.2f}]" in texts


def test_path_diagram_labels_overlap_no_box_and_no_other_label():
    # the extended corp_rep model: four exogenous constructs send crossing arrows to the same two targets, whose
    # midpoints coincide; each label moves along its own arrow until it is clear (survey_hypotheses, Figure 1)
    res = pls_path_model(load_corp_rep().data, "reputation_extended", n_boot=60, seed=2)
    fig = plot_path_diagram(res)
    ax = fig.axes[0]
    boxes, labels = ax.texts[: len(res.measurement)], [t for t in ax.texts[len(res.measurement) :] if t.get_text()]
    assert len(boxes) == len(res.measurement) and len(labels) == len(res.structure)
    fig.canvas.draw()
    texts = [*boxes, *labels]
    extents = [t.get_bbox_patch().get_window_extent() for t in texts]  # the drawn boxes, pads included
    for i in range(len(boxes), len(texts)):
        for j in range(len(texts)):
            assert j == i or not extents[i].overlaps(extents[j]), (texts[i].get_text(), texts[j].get_text())
    pos = {c: np.array(t.get_position()) for c, t in zip(res.measurement, boxes)}
    for (a, b), t in zip(res.structure, labels):  # every label sits on its own arrow
        p, q, m = pos[a], pos[b], np.array(t.get_position())
        u, v = q - p, m - p
        assert abs(u[0] * v[1] - u[1] * v[0]) / np.linalg.norm(u) < 1e-9


def test_layout_is_layered_unless_an_arrow_would_cross_a_construct():
    layered = path_layout(["A", "B", "C", "D"], [("A", "C"), ("B", "C"), ("C", "D")])
    assert layered == {"A": (0.0, 0.5), "B": (0.0, -0.5), "C": (1.0, 0.0), "D": (2.0, 0.0)}
    moved = path_layout(["A", "B", "C"], [("A", "B"), ("B", "C"), ("A", "C")])  # A -> C would cross B
    assert moved == {"A": (0.0, 0.45), "B": (1.0, -0.45), "C": (2.0, 0.45)}
    ecsi = read_model("ecsi")  # a chain whose skipping paths cross even after the shift: a half ellipse
    arc = path_layout(ecsi.constructs, ecsi.structure)
    assert arc["IMAG"][1] == pytest.approx(0.0, abs=1e-12) and arc["PERV"][1] == pytest.approx(2.7)


def test_compare_models_puts_both_fits_side_by_side(mobi, ecsi):
    model, _ = A.respecify(ecsi, mobi)
    after = pls_path_model(mobi, model, n_boot=50, seed=1)
    meas, struct = A.compare_models(ecsi, after)
    row = meas.set_index("construct").loc["CUSL"]
    assert (row["items_original"], row["items_respecified"]) == (3, 2)
    rel = reliability.construct_reliability(after)
    assert row["ave_respecified"] == pytest.approx(rel.loc["CUSL", "ave"])
    assert np.isnan(meas.set_index("construct").loc["CUSCO", "alpha_original"])  # one item: not defined
    p = after.paths.set_index(["from", "to"]).loc[("CUSA", "CUSL")]
    s = struct.set_index("effect")
    assert s.loc["CUSA -> CUSL", "respecified"] == f"{p['estimate']:.2f} [{p['lower']:.2f}, {p['upper']:.2f}]"
    assert s.loc["R² CUSL", "original"] == f"{ecsi.r2['CUSL']:.2f}"


def test_decision_names_failures_or_says_all_pass(ecsi):
    text = A.measurement_assessment(ecsi).decision()
    assert "Items that fail: CUSL2 (loading 0.20, interval" in text and "CUEX (α 0.45 < 0.70" in text
    assert (
        "4 pairs of constructs have an HTMT above 0.90 (IMAG-PERQ 0.93, IMAG-CUSA 0.91, PERQ-CUSA 0.95, CUSA-CUSL 0.96)"
        in text
    )
    clean = A.measurement_assessment(pls_path_model(load_corp_rep().data, "reputation", n_boot=100, seed=1)).decision()
    assert (
        clean.startswith("No item fails the removal rule. Every construct meets")
        and "established for every pair" in clean
    )


def test_htmt_intervals_match_seminr_on_the_same_resamples(mobi):
    # seminr 0.2.1's boot_htmt on the same 200 resamples (benchmarks/bench_pls_toolkit.py prints these quantiles;
    # the largest difference over all 21 pairs and three quantiles was 1.6e-15)
    seminr = {
        ("IMAG", "PERQ"): (0.8575370293, 0.9929561957, 0.9971183851),
        ("PERQ", "CUSA"): (0.8951139187, 0.9963038934, 1.0070213254),
        ("CUSA", "CUSL"): (0.7598412443, 1.1053627443, 1.1231554280),
    }
    idx = np.random.default_rng(2026).integers(0, len(mobi), size=(200, len(mobi)))
    tab = A.htmt_intervals(pls_path_model(mobi.astype(float), "ecsi", boot_indices=idx))
    tab = tab.set_index(["construct_a", "construct_b"])
    for pair, q in seminr.items():
        assert tab.loc[pair, ["lower", "upper_one_sided", "upper"]].tolist() == pytest.approx(q, abs=1e-9)


def _fit_by_loops(res, phi):
    """SRMR of one construct-correlation matrix, item pair by item pair (the definition, without matrices)."""
    load = res.loadings.set_index("item")["loading"]
    block = {i: c for c, its in res.measurement.items() for i in its}
    items = list(res.item_correlations.index)
    squares = []
    for a in range(len(items)):
        for b in range(a + 1):
            i, j = items[a], items[b]
            ci, cj = block[i], block[j]
            if i == j:
                implied = 1.0
            elif ci == cj:
                formative = res.modes.get(ci, "A") == "B"
                implied = res.item_correlations.loc[i, j] if formative else load[i] * load[j]
            else:
                implied = load[i] * phi.loc[ci, cj] * load[j]
            squares.append((res.item_correlations.loc[i, j] - implied) ** 2)
    return np.sqrt(np.mean(squares))


def test_model_fit_srmr_equals_the_item_by_item_definition_and_detects_a_missing_path():
    from crmlib.survey.assessment import model_fit

    corp = load_corp_rep().data
    res = pls_path_model(corp, "reputation_extended")  # four formative constructs, not saturated
    fit = model_fit(res)
    assert fit.loc["saturated", "srmr"] == pytest.approx(_fit_by_loops(res, res.construct_correlations), abs=1e-12)
    # the estimated model's construct correlations by simulation of its equations: a large sample of scores
    # drawn from exogenous correlations as observed and disturbances of variance 1 - R2
    rng = np.random.default_rng(1)
    C = res.construct_correlations
    exo = [c for c in C.index if c not in set(res.paths["to"])]
    draws = pd.DataFrame(rng.multivariate_normal(np.zeros(len(exo)), C.loc[exo, exo], size=400_000), columns=exo)
    for c in C.index:
        if c in exo:
            continue
        into = res.paths[res.paths["to"] == c]
        draws[c] = draws[into["from"]].to_numpy() @ into["estimate"].to_numpy()
        draws[c] += np.sqrt(1 - res.r2[c]) * rng.standard_normal(len(draws))
    phi = draws[list(C.index)].cov()
    assert fit.loc["estimated", "srmr"] == pytest.approx(_fit_by_loops(res, phi), abs=2e-4)
    # simulated truth: X -> M -> Y plus a direct X -> Y of 0.4; leaving the direct path out worsens the fit
    n = 20_000
    x = rng.standard_normal(n)
    m = 0.5 * x + np.sqrt(0.75) * rng.standard_normal(n)
    y = 0.3 * m + 0.4 * x
    y = y + np.sqrt(1 - y.var()) * rng.standard_normal(n)
    sim = pd.DataFrame({f"{v}{k}": s + 0.6 * rng.standard_normal(n) for v, s in (("x", x), ("m", m), ("y", y))
                        for k in range(3)})  # fmt: skip
    mm = {"X": ["x0", "x1", "x2"], "M": ["m0", "m1", "m2"], "Y": ["y0", "y1", "y2"]}
    full = model_fit(pls_path_model(sim, mm, [("X", "M"), ("M", "Y"), ("X", "Y")]))
    chain = model_fit(pls_path_model(sim, mm, [("X", "M"), ("M", "Y")]))
    assert full.loc["estimated", "srmr"] == pytest.approx(full.loc["saturated", "srmr"], abs=1e-12)  # saturated
    # PLS composites of common-factor data leave some misfit (0.040 here); the missing path triples it (0.113)
    assert full.loc["saturated", "srmr"] < 0.05 and chain.loc["estimated", "srmr"] > 0.08
    assert chain.loc["saturated", "srmr"] == pytest.approx(full.loc["saturated", "srmr"], abs=1e-3)
    # with a unit diagonal d_ULS is SRMR^2 times the p(p + 1)/2 = 45 correlations of the 9 items
    assert chain.loc["estimated", "d_uls"] == pytest.approx(45 * chain.loc["estimated", "srmr"] ** 2, rel=1e-12)


def test_consistency_plsc_comparison_disattenuates_by_rho_a_and_quotes_its_numbers():
    """The PLSc column is pls_path_model(consistent=True) (itself equal to seminr, test_survey_pls); the
    independent check here: PLSc's correlation of two reflective constructs is PLS's divided by
    sqrt(rho_A,i rho_A,j) with rho_A from construct_reliability, and the sentence quotes the table."""
    import warnings

    data = load_corp_rep().data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the negative formative weight of qual_4's index
        pls = pls_path_model(data, "reputation_extended", n_boot=80, seed=8)
        plsc = pls_path_model(data, "reputation_extended", n_boot=80, seed=8, consistent=True)
    tab = A.consistent_comparison(pls, plsc)
    assert tab["pls"].tolist() == pls.paths["estimate"].tolist()
    assert tab["plsc"].tolist() == plsc.paths["estimate"].tolist()
    rho = reliability.construct_reliability(pls)["rho_a"]
    assert tab.attrs["rho_a"] == pytest.approx({c: rho[c] for c in ("COMP", "LIKE", "CUSL")}, abs=1e-12)
    r_pls, r_plsc = pls.construct_correlations, plsc.construct_correlations
    assert r_plsc.loc["LIKE", "CUSL"] == pytest.approx(
        r_pls.loc["LIKE", "CUSL"] / np.sqrt(rho["LIKE"] * rho["CUSL"]), abs=1e-12
    )
    assert r_plsc.loc["QUAL", "CUSA"] == pytest.approx(r_pls.loc["QUAL", "CUSA"], abs=1e-12)  # reliability 1 both
    excl = (plsc.paths["lower"] > 0) | (plsc.paths["upper"] < 0)
    assert tab["plsc_excludes_0"].tolist() == excl.tolist()
    text = A.consistent_sentence(tab)
    grow = int((plsc.paths["estimate"].abs() > pls.paths["estimate"].abs()).sum())
    assert f"{grow} of 13 paths are larger in magnitude under PLSc" in text
    assert f"COMP {rho['COMP']:.2f}, LIKE {rho['LIKE']:.2f}, CUSL {rho['CUSL']:.2f}" in text
    k = (plsc.paths["estimate"] - pls.paths["estimate"]).abs().idxmax()
    assert f"from {pls.paths['estimate'][k]:.3f} to {plsc.paths['estimate'][k]:.3f}" in text


def test_inputchecks_plsc_comparison_needs_pls_then_plsc_of_the_same_model(ecsi):
    plsc = pls_path_model(load_mobi().data, "ecsi", consistent=True)
    with pytest.raises(DataError, match="pls must be estimated with consistent=False and plsc with consistent=True"):
        A.consistent_comparison(plsc, ecsi)
    other = pls_path_model(load_corp_rep().data, "reputation", consistent=True)
    with pytest.raises(DataError, match="pls and plsc must be the same model estimated on the same respondents"):
        A.consistent_comparison(ecsi, other)
