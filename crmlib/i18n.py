"""Message catalogues: the words of a report in the reader's language.

A report that exists in several languages keeps its headings, captions, table and figure labels and prose
in one plain catalogue file per language, ``data/messages/<name>.<language>.yml`` (a mapping of keys to
texts; nested mappings give dotted keys, ``"s2.heading"``). A text is a Python format string whose fields
(``{valid}``, ``{share:.1%}``) the notebook or library fills in. English (``en``) is the reference: a
catalogue in another language must hold exactly the same keys with the same fields, or loading it fails,
so that a missing translation stops the report instead of printing English in a Chinese page.

References
----------
Python documentation, "Format String Syntax", https://docs.python.org/3/library/string.html#formatstrings ;
GNU gettext manual, "The Format of PO Files" (one catalogue per language, keyed messages),
https://www.gnu.org/software/gettext/manual/
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .exceptions import DataError

__all__ = ["LANGUAGES", "REFERENCE_LANGUAGE", "Catalogue", "catalogue_path", "catalogue_problems", "load_catalogue"]

LANGUAGES: tuple[str, ...] = ("en", "zh-Hant")
"""Languages a catalogue may be written in (BCP 47 tags: English; Chinese in Traditional characters)."""

REFERENCE_LANGUAGE = "en"
"""The language every other catalogue is checked against (same keys, same format fields)."""

CAPTION_KEYS: tuple[str, ...] = ("table", "figure", "n", "note", "yes", "no")
"""Keys of a catalogue's ``caption`` block, the words of :class:`crmlib.style.Captioner` (``table``: ``"Table
{number}. {caption}"``; ``figure`` likewise; ``n``: ``" (N = {n})"``; ``note``: the word before a table note)."""


def _flatten(tree: Mapping[str, Any], prefix: str, where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{name}.", where))
        elif isinstance(value, str):
            out[name] = value
        else:
            raise DataError(f"{where}: the message {name!r} must be text, got {type(value).__name__} {value!r}")
    return out


def _fields(text: str, key: str, where: str) -> set[str]:
    try:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError as err:
        raise DataError(f"{where}: the message {key!r} is not a valid format string ({err})") from err


def catalogue_path(name: str, language: str) -> Path:
    """The file of catalogue ``name`` in ``language``: ``data/messages/<name>.<language>.yml``.

    Parameters
    ----------
    name : the catalogue (a report's name, e.g. ``"case_study"``).
    language : one of :data:`LANGUAGES`.

    References
    ----------
    BCP 47 (RFC 5646), language tags such as ``zh-Hant``.
    """
    from ._bundled import bundled_dir

    if language not in LANGUAGES:
        raise DataError(f"parameter 'language' must be one of {LANGUAGES}, got {language!r}")
    if not isinstance(name, str) or not name or "/" in name or "." in name:
        raise DataError(f"parameter 'name' must be a catalogue name such as 'case_study', got {name!r}")
    return bundled_dir("data") / "messages" / f"{name}.{language}.yml"


def _read(name: str, language: str) -> dict[str, str]:
    path = catalogue_path(name, language)
    if not path.is_file():
        raise DataError(f"no {language!r} catalogue {name!r}: {path} does not exist")
    tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(tree, Mapping):
        raise DataError(f"{path}: a catalogue must be a mapping of keys to texts")
    return _flatten(tree, "", str(path))


def catalogue_problems(name: str, language: str) -> list[str]:
    """What keeps catalogue ``name`` in ``language`` from matching the English one (empty when it matches).

    Each problem is one line: a key missing from the translation, a key the English catalogue lacks, or a
    key whose format fields differ (a translation that drops ``{valid}`` would print a sentence without
    its number).

    Parameters
    ----------
    name : the catalogue; language : one of :data:`LANGUAGES`.

    Returns
    -------
    list of str, one per problem, in key order.

    References
    ----------
    GNU gettext manual, "msgfmt --check-format" (a translation keeps the format directives of its message).
    """
    ref, other = _read(name, REFERENCE_LANGUAGE), _read(name, language)
    where = f"{name}.{language}"
    problems = [f"{where}: key {k!r} is missing" for k in sorted(set(ref) - set(other))]
    problems += [f"{where}: key {k!r} is not in the English catalogue" for k in sorted(set(other) - set(ref))]
    for key in sorted(set(ref) & set(other)):
        a, b = _fields(ref[key], key, f"{name}.en"), _fields(other[key], key, where)
        if a != b:
            problems.append(f"{where}: key {key!r} has fields {sorted(b)}, the English one {sorted(a)}")
    return problems


class Catalogue:
    """The texts of one report in one language; calling it fills in a text.

    >>> m = load_catalogue("case_study", "en")
    >>> m("caption.n", n="170")
    ' (N = 170)'

    Parameters
    ----------
    name : the catalogue's name; language : its language; messages : dotted key -> format string.

    References
    ----------
    Python documentation, ``str.format`` and the format specification mini-language.
    """

    def __init__(self, name: str, language: str, messages: Mapping[str, str]):
        self.name = name
        self.language = language
        self.messages = dict(messages)

    def text(self, key: str) -> str:
        """The raw text of ``key``; a missing key is a DataError naming it."""
        if key not in self.messages:
            raise DataError(f"catalogue {self.name}.{self.language} has no message {key!r}")
        return self.messages[key]

    def __call__(self, key: str, **values: Any) -> str:
        """The text of ``key`` with its fields filled from ``values`` (a missing field is a DataError)."""
        text = self.text(key)
        try:
            return text.format(**values)
        except KeyError as err:
            raise DataError(f"message {key!r} of {self.name}.{self.language} needs the value {err.args[0]!r}") from err
        except (ValueError, TypeError) as err:
            raise DataError(f"message {key!r} of {self.name}.{self.language}: {err}") from err

    def labels(self, prefix: str) -> dict[str, str]:
        """Every message under ``prefix`` (``"labels.t4"``) as ``{last key part: text}``, e.g. for ``labels=``."""
        start = f"{prefix}."
        found = {k[len(start) :]: v for k, v in self.messages.items() if k.startswith(start)}
        if not found:
            raise DataError(f"catalogue {self.name}.{self.language} has no messages under {prefix!r}")
        return found

    def words(self) -> dict[str, str]:
        """The caption words of this language for :class:`crmlib.style.Captioner` (``words=``)."""
        return {k: self.text(f"caption.{k}") for k in CAPTION_KEYS}


def load_catalogue(name: str, language: str) -> Catalogue:
    """Read catalogue ``name`` in ``language``, refusing a translation that does not match the English one.

    Parameters
    ----------
    name : the catalogue (``data/messages/<name>.<language>.yml``).
    language : one of :data:`LANGUAGES` (``"en"``, ``"zh-Hant"``).

    Returns
    -------
    Catalogue

    Raises
    ------
    DataError
        The language is unknown, the file is missing, or (another language than English) a key is missing,
        extra, or has other format fields than in English: every problem is listed.

    References
    ----------
    GNU gettext manual, "The Format of PO Files", https://www.gnu.org/software/gettext/manual/
    """
    messages = _read(name, language)
    if language != REFERENCE_LANGUAGE:
        problems = catalogue_problems(name, language)
        if problems:
            raise DataError("the catalogue does not match the English one:\n" + "\n".join(problems))
    for key, text in messages.items():
        _fields(text, key, f"{name}.{language}")
    return Catalogue(name, language, messages)
