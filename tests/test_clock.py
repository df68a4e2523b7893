"""The date rule: "today" is the calendar day in Europe/Amsterdam, whatever the machine's zone.

One owner, `flows.core.clock`. The variants that still exist elsewhere (until their callers are
switched) are pinned against the same table; a variant that is gone is skipped.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from flows.core import clock

# (instant in UTC, the day it is in Amsterdam)
INSTANTS = [
    (datetime(2026, 6, 30, 21, 59, 59, tzinfo=UTC), date(2026, 6, 30)),  # 23:59:59 CEST
    (datetime(2026, 6, 30, 22, 0, 0, tzinfo=UTC), date(2026, 7, 1)),  # midnight CEST
    (datetime(2026, 12, 31, 22, 59, 59, tzinfo=UTC), date(2026, 12, 31)),  # 23:59:59 CET
    (datetime(2026, 12, 31, 23, 0, 0, tzinfo=UTC), date(2027, 1, 1)),  # new year in Amsterdam
    (datetime(2027, 3, 27, 22, 59, tzinfo=UTC), date(2027, 3, 27)),  # night before DST starts
    (datetime(2027, 3, 27, 23, 0, tzinfo=UTC), date(2027, 3, 28)),
    (datetime(2027, 3, 28, 0, 59, tzinfo=UTC), date(2027, 3, 28)),  # 01:59 CET, then 03:00
    (datetime(2027, 3, 28, 1, 0, tzinfo=UTC), date(2027, 3, 28)),  # 03:00 CEST
    (datetime(2026, 10, 24, 21, 59, 59, tzinfo=UTC), date(2026, 10, 24)),  # DST ends that night
    (datetime(2026, 10, 24, 22, 0, tzinfo=UTC), date(2026, 10, 25)),
    (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), date(2026, 10, 25)),  # 02:30 CEST (first one)
    (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), date(2026, 10, 25)),  # 02:30 CET (second one)
    (datetime(2028, 2, 28, 23, 30, tzinfo=UTC), date(2028, 2, 29)),  # leap day
    (datetime(2028, 2, 29, 23, 30, tzinfo=UTC), date(2028, 3, 1)),
    (datetime(2026, 1, 1, 0, 0, tzinfo=UTC), date(2026, 1, 1)),
    (datetime(2025, 12, 31, 23, 0, tzinfo=UTC), date(2026, 1, 1)),
]


def _fake_datetime(instant: datetime) -> type[datetime]:
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Frozen:
            moment = instant if tz is None else instant.astimezone(tz)
            return cls.fromtimestamp(moment.timestamp(), moment.tzinfo)

    return Frozen


@pytest.fixture
def far_away_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's own zone is 14 hours ahead of UTC: it must never matter."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(("instant", "day"), INSTANTS)
def test_today_at_an_instant(instant: datetime, day: date, far_away_machine: None) -> None:
    assert clock.today(instant) == day
    # The same instant in another zone is the same day in Amsterdam.
    assert clock.today(instant.astimezone(timezone(timedelta(hours=-11)))) == day


@pytest.mark.parametrize(("instant", "day"), INSTANTS)
def test_today_now_follows_the_clock(
    instant: datetime, day: date, far_away_machine: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "datetime", _fake_datetime(instant))
    assert clock.today() == day
    assert clock.now().date() == day
    assert clock.now().tzinfo is clock.TIMEZONE


@pytest.mark.parametrize(("instant", "day"), INSTANTS)
def test_ingest_run_day(
    instant: datetime, day: date, far_away_machine: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run_ingest asks the owner; seen through what it hands to the fetching part."""
    from flows.core.settings import load_settings
    from flows.ingest import run

    seen: list[date] = []

    def fake_all(settings: Any, engine: Any, sources: Any, rel: str, today: date) -> list[Any]:
        seen.append(today)
        return []

    monkeypatch.setattr(run, "load_sources", lambda _dir: (["a source"], "sources.yaml", []))
    monkeypatch.setattr(run, "open_state", lambda _url: None)
    monkeypatch.setattr(run, "_ingest_all", fake_all)
    monkeypatch.setattr(run, "run_sync", lambda value: value)
    monkeypatch.setattr(clock, "datetime", _fake_datetime(instant))  # run_ingest asks the owner
    run.run_ingest(load_settings())
    assert seen == [day]


def test_naive_datetimes_are_refused() -> None:
    # A naive datetime could be machine time or UTC; guessing is how days shift by one.
    with pytest.raises(ValueError, match="time zone"):
        clock.today(datetime(2026, 6, 30, 23, 30))


def test_timezone_is_amsterdam_and_shared() -> None:
    from flows.core import settings

    assert str(clock.TIMEZONE) == "Europe/Amsterdam"
    assert settings.TIMEZONE is clock.TIMEZONE  # the old name keeps working


def test_real_clock_is_close_to_utc_today() -> None:
    assert abs((clock.today() - datetime.now(UTC).date()).days) <= 1
