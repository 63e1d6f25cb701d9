"""crmlib.clv._data: the checks of the model tables and prediction inputs (one message per fault).

Oracle: each bad table or argument gives a DataError naming the column or
argument, the rows (by index label) and the value at fault.
"""

import numpy as np
import pandas as pd
import pytest

from crmlib.clv._data import as_rft_arrays, check_columns, check_times, distinct_rows, prepare_rft
from crmlib.exceptions import DataError


def _rft(**cols):
    base = {"frequency": [0, 2, 5], "recency": [0.0, 10.0, 30.0], "T": [40.0, 40.0, 40.0]}
    base.update(cols)
    return pd.DataFrame(base, index=pd.Index([101, 102, 103], name="customer_id"))


def test_prepare_rft_returns_arrays_and_unit_weights():
    (arrays, weight) = prepare_rft(_rft())
    np.testing.assert_array_equal(arrays["x"], [0, 2, 5])
    np.testing.assert_array_equal(arrays["tx"], [0, 10, 30])
    np.testing.assert_array_equal(weight, [1, 1, 1])
    _, weight = prepare_rft(_rft(weight=[3, 1, 2]))
    np.testing.assert_array_equal(weight, [3, 1, 2])


@pytest.mark.parametrize(
    "cols, words",
    [
        (
            {"frequency": [0, 2.5, 5]},
            r"column 'frequency' must hold non-negative integers; it does not in 1 row \(e.g. \[102\]\)",
        ),
        (
            {"recency": [0.0, -1.0, 30.0]},
            r"column 'recency' must be non-negative; it is negative in 1 row \(e.g. \[102\]\)",
        ),
        ({"T": [40.0, -1.0, 40.0]}, r"column 'T' must be non-negative; it is negative in 1 row \(e.g. \[102\]\)"),
        ({"T": [40.0, np.nan, 40.0]}, r"column 'T' is missing or not a finite number in 1 row \(e.g. \[102\]\)"),
        ({"recency": [0.0, 10.0, 50.0]}, r"column 'recency' exceeds column 'T' in 1 row \(e.g. \[103\]\)"),
        (
            {"recency": [3.0, 10.0, 30.0]},
            r"column 'recency' must be 0 when 'frequency' is 0; it is not in 1 row \(e.g. \[101\]\)",
        ),
        ({"weight": [1, 0, 1]}, r"column 'weight' must be positive; it is not in 1 row \(e.g. \[102\]\)"),
    ],
)
def test_inputchecks_prepare_rft(cols, words):
    with pytest.raises(DataError, match=words):
        prepare_rft(_rft(**cols))


def test_inputchecks_check_columns_names_missing_columns_and_close_matches():
    with pytest.raises(DataError, match=r"data has no column\(s\) \['recency'\] \(did you mean 'recancy'"):
        check_columns(_rft().rename(columns={"recency": "recancy"}), {"frequency": "count", "recency": "nonneg"})
    with pytest.raises(DataError, match="data must be a pandas DataFrame"):
        check_columns({"frequency": [1]}, {"frequency": "count"})
    with pytest.raises(DataError, match="data has no rows"):
        check_columns(_rft().iloc[:0], {"frequency": "count"})


def test_inputchecks_prediction_arrays():
    x, tx, T = as_rft_arrays([0, 2], [0.0, 10.0], 40.0)
    assert x.shape == tx.shape == T.shape == (2,)
    with pytest.raises(DataError, match="frequency must be a whole number, got 1.5"):
        as_rft_arrays(1.5, 1.0, 40.0)
    with pytest.raises(DataError, match="recency must be >= 0, got -1"):
        as_rft_arrays(1, -1.0, 40.0)
    with pytest.raises(DataError, match="T must be finite"):
        as_rft_arrays(1, 1.0, np.inf)
    with pytest.raises(DataError, match=r"t must be >= 0, got -0.5"):
        check_times([1.0, -0.5])


# --------------------------------------------------------------------------------------------
# Consistency: a customer first seen on the last calibration day (T = 0)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def summary_with_a_new_customer():
    """The CDNOW sample's calibration summary plus one customer whose only purchase is on its last day."""
    import warnings

    from crmlib import datasets, transactions

    log = datasets.load_cdnow("sample")
    extra = pd.DataFrame({"customer_id": [99_999], "date": [pd.Timestamp("1997-09-30")], "amount": [10.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return transactions.summarize(pd.concat([log, extra]), observation_end="1997-09-30")


@pytest.mark.parametrize("name", ["BetaGeoModel", "ParetoNBDModel", "ModifiedBetaGeoModel"])
def test_consistency_a_customer_with_T_zero_adds_nothing_to_the_fit(summary_with_a_new_customer, name):
    """T = 0 (first purchase on the observation end): the likelihood of no purchase in no time is 1, so the fit
    equals the fit without that customer (FHL 2005, eq. 6 at T = 0)."""
    from crmlib import clv

    summary = summary_with_a_new_customer
    assert summary.loc[99_999, ["frequency", "recency", "T"]].tolist() == [0, 0.0, 0.0]
    model = getattr(clv, name)
    with_new = model().fit(summary)
    without = model().fit(summary.drop(index=99_999))
    assert float(with_new.loglik(summary.loc[[99_999]])[0]) == pytest.approx(0.0, abs=1e-15)
    assert with_new.params_.to_numpy() == pytest.approx(without.params_.to_numpy(), rel=1e-5)


@pytest.mark.parametrize("name", ["BetaGeoModel", "ParetoNBDModel", "ModifiedBetaGeoModel"])
def test_consistency_predictions_at_T_zero_are_those_of_a_new_customer(summary_with_a_new_customer, name):
    """At T = 0 the conditional expectation equals the unconditional E[X(t)] of a newly acquired customer and the
    predictions are the limit T -> 0+; P(alive) is 1 for BG/NBD and Pareto/NBD and b / (a + b) for MBG/NBD
    (Batislam et al. 2007: the MBG customer may drop out at the first purchase)."""
    from crmlib import clv

    model = getattr(clv, name)().fit(summary_with_a_new_customer)
    t = 10.0
    at_zero = float(model.conditional_expected_purchases(t, 0, 0.0, 0.0))
    assert at_zero == pytest.approx(float(model.expected_purchases(t)), rel=1e-12)
    assert at_zero == pytest.approx(float(model.conditional_expected_purchases(t, 0, 0.0, 1e-9)), rel=1e-8)
    alive = float(model.probability_alive(0, 0.0, 0.0))
    if name == "ModifiedBetaGeoModel":
        a, b = model.params_["a"], model.params_["b"]
        assert alive == pytest.approx(b / (a + b), rel=1e-12)
    else:
        assert alive == 1.0
    dert = model.dert(0, 0.0, 0.0, discount_rate=0.1)
    assert float(dert) == pytest.approx(float(model.dert(0, 0.0, 1e-9, discount_rate=0.1)), rel=1e-7)


def test_consistency_holdout_tables_keep_a_customer_with_T_zero():
    """validate's holdout functions accept the T = 0 customer that summarize makes: its row is a new customer's."""
    import warnings

    import pandas as pd

    from crmlib import clv, datasets, transactions
    from crmlib.clv import validate

    log = datasets.load_cdnow("sample")
    extra = pd.DataFrame({"customer_id": [99_999], "date": [pd.Timestamp("1997-09-30")], "amount": [10.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = transactions.summarize(pd.concat([log, extra]), calibration_end="1997-09-30")
    assert summary.loc[99_999, "T"] == 0.0
    model = clv.BetaGeoModel().fit(summary)
    table = validate.holdout_comparison(model, summary)
    assert np.isfinite(table.select_dtypes("number").to_numpy()).all()
    hist = validate.expected_frequency_histogram(model, summary)
    assert int(hist["observed"].sum()) == len(summary)
    assert float(hist["expected"].sum()) == pytest.approx(len(summary), rel=1e-9)  # P(X(0) = 0) = 1 for the new one
    accuracy = validate.holdout_accuracy({"BG/NBD": model}, summary)
    assert np.isfinite(accuracy.to_numpy(dtype=float)).all()


def test_consistency_distinct_rows_against_numpy_unique():
    """Hashing gives the rows of np.unique(axis=0) (in another order) and an inverse that rebuilds every column."""
    rng = np.random.default_rng(3)
    cols = [rng.integers(0, 5, 2_000).astype(float), rng.integers(0, 7, 2_000) / 7.0, np.full(2_000, 39.0)]
    uniq, inv = distinct_rows(*cols)
    for col, u in zip(cols, uniq):
        np.testing.assert_array_equal(u[inv], col)
    ref = np.unique(np.column_stack(cols), axis=0)
    assert len(uniq[0]) == len(ref)
    np.testing.assert_array_equal(np.unique(np.column_stack(uniq), axis=0), ref)
