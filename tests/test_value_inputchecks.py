"""Bad input to crmlib.value: each case gives a DataError naming the argument and the fault (issue 14)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import value
from crmlib.exceptions import DataError


@pytest.fixture(scope="module")
def survey():
    sim = value.simulate_survey(30, seed=1)
    sc = value.score_components(sim.data, value.load_value_codebook())
    vals = value.delivered_value(sc, value.derive_weights(sc, "equal").weights)
    vals = vals.assign(competitor=sim.data["competitor"].to_numpy(), SAT=sim.data["SAT"].to_numpy())
    return sim, sc, vals


BAD = [
    (
        "means unseeded",
        lambda s: value.bootstrap_means(s[2], ["total_value"], "competitor", seed=None),
        "seed must be an int or a numpy.random.Generator, got None; crmlib draws nothing unseeded",
    ),
    (
        "means level in per cent",
        lambda s: value.bootstrap_means(s[2], ["total_value"], "competitor", level=95, seed=1),
        r"level must be in \(0, 1\) such as 0.95, got 95 \(for a 95% interval use 0.95\)",
    ),
    (
        "means fractional n_boot",
        lambda s: value.bootstrap_means(s[2], ["total_value"], n_boot=150.5, seed=1),
        "n_boot must be a whole number, got 150.5",
    ),
    (
        "means columns as one text",
        lambda s: value.bootstrap_means(s[2], "total_value", seed=1),
        "columns must be a list of column names, not the text 'total_value'",
    ),
    (
        "means of an array",
        lambda s: value.bootstrap_means(s[2].to_numpy(), ["total_value"], seed=1),
        "frame must be a pandas DataFrame, got ndarray",
    ),
    (
        "compare level 0",
        lambda s: value.compare_groups(s[2], "dv_difference", "competitor", level=0, seed=1),
        r"level must be in \(0, 1\)",
    ),
    (
        "compare unseeded",
        lambda s: value.compare_groups(s[2], "dv_difference", "competitor", seed=None),
        "crmlib draws nothing unseeded",
    ),
    (
        "compare misspelt group",
        lambda s: value.compare_groups(s[2], "dv_difference", "competitr", seed=1),
        r"no column\(s\) \['competitr'\] \(did you mean 'competitor'\?\)",
    ),
    ("value map unseeded", lambda s: value.value_map_table(s[2], "competitor", seed=None), "draws nothing unseeded"),
    (
        "weights unseeded",
        lambda s: value.bootstrap_weights(s[1], "regression", outcome=s[0].data["SAT"], seed=None),
        "draws nothing unseeded",
    ),
    (
        "weights level above 1",
        lambda s: value.bootstrap_weights(s[1], "regression", outcome=s[0].data["SAT"], level=1.5, seed=1),
        r"level must be in \(0, 1\)",
    ),
    (
        "weights five resamples",
        lambda s: value.bootstrap_weights(s[1], "regression", outcome=s[0].data["SAT"], n_boot=5, seed=1),
        "n_boot must be >= 100, got 5",
    ),
    (
        "weights outcome as text",
        lambda s: value.derive_weights(s[1], "regression", outcome=pd.Series(["a"] * 120)),
        "outcome must be numeric \\(one number per respondent\\)",
    ),
    (
        "regression level above 1",
        lambda s: value.regress_outcomes(s[2], ["SAT"], level=1.2),
        r"level must be in \(0, 1\)",
    ),
    (
        "regression outcome as one text",
        lambda s: value.regress_outcomes(s[2], "SAT"),
        "outcomes and predictors must be lists of column names",
    ),
    ("regression unknown outcome", lambda s: value.regress_outcomes(s[2], ["NPS"]), r"no column\(s\) \['NPS'\]"),
    ("simulation of no one", lambda s: value.simulate_survey(0, seed=1), "n_per_competitor must be >= 10, got 0"),
    (
        "simulation fractional size",
        lambda s: value.simulate_survey(10.5, seed=1),
        "n_per_competitor must be a whole number",
    ),
    ("simulation unseeded", lambda s: value.simulate_survey(10, seed=None), "draws nothing unseeded"),
    (
        "recovery unseeded",
        lambda s: value.recovery_table(s[2], s[0].truth, "competitor", seed=None),
        "draws nothing unseeded",
    ),
    (
        "codebook file absent",
        lambda s: value.load_value_codebook("nope.csv"),
        "file 'nope.csv' not found \\(neither as a path nor in",
    ),
    ("survey file absent", lambda s: value.read_value_survey("nope.csv"), "file 'nope.csv' not found"),
    (
        "entropy of a vector",
        lambda s: value.entropy_divergences(np.ones(5)),
        r"X must be a 2-D array \(respondents x components\), got shape \(5,\)",
    ),
]


@pytest.mark.parametrize("call, words", [pytest.param(c, w, id=i) for i, c, w in BAD])
def test_inputchecks_value_refuses_bad_arguments(survey, call, words):
    with pytest.raises(DataError, match=words):
        call(survey)


def test_inputchecks_value_files_by_name_are_found_in_data():
    # a bare file name that is not in the working directory is the bundled file of that name (same table)
    assert value.load_value_codebook("cdv_codebook.csv").equals(value.load_value_codebook())
