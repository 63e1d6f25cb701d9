"""Consequences of delivered value: regressions of satisfaction and loyalty with HC3 robust errors."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import statsmodels.api as sm

from .._checks import check_level, require_columns
from ..exceptions import DataError

__all__ = ["regress_outcomes"]


def regress_outcomes(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    predictors: Sequence[str] = ("dv_difference",),
    *,
    fixed_effects: str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """OLS of each outcome on the predictors (e.g. delivered value), heteroscedasticity-robust HC3 errors.

    Parameters
    ----------
    frame : one row per respondent; rows with a missing outcome or predictor
        are left out (per outcome), and the N used is reported.
    outcomes : e.g. ``["SAT", "LOY"]``.
    predictors : numeric columns, default the difference-form delivered value.
    fixed_effects : optional categorical column (e.g. ``competitor``) entered
        as dummies (first level as reference), not shown in the table.
    level : coverage of the intervals, in (0, 1).

    Returns
    -------
    DataFrame, one row per (outcome, term) without the dummies: ``coef``,
    ``se_hc3``, ``z``, ``p``, ``lower``, ``upper``, ``n``, ``r2``.

    References
    ----------
    MacKinnon, J. G. & White, H. (1985). Some heteroskedasticity-consistent
    covariance matrix estimators with improved finite sample properties.
    *Journal of Econometrics* 29, 305-325 (HC3).
    """
    if isinstance(outcomes, str) or isinstance(predictors, str):
        raise DataError("outcomes and predictors must be lists of column names, not a single text")
    level = check_level(level)
    require_columns(frame, list(outcomes) + list(predictors) + ([fixed_effects] if fixed_effects else []), "the data")
    for c in list(outcomes) + list(predictors):
        if not pd.api.types.is_numeric_dtype(frame[c]):
            raise DataError(f"column {c!r} is not numeric")
    rows = []
    for y in outcomes:
        sub = frame[[y, *predictors] + ([fixed_effects] if fixed_effects else [])].dropna()
        X = sub[list(predictors)].astype(float)
        if fixed_effects:
            X = pd.concat(
                [X, pd.get_dummies(sub[fixed_effects], prefix=fixed_effects, drop_first=True, dtype=float)], axis=1
            )
        X = sm.add_constant(X, has_constant="add")
        if len(sub) <= X.shape[1] + 1:
            raise DataError(f"outcome {y!r}: only {len(sub)} complete rows for {X.shape[1]} coefficients")
        fit = sm.OLS(sub[y].astype(float), X).fit(cov_type="HC3")
        ci = fit.conf_int(alpha=1 - level)
        for term in ["const", *predictors]:
            rows.append(
                {
                    "outcome": y,
                    "term": term,
                    "coef": fit.params[term],
                    "se_hc3": fit.bse[term],
                    "z": fit.tvalues[term],
                    "p": fit.pvalues[term],
                    "lower": ci.loc[term, 0],
                    "upper": ci.loc[term, 1],
                    "n": int(fit.nobs),
                    "r2": fit.rsquared,
                }
            )
    out = pd.DataFrame(rows).set_index(["outcome", "term"])
    out.attrs["method"] = "OLS, HC3 standard errors (MacKinnon & White 1985)" + (
        f", {fixed_effects} fixed effects" if fixed_effects else ""
    )
    return out
