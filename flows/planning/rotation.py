"""Planning: which messages go out where on a day. Pure functions, no Prefect, no I/O.

Channels plan their editions with `eligible` (what may go out) and `select` (a fair,
deterministic rotation); `flows.publishing.day_plan` asks every channel for its editions.

Rotation: the eligible messages of a campaign, target and language are put in one fixed cyclic
order (by id). Edition k with c items takes positions k*c .. k*c+c-1 of that cycle, so over a
campaign every message appears equally often (within one) as long as the eligible set is the same,
and no history has to be replayed: a call costs O(eligible), and a selection that many targets
share (screens with the same audiences) is made once per day. Within an edition the week's theme
comes first, and the first item is never one the previous edition held, so a message is never
shown twice in a row, also not across the boundary of two editions or of a looped playlist.

With `theme_guaranteed` (the newsletter: one edition a fortnight must carry its week's theme) an
edition whose rotation window holds no message of the week's theme or ids gets one anyway: the
window's last position gives way to a focus message, itself rotated by edition number among the
focus messages; the other positions are the rotation's, so it stays fair over the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, cast

from flows.core.findings import Finding, Severity, finding
from flows.core.i18n import _
from flows.core.models import Campaign, Message
from flows.planning.cadence import (
    EXAMPLES,
    Cadence,
    CadenceError,
    cadence_due,
    edition_time,
    first_due,
    parse_cadence,
)

if TYPE_CHECKING:
    from flows.library.loader import Library

__all__ = [
    "EXAMPLES",
    "Cadence",
    "CadenceError",
    "cadence_due",
    "cadence_findings",
    "campaign_message_filter",
    "edition_number",
    "edition_time",
    "eligible",
    "in_campaign",
    "parse_cadence",
    "parsed_cadence",
    "select",
]

Held = frozenset[tuple[str, str]] | set[tuple[str, str]] | dict[tuple[str, str], str]


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


# Memoisation, so 1,000 screens do not each filter 2,000 messages again. The memo belongs to
# the library (`Library.memo`); a library never changes after loading, so it is never stale:
# campaign membership once per library, eligible lists per day for the last few days.
_Store = dict[tuple[object, ...], object]


@dataclass
class _LibraryCache:
    members: _Store = field(default_factory=dict)
    days: dict[date, _Store] = field(default_factory=dict)
    # id(campaign) -> (campaign, filter); holding the campaign keeps its id from being reused.
    filters: dict[int, tuple[Campaign, tuple[frozenset[str], frozenset[str]]]] = field(
        default_factory=dict
    )


_DAYS_KEPT = 12  # a feed looks back ~7 due days; a year is planned day by day in flat memory


def _cache(library: Library) -> _LibraryCache:
    entry = library.memo.get(_LibraryCache)
    if not isinstance(entry, _LibraryCache):
        entry = library.memo[_LibraryCache] = _LibraryCache()
    return entry


def _day(cache: _LibraryCache, day: date) -> _Store:
    store = cache.days.pop(day, None)
    if store is None:
        store = {}
        while len(cache.days) >= _DAYS_KEPT:
            cache.days.pop(next(iter(cache.days)))  # least recently used first
    cache.days[day] = store
    return store


def _filter(cache: _LibraryCache, campaign: Campaign) -> tuple[frozenset[str], frozenset[str]]:
    hit = cache.filters.get(id(campaign))
    if hit is None or hit[0] is not campaign:
        hit = (campaign, campaign_message_filter(campaign))
        cache.filters[id(campaign)] = hit
    return hit[1]


def _members(
    library: Library, cache: _LibraryCache, filt: tuple[frozenset[str], frozenset[str]], lang: str
) -> dict[str, list[Message]]:
    """Campaign messages in one language, sorted by id, under "" (all) and per audience."""
    key = (filt, lang)
    hit = cache.members.get(key)
    if hit is None:
        ids, themes = filt
        everything = not ids and not themes
        members = sorted(
            (
                m
                for m in library.messages
                if m.lang == lang and (everything or m.id in ids or m.theme in themes)
            ),
            key=lambda m: m.id,
        )
        grouped: dict[str, list[Message]] = {"": members}
        for m in members:
            for audience in m.audiences:
                grouped.setdefault(audience, []).append(m)
        cache.members[key] = hit = grouped
    return cast(dict[str, list[Message]], hit)


def _eligible(
    library: Library, campaign: Campaign, audiences: Iterable[str], lang: str, day: date, held: Held
) -> list[Message]:
    """The memoised eligible list (shared: callers must not change it)."""
    wanted = frozenset(audiences)
    held_keys = held if isinstance(held, frozenset) else frozenset(held)
    cache = _cache(library)
    filt = _filter(cache, campaign)
    store = _day(cache, day)
    key = (filt, lang, wanted, held_keys)
    hit = store.get(key)
    if hit is None:
        members = _members(library, cache, filt, lang)
        held_ids = {mid for mid, held_lang in held_keys if held_lang == lang}
        if len(wanted) == 1:
            (only,) = wanted
            hit = [m for m in members.get(only, ()) if m.is_live(day) and m.id not in held_ids]
        else:
            hit = [
                m
                for m in members[""]
                if m.is_live(day) and m.id not in held_ids and not wanted.isdisjoint(m.audiences)
            ]
        store[key] = hit
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
    return list(_eligible(library, campaign, audiences, lang, day, held))


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
    theme_guaranteed: bool = False,
) -> list[Message]:
    """The messages for edition `edition_number` of one target: a fair rotation, theme first.

    At most `count` messages and never one twice (so a looped playlist has each at most once).
    `target` is accepted so channels can say whom they plan for; the rotation does not depend on
    it, so two targets with the same audiences get the same messages on the same day. With
    `theme_guaranteed` the selection holds a message of the week's focus whenever one is
    eligible (see the module docstring).
    """
    del target  # same audiences, same rotation: partners of one kind get the same edition
    wanted = frozenset(audiences)
    held_keys = held if isinstance(held, frozenset) else frozenset(held)
    cache = _cache(library)
    _filter(cache, campaign)  # pins the campaign object, so its id() below stays unique
    store = _day(cache, day)
    # 1,000 screens share a handful of audience sets: each distinct selection is made once.
    key = ("select", id(campaign), lang, wanted, held_keys, count, edition_number, theme_guaranteed)
    hit = store.get(key)
    if hit is None:
        hit = tuple(
            _rotate(
                _eligible(library, campaign, wanted, lang, day, held_keys),
                campaign,
                day,
                count,
                edition_number,
                theme_guaranteed,
            )
        )
        store[key] = hit
    return list(cast(tuple[Message, ...], hit))


def _rotate(
    pool: Sequence[Message],
    campaign: Campaign,
    day: date,
    count: int,
    edition_number: int,
    theme_guaranteed: bool = False,
) -> list[Message]:
    """The rotation itself (see the module docstring), on an eligible pool sorted by id."""
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

    if theme_guaranteed and not any(focus(pool[p]) for p in positions):
        candidates = [p for p in range(n) if focus(pool[p])]
        if candidates:
            positions[-1] = candidates[k % len(candidates)]

    ordered = [p for p in positions if focus(pool[p])] + [
        p for p in positions if not focus(pool[p])
    ]
    if c < n:
        # The previous edition held positions start-c .. start-1; never lead with one of those.
        previous = {(start - c + i) % n for i in range(c)} if k > 0 else set()
        if ordered[0] in previous:
            # A guaranteed theme keeps the lead: another focus message may take it, no other.
            keep_focus = theme_guaranteed and focus(pool[ordered[0]])
            fresh = next(
                (
                    i
                    for i, p in enumerate(ordered)
                    if p not in previous and (not keep_focus or focus(pool[p]))
                ),
                None,
            )
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


def parsed_cadence(text: str | None) -> Cadence | None:
    """A cadence parsed, or None when absent or unreadable (the checks report that: P701)."""
    if not isinstance(text, str):
        return None
    try:
        return parse_cadence(text)
    except CadenceError:
        return None


def edition_number(campaign: Campaign, cadence_text: str | None, day: date) -> int | None:
    """The campaign's edition number for a cadence on `day`, None when not due or out of period."""
    if day not in campaign.period:
        return None
    cadence = parsed_cadence(cadence_text)
    if cadence is None:
        return None
    return cadence_due(cadence, campaign.period.start, day)


def cadence_findings(
    library: Library, campaign: Campaign, channel: str, cadence_text: str
) -> list[Finding]:
    """Planning problems of one channel's cadence in a campaign (P701 unreadable, P702 never due).

    Each channel with a cadence calls this from its checks, for its own section.
    """
    rel = library.rel(campaign.path)
    line = campaign.field_lines.get(
        f"channels.{channel}.cadence",
        campaign.field_lines.get(f"channels.{channel}", campaign.line),
    )
    try:
        cadence = parse_cadence(cadence_text)
    except CadenceError as exc:
        return [
            finding(
                rel,
                line,
                "P701",
                Severity.ERROR,
                _(
                    "{channel}: {problem}; until then nothing goes out on this "
                    "channel for campaign '{campaign}'"
                ).format(channel=channel, problem=exc, campaign=campaign.id),
            )
        ]
    if first_due(cadence, campaign.period.start) > campaign.period.end:
        return [
            finding(
                rel,
                line,
                "P702",
                Severity.WARNING,
                _(
                    "{channel}: the cadence '{cadence}' is never due "
                    "between {start} and {end}; choose another day or lengthen the period"
                ).format(
                    channel=channel,
                    cadence=cadence_text,
                    start=campaign.period.start,
                    end=campaign.period.end,
                ),
            )
        ]
    return []
