"""The state database: link-check cache, delivery ledger, feed ingest state, publish log, leases.

SQLAlchemy Core over SQLite by default (one machine), PostgreSQL (`postgresql+psycopg://...`,
the `postgres` extra) when several machines share the state. Each feature defines its tables in
its own module on the shared `metadata` (a channel in its own package); the schema itself comes
from the Alembic migrations in `flows/infra/migrations/` (`flows.infra.migrate`). A feature
calls `open_state(url)` to get an engine whose schema is at the migrations' head:

- SQLite brings itself to head on first use, an old database (made by `create_all`, before
  migrations) included: it is adopted with its rows;
- PostgreSQL is migrated by the operator (`veerkracht state upgrade`); until then open_state
  raises SettingsError naming that command, so no worker changes a shared schema by surprise.
"""

from __future__ import annotations

import threading
from functools import cache

from sqlalchemy import Engine, MetaData, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError

from flows.core.errors import SettingsError
from flows.core.i18n import _
from flows.infra.migrations import HEAD

metadata = MetaData()

POSTGRES_EXTRA = "pip install '.[postgres]'"  # or: pip install 'veerkracht[postgres]'


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # WAL lets a reader (a report) run while a flow writes; busy_timeout rides out short locks.
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def engine_url(url: str) -> str:
    """The URL SQLAlchemy gets: `postgresql://` and `postgres://` mean psycopg 3 (the driver of
    the `postgres` extra; SQLAlchemy would look for psycopg2). SettingsError for anything that
    is not a SQLite or PostgreSQL URL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SettingsError(
            _(
                "VEERKRACHT_STATE_URL={url} is not a database address; write it like "
                "sqlite:////path/state.db or postgresql+psycopg://user@host:5432/veerkracht"
            ).format(url=repr(masked(url)))
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingsError(
            _(
                "VEERKRACHT_STATE_URL={url}: the state database must be SQLite or PostgreSQL "
                "(sqlite:///... or postgresql+psycopg://...)"
            ).format(url=repr(masked(url)))
        )
    return parsed.render_as_string(hide_password=False)


def masked(url: str) -> str:
    """The URL with its password (if any) shown as ***, for messages and `state current`."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return _("<not a database address>")


@cache
def _engine(url: str) -> Engine:
    real = engine_url(url)
    if real.startswith("sqlite:///"):
        from pathlib import Path

        folder = Path(real.removeprefix("sqlite:///")).parent
        # Private: the state holds partner addresses and unsubscribe tokens.
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # Each SMTP connection of a delivery holds a database connection of its own (up to 32,
        # VEERKRACHT_SMTP_CONNECTIONS), beside the lease heartbeat and the flow: room for all.
        engine = create_engine(real, pool_size=5, max_overflow=40, pool_pre_ping=True)
    except ImportError as exc:
        raise SettingsError(
            _(
                "VEERKRACHT_STATE_URL={url} is a PostgreSQL database, but its driver is "
                "not installed ({error}); install it with {command}"
            ).format(url=repr(masked(url)), error=exc, command=POSTGRES_EXTRA)
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def engine_for(url: str) -> Engine:
    """The engine for this URL (one per URL per process), schema not checked: for migrations."""
    return _engine(url)


# URLs whose schema was found at head in this process: open_state is called per edition, and
# after the first time it costs a set lookup. The lock makes two threads of one process opening
# a new database at once check (and, on SQLite, migrate) once; two processes are kept apart by
# the database itself (flows.infra.migrate).
_ready: set[str] = set()
_opening = threading.Lock()


def open_state(url: str) -> Engine:
    """An engine for the state database (one per URL per process), its schema at head.

    SQLite is migrated here when it is behind (a new file, or one made before migrations);
    PostgreSQL is not: SettingsError says to run `veerkracht state upgrade`.
    """
    engine = _engine(url)
    if url not in _ready:
        with _opening:
            if url not in _ready:
                if not _at_head(engine):
                    from flows.infra import migrate  # Alembic is imported only when needed

                    migrate.ensure_head(url)
                _ready.add(url)
    return engine


def _at_head(engine: Engine) -> bool:
    """True when the database says it is at HEAD; False when it is not, has no alembic_version
    table, or cannot be reached (flows.infra.migrate then says what is wrong)."""
    try:
        with engine.connect() as conn:
            return HEAD in conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
    except DBAPIError:
        return False
