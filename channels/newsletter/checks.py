"""The newsletter's checks: an item that fits a newsletter (T222 length, T223 links), and a
cadence that can be read and is ever due (P701, P702)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from channels.newsletter.plan import CHANNEL_NAME
from channels.newsletter.settings import NewsletterSettings
from flows.checks.context import Context
from flows.core.findings import Finding, Severity
from flows.core.models import Campaign
from flows.planning.rotation import cadence_findings


def newsletter_findings(
    ctx: Context, with_newsletter: Sequence[tuple[Campaign, NewsletterSettings]]
) -> Iterator[Finding]:
    """Every finding of the newsletter channel."""
    limits = ctx.library.style.limits
    for message in ctx.library.messages:
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
    for campaign, settings in with_newsletter:
        yield from cadence_findings(ctx.library, campaign, CHANNEL_NAME, settings.cadence)
