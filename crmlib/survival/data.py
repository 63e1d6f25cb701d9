"""Customer data -> survival data (one row per customer: start, end, duration, churned).

Two sources:

* **Contracts** (:func:`from_contracts`): a start date and an end date, or no end
  date when the contract is still active at the observation end, which makes
  the customer right-censored there (Klein & Moeschberger 2003, sec. 3.2).
* **Transaction logs** (:func:`from_transactions`): there is no end date in a
  non-contractual setting, so churn is *defined* by an inactivity window of
  ``w = inactivity_days`` days (Fader & Hardie 2009, "Probability models for customer-base
  analysis", J. Interactive Marketing 23, sec. 2, on the contractual /
  non-contractual distinction). Because the choice of ``w`` is arbitrary,
  :func:`window_sensitivity` shows how the results move with it.

Churn rule for a transaction log (exact)
----------------------------------------
Purchases are counted per *purchase day* (several rows of one customer on one
day are one purchase occasion). Let ``t_1 < t_2 < ... < t_n`` be the purchase
days of a customer and ``E`` the observation end (the last day observed).

* A **lapse** is ``w`` consecutive observed days without a purchase after a
  purchase day: between two purchases it happens when ``t_{k+1} - t_k > w``
  days; after the last purchase it happens when ``t_n + w <= E`` (the whole
  window lies inside the observation period).
* The customer **churns at the first lapse**. The lifetime (spell) ends at the
  purchase day ``t_k`` that starts the lapse. A customer who buys again after
  that lapse is still counted as churned at ``t_k`` and flagged
  ``returned_after_lapse`` (a win-back), so nothing is dropped silently.
* A customer whose last window ``(t_n, t_n + w]`` is not fully observed
  (``E - t_n < w``) has not lapsed: **right-censored**, never churned.

``event_at`` says which day is the event (or censoring) day:

``"last_purchase"`` (default; the *active lifetime*)
    churn day = ``t_k`` (the last purchase before the lapse); a censored
    customer is censored at ``E - w``, the last day whose lapse could still be
    seen complete by ``E``. A churn day ``t_k`` is observable only when
    ``t_k <= E - w``; censoring at that fixed calendar day (administrative,
    type I censoring, Klein & Moeschberger 2003, sec. 3.2) keeps censoring
    independent of the lifetime. Censoring at the customer's own last
    purchase ``t_n`` (``> E - w``) would not: every customer still at risk
    beyond ``E - w`` is one who cannot be seen to churn there, so the
    Kaplan-Meier tail would be biased upwards (on CDNOW master with
    ``w = 180``: S(365 d) 0.075 instead of 0.068). A customer acquired after
    ``E - w`` gets duration 0: no churn of theirs can be observed yet, and
    they stay in the table (``attrs["unobservable"]`` counts them).
``"lapse"``
    churn day = ``t_k + w`` (the day the lapse is complete, when churn becomes
    known); a censored customer is censored at ``E``. The durations are those
    of ``"last_purchase"`` plus ``w`` days, censored ones included, so the
    two Kaplan-Meier curves are the same curve shifted by ``w`` days; under
    this definition no one can churn in their first ``w`` days.

Which to report: with ``"last_purchase"`` a customer who never buys on a
second day has a lifetime of 1 day, so wherever most customers buy once (CDNOW:
about half) the median lifetime is 1 day. That is the right answer to "how
long do customers keep buying", not a bug; report it beside the share of
one-day customers, the restricted mean lifetime, and the lifetime of repeat
buyers (``purchase_days_total > 1``), or use ``"lapse"`` to date churn when it
becomes known.

``duration`` is the number of calendar days from ``start`` (first purchase)
to ``end`` with both days included, so a one-day customer has duration 1.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._checks import check_choice, check_level, check_nonnegative, rows_text
from ..exceptions import DataError, DataWarning

__all__ = [
    "from_transactions",
    "from_contracts",
    "validate_survival",
    "window_sensitivity",
    "event_date_comparison",
    "event_date_variants",
    "first_purchase_covariates",
    "DAY",
]

DAY = pd.Timedelta(days=1)


def _where(labels: pd.Index) -> str:
    """``"2 rows (e.g. [1, 3])"`` for the row labels at fault (:func:`crmlib._checks.rows_text`)."""
    return rows_text(np.ones(len(labels), dtype=bool), labels)


def _need_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{what} lacks column(s) {missing}; it has {list(frame.columns)}")


def _as_dates(frame: pd.DataFrame, column: str, what: str, date_format: str | None = None) -> pd.Series:
    """A date column read by the one date intake (:func:`crmlib.transactions.read_log`'s rules and messages)."""
    from ..transactions import read_log

    s = frame[column]
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        warnings.warn(
            f"column {column!r} of {what} has time zone {s.dt.tz}; its wall-clock dates in that zone are used",
            DataWarning,
            stacklevel=3,
        )
    probe = pd.DataFrame({"__row": np.arange(len(s)), column: s.to_numpy() if s.dtype == object else s.array})
    with read_log(probe, customer_id="__row", date=column, amount=None, date_format=date_format) as parsed:
        assert parsed.frame is not None  # a log read from a DataFrame keeps it
        out = parsed.frame[column]
        given = parsed.frame.get("__crmlib_date_given")
    if given is not None:
        bad = frame.index[np.asarray(given, dtype=bool) & out.isna().to_numpy()]
        if len(bad):
            raise DataError(f"column {column!r} of {what}: not a date in {_where(bad)}")
    return pd.Series(out.to_numpy(), index=frame.index, name=column)


def _read_table(
    path: str | os.PathLike, *, encoding: str | None = None, sheet: str | int | None = None, expect: Sequence[str] = ()
) -> pd.DataFrame:
    """A table file (CSV/TSV in any encoding, Excel, Parquet) as a DataFrame, by :mod:`crmlib._files`."""
    from .. import _files

    kind = _files.file_kind(path)
    if not os.path.exists(path):
        raise DataError(f"no file {str(path)!r}")
    if kind == "csv":
        return _files.read_csv(path, encoding=encoding, expect=expect)
    if kind == "excel":
        return _files.read_excel(path, sheet)
    return pd.read_parquet(path)


def _as_day(value: pd.Timestamp | str, name: str) -> pd.Timestamp:
    """A date argument as a plain (time-zone-free) timestamp; a zone is dropped (wall-clock date kept)."""
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise DataError(f"{name} must be a date, got {value!r}") from None
    if ts is pd.NaT:
        raise DataError(f"{name} must be a date, got {value!r}")
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def validate_survival(data: pd.DataFrame, duration: str = "duration", event: str = "churned") -> pd.DataFrame:
    """Check a survival table (one row per subject) and return it unchanged.

    Raises :class:`DataError` naming the rows and their count for missing or
    negative durations and for event indicators other than 0/1 (True/False).

    Parameters
    ----------
    data : table with a duration column (days or any time unit) and an event column.
    duration, event : their names.
    """
    _need_columns(data, [duration, event], "survival data")
    d = pd.to_numeric(data[duration], errors="coerce")
    bad = data.index[d.isna().to_numpy()]
    if len(bad):
        raise DataError(f"column {duration!r}: missing or non-numeric duration in {_where(bad)}")
    bad = data.index[(d < 0).to_numpy()]
    if len(bad):
        raise DataError(f"column {duration!r}: negative duration in {_where(bad)}")
    bad = data.index[np.isinf(d.to_numpy(dtype="float64"))]
    if len(bad):
        raise DataError(
            f"column {duration!r}: infinite duration in {_where(bad)}; "
            "a customer never seen to churn is censored at the observation end, not at infinity"
        )
    e = data[event]
    ok = (e.isin([0, 1]) | e.isin([True, False])) & e.notna()
    bad = data.index[~ok.to_numpy()]
    if len(bad):
        raise DataError(f"column {event!r}: event indicator other than 0/1 in {_where(bad)}")
    return data


def from_contracts(
    contracts: pd.DataFrame,
    *,
    contract_start: str = "start",
    contract_end: str = "end",
    observation_end: pd.Timestamp | str,
    customer_id: str | None = None,
    date_format: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Survival data from contracts (start, end or still active).

    A contract with an end date on or before ``observation_end`` is a churn
    event at its end; a contract without an end date (NaT) is active and
    right-censored at ``observation_end`` (Klein & Moeschberger 2003, sec. 3.2).
    An end date after ``observation_end`` is not yet known at the observation
    end: the contract is censored there and a :class:`DataWarning` says how
    many rows this concerns.

    Parameters
    ----------
    contracts : one row per contract; other columns (covariates, segments) are kept. A
        DataFrame, or the path of a CSV/TSV (``encoding`` and delimiter detected unless
        given), Excel (``sheet``) or Parquet file, read by :mod:`crmlib._files`.
    contract_start, contract_end : names of the date columns. Dates with a time
        zone are read as their wall-clock dates in their own zone (a
        :class:`DataWarning` says so), as :func:`crmlib.transactions.summarize`
        does for a pandas column.
    observation_end : last day observed (a date).
    customer_id : optional customer id column; its values must be unique.
    date_format : strptime format of text dates (``"%d/%m/%Y"``); without it text dates are
        read as :func:`crmlib.transactions.read_log` reads a log's (ISO 8601; day/month text
        that could be read either way is refused, showing rows and both readings).

    Returns
    -------
    A copy of ``contracts`` with added columns ``duration`` (days, float,
    ``(end - start)`` or ``(observation_end - start)`` if censored),
    ``churned`` (int 0/1), ``end_observed`` (the end used) and ``cohort``
    (the start month, a ``Period``). ``attrs["definition"]`` states the rule.

    Raises
    ------
    DataError
        missing columns; missing or unparsable start dates; end before start;
        start after ``observation_end``; duplicated ids (each naming the rows
        and their count).
    """
    if isinstance(contracts, (str, os.PathLike)):
        contracts = _read_table(contracts, encoding=encoding, sheet=sheet, expect=[contract_start, contract_end])
    _need_columns(contracts, [contract_start, contract_end] + ([customer_id] if customer_id else []), "contracts")
    obs_end = _as_day(observation_end, "observation_end")
    s = _as_dates(contracts, contract_start, "contracts", date_format)
    e = _as_dates(contracts, contract_end, "contracts", date_format)
    bad = contracts.index[s.isna().to_numpy()]
    if len(bad):
        raise DataError(f"column {contract_start!r}: no start date in {_where(bad)}")
    bad = contracts.index[(e < s).to_numpy()]
    if len(bad):
        raise DataError(f"column {contract_end!r}: end before start in {_where(bad)}")
    bad = contracts.index[(s > obs_end).to_numpy()]
    if len(bad):
        raise DataError(f"column {contract_start!r}: start after the observation end {obs_end.date()} in {_where(bad)}")
    if customer_id:
        dup = contracts.index[contracts[customer_id].duplicated(keep=False).to_numpy()]
        if len(dup):
            raise DataError(f"column {customer_id!r}: duplicated customer id in {_where(dup)}")
    late = (e > obs_end).to_numpy()
    if late.any():
        warnings.warn(
            f"column {contract_end!r}: {int(late.sum())} contract(s) end after the observation end {obs_end.date()}; "
            "they are treated as active (right-censored) at the observation end",
            DataWarning,
            stacklevel=2,
        )
    churned = (e.notna() & (e <= obs_end)).to_numpy()
    end_used = e.where(churned, obs_end)
    out = contracts.copy()
    out["end_observed"] = end_used
    out["duration"] = ((end_used - s) / DAY).astype("float64")
    out["churned"] = churned.astype("int64")
    out["cohort"] = s.dt.to_period("M")
    out.attrs.update(contracts.attrs)
    out.attrs.update(
        {
            "source": "contracts",
            "observation_end": obs_end,
            "duration_unit": "days",
            "definition": (
                f"churn = contract end on or before {obs_end.date()}; contracts without an end (or ending later) "
                f"are right-censored at {obs_end.date()}; duration = end - start in days"
            ),
        }
    )
    return out


def from_transactions(
    log: pd.DataFrame,
    inactivity_days: int,
    *,
    observation_end: pd.Timestamp | str | None = None,
    event_at: Literal["last_purchase", "lapse"] = "last_purchase",
    customer_id: str = "customer_id",
    date: str = "date",
    read_options: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Survival data from a transaction log with churn defined by an inactivity window.

    The exact rule (first lapse of ``inactivity_days`` observed days without a
    purchase; the last, incompletely observed window is censored, not churn)
    is in the module docstring of :mod:`crmlib.survival.data`.

    Parameters
    ----------
    log : one row per transaction with a customer id and a date.
    inactivity_days : ``w``, the inactivity window in days (a positive integer).
    observation_end : last day observed; default the last date in the log.
        Transactions after it raise :class:`DataError`.
    event_at : ``"last_purchase"`` or ``"lapse"`` (see module docstring).
    customer_id, date : column names.
    read_options : reading options of a log file (``date_format``, ``encoding``, ``delimiter``, ``decimal``,
        ``thousands``, ``sheet``), as :func:`crmlib.transactions.read_log` takes them.

    Returns
    -------
    DataFrame indexed by customer with columns ``start`` (first purchase),
    ``last_purchase`` (last purchase day of the spell), ``end`` (event or
    censoring day), ``duration`` (days, ``end - start + 1``; 0 for a customer
    acquired after ``observation_end - inactivity_days`` under ``"last_purchase"``), ``churned``
    (int 0/1), ``purchase_days`` (purchase days in the spell),
    ``purchase_days_total``, ``returned_after_lapse`` (bool) and ``cohort``
    (month of the first purchase). ``attrs`` hold the rule and its settings.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2009). Probability models for customer-base
    analysis. J. Interactive Marketing 23(1), 61-69 (why a window is needed).
    """
    w = _check_window(inactivity_days, event_at)
    days, obs_end = _purchase_days(log, customer_id, date, observation_end, read_options=read_options)
    return _spells(days, obs_end, w, event_at, customer_id)


def _check_window(inactivity_days: int, event_at: str) -> int:
    if isinstance(inactivity_days, bool) or not isinstance(inactivity_days, (int, np.integer)) or inactivity_days < 1:
        raise DataError(f"inactivity_days must be a positive whole number of days, got {inactivity_days!r}")
    check_choice(event_at, "event_at", ("last_purchase", "lapse"))
    return int(inactivity_days)


def _purchase_days(
    log,
    customer_id: str,
    date: str,
    observation_end=None,
    amount: str | None = None,
    on_after_end: Literal["error", "exclude"] = "error",
    read_options: Mapping[str, Any] | None = None,
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The log's purchase days from the one intake (:func:`crmlib.transactions.purchase_days`): ``c``, ``d``[, ``a``].

    Rows of one customer on one day are one purchase day here, so exact duplicate rows are not a fault
    (``on_duplicate="ignore"``); every other check of the intake applies, with its policy and message.
    """
    from ..transactions import purchase_days

    uniques = None
    if isinstance(log, pd.DataFrame) and customer_id in log.columns and log[customer_id].dtype == object:
        if pd.api.types.infer_dtype(log[customer_id], skipna=True) == "mixed":  # e.g. tuple ids: no engine type
            codes, uniques = pd.factorize(log[customer_id])
            log = log.assign(**{customer_id: pd.Series(codes, index=log.index).where(codes >= 0)})
    got = purchase_days(
        log,
        customer_id=customer_id,
        date=date,
        amount=amount,
        observation_end=observation_end,
        on_after_end=on_after_end,
        on_duplicate="ignore",
        **dict(read_options or {}),
    )
    if len(got) == 0:
        raise DataError("transaction log is empty")
    days = got.rename(columns={"customer_id": "c", "date": "d", "amount": "a"})
    if uniques is not None:  # back to the caller's ids
        days["c"] = np.asarray(uniques, dtype=object)[days["c"].to_numpy(dtype="int64")]
    obs_end = got.attrs.get("crmlib_log", {}).get("observation_end")
    obs_end = days["d"].max() if obs_end is None else pd.Timestamp(obs_end)
    return days, obs_end


def _spells(days: pd.DataFrame, obs_end: pd.Timestamp, w: int, event_at: str, customer_id: str) -> pd.DataFrame:
    """Survival data from purchase days ``c``, ``d`` (sorted by customer and day, one row per purchase day)."""
    grp = days.groupby("c", sort=True)
    first = grp["d"].first()
    last = grp["d"].last()
    n_total = grp.size()
    prev = grp["d"].shift(1)
    gap = (days["d"] - prev) / DAY
    position = grp.cumcount()  # purchases before this row
    lapse_rows = days.loc[(gap > w).to_numpy()].assign(
        prev=prev[(gap > w).to_numpy()], k=position[(gap > w).to_numpy()]
    )
    first_lapse = lapse_rows.groupby("c", sort=True).first()

    cust = first.index
    mid = cust.isin(first_lapse.index)
    spell_last = last.copy()
    spell_last.loc[first_lapse.index] = first_lapse["prev"].to_numpy()
    spell_n = n_total.copy()
    spell_n.loc[first_lapse.index] = first_lapse["k"].to_numpy()
    final_lapse = ((obs_end - last) / DAY >= w).to_numpy()
    churned = mid | final_lapse

    last_seen = obs_end - pd.Timedelta(days=w)  # the last day whose lapse is fully observed by obs_end
    if event_at == "last_purchase":
        # churned: last purchase before the lapse; censored: administratively at obs_end - w (never before start)
        end = spell_last.where(churned, first.where(first > last_seen, last_seen))
    else:
        end = (spell_last + pd.Timedelta(days=w)).where(churned, obs_end)
    out = pd.DataFrame(
        {
            "start": first,
            "last_purchase": spell_last,
            "end": end.astype("datetime64[ns]"),
            "churned": churned.astype("int64"),
            "purchase_days": spell_n.astype("int64"),
            "purchase_days_total": n_total.astype("int64"),
            "returned_after_lapse": mid,
        },
        index=cust,
    )
    out.index.name = customer_id
    duration = (out["end"] - out["start"]) / DAY + 1.0
    unobservable = ~churned & (first > last_seen).to_numpy()
    if event_at == "last_purchase":
        duration = duration.where(~unobservable, 0.0)  # acquired after obs_end - w: no churn observable yet
    out.insert(3, "duration", duration.astype("float64"))
    out["cohort"] = out["start"].dt.to_period("M")
    out.attrs.update(
        {
            "source": "transactions",
            "inactivity_days": w,
            "event_at": event_at,
            "observation_end": obs_end,
            "last_observable_churn": last_seen,
            "unobservable": int(unobservable.sum()),
            "duration_unit": "days",
            "definition": (
                f"churn = first run of {w} observed days without a purchase (inter-purchase gap > {w} days, or "
                f"last purchase on or before {(obs_end - pd.Timedelta(days=w)).date()}); event day = "
                + (
                    "the last purchase before the lapse; still-active customers censored at "
                    f"{last_seen.date()}, the last day whose lapse could be observed"
                    if event_at == "last_purchase"
                    else f"the {w}th day without a purchase; still-active customers censored at {obs_end.date()}"
                )
                + "; duration = days from first purchase to event/censoring day, both included"
            ),
        }
    )
    return out


def window_sensitivity(
    log: pd.DataFrame,
    windows: Sequence[int],
    horizons: Sequence[float] = (90, 180, 365),
    *,
    observation_end: pd.Timestamp | str | None = None,
    event_at: Literal["last_purchase", "lapse"] = "last_purchase",
    customer_id: str = "customer_id",
    date: str = "date",
) -> pd.DataFrame:
    """How churn and lifetime results move with the inactivity window.

    For each window ``w`` the log is turned into survival data with
    :func:`from_transactions` and summarised by the Kaplan-Meier estimator
    (Kaplan & Meier 1958, JASA 53, eq. 2 via lifelines).

    Returns
    -------
    One row per window: ``inactivity_days``, ``customers`` (N), ``churned``
    (count), ``churn_share`` (churned / N), ``censored_share``,
    ``returned_share`` (churned then bought again), ``median_lifetime_days``
    (KM median; ``inf`` when not reached), ``mean_lifetime_to_<H>_days``
    (restricted mean lifetime up to the largest horizon ``H``, days) and ``S(h)`` for each horizon
    ``h`` in days.
    """
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time

    if len(windows) == 0:
        raise DataError("windows must list at least one inactivity window (days)")
    horizons = [float(h) for h in np.atleast_1d(check_nonnegative(np.asarray(horizons, dtype="float64"), "horizons"))]
    checked = [_check_window(w, event_at) for w in windows]
    days, obs_end = _purchase_days(log, customer_id, date, observation_end)
    rows = []
    for w in checked:  # a handful of windows, not customers
        sd = _spells(days, obs_end, w, event_at, customer_id)
        km = KaplanMeierFitter().fit(sd["duration"], sd["churned"])
        row = {
            "inactivity_days": int(w),
            "customers": len(sd),
            "churned": int(sd["churned"].sum()),
            "churn_share": float(sd["churned"].mean()),
            "censored_share": float(1 - sd["churned"].mean()),
            "returned_share": float(sd["returned_after_lapse"].mean()),
            "median_lifetime_days": float(km.median_survival_time_),
            f"mean_lifetime_to_{max(horizons):g}_days": float(restricted_mean_survival_time(km, t=max(horizons))),
        }
        for h in horizons:
            row[f"S({h:g} d)"] = float(km.predict(h))
        rows.append(row)
    return pd.DataFrame(rows)


def event_date_variants(
    log: pd.DataFrame,
    inactivity_days: int,
    *,
    observation_end: pd.Timestamp | str | None = None,
    customer_id: str = "customer_id",
    date: str = "date",
) -> dict[str, pd.DataFrame]:
    """The survival data of the three lifetime definitions compared by :func:`event_date_comparison`.

    Returns ``{definition: survival data}`` in the order: active lifetime
    (``event_at="last_purchase"``), time to known churn (``event_at="lapse"``)
    and active lifetime of repeat buyers (``purchase_days_total > 1``); the log
    is read once. Definitions: module docstring (Fader & Hardie 2009 on why a
    window is needed).
    """
    w = _check_window(inactivity_days, "last_purchase")
    days, obs_end = _purchase_days(log, customer_id, date, observation_end)
    lp = _spells(days, obs_end, w, "last_purchase", customer_id)
    la = _spells(days, obs_end, w, "lapse", customer_id)
    return {
        "active lifetime (churn at last purchase)": lp,
        f"time to known churn (churn {w} days after last purchase)": la,
        "active lifetime, repeat buyers only": lp.loc[(lp["purchase_days_total"] > 1).to_numpy()],
    }


def event_date_comparison(
    log: pd.DataFrame,
    inactivity_days: int,
    horizons: Sequence[float] = (90, 180, 365),
    *,
    observation_end: pd.Timestamp | str | None = None,
    level: float = 0.95,
    customer_id: str = "customer_id",
    date: str = "date",
) -> pd.DataFrame:
    """Lifetime under the two event dates of the inactivity rule, side by side.

    The inactivity rule says *whether* a customer churned; the event date says
    *when*. Where many customers buy on one day only, the choice decides what
    "median lifetime" means, so a report should show both (see the module
    docstring of :mod:`crmlib.survival.data`). Rows:

    ``active lifetime (churn at last purchase)``
        :func:`from_transactions` with ``event_at="last_purchase"``: days from
        the first to the last purchase before the lapse (a one-day customer
        lives 1 day).
    ``time to known churn (churn w days after last purchase)``
        ``event_at="lapse"``: the same curve shifted by ``w`` days.
    ``active lifetime, repeat buyers only``
        the first row restricted to customers with at least two purchase days
        in the log (``purchase_days_total > 1``): how long customers who came
        back at least once keep buying.

    Parameters
    ----------
    log : transaction log (one row per transaction).
    inactivity_days : ``w``, the inactivity window (days).
    horizons : days at which S(h) is reported; the largest one also bounds
        the restricted mean lifetime.
    level : coverage of the median's confidence interval, in (0, 1).

    Returns
    -------
    One row per definition: ``customers`` (N), ``churned``,
    ``one_day_share`` (share of the N whose lifetime is a single purchase day
    and who churned), ``median_days`` with ``median_days_lower`` /
    ``median_days_upper`` (Kaplan-Meier median and its CI, Brookmeyer & Crowley
    1982 via lifelines; ``inf`` when not reached), ``rmst_<H>_days``
    (restricted mean lifetime up to ``H`` days, Klein & Moeschberger 2003,
    sec. 4.5) and ``S(<h> d)``. ``attrs["n"]`` is the number of customers.
    """
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times, restricted_mean_survival_time

    if len(horizons) == 0:
        raise DataError("horizons must list at least one number of days")
    horizons = [float(h) for h in np.atleast_1d(check_nonnegative(np.asarray(horizons, dtype="float64"), "horizons"))]
    level = check_level(level)
    variants = event_date_variants(
        log, inactivity_days, observation_end=observation_end, customer_id=customer_id, date=date
    )
    lp = next(iter(variants.values()))
    repeat = (lp["purchase_days_total"] > 1).to_numpy()
    w = int(inactivity_days)
    h_max = float(max(horizons))
    rows = []
    for name, sd in variants.items():  # three definitions, not customers
        if len(sd) == 0:
            raise DataError(f"{name}: no customers (the log has no customer with two purchase days)")
        km = KaplanMeierFitter(alpha=1 - level).fit(sd["duration"], sd["churned"])
        ci = np.asarray(median_survival_times(km.confidence_interval_))
        row = {
            "definition": name,
            "customers": len(sd),
            "churned": int(sd["churned"].sum()),
            "one_day_share": float(((sd["purchase_days"] == 1) & (sd["churned"] == 1)).mean()),
            "median_days": float(km.median_survival_time_),
            "median_days_lower": float(ci[0, 0]),
            "median_days_upper": float(ci[0, 1]),
            f"rmst_{h_max:g}_days": float(restricted_mean_survival_time(km, t=h_max)),
        }
        for h in horizons:
            row[f"S({h:g} d)"] = float(km.predict(h))
        rows.append(row)
    out = pd.DataFrame(rows).set_index("definition")
    out.attrs.update({"n": len(lp), "inactivity_days": w, "repeat_buyers": int(repeat.sum()), "level": level})
    return out


def first_purchase_covariates(
    log: pd.DataFrame,
    *,
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    quantity: str | None = "quantity",
    read_options: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Covariates known at acquisition, from the first purchase day of each customer.

    Used as churn drivers in a non-contractual log, where nothing else is
    known about a customer: what they bought on their first day predicts how
    long they stay (cf. Fader, Hardie & Lee 2005 on CDNOW's first-purchase
    heterogeneity). Only the first day's rows enter, so the covariates do not
    leak later behaviour into the model.

    Parameters
    ----------
    log : one row per transaction (a DataFrame or a log file's path).
    customer_id, date, amount, quantity : column names (``quantity`` ``None`` when absent; units).
    read_options : reading options of a log file, as :func:`crmlib.transactions.read_log` takes them.

    Returns
    -------
    DataFrame indexed by customer: ``first_amount`` (currency, sum over the
    first day), ``log_first_amount`` (``log1p`` of it), ``first_quantity``
    (units; when ``quantity`` is given), ``first_month`` (calendar month of
    acquisition, as a string). The log is read and checked by
    :func:`crmlib.transactions.purchase_days` (its policies and messages: a
    negative amount or quantity is refused naming the rows).
    """
    days, _ = _purchase_days(log, customer_id, date, amount=amount, read_options=read_options)
    first = days.groupby("c", sort=True).first()  # rows are sorted by customer and day: the first purchase day
    out = pd.DataFrame({"first_amount": first["a"].astype("float64")})
    out["log_first_amount"] = np.log1p(out["first_amount"].clip(lower=0))
    if quantity:
        qty, _ = _purchase_days(log, customer_id, date, amount=quantity, read_options=read_options)
        out["first_quantity"] = qty.groupby("c", sort=True)["a"].first().reindex(out.index)
    out["first_month"] = first["d"].dt.strftime("%Y-%m")
    out.index.name = customer_id
    return out
