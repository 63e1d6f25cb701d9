"""One survey intake: SPSS (.sav, .zsav) with value labels and user-missing -99, Stata (.dta), CSV in Windows
encodings and Excel all give exactly the intake of the bundled corp_rep frame; codebooks derived from metadata."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib.datasets import data_dir, load_codebook
from crmlib.exceptions import DataError
from crmlib.survey import codebook_from_metadata, read_codebook, read_survey

pyreadstat = pytest.importorskip("pyreadstat")  # a runtime dependency; the skip only guards a broken install


@pytest.fixture(scope="module")
def bundled():
    raw = pd.read_csv(data_dir() / "corp_rep_data.csv")  # integers, -99 = missing answer
    cb = load_codebook(data_dir() / "corp_rep_codebook.csv")
    return raw, cb, read_survey("corp_rep")


def _write_sav(raw, cb, path, compress=False):
    labels = {r.item: {r.scale_min: "lowest", r.scale_max: "highest"} for r in cb.itertuples()}
    pyreadstat.write_sav(
        raw,
        path,
        column_labels=dict(zip(cb["item"], cb["wording"])),
        variable_value_labels=labels,
        missing_ranges={i: [-99] for i in cb["item"]},
        compress=compress,
    )


@pytest.mark.parametrize("suffix", [".sav", ".zsav"])
def test_spss_file_with_value_labels_and_user_missing_gives_the_bundled_intake(bundled, tmp_path, suffix):
    raw, cb, ref = bundled
    path = tmp_path / f"corp_rep{suffix}"
    _write_sav(raw, cb, path, compress=suffix == ".zsav")
    derived = read_survey(path)  # codebook derived from the file's metadata
    pd.testing.assert_frame_equal(derived.data, ref.data, check_names=False)
    items = derived.codebook.items.set_index("item")
    expected = cb.set_index("item")
    assert items["scale_min"].tolist() == expected["scale_min"].tolist()
    assert items["scale_max"].tolist() == expected["scale_max"].tolist()
    assert set(items["missing_codes"]) == {"-99"}
    assert items.loc["cusa", "wording"] == expected.loc["cusa", "wording"]
    assert derived.codebook.value_labels["comp_1"] == {1: "lowest", 7: "highest"}
    assert items.loc["comp_1", "construct"] == "comp" and items.attrs["observed_scale"] == []
    assert int(derived.data.isna().sum().sum()) == 11  # the -99 answers of the CSV
    with_codebook = read_survey(path, data_dir() / "corp_rep_codebook.csv")
    pd.testing.assert_frame_equal(with_codebook.data, ref.data, check_names=False)


def test_stata_file_gives_the_bundled_intake(bundled, tmp_path):
    raw, cb, ref = bundled
    path = tmp_path / "corp_rep.dta"
    labels = {r.item: {r.scale_min: "lowest", r.scale_max: "highest"} for r in cb.itertuples()}
    stata_labels = dict(zip(cb["item"], cb["wording"].str[:80]))  # Stata variable labels hold 80 characters
    pyreadstat.write_dta(raw, path, column_labels=stata_labels, variable_value_labels=labels)
    got = read_survey(path, data_dir() / "corp_rep_codebook.csv")  # Stata has no user-missing numbers: -99 coded
    pd.testing.assert_frame_equal(got.data, ref.data, check_names=False)
    derived = codebook_from_metadata(path)
    assert derived.scale_min.tolist() == cb["scale_min"].tolist()
    assert derived.scale_max.tolist() == cb["scale_max"].tolist()
    edited = derived.items.assign(missing_codes="-99")  # derive, edit, read
    pd.testing.assert_frame_equal(read_survey(path, edited).data, ref.data, check_names=False)


def test_derived_codebook_written_edited_and_read_back(bundled, tmp_path):
    raw, cb, ref = bundled
    sav = tmp_path / "corp_rep.sav"
    _write_sav(raw, cb, sav)
    derived = codebook_from_metadata(sav)
    derived.to_csv(tmp_path / "cb.csv")
    again = read_codebook(tmp_path / "cb.csv")
    pd.testing.assert_frame_equal(again.items.drop(columns=["value_labels", "mr_group"]), derived.items.drop(
        columns=["value_labels"]), check_dtype=False)  # fmt: skip
    assert again.value_labels == derived.value_labels
    pd.testing.assert_frame_equal(read_survey(sav, again).data, ref.data, check_names=False)


def test_csv_in_cp949_with_semicolons_and_excel_give_the_same_intake(bundled, tmp_path):
    raw, cb, ref = bundled
    korean = tmp_path / "corp_rep_cp949.csv"
    raw.rename(columns={"cusa": "만족"}).to_csv(korean, sep=";", index=False, encoding="cp949")
    cb_k = cb.assign(item=cb["item"].replace("cusa", "만족"))
    cb_k.to_csv(tmp_path / "codebook_cp949.csv", sep=";", index=False, encoding="cp949")
    with pytest.raises(DataError, match=r"codebook_cp949.csv' is not UTF-8 and its encoding is ambiguous"):
        read_survey(korean, tmp_path / "codebook_cp949.csv")
    with pytest.raises(
        DataError, match=r"corp_rep_cp949.csv' is not UTF-8 .* as each of \['cp949', 'gb18030', 'big5'\]"
    ):
        read_survey(korean, cb.assign(item=cb["item"].replace("cusa", "?")))  # nothing expected to tell them apart
    # the codebook's item names tell the data file's encoding: only cp949 reads the header as they are written
    got = read_survey(korean, read_codebook(tmp_path / "codebook_cp949.csv", encoding="cp949"))
    pd.testing.assert_frame_equal(got.data.rename(columns={"만족": "cusa"}), ref.data, check_names=False)
    xlsx = tmp_path / "corp_rep.xlsx"
    raw.where(raw != -99).to_excel(xlsx, index=False)  # a blank cell for a missing answer
    cb.to_excel(tmp_path / "codebook.xlsx", index=False)
    got = read_survey(xlsx, tmp_path / "codebook.xlsx")
    pd.testing.assert_frame_equal(got.data, ref.data, check_names=False)


def test_inputchecks_survey_intake_names_the_fault(bundled, tmp_path):
    raw, cb, _ = bundled
    csv = tmp_path / "s.csv"
    raw.to_csv(csv, index=False)
    with pytest.raises(DataError, match=r"s.csv: a CSV or Excel survey carries no codebook; pass codebook="):
        read_survey(csv)
    with pytest.raises(DataError, match=r"bundled survey \['corp_rep', 'mobi'\] .*got 'corprep' \(did you mean"):
        read_survey("corprep")
    with pytest.raises(FileNotFoundError, match="nope.sav"):
        read_survey(tmp_path / "nope.sav")
    sav = tmp_path / "text.sav"
    pyreadstat.write_sav(raw[["cusa"]].assign(comment="fine"), sav)
    with pytest.raises(DataError, match=r"text.sav: variables \['comment'\] are text, not rating items"):
        read_survey(sav)
    only = read_survey(sav, columns=["cusa"])  # no labels, no missing values declared: the observed range
    assert only.codebook.items.attrs["observed_scale"] == ["cusa"] and only.codebook.scale_min["cusa"] == -99
    with pytest.raises(DataError, match=r"only SPSS/Stata files .* carry a codebook"):
        codebook_from_metadata(csv)
    bad = tmp_path / "range.sav"
    pyreadstat.write_sav(raw[["cusa"]], bad, missing_ranges={"cusa": [{"lo": -999.5, "hi": -90.0}]})
    with pytest.raises(DataError, match=r"variable 'cusa' declares the missing range -999.5 THRU -90"):
        read_survey(bad)
    sav_codes = tmp_path / "range_ok.sav"
    pyreadstat.write_sav(raw[["cusa"]], sav_codes, missing_ranges={"cusa": [{"lo": -99, "hi": -97}]},
                         variable_value_labels={"cusa": {1: "low", 7: "high"}})  # fmt: skip
    derived = codebook_from_metadata(sav_codes)
    assert derived.items.loc[0, "missing_codes"] == "-99;-98;-97"
    assert np.isnan(read_survey(sav_codes).data["cusa"]).sum() == 1


@pytest.mark.slow
def test_survey_report_on_an_spss_file_and_a_yaml_model_gives_the_bundled_figures(bundled, tmp_path):
    # issue 13: corp_rep written as .sav (codebook derived from its metadata) with the reputation model as a YAML
    # file of the researcher's gives the same key figures (PLS paths, alphas, index, CB-SEM, loyalty) as the
    # bundled data; both reports render the same notebook with the same seed
    import json
    import shutil

    from crmlib.report.runner import run_reports

    raw, cb, _ = bundled
    _write_sav(raw, cb, tmp_path / "my_survey.sav")
    shutil.copy(data_dir() / "models" / "reputation.yml", tmp_path / "my_model.yml")
    notebook = data_dir().parent / "notebooks" / "survey.ipynb"
    common = "group: serviceprovider, compare_item: cusa, attitude_item: like_1, patronage_item: cusl_3, n_boot: 200"
    (tmp_path / "reports.yml").write_text(
        f"reports:\n"
        f"  - {{name: mine, notebook: {notebook}, parameters: {{dataset: {tmp_path / 'my_survey.sav'}, "
        f"model: {tmp_path / 'my_model.yml'}, {common}}}}}\n"
        f"  - {{name: bundled, notebook: {notebook}, parameters: {{dataset: corp_rep, model: reputation, {common}}}}}\n",
        encoding="utf-8",
    )
    results = run_reports(tmp_path / "reports.yml", out_dir=tmp_path, progress=None)
    assert [r.status for r in results] == ["ok", "ok"], [r.error for r in results]
    mine, ref = (json.loads((tmp_path / f"{n}.json").read_text())["figures"] for n in ("mine", "bundled"))
    mine.pop("pls_bootstrap_seconds"), ref.pop("pls_bootstrap_seconds")
    assert sum(k.startswith("path_") for k in mine) == 5 and mine == ref
