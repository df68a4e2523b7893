"""What is due on a day, over every channel: each asked with its own inputs (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from channels.base import Edition, Held
from flows.core.models import Campaign
from flows.library.loader import Library
from flows.publishing.inputs import Inputs
from flows.publishing.registry import channels


def plan_day(
    library: Library,
    inputs: Inputs,
    day: date,
    held: Held = frozenset(),
    campaigns: Sequence[Campaign] | None = None,
) -> list[Edition[Any]]:
    """Every edition due on `day`, from every channel, in a stable order."""
    chosen = library.campaigns if campaigns is None else campaigns
    editions: list[Edition[Any]] = []
    for name, ch in channels().items():
        editions.extend(ch.plan(library, inputs[name].value, chosen, day, held))
    return sorted(editions, key=lambda e: (e.channel, e.target, e.campaign_id))
