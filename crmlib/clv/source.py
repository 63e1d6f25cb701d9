"""The transaction log of a CLV report: a bundled CDNOW log or the researcher's file, and its calibration split.

The report notebook ``clv.ipynb`` takes ``dataset`` as a bundled name or a
path; :func:`open_log` reads either through :func:`crmlib.transactions.read_log`
(the one intake: CSV in any encoding and delimiter, Excel, Parquet) once, and
:func:`split_dates` states the calibration and observation ends the report
uses, with a default calibration end when the researcher gives none.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from .._checks import close_matches
from ..exceptions import DataError

__all__ = ["BUNDLED_LOGS", "LogSource", "describe_summary", "open_log", "split_dates"]

from ..datasets.logs import BUNDLED_LOGS


@dataclasses.dataclass
class LogSource:
    """A transaction log ready for :func:`crmlib.transactions.summarize`, with the words a report needs.

    Attributes
    ----------
    log : the :class:`crmlib.transactions.TransactionLog` (read once, reused by every call).
    label : the data's name for prose and captions (``"CDNOW sample"``, or the file name).
    bundled : True for a bundled CDNOW log (the notebook's CDNOW remarks apply only then).
    has_amount : True when the log has an amount column (spend and CLV in money need it).
    first_day, last_day : first and last purchase day in the log.
    """

    log: Any
    label: str
    bundled: bool
    has_amount: bool
    first_day: pd.Timestamp
    last_day: pd.Timestamp


def open_log(
    dataset: str | Path,
    *,
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str | None = "amount",
    **read_options: Any,
) -> LogSource:
    """Read a report's transaction log: a bundled CDNOW name or a path to the researcher's file.

    Parameters
    ----------
    dataset : ``"cdnow_sample"`` (2,357 customers), ``"cdnow_master"``
        (23,570), or the path of a log in any format
        :func:`crmlib.transactions.read_log` reads (CSV/TSV in any encoding,
        Excel, Parquet).
    customer_id, date, amount : the file's columns (any header, Korean and
        Chinese included); ``amount=None`` for a log without amounts. Ignored
        for a bundled name (its columns are ``customer_id, date, amount``).
    **read_options : ``date_format``, ``encoding``, ``delimiter``, ``decimal``,
        ``thousands``, ``sheet``, as in :func:`~crmlib.transactions.read_log`;
        ``None`` values are left out.

    Returns
    -------
    LogSource
        The log and its first and last purchase day (days).

    Raises
    ------
    DataError
        From the intake, naming the file, column or encoding at fault
        (ambiguous day/month dates show rows and both readings); a path that
        does not exist is named with the folder it was looked for in.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your
    customers" the easy way. *Marketing Science* 24(2), 275-284 (the CDNOW cohort).
    """
    from .. import datasets
    from ..transactions import purchase_days, read_log

    options = {k: v for k, v in read_options.items() if v is not None}
    if str(dataset) in BUNDLED_LOGS:
        subset = BUNDLED_LOGS[str(dataset)]
        log = read_log(datasets.load_cdnow(subset))
        label, bundled, has_amount = f"CDNOW {subset}", True, True
    else:
        path = Path(dataset)
        if not path.exists():
            raise DataError(
                f"dataset: no file {str(dataset)!r} (looked in {Path.cwd()}); give a bundled name "
                f"({', '.join(BUNDLED_LOGS)}) or the path of a transaction log{close_matches(str(dataset), BUNDLED_LOGS)}"
            )
        log = read_log(path, customer_id=customer_id, date=date, amount=amount, **options)
        label, bundled, has_amount = path.name, False, amount is not None
    days = purchase_days(log)["date"]  # the intake's checks and warnings, as in the summary
    return LogSource(log, label, bundled, has_amount, days.min(), days.max())


def split_dates(source: LogSource, calibration_end: Any = None, observation_end: Any = None, share: float = 2 / 3):
    """The calibration end and observation end of a report, with a default calibration end.

    Parameters
    ----------
    source : the log, from :func:`open_log`.
    calibration_end : last day of the calibration period (inclusive); ``None``:
        the day at ``share`` of the span from the first purchase day to the
        observation end (two thirds by default: a third of the span is the
        holdout), rounded to whole days;
        ``False``: no holdout (the models are fitted on the whole log and the
        validation sections are skipped).
    observation_end : last day observed (inclusive); ``None``: the last purchase day.
    share : share of the span in the calibration period when ``calibration_end`` is None (0 < share < 1).

    Returns
    -------
    (calibration_end, observation_end, derived) : Timestamps (days; the
    calibration end ``None`` for no holdout) and True when the calibration end
    was derived here.

    Raises
    ------
    DataError
        Naming ``calibration_end`` or ``observation_end`` when a date is
        outside the log or the calibration end is not before the observation end.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your
    customers" the easy way. *Marketing Science* 24(2), 275-284 (calibration and holdout periods).
    """
    from .._checks import check_probability

    check_probability(share, "share", open_interval=True)
    end = source.last_day if observation_end is None else pd.Timestamp(observation_end).normalize()
    if end < source.first_day:
        raise DataError(f"observation_end {end.date()} is before the first purchase day {source.first_day.date()}")
    if calibration_end is False:
        return None, end, False
    if calibration_end is None:
        span = (end - source.first_day).days
        return source.first_day + pd.Timedelta(days=round(share * span)), end, True
    cal = pd.Timestamp(calibration_end).normalize()
    if not source.first_day <= cal < end:
        raise DataError(
            f"calibration_end {cal.date()} must lie from the first purchase day {source.first_day.date()} to the day "
            f"before observation_end {end.date()}; give None for two thirds of the span or False for no holdout"
        )
    return cal, end, False


def describe_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """Table 1 of a CLV report: customers, repeat buyers and transactions of a calibration summary, and the checks.

    Parameters
    ----------
    summary : from :func:`crmlib.transactions.summarize` (carries its
        :class:`~crmlib.spec.SummarySpec`); the holdout rows appear when it has
        a calibration period.

    Returns
    -------
    DataFrame with one ``value`` column indexed by what is counted
    (customers, transactions, lengths in the summary's time unit, log rows).

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your
    customers" the easy way. *Marketing Science* 24(2), 275-284 (repeat
    transactions are purchase days after the first).
    """
    from ..spec import summary_spec

    spec = summary_spec(summary)
    units = spec.unit_label
    rows: dict[str, float | None] = {
        "customers": len(summary),
        "repeat buyers in calibration": int((summary["frequency"] > 0).sum()),
        "repeat transactions, calibration": int(summary["frequency"].sum()),
    }
    if spec.calibration_end is not None:
        rows["repeat transactions, holdout"] = int(summary["frequency_holdout"].sum())
    rows[f"longest calibration history ({units})"] = float(summary["T"].max())
    if spec.calibration_end is not None:
        rows[f"holdout length ({units})"] = spec.holdout_length
    if "monetary" in summary.columns:  # a log with amounts
        rows["log rows with zero amount (kept)"] = spec.checks.get("zero", 0)
    rows["exact duplicate log rows (kept)"] = spec.checks.get("duplicate", 0)
    for check, count in spec.checks.items():  # any other check the log met (e.g. rows after the observation end)
        if check not in ("zero", "duplicate") and count:
            rows[f"log rows met by the check '{check}'"] = count
    return pd.DataFrame({"value": list(rows.values())}, index=list(rows))
