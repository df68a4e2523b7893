"""The public endpoint: every channel's public routes in one ASGI app, served by uvicorn.

The newsletter's `/afmelden` and the short links' `/r/<code>` (shared by all channels, from
`channels.shared.reach`: a 302 to the resource, counted without tracking anyone). Each
channel offers its routes (`Channel.public_routes`); `build_app` collects them, also under
the path of `VEERKRACHT_PUBLIC_BASE_URL` (a web server in front may pass that prefix on or
strip it). What a stranger on the internet can send is limited before a route sees it:

- headers: a request's headers must be complete within `VEERKRACHT_PUBLIC_HEADER_TIMEOUT`
  seconds of the server starting to wait for them (connection accepted or previous answer
  sent), however slowly they trickle in (`HeaderDeadline`, on uvicorn's h11 protocol: uvicorn
  itself has no such timeout); h11 limits their size;
- body: a Content-Length that is not a single plain number is refused with 400, one over
  `MAX_BODY` with 413, both before anything is read; a body that turns out bigger is 413, one
  not complete within `VEERKRACHT_PUBLIC_BODY_TIMEOUT` seconds is 408 (`Guard`). Routes get the
  whole body at once, already read;
- connections: each is served on its own in one event loop (a slow one never holds up
  another); over `VEERKRACHT_PUBLIC_MAX_CONNECTIONS` at once the rest get 503; idle keep-alive
  connections close after `VEERKRACHT_PUBLIC_KEEP_ALIVE` seconds.

Every answer carries nosniff, noindex, no-referrer (tokens are in the URLs), a strict CSP and,
unless a route says otherwise, `Cache-Control: no-store`. No access log (tokens again).
"""

from __future__ import annotations

import asyncio
import html
import socket
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

import anyio
import h11
import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from channels.base import Channel
from channels.shared import reach
from flows.core.errors import SettingsError
from flows.core.i18n import _
from flows.core.settings import Settings

MAX_BODY = 4096  # bytes: an unsubscribe form is under 200
MAX_HEADERS = 16 * 1024  # bytes of request line and headers together (h11's limit)
HOST = "127.0.0.1"

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = (
    ("x-content-type-options", "nosniff"),
    ("x-robots-tag", "noindex"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("content-security-policy", CSP),
)

_PAGE = """<!DOCTYPE html>
<html lang="nl">
<head><meta charset="utf-8"><meta name="robots" content="noindex"><title>{title}</title></head>
<body><main><h1>{title}</h1><p>{text}</p></main></body></html>
"""

# What the endpoint answers itself, in Dutch (status: title, text).
_PAGES = {
    400: ("Ongeldig verzoek", "Dit verzoek kan niet worden verwerkt."),
    404: ("Niet gevonden", "Deze pagina bestaat niet."),
    405: ("Niet toegestaan", "Deze pagina kan zo niet worden gebruikt."),
    408: ("Te langzaam", "Het verzoek kwam niet op tijd binnen. Probeer het opnieuw."),
    413: ("Te groot", "Dit verzoek is te groot."),
    431: ("Te groot", "De kopregels van dit verzoek zijn te groot."),
}


def error_page(status: int) -> bytes:
    """The endpoint's own Dutch page for `status`."""
    title, text = _PAGES.get(status, ("Fout", "Er ging iets mis."))
    return _PAGE.format(title=html.escape(title), text=html.escape(text)).encode("utf-8")


# --- the app ------------------------------------------------------------------------------


def collect_routes(
    settings: Settings, channels: Iterable[Channel[Any, Any, Any, Any]]
) -> list[BaseRoute]:
    """The short links' `/r/<code>` (shared by every channel, `channels.shared.reach`) and
    every channel's public routes; two claiming one path is a settings error."""
    shared = list(reach.routes(settings))
    owner = {str(getattr(r, "path", "")): _("the short links") for r in shared}
    routes: list[BaseRoute] = []
    for channel in channels:
        for route in channel.public_routes(settings):
            path = str(getattr(route, "path", ""))
            if path in owner:
                raise SettingsError(
                    _(
                        "the public address {path} is used by both {owner} and the {channel} "
                        "channel; one of them must use another address"
                    ).format(path=path, owner=owner[path], channel=channel.name)
                )
            owner[path] = _("the {channel} channel").format(channel=channel.name)
            routes.append(route)
    return routes + shared


def build_app(
    settings: Settings, channels: Iterable[Channel[Any, Any, Any, Any]] | None = None
) -> ASGIApp:
    """The public endpoint for these settings: the channels' routes behind the `Guard`.

    `channels` defaults to every installed channel (the registry).
    """
    if channels is None:
        from flows.publishing.registry import channels as installed

        channels = installed().values()
    routes = collect_routes(settings, channels)
    prefix = urlsplit(settings.public_base_url).path.rstrip("/")
    mounted: list[BaseRoute] = list(routes)
    if prefix:
        mounted.append(Mount(prefix, routes=routes))
    app = Starlette(
        routes=mounted,
        exception_handlers={HTTPException: _http_error},
    )
    return Guard(app, max_body=MAX_BODY, body_timeout=settings.public_body_timeout)


async def _http_error(request: Request, exc: Exception) -> Response:
    """404, 405 and the like as a Dutch page (keeping headers such as Allow)."""
    assert isinstance(exc, HTTPException)
    return HTMLResponse(error_page(exc.status_code), exc.status_code, headers=exc.headers)


class Guard:
    """ASGI middleware: reads and limits the request body before the app runs, adds the
    security headers to every answer.

    The Content-Length is judged before reading (not a single plain number: 400; over
    `max_body`: 413); then the body is read whole within `body_timeout` seconds (longer: 408;
    bigger than `max_body` after all, chunked: 413). Refusals close the connection, so a client
    still sending is not read any further. The app gets the body in one message.
    """

    def __init__(self, app: ASGIApp, *, max_body: int, body_timeout: float) -> None:
        self.app = app
        self.max_body = max_body
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_security_headers(send)
        # h11 enforces MAX_HEADERS only on headers still arriving; a burst that arrives whole
        # in one read is parsed whatever its size, so count them here too.
        size = len(scope.get("raw_path", b"")) + len(scope.get("query_string", b""))
        size += sum(len(k) + len(v) + 4 for k, v in scope["headers"])
        if size > MAX_HEADERS:
            await refuse(send, 431)
            return
        lengths = Headers(scope=scope).getlist("content-length")
        if lengths:
            if len(set(lengths)) != 1 or not (lengths[0].isascii() and lengths[0].isdigit()):
                await refuse(send, 400)
                return
            if int(lengths[0]) > self.max_body:
                await refuse(send, 413)
                return
        chunks: list[bytes] = []
        size = 0
        try:
            with anyio.fail_after(self.body_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return  # the client went away: nobody to answer
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_body:
                        await refuse(send, 413)
                        return
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await refuse(send, 408)
            return
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: only the disconnect is left

        await self.app(scope, replay, send)


async def refuse(send: Send, status: int) -> None:
    """Answer `status` with the Dutch page and close the connection afterwards."""
    body = error_page(status)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _with_security_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in SECURITY_HEADERS:
                headers[name] = value
            if "cache-control" not in headers:
                headers["cache-control"] = "no-store"
        await send(message)

    return wrapped


# --- the server ---------------------------------------------------------------------------


class HeaderDeadline(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers.

    The clock starts when the server starts waiting for a request (the connection is accepted,
    or the previous answer was sent) and is not reset by data arriving, so a client sending a
    byte at a time is cut off too. It stops once the headers are in; the body is `Guard`'s.
    """

    header_timeout = 10.0  # seconds; `protocol_for` makes a subclass with the setting

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        super().connection_made(transport)
        self._watch_headers()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_headers()

    def handle_events(self) -> None:
        super().handle_events()
        self._watch_headers()  # also after an answer, when the next request may start

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def _watch_headers(self) -> None:
        waiting = self.conn.their_state is h11.IDLE and not self.transport.is_closing()
        if not waiting:
            self._stop_header_timer()
        elif self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            body = error_page(408)
            self.transport.write(
                b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
                b"Content-Type: text/html; charset=utf-8\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            self.transport.close()


def protocol_for(header_timeout: float) -> type[HeaderDeadline]:
    """The h11 protocol class with this header deadline (seconds)."""

    class HeaderDeadlineProtocol(HeaderDeadline):
        pass

    HeaderDeadlineProtocol.header_timeout = header_timeout
    return HeaderDeadlineProtocol


def make_server(settings: Settings, app: ASGIApp) -> uvicorn.Server:
    """A uvicorn server for `app` with the endpoint's limits (run it with `run(sockets=...)`)."""
    config = uvicorn.Config(
        app,
        http=protocol_for(settings.public_header_timeout),
        ws="none",
        lifespan="off",
        interface="asgi3",
        loop="asyncio",
        log_config=None,
        log_level="warning",
        access_log=False,  # the URLs hold unsubscribe tokens
        server_header=False,
        proxy_headers=False,
        timeout_keep_alive=settings.public_keep_alive,
        timeout_graceful_shutdown=5,
        limit_concurrency=settings.public_max_connections,
        h11_max_incomplete_event_size=MAX_HEADERS,
    )
    return uvicorn.Server(config)


def bind(host: str = HOST, port: int = 0) -> socket.socket:
    """A listening TCP socket on (host, port); port 0 picks a free one. Raises OSError."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def route_paths(app: ASGIApp) -> Sequence[str]:
    """The paths `app` (from `build_app`) answers, for the start-up message."""
    inner = getattr(app, "app", None)
    routes = getattr(inner, "routes", [])
    return [str(getattr(r, "path", "")) for r in routes if not isinstance(r, Mount)]
