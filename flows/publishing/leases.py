"""Day leases: one run at a time publishes a region's day; a crashed run's day is taken over.

A run inserts a row for its scope (region and day) and renews it from a heartbeat thread while
it works. A second run (another worker, a retry racing the original, a catch-up by hand) finds a
live row and reports "already in progress" instead of failing. A row whose lease has expired,
or whose owner is a process on this machine that no longer exists, belongs to a run that
crashed: the next run takes it over (compare-and-set on the old owner, so of two runs taking over
at once only one wins). Taking over never resends anything: the delivery ledger's `sending` rows
of the crashed run stay "unknown outcome" until a person decides.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, Engine, String, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from flows.infra.state import metadata

leases = Table(
    "publish_leases",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    Column("renewed_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) a lease, for the report."""

    owner: str
    acquired_at: datetime
    renewed_at: datetime
    expires_at: datetime

    def describe(self) -> str:
        """`host pid 123 since 06:00:01 UTC, last heard 06:04:10 UTC`."""
        host, _, rest = self.owner.partition(":")
        pid = rest.partition(":")[0]
        return (
            f"{host} pid {pid} since {self.acquired_at:%Y-%m-%d %H:%M:%S} UTC, "
            f"last heard {self.renewed_at:%H:%M:%S} UTC"
        )


class InProgress(Exception):
    """Another live run holds this scope."""

    def __init__(self, scope: str, holder: Holder) -> None:
        super().__init__(f"{scope} is being published by {holder.describe()}")
        self.scope = scope
        self.holder = holder


def scope_for(region: str, day: str) -> str:
    """The lease scope of a publish run: one per region and day."""
    return f"publish:{region or 'default'}:{day}"


def new_owner() -> str:
    """`host:pid:random`: unique per run; host and pid let a crash on this machine be seen."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _utc(value: datetime) -> datetime:
    # SQLite hands timezone-aware columns back naive (they were written in UTC).
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _dead_here(owner: str) -> bool:
    """True when the owner ran on this machine and its process is gone (crashed, killed)."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


class Lease:
    """A held lease; `renew` keeps it, `release` gives it back."""

    def __init__(
        self, engine: Engine, scope: str, owner: str, seconds: float, took_over: Holder | None
    ) -> None:
        self.engine = engine
        self.scope = scope
        self.owner = owner
        self.seconds = seconds
        self.took_over = took_over  # the crashed run this one took the day from, if any
        self.lost = False  # set when a renewal found the lease taken by another run

    def renew(self) -> bool:
        """Extend the lease; False (and `lost`) when another run has taken it over."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            done = conn.execute(
                update(leases)
                .where(leases.c.scope == self.scope, leases.c.owner == self.owner)
                .values(renewed_at=now, expires_at=now + timedelta(seconds=self.seconds))
            ).rowcount
        if not done:
            self.lost = True
        return bool(done)

    def release(self) -> None:
        """Give the lease back (only our own row is deleted)."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(leases).where(leases.c.scope == self.scope, leases.c.owner == self.owner)
            )


def holder(engine: Engine, scope: str) -> Holder | None:
    """The current row for a scope, if any."""
    with engine.connect() as conn:
        row = conn.execute(select(leases).where(leases.c.scope == scope)).first()
    if row is None:
        return None
    return Holder(row.owner, _utc(row.acquired_at), _utc(row.renewed_at), _utc(row.expires_at))


def acquire(engine: Engine, scope: str, seconds: float, owner: str | None = None) -> Lease:
    """Take the lease for `scope`, or raise InProgress when a live run holds it."""
    me = owner or new_owner()
    now = datetime.now(UTC)
    values = {
        "scope": scope,
        "owner": me,
        "acquired_at": now,
        "renewed_at": now,
        "expires_at": now + timedelta(seconds=seconds),
    }
    for _ in range(3):  # insert, or take over a stale row; a row may vanish in between
        try:
            with engine.begin() as conn:
                conn.execute(insert(leases).values(**values))
            return Lease(engine, scope, me, seconds, None)
        except IntegrityError:
            pass
        current = holder(engine, scope)
        if current is None:
            continue  # released meanwhile: try the insert again
        if current.owner == me:
            return Lease(engine, scope, me, seconds, None)
        if current.expires_at > now and not _dead_here(current.owner):
            raise InProgress(scope, current)
        with engine.begin() as conn:
            taken = conn.execute(
                update(leases)
                .where(leases.c.scope == scope, leases.c.owner == current.owner)
                .values(**{k: v for k, v in values.items() if k != "scope"})
            ).rowcount
        if taken:
            return Lease(engine, scope, me, seconds, current)
        now = datetime.now(UTC)  # another run took it over first: look again
    latest = holder(engine, scope)
    if latest is None:  # pragma: no cover - three vanishing rows in a row
        raise InProgress(scope, Holder("?:?", now, now, now))
    raise InProgress(scope, latest)


@contextmanager
def held(engine: Engine, scope: str, seconds: float) -> Iterator[Lease]:
    """Acquire the lease and hold it for the body (see `heartbeat`)."""
    with heartbeat(acquire(engine, scope, seconds)) as lease:
        yield lease


@contextmanager
def heartbeat(lease: Lease) -> Iterator[Lease]:
    """Keep an acquired lease for the body, renewed every third of its length; released at
    the end. A crash skips the release: the row then expires (or is seen dead on this machine).
    """
    seconds, scope = lease.seconds, lease.scope
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(max(seconds / 3, 0.5)):
            try:
                if not lease.renew():
                    return
            except SQLAlchemyError:
                continue  # the database blinked: try again at the next beat

    thread = threading.Thread(target=beat, name=f"lease {scope}", daemon=True)
    thread.start()
    try:
        yield lease
    finally:
        stop.set()
        thread.join(timeout=5)
        if not lease.lost:
            lease.release()
