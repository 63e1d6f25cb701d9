"""Report parameters: read them the way papermill does and check them before any kernel starts.

A notebook's parameters are the assignments of its cell tagged ``parameters``
(papermill's :func:`papermill.inspect_notebook`). Overrides come from
``reports.yml`` and from the command line (``-p NAME VALUE``, the value read as
YAML, and ``-f params.yml``), in that order, the later winning. Before a
notebook runs, every override is checked:

- its name is a Python identifier (a name is pasted into the notebook as code,
  so anything else is refused, never executed);
- the notebook's parameters cell defines it (else the error names the close
  matches);
- its value has the type of the default (an integer where the default is an
  integer; an integer or a real number where it is a real number; text, a list
  or a mapping likewise; ``null`` is always allowed; a default of ``None`` or an
  expression takes any value);
- YAML dates and times become ISO 8601 text (``1997-09-30``), the form the
  notebooks take; sets, binary data, NaN and infinities are refused.

Reference: papermill's parameter conventions, https://papermill.readthedocs.io/en/latest/usage-parameterize.html
"""

from __future__ import annotations

import ast
import datetime as dt
import keyword
import math
from pathlib import Path
from typing import Any

import yaml

from .._checks import close_matches
from ..exceptions import DataError

__all__ = [
    "CommandLineText",
    "notebook_parameters",
    "plain_value",
    "parse_value",
    "read_parameter_file",
    "check_name",
    "effective",
]

_TYPE_WORDS = {
    bool: "true or false",
    int: "an integer",
    float: "a number",
    str: "text",
    list: "a list",
    dict: "a mapping",
}
_ANNOTATIONS = {"bool": bool, "int": int, "float": float, "str": str, "list": list, "dict": dict}


def check_name(name: Any, where: str) -> str:
    """Refuse a parameter name that is not a Python identifier (it would be pasted into the notebook as code).

    Parameters
    ----------
    name : the parameter name as read from YAML or the command line.
    where : what to name in the error (``"reports.yml: report 'clv'"``).

    Returns
    -------
    str
        ``name`` unchanged.

    References
    ----------
    Python language reference, 2.3 Identifiers and keywords.
    """
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise DataError(f"{where}: parameter name {name!r} is not a Python identifier (letters, digits, _)")
    return name


def plain_value(value: Any, where: str) -> Any:
    """A YAML value as papermill and JSON can carry it: dates become ISO text, the rest is checked.

    Parameters
    ----------
    value : a value read by ``yaml.safe_load`` (nested lists and mappings allowed).
    where : what to name in the error (report and parameter).

    Returns
    -------
    The value with every ``datetime.date``/``datetime.datetime`` replaced by its
    ISO 8601 text (``1997-09-30``, ``1997-09-30T12:00:00``) and mapping keys as text.

    References
    ----------
    YAML 1.1 timestamp type, https://yaml.org/type/timestamp.html
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DataError(f"{where}: {value} cannot be passed to a notebook; give a finite number")
        return value
    if isinstance(value, (dt.date, dt.datetime)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, list):
        return [plain_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, (str, int, float, bool, dt.date)) or isinstance(k, float) and not math.isfinite(k):
                raise DataError(f"{where}: mapping key {k!r} must be text or a number")
            key = k.isoformat() if isinstance(k, dt.date) else str(k) if not isinstance(k, str) else k
            out[key] = plain_value(v, f"{where}.{key}")
        return out
    raise DataError(
        f"{where}: a {type(value).__name__} ({value!r:.60}) cannot be passed to a notebook; "
        "use text, numbers, true/false, null, dates, lists and mappings"
    )


def parse_value(text: str, where: str) -> Any:
    """Read a command-line value as YAML (``-p n_boot 200`` gives 200, ``-p seeds [1, 2]`` a list).

    Parameters
    ----------
    text : the value as typed.
    where : what to name in the error.

    Returns
    -------
    The parsed value, through :func:`plain_value`.

    References
    ----------
    papermill's ``-y``/``-p`` options, https://papermill.readthedocs.io/en/latest/usage-cli.html
    """
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataError(f"{where}: value {text!r} is not valid YAML: {exc}") from exc
    return plain_value(value, where)


_NULLS = {"null", "Null", "NULL", "~", "None"}


class CommandLineText(str):
    """A ``-p NAME VALUE`` value as typed, read once the notebook's parameter is known (:func:`effective`).

    For a parameter whose default is text the value is kept as typed: ``-p customer_id 0123`` stays ``"0123"``
    (YAML 1.1 would read an octal 83), ``-p date_format %d.%m.%Y`` needs no quotes, ``-p sheet no`` is not
    ``False``. Any other parameter reads the value as YAML (``-p n_boot 200``, ``-p read_options "{decimal: ','}"``);
    text that is not valid YAML is then kept as typed.
    """


def resolve_value(value: Any, kind: type | None, where: str) -> Any:
    """The value a parameter gets: a :class:`CommandLineText` read for the parameter's type, anything else as is.

    Parameters
    ----------
    value : an override (from ``reports.yml``, ``-f`` or ``-p``).
    kind : the parameter's type (``notebook_parameters(...)[name]["type"]``; ``None``: any).
    where : what to name in the error.

    Returns
    -------
    The override: text as typed when ``kind`` is ``str`` (``null``, ``~`` or ``None`` give ``None``, a quoted
    value loses its quotes); a decimal number when ``kind`` is ``int`` or ``float``; otherwise the YAML reading of the text (the text itself
    when it is not valid YAML).

    References
    ----------
    YAML 1.1 (the version PyYAML reads), https://yaml.org/spec/1.1/ : ``yes``/``no``/``on``/``off`` are
    booleans and a leading 0 makes an octal integer; papermill's ``-p``/``-r`` options.
    """
    if not isinstance(value, CommandLineText):
        return value
    text = str(value)
    if kind is str:
        if text.strip() in _NULLS:
            return None  # -p amount null: "no amount column", as the notebooks document
        quoted = len(text) >= 2 and text[0] == text[-1] and text[0] in "'\""
        return parse_value(text, where) if quoted else text
    if kind in (int, float):  # decimal, whatever YAML 1.1 says of 0123 (octal) or 1_000
        for read in (int, float) if kind is int else (float,):
            try:
                return read(text.strip())
            except ValueError:
                pass
    try:
        return parse_value(text, where)
    except DataError:
        if kind is None:
            return text
        raise


def read_parameter_file(path: str | Path) -> dict[str, Any]:
    """Read a papermill parameters file (``-f params.yml``): a YAML mapping of names to values.

    Parameters
    ----------
    path : the YAML file.

    Returns
    -------
    dict
        name -> value, names checked (:func:`check_name`), values through :func:`plain_value`.

    References
    ----------
    papermill's ``-f`` option, https://papermill.readthedocs.io/en/latest/usage-cli.html
    """
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"parameters file {str(path)!r} cannot be read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise DataError(f"parameters file {str(path)!r}: not valid YAML: {exc}") from exc
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise DataError(f"parameters file {str(path)!r}: must be a mapping of names to values")
    return {check_name(k, str(path)): plain_value(v, f"{path}: parameter {k!r}") for k, v in doc.items()}


def notebook_parameters(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """The parameters a notebook declares, with their defaults, read without running it.

    Parameters
    ----------
    notebook : path of the ``.ipynb`` file.

    Returns
    -------
    dict
        name -> ``{"default": value, "source": default as written, "literal": bool, "type": type or None,
        "help": comment}``. ``default`` is the literal value when the default is a
        Python literal; ``type`` is the annotated type or the default's type
        (``None`` when any value is allowed).

    References
    ----------
    papermill's ``inspect_notebook``, https://papermill.readthedocs.io/en/latest/usage-inspect.html
    """
    import tempfile

    import nbformat
    import papermill as pm

    try:
        nb = nbformat.read(str(notebook), as_version=4)
        if not nb.metadata.get("kernelspec", {}).get("name") and not nb.metadata.get("language_info"):
            # A notebook saved without a kernel (written by a script, or by an editor that omits it): crmlib runs
            # every report on its own Python kernel, so its parameters are read as Python.
            nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
            with tempfile.TemporaryDirectory() as folder:
                copy = Path(folder) / Path(notebook).name
                nbformat.write(nb, str(copy))
                found = pm.inspect_notebook(str(copy))
        else:
            found = pm.inspect_notebook(str(notebook))
    except Exception as exc:  # unreadable notebook, unknown kernel language
        raise DataError(f"notebook {str(notebook)!r}: its parameters cannot be read: {exc}") from exc
    out: dict[str, dict[str, Any]] = {}
    for name, p in found.items():
        src = p.get("default") or ""
        try:
            default, literal = ast.literal_eval(src), True
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            default, literal = None, False
        kind = _ANNOTATIONS.get(str(p.get("inferred_type_name")))
        if kind is None and literal and default is not None:
            kind = type(default) if type(default) in _TYPE_WORDS else None
        out[name] = {
            "default": default if literal else src,
            "source": src,
            "literal": literal,
            "type": kind,
            "help": p.get("help") or "",
        }
    return out


def _type_ok(value: Any, kind: type | None) -> bool:
    if kind is None or value is None:
        return True
    if kind is bool:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind is float:
        return isinstance(value, (int, float))
    return isinstance(value, kind)


def effective(
    declared: dict[str, dict[str, Any]], overrides: dict[str, Any], where: str
) -> tuple[dict[str, Any], list[str]]:
    """The parameters a run will use (defaults, then overrides) and the problems of the overrides.

    Parameters
    ----------
    declared : :func:`notebook_parameters` of the notebook.
    overrides : name -> value (already through :func:`plain_value`).
    where : what to name in the messages (``"report 'clv'"``).

    Returns
    -------
    (parameters, problems)
        ``parameters``: every declared parameter with its default, overridden
        where asked (defaults that are expressions keep their source text);
        ``problems``: one message per unknown name (with close matches) or value
        of the wrong type; empty when all is well.

    References
    ----------
    papermill's ``inspect_notebook``, https://papermill.readthedocs.io/en/latest/usage-inspect.html
    """
    problems = []
    overrides = dict(overrides)
    for name, value in overrides.items():
        if name not in declared:
            if not declared:
                problems.append(f"{where}: unknown parameter {name!r}; the notebook has no cell tagged 'parameters'")
            else:
                hint = close_matches(name, declared) or f"; known: {sorted(declared)}"
                problems.append(f"{where}: unknown parameter {name!r}{hint}")
            continue
        kind = declared[name]["type"]
        try:
            value = overrides[name] = resolve_value(value, kind, f"{where}: parameter {name!r}")
        except DataError as exc:
            problems.append(str(exc))
            continue
        if not _type_ok(value, kind):
            problems.append(
                f"{where}: parameter {name!r} must be {_TYPE_WORDS[kind]} like its default "
                f"{declared[name]['source']}, got {value!r:.80} ({type(value).__name__})"
            )
    params = {name: d["default"] for name, d in declared.items()}
    params.update(overrides)
    return params, problems
