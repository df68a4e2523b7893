"""Which newsletter editions are due: per campaign, partner kind, audience set and language."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from channels.base import Edition, Held
from channels.newsletter.payload import NewsletterPayload
from channels.newsletter.settings import NewsletterSettings, Partner
from flows.core.models import PUBLIC_AUDIENCES, Campaign, Message
from flows.planning.rotation import edition_number, select

if TYPE_CHECKING:
    from flows.library.loader import Library

CHANNEL_NAME = "newsletter"
STAFF_OF = {"kinderopvang": "kinderopvang-team", "school": "school-team"}
GroupKey = tuple[str, tuple[str, ...], str]  # kind, audiences (sorted), language


def groups(partners: Iterable[Partner]) -> dict[GroupKey, list[Partner]]:
    """Partners who still want the newsletter, grouped by kind, audience set and language."""
    out: dict[GroupKey, list[Partner]] = defaultdict(list)
    seen: set[str] = set()
    for p in partners:
        folded = p.email.casefold()
        if p.unsubscribed or folded in seen:
            continue
        seen.add(folded)
        out[(p.kind, tuple(sorted(set(p.audiences))), p.language)].append(p)
    return dict(sorted(out.items()))


def target_name(campaign: Campaign, key: GroupKey) -> str:
    """A readable, folder-safe target: `<campaign>.<kind>.<audience+audience>.<lang>`."""
    kind, audiences, lang = key
    return f"{campaign.id}.{kind}.{'+'.join(audiences)}.{lang}"


def _items(
    library: Library,
    campaign: Campaign,
    key: GroupKey,
    day: date,
    number: int,
    held: Held,
    count: int,
) -> tuple[list[Message], list[tuple[str, str]]]:
    _kind, audiences, lang = key
    parents = [a for a in audiences if a in PUBLIC_AUDIENCES and a in campaign.audiences]
    if not parents:
        return [], []
    target = target_name(campaign, key)
    args = {
        "audiences": parents,
        "day": day,
        "count": count,
        "target": target,
        "held": held,
        "edition_number": number,
        "theme_guaranteed": True,  # the week's theme is in the week's newsletter
    }
    items = select(library, campaign, lang=lang, **args)  # type: ignore[arg-type]
    fallback: list[tuple[str, str]] = []
    if lang != "nl":
        dutch = select(library, campaign, lang="nl", **args)  # type: ignore[arg-type]
        have = {m.id for m in items}
        if len(items) < count:
            # Too few messages in the partner's language: fill up with Dutch ones, marked as
            # such (the Dutch selection leads with the week's theme).
            for m in dutch:
                if len(items) >= count:
                    break
                if m.id not in have:
                    items.append(m)
                    fallback.append(m.key)
        focus = _focus(campaign, day)
        if items and not any(focus(m) for m in items):
            # No translated message of the week's theme: the Dutch one takes the last place.
            themed = next((m for m in dutch if focus(m) and m.id not in have), None)
            if themed is not None:
                dropped = items.pop()
                if dropped.key in fallback:
                    fallback.remove(dropped.key)
                items.append(themed)
                fallback.append(themed.key)
    return items, fallback


def _focus(campaign: Campaign, day: date) -> Callable[[Message], bool]:
    """Whether a message is of the week's theme (or one of the week's own message ids)."""
    week = campaign.week_of(day)
    if week is None:
        return lambda m: False
    return lambda m: m.id in week.messages or (week.theme is not None and m.theme == week.theme)


def _staff(
    library: Library,
    campaign: Campaign,
    key: GroupKey,
    day: date,
    number: int,
    held: Held,
    taken: set[str],
) -> tuple[Message | None, bool]:
    kind, audiences, lang = key
    staff = STAFF_OF.get(kind)
    if staff not in audiences or staff not in campaign.audiences:
        return None, False
    for language in dict.fromkeys((lang, "nl")):
        picks = select(
            library,
            campaign,
            audiences=[staff],
            lang=language,
            day=day,
            count=len(taken) + 1,
            target=target_name(campaign, key) + ".staff",
            held=held,
            edition_number=number,
            theme_guaranteed=True,
        )
        for m in picks:
            if m.id not in taken:
                return m, language != lang
    return None, False


UNUSABLE_TARGET = "partnerlijst"


def _cannot_go_out(
    campaign: Campaign, day: date, number: int, why: str
) -> Edition[NewsletterPayload]:
    return Edition(
        channel=CHANNEL_NAME,
        target=f"{campaign.id}.{UNUSABLE_TARGET}",
        day=day,
        campaign_id=campaign.id,
        campaign_title=campaign.title,
        lang="nl",
        audiences=(),
        messages=(),
        payload=NewsletterPayload(kind="", edition_number=number, unusable=why),
    )


def plan_newsletters(
    library: Library,
    partners: Sequence[Partner],
    with_newsletter: Sequence[tuple[Campaign, NewsletterSettings]],
    day: date,
    held: Held = frozenset(),
    example: bool = False,
    unusable: str = "",
) -> list[Edition[NewsletterPayload]]:
    """Every newsletter edition due on `day` for these partners (pure); `example` marks a list
    that is the bundled example, which delivery refuses to e-mail. With an `unusable` partner
    list each due campaign gets one edition that stands for the newsletter that cannot go out
    (target `<campaign>.partnerlijst`, no messages): rendering it fails, so the run says so."""
    grouped = groups(partners)
    editions: list[Edition[NewsletterPayload]] = []
    for campaign, cadence in with_newsletter:
        number = edition_number(campaign, cadence.cadence, day)
        if number is None:
            continue
        if unusable:
            editions.append(_cannot_go_out(campaign, day, number, unusable))
            continue
        for key, members in grouped.items():
            items, fallback = _items(library, campaign, key, day, number, held, cadence.items)
            if not items:
                continue
            staff, staff_fallback = _staff(
                library, campaign, key, day, number, held, {m.id for m in items}
            )
            if staff is not None and staff_fallback:
                fallback.append(staff.key)
            messages = (*items, *([staff] if staff else []))
            editions.append(
                Edition(
                    channel=CHANNEL_NAME,
                    target=target_name(campaign, key),
                    day=day,
                    campaign_id=campaign.id,
                    campaign_title=campaign.title,
                    lang=key[2],
                    audiences=key[1],
                    messages=messages,
                    attribution=campaign.attribution,
                    payload=NewsletterPayload(
                        kind=key[0],
                        edition_number=number,
                        staff=staff.id if staff else None,
                        fallback=tuple(fallback),
                        recipients=tuple((p.email, p.organisation) for p in members),
                        example=example,
                    ),
                )
            )
    return editions
