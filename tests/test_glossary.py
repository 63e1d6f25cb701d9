"""docs/glossary.md is the one vocabulary: every parameter of a public signature has an entry.

The oracle is the glossary itself: the names in the first column of its tables.
A parameter outside it fails this test with the function that uses it, so a new
word is added to the glossary (with its meaning and unit) before a signature uses it.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import importlib.util
import inspect
import pkgutil
import re
from pathlib import Path

import crmlib

GLOSSARY = Path(__file__).resolve().parents[1] / "docs" / "glossary.md"
SKIP = {"self", "cls"}


def glossary_names() -> set[str]:
    names: set[str] = set()
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            names.update(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", first))
    return names


# Optional extras (pyproject's [project.optional-dependencies]): a module that needs one that is
# not installed is skipped on its own; any other import error fails the test.
OPTIONAL_EXTRAS = {"semopy", "pyspark", "ibis", "selenium", "openpyxl"}
SKIPPED: dict[str, str] = {}  # module -> the optional extra it lacks (filled by public_modules)


def public_modules():
    def on_error(name: str) -> None:  # a package that fails to import is an error, not a silent gap
        raise ImportError(f"cannot import {name}")

    yield crmlib
    for info in pkgutil.walk_packages(crmlib.__path__, "crmlib.", onerror=on_error):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts[1:]):
            continue
        try:
            yield importlib.import_module(info.name)
        except ModuleNotFoundError as exc:
            extra = (exc.name or "").split(".")[0]
            if extra not in OPTIONAL_EXTRAS:
                raise
            SKIPPED[info.name] = extra


def _function(member):
    """The plain function behind a method, static/class method or property (None for anything else)."""
    if isinstance(member, (staticmethod, classmethod)):
        member = member.__func__
    elif isinstance(member, property):
        member = member.fget
    return member if inspect.isfunction(member) else None


def _defined_here(obj, module, exported: bool) -> bool:
    """Defined in ``module``, or in a private crmlib module and exported by ``module``'s ``__all__``
    (``transactions.read_log`` lives in ``transactions._intake``; a helper merely imported is not public)."""
    home = getattr(obj, "__module__", "") or ""
    if home == module.__name__:
        return True
    private = home.startswith("crmlib.") and any(p.startswith("_") for p in home.split(".")[1:])
    return exported and private


@functools.cache
def public_callables() -> tuple[tuple[str, object], ...]:
    """(where, function) for every public function and every public method of a public class.

    Methods inherited from a crmlib base class (also a private one, e.g. ``clv._base``) count
    as methods of the public class; a dataclass's generated ``__init__`` does not.
    """
    return tuple(_public_callables())


def _public_callables():
    seen = set()
    for module in public_modules():
        exported = set(getattr(module, "__all__", ()))
        for name, obj in vars(module).items():
            if name.startswith("_") or not _defined_here(obj, module, name in exported):
                continue
            if inspect.isfunction(obj):
                if id(obj) not in seen:
                    seen.add(id(obj))
                    yield f"{module.__name__}.{name}", obj
            elif inspect.isclass(obj):
                for klass in obj.__mro__:
                    if not klass.__module__.startswith("crmlib"):
                        continue
                    for mname, member in vars(klass).items():
                        fn = _function(member)
                        if fn is None or (mname.startswith("_") and mname != "__init__"):
                            continue
                        if mname == "__init__" and dataclasses.is_dataclass(klass):
                            continue  # a result object's fields are its attributes, documented with the class
                        if id(fn) not in seen:
                            seen.add(id(fn))
                            yield f"{klass.__module__}.{klass.__qualname__}.{mname}", fn


def test_consistency_every_public_parameter_is_in_the_glossary():
    known = glossary_names()
    missing: dict[str, list[str]] = {}
    for where, fn in public_callables():
        for p in inspect.signature(fn).parameters.values():
            if p.name in SKIP or p.name.startswith("_") or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue  # a leading underscore marks a private keyword (e.g. a test hook)
            if p.name not in known:
                missing.setdefault(p.name, []).append(where)
    report = "\n".join(f"  {n}: {', '.join(sorted(set(w)))}" for n, w in sorted(missing.items()))
    assert not missing, f"{len(missing)} parameter names are not in docs/glossary.md:\n{report}"


def test_consistency_glossary_replaced_names_are_gone():
    """A name listed as replaced in the glossary's last column is no longer a parameter name."""
    replaced: set[str] = set()
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            cells = line.split("|")
            replaced.update(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", cells[-2]))
    replaced -= glossary_names()  # a word can be replaced in one sense and kept in another (e.g. alpha)
    used: dict[str, list[str]] = {}
    for where, fn in public_callables():
        for p in inspect.signature(fn).parameters.values():
            if p.name in replaced:
                used.setdefault(p.name, []).append(where)
    report = "\n".join(f"  {n}: {', '.join(sorted(w))}" for n, w in sorted(used.items()))
    assert not used, f"{len(used)} replaced names are still parameter names:\n{report}"


def test_consistency_glossary_check_sees_every_public_module_and_method():
    """The check above reads every public module file (a skip only for an extra that is not installed),
    the methods of public classes, their inherited crmlib methods and the exports of private modules."""
    root = Path(crmlib.__file__).parent
    on_disk = {
        ".".join(("crmlib", *f.relative_to(root).with_suffix("").parts)).removesuffix(".__init__")
        for f in root.rglob("*.py")
        if not any(part.startswith("_") and part != "__init__.py" for part in f.relative_to(root).parts)
    }
    read = {m.__name__ for m in public_modules()}
    assert on_disk - read - set(SKIPPED) == set()
    for module, extra in SKIPPED.items():
        assert importlib.util.find_spec(extra) is None, f"{module} skipped although {extra} is installed"
    where = {w for w, _ in public_callables()}
    for expected in (
        "crmlib.transactions.read_log",  # defined in the private transactions._intake, exported
        "crmlib.clv._base.BaseFitter.fit",  # inherited by every customer-base model
        "crmlib.segment.tiers.TierRule.from_intervals",  # a class method
        "crmlib.survey.codebook.Codebook.measurement",
    ):
        assert expected in where, expected
