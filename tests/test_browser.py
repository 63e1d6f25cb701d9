"""The rendered report set, checked in a real browser (headless Debian Chromium via chromedriver).

A session fixture renders the project's whole report set (reports/reports.yml) into a temporary
folder with the real runner, then the browser opens index.html, follows every link to another page, and
asserts that each report loads, every figure decodes (natural width > 0), no error output is shown, no
code cell is visible until the "Show code" switch is turned on (then the code shows), the page has a
table of contents and a link back to the index, and no table shows pandas' bare 0..n-1 row numbers.
A deliberately broken report must make the same check fail. The set is rendered a second time
to check that the same parameters give the same key figures (the CLV report, whose bootstrap dominates the
time, twice more with fewer draws).
"""

import importlib.util
import json
import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from crmlib.report.runner import run_reports

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# One skip for the whole module where the browser is missing (make test on a machine without it), with the
# command that installs it; .ci/run sets CRMLIB_REQUIRE_BROWSER=1, and there a missing browser is a failure.
_missing = [
    what
    for what, found in (
        ("chromium", CHROMIUM),
        ("chromedriver", CHROMEDRIVER),
        ("selenium", importlib.util.find_spec("selenium")),
    )
    if not found
]
if _missing:
    _message = (
        f"browser check not run: {', '.join(_missing)} missing; install with "
        "`sudo apt-get install chromium chromium-driver` and `pip install -e '.[test]'` (or run .ci/run)"
    )
    if os.environ.get("CRMLIB_REQUIRE_BROWSER") != "1":
        pytest.skip(_message, allow_module_level=True)


@pytest.fixture(scope="module", autouse=True)
def _browser_required():
    """Where CRMLIB_REQUIRE_BROWSER=1 (CI) and the browser is missing, every test here fails, none is skipped."""
    if _missing:
        pytest.fail(_message + " [CRMLIB_REQUIRE_BROWSER=1: the browser check is required here]", pytrace=False)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path_factory.mktemp('chrome-profile')}",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


READER_CHECKS = r"""
const imgs = Array.from(document.images);
const err = Array.from(document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]'))
    .filter(e => e.innerText.includes('Traceback') || e.innerText.includes('Error'));
const visible = e => e.offsetParent !== null && e.getBoundingClientRect().height > 0;
const inputs = () => Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea'));
const visibleCode = inputs().filter(visible).length;
let shown = true;
const toggle = document.getElementById('crmlib-show-code');
if (toggle) { toggle.click(); shown = inputs().some(visible); toggle.click(); }
// a bare row index: an unlabelled first column of header cells reading 0, 1, ..., n-1 (a labelled one, such
// as "Period", is data)
const bare = Array.from(document.querySelectorAll('.jp-OutputArea table')).filter(t => {
    const rows = Array.from(t.querySelectorAll('tbody tr'));
    const head = t.querySelector('thead tr:last-child');
    const corner = head && head.firstElementChild ? head.firstElementChild.innerText.trim() : '';
    if (rows.length < 2 || corner !== '') return false;
    return rows.every((r, i) => r.firstElementChild && r.firstElementChild.tagName === 'TH'
                       && r.firstElementChild.innerText.trim() === String(i));
}).map(t => {
    const c = t.closest('.crmlib-table');
    const p = c ? c.querySelector('.crmlib-caption') : null;
    return (p ? p.innerText : t.innerText).slice(0, 80);
});
return {title: document.title, cells: document.querySelectorAll('.jp-Cell').length,
        imgs: imgs.length, broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 60)),
        errors: err.map(e => e.innerText.slice(0, 300)),
        code: inputs().length, visible_code: visibleCode, shown_after_switch: shown,
        toc: document.querySelectorAll('nav.crmlib-toc a[href^="#"]').length,
        index_link: Array.from(document.querySelectorAll('a[href]'))
            .some(a => /(^|\/)index\.html$/.test(a.getAttribute('href'))),
        bare_tables: bare};"""


def check_report_set(driver, index: Path) -> list[str]:
    """Open ``index``, follow every link, return the problems found (empty when all is well)."""
    problems: list[str] = []
    driver.get(index.as_uri())
    links = driver.execute_script(
        "return Array.from(document.querySelectorAll('a[href]')).map(a => a.href).filter(h => !h.includes('#'))"
    )
    if not links:
        return [f"{index}: no links"]
    for url in dict.fromkeys(links):
        driver.get(url)
        name = url.rsplit("/", 1)[-1]
        if url.endswith(".json"):
            try:
                json.loads(driver.execute_script("return document.body.innerText"))
            except ValueError:
                problems.append(f"{name}: not valid JSON")
            continue
        for _ in range(40):  # a big page on a busy machine: wait until it has fully loaded
            if driver.execute_script(
                "return document.readyState === 'complete' && document.querySelectorAll('.jp-Cell').length > 0"
            ):
                break
            time.sleep(0.25)
        state = driver.execute_script(READER_CHECKS)
        if state["cells"] == 0:
            problems.append(f"{name}: no notebook cells rendered")
        if state["broken"]:
            problems.append(f"{name}: {len(state['broken'])} figure(s) do not decode")
        if state["errors"]:
            problems.append(f"{name}: error output shown: {state['errors'][0]}")
        if "/_failed/" in url:
            problems.append(f"{name}: links to a failed report")
        if state["visible_code"]:
            problems.append(f"{name}: {state['visible_code']} code cell(s) visible before 'Show code'")
        if state["code"] and not state["shown_after_switch"]:
            problems.append(f"{name}: the 'Show code' switch does not show the code")
        if state["toc"] == 0:
            problems.append(f"{name}: no table of contents")
        if not state["index_link"]:
            problems.append(f"{name}: no link back to the index")
        for caption in state["bare_tables"]:
            problems.append(f"{name}: table with bare 0..n-1 row numbers: {caption!r}")
    return problems


@pytest.fixture(scope="module")
def rendered_project(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    results = run_reports(REPO / "reports" / "reports.yml", jobs=2, out_dir=out, progress=None)
    return out, results


def test_every_report_renders_and_passes_the_browser_check(rendered_project, browser):
    out, results = rendered_project
    failed = {r.name: (r.error or "").strip().splitlines()[-1:] for r in results if r.status != "ok"}
    assert not failed, f"reports failed: {failed}"
    problems = check_report_set(browser, out / "index.html")
    assert problems == []
    # every configured report is linked from the index and has an HTML page with at least one figure or table
    index = (out / "index.html").read_text()
    for r in results:
        assert f'href="{r.name}.html"' in index


# Reports whose second rendering would double the check's time (the CLV report's 1,000-draw bootstrap takes
# minutes of CPU, the horizon intervals 200 draws more): they are rendered twice more with fewer draws, the same
# parameters both times.
REPEATED_WITH = {"clv_cdnow": {"n_boot": 100, "n_boot_horizon": 50}}


def _figures(folder: Path, name: str) -> dict:
    """The key figures a report recorded, without run times (unit "s": they measure the machine, not the data)."""
    figures = json.loads((folder / f"{name}.json").read_text())["figures"]
    return {k: v for k, v in figures.items() if v.get("unit") != "s"}


def _assert_same_figures(name: str, first: dict, second: dict) -> None:
    assert first, f"{name} records no key figures"
    assert second.keys() == first.keys(), name
    for key, fig in first.items():
        a, b = fig["value"], second[key]["value"]
        if isinstance(a, float) and isinstance(b, float):
            # equal up to the last bits a threaded BLAS may change; an unseeded draw moves far more
            assert b == pytest.approx(a, rel=1e-9, abs=1e-12), (name, key, a, b)
        else:
            assert b == a, (name, key)


def test_the_same_parameters_give_the_same_numbers(rendered_project, tmp_path):
    """Rendering the set again gives every recorded key figure again (all draws are seeded)."""
    out, results = rendered_project
    config = REPO / "reports" / "reports.yml"
    names = [r.name for r in results if r.name not in REPEATED_WITH]
    again = run_reports(config, names, jobs=2, out_dir=tmp_path / "again", progress=None)
    assert [r.status for r in again] == ["ok"] * len(names)
    for name in names:
        _assert_same_figures(name, _figures(out, name), _figures(tmp_path / "again", name))
    for name, parameters in REPEATED_WITH.items():
        runs = [
            run_reports(config, [name], out_dir=tmp_path / f"{name}-{i}", parameters=parameters, progress=None)
            for i in (1, 2)
        ]
        assert [r.status for [r] in runs] == ["ok", "ok"], name
        first, second = (_figures(tmp_path / f"{name}-{i}", name) for i in (1, 2))
        _assert_same_figures(name, first, second)


def test_a_broken_report_fails_the_browser_check(tmp_path, browser):
    nb = new_notebook(
        cells=[
            new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            new_code_cell("import matplotlib.pyplot as plt\nplt.plot([1, 2], [3, 4]); plt.show()"),
            new_code_cell("import pandas as pd\npd.DataFrame({'a': [1, 2, 3]})"),  # pandas' own table: row numbers
            new_code_cell("raise RuntimeError('deliberately broken report')"),
        ],
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}},
    )
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nb, str(tmp_path / "notebooks" / "bad.ipynb"))
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "reports.yml").write_text("reports:\n  - {name: bad, notebook: notebooks/bad.ipynb}\n")
    [res] = run_reports(tmp_path / "reports" / "reports.yml", progress=None)
    assert res.status == "failed"
    problems = check_report_set(browser, tmp_path / "reports" / "index.html")
    assert any("deliberately broken report" in p for p in problems), problems
    assert any("links to a failed report" in p for p in problems), problems
    assert "bad.html: no table of contents" in problems, problems
    assert any("table with bare 0..n-1 row numbers" in p for p in problems), problems
