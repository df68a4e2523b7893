"""The date rule: "today" is the calendar day in Europe/Amsterdam, where the campaign runs.

Never the machine's own zone (a server in UTC would otherwise publish Monday's edition on Sunday
evening) and never a naive datetime, which could mean either.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Europe/Amsterdam")


def now() -> datetime:
    """The current time in Europe/Amsterdam (aware)."""
    return datetime.now(TIMEZONE)


def today(at: datetime | None = None) -> date:
    """The day it is in Europe/Amsterdam at the instant `at` (default: now).

    `at` must carry a time zone; a naive datetime raises ValueError instead of being guessed.
    """
    if at is None:
        return now().date()
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at.isoformat()} has no time zone; pass an aware datetime")
    return at.astimezone(TIMEZONE).date()
