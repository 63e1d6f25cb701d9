"""One report in a worker process: execute with papermill, render with nbconvert, hand the result back.

The worker writes nothing but papermill's working copy of the executed notebook
(``reports/_work/<name>.ipynb``); the HTML and JSON are written by the runner,
so a run the runner stops leaves nothing half-written behind. The runner
stops a worker with :func:`stop_tree`, which freezes the worker and every
process it started (the Jupyter kernel runs in a session of its own, so a
process-group signal would miss it) and then kills them all.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import time
import traceback
from pathlib import Path
from typing import Any

__all__ = ["execute", "worker_main", "stop_tree", "running_cell", "cell_label", "render_html", "contents"]

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def cell_label(nb, index: int) -> str:
    """``cell 7 (`fit = model.fit(summary)`)``: the cell's place in the source notebook and its first line."""
    injected = sum(
        1 for c in nb.cells[:index] if "injected-parameters" in c.get("metadata", {}).get("tags", [])
    )  # papermill's cell is not in the source notebook
    first = next((line.strip() for line in nb.cells[index].source.splitlines() if line.strip()), "")
    first = first if len(first) <= 70 else first[:67] + "..."
    return f"cell {index + 1 - injected} (`{first}`)"


def running_cell(nb) -> int | None:
    """Index of the cell that was executing: papermill's ``running`` mark, else the last cell started."""
    last = None
    for i, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("papermill", {})
        if meta.get("status") == "running":
            return i
        if cell.get("cell_type") == "code" and meta.get("start_time"):
            last = i
    return last


def _error_text(nb) -> str | None:
    """The first error output of an executed notebook, as plain text."""
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if out.get("output_type") == "error":
                tb = "\n".join(out.get("traceback", [])) or f"{out.get('ename')}: {out.get('evalue')}"
                return _ANSI.sub("", tb)
    return None


TEMPLATES = Path(__file__).resolve().parent / "templates"
"""Folder of crmlib's nbconvert template ``crmlib`` (the ``lab`` page with a reader's header; shipped in the wheel)."""

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def _headings(text: str) -> list[tuple[int, str]]:
    """The ATX headings of a markdown text as (level, text), outside fenced code blocks."""
    found, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (m := _HEADING.match(line)):
            found.append((len(m.group(1)), m.group(2)))
    return found


def _heading_ids(level: int, text: str) -> tuple[str, str]:
    """(id, plain text) nbconvert gives a markdown heading, so that a contents entry links to it."""
    from xml.etree import ElementTree

    from nbconvert.filters.markdown import markdown2html

    rendered = markdown2html(f"{'#' * level} {text}")
    try:
        node = ElementTree.fromstring(rendered.strip())
    except ElementTree.ParseError:
        return "", text
    for a in node.findall("a"):
        node.remove(a)
    return node.get("id", ""), "".join(node.itertext()).strip()


def contents(nb, levels: tuple[int, ...] = (2, 3)) -> list[dict[str, Any]]:
    """The table of contents of a notebook: headings of markdown cells and markdown outputs, in order.

    Parameters
    ----------
    nb : the executed notebook (``nbformat`` node).
    levels : heading levels listed (2 and 3: the sections and subsections under the report's title).

    Returns
    -------
    list of dict
        ``level``, ``text`` and ``id`` (the anchor nbconvert gives the heading) of each heading.

    References
    ----------
    nbconvert, ``markdown2html`` and its heading anchors, https://nbconvert.readthedocs.io/
    """
    texts = []
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            texts.append(cell.source)
        elif cell.get("cell_type") == "code":
            texts += [
                o["data"]["text/markdown"] for o in cell.get("outputs", []) if "text/markdown" in o.get("data", {})
            ]
    out = []
    for text in texts:
        for level, heading in _headings(text):
            if level in levels:
                anchor, plain = _heading_ids(level, heading)
                if anchor:
                    out.append({"level": level, "text": plain, "id": anchor})
    return out


def render_html(
    nb,
    title: str,
    hide_code: bool,
    *,
    parameters: dict[str, Any] | None = None,
    overrides: dict[str, Any] | None = None,
    index_href: str = "index.html",
    status: str = "ok",
    notebook: str = "",
    language: str = "en",
) -> str:
    """The self-contained HTML page of an executed notebook, in crmlib's template (key-figure records left out).

    The page opens with a reader's header: the report's title as its one top heading (the notebook's own
    first top heading is left out, since one notebook serves several reports), a link back to the index,
    the run date and crmlib version, the parameters used as a table (papermill's injected cell is left
    out: the table shows its values) and a table of contents of the section headings. Code is folded
    away behind a "Show code" switch; ``hide_code`` leaves it out of the page altogether.

    Parameters
    ----------
    nb : the executed notebook (``nbformat`` node).
    title : the report's title (page title and top heading).
    hide_code : leave the code cells' input out of the page.
    parameters : every parameter used, defaults included (name -> value).
    overrides : the parameters set in the configuration or on the command line (shown as set; the others
        as the notebook's defaults).
    index_href : the link to the index page, relative to the report.
    status : ``"ok"``, ``"failed"`` or ``"interrupted"`` (a failed page says so in its header).
    notebook : the notebook as named in the configuration.
    language : the language of the page's frame (link to the index, code switch, run line, parameters,
        contents, footer): one of :data:`crmlib.report.words.PAGE_LANGUAGES`.

    Returns
    -------
    str
        The HTML page.

    References
    ----------
    nbconvert, "Customizing nbconvert" (templates extending ``lab``), https://nbconvert.readthedocs.io/
    """
    import copy
    import json

    from nbconvert import HTMLExporter

    from .. import __version__
    from .record import FIGURES_MIME
    from .words import page_words

    words = page_words(language)
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            continue  # its values are in the parameters table
        if cell.get("cell_type") == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if FIGURES_MIME not in o.get("data", {})]
        cells.append(cell)
    nb.cells = cells
    first = next((c for c in nb.cells if c.get("cell_type") == "markdown"), None)
    if first is not None:
        lines = first.source.splitlines()
        if lines and re.match(r"^#\s", lines[0]):
            first.source = "\n".join(lines[1:]).lstrip("\n")
    set_here = set(overrides or {})
    exporter = HTMLExporter(template_name="crmlib", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = hide_code
    exporter.language_code = language  # <html lang=...>: fonts and screen readers read the page in its language
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    has_code = not hide_code and any(c.get("cell_type") == "code" and c.source.strip() for c in nb.cells)
    title_id, _ = _heading_ids(1, title)
    resources = {
        "metadata": {"name": title},
        "crmlib": {
            "title": title,
            "title_id": title_id or "report-title",
            "index_href": index_href,
            "run_at": now().replace("T", " ").replace("+00:00", " UTC"),
            "version": __version__,
            "notebook": notebook,
            "status": status,
            "has_code": has_code,
            "parameters": [
                {"name": k, "value": json.dumps(v, ensure_ascii=False), "set_here": k in set_here}
                for k, v in (parameters or {}).items()
            ],
            "toc": contents(nb),
            "words": words,
        },
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def execute(job: dict[str, Any]) -> dict[str, Any]:
    """Execute and render one report; returns the result record (``status``, ``error``, ``figures``) and ``page``.

    ``job`` holds ``name``, ``notebook``, ``work`` (executed copy), ``cwd``,
    ``overrides``, ``timeout`` (seconds per cell), ``title``, ``hide_code``,
    ``kernel_name``, ``kernel_dir``, and for the page's header ``parameters`` (every parameter used)
    and ``source`` (the notebook as configured).
    """
    import nbformat
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError

    from .record import collect

    os.environ["JUPYTER_PATH"] = job["kernel_dir"] + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    work = Path(job["work"])
    work.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    error = None
    nb = None

    def saved():
        try:
            return nbformat.read(str(work), as_version=4) if work.is_file() else None
        except Exception:  # a copy cut short
            return None

    try:
        nb = pm.execute_notebook(
            job["notebook"],
            str(work),
            parameters=dict(job["overrides"]),
            kernel_name=job["kernel_name"],
            language="python",  # crmlib's kernel is Python; a notebook saved without kernel metadata runs on it too
            cwd=job["cwd"],
            progress_bar=False,
            log_output=False,
            execution_timeout=job["timeout"],
        )
        error = _error_text(nb)
    except pm.PapermillExecutionError as exc:
        error = _ANSI.sub("", f"{exc.ename}: {exc.evalue}\n" + "\n".join(exc.traceback))
        nb = saved()
    except CellTimeoutError:
        nb = saved()
        at = running_cell(nb) if nb is not None else None
        where = cell_label(nb, at) if at is not None else "a cell"
        error = f"time-out: {where} did not finish within {job['timeout']} s (the per-cell 'timeout' of reports.yml)"
    except Exception as exc:  # kernel died, missing parameters cell, ...
        error = f"{traceback.format_exc()}\n{type(exc).__name__}: {exc}"
        nb = saved()
    result: dict[str, Any] = {"status": "ok" if error is None else "failed", "error": error, "figures": {}}
    page = None
    if nb is not None:
        result["figures"] = collect(nb)
        try:
            page = render_html(
                nb,
                job["title"],
                job["hide_code"],
                parameters=job.get("parameters"),
                overrides=job.get("overrides"),
                index_href="index.html" if result["status"] == "ok" else "../index.html",
                status=result["status"],
                notebook=job.get("source", ""),
                language=job.get("language", "en"),
            )
        except Exception as exc:
            result["status"], result["error"] = "failed", f"rendering failed: {type(exc).__name__}: {exc}"
    result["duration_s"] = round(time.perf_counter() - t0, 2)
    result["page"] = page
    return result


def worker_main(conn, job: dict[str, Any]) -> None:
    """Entry point of a worker process: default signal handling, run :func:`execute`, send the result."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    if hasattr(os, "setpgid"):
        os.setpgid(0, 0)  # a terminal's Ctrl-C goes to the runner alone, which stops the workers itself
    try:
        conn.send(execute(job))
    except Exception as exc:  # pragma: no cover - execute catches what papermill raises
        conn.send(
            {
                "status": "failed",
                "error": f"worker failed: {type(exc).__name__}: {exc}",
                "figures": {},
                "page": None,
                "duration_s": 0.0,
            }
        )
    finally:
        conn.close()


def stop_tree(pid: int, grace: float = 5.0) -> None:
    """Stop a worker and every process it started: freeze them all (no new children), then kill them.

    Parameters
    ----------
    pid : the worker's process id.
    grace : seconds to wait for the killed processes to go.

    References
    ----------
    psutil, ``Process.suspend``/``children``/``kill``, https://psutil.readthedocs.io/
    """
    import psutil

    frozen: list[psutil.Process] = []
    queue = [pid]
    while queue:
        try:
            proc = psutil.Process(queue.pop())
            proc.suspend()
            frozen.append(proc)
            queue.extend(child.pid for child in proc.children())
        except psutil.NoSuchProcess:
            continue
    for proc in reversed(frozen):  # children first, so none is re-parented while alive
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    deadline = time.monotonic() + grace
    for proc in frozen[1:]:  # the worker itself is reaped by the runner's join; a zombie writes nothing
        while time.monotonic() < deadline:
            try:
                if proc.status() == psutil.STATUS_ZOMBIE:
                    break
            except psutil.NoSuchProcess:
                break
            time.sleep(0.02)


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
