"""Parallel SMTP sending (issue 12): a pool of connections against a real aiosmtpd server that
takes ~20 ms per message, with the ledger semantics of one connection unchanged."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from channels.base import DeliveryReport
from channels.newsletter import ledger
from channels.newsletter.pool import Pacer
from channels.newsletter.render import render_edition
from channels.newsletter.send import deliver_edition
from channels.newsletter.transport import SmtpTransport, Transport
from flows.core.errors import TransientDeliveryError
from flows.core.settings import Settings
from flows.infra.state import open_state
from tests.test_newsletter_support import Sink, context, edition, smtp_server, smtp_settings

RECIPIENTS = tuple((f"p{i}@example.org", f"Opvang {i}") for i in range(200))


@dataclass
class SlowSink(Sink):
    """The test Sink, answering each message after `delay` seconds like a relay would; it counts
    connections (one EHLO each), messages in DATA at the same moment, and when each MAIL came."""

    delay: float = 0.02
    peers: set[Any] = field(default_factory=set)  # one (host, port) per connection
    active: int = 0
    peak: int = 0  # most messages in DATA at one moment
    mail_at: list[float] = field(default_factory=list)
    vanish_after_dot: set[str] = field(default_factory=set)  # keep it, then drop without a 250

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.peers.add(session.peer)
        session.host_name = hostname
        return responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.mail_at.append(time.monotonic())
        return await super().handle_MAIL(server, session, envelope, address, options)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.active -= 1
        rcpt = envelope.rcpt_tos[0].lower() if envelope.rcpt_tos else ""
        if rcpt in self.vanish_after_dot:
            self.vanish_after_dot.discard(rcpt)
            self.received.append((list(envelope.rcpt_tos), bytes(envelope.content)))
            server.transport.abort()
            return "250 never seen"
        return await super().handle_DATA(server, session, envelope)


def states(s: Settings, key: str) -> dict[str, str]:
    return ledger.states(open_state(s.resolved_state_url()), key)


def test_four_connections_send_each_of_200_once_at_the_same_time(tmp_path: Path) -> None:
    sink = SlowSink()
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port, smtp_connections=4)
        ed = edition(RECIPIENTS)
        rendered = render_edition(ed, s)
        report = deliver_edition(rendered, context(s))
        connections = len(sink.peers)
        again = deliver_edition(rendered, context(s))
    assert (report.delivered, report.skipped, report.failed) == (200, 0, 0)
    assert all(sink.count(a) == 1 for a, _ in RECIPIENTS) and len(sink.received) == 200
    assert connections == 4 and sink.peak > 1
    assert set(states(s, ed.key).values()) == {ledger.SENT} and len(states(s, ed.key)) == 200
    # A second run sends nothing and opens no connection.
    assert again.nothing_new and again.skipped == 200 and again.notes == []
    assert len(sink.received) == 200 and len(sink.peers) == 4


def test_no_more_connections_than_recipients_due(tmp_path: Path) -> None:
    sink = SlowSink()
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port, smtp_connections=4)
        one = deliver_edition(render_edition(edition(RECIPIENTS[:1], target="one"), s), context(s))
        after_one = len(sink.peers)
        two = deliver_edition(render_edition(edition(RECIPIENTS[:2], target="two"), s), context(s))
        after_two = len(sink.peers)
        none = deliver_edition(render_edition(edition((), target="none"), s), context(s))
    assert (one.delivered, two.delivered, none.delivered) == (1, 2, 0)
    assert (after_one, after_two, len(sink.peers)) == (1, 3, 3)


def test_pacer_slots_are_an_interval_apart_over_threads() -> None:
    pacer = Pacer(50, clock=lambda: 0.0)  # a clock that stands still: every slot is queued
    slots: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(25):
            at = pacer.reserve()
            with lock:
                slots.append(at)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(slots) == pytest.approx([i * 0.02 for i in range(100)])


def test_rate_limit_is_the_total_over_all_connections(tmp_path: Path) -> None:
    # 50/s shared: 100 messages need 99 intervals (1.98 s). A limit per connection would let
    # four connections do it in a quarter of that. Only a lower bound is asserted.
    sink = SlowSink()
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port, smtp_connections=4, smtp_rate_per_second=50)
        report = deliver_edition(render_edition(edition(RECIPIENTS[:100]), s), context(s))
    assert report.delivered == 100 and len(sink.peers) == 4
    stamps = sorted(sink.mail_at)
    assert stamps[-1] - stamps[0] >= 99 / 50 * 0.9


def test_a_421_on_one_connection_while_the_others_go_on(tmp_path: Path) -> None:
    hit = RECIPIENTS[20][0]
    sink = SlowSink(data_replies={hit: ["421 4.3.2 Too busy, closing"]})
    progress: list[int] = []

    def backoff(_seconds: float) -> None:
        """This connection waits until the others have sent ten more (or 20 s went by)."""
        before = len(sink.received)
        deadline = time.monotonic() + 20
        while len(sink.received) < before + 10 and time.monotonic() < deadline:
            time.sleep(0.005)
        progress.append(len(sink.received) - before)

    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port, smtp_connections=4, smtp_retries=1)
        ed = edition(RECIPIENTS)
        report = deliver_edition(render_edition(ed, s), context(s), sleep=backoff)
    assert len(progress) == 1 and progress[0] >= 10
    assert report.delivered == 200 and all(sink.count(a) == 1 for a, _ in RECIPIENTS)
    assert len(sink.peers) == 5  # the four, and the one that reconnected
    assert set(states(s, ed.key).values()) == {ledger.SENT}


def test_a_connection_out_of_retries_hands_its_recipient_to_the_others(tmp_path: Path) -> None:
    hit = RECIPIENTS[20][0]
    sink = SlowSink(rcpt_replies={hit: ["451 4.3.0 Try again later"]})
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port, smtp_connections=4, smtp_retries=0)
        ed = edition(RECIPIENTS)
        report = deliver_edition(render_edition(ed, s), context(s))
    assert (report.delivered, report.failed) == (200, 0) and sink.count(hit) == 1
    # That connection stopped (no reconnect: still four), so one of the others sent `hit`.
    assert len(sink.peers) == 4 and all(sink.count(a) == 1 for a, _ in RECIPIENTS)
    assert set(states(s, ed.key).values()) == {ledger.SENT} and len(states(s, ed.key)) == 200


def test_unknown_outcome_on_one_connection_is_reported_and_not_resent(tmp_path: Path) -> None:
    lost = RECIPIENTS[50][0]
    sink = SlowSink(vanish_after_dot={lost})
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port, smtp_connections=4, smtp_retries=0)
        ed = edition(RECIPIENTS)
        rendered = render_edition(ed, s)
        # That connection is out of retries and stops; the other three send the rest.
        report = deliver_edition(rendered, context(s))
        peers = len(sink.peers)
        again = deliver_edition(rendered, context(s))
    assert (report.delivered, report.failed) == (199, 0)
    assert [n for n in report.notes if "unknown outcome" in n and lost in n] != []
    assert states(s, ed.key)[lost] == ledger.SENDING
    assert all(sink.count(a) == 1 for a, _ in RECIPIENTS) and len(sink.received) == 200
    assert again.nothing_new and any(lost in n for n in again.notes)
    assert len(sink.received) == 200 and len(sink.peers) == peers


def test_every_connection_giving_up_raises_with_the_progress(tmp_path: Path) -> None:
    sink = SlowSink(die_after_dot_at=30)  # keeps message 31, then refuses every connection
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port, smtp_connections=4, smtp_retries=0)
        ed = edition(RECIPIENTS)
        rendered = render_edition(ed, s)
        with pytest.raises(TransientDeliveryError, match="not sent yet") as caught:
            deliver_edition(rendered, context(s))
        received = len(sink.received)
        # Those that reached the server were delivered or are the one unknown; the rest is left.
        assert f"{200 - received} messages not sent yet" in str(caught.value)
        assert "1 with an unknown outcome" in str(caught.value)
        sink.dead = False  # the server is back
        rerun = deliver_edition(rendered, context(s))
    assert rerun.delivered == 200 - received
    assert all(sink.count(a) == 1 for a, _ in RECIPIENTS)


class Gate:
    """Holds every claim of one run until both runs are at a claim: both have read the ledger
    before either writes, so the race is certain."""

    def __init__(self, barrier: threading.Barrier) -> None:
        self.barrier = barrier
        self.lock = threading.Lock()
        self.open = threading.Event()

    def claim(self, before_data: Callable[[], None]) -> None:
        if not self.open.is_set():
            with self.lock:
                if not self.open.is_set():
                    self.barrier.wait(timeout=20)
                    self.open.set()
        before_data()


class GatedSmtp(SmtpTransport):
    def __init__(self, settings: Settings, gate: Gate) -> None:
        super().__init__(settings)
        self.gate = gate

    def send(self, sender: str, to: str, payload: bytes, before_data: Callable[[], None]) -> None:
        super().send(sender, to, payload, lambda: self.gate.claim(before_data))


def test_two_runs_with_four_connections_each_send_each_recipient_once(tmp_path: Path) -> None:
    recipients = RECIPIENTS[:60]
    sink = SlowSink()
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port, smtp_connections=4)
        ed = edition(recipients, target="race")
        rendered = render_edition(ed, s)
        barrier = threading.Barrier(2)
        reports: list[DeliveryReport] = []
        errors: list[BaseException] = []

        def run() -> None:
            gate = Gate(barrier)

            def link() -> Transport:
                return GatedSmtp(s, gate)

            try:
                reports.append(deliver_edition(rendered, context(s), transports=link))
            except BaseException as exc:  # noqa: BLE001 - the test reports what a run raised
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert errors == []
    assert len(reports) == 2 and all(r.failed == 0 for r in reports)
    assert sum(r.delivered for r in reports) == len(recipients)
    assert all(sink.count(a) == 1 for a, _ in recipients) and len(sink.received) == 60
    assert len(sink.peers) == 8
    assert any("another run" in note for r in reports for note in r.notes)
    assert not any("unknown outcome" in note for r in reports for note in r.notes)
    final = states(s, ed.key)
    assert set(final.values()) == {ledger.SENT} and len(final) == len(recipients)
