"""What a publish run decided and did: shared by the run, the flow and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from channels.base import DeliveryReport, Edition, ReportNotes
from flows.core.findings import Finding
from flows.library.loader import Library
from flows.publishing.inputs import Inputs
from flows.publishing.leases import Holder

Held = dict[tuple[str, str], str]


@dataclass
class Prepared:
    """Everything decided before any edition goes out."""

    day: date
    library: Library
    findings: list[Finding]
    partner_findings: list[Finding]
    held: Held
    links_note: str
    editions: list[Edition[Any]]
    inputs: Inputs = field(default_factory=dict)
    # What each channel adds to the report (partner list, screens left behind).
    channel_notes: dict[str, ReportNotes] = field(default_factory=dict)


@dataclass
class Outcome:
    """What happened to one edition."""

    edition: Edition[Any]
    status: str  # "published", "updated", "nothing new" or "failed"
    report: DeliveryReport | None = None
    error: str = ""


@dataclass
class PublishResult:
    """A publish run: what was prepared, each edition's outcome, and the report file."""

    prepared: Prepared
    outcomes: list[Outcome] = field(default_factory=list)
    report_path: Path | None = None
    report_text: str = ""
    took_over: Holder | None = None  # the crashed run whose day this run took over

    @property
    def unknown(self) -> int:
        """Messages whose outcome is unknown (sent, never confirmed): a person must decide."""
        return sum(o.report.unknown for o in self.outcomes if o.report is not None)

    @property
    def failed(self) -> list[Outcome]:
        """Editions that could not be delivered."""
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def nothing_new(self) -> bool:
        """True when no edition delivered anything new (for example a second run)."""
        return all(o.status == "nothing new" for o in self.outcomes)
