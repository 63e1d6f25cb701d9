"""crmlib.survival.data: survival data from hand-made logs and contracts with known answers; bad inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from crmlib.datasets import load_cdnow
from crmlib.exceptions import DataError, DataWarning
from crmlib.survival import (
    first_purchase_covariates,
    from_contracts,
    from_transactions,
    validate_survival,
    window_sensitivity,
)

D0 = pd.Timestamp("2020-01-01")
END = D0 + pd.Timedelta(days=100)


def _log(spec: dict[str, list[int]]) -> pd.DataFrame:
    rows = [(c, D0 + pd.Timedelta(days=d)) for c, days in spec.items() for d in days]
    return pd.DataFrame(rows, columns=["customer_id", "date"]).assign(amount=10.0)


# customer -> purchase days (offsets from D0); observation end = day 100, window w = 30
HAND = {
    "A": [0, 10, 20],  # last window (20, 50] fully observed -> churned at day 20
    "B": [0, 50, 60],  # gap 50 > 30 after day 0 -> churned at day 0, returned after the lapse
    "C": [0, 80],  # gap 80 -> churned at day 0, returned
    "D": [75, 80],  # 100 - 80 = 20 < 30 -> censored
    "E": [70],  # 100 - 70 = 30 >= 30: exactly w observed days without purchase -> churned (edge)
    "F": [71],  # 100 - 71 = 29 < 30 -> censored (edge)
    "G": [0, 30, 65],  # gap 30 is not a lapse, gap 35 is -> churned at day 30, returned
    "H": [0, 0, 5],  # two rows on day 0 are one purchase day; churned at day 5
    "I": [60, 80],  # 100 - 80 = 20 < 30 -> censored; acquired before day 70 = 100 - 30
}
# expected: churned, last_purchase day, purchase_days in spell, returned
EXPECTED = {
    "A": (1, 20, 3, False),
    "B": (1, 0, 1, True),
    "C": (1, 0, 1, True),
    "D": (0, 80, 2, False),
    "E": (1, 70, 1, False),
    "F": (0, 71, 1, False),
    "G": (1, 30, 2, True),
    "H": (1, 5, 2, False),
    "I": (0, 80, 2, False),
}
LAST_SEEN = 70  # observation end - w: the last day whose 30-day lapse is fully observed


def test_from_transactions_hand_made_log_known_answers_last_purchase():
    sd = from_transactions(_log(HAND), 30, observation_end=END)
    for c, (churned, last, n, returned) in EXPECTED.items():
        row = sd.loc[c]
        start = min(HAND[c])
        assert row["churned"] == churned, c
        assert row["last_purchase"] == D0 + pd.Timedelta(days=last), c
        if churned:  # event at the last purchase of the spell
            assert row["end"] == row["last_purchase"], c
            assert row["duration"] == last - start + 1, c
        elif start <= LAST_SEEN:  # censored administratively at observation end - w
            assert row["end"] == D0 + pd.Timedelta(days=LAST_SEEN), c
            assert row["duration"] == LAST_SEEN - start + 1, c
        else:  # acquired after observation end - w: no churn observable, kept with duration 0
            assert row["duration"] == 0, c
        assert row["purchase_days"] == n, c
        assert bool(row["returned_after_lapse"]) is returned, c
    assert sd.loc["H", "purchase_days_total"] == 2
    assert sd.loc["B", "purchase_days_total"] == 3
    assert sd.attrs["unobservable"] == 2  # D and F


def test_last_purchase_and_lapse_curves_are_one_curve_shifted_by_the_window():
    """Both event dates give the same Kaplan-Meier curve, shifted by w (independent check of the censoring)."""
    log = load_cdnow("sample")
    lp = from_transactions(log, 90)
    la = from_transactions(log, 90, event_at="lapse")
    assert (la["churned"] == lp["churned"]).all()
    km_lp = KaplanMeierFitter().fit(lp["duration"], lp["churned"])
    km_la = KaplanMeierFitter().fit(la["duration"], la["churned"])
    grid = np.arange(0, 500, 7.0)
    np.testing.assert_allclose(km_la.predict(grid + 90).to_numpy(), km_lp.predict(grid).to_numpy(), atol=1e-12)
    assert km_la.median_survival_time_ == km_lp.median_survival_time_ + 90


def test_censoring_at_observation_end_minus_window_is_unbiased_and_at_last_purchase_is_not():
    """Simulation with known truth: geometric purchase gaps, lifetimes ending at a known last purchase.

    Each customer buys on day 0 and then every ``g`` days while alive; after each purchase they stop
    for good with probability 0.2, so the true active lifetime (last purchase - first) is ``g * K`` with
    ``K ~ Geometric``, ``P(K >= k) = 0.8**k``. With w > g a lapse is exactly the end of the lifetime.
    """
    rng = np.random.default_rng(7)
    n, g, w = 20000, 20, 30
    k = rng.geometric(0.2, size=n) - 1  # purchases after the first
    start = rng.integers(0, 200, size=n)
    cust = np.repeat(np.arange(n), k + 1)
    nth = np.arange(len(cust)) - np.repeat(np.cumsum(k + 1) - (k + 1), k + 1)  # 0, 1, ..., k per customer
    log = pd.DataFrame({"customer_id": cust, "date": D0 + pd.to_timedelta(start[cust] + g * nth, unit="D")})
    end = D0 + pd.Timedelta(days=300)
    sd = from_transactions(log[log["date"] <= end], w, observation_end=end)
    k_gaps = np.arange(1, 10)
    truth = 0.8 ** (k_gaps + 1)  # S(g k + 1) = P(duration > g k + 1) = P(K >= k + 1)
    got = KaplanMeierFitter().fit(sd["duration"], sd["churned"]).predict(g * k_gaps + 1).to_numpy()
    np.testing.assert_allclose(got, truth, atol=0.01)
    # the rejected alternative: censoring each still-active customer at their own last purchase
    own = sd["duration"].where(sd["churned"] == 1, (sd["last_purchase"] - sd["start"]).dt.days + 1.0)
    biased = KaplanMeierFitter().fit(own, sd["churned"]).predict(g * k_gaps + 1).to_numpy()
    assert (biased[5:] - truth[5:]).min() > 0.02  # upward bias in the tail (truth 0.26 .. 0.11 there)


def test_from_transactions_event_at_lapse_censors_at_observation_end():
    sd = from_transactions(_log(HAND), 30, observation_end=END, event_at="lapse")
    for c, (churned, last, _, _) in EXPECTED.items():
        start = min(HAND[c])
        end_day = last + 30 if churned else 100
        assert sd.loc[c, "end"] == D0 + pd.Timedelta(days=end_day), c
        assert sd.loc[c, "duration"] == end_day - start + 1, c
    assert sd["end"].max() <= END  # a lapse is only counted when its whole window is observed


def test_window_edge_exactly_w_days_is_churn_and_w_minus_one_is_censored():
    sd = from_transactions(_log({"x": [0], "y": [1]}), 100, observation_end=END)
    assert sd.loc["x", "churned"] == 1 and sd.loc["y", "churned"] == 0


def test_observation_end_defaults_to_last_log_date_and_attrs_state_rule():
    sd = from_transactions(_log(HAND), 30)
    assert sd.attrs["observation_end"] == D0 + pd.Timedelta(days=80)
    assert "30 observed days" in sd.attrs["definition"]
    assert sd.loc["D", "churned"] == 0  # last purchase day 80 = observation end


def test_every_customer_kept_and_cohort_is_first_purchase_month():
    log = load_cdnow("sample")
    sd = from_transactions(log, 180)
    assert len(sd) == log["customer_id"].nunique() == 2357
    assert (sd["cohort"].astype(str) <= "1997-03").all()
    assert (sd["duration"] >= 1).all()


def test_churn_share_falls_as_window_grows_and_sensitivity_matches_lifelines():
    log = load_cdnow("sample")
    tab = window_sensitivity(log, [60, 180, 365], horizons=[90, 365])
    assert (np.diff(tab["churn_share"]) <= 0).all()  # a lapse of w2 > w1 days is also a lapse of w1 days
    sd = from_transactions(log, 180)
    km = KaplanMeierFitter().fit(sd["duration"], sd["churned"])
    row = tab.set_index("inactivity_days").loc[180]
    assert row["customers"] == 2357
    assert row["churn_share"] == pytest.approx(sd["churned"].mean())
    assert row["S(365 d)"] == pytest.approx(km.predict(365))
    assert row["median_lifetime_days"] == km.median_survival_time_


def test_inputchecks_transactions_after_observation_end():
    with pytest.raises(
        DataError,
        match=r"1 rows are dated after the observation end 2020-04-10 \(column 'date'\): rows \(index labels\) \[1\]",
    ):
        from_transactions(_log({"a": [0, 120]}), 30, observation_end=END)


def test_inputchecks_missing_transaction_dates_named():
    log = _log({"a": [0, 10]})
    log.loc[1, "date"] = pd.NaT
    with pytest.raises(DataError, match=r"1 rows have no date \(column 'date'\): rows \(index labels\) \[1\]"):
        from_transactions(log, 30)


@pytest.mark.parametrize("w", [0, -5, 2.5, True])
def test_inputchecks_inactivity_days(w):
    with pytest.raises(DataError, match="inactivity_days must be a positive whole number of days"):
        from_transactions(_log({"a": [0]}), w)


def test_inputchecks_missing_column():
    with pytest.raises(
        DataError, match=r"has no column 'customer_id' \(the customer_id column\); columns are \['date'\]"
    ):
        from_transactions(pd.DataFrame({"date": [D0]}), 30)


def _contracts():
    return pd.DataFrame(
        {
            "start": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01", "2020-06-01"]),
            "end": pd.to_datetime(["2020-01-31", None, "2020-12-31", "2020-06-01"]),
            "plan": ["a", "b", "a", "b"],
        }
    )


def test_from_contracts_known_durations_and_censoring():
    sd = from_contracts(_contracts(), observation_end="2020-12-31")
    assert sd["duration"].tolist() == [30.0, 334.0, 305.0, 0.0]
    assert sd["churned"].tolist() == [1, 0, 1, 1]  # an end on the observation end itself is observed
    assert sd.loc[1, "end_observed"] == pd.Timestamp("2020-12-31")
    assert sd["plan"].tolist() == ["a", "b", "a", "b"]  # other columns kept


def test_from_contracts_end_after_observation_end_is_censored_with_warning():
    with pytest.warns(DataWarning, match=r"1 contract\(s\) end after the observation end"):
        sd = from_contracts(_contracts(), observation_end="2020-12-30")
    assert sd.loc[2, "churned"] == 0 and sd.loc[2, "duration"] == 304.0


def test_inputchecks_end_before_start_names_rows_and_count():
    c = _contracts()
    c.loc[[0, 3], "end"] = pd.Timestamp("2019-12-01")
    with pytest.raises(DataError, match=r"column 'end': end before start in 2 rows \(e.g. \[0, 3\]\)"):
        from_contracts(c, observation_end="2020-12-31")


def test_inputchecks_missing_start_dates():
    c = _contracts()
    c.loc[2, "start"] = pd.NaT
    with pytest.raises(DataError, match=r"column 'start': no start date in 1 row \(e.g. \[2\]\)"):
        from_contracts(c, observation_end="2020-12-31")


def test_inputchecks_start_after_observation_end():
    with pytest.raises(DataError, match=r"start after the observation end"):
        from_contracts(_contracts(), observation_end="2020-05-01")


def test_inputchecks_duplicated_ids():
    c = _contracts().assign(cid=[1, 2, 2, 3])
    with pytest.raises(DataError, match=r"column 'cid': duplicated customer id in 2 rows"):
        from_contracts(c, observation_end="2020-12-31", customer_id="cid")


def test_inputchecks_negative_durations():
    d = pd.DataFrame({"duration": [3.0, -1.0, 2.0, -4.0], "churned": [1, 0, 1, 1]})
    with pytest.raises(DataError, match=r"column 'duration': negative duration in 2 rows \(e.g. \[1, 3\]\)"):
        validate_survival(d)


def test_inputchecks_missing_durations_and_bad_events():
    d = pd.DataFrame({"duration": [3.0, np.nan], "churned": [1, 0]})
    with pytest.raises(DataError, match=r"missing or non-numeric duration in 1 row"):
        validate_survival(d)
    d = pd.DataFrame({"duration": [3.0, 2.0], "churned": [1, 2]})
    with pytest.raises(DataError, match=r"column 'churned': event indicator other than 0/1 in 1 row"):
        validate_survival(d)


def test_first_purchase_covariates_use_only_the_first_day():
    log = _log({"a": [0, 0, 10], "b": [5]}).assign(amount=[10.0, 5.0, 100.0, 7.0], quantity=[1, 2, 9, 1])
    cov = first_purchase_covariates(log)
    assert cov.loc["a", "first_amount"] == 15.0 and cov.loc["a", "first_quantity"] == 3
    assert cov.loc["b", "log_first_amount"] == pytest.approx(np.log(8.0))
    assert cov.loc["a", "first_month"] == "2020-01"


def test_event_date_comparison_rows_match_lifelines_and_hand_made_log():
    from crmlib.survival import event_date_comparison

    tab = event_date_comparison(_log(HAND), 30, horizons=[10, 40], observation_end=END)
    lp = from_transactions(_log(HAND), 30, observation_end=END)
    rows = tab.index.tolist()
    assert tab.attrs["n"] == 9 and tab.attrs["repeat_buyers"] == 7  # E and F bought on one day only
    assert tab.loc[rows[0], "one_day_share"] == pytest.approx(3 / 9)  # B, C, E churned after one purchase day
    assert tab.loc[rows[2], "customers"] == 7
    km = KaplanMeierFitter().fit(lp["duration"], lp["churned"])
    assert tab.loc[rows[0], "median_days"] == km.median_survival_time_
    assert tab.loc[rows[1], "median_days"] == km.median_survival_time_ + 30
    assert tab.loc[rows[0], "S(40 d)"] == pytest.approx(km.predict(40))
    rep = lp[lp["purchase_days_total"] > 1]
    km_r = KaplanMeierFitter().fit(rep["duration"], rep["churned"])
    assert tab.loc[rows[2], "S(10 d)"] == pytest.approx(km_r.predict(10))
    # restricted mean to 40 days of the all-customer curve, by hand from the step function
    t = km.survival_function_.index.to_numpy()
    s = km.survival_function_.iloc[:, 0].to_numpy()
    edges = np.clip(np.append(t, 40.0), 0, 40)
    assert tab.loc[rows[0], "rmst_40_days"] == pytest.approx(float(np.sum(np.diff(edges) * s)))


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_from_contracts_reads_a_file_as_the_frame(tmp_path, kind):
    c = _contracts().rename(columns={"start": "시작일", "end": "종료일"})
    path = tmp_path / f"contracts.{kind}"
    if kind == "csv":
        c.assign(시작일=c["시작일"].dt.strftime("%d/%m/%Y"), 종료일=c["종료일"].dt.strftime("%d/%m/%Y")).to_csv(
            path, index=False, encoding="cp949", sep=";"
        )
    else:
        c.to_parquet(path)
    kw = dict(contract_start="시작일", contract_end="종료일", observation_end="2020-12-31")
    got = from_contracts(str(path), date_format="%d/%m/%Y" if kind == "csv" else None, **kw)
    want = from_contracts(c, **kw)
    np.testing.assert_array_equal(got["duration"].to_numpy(), want["duration"].to_numpy())
    np.testing.assert_array_equal(got["churned"].to_numpy(), want["churned"].to_numpy())


def test_inputchecks_contracts_ambiguous_text_dates_refused():
    c = pd.DataFrame({"start": ["01/02/2020", "03/04/2020"], "end": [None, "05/06/2020"]})
    with pytest.raises(DataError, match="start"):
        from_contracts(c, observation_end="2020-12-31")
    ok = from_contracts(c, observation_end="2020-12-31", date_format="%d/%m/%Y")
    assert ok["duration"].tolist() == [(pd.Timestamp("2020-12-31") - pd.Timestamp("2020-02-01")).days, 63.0]


def test_consistency_read_options_reach_the_intake_for_a_log_file(tmp_path):
    """from_transactions and first_purchase_covariates read a ';'-separated, day-first, decimal-comma file through
    read_options exactly as the same log given as a DataFrame (the retention report's date_format was ignored before)."""
    import warnings

    from crmlib.datasets import load_cdnow
    from crmlib.survival import first_purchase_covariates, from_transactions

    log = load_cdnow("sample").head(3000)
    text = log.assign(date=log["date"].dt.strftime("%d/%m/%Y"), amount=log["amount"].map(lambda v: f"{v:.2f}"))
    text["amount"] = text["amount"].str.replace(".", ",", regex=False)
    path = tmp_path / "log.csv"
    text.to_csv(path, sep=";", index=False)
    options = {"date_format": "%d/%m/%Y", "delimiter": ";", "decimal": ","}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = from_transactions(log, 180)
        got = from_transactions(str(path), 180, read_options=options)
        want_first = first_purchase_covariates(log)
        got_first = first_purchase_covariates(str(path), read_options=options)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_index_type=False)
    pd.testing.assert_frame_equal(got_first, want_first, check_dtype=False, check_index_type=False)
    with pytest.raises(DataError, match="amount that is not a number"):  # decimal commas need decimal=","
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first_purchase_covariates(str(path), read_options={"delimiter": ";", "date_format": "%d/%m/%Y"})
