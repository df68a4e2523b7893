"""All content checks: loading findings plus schema, style and date rules.

Each rule family is a module with `check(ctx) -> Iterable[Finding]`; bodies are parsed once per
run and shared. Nothing here imports Prefect: `veerkracht check` must answer in seconds.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from flows.checks import campaigns, dates, fit, readability, safety, schema, tone
from flows.checks.context import Context
from flows.core.findings import Finding, Severity
from flows.core.settings import TIMEZONE
from flows.library.loader import Library, load_library
from flows.planning.rotation import campaign_findings

RULE_MODULES = (schema, safety, campaigns, tone, readability, fit, dates)


def today_local() -> date:
    """Today's date in Europe/Amsterdam, where the campaign runs."""
    return datetime.now(TIMEZONE).date()


@contextmanager
def fewer_gc_pauses() -> Iterator[None]:
    """Collect cyclic garbage less often while a batch of short-lived objects is made.

    Loading and checking build many small objects and no reference cycles, so the default
    collector runs often and finds nothing; mypy raises the threshold for the same reason.
    """
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def run_checks(library: Library, today: date | None = None) -> list[Finding]:
    """Every finding for the library: what loading found, then each rule module's findings."""
    with fewer_gc_pauses():
        ctx = Context(library, today or today_local())
        findings = set(library.findings)
        for module in RULE_MODULES:
            findings.update(module.check(ctx))
        findings.update(campaign_findings(library))  # P7xx cadence findings from the planner
        return sorted(findings)


def check_folder(root: Path | str, today: date | None = None) -> tuple[Library, list[Finding]]:
    """Load a content folder and check it: what `veerkracht check` and the flow run."""
    with fewer_gc_pauses():
        library = load_library(root)
        findings = run_checks(library, today)
    if (library.root / "sources.yaml").exists():
        from flows.ingest.sources import load_sources

        library.files += 1
        findings = sorted({*findings, *load_sources(library.root)[2]})
    return library, findings


def held_by_checks(library: Library, findings: Iterable[Finding]) -> dict[tuple[str, str], str]:
    """(id, lang) of each message with an error in its file, with a short reason to show."""
    by_path: dict[str, list[tuple[str, str]]] = {}
    for message in library.messages:
        by_path.setdefault(library.rel(message.path), []).append(message.key)
    held: dict[tuple[str, str], str] = {}
    for f in sorted(findings, key=lambda f: (f.path, f.line, f.column, f.code)):
        if f.severity is not Severity.ERROR:
            continue
        for key in by_path.get(f.path, ()):
            held.setdefault(key, short_reason(f))
    return held


def short_reason(f: Finding, limit: int = 80) -> str:
    """`CODE what is wrong at line N`: the part of the message before its advice or quote."""
    what = f.message.split(";", 1)[0].split(": ", 1)[0].strip()
    if len(what) > limit:
        what = what[: limit - 3].rstrip() + "..."
    return f"{f.code} {what} at line {f.line}"
