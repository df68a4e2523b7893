"""Which entries each feed holds on a day: the last editions of every campaign with a feed.

A feed is per audience and language. On a day its cadence is due, a campaign adds `per_edition`
messages (a fair rotation, see `flows.planning.rotation.select`); the feed keeps the newest `items`
entries. Older editions are recomputed (planning is pure), so no feed history is stored.
A message that is no longer live or is held today drops out of the feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from channels.base import Edition, Held
from channels.feeds.settings import FeedsSettings
from flows.core.models import LANGUAGES, Campaign, Message
from flows.planning.cadence import Cadence, cadence_due, previous_due
from flows.planning.rotation import select

if TYPE_CHECKING:
    from flows.library.loader import Library

CHANNEL_NAME = "feeds"


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed: a message as published by a campaign on a day."""

    day: date
    campaign_id: str
    campaign_title: str
    campaign_start: date
    attribution: str
    message: Message

    @property
    def key(self) -> tuple[str, str, str]:
        """(campaign, message id, lang): what the entry's GUID is made of."""
        return (self.campaign_id, self.message.id, self.message.lang)


def _editions_back(cadence: Cadence, campaign: Campaign, day: date, wanted: int) -> list[date]:
    """Due days of the campaign up to `day` (newest first), enough to fill `wanted` entries."""
    last = min(day, campaign.period.end)
    probe: date | None = last
    if probe is not None and cadence_due(cadence, campaign.period.start, probe) is None:
        probe = previous_due(cadence, campaign.period.start, probe + timedelta(days=1))
    days: list[date] = []
    while probe is not None and len(days) < wanted:
        days.append(probe)
        probe = previous_due(cadence, campaign.period.start, probe)
    return days


@dataclass(frozen=True)
class FeedPayload:
    """One feed's window: its entries, newest first."""

    entries: tuple[FeedEntry, ...]


@dataclass(frozen=True)
class FeedMeta:
    """What rendering a feed tells delivery: how many entries it holds."""

    entries: int


# A campaign with a feed: the campaign, its feed settings and its parsed cadence.
WithFeed = tuple[Campaign, FeedsSettings, Cadence]


def feed_entries(
    library: Library,
    campaign: Campaign,
    feeds: FeedsSettings,
    cadence: Cadence,
    audience: str,
    lang: str,
    day: date,
    held: Held,
) -> list[FeedEntry]:
    """The campaign's entries for one feed on `day`, newest first."""
    per = feeds.per_edition
    out: list[FeedEntry] = []
    for when in _editions_back(cadence, campaign, day, -(-feeds.items // per)):
        k = cadence_due(cadence, campaign.period.start, when)
        assert k is not None
        picked = select(
            library,
            campaign,
            audiences=[audience],
            lang=lang,
            day=when,
            count=per,
            target=f"{audience}.{lang}",
            held=held,
            edition_number=k,
        )
        out.extend(
            FeedEntry(
                when, campaign.id, campaign.title, campaign.period.start, campaign.attribution, m
            )
            for m in picked
            if m.is_live(day)  # expired since: retract it from the feed
        )
    return out


def plan_feeds(
    library: Library,
    with_feeds: Sequence[WithFeed],
    day: date,
    held: Held = frozenset(),
) -> list[Edition[FeedPayload]]:
    """One edition per audience and language whose feed gets something new on `day`."""
    started = [(c, s, cad) for c, s, cad in with_feeds if day >= c.period.start]
    editions: list[Edition[FeedPayload]] = []
    audiences = sorted({a for c, _, _ in started for a in c.audiences})
    for audience in audiences:
        for lang in sorted(LANGUAGES):
            mine = [w for w in started if audience in w[0].audiences]
            due = [
                c
                for c, _, cad in mine
                if day in c.period and cadence_due(cad, c.period.start, day) is not None
            ]
            if not due:
                continue
            entries: list[FeedEntry] = []
            for campaign, feeds, cadence in mine:
                entries.extend(
                    feed_entries(library, campaign, feeds, cadence, audience, lang, day, held)
                )
            kept = _newest_unique(entries, max(s.items for _, s, _ in mine))
            if not kept:
                continue
            contributing = sorted({e.campaign_id for e in kept})
            first = due[0]
            editions.append(
                Edition(
                    channel=CHANNEL_NAME,
                    target=f"{audience}.{lang}",
                    day=day,
                    campaign_id=",".join(contributing),
                    campaign_title=first.title,
                    lang=lang,
                    audiences=(audience,),
                    messages=tuple(e.message for e in kept),
                    attribution=first.attribution,
                    payload=FeedPayload(tuple(kept)),
                )
            )
    return editions


def _newest_unique(entries: list[FeedEntry], limit: int) -> list[FeedEntry]:
    """Newest first, one entry per GUID (a rotation may bring a message back), at most `limit`."""
    ordered = sorted(enumerate(entries), key=lambda pair: (-pair[1].day.toordinal(), pair[0]))
    seen: set[tuple[str, str, str]] = set()
    out: list[FeedEntry] = []
    for _, entry in ordered:
        if entry.key in seen:
            continue
        seen.add(entry.key)
        out.append(entry)
        if len(out) == limit:
            break
    return out
