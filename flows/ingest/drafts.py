"""Write one draft message per new feed entry under `content/inbox/<source>/`.

A draft is a normal message file with `status: concept`, so the comms team reviews it in the same
editor and with the same checks. It is validated against `Message` before it is written; the
loader never reads `inbox/`, so nothing here reaches a channel until a person moves it into
`messages/` and has it reviewed (`veerkracht review`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from flows.core import text as unsafe_text
from flows.core.i18n import _
from flows.core.models import Message, Resource, ScreenText, Source, StyleLimits
from flows.infra.outputs import write_atomic
from flows.ingest.entries import Entry
from flows.ingest.htmlmd import escape_text, plain_text, shorten, to_markdown

REVIEW_AFTER = timedelta(days=365)  # material from a national source is re-checked yearly
SLUG_CHARS = 50
_LIMITS = StyleLimits()


@dataclass(frozen=True)
class Draft:
    """A written (or already present) draft."""

    path: Path
    message_id: str
    title: str


# libyaml's C emitter when present (several times faster; same output for these plain fields).
_SafeDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_SafeDumper):  # type: ignore[misc]
    """Safe YAML without anchors: the loader refuses aliases in content files."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def slugify(text: str, limit: int = SLUG_CHARS) -> str:
    """Lowercase ASCII words joined by dashes, cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug.strip("-")


def message_id(source: Source, entry: Entry) -> str:
    """`<source>-<title slug>-<6 hex>`: readable, and unique because the tail comes from the key."""
    tail = hashlib.sha256(entry.keys[0].encode("utf-8")).hexdigest()[:6]
    slug = slugify(entry.title) or "bericht"
    return f"{source.name}-{slug}-{tail}"


def _clean(text: str, *, one: bool = False) -> str:
    """Feed text at the edge where it enters (the rule of flows.core.text): bidi controls go,
    line and paragraph separators become line breaks (a space where one line is wanted), other
    control characters go. So a draft never carries what the loader would refuse (S108)."""
    if text.isascii() and text.isprintable():
        return text
    out = []
    for ch in text:
        if ch in unsafe_text.BIDI:
            continue
        if ch in unsafe_text.SEPARATORS or ch == "\x85":
            out.append(" " if one else "\n")
        elif unsafe_text.is_unsafe(ch):
            continue
        else:
            out.append(ch)
    cleaned = "".join(out)
    return " ".join(cleaned.split()) if one else cleaned


def build_message(source: Source, entry: Entry, today: date) -> Message:
    """The draft as a validated Message (raises ValueError if it would not load)."""
    entry = dataclasses.replace(
        entry, title=_clean(entry.title, one=True), summary_html=_clean(entry.summary_html)
    )
    title = entry.title or f"Bericht van {source.name}"
    summary_text = plain_text(entry.summary_html)
    resources = (Resource(title=shorten(title, 120), url=entry.link),) if entry.link else ()
    return Message(
        id=message_id(source, entry),
        lang="nl",
        title=title,
        theme=source.theme,
        audiences=source.audiences,
        body=build_body(source, entry),
        screen=ScreenText(
            headline=shorten(title, _LIMITS.screen_headline_chars),
            text=shorten(summary_text or title, _LIMITS.screen_text_chars),
        ),
        resources=resources,
        valid_from=entry.day,
        review_by=today + REVIEW_AFTER,
        status="concept",
    )


def build_body(source: Source, entry: Entry) -> str:
    """The summary as safe Markdown, then where it came from and under which licence."""
    parts = (
        [to_markdown(entry.summary_html, entry.link or source.url)]
        if entry.summary_html.strip()
        else []
    )
    credit = escape_text(source.attribution or source.name)
    line = f"*Bron: {credit}"
    if source.licence:
        line += f". Licentie: {escape_text(source.licence)}"
    parts.append(line + ".*")
    return "\n\n".join(p for p in parts if p)


def render(message: Message, source: Source, today: date) -> str:
    """The draft file's text: a comment for the reviewer, front matter, body."""
    fields: dict[str, Any] = {
        "id": message.id,
        "lang": message.lang,
        "status": message.status,
        "title": message.title,
        "theme": message.theme,
        "audiences": list(message.audiences),
        "screen": {"headline": message.screen.headline, "text": message.screen.text},
        "resources": [{"title": r.title, "url": r.url} for r in message.resources],
        "valid_from": message.valid_from,
        "review_by": message.review_by,
    }
    if not fields["resources"]:
        del fields["resources"]
    front = yaml.dump(fields, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)
    comment = _(
        "# Draft from feed '{name}', fetched {day}. Review and rewrite it\n"
        "# for our audiences, move it to messages/{theme}/ and have it reviewed\n"
        "# (./veerkracht review FILE --by NAME sets status: gepubliceerd).\n"
    ).format(name=source.name, day=today.isoformat(), theme=message.theme)
    return f"---\n{comment}{front}---\n\n{message.body}\n"


def draft_path(inbox: Path, source: Source, message: Message) -> Path:
    """`inbox/<source>/<date>-<slug>.nl.md` (the slug is the id without the source prefix)."""
    slug = message.id.removeprefix(source.name + "-")
    return inbox / source.name / f"{message.valid_from.isoformat()}-{slug}.{message.lang}.md"


def write_draft(inbox: Path, source: Source, entry: Entry, today: date) -> Draft:
    """Validate and write one draft atomically; returns where it went."""
    message = build_message(source, entry, today)
    path = draft_path(inbox, source, message)
    write_atomic(path, render(message, source, today), durable=False)  # synced per source
    return Draft(path=path, message_id=message.id, title=message.title)
