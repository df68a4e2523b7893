"""The ingest report for people: new drafts per source, sources failing, links to each draft."""

from __future__ import annotations

import os
from pathlib import Path

from flows.core.clock import TIMEZONE
from flows.core.findings import Severity
from flows.infra.markdown_table import cell, link
from flows.infra.outputs import write_report
from flows.ingest.run import IngestResult, SourceResult

_STATUS = {
    "new": "new drafts",
    "no-news": "read, nothing new",
    "not-modified": "unchanged since last run",
    "failed": "failed",
    "gone": "gone (410)",
    "disabled": "disabled",
}


def _link(path: Path, link_from: Path | None) -> str:
    if link_from is None:
        return path.as_posix()
    return Path(os.path.relpath(path.resolve(), link_from.resolve())).as_posix()


def summary_line(result: IngestResult) -> str:
    """One line: sources read, drafts written, sources failing and needing attention."""
    attention = sum(1 for r in result.sources if r.needs_attention)
    return (
        f"{len(result.sources)} source(s): {result.new_drafts} new draft(s), "
        f"{len(result.failing)} failing, {attention} need(s) attention"
    )


def render_report(result: IngestResult, link_from: Path | None = None) -> str:
    """Markdown report; draft links are relative to `link_from` (the report's folder) if given."""
    started = result.started.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M")
    lines = [f"# Feed ingest {started}", "", summary_line(result) + ".", ""]
    attention = [r for r in result.sources if r.needs_attention]
    if attention:
        lines += ["## Needs attention", ""]
        lines += [
            f"- **{r.source.name}**: {cell(r.error)} ({r.failures} failed run(s) in a row)"
            for r in attention
        ]
        lines.append("")
    if result.sources:
        lines += [
            "## Sources",
            "",
            "| source | result | entries | new drafts | note |",
            "|---|---|---:|---:|---|",
        ]
        lines += [_row(r) for r in result.sources]
        lines.append("")
    with_drafts = [r for r in result.sources if r.drafts]
    if with_drafts:
        lines += ["## New drafts to review", ""]
        for r in with_drafts:
            lines.append(f"### {r.source.name}")
            lines.append("")
            lines += [f"- {link(d.title, _link(d.path, link_from))}" for d in r.drafts]
            lines.append("")
    notes = [f for f in result.all_findings if f.severity is not Severity.ERROR]
    errors = [f for f in result.all_findings if f.severity is Severity.ERROR]
    if errors or notes:
        lines += ["## Findings", ""]
        # Not a code span: a backtick in a feed title would end it and let the rest format.
        lines += [f"- {cell(f.format())}" for f in errors + notes]
        lines.append("")
    lines.append(
        "Drafts wait in `content/inbox/`: review one, set `status: published` and move it "
        "to `content/messages/<theme>/` to publish it."
    )
    return "\n".join(lines) + "\n"


def _row(r: SourceResult) -> str:
    note = r.error
    if r.skipped:
        note = f"{r.skipped} older new entries skipped"
    return (
        f"| {r.source.name} | {_STATUS.get(r.status, r.status)} | {r.entries} | "
        f"{len(r.drafts)} | {cell(note)} |"
    )


def write_ingest_report(result: IngestResult, out_dir: Path) -> tuple[Path, str]:
    """Write `reports/ingest.md` (draft links relative to it); returns (path, text)."""
    folder = out_dir / "reports"
    text = render_report(result, link_from=folder)
    return write_report(out_dir, "ingest.md", text), text
