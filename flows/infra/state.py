"""The state database: link-check cache, delivery ledger, feed ingest state, publish log.

SQLAlchemy Core over SQLite by default (a PostgreSQL URL in production). Each feature defines
its tables in its own module on the shared `metadata` (a channel in its own package), and
calls `open_state(url)` to get an engine with those tables created.
"""

from __future__ import annotations

import threading
from functools import cache

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.exc import DBAPIError

metadata = MetaData()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # WAL lets a reader (a report) run while a flow writes; busy_timeout rides out short locks.
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@cache
def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        from pathlib import Path

        folder = Path(url.removeprefix("sqlite:///")).parent
        # Private: the state holds partner addresses and unsubscribe tokens.
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


# Per URL, the tables already created: a module that defines tables registers them on
# `metadata` when it is imported, and the next open_state creates them. So this module needs
# no list of table modules (which made it import every feature above it).
_created: dict[str, frozenset[str]] = {}
_creating = threading.Lock()  # two threads of one process opening a new database at once


def open_state(url: str) -> Engine:
    """An engine for the state database (one per URL per process) with every table created
    that the modules imported so far define."""
    engine = _engine(url)
    tables = frozenset(metadata.tables)
    if _created.get(url) != tables:
        with _creating:
            if _created.get(url) != tables:
                _create_tables(engine)
                _created[url] = tables
    return engine


def _create_tables(engine: Engine) -> None:
    """Create what is missing; another process creating the same table at the same moment
    (two workers starting on a new database) is not an error: look again and go on."""
    try:
        metadata.create_all(engine)
    except DBAPIError as exc:
        if "already exists" not in str(exc.orig):
            raise
        metadata.create_all(engine)
