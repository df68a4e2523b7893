"""Opaque unsubscribe tokens: an HMAC of the address, so nobody can forge one for another."""

from __future__ import annotations

import base64
import hashlib
import hmac


def fold(address: str) -> str:
    """The form addresses are compared in: without case, without surrounding spaces."""
    return address.strip().casefold()


def make_token(secret: str, address: str) -> str:
    """A 24-character URL-safe token for `address`; the same address always gets the same one."""
    digest = hmac.new(
        secret.encode("utf-8"), b"unsubscribe\0" + fold(address).encode("utf-8"), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode("ascii")


def token_matches(secret: str, address: str, token: str) -> bool:
    """True when `token` was made for `address` with this secret (constant-time compare)."""
    return hmac.compare_digest(make_token(secret, address), token)


def message_id(edition_key: str, address: str, domain: str) -> str:
    """`<hash@domain>`: the same edition and recipient always get the same Message-ID."""
    digest = hashlib.sha256(f"{edition_key}\0{fold(address)}".encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"
