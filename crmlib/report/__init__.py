"""Reports: run parameterised notebooks with papermill, render them with nbconvert.

- :func:`record` - call from a notebook to store a key figure in the report's JSON.
- :func:`run_reports` - the runner behind ``crmlib report`` (see :mod:`crmlib.report.runner`).
"""

from .record import FIGURES_MIME, record

__all__ = ["record", "FIGURES_MIME", "run_reports", "load_config"]


def __getattr__(name):  # lazy: importing crmlib.report in a kernel must stay cheap
    if name in ("run_reports", "load_config"):
        from . import runner

        return getattr(runner, name)
    raise AttributeError(name)
