"""Who may use the studio: loopback only without a login; elsewhere a team password or a user
name set by the organisation's reverse proxy. Sessions, CSRF tokens and security headers.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field

from flows.core.errors import SettingsError
from flows.core.settings import Settings

SESSION_COOKIE = "veerkracht_studio"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
# Studio pages: only our own script and style; nothing inline, nothing from elsewhere.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
# Previews and the calendar are the renderers' own pages (the screen page brings its own
# hash-based policy): shown in a frame of the studio, nothing fetched from elsewhere.
FRAME_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; worker-src 'self'; form-action 'none'; "
    "frame-ancestors 'self'; base-uri 'none'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.1, ::1 and localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _scrypt(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**14, r=8, p=1, dklen=32)


@dataclass
class Access:
    """How people log in, the process's secret for tokens, and the live sessions."""

    login: str  # "none" (loopback), "password" or "header"
    user_header: str = ""
    _salt: bytes = field(default_factory=lambda: secrets.token_bytes(16), repr=False)
    _hash: bytes = field(default=b"", repr=False)
    _secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    users: dict[str, str] = field(default_factory=dict, repr=False)  # session -> name

    @classmethod
    def for_host(cls, settings: Settings, host: str) -> Access:
        """The access for a studio listening on `host`; SettingsError when an address other
        than loopback has no login configured."""
        password = settings.studio_password.get_secret_value()
        header = settings.studio_user_header.strip().lower()
        if header:
            return cls("header", user_header=header)
        if password:
            access = cls("password")
            access._hash = _scrypt(password, access._salt)
            return access
        if not is_loopback(host):
            raise SettingsError(
                f"the studio on {host} would be open to everyone on the network: set "
                "VEERKRACHT_STUDIO_PASSWORD (a team password) or VEERKRACHT_STUDIO_USER_HEADER "
                "(the header your reverse proxy sets with the user name), or leave out --host "
                "to use 127.0.0.1"
            )
        return cls("none")

    def password_ok(self, candidate: str) -> bool:
        """The team password, compared by its hash in constant time."""
        return self.login == "password" and hmac.compare_digest(
            _scrypt(candidate, self._salt), self._hash
        )

    def csrf_token(self, session: str) -> str:
        """The CSRF token of a session (an HMAC of it: nothing to store)."""
        return hmac.new(self._secret, session.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: str, token: str) -> bool:
        """True when `token` belongs to `session`."""
        return bool(session) and hmac.compare_digest(self.csrf_token(session), token)


def new_session() -> str:
    """A fresh random session id."""
    return secrets.token_urlsafe(32)
