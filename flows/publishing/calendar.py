"""The plan over a range of days, for people: rows, JSON, an iCalendar file and an HTML calendar."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_date
from jinja2 import Environment

from channels.base import Edition, Held
from flows.infra.ical import AllDayEvent, calendar
from flows.infra.templates import environment
from flows.library.loader import Library
from flows.publishing import registry
from flows.publishing.day_plan import plan_day
from flows.publishing.inputs import Inputs
from flows.publishing.registry import label


@dataclass(frozen=True)
class PlanRow:
    """One edition in the plan."""

    day: date
    channel: str
    target: str
    campaign: str
    lang: str
    messages: tuple[tuple[str, str], ...]  # (id, title)

    def as_json(self) -> dict[str, object]:
        """A plain dict for `--format json`."""
        return {
            "day": self.day.isoformat(),
            "channel": self.channel,
            "target": self.target,
            "campaign": self.campaign,
            "lang": self.lang,
            "messages": [{"id": i, "title": t} for i, t in self.messages],
        }


def _row(edition: Edition[Any]) -> PlanRow:
    messages = registry.channel(edition.channel).shown_in_plan(edition)
    return PlanRow(
        edition.day,
        edition.channel,
        edition.target,
        edition.campaign_id,
        edition.lang,
        tuple((m.id, m.title) for m in messages),
    )


def _some(names: list[str], limit: int = 12) -> str:
    """A list for people: at most `limit` names, then how many more."""
    shown = ", ".join(names[:limit])
    return shown + (f" en nog {len(names) - limit}" if len(names) > limit else "")


def plan_range(
    library: Library, inputs: Inputs, start: date, days: int, held: Held = frozenset()
) -> list[PlanRow]:
    """Every edition due from `start` for `days` days, in day order, from every channel."""
    rows: list[PlanRow] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        rows.extend(_row(e) for e in plan_day(library, inputs, day, held))
    return rows


def input_notes(inputs: Inputs) -> list[str]:
    """What people must know about the inputs a plan used (for example: the example list)."""
    return [f"{label(name)}: {loaded.note}" for name, loaded in inputs.items() if loaded.note]


def to_json(rows: list[PlanRow]) -> str:
    """The plan as JSON for scripts."""
    return json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2)


def by_day_and_channel(rows: list[PlanRow]) -> dict[tuple[date, str], list[PlanRow]]:
    """Rows grouped per day and channel (one calendar entry each)."""
    grouped: dict[tuple[date, str], list[PlanRow]] = defaultdict(list)
    for row in rows:
        grouped[(row.day, row.channel)].append(row)
    return dict(sorted(grouped.items()))


def _titles(rows: list[PlanRow]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for _, title in row.messages:
            seen.setdefault(title, None)
    return list(seen)


def to_ics(rows: list[PlanRow], *, base_url: str, stamp: datetime | None = None) -> bytes:
    """An iCalendar file: one all-day event per day and channel, listing targets and messages."""
    host = urlsplit(base_url).hostname or "veerkracht.invalid"
    events = []
    for (day, channel), group in by_day_and_channel(rows).items():
        name = label(channel)
        targets = _some([r.target for r in group])
        titles = _titles(group)
        description = f"Voor: {targets}\n\nBerichten:\n" + "\n".join(f"- {t}" for t in titles)
        events.append(
            AllDayEvent(
                uid=f"{day.isoformat()}-{channel}@{host}",
                day=day,
                summary=f"{name}: {len(group)} {'editie' if len(group) == 1 else 'edities'}",
                description=description,
                categories=(name, *sorted({r.campaign for r in group})),
            )
        )
    return calendar(events, name="Veerkracht campagneplanning", stamp=stamp)


@cache
def _templates() -> Environment:
    return environment("flows.publishing")


def to_html(rows: list[PlanRow], start: date, days: int, notes: Sequence[str] = ()) -> str:
    """An HTML calendar (weeks as rows, days as columns) for `out/reports/plan.html`."""
    grouped = by_day_and_channel(rows)
    first = start - timedelta(days=start.weekday())
    last = start + timedelta(days=days - 1)
    weeks = []
    monday = first
    while monday <= last:
        cells = []
        for i in range(7):
            day = monday + timedelta(days=i)
            entries = [
                {
                    "channel": label(ch),
                    "key": ch,
                    "count": len(group),
                    "targets": _some([r.target for r in group]),
                    "titles": _titles(group),
                }
                for (d, ch), group in grouped.items()
                if d == day
            ]
            cells.append(
                {
                    "day": day,
                    "label": format_date(day, "EEE d MMM", locale="nl"),
                    "in_range": start <= day <= last,
                    "entries": entries,
                }
            )
        weeks.append({"number": monday.isocalendar()[1], "cells": cells})
        monday += timedelta(days=7)
    return (
        _templates()
        .get_template("plan.html.j2")
        .render(
            weeks=weeks,
            start=format_date(start, "d MMMM y", locale="nl"),
            end=format_date(last, "d MMMM y", locale="nl"),
            total=len(rows),
            notes=list(notes),
        )
    )
