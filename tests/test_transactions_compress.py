"""crmlib.transactions: compress/expand (crmlib/transactions/compress.py): identical customers as one weighted row, and back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib.exceptions import DataError
from crmlib.transactions import (
    compress,
    expand,
)


def test_compress_expand_round_trip(cdnow_holdout_summary):
    s = cdnow_holdout_summary
    c = compress(s)
    assert list(c.columns) == ["frequency", "recency", "T", "weight"]
    assert c["weight"].sum() == len(s)
    assert len(c) == len(s[["frequency", "recency", "T"]].drop_duplicates())
    assert not c.duplicated(["frequency", "recency", "T"]).any()
    back = expand(c)
    original = s[["frequency", "recency", "T"]].sort_values(["frequency", "recency", "T"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(back, original, check_exact=True)
    # compressing a compressed table sums the weights
    again = compress(pd.concat([c, c]))
    assert (again["weight"] == 2 * c["weight"]).all()


def test_compress_checks():
    s = pd.DataFrame({"frequency": [1, 1, 0], "recency": [2.0, 2.0, np.nan], "T": [5.0, 5.0, 5.0]})
    with pytest.raises(DataError, match="1 rows have missing values"):
        compress(s)
    with pytest.raises(DataError, match=r"column\(s\) \['x'\] not in the summary"):
        compress(s, columns=["x"])
    with pytest.raises(DataError, match="non-negative integers"):
        expand(pd.DataFrame({"frequency": [1], "weight": [1.5]}))
