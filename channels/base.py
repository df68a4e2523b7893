"""The channel contract: everything a channel declares, and all the core ever calls.

A channel is one package under `channels/` that exports `CHANNEL`, an instance of a `Channel`
subclass, and names it in the `veerkracht.channels` entry-point group of `pyproject.toml`.
The core finds channels there (`flows.publishing.registry`) and knows none of them by name.

What a channel declares (type parameters in brackets):

- `name`, `label` (Dutch and English): how people see it in plans, reports and calendars;
- `settings_model` [S]: its section under `channels:` in a campaign file, validated with the
  line numbers of that file (`settings_findings`); `settings_for(campaign)` gives it typed;
- `load_inputs` [I]: its own configuration outside the campaign (screens.yaml for screens, the
  partner list for the newsletter), with findings and a note for people;
- `checks`: its channel-fit rules, run with every other check;
- `plan` -> `Edition[P]`: what is due on a day, a pure function of (library, inputs, campaigns,
  day, held); the payload P is a frozen dataclass of the channel's own;
- `render` -> `Rendered[P, M]`: files to write and typed render metadata M;
- `deliver`: write or send, idempotent per edition key.

Optional: `in_plan` (whether the plan lists an edition: not a closed screen's day),
`shown_in_plan` (which messages the plan lists), `plan_link` (the page the plan
links an edition to), `calendar_events` (how the plan's calendar file shows the channel),
`report_notes` (lines for the publish report), `preview` (one message as this channel shows
it), `register_cli` (its own `veerkracht <name> ...` subcommands, built with the `CommandKit`
the command line lends it), `public_routes` (Starlette routes for the public endpoint,
`veerkracht public`). State tables are SQLAlchemy tables on `flows.infra.state.metadata`,
defined in the channel's own modules.
"""

from __future__ import annotations

import argparse
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from flows.core.findings import Finding
from flows.core.models import Campaign, Message
from flows.core.phrase import Shown
from flows.core.settings import Settings
from flows.library.loader import Library, validation_findings

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from flows.checks.context import Context as CheckContext

S = TypeVar("S", bound=BaseModel)  # the campaign settings model
I = TypeVar("I")  # the channel's own inputs
P = TypeVar("P")  # the edition payload
M = TypeVar("M")  # the render metadata

# (id, lang) of the messages that must not go out: decided once, before planning.
Held = frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Edition(Generic[P]):
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
    payload: P = field(hash=False, compare=False)
    attribution: str = ""
    region: str = ""  # set by the planner for a multi-region installation

    @property
    def key(self) -> str:
        """Stable identifier, safe as a folder name; prefixed with the region when there is one
        (the regions share one state database: their ledger rows must never meet). A region id
        starts with a letter, a day with a digit, so the two forms cannot collide."""
        base = f"{self.day.isoformat()}-{self.channel}-{self.target}"
        return f"{self.region}-{base}" if self.region else base


@dataclass(frozen=True)
class Rendered(Generic[P, M]):
    """A rendered edition: files to write under out/ (relative path -> bytes) and metadata."""

    edition: Edition[P]
    files: Mapping[str, bytes]
    meta: M


@dataclass
class DeliveryReport:
    """What delivering one edition did, for the publish report."""

    edition_key: str
    channel: str
    target: str
    delivered: int = 0
    skipped: int = 0
    failed: int = 0
    unknown: int = 0  # sent, but the server never confirmed: a person must decide
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
    # A preview for people to try: its short links are registered, so they answer at once
    # (`veerkracht preview`; not the studio's preview while typing, which would register every
    # half-typed address).
    register_links: bool = False


@dataclass(frozen=True)
class Loaded(Generic[I]):
    """A channel's inputs as loaded: the value, what was wrong, files read, a note for people
    (a Phrase is shown in the language of where it is shown: the report's, the plan page's)."""

    value: I
    findings: tuple[Finding, ...] = ()
    files: int = 0
    note: Shown = ""


@dataclass(frozen=True)
class ReportNotes:
    """What a channel adds to the publish report: bullet lines at the top, Markdown below."""

    summary: tuple[str, ...] = ()
    section: tuple[str, ...] = ()


@dataclass(frozen=True)
class Labels:
    """A channel's name as people read it."""

    nl: str
    en: str


@dataclass(frozen=True)
class PreparedDay:
    """A day as publishing sees it before planning: content, every channel's inputs, held."""

    library: Library
    inputs: Mapping[str, Loaded[Any]]
    held: Held


class CommandKit(Protocol):
    """What the command line lends a channel's subcommands (implemented in flows.cli.kit), so
    a channel adds commands without importing the layers above it."""

    EXIT_OK: int
    EXIT_ERRORS: int
    EXIT_USAGE: int

    def add_common(self, parser: argparse.ArgumentParser) -> None:
        """Add the options every command takes (--content, --out)."""
        ...

    def iso_date(self, text: str) -> date:
        """An argparse type for --date, with advice in place of Python's wording."""
        ...

    def today(self) -> date:
        """Today in Europe/Amsterdam."""
        ...

    def prepare(self, settings: Settings, day: date) -> PreparedDay:
        """Load content and inputs and decide what is held, as publishing does."""
        ...

    def settings(self, args: argparse.Namespace) -> Settings:
        """The settings of a command with --content, --out and --region, as `publish` reads
        them (a region's from regions.yaml)."""
        ...


class Channel(ABC, Generic[S, I, P, M]):
    """Base class of every channel (see the module docstring for the contract)."""

    name: str
    label: Labels
    settings_model: type[S]
    # A campaign without this channel's section: off (None), unless the channel is on by
    # default, when it gets the model's defaults.
    on_by_default: bool = False
    # True for a channel whose delivery only writes files (nothing to retry, nothing sent
    # twice): the publish flow then delivers all its editions of a day in one task, since a
    # task run per waiting-room screen was most of Prefect's share of a national day.
    files_only: bool = False
    # The plan's calendar file: one event per edition ("edition": a newsletter) or one per day
    # listing that day's editions ("day"); an edition group that goes out daily (a screen)
    # never gets events.
    calendar_events: str = "day"
    # The folders under out/ this channel writes, with what they hold (the demo lists them).
    outputs: tuple[tuple[str, str], ...] = ()

    # --- campaign settings -------------------------------------------------------------
    def settings_for(self, campaign: Campaign) -> S | None:
        """This channel's settings in `campaign`, or None when off or not valid."""
        raw = campaign.channels.get(self.name)
        if raw is None:
            return self.settings_model() if self.on_by_default else None
        try:
            return self.settings_model.model_validate(raw)
        except ValidationError:
            return None  # `settings_findings` reports it; the channel stays off meanwhile

    def settings_findings(self, library: Library) -> list[Finding]:
        """Errors in this channel's section of every campaign, at the line they were written."""
        out: list[Finding] = []
        for campaign in library.campaigns:
            raw = campaign.channels.get(self.name)
            if raw is None:
                continue
            try:
                self.settings_model.model_validate(raw)
            except ValidationError as exc:
                prefix = f"channels.{self.name}."
                line = campaign.field_lines.get(f"channels.{self.name}", campaign.line)
                out += validation_findings(
                    exc, library.rel(campaign.path), campaign.field_lines, line, prefix
                )
        return out

    # --- inputs and checks ---------------------------------------------------------------
    @abstractmethod
    def load_inputs(self, settings: Settings, library: Library) -> Loaded[I]:
        """The channel's own configuration (never raises on bad input: findings instead)."""

    def checks(self, ctx: CheckContext, inputs: I) -> Iterable[Finding]:
        """The channel-fit rules of this channel."""
        return ()

    # --- plan, render, deliver -------------------------------------------------------------
    @abstractmethod
    def plan(
        self,
        library: Library,
        inputs: I,
        campaigns: Sequence[Campaign],
        day: date,
        held: Held = frozenset(),
    ) -> list[Edition[P]]:
        """The editions due on `day`, leaving out held (id, lang) (pure)."""

    @abstractmethod
    def render(self, edition: Edition[P], ctx: Context) -> Rendered[P, M]:
        """Turn an edition into files (pure apart from reading templates)."""

    @abstractmethod
    def deliver(self, rendered: Rendered[P, M], ctx: Context) -> DeliveryReport:
        """Write or send the rendered edition; idempotent per edition key."""

    # --- optional ----------------------------------------------------------------------
    def in_plan(self, edition: Edition[P]) -> bool:
        """Whether people see this edition on its day, so the plan lists it (a screen that is
        closed that day still gets its playlist, but nobody sees it)."""
        return True

    def shown_in_plan(self, edition: Edition[P]) -> Sequence[Message]:
        """The messages the plan lists for this edition (new ones, for a rolling window)."""
        return edition.messages

    def plan_link(self, edition: Edition[P]) -> str | None:
        """Where this edition can be read once published: a path under out/ (the plan links
        it), or None when it has no page of its own."""
        return None

    def report_notes(self, loaded: Loaded[I], ctx: Context) -> ReportNotes:
        """Lines for the publish report (the partner list, screen folders left behind)."""
        return ReportNotes()

    def preview(
        self, message: Message, library: Library, inputs: I, ctx: Context, day: date
    ) -> list[Path]:
        """Write `message` as this channel shows it under `ctx.out_dir`; the files written."""
        return []

    def register_cli(self, sub: Any, kit: CommandKit) -> None:
        """Add this channel's own subcommands to the `veerkracht` parser (none by default)."""

    def public_routes(self, settings: Settings) -> Sequence[BaseRoute]:
        """Starlette routes this channel serves on the public endpoint (`veerkracht public`,
        `flows.publishing.public_app`), for example the newsletter's `/afmelden`; none by
        default. The endpoint limits what reaches them (body size and time, headers)."""
        return ()
