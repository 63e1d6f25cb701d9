"""Hand-made codebook and answers shared by the tests of crmlib.value (test_value_*.py)."""

from __future__ import annotations

import pandas as pd

from crmlib.value import (
    COMPONENTS,
    VALUE_COMPONENTS,
)


def tiny_codebook(n_items: int = 2, lo: int = 1, hi: int = 7) -> pd.DataFrame:
    """Eight components with ``n_items`` items each; the second item of each is reverse-coded."""
    rows = []
    for comp in COMPONENTS:
        for j in range(1, n_items + 1):
            rows.append(
                {
                    "item": f"{comp}_{j}",
                    "construct": comp,
                    "construct_label": comp,
                    "scale_min": lo,
                    "scale_max": hi,
                    "reverse": j == 2,
                    "missing_codes": "-9",
                    "wording": "",
                    "value_or_cost": "value" if comp in VALUE_COMPONENTS else "cost",
                }
            )
    return pd.DataFrame(rows)


# answers (item 1, item 2 as recorded; item 2 is reverse-coded: 8 - answer)
HAND = {
    "product_value": (6, 2),  # 6, 6 -> 6
    "service_value": (5, 4),  # 5, 4 -> 4.5
    "personnel_value": (4, 5),  # 4, 3 -> 3.5
    "image_value": (7, 1),  # 7, 7 -> 7
    "monetary_cost": (3, 5),  # 3, 3 -> 3
    "time_cost": (2, 7),  # 2, 1 -> 1.5
    "energy_cost": (4, 4),  # 4, 4 -> 4
    "physical_cost": (1, 6),  # 1, 2 -> 1.5
}
HAND_SCORES = {
    "product_value": 6,
    "service_value": 4.5,
    "personnel_value": 3.5,
    "image_value": 7,
    "monetary_cost": 3,
    "time_cost": 1.5,
    "energy_cost": 4,
    "physical_cost": 1.5,
}


def hand_data(rows: int = 1) -> pd.DataFrame:
    rec = {f"{c}_{j + 1}": [HAND[c][j]] * rows for c in COMPONENTS for j in range(2)}
    return pd.DataFrame(rec, index=pd.RangeIndex(1, rows + 1, name="respondent"))
