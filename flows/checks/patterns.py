"""What word lists cannot see: T205 cause-blame, T206 judgement of parents, T207 obligation,
T208 fear framing. Each finding says, in plain Dutch, what to write instead.

- cause-blame: the reader made something go wrong ("dat komt door jouw onrust", "jij zorgt
  ervoor dat je kind niet slaapt"); the same words with a good result are praise ("dat komt door
  jouw geduld"), so a negative word (`negative_words:`) must be in the sentence;
- judgement: a norm for parents ("een goede ouder kijkt...", "slechte ouders"); not after a
  negation ("geen perfecte ouder") and not said of the reader ("je bent een goede ouder");
- obligation: a command to the reader ("je moet", "moet je", "verplicht", "altijd ... moet");
  "kinderen moeten soms even huilen" describes and is fine, and so is "niet verplicht";
- fear framing: harm (`fear_harm:`, by lemma) or lasting harm (`fear_lasting:` with a negative
  word) in a paragraph that gives no handle (`handles:`, or a sentence that is a tip).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from flows.checks import language
from flows.checks.context import Context, Hit, Terms, term_pattern
from flows.core.findings import Finding, Severity
from flows.core.i18n import _
from flows.core.models import Message, Style

_SENTENCE_EDGE = re.compile(r"[.!?\x00]")


@dataclass(frozen=True)
class Keyed:
    """A pattern and words of which each of its matches contains at least one: most messages
    contain none of them, and a substring test per word is far cheaper than the regex scan
    (these patterns start with alternatives, so the regex engine tries every position)."""

    pattern: re.Pattern[str]
    keys: tuple[str, ...]

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """The pattern's matches in `text`, none when no key word is in it."""
        if any(key in text for key in self.keys):
            yield from self.pattern.finditer(text)


@dataclass(frozen=True)
class Grammar:
    """The patterns of one language."""

    cause: Keyed
    cause_negated: re.Pattern[str]
    judgement: Keyed
    judgement_fine_before: re.Pattern[str]
    obligation: Keyed
    question_only: re.Pattern[str]  # obligation forms that are fine in a question


_DUTCH = Grammar(
    cause=Keyed(
        re.compile(
            r"\b(?:komt|ligt|gebeurt|ontstaat)\s+(?:\w+\s+){0,2}?(?:door|aan)\s+"
            r"(?:jou|jouw|jij|u|uw|jullie)\b"
            r"|\bdoor\s+(?:jouw|uw|jullie)\b"
            r"|\b(?:jij|je|u|jullie)\s+(?:zorgt|zorg|zorgen)\s+(?:er\s+)?(?:er)?voor\s+dat\b"
            r"|\b(?:jij|je|u)\s+(?:maakt|maak)\s+(?:je|jouw|uw)\s+kind\b(?=\s+\w)"
        ),
        ("komt", "ligt", "gebeurt", "ontstaat", "door", "zorg", "maak"),
    ),
    cause_negated=re.compile(r"\b(?:niet|geen|nooit)\b"),
    judgement=Keyed(
        re.compile(
            r"\b(?:(?:een|de)\s+)?(?:goede|goeie|slechte|slechtere|echte|perfecte|betere|"
            r"ideale|normale)\s+(?:ouders?|moeders?|vaders?|opvoeders?)\b"
        ),
        ("goede", "goeie", "echte", "perfecte", "betere", "ideale", "normale"),  # slechte too
    ),
    judgement_fine_before=re.compile(
        r"(?:\b(?:niet|geen|nooit)\s+(?:\w+\s+)?|\b(?:je|jij|u)\s+(?:bent|blijft)\s+(?:al\s+)?"
        r"|\bben\s+(?:je|jij)\s+(?:al\s+)?|\bjullie\s+zijn\s+(?:al\s+)?)$"
    ),
    obligation=Keyed(
        re.compile(
            r"\b(?:je|jij|u)\s+(?:moet|moest)\b|\bjullie\s+moeten\b"
            r"|\bmoet\s+(?:je|jij|u)\b|\bmoeten\s+jullie\b"
            r"|\bhad\s+(?:je|jij|u)\s+(?:\w+\s+){0,4}?moeten\b"
            r"|\bverplicht\w*"
            r"|\baltijd\s+(?:\w+\s+){0,4}?moet(?:en)?\b"
            r"|\bmoet(?:en)?\s+(?:\w+\s+){0,2}?altijd\b"
        ),
        ("moet", "moest", "verplicht"),
    ),
    question_only=re.compile(r"^moet"),
)

_ENGLISH = Grammar(
    cause=Keyed(
        re.compile(
            r"\b(?:because\s+of|caused\s+by|due\s+to)\s+(?:you|your)\b"
            r"|\b(?:it's|that's|it\s+is|that\s+is)\s+(?:all\s+)?(?:on\s+)?you\b"
            r"|\byou\s+(?:make|made|cause|caused)\s+(?:your\s+)?"
            r"(?:child|baby|kid|him|her|them)\b"
        ),
        ("you",),
    ),
    cause_negated=re.compile(r"\b(?:not|never|isn't|no)\b"),
    judgement=Keyed(
        re.compile(
            r"\b(?:(?:a|the)\s+)?(?:good|bad|real|perfect|better|proper|ideal)\s+"
            r"(?:parents?|mothers?|fathers?|mums?|moms?|dads?)\b"
        ),
        ("parent", "mother", "father", "mum", "mom", "dad"),
    ),
    judgement_fine_before=re.compile(
        r"(?:\b(?:not|no|never|don't|isn't)\s+(?:\w+\s+)?|\byou\s+(?:are|stay)\s+(?:already\s+)?"
        r"|\byou're\s+(?:already\s+)?|\bare\s+you\s+)$"
    ),
    obligation=Keyed(
        re.compile(
            r"\byou\s+(?:must|have\s+to|should|ought\s+to)\b|\bmust\s+you\b"
            r"|\b(?:mandatory|compulsory|obligatory)\b|\balways\s+must\b|\bmust\s+always\b"
        ),
        ("must", "have", "should", "ought", "mandatory", "compulsory", "obligatory"),
    ),
    question_only=re.compile(r"^must"),
)
_BAD_JUDGEMENT = re.compile(r"\b(?:slechte|slechtere|bad)\b")


@dataclass(frozen=True)
class Lists:
    """The word lists of one language that the patterns use."""

    lang: str
    grammar: Grammar
    negative: Terms | None
    harm: frozenset[str]
    lasting: Terms | None
    handles: Terms | None
    tip: re.Pattern[str] | None
    negations: frozenset[str]
    # Examples in the message's own language, quoted as written in the advice.
    cause_example: str
    invitation_example: str
    handle_example: str


_EXAMPLES = {
    "nl": (
        "veel kinderen slapen onrustig als er veel gebeurt; wat helpt is ...",
        "'probeer eens ..., want ...' of 'wat kan helpen is ...'",
        "troost en rust helpen je kind herstellen",
    ),
    "en": (
        "many children sleep badly when a lot is going on; what helps is ...",
        "'try ..., because ...' or 'what can help is ...'",
        "comfort and calm help your child recover",
    ),
}


def lists_for(style: Style, lang: str) -> Lists:
    """The compiled lists for a language (Dutch unless `en`)."""
    src = style.english if lang == "en" else style
    verbs = sorted({re.escape(v.strip().lower()) for v in src.tip_verbs if v.strip()})
    return Lists(
        lang=lang,
        grammar=_ENGLISH if lang == "en" else _DUTCH,
        negative=term_pattern(src.negative_words),
        harm=frozenset(h.strip().lower() for h in src.fear_harm if h.strip()),
        lasting=term_pattern(src.fear_lasting),
        handles=term_pattern(src.handles),
        tip=re.compile(r"(?i)^(?:" + "|".join(verbs) + r")(?!\w)") if verbs else None,
        negations=frozenset(n.strip().lower() for n in src.negations),
        cause_example=_EXAMPLES["en" if lang == "en" else "nl"][0],
        invitation_example=_EXAMPLES["en" if lang == "en" else "nl"][1],
        handle_example=_EXAMPLES["en" if lang == "en" else "nl"][2],
    )


def check(ctx: Context) -> Iterator[Finding]:
    """The four patterns, per message."""
    by_lang: dict[str, Lists] = {}
    for message in ctx.library.messages:
        lists = by_lang.get(message.lang)
        if lists is None:
            lists = by_lang[message.lang] = lists_for(ctx.library.style, message.lang)
        yield from _sentence_patterns(ctx, message, lists)
        yield from _fear(ctx, message, lists)


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) of the sentence around text[start:end]."""
    before = max((m.end() for m in _SENTENCE_EDGE.finditer(text, 0, start)), default=0)
    after = _SENTENCE_EDGE.search(text, end)
    return before, (after.end() if after else len(text))


def _sentence_patterns(ctx: Context, message: Message, lists: Lists) -> Iterator[Finding]:
    corpus = ctx.corpus(message)
    low = corpus.lower if corpus.lower is not None else corpus.text.lower()
    g = lists.grammar
    for m in g.cause.finditer(low):
        a, b = _sentence(low, m.start(), m.end())
        if g.cause_negated.search(m.group()) or corpus.negated(m.start(), lists.negations):
            continue
        rest = low[a : m.start()] + " " + low[m.end() : b]
        if lists.negative is None or not lists.negative.search(rest):
            continue
        yield _at(
            ctx,
            message,
            corpus.hit(message, m.start(), m.end()),
            "T205",
            _(
                "the reader is named as the cause of a problem ('{words}'); describe what "
                "happens without anyone to blame, and what helps, for example '{example}'"
            ).format(words=m.group(), example=lists.cause_example),
        )
    for m in g.judgement.finditer(low):
        a, _end = _sentence(low, m.start(), m.end())
        before = low[a : m.start()]
        if g.judgement_fine_before.search(before) and not (
            _BAD_JUDGEMENT.search(m.group()) and not _negation_in(before, lists.negations)
        ):
            continue
        if corpus.negated(m.start(), lists.negations):
            continue
        yield _at(
            ctx,
            message,
            corpus.hit(message, m.start(), m.end()),
            "T206",
            _(
                "a judgement of parents ('{words}'); do not write what a good or bad parent "
                "does, but what parents often notice and what can help"
            ).format(words=m.group()),
        )
    for m in g.obligation.finditer(low):
        a, b = _sentence(low, m.start(), m.end())
        question = low[a:b].rstrip().endswith("?")
        if question and g.question_only.match(m.group()):
            continue
        if corpus.negated(m.start(), lists.negations):
            continue
        yield _at(
            ctx,
            message,
            corpus.hit(message, m.start(), m.end()),
            "T207",
            _(
                "an obligation for the reader ('{words}'); make it an invitation with a reason, "
                "for example {example}"
            ).format(words=m.group(), example=lists.invitation_example),
        )


def _negation_in(text: str, negations: frozenset[str]) -> bool:
    return any(w in negations for w in text.split())


def _fear(ctx: Context, message: Message, lists: Lists) -> Iterator[Finding]:
    if not lists.harm and lists.lasting is None:
        return
    corpus = ctx.corpus(message)
    low = corpus.lower if corpus.lower is not None else corpus.text.lower()
    tokens = corpus.tokens()
    # Each part (title, screen text, paragraph, list item) is a paragraph of its own.
    bounds = [*corpus.starts, len(corpus.text) + 1]
    harm_at: dict[int, tuple[int, int]] = {}
    for start, end, word in tokens:
        harmful = bool(lists.harm) and (
            word in lists.harm or _harm_lemma(word, lists.lang) in lists.harm
        )
        if harmful and not corpus.negated(start, lists.negations):
            harm_at.setdefault(_part(bounds, start), (start, end))
    if lists.lasting is not None:
        for start, end in lists.lasting.spans(corpus.text, corpus.lower):
            a, b = _sentence(low, start, end)
            rest = low[a:start] + " " + low[end:b]
            negative = lists.negative is not None and lists.negative.search(rest)
            if negative and not corpus.negated(start, lists.negations):
                harm_at.setdefault(_part(bounds, start), (start, end))
    for part, (start, end) in sorted(harm_at.items()):
        text = corpus.text[bounds[part] : bounds[part + 1] - 1]
        if _has_handle(text, lists):
            continue
        yield _at(
            ctx,
            message,
            corpus.hit(message, start, end),
            "T208",
            _(
                "fear framing: '{words}' (harm to a child) with no handle in the same "
                "paragraph; say in the same paragraph what parents can do and that recovery is "
                "possible, for example '{example}'"
            ).format(words=corpus.text[start:end], example=lists.handle_example),
        )


@lru_cache(maxsize=1 << 14)
def _harm_lemma(word: str, lang: str) -> str:
    return language.lemma(word, lang)


def _part(bounds: list[int], offset: int) -> int:
    for i in range(len(bounds) - 1):
        if bounds[i] <= offset < bounds[i + 1]:
            return i
    return len(bounds) - 2


def _has_handle(text: str, lists: Lists) -> bool:
    if lists.handles is not None and lists.handles.search(text):
        return True
    if lists.tip is None:
        return False
    return any(lists.tip.match(s.strip()) for s in re.split(r"[.!?]\s+", text))


def _at(ctx: Context, message: Message, hit: Hit, code: str, text: str) -> Finding:
    return ctx.at_body(
        message, hit.line - message.body_line, code, Severity.ERROR, text, hit.column
    )
