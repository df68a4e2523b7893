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
from flows.core.i18n import _, ngettext
from flows.core.text import locate
from flows.library.front_matter import set_review_fields

# Findings about the status itself: the review sets it.
SETTLED_BY_REVIEW = frozenset({"S119"})


def register(sub: Any) -> None:
    """Add the `review` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "review",
        help=_("mark a checked message as reviewed: status gepubliceerd, reviewed_by, reviewed_on"),
        description=_(
            "Check one message; when it has no errors, set status: gepubliceerd, "
            "reviewed_by: NAME and reviewed_on: today in its front matter (nothing else in the "
            "file changes). Exit 1 with the findings when it has errors."
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
    p.add_argument("--by", required=True, metavar=_("NAME"), help=_("who read and approved it"))
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check the message, then write the review fields into its file."""
    from flows.core.clock import today
    from flows.core.settings import load_settings
    from flows.publishing.checking import check_folder

    name = " ".join(str(args.by).split())
    if not name or any(True for _hit in locate(name)):
        print(
            "veerkracht: " + _("--by needs the reviewer's name, like --by 'Sanne de Vries'"),
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
            ngettext(
                "{file}: not reviewed: {n} error to fix first; fix it, run ./veerkracht check, "
                "then review again",
                "{file}: not reviewed: {n} errors to fix first; fix them, run ./veerkracht "
                "check, then review again",
                len(errors),
            ).format(file=rel, n=len(errors))
        )
        return EXIT_ERRORS
    day = today()
    text = path.read_text(encoding="utf-8")
    new = set_review_fields(text, name, day.isoformat())
    if new is None:
        print(
            "veerkracht: "
            + _("{file}: no front matter (between --- lines) found").format(file=rel),
            file=sys.stderr,
        )
        return EXIT_ERRORS
    _write(path, new)
    print(
        _("{file}: reviewed by {name} on {day}; status: gepubliceerd").format(
            file=rel, name=name, day=day.isoformat()
        )
    )
    return EXIT_OK


def _message_path(ref: str, root: Path, messages: list[Any]) -> Path:
    """The file `ref` names: a path, or an id with an optional language (`id.en`)."""
    path = Path(ref)
    if path.suffix == ".md" or path.exists():
        if not path.is_file():
            raise ContentError(_("message file not found: {ref}").format(ref=ref))
        if not path.resolve().is_relative_to(root.resolve()):
            raise ContentError(
                _("{ref} is not in the content folder {root}; move it into messages/ first").format(
                    ref=ref, root=root
                )
            )
        return path
    message_id, _dot, lang = ref.partition(".")
    for m in messages:
        if m.id == message_id and m.lang == (lang or "nl"):
            found: Path = m.path
            return found
    raise ContentError(
        _(
            "no message {ref}; give the file's path, for example "
            "content/messages/slapen/vast-ritme.nl.md"
        ).format(ref=repr(ref))
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
