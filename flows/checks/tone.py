"""Tone of voice, the brief's rules 1-4: T201 jargon, T202 tip without a reason, T203 blame
words, T204 no strength named; the patterns that word lists cannot see (T205-T208) are in
`patterns`. Word lists come from `style.yaml` (English lists from its `english:` part).

Words are matched a little as Dutch works: jargon also inside a compound ("cortisolspiegel"),
short all-capital terms only in capitals ("ELS", never the name Els), blame words by lemma
("fouten" is "fout") and not after a negation ("niemands schuld", "niet jouw fout") or inside a
phrase the team calls fine ("fouten maken"). A reason is a reason clause: a conjunction (want,
omdat, zodat, doordat...) or an opener ("zo", "dan") that starts the next sentence or follows
a comma; "dan" in "meer dan" is no reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from flows.checks import language, patterns
from flows.checks.context import Context, Hit, Terms, quote, staff_only, term_pattern
from flows.checks.prose import Prose
from flows.core.findings import Finding, Severity
from flows.core.i18n import _
from flows.core.models import Message, Style


@dataclass(frozen=True)
class Words:
    """The lists that depend on the message's language."""

    lang: str
    jargon: Terms | None
    compound_jargon: frozenset[str]
    blame: Terms | None  # phrases ("slechte ouder")
    blame_words: frozenset[str]  # single words, matched by lemma
    blame_prefixes: frozenset[str]
    blame_starts: re.Pattern[str] | None  # a word starting with one of the prefixes
    blame_fine: Terms | None
    negations: frozenset[str]
    reason: Terms | None
    opener: re.Pattern[str] | None
    strength: Terms | None
    tip: re.Pattern[str] | None
    reason_examples: str
    strength_examples: str
    normalise_example: str


def words_for(style: Style, lang: str) -> Words:
    """Compiled word lists for Dutch (the default) or English messages."""
    src = style.english if lang == "en" else style
    jargon = (*style.jargon, *style.english.jargon) if lang == "en" else style.jargon
    reasons = [m.strip() for m in src.reason_markers if m.strip()]
    openers = {o.strip().lower() for o in src.reason_openers}
    strengths = [m.strip() for m in src.strength_markers if m.strip()]
    single = frozenset(b.strip().lower() for b in src.blame if b.strip() and " " not in b.strip())
    return Words(
        lang=lang,
        jargon=term_pattern(jargon),
        compound_jargon=frozenset(
            j.strip().lower()
            for j in jargon
            if len(j.strip()) >= 5 and j.strip().isalpha() and not j.strip().isupper()
        ),
        blame=term_pattern(tuple(b for b in src.blame if " " in b.strip())),
        blame_words=single,
        blame_prefixes=frozenset(w[:3] for w in single),
        blame_starts=_starts_pattern(tuple(sorted({w[:3] for w in single}))),
        blame_fine=term_pattern(src.blame_fine),
        negations=frozenset(n.strip().lower() for n in src.negations),
        reason=term_pattern(tuple(r for r in reasons if r.lower() not in openers)),
        opener=_opener_pattern(tuple(sorted(r.lower() for r in reasons if r.lower() in openers))),
        strength=term_pattern(src.strength_markers),
        tip=_tip_pattern(src.tip_verbs),
        reason_examples=", ".join(f"'{r}'" for r in reasons[:3]),
        strength_examples=", ".join(f"'{s}'" for s in strengths[:3]),
        normalise_example=(
            "many parents recognise this" if lang == "en" else "veel ouders herkennen dit"
        ),
    )


# After an opener, words that make it an intensifier ("zo vaak", "zo'n") rather than a
# consequence ("zo komt je kind tot rust").
_NOT_AFTER_OPENER = r"(?!['’]|\s+(?:veel|vaak|lang|snel|goed|min|much|many|far|long)\b)"


@lru_cache(maxsize=8)
def _opener_pattern(openers: tuple[str, ...]) -> re.Pattern[str] | None:
    if not openers:
        return None
    alts = "|".join(re.escape(o) for o in openers)
    return re.compile(rf"(?:^|[,;:]\s*)(?:{alts})\b{_NOT_AFTER_OPENER}", re.IGNORECASE)


@lru_cache(maxsize=8)
def _starts_pattern(prefixes: tuple[str, ...]) -> re.Pattern[str] | None:
    # Every word of `Corpus.tokens` starts at a word boundary, so a text where no boundary is
    # followed by a prefix has no word with that prefix.
    if not prefixes:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in prefixes) + ")")


@lru_cache(maxsize=8)
def _tip_pattern(verbs: tuple[str, ...]) -> re.Pattern[str] | None:
    cleaned = sorted({re.escape(v.strip().lower()) for v in verbs if v.strip()})
    if not cleaned:
        return None
    return re.compile(r"(?i)^(?:" + "|".join(cleaned) + r")(?!\w)")


def check(ctx: Context) -> Iterator[Finding]:
    """Jargon, tips without reasons, blame words and a missing strength, per message, and the
    patterns of `patterns` (cause-blame, judgement, obligation, fear framing)."""
    style = ctx.library.style
    by_lang: dict[str, Words] = {}
    for message in ctx.library.messages:
        words = by_lang.get(message.lang)
        if words is None:
            words = by_lang[message.lang] = words_for(style, message.lang)
        if not staff_only(message):
            yield from _jargon(ctx, message, words)
        yield from _tips(ctx, message, words)
        yield from _blame(ctx, message, words)
        if words.strength is not None and next(ctx.hits(message, words.strength), None) is None:
            yield ctx.at_body(
                message,
                0,
                "T204",
                Severity.WARNING,
                _(
                    "no strength named: say what already goes well or what the reader already "
                    "does (words that count include {examples})"
                ).format(examples=words.strength_examples),
            )
    yield from patterns.check(ctx)


def _jargon(ctx: Context, message: Message, words: Words) -> Iterator[Finding]:
    found: list[tuple[Hit, str]] = []
    if words.jargon is not None:
        found.extend((hit, hit.text) for hit in ctx.hits(message, words.jargon))
    corpus = ctx.corpus(message)
    # A compound holds its term as a substring: without one, no word needs looking at.
    if words.compound_jargon and any(t in corpus.prefilter for t in words.compound_jargon):
        terms = words.compound_jargon

        def inside(word: str) -> str | None:
            return _compound_term(word, terms)

        found.extend(ctx.word_hits(message, inside))
    for hit, term in sorted(found, key=lambda f: (f[0].line, f[0].column)):
        text = (
            _(
                "'{word}' is professional jargon that parents and young people should not "
                "meet; say in everyday words what it means for them (only messages for staff "
                "audiences may use it)"
            )
            if hit.text.lower() == term.lower()
            else _(
                "'{word}' (it contains '{term}') is professional jargon that parents and young "
                "people should not meet; say in everyday words what it means for them (only "
                "messages for staff audiences may use it)"
            )
        )
        yield _finding(
            ctx,
            message,
            hit.line,
            hit.column,
            "T201",
            text.format(word=hit.text, term=term),
        )


@lru_cache(maxsize=1 << 14)
def _compound_term(word: str, terms: frozenset[str]) -> str | None:
    return language.contains_term(word, terms)


def _blame(ctx: Context, message: Message, words: Words) -> Iterator[Finding]:
    hits: list[Hit] = []
    if words.blame is not None:
        hits.extend(ctx.hits(message, words.blame, words.negations))
    corpus = ctx.corpus(message)
    # Only words starting like a blame word are lemmatised; a text with none of those starts
    # needs no word-by-word pass at all (the substring test first: it is the cheapest, and
    # "verschil" passes it but not the word-start scan).
    if (
        words.blame_starts is not None
        and any(p in corpus.prefilter for p in words.blame_prefixes)
        and words.blame_starts.search(corpus.source)
    ):
        fine = (
            list(words.blame_fine.spans(corpus.text, corpus.lower))
            if words.blame_fine is not None
            and any(k in corpus.prefilter for k in words.blame_fine.keys)
            else []
        )
        for start, end, word in corpus.tokens():
            if word[:3] not in words.blame_prefixes:
                continue
            if word not in words.blame_words and (
                language.lemma(word, words.lang) not in words.blame_words
            ):
                continue
            if any(a <= start < b for a, b in fine) or corpus.negated(start, words.negations):
                continue
            hits.append(corpus.hit(message, start, end))
    for hit in sorted(hits, key=lambda h: (h.line, h.column)):
        yield _finding(
            ctx,
            message,
            hit.line,
            hit.column,
            "T203",
            _(
                "blame word '{word}': it can make parents feel judged or guilty; acknowledge "
                "the feeling and make it normal (for example '{example}')"
            ).format(word=hit.text, example=words.normalise_example),
        )


def _finding(
    ctx: Context, message: Message, line: int, column: int, code: str, text: str
) -> Finding:
    return ctx.at_body(message, line - message.body_line, code, Severity.ERROR, text, column)


def _tips(ctx: Context, message: Message, words: Words) -> Iterator[Finding]:
    if words.tip is None or (words.reason is None and words.opener is None):
        return
    prose = ctx.prose(message)
    sentences = prose.sentences()
    for i, sentence in enumerate(sentences):
        if sentence.text.endswith("?") or not words.tip.match(sentence.text):
            continue
        if _has_reason(prose, words, i):
            continue
        yield ctx.at_body(
            message,
            sentence.line,
            "T202",
            Severity.WARNING,
            _(
                "tip without a reason: {sentence}; say why it helps, for example with {examples}"
            ).format(sentence=quote(sentence.text), examples=words.reason_examples),
            prose.column_of(sentence.line, sentence.text[:20]),
        )


def _reason_in(text: str, words: Words, opening: bool) -> bool:
    """A reason clause in `text`: a conjunction anywhere, an opener after a comma (or, when
    `opening`, at the start: the sentence after a tip)."""
    if words.reason is not None and words.reason.search(text):
        return True
    if words.opener is None:
        return False
    return any(m.start() > 0 or opening for m in words.opener.finditer(text))


def _has_reason(prose: Prose, words: Words, index: int) -> bool:
    sentences = prose.sentences()
    sentence = sentences[index]
    if sentence.item:  # a list item is one tip: the reason may be anywhere in it
        return any(
            _reason_in(s.text, words, s is not sentence)
            for s in sentences
            if s.block == sentence.block
        )
    if _reason_in(sentence.text, words, opening=False):
        return True
    # "Lees samen een boek. Zo komt je kind tot rust." gives the reason in the next sentence.
    following = sentences[index + 1] if index + 1 < len(sentences) else None
    return bool(
        following
        and following.block == sentence.block
        and _reason_in(following.text, words, opening=True)
    )
