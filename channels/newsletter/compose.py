"""What goes into one newsletter: subject, preheader, intro, items, staff item, resources."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date

from channels.base import Edition
from channels.newsletter.payload import NewsletterPayload
from channels.shared.shortlinks import linkable, short_url
from flows.core.models import STAFF_AUDIENCES, Message
from flows.core.settings import Settings
from flows.core.urls import is_web_url
from flows.infra.markdown import to_html

from .plaintext import WIDTH, References, to_text

LOCALES = {"nl": "nl_NL", "en": "en_GB"}

# Everything a partner reads that is not content, per language. Dutch is the default.
WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "greeting.kinderopvang": "Beste collega's van de kinderopvang,",
        "greeting.school": "Beste collega's van school,",
        "intro": (
            "In deze nieuwsbrief staan {n} korte berichten voor ouders. U mag ze overnemen in "
            "uw eigen nieuwsbrief of op uw website: kopieer een blok zoals het is, of maak het "
            "korter. Verderop staat een bericht voor uw team."
        ),
        "intro.nostaff": (
            "In deze nieuwsbrief staan {n} korte berichten voor ouders. U mag ze overnemen in "
            "uw eigen nieuwsbrief of op uw website: kopieer een blok zoals het is, of maak het "
            "korter."
        ),
        "intro.one": (
            "In deze nieuwsbrief staat een kort bericht voor ouders. U mag het overnemen in uw "
            "eigen nieuwsbrief of op uw website, zoals het is of korter."
        ),
        "block": "Blok {n} om over te nemen",
        "copy_hint": "kopieer alles tussen de twee lijnen",
        "dutch_only": (
            "{n} van de {total} berichten voor ouders zijn alleen in het Nederlands "
            "beschikbaar; ze staan na de vertaalde berichten."
        ),
        "staff": "Voor uw team",
        "resources": "Meer lezen",
        "all_resources": "Alle links uit deze nieuwsbrief",
        "fallback": "Dit bericht is alleen in het Nederlands beschikbaar.",
        "dutch_only.one": (
            "1 van de {total} berichten voor ouders is alleen in het Nederlands beschikbaar; het "
            "staat na de vertaalde berichten."
        ),
        "dutch_only.all": "De {total} berichten voor ouders zijn alleen in het Nederlands.",
        "dutch_only.all.one": "Het bericht voor ouders is alleen in het Nederlands.",
        "archive": "Lees deze nieuwsbrief in uw browser",
        "unsubscribe": "Afmelden voor deze nieuwsbrief",
        "from": "Met vriendelijke groet, {sender}",
        "edition": "Nieuwsbrief",
    },
    "en": {
        "greeting.kinderopvang": "Dear colleagues in childcare,",
        "greeting.school": "Dear colleagues at school,",
        "intro": (
            "This newsletter holds {n} short messages for parents. You are welcome to use them "
            "in your own newsletter or on your website: copy a block as it is, or shorten it. "
            "Further down is a message for your team."
        ),
        "intro.nostaff": (
            "This newsletter holds {n} short messages for parents. You are welcome to use them "
            "in your own newsletter or on your website: copy a block as it is, or shorten it."
        ),
        "intro.one": (
            "This newsletter holds a short message for parents. You are welcome to use it in "
            "your own newsletter or on your website, as it is or shortened."
        ),
        "block": "Block {n} to copy",
        "copy_hint": "copy everything between the two lines",
        "dutch_only": (
            "{n} of the {total} messages for parents are only available in Dutch; they come "
            "after the translated ones."
        ),
        "dutch_only.one": (
            "1 of the {total} messages for parents is only available in Dutch; it comes after "
            "the translated ones."
        ),
        "dutch_only.all": ("The {total} messages for parents are only available in Dutch for now."),
        "dutch_only.all.one": "The message for parents is only available in Dutch for now.",
        "staff": "For your team",
        "resources": "Read more",
        "all_resources": "All links in this newsletter",
        "fallback": "This message is available in Dutch only.",
        "archive": "Read this newsletter in your browser",
        "unsubscribe": "Unsubscribe from this newsletter",
        "from": "Kind regards, {sender}",
        "edition": "Newsletter",
    },
}


SUBJECT_CHARS = 40  # what a phone shows of a subject line
PREHEADER_CHARS = 110


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    number: int  # its [n] in the plain text of its own block


@dataclass(frozen=True)
class Item:
    """One block: a message as HTML and as plain text, with its resource links."""

    message: Message
    lang: str
    html: str
    text: str
    links: tuple[Link, ...]
    fallback: bool
    urls: tuple[str, ...] = ()  # the block's own [n] references, in order


@dataclass(frozen=True)
class Content:
    """Everything the templates need for one edition (no recipient-specific parts)."""

    lang: str
    kind: str
    subject: str
    preheader: str
    date_text: str
    greeting: str
    intro: str
    dutch_only: str  # in an edition not in Dutch: how many blocks are only in Dutch ("" if none)
    items: tuple[Item, ...]
    staff: Item | None
    resources: tuple[Link, ...]
    words: dict[str, str]
    sender: str
    archive_url: str


def safe_link(url: str) -> bool:
    """Only web links reach a newsletter; anything else (javascript:, data:) is dropped."""
    return is_web_url(url)


def dutch_date(day: date, lang: str = "nl") -> str:
    """`1 december 2026` (or `1 December 2026` in English)."""
    return format_date(day, format="d MMMM y", locale=LOCALES.get(lang, "nl_NL"))


def is_staff(message: Message) -> bool:
    """A message only for staff audiences."""
    return bool(message.audiences) and set(message.audiences) <= STAFF_AUDIENCES


def _item(message: Message, lang: str, fallback: bool, track: Callable[[str], str] = str) -> Item:
    # Each block numbers its own links, so a partner who copies one block has all it refers to.
    refs = References()
    text = to_text(message.body, refs)
    links = tuple(
        Link(r.title, url, refs.number(url))
        for r in message.resources
        if safe_link(r.url)
        for url in [track(r.url)]
    )
    return Item(message, lang, to_html(message.body), text, links, fallback, tuple(refs.urls))


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis if cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–·") + "…"


def subject_line(items: Sequence[Item], campaign_title: str) -> str:
    """The subject: the first block's title, short enough for a phone (the campaign name and
    the date are in the preheader, which phones show under it)."""
    first = items[0].message.title if items else campaign_title
    return shorten(first, SUBJECT_CHARS)


def preheader_line(items: Sequence[Item], campaign_title: str, date_text: str) -> str:
    """The preview line: campaign, date, then the other blocks' titles."""
    parts = [f"{campaign_title}, {date_text}", *(i.message.title for i in items[1:])]
    return shorten(" · ".join(parts), PREHEADER_CHARS)


def _dutch_only(words: dict[str, str], lang: str, items: Sequence[Item]) -> str:
    if lang == "nl":
        return ""
    dutch, total = sum(i.fallback for i in items), len(items)
    if not dutch:
        return ""
    if dutch == total:
        key = "dutch_only.all.one" if total == 1 else "dutch_only.all"
    else:
        key = "dutch_only.one" if dutch == 1 else "dutch_only"
    return words[key].format(n=dutch, total=total)


def tracked_link(settings: Settings, target: str) -> Callable[[str], str]:
    """How a block's "read more" links are written: through the short link tagged with this
    edition (so the reach report counts clicks, nothing about who), unless
    VEERKRACHT_NEWSLETTER_TRACK_LINKS is off (partners who object get the links as they are)."""
    if not settings.newsletter_track_links:
        return str
    base = settings.public_base_url

    def track(url: str) -> str:
        return short_url(base, url, "newsletter", target) if linkable(url) else url

    return track


def tracked_urls(edition: Edition[NewsletterPayload], settings: Settings) -> list[str]:
    """The resource URLs the edition links through short links (for the redirects)."""
    if not settings.newsletter_track_links:
        return []
    urls = {r.url for m in edition.messages for r in m.resources}
    return sorted(u for u in urls if safe_link(u) and linkable(u))


def compose(edition: Edition[NewsletterPayload], settings: Settings) -> Content:
    """Build the content of an edition; pure."""
    lang = edition.lang if edition.lang in WORDS else "nl"
    words = WORDS[lang]
    kind = edition.payload.kind or _kind_of(edition.audiences)
    fallback = set(edition.payload.fallback)
    staff_id = edition.payload.staff
    items: list[Item] = []
    staff: Item | None = None
    track = tracked_link(settings, edition.target)
    for message in edition.messages:
        is_fallback = message.key in fallback or message.lang != lang
        if staff is None and (message.id == staff_id or (staff_id is None and is_staff(message))):
            staff = _item(message, lang, is_fallback, track)
        else:
            items.append(_item(message, lang, is_fallback, track))
    items.sort(key=lambda i: i.fallback)  # translated blocks first (a stable sort)
    date_text = dutch_date(edition.day, lang)
    subject = subject_line(items, edition.campaign_title)
    preheader = preheader_line(items, edition.campaign_title, date_text)
    seen: set[str] = set()
    resources: list[Link] = []
    for item in (*items, *([staff] if staff else [])):
        for link in item.links:
            if link.url not in seen:
                seen.add(link.url)
                resources.append(link)
    intro_key = "intro.one" if len(items) == 1 else "intro" if staff else "intro.nostaff"
    base = settings.public_base_url.rstrip("/")
    return Content(
        lang=lang,
        kind=kind,
        subject=subject,
        preheader=preheader,
        date_text=date_text,
        greeting=words.get(f"greeting.{kind}", words["greeting.kinderopvang"]),
        intro=words[intro_key].format(n=len(items)),
        dutch_only=_dutch_only(words, lang, items),
        items=tuple(items),
        staff=staff,
        resources=tuple(resources),
        words=words,
        sender=settings.organisation,
        archive_url=f"{base}/newsletters/{edition.key}/",
    )


def _kind_of(audiences: tuple[str, ...]) -> str:
    return (
        "kinderopvang"
        if "kinderopvang-team" in audiences or ("ouders-jonge-kinderen" in audiences)
        else "school"
    )


RULE = "-" * WIDTH  # the lines around a block a partner copies


def plain_text(content: Content, unsubscribe: str) -> str:
    """The plain-text alternative: same items, each block between two lines with its own
    numbered links written out inside it; its label and notes stay above the first line, so
    what a partner copies is the message and nothing else."""
    w = content.words
    intro = content.intro + (f" {content.dutch_only}" if content.dutch_only else "")
    parts = [content.greeting, textwrap.fill(intro, WIDTH, break_long_words=False)]
    blocks = [(w["block"].format(n=n), it) for n, it in enumerate(content.items, 1)]
    if content.staff:
        blocks.append((w["staff"], content.staff))
    for label, item in blocks:
        head = f"{label} ({w['copy_hint']}):"
        lines = [head if label != w["staff"] else f"{label}:"]
        if item.fallback:
            lines.append(f"({w['fallback']})")
        lines += [RULE, item.message.title.upper(), "", item.text]
        if item.links:
            lines += ["", f"{w['resources']}:"]
            lines += [f"- {link.title} [{link.number}]" for link in item.links]
        if item.urls:
            lines += ["", *(f"[{n}] {url}" for n, url in enumerate(item.urls, 1))]
        lines.append(RULE)
        parts.append("\n".join(lines))
    parts.append(w["from"].format(sender=content.sender))
    parts.append(f"{w['archive']}: {content.archive_url}\n{w['unsubscribe']}: {unsubscribe}")
    return "\n\n".join(p for p in parts if p) + "\n"
