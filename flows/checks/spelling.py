"""Spelling, T215: a word that neither the dictionary (pyspellchecker's Dutch or English list,
plus simplemma's) nor the team's `team_words:` / `common_words:` know, and that is not a compound
of known words ("schermpauze", "slaapstijd"). Names are left alone: a word with a capital inside
a sentence ("Els", "Utrecht"), and acronyms in capitals. Runs only when `team_words:` is set
(an empty list is enough), for Dutch and English messages; one finding per word per message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from flows.checks import language
from flows.checks.context import Context
from flows.core.findings import Finding, Severity
from flows.core.i18n import _

_BEFORE_SENTENCE = re.compile(r"(?:^|[.!?:\x00])[\s\"'“‘(*_-]*$")
_LOOKBACK = 8


def is_name(text: str, start: int) -> bool:
    """True when the word at `start` of `text` is capitalised and does not open a sentence
    (a name), or is all in capitals (an acronym)."""
    first = text[start]
    if not first.isupper():
        return False
    end = start
    while end < len(text) and (text[end].isalnum()):
        end += 1
    if end - start > 1 and text[start:end].isupper():
        return True
    return _BEFORE_SENTENCE.search(text[max(start - _LOOKBACK, 0) : start]) is None


def check(ctx: Context) -> Iterator[Finding]:
    """Unknown words per message."""
    style = ctx.library.style
    for message in ctx.library.messages:
        src = style.english if message.lang == "en" else style
        if src.team_words is None:
            continue
        lang = message.lang
        jargon = (*style.jargon, *style.english.jargon)
        known = frozenset(w.lower() for w in (*src.team_words, *(src.common_words or ())))
        known |= frozenset(w for term in jargon for w in re.findall(r"\w+", term.lower()))
        parts = frozenset(w for w in known if len(w) >= 5)
        corpus = ctx.corpus(message)
        seen: set[str] = set()
        for start, end, word in corpus.tokens():
            if word in seen or word in known or _known(word, lang):
                continue
            if language.contains_term(word, parts):  # "cortisolspiegel": jargon, not spelling
                continue
            if is_name(corpus.text, start):
                continue
            seen.add(word)
            hit = corpus.hit(message, start, end)
            better = language.suggestion(word, lang)
            text = (
                _(
                    "unknown word '{word}'; did you mean '{better}'? If it is spelled right, "
                    "add it under team_words: in style.yaml"
                ).format(word=hit.text, better=better)
                if better
                else _(
                    "unknown word '{word}'; check the spelling. If it is spelled right, add it "
                    "under team_words: in style.yaml"
                ).format(word=hit.text)
            )
            yield ctx.at_body(
                message, hit.line - message.body_line, "T215", Severity.WARNING, text, hit.column
            )


_KNOWN: dict[tuple[str, str], bool] = {}


def _known(word: str, lang: str) -> bool:
    key = (word, lang)
    found = _KNOWN.get(key)
    if found is None:
        found = _KNOWN[key] = _check_word(word, lang)
    return found


def _check_word(word: str, lang: str) -> bool:
    if len(word) < 3 or not word.replace("-", "").replace("'", "").isalpha():
        return True  # numbers, "zo'n"-like short forms and tiny words are not checked
    parts = re.split(r"[-'’]", word)
    if len(parts) > 1:
        return all(_known(p, lang) for p in parts if p)

    def known(p: str) -> bool:
        return language.in_dictionary(p, lang)

    return known(word) or language.split_compound(word, known) is not None
