"""Publishing a day, as plain functions: prepare (load, check, hold, plan), then each edition.

The Prefect flow (`flows/publish_flow.py`) wires these together with a task per edition; tests
and `publish_plain` call them directly. Which day may be published:

- today, and up to `catchup_days` back (after downtime: catch up what was missed);
- never further back (the editions are stale, and a partner would get old news);
- never a future day (newsletters would go out early and the ledger would then block the real
  day); use `veerkracht plan` to see what the future holds. The demo and tests pass
  `any_day=True` to publish the campaign's first day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from channels.base import Context, Edition
from flows.checks import held_by_checks
from flows.core.clock import today as today_local
from flows.core.errors import DeliveryError, SettingsError, VeerkrachtError
from flows.core.findings import Severity, count
from flows.core.i18n import N_, _, ngettext
from flows.core.settings import Settings
from flows.infra.outputs import write_report
from flows.infra.state import open_state
from flows.library.loader import Library, load_library
from flows.publishing import leases, registry
from flows.publishing.checking import check_all
from flows.publishing.day_plan import plan_day
from flows.publishing.inputs import input_findings, load_inputs
from flows.publishing.published import previous, record
from flows.publishing.registry import channels
from flows.publishing.report import render_report, status_label
from flows.publishing.results import Held, Outcome, Prepared, PublishResult

LINKS_OFFLINE = N_("links not verified (offline, or no link check has run yet)")


class DayOutOfRange(SettingsError):
    """The day asked for is outside the window publishing allows."""


class AlreadyInProgress(VeerkrachtError):
    """Another live run publishes this region's day: not an error, nothing to do here."""

    def __init__(self, day: date, region: str, holder: leases.Holder) -> None:
        what = _("{day} for region {region}") if region else "{day}"
        super().__init__(
            _(
                "{what}: already in progress in another run ({holder}); this run did nothing. "
                "That run sends everything due; if it crashed, the next run takes over once its "
                "lease expires (VEERKRACHT_LEASE_SECONDS)"
            ).format(what=what.format(day=day, region=region), holder=holder.describe())
        )
        self.holder = holder


class UnknownOutcome(DeliveryError):
    """Messages were handed over but never confirmed: the run must not look fine."""


def day_lease(settings: Settings, day: date) -> leases.Lease:
    """Claim the region's day for this run (see `flows.publishing.leases`); a context manager."""
    engine = open_state(settings.resolved_state_url())
    scope = leases.scope_for(settings.region, day.isoformat())
    try:
        return leases.acquire(engine, scope, settings.lease_seconds)
    except leases.InProgress as exc:
        raise AlreadyInProgress(day, settings.region, exc.holder) from None


def check_day(
    day: date, settings: Settings, *, today: date | None = None, any_day: bool = False
) -> None:
    """Refuse a day before the catch-up window or in the future (unless `any_day`)."""
    if any_day:
        return
    now = today or today_local()
    earliest = now - timedelta(days=settings.catchup_days)
    if day < earliest:
        raise DayOutOfRange(
            ngettext(
                "{day} is more than {n} day ago (the earliest day that can still be published "
                "is {earliest}); raise VEERKRACHT_CATCHUP_DAYS to go further back",
                "{day} is more than {n} days ago (the earliest day that can still be published "
                "is {earliest}); raise VEERKRACHT_CATCHUP_DAYS to go further back",
                settings.catchup_days,
            ).format(day=day, n=settings.catchup_days, earliest=earliest)
        )
    if day > now:
        raise DayOutOfRange(
            _(
                "{day} is in the future (today is {today} in Europe/Amsterdam); publishing it "
                "now would send it early. Use `veerkracht plan --from DATE` to see what goes out "
                "then"
            ).format(day=day, today=now)
        )


def links_hold(library: Library, settings: Settings) -> tuple[Held, str]:
    """Messages held for broken links (from the link-check cache) and a note for the report."""
    try:
        from flows.linkcheck import cache
        from flows.linkcheck.check import Verdict
        from flows.linkcheck.collect import collect_urls
        from flows.linkcheck.hold import held_by_links
    except ImportError:  # the link check is an optional part
        return {}, _(LINKS_OFFLINE)
    try:
        held = held_by_links(library, settings)
        urls = collect_urls(library).uses
        cached = cache.load(open_state(settings.resolved_state_url()), urls)
    except (SQLAlchemyError, OSError, ValueError, VeerkrachtError) as exc:
        # A broken cache must never stop publishing: report it, hold nothing for links.
        return {}, _("links not verified (the link-check cache could not be read: {error})").format(
            error=exc
        )
    known = {Verdict.OK, Verdict.REDIRECTED, Verdict.BROKEN}
    verified = sum(1 for c in cached.values() if c.result.verdict in known)
    if not verified:
        return held, _(LINKS_OFFLINE)
    return held, ngettext(
        "{verified} of {n} link verified by the last link check",
        "{verified} of {n} links verified by the last link check",
        len(urls),
    ).format(verified=verified, n=len(urls))


def prepare(settings: Settings, day: date) -> Prepared:
    """Load the content and each channel's inputs, check, decide what is held, plan the day."""
    library = load_library(settings.content_dir)
    inputs = load_inputs(settings, library)
    findings = check_all(library, inputs, day)
    held: Held = dict(held_by_checks(library, findings))
    by_links, links_note = links_hold(library, settings)
    for key, reason in by_links.items():
        held.setdefault(key, reason)
    editions = plan_day(library, inputs, day, frozenset(held), region=settings.region)
    ctx = Context(settings, settings.out_dir)
    notes = {name: ch.report_notes(inputs[name], ctx) for name, ch in channels().items()}
    return Prepared(
        day,
        library,
        findings,
        input_findings(inputs),
        held,
        links_note,
        editions,
        inputs,
        notes,
    )


def digest(files: Mapping[str, bytes]) -> str:
    """A fingerprint of a rendered edition, to tell "updated" from "nothing new"."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


def publish_edition(edition: Edition[Any], settings: Settings) -> Outcome:
    """Render and deliver one edition through its channel and log it; delivery errors raise.

    What is held was decided before planning: a held message is in no edition.
    """
    channel = registry.channel(edition.channel)
    ctx = Context(settings, settings.out_dir)
    rendered = channel.render(edition, ctx)
    report = channel.deliver(rendered, ctx)
    engine = open_state(settings.resolved_state_url())
    fingerprint = digest(rendered.files)
    before = previous(engine, edition.key)
    if report.failed:
        status = "failed"
    elif report.nothing_new or (
        before is not None and before.digest == fingerprint and report.delivered == 0
    ):
        status = "nothing new"
    else:
        status = "published" if before is None else "updated"
    if status != "failed":
        record(
            engine,
            edition_key=edition.key,
            channel=edition.channel,
            target=edition.target,
            day=edition.day.isoformat(),
            digest=fingerprint,
            delivered=report.delivered,
        )
    error = _("{n} not delivered").format(n=report.failed) if report.failed else ""
    return Outcome(edition, status, report, error=error)


def failed_outcome(edition: Edition[Any], exc: BaseException) -> Outcome:
    """The outcome of an edition whose delivery raised."""
    return Outcome(edition, "failed", None, error=f"{type(exc).__name__}: {exc}")


def publish_plain(settings: Settings, day: date, *, any_day: bool = False) -> PublishResult:
    """Publish a day without Prefect (tests, and a fallback); same steps as the flow."""
    check_day(day, settings, any_day=any_day)
    with leases.heartbeat(day_lease(settings, day)) as lease:
        prepared = prepare(settings, day)
        result = PublishResult(prepared, took_over=lease.took_over)
        for edition in prepared.editions:
            try:
                result.outcomes.append(publish_edition(edition, settings))
            except DeliveryError as exc:
                result.outcomes.append(failed_outcome(edition, exc))
        finish(result, settings)
    return result


def finish(result: PublishResult, settings: Settings) -> None:
    """Write `out/reports/publish-<day>.md` and keep its text on the result."""
    result.report_text = render_report(result)
    result.report_path = write_report(
        settings.out_dir, f"publish-{result.prepared.day}.md", result.report_text
    )


def summary_line(result: PublishResult) -> str:
    """One line for the terminal."""
    p = result.prepared
    counts = {
        s: sum(1 for o in result.outcomes if o.status == s)
        for s in ("published", "updated", "nothing new", "failed")
    }
    editions, held = len(result.outcomes), len(p.held)
    errors = count(p.findings, Severity.ERROR)
    if not result.outcomes:
        what = _("nothing due")
    elif result.nothing_new:
        what = ngettext(
            "nothing new ({n} edition already published)",
            "nothing new ({n} editions already published)",
            editions,
        ).format(n=editions)
    else:
        what = ", ".join(f"{n} {status_label(s)}" for s, n in counts.items() if n)
    return _("{day}: {editions}: {what}; {held}; {errors}; {links}").format(
        day=p.day,
        editions=ngettext("{n} edition", "{n} editions", editions).format(n=editions),
        what=what,
        held=ngettext("{n} message held", "{n} messages held", held).format(n=held),
        errors=ngettext("{n} check error", "{n} check errors", errors).format(n=errors),
        links=p.links_note,
    )


def channels_of(editions: Sequence[Edition[Any]]) -> list[str]:
    """The channels that have editions, in order."""
    return sorted({e.channel for e in editions})
