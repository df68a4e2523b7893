"""Dates: D301 the review date has passed, D302 the message is no longer valid."""

from __future__ import annotations

from collections.abc import Iterator

from flows.checks.context import Context
from flows.core.findings import Finding, Severity
from flows.core.i18n import _


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
                _(
                    "the review date {day} has passed; read the message again, update it if "
                    "needed and set a new review_by"
                ).format(day=message.review_by),
            )
        if message.valid_until is not None and message.valid_until < today:
            yield ctx.at_field(
                message,
                "valid_until",
                "D302",
                Severity.WARNING,
                _(
                    "valid_until {day} has passed, so the message is no longer published; "
                    "remove the file or set a later valid_until"
                ).format(day=message.valid_until),
            )
