"""What the screens planner hands the renderer: typed, so mypy sees every field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from channels.screens.config import Screen


@dataclass(frozen=True)
class ScreenPayload:
    """One screen's edition: the screen, and per slide its campaign's title, seconds and last day
    (the page hides a slide after it by the screen's own clock; None: no end).

    `generated_at` is None when planned; a golden test pins it to compare outputs.
    """

    screen: Screen
    seconds_each: tuple[int, ...] = ()
    campaign_titles: tuple[str, ...] = ()
    campaign_ends: tuple[date | None, ...] = ()
    generated_at: datetime | None = None


@dataclass(frozen=True)
class ScreenMeta:
    """What rendering a screen tells delivery: the playlist version."""

    version: str
