"""One audit of a set of printed tables: values under one reading, checks run section by section, findings kept.

A notebook that audits a publication reads its references, runs the sections
of its specification (:func:`~crmlib.audit.load_spec`) and collects every
finding for a summary table. :class:`TableAudit` does that bookkeeping, so that
the notebook holds only the calls, the prose and the tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .._checks import check_count, close_matches
from ..exceptions import DataError
from .findings import SEVERITIES, Finding, _as_list, findings_frame
from .rounding import _check_rounding, decimals_of
from .spec import AuditSpec, audit_tables, resolve

__all__ = ["TableAudit", "rerounded"]


def rerounded(tables: pd.DataFrame, refs: Mapping[str, Any], decimals: int) -> dict[str, dict]:
    """Overrides that print each referenced number with fewer decimals (a sensitivity analysis of rounding).

    Each value is rounded to ``decimals`` decimals and its printed text set to
    match (``{"value": 45.6, "text": "45.6"}``), so that every check reads the
    coarser precision from the text (:func:`~crmlib.audit.resolve`).

    Parameters
    ----------
    tables : long table of printed numbers; refs : label -> reference; decimals : 0..9.

    Returns
    -------
    dict reference -> ``{"value", "text"}``, to pass as ``overrides``.

    References
    ----------
    Brown & Heathers (2017): the GRIM test depends on the printed precision; re-rounding shows how much.
    """
    decimals = check_count(decimals, "decimals", maximum=9)
    out = {}
    for ref in refs.values():
        v = round(float(resolve(tables, ref)), decimals)
        out[ref] = {"value": v, "text": f"{v:.{decimals}f}"}
    return out


class TableAudit:
    """An audit of printed tables under one reading, keeping every finding.

    Parameters
    ----------
    tables : long table of printed numbers (:func:`crmlib.datasets.load_thesis_tables`).
    spec : the audit's sections (:func:`~crmlib.audit.load_spec`), or None to run entries given directly.
    overrides : reference -> value (a chosen reading of a garbled number; see :func:`~crmlib.audit.resolve`).
    rounding : rounding convention of the checks (see :mod:`crmlib.audit`).

    Attributes
    ----------
    findings : every finding kept so far, in the order made.

    References
    ----------
    The checks' references are listed in :mod:`crmlib.audit` (Brown & Heathers 2017; Anaya 2016; Allard 2018).
    """

    def __init__(
        self,
        tables: pd.DataFrame,
        spec: AuditSpec | None = None,
        *,
        overrides: Mapping[str, Any] | None = None,
        rounding: str = "nearest",
    ):
        _check_rounding(rounding)
        self.tables = tables
        self.spec = spec
        self.overrides = dict(overrides or {})
        self.rounding = rounding
        self.findings: list[Finding] = []

    def value(self, ref, *, text: bool = False):
        """The printed value at a reference under this audit's reading (the text with ``text=True``)."""
        return resolve(self.tables, ref, self.overrides, text=text)

    def decimals(self, ref) -> int:
        """Decimals of the printed number at a reference."""
        return decimals_of(self.value(ref, text=True))

    def values(self, refs: Mapping[str, Any]) -> pd.Series:
        """The values of ``{label: reference}`` as a Series indexed by label."""
        return pd.Series({k: self.value(r) for k, r in refs.items()})

    def total(self, refs: Sequence[Any], overrides: Mapping[str, Any] | None = None) -> float:
        """Sum of the referenced values under this reading, or under it with further ``overrides``."""
        merged = {**self.overrides, **(overrides or {})}
        return float(sum(float(resolve(self.tables, r, merged)) for r in refs))

    def section(self, name: str) -> list[dict]:
        """The entries of a section of the specification."""
        if self.spec is None:
            raise DataError("this TableAudit has no specification; give entries instead of a section name")
        if name not in self.spec.sections:
            hint = close_matches(name, self.spec.sections)
            raise DataError(f"no section {name!r} in the specification{hint}; it has {list(self.spec.sections)}")
        return self.spec.sections[name]

    def check(
        self, section: str | Sequence[Mapping[str, Any]], *, overrides: Mapping[str, Any] | None = None, **settings
    ) -> list[Finding]:
        """The findings of a section (or of entries given directly), without keeping them.

        ``overrides`` adds readings for this call only; ``settings`` (e.g. ``n_max=500``) replace that key
        in every entry of the section.
        """
        entries = self.section(section) if isinstance(section, str) else list(section)
        entries = [{**e, **settings} for e in entries]
        merged = {**self.overrides, **(overrides or {})}
        return audit_tables(self.tables, entries, overrides=merged, rounding=self.rounding)

    def run(self, section: str | Sequence[Mapping[str, Any]], **settings) -> pd.DataFrame:
        """Run a section, keep its findings, and return them as a table (``check``, ``item``, ``severity``, ``message``)."""
        found = self.check(section, **settings)
        self.findings.extend(found)
        return findings_frame(found)[["check", "item", "severity", "message"]]

    def add(self, findings: Finding | Sequence[Finding]) -> None:
        """Keep findings made outside the specification."""
        self.findings.extend(_as_list(findings))

    def frame(self) -> pd.DataFrame:
        """Every finding kept, one row each (:func:`~crmlib.audit.findings_frame`)."""
        return findings_frame(self.findings)

    def counts(self) -> pd.Series:
        """How many findings of each severity (ok, info, warning, error), a count per severity."""
        frame = self.frame()
        return frame["severity"].value_counts().reindex(list(SEVERITIES), fill_value=0).astype(int)
