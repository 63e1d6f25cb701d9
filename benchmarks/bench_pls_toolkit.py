"""The structural-model toolkit (issue 17) beside seminr 0.2.1: HTMT intervals, indirect effects, speed.

Run in the reference environment (see ``bench_pls.py``: seminr 0.2.1 and crmlib installed there):

    /work/refenv-survey/bin/python benchmarks/bench_pls_toolkit.py [--nboot 5000] [--seminr-nboot 300]

It prints, on the *same* resamples (``boot_indices`` given to both tools):

1. HTMT bootstrap intervals of the ECSI model on ``mobi`` (``htmt_intervals``) against seminr's
   ``boot_htmt``: the largest absolute difference of the 2.5%, 95% and 97.5% quantiles, and the
   quantiles of seminr for the pairs pinned in ``tests/test_survey_assessment.py``;
2. the specific indirect effects of the extended corporate-reputation model (``indirect_effects``)
   against seminr's ``specific_effect_significance``: estimates, standard errors and percentile bounds;
3. Henseler's PLS-MGA of providers 1 and 2 (``pls_mga``) against seminr's ``estimate_pls_mga`` on the same
   resamples: the largest difference of the p-values and both wall times;
4. wall time: crmlib's MICOM of providers 1 and 2 with ``--npermutations`` permutations (default ``--nboot``),
   simple and extended model;
5. wall time: crmlib's bootstrap of the extended model with ``--nboot`` resamples plus all its
   indirect effects and total indirect effects, crmlib's PLSpredict (10 folds x 10 repetitions), and
   seminr's bootstrap of ``--seminr-nboot`` resamples.

PLSpredict against seminr's ``predict_pls`` on the same folds is pinned in ``tests/test_survey_predict.py``.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

from crmlib.datasets import load_corp_rep, load_mobi
from crmlib.survey import assessment, mediation
from crmlib.survey.micom import micom
from crmlib.survey.pathmodel import read_model
from crmlib.survey.pls import pls_path_model
from crmlib.survey.pls_groups import pls_mga
from crmlib.survey.predict import pls_predict


def _seminr_model(sm, pm):
    mm = sm.constructs(
        *[
            sm.composite(
                c,
                its if len(its) > 1 else sm.single_item(its[0]),
                weights=sm.mode_B if pm.modes[c] == "B" else sm.mode_A,
            )  # fmt: skip
            for c, its in pm.measurement.items()
        ]
    )
    return mm, sm.relationships(*[sm.paths(from_=a, to=b) for a, b in pm.structure])


def htmt_same_resamples(sm, nboot: int = 200, seed: int = 2026) -> float:
    data = load_mobi().data.astype(float)
    pm = read_model("ecsi")
    idx = np.random.default_rng(seed).integers(0, len(data), size=(nboot, len(data)))
    ours = assessment.htmt_intervals(pls_path_model(data, pm, boot_indices=idx))
    ref = sm.bootstrap_model(sm.estimate_pls(data, *_seminr_model(sm, pm)), nboot, indices=idx)
    pos = {c: k for k, c in enumerate(ref.boot_htmt[0].rows)}
    cols = {c: k for k, c in enumerate(ref.boot_htmt[0].cols)}

    def cell(m, a, b):
        v = np.asarray(m.values)
        return v[pos[a], cols[b]] if not np.isnan(v[pos[a], cols[b]]) else v[pos[b], cols[a]]

    draws = np.array(
        [[cell(m, a, b) for a, b in ours[["construct_a", "construct_b"]].to_numpy()] for m in ref.boot_htmt]
    )
    q = np.quantile(draws, [0.025, 0.95, 0.975], axis=0)
    diff = np.abs(q - ours[["lower", "upper_one_sided", "upper"]].to_numpy().T).max()
    print(f"HTMT, ECSI on mobi, {nboot} shared resamples: largest |crmlib - seminr| quantile difference {diff:.1e}")
    for k in (1, 12, 19):  # IMAG-PERQ, PERQ-CUSA, CUSA-CUSL
        a, b = ours.loc[k, ["construct_a", "construct_b"]]
        print(f"  seminr {a}-{b}: 2.5% {q[0, k]:.10f}  95% {q[1, k]:.10f}  97.5% {q[2, k]:.10f}")
    return float(diff)


def indirect_same_resamples(sm, nboot: int, seed: int = 2026) -> tuple[float, float]:
    pm = read_model("reputation_extended")
    data = load_corp_rep().data[pm.items].astype(float)
    data = data.fillna(data.mean())  # crmlib resamples the mean-replaced data, seminr replaces within each resample
    idx = np.random.default_rng(seed).integers(0, len(data), size=(nboot, len(data)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = mediation.indirect_effects(pls_path_model(data, pm, boot_indices=idx)).set_index("effect")
    ref_model = sm.estimate_pls(data, *_seminr_model(sm, pm))
    t0 = time.perf_counter()
    boot = sm.bootstrap_model(ref_model, nboot, indices=idx)
    t_seminr = time.perf_counter() - t0
    diff = 0.0
    for chain in ("COMP -> CUSA -> CUSL", "LIKE -> CUSA -> CUSL", "QUAL -> LIKE -> CUSA -> CUSL"):
        c = [s.strip() for s in chain.split("->")]
        ref = sm.specific_effect_significance(boot, from_=c[0], to=c[-1], through=c[1:-1])
        mine = ours.loc[chain]
        d = max(abs(ref.original_est - mine["estimate"]), abs(ref.bootstrap_sd - mine["se"]),
                abs(ref.ci_lower - mine["lower"]), abs(ref.ci_upper - mine["upper"]))  # fmt: skip
        diff = max(diff, d)
        print(f"  {chain}: seminr {ref.original_est:.6f} sd {ref.bootstrap_sd:.6f} [{ref.ci_lower:.6f}, "
              f"{ref.ci_upper:.6f}]; crmlib {mine['estimate']:.6f} sd {mine['se']:.6f} "
              f"[{mine['lower']:.6f}, {mine['upper']:.6f}]")  # fmt: skip
    print(
        f"indirect effects, extended model, {nboot} shared resamples: largest difference {diff:.1e}; "
        f"seminr bootstrap {t_seminr:.2f} s"
    )
    return diff, t_seminr


def _load() -> str:
    """The 1-minute load average beside a wall time (the machine is shared: wall time alone misleads)."""
    return f", load {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""


def crmlib_speed(nboot: int, seed: int = 2026) -> float:
    data = load_corp_rep().data.astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0, c0 = time.perf_counter(), time.process_time()
        res = pls_path_model(data, "reputation_extended", n_boot=nboot, seed=seed)
        mediation.indirect_effects(res)
        mediation.total_indirect_effects(res)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"crmlib: extended model, {nboot} resamples with all indirect and total indirect effects: {seconds:.2f} s "
        f"(CPU {cpu:.2f} s{_load()})"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0, c0 = time.perf_counter(), time.process_time()
        pls_predict(data, "reputation_extended", n_folds=10, n_repeats=10, seed=seed)
        t_pred, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"crmlib: extended model, PLSpredict 10 folds x 10 repetitions: {t_pred:.2f} s (CPU {cpu:.2f} s{_load()})")
    return seconds


def micom_speed(n_permutations: int, seed: int = 2026) -> None:
    """MICOM of providers 1 and 2 of corp_rep (130 + 127 respondents), simple and extended model."""
    data = load_corp_rep().data.astype(float)
    pair = data[data["serviceprovider"].isin([1, 2])]
    for model in ("reputation", "reputation_extended"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0, c0 = time.perf_counter(), time.process_time()
            micom(pair, model, "serviceprovider", n_permutations=n_permutations, seed=seed)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"crmlib: MICOM, {model}, providers 1 and 2, {n_permutations} permutations: {seconds:.2f} s "
            f"(CPU {cpu:.2f} s{_load()})"
        )


def mga_same_resamples(sm, nboot: int = 200, seed: int = 2026) -> None:
    """Henseler's PLS-MGA, providers 1 and 2, simple model: crmlib's pls_mga against seminr's estimate_pls_mga on
    the same resamples of the group-mean-replaced data; largest p difference and both wall times."""
    from seminr.mga.estimate_pls_mga import estimate_pls_mga

    pm = read_model("reputation")
    d = load_corp_rep().data
    d = d[d["serviceprovider"].isin([1, 2])][pm.items + ["serviceprovider"]].astype(float)
    d[pm.items] = d.groupby("serviceprovider")[pm.items].transform(lambda s: s.fillna(s.mean()))
    d = d.sort_values("serviceprovider", kind="stable").reset_index(drop=True)
    cond = (d["serviceprovider"] == 1).to_numpy()
    rng = np.random.default_rng(seed)
    i1, i2 = rng.integers(0, cond.sum(), (nboot, cond.sum())), rng.integers(0, (~cond).sum(), (nboot, (~cond).sum()))
    t0 = time.perf_counter()
    ours = pls_mga(pls_path_model(d[cond], pm, boot_indices=i1), pls_path_model(d[~cond], pm, boot_indices=i2))
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = estimate_pls_mga(sm.estimate_pls(d[pm.items], *_seminr_model(sm, pm)), cond, nboot=nboot,
                           group1_indices=i1, group2_indices=i2)  # fmt: skip
    t_ref = time.perf_counter() - t0
    diff = max(abs(a - r.pls_mga_p) for a, r in zip(ours["p_mga"], ref))
    print(
        f"PLS-MGA, {nboot} shared resamples per group: largest |p crmlib - p seminr| {diff:.1e}; "
        f"crmlib {t_ours:.2f} s, seminr {t_ref:.2f} s"
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--nboot", type=int, default=5000)
    ap.add_argument("--seminr-nboot", type=int, default=300)
    ap.add_argument("--no-seminr", action="store_true", help="time crmlib only")
    ap.add_argument("--npermutations", type=int, default=None, help="MICOM permutations (default: --nboot)")
    args = ap.parse_args()
    crmlib_speed(args.nboot)
    micom_speed(args.npermutations or args.nboot)
    if not args.no_seminr:
        import seminr as sm

        mga_same_resamples(sm)

        htmt_same_resamples(sm)
        indirect_same_resamples(sm, args.seminr_nboot)
