"""Higher-order constructs in a PLS path model: repeated indicators and the two-stage approach.

A higher-order construct (HOC) is measured through lower-order constructs, its
*dimensions* (e.g. reputation through competence and likeability). The model
is written on the dimensions (every path into or out of the HOC drawn into or
out of each dimension, the first stage of the two-stage approach), and
:func:`higher_order_model` turns it into the model with the HOC:

- ``"two_stage"`` (Ringle, Sarstedt & Straub 2012; Sarstedt et al. 2019): the
  model on the dimensions is estimated, the dimensions' scores become the
  items of the HOC, and the dimensions leave the model; the HOC takes over their
  paths (as seminr's ``higher_composite``);
- ``"repeated_indicators"`` (Lohmoeller 1989; Wold 1982): the HOC is measured by
  all items of its dimensions (copied as ``item@HOC``), keeps the dimensions,
  each explained by the HOC (``HOC -> dimension``), and takes over their
  outside paths.

Estimate the result with :func:`~crmlib.survey.pls.pls_path_model`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Literal

import pandas as pd

from .._checks import check_choice
from ..exceptions import DataError, DataWarning
from .pathmodel import PathModelSpec, as_path_model, path_model
from .pls import PLSResult, Scheme, pls_path_model

__all__ = ["higher_order_model", "higher_order_sentence"]


def higher_order_model(
    data: pd.DataFrame,
    model: PathModelSpec | str | os.PathLike | Mapping[str, Sequence[str]],
    hoc: str,
    dimensions: Sequence[str],
    *,
    method: Literal["two_stage", "repeated_indicators"] = "two_stage",
    mode: str = "A",
    structure: Sequence[tuple[str, str]] | None = None,
    modes: Mapping[str, str] | None = None,
    scheme: Scheme = "path",
) -> tuple[pd.DataFrame, PathModelSpec]:
    """The data and model with a higher-order construct ``hoc`` formed by ``dimensions``.

    Parameters
    ----------
    data : respondents x items.
    model, structure, modes : the model written on the dimensions (first stage), as for
        :func:`~crmlib.survey.pls.pls_path_model`.
    hoc : name of the higher-order construct (new; not a construct of ``model``).
    dimensions : its lower-order constructs (at least two constructs of ``model``), none on a path
        to another of them.
    method : ``"two_stage"`` or ``"repeated_indicators"`` (see the module).
    mode : measurement of the HOC, ``"A"`` (reflective-reflective) or ``"B"`` (reflective-formative).
    scheme : inner weighting scheme of the first stage (two-stage).

    Returns
    -------
    (data, model) : the data with the HOC's items added (the dimension scores as columns named after
    the dimensions, or copies ``item@HOC``) and the model with the HOC.

    References
    ----------
    Ringle, C. M., Sarstedt, M. & Straub, D. W. (2012). *MIS Quarterly* 36(1), iii-xiv. Sarstedt, M.,
    Hair, J. F., Cheah, J.-H., Becker, J.-M. & Ringle, C. M. (2019). How to specify, estimate, and validate
    higher-order constructs in PLS-SEM. *Australasian Marketing Journal* 27(3), 197-211. Lohmoeller (1989), ch. 3.
    """
    method = check_choice(method, "method", ("two_stage", "repeated_indicators"))
    mode = check_choice(mode, "mode", ("A", "B"))
    pm = as_path_model(model, structure, modes)
    dims = list(dimensions)
    if hoc in pm.measurement or hoc in data.columns:
        raise DataError(f"hoc: {hoc!r} is already a construct of the model or a column of the data")
    unknown = [d for d in dims if d not in pm.measurement]
    if len(dims) < 2 or unknown:
        raise DataError(f"dimensions: give at least two constructs of the model (unknown: {unknown})")
    inner = [(a, b) for a, b in pm.structure if a in dims and b in dims]
    if inner:
        raise DataError(f"dimensions: paths between dimensions {inner} cannot be taken over by {hoc!r}")
    outside = [(a, b) for a, b in pm.structure if (a in dims) != (b in dims)]
    into = list(dict.fromkeys(a for a, b in outside if b in dims))
    out_of = list(dict.fromkeys(b for a, b in outside if a in dims))
    kept = [(a, b) for a, b in pm.structure if a not in dims and b not in dims]
    hoc_paths = [(a, hoc) for a in into] + [(hoc, b) for b in out_of]
    label = {hoc: f"{hoc} ({', '.join(pm.labels.get(d, d) for d in dims)})"}
    if method == "two_stage":
        with warnings.catch_warnings():  # the first stage's 0-100 index is not used
            warnings.filterwarnings("ignore", "negative outer weights", DataWarning)
            scores = pls_path_model(data, pm, scheme=scheme).scores
        clash = [d for d in dims if d in data.columns]
        if clash:
            raise DataError(f"dimensions: {clash} are also columns of the data; the scores would replace them")
        out = data.assign(**{d: scores[d].to_numpy() for d in dims})
        meas = {c: its for c, its in pm.measurement.items() if c not in dims} | {hoc: dims}
        new_modes = {c: m for c, m in pm.modes.items() if c not in dims} | {hoc: mode}
        spec_paths = kept + hoc_paths
    else:
        copies = {f"{i}@{hoc}": i for d in dims for i in pm.measurement[d]}
        out = data.assign(**{new: data[old] for new, old in copies.items()})
        meas = dict(pm.measurement) | {hoc: list(copies)}
        new_modes = dict(pm.modes) | {hoc: mode}
        spec_paths = kept + hoc_paths + [(hoc, d) for d in dims]
    spec = path_model(meas, spec_paths, new_modes, labels={c: t for c, t in {**pm.labels, **label}.items() if c in meas},
                      roles={r: c for r, c in pm.roles.items() if c in meas}, name=pm.name,
                      description=f"{pm.description} (higher-order {hoc}: {', '.join(dims)}, "
                      f"{method.replace('_', ' ')})", reference=pm.reference, source=pm.source)  # fmt: skip
    return out, spec


def higher_order_sentence(first: PLSResult, second: PLSResult, hoc: str) -> str:
    """The reader's sentence on a two-stage higher-order construct: the weights of its dimensions, its paths
    (with their intervals when bootstrapped) and the R² of the constructs it explains beside the model on the
    dimensions. Every number is taken from the two results.

    Parameters
    ----------
    first : the model on the dimensions (the first stage), as estimated by ``pls_path_model``.
    second : the model with the higher-order construct from :func:`higher_order_model` (``"two_stage"``).
    hoc : the higher-order construct (a construct of ``second`` measured by constructs of ``first``).

    References
    ----------
    Sarstedt, M., Hair, J. F., Cheah, J.-H., Becker, J.-M. & Ringle, C. M. (2019). *Australasian Marketing
    Journal* 27(3), 197-211 (reporting a higher-order construct: weights of the dimensions, then the paths).
    """
    if hoc not in second.measurement:
        raise DataError(f"hoc: {hoc!r} is not a construct of the second-stage model")
    dims = second.measurement[hoc]
    if any(d not in first.measurement for d in dims):
        raise DataError(f"hoc: the indicators of {hoc!r} ({dims}) are not constructs of the first-stage model")
    w = second.weights.set_index("item")
    named = [f"{d} (weight {w.loc[d, 'weight']:.2f})" for d in dims]
    parts = ", ".join(named[:-1]) + f" and {named[-1]}"
    paths = second.paths[(second.paths["from"] == hoc) | (second.paths["to"] == hoc)]
    has_ci = "lower" in paths
    shown = "; ".join(
        f"{r['from']} → {r['to']} {r['estimate']:.3f}" + (f" [{r['lower']:.3f}, {r['upper']:.3f}]" if has_ci else "")
        for _, r in paths.iterrows()
    )
    targets = [c for c in second.r2.index if c in first.r2.index and c not in dims]
    r2 = ", ".join(f"{c} {second.r2[c]:.2f} ({first.r2[c]:.2f})" for c in targets)
    level = f" with {second.level:.0%} intervals" if has_ci else ""
    text = f"{hoc} is formed by {parts}. Its paths{level}: {shown}."
    apart = ", ".join(dims[:-1]) + f" and {dims[-1]}"
    return text + (f" R² with {hoc} (in brackets: with {apart} as separate constructs): {r2}." if r2 else "")
