"""Time the log intake (crmlib.transactions.read_log) beside pandas' readers: Parquet, CSV, Excel.

What it does
------------
1. Takes the seeded logs of ``bench_transactions.py`` (Parquet, date32 dates,
   cached in ``benchmarks/_data/``) and writes them once as CSV (UTF-8, ISO
   dates), CSV in CP949 with day-first dates (``31/12/2023``, so the intake
   must transcode and work out the day/month order), and an ``.xlsx`` workbook
   (``--xlsx-rows`` rows, Excel date cells, written with openpyxl).
2. Times, best of ``--repeat``, in one process:
   * ``summarize(table)``: the summary of the Parquet file opened as an Ibis
     table on DuckDB (the least the intake can do: check the columns);
   * ``summarize(parquet path)``: the same through ``read_log``'s file route;
     the difference is what the intake adds (issue 13: under 10%);
   * ``summarize(csv path)`` (UTF-8) and ``summarize(csv, cp949, day first)``:
     compared with the Parquet time (issue 13: a CSV under 3 times Parquet);
   * ``pandas.read_parquet`` and ``pandas.read_csv`` (pyarrow engine) beside,
     reading only (no summary);
   * the workbook: ``crmlib._files.read_excel`` (python-calamine) against
     ``pandas.read_excel(engine="openpyxl")`` (issue 13: at least 5 times faster),
     and ``summarize(xlsx path)``.
3. Checks that every route gives the same summary as ``summarize(table)``
   (``same`` column) and prints the ratios the issue asks for.

How to run
----------
openpyxl is not a crmlib runtime dependency (it is in the ``test`` extra, and in
``make bench-env``)::

    .venv-bench/bin/python benchmarks/bench_intake.py --sizes 10M --xlsx-rows 1M

Options: ``--sizes`` (rows of the Parquet/CSV logs), ``--xlsx-rows``,
``--repeat``, ``--data-dir``, ``--skip-openpyxl`` (openpyxl needs minutes for a
million rows).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_transactions as bt  # noqa: E402  (the same seeded logs)

OBS_END = bt.OBS_END


def _best(fn, repeat: int):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _summarize(source, **kw):
    from crmlib.exceptions import DataWarning
    from crmlib.transactions import summarize

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return summarize(source, observation_end=OBS_END, time_unit="day", **kw)


def _same(a, b) -> bool:
    import numpy as np

    a = a.rename_axis("customer_id")
    b = b.rename_axis("customer_id")
    return a.index.equals(b.index) and all(np.array_equal(a[c].to_numpy(), b[c].to_numpy()) for c in a.columns)


def write_csv(parquet: Path, path: Path, *, day_first: bool = False, encoding: str = "utf-8") -> Path:
    """The Parquet log as CSV (DuckDB COPY; day-first dates and CP949 transcoded by Python for the variant)."""
    import duckdb

    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    date = "strftime(date, '%d/%m/%Y')" if day_first else "date"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT customer_id, {date} AS date, amount FROM read_parquet('{parquet}')) TO '{tmp}' (HEADER, DELIMITER ',')"
    )
    if encoding != "utf-8":  # the log has ASCII content; rename the header to Korean to make the encoding matter
        text = tmp.read_text("utf-8").replace("customer_id,date,amount", "고객번호,구매일,금액", 1)
        tmp.write_bytes(text.encode(encoding))
    tmp.rename(path)
    return path


def write_xlsx(parquet: Path, path: Path) -> Path:
    """The Parquet log as an .xlsx workbook with date cells (openpyxl, write-only mode)."""
    if path.exists():
        return path
    import openpyxl
    import pandas as pd

    frame = pd.read_parquet(parquet)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("log")
    ws.append(["customer_id", "date", "amount"])
    for cid, day, amount in zip(
        frame["customer_id"].tolist(),
        pd.to_datetime(frame["date"]).to_numpy().astype("datetime64[us]").astype(object),
        frame["amount"].tolist(),
    ):
        ws.append([cid, day, amount])
    tmp = path.with_name(path.stem + ".tmp.xlsx")
    wb.save(tmp)
    tmp.rename(path)
    return path


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", nargs="+", default=["10M"])
    p.add_argument("--xlsx-rows", default="1M")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--skip-openpyxl", action="store_true")
    args = p.parse_args(argv)
    folder = Path(args.data_dir) if args.data_dir else bt.DATA

    import ibis
    import pandas as pd

    from crmlib import _files
    from crmlib.transactions import read_log

    print(f"{'rows':>12} {'route':<44} {'seconds':>8} {'ratio':>7}  same  note")

    def line(n, route, secs, ratio="", same="", note=""):
        r = f"{ratio:.2f}" if isinstance(ratio, float) else ratio
        print(f"{bt.label(n):>12} {route:<44} {secs:8.3f} {r:>7}  {same!s:<5} {note}", flush=True)

    for size in args.sizes:
        n = bt.parse_size(size)
        parquet = bt.dataset(n, folder)
        csv = write_csv(parquet, parquet.with_suffix(".csv"))
        csv_kr = write_csv(
            parquet, parquet.with_name(parquet.stem + "_cp949_dayfirst.csv"), day_first=True, encoding="cp949"
        )
        con = ibis.duckdb.connect()
        t_table, ref = _best(lambda: _summarize(con.read_parquet(str(parquet))), args.repeat)
        line(n, "summarize(Ibis table of the Parquet file)", t_table, 1.0, True)
        t_pq, got = _best(lambda: _summarize(parquet), args.repeat)
        line(n, "summarize(parquet path)", t_pq, t_pq / t_table, _same(got, ref), "intake: ratio - 1 (< 0.10)")
        t_read, _ = _best(lambda: read_log(parquet).close(), args.repeat)
        line(n, "  read_log(parquet path) alone", t_read, t_read / t_pq, "", "share of summarize(parquet path)")
        t_pd, _ = _best(lambda: pd.read_parquet(parquet), args.repeat)
        line(n, "  pandas.read_parquet (reading only)", t_pd, t_pd / t_pq)
        t_csv, got = _best(lambda: _summarize(csv), args.repeat)
        line(n, "summarize(csv path, UTF-8, ISO dates)", t_csv, t_csv / t_pq, _same(got, ref), "vs Parquet (< 3)")
        kr = {"customer_id": "고객번호", "date": "구매일", "amount": "금액"}
        t_kr, got = _best(lambda: _summarize(csv_kr, **kr), args.repeat)
        line(n, "summarize(csv, CP949 detected, day-first)", t_kr, t_kr / t_pq, _same(got, ref), "vs Parquet")
        t_pdcsv, _ = _best(lambda: pd.read_csv(csv, engine="pyarrow"), args.repeat)
        line(n, "  pandas.read_csv(pyarrow) (reading only)", t_pdcsv, t_pdcsv / t_pq)

    n = bt.parse_size(args.xlsx_rows)
    parquet = bt.dataset(n, folder)
    xlsx = parquet.with_suffix(".xlsx")
    if not xlsx.exists():
        t0 = time.perf_counter()
        write_xlsx(parquet, xlsx)
        print(f"  (wrote {xlsx.name} in {time.perf_counter() - t0:.0f} s)", flush=True)
    ref = _summarize(parquet)
    t_cal, frame = _best(lambda: _files.read_excel(xlsx), args.repeat)
    line(n, "crmlib._files.read_excel (python-calamine)", t_cal, 1.0, "", f"{len(frame):,} rows")
    if not args.skip_openpyxl:
        t_op, frame2 = _best(lambda: pd.read_excel(xlsx, engine="openpyxl"), 1)
        line(
            n,
            "pandas.read_excel(engine='openpyxl')",
            t_op,
            t_op / t_cal,
            frame2.equals(frame),
            "ratio: openpyxl / calamine (>= 5)",
        )
    t_sx, got = _best(lambda: _summarize(xlsx), args.repeat)
    line(n, "summarize(xlsx path)", t_sx, t_sx / t_cal, _same(got, ref), "vs reading alone")


if __name__ == "__main__":
    main()
