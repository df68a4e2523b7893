"""Plain language (taalniveau B1), the brief's rule 5: T210 average sentence length, T211 a long
sentence, T212 readability score, T213 hard words, T214 officialese, T215 spelling (`spelling`).

Hard words are those of `hard_words:` and, when `common_words:` is set, every word rarer than
`limits.hard_word_zipf` on wordfreq's scale that is not in `common_words:` (the domain), not a
compound of common words ("bedtijd", "zwemles"), not an inflection of a common word and not a
name (a capital inside a sentence). Officialese (`officialese:`, "indien", "middels") is a
warning for each word, whatever the allowance.

The score is Flesch-Douma for Dutch (206.84 - 0.77 x syllables per 100 words - 0.93 x words per
sentence) and Flesch Reading Ease for English. Syllables are counted as vowel groups, which is
what Dutch spelling mostly follows ("ui", "eeu", "ij" are one group; a trema starts a new one:
"coördinatie" has five). It is fast and close enough for a threshold, unlike a dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from babel.numbers import format_decimal

from flows.checks import language, spelling
from flows.checks.context import Context, Terms, quote, term_pattern
from flows.checks.prose import WORD_RE
from flows.core import i18n
from flows.core.findings import Finding, Severity
from flows.core.i18n import _
from flows.core.models import Message

_DUTCH_GROUPS = re.compile(r"[äëïöü][aeiouy]*|[aeiouyáéíóúàèâêîôû]+")
# For whole texts, in bytes: vowels become "a", vowels with a trema "b", all else a space.
# Syllables are then the runs of a/b plus each "b" that follows a vowel ("coördinatie"). One
# C-level translate instead of a regex over every character.
_VOWELS = "aeiouyáéíóúàèâêîôû".encode("latin-1")
_TREMAS = "äëïöü".encode("latin-1")
_TABLE = bytes(
    ord("a") if i in _VOWELS else ord("b") if i in _TREMAS else ord(" ") for i in range(256)
)
_ENGLISH_GROUPS = re.compile(r"[aeiouy]+")


@lru_cache(maxsize=1 << 16)
def syllables(word: str, lang: str = "nl") -> int:
    """Syllables in one word, counted as vowel groups (at least one)."""
    lower = word.lower()
    if lang == "en":
        count = len(_ENGLISH_GROUPS.findall(lower))
        if lower.endswith("e") and not lower.endswith(("le", "ee")) and count > 1:
            count -= 1  # silent final e: "make", "whole"
        return max(count, 1)
    return max(len(_DUTCH_GROUPS.findall(lower)), 1)


def reading_ease(text: str, words: int, sentences: int, lang: str = "nl") -> float:
    """Flesch-Douma (Dutch) or Flesch Reading Ease (English) of a text."""
    if words <= 0 or sentences <= 0:
        return 100.0
    per_word = text_syllables(text, lang) / words
    per_sentence = words / sentences
    if lang == "en":
        return 206.835 - 1.015 * per_sentence - 84.6 * per_word
    return 206.84 - 0.77 * 100 * per_word - 0.93 * per_sentence


def text_syllables(text: str, lang: str = "nl") -> int:
    """Syllables in a whole text: `syllables` of each word added up, except that a word without
    a vowel (a number) counts none; prose has few, and one scan of the text is much faster."""
    if lang == "en":
        return sum(syllables(w, "en") for w in WORD_RE.findall(text))
    # Vowel groups never run across words, so one pass over the whole text counts them all.
    marks = text.lower().encode("latin-1", "replace").translate(_TABLE)
    return len(marks.split()) + marks.count(b"ab") + marks.count(b"bb")


def check(ctx: Context) -> Iterator[Finding]:
    """Sentence length, readability and hard words of each message."""
    style = ctx.library.style
    limits = style.limits
    hard = term_pattern(tuple(style.hard_words))
    alternatives = {_normal(k): v for k, v in style.hard_words.items()}
    for message in ctx.library.messages:
        prose = ctx.prose(message)
        sentences = prose.sentences()
        if sentences:
            total = sum(s.words for s in sentences)
            average = total / len(sentences)
            if average > limits.sentence_words_avg:
                yield ctx.at_body(
                    message,
                    0,
                    "T210",
                    Severity.WARNING,
                    _(
                        "sentences are {average} words long on average (at most {limit}); "
                        "split long sentences into short ones"
                    ).format(
                        average=format_decimal(
                            average, format="0.0", locale=i18n.current_language()
                        ),
                        limit=f"{limits.sentence_words_avg:g}",
                    ),
                )
            for s in sentences:
                if s.words > limits.sentence_words_max:
                    yield ctx.at_body(
                        message,
                        s.line,
                        "T211",
                        Severity.WARNING,
                        _(
                            "sentence of {words} words (at most {limit}): {sentence}; split it "
                            "into shorter sentences"
                        ).format(
                            words=s.words, limit=limits.sentence_words_max, sentence=quote(s.text)
                        ),
                        prose.column_of(s.line, s.text[:20]),
                    )
            if total >= limits.readability_min_words:
                text = " ".join(s.text for s in sentences)
                score = reading_ease(text, total, len(sentences), message.lang)
                if score < limits.flesch_douma_min:
                    name = "Flesch" if message.lang == "en" else "Flesch-Douma"
                    yield ctx.at_body(
                        message,
                        0,
                        "T212",
                        Severity.WARNING,
                        _(
                            "readability score ({name}) is {score} (at least {limit}); use "
                            "shorter sentences and short, everyday words"
                        ).format(
                            name=name, score=f"{score:.0f}", limit=f"{limits.flesch_douma_min:g}"
                        ),
                    )
        src = style.english if message.lang == "en" else style
        official = _official(tuple(src.officialese))
        if official is not None:
            yield from _officialese(ctx, message, official, src.officialese)
        common = src.common_words
        if (hard is not None and message.lang == "nl") or common is not None:
            rare = None
            if common is not None:
                known = frozenset(w.lower() for w in (*common, *(src.team_words or ())))
                rare = _Rare(message.lang, known, limits.hard_word_zipf, src.officialese)
            yield from _hard_words(
                ctx,
                message,
                hard if message.lang == "nl" else None,
                alternatives,
                limits.hard_words_max,
                rare,
            )
    yield from spelling.check(ctx)


@lru_cache(maxsize=8)
def _official(words: tuple[str, ...]) -> Terms | None:
    return term_pattern(words)


def _officialese(
    ctx: Context, message: Message, official: Terms, plain: dict[str, str]
) -> Iterator[Finding]:
    alternatives = {_normal(k): v for k, v in plain.items()}
    for hit in ctx.hits(message, official):
        better = alternatives.get(_normal(hit.text))
        yield ctx.at_body(
            message,
            hit.line - message.body_line,
            "T214",
            Severity.WARNING,
            (
                _(
                    "officialese '{word}'; write '{better}' instead (official language reads "
                    "like a letter from an authority)"
                ).format(word=hit.text, better=better)
                if better
                else _(
                    "officialese '{word}'; write an everyday word instead (official language "
                    "reads like a letter from an authority)"
                ).format(word=hit.text)
            ),
            hit.column,
        )


class _Rare:
    """Which words are rare enough to be hard, cached per word."""

    def __init__(
        self, lang: str, known: frozenset[str], threshold: float, skip: dict[str, str]
    ) -> None:
        self.lang = lang
        self.known = known
        self.threshold = threshold
        self.skip = frozenset(_normal(k) for k in skip)
        self._seen: dict[str, bool] = {}

    def common(self, part: str) -> bool:
        return part in self.known or language.zipf(part, self.lang) >= self.threshold

    def __call__(self, word: str) -> bool:
        found = self._seen.get(word)
        if found is None:
            found = self._seen[word] = self._hard(word)
        return found

    def _hard(self, word: str) -> bool:
        if len(word) < 5 or not word.isalpha() or word in self.known or word in self.skip:
            return False
        if self.common(word) or self.common(language.lemma(word, self.lang)):
            return False
        if not language.in_dictionary(word, self.lang) and not language.split_compound(
            word, lambda p: language.in_dictionary(p, self.lang)
        ):
            return False  # a misspelling or a name: the spelling check's business
        return language.split_compound(word, self.common) is None


def _hard_words(
    ctx: Context,
    message: Message,
    hard: Terms | None,
    alternatives: dict[str, str],
    limit: int,
    rare: _Rare | None,
) -> Iterator[Finding]:
    first: dict[str, tuple[int, str]] = {}  # normal form -> (line, as written)
    skip = rare.skip if rare is not None else frozenset()
    if hard is not None:
        for hit in ctx.hits(message, hard):
            if _normal(hit.text) not in skip:
                first.setdefault(_normal(hit.text), (hit.line, hit.text))
    if rare is not None:
        corpus = ctx.corpus(message)
        for start, end, word in corpus.tokens():
            if word in first or not rare(word) or spelling.is_name(corpus.text, start):
                continue
            hit = corpus.hit(message, start, end)
            first.setdefault(word, (hit.line, hit.text))
    if len(first) <= limit:
        return
    listed = "; ".join(
        _("'{word}' (line {line}) -> '{better}'").format(
            word=written, line=n, better=alternatives[w]
        )
        if alternatives.get(w)
        else _("'{word}' (line {line})").format(word=written, line=n)
        for w, (n, written) in first.items()
    )
    line = min(n for n, _ in first.values())
    yield ctx.at_body(
        message,
        line - message.body_line,
        "T213",
        Severity.WARNING,
        _(
            "{count} hard words (at most {limit}): {listed}; choose the everyday word parents "
            "would use themselves"
        ).format(count=len(first), limit=limit, listed=listed),
    )


def _normal(phrase: str) -> str:
    # "AB-model", "ab  model" and "Ab model" are the same hard word.
    return " ".join(phrase.lower().replace("-", " ").split())
