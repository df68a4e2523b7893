"""The screens channel: plan, render and deliver one page per waiting-room screen."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from channels.base import (
    Channel,
    Context,
    DeliveryReport,
    Edition,
    Held,
    Labels,
    Loaded,
    Rendered,
    ReportNotes,
)
from channels.screens.checks import screen_findings
from channels.screens.config import Screen, ScreensSettings
from channels.screens.page import REFRESH_SECONDS, page_fingerprint, render_page, service_worker
from channels.screens.payload import ScreenMeta, ScreenPayload
from channels.screens.plan import CHANNEL_NAME, plan_screens, running_campaigns
from channels.screens.playlist import build_playlist, day_of, version_of
from channels.screens.rss import slides_rss
from channels.shared.qr import use_cache
from channels.shared.reach import PREVIEW_TARGET, preview_links, publish_links
from flows.core.findings import Finding
from flows.core.i18n import N_, _, ngettext
from flows.core.models import Campaign, Message
from flows.core.settings import Settings
from flows.infra.outputs import replace_dir_atomic
from flows.library.loader import Library, LoadLog, load_yaml_models

if TYPE_CHECKING:
    from flows.checks.context import Context as CheckContext

Screens = tuple[Screen, ...]
SCREEN_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
ScreenEdition = Edition[ScreenPayload]
PREVIEW_TITLE = "Voorbeeld"  # the slide's footer in a preview


def screen_files(playlist: dict[str, Any], playlist_json: str, base_url: str) -> dict[str, bytes]:
    """Every file of one screen's folder."""
    return {
        "index.html": render_page(playlist, playlist_json, REFRESH_SECONDS).encode("utf-8"),
        "playlist.json": playlist_json.encode("utf-8"),
        "slides.rss": slides_rss(playlist, base_url),
        # Scope /screens/<id>/: the stable address, whatever version folder is behind it.
        "sw.js": service_worker(playlist["offline_wait_seconds"]).encode("utf-8"),
    }


def _published(folder: Path, files: Mapping[str, bytes]) -> tuple[str | None, date | None]:
    """Version and day of the playlist already in `folder` (None, None when incomplete)."""
    if not folder.is_dir() or sorted(p.name for p in folder.iterdir()) != sorted(files):
        return None, None
    with (folder / "playlist.json").open("rb") as handle:
        head = handle.read(4096)
    return version_of(head), day_of(head)


def folders_without_screen(out_dir: Path, screen_ids: Sequence[str]) -> list[str]:
    """Published screen folders whose screen is no longer in `screens.yaml`.

    They are left alone (a kiosk still pointed at one keeps its last playlist, and the page
    hides each slide after its valid_until); the publish report names them, so someone can
    delete the folder when the screen is really gone.
    """
    root = out_dir / "screens"
    if not root.is_dir():
        return []
    known = set(screen_ids)
    return sorted(
        p.name
        for p in root.iterdir()
        # Only names a screen id can have: anything else is not ours, and is safe to print.
        if p.is_dir()
        and SCREEN_ID.fullmatch(p.name)
        and p.name not in known
        and (p / "playlist.json").is_file()
    )


class ScreensChannel(Channel[ScreensSettings, Screens, ScreenPayload, ScreenMeta]):
    """Waiting-room screens: `out/screens/<id>/` with index.html, playlist.json, slides.rss and
    sw.js (the service worker that keeps the page for a reload with no network)."""

    name = CHANNEL_NAME
    files_only = True
    label = Labels(nl="Schermen", en="Screens")
    settings_model = ScreensSettings
    outputs = (("screens", N_("a page and playlist.json per waiting-room screen")),)

    def load_inputs(self, settings: Settings, library: Library) -> Loaded[Screens]:
        """The screens in `screens.yaml` (none when the file is absent)."""
        path = library.root / "screens.yaml"
        if not path.exists():
            return Loaded(())
        log = LoadLog(library.root)
        screens = load_yaml_models(path, Screen, log, "screens")
        return Loaded(tuple(screens), tuple(log.findings), files=1)

    def checks(self, ctx: CheckContext, inputs: Screens) -> Iterable[Finding]:
        """Screen text lengths (T220, T221) and screens named by campaigns (S131)."""
        return screen_findings(ctx, inputs, self.settings_for)

    def plan(
        self,
        library: Library,
        inputs: Screens,
        campaigns: Sequence[Campaign],
        day: date,
        held: Held = frozenset(),
    ) -> list[ScreenEdition]:
        """One edition per screen per day (pure)."""
        running = running_campaigns(campaigns, day, self.settings_for)
        return plan_screens(library, inputs, running, day, held)

    def in_plan(self, edition: ScreenEdition) -> bool:
        """A screen's day is in the plan only when the screen is open that day."""
        return edition.payload.screen.open_on(edition.day)

    def render(self, edition: ScreenEdition, ctx: Context) -> Rendered[ScreenPayload, ScreenMeta]:
        """The screen's page, playlist and RSS feed (its QR codes kept in the state folder's
        cache, so tomorrow's publish reads them instead of making them again)."""
        use_cache(ctx.settings.state_dir / "qr")
        base = ctx.settings.public_base_url
        playlist, text = build_playlist(
            edition, edition.payload.generated_at, salt=page_fingerprint() + base, base_url=base
        )
        return Rendered(
            edition, screen_files(playlist, text, base), ScreenMeta(playlist["version"])
        )

    def deliver(
        self, rendered: Rendered[ScreenPayload, ScreenMeta], ctx: Context
    ) -> DeliveryReport:
        """Swap the screen's folder in at once; nothing is written when nothing changed."""
        edition = rendered.edition
        folder = ctx.out_dir / "screens" / edition.target
        report = DeliveryReport(edition.key, self.name, edition.target)
        # The QR codes are short links tagged with this screen: their redirect pages and tags.
        urls = [m.resources[0].url for m in edition.messages if m.resources]
        report.notes += publish_links(ctx.settings, ctx.out_dir, urls, self.name, [edition.target])
        version, day = _published(folder, rendered.files)
        if day is not None and day > edition.day:
            # A catch-up run for a past day must not put an older playlist back on the screen.
            report.skipped = 1
            report.notes.append(
                _("screens/{screen}/: kept the newer playlist for {day}").format(
                    screen=edition.target, day=day
                )
            )
            return report
        # The version covers slides, page code and public address: equal versions mean equal
        # files apart from generated_at, so the published folder stays as it is.
        if version == rendered.meta.version:
            changed = False
        else:
            # The folder's version is the playlist's: a second writer of the same version
            # at the same moment (another worker) leaves the first one's folder in place.
            changed = replace_dir_atomic(folder, rendered.files, version=rendered.meta.version)
        if changed:
            report.delivered = 1
            slides = len(edition.messages)
            report.notes.append(
                ngettext(
                    "screens/{screen}/: {n} slide for {day}",
                    "screens/{screen}/: {n} slides for {day}",
                    slides,
                ).format(screen=edition.target, n=slides, day=edition.day)
            )
        else:
            report.skipped = 1
            report.notes.append(_("screens/{screen}/: nothing new").format(screen=edition.target))
        return report

    def report_notes(self, loaded: Loaded[Screens], ctx: Context) -> ReportNotes:
        """Published screen folders whose screen left screens.yaml (see folders_without_screen)."""
        gone = folders_without_screen(ctx.out_dir, [s.id for s in loaded.value])
        if not gone:
            return ReportNotes()
        section = (
            "## " + _("Screens no longer in screens.yaml"),
            "",
            _(
                "These folders were published before. Their pages keep showing their last "
                "playlist (each slide until its valid_until). When the screen is gone, delete "
                "its link out/screens/<id> and its versions out/screens/_versions/<id>/; or "
                "add the screen to screens.yaml again."
            ),
            "",
            *(
                "- " + _("out/screens/{name} (and out/screens/_versions/{name}/)").format(name=n)
                for n in gone
            ),
        )
        return ReportNotes(section=section)

    def preview(
        self, message: Message, library: Library, inputs: Screens, ctx: Context, day: date
    ) -> list[Path]:
        """The slide on the first screen for its audience and language, always open."""
        screen = preview_screen(message, inputs)
        # The page hides a slide outside its dates by the screen's own clock; a preview is
        # for looking at it now.
        slide = message.model_copy(
            update={"valid_from": min(message.valid_from, day), "valid_until": None}
        )
        edition = Edition(
            channel=self.name,
            target=screen.id,
            day=day,
            campaign_id="voorbeeld",
            campaign_title=PREVIEW_TITLE,
            lang=screen.language,
            audiences=screen.audiences,
            messages=(slide,),
            payload=ScreenPayload(screen, (screen.slide_seconds,), (PREVIEW_TITLE,)),
        )
        if ctx.register_links:
            preview_links(ctx.settings, [r.url for r in message.resources[:1]], self.name)
        replace_dir_atomic(ctx.out_dir / "scherm", self.render(edition, ctx).files)
        return [ctx.out_dir / "scherm" / "index.html"]


def preview_screen(message: Message, screens: Sequence[Screen]) -> Screen:
    """The screen to preview on: the first configured one for the message's audience and
    language, or a plain one; always open, so the slide shows at any hour."""
    for screen in screens:
        if screen.language == message.lang and set(screen.audiences) & set(message.audiences):
            # Its look, under the preview's own id: scans of a preview are not a screen's.
            return screen.model_copy(update={"opening_hours": {}, "id": PREVIEW_TARGET})
    return Screen(
        id=PREVIEW_TARGET,
        location=PREVIEW_TITLE,
        audiences=message.audiences,
        language=message.lang,
    )


CHANNEL = ScreensChannel()
