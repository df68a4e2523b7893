"""`veerkracht studio [--content DIR] [--host 127.0.0.1] [--port 8100]`: the editorial web app.

The comms team's studio (flows.studio) under uvicorn. It listens on 127.0.0.1 unless told
otherwise; on any other address it needs a login (VEERKRACHT_STUDIO_PASSWORD or
VEERKRACHT_STUDIO_USER_HEADER) and refuses to start without one (exit 2).
"""

from __future__ import annotations

import argparse
from typing import Any

from flows.cli.common import add_common, add_listen, serve_asgi
from flows.core.i18n import _
from flows.core.settings import load_settings

HOST = "127.0.0.1"
PORT = 8100


def register(sub: Any) -> None:
    """Add the `studio` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "studio", help=_("the comms team's web app: write, check, preview and review messages")
    )
    add_listen(p, HOST, PORT)
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve the studio until Ctrl+C or SIGTERM."""
    from flows.studio.app import build_app
    from flows.studio.security import Access

    settings = load_settings(content_dir=args.content, out_dir=args.out)
    access = Access.for_host(settings, args.host)  # SettingsError: exit 2 with advice
    app = build_app(settings, access)

    def announce(base: str) -> None:
        print(
            _("Veerkracht Studio: open {url}/ in your browser (Ctrl+C stops it).").format(url=base)
        )

    return serve_asgi(settings, app, args.host, args.port, announce)
