"""The posters' campaign settings, edition payload and render metadata: typed, for mypy."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field, field_validator

from channels.posters.layout import SIZES, Fit, Size
from flows.core.models import Audience, Strict


class PostersSettings(Strict):
    """`channels.posters` in a campaign file; a campaign without it gets these defaults."""

    # The one way to turn posters off for a campaign: the channel is on by default, and an
    # empty `posters:` section means the defaults too.
    enabled: bool = True
    sizes: tuple[Size, ...] = Field(SIZES, min_length=1)
    # Empty: every audience of the campaign gets its poster.
    audiences: tuple[Audience, ...] = ()

    @field_validator("sizes", "audiences")
    @classmethod
    def _once_each(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Written twice is a slip, not a wish for two identical files.
        return tuple(dict.fromkeys(value))


@dataclass(frozen=True)
class PosterPayload:
    """One poster edition: its campaign week, audience and sizes.

    `url` is the message's first resource; None means the public address (known at render).
    """

    week: str  # ISO year and week of the week's first day, "2027-w01"
    week_index: int  # 0 for the campaign's first week
    audience: str
    sizes: tuple[Size, ...]
    url: str | None


@dataclass(frozen=True)
class PosterMeta:
    """What rendering told delivery: the address in the QR code, the type set per size, and
    the sizes whose text did not fit even in the smallest type (no file for those)."""

    url: str
    fits: tuple[tuple[Size, Fit], ...]
    too_long: tuple[Size, ...] = ()
