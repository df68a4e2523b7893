"""Deliver a rendered edition to its recipients through the ledger, exactly once each."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

from channels.base import Context, DeliveryReport
from channels.shared.files import write_changed
from flows.core.errors import PermanentDeliveryError, TransientDeliveryError
from flows.core.settings import Settings
from flows.infra.state import open_state

from . import ledger
from .mime import HeaderInjection, MimeTemplate
from .render import RenderedNewsletter
from .tokens import fold, make_token
from .transport import (
    OutcomeUnknown,
    Refused,
    ServerUnreachable,
    Transport,
    TryLater,
    make_transport,
)


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


def write_archive(rendered: RenderedNewsletter, ctx: Context) -> int:
    """Write the web archive files (atomic, unchanged files left alone); returns files changed."""
    return len(write_changed(ctx.out_dir, rendered.files))


def deliver_edition(
    rendered: RenderedNewsletter,
    ctx: Context,
    *,
    resend_unconfirmed: bool = False,
    transport: Transport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """Send to every recipient not yet sent to; see the module and ledger docstrings.

    Recipients are streamed: nothing per recipient is kept beyond the rows that already existed,
    so memory stays flat from a hundred to ten thousand recipients.
    """
    edition = rendered.edition
    settings = ctx.settings
    if edition.payload.example and settings.delivery == "smtp" and not settings.smtp_to_example:
        # The bundled example addresses are not ours to e-mail (issue 12: real mail went there).
        raise PermanentDeliveryError(
            f"edition {edition.key}: the partner list is the bundled example, and delivery is "
            "SMTP: nothing was sent. Set VEERKRACHT_PARTNERS_CSV to the real partner list, or "
            "VEERKRACHT_SMTP_TO_EXAMPLE=true when the SMTP server is a test server"
        )
    template = rendered.meta.mime
    report = DeliveryReport(edition.key, edition.channel, edition.target)
    write_archive(rendered, ctx)
    engine = open_state(settings.resolved_state_url())
    gone = ledger.unsubscribed(engine)
    existing = ledger.states(engine, edition.key)
    unconfirmed: list[str] = []
    claimed: list[str] = []  # sent by another run at the same time
    everyone = edition.payload.recipients
    seen = 0

    def due() -> Iterator[tuple[str, str]]:
        nonlocal seen
        for address, name in everyone:
            seen += 1
            folded = fold(address)
            state = existing.get(folded)
            if folded in gone or state in (ledger.SENT, ledger.FAILED):
                report.skipped += 1
            elif state == ledger.SENDING and not resend_unconfirmed:
                unconfirmed.append(address)
                report.skipped += 1
            else:
                yield str(address), str(name)

    link = transport or make_transport(settings, ctx.out_dir, edition.key)
    try:
        with ledger.session(engine, edition.key, existing) as book:
            _send_all(
                due(),
                template,
                link,
                book,
                settings,
                report,
                unconfirmed,
                sleep,
                lambda: _progress(len(everyone) - seen + 1, report, unconfirmed),
                claimed,
            )
    finally:
        link.close()
    if unconfirmed:
        report.notes.append(unconfirmed_note(unconfirmed))
    if claimed:
        report.notes.append(
            f"{len(claimed)} recipient(s) were being sent to by another run at the same time; "
            "that run sends them, this one skipped them"
        )
    if report.delivered and settings.delivery == "smtp" and default_secret(settings):
        report.notes.append(DEFAULT_SECRET_NOTE)
    return report


DEFAULT_SECRET_NOTE = (
    "VEERKRACHT_UNSUBSCRIBE_SECRET still has its example value: anyone could make unsubscribe "
    "links. Set it to a long random value (and keep it) before sending for real."
)


def default_secret(settings: Settings) -> bool:
    """True while the unsubscribe secret is the example value from the settings."""
    field = Settings.model_fields["unsubscribe_secret"].default
    return bool(settings.unsubscribe_secret.get_secret_value() == field.get_secret_value())


def _progress(left: int, report: DeliveryReport, unconfirmed: Sequence[str]) -> str:
    text = f"{left} message(s) not sent yet, {report.delivered} sent in this run"
    if unconfirmed:
        text += f", {len(unconfirmed)} with an unknown outcome ({', '.join(unconfirmed)})"
    return text


MAX_NOTES = 20  # per edition: a report names the first failures, then counts the rest


def _note(report: DeliveryReport, text: str) -> None:
    if report.failed <= MAX_NOTES:
        report.notes.append(text)
    elif report.failed == MAX_NOTES + 1:
        report.notes.append("more recipients failed: see the ledger (state 'failed') for all")


def unconfirmed_note(addresses: Sequence[str]) -> str:
    """What to tell people about messages whose outcome is unknown."""
    return (
        f"{len(addresses)} message(s) have an unknown outcome (the connection was lost after "
        f"the message was sent, before the server confirmed it): {', '.join(addresses)}. They "
        "are not sent again automatically. Ask the mail server's operator whether they arrived; "
        "if not, run `veerkracht newsletter send --resend-unconfirmed`."
    )


def _send_all(
    todo: Iterator[tuple[str, str]],
    template: MimeTemplate,
    link: Transport,
    book: ledger.Session,
    settings: Settings,
    report: DeliveryReport,
    unconfirmed: list[str],
    sleep: Callable[[float], None],
    progress: Callable[[], str],
    claimed: list[str],
) -> None:
    pacer = Pacer(settings.smtp_rate_per_second)
    attempts = 0
    ever_connected = False  # the connection opens for the first message due, never before
    connected = False
    current = next(todo, None)
    while current is not None:
        address, name = current
        token = make_token(template.secret, address)
        try:
            payload = template.personalise(address, name)
        except HeaderInjection as exc:
            book.failed(address, token, str(exc))
            report.failed += 1
            _note(report, f"{address!r}: not sent: {exc}")
            current = next(todo, None)
            continue
        marked = False

        def mark(address: str = address, token: str = token) -> None:
            nonlocal marked
            book.sending(address, token)
            marked = True

        try:
            if not connected:
                link.open()
                connected = ever_connected = True
            pacer.wait()
            link.send(template.sender, address, payload, mark)
            book.sent(address)
            report.delivered += 1
            attempts = 0
            current = next(todo, None)
        except ledger.ClaimedElsewhere:
            # Another run (a second worker, a retry, a catch-up by hand) sends this one.
            report.skipped += 1
            claimed.append(address)
            current = next(todo, None)
        except Refused as exc:
            book.failed(address, token, str(exc))
            report.failed += 1
            _note(report, f"{address}: refused for good: {exc}")
            current = next(todo, None)
        except OutcomeUnknown as exc:
            unconfirmed.append(address)  # its `sending` row stays: never resent by itself
            connected = False
            current = next(todo, None)
            attempts = _later(attempts, settings, sleep, template, link, progress, exc)
        except ServerUnreachable as exc:
            if not ever_connected:
                raise  # nothing was sent and the ledger is untouched: fail with a clear error
            connected = False
            attempts = _later(attempts, settings, sleep, template, link, progress, exc)
        except TryLater as exc:
            if marked:
                book.not_sent(address)
            connected = False
            attempts = _later(attempts, settings, sleep, template, link, progress, exc)


def _later(
    attempts: int,
    settings: Settings,
    sleep: Callable[[float], None],
    template: MimeTemplate,
    link: Transport,
    progress: Callable[[], str],
    exc: BaseException,
) -> int:
    """Back off before reconnecting, or give up for now with a TransientDeliveryError."""
    link.close()
    attempts += 1
    if attempts > settings.smtp_retries:
        raise TransientDeliveryError(
            f"edition {template.edition_key}: stopped after {attempts} attempt(s) ({exc}); "
            f"{progress()}. Rerun later: what was sent is not sent again."
        ) from exc
    sleep(settings.smtp_retry_backoff_seconds * 2 ** (attempts - 1))
    return attempts


def send_test(rendered: RenderedNewsletter, ctx: Context, address: str) -> None:
    """Send the edition to one address (the comms team) without reading or writing the ledger."""
    template = rendered.meta.mime
    payload = template.personalise(address, "")
    link = make_transport(ctx.settings, ctx.out_dir / "test", rendered.edition.key)
    link.open()
    try:
        link.send(template.sender, address, payload, lambda: None)
    finally:
        link.close()
