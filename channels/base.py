"""The small interface every channel implements: plan, render, deliver."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from flows.core.models import Campaign, Message

if TYPE_CHECKING:
    from flows.core.settings import Settings
    from flows.library.loader import Library


@dataclass(frozen=True)
class Edition:
    """What one channel target gets on one day: chosen by the planner, rendered by the channel.

    `key` is stable for (channel, target, day) and is what the ledger and idempotency use.
    """

    channel: str
    target: str
    day: date
    campaign_id: str
    campaign_title: str
    lang: str
    audiences: tuple[str, ...]
    messages: tuple[Message, ...]
    attribution: str = ""
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def key(self) -> str:
        """Stable identifier, safe as a folder name."""
        return f"{self.day.isoformat()}-{self.channel}-{self.target}"


@dataclass
class Rendered:
    """A rendered edition: files to write under out/ (relative path -> bytes) and extras."""

    edition: Edition
    files: dict[str, bytes] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class DeliveryReport:
    """What delivering one edition did, for the publish report."""

    edition_key: str
    channel: str
    target: str
    delivered: int = 0
    skipped: int = 0
    failed: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def nothing_new(self) -> bool:
        """True when this delivery sent or wrote nothing that was not already there."""
        return self.delivered == 0 and self.failed == 0


@dataclass(frozen=True)
class Context:
    """What render and deliver may use: settings and where outputs go. No content reading."""

    settings: Settings
    out_dir: Path
    held: frozenset[tuple[str, str]] = frozenset()


class Channel(Protocol):
    """A publishing channel."""

    name: str

    def plan(
        self,
        library: Library,
        campaigns: Sequence[Campaign],
        day: date,
        held: frozenset[tuple[str, str]] = frozenset(),
    ) -> list[Edition]:
        """The editions this channel has due on `day`, leaving out held (id, lang) (pure)."""
        ...

    def render(self, edition: Edition, ctx: Context) -> Rendered:
        """Turn an edition into output (pure apart from reading templates)."""
        ...

    def deliver(self, rendered: Rendered, ctx: Context) -> DeliveryReport:
        """Write or send the rendered edition; idempotent per edition key."""
        ...
