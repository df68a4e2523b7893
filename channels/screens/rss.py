"""An RSS 2.0 feed of one screen's slides, for signage players that show an RSS ticker."""

from __future__ import annotations

from datetime import date, datetime, time
from email.utils import format_datetime
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from flows.core.clock import TIMEZONE


@lru_cache(maxsize=1024)
def _rfc822(day: date) -> str:
    return format_datetime(datetime.combine(day, time(6, 0), tzinfo=TIMEZONE))


def _el(tag: str, text: str, indent: str = "    ") -> str:
    return f"{indent}<{tag}>{escape(text)}</{tag}>\n"


def slides_rss(playlist: dict[str, Any], base_url: str) -> bytes:
    """RSS 2.0 with one item per slide (headline as title, text as description).

    Written as text rather than through ElementTree: a thousand screens are written in one run
    and the tree serialiser was the slowest step.
    """
    screen = playlist["screen"]
    page = f"{base_url.rstrip('/')}/screens/{screen['id']}/"
    title = screen["location"]
    if playlist["campaign"]:
        title += f" – {playlist['campaign']}"
    intro = "Berichten op het scherm" if screen["language"] == "nl" else "Messages on the screen"
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n  <channel>\n',
        _el("title", title),
        _el("link", page),
        _el("description", f"{intro}: {screen['location']}"),
        _el("language", screen["language"]),
        _el("lastBuildDate", _rfc822(date.fromisoformat(playlist["day"]))),
        _el("ttl", "60"),
    ]
    seen: set[tuple[str, str]] = set()
    for s in playlist["slides"]:
        key = (s["id"], s["lang"])
        if key in seen:  # a message shown twice in the loop is one ticker item
            continue
        seen.add(key)
        out.append("    <item>\n")
        out.append(_el("title", s["headline"], "      "))
        out.append(_el("description", s["text"], "      "))
        out.append(_el("link", s["url"] or page, "      "))
        guid = f"{page}#{s['id']}.{s['lang']}"
        out.append(f'      <guid isPermaLink="false">{escape(guid)}</guid>\n')
        out.append(_el("pubDate", _rfc822(date.fromisoformat(s["valid_from"])), "      "))
        if s["campaign"]:
            out.append(_el("category", s["campaign"], "      "))
        out.append("    </item>\n")
    out.append("  </channel>\n</rss>\n")
    return "".join(out).encode("utf-8")
