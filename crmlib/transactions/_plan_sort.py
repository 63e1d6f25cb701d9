"""The sort plan of :func:`crmlib.transactions.summarize`: one ordered scan, reduced in stream.

The aggregate plan (:mod:`._plan_aggregate`, :func:`crmlib.transactions.summary_expression`) groups the
log twice, by customer and period and then by customer. On an in-process
engine the first of those hash aggregations is the expensive part: a typical
log has about as many customer-periods as rows, so the hash table is as big as
the log (at 10M rows, 1.6 s of 2.3 s and most of the memory on a 2-core
machine). The sort plan asks the engine for the same rows ordered by customer,
(calibration/holdout side) and period - a parallel sort, which DuckDB does in a
fraction of the time and memory - and reduces the ordered stream of Arrow record
batches with vectorised numpy operations over runs of equal keys (no Python
loop over customers): run starts by comparing neighbours, counts and sums by
``np.add.reduceat``, first and last by indexing. Rows of periods with more than
one row (a few per cent of a typical log) are collected, which is where exact
duplicates can be, so the duplicate check needs no second pass.

Sums are exact: amounts enter as integer micro-units of DECIMAL(18, 6) and are
summed as int64, so the result equals the aggregate plan's decimal sums bit for
bit (the test suite compares the two plans on DuckDB and against Spark); they
become float64 correctly rounded, as the engine casts a decimal
(:func:`units_to_float`). The sums are checked against int64 overflow, which
is reported, never wrapped.

Definitions: Fader, Hardie & Lee (2005), "Counting your customers the easy
way", Marketing Science 24(2) (see :mod:`crmlib.transactions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError
from . import _engines as eng
from ._checks import Checked, report_duplicates
from ._intake import TransactionLog
from ._job import _SummaryJob
from ._time import days_to_datetime, in_holdout_expr, period_start_days, period_start_expr, span_days, timestamp_to_days

#: Rows per Arrow record batch fetched from the engine.
BATCH_ROWS = 1_000_000
_MICRO = 1_000_000
_SAFE = 2**62  # |sum of micro-units| of one customer must stay below this (int64 headroom)


def sorted_rows_expression(
    clean,
    *,
    period: str,
    calibration_end,
    has_amount: bool,
    with_when: bool,
    with_day: bool = False,
):
    """The clean log's rows as (``cid``, [``h``], ``p``, [``m``], [``w``], [``d``]), ordered by cid, h, p.

    ``p`` is the period start (int32 days since 1970-01-01), ``h`` whether the day is after
    ``calibration_end`` (holdout), ``m`` the amount as DECIMAL(18, 6) (read as integer micro-units) and ``w`` the date as given
    (for the exact duplicate check, when the periods are not the dates
    themselves) and ``d`` the day (int32 days since 1970-01-01; for the
    cohort of the first purchase day when the periods are weeks or months).
    One portable Ibis expression.
    """
    cols = {"cid": clean.cid}
    order = ["cid"]
    if calibration_end is not None:
        cols["h"] = in_holdout_expr(clean.day, calibration_end)
        order.append("h")
    # the period start as days since 1970-01-01: integer sort keys sort about 15% faster than dates on DuckDB
    cols["p"] = period_start_expr(clean.day, period).cast("date").epoch_days().cast("int32")
    order.append("p")
    if has_amount:
        cols["m"] = clean.amount.cast(eng.AMOUNT_TYPE)  # read as int64 micro-units (see _decimal_units)
    if with_when:
        cols["w"] = clean.when
    if with_day:
        cols["d"] = clean.day.epoch_days().cast("int32")
    return clean.select(**cols).order_by(order)


def _neighbours_differ(arr) -> np.ndarray:
    """Boolean numpy array d with d[i] = arr[i] != arr[i - 1] (d[0] = True), for numpy or Arrow arrays."""
    n = len(arr)
    out = np.empty(n, dtype=bool)
    if n == 0:
        return out
    out[0] = True
    if isinstance(arr, np.ndarray):
        np.not_equal(arr[1:], arr[:-1], out=out[1:])
    else:
        import pyarrow.compute as pc

        out[1:] = pc.not_equal(arr.slice(1), arr.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    return out


def _numeric(arr):
    """A primitive Arrow array as numpy without copying; other types stay Arrow."""
    import pyarrow as pa

    t = arr.type
    if arr.null_count:
        raise DataError("the sort plan met a missing value in a key column after the checks (please report)")
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        return arr.to_numpy(zero_copy_only=False)
    if pa.types.is_date32(t):
        return arr.view(pa.int32()).to_numpy(zero_copy_only=False)
    if pa.types.is_decimal(t):
        return _decimal_units(arr)
    return arr


def _decimal_units(arr) -> np.ndarray:
    """A DECIMAL(p <= 18, s) Arrow array as int64 units of 10**-s, without copying or rounding.

    Arrow stores decimal128 values as 16-byte little-endian two's complement
    integers scaled by 10**s; values of at most 18 digits fit the low 8 bytes.
    """
    import pyarrow as pa

    if arr.type.precision > 18:
        raise DataError(f"amounts of type {arr.type} do not fit 64-bit units (please report)")
    if pa.types.is_decimal128(arr.type):
        words = np.frombuffer(arr.buffers()[1], dtype="<i8")
        return words[2 * arr.offset : 2 * (arr.offset + len(arr)) : 2]
    return np.asarray(arr.cast(pa.decimal128(arr.type.precision, arr.type.scale)).to_pandas())  # pragma: no cover


@dataclass
class SortedReduction:
    """Per-customer results of the sort plan (customers in engine order, sorted by id)."""

    ids: Any  # Arrow array of customer ids
    first: np.ndarray  # int32 days since 1970-01-01, period start of the first calibration purchase
    last: np.ndarray
    n_cal: np.ndarray  # calibration purchase periods (0: first seen in the holdout)
    n_hold: np.ndarray
    spend_cal: np.ndarray | None  # int64 micro-units
    spend_first: np.ndarray | None
    spend_hold: np.ndarray | None
    candidates: pd.DataFrame = field(default_factory=pd.DataFrame)  # rows of periods with > 1 row
    first_day: np.ndarray | None = None  # int32 days since 1970-01-01 of the first calibration purchase (if asked)


class SortedReducer:
    """Reduce ordered record batches (see :func:`sorted_rows_expression`) to per-customer arrays.

    A customer's rows may span batches: the rows of the last customer of a
    batch are carried into the next batch (a run longer than a batch is
    carried on until it ends), so every customer is reduced from all its rows.
    """

    def __init__(self, *, has_amount: bool, keep_candidates: bool, id_type=None, amount_name: str = "amount"):
        self.has_amount, self.keep_candidates = has_amount, keep_candidates
        self.amount_name = amount_name  # the user's amount column, for error messages
        self.id_type = id_type  # Arrow type of the ids, for an empty result
        self.parts: list[dict] = []
        self.cands: list[dict] = []
        self.tail: list[dict] | None = None  # the rows of the last customer seen, as chunks (joined once)
        self.n_customers = 0

    # -- input
    def feed(self, batch, final: bool = False) -> None:
        import pyarrow as pa

        cols = {name: batch.column(i) for i, name in enumerate(batch.schema.names)}
        if pa.types.is_timestamp(cols["p"].type):  # in case an engine hands back a timestamp
            cols["p"] = cols["p"].cast(pa.date32())
        if not pa.types.is_date32(cols["p"].type):
            cols["p"] = cols["p"].cast(pa.int32())
        arrays = {k: _numeric(v) for k, v in cols.items()}
        n = len(arrays["p"])
        if n == 0:
            return
        newc = _neighbours_differ(arrays["cid"])
        starts = np.flatnonzero(newc[1:]) + 1  # customers that start inside the batch (after row 0)
        if self.tail is not None:
            # the carried customer may go on at the head of this batch: reduce the carried rows with
            # the head rows of the same customer, then the rest of the batch
            tail, self.tail = self.tail, None
            same = _first_value(tail[0]["cid"]) == _first_value(arrays["cid"])
            head_end = (int(starts[0]) if len(starts) else n) if same else 0
            if head_end == n and not final:  # the customer fills the whole batch: carry on (no copy yet)
                self.tail = tail + [arrays]
                return
            joined = _join(tail + ([{k: _slice(v, 0, head_end) for k, v in arrays.items()}] if head_end else []))
            self._reduce(joined, _neighbours_differ(joined["cid"]))
            if head_end == n:
                return
            if head_end:
                arrays = {k: _slice(v, head_end, n) for k, v in arrays.items()}
                newc = newc[head_end:].copy()
                newc[0] = True
                n -= head_end
                starts = starts[1:] - head_end
        if not final:
            last_start = int(starts[-1]) if len(starts) else 0
            self.tail = [{k: _slice(v, last_start, n) for k, v in arrays.items()}]
            if last_start == 0:
                return
            arrays = {k: _slice(v, 0, last_start) for k, v in arrays.items()}
            newc = newc[:last_start]
        self._reduce(arrays, newc)

    def finish(self) -> SortedReduction:
        if self.tail is not None:
            tail, self.tail = _join(self.tail), None
            self._reduce(tail, _neighbours_differ(tail["cid"]))
        import pyarrow as pa

        def cat(key):
            if not self.parts:
                return np.zeros(0, dtype=np.int64)
            return np.concatenate([p[key] for p in self.parts])

        if self.parts:
            ids = pa.concat_arrays([p["ids"] for p in self.parts])
        else:
            ids = pa.array([], type=self.id_type or pa.int64())
        cands = pd.DataFrame()
        if self.cands:  # one frame from the batches' arrays (not a frame per batch)
            cands = pd.DataFrame({k: np.concatenate([c[k] for c in self.cands]) for k in self.cands[0]}, copy=False)
        amount = self.has_amount
        return SortedReduction(
            ids=ids,
            first=cat("first"),
            last=cat("last"),
            n_cal=cat("n_cal"),
            n_hold=cat("n_hold"),
            spend_cal=cat("spend_cal") if amount else None,
            spend_first=cat("spend_first") if amount else None,
            spend_hold=cat("spend_hold") if amount else None,
            candidates=cands,
            first_day=cat("first_day") if self.parts and "first_day" in self.parts[0] else None,
        )

    # -- the vectorised reduction of complete customers
    def _reduce(self, a: dict, newc: np.ndarray) -> None:
        n = len(newc)
        p = a["p"]
        h = a.get("h")
        if h is not None:
            h = np.asarray(h, dtype=bool)
        newg = newc | _neighbours_differ(p)  # a new (customer, side, period) group
        if h is not None:
            newg |= _neighbours_differ(h)
        starts = np.flatnonzero(newc)
        k = len(starts)
        lengths = np.diff(np.append(starts, n))
        if h is None:
            n_cal = np.add.reduceat(newg, starts, dtype=np.int64)
            n_hold = np.zeros(k, dtype=np.int64)
            cal_rows = lengths
        else:
            cal = ~h
            n_cal = np.add.reduceat(newg & cal, starts, dtype=np.int64)
            n_hold = np.add.reduceat(newg & h, starts, dtype=np.int64)
            cal_rows = np.add.reduceat(cal, starts, dtype=np.int64)
        first = p[starts]
        last = p[starts + np.maximum(cal_rows, 1) - 1]
        part = {
            "ids": a["cid"][starts] if isinstance(a["cid"], np.ndarray) else a["cid"].take(starts),
            "first": first,
            "last": last,
            "n_cal": n_cal,
            "n_hold": n_hold,
        }
        if "d" in a:  # the first calibration purchase day (the rows of a period are not ordered by day)
            d = a["d"]
            if h is not None:
                d = np.where(h, np.iinfo(np.int32).max, d)
            part["first_day"] = np.minimum.reduceat(d, starts)
        if isinstance(part["ids"], np.ndarray):
            import pyarrow as pa

            part["ids"] = pa.array(part["ids"])

        def owner_and_first(rows):  # each row's (local) customer, and whether it is in its first calibration period
            owner = np.searchsorted(starts, rows, side="right") - 1
            in_first = p[rows] == first[owner]
            if h is not None:
                in_first &= ~h[rows] & ~h[starts[owner]]
            return owner, in_first

        # rows that are not the first of their group: their groups have more than one row
        inner = np.flatnonzero(~newg)
        owner, in_first = owner_and_first(inner)
        if self.has_amount:
            m = a["m"]
            _check_overflow(m, lengths, starts, a["cid"], self.amount_name)
            if h is None:
                spend_cal = np.add.reduceat(m, starts)
                spend_hold = np.zeros(k, dtype=np.int64)
            else:
                spend_hold = np.add.reduceat(np.where(h, m, 0), starts)
                spend_cal = np.add.reduceat(m, starts) - spend_hold
            spend_first = m[starts].copy()
            np.add.at(spend_first, owner[in_first], m[inner[in_first]])
            part.update(spend_cal=spend_cal, spend_first=spend_first, spend_hold=spend_hold)
        if self.keep_candidates and len(inner):
            rows = np.concatenate([inner - 1, inner])  # with the first row of each such group
            rows.sort(kind="stable")
            rows = rows[_neighbours_differ(rows)]
            rowner, rfirst = owner_and_first(rows)
            c = {
                "customer": rowner + self.n_customers,
                "in_first": rfirst,
                "hold": h[rows] if h is not None else np.zeros(len(rows), dtype=bool),
            }
            if "w" in a:
                c["when"] = _take(a["w"], rows)
            else:
                c["when"] = p[rows]
            if self.has_amount:
                c["m"] = a["m"][rows]
            self.cands.append(c)
        self.n_customers += k
        self.parts.append(part)


def _check_overflow(m: np.ndarray, lengths: np.ndarray, starts: np.ndarray, cid, amount_name: str) -> None:
    if len(m) == 0:
        return
    big = max(abs(int(m.min())), abs(int(m.max())))
    if big * int(lengths.max()) < _SAFE:
        return
    totals = np.add.reduceat(np.abs(m).astype(np.float64), starts)
    bad = np.flatnonzero(totals >= _SAFE)
    if len(bad):
        who = cid[starts[bad[:5]]] if isinstance(cid, np.ndarray) else cid.take(starts[bad[:5]]).to_pylist()
        raise DataError(
            f"the spend of {len(bad)} customers (column {amount_name!r}; customers {[_py(v) for v in who]}"
            f"{' ...' if len(bad) > 5 else ''}) exceeds {_SAFE / _MICRO:.3g} currency units, beyond exact "
            "64-bit sums of amounts in 1e-6 units; scale the amounts (e.g. to thousands)"
        )


def _py(v):
    return v.item() if isinstance(v, np.generic) else v


def _first_value(x):
    return x[0] if isinstance(x, np.ndarray) else x[0].as_py()


def _join(chunks: list[dict]) -> dict:
    """One dict of arrays from consecutive chunks of rows (a single copy, whatever the number of chunks)."""
    if len(chunks) == 1:
        return chunks[0]
    return {k: _concat_all([c[k] for c in chunks]) for k in chunks[0]}


def _concat_all(parts):
    if all(isinstance(x, np.ndarray) for x in parts):
        return np.concatenate(parts)
    import pyarrow as pa

    return pa.concat_arrays([_arrow(x) for x in parts])


def _arrow(x):
    import pyarrow as pa

    return pa.array(x) if isinstance(x, np.ndarray) else x


def _slice(x, lo: int, hi: int):
    return x[lo:hi] if isinstance(x, np.ndarray) else x.slice(lo, hi - lo)


def _take(x, rows: np.ndarray):
    if isinstance(x, np.ndarray):
        return x[rows]
    return x.take(rows).to_pandas().to_numpy()


def reduce_sorted(reader, *, has_amount: bool, keep_candidates: bool, amount_name: str = "amount") -> SortedReduction:
    """Run :class:`SortedReducer` over a ``pyarrow.RecordBatchReader`` of the ordered rows."""
    schema = getattr(reader, "schema", None)
    id_type = schema.field("cid").type if schema is not None and "cid" in schema.names else None
    red = SortedReducer(
        has_amount=has_amount, keep_candidates=keep_candidates, id_type=id_type, amount_name=amount_name
    )
    pending = None
    for batch in reader:
        if pending is not None:
            red.feed(pending)
        pending = batch
    if pending is not None:
        red.feed(pending, final=True)
    return red.finish()


def units_to_float(units: np.ndarray) -> np.ndarray:
    """Integer 1e-6 units as float64 currency units, correctly rounded, as DuckDB casts DECIMAL(p, 6) to DOUBLE.

    ``units / 1e6`` is correctly rounded while ``|units| < 2**53`` (the int64 -> float64 step is exact,
    the division rounds once). Beyond (sums over about 9e9 currency units) the integer part and the
    fraction are converted separately, ``trunc(units / 10**6) + (units % 10**6) / 1e6``: the integer part
    is exact and the fraction's rounding error (< 1.2e-16) is far below the distance of any 6-digit
    decimal from a rounding boundary there, so the result is again the correctly rounded value.
    """
    units = np.asarray(units, dtype=np.int64)
    out = units.astype(np.float64)
    out /= 1e6
    big = np.flatnonzero(np.abs(units) >= 2**53)
    if len(big):
        u = units[big]
        mag = np.abs(u)
        exact = (mag // _MICRO).astype(np.float64) + (mag % _MICRO).astype(np.float64) / 1e6
        out[big] = np.where(u < 0, -exact, exact)
    return out


def sort_result(checked: Checked, log: TransactionLog, job: _SummaryJob) -> tuple[pd.DataFrame, int]:
    """The summary by the sort plan, as the aggregate plan's result table.

    Returns the per-customer table (columns ``cid``, ``frequency``, ... as from
    :func:`summary_expression`, customers first seen in the holdout included
    with ``frequency`` -1) and the number of exact duplicate rows.
    """
    kept, amount, period, cal_end = checked.kept, log.amount, job.period, job.calibration_end
    has_amount = amount is not None
    check = job.policies.on_duplicate != "ignore"
    # the raw date is needed for exact duplicates unless the periods are the dates themselves
    with_when = check and not (period == "day" and kept.when.type().is_date())
    expr = sorted_rows_expression(
        kept,
        period=period,
        calibration_end=cal_end,
        has_amount=has_amount,
        with_when=with_when,
        with_day=job.cohort is not None and period != "day",
    )
    reader = eng.record_batches(log.backend, expr, BATCH_ROWS)
    red = reduce_sorted(reader, has_amount=has_amount, keep_candidates=check, amount_name=amount or "amount")
    ids = red.ids.to_pandas()
    dup_count = 0
    if check:
        cand = red.candidates
        dup_mask = np.zeros(len(cand), dtype=bool)
        if len(cand):
            key = ["customer", "when"] + (["m"] if has_amount else [])  # amounts to 1e-6, as summed
            dup_mask = cand.duplicated(subset=key, keep="first").to_numpy()
            dup_count = int(dup_mask.sum())
        dup_ids = ids.iloc[np.unique(cand["customer"].to_numpy()[dup_mask])] if dup_count else []
        shown = []
        if dup_count and log.frame is None:
            copies = cand[dup_mask].groupby(key, sort=False).size() + 1
            for k, c in list(copies.items())[: eng.N_EXAMPLES]:
                row = {
                    log.customer_id: eng.plain(ids.iloc[int(k[0])]),
                    log.date: eng.plain(_when_value(k[1], with_when)),
                }
                if amount is not None:
                    row[amount] = int(k[2]) / 1e6
                row["copies"] = int(c)
                shown.append(row)
        report_duplicates(dup_count, shown, checked, log, job.policies.on_duplicate, among=dup_ids)
        if job.policies.on_duplicate == "exclude" and dup_count and has_amount:
            # a copy left out takes its amount out of its period's spend; the period itself stays
            d = cand[dup_mask]
            assert red.spend_cal is not None and red.spend_hold is not None and red.spend_first is not None
            who, m = d["customer"].to_numpy(), d["m"].to_numpy()
            hold, first = d["hold"].to_numpy(), d["in_first"].to_numpy()
            np.subtract.at(red.spend_cal, who[~hold], m[~hold])
            np.subtract.at(red.spend_hold, who[hold], m[hold])
            np.subtract.at(red.spend_first, who[first], m[first])

    first = red.first  # int32 days since 1970-01-01
    end_day = cal_end if cal_end is not None else checked.observation_end
    end_p = np.int64(period_start_days(np.array([timestamp_to_days(end_day)]), period)[0])

    def span(later, earlier):  # the aggregate plan's span, on days since 1970-01-01
        return span_days(later, earlier, period, job.time_unit)

    def mean_spend(units, count):  # ifelse(count > 0, units / 1e6, 0) / greatest(count, 1), as in the expression
        out = units_to_float(units)
        out[count <= 0] = 0.0
        out /= np.maximum(count, 1)
        return out

    n = red.n_cal
    out = {"cid": ids, "frequency": n - 1, "recency": span(red.last, first), "T": span(end_p, first)}
    if red.spend_cal is not None and red.spend_first is not None:  # the log has amounts
        out["monetary"] = mean_spend(red.spend_cal - red.spend_first, n - 1)
    if cal_end is not None:
        out["frequency_holdout"] = red.n_hold
        if has_amount:
            out["monetary_holdout"] = mean_spend(red.spend_hold, red.n_hold)
    if job.cohort is not None:
        # the cohort of the first purchase day (not of its period's start: a week can straddle two months)
        day0 = first if red.first_day is None else np.where(n > 0, red.first_day, first)
        out["cohort"] = days_to_datetime(period_start_days(day0, job.cohort))
    return pd.DataFrame(out, copy=False), dup_count


def _when_value(v, with_when):
    """A candidate row's date as the user gave it (days since 1970 when the periods are the dates)."""
    if with_when:
        return v
    return (np.datetime64("1970-01-01", "D") + np.timedelta64(int(v), "D")).item()
