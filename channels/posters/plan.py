"""Which posters are due: on the first day of each campaign week, one per audience, in Dutch.

A poster hangs for a week, so it carries one message: the week's own (its theme or listed
messages) when there is one for the audience, otherwise any eligible message. The choice
rotates with the week number, no message hangs two weeks running while another is eligible,
and a week without its own message for an audience leaves next week's own for next week. So a
hall that changes its poster every week shows something new each time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from channels.base import Edition, Held
from channels.posters.model import PosterPayload, PostersSettings
from flows.core.models import Campaign, Message
from flows.planning.rotation import eligible

if TYPE_CHECKING:
    from flows.library.loader import Library

CHANNEL_NAME = "posters"
LANG = "nl"  # what parents read on the wall is Dutch
Running = tuple[Campaign, PostersSettings]


def running_campaigns(
    campaigns: Sequence[Campaign],
    day: date,
    settings_for: Callable[[Campaign], PostersSettings | None],
) -> list[Running]:
    """Campaigns with posters enabled (and valid settings) whose period holds `day`, by id."""
    out = []
    for campaign in campaigns:
        settings = settings_for(campaign) if day in campaign.period else None
        if settings is not None and settings.enabled:
            out.append((campaign, settings))
    return sorted(out, key=lambda r: r[0].id)


def week_index(campaign: Campaign, day: date) -> int | None:
    """The campaign week that starts on `day` (0 for the first), None when none starts then."""
    if day not in campaign.period:
        return None
    index, rest = divmod((day - campaign.period.start).days, 7)
    if rest or (campaign.weeks and index >= len(campaign.weeks)):
        return None
    return index


def week_label(day: date) -> str:
    """The ISO year and week of `day` as a folder name, e.g. "2027-w01"."""
    year, week, _ = day.isocalendar()
    return f"{year}-w{week:02d}"


def first_url(message: Message) -> str | None:
    """The address the poster's QR code leads to: the first resource (None: none given)."""
    return message.resources[0].url if message.resources else None


def _focus(pool: Sequence[Message], campaign: Campaign, day: date) -> list[Message]:
    """The messages of the campaign week that holds `day`: listed by id or on its theme."""
    week = campaign.week_of(day)
    if week is None:
        return []
    return [m for m in pool if m.id in week.messages or m.theme == week.theme]


def _pick(
    library: Library,
    campaign: Campaign,
    audience: str,
    k: int,
    previous: Message | None,
    held: Held,
) -> Message | None:
    day = campaign.period.start + timedelta(weeks=k)
    pool = eligible(library, campaign, audiences=(audience,), lang=LANG, day=day, held=held)
    focus = _focus(pool, campaign, day)
    if focus:
        avoid = {previous.key} if previous is not None else set()
        candidates = focus
    else:
        # Any message will do: keep last week's and next week's own for another time.
        avoid = {m.key for m in _focus(pool, campaign, day + timedelta(weeks=1))}
        if previous is not None:
            avoid.add(previous.key)
        candidates = [m for m in pool if m.key not in avoid] or pool
    if not candidates:
        return None
    pick = candidates[k % len(candidates)]
    if pick.key in avoid and len(candidates) > 1:
        pick = candidates[(k + 1) % len(candidates)]
    return pick


def choose(
    library: Library, campaign: Campaign, audience: str, index: int, held: Held
) -> Message | None:
    """The message of week `index` for one audience (None when nothing is eligible)."""
    # Replayed from the first week, so "not the same as last week" holds for the real last
    # week's choice; a campaign has a handful of weeks and eligible() is memoised per day.
    chosen: Message | None = None
    for k in range(index + 1):
        chosen = _pick(library, campaign, audience, k, chosen, held)
    return chosen


def plan_posters(
    library: Library, running: Sequence[Running], day: date, held: Held
) -> list[Edition[PosterPayload]]:
    """One edition per campaign audience on the first day of a campaign week (pure)."""
    editions: dict[str, Edition[PosterPayload]] = {}
    for campaign, settings in running:
        index = week_index(campaign, day)
        if index is None:
            continue
        week = week_label(day)
        for audience in campaign.audiences:
            if settings.audiences and audience not in settings.audiences:
                continue
            target = f"{week}.{audience}"
            # One file per week and audience: with two campaigns at once, the first by id.
            if target in editions:
                continue
            message = choose(library, campaign, audience, index, held)
            if message is None:
                continue
            editions[target] = Edition(
                channel=CHANNEL_NAME,
                target=target,
                day=day,
                campaign_id=campaign.id,
                campaign_title=campaign.title,
                lang=LANG,
                audiences=(audience,),
                messages=(message,),
                payload=PosterPayload(week, index, audience, settings.sizes, first_url(message)),
                attribution=campaign.attribution,
            )
    return [editions[target] for target in sorted(editions)]
