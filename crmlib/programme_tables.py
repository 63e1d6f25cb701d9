"""Reader tables and sentences of programme evaluation: the thesis's published aggregates and a SIMULATED DiD.

:func:`thesis_programme` reads the S-company thesis's Tables 2 and 4 (bundled) into a with/without table and a
cost-benefit evaluation of the printed totals; :func:`simulated_did` runs the difference-in-differences of
:mod:`crmlib.programme` on a SIMULATED random treatment of a real profit panel (a placebo and a known effect).

References
----------
Angrist, J. D. & Pischke, J.-S. (2009). *Mostly Harmless Econometrics*. Princeton University Press, ch. 5.
Boardman, A. E., Greenberg, D. H., Vining, A. R. & Weimer, D. L. (2018). *Cost-Benefit Analysis*, 5th ed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import datasets, programme

__all__ = ["ThesisProgramme", "did_recovery_table", "simulated_did", "thesis_programme", "thesis_sentence"]


@dataclass(frozen=True)
class ThesisProgramme:
    """The thesis's programme figures (:func:`thesis_programme`).

    Attributes
    ----------
    table2 : :class:`crmlib.programme.WithWithoutTable` of thesis Table 2 (profit rates, percent).
    evaluation : :class:`crmlib.programme.ProgrammeEvaluation` from Table 4's printed totals (yuan).
    printed_ratio : Table 4's printed benefit-cost ratio.
    printed_cost_total, cost_lines : Table 4's printed cost total and the sum of its printed cost lines (yuan).
    """

    table2: Any
    evaluation: Any
    printed_ratio: float
    printed_cost_total: float
    cost_lines: float


def thesis_programme() -> ThesisProgramme:
    """Thesis Tables 2 and 4 (bundled): the with/without table and a cost-benefit evaluation of the totals.

    References
    ----------
    The S-company thesis (seed 004), Tables 2 and 4; Boardman et al. (2018), *Cost-Benefit Analysis*, 5th ed.
    """
    t2 = programme.with_without_table(datasets.load_thesis_profit_rates())
    thesis = datasets.load_thesis_tables()
    rows = thesis.loc[thesis["table"] == "table4"]
    t4 = rows.set_index("item")["value"]
    ev = programme.evaluate_programme(
        pd.DataFrame({"kind": ["cost", "revenue"], "amount": [t4["cost_total"], t4["revenue_total"]]})
    )
    is_line = rows["item"].str.startswith("cost_") & (rows["unit"] == "yuan") & (rows["item"] != "cost_total")
    lines = float(rows.loc[is_line, "value"].sum())
    return ThesisProgramme(t2, ev, float(t4["cost_benefit_ratio"]), float(t4["cost_total"]), lines)


def thesis_sentence(thesis: ThesisProgramme) -> str:
    """The sentence on the thesis's difference of differences and its benefit-cost ratio.

    Parameters
    ----------
    thesis : from :func:`thesis_programme` (profit rates in percent; money in yuan).

    References
    ----------
    The S-company thesis (seed 004), Tables 2 and 4.
    """
    t = thesis
    return (
        f"The difference of differences is {t.table2.table.iloc[-1]['difference']:+.0f} percentage points; it is "
        f"descriptive only. Thesis Table 4 prints a benefit-cost ratio of {t.printed_ratio:.2f}; its printed totals "
        f"give {t.evaluation.benefit_cost_ratio:.3f} (ROI {t.evaluation.roi:.1%}), and its printed cost lines sum to "
        f"{t.cost_lines:,.0f} yuan, not the printed total {t.printed_cost_total:,.0f}."
    )


def simulated_did(panel: pd.DataFrame, effect: float, seed: int, currency: str) -> dict[str, Any]:
    """Difference-in-differences on a SIMULATED treatment: a placebo run and a run with a known effect.

    Parameters
    ----------
    panel : customer x period profits (:func:`crmlib.profit.profit_panel`, two windows).
    effect : the SIMULATED effect added to the treated customers' period-2 profit (currency units).
    seed : seed of the random assignment (the same for both runs).
    currency : the currency label.

    Returns
    -------
    Keyword arguments of :meth:`crmlib.style.Captioner.table` (tag ``"SIMULATED treatment"``); the frame
    has one row per run (true effect, estimate, SE, 95% interval, p) and ``attrs`` ``n_obs``, ``n_clusters``.

    References
    ----------
    Angrist, J. D. & Pischke, J.-S. (2009). *Mostly Harmless Econometrics*, ch. 5 (difference-in-differences);
    Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference. *Journal of
    Human Resources* 50(2), 317-372.
    """
    rows = []
    for name, true in (("placebo", 0.0), ("simulated effect", float(effect))):
        sim = programme.simulate_treatment(panel, effect=true, seed=seed)
        res = programme.difference_in_differences(sim, "y", "treated", "post", cluster="customer_id")
        rows.append(
            {
                "run": name,
                "true_effect": true,
                "estimate": res.estimate,
                "se": res.std_error,
                "lower": res.lower,
                "upper": res.upper,
                "p_value": res.p_value,
            }
        )
    frame = pd.DataFrame(rows).set_index("run")
    frame.attrs.update({"n_obs": res.n_obs, "n_clusters": res.n_clusters})
    labels = {
        "run": "Run",
        "true_effect": f"True effect ({currency})",
        "estimate": f"Estimate ({currency})",
        "lower": "95% lower",
        "upper": "95% upper",
    }
    note = (
        f"OLS of profit on treated, period 2 and their product (the estimate); standard errors clustered by customer "
        f"({res.n_obs:,} customer-periods, {res.n_clusters:,} customers). The treatment is a random half of the "
        "customers (seeded); only the profits are the log's."
    )
    caption = f"Difference-in-differences of profit per customer and period ({currency})"
    return {"frame": frame, "caption": caption, "labels": labels, "floatfmt": "{:,.2f}", "note": note}


def did_recovery_table(study: pd.DataFrame, currency: str) -> dict[str, Any]:
    """Table of :func:`crmlib.programme.did_recovery`: bias, spread, standard error and coverage over the runs.

    Parameters
    ----------
    study : the study's one-row frame.
    currency : the currency label.

    Returns
    -------
    Keyword arguments of :meth:`crmlib.style.Captioner.table` (tag ``"SIMULATED treatment"``).

    References
    ----------
    Bertrand, Duflo & Mullainathan (2004); Morris, White & Crowther (2019).
    """
    level, n_runs = study.attrs["level"], study.attrs["n_runs"]
    labels = {
        "true_effect": f"True effect ({currency})",
        "mean_estimate": f"Mean estimate ({currency})",
        "bias": "Bias",
        "bias_mcse": "MC SE of bias",
        "sd_estimate": "SD of estimates",
        "mean_se": "Mean cluster-robust SE",
        "coverage": f"Coverage of the {level:.0%} CI",
        "coverage_mcse": "MC SE of coverage",
    }
    caption = (
        f"Method demonstration: the difference-in-differences over {n_runs} SIMULATED treatments of the same "
        "customers (a new random half each run)"
    )
    note = (
        "The SE is right when the mean SE is close to the SD of the estimates and the coverage is close to its "
        f"nominal {level:.0%}; the placebo test (no effect) then rejects in the other runs. MC SE: Monte-Carlo "
        "standard error over the runs."
    )
    return {
        "frame": study.rename(index={"effect": "simulated effect"}),
        "caption": caption,
        "labels": labels,
        "floatfmt": "{:,.3f}",
        "note": note,
        "n": n_runs,
        "tag": "SIMULATED treatment",
    }
