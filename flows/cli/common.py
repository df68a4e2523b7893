"""What every subcommand shares: exit codes, common options, dates, serving until Ctrl+C.

Exit codes: 0 all well, 1 the content or a delivery has errors, 2 usage error (bad arguments,
missing folder or setting), 3 an unexpected failure of the tool itself.
"""

from __future__ import annotations

import argparse
import signal
import socketserver
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.core.i18n import LANGUAGES, _

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from flows.core.settings import Settings

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_FAILURE = 0, 1, 2, 3


def add_common(parser: argparse.ArgumentParser) -> None:
    """Options every command takes."""
    parser.add_argument(
        "--content",
        type=Path,
        default=None,
        metavar=_("DIR"),
        help=_("content folder (default: ./content or VEERKRACHT_CONTENT_DIR)"),
    )
    parser.add_argument(
        "--out", type=Path, default=None, metavar=_("DIR"), help=_("output folder (default: ./out)")
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help=_("language of findings, summaries and errors (default: nl or VEERKRACHT_LANG)"),
    )


def add_listen(parser: argparse.ArgumentParser, host: str, port: int) -> None:
    """`--host` and `--port` of a command that serves an ASGI app (`serve_asgi`)."""
    parser.add_argument(
        "--host", default=host, help=_("address to listen on (default {host})").format(host=host)
    )
    parser.add_argument(
        "--port",
        type=int,
        default=port,
        help=_("port (default {port}; 0: any free)").format(port=port),
    )


def iso_date(text: str) -> date:
    """An argparse type for --date: YYYY-MM-DD, with advice instead of Python's wording.

    It runs while the arguments are read, before --lang is known to argparse; `main` builds and
    runs the parser in the language of the pre-scanned --lang (`flows.cli.words`), so the advice
    follows --lang too."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("'{text}' is not a date; write it as YYYY-MM-DD, for example 2027-01-04").format(
                text=text
            )
        ) from None


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextmanager
def stopping_on_signals() -> Iterator[None]:
    """Run the body until Ctrl+C or SIGTERM, which end it quietly.

    Both signals get our handler even when the process inherited them ignored (a script that
    starts the server in the background does that to SIGINT), so the server always stops; the
    previous handlers are put back afterwards.
    """
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():  # signals only work there
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, _stop)
    try:
        yield
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def serve_until_interrupted(server: socketserver.BaseServer) -> int:
    """Serve until Ctrl+C or SIGTERM, then close the socket; the exit code of a server command."""
    with stopping_on_signals():
        try:
            server.serve_forever()
        finally:
            server.server_close()
    return EXIT_OK


def serve_asgi(
    settings: Settings, app: ASGIApp, host: str, port: int, announce: Callable[[str], None]
) -> int:
    """Serve an ASGI app under uvicorn with the public endpoint's limits until Ctrl+C or
    SIGTERM (answers in progress are finished); `announce` gets the base URL once listening.
    A port that cannot be had is a usage error (exit 2) with advice."""
    # Here, not at the top: uvicorn is not needed to build the parser.
    from flows.publishing.public_app import bind, make_server

    try:
        sock = bind(host, port)
    except (OSError, OverflowError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        text = _(
            "cannot listen on {host}:{port} ({reason}); choose another port with --port or "
            "address with --host"
        ).format(host=host, port=port, reason=reason)
        print(f"veerkracht: {text}", file=sys.stderr)
        return EXIT_USAGE
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    announce(f"http://{shown}:{bound_port}")
    sys.stdout.flush()
    # uvicorn stops gracefully on these signals, then raises them again for the handler it
    # found: ours ends the command with exit 0.
    with stopping_on_signals():
        try:
            make_server(settings, app).run(sockets=[sock])
        finally:
            sock.close()
    return EXIT_OK
