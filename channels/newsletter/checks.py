"""The newsletter's checks: an item that fits a newsletter (T222 length, T223 links), and a
cadence that can be read and is ever due (P701, P702)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from channels.newsletter.plan import CHANNEL_NAME
from channels.newsletter.settings import NewsletterSettings
from flows.checks.context import Context
from flows.core.findings import Finding, Severity
from flows.core.i18n import _
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
                _(
                    "the text is {words} words (at most {limit} for a newsletter item); "
                    "shorten it or split it into two messages"
                ).format(words=words, limit=limits.newsletter_words),
            )
        if len(message.resources) > limits.resources_max:
            yield ctx.at_field(
                message,
                "resources",
                "T223",
                Severity.ERROR,
                _("{count} resources (at most {limit}); keep the {limit} most useful links").format(
                    count=len(message.resources), limit=limits.resources_max
                ),
            )
    for campaign, settings in with_newsletter:
        yield from cadence_findings(ctx.library, campaign, CHANNEL_NAME, settings.cadence)
