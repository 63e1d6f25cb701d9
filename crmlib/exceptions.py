"""Errors and warnings shared by every crmlib module.

Bad input raises :class:`DataError` (a ``ValueError``) whose message names the
column, row or parameter at fault. Numerical failure raises
:class:`ConvergenceError` or warns with :class:`ConvergenceWarning`; a result
is never silently returned from a failed optimisation.
"""

from __future__ import annotations


class CrmlibError(Exception):
    """Base class of crmlib's own exceptions."""


class DataError(CrmlibError, ValueError):
    """Input data or a parameter is malformed; the message names what is wrong."""


class ConvergenceError(CrmlibError, RuntimeError):
    """An optimiser or iterative algorithm failed; the message says what to try."""


class ConvergenceWarning(UserWarning):
    """An optimiser finished with a doubtful result (e.g. a large gradient)."""


class DataWarning(UserWarning):
    """Input data have a property the user should know about (e.g. duplicates kept)."""


__all__ = [
    "CrmlibError",
    "DataError",
    "ConvergenceError",
    "ConvergenceWarning",
    "DataWarning",
]
