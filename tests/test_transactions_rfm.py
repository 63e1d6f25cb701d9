"""crmlib.transactions: RFM scores and segments (crmlib/transactions/rfm.py) on hand examples and CDNOW."""

from __future__ import annotations

import pandas as pd
import pytest

from crmlib.exceptions import DataError
from crmlib.transactions import (
    RFM_SEGMENT_RULES,
    rfm_scores,
    rfm_segments,
)


def test_rfm_scores_on_a_hand_example():
    # 10 customers; since-last = T - recency = 10, 9, ..., 1 weeks
    s = pd.DataFrame(
        {
            "frequency": [0, 0, 0, 0, 1, 2, 3, 3, 5, 8],
            "recency": [0.0] * 10,
            "T": [10.0, 9, 8, 7, 6, 5, 4, 3, 2, 1],
            "monetary": [0.0, 0, 0, 0, 10, 20, 30, 40, 50, 60],
        },
        index=pd.Index(list("abcdefghij"), name="customer_id"),
    )
    r = rfm_scores(s)
    # R: k = customers with a longer time since last purchase = 0..9 -> 1 + floor(5k/10)
    assert r["R"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # F: the four zeros tie at k = 0 (score 1); 1 -> k=4 -> 3; 2 -> 3; 3,3 tie at k=6 -> 4; 5 -> 5; 8 -> 5
    assert r["F"].tolist() == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]
    assert r["M"].tolist() == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]
    assert r.loc["j", "RFM"] == "555" and r.loc["a", "RFM"] == "111"
    # ties never split, whatever the row order
    shuffled = rfm_scores(s.sample(frac=1, random_state=3))
    pd.testing.assert_frame_equal(shuffled.loc[r.index], r)


def test_rfm_segments_rule_table_covers_every_cell_once():
    cells = {}
    for row in RFM_SEGMENT_RULES.itertuples(index=False):
        r_lo, r_hi = (int(x) for x in (row.R.split("-") * 2)[:2])
        f_lo, f_hi = (int(x) for x in (row.F.split("-") * 2)[:2])
        for r in range(r_lo, r_hi + 1):
            for f in range(f_lo, f_hi + 1):
                cells.setdefault((r, f), []).append(row.segment)
    assert len(cells) == 25
    # the only overlap is 'lost' (R = F = 1) carved out of 'hibernating'
    overlaps = {k: v for k, v in cells.items() if len(v) > 1}
    assert overlaps == {(1, 1): ["hibernating", "lost"]}
    grid = pd.DataFrame([(r, f) for r in range(1, 6) for f in range(1, 6)], columns=["R", "F"])
    seg = rfm_segments(grid)
    assert seg.notna().all()
    assert seg[(grid["R"] == 1) & (grid["F"] == 1)].item() == "lost"
    assert seg[(grid["R"] == 2) & (grid["F"] == 1)].item() == "hibernating"
    assert seg[(grid["R"] == 5) & (grid["F"] == 5)].item() == "champions"
    assert seg[(grid["R"] == 1) & (grid["F"] == 5)].item() == "cannot lose them"
    assert seg[(grid["R"] == 2) & (grid["F"] == 3)].item() == "at risk"
    assert seg[(grid["R"] == 4) & (grid["F"] == 4)].item() == "loyal"


def test_rfm_segments_on_cdnow(cdnow_holdout_summary):
    seg = rfm_segments(cdnow_holdout_summary)
    assert len(seg) == 2357 and seg.notna().all()
    scores = rfm_scores(cdnow_holdout_summary)
    # every customer with R = 5 and F >= 4 is a champion, and nobody else
    champ = (scores["R"] == 5) & (scores["F"] >= 4)
    assert ((seg == "champions") == champ).all()
    with pytest.raises(DataError, match="R and F must be scores from 1 to 5"):
        rfm_segments(pd.DataFrame({"R": [0], "F": [3]}))
