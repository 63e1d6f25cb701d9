"""The public entries of the package: :func:`summarize` (log -> per-customer summary) and
:func:`purchase_days` (log -> checked customer x purchase-day table).

Both read the log with :func:`~crmlib.transactions.read_log` and run the same
checks (:mod:`._checks`); ``summarize`` then computes the summary by one of two
plans with the same result bit for bit (:mod:`._plan_sort`, :mod:`._plan_aggregate`).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._checks import check_choice
from ..exceptions import DataError
from ..spec import SummarySpec, days_per_unit
from . import _engines as eng
from ._checks import Checked, Policies, check_log, duplicates
from ._intake import TransactionLog, engine_error, read_log
from ._job import _SummaryJob
from ._plan_aggregate import aggregate_result
from ._plan_sort import sort_result
from ._time import COHORTS, check_period, check_time_unit, period_start, span, to_timestamp

_COLUMNS = [
    "frequency",
    "recency",
    "T",
    "monetary",
    "frequency_holdout",
    "monetary_holdout",
    "duration_holdout",
    "cohort",
]


def summarize(
    log: Any,
    *,
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str | None = "amount",
    observation_end: Any = None,
    calibration_end: Any = None,
    period: Literal["day", "week", "month"] = "day",
    time_unit: str | float = "week",
    engine: Any = None,
    include_cohort: bool | str = False,
    date_format: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    sheet: str | int | None = None,
    on_negative: Literal["error", "exclude", "keep"] = "error",
    on_zero: Literal["error", "exclude", "keep"] = "keep",
    on_duplicate: Literal["error", "exclude", "keep", "ignore"] = "keep",
    on_after_end: Literal["error", "exclude"] = "exclude",
    plan: Literal["auto", "sort", "aggregate"] = "auto",
) -> pd.DataFrame:
    """Per-customer frequency, recency, T and monetary value from a transaction log.

    Parameters
    ----------
    log : the log, one row per transaction, anything :func:`read_log`
        reads: a pandas DataFrame (scanned in place by DuckDB, not copied), a
        path to a CSV/TSV file (any delimiter and encoding), a Parquet file,
        folder or glob, or an Excel workbook, a SQL query or table name on
        ``engine``, a DuckDB relation, a Spark DataFrame, an Ibis table on any
        backend (it then runs on that backend, e.g. PySpark), or a
        :class:`TransactionLog` from :func:`read_log`.
    customer_id, date, amount : column names (any header). ``date`` holds dates, timestamps
        (the time of day is dropped) or text dates (see ``date_format``); ``amount`` is the value
        of the transaction in currency units (``None``: no monetary columns).
        Timestamps with a time zone are cut to days in their own zone for a
        pandas column (the wall-clock date), and in the engine's session time
        zone for a file or engine table (DuckDB's ``TimeZone`` setting, UTC
        without its ICU extension; Spark's ``spark.sql.session.timeZone``).
    observation_end : last day observed (inclusive); default the last
        transaction date. ``T`` runs to it (to ``calibration_end`` when given).
    calibration_end : last day of the calibration period (inclusive). The
        summary then covers the customers whose first purchase is on or before
        it, computed on calibration transactions only, plus the holdout columns
        for the days after it up to ``observation_end``. Customers first seen
        in the holdout are not in the table (their count is in
        ``summary_spec(summary).customers_first_seen_in_holdout``). The split is
        by day: a week or month that straddles ``calibration_end`` counts on
        both sides (as in lifetimes' ``calibration_and_holdout_data``).
    period : purchases are grouped by ``"day"`` (the default and the
        buy-till-you-die convention), ``"week"`` (ISO week, Monday to Sunday) or
        ``"month"`` (calendar month); several purchases in one period count as
        one and their amounts are summed.
    time_unit : unit of ``recency``, ``T`` and ``duration_holdout``: ``"week"``
        (days / 7, the default, as in the classic CDNOW summary), ``"day"``,
        ``"month"`` (days / 30.4375; whole calendar months when ``period="month"``),
        or a positive number of days. Times are measured between period starts
        (``crmlib.transactions._time``).
    engine : None or ``"duckdb"`` (a fresh in-process DuckDB), a DuckDB
        connection, ``"spark"``/a SparkSession, or any Ibis backend (e.g.
        ``ibis.pyspark.connect(spark)``). Not used with an Ibis table.
    include_cohort : add ``cohort``, the start of the acquisition period of each
        customer: the day, ISO week, month, quarter or year of the first
        (calibration) purchase day - of the day itself, not of its ``period``'s
        start. ``True`` for the month, or one of ``"day"``, ``"week"``, ``"month"``,
        ``"quarter"``, ``"year"``.
    date_format, encoding, delimiter, decimal, thousands, sheet : how the log
        is read, as in :func:`read_log` (a ``date_format`` is honoured on every
        source; day/month text dates that could be read either way are an
        error without it).
    on_negative, on_zero, on_duplicate, on_after_end : the policy for each
        input check (below).
    plan : how the engine computes the summary; both plans give the same
        table bit for bit. ``"aggregate"``: the portable Ibis expression of
        :func:`summary_expression` (group by customer and period, then by
        customer), which runs where the data are (e.g. on a Spark cluster).
        ``"sort"``: the engine orders the rows by customer and period and the
        ordered stream is reduced here with vectorised numpy
        (``crmlib.transactions._plan_sort``); on DuckDB this was 2.4-2.9 times faster
        than the aggregation at 10M-50M rows, with less memory (the first
        aggregation's hash table is as large as the log), but every row
        travels to this process.
        ``"auto"`` (default): ``"sort"`` on DuckDB, ``"aggregate"`` on other
        engines.

    Input checks and their policies
    -------------------------------
    Each check counts the rows at fault and names them (index labels of a
    pandas DataFrame; the first records otherwise). Checks are judged on the
    columns the summary reads (``customer_id``, ``date``, ``amount``); the
    duplicate check counts the copies beyond the first among the rows the
    summary uses (after the exclusions above). ``"error"`` raises
    :class:`~crmlib.exceptions.DataError`; ``"exclude"`` removes the rows
    and warns (:class:`~crmlib.exceptions.DataWarning`) with their count;
    ``"keep"`` keeps them and warns. Nothing is dropped silently; the counts
    are also in ``summary_spec(summary).checks``.

    =========================  ===========  =====================================
    check                      policy       why
    =========================  ===========  =====================================
    missing customer id        error        a purchase without a customer
    missing/unparsable date    error        cannot be placed in time
    missing/non-numeric amount error        (only when ``amount`` is given;
                                            NaN: missing in pandas, not a
                                            number in a file or table)
    amount >= 10**12 in        error        beyond the exact DECIMAL(18, 6)
    absolute value, infinite                sums (scale the amounts)
    negative amount (returns)  ``error``    a return is not a purchase; choose
                                            ``"exclude"`` (drop the rows) or
                                            ``"keep"`` (the amount nets into its
                                            period's spend, the row counts as a
                                            purchase)
    zero amount                ``keep``     free orders still count as purchases
                                            (full CDNOW: 80); or exclude/error
    exact duplicate rows       ``keep``     same customer, date (as given, time
                                            included) and amount (to 1e-6, the
                                            precision of the sums): two
                                            identical orders are possible; or
                                            ``"exclude"`` (keep one copy),
                                            ``"error"``, or ``"ignore"`` (no
                                            check, no warning, rows kept)
    after ``observation_end``  ``exclude``  outside the observation window; or
                                            ``"error"``
    =========================  ===========  =====================================

    Returns
    -------
    DataFrame indexed by customer id (sorted), with columns

    =====================  =======  =============================================
    ``frequency``          int64    repeat purchase periods (distinct periods - 1)
    ``recency``            float64  first to last purchase period (``time_unit``)
    ``T``                  float64  first purchase period to the end of
                                    observation (calibration) (``time_unit``)
    ``monetary``           float64  mean spend of the repeat periods (currency;
                                    0 when ``frequency`` is 0)
    ``frequency_holdout``  int64    purchase periods in the holdout window
    ``monetary_holdout``   float64  mean spend of those periods (0 if none)
    ``duration_holdout``   float64  length of the holdout window (``time_unit``)
    ``cohort``             date     start of the acquisition period (asked for)
    =====================  =======  =============================================

    ``attrs["crmlib"]`` holds a :class:`crmlib.spec.SummarySpec` (read it with
    :func:`crmlib.spec.summary_spec`): the ends of observation and calibration,
    period, time unit and its length in days, the source and its row counts,
    the check counts, engine and plan. It survives ``.copy()``, column
    selection and row filters.

    Notes
    -----
    Definitions as in Fader, Hardie & Lee (2005), "Counting your customers the
    easy way", Marketing Science 24(2), and lifetimes'
    ``summary_data_from_transaction_data`` /
    ``calibration_and_holdout_data`` (which, unlike this function, averages the
    holdout spend over transactions rather than periods). Amounts are summed as
    DECIMAL(18, 6) (rounded to 1e-6, |amount| < 10**12), so that every engine
    returns the same numbers bit for bit. Overflow is reported, never wrapped:
    the aggregate plan needs a customer's spend in one period below 10**12
    (the sort plan's int64 sums hold up to 4.6e12 per customer); beyond, a
    :class:`~crmlib.exceptions.DataError` names the amount column.

    Examples
    --------
    >>> from crmlib.datasets import load_cdnow
    >>> s = summarize(load_cdnow("sample"), calibration_end="1997-09-30",
    ...               observation_end="1998-06-30")  # doctest: +SKIP
    """
    policies = Policies(on_negative, on_zero, on_duplicate, on_after_end)
    check_period(period)
    unit = check_time_unit(time_unit)
    check_choice(plan, "plan", ("auto", "sort", "aggregate"))
    cohort = None
    if include_cohort is True:
        cohort = "month"
    elif include_cohort not in (False, None):
        cohort = check_choice(include_cohort, "include_cohort", (True, False) + COHORTS)
    obs_end = to_timestamp(observation_end, "observation_end")
    cal_end = to_timestamp(calibration_end, "calibration_end")
    if obs_end is not None and cal_end is not None and cal_end >= obs_end:
        raise DataError(f"calibration_end ({cal_end.date()}) must be before observation_end ({obs_end.date()})")
    reading: dict[str, Any] = dict(date_format=date_format, encoding=encoding, delimiter=delimiter, decimal=decimal)
    reading.update(thousands=thousands, sheet=sheet, engine=engine)
    with _open(log, customer_id, date, amount, reading) as log:
        if plan == "auto":
            plan = "sort" if log.backend.name == "duckdb" else "aggregate"
        job = _SummaryJob(obs_end, cal_end, period, unit, cohort, policies, plan)
        with _engine_errors(log):
            return _summarize(log, job)


@contextlib.contextmanager
def _open(source, customer_id, date, amount, reading) -> Iterator[TransactionLog]:
    """The log read by :func:`read_log`, closed afterwards unless the caller passed a TransactionLog."""
    with warnings.catch_warnings():
        # Ibis 12 calls a DuckDB 2.0 method that DuckDB deprecates; not the user's concern
        warnings.filterwarnings("ignore", message=r"fetch_arrow_table\(\) is deprecated", category=DeprecationWarning)
        log = read_log(source, customer_id=customer_id, date=date, amount=amount, **reading)
        try:
            yield log
        finally:
            if log is not source:
                log.close()


@contextlib.contextmanager
def _engine_errors(log: TransactionLog) -> Iterator[None]:
    try:
        yield
    except DataError:
        raise
    except Exception as exc:
        err = engine_error(log, exc)
        if err is None:
            raise
        raise err from exc


def _summarize(log: TransactionLog, job: _SummaryJob) -> pd.DataFrame:
    checked = check_log(log, job.policies, job.observation_end)
    obs_end, cal_end = checked.observation_end, job.calibration_end
    if cal_end is not None and cal_end >= obs_end:
        raise DataError(f"calibration_end ({cal_end.date()}) must be before observation_end ({obs_end.date()})")
    if cal_end is not None and checked.first_day is not None and cal_end < checked.first_day:
        raise DataError(
            f"calibration_end ({cal_end.date()}) is before the first transaction ({checked.first_day.date()})"
        )
    plan = sort_result if job.plan == "sort" else aggregate_result
    result, dup_count = plan(checked, log, job)
    first_seen_later = 0
    if cal_end is not None:
        # customers without a calibration purchase (frequency = -1) are first seen in the holdout
        later = result["frequency"].to_numpy() < 0
        first_seen_later = int(later.sum())
        if first_seen_later:
            result = result.loc[~later]
    out = _finish(result, log.customer_id, log.amount is not None, cal_end is not None, job.cohort is not None)
    if cal_end is not None:
        hold = span(period_start(obs_end, job.period), period_start(cal_end, job.period), job.period, job.time_unit)
        out["duration_holdout"] = float(hold)
        out = out[[c for c in _COLUMNS if c in out.columns]]
    used = checked.n_rows - checked.n_excluded - (dup_count if job.policies.on_duplicate == "exclude" else 0)
    out.attrs["crmlib"] = SummarySpec(
        observation_end=obs_end,
        calibration_end=cal_end,
        period=job.period,
        time_unit=job.time_unit,
        days_per_unit=days_per_unit(job.time_unit),
        source=log.source,
        n_rows=checked.n_rows,
        n_rows_used=int(used),
        n_customers=len(out),
        customers_first_seen_in_holdout=first_seen_later,
        checks={p.key: int(p.count) for p in checked.problems},
        engine=log.backend.name,
        plan=job.plan,
    )
    return out


def _finish(result: pd.DataFrame, customer_id: str, has_amount: bool, holdout: bool, cohort: bool) -> pd.DataFrame:
    """The engine's result indexed by customer (sorted), typed, in the documented column order.

    Builds the frame once: each column is taken in customer order straight from its array (no
    set_index / sort_index / astype copies of the whole table).
    """
    types = {"frequency": "int64", "recency": "float64", "T": "float64"}
    if has_amount:
        types["monetary"] = "float64"
    if holdout:
        types["frequency_holdout"] = "int64"
        if has_amount:
            types["monetary_holdout"] = "float64"
    index = pd.Index(result["cid"].to_numpy(), name=customer_id)
    take = None if index.is_monotonic_increasing else np.argsort(index.to_numpy(), kind="stable")
    data = {}
    for col in _COLUMNS:
        if col not in result.columns:
            continue
        v = result[col]
        if col == "cohort":
            v = pd.to_datetime(v).astype("datetime64[ns]")
        elif v.dtype != types[col]:
            v = v.astype(types[col])
        v = v.to_numpy()
        data[col] = v if take is None else v[take]
    if take is not None:
        index = index[take]
    return pd.DataFrame(data, index=index, copy=False)


def purchase_days(
    log: Any,
    *,
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str | None = None,
    observation_end: Any = None,
    engine: Any = None,
    date_format: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    sheet: str | int | None = None,
    on_negative: Literal["error", "exclude", "keep"] = "error",
    on_zero: Literal["error", "exclude", "keep"] = "keep",
    on_duplicate: Literal["error", "exclude", "keep", "ignore"] = "keep",
    on_after_end: Literal["error", "exclude"] = "exclude",
) -> pd.DataFrame:
    """The checked customer x purchase-day table of a transaction log: the entry of every module that reads a log.

    Reads ``log`` with :func:`read_log` and runs the checks of :func:`summarize`
    (same policies, same messages, same warnings); then one row per customer
    and purchase day, several purchases of a day in one row with their amounts
    summed exactly (as DECIMAL(18, 6), like the summary).

    Parameters
    ----------
    log : anything :func:`read_log` reads (a DataFrame, a CSV/Parquet/Excel
        path, a SQL query or table with ``engine=``, a Spark/Ibis table, a
        :class:`TransactionLog`).
    customer_id, date : the columns of the customer and the purchase date.
    amount : the column of the transaction value (currency units), or ``None``
        (the default) for purchase days only.
    observation_end : last day observed (inclusive); later rows follow
        ``on_after_end``. Default: the last purchase day.
    engine, date_format, encoding, delimiter, decimal, thousands, sheet :
        as in :func:`read_log`.
    on_negative, on_zero, on_duplicate, on_after_end : the policies of the
        input checks, as in :func:`summarize` (``on_negative``/``on_zero`` only
        with ``amount``).

    Returns
    -------
    DataFrame on a RangeIndex, sorted by customer and day, with columns
    ``customer_id`` (the log's ids), ``date`` (``datetime64[ns]``, midnight of
    the purchase day) and, with ``amount``, ``amount`` (float64, the day's
    spend in currency units). ``attrs["crmlib_log"]`` records the source,
    ``observation_end``, ``n_rows``, ``n_rows_used`` and the check counts.

    Raises
    ------
    DataError
        As :func:`summarize`: naming the column, rows and policy at fault.

    Notes
    -----
    A purchase day is the unit of the buy-till-you-die models (Fader, Hardie &
    Lee 2005, "Counting your customers the easy way", Marketing Science 24(2):
    several purchases in one day count once); the table is what
    ``summarize(..., period="day")`` aggregates.

    Examples
    --------
    >>> from crmlib.datasets import load_cdnow
    >>> days = purchase_days(load_cdnow("sample"), amount="amount")  # doctest: +SKIP
    """
    policies = Policies(on_negative, on_zero, on_duplicate, on_after_end)
    obs_end = to_timestamp(observation_end, "observation_end")
    reading: dict[str, Any] = dict(date_format=date_format, encoding=encoding, delimiter=delimiter, decimal=decimal)
    reading.update(thousands=thousands, sheet=sheet, engine=engine)
    with _open(log, customer_id, date, amount, reading) as src, _engine_errors(src):
        checked = check_log(src, policies, obs_end)
        return _days(checked, src, policies)


def _days(checked: Checked, log: TransactionLog, policies: Policies) -> pd.DataFrame:
    kept, has_amount = checked.kept, log.amount is not None
    dup_count = 0
    if policies.on_duplicate != "ignore":
        dup_count = duplicates(checked, log, policies.on_duplicate)
    if policies.on_duplicate == "exclude" and dup_count:
        exact = {"amount": kept.amount.cast(eng.AMOUNT_TYPE)} if has_amount else {}
        kept = kept.select("cid", "day", "when", **exact).distinct()
    aggs = {"amount": kept.amount.cast(eng.AMOUNT_TYPE).sum().cast("float64")} if has_amount else {}
    expr = kept.group_by(["cid", "day"]).aggregate(**aggs) if aggs else kept.select("cid", "day").distinct()
    got = eng.fetch_sums(log.backend, expr.order_by(["cid", "day"]), log.amount)
    out = pd.DataFrame({"customer_id": got["cid"].to_numpy(), "date": got["day"].to_numpy().astype("datetime64[ns]")})
    if has_amount:
        out["amount"] = got["amount"].to_numpy(dtype="float64")
    used = checked.n_rows - checked.n_excluded - (dup_count if policies.on_duplicate == "exclude" else 0)
    out.attrs["crmlib_log"] = {
        "source": log.source,
        "observation_end": checked.observation_end,
        "n_rows": checked.n_rows,
        "n_rows_used": int(used),
        "checks": {p.key: int(p.count) for p in checked.problems},
    }
    return out
