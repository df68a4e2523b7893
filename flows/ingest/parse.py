"""Make feed bytes safe and well-encoded, then hand them to feedparser.

feedparser is only ever given an in-memory stream (`io.BytesIO`): given a `str` it fetches URLs,
and given `bytes` it first tries to open them as a file name, so a feed whose body is
`/etc/passwd` would be read from disk. Before parsing we:

- decode the bytes ourselves (byte-order mark, then UTF-8 if the bytes are valid UTF-8, then
  the declared charset, then Windows-1252) and re-encode as UTF-8 with a matching declaration,
  so a feed that declares the wrong charset still reads correctly;
- remove NUL and other control characters that XML forbids (they stop the XML parser);
- remove the DOCTYPE with its internal subset: entity declarations are how the billion-laughs
  bomb and SYSTEM entities (reading local files or URLs) work, and no feed needs them.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass, field
from typing import Any

import feedparser

from flows.core.i18n import _, ngettext

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*?\?>")
_DECL_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.IGNORECASE)
# Characters XML 1.0 forbids; NUL is the common one (a broken export or a truncated file).
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class ParsedFeed:
    """feedparser's result plus what we repaired or noticed on the way."""

    title: str
    version: str
    entries: list[Any]
    bozo: str = ""  # why the feed is malformed; empty when it is well-formed
    notes: list[str] = field(default_factory=list)

    @property
    def is_feed(self) -> bool:
        """False when feedparser found neither an RSS/Atom root nor any entry (an HTML page)."""
        return bool(self.version) or bool(self.entries)


def decode(data: bytes, content_type: str = "") -> tuple[str, str]:
    """(text, encoding used) for feed bytes, trusting the bytes over the labels."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    labels = []
    declared = _DECL_ENCODING.match(data[:200])
    if declared:
        labels.append(declared.group(1).decode("ascii"))
    http = _HTTP_CHARSET.search(content_type)
    if http:
        labels.append(http.group(1))
    for label in labels:
        try:
            name = codecs.lookup(label).name
        except LookupError:
            continue
        if name in ("utf-8", "utf-16", "utf-32"):
            continue  # already failed above, or not plausible without a byte-order mark
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace"), "cp1252"


def _codec_name(label: str) -> str:
    try:
        return codecs.lookup(label).name
    except LookupError:
        return ""


def strip_doctype(text: str) -> tuple[str, bool]:
    """Remove comments and the DOCTYPE from the prolog; True if it had an internal subset.

    Scans the prolog (everything before the root element) by hand, honouring quotes, comments
    and brackets, so a crafted DOCTYPE cannot hide an entity declaration from us.
    """
    i, n = 0, len(text)
    kept: list[str] = []
    found = False
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if text.startswith("<?", i):
            end = text.find("?>", i)
            if end < 0:
                return "".join(kept), found
            kept.append(text[i : end + 2] + "\n")
            i = end + 2
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            if end < 0:
                return "".join(kept), found
            i = end + 3
        elif text[i : i + 9].upper() == "<!DOCTYPE":
            end = _end_of_doctype(text, i + 9)
            found = found or "[" in text[i:end]  # an internal subset: where entities live
            i = end
        else:
            break
    return "".join(kept) + text[i:], found


def _end_of_doctype(text: str, i: int) -> int:
    depth, quote, n = 0, "", len(text)
    while i < n:
        c = text[i]
        if quote:
            if c == quote:
                quote = ""
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            i = n if end < 0 else end + 2
        elif c in "\"'":
            quote = c
        elif c == "[":
            depth += 1
        elif c == "]":
            depth = max(depth - 1, 0)
        elif c == ">" and depth == 0:
            return i + 1
        i += 1
    return n  # never closed: nothing after it can be trusted


def prepare(data: bytes, content_type: str = "") -> tuple[bytes, list[str]]:
    """Feed bytes made safe for the XML parser: UTF-8, no forbidden characters, no DOCTYPE."""
    notes: list[str] = []
    text, encoding = decode(data, content_type)
    declared = _DECL_ENCODING.match(data[:200])
    label = declared.group(1).decode("ascii") if declared else ""
    if label and _codec_name(label) != encoding and not encoding.startswith("utf-"):
        note = _("the feed says it is {label} but is {encoding}; read as {encoding}")
        notes.append(note.format(label=label, encoding=encoding))
    elif label and _codec_name(label) not in (encoding, "") and not data.isascii():
        notes.append(
            _("the feed says it is {label} but is UTF-8; read as UTF-8").format(label=label)
        )
    text, removed = _FORBIDDEN.subn("", text)
    if removed:
        notes.append(
            ngettext(
                "removed {n} invalid control character such as a NUL byte",
                "removed {n} invalid control characters such as NUL bytes",
                removed,
            ).format(n=removed)
        )
    text, had_doctype = strip_doctype(text)
    if had_doctype:
        notes.append(_("removed the DOCTYPE (feeds do not need one; it can hide entity tricks)"))
    # One declaration that matches the bytes we pass on.
    text = _XML_DECL.sub("", text, count=1)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text).encode("utf-8"), notes


def parse(data: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Parse feed bytes after `prepare`; never raises on a bad feed."""
    safe, notes = prepare(data, content_type)
    # feedparser's own HTML sanitiser and link resolver are switched off: every summary and
    # title goes through nh3 (flows/ingest/htmlmd.py), which is stricter and several times
    # faster, and summary links are resolved against the entry's link there.
    result = feedparser.parse(
        io.BytesIO(safe),
        sanitize_html=False,
        resolve_relative_uris=False,
        response_headers={
            "content-location": url,
            "content-type": "application/xml; charset=utf-8",
        },
    )
    bozo = ""
    if result.get("bozo"):
        exc = result.get("bozo_exception")
        bozo = str(exc) or type(exc).__name__
    feed = result.get("feed", {})
    return ParsedFeed(
        title=str(feed.get("title", "")),
        version=str(result.get("version", "") or ""),
        entries=list(result.get("entries", [])),
        bozo=bozo,
        notes=notes,
    )
