"""The input checks of a transaction log and their policies; exact duplicate rows.

One pass counts every row-level problem (missing id, date or amount;
unparsable dates and amounts; negative, zero and huge amounts; rows after the
observation end); each problem is then an error, or its rows are excluded or
kept with a :class:`~crmlib.exceptions.DataWarning` that counts and names them
(index labels of a pandas log, the first records otherwise). Nothing is
dropped silently. The table of checks and policies is in
:func:`crmlib.transactions.summarize`'s docstring; :func:`check_log` is shared
by ``summarize`` and ``purchase_days``.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError, DataWarning
from . import _engines as eng
from ._intake import TransactionLog
from ._time import to_timestamp

POLICIES = {
    "on_negative": ("error", "exclude", "keep"),
    "on_zero": ("error", "exclude", "keep"),
    "on_duplicate": ("error", "exclude", "keep", "ignore"),
    "on_after_end": ("error", "exclude"),
}

_HINTS = {
    "negative": " (on_negative='exclude' drops them, 'keep' nets them into their period's spend)",
    "zero": " (on_zero='keep' or 'exclude' accepts them)",
    "duplicate": " (on_duplicate='keep' or 'exclude' accepts them)",
    "after_end": " (on_after_end='exclude' leaves them out)",
}


def check_policy(name: str, value: str) -> str:
    """A policy argument is one of its allowed values."""
    allowed = POLICIES[name]
    if value not in allowed:
        raise DataError(f"{name} must be one of {allowed}, got {value!r}")
    return value


@dataclass(frozen=True)
class Policies:
    """What to do with the rows each check finds (see :func:`crmlib.transactions.summarize`)."""

    on_negative: str = "error"
    on_zero: str = "keep"
    on_duplicate: str = "keep"
    on_after_end: str = "exclude"

    def __post_init__(self) -> None:
        for name in POLICIES:
            check_policy(name, getattr(self, name))


@dataclass
class Problem:
    key: str
    count: int
    text: str  # "N rows have ..."
    policy: str
    condition: Any = None  # ibis boolean over the typed table, to fetch examples
    pandas_mask: Any = None  # callable(frame) -> boolean mask, for pandas input


@dataclass
class Checked:
    """The checked log: typed rows, the rows kept, the counts and the problems reported so far."""

    typed: Any  # ibis table (cid, day, when, date_given, amount, amount_given)
    kept: Any  # the rows the summary uses (duplicates not yet handled)
    n_rows: int
    first_day: pd.Timestamp | None
    observation_end: pd.Timestamp
    n_excluded: int  # rows left out by a policy "exclude" (before duplicates)
    problems: list[Problem]
    kept_mask: Callable | None  # the kept rows of a pandas log, as a boolean mask over its rows


def _given(f: pd.DataFrame, col: str, flag: str) -> pd.Series:
    return pd.Series(f[flag], index=f.index) if flag in f.columns else f[col].notna()


def _unparsed(f: pd.DataFrame, col: str, flag: str) -> np.ndarray:
    if flag not in f.columns:
        return np.zeros(len(f), dtype=bool)
    return f[flag].to_numpy() & f[col].isna().to_numpy()


def _amount_hint(log: TransactionLog) -> str:
    text = log.table[log.amount].type().is_string() if log.frame is None else "__crmlib_amount_given" in log.frame
    if not text or log.decimal != "." or log.thousands:
        return ""
    return " (amounts written as text: declare decimal=',' and thousands= if they use a decimal comma or separators)"


def check_log(log: TransactionLog, policies: Policies, observation_end: pd.Timestamp | None) -> Checked:
    """Count and report every row-level problem of ``log`` (before duplicates); the rows to use."""
    ibis = eng.ibis_module()
    customer_id, date, amount = log.customer_id, log.date, log.amount
    typed = log.typed()
    has_amount = amount is not None
    stats = {
        "n_rows": typed.count(),
        "missing_id": typed.cid.isnull().sum(),
        "missing_date": (~typed.date_given).sum(),
        "bad_date": (typed.date_given & typed.day.isnull()).sum(),
        "last_day": typed.day.max(),
        "first_day": typed.day.min(),
    }
    if has_amount:
        stats.update(
            missing_amount=(~typed.amount_given).sum(),
            bad_amount=(typed.amount_given & typed.amount.isnull()).sum(),
            negative=(typed.amount < 0).sum(),
            zero=(typed.amount == 0).sum(),
            too_large=(typed.amount.abs() >= eng.AMOUNT_LIMIT).sum(),
        )
    out = []
    if has_amount:
        if policies.on_negative == "exclude":
            out.append(typed.amount < 0)
        if policies.on_zero == "exclude":
            out.append(typed.amount == 0)
    if observation_end is not None:
        stats["after_end"] = (typed.day > ibis.literal(observation_end.date(), type="date")).sum()
        out.append(typed.day > ibis.literal(observation_end.date(), type="date"))
    if out:
        stats["excluded"] = (ibis.or_(*out) if len(out) > 1 else out[0]).sum()
    counts = log.backend.to_pyarrow(typed.aggregate(**stats)).to_pylist()[0]
    counts = {k: (0 if v is None else v) for k, v in counts.items()}
    if counts["n_rows"] == 0:
        raise DataError("the transaction log has no rows")
    last_day = to_timestamp(counts["last_day"], "last day") if counts["last_day"] else None
    first_day = to_timestamp(counts["first_day"], "first day") if counts["first_day"] else None
    obs_end = observation_end
    if obs_end is None:
        if last_day is None:
            raise DataError(f"column {date!r} has no valid date")
        obs_end = last_day
        counts["after_end"] = 0
    obs_lit = ibis.literal(obs_end.date(), type="date")
    frame = log.frame
    pm = (lambda fn: fn) if frame is not None else (lambda fn: None)
    after = obs_end + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
    fmt = f" that does not match date_format {log.date_format!r}" if log.date_format else " that cannot be parsed"
    hint = (
        "" if log.date_format else " (text dates are read as ISO 8601, e.g. 2020-01-31, unless date_format= is given)"
    )
    problems = [
        Problem(
            "missing_id",
            int(counts["missing_id"]),
            f"have no customer id (column {customer_id!r})",
            "error",
            typed.cid.isnull(),
            pm(lambda f: f[customer_id].isna()),
        ),
        Problem(
            "missing_date",
            int(counts["missing_date"]),
            f"have no date (column {date!r})",
            "error",
            ~typed.date_given,
            pm(lambda f: ~_given(f, date, "__crmlib_date_given")),
        ),
        Problem(
            "bad_date",
            int(counts["bad_date"]),
            f"have a date{fmt} (column {date!r}){hint}",
            "error",
            typed.date_given & typed.day.isnull(),
            pm(lambda f: _unparsed(f, date, "__crmlib_date_given")),
        ),
    ]
    if amount is not None:  # has_amount
        problems += [
            Problem(
                "missing_amount",
                int(counts["missing_amount"]),
                f"have no amount (column {amount!r})",
                "error",
                ~typed.amount_given,
                pm(lambda f: ~_given(f, amount, "__crmlib_amount_given")),
            ),
            Problem(
                "bad_amount",
                int(counts["bad_amount"]),
                f"have an amount that is not a number (column {amount!r})" + _amount_hint(log),
                "error",
                typed.amount_given & typed.amount.isnull(),
                pm(lambda f: _unparsed(f, amount, "__crmlib_amount_given")),
            ),
            Problem(
                "negative",
                int(counts["negative"]),
                f"have a negative amount (returns; column {amount!r})",
                policies.on_negative,
                typed.amount < 0,
                pm(lambda f: f[amount] < 0),
            ),
            Problem(
                "zero",
                int(counts["zero"]),
                f"have a zero amount (column {amount!r})",
                policies.on_zero,
                typed.amount == 0,
                pm(lambda f: f[amount] == 0),
            ),
            Problem(
                "too_large",
                int(counts["too_large"]),
                f"have an amount of 10**12 or more in absolute value, or infinite (column {amount!r}), "
                "beyond the exact DECIMAL(18, 6) sums; scale the amounts (e.g. to thousands)",
                "error",
                typed.amount.abs() >= eng.AMOUNT_LIMIT,
                pm(lambda f: f[amount].abs() >= eng.AMOUNT_LIMIT),
            ),
        ]
    problems.append(
        Problem(
            "after_end",
            int(counts["after_end"]),
            f"are dated after the observation end {obs_end.date()} (column {date!r})",
            policies.on_after_end,
            typed.day > obs_lit,
            pm(lambda f: f[date] > after),
        )
    )
    # stop at the first hard errors before the (costlier) duplicate pass
    report(problems, log, typed)

    drop = []
    if has_amount:
        if policies.on_negative == "exclude":
            drop.append(typed.amount < 0)
        if policies.on_zero == "exclude":
            drop.append(typed.amount == 0)
    drop.append(typed.day > obs_lit)  # excluded (policy "exclude") or none (policy "error" raised)
    keep = ~ibis.or_(*drop) if len(drop) > 1 else ~drop[0]

    def kept_mask(f):  # the same rows, for a pandas input
        m = ~(f[date] > after)
        if has_amount:
            if policies.on_negative == "exclude":
                m &= ~(f[amount] < 0)
            if policies.on_zero == "exclude":
                m &= ~(f[amount] == 0)
        return m.to_numpy()

    n_rows, n_excluded = int(counts["n_rows"]), int(counts.get("excluded", 0))
    if n_excluded >= n_rows:
        why = [
            f"{counts[p.key]:,} {p.text}"
            for p in problems
            if p.key in _EXCLUDING and p.policy == "exclude" and counts.get(p.key)
        ]
        first = f"; the log's first day is {first_day.date()}" if first_day is not None else ""
        raise DataError(
            f"no row of the transaction log is left once the excluded rows are left out: of its {n_rows:,} rows, "
            f"{'; '.join(why)}{first}"
        )
    return Checked(typed, typed.filter(keep), n_rows, first_day, obs_end, n_excluded, problems, pm(kept_mask))


_EXCLUDING = ("negative", "zero", "after_end")  # the problems whose rows a policy may leave out


def examples(problem: Problem, log: TransactionLog, typed) -> str:
    """Up to five rows met by ``problem``: index labels and values of a pandas log, records otherwise."""
    n = eng.N_EXAMPLES
    if log.frame is not None and problem.pandas_mask is not None:
        mask = np.asarray(problem.pandas_mask(log.frame), dtype=bool)
        labels = log.frame.index[mask][:n]
        more = " ..." if mask.sum() > n else ""
        text = f"rows (index labels) {[eng.plain(v) for v in labels]}{more}"
        if problem.key in ("bad_date", "bad_amount"):
            col = log.date if problem.key == "bad_date" else log.amount
            if log.raw is not None:
                text += f" with {col!r} {[eng.plain(v) for v in log.raw[col].to_numpy()[mask][:n]]}"
        return text
    if problem.condition is None:
        return ""
    cols = [c for c in ("cid", "date_text", "amount") if c in typed.columns]  # the date as given
    rows = log.backend.to_pyarrow(typed.filter(problem.condition).select(*cols).limit(n)).to_pylist()
    names = {"cid": log.customer_id, "date_text": log.date, "amount": log.amount}
    shown = [{names[k]: eng.plain(v) for k, v in r.items()} for r in rows]
    return f"e.g. {shown}"


def _caller() -> int:
    """The ``stacklevel`` of the first frame outside this package: warnings point at the user's call."""
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith(("crmlib.transactions", "contextlib")):
        frame, level = frame.f_back, level + 1
    return level


def report(problems: list[Problem], log: TransactionLog, typed) -> None:
    """Raise one DataError for every problem whose policy is ``"error"``; warn about the others."""
    stacklevel = _caller()
    errors = []
    for p in problems:
        if p.count == 0:
            continue
        where = examples(p, log, typed)
        msg = f"{p.count} rows {p.text}" + (f": {where}" if where else "")
        if p.policy == "error":
            errors.append(msg + _HINTS.get(p.key, ""))
        elif p.policy == "exclude":
            warnings.warn(f"{msg}; excluded from the summary", DataWarning, stacklevel=stacklevel)
        else:
            warnings.warn(f"{msg}; kept in the summary", DataWarning, stacklevel=stacklevel)
    if errors:
        raise DataError("; ".join(errors))


# ------------------------------------------------------------------------ duplicates


def duplicates(checked: Checked, log: TransactionLog, policy: str, only_cids=None) -> int:
    """Count exact duplicate rows (same customer, raw date and amount) among the kept rows in one pass; report them.

    ``only_cids``: an Ibis table of candidate customers (``cid``), optionally with a day range (``lo``, ``hi``)
    that holds all their duplicates, to read a small share of the log.
    """
    typed = checked.kept
    has_amount = log.amount is not None
    dup_cols = ["cid", "when"] + (["amount"] if has_amount else [])  # the raw date: exact duplicates
    # amounts compared as they are summed (DECIMAL(18, 6)), as the sort plan does
    exact = {"amount": typed.amount.cast(eng.AMOUNT_TYPE)} if has_amount else {}
    rows = typed.select("cid", "when", **exact)
    if only_cids is not None and "lo" in only_cids.columns:  # candidate customers and day ranges
        rows = typed.select("cid", "when", "day", **exact).inner_join(only_cids, "cid")
        # a day of slack on each side: the bounds went through pandas (and, on Spark, a session
        # time zone); a wider window only adds rows, all of whose copies it holds too
        one = eng.ibis_module().interval(days=1)
        lo, hi = rows.lo.cast("date") - one, rows.hi.cast("date") + one
        rows = rows.filter(rows.day.between(lo, hi)).select(*dup_cols)
    elif only_cids is not None:
        rows = rows.semi_join(only_cids, "cid")
    groups = rows.group_by(dup_cols).aggregate(copies=rows.cid.count())
    repeated = groups.filter(groups.copies > 1)
    repeated = repeated.mutate(extra=(repeated.copies - 1).sum().over())
    found = log.backend.to_pyarrow(repeated.limit(eng.N_EXAMPLES)).to_pylist()
    count = int(found[0]["extra"]) if found else 0
    names = {"cid": log.customer_id, "when": log.date, "amount": log.amount, "copies": "copies"}
    shown = [{names[k]: eng.plain(v) for k, v in r.items() if k != "extra"} for r in found]
    report_duplicates(count, shown, checked, log, policy)
    return count


def report_duplicates(count, shown, checked: Checked, log: TransactionLog, policy, among=None) -> None:
    """Report ``count`` exact duplicate rows (both plans): up to five records ``shown``, or the index labels
    of a pandas log (``among``: the ids of the customers with duplicates, if known, to look at their rows only)."""
    used = [log.customer_id, log.date] + ([log.amount] if log.amount is not None else [])
    mask = checked.kept_mask
    dup = Problem(
        "duplicate",
        count,
        f"are exact duplicates of an earlier row (same {', '.join(map(repr, used))})",
        policy,
        None,
        None if mask is None else (lambda f: duplicated(f, used, log.amount, among=among) & mask(f)),
    )
    if count and log.frame is None:
        dup.text += f"; e.g. {shown}"
    report([dup], log, checked.kept)
    checked.problems.append(dup)


def duplicated(f: pd.DataFrame, used: list[str], amount: str | None, among=None) -> np.ndarray:
    """Rows of a pandas log that repeat an earlier row (customer, date, amount to 1e-6): for naming them.

    ``among``: the ids of the customers that have duplicates, if known; only their rows are compared.
    """
    mask = np.zeros(len(f), dtype=bool)
    rows = np.arange(len(f))
    if among is not None:
        rows = np.flatnonzero(f[used[0]].isin(among).to_numpy())
    sub = f.iloc[rows][used]
    if amount is not None:
        sub = sub.assign(**{amount: sub[amount].round(6)})
    mask[rows] = sub.duplicated(subset=used, keep="first").to_numpy()
    return mask
