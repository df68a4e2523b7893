"""Prefect flow `check-content`: the same checks as `veerkracht check`, as a report for people."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from flows.checks.report import render_report
from flows.core.findings import Finding, Severity, count, summary
from flows.core.i18n import _
from flows.core.settings import load_settings, run_folders
from flows.infra.outputs import write_report
from flows.publishing.checking import check_folder


@task(name="load-and-check")
def load_and_check(content_dir: str) -> tuple[list[Finding], int]:
    """Load the content folder and run every check (one task: it is one quick pass)."""
    checked = check_folder(Path(content_dir), load_settings(content_dir=Path(content_dir)))
    return checked.findings, checked.files


@flow(name="check-content")
def check_content(content_dir: str | None = None, out_dir: str | None = None) -> int:
    """Check the content, publish the `content-check` artifact and write out/reports/check.md.

    Folders left empty come from the settings (see `run_folders`). Returns the number of errors.
    """
    content_dir, out_dir = run_folders(content_dir, out_dir)
    findings, files = load_and_check(content_dir)
    report = render_report(findings, files)
    path = write_report(Path(out_dir), "check.md", report)
    create_markdown_artifact(
        key="content-check", markdown=report, description=summary(findings, files)
    )
    line = _("{summary}; report in {path}").format(summary=summary(findings, files), path=path)
    get_run_logger().info("%s", line)
    return count(findings, Severity.ERROR)
