"""``crmlib new`` and the notebooks shipped in the wheel.

Oracles: the study's reports.yml is read by the same runner and its parameters pass the same
check as the repository's; the wheel built from the checkout holds every notebook of notebooks/
byte for byte; installed in a fresh virtual environment away from the repository, it makes a
study and renders a report with no error output.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from crmlib._bundled import bundled_dir
from crmlib.report.cli import main
from crmlib.report.runner import check_parameters, find_config, load_config
from crmlib.report.study import new_study

REPO = Path(__file__).resolve().parent.parent


def test_new_study_lists_every_analysis_and_its_parameters_pass_the_check(tmp_path):
    folder = new_study(tmp_path / "shop")
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "data", "reports.yml"]
    assert find_config(folder) == folder / "reports.yml"
    specs = load_config(folder / "reports.yml")
    shipped = sorted(p.name for p in bundled_dir("notebooks").glob("*.ipynb") if not p.name.startswith("case_study"))
    assert sorted(s.notebook.name for s in specs) == shipped
    assert all(s.notebook.parent == bundled_dir("notebooks") for s in specs)
    assert {s.name for s in specs} >= {"data_overview", "clv"}
    check_parameters(specs)  # raises on an unknown name or a wrong type
    text = (folder / "reports.yml").read_text()
    assert 'dataset: "cdnow_sample"  # <- your data' in text
    assert "read_options: {}  # <- your data" in text  # the CLV report's reading options, one mapping to fill in
    assert "crmlib report data_overview" in (folder / "README.md").read_text()


def test_new_study_refuses_a_folder_in_use(tmp_path, capsys):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    assert main(["new", str(tmp_path / "used")]) == 2
    assert "exists and is not an empty folder" in capsys.readouterr().err
    assert (tmp_path / "used" / "notes.txt").read_text() == "mine"
    assert main(["new", str(tmp_path / "fresh")]) == 0
    assert (tmp_path / "fresh" / "reports.yml").is_file()


def test_report_finds_the_study_config_in_the_current_folder(tmp_path, monkeypatch, capsys):
    new_study(tmp_path / "s")
    monkeypatch.chdir(tmp_path / "s")
    assert main(["report", "--list"]) == 0
    assert "00_data_overview.ipynb" in capsys.readouterr().out
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--list"]) == 2
    assert "crmlib new DIR" in capsys.readouterr().err


def _build_inputs(dest: Path) -> Path:
    """The files a wheel is built from, copied out of the checkout (the checkout stays untouched)."""
    dest.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy2(REPO / name, dest / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "_bundled")
    for folder in ("crmlib", "notebooks", "data"):
        shutil.copytree(REPO / folder, dest / folder, ignore=skip)
    return dest


@pytest.mark.slow
def test_wheel_runs_a_study_in_a_fresh_environment_away_from_the_repository(tmp_path):
    t0 = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "CRMLIB_DATA")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    src = _build_inputs(tmp_path / "src")
    dist = tmp_path / "dist"
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        pip + ["wheel", "--quiet", "--no-deps", "-w", str(dist), str(src)], check=True, env=env, cwd=tmp_path
    )
    [wheel] = dist.glob("crmlib-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for nb in (REPO / "notebooks").glob("*.ipynb"):
            assert zf.read(f"crmlib/_bundled/notebooks/{nb.name}") == nb.read_bytes(), nb.name
        for path in (REPO / "data").rglob("*"):
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(REPO).parts):
                assert f"crmlib/_bundled/data/{path.relative_to(REPO / 'data').as_posix()}" in names, path
        for path in (REPO / "crmlib" / "report" / "templates").rglob("*.*"):  # the report pages' nbconvert template
            assert zf.read(path.relative_to(REPO).as_posix()) == path.read_bytes(), path
    built = time.perf_counter()

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env, cwd=tmp_path)
    py, exe = venv / "bin" / "python", venv / "bin" / "crmlib"
    subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--no-compile", str(wheel)], check=True, env=env, cwd=tmp_path
    )
    installed = time.perf_counter()
    where = subprocess.run(
        [str(py), "-c", "import crmlib; print(crmlib.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tmp_path,
    ).stdout.strip()
    assert where.startswith(str(venv)), where

    subprocess.run([str(exe), "new", "study"], check=True, env=env, cwd=tmp_path)
    run = subprocess.run(
        [str(exe), "report", "data_overview"], capture_output=True, text=True, env=env, cwd=tmp_path / "study"
    )
    assert run.returncode == 0, (run.stdout, run.stderr)
    out = tmp_path / "study" / "reports"
    page = (out / "data_overview.html").read_text()
    assert "Traceback" not in page  # errors and stderr: checked in the executed notebook below
    assert 'class="crmlib-nav"' in page and "All reports</a>" in page  # crmlib's template, from the wheel
    record = json.loads((out / "data_overview.json").read_text())
    assert record["status"] == "ok" and record["figures"]
    assert record["notebook"] == "00_data_overview.ipynb"
    executed = json.loads((out / "_work" / "data_overview.ipynb").read_text())
    outputs = [o for c in executed["cells"] for o in c.get("outputs", [])]
    assert outputs and not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"]
    assert 'href="data_overview.html"' in (out / "index.html").read_text()
    print(
        f"wheel test: build {built - t0:.0f} s, venv + install {installed - built:.0f} s, "
        f"new + report {time.perf_counter() - installed:.0f} s"
    )
