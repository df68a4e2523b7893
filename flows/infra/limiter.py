"""The politeness rule for outgoing requests: at most N in flight in all, at most M to one host.

Used by the link checker and the feed ingest. Decided:

- a host is host and port as the HTTP client sees them (`host_key`), so every port of 127.0.0.1
  in the tests, or a site's second server on :8443, counts as its own host;
- a request takes its host's slot first and only then a global slot: one waiting for a busy host
  never holds a global slot that a request to another host could use;
- limits below 1 are refused (a semaphore of 0 would wait forever); the settings refuse them too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx


def host_key(url: str) -> str:
    """The politeness key: lowercase host and port, the scheme's default port when none is given.

    A URL the client cannot parse, or one without a host, is its own key (its request fails
    later, with its own error).
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return url.strip().lower()
    if not parsed.host:
        return url.strip().lower()
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return f"{parsed.host.lower()}:{port}"


class HostLimiter:
    """Slots for requests: `async with limiter.slot(url): ...` around each request."""

    def __init__(self, total: int, per_host: int) -> None:
        if total < 1 or per_host < 1:
            raise ValueError(f"limits must be at least 1 (total={total}, per_host={per_host})")
        self.total = total
        self.per_host = per_host
        self._global = asyncio.Semaphore(total)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Hold a slot of the URL's host, then a global one, for the duration of the block."""
        key = host_key(url)
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = asyncio.Semaphore(self.per_host)
        async with host, self._global:
            yield
