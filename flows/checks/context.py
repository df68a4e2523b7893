"""What every rule gets: the library, the day, parsed bodies, and helpers to point at lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from flows.checks.prose import Prose, parse_body
from flows.findings import Finding, Severity, finding
from flows.loader import Library
from flows.models import STAFF_AUDIENCES, Campaign, Message


@dataclass(frozen=True, slots=True)
class Hit:
    """A word or phrase found in a message: file line, column and the text as written."""

    line: int
    column: int
    text: str


@dataclass
class Context:
    """Shared state of one check run; bodies are parsed once and reused by every rule."""

    library: Library
    today: date
    _prose: dict[int, Prose] = field(default_factory=dict)
    _rel: dict[int, str] = field(default_factory=dict)

    def prose(self, message: Message) -> Prose:
        """The parsed body of a message (parsed on first use)."""
        key = id(message)
        found = self._prose.get(key)
        if found is None:
            found = self._prose[key] = parse_body(message.body)
        return found

    def rel(self, message: Message) -> str:
        """The message's path as shown in findings."""
        key = id(message)
        found = self._rel.get(key)
        if found is None:
            found = self._rel[key] = self.library.rel(message.path)
        return found

    def at_field(
        self, message: Message, name: str, code: str, severity: Severity, text: str
    ) -> Finding:
        """A finding at the line of a front-matter field (dotted names fall back to parents)."""
        return finding(self.rel(message), field_line(message, name), code, severity, text)

    def at_body(
        self, message: Message, line: int, code: str, severity: Severity, text: str,
        column: int = 1,
    ) -> Finding:
        """A finding at a 0-based body line."""
        return finding(self.rel(message), message.body_line + line, code, severity, text, column)

    def hits(self, message: Message, pattern: re.Pattern[str]) -> Iterator[Hit]:
        """Every match of `pattern` in the title, screen text, resource titles and body."""
        for name, text in front_texts(message):
            for m in pattern.finditer(text):
                yield Hit(field_line(message, name), 1, m.group())
        prose = self.prose(message)
        for block in prose.blocks:
            for m in pattern.finditer(block.text):
                line = block.line_at(m.start())
                yield Hit(message.body_line + line, prose.column_of(line, m.group()), m.group())


def field_line(item: Message | Campaign, name: str) -> int:
    """The file line of a (dotted) field, or of its nearest written parent."""
    lines = item.field_lines
    while name:
        if name in lines:
            return lines[name]
        name = name.rpartition(".")[0]
    return item.line


def front_texts(message: Message) -> Iterator[tuple[str, str]]:
    """(field name, text) of the front-matter fields that readers see."""
    yield "title", message.title
    yield "screen.headline", message.screen.headline
    yield "screen.text", message.screen.text
    for i, resource in enumerate(message.resources):
        yield f"resources.{i}.title", resource.title


def staff_only(message: Message) -> bool:
    """True when every audience of the message is a staff audience."""
    return all(a in STAFF_AUDIENCES for a in message.audiences)


@lru_cache(maxsize=64)
def term_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for a list of words or phrases: whole words, any case, spaces or hyphens
    between the words of a phrase; short all-capital terms ("ELS") match only in capitals."""
    parts = []
    for term in sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True):
        words = [re.escape(w) for w in re.split(r"[\s-]+", term)]
        body = r"[\s-]+".join(words)
        if term.isupper() and len(term) <= 5:
            body = f"(?-i:{body})"
        parts.append(body)
    if not parts:
        return None
    return re.compile(r"(?i)(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def quote(text: str, limit: int = 40) -> str:
    """A short quotation of a sentence for a finding."""
    text = " ".join(text.split())
    return f"'{text}'" if len(text) <= limit else f"'{text[:limit].rstrip()}...'"
