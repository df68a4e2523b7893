"""Which messages the link check holds back from publishing (reads the cache only)."""

from __future__ import annotations

from flows.core.i18n import _
from flows.core.settings import Settings
from flows.infra.state import open_state
from flows.library.loader import Library
from flows.linkcheck import cache
from flows.linkcheck.check import Verdict
from flows.linkcheck.collect import collect_urls


def held_by_links(library: Library, settings: Settings) -> dict[tuple[str, str], str]:
    """(id, lang) -> reason for every message that uses a URL whose cached verdict is broken.

    Never touches the network: it reads the verdicts the last link check stored. Empty when the
    style's link policy is "warn" (broken links are then reported but nothing is held).
    """
    if library.style.link_policy != "hold":
        return {}
    uses = collect_urls(library).uses
    if not uses:
        return {}
    rows = cache.load(open_state(settings.resolved_state_url()), uses)
    reasons: dict[tuple[str, str], list[str]] = {}
    for url, cached in sorted(rows.items()):
        if cached.result.verdict is not Verdict.BROKEN:
            continue
        for use in uses[url]:
            text = _("link {url} is broken ({detail}) at {where}; replace it or remove it").format(
                url=url, detail=cached.result.detail, where=f"{use.path}:{use.line}"
            )
            if text not in reasons.setdefault(use.message, []):
                reasons[use.message].append(text)
    return {key: "; ".join(texts) for key, texts in reasons.items()}
