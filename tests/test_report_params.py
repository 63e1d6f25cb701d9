"""Report parameters: papermill's conventions (-p NAME VALUE as YAML, -f params.yml), checked before any kernel.

Oracle: tiny notebooks whose parameters cell is known; the notebook prints the repr and type of what
it received, so the values that reached the kernel are compared with the YAML written.
"""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from crmlib.exceptions import DataError
from crmlib.report.cli import main
from crmlib.report.params import check_name, effective, notebook_parameters, parse_value, read_parameter_file
from crmlib.report.runner import ConfigError, check_parameters, load_config

PARAMS = """calibration_end = "1997-09-30"  # last day of the calibration period
n_boot = 200  # resamples
margin_share = 0.3
hide = False
grid = [1, 2]
mapping = {"a": 1}
segment = None  # anything goes
computed = 2 ** 3"""

BODY = "print('GOT', repr(calibration_end), type(calibration_end).__name__, repr(grid), repr(mapping), n_boot)"


def _nb(path, params, body):
    nb = new_notebook(
        cells=[new_code_cell(params, metadata={"tags": ["parameters"]}), new_code_cell(body)],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


@pytest.fixture()
def project(tmp_path):
    _nb(tmp_path / "notebooks" / "p.ipynb", PARAMS, BODY)
    (tmp_path / "reports").mkdir()
    return tmp_path


def _config(project, params: str) -> object:
    cfg = project / "reports" / "reports.yml"
    cfg.write_text(f"reports:\n  - name: p\n    notebook: notebooks/p.ipynb\n    parameters: {params}\n")
    return cfg


def test_notebook_parameters_read_defaults_types_and_help(project):
    declared = notebook_parameters(project / "notebooks" / "p.ipynb")
    assert list(declared) == [
        "calibration_end",
        "n_boot",
        "margin_share",
        "hide",
        "grid",
        "mapping",
        "segment",
        "computed",
    ]
    assert declared["calibration_end"]["default"] == "1997-09-30" and declared["calibration_end"]["type"] is str
    assert declared["n_boot"]["help"] == "resamples" and declared["n_boot"]["type"] is int
    assert declared["segment"]["type"] is None  # a None default takes any value
    assert declared["computed"] == {"default": "2 ** 3", "source": "2 ** 3", "literal": False, "type": None, "help": ""}


def test_unknown_name_names_the_close_matches(project):
    with pytest.raises(ConfigError, match=r"report 'p': unknown parameter 'n_bot' \(did you mean 'n_boot'\?\)"):
        check_parameters(load_config(_config(project, "{n_bot: 5}")))


def test_unknown_name_without_close_match_lists_the_known_ones(project):
    with pytest.raises(ConfigError, match=r"unknown parameter 'zzz'; known: \['calibration_end', "):
        check_parameters(load_config(_config(project, "{zzz: 5}")))


@pytest.mark.parametrize(
    "value, message",
    [
        ("'200'", r"'n_boot' must be an integer like its default 200, got '200' \(str\)"),
        ("2.5", r"'n_boot' must be an integer like its default 200, got 2.5 \(float\)"),
        ("true", r"'n_boot' must be an integer like its default 200, got True \(bool\)"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(project, value, message):
    with pytest.raises(ConfigError, match=message):
        check_parameters(load_config(_config(project, f"{{n_boot: {value}}}")))


def test_every_problem_is_listed_at_once(project):
    with pytest.raises(ConfigError) as err:
        check_parameters(load_config(_config(project, "{n_bot: 5, hide: 1, grid: {a: 1}}")))
    lines = str(err.value).splitlines()
    assert len(lines) == 3
    assert "'hide' must be true or false like its default False, got 1 (int)" in lines[1]
    assert "'grid' must be a list like its default [1, 2]" in lines[2]


def test_compatible_values_pass_and_defaults_are_recorded(project):
    [(used, given)] = check_parameters(
        load_config(_config(project, "{margin_share: 1, segment: [a, b], computed: x, n_boot: null}"))
    ).values()
    assert given == {"margin_share": 1, "segment": ["a", "b"], "computed": "x", "n_boot": None}
    assert used == {
        "calibration_end": "1997-09-30",
        "n_boot": None,
        "margin_share": 1,
        "hide": False,
        "grid": [1, 2],
        "mapping": {"a": 1},
        "segment": ["a", "b"],
        "computed": "x",
    }


@pytest.mark.parametrize("key", ["x = 1; import os; os.system('touch PWNED')", "1abc", "class", "a-b", "naïve x"])
def test_a_parameter_name_that_is_not_an_identifier_is_refused_before_anything_runs(project, key):
    cfg = _config(project, json.dumps({key: 1}))
    with pytest.raises(ConfigError, match="is not a Python identifier"):
        load_config(cfg)
    assert main(["report", "--config", str(cfg)]) == 2
    assert not (project / "notebooks" / "PWNED").exists() and not (project / "PWNED").exists()
    assert not (project / "reports" / "p.html").exists()


def test_yaml_values_are_made_plain():
    assert parse_value("1997-09-30", "x") == "1997-09-30"
    assert parse_value("1997-09-30 12:30:00", "x") == "1997-09-30T12:30:00"
    assert parse_value("[1, {a: 2001-02-03, 7: x}]", "x") == [1, {"a": "2001-02-03", "7": "x"}]
    assert parse_value("'007'", "x") == "007" and parse_value("007", "x") == 7 and parse_value("null", "x") is None
    with pytest.raises(DataError, match="-p x: .nan cannot be passed|x: nan cannot be passed"):
        parse_value(".nan", "x")
    with pytest.raises(DataError, match="a set .* cannot be passed to a notebook"):
        parse_value("!!set {a, b}", "x")
    with pytest.raises(DataError, match="value '\\[1, 2' is not valid YAML"):
        parse_value("[1, 2", "x")
    with pytest.raises(DataError, match="'-p': parameter name 'a b' is not a Python identifier"):
        check_name("a b", "'-p'")


def test_parameter_file_is_checked(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text("n_boot: 50\ncalibration_end: 1998-01-31\n")
    assert read_parameter_file(f) == {"n_boot": 50, "calibration_end": "1998-01-31"}
    f.write_text("- 1\n")
    with pytest.raises(DataError, match="must be a mapping of names to values"):
        read_parameter_file(f)
    with pytest.raises(DataError, match="cannot be read"):
        read_parameter_file(tmp_path / "missing.yml")


def test_effective_without_parameters_cell_says_so():
    _, problems = effective({}, {"a": 1}, "report 'r'")
    assert problems == ["report 'r': unknown parameter 'a'; the notebook has no cell tagged 'parameters'"]


def test_dates_lists_and_maps_reach_the_kernel_and_the_record_holds_every_parameter(project, capsys):
    """The unquoted YAML date that crashed the runner ("date is not JSON serializable") now runs."""
    cfg = _config(project, "{calibration_end: 1997-09-30, grid: [[1, 2], {start: 1998-01-01}]}")
    f = project / "over.yml"
    f.write_text("n_boot: 7\nmapping: {x: [1, 2]}\n")
    status = main(["report", "--config", str(cfg), "-f", str(f), "-p", "n_boot", "9", "-p", "hide", "true"])
    assert status == 0, capsys.readouterr()
    out = project / "reports"
    page = (out / "p.html").read_text()
    assert "GOT '1997-09-30' str [[1, 2], {'start': '1998-01-01'}] {'x': [1, 2]} 9" in page
    record = json.loads((out / "p.json").read_text())
    assert record["overrides"] == {
        "calibration_end": "1997-09-30",
        "grid": [[1, 2], {"start": "1998-01-01"}],
        "n_boot": 9,
        "mapping": {"x": [1, 2]},
        "hide": True,
    }
    assert record["parameters"] == {**record["overrides"], "margin_share": 0.3, "segment": None, "computed": "2 ** 3"}
    index = (out / "index.html").read_text()
    assert "<b>n_boot: 9</b>" in index and '<span class="dflt">margin_share: 0.3</span>' in index


def test_cli_overrides_are_checked_before_any_kernel(project, capsys):
    cfg = _config(project, "{}")
    assert main(["report", "--config", str(cfg), "-p", "n_boots", "3"]) == 2
    assert "unknown parameter 'n_boots' (did you mean 'n_boot'?)" in capsys.readouterr().err
    assert main(["report", "--config", str(cfg), "-p", "n_boot", "many"]) == 2
    assert "'n_boot' must be an integer like its default 200, got 'many' (str)" in capsys.readouterr().err
    assert not (project / "reports" / "_work").exists()  # nothing started


def test_the_project_report_set_passes_the_parameter_check():
    """Every parameter in reports/reports.yml is one its notebook declares, with the default's type."""
    from pathlib import Path

    specs = load_config(Path(__file__).resolve().parent.parent / "reports" / "reports.yml")
    checked = check_parameters(specs)
    assert set(checked) == {s.name for s in specs}


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("calibration_end", "0123", "0123"),  # YAML 1.1 alone: the octal 83
        ("calibration_end", "%d.%m.%Y", "%d.%m.%Y"),  # YAML alone: "while scanning a directive"
        ("calibration_end", "no", "no"),  # YAML alone: False
        ("calibration_end", ",", ","),
        ("calibration_end", "'1997-09-30'", "1997-09-30"),  # quotes, as the docs used to ask, are removed
        ("calibration_end", "null", None),
        ("n_boot", "0123", 123),
        ("n_boot", "1e3", None),  # not an integer: refused below by the type check
        ("margin_share", "1e-1", 0.1),
        ("hide", "yes", True),
        ("grid", "[1, [2, 3]]", [1, [2, 3]]),
        ("segment", "%d/%m", "%d/%m"),  # any type: YAML, or the text when it is not YAML
        ("segment", "{a: [1, 2]}", {"a": [1, 2]}),
    ],
)
def test_command_line_values_are_read_for_their_parameter_type(project, name, text, expected):
    """-p values (CommandLineText) are read once the parameter's type is known: text parameters keep the text."""
    from crmlib.report.params import CommandLineText

    declared = notebook_parameters(project / "notebooks" / "p.ipynb")
    used, problems = effective(declared, {name: CommandLineText(text)}, "report 'p'")
    if expected is None and name == "n_boot":
        assert problems == [
            "report 'p': parameter 'n_boot' must be an integer like its default 200, got 1000.0 (float)"
        ]
        return
    assert problems == []
    assert used[name] == expected and type(used[name]) is type(expected)


def test_command_line_text_reaches_the_kernel_as_typed(project, capsys):
    cfg = _config(project, "{}")
    assert main(["report", "--config", str(cfg), "-p", "calibration_end", "%d.%m.%Y", "-p", "n_boot", "010"]) == 0
    capsys.readouterr()
    page = (project / "reports" / "p.html").read_text()
    assert "GOT '%d.%m.%Y' str" in page and "{'a': 1} 10" in page
    record = json.loads((project / "reports" / "p.json").read_text())
    assert record["overrides"] == {"calibration_end": "%d.%m.%Y", "n_boot": 10}


def test_a_notebook_saved_without_a_kernel_is_read_and_run_as_python(tmp_path, capsys):
    """A notebook written by a script or an editor without kernel metadata: its parameters are read, -p reaches it."""
    path = _nb(tmp_path / "notebooks" / "k.ipynb", "n_boot = 200  # resamples", "print('GOT', n_boot + 1)")
    nb = nbformat.read(str(path), as_version=4)
    nb.metadata.pop("kernelspec")
    nb.metadata.pop("language_info", None)
    nbformat.write(nb, str(path))
    assert notebook_parameters(path)["n_boot"]["default"] == 200
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "reports.yml").write_text("reports:\n  - {name: k, notebook: notebooks/k.ipynb}\n")
    assert main(["report", "--config", str(tmp_path / "reports" / "reports.yml"), "-p", "n_boot", "41"]) == 0
    assert "GOT 42" in (tmp_path / "reports" / "k.html").read_text()
    # a notebook that is not a notebook is still a clear error naming it
    (tmp_path / "notebooks" / "bad.ipynb").write_text("not json")
    with pytest.raises(DataError, match=r"notebook '.*bad\.ipynb': its parameters cannot be read"):
        notebook_parameters(tmp_path / "notebooks" / "bad.ipynb")
