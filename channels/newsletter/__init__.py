"""The `newsletter` channel: partner newsletters, rendered once and sent exactly once each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from channels.base import Context, DeliveryReport, Edition, Rendered
from flows.core.models import Campaign

from .plan import CHANNEL_NAME, plan_newsletters
from .render import render_edition
from .send import deliver_edition

if TYPE_CHECKING:
    from flows.library.loader import Library


class NewsletterChannel:
    """E-mail newsletters for childcare and school partners."""

    name = CHANNEL_NAME

    def plan(
        self,
        library: Library,
        campaigns: Sequence[Campaign],
        day: date,
        held: frozenset[tuple[str, str]] = frozenset(),
    ) -> list[Edition]:
        """One edition per campaign, partner kind, audience set and language due on `day`."""
        return plan_newsletters(library, campaigns, day, held)

    def render(self, edition: Edition, ctx: Context) -> Rendered:
        """Render once: archive copy, HTML and text, and the per-recipient MIME template."""
        if any(m.key in ctx.held for m in edition.messages):
            # Held after planning (for example by a link check): it never reaches a partner.
            kept = tuple(m for m in edition.messages if m.key not in ctx.held)
            edition = replace(edition, messages=kept)
        return render_edition(edition, ctx.settings)

    def deliver(self, rendered: Rendered, ctx: Context) -> DeliveryReport:
        """Send to every recipient not yet in the ledger as sent (outbox or SMTP)."""
        report = deliver_edition(rendered, ctx)
        fallback = rendered.edition.params.get("fallback", ())
        if fallback:
            report.notes.append(
                f"{len(fallback)} item(s) only exist in Dutch and were sent in Dutch in this "
                f"{rendered.edition.lang} edition: {', '.join(i for i, _ in fallback)}"
            )
        return report


CHANNEL = NewsletterChannel()
