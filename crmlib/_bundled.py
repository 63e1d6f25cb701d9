"""Where the notebooks and data that ship with crmlib are.

A wheel carries copies of the repository's ``notebooks/`` and ``data/`` in
``crmlib/_bundled/`` (``setup.py`` collects them at build time; they are
edited in the repository, never here). A checkout (an editable install) has
no such copies and uses the repository's folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
KINDS = ("notebooks", "data")


def bundled_dir(kind: str) -> Path:
    """The folder of the shipped ``"notebooks"`` or ``"data"``: the installed copy, else the checkout's folder.

    Parameters
    ----------
    kind : ``"notebooks"`` or ``"data"``.

    Returns
    -------
    Path
        ``crmlib/_bundled/<kind>`` in an installed wheel; ``<repository>/<kind>``
        in a checkout (recognised by its ``pyproject.toml``).

    Raises
    ------
    FileNotFoundError
        Neither exists (a broken installation).

    References
    ----------
    setuptools, "Data files support", https://setuptools.pypa.io/en/latest/userguide/datafiles.html
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    installed = _PACKAGE / "_bundled" / kind
    if installed.is_dir():
        return installed
    checkout = _PACKAGE.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / kind).is_dir():
        return checkout / kind
    raise FileNotFoundError(
        f"crmlib's {kind} are neither installed ({installed}) nor in a checkout ({checkout / kind}); reinstall crmlib"
    )
