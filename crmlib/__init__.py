"""crmlib: customer-relationship research in notebooks.

Modules (one concept each; dependencies flow one way):

- :mod:`crmlib.datasets` - loaders for the bundled real data sets in ``data/``.
- :mod:`crmlib.report` - the papermill/nbconvert report runner and its CLI.
"""

__version__ = "0.1.0"
