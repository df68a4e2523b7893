"""The one rule for text that may become a header, a file name, a URL or Markdown.

A character is *unsafe* when it can break a line where people do not see one, or change how the
text around it reads, without being visible itself:

- control characters (C0 apart from tab, line feed and carriage return; DEL; C1, which holds
  NEL, U+0085): a mail header or a CSV row ends at some of them, Python's `splitlines` at more;
- the Unicode line and paragraph separators (U+2028, U+2029): YAML, JavaScript and mail
  libraries treat them as line breaks, an editor often shows nothing;
- bidi controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069): they reverse or
  reorder what is shown, so "gpj.exe" can read as "exe.jpg" and a subject can lie.

Where text enters (loader, partner list, settings, ingest) an unsafe character is a finding at
its line (`locate`, `problem`); where text leaves (MIME headers, artifacts, reports) it is
refused or removed again (`one_line`), so no later step meets one by surprise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from flows.core.i18n import _

ALLOWED_CONTROLS = frozenset("\t\n\r")
SEPARATORS = frozenset("\u2028\u2029")
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Names Python's unicodedata does not give (control characters have none).
_NAMES = {
    "\x00": "NUL",
    "\x0b": "VERTICAL TAB",
    "\x0c": "FORM FEED",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
    "\x85": "NEXT LINE",
}


def is_unsafe(ch: str) -> bool:
    """True for a control character (not tab, LF, CR), a line separator or a bidi control."""
    code = ord(ch)
    if code < 0x20:
        return ch not in ALLOWED_CONTROLS
    if code < 0x7F:
        return False
    return code <= 0x9F or ch in SEPARATORS or ch in BIDI


# The same set as `is_unsafe`, as one character class: a regex scan is ~50x faster than a
# Python loop over every character of a message (bench/check.py).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + "".join(sorted(SEPARATORS | BIDI)) + "]"
)


def has_unsafe(text: str) -> bool:
    """True when `text` holds at least one unsafe character."""
    if text.isascii() and text.isprintable():
        return False
    return _UNSAFE.search(text) is not None


def describe(ch: str) -> str:
    """`U+202E (RIGHT-TO-LEFT OVERRIDE)`: how a finding names an invisible character."""
    name = _NAMES.get(ch) or unicodedata.name(ch, "CONTROL CHARACTER")
    return f"U+{ord(ch):04X} ({name})"


@dataclass(frozen=True)
class Unsafe:
    """One unsafe character: its 1-based line (counted by line feeds) and column."""

    line: int
    column: int
    char: str


def locate(text: str, first_line: int = 1) -> Iterator[Unsafe]:
    """Every unsafe character of `text`, by line and column as an editor counts them.

    Lines are counted by line feeds only: a separator does not start a new line here, so the
    line numbers match the editor's and the findings of other checks.
    """
    if not has_unsafe(text):
        return
    for offset, row in enumerate(text.split("\n")):
        for column, ch in enumerate(row, 1):
            if is_unsafe(ch):
                yield Unsafe(first_line + offset, column, ch)


def problem(text: str, what: str) -> str | None:
    """Why `text` may not be used as `what` ("the organisation name"), with the fix; or None."""
    for found in locate(text):
        return _(
            "{what} contains the invisible character {char}, which breaks the line or turns "
            "the text around where it is shown; delete it (retype the words around it)"
        ).format(what=what, char=describe(found.char))
    return None


def one_line(text: str) -> str:
    """`text` for an outgoing edge: unsafe characters and line breaks become one space (bidi
    controls are removed), runs of spaces are kept as they are."""
    if text.isascii() and text.isprintable():
        return text
    out = []
    for ch in text:
        if ch in BIDI:
            continue
        out.append(" " if is_unsafe(ch) or ch in "\t\n\r" else ch)
    return "".join(out)
