"""MICOM (Henseler, Ringle & Sarstedt 2016): every statistic against a slow reference computed with
pls_path_model on the same permutations, simulations with known (non-)invariance, and input checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib.datasets import load_corp_rep
from crmlib.exceptions import DataError
from crmlib.survey.micom import micom
from crmlib.survey.pathmodel import read_model
from crmlib.survey.pls import pls_path_model

REPUTATION = read_model("reputation")


@pytest.fixture(scope="module")
def corp():
    return load_corp_rep().data


def _reference(pooled: pd.DataFrame, in_a: np.ndarray, perm: np.ndarray | None):
    """c, mean difference and log variance ratio of one (permuted) split, each group fitted by pls_path_model."""
    items = REPUTATION.items
    rows = np.argsort(~in_a, kind="stable") if perm is None else perm
    n_a = int(in_a.sum())
    fa = pls_path_model(pooled.iloc[rows[:n_a]], REPUTATION)
    fb = pls_path_model(pooled.iloc[rows[n_a:]], REPUTATION)
    fp = pls_path_model(pooled, REPUTATION)
    Z = (pooled[items] - pooled[items].mean()) / pooled[items].std()
    out = {}
    for con, its in REPUTATION.measurement.items():
        wa = fa.weights.set_index("item").loc[its, "weight"].to_numpy()
        wb = fb.weights.set_index("item").loc[its, "weight"].to_numpy()
        wp = fp.weights.set_index("item").loc[its, "weight"].to_numpy()
        c = np.corrcoef(Z[its].to_numpy() @ wa, Z[its].to_numpy() @ wb)[0, 1]
        s = Z[its].to_numpy() @ wp
        sa, sb = s[rows[:n_a]], s[rows[n_a:]]
        out[con] = (c, sa.mean() - sb.mean(), np.log(sa.var(ddof=1)) - np.log(sb.var(ddof=1)))
    return out


def test_micom_equals_a_slow_reference_on_the_same_permutations(corp):
    sub = corp[corp["serviceprovider"].isin([1, 3])]
    res = micom(sub, REPUTATION, "serviceprovider", n_permutations=12, seed=5, level=0.9)
    # the reference: the pair's pooled rows with the item means of the pair put in for missing answers
    pooled = sub.copy()
    pooled[REPUTATION.items] = pooled[REPUTATION.items].astype(float).fillna(pooled[REPUTATION.items].mean())
    in_a = (pooled["serviceprovider"] == 1).to_numpy()
    observed = _reference(pooled, in_a, None)
    perms = res.permutations["1 - 3"]
    null = [_reference(pooled, in_a, p) for p in perms]
    comp = res.compositional.set_index("construct")
    mv = res.means_variances.set_index("construct")
    for con, (c, dm, dv) in observed.items():
        c_null = np.array([r[con][0] for r in null])
        dm_null = np.array([r[con][1] for r in null])
        dv_null = np.array([r[con][2] for r in null])
        assert comp.loc[con, "c"] == pytest.approx(c, abs=1e-8)
        assert comp.loc[con, "quantile"] == pytest.approx(np.quantile(c_null, 0.1), abs=1e-8)
        assert comp.loc[con, "p"] == pytest.approx((1 + (c_null <= c + 1e-12).sum()) / 13)
        assert mv.loc[con, "mean_difference"] == pytest.approx(dm, abs=1e-10)
        assert mv.loc[con, "log_variance_ratio"] == pytest.approx(dv, abs=1e-10)
        assert mv.loc[con, "mean_lower"] == pytest.approx(np.quantile(dm_null, 0.05), abs=1e-10)
        assert mv.loc[con, "variance_upper"] == pytest.approx(np.quantile(dv_null, 0.95), abs=1e-10)
        assert mv.loc[con, "mean_p"] == pytest.approx((1 + (np.abs(dm_null) >= abs(dm) - 1e-12).sum()) / 13)
    assert res.invariance["pair"].tolist() == ["1 - 3"]


def _simulated(rng, n, *, swap=False, shift=0.0):
    """Two constructs X -> Y with three items each; swap=True makes x0 noise and x2 the strong item."""
    x = rng.standard_normal(n) + shift
    y = 0.5 * x + np.sqrt(0.75) * rng.standard_normal(n)
    strength = [0.1, 0.6, 0.95] if swap else [0.95, 0.6, 0.1]
    items = {f"x{i}": s * x + np.sqrt(1 - s**2) * rng.standard_normal(n) for i, s in enumerate(strength)}
    return pd.DataFrame(items | {f"y{i}": y + 0.6 * rng.standard_normal(n) for i in range(3)})


SIM = {"X": ["x0", "x1", "x2"], "Y": ["y0", "y1", "y2"]}


def test_micom_detects_a_different_composition_and_a_shifted_mean_and_passes_equal_groups():
    rng = np.random.default_rng(11)
    kw = dict(structure=[("X", "Y")], n_permutations=300, seed=1)
    same = pd.concat([_simulated(rng, 200), _simulated(rng, 200)], ignore_index=True)
    labels = np.repeat(["a", "b"], 200)
    res = micom(same, SIM, pd.Series(labels), modes={"X": "B"}, **kw)
    assert res.compositional["established"].all()
    assert res.invariance.loc[0, "invariance"] == "full"
    # group b builds X from other items (formative weights differ): c falls below its 5% quantile
    other = pd.concat([_simulated(rng, 200), _simulated(rng, 200, swap=True)], ignore_index=True)
    res = micom(other, SIM, pd.Series(labels), modes={"X": "B"}, **kw)
    comp = res.compositional.set_index("construct")
    assert not comp.loc["X", "established"] and comp.loc["X", "c"] < 0.9 and comp.loc["X", "p"] < 0.01
    assert comp.loc["Y", "established"]
    assert res.invariance.loc[0, "invariance"] == "none"
    assert "Compositional invariance fails for X in a - b" in res.verdict()
    # a mean shifted by one standard deviation in group b: compositional invariance holds, equal means do not
    shifted = pd.concat([_simulated(rng, 200), _simulated(rng, 200, shift=1.0)], ignore_index=True)
    res = micom(shifted, SIM, pd.Series(labels), **kw)
    mv = res.means_variances.set_index("construct")
    assert res.compositional["established"].all() and res.invariance.loc[0, "invariance"] == "partial"
    assert not mv.loc["X", "equal_mean"] and mv.loc["X", "mean_difference"] < -0.5 and mv.loc["X", "mean_p"] < 0.01


def test_micom_configural_step_flags_a_group_with_a_constant_item(corp):
    data = corp.copy()
    data.loc[data["serviceprovider"] == 4, "comp_1"] = 5
    res = micom(data, REPUTATION, "serviceprovider", n_permutations=20, seed=2)
    conf = res.configural.set_index("group")
    assert not conf.loc[4, "established"] and conf.loc[4, "constant_items"] == "comp_1"
    inv = res.invariance.set_index("pair")
    assert inv.loc["1 - 4", "invariance"] == "none" and not inv.loc["3 - 4", "configural"]
    assert inv.loc["1 - 2", "configural"] and set(res.compositional["pair"]) == {"1 - 2", "1 - 3", "2 - 3"}


def test_inputchecks_micom(corp):
    with pytest.raises(DataError, match="groups: 'provider' is not a column"):
        micom(corp, REPUTATION, "provider", seed=1)
    with pytest.raises(DataError, match="fewer than 50 respondents"):
        micom(corp, REPUTATION, "serviceprovider", seed=1, min_size=50)
    with pytest.raises(DataError, match="n_permutations"):
        micom(corp, REPUTATION, "serviceprovider", seed=1, n_permutations=0)
    with pytest.raises(DataError, match="level"):
        micom(corp, REPUTATION, "serviceprovider", seed=1, level=95)


# cSEM 0.6.1.9000 (GitHub FloSchuberth/cSEM at 1aa2be56; R 4.2.2) testMICOM on the extended corporate-reputation
# model, servicetype 1 (postpaid, 125) vs 2 (prepaid, 219), missing answers replaced by the item means of all 344,
# PLS stop criterion 1e-12: printed by benchmarks/micom_csem.R (3 December 2026), which says how cSEM was installed.
CSEM_CONSTRUCTS = ["QUAL", "PERF", "CSOR", "ATTR", "COMP", "LIKE", "CUSA", "CUSL"]
CSEM_C_STANDARDISED = [0.9607627804822209, 0.9794974252092266, 0.9850711211770957, 0.9929752905209300,
                       0.9982338586079120, 0.9998146589646161, 1.0, 0.9999097191799761]  # fmt: skip
CSEM_C_UNSTANDARDISED = [0.9599780971763047, 0.9789893784289946, 0.9853374051206923, 0.9924805004399043,
                         0.9982721565289594, 0.9997896462026507, 1.0, 0.9999042610561076]  # fmt: skip
CSEM_MEAN_DIFFERENCE = [-0.009785866197248663, -0.022741006299445383, 0.072038544548157335, -0.064056685375064759,
                        0.059510840152366712, -0.054191418866606687, -0.096668763862495594, -0.059677721553887786]  # fmt: skip
CSEM_LOG_VARIANCE_RATIO = [0.15795144272041778, 0.04175055233748416, -0.10247485536240067, 0.19375343448242713,
                           0.13862971080140352, 0.01548775623535720, 0.23309256888005087, -0.06622853198590559]  # fmt: skip


def test_correctness_micom_equals_csem_testmicom_servicetype(corp):
    """Steps 2 and 3 of MICOM against cSEM's testMICOM on the same data and model (the permutation quantiles
    depend on each tool's random permutations and are not compared). Step 3's mean differences and log
    variance ratios are cSEM's own output. Step 2: this cSEM applies each group's weights for standardised
    items to the *unstandardised* pooled items; crmlib's c, on the standardised pooled items, equals cSEM's
    group weights applied that way (computed in the same R run), and cSEM's own c is reproduced from crmlib's
    group weights on the unstandardised items, so the two differ only by that choice."""
    pm = read_model("reputation_extended")
    data = corp[pm.items].astype(float)
    data = data.fillna(data.mean())
    data["servicetype"] = corp["servicetype"].astype(int)
    res = micom(data, pm, "servicetype", n_permutations=20, seed=1, tol=1e-12, max_iter=1000)
    comp = res.compositional.set_index("construct").loc[CSEM_CONSTRUCTS]
    mv = res.means_variances.set_index("construct").loc[CSEM_CONSTRUCTS]
    assert comp["c"].to_numpy() == pytest.approx(CSEM_C_STANDARDISED, abs=1e-10)
    assert mv["mean_difference"].to_numpy() == pytest.approx(CSEM_MEAN_DIFFERENCE, abs=1e-10)
    assert mv["log_variance_ratio"].to_numpy() == pytest.approx(CSEM_LOG_VARIANCE_RATIO, abs=1e-10)
    # cSEM's step-2 c: crmlib's group weights applied to the unstandardised pooled items
    fits = [pls_path_model(data[data["servicetype"] == g], pm, tol=1e-12, max_iter=1000) for g in (1, 2)]
    assert fits[0].paths.set_index(["from", "to"]).loc[("PERF", "LIKE"), "estimate"] == pytest.approx(
        -0.001557401486992127, abs=1e-12
    )  # cSEM's group-1 path, printed by the same run
    raw = []
    for con in CSEM_CONSTRUCTS:
        its = pm.measurement[con]
        w = [f.weights.set_index("item").loc[its, "weight"].to_numpy() for f in fits]
        raw.append(np.corrcoef(data[its].to_numpy() @ w[0], data[its].to_numpy() @ w[1])[0, 1])
    assert raw == pytest.approx(CSEM_C_UNSTANDARDISED, abs=1e-10)
