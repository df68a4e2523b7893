"""Fits its channel, the brief's rule 6: T220 screen headline, T221 screen text, T222 newsletter
length, T223 too many resources."""

from __future__ import annotations

from collections.abc import Iterator

from flows.checks.context import Context
from flows.core.findings import Finding, Severity


def check(ctx: Context) -> Iterator[Finding]:
    """Screen text lengths, newsletter word count and number of resources."""
    limits = ctx.library.style.limits
    for message in ctx.library.messages:
        headline = len(message.screen.headline)
        if headline > limits.screen_headline_chars:
            yield ctx.at_field(
                message,
                "screen.headline",
                "T220",
                Severity.ERROR,
                f"screen headline is {headline} characters (at most "
                f"{limits.screen_headline_chars}); shorten it, it is read from a chair in a "
                f"few seconds",
            )
        text = len(message.screen.text)
        if text > limits.screen_text_chars:
            yield ctx.at_field(
                message,
                "screen.text",
                "T221",
                Severity.ERROR,
                f"screen text is {text} characters (at most {limits.screen_text_chars}); "
                f"shorten it to one or two short sentences",
            )
        words = ctx.prose(message).word_count()
        if words > limits.newsletter_words:
            yield ctx.at_body(
                message,
                0,
                "T222",
                Severity.WARNING,
                f"the text is {words} words (at most {limits.newsletter_words} for a newsletter "
                f"item); shorten it or split it into two messages",
            )
        if len(message.resources) > limits.resources_max:
            yield ctx.at_field(
                message,
                "resources",
                "T223",
                Severity.ERROR,
                f"{len(message.resources)} resources (at most {limits.resources_max}); keep the "
                f"{limits.resources_max} most useful links",
            )
