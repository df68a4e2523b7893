"""Deliver a rendered edition to its recipients through the ledger, exactly once each."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from channels.base import Context, DeliveryReport, Rendered
from flows.errors import TransientDeliveryError
from flows.outputs import write_atomic
from flows.state import open_state

from . import ledger
from .mime import HeaderInjection, MimeTemplate
from .tokens import fold, make_token
from .transport import (
    OutcomeUnknown,
    Refused,
    ServerUnreachable,
    Transport,
    TryLater,
    make_transport,
)


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str = ""


def recipients_of(rendered: Rendered) -> list[Recipient]:
    """The recipients the planner attached to the edition."""
    return [Recipient(str(a), str(n)) for a, n in rendered.edition.params.get("recipients", ())]


class Pacer:
    """At most `rate` messages per second (0 = no limit)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_at = 0.0

    def wait(self) -> None:
        """Sleep until the next message may go."""
        if not self.interval:
            return
        now = time.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = max(now, self.next_at) + self.interval


def write_archive(rendered: Rendered, ctx: Context) -> int:
    """Write the web archive files (atomic, unchanged files left alone); returns files changed."""
    return sum(write_atomic(ctx.out_dir / rel, data) for rel, data in rendered.files.items())


def deliver_edition(
    rendered: Rendered,
    ctx: Context,
    *,
    resend_unconfirmed: bool = False,
    transport: Transport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """Send to every recipient not yet sent to; see the module and ledger docstrings."""
    edition = rendered.edition
    settings = ctx.settings
    template: MimeTemplate = rendered.extra["mime"]
    report = DeliveryReport(edition.key, edition.channel, edition.target)
    write_archive(rendered, ctx)
    engine = open_state(settings.resolved_state_url())
    gone = ledger.unsubscribed(engine)
    existing = ledger.states(engine, edition.key)
    todo: list[Recipient] = []
    unconfirmed: list[str] = []
    for r in recipients_of(rendered):
        state = existing.get(fold(r.address))
        if fold(r.address) in gone or state in (ledger.SENT, ledger.FAILED):
            report.skipped += 1
        elif state == ledger.SENDING and not resend_unconfirmed:
            unconfirmed.append(r.address)
            report.skipped += 1
        else:
            todo.append(r)
    if todo:
        link = transport or make_transport(settings, ctx.out_dir, edition.key)
        try:
            _send_all(todo, template, link, ctx, report, unconfirmed, sleep)
        finally:
            link.close()
    if unconfirmed:
        report.notes.append(unconfirmed_note(unconfirmed))
    return report


def unconfirmed_note(addresses: Sequence[str]) -> str:
    """What to tell people about messages whose outcome is unknown."""
    return (
        f"{len(addresses)} message(s) have an unknown outcome (the connection was lost after "
        f"the message was sent, before the server confirmed it): {', '.join(addresses)}. They "
        "are not sent again automatically. Ask the mail server's operator whether they arrived; "
        "if not, run `veerkracht newsletter send --resend-unconfirmed`."
    )


def _send_all(
    todo: list[Recipient],
    template: MimeTemplate,
    link: Transport,
    ctx: Context,
    report: DeliveryReport,
    unconfirmed: list[str],
    sleep: Callable[[float], None],
) -> None:
    settings = ctx.settings
    engine = open_state(settings.resolved_state_url())
    pacer = Pacer(settings.smtp_rate_per_second)
    attempts = 0
    link.open()  # ServerUnreachable here: nothing was sent, the ledger is untouched
    connected = True
    with ledger.session(engine, template.edition_key) as book:
        i = 0
        while i < len(todo):
            r = todo[i]
            token = make_token(template.secret, r.address)
            try:
                payload = template.personalise(r.address, r.name)
            except HeaderInjection as exc:
                book.failed(r.address, token, str(exc))
                report.failed += 1
                report.notes.append(f"{r.address}: not sent: {exc}")
                i += 1
                continue
            marked = False

            def mark(address: str = r.address, token: str = token) -> None:
                nonlocal marked
                book.sending(address, token)
                marked = True

            try:
                if not connected:
                    link.open()
                    connected = True
                pacer.wait()
                link.send(template.sender, r.address, payload, mark)
                book.sent(r.address)
                report.delivered += 1
                attempts = 0
                i += 1
            except Refused as exc:
                book.failed(r.address, token, str(exc))
                report.failed += 1
                report.notes.append(f"{r.address}: refused for good: {exc}")
                i += 1
            except OutcomeUnknown:
                unconfirmed.append(r.address)  # its `sending` row stays: never resent by itself
                connected = False
                i += 1
            except (TryLater, ServerUnreachable) as exc:
                if marked:
                    book.not_sent(r.address)
                link.close()
                connected = False
                attempts += 1
                if attempts > settings.smtp_retries:
                    book.close()
                    raise TransientDeliveryError(
                        f"edition {template.edition_key}: {len(todo) - i} message(s) not sent yet "
                        f"after {attempts} attempt(s) ({exc}); {report.delivered} sent in this run. "
                        "Rerun later: what was sent is not sent again."
                    ) from exc
                sleep(settings.smtp_retry_backoff_seconds * 2 ** (attempts - 1))


def send_test(rendered: Rendered, ctx: Context, address: str) -> None:
    """Send the edition to one address (the comms team) without reading or writing the ledger."""
    template: MimeTemplate = rendered.extra["mime"]
    payload = template.personalise(address, "")
    link = make_transport(ctx.settings, ctx.out_dir / "test", rendered.edition.key)
    link.open()
    try:
        link.send(template.sender, address, payload, lambda: None)
    finally:
        link.close()
