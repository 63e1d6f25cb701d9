"""Survey analysis: codebook intake, response accounting, tables, reliability, PLS and CB-SEM, drivers.

Modules
-------
``readers``      one intake: CSV, Excel, SPSS (.sav/.zsav/.por) and Stata (.dta) files, codebooks read or
                 derived from SPSS/Stata metadata
``codebook``     intake with a codebook, validation (out-of-range codes, straight-lining, missing patterns)
``accounting``   sent / returned / invalid / valid, every rate on each base
``tables``       frequencies, multiple response, cross-tabulations, Likert charts, group comparisons, report display
``reliability``  Cronbach's alpha (raw and standardised), rho_c, rho_A, AVE, Fornell-Larcker, HTMT, EFA
``pathmodel``    path models as data: YAML model files (``data/models/``), checked once
``pls``          PLS path modelling with a batched bootstrap and 0-100 index scores
``pls_groups``   the model per group of respondents: permutation tests (pairwise, omnibus), PLS-MGA
``moderation``   interaction constructs (two-stage, product indicator, orthogonal) and simple slopes
``higher_order`` higher-order constructs (two-stage, repeated indicators)
``micom``        measurement invariance of composites (MICOM) across groups, by permutation
``assessment``   measurement then structural assessment: flags, respecification, HTMT intervals, VIF, f²
``diagram``      the path diagram of a fitted model
``mediation``    specific and total indirect effects, types of mediation, the hypotheses table
``predict``      PLSpredict: repeated k-fold Q²predict, RMSE and MAE against the linear benchmark
``cbsem``        covariance-based SEM with fit indices (through the optional ``semopy``, extra ``sem``)
``drivers``      OLS with robust errors, ordinal logit, NPS, the Dick & Basu loyalty matrix
``ipma``         importance-performance map
"""

from .accounting import response_accounting
from .codebook import Codebook, intake
from .diagram import plot_path_diagram
from .micom import MICOMResult, micom
from .pathmodel import PathModelSpec, path_model, read_model
from .pls import PLSResult, pls_path_model
from .pls_groups import PLSGroupResult, pls_by_group, pls_group_difference, pls_group_omnibus, pls_mga
from .readers import codebook_from_metadata, read_codebook, read_survey
from .reliability import construct_reliability, cronbach_alpha, htmt

__all__ = [
    "plot_path_diagram",
    "pls_path_model",
    "pls_group_difference",
    "pls_by_group",
    "pls_group_omnibus",
    "pls_mga",
    "micom",
    "MICOMResult",
    "PLSGroupResult",
    "PLSResult",
    "PathModelSpec",
    "path_model",
    "read_model",
    "read_codebook",
    "codebook_from_metadata",
    "Codebook",
    "read_survey",
    "intake",
    "response_accounting",
    "cronbach_alpha",
    "construct_reliability",
    "htmt",
]
