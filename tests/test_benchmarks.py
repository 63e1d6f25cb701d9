"""The benchmark scripts still run (on tiny inputs), so that the recorded comparisons can be repeated.

Timings are not asserted (CI machines vary); agreement is: every method of
``bench_transactions.py`` must return the same summary as crmlib's default.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(args, tmp_path):
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_transactions.py"), *args, "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_bench_transactions_methods_agree_on_a_small_log(tmp_path):
    text = _run(["--sizes", "20000", "--methods", "crmlib", "crmlib-nodup", "crmlib-aggregate", "pandas"], tmp_path)
    rows = [line.split() for line in text.splitlines() if line.strip().startswith("20,000") and "rows:" not in line]
    assert [r[1] for r in rows] == ["crmlib", "crmlib-nodup", "crmlib-aggregate", "pandas"]
    for r in rows:
        assert "True" in r and "False" not in r, r  # same_summary
        assert int(r[-1]) == 2000  # customers: 20,000 rows at about 10 per customer
    assert list(tmp_path.glob("transactions_20,000_seed*.parquet"))


def test_bench_transactions_breakdown_names_every_step(tmp_path):
    text = _run(["--breakdown", "--sizes", "20000"], tmp_path)
    for step in ("input checks", "ordered scan", "stream reduction", "rest"):
        assert step in text
    assert "(2,000 result rows)" in text


def test_bench_clv_quick_runs_without_the_reference_libraries():
    """`bench_clv.py --quick` fits CDNOW and the donations; BG/NBD matches Fader, Hardie & Lee (2005), Table 1."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_clv.py"), "--quick"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    line = next(x for x in out.stdout.splitlines() if x.strip().startswith("BG/NBD, CDNOW"))
    got = {k: float(v) for k, v in re.findall(r"\b(r|alpha|a|b)=([-+0-9.eE]+)", line)}
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # FHL 2005, Table 1
    assert got == pytest.approx(published, abs=6e-4), line
    assert "BG/BB, donations" in out.stdout


def test_bench_intake_routes_agree_on_a_small_log(tmp_path):
    """Every route of `bench_intake.py` (Parquet, CSV UTF-8, CSV CP949 day-first, xlsx) gives the same summary."""
    pytest.importorskip("openpyxl")
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_intake.py"), "--sizes", "5000", "--xlsx-rows", "500"]
        + ["--repeat", "1", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    rows = {
        line[13:58].strip(): line[58:].split()
        for line in out.stdout.splitlines()
        if line[:13].strip() in ("5,000", "500")
    }
    for route in (
        "summarize(parquet path)",
        "summarize(csv path, UTF-8, ISO dates)",
        "summarize(csv, CP949 detected, day-first)",
        "pandas.read_excel(engine='openpyxl')",
        "summarize(xlsx path)",
    ):
        assert rows[route][2] == "True", (route, rows[route])


def test_bench_pls_toolkit_runs_without_seminr():
    """`bench_pls_toolkit.py --no-seminr` on 50 resamples: crmlib's timing line is printed."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_pls_toolkit.py"), "--nboot", "50", "--no-seminr"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert re.search(r"extended model, 50 resamples with all indirect and total indirect effects: [\d.]+ s", out.stdout)
    assert re.search(r"MICOM, reputation_extended, providers 1 and 2, 50 permutations: [\d.]+ s", out.stdout)


def test_bench_complaints_runs_on_a_small_log():
    """`bench_complaints.py` times both classifiers and reports macro-F1 (the classifier above the keyword rule)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_complaints", ROOT / "benchmarks" / "bench_complaints.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = bench.main(["--size", "2000", "--train", "600", "--repeat", "1"])
    assert out["complaints"] == 2000
    assert out["classifier_topic_macro_f1"] > out["keywords_topic_macro_f1"]


def test_bench_scoring_duckdb_batches_equal_the_in_memory_scores():
    """`bench_scoring.py` on 3,000 customers in batches of 1,000: the DuckDB scores are the in-memory ones."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_scoring.py"), "--customers", "3000", "--batch-rows", "1000"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    row = next(x for x in out.stdout.splitlines() if x.startswith("P(alive), expected purchases"))
    assert row.split()[-1] == "True" and "3,000" in row
