"""The feeds' section of a campaign file."""

from __future__ import annotations

from pydantic import Field

from flows.core.models import Strict


class FeedsSettings(Strict):
    """`channels.feeds` in a campaign file."""

    cadence: str = "weekly on monday"
    items: int = Field(20, ge=1, le=500)  # entries kept in the feed
    per_edition: int = Field(3, ge=1, le=50)  # new entries each time the cadence is due
