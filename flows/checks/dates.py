"""Dates: D301 the review date has passed, D302 the message is no longer valid."""

from __future__ import annotations

from collections.abc import Iterator

from flows.checks.context import Context
from flows.core.findings import Finding, Severity


def check(ctx: Context) -> Iterator[Finding]:
    """Warn about review dates and end dates before today."""
    today = ctx.today
    for message in ctx.library.messages:
        if message.review_by is not None and message.review_by < today:
            yield ctx.at_field(
                message,
                "review_by",
                "D301",
                Severity.WARNING,
                f"review date {message.review_by} has passed; read the message again, update "
                f"it if needed and set a new review_by",
            )
        if message.valid_until is not None and message.valid_until < today:
            yield ctx.at_field(
                message,
                "valid_until",
                "D302",
                Severity.WARNING,
                f"valid_until {message.valid_until} has passed, so the message is no longer "
                f"published; remove the file or set a later valid_until",
            )
