"""Consistency checks of published tables: do the printed numbers fit together?

A thesis or report prints counts, percentages, totals, differences, ratios and
means, usually without the data behind them. Many errors can still be found
from the printed numbers alone, because they constrain each other: a
percentage must be a whole count divided by a whole base, a total must be the
sum of its parts, a mean of integer answers must be a fraction with the sample
size as denominator (GRIM, Brown & Heathers 2017), and a standard deviation of
integer answers must come from a whole sum of squares (GRIMMER, Anaya 2016).

Every check returns :class:`Finding` objects (one or a list) with a severity:

``ok``
    the printed numbers are consistent.
``info``
    nothing is wrong, but the check rests on an assumption or cannot be made
    (e.g. the base of a percentage is not stated, or a table has no counts).
``warning``
    the numbers disagree under the obvious reading, but a plausible other
    reading (an unstated base, a differently defined row) could reconcile them.
``error``
    the numbers cannot all be right as printed.

:func:`findings_frame` turns a list of findings into a DataFrame;
:func:`audit_tables` runs the checks named in a declarative specification on a
long-format transcription of printed numbers (one row per number, as returned
by :func:`crmlib.datasets.load_thesis_tables`).

Modules
-------
``findings``     :class:`Finding`, severities, tables of findings
``rounding``     printed decimals and exact "prints as" tests
``percentages``  percentages and their bases, feasible sample sizes, multiple response
``arithmetic``   sums, differences, ratios and growth
``granularity``  GRIM, GRIMMER and the bounds of a standard deviation
``facts``        agreement of repeated statements, chronology
``spec``         references into printed tables, audits run from a specification (:data:`CHECKS`), YAML specs
``study``        :class:`TableAudit`: one audit under one reading, section by section

Rounding convention
-------------------
A printed value ``r`` with ``d`` decimals is taken to be the rounding of an
exact value ``x`` if ``x`` lies in the *closed* interval ``[r - h, r + h]``
with ``h = 0.5 * 10**-d`` (``rounding="nearest"``). Closing the interval at
both ends accepts either half rule at the boundary, so round-half-up,
round-half-down and banker's rounding (half-to-even) all pass; a check never
flags a number only because the author broke a tie the other way (the
"up or down" default of the scrutiny R package's GRIM and GRIMMER tests
makes the same allowance). ``rounding="truncate"``
accepts ``x`` in ``[r, r + 10**-d)`` (digits cut off, for non-negative
values), and ``rounding="either"`` accepts both conventions. Counts, sums and
granular values are compared in exact integer arithmetic; ratios of arbitrary
reals use a relative tolerance of 1e-9 for floating-point representation only.

References
----------
Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test: A simple technique
    detects numerous anomalies in the reporting of results in psychology.
    *Social Psychological and Personality Science*, 8(4), 363-369.
    https://doi.org/10.1177/1948550616673876
Anaya, J. (2016). The GRIMMER test: A method for testing the validity of
    reported measures of variability. *PeerJ Preprints*, 4, e2400v1.
Allard, A. (2018). Analytic-GRIMMER: a new way of testing the possibility of
    standard deviations (blog article; the closed form used by :func:`grimmer_consistent`).
Heathers, J. A., Anaya, J., van der Zee, T., & Brown, N. J. L. (2018).
    Recovering data from summary statistics: Sample Parameter Reconstruction via
    Iterative TEchniques (SPRITE). *PeerJ Preprints*, 6, e26968v1 (bounds of the
    standard deviation of bounded integer data, as also implemented by the
    rsprite2 R package).
"""

from .arithmetic import check_difference, check_growth, check_parts_total, check_ratio, ratio_readings
from .chapter import ThesisChapter
from .facts import check_agreement, check_chronology, not_checkable
from .findings import SEVERITIES, Finding, findings_frame, worst_severity
from .granularity import check_grim, check_sd, grim_consistent, grimmer_consistent, sd_bounds
from .percentages import (
    check_multiple_response,
    check_percentage,
    check_percentages,
    feasible_counts,
    feasible_sample_sizes,
    implied_bases,
    implied_responses,
    reproduced_counts,
)
from .realdata import RealDataChapter
from .rounding import decimals_of, rounds_to
from .spec import CHECKS, AuditSpec, audit_tables, judgement, load_spec, resolve
from .study import TableAudit, rerounded

__all__ = [
    "Finding",
    "SEVERITIES",
    "findings_frame",
    "worst_severity",
    "decimals_of",
    "rounds_to",
    "feasible_sample_sizes",
    "feasible_counts",
    "implied_bases",
    "implied_responses",
    "check_percentage",
    "check_percentages",
    "check_multiple_response",
    "check_parts_total",
    "check_difference",
    "check_ratio",
    "check_growth",
    "grim_consistent",
    "check_grim",
    "sd_bounds",
    "grimmer_consistent",
    "check_sd",
    "check_agreement",
    "check_chronology",
    "not_checkable",
    "CHECKS",
    "AuditSpec",
    "TableAudit",
    "judgement",
    "load_spec",
    "ratio_readings",
    "rerounded",
    "reproduced_counts",
    "resolve",
    "audit_tables",
    "ThesisChapter",
    "RealDataChapter",
]
