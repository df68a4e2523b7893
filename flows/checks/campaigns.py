"""Campaign rules: S130 unknown message id, S132 weeks beyond the period (S131, a screen that
is not in screens.yaml, is the screens channel's own check)."""

from __future__ import annotations

from collections.abc import Iterator

from flows.checks.context import Context, field_line
from flows.core.findings import Finding, Severity, finding
from flows.core.i18n import _


def check(ctx: Context) -> Iterator[Finding]:
    """Message ids and screens named by campaigns exist; weeks fit in the period."""
    library = ctx.library
    ids = library.ids()
    for campaign in library.campaigns:
        rel = library.rel(campaign.path)
        named = [(f"messages.{i}", m) for i, m in enumerate(campaign.messages)]
        for w, week in enumerate(campaign.weeks):
            named += [(f"weeks.{w}.messages.{i}", m) for i, m in enumerate(week.messages)]
        for where, message_id in named:
            if message_id not in ids:
                yield finding(
                    rel,
                    field_line(campaign, where),
                    "S130",
                    Severity.ERROR,
                    _(
                        "the campaign names message '{id}', but there is no message with that "
                        "id; check the spelling or write the message first"
                    ).format(id=message_id),
                )
        period = campaign.period
        fits = (period.end - period.start).days // 7 + 1
        if len(campaign.weeks) > fits:
            yield finding(
                rel,
                field_line(campaign, f"weeks.{fits}"),
                "S132",
                Severity.ERROR,
                _(
                    "the campaign has {weeks} weeks but its period ({start} to {end}) holds "
                    "only {fits}; remove the extra weeks or move the period end"
                ).format(weeks=len(campaign.weeks), start=period.start, end=period.end, fits=fits),
            )
