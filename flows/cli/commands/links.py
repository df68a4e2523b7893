"""`veerkracht links [CONTENT_DIR] [--format text|json] [--no-cache]`: check every web link."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flows.cli.common import EXIT_ERRORS, EXIT_OK, add_common
from flows.core.findings import has_errors
from flows.core.i18n import _
from flows.core.settings import load_settings
from flows.library.loader import load_library
from flows.linkcheck.report import to_json
from flows.linkcheck.run import Progress, run_link_check


def register(sub: Any) -> None:
    """Add the `links` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "links",
        help=_("check every web link in the messages"),
        description=_(
            "Check every http(s) link once (politely, with a cache). "
            "Exit 1 when a link is broken or malformed."
        ),
    )
    p.add_argument("content_dir", nargs="?", type=Path, default=None, metavar=_("CONTENT_DIR"))
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help=_("check every link again, even if checked recently"),
    )
    add_common(p)
    p.set_defaults(run=run)


@contextmanager
def _progress_bar() -> Iterator[Progress | None]:
    """A rich progress bar on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    bar = RichProgress(
        TextColumn("checking links"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("links", total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update


def run(args: argparse.Namespace) -> int:
    """Check the links and print findings (text) or one row per URL (json)."""
    settings = load_settings(content_dir=args.content_dir or args.content, out_dir=args.out)
    library = load_library(settings.content_dir)
    with _progress_bar() as progress:
        report = run_link_check(library, settings, use_cache=not args.no_cache, progress=progress)
    if args.format == "json":
        print(to_json(report))
    else:
        for f in sorted(report.findings):
            print(f.format())
        print(report.summary())
    sys.stdout.flush()
    return EXIT_ERRORS if has_errors(report.findings) else EXIT_OK
