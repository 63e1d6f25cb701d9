"""Moderation in a PLS path model: interaction constructs and simple slopes.

A moderator ``M`` changes the effect of ``X`` on ``Y``. The model gets an
interaction construct ``X*M`` with a path to ``Y`` (beside ``X -> Y`` and
``M -> Y``), measured in one of three ways (Henseler & Chin 2010; Hair et al.
2022, ch. 7; the three methods of seminr's ``interaction_term``):

- ``"two_stage"`` (the Primer's default): the main-effects model is estimated
  first; the interaction is one item, the product of the standardised
  construct scores of ``X`` and ``M``;
- ``"product_indicator"``: every product of a standardised item of ``X`` with
  a standardised item of ``M`` (mode A);
- ``"orthogonal"``: the same products, each replaced by its residual from an
  OLS regression (with intercept) on all items of ``X`` and ``M`` (Little,
  Bovaird & Widaman 2006), so the interaction is uncorrelated with the main
  effects.

:func:`moderated_model` returns the data with the interaction items and the
model with the interaction construct; estimate them with
:func:`~crmlib.survey.pls.pls_path_model`. The interaction items are computed
once on the full sample and resampled with the other items by the batched
bootstrap (seminr recomputes them in every resample, so standard errors
differ slightly; the estimates agree with seminr 0.2.1 to 1e-9, see
``tests/test_survey_moderation.py``). :func:`simple_slopes` gives the effect
of ``X`` on ``Y`` at the moderator's mean and one standard deviation below and
above, with bootstrap intervals, and :func:`plot_simple_slopes` draws them.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .._checks import check_choice
from ..exceptions import DataError, DataWarning
from .mediation import _boot, _summary
from .pathmodel import PathModelSpec, as_path_model, path_model
from .pls import PLSResult, Scheme, _prepare, pls_path_model

__all__ = ["moderated_model", "interaction_parts", "simple_slopes", "plot_simple_slopes"]

Method = Literal["two_stage", "product_indicator", "orthogonal"]


def _z(values: np.ndarray) -> np.ndarray:
    return (values - values.mean(axis=0)) / values.std(axis=0, ddof=1)


def interaction_parts(relation: str) -> tuple[str, str, str]:
    """``(iv, moderator, target)`` of a moderated path written ``"X*M -> Y"`` (an expected sign such as
    ``"(-)"`` at the end is ignored), as a hypothesis states it (Hair et al. 2022, ch. 7)."""
    text = str(relation).split("(")[0]
    sides = [s.strip() for s in text.split("->")]
    parts = sides[0].split("*") if len(sides) == 2 else []
    if len(parts) != 2 or not all(p.strip() for p in parts) or not sides[1]:
        raise DataError(f"relation must read 'X*M -> Y' (an interaction and its target), got {relation!r}")
    return parts[0].strip(), parts[1].strip(), sides[1]


def moderated_model(
    data: pd.DataFrame,
    model: PathModelSpec | str | os.PathLike | Mapping[str, Sequence[str]],
    iv: str,
    moderator: str,
    target: str,
    *,
    method: Method = "two_stage",
    moderator_items: Sequence[str] | None = None,
    structure: Sequence[tuple[str, str]] | None = None,
    modes: Mapping[str, str] | None = None,
    scheme: Scheme = "path",
) -> tuple[pd.DataFrame, PathModelSpec]:
    """The data and model of a moderation: ``iv -> target`` moderated by ``moderator``.

    Parameters
    ----------
    data : respondents x items.
    model, structure, modes : the model without the interaction, as for
        :func:`~crmlib.survey.pls.pls_path_model`; ``iv -> target`` must be one of its paths.
    iv, moderator, target : constructs: the predictor whose effect is moderated, the moderator,
        the construct explained.
    method : ``"two_stage"``, ``"product_indicator"`` or ``"orthogonal"`` (see the module).
    moderator_items : items of the moderator when it is not a construct of ``model`` (it is
        then added, mode A, with a path to ``target``).
    scheme : inner weighting scheme of the first stage (``"two_stage"``).

    Returns
    -------
    (data, model) : ``data`` with the interaction items added (``"a*b"`` products, or one item
    ``"X*M_intxn"``; missing answers of the items of ``iv`` and ``moderator`` replaced by their
    mean first), and the model with the construct ``"X*M"`` (mode A) and the paths
    ``moderator -> target`` (added if absent) and ``X*M -> target``.

    References
    ----------
    Henseler, J. & Chin, W. W. (2010). A comparison of approaches for the analysis of interaction
    effects between latent variables using partial least squares path modeling. *Structural Equation
    Modeling* 17(1), 82-109. Hair, J. F., Hult, G. T. M., Ringle, C. M. & Sarstedt, M. (2022). *A
    Primer on PLS-SEM*, 3rd ed., ch. 7. Little, T. D., Bovaird, J. A. & Widaman, K. F. (2006).
    *Structural Equation Modeling* 13(4), 497-519.
    """
    method = check_choice(method, "method", ("two_stage", "product_indicator", "orthogonal"))
    pm = as_path_model(model, structure, modes)
    measurement, paths = dict(pm.measurement), list(pm.structure)
    for name, con in (("iv", iv), ("target", target)):
        if con not in measurement:
            raise DataError(f"{name}: {con!r} is not a construct of the model ({pm.constructs})")
    if (iv, target) not in paths:
        raise DataError(f"iv, target: the model has no path {iv} -> {target} to moderate")
    if moderator not in measurement:
        if not moderator_items:
            raise DataError(f"moderator: {moderator!r} is not a construct of the model; give its moderator_items")
        measurement[moderator] = list(moderator_items)
    elif moderator_items is not None:
        raise DataError(f"moderator_items: {moderator!r} is already a construct of the model")
    if (moderator, target) not in paths:
        paths.append((moderator, target))
    main = path_model(measurement, paths, pm.modes, labels=pm.labels, roles=pm.roles, name=pm.name)
    main.check_items(data.columns)
    term = f"{iv}*{moderator}"
    if term in data.columns or term in measurement:
        raise DataError(f"iv, moderator: the name {term!r} of the interaction is already used")
    a_items, b_items = measurement[iv], measurement[moderator]
    Xa, _, _ = _prepare(data, a_items, "mean")
    Xb, _, _ = _prepare(data, b_items, "mean")
    if method == "two_stage":
        with warnings.catch_warnings():  # the first stage's 0-100 index is not used
            warnings.filterwarnings("ignore", "negative outer weights", DataWarning)
            scores = pls_path_model(data, main, scheme=scheme).scores
        items = [f"{term}_intxn"]
        values = (scores[iv] * scores[moderator]).to_numpy()[:, None]
    else:
        Za, Zb = _z(Xa), _z(Xb)
        items = [f"{a}*{b}" for a in a_items for b in b_items]
        values = (Za[:, :, None] * Zb[:, None, :]).reshape(len(data), -1)  # iv item varies slowest
        if method == "orthogonal":
            D = np.column_stack([np.ones(len(data)), Xa, Xb])
            values = values - D @ np.linalg.lstsq(D, values, rcond=None)[0]
    out = data.assign(**dict(zip(items, values.T)))
    labels = {**pm.labels, term: f"{pm.labels.get(iv, iv)} x {pm.labels.get(moderator, moderator)}"}
    spec = path_model({**measurement, term: items}, [*paths, (term, target)], {**main.modes, term: "A"}, labels=labels,
                      roles=pm.roles, name=pm.name, description=f"{pm.description} (moderated: {term} -> {target}, "
                      f"{method.replace('_', ' ')})", reference=pm.reference, source=pm.source)  # fmt: skip
    return out, spec


def simple_slopes(
    result: PLSResult, iv: str, moderator: str, target: str, *, at: Sequence[float] = (-1.0, 0.0, 1.0)
) -> pd.DataFrame:
    """The effect of ``iv`` on ``target`` at chosen levels of the moderator, with bootstrap intervals.

    With standardised scores the slope of ``iv`` at moderator level ``m`` (in
    standard deviations from its mean) is ``b_iv + m b_int``, ``b_int`` the path
    of the interaction ``iv*moderator``; it is computed for every resample of
    the model's bootstrap at once (Aiken & West 1991, ch. 2; Hair et al. 2022, ch. 7).

    Parameters
    ----------
    result : the moderated model (:func:`moderated_model`) estimated with ``n_boot > 0``.
    iv, moderator, target : constructs of the moderation.
    at : moderator levels (standard deviations from its mean).

    Returns
    -------
    DataFrame, one row per level: ``moderator_sd``, ``slope`` (standardised coefficient), ``se``,
    ``t``, ``p``, ``lower``, ``upper`` (percentile interval at the model's level),
    ``bc_lower``, ``bc_upper`` (bias-corrected).

    References
    ----------
    Aiken, L. S. & West, S. G. (1991). *Multiple Regression: Testing and Interpreting Interactions*. Sage.
    """
    draws = _boot(result, "simple_slopes")
    term = f"{iv}*{moderator}"
    names = list(result.construct_correlations.index)
    for name, con in (("iv", iv), ("moderator", moderator), ("target", target)):
        if con not in names:
            raise DataError(f"{name}: {con!r} is not a construct of the model")
    if term not in names:
        raise DataError(f"iv, moderator: the model has no interaction construct {term!r} (see moderated_model)")
    levels = np.asarray([float(v) for v in at])
    i, k, t = names.index(iv), names.index(term), names.index(target)
    est_paths = result.paths.set_index(["from", "to"])["estimate"]
    est = est_paths[(iv, target)] + levels * est_paths[(term, target)]
    boot = draws[:, i, t][:, None] + draws[:, k, t][:, None] * levels[None, :]
    out = pd.DataFrame(_summary(est, boot, result.level, result.n)).rename(columns={"estimate": "slope"})
    out.insert(0, "moderator_sd", levels)
    out.attrs["level"] = result.level
    return out.drop(columns="boot_mean")


def plot_simple_slopes(
    result: PLSResult, iv: str, moderator: str, target: str, *, labels: Mapping[str, str] | None = None, ax=None
):
    """Lines of the expected ``target`` score against ``iv`` at the moderator's mean and +-1 SD.

    ``target = b_iv x + b_mod m + b_int x m`` in standard deviations, for ``x``
    from -2 to 2 and ``m`` = -1, 0, +1 (Aiken & West 1991, ch. 2). Axes and lines are labelled
    with ``labels`` (construct -> text; default the model's labels). Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    from ..style import label_axes

    names = dict(result.model.labels if result.model else {}) | dict(labels or {})
    p = result.paths.set_index(["from", "to"])["estimate"]
    term = f"{iv}*{moderator}"
    for path in ((iv, target), (moderator, target), (term, target)):
        if path not in p.index:
            raise DataError(f"iv, moderator, target: the model has no path {path[0]} -> {path[1]}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 4.2))
    else:
        fig = ax.figure
    x = np.linspace(-2, 2, 41)
    for m, style in ((-1, ":"), (0, "-"), (1, "--")):
        slope = p[(iv, target)] + m * p[(term, target)]
        ax.plot(x, slope * x + m * p[(moderator, target)], style, color="black" if m == 0 else None,
                label=f"{names.get(moderator, moderator)} at {m:+d} SD (slope {slope:.3f})" if m else
                f"{names.get(moderator, moderator)} at its mean (slope {slope:.3f})")  # fmt: skip
    label_axes(ax, f"{names.get(iv, iv)} (standard deviations)", f"{names.get(target, target)} (standard deviations)")
    ax.axhline(0, color="grey", linewidth=0.5)
    ax.axvline(0, color="grey", linewidth=0.5)
    ax.legend(fontsize=8, frameon=False)
    return fig
