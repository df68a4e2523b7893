"""Day leases: one live run per region and day, a crashed run's day taken over, never resent;
and regions sharing one state database without their ledgers meeting."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from channels.newsletter import ledger
from flows.core.errors import SettingsError
from flows.core.settings import Settings, load_settings
from flows.infra.state import open_state
from flows.publishing import leases
from flows.publishing.publish import AlreadyInProgress, publish_plain
from flows.publishing.regions import load_regions, run_settings
from flows.publishing.results import PublishResult

FIXTURES = Path(__file__).parent / "fixtures"
CONTENT = Path(__file__).parent.parent / "content"
PARTNERS = FIXTURES / "plan" / "partners.csv"
DAY = date(2027, 1, 5)  # the bundled campaign's first newsletter day


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_second_run_finds_the_day_in_progress_until_the_first_releases(state_url: str) -> None:
    engine = open_state(state_url)
    scope = leases.scope_for("", "2027-01-11")
    first = leases.acquire(engine, scope, 60)
    with pytest.raises(leases.InProgress) as caught:
        leases.acquire(engine, scope, 60)
    assert caught.value.holder.owner == first.owner
    assert str(__import__("os").getpid()) in caught.value.holder.describe()
    first.release()
    second = leases.acquire(engine, scope, 60)
    assert second.took_over is None and second.owner != first.owner
    other_region = leases.acquire(engine, leases.scope_for("utrecht", "2027-01-11"), 60)
    assert other_region.scope != second.scope  # regions never wait for one another


def test_an_expired_lease_is_taken_over_and_the_old_owner_notices(state_url: str) -> None:
    engine = open_state(state_url)
    scope = leases.scope_for("", "2027-01-11")
    stale = leases.acquire(engine, scope, 60, owner="elsewhere.example:4242:abc")
    with engine.begin() as conn:  # its heartbeat stopped long ago
        conn.execute(
            update(leases.leases).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    taken = leases.acquire(engine, scope, 60)
    assert taken.took_over is not None and taken.took_over.owner == stale.owner
    assert not stale.renew() and stale.lost  # the crashed run, should it wake, knows
    stale.release()  # deletes nothing of the new owner's
    assert leases.holder(engine, scope) is not None


def test_a_lease_of_a_dead_process_on_this_machine_is_taken_over_at_once(state_url: str) -> None:
    import socket

    engine = open_state(state_url)
    scope = leases.scope_for("", "2027-01-11")
    dead = f"{socket.gethostname()}:{_dead_pid()}:abc"
    leases.acquire(engine, scope, 3600, owner=dead)  # an hour left, but its process is gone
    taken = leases.acquire(engine, scope, 60)
    assert taken.took_over is not None and taken.took_over.owner == dead
    alive = f"{socket.gethostname()}:1:abc"  # pid 1 lives: its lease is respected
    leases.acquire(engine, leases.scope_for("x", "2027-01-11"), 3600, owner=alive)
    with pytest.raises(leases.InProgress):
        leases.acquire(engine, leases.scope_for("x", "2027-01-11"), 60)


def test_of_many_runs_taking_over_one_stale_lease_exactly_one_wins(state_url: str) -> None:
    engine = open_state(state_url)
    scope = leases.scope_for("", "2027-01-11")
    leases.acquire(engine, scope, 5, owner="elsewhere.example:1:old")
    with engine.begin() as conn:
        conn.execute(
            update(leases.leases).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    barrier = threading.Barrier(6)
    won: list[leases.Lease] = []
    busy: list[leases.InProgress] = []

    def take() -> None:
        barrier.wait(timeout=10)
        try:
            won.append(leases.acquire(engine, scope, 60))
        except leases.InProgress as exc:
            busy.append(exc)

    threads = [threading.Thread(target=take) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(won) == 1 and len(busy) == 5
    assert all(b.holder.owner == won[0].owner for b in busy)


def test_the_heartbeat_keeps_a_short_lease_alive_while_the_run_works(state_url: str) -> None:
    engine = open_state(state_url)
    scope = leases.scope_for("", "2027-01-11")
    with leases.held(engine, scope, 1.5) as lease:
        time.sleep(2.5)  # longer than the lease: only the heartbeat keeps it
        with pytest.raises(leases.InProgress):
            leases.acquire(engine, scope, 60)
        assert not lease.lost
    assert leases.holder(engine, scope) is None  # released at the end


def _settings(out: Path, **extra: object) -> Settings:
    return load_settings(
        content_dir=CONTENT, out_dir=out, partners_csv=PARTNERS, catchup_days=7, **extra
    )


def test_two_publish_runs_at_once_one_publishes_the_other_reports_in_progress(
    tmp_path: Path, state_url: str
) -> None:
    s = _settings(tmp_path / "out")
    results: list[object] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait(timeout=10)
        try:
            results.append(publish_plain(s, DAY, any_day=True))
        except AlreadyInProgress as exc:
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    busy = [r for r in results if isinstance(r, AlreadyInProgress)]
    done = [r for r in results if isinstance(r, PublishResult)]
    # Both may also run one after the other (the second then finds "nothing new"); never both
    # at once, and never an error.
    assert len(results) == 2 and len(done) >= 1
    for exc in busy:
        assert "already in progress" in str(exc) and "VEERKRACHT_LEASE_SECONDS" in str(exc)
    outbox = list((tmp_path / "out" / "outbox").rglob("*.eml"))
    engine = open_state(s.resolved_state_url())
    sent = sum(
        len(ledger.states(engine, o.edition.key))
        for r in done
        for o in r.outcomes
        if o.edition.channel == "newsletter"
    )
    assert outbox and len(outbox) <= sent


# --- Regions ---------------------------------------------------------------------------------

REGIONS = """\
regions:
  - id: utrecht
    name: JGZ Regio Utrecht
    content_dir: {content}
    out_dir: out-utrecht
    settings:
      organisation: JGZ Regio Utrecht
      partners_csv: {partners}
  - id: zeeland
    content_dir: {content}
    out_dir: out-zeeland
    settings:
      organisation: JGZ Zeeland
      partners_csv: {partners}
"""


def _regions_file(tmp_path: Path, text: str = REGIONS) -> Path:
    path = tmp_path / "regions.yaml"
    path.write_text(text.format(content=CONTENT, partners=PARTNERS), encoding="utf-8")
    return path


def test_regions_file_gives_each_region_its_folders_and_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _regions_file(tmp_path)
    monkeypatch.setenv("VEERKRACHT_REGIONS_FILE", str(path))
    monkeypatch.setenv("VEERKRACHT_ORGANISATION", "from the environment")
    monkeypatch.setenv("VEERKRACHT_CATCHUP_DAYS", "3")
    regions = load_regions(path)
    assert [r.id for r in regions] == ["utrecht", "zeeland"]
    s = run_settings(region="utrecht")
    assert s.region == "utrecht" and s.out_dir == tmp_path / "out-utrecht"
    assert s.organisation == "JGZ Regio Utrecht"  # the file beats the environment
    assert s.catchup_days == 3  # what the file does not set comes from the environment
    with_variable = run_settings(
        region="zeeland",
        read_variable=lambda name: {"organisation": "from the variable"},
    )
    assert with_variable.organisation == "JGZ Zeeland"  # no `variable:` named: none read
    given = run_settings(out_dir=str(tmp_path / "elsewhere"), region="zeeland")
    assert given.out_dir == tmp_path / "elsewhere"  # a parameter wins
    with pytest.raises(
        SettingsError, match=r"'brabant' is not in .*regions there: utrecht, zeeland"
    ):
        run_settings(region="brabant")


def test_a_region_variable_overrides_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = REGIONS.replace(
        "    out_dir: out-zeeland\n", "    out_dir: out-zeeland\n    variable: vz\n"
    )
    monkeypatch.setenv("VEERKRACHT_REGIONS_FILE", str(_regions_file(tmp_path, text)))
    asked: list[str] = []

    def read(name: str) -> object:
        asked.append(name)
        return {"organisation": "JGZ Zeeland (variable)"}

    assert run_settings(region="zeeland", read_variable=read).organisation.endswith("(variable)")
    assert asked == ["vz"]
    with pytest.raises(SettingsError, match="not a setting a region can set"):
        run_settings(region="zeeland", read_variable=lambda _: {"state_url": "sqlite://"})


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("    out_dir: out-zeeland\n", "share the out folder"),
        ("  - id: utrecht\n", "listed twice"),
        ("      smtp_password: hunter2\n", "secret and does not belong in a file"),
        ("      state_url: sqlite://\n", "not a setting a region can set"),
        ("      colour: blue\n", "not a setting a region can set"),
        ("  - id: Utrecht!\n", "use a-z, 0-9 and -"),
    ],
)
def test_a_bad_regions_file_names_its_line(tmp_path: Path, bad: str, message: str) -> None:
    text = REGIONS
    if bad.startswith("    out_dir"):
        text = text.replace("out_dir: out-utrecht", "out_dir: out-zeeland")
    elif bad == "  - id: utrecht\n":
        text = text.replace("id: zeeland", "id: utrecht")
    elif bad.startswith("  - id:"):
        text = text.replace("id: zeeland", "id: Utrecht!")
    else:
        text = text.replace("      organisation: JGZ Zeeland\n", bad)
    path = _regions_file(tmp_path, text)
    with pytest.raises(SettingsError, match=message) as caught:
        load_regions(path)
    assert str(caught.value).startswith(f"{path}:")
    line = int(str(caught.value).split(":")[1])
    assert line >= 1


def test_two_regions_share_one_state_database_and_each_gets_its_whole_newsletter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VEERKRACHT_REGIONS_FILE", str(_regions_file(tmp_path)))
    monkeypatch.setenv("VEERKRACHT_STATE_URL", f"sqlite:///{tmp_path / 'shared.db'}")
    results = {
        rid: publish_plain(run_settings(region=rid), DAY, any_day=True)
        for rid in ("utrecht", "zeeland")
    }
    engine = open_state(f"sqlite:///{tmp_path / 'shared.db'}")
    counts = {}
    for rid, result in results.items():
        letters = [o for o in result.outcomes if o.edition.channel == "newsletter"]
        assert letters, "the plan fixture's partners get a newsletter on this day"
        for o in letters:
            assert o.edition.key.startswith(f"{rid}-{DAY.isoformat()}-newsletter-")
            assert o.status == "published" and o.report is not None and o.report.delivered
        counts[rid] = sum(len(ledger.states(engine, o.edition.key)) for o in letters)
        outbox = list((tmp_path / f"out-{rid}" / "outbox").rglob("*.eml"))
        assert len(outbox) == counts[rid]
    assert counts["utrecht"] == counts["zeeland"] > 0  # one region never blocks the other
