"""The delivery ledger: one row per (edition, recipient), written before DATA and after the 250.

States: `sending` (written just before the DATA command; if it stays, the outcome is unknown),
`sent` (the server answered 250), `failed` (a 5xx for this recipient; never retried).
A recipient without a row has not been sent to. Unsubscribes live here too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    String,
    Table,
    Text,
    and_,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from flows.infra.state import metadata

from .tokens import fold

deliveries = Table(
    "newsletter_deliveries",
    metadata,
    Column("edition_key", String(200), primary_key=True),
    Column("recipient", String(320), primary_key=True),  # folded (lower case) address
    Column("address", String(320), nullable=False),  # as written in the partner list
    Column("token", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_newsletter_deliveries_token", "token"),
)

unsubscribes = Table(
    "newsletter_unsubscribes",
    metadata,
    Column("recipient", String(320), primary_key=True),
    Column("via", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

SENDING, SENT, FAILED = "sending", "sent", "failed"


class ClaimedElsewhere(Exception):
    """Another run claimed this recipient of this edition first: this run skips it."""


def _now() -> datetime:
    return datetime.now(UTC)


def states(engine: Engine, edition_key: str) -> dict[str, str]:
    """Folded recipient -> state for every row of this edition."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(deliveries.c.recipient, deliveries.c.state).where(
                deliveries.c.edition_key == edition_key
            )
        )
        return {r.recipient: r.state for r in rows}


def unsubscribed(engine: Engine) -> set[str]:
    """Every folded address that unsubscribed through the link."""
    with engine.connect() as conn:
        return {r.recipient for r in conn.execute(select(unsubscribes.c.recipient))}


def address_for_token(engine: Engine, token: str) -> str | None:
    """The address a token was sent to, if any message carried it."""
    with engine.connect() as conn:
        row = conn.execute(
            select(deliveries.c.address).where(deliveries.c.token == token).limit(1)
        ).first()
    return None if row is None else str(row.address)


def record_unsubscribe(engine: Engine, address: str, via: str) -> bool:
    """Record an unsubscribe; returns False when it was already recorded."""
    key = fold(address)
    with engine.begin() as conn:
        if conn.execute(
            select(unsubscribes.c.recipient).where(unsubscribes.c.recipient == key)
        ).first():
            return False
        conn.execute(insert(unsubscribes).values(recipient=key, via=via, at=_now()))
    return True


_ROW = and_(
    deliveries.c.edition_key == bindparam("b_key"), deliveries.c.recipient == bindparam("b_rcpt")
)
_INSERT = insert(deliveries)
_SET = (
    update(deliveries)
    .where(_ROW)
    .values(state=bindparam("b_state"), detail=bindparam("b_detail"), updated_at=bindparam("b_at"))
)
_SET_ALL = (
    update(deliveries)
    .where(_ROW)
    .values(
        address=bindparam("b_address"),
        token=bindparam("b_token"),
        state=bindparam("b_state"),
        detail=bindparam("b_detail"),
        updated_at=bindparam("b_at"),
    )
)
_DELETE = delete(deliveries).where(_ROW)


class Session:
    """Ledger writes for one edition over one connection.

    `sending` is the claim: the row is inserted (a unique key per edition and recipient) and
    committed just before DATA, so of two runs at once only one sends; the other gets
    ClaimedElsewhere and skips that recipient. The `sent` mark is committed on its own right
    after the 250, so nothing that can fail (the next claim) shares its transaction: on
    PostgreSQL a failed statement rolls back its whole transaction, which once took delivered
    messages' marks with it. Should this process die between a 250 and that commit, the row
    stays `sending`: reported as unknown, never resent by itself (the safe side). Statements are
    built once; memory does not grow with the number of recipients.
    """

    def __init__(self, conn: Connection, edition_key: str, existing: dict[str, str]) -> None:
        self.conn = conn
        self.key = edition_key
        self.had_row = frozenset(existing)  # rows from earlier runs: update, not insert

    def _upsert(self, address: str, token: str, state: str, detail: str) -> None:
        recipient = fold(address)
        params = {
            "b_key": self.key,
            "b_rcpt": recipient,
            "b_address": address,
            "b_token": token,
            "b_state": state,
            "b_detail": detail[:500],
            "b_at": _now(),
        }
        if (recipient in self.had_row or state == FAILED) and self.conn.execute(
            _SET_ALL, params
        ).rowcount:
            return
        self.conn.execute(
            _INSERT,
            {
                "edition_key": self.key,
                "recipient": recipient,
                "address": address,
                "token": token,
                "state": state,
                "detail": params["b_detail"],
                "updated_at": params["b_at"],
            },
        )

    def sending(self, address: str, token: str) -> None:
        """Claim `address` for this run (committed); ClaimedElsewhere when another run has it."""
        try:
            self._upsert(address, token, SENDING, "")
            self.conn.commit()
        except IntegrityError:
            # The unique key says someone else inserted the row first: theirs to send.
            self.conn.rollback()
            raise ClaimedElsewhere(address) from None

    def sent(self, address: str) -> None:
        """The server accepted the message: committed at once, in a transaction of its own."""
        params = {"b_key": self.key, "b_rcpt": fold(address), "b_state": SENT, "b_detail": ""}
        self.conn.execute(_SET, {**params, "b_at": _now()})
        self.conn.commit()

    def not_sent(self, address: str) -> None:
        """The message certainly did not go out (refused before the final dot): forget the row."""
        self.conn.execute(_DELETE, {"b_key": self.key, "b_rcpt": fold(address)})
        self.conn.commit()

    def failed(self, address: str, token: str, detail: str) -> None:
        """A permanent failure for this recipient (5xx): recorded, never retried."""
        self._upsert(address, token, FAILED, detail)
        self.conn.commit()

    def close(self) -> None:
        """End the session (every mark is already committed; this ends an open read)."""
        self.conn.commit()


@contextmanager
def session(engine: Engine, edition_key: str, existing: dict[str, str]) -> Iterator[Session]:
    """A ledger session for one edition over one connection."""
    with engine.connect() as conn:
        s = Session(conn, edition_key, existing)
        try:
            yield s
        finally:
            s.close()


def confirm_arrived(engine: Engine, edition_key: str, recipients: set[str] | None) -> list[str]:
    """Mark `sending` rows (unknown outcome) of an edition as `sent` on a person's word: all of
    them, or those whose folded address is in `recipients`. Returns the addresses marked."""
    with engine.begin() as conn:
        rows = conn.execute(
            select(deliveries.c.recipient, deliveries.c.address).where(
                deliveries.c.edition_key == edition_key, deliveries.c.state == SENDING
            )
        ).all()
        chosen = [r for r in rows if recipients is None or r.recipient in recipients]
        for r in chosen:
            conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.edition_key == edition_key,
                    deliveries.c.recipient == r.recipient,
                    deliveries.c.state == SENDING,
                )
                .values(state=SENT, detail="confirmed as arrived by a person", updated_at=_now())
            )
    return [str(r.address) for r in chosen]
