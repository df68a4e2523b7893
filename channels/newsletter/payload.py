"""What the newsletter planner hands the renderer, and what rendering hands delivery."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from channels.newsletter.compose import Content
    from channels.newsletter.mime import MimeTemplate


@dataclass(frozen=True)
class NewsletterPayload:
    """One edition for a group of partners: who gets it and how its items were chosen.

    `fallback` lists the (id, lang) of items sent in Dutch in another language's edition;
    `recipients` is (address, organisation) per partner, streamed by delivery.
    """

    kind: str
    edition_number: int = 0
    staff: str | None = None
    fallback: tuple[tuple[str, str], ...] = ()
    recipients: tuple[tuple[str, str], ...] = ()
    example: bool = False  # the recipients come from the bundled example partner list
    # Why the partner list cannot be used: the edition stands for the newsletter that cannot go
    # out, and rendering it fails the channel for the run (PartnerListUnusable).
    unusable: str = ""


@dataclass(frozen=True)
class NewsletterMeta:
    """An edition rendered once: its content, the e-mail HTML and text, the MIME template."""

    content: Content
    html: str
    text: str
    mime: MimeTemplate
