"""Veerkracht Studio under a real uvicorn on 127.0.0.1 (a free port), for the studio tests."""

from __future__ import annotations

import re
import shutil
from contextlib import AbstractContextManager
from pathlib import Path

import httpx

from flows.core.settings import Settings, load_settings
from flows.studio.app import build_app
from flows.studio.security import Access
from tests.conftest import REPO
from tests.serving import serving_asgi

PATIENCE = 20.0  # a safety bound for start and stop only; nothing asserts a duration
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_HASH = re.compile(r'name="hash" value="([^"]+)"')


def studio_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings over a copy of the bundled content folder in `tmp_path`."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    return load_settings(content_dir=tmp_path / "content", out_dir=tmp_path / "out", **overrides)


def running(settings: Settings, host: str = "127.0.0.1") -> AbstractContextManager[str]:
    """The studio served by uvicorn in a thread; yields its base URL."""
    return serving_asgi(settings, build_app(settings, Access.for_host(settings, host)), PATIENCE)


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
