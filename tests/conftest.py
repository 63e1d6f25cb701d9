"""Fixtures shared across test modules (append yours; keep them cheap or session-scoped).

CDNOW (Fader, Hardie & Lee 2005): the 2,357-customer sample's calibration
summary as published with the paper (weeks, calibration to 1997-09-30) and its
transaction log, and the BG/NBD, Pareto/NBD and Gamma-Gamma models fitted on
the summary once per session (their published estimates are asserted in
``test_clv_bgnbd.py``, ``test_clv_pareto_nbd.py`` and ``test_clv_gamma_gamma.py``).
Tests must not change these objects.
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from crmlib.clv import BetaGeoModel, GammaGammaModel, ParetoNBDModel
from crmlib.datasets import load_cdnow, load_cdnow_summary


@pytest.fixture(scope="session")
def cdnow_summary():
    """FHL 2005's CDNOW calibration summary: frequency, recency, T (weeks), monetary, by customer_id."""
    return load_cdnow_summary()


@pytest.fixture(scope="session")
def cdnow_log():
    """The CDNOW sample transaction log (customer_id, date, quantity, amount), 1997-01-01 to 1998-06-30."""
    return load_cdnow("sample")


@pytest.fixture(scope="session")
def cdnow_bgnbd(cdnow_summary):
    """BG/NBD fitted on the CDNOW summary (r = 0.243, alpha = 4.414, a = 0.793, b = 2.426)."""
    return BetaGeoModel().fit(cdnow_summary)


@pytest.fixture(scope="session")
def cdnow_pareto_nbd(cdnow_summary):
    """Pareto/NBD fitted on the CDNOW summary (r = 0.553, alpha = 10.58, s = 0.606, beta = 11.67)."""
    return ParetoNBDModel().fit(cdnow_summary)


@pytest.fixture(scope="session")
def cdnow_gamma_gamma(cdnow_summary):
    """Gamma-Gamma fitted on the CDNOW repeat buyers (p = 6.25, q = 3.74, gamma = 15.44)."""
    return GammaGammaModel().fit(cdnow_summary)


@pytest.fixture(scope="session")
def cdnow_fitted(cdnow_bgnbd, cdnow_pareto_nbd, cdnow_gamma_gamma):
    """(BG/NBD, Pareto/NBD, Gamma-Gamma) fitted on the CDNOW summary."""
    return cdnow_bgnbd, cdnow_pareto_nbd, cdnow_gamma_gamma


@pytest.fixture(scope="session")
def cdnow_holdout_summary(cdnow_log):
    """The CDNOW sample summarised by crmlib: calibration to 1997-09-30, holdout to 1998-06-30, cohorts (weeks)."""
    import warnings

    from crmlib.exceptions import DataWarning
    from crmlib.transactions import summarize

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return summarize(cdnow_log, calibration_end="1997-09-30", observation_end="1998-06-30", include_cohort=True)


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """One local Spark session (``local[2]``) for every Spark test module: one JVM start per test run.

    4 shuffle partitions, UI off, UTC session time zone, scratch files under a temporary folder, the executors
    running this interpreter (crmlib, pandas) and Arrow batches of 500 rows (so that a scored table spans several
    batches). A test that changes a runtime setting restores it.
    """
    if shutil.which("java") is None:
        pytest.fail("Spark tests need Java 17 on the PATH")
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    scratch = tmp_path_factory.mktemp("spark")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("crmlib-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.local.dir", str(scratch / "local"))
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
