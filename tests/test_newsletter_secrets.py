"""SMTP login: the password from the environment or a Prefect Secret block (inside a flow only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from channels.newsletter.render import render_edition
from channels.newsletter.send import deliver_edition
from channels.newsletter.transport import smtp_password
from flows.core.errors import SettingsError
from tests.test_newsletter_support import (
    Sink,
    context,
    edition,
    settings_for,
    smtp_server,
    smtp_settings,
)

USER, PASSWORD = "nieuwsbrief", "correct horse battery staple"


def authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


def test_login_with_the_password_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VEERKRACHT_SMTP_PASSWORD", PASSWORD)
    sink = Sink()
    # Plain-text AUTH is allowed here only because the server is on 127.0.0.1 in a test.
    with smtp_server(sink, authenticator=authenticator, auth_require_tls=False) as port:
        s = smtp_settings(tmp_path, port, smtp_user=USER)
        report = deliver_edition(render_edition(edition(), s), context(s))
    assert report.delivered == 1 and len(sink.received) == 1


def test_a_wrong_password_is_a_clear_settings_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VEERKRACHT_SMTP_PASSWORD", "wrong")
    sink = Sink()
    with smtp_server(sink, authenticator=authenticator, auth_require_tls=False) as port:
        s = smtp_settings(tmp_path, port, smtp_user=USER)
        with pytest.raises(SettingsError, match="refused the login"):
            deliver_edition(render_edition(edition(), s), context(s))
    assert sink.received == []


def test_secret_block_is_read_only_inside_a_flow_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness: None
) -> None:
    from prefect import flow
    from prefect.blocks.system import Secret

    monkeypatch.delenv("VEERKRACHT_SMTP_PASSWORD", raising=False)
    Secret(value=PASSWORD).save("veerkracht-smtp-test", overwrite=True)
    s = settings_for(tmp_path, smtp_password_block="veerkracht-smtp-test")
    with pytest.raises(SettingsError, match="inside a flow run"):
        smtp_password(s)

    from flows.publish_flow import with_secrets

    @flow
    def read_it() -> str:
        return smtp_password(with_secrets(s))

    assert read_it() == PASSWORD
