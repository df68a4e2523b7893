"""Screen editions built by hand, as the screens planner would make them (no tests here).

Used by the screens tests and by `bench/screens.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from channels.base import Edition
from channels.screens.config import Screen
from channels.screens.payload import ScreenPayload
from flows.core.models import Message
from flows.library.loader import Library
from tests.channel_inputs import screens_of

TEST_SCREEN = "wachtkamer-test"  # the screen of tests/fixtures/screens/content/screens.yaml


def screen_edition(
    screen: Screen,
    messages: Sequence[Message],
    *,
    day: date,
    campaign_id: str = "test-campagne",
    campaign_title: str = "Testcampagne",
    generated_at: datetime | None = None,
    campaign_until: date | None = None,
) -> Edition[ScreenPayload]:
    """One day's edition for `screen` with `messages` as its slides, in Dutch (the campaign's
    last day `campaign_until`, or none)."""
    return Edition(
        channel="screens",
        target=screen.id,
        day=day,
        campaign_id=campaign_id,
        campaign_title=campaign_title,
        lang="nl",
        audiences=screen.audiences,
        messages=tuple(messages),
        payload=ScreenPayload(
            screen, campaign_ends=(campaign_until,) * len(messages), generated_at=generated_at
        ),
    )


def wachtkamer_edition(
    library: Library,
    ids: Sequence[str],
    *,
    day: date,
    generated_at: datetime | None = None,
    campaign_until: date | None = None,
    **screen_update: Any,
) -> Edition[ScreenPayload]:
    """The edition of `TEST_SCREEN` with the library's messages `ids` (those it has).

    `screen_update` changes fields of the screen first (slide_seconds, opening_hours).
    """
    screen = next(s for s in screens_of(library) if s.id == TEST_SCREEN)
    if screen_update:
        screen = screen.model_copy(update=screen_update)
    messages = [m for i in ids if (m := library.message(i)) is not None]
    return screen_edition(
        screen, messages, day=day, generated_at=generated_at, campaign_until=campaign_until
    )
