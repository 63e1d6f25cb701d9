"""``reports/index.html``: the entry page of a report set, one card per report, grouped by theme.

Each card gives what a reader needs to choose a report: its title (linked to the last good page), its
question, whether its data are real or SIMULATED, its N and two or three headline numbers (key figures the
notebook recorded with :func:`crmlib.report.record`, named in the configuration), and its status; a failed
or interrupted run shows its error and links its partial page and the last good one. Parameters, run times
and the JSON of the key figures are kept below, out of the way.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .files import atomic_write

__all__ = ["write_index", "report_state", "figure_text"]

_OTHER_THEME = "Reports"
_DIMENSIONLESS = ("coefficient", "index", "r squared", "ratio", "rho")  # units a headline number does without


def report_state(out_dir: Path, name: str) -> tuple[dict | None, dict | None]:
    """(last good run, last failed or interrupted run) of a report, read from their JSON files."""

    def read(p: Path):
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    return read(out_dir / f"{name}.json"), read(out_dir / "_failed" / f"{name}.json")


def figure_text(figure: dict[str, Any]) -> str:
    """A recorded key figure as a reader reads it: ``"37.5%"``, ``"23,570 customers"``, ``"89,823 USD"``.

    Shares (unit ``"share"`` or ``"fraction"``) print as per cents with one decimal, whole numbers with
    thousands separators, other numbers with three significant digits (at least no decimals past the
    hundredths for amounts of 100 or more), text as it is; the unit follows unless it is ``"share"``,
    ``"fraction"`` or ``"percent"`` (then a ``%`` sign) or names a dimensionless number (a coefficient,
    an index, R squared, a ratio). A list or mapping is not a headline number and
    prints as its length ("5 values").

    Parameters
    ----------
    figure : a key figure as stored in a report's JSON (``value``, ``unit``, ``description``).

    References
    ----------
    APA (2020). *Publication Manual*, 7th ed., sec. 6.36 (decimals a reader needs).
    """
    value, unit = figure.get("value"), (figure.get("unit") or "").strip()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, dict)):
        return f"{len(value)} values"
    if isinstance(value, (int, float)):
        if unit in ("share", "fraction"):
            return f"{100 * value:.1f}%"
        if unit == "percent":
            return f"{value:.1f}%"
        if any(word in unit.lower() for word in _DIMENSIONLESS):
            unit = ""
        if float(value).is_integer():
            text = f"{int(value):,}"
            if abs(value) == 1 and unit.endswith("s") and " " not in unit:
                unit = unit[:-1]  # 1 day, 1 customer
        elif abs(value) >= 100:
            text = f"{value:,.0f}"
        else:
            text = f"{value:.3g}" if abs(value) >= 0.001 else f"{value:.1e}"
        return f"{text} {unit}" if unit else text
    return str(value)


def _params_html(params: dict[str, Any], overrides: Iterable[str]) -> str:
    if not params:
        return "&mdash;"
    set_here = set(overrides)
    items = []
    for k, v in params.items():
        text = html.escape(f"{k}: {json.dumps(v, ensure_ascii=False)}")
        items.append(f"<b>{text}</b>" if k in set_here else f'<span class="dflt">{text}</span>')
    return "<br>".join(items)


def _headline_html(spec, figures: dict[str, Any]) -> str:
    """The headline numbers of a card; a configured figure the last run did not record is named as such."""
    items, missing = [], []
    for name, label in spec.headline:
        if name in figures:
            items.append(f"<div><dt>{html.escape(label)}</dt><dd>{html.escape(figure_text(figures[name]))}</dd></div>")
        else:
            missing.append(name)
    out = f'<dl class="headline">{"".join(items)}</dl>' if items else ""
    if missing:
        out += f'<p class="missing">Key figures not recorded by the last run: {html.escape(", ".join(missing))}</p>'
    return out


def _card(spec, out_dir: Path) -> tuple[str, str]:
    """One report's card, and the row of the run log below the cards."""
    good, failed = report_state(out_dir, spec.name)
    latest = failed if failed is not None and (good is None or failed["started"] >= good["started"]) else good
    title = html.escape(spec.title)
    if good is not None:
        title = f'<a href="{html.escape(good["html"])}">{title}</a>'
    facts = []
    if spec.data:
        kind = "simulated" if spec.data == "SIMULATED" else "real"
        facts.append(f'<span class="data {kind}">{html.escape(spec.data)} data</span>')
    figures = (good or {}).get("figures") or {}
    if spec.n and spec.n in figures:
        facts.append(f"N = {html.escape(figure_text(figures[spec.n]))}")
    if latest is failed and failed is not None:
        kind = "interrupted" if failed.get("status") == "interrupted" else "failed"
        error = (failed.get("error") or "").strip()
        summary = html.escape(error.splitlines()[-1] if error else kind)
        links = f' &middot; <a href="{html.escape(failed["html"])}">partial output</a>' if failed.get("html") else ""
        if good:
            links += (
                f' &middot; <a href="{html.escape(good["html"])}">last good report</a> ({html.escape(good["started"])})'
            )
        facts.append(f'<span class="failed">{kind}</span>{links}')
        status = f'<details class="error"><summary>{summary}</summary><pre>{html.escape(error)}</pre></details>'
    elif good is not None:
        facts.append('<span class="ok">ok</span>')
        status = ""
    else:
        facts.append('<span class="never">not run yet</span>')
        status = ""
    question = f'<p class="question">{html.escape(spec.question)}</p>' if spec.question else ""
    description = f'<p class="description">{html.escape(spec.description)}</p>' if spec.description else ""
    card = (
        f'<article class="card" id="{html.escape(spec.name)}"><h3>{title}</h3>{question}{description}'
        f'<p class="facts">{" &middot; ".join(facts)}</p>'
        f"{_headline_html(spec, figures) if good is not None else ''}{status}</article>"
    )
    if latest is not None:
        params = _params_html(latest.get("parameters") or {}, latest.get("overrides") or {})
        duration, when = latest.get("duration_s"), latest.get("started", "")
    else:
        params, duration, when = _params_html(spec.parameters, spec.parameters), None, ""
    json_link = f' &middot; <a href="{html.escape(spec.name)}.json">key figures (JSON)</a>' if good is not None else ""
    row = (
        f"<tr><td>{html.escape(spec.name)}<div class='nb'>{html.escape(spec.notebook.name)}{json_link}</div></td>"
        f"<td><code>{params}</code></td>"
        f"<td class='num'>{'' if duration is None else f'{duration:.1f} s'}</td><td>{html.escape(when)}</td></tr>"
    )
    return card, row


def write_index(specs: Iterable, out_dir: str | os.PathLike = "reports", run_note: str | None = None) -> Path:
    """Write ``index.html``: the reports as cards grouped by theme, then a run log (parameters, run times).

    Parameters
    ----------
    specs : the configured reports (:class:`crmlib.report.runner.ReportSpec`), in the configuration's order;
        themes appear in the order of their first report, reports without a theme last under "Reports".
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
    themes: dict[str, list[str]] = {}
    rows = []
    specs = list(specs)
    for spec in specs:
        card, row = _card(spec, out_dir)
        themes.setdefault(spec.theme or _OTHER_THEME, []).append(card)
        rows.append(row)
    if _OTHER_THEME in themes and len(themes) > 1:
        themes[_OTHER_THEME] = themes.pop(_OTHER_THEME)
    nav = " &middot; ".join(f'<a href="#theme-{i}">{html.escape(theme)}</a>' for i, theme in enumerate(themes, start=1))
    sections = "\n".join(
        f'<section><h2 id="theme-{i}">{html.escape(theme)}</h2><div class="cards">{"".join(cards)}</div></section>'
        for i, (theme, cards) in enumerate(themes.items(), start=1)
    )
    note = f'<p class="note">{html.escape(run_note)}</p>' if run_note else ""
    from .. import __version__

    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>crmlib reports</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #222; line-height: 1.45; }}
h1 {{ margin-bottom: .2rem; }} h2 {{ margin-top: 2rem; border-bottom: 2px solid #cfd8e3; padding-bottom: .2rem; }}
.cards {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(21rem, 1fr)); gap: 1rem; }}
.card {{ border: 1px solid #d5dbe2; border-radius: 6px; padding: .8rem 1rem; background: #fff; }}
.card h3 {{ margin: 0 0 .4rem; font-size: 1.1rem; }} .card a {{ color: #0a5a91; }}
.question {{ margin: .2rem 0; }} .description {{ margin: .2rem 0; color: #555; font-size: 92%; }}
.facts {{ font-size: 90%; margin: .4rem 0; }}
.data {{ font-weight: bold; padding: 0 .35rem; border-radius: 3px; }}
.data.real {{ background: #e3f0fa; color: #0b4f7c; }} .data.simulated {{ background: #fde8dc; color: #8a3300; }}
.headline {{ display: flex; flex-wrap: wrap; gap: .4rem 1.4rem; margin: .5rem 0 0; }}
.headline dt {{ font-size: 80%; color: #555; }} .headline dd {{ margin: 0; font-size: 1.15rem; font-weight: 600; }}
.missing {{ font-size: 80%; color: #8a3300; }}
.ok {{ color: #00734d; font-weight: bold; }} .failed {{ color: #b23c00; font-weight: bold; }} .never {{ color: #777; }}
.error summary {{ cursor: pointer; color: #b23c00; }} pre {{ white-space: pre-wrap; font-size: 80%; }}
.note {{ border-left: 4px solid #D55E00; padding: .5rem 1rem; background: #fbeee6; }}
.runs {{ margin-top: 2.5rem; font-size: 85%; color: #444; }}
.runs table {{ border-collapse: collapse; width: 100%; }}
.runs th, .runs td {{ border-bottom: 1px solid #ddd; padding: .35rem; text-align: left; vertical-align: top; }}
.num {{ text-align: right; }} .nb {{ color: #777; }} .dflt {{ color: #777; }}
</style></head><body>
<h1>crmlib reports</h1>
<p>Customer-relationship analyses run on real and SIMULATED data, each a report with its question, data and main
results. Sections: {nav}.</p>
{note}
{sections}
<details class="runs"><summary>Runs: parameters, run times and key figures (JSON)</summary>
<p>Parameters set in the configuration or on the command line in bold, the notebooks' defaults in grey. Notebooks
executed with papermill and rendered with nbconvert by crmlib {html.escape(__version__)}; index written
{dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}.</p>
<table><thead><tr><th>Report</th><th>Parameters</th><th>Run time</th><th>Run at (UTC)</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></details>
</body></html>
"""
    index = out_dir / "index.html"
    atomic_write(index, page)
    return index
