"""A real PostgreSQL for the state tests: one cluster per session, one database per test.

`pg_cluster` runs Debian's initdb and pg_ctl (as the `postgres` user when the tests run as root,
since initdb refuses root) in a temporary folder, on 127.0.0.1 and a free port, trust auth,
fsync off; it is stopped at the end of the session, also after a failure. `pg_url` gives each
test a new empty database; `state_url` runs a test on SQLite and on PostgreSQL (migrated).
Without the binaries the tests skip, or fail when CI is set (.ci/system-packages installs them).
Registered in tests/conftest.py.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Cluster:
    """A running test cluster."""

    port: int
    user: str = "postgres"

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of one of its databases."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """Run one statement outside a transaction in the `postgres` database."""
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql)  # test-made, trusted text


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> tuple[int, ...]:
    part = Path(path).parts[-3]  # /usr/lib/postgresql/<version>/bin/initdb
    return tuple(int(p) for p in part.split(".") if p.isdigit())


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One PostgreSQL cluster (initdb, pg_ctl start) for the whole session."""
    bindir = _bindir()
    message = ""
    if bindir is None or not (bindir / "pg_ctl").exists():
        message = "PostgreSQL binaries (initdb, pg_ctl) not found; see .ci/system-packages"
    elif os.geteuid() == 0 and not _has_user("postgres"):
        message = "running as root without a `postgres` user to run initdb as"
    if message:
        if _ci():
            pytest.fail(message + " (CI is set: no skipping)")
        pytest.skip(message)
    assert bindir is not None
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="veerkracht-pg-"))
    if os.geteuid() == 0:  # initdb refuses root: run the server as Debian's postgres user
        account = pwd.getpwnam("postgres")
        os.chown(root, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, log = root / "data", root / "server.log"
    port = _free_port()
    started = False
    initdb = [*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
    start = [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "120"]
    try:
        subprocess.run(
            [*initdb, "-E", "UTF8", "--no-sync", "--no-instructions"],
            check=True,
            capture_output=True,
        )
        options = (
            f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        started = True  # from here on, stop it whatever happens
        subprocess.run(
            [*start, "-o", options, "start"],
            check=True,
            capture_output=True,
        )
        yield Cluster(port)
    except subprocess.CalledProcessError as exc:
        server_log = log.read_text(errors="replace") if log.exists() else ""
        pytest.fail(f"PostgreSQL did not start: {exc.stderr!r}\n{server_log}")
    finally:
        if started:
            subprocess.run(
                [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                check=False,
                capture_output=True,
            )
        shutil.rmtree(root, ignore_errors=True)


_numbers = itertools.count(1)


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """A new, empty database on the session's cluster (not migrated)."""
    name = f"test_{os.getpid()}_{next(_numbers)}"
    pg_cluster.admin(f"CREATE DATABASE {name}")
    return pg_cluster.url(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> str:
    """Run the test on both state backends: VEERKRACHT_STATE_URL is a SQLite file, or a new
    database on the cluster pg_ctl started (migrated to head, as `veerkracht state upgrade`
    leaves it). Returns the URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state-db' / 'state.db'}"
    else:
        from flows.infra.migrate import upgrade

        url = str(request.getfixturevalue("pg_url"))
        upgrade(url)
    monkeypatch.setenv("VEERKRACHT_STATE_URL", url)
    return url
