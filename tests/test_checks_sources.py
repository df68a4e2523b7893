"""`veerkracht check` also reads sources.yaml, so a typo there is found before the hourly ingest."""

from __future__ import annotations

from pathlib import Path

from flows.core.settings import load_settings
from flows.publishing.checking import check_folder

SOURCES = """sources:
  - name: ncj
    url: https://www.ncj.nl/feed
    theme: slaap
    audiences: [jongeren]
  - name: ncj
    url: https://www.ncj.nl/other
    theme: slapen
    audiences: [jongeren]
  - name: ncj-2
    url: https://www.ncj.nl/feed2
    theme: slapen
    audiences: [jongeren]
  - name: ncj-2
    url: https://www.ncj.nl/feed3
    theme: slapen
    audiences: [jongeren]
  - name: zonder-https
    url: www.ncj.nl/feed4
    theme: slapen
    audiences: [jongeren]
"""


def test_check_reports_bad_and_duplicate_sources_with_lines(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    checked = check_folder(tmp_path / "content", load_settings(content_dir=tmp_path / "content"))
    findings = checked.findings
    assert [(f.path, f.line, f.code) for f in findings] == [
        ("content/sources.yaml", 4, "S114"),
        ("content/sources.yaml", 14, "I500"),
        ("content/sources.yaml", 18, "I500"),
    ]
    assert "write the feed's full https:// address" in findings[-1].message
    assert checked.files == 1
