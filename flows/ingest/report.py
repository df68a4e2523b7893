"""The ingest report for people: new drafts per source, sources failing, links to each draft."""

from __future__ import annotations

import os
from pathlib import Path

from flows.core.clock import TIMEZONE
from flows.core.findings import Severity
from flows.core.i18n import N_, _, ngettext
from flows.infra.markdown_table import cell, link
from flows.infra.outputs import write_report
from flows.ingest.run import IngestResult, SourceResult

_STATUS = {
    "new": N_("new drafts"),
    "no-news": N_("read, nothing new"),
    "not-modified": N_("unchanged since last run"),
    "failed": N_("failed"),
    "gone": N_("gone (410)"),
    "disabled": N_("disabled"),
}


def _link(path: Path, link_from: Path | None) -> str:
    if link_from is None:
        return path.as_posix()
    return Path(os.path.relpath(path.resolve(), link_from.resolve())).as_posix()


def summary_line(result: IngestResult) -> str:
    """One line: sources read, drafts written, sources failing and needing attention."""
    attention = sum(1 for r in result.sources if r.needs_attention)
    sources, failing = len(result.sources), len(result.failing)
    return _("{sources}: {drafts}, {failing}, {attention}").format(
        sources=ngettext("{n} source", "{n} sources", sources).format(n=sources),
        drafts=ngettext("{n} new draft", "{n} new drafts", result.new_drafts).format(
            n=result.new_drafts
        ),
        failing=ngettext("{n} failing", "{n} failing", failing).format(n=failing),
        attention=ngettext("{n} needs attention", "{n} need attention", attention).format(
            n=attention
        ),
    )


def render_report(result: IngestResult, link_from: Path | None = None) -> str:
    """Markdown report; draft links are relative to `link_from` (the report's folder) if given."""
    started = result.started.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M")
    lines = [
        _("# Feed ingest {started}").format(started=started),
        "",
        summary_line(result) + ".",
        "",
    ]
    attention = [r for r in result.sources if r.needs_attention]
    if attention:
        lines += [_("## Needs attention"), ""]
        lines += [
            "- "
            + ngettext(
                "**{name}**: {error} ({n} failed run in a row)",
                "**{name}**: {error} ({n} failed runs in a row)",
                r.failures,
            ).format(name=r.source.name, error=cell(r.error), n=r.failures)
            for r in attention
        ]
        lines.append("")
    if result.sources:
        lines += [
            _("## Sources"),
            "",
            _("| source | result | entries | new drafts | note |"),
            "|---|---|---:|---:|---|",
        ]
        lines += [_row(r) for r in result.sources]
        lines.append("")
    with_drafts = [r for r in result.sources if r.drafts]
    if with_drafts:
        lines += [_("## New drafts to review"), ""]
        for r in with_drafts:
            lines.append(f"### {r.source.name}")
            lines.append("")
            lines += [f"- {link(d.title, _link(d.path, link_from))}" for d in r.drafts]
            lines.append("")
    notes = [f for f in result.all_findings if f.severity is not Severity.ERROR]
    errors = [f for f in result.all_findings if f.severity is Severity.ERROR]
    if errors or notes:
        lines += [_("## Findings"), ""]
        # Not a code span: a backtick in a feed title would end it and let the rest format.
        lines += [f"- {cell(f.format())}" for f in errors + notes]
        lines.append("")
    lines.append(
        _(
            "Drafts wait in `content/inbox/`: rewrite one for our audiences, move it to "
            "`content/messages/<theme>/` and have it reviewed (`./veerkracht review FILE --by "
            "NAME` publishes it)."
        )
    )
    return "\n".join(lines) + "\n"


def _row(r: SourceResult) -> str:
    note = r.error
    if r.skipped:
        note = ngettext(
            "{n} older new entry skipped", "{n} older new entries skipped", r.skipped
        ).format(n=r.skipped)
    status = _(_STATUS[r.status]) if r.status in _STATUS else r.status
    return f"| {r.source.name} | {status} | {r.entries} | {len(r.drafts)} | {cell(note)} |"


def write_ingest_report(result: IngestResult, out_dir: Path) -> tuple[Path, str]:
    """Write `reports/ingest.md` (draft links relative to it); returns (path, text)."""
    folder = out_dir / "reports"
    text = render_report(result, link_from=folder)
    return write_report(out_dir, "ingest.md", text), text
