"""HTTPS through the safe transport: it connects to the checked address, verifies the name."""

from __future__ import annotations

import asyncio
import http.server
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from flows.core.settings import load_settings
from flows.infra import netsafety
from flows.linkcheck.check import Options, Verdict, check_urls
from tests.certificates import self_signed, server_context
from tests.serving import serving


class _Quiet(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    cert, key = self_signed(tmp_path, "localhost", "127.0.0.1")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    server.socket = server_context(cert, key).wrap_socket(server.socket, server_side=True)
    with serving(server):
        yield server.server_address[1], cert


def test_untrusted_certificate_is_unverified_not_ok(tls_server: tuple[int, Path]) -> None:
    port, _ = tls_server
    settings = load_settings(net_allow=["127.0.0.1"])
    url = f"https://localhost:{port}/"
    results, _ = asyncio.run(check_urls([url], settings, Options(total_timeout=3.0)))
    assert results[url].verdict is Verdict.UNVERIFIED
    assert "certificate" in str(results[url].detail)


def test_trusted_certificate_checked_against_the_host_name(
    tls_server: tuple[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, cert = tls_server
    trusted = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(netsafety, "_ssl_context", lambda: trusted)
    settings = load_settings(net_allow=["127.0.0.1"])

    async def head(url: str) -> httpx.Response:
        async with netsafety.safe_client(settings) as client:
            return await client.head(url)

    assert asyncio.run(head(f"https://localhost:{port}/")).status_code == 200
