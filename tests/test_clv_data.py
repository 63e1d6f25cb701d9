"""crmlib.clv._data: the checks of the model tables and prediction inputs (one message per fault).

Oracle: each bad table or argument gives a DataError naming the column or
argument, the rows (by index label) and the value at fault.
"""

import numpy as np
import pandas as pd
import pytest

from crmlib.clv._data import as_rft_arrays, check_columns, check_times, prepare_rft
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
        ({"T": [40.0, 0.0, 40.0]}, r"column 'T' must be positive; it is not in 1 row \(e.g. \[102\]\)"),
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
