"""Atomic writes and safe Markdown: no half-written files, no raw HTML from content."""

from __future__ import annotations

from pathlib import Path

from flows.infra.markdown import to_html
from flows.infra.outputs import replace_dir_atomic, write_atomic


def test_write_atomic_reports_nothing_new(tmp_path: Path) -> None:
    target = tmp_path / "a" / "feed.xml"
    assert write_atomic(target, "one") is True
    assert write_atomic(target, "one") is False
    assert write_atomic(target, b"two") is True
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["feed.xml"]


def test_replace_dir_atomic_swaps_whole_folder(tmp_path: Path) -> None:
    target = tmp_path / "screens" / "cb"
    assert replace_dir_atomic(target, {"index.html": "<p>1</p>", "qr/a.svg": "<svg/>"})
    assert not replace_dir_atomic(target, {"index.html": "<p>1</p>", "qr/a.svg": "<svg/>"})
    assert replace_dir_atomic(target, {"index.html": "<p>2</p>"})
    assert sorted(p.name for p in target.rglob("*")) == ["index.html"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["cb"]


def test_markdown_never_passes_raw_html_or_unsafe_links() -> None:
    html = to_html(
        "Hoi <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n"
        "[klik](javascript:alert(1)) [ok](https://www.ncj.nl/) **vet**"
    )
    assert "<script" not in html and "<img" not in html
    assert "javascript:" not in html.replace("[klik](javascript:alert(1))", "")
    assert '<a href="https://www.ncj.nl/"' in html
    assert "<strong>vet</strong>" in html
