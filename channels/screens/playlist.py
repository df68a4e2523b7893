"""The playlist of one screen: the slides in the planner's order, as plain JSON-able data.

The same data is embedded in `index.html` (first slide without a fetch) and written as
`playlist.json` (what the page fetches again every few minutes).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from channels.base import Edition
from channels.screens.config import DAY_KEYS
from channels.screens.payload import ScreenPayload
from channels.screens.plan import CHANNEL_NAME
from channels.shared.qr import qr_svg, short_address
from channels.shared.shortlinks import linkable, printed_address, short_url
from channels.shared.themes import theme_name
from flows.core.clock import TIMEZONE
from flows.core.models import Message

FORMAT = 1
TIMEZONE_NAME = "Europe/Amsterdam"
DEFAULT_SECONDS = 10
_VERSION = re.compile(rb'^\{"version":"([0-9a-f]+)"')
# Keys are written by json.dumps, so an unescaped `,"day":"` can only be the key itself.
_DAY = re.compile(rb',"day":"(\d{4}-\d{2}-\d{2})"')


def slide(
    message: Message,
    seconds: int,
    campaign: str,
    campaign_until: date | None = None,
    base_url: str = "",
    screen_id: str = "",
) -> tuple[dict[str, Any], str]:
    """One slide (screen text, QR of the first resource, validity, seconds) and its JSON text.

    With a `base_url` the QR code is the resource's short link tagged with `screen_id`
    (`<base>/r/<code>?s=<tag>`, version 3) and the printed address `<host>/r/<code>`; without
    one, both are the resource's own URL.

    `campaign_until` is the last day of the slide's campaign: the page shows the slide up to
    the earlier of it and the message's valid_until, by the screen's own clock.

    The result is shared between screens showing the same message: never change it.
    """
    first = message.resources[0].url if message.resources else None
    return _slide(
        message.id,
        message.lang,
        message.screen.headline,
        message.screen.text,
        message.theme,
        first,
        message.valid_from,
        message.valid_until,
        seconds,
        campaign,
        campaign_until,
        base_url,
        screen_id,
    )


@lru_cache(maxsize=65536)
def _slide(
    message_id: str,
    lang: str,
    headline: str,
    text: str,
    theme: str,
    url: str | None,
    valid_from: date,
    valid_until: date | None,
    seconds: int,
    campaign: str,
    campaign_until: date | None,
    base_url: str,
    screen_id: str,
) -> tuple[dict[str, Any], str]:
    # Cached on every input: a message on a thousand screens is serialised once.
    data = {
        "id": message_id,
        "lang": lang,
        "headline": headline.strip(),
        "text": text.strip(),
        "theme": theme_name(theme),
        "campaign": campaign,
        "campaign_until": campaign_until.isoformat() if campaign_until else None,
        "url": url,
        "qr": qr_svg(_scanned(url, base_url, screen_id)) if url else None,
        "short_url": _printed(url, base_url) if url else None,
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat() if valid_until else None,
        "seconds": seconds,
    }
    return data, json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _scanned(url: str, base_url: str, screen_id: str) -> str:
    """What the QR code holds: the short link tagged with the screen, when there is a base."""
    if base_url and linkable(url):
        return short_url(base_url, url, CHANNEL_NAME, screen_id)
    return url


def _printed(url: str, base_url: str) -> str:
    """The address under the QR code, to type: the untagged short link, when there is a base."""
    return printed_address(base_url, url) if base_url and linkable(url) else short_address(url)


def build_playlist(
    edition: Edition[ScreenPayload],
    generated_at: datetime | None = None,
    salt: str = "",
    base_url: str = "",
) -> tuple[dict[str, Any], str]:
    """The playlist data of one screen edition, and the same as `playlist.json` text.

    `base_url` (the public base URL) makes the QR codes short links (see `slide`).

    `salt` goes into the version with the slides: the page code and the public address, so an
    equal version means equal files (apart from generated_at) and delivery can skip them.
    """
    payload = edition.payload
    screen = payload.screen
    seconds = screen.slide_seconds or DEFAULT_SECONDS
    # With overlapping campaigns each slide keeps its own campaign's name and seconds.
    titles, each, ends = payload.campaign_titles, payload.seconds_each, payload.campaign_ends
    slides = [
        slide(
            m,
            each[i] if i < len(each) and each[i] else seconds,
            titles[i] if i < len(titles) and titles[i] else edition.campaign_title,
            ends[i] if i < len(ends) else None,
            base_url,
            screen.id,
        )
        for i, m in enumerate(edition.messages)
    ]
    body: dict[str, Any] = {
        "format": FORMAT,
        "screen": {
            "id": screen.id,
            "location": screen.location,
            "language": screen.language,
            "orientation": screen.orientation,
            "audiences": list(screen.audiences),
        },
        "day": edition.day.isoformat(),
        "campaign": edition.campaign_title,
        "attribution": edition.attribution,
        "timezone": TIMEZONE_NAME,
        "opening_hours": {
            d: screen.opening_hours[d] for d in DAY_KEYS if d in screen.opening_hours
        },
        "offline_wait_seconds": screen.offline_wait_seconds,  # in the version: sw.js uses it
    }
    head_json = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    body_json = head_json[:-1] + ',"slides":[' + ",".join(t for _, t in slides) + "]}"
    body["slides"] = [d for d, _ in slides]
    # The version covers what the page shows, not when it was made: an unchanged playlist
    # keeps its version, so a second publish of the same day writes nothing.
    version = hashlib.sha256((salt + body_json).encode("utf-8")).hexdigest()[:16]
    stamp = (generated_at or datetime.now(TIMEZONE)).isoformat(timespec="seconds")
    head = json.dumps({"version": version, "generated_at": stamp}, separators=(",", ":"))
    # One serialisation per screen: a thousand screens of sixty slides are written per run.
    text = head[:-1] + "," + body_json[1:]
    return {"version": version, "generated_at": stamp, **body}, text


def version_of(playlist_json: bytes) -> str | None:
    """The version of a written playlist.json, read from its first bytes only."""
    match = _VERSION.match(playlist_json[:64])
    return match.group(1).decode("ascii") if match else None


def day_of(playlist_json: bytes) -> date | None:
    """The day a written playlist.json is for, read from its first kilobytes only."""
    match = _DAY.search(playlist_json[:4096])
    return date.fromisoformat(match.group(1).decode("ascii")) if match else None


def to_script_json(text: str) -> str:
    """Playlist JSON made safe inside an HTML <script> element (no `</script>` can close it)."""
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
