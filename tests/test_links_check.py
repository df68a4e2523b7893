"""The checker against real HTTP servers on 127.0.0.1: verdicts, request counts, limits."""

from __future__ import annotations

import asyncio
import time

import pytest

from flows.core.settings import load_settings
from flows.linkcheck.check import Options, Result, Verdict, check_urls, parse_retry_after
from tests.fixtures.links.httpserver import GIB, closed_port, serving

SETTINGS = load_settings(net_allow=["127.0.0.1"])
FAST = Options(
    concurrency=32,
    per_host=4,
    connect_timeout=1.0,
    total_timeout=0.6,
    retry_after_cap=5.0,
    backoff=0.05,
)

# path -> (verdict, requests the server must have seen for that path)
EXPECTED: dict[str, tuple[Verdict, int]] = {
    "/ok/a": (Verdict.OK, 1),
    "/notfound/a": (Verdict.BROKEN, 1),
    "/gone/a": (Verdict.BROKEN, 1),
    "/moved/3/m": (Verdict.REDIRECTED, 1),
    "/found/f": (Verdict.OK, 1),
    "/loop/a/a": (Verdict.UNVERIFIED, 1),
    "/nohead/a": (Verdict.OK, 2),  # HEAD 405, then GET
    "/forbidhead/a": (Verdict.OK, 2),
    "/ratelimit/a": (Verdict.OK, 2),  # 429, wait Retry-After, 200
    "/flaky/a": (Verdict.OK, 2),  # 503, retry, 200
    "/down/a": (Verdict.UNVERIFIED, 3),  # 503 three times: first try + 2 retries
    # A timeout is asked again once, beside the first request (was: twice, one after the other).
    "/hang/a": (Verdict.UNVERIFIED, 2),
    "/drip/a": (Verdict.OK, 2),  # headers suffice; the dripping body is not awaited
    "/huge/a": (Verdict.OK, 2),
    "/metadata/a": (Verdict.REFUSED, 1),
    "/badlocation/a": (Verdict.UNVERIFIED, 1),
}


def _run(urls: list[str], options: Options = FAST) -> tuple[dict[str, Result], int]:
    return asyncio.run(check_urls(urls, SETTINGS, options))


def test_every_behaviour_gets_the_right_verdict_and_request_count() -> None:
    refused_port = closed_port()
    with serving() as st:
        server = st.servers[0]
        urls = [server.base + path for path in EXPECTED]
        urls.append(f"http://127.0.0.1:{refused_port}/ok/x")
        started = time.monotonic()
        results, sent = _run(urls)
        elapsed = time.monotonic() - started
        stats = server.stats
        for path, (verdict, count) in EXPECTED.items():
            result = results[server.base + path]
            assert result.verdict is verdict, (path, result)
            assert stats.requests[path] == count, (path, stats.requests[path])
        # Intermediate hops of the 301 chain and the loop were asked exactly once each.
        assert stats.requests["/moved/2/m"] == stats.requests["/moved/1/m"] == 1
        assert stats.requests["/ok/m"] == stats.requests["/ok/f"] == 1  # ends of the chains
        assert stats.requests["/loop/b/a"] == 1
        # The 1 GB body was never read: the server could only push what fits in socket buffers.
        assert stats.body_bytes_sent < 64 * 1024 * 1024 < GIB
        assert stats.max_in_flight <= FAST.per_host
    refused = results[f"http://127.0.0.1:{refused_port}/ok/x"]
    assert refused.verdict is Verdict.UNVERIFIED and not refused.reached
    assert "refused" in str(refused.detail)
    assert sent >= sum(count for _, count in EXPECTED.values())
    assert elapsed < 60  # a bound, not a benchmark: a hanging request would never end


def test_redirect_chain_is_recorded_with_the_new_address() -> None:
    with serving() as st:
        base = st.servers[0].base
        results, _ = _run([base + "/moved/2/x", base + "/found/y"])
    moved = results[base + "/moved/2/x"]
    assert [hop.url for hop in moved.redirects] == [base + "/moved/2/x", base + "/moved/1/x"]
    assert [hop.status for hop in moved.redirects] == [301, 301]
    assert moved.final_url == base + "/ok/x" and moved.status == 200
    assert base + "/ok/x" in str(moved.detail)
    found = results[base + "/found/y"]
    assert found.verdict is Verdict.OK and found.redirects[0].status == 302


def test_redirect_to_metadata_address_is_refused_without_connecting() -> None:
    with serving() as st:
        base = st.servers[0].base
        results, _ = _run([base + "/metadata/z"])
    result = results[base + "/metadata/z"]
    assert result.verdict is Verdict.REFUSED
    assert result.final_url == "http://169.254.169.254/latest/meta-data/"
    assert "169.254.169.254" in str(result.detail)


def test_retry_after_is_honoured() -> None:
    with serving() as st:
        base = st.servers[0].base
        started = time.monotonic()
        results, _ = _run([base + "/ratelimit/w"])
        waited = time.monotonic() - started
    assert results[base + "/ratelimit/w"].verdict is Verdict.OK
    assert waited >= 0.9  # the server asked for 1 s


def test_a_longer_retry_after_than_the_cap_is_not_asked_again_sooner() -> None:
    with serving() as st:
        base = st.servers[0].base
        results, sent = _run([base + "/slowdown/s"])  # Retry-After: 3600, cap 5 s
        asked = st.servers[0].stats.requests["/slowdown/s"]
    result = results[base + "/slowdown/s"]
    assert result.verdict is Verdict.UNVERIFIED and result.status == 429
    assert asked == 1 and sent == 1  # no retry before the hour the site asked for
    assert "asks to wait 3600 s" in str(result.detail)


def test_per_host_limit_holds_and_is_used() -> None:
    with serving(count=2, latency=0.1) as st:
        urls = [s.base + f"/ok/{i}" for s in st.servers for i in range(24)]
        results, sent = _run(urls)
        maxima = [s.stats.max_in_flight for s in st.servers]
        totals = [s.stats.total for s in st.servers]
    assert all(r.verdict is Verdict.OK for r in results.values())
    assert maxima == [4, 4]  # never more than 4 at once per host, and the limit is reached
    assert totals == [24, 24] and sent == 48


def test_global_limit_holds() -> None:
    options = Options(per_host=4, concurrency=3, total_timeout=2.0, backoff=0.05)
    with serving(count=3, latency=0.1) as st:
        urls = [s.base + f"/ok/{i}" for s in st.servers for i in range(6)]
        _run(urls, options)
        total_max = sum(s.stats.max_in_flight for s in st.servers)
    assert total_max <= 3 * 3
    assert max(s.stats.max_in_flight for s in st.servers) <= 3


def test_a_hanging_url_is_asked_again_once() -> None:
    with serving() as st:
        server = st.servers[0]
        results, sent = _run([server.base + "/hang/h"])
        asked = server.stats.requests["/hang/h"]
    result = results[server.base + "/hang/h"]
    assert result.verdict is Verdict.UNVERIFIED and str(result.detail) == "no answer in time"
    assert asked == 2 and sent == 2 and result.requests == 2


def test_a_slow_request_is_asked_again_before_it_times_out() -> None:
    # 0.4 s per answer, timeout 0.6 s: a retry after the timeout would never be sent; the one
    # beside the first request goes out after 0.3 s, and the first answer is used.
    with serving(latency=0.4) as st:
        server = st.servers[0]
        results, _ = _run([server.base + "/ok/slow"])
        asked = server.stats.requests["/ok/slow"]
    result = results[server.base + "/ok/slow"]
    assert result.verdict is Verdict.OK and result.status == 200
    assert asked == 2


def test_timeout_retries_zero_asks_a_hanging_url_once() -> None:
    once = Options(total_timeout=0.6, connect_timeout=1.0, timeout_retries=0)
    with serving() as st:
        server = st.servers[0]
        results, sent = _run([server.base + "/hang/o"], once)
        asked = server.stats.requests["/hang/o"]
    assert results[server.base + "/hang/o"].verdict is Verdict.UNVERIFIED
    assert asked == 1 and sent == 1


@pytest.mark.parametrize(
    ("value", "seconds"), [("5", 5.0), ("0", 0.0), (None, None), ("soon", None)]
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


def test_parse_retry_after_http_date() -> None:
    assert parse_retry_after("Thu, 01 Jan 2026 00:00:10 GMT", now=1767225600.0) == 10.0
