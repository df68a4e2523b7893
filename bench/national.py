"""The national day through Prefect: 25 regions on a real Prefect server, with 1 and 2 workers.

Each region: the bundled content plus synthetic copies of its messages (80 in all), 40
waiting-room screens, 600 partners (a real partner-list CSV, so SMTP is allowed), one
regions.yaml for all, one shared state database (a fresh SQLite file per run, or
VEERKRACHT_STATE_URL when set: then it must start empty, and the rows this bench wrote are
deleted between runs), and an SMTP sink on 127.0.0.1 (aiosmtpd, in its own process) that
answers each message after 20 ms.

A `prefect server start` with a temporary PREFECT_HOME, the `veerkracht` process pool,
`prefect deploy --all`, then `publish-regions/publish-all-regions` for 2027-01-05 (a Tuesday,
the campaign's first newsletter day) with 1 worker, and again from a fresh state database and
fresh out folders with 2 workers. Prints wall time per stage from the Prefect API, flow and task
runs, messages per second, peak memory of the workers and their flow-run processes, Prefect's
share of the wall time, and the ratio of 4 SMTP connections to 1 for one region's newsletter
(without Prefect). Checks that both runs made the same ledger rows and the sink got each message
exactly once, and prints PASS/MISS for the targets of issue 12. Exit 0 when every run completed
and the deliveries check out (a missed target is printed, not an error), 1 otherwise.

    .venv/bin/python bench/national.py [--regions 25] [--quick] [--profile] [--keep]

`--quick` is a small run (3 regions, 100 partners and 8 screens each) to try the bench out;
`--profile` also times one region's stages through `publish_plain` (no Prefect) and prints the
top functions of a cProfile of it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import cProfile
import csv
import glob
import io
import multiprocessing
import os
import pstats
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aiosmtpd.controller import Controller
from sqlalchemy import Engine, delete, func, select

from channels.newsletter import ledger
from flows.core.settings import Settings, load_settings
from flows.infra.state import metadata, open_state

PREFECT = str(Path(sys.executable).with_name("prefect"))
DAY = date(2027, 1, 5)  # Tuesday: the bundled campaign's first newsletter day
DEPLOYMENT = "publish-regions/publish-all-regions"
BATCHES = 4  # regions per process share: see publish_regions' `batches` (set by --batches)
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
TARGET_DAY_SECONDS = 180.0
TARGET_OVERHEAD = 0.20
TARGET_PARALLEL = 3.0


# --- content ---------------------------------------------------------------------------------


def _copy_messages(content: Path, total: int) -> int:
    """Add copies of the bundled Dutch messages under new ids until there are `total`."""
    messages = content / "messages"
    have = sorted(messages.glob("*/*.md"))
    sources = [p for p in have if p.name.endswith(".nl.md")]
    count, k = len(have), 0
    while count < total:
        src = sources[k % len(sources)]
        ident = src.name.removesuffix(".nl.md")
        new = f"{ident}-kopie-{k // len(sources) + 1}"
        text = src.read_text(encoding="utf-8")
        pattern = rf"^id: {re.escape(ident)}$"
        text = re.sub(pattern, f"id: {new}", text, count=1, flags=re.MULTILINE)
        (src.parent / f"{new}.nl.md").write_text(text, encoding="utf-8")
        count, k = count + 1, k + 1
    return count


def _screens(content: Path, rid: str, total: int) -> None:
    """Replace screens.yaml with `total` screens made from the bundled ones."""
    bundled = yaml.safe_load((content / "screens.yaml").read_text(encoding="utf-8"))["screens"]
    screens = []
    for i in range(total):
        screen = copy.deepcopy(bundled[i % len(bundled)])
        screen["id"] = f"{screen['id']}-{i + 1:03d}"
        screen["location"] = f"{screen['location']} ({rid}, scherm {i + 1})"
        screens.append(screen)
    (content / "screens.yaml").write_text(
        yaml.safe_dump({"screens": screens}, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )


def _partners(path: Path, rid: str, total: int) -> None:
    """A partner list of `total` rows shaped like the bundled example, addresses unique per
    region (so the sink can tell every message apart)."""
    with (REPO / "content" / "partners.example.csv").open(encoding="utf-8") as f:
        shapes = list(csv.DictReader(f))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(shapes[0]))
        writer.writeheader()
        for i in range(total):
            row = dict(shapes[i % len(shapes)])
            row["organisation"] = f"{row['organisation']} {rid} {i + 1}"
            row["email"] = f"partner-{i + 1:04d}@{rid}.example.org"
            row["unsubscribed"] = "false"
            writer.writerow(row)


def generate(root: Path, regions: int, messages: int, screens: int, partners: int) -> list[str]:
    """Each region's content folder and partner list under `root`; returns the region ids."""
    ids = [f"regio-{i + 1:02d}" for i in range(regions)]
    for rid in ids:
        content = root / "content" / rid
        shutil.copytree(REPO / "content", content, ignore=shutil.ignore_patterns("inbox"))
        _copy_messages(content, messages)
        _screens(content, rid, screens)
        _partners(root / "private" / rid / "partners.csv", rid, partners)
    return ids


def write_regions(root: Path, ids: Sequence[str], out: Path) -> Path:
    """A regions.yaml naming each region's content, an out folder under `out`, its partners."""
    entries = [
        {
            "id": rid,
            "name": f"JGZ {rid}",
            "content_dir": str(root / "content" / rid),
            "out_dir": str(out / rid),
            "settings": {
                "organisation": f"JGZ {rid}",
                "partners_csv": str(root / "private" / rid / "partners.csv"),
            },
        }
        for rid in ids
    ]
    path = out.parent / f"{out.name}-regions.yaml"
    path.write_text(yaml.safe_dump({"regions": entries}, sort_keys=False), encoding="utf-8")
    return path


# --- the SMTP sink ---------------------------------------------------------------------------


class SlowSink:
    """Answers each message after `delay` seconds and logs `<time> <recipient>` per message."""

    def __init__(self, log: io.TextIOBase, delay: float) -> None:
        self.log, self.delay = log, delay

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        for rcpt in envelope.rcpt_tos:
            self.log.write(f"{time.time():.4f} {rcpt.lower()}\n")
        return "250 OK"


def serve_sink(port: int, log_path: str, delay: float, ready: Any, stop: Any) -> None:
    """The sink in its own process, so its CPU and memory are not counted as the workers'."""
    with open(log_path, "w", encoding="utf-8") as log:
        controller = Controller(
            SlowSink(log, delay), hostname="127.0.0.1", port=port, ready_timeout=10
        )
        controller.start()
        ready.set()
        stop.wait()
        controller.stop()


@dataclass
class SinkLog:
    times: list[float]
    recipients: Counter[str]

    @classmethod
    def read(cls, path: Path) -> SinkLog:
        times: list[float] = []
        recipients: Counter[str] = Counter()
        for line in path.read_text(encoding="utf-8").splitlines():
            stamp, _, rcpt = line.partition(" ")
            times.append(float(stamp))
            recipients[rcpt] += 1
        return cls(times, recipients)


@contextlib.contextmanager
def sink(log_path: Path, delay: float) -> Iterator[int]:
    mp = multiprocessing.get_context("spawn")
    ready, stop = mp.Event(), mp.Event()
    port = free_port()
    proc = mp.Process(target=serve_sink, args=(port, str(log_path), delay, ready, stop))
    proc.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("the SMTP sink did not start")
        yield port
    finally:
        stop.set()
        proc.join(15)
        if proc.is_alive():
            proc.kill()
            proc.join()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- processes -------------------------------------------------------------------------------


class Processes:
    """Every process this bench starts (each in its own session), stopped by `stop_all`."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, args: Sequence[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            proc = subprocess.Popen(
                list(args),
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
        """SIGTERM to the process and its descendants, SIGKILL after `timeout`."""
        family = [proc.pid, *descendants([proc.pid])]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in family[1:]:  # flow-run processes that left the worker's group, if any
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if proc in self.started:
            self.started.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(list(self.started)):
            self.stop(proc)


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        children[ppid].append(int(entry.name))
    return children


def descendants(roots: Sequence[int]) -> list[int]:
    """Every process below `roots` right now (from /proc)."""
    children = _children_map()
    out, todo = [], list(roots)
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _memory_kb(pid: int) -> tuple[int, int, int]:
    """(RSS, PSS, peak RSS) of one process in kB; zeros when it is gone."""
    rss = pss = hwm = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss, hwm


class MemorySampler(threading.Thread):
    """Samples the workers and all their descendants every `interval` s: the peak of the summed
    RSS (shared pages counted in every process), of the summed PSS (shared pages split), the
    largest single process (its VmHWM, so a peak between samples is not missed) and the most
    processes at once."""

    def __init__(self, roots: Sequence[int], interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.roots, self.interval = list(roots), interval
        self.peak_rss = self.peak_pss = self.peak_one = self.most = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            pids = [*self.roots, *descendants(self.roots)]
            rss = pss = 0
            for pid in pids:
                r, p, h = _memory_kb(pid)
                rss, pss, self.peak_one = rss + r, pss + p, max(self.peak_one, h)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.most = max(self.most, len(pids))
            self._done.wait(self.interval)

    def finish(self) -> None:
        self._done.set()
        self.join(10)


# --- PostgreSQL (--postgres) ----------------------------------------------------------------


@dataclass
class Postgres:
    """A throw-away PostgreSQL cluster on 127.0.0.1 (Debian's initdb and pg_ctl; as the
    `postgres` user when this runs as root, since initdb refuses root)."""

    port: int = 0
    folder: Path = Path()
    as_user: list[str] = field(default_factory=list)
    bindir: Path = Path()
    started: bool = False

    def start(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        initdb = Path(found[-1]) if found else Path(shutil.which("initdb") or "")
        if not initdb.is_file():
            raise RuntimeError("--postgres needs PostgreSQL's initdb and pg_ctl (apt install)")
        self.bindir = initdb.parent
        self.folder = Path(tempfile.mkdtemp(prefix="veerkracht-national-pg-"))
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        data = self.folder / "data"
        subprocess.run(
            [
                *self.as_user,
                str(initdb),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--no-instructions",
            ],
            check=True,
            capture_output=True,
        )
        self.port = free_port()
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off "
            "-c synchronous_commit=off -c max_connections=400"
        )
        self.started = True
        log = str(self.folder / "server.log")
        pg_ctl = str(self.bindir / "pg_ctl")
        subprocess.run(
            [
                *self.as_user,
                pg_ctl,
                "-D",
                str(data),
                "-w",
                "-t",
                "120",
                "-l",
                log,
                "-o",
                options,
                "start",
            ],
            check=True,
            capture_output=True,
        )

    def create(self, name: str, driver: str) -> str:
        """A new database `name`; returns its SQLAlchemy URL with `driver`."""
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")  # our own names
        return f"postgresql+{driver}://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.started:
            pg_ctl = str(self.bindir / "pg_ctl")
            data = str(self.folder / "data")
            subprocess.run(
                [*self.as_user, pg_ctl, "-D", data, "-m", "fast", "stop"],
                check=False,
                capture_output=True,
            )
            self.started = False
        if self.folder != Path():
            shutil.rmtree(self.folder, ignore_errors=True)


# --- the Prefect server ----------------------------------------------------------------------


def prefect_env(home: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "VEERKRACHT_"))}
    env.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_UI_ENABLED": "false",
            "PREFECT_API_ENABLE_HTTP2": "false",
            "PREFECT_LOGGING_TO_API_ENABLED": "false",
            "VEERKRACHT_HOME": str(REPO),
        }
    )
    return env


def start_server(procs: Processes, home: Path, database: str = "") -> dict[str, str]:
    """A real Prefect server on a free loopback port (its own SQLite database in `home`, or
    `database`); returns the environment to talk to it."""
    port = free_port()
    env = prefect_env(home, port)
    if database:
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = database
    server = procs.start(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env,
        home / "server.log",
    )
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return env
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            log = (home / "server.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the Prefect server did not start:\n{log}")
        time.sleep(0.5)


def prefect(env: dict[str, str], *args: str, timeout: float = 240) -> str:
    done = subprocess.run(
        [PREFECT, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise RuntimeError(f"prefect {' '.join(args)} failed:\n{output[-4000:]}")
    return output


# --- one national day ------------------------------------------------------------------------


def _time(text: str | None) -> float:
    return datetime.fromisoformat(text).timestamp() if text else 0.0


@dataclass
class Run:
    """What the Prefect API says about one run of the day."""

    name: str
    state: str
    created: float
    start: float
    end: float
    message: str = ""


@dataclass
class Day:
    batches: int  # batch runs between the parent and the region runs (0: none)
    workers: int
    wall: float  # from `prefect deployment run` until the parent run was final (our clock)
    parent: Run
    regions: list[Run]
    tasks: list[Run]
    sink: SinkLog
    rows: set[tuple[str, str]]
    row_states: Counter[str]
    memory: MemorySampler
    notes: list[str] = field(default_factory=list)


def _runs(items: Sequence[dict[str, Any]]) -> list[Run]:
    return [
        Run(
            str(r["name"]),
            str(r["state"]["type"]) if r.get("state") else "?",
            _time(r.get("created")),
            _time(r.get("start_time")),
            _time(r.get("end_time")),
            str((r.get("state") or {}).get("message") or ""),
        )
        for r in items
    ]


def _filter(api: str, what: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of a Prefect filter endpoint, page by page."""
    items: list[dict[str, Any]] = []
    while True:
        page = httpx.post(
            f"{api}/{what}/filter", json={**body, "limit": 200, "offset": len(items)}, timeout=30
        ).json()
        items.extend(page)
        if len(page) < 200:
            return items


def run_day(
    procs: Processes,
    server_env: dict[str, str],
    root: Path,
    ids: Sequence[str],
    workers: int,
    state_url: str,
    delay: float,
) -> Day:
    """The whole day with `workers` workers into fresh out folders and a fresh state database."""
    tag = f"run-{workers}w"
    out = root / tag
    regions_file = write_regions(root, ids, out)
    with sink(root / f"{tag}-sink.log", delay) as port:
        env = {
            **server_env,
            "VEERKRACHT_REGIONS_FILE": str(regions_file),
            "VEERKRACHT_STATE_URL": state_url,
            "VEERKRACHT_STATE_DIR": str(root / f"{tag}-state"),
            "VEERKRACHT_DELIVERY": "smtp",
            "VEERKRACHT_SMTP_HOST": "127.0.0.1",
            "VEERKRACHT_SMTP_PORT": str(port),
            "VEERKRACHT_SMTP_SECURITY": "none",
            "VEERKRACHT_UNSUBSCRIBE_SECRET": secrets.token_hex(32),
        }
        started = [
            procs.start(
                [PREFECT, "worker", "start", "--pool", "veerkracht", "--name", f"{tag}-{i}"],
                env,
                root / f"{tag}-worker-{i}.log",
            )
            for i in range(1, workers + 1)
        ]
        sampler = MemorySampler([p.pid for p in started])
        sampler.start()
        try:
            t0 = time.monotonic()
            output = prefect(
                env,
                "deployment",
                "run",
                DEPLOYMENT,
                "--param",
                f"day={DAY.isoformat()}",
                "--param",
                "any_day=true",
                "--param",
                f"batches={BATCHES}",
            )
            match = re.search(r"UUID:\s*([0-9a-f-]{36})", output)
            if not match:
                raise RuntimeError(f"no flow run id in:\n{output}")
            api = env["PREFECT_API_URL"]
            deadline = time.monotonic() + 3600
            while True:
                parent = httpx.get(f"{api}/flow_runs/{match.group(1)}", timeout=30).json()
                if parent["state"]["type"] in FINAL:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("the day did not finish within an hour")
                time.sleep(0.5)
            wall = time.monotonic() - t0
        finally:
            sampler.finish()
            for proc in started:
                procs.stop(proc)
    children = _filter(
        api, "flow_runs", {"flow_runs": {"parent_flow_run_id": {"any_": [parent["id"]]}}}
    )
    # With batches, the parent's children are batch runs and the regions are their subflows.
    batch_runs = children
    nested = (
        _filter(
            api,
            "flow_runs",
            {"flow_runs": {"parent_flow_run_id": {"any_": [c["id"] for c in children]}}},
        )
        if children
        else []
    )
    if nested:
        children = nested
    tasks = settled_tasks(api, [c["id"] for c in children])
    engine = open_state(state_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                ledger.deliveries.c.edition_key,
                ledger.deliveries.c.recipient,
                ledger.deliveries.c.state,
            )
        ).all()
    day = Day(
        len(batch_runs) if nested else 0,
        workers,
        wall,
        _runs([parent])[0],
        _runs(children),
        _runs(tasks),
        SinkLog.read(root / f"{tag}-sink.log"),
        {(r[0], r[1]) for r in rows},
        Counter(r[2] for r in rows),
        sampler,
    )
    if day.parent.state != "COMPLETED":
        logs = "".join(
            p.read_text(errors="replace")[-1500:] for p in root.glob(f"{tag}-worker-*.log")
        )
        day.notes.append(f"the day ended {day.parent.state}; worker logs (tail):\n{logs}")
    return day


def settled_tasks(api: str, run_ids: Sequence[str], most: float = 120) -> list[dict[str, Any]]:
    """The task runs of these flow runs once the server has caught up: it writes task-run
    states from events, after the runs themselves finished, so wait until every task run is
    final and the count holds still for 5 s (at most `most` seconds)."""
    if not run_ids:
        return []
    body = {"flow_runs": {"id": {"any_": list(run_ids)}}}
    deadline, last, still = time.monotonic() + most, -1, 0
    while True:
        tasks = _filter(api, "task_runs", body)
        final = all((t.get("state") or {}).get("type") in FINAL for t in tasks)
        still = still + 1 if len(tasks) == last else 0
        last = len(tasks)
        if (final and still >= 5) or time.monotonic() > deadline:
            return tasks
        time.sleep(1)


def engine_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return sum(
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in metadata.sorted_tables
            if t.name != "alembic_version"
        )


def empty_state(engine: Engine) -> None:
    """Delete every row of the state tables (only ever a database that started empty)."""
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(delete(table))


# --- figures ---------------------------------------------------------------------------------


def union_seconds(spans: Sequence[tuple[float, float]]) -> float:
    """Length of the union of [start, end] intervals."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(spans):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def stage(task: Run) -> str:
    """`load-check-plan`, or `deliver-edition <channel>` (from the task run's name)."""
    for known in ("load-check-plan", "deliver-edition"):  # the default name: task name-<key>
        if task.name.startswith(known):
            return known if known == "load-check-plan" else f"{known} (name not rendered)"
    if task.name.startswith("deliver-"):
        return f"deliver-edition {task.name.split('-')[1]}"
    return task.name


@dataclass
class Figures:
    day: float  # the parent run, start to end (Prefect's clock)
    delivery: float
    rate: float
    overhead_runs: float
    overhead_day: float


def report_day(day: Day) -> Figures:
    """Print one day's figures; return the ones the targets are judged on."""
    p = day.parent
    print(f"\n== {day.workers} worker(s): the day ended {p.state}")
    for note in day.notes:
        print(note)
    for r in day.regions:
        if r.state != "COMPLETED":
            print(f"  {r.name}: {r.state}: {r.message[:300]}")
    day_wall = p.end - p.start
    print(
        f"wall time: {day.wall:.1f} s from `prefect deployment run` to the parent's end "
        f"(the parent run itself: {day_wall:.1f} s, start to end; it waited "
        f"{p.start - p.created:.1f} s for a worker to pick it up)"
    )
    regions = day.regions
    done = sum(1 for r in regions if r.state == "COMPLETED")
    waits = [r.start - r.created for r in regions if r.start]
    walls = [r.end - r.start for r in regions if r.start and r.end]
    print(
        f"flow runs: {1 + day.batches + len(regions)} (1 parent, {day.batches} batches, "
        f"{len(regions)} regions, {done} completed); "
        f"task runs: {len(day.tasks)}"
    )
    if walls:
        print(
            f"region runs: created to running {min(waits):.1f}-{max(waits):.1f} s (worker poll, "
            f"process start, imports), running {min(walls):.1f}-{max(walls):.1f} s "
            f"(mean {sum(walls) / len(walls):.1f} s); first created to last end "
            f"{max(r.end for r in regions) - min(r.created for r in regions):.1f} s"
        )
    groups: dict[str, list[Run]] = defaultdict(list)
    for t in day.tasks:
        groups[stage(t)].append(t)
    print(f"  {'stage':<30}{'runs':>6}{'sum s':>9}{'mean s':>9}{'max s':>8}{'span s':>9}")
    for name in sorted(groups):
        ts = [t for t in groups[name] if t.start and t.end]
        if not ts:
            print(f"  {name:<30}{len(groups[name]):>6}  (never ran)")
            continue
        d = [t.end - t.start for t in ts]
        span = max(t.end for t in ts) - min(t.start for t in ts)
        print(
            f"  {name:<30}{len(ts):>6}{sum(d):>9.1f}{sum(d) / len(d):>9.2f}{max(d):>8.2f}"
            f"{span:>9.1f}"
        )
    print(f"posters on {DAY}: {'yes' if 'deliver-edition posters' in groups else 'no'}")
    news = [t for t in groups.get("deliver-edition newsletter", []) if t.start and t.end]
    delivery = max(t.end for t in news) - min(t.start for t in news) if news else 0.0
    sent = sum(day.sink.recipients.values())
    rate = sent / delivery if delivery else 0.0
    sink_span = max(day.sink.times) - min(day.sink.times) if day.sink.times else 0.0
    print(
        f"messages: the sink got {sent} in {delivery:.1f} s of newsletter delivery (first "
        f"newsletter task start to last end) = {rate:.0f} messages/s (first to last message at "
        f"the sink: {sink_span:.1f} s)"
    )
    m = day.memory
    print(
        f"peak memory of the workers and their flow-run processes: RSS sum {m.peak_rss / 1024:.0f}"
        f" MB (PSS {m.peak_pss / 1024:.0f} MB), largest process {m.peak_one / 1024:.0f} MB, "
        f"{m.most} processes at most"
    )
    # Prefect's share of the wall time. Our code runs only inside the task bodies
    # (load-check-plan, deliver-edition); everything else in a region run's life is Prefect's:
    # the worker noticing the run (it polls), starting a flow-run process and importing the flow,
    # the flow and task state changes, the concurrency slot, the artifact. A task run's start and
    # end times bracket its body closely (they are the Running and Completed state changes), so
    # their sum stands for the time inside our task bodies; what is left of a run is Prefect's
    # (plus a few ms of ours: settings, the day lease, the report file). Two views:
    #  - per run: sum over region runs of (end - created - task time) / sum of (end - created);
    #  - for the day: (the day's wall time - the time at least one task body ran somewhere) /
    #    the day's wall time, which also counts the parent's pickup and fan-out but lets one
    #    run's overhead hide behind another run's tasks.
    # Task times on this 2-core machine include waiting for the CPU behind other processes, so
    # both are lower bounds of the CPU that Prefect takes.
    by_run = sum(r.end - r.created for r in regions if r.end)
    in_tasks = sum(t.end - t.start for t in day.tasks if t.start and t.end)
    overhead_runs = (by_run - in_tasks) / by_run if by_run else 0.0
    busy = union_seconds([(t.start, t.end) for t in day.tasks if t.start and t.end])
    overhead_day = (day_wall - busy) / day_wall if day_wall else 0.0
    print(
        f"Prefect's share: {overhead_runs:.0%} of the region runs' time ({by_run - in_tasks:.0f}"
        f" of {by_run:.0f} run-seconds outside task bodies); {overhead_day:.0%} of the day's "
        f"wall time with no task body running anywhere ({day_wall - busy:.1f} of {day_wall:.1f} s)"
    )
    return Figures(day_wall, delivery, rate, overhead_runs, overhead_day)


def check_deliveries(days: Sequence[Day], partners: int, regions: int) -> bool:
    """Identical ledger rows in every run, and the sink got each message exactly once."""
    ok = True
    for d in days:
        twice = {r: n for r, n in d.sink.recipients.items() if n != 1}
        ledger_rcpts = {rcpt for _, rcpt in d.rows}
        same = set(d.sink.recipients) == ledger_rcpts
        print(
            f"{d.workers} worker(s): {len(d.rows)} ledger rows {dict(d.row_states)}, sink "
            f"{sum(d.sink.recipients.values())} messages to {len(d.sink.recipients)} "
            f"addresses; received more than once: {len(twice)}; sink = ledger recipients: {same}"
        )
        ok = ok and not twice and same and set(d.row_states) == {ledger.SENT}
        ok = ok and d.parent.state == "COMPLETED"
    first = days[0].rows
    identical = all(d.rows == first for d in days[1:])
    print(
        f"identical (edition key, recipient) rows with {' and '.join(str(d.workers) for d in days)}"
        f" worker(s): {identical} ({len(first)} rows; {partners * regions} partners in all)"
    )
    return ok and identical


# --- one region without Prefect --------------------------------------------------------------


def region_settings(root: Path, rid: str, out: Path, port: int, **extra: Any) -> Settings:
    return load_settings(
        content_dir=root / "content" / rid,
        out_dir=out,
        state_url=f"sqlite:///{out.parent / (out.name + '.db')}",
        partners_csv=root / "private" / rid / "partners.csv",
        delivery="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        unsubscribe_secret=secrets.token_hex(32),
        **extra,
    )


def parallel_ratio(root: Path, rid: str, delay: float) -> tuple[float, float, int]:
    """One region's newsletter editions with 1 and with 4 SMTP connections, each into a fresh
    state database (no Prefect); returns (seconds with 1, seconds with 4, messages each)."""
    from flows.publishing.publish import prepare, publish_edition

    took: dict[int, float] = {}
    sent = 0
    with sink(root / "ratio-sink.log", delay) as port:
        for n in (1, 4, 1, 4):  # twice each, interleaved, the best of two: a shared machine
            out = root / f"ratio-{n}-{len(took)}-{time.monotonic_ns()}"
            settings = region_settings(root, rid, out, port, smtp_connections=n)
            editions = [e for e in prepare(settings, DAY).editions if e.channel == "newsletter"]
            t0 = time.perf_counter()
            sent = 0
            for edition in editions:
                report = publish_edition(edition, settings).report
                sent += report.delivered if report is not None else 0
            took[n] = min(took.get(n, float("inf")), time.perf_counter() - t0)
    return took[1], took[4], sent


def profile_region(root: Path, rid: str, delay: float) -> None:
    """Where one region's time goes without Prefect: the stages of `publish_plain` timed, then
    the top functions of a cProfile of a whole `publish_plain` (the main thread only: the SMTP
    connection threads show up as the time the main thread waits for them)."""
    from flows.publishing import publish

    print(f"\n== profile: one region ({rid}) through publish_plain, no Prefect")
    with sink(root / "profile-sink.log", delay) as port:
        settings = region_settings(root, rid, root / "profile-stages", port)
        t0 = time.perf_counter()
        prepared = publish.prepare(settings, DAY)
        print(f"  prepare (load, check, plan): {time.perf_counter() - t0:.2f} s")
        per: dict[str, list[float]] = defaultdict(list)
        for edition in prepared.editions:
            t0 = time.perf_counter()
            publish.publish_edition(edition, settings)
            per[edition.channel].append(time.perf_counter() - t0)
        for channel, took in sorted(per.items()):
            print(
                f"  {channel}: {len(took)} editions, {sum(took):.2f} s "
                f"({sum(took) / len(took) * 1e3:.0f} ms each)"
            )
        settings = region_settings(root, rid, root / "profile-cprofile", port)
        profiler = cProfile.Profile()
        t0 = time.perf_counter()
        profiler.runcall(publish.publish_plain, settings, DAY, any_day=True)
        print(f"  publish_plain under cProfile: {time.perf_counter() - t0:.2f} s")
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(18)
        body = text.getvalue()
        print(f"  -- top by {order} --")
        print(body[body.find("ncalls") :].rstrip())


# --- main ------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=25)
    parser.add_argument("--messages", type=int, default=80, help="messages per region")
    parser.add_argument("--partners", type=int, default=600, help="recipients per region")
    parser.add_argument("--screens", type=int, default=40, help="screens per region")
    parser.add_argument("--delay-ms", type=float, default=20.0, help="the sink's answer time")
    parser.add_argument("--quick", action="store_true", help="3 regions, 100 partners, 8 screens")
    parser.add_argument("--profile", action="store_true", help="profile one region, no Prefect")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="the Prefect server's database and the state on a temporary PostgreSQL cluster",
    )
    parser.add_argument(
        "--batches",
        type=int,
        default=4,
        help="publish-all-regions' batches (0: one flow-run process per region)",
    )
    args = parser.parse_args(argv)
    global BATCHES
    BATCHES = args.batches
    if args.quick:
        args.regions, args.partners, args.screens = 3, 100, 8
    delay = args.delay_ms / 1000

    def interrupted(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    shared_url = os.environ.get("VEERKRACHT_STATE_URL", "")
    root = Path(tempfile.mkdtemp(prefix="veerkracht-national-"))
    procs = Processes()
    pg = Postgres()
    ok = False
    try:
        t0 = time.monotonic()
        ids = generate(root, args.regions, args.messages, args.screens, args.partners)
        print(
            f"{args.regions} regions, each {args.messages} messages, {args.partners} partners, "
            f"{args.screens} screens; day {DAY} ({DAY:%A}), sink answers in {args.delay_ms:.0f} ms"
            f"; content generated in {time.monotonic() - t0:.1f} s under {root}"
        )
        engine: Engine | None = None
        if shared_url:
            engine = open_state(shared_url)
            if engine_rows(engine):
                print(f"VEERKRACHT_STATE_URL {engine.url!r} has rows: the bench needs it empty")
                return 1
        t0 = time.monotonic()
        home = root / "prefect-home"
        home.mkdir()
        prefect_db = ""
        if args.postgres:
            pg.start()
            prefect_db = pg.create("prefect", "asyncpg")
        server_env = start_server(procs, home, prefect_db)
        prefect(server_env, "work-pool", "create", "veerkracht", "--type", "process")
        prefect(server_env, "--no-prompt", "deploy", "--all")
        where = "PostgreSQL" if args.postgres else "SQLite"
        print(
            f"Prefect server ({where}) started, pool created, deployed in "
            f"{time.monotonic() - t0:.1f} s; state database: "
            + ("VEERKRACHT_STATE_URL" if shared_url else f"{where}, a fresh one per run")
        )
        days: list[Day] = []
        figures: list[Figures] = []
        for workers in (1, 2):
            url = shared_url or f"sqlite:///{root / f'state-{workers}w.db'}"
            if args.postgres and not shared_url:
                from flows.infra.migrate import upgrade

                url = pg.create(f"state_{workers}w", "psycopg")
                upgrade(url)  # what `veerkracht state upgrade` does before workers start
            if engine is not None:
                empty_state(engine)
            days.append(run_day(procs, server_env, root, ids, workers, url, delay))
            figures.append(report_day(days[-1]))
        print("\n== deliveries")
        delivered_ok = check_deliveries(days, args.partners, args.regions)
        print("\n== parallel sending: one region's newsletter, no Prefect, best of two each")
        one, four, sent = parallel_ratio(root, ids[0], delay)
        ratio = one / four if four else 0.0
        print(
            f"1 connection {one:.2f} s, 4 connections {four:.2f} s for {sent} messages: "
            f"{ratio:.2f}x (the floor with 1 is {sent * delay:.1f} s of sink answers alone)"
        )
        two = figures[-1]
        print("\n== targets (issue 12)")
        print(
            f"{verdict(two.day < TARGET_DAY_SECONDS)} national day with 2 workers under "
            f"{TARGET_DAY_SECONDS:.0f} s: {two.day:.1f} s (parent run; {days[-1].wall:.1f} s "
            "from the trigger)"
        )
        overhead = max(two.overhead_runs, two.overhead_day)
        print(
            f"{verdict(overhead < TARGET_OVERHEAD)} Prefect overhead under "
            f"{TARGET_OVERHEAD:.0%}: {two.overhead_runs:.0%} per run, {two.overhead_day:.0%} "
            "of the day (the larger counts)"
        )
        print(f"{verdict(ratio >= TARGET_PARALLEL)} parallel sending at least 3x: {ratio:.2f}x")
        print(f"{verdict(delivered_ok)} identical deliveries with 1 and 2 workers, each once")
        if args.profile:
            profile_region(root, ids[0], delay)
        ok = delivered_ok
        print(
            "\nfigures from a shared 2-core machine (other work running): noisy, repeat to compare"
        )
    except KeyboardInterrupt:
        print("interrupted: stopping everything this bench started", file=sys.stderr)
    finally:
        procs.stop_all()
        pg.stop()
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
