"""Schema rules the loader cannot see from one file alone: ids, file names and folders.

S116 the same id and language twice, S117 file name not `<id>.<lang>.md`, S118 folder not the
theme, S119 `status: gepubliceerd` without `reviewed_by` or `reviewed_on` (the loader reports a
missing or unknown status under S119 too). (S100-S115 come from the loader, URLs and raw HTML
from `safety`, campaigns from `campaigns`.)
"""

from __future__ import annotations

from collections.abc import Iterator

from flows.checks.context import Context
from flows.core.findings import Finding, Severity
from flows.core.i18n import _
from flows.core.models import PUBLISHED, Message


def check(ctx: Context) -> Iterator[Finding]:
    """Duplicate ids, file names and folders of messages."""
    first: dict[tuple[str, str], str] = {}
    for message in sorted(ctx.library.messages, key=lambda m: str(m.path)):
        rel = ctx.rel(message)
        other = first.setdefault(message.key, rel)
        if other != rel:
            yield ctx.at_field(
                message,
                "id",
                "S116",
                Severity.ERROR,
                _(
                    "duplicate message: id '{id}' in language '{lang}' is also used in "
                    "{other}; give one of them another id (a translation keeps the id but has "
                    "another lang)"
                ).format(id=message.id, lang=message.lang, other=other),
            )
        expected = f"{message.id}.{message.lang}.md"
        if message.path.name != expected and {"id", "lang"} <= message.field_lines.keys():
            yield ctx.at_field(
                message,
                "id",
                "S117",
                Severity.ERROR,
                _(
                    "file name '{name}' does not match id '{id}' and lang '{lang}'; rename the "
                    "file to {expected} (or correct id or lang)"
                ).format(
                    name=message.path.name, id=message.id, lang=message.lang, expected=expected
                ),
            )
        if message.status == PUBLISHED:
            yield from _reviewed(ctx, message, rel)
        folder = message.path.parent.name
        if folder != message.theme and "theme" in message.field_lines:
            yield ctx.at_field(
                message,
                "theme",
                "S118",
                Severity.ERROR,
                _(
                    "the file is in folder '{folder}' but its theme is '{theme}'; move it to "
                    "messages/{theme}/ or correct the theme"
                ).format(folder=folder, theme=message.theme),
            )


def _reviewed(ctx: Context, message: Message, rel: str) -> Iterator[Finding]:
    """S119 for a published message nobody is named as having reviewed."""
    missing = [] if (message.reviewed_by or "").strip() else ["reviewed_by"]
    if message.reviewed_on is None:
        missing.append("reviewed_on")
    if not missing:
        return
    if len(missing) == 1:
        what = _("status is gepubliceerd but {field} is missing").format(field=missing[0])
    else:
        what = _("status is gepubliceerd but {first} and {second} are missing").format(
            first=missing[0], second=missing[1]
        )
    yield ctx.at_field(
        message,
        "status",
        "S119",
        Severity.ERROR,
        _(
            "{what}: a message goes out only after a colleague has read it; ask them to run "
            "./veerkracht review {path} --by NAME (it fills in both), or set status: "
            "klaar-voor-review"
        ).format(what=what, path=rel),
    )
