"""Timing and agreement of crmlib.clv against lifetimes 0.11.3 (and pymc-marketing's MAP fit where installed).

Run in an environment with crmlib and the reference libraries, e.g.

    python3 -m venv /work/refenv-clv
    /work/refenv-clv/bin/pip install -e . lifetimes==0.11.3 'setuptools<81'
    /work/refenv-clv/bin/python benchmarks/bench_clv.py            # everything (lifetimes' Pareto/NBD on 100k takes ~2 min)
    /work/refenv-clv/bin/python benchmarks/bench_clv.py --quick    # CDNOW only

(``make bench-env`` builds ``.venv-bench`` the same way.) pymc-marketing (Bayesian; its MAP fit
with flat priors is the maximum-likelihood point) needs its own environment:

    python3 -m venv /work/refenv-clv-pymc
    /work/refenv-clv-pymc/bin/pip install -e . pymc-marketing==0.19.2
    PYTENSOR_FLAGS=compiledir=/tmp/pytensor /work/refenv-clv-pymc/bin/python benchmarks/bench_clv.py --pymc

Prints one Markdown table: seconds per fit (best of 3 on the small data sets, one run on the large) for each library, the largest relative difference of the
estimates from crmlib's, and the log-likelihood of each library's estimates
computed by crmlib on the original time scale (lifetimes optimises a mean over
customers on rescaled time, so its own number is not comparable).

Data: the classic CDNOW summary (2,357 customers, weeks); BG/NBD bases of 1M
and 100k customers and Pareto/NBD bases of 100k and 1M (the latter crmlib only) simulated from CDNOW-like
parameters with first purchases spread over 12 weeks and times recorded in
whole days (in weeks), as summaries from dated logs are; Gamma-Gamma spend of
1M simulated repeat buyers; BG/NBD with two covariates in both processes on 1M customers (issue 16;
crmlib only, ``--covariates N`` runs just these). Every draw is seeded. The load average is printed
with the table.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd

from crmlib.clv import BetaGeoBetaBinomModel, BetaGeoModel, GammaGammaModel, ModifiedBetaGeoModel, ParetoNBDModel
from crmlib.clv.covariates import BetaGeoCovariateModel
from crmlib.clv.simulate import simulate_bgnbd, simulate_gamma_gamma, simulate_pareto_nbd
from crmlib.datasets import load_cdnow_summary, load_donations

warnings.simplefilter("ignore")


def timed(fn, repeat: int = 1):
    """Result of ``fn()`` and the best wall time of ``repeat`` runs (seconds)."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, best


def crmlib_ll(model, data, params) -> float:
    w = data["weight"].to_numpy() if "weight" in data.columns else 1.0
    return float(np.sum(w * model.loglik(data, params=np.asarray(params, float))))


def row(rows, what, data, ours_model, ref_name, ref_params, ref_seconds, ours_seconds):
    ours = ours_model.params_.to_numpy()
    ref = np.asarray(ref_params, float)
    rows.append(
        {
            "fit": what,
            "N": f"{int(ours_model.n_customers_):,}",
            "crmlib s": round(ours_seconds, 3),
            f"{ref_name} s": round(ref_seconds, 3) if ref_seconds is not None else None,
            "speed-up": round(ref_seconds / ours_seconds, 1) if ref_seconds else None,
            "max rel. diff.": float(np.max(np.abs(ref / ours - 1))) if ref_params is not None else None,
            "LL crmlib": round(ours_model.log_likelihood_, 3),
            f"LL {ref_name}": round(crmlib_ll(ours_model, data, ref), 3) if ref_params is not None else None,
            "crmlib estimates": ", ".join(f"{k}={v:.5g}" for k, v in ours_model.params_.items()),
        }
    )


def lifetimes_fit(kind, data, **kw):
    import lifetimes

    if kind == "bgnbd":
        f = lifetimes.BetaGeoFitter(**kw)
        return f.fit(data["frequency"], data["recency"], data["T"]), ["r", "alpha", "a", "b"]
    if kind == "mbgnbd":
        f = lifetimes.ModifiedBetaGeoFitter(**kw)
        return f.fit(data["frequency"], data["recency"], data["T"]), ["r", "alpha", "a", "b"]
    if kind in ("pnbd", "pnbd_tight"):
        f = lifetimes.ParetoNBDFitter(**kw)
        tol = {"tol": 1e-10} if kind == "pnbd_tight" else {}
        return f.fit(data["frequency"], data["recency"], data["T"], **tol), ["r", "alpha", "s", "beta"]
    if kind == "gg":
        f = lifetimes.GammaGammaFitter(**kw)
        rep = data[data["frequency"] > 0]
        return f.fit(rep["frequency"], rep["monetary"]), ["p", "q", "v"]
    if kind == "bgbb":
        f = lifetimes.BetaGeoBetaBinomFitter(**kw)
        return f.fit(data["frequency"], data["recency"], data["n_periods"], weights=data["weight"]), [
            "alpha",
            "beta",
            "gamma",
            "delta",
        ]
    raise ValueError(kind)


def compare(rows, what, kind, data, Model, reference=True):
    repeat = 3 if len(data) < 50_000 else 1
    ours, t_ours = timed(lambda: Model().fit(data), repeat)
    params, t_ref = None, None
    try:
        if reference:
            (ref, names), t_ref = timed(lambda: lifetimes_fit(kind, data), repeat)
            params = [ref.params_[n] for n in names]
    except ImportError:
        pass
    row(rows, what, data, ours, "lifetimes", params, t_ref, t_ours)
    return ours


def simulated_bases(seed=2026):
    rng = np.random.default_rng(seed)
    out = {}
    for n in (1_000_000, 100_000):
        T = (39 * 7 - rng.integers(0, 84, n)) / 7  # first purchase in the first 12 weeks, observed to week 39
        out[f"bgnbd_{n}"] = simulate_bgnbd(n, T, 0.243, 4.414, 0.793, 2.426, seed=rng, time_resolution=1 / 7)[
            ["frequency", "recency", "T"]
        ]
    for n in (100_000, 1_000_000):
        T = (39 * 7 - rng.integers(0, 84, n)) / 7
        out[f"pnbd_{n}"] = simulate_pareto_nbd(n, T, 0.553, 10.578, 0.606, 11.669, seed=rng, time_resolution=1 / 7)[
            ["frequency", "recency", "T"]
        ]
    freq = rng.integers(1, 15, 1_000_000)
    out["gg_1000000"] = simulate_gamma_gamma(freq, 6.25, 3.74, 15.44, seed=rng)[["frequency", "monetary"]]
    return out


def covariate_base(n: int, kind: str, seed: int = 2026):
    """A BG/NBD base whose customers' alpha, a, b move with two covariates in both processes (known truth).

    ``"two 0/1"``: ``online`` (40%) and ``promo`` (30%), the usual acquisition channel and campaign flags;
    ``"continuous + 0/1"``: ``log_first_amount`` ~ Normal(3.3, 0.7) and ``online``. Times as in
    :func:`simulated_bases` (first purchases over 12 weeks, whole days in weeks).
    """
    rng = np.random.default_rng(seed)
    if kind == "two 0/1":
        z = pd.DataFrame({"online": (rng.random(n) < 0.4) * 1.0, "promo": (rng.random(n) < 0.3) * 1.0})
        alpha = 4.414
    else:
        z = pd.DataFrame({"log_first_amount": rng.normal(3.3, 0.7, n), "online": (rng.random(n) < 0.4) * 1.0})
        alpha = 4.414 * np.exp(0.3 * 3.3)  # the CDNOW mean rate at the mean log amount
    cols = list(z.columns)
    model = BetaGeoCovariateModel(purchase_covariates=cols, dropout_covariates=cols)
    gammas = [0.3, -0.2, 0.4, 0.1, -0.2, 0.2]
    truth = pd.Series([0.243, alpha, 0.793, 2.426, *gammas], index=list(model.param_names))
    own = model.customer_params(z, truth)
    T = (39 * 7 - rng.integers(0, 84, n)) / 7
    sim = simulate_bgnbd(n, T, truth["r"], own["alpha"], own["a"], own["b"], seed=rng, time_resolution=1 / 7)
    return pd.concat([sim[["frequency", "recency", "T"]], z], axis=1), truth, model


def covariate_rows(rows, n: int):
    """BG/NBD with two covariates in both processes (10 parameters), crmlib only: lifetimes 0.11.3 and
    pymc-marketing 0.19.2 fit no covariates in BG/NBD; CLVTools (R) does, and is not installable here."""
    for kind in ("two 0/1", "continuous + 0/1"):
        data, truth, model = covariate_base(n, kind)
        load = os.getloadavg()[0]
        cpu = time.process_time()
        _, seconds = timed(lambda: model.fit(data))
        z = ((model.params_ - truth) / model.standard_errors_).abs()
        lr = model.likelihood_ratio_test()
        rows.append(
            {
                "fit": f"BG/NBD + 2 covariates ({kind}), simulated",
                "N": f"{n:,}",
                "crmlib s": round(seconds, 2),
                "crmlib CPU s": round(time.process_time() - cpu, 2),
                "load (1 min) before, after": f"{load:.2f}, {os.getloadavg()[0]:.2f}",
                "LL crmlib": round(model.log_likelihood_, 3),
                "crmlib estimates": f"largest |estimate - truth| / SE {z.max():.2f} ({z.idxmax()}); "
                f"LR chi-square {lr['statistic']:.0f} on {lr['df']:.0f} df",
            }
        )


def pymc_marketing_rows(rows, cdnow, sims):
    """pymc-marketing's MAP fits with flat priors (HalfFlat), the maximum-likelihood point, where installed.

    pymc-marketing 0.19.2 (the newest for Python 3.11): ``fit(method="map")``; its default priors move the
    estimates, so every parameter gets ``Prior("HalfFlat")``. The first fit of each model compiles C code;
    the timing is of a second fit of a fresh model on the same data (compilation cached).
    """
    try:
        from pymc_extras.prior import Prior
        from pymc_marketing import clv as pmc
    except ImportError:
        return

    def fit_pmc(Model, names, data):
        def once():
            m = Model(data=data, model_config={n: Prior("HalfFlat") for n in names})
            m.fit(method="map", progressbar=False)
            return [float(m.idata.posterior[n].values.ravel()[0]) for n in names]

        once()  # compile
        return timed(once)

    jobs = [
        ("BG/NBD, CDNOW", pmc.BetaGeoModel, ["r", "alpha", "a", "b"], cdnow, BetaGeoModel),
        ("Pareto/NBD, CDNOW", pmc.ParetoNBDModel, ["r", "alpha", "s", "beta"], cdnow, ParetoNBDModel),
        ("Gamma-Gamma, CDNOW", pmc.GammaGammaModel, ["p", "q", "v"], cdnow, GammaGammaModel),
    ]
    if sims is not None:
        jobs += [
            ("BG/NBD, 1M simulated", pmc.BetaGeoModel, ["r", "alpha", "a", "b"], sims["bgnbd_1000000"], BetaGeoModel),
            (
                "Pareto/NBD, 100k simulated",
                pmc.ParetoNBDModel,
                ["r", "alpha", "s", "beta"],
                sims["pnbd_100000"],
                ParetoNBDModel,
            ),
        ]
    for what, PM, names, data, Ours in jobs:
        ours, t_ours = timed(lambda: Ours().fit(data), 3 if len(data) < 50_000 else 1)
        d = data.reset_index(drop=True).assign(customer_id=lambda f: np.arange(len(f)))
        if PM is pmc.GammaGammaModel:
            d = d.loc[d["frequency"] > 0].rename(columns={"monetary": "monetary_value"})
        try:
            params, t_ref = fit_pmc(PM, names, d)
        except Exception as exc:  # report, do not hide, a failure of the reference library
            rows.append(
                {"fit": f"{what} (pymc-marketing MAP)", "crmlib estimates": f"pymc-marketing failed: {exc!r:.120}"}
            )
            continue
        row(rows, f"{what} (pymc-marketing MAP)", data, ours, "pymc-marketing", params, t_ref, t_ours)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="CDNOW and donations only (covariates on 20,000 customers)")
    ap.add_argument(
        "--covariates", type=int, default=None, help="only the BG/NBD fits with two covariates, on this many customers"
    )
    ap.add_argument(
        "--pymc",
        action="store_true",
        help="only crmlib against pymc-marketing's MAP fits (in an "
        "environment with pymc-marketing 0.19.2; see module docstring)",
    )
    args = ap.parse_args()
    if args.pymc:
        rows: list[dict] = []
        pymc_marketing_rows(rows, load_cdnow_summary(), None if args.quick else simulated_bases())
        _print(rows)
        return
    if args.covariates:
        rows = []
        covariate_rows(rows, args.covariates)
        _print(rows)
        return
    cdnow = load_cdnow_summary()
    rows: list[dict] = []
    compare(rows, "BG/NBD, CDNOW", "bgnbd", cdnow, BetaGeoModel)
    compare(rows, "MBG/NBD, CDNOW", "mbgnbd", cdnow, ModifiedBetaGeoModel)
    compare(rows, "Pareto/NBD, CDNOW", "pnbd", cdnow, ParetoNBDModel)
    # lifetimes' Nelder-Mead stops at tol=1e-7 (its default); at 1e-10 it reaches crmlib's optimum
    compare(rows, "Pareto/NBD, CDNOW (lifetimes tol=1e-10)", "pnbd_tight", cdnow, ParetoNBDModel)
    compare(rows, "Gamma-Gamma, CDNOW", "gg", cdnow, GammaGammaModel)
    compare(rows, "BG/BB, donations", "bgbb", load_donations(), BetaGeoBetaBinomModel)
    if not args.quick:
        sims = simulated_bases()
        compare(rows, "BG/NBD, 100k simulated", "bgnbd", sims["bgnbd_100000"], BetaGeoModel)
        compare(rows, "BG/NBD, 1M simulated", "bgnbd", sims["bgnbd_1000000"], BetaGeoModel)
        compare(rows, "Pareto/NBD, 100k simulated", "pnbd", sims["pnbd_100000"], ParetoNBDModel)
        # issue 16's size; lifetimes' Nelder-Mead would take about half an hour here, so crmlib alone
        compare(rows, "Pareto/NBD, 1M simulated", "pnbd", sims["pnbd_1000000"], ParetoNBDModel, reference=False)
        compare(rows, "Gamma-Gamma, 1M simulated", "gg", sims["gg_1000000"], GammaGammaModel)
    covariate_rows(rows, 20_000 if args.quick else 1_000_000)
    _print(rows)


def _print(rows):
    import os

    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.max_colwidth", 80):
        print(table.to_markdown(index=False) if _has_tabulate() else table.to_string(index=False))
    print("load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401

        return True
    except ImportError:
        return False


if __name__ == "__main__":
    main()
