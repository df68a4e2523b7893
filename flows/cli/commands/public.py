"""`veerkracht public [--host 127.0.0.1] [--port 8080]`: the public endpoint under uvicorn.

Serves every channel's public routes (today the newsletter's unsubscribe page `/afmelden`)
with the limits of `flows.publishing.public_app`. It listens on 127.0.0.1 unless told
otherwise: put it behind the web server that answers `VEERKRACHT_PUBLIC_BASE_URL` (TLS there).
Stops on Ctrl+C or SIGTERM, finishing answers in progress.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from flows.cli.common import EXIT_OK, EXIT_USAGE, add_common
from flows.core.settings import load_settings

HOST = "127.0.0.1"  # flows.publishing.public_app.HOST; that module is imported only to run
PORT = 8080


def register(sub: Any) -> None:
    """Add the `public` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "public", help="run the public endpoint (unsubscribe page) behind your web server"
    )
    p.add_argument("--host", default=HOST, help=f"address to listen on (default {HOST})")
    p.add_argument("--port", type=int, default=PORT, help=f"port (default {PORT}; 0: any free)")
    add_common(p)
    p.set_defaults(run=run)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    """Serve the public endpoint until Ctrl+C or SIGTERM."""
    # Here, not at the top: uvicorn and the channels are not needed to build the parser.
    from flows.publishing.public_app import bind, build_app, make_server, route_paths

    settings = load_settings(content_dir=args.content, out_dir=args.out)
    app = build_app(settings)  # a missing secret is a SettingsError: exit 2 with advice
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
    print(f"Public endpoint at http://{shown}:{port}/")
    for path in route_paths(app):
        print(f"  http://{shown}:{port}{path}")
    print("Press Ctrl+C to stop.")
    sys.stdout.flush()
    # uvicorn stops gracefully on these signals, then raises them again for the handler it
    # found: ours ends the command with exit 0, also when SIGINT was inherited ignored.
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, _stop)
    try:
        make_server(settings, app).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return EXIT_OK
