"""A small line icon per theme, drawn in the poster's band colour (decoration, never text)."""

from __future__ import annotations

import base64

from channels.shared.themes import theme_name

# Shapes on a 100x100 canvas, stroked with the colour given; simple enough to print crisply.
_SHAPES: dict[str, str] = {
    # crescent moon and a star
    "slapen": (
        '<path d="M62 18a34 34 0 1 0 20 52A28 28 0 0 1 62 18z"/><path d="M78 18v12M72 24h12"/>'
    ),
    # bowl with steam
    "eten": (
        '<path d="M16 50h68a34 30 0 0 1-68 0z"/>'
        '<path d="M38 38c-4-6 4-10 0-18M56 38c-4-6 4-10 0-18"/>'
    ),
    # ball in motion
    "bewegen": '<circle cx="60" cy="50" r="24"/><path d="M10 38h18M14 50h14M10 62h18"/>',
    # phone
    "schermtijd": '<rect x="32" y="12" width="36" height="76" rx="7"/><path d="M45 78h10"/>',
    # two people side by side
    "steun": (
        '<circle cx="36" cy="32" r="10"/><circle cx="64" cy="32" r="10"/>'
        '<path d="M18 80c0-16 8-26 18-26s18 10 18 26M46 80c0-16 8-26 18-26s18 10 18 26"/>'
    ),
    # sprout
    "veerkracht": (
        '<path d="M50 88V46"/><path d="M50 56c-22 0-30-12-30-26 18 0 30 8 30 26z"/>'
        '<path d="M50 48c0-18 12-28 30-28 0 16-10 28-30 28z"/>'
    ),
    # heart
    "ouder-kind": (
        '<path d="M50 82S16 60 16 38a17 17 0 0 1 34-4 17 17 0 0 1 34 4c0 22-34 44-34 44z"/>'
    ),
    # sun behind a cloud
    "gebeurtenis": (
        '<circle cx="38" cy="40" r="16"/>'
        '<path d="M30 80h44a14 14 0 0 0 0-28 20 20 0 0 0-38 4 12 12 0 0 0-6 24z"/>'
    ),
    # steps going up
    "gezonde-stress": '<path d="M14 84h18V66h18V48h18V30h18"/><path d="M70 14l12 12-12 12"/>',
    # two speech bubbles
    "partners": (
        '<path d="M14 20h44v28H32l-10 10V48h-8z"/><path d="M44 56h10v-4h32v28h-8v10L68 80H44z"/>'
    ),
    # a calm circle
    "rest": '<circle cx="50" cy="50" r="30"/>',
}


def icon_svg(theme: str, colour: str) -> str:
    """The icon of `theme` as a standalone SVG document in `colour` (#rrggbb)."""
    shapes = _SHAPES[theme_name(theme)]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" fill="none" '
        f'stroke="{colour}" stroke-width="6" stroke-linecap="round" stroke-linejoin="round">'
        f"{shapes}</svg>"
    )


def data_uri(svg: str) -> str:
    """An SVG document as a data: URI (the only kind of image the posters fetch)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
