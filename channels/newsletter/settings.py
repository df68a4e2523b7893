"""The newsletter's section of a campaign file, and one row of the partner list."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from flows.core.models import Audience, Lang, Strict


class NewsletterSettings(Strict):
    """`channels.newsletter` in a campaign file."""

    cadence: str = "every 2 weeks on tuesday"
    items: int = Field(3, ge=1, le=10)


class Partner(Strict):
    """A row of the partner list."""

    organisation: str = Field(min_length=1)
    kind: Literal["kinderopvang", "school"]
    email: str
    audiences: tuple[Audience, ...] = Field(min_length=1)
    language: Lang = "nl"
    unsubscribed: bool = False
    line: int = 1
