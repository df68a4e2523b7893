"""A real HTTP server on 127.0.0.1 that serves the ingest fixture feeds and a few odd answers.

Routes:
  /feeds/<file>        a fixture file, with ETag and Last-Modified; answers 304 when they match
  /generated/<n>       an RSS feed with n small entries, made on request
  /big                 6 MB of XML without Content-Length (the size cap must stop it streaming)
  /gzip-bomb           8 KB of gzip that unpacks to 8 MB (the cap counts unpacked bytes)
  /gone                410 Gone
  /status/<code>       that status
  /moved/<file>        301 to /feeds/<file>
  /to-file             302 to file:///etc/passwd
  /loop                302 to /loop, for ever
  /path-body           200 with a body that is the path of a local file (feedparser must not
                       open it)
Every request is logged in `requests` (path and the conditional headers).
"""

from __future__ import annotations

import gzip
import hashlib
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.serving import serving

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
LAST_MODIFIED = "Mon, 02 Nov 2026 10:00:00 GMT"


def generated_feed(count: int) -> bytes:
    """An RSS 2.0 feed with `count` small entries."""
    items = "".join(
        f"<item><title>Item {i}</title><link>https://example.org/n/{i}</link></item>"
        for i in range(count)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Veel</title>'
        f"<link>https://example.org/</link><description>d</description>{items}</channel></rss>"
    ).encode()


@dataclass
class Served:
    """What the handler serves and what it saw."""

    substitutions: dict[bytes, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    path_body: bytes = b""


class _Handler(BaseHTTPRequestHandler):
    served: Served

    def log_message(self, format: str, *args: object) -> None:
        return  # keep test output quiet

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        """Answer one request by route."""
        path = self.path
        self.served.requests.append(
            (path, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"))
        )
        if path.startswith("/feeds/"):
            self._fixture(path.removeprefix("/feeds/"))
        elif path.startswith("/generated/"):
            self._send(
                200,
                generated_feed(int(path.rsplit("/", 1)[1])),
                {"Content-Type": "application/rss+xml"},
            )
        elif path == "/big":
            self._big()
        elif path == "/gzip-bomb":
            body = gzip.compress(b'<rss version="2.0">' + b" " * 8_000_000 + b"</rss>")
            self._send(
                200, body, {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}
            )
        elif path == "/gone":
            self._send(410, b"gone")
        elif path.startswith("/status/"):
            self._send(int(path.rsplit("/", 1)[1]), b"status")
        elif path.startswith("/moved/"):
            self._send(301, headers={"Location": "/feeds/" + path.removeprefix("/moved/")})
        elif path == "/to-file":
            self._send(302, headers={"Location": "file:///etc/passwd"})
        elif path == "/loop":
            self._send(302, headers={"Location": "/loop"})
        elif path == "/path-body":
            self._send(200, self.served.path_body, {"Content-Type": "application/xml"})
        else:
            self._send(404, b"not found")

    def _fixture(self, name: str) -> None:
        file = FIXTURES / name
        if not file.is_file() or file.suffix == ".py":
            self._send(404, b"not found")
            return
        body = file.read_bytes()
        for old, new in self.served.substitutions.items():
            body = body.replace(old, new)
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self._send(304, headers={"ETag": etag})
            return
        kind = "text/html; charset=utf-8" if file.suffix == ".html" else "application/xml"
        self._send(200, body, {"Content-Type": kind, "ETag": etag, "Last-Modified": LAST_MODIFIED})

    def _big(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b"<!-- " + b"x" * 65_000 + b" -->\n"
        try:
            self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
            for _ in range(100):  # about 6.5 MB
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading at the cap, as it should


@contextmanager
def feed_server(served: Served | None = None) -> Iterator[tuple[str, Served]]:
    """Serve on 127.0.0.1 on a free port; yields (base URL, Served)."""
    served = served or Served()
    handler = type("Handler", (_Handler,), {"served": served})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    with serving(server):
        yield f"http://127.0.0.1:{server.server_address[1]}", served


@contextmanager
def silent_server() -> Iterator[str]:
    """A socket that accepts connections and never answers; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()
