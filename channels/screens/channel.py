"""The screens channel: plan, render and deliver one page per waiting-room screen."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from channels.base import Context, DeliveryReport, Edition, Rendered
from channels.screens.page import REFRESH_SECONDS, render_page
from channels.screens.plan import CHANNEL_NAME, plan_screens
from channels.screens.playlist import build_playlist, to_json
from channels.screens.rss import slides_rss
from flows.models import Campaign
from flows.outputs import replace_dir_atomic

if TYPE_CHECKING:
    from flows.loader import Library


def screen_files(playlist: dict[str, Any], base_url: str) -> dict[str, bytes]:
    """Every file of one screen's folder."""
    return {
        "index.html": render_page(playlist, REFRESH_SECONDS).encode("utf-8"),
        "playlist.json": to_json(playlist).encode("utf-8"),
        "slides.rss": slides_rss(playlist, base_url),
    }


def _published_playlist(folder_json: bytes | None) -> dict[str, Any] | None:
    if folder_json is None:
        return None
    try:
        data = json.loads(folder_json)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


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
        playlist = build_playlist(edition, edition.params.get("generated_at"))
        base = ctx.settings.public_base_url
        return Rendered(
            edition=edition,
            files=screen_files(playlist, base),
            extra={"playlist": playlist, "base_url": base},
        )

    def deliver(self, rendered: Rendered, ctx: Context) -> DeliveryReport:
        """Swap the screen's folder in at once; nothing is written when nothing changed."""
        edition = rendered.edition
        folder = ctx.out_dir / "screens" / edition.target
        files = rendered.files
        playlist: dict[str, Any] | None = rendered.extra.get("playlist")
        existing = folder / "playlist.json"
        old = _published_playlist(existing.read_bytes() if existing.is_file() else None)
        if playlist is not None and old is not None and old.get("version") == playlist["version"]:
            # Same slides as published: keep the old generated_at so the files compare equal.
            playlist = {**playlist, "generated_at": old.get("generated_at")}
            files = screen_files(playlist, rendered.extra.get("base_url", ""))
        report = DeliveryReport(edition.key, self.name, edition.target)
        if replace_dir_atomic(folder, files):
            report.delivered = 1
            report.notes.append(
                f"screens/{edition.target}/: {len(edition.messages)} slide(s) for {edition.day}"
            )
        else:
            report.skipped = 1
            report.notes.append(f"screens/{edition.target}/: nothing new")
        return report


CHANNEL = ScreensChannel()
