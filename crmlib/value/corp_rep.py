"""A PARTIAL mapping of the real corporate-reputation survey onto the CDV components.

The corporate-reputation survey of Hair, Hult, Ringle & Sarstedt (*A Primer on
PLS-SEM*, 2nd ed. 2017; ``crmlib.datasets.load_corp_rep``) was not designed to
measure delivered value. Some of its items are close to CDV components and serve
here as an example of adapting the method to an existing survey:

=================  =====================================  ======================================
component          corp_rep items                         reading
=================  =====================================  ======================================
product_value      qual_1, qual_2, qual_4                 quality of the products and services
service_value      qual_5, qual_6                         customer concerns, reliable partner
personnel_value    (none)                                 MISSING: no item on the staff met
image_value        perf_1..perf_5, attr_1..attr_3         performance and attractiveness
monetary_cost      switch_2                               PROXY: money it costs to switch
time_cost          switch_1                               PROXY: time it takes to switch
energy_cost        switch_3, switch_4                     PROXY: effort / hassle of switching
physical_cost      (none)                                 MISSING
=================  =====================================  ======================================

Missing components: personnel value and physical cost. The cost side is a
proxy only: switching costs are what leaving would cost, not what buying and
using costs, and they are expected to *raise* loyalty (lock-in), whereas
Kotler's costs lower delivered value. The quality items are on 1-7, the
switching items on 1-5, so scores use the 0-100 POMP metric. Items left out:
qual_3 (value for money, a net-value judgement), qual_7, qual_8, and the CSR,
competence and likeability blocks. Outcomes: ``cusa`` (satisfaction, 1-7) and
``cusl`` = mean of cusl_1..cusl_3 (loyalty, 1-7).
"""

from __future__ import annotations

import pandas as pd

from ..datasets import load_corp_rep
from ..exceptions import DataError
from .instrument import COMPONENTS

__all__ = ["CORP_REP_MAPPING", "CORP_REP_MISSING", "corp_rep_partial"]

CORP_REP_MAPPING: dict[str, list[str]] = {
    "product_value": ["qual_1", "qual_2", "qual_4"],
    "service_value": ["qual_5", "qual_6"],
    "image_value": ["perf_1", "perf_2", "perf_3", "perf_4", "perf_5", "attr_1", "attr_2", "attr_3"],
    "monetary_cost": ["switch_2"],
    "time_cost": ["switch_1"],
    "energy_cost": ["switch_3", "switch_4"],
}
"""CDV component -> corp_rep items (a partial mapping; costs are switching-cost proxies)."""
CORP_REP_MISSING: list[str] = [c for c in COMPONENTS if c not in CORP_REP_MAPPING]
"""Kotler components with no corp_rep item: personnel value, physical cost."""


def corp_rep_partial() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The corp_rep data with a CDV codebook for the PARTIAL mapping.

    Returns
    -------
    data : the survey (``crmlib.datasets.load_corp_rep().data``) with
        ``provider`` (``"provider 1"``..``"provider 4"``) and ``cusl`` (mean of
        the three loyalty items) added.
    codebook : CDV codebook of the mapped items (``construct`` = component,
        ``value_or_cost``), to be scored with ``scale="pomp"`` and
        ``require_all=False``.
    mapping : one row per Kotler component: ``items`` (or ``"MISSING"``) and
        ``status`` (``measured``, ``proxy`` or ``missing``).
    """
    survey = load_corp_rep()
    cb = survey.codebook.set_index("item")
    rows = []
    for comp, items in CORP_REP_MAPPING.items():
        for it in items:
            if it not in cb.index:
                raise DataError(f"corp_rep codebook lacks column {it!r}")
            r = cb.loc[it]
            rows.append(
                {
                    "item": it,
                    "construct": comp,
                    "construct_label": r["construct_label"],
                    "scale_min": int(r["scale_min"]),
                    "scale_max": int(r["scale_max"]),
                    "reverse": bool(r["reverse"]),
                    "missing_codes": r["missing_codes"],
                    "wording": r["wording"],
                    "value_or_cost": "value" if comp.endswith("_value") else "cost",
                }
            )
    codebook = pd.DataFrame(rows)
    data = survey.data.copy()
    data["provider"] = "provider " + data["serviceprovider"].astype("string")
    data["cusl"] = data[["cusl_1", "cusl_2", "cusl_3"]].astype("Float64").mean(axis=1, skipna=True).astype(float)
    data["cusa"] = data["cusa"].astype("Float64").astype(float)
    mapping = pd.DataFrame(
        {
            "side": ["value" if c.endswith("_value") else "cost" for c in COMPONENTS],
            "items": [", ".join(CORP_REP_MAPPING.get(c, [])) or "MISSING" for c in COMPONENTS],
            "status": [
                "missing"
                if c not in CORP_REP_MAPPING
                else ("proxy (switching cost)" if c.endswith("_cost") else "measured")
                for c in COMPONENTS
            ],
        },
        index=pd.Index(list(COMPONENTS), name="component"),
    )
    return data, codebook, mapping
