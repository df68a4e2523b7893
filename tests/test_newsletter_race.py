"""Two runs deliver one edition at the same time (two workers, a retry racing the original, a
catch-up by hand): every recipient gets exactly one message and neither run fails.

The first version let the losing run hit the ledger's unique key and treat the IntegrityError
as a failed delivery (both runs FAILED), and a `sent` mark shared a transaction with the next
claim, so on PostgreSQL the rollback took delivered messages' marks with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from channels.base import DeliveryReport
from channels.newsletter import ledger
from channels.newsletter.render import render_edition
from channels.newsletter.send import deliver_edition
from channels.newsletter.transport import SmtpTransport
from flows.infra.state import open_state
from tests.test_newsletter_support import Sink, context, edition, smtp_server, smtp_settings

RECIPIENTS = tuple((f"p{i}@example.org", f"Opvang {i}") for i in range(30))


class HoldsAtFirstClaim(SmtpTransport):
    """SMTP, but the first claim waits until the other run is at its first claim too, so both
    have read the ledger before either writes: the race is certain, not a matter of luck."""

    def __init__(self, settings: Any, barrier: threading.Barrier) -> None:
        super().__init__(settings)
        self.barrier = barrier
        self.first = True

    def send(self, sender: str, to: str, payload: bytes, before_data: Callable[[], None]) -> None:
        def claim() -> None:
            if self.first:
                self.first = False
                self.barrier.wait(timeout=20)
            before_data()

        super().send(sender, to, payload, claim)


def test_two_runs_at_once_send_each_message_once_and_neither_fails(
    tmp_path: Path, state_url: str
) -> None:
    # On SQLite and on PostgreSQL (where a failed statement rolls back its whole transaction).
    sink = Sink()
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port)
        ed = edition(RECIPIENTS, target="race")
        rendered = render_edition(ed, s)
        barrier = threading.Barrier(2)
        reports: list[DeliveryReport] = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                link = HoldsAtFirstClaim(s, barrier)
                reports.append(deliver_edition(rendered, context(s), transport=link))
            except BaseException as exc:  # noqa: BLE001 - the test reports what a run raised
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert errors == []
    assert len(reports) == 2 and all(r.failed == 0 for r in reports)
    assert sum(r.delivered for r in reports) == len(RECIPIENTS)
    assert all(sink.count(address) == 1 for address, _ in RECIPIENTS)
    # The losing claim was skipped and said so; the ledger has every recipient as sent.
    assert any("another run" in note for r in reports for note in r.notes)
    assert s.resolved_state_url() == state_url
    states = ledger.states(open_state(state_url), ed.key)
    assert set(states.values()) == {ledger.SENT} and len(states) == len(RECIPIENTS)
