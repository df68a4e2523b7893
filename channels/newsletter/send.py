"""Deliver a rendered edition to its recipients through the ledger, exactly once each.

By SMTP over a small pool of connections (`pool.py`: VEERKRACHT_SMTP_CONNECTIONS, the rate limit
shared by all), to the outbox with one writer; the ledger semantics are the same either way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

from channels.base import Context, DeliveryReport
from channels.shared.files import write_changed
from flows.core.errors import PermanentDeliveryError
from flows.core.i18n import N_, _, ngettext
from flows.core.settings import Settings
from flows.infra.state import open_state

from . import ledger
from .pool import Pool
from .render import RenderedNewsletter
from .tokens import fold
from .transport import Transport, make_transport


def write_archive(rendered: RenderedNewsletter, ctx: Context) -> int:
    """Write the web archive files (atomic, unchanged files left alone); returns files changed."""
    return len(write_changed(ctx.out_dir, rendered.files))


def deliver_edition(
    rendered: RenderedNewsletter,
    ctx: Context,
    *,
    resend_unconfirmed: bool = False,
    transport: Transport | None = None,
    transports: Callable[[], Transport] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """Send to every recipient not yet sent to; see the module and ledger docstrings.

    SMTP goes over up to `smtp_connections` connections at once (`pool.Pool`), each made by
    `transports()` (default: from the settings); a single `transport` given means one
    connection over it. `sleep` is the backoff wait before a reconnect.

    Recipients are streamed: nothing per recipient is kept beyond the rows that already existed,
    so memory stays flat from a hundred to ten thousand recipients.
    """
    if transport is not None and transports is not None:
        raise ValueError("give a transport or a factory of transports, not both")
    edition = rendered.edition
    settings = ctx.settings
    if edition.payload.example and settings.delivery == "smtp" and not settings.smtp_to_example:
        # The bundled example addresses are not ours to e-mail (issue 12: real mail went there).
        raise PermanentDeliveryError(
            _(
                "edition {edition}: the partner list is the bundled example, and delivery is "
                "SMTP: nothing was sent. Set VEERKRACHT_PARTNERS_CSV to the real partner list, or "
                "VEERKRACHT_SMTP_TO_EXAMPLE=true when the SMTP server is a test server"
            ).format(edition=edition.key)
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

    make_link, connections = _links(ctx, edition.key, transport, transports)
    Pool(
        todo=due(),
        template=template,
        make_link=make_link,
        connections=connections,
        engine=engine,
        existing=existing,
        settings=settings,
        report=report,
        unconfirmed=unconfirmed,
        claimed=claimed,
        sleep=sleep,
        progress=lambda pending: _progress(len(everyone) - seen + pending, report, unconfirmed),
    ).run()
    report.unknown = len(unconfirmed)  # a person must decide: the run must not look fine
    if unconfirmed:
        report.notes.append(unconfirmed_note(unconfirmed))
    if claimed:
        report.notes.append(
            ngettext(
                "{n} recipient was being sent to by another run at the same time; that run "
                "sends it, this one skipped it",
                "{n} recipients were being sent to by another run at the same time; that run "
                "sends them, this one skipped them",
                len(claimed),
            ).format(n=len(claimed))
        )
    if report.delivered and settings.delivery == "smtp" and default_secret(settings):
        report.notes.append(_(DEFAULT_SECRET_NOTE))
    return report


def _links(
    ctx: Context,
    edition_key: str,
    transport: Transport | None,
    transports: Callable[[], Transport] | None,
) -> tuple[Callable[[], Transport], int]:
    """How to make one connection's transport, and how many connections at most."""
    settings = ctx.settings
    if transport is not None:
        return (lambda: transport), 1
    if transports is not None:
        return transports, settings.smtp_connections
    if settings.delivery == "smtp":
        return (lambda: make_transport(settings, ctx.out_dir, edition_key)), (
            settings.smtp_connections
        )
    # The outbox keeps one writer: it writes a local file per message, so there is no network
    # wait to overlap; its time goes to the two ledger commits per message, which SQLite takes
    # one writer at a time. Four writers over 2,000 messages measured the same within noise
    # (about 700 messages/s either way, December 2026), and the outbox is the backend of dry
    # runs and tests, where one writer is simpler to follow.
    return (lambda: make_transport(settings, ctx.out_dir, edition_key)), 1


DEFAULT_SECRET_NOTE = N_(
    "VEERKRACHT_UNSUBSCRIBE_SECRET still has its example value: anyone could make unsubscribe "
    "links. Set it to a long random value (and keep it) before sending for real."
)  # translated where it is shown: _(DEFAULT_SECRET_NOTE)


def default_secret(settings: Settings) -> bool:
    """True while the unsubscribe secret is the example value from the settings."""
    field = Settings.model_fields["unsubscribe_secret"].default
    return bool(settings.unsubscribe_secret.get_secret_value() == field.get_secret_value())


def _progress(left: int, report: DeliveryReport, unconfirmed: Sequence[str]) -> str:
    text = ngettext(
        "{n} message not sent yet, {sent} sent in this run",
        "{n} messages not sent yet, {sent} sent in this run",
        left,
    ).format(n=left, sent=report.delivered)
    if unconfirmed:
        text += _(", {n} with an unknown outcome ({addresses})").format(
            n=len(unconfirmed), addresses=", ".join(unconfirmed)
        )
    return text


def unconfirmed_note(addresses: Sequence[str]) -> str:
    """What to tell people about messages whose outcome is unknown."""
    return ngettext(
        "{n} message has an unknown outcome (the connection was lost after the message was "
        "sent, before the server confirmed it): {addresses}. It is not sent again "
        "automatically. Ask the mail server's operator whether it arrived; if not, run "
        "`veerkracht newsletter send --resend-unconfirmed`.",
        "{n} messages have an unknown outcome (the connection was lost after the message was "
        "sent, before the server confirmed it): {addresses}. They are not sent again "
        "automatically. Ask the mail server's operator whether they arrived; if not, run "
        "`veerkracht newsletter send --resend-unconfirmed`.",
        len(addresses),
    ).format(n=len(addresses), addresses=", ".join(addresses))


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
