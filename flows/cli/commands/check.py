"""`veerkracht check [PATH] [--format text|json]`: every check, no Prefect.

PATH is the content folder, or a file or folder inside it: then the whole content folder is
checked (a duplicate id needs the other files) and only that part's findings are shown.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from flows.cli.common import EXIT_ERRORS, EXIT_OK, add_common
from flows.core.errors import ContentError
from flows.core.findings import has_errors, summary, to_json
from flows.core.i18n import _, ngettext
from flows.core.settings import load_settings
from flows.publishing.checking import check_folder


def register(sub: Any) -> None:
    """Add the `check` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser("check", help=_("check the content for problems"))
    p.add_argument(
        "content_dir",
        nargs="?",
        type=Path,
        default=None,
        metavar=_("PATH"),
        help=_("the content folder (default ./content), or one message file or folder in it"),
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_common(p)
    p.set_defaults(run=run)


_CONTENT_MARKS = ("messages", "campaigns", "screens.yaml", "style.yaml", "sources.yaml")


def _looks_like_content(folder: Path) -> bool:
    return folder.is_dir() and any((folder / mark).exists() for mark in _CONTENT_MARKS)


def content_and_part(path: Path) -> tuple[Path, Path | None]:
    """The content folder to check, and the file or folder in it to report on (None: all).

    Raises ContentError with advice when `path` is neither content nor inside it.
    """
    if _looks_like_content(path):
        return path, None
    if path.exists():
        for parent in path.parents:
            if _looks_like_content(parent):
                return parent, path
    if not path.exists():
        raise ContentError(
            _("content folder not found: {folder} (use --content DIR)").format(folder=path)
        )
    if path.is_file():
        text = _(
            "{path} is not a content folder or a file in one; give the folder that holds "
            "messages/ and campaigns/ (or a message file in it)"
        )
    else:
        text = _(
            "{path} is not a content folder or a folder in one; give the folder that holds "
            "messages/ and campaigns/ (or a message file in it)"
        )
    raise ContentError(text.format(path=path))


def run(args: argparse.Namespace) -> int:
    """Load and check; print findings like a compiler."""
    settings = load_settings(content_dir=args.content_dir or args.content, out_dir=args.out)
    root, part = content_and_part(settings.content_dir)
    checked = check_folder(root, settings)
    library, findings, files = checked.library, checked.findings, checked.files
    if part is not None:
        where = library.rel(part)
        findings = [f for f in findings if f.path == where or f.path.startswith(where + "/")]
        files = (
            1
            if part.is_file()
            else sum(
                1 for p in part.rglob("*") if p.is_file() and p.suffix in (".md", ".yaml", ".yml")
            )
        )
    if args.format == "json":
        print(to_json(findings))
    else:
        for f in sorted(findings):
            print(f.format())
        print(summary(findings, files))
        if library.drafts_waiting and part is None:
            waiting = library.drafts_waiting
            print(
                ngettext(
                    "{n} draft in inbox/ waits for review",
                    "{n} drafts in inbox/ wait for review",
                    waiting,
                ).format(n=waiting)
            )
    sys.stdout.flush()
    return EXIT_ERRORS if has_errors(findings) else EXIT_OK
