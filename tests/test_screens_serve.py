"""`veerkracht serve`: the preview server for out/, on 127.0.0.1 only."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from flows.cli import main
from flows.cli.commands.serve import make_server
from flows.cli.common import EXIT_OK, EXIT_USAGE
from tests.conftest import REPO
from tests.serving import serving


def test_server_serves_files_with_types_and_no_caching(tmp_path: Path) -> None:
    (tmp_path / "screens" / "a").mkdir(parents=True)
    (tmp_path / "screens" / "a" / "playlist.json").write_text('{"slides": []}')
    (tmp_path / "screens" / "a" / "slides.rss").write_text("<rss/>")
    server = make_server(tmp_path, 0)
    assert server.server_address[0] == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/screens/a/"
        r = httpx.get(base + "playlist.json")
        assert r.status_code == 200 and r.json() == {"slides": []}
        assert r.headers["content-type"] == "application/json"
        assert r.headers["cache-control"] == "no-cache"
        assert (
            httpx.get(base + "slides.rss").headers["content-type"].startswith("application/rss+xml")
        )
        assert httpx.get(base + "../../../etc/passwd").status_code == 404
    finally:
        server.shutdown()
        server.server_close()


def _outputs(out: Path) -> None:
    """An out folder with public outputs and everything that must not be served beside them."""
    (out / "screens" / "wachtkamer").mkdir(parents=True)
    (out / "screens" / "wachtkamer" / "index.html").write_text("<!doctype html>scherm")
    (out / "feeds").mkdir()
    (out / "feeds" / "ouders.nl.rss").write_text("<rss/>")
    for rel in ("screens/wachtkamer/index.html", "feeds/ouders.nl.rss"):
        (out / rel).chmod(0o644)
    (out / "reports").mkdir()
    (out / "reports" / "private.html").write_text("private")
    (out / "reports" / "private.html").chmod(0o600)
    (out / "outbox" / "2027-01-05-newsletter-x").mkdir(parents=True)
    eml = out / "outbox" / "2027-01-05-newsletter-x" / "ann.eml"
    eml.write_text("To: ann@example.org\n\nhallo")
    eml.chmod(0o600)
    (out / "screens" / ".wachtkamer.new.abc").mkdir()
    (out / "screens" / ".wachtkamer.new.abc" / "index.html").write_text("half")
    (out / "screens" / ".wachtkamer.new.abc" / "index.html").chmod(0o644)
    (out / ".env").write_text("SECRET=1")
    (out / "passwd").symlink_to("/etc/passwd")
    (out / "feeds" / "etc").symlink_to("/etc")
    (out / "closed").mkdir(mode=0o700)
    (out / "closed" / "open.html").write_text("in a folder only we may enter")
    (out / "closed" / "open.html").chmod(0o644)
    for name in ("state.db", "state.db-wal", "state.db-shm", "ledger.sqlite", "Old.DB"):
        (out / name).write_bytes(b"SQLite format 3\x00")
        (out / name).chmod(0o644)  # world-readable by mistake: still never served


PRIVATE = (
    "reports/private.html",
    "outbox/2027-01-05-newsletter-x/ann.eml",
    "outbox/2027-01-05-newsletter-x/ANN.eml/../ann.eml",
    "screens/.wachtkamer.new.abc/index.html",
    "screens/.wachtkamer.new.abc/",
    ".env",
    "%2eenv",
    "passwd",
    "feeds/etc/passwd",
    "feeds/etc/",
    "closed/open.html",
    "closed/",
    "state.db",
    "state.db-wal",
    "state.db-shm",
    "ledger.sqlite",
    "Old.DB",
)


def test_only_public_outputs_are_served(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _outputs(out)
    with serving(make_server(out, 0)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        assert httpx.get(base + "screens/wachtkamer/").text == "<!doctype html>scherm"
        assert httpx.get(base + "feeds/ouders.nl.rss").status_code == 200
        missing = httpx.get(base + "no-such-file.html")
        assert missing.status_code == 404
        for rel in PRIVATE:
            reply = httpx.get(base + rel)
            # The same answer as for a file that does not exist: nothing confirms it is there.
            assert (reply.status_code, reply.text) == (404, missing.text), rel
            assert httpx.head(base + rel).status_code == 404, rel
        listing = httpx.get(base)
        assert listing.status_code == 200
        for name in ("screens/", "feeds/", "reports/", "outbox/"):
            assert f'href="{name}"' in listing.text
        for hidden in ("state.db", ".env", "passwd", "closed", "ledger.sqlite", "Old.DB"):
            assert hidden not in listing.text, hidden
        assert "ann.eml" not in httpx.get(base + "outbox/2027-01-05-newsletter-x/").text
        assert "private.html" not in httpx.get(base + "reports/").text
        feeds = httpx.get(base + "feeds/").text
        assert "ouders.nl.rss" in feeds and "etc" not in feeds


def test_a_folder_with_a_private_index_is_not_served(tmp_path: Path) -> None:
    (tmp_path / "screens" / "a").mkdir(parents=True)
    (tmp_path / "screens" / "a" / "index.html").write_text("private")
    (tmp_path / "screens" / "a" / "index.html").chmod(0o600)
    with serving(make_server(tmp_path, 0)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}/screens/a/"
        assert httpx.get(base).status_code == 404


def test_missing_output_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--out", str(tmp_path / "nothing")]) == EXIT_USAGE
    assert "output folder not found" in capsys.readouterr().err


def test_busy_port_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port), "--out", str(tmp_path)]) == EXIT_USAGE
    assert "choose another port" in capsys.readouterr().err


def _inherit_sigint_ignored() -> None:
    # What a non-interactive shell does to a command it starts in the background.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize(
    ("stop", "sigint_ignored_at_start"),
    [(signal.SIGINT, False), (signal.SIGINT, True), (signal.SIGTERM, False)],
    ids=["ctrl-c", "ctrl-c-started-in-background", "sigterm"],
)
def test_serve_command_runs_until_stopped(
    tmp_path: Path, stop: signal.Signals, sigint_ignored_at_start: bool
) -> None:
    (tmp_path / "screens" / "wachtkamer").mkdir(parents=True)
    (tmp_path / "screens" / "wachtkamer" / "index.html").write_text("<!doctype html>scherm")
    with subprocess.Popen(
        [sys.executable, "-m", "flows", "serve", "--port", "0", "--out", str(tmp_path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=_inherit_sigint_ignored if sigint_ignored_at_start else None,  # noqa: PLW1509
    ) as proc:
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()
            assert first.startswith(f"Serving {tmp_path} at http://127.0.0.1:")
            url = first.split(" at ")[1].strip()
            assert proc.stdout.readline().strip() == f"screen wachtkamer: {url}screens/wachtkamer/"
            assert httpx.get(url + "screens/wachtkamer/").text == "<!doctype html>scherm"
            # A browser keeps spare connections open without sending anything on them; stopping
            # must not wait for those.
            port = int(url.rstrip("/").rsplit(":", 1)[1])
            with socket.create_connection(("127.0.0.1", port)):
                time.sleep(0.3)  # the server has accepted it and a thread waits for a request
                proc.send_signal(stop)
                assert proc.wait(10) == EXIT_OK
        finally:
            if proc.poll() is None:
                proc.kill()
