"""All content checks: loading findings plus schema, style and date rules.

Each rule family is a module with `check(ctx) -> Iterable[Finding]`; bodies are parsed once per
run and shared. Nothing here imports Prefect: `veerkracht check` must answer in seconds.

Which findings hold a message back is decided here, once, for every rule: a rule reports its
own severity, then `style.yaml`'s `hold:` (code -> error or warning) over `DEFAULT_HOLD` sets
the severity that counts. Messages the loader could only recover (`Library.unloaded`) are
checked too, so one run shows every problem of a file.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from types import MappingProxyType
from typing import Final

from flows.checks import campaigns, dates, readability, safety, schema, tone
from flows.checks.context import Context
from flows.core import clock
from flows.core.findings import ORDER, Finding, Severity
from flows.core.i18n import _
from flows.core.models import Style
from flows.library.loader import Library

RULE_MODULES = (schema, safety, campaigns, tone, readability, dates)

# The source document's core rules hold a message unless style.yaml says otherwise: a tip must
# say why it helps (T202), and no sentence may be over the maximum (T211).
DEFAULT_HOLD: Final = MappingProxyType({"T202": Severity.ERROR, "T211": Severity.ERROR})


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


Rule = Callable[[Context], Iterable[Finding]]


def run_checks(
    library: Library, today: date | None = None, more: Sequence[Rule] = ()
) -> list[Finding]:
    """Every finding for the library: what loading found, each rule module's findings, and
    those of `more` rules (the channels' own, from flows.publishing.checking)."""
    with fewer_gc_pauses():
        ctx = Context(library.for_checks(), today or clock.today())
        findings = set(library.findings)
        for rule in (*(m.check for m in RULE_MODULES), *more):
            findings.update(rule(ctx))
        return sorted(apply_hold(findings, library.style), key=ORDER)


def hold_severities(style: Style) -> dict[str, Severity]:
    """Code -> the severity that counts: DEFAULT_HOLD, overridden by style.yaml's `hold:`."""
    return {**DEFAULT_HOLD, **{code: Severity(value) for code, value in style.hold.items()}}


def apply_hold(findings: Iterable[Finding], style: Style) -> set[Finding]:
    """The findings with the severity style.yaml's `hold:` (or its default) gives their code.

    Only errors and warnings change: information stays information."""
    hold = hold_severities(style)
    out = set()
    for f in findings:
        wanted = hold.get(f.code)
        if wanted is not None and f.severity is not Severity.INFO and f.severity is not wanted:
            f = replace(f, severity=wanted)
        out.add(f)
    return out


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
    return _("{code} {what} at line {line}").format(code=f.code, what=what, line=f.line)
