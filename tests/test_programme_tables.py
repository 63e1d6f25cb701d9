"""crmlib.programme_tables: the thesis's programme figures and the SIMULATED difference-in-differences.

Oracles: the thesis's printed Table 4 (ratio 1.18, cost total 6,741,373 yuan) and its own totals; the DiD of a
hand-made panel as the difference of the four cell means, and the effect run shifted by exactly the effect.
"""

from __future__ import annotations

import pandas as pd
import pytest

from crmlib import programme_tables


def test_correctness_thesis_programme_from_the_printed_tables():
    t = programme_tables.thesis_programme()
    assert t.printed_ratio == pytest.approx(1.18) and t.printed_cost_total == 6_741_373
    assert t.evaluation.benefit_cost_ratio == pytest.approx(1.036, abs=5e-4)
    assert t.cost_lines == 2_186_784  # the printed cost lines do not add up to the printed total
    text = programme_tables.thesis_sentence(t)
    assert "+6 percentage points" in text and "sum to 2,186,784 yuan, not the printed total 6,741,373" in text


def test_correctness_simulated_did_by_cell_means():
    ids = list(range(1, 9))
    profit = {0: [1.0, 2, 3, 4, 5, 6, 7, 8], 1: [2.0, 2, 5, 3, 9, 6, 7, 12]}
    panel = pd.DataFrame(
        {
            "customer_id": ids * 2,
            "window_index": [0] * 8 + [1] * 8,
            "profit": profit[0] + profit[1],
        }
    )
    t = programme_tables.simulated_did(panel, 5.0, 3, "USD")
    f = t["frame"]
    from crmlib.programme import simulate_treatment

    sim = simulate_treatment(panel, effect=0.0, seed=3)
    m = sim.groupby(["treated", "post"])["y"].mean()
    want = (m[1, 1] - m[1, 0]) - (m[0, 1] - m[0, 0])
    assert f.loc["placebo", "estimate"] == pytest.approx(want)
    assert f.loc["simulated effect", "estimate"] == pytest.approx(want + 5.0)
    assert f.loc["simulated effect", "true_effect"] == 5.0 and f.attrs == {"n_obs": 16, "n_clusters": 8}
    assert "16 customer-periods, 8 customers" in t["note"]
