"""Scoring every customer of a large summary on DuckDB (crmlib.clv.scoring.score_table), timed.

A BG/NBD base (FHL 2005's CDNOW estimates, weekly times on a daily grid, T up to 78 weeks) with
Gamma-Gamma spend is simulated (seeded), put in an in-memory DuckDB table, and scored through Ibis in
record batches: P(alive) and the expected purchases of the next year; then the CLV (DERT x spend).
The first 10,000 scores are checked against the in-memory route (:func:`score_customers`).

The values that depend on (frequency, T) only (the active customer's expected purchases and DERT)
are computed once for the distinct pairs of the base (``SELECT DISTINCT frequency, T``, then
:func:`crmlib.clv.scoring.pair_values`); each row then costs its closed-form P(alive) and spend.
``--stages`` times those steps on their own and the reading of the batches without scoring.
Wall and CPU seconds (all threads, DuckDB's included) of the fastest of ``--repeat`` runs (3) and the
load average are printed.

    python benchmarks/bench_scoring.py --clv            # 10M customers, P(alive) and CLV
    python benchmarks/bench_scoring.py --clv --stages   # and the per-stage breakdown
    python benchmarks/bench_scoring.py --clv --model pareto  # a Pareto/NBD base (Fader & Hardie's CDNOW estimates)
    python benchmarks/bench_scoring.py --lifetimes      # and lifetimes 0.11.3 in memory on the first 1M customers

lifetimes scores pandas frames in memory only (no engine), so ``--lifetimes`` compares the in-memory route:
P(alive) and expected purchases in 52 weeks of the first million customers, with lifetimes' BetaGeoFitter
(or ParetoNBDFitter) given the same parameters; lifetimes' CLV (monthly discrete discounting over a finite
horizon) is another quantity and is not compared. lifetimes needs to be importable, e.g.
``pip install --target /tmp/lt --no-deps lifetimes==0.11.3 autograd dill`` and ``PYTHONPATH=/tmp/lt``.
"""

from __future__ import annotations

import argparse
import os
import time

import duckdb
import ibis
import numpy as np
import pandas as pd

from crmlib.clv import BetaGeoModel, GammaGammaModel, ParetoNBDModel
from crmlib.clv.scoring import _batches, _distinct_pairs, pair_values, score_customers, score_table
from crmlib.clv.simulate import simulate_bgnbd, simulate_gamma_gamma, simulate_pareto_nbd

BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # FHL 2005, CDNOW, weeks
GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}  # FHL 2005b, CDNOW
PNBD = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}  # Fader & Hardie's Pareto/NBD note, CDNOW (weeks)


def _size(text: str) -> int:
    text = text.upper().replace(",", "").replace("_", "")
    mult = {"K": 1_000, "M": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("KM")) * mult)


def _model(cls, params):
    """A model with given parameters, as a loaded one would be (no training data)."""
    m = cls()
    m.params_ = pd.Series(params, name="estimate")
    m.spec_ = None
    return m


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=_size, default=10_000_000)
    ap.add_argument("--batch-rows", type=_size, default=1_000_000)
    ap.add_argument("--clv", action="store_true", help="also time the CLV columns (DERT, spend)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each row; the fastest is shown")
    ap.add_argument("--model", choices=["bgnbd", "pareto"], default="bgnbd", help="the base's model")
    ap.add_argument("--lifetimes", action="store_true", help="lifetimes beside the in-memory route (1M customers)")
    ap.add_argument("--stages", action="store_true", help="time the steps of the CLV run on their own")
    args = ap.parse_args()
    n = args.customers
    rng = np.random.default_rng(0)
    T = np.ceil(rng.uniform(1, 78, n) * 7) / 7
    t0 = time.perf_counter()
    cls, params, simulate = (
        (BetaGeoModel, BG, simulate_bgnbd) if args.model == "bgnbd" else (ParetoNBDModel, PNBD, simulate_pareto_nbd)
    )
    data = simulate(n, T, *params.values(), seed=1, time_resolution=1 / 7)[["frequency", "recency", "T"]]
    data["monetary"] = simulate_gamma_gamma(data["frequency"], *GG.values(), seed=2)["monetary"].to_numpy()
    data.insert(0, "customer_id", np.arange(n, dtype=np.int64))
    raw = duckdb.connect()
    raw.execute("CREATE TABLE summary AS SELECT * FROM data")
    table = ibis.duckdb.from_connection(raw).table("summary")
    print(
        f"{n:,} simulated customers ({args.model}) in DuckDB ({time.perf_counter() - t0:.1f} s); load average {os.getloadavg()[0]:.1f}"
    )
    bg, gg = _model(cls, params), _model(GammaGammaModel, GG)
    runs = [("P(alive), expected purchases in 52 weeks", dict(t=52.0))]
    if args.clv:
        kw = dict(spend_model=gg, margin_share=0.3, discount_rate=0.15, periods_per_year=52)
        runs.append(("... and CLV (DERT x expected spend)", dict(t=52.0, **kw)))
        runs.append(("... and CLV over 2 years beside it", dict(t=52.0, horizon=104.0, **kw)))
    print(f"{'scores':<44} {'customers':>12} {'seconds':>9} {'CPU s':>7} {'customers/s':>12} {'same as in memory':>18}")
    for label, options in runs:
        times = []
        for _ in range(args.repeat):  # the fastest run (wall) and its CPU
            t0, c0 = time.perf_counter(), time.process_time()
            scores = score_table(table, bg, batch_rows=args.batch_rows, **options)
            times.append((time.perf_counter() - t0, time.process_time() - c0))
        sec, cpu = min(times)
        head = scores.slice(0, 10_000).to_pandas()
        ref = score_customers(bg, data.set_index("customer_id").loc[head["customer_id"]], **options)
        same = bool(np.allclose(head.drop(columns="customer_id").to_numpy(), ref.to_numpy(), rtol=1e-12, atol=0))
        print(
            f"{label:<44} {scores.num_rows:>12,} {sec:>9.2f} {cpu:>7.2f} {scores.num_rows / sec:>12,.0f} {same!s:>18}"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    if args.stages:
        options = runs[min(1, len(runs) - 1)][1]
        print(f"{'stage of the last run':<44} {'seconds':>9} {'CPU s':>7}")

        def stage(label, fn):
            t0, c0 = time.perf_counter(), time.process_time()
            out = fn()
            print(f"{label:<44} {time.perf_counter() - t0:>9.2f} {time.process_time() - c0:>7.2f}")
            return out

        distinct = stage("SELECT DISTINCT frequency, T (DuckDB)", lambda: _distinct_pairs(table))
        pairs = stage(f"pair values ({len(distinct):,} pairs)", lambda: pair_values(bg, distinct, **options))
        stage("read the batches only (Arrow -> pandas)", lambda: sum(len(f) for f in _batches(table, args.batch_rows)))
        one = data.iloc[: args.batch_rows]
        stage(
            f"score one batch of {len(one):,} in memory",
            lambda: score_customers(bg, one, pairs=pairs, **options),
        )

    if args.lifetimes:
        _beside_lifetimes(bg, args.model, params, data.iloc[:1_000_000])


def _beside_lifetimes(model, kind: str, params: dict, data: pd.DataFrame) -> None:
    """P(alive) and expected purchases in 52 weeks in memory: lifetimes 0.11.3 against score_customers."""
    import lifetimes

    fitter = lifetimes.BetaGeoFitter() if kind == "bgnbd" else lifetimes.ParetoNBDFitter()
    fitter.params_ = pd.Series(params)
    x, tx, T = data["frequency"], data["recency"], data["T"]
    print(f"{'in memory, P(alive) + expected purchases':<44} {'customers':>12} {'seconds':>9} {'CPU s':>7}")
    t0, c0 = time.perf_counter(), time.process_time()
    ref = np.column_stack(
        [
            fitter.conditional_probability_alive(x, tx, T),
            fitter.conditional_expected_number_of_purchases_up_to_time(52.0, x, tx, T),
        ]
    )
    print(
        f"{'lifetimes ' + lifetimes.__version__:<44} {len(data):>12,} {time.perf_counter() - t0:>9.2f} "
        f"{time.process_time() - c0:>7.2f}"
    )
    t0, c0 = time.perf_counter(), time.process_time()
    ours = score_customers(model, data, t=52.0).to_numpy()
    print(
        f"{'crmlib score_customers':<44} {len(data):>12,} {time.perf_counter() - t0:>9.2f} "
        f"{time.process_time() - c0:>7.2f}"
    )
    rel = np.abs(ours / ref - 1)
    print(
        f"largest relative difference: P(alive) {np.nanmax(rel[:, 0]):.1e}, expected purchases "
        f"{np.nanmax(rel[:, 1]):.1e}; lifetimes NaN or inf: {int((~np.isfinite(ref)).sum())}"
    )


if __name__ == "__main__":
    main()
