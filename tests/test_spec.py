"""crmlib.spec: the time vocabulary and SummarySpec (oracle: the calendar arithmetic by hand)."""

import pandas as pd
import pytest

from crmlib.exceptions import DataError
from crmlib.spec import DAYS_PER_YEAR, SummarySpec, days_per_unit, summary_spec, unit_label


def _spec(**kw):
    base = dict(
        observation_end=pd.Timestamp("1998-06-30"),
        calibration_end=pd.Timestamp("1997-09-30"),
        period="day",
        time_unit="week",
        days_per_unit=7.0,
    )
    base.update(kw)
    return SummarySpec(**base)


def test_correctness_days_per_unit_by_hand():
    assert days_per_unit("day") == 1.0
    assert days_per_unit("week") == pytest.approx(7.0, abs=1e-12)
    assert days_per_unit("month") == pytest.approx(365.25 / 12)
    assert days_per_unit(10) == 10.0


def test_correctness_holdout_length_and_periods_per_year_by_hand():
    s = _spec()
    # 1997-09-30 to 1998-06-30 is 273 days = 39 weeks
    assert s.holdout_length == pytest.approx(39.0)
    assert s.periods_per_year == pytest.approx(DAYS_PER_YEAR / 7)
    assert s.unit_label == "weeks"
    assert _spec(time_unit="month", days_per_unit=365.25 / 12, period="month").periods_per_year == 12.0
    assert _spec(calibration_end=None).holdout_length is None


def test_consistency_to_dict_gives_iso_dates():
    d = _spec(checks={"negative": 2}).to_dict()
    assert d["observation_end"] == "1998-06-30" and d["calibration_end"] == "1997-09-30"
    assert d["checks"] == {"negative": 2}


def test_consistency_summary_spec_reads_attrs():
    frame = pd.DataFrame({"frequency": [1]})
    frame.attrs["crmlib"] = _spec()
    assert summary_spec(frame).time_unit == "week"


@pytest.mark.parametrize(
    "unit, words",
    [
        ("weeks", "time_unit must be one of"),
        ("W", "time_unit must be one of"),
        (0, "positive number of days"),
        (-7, "positive number of days"),
        (True, "positive number of days"),
    ],
)
def test_inputchecks_time_unit(unit, words):
    with pytest.raises(DataError, match=words):
        days_per_unit(unit)


def test_inputchecks_spec_fields():
    with pytest.raises(DataError, match="period must be one of"):
        _spec(period="D")
    with pytest.raises(DataError, match="does not match time_unit"):
        _spec(days_per_unit=1.0)
    with pytest.raises(DataError, match="must be before observation_end"):
        _spec(calibration_end=pd.Timestamp("1999-01-01"))
    with pytest.raises(DataError, match="carries no SummarySpec"):
        summary_spec(pd.DataFrame({"frequency": [1]}))


def test_correctness_unit_label():
    assert unit_label("day") == "days" and unit_label("week", plural=False) == "week"
    assert unit_label(10) == "10-day units"
