"""`veerkracht serve [--port 8000] [--out DIR]`: preview the outputs on http://127.0.0.1.

Serves the public outputs in the output folder read-only on the loopback address only (never on
the network), so the comms team can look at a waiting-room screen in a browser. In production
any static web server serves the same folder.

Only what is public is served; everything else is 404 (never 403: that would confirm it exists)
and left out of folder listings (`is_public`): a file or folder that is not world-readable (the
outputs are written 0644, a recipient's outbox message 0600), a dot-file or dot-folder (staging
folders), anything whose real path leaves the output folder (a symlink to /etc/passwd), and any
SQLite database file (`*.db`, `*.db-wal`, `*.db-shm`, `*.sqlite`, ...) whatever its mode.
"""

from __future__ import annotations

import argparse
import functools
import html
import io
import os
import re
import stat
import sys
import urllib.parse
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from flows.cli.common import EXIT_USAGE, add_common, serve_until_interrupted
from flows.core.i18n import N_, _, current_language
from flows.core.settings import load_settings

HOST = "127.0.0.1"
NOT_FOUND = N_("This file does not exist, or it is not public.")
# SQLite databases and their journals, whatever someone named them: never served.
DATABASE = re.compile(r"\.(db|sqlite3?)(-wal|-shm|-journal)?$", re.IGNORECASE)


def _private_name(parts: tuple[str, ...]) -> bool:
    return any(p.startswith(".") for p in parts) or bool(parts and DATABASE.search(parts[-1]))


def _world_readable(root: Path, parts: tuple[str, ...]) -> bool:
    """Every folder below `root` down to the last part, and the last part itself, is readable
    (and folders searchable) by any user, and each is a plain file or folder."""
    current = root
    for part in parts:
        current = current / part
        mode = current.stat().st_mode  # follows a symlink: what would be served
        if stat.S_ISDIR(mode):
            if mode & (stat.S_IROTH | stat.S_IXOTH) != stat.S_IROTH | stat.S_IXOTH:
                return False
        elif not (stat.S_ISREG(mode) and mode & stat.S_IROTH):
            return False
    return True


def is_public(root: Path, path: Path) -> bool:
    """True when `path` (inside `root`, resolved) is a public output that may be served.

    Checked both for the path as asked and for its real path: no dot part, not a database,
    world-readable all the way down, and the real path still inside `root`.
    """
    try:
        asked = path.relative_to(root).parts
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(root):
            return False
        found = real.relative_to(root).parts
        if _private_name(asked) or _private_name(found):
            return False
        return _world_readable(root, asked) and _world_readable(root, found)
    except (OSError, ValueError):  # gone, unreadable, or a name the system refuses
        return False


class QuietHandler(SimpleHTTPRequestHandler):
    """Public static files without request logging, never cached, typed for feeds and
    playlists; anything private is 404 (see the module docstring)."""

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

    @property
    def error_message_format(self) -> str:  # type: ignore[override]
        """The error page (404...) in the language of the person previewing; the base class
        fills in %(code)d and %(message)s."""
        title = html.escape(_("Error {code}").format(code="%(code)d"), quote=False)
        return (
            f'<!DOCTYPE html>\n<html lang="{current_language()}"><head><meta charset="utf-8">'
            f"<title>{title}</title></head>\n<body><h1>{title}</h1>\n"
            "<p>%(message)s</p>\n</body></html>\n"
        )

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the terminal quiet; errors still show in the browser."""

    def send_head(self) -> Any:
        """404 for anything private, before the base class looks at it."""
        root = Path(self.directory)
        path = Path(self.translate_path(self.path))
        if not is_public(root, path):
            self.send_error(HTTPStatus.NOT_FOUND, _(NOT_FOUND))
            return None
        if path.is_dir():
            for index in ("index.html", "index.htm"):  # the base class would serve these
                if os.path.lexists(path / index) and not is_public(root, path / index):
                    self.send_error(HTTPStatus.NOT_FOUND, _(NOT_FOUND))
                    return None
        return super().send_head()

    def list_directory(self, path: str | os.PathLike[str]) -> io.BytesIO | None:
        """A listing of a public folder with only its public entries."""
        root, folder = Path(self.directory), Path(path)
        try:
            names = sorted(
                (n for n in os.listdir(folder) if is_public(root, folder / n)), key=str.lower
            )
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, _(NOT_FOUND))
            return None
        shown = html.escape(urllib.parse.unquote(self.path.split("?", 1)[0]), quote=False)
        items = []
        for name in names:
            slash = "/" if (folder / name).is_dir() else ""
            link = urllib.parse.quote(name + slash, errors="surrogatepass")
            items.append(f'<li><a href="{link}">{html.escape(name + slash, quote=False)}</a></li>')
        page = (
            f'<!DOCTYPE html>\n<html lang="{current_language()}"><head><meta charset="utf-8">'
            f"<title>{shown}</title></head>\n<body><h1>{shown}</h1>\n<ul>\n"
            + "\n".join(items)
            + "\n</ul>\n</body></html>\n"
        ).encode("utf-8", "surrogateescape")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        return io.BytesIO(page)


def make_server(root: Path, port: int = 8000, host: str = HOST) -> ThreadingHTTPServer:
    """An HTTP server for the public outputs in `root` on the loopback address (port 0 picks a
    free port)."""
    handler = functools.partial(QuietHandler, directory=str(root.resolve()))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def register(sub: Any) -> None:
    """Add the `serve` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "serve", help=_("preview the outputs (screens, feeds, reports) on http://127.0.0.1")
    )
    p.add_argument("--port", type=int, default=8000, help=_("port on 127.0.0.1 (default 8000)"))
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve the output folder until Ctrl+C."""
    settings = load_settings(content_dir=args.content, out_dir=args.out)
    root = settings.out_dir
    if not root.is_dir():
        text = _(
            "output folder not found: {path}; run `veerkracht publish` first or name the folder "
            "with --out DIR"
        ).format(path=root)
        print(f"veerkracht: {text}", file=sys.stderr)
        return EXIT_USAGE
    try:
        server = make_server(root, args.port)
    except OSError as exc:
        text = _(
            "cannot listen on {host}:{port} ({reason}); choose another port with --port"
        ).format(host=HOST, port=args.port, reason=exc.strerror)
        print(f"veerkracht: {text}", file=sys.stderr)
        return EXIT_USAGE
    port = server.server_address[1]
    print(_("Serving {path} at {url}").format(path=root, url=f"http://{HOST}:{port}/"))
    real = root.resolve()
    screens = sorted(
        p.name
        for p in (real / "screens").glob("*")
        if p.is_dir() and p.name != "_versions" and is_public(real, p)
    )
    for name in screens:
        url = f"http://{HOST}:{port}/screens/{name}/"
        print("  " + _("screen {name}: {url}").format(name=name, url=url))
    print(_("Press Ctrl+C to stop."))
    sys.stdout.flush()
    return serve_until_interrupted(server)
