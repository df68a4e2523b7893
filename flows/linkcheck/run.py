"""One link-check run: collect, reuse fresh cached verdicts, check the rest, judge, store."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flows.core.findings import Finding, Severity, finding
from flows.core.i18n import N_, _, ngettext
from flows.core.phrase import Phrase
from flows.core.settings import Settings
from flows.infra.state import open_state
from flows.library.loader import Library
from flows.linkcheck import cache
from flows.linkcheck.check import Options, Result, Verdict, check_urls
from flows.linkcheck.collect import Use, collect_urls

OFFLINE = N_("offline: links not verified")  # the msgid; _(OFFLINE) for people
Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class LinkReport:
    """Everything a run found out, ready for the command line, the flow and the hold."""

    results: list[Result] = field(default_factory=list)
    uses: dict[str, list[Use]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    offline: bool = False
    requests_sent: int = 0
    from_cache: int = 0
    elapsed: float = 0.0

    def count(self, verdict: Verdict) -> int:
        """How many URLs got this verdict."""
        return sum(1 for r in self.results if r.verdict is verdict)

    def summary(self) -> str:
        """One line for people: how many links, and how they fared."""
        parts = [f"{self.count(v)} {v.label}" for v in Verdict if self.count(v)]
        text = _("{links}: {verdicts} ({cached} from cache, {requests})").format(
            links=ngettext("{n} link", "{n} links", len(self.results)).format(n=len(self.results)),
            verdicts=", ".join(parts) or _("none"),
            cached=self.from_cache,
            requests=ngettext("{n} request", "{n} requests", self.requests_sent).format(
                n=self.requests_sent
            ),
        )
        return f"{_(OFFLINE)}. {text}" if self.offline else text


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def apply_history(result: Result, previous: cache.Cached | None) -> Result:
    """A link that worked at the last check and is broken now is only `unverified` this once."""
    worked_before = previous is not None and previous.last_decisive() in (
        Verdict.OK,
        Verdict.REDIRECTED,
    )
    if result.verdict is Verdict.BROKEN and worked_before:
        result.verdict = Verdict.UNVERIFIED
        result.detail = Phrase.of(
            N_(
                "{detail}; it worked at an earlier check, so it counts as broken "
                "only if the next check finds the same"
            ),
            detail=result.detail,
        )
    return result


def _settled(previous: cache.Cached | None) -> bool:
    """False for a link whose last check could not tell (it is likely to need retries again)."""
    return previous is None or previous.result.observed is not Verdict.UNVERIFIED


def _is_offline(fresh: list[Result]) -> bool:
    """No server answered at all, and at least one connection was tried and failed."""
    tried = [r for r in fresh if r.verdict is not Verdict.REFUSED]
    return bool(tried) and not any(r.reached for r in tried)


async def run_link_check_async(
    library: Library,
    settings: Settings,
    use_cache: bool = True,
    options: Options | None = None,
    progress: Progress | None = None,
) -> LinkReport:
    """Check every URL of the library (see module docstring); never raises on a bad link."""
    started = time.monotonic()
    collected = collect_urls(library)
    report = LinkReport(uses=collected.uses, findings=list(collected.findings))
    urls = sorted(collected.uses)
    engine = open_state(settings.resolved_state_url())
    previous = cache.load(engine, urls)
    now = time.time()
    reused: dict[str, Result] = {}
    if use_cache:
        reused = {u: c.result for u, c in previous.items() if c.fresh(settings, now)}
    # Links that could not be verified last time go first: their retries and backoff are what
    # make a run long, and started early they wait while the other links are checked.
    to_check = sorted((u for u in urls if u not in reused), key=lambda u: _settled(previous.get(u)))
    done = len(reused)
    if progress is not None:
        progress(done, len(urls))

    def on_done(_result: Result) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(urls))

    fresh: dict[str, Result] = {}
    if to_check:
        fresh, report.requests_sent = await check_urls(to_check, settings, options, on_done)
    report.offline = _is_offline(list(fresh.values()))
    if report.offline:
        for r in fresh.values():
            if r.verdict is not Verdict.REFUSED:
                r.detail = Phrase.of(
                    N_("{offline} ({detail})"), offline=Phrase(OFFLINE), detail=r.detail
                )
    else:
        for url, r in fresh.items():
            apply_history(r, previous.get(url))
        cache.save(engine, list(fresh.values()), previous)
    report.from_cache = len(reused)
    report.results = [reused.get(u) or fresh[u] for u in urls]
    report.findings.extend(_findings(report, library))
    report.elapsed = time.monotonic() - started
    return report


def run_link_check(
    library: Library,
    settings: Settings,
    use_cache: bool = True,
    options: Options | None = None,
    progress: Progress | None = None,
) -> LinkReport:
    """Synchronous wrapper for the command line and the Prefect task."""
    return asyncio.run(run_link_check_async(library, settings, use_cache, options, progress))


def _findings(report: LinkReport, library: Library) -> list[Finding]:
    out: list[Finding] = []
    if report.offline:
        out.append(
            finding(
                library.rel(library.root),
                0,
                "L406",
                Severity.INFO,
                _(
                    "{offline}: no site could be reached from this machine; "
                    "nothing is held back. Run the check again when online."
                ).format(offline=_(OFFLINE)),
                0,
            )
        )
    for r in report.results:
        if report.offline and r.verdict is Verdict.UNVERIFIED and not r.from_cache:
            continue  # one offline notice instead of a line per link
        code, severity, text = _describe(r)
        if not code:
            continue
        for use in report.uses.get(r.url, []):
            out.append(finding(use.path, use.line, code, severity, text, use.column))
    return out


def _describe(r: Result) -> tuple[str, Severity, str]:
    """Finding code, severity and plain text for a result ("" code: nothing to say)."""
    if r.verdict is Verdict.BROKEN:
        return (
            "L401",
            Severity.ERROR,
            _("link {url} is broken: {detail} (checked {when}); replace it or remove it").format(
                url=r.url, detail=r.detail, when=_when(r.checked_at)
            ),
        )
    if r.verdict is Verdict.REDIRECTED:
        return (
            "L402",
            Severity.WARNING,
            _("link {url} has moved permanently to {new}; use the new address").format(
                url=r.url, new=r.final_url
            ),
        )
    if r.verdict is Verdict.UNVERIFIED:
        text = _("link {url} could not be verified: {detail}").format(url=r.url, detail=r.detail)
        return "L403", Severity.INFO, text
    if r.verdict is Verdict.REFUSED:
        return (
            "L404",
            Severity.WARNING,
            _("link {url} leads to an internal address and is never opened: {detail}").format(
                url=r.url, detail=r.detail
            ),
        )
    return "", Severity.INFO, ""
