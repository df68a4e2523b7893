"""`veerkracht serve [--port 8000] [--out DIR]`: preview the outputs on http://127.0.0.1.

Serves the output folder read-only on the loopback address only (never on the network), so the
comms team can look at a waiting-room screen in a browser. In production any static web server
serves the same folder.
"""

from __future__ import annotations

import argparse
import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from flows.cli.common import EXIT_USAGE, add_common, serve_until_interrupted
from flows.core.settings import load_settings

HOST = "127.0.0.1"


class QuietHandler(SimpleHTTPRequestHandler):
    """Static files without request logging, never cached, typed for feeds and playlists."""

    extensions_map = {  # noqa: RUF012 - the base class declares it as a plain dict
        **SimpleHTTPRequestHandler.extensions_map,
        ".json": "application/json",
        ".rss": "application/rss+xml; charset=utf-8",
        ".atom": "application/atom+xml; charset=utf-8",
        ".html": "text/html; charset=utf-8",
        ".svg": "image/svg+xml",
    }

    def end_headers(self) -> None:
        # Screens poll playlist.json: a cached copy would hide a new playlist.
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the terminal quiet; errors still show in the browser."""


def make_server(root: Path, port: int = 8000, host: str = HOST) -> ThreadingHTTPServer:
    """An HTTP server for `root` on the loopback address (port 0 picks a free port)."""
    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def register(sub: Any) -> None:
    """Add the `serve` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "serve", help="preview the outputs (screens, feeds, reports) on http://127.0.0.1"
    )
    p.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve the output folder until Ctrl+C."""
    settings = load_settings(content_dir=args.content, out_dir=args.out)
    root = settings.out_dir
    if not root.is_dir():
        print(
            f"veerkracht: output folder not found: {root}; run `veerkracht publish` first "
            "or name the folder with --out DIR",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        server = make_server(root, args.port)
    except OSError as exc:
        print(
            f"veerkracht: cannot listen on {HOST}:{args.port} ({exc.strerror}); "
            "choose another port with --port",
            file=sys.stderr,
        )
        return EXIT_USAGE
    port = server.server_address[1]
    print(f"Serving {root} at http://{HOST}:{port}/")
    screens = sorted(
        p.name for p in (root / "screens").glob("*") if p.is_dir() and not p.name.startswith(".")
    )
    for name in screens:
        print(f"  screen {name}: http://{HOST}:{port}/screens/{name}/")
    print("Press Ctrl+C to stop.")
    sys.stdout.flush()
    return serve_until_interrupted(server)
