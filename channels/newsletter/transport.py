"""Delivery backends: `outbox` (.eml files) and `smtp` (one connection for many messages).

Both send one message at a time and call `before_data()` at the last moment the message has
certainly not been handed over, so the ledger can mark it `sending` there. One transport is one
connection, used by one thread; `pool.py` runs several SMTP transports side by side.
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from flows.core.errors import PermanentDeliveryError, SettingsError, TransientDeliveryError
from flows.core.i18n import _
from flows.core.settings import Settings
from flows.infra.outputs import PRIVATE, write_atomic

from .tokens import fold


class Refused(PermanentDeliveryError):
    """The server refused this message for good (5xx): recorded, never retried."""


class TryLater(TransientDeliveryError):
    """Not delivered, and may work later (4xx, dropped connection before the final dot)."""


class OutcomeUnknown(TransientDeliveryError):
    """The connection was lost after the final dot and before the reply: maybe delivered."""


class ServerUnreachable(TransientDeliveryError):
    """No connection to the SMTP server could be made."""


class Transport(Protocol):
    """Something that sends one message at a time over one open connection."""

    def open(self) -> None:
        """Connect (may raise ServerUnreachable)."""

    def send(self, sender: str, to: str, payload: bytes, before_data: Callable[[], None]) -> None:
        """Send one message (raises Refused, TryLater or OutcomeUnknown)."""

    def close(self) -> None:
        """Close the connection; safe to call twice."""


class OutboxTransport:
    """Writes each message as `out/outbox/<edition key>/<hash>.eml` (atomically)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def open(self) -> None:
        """Create the folder."""
        self.folder.mkdir(parents=True, exist_ok=True)

    def path_for(self, to: str) -> Path:
        """The file a recipient's message goes to (the address itself stays out of file names)."""
        return self.folder / f"{hashlib.sha256(fold(to).encode()).hexdigest()[:32]}.eml"

    def send(self, sender: str, to: str, payload: bytes, before_data: Callable[[], None]) -> None:
        """Write the message file."""
        before_data()
        # Private: a message names its recipient (and carries an unsubscribe token).
        write_atomic(self.path_for(to), payload, mode=PRIVATE)

    def close(self) -> None:
        """Nothing to close."""


def smtp_password(settings: Settings) -> str:
    """The SMTP password: from the environment or settings.

    A Prefect Secret block (VEERKRACHT_SMTP_PASSWORD_BLOCK) is read by the publish-due flow,
    inside its run, and handed over in the settings (`flows.publish_flow.with_secrets`): this
    module never talks to Prefect. Outside a flow run there is no API to ask.
    """
    value = settings.smtp_password.get_secret_value() or os.environ.get(
        "VEERKRACHT_SMTP_PASSWORD", ""
    )
    if value or not settings.smtp_password_block:
        return value
    raise SettingsError(
        _(
            "the SMTP password is in the Prefect Secret block '{block}', which can only be read "
            "inside a flow run (the publish-due flow does); outside one, set "
            "VEERKRACHT_SMTP_PASSWORD"
        ).format(block=settings.smtp_password_block)
    )


class SmtpTransport:
    """smtplib over one connection; replies are sorted into permanent, later and unknown."""

    def __init__(self, settings: Settings, timeout: float = 30.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        """Connect, secure the connection as configured, and log in when a user is set."""
        s = self.settings
        where = f"{s.smtp_host}:{s.smtp_port}"
        try:
            if s.smtp_security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.smtp_host,
                    s.smtp_port,
                    timeout=self.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout)
            smtp.ehlo()
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.smtp_user:
                smtp.login(s.smtp_user, smtp_password(s))
        except smtplib.SMTPAuthenticationError as exc:
            raise SettingsError(
                _(
                    "the SMTP server {server} refused the login for '{user}': check "
                    "VEERKRACHT_SMTP_USER and the password"
                ).format(server=where, user=s.smtp_user)
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise ServerUnreachable(
                _(
                    "cannot reach the SMTP server {server} ({error}); check VEERKRACHT_SMTP_HOST, "
                    "VEERKRACHT_SMTP_PORT and VEERKRACHT_SMTP_SECURITY"
                ).format(server=where, error=exc)
            ) from exc
        self.smtp = smtp

    def _reply_error(self, code: int, text: bytes, stage: str) -> Exception:
        message = _("the mail server answered {code} {reply} to {stage}").format(
            code=code, reply=text.decode("utf-8", "replace"), stage=stage
        )
        if code == 421:  # the server is closing this connection
            self.close()
        if 500 <= code < 600:
            return Refused(message)
        return TryLater(message)

    def send(self, sender: str, to: str, payload: bytes, before_data: Callable[[], None]) -> None:
        """MAIL, RCPT, then mark and DATA; see the class docstring for what raises what."""
        smtp = self.smtp
        if smtp is None:
            raise TryLater(_("not connected to the mail server"))
        try:
            code, text = smtp.mail(sender)
            if code != 250:
                self._reset()
                raise self._reply_error(code, text, "MAIL FROM")
            code, text = smtp.rcpt(to)
            if code not in (250, 251):
                self._reset()
                raise self._reply_error(code, text, "RCPT TO")
            try:
                before_data()
            except BaseException:
                self._reset()  # not sent (for example claimed by another run): end the envelope
                raise
            smtp.putcmd("data")
            code, text = smtp.getreply()
            if code != 354:
                self._reset()
                raise self._reply_error(code, text, "DATA")
            # Our bodies never have a line starting with a dot; stuff anyway if one slips in.
            data = (
                smtplib.quotedata(payload.decode("ascii")).encode("ascii")
                if (payload.startswith(b".") or b"\n." in payload)
                else payload
            )
            smtp.send(data + (b"" if data.endswith(b"\r\n") else b"\r\n") + b".\r\n")
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise TryLater(
                _("connection lost before the message was complete ({error})").format(error=exc)
            ) from exc
        try:
            code, text = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise OutcomeUnknown(
                _(
                    "connection lost after the message was sent, before the server confirmed "
                    "({error})"
                ).format(error=exc)
            ) from exc
        if code != 250:
            raise self._reply_error(code, text, _("end of DATA"))

    def _reset(self) -> None:
        try:
            if self.smtp is not None:
                self.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        """QUIT politely; a dead connection is just dropped."""
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def make_transport(settings: Settings, out_dir: Path, edition_key: str) -> Transport:
    """The backend the settings ask for."""
    if settings.delivery == "smtp":
        return SmtpTransport(settings)
    return OutboxTransport(out_dir / "outbox" / edition_key)
