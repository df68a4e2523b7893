"""What every rule gets: the library, the day, parsed bodies, and helpers to point at lines."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from flows.checks.prose import WORD_RE, Block, Prose, parse_body
from flows.core.findings import Finding, Severity, finding
from flows.core.models import STAFF_AUDIENCES, Campaign, Message
from flows.library.loader import Library

_WORD = re.compile(r"\w+")
# What ends the reach of a negation: a sentence end, a clause comma or a part boundary.
_CLAUSE_END = re.compile(r"[.!?;:,\x00]")


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
    _corpus: dict[int, _Corpus] = field(default_factory=dict)

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
        self,
        message: Message,
        line: int,
        code: str,
        severity: Severity,
        text: str,
        column: int = 1,
    ) -> Finding:
        """A finding at a 0-based body line."""
        return finding(self.rel(message), message.body_line + line, code, severity, text, column)

    def corpus(self, message: Message) -> _Corpus:
        """All reader-facing text of a message as one string (made once per message)."""
        corpus = self._corpus.get(id(message))
        if corpus is None:
            corpus = self._corpus[id(message)] = _Corpus(message, self.prose(message))
        return corpus

    def hits(
        self, message: Message, terms: Terms, unless: frozenset[str] = frozenset()
    ) -> Iterator[Hit]:
        """Every occurrence of `terms` in the title, screen text, resource titles and body;
        with `unless`, not those that one of these words negates ("niet jouw fout")."""
        corpus = self.corpus(message)
        # Most messages contain none of the words of a list: a substring test per key word
        # is far cheaper than the regex (and never misses, it only lets extra texts through).
        if not any(key in corpus.prefilter for key in terms.keys):
            return
        for start, end in terms.spans(corpus.text, corpus.lower):
            if unless and corpus.negated(start, unless):
                continue
            yield corpus.hit(message, start, end)

    def word_hits(
        self,
        message: Message,
        test: Callable[[str], str | None],
        unless: frozenset[str] = frozenset(),
    ) -> Iterator[tuple[Hit, str]]:
        """(where, what `test` said) for each word (lower case) for which `test` says something:
        a lemma match, a compound part; with `unless`, not the words these negate."""
        corpus = self.corpus(message)
        for start, end, word in corpus.tokens():
            said = test(word)
            if said is None or (unless and corpus.negated(start, unless)):
                continue
            yield corpus.hit(message, start, end), said


class _Corpus:
    """All reader-facing text of a message in one string, so each word list is one regex scan
    per message (not one per field and paragraph); offsets map back to lines."""

    _SEP = "\x00"  # neither space nor word: no match runs from one part into the next

    def __init__(self, message: Message, prose: Prose) -> None:
        self.prose = prose
        self.starts: list[int] = []
        self.parts: list[tuple[str, Block | None]] = []  # (field name, or body block)
        texts: list[str] = []
        offset = 0
        for name, text in front_texts(message):
            self._add(texts, offset, (name, None), text)
            offset += len(text) + 1
        for block in prose.blocks:
            self._add(texts, offset, ("", block), block.text)
            offset += len(block.text) + 1
        self.text = self._SEP.join(texts)
        lower = self.text.lower()
        self.prefilter = lower
        self.lower = lower if len(lower) == len(self.text) else None
        # The text `tokens` reads its words from (offsets in it are offsets in `text`).
        self.source = self.lower if self.lower is not None else self.text
        self._tokens: list[tuple[int, int, str]] | None = None
        self._token_starts: list[int] = []

    def _add(
        self, texts: list[str], offset: int, part: tuple[str, Block | None], text: str
    ) -> None:
        texts.append(text)
        self.starts.append(offset)
        self.parts.append(part)

    def tokens(self) -> list[tuple[int, int, str]]:
        """(start, end, lower-case word) of every word, made on first use."""
        if self._tokens is None:
            self._tokens = [(m.start(), m.end(), m.group()) for m in WORD_RE.finditer(self.source)]
            self._token_starts = [t[0] for t in self._tokens]
        return self._tokens

    def negated(self, start: int, negations: frozenset[str], window: int = 4) -> bool:
        """True when one of `negations` is among the `window` words before offset `start` in
        the same sentence: "niet jouw fout", "niemands schuld", "not your fault"."""
        tokens = self.tokens()
        index = bisect_right(self._token_starts, start) - 1
        if index >= 0 and tokens[index][0] == start:
            index -= 1  # the hit itself
        edge = start
        for back in range(index, max(index - window, -1), -1):
            t_start, t_end, word = tokens[back]
            if _CLAUSE_END.search(self.text, t_end, edge):
                return False
            if word in negations:
                return True
            edge = t_start
        return False

    def hit(self, message: Message, start: int, end: int) -> Hit:
        index = bisect_right(self.starts, start) - 1
        name, block = self.parts[index]
        found = self.text[start:end]
        if block is None:
            return Hit(field_line(message, name), 1, found)
        line = block.line_at(start - self.starts[index])
        return Hit(message.body_line + line, self.prose.column_of(line, found), found)


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


class Terms:
    """A list of words or phrases to find: whole words, any case, spaces or hyphens between the
    words of a phrase; short all-capital terms ("ELS") match only in capitals.

    Matching lower-cased text with a case-sensitive pattern is about five times faster than a
    case-insensitive one, which matters at thousands of messages.
    """

    def __init__(self, terms: tuple[str, ...]) -> None:
        lower, exact = [], []
        keys = set()
        exact_keys = set()
        for term in sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True):
            words = _WORD.findall(term.lower())
            if words:
                keys.add(max(words, key=len))
            body = r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", term))
            if term.isupper() and len(term) <= 5:
                exact.append(body)
                # A word of the term as written is in every match of the case-sensitive
                # pattern ("ELS"); a term with no word gets the empty key, always present.
                exact_keys.add(max(_WORD.findall(term), key=len, default=""))
            else:
                lower.append(body.lower())
        self._lower = re.compile(r"\b(?:" + "|".join(lower) + r")\b") if lower else None
        self._exact = re.compile(r"\b(?:" + "|".join(exact) + r")\b") if exact else None
        # The longest word of every term: a text without any of them needs no regex scan.
        self.keys = frozenset(keys)
        # The same for the capitals-only terms alone, as written: the lower-case key "els" is
        # in many words ("snelste"), the key "ELS" rarely.
        self._exact_keys = tuple(sorted(exact_keys))

    def spans(self, text: str, lowered: str | None = None) -> Iterator[tuple[int, int]]:
        """(start, end) of each match in `text` (pass `text.lower()` if you have it)."""
        if self._lower is not None:
            low = text.lower() if lowered is None else lowered
            if len(low) != len(text):  # a few characters change length when lower-cased
                low = text
            for m in self._lower.finditer(low):
                yield m.start(), m.end()
        if self._exact is not None and any(key in text for key in self._exact_keys):
            for m in self._exact.finditer(text):
                yield m.start(), m.end()

    def search(self, text: str, lowered: str | None = None) -> bool:
        """True when any term occurs in `text`."""
        if self._lower is not None:
            low = text.lower() if lowered is None else lowered
            if self._lower.search(low if len(low) == len(text) else text):
                return True
        return (
            self._exact is not None
            and any(key in text for key in self._exact_keys)
            and self._exact.search(text) is not None
        )


@lru_cache(maxsize=64)
def term_pattern(terms: tuple[str, ...]) -> Terms | None:
    """The matcher for a list of terms, or None when the list is empty."""
    matcher = Terms(terms)
    return matcher if matcher._lower or matcher._exact else None


def quote(text: str, limit: int = 40) -> str:
    """A short quotation of a sentence for a finding."""
    text = " ".join(text.split())
    return f"'{text}'" if len(text) <= limit else f"'{text[:limit].rstrip()}...'"
