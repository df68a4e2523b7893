"""Feed HTML to safe Markdown and plain text.

Every summary is cleaned with nh3 first, whatever type the feed declares: feeds often label HTML
as `type="text"`, and a literal `<script>` in a "text" summary must not survive either. The
cleaned HTML is then turned into a small Markdown subset (paragraphs, line breaks, links, bold,
italic, lists); every other tag is dropped and only its text kept. Text is escaped so that it can
never form Markdown or HTML syntax of its own.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import nh3

from flows.core.urls import url_problem

MAX_INPUT_CHARS = 100_000  # a summary longer than this is not a summary; the rest is dropped
MAX_BODY_CHARS = 4_000  # a draft is edited by a person; more text than this helps nobody

_KEEP_TAGS = {"p", "br", "a", "strong", "b", "em", "i", "ul", "ol", "li"}
# Tags whose text is kept but which end a paragraph, so words do not run together.
_BLOCK_TAGS = {
    "div",
    "section",
    "article",
    "header",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "tr",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "hr",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SPACE = re.compile(r"\s+")
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_BLOCK_START = re.compile(
    r"<(?=/?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|blockquote|section|article|a)\b)", re.IGNORECASE
)
_ITEM = re.compile(r"\s*(-|\d+\.) ")
_BREAK = "\x00"  # stands for <br> while whitespace is collapsed; real NULs are removed first


def clean_html(raw: str) -> str:
    """nh3-cleaned HTML: only the tags we convert, links only http(s), no scripts or handlers."""
    return nh3.clean(
        raw[:MAX_INPUT_CHARS],
        tags=_KEEP_TAGS | _BLOCK_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel=None,
        strip_comments=True,
    )


def plain_text(raw: str) -> str:
    """The visible text of an HTML fragment on one line, control characters removed."""
    # A space before block tags keeps "<p>one</p><p>two</p>" from reading "onetwo".
    spaced = _BLOCK_START.sub(" <", raw[:MAX_INPUT_CHARS])
    text = nh3.clean(spaced, tags=set(), strip_comments=True)
    return _SPACE.sub(" ", _CONTROL.sub("", html.unescape(text))).strip()


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, ending in an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-–—") + "…"


def escape_text(text: str) -> str:
    """Escape text so Markdown shows it literally (no emphasis, links, HTML or headings)."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([`*_\[\]{}|~])", r"\\\1", text)
    # `&lt;` shows as `<`; raw angle brackets could start HTML or an autolink.
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _escape_line_start(line: str) -> str:
    # At the start of a line these begin headings, quotes, lists or rules.
    if re.match(r"(#|[-+=]|\d+[.)])", line):
        return "\\" + line if not line[0].isdigit() else re.sub(r"^(\d+)([.)])", r"\1\\\2", line)
    return line


def _link_target(href: str) -> str:
    # Percent-encode what would end or confuse a Markdown link destination.
    return href.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C")


class _ToMarkdown(HTMLParser):
    """Walk cleaned HTML and emit Markdown blocks."""

    def __init__(self, base: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.blocks: list[str] = []
        self.line: list[str] = []
        self.lists: list[list[int]] = []  # one [counter] per open list; -1 = bullet list
        self.href: str | None = None
        self.link_text: list[str] = []

    def _emit(self, text: str) -> None:
        (self.link_text if self.href is not None else self.line).append(text)

    def _close_mark(self, mark: str) -> None:
        # An emphasis that wraps nothing (its content was dropped) is left out altogether.
        parts = self.link_text if self.href is not None else self.line
        tail: list[str] = []
        while parts and not parts[-1].strip() and parts[-1] != mark:
            tail.insert(0, parts.pop())
        if parts and parts[-1] == mark:
            parts.pop()
            parts.extend(tail)
        else:
            parts.extend(tail)
            parts.append(mark)

    def _flush(self) -> None:
        text = _SPACE.sub(" ", "".join(self.line)).strip()
        text = "\n".join(s.strip() for s in text.split(_BREAK) if s.strip())
        self.line = []
        if not text:
            return
        text = "\n".join(_escape_line_start(ln) for ln in text.split("\n"))
        if self.lists:
            depth = len(self.lists) - 1
            counter = self.lists[-1]
            marker = "-" if counter[0] < 0 else f"{counter[0]}."
            lines = text.split("\n")
            lead = "  " * depth + marker + " "
            pad = " " * len(lead)
            self.blocks.append(lead + lines[0] + "".join("\n" + pad + ln for ln in lines[1:]))
        else:
            self.blocks.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a Markdown construct for a kept tag; end the paragraph for block tags."""
        if tag in ("strong", "b"):
            self._emit("**")
        elif tag in ("em", "i"):
            self._emit("*")
        elif tag == "br":
            self._emit(_BREAK)
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            if href and self.base and not _HAS_SCHEME.match(href):
                href = urljoin(self.base, href)  # relative to the entry, as a browser would
            # The rule on the target as it will be written: a refused link keeps only its text.
            if self.href is None and href and url_problem(_link_target(href)) is None:
                self.href, self.link_text = href, []
        elif tag in ("ul", "ol"):
            self._flush()
            self.lists.append([-1 if tag == "ul" else 0])
        elif tag == "li":
            self._flush()
            if self.lists and self.lists[-1][0] >= 0:
                self.lists[-1][0] += 1
        elif tag == "p" or tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        """Close what handle_starttag opened."""
        if tag in ("strong", "b"):
            self._close_mark("**")
        elif tag in ("em", "i"):
            self._close_mark("*")
        elif tag == "a" and self.href is not None:
            text = _SPACE.sub(" ", "".join(self.link_text)).strip() or escape_text(self.href)
            href, self.href = self.href, None
            self.line.append(f"[{text}]({_link_target(href)})")
        elif tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag in ("li", "p") or tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        """Text: escaped so it stays text."""
        self._emit(escape_text(_CONTROL.sub("", data)))

    def close(self) -> None:
        """Finish: an unclosed link keeps its text."""
        super().close()
        if self.href is not None:
            self.line.extend(self.link_text)
            self.href = None
        self._flush()


def to_markdown(raw_html: str, base: str = "") -> str:
    """Safe Markdown for an untrusted HTML (or mislabelled text) summary.

    Relative links are resolved against `base` (the entry's own link), so they still work.
    """
    parser = _ToMarkdown(base)
    parser.feed(clean_html(raw_html))
    parser.close()
    text = ""
    for block in parser.blocks:
        if text:
            # List items stay together (a tight list); everything else is its own paragraph.
            both_items = _ITEM.match(block) and _ITEM.match(text.rsplit("\n", 1)[-1].lstrip())
            text += "\n" if both_items else "\n\n"
        text += block
    if len(text) > MAX_BODY_CHARS:
        cut = text.rfind("\n\n", 0, MAX_BODY_CHARS)
        text = text[: cut if cut > 0 else MAX_BODY_CHARS].rstrip() + "\n\n…"
    return text
