"""The address-safety rule: private addresses are refused before any connection is made."""

from __future__ import annotations

import asyncio
from typing import Any

import httpcore
import httpx
import pytest

from flows.core.settings import load_settings
from flows.infra.netsafety import (
    RefusedAddress,
    SafeNetworkBackend,
    ensure_public,
    is_allowed_scheme,
    safe_client,
)
from tests.fixtures.links.httpserver import serving


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://example.org/", True),
        ("HTTPS://example.org/a", True),
        ("ftp://example.org/", False),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("www.example.org", False),
        ("", False),
    ],
)
def test_only_http_and_https_schemes(url: str, allowed: bool) -> None:
    assert is_allowed_scheme(url) is allowed


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("172.16.5.4", "private"),
        ("::1", "loopback"),
        ("[::1]", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
        ("::ffff:169.254.169.254", "IPv4-mapped link-local"),
        ("100.64.0.1", "non-public"),
    ],
)
def test_private_literals_refused(host: str, reason: str) -> None:
    with pytest.raises(RefusedAddress) as info:
        asyncio.run(ensure_public(host, 80, []))
    assert info.value.reason == reason


def test_public_literal_passes() -> None:
    assert asyncio.run(ensure_public("93.184.216.34", 443, [])) == ["93.184.216.34"]


def test_localhost_name_is_resolved_then_refused() -> None:
    # A name is resolved first: "localhost" is only loopback, so it is refused.
    with pytest.raises(RefusedAddress):
        asyncio.run(ensure_public("localhost", 80, []))


@pytest.mark.parametrize("allow", [["127.0.0.1"], ["127.0.0.0/8"], ["localhost"]])
def test_allow_list_opens_loopback(allow: list[str]) -> None:
    host = "localhost" if allow == ["localhost"] else "127.0.0.1"
    addresses = asyncio.run(ensure_public(host, 80, allow))
    assert "127.0.0.1" in addresses or "::1" in addresses


def test_allow_list_is_narrow() -> None:
    with pytest.raises(RefusedAddress):
        asyncio.run(ensure_public("127.0.0.2", 80, ["127.0.0.1"]))
    with pytest.raises(RefusedAddress):
        asyncio.run(ensure_public("10.0.0.1", 80, ["127.0.0.0/8"]))


class _Recording(httpcore.AsyncNetworkBackend):
    """Wraps the real backend and records every connection actually attempted."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self.inner = inner
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(  # type: ignore[override]  # passes the options through
        self, host: str, port: int, **kwargs: Any
    ) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        return await self.inner.connect_tcp(host, port, **kwargs)


def _recorded(client: httpx.AsyncClient) -> _Recording:
    backend = client._transport.backend  # type: ignore[attr-defined]
    assert isinstance(backend, SafeNetworkBackend)
    rec = _Recording(backend._inner)
    backend._inner = rec  # type: ignore[assignment]
    return rec


async def _get(
    url: str, allow: list[str], follow: bool = False
) -> tuple[httpx.Response, _Recording]:
    settings = load_settings(net_allow=allow, link_timeout=2.0, link_connect_timeout=1.0)
    async with safe_client(settings, follow_redirects=follow) as client:
        rec = _recorded(client)
        try:
            return await client.get(url), rec
        except RefusedAddress as exc:
            exc.recorded = rec  # type: ignore[attr-defined]
            raise


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://[::1]:8080/",
        "http://0.0.0.0/",
        "http://127.0.0.1:9/",
    ],
)
def test_client_refuses_before_connecting(url: str) -> None:
    with pytest.raises(RefusedAddress) as info:
        asyncio.run(_get(url, []))
    assert info.value.recorded.connects == []  # type: ignore[attr-defined]


def test_client_reaches_allowed_loopback_with_user_agent() -> None:
    with serving() as st:
        response, rec = asyncio.run(_get(st.servers[0].base + "/ok/x", ["127.0.0.1"]))
        stats = st.servers[0].stats
    assert response.status_code == 200
    assert rec.connects == [("127.0.0.1", st.servers[0].port)]
    (agent,) = stats.user_agents
    assert "Veerkracht" in agent and "communicatie@jgz-voorbeeld.example.org" in agent


def test_client_refused_without_allow_list() -> None:
    with serving() as st:
        with pytest.raises(RefusedAddress):
            asyncio.run(_get(st.servers[0].base + "/ok/x", []))
        assert st.servers[0].stats.total == 0


def test_redirect_hop_to_metadata_is_refused_even_when_httpx_follows() -> None:
    with serving() as st:
        with pytest.raises(RefusedAddress) as info:
            asyncio.run(_get(st.servers[0].base + "/metadata/x", ["127.0.0.1"], follow=True))
        assert st.servers[0].stats.requests["/metadata/x"] == 1
    assert info.value.address == "169.254.169.254"
    # Only the allowed test server was connected to; the metadata address never was.
    assert all(host == "127.0.0.1" for host, _ in info.value.recorded.connects)  # type: ignore[attr-defined]


def test_non_http_redirect_target_is_refused() -> None:
    settings = load_settings(net_allow=["127.0.0.1"])

    async def go() -> None:
        async with safe_client(settings) as client:
            await client.get("ftp://127.0.0.1/")

    with pytest.raises((RefusedAddress, httpx.UnsupportedProtocol)):
        asyncio.run(go())
