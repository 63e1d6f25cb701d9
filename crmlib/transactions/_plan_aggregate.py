"""The aggregate plan: the summary as ONE portable Ibis expression, run where the data are.

:func:`summary_expression` is the single definition every engine runs (DuckDB,
Spark, any Ibis backend): two aggregations, by customer and period and then by
customer, with amounts summed as exact decimals, so that every engine returns
the same numbers bit for bit. Definitions: Fader, Hardie & Lee (2005),
"Counting your customers the easy way", Marketing Science 24(2), section 2.
"""

from __future__ import annotations

import pandas as pd

from ..exceptions import DataError
from . import _engines as eng
from ._checks import Checked, Problem, duplicates
from ._intake import TransactionLog
from ._job import _SummaryJob
from ._time import check_period, check_time_unit, in_holdout_expr, period_start_expr, span_expr


def summary_expression(
    table,
    *,
    observation_end: pd.Timestamp,
    calibration_end: pd.Timestamp | None = None,
    period: str = "day",
    time_unit: str | float = "week",
    has_amount: bool = True,
    cohort: str | None = None,
    _all_customers: bool = False,
    _multi_row_periods: bool = False,
):
    """The summary as one Ibis expression over a clean log (columns ``cid``, ``day``, ``amount``).

    This is the single definition every engine runs. ``table`` must hold one
    row per transaction with ``cid`` (customer), ``day`` (a date, on or before
    ``observation_end``) and, if ``has_amount``, ``amount`` (a number);
    :func:`summarize` builds it from the user's log after the input checks.

    The plan is two aggregations: (1) group by customer and period (and the
    calibration/holdout side), summing the amounts as DECIMAL(18, 6); (2)
    group by customer: first/last period, number of periods, total spend and
    the spend of the first period (``argmin``), from which
    ``monetary = (total - first) / (periods - 1)``. Decimal sums are exact, so
    the result does not depend on the engine's order of summation.

    Returns an Ibis table with columns ``cid``, ``frequency`` (int64),
    ``recency``, ``T`` (float64, ``time_unit``), ``monetary`` (float64) and,
    with ``calibration_end``, ``frequency_holdout`` (int64) and
    ``monetary_holdout`` (float64), and ``cohort`` (date) when asked: the
    ``cohort`` period (day/week/month/quarter/year) of the first calibration purchase *day*.
    """
    ibis = eng.ibis_module()
    check_period(period)
    time_unit = check_time_unit(time_unit)
    obs_p = period_start_expr(ibis.literal(pd.Timestamp(observation_end).date(), type="date"), period)
    keys = ["cid", "p"]
    cols = {"cid": table.cid, "p": period_start_expr(table.day, period)}
    if has_amount:
        cols["amount"] = table.amount.cast(eng.AMOUNT_TYPE)
    first_day = cohort is not None and period != "day"  # the cohort is that of the first purchase day
    if first_day:
        cols["day"] = table.day
    if calibration_end is not None:
        cal_day = ibis.literal(pd.Timestamp(calibration_end).date(), type="date")
        cols["hold"] = in_holdout_expr(table.day, calibration_end)
        keys.append("hold")
    x = table.select(**cols)
    per_aggs = {"n_rows": x.cid.count()}
    if has_amount:  # back to 18 digits: the later aggregates run on 64-bit rather than 128-bit decimals
        per_aggs["spend"] = x.amount.sum().cast(eng.AMOUNT_TYPE)
    if first_day:
        per_aggs["day0"] = x.day.min()
    per = x.group_by(keys).aggregate(**per_aggs)
    cal = ~per.hold if calibration_end is not None else None
    end_p = obs_p if calibration_end is None else period_start_expr(cal_day, period)
    aggs = {
        "first": per.p.min(where=cal),
        "last": per.p.max(where=cal),
        "n": per.p.count(where=cal),
    }
    if first_day:
        aggs["first_day"] = per.day0.min(where=cal)
    if has_amount:
        aggs["total"] = per.spend.sum(where=cal)
        aggs["first_spend"] = per.spend.argmin(per.p, where=cal)
    if calibration_end is not None:
        aggs["n_hold"] = per.p.count(where=per.hold)
        if has_amount:
            aggs["spend_hold"] = per.spend.sum(where=per.hold)
    if has_amount and _all_customers:
        # an engine that turns a decimal overflow into NULL (Spark with ANSI mode off) leaves a period
        # without a spend: counted here and reported by summarize, never summed as if it were not there
        aggs["lost_spend"] = per.spend.isnull().sum()
    if _multi_row_periods:  # periods with more than one row, and the first and last of them
        multi = per.n_rows > 1
        aggs["multi"] = per.n_rows.count(where=multi)
        aggs["multi_first"] = per.p.min(where=multi)
        aggs["multi_last"] = per.p.max(where=multi)
    s = per.group_by("cid").aggregate(**aggs)
    if calibration_end is not None and not _all_customers:
        s = s.filter(s.n > 0)  # customers acquired in the calibration period
    out = {
        "cid": s.cid,
        "frequency": (s.n - 1).cast("int64"),
        "recency": span_expr(s["last"], s["first"], period, time_unit),
        "T": span_expr(end_p, s["first"], period, time_unit),
    }
    if has_amount:
        repeat_spend = ibis.ifelse(s.n > 1, (s.total - s.first_spend).cast("float64"), 0.0)
        out["monetary"] = repeat_spend / ibis.greatest(s.n - 1, 1).cast("float64")
    if calibration_end is not None:
        out["frequency_holdout"] = s.n_hold.cast("int64")
        if has_amount:
            hold_spend = ibis.ifelse(s.n_hold > 0, s.spend_hold.cast("float64"), 0.0)
            out["monetary_holdout"] = hold_spend / ibis.greatest(s.n_hold, 1).cast("float64")
    if cohort is not None:
        day0 = s["first_day"] if first_day else s["first"]
        out["cohort"] = period_start_expr(day0, cohort)
    if has_amount and _all_customers:
        out["lost_spend"] = s.lost_spend.cast("int64")
    if _multi_row_periods:
        out["multi"] = s.multi.cast("int64")
        out["multi_first"] = s.multi_first
        out["multi_last"] = s.multi_last
    return s.select(**out)


def aggregate_result(checked: Checked, log: TransactionLog, job: _SummaryJob) -> tuple[pd.DataFrame, int]:
    """The per-customer table by the aggregate plan (customers first seen in the holdout included, with
    ``frequency`` -1) and the number of exact duplicate rows."""
    kept, has_amount = checked.kept, log.amount is not None
    policy = job.policies.on_duplicate
    key_cols = ["cid", "day"] + (["amount"] if has_amount else [])
    dup_count = 0
    # Exact duplicates (same customer, raw date and amount) share a customer-day. With daily periods
    # and policy "keep", the summary query counts each customer's days with more than one row and
    # gives the first and last of them; the exact check then reads only those customers' rows between
    # these days (a small share of the log) instead of making a full extra aggregation; otherwise the
    # check runs first, on all rows.
    dup_after = policy == "keep" and job.period == "day"
    if policy != "ignore" and not dup_after:
        dup_count = duplicates(checked, log, policy)
    clean = kept.select(*key_cols)
    if policy == "exclude" and dup_count:
        # one copy of each exact duplicate: the same rows the check counted (amounts to 1e-6, as summed)
        exact = {"amount": kept.amount.cast(eng.AMOUNT_TYPE)} if has_amount else {}
        clean = kept.select("cid", "day", "when", **exact).distinct().select(*key_cols)
    expr = summary_expression(
        clean,
        observation_end=checked.observation_end,
        calibration_end=job.calibration_end,
        period=job.period,
        time_unit=job.time_unit,
        has_amount=has_amount,
        cohort=job.cohort,
        _all_customers=True,
        _multi_row_periods=dup_after,
    )
    result = eng.fetch_sums(log.backend, expr, log.amount)
    if has_amount:
        lost = result.pop("lost_spend").to_numpy()
        if lost.any():
            who = result["cid"].to_numpy()[lost > 0][: eng.N_EXAMPLES]
            raise DataError(
                f"the engine returned no spend for {int(lost.sum())} customer-periods (customers "
                f"{[eng.plain(v) for v in who]}; column {log.amount!r}): a customer's spend in one period of "
                "10**12 or more overflows DECIMAL(18, 6) (Spark with spark.sql.ansi.enabled=false turns the "
                "overflow into NULL); scale the amounts (e.g. to thousands)"
            )
    if dup_after:
        multi = result.pop("multi").to_numpy() > 0
        first, last = result.pop("multi_first"), result.pop("multi_last")
        if multi.any():
            # the candidate rows: those customers' days from their first to their last day with more
            # than one row (usually one day), not all their rows
            ids = pd.DataFrame(
                {"cid": result["cid"].to_numpy()[multi], "lo": first.to_numpy()[multi], "hi": last.to_numpy()[multi]}
            )
            only = eng.ibis_module().memtable(ids)
            if log.backend.name == "duckdb":  # scanned in place
                only = log.backend.table(eng.register(log.backend, ids, log.cleanup))
            dup_count = duplicates(checked, log, policy, only_cids=only)
        else:
            checked.problems.append(Problem("duplicate", 0, "", policy))
    return result, dup_count
