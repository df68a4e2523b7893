"""Tone of voice, the brief's rules 1-4: T201 jargon, T202 tip without a reason, T203 blame
words, T204 no strength named. Word lists come from `style.yaml` (English lists from its
`english:` part)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from flows.checks.context import Context, Terms, quote, staff_only, term_pattern
from flows.checks.prose import Prose
from flows.core.findings import Finding, Severity
from flows.core.models import Message, Style


@dataclass(frozen=True)
class Words:
    """The lists that depend on the message's language."""

    blame: Terms | None
    reason: Terms | None
    strength: Terms | None
    tip: re.Pattern[str] | None
    reason_examples: str
    strength_examples: str
    normalise_example: str


def words_for(style: Style, lang: str) -> Words:
    """Compiled word lists for Dutch (the default) or English messages."""
    src = style.english if lang == "en" else style
    reasons = [m.strip() for m in src.reason_markers if m.strip()]
    strengths = [m.strip() for m in src.strength_markers if m.strip()]
    return Words(
        blame=term_pattern(src.blame),
        reason=term_pattern(src.reason_markers),
        strength=term_pattern(src.strength_markers),
        tip=_tip_pattern(src.tip_verbs),
        reason_examples=", ".join(f"'{r}'" for r in reasons[:3]),
        strength_examples=", ".join(f"'{s}'" for s in strengths[:3]),
        normalise_example=(
            "many parents recognise this" if lang == "en" else "veel ouders herkennen dit"
        ),
    )


@lru_cache(maxsize=8)
def _tip_pattern(verbs: tuple[str, ...]) -> re.Pattern[str] | None:
    cleaned = sorted({re.escape(v.strip().lower()) for v in verbs if v.strip()})
    if not cleaned:
        return None
    return re.compile(r"(?i)^(?:" + "|".join(cleaned) + r")(?!\w)")


def check(ctx: Context) -> Iterator[Finding]:
    """Jargon, tips without reasons, blame words and a missing strength, per message."""
    style = ctx.library.style
    jargon = term_pattern(style.jargon)
    by_lang: dict[str, Words] = {}
    for message in ctx.library.messages:
        words = by_lang.get(message.lang)
        if words is None:
            words = by_lang[message.lang] = words_for(style, message.lang)
        if jargon is not None and not staff_only(message):
            for hit in ctx.hits(message, jargon):
                yield _finding(
                    ctx,
                    message,
                    hit.line,
                    hit.column,
                    "T201",
                    f"'{hit.text}' is a professional term that parents and young people should "
                    f"not meet; say in everyday words what it means for them (only messages "
                    f"for staff audiences may use it)",
                )
        yield from _tips(ctx, message, words)
        if words.blame is not None:
            for hit in ctx.hits(message, words.blame):
                yield _finding(
                    ctx,
                    message,
                    hit.line,
                    hit.column,
                    "T203",
                    f"blame word '{hit.text}': it can make parents feel judged or guilty; "
                    f"recognise the feeling and normalise instead (for example "
                    f"'{words.normalise_example}')",
                )
        if words.strength is not None and next(ctx.hits(message, words.strength), None) is None:
            yield ctx.at_body(
                message,
                0,
                "T204",
                Severity.WARNING,
                f"no strength named: say what already goes well or what the reader already "
                f"does (words that count include {words.strength_examples})",
            )


def _finding(
    ctx: Context, message: Message, line: int, column: int, code: str, text: str
) -> Finding:
    return ctx.at_body(message, line - message.body_line, code, Severity.ERROR, text, column)


def _tips(ctx: Context, message: Message, words: Words) -> Iterator[Finding]:
    if words.tip is None or words.reason is None:
        return
    prose = ctx.prose(message)
    sentences = prose.sentences()
    for i, sentence in enumerate(sentences):
        if sentence.text.endswith("?") or not words.tip.match(sentence.text):
            continue
        if _has_reason(prose, words.reason, i):
            continue
        yield ctx.at_body(
            message,
            sentence.line,
            "T202",
            Severity.WARNING,
            f"tip without a reason: {quote(sentence.text)}; say why it helps, for example "
            f"with {words.reason_examples}",
            prose.column_of(sentence.line, sentence.text[:20]),
        )


def _has_reason(prose: Prose, reason: Terms, index: int) -> bool:
    sentences = prose.sentences()
    sentence = sentences[index]
    if sentence.item:  # a list item is one tip: the reason may be anywhere in it
        block = prose.blocks[sentence.block]
        return reason.search(block.text, block.lower)
    if reason.search(sentence.text):
        return True
    # "Lees samen een boek. Zo komt je kind tot rust." gives the reason in the next sentence.
    following = sentences[index + 1] if index + 1 < len(sentences) else None
    return bool(following and following.block == sentence.block and reason.search(following.text))
