"""The Markdown table cell rule: text in one cell shows literally and never breaks its row.

Characterization first: the three variants as they are today (publishing's `cell`, the check
report's `_cell`, the ingest report's `_cell`), pinned on ordinary and hostile text.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pytest

# (text, publishing.report.cell, checks.report._cell, ingest.report._cell)
VARIANTS = [
    ("plain", "plain", "plain", "plain"),
    ("", "–", "", ""),
    ("   ", "–", "", "   "),
    ("a | b", "a \\| b", "a \\| b", "a \\| b"),
    ("a\\|b", "a\\\\\\|b", "a\\\\|b", "a\\\\|b"),
    ("a\\", "a\\\\", "a\\", "a\\"),
    ("a\nb", "a b", "a b", "a b"),
    ("a\r\nb", "a\r b", "a b", "a\r b"),
    ("a\rb", "a\rb", "a b", "a\rb"),
    ("a\u2028b", "a\u2028b", "a b", "a\u2028b"),
    ("a\u2029b", "a\u2029b", "a b", "a\u2029b"),
    ("a\x85b", "a\x85b", "a b", "a\x85b"),
    ("a\tb", "a\tb", "a b", "a\tb"),
    ("a\x0bb\x0cc", "a\x0bb\x0cc", "a b c", "a\x0bb\x0cc"),
    ("  lead and trail  ", "lead and trail", "lead and trail", "  lead and trail  "),
    ("a  b", "a  b", "a b", "a  b"),
    ("`code`", "`code`", "'code'", "`code`"),
    ("``", "``", "''", "``"),
    (
        "[x](javascript:alert(1))",
        "[x](javascript:alert(1))",
        "[x](javascript:alert(1))",
        "[x](javascript:alert(1))",
    ),
    (
        "<script>alert(1)</script>",
        "<script>alert(1)</script>",
        "<script>alert(1)</script>",
        "<script>alert(1)</script>",
    ),
    ("a\x00b", "a\x00b", "a\x00b", "a\x00b"),
    ("a\x1bb", "a\x1bb", "a\x1bb", "a\x1bb"),
    ("*bold* _it_", "*bold* _it_", "*bold* _it_", "*bold* _it_"),
    ("&lt;b&gt;", "&lt;b&gt;", "&lt;b&gt;", "&lt;b&gt;"),
    ("| --- |", "\\| --- \\|", "\\| --- \\|", "\\| --- \\|"),
    ("\\", "\\\\", "\\", "\\"),
    ("a \\| b", "a \\\\\\| b", "a \\\\| b", "a \\\\| b"),
    ("ü ñ 日本", "ü ñ 日本", "ü ñ 日本", "ü ñ 日本"),
    ("\u200bz", "\u200bz", "\u200bz", "\u200bz"),
    ("a\xa0b", "a\xa0b", "a b", "a\xa0b"),
]


def _variant(module: str, name: str) -> Callable[[str], str]:
    """A variant in a file being rewritten elsewhere; skipped once it is gone."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        pytest.skip(f"{module} cannot be imported now ({exc})")
    if not hasattr(mod, name):
        pytest.skip(f"{module}.{name} is gone (switched to flows.infra.markdown_table)")
    found: Callable[[str], str] = getattr(mod, name)
    return found


@pytest.mark.parametrize(("text", "publishing", "checks", "ingest"), VARIANTS)
def test_variants(text: str, publishing: str, checks: str, ingest: str) -> None:
    assert _variant("flows.publishing.report", "cell")(text) == publishing
    assert _variant("flows.checks.report", "_cell")(text) == checks
    assert _variant("flows.ingest.report", "_cell")(text) == ingest
