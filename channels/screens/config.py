"""What the screens channel reads: its campaign settings and `screens.yaml` (the screens)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator

from flows.core.i18n import _
from flows.core.models import Audience, Lang, Strict


class ScreensSettings(Strict):
    """`channels.screens` in a campaign file."""

    slide_seconds: int = Field(10, ge=3, le=120)
    slides: int = Field(12, ge=1, le=200)
    screens: tuple[str, ...] = ()  # empty = every screen whose audiences overlap


DAY_KEYS = ("ma", "di", "wo", "do", "vr", "za", "zo")


class Screen(Strict):
    """A waiting-room screen from `screens.yaml`."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    location: str = Field(min_length=1)
    audiences: tuple[Audience, ...] = Field(min_length=1)
    language: Lang = "nl"
    slide_seconds: int = Field(10, ge=3, le=120)
    orientation: Literal["landscape", "portrait"] = "landscape"
    # Dutch day abbreviations (ma..zo) to "08:00-17:00"; a missing day is closed.
    opening_hours: dict[str, str] = Field(default_factory=dict)
    # How long the page waits for a server that accepts but does not answer before it shows its
    # kept copy (the service worker). A screen on a slow mobile link may need more.
    offline_wait_seconds: int = Field(8, ge=2, le=60)
    line: int = 1

    def open_on(self, day: date) -> bool:
        """Whether the screen is on that day: no opening hours at all means always on."""
        return not self.opening_hours or DAY_KEYS[day.weekday()] in self.opening_hours

    @field_validator("opening_hours")
    @classmethod
    def _hours(cls, value: dict[str, str]) -> dict[str, str]:
        normalised: dict[str, str] = {}
        for day, span in value.items():
            if day not in DAY_KEYS:
                raise ValueError(
                    _("unknown day {day}: use {days}").format(
                        day=repr(day), days=", ".join(DAY_KEYS)
                    )
                )
            start, sep, end = str(span).partition("-")
            opens, closes = _hhmm(start), _hhmm(end)
            if not sep or opens is None or closes is None:
                raise ValueError(
                    _("opening hours for {day} must look like 08:00-17:00").format(day=day)
                )
            if opens >= closes:
                raise ValueError(
                    _(
                        "opening hours for {day} open at {opens} and close at "
                        "{closes}; write the opening time first"
                    ).format(day=day, opens=opens, closes=closes)
                )
            # The page compares times as text, so always two digits: 8.30 becomes 08:30.
            normalised[day] = f"{opens}-{closes}"
        return normalised


def _hhmm(text: str) -> str | None:
    """`8:30`, `08:30` or `8.30` as `08:30`; None when it is not a time of day."""
    hh, sep, mm = text.strip().replace(".", ":").partition(":")
    if not (sep and hh.isdigit() and mm.isdigit() and len(mm) == 2):
        return None
    if int(hh) >= 24 or int(mm) >= 60:
        return None
    return f"{int(hh):02d}:{mm}"
