"""Files of the report runner: writes that respect the umask, and the private kernel spec.

- :func:`atomic_write` replaces a file in one step (a reader sees the old or the
  new file, never half of one) with the permissions any new file of the user
  gets (``0666`` minus the umask: ``0644`` under the usual ``022``), so a
  colleague or a web server can read the reports when the umask allows it.
- :func:`kernel_dir` writes the kernel spec that runs reports under this very
  interpreter into a folder private to the user and to the environment
  (``$XDG_CACHE_HOME/crmlib/kernels/<environment digest>``, else
  ``~/.cache/...``). Each folder of the path that crmlib creates is checked:
  a real folder (never a symbolic link), owned by the user, writable by no one
  else; otherwise the runner stops with a message naming the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import tempfile
from pathlib import Path

from ..exceptions import DataError

__all__ = ["atomic_write", "kernel_dir", "current_umask", "KERNEL_PREFIX"]

KERNEL_PREFIX = "crmlib-python"


def current_umask() -> int:
    """The process's umask (read by setting and restoring it; call from the main thread)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, text: str, umask: int | None = None) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and an atomic rename.

    Parameters
    ----------
    path : the file to write (its folder is created).
    text : UTF-8 text.
    umask : the umask to apply (``0666 & ~umask``); default: the process's.

    References
    ----------
    POSIX ``rename(2)`` (atomic replacement) and ``umask(2)``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o666 & ~(current_umask() if umask is None else umask)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)  # mkstemp creates 0600
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _private_dir(path: Path) -> None:
    """Create ``path`` (mode 0700) if missing; refuse a link, a non-folder, a foreign owner or group/other write."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(path)
    uid = os.getuid()
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise DataError(f"kernel folder {str(path)!r} is not a plain folder (a symbolic link?); remove it and rerun")
    if st.st_uid != uid:
        raise DataError(f"kernel folder {str(path)!r} belongs to user id {st.st_uid}, not to you ({uid}); remove it")
    if st.st_mode & 0o022:
        raise DataError(
            f"kernel folder {str(path)!r} is writable by others (mode {stat.S_IMODE(st.st_mode):o}); remove it"
        )


def kernel_dir(cache: str | os.PathLike | None = None) -> tuple[Path, str]:
    """The private folder holding the kernel spec of this interpreter, and the kernel's name.

    Parameters
    ----------
    cache : the user's cache folder; default ``$XDG_CACHE_HOME`` or ``~/.cache``.

    Returns
    -------
    (folder, kernel_name)
        Put ``folder`` first on ``JUPYTER_PATH`` and start ``kernel_name``. The
        name carries a digest of the interpreter's path, so two environments
        rendering at once never share a kernel spec.

    References
    ----------
    Jupyter client, "Kernel specs", https://jupyter-client.readthedocs.io/en/stable/kernels.html#kernel-specs
    """
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows: the per-user profile folder is private already
        base = Path(cache or os.environ.get("LOCALAPPDATA") or tempfile.gettempdir())
    else:
        base = Path(cache or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(
            f"cannot create the cache folder {str(base)!r} for the report kernel ({exc.strerror}); "
            "set XDG_CACHE_HOME to a folder of yours"
        ) from exc
    digest = hashlib.sha256(f"{sys.prefix}\0{sys.executable}".encode()).hexdigest()[:16]
    name = f"{KERNEL_PREFIX}-{digest}"
    root = base / "crmlib-kernels" / digest
    if hasattr(os, "getuid"):
        for folder in (base / "crmlib-kernels", root, root / "kernels", root / "kernels" / name):
            _private_dir(folder)
    else:  # pragma: no cover
        (root / "kernels" / name).mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", "--log-level=CRITICAL"],
        "display_name": "Python 3 (crmlib reports)",
        "language": "python",
        "env": {"MPLBACKEND": "module://matplotlib_inline.backend_inline", "PYTHONHASHSEED": "0"},
    }
    target = root / "kernels" / name / "kernel.json"
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".kernel.", suffix=".tmp")  # O_EXCL: never a link
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(spec, fh)
    os.replace(tmp, target)  # replaces a planted link itself, never its target
    return root, name
