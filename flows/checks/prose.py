"""A message body as the checks see it: prose lines, sentences, links and raw HTML, with lines.

The body is parsed once per message with markdown-it (raw HTML recognised so it can be reported,
every link kept, even `javascript:`, so it can be reported) and every rule reads the result.
Line numbers here are 0-based within the body; rules add `message.body_line`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

# A word: letters or digits, joined by inner hyphens or apostrophes ("zo'n", "AB-model").
WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*")
# A sentence ends at . ! ? … (plus closing quotes or brackets) before a space and a word that
# does not start in lower case: "bijv. een" stays one sentence.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[^\sa-zà-ÿ])")


class _PermissiveMarkdown(MarkdownIt):
    """markdown-it that keeps every link as written, so bad ones can be reported, not dropped."""

    def validateLink(self, url: str) -> bool:
        return True

    def normalizeLink(self, url: str) -> str:
        return url


@cache
def _parser() -> MarkdownIt:
    # html=True only so raw HTML shows up as tokens we can report; it is never rendered from here.
    return _PermissiveMarkdown("commonmark", {"html": True})


@dataclass(frozen=True, slots=True)
class Link:
    """A link or image target in the body."""

    url: str
    line: int
    column: int
    image: bool = False


@dataclass(frozen=True, slots=True)
class RawHtml:
    """A piece of raw HTML in the body."""

    snippet: str
    line: int
    column: int


@dataclass(slots=True)
class Sentence:
    """One sentence of prose: its text, body line and word count."""

    text: str
    line: int
    words: int
    block: int  # index of the paragraph or list item it belongs to
    item: bool  # part of a list item


@dataclass
class Block:
    """A paragraph, list item or heading as plain text, with where each source line starts."""

    kind: str  # "paragraph", "item" or "heading"
    text: str = ""
    lower: str = ""  # text.lower(), made once for the word-list rules
    starts: list[int] = field(default_factory=list)  # offset in text where each line begins
    lines: list[int] = field(default_factory=list)  # body line of each of those

    def line_at(self, offset: int) -> int:
        """The body line of a character offset in `text`."""
        if len(self.lines) == 1:
            return self.lines[0]
        return self.lines[max(bisect_right(self.starts, offset) - 1, 0)]


@dataclass
class Prose:
    """Everything the rules need from one body."""

    raw_lines: list[str]
    blocks: list[Block] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    html: list[RawHtml] = field(default_factory=list)
    _sentences: list[Sentence] | None = None
    _definitions: dict[str, tuple[int, int]] = field(default_factory=dict)
    _cursor: dict[int, int] = field(default_factory=dict)
    _misses: set[tuple[int, str]] = field(default_factory=set)

    def column_of(self, line: int, needle: str) -> int:
        """1-based column of `needle` on a body line (case-insensitive), or 1 if not found.

        Markup (`**`, links) can sit between the words, so when the whole text is not found
        the first word is looked up on its own.
        """
        if not 0 <= line < len(self.raw_lines):
            return 1
        raw = self.raw_lines[line].lower()
        pos = raw.find(needle.lower())
        if pos < 0:
            first = WORD_RE.search(needle)
            if first is not None:
                match = re.search(rf"(?<!\w){re.escape(first.group().lower())}(?!\w)", raw)
                pos = match.start() if match else -1
        return pos + 1 if pos >= 0 else 1

    def sentences(self) -> list[Sentence]:
        """Sentences of paragraphs and list items (headings are not sentences)."""
        if self._sentences is None:
            self._sentences = list(_split_sentences(self))
        return self._sentences

    def word_count(self) -> int:
        """Words in the whole body, headings included."""
        headings = sum(count_words(b.text) for b in self.blocks if b.kind == "heading")
        return headings + sum(s.words for s in self.sentences())


def parse_body(body: str) -> Prose:
    """Parse a Markdown body into prose blocks, links and raw HTML."""
    prose = Prose(raw_lines=body.split("\n"))
    # One entry per open list item: its block once it has text (several paragraphs in one
    # item still form one block, so a reason in the item's second paragraph counts).
    items: list[Block | None] = []
    in_heading = False
    for token in _parser().parse(body):
        t = token.type
        if t == "list_item_open":
            items.append(None)
        elif t == "list_item_close":
            items.pop()
        elif t == "heading_open":
            in_heading = True
        elif t == "heading_close":
            in_heading = False
        elif t == "html_block" and token.map:
            _add_html(prose, token.content, token.map[0])
        elif t == "inline" and token.map:
            block: Block | None = None
            if in_heading:
                block = Block("heading")
            elif items:
                block = items[-1]
                if block is None:
                    block = items[-1] = Block("item")
                else:
                    block.text += " "
                    block.starts.append(len(block.text))
                    block.lines.append(token.map[0])
                    _read_inline(prose, block, token, token.map[0])
                    continue
            else:
                block = Block("paragraph")
            prose.blocks.append(block)
            block.starts.append(0)
            block.lines.append(token.map[0])
            _read_inline(prose, block, token, token.map[0])
    for b in prose.blocks:
        b.lower = b.text.lower()
    return prose


def _read_inline(prose: Prose, block: Block, token: Token, first_line: int) -> None:
    # Pieces are collected in a list and joined once: `block.text += ...` per piece would copy
    # the whole text each time (quadratic on a long paragraph).
    line = first_line
    parts = [block.text]
    size = len(block.text)
    for child in token.children or ():
        ct = child.type
        if ct == "text" or ct == "code_inline":
            parts.append(child.content)
            size += len(child.content)
        elif ct in ("softbreak", "hardbreak"):
            line += 1
            parts.append(" ")
            size += 1
            block.starts.append(size)
            block.lines.append(line)
        elif ct == "link_open":
            _add_link(prose, str(child.attrs.get("href", "")), line, image=False)
        elif ct == "image":
            _add_link(prose, str(child.attrs.get("src", "")), line, image=True)
            parts.append(child.content)
            size += len(child.content)
        elif ct == "html_inline":
            _add_html(prose, child.content, line)
    block.text = "".join(parts)


def _add_link(prose: Prose, url: str, line: int, image: bool) -> None:
    found = _find(prose, url, line)
    if found is None:  # a reference link: the URL is written on its definition line
        found = prose._definitions.get(url)
        if found is None:
            found = _find(prose, url, 0, len(prose.raw_lines)) or (line, 1)
            prose._definitions[url] = found
    prose.links.append(Link(url, found[0], found[1], image))


def _add_html(prose: Prose, snippet: str, line: int) -> None:
    first = snippet.strip().split("\n", 1)[0][:60]
    found = _find(prose, first, line) or (line, 1)
    prose.html.append(RawHtml(first, found[0], found[1]))


def _find(prose: Prose, needle: str, start: int, span: int = 3) -> tuple[int, int] | None:
    # Links and tags come in reading order, so each line is searched from just after the last
    # thing found on it, and a miss is remembered: one long line with thousands of links is
    # read once, not once per link (and a URL used twice on a line gets both columns).
    if not needle:
        return None
    lines = prose.raw_lines
    for n in range(start, min(start + span, len(lines))):
        if (n, needle) in prose._misses:
            continue
        pos = lines[n].find(needle, prose._cursor.get(n, 0))
        if pos >= 0:
            prose._cursor[n] = pos + len(needle)
            return n, pos + 1
        pos = lines[n].find(needle)  # out of order, e.g. an image inside a link's text
        if pos >= 0:
            return n, pos + 1
        prose._misses.add((n, needle))
    return None


def _split_sentences(prose: Prose) -> list[Sentence]:
    out: list[Sentence] = []
    for index, block in enumerate(prose.blocks):
        if block.kind == "heading":
            continue
        text = block.text
        item = block.kind == "item"
        # Most blocks are one source line: every sentence is on it, no lookup needed.
        line = block.lines[0] if len(block.lines) == 1 else None
        start = 0
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        ends.append(len(text))
        for end in ends:
            piece = text[start:end].strip()
            words = len(piece.split())  # count_words, inlined: this loop runs per sentence
            if words:
                # Each piece but the first starts right after the whitespace of the split.
                at = block.line_at(start) if line is None else line
                out.append(Sentence(piece, at, words, index, item))
            start = end
    return out


def count_words(text: str) -> int:
    """Words in a text: runs of non-space characters, like most readability tools count them
    (a regex per word was the slowest step of the whole check)."""
    return len(text.split())
