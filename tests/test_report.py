"""The report runner and the ``crmlib`` command line.

Oracle: tiny notebooks whose outputs are known (a parameter squared), a notebook that
raises, and malformed configurations, each checked for the exact message.
"""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from crmlib.report import record
from crmlib.report.cli import main
from crmlib.report.record import FIGURES_MIME, collect
from crmlib.report.runner import ConfigError, load_config, run_reports

REPO = Path(__file__).resolve().parent.parent


def _nb(path: Path, params: str, body: str) -> Path:
    nb = new_notebook(
        cells=[
            new_markdown_cell("# A tiny report"),
            new_code_cell(params, metadata={"tags": ["parameters"]}),
            new_code_cell(body),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


@pytest.fixture()
def project(tmp_path):
    """A miniature project: notebooks/ and reports/reports.yml."""
    _nb(
        tmp_path / "notebooks" / "square.ipynb",
        "x = 2",
        "from crmlib.report import record\nsquare = x * x\nrecord('square', square, unit='units')\nprint('SQUARE', square)",
    )
    _nb(
        tmp_path / "notebooks" / "broken.ipynb",
        "fail = True",
        "if fail:\n    raise ValueError('deliberate failure 42')\nprint('fine')",
    )
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "reports.yml").write_text(
        "reports:\n"
        "  - {name: sq3, notebook: notebooks/square.ipynb, title: Square of three, parameters: {x: 3}}\n"
        "  - {name: sq5, notebook: notebooks/square.ipynb, title: Square of five, parameters: {x: 5}, hide_code: true}\n"
        "  - {name: broken, notebook: notebooks/broken.ipynb, title: Broken}\n"
    )
    return tmp_path


def test_parameters_are_injected_and_figures_recorded(project):
    results = run_reports(project / "reports" / "reports.yml", ["sq3", "sq5"], jobs=2, progress=None)
    assert [r.status for r in results] == ["ok", "ok"]
    out = project / "reports"
    assert json.loads((out / "sq3.json").read_text())["figures"]["square"] == {
        "value": 9,
        "unit": "units",
        "description": None,
    }
    assert json.loads((out / "sq5.json").read_text())["figures"]["square"]["value"] == 25
    page3 = (out / "sq3.html").read_text()
    assert "SQUARE 9" in page3 and '<div class="highlight' in page3  # code shown
    page5 = (out / "sq5.html").read_text()
    assert "SQUARE 25" in page5 and '<div class="highlight' not in page5  # code hidden
    assert FIGURES_MIME not in page3  # records are not shown
    assert "<tr><td><code>x</code></td><td><code>3</code></td></tr>" in page3  # the parameters used, as a table
    index = (out / "index.html").read_text()
    assert 'href="sq3.html"' in index and 'href="sq5.html"' in index
    assert "not run yet" in index  # 'broken' was not asked for


def test_failure_is_isolated_and_never_replaces_a_good_report(project):
    cfg = project / "reports" / "reports.yml"
    out = project / "reports"
    # first a good run of 'broken' (fail=False) ...
    text = cfg.read_text().replace("title: Broken}", "title: Broken, parameters: {fail: false}}")
    cfg.write_text(text)
    assert run_reports(cfg, ["broken"], progress=None)[0].status == "ok"
    good_html = (out / "broken.html").read_text()
    assert "fine" in good_html
    # ... then a failing one
    cfg.write_text(text.replace("{fail: false}", "{fail: true}"))
    lines = []
    results = run_reports(cfg, jobs=2, progress=lines.append)
    status = {r.name: r.status for r in results}
    assert status == {"sq3": "ok", "sq5": "ok", "broken": "failed"}
    failed = next(r for r in results if r.name == "broken")
    assert "deliberate failure 42" in failed.error
    assert (out / "broken.html").read_text() == good_html  # last good report kept
    assert "deliberate failure 42" in (out / "_failed" / "broken.html").read_text()
    assert 'href="../index.html"' in (out / "_failed" / "broken.html").read_text()  # the index is one folder up
    index = (out / "index.html").read_text()
    assert "failed" in index and "deliberate failure 42" in index and 'href="broken.html"' in index
    assert any("failed" in line and "broken" in line for line in lines)
    assert lines[-1].startswith("2 ok, 1 failed")


def test_cli_exit_status_and_named_reports(project, capsys):
    cfg = str(project / "reports" / "reports.yml")
    assert main(["report", "--config", cfg, "sq3"]) == 0
    assert main(["report", "--config", cfg, "broken"]) == 1
    assert main(["report", "--config", cfg, "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "unknown report names ['nosuch']" in err
    assert main(["report", "--config", cfg, "--list"]) == 0
    assert "sq5" in capsys.readouterr().out


def test_console_script_is_installed():
    exe = Path(sys.executable).parent / "crmlib"
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip().startswith("crmlib ")


@pytest.mark.parametrize(
    "text, message",
    [
        ("reports: []\n", "'reports' must be a non-empty list"),
        ("report:\n  - {name: a}\n", "top level must be a mapping with a 'reports' list"),
        ("reports:\n  - {name: a}\n", "report #1: missing required key 'notebook'"),
        ("reports:\n  - {name: Bad Name, notebook: notebooks/square.ipynb}\n", "must match"),
        ("reports:\n  - {name: a, notebook: notebooks/nope.ipynb}\n", "report 'a': notebook .* not found"),
        ("reports:\n  - {name: a, notebook: notebooks/square.ipynb, colour: red}\n", r"unknown keys \['colour'\]"),
        (
            "reports:\n  - {name: a, notebook: notebooks/square.ipynb, parameters: [1, 2]}\n",
            "'parameters' must be a mapping",
        ),
        (
            "reports:\n  - {name: a, notebook: notebooks/square.ipynb}\n  - {name: a, notebook: notebooks/square.ipynb}\n",
            "used twice",
        ),
        ("reports:\n  - {name: a, notebook: notebooks/square.ipynb, timeout: -1}\n", "'timeout' must be a positive"),
        ("reports: [\n", "not valid YAML"),
        (
            "reports:\n  - {name: a, notebook: notebooks/square.ipynb, data: simulated}\n",
            r"'data' must be one of \['real', 'SIMULATED', 'real and SIMULATED'\], got 'simulated'",
        ),
        ("reports:\n  - {name: a, notebook: notebooks/square.ipynb, theme: [1]}\n", r"'theme' must be text, got \[1\]"),
        ("reports:\n  - {name: a, notebook: notebooks/square.ipynb, headline: x}\n", "'headline' must map key figure"),
        (
            "reports:\n  - {name: a, notebook: notebooks/square.ipynb, headline: {a: A, b: B, c: C, d: D}}\n",
            "'headline' names 4 key figures; at most 3",
        ),
        ("reports:\n  - {name: a, notebook: notebooks/square.ipynb, headline: {a: 1}}\n", "must be a key figure name"),
        (
            "reports:\n  - {name: a, notebook: notebooks/square.ipynb, language: zh}\n",
            r"'language' must be one of \['en', 'zh-Hant', 'ko'\], got 'zh'",
        ),
        ("reports:\n  - {name: a, notebook: notebooks/square.ipynb, n: 5}\n", "'n' must name the key figure"),
    ],
)
def test_bad_config_is_rejected_with_a_clear_message(project, text, message):
    cfg = project / "reports" / "bad.yml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(cfg)


def test_record_refuses_non_finite_and_collects():
    with pytest.raises(ValueError, match="not finite"):
        record("bad", float("nan"))
    assert record("ok", 3) is None
    from crmlib.report.record import RECORDED

    assert RECORDED["ok"]["value"] == 3
    nb = new_notebook(cells=[new_code_cell("")])
    nb.cells[0].outputs = [
        nbformat.v4.new_output("display_data", data={FIGURES_MIME: {"name": "n", "value": 1, "unit": "u"}})
    ]
    assert collect(nb) == {"n": {"value": 1, "unit": "u", "description": None}}


def test_project_config_is_valid_and_every_notebook_has_a_parameters_cell():
    specs = load_config(REPO / "reports" / "reports.yml")
    assert specs, "the report set is empty"
    for spec in specs:  # the index card of every report has its theme, question and kind of data
        assert spec.theme and spec.question and spec.data and spec.headline, spec.name
    titles = [s.title for s in specs]
    assert len(set(titles)) == len(titles), "two reports share a title"
    for spec in specs:
        nb = nbformat.read(str(spec.notebook), as_version=4)
        first_code = next(c for c in nb.cells if c.cell_type == "code")
        assert "parameters" in first_code.metadata.get("tags", []), spec.notebook
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{spec.notebook} has outputs"


def _executed(cells):
    """A notebook as papermill leaves it (outputs in place), for rendering without a kernel."""
    from nbformat.v4 import new_output

    nb = new_notebook(
        cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("print"):
            cell.outputs = [new_output("stream", name="stdout", text="SQUARE 9\n")]
    return nb


def test_report_page_has_a_readers_header_and_folds_the_code():
    """The crmlib template: title as the one top heading, back link, run date, version, parameters, contents."""
    import re

    from crmlib import __version__
    from crmlib.report.worker import render_html

    nb = _executed(
        [
            new_markdown_cell("# A tiny report\n\nWhat it does."),
            new_code_cell("x = 2", metadata={"tags": ["parameters"]}),
            new_code_cell("x = 3", metadata={"tags": ["injected-parameters"]}),
            new_markdown_cell("## 1. First section\n\n```\n## not a heading\n```\n### 1.1 Detail"),
            new_code_cell("print('SQUARE', x * x)"),
            new_markdown_cell("## 2. Second & last"),
        ]
    )
    args = dict(parameters={"x": 3, "y": "a"}, overrides={"x": 3}, notebook="notebooks/square.ipynb")
    page = render_html(nb, "Square of three", False, **args)
    assert "<title>Square of three</title>" in page
    assert re.findall(r"<h1[ >]", page) == ["<h1 "] and ">Square of three</h1>" in page
    assert "A tiny report" not in page and "What it does." in page  # the report's title replaces the notebook's
    assert '<a class="crmlib-index-link" href="index.html">← All reports</a>' in page
    assert f"crmlib {__version__}" in page and re.search(r"Run \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", page)
    assert "<tr><td><code>x</code></td><td><code>3</code></td></tr>" in page  # set in the configuration
    assert '<tr class="crmlib-default"><td><code>y</code></td><td><code>"a"</code> (default)</td></tr>' in page
    assert "<summary>1 parameter at the notebook's defaults</summary>" in page  # folded: the set ones first
    assert page.count("jp-Cell jp-CodeCell") == 2  # papermill's injected cell left out; the table has its value
    assert '<li class="crmlib-toc-2"><a href="#1.-First-section">1. First section</a></li>' in page
    assert '<li class="crmlib-toc-3"><a href="#1.1-Detail">1.1 Detail</a></li>' in page
    assert '<a href="#2.-Second-&amp;-last">2. Second &amp; last</a>' in page
    assert 'id="1.-First-section"' in page and 'href="#not-a-heading"' not in page
    assert '<input aria-controls="crmlib-report" id="crmlib-show-code" type="checkbox"/>' in page
    assert "Show code" in page and "SQUARE 9" in page
    assert ".jp-CodeCell .jp-Cell-inputWrapper { display: none; }" in page  # code folded by default
    hidden = render_html(nb, "Square of three", True, **args)
    assert 'id="crmlib-show-code"' not in hidden and '<div class="highlight' not in hidden and "SQUARE 9" in hidden
    failed = render_html(nb, "Square of three", False, index_href="../index.html", status="failed")
    assert 'href="../index.html"' in failed and "<strong>failed</strong>" in failed
    assert "crmlib-parameters" not in failed  # no parameters given, no table


def test_report_page_frame_speaks_the_reports_language():
    """A report in Traditional Chinese (or Korean) gets its page frame in that language, every word of it."""
    from crmlib.exceptions import DataError
    from crmlib.report.words import PAGE_LANGUAGES, page_words
    from crmlib.report.worker import render_html

    english = page_words("en")
    for language in PAGE_LANGUAGES:  # the same keys and fields in every language
        words = page_words(language)
        assert words.keys() == english.keys(), language
        assert "{n}" in words["defaults_many"] and "{n}" not in words["defaults_one"], language
    nb = _executed([new_markdown_cell("## 1. 第一節"), new_code_cell("print('SQUARE', 3 * 3)")])
    args = dict(parameters={"x": 3, "y": "a", "z": 1}, overrides={"x": 3}, notebook="notebooks/square.ipynb")
    page = render_html(nb, "三的平方", False, language="zh-Hant", **args)
    assert '<a class="crmlib-index-link" href="index.html">← 全部報告</a>' in page
    assert "顯示程式碼" in page and "隱藏程式碼" in page and "<th>參數</th><th>值</th>" in page
    assert "<summary>2 個參數採用筆記本的預設值</summary>" in page and "（預設值）" in page
    assert 'aria-label="目錄" class="crmlib-toc"><p>目錄</p>' in page and ">全部報告</a></footer>" in page
    assert '<html lang="zh-Hant">' in page
    frame = page[page.index('<header class="crmlib-header"') : page.index("</header>")]
    frame += page[page.index('<footer class="crmlib-footer"') : page.index("</footer>")]
    for word in ("All reports", "Show code", "Parameter", "Contents", "(default)", "all reports", "Run "):
        assert word not in frame, word
    failed = render_html(nb, "세 제곱", False, index_href="../index.html", status="failed", language="ko")
    assert "<strong>실패</strong>" in failed and "← 모든 보고서" in failed and "목차" in failed
    with pytest.raises(DataError, match=r"language 'fr': a report page can be in \['en', 'zh-Hant', 'ko'\]"):
        render_html(nb, "Carré", False, language="fr")


def test_index_groups_cards_by_theme_with_question_data_n_headline_and_status(project):
    """Oracle: hand-written JSON records of three reports (ok, failed after a good run, never run)."""
    cfg = project / "reports" / "reports.yml"
    cfg.write_text(
        "reports:\n"
        "  - {name: sq3, notebook: notebooks/square.ipynb, title: Square of three, theme: Squares,\n"
        "     question: 'What is three squared?', data: real, n: people,\n"
        "     headline: {square: The square, share: Share kept, gone: Not recorded}}\n"
        "  - {name: broken, notebook: notebooks/broken.ipynb, title: Broken, theme: Demos, data: SIMULATED}\n"
        "  - {name: sq5, notebook: notebooks/square.ipynb, title: Square of five, theme: Squares}\n"
        "  - {name: plain, notebook: notebooks/square.ipynb}\n"
    )
    specs = load_config(cfg)
    assert specs[0].headline == (("square", "The square"), ("share", "Share kept"), ("gone", "Not recorded"))
    out = project / "reports"
    (out / "_failed").mkdir()
    figures = {
        "square": {"value": 9, "unit": "units", "description": None},
        "share": {"value": 0.0676, "unit": "share", "description": None},
        "people": {"value": 23570, "unit": "customers", "description": None},
    }
    good = {"html": "sq3.html", "started": "2026-12-03T10:00:00+00:00", "duration_s": 1.5, "figures": figures}
    (out / "sq3.json").write_text(json.dumps({**good, "parameters": {"x": 3}, "overrides": {"x": 3}}))
    (out / "broken.json").write_text(json.dumps({**good, "html": "broken.html", "figures": {}}))
    error = "Traceback ...\nValueError: deliberate failure 42"
    failed = {"status": "failed", "error": error, "started": "2026-12-03T11:00:00+00:00", "duration_s": 2.0}
    (out / "_failed" / "broken.json").write_text(json.dumps({**failed, "html": "_failed/broken.html"}))
    from crmlib.report.index import figure_text, write_index

    page = write_index(specs, out).read_text()
    themes = [page.index(f'">{t}</h2>') for t in ("Squares", "Demos", "Reports")]
    assert themes == sorted(themes)  # in the order of first appearance, reports without a theme last
    assert page.index("Square of five") < page.index("Demos</h2>")  # grouped, not in configuration order
    card = page[page.index('<article class="card" id="sq3">') :].split("</article>")[0]
    assert '<h3><a href="sq3.html">Square of three</a></h3><p class="question">What is three squared?</p>' in card
    assert (
        '<span class="data real">real data</span> &middot; N = 23,570 customers &middot; <span class="ok">ok</span>'
        in card
    )
    assert "<div><dt>The square</dt><dd>9 units</dd></div><div><dt>Share kept</dt><dd>6.8%</dd></div>" in card
    assert "Key figures not recorded by the last run: gone" in card
    broken = page[page.index('<article class="card" id="broken">') :].split("</article>")[0]
    assert '<span class="data simulated">SIMULATED data</span>' in broken
    assert '<span class="failed">failed</span> &middot; <a href="_failed/broken.html">partial output</a>' in broken
    assert '<a href="broken.html">last good report</a>' in broken
    assert "<summary>ValueError: deliberate failure 42</summary><pre>Traceback ...\nValueError" in broken
    assert '<span class="never">not run yet</span>' in page and 'id="plain"' in page
    cases = [(89822.77, "USD"), (1.0, "days"), (0.3421, None), (0.4973, "standardised coefficient"), (72.47, "index")]
    assert [figure_text({"value": v, "unit": u}) for v, u in cases] == ["89,823 USD", "1 day", "0.342", "0.497", "72.5"]
    assert figure_text({"value": 22.29, "unit": "percent"}) == "22.3%" and figure_text({"value": "BG/NBD"}) == "BG/NBD"
