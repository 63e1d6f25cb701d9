"""Recording a notebook's key figures so that the runner writes them to JSON.

Inside a notebook run by the report runner, ``record(name, value)`` emits a
display output of the MIME type :data:`FIGURES_MIME`; the runner collects all
such outputs of the executed notebook into ``reports/<report>.json``. The HTML
renderer ignores this MIME type, so nothing shows in the report. Outside a
kernel the figure is only kept in :data:`RECORDED`.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
from typing import Any

import numpy as np

FIGURES_MIME = "application/vnd.crmlib.figures+json"
RECORDED: dict[str, dict[str, Any]] = {}


def _jsonable(value: Any, name: str) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"record({name!r}): value {v} is not finite; a key figure must be a number")
        return v
    if isinstance(value, str):
        return value
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v, f"{name}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v, f"{name}[{i}]") for i, v in enumerate(list(value))]
    if hasattr(value, "to_dict"):
        return _jsonable(value.to_dict(), name)
    raise TypeError(f"record({name!r}): cannot store a {type(value).__name__} as JSON")


def record(name: str, value: Any, *, unit: str | None = None, description: str | None = None) -> None:
    """Record a key figure of the running notebook (returns nothing, so a last-line call echoes nothing).

    Parameters
    ----------
    name : key in the report's JSON file (unique within a notebook; a later
        record of the same name replaces the earlier one).
    value : a number, string, date, or a list/dict/Series of them. NaN and
        infinities are refused: a key figure is a real number.
    unit : unit of the value (e.g. ``"customers"``, ``"USD"``, ``"weeks"``).
    description : one line saying what it is.
    """
    if not isinstance(name, str) or not name:
        raise ValueError("record(): name must be a non-empty string")
    entry = {"name": name, "value": _jsonable(value, name), "unit": unit, "description": description}
    RECORDED[name] = entry
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is a dependency
        shell = None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        from IPython.display import display

        display({FIGURES_MIME: entry}, raw=True)


def collect(nb) -> dict[str, dict[str, Any]]:
    """All figures recorded in an executed notebook (an ``nbformat`` node), by name."""
    out: dict[str, dict[str, Any]] = {}
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if FIGURES_MIME in data:
                entry = data[FIGURES_MIME]
                out[entry["name"]] = {k: entry.get(k) for k in ("value", "unit", "description")}
    return out
