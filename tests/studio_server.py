"""Veerkracht Studio under a real uvicorn on 127.0.0.1 (a free port), for the studio tests."""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from flows.core.settings import Settings, load_settings
from flows.publishing.public_app import bind, make_server
from flows.studio.app import build_app
from flows.studio.security import Access
from tests.conftest import REPO

PATIENCE = 20.0  # a safety bound for start and stop only; nothing asserts a duration
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_HASH = re.compile(r'name="hash" value="([^"]+)"')


def studio_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings over a copy of the bundled content folder in `tmp_path`."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    return load_settings(content_dir=tmp_path / "content", out_dir=tmp_path / "out", **overrides)


@contextmanager
def running(settings: Settings, host: str = "127.0.0.1") -> Iterator[str]:
    """The studio served by uvicorn in a thread; yields its base URL."""
    sock = bind("127.0.0.1", 0)
    server = make_server(settings, build_app(settings, Access.for_host(settings, host)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(2000):
            if server.started or not thread.is_alive():
                break
            time.sleep(0.01)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(PATIENCE)
        sock.close()


def csrf_of(html: str) -> str:
    """The CSRF token of a studio page."""
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found[1]


def hash_of(html: str) -> str:
    """The file hash kept in an edit form."""
    found = _HASH.search(html)
    assert found, "no hash in the edit form"
    return found[1]


def client(base: str) -> httpx.Client:
    """A client that keeps the studio's session cookie."""
    return httpx.Client(base_url=base, timeout=PATIENCE, follow_redirects=False)
