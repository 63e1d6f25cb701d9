"""A transaction log's survival data with the first-purchase covariates, and a contract table's sBG cohorts.

* :func:`survival_from_log`: :func:`~crmlib.survival.from_transactions` (churn by an inactivity
  window) joined with :func:`~crmlib.survival.first_purchase_covariates`, the churn drivers
  known at acquisition, and the intake's notes on the log (zero amounts, duplicates, ...)
  returned as text for the report instead of warnings.
* :func:`sbg_cohort_counts`: customers still active per period for each acquisition cohort
  of survival data with entry dates, the input of
  :class:`~crmlib.clv.sbg.ShiftedBetaGeometricCohorts` (Fader & Hardie 2007, Table 1).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_positive
from ..exceptions import DataError, DataWarning
from .data import first_purchase_covariates, from_transactions

__all__ = ["sbg_cohort_counts", "survival_from_log"]


def survival_from_log(
    log: pd.DataFrame,
    inactivity_days: int,
    *,
    event_at: str = "last_purchase",
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    quantity: str | None = "quantity",
    read_options: Mapping[str, Any] | None = None,
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Survival data of a log with first-purchase covariates, the covariate names, and the intake's notes.

    Parameters
    ----------
    log : one row per transaction (a DataFrame or a log file's path).
    inactivity_days : the inactivity window that defines churn (days).
    event_at : ``"last_purchase"`` or ``"lapse"`` (see :func:`~crmlib.survival.from_transactions`).
    customer_id, date, amount, quantity : column names (``quantity`` ``None`` when absent).
    read_options : reading options of a log file (:func:`crmlib.transactions.read_log`).

    Returns
    -------
    data : one row per customer: ``duration`` (days), ``churned`` and the covariates, with the
        churn rule and observation end in ``attrs`` (as ``from_transactions`` sets them).
    covariates : ``log_first_amount``, ``first_quantity`` (when ``quantity`` is given), ``first_month``.
    notes : the intake's :class:`~crmlib.exceptions.DataWarning` messages, shortened to
        "what, what was done" (each once), for the report's data paragraph.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value curves for customer
    base analysis. *JMR* 42(4), 415-430 (CDNOW's first purchase as a marker of heterogeneity).
    """
    cols = {"customer_id": customer_id, "date": date}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        base = from_transactions(log, inactivity_days, event_at=event_at, read_options=read_options, **cols)  # type: ignore[arg-type]
        first = first_purchase_covariates(log, amount=amount, quantity=quantity, read_options=read_options, **cols)
    for w in caught:  # anything else than the intake's notes is passed on
        if not issubclass(w.category, DataWarning):
            warnings.warn(w.message, w.category, stacklevel=2)
    notes = sorted(
        {
            str(w.message).split(":")[0] + ", " + str(w.message).rsplit(";", 1)[-1].strip()
            for w in caught
            if issubclass(w.category, DataWarning)
        }
    )
    data = base.join(first)
    data.attrs = dict(base.attrs)  # join does not carry the rule and the observation end along
    covariates = ["log_first_amount"] + (["first_quantity"] if quantity else []) + ["first_month"]
    return data, covariates, notes


def sbg_cohort_counts(
    data: pd.DataFrame,
    *,
    period_days: float,
    cohort_days: float = 365.0,
    duration: str = "duration",
    entry: str = "start",
) -> pd.DataFrame:
    """Customers still active at period 0, 1, ... of each acquisition cohort, for the sBG model of several cohorts.

    Cohorts are consecutive windows of ``cohort_days`` days of the entry date, from the first entry. A
    cohort is followed for the whole periods of ``period_days`` days that even its last customer was
    observed (observation end - last entry), so each cohort is closed; ``active_k`` =
    customers whose duration exceeds ``k * period_days``. A cohort followed for less than one period is
    left out (``attrs['dropped']`` names it).

    Parameters
    ----------
    data : survival data with the entry column ``entry`` and ``attrs['observation_end']`` (``from_contracts``).
    period_days : length of a renewal period (days).
    cohort_days : width of an acquisition cohort (days; 365.25/12 for monthly cohorts).

    Returns
    -------
    Long table: ``cohort`` (label "first entry - last entry day"), ``period`` (0, 1, ...) and ``active``
    (customers), as :class:`~crmlib.clv.sbg.ShiftedBetaGeometricCohorts` reads it.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention. *J. Interactive Marketing*
    21(1), 76-90 (cohorts of one year, survivors per year).
    """
    period_days = float(check_positive(period_days, "period_days"))
    cohort_days = float(check_positive(cohort_days, "cohort_days"))
    end = data.attrs.get("observation_end")
    if end is None or entry not in data.columns:
        raise DataError(f"sbg_cohort_counts needs column {entry!r} and attrs['observation_end'] (from_contracts)")
    start = data[entry]
    if not pd.api.types.is_datetime64_any_dtype(start):
        raise DataError(f"column {entry!r} must hold dates (as from_contracts gives them), got dtype {start.dtype}")
    k = ((start - start.min()).dt.days // cohort_days).astype(int)
    rows, dropped = [], []
    for _cohort, idx in k.groupby(k).groups.items():  # loop over cohorts, not customers
        s = start.loc[idx]
        label = f"{s.min():%Y-%m-%d} to {s.max():%Y-%m-%d}"
        periods = int((pd.Timestamp(end) - s.max()).days // period_days)
        if periods < 1:
            dropped.append(label)
            continue
        d = data.loc[idx, duration].to_numpy(dtype="float64")
        active = (d[None, :] > (np.arange(periods + 1) * period_days)[:, None]).sum(axis=1)
        active[0] = len(d)
        rows.append(pd.DataFrame({"cohort": label, "period": np.arange(periods + 1), "active": active}))
    if not rows:
        raise DataError(f"no cohort of {cohort_days:g} days can be followed for one period of {period_days:g} days")
    out = pd.concat(rows, ignore_index=True)
    out.attrs["dropped"] = dropped
    return out
