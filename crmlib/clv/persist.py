"""Fitted CLV models saved as JSON and loaded again, to predict and value customers without the training data.

:meth:`BaseFitter.save <crmlib.clv._base.BaseFitter.save>` (``model.save(path)``) writes one JSON
file (:func:`save_model`); :func:`load_model` reads it back into a fitted model of the same class.
No pickles: the file is plain text a reader can inspect, and loading it runs no code from it.

What the file holds
-------------------
``format`` (``"crmlib-model"``) and ``format_version``; ``crmlib_version``, the version that wrote it;
``model``, the class name; ``settings``, the fit settings given to ``__init__``; ``fitted``, every
fitted attribute (those ending in ``_``): the estimates ``params_``, their covariance
``variance_matrix_`` (observed information), standard errors and intervals, log-likelihood, AIC, BIC,
the number of customers, the convergence report, facts about the data (e.g. ``n_one_time_``) and the
data specification ``spec_`` (:class:`~crmlib.spec.SummarySpec`: time unit, calibration and
observation ends, period), so that a loaded model converts annual discount rates as the fitted one did.
Floats are written by Python's shortest round-trip representation, so a loaded model predicts the
very same numbers; infinite and missing values are written as the strings ``"inf"``, ``"-inf"`` and
``"nan"`` (JSON has no such numbers).

A file written by another crmlib version is refused with both versions named: formulas and
parameterisations may change between versions, so a model is refitted (or loaded with the version
that wrote it) rather than silently reinterpreted.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError
from ..spec import SummarySpec
from ._base import BaseFitter, ConvergenceReport

__all__ = ["FORMAT_VERSION", "load_model", "save_model"]

FORMAT_VERSION = 1
"""Version of the JSON layout written by :func:`save_model`."""


def _crmlib_version() -> str:
    from .. import __version__

    return __version__


def _model_classes() -> dict[str, type[BaseFitter]]:
    from .bgbb import BetaGeoBetaBinomModel
    from .bgnbd import BetaGeoModel
    from .covariates import BetaGeoCovariateModel, ParetoNBDCovariateModel
    from .gamma_gamma import GammaGammaModel
    from .mbgnbd import ModifiedBetaGeoModel
    from .pareto_nbd import ParetoNBDModel
    from .sbg import ShiftedBetaGeometricModel

    models: tuple[type[BaseFitter], ...] = (
        BetaGeoModel,
        ModifiedBetaGeoModel,
        ParetoNBDModel,
        BetaGeoBetaBinomModel,
        ShiftedBetaGeometricModel,
        GammaGammaModel,
        BetaGeoCovariateModel,
        ParetoNBDCovariateModel,
    )
    return {cls.__name__: cls for cls in models}


def _number(value: Any) -> Any:
    """A JSON-safe number: non-finite floats as text."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    v = float(value)
    return v if np.isfinite(v) else str(v)


def _plain(value: Any) -> Any:
    """Numbers, arrays, lists and dicts as JSON values (non-finite floats as text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if value is None or isinstance(value, str):
        return value
    return _number(value)


def _encode(value: Any) -> dict[str, Any]:
    if value is None:
        return {"kind": "none"}
    if isinstance(value, SummarySpec):
        spec = value.to_dict()
        spec.pop("periods_per_year")
        return {"kind": "spec", "value": spec}
    if isinstance(value, ConvergenceReport):
        return {"kind": "convergence", "value": _plain(dataclasses.asdict(value))}
    if isinstance(value, pd.DataFrame):
        return {
            "kind": "frame",
            "index": _plain(list(value.index)),
            "columns": [str(c) for c in value.columns],
            "values": _plain(value.to_numpy(dtype=float)),
            "attrs": _plain(dict(value.attrs)),
        }
    if isinstance(value, pd.Series):
        return {
            "kind": "series",
            "name": value.name,
            "index": _plain(list(value.index)),
            "values": _plain(value.to_numpy(dtype=float)),
        }
    if isinstance(value, np.ndarray):
        return {"kind": "array", "dtype": str(value.dtype), "values": _plain(value)}
    if isinstance(value, (bool, int, float, np.generic)):
        return {"kind": "number", "value": _number(value)}
    raise DataError(f"cannot save a fitted attribute of type {type(value).__name__} as JSON")


def _floats(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=object).astype(float)


def _decode(item: dict[str, Any]) -> Any:
    kind = item["kind"]
    if kind == "none":
        return None
    if kind == "spec":
        v = dict(item["value"])
        for k in ("observation_end", "calibration_end"):
            v[k] = None if v[k] is None else pd.Timestamp(v[k])
        return SummarySpec(**v)
    if kind == "convergence":
        v = dict(item["value"])
        v["gradient_norm"] = float(v["gradient_norm"])
        v["starts"] = [
            {
                k: (_floats(s) if k == "start" else float(s) if k in ("fun", "gradient_norm") else s)
                for k, s in st.items()
            }
            for st in v["starts"]
        ]
        return ConvergenceReport(**v)
    if kind == "frame":
        out = pd.DataFrame(_floats(item["values"]), index=item["index"], columns=item["columns"])
        out.attrs.update(item["attrs"])
        return out
    if kind == "series":
        return pd.Series(_floats(item["values"]), index=item["index"], name=item["name"])
    if kind == "array":
        return _floats(item["values"]).astype(item["dtype"]) if item["values"] else np.array([], item["dtype"])
    if kind == "number":
        value = item["value"]
        return float(value) if isinstance(value, str) else value
    raise DataError(f"unknown kind {kind!r} of a fitted attribute in the model file")


def _settings(model: BaseFitter) -> dict[str, Any]:
    """The keyword settings of the model's ``__init__`` and of its base classes' (down to :class:`BaseFitter`)."""
    names = [
        p.name
        for cls in type(model).__mro__
        if isinstance(cls, type) and issubclass(cls, BaseFitter) and "__init__" in vars(cls)
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.kind is p.KEYWORD_ONLY
    ]
    out = {}
    for name in dict.fromkeys(names):
        value = getattr(model, name)
        if name == "seed" and not isinstance(value, (int, np.integer)):
            continue  # a Generator cannot be written; the loaded model gets the default seed
        out[name] = _plain(value)
    return out


def save_model(model: BaseFitter, path: str | os.PathLike[str]) -> None:
    """Write a fitted model to ``path`` as JSON (parameters, covariance, data specification, crmlib version).

    Parameters
    ----------
    model : a fitted model of :mod:`crmlib.clv` (BG/NBD, MBG/NBD, Pareto/NBD, BG/BB, sBG, Gamma-Gamma, and
        BG/NBD or Pareto/NBD with covariates, :mod:`crmlib.clv.covariates`, whose covariate names are settings).
    path : the file to write (overwritten); ``.json`` by convention.

    The layout is described in :mod:`crmlib.clv.persist`; :func:`load_model` reads it. The estimates are
    those of the maximum-likelihood fit (the model's own reference, e.g. FHL 2005 for BG/NBD).
    """
    if not isinstance(model, BaseFitter):
        raise DataError(f"model must be a fitted crmlib.clv model, got {type(model).__name__}")
    if type(model).__name__ not in _model_classes():
        raise DataError(f"model {type(model).__name__} is not one of {sorted(_model_classes())}")
    model._check_fitted()
    fitted = {
        name: _encode(value) for name, value in vars(model).items() if name.endswith("_") and not name.startswith("_")
    }
    doc = {
        "format": "crmlib-model",
        "format_version": FORMAT_VERSION,
        "crmlib_version": _crmlib_version(),
        "model": type(model).__name__,
        "settings": _settings(model),
        "fitted": fitted,
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, allow_nan=False)
        fh.write("\n")


def load_model(path: str | os.PathLike[str]) -> BaseFitter:
    """Read a model written by :func:`save_model` (``model.save(path)``): a fitted model of the saved class.

    Parameters
    ----------
    path : a JSON file written by :func:`save_model`.

    Returns
    -------
    The fitted model (``params_``, ``variance_matrix_``, ``spec_``, ``summary()``, every prediction),
    without the training data: ``loglik`` and the predictions take new data; a customer bootstrap,
    which resamples the training data, needs a refit.

    Raises
    ------
    DataError : the file is missing, is not JSON, is not a crmlib model file, was written by another
        crmlib version or format version (both named), or names an unknown model class.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        raise DataError(f"model file {os.fspath(path)!r} does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"model file {os.fspath(path)!r} is not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != "crmlib-model":
        raise DataError(f"{os.fspath(path)!r} is not a crmlib model file (written by model.save)")
    if doc.get("format_version") != FORMAT_VERSION:
        raise DataError(
            f"model file {os.fspath(path)!r} has format version {doc.get('format_version')!r}; this crmlib reads "
            f"version {FORMAT_VERSION}. Refit the model and save it again."
        )
    saved, running = doc.get("crmlib_version"), _crmlib_version()
    if saved != running:
        raise DataError(
            f"model file {os.fspath(path)!r} was saved by crmlib {saved}, and this is crmlib {running}: formulas "
            f"and parameterisations may differ between versions. Refit the model with crmlib {running}, or load "
            f"the file with crmlib {saved}."
        )
    classes = _model_classes()
    if doc.get("model") not in classes:
        raise DataError(f"model file {os.fspath(path)!r} holds a {doc.get('model')!r}; known: {sorted(classes)}")
    model = classes[doc["model"]](**doc["settings"])
    for name, item in doc["fitted"].items():
        setattr(model, name, _decode(item))
    return model
