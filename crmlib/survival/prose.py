"""The sentences of the retention reports, written from the numbers they quote.

A report's prose that quotes a number must compute it (CONTRIBUTING: never typed). These
functions hold that prose, so the notebooks stay thin and every sentence is tested against the
tables it reads: each takes the result tables of :mod:`crmlib.survival` and returns Markdown.

References
----------
APA (2020). *Publication Manual*, 7th ed., sec. 6.36 (p-values: "p < .001" below 0.001).
Fader, P. S. & Hardie, B. G. S. (2007, 2010) for the sBG sentences; Morris, White & Crowther
(2019), Stat. Med. 38, 2074-2102, for the recovery sentences.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..style import p_text

__all__ = [
    "conclusion_contracts",
    "conclusion_transactions",
    "data_paragraph",
    "event_date_figures",
    "event_date_paragraph",
    "logrank_sentence",
    "model_choice_paragraph",
    "ph_sentence",
    "recovery_sentence",
    "sbg_sentence",
    "value_sentence",
    "window_sentence",
]


def _p(p: float) -> str:
    text = p_text(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def data_paragraph(sd: pd.DataFrame, label: str, *, notes: Sequence[str] = (), simulated: str | None = None) -> str:
    """The data paragraph: customers, churned and censored (counts, shares), the observation end and the churn rule.

    ``sd`` is survival data from :func:`~crmlib.survival.from_contracts` / ``from_transactions``
    (``attrs['observation_end']``, ``attrs['definition']``); ``notes``: the intake's checks of the log;
    ``simulated``: the generator's description when the data are SIMULATED.
    """
    n, churned = len(sd), int(sd["churned"].sum())
    text = (
        f"**Data: {label}.** {n:,} customers, of whom {churned:,} ({churned / n:.1%}) are observed to churn and "
        f"{n - churned:,} are censored (still active at the end of observation, "
        f"{pd.Timestamp(sd.attrs['observation_end']):%d %B %Y}). **Churn rule:** {sd.attrs['definition']}."
    )
    if notes:
        text += f" **Checks of the log:** {'; '.join(notes)}."
    if simulated:
        text += f" *These data are simulated:* {simulated}."
    return text


def logrank_sentence(overall: pd.DataFrame, segment: str) -> str:
    """Whether the segments differ, from the first table of :func:`~crmlib.survival.logrank`."""
    row = overall.iloc[0]
    verdict = "differ" if row["p"] < 0.05 else "do not differ detectably"
    return (
        f"The {segment} groups {verdict} in retention (chi-square {row['test_statistic']:.2f} on "
        f"{int(row['df'])} df, {_p(float(row['p']))})."
    )


def event_date_figures(event_dates: pd.DataFrame) -> dict[str, tuple[float, str, str]]:
    """Key figures of :func:`~crmlib.survival.event_date_comparison`: name -> (value, unit, description)."""
    a, k, r = event_dates.iloc[0], event_dates.iloc[1], event_dates.iloc[2]
    rm = [c for c in event_dates.columns if str(c).startswith("rmst_")][0]
    return {
        "one_day_churn_share": (float(a["one_day_share"]), "share", "share who churned after a single purchase day"),
        "median_active_lifetime_days": (float(a["median_days"]), "days", "KM median, churn at last purchase"),
        "median_time_to_known_churn_days": (
            float(k["median_days"]),
            "days",
            "KM median, churn when the lapse is complete",
        ),
        "median_active_lifetime_repeat_buyers_days": (
            float(r["median_days"]),
            "days",
            "KM median, two or more purchase days",
        ),
        "restricted_mean_active_lifetime_days": (float(a[rm]), "days", f"restricted mean active lifetime ({rm})"),
    }


def event_date_paragraph(event_dates: pd.DataFrame, never_share: float, inactivity_days: int, event_at: str) -> str:
    """What the two event dates and the repeat buyers' curve say (rows of ``event_date_comparison``)."""
    a, k, r = event_dates.iloc[0], event_dates.iloc[1], event_dates.iloc[2]
    rm = [c for c in event_dates.columns if str(c).startswith("rmst_")][0]
    h = float(rm.split("_")[1])
    where = "last purchase" if event_at == "last_purchase" else "completed lapse"
    return (
        f"{a['one_day_share']:.1%} of the {event_dates.attrs['n']:,} customers bought on one day and then lapsed, so "
        f"**measured as active lifetime the median customer lasts {a['median_days']:g} day(s)** - a true statement "
        f"about these data, not an artefact: {never_share:.1%} never buy on a second day at all. Dating churn when it "
        f"becomes known adds the {inactivity_days}-day window to every lifetime (median {k['median_days']:g} days; no "
        f"one can churn sooner, so this curve says nothing new). The informative summaries are the restricted mean "
        f"active lifetime, {a[rm]:.0f} days within the first {h:g}, and the lifetime of the "
        f"{event_dates.attrs['repeat_buyers']:,} repeat buyers: median {r['median_days']:g} days (95% CI "
        f"{r['median_days_lower']:g}-{r['median_days_upper']:g}), with {r[f'S({h:g} d)']:.1%} still buying after "
        f"{h:g} days. The rest of the report dates churn at the **{where}**."
    )


def window_sentence(sensitivity: pd.DataFrame, inactivity_days: int) -> str:
    """How the inactivity window moves churn and one-year retention (table of ``window_sensitivity``)."""
    lo, hi = sensitivity.iloc[0], sensitivity.iloc[-1]
    return (
        f"The window is a choice, and it matters: with {int(lo['inactivity_days'])} days {lo['churn_share']:.1%} of "
        f"the customers count as churned, with {int(hi['inactivity_days'])} days {hi['churn_share']:.1%}; one-year "
        f"retention moves from {lo['S(365 d)']:.1%} to {hi['S(365 d)']:.1%}, and the share who churn and then buy "
        f"again from {lo['returned_share']:.1%} to {hi['returned_share']:.1%}. The rest of the report uses "
        f"{inactivity_days} days."
    )


def ph_sentence(ph_check: pd.DataFrame, remedied: Sequence[str]) -> str:
    """The proportional-hazards verdict and what was done (table of ``ChurnCox.check_proportional_hazards``)."""
    k, total = int(ph_check["violated"].sum()), len(ph_check)
    if remedied:
        return (
            f"{k} of {total} covariates fail the proportional-hazards check; the model is refitted with "
            f"{', '.join(remedied)} as strata (table above), whose effect the unstratified model overstates as constant."
        )
    if k:
        return f"{k} of {total} covariates fail the proportional-hazards check; their hazard ratios are averages over tenure."
    return f"0 of {total} covariates fail the proportional-hazards check, so the hazard ratios can be read as constant over tenure."


def model_choice_paragraph(
    calibration: pd.DataFrame, ph_check: pd.DataFrame, aft_table: pd.DataFrame, *, relied_on: str
) -> str:
    """Which model the report relies on and why: PH verdict, AIC of the AFT models and calibration against KM.

    ``calibration`` is :func:`~crmlib.survival.mean_survival_table` of the candidate models (columns
    ``<name> - KM``), ``ph_check`` the PH check of the single Cox model, ``aft_table`` the table of
    :func:`~crmlib.survival.compare_aft`; ``relied_on`` names the model in ``calibration`` the report uses.
    """
    gaps = {
        c[: -len(" - KM")]: float(calibration[c].abs().max()) for c in calibration.columns if str(c).endswith(" - KM")
    }
    k = int(ph_check["violated"].sum())
    others = ", ".join(f"{100 * g:.2f} for the {name}" for name, g in gaps.items() if name != relied_on)
    verdict = (
        f"fails the proportional-hazards check for {k} of {len(ph_check)} covariates; the accelerated-failure-time "
        "models need no proportional hazards"
        if k
        else f"passes the proportional-hazards check for all {len(ph_check)} covariates"
    )
    return (
        f"**The model this report relies on: {relied_on}.** The Cox model {verdict}. Of the AFT models the "
        f"{aft_table.index[0]} fits best by AIC (Akaike weight {aft_table['akaike_weight'].iloc[0]:.2f}). What "
        f"decides is whether a model's mean predicted survival follows Kaplan-Meier over the same customers: the "
        f"largest gap at days {', '.join(f'{t:g}' for t in calibration.index)} is {100 * gaps[relied_on]:.2f} percentage "
        f"points for the {relied_on}, against {others}."
    )


def recovery_sentence(recovery: pd.DataFrame) -> str:
    """Coverage and bias of the hazard ratios over the runs of :func:`~crmlib.survival.hazard_ratio_recovery`."""
    return (
        f"Over {recovery.attrs['n_runs']} simulated runs the 95% intervals cover the truth in {recovery['coverage'].min():.0%}-"
        f"{recovery['coverage'].max():.0%} of runs (Monte-Carlo SE up to {recovery['coverage_mcse'].max():.0%}) and the largest "
        f"bias of a log hazard ratio is {recovery['bias_log'].abs().max():.3f}: the Cox estimator recovers the truth of a "
        "proportional-hazards model. The single data set above is one draw from this distribution."
    )


def sbg_sentence(by_period: pd.DataFrame, drift: pd.DataFrame | None = None) -> str:
    """The sBG holdout error of this data set, and (``drift``: :func:`sbg_holdout_recovery`) over many runs."""
    hold = by_period.loc[~by_period["fitted"]]
    err = hold["S_sbg"] - hold["S_km"]
    text = (
        f"In the {len(hold)} holdout periods the sBG projection differs from the observed share retained by "
        f"{err.iloc[0]:+.3f} to {err.iloc[-1]:+.3f} (largest |error| {err.abs().max():.3f})."
    )
    if drift is not None:
        grows = drift["mean_error"].iloc[-1] > drift["mean_error"].iloc[0] + 2 * drift["mean_error_mcse"].iloc[-1]
        text += (
            f" Over {drift.attrs['n_runs']} simulated data sets the mean error goes from "
            f"{drift['mean_error'].iloc[0]:+.3f} (MCSE {drift['mean_error_mcse'].iloc[0]:.3f}) in the first holdout "
            f"period to {drift['mean_error'].iloc[-1]:+.3f} (MCSE {drift['mean_error_mcse'].iloc[-1]:.3f}) in the last"
            + (
                ": a systematic drift, not noise. sBG explains falling churn by heterogeneity alone; here each "
                "customer's own hazard falls with tenure too (Weibull shape below 1), which sBG cannot represent."
                if grows
                else ": no drift beyond Monte-Carlo noise."
            )
        )
    return text


def value_sentence(
    values: pd.Series, km_value: pd.Series, currency: str, *, model: str, cox_values: pd.Series | None = None
) -> str:
    """Customer values from a model's curves against the Kaplan-Meier value of the average customer."""
    text = (
        f"Customer values from the {model} range from {values.min():,.2f} to {values.max():,.2f} {currency} (median "
        f"{values.median():,.2f}, mean {values.mean():,.2f}); the Kaplan-Meier value of the average customer is "
        f"{km_value['value']:,.2f} (95% CI {km_value['lower']:,.2f} to {km_value['upper']:,.2f})."
    )
    if cox_values is not None:
        text += (
            f" The single Cox model would give a mean of {cox_values.mean():,.2f}, "
            f"{cox_values.mean() / km_value['value'] - 1:+.0%} against Kaplan-Meier: it does not fit these data, so its "
            "values are not used."
        )
    return text


def conclusion_contracts(
    sd: pd.DataFrame,
    label: str,
    pooled: pd.Series,
    cox_table: pd.DataFrame,
    ph_check: pd.DataFrame,
    p_logrank: float,
    segment: str,
    sbg_error: float,
    *,
    recovery: pd.DataFrame | None = None,
    elasticity: float | None = None,
) -> str:
    """The conclusion of the contracts report (``pooled``: the all-customer row of the KM summary)."""
    driver = np.log(cox_table["hazard_ratio"]).abs().idxmax()
    text = (
        f"Of {len(sd):,} customers ({label}), {sd['churned'].mean():.1%} are observed to churn; a year after the start "
        f"{pooled['S(365)']:.1%} are still customers. The {segment} groups "
        f"{'differ' if p_logrank < 0.05 else 'do not differ detectably'} in retention (log-rank {_p(p_logrank)}). "
        f"The largest effect in the Cox model is {driver} (hazard ratio {cox_table.loc[driver, 'hazard_ratio']:.2f}); the "
        f"proportional-hazards check flags {int(ph_check['violated'].sum())} of {len(ph_check)} covariates. In the holdout periods "
        f"the sBG projection is within {sbg_error:.3f} of Kaplan-Meier."
    )
    if elasticity is not None:
        text += f" One per cent more retention for every customer raises a new customer's discounted value by {elasticity:.1f}%."
    if recovery is not None:
        text += (
            f" **These are SIMULATED data:** the numbers demonstrate the methods (over {recovery.attrs['n_runs']} runs the "
            f"intervals cover the true hazard ratios in {recovery['coverage'].min():.0%}-{recovery['coverage'].max():.0%} "
            "of runs); they say nothing about real customers."
        )
    else:
        text += " The hazard ratios are associations, not causal effects."
    return text


def conclusion_transactions(
    sd: pd.DataFrame,
    label: str,
    pooled: pd.Series,
    parts: pd.DataFrame,
    gap: float,
    calibration: pd.DataFrame,
    p_logrank: float,
    segment: str,
    inactivity_days: int,
    driver: str = "log_first_amount",
) -> str:
    """The conclusion of the log report: what the two-part model finds (``parts``: ``TwoPartChurn.summary``)."""
    rows = parts.xs(driver, level="covariate")
    odds, haz = rows.iloc[0], rows.iloc[1]
    more, later = ("more" if odds["ratio"] > 1 else "less"), ("later" if haz["ratio"] < 1 else "sooner")
    cox_gap = [c for c in calibration.columns if str(c).startswith("single Cox") and str(c).endswith(" - KM")]
    text = (
        f"Of {len(sd):,} customers ({label}), {sd['churned'].mean():.1%} are observed to churn under the "
        f"{inactivity_days}-day rule, and {1 - parts.attrs['return_share']:.1%} lapse after their first purchase day. "
        f"A year after the first purchase {pooled['S(365)']:.1%} are still in their **first active spell** (some who "
        "lapsed buy again later, section 1: not the share still buying). **What the model finds:** a larger first "
        f"order goes with being {more} likely to buy again before lapsing (odds ratio {odds['ratio']:.2f} per e-fold "
        f"of the first order, 95% CI {odds['lower']:.2f}-{odds['upper']:.2f}) and, among those who do, with churning "
        f"{later} (hazard ratio {haz['ratio']:.2f}, {haz['lower']:.2f}-{haz['upper']:.2f}); the two-part model's mean "
        f"survival is within {100 * gap:.2f} percentage points of Kaplan-Meier at days "
        f"{', '.join(f'{t:g}' for t in calibration.index)}"
    )
    if cox_gap:
        text += f", where the single Cox model was {100 * calibration[cox_gap[0]].iloc[0]:+.0f} points off at day {calibration.index[0]:g}"
    verdict = (
        f" The {segment} groups do not differ detectably in retention (log-rank {_p(p_logrank)}), so their values do "
        "not rank them."
        if p_logrank >= 0.05
        else f" The {segment} groups differ in retention (log-rank {_p(p_logrank)})."
    )
    return text + "." + verdict
