"""The screens channel: plan, render and deliver one page per waiting-room screen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from channels.base import Context, DeliveryReport, Edition, Rendered
from channels.screens.page import REFRESH_SECONDS, page_fingerprint, render_page
from channels.screens.plan import CHANNEL_NAME, plan_screens
from channels.screens.playlist import build_playlist, day_of, version_of
from channels.screens.rss import slides_rss
from flows.core.models import Campaign
from flows.infra.outputs import replace_dir_atomic

if TYPE_CHECKING:
    from flows.library.loader import Library


def screen_files(playlist: dict[str, Any], playlist_json: str, base_url: str) -> dict[str, bytes]:
    """Every file of one screen's folder."""
    return {
        "index.html": render_page(playlist, playlist_json, REFRESH_SECONDS).encode("utf-8"),
        "playlist.json": playlist_json.encode("utf-8"),
        "slides.rss": slides_rss(playlist, base_url),
    }


def _published(folder: Path, files: dict[str, bytes]) -> tuple[str | None, date | None]:
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
        if p.is_dir()
        and not p.name.startswith(".")
        and p.name not in known
        and (p / "playlist.json").is_file()
    )


class ScreensChannel:
    """Waiting-room screens: `out/screens/<id>/` with index.html, playlist.json and slides.rss."""

    name = CHANNEL_NAME

    def plan(
        self,
        library: Library,
        campaigns: Sequence[Campaign],
        day: date,
        held: frozenset[tuple[str, str]] = frozenset(),
    ) -> list[Edition]:
        """One edition per screen per day (pure)."""
        return plan_screens(library, campaigns, day, held)

    def render(self, edition: Edition, ctx: Context) -> Rendered:
        """The screen's page, playlist and RSS feed."""
        base = ctx.settings.public_base_url
        playlist, text = build_playlist(
            edition, edition.params.get("generated_at"), salt=page_fingerprint() + base
        )
        return Rendered(
            edition=edition,
            files=screen_files(playlist, text, base),
            extra={"version": playlist["version"]},
        )

    def deliver(self, rendered: Rendered, ctx: Context) -> DeliveryReport:
        """Swap the screen's folder in at once; nothing is written when nothing changed."""
        edition = rendered.edition
        folder = ctx.out_dir / "screens" / edition.target
        report = DeliveryReport(edition.key, self.name, edition.target)
        version, day = _published(folder, rendered.files)
        if day is not None and day > edition.day:
            # A catch-up run for a past day must not put an older playlist back on the screen.
            report.skipped = 1
            report.notes.append(f"screens/{edition.target}/: kept the newer playlist for {day}")
            return report
        # The version covers slides, page code and public address: equal versions mean equal
        # files apart from generated_at, so the published folder stays as it is.
        if version == rendered.extra.get("version"):
            changed = False
        else:
            changed = replace_dir_atomic(folder, rendered.files)
        if changed:
            report.delivered = 1
            report.notes.append(
                f"screens/{edition.target}/: {len(edition.messages)} slide(s) for {edition.day}"
            )
        else:
            report.skipped = 1
            report.notes.append(f"screens/{edition.target}/: nothing new")
        return report


CHANNEL = ScreensChannel()
