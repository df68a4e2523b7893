"""What goes into one newsletter: subject, preheader, intro, items, staff item, resources."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date

from channels.base import Edition
from channels.newsletter.payload import NewsletterPayload
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
        "staff": "Voor uw team",
        "resources": "Meer lezen",
        "all_resources": "Alle links uit deze nieuwsbrief",
        "fallback": "Dit bericht is alleen in het Nederlands beschikbaar.",
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


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    number: int  # its [n] in the plain text


@dataclass(frozen=True)
class Item:
    """One block: a message as HTML and as plain text, with its resource links."""

    message: Message
    lang: str
    html: str
    text: str
    links: tuple[Link, ...]
    fallback: bool


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
    items: tuple[Item, ...]
    staff: Item | None
    resources: tuple[Link, ...]
    words: dict[str, str]
    sender: str
    archive_url: str
    urls: tuple[str, ...]  # every link, in [n] order


def safe_link(url: str) -> bool:
    """Only web links reach a newsletter; anything else (javascript:, data:) is dropped."""
    return is_web_url(url)


def dutch_date(day: date, lang: str = "nl") -> str:
    """`1 december 2026` (or `1 December 2026` in English)."""
    return format_date(day, format="d MMMM y", locale=LOCALES.get(lang, "nl_NL"))


def is_staff(message: Message) -> bool:
    """A message only for staff audiences."""
    return bool(message.audiences) and set(message.audiences) <= STAFF_AUDIENCES


def _item(message: Message, lang: str, refs: References, fallback: bool) -> Item:
    text = to_text(message.body, refs)
    links = tuple(
        Link(r.title, r.url, refs.number(r.url)) for r in message.resources if safe_link(r.url)
    )
    return Item(message, lang, to_html(message.body), text, links, fallback)


def compose(edition: Edition[NewsletterPayload], settings: Settings) -> Content:
    """Build the content of an edition; pure."""
    lang = edition.lang if edition.lang in WORDS else "nl"
    words = WORDS[lang]
    kind = edition.payload.kind or _kind_of(edition.audiences)
    fallback = set(edition.payload.fallback)
    staff_id = edition.payload.staff
    refs = References()
    items: list[Item] = []
    staff: Item | None = None
    for message in edition.messages:
        is_fallback = message.key in fallback or message.lang != lang
        if staff is None and (message.id == staff_id or (staff_id is None and is_staff(message))):
            staff = _item(message, lang, refs, is_fallback)
        else:
            items.append(_item(message, lang, refs, is_fallback))
    date_text = dutch_date(edition.day, lang)
    first = items[0].message.title if items else edition.campaign_title
    subject = f"{edition.campaign_title}: {first} ({date_text})"
    preheader = " · ".join(i.message.title for i in items)
    if len(preheader) > 110:
        preheader = preheader[:107].rstrip() + "..."
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
        items=tuple(items),
        staff=staff,
        resources=tuple(resources),
        words=words,
        sender=settings.organisation,
        archive_url=f"{base}/newsletters/{edition.key}/",
        urls=tuple(refs.urls),
    )


def _kind_of(audiences: tuple[str, ...]) -> str:
    return (
        "kinderopvang"
        if "kinderopvang-team" in audiences or ("ouders-jonge-kinderen" in audiences)
        else "school"
    )


def plain_text(content: Content, unsubscribe: str) -> str:
    """The plain-text alternative: same items, links as numbered references."""
    w = content.words
    parts = [content.greeting, textwrap.fill(content.intro, WIDTH, break_long_words=False)]
    blocks = [(w["block"].format(n=n), it) for n, it in enumerate(content.items, 1)]
    if content.staff:
        blocks.append((w["staff"], content.staff))
    for label, item in blocks:
        lines = [f"=== {label} ===", "", item.message.title.upper(), ""]
        if item.fallback:
            lines += [f"({w['fallback']})", ""]
        lines.append(item.text)
        if item.links:
            lines += ["", f"{w['resources']}:"]
            lines += [f"- {link.title} [{link.number}]" for link in item.links]
        parts.append("\n".join(lines))
    every = "\n".join(f"[{n}] {url}" for n, url in enumerate(content.urls, 1))
    parts.append(f"{w['all_resources']}:\n{every}" if every else "")
    parts.append(w["from"].format(sender=content.sender))
    parts.append(f"{w['archive']}: {content.archive_url}\n{w['unsubscribe']}: {unsubscribe}")
    return "\n\n".join(p for p in parts if p) + "\n"
