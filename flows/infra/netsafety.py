"""The address-safety rule for every outgoing HTTP request (link checks, feed ingest).

Content is written by people and feeds come from outside; a URL in either must never make this
tool talk to the machine it runs on or to the internal network (cloud metadata at
169.254.169.254, an intranet admin page, a database port). So:

- only URLs the acceptance rule of `flows.core.urls` accepts are requested (http(s), a proper
  site name, no credentials...), checked in the form the client sends (`request_problem`);
- a host name is resolved first and the request is refused when ANY of its addresses is
  loopback, private, link-local, unspecified, multicast, reserved or otherwise not global
  (also as an IPv4-mapped IPv6 address) (`ensure_public`);
- the connection is then made to the address that was checked, never by resolving the name a
  second time, so a DNS answer that changes in between (DNS rebinding) cannot slip through;
- `settings.net_allow` lists host names, addresses or networks (CIDR) that may be reached anyway
  (tests on 127.0.0.1, an intranet).

`safe_client(settings)` returns an `httpx.AsyncClient` with the rule built into its connection
layer, so it holds for every request and every redirect hop, including hops httpx follows by
itself. Recommended use: `follow_redirects=False` (the default here) and follow `Location`
yourself, so you can count hops, record the chain and check `request_problem` on each target.
A refused address raises `RefusedAddress` (not an `httpx` error): catch it next to
`httpx.HTTPError`.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import anyio
import httpcore
import httpx

from flows.core.errors import VeerkrachtError
from flows.core.i18n import N_, _
from flows.core.phrase import Phrase, Shown
from flows.core.settings import Settings
from flows.core.urls import IPAddress, has_web_scheme, ip_literal, url_problem_phrase

TOOL_NAME = "Veerkracht"
TOOL_VERSION = "0.1"

# What each refusal reason (RefusedAddress.reason, for machines) means, for people.
_KINDS = {
    "unspecified": N_("an unspecified address (0.0.0.0 or ::)"),
    "loopback": N_("an address of this machine itself (loopback)"),
    "link-local": N_("a link-local address (only for the local network segment)"),
    "multicast": N_("a multicast address"),
    "reserved": N_("a reserved address"),
    "private": N_("a private address (an internal network)"),
    "non-public": N_("an address that is not public"),
    "unreadable": N_("an address that cannot be read"),
    "local socket": N_("a local socket on this machine"),
}
_MAPPED = "IPv4-mapped "


def address_kind(reason: str) -> str:
    """What a refusal reason ("loopback", "IPv4-mapped private"...) means, in the current
    language."""
    return str(address_kind_phrase(reason))


def address_kind_phrase(reason: str) -> Shown:
    """`address_kind` as a Phrase, translated when it is shown."""
    if reason.startswith(_MAPPED):
        inner = address_kind_phrase(reason.removeprefix(_MAPPED))
        return Phrase.of(N_("{kind}, written as an IPv6 address"), kind=inner)
    return Phrase(_KINDS[reason]) if reason in _KINDS else reason


class RefusedAddress(VeerkrachtError):
    """A URL points at an address we never connect to (loopback, private, link-local...).

    `phrase` is the message as a Phrase (for verdicts that are stored and shown later); the
    message itself is in the language of the moment it was raised.
    """

    def __init__(self, host: str, address: str, reason: str) -> None:
        self.host = host
        self.address = address
        self.reason = reason
        shown = host if host == address else f"{host} ({address})"
        self.phrase: Phrase = Phrase.of(
            N_("refused to connect to {host}: it is {kind}"),
            host=shown,
            kind=address_kind_phrase(reason),
        )
        super().__init__(self.phrase.render())


class RefusedUrl(RefusedAddress):
    """A URL the acceptance rule refuses (not http(s), credentials, a bad site name...)."""

    def __init__(self, url: str, problem: Shown) -> None:
        super().__init__(url, url, str(problem))
        self.phrase = Phrase.of(
            N_("refused to request {url}: it {problem}"), url=repr(url[:200]), problem=problem
        )
        self.args = (self.phrase.render(),)


# The old name: true for http: and https: URLs, whatever the rest (flows.core.urls owns it).
is_allowed_scheme = has_web_scheme


def request_problem(url: str) -> str | None:
    """What the acceptance rule has against `url` as the client will send it, or None.

    The client percent-encodes spaces and non-ASCII and writes the site name in its xn-- form,
    so a redirect to "/a b" from a sloppy server is fine while "https://user:pw@host" is not.
    """
    problem = request_problem_phrase(url)
    return None if problem is None else problem.render()


def request_problem_phrase(url: str) -> Phrase | None:
    """`request_problem` as a Phrase, translated when it is shown."""
    try:
        sent = str(httpx.URL(url))
    except (httpx.InvalidURL, ValueError, TypeError):
        return url_problem_phrase(url) or Phrase(
            N_("is not a valid web address; check it for typing errors")
        )
    return url_problem_phrase(sent)


def user_agent(settings: Settings) -> str:
    """The User-Agent we send: names the tool and a contact address for site owners."""
    return f"{TOOL_NAME}/{TOOL_VERSION} (+mailto:{settings.contact_email})"


def _why_not_public(ip: IPAddress) -> str | None:
    """The reason an address is off limits, or None when it is public."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        reason = _why_not_public(ip.ipv4_mapped)
        return f"{_MAPPED}{reason}" if reason else None
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        # Shared address space (100.64/10), documentation ranges and the like.
        ("non-public", not ip.is_global),
    )
    for name, hit in checks:
        if hit:
            return name
    return None


def _allowed(host: str, ip: IPAddress, allow: Iterable[str]) -> bool:
    """True when the host name, or the address, is on the allow-list."""
    name = host.strip("[]").rstrip(".").lower()
    for entry in allow:
        entry = entry.strip()
        if not entry:
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            if entry.rstrip(".").lower() == name:
                return True
            continue
        candidates: list[IPAddress] = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        if any(c.version == network.version and c in network for c in candidates):
            return True
    return False


def check_addresses(host: str, addresses: Sequence[str], allow: Sequence[str]) -> list[str]:
    """Raise RefusedAddress if any address is off limits and not allowed; else return them."""
    for address in addresses:
        ip = ip_literal(address)  # getaddrinfo may add a zone ("fe80::1%eth0"): same class
        if ip is None:
            raise RefusedAddress(host, address, "unreadable")
        reason = _why_not_public(ip)
        if reason is not None and not _allowed(host, ip, allow):
            raise RefusedAddress(host, address, reason)
    return list(addresses)


async def ensure_public(host: str, port: int, allow: Sequence[str]) -> list[str]:
    """Resolve `host` and return its addresses, raising RefusedAddress if any is off limits.

    Every resolved address must pass: a name that resolves to one public and one private
    address is refused, since we cannot control which one a later connection would use.
    Resolution errors raise `socket.gaierror`.
    """
    bare = host.strip("[]")
    if ip_literal(bare) is not None:
        # An address literal needs no DNS; check it before anything touches the network.
        return check_addresses(bare, [bare], allow)
    infos = await anyio.getaddrinfo(bare, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise socket.gaierror(_("no address found for {host}").format(host=host))
    return check_addresses(bare, addresses, allow)


class SafeNetworkBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that checks the resolved address, then connects to it."""

    def __init__(self, allow: Sequence[str]) -> None:
        self.allow = tuple(allow)
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve, refuse unsafe addresses, then connect to the first checked one that answers."""
        try:
            with anyio.fail_after(timeout):
                addresses = await ensure_public(host, port, self.allow)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(
                _("looking up the site name {host} took too long").format(host=host)
            ) from exc
        except OSError as exc:  # socket.gaierror: the name does not resolve
            raise httpcore.ConnectError(
                _("the site name {host} was not found ({reason})").format(host=host, reason=exc)
            ) from exc
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None  # addresses is never empty
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Unix sockets are local by definition: always refused."""
        raise RefusedAddress(path, path, "local socket")

    async def sleep(self, seconds: float) -> None:
        """Sleep (used by httpcore between connection retries)."""
        await self._inner.sleep(seconds)


@cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process (building one reads the CA bundle: slow)."""
    return httpx.create_ssl_context(trust_env=False)


class SafeTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport with the safe network backend underneath."""

    def __init__(self, allow: Sequence[str], limits: httpx.Limits) -> None:
        # httpx offers no public hook for the network backend, so instead of calling
        # super().__init__ (which would build a pool and a TLS context only to be replaced) we
        # set up the one attribute its methods use, `_pool`. Pinned by the netsafety tests.
        self.backend = SafeNetworkBackend(allow)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=self.backend,
        )


class PerOriginTransport(httpx.AsyncBaseTransport):
    """One small safe pool per origin, for clients that talk to many sites at once.

    httpcore's pool scans all its connections on every request (quadratic in the pool size);
    with a per-host limit the pool of one origin never needs more than that many connections,
    so many small pools cost far less CPU than one big one.
    """

    def __init__(self, allow: Sequence[str], per_origin: int) -> None:
        self.allow = tuple(allow)
        self.limits = httpx.Limits(max_connections=per_origin, max_keepalive_connections=per_origin)
        self._pools: dict[tuple[str, str, int | None], SafeTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send through the pool of the request's origin (created on first use)."""
        key = (request.url.scheme, request.url.host, request.url.port)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = SafeTransport(self.allow, self.limits)
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        """Close every pool."""
        for pool in self._pools.values():
            await pool.aclose()


async def _check_url(request: httpx.Request) -> None:
    # Every request, also the hops httpx follows by itself: the acceptance rule on what is sent.
    problem = url_problem_phrase(str(request.url))
    if problem is not None:
        raise RefusedUrl(str(request.url), problem)


def safe_client(
    settings: Settings, per_origin: int | None = None, **kwargs: Any
) -> httpx.AsyncClient:
    """An AsyncClient that only reaches public http(s) addresses (plus `settings.net_allow`).

    Defaults: connect/total timeouts from the link settings, `follow_redirects=False`, proxies
    from the environment ignored (a proxy would connect on our behalf, unchecked), our
    User-Agent. Keyword arguments override these (`headers` are merged; `limits` sizes the pool).
    `per_origin=N` gives each site its own pool of at most N connections instead (cheaper when
    the caller already limits requests per site, as the link checker does).
    """
    limits = kwargs.pop("limits", httpx.Limits(max_connections=100, max_keepalive_connections=20))
    transport: httpx.AsyncBaseTransport = (
        PerOriginTransport(settings.net_allow, per_origin)
        if per_origin
        else SafeTransport(settings.net_allow, limits)
    )
    headers = {"User-Agent": user_agent(settings), **dict(kwargs.pop("headers", {}) or {})}
    timeout = kwargs.pop(
        "timeout", httpx.Timeout(settings.link_timeout, connect=settings.link_connect_timeout)
    )
    hooks = dict(kwargs.pop("event_hooks", {}) or {})
    hooks["request"] = [_check_url, *hooks.get("request", [])]
    return httpx.AsyncClient(
        transport=transport,
        headers=headers,
        timeout=timeout,
        follow_redirects=kwargs.pop("follow_redirects", False),
        trust_env=False,
        event_hooks=hooks,
        **kwargs,
    )
