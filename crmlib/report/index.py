"""``reports/index.html``: every configured report with the parameters of its last run, its status and run time."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .files import atomic_write

__all__ = ["write_index", "report_state"]


def report_state(out_dir: Path, name: str) -> tuple[dict | None, dict | None]:
    """(last good run, last failed or interrupted run) of a report, read from their JSON files."""

    def read(p: Path):
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    return read(out_dir / f"{name}.json"), read(out_dir / "_failed" / f"{name}.json")


def _params_html(params: dict[str, Any], overrides: Iterable[str]) -> str:
    if not params:
        return "&mdash;"
    set_here = set(overrides)
    items = []
    for k, v in params.items():
        text = html.escape(f"{k}: {json.dumps(v, ensure_ascii=False)}")
        items.append(f"<b>{text}</b>" if k in set_here else f'<span class="dflt">{text}</span>')
    return "<br>".join(items)


def write_index(specs: Iterable, out_dir: str | os.PathLike = "reports", run_note: str | None = None) -> Path:
    """Write ``index.html`` listing every configured report with its last status, parameters and run time.

    Parameters
    ----------
    specs : the configured reports (:class:`crmlib.report.runner.ReportSpec`).
    out_dir : the folder of the reports.
    run_note : a line shown at the top (e.g. that the run was interrupted); ``None`` for none.

    Returns
    -------
    Path
        The index file.

    References
    ----------
    nbconvert HTML export, https://nbconvert.readthedocs.io/
    """
    out_dir = Path(out_dir)
    rows = []
    for spec in specs:
        good, failed = report_state(out_dir, spec.name)
        latest = failed if failed is not None and (good is None or failed["started"] >= good["started"]) else good
        if latest is not None:
            params = _params_html(latest.get("parameters") or {}, latest.get("overrides") or {})
        else:
            params = _params_html(spec.parameters, spec.parameters)
        if latest is failed and failed is not None:
            link = f'<a href="{html.escape(failed["html"])}">partial output</a>' if failed.get("html") else ""
            last_good = (
                f'<br>last good report: <a href="{html.escape(good["html"])}">{html.escape(good["started"])}</a>'
                if good
                else ""
            )
            error = (failed.get("error") or "").strip()
            summary = html.escape(error.splitlines()[-1] if error else "")
            kind = "interrupted" if failed.get("status") == "interrupted" else "failed"
            status = (
                f'<span class="failed">{kind}</span> {link}{last_good}'
                f"<details><summary>{summary}</summary><pre>{html.escape(error)}</pre></details>"
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
    note = f'<p class="note">{html.escape(run_note)}</p>' if run_note else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>crmlib reports</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border-bottom: 1px solid #ddd; padding: .5rem; text-align: left; vertical-align: top; }}
.num {{ text-align: right; }} .nb {{ color: #777; font-size: 85%; }} .ok {{ color: #2c7c5e; font-weight: bold; }}
.failed {{ color: #c0504d; font-weight: bold; }} .never {{ color: #777; }} pre {{ white-space: pre-wrap; font-size: 80%; }}
.dflt {{ color: #777; }} .note {{ border-left: 4px solid #c0504d; padding: .5rem 1rem; background: #fbeeee; }}
</style></head><body>
<h1>crmlib reports</h1>
{note}
<p>Notebooks executed with papermill and rendered with nbconvert. Parameters: those set in reports.yml
or on the command line in bold, the notebook's defaults in grey.
Index written {dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}.</p>
<table><thead><tr><th>Report</th><th>Parameters</th><th>Status</th><th>Run time</th><th>Run at (UTC)</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    index = out_dir / "index.html"
    atomic_write(index, page)
    return index
