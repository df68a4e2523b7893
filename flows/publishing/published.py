"""The publish log: one row per edition, so a second run for a day can say "nothing new"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Engine, Integer, String, Table, select
from sqlalchemy.exc import IntegrityError

from flows.infra.state import metadata

published = Table(
    "published",
    metadata,
    Column("edition_key", String(300), primary_key=True),
    Column("channel", String(60), nullable=False),
    Column("target", String(200), nullable=False),
    Column("day", String(10), nullable=False, index=True),
    Column("digest", String(64), nullable=False),
    Column("delivered", Integer, nullable=False, default=0),
    Column("first_at", DateTime(timezone=True), nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False),
    Column("runs", Integer, nullable=False, default=1),
)


@dataclass(frozen=True)
class PublishedRow:
    """What was recorded for an edition the last time it was published."""

    digest: str
    delivered: int
    first_at: datetime
    runs: int


def previous(engine: Engine, edition_key: str) -> PublishedRow | None:
    """The recorded row for this edition, if it was published before."""
    with engine.connect() as conn:
        row = conn.execute(
            select(
                published.c.digest, published.c.delivered, published.c.first_at, published.c.runs
            ).where(published.c.edition_key == edition_key)
        ).first()
    return PublishedRow(row.digest, row.delivered, row.first_at, row.runs) if row else None


def record(
    engine: Engine,
    *,
    edition_key: str,
    channel: str,
    target: str,
    day: str,
    digest: str,
    delivered: int,
) -> None:
    """Insert or update the row for an edition after it was delivered.

    Two runs finishing the same edition at once both find no row; the second insert then meets
    the unique key, which only means the other run was first: update the row it made.
    """
    now = datetime.now(UTC)
    update = (
        published.update()
        .where(published.c.edition_key == edition_key)
        .values(
            digest=digest,
            delivered=published.c.delivered + delivered,
            last_at=now,
            runs=published.c.runs + 1,
        )
    )
    insert = published.insert().values(
        edition_key=edition_key,
        channel=channel,
        target=target,
        day=day,
        digest=digest,
        delivered=delivered,
        first_at=now,
        last_at=now,
        runs=1,
    )
    try:
        with engine.begin() as conn:
            if conn.execute(update).rowcount == 0:
                conn.execute(insert)
    except IntegrityError:
        with engine.begin() as conn:
            conn.execute(update)
