"""The MIME message of an edition, built once and personalised per recipient by substitution.

The body parts are quoted-printable, encoded line by line, so a recipient's unsubscribe link
only re-encodes the one line it sits on. No encoded line starts with a dot (we write `=2E`), so
an SMTP server can never see a bare `.` line inside the body even before dot-stuffing.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy, quoprimime
from email.header import decode_header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flows.core.clock import TIMEZONE
from flows.core.errors import PermanentDeliveryError, SettingsError
from flows.core.i18n import N_, _
from flows.core.settings import Settings
from flows.core.text import has_unsafe
from flows.core.text import problem as unsafe_problem
from flows.core.urls import url_problem

from .tokens import make_token, message_id

if TYPE_CHECKING:
    from channels.base import Edition
    from channels.newsletter.payload import NewsletterPayload

    from .compose import Content

# Letters and digits only, so escaping, CSS inlining and wrapping leave it alone.
PLACEHOLDER = "VKUNSUBSCRIBELINKPLACEHOLDER7Q2"
CRLF = b"\r\n"
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[qQbB]\?[^?\s]*\?=")
_BAD = ("\r", "\n", "\0")


class HeaderInjection(PermanentDeliveryError):
    """A header value holds a line break (plain or encoded): refused before anything is sent."""


def check_header(name: str, value: str) -> str:
    """Return `value` unchanged, or raise HeaderInjection if it could add or split headers, or
    holds a character that turns the text around (the rule of flows.core.text: control
    characters, U+2028/U+2029, NEL, bidi controls; Python's email refuses some of them with a
    bare ValueError, which would be a crash)."""
    if any(c in value for c in _BAD):
        raise HeaderInjection(
            _("{what} contains a line break ({value}); remove it and run again").format(
                what=_(name), value=repr(value)
            )
        )
    if has_unsafe(value) or "\t" in value:
        why = unsafe_problem(value, _(name)) or _("{what} contains a tab").format(what=_(name))
        raise HeaderInjection(
            _("{why} ({value}), then run again").format(why=why, value=repr(value))
        )
    if "=?" in value:
        for word in _ENCODED_WORD.findall(value):
            try:
                decoded = "".join(
                    part.decode(cs or "ascii", "replace") if isinstance(part, bytes) else part
                    for part, cs in decode_header(word)
                )
            except (ValueError, LookupError) as exc:
                raise HeaderInjection(
                    _("{what} has an encoded word that cannot be read").format(what=_(name))
                ) from exc
            if any(c in decoded for c in _BAD):
                raise HeaderInjection(
                    _(
                        "{what} contains an encoded line break ({value}); remove it and run again"
                    ).format(what=_(name), value=repr(value))
                )
    return value


def qp_line(line: str) -> bytes:
    """One line of text as quoted-printable, CRLF-terminated, never starting with a dot."""
    encoded = quoprimime.body_encode(line.encode("utf-8").decode("latin-1"), 74, "\r\n")
    out = []
    for physical in encoded.split("\r\n"):
        out.append("=2E" + physical[1:] if physical.startswith(".") else physical)
    return ("\r\n".join(out) + "\r\n").encode("ascii")


@dataclass(frozen=True)
class MimeTemplate:
    """One edition's message with the recipient-specific parts left open."""

    edition_key: str
    sender: str
    fixed_headers: bytes
    segments: tuple[tuple[str, bytes | str], ...]  # ("b", bytes) | ("html"|"text", raw line)
    domain: str
    unsubscribe_base: str
    contact: str
    secret: str

    def unsubscribe_url(self, address: str) -> str:
        """The https unsubscribe link for one recipient."""
        return f"{self.unsubscribe_base}?t={make_token(self.secret, address)}"

    def personalise(self, address: str, name: str = "", now: datetime | None = None) -> bytes:
        """The complete message for one recipient, CRLF line endings, ready for DATA."""
        check_header(N_("To address"), address)
        if not address.isascii() or "@" not in address or any(c in address for c in " <>,;"):
            raise HeaderInjection(
                _("'{address}' is not a single plain e-mail address").format(address=address)
            )
        check_header(N_("organisation name"), name)
        token = make_token(self.secret, address)
        url = f"{self.unsubscribe_base}?t={token}"
        to = _to(name, address)
        headers = (
            f"To: {to}\r\n"
            f"Date: {format_datetime(now or datetime.now(TIMEZONE))}\r\n"
            f"Message-ID: {message_id(self.edition_key, address, self.domain)}\r\n"
            f"List-Unsubscribe: <{url}>,\r\n <mailto:{self.contact}?subject=afmelden%20{token}>\r\n"
        ).encode("ascii")
        parts = [headers, self.fixed_headers]
        escaped = html_lib.escape(url, quote=True)
        for kind, value in self.segments:
            if kind == "b":
                parts.append(value)  # type: ignore[arg-type]
            else:
                line = str(value).replace(PLACEHOLDER, escaped if kind == "html" else url)
                parts.append(qp_line(line))
        return b"".join(parts)


def _to(name: str, address: str) -> str:
    """The To value: the organisation as display name, one encoded word when not ASCII.

    Not folded: some parsers add a space where a folded display name was split.
    """
    return formataddr((name, address)) if name and len(name) <= 120 else address


def _encode_part(body: str, kind: str) -> list[tuple[str, bytes | str]]:
    segments: list[tuple[str, bytes | str]] = []
    buffer: list[bytes] = []
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if PLACEHOLDER in line:
            segments.append(("b", b"".join(buffer)))
            buffer = []
            segments.append((kind, line))
        else:
            buffer.append(qp_line(line))
    segments.append(("b", b"".join(buffer)))
    return segments


def build_template(
    edition: Edition[NewsletterPayload],
    content: Content,
    mail_html: str,
    mail_text: str,
    settings: Settings,
) -> MimeTemplate:
    """Encode the edition once; raises HeaderInjection or SettingsError before any send."""
    base = settings.public_base_url.rstrip("/")
    parts = urlsplit(base)
    # The URL rule of flows.core.urls, and https: the newsletter's own demand.
    if url_problem(base) or parts.scheme.lower() != "https":
        raise SettingsError(
            _(
                "VEERKRACHT_PUBLIC_BASE_URL must be an https address (now {base}); "
                "the unsubscribe link in every newsletter (List-Unsubscribe) needs one"
            ).format(base=repr(base))
        )
    contact = check_header(N_("contact address"), settings.contact_email)
    domain = contact.rpartition("@")[2] or parts.hostname or ""  # url_problem: a host is there
    msg = EmailMessage(policy=policy.SMTP)
    sender_name = check_header(N_("organisation"), settings.organisation)
    msg["From"] = Address(display_name=sender_name, addr_spec=contact)
    msg["Subject"] = check_header(N_("subject (campaign and message titles)"), content.subject)
    list_name = check_header(N_("campaign title"), edition.campaign_title)
    msg["List-Id"] = f"{list_name} <{content.kind}-{content.lang}.nieuwsbrief.{parts.hostname}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["MIME-Version"] = "1.0"
    head = msg.as_bytes().rstrip(b"\r\n") + CRLF
    boundary = "=_vk_" + hashlib.sha256(edition.key.encode()).hexdigest()[:24]
    head += f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode()
    part_head = (
        '--{b}\r\nContent-Type: text/{t}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    )
    segments: list[tuple[str, bytes | str]] = [
        ("b", part_head.format(b=boundary, t="plain").encode()),
        *_encode_part(mail_text, "text"),
        ("b", part_head.format(b=boundary, t="html").encode()),
        *_encode_part(mail_html, "html"),
        ("b", f"--{boundary}--\r\n".encode()),
    ]
    return MimeTemplate(
        edition_key=edition.key,
        sender=contact,
        fixed_headers=head,
        segments=tuple(segments),
        domain=domain,
        unsubscribe_base=f"{base}/afmelden",
        contact=contact,
        secret=settings.unsubscribe_secret.get_secret_value(),
    )
