"""crmlib.clv._rates: the annual discount rate turned into per-unit rates.

Oracles: FHL 2005b's weekly continuous rate log(1.15)/52; compounding k
periods at the per-period rate gives the annual rate back.
"""

import numpy as np
import pytest

from crmlib.clv import continuous_rate, period_rate
from crmlib.exceptions import DataError


def test_continuous_rate_matches_fader_hardie_lee_2005b():
    assert continuous_rate(0.15, 52) == pytest.approx(np.log(1.15) / 52, rel=1e-15)  # 0.0027 per week
    assert continuous_rate(0.15, 52) * 52 == pytest.approx(np.log1p(0.15))


@pytest.mark.parametrize("k", [1, 4, 12, 365.25 / 7, 365.25])
def test_period_rate_compounds_to_the_annual_rate(k):
    d = period_rate(0.1, k)
    assert (1 + d) ** k == pytest.approx(1.1, rel=1e-12)
    assert period_rate(0.0, k, allow_zero=True) == 0.0


def test_inputchecks_rates():
    with pytest.raises(
        DataError, match=r"discount_rate is an annual effective rate.*got 15 \(for 15% a year pass 0.15\)"
    ):
        continuous_rate(15, 52)
    with pytest.raises(DataError, match=r"share in \(0, 1\).*got 0"):
        continuous_rate(0.0, 52)
    with pytest.raises(DataError, match="periods_per_year must be > 0, got 0"):
        period_rate(0.1, 0)
    with pytest.raises(DataError, match="discount_rate must be an annual rate such as 0.1"):
        period_rate(True, 12)
