"""Saved models (crmlib.clv.persist): a model saved as JSON and loaded predicts the same numbers without its data.

Oracles: the fitted model itself (every prediction of the loaded model equals the original's to 1e-12),
the JSON text (no pickles, the version and data specification written), and each refusal's message.
"""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import crmlib
from crmlib.clv import (
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    ModifiedBetaGeoModel,
    ShiftedBetaGeometricModel,
    customer_lifetime_value,
    horizon,
    load_model,
    persist,
)
from crmlib.datasets import load_cdnow, load_donations
from crmlib.exceptions import DataError, DataWarning
from crmlib.transactions import summarize


@pytest.fixture(scope="module")
def weekly_summary():
    """The CDNOW sample summarised by crmlib (weeks, calibration end 1997-09-30): it carries a SummarySpec."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # the sample's zero amounts and duplicates, counted and kept
        return summarize(load_cdnow("sample"), calibration_end="1997-09-30", time_unit="week")


def _roundtrip(model, tmp_path, name="model.json"):
    path = tmp_path / name
    model.save(path)
    return load_model(path), path


def test_consistency_loaded_models_predict_the_same_numbers(cdnow_fitted, cdnow_summary, tmp_path):
    bg, pnbd, gg = cdnow_fitted
    new = cdnow_summary.sample(300, random_state=1)  # "new" customers: any summary rows
    x, tx, T = (new[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    kw = dict(discount_rate=0.15, periods_per_year=52)
    gg2, _ = _roundtrip(gg, tmp_path, "gg.json")
    for model in (bg, pnbd):
        loaded, _ = _roundtrip(model, tmp_path)
        assert type(loaded) is type(model)
        pd.testing.assert_frame_equal(loaded.summary(), model.summary(), rtol=1e-12, atol=0)
        pd.testing.assert_frame_equal(loaded.variance_matrix_, model.variance_matrix_, rtol=1e-12, atol=0)
        assert loaded.log_likelihood_ == model.log_likelihood_ and loaded.n_customers_ == model.n_customers_
        for f in (
            lambda m: m.probability_alive(x, tx, T),
            lambda m: m.conditional_expected_purchases(39, x, tx, T),
            lambda m: m.dert(x, tx, T, **kw),
            lambda m: m.probability_alive_at(52, x, tx, T),
            lambda m: m.conditional_probability_of_purchases(1, 52, x, tx, T),
            lambda m: m.loglik(new),
        ):
            np.testing.assert_allclose(f(loaded), f(model), rtol=1e-12, atol=0)
        ours = customer_lifetime_value(loaded, gg2, new, margin_share=0.3, **kw)
        theirs = customer_lifetime_value(model, gg, new, margin_share=0.3, **kw)
        pd.testing.assert_frame_equal(ours, theirs, rtol=1e-12, atol=0)
        draws = loaded.draw_params(5, seed=3)
        pd.testing.assert_frame_equal(draws, model.draw_params(5, seed=3), rtol=1e-12, atol=0)


def test_consistency_saved_spec_converts_rates_as_the_fitted_model(weekly_summary, tmp_path):
    bg = ModifiedBetaGeoModel().fit(weekly_summary)
    loaded, path = _roundtrip(bg, tmp_path)
    assert loaded.spec_ == bg.spec_
    assert loaded.spec_.periods_per_year == pytest.approx(365.25 / 7)
    x, tx, T = (weekly_summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    np.testing.assert_allclose(
        loaded.dert(x, tx, T, discount_rate=0.1), bg.dert(x, tx, T, discount_rate=0.1), rtol=1e-12
    )
    h = dict(horizon=52, discount_rate=0.1)
    np.testing.assert_allclose(
        horizon.discounted_purchases(loaded, x, tx, T, **h), horizon.discounted_purchases(bg, x, tx, T, **h), rtol=1e-12
    )
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["crmlib_version"] == crmlib.__version__ and doc["model"] == "ModifiedBetaGeoModel"
    assert doc["fitted"]["spec_"]["value"]["time_unit"] == "week"
    assert doc["fitted"]["spec_"]["value"]["calibration_end"] == "1997-09-30"


def test_consistency_bgbb_and_sbg_roundtrip(tmp_path):
    donations = load_donations()
    bb = BetaGeoBetaBinomModel().fit(donations)
    loaded, _ = _roundtrip(bb, tmp_path)
    args = (donations["frequency"], donations["recency"], donations["n_periods"])
    np.testing.assert_allclose(loaded.probability_alive(*args), bb.probability_alive(*args), rtol=1e-12)
    np.testing.assert_allclose(
        loaded.dert(*args, discount_rate=0.1, periods_per_year=1), bb.dert(*args, discount_rate=0.1, periods_per_year=1)
    )
    sbg = ShiftedBetaGeometricModel().fit([1000, 631, 468, 382, 326, 289, 262, 241])  # Fader & Hardie 2007, regular
    loaded, _ = _roundtrip(sbg, tmp_path)
    np.testing.assert_array_equal(loaded.active_, sbg.active_)
    np.testing.assert_allclose(loaded.survival(np.arange(12)), sbg.survival(np.arange(12)), rtol=1e-12)
    assert loaded.min_polarization == sbg.min_polarization


def test_correctness_file_is_plain_json_with_nonfinite_values_as_text(cdnow_bgnbd, tmp_path):
    path = tmp_path / "m.json"
    cdnow_bgnbd.save(path)
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)  # standard JSON: no NaN or Infinity tokens
    assert "Infinity" not in text and "NaN" not in text
    assert doc["format"] == "crmlib-model" and doc["format_version"] == persist.FORMAT_VERSION
    assert doc["fitted"]["params_"]["index"] == ["r", "alpha", "a", "b"]
    back = persist._decode(json.loads(json.dumps(persist._encode(np.array([1.0, -np.inf, np.nan])), allow_nan=False)))
    np.testing.assert_array_equal(back, [1.0, -np.inf, np.nan])


def test_inputchecks_load_model_refuses_other_versions_and_files(cdnow_bgnbd, tmp_path):
    path = tmp_path / "m.json"
    cdnow_bgnbd.save(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["crmlib_version"] = "0.0.1"
    (tmp_path / "old.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataError, match=rf"saved by crmlib 0\.0\.1, and this is crmlib {crmlib.__version__}"):
        load_model(tmp_path / "old.json")
    doc["crmlib_version"], doc["format_version"] = crmlib.__version__, 99
    (tmp_path / "fmt.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataError, match="format version 99"):
        load_model(tmp_path / "fmt.json")
    doc["format_version"], doc["model"] = persist.FORMAT_VERSION, "LifetimesModel"
    (tmp_path / "cls.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataError, match="'LifetimesModel'"):
        load_model(tmp_path / "cls.json")
    with pytest.raises(DataError, match="does not exist"):
        load_model(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="is not JSON"):
        load_model(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(DataError, match="not a crmlib model file"):
        load_model(tmp_path / "other.json")
    with pytest.raises(DataError, match="not fitted"):
        BetaGeoModel().save(tmp_path / "unfitted.json")
