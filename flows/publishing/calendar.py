"""The plan over a range of days, for people: rows, JSON, an iCalendar file and an HTML overview.

The overview (`plan.html`) is the comms team's campaign calendar: one row per week with the
week's theme, a column per channel, and in each cell the channel's editions grouped by who they
are for (a partner group, a screen group, a feed): the days they go out and the titles they
carry. A group that goes out every day (a screen) is one entry for the week, not seven. Below:
the messages held back and why, and the review dates and expiries that come up.

The `.ics` file has one event per edition of a group that goes out on a few days of a week (a
newsletter edition, a feed day, a poster week), one per week for its theme, and a reminder per
review date and expiry; never one per day per screen.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from babel.dates import format_date
from jinja2 import Environment

from channels.base import Edition, Held
from flows.core.i18n import language
from flows.core.models import AUDIENCES, THEMES, Campaign, Message
from flows.infra.ical import AllDayEvent, calendar
from flows.infra.templates import environment
from flows.library.loader import Library
from flows.publishing import registry
from flows.publishing.day_plan import plan_day
from flows.publishing.inputs import Inputs
from flows.publishing.registry import label

# A group seen on more days of one week than this goes out daily (a screen): the calendar file
# gets no event for it, the overview one entry for the week.
DAILY_FROM_DAYS = 3
TITLES_SHOWN = 8  # per group in the overview; the rest as "en nog N"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "Engels"}


@dataclass(frozen=True)
class PlanRow:
    """One edition in the plan."""

    day: date
    channel: str
    target: str
    campaign: str
    lang: str
    messages: tuple[tuple[str, str], ...]  # (id, title)
    audiences: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()  # the theme of each message, in the same order
    link: str = ""  # the edition's page under out/, "" when it has none

    def as_json(self) -> dict[str, object]:
        """A plain dict for `--format json`."""
        return {
            "day": self.day.isoformat(),
            "channel": self.channel,
            "target": self.target,
            "campaign": self.campaign,
            "lang": self.lang,
            "audiences": list(self.audiences),
            "messages": [{"id": i, "title": t} for i, t in self.messages],
            "link": self.link,
        }


def _row(edition: Edition[Any]) -> PlanRow:
    found = registry.channel(edition.channel)
    messages = found.shown_in_plan(edition)
    return PlanRow(
        edition.day,
        edition.channel,
        edition.target,
        edition.campaign_id,
        edition.lang,
        tuple((m.id, m.title) for m in messages),
        tuple(edition.audiences),
        tuple(m.theme for m in messages),
        found.plan_link(edition) or "",
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
        rows.extend(
            _row(e)
            for e in plan_day(library, inputs, day, held)
            if registry.channel(e.channel).in_plan(e)
        )
    return rows


def input_notes(inputs: Inputs, lang: str = "nl") -> list[str]:
    """What people must know about the inputs a plan used (for example: the example list), in
    `lang`: Dutch for the plan page, which speaks Dutch only."""
    with language(lang):
        return [
            f"{label(name, lang)}: {loaded.note}" for name, loaded in inputs.items() if loaded.note
        ]


def to_json(rows: list[PlanRow]) -> str:
    """The plan as JSON for scripts."""
    return json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2)


# --- the overview ------------------------------------------------------------------------------


def _day(day: date) -> str:
    return format_date(day, "EEE d MMM", locale="nl")


def days_text(days: Sequence[date]) -> str:
    """`di 5 jan`, `ma 4 jan, do 7 jan`, `ma 4 jan t/m vr 8 jan` or `ma 4 jan, do 7 jan t/m
    za 9 jan`: days in a row of three or more as one span."""
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:  # a run of days in a row reads as "from t/m to", a short one day by day
        if len(run) >= DAILY_FROM_DAYS:
            parts.append(f"{_day(run[0])} t/m {_day(run[-1])}")
        else:
            parts.extend(_day(d) for d in run)
    return ", ".join(parts)


def audience_text(audiences: Sequence[str], lang: str) -> str:
    """Who a group is for, in Dutch: the audiences' names and the language when not Dutch."""
    names = [AUDIENCES.get(a, a) for a in audiences] or ["iedereen"]
    text = ", ".join(names)
    if lang != "nl":
        text += f" ({LANGUAGE_NAMES.get(lang, lang)})"
    return text


@dataclass(frozen=True)
class Group:
    """The editions of one channel for one audience set and language in one week."""

    channel: str
    campaign: str
    audiences: tuple[str, ...]
    lang: str
    days: tuple[date, ...]
    targets: tuple[str, ...]
    titles: tuple[tuple[str, bool], ...]  # (title, of the week's theme), theme first
    editions: tuple[PlanRow, ...]
    links: tuple[tuple[str, str], ...]  # (day text, path under out/)

    @property
    def daily(self) -> bool:
        """True for a group that goes out on most days (a screen)."""
        return len(self.days) >= DAILY_FROM_DAYS

    @property
    def who(self) -> str:
        return audience_text(self.audiences, self.lang)

    @property
    def when(self) -> str:
        return days_text(self.days)

    @property
    def shown_titles(self) -> tuple[tuple[str, bool], ...]:
        return self.titles[:TITLES_SHOWN]

    @property
    def more(self) -> int:
        return max(len(self.titles) - TITLES_SHOWN, 0)


@dataclass(frozen=True)
class WeekTheme:
    campaign: str  # the campaign's title
    theme: str  # the theme as people read it, or the week's message titles
    theme_id: str | None


@dataclass(frozen=True)
class Week:
    monday: date
    number: int
    themes: tuple[WeekTheme, ...]
    cells: tuple[tuple[str, tuple[Group, ...]], ...]  # (channel, its groups), every channel

    @property
    def span(self) -> str:
        sunday = self.monday + timedelta(days=6)
        return f"{format_date(self.monday, 'd MMM', locale='nl')} – " + format_date(
            sunday, "d MMM y", locale="nl"
        )

    @property
    def editions(self) -> int:
        return sum(len(g.editions) for _, groups in self.cells for g in groups)


@dataclass(frozen=True)
class Reminder:
    """A review date or an expiry that comes up."""

    day: date
    kind: str  # "herzien" or "verloopt"
    message: Message

    @property
    def what(self) -> str:
        return "Herzien vóór" if self.kind == "herzien" else "Verloopt na"


@dataclass(frozen=True)
class HeldMessage:
    key: tuple[str, str]
    title: str
    path: str
    why: str


@dataclass(frozen=True)
class Overview:
    start: date
    last: date
    weeks: tuple[Week, ...]
    held: tuple[HeldMessage, ...] = ()
    reminders: tuple[Reminder, ...] = ()
    notes: tuple[str, ...] = ()
    total: int = 0
    channels: tuple[str, ...] = field(default_factory=tuple)


def _week_themes(campaigns: Sequence[Campaign], library: Library, monday: date) -> list[WeekTheme]:
    out: list[WeekTheme] = []
    for campaign in campaigns:
        week = next(
            (
                w
                for w in (campaign.week_of(monday + timedelta(days=i)) for i in range(7))
                if w is not None
            ),
            None,
        )
        if week is None:
            continue
        if week.theme is not None:
            out.append(WeekTheme(campaign.title, THEMES.get(week.theme, week.theme), week.theme))
        elif week.messages:
            titles = [(library.message(mid) or library.message(mid, "en")) for mid in week.messages]
            named = [m.title if m else mid for m, mid in zip(titles, week.messages, strict=True)]
            out.append(WeekTheme(campaign.title, ", ".join(named), None))
    return out


def _group(rows: list[PlanRow], theme_ids: set[str | None]) -> Group:
    first = rows[0]
    titles: dict[str, bool] = {}
    for row in rows:
        for (_, title), theme in zip(
            row.messages, row.themes or ("",) * len(row.messages), strict=True
        ):
            titles[title] = titles.get(title, False) or theme in theme_ids
    ordered = sorted(titles.items(), key=lambda t: not t[1])  # stable: theme first
    days = tuple(sorted({r.day for r in rows}))
    links = tuple(dict.fromkeys((_day(r.day), r.link) for r in rows if r.link))
    return Group(
        channel=first.channel,
        campaign=first.campaign,
        audiences=first.audiences,
        lang=first.lang,
        days=days,
        targets=tuple(dict.fromkeys(r.target for r in rows)),
        titles=tuple(ordered),
        editions=tuple(rows),
        links=links,
    )


def overview(
    rows: list[PlanRow],
    start: date,
    days: int,
    library: Library | None = None,
    *,
    held: Mapping[tuple[str, str], str] | Held = frozenset(),
    notes: Sequence[str] = (),
) -> Overview:
    """The plan as weeks, channels and groups, with what is held and what comes up."""
    lib = library or Library(root=Path("content"), messages=(), campaigns=())
    last = start + timedelta(days=days - 1)
    names = list(registry.channels())
    for row in rows:
        if row.channel not in names:
            names.append(row.channel)
    by_week: dict[date, dict[str, dict[tuple[object, ...], list[PlanRow]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for row in rows:
        monday = row.day - timedelta(days=row.day.weekday())
        key = (row.campaign, row.audiences, row.lang)
        by_week[monday][row.channel].setdefault(key, []).append(row)
    weeks: list[Week] = []
    monday = start - timedelta(days=start.weekday())
    while monday <= last:
        themes = _week_themes(lib.campaigns, lib, monday)
        theme_ids = {t.theme_id for t in themes if t.theme_id}
        cells = []
        for name in names:
            grouped = by_week.get(monday, {}).get(name, {})
            groups = sorted(
                (_group(g, set(theme_ids)) for g in grouped.values()),
                key=lambda g: (g.days[0], g.who),
            )
            cells.append((name, tuple(groups)))
        weeks.append(Week(monday, monday.isocalendar()[1], tuple(themes), tuple(cells)))
        monday += timedelta(days=7)
    return Overview(
        start=start,
        last=last,
        weeks=tuple(weeks),
        held=tuple(_held(lib, held)),
        reminders=tuple(reminders(lib, start, last)),
        notes=tuple(notes),
        total=len(rows),
        channels=tuple(names),
    )


def _held(library: Library, held: Mapping[tuple[str, str], str] | Held) -> list[HeldMessage]:
    out = []
    for key in sorted(held):
        why = held[key] if isinstance(held, Mapping) else "tegengehouden"
        message = library.message(*key)
        out.append(
            HeldMessage(
                key,
                message.title if message else key[0],
                library.rel(message.path) if message else "",
                why,
            )
        )
    return out


def reminders(library: Library, start: date, last: date) -> list[Reminder]:
    """Review dates (`review_by`) and expiries (`valid_until`) from `start` to `last`."""
    out: list[Reminder] = []
    for m in library.messages:
        if m.review_by is not None and start <= m.review_by <= last:
            out.append(Reminder(m.review_by, "herzien", m))
        if m.valid_until is not None and start <= m.valid_until <= last:
            out.append(Reminder(m.valid_until, "verloopt", m))
    return sorted(out, key=lambda r: (r.day, r.kind, r.message.id, r.message.lang))


def review_of(message: Message) -> str:
    """Who reviewed a message and when, if the message says (fields that may not exist yet)."""
    status = getattr(message, "status", "")
    by = getattr(message, "reviewed_by", None)
    on = getattr(message, "reviewed_on", None)
    parts = [str(status)] if status else []
    if by:
        parts.append(f"beoordeeld door {by}")
    if isinstance(on, date):
        parts.append(f"op {format_date(on, 'd MMM y', locale='nl')}")
    return ", ".join(parts)


@cache
def _templates() -> Environment:
    env = environment("flows.publishing")
    env.filters["nl_date"] = lambda d: format_date(d, "EEE d MMM y", locale="nl")
    env.filters["href"] = lambda path: "../" + quote(path)
    env.globals["label"] = label
    env.globals["review_of"] = review_of
    return env


def to_html(
    rows: list[PlanRow],
    start: date,
    days: int,
    notes: Sequence[str] = (),
    *,
    library: Library | None = None,
    held: Mapping[tuple[str, str], str] | Held = frozenset(),
    ics_name: str = "plan.ics",
) -> str:
    """The campaign overview for `out/reports/plan.html` (links are relative to reports/)."""
    view = overview(rows, start, days, library, held=held, notes=notes)
    return (
        _templates()
        .get_template("plan.html.j2")
        .render(
            view=view,
            start=format_date(start, "d MMMM y", locale="nl"),
            end=format_date(view.last, "d MMMM y", locale="nl"),
            ics_name=ics_name,
            detailed={
                name
                for name, channel in registry.channels().items()
                if channel.calendar_events == "edition"
            },
        )
    )


# --- the calendar file -------------------------------------------------------------------------


def to_ics(
    rows: list[PlanRow],
    *,
    base_url: str,
    stamp: datetime | None = None,
    library: Library | None = None,
    start: date | None = None,
    days: int | None = None,
) -> bytes:
    """An iCalendar file: an event per edition of each group that is not daily (its titles in
    the description), one per week for its theme, and a reminder per review date and expiry."""
    host = urlsplit(base_url).hostname or "veerkracht.invalid"
    first = start or (min(r.day for r in rows) if rows else date.today())
    length = days or ((max(r.day for r in rows) - first).days + 1 if rows else 1)
    view = overview(rows, first, length, library)
    events: list[AllDayEvent] = []
    for week in view.weeks:
        for theme in week.themes:
            events.append(
                AllDayEvent(
                    uid=f"thema-{week.monday.isoformat()}-{_uid_part(theme.campaign)}@{host}",
                    day=week.monday,
                    last_day=week.monday + timedelta(days=6),
                    summary=f"Thema van week {week.number}: {theme.theme}",
                    description=f"Campagne: {theme.campaign}",
                    categories=("Thema",),
                )
            )
        for channel, groups in week.cells:
            events += _edition_events(channel, groups, base_url, host)
    for reminder in view.reminders:
        m = reminder.message
        events.append(
            AllDayEvent(
                uid=f"{reminder.kind}-{m.id}.{m.lang}-{reminder.day.isoformat()}@{host}",
                day=reminder.day,
                summary=f"{reminder.what}: {m.title}",
                description=f"Bericht {m.id} ({m.lang})",
                categories=("Herzien" if reminder.kind == "herzien" else "Verloopt",),
            )
        )
    return calendar(events, name="Veerkracht campagneplanning", stamp=stamp)


def _edition_events(
    channel: str, groups: Sequence[Group], base_url: str, host: str
) -> list[AllDayEvent]:
    """A week's events of one channel: per edition or per day (see `Channel.calendar_events`);
    daily groups (a screen) get none."""
    name = label(channel)
    known = registry.channels().get(channel)
    per_edition = known is not None and known.calendar_events == "edition"
    base = base_url.rstrip("/")
    events: list[AllDayEvent] = []
    by_day: dict[date, list[tuple[Group, PlanRow]]] = defaultdict(list)
    for group in groups:
        if group.daily:
            continue  # a screen's days are in the overview, not in anyone's agenda
        for row in group.editions:
            by_day[row.day].append((group, row))
    for day, entries in sorted(by_day.items()):
        if per_edition:
            for group, row in entries:
                titles = "\n".join(f"{n}. {t}" for n, (_, t) in enumerate(row.messages, 1))
                description = f"Voor: {group.who}\n\n{titles}"
                if row.link:
                    description += f"\n\nBekijken: {base}/{quote(row.link)}"
                events.append(
                    AllDayEvent(
                        uid=f"{day.isoformat()}-{channel}-{row.target}@{host}",
                        day=day,
                        summary=f"{name}: {group.who}",
                        description=description,
                        categories=(name, row.campaign),
                    )
                )
            continue
        lines = []
        for group, row in entries:
            titles = ", ".join(t for _, t in row.messages) or "geen nieuwe berichten"
            lines.append(f"- {group.who}: {titles}")
        events.append(
            AllDayEvent(
                uid=f"{day.isoformat()}-{channel}@{host}",
                day=day,
                summary=f"{name}: {len(entries)} {'editie' if len(entries) == 1 else 'edities'}",
                description="\n".join(lines),
                categories=(name, *sorted({row.campaign for _, row in entries})),
            )
        )
    return events


def _uid_part(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")
