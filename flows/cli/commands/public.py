"""`veerkracht public [--host 127.0.0.1] [--port 8080]`: the public endpoint under uvicorn.

Serves every channel's public routes (today the newsletter's unsubscribe page `/afmelden`)
with the limits of `flows.publishing.public_app`. It listens on 127.0.0.1 unless told
otherwise: put it behind the web server that answers `VEERKRACHT_PUBLIC_BASE_URL` (TLS there).
Stops on Ctrl+C or SIGTERM, finishing answers in progress.
"""

from __future__ import annotations

import argparse
from typing import Any

from flows.cli.common import add_common, add_listen, serve_asgi
from flows.core.i18n import _
from flows.core.settings import load_settings

HOST = "127.0.0.1"  # flows.publishing.public_app.HOST; that module is imported only to run
PORT = 8080


def register(sub: Any) -> None:
    """Add the `public` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "public", help=_("run the public endpoint (unsubscribe page) behind your web server")
    )
    add_listen(p, HOST, PORT)
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve the public endpoint until Ctrl+C or SIGTERM."""
    # Here, not at the top: uvicorn and the channels are not needed to build the parser.
    from flows.publishing.public_app import build_app, route_paths

    settings = load_settings(content_dir=args.content, out_dir=args.out)
    app = build_app(settings)  # a missing secret is a SettingsError: exit 2 with advice

    def announce(base: str) -> None:
        print(_("Public endpoint at {url}/").format(url=base))
        for path in route_paths(app):
            print(f"  {base}{path}")
        print(_("Press Ctrl+C to stop."))

    return serve_asgi(settings, app, args.host, args.port, announce)
