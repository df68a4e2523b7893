"""The Markdown cell rule: text put in a report shows literally, on one line, inside its cell.

Report text comes from content, feeds and servers (titles, finding messages, error texts), so it
must not be able to break a table row, link somewhere, open a code span or become HTML. Decided:

- every run of whitespace (newline, CR, tab, U+2028/U+2029, NEL, no-break space...) becomes one
  space and the ends are trimmed: any line ending inside a cell ends the table row;
- control and invisible formatting characters (NUL, ESC, bidi overrides, zero-width space) are
  removed; the zero-width joiners stay, emoji and some scripts need them;
- every character that can start Markdown or HTML inside a line is backslash-escaped, so it
  shows as itself: backslash, pipe, backtick, `*`, `_`, `~`, `[`, `]`, `<`, `>`, `&`;
- empty text becomes `empty` ("" unless the report wants a dash).

The same text is safe in a list item or as link text, so reports use it there too.
"""

from __future__ import annotations

import re
import unicodedata

_SPECIAL = re.compile(r"([\\|`*_~\[\]<>&])")
_JOINERS = frozenset("\u200c\u200d")
_INVISIBLE = frozenset(("Cc", "Cf"))


def _visible(text: str) -> str:
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        ch
        for ch in text
        if ch.isspace() or ch in _JOINERS or unicodedata.category(ch) not in _INVISIBLE
    )


def cell(text: object, *, empty: str = "") -> str:
    """`text` as one Markdown table cell (or inline text) that shows exactly its words."""
    line = " ".join(_visible(str(text)).split())
    return _SPECIAL.sub(r"\\\1", line) or empty


_SAFE_TARGET = "/:.-_~%#?=&+,;@!$'*"


def link(label: object, target: str) -> str:
    """`[label](target)` with the label escaped as a cell, when the target is an http(s) URL or a
    relative path; any other target (`javascript:`, `data:`, `file:`, `//host`) gives the label
    alone, so a report or Prefect artifact never links anywhere but the web or its own folder.
    The target is percent-encoded where Markdown would end it (spaces, brackets, `<`, `>`)."""
    from urllib.parse import quote, urlsplit

    text = cell(label, empty="link")
    plain = target.strip()
    try:
        scheme = urlsplit(plain).scheme.lower()
    except ValueError:
        return text
    unsafe = any(unicodedata.category(ch) in _INVISIBLE for ch in plain)
    if unsafe or not plain or plain.startswith("//") or scheme not in ("", "http", "https"):
        return text
    if not scheme and ":" in plain.split("/", 1)[0]:
        return text  # `javascript:x` without a scheme urlsplit knows, `c:\...`
    return f"[{text}]({quote(plain, safe=_SAFE_TARGET)})"
