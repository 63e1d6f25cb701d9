"""Execute parameterised notebooks with papermill and render them to HTML with nbconvert.

The report set is declared in a YAML file: ``reports/reports.yml`` in the
repository, ``reports.yml`` in a study folder made by ``crmlib new``::

    defaults:            # optional; applies to every report unless it overrides
      hide_code: false
      timeout: 600       # seconds per cell
      report_timeout: 3600   # seconds per report (optional; no limit when absent)
    reports:
      - name: data_overview                  # file stem of reports/<name>.html; [a-z0-9_-]
        notebook: notebooks/00_data_overview.ipynb
        title: "The bundled data sets"
        parameters: {}                       # checked against the notebook's 'parameters' cell
        hide_code: false                     # true: no code in the page; false: code folded behind "Show code"
        theme: "Data"                        # the index groups reports by theme (optional, like the rest)
        question: "What data ship with crmlib?"
        data: real                           # real, SIMULATED, or real and SIMULATED
        n: cdnow_customers                   # the key figure that is the report's N
        headline: {cdnow_rows: "Transactions", donors: "Donors"}   # key figure -> label; at most 3
        language: en                         # the page frame's language: en, zh-Hant or ko (the notebook's own
                                             # words are the notebook's: pass its language as a parameter too)

Paths: the *project folder* is the folder holding the configuration, or the
one above it when that folder is called ``reports`` (the repository's layout).
A relative notebook path is looked up in the project folder, then, when it is
a bare file name (``clv.ipynb``), among the notebooks shipped with crmlib. The
notebooks run with the project folder as their working folder, so relative data
paths in parameters (``data/orders.xlsx``) are relative to it. Reports go to
``<project>/reports/``.

One notebook may appear several times with different parameters and names.
Before any kernel starts, every report's parameters are checked against its
notebook's parameters cell (:mod:`crmlib.report.params`). For each report the
runner writes ``<name>.html`` (self-contained: figures are embedded as data
URIs) and ``<name>.json`` (status, the parameters used, defaults included, run
time and the key figures recorded with :func:`crmlib.report.record`), then
``index.html``. A report that fails never replaces the last good HTML/JSON:
its partial rendering and error go to ``_failed/`` and the index shows the
error. A per-cell or per-report time-out names the cell that was running.
SIGTERM or SIGINT stops every worker and its kernel before the runner returns
(:class:`ReportsInterrupted`), keeps the last good reports, and writes an
index saying the run was interrupted. Executed notebooks are kept in
``_work/`` for inspection.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import multiprocessing.connection as mpc
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .._bundled import bundled_dir
from ..exceptions import DataError
from . import params as _params
from .files import atomic_write, current_umask, kernel_dir
from .index import write_index
from .words import PAGE_LANGUAGES
from .worker import cell_label, now, running_cell, stop_tree, worker_main

__all__ = [
    "ReportSpec",
    "ReportResult",
    "ReportsInterrupted",
    "load_config",
    "find_config",
    "project_dir",
    "run_reports",
    "write_index",
    "DEFAULT_CONFIG",
]

DEFAULT_CONFIG = Path("reports/reports.yml")
STUDY_CONFIG = Path("reports.yml")
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_SPEC_KEYS = {
    "name",
    "notebook",
    "title",
    "parameters",
    "hide_code",
    "timeout",
    "report_timeout",
    "description",
    "theme",
    "question",
    "data",
    "n",
    "headline",
    "language",
}
DATA_KINDS = ("real", "SIMULATED", "real and SIMULATED")
"""What the ``data`` of a report may say: the index marks each report's data as real or SIMULATED."""
MAX_HEADLINE = 3
_DEFAULT_KEYS = {"hide_code", "timeout", "report_timeout"}
_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class ConfigError(DataError):
    """The report configuration file is malformed; the message names the entry and key."""


@dataclass(frozen=True)
class ReportSpec:
    """One entry of the report set (``parameters``: the overrides set in the configuration)."""

    name: str
    notebook: Path
    title: str
    parameters: dict[str, Any] = field(default_factory=dict)
    hide_code: bool = False
    timeout: int = 600
    description: str = ""
    report_timeout: int | None = None
    source: str = ""  # the notebook as written in the configuration
    project: Path = Path(".")
    theme: str = ""
    question: str = ""
    data: str = ""
    n: str = ""
    headline: tuple[tuple[str, str], ...] = ()
    language: str = "en"


@dataclass
class ReportResult:
    """Outcome of one report run (``parameters``: every parameter used, defaults included)."""

    name: str
    title: str
    notebook: str
    parameters: dict[str, Any]
    status: str  # "ok" | "failed" | "interrupted"
    started: str
    duration_s: float
    html: str | None = None
    error: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    crmlib_version: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)


class ReportsInterrupted(Exception):
    """SIGTERM or SIGINT stopped the run; the workers are stopped and the index says so.

    Attributes: ``signum``, ``results`` (the reports that finished, stopped ones as
    ``"interrupted"``), ``index`` (the index written), ``exit_code`` (128 + signum).
    """

    def __init__(self, signum: int, results: list[ReportResult], index: Path, message: str):
        super().__init__(message)
        self.signum, self.results, self.index = signum, results, index
        self.exit_code = 128 + signum


def find_config(folder: str | os.PathLike = ".") -> Path:
    """The report configuration of a folder: ``reports/reports.yml`` (repository) or ``reports.yml`` (study)."""
    folder = Path(folder)
    for candidate in (folder / DEFAULT_CONFIG, folder / STUDY_CONFIG):
        if candidate.is_file():
            return candidate
    raise ConfigError(
        f"no report configuration in {str(folder.resolve())!r} (looked for {DEFAULT_CONFIG} and {STUDY_CONFIG}); "
        "make a study folder with `crmlib new DIR`, or pass --config"
    )


def project_dir(config: str | os.PathLike) -> Path:
    """The project folder of a configuration: its folder, or the one above when that is called ``reports``."""
    folder = Path(config).resolve().parent
    return folder.parent if folder.name == "reports" else folder


def _resolve_notebook(text: Any, project: Path, where: str) -> Path:
    if not isinstance(text, str) or not text.endswith(".ipynb"):
        raise ConfigError(f"{where}: notebook {text!r} must be the path of an .ipynb file")
    path = Path(text)
    if path.is_absolute():
        looked = [path]
    else:
        looked = [project / path]
        if path.name == text:  # a bare file name may be a notebook shipped with crmlib
            try:
                looked.append(bundled_dir("notebooks") / path.name)
            except FileNotFoundError:
                pass
    for candidate in looked:
        if candidate.is_file():
            return candidate
    raise ConfigError(f"{where}: notebook {text!r} not found (looked at {', '.join(map(str, looked))})")


def _headline(raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    """The ``headline`` of an entry as (key figure, label) pairs: a mapping of names to labels, or a list of names."""
    if raw is None:
        return ()
    if isinstance(raw, list):
        raw = {name: name.replace("_", " ") if isinstance(name, str) else name for name in raw}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: 'headline' must map key figure names to labels (or list the names)")
    if len(raw) > MAX_HEADLINE:
        raise ConfigError(f"{where}: 'headline' names {len(raw)} key figures; at most {MAX_HEADLINE}")
    out = []
    for name, label in raw.items():
        if not isinstance(name, str) or not name or not isinstance(label, str) or not label:
            raise ConfigError(f"{where}: 'headline' entry {name!r}: {label!r} must be a key figure name and a label")
        out.append((name, label))
    return tuple(out)


def load_config(path: str | os.PathLike = DEFAULT_CONFIG) -> list[ReportSpec]:
    """Read and check a report configuration; raises :class:`ConfigError` naming the fault.

    Parameters
    ----------
    path : the YAML file (see the module docstring for its format).

    Returns
    -------
    list of ReportSpec
        In the file's order, notebooks resolved, parameter names checked to be
        Python identifiers and values made plain (dates as ISO text).

    References
    ----------
    papermill, "Parameterize", https://papermill.readthedocs.io/en/latest/usage-parameterize.html
    """
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
    project = project_dir(path)
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
        nb = _resolve_notebook(entry["notebook"], project, where)
        raw = entry.get("parameters") or {}
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: 'parameters' must be a mapping of names to values")
        try:
            params = {
                _params.check_name(k, where): _params.plain_value(v, f"{where}: parameter {k!r}")
                for k, v in raw.items()
            }
        except DataError as exc:
            raise ConfigError(str(exc)) from None
        merged = {**defaults, **{k: entry[k] for k in ("hide_code", "timeout", "report_timeout") if k in entry}}
        hide = merged.get("hide_code", False)
        if not isinstance(hide, bool):
            raise ConfigError(f"{where}: 'hide_code' must be true or false, got {hide!r}")
        for key in ("timeout", "report_timeout"):
            value = merged.get(key, 600 if key == "timeout" else None)
            if (key == "timeout" or value is not None) and (
                not isinstance(value, int) or isinstance(value, bool) or value <= 0
            ):
                raise ConfigError(f"{where}: {key!r} must be a positive number of seconds, got {value!r}")
        title = entry.get("title", name)
        if not isinstance(title, str):
            raise ConfigError(f"{where}: 'title' must be text")
        for key in ("theme", "question", "description"):
            if not isinstance(entry.get(key, ""), str):
                raise ConfigError(f"{where}: {key!r} must be text, got {entry[key]!r}")
        data = entry.get("data", "")
        if data != "" and data not in DATA_KINDS:
            raise ConfigError(f"{where}: 'data' must be one of {list(DATA_KINDS)}, got {data!r}")
        headline = _headline(entry.get("headline"), where)
        n_figure = entry.get("n", "")
        if not isinstance(n_figure, str) or (n_figure and not n_figure.strip()):
            raise ConfigError(f"{where}: 'n' must name the key figure that is the report's N, got {n_figure!r}")
        language = entry.get("language", "en")
        if language not in PAGE_LANGUAGES:
            raise ConfigError(f"{where}: 'language' must be one of {list(PAGE_LANGUAGES)}, got {language!r}")
        specs.append(
            ReportSpec(
                name=name,
                notebook=nb,
                title=title,
                parameters=params,
                hide_code=hide,
                timeout=merged.get("timeout", 600),
                description=str(entry.get("description", "")),
                report_timeout=merged.get("report_timeout"),
                source=entry["notebook"],
                project=project,
                theme=entry.get("theme", ""),
                question=entry.get("question", ""),
                data=data,
                n=n_figure,
                headline=headline,
                language=language,
            )
        )
    return specs


def check_parameters(
    specs: Iterable[ReportSpec], overrides: dict[str, Any] | None = None
) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Check every report's parameters against its notebook's parameters cell, before anything runs.

    Parameters
    ----------
    specs : the reports to run.
    overrides : name -> value given on the command line (``-p``/``-f``), applied to every report in ``specs``
        after the configuration's own.

    Returns
    -------
    dict
        report name -> (parameters used, defaults included; the overrides passed to papermill).

    Raises
    ------
    ConfigError
        Listing every unknown name (with close matches) and every value of the wrong type.

    References
    ----------
    papermill's ``inspect_notebook``, https://papermill.readthedocs.io/en/latest/usage-inspect.html
    """
    declared: dict[Path, dict] = {}
    out, problems = {}, []
    for spec in specs:
        if spec.notebook not in declared:
            declared[spec.notebook] = _params.notebook_parameters(spec.notebook)
        given = {**spec.parameters, **(overrides or {})}
        used, found = _params.effective(declared[spec.notebook], given, f"report {spec.name!r}")
        given = {k: used.get(k, v) for k, v in given.items()}  # -p values read for their parameter's type
        problems += found
        out[spec.name] = (used, given)
    if problems:
        raise ConfigError("\n".join(problems))
    return out


@dataclass
class _Job:
    spec: ReportSpec
    proc: Any
    conn: Any
    started: str
    t0: float
    work: Path


@contextlib.contextmanager
def _signals_blocked():
    """Hold SIGTERM/SIGINT back while a worker is registered or a result written (delivered right after)."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, set(_SIGNALS))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class _Stop(BaseException):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum, _frame):
    for sig in _SIGNALS:  # a second Ctrl-C must not cut the clean-up short
        signal.signal(sig, signal.SIG_IGN)
    raise _Stop(signum)


def _running_where(work: Path) -> str:
    import nbformat

    try:
        nb = nbformat.read(str(work), as_version=4)
    except Exception:
        return "before its first cell"
    i = running_cell(nb)
    return "before its first cell" if i is None else f"in {cell_label(nb, i)}"


def _record(job: _Job, used, given, umask: int, msg: dict[str, Any]) -> ReportResult:
    """Write a finished report's files (the runner is the only writer of HTML and JSON)."""
    from .. import __version__

    spec, out = job.spec, job.work.parent.parent
    result = ReportResult(
        name=spec.name,
        title=spec.title,
        notebook=spec.source or str(spec.notebook),
        parameters=used,
        status=msg["status"],
        started=job.started,
        duration_s=msg.get("duration_s", round(time.perf_counter() - job.t0, 2)),
        error=msg.get("error"),
        figures=msg.get("figures") or {},
        crmlib_version=__version__,
        overrides=given,
    )
    page = msg.get("page")
    if result.status == "ok" and page is not None:
        result.html = f"{spec.name}.html"
        atomic_write(out / result.html, page, umask)
        atomic_write(out / f"{spec.name}.json", json.dumps(asdict(result), indent=2, ensure_ascii=False), umask)
        for stale in (out / "_failed" / f"{spec.name}.html", out / "_failed" / f"{spec.name}.json"):
            stale.unlink(missing_ok=True)
    else:
        if page is not None:
            result.html = f"_failed/{spec.name}.html"
            atomic_write(out / result.html, page, umask)
        text = json.dumps(asdict(result), indent=2, ensure_ascii=False)
        atomic_write(out / "_failed" / f"{spec.name}.json", text, umask)
    return result


def _remove_temporaries(out: Path) -> None:
    for folder in (out, out / "_failed"):
        for tmp in folder.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)


def run_reports(
    config: str | os.PathLike | None = None,
    names: Iterable[str] | None = None,
    *,
    jobs: int = 1,
    out_dir: str | os.PathLike | None = None,
    hide_code: bool | None = None,
    parameters: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = print,
) -> list[ReportResult]:
    """Run the report set (or the named reports) and write the index.

    Parameters
    ----------
    config : the YAML configuration (see the module docstring); default: :func:`find_config` of the
        current folder.
    names : only these reports (by name); unknown names raise :class:`ConfigError`.
    jobs : number of notebooks executed at once (worker processes).
    out_dir : where HTML/JSON go; default: ``<project folder>/reports``.
    hide_code : force hiding (True) or showing (False) code in every report;
        ``None`` uses each report's own setting.
    parameters : overrides for every selected report, applied after the configuration's
        (papermill's ``-p``/``-f``); checked like them before any kernel starts.
    progress : called with one line per finished report; ``None`` for silence.

    Returns
    -------
    The results in configuration order. Failed reports have ``status == "failed"``.

    Raises
    ------
    ConfigError
        A bad configuration, name or parameter (nothing has run).
    ReportsInterrupted
        SIGTERM or SIGINT arrived: the workers and their kernels are stopped,
        the index says the run was interrupted.

    References
    ----------
    papermill, https://papermill.readthedocs.io/; nbconvert, https://nbconvert.readthedocs.io/
    """
    config = find_config() if config is None else Path(config)
    specs = load_config(config)
    out = Path(out_dir) if out_dir is not None else project_dir(config) / "reports"
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
    extra = {}
    for k, v in (parameters or {}).items():
        extra[_params.check_name(k, "command line")] = _params.plain_value(v, f"command line: parameter {k!r}")
    checked = check_parameters(selected, extra)
    out.mkdir(parents=True, exist_ok=True)
    umask = current_umask()
    kdir, kname = kernel_dir()
    say = progress or (lambda _msg: None)
    total = len(selected)
    results: dict[str, ReportResult] = {}
    t0 = time.perf_counter()
    say(f"crmlib report: {total} report(s), {jobs} at a time")
    # spawn, not fork: the runner may hold threads (DuckDB, BLAS, a test runner's), and a forked child of a
    # threaded process can crash in its first garbage collection (seen: segfaults rendering with jinja2)
    ctx = mp.get_context("spawn")
    pending = list(selected)
    running: dict[str, _Job] = {}
    handlers: dict[Any, Any] = {}
    if threading.current_thread() is threading.main_thread():
        handlers = {sig: signal.signal(sig, _on_signal) for sig in _SIGNALS}

    def finish(job: _Job, msg: dict[str, Any]) -> None:
        res = _record(job, *checked[job.spec.name], umask, msg)
        results[job.spec.name] = res
        line = f"[{len(results)}/{total}] {res.status:6s} {res.name} ({res.duration_s:.1f} s)"
        if res.status != "ok":
            last = (res.error or "").strip().splitlines()
            line += f" - {last[-1] if last else 'error'}"
        say(line)

    try:
        while pending or running:
            while pending and len(running) < jobs:
                spec = pending.pop(0)
                work = out / "_work" / f"{spec.name}.ipynb"
                task = {
                    "name": spec.name,
                    "notebook": str(spec.notebook),
                    "work": str(work),
                    "cwd": str(spec.project),
                    "overrides": checked[spec.name][1],
                    "parameters": checked[spec.name][0],
                    "source": spec.source or spec.notebook.name,
                    "timeout": spec.timeout,
                    "title": spec.title,
                    "hide_code": spec.hide_code if hide_code is None else hide_code,
                    "kernel_name": kname,
                    "kernel_dir": str(kdir),
                    "language": spec.language,
                }
                with _signals_blocked():
                    mine, theirs = ctx.Pipe(duplex=False)
                    proc = ctx.Process(target=worker_main, args=(theirs, task), name=f"crmlib-report-{spec.name}")
                    proc.start()
                    theirs.close()
                    running[spec.name] = _Job(spec, proc, mine, now(), time.perf_counter(), work)
            deadlines = [j.t0 + j.spec.report_timeout for j in running.values() if j.spec.report_timeout]
            wait = max(0.0, min(deadlines) - time.perf_counter()) if deadlines else None
            mpc.wait([j.conn for j in running.values()] + [j.proc.sentinel for j in running.values()], wait)
            with _signals_blocked():
                for name, job in list(running.items()):
                    msg = None
                    if job.conn.poll():
                        try:
                            msg = job.conn.recv()
                        except EOFError:
                            msg = None
                    elif job.proc.is_alive():
                        limit = job.spec.report_timeout
                        if not limit or time.perf_counter() < job.t0 + limit:
                            continue
                        where = _running_where(job.work)
                        stop_tree(job.proc.pid)
                        msg = {
                            "status": "failed",
                            "error": f"time-out: the report did not finish within its report_timeout of {limit} s; "
                            f"stopped {where}",
                        }
                    job.proc.join(10)
                    if job.proc.is_alive():
                        stop_tree(job.proc.pid)
                        job.proc.join()
                    if msg is None:
                        msg = {
                            "status": "failed",
                            "error": f"the worker ended (exit code {job.proc.exitcode}) {_running_where(job.work)}",
                        }
                    job.conn.close()
                    del running[name]
                    finish(job, msg)
    except _Stop as stop:
        signame = signal.Signals(stop.signum).name
        for job in running.values():
            stop_tree(job.proc.pid)
        for job in running.values():
            job.proc.join()
            job.conn.close()
            where = _running_where(job.work)
            msg = {
                "status": "interrupted",
                "error": f"interrupted by {signame} {where}; the last good report is kept",
                "duration_s": round(time.perf_counter() - job.t0, 2),
            }
            finish(job, msg)
        _remove_temporaries(out)
        stopped, unstarted = sorted(running), [s.name for s in pending]
        note = (
            f"The run of {now()} was interrupted by {signame}: {len(results) - len(stopped)} report(s) finished, "
            f"stopped: {', '.join(stopped) or 'none'}; not started: {', '.join(unstarted) or 'none'}. "
            "The last good reports are kept."
        )
        index = write_index(specs, out, run_note=note)
        say(f"crmlib report: {note} Index: {index}")
        raise ReportsInterrupted(stop.signum, list(results.values()), index, note) from None
    except BaseException:  # the runner itself failed: no worker may outlive it
        for job in running.values():
            stop_tree(job.proc.pid)
            job.proc.join()
        _remove_temporaries(out)
        raise
    finally:
        for sig, old in handlers.items():
            signal.signal(sig, old)
    index = write_index(specs, out)
    n_failed = sum(r.status != "ok" for r in results.values())
    say(f"{total - n_failed} ok, {n_failed} failed in {time.perf_counter() - t0:.1f} s; index: {index}")
    return [results[s.name] for s in selected]
