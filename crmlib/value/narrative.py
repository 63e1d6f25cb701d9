"""The delivered-value report's sentences and reader's tables: every number quoted is computed from a result.

The notebook ``notebooks/delivered_value.ipynb`` shows tables and figures and says what they show; the
sentences are written here, from the result objects of :mod:`crmlib.value`, so that each quoted number is
tested (``tests/test_value_narrative.py``) and the notebook stays thin. Numbers are rounded as the report
prints them; units are named in each sentence.

References
----------
Kotler, P. & Keller, K. L. (2006). *Marketing Management*, 12th ed., ch. 5 (customer delivered value).
Morris, T. P., White, I. R. & Crowther, M. J. (2019). Using simulation studies to evaluate statistical methods.
    *Statistics in Medicine* 38(11), 2074-2102 (bias, coverage and their Monte-Carlo standard errors).
APA (2020). *Publication Manual*, 7th ed., 6.36 (p-values below 0.001).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._checks import check_level, require_columns
from ..exceptions import DataError
from ..style import p_text
from .instrument import COMPONENT_LABELS
from .scoring import ComponentScores
from .simulate import TRUE_EFFECTS

__all__ = [
    "LABELS",
    "by_label",
    "conclusion_text",
    "data_text",
    "difference_text",
    "effect_table",
    "effect_text",
    "instrument_text",
    "loyalty_text",
    "pairwise_table",
    "pls_text",
    "r2_text",
    "recovery_text",
    "value_map_text",
    "weights_text",
    "with_columns",
]

LABELS: dict[str, str] = {
    "total_value": "Total value",
    "total_cost": "Total cost",
    "dv_difference": "V - C",
    "dv_ratio": "V / C",
    "group_a": "Group a",
    "group_b": "Group b",
    "diff": "Difference (a - b)",
    "welch_t": "Welch t",
    "se_hc3": "SE (HC3)",
    "rmse": "RMSE",
    "coverage_mcse": "MCSE of coverage",
    "switching_costs": "Switching costs",
    "loyalty_type": "Loyalty type",
    "CHOICE": "Repeat choice",
    "quantity": "Quantity",
    "name": "Name",
    "component": "Component",
}
"""Reader's labels of the columns of delivered-value tables (``cap.table(..., labels=value.LABELS)``)."""


def by_label(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with component keys in its index (any level) replaced by their labels (``Product value``).

    Parameters
    ----------
    table : a table indexed (on one or more levels) by component names such as ``product_value``.

    Returns
    -------
    A copy whose index values that are components, loyalty types or columns named in :data:`LABELS`
    (``total_value``, ``switching_costs``) read as their labels (:data:`~crmlib.value.COMPONENT_LABELS`,
    :data:`crmlib.segment.classes.LOYALTY_TYPE_LABELS`); other index values are kept.

    References
    ----------
    Kotler & Keller (2006), ch. 5 (the component names); seed thesis 004, sec. 2.3.1 (the loyalty types).
    """
    from ..segment.classes import LOYALTY_TYPE_LABELS

    names = {**LABELS, **LOYALTY_TYPE_LABELS, **COMPONENT_LABELS}
    out = table.copy()
    if isinstance(out.index, pd.MultiIndex):
        out.index = out.index.set_levels([lv.map(lambda v: names.get(v, v)) for lv in out.index.levels])
    else:
        out.index = out.index.map(lambda v: names.get(v, v))
    return out


def with_columns(values: pd.DataFrame, survey: pd.DataFrame, columns: Sequence[str | None]) -> pd.DataFrame:
    """Delivered values per respondent with the survey's grouping and outcome ``columns`` that exist beside them.

    Parameters
    ----------
    values : ``DeliveredValue.values_`` (one row per respondent, scale points).
    survey : the survey, indexed like ``values``.
    columns : column names to copy from the survey; ``None`` and names the survey lacks are skipped.

    Returns
    -------
    A copy of ``values`` with the columns added.

    References
    ----------
    Kotler & Keller (2006), ch. 5.
    """
    if not values.index.equals(survey.index):
        raise DataError("survey must be indexed like values (one row per respondent)")
    return values.assign(**{c: survey[c] for c in columns if c and c in survey.columns})


def instrument_text(instrument: pd.DataFrame) -> str:
    """One paragraph on the questionnaire: component items, reverse-worded items, outcomes and sources.

    Parameters
    ----------
    instrument : :func:`~crmlib.value.load_instrument` (``value_or_cost``, ``reverse``).

    Returns
    -------
    Markdown text (counts of items).

    References
    ----------
    Sweeney & Soutar (2001), *Journal of Retailing* 77(2) (PERVAL); Petrick (2002), *Journal of Leisure Research*
    34(2) (SERV-PERVAL).
    """
    require_columns(instrument, ["value_or_cost", "reverse"], "instrument")
    comp = instrument["value_or_cost"].isin(["value", "cost"])
    n_out = int((instrument["value_or_cost"] == "outcome").sum())
    return (
        f"The questionnaire has **{int(comp.sum())}** component items on a 1-7 agreement scale "
        "(1 = strongly disagree / 非常不同意, 7 = strongly agree / 非常同意), "
        f"{int(instrument.loc[comp, 'reverse'].sum())} of them worded in reverse, and {n_out} further questions "
        "(satisfaction and retention on 0-100 sliders, a yes/no repeat choice, and the loyalty-type items of "
        "section 7). Items paraphrase ideas of Sweeney & Soutar's (2001) PERVAL, Petrick's (2002) SERV-PERVAL, "
        "Zeithaml (1988) and Cronin, Brady & Hult (2000); the full wording in both languages is in "
        "`data/cdv_instrument.csv`."
    )


def data_text(scores: ComponentScores, values: pd.DataFrame, group: str, *, simulated: bool) -> str:
    """Respondents, providers, missing answers and respondents with a delivered value.

    Parameters
    ----------
    scores : the component scores (:class:`~crmlib.value.ComponentScores`).
    values : delivered values with the ``group`` column (:func:`with_columns`).
    group : the provider column.
    simulated : whether the survey is the SIMULATED one (said in the text).

    Returns
    -------
    Markdown text (counts of respondents and answers).

    References
    ----------
    Kotler & Keller (2006), ch. 5.
    """
    require_columns(values, [group, "dv_difference"], "values")
    n = len(values)
    n_answers = n * sum(len(v) for v in scores.items.values())
    return (
        f"The {'SIMULATED ' if simulated else ''}survey holds **{n:,}** respondents rating "
        f"**{values[group].nunique()}** providers ({group}); {int(scores.report['missing_answers'].sum()):,} of "
        f"{n_answers:,} component answers are missing. A component is scored as the mean of its answered items "
        "when at least half of them are answered; "
        f"**{int(values['dv_difference'].notna().sum()):,}** respondents have all eight components and hence a "
        "delivered value."
    )


def weights_text(weights: pd.DataFrame, weighting: str) -> str:
    """The heaviest value and cost components of the weights used.

    Parameters
    ----------
    weights : :func:`~crmlib.value.bootstrap_weights` (``side``, ``weight``; weights sum to 1 within a side).
    weighting : the method's name, as the text says it.

    Returns
    -------
    Markdown text (weights as shares of their side).

    References
    ----------
    Kotler & Keller (2006), ch. 5.
    """
    require_columns(weights, ["side", "weight"], "weights")
    top = {s: weights.loc[weights["side"] == s, "weight"].idxmax() for s in ("value", "cost")}
    v, c = top["value"], top["cost"]
    return (
        f"With the {weighting} weights, the heaviest value component is **{COMPONENT_LABELS.get(v, v)}** "
        f"({weights.loc[v, 'weight']:.2f} of total value) and the heaviest cost component "
        f"**{COMPONENT_LABELS.get(c, c)}** ({weights.loc[c, 'weight']:.2f} of total cost)."
    )


def value_map_text(table: pd.DataFrame, level: float = 0.95) -> str:
    """The providers that deliver the most and the least value, with the interval of the best.

    Parameters
    ----------
    table : :func:`~crmlib.value.value_map_table` (``dv_difference`` with ``_lower``/``_upper``, ``dv_ratio``).
    level : coverage of the intervals, in (0, 1).

    Returns
    -------
    Markdown text (V - C in the table's scale points; V / C unitless).

    References
    ----------
    Efron & Tibshirani (1993), ch. 13 (percentile intervals).
    """
    level = check_level(level)
    require_columns(table, ["dv_difference", "dv_difference_lower", "dv_difference_upper"], "value map table")
    best, worst = table["dv_difference"].idxmax(), table["dv_difference"].idxmin()
    b, w = table.loc[best], table.loc[worst]
    ratio = "dv_ratio" in table.columns
    return (
        f"Provider **{best}** delivers the most value (V - C = {b['dv_difference']:.2f} points, {level:.0%} CI "
        f"{b['dv_difference_lower']:.2f} to {b['dv_difference_upper']:.2f}"
        + (f"; V / C = {b['dv_ratio']:.2f}" if ratio else "")
        + f"); provider **{worst}** the least ({w['dv_difference']:.2f}"
        + (f", V / C = {w['dv_ratio']:.2f}" if ratio else "")
        + ")."
    )


def pairwise_table(comparison) -> pd.DataFrame:
    """The pairwise differences of a group comparison as a reader's table (the group means are in another table).

    Parameters
    ----------
    comparison : :func:`~crmlib.value.compare_groups` result (its ``pairwise`` table).

    Returns
    -------
    DataFrame indexed by (group a, group b): ``diff``, ``lower``, ``upper``, ``welch_t``, ``df``, ``p_holm``.

    References
    ----------
    Welch (1947), *Biometrika* 34; Holm (1979), *Scandinavian Journal of Statistics* 6.
    """
    pw = getattr(comparison, "pairwise", None)
    if pw is None:
        raise DataError("comparison has no pairwise table: use crmlib.value.compare_groups")
    return pw.set_index(["group_a", "group_b"])[["diff", "lower", "upper", "welch_t", "df", "p_holm"]]


def difference_text(comparison, level: float = 0.95, *, units: str = "points") -> str:
    """Welch's ANOVA over the groups and, for two groups, their difference with its interval.

    Parameters
    ----------
    comparison : :func:`~crmlib.value.compare_groups` result (``omnibus`` and ``pairwise``).
    level : coverage of the bootstrap interval, in (0, 1).
    units : the unit of the compared variable, as the text says it.

    Returns
    -------
    Markdown text (F with its degrees of freedom; p as ``< 0.001`` or three decimals).

    References
    ----------
    Welch (1951), *Biometrika* 38 (the heteroscedastic ANOVA); APA (2020) 6.36.
    """
    level = check_level(level)
    o, pw = comparison.omnibus, comparison.pairwise
    p = p_text(o["p"])
    text = (
        f"Welch's ANOVA of {comparison.variable} across the {o['groups']} groups: F({o['df1']:.0f}, "
        f"{o['df2']:.1f}) = {o['F']:.1f}, p {p if p.startswith('<') else '= ' + p}."
    )
    if len(pw) == 1:
        r = pw.iloc[0]
        text += (
            f" {r['group_a']} minus {r['group_b']}: {r['diff']:.2f} {units} ({level:.0%} CI {r['lower']:.2f} to "
            f"{r['upper']:.2f})."
        )
    return text.replace("dv_difference", "V - C")


def effect_table(regressions: dict[str, pd.DataFrame], predictor: str = "dv_difference") -> pd.DataFrame:
    """One row per model and outcome: the predictor's coefficient, its interval and the model's N and R².

    Parameters
    ----------
    regressions : model name -> :func:`~crmlib.value.regress_outcomes` table.
    predictor : the term shown (the intercept and fixed effects are left out).

    Returns
    -------
    DataFrame indexed by (model, outcome): ``coef``, ``se_hc3``, ``p``, ``lower``, ``upper``, ``n``, ``r2``
    (coefficient in outcome points per predictor point).

    References
    ----------
    MacKinnon & White (1985), *Journal of Econometrics* 29 (HC3).
    """
    rows = {}
    for model, reg in regressions.items():
        if predictor not in reg.index.get_level_values("term"):
            raise DataError(f"regressions[{model!r}] has no term {predictor!r}")
        rows[model] = reg.xs(predictor, level="term")[["coef", "se_hc3", "p", "lower", "upper", "n", "r2"]]
    return pd.concat(rows, names=["model"])


def effect_text(table: pd.DataFrame, level: float = 0.95, *, outcome: str = "SAT") -> str:
    """The pooled effect of V - C on ``outcome`` with its interval and the in-sample R².

    Parameters
    ----------
    table : :func:`effect_table` (a ``pooled`` model).
    level : coverage of the interval, in (0, 1).
    outcome : the outcome quoted.

    Returns
    -------
    Markdown text (outcome points per V - C point).

    References
    ----------
    MacKinnon & White (1985) (HC3).
    """
    level = check_level(level)
    b = table.loc[("pooled", outcome)]
    return (
        f"One scale point more delivered value goes with **{b['coef']:.1f}** points more satisfaction "
        f"({level:.0%} CI {b['lower']:.1f} to {b['upper']:.1f}; in-sample R² = {b['r2']:.2f}: the next table "
        "shows what that figure is worth)."
    )


def r2_text(r2: pd.DataFrame, weighting: str, *, simulated: bool) -> str:
    """Why the in-sample R² is partly circular, and the cross-validated R² with fitted and with equal weights.

    Parameters
    ----------
    r2 : :func:`~crmlib.value.out_of_sample_r2` (indexed by weights and evaluation).
    weighting : the weighting of the report.
    simulated : whether the survey is the SIMULATED one (then the figure is the generator's).

    Returns
    -------
    Markdown text (shares of variance).

    References
    ----------
    Hastie, Tibshirani & Friedman (2009), *The Elements of Statistical Learning*, 2nd ed., sec. 7.10.
    """
    ins = r2.xs("in sample", level="evaluation")["r2"]
    cv = r2.loc[[e.startswith("cross") for e in r2.index.get_level_values("evaluation")], "r2"].droplevel("evaluation")
    first = cv.index[0]
    text = (
        f"The in-sample R² of {ins[first]:.2f} is partly circular when the weights are fitted: with {weighting} "
        "weights the components are weighted by their relation to satisfaction (or choice), and V - C built with "
        "those weights is then regressed on satisfaction. Fitted without the respondents they predict, delivered "
        f"value explains {cv[first]:.0%} of satisfaction ({first} weights) and {cv['equal']:.0%} with equal "
        "weights, which never see satisfaction."
    )
    if simulated:
        e = TRUE_EFFECTS
        text += (
            " On SIMULATED data either figure is set by the noise the generator adds to satisfaction "
            f"(SAT = {e['sat_intercept']:g} + {e['sat_on_dv']:g} x true V - C + noise): it shows the method works, "
            "not how much delivered value matters to real customers."
        )
    return text


def recovery_text(study: pd.DataFrame, level: float = 0.95) -> str:
    """Bias and coverage over the simulated surveys of :func:`~crmlib.value.recovery_study`, against ``level``.

    Parameters
    ----------
    study : the recovery table (indexed by quantity and name; ``bias``, ``coverage``; ``attrs['n_runs']``).
    level : the nominal coverage, in (0, 1).

    Returns
    -------
    Markdown text (bias in weight units, coverage as shares of runs, with the Monte-Carlo standard error of a
    coverage at the nominal level, sqrt(level (1 - level) / runs), Morris et al. 2019 table 6).

    References
    ----------
    Morris, White & Crowther (2019), *Statistics in Medicine* 38(11).
    """
    level = check_level(level)
    runs = int(study.attrs.get("n_runs", 0))
    if runs < 2:
        raise DataError("study must be a recovery_study table (attrs['n_runs'] >= 2)")
    low, high = study["coverage"].idxmin(), study["coverage"].idxmax()
    mcse = float(np.sqrt(level * (1 - level) / runs))
    below = int((study["coverage"] < level - 2 * mcse).sum())
    w = study.xs("weight", level="quantity")["bias"].abs()
    return (
        f"Over {runs} simulated surveys the largest absolute bias of a weight is {w.max():.3f} "
        f"({COMPONENT_LABELS.get(w.idxmax(), w.idxmax())}), and coverage of the {level:.0%} intervals ranges from "
        f"{study['coverage'].min():.0%} ({' / '.join(COMPONENT_LABELS.get(v, v) for v in low)}) to "
        f"{study['coverage'].max():.0%} ({' / '.join(COMPONENT_LABELS.get(v, v) for v in high)}). With {runs} runs a coverage has a Monte-Carlo standard error of about "
        f"{mcse:.1%} at the nominal {level:.0%}; {below} of {len(study)} coverages lie more than two such errors "
        "below it."
    )


def conclusion_text(
    table: pd.DataFrame,
    r2: pd.DataFrame,
    *,
    scale_label: str,
    simulated: bool,
    study: pd.DataFrame | None = None,
    level: float = 0.95,
) -> str:
    """The conclusion: best and worst provider, out-of-sample R², recovery over the simulated surveys.

    Parameters
    ----------
    table : :func:`~crmlib.value.value_map_table` of the providers.
    r2 : :func:`~crmlib.value.out_of_sample_r2`.
    scale_label : the metric of V - C in words.
    simulated : whether the survey is the SIMULATED one.
    study : :func:`~crmlib.value.recovery_study` (simulated survey only) or ``None``.
    level : the nominal coverage of the study's intervals.

    Returns
    -------
    Markdown text.

    References
    ----------
    Kotler & Keller (2006), ch. 5; Morris, White & Crowther (2019).
    """
    best, worst = table["dv_difference"].idxmax(), table["dv_difference"].idxmin()
    cv = r2.loc[[e.startswith("cross") for e in r2.index.get_level_values("evaluation")], "r2"]
    text = (
        f"{'This is a method demonstration on SIMULATED data. ' if simulated else ''}On the survey of "
        f"{int(table['n'].sum()):,} respondents with a delivered value, provider {best} delivers the most value "
        f"(V - C = {table.loc[best, 'dv_difference']:.2f} {scale_label}) and {worst} the least "
        f"({table.loc[worst, 'dv_difference']:.2f}); out of sample, delivered value explains {cv.iloc[0]:.0%} of the "
        f"variance in satisfaction{', a figure set by the simulation' if simulated else ''}."
    )
    if study is not None:
        text += (
            f" Over {study.attrs['n_runs']} simulated surveys the estimates are close to the truth (largest absolute "
            f"bias of a weight {study.xs('weight', level='quantity')['bias'].abs().max():.3f}) and the {level:.0%} "
            f"intervals cover it in {study['coverage'].min():.0%} to {study['coverage'].max():.0%} of the runs."
        )
    return text


def loyalty_text(profile: pd.DataFrame, recovery: pd.DataFrame | None = None) -> str:
    """The largest loyalty types, the type with the most delivered value, and (simulated) how often the rule is right.

    Parameters
    ----------
    profile : :func:`crmlib.segment.loyalty_profile` with a ``dv_difference`` column (scale points).
    recovery : :func:`~crmlib.value.loyalty_recovery` or ``None`` (a real survey has no truth).

    Returns
    -------
    Markdown text (shares of respondents, V - C in scale points).

    References
    ----------
    Seed thesis 004, sec. 2.3.1; Dick & Basu (1994), *Journal of the Academy of Marketing Science* 22(2).
    """
    require_columns(profile, ["n", "share", "dv_difference"], "loyalty profile")
    seen = profile.loc[profile["n"] > 0]
    big = seen["share"].sort_values(ascending=False).head(2)
    top = seen["dv_difference"].idxmax()

    def name(t: str) -> str:
        return "no loyalty" if t == "none" else t.replace("_", "-") + " loyalty"

    text = (
        f"The largest groups are {name(big.index[0])} ({big.iloc[0]:.0%} of respondents) and {name(big.index[1])} "
        f"({big.iloc[1]:.0%}); {name(top)} goes with the most delivered value (mean V - C "
        f"{seen.loc[top, 'dv_difference']:.2f} points)"
    )
    if "none" in seen.index and top != "none":
        text += f", no loyalty with {seen.loc['none', 'dv_difference']:.2f}"
    text += "."
    if recovery is not None:
        rec = recovery.drop(index="all")
        worst = rec["recall"].idxmin()
        text += (
            f" Over {recovery.attrs['n_runs']} SIMULATED surveys the rule (high from {recovery.attrs['high']:g}) "
            f"puts {recovery.loc['all', 'recall']:.0%} of respondents in their true type (from "
            f"{recovery.loc['all', 'recall_min']:.0%} to {recovery.loc['all', 'recall_max']:.0%}); "
            f"{name(worst)} is found least often ({rec.loc[worst, 'recall']:.0%})."
        )
    return text


def pls_text(result, weights: pd.Series, weighting: str) -> str:
    """R² of satisfaction and loyalty in the PLS model, and how the paths rank beside the weights.

    Parameters
    ----------
    result : :func:`crmlib.survey.pls_path_model` result (``paths`` with ``from``, ``estimate``; ``r2``).
    weights : the component weights of the report (per scale point, each side sums to 1).
    weighting : the method's name, as the text says it.

    Returns
    -------
    Markdown text (R² as shares; Spearman's rank correlation of |path| with the weights when they vary).

    References
    ----------
    Hair, Hult, Ringle & Sarstedt (2017), *A Primer on PLS-SEM*, 2nd ed., ch. 6; Spearman (1904).
    """
    text = f"R² of satisfaction {result.r2['SAT']:.2f}, of loyalty {result.r2['LOY']:.2f}."
    if weights.nunique() > 1:
        paths = result.paths.set_index("from").loc[list(weights.index), "estimate"].abs()
        rho = paths.corr(weights, method="spearman")
        text += (
            f" The rank correlation of the absolute standardised paths with the {weighting} weights is {rho:.2f} "
            "(paths are per standard deviation, weights per scale point)."
        )
    return text
