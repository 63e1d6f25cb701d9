"""Path models as YAML files: the bundled files reproduce the former Python presets exactly, and every fault of a
model file is named (unknown item, construct without items, cycle, misspelt construct, mode or key)."""

from __future__ import annotations

import numpy as np
import pytest

from crmlib.datasets import load_corp_rep, load_mobi
from crmlib.exceptions import DataError
from crmlib.survey import cbsem
from crmlib.survey.pathmodel import as_path_model, bundled_models, path_model, read_model
from crmlib.survey.pls import pls_path_model

# The presets that lived in crmlib/survey/pls.py until the models became files (the oracle of the files).
ECSI_PRESET = (
    {
        "IMAG": ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"],
        "CUEX": ["CUEX1", "CUEX2", "CUEX3"],
        "PERQ": ["PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7"],
        "PERV": ["PERV1", "PERV2"],
        "CUSA": ["CUSA1", "CUSA2", "CUSA3"],
        "CUSCO": ["CUSCO"],
        "CUSL": ["CUSL1", "CUSL2", "CUSL3"],
    },
    [("IMAG", "CUEX"), ("IMAG", "CUSA"), ("IMAG", "CUSL"), ("CUEX", "PERQ"), ("CUEX", "PERV"), ("CUEX", "CUSA"),
     ("PERQ", "PERV"), ("PERQ", "CUSA"), ("PERV", "CUSA"), ("CUSA", "CUSCO"), ("CUSA", "CUSL"), ("CUSCO", "CUSL")],
)  # fmt: skip
REPUTATION_PRESET = (
    {
        "COMP": ["comp_1", "comp_2", "comp_3"],
        "LIKE": ["like_1", "like_2", "like_3"],
        "CUSA": ["cusa"],
        "CUSL": ["cusl_1", "cusl_2", "cusl_3"],
    },
    [("COMP", "CUSA"), ("COMP", "CUSL"), ("LIKE", "CUSA"), ("LIKE", "CUSL"), ("CUSA", "CUSL")],
)


def _paths(res):
    return res.paths.set_index(["from", "to"])["estimate"]


@pytest.mark.parametrize(
    ("name", "preset", "loader"), [("ecsi", ECSI_PRESET, load_mobi), ("reputation", REPUTATION_PRESET, load_corp_rep)]
)
def test_bundled_yaml_model_gives_the_preset_pls_paths(name, preset, loader):
    data = loader().data
    model = read_model(name)
    assert model.measurement == preset[0] and model.structure == preset[1]
    from_file = pls_path_model(data, model)
    from_preset = pls_path_model(data, *preset)
    assert np.abs(_paths(from_file) - _paths(from_preset)).max() <= 1e-10
    assert np.abs(from_file.r2 - from_preset.r2).max() <= 1e-10
    by_name = pls_path_model(data, name)  # a bundled name or a file path works as well
    assert np.abs(_paths(by_name) - _paths(from_preset)).max() <= 1e-10


def test_model_file_round_trip_and_path_lines(tmp_path):
    for name in bundled_models():
        model = read_model(name)
        p = tmp_path / f"{name}.yaml"
        p.write_text(model.to_yaml(), encoding="utf-8")
        again = read_model(p)
        assert (again.measurement, again.structure, again.modes, again.labels, again.roles) == (
            model.measurement,
            model.structure,
            model.modes,
            model.labels,
            model.roles,
        )
    assert {"ecsi", "reputation", "reputation_extended"} <= set(bundled_models())
    ext = read_model("reputation_extended")
    assert [c for c, m in ext.modes.items() if m == "B"] == ["QUAL", "PERF", "CSOR", "ATTR"]
    assert ext.predecessors("CUSL") == ["COMP", "LIKE", "CUSA"] and ext.role("loyalty") == "CUSL"


def _write(tmp_path, text):
    p = tmp_path / "m.yml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD = """constructs:
  SAT: {items: [s1, s2], mode: A}
  LOY: [l1, l2]
paths:
  - SAT -> LOY
"""


def test_inputchecks_model_file_faults_are_named(tmp_path):
    assert read_model(_write(tmp_path, GOOD)).structure == [("SAT", "LOY")]
    cases = {
        GOOD.replace("LOY: [l1, l2]", "LOY: []"): r"construct 'LOY' has no items",
        GOOD.replace("LOY: [l1, l2]", "LOY: {mode: A}"): r"construct 'LOY' has no items",
        GOOD.replace("SAT -> LOY", "SAT -> LOI"): r"construct 'LOI' in path 'SAT' -> 'LOI' .*did you mean 'LOY'",
        GOOD + "  - LOY -> SAT\n": r"cycle SAT -> LOY -> SAT",
        GOOD.replace("mode: A", "mode: b"): r"construct 'SAT' has mode 'b' \(did you mean 'B'\?\)",
        GOOD.replace("mode: A", "mode: reflective"): r"mode 'reflective' \(did you mean 'A'\?\)",
        GOOD.replace("paths:", "pathes:"): r"unknown key 'pathes' \(did you mean 'paths'\?\)",
        GOOD.replace("items: [s1", "itmes: [s1"): r"construct 'SAT' has an unknown key 'itmes' \(did you mean 'items'",
        GOOD.replace("SAT -> LOY", "SAT => LOY"): r"path 1 must read 'FROM -> TO'",
        GOOD.replace("[l1, l2]", "[l1, s1]"): r"item 's1' is in constructs 'SAT' and 'LOY'",
        GOOD.replace("[l1, l2]", "[l1, no]"): r"item False of construct 'LOY' is not a name .*quote it",
        "constructs: [a, b]\npaths: []\n": r"'constructs' must map each construct to its items",
        "constructs: {A: [a]\n": r"not valid YAML",
    }
    for text, words in cases.items():
        with pytest.raises(DataError, match=words):
            read_model(_write(tmp_path, text))


def test_inputchecks_unknown_item_names_construct_and_close_match():
    with pytest.raises(DataError, match=r"item 'IMAG9' of construct 'IMAG' is not a column of the data"):
        pls_path_model(load_mobi().data, {"IMAG": ["IMAG1", "IMAG9"], "CUSA": ["CUSA1"]}, [("IMAG", "CUSA")])
    model = path_model({"IMAG": ["IMAG_1", "IMAG2"], "CUSA": ["CUSA1"]}, [("IMAG", "CUSA")])
    with pytest.raises(DataError, match=r"item 'IMAG_1' of construct 'IMAG' .*did you mean 'IMAG1'"):
        pls_path_model(load_mobi().data, model)


def test_inputchecks_misspelt_construct_in_modes():
    # issue 14: pls_path_model(..., modes={"IMGA": "B"}) ignored the typo and estimated IMAG in mode A
    with pytest.raises(DataError, match=r"modes: 'IMGA' is not a construct of the model \(did you mean 'IMAG'\?\)"):
        pls_path_model(load_mobi().data, "ecsi", modes={"IMGA": "B"})
    with pytest.raises(DataError, match=r"modes: construct 'IMAG' has mode 'formative' \(did you mean 'B'\?\)"):
        as_path_model("ecsi", modes={"IMAG": "formative"})
    assert as_path_model("ecsi", modes={"IMAG": "B"}).modes["IMAG"] == "B"


def test_inputchecks_model_name_and_arguments():
    with pytest.raises(DataError, match=r"model must be a bundled model .* got 'ecsii' \(did you mean 'ecsi'\?\)"):
        read_model("ecsii")
    with pytest.raises(FileNotFoundError, match="nope.yml"):
        read_model("models/nope.yml")
    with pytest.raises(DataError, match="the model already holds its paths"):
        as_path_model("ecsi", [("IMAG", "CUSA")])
    with pytest.raises(DataError, match="a measurement mapping needs the paths"):
        as_path_model({"A": ["a"]})
    with pytest.raises(DataError, match=r"no construct has the role 'value'"):
        read_model("ecsi").role("value")


def test_inputchecks_cbsem_refuses_formative_constructs():
    with pytest.raises(DataError, match=r"constructs \['QUAL', 'PERF', 'CSOR', 'ATTR'\] are formative"):
        cbsem.cb_sem(load_corp_rep().data, "reputation_extended")
