"""Outputs written by several writers at once (issue 12: two workers on one shared out folder).

The last complete version wins, a reader never sees a missing folder or two versions mixed,
no writer fails and no temporary names stay behind: first for `replace_dir_atomic` and
`write_atomic` hammered by threads and two processes while readers read, then for two
processes publishing the same day's editions (about a thousand screens) into one out folder
and one state database, compared with a single clean run.
"""

from __future__ import annotations

import copy
import multiprocessing
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from flows.cli.commands.serve import make_server
from flows.core.settings import Settings, load_settings
from flows.infra.outputs import (
    GRACE_SECONDS,
    VERSIONS,
    prune,
    replace_dir_atomic,
    temporaries,
    write_atomic,
)
from flows.publishing.publish import prepare, publish_edition
from tests.conftest import CONTENT
from tests.serving import serving
from tests.test_demo_golden import tree

SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter, as a second worker is
FILES = ("index.html", "playlist.json", "qr/code.svg")
ROUNDS = 25  # writes per writer
DAY = date(2027, 1, 4)  # the bundled campaign's first day (screens, feeds and posters)
# Screens added to the bundled ones for the whole-channel race. Both processes start at a
# barrier and go through the editions in the same order, so they race on every screen; more
# screens make a longer race, not another kind (each screen's QR codes cost ~0.1 s to make).
SCREENS = 120


def folder_version(marker: str) -> dict[str, bytes]:
    """A folder whose every file names `marker` (padded, so a file is more than one write)."""
    return {name: f"{marker}|{name}|".encode() + b"x" * 20_000 for name in FILES}


def marker_of(data: bytes) -> str:
    return data.split(b"|", 1)[0].decode()


def write_folders(target: str, writer: str, go: Event | threading.Event) -> list[str]:
    """Write ROUNDS versions of `target`; the markers written (runs in a thread or process)."""
    go.wait()
    written = []
    for i in range(ROUNDS):
        marker = f"{writer}-{i}"
        replace_dir_atomic(Path(target), folder_version(marker))
        written.append(marker)
    return written


def write_files(target: str, writer: str, go: Event | threading.Event) -> list[str]:
    """Write ROUNDS versions of the file `target` with write_atomic."""
    go.wait()
    written = []
    for i in range(ROUNDS):
        marker = f"{writer}-{i}"
        write_atomic(Path(target), folder_version(marker)["index.html"], durable=False)
        written.append(marker)
    return written


def _process_writer(func: str, target: str, writer: str, go: Event, done: Any) -> None:
    writers: dict[str, Callable[[str, str, Event], list[str]]] = {
        "folders": write_folders,
        "files": write_files,
    }
    try:
        done.put((writer, writers[func](target, writer, go), ""))
    except BaseException as exc:  # noqa: BLE001 - reported to the test, which fails on it
        done.put((writer, [], f"{type(exc).__name__}: {exc}"))


class Reader(threading.Thread):
    """Keeps reading like a client while the writers write; keeps what it saw."""

    def __init__(self, read: Callable[[], str]) -> None:
        super().__init__(daemon=True)
        self.read = read
        self.stop = threading.Event()
        self.seen: set[str] = set()
        self.reads = 0
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.seen.add(self.read())
                self.reads += 1
            except Exception as exc:  # noqa: BLE001 - a missing or mixed folder, half a file
                self.errors.append(f"{type(exc).__name__}: {exc}")


def read_folder(target: Path) -> str:
    """Resolve the folder once (as a copy to a CDN would) and read every file of it."""
    folder = Path(os.path.realpath(target))
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert names == sorted(FILES), f"folder has {names}"
    markers = {marker_of((folder / name).read_bytes()) for name in FILES}
    assert len(markers) == 1, f"versions mixed in one folder: {markers}"
    return markers.pop()


def read_served_file(target: Path) -> str:
    """One file through the link, by path, as a web server opens it for a request."""
    data = (target / "playlist.json").read_bytes()
    assert data == folder_version(marker_of(data))["playlist.json"], "half a file"
    return marker_of(data)


def read_file(target: Path) -> str:
    data = target.read_bytes()
    assert data == folder_version(marker_of(data))["index.html"], "half a file"
    return marker_of(data)


def race(
    func: str, target: Path, readers: list[Reader], threads: int = 3, processes: int = 2
) -> set[str]:
    """Run `threads` writer threads here and `processes` writer processes on `target` at once
    while `readers` read; every writer's markers. Fails on any writer's or reader's error."""
    go_here = threading.Event()
    go_there = SPAWN.Event()
    done = SPAWN.Queue()
    procs = [
        SPAWN.Process(target=_process_writer, args=(func, str(target), f"p{n}", go_there, done))
        for n in range(processes)
    ]
    for proc in procs:
        proc.start()
    results: dict[str, list[str]] = {}
    errors: list[str] = []

    def in_thread(name: str) -> None:
        try:
            writer = write_folders if func == "folders" else write_files
            results[name] = writer(str(target), name, go_here)
        except Exception as exc:  # noqa: BLE001 - any writer error fails the test below
            errors.append(f"{name}: {type(exc).__name__}: {exc}")

    workers = [threading.Thread(target=in_thread, args=(f"t{n}",)) for n in range(threads)]
    for thread in [*workers, *readers]:
        thread.start()
    go_there.set()
    go_here.set()
    for _ in procs:
        name, markers, error = done.get(timeout=120)
        results[name] = markers
        if error:
            errors.append(f"{name}: {error}")
    for thread in workers:
        thread.join()
    for proc in procs:
        proc.join(30)
    for reader in readers:
        reader.stop.set()
        reader.join()
    assert errors == [], errors
    for reader in readers:
        assert reader.errors == [], reader.errors[:3]
        assert reader.reads > 0
    assert sorted(results) == sorted(
        [f"t{n}" for n in range(threads)] + [f"p{n}" for n in range(processes)]
    )
    return {m for markers in results.values() for m in markers}


def test_many_writers_of_one_folder_never_show_a_missing_or_mixed_folder(tmp_path: Path) -> None:
    target = tmp_path / "out" / "screens" / "cb"
    replace_dir_atomic(target, folder_version("first"))
    readers = [Reader(lambda: read_folder(target)), Reader(lambda: read_served_file(target))]
    written = race("folders", target, readers)
    assert len(written) == 5 * ROUNDS
    final = read_folder(target)  # one complete version, one that a writer wrote
    assert final in written
    seen = readers[0].seen | readers[1].seen
    assert seen <= written | {"first"} and len(seen) > 1  # the readers saw the writes happen
    assert temporaries(tmp_path) == []
    # Superseded versions stay for readers still in them; past the grace they go.
    versions = target.parent / VERSIONS / "cb"
    prune(target, now=time.time() + GRACE_SECONDS + 5)
    assert [p.name for p in versions.iterdir()] == [Path(os.readlink(target)).name]
    assert read_folder(target) == final


def test_many_writers_of_one_file_leave_one_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "feeds" / "feed.xml"
    write_atomic(target, folder_version("first")["index.html"])
    reader = Reader(lambda: read_file(target))
    written = race("files", target, [reader])
    assert read_file(target) in written
    assert len(reader.seen) > 1
    assert [p.name for p in target.parent.iterdir()] == ["feed.xml"]


def test_a_linked_folder_serves_through_veerkracht_serve(tmp_path: Path) -> None:
    out = tmp_path / "out"
    replace_dir_atomic(out / "screens" / "cb", folder_version("v1"))
    replace_dir_atomic(out / "screens" / "cb", folder_version("v2"))
    with serving(make_server(out, 0)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        page = httpx.get(f"{base}/screens/cb/index.html")
        playlist = httpx.get(f"{base}/screens/cb/playlist.json")
        folder = httpx.get(f"{base}/screens/cb/")
    assert page.status_code == playlist.status_code == folder.status_code == 200
    assert marker_of(page.content) == marker_of(playlist.content) == "v2"
    assert page.content == folder.content  # the folder's URL serves its index.html


# The whole channel: two processes publishing one day's editions into one out folder.


def many_screens(content: Path, count: int) -> int:
    """Add `count` screens to `content/screens.yaml` (copies of the bundled ones under new ids);
    the number of screens in the file."""
    path = content / "screens.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    bundled = data["screens"]
    extra = [copy.deepcopy(bundled[n % len(bundled)]) for n in range(count)]  # no YAML aliases
    for n, screen in enumerate(extra):
        screen["id"] = f"{screen['id']}-{n:04d}"
    data["screens"] = [*bundled, *extra]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return len(data["screens"])


def settings_for(content: Path, out: Path, state: Path) -> Settings:
    return load_settings(
        content_dir=content, out_dir=out, state_url=f"sqlite:///{state / 'state.db'}"
    )


def publish_all(
    settings: Settings, barrier: Barrier | None = None
) -> tuple[Counter[str], list[str]]:
    """What a second worker on a stale lease does: prepare the day, then every edition."""
    prepared = prepare(settings, DAY)
    if barrier is not None:
        barrier.wait(60)  # both processes have planned: publish at the same moment
    statuses: Counter[str] = Counter()
    errors = []
    for edition in prepared.editions:
        try:
            outcome = publish_edition(edition, settings)
        except Exception as exc:  # noqa: BLE001 - any error is a failed edition here
            errors.append(f"{edition.key}: {type(exc).__name__}: {exc}")
            continue
        statuses[outcome.status] += 1
        if outcome.status == "failed":
            errors.append(f"{edition.key}: {outcome.error}")
    return statuses, errors


def _publish_process(content: str, out: str, state: str, barrier: Barrier, done: Any) -> None:
    try:
        statuses, errors = publish_all(settings_for(Path(content), Path(out), Path(state)), barrier)
        done.put((dict(statuses), errors))
    except BaseException as exc:  # noqa: BLE001 - reported to the test, which fails on it
        done.put(({}, [f"{type(exc).__name__}: {exc}"]))


@pytest.fixture(scope="module")
def crowded_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(CONTENT, content)
    assert many_screens(content, SCREENS) > SCREENS
    return content


def test_two_processes_publishing_one_day_end_like_one_clean_run(
    crowded_content: Path, tmp_path: Path
) -> None:
    clean_out, race_out = tmp_path / "clean" / "out", tmp_path / "race" / "out"
    for folder in (clean_out, race_out, tmp_path / "clean" / "state", tmp_path / "race" / "state"):
        folder.mkdir(parents=True)
    statuses, errors = publish_all(
        settings_for(crowded_content, clean_out, tmp_path / "clean" / "state")
    )
    assert errors == [] and statuses["published"] > SCREENS

    barrier = SPAWN.Barrier(2)
    done = SPAWN.Queue()
    args = (str(crowded_content), str(race_out), str(tmp_path / "race" / "state"), barrier, done)
    procs = [SPAWN.Process(target=_publish_process, args=args) for _ in range(2)]
    for proc in procs:
        proc.start()
    results = [done.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(30)
    assert [errs for _, errs in results] == [[], []]
    editions = sum(statuses.values())
    for counts, _ in results:
        assert sum(counts.values()) == editions  # each process went through every edition
    # Both really wrote: between them every edition was published once at least.
    assert sum(c.get("published", 0) + c.get("updated", 0) for c, _ in results) >= editions

    served, clean = tree(race_out), tree(clean_out)
    assert sorted(served) == sorted(clean)
    differ = [rel for rel in clean if served[rel] != clean[rel]]
    assert differ == [], f"{len(differ)} file(s) differ from a clean run: {differ[:5]}"
    assert temporaries(race_out) == []
    # Racing writers of one screen wrote the same playlist version: one folder each, no
    # superseded copies left waiting for the grace.
    versions = race_out / "screens" / VERSIONS
    assert all(len(list(folder.iterdir())) == 1 for folder in versions.iterdir())
    assert len(list(versions.iterdir())) > SCREENS
