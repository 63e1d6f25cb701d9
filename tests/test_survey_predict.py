"""PLSpredict against seminr on the same folds and against a fold-by-fold computation with pls_path_model.

Oracles: seminr 0.2.1 ``predict_pls(no_folds=10, ordering=...)`` on the extended corporate-reputation
model (the RMSE of PLS and of the linear benchmark pinned below, printed by the script in the module
docstring of ``crmlib.survey.predict``'s benchmark run; largest difference over all items 1.5e-9), and an
independent loop over the same folds that estimates :func:`pls_path_model` on each training set.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from crmlib.datasets import load_corp_rep
from crmlib.exceptions import DataError
from crmlib.survey import pls_path_model, read_model
from crmlib.survey.predict import kfold_ids, pls_predict, predictive_power


@pytest.fixture(scope="module")
def corp():
    return load_corp_rep().data


def _mean_replaced(data, pm):
    d = data[pm.items].astype(float)
    return d.fillna(d.mean())


def test_matches_seminr_predict_pls_on_the_same_folds(corp):
    pm = read_model("reputation_extended")
    data = _mean_replaced(corp, pm)
    folds = kfold_ids(len(data), 10, np.random.default_rng(5).permutation(len(data)))[None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tab = pls_predict(data, pm, folds=folds).set_index("item")
    seminr_pls = {"comp_1": 1.044104583, "like_2": 1.4932000184, "cusa": 1.0024439794, "cusl_3": 1.3127870727}
    seminr_lm = {"comp_3": 1.1287418983, "like_2": 1.575139115, "cusl_1": 1.2100772898}
    for item, v in seminr_pls.items():
        assert tab.loc[item, "pls_rmse"] == pytest.approx(v, abs=1e-8)
    for item, v in seminr_lm.items():
        assert tab.loc[item, "lm_rmse"] == pytest.approx(v, abs=1e-8)
    assert list(tab.index) == pm.measurement["COMP"] + pm.measurement["LIKE"] + ["cusa"] + pm.measurement["CUSL"]
    assert tab.loc["comp_3", "pls_beats_lm"] == (1.1341362045 < 1.1287418983)


def test_q2_predict_against_a_loop_over_the_same_folds(corp):
    pm = read_model("reputation")
    data = _mean_replaced(corp, pm)
    n = len(data)
    folds = np.array([kfold_ids(n, 5, np.random.default_rng(s).permutation(n)) for s in (1, 2)])
    tab = pls_predict(data, pm, folds=folds).set_index("item")
    items = pm.measurement["CUSA"] + pm.measurement["CUSL"]
    X = data.to_numpy()
    preds, naive = np.zeros((2, n, len(items))), np.zeros((2, n, len(items)))
    for r in range(2):
        for f in range(5):
            test, train = folds[r] == f, folds[r] != f
            fit = pls_path_model(data[train], pm)
            mu, sd = X[train].mean(axis=0), X[train].std(axis=0, ddof=1)
            w = fit.weights.set_index("item")
            scores = {c: ((X[test] - mu) / sd)[:, [pm.items.index(i) for i in its]] @ w.loc[its, "weight"].to_numpy()
                      for c, its in pm.measurement.items()}  # fmt: skip
            b = fit.paths.set_index(["from", "to"])["estimate"]
            cusa = b[("COMP", "CUSA")] * scores["COMP"] + b[("LIKE", "CUSA")] * scores["LIKE"]
            cusl = sum(b[(a, "CUSL")] * scores[a] for a in ("COMP", "LIKE", "CUSA"))
            lo = fit.loadings.set_index("item")["loading"]
            for k, it in enumerate(items):
                j = pm.items.index(it)
                preds[r, test, k] = (cusa if it == "cusa" else cusl) * lo[it] * sd[j] + mu[j]
                naive[r, test, k] = mu[j]
    y = data[items].to_numpy()
    e, e0 = y - preds.mean(axis=0), y - naive.mean(axis=0)
    assert tab.loc[items, "q2_predict"].to_numpy() == pytest.approx(1 - (e**2).sum(0) / (e0**2).sum(0), abs=1e-9)
    assert tab.loc[items, "pls_mae"].to_numpy() == pytest.approx(np.abs(e).mean(0), abs=1e-9)
    assert tab.attrs == {"n_folds": 5, "n_repeats": 2, "technique": "direct"}


def test_kfold_ids_are_contiguous_blocks_of_the_order_and_bad_folds_are_refused(corp):
    ids = kfold_ids(10, 3, np.arange(10)[::-1])
    # R: cut(1:10, breaks = 3) puts positions 1-4, 5-7, 8-10 in folds 1, 2, 3; the order maps positions to rows
    assert ids.tolist() == [2, 2, 2, 1, 1, 1, 0, 0, 0, 0]
    sizes = np.bincount(kfold_ids(344, 10, np.arange(344)))
    assert sizes.sum() == 344 and sizes.max() - sizes.min() <= 1
    with pytest.raises(DataError, match="folds must be an"):
        pls_predict(corp, "reputation", folds=np.zeros((2, 5), dtype=int))
    with pytest.raises(DataError, match="technique must be one of"):
        pls_predict(corp, "reputation", seed=1, technique="earliest antecedents")


def test_predictive_power_follows_shmueli_et_al():
    import pandas as pd

    t = pd.DataFrame({"q2_predict": [0.2, 0.3, 0.1], "pls_beats_lm": [True, True, False]})
    assert predictive_power(t) == "medium"
    assert predictive_power(t.assign(pls_beats_lm=True)) == "high"
    assert predictive_power(t.assign(pls_beats_lm=[True, False, False])) == "low"
    assert predictive_power(t.assign(pls_beats_lm=False)) == "lacking"
    assert predictive_power(t.assign(q2_predict=[0.2, -0.01, 0.1])) == "none"
