"""The published tables of the "Jiangsu S company" CRM thesis, as printed, and what the case study derives from them."""

from __future__ import annotations

import os

import pandas as pd

from ..exceptions import DataError
from ._common import _resolve


def load_thesis_tables(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The published figures of the "Jiangsu S company" CRM thesis, exactly as printed.

    One row per printed number: ``table`` (survey, figure1, figure2, table1,
    table2, table4, table5, text), ``item``, ``condition``, ``value``
    (float64; NaN for dates, whose text is in ``value_text``), ``value_text``
    (the number as a string), ``unit`` (count, percent, yuan, usd, ratio,
    year, date), ``label_zh`` (the printed label) and ``note`` (transcription
    remarks, inconsistencies and ambiguous readings). Inconsistencies of the
    source are kept on purpose: :mod:`crmlib.audit` finds them.
    """
    p = _resolve(path, "s_company_thesis_tables.csv")
    raw = pd.read_csv(p, comment="#", dtype=str, keep_default_na=False)
    expected = ["table", "item", "condition", "value", "unit", "label_zh", "note"]
    if list(raw.columns) != expected:
        raise DataError(f"{p.name}: expected columns {expected}, found {list(raw.columns)}")
    units = {"count", "percent", "yuan", "usd", "ratio", "year", "date"}
    bad = ~raw["unit"].isin(units)
    if bad.any():
        raise DataError(f"{p.name}: unknown unit in rows {list(raw.index[bad] + 1)}; allowed {sorted(units)}")
    value = pd.to_numeric(raw["value"], errors="coerce")
    bad = value.isna() & (raw["unit"] != "date")
    if bad.any():
        raise DataError(f"{p.name}: non-numeric value in rows {list(raw.index[bad] + 1)}")
    out = raw.rename(columns={"value": "value_text"})
    out.insert(3, "value", value.astype("float64"))
    return out


def load_thesis_tiers(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Table 3 of the "Jiangsu S company" thesis: tiers and their service types, in English and Chinese."""
    p = _resolve(path, "s_company_tiers.csv")
    return pd.read_csv(p, comment="#", dtype=str, keep_default_na=False)


def load_thesis_profit_rates(tables: pd.DataFrame | None = None) -> pd.DataFrame:
    """Table 2 of the "Jiangsu S company" thesis as printed: profit rate (%) with / without CRM, boom and recession.

    Reads the ``table2`` ``profit_rate`` rows of :func:`load_thesis_tables`
    (conditions ``boom_with_crm`` etc., percent) into one row per industry
    condition (``boom``, ``recession``) with the columns ``with`` and
    ``without``: the input of :func:`crmlib.programme.with_without_table`
    (descriptive only: the thesis gives no counts or years behind its four cells).
    """
    tables = load_thesis_tables() if tables is None else tables
    t2 = tables.loc[(tables["table"] == "table2") & (tables["item"] == "profit_rate")]
    parts = t2["condition"].str.extract(r"^(?P<state>[a-z]+)_(?P<arm>with|without)_crm$")
    if parts.isna().any().any() or len(t2) != 4:
        raise DataError(
            f"thesis Table 2: expected 4 profit_rate rows named <state>_with[out]_crm, found {list(t2['condition'])}"
        )
    wide = pd.DataFrame(
        {"state": parts["state"].to_numpy(), "arm": parts["arm"].to_numpy(), "value": t2["value"].to_numpy()}
    ).pivot(index="state", columns="arm", values="value")
    order = [s for s in ("boom", "recession") if s in wide.index] + [
        s for s in wide.index if s not in ("boom", "recession")
    ]
    wide = wide.loc[order, ["with", "without"]]
    wide.index.name = "industry condition"
    wide.columns.name = None
    return wide


def load_thesis_customer_values(tables: pd.DataFrame | None = None) -> pd.DataFrame:
    """Table 5 of the "Jiangsu S company" thesis as printed: customer value by year, without and with the strategy.

    Reads the ``table5`` ``customer_value`` rows of :func:`load_thesis_tables`
    (conditions ``year<k>_without``, ``year<k>_with``, ``year<k>_difference``;
    USD as printed) into one row per year with the columns ``without``,
    ``with`` and ``difference`` (the printed difference, not recomputed).
    """
    tables = load_thesis_tables() if tables is None else tables
    t5 = tables.loc[(tables["table"] == "table5") & (tables["item"] == "customer_value")]
    parts = t5["condition"].str.extract(r"^year(?P<year>\d+)_(?P<series>without|with|difference)$")
    if t5.empty or parts.isna().any().any():
        raise DataError(
            f"thesis Table 5: expected customer_value rows named year<k>_without/with/difference, found "
            f"{list(t5['condition'])}"
        )
    wide = pd.DataFrame(
        {
            "year": parts["year"].astype(int).to_numpy(),
            "series": parts["series"].to_numpy(),
            "value": t5["value"].to_numpy(),
        }
    ).pivot(index="year", columns="series", values="value")
    wide = wide[["without", "with", "difference"]]
    wide.columns.name = None
    return wide


def load_thesis_tier_rule(path: str | os.PathLike | None = None) -> dict:
    """The tier rule of the S-company case study (``data/s_company_tier_rule.yml``), as TierRule arguments.

    Returns ``{"names": (...), "cuts": (...), "on": "share"}``: diamond, gold
    and third tier of the thesis's Table 3 with crmlib's assumed shares (top
    10 %, next 20 %, the rest; the thesis prints none). Use it as
    ``crmlib.segment.TierRule(**load_thesis_tier_rule())``.
    """
    import yaml

    p = _resolve(path, "s_company_tier_rule.yml")
    raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict) or set(raw) != {"names", "cuts", "on"}:
        got = sorted(map(str, raw)) if isinstance(raw, dict) else type(raw).__name__
        raise DataError(f"{p.name}: expected the keys ['cuts', 'names', 'on'], found {got}")
    return {"names": tuple(raw["names"]), "cuts": tuple(raw["cuts"]), "on": raw["on"]}
