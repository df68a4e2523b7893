"""Schema migrations of the state database: Alembic, driven from code.

The scripts live in `flows/infra/migrations/` inside the package (no alembic.ini): `config()`
points Alembic there. `upgrade(url)` runs every pending revision in one transaction that only
one process at a time holds (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: an advisory lock), so two
workers starting on a new database at once migrate it once and neither fails.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, MetaData, func, select, text
from sqlalchemy.exc import OperationalError

from flows.core.errors import SettingsError
from flows.core.i18n import _
from flows.infra.state import engine_for, engine_url, masked

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
UPGRADE_COMMAND = "veerkracht state upgrade"
# pg_advisory_xact_lock key of `upgrade` on PostgreSQL ("veerkrac" as a 64-bit integer).
_PG_LOCK = int.from_bytes(b"veerkrac", "big") & 0x7FFF_FFFF_FFFF_FFFF


def config() -> Config:
    """Alembic's configuration, built in code, pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


def head() -> str:
    """The newest revision this version of veerkracht knows."""
    revision = _scripts().get_current_head()
    if revision is None:  # pragma: no cover - the package ships its migrations
        raise RuntimeError(f"no migrations in {MIGRATIONS}")
    return revision


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _connect(url: str) -> Connection:
    # The first connection of a run: a database that cannot be reached is the operator's to fix.
    try:
        return engine_for(url).connect()
    except OperationalError as exc:
        raise SettingsError(
            _(
                "cannot connect to the state database {url} (VEERKRACHT_STATE_URL): {error}; "
                "check that the database server runs and that the address is right"
            ).format(url=masked(url), error=str(exc.orig).strip())
        ) from None


def current(url: str) -> str | None:
    """The revision the database at `url` is at; None for an empty database or one made
    before migrations."""
    with _connect(url) as conn:
        return _revision(conn)


def _known(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def _newer(url: str, revision: str) -> SettingsError:
    return SettingsError(
        _(
            "the state database {url} is at revision {revision}, which this version of "
            "veerkracht does not know (its newest is {head}): a newer version upgraded it; "
            "install that version here too"
        ).format(url=masked(url), revision=revision, head=head())
    )


def upgrade(url: str) -> tuple[str | None, str]:
    """Bring the database at `url` to head; returns (revision before, revision after).

    An old database without an alembic_version table (made by `metadata.create_all` before
    there were migrations) is adopted: the first revision creates only what is missing, so
    its rows stay.
    """
    with _connect(url) as conn:
        if conn.dialect.name == "sqlite":
            # pysqlite does not begin a transaction for DDL by itself; IMMEDIATE takes the write
            # lock now, so a second process waits here (busy_timeout) and then finds head.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        before = _revision(conn)
        if before is not None and not _known(before):
            raise _newer(url, before)
        if before != head():
            cfg = config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        after = _revision(conn)
        conn.commit()
    return before, after or head()


def ensure_head(url: str) -> None:
    """What `open_state` checks once per URL per process: SQLite is migrated to head here;
    PostgreSQL behind head raises SettingsError naming the command to run."""
    revision = current(url)
    if revision == head():
        return
    if revision is not None and not _known(revision):
        raise _newer(url, revision)
    if engine_for(url).dialect.name == "sqlite":
        upgrade(url)
        return
    state = (
        _("at revision {revision}").format(revision=revision)
        if revision
        else _("not upgraded yet (no alembic_version)")
    )
    raise SettingsError(
        _(
            "the state database {url} is {state}; this version needs revision {head}. "
            "Run `{command}` once (with VEERKRACHT_STATE_URL set to this database), "
            "then start the run again"
        ).format(url=masked(url), state=state, head=head(), command=UPGRADE_COMMAND)
    )


_COPY_CHUNK = 1000


def _utc(value: Any) -> Any:
    # SQLite keeps no time zone: its datetimes come back naive, and every one was written as
    # UTC (datetime.now(UTC)); PostgreSQL would read a naive one in its session time zone.
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def copy(source: str, target: str) -> dict[str, int]:
    """Copy every row of the state database at `source` into the one at `target` (for example
    the SQLite default into PostgreSQL); returns the rows copied per table.

    Both are brought to head first (`source` is adopted if it predates migrations). The target
    must be empty, so nothing is merged or overwritten; the copy is one transaction on it.
    """
    if engine_url(source) == engine_url(target):
        raise SettingsError(
            _("{url} cannot be copied to itself: give another database with --to").format(
                url=masked(source)
            )
        )
    for url in (source, target):
        upgrade(url)
    tables = MetaData()
    tables.reflect(bind=engine_for(target))
    order = [t for t in tables.sorted_tables if t.name != "alembic_version"]
    copied: dict[str, int] = {}
    with engine_for(source).connect() as src, engine_for(target).begin() as dst:
        for table in order:
            if dst.execute(select(func.count()).select_from(table)).scalar_one():
                raise SettingsError(
                    _(
                        "the target state database {url} already has rows in "
                        "{table}; copy into a new, empty database"
                    ).format(url=masked(target), table=table.name)
                )
        for table in order:
            copied[table.name] = 0
            rows = src.execute(select(table)).mappings()
            while chunk := rows.fetchmany(_COPY_CHUNK):
                dst.execute(table.insert(), [{k: _utc(v) for k, v in r.items()} for r in chunk])
                copied[table.name] += len(chunk)
    return copied
