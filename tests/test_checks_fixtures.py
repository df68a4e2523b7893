"""Fixture-driven checks: each `tests/fixtures/checks/<case>/` holds a tiny content folder and
`expected.txt`, the `path:line:col: CODE` lines it must produce (nothing more, nothing less).

`expected.txt` starts with `#` comment lines saying what the case tests; `# today: YYYY-MM-DD`
sets the day the date rules use (default 2026-12-01).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flows.library.loader import load_library
from flows.publishing.checking import check_library as run_checks

CASES = Path(__file__).resolve().parent / "fixtures" / "checks"
DEFAULT_TODAY = date(2026, 12, 1)


def _cases() -> list[Path]:
    return sorted(p.parent for p in CASES.rglob("expected.txt"))


def _expected(case: Path) -> tuple[list[str], date]:
    today = DEFAULT_TODAY
    lines = []
    for raw in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("# today:"):
            today = date.fromisoformat(line.removeprefix("# today:").strip())
        elif line and not line.startswith("#"):
            lines.append(line)
    return sorted(lines), today


def test_every_case_says_what_it_tests() -> None:
    cases = _cases()
    assert len(cases) >= 15
    for case in cases:
        first = (case / "expected.txt").read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and len(first) > 10, f"{case.name}: add a header comment"


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_case(case: Path) -> None:
    expected, today = _expected(case)
    library = load_library(case / "content")
    findings = run_checks(library, today=today)
    got = sorted(f"{Path(f.path).as_posix()}:{f.line}:{f.column}: {f.code}" for f in findings)
    assert got == expected, "\n".join(f.format() for f in findings)
