"""`veerkracht check [CONTENT_DIR] [--format text|json]`: every check, no Prefect."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from flows.checks import check_folder
from flows.cli import EXIT_ERRORS, EXIT_OK, add_common
from flows.findings import has_errors, summary, to_json
from flows.settings import load_settings


def register(sub: Any) -> None:
    """Add the `check` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser("check", help="check the content for problems")
    p.add_argument("content_dir", nargs="?", type=Path, default=None, metavar="CONTENT_DIR")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load and check; print findings like a compiler."""
    settings = load_settings(content_dir=args.content_dir or args.content, out_dir=args.out)
    library, findings = check_folder(settings.content_dir)
    if args.format == "json":
        print(to_json(findings))
    else:
        for f in sorted(findings):
            print(f.format())
        print(summary(findings, library.files))
        if library.drafts_waiting:
            print(f"{library.drafts_waiting} draft(s) in inbox/ wait for review")
    sys.stdout.flush()
    return EXIT_ERRORS if has_errors(findings) else EXIT_OK
