"""Preview one message the way its readers will see it: a waiting-room slide and a newsletter.

For the comms team, right after writing or editing a message (drafts and inbox drafts too). It
writes `out/preview/<id>.<lang>/scherm/index.html` (the screen page with only this slide, beside
its playlist) and `nieuwsbrief.html` + `nieuwsbrief.txt` (a newsletter with only this block),
with the same renderers as publishing. It sends nothing and touches neither the ledger, the
state database nor the published folders, so it is safe to run as often as you like.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from channels.base import Context
from flows.checks import held_by_checks
from flows.core.errors import ContentError
from flows.core.findings import Finding
from flows.core.i18n import _
from flows.core.models import PUBLISHED, Message
from flows.core.settings import Settings
from flows.library.loader import Library, LoadLog, load_message
from flows.publishing.checking import check_all
from flows.publishing.inputs import Inputs
from flows.publishing.registry import channels


@dataclass
class Preview:
    """What `preview_message` wrote and found."""

    message: Message
    folder: Path
    files: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def find_message(library: Library, ref: str) -> tuple[Library, Message]:
    """The message `ref` names: a file path, or an id with an optional language (`id.en`).

    A file outside `messages/` (an inbox draft) is loaded on its own and the library returned
    holds it too, so the checks see it. Raises ContentError with advice when nothing matches.
    """
    path = Path(ref)
    if path.suffix == ".md" or path.exists():
        if not path.is_file():
            raise ContentError(_("message file not found: {path}").format(path=ref))
        wanted = path.resolve()
        for loaded in library.messages:
            if loaded.path.resolve() == wanted:
                return library, loaded
        log = LoadLog(library.root)  # its findings, without those of the whole folder
        message = load_message(path, log)
        if message is None:
            problems = "\n".join(f.format() for f in sorted(log.findings))
            raise ContentError(
                _(
                    "{path} cannot be read as a message:\n{problems}\nfix this, then preview again"
                ).format(path=ref, problems=problems)
            )
        return library.with_messages(message), message
    message_id, _dot, lang = ref.partition(".")
    found = library.message(message_id, lang or "nl")
    if found is None:
        languages = sorted(m.lang for m in library.messages if m.id == message_id)
        hint = (
            _("it exists in {languages}; write {ref}").format(
                languages=", ".join(languages), ref=f"{message_id}.{languages[0]}"
            )
            if languages
            else _("give the file's path, for example content/messages/slapen/vast-ritme.nl.md")
        )
        raise ContentError(_("no message {ref}: {hint}").format(ref=repr(ref), hint=hint))
    return library, found


def preview_message(
    library: Library,
    message: Message,
    settings: Settings,
    day: date,
    inputs: Inputs,
    skip: Collection[str] = frozenset(),
    *,
    register_links: bool = False,
) -> Preview:
    """Render `message` as every channel with a preview shows it (except the channels named in
    `skip`), under `out/preview/<id>.<lang>/`, with that file's findings. With
    `register_links` its short links answer at once (their redirect pages and state rows)."""
    folder = settings.out_dir / "preview" / f"{message.id}.{message.lang}"
    rel = library.rel(message.path)
    result = Preview(message, folder)
    result.findings = sorted(f for f in check_all(library, inputs, day) if f.path == rel)
    if message.key in held_by_checks(library, result.findings):
        result.notes.append(_("this message has errors: it is held back until they are fixed"))
    if message.status != PUBLISHED:
        result.notes.append(
            _(
                "status: {status}; it is published only after a review "
                "(./veerkracht review {path} --by NAME)"
            ).format(status=message.status, path=rel)
        )
    if message.valid_from > day:
        result.notes.append(
            _("shown from {day}, not before").format(day=message.valid_from.isoformat())
        )
    if message.valid_until is not None and message.valid_until < day:
        result.notes.append(
            _("valid until {day}: no longer shown").format(day=message.valid_until.isoformat())
        )
    ctx = Context(settings, folder, register_links=register_links)
    for name, ch in channels().items():
        if name in skip:
            continue
        result.files += ch.preview(message, library, inputs[name].value, ctx, day)
    return result
