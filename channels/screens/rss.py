"""An RSS 2.0 feed of one screen's slides, for signage players that show an RSS ticker."""

from __future__ import annotations

from datetime import date, datetime, time
from email.utils import format_datetime
from typing import Any
from xml.etree import ElementTree as ET

from flows.settings import TIMEZONE


def _rfc822(day: date) -> str:
    return format_datetime(datetime.combine(day, time(6, 0), tzinfo=TIMEZONE))


def slides_rss(playlist: dict[str, Any], base_url: str) -> bytes:
    """RSS 2.0 with one item per slide (headline as title, text as description)."""
    screen = playlist["screen"]
    page = f"{base_url.rstrip('/')}/screens/{screen['id']}/"
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    title = screen["location"]
    if playlist["campaign"]:
        title += f" – {playlist['campaign']}"
    ET.SubElement(channel, "title").text = title
    ET.SubElement(channel, "link").text = page
    ET.SubElement(channel, "description").text = (
        "Berichten op het scherm" if screen["language"] == "nl" else "Messages on the screen"
    ) + f": {screen['location']}"
    ET.SubElement(channel, "language").text = screen["language"]
    day = date.fromisoformat(playlist["day"])
    ET.SubElement(channel, "lastBuildDate").text = _rfc822(day)
    ET.SubElement(channel, "ttl").text = "60"
    seen: set[tuple[str, str]] = set()
    for s in playlist["slides"]:
        key = (s["id"], s["lang"])
        if key in seen:  # a message shown twice in the loop is one ticker item
            continue
        seen.add(key)
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = s["headline"]
        ET.SubElement(item, "description").text = s["text"]
        ET.SubElement(item, "link").text = s["url"] or page
        guid = ET.SubElement(item, "guid", isPermaLink="false")
        guid.text = f"{page}#{s['id']}.{s['lang']}"
        ET.SubElement(item, "pubDate").text = _rfc822(date.fromisoformat(s["valid_from"]))
        if s["campaign"]:
            ET.SubElement(item, "category").text = s["campaign"]
    ET.indent(rss)
    body: bytes = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return body + b"\n"
