"""Colours per theme for the screen page, and the contrast arithmetic that keeps them readable.

The palette is the one source of the page's colours: the CSS is generated from it and a test
computes every text/background pair against WCAG's 4.5:1 minimum.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.core.models import THEMES

MIN_CONTRAST = 4.5  # WCAG 2 AA for normal text; the page's text is far larger, still we keep it


@dataclass(frozen=True)
class Palette:
    """Background, text and accent (decorative visual) colour of one theme, as #rrggbb."""

    background: str
    text: str
    accent: str


# Light, calm backgrounds with dark text: readable from a chair in a bright waiting room.
PALETTES: dict[str, Palette] = {
    "slapen": Palette("#e8eef8", "#1b2540", "#4a5fa8"),
    "eten": Palette("#fff3e0", "#3a2410", "#d9822b"),
    "bewegen": Palette("#e6f4ea", "#15331f", "#2e8b57"),
    "schermtijd": Palette("#f1ecf8", "#2a1d40", "#7a5bb5"),
    "steun": Palette("#fdedee", "#40181d", "#c8505e"),
    "veerkracht": Palette("#e9f5f3", "#12332e", "#2a9d8f"),
    "ouder-kind": Palette("#fff0e8", "#3f1f12", "#e07a5f"),
    "gebeurtenis": Palette("#eef1f4", "#1e2830", "#5c7a91"),
    "gezonde-stress": Palette("#fff8dc", "#33300f", "#b8921b"),
    "partners": Palette("#edf2f7", "#1a202c", "#3b6ea5"),
    "rest": Palette("#f4f1ec", "#2e2a25", "#9c8f7a"),
}
# The QR code is always black on white whatever the theme: scanners need the contrast.
QR_DARK, QR_LIGHT = "#000000", "#ffffff"

assert set(THEMES) | {"rest"} == set(PALETTES), "every theme needs a palette"


def theme_name(theme: str) -> str:
    """The palette name for a message theme (unknown themes get the calm resting palette)."""
    return theme if theme in PALETTES else "rest"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2) of a #rrggbb colour."""
    hexa = colour.lstrip("#")
    if len(hexa) != 6:
        raise ValueError(f"expected #rrggbb, got {colour!r}")
    r, g, b = (int(hexa[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio between two colours, from 1 to 21."""
    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def theme_css() -> str:
    """CSS custom properties for every theme class."""
    return "".join(
        f".theme-{name}{{--bg:{p.background};--fg:{p.text};--accent:{p.accent}}}"
        for name, p in PALETTES.items()
    )
