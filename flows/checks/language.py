"""A little knowledge of Dutch and English words, from packages rather than more lists.

- lemmas (simplemma): "fouten" is "fout", "gefaald" is "falen", so a list names each word once;
- word frequency (wordfreq, Zipf scale: 7 is "de", 3 is about once per million words) for hard
  words;
- a spelling dictionary (pyspellchecker's word-frequency lists for Dutch and English);
- compound splitting: Dutch writes compounds as one word ("cortisolspiegel", "bedtijd"), so a
  word that is two known words (with a linking "s" or "e(n)" between them) is read as its parts.

Everything is cached per word: a check run sees each distinct word once, however many messages
use it. The dictionaries are loaded on first use (about half a second each, once per process).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import cache, lru_cache

import simplemma
from spellchecker import SpellChecker
from wordfreq import zipf_frequency

# Dutch compounds join their parts bare or with a linking sound: "kinder-opvang" has "er"
# (kind), "slaap-s-tijd" has "s", "zonne-bril" "e", "boeken-kast" "en".
_LINKS = ("", "s", "e", "en", "er")
_MIN_PART = 4


@lru_cache(maxsize=1 << 16)
def lemma(word: str, lang: str) -> str:
    """The dictionary form of a lower-case word ("fouten" -> "fout"); the word itself when
    simplemma does not know it."""
    return str(simplemma.lemmatize(word, lang=lang)).lower()


@lru_cache(maxsize=1 << 16)
def zipf(word: str, lang: str) -> float:
    """How common a word is (Zipf scale, 0 when wordfreq has never seen it)."""
    return float(zipf_frequency(word, lang))


@cache
def _speller(lang: str) -> SpellChecker:
    return SpellChecker(language=lang, distance=1)


@lru_cache(maxsize=1 << 16)
def in_dictionary(word: str, lang: str) -> bool:
    """True when the spelling dictionary (or simplemma's word list) knows the lower-case word."""
    return word in _speller(lang) or bool(simplemma.is_known(word, lang=lang))


def suggestion(word: str, lang: str) -> str | None:
    """The likeliest correct spelling of an unknown word (one edit away), or None."""
    found = _speller(lang).correction(word)
    return found if found and found != word else None


def split_compound(
    word: str, known: Callable[[str], bool], min_part: int = _MIN_PART
) -> tuple[str, str] | None:
    """(head, tail) when `word` is two parts that `known` accepts, perhaps with a linking sound
    between them ("slaapstijd" -> ("slaap", "tijd")); the tail may itself be a compound."""
    for cut in range(len(word) - min_part, min_part - 1, -1):
        tail = word[cut:]
        if not (known(tail) or _split_tail(tail, known, min_part)):
            continue
        head = word[:cut]
        for link in _LINKS:
            if link and not head.endswith(link):
                continue
            stem = head[: len(head) - len(link)] if link else head
            if len(stem) >= min_part and known(stem):
                return stem, tail
    return None


def _split_tail(tail: str, known: Callable[[str], bool], min_part: int) -> bool:
    # One more level: "zwemlesdag" -> "zwem" + "lesdag" -> "les" + "dag".
    if len(tail) < 2 * min_part:
        return False
    for cut in range(min_part, len(tail) - min_part + 1):
        if known(tail[:cut]) and known(tail[cut:]):
            return True
    return False


def contains_term(word: str, terms: Collection[str], min_rest: int = _MIN_PART) -> str | None:
    """The term of `terms` that a compound word starts or ends with ("cortisolspiegel" ->
    "cortisol", "stressregulatiemodel" -> "stressregulatie"), or None. The rest of the word
    must be at least `min_rest` letters, so "bufferen" is not "buffer" + "en"."""
    for term in terms:
        if len(word) - len(term) < min_rest:
            continue
        if word.startswith(term) or word.endswith(term):
            return term
    return None
