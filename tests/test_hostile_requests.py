"""Hostile requests to the public endpoint, one fixture each (tests/fixtures/hostile/requests).

Each `.http` file starts with `# tries:` (what a stranger attempts) and `# expects:` (the status,
and "nobody unsubscribed" where a token is involved), then the raw request, sent byte for byte
over a socket to a real uvicorn (what httpx would refuse to send). Placeholders: {token} a valid
unsubscribe token, {nul} a NUL byte, {big} 100 KB, {long} 20,000 characters. The server must
answer every one with the expected status, never a 5xx, store nothing, and keep serving.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.test_public_endpoint import (
    ADDRESS,
    _settings,
    gone,
    raw,
    read_all,
    running,
    status_of,
    token_for,
)

FIXTURES = Path(__file__).parent / "fixtures" / "hostile" / "requests"
CASES = sorted(FIXTURES.glob("*.http"))


def _parse(path: Path) -> tuple[str, int, bool, bytes]:
    lines = path.read_text(encoding="utf-8").split("\n")
    tries = next(x for x in lines if x.startswith("# tries:")).removeprefix("# tries:").strip()
    expects = next(x for x in lines if x.startswith("# expects:")).removeprefix("# expects:")
    status = int(re.search(r"\d{3}", expects).group(0))  # type: ignore[union-attr]
    request = "\r\n".join(x for x in lines if not x.startswith("#"))
    return tries, status, "nobody unsubscribed" in expects, request.encode("utf-8")


def test_every_fixture_says_what_it_tries_and_expects() -> None:
    assert len(CASES) >= 10
    for path in CASES:
        tries, status, _, _ = _parse(path)
        assert tries and 200 <= status < 500, path.name


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> object:
    s = _settings(tmp_path_factory.mktemp("hostile"), public_header_timeout=2.0)
    with running(s) as base:
        yield base, s


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_a_hostile_request_gets_its_answer_and_changes_nothing(
    path: Path, endpoint: tuple[str, object]
) -> None:
    base, s = endpoint
    tries, status, nobody, request = _parse(path)
    request = (
        request.replace(b"{token}", token_for(s).encode())  # type: ignore[arg-type]
        .replace(b"{nul}", b"\0")
        .replace(b"{big}", b"x" * 100_000)
        .replace(b"{long}", b"A" * 20_000)
    )
    conn = raw(base)
    try:
        conn.sendall(request)
        reply = read_all(conn) if b"Content-Length" in request else _first(conn)
    finally:
        conn.close()
    got = status_of(reply)
    assert got == status, f"{path.name} ({tries}): {got}\n{reply[:300]!r}"
    head = reply.split(b"\r\n\r\n", 1)[0].lower()
    assert b"set-cookie" not in head
    if nobody:
        assert ADDRESS.lower() not in gone(s)  # type: ignore[arg-type]
    # The server is still there for the next visitor.
    assert httpx.get(f"{base}/afmelden", timeout=20).status_code in (200, 400)


def _first(conn: object) -> bytes:
    """The first answer on a kept-alive connection (headers and a Content-Length body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)  # type: ignore[attr-defined]
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    match = re.search(rb"(?i)content-length:\s*(\d+)", head)
    want = int(match.group(1)) if match else 0
    while len(body) < want:
        chunk = conn.recv(65536)  # type: ignore[attr-defined]
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body
