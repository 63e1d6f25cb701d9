"""The house rules of issue 19 that code can check: rooms that hold one idea stay small."""

from __future__ import annotations

from pathlib import Path

CRMLIB = Path(__file__).resolve().parents[1] / "crmlib"
LIMIT = 700  # lines per module (issue 19: "No crmlib module over 700 lines")


def test_consistency_no_crmlib_module_over_700_lines():
    sizes = {str(p.relative_to(CRMLIB)): len(p.read_text(encoding="utf-8").splitlines()) for p in CRMLIB.rglob("*.py")}
    assert len(sizes) > 100  # the whole package was read
    over = {name: n for name, n in sizes.items() if n > LIMIT}
    assert not over, f"modules over {LIMIT} lines (split them by idea, see docs/architecture.md): {over}"
