"""Path models as data: a measurement and structural model written in a small YAML file, checked once.

A model file names its constructs with their items and measurement mode, and
the paths between them::

    name: reputation
    description: Competence and likeability -> satisfaction -> loyalty
    reference: Hair, Hult, Ringle & Sarstedt (2017), A Primer on PLS-SEM, 2nd ed., ch. 2-6
    constructs:
      COMP: {items: [comp_1, comp_2, comp_3], label: Competence}
      LIKE: {items: [like_1, like_2, like_3], label: Likeability}
      CUSA: {items: [cusa], label: Satisfaction}
      CUSL: {items: [cusl_1, cusl_2, cusl_3], mode: A, label: Loyalty}
    paths:
      - COMP -> CUSA, CUSL
      - LIKE -> CUSA, CUSL
      - CUSA -> CUSL
    roles: {satisfaction: CUSA, loyalty: CUSL}

``mode`` is ``A`` (reflective, the default) or ``B`` (formative); a construct
may also be written as a plain list of items. A path line may list several
sources or targets separated by commas. ``roles`` names the constructs a
report treats as satisfaction and loyalty (optional).

:func:`read_model` reads a file (or a bundled model by name, from
``data/models/``), :func:`path_model` builds the same object from Python
mappings; both check everything that can be checked without data (constructs
without items, an item in two constructs, unknown or misspelt constructs and
modes with the close match, self-loops, repeated paths, cycles, constructs in
no path) and raise :class:`~crmlib.exceptions.DataError` naming the fault.
:meth:`PathModelSpec.check_items` checks the items against a data set.
:func:`~crmlib.survey.pls.pls_path_model` and :func:`~crmlib.survey.cbsem.cb_sem`
take a :class:`PathModelSpec`, a file path or a bundled name.

References
----------
Lohmoeller, J.-B. (1989). *Latent Variable Path Modeling with Partial Least
Squares*, ch. 2 (recursive inner models, modes A and B). The arrow notation
follows lavaan's and seminr's model specifications.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from .._checks import close_matches
from ..datasets import data_dir
from ..exceptions import DataError

__all__ = ["PathModelSpec", "path_model", "read_model", "as_path_model", "bundled_models"]

MODES = {"A": "reflective", "B": "formative"}
_TOP_KEYS = ("name", "description", "reference", "constructs", "paths", "roles")
_CONSTRUCT_KEYS = ("items", "mode", "label")


@dataclass(frozen=True)
class PathModelSpec:
    """A checked measurement and structural model (build with :func:`path_model` or :func:`read_model`).

    Attributes
    ----------
    measurement : construct -> items, in the model's order.
    structure : ``(from, to)`` construct pairs; the inner model is recursive.
    modes : construct -> ``"A"`` (reflective) or ``"B"`` (formative), every construct listed.
    labels : construct -> label for tables (default the construct's name).
    roles : role (e.g. ``"satisfaction"``, ``"loyalty"``) -> construct.
    name, description, reference, source : what the model is and where it was read from.
    """

    measurement: dict[str, list[str]]
    structure: list[tuple[str, str]]
    modes: dict[str, str]
    labels: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    name: str = ""
    description: str = ""
    reference: str = ""
    source: str = "model"

    @property
    def constructs(self) -> list[str]:
        """The constructs in the model's order."""
        return list(self.measurement)

    @property
    def items(self) -> list[str]:
        """Every item, construct by construct."""
        return [i for its in self.measurement.values() for i in its]

    def predecessors(self, construct: str) -> list[str]:
        """The constructs with a path into ``construct``, in path order."""
        self._known(construct, "construct")
        return [a for a, b in self.structure if b == construct]

    def role(self, name: str) -> str:
        """The construct that plays ``name`` (``"satisfaction"``, ``"loyalty"``) in this model."""
        if name not in self.roles:
            raise DataError(
                f"model {self.source}: no construct has the role {name!r}; the model's roles are {self.roles} "
                "(add it under 'roles:' in the model file)"
            )
        return self.roles[name]

    def _known(self, construct: str, what: str) -> None:
        if construct not in self.measurement:
            raise DataError(
                f"model {self.source}: {what} {construct!r} is not a construct of the model"
                f"{close_matches(construct, self.measurement)}; its constructs are {self.constructs}"
            )

    def check_items(self, columns: Iterable[Any], what: str = "the data") -> None:
        """Every item is one of ``columns``; otherwise name the item, its construct and the close match."""
        cols = [str(c) for c in columns]
        have = set(cols)
        for c, its in self.measurement.items():
            for it in its:
                if it not in have:
                    raise DataError(
                        f"measurement: item {it!r} of construct {c!r} is not a column of {what}"
                        f"{close_matches(it, cols)} (model {self.source})"
                    )

    def with_modes(self, modes: Mapping[str, str] | None) -> PathModelSpec:
        """The same model with the modes of some constructs replaced (unknown constructs and modes refused)."""
        if not modes:
            return self
        return replace(self, modes=_check_modes(self.measurement, {**self.modes, **modes}, self.source, modes))

    def to_yaml(self) -> str:
        """The model as the text of a model file (read back by :func:`read_model` to the same model)."""
        constructs = {
            c: {"items": list(its), "mode": self.modes[c], **({"label": self.labels[c]} if c in self.labels else {})}
            for c, its in self.measurement.items()
        }
        doc: dict[str, Any] = {k: v for k, v in (("name", self.name), ("description", self.description)) if v}
        if self.reference:
            doc["reference"] = self.reference
        doc["constructs"] = constructs
        doc["paths"] = [f"{a} -> {b}" for a, b in self.structure]
        if self.roles:
            doc["roles"] = dict(self.roles)
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=None, width=120)


def _check_modes(measurement, modes: Mapping[str, str], source: str, given: Mapping[str, str]) -> dict[str, str]:
    for c in given:
        if c not in measurement:
            raise DataError(
                f"modes: {c!r} is not a construct of the model{close_matches(str(c), measurement)}; "
                f"its constructs are {list(measurement)} (model {source})"
            )
    out = {}
    for c in measurement:
        m = modes.get(c, "A")
        if m not in MODES:
            up = str(m).strip().upper()
            hint = (
                f" (did you mean {up!r}?)"
                if up in MODES
                else {"REFLECTIVE": " (did you mean 'A'?)", "FORMATIVE": " (did you mean 'B'?)"}.get(up, "")
            )
            raise DataError(
                f"modes: construct {c!r} has mode {m!r}{hint}; use 'A' (reflective) or 'B' (formative) (model {source})"
            )
        out[c] = m
    return out


def _cycle(constructs: list[str], structure: Sequence[tuple[str, str]]) -> list[str] | None:
    """One cycle of the inner model as a closed list of constructs, or None when the model is recursive."""
    succ: dict[str, list[str]] = {c: [] for c in constructs}
    for a, b in structure:
        succ[a].append(b)
    state = dict.fromkeys(constructs, 0)  # 0 new, 1 on the current path, 2 done
    path: list[str] = []

    def visit(c: str) -> list[str] | None:
        state[c] = 1
        path.append(c)
        for d in succ[c]:
            if state[d] == 1:
                return path[path.index(d) :] + [d]
            if state[d] == 0 and (found := visit(d)):
                return found
        state[c] = 2
        path.pop()
        return None

    for c in constructs:
        if state[c] == 0 and (found := visit(c)):
            return found
    return None


def path_model(
    measurement: Mapping[str, Sequence[str]],
    structure: Sequence[tuple[str, str]],
    modes: Mapping[str, str] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    roles: Mapping[str, str] | None = None,
    name: str = "",
    description: str = "",
    reference: str = "",
    source: str = "model",
) -> PathModelSpec:
    """Build and check a path model from mappings.

    Parameters
    ----------
    measurement : construct -> items (the outer model).
    structure : ``(from, to)`` construct pairs (the inner model); recursive (no cycle).
    modes : construct -> ``"A"`` (reflective, the default) or ``"B"`` (formative).
    labels : construct -> label; roles : role -> construct (``"satisfaction"``, ``"loyalty"``).
    name, description, reference, source : kept on the model; ``source`` names it in error messages.

    Raises
    ------
    DataError : a construct without items, an item in two constructs, a path or
        mode naming an unknown construct (with the close match), a mode other
        than A/B, a self-loop or repeated path, a cycle (named), a construct in no path.

    References
    ----------
    Lohmoeller (1989), *Latent Variable Path Modeling with Partial Least Squares*, ch. 2.
    """
    if not isinstance(measurement, Mapping) or not measurement:
        raise DataError(f"measurement: no constructs given (model {source})")
    meas: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for c, its in measurement.items():
        if isinstance(its, str) or not isinstance(its, Sequence):
            raise DataError(f"measurement: the items of construct {c!r} must be a list, got {its!r} (model {source})")
        its = list(its)
        if not its:
            raise DataError(f"measurement: construct {c!r} has no items (model {source})")
        for it in its:
            if not isinstance(it, str):
                raise DataError(
                    f"measurement: item {it!r} of construct {c!r} is not a name (YAML reads yes/no/on/off and "
                    f"numbers as such: quote it) (model {source})"
                )
            if it in owner:
                raise DataError(
                    f"measurement: item {it!r} is in constructs {owner[it]!r} and {c!r}; an item measures one "
                    f"construct (model {source})"
                )
            owner[it] = c
        meas[str(c)] = its
    edges: list[tuple[str, str]] = []
    for edge in structure:
        if isinstance(edge, str) or len(edge) != 2:
            raise DataError(f"structure: each path must be a (from, to) pair, got {edge!r} (model {source})")
        a, b = edge
        for c in (a, b):
            if c not in meas:
                raise DataError(
                    f"structure: construct {c!r} in path {a!r} -> {b!r} has no measurement model"
                    f"{close_matches(str(c), meas)} (model {source})"
                )
        if a == b:
            raise DataError(f"structure: path {a!r} -> {b!r} is a self-loop (model {source})")
        if (a, b) in edges:
            raise DataError(f"structure: path {a!r} -> {b!r} listed twice (model {source})")
        edges.append((a, b))
    if not edges:
        raise DataError(f"structure: no paths given (model {source})")
    lonely = [c for c in meas if not any(c in e for e in edges)]
    if lonely:
        raise DataError(f"structure: constructs {lonely} are in no path (model {source})")
    cycle = _cycle(list(meas), edges)
    if cycle:
        raise DataError(
            f"structure: the inner model has a cycle {' -> '.join(cycle)}; PLS path models here must be "
            f"recursive (model {source})"
        )
    checked_modes = _check_modes(meas, dict(modes or {}), source, dict(modes or {}))
    for what, mapping in (("labels", labels or {}), ("roles", {v: k for k, v in (roles or {}).items()})):
        for c in mapping:
            if c not in meas:
                raise DataError(
                    f"{what}: {c!r} is not a construct of the model{close_matches(str(c), meas)} (model {source})"
                )
    return PathModelSpec(
        measurement=meas,
        structure=edges,
        modes=checked_modes,
        labels={str(k): str(v) for k, v in (labels or {}).items()},
        roles={str(k): str(v) for k, v in (roles or {}).items()},
        name=name,
        description=description,
        reference=reference,
        source=source,
    )


def bundled_models() -> list[str]:
    """Names of the models shipped in ``data/models/`` (``"ecsi"``, ``"reputation"``, ...).

    Each file names its source under ``reference`` (Tenenhaus et al. 2005; Hair et al. 2017).
    """
    folder = data_dir() / "models"
    return sorted(p.stem for p in folder.glob("*.yml")) if folder.is_dir() else []


def _model_path(source: str | os.PathLike) -> Path:
    p = Path(source)
    if p.suffix.lower() in (".yml", ".yaml") or p.is_file() or len(p.parts) > 1:
        if not p.is_file():
            raise FileNotFoundError(f"model file {str(p)!r} not found")
        return p
    names = bundled_models()
    if str(source) not in names:
        raise DataError(
            f"model must be a bundled model {names} or the path of a YAML model file, got {str(source)!r}"
            f"{close_matches(str(source), names)}"
        )
    return data_dir() / "models" / f"{source}.yml"


def _split_path_line(line: Any, k: int, where: str) -> list[tuple[str, str]]:
    if not isinstance(line, str) or line.count("->") != 1:
        raise DataError(f"{where}: path {k} must read 'FROM -> TO' (one arrow), got {line!r}")
    left, right = line.split("->")
    a = [x.strip() for x in left.split(",") if x.strip()]
    b = [x.strip() for x in right.split(",") if x.strip()]
    if not a or not b:
        raise DataError(f"{where}: path {k} {line!r} has no construct on one side of the arrow")
    return [(x, y) for x in a for y in b]


def read_model(source: str | os.PathLike) -> PathModelSpec:
    """Read a path model from a YAML file, or a bundled model by name (``"ecsi"``, ``"reputation"``).

    The format is described in this module's docstring. Every fault of the
    file - an unknown key (with the close match), a construct without items,
    a path not of the form ``A -> B``, an unknown construct or mode, a cycle -
    is a :class:`DataError` naming the file and the entry.

    References
    ----------
    Lohmoeller (1989), ch. 2; the arrow notation of lavaan (Rosseel 2012, J. Stat. Softw. 48(2)).
    """
    p = _model_path(source)
    where = f"model {p.name}"
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"{where}: not valid YAML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not isinstance(doc, Mapping):
        raise DataError(f"{where}: expected a mapping with 'constructs' and 'paths', got {type(doc).__name__}")
    for key in doc:
        if key not in _TOP_KEYS:
            raise DataError(f"{where}: unknown key {key!r}{close_matches(str(key), _TOP_KEYS)}; keys are {_TOP_KEYS}")
    for key in ("constructs", "paths"):
        if key not in doc:
            raise DataError(f"{where}: no {key!r} section")
    constructs = doc["constructs"]
    if not isinstance(constructs, Mapping) or not constructs:
        raise DataError(f"{where}: 'constructs' must map each construct to its items")
    measurement: dict[str, list] = {}
    modes: dict[str, str] = {}
    labels: dict[str, str] = {}
    for c, body in constructs.items():
        if not isinstance(c, str):
            raise DataError(f"{where}: construct name {c!r} is not text (quote it)")
        if body is None:
            raise DataError(f"measurement: construct {c!r} has no items ({where})")
        if isinstance(body, Mapping):
            for key in body:
                if key not in _CONSTRUCT_KEYS:
                    raise DataError(
                        f"{where}: construct {c!r} has an unknown key {key!r}"
                        f"{close_matches(str(key), _CONSTRUCT_KEYS)}; keys are {_CONSTRUCT_KEYS}"
                    )
            if "items" not in body or body["items"] is None:
                raise DataError(f"measurement: construct {c!r} has no items ({where})")
            measurement[c] = body["items"]
            if "mode" in body:
                modes[c] = body["mode"]
            if "label" in body:
                labels[c] = str(body["label"])
        else:
            measurement[c] = body
    if not isinstance(doc["paths"], list):
        raise DataError(f"{where}: 'paths' must be a list of 'FROM -> TO' lines")
    structure = [e for k, line in enumerate(doc["paths"], start=1) for e in _split_path_line(line, k, where)]
    roles = doc.get("roles") or {}
    if not isinstance(roles, Mapping):
        raise DataError(f"{where}: 'roles' must map a role to a construct, e.g. {{satisfaction: CUSA}}")
    return path_model(
        measurement,
        structure,
        modes,
        labels=labels,
        roles=roles,
        name=str(doc.get("name") or p.stem),
        description=str(doc.get("description") or ""),
        reference=str(doc.get("reference") or ""),
        source=p.name,
    )


def as_path_model(
    model: PathModelSpec | str | os.PathLike | Mapping[str, Sequence[str]],
    structure: Sequence[tuple[str, str]] | None = None,
    modes: Mapping[str, str] | None = None,
) -> PathModelSpec:
    """The :class:`PathModelSpec` behind what a model function was given.

    ``model`` is a :class:`PathModelSpec`, a YAML file path or bundled model
    name (then ``structure`` must be None), or a measurement mapping (then
    ``structure`` is required); ``modes`` replaces the modes of the constructs
    it names (an unknown construct is an error naming the close match).

    References
    ----------
    Lohmoeller (1989), *Latent Variable Path Modeling with Partial Least Squares*, ch. 2.
    """
    if isinstance(model, Mapping):
        if structure is None:
            raise DataError("structure: a measurement mapping needs the paths (structure=[(from, to), ...])")
        return path_model(model, structure, modes)
    if structure is not None:
        raise DataError("structure: the model already holds its paths; give structure only with a measurement mapping")
    if isinstance(model, PathModelSpec):
        return model.with_modes(modes)
    if isinstance(model, (str, os.PathLike)):
        return read_model(model).with_modes(modes)
    raise DataError(
        f"model must be a PathModelSpec, a YAML file, a bundled model name or a measurement mapping, got {model!r}"
    )
