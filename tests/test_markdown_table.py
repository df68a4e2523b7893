"""The Markdown cell rule: text in one cell shows literally and never breaks its row.

One owner, `flows.infra.markdown_table.cell`, used by the check and ingest reports. The variant
still in the publish report (until its caller is switched) is pinned as it is today.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from flows.core.findings import Severity, finding
from flows.core.models import Source
from flows.infra.markdown_table import cell

# (text, the cell)
CELLS = [
    ("plain", "plain"),
    ("", ""),
    ("   ", ""),
    ("  lead and trail  ", "lead and trail"),
    ("a  b", "a b"),
    ("ü ñ 日本", "ü ñ 日本"),
    # A pipe splits the row; a backslash before our escape would undo it.
    ("a | b", "a \\| b"),
    ("| --- |", "\\| --- \\|"),
    ("a\\|b", "a\\\\\\|b"),
    ("a \\| b", "a \\\\\\| b"),
    ("a\\", "a\\\\"),
    ("\\", "\\\\"),
    ("tab\t|\tpipe", "tab \\| pipe"),
    # Every line ending ends the row: LF, CR, CRLF, U+2028/U+2029, NEL, VT, FF, FS.
    ("a\nb", "a b"),
    ("a\r\nb", "a b"),
    ("a\rb", "a b"),
    ("a\u2028b", "a b"),
    ("a\u2029b", "a b"),
    ("a\x85b", "a b"),
    ("a\tb", "a b"),
    ("a\x0bb\x0cc", "a b c"),
    ("a\x1cb", "a b"),
    ("a\xa0b", "a b"),
    # Control and invisible characters go; the joiners emoji need stay.
    ("a\x00b", "ab"),
    ("a\x1bb", "ab"),
    ("x\x7fy", "xy"),
    ("\u200bz", "z"),
    ("\ufeffBOM", "BOM"),
    ("a\u202eb", "ab"),  # a bidi override would show the rest of the row backwards
    ("fam\u200dily", "fam\u200dily"),
    # Markdown and HTML show as written.
    ("`code`", "\\`code\\`"),
    ("``", "\\`\\`"),
    ("`veerkracht check`", "\\`veerkracht check\\`"),
    ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
    ("[x](https://evil.example/)", "\\[x\\](https://evil.example/)"),
    ("![img](x.png)", "!\\[img\\](x.png)"),
    ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
    ("1. <b>", "1. \\<b\\>"),
    ("*bold* _it_", "\\*bold\\* \\_it\\_"),
    ("**vet**, [tekst](https://...)", "\\*\\*vet\\*\\*, \\[tekst\\](https://...)"),
    ("~~weg~~", "\\~\\~weg\\~\\~"),
    ("&lt;b&gt;", "\\&lt;b\\&gt;"),
    ("A & B &amp; C", "A \\& B \\&amp; C"),
    ("content/messages/slapen/html.nl.md", "content/messages/slapen/html.nl.md"),
]

_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _one_row(text: str) -> list[str]:
    """The text of each body cell when `text` is the second cell of a one-row table."""
    tokens = _MD.parse(f"| a | b |\n|---|---|\n| x | {text} |\n")
    assert sum(t.type == "tr_open" for t in tokens) == 2, "the row broke"
    shown = []
    for i, token in enumerate(tokens):
        if token.type == "td_open":
            inline = tokens[i + 1]
            kinds = {c.type for c in inline.children or []}
            assert kinds <= {"text"}, f"the cell formats or links: {kinds}"
            shown.append(inline.content and "".join(c.content for c in inline.children or []))
    return shown


@pytest.mark.parametrize(("text", "expected"), CELLS)
def test_cell(text: str, expected: str) -> None:
    assert cell(text) == expected


@pytest.mark.parametrize(("text", "expected"), CELLS)
def test_cell_renders_as_its_text_in_one_row(text: str, expected: str) -> None:
    shown = re.sub(r"\\(.)", r"\1", expected)  # the text without our escapes
    assert _one_row(cell(text)) == ["x", shown]


def test_cell_takes_any_object_and_an_empty_marker() -> None:
    assert cell(42) == "42"
    assert cell(None) == "None"
    assert cell(Severity.ERROR) == "error"
    assert cell("", empty="–") == "–"
    assert cell(" \n\u200b ", empty="–") == "–"
    assert cell("x", empty="–") == "x"


def test_long_and_binary_text_stays_one_cell() -> None:
    noise = bytes(range(256)).decode("latin-1") * 50 + "|" * 1000 + "\n" * 1000
    assert len(_one_row(cell(noise))) == 2


def test_check_report_rows_hold_for_hostile_findings() -> None:
    from flows.checks.report import render_report

    hostile = [
        finding("content/a|b.nl.md", 3, "S121", Severity.ERROR, "raw HTML '<script>' \r| x"),
        finding("content/c.nl.md", 4, "S120", Severity.ERROR, "link `x` [y](https://e.example)"),
        finding("content/d.nl.md", 5, "T200", Severity.WARNING, "a\u2028b\\|c"),
    ]
    report = render_report(hostile, 3)
    rows = [line for line in report.splitlines() if line.startswith("| content")]
    assert len(rows) == 3
    for row in rows:
        cells = _MD.parse("| 1 | 2 | 3 | 4 | 5 |\n|---|---|---|---|---|\n" + row + "\n")
        assert sum(t.type == "td_open" for t in cells) == 5
    assert "raw HTML '\\<script\\>' \\| x" in report
    assert "link \\`x\\` \\[y\\](https://e.example)" in report


def test_ingest_report_escapes_feed_titles_errors_and_findings(tmp_path: Path) -> None:
    from flows.ingest.drafts import Draft
    from flows.ingest.report import render_report
    from flows.ingest.run import IngestResult, SourceResult

    source = Source(
        name="rss", url="https://e.example/feed", theme="slapen", audiences=("jongeren",)
    )
    title = "Titel](javascript:alert(1)) `x` <b>"
    bad = finding("sources.yaml", 2, "I508", Severity.INFO, "entry '`]`': link removed")
    result = IngestResult(
        started=datetime(2026, 6, 1, 8, 0, tzinfo=UTC),
        sources=[
            SourceResult(
                source,
                "failed",
                error="HTTP 500 <b>Bad</b>\r\n| x",
                failures=3,
                needs_attention=True,
                findings=[bad],
                drafts=[Draft(tmp_path / "rss" / "titel.nl.md", "titel", title)],
            )
        ],
    )
    report = render_report(result)
    assert "HTTP 500 \\<b\\>Bad\\</b\\> \\| x" in report
    assert "- [Titel\\](javascript:alert(1)) \\`x\\` \\<b\\>](" in report
    assert "entry '\\`\\]\\`': link removed" in report  # a finding, no longer a code span
    (row,) = [line for line in report.splitlines() if line.startswith("| rss ")]
    tokens = _MD.parse("| 1 | 2 | 3 | 4 | 5 |\n|---|---:|---:|---:|---|\n" + row + "\n")
    assert sum(t.type == "td_open" for t in tokens) == 5


# The publish report's own `cell` as it is today: backslash and pipe escaped, LF only, "–" when
# empty. Its differences from the owner: CR, U+2028 and tabs stay (CR breaks the row), runs of
# spaces stay, control characters stay, backticks, brackets and HTML are not escaped.
PUBLISHING = [
    ("plain", "plain"),
    ("", "–"),
    ("   ", "–"),
    ("a | b", "a \\| b"),
    ("a\\|b", "a\\\\\\|b"),
    ("a\\", "a\\\\"),
    ("a\nb", "a b"),
    ("a\r\nb", "a\r b"),
    ("a\rb", "a\rb"),
    ("a\u2028b", "a\u2028b"),
    ("a\tb", "a\tb"),
    ("  lead and trail  ", "lead and trail"),
    ("a  b", "a  b"),
    ("`code`", "`code`"),
    ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ("a\x00b", "a\x00b"),
    ("| --- |", "\\| --- \\|"),
]


@pytest.mark.parametrize(("text", "expected"), PUBLISHING)
def test_publishing_report_cells_are_the_owners(text: str, expected: str) -> None:
    """The publish report now uses the owner (with "–" for an empty cell); PUBLISHING keeps what
    it did before the switch, for the record of what changed."""
    from flows.publishing.report import cell as report_cell

    assert report_cell(text) == cell(text, empty="–")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("https://www.opvoeden.nl/slapen", "[Slapen](https://www.opvoeden.nl/slapen)"),
        ("http://example.org/a b(c)", "[Slapen](http://example.org/a%20b%28c%29)"),
        ("../inbox/draft 1.nl.md", "[Slapen](../inbox/draft%201.nl.md)"),
        ("javascript:alert(1)", "Slapen"),
        ("JavaScript:alert(1)", "Slapen"),
        (" javascript:alert(1)", "Slapen"),
        ("data:text/html,<b>x</b>", "Slapen"),
        ("file:///etc/passwd", "Slapen"),
        ("//evil.example/x", "Slapen"),
        ("java\u200bscript:alert(1)", "Slapen"),
        ("vbscript:x", "Slapen"),
        ("", "Slapen"),
    ],
)
def test_a_link_goes_only_to_the_web_or_a_relative_path(target: str, expected: str) -> None:
    from flows.infra.markdown_table import link

    assert link("Slapen", target) == expected


def test_a_link_label_is_escaped_like_a_cell() -> None:
    from flows.infra.markdown_table import link

    made = link("[klik](javascript:x)", "https://example.org/")
    assert made == r"[\[klik\](javascript:x)](https://example.org/)"
