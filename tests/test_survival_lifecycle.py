"""crmlib.survival.lifecycle: stages of hand-made logs with known answers; transition matrices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib.datasets import load_cdnow
from crmlib.exceptions import DataError
from crmlib.survival import STAGES, lifecycle_stages, stage_sizes, stage_transitions

D0 = pd.Timestamp("2020-01-01")
AS_OF = D0 + pd.Timedelta(days=360)


def _log(spec):
    rows = [(c, D0 + pd.Timedelta(days=d)) for c, days in spec.items() for d in days]
    return pd.DataFrame(rows, columns=["customer_id", "date"])


# as_of = day 360, trend window R = 90 days (recent = days 271..360), inactivity 180 days
HAND = {
    "lost": [0, 20, 40, 150],  # recency 210 >= 180
    "lost_edge": [0, 180],  # recency exactly 180 -> lost
    "new": [300, 330],  # tenure 60 < 90 -> exploration
    "single": [240],  # tenure 120, one purchase day, recency 120 -> exploration
    "formation": [0, 300, 320, 340],  # recent 3/90 vs earlier 1/271 per day: trend 9.0
    "stability": list(range(0, 361, 30)),  # recent 3/90 vs earlier 10/271: trend 0.90
    "decline": list(range(0, 251, 10)) + [300],  # recent 1/90 vs earlier 26/271: trend 0.12
    "future": [400],  # not yet acquired at as_of -> absent
}
EXPECTED = {
    "lost": "lost",
    "lost_edge": "lost",
    "new": "exploration",
    "single": "exploration",
    "formation": "formation",
    "stability": "stability",
    "decline": "decline",
}


def test_stages_of_hand_made_log_known_answers():
    st = lifecycle_stages(_log(HAND), AS_OF)
    assert set(st.index) == set(EXPECTED)
    for c, stage in EXPECTED.items():
        assert st.loc[c, "stage"] == stage, (c, st.loc[c].to_dict())
    assert st.loc["formation", "trend"] == pytest.approx((3 / 90) / (1 / 271))
    assert st.loc["stability", "trend"] == pytest.approx((3 / 90) / (10 / 271))
    assert st.loc["decline", "recent_rate"] == pytest.approx(30 / 90)  # per 30 days
    assert np.isnan(st.loc["new", "trend"])
    assert st.loc["lost", "recency_days"] == 210 and st.loc["single", "tenure_days"] == 120


def test_threshold_edges_rise_and_fall():
    st = lifecycle_stages(_log(HAND), AS_OF, rise=(3 / 90) / (1 / 271), fall=(3 / 90) / (10 / 271))
    assert st.loc["formation", "stage"] == "formation"  # trend == rise counts as formation
    assert st.loc["stability", "stage"] == "decline"  # trend == fall counts as decline


def test_p_alive_below_threshold_makes_lost():
    log = _log(HAND)
    pa = pd.Series(0.9, index=list(EXPECTED))
    pa["stability"] = 0.05
    st = lifecycle_stages(log, AS_OF, p_alive=pa, p_lost=0.2)
    assert st.loc["stability", "stage"] == "lost" and st.loc["formation", "stage"] == "formation"


def test_stage_sizes_keep_all_stages_and_n():
    sizes = stage_sizes(lifecycle_stages(_log(HAND), AS_OF))
    assert list(sizes.index) == STAGES
    assert sizes["customers"].tolist() == [2, 1, 1, 1, 2]
    assert sizes.attrs["n"] == 7 and sizes["share"].sum() == pytest.approx(1.0)


def test_transition_matrix_hand_made():
    log = _log({"a": [0, 10, 20], "b": [0, 150], "c": [150]})
    # at day 60: a (tenure 60) and b (tenure 60) exploration; c not yet acquired
    # at day 200, inactivity 120: a recency 180 -> lost; b recency 50, one earlier (day 0) + one recent (day 150) ->
    # trend (1/90)/(1/111) = 1.23 -> stability; c tenure 50 -> exploration
    tr = stage_transitions(log, D0 + pd.Timedelta(days=60), D0 + pd.Timedelta(days=200), inactivity_days=120)
    assert tr.loc["exploration", "lost"] == 1 and tr.loc["exploration", "stability"] == 1
    assert tr.loc["not yet acquired", "exploration"] == 1
    assert tr.to_numpy().sum() == 3 == tr.attrs["n"]
    prob = stage_transitions(
        log, D0 + pd.Timedelta(days=60), D0 + pd.Timedelta(days=200), inactivity_days=120, normalize=True
    )
    assert prob.loc["exploration"].sum() == pytest.approx(1.0) and prob.loc["exploration", "lost"] == 0.5


def test_transitions_on_cdnow_count_every_customer_once():
    log = load_cdnow("sample")
    tr = stage_transitions(log, "1997-09-30", "1998-03-31")
    assert tr.attrs["n"] == log["customer_id"].nunique()
    assert tr.loc["not yet acquired"].sum() == 0  # the CDNOW cohort was acquired in 1997 Q1


def test_inputchecks_lifecycle():
    log = _log(HAND)
    with pytest.raises(DataError, match="need 0 < fall < 1 < rise"):
        lifecycle_stages(log, AS_OF, rise=0.9)
    with pytest.raises(DataError, match="no transaction on or before"):
        lifecycle_stages(log, D0 - pd.Timedelta(days=1))
    with pytest.raises(DataError, match=r"p_alive: no probability in 6 rows"):
        lifecycle_stages(log, AS_OF, p_alive=pd.Series({"lost": 0.5}))
    with pytest.raises(DataError, match="must be after observation_start"):
        stage_transitions(log, AS_OF, AS_OF)
