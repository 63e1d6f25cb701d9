"""Reader tables of the segment analyses: entropy against AHP weights on the same customers.

:func:`customer_indicators` builds the four indicators of a purchase log's customers, :func:`compare_weightings`
scores them with entropy and AHP weights (:mod:`crmlib.segment.mcda`), and the ``*_table`` functions return the
keyword arguments of :meth:`crmlib.style.Captioner.table` (labels, Saaty's fractions, units); the
``*_sentence`` functions the prose that quotes them.

References
----------
Zou, Z., Yun, Y. & Sun, J. (2006). Entropy method for determination of weight of evaluating indicators in
    fuzzy synthetic evaluation for water quality assessment. *Journal of Environmental Sciences* 18(5), 1020-1023.
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from . import utility
from .mcda import AHPResult, EntropyWeights, ahp_weights, entropy_weights, score_customers

__all__ = [
    "WeightingComparison",
    "ahp_table",
    "compare_weightings",
    "class_sentence",
    "class_table",
    "credit_rule_table",
    "customer_indicators",
    "index_weights_table",
    "judgement_table",
    "plot_index_against_truth",
    "rating_recovery",
    "recovery_table",
    "rating_table",
    "entropy_table",
    "top_customers_table",
    "vip_payment_table",
    "weighting_sentence",
]

_INDICATOR_LABELS = {
    "profit": "Profit",
    "orders": "Orders",
    "mean_order_value": "Mean order value",
    "recency_days": "Recency (days)",
}


def _money(x: float) -> str:
    return "" if pd.isna(x) else f"{x:,.2f}"


def customer_indicators(customers: pd.DataFrame, observation_end: Any) -> pd.DataFrame:
    """Four indicators per customer: profit, orders, mean order value and recency (days to the window's end).

    Parameters
    ----------
    customers : from :func:`crmlib.profit.customer_profit`.
    observation_end : the window's last day.

    Returns
    -------
    DataFrame indexed by customer: ``profit`` (currency units), ``orders`` (count), ``mean_order_value``
    (currency units per order), ``recency_days`` (days; less is better).

    References
    ----------
    Seed paper 001, part 3 (a customer evaluation index system of several indicators).
    """
    end = pd.Timestamp(observation_end)
    return pd.DataFrame(
        {
            "profit": customers["profit"],
            "orders": customers["orders"],
            "mean_order_value": customers["revenue"] / customers["orders"],
            "recency_days": (end - customers["last_purchase"]).dt.days,
        }
    )


@dataclass(frozen=True)
class WeightingComparison:
    """Entropy against AHP weights on the same customers (:func:`compare_weightings`).

    Attributes
    ----------
    entropy, ahp : :class:`crmlib.EntropyWeights` and :class:`crmlib.AHPResult`.
    judgements : the AHP pairwise judgements (row over column).
    scores : per customer ``score_entropy`` and ``score_ahp`` (0-1), sorted by the entropy score.
    rank_correlation : Spearman's rho of the two scores.
    top_overlap : share of the top 10% by the entropy score that are in the top 10% by the AHP score.
    """

    entropy: EntropyWeights
    ahp: AHPResult
    judgements: pd.DataFrame
    scores: pd.DataFrame
    rank_correlation: float
    top_overlap: float


def compare_weightings(X: pd.DataFrame, matrix: Any, benefit: dict[str, bool]) -> WeightingComparison:
    """Score customers with entropy weights and with AHP weights and compare the two rankings.

    Parameters
    ----------
    X : indicators per customer (e.g. :func:`customer_indicators`).
    matrix : AHP pairwise judgements, a square array in the indicators' order (row over column).
    benefit : indicator -> True when more is better (others are reversed).

    Returns
    -------
    :class:`WeightingComparison`.

    References
    ----------
    Zou, Yun & Sun (2006) (entropy weights); Saaty (1980) (AHP).
    """
    jm = pd.DataFrame(np.asarray(matrix, dtype=float), index=X.columns, columns=X.columns)
    ew = entropy_weights(X, benefit=benefit)
    ahp = ahp_weights(jm)
    s_ent = score_customers(X, ew.weights, benefit=benefit)
    s_ahp = score_customers(X, ahp.weights, benefit=benefit)
    both = s_ent[["score"]].join(s_ahp[["score"]], lsuffix="_entropy", rsuffix="_ahp")
    rho = float(both["score_entropy"].rank().corr(both["score_ahp"].rank()))
    k = int(np.ceil(0.1 * len(both)))
    overlap = len(set(s_ent.index[:k]) & set(s_ahp.index[:k])) / k
    return WeightingComparison(ew, ahp, jm, both, rho, overlap)


def entropy_table(comparison: WeightingComparison) -> dict[str, Any]:
    """Table of the entropy weights: entropy, divergence and weight per indicator (labelled).

    Parameters
    ----------
    comparison : from :func:`compare_weightings`.

    References
    ----------
    Zou, Yun & Sun (2006), eq. (1)-(4).
    """
    frame = comparison.entropy.summary().rename(index=_INDICATOR_LABELS)
    frame.index.name = "Indicator"
    return {
        "frame": frame,
        "caption": "Entropy weights of the indicators (min-max normalised; recency reversed)",
        "labels": {"entropy": "Entropy e", "divergence": "Divergence 1 - e", "weight": "Weight"},
    }


def _fraction(x: float) -> str:
    f = Fraction(float(x)).limit_denominator(9)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def judgement_table(matrix: pd.DataFrame, weights: pd.Series, caption: str) -> dict[str, Any]:
    """Table of AHP judgements written as Saaty's scale writes them (3, 1/3), with the AHP weights.

    Parameters
    ----------
    matrix : the pairwise judgements (row over column), labelled rows and columns.
    weights : the AHP weights of the rows (:func:`crmlib.segment.ahp_weights`), summing to 1.
    caption : the table's caption.

    Returns
    -------
    Keyword arguments of :meth:`crmlib.style.Captioner.table`.

    References
    ----------
    Saaty (1980), ch. 2 (the 1-9 scale and its reciprocals).
    """
    j = matrix.map(_fraction)
    j["Weight"] = pd.Series(weights).reindex(matrix.index).to_numpy()
    j.index.name = "Row over column"
    return {"frame": j, "caption": caption}


def ahp_table(comparison: WeightingComparison) -> dict[str, Any]:
    """Table of the AHP judgements written as Saaty's scale writes them (3, 1/3) with the weights.

    Parameters
    ----------
    comparison : from :func:`compare_weightings`.

    References
    ----------
    Saaty (1980), ch. 2 (the 1-9 scale and its reciprocals).
    """
    m = comparison.judgements.rename(index=_INDICATOR_LABELS, columns=_INDICATOR_LABELS)
    w = comparison.ahp.weights.rename(index=_INDICATOR_LABELS)
    return judgement_table(m, w, "AHP pairwise judgements (row over column, Saaty's 1-9 scale) and weights")


def top_customers_table(comparison: WeightingComparison, customers: pd.DataFrame, currency: str) -> dict[str, Any]:
    """Table of the ten best customers by the entropy-weighted score, with the AHP score, profit and orders.

    Parameters
    ----------
    comparison : from :func:`compare_weightings` (scores 0-1).
    customers : per customer ``profit`` (currency units) and ``orders`` (count).
    currency : the currency label.

    References
    ----------
    Zou, Yun & Sun (2006); Saaty (1980).
    """
    frame = comparison.scores.head(10).join(customers[["profit", "orders"]])
    labels = {"score_entropy": "Score, entropy weights", "score_ahp": "Score, AHP weights"}
    labels["profit"] = f"Profit ({currency})"
    return {
        "frame": frame,
        "caption": "The ten best customers by the entropy-weighted score (0-1), with their AHP-weighted score",
        "labels": labels,
        "floatfmt": {"score_entropy": "{:.3f}", "score_ahp": "{:.3f}", "profit": _money},
    }


def weighting_sentence(comparison: WeightingComparison) -> str:
    """The paragraph comparing entropy and AHP weights.

    Parameters
    ----------
    comparison : from :func:`compare_weightings`.

    References
    ----------
    Zou, Yun & Sun (2006); Saaty (1980).
    """
    c, w = comparison, comparison.entropy.weights
    ok = c.ahp.consistent
    return (
        f"Entropy weights give **{_INDICATOR_LABELS.get(w.idxmax(), w.idxmax()).lower()}** the largest weight "
        f"({w.max():.2f}): entropy rewards an indicator concentrated on few customers, not its importance. The AHP "
        f"judgements {'pass' if ok else 'fail'} Saaty's consistency check (CR = {c.ahp.cr:.3f} {'<=' if ok else '>'} "
        f"{c.ahp.threshold:.2f}). The two scores rank customers {'alike' if c.rank_correlation > 0.9 else 'differently'} "
        f"(Spearman rho = {c.rank_correlation:.3f}); {c.top_overlap:.0%} of the top 10% coincide."
    )


_CLASS_WORDS = {
    "high_value_added": "high-value-added",
    "valuable": "valuable",
    "low_value": "low-value",
    "sleeping": "sleeping",
    "potential": "potential",
    "target": "target",
    "actual": "actual",
    "lost": "lost",
}


def class_table(profile: pd.DataFrame, currency: str, calibration_end: Any) -> dict[str, Any]:
    """Table of :func:`crmlib.segment.behaviour.class_profile`: shares in percent, money with two decimals.

    Parameters
    ----------
    profile : from :func:`~crmlib.segment.behaviour.class_profile` (by class or by state).
    currency : the currency label of the value columns.
    calibration_end : the day the classes are assigned (columns after it are "afterwards").

    Returns
    -------
    Keyword arguments of :meth:`crmlib.style.Captioner.table`.

    References
    ----------
    Seed slides 003 (the bank's classes); seed thesis 004, sec. 2.1 (the four states).
    """
    p = profile.rename(index=lambda k: _CLASS_WORDS.get(str(k), str(k)))
    for c in ("customer_share", "value_share", "bought_after_share"):
        p[c] = 100 * p[c]
    by = str(profile.index.name or "class")
    day = f"{pd.Timestamp(calibration_end):%Y-%m-%d}"
    labels = {
        by: by.capitalize(),
        "customers": "Customers",
        "customer_share": "Customers (%)",
        "mean_purchases": "Mean purchase days",
        "mean_days_since_last": "Mean days since last purchase",
        "mean_p_alive": "Mean P(alive)",
        "value": f"Profit to {day} ({currency})",
        "value_share": "Profit (% of total)",
        "bought_after_share": f"Bought after {day} (%)",
        "mean_value_after": f"Mean profit after {day} ({currency})",
    }
    fmt = {
        "customer_share": "{:,.1f}",
        "mean_purchases": "{:,.2f}",
        "mean_days_since_last": "{:,.0f}",
        "mean_p_alive": "{:.2f}",
        "value": _money,
        "value_share": "{:,.1f}",
        "bought_after_share": "{:,.1f}",
        "mean_value_after": _money,
    }
    what = "customer classes of the bank" if by == "class" else "customer states"
    caption = f"The {what} on {day}: size, behaviour, profit, and purchases afterwards"
    return {"frame": p, "caption": caption, "labels": labels, "floatfmt": fmt}


def class_sentence(classes: pd.DataFrame, states: pd.DataFrame, sleeping_below: float, lost_below: float) -> str:
    """The paragraph on the classes and states: sizes, value, and whether the later purchases bear them out.

    Parameters
    ----------
    classes, states : :func:`~crmlib.segment.behaviour.class_profile` by class and by state.
    sleeping_below, lost_below : the P(alive) thresholds used (probabilities).

    References
    ----------
    Seed slides 003; seed thesis 004, sec. 2.1; Fader, Hardie & Lee (2005) (P(alive)).
    """
    c, s = classes, states
    top = c.index[0]
    ok = s.loc["lost", "bought_after_share"] < s.loc["actual", "bought_after_share"]
    return (
        f"**{c.loc['sleeping', 'customer_share']:.1%}** of the customers are sleeping (P(alive) below "
        f"{sleeping_below:.2f}); the {_CLASS_WORDS[str(top)]} class, {c.loc[top, 'customer_share']:.1%} of the "
        f"customers, brings {c.loc[top, 'value_share']:.1%} of the profit so far. Of the customers called lost "
        f"(P(alive) below {lost_below:.2f}), {s.loc['lost', 'bought_after_share']:.1%} bought again afterwards, "
        f"against {s.loc['actual', 'bought_after_share']:.1%} of the actual customers: the states "
        f"{'separate' if ok else 'do not separate'} who comes back. Potential customers are the "
        f"{int(s.loc['potential', 'customers']):,} people whose first purchase comes later (a log holds no one "
        "else who has not bought); the target state needs the firm's campaign list, so it is empty here."
    )


def index_weights_table(index: pd.DataFrame) -> dict[str, Any]:
    """Table of the evaluation index's weights: each indicator's weight within its group and in the index.

    Parameters
    ----------
    index : from :func:`crmlib.segment.utility.evaluation_index` (``attrs["weights"]`` within groups,
        ``attrs["economic_weight"]``).

    Returns
    -------
    Keyword arguments of :meth:`crmlib.style.Captioner.table`; the frame is indexed by the indicator's meaning
    with ``group``, ``unit``, ``better``, ``weight_in_group`` and ``weight`` (in the index; sums to 1).

    References
    ----------
    Seed paper 001, part 3; Zou, Yun & Sun (2006) (entropy weights within a group); Saaty (1980) (group weight).
    """
    from .utility import INDICATORS

    w_e = float(index.attrs["economic_weight"])
    within = pd.Series(index.attrs["weights"], name="weight_in_group")
    frame = INDICATORS.reindex(within.index)[["meaning", "unit", "better"]]
    frame["meaning"] = frame["meaning"].fillna(pd.Series(within.index, index=within.index))
    frame.insert(1, "group", pd.Series(index.attrs["groups"]).reindex(within.index))
    frame = frame.join(within)
    frame["weight"] = frame["weight_in_group"] * np.where(frame["group"] == "economic", w_e, 1 - w_e)
    frame = frame.set_index("meaning")
    frame.index.name = "Indicator"
    labels = {
        "better": "Better when",
        "weight_in_group": "Entropy weight in its group",
        "weight": "Weight in the index",
    }
    return {
        "frame": frame,
        "caption": f"Indicator weights: entropy within each group, groups weighted {w_e:.2f} / {1 - w_e:.2f} by AHP",
        "labels": labels,
    }


def rating_table(ratings: pd.DataFrame, customers: pd.DataFrame, index: pd.DataFrame) -> dict[str, Any]:
    """Table of the credit ratings: size, payment behaviour, mean index and the payment method each decides.

    Parameters
    ----------
    ratings : from :func:`crmlib.segment.utility.credit_ratings` (``rating``, ``payment_method``).
    customers : the customers' ``on_time_share`` and ``arrears_months`` (same index).
    index : from :func:`crmlib.segment.utility.evaluation_index` (``index``).

    Returns
    -------
    Keyword arguments of :meth:`crmlib.style.Captioner.table`: one row per rating.

    References
    ----------
    Seed paper 001, part 3 ("credit rating decides the payment method").
    """
    d = ratings.join(customers[["on_time_share", "arrears_months"]]).join(index["index"])
    g = d.groupby("rating", observed=False)
    frame = pd.DataFrame(
        {
            "customers": g.size(),
            "customer_share": 100 * g.size() / len(d),
            "on_time_pct": 100 * g["on_time_share"].mean(),
            "arrears_months": g["arrears_months"].mean(),
            "index": g["index"].mean(),
            "payment_method": g["payment_method"].first(),
        }
    )
    frame.index.name = "Rating"
    labels = {
        "customers": "Customers",
        "customer_share": "Customers (%)",
        "on_time_pct": "Mean bills paid on time (%)",
        "arrears_months": "Mean months in arrears",
        "index": "Mean evaluation index (0-1)",
        "payment_method": "Payment method",
    }
    fmt = {"customer_share": "{:.1f}", "on_time_pct": "{:.1f}", "arrears_months": "{:.2f}", "index": "{:.3f}"}
    return {
        "frame": frame,
        "caption": "Credit ratings and the payment method each decides",
        "labels": labels,
        "floatfmt": fmt,
    }


def rating_recovery(true_rating: pd.Series, ratings: pd.DataFrame) -> tuple[pd.DataFrame, float, float]:
    """The credit rule against the SIMULATED true rating: counts by true and assigned rating, and agreement.

    Parameters
    ----------
    true_rating : the rating the simulation drew (``simulate_utility_customers``'s ``true_rating``).
    ratings : from :func:`crmlib.segment.utility.credit_ratings`, same index.

    Returns
    -------
    ``(table, agreement, within_one)``: counts (rows: true rating; columns: assigned), the share of customers
    rated as their true rating and the share rated at most one grade away (fractions).

    References
    ----------
    Seed paper 001, part 3; Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement* 20(1), 37-46 (agreement of two classifications).
    """
    t = pd.Series(true_rating).reindex(ratings.index)
    a = ratings["rating"]
    table = pd.crosstab(t, a, dropna=False).rename_axis(index="True rating", columns="Assigned rating")
    return (table, *utility.rating_agreement(t, a))


_MEASURES = {
    "rho": "Spearman rho, index vs true value",
    "vip_precision": "VIP list: share truly among the best",
    "agreement": "Credit rule: true rating",
    "within_one": "Credit rule: at most one grade off",
}


def recovery_table(study: pd.DataFrame, vip_share: float) -> dict[str, Any]:
    """Table of :func:`crmlib.segment.utility.recovery_study`: each measure's mean, spread and worst run.

    Parameters
    ----------
    study : the study's frame (measures by ``mean``, ``sd``, ``mcse``, ``q025``, ``q975``, ``worst``).
    vip_share : the VIP list's share of customers (for the caption).

    Returns
    -------
    Keyword arguments of :meth:`crmlib.style.Captioner.table`.

    References
    ----------
    Morris, White & Crowther (2019), as in :func:`~crmlib.segment.utility.recovery_study`.
    """
    frame = study.rename(index=_MEASURES).rename_axis("Measure")
    n_runs, n = study.attrs["n_runs"], study.attrs["n_customers"]
    caption = (
        f"Method demonstration: recovery of the SIMULATED truth over {n_runs} simulated bases of {n:,} customers "
        f"(VIP list: the best {vip_share:.0%} by the index): mean over runs with its Monte-Carlo SE, SD, the "
        "middle 95% of runs and the worst run"
    )
    labels = {
        "mean": "Mean",
        "sd": "SD",
        "mcse": "MC SE",
        "q025": "2.5% of runs",
        "q975": "97.5% of runs",
        "worst": "Worst run",
    }
    return {"frame": frame, "caption": caption, "labels": labels, "floatfmt": "{:.3f}", "n": n_runs}


def credit_rule_table(on_time_cuts: Sequence[float], arrears_cuts: Sequence[int]) -> dict[str, Any]:
    """Table of the credit rule: the limits of each rating and the payment method it decides.

    Parameters
    ----------
    on_time_cuts : least share of bills paid on time for A, B, C (shares, decreasing).
    arrears_cuts : most months in arrears over the last year for A, B, C (counts, increasing).

    Returns
    -------
    Keyword arguments of :meth:`crmlib.style.Captioner.table` (D: every customer who meets none of the rows).

    References
    ----------
    Seed paper 001, part 3 ("credit rating decides the payment method").
    """
    from .utility import CREDIT_RATINGS, PAYMENT_METHODS

    rows = [
        (r, f"at least {100 * float(o):g}%", f"at most {int(a)}", PAYMENT_METHODS[r])
        for r, o, a in zip(CREDIT_RATINGS[:3], on_time_cuts, arrears_cuts)
    ]
    rows.append(("D", "any other", "any other", PAYMENT_METHODS["D"]))
    frame = pd.DataFrame(rows, columns=["Rating", "Bills paid on time", "Months in arrears", "Payment method"])
    return {"frame": frame.set_index("Rating"), "caption": "The credit rule: the first row a customer meets"}


def vip_payment_table(index: pd.DataFrame, ratings: pd.DataFrame, vip_share: float) -> dict[str, Any]:
    """Table of VIP customers (the top ``vip_share`` by the index) and the others by credit rating (counts).

    Parameters
    ----------
    index : from :func:`crmlib.segment.utility.evaluation_index` (``rank``).
    ratings : from :func:`crmlib.segment.utility.credit_ratings`, same customers.
    vip_share : share of customers, best by the index, on the VIP list (in (0, 1]).

    Returns
    -------
    Keyword arguments of :meth:`crmlib.style.Captioner.table`; ``frame.attrs["vip_low_credit"]`` is the share
    of VIP customers rated C or D (a fraction).

    References
    ----------
    Seed paper 001, part 3 (VIP list by the index; payment method by credit).
    """
    from .._checks import check_probability

    share = float(check_probability(vip_share, "vip_share", open_interval=True))
    k = int(np.ceil(share * len(index)))
    vip = pd.Series(np.where(index["rank"] <= k, "VIP", "other"), index=index.index)
    frame = pd.crosstab(vip.reindex(ratings.index), ratings["rating"], dropna=False).reindex(["VIP", "other"])
    frame.index.name, frame.columns.name = "Customers", None
    frame["All"] = frame.sum(axis=1)
    frame.attrs["vip_low_credit"] = float(frame.loc["VIP", ["C", "D"]].sum() / frame.loc["VIP", "All"])
    caption = f"VIP customers (top {share:.0%} by the index) and the other customers by credit rating (counts)"
    return {"frame": frame, "caption": caption}


def plot_index_against_truth(index: pd.DataFrame, truth: pd.Series, ax=None):
    """Scatter of the evaluation index against the SIMULATED true value, with Spearman's rho in the title.

    Parameters
    ----------
    index : from :func:`crmlib.segment.utility.evaluation_index` (``index``, 0-1).
    truth : the simulated latent value per customer (``true_value``; standard-normal units).
    ax : matplotlib axes (a new figure when ``None``).

    Returns
    -------
    The figure.

    References
    ----------
    Spearman, C. (1904). The proof and measurement of association between two things. *American Journal of
    Psychology* 15(1), 72-101.
    """
    import matplotlib.pyplot as plt
    from scipy import stats

    from ..style import label_axes

    t = pd.Series(truth).reindex(index.index)
    rho = float(stats.spearmanr(index["index"], t)[0])
    if ax is None:
        _, ax = plt.subplots()
    ax.scatter(t, index["index"], s=6, alpha=0.4)
    label_axes(
        ax, "True (SIMULATED) customer value, standard units", "Evaluation index (0-1)", f"Spearman rho = {rho:.3f}"
    )
    return ax.figure
