"""Property tests of the entropy weight method: generated indicator tables give the formula or a DataError.

Issue 14 ("tests sorted by intent"). For generated customers x indicators
tables (ties, constant columns, zeros, negative values, NaN, cost
indicators), :func:`crmlib.segment.normalise_indicators` and
:func:`crmlib.segment.entropy_weights` either equal the plain computation of
their docstring (min-max rescaling, reversed for cost indicators;
``p_ij = z_ij / sum_i z_ij``, ``e_j = -sum_i p_ij ln p_ij / ln m`` with
``0 ln 0 = 0``, ``w_j = (1 - e_j) / sum_j (1 - e_j)``; Zou, Yun & Sun 2006)
or raise :class:`crmlib.exceptions.DataError`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlib.exceptions import DataError
from crmlib.segment import entropy_weights, normalise_indicators

PROPS = settings(max_examples=50, deadline=None, derandomize=True, database=None)


@st.composite
def indicator_tables(draw, low: int = 0):
    m, k = draw(st.integers(2, 12)), draw(st.integers(1, 4))
    cells = draw(st.lists(st.integers(low, 9), min_size=m * k, max_size=m * k))
    X = pd.DataFrame(np.array(cells, dtype="float64").reshape(m, k), columns=[f"i{j}" for j in range(k)])
    benefit = draw(st.lists(st.booleans(), min_size=k, max_size=k))
    return X, benefit


def _oracle_minmax(X: pd.DataFrame, benefit: list[bool]) -> pd.DataFrame:
    Z = (X - X.min()) / (X.max() - X.min())
    for c, up in zip(X.columns, benefit):
        if not up:
            Z[c] = 1.0 - Z[c]
    return Z


def _oracle_divergence(Z: pd.DataFrame) -> np.ndarray:
    P = (Z / Z.sum()).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(P > 0, P * np.log(np.where(P > 0, P, 1.0)), 0.0)
    return 1 + plogp.sum(axis=0) / np.log(len(Z))  # 1 - e_j


def _oracle_entropy(Z: pd.DataFrame) -> np.ndarray:
    d = _oracle_divergence(Z)
    return d / d.sum()


@PROPS
@given(table=indicator_tables())
def test_consistency_entropy_weights_match_formula(table):
    """Min-max normalised indicators and entropy weights as in the docstring; DataError for constant indicators."""
    X, benefit = table
    if (X.max() == X.min()).any():
        with pytest.raises(DataError, match="constant"):
            entropy_weights(X, benefit)
        return
    Z = _oracle_minmax(X, benefit)
    np.testing.assert_allclose(normalise_indicators(X, benefit).to_numpy(), Z.to_numpy(), rtol=1e-12, atol=1e-15)
    if _oracle_divergence(Z).sum() <= 1e-12:
        with pytest.raises(DataError, match="maximal entropy"):
            entropy_weights(X, benefit)
        return
    got = entropy_weights(X, benefit)
    np.testing.assert_allclose(got.weights.to_numpy(), _oracle_entropy(Z), rtol=1e-9, atol=1e-12)
    assert got.weights.sum() == pytest.approx(1.0)
    assert ((got.entropy >= -1e-12) & (got.entropy <= 1 + 1e-12)).all()


@PROPS
@given(table=indicator_tables(low=-3))
def test_consistency_entropy_weights_raw_values(table):
    """method='none': p_ij from the raw values; negative values or cost indicators are a DataError."""
    X, benefit = table
    if not all(benefit) or (X < 0).any().any():
        with pytest.raises(DataError, match="method='none'"):
            entropy_weights(X, benefit, method="none")
        return
    if (X.sum() == 0).any():
        with pytest.raises(DataError, match="sum to zero"):
            entropy_weights(X, benefit, method="none")
        return
    if _oracle_divergence(X).sum() <= 1e-12:  # every indicator spread evenly
        with pytest.raises(DataError, match="maximal entropy"):
            entropy_weights(X, benefit, method="none")
        return
    got = entropy_weights(X, benefit, method="none").weights
    np.testing.assert_allclose(got, _oracle_entropy(X), rtol=1e-9, atol=1e-12)


@PROPS
@given(table=indicator_tables(), bad=st.sampled_from([np.nan, np.inf, "high"]), where=st.integers(0, 999))
def test_inputchecks_entropy_weights_bad_cell_is_dataerror(table, bad, where):
    """A missing, infinite or text cell is a DataError naming the indicator."""
    X, benefit = table
    X = X.astype(object)
    i, j = where % len(X), (where // len(X)) % X.shape[1]
    X.iloc[i, j] = bad
    with pytest.raises(DataError, match=f"indicator '{X.columns[j]}'"):
        entropy_weights(X, benefit)
