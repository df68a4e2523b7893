"""The `feeds` channel: RSS 2.0 and Atom 1.0 per audience and language under `out/feeds/`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from channels.base import Channel, Context, DeliveryReport, Edition, Held, Labels, Loaded, Rendered
from channels.feeds.plan import CHANNEL_NAME, FeedMeta, FeedPayload, WithFeed, plan_feeds
from channels.feeds.render import Feed, linked_urls, render_atom, render_rss
from channels.feeds.settings import FeedsSettings
from channels.shared.files import deliver_files
from channels.shared.reach import publish_links
from flows.core.findings import Finding
from flows.core.i18n import N_, _, ngettext
from flows.core.models import Campaign, Message
from flows.core.settings import Settings
from flows.library.loader import Library
from flows.planning.rotation import cadence_findings, parsed_cadence

if TYPE_CHECKING:
    from flows.checks.context import Context as CheckContext


class FeedsChannel(Channel[FeedsSettings, None, FeedPayload, FeedMeta]):
    """Syndication feeds partners and signage players pull from."""

    name = CHANNEL_NAME
    files_only = True
    label = Labels(nl="Feeds", en="Feeds")
    settings_model = FeedsSettings
    outputs = (("feeds", N_("RSS and Atom per audience and language")),)

    def load_inputs(self, settings: Settings, library: Library) -> Loaded[None]:
        """Feeds need nothing beyond the campaigns."""
        return Loaded(None)

    def checks(self, ctx: CheckContext, inputs: None) -> Iterable[Finding]:
        """The feed cadence of every campaign (P701, P702)."""
        for campaign in ctx.library.campaigns:
            feeds = self.settings_for(campaign)
            if feeds is not None:
                yield from cadence_findings(ctx.library, campaign, self.name, feeds.cadence)

    def with_feeds(self, campaigns: Sequence[Campaign]) -> list[WithFeed]:
        """The campaigns with valid feed settings and a readable cadence."""
        out: list[WithFeed] = []
        for campaign in campaigns:
            feeds = self.settings_for(campaign)
            cadence = parsed_cadence(feeds.cadence) if feeds else None
            if feeds is not None and cadence is not None:
                out.append((campaign, feeds, cadence))
        return out

    def plan(
        self,
        library: Library,
        inputs: None,
        campaigns: Sequence[Campaign],
        day: date,
        held: Held = frozenset(),
    ) -> list[Edition[FeedPayload]]:
        """One edition per audience and language whose feed has something new on `day`."""
        return plan_feeds(library, self.with_feeds(campaigns), day, held)

    def render(
        self, edition: Edition[FeedPayload], ctx: Context
    ) -> Rendered[FeedPayload, FeedMeta]:
        """Both documents of one feed."""
        entries = edition.payload.entries
        feed = Feed(
            target=edition.target,
            audience=edition.audiences[0],
            lang=edition.lang,
            entries=entries,
            base_url=ctx.settings.public_base_url,
            organisation=ctx.settings.organisation,
            track_links=ctx.settings.feeds_track_links,
        )
        files = {
            f"feeds/{edition.target}.rss": render_rss(feed),
            f"feeds/{edition.target}.atom": render_atom(feed),
        }
        return Rendered(edition, files, FeedMeta(len(entries)))

    def deliver(self, rendered: Rendered[FeedPayload, FeedMeta], ctx: Context) -> DeliveryReport:
        """Write the feed files atomically; an unchanged feed is not rewritten (nothing new)."""
        edition = rendered.edition
        report = DeliveryReport(edition.key, self.name, edition.target)
        files = dict(sorted(rendered.files.items()))
        if ctx.settings.feeds_track_links:  # the redirects answer before a reader clicks
            urls = linked_urls(edition.payload.entries)
            report.notes += publish_links(
                ctx.settings, ctx.out_dir, urls, self.name, [edition.target]
            )
        written = deliver_files(report, ctx.out_dir, files)
        report.notes.extend(_("wrote {path}").format(path=rel) for rel in written)
        entries = rendered.meta.entries
        report.notes.append(
            ngettext("{n} entry in the feed", "{n} entries in the feed", entries).format(n=entries)
        )
        return report

    def plan_link(self, edition: Edition[FeedPayload]) -> str | None:
        """The RSS document of this feed (the plan links it)."""
        return f"feeds/{edition.target}.rss"

    def shown_in_plan(self, edition: Edition[FeedPayload]) -> Sequence[Message]:
        """A feed edition carries its whole window: the plan shows what is new that day."""
        return [e.message for e in edition.payload.entries if e.day == edition.day]


CHANNEL = FeedsChannel()
