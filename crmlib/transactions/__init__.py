"""Transaction logs to per-customer summaries, on DuckDB or any Ibis engine (e.g. Spark).

Every customer-base model (BG/NBD, Pareto/NBD, Gamma-Gamma, survival of
customers, RFM) starts from one row per customer: how often the customer
bought (``frequency``), how recently (``recency``), for how long the customer
has been observed (``T``) and how much was spent (``monetary``). This package
reads a transaction log (one row per purchase) from wherever it is and
computes that table.

The summary is ONE definition, written as an `Ibis <https://ibis-project.org>`_
expression (:func:`summary_expression`). It runs unchanged on the embedded
default engine, DuckDB (in-process, no server), and on any other Ibis backend,
in particular Apache Spark (PySpark), so a log that outgrows one machine is
summarised on a cluster by the same code; see ``docs/engines.md``. On DuckDB
the default is the *sort plan* (``plan="sort"``, :mod:`._plan_sort`): the
engine orders the rows by customer and period, through one Ibis expression,
and the ordered stream is reduced with vectorised numpy, which is 2.4-2.9
times faster there than the two hash aggregations, with less memory
(``benchmarks/README.md``). Amounts are summed as exact decimals, so every
engine and both plans return the same table bit for bit (for amounts that a
float64 holds to 1e-6; see ``docs/engines.md``).

Functions
---------
``read_log``            ONE intake for logs: DataFrame, CSV/TSV (any encoding), Parquet, Excel, SQL, Spark, Ibis
``purchase_days``       log -> checked customer x purchase-day table (the entry of every module that reads a log)
``summarize``           log -> per-customer summary (+ holdout columns, cohort), with a ``SummarySpec``
``summary_expression``  the portable Ibis expression behind ``summarize``
``compress``            distinct summary rows with a ``weight`` column
``expand``              the inverse of ``compress``
``rfm_scores``          recency / frequency / monetary quintile scores
``rfm_segments``        named RFM segments (champions, loyal, at risk, ...)

The rooms: ``_intake`` (reading and dating a log), ``_engines`` (backends,
fetching), ``_checks`` (input checks, policies, duplicates), ``_time`` (period
starts, spans and the holdout split, in their Ibis, pandas and numpy
spellings), ``_job`` (the settings of one summary), ``_plan_aggregate`` and
``_plan_sort`` (the two plans), ``_summary`` (the public entries), ``compress``
and ``rfm``.

Definitions (Fader, Hardie & Lee 2005, "Counting your customers the easy way",
Marketing Science 24(2), section 2 and its CDNOW data; the same as lifetimes'
``summary_data_from_transaction_data``): purchases are grouped into periods
(default: the day; several purchases in one period count once and their amounts
are summed). With ``t_1`` the first and ``t_x`` the last purchase period and
``t_end`` the period of the observation end,

* ``frequency`` x = number of distinct purchase periods - 1 (repeat purchases),
* ``recency`` t_x - t_1, ``T`` = t_end - t_1 (in ``time_unit``),
* ``monetary`` = mean spend of the x repeat periods (the first period is left
  out; 0 when x = 0) - the z-bar of Fader, Hardie & Lee (2005b, "RFM and CLV",
  J. Marketing Research 42(4)) and of the Gamma-Gamma model.
"""

from ._intake import TransactionLog, read_log
from ._plan_aggregate import summary_expression
from ._summary import purchase_days, summarize
from .compress import compress, expand
from .rfm import RFM_SEGMENT_RULES, rfm_scores, rfm_segments

__all__ = [
    "RFM_SEGMENT_RULES",
    "TransactionLog",
    "compress",
    "expand",
    "purchase_days",
    "read_log",
    "rfm_scores",
    "rfm_segments",
    "summarize",
    "summary_expression",
]
