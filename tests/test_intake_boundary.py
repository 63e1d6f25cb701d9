"""One intake for transaction logs: no crmlib module outside the intake parses dates itself (issue 13).

Oracle: the source code. Every module of ``crmlib`` outside ``crmlib/transactions/`` and
``crmlib/_files.py`` is parsed with :mod:`ast` and must not call ``pandas.to_datetime`` (under
any alias) or ``strptime``: a log's dates are read by :func:`crmlib.transactions.read_log` /
:func:`crmlib.transactions.purchase_days` only, so that every module accepts and refuses the same
logs with the same messages. Modules that still parse dates are listed in ``PENDING`` (strict
xfail): switching one to the intake makes its case pass and the list must shrink.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "crmlib"
INTAKE = {"transactions", "_files.py"}
PARSERS = {"to_datetime", "strptime"}

# modules not yet switched to the intake (clv.validate and clv.formulas were switched in 48cb6d5)
PENDING: dict[str, str] = {}


def _modules() -> list[str]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.split("/")[0] in INTAKE:
            continue
        out.append(rel)
    return out


def date_parsing_calls(source: str) -> list[tuple[int, str]]:
    """``(line, name)`` of every call to ``to_datetime`` or ``strptime`` (as a name or an attribute)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
            if name in PARSERS:
                found.append((node.lineno, name))
    return found


def test_the_scanner_finds_every_spelling():
    src = "import pandas as pd\nfrom pandas import to_datetime as td\npd.to_datetime(x)\nto_datetime(y)\ndatetime.strptime(s, f)\n"
    assert date_parsing_calls(src) == [(3, "to_datetime"), (4, "to_datetime"), (5, "strptime")]
    assert date_parsing_calls("x.astype('datetime64[ns]')\npd.Timestamp('2020-01-01')\n") == []


def test_the_module_list_covers_the_package():
    mods = _modules()
    assert "profit.py" in mods and "survival/data.py" in mods and "survival/lifecycle.py" in mods
    assert not any(m.startswith("transactions/") for m in mods) and "_files.py" not in mods
    assert set(PENDING) <= set(mods)


@pytest.mark.parametrize(
    "module",
    [
        pytest.param(m, marks=pytest.mark.xfail(strict=True, reason=PENDING[m])) if m in PENDING else m
        for m in _modules()
    ],
)
def test_no_module_outside_the_intake_parses_dates(module):
    calls = date_parsing_calls((ROOT / module).read_text(encoding="utf-8"))
    assert calls == [], f"crmlib/{module} parses dates itself at {calls}; read the log with crmlib.transactions"
