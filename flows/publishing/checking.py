"""The whole check: the content rules of flows.checks plus every channel's own rules.

What `veerkracht check`, the `check-content` flow, preview and publishing all run, so a message
is held for the same reasons everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from channels.base import Channel, Loaded
from flows.checks import Rule, fewer_gc_pauses, run_checks
from flows.checks.context import Context
from flows.core.findings import ORDER, Finding, Severity, finding
from flows.core.settings import Settings, load_settings
from flows.library.loader import Library, load_library
from flows.publishing.inputs import Inputs, input_files, input_findings, load_inputs
from flows.publishing.registry import channels


@dataclass(frozen=True)
class Checked:
    """A checked content folder: the library, the channels' inputs and every finding."""

    library: Library
    inputs: Inputs
    findings: list[Finding]
    files: int


def channel_rules(inputs: Inputs) -> list[Rule]:
    """Each channel's checks, its campaign settings, and unknown channel names, as rules."""
    rules: list[Rule] = [_unknown_channels]
    for name, ch in channels().items():
        rules.append(_rule(ch, inputs[name]))
    return rules


def _rule(ch: Channel[Any, Any, Any, Any], loaded: Loaded[Any]) -> Rule:
    def rule(ctx: Context) -> Iterable[Finding]:
        yield from ch.settings_findings(ctx.library)
        yield from ch.checks(ctx, loaded.value)

    return rule


def _unknown_channels(ctx: Context) -> Iterable[Finding]:
    known = channels()
    for campaign in ctx.library.campaigns:
        for name in campaign.channels:
            if name not in known:
                yield finding(
                    ctx.library.rel(campaign.path),
                    campaign.field_lines.get(f"channels.{name}", campaign.line),
                    "S111",
                    Severity.ERROR,
                    f"unknown field 'channels.{name}'; use one of: {', '.join(known)}",
                )


def check_all(library: Library, inputs: Inputs, today: date | None = None) -> list[Finding]:
    """Every finding: loading, content rules, channel rules, and the channels' input files."""
    found = run_checks(library, today, channel_rules(inputs))
    return sorted({*found, *input_findings(inputs)}, key=ORDER)


def check_folder(root: Path | str, settings: Settings, today: date | None = None) -> Checked:
    """Load a content folder with the channels' inputs and check it all."""
    with fewer_gc_pauses():
        library = load_library(root)
        inputs = load_inputs(settings, library)
        findings = check_all(library, inputs, today)
    files = library.files + input_files(inputs)
    if (library.root / "sources.yaml").exists():
        from flows.ingest.sources import load_sources

        files += 1
        findings = sorted({*findings, *load_sources(library.root)[2]}, key=ORDER)
    return Checked(library, inputs, findings, files)


def check_library(
    library: Library, today: date | None = None, settings: Settings | None = None
) -> list[Finding]:
    """Every finding of an already loaded library, its channels' inputs loaded for it."""
    chosen = settings or load_settings(content_dir=library.root)
    return check_all(library, load_inputs(chosen, library), today)
