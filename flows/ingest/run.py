"""Ingest every enabled source: fetch concurrently, parse, write drafts, remember what was seen.

One source's failure is recorded for that source and never stops the others. Network problems,
HTTP errors and broken feeds are results, not exceptions; only the state database failing
raises (the flow retries that).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import httpx
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from flows.core import clock
from flows.core.findings import Finding, Severity, finding
from flows.core.i18n import _, ngettext
from flows.core.models import Source
from flows.core.settings import Settings
from flows.infra.limiter import HostLimiter
from flows.infra.netsafety import safe_client
from flows.infra.state import open_state
from flows.ingest import tables
from flows.ingest.drafts import Draft, write_draft
from flows.ingest.entries import to_entry
from flows.ingest.fetch import Fetched, Outcome, fetch
from flows.ingest.parse import parse
from flows.ingest.sources import load_sources

MAX_NEW_PER_SOURCE = 20  # drafts per source per run: more than a person reviews in an hour
T = TypeVar("T")


@dataclass
class SourceResult:
    """What happened to one source in one run."""

    source: Source
    status: str  # "new", "no-news", "not-modified", "failed", "gone", "disabled"
    drafts: list[Draft] = field(default_factory=list)
    entries: int = 0  # entries in the feed
    skipped: int = 0  # new entries beyond MAX_NEW_PER_SOURCE, remembered without a draft
    error: str = ""
    failures: int = 0  # failed runs in a row, this one included
    needs_attention: bool = False
    findings: list[Finding] = field(default_factory=list)


@dataclass
class IngestResult:
    """A whole run: every source's result and problems with sources.yaml itself."""

    started: datetime
    sources: list[SourceResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def new_drafts(self) -> int:
        """Drafts written in this run."""
        return sum(len(r.drafts) for r in self.sources)

    @property
    def failing(self) -> list[SourceResult]:
        """Sources that gave no feed this run."""
        return [r for r in self.sources if r.status in ("failed", "gone")]

    @property
    def all_findings(self) -> list[Finding]:
        """Findings of the run and of every source, in file order."""
        return sorted(self.findings + [f for r in self.sources for f in r.findings])


def run_ingest(settings: Settings, today: date | None = None) -> IngestResult:
    """Ingest all sources of `settings.content_dir`; drafts go to its `inbox/`."""
    today = today or clock.today()
    result = IngestResult(started=datetime.now(UTC))
    sources, sources_rel, problems = load_sources(settings.content_dir)
    result.findings.extend(problems)
    if not sources:
        return result
    engine = open_state(settings.resolved_state_url())
    result.sources = run_sync(_ingest_all(settings, engine, sources, sources_rel, today))
    return result


def is_transient_state_error(exc: BaseException) -> bool:
    """True for a state database error worth retrying (SQLite "database is locked")."""
    return isinstance(exc, OperationalError)


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion, also when called from inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def runner() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, re-raised there
            box["error"] = exc

    thread = threading.Thread(target=runner, name="veerkracht-ingest")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


async def _ingest_all(
    settings: Settings, engine: Engine, sources: list[Source], rel: str, today: date
) -> list[SourceResult]:
    # The link checker's rule: host:port, host slot first (was: host name, global slot first).
    limiter = HostLimiter(settings.link_concurrency, settings.link_per_host)
    timeout = httpx.Timeout(settings.link_timeout, connect=settings.link_connect_timeout)
    limits = httpx.Limits(
        max_connections=max(settings.link_concurrency, 1),
        max_keepalive_connections=max(settings.link_concurrency, 1),
    )
    # Parsing and writing drafts is CPU work under the GIL: one worker thread does it all, so
    # threads do not fight over the GIL while the event loop keeps fetching the other feeds.
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="veerkracht-ingest-worker")
    loop = asyncio.get_running_loop()
    async with safe_client(settings, timeout=timeout, limits=limits) as client:

        async def one(source: Source) -> SourceResult:
            if not source.enabled:
                return SourceResult(source, "disabled")
            state = await asyncio.to_thread(
                tables.load_source_state, engine, source.name, source.url
            )
            async with limiter.slot(source.url):
                fetched = await fetch(
                    client,
                    source.url,
                    etag=state.etag,
                    last_modified=state.last_modified,
                    max_bytes=settings.ingest_max_bytes,
                    deadline=settings.link_timeout,
                )
            return await loop.run_in_executor(
                worker, process, settings, engine, source, rel, state, fetched, today
            )

        try:
            return list(await asyncio.gather(*(one(s) for s in sources)))
        finally:
            worker.shutdown(wait=True)


def process(
    settings: Settings,
    engine: Engine,
    source: Source,
    rel: str,
    state: tables.SourceState,
    fetched: Fetched,
    today: date,
) -> SourceResult:
    """Turn one fetch into drafts and state; failures become findings, never exceptions."""
    result = SourceResult(source, "failed")
    new_keys: list[tuple[str, str]] = []
    at = (rel, source.line)
    if fetched.moved_to:
        result.findings.append(
            finding(
                *at,
                "I511",
                Severity.WARNING,
                _(
                    "source '{name}' moved permanently to {url}; "
                    "put the new address in 'url' in sources.yaml"
                ).format(name=source.name, url=fetched.moved_to),
            )
        )
    error = fetched.error
    if fetched.outcome is Outcome.NOT_MODIFIED:
        result.status = "not-modified"
    elif fetched.outcome is Outcome.OK:
        try:
            error = _read_feed(
                settings, engine, source, rel, state, fetched, today, result, new_keys
            )
        except Exception as exc:  # noqa: BLE001 - one broken source never stops the others
            error = _("could not process the feed: {error}").format(
                error=f"{type(exc).__name__}: {exc}"
            )
    elif fetched.outcome is Outcome.GONE:
        result.status = "gone"
    if error:
        state.failures += 1
        state.gone = fetched.outcome is Outcome.GONE
        result.status = "gone" if state.gone else "failed"
        result.error = error
        result.needs_attention = state.gone or (
            state.failures >= settings.ingest_failures_before_attention
        )
        result.findings.append(
            _failure_finding(source, rel, error, state, settings.ingest_failures_before_attention)
        )
    else:
        state.failures, state.gone = 0, False
    result.failures = state.failures
    if result.drafts:
        os.sync()  # drafts on disk before the database says their entries were seen
    tables.save_run(engine, source.name, state, not error, error or None, new_keys)
    return result


def _failure_finding(
    source: Source, rel: str, error: str, state: tables.SourceState, threshold: int
) -> Finding:
    if state.gone:
        return finding(
            rel,
            source.line,
            "I503",
            Severity.ERROR,
            _(
                "source '{name}' needs attention: {error}; the publisher removed "
                "it: find the new feed address or set 'enabled: false'"
            ).format(name=source.name, error=error),
        )
    runs = ngettext("failed {n} run in a row", "failed {n} runs in a row", state.failures).format(
        n=state.failures
    )
    if state.failures >= threshold:
        return finding(
            rel,
            source.line,
            "I502",
            Severity.ERROR,
            _(
                "source '{name}' needs attention: {runs} ({error}); check the "
                "address in a browser, correct 'url' or set 'enabled: false'"
            ).format(name=source.name, runs=runs, error=error),
        )
    return finding(
        rel,
        source.line,
        "I501",
        Severity.WARNING,
        _("source '{name}' could not be read this time: {error} ({runs})").format(
            name=source.name, error=error, runs=runs
        ),
    )


def _read_feed(
    settings: Settings,
    engine: Engine,
    source: Source,
    rel: str,
    state: tables.SourceState,
    fetched: Fetched,
    today: date,
    result: SourceResult,
    new_keys: list[tuple[str, str]],
) -> str:
    """Parse, write drafts for new entries; returns an error text or '' when the feed was read."""
    feed = parse(fetched.body, fetched.url, fetched.content_type)
    at = (rel, source.line)
    if not feed.is_feed:
        if "html" in fetched.content_type.lower():
            return _(
                "the address returned a web page, not a feed (perhaps a login page); "
                "check that 'url' points at the RSS or Atom feed itself"
            )
        return _(
            "the address returned something that is not a feed; "
            "check that 'url' points at the RSS or Atom feed itself"
        )
    for note in feed.notes:
        result.findings.append(
            finding(
                *at,
                "I506",
                Severity.INFO,
                _("source '{name}': {note}").format(name=source.name, note=note),
            )
        )
    if feed.bozo:
        result.findings.append(
            finding(
                *at,
                "I505",
                Severity.WARNING,
                ngettext(
                    "source '{name}' has errors ({error}); read {n} entry as far as the feed goes",
                    "source '{name}' has errors ({error}); read {n} entries as far as the "
                    "feed goes",
                    len(feed.entries),
                ).format(name=source.name, error=feed.bozo[:160], n=len(feed.entries)),
            )
        )
    result.entries = len(feed.entries)
    seen = tables.seen_keys(engine, source.name)
    inbox = settings.content_dir / "inbox"
    for raw in feed.entries:
        entry = to_entry(raw, today)
        if any(k in seen for k in entry.keys):
            continue
        seen.update(entry.keys)
        draft_path = ""
        if len(result.drafts) < MAX_NEW_PER_SOURCE:
            try:
                draft = write_draft(inbox, source, entry, today)
            except ValueError as exc:  # would not load as a message: skip it, say why, once
                result.findings.append(
                    finding(
                        *at,
                        "I509",
                        Severity.WARNING,
                        _(
                            "source '{name}', entry '{title}' was skipped: it does "
                            "not make a valid draft ({error})"
                        ).format(
                            name=source.name,
                            title=entry.title[:60],
                            error=str(exc).splitlines()[0][:120],
                        ),
                    )
                )
                new_keys.extend((k, "") for k in entry.keys)
                continue
            result.drafts.append(draft)
            draft_path = str(draft.path)
            for note in entry.notes:
                result.findings.append(
                    finding(
                        *at,
                        "I508",
                        Severity.INFO,
                        _("source '{name}', entry '{title}': {note}").format(
                            name=source.name, title=draft.title[:60], note=note
                        ),
                    )
                )
        else:
            result.skipped += 1
        new_keys.extend((k, draft_path) for k in entry.keys)
    if result.skipped:
        result.findings.append(
            finding(
                *at,
                "I510",
                Severity.INFO,
                ngettext(
                    "source '{name}' had {n} more new entry than the {most} drafts per run; "
                    "it was remembered without a draft",
                    "source '{name}' had {n} more new entries than the {most} drafts per run; "
                    "those were remembered without a draft",
                    result.skipped,
                ).format(name=source.name, n=result.skipped, most=MAX_NEW_PER_SOURCE),
            )
        )
    result.status = "new" if result.drafts else "no-news"
    # Only now: had anything above failed, the next run must fetch the whole feed again.
    state.etag, state.last_modified = fetched.etag, fetched.last_modified
    return ""
