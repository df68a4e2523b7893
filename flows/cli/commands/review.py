"""`veerkracht review MESSAGE --by NAME`: mark a checked message as reviewed and published.

After a clean check of that message (the whole content folder is read, so duplicates count) it
sets `status: gepubliceerd`, `reviewed_by: NAME` and `reviewed_on: <today>` in the file's front
matter, editing only those lines: comments, field order and the text stay as written. A message
with errors is refused with its findings (exit 1); its status findings (S119) do not count,
since the review is what settles them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from flows.cli.common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, add_common
from flows.core.errors import ContentError
from flows.core.findings import Severity
from flows.core.text import locate

# Findings about the status itself: the review sets it.
SETTLED_BY_REVIEW = frozenset({"S119"})
_FIELD = re.compile(
    r"^(?P<key>status|reviewed_by|reviewed_on)[ \t]*:(?P<rest>.*?)(?P<eol>\r?\n?)$", re.DOTALL
)
_PLAIN_NAME = re.compile(r"[A-Za-zÀ-ÿ][\w .'À-ÿ-]*")


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


def yaml_text(value: str) -> str:
    """A name as YAML reads it back unchanged: plain when safe, else double-quoted."""
    if _PLAIN_NAME.fullmatch(value) and not value.endswith(" ") and ": " not in value:
        return value
    return json.dumps(value, ensure_ascii=False)


def set_review_fields(text: str, name: str, day: str) -> str | None:
    """`text` with status, reviewed_by and reviewed_on set in its front matter; each field's
    line is replaced where it is written (a comment after it is kept), missing ones are added
    after `status:` (or at the end of the front matter). None without front matter."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].lstrip("\ufeff").rstrip() != "---":
        return None
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        return None
    eol = "\r\n" if lines[0].endswith("\r\n") else "\n"
    values = {"status": "gepubliceerd", "reviewed_by": yaml_text(name), "reviewed_on": day}
    where: dict[str, int] = {}
    for i in range(1, close):
        m = _FIELD.match(lines[i])
        if m and m["key"] not in where:
            where[m["key"]] = i
            comment = re.search(r"[ \t]+#.*$", m["rest"]) if m["key"] == "status" else None
            tail = comment.group(0) if comment else ""
            lines[i] = f"{m['key']}: {values[m['key']]}{tail}{m['eol'] or eol}"
    after = where.get("status", close - 1)
    if "status" not in where:
        lines.insert(close, f"status: {values['status']}{eol}")
        after = close
    for key in ("reviewed_by", "reviewed_on"):
        if key in where:
            after = max(after, where[key])
            continue
        if not lines[after].endswith("\n"):
            lines[after] += eol
        lines.insert(after + 1, f"{key}: {values[key]}{eol}")
        after += 1
    return "".join(lines)


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
