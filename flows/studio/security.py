"""Who may use the studio: loopback only without a login; elsewhere a team password or a user
name set by the organisation's reverse proxy. Sessions, CSRF tokens and security headers.

The team password is never in the environment itself: VEERKRACHT_STUDIO_PASSWORD holds its
Argon2id hash (argon2-cffi), made with `python -m flows.studio.password`. Sessions live in this
process's memory: a restart logs everyone out.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

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


# argon2-cffi's defaults (Argon2id, RFC 9106's low-memory profile: 64 MiB, 3 passes). A hash
# carries its own parameters, so a hash made with other ones still verifies.
_HASHER = PasswordHasher()
HASH_COMMAND = "python -m flows.studio.password"


def hash_password(password: str) -> str:
    """The Argon2id hash of the team password, for VEERKRACHT_STUDIO_PASSWORD."""
    return _HASHER.hash(password)


def team_hash(value: str) -> str:
    """The Argon2 hash in VEERKRACHT_STUDIO_PASSWORD; SettingsError (in Dutch, for IT) for
    anything else: the password itself, an old scrypt hash, a hash cut short."""
    value = value.strip()
    try:
        extract_parameters(value)
    except InvalidHashError:
        if "scrypt" in value.lower():
            what = "een oude scrypt-hash; die gebruikt de studio niet meer"
        elif value.startswith("$argon2"):
            what = "een argon2-hash die niet klopt (afgebroken of met een typefout?)"
        else:
            what = "geen argon2-hash (staat daar het wachtwoord zelf?)"
        raise SettingsError(
            f"VEERKRACHT_STUDIO_PASSWORD is {what}. Maak een nieuwe hash van het "
            f"teamwachtwoord met `{HASH_COMMAND}` (in de map van Veerkracht, met "
            ".venv/bin/python) en zet de regel die dat geeft in VEERKRACHT_STUDIO_PASSWORD, "
            "tussen enkele aanhalingstekens ('...') vanwege de $-tekens."
        ) from None
    return value


@dataclass
class Access:
    """How people log in, the process's secret for tokens, and the live sessions."""

    login: str  # "none" (loopback), "password" or "header"
    user_header: str = ""
    _hash: str = field(default="", repr=False)  # the team password's Argon2 hash
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
            return cls("password", _hash=team_hash(password))
        if not is_loopback(host):
            raise SettingsError(
                f"de studio op {host} zou open staan voor iedereen op het netwerk: zet "
                "VEERKRACHT_STUDIO_PASSWORD (de hash van een teamwachtwoord, gemaakt met "
                f"`{HASH_COMMAND}`) of VEERKRACHT_STUDIO_USER_HEADER (de header waarin je "
                "reverse proxy de gebruikersnaam zet), of laat --host weg voor 127.0.0.1"
            )
        return cls("none")

    def password_ok(self, candidate: str) -> bool:
        """True for the team password (verified against its Argon2 hash; takes a fifth of a
        second and 64 MiB on purpose: call it off the event loop)."""
        if self.login != "password" or not self._hash:
            return False
        try:
            return _HASHER.verify(self._hash, candidate)
        except (VerificationError, InvalidHashError):
            return False

    def csrf_token(self, session: str) -> str:
        """The CSRF token of a session (an HMAC of it: nothing to store)."""
        return hmac.new(self._secret, session.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: str, token: str) -> bool:
        """True when `token` belongs to `session`."""
        return bool(session) and hmac.compare_digest(self.csrf_token(session), token)


def new_session() -> str:
    """A fresh random session id."""
    return secrets.token_urlsafe(32)
