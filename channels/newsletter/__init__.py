"""The `newsletter` channel: partner newsletters, rendered once and sent exactly once each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from channels.base import (
    Channel,
    CommandKit,
    Context,
    DeliveryReport,
    Edition,
    Held,
    Labels,
    Loaded,
    ReportNotes,
)
from channels.newsletter.checks import newsletter_findings
from channels.newsletter.compose import tracked_urls
from channels.newsletter.partners import PartnerList, PartnerListUnusable, load_partner_list
from channels.newsletter.payload import NewsletterMeta, NewsletterPayload
from channels.newsletter.plan import CHANNEL_NAME, plan_newsletters
from channels.newsletter.render import RenderedNewsletter, render_edition
from channels.newsletter.send import deliver_edition
from channels.newsletter.settings import NewsletterSettings
from channels.shared.reach import PREVIEW_TARGET, preview_links, publish_links
from flows.core.findings import Finding
from flows.core.i18n import N_, _, ngettext
from flows.core.models import Campaign, Message
from flows.core.settings import Settings
from flows.infra.markdown_table import cell
from flows.infra.outputs import write_atomic
from flows.library.loader import Library

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from flows.checks.context import Context as CheckContext

PREVIEW_TITLE = "Voorbeeld"  # the subject of a previewed block


class NewsletterChannel(
    Channel[NewsletterSettings, PartnerList, NewsletterPayload, NewsletterMeta]
):
    """E-mail newsletters for childcare and school partners."""

    name = CHANNEL_NAME
    label = Labels(nl="Nieuwsbrief", en="Newsletter")
    settings_model = NewsletterSettings
    calendar_events = "edition"  # each edition its own event, its block titles described
    outputs = (
        ("newsletters", N_("web archive of each newsletter edition")),
        ("outbox", N_("one .eml file per newsletter recipient (nothing was e-mailed)")),
    )

    def load_inputs(self, settings: Settings, library: Library) -> Loaded[PartnerList]:
        """The partner list in use: VEERKRACHT_PARTNERS_CSV, or the bundled example."""
        return load_partner_list(settings)

    def checks(self, ctx: CheckContext, inputs: PartnerList) -> Iterable[Finding]:
        """Newsletter length and links (T222, T223) and the cadence (P701, P702)."""
        return newsletter_findings(ctx, self.with_newsletter(ctx.library.campaigns))

    def with_newsletter(
        self, campaigns: Sequence[Campaign]
    ) -> list[tuple[Campaign, NewsletterSettings]]:
        """The campaigns with valid newsletter settings."""
        return [(c, s) for c in campaigns if (s := self.settings_for(c)) is not None]

    def plan(
        self,
        library: Library,
        inputs: PartnerList,
        campaigns: Sequence[Campaign],
        day: date,
        held: Held = frozenset(),
    ) -> list[Edition[NewsletterPayload]]:
        """One edition per campaign, partner kind, audience set and language due on `day`."""
        return plan_newsletters(
            library,
            inputs.partners,
            self.with_newsletter(campaigns),
            day,
            held,
            inputs.example,
            inputs.unusable,
        )

    def render(self, edition: Edition[NewsletterPayload], ctx: Context) -> RenderedNewsletter:
        """Render once: archive copy, HTML and text, and the per-recipient MIME template.

        An edition planned for an unusable partner list raises PartnerListUnusable (permanent,
        never retried): the newsletter fails for this run, the other channels are not touched.
        """
        if edition.payload.unusable:
            raise PartnerListUnusable(edition.payload.unusable)
        return render_edition(edition, ctx.settings)

    def deliver(self, rendered: RenderedNewsletter, ctx: Context) -> DeliveryReport:
        """Send to every recipient not yet in the ledger as sent (outbox or SMTP)."""
        # The short links must answer before the first partner clicks one.
        problems = publish_links(
            ctx.settings,
            ctx.out_dir,
            tracked_urls(rendered.edition, ctx.settings),
            self.name,
            [rendered.edition.target],
        )
        report = deliver_edition(rendered, ctx)
        report.notes += problems
        fallback = rendered.edition.payload.fallback
        if fallback:
            report.notes.append(
                ngettext(
                    "{n} item only exists in Dutch and was sent in Dutch in this {lang} "
                    "edition: {items}",
                    "{n} items only exist in Dutch and were sent in Dutch in this {lang} "
                    "edition: {items}",
                    len(fallback),
                ).format(
                    n=len(fallback),
                    lang=rendered.edition.lang,
                    items=", ".join(item for item, _text in fallback),
                )
            )
        return report

    def report_notes(self, loaded: Loaded[PartnerList], ctx: Context) -> ReportNotes:
        """The partner list's size, and the rows that were skipped."""
        partners, problems = len(loaded.value.partners), len(loaded.findings)
        line = _("Partners: {n} on the list, {problems}").format(
            n=partners,
            problems=ngettext("{n} problem", "{n} problems", problems).format(n=problems),
        )
        summary = (line + (f" ({loaded.note})" if loaded.note else ""),)
        if not loaded.findings:
            return ReportNotes(summary)
        if loaded.value.unusable:
            section: tuple[str, ...] = (
                "## " + _("Partner list problems"),
                "",
                _(
                    "**Nobody got the newsletter**: the partner list cannot be used. Screens "
                    "and feeds went out as usual. Fix what is named here and publish again."
                ),
                "",
                *(f"- {cell(f.format())}" for f in loaded.findings),
            )
            return ReportNotes(
                (*summary, _("Newsletter: not sent, the partner list is unusable")), section
            )
        section = (
            "## " + _("Partner list problems"),
            "",
            _("These rows were skipped; the other partners still got their newsletter."),
            "",
            *(f"- {cell(f.format())}" for f in loaded.findings),
        )
        return ReportNotes(summary, section)

    def plan_link(self, edition: Edition[NewsletterPayload]) -> str | None:
        """The edition's web archive, written when it is published (the plan links it)."""
        if edition.payload.unusable:
            return None
        return f"newsletters/{edition.key}/index.html"

    def preview(
        self,
        message: Message,
        library: Library,
        inputs: PartnerList,
        ctx: Context,
        day: date,
    ) -> list[Path]:
        """A newsletter with only this block: `nieuwsbrief.html` and `nieuwsbrief.txt`."""
        edition = Edition(
            channel=self.name,
            target=PREVIEW_TARGET,
            day=day,
            campaign_id="voorbeeld",
            campaign_title=PREVIEW_TITLE,
            lang=message.lang,
            audiences=message.audiences,
            messages=(message,),
            payload=NewsletterPayload(kind=""),
        )
        if ctx.register_links:
            preview_links(ctx.settings, tracked_urls(edition, ctx.settings), self.name)
        written = []
        for rel_path, data in render_edition(edition, ctx.settings).files.items():
            suffix = ".html" if rel_path.endswith(".html") else ".txt"
            path = ctx.out_dir / f"nieuwsbrief{suffix}"
            write_atomic(path, data)
            written.append(path)
        return written

    def register_cli(self, sub: Any, kit: CommandKit) -> None:
        """`veerkracht newsletter preview|test|send`."""
        from channels.newsletter.cli import register

        register(sub, kit)

    def public_routes(self, settings: Settings) -> Sequence[BaseRoute]:
        """`/afmelden`: the unsubscribe page and its one-click POST."""
        from channels.newsletter.unsubscribe import routes

        return routes(settings)


CHANNEL = NewsletterChannel()
