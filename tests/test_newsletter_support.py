"""Helpers for the newsletter tests (no tests here): hand-built editions, a real aiosmtpd server."""

from __future__ import annotations

import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from channels.base import Context, Edition
from channels.newsletter.payload import NewsletterPayload
from flows.core.models import Message
from flows.core.settings import Settings, load_settings

DAY = date(2027, 1, 5)


def message(
    ident: str,
    *,
    title: str | None = None,
    body: str | None = None,
    audiences: Sequence[str] = ("ouders-jonge-kinderen",),
    lang: str = "nl",
    resources: Sequence[tuple[str, str]] = (("NCJ over ouderschap", "https://www.ncj.nl/x"),),
) -> Message:
    """A published message, valid on DAY."""
    return Message(
        id=ident,
        lang=lang,
        title=title or f"Titel van {ident}",
        theme="slapen",
        audiences=tuple(audiences),
        body=body
        if body is not None
        else (
            f"Tekst van {ident}. Lees [meer bij het NCJ](https://www.ncj.nl/{ident}), want zo "
            "weet je wat helpt.\n\n- een tip\n- nog een tip\n"
        ),
        screen={"headline": "Kop", "text": "Tekst"},
        resources=tuple({"title": t, "url": u} for t, u in resources),
        valid_from=date(2026, 1, 1),
    )


def edition(
    recipients: Sequence[tuple[str, str]] = (("ann@example.org", "Opvang Ann"),),
    *,
    items: int = 3,
    lang: str = "nl",
    target: str = "test.kinderopvang.nl",
    campaign_title: str = "Sterk begin",
    messages: Sequence[Message] | None = None,
    fallback: Sequence[tuple[str, str]] = (),
) -> Edition[NewsletterPayload]:
    """A kinderopvang edition with `items` parent items and one staff item."""
    msgs = (
        list(messages)
        if messages is not None
        else [
            *(message(f"bericht-{i}", lang=lang) for i in range(1, items + 1)),
            message("voor-het-team", audiences=("kinderopvang-team",), lang=lang),
        ]
    )
    return Edition(
        channel="newsletter",
        target=target,
        day=DAY,
        campaign_id="sterk-begin",
        campaign_title=campaign_title,
        lang=lang,
        audiences=("kinderopvang-team", "ouders-jonge-kinderen"),
        messages=tuple(msgs),
        payload=NewsletterPayload(
            kind="kinderopvang",
            recipients=tuple(recipients),
            staff="voor-het-team" if messages is None else None,
            fallback=tuple(fallback),
        ),
    )


def settings_for(out: Path, **overrides: Any) -> Settings:
    """Settings writing under `out`, with a fast retry for tests. Links as written in the
    content (no short links), so tests see the resources themselves; the short links have
    their own test (test_newsletter_links_are_short_links_counted_per_edition)."""
    base: dict[str, Any] = {
        "out_dir": out,
        "newsletter_track_links": False,
        "smtp_retry_backoff_seconds": 0.01,
        "smtp_retries": 0,
        "smtp_security": "none",
    }
    base.update(overrides)
    return load_settings(**base)


def smtp_settings(out: Path, port: int, **overrides: Any) -> Settings:
    """`settings_for(out)`, sending by SMTP to the test server on 127.0.0.1:`port`."""
    return settings_for(out, delivery="smtp", smtp_host="127.0.0.1", smtp_port=port, **overrides)


def context(settings: Settings) -> Context:
    """A channel context for these settings."""
    return Context(settings, settings.out_dir)


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sink:
    """An aiosmtpd handler that records messages and misbehaves on request."""

    received: list[tuple[list[str], bytes]] = field(default_factory=list)
    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)  # address -> replies
    data_replies: dict[str, list[str]] = field(default_factory=dict)
    drop_at_mail_after: int | None = None  # drop the connection at MAIL once k are received
    die_after_dot_at: int | None = None  # keep message k, then vanish without the 250
    dead: bool = False
    connections: int = 0

    def count(self, address: str) -> int:
        """How many messages reached `address`."""
        return sum(1 for rcpts, _ in self.received if address.lower() in (r.lower() for r in rcpts))

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.dead or (
            self.drop_at_mail_after is not None and len(self.received) >= self.drop_at_mail_after
        ):
            self.drop_at_mail_after = None
            server.transport.abort()
            return "250 OK"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        queued = self.rcpt_replies.get(address.lower())
        if queued:
            return queued.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        rcpt = envelope.rcpt_tos[0].lower() if envelope.rcpt_tos else ""
        queued = self.data_replies.get(rcpt)
        if queued:
            return queued.pop(0)
        self.received.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        if self.die_after_dot_at is not None and len(self.received) - 1 == self.die_after_dot_at:
            self.die_after_dot_at = None
            self.dead = True
            server.transport.abort()
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(sink: Sink, **server_kwargs: Any) -> Iterator[int]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) for the duration; yields its port."""
    port = free_port()
    controller = Controller(
        sink, hostname="127.0.0.1", port=port, ready_timeout=10, **server_kwargs
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
