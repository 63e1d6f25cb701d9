"""Drivers of satisfaction and loyalty: OLS with robust errors, ordinal logit, net promoter score and
the Dick & Basu (1994) loyalty matrix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._checks import check_level, rows_text
from ..exceptions import ConvergenceError, DataError

__all__ = ["DriverResult", "ols_drivers", "ordinal_logit", "net_promoter_score", "loyalty_matrix"]


@dataclass
class DriverResult:
    """Regression of a target on its drivers.

    table : per predictor ``coef``, ``se``, ``t`` (or ``z``), ``p``,
        ``lower``, ``upper`` (interval at ``attrs['level']``) and, for OLS, ``beta`` (standardised).
    r2, r2_adj : OLS only (pseudo R2 (McFadden) for the ordinal logit).
    n : respondents used; cov_type : the covariance estimator.
    thresholds : ordinal logit cut points.
    """

    table: pd.DataFrame
    r2: float
    r2_adj: float
    n: int
    cov_type: str
    thresholds: pd.Series | None = None


def _frame(data: pd.DataFrame, target: str, predictors: Sequence[str]) -> pd.DataFrame:
    cols = [target, *predictors]
    miss = [c for c in cols if c not in data.columns]
    if miss:
        raise DataError(f"columns {miss} are not in the data")
    d = data[cols].apply(pd.to_numeric, errors="coerce").astype(float).dropna()
    if len(d) <= len(predictors) + 1:
        raise DataError(f"{len(d)} complete respondents for {len(predictors)} predictors of {target!r}")
    return d


def ols_drivers(
    data: pd.DataFrame, target: str, predictors: Sequence[str], cov_type: str = "HC3", level: float = 0.95
) -> DriverResult:
    """OLS regression of ``target`` on ``predictors`` with heteroskedasticity-robust standard errors.

    ``cov_type`` is passed to statsmodels (default HC3, MacKinnon & White
    1985; "nonrobust" for classical errors). ``beta`` gives standardised
    coefficients (coef * sd(x) / sd(y)); ``lower``/``upper`` the interval at
    ``level``. Listwise deletion.
    """
    import statsmodels.api as sm

    level = check_level(level)
    d = _frame(data, target, predictors)
    X = sm.add_constant(d[list(predictors)])
    fit = sm.OLS(d[target], X).fit(cov_type=cov_type)
    ci = fit.conf_int(alpha=1 - level)
    tab = pd.DataFrame(
        {"coef": fit.params, "se": fit.bse, "t": fit.tvalues, "p": fit.pvalues, "lower": ci[0], "upper": ci[1]}
    )
    tab.attrs["level"] = level
    sd = d.std(ddof=1)
    tab["beta"] = [np.nan] + [fit.params[p] * sd[p] / sd[target] for p in predictors]
    return DriverResult(table=tab, r2=float(fit.rsquared), r2_adj=float(fit.rsquared_adj), n=len(d), cov_type=cov_type)


def ordinal_logit(data: pd.DataFrame, target: str, predictors: Sequence[str]) -> DriverResult:
    """Proportional-odds (ordinal) logit of a single Likert item (McCullagh 1980), statsmodels ``OrderedModel``.

    ``coef`` are log cumulative odds ratios of a higher answer per unit of a
    predictor; ``odds_ratio = exp(coef)``. Raises ConvergenceError when the
    optimiser fails.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    d = _frame(data, target, predictors)
    y = pd.Categorical(d[target].astype(int), ordered=True)
    if len(y.categories) < 3:
        raise DataError(f"ordinal_logit: {target!r} has {len(y.categories)} categories; use a binary model")
    model = OrderedModel(pd.Series(y, index=d.index), d[list(predictors)], distr="logit")
    fit = model.fit(method="bfgs", disp=False, maxiter=2000)
    if not fit.mle_retvals.get("converged", True):
        raise ConvergenceError(
            f"ordinal_logit of {target!r} did not converge; try fewer predictors or merge sparse categories"
        )
    k = len(predictors)
    ci = fit.conf_int()
    tab = pd.DataFrame(
        {
            "coef": fit.params[:k],
            "se": fit.bse[:k],
            "z": fit.tvalues[:k],
            "p": fit.pvalues[:k],
            "lower": ci.iloc[:k, 0],
            "upper": ci.iloc[:k, 1],
        }
    )
    tab["odds_ratio"] = np.exp(tab["coef"])
    counts = pd.Series(y).value_counts()
    null_ll = float((counts * np.log(counts / counts.sum())).sum())  # intercept-only (thresholds-only) model
    pseudo = 1 - fit.llf / null_ll  # McFadden (1974)
    return DriverResult(
        table=tab,
        r2=float(pseudo),
        r2_adj=np.nan,
        n=len(d),
        cov_type="MLE (observed information)",
        thresholds=fit.params[k:],
    )


def net_promoter_score(values: pd.Series, scale_min: int = 0, scale_max: int = 10, level: float = 0.95) -> pd.Series:
    """Net promoter score (Reichheld 2003): percent promoters (9-10) minus percent detractors (0-6).

    Only defined for the 0-10 "how likely are you to recommend" item; other
    scales raise :class:`DataError` (rescaling a 1-7 or 1-10 item is not an
    NPS). The standard error is that of a difference of two multinomial
    shares, ``sqrt((p + d - (p - d)^2) / n)``, in percentage points; ``lower``
    and ``upper`` bound the normal-theory interval at ``level``. An empty series
    (no answer) raises :class:`DataError`.
    """
    level = check_level(level)
    if (scale_min, scale_max) != (0, 10):
        raise DataError(
            f"the net promoter score needs a 0-10 recommendation item; this item's scale is {scale_min}..{scale_max}"
        )
    raw = pd.Series(values)
    v = pd.to_numeric(raw, errors="coerce")
    text = v.isna() & raw.notna()
    if text.any():
        raise DataError(f"net_promoter_score: {rows_text(text, raw.index)} are not numbers, e.g. {raw[text].iloc[0]!r}")
    v = v.dropna()
    if v.empty:
        raise DataError(f"net_promoter_score: no answers ({len(raw)} values, all missing); an NPS needs at least one")
    outside = (v < 0) | (v > 10) | (v != v.round())
    if outside.any():
        raise DataError(f"net_promoter_score: answers outside 0..10 in {rows_text(outside, v.index)}")
    n = len(v)
    p, d = float((v >= 9).mean()), float((v <= 6).mean())
    se = np.sqrt((p + d - (p - d) ** 2) / n) * 100
    z = stats.norm.ppf(0.5 + level / 2)
    nps = (p - d) * 100
    return pd.Series(
        {
            "nps": nps,
            "promoters_pct": 100 * p,
            "passives_pct": 100 * (1 - p - d),
            "detractors_pct": 100 * d,
            "se": se,
            "lower": nps - z * se,
            "upper": nps + z * se,
            "n": n,
        }
    )


def loyalty_matrix(
    relative_attitude: pd.Series,
    repeat_patronage: pd.Series,
    attitude_cut: float | None = None,
    patronage_cut: float | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Dick & Basu's (1994, JAMS 22(2), Fig. 2) loyalty matrix: relative attitude x repeat patronage.

    Each respondent is high on a dimension when strictly above its cut
    (default: the median). Cells: ``loyalty`` (high, high), ``latent loyalty``
    (high attitude, low patronage), ``spurious loyalty`` (low attitude, high
    patronage), ``no loyalty`` (low, low).

    Returns
    -------
    (table, segment) : the 2x2 table of counts and percent of respondents, and
    each respondent's cell.
    """
    a = pd.to_numeric(relative_attitude, errors="coerce")
    r = pd.to_numeric(repeat_patronage, errors="coerce")
    ok = a.notna() & r.notna()
    a, r = a[ok], r[ok]
    if len(a) == 0:
        raise DataError("loyalty_matrix: no respondent has both relative attitude and repeat patronage")
    ac = float(a.median()) if attitude_cut is None else attitude_cut
    rc = float(r.median()) if patronage_cut is None else patronage_cut
    hi_a, hi_r = a > ac, r > rc
    seg = pd.Series(
        np.select(
            [hi_a & hi_r, hi_a & ~hi_r, ~hi_a & hi_r], ["loyalty", "latent loyalty", "spurious loyalty"], "no loyalty"
        ),
        index=a.index,
        name="segment",
    )
    order = ["loyalty", "latent loyalty", "spurious loyalty", "no loyalty"]
    counts = seg.value_counts().reindex(order, fill_value=0)
    table = pd.DataFrame(
        {
            "relative_attitude": ["high", "high", "low", "low"],
            "repeat_patronage": ["high", "low", "high", "low"],
            "n": counts.to_numpy(),
            "percent": 100.0 * counts.to_numpy() / len(seg),
        },
        index=order,
    )
    table.attrs.update(attitude_cut=ac, patronage_cut=rc, n=len(seg))
    return table, seg
