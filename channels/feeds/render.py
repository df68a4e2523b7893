"""RSS 2.0 and Atom 1.0 documents for one feed, built with ElementTree (text is always escaped).

Dates are the edition's 06:00 Europe/Amsterdam: RFC 822 in RSS, RFC 3339 in Atom. GUIDs are tag:
URIs (RFC 4151) from the campaign, the message id and the language, so they never change when a
feed is rebuilt. The feed's own date is its newest entry's, not the time of the run, so an
unchanged feed is byte-for-byte the same and is not rewritten.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import format_datetime
from functools import cache
from urllib.parse import urlsplit

from jinja2 import Environment

from channels.feeds.plan import FeedEntry
from channels.shared.shortlinks import linkable, short_url
from flows.core.models import AUDIENCES, THEMES, Resource
from flows.core.urls import is_web_url
from flows.infra.markdown import to_html
from flows.infra.templates import environment
from flows.planning.cadence import edition_time

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
ET.register_namespace("atom", ATOM)
ET.register_namespace("content", CONTENT)
ET.register_namespace("dc", DC)

AUDIENCES_EN = {
    "ouders-jonge-kinderen": "parents of children aged 0 to 4",
    "ouders-schoolkinderen": "parents of children aged 4 to 12",
    "jongeren": "young people (secondary school)",
    "aanstaande-ouders": "expecting parents",
    "kinderopvang-team": "childcare staff",
    "school-team": "teachers and mentors",
}
WORDS = {
    "nl": {
        "title": "Veerkracht – berichten voor {who}",
        "more": "Meer weten",
        "from": "Uit de campagne",
        "desc": "Korte, praktische berichten van {org} voor {who}.",
    },
    "en": {
        "title": "Veerkracht – messages for {who}",
        "more": "Read more",
        "from": "From the campaign",
        "desc": "Short, practical messages from {org} for {who}.",
    },
}


def tag_uri(base_url: str, entry: FeedEntry) -> str:
    """A stable GUID: tag:<host>,<campaign start>:<campaign>/<message>/<lang>."""
    host = urlsplit(base_url).hostname or "veerkracht.invalid"
    return (
        f"tag:{host},{entry.campaign_start.isoformat()}:"
        f"{entry.campaign_id}/{entry.message.id}/{entry.message.lang}"
    )


def feed_id(base_url: str, target: str) -> str:
    """The feed's own stable id."""
    host = urlsplit(base_url).hostname or "veerkracht.invalid"
    return f"tag:{host},2027-01-01:feeds/{target}"


@cache
def _templates() -> Environment:
    return environment("channels.feeds", "")


def _words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["nl"])


def entry_html(entry: FeedEntry, lang: str) -> str:
    """The full message as safe HTML, with its resource links and the campaign's attribution."""
    words = _words(lang)
    return (
        _templates()
        .get_template("entry.html.j2")
        .render(
            body_html=to_html(entry.message.body) if entry.message.body.strip() else "",
            resources=safe_resources(entry),
            words={"more": words["more"], "source": words["from"]},
            campaign_title=entry.campaign_title,
            attribution=entry.attribution,
        )
        .strip()
    )


def safe_resources(entry: FeedEntry) -> list[Resource]:
    """Resources with a web address; anything else (javascript:, data:) never reaches a feed."""
    return [r for r in entry.message.resources if is_web_url(r.url.strip())]


def _who(audience: str, lang: str) -> str:
    return (
        AUDIENCES_EN.get(audience, audience) if lang == "en" else AUDIENCES.get(audience, audience)
    )


def _link(entry: FeedEntry, site: str, feed: Feed | None = None) -> str:
    """An entry's link: its first resource, through the short link tagged with this feed when
    the feed counts clicks (nothing about who clicks is kept), else the resource itself."""
    safe = safe_resources(entry)
    if not safe:
        return site
    url = safe[0].url
    if feed is not None and feed.track_links and linkable(url):
        return short_url(feed.base_url, url, "feeds", feed.target)
    return url


def linked_urls(entries: Sequence[FeedEntry]) -> list[str]:
    """The resource URLs the feed's entries link to (for the short-link redirects)."""
    found = {safe[0].url for e in entries for safe in [safe_resources(e)] if safe}
    return sorted(u for u in found if linkable(u))


def _document(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


@dataclass(frozen=True)
class Feed:
    """One feed as both its documents (RSS and Atom) describe it."""

    target: str
    audience: str
    lang: str
    entries: Sequence[FeedEntry]
    base_url: str
    organisation: str
    track_links: bool = False  # entry links through counted short links

    @property
    def site(self) -> str:
        """The public site, with one trailing slash."""
        return self.base_url.rstrip("/") + "/"

    @property
    def title(self) -> str:
        """The feed's title, naming its audience in its language."""
        return _words(self.lang)["title"].format(who=_who(self.audience, self.lang))

    @property
    def description(self) -> str:
        """One line on who sends what to whom."""
        who = _who(self.audience, self.lang)
        return _words(self.lang)["desc"].format(org=self.organisation, who=who)


def render_rss(feed: Feed) -> bytes:
    """An RSS 2.0 document for one feed."""
    site = feed.site
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = feed.title
    ET.SubElement(channel, "link").text = site
    ET.SubElement(channel, "description").text = feed.description
    ET.SubElement(channel, "language").text = feed.lang
    ET.SubElement(
        channel,
        f"{{{ATOM}}}link",
        href=f"{site}feeds/{feed.target}.rss",
        rel="self",
        type="application/rss+xml",
    )
    if feed.entries:
        newest = format_datetime(edition_time(max(e.day for e in feed.entries)))
        ET.SubElement(channel, "lastBuildDate").text = newest
        ET.SubElement(channel, "pubDate").text = newest
    ET.SubElement(channel, "generator").text = "Veerkracht"
    for entry in feed.entries:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = entry.message.title
        ET.SubElement(item, "link").text = _link(entry, site, feed)
        ET.SubElement(item, "guid", isPermaLink="false").text = tag_uri(feed.base_url, entry)
        ET.SubElement(item, "pubDate").text = format_datetime(edition_time(entry.day))
        # RSS readers treat <description> as HTML: escape the plain text once more, so a "<" in
        # a screen text is shown, never interpreted.
        ET.SubElement(item, "description").text = html.escape(
            f"{entry.message.screen.headline} – {entry.message.screen.text}", quote=False
        )
        ET.SubElement(item, f"{{{CONTENT}}}encoded").text = entry_html(entry, feed.lang)
        ET.SubElement(item, "category").text = THEMES.get(entry.message.theme, entry.message.theme)
        ET.SubElement(item, f"{{{DC}}}creator").text = entry.attribution or feed.organisation
    return _document(rss)


def render_atom(feed: Feed) -> bytes:
    """An Atom 1.0 document for one feed (Atom as the default namespace, as readers expect)."""
    site = feed.site
    root = ET.Element("feed", {"xmlns": ATOM, "xml:lang": feed.lang})
    ET.SubElement(root, "id").text = feed_id(feed.base_url, feed.target)
    ET.SubElement(root, "title").text = feed.title
    ET.SubElement(root, "subtitle").text = feed.description
    ET.SubElement(
        root,
        "link",
        rel="self",
        type="application/atom+xml",
        href=f"{site}feeds/{feed.target}.atom",
    )
    ET.SubElement(root, "link", rel="alternate", type="text/html", href=site)
    newest = max((e.day for e in feed.entries), default=None)
    updated = edition_time(newest).isoformat() if newest else "2027-01-01T00:00:00+01:00"
    ET.SubElement(root, "updated").text = updated
    author = ET.SubElement(root, "author")
    ET.SubElement(author, "name").text = feed.organisation
    ET.SubElement(root, "generator").text = "Veerkracht"
    for entry in feed.entries:
        node = ET.SubElement(root, "entry")
        when = edition_time(entry.day).isoformat()
        ET.SubElement(node, "id").text = tag_uri(feed.base_url, entry)
        ET.SubElement(node, "title").text = entry.message.title
        ET.SubElement(node, "published").text = when
        ET.SubElement(node, "updated").text = when
        ET.SubElement(node, "link", rel="alternate", href=_link(entry, site, feed))
        for res in safe_resources(entry):
            ET.SubElement(node, "link", rel="related", href=res.url, title=res.title)
        who_wrote = ET.SubElement(node, "author")
        ET.SubElement(who_wrote, "name").text = entry.attribution or feed.organisation
        ET.SubElement(
            node,
            "category",
            term=entry.message.theme,
            label=THEMES.get(entry.message.theme, entry.message.theme),
        )
        ET.SubElement(
            node, "summary", type="text"
        ).text = f"{entry.message.screen.headline} – {entry.message.screen.text}"
        ET.SubElement(node, "content", type="html").text = entry_html(entry, feed.lang)
    return _document(root)
