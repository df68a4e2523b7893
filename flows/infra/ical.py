"""A small iCalendar (RFC 5545) writer for all-day events, enough for Outlook and Google Calendar.

Written here rather than adding a dependency: the plan needs one component type (VEVENT, all day)
and the rules that matter are few: CRLF line ends, lines folded at 75 octets without splitting a
UTF-8 character, TEXT escaping of backslash, semicolon, comma and newlines, a UID and DTSTAMP on
every event, and DATE values for all-day events (DTEND is the day after, exclusive).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

PRODID = "-//Veerkracht//Campagneplanning//NL"


@dataclass(frozen=True)
class AllDayEvent:
    """One all-day event."""

    uid: str
    day: date
    summary: str
    description: str = ""
    categories: tuple[str, ...] = ()
    last_day: date | None = None  # for an event of several days: its last day (inclusive)


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line at `limit` octets (RFC 5545 3.1), never inside a UTF-8 character."""
    out: list[str] = []
    current, size = "", 0
    budget = limit
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > budget:
            out.append(current)
            current, size = "", 0
            budget = limit - 1  # continuation lines start with one space
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _prop(name: str, value: str) -> str:
    return fold(f"{name}:{value}") + "\r\n"


def calendar(events: Sequence[AllDayEvent], *, name: str, stamp: datetime | None = None) -> bytes:
    """A VCALENDAR with the events, as UTF-8 bytes with CRLF line ends."""
    now = (stamp or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    parts = [
        "BEGIN:VCALENDAR\r\n",
        _prop("VERSION", "2.0"),
        _prop("PRODID", PRODID),
        _prop("CALSCALE", "GREGORIAN"),
        _prop("METHOD", "PUBLISH"),
        _prop("X-WR-CALNAME", escape_text(name)),
        _prop("X-WR-TIMEZONE", "Europe/Amsterdam"),
    ]
    for event in events:
        end = max(event.last_day or event.day, event.day)
        parts += [
            "BEGIN:VEVENT\r\n",
            _prop("UID", escape_text(event.uid)),
            _prop("DTSTAMP", now),
            _prop("DTSTART;VALUE=DATE", event.day.strftime("%Y%m%d")),
            _prop("DTEND;VALUE=DATE", (end + timedelta(days=1)).strftime("%Y%m%d")),
            _prop("SUMMARY", escape_text(event.summary)),
            _prop("TRANSP", "TRANSPARENT"),  # a plan entry does not make anyone busy
        ]
        if event.description:
            parts.append(_prop("DESCRIPTION", escape_text(event.description)))
        if event.categories:
            parts.append(_prop("CATEGORIES", ",".join(escape_text(c) for c in event.categories)))
        parts.append("END:VEVENT\r\n")
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode("utf-8")
