"""Feed ingest state: per source the validators and failure count, per entry that it was seen."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)

from flows.infra.state import metadata

ingest_sources = Table(
    "ingest_sources",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("url", Text, nullable=False),
    Column("etag", Text, nullable=True),
    Column("last_modified", Text, nullable=True),
    Column("failures", Integer, nullable=False, default=0),  # failed runs in a row
    Column("gone", Boolean, nullable=False, default=False),  # answered 410 last time
    Column("last_error", Text, nullable=True),
    Column("last_ok_at", DateTime(timezone=True), nullable=True),
    Column("last_run_at", DateTime(timezone=True), nullable=True),
)

ingest_seen = Table(
    "ingest_seen",
    metadata,
    Column("source", String(100), primary_key=True),
    Column("key", String(80), primary_key=True),  # "id:<hash>", "link:<hash>" or "text:<hash>"
    Column("draft", Text, nullable=True),  # path of the draft written for it; empty if skipped
    Column("seen_at", DateTime(timezone=True), nullable=False),
)


@dataclass
class SourceState:
    """What the last runs left for one source."""

    url: str = ""
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    gone: bool = False


def load_source_state(engine: Engine, name: str, url: str) -> SourceState:
    """The stored state; validators are dropped when the source's URL changed."""
    with engine.connect() as conn:
        row = conn.execute(select(ingest_sources).where(ingest_sources.c.name == name)).first()
    if row is None:
        return SourceState(url=url)
    state = SourceState(row.url, row.etag, row.last_modified, row.failures or 0, bool(row.gone))
    if state.url != url:
        # Another feed now: its validators and failure history do not apply.
        return SourceState(url=url)
    return state


def seen_keys(engine: Engine, name: str) -> set[str]:
    """Every entry key already seen for this source."""
    with engine.connect() as conn:
        rows = conn.execute(select(ingest_seen.c.key).where(ingest_seen.c.source == name))
        return {r[0] for r in rows}


def save_run(
    engine: Engine,
    name: str,
    state: SourceState,
    ok: bool,
    error: str | None,
    new_keys: Iterable[tuple[str, str]] = (),
) -> None:
    """Store one run's outcome and the newly seen keys (key, draft path) in one transaction."""
    now = datetime.now(UTC)
    values = {
        "url": state.url,
        "etag": state.etag,
        "last_modified": state.last_modified,
        "failures": state.failures,
        "gone": state.gone,
        "last_error": error,
        "last_run_at": now,
    }
    if ok:
        values["last_ok_at"] = now
    rows = [{"source": name, "key": k, "draft": d, "seen_at": now} for k, d in new_keys]
    with engine.begin() as conn:
        changed = conn.execute(
            update(ingest_sources).where(ingest_sources.c.name == name).values(**values)
        ).rowcount
        if not changed:
            conn.execute(insert(ingest_sources).values(name=name, **values))
        if rows:
            conn.execute(insert(ingest_seen), rows)
