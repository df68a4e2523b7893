"""The politeness rule: at most N requests in flight in all, at most M to one host.

One owner, `flows.infra.limiter` (host:port key, host slot before a global slot), used by the
link checker and the feed ingest. The same scenarios run against the limiter itself and through
both callers, with requests that only record when they run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from flows.core.errors import SettingsError
from flows.core.models import Source
from flows.core.settings import load_settings
from flows.infra.limiter import HostLimiter, host_key

HOLD = 0.2  # seconds each fake request takes


@dataclass
class Recorder:
    """When each URL's request ran, and how many were in flight at most (in all, per key)."""

    spans: dict[str, tuple[float, float]] = field(default_factory=dict)
    in_flight: dict[str, int] = field(default_factory=dict)
    most: dict[str, int] = field(default_factory=dict)

    async def run(self, url: str, key: str) -> None:
        start = time.monotonic()
        for k in ("*", key):
            self.in_flight[k] = self.in_flight.get(k, 0) + 1
            self.most[k] = max(self.most.get(k, 0), self.in_flight[k])
        await asyncio.sleep(HOLD)
        for k in ("*", key):
            self.in_flight[k] -= 1
        self.spans[url] = (start, time.monotonic())

    def overlap(self, a: str, b: str) -> bool:
        (a0, a1), (b0, b1) = self.spans[a], self.spans[b]
        return a0 < b1 and b0 < a1


# ---- the link checker ---------------------------------------------------------------------

HOST_KEYS = [
    ("https://example.org/a", "example.org:443"),
    ("http://example.org/a", "example.org:80"),
    ("HTTPS://EXAMPLE.org/a", "example.org:443"),
    ("https://example.org:443/a", "example.org:443"),
    ("https://example.org:8443/a", "example.org:8443"),
    ("http://127.0.0.1:8001/x", "127.0.0.1:8001"),
    ("http://127.0.0.1:8002/x", "127.0.0.1:8002"),
    ("https://[::1]:8443/x", "::1:8443"),
    ("https://bücher.example/", "bücher.example:443"),
    ("https://user:pw@example.org/", "example.org:443"),
    ("https://example.org./a", "example.org.:443"),
    ("not a url at all", "not a url at all"),  # its own key; the request fails by itself
    ("https://[::1", "https://[::1"),
]


@pytest.mark.parametrize(("url", "key"), HOST_KEYS)
def test_host_key(url: str, key: str) -> None:
    assert host_key(url) == key


def _checker(per_host: int, concurrency: int, recorder: Recorder) -> Any:
    from flows.linkcheck.check import Checker, Options

    checker = Checker(None, Options(per_host=per_host, concurrency=concurrency))  # type: ignore[arg-type]

    async def send(method: str, url: str) -> Any:
        await recorder.run(url, host_key(url))
        return type("Response", (), {"status_code": 200})()

    checker._send = send  # type: ignore[method-assign]
    return checker


def _link_check(urls: list[str], per_host: int, concurrency: int) -> Recorder:
    recorder = Recorder()
    checker = _checker(per_host, concurrency, recorder)

    async def go() -> None:
        async def one(i: int, url: str) -> None:
            await asyncio.sleep(i * 0.01)  # start in list order
            await checker._request(url)

        await asyncio.gather(*(one(i, u) for i, u in enumerate(urls)))

    asyncio.run(go())
    return recorder


def test_link_checker_busy_host_never_blocks_another() -> None:
    urls = [
        "https://a.example/1",
        "https://a.example/2",
        "https://a.example/3",
        "https://b.example/1",
    ]
    rec = _link_check(urls, per_host=1, concurrency=2)
    assert rec.most == {"*": 2, "a.example:443": 1, "b.example:443": 1}
    assert rec.overlap("https://a.example/1", "https://b.example/1")


def test_link_checker_ports_are_separate_hosts() -> None:
    urls = ["http://127.0.0.1:8001/x", "http://127.0.0.1:8002/x"]
    rec = _link_check(urls, per_host=1, concurrency=2)
    assert rec.overlap(*urls)


def test_link_checker_global_limit_holds() -> None:
    urls = [f"https://h{i}.example/x" for i in range(6)]
    rec = _link_check(urls, per_host=4, concurrency=3)
    assert rec.most["*"] == 3


# ---- the feed ingest ----------------------------------------------------------------------


def _ingest(
    urls: list[str], per_host: int, concurrency: int, monkeypatch: pytest.MonkeyPatch, tmp: Path
) -> Recorder:
    from flows.ingest import run, tables
    from flows.ingest.fetch import Fetched, Outcome

    recorder = Recorder()
    order = {u: i for i, u in enumerate(urls)}

    def load_state(engine: Any, name: str, url: str) -> tables.SourceState:
        time.sleep(order[url] * 0.01)  # states arrive in list order
        return tables.SourceState(url=url)

    async def fetch(client: Any, url: str, **_: Any) -> Fetched:
        await recorder.run(url, url.split("/")[2])
        return Fetched(Outcome.NOT_MODIFIED, url)

    def process(settings: Any, engine: Any, source: Source, *_: Any) -> run.SourceResult:
        return run.SourceResult(source, "not-modified")

    monkeypatch.setattr(tables, "load_source_state", load_state)
    monkeypatch.setattr(run, "fetch", fetch)
    monkeypatch.setattr(run, "process", process)
    settings = load_settings(
        link_per_host=per_host, link_concurrency=concurrency, content_dir=tmp, out_dir=tmp
    )
    sources = [
        Source(name=f"s{i}", url=u, theme="slapen", audiences=("jongeren",))
        for i, u in enumerate(urls)
    ]
    engine: Any = None  # the state is faked above
    coro: Coroutine[Any, Any, Any] = run._ingest_all(
        settings, engine, sources, "sources.yaml", date(2026, 6, 1)
    )
    asyncio.run(coro)
    return recorder


INGEST_SCENARIOS: list[tuple[str, list[str], int, int, Callable[[Recorder], bool]]] = [
    # Was: a source waiting for a busy host held a global slot, so another host waited too.
    (
        "busy host never blocks another",
        [
            "https://a.example/1",
            "https://a.example/2",
            "https://a.example/3",
            "https://b.example/1",
        ],
        1,
        2,
        lambda r: r.overlap("https://a.example/1", "https://b.example/1"),
    ),
    # Was: the host name only, so two ports of one address shared the per-host limit.
    (
        "ports are separate hosts",
        ["http://127.0.0.1:8001/x", "http://127.0.0.1:8002/x"],
        1,
        2,
        lambda r: r.overlap("http://127.0.0.1:8001/x", "http://127.0.0.1:8002/x"),
    ),
    (
        "per-host limit holds",
        [f"https://a.example/{i}" for i in range(4)],
        2,
        8,
        lambda r: r.most["*"] == 2,
    ),
    (
        "global limit holds",
        [f"https://h{i}.example/x" for i in range(6)],
        4,
        3,
        lambda r: r.most["*"] == 3,
    ),
]


@pytest.mark.parametrize(
    ("what", "urls", "per_host", "concurrency", "holds"),
    INGEST_SCENARIOS,
    ids=[s[0] for s in INGEST_SCENARIOS],
)
def test_ingest_limits(
    what: str,
    urls: list[str],
    per_host: int,
    concurrency: int,
    holds: Callable[[Recorder], bool],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    rec = _ingest(urls, per_host, concurrency, monkeypatch, tmp_path)
    assert holds(rec), (what, rec.spans, rec.most)


# ---- the limiter itself -------------------------------------------------------------------

# (urls in start order, total, per host, what must hold)
SCENARIOS: list[tuple[list[str], int, int, Callable[[Recorder], bool]]] = [
    (
        [f"https://a.example/{i}" for i in range(5)],
        8,
        2,
        lambda r: r.most == {"*": 2, "a.example:443": 2},
    ),
    ([f"https://h{i}.example/" for i in range(7)], 3, 4, lambda r: r.most["*"] == 3),
    (
        ["https://a.example/1", "https://a.example/2", "https://a.example/3", "https://b.example/"],
        2,
        1,
        lambda r: r.overlap("https://a.example/1", "https://b.example/"),
    ),
    (
        ["http://127.0.0.1:8001/", "http://127.0.0.1:8002/"],
        2,
        1,
        lambda r: r.overlap("http://127.0.0.1:8001/", "http://127.0.0.1:8002/"),
    ),
    (
        ["https://EXAMPLE.org/1", "https://example.org:443/2", "HTTPS://example.org/3"],
        8,
        1,
        lambda r: r.most["example.org:443"] == 1 and r.most["*"] == 1,
    ),
    (
        ["http://example.org/", "https://example.org/"],  # :80 and :443 are two hosts
        8,
        1,
        lambda r: r.most["*"] == 2,
    ),
    ([f"https://a.example/{i}" for i in range(3)], 1, 1, lambda r: r.most["*"] == 1),
]


@pytest.mark.parametrize(("urls", "total", "per_host", "holds"), SCENARIOS)
def test_limiter(
    urls: list[str], total: int, per_host: int, holds: Callable[[Recorder], bool]
) -> None:
    recorder = Recorder()
    limiter = HostLimiter(total, per_host)

    async def go() -> None:
        async def one(i: int, url: str) -> None:
            await asyncio.sleep(i * 0.01)
            async with limiter.slot(url):
                await recorder.run(url, host_key(url))

        await asyncio.gather(*(one(i, u) for i, u in enumerate(urls)))

    asyncio.run(go())
    assert holds(recorder), (recorder.spans, recorder.most)
    assert recorder.in_flight["*"] == 0


def test_limiter_frees_its_slot_when_the_request_fails() -> None:
    limiter = HostLimiter(1, 1)

    async def go() -> None:
        for _ in range(3):
            with pytest.raises(RuntimeError):
                async with limiter.slot("https://a.example/"):
                    raise RuntimeError("boom")
        async with asyncio.timeout(1), limiter.slot("https://a.example/"):
            pass

    asyncio.run(go())


def test_limiter_frees_its_slot_when_cancelled() -> None:
    limiter = HostLimiter(1, 1)

    async def go() -> None:
        async def hold() -> None:
            async with limiter.slot("https://a.example/"):
                await asyncio.sleep(10)

        task = asyncio.create_task(hold())
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with asyncio.timeout(1), limiter.slot("https://b.example/"):
            pass

    asyncio.run(go())


@pytest.mark.parametrize(("total", "per_host"), [(0, 1), (1, 0), (-1, 4), (0, 0)])
def test_limits_below_one_are_refused(total: int, per_host: int) -> None:
    # Was (ingest): read as 1; (link check): a semaphore of 0, waiting forever.
    with pytest.raises(ValueError, match="at least 1"):
        HostLimiter(total, per_host)


@pytest.mark.parametrize("name", ["link_per_host", "link_concurrency"])
def test_settings_refuse_limits_below_one(name: str) -> None:
    with pytest.raises(SettingsError, match=f"VEERKRACHT_{name.upper()}"):
        load_settings(**{name: 0})
