"""A small pool of SMTP connections sending one edition from one shared stream of recipients.

Each connection runs in its own thread with its own transport and its own ledger session (its
own database connection: a SQLAlchemy Connection is not thread-safe). The threads take the next
due recipient from one iterator under a lock, so the recipients stay streamed: nothing per
recipient is kept beyond what the caller already has, plus at most one recipient per
connection handed back by a connection that gave up.

Connections open one after the other: the first opens for the first due recipient (nothing due,
no connection, as with one connection); each connection, once its server said hello, starts the
next thread, which opens only if it finds a recipient due. So there are never more connections
than recipients due, a server that refuses more connections than it allows stops the ramp-up
there, and "the server is unreachable" can only be the first connection's verdict, before
anything was sent: then the ledger is untouched and ServerUnreachable is raised, as before.

Per connection, the replies are sorted as with one connection (see `send.deliver_edition` and
`ledger.Session`): 5xx fails that recipient, a 4xx or a drop before the final dot deletes the
claim and retries that recipient on that connection after a backoff, a drop after the dot leaves
the claim `sending` (unknown outcome, never resent by itself). A connection out of retries hands
its recipient back and stops; the others go on and send it. Only when every connection has
stopped with recipients left does the run raise TransientDeliveryError (with the progress).
Anything unexpected (a refused login, a database error) stops every connection after the message
it is on, and is raised.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Engine

from channels.base import DeliveryReport
from flows.core.errors import TransientDeliveryError
from flows.core.i18n import _, ngettext
from flows.core.settings import Settings

from . import ledger
from .mime import HeaderInjection, MimeTemplate
from .tokens import make_token
from .transport import OutcomeUnknown, Refused, ServerUnreachable, Transport, TryLater

Recipient = tuple[str, str]  # (address, name)

MAX_NOTES = 20  # per edition: a report names the first failures, then counts the rest


def note_failure(report: DeliveryReport, text: str) -> None:
    """Add a failure note while there are at most MAX_NOTES, then one line for the rest."""
    if report.failed <= MAX_NOTES:
        report.notes.append(text)
    elif report.failed == MAX_NOTES + 1:
        report.notes.append(_("more recipients failed: see the ledger (state 'failed') for all"))


class Pacer:
    """At most `rate` messages per second over every connection sharing it (0 = no limit).

    `reserve` hands out the next free slot under a lock; the caller sleeps outside the lock until
    its slot. Consecutive slots are at least `interval` apart whichever thread takes them, so the
    limit is the total rate, not a rate per connection.
    """

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_at = 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """The clock time of the next free slot, taken for the caller."""
        with self._lock:
            at = max(self._clock(), self.next_at)
            self.next_at = at + self.interval
        return at

    def wait(self) -> None:
        """Sleep until this caller's slot: the next message may go then."""
        if not self.interval:
            return
        delay = self.reserve() - self._clock()
        if delay > 0:
            self._sleep(delay)


@dataclass
class Pool:
    """One edition's sending over up to `connections` connections; `run` once.

    `todo` yields the due recipients and may update `report`, `unconfirmed` and `claimed`: it is
    only ever advanced under `lock`, which also guards every update the pool makes to them.
    `progress(pending)` describes what is left (pending: recipients taken but not sent), for the
    error when every connection gave up.
    """

    todo: Iterator[Recipient]
    template: MimeTemplate
    make_link: Callable[[], Transport]
    connections: int
    engine: Engine
    existing: dict[str, str]
    settings: Settings
    report: DeliveryReport
    unconfirmed: list[str]
    claimed: list[str]
    sleep: Callable[[float], None]
    progress: Callable[[int], str]
    lock: threading.Lock = field(default_factory=threading.Lock)
    pacer: Pacer = field(init=False)
    _returned: deque[Recipient] = field(init=False, default_factory=deque)  # <= 1 per connection
    _threads: list[threading.Thread] = field(init=False, default_factory=list)
    _exhausted: bool = field(init=False, default=False)
    _opened: bool = field(init=False, default=False)  # a connection of this run said hello
    _stop: bool = field(init=False, default=False)
    _fatal: BaseException | None = field(init=False, default=None)
    _gave_up: tuple[int, BaseException] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.pacer = Pacer(self.settings.smtp_rate_per_second)

    def run(self) -> None:
        """Send until nothing is due; raises as described in the module docstring."""
        with self.lock:
            self._spawn(1)
        try:
            self._join()
        except BaseException:
            with self.lock:  # interrupted: let each connection finish the message it is on
                self._stop = True
            self._join()
            raise
        if self._fatal is not None:
            raise self._fatal
        if self._returned or not self._exhausted:
            assert self._gave_up is not None  # a connection stops early only by giving up
            attempts, exc = self._gave_up
            raise TransientDeliveryError(
                ngettext(
                    "edition {edition}: stopped after {n} attempt ({error}); {progress}. Rerun "
                    "later: what was sent is not sent again.",
                    "edition {edition}: stopped after {n} attempts ({error}); {progress}. Rerun "
                    "later: what was sent is not sent again.",
                    attempts,
                ).format(
                    edition=self.template.edition_key,
                    n=attempts,
                    error=exc,
                    progress=self.progress(len(self._returned)),
                )
            ) from exc

    def _spawn(self, number: int) -> None:
        """Start connection `number` (the caller holds the lock)."""
        thread = threading.Thread(
            target=self._work,
            args=(number,),
            name=f"smtp-{number}-{self.template.edition_key}",
        )
        self._threads.append(thread)
        thread.start()

    def _join(self) -> None:
        """Wait for every thread, including those started while waiting."""
        done = 0
        while True:
            with self.lock:
                if done == len(self._threads):
                    return
                thread = self._threads[done]
            thread.join()
            done += 1

    def _take(self) -> Recipient | None:
        """The next recipient for a connection: a handed-back one first, then the stream."""
        with self.lock:
            if self._stop:
                return None
            if self._returned:
                return self._returned.popleft()
            if self._exhausted:
                return None
            current = next(self.todo, None)
            self._exhausted = current is None
            return current

    def _hello(self, number: int) -> None:
        """Connection `number` opened for the first time: start the next one if work is left."""
        with self.lock:
            self._opened = True
            more = bool(self._returned) or not self._exhausted
            if number < self.connections and more and not self._stop:
                self._spawn(number + 1)

    def _work(self, number: int) -> None:
        try:
            current = self._take()
            if current is None:
                return
            link = self.make_link()
            try:
                with ledger.session(self.engine, self.template.edition_key, self.existing) as book:
                    self._drain(number, current, link, book)
            finally:
                link.close()
        except BaseException as exc:  # noqa: BLE001 - raised by `run` in the caller's thread
            with self.lock:
                if self._fatal is None:
                    self._fatal = exc
                self._stop = True

    def _drain(self, number: int, first: Recipient, link: Transport, book: ledger.Session) -> None:
        """Send over one connection until nothing is left or it gives up."""
        template, report = self.template, self.report
        attempts = 0
        connected = ever_connected = False
        current: Recipient | None = first
        while current is not None:
            if self._stop:
                return  # another connection failed for good; this recipient stays unclaimed
            address, name = current
            token = make_token(template.secret, address)
            try:
                payload = template.personalise(address, name)
            except HeaderInjection as exc:
                book.failed(address, token, str(exc))
                with self.lock:
                    report.failed += 1
                    note_failure(
                        report,
                        _("{address}: not sent: {error}").format(address=repr(address), error=exc),
                    )
                current = self._take()
                continue
            marked = False

            def mark(address: str = address, token: str = token) -> None:
                nonlocal marked
                book.sending(address, token)
                marked = True

            try:
                if not connected:
                    link.open()
                    connected = True
                    if not ever_connected:
                        ever_connected = True
                        self._hello(number)
                self.pacer.wait()
                link.send(template.sender, address, payload, mark)
                book.sent(address)
                with self.lock:
                    report.delivered += 1
                attempts = 0
            except ledger.ClaimedElsewhere:
                # Another run (a second worker, a retry, a catch-up by hand) sends this one.
                with self.lock:
                    report.skipped += 1
                    self.claimed.append(address)
            except Refused as exc:
                book.failed(address, token, str(exc))
                with self.lock:
                    report.failed += 1
                    note_failure(
                        report,
                        _("{address}: refused for good: {error}").format(
                            address=address, error=exc
                        ),
                    )
            except OutcomeUnknown as exc:
                with self.lock:
                    self.unconfirmed.append(address)  # its `sending` row stays: never resent
                connected = False
                attempts += 1
                if not self._back_off(attempts, link, exc):
                    return
            except ServerUnreachable as exc:
                with self.lock:
                    first_verdict = not self._opened
                if first_verdict:
                    raise  # nothing was sent and the ledger is untouched: fail with a clear error
                connected = False
                attempts += 1
                if not self._back_off(attempts, link, exc):
                    self._hand_back(current)
                    return
                continue  # the same recipient again
            except TryLater as exc:
                if marked:
                    book.not_sent(address)
                connected = False
                attempts += 1
                if not self._back_off(attempts, link, exc):
                    self._hand_back(current)
                    return
                continue  # the same recipient again
            current = self._take()

    def _back_off(self, attempts: int, link: Transport, exc: BaseException) -> bool:
        """Wait before reconnecting (True), or give up on this connection (False)."""
        link.close()
        if attempts > self.settings.smtp_retries:
            with self.lock:
                self._gave_up = (attempts, exc)
            return False
        self.sleep(self.settings.smtp_retry_backoff_seconds * 2 ** (attempts - 1))
        return not self._stop

    def _hand_back(self, current: Recipient) -> None:
        """A connection stops with `current` unsent: another connection takes it next."""
        with self.lock:
            self._returned.append(current)
