"""The playlist of one screen: the slides in the planner's order, as plain JSON-able data.

The same data is embedded in `index.html` (first slide without a fetch) and written as
`playlist.json` (what the page fetches again every few minutes).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from channels.base import Edition
from channels.screens.qr import qr_svg, short_address
from channels.screens.themes import theme_name
from flows.models import Message, Screen
from flows.settings import TIMEZONE

FORMAT = 1
TIMEZONE_NAME = "Europe/Amsterdam"
DEFAULT_SECONDS = 10


def slide(message: Message, seconds: int, campaign: str) -> dict[str, Any]:
    """One slide: screen text, QR of the first resource, validity dates and display seconds."""
    first = message.resources[0] if message.resources else None
    return {
        "id": message.id,
        "lang": message.lang,
        "headline": message.screen.headline.strip(),
        "text": message.screen.text.strip(),
        "theme": theme_name(message.theme),
        "campaign": campaign,
        "url": first.url if first else None,
        "qr": qr_svg(first.url) if first else None,
        "short_url": short_address(first.url) if first else None,
        "valid_from": message.valid_from.isoformat(),
        "valid_until": message.valid_until.isoformat() if message.valid_until else None,
        "seconds": seconds,
    }


def screen_of(edition: Edition) -> Screen:
    """The screen an edition is for (set by `plan`; a bare id when built by hand)."""
    screen = edition.params.get("screen")
    if isinstance(screen, Screen):
        return screen
    return Screen(id=edition.target, location=edition.target, audiences=edition.audiences or
                  ("ouders-jonge-kinderen",), language="en" if edition.lang == "en" else "nl")


def build_playlist(edition: Edition, generated_at: datetime | None = None) -> dict[str, Any]:
    """The playlist data of one screen edition."""
    screen = screen_of(edition)
    seconds = int(edition.params.get("slide_seconds") or screen.slide_seconds or DEFAULT_SECONDS)
    # With overlapping campaigns each slide keeps its own campaign's name and seconds.
    titles: tuple[str, ...] = tuple(edition.params.get("campaign_titles", ()))
    each: tuple[int, ...] = tuple(edition.params.get("seconds_each", ()))
    slides = [
        slide(
            m,
            each[i] if i < len(each) and each[i] else seconds,
            titles[i] if i < len(titles) and titles[i] else edition.campaign_title,
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
        "opening_hours": dict(screen.opening_hours),
        "slides": slides,
    }
    # The version covers what the page shows, not when it was made: an unchanged playlist
    # keeps its version, so a second publish of the same day writes nothing.
    version = hashlib.sha256(_dumps(body).encode("utf-8")).hexdigest()[:16]
    stamp = generated_at or datetime.now(TIMEZONE)
    return {"version": version, "generated_at": stamp.isoformat(timespec="seconds"), **body}


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def to_json(playlist: dict[str, Any]) -> str:
    """`playlist.json` as written: compact UTF-8 JSON."""
    return json.dumps(playlist, ensure_ascii=False, separators=(",", ":"))


def to_script_json(playlist: dict[str, Any]) -> str:
    """The playlist as JSON safe inside an HTML <script> element (no `</script>` can close it)."""
    return (
        to_json(playlist)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def day_of(playlist: dict[str, Any]) -> date:
    """The day a playlist was planned for."""
    return date.fromisoformat(str(playlist["day"]))
