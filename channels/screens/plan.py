"""Which slides each waiting-room screen rotates on a day: one edition per screen per day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from channels.base import Edition
from flows.core.models import Campaign, Message, Screen
from flows.planning.rotation import select

if TYPE_CHECKING:
    from flows.library.loader import Library

CHANNEL_NAME = "screens"


def campaigns_for(screen: Screen, campaigns: Sequence[Campaign], day: date) -> list[Campaign]:
    """Campaigns running on `day` with a screens channel that reaches this screen."""
    out = []
    for campaign in campaigns:
        cadence = campaign.channels.screens
        if cadence is None or day not in campaign.period:
            continue
        if cadence.screens:
            if screen.id in cadence.screens:
                out.append(campaign)
        elif not set(screen.audiences).isdisjoint(campaign.audiences):
            out.append(campaign)
    return sorted(out, key=lambda c: c.id)


def _seconds(screen: Screen, campaign: Campaign) -> int:
    cadence = campaign.channels.screens
    # The campaign's seconds win only when the comms team wrote them; else the screen's own.
    if cadence is not None and "slide_seconds" in cadence.model_fields_set:
        return cadence.slide_seconds
    return screen.slide_seconds


def plan_screen(
    library: Library,
    screen: Screen,
    campaigns: Sequence[Campaign],
    day: date,
    held: frozenset[tuple[str, str]],
    memo: dict[tuple[object, ...], list[tuple[Message, Campaign]]] | None = None,
) -> Edition:
    """The edition of one screen: each campaign's fair rotation, interleaved."""
    running = campaigns_for(screen, campaigns, day)
    # Screens with the same audiences, language and campaigns get the same slides: compute once.
    key = (tuple(sorted(screen.audiences)), screen.language, tuple(c.id for c in running))
    slides = memo.get(key) if memo is not None else None
    if slides is None:
        slides = _slides(library, screen, running, day, held)
        if memo is not None:
            memo[key] = slides
    return Edition(
        channel=CHANNEL_NAME,
        target=screen.id,
        day=day,
        campaign_id=",".join(c.id for c in running),
        campaign_title=" · ".join(c.title for c in running),
        lang=screen.language,
        audiences=tuple(screen.audiences),
        messages=tuple(m for m, _ in slides),
        attribution=" · ".join(c.attribution for c in running if c.attribution),
        params={
            "screen": screen,
            "slide_seconds": screen.slide_seconds,
            "seconds_each": tuple(_seconds(screen, c) for _, c in slides),
            "campaign_titles": tuple(c.title for _, c in slides),
        },
    )


def _slides(
    library: Library,
    screen: Screen,
    running: Sequence[Campaign],
    day: date,
    held: frozenset[tuple[str, str]],
) -> list[tuple[Message, Campaign]]:
    picks: list[list[tuple[Message, Campaign]]] = []
    for campaign in running:
        cadence = campaign.channels.screens
        assert cadence is not None
        audiences = sorted(set(screen.audiences) & set(campaign.audiences)) or list(
            screen.audiences
        )
        chosen = select(
            library,
            campaign,
            audiences=audiences,
            lang=screen.language,
            day=day,
            count=cadence.slides,
            target=screen.id,
            held=held,
            edition_number=(day - campaign.period.start).days,
        )
        picks.append([(m, campaign) for m in chosen])
    # Round-robin over overlapping campaigns; a message two campaigns both chose shows once,
    # so a looped playlist never shows a message twice in a row.
    slides: list[tuple[Message, Campaign]] = []
    seen: set[tuple[str, str]] = set()
    for i in range(max((len(p) for p in picks), default=0)):
        for pick in picks:
            if i < len(pick) and (pick[i][0].id, pick[i][0].lang) not in seen:
                seen.add((pick[i][0].id, pick[i][0].lang))
                slides.append(pick[i])
    return slides


def plan_screens(
    library: Library,
    campaigns: Sequence[Campaign],
    day: date,
    held: frozenset[tuple[str, str]] = frozenset(),
) -> list[Edition]:
    """One edition per screen in `screens.yaml`; a screen with no campaign gets its resting page."""
    memo: dict[tuple[object, ...], list[tuple[Message, Campaign]]] = {}
    return [plan_screen(library, s, campaigns, day, held, memo) for s in library.screens]
