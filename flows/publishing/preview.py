"""Preview one message the way its readers will see it: a waiting-room slide and a newsletter.

For the comms team, right after writing or editing a message (drafts and inbox drafts too). It
writes `out/preview/<id>.<lang>/scherm/index.html` (the screen page with only this slide, beside
its playlist) and `nieuwsbrief.html` + `nieuwsbrief.txt` (a newsletter with only this block),
with the same renderers as publishing. It sends nothing and touches neither the ledger, the
state database nor the published folders, so it is safe to run as often as you like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from channels.base import Context, Edition
from flows.checks import held_by_checks, run_checks
from flows.core.errors import ContentError
from flows.core.findings import Finding
from flows.core.models import Message, Screen
from flows.core.settings import Settings
from flows.infra.outputs import replace_dir_atomic, write_atomic
from flows.library.loader import Library, load_message

PREVIEW_TITLE = "Voorbeeld"  # shown in the slide's footer and the newsletter's subject


@dataclass
class Preview:
    """What `preview_message` wrote and found."""

    message: Message
    folder: Path
    files: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def find_message(library: Library, ref: str) -> Message:
    """The message `ref` names: a file path, or an id with an optional language (`id.en`).

    A file outside `messages/` (an inbox draft) is loaded on its own and added to the library,
    so the checks see it too. Raises ContentError with advice when nothing matches.
    """
    path = Path(ref)
    if path.suffix == ".md" or path.exists():
        if not path.is_file():
            raise ContentError(f"message file not found: {ref}")
        wanted = path.resolve()
        for loaded in library.messages:
            if loaded.path.resolve() == wanted:
                return loaded
        scratch = Library(root=library.root)  # its findings, without those of the whole folder
        message = load_message(path, scratch)
        if message is None:
            problems = "\n".join(f.format() for f in sorted(scratch.findings))
            raise ContentError(
                f"{ref} cannot be read as a message:\n{problems}\nfix this, then preview again"
            )
        library.messages.append(message)
        return message
    message_id, _, lang = ref.partition(".")
    found = library.message(message_id, lang or "nl")
    if found is None:
        languages = sorted(m.lang for m in library.messages if m.id == message_id)
        hint = (
            f"it exists in {', '.join(languages)}; write {message_id}.{languages[0]}"
            if languages
            else "give the file's path, for example content/messages/slapen/vast-ritme.nl.md"
        )
        raise ContentError(f"no message {ref!r}: {hint}")
    return found


def preview_screen(message: Message, library: Library) -> Screen:
    """The screen to show it on: the first configured one for its audience and language, or a
    plain one; always open, so the slide shows at any hour."""
    for screen in library.screens:
        if screen.language == message.lang and set(screen.audiences) & set(message.audiences):
            return screen.model_copy(update={"opening_hours": {}})
    return Screen(
        id="voorbeeld", location=PREVIEW_TITLE, audiences=message.audiences, language=message.lang
    )


def _always_valid(message: Message, day: date) -> Message:
    # The page hides a slide outside its dates by the screen's own clock; a preview is for
    # looking at it now.
    return message.model_copy(
        update={"valid_from": min(message.valid_from, day), "valid_until": None}
    )


def preview_message(library: Library, message: Message, settings: Settings, day: date) -> Preview:
    """Render `message` for a screen and a newsletter under `out/preview/<id>.<lang>/`."""
    # Imported here: the renderers pull in Jinja2, css-inline and segno, which only this needs.
    from channels.newsletter.render import render_edition
    from channels.screens import CHANNEL as SCREENS

    folder = settings.out_dir / "preview" / f"{message.id}.{message.lang}"
    rel = library.rel(message.path)
    result = Preview(message, folder)
    result.findings = sorted(f for f in run_checks(library, day) if f.path == rel)
    if message.key in held_by_checks(library, result.findings):
        result.notes.append("this message has errors: it is held back until they are fixed")
    if message.status == "draft":
        result.notes.append("status: draft; it is published only after 'status: published'")
    if message.valid_from > day:
        result.notes.append(f"shown from {message.valid_from.isoformat()}, not before")
    if message.valid_until is not None and message.valid_until < day:
        result.notes.append(f"valid until {message.valid_until.isoformat()}: no longer shown")

    screen = preview_screen(message, library)
    slide = _always_valid(message, day)
    ctx = Context(settings, folder)
    on_screen = Edition(
        channel="screens",
        target=screen.id,
        day=day,
        campaign_id="voorbeeld",
        campaign_title=PREVIEW_TITLE,
        lang=screen.language,
        audiences=screen.audiences,
        messages=(slide,),
        params={
            "screen": screen,
            "slide_seconds": screen.slide_seconds,
            "seconds_each": (screen.slide_seconds,),
            "campaign_titles": (PREVIEW_TITLE,),
        },
    )
    replace_dir_atomic(folder / "scherm", SCREENS.render(on_screen, ctx).files)
    result.files.append(folder / "scherm" / "index.html")

    in_mail = Edition(
        channel="newsletter",
        target="voorbeeld",
        day=day,
        campaign_id="voorbeeld",
        campaign_title=PREVIEW_TITLE,
        lang=message.lang,
        audiences=message.audiences,
        messages=(message,),
        params={"fallback": ()},
    )
    for rel_path, data in render_edition(in_mail, settings).files.items():
        path = folder / ("nieuwsbrief.html" if rel_path.endswith(".html") else "nieuwsbrief.txt")
        write_atomic(path, data)
        result.files.append(path)
    return result
