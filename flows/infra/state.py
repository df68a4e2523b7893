"""The state database: link-check cache, delivery ledger, feed ingest state, publish log.

SQLAlchemy Core over SQLite by default (a PostgreSQL URL in production). Each feature defines
its tables in its own module on the shared `metadata`, and calls `open_state(url)` to get an
engine with every table created.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Engine, MetaData, create_engine, event

metadata = MetaData()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # WAL lets a reader (a report) run while a flow writes; busy_timeout rides out short locks.
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@cache
def open_state(url: str) -> Engine:
    """An engine for the state database with all tables created (one per URL per process)."""
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    _import_table_modules()
    metadata.create_all(engine)
    return engine


def _import_table_modules() -> None:
    """Import every module that defines tables, so create_all sees them all."""
    import importlib

    for name in TABLE_MODULES:
        importlib.import_module(name)


# Modules that add tables to `metadata`; a feature with state adds its module here.
TABLE_MODULES: list[str] = [
    "flows.ingest.tables",
    "flows.linkcheck.cache",
    "channels.newsletter.ledger",
    "flows.publishing.published",
]
