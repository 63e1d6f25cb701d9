"""Loaders for the real data sets bundled in ``data/``.

Every loader returns typed pandas objects with documented columns and raises a
clear error for a missing or malformed file. Provenance and licences are in
``data/README.md``. The data directory is the repository's ``data/`` folder;
set the environment variable ``CRMLIB_DATA`` to read from elsewhere.

Data sets
---------
========================  ===================================================
``load_cdnow``            CDNOW purchase logs (Fader & Hardie), one row per
                          transaction; ``"sample"`` (2,357 customers) or
                          ``"master"`` (23,570 customers)
``load_cdnow_summary``    the classic 2,357-customer calibration summary
                          (weeks, 1997-01-01 .. 1997-09-30) used in the
                          buy-till-you-die literature
``load_donations``        a discrete-time summary: 11,104 donors over 6 yearly
                          opportunities (Fader, Hardie & Shang 2010)
``load_mobi``             ECSI mobile-phone satisfaction survey, 250 x 24
``load_corp_rep``         corporate-reputation survey (Hair et al.), 344 x 41
``load_thesis_tables``    the published tables of the "Jiangsu S company"
                          thesis, as printed
``load_thesis_tiers``     Table 3 of that thesis (tiers and service types)
``load_thesis_profit_rates``  its Table 2 (profit rate with / without CRM) as a
                          condition x arm table
========================  ===================================================

The loaders live in ``logs`` (CDNOW, donations), ``surveys`` (mobi, corp_rep,
codebooks), ``thesis`` (the case study's published tables) and ``overview``
(``describe``); every public name is importable from ``crmlib.datasets``.
"""

from ._common import CDNOW_CALIBRATION_END, CDNOW_OBSERVATION_END, CDNOW_START, data_dir
from .logs import BUNDLED_LOGS, load_cdnow, load_cdnow_summary, load_donations
from .overview import describe
from .surveys import (
    CODEBOOK_COLUMNS,
    SURVEY_FILES,
    Survey,
    check_codebook,
    load_codebook,
    load_corp_rep,
    load_mobi,
    missing_code_list,
    parse_answers,
    parse_flag,
    survey_files,
)
from .thesis import (
    load_thesis_customer_values,
    load_thesis_profit_rates,
    load_thesis_tables,
    load_thesis_tier_rule,
    load_thesis_tiers,
)

__all__ = [
    "BUNDLED_LOGS",
    "CDNOW_CALIBRATION_END",
    "CDNOW_OBSERVATION_END",
    "CDNOW_START",
    "CODEBOOK_COLUMNS",
    "SURVEY_FILES",
    "Survey",
    "check_codebook",
    "data_dir",
    "describe",
    "load_cdnow",
    "load_cdnow_summary",
    "load_codebook",
    "load_corp_rep",
    "load_donations",
    "load_mobi",
    "load_thesis_customer_values",
    "load_thesis_profit_rates",
    "load_thesis_tables",
    "load_thesis_tier_rule",
    "load_thesis_tiers",
    "missing_code_list",
    "parse_answers",
    "parse_flag",
    "survey_files",
]
