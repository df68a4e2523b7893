"""The posters channel: printable PDFs for halls and entrances without a screen.

`out/posters/<week>/<audience>.a4.pdf` and `.a3.pdf`, one poster per campaign week and
audience. On by default: a campaign without a `posters:` section gets A4 and A3 for all its
audiences. There is no configuration of its own, so `load_inputs` has nothing to read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from channels.base import Channel, Context, DeliveryReport, Edition, Held, Labels, Loaded, Rendered
from channels.posters.layout import Size
from channels.posters.model import PosterMeta, PosterPayload, PostersSettings
from channels.posters.pdf import PosterPdf, PosterText, render_pdf
from channels.posters.plan import CHANNEL_NAME, first_url, plan_posters, running_campaigns
from channels.shared.files import deliver_files
from channels.shared.reach import PREVIEW_TARGET, preview_links, publish_links
from channels.shared.shortlinks import linkable, printed_address, short_url
from flows.core.i18n import N_, _, ngettext
from flows.core.models import Campaign, Message
from flows.core.settings import Settings
from flows.infra.outputs import write_atomic
from flows.library.loader import Library
from flows.planning.rotation import in_campaign

PosterEdition = Edition[PosterPayload]
PosterRendered = Rendered[PosterPayload, PosterMeta]
PREVIEW_TITLE = "Voorbeeld"


def poster_path(payload: PosterPayload, size: Size) -> str:
    """Where one size of a poster goes, relative to out/."""
    return f"posters/{payload.week}/{payload.audience}.{size.lower()}.pdf"


def poster_text(edition: PosterEdition, public_base_url: str) -> PosterText:
    """What the poster of `edition` prints: its message's screen texts and QR address.

    A resource is printed as its short link: the QR code tagged with the poster's week and
    audience (`<base>/r/<code>?p=<tag>`), the address to type without the tag.
    """
    message = edition.messages[0]
    resource = edition.payload.url
    if resource and linkable(resource):
        url = short_url(public_base_url, resource, CHANNEL_NAME, edition.target)
        address = printed_address(public_base_url, resource)
    else:
        url, address = resource or public_base_url, ""
    return PosterText(
        key=edition.key,
        day=edition.day,
        lang=edition.lang,
        theme=message.theme,
        headline=message.screen.headline,
        text=message.screen.text,
        url=url,
        address=address,
        campaign_title=edition.campaign_title,
        attribution=edition.attribution,
    )


class PostersChannel(Channel[PostersSettings, None, PosterPayload, PosterMeta]):
    """Printable posters, A4 and A3 portrait, one message each."""

    name = CHANNEL_NAME
    files_only = True
    label = Labels(nl="Posters", en="Posters")
    settings_model = PostersSettings
    on_by_default = True
    outputs = (("posters", N_("printable A4 and A3 PDFs per campaign week and audience")),)

    def load_inputs(self, settings: Settings, library: Library) -> Loaded[None]:
        """Nothing to load: posters need no configuration beyond the campaign."""
        return Loaded(None)

    def plan(
        self,
        library: Library,
        inputs: None,
        campaigns: Sequence[Campaign],
        day: date,
        held: Held = frozenset(),
    ) -> list[PosterEdition]:
        """One edition per campaign audience on the first day of each campaign week (pure)."""
        return plan_posters(
            library, running_campaigns(campaigns, day, self.settings_for), day, held
        )

    def plan_link(self, edition: PosterEdition) -> str | None:
        """The PDF in the campaign's first size, written when the week is published."""
        return poster_path(edition.payload, edition.payload.sizes[0])

    def render(self, edition: PosterEdition, ctx: Context) -> PosterRendered:
        """The poster as a PDF in each of the edition's sizes."""
        poster = poster_text(edition, ctx.settings.public_base_url)
        pdfs: dict[Size, PosterPdf] = {}
        first: int | None = None
        # A3 first: A4 is the same layout scaled, so it starts from the type A3 needed.
        for size in sorted(edition.payload.sizes, key=lambda s: s != "A3"):
            pdfs[size] = pdf = render_pdf(poster, size, first)
            first = pdf.fit_index
        sizes = edition.payload.sizes  # files in the order the campaign lists the sizes
        files = {
            poster_path(edition.payload, s): data
            for s in sizes
            if (data := pdfs[s].data) is not None
        }
        meta = PosterMeta(
            url=poster.url,
            fits=tuple((s, pdfs[s].fit) for s in sizes),
            too_long=tuple(s for s in sizes if pdfs[s].data is None),
        )
        return Rendered(edition, files, meta)

    def deliver(self, rendered: PosterRendered, ctx: Context) -> DeliveryReport:
        """Write each PDF that changed; an unchanged one is skipped, so reruns write nothing."""
        edition, payload = rendered.edition, rendered.edition.payload
        report = DeliveryReport(edition.key, self.name, edition.target)
        if payload.url:  # the short link in the QR code: its redirect page and tag
            report.notes += publish_links(
                ctx.settings, ctx.out_dir, [payload.url], self.name, [edition.target]
            )
        deliver_files(report, ctx.out_dir, rendered.files)
        folder = f"posters/{payload.week}/"
        if rendered.meta.too_long:
            report.failed = len(rendered.meta.too_long)
            message = edition.messages[0]
            report.notes.append(
                _(
                    "{folder}: no {sizes} poster for {audience}: the screen text of '{id}' does "
                    "not fit even in the smallest type; shorten screen.headline or screen.text"
                ).format(
                    folder=folder,
                    sizes="/".join(rendered.meta.too_long),
                    audience=payload.audience,
                    id=message.id,
                )
            )
        if report.delivered:
            report.notes.append(
                ngettext(
                    "{folder}: {n} PDF for {audience}",
                    "{folder}: {n} PDFs for {audience}",
                    report.delivered,
                ).format(folder=folder, n=report.delivered, audience=payload.audience)
            )
        elif rendered.files:
            report.notes.append(
                _("{folder}: nothing new for {audience}").format(
                    folder=folder, audience=payload.audience
                )
            )
        return report

    def preview(
        self, message: Message, library: Library, inputs: None, ctx: Context, day: date
    ) -> list[Path]:
        """The A4 poster of `message`, with the title of a campaign that holds it."""
        campaign = next((c for c in library.campaigns if in_campaign(message, c)), None)
        edition = Edition(
            channel=self.name,
            target=PREVIEW_TARGET,
            day=day,
            campaign_id=campaign.id if campaign else "voorbeeld",
            campaign_title=campaign.title if campaign else PREVIEW_TITLE,
            lang=message.lang,
            audiences=message.audiences,
            messages=(message,),
            payload=PosterPayload(
                "voorbeeld", 0, message.audiences[0], ("A4",), first_url(message)
            ),
            attribution=campaign.attribution if campaign else "",
        )
        if ctx.register_links:
            preview_links(
                ctx.settings, [edition.payload.url] if edition.payload.url else [], self.name
            )
        pdf = render_pdf(poster_text(edition, ctx.settings.public_base_url), "A4")
        if pdf.data is None:
            return []
        path = ctx.out_dir / "poster.a4.pdf"
        write_atomic(path, pdf.data)
        return [path]


CHANNEL = PostersChannel()
