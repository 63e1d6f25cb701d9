"""Execute parameterised notebooks with papermill and render them to HTML with nbconvert.

The report set is declared in a YAML file (default ``reports/reports.yml``)::

    defaults:            # optional; applies to every report unless it overrides
      hide_code: false
      timeout: 600       # seconds per cell
    reports:
      - name: data_overview                  # file stem of reports/<name>.html; [a-z0-9_-]
        notebook: notebooks/00_data_overview.ipynb   # relative to the folder above the config (the repository root)
        title: "The bundled data sets"
        parameters: {}                       # injected by papermill after the 'parameters' cell
        hide_code: false

One notebook may appear several times with different parameters and names.
For each report the runner writes ``reports/<name>.html`` (self-contained:
figures are embedded as data URIs) and ``reports/<name>.json`` (status,
parameters, run time and the key figures recorded with
:func:`crmlib.report.record`), then ``reports/index.html`` linking every
report. A report that fails never replaces the last good HTML/JSON: its
partial rendering and error go to ``reports/_failed/`` and the index shows the
error. Executed notebooks are kept in ``reports/_work/`` for inspection.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import html
import json
import multiprocessing as mp
import os
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..exceptions import DataError

__all__ = ["ReportSpec", "ReportResult", "load_config", "run_reports", "write_index", "DEFAULT_CONFIG"]

DEFAULT_CONFIG = Path("reports/reports.yml")
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_SPEC_KEYS = {"name", "notebook", "title", "parameters", "hide_code", "timeout", "description"}
_DEFAULT_KEYS = {"hide_code", "timeout"}
KERNEL_NAME = "crmlib-python"


class ConfigError(DataError):
    """The report configuration file is malformed; the message names the entry and key."""


@dataclass(frozen=True)
class ReportSpec:
    """One entry of the report set."""

    name: str
    notebook: Path
    title: str
    parameters: dict[str, Any] = field(default_factory=dict)
    hide_code: bool = False
    timeout: int = 600
    description: str = ""


@dataclass
class ReportResult:
    """Outcome of one report run."""

    name: str
    title: str
    notebook: str
    parameters: dict[str, Any]
    status: str  # "ok" | "failed"
    started: str
    duration_s: float
    html: str | None = None
    error: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    crmlib_version: str = ""


def load_config(path: str | os.PathLike = DEFAULT_CONFIG) -> list[ReportSpec]:
    """Read and check a report configuration; raises :class:`ConfigError` naming the fault."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"report config {str(path)!r} not found")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict) or "reports" not in doc:
        raise ConfigError(f"{path}: the top level must be a mapping with a 'reports' list")
    unknown_top = set(doc) - {"reports", "defaults"}
    if unknown_top:
        raise ConfigError(f"{path}: unknown top-level keys {sorted(unknown_top)}; allowed: defaults, reports")
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError(f"{path}: 'defaults' must be a mapping")
    bad = set(defaults) - _DEFAULT_KEYS
    if bad:
        raise ConfigError(f"{path}: unknown keys in 'defaults': {sorted(bad)}; allowed: {sorted(_DEFAULT_KEYS)}")
    entries = doc["reports"]
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: 'reports' must be a non-empty list")
    base = path.resolve().parent.parent
    specs: list[ReportSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries, start=1):
        where = f"{path}: report #{i}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: must be a mapping, got {type(entry).__name__}")
        unknown = set(entry) - _SPEC_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(_SPEC_KEYS)}")
        for key in ("name", "notebook"):
            if key not in entry:
                raise ConfigError(f"{where}: missing required key {key!r}")
        name = entry["name"]
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ConfigError(f"{where}: name {name!r} must match [a-z0-9][a-z0-9_-]*")
        where = f"{path}: report {name!r}"
        if name in seen or name == "index":
            raise ConfigError(f"{where}: the name is used twice (or is the reserved 'index')")
        seen.add(name)
        nb = Path(entry["notebook"])
        nb = nb if nb.is_absolute() else base / nb
        if nb.suffix != ".ipynb" or not nb.is_file():
            raise ConfigError(f"{where}: notebook {str(nb)!r} not found (or not an .ipynb file)")
        params = entry.get("parameters") or {}
        if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
            raise ConfigError(f"{where}: 'parameters' must be a mapping of names to values")
        merged = {**defaults, **{k: entry[k] for k in ("hide_code", "timeout") if k in entry}}
        hide = merged.get("hide_code", False)
        if not isinstance(hide, bool):
            raise ConfigError(f"{where}: 'hide_code' must be true or false, got {hide!r}")
        timeout = merged.get("timeout", 600)
        if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
            raise ConfigError(f"{where}: 'timeout' must be a positive number of seconds, got {timeout!r}")
        title = entry.get("title", name)
        if not isinstance(title, str):
            raise ConfigError(f"{where}: 'title' must be text")
        specs.append(
            ReportSpec(
                name=name,
                notebook=nb,
                title=title,
                parameters=params,
                hide_code=hide,
                timeout=timeout,
                description=str(entry.get("description", "")),
            )
        )
    return specs


def _kernel_dir() -> Path:
    """A private kernelspec running this interpreter, so reports never pick up a foreign 'python3' kernel."""
    root = Path(tempfile.gettempdir()) / f"crmlib-kernels-{os.getuid() if hasattr(os, 'getuid') else 'u'}"
    spec_dir = root / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", "--log-level=CRITICAL"],
        "display_name": "Python 3 (crmlib reports)",
        "language": "python",
        "env": {"MPLBACKEND": "module://matplotlib_inline.backend_inline", "PYTHONHASHSEED": "0"},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return root


def _error_text(nb) -> str | None:
    """The first error output of an executed notebook, as plain text (ANSI colours removed)."""
    ansi = re.compile(r"\x1b\[[0-9;]*m")
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if out.get("output_type") == "error":
                tb = "\n".join(out.get("traceback", [])) or f"{out.get('ename')}: {out.get('evalue')}"
                return ansi.sub("", tb)
    return None


def _render_html(nb, title: str, hide_code: bool) -> str:
    import copy

    from nbconvert import HTMLExporter

    from .record import FIGURES_MIME

    nb = copy.deepcopy(nb)
    for cell in nb.cells:  # key-figure records are for the JSON, not the page
        if cell.get("cell_type") == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if FIGURES_MIME not in o.get("data", {})]

    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = hide_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def _run_one(spec: ReportSpec, out_dir: Path, hide_code: bool | None) -> ReportResult:
    """Execute and render one report (runs in a worker process)."""
    import nbformat
    import papermill as pm

    from .. import __version__
    from .record import collect

    os.environ["JUPYTER_PATH"] = str(_kernel_dir()) + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    work = out_dir / "_work" / f"{spec.name}.ipynb"
    work.parent.mkdir(parents=True, exist_ok=True)
    hide = spec.hide_code if hide_code is None else hide_code
    error: str | None = None
    nb = None
    try:
        nb = pm.execute_notebook(
            str(spec.notebook),
            str(work),
            parameters=dict(spec.parameters),
            kernel_name=KERNEL_NAME,
            cwd=str(spec.notebook.parent),
            progress_bar=False,
            log_output=False,
            execution_timeout=spec.timeout,
        )
        error = _error_text(nb)
    except pm.PapermillExecutionError as exc:
        error = re.sub(r"\x1b\[[0-9;]*m", "", f"{exc.ename}: {exc.evalue}\n" + "\n".join(exc.traceback))
        nb = nbformat.read(str(work), as_version=4) if work.is_file() else None
    except Exception as exc:  # kernel died, missing parameters cell, timeout, ...
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
        nb = nbformat.read(str(work), as_version=4) if work.is_file() else None
    duration = time.perf_counter() - t0
    result = ReportResult(
        name=spec.name,
        title=spec.title,
        notebook=os.path.relpath(spec.notebook, out_dir.resolve().parent),
        parameters=dict(spec.parameters),
        status="ok" if error is None else "failed",
        started=started.isoformat(timespec="seconds"),
        duration_s=round(duration, 2),
        error=error,
        crmlib_version=__version__,
    )
    if nb is not None:
        result.figures = collect(nb)
    try:
        page = _render_html(nb, spec.title, hide) if nb is not None else None
    except Exception as exc:  # rendering failed: treat as a failed report
        page = None
        result.status, result.error = "failed", f"rendering failed: {type(exc).__name__}: {exc}"
    if result.status == "ok":
        result.html = f"{spec.name}.html"
        _atomic_write(out_dir / result.html, page)
        _atomic_write(out_dir / f"{spec.name}.json", json.dumps(asdict(result), indent=2, ensure_ascii=False))
        for stale in (out_dir / "_failed" / f"{spec.name}.html", out_dir / "_failed" / f"{spec.name}.json"):
            stale.unlink(missing_ok=True)
    else:
        if page is not None:
            result.html = f"_failed/{spec.name}.html"
            _atomic_write(out_dir / result.html, page)
        _atomic_write(
            out_dir / "_failed" / f"{spec.name}.json", json.dumps(asdict(result), indent=2, ensure_ascii=False)
        )
    return result


def _state(out_dir: Path, name: str) -> tuple[dict | None, dict | None]:
    """(last good run, last failed run) of a report, read from their JSON files."""

    def read(p: Path):
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    return read(out_dir / f"{name}.json"), read(out_dir / "_failed" / f"{name}.json")


def write_index(specs: Iterable[ReportSpec], out_dir: str | os.PathLike = "reports") -> Path:
    """Write ``index.html`` listing every configured report with its last status, parameters and run time."""
    out_dir = Path(out_dir)
    rows = []
    for spec in specs:
        good, failed = _state(out_dir, spec.name)
        params = html.escape(json.dumps(spec.parameters, ensure_ascii=False)) if spec.parameters else "&mdash;"
        if failed is not None and (good is None or failed["started"] >= good["started"]):
            link = f'<a href="{html.escape(failed["html"])}">partial output</a>' if failed.get("html") else ""
            last_good = (
                f'<br>last good report: <a href="{html.escape(good["html"])}">{html.escape(good["started"])}</a>'
                if good
                else ""
            )
            err = html.escape((failed.get("error") or "").strip().splitlines()[-1] if failed.get("error") else "")
            status = (
                f'<span class="failed">failed</span> {link}{last_good}'
                f"<details><summary>{err}</summary><pre>{html.escape(failed.get('error') or '')}</pre></details>"
            )
            duration, when = failed["duration_s"], failed["started"]
        elif good is not None:
            status = f'<span class="ok">ok</span> &middot; <a href="{html.escape(spec.name)}.json">key figures</a>'
            duration, when = good["duration_s"], good["started"]
        else:
            status, duration, when = '<span class="never">not run yet</span>', None, ""
        title = (
            f'<a href="{html.escape(good["html"])}">{html.escape(spec.title)}</a>' if good else html.escape(spec.title)
        )
        rows.append(
            "<tr>"
            f"<td>{title}<div class='nb'>{html.escape(spec.name)} &middot; {html.escape(spec.notebook.name)}</div></td>"
            f"<td><code>{params}</code></td>"
            f"<td>{status}</td>"
            f"<td class='num'>{'' if duration is None else f'{duration:.1f} s'}</td>"
            f"<td>{html.escape(when)}</td>"
            "</tr>"
        )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>crmlib reports</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border-bottom: 1px solid #ddd; padding: .5rem; text-align: left; vertical-align: top; }}
.num {{ text-align: right; }} .nb {{ color: #777; font-size: 85%; }} .ok {{ color: #2c7c5e; font-weight: bold; }}
.failed {{ color: #c0504d; font-weight: bold; }} .never {{ color: #777; }} pre {{ white-space: pre-wrap; font-size: 80%; }}
</style></head><body>
<h1>crmlib reports</h1>
<p>Notebooks executed with papermill on the bundled data and rendered with nbconvert.
Index written {dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}.</p>
<table><thead><tr><th>Report</th><th>Parameters</th><th>Status</th><th>Run time</th><th>Run at (UTC)</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    index = out_dir / "index.html"
    _atomic_write(index, page)
    return index


def run_reports(
    config: str | os.PathLike = DEFAULT_CONFIG,
    names: Iterable[str] | None = None,
    *,
    jobs: int = 1,
    out_dir: str | os.PathLike | None = None,
    hide_code: bool | None = None,
    progress: Callable[[str], None] | None = print,
) -> list[ReportResult]:
    """Run the report set (or the named reports) and write the index.

    Parameters
    ----------
    config : the YAML configuration (see the module docstring).
    names : only these reports (by name); unknown names raise :class:`ConfigError`.
    jobs : number of notebooks executed at once (worker processes).
    out_dir : where HTML/JSON go; default: the folder of ``config``.
    hide_code : force hiding (True) or showing (False) code in every report;
        ``None`` uses each report's own setting.
    progress : called with one line per started/finished report; ``None`` for silence.

    Returns
    -------
    The results in configuration order. Failed reports have ``status == "failed"``.
    """
    specs = load_config(config)
    out = Path(out_dir) if out_dir is not None else Path(config).parent
    out.mkdir(parents=True, exist_ok=True)
    selected = specs
    if names:
        names = list(names)
        known = {s.name for s in specs}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(f"unknown report names {unknown}; configured: {sorted(known)}")
        selected = [s for s in specs if s.name in names]
    if jobs < 1:
        raise ConfigError(f"jobs must be >= 1, got {jobs}")
    say = progress or (lambda _msg: None)
    total = len(selected)
    results: dict[str, ReportResult] = {}
    t0 = time.perf_counter()
    say(f"crmlib report: {total} report(s), {jobs} at a time")
    ctx = mp.get_context("fork") if sys.platform != "win32" else mp.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=min(jobs, max(total, 1)), mp_context=ctx) as pool:
        futures = {}
        for spec in selected:
            futures[pool.submit(_run_one, spec, out, hide_code)] = spec
        for i, fut in enumerate(cf.as_completed(futures), start=1):
            spec = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # the worker itself died
                res = ReportResult(
                    spec.name,
                    spec.title,
                    str(spec.notebook),
                    spec.parameters,
                    "failed",
                    dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    0.0,
                    error=f"worker failed: {type(exc).__name__}: {exc}",
                )
                _atomic_write(out / "_failed" / f"{spec.name}.json", json.dumps(asdict(res), indent=2))
            results[spec.name] = res
            line = f"[{i}/{total}] {res.status:6s} {res.name} ({res.duration_s:.1f} s)"
            if res.status != "ok":
                last = (res.error or "").strip().splitlines()
                line += f" - {last[-1] if last else 'error'}"
            say(line)
    index = write_index(specs, out)
    n_failed = sum(r.status != "ok" for r in results.values())
    say(f"{total - n_failed} ok, {n_failed} failed in {time.perf_counter() - t0:.1f} s; index: {index}")
    return [results[s.name] for s in selected]
