"""Declarative audits: references into a long table of printed numbers, and checks run from a specification.

A specification is a list of entries (Python dicts, or a YAML file read by
:func:`load_spec`), each naming a check and the references it needs. Each
check is run through one row of :data:`CHECKS`, ``{check: (function,
adapter)}``: the adapter turns the entry's references into the function's
arguments, so a new check is one function and one adapter, not another branch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._checks import close_matches
from ..exceptions import DataError
from .arithmetic import check_difference, check_growth, check_parts_total, check_ratio
from .facts import check_agreement, check_chronology, not_checkable
from .findings import SEVERITIES, Finding, _as_list
from .granularity import check_grim, check_sd
from .percentages import check_multiple_response, check_percentage, check_percentages
from .rounding import _check_rounding, decimals_of

_TABLE_COLUMNS = ("table", "item", "condition", "value", "value_text", "unit")


def _parse_ref(ref: str) -> tuple[str, str, str | None, str | None]:
    unit = None
    if "@" in ref:
        ref, unit = ref.split("@", 1)
    parts = ref.split(".")
    if len(parts) == 2:
        return parts[0], parts[1], None, unit
    if len(parts) == 3:
        return parts[0], parts[1], parts[2], unit
    raise DataError(f"reference {ref!r} must read 'table.item', 'table.item.condition', optionally '@unit'")


def _literal(v, text: bool):
    """An override or literal: a value, or ``{"value": v}`` with an optional printed ``"text"``."""
    if isinstance(v, Mapping):
        if "value" not in v:
            raise DataError(f"a literal reference needs a 'value' key, got {dict(v)}")
        if text:
            return str(v.get("text", v["value"]))
        return v["value"]
    return str(v) if text else v


def resolve(tables: pd.DataFrame, ref, overrides: Mapping[str, Any] | None = None, *, text: bool = False):
    """The value a reference points to in a long-format table of printed numbers.

    ``tables`` has columns ``table``, ``item``, ``condition``, ``value``,
    ``value_text`` and ``unit`` (:func:`crmlib.datasets.load_thesis_tables`).
    ``ref`` is ``"table.item"``, ``"table.item.condition"``, either optionally
    followed by ``"@unit"`` (``"figure1.know_crm@percent"``); a number or a
    ``{"value": v}`` dict is a literal (``{"value": v, "text": "12.30"}`` also
    states how it is printed). ``overrides`` replaces the value of a reference
    (an alternative reading of a garbled figure; a number, or a
    ``{"value", "text"}`` dict). With ``text=True`` the printed text is
    returned (for dates and decimals).

    Returns
    -------
    int, float or str: whole numbers printed without decimals come back as
    int, dates and non-numbers as their printed text.

    References
    ----------
    The long format of printed numbers is that of ``data/README.md``
    (``s_company_thesis_tables.csv``).
    """
    if overrides and isinstance(ref, str) and ref in overrides:
        return _literal(overrides[ref], text)
    if isinstance(ref, Mapping) or not isinstance(ref, str):
        return _literal(ref, text)
    table, item, condition, unit = _parse_ref(ref)
    for col in _TABLE_COLUMNS:
        if col not in tables.columns:
            raise DataError(f"resolve: the tables lack column '{col}'")
    m = (tables["table"] == table) & (tables["item"] == item)
    if condition is not None:
        m &= tables["condition"] == condition
    if unit is not None:
        m &= tables["unit"] == unit
    hits = tables[m]
    if len(hits) != 1:
        raise DataError(
            f"reference {ref!r} matches {len(hits)} rows of the tables; it must match exactly one"
            + ("" if len(hits) == 0 else " (add '.condition' or '@unit')")
        )
    row = hits.iloc[0]
    if text:
        return str(row["value_text"])
    if row["unit"] == "date" or pd.isna(row["value"]):
        return str(row["value_text"])
    v = float(row["value"])
    return int(v) if v == int(v) and "." not in str(row["value_text"]) else v


def _label(ref) -> str:
    if isinstance(ref, Mapping):
        return str(ref.get("label", ref.get("value")))
    return str(ref)


class _Entry:
    """One spec entry with the tables it reads: values, printed decimals and reference groups."""

    def __init__(self, tables, entry, overrides, rounding):
        self.tables, self.entry, self.overrides, self.rounding = tables, entry, overrides, rounding
        self.item = entry["item"]

    def val(self, key: str):
        return resolve(self.tables, self.entry[key], self.overrides)

    def opt(self, key: str):
        return self.val(key) if key in self.entry else None

    def dec_of(self, ref) -> int:
        return decimals_of(resolve(self.tables, ref, self.overrides, text=True))

    def dec(self, key: str) -> int:
        """Decimals of the number at ``key``: the entry's ``decimals`` if given, else read from the printed text."""
        if "decimals" in self.entry:
            return int(self.entry["decimals"])
        return self.dec_of(self.entry[key])

    def refs(self, key: str) -> dict[str, Any]:
        refs = self.entry[key]
        return dict(refs) if isinstance(refs, Mapping) else {_label(r): r for r in refs}

    def values(self, key: str) -> dict[str, Any]:
        return {k: resolve(self.tables, r, self.overrides) for k, r in self.refs(key).items()}

    def decs(self, key: str):
        return self.entry.get("decimals", [self.dec_of(r) for r in self.refs(key).values()])


# Each adapter returns the (args, kwargs) of its check for one entry.
def _percentage(e: _Entry):
    bases = e.entry.get("candidate_bases")
    kw = {
        "base": e.opt("base"),
        "candidate_bases": {k: resolve(e.tables, r, e.overrides) for k, r in bases.items()} if bases else None,
        "item": e.item,
        "rounding": e.rounding,
    }
    return (e.val("count"), e.val("reported"), e.dec("reported")), kw


def _percentages(e: _Entry):
    kw = {
        "base": e.opt("base"),
        "item": e.item,
        "n_max": e.entry.get("n_max"),
        "per_row": e.entry.get("per_row", True),
        "rounding": e.rounding,
    }
    return (e.values("counts"), e.values("percentages"), e.decs("percentages")), kw


def _multiple_response(e: _Entry):
    stated = {k: resolve(e.tables, r, e.overrides) for k, r in e.entry.get("stated_n", {}).items()} or None
    kw = {"n_max": int(e.entry.get("n_max", 1000)), "stated_n": stated, "item": e.item, "rounding": e.rounding}
    return (e.values("percentages"), e.decs("percentages")), kw


def _parts_total(e: _Entry):
    kw = {
        "item": e.item,
        "unit": e.entry.get("unit", ""),
        "tolerance": e.entry.get("tolerance", 0.0),
        "decimals": e.entry.get("decimals"),
    }
    return (e.values("parts"), e.val("total")), kw


def _difference(e: _Entry):
    kw = {"item": e.item, "unit": e.entry.get("unit", ""), "decimals": e.entry.get("decimals")}
    return (e.val("minuend"), e.val("subtrahend"), e.val("reported")), kw


def _ratio(e: _Entry):
    return (e.val("numerator"), e.val("denominator"), e.val("reported"), e.dec("reported")), {
        "item": e.item,
        "rounding": e.rounding,
    }


def _growth(e: _Entry):
    kind = e.entry.get("kind", "percent")
    decimals = e.entry.get("decimals") if kind == "absolute" else e.dec("reported")
    kw = {"kind": kind, "decimals": decimals, "item": e.item, "unit": e.entry.get("unit", "")}
    return (e.val("start"), e.val("end"), e.val("reported")), kw


def _grim(e: _Entry):
    kw = {"items": int(e.entry.get("items", 1)), "item": e.item, "rounding": e.rounding}
    return (e.val("mean"), int(e.val("n")), e.dec("mean")), kw


def _sd(e: _Entry):
    args = (e.val("mean"), e.val("sd"), int(e.val("n")), e.dec_of(e.entry["mean"]), e.dec_of(e.entry["sd"]))
    kw = {
        "items": int(e.entry.get("items", 1)),
        "scale_min": e.entry.get("scale_min"),
        "scale_max": e.entry.get("scale_max"),
        "item": e.item,
        "rounding": e.rounding,
    }
    return args, kw


def _agreement(e: _Entry):
    return (e.values("values"),), {"item": e.item, "what": e.entry.get("what", "value")}


def _chronology(e: _Entry):
    return (e.values("events"),), {"item": e.item}


def _not_checkable(e: _Entry):
    return (e.item, e.entry["reason"]), {}


def judgement(item: str, severity: str, reason: str) -> Finding:
    """A finding the analyst states rather than computes (e.g. who answered a survey is not said), with its reason.

    Parameters
    ----------
    item : what the judgement is about; severity : one of :data:`SEVERITIES`; reason : the argument, in words.

    Returns
    -------
    :class:`Finding` with check ``"judgement"``.

    References
    ----------
    Brown & Heathers (2017) separate what printed numbers prove from what a reader infers; a judgement is
    kept apart from the computed checks so that a reader can tell them apart.
    """
    if severity not in SEVERITIES:
        raise DataError(f"judgement {item!r}: severity must be one of {SEVERITIES}, got {severity!r}")
    return Finding("judgement", item, severity, reason)


def _judgement(e: _Entry):
    return (e.item, e.entry["severity"], e.entry["reason"]), {}


CHECKS: dict[str, tuple[Callable[..., Finding | list[Finding]], Callable[[_Entry], tuple[tuple, dict]]]] = {
    "percentage": (check_percentage, _percentage),
    "percentages": (check_percentages, _percentages),
    "multiple_response": (check_multiple_response, _multiple_response),
    "parts_total": (check_parts_total, _parts_total),
    "difference": (check_difference, _difference),
    "ratio": (check_ratio, _ratio),
    "growth": (check_growth, _growth),
    "grim": (check_grim, _grim),
    "sd": (check_sd, _sd),
    "agreement": (check_agreement, _agreement),
    "chronology": (check_chronology, _chronology),
    "not_checkable": (not_checkable, _not_checkable),
    "judgement": (judgement, _judgement),
}
"""The checks a specification can name: ``{check: (function, adapter)}``; the adapter reads an entry's references."""


def audit_tables(
    tables: pd.DataFrame,
    spec: Sequence[Mapping[str, Any]],
    *,
    overrides: Mapping[str, Any] | None = None,
    rounding: str = "nearest",
) -> list[Finding]:
    """Run the checks listed in a declarative ``spec`` on a long table of printed numbers.

    Each entry of ``spec`` is a dict with ``"check"`` and ``"item"`` (a label
    for the findings) and the references the check needs (see :func:`resolve`
    for their form; a list of references or a ``{label: reference}`` dict where
    several are needed). Decimals are read from the printed text unless
    ``"decimals"`` is given.

    =====================  ==============================================================
    check                  keys
    =====================  ==============================================================
    ``percentage``         ``count``, ``reported``, and ``base`` or ``candidate_bases``
    ``percentages``        ``counts``, ``percentages`` (same labels), optional ``base``, ``per_row``
    ``multiple_response``  ``percentages``, optional ``stated_n`` ({label: ref}), ``n_max``
    ``parts_total``        ``parts``, ``total``, optional ``unit``, ``tolerance``
    ``difference``         ``minuend``, ``subtrahend``, ``reported``
    ``ratio``              ``numerator``, ``denominator``, ``reported``
    ``growth``             ``start``, ``end``, ``reported``, ``kind``
    ``grim``               ``mean``, ``n``, optional ``items``
    ``sd``                 ``mean``, ``sd``, ``n``, optional ``items``, ``scale_min``, ``scale_max``
    ``agreement``          ``values`` ({where: ref}), optional ``what``
    ``chronology``         ``events`` ({label: ref}, in the order they must occur)
    ``not_checkable``      ``reason``
    ``judgement``          ``severity``, ``reason`` (a finding the analyst states, see :func:`judgement`)
    =====================  ==============================================================

    Two optional keys apply to every entry: ``"on_fail"`` replaces the
    severity ``error`` of its findings (e.g. ``"warning"`` where the analyst
    judges that another reading of the row could reconcile the numbers), and
    ``"note"`` is appended to each of its messages (say why).

    Returns
    -------
    list of :class:`Finding`, in spec order.

    ``overrides`` maps a reference to an alternative value (e.g. another
    reading of a garbled number); ``rounding`` is passed to the checks that
    round (see the rounding convention in :mod:`crmlib.audit`).

    References
    ----------
    The checks' own references (Brown & Heathers 2017; Anaya 2016; Allard
    2018; Heathers et al. 2018) are listed in :mod:`crmlib.audit`.
    """
    _check_rounding(rounding)
    out: list[Finding] = []
    for i, entry in enumerate(spec):
        found = _audit_entry(tables, entry, i, overrides, rounding)
        on_fail, note = entry.get("on_fail"), entry.get("note")
        if on_fail is not None and on_fail not in SEVERITIES:
            raise DataError(
                f"spec entry {i} ({entry.get('item')!r}): 'on_fail' must be one of {SEVERITIES}, got {on_fail!r}"
            )
        for f in found:
            sev = on_fail if (on_fail and f.severity == "error") else f.severity
            msg = f"{f.message} {note}" if note else f.message
            out.append(Finding(f.check, f.item, sev, msg, f.expected, f.reported, f.details))
    return out


def _audit_entry(tables, entry, i, overrides, rounding) -> list[Finding]:
    """The findings of one spec entry of :func:`audit_tables`, through the dispatch table :data:`CHECKS`."""
    if not isinstance(entry, Mapping) or "check" not in entry or "item" not in entry:
        got = sorted(entry) if isinstance(entry, Mapping) else repr(entry)
        raise DataError(f"spec entry {i} needs keys 'check' and 'item', got {got}")
    kind, item = entry["check"], entry["item"]
    if kind not in CHECKS:
        raise DataError(f"spec entry {i} ({item!r}): unknown check {kind!r}; the checks are {sorted(CHECKS)}")
    check, adapter = CHECKS[kind]
    try:
        args, kwargs = adapter(_Entry(tables, entry, overrides, rounding))
    except KeyError as exc:
        raise DataError(f"spec entry {i} ({item!r}, check {kind!r}) lacks key {exc}") from None
    return _as_list(check(*args, **kwargs))


@dataclass(frozen=True)
class AuditSpec:
    """A declarative audit read from a file (:func:`load_spec`).

    Attributes
    ----------
    sections : section name -> list of spec entries (the input of :func:`audit_tables`), in file order.
    readings : reference -> {reading label: value}, the alternative readings of garbled printed numbers.
    issues : issue name -> the items (``item`` of the entries) whose warnings and errors are one problem of the
        publication, so that a problem found by several checks is counted once.
    """

    sections: dict[str, list[dict]]
    readings: dict[str, dict[str, Any]]
    issues: dict[str, list[str]] = field(default_factory=dict)

    @property
    def n_checks(self) -> int:
        """Number of spec entries over all sections."""
        return sum(len(v) for v in self.sections.values())


def load_spec(path: str | os.PathLike) -> AuditSpec:
    """Read a declarative audit from a YAML file: ``sections`` of spec entries and optional ``readings``.

    The file holds ``sections: {name: [entry, ...]}`` (each entry as in
    :func:`audit_tables`: ``check``, ``item`` and its references) and
    ``readings: {reference: {label: value}}`` (alternative readings of a
    garbled number, used as ``overrides``) and ``issues: {name: [item, ...]}``
    (the checks whose failures are one problem of the publication). Every entry is
    checked before any audit runs: a mapping with a known ``check`` and an ``item``;
    every item an issue names must be an entry's.

    Parameters
    ----------
    path : the YAML file (e.g. ``data/thesis_audit.yml``).

    Returns
    -------
    :class:`AuditSpec`

    References
    ----------
    YAML 1.2 (``yaml.safe_load``); the checks are those of :data:`CHECKS`.
    """
    import yaml

    p = Path(path)
    if not p.is_file():
        raise DataError(f"audit specification {str(p)!r} not found")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"{p.name}: not valid YAML: {exc}") from None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("sections"), Mapping):
        raise DataError(f"{p.name}: expected a mapping with 'sections' (and optionally 'readings')")
    unknown = sorted(set(map(str, raw)) - {"sections", "readings", "issues"})
    if unknown:
        raise DataError(f"{p.name}: unknown top-level key(s) {unknown}; expected 'sections', 'readings' and 'issues'")
    sections: dict[str, list[dict]] = {}
    for name, entries in raw["sections"].items():
        if not isinstance(entries, list) or not entries:
            raise DataError(f"{p.name}: section {name!r} must be a non-empty list of checks")
        for i, entry in enumerate(entries):
            if not isinstance(entry, Mapping) or "check" not in entry or "item" not in entry:
                raise DataError(f"{p.name}: section {name!r}, entry {i} needs keys 'check' and 'item'")
            if entry["check"] not in CHECKS:
                hint = close_matches(str(entry["check"]), CHECKS)
                raise DataError(f"{p.name}: section {name!r}, entry {i}: unknown check {entry['check']!r}{hint}")
        sections[str(name)] = [dict(e) for e in entries]
    readings = raw.get("readings") or {}
    if not isinstance(readings, Mapping) or not all(isinstance(v, Mapping) and v for v in readings.values()):
        raise DataError(f"{p.name}: 'readings' must map a reference to {{label: value}}")
    issues = raw.get("issues") or {}
    known = {e["item"] for entries in sections.values() for e in entries}
    if not isinstance(issues, Mapping) or not all(isinstance(v, list) and v for v in issues.values()):
        raise DataError(f"{p.name}: 'issues' must map an issue name to a list of items")
    for name, items in issues.items():
        stray = [i for i in items if i not in known]
        if stray:
            raise DataError(f"{p.name}: issue {name!r} names items that no entry has: {stray}")
    readings_ = {str(k): dict(v) for k, v in readings.items()}
    return AuditSpec(sections, readings_, {str(k): [str(i) for i in v] for k, v in issues.items()})
