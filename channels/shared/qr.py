"""QR codes as small inline SVG, each unique URL encoded once per process."""

from __future__ import annotations

import io
from functools import lru_cache
from urllib.parse import urlsplit

import segno

from channels.shared.themes import QR_DARK, QR_LIGHT


@lru_cache(maxsize=4096)
def qr_svg(url: str) -> str:
    """The QR code of `url` as an SVG document (black on white, four-module quiet zone).

    Error correction M: still scans when a screen has glare or a scratch, and a campaign URL
    stays at QR version 4-6, big enough modules to scan from a chair.
    """
    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    # A standalone document (with its namespace): the page shows it as an image.
    code.save(
        buffer,
        kind="svg",
        scale=1,
        border=4,
        dark=QR_DARK,
        light=QR_LIGHT,
        xmldecl=False,
        svgns=True,
        svgclass=None,
        lineclass=None,
        nl=False,
    )
    svg = buffer.getvalue().decode("utf-8")
    # A viewBox lets the image scale to any size; crisp edges keep modules sharp for scanners.
    size = code.symbol_size(scale=1, border=4)[0]
    return svg.replace(
        "<svg ", f'<svg viewBox="0 0 {size} {size}" shape-rendering="crispEdges" ', 1
    )


@lru_cache(maxsize=4096)
def short_address(url: str) -> str:
    """The address people can type: host and path without scheme or trailing slash."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    text = host + parts.path.rstrip("/")
    if parts.query:
        text += "?" + parts.query
    return text or url
