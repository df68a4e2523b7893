"""`veerkracht review MESSAGE --by NAME`: mark a checked message as reviewed and published.

After a clean check of that message (the whole content folder is read, so duplicates count) it
sets `status: gepubliceerd`, `reviewed_by: NAME` and `reviewed_on: <today>` in the file's front
matter, editing only those lines: comments, field order and the text stay as written. A message
with errors is refused with its findings (exit 1); its status findings (S119) do not count,
since the review is what settles them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from flows.cli.common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, add_common
from flows.core.errors import ContentError
from flows.core.findings import Severity
from flows.core.text import locate
from flows.library.front_matter import set_review_fields

# Findings about the status itself: the review sets it.
SETTLED_BY_REVIEW = frozenset({"S119"})


def register(sub: Any) -> None:
    """Add the `review` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "review",
        help="mark a checked message as reviewed: status gepubliceerd, reviewed_by, reviewed_on",
        description="Check one message; when it has no errors, set status: gepubliceerd, "
        "reviewed_by: NAME and reviewed_on: today in its front matter (nothing else in the "
        "file changes). Exit 1 with the findings when it has errors.",
    )
    p.add_argument(
        "message",
        metavar="MESSAGE",
        help="the message file (content/messages/slapen/vast-ritme.nl.md) or its id "
        "(vast-ritme, vast-ritme.en)",
    )
    p.add_argument("--by", required=True, metavar="NAME", help="who read and approved it")
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check the message, then write the review fields into its file."""
    from flows.core.clock import today
    from flows.core.settings import load_settings
    from flows.publishing.checking import check_folder

    name = " ".join(str(args.by).split())
    if not name or any(True for _ in locate(name)):
        print(
            "veerkracht: --by needs the reviewer's name, like --by 'Sanne de Vries'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    settings = load_settings(content_dir=args.content, out_dir=args.out)
    checked = check_folder(settings.content_dir, settings)
    library = checked.library
    path = _message_path(args.message, library.root, [*library.messages, *library.unloaded])
    rel = library.rel(path)
    mine = [f for f in checked.findings if f.path == rel]
    errors = [f for f in mine if f.severity is Severity.ERROR and f.code not in SETTLED_BY_REVIEW]
    for f in sorted(mine):
        if f.code not in SETTLED_BY_REVIEW:
            print(f.format())
    if errors:
        print(
            f"{rel}: not reviewed: {len(errors)} error{'s' if len(errors) != 1 else ''} to fix "
            "first; fix them, run ./veerkracht check, then review again"
        )
        return EXIT_ERRORS
    day = today()
    text = path.read_text(encoding="utf-8")
    new = set_review_fields(text, name, day.isoformat())
    if new is None:
        print(f"veerkracht: {rel}: no front matter (between --- lines) found", file=sys.stderr)
        return EXIT_ERRORS
    _write(path, new)
    print(f"{rel}: reviewed by {name} on {day.isoformat()}; status: gepubliceerd")
    return EXIT_OK


def _message_path(ref: str, root: Path, messages: list[Any]) -> Path:
    """The file `ref` names: a path, or an id with an optional language (`id.en`)."""
    path = Path(ref)
    if path.suffix == ".md" or path.exists():
        if not path.is_file():
            raise ContentError(f"message file not found: {ref}")
        if not path.resolve().is_relative_to(root.resolve()):
            raise ContentError(
                f"{ref} is not in the content folder {root}; move it into messages/ first"
            )
        return path
    message_id, _, lang = ref.partition(".")
    for m in messages:
        if m.id == message_id and m.lang == (lang or "nl"):
            found: Path = m.path
            return found
    raise ContentError(
        f"no message {ref!r}; give the file's path, for example "
        "content/messages/slapen/vast-ritme.nl.md"
    )


def _write(path: Path, text: str) -> None:
    """Replace the file in one rename, keeping its permissions."""
    mode = path.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
