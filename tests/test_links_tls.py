"""HTTPS through the safe transport: it connects to the checked address, verifies the name."""

from __future__ import annotations

import asyncio
import datetime
import http.server
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from flows.core.settings import load_settings
from flows.infra import netsafety
from flows.linkcheck.check import Options, Verdict, check_urls
from tests.serving import serving


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Quiet(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    cert, key = _self_signed(tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with serving(server):
        yield server.server_address[1], cert


def test_untrusted_certificate_is_unverified_not_ok(tls_server: tuple[int, Path]) -> None:
    port, _ = tls_server
    settings = load_settings(net_allow=["127.0.0.1"])
    url = f"https://localhost:{port}/"
    results, _ = asyncio.run(check_urls([url], settings, Options(total_timeout=3.0)))
    assert results[url].verdict is Verdict.UNVERIFIED
    assert "certificate" in results[url].detail


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
