"""SMTP over STARTTLS and implicit TLS against aiosmtpd with a self-signed certificate we trust."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from channels.newsletter.render import render_edition
from channels.newsletter.send import deliver_edition
from channels.newsletter.transport import ServerUnreachable
from tests.test_newsletter_support import Sink, context, edition, settings_for, smtp_server


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, valid for an hour."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
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
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
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


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def test_starttls_with_a_verified_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust our test certificate only
    sink = Sink()
    with smtp_server(sink, tls_context=server_context(cert, key), require_starttls=True) as port:
        s = settings_for(
            tmp_path,
            delivery="smtp",
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security="starttls",
        )
        report = deliver_edition(render_edition(edition(), s), context(s))
    assert report.delivered == 1 and len(sink.received) == 1


def test_an_untrusted_certificate_is_refused_before_anything_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path)
    (tmp_path / "other").mkdir()
    other, _ = self_signed(tmp_path / "other")  # a different certificate than the server's
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    sink = Sink()
    with smtp_server(sink, tls_context=server_context(cert, key), require_starttls=True) as port:
        s = settings_for(
            tmp_path,
            delivery="smtp",
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security="starttls",
        )
        with pytest.raises(ServerUnreachable, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
            deliver_edition(render_edition(edition(), s), context(s))
    assert sink.received == []


def test_implicit_tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    sink = Sink()
    with smtp_server(sink, ssl_context=server_context(cert, key)) as port:
        s = settings_for(
            tmp_path, delivery="smtp", smtp_host="127.0.0.1", smtp_port=port, smtp_security="tls"
        )
        report = deliver_edition(render_edition(edition(), s), context(s))
    assert report.delivered == 1 and len(sink.received) == 1
