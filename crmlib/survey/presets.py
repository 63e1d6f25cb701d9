"""Ready-made analysis settings for the two bundled surveys (used by ``notebooks/survey.ipynb``).

``SURVEYS[name]`` holds the data and codebook file names, the items a report
shows, and the loyalty-matrix and group-comparison choices. The models are
data: ``data/models/*.yml``, read by :func:`crmlib.survey.pathmodel.read_model`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..exceptions import DataError

__all__ = ["SurveySetup", "SURVEYS", "get_setup", "for_display"]


@dataclass(frozen=True)
class SurveySetup:
    """What a report on one survey shows.

    data_file, codebook_file : file names in ``crmlib.datasets.data_dir()``.
    likert_items : items of the diverging bar chart.
    frequency_item : item of the frequency table.
    satisfaction, loyalty : constructs (targets of the driver analysis).
    ordinal_item : single Likert item for the ordinal logit, with ``ordinal_predictors`` (constructs).
    attitude_item, patronage_item : Dick & Basu's relative attitude and repeat patronage.
    group : grouping column (None: a top-box split of ``frequency_item``, answers 8-10).
    compare_item : item compared across the groups.
    group_labels : labels of the group codes.
    """

    data_file: str
    codebook_file: str
    likert_items: tuple[str, ...]
    frequency_item: str
    satisfaction: str
    loyalty: str
    ordinal_item: str
    ordinal_predictors: tuple[str, ...]
    attitude_item: str
    patronage_item: str
    group: str | None = None
    compare_item: str = ""
    group_labels: dict = field(default_factory=dict)
    default_model: str = "ecsi"


SURVEYS: dict[str, SurveySetup] = {
    "mobi": SurveySetup(
        data_file="mobi.csv",
        codebook_file="mobi_codebook.csv",
        likert_items=("CUSA1", "CUSA2", "CUSA3", "CUSL1", "CUSL2", "CUSL3"),
        frequency_item="CUSA1",
        satisfaction="CUSA",
        loyalty="CUSL",
        ordinal_item="CUSA1",
        ordinal_predictors=("IMAG", "PERQ", "PERV"),
        attitude_item="CUSA3",
        patronage_item="CUSL1",
        group=None,
        compare_item="CUSL1",
        default_model="ecsi",
    ),
    "corp_rep": SurveySetup(
        data_file="corp_rep_data.csv",
        codebook_file="corp_rep_codebook.csv",
        likert_items=("comp_1", "comp_2", "comp_3", "like_1", "like_2", "like_3", "cusa", "cusl_1", "cusl_2", "cusl_3"),
        frequency_item="cusa",
        satisfaction="CUSA",
        loyalty="CUSL",
        ordinal_item="cusa",
        ordinal_predictors=("COMP", "LIKE"),
        attitude_item="like_1",
        patronage_item="cusl_3",
        group="serviceprovider",
        compare_item="cusa",
        group_labels={1: "provider 1", 2: "provider 2", 3: "provider 3", 4: "provider 4"},
        default_model="reputation",
    ),
}


def get_setup(name: str) -> SurveySetup:
    if name not in SURVEYS:
        raise DataError(f"dataset must be one of {sorted(SURVEYS)}, got {name!r}")
    return SURVEYS[name]


def for_display(frame: pd.DataFrame, digits: int = 3, blank: str = "") -> pd.DataFrame:
    """A copy of ``frame`` with every numeric column as text, for a report table.

    Columns whose values are all whole numbers (counts, degrees of freedom)
    print without decimals, other numeric columns with ``digits`` decimals
    (thousands separated); missing values (not applicable: the upper triangle
    of a Fornell-Larcker table, the percent base that does not apply) print as
    ``blank`` instead of ``nan``. Boolean column or index labels become
    "no"/"yes". The numbers themselves are not changed, only their text.
    """
    out = frame.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_bool_dtype(col):
            out[c] = col.map({True: "yes", False: "no"})
            continue
        if not pd.api.types.is_numeric_dtype(col):
            num = pd.to_numeric(col, errors="coerce")
            if num.isna().sum() > col.isna().sum():  # genuinely text: keep, blank out missing values only
                out[c] = col.astype(object).where(col.notna(), blank)
                continue
            col = num
        v = col.to_numpy(dtype=float)
        finite = v[np.isfinite(v)]
        whole = (
            finite.size > 0
            and np.all(finite == np.round(finite))
            and np.all(np.abs(finite) < 1e15)
            and (pd.api.types.is_integer_dtype(col) or np.any(finite != 0))
        )  # an all-zero p stays 0.000
        fmt = "{:,.0f}" if whole else f"{{:,.{digits}f}}"
        out[c] = [blank if not np.isfinite(x) else fmt.format(x) for x in v]
    relabel = {True: "yes", False: "no"}
    if any(isinstance(x, (bool, np.bool_)) for x in out.columns):
        out.columns = [relabel.get(x, x) if isinstance(x, (bool, np.bool_)) else x for x in out.columns]
    if any(isinstance(x, (bool, np.bool_)) for x in out.index):
        out.index = [relabel.get(x, x) if isinstance(x, (bool, np.bool_)) else x for x in out.index]
    return out
