"""`veerkracht preview MESSAGE [--date DATE]`: see one message as a slide and in a newsletter."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from flows.cli.common import EXIT_ERRORS, EXIT_OK, add_common, iso_date
from flows.core.findings import has_errors
from flows.core.i18n import _


def register(sub: Any) -> None:
    """Add the `preview` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "preview",
        help=_("show one message as a screen slide and in a newsletter (sends nothing)"),
        description=_(
            "Write out/preview/<id>.<lang>/ with the waiting-room slide and the "
            "newsletter block for one message, and list its check findings. Sends nothing. "
            "Exit 1 when the message has errors."
        ),
    )
    p.add_argument(
        "message",
        metavar=_("MESSAGE"),
        help=_(
            "the message file (content/messages/slapen/vast-ritme.nl.md) or its id "
            "(vast-ritme, vast-ritme.en)"
        ),
    )
    p.add_argument(
        "--date",
        type=iso_date,
        default=None,
        metavar=_("DATE"),
        help=_("the day to check and date it for (YYYY-MM-DD; default today)"),
    )
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Preview the message and print where to look."""
    from flows.core.clock import today as today_local
    from flows.core.errors import DeliveryError
    from flows.core.settings import load_settings
    from flows.library.loader import load_library
    from flows.publishing.inputs import load_inputs
    from flows.publishing.preview import find_message, preview_message

    settings = load_settings(content_dir=args.content, out_dir=args.out)
    library = load_library(settings.content_dir)
    library, message = find_message(library, args.message)  # ContentError: exit 2 with advice
    inputs = load_inputs(settings, library)
    day = args.date or today_local()
    try:
        result = preview_message(library, message, settings, day, inputs, register_links=True)
    except DeliveryError as exc:  # for example a line break in the title
        text = _("{file}: cannot be shown: {error}").format(
            file=library.rel(message.path), error=exc
        )
        print(f"veerkracht: {text}", file=sys.stderr)
        return EXIT_ERRORS
    for f in result.findings:
        print(f.format())
    for note in result.notes:
        print(_("note: {note}").format(note=note))
    print(f"{library.rel(message.path)}: {message.title}")
    for path in result.files:
        print(f"  {_shown(path)}")
    return EXIT_ERRORS if has_errors(result.findings) else EXIT_OK


def _shown(path: Path) -> str:
    """A path relative to where the command runs, when it is below it. Links are not followed:
    the slide's folder is a link to a version folder that a later preview replaces."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)
