"""The screens channel's checks: slide texts that read from a chair (T220, T221), and screens
that campaigns name (S131)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from channels.screens.config import Screen, ScreensSettings
from flows.checks.context import Context, field_line
from flows.core.findings import Finding, Severity, finding
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
    known = {s.id for s in screens}
    for campaign in ctx.library.campaigns:
        settings = settings_for(campaign)
        for i, screen_id in enumerate(settings.screens if settings else ()):
            if screen_id not in known:
                names = ", ".join(sorted(known)) or "none in screens.yaml"
                yield finding(
                    ctx.library.rel(campaign.path),
                    field_line(campaign, f"channels.screens.screens.{i}"),
                    "S131",
                    Severity.ERROR,
                    f"campaign names screen '{screen_id}', which is not in screens.yaml; use "
                    f"one of: {names}",
                )
