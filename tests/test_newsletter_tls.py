"""SMTP over STARTTLS and implicit TLS against aiosmtpd with a self-signed certificate we trust."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.newsletter.render import render_edition
from channels.newsletter.send import deliver_edition
from channels.newsletter.transport import ServerUnreachable
from tests.certificates import self_signed, server_context
from tests.test_newsletter_support import Sink, context, edition, smtp_server, smtp_settings


def test_starttls_with_a_verified_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path, "127.0.0.1")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust our test certificate only
    sink = Sink()
    with smtp_server(sink, tls_context=server_context(cert, key), require_starttls=True) as port:
        s = smtp_settings(tmp_path, port, smtp_security="starttls")
        report = deliver_edition(render_edition(edition(), s), context(s))
    assert report.delivered == 1 and len(sink.received) == 1


def test_an_untrusted_certificate_is_refused_before_anything_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path, "127.0.0.1")
    (tmp_path / "other").mkdir()
    # A different certificate than the server's:
    other, _ = self_signed(tmp_path / "other", "127.0.0.1")
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    sink = Sink()
    with smtp_server(sink, tls_context=server_context(cert, key), require_starttls=True) as port:
        s = smtp_settings(tmp_path, port, smtp_security="starttls")
        with pytest.raises(ServerUnreachable, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
            deliver_edition(render_edition(edition(), s), context(s))
    assert sink.received == []


def test_implicit_tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = self_signed(tmp_path, "127.0.0.1")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    sink = Sink()
    with smtp_server(sink, ssl_context=server_context(cert, key)) as port:
        s = smtp_settings(tmp_path, port, smtp_security="tls")
        report = deliver_edition(render_edition(edition(), s), context(s))
    assert report.delivered == 1 and len(sink.received) == 1
