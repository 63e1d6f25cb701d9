"""Property tests of programme evaluation and delivered value: a plain computation or DataError, nothing else.

Issue 14 ("tests sorted by intent"). For generated data:

* difference-in-differences without covariates equals the difference of the
  four cell means, ``(T_post - T_pre) - (C_post - C_pre)`` (Angrist & Pischke
  2009, section 5.2), computed here with ``groupby``; its interval contains the
  estimate; a design with an empty cell is a DataError;
* customer delivered value (Kotler & Keller 2006, ch. 5) equals the weighted
  value score minus the weighted cost score, weights normalised within each
  side, computed here with plain sums; the ratio form is V / C, or a DataError
  where a total cost is not positive.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlib.exceptions import DataError
from crmlib.programme import difference_in_differences
from crmlib.value.scoring import ComponentScores, delivered_value

PROPS = settings(max_examples=40, deadline=None, derandomize=True, database=None)

_outcome = st.integers(-5_000, 20_000).map(lambda c: c / 100)


@PROPS
@given(rows=st.lists(st.tuples(st.booleans(), st.booleans(), _outcome), min_size=1, max_size=40))
def test_consistency_did_equals_the_four_cell_means(rows):
    data = pd.DataFrame(rows, columns=["treated", "post", "y"]).astype({"treated": int, "post": int})
    cells = data.groupby(["treated", "post"])["y"]
    sizes = cells.size()
    full = len(sizes) == 4
    try:
        got = difference_in_differences(data, "y", "treated", "post", cov_type="nonrobust")
    except DataError as err:
        if not full:  # the message names the empty cell of the 2 x 2 design
            missing = [(t, q) for t in (0, 1) for q in (0, 1) if (t, q) not in sizes.index]
            assert f"(treated={missing[0][0]}, post={missing[0][1]}) has no rows" in str(err), str(err)
        else:  # four cells but no residual degrees of freedom
            assert len(data) == 4 and "no residual degrees of freedom" in str(err), str(err)
        return
    assert full, "an empty cell of the 2 x 2 design must be refused"
    m = cells.mean()
    want = (m[(1, 1)] - m[(1, 0)]) - (m[(0, 1)] - m[(0, 0)])
    assert got.estimate == pytest.approx(want, rel=1e-9, abs=1e-9)
    if math.isfinite(got.std_error) and got.std_error > 0:
        assert got.lower <= got.estimate <= got.upper and 0.0 <= got.p_value <= 1.0


def _scores(values: np.ndarray, n_value: int) -> ComponentScores:
    names = [f"v{i}" for i in range(n_value)] + [f"c{i}" for i in range(values.shape[1] - n_value)]
    frame = pd.DataFrame(values, columns=names)
    sides = {c: ("value" if c.startswith("v") else "cost") for c in names}
    return ComponentScores(
        scores=frame,
        answered=frame.notna().astype(int),
        report=pd.DataFrame(),
        sides=sides,
        items={c: [c] for c in names},
        recoded=frame,
        scale="item",
        scale_range=(1.0, 7.0),
        scale_label="1-7 item scale",
    )


@PROPS
@given(
    n_value=st.integers(1, 3),
    n_cost=st.integers(1, 3),
    n=st.integers(1, 15),
    data=st.data(),
)
def test_consistency_delivered_value_is_weighted_value_minus_weighted_cost(n_value, n_cost, n, data):
    k = n_value + n_cost
    cells = data.draw(st.lists(st.integers(0, 70), min_size=n * k, max_size=n * k), label="scores")
    values = np.array(cells, float).reshape(n, k) / 10
    raw = data.draw(st.lists(st.integers(0, 9), min_size=k, max_size=k), label="weights")
    scores = _scores(values, n_value)
    weights = dict(zip(scores.scores.columns, map(float, raw)))
    v_w, c_w = raw[:n_value], raw[n_value:]
    try:
        got = delivered_value(scores, weights)
    except DataError as err:
        if sum(v_w) == 0 or sum(c_w) == 0:
            side = "value" if sum(v_w) == 0 else "cost"
            assert f"the {side} weights sum to 0" in str(err), str(err)
            return
        # the ratio form: a respondent whose total cost is 0
        c_total = values[:, n_value:] @ (np.array(c_w) / sum(c_w))
        assert (c_total <= 0).any() and "total_cost" in str(err)
        return
    assert sum(v_w) > 0 and sum(c_w) > 0
    for i in range(n):
        tv = sum(values[i, j] * v_w[j] for j in range(n_value)) / sum(v_w)
        tc = sum(values[i, n_value + j] * c_w[j] for j in range(n_cost)) / sum(c_w)
        assert got["total_value"].iloc[i] == pytest.approx(tv, rel=1e-12, abs=1e-12)
        assert got["total_cost"].iloc[i] == pytest.approx(tc, rel=1e-12, abs=1e-12)
        assert got["dv_difference"].iloc[i] == pytest.approx(tv - tc, rel=1e-12, abs=1e-12)
        assert got["dv_ratio"].iloc[i] == pytest.approx(tv / tc, rel=1e-12)


@pytest.mark.parametrize(
    "weights, words",
    [
        ({"v0": 1.0, "c0": -1.0}, "c0"),
        ({"v0": 1.0}, "c0"),
        ({"v0": 1.0, "c0": 1.0, "zz": 1.0}, "zz"),
    ],
)
def test_inputchecks_delivered_value_weights_are_named(weights, words):
    scores = _scores(np.array([[5.0, 3.0], [4.0, 2.0]]), 1)
    with pytest.raises(DataError, match=words):
        delivered_value(scores, weights)
