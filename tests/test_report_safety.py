"""The report runner is safe and truthful: signals, time-outs, the kernel spec, file modes, the browser skip.

Oracles: notebooks that announce where they are (a marker file written by the kernel with its
process id, and a second file written only if the kernel outlives the run), the process table
(psutil), file modes against the umask, and pytest's own summary line.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from crmlib.exceptions import DataError
from crmlib.report.files import atomic_write, kernel_dir
from crmlib.report.runner import run_reports

REPO = Path(__file__).resolve().parent.parent


def _nb(path: Path, params: str, *cells: str) -> Path:
    nb = new_notebook(
        cells=[new_code_cell(params, metadata={"tags": ["parameters"]}), *(new_code_cell(c) for c in cells)],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


@pytest.fixture()
def slow_project(tmp_path):
    """A report that, when ``pause`` > 0, writes ``started`` (the kernel's pid), sleeps, then writes ``after``."""
    _nb(
        tmp_path / "notebooks" / "slow.ipynb",
        "pause = 0\nmarker = ''",
        "import os, time\nfrom crmlib.report import record",
        "if pause:\n    open(marker + '.started', 'w').write(str(os.getpid()))\n    time.sleep(pause)\n"
        "    open(marker + '.after', 'w').write('the kernel outlived the runner')\nrecord('pause', pause)",
    )
    _nb(tmp_path / "notebooks" / "quick.ipynb", "x = 1", "print(x)")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "reports.yml").write_text(
        "reports:\n"
        "  - {name: slow, notebook: notebooks/slow.ipynb}\n"
        "  - {name: slow2, notebook: notebooks/slow.ipynb}\n"
        "  - {name: quick, notebook: notebooks/quick.ipynb}\n"
    )
    return tmp_path


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*")}


def _alive(procs: list[psutil.Process]) -> list[str]:
    """The processes still running, but multiprocessing's resource tracker: one per parent process (the test
    runner's own lives as long as pytest; the report runner's leaves with it), never a worker or a kernel."""
    left = []
    for p in procs:
        try:
            if "resource_tracker" in " ".join(p.cmdline()):
                continue
            if p.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{p.pid} {p.name()}")
        except psutil.NoSuchProcess:
            pass
    return left


def _cmdline(p: psutil.Process) -> list[str]:
    try:
        return p.cmdline()
    except psutil.Error:
        return []


@pytest.mark.slow
@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_mid_render_stops_every_process_and_the_index_says_interrupted(slow_project, tmp_path, sig, code):
    cfg = slow_project / "reports" / "reports.yml"
    out = slow_project / "reports"
    assert [r.status for r in run_reports(cfg, ["slow"], progress=None)] == ["ok"]  # the last good report
    good = (out / "slow.html").read_text()
    marker = tmp_path / "m"
    cfg.write_text(
        cfg.read_text()
        .replace("slow.ipynb}", f"slow.ipynb, parameters: {{pause: 8, marker: '{marker}1'}}}}", 1)
        .replace(
            "name: slow2, notebook: notebooks/slow.ipynb}",
            f"name: slow2, notebook: notebooks/slow.ipynb, parameters: {{pause: 8, marker: '{marker}2'}}}}",
        )
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(REPO)
    runner = subprocess.Popen(
        [sys.executable, "-m", "crmlib.report.cli", "report", "--config", str(cfg), "-j", "2"]
        + ["slow", "slow2", "quick"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 120
    while not (Path(f"{marker}1.started").exists() and Path(f"{marker}2.started").exists()):  # both kernels asleep
        assert runner.poll() is None and time.monotonic() < deadline, runner.communicate()
        time.sleep(0.1)
    family = psutil.Process(runner.pid).children(recursive=True)
    kernels = {int(Path(f"{marker}{i}.started").read_text()) for i in (1, 2)}
    assert kernels <= {p.pid for p in family}
    runner.send_signal(sig)
    stdout, stderr = runner.communicate(timeout=60)
    assert runner.returncode == code, (stdout, stderr)
    assert "Traceback" not in stderr and "Traceback" not in stdout
    # a killed process may take a moment to leave on a loaded machine (CI saw one kernel still exiting at the check)
    psutil.wait_procs([p for p in family if "resource_tracker" not in " ".join(_cmdline(p))], timeout=5)
    assert _alive(family) == []
    written = _snapshot(out)
    time.sleep(10)  # past the kernel's sleep: a survivor would now write .after and the report
    assert not Path(f"{marker}1.after").exists() and not Path(f"{marker}2.after").exists()
    assert _snapshot(out) == written
    assert (out / "slow.html").read_text() == good  # last good report kept
    index = (out / "index.html").read_text()
    name = signal.Signals(sig).name
    assert f"was interrupted by {name}" in index and "stopped: slow, slow2" in index
    assert "not started: quick" in index and "The last good reports are kept." in index
    record = json.loads((out / "_failed" / "slow.json").read_text())
    assert record["status"] == "interrupted"
    assert record["error"].startswith(f"interrupted by {name} in cell 3 (`if pause:`)")
    assert not list(out.glob(".*.tmp")) and not list((out / "_failed").glob(".*.tmp"))
    assert f"interrupted by {name}" in stdout


def test_a_cell_time_out_names_the_cell(tmp_path):
    _nb(tmp_path / "notebooks" / "t.ipynb", "pause = 30", "x = 1", "import time\ntime.sleep(pause)")
    (tmp_path / "reports").mkdir()
    cfg = tmp_path / "reports" / "reports.yml"
    cfg.write_text("reports:\n  - {name: t, notebook: notebooks/t.ipynb, timeout: 2}\n")
    [res] = run_reports(cfg, progress=None)
    assert res.status == "failed"
    assert res.error == (
        "time-out: cell 3 (`import time`) did not finish within 2 s (the per-cell 'timeout' of reports.yml)"
    )
    index = (tmp_path / "reports" / "index.html").read_text()
    assert "cell 3 (`import time`) did not finish within 2 s" in index and "-------" not in index


def test_a_report_time_out_names_the_cell_and_stops_the_kernel(tmp_path):
    marker = tmp_path / "k"
    _nb(
        tmp_path / "notebooks" / "t.ipynb",
        f"marker = {str(marker)!r}",
        "import os, time",
        "open(marker, 'w').write(str(os.getpid()))\ntime.sleep(300)",
    )
    (tmp_path / "reports").mkdir()
    cfg = tmp_path / "reports" / "reports.yml"
    # 25 s: the kernel must reach cell 3 first, which takes seconds on a loaded machine
    cfg.write_text("reports:\n  - {name: t, notebook: notebooks/t.ipynb, report_timeout: 25}\n")
    t0 = time.monotonic()
    [res] = run_reports(cfg, progress=None)
    assert time.monotonic() - t0 < 90  # stopped long before the cell's 300 s
    assert res.status == "failed"
    assert res.error == (
        "time-out: the report did not finish within its report_timeout of 25 s; "
        "stopped in cell 3 (`open(marker, 'w').write(str(os.getpid()))`)"
    )
    assert (
        not psutil.pid_exists(int(marker.read_text())) or psutil.Process(int(marker.read_text())).status() == "zombie"
    )


def test_reports_and_index_follow_the_umask(tmp_path):
    _nb(tmp_path / "notebooks" / "q.ipynb", "x = 1", "print(x)")
    (tmp_path / "reports").mkdir()
    cfg = tmp_path / "reports" / "reports.yml"
    cfg.write_text("reports:\n  - {name: q, notebook: notebooks/q.ipynb}\n")
    old = os.umask(0o022)
    try:
        run_reports(cfg, progress=None)
    finally:
        os.umask(old)
    for name in ("q.html", "q.json", "index.html"):
        assert oct((tmp_path / "reports" / name).stat().st_mode & 0o777) == oct(0o644), name
    old = os.umask(0o077)
    try:
        atomic_write(tmp_path / "private.txt", "x")
    finally:
        os.umask(old)
    assert oct((tmp_path / "private.txt").stat().st_mode & 0o777) == oct(0o600)


def test_kernel_spec_is_private_per_environment_and_never_follows_links(tmp_path):
    root, name = kernel_dir(tmp_path)
    spec_file = root / "kernels" / name / "kernel.json"
    assert json.loads(spec_file.read_text())["argv"][0] == sys.executable
    assert root.parent == tmp_path / "crmlib-kernels" and name.endswith(root.name)
    assert (root.stat().st_mode & 0o777) == 0o700
    # a link planted where the spec goes is replaced, its target left alone
    target = tmp_path / "victim.txt"
    target.write_text("precious")
    spec_file.unlink()
    spec_file.symlink_to(target)
    kernel_dir(tmp_path)
    assert target.read_text() == "precious" and not spec_file.is_symlink()
    # a planted link or a folder writable by others is refused, naming the folder
    other = tmp_path / "other"
    other.mkdir()
    (other / "crmlib-kernels").symlink_to(tmp_path / "crmlib-kernels")
    with pytest.raises(DataError, match=r"kernel folder '.*other/crmlib-kernels' is not a plain folder"):
        kernel_dir(other)
    os.chmod(root, 0o777)
    with pytest.raises(DataError, match="is writable by others"):
        kernel_dir(tmp_path)
    (tmp_path / "file").write_text("")
    with pytest.raises(DataError, match="cannot create the cache folder .* set XDG_CACHE_HOME"):
        kernel_dir(tmp_path / "file" / "cache")


def test_browser_tests_give_one_skip_without_a_browser_and_fail_when_required(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CRMLIB_REQUIRE_BROWSER"}
    env["PATH"] = str(tmp_path)  # no chromium, no chromedriver
    env["PYTHONPATH"] = str(REPO)
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        str(REPO / "tests" / "test_browser.py"),
        str(REPO / "tests" / "test_report.py") + "::test_record_refuses_non_finite_and_collects",  # the others run
        "-q",
        "-rs",
        "-p",
        "no:cacheprovider",
    ]
    skipped = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert skipped.returncode == 0, skipped.stdout
    assert "1 passed, 1 skipped" in skipped.stdout
    assert "sudo apt-get install chromium chromium-driver" in skipped.stdout
    required = subprocess.run(
        cmd, capture_output=True, text=True, env={**env, "CRMLIB_REQUIRE_BROWSER": "1"}, cwd=tmp_path
    )
    assert required.returncode == 1, required.stdout
    assert "skipped" not in required.stdout.splitlines()[-1]
    assert "the browser check is required here" in required.stdout


def test_a_runner_failure_stops_the_workers(slow_project, tmp_path, monkeypatch):
    """An unexpected error in the runner (here: writing a result fails) leaves no worker or kernel behind."""
    import crmlib.report.runner as runner

    marker = tmp_path / "m"
    started = Path(f"{marker}.started")
    cfg = slow_project / "reports" / "reports.yml"
    cfg.write_text(
        "reports:\n"
        "  - {name: quick, notebook: notebooks/quick.ipynb}\n"
        f"  - {{name: slow, notebook: notebooks/slow.ipynb, parameters: {{pause: 30, marker: '{marker}'}}}}\n"
    )

    family = []
    # processes this test session started before (e.g. a Spark JVM of an earlier test) are not the runner's
    before = {p.pid for p in psutil.Process().children(recursive=True)}

    def broken(*args, **kwargs):
        deadline = time.monotonic() + 120
        while not started.exists() and time.monotonic() < deadline:  # the slow report's kernel is asleep
            time.sleep(0.1)
        family.extend(p for p in psutil.Process().children(recursive=True) if p.pid not in before)
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(runner, "_record", broken)
    with pytest.raises(OSError, match="disk full"):
        run_reports(cfg, jobs=2, progress=None)
    kernel = int(started.read_text())
    assert kernel in {p.pid for p in family}
    assert _alive(family) == []
