"""Poster dimensions: an A3 layout in millimetres, A4 the same layout scaled by 1/sqrt(2).

Readability rule: a poster is read from about 2 m, and body text needs an x-height of at least
16 arcminutes there. The body size follows from that and from the bundled font's x-height, so
the numbers below are derived, not tuned by eye.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Size = Literal["A4", "A3"]
SIZES: tuple[Size, ...] = ("A4", "A3")

# Page size in mm (portrait) and the factor applied to every A3 measure.
PAGE_MM: dict[Size, tuple[float, float]] = {"A3": (297.0, 420.0), "A4": (210.0, 297.0)}
SCALE: dict[Size, float] = {"A3": 1.0, "A4": 1 / math.sqrt(2)}

VIEWING_DISTANCE_MM = 2000.0
MIN_XHEIGHT_ARCMIN = 16.0
# DejaVu Sans: x-height 1120 units on a 2048-unit em (OS/2 table and the glyph "x" agree).
XHEIGHT_EM = 1120 / 2048
MIN_XHEIGHT_MM = VIEWING_DISTANCE_MM * math.tan(math.radians(MIN_XHEIGHT_ARCMIN / 60))  # ~9.31

BODY_MM = 17.5  # font size at A3: x-height 9.57 mm, just above the minimum
HEADLINE_MAX_MM = 26.0
# Headlines shrink in these steps before the body may; the smallest still stands out above it.
HEADLINE_STEPS_MM = (26.0, 24.5, 23.0, 21.5, 20.0)
# Last resort for text longer than the style limits: smaller body rather than a second page.
BODY_FALLBACK_MM = (16.0, 14.5, 13.0, 11.5, 10.0)


@dataclass(frozen=True)
class Fit:
    """Font sizes (mm, at A3) that one poster's texts were set in."""

    headline_mm: float
    body_mm: float

    @property
    def readable(self) -> bool:
        """True when body text meets the 2 m reading distance on A3."""
        return xheight_mm(self.body_mm) >= MIN_XHEIGHT_MM


def xheight_mm(font_mm: float) -> float:
    """The x-height of the bundled font at `font_mm`."""
    return font_mm * XHEIGHT_EM


def fits() -> tuple[Fit, ...]:
    """Every fit to try, largest first: headline shrinks first, then (over-long text) body."""
    normal = tuple(Fit(h, BODY_MM) for h in HEADLINE_STEPS_MM)
    fallback = tuple(Fit(round(b * 1.15, 2), b) for b in BODY_FALLBACK_MM)
    return normal + fallback


@dataclass(frozen=True)
class Measures:
    """Every CSS length of the template for one size and fit, as mm numbers."""

    page_w: float
    page_h: float
    margin_x: float
    band_h: float
    icon: float
    label: float
    gap_band: float
    headline: float
    gap_headline: float
    body: float
    gap_body: float
    qr: float
    title: float
    small: float
    address: float
    bottom: float


def measures(size: Size, fit: Fit) -> Measures:
    """The template's lengths for `size`: A3 values times the size's scale."""
    k = SCALE[size]
    width, height = PAGE_MM[size]

    def mm(value: float) -> float:
        return round(value * k, 3)

    return Measures(
        page_w=width,
        page_h=height,
        margin_x=mm(18),
        band_h=mm(30),
        icon=mm(22),
        label=mm(8),
        gap_band=mm(12),
        headline=mm(fit.headline_mm),
        gap_headline=mm(9),
        body=mm(fit.body_mm),
        gap_body=mm(10),
        qr=mm(58),
        title=mm(8),
        small=mm(6.5),
        address=mm(7),
        bottom=mm(12),
    )


# Average advance widths (em) of Dutch text in DejaVu Sans, and of a space.
_BOLD_EM, _REGULAR_EM, _SPACE_EM = 0.60, 0.53, 0.32


def _lines(text: str, em: float, size: float, width: float) -> int:
    """Lines that `text` takes when wrapped greedily at word boundaries (an estimate)."""
    count, used = 1, 0.0
    for word in text.split():
        length = len(word) * em * size
        if used and used + _SPACE_EM * size + length > width:
            count, used = count + 1, 0.0
        used += (_SPACE_EM * size if used else 0.0) + length
        while used > width:  # a word longer than the line is broken anywhere
            count, used = count + 1, used - width
    return count


def first_fit(headline: str, text: str, address: str) -> int:
    """Index in `fits()` where trying starts: a rough estimate of the largest fit that fits.

    The estimate only saves renders; the page count of the real render decides.
    """
    ladder = fits()
    for index, fit in enumerate(ladder):
        m = measures("A3", fit)
        width = m.page_w - 2 * m.margin_x
        used = (
            m.band_h
            + m.gap_band
            + _lines(headline, _BOLD_EM, m.headline, width) * m.headline * 1.12
            + m.gap_headline
            + _lines(text, _REGULAR_EM, m.body, width) * m.body * 1.28
            + m.gap_body
            + m.qr
            + _lines(address, _REGULAR_EM, m.address, width) * m.address * 1.25
            + m.address * 0.4
            + m.bottom
        )
        if used <= m.page_h:
            return index
    return len(ladder) - 1
