"""What the screens planner hands the renderer: typed, so mypy sees every field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from channels.screens.config import Screen


@dataclass(frozen=True)
class ScreenPayload:
    """One screen's edition: the screen, and per slide its campaign's title and seconds.

    `generated_at` is None when planned; a golden test pins it to compare outputs.
    """

    screen: Screen
    seconds_each: tuple[int, ...] = ()
    campaign_titles: tuple[str, ...] = ()
    generated_at: datetime | None = None


@dataclass(frozen=True)
class ScreenMeta:
    """What rendering a screen tells delivery: the playlist version."""

    version: str
