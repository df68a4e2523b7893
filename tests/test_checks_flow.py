"""The `check-content` Prefect flow: same findings as the CLI, artifact and report file."""

from __future__ import annotations

import shutil
from collections.abc import Coroutine
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parent / "fixtures" / "checks"


@pytest.mark.usefixtures("prefect_harness")
def test_check_flow_writes_report_and_artifact(tmp_path: Path) -> None:
    from prefect.artifacts import Artifact

    from flows.check_flow import check_content

    content = tmp_path / "content"
    shutil.copytree(CASES / "raw-html" / "content", content)
    errors = check_content(content_dir=str(content), out_dir=str(tmp_path / "out"))
    assert errors == 3  # raw HTML on three lines of one message
    report = (tmp_path / "out" / "reports" / "check.md").read_text(encoding="utf-8")
    assert report.startswith("# Content check\n\n2 files checked: 3 errors, 0 warnings\n")
    for line in (20, 22, 23):
        assert f"| content/messages/slapen/html.nl.md | {line} | S121 | error |" in report
    artifact = Artifact.get("content-check")
    # Called outside async code, get returns the artifact itself, not a coroutine.
    assert artifact is not None and not isinstance(artifact, Coroutine)
    assert artifact.data == report
