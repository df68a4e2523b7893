"""The screens channel's checks: slide texts that read from a chair (T220, T221), and screens
that campaigns name (S131)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from channels.screens.config import Screen, ScreensSettings
from flows.checks.context import Context, field_line
from flows.core.findings import Finding, Severity, finding
from flows.core.i18n import _
from flows.core.models import Campaign


def screen_findings(
    ctx: Context,
    screens: Sequence[Screen],
    settings_for: Callable[[Campaign], ScreensSettings | None],
) -> Iterator[Finding]:
    """Every finding of the screens channel."""
    limits = ctx.library.style.limits
    for message in ctx.library.messages:
        headline = len(message.screen.headline)
        if headline > limits.screen_headline_chars:
            yield ctx.at_field(
                message,
                "screen.headline",
                "T220",
                Severity.ERROR,
                _(
                    "screen headline is {headline} characters (at most {limit}); shorten it, "
                    "it is read from a chair in a few seconds"
                ).format(headline=headline, limit=limits.screen_headline_chars),
            )
        text = len(message.screen.text)
        if text > limits.screen_text_chars:
            yield ctx.at_field(
                message,
                "screen.text",
                "T221",
                Severity.ERROR,
                _(
                    "screen text is {text} characters (at most {limit}); shorten it to one or "
                    "two short sentences"
                ).format(text=text, limit=limits.screen_text_chars),
            )
    known = {s.id for s in screens}
    for campaign in ctx.library.campaigns:
        settings = settings_for(campaign)
        for i, screen_id in enumerate(settings.screens if settings else ()):
            if screen_id not in known:
                names = ", ".join(sorted(known)) or _("none in screens.yaml")
                yield finding(
                    ctx.library.rel(campaign.path),
                    field_line(campaign, f"channels.screens.screens.{i}"),
                    "S131",
                    Severity.ERROR,
                    _(
                        "campaign names screen '{screen}', which is not in screens.yaml; use "
                        "one of: {names}"
                    ).format(screen=screen_id, names=names),
                )
