"""Time crmlib.transactions.summarize against a careful pandas groupby and lifetimes.

What it does
------------
1. Generates seeded transaction logs of 1M, 10M and 50M rows as Parquet
   (about 10 transactions per customer over two years, amounts in cents,
   sorted by date like a real log) and caches them in ``benchmarks/_data/``
   (git-ignored).
2. For each size, times in a fresh subprocess each (one process per method,
   so that the peak memory is the method's own):
   * ``crmlib``: ``summarize(path, observation_end=..., time_unit="day")`` with
     the default engine (DuckDB) and the default input checks;
   * ``crmlib-nodup``: the same without the duplicate check
     (``on_duplicate="ignore"``), to show what the checks cost;
   * ``crmlib-aggregate``: the same with ``plan="aggregate"`` (the portable
     two-aggregation expression that Spark runs) instead of the default sort
     plan on DuckDB;
   * ``crmlib-spark`` (only when named in ``--methods``; needs the ``spark``
     extra and Java 17): the same on a local Spark session (``local[2]``), the
     engine's default, the aggregate plan. The session start is timed apart,
     as ``import_s``; the JVM's own CPU time and memory are not in ``cpu_s``
     and ``peak_GiB`` (they are a separate process);
   * ``pandas``: a careful plain pandas groupby (read with pyarrow, one
     groupby by customer and day, one by customer over the sorted result);
   * ``lifetimes``: ``lifetimes.utils.summary_data_from_transaction_data``
     (lifetimes 0.11.3).
   Every timing starts from the Parquet path and ends with the summary in a
   pandas DataFrame. The subprocess reports its wall time and peak resident
   memory (``ru_maxrss``, which includes the Python interpreter and imports).
3. Checks that every method returns the same summary (customers, sums of
   frequency, recency, T and monetary) and prints times, ratios to crmlib and
   peak memory side by side.

How to run
----------
lifetimes is never a crmlib dependency: run this from a separate environment
that has crmlib and lifetimes, e.g.::

    python3 -m venv /work/refenv-tx
    /work/refenv-tx/bin/pip install -e /work/main 'lifetimes==0.11.3' 'setuptools<81' psutil
    /work/refenv-tx/bin/python benchmarks/bench_transactions.py --sizes 1M 10M 50M

(``make bench-env`` builds the same in ``.venv-bench``.) Options:
``--sizes`` (any of 1M 10M 50M or a number of rows), ``--methods``,
``--lifetimes-max-rows`` (default 10M: lifetimes is skipped above it, and the
output says so; at 10M it needs about 20-30 s and several GiB),
``--pandas-max-rows`` (default 50M), ``--repeat`` (best of n runs), ``--data-dir`` (where the logs
are cached), ``--breakdown``
(instead of the comparison: wall and CPU seconds of each step of crmlib's default plan, in one process).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
SEED = 20261127
START = np.datetime64("2022-01-01")
EPOCH_OFFSET = int((START - np.datetime64("1970-01-01")).astype(int))  # date32 counts days from 1970
N_DAYS = 730  # two years of observation, 2022-01-01 .. 2023-12-31
OBS_END = "2023-12-31"
METHODS = ("crmlib", "crmlib-nodup", "crmlib-aggregate", "pandas", "lifetimes")
OPTIONAL = ("crmlib-spark",)  # only when asked with --methods: a local Spark session takes 15-45 s to start


def parse_size(text: str) -> int:
    t = text.strip().upper()
    mult = {"K": 1_000, "M": 1_000_000}.get(t[-1], 1)
    return int(float(t[:-1] if t[-1] in "KM" else t) * mult)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n:,}"


# ----------------------------------------------------------------------------- data


def generate(n_rows: int, path: Path, seed: int = SEED) -> None:
    """A seeded log of ``n_rows`` rows, about 10 per customer, as Parquet (date32 dates)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    n_customers = max(n_rows // 10, 1)
    # each row belongs to a uniformly drawn customer (about Poisson(10) rows each)
    cid = rng.integers(1, n_customers + 1, size=n_rows, dtype=np.int64)
    # a customer's purchases start on an acquisition day in the first year and
    # spread after it with exponential gaps (mean 150 days), censored at the end
    birth = rng.integers(0, 365, size=n_customers + 1).astype(np.int32)
    gap = np.minimum(rng.exponential(150.0, size=n_rows), N_DAYS - 1).astype(np.int32)
    day = np.minimum(birth[cid] + gap, N_DAYS - 1).astype(np.int32)
    del gap, birth
    cents = np.round(rng.lognormal(3.0, 0.8, size=n_rows) * 100).astype(np.int64)
    order = np.argsort(day, kind="stable")  # a log sorted by date
    table = pa.table(
        {
            "customer_id": cid[order],
            "date": pa.array(day[order] + EPOCH_OFFSET, pa.int32()).cast(pa.date32()),  # from START
            "amount": cents[order] / 100.0,
        }
    )
    del cid, day, cents, order
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp, row_group_size=1_000_000)
    tmp.rename(path)


def dataset(n_rows: int, folder: Path | None = None) -> Path:
    folder = DATA if folder is None else Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"transactions_{label(n_rows)}_seed{SEED}.parquet"
    if not path.exists():
        t0 = time.perf_counter()
        print(f"generating {path.name} ...", flush=True)
        generate(n_rows, path)
        print(f"  done in {time.perf_counter() - t0:.1f} s ({path.stat().st_size / 2**20:.0f} MiB)", flush=True)
    return path


# -------------------------------------------------------------------------- methods


def run_crmlib(path: Path, **kw):
    import warnings

    from crmlib.exceptions import DataWarning
    from crmlib.transactions import summarize

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # the generated logs have a few exact duplicates
        s = summarize(path, observation_end=OBS_END, time_unit="day", **kw)
    return s["frequency"], s["recency"], s["T"], s["monetary"]


def spark_session():
    """A local Spark session on both cores (``local[2]``), configured as in the test suite."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("crmlib-bench")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "6g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def run_pandas(path: Path):
    """A careful plain-pandas summary: two groupbys, no Python loops, no lambdas."""
    import pandas as pd
    import pyarrow.parquet as pq

    t = pq.read_table(path, columns=["customer_id", "date", "amount"])
    cid = t.column("customer_id").to_numpy()
    day = t.column("date").cast("int32").to_numpy()  # days since 1970-01-01
    amount = t.column("amount").to_numpy()
    del t
    end = int((np.datetime64(OBS_END) - np.datetime64("1970-01-01")).astype(int))
    keep = day <= end
    frame = pd.DataFrame({"c": cid[keep], "d": day[keep], "a": amount[keep]})
    per = frame.groupby(["c", "d"], sort=True)["a"].sum()  # spend per customer-day, sorted
    del frame
    c = per.index.get_level_values(0).to_numpy()
    d = per.index.get_level_values(1).to_numpy()
    a = per.to_numpy()
    g = pd.DataFrame({"c": c, "d": d, "a": a}).groupby("c", sort=False)
    agg = g.agg(first=("d", "first"), last=("d", "last"), n=("d", "size"), total=("a", "sum"), first_a=("a", "first"))
    frequency = agg["n"] - 1
    monetary = ((agg["total"] - agg["first_a"]) / frequency.where(frequency > 0)).fillna(0.0)
    return frequency, (agg["last"] - agg["first"]).astype(float), (end - agg["first"]).astype(float), monetary


def run_lifetimes(path: Path):
    import pandas as pd
    import pyarrow.parquet as pq
    from lifetimes.utils import summary_data_from_transaction_data

    df = pq.read_table(path).to_pandas(date_as_object=False)
    df["date"] = df["date"].astype("datetime64[ns]")
    s = summary_data_from_transaction_data(
        df, "customer_id", "date", monetary_value_col="amount", observation_period_end=pd.Timestamp(OBS_END), freq="D"
    )
    return s["frequency"], s["recency"], s["T"], s["monetary_value"]


def breakdown(path: Path) -> None:
    """Where crmlib's time goes: wall and CPU seconds of each step of the default (sort) plan."""
    import warnings

    import ibis.backends.duckdb as ibis_duckdb

    import crmlib.transactions as tx
    import crmlib.transactions._engines as eng
    import crmlib.transactions._plan_sort as ss
    from crmlib.exceptions import DataWarning

    def cpu():
        u = resource.getrusage(resource.RUSAGE_SELF)
        return u.ru_utime + u.ru_stime

    steps = []

    def timed(name, fn, rows=None):
        def wrapper(*args, **kwargs):
            c0, t0 = cpu(), time.perf_counter()
            out = fn(*args, **kwargs)
            steps.append((name, time.perf_counter() - t0, cpu() - c0, rows(out) if rows else None))
            return out

        return wrapper

    ibis_duckdb.Backend.to_pyarrow = timed(
        "input checks (one scan)", ibis_duckdb.Backend.to_pyarrow, lambda t: t.num_rows
    )
    eng.record_batches = timed("ordered scan (engine sorts the rows)", eng.record_batches)
    ss.reduce_sorted = timed(
        "stream reduction (numpy, incl. fetching batches)", ss.reduce_sorted, lambda r: len(r.first)
    )
    c0, t0 = cpu(), time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        tx.summarize(path, observation_end=OBS_END, time_unit="day")
    wall, used = time.perf_counter() - t0, cpu() - c0
    steps.append(
        (
            "rest (duplicates, columns, DataFrame)",
            wall - sum(s[1] for s in steps),
            used - sum(s[2] for s in steps),
            None,
        )
    )
    print(f"crmlib breakdown, {path.name}: total {wall:.2f} s wall, {used:.2f} s CPU")
    for name, w, c, n in steps:
        print(f"  {name:50s} {w:6.2f} s wall {c:6.2f} s CPU" + (f"  ({n:,} result rows)" if n is not None else ""))


def child(method: str, path: Path) -> None:
    # imports are timed apart: they are paid once per process, not per summary
    t0 = time.perf_counter()
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    if method.startswith("crmlib"):
        import ibis
        import ibis.backends.duckdb  # noqa: F401

        import crmlib.transactions  # noqa: F401
    elif method == "lifetimes":
        import lifetimes.utils  # noqa: F401
    engine = spark_session() if method == "crmlib-spark" else None  # started before the clock, like an import
    imports = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = usage.ru_utime + usage.ru_stime
    t0 = time.perf_counter()
    if method == "crmlib":
        cols = run_crmlib(path)
    elif method == "crmlib-nodup":
        cols = run_crmlib(path, on_duplicate="ignore")
    elif method == "crmlib-aggregate":
        cols = run_crmlib(path, plan="aggregate")
    elif method == "crmlib-spark":
        cols = run_crmlib(path, engine=engine)
    elif method == "pandas":
        cols = run_pandas(path)
    elif method == "lifetimes":
        cols = run_lifetimes(path)
    else:
        raise SystemExit(f"unknown method {method}")
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss * 1024  # Linux: KiB
    cpu = usage.ru_utime + usage.ru_stime - cpu0
    check = {
        "customers": int(len(cols[0])),
        "frequency": int(cols[0].sum()),
        "recency": float(cols[1].sum()),
        "T": float(cols[2].sum()),
        "monetary": float(cols[3].sum()),
    }
    print(json.dumps({"seconds": seconds, "cpu": cpu, "imports": imports, "peak_bytes": peak, "check": check}))


def measure(method: str, path: Path, repeat: int) -> dict:
    best = None
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--child", method, str(path)], capture_output=True, text=True)
        if out.returncode != 0:
            return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
        res = json.loads(out.stdout.strip().splitlines()[-1])
        if best is None or res["seconds"] < best["seconds"]:
            best = res
    return best


def same(a: dict, b: dict) -> bool:
    return (
        a["customers"] == b["customers"]
        and a["frequency"] == b["frequency"]
        and all(abs(a[k] - b[k]) <= 1e-9 * max(1.0, abs(b[k])) for k in ("recency", "T", "monetary"))
    )


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["1M", "10M"], help="rows: 1M 10M 50M or numbers")
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS + OPTIONAL)
    ap.add_argument("--lifetimes-max-rows", default="10M")
    ap.add_argument("--pandas-max-rows", default="50M")
    ap.add_argument("--repeat", type=int, default=1, help="best of this many runs per method")
    ap.add_argument(
        "--breakdown",
        action="store_true",
        help="instead of the comparison: wall and CPU seconds of each step of crmlib's default (sort) plan",
    )
    ap.add_argument("--data-dir", default=None, help=f"where the generated logs are cached (default {DATA})")
    ap.add_argument("--child", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    if args.breakdown:
        for text in args.sizes:
            breakdown(dataset(parse_size(text), args.data_dir))
        return
    import duckdb
    import pandas as pd

    try:
        import lifetimes

        lt_version = lifetimes.__version__
    except ImportError:
        lt_version = None
    sizes = [parse_size(s) for s in args.sizes]
    lt_max, pd_max = parse_size(args.lifetimes_max_rows), parse_size(args.pandas_max_rows)
    load = os.getloadavg()
    print(
        f"bench_transactions {date.today()} | {os.cpu_count()} cores, load average {load[0]:.1f} "
        f"| python {sys.version.split()[0]}, pandas {pd.__version__}, duckdb {duckdb.__version__}, "
        f"lifetimes {lt_version or 'not installed'}"
    )
    rows = []
    for n in sizes:
        path = dataset(n, args.data_dir)
        results = {}
        for m in args.methods:
            if m == "lifetimes" and (lt_version is None or n > lt_max):
                why = (
                    "not installed"
                    if lt_version is None
                    else f"skipped above {label(lt_max)} rows (--lifetimes-max-rows)"
                )
                results[m] = {"skipped": why}
                continue
            if m == "pandas" and n > pd_max:
                results[m] = {"skipped": f"skipped above {label(pd_max)} rows (--pandas-max-rows)"}
                continue
            if m == "crmlib-spark" and importlib.util.find_spec("pyspark") is None:
                results[m] = {"skipped": "not installed (pip install -e '.[spark]')"}
                continue
            print(f"  {label(n)} rows: {m} ...", flush=True)
            results[m] = measure(m, path, args.repeat)
        base = results.get("crmlib", {})
        for m, r in results.items():
            row = {"rows": label(n), "method": m}
            if "seconds" in r:
                row.update(
                    seconds=round(r["seconds"], 2),
                    cpu_s=round(r["cpu"], 2),
                    import_s=round(r["imports"], 1),
                    peak_GiB=round(r["peak_bytes"] / 2**30, 2),
                )
                if "seconds" in base:
                    row["x_crmlib"] = round(r["seconds"] / base["seconds"], 1)
                    row["same_summary"] = same(r["check"], base["check"])
                row["customers"] = r["check"]["customers"]
            else:
                row["note"] = r.get("skipped") or r.get("error")
            rows.append(row)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(table.to_string(index=False))
    print(
        "seconds: wall time from the Parquet path to the summary DataFrame, imports excluded (import_s: once per "
        "process); cpu_s: CPU time of all threads (DuckDB uses 2, pandas and lifetimes 1); "
        "x_crmlib = seconds / crmlib seconds (crmlib = default engine, all input checks); peak = ru_maxrss of the "
        "method's own process. Busy shared machine: compare ratios more than seconds."
    )


if __name__ == "__main__":
    main()
