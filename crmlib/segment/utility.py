"""The electricity-supply customer evaluation index and the credit rating that decides the payment method.

The electricity paper (seed paper 001, part 3) proposes a customer evaluation index system mixing economic
indicators (usable power, profit contribution, fees) with social ones (contract execution, metering and tariff
compliance, subsidies), and a credit rating that decides how a customer pays. Worked here on the machinery of
:mod:`crmlib.segment.mcda`: entropy weights within each group of indicators, the two groups combined by a
top-level weight (e.g. from :func:`~crmlib.segment.mcda.ahp_weights` on a 2 x 2 judgement), on a SIMULATED
utility customer base (:func:`simulate_utility_customers`) whose indicators are drawn from a known customer value.

References
----------
Seed paper 001, part 3 (electricity supply): the evaluation index system and credit-based payment methods.
Zou, Yun & Sun (2006) and Saaty (1980), as in :mod:`crmlib.segment.mcda`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._checks import as_rng, check_count, check_probability, require_columns, rows_text
from ..exceptions import DataError
from .mcda import entropy_weights, score_customers

__all__ = [
    "CREDIT_RATINGS",
    "ECONOMIC_INDICATORS",
    "INDICATORS",
    "PAYMENT_METHODS",
    "SOCIAL_INDICATORS",
    "TRUE_CREDIT_CUTS",
    "credit_ratings",
    "evaluation_index",
    "rating_agreement",
    "recovery_study",
    "simulate_utility_customers",
]

ECONOMIC_INDICATORS: tuple[str, ...] = ("usable_power_mwh", "load_factor", "profit_contribution", "fees_paid_share")
SOCIAL_INDICATORS: tuple[str, ...] = ("contract_execution", "metering_compliance", "tariff_compliance", "subsidy_share")
CREDIT_RATINGS: tuple[str, ...] = ("A", "B", "C", "D")
PAYMENT_METHODS: dict[str, str] = {
    "A": "post-paid monthly bill",
    "B": "post-paid monthly bill with a deposit",
    "C": "payment in advance (monthly instalments)",
    "D": "prepaid meter",
}
"""Payment method by credit rating (crmlib's reading of the paper's "credit rating decides the payment method")."""
TRUE_CREDIT_CUTS: tuple[float, ...] = tuple(float((np.log(q / (1 - q)) - 2.0) / 1.5) for q in (0.95, 0.8, 0.6))
"""Latent credit at which the SIMULATED base's true rating changes (A above the first, D below the last)."""
INDICATORS = pd.DataFrame(
    [
        ("usable_power_mwh", "economic", "usable power (consumption)", "MWh a year", "more"),
        ("load_factor", "economic", "load factor (mean / peak load)", "share", "more"),
        ("profit_contribution", "economic", "profit contribution", "currency units a year", "more"),
        ("fees_paid_share", "economic", "fees paid (payment record)", "share of billed fees", "more"),
        ("contract_execution", "social", "contract execution", "share of terms kept", "more"),
        ("metering_compliance", "social", "metering compliance", "share of readings in order", "more"),
        ("tariff_compliance", "social", "tariff compliance", "share of bills at the right tariff", "more"),
        ("subsidy_share", "social", "subsidies received", "share of the bill", "less"),
    ],
    columns=["indicator", "group", "meaning", "unit", "better"],
).set_index("indicator")
"""The SIMULATED base's indicators: group, meaning, unit and direction (seed paper 001, part 3)."""


def simulate_utility_customers(n_customers: int = 500, *, seed: int | np.random.Generator) -> pd.DataFrame:
    """A SIMULATED electricity customer base: indicators drawn from a known customer value and credit.

    Each customer has a latent ``true_value`` ~ N(0, 1); the economic indicators rise with it (plus noise), the
    social indicators rise with it more weakly, ``subsidy_share`` falls with it (a cost indicator). Payment
    behaviour follows a separate latent ``true_credit`` ~ N(0, 1): ``on_time_share`` =
    logistic(2 + 1.5 credit + N(0, 0.4²)) and ``arrears_months`` ~ Poisson(exp(-0.5 - 1.2 credit)). The
    ``true_rating`` cuts the latent credit at :data:`TRUE_CREDIT_CUTS`, the credits at which the noise-free
    on-time share equals the default cuts of :func:`credit_ratings` (0.95, 0.80, 0.60), so that the rule's
    recovery of the true classes can be measured.

    Parameters
    ----------
    n_customers : customers drawn.
    seed : int or numpy Generator (None refused).

    Returns
    -------
    DataFrame indexed by ``customer_id``: the eight indicators of :data:`ECONOMIC_INDICATORS` and
    :data:`SOCIAL_INDICATORS` (:data:`INDICATORS`: MWh a year, shares, currency units), ``on_time_share``,
    ``arrears_months``, ``true_value``, ``true_credit``, ``true_rating`` (A-D) and ``data_source`` = SIMULATED.

    References
    ----------
    Seed paper 001, part 3 (the indicators).
    """
    n = check_count(n_customers, "n_customers", minimum=2)
    rng = as_rng(seed)
    v = rng.normal(size=n)
    e = rng.normal(size=(n, 8))
    credit = rng.normal(size=n)
    arrears = rng.poisson(np.exp(-0.5 - 1.2 * credit))
    slip = rng.normal(scale=0.4, size=n)  # bills paid late by chance: the on-time share is a noisy reading of credit
    out = pd.DataFrame(
        {
            "usable_power_mwh": np.exp(5.0 + 0.8 * v + 0.3 * e[:, 0]),
            "load_factor": 1 / (1 + np.exp(-(0.6 * v + 0.5 * e[:, 1]))),
            "profit_contribution": 1000 * np.exp(0.9 * v + 0.3 * e[:, 2]),
            "fees_paid_share": 1 / (1 + np.exp(-(2.0 + 0.8 * v + 0.5 * e[:, 3]))),
            "contract_execution": 1 / (1 + np.exp(-(1.0 + 0.4 * v + 0.6 * e[:, 4]))),
            "metering_compliance": 1 / (1 + np.exp(-(1.5 + 0.3 * v + 0.6 * e[:, 5]))),
            "tariff_compliance": 1 / (1 + np.exp(-(1.5 + 0.3 * v + 0.6 * e[:, 6]))),
            "subsidy_share": 1 / (1 + np.exp(-(-2.0 - 0.5 * v + 0.5 * e[:, 7]))),
            "on_time_share": 1 / (1 + np.exp(-(2.0 + 1.5 * credit + slip))),
            "arrears_months": arrears,
            "true_value": v,
            "true_credit": credit,
            "true_rating": pd.Categorical(
                np.array(CREDIT_RATINGS)[np.searchsorted(-np.array(TRUE_CREDIT_CUTS), -credit)],
                categories=CREDIT_RATINGS,
            ),
            "data_source": "SIMULATED",
        },
        index=pd.RangeIndex(1, n + 1, name="customer_id"),
    )
    return out


def evaluation_index(
    X: pd.DataFrame,
    *,
    economic: Sequence[str] = ECONOMIC_INDICATORS,
    social: Sequence[str] = SOCIAL_INDICATORS,
    economic_weight: float = 0.75,
    cost: Sequence[str] = ("subsidy_share",),
) -> pd.DataFrame:
    """The customer evaluation index: entropy weights within the economic and the social group, groups combined.

    ``index_i = w_E sum_j w_j z_ij + (1 - w_E) sum_k w_k z_ik`` with min-max standardised indicators ``z``
    (cost indicators reversed), entropy weights ``w_j`` within each group and the group weight ``w_E``.

    Parameters
    ----------
    X : indicators per customer.
    economic, social : the columns of each group.
    economic_weight : weight of the economic group (share in [0, 1]; e.g. the first AHP weight of a 2 x 2
        judgement "economic is 3 times as important as social", which gives 0.75).
    cost : columns where less is better (reversed before scoring).

    Returns
    -------
    DataFrame indexed like ``X``: ``economic``, ``social`` (group scores in [0, 1]), ``index`` and ``rank``
    (1 = best), sorted by rank; ``attrs["weights"]`` holds every indicator's weight within its group and
    ``attrs["economic_weight"]`` the group weight, ``attrs["groups"]`` each indicator's group.

    References
    ----------
    Seed paper 001, part 3; Zou, Yun & Sun (2006), eq. (1)-(4); Saaty (1980) for the group weight.
    """
    require_columns(X, [*economic, *social], "utility customers")
    w_e = float(check_probability(economic_weight, "economic_weight"))
    parts, weights = {}, {}
    for name, cols in (("economic", list(economic)), ("social", list(social))):
        benefit = {c: c not in cost for c in cols}
        w = entropy_weights(X[cols], benefit=benefit).weights
        parts[name] = score_customers(X[cols], w, benefit=benefit)["score"].reindex(X.index)
        weights.update({c: float(w[c]) for c in cols})
    out = pd.DataFrame(parts)
    out["index"] = w_e * out["economic"] + (1 - w_e) * out["social"]
    out["rank"] = out["index"].rank(method="min", ascending=False).astype(int)
    out = out.sort_values("rank", kind="stable")
    groups = {c: "economic" for c in economic} | {c: "social" for c in social}
    out.attrs.update({"weights": weights, "economic_weight": w_e, "groups": groups})
    return out


def credit_ratings(
    on_time_share: pd.Series,
    arrears_months: pd.Series,
    *,
    on_time_cuts: Sequence[float] = (0.95, 0.8, 0.6),
    arrears_cuts: Sequence[int] = (0, 1, 3),
) -> pd.DataFrame:
    """Credit rating A-D from payment behaviour, and the payment method it decides.

    A customer is rated A when its on-time share is at least ``on_time_cuts[0]`` and its months in arrears at
    most ``arrears_cuts[0]``; else B with the second pair, C with the third; else D.

    Parameters
    ----------
    on_time_share : share of bills paid on time per customer (share in [0, 1]).
    arrears_months : months in arrears over the last year per customer (count), same index.
    on_time_cuts : three decreasing on-time shares for A, B, C.
    arrears_cuts : three increasing arrears limits (months) for A, B, C.

    Returns
    -------
    DataFrame indexed like ``on_time_share``: ``rating`` (categorical A-D) and ``payment_method``
    (:data:`PAYMENT_METHODS`).

    References
    ----------
    Seed paper 001, part 3 ("credit rating decides the payment method").
    """
    share = pd.to_numeric(on_time_share, errors="coerce").astype("float64")
    arrears = pd.to_numeric(pd.Series(arrears_months, index=share.index), errors="coerce").astype("float64")
    bad = ~np.isfinite(share.to_numpy()) | (share < 0).to_numpy() | (share > 1).to_numpy()
    if bad.any():
        raise DataError(f"on_time_share must be a share in [0, 1]; not in {rows_text(bad, share.index)}")
    bad = ~np.isfinite(arrears.to_numpy()) | (arrears < 0).to_numpy()
    if bad.any():
        raise DataError(f"arrears_months must be a count >= 0; not in {rows_text(bad, share.index)}")
    oc, ac = list(map(float, on_time_cuts)), list(map(float, arrears_cuts))
    if len(oc) != 3 or len(ac) != 3 or not (oc[0] > oc[1] > oc[2]) or not (ac[0] < ac[1] < ac[2]):
        raise DataError(
            f"on_time_cuts must be 3 decreasing shares and arrears_cuts 3 increasing counts, got {oc}, {ac}"
        )
    rating = np.full(len(share), "D", dtype=object)
    for r, o, a in reversed(list(zip(CREDIT_RATINGS[:3], oc, ac))):
        rating[(share >= o).to_numpy() & (arrears <= a).to_numpy()] = r
    out = pd.DataFrame({"rating": pd.Categorical(rating, categories=CREDIT_RATINGS)}, index=share.index)
    out["payment_method"] = out["rating"].astype(str).map(PAYMENT_METHODS)
    return out


def rating_agreement(true_rating: pd.Series, rating: pd.Series) -> tuple[float, float]:
    """Share of customers rated as their true rating, and share rated at most one grade away.

    Parameters
    ----------
    true_rating, rating : ratings A-D (:data:`CREDIT_RATINGS`) of the same customers (same index).

    Returns
    -------
    ``(agreement, within_one)``: fractions of the customers.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and Psychological
    Measurement* 20(1), 37-46 (observed agreement of two classifications).
    """
    grade = {r: k for k, r in enumerate(CREDIT_RATINGS)}
    t = pd.Series(true_rating).astype(str).map(grade)
    a = pd.Series(rating).reindex(t.index).astype(str).map(grade)
    if t.isna().any() or a.isna().any():
        raise DataError(
            f"ratings must be one of {', '.join(CREDIT_RATINGS)}; not in {rows_text(t.isna() | a.isna(), t.index)}"
        )
    gap = np.abs(t.to_numpy() - a.to_numpy())
    return float(np.mean(gap == 0)), float(np.mean(gap <= 1))


def recovery_study(
    n_runs: int,
    *,
    n_customers: int = 2000,
    economic_weight: float = 0.75,
    on_time_cuts: Sequence[float] = (0.95, 0.8, 0.6),
    arrears_cuts: Sequence[int] = (0, 1, 3),
    vip_share: float = 0.1,
    seed: int | np.random.Generator,
) -> pd.DataFrame:
    """How well the evaluation index and the credit rule recover the SIMULATED truth, over many simulated bases.

    Each run draws a base (:func:`simulate_utility_customers`, ``n_customers``; all runs from one seeded
    stream), builds the index (:func:`evaluation_index`) and the ratings (:func:`credit_ratings`), and
    measures: Spearman's rho of the index with the true value; the VIP list's precision (share of the
    index's best ``vip_share`` who are among the truly best ``vip_share``); the share rated as their true
    rating and the share at most one grade away (:func:`rating_agreement`).

    Parameters
    ----------
    n_runs : simulated bases (count >= 2).
    n_customers : customers per base.
    economic_weight, on_time_cuts, arrears_cuts : as in :func:`evaluation_index` and :func:`credit_ratings`.
    vip_share : share of customers on the VIP list (share in (0, 1)).
    seed : int or numpy Generator (None refused).

    Returns
    -------
    DataFrame, one row per measure (``rho``, ``vip_precision``, ``agreement``, ``within_one``): ``mean``,
    ``sd``, ``mcse`` (Monte-Carlo SE of the mean, sd / sqrt(n_runs)), ``q025``, ``q975`` (2.5% and 97.5%
    quantiles over runs), ``worst`` (smallest value of any run); ``attrs``: ``n_runs``, ``n_customers`` and
    ``runs`` (the per-run frame).

    References
    ----------
    Morris, T. P., White, I. R. & Crowther, M. J. (2019). Using simulation studies to evaluate statistical
    methods. *Statistics in Medicine* 38(11), 2074-2102 (performance measures and their Monte-Carlo SE).
    """
    n_runs = check_count(n_runs, "n_runs", minimum=2)
    share = float(check_probability(vip_share, "vip_share"))
    if not 0 < share < 1:
        raise DataError(f"vip_share must be a share in (0, 1), got {vip_share!r}")
    rng = as_rng(seed)
    rows = []
    for _ in range(n_runs):  # runs of a simulation study, not customers
        c = simulate_utility_customers(n_customers, seed=rng)
        index = evaluation_index(c, economic_weight=economic_weight)
        r = credit_ratings(
            c["on_time_share"], c["arrears_months"], on_time_cuts=on_time_cuts, arrears_cuts=arrears_cuts
        )
        k = max(1, int(round(share * len(c))))
        truly_best = set(c["true_value"].nlargest(k).index)
        agreement, within_one = rating_agreement(c["true_rating"], r["rating"])
        rows.append(
            {
                "rho": float(index["index"].corr(c.loc[index.index, "true_value"], method="spearman")),
                "vip_precision": len(truly_best & set(index.index[:k])) / k,
                "agreement": agreement,
                "within_one": within_one,
            }
        )
    runs = pd.DataFrame(rows, index=pd.RangeIndex(1, n_runs + 1, name="run"))
    out = pd.DataFrame(
        {
            "mean": runs.mean(),
            "sd": runs.std(ddof=1),
            "mcse": runs.std(ddof=1) / np.sqrt(n_runs),
            "q025": runs.quantile(0.025),
            "q975": runs.quantile(0.975),
            "worst": runs.min(),
        }
    ).rename_axis("measure")
    out.attrs.update({"n_runs": n_runs, "n_customers": int(n_customers), "runs": runs})
    return out
