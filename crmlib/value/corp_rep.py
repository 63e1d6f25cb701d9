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

__all__ = ["CORP_REP_MAPPING", "CORP_REP_MISSING", "corp_rep_partial", "corp_rep_switching", "switching_text"]

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


def corp_rep_switching(level: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Satisfaction and loyalty on the value side and on switching costs, in the real corp_rep survey.

    The value side is the equal-weight total value of the measured value components (0-100 POMP). The
    switching-cost items are kept apart as what they measure, a barrier to leaving (``switching_costs``: the
    equal-weight mean of the three proxy components, 0-100 POMP), not as Kotler's cost of buying: a barrier is
    expected to raise loyalty (Jones, Mothersbaugh & Beatty 2000), a cost of buying to lower delivered value.

    Parameters
    ----------
    level : coverage of the HC3 intervals, in (0, 1).

    Returns
    -------
    ``(mapping, regressions)``: the component mapping of :func:`corp_rep_partial`, and the slopes of
    :func:`~crmlib.value.regress_outcomes` of ``cusa`` and ``cusl`` (1-7) on ``total_value`` and
    ``switching_costs`` (indexed by outcome and term: ``coef`` in outcome points per POMP point, ``se_hc3``,
    ``p``, ``lower``, ``upper``; the intercepts left out); ``attrs["r2"]`` and ``attrs["n"]``: outcome -> R² and
    respondents of each regression.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M. & Sarstedt, M. (2017). *A Primer on PLS-SEM*, 2nd ed. (the data);
    Jones, M. A., Mothersbaugh, D. L. & Beatty, S. E. (2000). Switching barriers and repurchase intentions in
    services. *Journal of Retailing* 76(2), 259-274.
    """
    from .consequences import regress_outcomes
    from .model import DeliveredValue

    data, codebook, mapping = corp_rep_partial()
    fit = DeliveredValue("equal", scale="pomp", form="difference", require_all=False).fit(data, codebook)
    frame = pd.DataFrame(
        {
            "total_value": fit.values_["total_value"],
            "switching_costs": fit.values_["total_cost"],
            "cusa": data["cusa"],
            "cusl": data["cusl"],
        }
    )
    reg = regress_outcomes(frame, ["cusa", "cusl"], ["total_value", "switching_costs"], level=level)
    fit_stats = reg.groupby(level="outcome", sort=False)[["r2", "n"]].first()
    out = reg.drop(index="const", level="term")[["coef", "se_hc3", "p", "lower", "upper"]]
    out.attrs.update({"r2": fit_stats["r2"].to_dict(), "n": {k: int(v) for k, v in fit_stats["n"].items()}})
    return mapping, out


def switching_text(regressions: pd.DataFrame, significance: float = 0.05) -> str:
    """What the corp_rep regressions say about the value side and about switching costs as a cost.

    Parameters
    ----------
    regressions : the second result of :func:`corp_rep_switching` (``cusl`` on ``total_value`` and
        ``switching_costs``).
    significance : the p-value below which a relation is called clear.

    Returns
    -------
    Markdown text (coefficients in loyalty points, 1-7, per POMP point).

    References
    ----------
    Jones, Mothersbaugh & Beatty (2000); Kotler & Keller (2006), ch. 5.
    """
    from ..style import p_text

    def rel(r) -> str:
        return "no clear" if r["p"] >= significance else ("a positive" if r["coef"] > 0 else "a negative")

    def p(r) -> str:
        t = p_text(r["p"])
        return t if t.startswith("<") else "= " + t

    v, c = regressions.loc[("cusl", "total_value")], regressions.loc[("cusl", "switching_costs")]
    verdict = {
        "a positive": "as a barrier to leaving would, and as Kotler's cost of buying would not",
        "a negative": "as a cost would; yet the items ask what leaving would cost, not what buying costs",
        "no clear": "so they neither act as a barrier here nor stand in for Kotler's cost of buying",
    }[rel(c)]
    r2 = regressions.attrs.get("r2", {})
    fit = f" (R² of loyalty {r2['cusl']:.2f}, of satisfaction {r2['cusa']:.2f})" if {"cusa", "cusl"} <= set(r2) else ""
    return (
        f"On the real survey, loyalty shows {rel(v)} relation to the value side ({v['coef']:.3f} points per POMP "
        f"point, p {p(v)}) and {rel(c)} relation to switching costs ({c['coef']:.3f}, p {p(c)}){fit}, {verdict}. "
        "A real delivered-value study needs the cost items of the questionnaire in section 1."
    )
