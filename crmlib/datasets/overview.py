"""One table describing every bundled data set."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from .logs import load_cdnow, load_cdnow_summary, load_donations
from .surveys import load_corp_rep, load_mobi
from .thesis import load_thesis_tables


def describe(cdnow_subset: Literal["sample", "master"] = "master") -> pd.DataFrame:
    """One row per bundled data set: what it is, its size and its range.

    Columns: ``dataset``, ``kind`` (transactions / summary / survey / published
    tables), ``rows``, ``units`` (customers, donors, respondents or tables),
    ``n_units``, ``columns``, ``first`` and ``last`` (date range or scale
    range), ``total`` (sum of purchase amounts in USD, donors, or missing
    answers) with ``total_label`` saying which.
    """
    cd = load_cdnow(cdnow_subset)
    summ = load_cdnow_summary()
    don = load_donations()
    mobi = load_mobi()
    corp = load_corp_rep()
    thesis = load_thesis_tables()
    rows = [
        dict(
            dataset=f"CDNOW {cdnow_subset}",
            kind="transactions",
            rows=len(cd),
            units="customers",
            n_units=cd["customer_id"].nunique(),
            columns=cd.shape[1],
            first=str(cd["date"].min().date()),
            last=str(cd["date"].max().date()),
            total=float(cd["amount"].sum()),
            total_label="purchases (USD)",
        ),
        dict(
            dataset="CDNOW calibration summary",
            kind="summary",
            rows=len(summ),
            units="customers",
            n_units=len(summ),
            columns=summ.shape[1],
            first="1997-01-01",
            last="1997-09-30",
            total=float(summ["frequency"].sum()),
            total_label="repeat purchase days",
        ),
        dict(
            dataset="donations",
            kind="summary",
            rows=len(don),
            units="donors",
            n_units=int(don["weight"].sum()),
            columns=don.shape[1],
            first="1996",
            last="2001",
            total=float((don["frequency"] * don["weight"]).sum()),
            total_label="repeat donations",
        ),
    ]
    for s in (mobi, corp):
        cb = s.codebook
        rows.append(
            dict(
                dataset=s.name,
                kind="survey",
                rows=len(s.data),
                units="respondents",
                n_units=len(s.data),
                columns=s.data.shape[1],
                first=f"scale {cb['scale_min'].min()}",
                last=f"to {cb['scale_max'].max()}",
                total=float(s.data.isna().sum().sum()),
                total_label="missing answers",
            )
        )
    rows.append(
        dict(
            dataset="S company thesis",
            kind="published tables",
            rows=len(thesis),
            units="tables",
            n_units=thesis["table"].nunique(),
            columns=thesis.shape[1],
            first="",
            last="",
            total=float(len(thesis)),
            total_label="printed numbers",
        )
    )
    return pd.DataFrame(rows)
