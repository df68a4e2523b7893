"""The publish report: what went where, what was held back and why, partner list problems."""

from __future__ import annotations

from flows.core.findings import Severity, count
from flows.core.i18n import N_, _, ngettext
from flows.infra import markdown_table
from flows.publishing.results import Outcome, PublishResult

MAX_IDS = 8  # a screen playlist can hold dozens; the report names the first few

# An outcome's status (flows.publishing.results.Outcome.status) as people read it.
STATUS_LABELS = {
    "published": N_("published"),
    "updated": N_("updated"),
    "nothing new": N_("nothing new"),
    "failed": N_("failed"),
}


def status_label(status: str) -> str:
    """An outcome's status in the current language."""
    label = STATUS_LABELS.get(status, status)
    return _(label)


def cell(text: object) -> str:
    """Text made safe for one Markdown table cell ("–" when empty): flows.infra.markdown_table."""
    return markdown_table.cell(text, empty="–")


def _messages(outcome: Outcome) -> str:
    ids = [f"{m.id} ({m.lang})" for m in outcome.edition.messages]
    shown = ", ".join(ids[:MAX_IDS])
    if len(ids) <= MAX_IDS:
        return shown
    return _("{shown} and {more} more").format(shown=shown, more=len(ids) - MAX_IDS)


def _notes(outcome: Outcome) -> str:
    if outcome.error:
        return outcome.error
    report = outcome.report
    if report is None:
        return ""
    parts = [_("{n} delivered").format(n=report.delivered)] if report.delivered else []
    if report.skipped:
        parts.append(_("{n} already there").format(n=report.skipped))
    if report.failed:
        parts.append(_("{n} failed").format(n=report.failed))
    parts.extend(report.notes[:3])
    return "; ".join(parts)


def render_report(result: PublishResult) -> str:
    """The whole report as Markdown (also the Prefect artifact `publish-report`)."""
    p = result.prepared
    lines = ["# " + _("Publish report {day}").format(day=p.day), ""]
    errors, warnings = count(p.findings, Severity.ERROR), count(p.findings, Severity.WARNING)
    messages, campaigns = len(p.library.messages), len(p.library.campaigns)
    lines.append(
        "- "
        + _("Content: {messages}, {campaigns}; checks: {errors}, {warnings}").format(
            messages=ngettext("{n} message", "{n} messages", messages).format(n=messages),
            campaigns=ngettext("{n} campaign", "{n} campaigns", campaigns).format(n=campaigns),
            errors=ngettext("{n} error", "{n} errors", errors).format(n=errors),
            warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings),
        )
    )
    lines.append("- " + _("Links: {note}").format(note=p.links_note))
    if result.took_over is not None:
        lines.append(
            "- "
            + _(
                "Took this day over from a run that stopped ({holder}): what it had sent is not "
                "sent again; what it was sending has an unknown outcome"
            ).format(holder=cell(result.took_over.describe()))
        )
    lines += [f"- {line}" for notes in p.channel_notes.values() for line in notes.summary]
    if not result.outcomes:
        lines += ["", _("Nothing is due on this day.")]
    elif result.nothing_new:
        lines += [
            "",
            ngettext(
                "**Nothing new**: the {n} edition of this day was already published; nothing "
                "was sent or written twice.",
                "**Nothing new**: all {n} editions of this day were already published; nothing "
                "was sent or written twice.",
                len(result.outcomes),
            ).format(n=len(result.outcomes)),
        ]
    lines += ["", "## " + _("What went where"), ""]
    if result.outcomes:
        headers = [
            _("channel"),
            _("target"),
            _("campaign"),
            _("status"),
            _("messages"),
            _("notes"),
        ]
        lines += ["| " + " | ".join(headers) + " |", "|---|---|---|---|---|---|"]
        for o in result.outcomes:
            e = o.edition
            lines.append(
                f"| {cell(e.channel)} | {cell(e.target)} | {cell(e.campaign_id)} | "
                f"{cell(status_label(o.status))} | {cell(_messages(o))} | {cell(_notes(o))} |"
            )
    else:
        lines.append(_("No editions."))
    lines += ["", "## " + _("Held back"), ""]
    if p.held:
        lines += [
            _(
                "These messages did not go out. Fix what is named and they go out with the "
                "next edition."
            ),
            "",
            "| " + " | ".join([_("message"), _("language"), _("why")]) + " |",
            "|---|---|---|",
        ]
        for (mid, lang), reason in sorted(p.held.items()):
            lines.append(f"| {cell(mid)} | {cell(lang)} | {cell(reason)} |")
    else:
        lines.append(_("Nothing was held back."))
    for notes in p.channel_notes.values():
        if notes.section:
            lines += ["", *notes.section]
    if result.unknown:
        lines += [
            "",
            "## " + _("Unknown outcome"),
            "",
            ngettext(
                "{n} message was handed to the mail server, which never confirmed it (see the "
                "notes above). It is not sent again by itself, and this run counts as failed "
                "until a person decides: ask the mail server's operator whether it arrived; if "
                "not, run `veerkracht newsletter send --resend-unconfirmed`.",
                "{n} messages were handed to the mail server, which never confirmed them (see the "
                "notes above). They are not sent again by themselves, and this run counts as "
                "failed until a person decides: ask the mail server's operator whether they "
                "arrived; if not, run `veerkracht newsletter send --resend-unconfirmed`.",
                result.unknown,
            ).format(n=result.unknown),
        ]
    failed = result.failed
    if failed:
        lines += ["", "## " + _("Not delivered"), ""]
        lines += [f"- {cell(o.edition.key)}: {cell(o.error or _notes(o))}" for o in failed]
    return "\n".join(lines) + "\n"
