"""The public endpoint (`veerkracht public`) under a real uvicorn on 127.0.0.1.

The unsubscribe page (GET never unsubscribes, POST does), then what a stranger can send:
many connections at once, headers or a body sent too slowly, a bad or huge Content-Length, a
body over the limit, and a slow client that must not hold up anyone else.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from channels.newsletter import CHANNEL as NEWSLETTER
from channels.newsletter import ledger
from channels.newsletter.render import render_edition
from channels.newsletter.send import deliver_edition
from channels.newsletter.tokens import make_token
from channels.posters import CHANNEL as POSTERS
from flows.cli import main
from flows.cli.common import EXIT_OK, EXIT_USAGE
from flows.core.errors import SettingsError
from flows.core.settings import Settings
from flows.infra.state import open_state
from flows.publishing.public_app import (
    MAX_BODY,
    build_app,
    collect_routes,
)
from tests.conftest import REPO
from tests.serving import serving_asgi
from tests.test_newsletter_support import context, edition, settings_for

ADDRESS = "Ann@Example.org"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# Safety bounds only (a broken server must not hang the test): nothing asserts a duration.
PATIENCE = 20.0


def running(s: Settings) -> AbstractContextManager[str]:
    """The public endpoint for `s` served by uvicorn in a thread; yields its base URL."""
    return serving_asgi(s, build_app(s), PATIENCE)


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    s = settings_for(tmp_path, **overrides)
    deliver_edition(render_edition(edition(((ADDRESS, "Opvang Ann"),), target="u1"), s), context(s))
    return s


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """The endpoint on a free port after one edition went out to ADDRESS; short timeouts."""
    s = _settings(tmp_path, public_header_timeout=0.5, public_body_timeout=0.5)
    with running(s) as base:
        yield base, s


def gone(s: Settings) -> set[str]:
    return ledger.unsubscribed(open_state(s.resolved_state_url()))


def token_for(s: Settings, address: str = ADDRESS) -> str:
    return make_token(s.unsubscribe_secret.get_secret_value(), address)


def raw(base: str) -> socket.socket:
    """A plain TCP connection to the endpoint, for what httpx would not send."""
    port = int(base.rsplit(":", 1)[1])
    conn = socket.create_connection(("127.0.0.1", port), timeout=PATIENCE)
    return conn


def read_all(conn: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    data = b""
    try:
        while chunk := conn.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def status_of(reply: bytes) -> int:
    match = re.match(rb"HTTP/1\.1 (\d{3}) ", reply)
    assert match is not None, reply[:200]
    return int(match.group(1))


# --- the unsubscribe page --------------------------------------------------------------------


def test_get_shows_a_dutch_confirmation_and_never_unsubscribes(
    site: tuple[str, Settings],
) -> None:
    base, s = site
    url, token = base + "/afmelden", token_for(s)
    page = httpx.get(url, params={"t": token})
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    assert re.search(r'<form method="post"', page.text) and "Ja, meld mij af" in page.text
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-robots-tag"] == "noindex" and '"robots" content="noindex"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "server" not in page.headers
    # Link scanners sometimes add parameters or use HEAD: still nothing happens.
    httpx.get(url, params={"t": token, "List-Unsubscribe": "One-Click", "bevestig": "ja"})
    assert httpx.head(url, params={"t": token}).status_code == 200
    assert gone(s) == set()


def test_one_click_post_unsubscribes_and_the_next_edition_skips(
    site: tuple[str, Settings],
) -> None:
    base, s = site
    reply = httpx.post(
        base + "/afmelden",
        params={"t": token_for(s)},
        content=b"List-Unsubscribe=One-Click",
        headers=FORM,
    )
    assert reply.status_code == 200 and "U bent afgemeld" in reply.text
    assert reply.headers["cache-control"] == "no-store"
    assert gone(s) == {ADDRESS.casefold()}
    report = deliver_edition(
        render_edition(edition(((ADDRESS.upper(), "Ann"),), target="u2"), s), context(s)
    )
    assert report.delivered == 0 and report.skipped == 1


def test_the_confirmation_button_unsubscribes(site: tuple[str, Settings]) -> None:
    base, s = site
    url = base + "/afmelden"
    page = httpx.get(url, params={"t": token_for(s)})
    action = re.search(r'action="([^"]+)"', page.text)
    assert action is not None
    reply = httpx.post(url + action.group(1).replace("&amp;", "&"), data={"bevestig": "ja"})
    assert reply.status_code == 200 and gone(s) == {ADDRESS.casefold()}


@pytest.mark.parametrize("token", ["", "bogus-token", "x" * 24])
def test_bad_tokens_and_forged_tokens_do_nothing(site: tuple[str, Settings], token: str) -> None:
    base, s = site
    forged = make_token("another secret", ADDRESS)
    for t in (token, forged):
        reply = httpx.post(
            base + "/afmelden",
            params={"t": t},
            content=b"List-Unsubscribe=One-Click",
            headers=FORM,
        )
        assert reply.status_code == 400 and "werkt niet" in reply.text
    assert gone(s) == set()


def test_post_without_confirmation_does_nothing(site: tuple[str, Settings]) -> None:
    base, s = site
    reply = httpx.post(base + "/afmelden", params={"t": token_for(s)}, content=b"")
    assert reply.status_code == 400 and gone(s) == set()


def test_other_paths_and_methods_get_dutch_pages(site: tuple[str, Settings]) -> None:
    base, _s = site
    missing = httpx.get(base + "/state.db")
    assert missing.status_code == 404 and "Niet gevonden" in missing.text
    assert missing.headers["x-content-type-options"] == "nosniff"
    put = httpx.put(base + "/afmelden", content=b"x")
    assert put.status_code == 405 and "Niet toegestaan" in put.text
    assert "POST" in put.headers["allow"]


def test_the_path_of_the_public_base_url_is_served_too(tmp_path: Path) -> None:
    s = _settings(tmp_path, public_base_url="https://jgz.example.org/veerkracht")
    with running(s) as base:
        for path in ("/veerkracht/afmelden", "/afmelden"):
            page = httpx.get(base + path, params={"t": token_for(s)})
            assert page.status_code == 200 and "Ja, meld mij af" in page.text
        assert httpx.get(base + "/anders/afmelden").status_code == 404


def test_channels_offer_routes_and_two_on_one_path_is_an_error(tmp_path: Path) -> None:
    s = settings_for(tmp_path)
    assert list(POSTERS.public_routes(s)) == []  # the base class: no public routes
    paths = [getattr(r, "path", "") for r in collect_routes(s, [NEWSLETTER, POSTERS])]
    assert "/afmelden" in paths
    with pytest.raises(SettingsError, match="is used by both"):
        collect_routes(s, [NEWSLETTER, NEWSLETTER])


def test_an_empty_secret_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="UNSUBSCRIBE_SECRET is empty"):
        build_app(settings_for(tmp_path, unsubscribe_secret=" "))


# --- what a stranger can send ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "status"),
    [
        ("-1", 400),
        ("12abc", 400),
        ("0x10", 400),
        ("4, 5", 400),
        (str(MAX_BODY + 1), 413),
        (str(10**15), 413),
        ("9" * 40, 400),  # h11 refuses a number this long itself
    ],
)
def test_a_bad_or_huge_content_length_is_refused_without_reading(
    site: tuple[str, Settings], length: str, status: int
) -> None:
    base, s = site
    with raw(base) as conn:
        # The headers only: a server that waited for the body would answer 408 instead.
        conn.sendall(
            f"POST /afmelden?t={token_for(s)} HTTP/1.1\r\nHost: x\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n"
            "\r\n".encode()
        )
        reply = read_all(conn)
    assert status_of(reply) == status
    assert gone(s) == set()


def test_two_different_content_lengths_are_refused(site: tuple[str, Settings]) -> None:
    base, _s = site
    with raw(base) as conn:
        conn.sendall(
            b"POST /afmelden HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"
        )
        assert status_of(read_all(conn)) == 400


def test_a_body_over_the_limit_is_refused(site: tuple[str, Settings]) -> None:
    base, s = site
    url = base + "/afmelden"
    big = b"List-Unsubscribe=One-Click&pad=" + b"x" * MAX_BODY
    reply = httpx.post(url, params={"t": token_for(s)}, content=big, headers=FORM)
    assert reply.status_code == 413 and reply.headers["connection"] == "close"

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked, found out while reading
        yield b"List-Unsubscribe=One-Click&pad="
        for _ in range(8):
            yield b"y" * 1024

    reply = httpx.post(url, params={"t": token_for(s)}, content=chunks(), headers=FORM)
    assert reply.status_code == 413
    assert gone(s) == set()
    # Just under the limit is fine.
    fits = b"List-Unsubscribe=One-Click&pad=" + b"x" * (MAX_BODY - 100)
    assert httpx.post(url, params={"t": token_for(s)}, content=fits, headers=FORM).is_success


def _trickle(conn: socket.socket, data: bytes) -> bool:
    """Send `data` a byte at a time (pausing between bytes); True when the server hung up
    before all of it was sent."""
    for byte in data:
        try:
            conn.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            return True
        time.sleep(0.05)
    return False


def test_headers_sent_too_slowly_are_cut_off(site: tuple[str, Settings]) -> None:
    base, _s = site
    # Far more bytes than fit in the header time, each one resetting any idle timer.
    slow = b"GET /afmelden HTTP/1.1\r\n" + b"X-Slow: " + b"a" * 400
    with raw(base) as conn:
        hung_up = _trickle(conn, slow)
        reply = read_all(conn)
    assert hung_up, "the server kept reading headers sent a byte at a time"
    assert reply == b"" or status_of(reply) == 408


def test_a_silent_connection_is_closed(site: tuple[str, Settings]) -> None:
    base, _s = site
    with raw(base) as conn:  # connects and never sends a thing
        reply = read_all(conn)
    assert status_of(reply) == 408 and b"Te langzaam" in reply


def test_a_body_sent_too_slowly_is_refused(site: tuple[str, Settings]) -> None:
    base, s = site
    body = b"List-Unsubscribe=One-Click" + b"&pad=" + b"z" * 300
    with raw(base) as conn:
        conn.sendall(
            f"POST /afmelden?t={token_for(s)} HTTP/1.1\r\nHost: x\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        hung_up = _trickle(conn, body)
        reply = read_all(conn)
    assert hung_up or status_of(reply) == 408
    assert gone(s) == set()


def test_a_slow_client_never_blocks_another(tmp_path: Path) -> None:
    # Long limits: the slow client stays within them and is answered in the end.
    s = _settings(tmp_path, public_header_timeout=60, public_body_timeout=60)
    with running(s) as base, raw(base) as slow:
        request = f"GET /afmelden?t={token_for(s)} HTTP/1.1\r\nHost: x\r\n".encode()
        half = len(request) // 2
        assert not _trickle(slow, request[:half])
        # Meanwhile: normal requests, one after another and several at once, all answered.
        assert httpx.get(base + "/afmelden").status_code == 200
        with ThreadPoolExecutor(4) as pool:
            codes = list(pool.map(lambda _: httpx.get(base + "/afmelden").status_code, range(8)))
        assert codes == [200] * 8
        assert not _trickle(slow, request[half:] + b"Connection: close\r\n\r\n")
        reply = read_all(slow)
    assert status_of(reply) == 200 and b"Ja, meld mij af" in reply


def test_many_connections_at_once_are_all_answered(site: tuple[str, Settings]) -> None:
    base, s = site
    conns = [raw(base) for _ in range(24)]
    try:
        # Every connection is open and has sent half its request before any is complete.
        for conn in conns:
            conn.sendall(b"GET /afmelden HTTP/1.1\r\n")
        for conn in conns:
            conn.sendall(b"Host: x\r\nConnection: close\r\n\r\n")
        replies = [read_all(conn) for conn in conns]
    finally:
        for conn in conns:
            conn.close()
    assert [status_of(r) for r in replies] == [200] * 24
    assert gone(s) == set()


def test_connections_over_the_limit_get_503(tmp_path: Path) -> None:
    s = _settings(tmp_path, public_max_connections=2, public_header_timeout=60)
    with running(s) as base, raw(base) as first, raw(base) as second:
        first.sendall(b"G")  # both accepted and waiting for their headers
        second.sendall(b"G")
        assert httpx.get(base + "/afmelden").status_code == 503
        first.close()
        second.close()


# --- the command --------------------------------------------------------------------------------


def test_busy_port_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["public", "--port", str(port), "--out", str(tmp_path / "out")])
    assert code == EXIT_USAGE
    assert "choose another port" in capsys.readouterr().err


@pytest.mark.server
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_public_command_serves_until_stopped(tmp_path: Path, stop: signal.Signals) -> None:
    env = {**os.environ, "VEERKRACHT_STATE_DIR": str(tmp_path / "state")}
    out = str(tmp_path / "out")
    with subprocess.Popen(
        [sys.executable, "-m", "flows", "public", "--port", "0", "--out", out],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()
            assert first.startswith("Public endpoint at http://127.0.0.1:")
            url = first.split(" at ")[1].strip()
            assert proc.stdout.readline().strip() == f"{url}afmelden"
            for _ in range(500):  # uvicorn may still be starting: the socket already listens
                try:
                    page = httpx.get(url + "afmelden", params={"t": "abc"}, timeout=PATIENCE)
                    break
                except httpx.TransportError:
                    time.sleep(0.02)
            assert page.status_code == 200 and "Ja, meld mij af" in page.text
            proc.send_signal(stop)
            assert proc.wait(PATIENCE) == EXIT_OK
        finally:
            if proc.poll() is None:
                proc.kill()
