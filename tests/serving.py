"""Run a test server on 127.0.0.1 in a thread for the length of a `with` block."""

from __future__ import annotations

import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from flows.core.settings import Settings

S = TypeVar("S", bound=socketserver.BaseServer)


@contextmanager
def serving(server: S) -> Iterator[S]:
    """Serve in a daemon thread; shut down and close on exit (also if already stopped)."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def serving_asgi(settings: Settings, app: ASGIApp, patience: float = 20.0) -> Iterator[str]:
    """An ASGI app under uvicorn with the public endpoint's limits, in a daemon thread on a free
    loopback port; yields its base URL. `patience` bounds start and stop only."""
    from flows.publishing.public_app import bind, make_server

    sock = bind("127.0.0.1", 0)
    server = make_server(settings, app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + patience
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(patience)
        sock.close()
