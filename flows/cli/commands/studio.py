"""`veerkracht studio [--content DIR] [--host 127.0.0.1] [--port 8100]`: the editorial web app.

The comms team's studio (flows.studio) under uvicorn. It listens on 127.0.0.1 unless told
otherwise; on any other address it needs a login (VEERKRACHT_STUDIO_PASSWORD or
VEERKRACHT_STUDIO_USER_HEADER) and refuses to start without one (exit 2).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from flows.cli.common import EXIT_OK, EXIT_USAGE, add_common
from flows.core.settings import load_settings

HOST = "127.0.0.1"
PORT = 8100


def register(sub: Any) -> None:
    """Add the `studio` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "studio", help="the comms team's web app: write, check, preview and review messages"
    )
    p.add_argument("--host", default=HOST, help=f"address to listen on (default {HOST})")
    p.add_argument("--port", type=int, default=PORT, help=f"port (default {PORT}; 0: any free)")
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve the studio until Ctrl+C."""
    from flows.publishing.public_app import bind, make_server
    from flows.studio.app import build_app
    from flows.studio.security import Access

    settings = load_settings(content_dir=args.content, out_dir=args.out)
    access = Access.for_host(settings, args.host)  # SettingsError: exit 2 with advice
    app = build_app(settings, access)
    try:
        sock = bind(args.host, args.port)
    except (OSError, OverflowError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        print(
            f"veerkracht: cannot listen on {args.host}:{args.port} ({reason}); "
            "choose another port with --port or address with --host",
            file=sys.stderr,
        )
        return EXIT_USAGE
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"Veerkracht Studio: open http://{shown}:{port}/ in je browser (Ctrl+C stopt).")
    sys.stdout.flush()
    try:
        make_server(settings, app).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return EXIT_OK
