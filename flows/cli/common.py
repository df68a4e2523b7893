"""What every subcommand shares: exit codes, common options, dates, serving until Ctrl+C.

Exit codes: 0 all well, 1 the content or a delivery has errors, 2 usage error (bad arguments,
missing folder or setting), 3 an unexpected failure of the tool itself.
"""

from __future__ import annotations

import argparse
import signal
import socketserver
import threading
from datetime import date
from pathlib import Path
from typing import Any

from flows.core.i18n import LANGUAGES, _

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_FAILURE = 0, 1, 2, 3


def add_common(parser: argparse.ArgumentParser) -> None:
    """Options every command takes."""
    parser.add_argument(
        "--content",
        type=Path,
        default=None,
        metavar="DIR",
        help="content folder (default: ./content or VEERKRACHT_CONTENT_DIR)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, metavar="DIR", help="output folder (default: ./out)"
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="language of findings, summaries and errors (default: nl or VEERKRACHT_LANG)",
    )


def iso_date(text: str) -> date:
    """An argparse type for --date: YYYY-MM-DD, with advice instead of Python's wording."""
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


def serve_until_interrupted(server: socketserver.BaseServer) -> int:
    """Serve until Ctrl+C or SIGTERM, then close the socket; the exit code of a server command.

    Both signals get our handler even when the process inherited them ignored (a script that
    starts the server in the background does that to SIGINT), so the server always stops.
    """
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():  # signals only work there
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return EXIT_OK
