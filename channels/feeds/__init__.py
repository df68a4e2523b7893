"""The `feeds` channel: RSS 2.0 and Atom 1.0 per audience and language under `out/feeds/`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from channels.base import Context, DeliveryReport, Edition, Rendered
from channels.feeds.plan import CHANNEL_NAME, FeedEntry, plan_feeds
from channels.feeds.render import render_atom, render_rss
from flows.core.models import Campaign
from flows.infra.outputs import write_atomic

if TYPE_CHECKING:
    from flows.library.loader import Library


class FeedsChannel:
    """Syndication feeds partners and signage players pull from."""

    name = CHANNEL_NAME

    def plan(
        self,
        library: Library,
        campaigns: Sequence[Campaign],
        day: date,
        held: frozenset[tuple[str, str]] = frozenset(),
    ) -> list[Edition]:
        """One edition per audience and language whose feed has something new on `day`."""
        return plan_feeds(library, campaigns, day, held)

    def render(self, edition: Edition, ctx: Context) -> Rendered:
        """Both documents of one feed."""
        entries: tuple[FeedEntry, ...] = edition.params.get("entries", ())
        # A message held after planning (for example by a link check) never reaches the feed.
        entries = tuple(e for e in entries if e.message.key not in ctx.held)
        audience = edition.audiences[0]
        base, org = ctx.settings.public_base_url, ctx.settings.organisation
        args = (edition.target, audience, edition.lang, entries, base, org)
        return Rendered(
            edition=edition,
            files={
                f"feeds/{edition.target}.rss": render_rss(*args),
                f"feeds/{edition.target}.atom": render_atom(*args),
            },
            extra={"entries": len(entries)},
        )

    def deliver(self, rendered: Rendered, ctx: Context) -> DeliveryReport:
        """Write the feed files atomically; an unchanged feed is not rewritten (nothing new)."""
        edition = rendered.edition
        report = DeliveryReport(edition.key, self.name, edition.target)
        for rel, payload in sorted(rendered.files.items()):
            if write_atomic(ctx.out_dir / rel, payload):
                report.delivered += 1
                report.notes.append(f"wrote {rel}")
            else:
                report.skipped += 1
        entries = rendered.extra.get("entries", 0)
        report.notes.append(f"{entries} {'entry' if entries == 1 else 'entries'} in the feed")
        return report


CHANNEL = FeedsChannel()
