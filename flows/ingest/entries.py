"""feedparser entries to plain records: keys, title, link, summary, a usable date.

Decisions (also in the README):
- An entry is known by its id and by its link; it is new only when neither was seen before.
  An entry with neither is known by a hash of its title and summary.
- A link the acceptance rule refuses (`flows.core.urls`: `javascript:`, `file:`, `data:`,
  credentials, a bad site name...) is dropped; the entry is kept without a link and the report
  says so, because its text can still be worth a look. The rule is the content check's, so a
  draft never carries a link its check would then refuse.
- A date before 2000 (1970 is an empty date in disguise) or more than a day ahead is not
  believed, nor is one that cannot be read: the draft then uses the day of ingest.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flows.core.i18n import _
from flows.core.urls import url_problem
from flows.ingest.htmlmd import plain_text

EARLIEST_YEAR = 2000
MAX_TITLE_CHARS = 200


@dataclass
class Entry:
    """One feed entry, reduced to what a draft needs."""

    keys: list[str]
    title: str
    link: str
    summary_html: str
    day: date  # the entry's own date when believable, else the day of ingest
    notes: list[str] = field(default_factory=list)


def _get(raw: Any, name: str) -> Any:
    # feedparser's own .get() maps missing keys to others ("updated_parsed" to
    # "published_parsed") with a DeprecationWarning; we ask for exactly the key we mean.
    return dict.get(raw, name) if isinstance(raw, dict) else None


def _key(kind: str, value: str) -> str:
    return kind + ":" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def entry_date(raw: Any, today: date) -> tuple[date, str]:
    """(date to use, note or ''): the entry's date when believable, else `today`."""
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = _get(raw, name)
        if parsed:
            try:
                day = datetime.fromtimestamp(calendar.timegm(parsed), UTC).date()
            except (OverflowError, ValueError, OSError):
                continue
            if day.year < EARLIEST_YEAR:
                note = _("date {day} is too old to be real; used {today}")
                return today, note.format(day=day, today=today)
            if day > today + timedelta(days=1):
                note = _("date {day} is in the future; used {today}")
                return today, note.format(day=day, today=today)
            return day, ""
    for name in ("published", "updated", "created"):
        if _get(raw, name):
            text = plain_text(str(_get(raw, name)))[:40]
            return today, _("date '{text}' cannot be read; used {today}").format(
                text=text, today=today
            )
    return today, ""


def _summary(raw: Any) -> str:
    summary = _get(raw, "summary")
    if summary:
        return str(summary)
    for content in _get(raw, "content") or []:
        value = content.get("value") if hasattr(content, "get") else None
        if value:
            return str(value)
    return ""


def _link(raw: Any) -> str:
    link = str(_get(raw, "link") or "").strip()
    if link:
        return link
    for candidate in _get(raw, "links") or []:
        href = str(candidate.get("href", "") or "").strip()
        if href and candidate.get("rel", "alternate") == "alternate":
            return href
    return ""


def to_entry(raw: Any, today: date) -> Entry:
    """Turn one feedparser entry into an Entry."""
    notes: list[str] = []
    title = plain_text(str(_get(raw, "title") or ""))[:MAX_TITLE_CHARS].strip()
    link = _link(raw)
    keys = []
    entry_id = str(_get(raw, "id") or "").strip()
    if entry_id:
        keys.append(_key("id", entry_id))
    if link:
        keys.append(_key("link", link))
    summary = _summary(raw)
    if not keys:
        keys.append(_key("text", title + "\n" + summary))
    problem = url_problem(link) if link else None
    if problem is not None:
        notes.append(_("link removed: the address {problem}").format(problem=problem))
        link = ""
    day, note = entry_date(raw, today)
    if note:
        notes.append(note)
    return Entry(keys=keys, title=title, link=link, summary_html=summary, day=day, notes=notes)
