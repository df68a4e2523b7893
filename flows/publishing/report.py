"""The publish report: what went where, what was held back and why, partner list problems."""

from __future__ import annotations

from flows.core.findings import Severity, count
from flows.infra import markdown_table
from flows.publishing.results import Outcome, PublishResult

MAX_IDS = 8  # a screen playlist can hold dozens; the report names the first few


def cell(text: object) -> str:
    """Text made safe for one Markdown table cell ("–" when empty): flows.infra.markdown_table."""
    return markdown_table.cell(text, empty="–")


def _messages(outcome: Outcome) -> str:
    ids = [f"{m.id} ({m.lang})" for m in outcome.edition.messages]
    shown = ", ".join(ids[:MAX_IDS])
    return shown + (f" and {len(ids) - MAX_IDS} more" if len(ids) > MAX_IDS else "")


def _notes(outcome: Outcome) -> str:
    if outcome.error:
        return outcome.error
    report = outcome.report
    if report is None:
        return ""
    parts = [f"{report.delivered} delivered"] if report.delivered else []
    if report.skipped:
        parts.append(f"{report.skipped} already there")
    if report.failed:
        parts.append(f"{report.failed} failed")
    parts.extend(report.notes[:3])
    return "; ".join(parts)


def render_report(result: PublishResult) -> str:
    """The whole report as Markdown (also the Prefect artifact `publish-report`)."""
    p = result.prepared
    lines = [f"# Publish report {p.day}", ""]
    errors, warnings = count(p.findings, Severity.ERROR), count(p.findings, Severity.WARNING)
    lines.append(
        f"- Content: {len(p.library.messages)} messages, {len(p.library.campaigns)} "
        f"campaigns; checks: {errors} errors, {warnings} warnings"
    )
    lines.append(f"- Links: {p.links_note}")
    if result.took_over is not None:
        lines.append(
            f"- Took this day over from a run that stopped ({cell(result.took_over.describe())}): "
            "what it had sent is not sent again; what it was sending has an unknown outcome"
        )
    lines += [f"- {line}" for notes in p.channel_notes.values() for line in notes.summary]
    if not result.outcomes:
        lines += ["", "Nothing is due on this day."]
    elif result.nothing_new:
        lines += [
            "",
            (
                f"**Nothing new**: all {len(result.outcomes)} editions of this day were "
                "already published; nothing was sent or written twice."
            ),
        ]
    lines += ["", "## What went where", ""]
    if result.outcomes:
        lines += [
            "| channel | target | campaign | status | messages | notes |",
            "|---|---|---|---|---|---|",
        ]
        for o in result.outcomes:
            e = o.edition
            lines.append(
                f"| {cell(e.channel)} | {cell(e.target)} | {cell(e.campaign_id)} | "
                f"{cell(o.status)} | {cell(_messages(o))} | {cell(_notes(o))} |"
            )
    else:
        lines.append("No editions.")
    lines += ["", "## Held back", ""]
    if p.held:
        lines += [
            (
                "These messages did not go out. Fix what is named and they go out with the "
                "next edition."
            ),
            "",
            "| message | language | why |",
            "|---|---|---|",
        ]
        for (mid, lang), reason in sorted(p.held.items()):
            lines.append(f"| {cell(mid)} | {cell(lang)} | {cell(reason)} |")
    else:
        lines.append("Nothing was held back.")
    for notes in p.channel_notes.values():
        if notes.section:
            lines += ["", *notes.section]
    if result.unknown:
        lines += [
            "",
            "## Unknown outcome",
            "",
            (
                f"{result.unknown} message(s) were handed to the mail server, which never "
                "confirmed them (see the notes above). They are not sent again by themselves, and "
                "this run counts as failed until a person decides: ask the mail server's operator "
                "whether they arrived; if not, run `veerkracht newsletter send "
                "--resend-unconfirmed`."
            ),
        ]
    failed = result.failed
    if failed:
        lines += ["", "## Not delivered", ""]
        lines += [f"- {cell(o.edition.key)}: {cell(o.error or _notes(o))}" for o in failed]
    return "\n".join(lines) + "\n"
