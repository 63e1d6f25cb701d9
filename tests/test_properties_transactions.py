"""Property tests of the log intake: generated logs either match a plain pandas computation or raise DataError.

Issue 14 ("tests sorted by intent"): every call on a generated transaction log
or summary either returns what an independent computation written here gives
(from the definitions in ``crmlib.transactions``' docstring: Fader, Hardie & Lee
2005, section 2) or raises :class:`crmlib.exceptions.DataError` - never another
exception, never NaN or a wrong number. The oracles use only pandas/numpy:

* purchase day table: ``groupby([customer, day]).amount.sum()``;
* ``frequency`` = distinct purchase days - 1, ``recency`` = (last - first day)
  and ``T`` = (observation end - first day), in days / the unit's days;
  ``monetary`` = mean spend of the repeat purchase days (0 when none);
* RFM scores: ``1 + floor(n k / N)`` with ``k`` the customers strictly worse
  (``rfm_scores``' docstring, Hughes 1994), by pairwise comparison.

Examples are derandomised (the same on every run, no example database) so CI
is reproducible.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from crmlib.exceptions import DataError
from crmlib.transactions import purchase_days, rfm_scores, summarize

BASE = pd.Timestamp("2021-03-01")
UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 30.4375}
# one summarize call costs 0.2-0.5 s (a fresh in-process DuckDB), so few examples per property;
# the known failures (strict xfail) are not shrunk.
PROPS = settings(
    max_examples=7,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
KNOWN_BUG = settings(PROPS, max_examples=3, phases=[Phase.explicit, Phase.generate])
FAST = settings(PROPS, max_examples=40)  # properties without an engine call


# --------------------------------------------------------------------------------------------
# generated logs
# --------------------------------------------------------------------------------------------

_row = st.tuples(
    st.integers(0, 5),  # customer id
    st.integers(0, 60),  # day offset from BASE
    st.integers(1, 500_000).map(lambda c: c / 100),  # amount in currency units, whole cents
)


@st.composite
def logs(draw, min_rows: int = 1, max_rows: int = 30, one_customer: bool = False):
    """A clean log (int ids, dates, positive amounts) with duplicate rows and same-day repeats."""
    rows = draw(st.lists(_row, min_size=min_rows, max_size=max_rows))
    if one_customer:
        rows = [(7, d, a) for _, d, a in rows]
    n_copies = draw(st.integers(0, 3))
    rows = rows + rows[:n_copies]  # exact duplicate rows (kept by the default policy)
    return pd.DataFrame(
        {
            "customer_id": np.array([r[0] for r in rows], dtype="int64"),
            "date": BASE + pd.to_timedelta([r[1] for r in rows], unit="D"),
            "amount": np.array([r[2] for r in rows], dtype="float64"),
        }
    )


def _oracle_days(log: pd.DataFrame, obs_end: pd.Timestamp) -> pd.DataFrame:
    used = log[log["date"] <= obs_end]
    days = used.groupby(["customer_id", "date"], as_index=False)["amount"].sum()
    return days.sort_values(["customer_id", "date"], kind="stable").reset_index(drop=True)


def _oracle_summary(log: pd.DataFrame, obs_end: pd.Timestamp, unit_days: float) -> pd.DataFrame:
    days = _oracle_days(log, obs_end)
    rows = {}
    for cid, g in days.groupby("customer_id"):
        first, last = g["date"].min(), g["date"].max()
        repeat = g.loc[g["date"] != first, "amount"]
        rows[cid] = {
            "frequency": len(g) - 1,
            "recency": (last - first).days / unit_days,
            "T": (obs_end - first).days / unit_days,
            "monetary": float(repeat.mean()) if len(repeat) else 0.0,
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "customer_id"
    return out


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the duplicate-row notice of on_duplicate="keep"
        return fn(*args, **kwargs)


def _assert_summary(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.index) == sorted(want.index)
    want = want.loc[list(got.index)]
    np.testing.assert_array_equal(got["frequency"].to_numpy(), want["frequency"].to_numpy())
    for col in ("recency", "T", "monetary"):
        values = got[col].to_numpy(dtype="float64")
        assert np.isfinite(values).all(), col
        np.testing.assert_allclose(values, want[col].to_numpy(dtype="float64"), rtol=1e-12, atol=1e-9, err_msg=col)


# --------------------------------------------------------------------------------------------
# summarize and purchase_days on clean generated logs
# --------------------------------------------------------------------------------------------


@PROPS
@given(log=logs(), unit=st.sampled_from(["day", "week", "month"]), end_offset=st.none() | st.integers(0, 70))
def test_consistency_summarize_matches_plain_definitions(log, unit, end_offset):
    """frequency/recency/T/monetary of a log = the FHL (2005) definitions computed with pandas, or DataError."""
    obs_end = log["date"].max() if end_offset is None else BASE + pd.Timedelta(days=end_offset)
    kwargs = {} if end_offset is None else {"observation_end": obs_end}
    want = _oracle_summary(log, obs_end, UNIT_DAYS[unit])
    try:
        got = _quiet(summarize, log, time_unit=unit, **kwargs)
    except DataError:
        assert want.empty  # refused only when every purchase is after the observation end
        return
    if want.empty:  # every purchase after the observation end: an empty summary is the plain answer
        assert got.empty and list(got.columns) == ["frequency", "recency", "T", "monetary"]
        return
    _assert_summary(got, want)
    assert (got["recency"] <= got["T"]).all()


@PROPS
@given(log=logs(one_customer=True), unit_days=st.floats(0.5, 40.0))
def test_consistency_summarize_single_customer_numeric_unit(log, unit_days):
    """A one-customer log, a time unit given as a number of days, observation end at the last purchase."""
    obs_end = log["date"].max()
    got = _quiet(summarize, log, time_unit=unit_days)
    _assert_summary(got, _oracle_summary(log, obs_end, unit_days))
    last = got.iloc[0]
    assert last["T"] == pytest.approx(last["recency"])  # the last purchase is on the observation end


@PROPS
@given(log=logs(), end_offset=st.none() | st.integers(0, 70))
def test_consistency_purchase_days_matches_groupby(log, end_offset):
    """purchase_days = one row per customer and day with the day's amounts summed, sorted; rows after the end out."""
    obs_end = log["date"].max() if end_offset is None else BASE + pd.Timedelta(days=end_offset)
    kwargs = {} if end_offset is None else {"observation_end": obs_end}
    want = _oracle_days(log, obs_end)
    try:
        got = _quiet(purchase_days, log, amount="amount", **kwargs)
    except DataError:
        assert want.empty
        return
    assert list(got.columns) == ["customer_id", "date", "amount"]
    assert got["customer_id"].tolist() == want["customer_id"].tolist()
    assert (got["date"].to_numpy() == want["date"].to_numpy()).all()
    np.testing.assert_allclose(got["amount"].to_numpy(), want["amount"].to_numpy(), rtol=1e-12)


# --------------------------------------------------------------------------------------------
# hostile logs
# --------------------------------------------------------------------------------------------

_bad_amount = st.sampled_from([np.nan, np.inf, -np.inf, -0.01, -250.0])


@PROPS
@given(log=logs(), bad=_bad_amount, where=st.integers(0, 100), fn=st.sampled_from([summarize, purchase_days]))
def test_inputchecks_bad_amount_is_dataerror(log, bad, where, fn):
    """A NaN, infinite or negative amount anywhere in the log is a DataError naming the column (default policy)."""
    log = log.copy()
    log.loc[where % len(log), "amount"] = bad
    with pytest.raises(DataError, match="amount"):
        _quiet(fn, log, amount="amount")


@PROPS
@given(log=logs(min_rows=2), where=st.integers(0, 100), column=st.sampled_from(["customer_id", "date"]))
def test_inputchecks_missing_id_or_date_is_dataerror(log, where, column):
    """A row without a customer id or a date is a DataError naming the column."""
    log = log.astype({"customer_id": "float64"}) if column == "customer_id" else log.copy()
    log.loc[where % len(log), column] = np.nan if column == "customer_id" else pd.NaT
    with pytest.raises(DataError, match=column):
        _quiet(summarize, log)


@pytest.mark.parametrize("fn", [summarize, purchase_days])
@pytest.mark.parametrize("id_dtype", ["int64", "object", "float64"])
def test_inputchecks_empty_log_is_dataerror(fn, id_dtype):
    """An empty log (any id dtype) is a DataError, not an empty table."""
    empty = pd.DataFrame(
        {
            "customer_id": pd.Series([], dtype=id_dtype),
            "date": pd.Series([], dtype="datetime64[ns]"),
            "amount": pd.Series([], dtype="float64"),
        }
    )
    with pytest.raises(DataError, match="no rows"):
        fn(empty)


@PROPS
@given(log=logs(), text=st.booleans())
def test_consistency_id_type_is_kept(log, text):
    """Integer ids stay integers and text ids stay text in the summary's index (no silent conversion)."""
    if text:
        log = log.assign(customer_id=log["customer_id"].map(lambda i: f"c{i}"))
    got = _quiet(summarize, log)
    kinds = {type(i) for i in got.index}
    assert kinds == ({str} if text else {int})
    assert sorted(got.index) == sorted(set(log["customer_id"]))


@KNOWN_BUG
@given(log=logs(min_rows=2))
def test_inputchecks_mixed_type_ids_not_merged(log):
    """Ids 1 and "1" are two values: either refused with a DataError or kept apart with their types."""
    ids = log["customer_id"].astype(object).copy()
    ids.iloc[0] = str(ids.iloc[0])  # the same number as text
    ids.iloc[-1] = int(log["customer_id"].iloc[0])  # and as an integer
    log = log.assign(customer_id=ids)
    try:
        got = _quiet(summarize, log)
    except DataError:
        return
    keys = {(type(i), i) for i in log["customer_id"]}
    assert {(type(i), i) for i in got.index} == keys


@KNOWN_BUG
@given(log=logs(min_rows=2))
def test_inputchecks_tuple_ids_dataerror_or_summary(log):
    """Tuple ids: a DataError naming the column, or a correct summary - never a raw library error."""
    log = log.assign(customer_id=[(int(i), 0) for i in log["customer_id"]])
    try:
        got = _quiet(summarize, log, time_unit="day")
    except DataError as err:
        assert "customer_id" in str(err)
        return
    want = _oracle_summary(log, log["date"].max(), 1.0)
    _assert_summary(got, want)


# --------------------------------------------------------------------------------------------
# RFM scores
# --------------------------------------------------------------------------------------------


def _oracle_scores(values: np.ndarray, n: int, higher_is_better: bool) -> np.ndarray:
    v = values if higher_is_better else -values
    worse = (v[None, :] < v[:, None]).sum(axis=1)  # customers with a strictly worse value
    return np.minimum(1 + (n * worse) // len(v), n)


@st.composite
def summaries(draw, min_size: int = 1):
    n = draw(st.integers(min_size, 25))
    freq = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    T = draw(st.lists(st.integers(0, 40), min_size=n, max_size=n))
    rec_share = draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
    money = draw(st.lists(st.sampled_from([0.0, 5.0, 12.5, 40.0, 99.99]), min_size=n, max_size=n))
    T = np.array(T, dtype="float64") / 7
    return pd.DataFrame(
        {
            "frequency": np.array(freq, dtype="int64"),
            "recency": np.round(T * np.array(rec_share), 6),
            "T": T,
            "monetary": np.where(np.array(freq) > 0, money, 0.0),
        },
        index=pd.Index([f"c{i}" for i in range(n)], name="customer_id"),
    )


def _assert_rfm(got: pd.DataFrame, summary: pd.DataFrame, n_groups: int) -> None:
    since = (summary["T"] - summary["recency"]).to_numpy()
    want = {
        "R": _oracle_scores(since, n_groups, higher_is_better=False),
        "F": _oracle_scores(summary["frequency"].to_numpy(dtype="float64"), n_groups, True),
        "M": _oracle_scores(summary["monetary"].to_numpy(dtype="float64"), n_groups, True),
    }
    assert got.index.equals(summary.index)
    for col, w in want.items():
        np.testing.assert_array_equal(got[col].to_numpy(), w, err_msg=col)
        assert got[col].between(1, n_groups).all()
    digits = [f"{r}{f}{m}" for r, f, m in zip(want["R"], want["F"], want["M"])]
    assert got["RFM"].tolist() == digits


@FAST
@given(summary=summaries(), n_groups=st.integers(2, 9))
def test_consistency_rfm_scores_match_rank_formula(summary, n_groups):
    """R, F, M = 1 + floor(n k / N) with k the customers strictly worse; RFM = the three digits."""
    _assert_rfm(rfm_scores(summary, n_groups=n_groups), summary, n_groups)


@PROPS
@given(log=logs())
def test_consistency_rfm_scores_of_a_summarised_log(log):
    """RFM quintiles of summarize's output equal the rank formula on the plain summary."""
    summary = _quiet(summarize, log)
    _assert_rfm(rfm_scores(summary), summary, 5)


@KNOWN_BUG
@given(
    summary=summaries(),
    column=st.sampled_from(["frequency", "recency", "T", "monetary"]),
    bad=st.sampled_from([np.nan, np.inf]),
    where=st.integers(0, 100),
)
def test_inputchecks_rfm_scores_nonfinite_is_dataerror(summary, column, bad, where):
    """A missing or infinite summary value is a DataError naming its column, never a score outside 1..n."""
    summary = summary.astype({column: "float64"})
    summary.iloc[where % len(summary), summary.columns.get_loc(column)] = bad
    with pytest.raises(DataError, match=column):
        rfm_scores(summary)
