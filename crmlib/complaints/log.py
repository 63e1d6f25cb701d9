"""A complaint log: intake, complaint rates by tier or segment, time to resolution, complaints and churn.

A complaint log has one row per complaint: ``customer_id``, ``date`` (received), ``channel``, ``text`` and
``resolved`` (the date it was answered; blank while open). :func:`read_complaints` reads one from a file or a
DataFrame under the researcher's column names and names every bad column and row.

References
----------
Seed paper 001 (part 2, real estate): classify each complaint and answer it at once.
Garwood, F. (1936). Fiducial limits for the Poisson distribution. *Biometrika* 28(3/4), 437-442.
Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete observations. *JASA* 53(282), 457-481.
Greenland, S. & Robins, J. M. (1985). Estimation of a common effect parameter from sparse follow-up data.
    *Biometrics* 41(1), 55-68 (the Mantel-Haenszel risk difference and its variance).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from scipy import stats

from .._checks import check_level, check_nonnegative, require_columns, rows_text
from .._files import file_kind, parse_dates, read_csv, read_excel
from ..exceptions import DataError

__all__ = ["STATUS", "churn_by_complaints", "complaint_rates", "complaint_status", "read_complaints", "resolution_data"]

STATUS = ("no complaint", "all resolved", "some unresolved")


def read_complaints(
    source: pd.DataFrame | str | os.PathLike,
    *,
    text: str = "text",
    date: str = "date",
    customer_id: str = "customer_id",
    channel: str | None = "channel",
    resolved: str | None = "resolved",
    date_format: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """A complaint log under crmlib's column names, checked.

    Parameters
    ----------
    source : a DataFrame, or the path of a CSV/TSV, Excel or Parquet file.
    text, date, customer_id, channel, resolved : the file's columns holding the complaint's text, the date it
        was received, the customer, the channel (``None``: none recorded) and the date it was answered
        (``None``: none recorded; a blank cell is a complaint still open).
    date_format : strptime format of text dates (``None``: ISO 8601).
    encoding, delimiter, sheet : reading options of a text or Excel file (detected when not given).

    Returns
    -------
    DataFrame with ``customer_id``, ``date``, ``channel``, ``text``, ``resolved`` (datetime, NaT when open)
    first, then the source's other columns unchanged.

    Raises
    ------
    DataError
        naming the column and rows: a missing column, an empty text, a missing customer, a date that does not
        parse, an answer date that does not parse or precedes the complaint.

    References
    ----------
    Seed paper 001 (part 2): the complaint record (text, date, customer, channel, answer).
    """
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        kind = file_kind(source)
        if kind == "excel":
            frame = read_excel(source, sheet)
        elif kind == "parquet":
            frame = pd.read_parquet(source)
        else:
            frame = read_csv(source, encoding=encoding, delimiter=delimiter, expect=[text, date])
    require_columns(frame, [text, date, customer_id, channel, resolved], "complaint log")
    body = frame[text].astype("string").str.strip()
    bad = body.isna() | (body == "")
    if bad.any():
        raise DataError(f"complaint log: column {text!r} is empty in {rows_text(bad, frame.index)}")
    if frame[customer_id].isna().any():
        raise DataError(
            f"complaint log: column {customer_id!r} is missing in {rows_text(frame[customer_id].isna(), frame.index)}"
        )
    when = _dates(frame[date], date, date_format, frame.index)
    if when.isna().any():
        raise DataError(f"complaint log: column {date!r} is missing in {rows_text(when.isna(), frame.index)}")
    answered = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if resolved is not None:
        answered = _dates(frame[resolved], resolved, date_format, frame.index)
        early = (answered < when).to_numpy()
        if early.any():
            raise DataError(
                f"complaint log: column {resolved!r} is before column {date!r} in {rows_text(early, frame.index)}"
            )
    out = pd.DataFrame(
        {
            "customer_id": frame[customer_id],
            "date": when,
            "channel": frame[channel].astype("string") if channel is not None else pd.NA,
            "text": body.astype(object),
            "resolved": answered,
        },
        index=frame.index,
    )
    rest = frame.drop(columns=[c for c in (text, date, customer_id, channel, resolved) if c is not None])
    rest = rest.drop(columns=[c for c in rest.columns if c in out.columns])
    return pd.concat([out, rest], axis=1).reset_index(drop=True)


def _dates(values: pd.Series, column: str, date_format: str | None, index: pd.Index) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.astype("datetime64[ns]")
    blank = values.isna() | (values.astype("string").str.strip() == "")
    parsed = parse_dates(values.where(~blank), column, date_format)
    bad = (parsed.isna() & ~blank).to_numpy()
    if bad.any():
        hint = f"format {date_format!r}" if date_format else "ISO 8601 (YYYY-MM-DD; or pass date_format)"
        raise DataError(f"complaint log: column {column!r} is not a date in {hint} in {rows_text(bad, index)}")
    return parsed


def complaint_status(log: pd.DataFrame, customers: pd.DataFrame) -> pd.Series:
    """Each customer's complaint status: ``no complaint``, ``all resolved`` or ``some unresolved``.

    Parameters
    ----------
    log : a complaint log from :func:`read_complaints`.
    customers : one row per customer with ``customer_id``.

    Returns
    -------
    Categorical Series indexed like ``customers``.

    References
    ----------
    Seed paper 001 (part 2): unanswered complaints as the danger to the relationship.
    """
    require_columns(customers, ["customer_id"], "customers")
    require_columns(log, ["customer_id", "resolved"], "complaint log")
    unknown = ~log["customer_id"].isin(customers["customer_id"])
    if unknown.any():
        raise DataError(
            f"complaint log: column 'customer_id' names customers not in `customers` in {rows_text(unknown, log.index)}"
        )
    complained = customers["customer_id"].isin(log["customer_id"]).to_numpy()
    unresolved = customers["customer_id"].isin(log.loc[log["resolved"].isna(), "customer_id"]).to_numpy()
    status = np.where(~complained, STATUS[0], np.where(unresolved, STATUS[2], STATUS[1]))
    return pd.Series(pd.Categorical(status, categories=STATUS), index=customers.index, name="status")


def complaint_rates(
    log: pd.DataFrame, customers: pd.DataFrame, group: str, *, years: float = 1.0, level: float = 0.95
) -> pd.DataFrame:
    """Complaints per customer and year by group (tier, segment), with exact Poisson intervals.

    Parameters
    ----------
    log : a complaint log (:func:`read_complaints`).
    customers : one row per customer with ``customer_id`` and the ``group`` column (customers without
        complaints count, with zero).
    group : the column of ``customers`` that defines the groups.
    years : length of the observation period the log covers (years).
    level : coverage of the intervals.

    Returns
    -------
    DataFrame indexed by group: ``customers``, ``complaints``, ``rate`` (complaints per customer-year) with
    ``rate_lower``/``rate_upper`` (Garwood's exact interval), ``share_complaining`` (customers with at least
    one complaint), and, when the log has ``complaint_type``, one count column per type.

    References
    ----------
    Garwood (1936), the exact Poisson interval: chi-square quantiles 2k and 2(k+1) degrees of freedom.
    """
    level = check_level(level)
    years = float(check_nonnegative(years, "years"))
    if years <= 0:
        raise DataError(f"years must be positive, got {years}")
    require_columns(customers, ["customer_id", group], "customers")
    complaint_status(log, customers)  # checks that every complaint's customer is known
    counts = log["customer_id"].value_counts()
    per = customers["customer_id"].map(counts).fillna(0).astype(int)
    g = customers[group]
    out = pd.DataFrame({"customers": g.value_counts(sort=False), "complaints": per.groupby(g).sum()})
    out = out.sort_index()
    k, exposure = out["complaints"].to_numpy(dtype=float), out["customers"].to_numpy(dtype=float) * years
    a = 1 - level
    out["rate"] = k / exposure
    out["rate_lower"] = np.where(k > 0, stats.chi2.ppf(a / 2, 2 * k) / 2, 0.0) / exposure
    out["rate_upper"] = stats.chi2.ppf(1 - a / 2, 2 * (k + 1)) / 2 / exposure
    out["share_complaining"] = (per > 0).groupby(g).mean()
    if "complaint_type" in log.columns:
        joined = log.merge(customers[["customer_id", group]], on="customer_id", how="left")
        types = pd.crosstab(joined[group], joined["complaint_type"])
        out = out.join(types).fillna({c: 0 for c in types.columns})
    out.index.name = group
    out.attrs["level"] = level
    return out


def resolution_data(log: pd.DataFrame, observation_end: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Survival data of the time to resolution: one row per complaint, censored while unanswered.

    Parameters
    ----------
    log : a complaint log (:func:`read_complaints`).
    observation_end : last day observed (default: the latest received or answer date in the log).

    Returns
    -------
    The log with ``duration`` (days from receipt to answer, or to ``observation_end`` when open) and
    ``resolved_event`` (1 = answered, 0 = censored); fit with
    ``survival.KaplanMeierBySegment().fit(data, event="resolved_event", segment="topic")``.

    References
    ----------
    Kaplan & Meier (1958): right-censored times.
    """
    require_columns(log, ["date", "resolved"], "complaint log")
    latest = max(log["date"].max(), log["resolved"].max() if log["resolved"].notna().any() else log["date"].max())
    end = latest if observation_end is None else pd.Timestamp(observation_end)
    after = ((log["date"] > end) | (log["resolved"] > end)).to_numpy()
    if after.any():
        raise DataError(
            f"complaint log: 'date' or 'resolved' after observation_end {end.date()} in {rows_text(after, log.index)}"
        )
    stop = log["resolved"].fillna(end)
    out = log.assign(
        duration=(stop - log["date"]).dt.days.astype("float64"), resolved_event=log["resolved"].notna().astype(int)
    )
    out.attrs["duration_unit"] = "days"
    return out


def churn_by_complaints(
    customers: pd.DataFrame,
    log: pd.DataFrame,
    *,
    churned: str = "churned",
    strata: str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Churn by complaint status, and the risk difference of complaining customers against the others.

    Parameters
    ----------
    customers : one row per customer: ``customer_id``, the 0/1 column ``churned`` (1 = left after the period
        the log covers) and optionally the ``strata`` column.
    log : a complaint log (:func:`read_complaints`).
    churned : the churn column's name.
    strata : a column (e.g. tier) within which the statuses are compared (Mantel-Haenszel); ``None``: crude.
    level : coverage of the intervals.

    Returns
    -------
    DataFrame indexed by status (``no complaint``, ``all resolved``, ``some unresolved``): ``customers``,
    ``churned``, ``churn_rate``, and ``risk_difference`` with ``risk_difference_lower``/``_upper``
    against ``no complaint`` (Mantel-Haenszel within ``strata`` when given; percentage points as shares).
    A status no customer has, or no stratum holds beside customers without complaints, has a blank
    (NaN) difference: there is nothing to compare.

    References
    ----------
    Greenland & Robins (1985), the Mantel-Haenszel risk difference and its variance (eq. 4 and 7).
    """
    level = check_level(level)
    require_columns(customers, ["customer_id", churned, strata], "customers")
    y = pd.to_numeric(customers[churned], errors="coerce")
    bad = ~y.isin([0, 1])
    if bad.any():
        raise DataError(f"customers: column {churned!r} must be 0 or 1; not in {rows_text(bad, customers.index)}")
    status = complaint_status(log, customers)
    stratum = customers[strata] if strata is not None else pd.Series("all", index=customers.index)
    out = pd.DataFrame(
        {"customers": status.value_counts(sort=False), "churned": y.groupby(status, observed=False).sum()}
    )
    out = out.reindex(list(STATUS)).fillna(0)
    out["churn_rate"] = out["churned"] / out["customers"].where(out["customers"] > 0)
    z = stats.norm.ppf(0.5 + level / 2)
    for s in STATUS[1:]:
        rd, var = _mh_risk_difference(y.to_numpy(dtype=float), status.to_numpy(), stratum.to_numpy(), s, STATUS[0])
        out.loc[s, ["risk_difference", "risk_difference_lower", "risk_difference_upper"]] = (
            rd,
            rd - z * np.sqrt(var),
            rd + z * np.sqrt(var),
        )
    out[["customers", "churned"]] = out[["customers", "churned"]].astype(int)
    out.index.name = "status"
    out.attrs["level"] = level
    return out


def _mh_risk_difference(
    y: np.ndarray, status: np.ndarray, stratum: np.ndarray, exposed: str, reference: str
) -> tuple[float, float]:
    keep = np.isin(status, [exposed, reference])
    frame = pd.DataFrame({"y": y[keep], "e": status[keep] == exposed, "k": stratum[keep]})
    t = frame.groupby(["k", "e"])["y"].agg(["sum", "size"]).unstack("e", fill_value=0)
    t = t.reindex(columns=pd.MultiIndex.from_product([["sum", "size"], [False, True]]), fill_value=0)
    a, n1 = t[("sum", True)].to_numpy(float), t[("size", True)].to_numpy(float)
    c, n0 = t[("sum", False)].to_numpy(float), t[("size", False)].to_numpy(float)
    use = (n1 > 0) & (n0 > 0)
    if not use.any():
        return float("nan"), float("nan")
    a, n1, c, n0 = a[use], n1[use], c[use], n0[use]
    n = n1 + n0
    w = n1 * n0 / n
    rd = float(np.sum(a * n0 / n - c * n1 / n) / w.sum())
    var = float(np.sum(w**2 * (a * (n1 - a) / n1**3 + c * (n0 - c) / n0**3)) / w.sum() ** 2)
    return rd, var
