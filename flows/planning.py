"""Planning: which messages go out where on a day. Pure functions, no Prefect, no I/O.

`plan(library, campaigns, day)` asks every registered channel for its editions. Channels build
those editions with `eligible` (what may go out) and `select` (a fair, deterministic rotation).

Rotation: the eligible messages of a campaign, target and language are put in one fixed cyclic
order (by id). Edition k with c items takes positions k*c .. k*c+c-1 of that cycle, so over a
campaign every message appears equally often (within one) as long as the eligible set is the same,
and no history has to be replayed: a call costs O(eligible). Within an edition the week's theme
comes first, and the first item is never one the previous edition held, so a message is never
shown twice in a row, also not across the boundary of two editions or of a looped playlist.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, cast

from flows.cadence import (
    EXAMPLES,
    Cadence,
    CadenceError,
    cadence_due,
    edition_time,
    first_due,
    parse_cadence,
    today,
)
from flows.findings import Finding, Severity, finding
from flows.models import Campaign, Message

if TYPE_CHECKING:
    from channels.base import Edition
    from flows.loader import Library

__all__ = [
    "EXAMPLES",
    "Cadence",
    "CadenceError",
    "cadence_due",
    "campaign_findings",
    "campaign_message_filter",
    "edition_time",
    "eligible",
    "parse_cadence",
    "plan",
    "select",
    "today",
]

Held = frozenset[tuple[str, str]] | set[tuple[str, str]] | dict[tuple[str, str], str]
_CADENCE_FIELDS = ("newsletter", "feeds")


def campaign_message_filter(campaign: Campaign) -> tuple[frozenset[str], frozenset[str]]:
    """(explicit message ids, themes) of a campaign; both empty means every message."""
    ids = set(campaign.messages)
    themes = set()
    for week in campaign.weeks:
        ids.update(week.messages)
        if week.theme is not None:
            themes.add(week.theme)
    return frozenset(ids), frozenset(themes)


def in_campaign(message: Message, campaign: Campaign) -> bool:
    """True when the message belongs to the campaign (by id, by a week's theme, or all)."""
    ids, themes = campaign_message_filter(campaign)
    if not ids and not themes:
        return True
    return message.id in ids or message.theme in themes


# Per library: memoised pools, so 1,000 screens do not each filter 2,000 messages again.
# Keyed by id() and checked with a weak reference, because Library is an unhashable dataclass.
_CACHES: dict[int, tuple[weakref.ref[Library], int, dict[tuple[object, ...], object]]] = {}


def _cache(library: Library) -> dict[tuple[object, ...], object]:
    entry = _CACHES.get(id(library))
    version = len(library.messages)
    if entry is not None and entry[0]() is library and entry[1] == version:
        return entry[2]
    if len(_CACHES) > 32:
        _CACHES.clear()
    store: dict[tuple[object, ...], object] = {}
    _CACHES[id(library)] = (weakref.ref(library), version, store)
    return store


def _pool(library: Library, campaign: Campaign, lang: str, day: date) -> list[Message]:
    """Live campaign messages in one language on one day, sorted by id (memoised)."""
    cache = _cache(library)
    ids, themes = campaign_message_filter(campaign)
    key = ("pool", ids, themes, lang, day)
    hit = cache.get(key)
    if hit is None:
        everything = not ids and not themes
        hit = sorted(
            (
                m for m in library.messages
                if m.lang == lang and m.is_live(day)
                and (everything or m.id in ids or m.theme in themes)
            ),
            key=lambda m: m.id,
        )
        cache[key] = hit
    return cast(list[Message], hit)


def eligible(
    library: Library,
    campaign: Campaign,
    *,
    audiences: Iterable[str],
    lang: str,
    day: date,
    held: Held = frozenset(),
) -> list[Message]:
    """Messages that may go out: published, valid on `day`, in `lang`, for one of `audiences`,
    not held, and in the campaign. Sorted by id (the rotation order)."""
    wanted = frozenset(audiences)
    held_keys = frozenset(held)
    cache = _cache(library)
    key = ("eligible", *campaign_message_filter(campaign), lang, day, wanted, held_keys)
    hit = cache.get(key)
    if hit is None:
        hit = [
            m for m in _pool(library, campaign, lang, day)
            if m.key not in held_keys and not wanted.isdisjoint(m.audiences)
        ]
        cache[key] = hit
    return list(cast(list[Message], hit))


def _week_focus(campaign: Campaign, day: date) -> tuple[str | None, frozenset[str]]:
    week = campaign.week_of(day)
    if week is None:
        return None, frozenset()
    return week.theme, frozenset(week.messages)


def select(
    library: Library,
    campaign: Campaign,
    *,
    audiences: Iterable[str],
    lang: str,
    day: date,
    count: int,
    target: str = "",
    held: Held = frozenset(),
    edition_number: int = 0,
) -> list[Message]:
    """The messages for edition `edition_number` of one target: a fair rotation, theme first.

    At most `count` messages and never one twice (so a looped playlist has each at most once).
    `target` is accepted so channels can say whom they plan for; the rotation does not depend on
    it, so two targets with the same audiences get the same messages on the same day.
    """
    del target  # same audiences, same rotation: partners of one kind get the same edition
    pool = eligible(library, campaign, audiences=audiences, lang=lang, day=day, held=held)
    n = len(pool)
    c = min(max(count, 0), n)
    if c == 0:
        return []
    k = max(edition_number, 0)
    start = (k * c) % n
    positions = [(start + i) % n for i in range(c)]
    theme, week_ids = _week_focus(campaign, day)

    def focus(m: Message) -> bool:
        return m.id in week_ids or (theme is not None and m.theme == theme)

    ordered = [p for p in positions if focus(pool[p])] + [
        p for p in positions if not focus(pool[p])
    ]
    if c < n:
        # The previous edition held positions start-c .. start-1; never lead with one of those.
        previous = {(start - c + i) % n for i in range(c)} if k > 0 else set()
        if ordered[0] in previous:
            fresh = next((i for i, p in enumerate(ordered) if p not in previous), None)
            if fresh is not None:
                ordered.insert(0, ordered.pop(fresh))
    elif n > 1:
        # Every edition shows every message. The next edition leads with the first message of
        # its week's theme (or the cycle's first); end on one that can never lead.
        leaders = _possible_leaders(pool, campaign)
        if pool[ordered[-1]].id in leaders:
            tail = next(
                (i for i in range(len(ordered) - 1, 0, -1) if pool[ordered[i]].id not in leaders),
                None,
            )
            if tail is not None:
                ordered.append(ordered.pop(tail))
    return [pool[p] for p in ordered]


def _possible_leaders(pool: Sequence[Message], campaign: Campaign) -> set[str]:
    leaders = {pool[0].id}
    for week in campaign.weeks:
        ids = [m.id for m in pool if m.id in week.messages or m.theme == week.theme]
        if ids:
            leaders.add(ids[0])
    return leaders


def campaign_cadence(campaign: Campaign, channel: str) -> Cadence | None:
    """The parsed cadence of a channel in a campaign; None when absent or unreadable."""
    settings = getattr(campaign.channels, channel, None)
    text = getattr(settings, "cadence", None)
    if not isinstance(text, str):
        return None
    try:
        return parse_cadence(text)
    except CadenceError:
        return None


def edition_number(campaign: Campaign, channel: str, day: date) -> int | None:
    """The campaign's edition number for a channel on `day`, None when not due or out of period."""
    if day not in campaign.period:
        return None
    cadence = campaign_cadence(campaign, channel)
    if cadence is None:
        return None
    return cadence_due(cadence, campaign.period.start, day)


def campaign_findings(library: Library) -> list[Finding]:
    """Planning problems in campaign files (P7xx): unreadable cadences, cadences never due."""
    out: list[Finding] = []
    for campaign in library.campaigns:
        rel = library.rel(campaign.path)
        for channel in _CADENCE_FIELDS:
            settings = getattr(campaign.channels, channel, None)
            if settings is None:
                continue
            line = campaign.field_lines.get(
                f"channels.{channel}.cadence",
                campaign.field_lines.get(f"channels.{channel}", campaign.line),
            )
            try:
                cadence = parse_cadence(settings.cadence)
            except CadenceError as exc:
                out.append(finding(rel, line, "P701", Severity.ERROR,
                                   f"{channel}: {exc}; until then nothing goes out on this "
                                   f"channel for campaign '{campaign.id}'"))
                continue
            if first_due(cadence, campaign.period.start) > campaign.period.end:
                out.append(finding(rel, line, "P702", Severity.WARNING,
                                   f"{channel}: the cadence '{settings.cadence}' is never due "
                                   f"between {campaign.period.start} and {campaign.period.end}; "
                                   "choose another day or lengthen the period"))
    return out


def plan(
    library: Library,
    campaigns: Sequence[Campaign],
    day: date,
    held: Held = frozenset(),
) -> list[Edition]:
    """Every edition due on `day`, from every registered channel, in a stable order."""
    from channels import registry

    held_keys = frozenset(held)
    editions: list[Edition] = []
    for channel in registry().values():
        editions.extend(channel.plan(library, campaigns, day, held_keys))
    return sorted(editions, key=lambda e: (e.channel, e.target, e.campaign_id))
