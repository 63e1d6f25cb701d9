"""The customer delivered value (CDV) instrument: components, codebook and item intake.

Kotler's customer delivered value is total customer value minus total customer
cost (Kotler & Keller, *Marketing Management*, 12th ed. 2006, ch. 5, "Determinants
of customer-perceived value"; the seed slides 003 of crmlib: 顾客让渡价值 =
总顾客价值 - 总顾客成本):

=================  ==========  ===============================================
component          side        Chinese term
=================  ==========  ===============================================
product_value      value       产品价值
service_value      value       服务价值
personnel_value    value       人员价值
image_value        value       形象价值
monetary_cost      cost        货币成本
time_cost          cost        时间成本
energy_cost        cost        精力成本 (mental effort)
physical_cost      cost        体力成本
=================  ==========  ===============================================

The questionnaire is ``data/cdv_instrument.csv`` (English and Simplified Chinese
wording, item sources) and its codebook ``data/cdv_codebook.csv`` (the columns of
every crmlib codebook plus ``value_or_cost`` and ``wording_zh``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..datasets import data_dir, load_codebook
from ..exceptions import DataError

__all__ = [
    "COMPONENTS",
    "COMPONENT_LABELS",
    "COST_COMPONENTS",
    "VALUE_COMPONENTS",
    "check_items",
    "load_instrument",
    "load_value_codebook",
    "read_value_survey",
]

VALUE_COMPONENTS: tuple[str, ...] = ("product_value", "service_value", "personnel_value", "image_value")
"""The four value components of Kotler's total customer value, in his order."""
COST_COMPONENTS: tuple[str, ...] = ("monetary_cost", "time_cost", "energy_cost", "physical_cost")
"""The four cost components of Kotler's total customer cost, in his order."""
COMPONENTS: tuple[str, ...] = VALUE_COMPONENTS + COST_COMPONENTS
COMPONENT_LABELS: dict[str, str] = {
    "product_value": "Product value",
    "service_value": "Service value",
    "personnel_value": "Personnel value",
    "image_value": "Image value",
    "monetary_cost": "Monetary cost",
    "time_cost": "Time cost",
    "energy_cost": "Energy (mental) cost",
    "physical_cost": "Physical cost",
}


def _path(path: str | os.PathLike | None, default: str) -> Path:
    """A file given as a path, or as the name of a file bundled in ``data/`` (checked: DataError if absent)."""
    p = Path(path) if path is not None else data_dir() / default
    if not p.is_file() and not p.is_absolute() and (data_dir() / p).is_file():
        p = data_dir() / p
    if not p.is_file():
        raise DataError(
            f"file {str(path if path is not None else p)!r} not found (neither as a path nor in {data_dir()})"
        )
    return p


def load_instrument(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The CDV questionnaire (``data/cdv_instrument.csv`` by default).

    Returns one row per question: ``item``, ``component``, ``value_or_cost``
    (``value``, ``cost`` or ``outcome``), ``wording_en``, ``wording_zh``
    (Simplified Chinese), ``scale``, ``reverse`` (bool) and ``idea_source``.
    The file's ``#`` header states the answer scale, its anchors in both
    languages and the references the items paraphrase.
    """
    p = _path(path, "cdv_instrument.csv")
    ins = pd.read_csv(p, comment="#", dtype=str, keep_default_na=False)
    need = ["item", "component", "value_or_cost", "wording_en", "wording_zh", "scale", "reverse"]
    missing = [c for c in need if c not in ins.columns]
    if missing:
        raise DataError(f"instrument {p.name}: missing columns {missing}")
    rev = ins["reverse"].str.lower()
    if not rev.isin(["true", "false"]).all():
        raise DataError(f"instrument {p.name}: column 'reverse' must be true or false")
    ins["reverse"] = rev == "true"
    return ins


def load_value_codebook(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """A CDV codebook (``data/cdv_codebook.csv`` by default), checked.

    The usual crmlib codebook columns (``item``, ``construct``,
    ``construct_label``, ``scale_min``, ``scale_max``, ``reverse``,
    ``missing_codes``, ``wording``; checked by
    :func:`crmlib.datasets.load_codebook`) plus ``value_or_cost`` (``value``,
    ``cost`` or ``outcome``) and, when present, ``wording_zh``. The construct of
    a value or cost item is its CDV component.
    """
    p = _path(path, "cdv_codebook.csv")
    cb = load_codebook(p)  # keeps the extra columns as text
    if "value_or_cost" not in cb.columns:
        raise DataError(f"codebook {p.name}: missing column 'value_or_cost' (value / cost / outcome per item)")
    for col in ("value_or_cost", "wording_zh"):
        if col in cb.columns:
            cb[col] = cb[col].str.strip()
    _check_sides(cb, p.name)
    return cb


def _check_sides(cb: pd.DataFrame, name: str) -> None:
    side = cb["value_or_cost"].astype(str).str.lower()
    bad = ~side.isin(["value", "cost", "outcome"])
    if bad.any():
        raise DataError(
            f"codebook {name}: column 'value_or_cost' must be value, cost or outcome; items {list(cb.loc[bad, 'item'])}"
        )
    mixed = cb.loc[side != "outcome"].assign(side=side).groupby("construct")["side"].nunique().loc[lambda s: s > 1]
    if len(mixed):
        raise DataError(f"codebook {name}: components {list(mixed.index)} mix value and cost items")


def check_items(data: pd.DataFrame, codebook: pd.DataFrame, items: list[str] | None = None) -> pd.DataFrame:
    """Answers of the coded items as floats, missing codes as NaN, each checked against its scale.

    Parameters
    ----------
    data : one row per respondent; item columns may be numbers, nullable
        integers or strings of numbers.
    codebook : codebook with ``item``, ``scale_min``, ``scale_max`` and
        ``missing_codes`` (``;``-separated codes, e.g. ``-9``).
    items : items to check (default: every item of the codebook).

    Raises
    ------
    DataError
        naming the column when an item is absent, not numeric, or has an
        answer outside ``scale_min..scale_max`` (with the count and the first rows).
    """
    cb = codebook.set_index("item")
    items = list(cb.index) if items is None else list(items)
    absent = [i for i in items if i not in data.columns]
    if absent:
        raise DataError(f"columns {absent} of the codebook are not in the data")
    out = {}
    for item in items:
        row = cb.loc[item]
        col = data[item]
        codes = {c.strip() for c in str(row.get("missing_codes", "")).split(";") if c.strip() and c.strip() != "nan"}
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            s = col.astype("string").str.strip()
            is_missing = s.isna() | s.isin(codes) | (s == "")
            num = pd.to_numeric(s.where(~is_missing), errors="coerce")
        else:
            num = pd.to_numeric(col, errors="coerce").astype("Float64")
            code_nums = pd.to_numeric(pd.Series(sorted(codes), dtype="string"), errors="coerce").dropna()
            is_missing = num.isna() | num.isin(code_nums.tolist())
            num = num.where(~is_missing)
        num = num.astype("float64")
        bad = np.isnan(num.to_numpy()) & ~is_missing.to_numpy(dtype=bool)
        if bad.any():
            raise DataError(
                f"column {item!r}: {int(bad.sum())} answers are not numbers (rows {list(data.index[bad][:5])})"
            )
        v = num.to_numpy()
        outside = (v < row["scale_min"]) | (v > row["scale_max"])
        if outside.any():
            raise DataError(
                f"column {item!r}: {int(outside.sum())} answers outside its scale {row['scale_min']}..{row['scale_max']} "
                f"(rows {list(data.index[outside][:5])}, e.g. {v[outside][0]:g})"
            )
        out[item] = v
    return pd.DataFrame(out, index=data.index)


def read_value_survey(
    path: str | os.PathLike | None = None, codebook: pd.DataFrame | str | os.PathLike | None = None
) -> pd.DataFrame:
    """Read a CDV survey file: coded items as floats (missing codes -> NaN), other columns as read.

    Defaults to the SIMULATED survey ``data/cdv_simulated_survey.csv`` and the
    codebook ``data/cdv_codebook.csv``. Columns that the codebook does not code
    (``respondent``, ``competitor``, ``segment``, ``data_source``) are kept as
    strings. Every coded item is checked by :func:`check_items`.
    """
    p = _path(path, "cdv_simulated_survey.csv")
    cb = codebook if isinstance(codebook, pd.DataFrame) else load_value_codebook(codebook)
    raw = pd.read_csv(p, dtype=str, keep_default_na=False)
    items = [i for i in cb["item"] if i in raw.columns]
    absent = [i for i in cb["item"] if i not in raw.columns]
    if absent:
        raise DataError(f"{p.name}: columns {absent} of the codebook are not in the file")
    checked = check_items(raw, cb, items)
    out = raw.copy()
    for item in items:
        out[item] = checked[item]
    return out
