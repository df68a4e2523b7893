"""The state database on SQLite and PostgreSQL: Alembic migrations, adoption, the commands.

PostgreSQL is a real cluster started by tests/postgres.py (initdb, pg_ctl on 127.0.0.1).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

from channels.newsletter import ledger
from channels.newsletter.render import render_edition
from channels.newsletter.send import deliver_edition
from flows.cli.app import main
from flows.core.errors import SettingsError, TransientDeliveryError
from flows.infra import migrate
from flows.infra.migrations import HEAD
from flows.infra.state import engine_for, engine_url, metadata, open_state
from flows.publishing import published
from tests.conftest import REPO
from tests.postgres import Cluster
from tests.test_newsletter_support import Sink, context, edition, smtp_server, smtp_settings

# Every module that puts a table on the shared metadata, found by what it imports, so a new
# table module cannot be missed.
TABLE_MODULES = sorted(
    ".".join(path.relative_to(REPO).with_suffix("").parts)
    for root in ("flows", "channels")
    for path in (REPO / root).rglob("*.py")
    if "from flows.infra.state import metadata" in path.read_text(encoding="utf-8")
)
STATE_TABLES = {
    "link_checks",
    "published",
    "publish_leases",
    "ingest_sources",
    "ingest_seen",
    "newsletter_deliveries",
    "newsletter_unsubscribes",
    "short_links",
    "reach_tags",
    "reach_counts",
}


def _import_table_modules() -> None:
    for name in TABLE_MODULES:
        importlib.import_module(name)


def _wait_for(sql: str, url: str, wanted: int) -> None:
    """Poll PostgreSQL until `sql` counts `wanted` (a deadline only so a bug cannot hang)."""
    deadline = time.monotonic() + 60
    with engine_for(url).connect() as conn:
        while conn.execute(text(sql)).scalar_one() != wanted:
            conn.rollback()  # a new snapshot of pg_stat_activity / pg_locks
            assert time.monotonic() < deadline, f"never saw {wanted} for {sql}"
            time.sleep(0.02)


def test_head_known_without_alembic_is_the_newest_migration() -> None:
    assert migrate.head() == HEAD


def test_every_table_module_is_found() -> None:
    _import_table_modules()
    assert "channels.newsletter.ledger" in TABLE_MODULES
    assert set(metadata.tables) == STATE_TABLES


def test_migrations_to_head_match_the_table_modules(state_url: str) -> None:
    """On an empty SQLite file and an empty PostgreSQL database (state_url migrates the latter
    as `veerkracht state upgrade` does): the schema is what the modules define, no more."""
    _import_table_modules()
    before, after = migrate.upgrade(state_url)
    assert after == migrate.head() == migrate.current(state_url)
    assert before in (None, after)
    with open_state(state_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        tables = set(inspect(conn).get_table_names())
    assert diff == []
    assert tables == {*STATE_TABLES, "alembic_version"}


def test_unknown_outcome_stays_unknown_and_sent_marks_stay_sent(
    tmp_path: Path, state_url: str
) -> None:
    """The SMTP server vanishes after accepting a message's final dot, without the 250: that
    recipient is an unknown outcome, never resent by itself; every mark committed before stays,
    on SQLite and on PostgreSQL (where a failed statement once rolled back sent marks)."""
    recipients = tuple((f"partner{i}@example.org", f"Opvang {i}") for i in range(6))
    sink = Sink(die_after_dot_at=2)
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port)
        assert s.resolved_state_url() == state_url
        ed = edition(recipients)
        rendered = render_edition(ed, s)
        try:
            report = deliver_edition(rendered, context(s))
        except TransientDeliveryError as exc:  # every connection stopped with recipients left
            assert "unknown outcome" in str(exc)
        else:
            # Connections already past MAIL when the server vanished still delivered theirs, so
            # nothing was left to raise about (seen on a loaded machine); the run still says
            # one outcome is unknown, which fails the flow run.
            assert report.unknown == 1
        first = ledger.states(open_state(state_url), ed.key)
        unknown = [a for a, state in first.items() if state == ledger.SENDING]
        sent = {a for a, state in first.items() if state == ledger.SENT}
        assert len(unknown) == 1 and sink.count(unknown[0]) == 1
        assert len(sent) >= 2 and all(sink.count(a) == 1 for a in sent)
        sink.dead = False  # the server is back
        again = deliver_edition(rendered, context(s))
    assert all(sink.count(a) == 1 for a, _ in recipients)  # none twice, none missing
    assert any(unknown[0] in note and "unknown outcome" in note for note in again.notes)
    final = ledger.states(open_state(state_url), ed.key)
    assert final == {a: ledger.SENDING if a in unknown else ledger.SENT for a, _ in recipients}


def test_an_unreachable_database_is_the_operators_to_fix(pg_cluster: Cluster) -> None:
    with pytest.raises(SettingsError, match=r"cannot connect to the state database .*absent"):
        open_state(pg_cluster.url("absent"))


def test_open_state_on_unmigrated_postgresql_names_the_command(pg_url: str) -> None:
    with pytest.raises(SettingsError, match="Run `veerkracht state upgrade` once"):
        open_state(pg_url)
    with create_engine(pg_url).connect() as conn:
        assert inspect(conn).get_table_names() == []  # it changed nothing
    assert migrate.current(pg_url) is None


def test_state_upgrade_command_then_runs_work(
    pg_cluster: Cluster, pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    database = pg_url.rsplit("/", 1)[1]
    # Trust auth ignores the password; it must never be printed.
    with_password = f"postgresql+psycopg://postgres:geheim-wachtwoord@127.0.0.1:{pg_cluster.port}"
    url = f"{with_password}/{database}"
    monkeypatch.setenv("VEERKRACHT_STATE_URL", url)
    assert main(["state", "current"]) == 1
    assert main(["state", "upgrade"]) == 0
    assert main(["state", "upgrade"]) == 0
    assert main(["state", "current"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("none postgresql+psycopg://postgres:***@127.0.0.1")
    assert "run `veerkracht state upgrade`" in out[1]
    assert "upgraded from no revision" in out[2] and f"to revision {HEAD}" in out[2]
    assert f"already at revision {HEAD}" in out[3]
    assert (
        out[4] == f"{HEAD} postgresql+psycopg://postgres:***@127.0.0.1:{pg_cluster.port}/{database}"
    )
    assert not any("geheim" in line for line in out)
    engine = open_state(url)
    assert ledger.record_unsubscribe(engine, "Iemand@Example.org", "link")
    assert ledger.unsubscribed(engine) == {"iemand@example.org"}


def test_old_sqlite_database_from_create_all_is_adopted_with_its_rows(tmp_path: Path) -> None:
    """A database made before migrations (create_all, no alembic_version, no lease table)."""
    _import_table_modules()
    url = f"sqlite:///{tmp_path / 'old' / 'state.db'}"
    (tmp_path / "old").mkdir()
    old = create_engine(url)
    metadata.create_all(
        old, tables=[t for n, t in metadata.tables.items() if n != "publish_leases"]
    )
    with ledger.session(old, "2027-01-04/nieuwsbrief", {}) as s:
        s.sending("Partner@Example.org", "token-1")
        s.sent("Partner@Example.org")
        s.sending("Tweede@Example.org", "token-2")  # an unknown outcome stays unknown
    ledger.record_unsubscribe(old, "weg@example.org", "link")
    args = {"channel": "feeds", "target": "t", "day": "2027-01-04", "digest": "d"}
    published.record(old, edition_key="feeds/t/2027-01-04", delivered=3, **args)
    old.dispose()
    assert migrate.current(url) is None

    engine = open_state(url)

    assert migrate.current(url) == migrate.head()
    assert ledger.states(engine, "2027-01-04/nieuwsbrief") == {
        "partner@example.org": ledger.SENT,
        "tweede@example.org": ledger.SENDING,
    }
    assert ledger.address_for_token(engine, "token-2") == "Tweede@Example.org"
    assert ledger.unsubscribed(engine) == {"weg@example.org"}
    row = published.previous(engine, "feeds/t/2027-01-04")
    assert row is not None and row.delivered == 3 and row.runs == 1
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_publish_log_record_loses_the_insert_race_on_postgresql(pg_url: str) -> None:
    """The other run's insert is not committed yet: this run's update finds nothing, its insert
    waits on the unique key and then fails; it must update the row the other run made."""
    migrate.upgrade(pg_url)
    engine = open_state(pg_url)
    args = {"channel": "feeds", "target": "t", "day": "2027-01-04", "digest": "d"}
    now = datetime.now(UTC)
    errors: list[BaseException] = []

    def second_run() -> None:
        try:
            published.record(engine, edition_key="k", delivered=2, **args)
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    with engine.connect() as first:
        first.execute(
            published.published.insert().values(
                edition_key="k", delivered=1, first_at=now, last_at=now, runs=1, **args
            )
        )
        thread = threading.Thread(target=second_run)
        thread.start()
        # The second run's INSERT now waits for this transaction's lock on the key.
        _wait_for(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()",
            pg_url,
            1,
        )
        first.commit()
    thread.join(60)
    assert errors == []
    row = published.previous(engine, "k")
    assert row is not None and (row.delivered, row.runs) == (3, 2)


def test_publish_log_record_from_two_threads_at_once_on_postgresql(pg_url: str) -> None:
    migrate.upgrade(pg_url)
    engine = open_state(pg_url)
    keys = [f"feeds/t{i}/2027-01-04" for i in range(40)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            for key in keys:
                published.record(
                    engine,
                    edition_key=key,
                    channel="feeds",
                    target="t",
                    day="2027-01-04",
                    digest="d",
                    delivered=1,
                )
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    with engine.connect() as conn:
        rows = conn.execute(select(published.published.c.delivered, published.published.c.runs))
        assert sorted(tuple(r) for r in rows) == [(2, 2)] * len(keys)


def test_two_upgrades_at_once_on_postgresql_migrate_once(pg_url: str) -> None:
    """Two workers (or operators) upgrading a new database at once: the second waits for the
    first's advisory lock, then finds head; neither fails."""
    results: list[tuple[str | None, str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(migrate.upgrade(pg_url))
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    holder = create_engine(pg_url)
    with holder.connect() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": migrate._PG_LOCK})
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        _wait_for(  # both upgrades wait for the lock this test holds
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", pg_url, 2
        )
        conn.commit()
    holder.dispose()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(results, key=str) == [(HEAD, HEAD), (None, HEAD)]


def test_two_processes_opening_a_new_sqlite_database_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'state.db'}"
    code = (
        "import sys; from flows.infra.state import open_state; "
        "from channels.newsletter import ledger; "
        "ledger.record_unsubscribe(open_state(sys.argv[1]), sys.argv[2], 'link')"
    )
    children = [
        subprocess.Popen([sys.executable, "-c", code, url, f"p{i}@example.org"], cwd=REPO)
        for i in range(2)
    ]
    assert [c.wait(120) for c in children] == [0, 0]
    assert migrate.current(url) == migrate.head()
    assert ledger.unsubscribed(open_state(url)) == {"p0@example.org", "p1@example.org"}


def test_copy_moves_sqlite_to_postgresql_without_losing_the_ledger(
    tmp_path: Path, pg_url: str, capsys
) -> None:
    sqlite = f"sqlite:///{tmp_path / 'state' / 'state.db'}"
    engine = open_state(sqlite)
    with ledger.session(engine, "2027-01-04/nieuwsbrief", {}) as s:
        s.sending("partner@example.org", "token-1")
        s.sent("partner@example.org")
        s.sending("onbekend@example.org", "token-2")
    published.record(
        engine,
        edition_key="k",
        channel="feeds",
        target="t",
        day="2027-01-04",
        digest="d",
        delivered=5,
    )
    first_at = published.previous(engine, "k").first_at  # type: ignore[union-attr]

    assert main(["state", "copy", "--from", sqlite, "--to", pg_url]) == 0
    out = capsys.readouterr().out
    assert "newsletter_deliveries: 2 rows" in out and "published: 1 row\n" in out

    target = open_state(pg_url)
    assert ledger.states(target, "2027-01-04/nieuwsbrief") == {
        "partner@example.org": ledger.SENT,
        "onbekend@example.org": ledger.SENDING,
    }
    row = published.previous(target, "k")
    assert row is not None and row.delivered == 5
    assert row.first_at == first_at.replace(tzinfo=UTC)  # SQLite's naive UTC, kept as UTC
    # A second copy would merge: refused, and the target is unchanged.
    assert main(["state", "copy", "--from", sqlite, "--to", pg_url]) == 2
    assert "already has rows" in capsys.readouterr().err
    assert published.previous(target, "k") == row


def test_a_postgresql_url_without_the_driver_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # what an install without the extra has
    with pytest.raises(SettingsError, match=r"pip install '\.\[postgres\]'"):
        open_state("postgresql+psycopg://nobody@127.0.0.1:9/without_driver")


def test_state_urls_are_normalised_or_refused() -> None:
    assert engine_url("postgresql://u:pw@db:5432/vk") == "postgresql+psycopg://u:pw@db:5432/vk"
    assert engine_url("postgres://u@db/vk") == "postgresql+psycopg://u@db/vk"
    assert engine_url("sqlite:////srv/state.db") == "sqlite:////srv/state.db"
    with pytest.raises(SettingsError, match="SQLite or PostgreSQL"):
        engine_url("mysql://u@db/vk")
    with pytest.raises(SettingsError, match="not a database address"):
        engine_url("state.db")
