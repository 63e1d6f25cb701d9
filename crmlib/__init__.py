"""crmlib: customer-relationship research in notebooks.

Modules (one concept each; dependencies flow one way,
datasets -> transactions -> models -> analyses -> notebooks):

- :mod:`crmlib.datasets` - loaders for the bundled real data sets in ``data/``.
- :mod:`crmlib.transactions` - transaction logs to per-customer summaries (DuckDB, Spark via Ibis), RFM.
- :mod:`crmlib.clv` - buy-till-you-die models, Gamma-Gamma spend, CLV; :mod:`crmlib.clv.formulas`.
- :mod:`crmlib.survival` - retention and churn on lifelines, life-cycle stages.
- :mod:`crmlib.survey` - questionnaires to a satisfaction index (reliability, PLS, CB-SEM).
- :mod:`crmlib.value` - customer delivered value.
- :mod:`crmlib.profit`, :mod:`crmlib.segment` - profitability, whale curves, tiers, programme evaluation.
- :mod:`crmlib.equity` - customer equity on the one set of value terms (:class:`crmlib.spec.ValueTerms`) the reports share.
- :mod:`crmlib.audit` - consistency checks of published tables.
- :mod:`crmlib.report` - the papermill/nbconvert report runner and its CLI.
- :mod:`crmlib.style`, :mod:`crmlib.exceptions` - figure style and captions; errors and warnings.

Submodules are imported on demand (``from crmlib import clv``), so ``import crmlib`` stays cheap.
"""

__version__ = "0.1.0"
