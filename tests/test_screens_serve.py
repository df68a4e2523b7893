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
