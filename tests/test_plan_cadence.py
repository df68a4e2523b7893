"""Cadence parsing and due days, in English and Dutch, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest

from flows.planning.cadence import (
    CadenceError,
    cadence_due,
    due_days,
    edition_time,
    parse_cadence,
    previous_due,
)

START = date(2027, 1, 4)  # a Monday


@pytest.mark.parametrize(
    ("english", "dutch"),
    [
        ("daily", "dagelijks"),
        ("weekly on monday", "wekelijks op maandag"),
        ("every 2 weeks on tuesday", "elke 2 weken op dinsdag"),
        ("monthly on first tuesday", "maandelijks op de eerste dinsdag"),
        ("monthly on the last friday", "maandelijks op de laatste vrijdag"),
        ("every two weeks on Monday", "om de 2 weken op maandag"),
    ],
)
def test_english_and_dutch_mean_the_same(english: str, dutch: str) -> None:
    en, nl = parse_cadence(english), parse_cadence(dutch)
    assert (en.kind, en.weekday, en.interval, en.nth) == (nl.kind, nl.weekday, nl.interval, nl.nth)
    end = date(2027, 12, 31)
    assert due_days(en, START, START, end) == due_days(nl, START, START, end)


def test_weekly_numbers_editions_from_the_first_due_day() -> None:
    cadence = parse_cadence("weekly on wednesday")
    assert cadence_due(cadence, START, date(2027, 1, 4)) is None
    assert cadence_due(cadence, START, date(2027, 1, 6)) == 0
    assert cadence_due(cadence, START, date(2027, 1, 13)) == 1
    assert cadence_due(cadence, START, date(2026, 12, 30)) is None  # before the period


def test_every_two_weeks_skips_the_odd_weeks() -> None:
    cadence = parse_cadence("every 2 weeks on tuesday")
    days = due_days(cadence, START, START, date(2027, 2, 28))
    assert days == [date(2027, 1, 5), date(2027, 1, 19), date(2027, 2, 2), date(2027, 2, 16)]
    assert [cadence_due(cadence, START, d) for d in days] == [0, 1, 2, 3]
    assert cadence_due(cadence, START, date(2027, 1, 12)) is None


def test_monthly_first_tuesday_counts_months() -> None:
    cadence = parse_cadence("maandelijks op de eerste dinsdag")
    days = due_days(cadence, START, START, date(2027, 6, 30))
    assert days == [
        date(2027, 1, 5),
        date(2027, 2, 2),
        date(2027, 3, 2),
        date(2027, 4, 6),
        date(2027, 5, 4),
        date(2027, 6, 1),
    ]
    assert cadence_due(cadence, START, date(2027, 6, 1)) == 5
    # A period starting after the first Tuesday begins with next month's.
    assert cadence_due(cadence, date(2027, 1, 6), date(2027, 2, 2)) == 0


def test_monthly_last_weekday_handles_december() -> None:
    cadence = parse_cadence("monthly on the last friday")
    assert due_days(cadence, date(2027, 12, 1), date(2027, 12, 1), date(2028, 1, 31)) == [
        date(2027, 12, 31),
        date(2028, 1, 28),
    ]


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("sometimes", "not understood"),
        ("weekly on funday", "not a day of the week"),
        ("every 40 weeks on monday", "1 to 12"),
        ("monthly on the fifth monday", "first, second"),
        ("", "not understood"),
    ],
)
def test_bad_cadence_says_what_to_write(text: str, hint: str) -> None:
    with pytest.raises(CadenceError, match=hint):
        parse_cadence(text)


@pytest.mark.parametrize("dst_day", [date(2027, 3, 28), date(2027, 10, 31)])
def test_schedules_across_dst_changes(dst_day: date) -> None:
    """2027-03-28 and 2027-10-31 are the Sundays the clocks change in Europe/Amsterdam."""
    start = dst_day - timedelta(days=14)
    daily = parse_cadence("daily")
    days = due_days(daily, start, start, dst_day + timedelta(days=14))
    assert len(days) == 29  # a 23- or 25-hour day is still exactly one day
    assert cadence_due(daily, start, dst_day + timedelta(days=1)) == 15
    sunday = parse_cadence("weekly on sunday")
    assert dst_day in due_days(sunday, start, start, dst_day + timedelta(days=7))
    assert previous_due(sunday, start, dst_day + timedelta(days=7)) == dst_day
    before, after = edition_time(dst_day - timedelta(days=1)), edition_time(dst_day + timedelta(1))
    assert (before.hour, after.hour) == (6, 6)  # 06:00 local on both sides
    offsets = {before.utcoffset(), after.utcoffset()}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}
    # Python subtracts same-zone datetimes by wall clock; in UTC the real 23/25 hours show.
    span = (after.astimezone(UTC) - before.astimezone(UTC)).total_seconds() / 3600
    assert span == (47 if dst_day.month == 3 else 49)
