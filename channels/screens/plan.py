"""Which slides each waiting-room screen rotates on a day: one edition per screen per day."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from channels.base import Edition, Held
from channels.screens.config import Screen, ScreensSettings
from channels.screens.payload import ScreenPayload
from flows.core.models import Campaign, Message
from flows.planning.rotation import select

if TYPE_CHECKING:
    from flows.library.loader import Library

CHANNEL_NAME = "screens"
Running = tuple[Campaign, ScreensSettings]


def running_campaigns(
    campaigns: Sequence[Campaign],
    day: date,
    settings_for: Callable[[Campaign], ScreensSettings | None],
) -> list[Running]:
    """Campaigns with valid screen settings whose period holds `day`, by id."""
    out = []
    for campaign in campaigns:
        if day not in campaign.period:
            continue
        settings = settings_for(campaign)
        if settings is not None:
            out.append((campaign, settings))
    return sorted(out, key=lambda r: r[0].id)


def campaigns_for(screen: Screen, running: Sequence[Running]) -> list[Running]:
    """The running campaigns whose screens settings reach this screen."""
    out = []
    for campaign, settings in running:
        if settings.screens:
            if screen.id in settings.screens:
                out.append((campaign, settings))
        elif not set(screen.audiences).isdisjoint(campaign.audiences):
            out.append((campaign, settings))
    return out


def _seconds(screen: Screen, settings: ScreensSettings) -> int:
    # The campaign's seconds win only when the comms team wrote them; else the screen's own.
    if "slide_seconds" in settings.model_fields_set:
        return settings.slide_seconds
    return screen.slide_seconds


def plan_screen(
    library: Library,
    screen: Screen,
    all_running: Sequence[Running],
    day: date,
    held: Held,
    memo: dict[tuple[object, ...], list[tuple[Message, Running]]] | None = None,
) -> Edition[ScreenPayload]:
    """The edition of one screen: each campaign's fair rotation, interleaved."""
    running = campaigns_for(screen, all_running)
    campaigns = [c for c, _ in running]
    # Screens with the same audiences, language and campaigns get the same slides: compute once.
    key = (tuple(sorted(screen.audiences)), screen.language, tuple(c.id for c in campaigns))
    slides = memo.get(key) if memo is not None else None
    if slides is None:
        slides = _slides(library, screen, running, day, held)
        if memo is not None:
            memo[key] = slides
    return Edition(
        channel=CHANNEL_NAME,
        target=screen.id,
        day=day,
        campaign_id=",".join(c.id for c in campaigns),
        campaign_title=" · ".join(c.title for c in campaigns),
        lang=screen.language,
        audiences=tuple(screen.audiences),
        messages=tuple(m for m, _ in slides),
        attribution=" · ".join(c.attribution for c in campaigns if c.attribution),
        payload=ScreenPayload(
            screen=screen,
            seconds_each=tuple(_seconds(screen, s) for _, (_, s) in slides),
            campaign_titles=tuple(c.title for _, (c, _) in slides),
            campaign_ends=tuple(c.period.end for _, (c, _) in slides),
        ),
    )


def _slides(
    library: Library,
    screen: Screen,
    running: Sequence[Running],
    day: date,
    held: Held,
) -> list[tuple[Message, Running]]:
    picks: list[list[tuple[Message, Running]]] = []
    for campaign, cadence in running:
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
        picks.append([(m, (campaign, cadence)) for m in chosen])
    # Round-robin over overlapping campaigns; a message two campaigns both chose shows once,
    # so a looped playlist never shows a message twice in a row.
    slides: list[tuple[Message, Running]] = []
    seen: set[tuple[str, str]] = set()
    for i in range(max((len(p) for p in picks), default=0)):
        for pick in picks:
            if i < len(pick) and (pick[i][0].id, pick[i][0].lang) not in seen:
                seen.add((pick[i][0].id, pick[i][0].lang))
                slides.append(pick[i])
    return slides


def plan_screens(
    library: Library,
    screens: Sequence[Screen],
    running: Sequence[Running],
    day: date,
    held: Held = frozenset(),
) -> list[Edition[ScreenPayload]]:
    """One edition per screen in `screens.yaml`; a screen with no campaign gets its resting page."""
    memo: dict[tuple[object, ...], list[tuple[Message, Running]]] = {}
    return [plan_screen(library, s, running, day, held, memo) for s in screens]
