"""Cadences as the comms team writes them ("weekly on monday", "maandelijks op de eerste dinsdag").

A cadence is parsed once into a `Cadence` and then answers one question for a day: is an edition
due, and if so which one (0-based, counted from the campaign's start). Everything works on
calendar dates in Europe/Amsterdam, so daylight-saving changes never shift a day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from flows.core.clock import TIMEZONE
from flows.core.i18n import N_, _

WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "maandag": 0,
    "dinsdag": 1,
    "woensdag": 2,
    "donderdag": 3,
    "vrijdag": 4,
    "zaterdag": 5,
    "zondag": 6,
}
ORDINALS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "last": -1,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "eerste": 1,
    "tweede": 2,
    "derde": 3,
    "vierde": 4,
    "laatste": -1,
}
NUMBERS: dict[str, int] = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
}
EXAMPLES = N_(
    "daily, weekly on monday, every 2 weeks on tuesday, monthly on the first tuesday "
    "(or in Dutch: dagelijks, wekelijks op maandag, elke 2 weken op dinsdag, "
    "maandelijks op de eerste dinsdag)"
)
# The hour an edition goes out; the daily deployment runs at 06:00 Europe/Amsterdam.
EDITION_HOUR = time(6, 0)

_DAY = r"(?P<day>[a-z]+)"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rf"^{pattern}$"))
    for kind, pattern in (
        ("daily", r"(daily|every day|dagelijks|elke dag|iedere dag)"),
        ("weekly", rf"(weekly|wekelijks|every week|elke week|iedere week) (on|op) {_DAY}"),
        ("weekly", rf"(every|elke|iedere) {_DAY}"),
        ("weekly", rf"(every|elke|iedere|om de) (?P<n>[a-z0-9]+) (weeks|weken) (on|op) {_DAY}"),
        ("weekly", rf"(biweekly|fortnightly|tweewekelijks) (on|op) {_DAY}"),
        (
            "monthly",
            (
                rf"(monthly|maandelijks|every month|elke maand|iedere maand) (on|op) "
                rf"((the|de) )?(?P<nth>[a-z0-9]+) {_DAY}"
            ),
        ),
    )
)


class CadenceError(ValueError):
    """A cadence text that cannot be understood; the message says what to write instead."""


@dataclass(frozen=True)
class Cadence:
    """A parsed cadence: daily, every `interval` weeks on `weekday`, or monthly on the `nth`."""

    kind: Literal["daily", "weekly", "monthly"]
    weekday: int = 0  # Monday is 0, as in `date.weekday()`
    interval: int = 1  # weeks between editions (weekly only)
    nth: int = 1  # 1..4, or -1 for the last (monthly only)
    text: str = ""


def parse_cadence(text: str) -> Cadence:
    """Parse an English or Dutch cadence; raise CadenceError with an example when it is unclear."""
    norm = " ".join(str(text).lower().replace(",", " ").split())
    for kind, pattern in _PATTERNS:
        match = pattern.match(norm)
        if match is None:
            continue
        groups = match.groupdict()
        if kind == "daily":
            return Cadence("daily", text=norm)
        weekday = _weekday(groups["day"], text)
        if kind == "weekly":
            interval = 2 if norm.startswith(("biweekly", "fortnightly", "tweewekelijks")) else 1
            if groups.get("n"):
                interval = _number(groups["n"], text)
            return Cadence("weekly", weekday=weekday, interval=interval, text=norm)
        nth = ORDINALS.get(groups["nth"])
        if nth is None:
            raise CadenceError(
                _(
                    "cadence {text}: {word} is not first, second, third, fourth or "
                    "last; write for example 'monthly on the first tuesday'"
                ).format(text=repr(text), word=repr(groups["nth"]))
            )
        return Cadence("monthly", weekday=weekday, nth=nth, text=norm)
    raise CadenceError(
        _("cadence {text} is not understood; write one of: {examples}").format(
            text=repr(text), examples=_(EXAMPLES)
        )
    )


def _weekday(word: str, text: str) -> int:
    if word.endswith("s") and word[:-1] in WEEKDAYS:  # "every mondays" / "elke maandags"
        word = word[:-1]
    if word not in WEEKDAYS:
        raise CadenceError(
            _(
                "cadence {text}: {word} is not a day of the week; write for example "
                "'weekly on monday' or 'wekelijks op maandag'"
            ).format(text=repr(text), word=repr(word))
        )
    return WEEKDAYS[word]


def _number(word: str, text: str) -> int:
    value = int(word) if word.isdigit() else NUMBERS.get(word, 0)
    if not 1 <= value <= 12:
        raise CadenceError(
            _(
                "cadence {text}: the number of weeks must be 1 to 12; write for example "
                "'every 2 weeks on tuesday'"
            ).format(text=repr(text))
        )
    return value


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The nth (1..4, or -1 for last) given weekday of a month."""
    if nth > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    nxt = date(year + month // 12, month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def first_due(cadence: Cadence, period_start: date) -> date:
    """The first day on or after `period_start` that the cadence is due."""
    if cadence.kind == "daily":
        return period_start
    if cadence.kind == "weekly":
        return period_start + timedelta(days=(cadence.weekday - period_start.weekday()) % 7)
    year, month = period_start.year, period_start.month
    candidate = nth_weekday(year, month, cadence.weekday, cadence.nth)
    if candidate < period_start:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        candidate = nth_weekday(year, month, cadence.weekday, cadence.nth)
    return candidate


def cadence_due(cadence: Cadence, period_start: date, day: date) -> int | None:
    """The 0-based edition number due on `day`, or None when nothing is due that day."""
    first = first_due(cadence, period_start)
    if day < first:
        return None
    if cadence.kind == "daily":
        return (day - first).days
    if day.weekday() != cadence.weekday:
        return None
    if cadence.kind == "weekly":
        weeks = (day - first).days // 7
        return weeks // cadence.interval if weeks % cadence.interval == 0 else None
    if day != nth_weekday(day.year, day.month, cadence.weekday, cadence.nth):
        return None
    return (day.year - first.year) * 12 + day.month - first.month


def due_days(cadence: Cadence, period_start: date, start: date, end: date) -> list[date]:
    """Every day in [start, end] on which the cadence is due."""
    out = []
    day = max(start, first_due(cadence, period_start))
    while day <= end:
        if cadence_due(cadence, period_start, day) is not None:
            out.append(day)
        day += timedelta(days=1)
    return out


def previous_due(cadence: Cadence, period_start: date, day: date) -> date | None:
    """The last due day strictly before `day` (None before the first edition)."""
    first = first_due(cadence, period_start)
    probe = day - timedelta(days=1)
    while probe >= first:
        if cadence_due(cadence, period_start, probe) is not None:
            return probe
        probe -= timedelta(days=1)
    return None


def edition_time(day: date) -> datetime:
    """When an edition of `day` goes out: 06:00 Europe/Amsterdam (offset follows DST)."""
    return datetime.combine(day, EDITION_HOUR, tzinfo=TIMEZONE)
