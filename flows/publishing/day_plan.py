"""What is due on a day, over every channel: each asked with its own inputs (pure)."""

from __future__ import annotations

import dataclasses
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
    region: str = "",
) -> list[Edition[Any]]:
    """Every edition due on `day`, from every channel, in a stable order; each carries the
    region (so its key does) when the installation has several."""
    chosen = library.campaigns if campaigns is None else campaigns
    editions: list[Edition[Any]] = []
    for name, ch in channels().items():
        editions.extend(ch.plan(library, inputs[name].value, chosen, day, held))
    if region:
        editions = [dataclasses.replace(e, region=region) for e in editions]
    return sorted(editions, key=lambda e: (e.channel, e.target, e.campaign_id))
