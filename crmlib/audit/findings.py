"""Findings of the consistency checks: what a check returns, and tables of them.

See :mod:`crmlib.audit` for the severities and the rounding convention.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..exceptions import DataError

SEVERITIES = ("ok", "info", "warning", "error")
"""Severities in increasing order of gravity."""


@dataclass(frozen=True)
class Finding:
    """One result of a consistency check.

    Attributes
    ----------
    check : name of the check (``"percentage"``, ``"parts_total"``, ``"grim"``, ...).
    item : what was checked, in the table's own terms (e.g. ``"table4: cost items"``).
    severity : ``"ok"``, ``"info"``, ``"warning"`` or ``"error"`` (see the module docstring).
    message : a plain-English explanation a reader of the table can follow.
    expected : the value implied by the other printed numbers (number, text or None).
    reported : the value as printed (number, text or None).
    details : further computed values (e.g. the feasible sample sizes), by name.
    """

    check: str
    item: str
    severity: str
    message: str
    expected: Any = None
    reported: Any = None
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise DataError(f"Finding severity {self.severity!r} is not one of {SEVERITIES}")

    @property
    def consistent(self) -> bool:
        """True unless the severity is ``warning`` or ``error``."""
        return self.severity in ("ok", "info")


def _as_list(findings) -> list[Finding]:
    if isinstance(findings, Finding):
        return [findings]
    if isinstance(findings, (str, bytes)) or not hasattr(findings, "__iter__"):
        raise DataError(f"findings must be Finding objects or lists of them, got {findings!r}")
    out: list[Finding] = []
    for f in findings:
        out.extend(_as_list(f))
    return out


def findings_frame(findings, *, details: bool = False) -> pd.DataFrame:
    """A DataFrame of findings, one row each, in the order given.

    Columns ``check``, ``item``, ``severity`` (an ordered categorical, so that
    ``sort_values("severity")`` orders ok < info < warning < error),
    ``message``, ``expected``, ``reported`` and, with ``details=True``, the
    ``details`` dict. Nested lists of findings are flattened.
    """
    rows = _as_list(findings)
    cols = ["check", "item", "severity", "message", "expected", "reported"] + (["details"] if details else [])
    frame = pd.DataFrame([{c: getattr(f, c) for c in cols} for f in rows], columns=cols, dtype=object)
    frame["severity"] = pd.Categorical(frame["severity"], categories=list(SEVERITIES), ordered=True)
    return frame


def worst_severity(findings) -> str:
    """The gravest severity among ``findings`` (``"ok"`` for an empty list)."""
    rows = _as_list(findings)
    return max((f.severity for f in rows), key=SEVERITIES.index, default="ok")
